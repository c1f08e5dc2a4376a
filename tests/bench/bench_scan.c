/*
 * bench_scan.c - how long a whole scan takes with SpamAssassin's stock
 * rules (network tests and Bayes off, as spamd -L): every message of the
 * corpus scanned in one process on one core, with the CPU time of each
 * (mean, p50, p99, max) and messages/s; then the real SpamAssassin
 * (scripts/sa-scan.pl --time) on a sample of the same messages, for the
 * ratio. Also the rule load time, cold and with the pattern cache.
 *
 *   build/bench_scan [-n ROUNDS] [-s SA_SAMPLE] [-c CACHE_DIR] [-v N_SLOWEST]
 *                    [-d HITS_FILE] [DIR...]
 *                    (default: 1 round, 60 messages for SpamAssassin, ../shared/corpus)
 *
 * -d writes what the first round concluded for each message, one line per
 * message (path, score, each symbol hit with its count, each "__" sub-rule
 * hit), outside the timed part: two builds that must agree are compared
 * with diff.
 */
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat/sa_rules.h"
#include "core/arena.h"
#include "core/cfg_keys.h"
#include "mime/mime_ctx.h"
#include "scan/task.h"

#include "bench_corpus.h"

static double
thread_cpu(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

struct stats {
    double mean, p50, p99, max, total;
};

static void
stats_of(double *v, size_t n, struct stats *st)
{
    memset(st, 0, sizeof(*st));
    if (n == 0)
        return;
    qsort(v, n, sizeof(*v), cmp_double);
    for (size_t i = 0; i < n; i++)
        st->total += v[i];
    st->mean = st->total / (double)n;
    st->p50 = v[n / 2];
    st->p99 = v[(size_t)floor(0.99 * (double)(n - 1))];
    st->max = v[n - 1];
}

static int
load(const char *cache, struct sa_rules **r)
{
    struct arena *a = arena_new(4096);
    struct cfg_ctx ctx = { .arena = a, .dbdir = "/tmp", .confdir = "/tmp" };
    struct sa_rules_cfg rc;
    struct scan_actions_cfg ac;
    struct sift_err err;
    int rv;

    if (cfg_fill(&ctx, "rules", NULL, sa_rules_cfg_keys, sa_rules_cfg_nkeys, &rc, &err) == -1 ||
        cfg_fill(&ctx, "actions", NULL, scan_actions_keys, scan_actions_nkeys, &ac, &err) == -1) {
        fprintf(stderr, "bench_scan: %s\n", err.msg);
        arena_free(&a);
        return -1;
    }
    rc.local_only = true;
    rc.use_bayes = false; /* not a key: cfg_fill leaves it as the stack had it */
    rc.cache_dir = cache;
    rc.native_dir = "rules";
    rv = sa_rules_load(&rc, &ac, NULL, r, &err);
    if (rv == -1)
        fprintf(stderr, "bench_scan: %s\n", err.msg);
    arena_free(&a);
    return rv;
}

/* One message's result, as -d writes it. */
static void
dump_result(FILE *f, const char *path, const struct scan_result *res)
{
    fprintf(f, "%s\t%.3f\t", path, res->score);
    for (size_t i = 0; i < res->nhits; i++)
        fprintf(f, "%s%s:%u", i ? " " : "", res->hits[i].rule->name, res->hits[i].count);
    fputc('\t', f);
    for (size_t i = 0; i < res->nsubhits; i++)
        fprintf(f, "%s%s", i ? " " : "", res->subhits[i]);
    fputc('\n', f);
}

/* SpamAssassin on every k-th message: its per-message CPU seconds */
static size_t
sa_sample(const struct corpus *c, size_t want, double *out)
{
    struct buf cmd;
    FILE *p;
    char line[1 << 16];
    size_t n = 0, step = c->n / (want ? want : 1);

    if (step == 0)
        step = 1;
    buf_init(&cmd);
    buf_puts(&cmd, "perl scripts/sa-scan.pl --time");
    for (size_t i = 0; i < c->n && n < want; i += step, n++)
        buf_printf(&cmd, " '%s'", c->paths[i]);
    buf_puts(&cmd, " 2>/dev/null");
    p = popen(cmd.p, "r");
    buf_clear(&cmd);
    n = 0;
    if (p == NULL)
        return 0;
    while (fgets(line, sizeof(line), p) != NULL) {
        const char *cpu = strstr(line, "\"cpu\":");

        if (cpu != NULL)
            out[n++] = strtod(cpu + 6, NULL);
    }
    pclose(p);
    return n;
}

int
main(int argc, char **argv)
{
    struct corpus c = { 0 };
    struct sa_rules *rules;
    struct mime_cfg mc;
    struct mime_ctx ctx;
    struct mime_ctx_storage st;
    struct scan_engine_stats es;
    struct stats sift, sa;
    struct sift_err err;
    struct arena *a = arena_new(4096);
    struct cfg_ctx cctx = { .arena = a, .dbdir = "/tmp", .confdir = "/tmp" };
    char cache[PATH_MAX] = "/tmp/sift-bench-cache-XXXXXX";
    bool keep_cache = false;
    FILE *dump = NULL;
    size_t show_slow = 0;
    double *times, *sa_times, cold, warm, t0;
    size_t rounds = 1, want_sa = 60, nsa, spam = 0;
    int opt;

    while ((opt = getopt(argc, argv, "n:s:c:v:d:")) != -1) {
        if (opt == 'd') {
            if ((dump = fopen(optarg, "w")) == NULL) {
                perror(optarg);
                return 1;
            }
        } else if (opt == 'v') {
            show_slow = strtoul(optarg, NULL, 10);
        } else if (opt == 'c') {
            snprintf(cache, sizeof(cache), "%s", optarg);
            keep_cache = true;
        } else if (opt == 'n')
            rounds = strtoul(optarg, NULL, 10);
        else if (opt == 's')
            want_sa = strtoul(optarg, NULL, 10);
        else {
            fprintf(stderr, "usage: bench_scan [-n ROUNDS] [-s SA_SAMPLE] [-c CACHE_DIR] [-v "
                            "N_SLOWEST] [-d HITS_FILE] [DIR...]\n");
            return 2;
        }
    }
    if (optind >= argc)
        corpus_add_dir(&c, BENCH_CORPUS);
    for (int i = optind; i < argc; i++)
        corpus_add_dir(&c, argv[i]);
    if (c.n == 0) {
        printf("bench_scan: no messages (no corpus at %s): skipped\n", BENCH_CORPUS);
        return 0;
    }
    /* -c: a cache kept between runs (for profiling the scans alone); the
     * "cold" figure is then only cold the first time */
    if (!keep_cache && mkdtemp(cache) == NULL) {
        perror("bench_scan: mkdtemp");
        return 1;
    }
    t0 = cpu_seconds();
    if (load(cache, &rules) == -1)
        return 1;
    cold = cpu_seconds() - t0;
    sa_rules_free(&rules);
    t0 = cpu_seconds();
    if (load(cache, &rules) == -1)
        return 1;
    warm = cpu_seconds() - t0;
    scan_engine_stats(rules->engine, &es);
    printf("bench_scan: %zu rules run per message (%zu regex, %zu eval, %zu meta); load %.2f s "
           "cold, %.2f s with the pattern cache\n",
           es.active, es.regex, es.eval, es.meta, cold, warm);
    if (cfg_fill(&cctx, "mime", NULL, mime_cfg_keys, mime_cfg_nkeys, &mc, &err) == -1) {
        fprintf(stderr, "bench_scan: %s\n", err.msg);
        return 1;
    }
    mc.public_suffix_list = "data/public_suffix_list.dat";
    sa_rules_mime_cfg(rules, &mc);
    if (mime_ctx_init(&ctx, &st, &mc, &err) == -1) {
        fprintf(stderr, "bench_scan: %s\n", err.msg);
        return 1;
    }
    times = xcalloc(c.n * rounds + 1, sizeof(*times));
    for (size_t r = 0; r < rounds; r++) {
        for (size_t i = 0; i < c.n; i++) {
            double s0 = thread_cpu(), s1;
            struct task *t = task_new(&ctx, c.msgs[i].p ? c.msgs[i].p : "", c.msgs[i].len, false);
            const struct scan_result *res = sa_rules_scan(rules, t);

            spam += res->is_spam;
            s1 = thread_cpu();
            if (dump != NULL && r == 0)
                dump_result(dump, c.paths[i], res);
            s0 += thread_cpu() - s1; /* the dump is not the scan's */
            task_free(&t);
            times[r * c.n + i] = thread_cpu() - s0;
        }
    }
    /* -v N: the N slowest messages of the last round, for whoever profiles */
    for (size_t k = 0; k < show_slow && k < c.n; k++) {
        size_t worst = 0;
        double *last = times + (rounds - 1) * c.n;

        for (size_t i = 1; i < c.n; i++) {
            if (last[i] > last[worst])
                worst = i;
        }
        printf("bench_scan: slow: %.2f ms %zu bytes %s\n", last[worst] * 1e3, c.msgs[worst].len,
               c.paths[worst]);
        last[worst] = -last[worst]; /* found; stats_of sees it restored below */
    }
    for (size_t i = 0; i < c.n * rounds; i++)
        times[i] = times[i] < 0 ? -times[i] : times[i];
    stats_of(times, c.n * rounds, &sift);
    printf("bench_scan: sift: %zu messages x %zu: mean %.3f ms, p50 %.3f ms, p99 %.3f ms, max "
           "%.1f ms of CPU per message; %.0f messages/s on one core (%zu spam)\n",
           c.n, rounds, sift.mean * 1e3, sift.p50 * 1e3, sift.p99 * 1e3, sift.max * 1e3,
           (double)(c.n * rounds) / sift.total, spam / rounds);
    sa_times = xcalloc(want_sa + 1, sizeof(*sa_times));
    nsa = want_sa > 0 ? sa_sample(&c, want_sa, sa_times) : 0;
    if (nsa == 0) {
        printf(
            "bench_scan: SpamAssassin: not run (scripts/sa-scan.pl needs Debian's spamassassin)\n");
    } else {
        stats_of(sa_times, nsa, &sa);
        printf("bench_scan: SpamAssassin 4.0.1 (-L, same rules): %zu messages: mean %.1f ms, p50 "
               "%.1f ms, p99 %.1f ms of CPU per message; sift is %.0fx faster on the mean\n",
               nsa, sa.mean * 1e3, sa.p50 * 1e3, sa.p99 * 1e3,
               sift.mean > 0 ? sa.mean / sift.mean : 0);
    }
    if (dump != NULL && fclose(dump) != 0)
        perror("bench_scan: -d");
    free(times);
    free(sa_times);
    mime_ctx_clear(&ctx, &st);
    sa_rules_free(&rules);
    corpus_clear(&c);
    arena_free(&a);
    if (!keep_cache) {
        char rm[PATH_MAX + 16];

        snprintf(rm, sizeof(rm), "rm -rf '%s'", cache);
        if (system(rm) != 0)
            fprintf(stderr, "bench_scan: could not remove %s\n", cache);
    }
    return 0;
}
