/*
 * bench_match.c - the regex matcher on SpamAssassin's stock body rules:
 * every `body NAME /re/flags` of the rule directory (eval: and <TAG> rules
 * left out) as one matcher, run over the body lines of a corpus (each
 * message split into lines after its header block). Prints the build time
 * cold and from the disk cache, how many patterns Hyperscan took, and scan
 * speed, then the same with PCRE2 alone; and checks that both give the
 * same counts on every message.
 *
 *   build/bench_match [-n ROUNDS] [-r RULEDIR] [DIR...]
 *   (defaults: 3 rounds, /usr/share/spamassassin, ../shared/corpus)
 */
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/strv.h"
#include "core/xmalloc.h"
#include "scan/scan_match.h"
#include "tests/unit/scan/sa_body_rules.h"

struct msg {
    struct buf raw;
    struct strv *lines;
    size_t nlines, bytes;
};

struct corpus {
    struct msg *v;
    size_t n, cap, bytes;
};

/* The body's lines, after the first empty line, without their newline. */
static void
msg_split(struct msg *m)
{
    const char *p = m->raw.p, *end = p + m->raw.len, *body = NULL;
    size_t cap = 0;

    for (const char *q = p; q < end; q++) {
        if (*q == '\n' &&
            (q + 1 < end && (q[1] == '\n' || (q[1] == '\r' && q + 2 < end && q[2] == '\n')))) {
            body = q + (q[1] == '\n' ? 2 : 3);
            break;
        }
    }
    if (body == NULL)
        return;
    while (body < end) {
        const char *nl = memchr(body, '\n', (size_t)(end - body));
        size_t len = (size_t)((nl ? nl : end) - body);

        if (len > 0 && body[len - 1] == '\r')
            len--;
        if (m->nlines == cap) {
            cap = cap ? cap * 2 : 64;
            m->lines = xreallocarray(m->lines, cap, sizeof(*m->lines));
        }
        m->lines[m->nlines++] = strv_make(body, len);
        m->bytes += len;
        body = nl ? nl + 1 : end;
    }
}

