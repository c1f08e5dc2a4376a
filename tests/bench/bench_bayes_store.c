/*
 * bench_bayes_store.c - how fast the Berkeley DB Bayes store learns and
 * looks up: messages of ~300 token keys (the size of a typical mail's
 * token set) drawn from a skewed vocabulary, learned one by one as the
 * controller learns them (each durable, SA's lock taken, the files made
 * current for SA), then in batch mode (as sift-migrate or a bulk learn),
 * then looked up as a scan does and touched (journal). Wall-clock figures:
 * fsync is part of a learn. The database lives in a temporary directory.
 *
 *   build/bench_bayes_store [-m MESSAGES] [-t TOKENS] [-v VOCABULARY] [-d DIR]
 *
 * For comparison, sa-learn learns ~80 messages/s of ../shared/corpus here.
 */
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/xmalloc.h"
#include "stat/bayes_store.h"

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static double
wall(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct bayes_store_key *
vocabulary(size_t n)
{
    struct bayes_store_key *v = xcalloc(n, sizeof(*v));
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen;
    char w[32];

    for (size_t i = 0; i < n; i++) {
        int len = snprintf(w, sizeof(w), "word%zu", i);

        EVP_Digest(w, (size_t)len, md, &mdlen, EVP_sha1(), NULL);
        memcpy(v[i].b, md + mdlen - BAYES_KEY_LEN, BAYES_KEY_LEN);
    }
    return v;
}

/* A message's keys: a few common words, many rare ones (u^3 skew). */
static void
draw(const struct bayes_store_key *voc, size_t nvoc, struct bayes_store_key *out, size_t n,
     unsigned *seed)
{
    for (size_t i = 0; i < n; i++) {
        double u = (double)rand_r(seed) / RAND_MAX;

        out[i] = voc[(size_t)(u * u * u * (double)(nvoc - 1))];
    }
}

static int
learn_many(struct bayes_store *st, const struct bayes_store_key *voc, size_t nvoc, size_t nmsg,
           size_t ntok, const char *tag, unsigned *seed)
{
    struct bayes_store_key *keys = xcalloc(ntok, sizeof(*keys));
    struct sift_err err;
    char id[64];

    for (size_t i = 0; i < nmsg; i++) {
        struct bayes_store_msg m = { keys, ntok, id, NULL, 1700000000 + (uint32_t)i };

        draw(voc, nvoc, keys, ntok, seed);
        snprintf(id, sizeof(id), "%s%zu@bench", tag, i);
        if (bayes_store_learn(st, &m, i % 3 == 0, &err) == BAYES_STORE_FAIL) {
            fprintf(stderr, "bench_bayes_store: %s\n", err.msg);
            free(keys);
            return -1;
        }
    }
    free(keys);
    return 0;
}

static long long
file_size(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

int
main(int argc, char **argv)
{
    size_t nmsg = 1000, ntok = 300, nvoc = 60000, nlook = 3000;
    char dir[PATH_MAX] = "", prefix[PATH_MAX + 16], path[PATH_MAX + 32];
    struct bayes_store *st = NULL, *ro = NULL;
    struct bayes_store_key *voc, *keys;
    struct bayes_store_counts *c;
    struct bayes_store_stats s;
    struct sift_err err;
    unsigned seed = 42;
    bool own_dir = true;
    double t0, dt;
    int opt;

    while ((opt = getopt(argc, argv, "m:t:v:d:")) != -1) {
        switch (opt) {
        case 'm':
            nmsg = strtoul(optarg, NULL, 10);
            break;
        case 't':
            ntok = strtoul(optarg, NULL, 10);
            break;
        case 'v':
            nvoc = strtoul(optarg, NULL, 10);
            break;
        case 'd':
            snprintf(dir, sizeof(dir), "%s", optarg);
            own_dir = false;
            break;
        default:
            fprintf(stderr, "usage: bench_bayes_store [-m MESSAGES] [-t TOKENS] [-v WORDS] "
                            "[-d DIR]\n");
            return 2;
        }
    }
    if (nmsg == 0 || ntok == 0 || nvoc < 2)
        return 2;
    if (own_dir && mkdtemp(strcpy(dir, "/tmp/sift-bench-bayes-XXXXXX")) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(prefix, sizeof(prefix), "%s/bayes", dir);
    voc = vocabulary(nvoc);
    if (bayes_store_open("bdb", prefix, BAYES_STORE_RDWR | BAYES_STORE_CREATE, NULL, &st, &err) !=
        BAYES_STORE_OK) {
        fprintf(stderr, "bench_bayes_store: %s\n", err.msg);
        return 1;
    }

    /* one by one: each learn durable and visible to SA when it returns */
    t0 = wall();
    if (learn_many(st, voc, nvoc, nmsg, ntok, "a", &seed) == -1)
        return 1;
    dt = wall() - t0;
    printf("bench_bayes_store: learn, one by one: %.0f messages/s, %.0f tokens/s "
           "(%zu messages of %zu tokens, %.2f ms each)\n",
           (double)nmsg / dt, (double)(nmsg * ntok) / dt, nmsg, ntok, dt * 1e3 / (double)nmsg);

    /* batch: SA's lock held and the checkpoint deferred to the end */
    bayes_store_batch(st, true);
    t0 = wall();
    if (learn_many(st, voc, nvoc, nmsg, ntok, "b", &seed) == -1 ||
        bayes_store_flush(st, &err) != BAYES_STORE_OK)
        return 1;
    dt = wall() - t0;
    bayes_store_batch(st, false);
    printf("bench_bayes_store: learn, batch:      %.0f messages/s, %.0f tokens/s\n",
           (double)nmsg / dt, (double)(nmsg * ntok) / dt);
    if (bayes_store_stats(st, &s, &err) != BAYES_STORE_OK)
        return 1;
    snprintf(path, sizeof(path), "%s_toks", prefix);
    printf("bench_bayes_store: database: %" PRIu64 " tokens, %" PRIu64 " spam, %" PRIu64
           " ham, %lld bytes\n",
           s.ntokens, s.nspam, s.nham, file_size(path));

    /* lookups as a scan does them, from a reader's handle */
    if (bayes_store_open("bdb", prefix, BAYES_STORE_RDONLY | BAYES_STORE_NOJOURNAL, NULL, &ro,
                         &err) != BAYES_STORE_OK) {
        fprintf(stderr, "bench_bayes_store: %s\n", err.msg);
        return 1;
    }
    keys = xcalloc(ntok, sizeof(*keys));
    c = xcalloc(ntok, sizeof(*c));
    t0 = wall();
    for (size_t i = 0; i < nlook; i++) {
        draw(voc, nvoc, keys, ntok, &seed);
        if (bayes_store_lookup(ro, keys, ntok, c, &err) != BAYES_STORE_OK) {
            fprintf(stderr, "bench_bayes_store: %s\n", err.msg);
            return 1;
        }
    }
    dt = wall() - t0;
    printf("bench_bayes_store: lookup: %.1f us per %zu-token lookup (%.0f lookups/s)\n",
           dt * 1e6 / (double)nlook, ntok, (double)nlook / dt);
    t0 = wall();
    for (size_t i = 0; i < nlook; i++) {
        draw(voc, nvoc, keys, ntok, &seed);
        if (bayes_store_touch(ro, keys, 150, 1700005000, &err) != BAYES_STORE_OK) {
            fprintf(stderr, "bench_bayes_store: %s\n", err.msg);
            return 1;
        }
    }
    dt = wall() - t0;
    printf("bench_bayes_store: touch (journal): %.1f us per 150 tokens\n",
           dt * 1e6 / (double)nlook);
    t0 = wall();
    if (bayes_store_sync(st, &err) != BAYES_STORE_OK) {
        fprintf(stderr, "bench_bayes_store: %s\n", err.msg);
        return 1;
    }
    printf("bench_bayes_store: journal sync: %.1f ms for %zu touch lines\n", (wall() - t0) * 1e3,
           nlook * 150);
    bayes_store_close(&ro);
    bayes_store_close(&st);
    free(keys);
    free(c);
    free(voc);
    if (own_dir)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}
