/*
 * bench_corpus.h - what the benchmarks share: the messages of a corpus
 * (every *.eml under the directories given, default ../shared/corpus)
 * read into memory, and a CPU clock. Benchmarks run from the repository
 * root; without a corpus they say so and skip that part.
 */
#ifndef SIFT_TESTS_BENCH_CORPUS_H
#define SIFT_TESTS_BENCH_CORPUS_H

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/xmalloc.h"

#define BENCH_CORPUS "../shared/corpus"

struct corpus {
    struct buf *msgs;
    char **paths; /* paths[i] is where msgs[i] came from */
    size_t n, cap, bytes;
};

static inline void
corpus_add_file(struct corpus *c, const char *path)
{
    FILE *f = fopen(path, "rb");
    char chunk[65536];
    size_t n;
    struct buf b;

    if (f == NULL)
        return;
    buf_init(&b);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->msgs = xreallocarray(c->msgs, c->cap, sizeof(*c->msgs));
        c->paths = xreallocarray(c->paths, c->cap, sizeof(*c->paths));
    }
    c->bytes += b.len;
    c->paths[c->n] = xstrdup(path);
    c->msgs[c->n++] = b;
}

/* Every *.eml below dir (a file is taken as it is). */
static inline void
corpus_add_dir(struct corpus *c, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (d == NULL) {
        corpus_add_file(c, dir);
        return;
    }
    while ((de = readdir(d)) != NULL) {
        char path[PATH_MAX];
        size_t len = strlen(de->d_name);

        if (de->d_name[0] == '.')
            continue;
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
            continue;
        if (de->d_type == DT_DIR)
            corpus_add_dir(c, path);
        else if (len > 4 && strcmp(de->d_name + len - 4, ".eml") == 0)
            corpus_add_file(c, path);
    }
    closedir(d);
}

static inline void
corpus_clear(struct corpus *c)
{
    for (size_t i = 0; i < c->n; i++) {
        buf_clear(&c->msgs[i]);
        free(c->paths[i]);
    }
    free(c->msgs);
    free(c->paths);
    memset(c, 0, sizeof(*c));
}

/* CPU time of this process, in seconds. */
static inline double
cpu_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