static void
corpus_add_file(struct corpus *c, const char *path)
{
    FILE *f = fopen(path, "rb");
    char chunk[65536];
    size_t n;
    struct msg m = { 0 };

    if (f == NULL)
        return;
    buf_init(&m.raw);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(&m.raw, chunk, n);
    fclose(f);
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
    }
    c->v[c->n++] = m;
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
now(clockid_t clk)
{
    struct timespec ts;

    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
count_reject(void *arg, unsigned id, const char *why)
{
    (void)id;
    (void)why;
    (*(size_t *)arg)++;
}

/* Build a matcher and say how long it took (wall clock). */
static struct scan_matcher *
build(const struct scan_pattern *pats, size_t n, const char *cache, bool no_hs, size_t *rejected,
      double *secs)
{
    struct scan_match_opts o = { .cache_dir = cache, .no_hyperscan = no_hs };
    struct scan_matcher *m;
    struct sift_err err;
    double t0 = now(CLOCK_MONOTONIC);

    *rejected = 0;
    o.reject = count_reject;
    o.reject_arg = rejected;
    if (scan_matcher_new(pats, n, &o, &m, &err) == -1) {
        fprintf(stderr, "bench_match: %s\n", err.msg);
        exit(1);
    }
    *secs = now(CLOCK_MONOTONIC) - t0;
    return m;
}

/* Scan every message `rounds` times; counts[i * npat ..] keeps the last
 * round's counts of message i. Prints the speed. */
static void
scan_all(const char *label, struct scan_matcher *m, const struct corpus *c, int rounds,
         unsigned *counts)
{
    struct scan_match_scratch *s = scan_match_scratch_new(&m, 1);
    size_t npat = scan_matcher_count(m), hits = 0;
    double t0 = now(CLOCK_PROCESS_CPUTIME_ID), dt;

    for (int r = 0; r < rounds; r++) {
        hits = 0;
        for (size_t i = 0; i < c->n; i++) {
            unsigned *cnt = counts + i * npat;

            memset(cnt, 0, npat * sizeof(*cnt));
            hits += scan_matcher_run(m, s, c->v[i].lines, c->v[i].nlines, cnt);
        }
    }
    dt = now(CLOCK_PROCESS_CPUTIME_ID) - t0;
    printf("bench_match: scan %-14s %zu messages x %d, %.1f MB of body lines: %.1f MB/s, "
           "%.1f us/message, %.2f rule hits/message, %zu PCRE2 limit errors\n",
           label, c->n, rounds, (double)c->bytes / 1e6, (double)c->bytes * rounds / 1e6 / dt,
           dt * 1e6 / ((double)c->n * rounds), (double)hits / (double)c->n,
           scan_match_scratch_errors(s));
    scan_match_scratch_free(&s);
}

int
main(int argc, char **argv)
{
    const char *ruledir = "/usr/share/spamassassin";
    struct sa_body_rules rules;
    struct corpus c = { 0 };
    struct scan_pattern *pats;
    struct scan_matcher *hs, *hs2, *pc;
    struct scan_matcher_stats st;
    char cache[PATH_MAX];
    unsigned *c_hs, *c_pc;
    size_t rej, rej2, npat, diffs = 0;
    double cold, warm, pcre_build;
    int rounds = 3, opt;

    while ((opt = getopt(argc, argv, "n:r:")) != -1) {
        if (opt == 'n')
            rounds = atoi(optarg);
        else if (opt == 'r')
            ruledir = optarg;
    }
    if (sa_body_rules_load(ruledir, &rules) == 0) {
        printf("bench_match: no body rules in %s; nothing measured\n", ruledir);
        return 0;
    }
    if (optind == argc)
        corpus_add_dir(&c, "../shared/corpus");
    for (int i = optind; i < argc; i++)
        corpus_add_dir(&c, argv[i]);
    if (c.n == 0) {
        printf("bench_match: no messages (is ../shared/corpus there?); nothing measured\n");
        sa_body_rules_free(&rules);
        return 0;
    }
    for (size_t i = 0; i < c.n; i++) {
        msg_split(&c.v[i]);
        c.bytes += c.v[i].bytes;
    }
    npat = rules.n;
    pats = xcalloc(npat, sizeof(*pats));
    for (size_t k = 0; k < npat; k++)
        pats[k] =
            (struct scan_pattern){ (unsigned)k, rules.v[k].pattern, rules.v[k].flags, 1, NULL };
    printf("bench_match: %zu body rules from %zu files of %s (left out: %zu eval, %zu <TAG>/%%{} "
           "template, %zu unreadable)\n",
           npat, rules.files, ruledir, rules.skipped_eval, rules.skipped_tags,
           rules.skipped_syntax);

    snprintf(cache, sizeof(cache), "/tmp/sift-bench-match-XXXXXX");
    if (mkdtemp(cache) == NULL) {
        perror("bench_match: mkdtemp");
        return 1;
    }
    hs = build(pats, npat, cache, false, &rej, &cold);
    scan_matcher_stats(hs, &st);
    printf("bench_match: %zu patterns PCRE2 refused; Hyperscan took %zu (%zu exact, %zu as "
           "prefilter), %zu run on PCRE2 alone\n",
           rej, st.hs_patterns, st.hs_patterns - st.hs_prefilter_patterns, st.hs_prefilter_patterns,
           st.pcre_only_patterns);
    hs2 = build(pats, npat, cache, false, &rej2, &warm);
    scan_matcher_stats(hs2, &st);
    pc = build(pats, npat, NULL, true, &rej2, &pcre_build);
    printf("bench_match: build: cold %.3f s, from the cache %.3f s%s, PCRE2 alone %.3f s\n", cold,
           warm, st.from_cache ? "" : " (cache NOT used)", pcre_build);
    scan_matcher_free(&hs2);

    c_hs = xcalloc(c.n * npat, sizeof(*c_hs));
    c_pc = xcalloc(c.n * npat, sizeof(*c_pc));
    scan_all("hyperscan+pcre", hs, &c, rounds, c_hs);
    scan_all("pcre2 alone", pc, &c, rounds, c_pc);
    for (size_t i = 0; i < c.n * npat; i++) {
        if (c_hs[i] != c_pc[i] && diffs++ < 5)
            printf("bench_match: DIFFERENT: message %zu rule %s: %u vs %u\n", i / npat,
                   rules.v[i % npat].name, c_hs[i], c_pc[i]);
    }
    printf("bench_match: hyperscan+pcre and pcre2 alone %s (%zu counts compared)\n",
           diffs ? "DIFFER" : "agree", c.n * npat);

    nftw(cache, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    scan_matcher_free(&hs);
    scan_matcher_free(&pc);
    free(c_hs);
    free(c_pc);
    free(pats);
    for (size_t i = 0; i < c.n; i++) {
        buf_clear(&c.v[i].raw);
        free(c.v[i].lines);
    }
    free(c.v);
    sa_body_rules_free(&rules);
    return diffs ? 1 : 0;
}
