/*
 * bench_mime.c - how fast sift parses mail: every message of a corpus
 * parsed N times in one process, on one core, through the full pipeline
 * rules need (MIME tree, transfer decoding, charset conversion, HTML
 * rendering, the body and rawbody views), then again adding the URI list
 * and the relays. Prints MB/s and messages/s for each.
 *
 *   build/bench_mime [-n ROUNDS] [DIR...]   (default: ../shared/corpus)
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/cfg_keys.h"
#include "core/xmalloc.h"
#include "mime/mime_ctx.h"
#include "mime/mime_get.h"
#include "mime/mime_uris.h"
#include "mime/mime_views.h"
#include "scan/task.h"

struct corpus {
    struct buf *msgs;
    size_t n, cap, bytes;
};

static void
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
    }
    c->bytes += b.len;
    c->msgs[c->n++] = b;
}

static void
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

        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (de->d_type == DT_DIR)
            corpus_add_dir(c, path);
        else if (strlen(de->d_name) > 4 && strcmp(de->d_name + strlen(de->d_name) - 4, ".eml") == 0)
            corpus_add_file(c, path);
    }
    closedir(d);
}

static double
cpu_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One pass over the corpus; full: also URIs and relays. Returns a checksum
 * so that nothing is optimised away. */
static size_t
bench_pass(const struct corpus *c, const struct mime_ctx *ctx, bool full)
{
    size_t sum = 0;

    for (size_t i = 0; i < c->n; i++) {
        struct task *t = task_new(ctx, c->msgs[i].p ? c->msgs[i].p : "", c->msgs[i].len, false);
        struct mime_msg *m = task_message(t);

        sum += mime_view_body(m)->n + mime_view_rawbody(m)->n;
        if (full) {
            sum += mime_msg_uris(m)->nlist;
            sum += mime_msg_relays(m)->nrelays;
        }
        task_free(&t);
    }
    return sum;
}

int
main(int argc, char **argv)
{
    struct corpus c = { 0 };
    struct arena *a = arena_new(4096);
    struct cfg_ctx cctx = { .arena = a, .dbdir = "/tmp", .confdir = "/tmp" };
    struct mime_cfg mc;
    struct mime_ctx ctx;
    struct mime_ctx_storage st;
    struct sift_err err;
    int rounds = 5, opt;

    while ((opt = getopt(argc, argv, "n:")) != -1) {
        if (opt == 'n')
            rounds = atoi(optarg);
    }
    if (optind == argc)
        corpus_add_dir(&c, "../shared/corpus");
    for (int i = optind; i < argc; i++)
        corpus_add_dir(&c, argv[i]);
    if (c.n == 0) {
        printf("bench_mime: no messages (is ../shared/corpus there?); nothing measured\n");
        return 0;
    }
    if (cfg_fill(&cctx, "mime", NULL, mime_cfg_keys, mime_cfg_nkeys, &mc, &err) == -1 ||
        mime_ctx_init(&ctx, &st, &mc, &err) == -1) {
        fprintf(stderr, "bench_mime: %s\n", err.msg);
        return 1;
    }
    bench_pass(&c, &ctx, true); /* warm up: converters, caches */
    for (int full = 0; full <= 1; full++) {
        double t0 = cpu_seconds(), dt;
        size_t sum = 0;

        for (int r = 0; r < rounds; r++)
            sum += bench_pass(&c, &ctx, full);
        dt = cpu_seconds() - t0;
        printf("bench_mime: %s: %zu messages x %d, %.1f MB: %.1f MB/s, %.0f messages/s, "
               "%.1f us/message (check %zu)\n",
               full ? "parse + views + uris + relays" : "parse + body/rawbody views", c.n, rounds,
               (double)c.bytes / 1e6, (double)c.bytes * rounds / 1e6 / dt,
               (double)c.n * rounds / dt, dt * 1e6 / ((double)c.n * rounds), sum);
    }
    mime_ctx_clear(&ctx, &st);
    for (size_t i = 0; i < c.n; i++)
        buf_clear(&c.msgs[i]);
    free(c.msgs);
    arena_free(&a);
    return 0;
}
