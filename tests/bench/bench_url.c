/*
 * bench_url.c - how fast sift finds URIs and looks up domains: registered
 * domain and TLD look-ups in the shipped public suffix list, then the text
 * URI scanner (_process_text_uri_list) over every line of every corpus
 * message. Raw messages, not rendered text: base64 and HTML make the scan
 * slower than on the body view. Prints look-ups/s and MB/s.
 *
 *   build/bench_url [-n ROUNDS] [DIR...]   (default: ../shared/corpus)
 *
 * The suffix list is data/public_suffix_list.dat under $SIFT_SRCDIR, or
 * the current directory (run from the repository root).
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/xmalloc.h"
#include "mime/mime_url.h"

#include "bench_corpus.h"

/* Hosts of every shape the look-up meets: wildcard and exception rules,
 * deep names, an IP address, an unknown TLD. */
static const char *const hosts[] = { "www.example.co.uk",
                                     "a.b.c.d.example.com",
                                     "foo.blogspot.com",
                                     "x.y.z.kawasaki.jp",
                                     "www.ck",
                                     "mail.google.com",
                                     "1.2.3.4",
                                     "example.zz" };

static void
bench_psl(const struct mime_psl *psl)
{
    struct arena *a = arena_new(1 << 16);
    size_t n = 1000000, sum = 0;
    double t0, dt_reg, dt_tld;

    t0 = cpu_seconds();
    for (size_t i = 0; i < n; i++) {
        sum += mime_psl_registered_domain(a, psl, strv_cstr(hosts[i & 7])).len;
        if ((i & 1023) == 0) {
            arena_free(&a);
            a = arena_new(1 << 16);
        }
    }
    dt_reg = cpu_seconds() - t0;
    t0 = cpu_seconds();
    for (size_t i = 0; i < 10 * n; i++)
        sum += mime_psl_is_tld(psl, strv_cstr(hosts[i & 7] + (i & 3)));
    dt_tld = cpu_seconds() - t0;
    printf("bench_url: psl: %.1f M registered_domain/s, %.1f M is_tld/s (check %zu)\n",
           (double)n / dt_reg / 1e6, 10.0 * (double)n / dt_tld / 1e6, sum);
    arena_free(&a);
}

static void
count_url(void *arg, const struct mime_url *url)
{
    (void)url;
    (*(size_t *)arg)++;
}

/* One pass: every line of every message through the scanner, one dedupe
 * set per message as a scan has. Returns the URIs found. */
static size_t
scan_pass(const struct corpus *c, const struct mime_psl *psl)
{
    size_t found = 0;

    for (size_t i = 0; i < c->n; i++) {
        struct arena *a = arena_new(1 << 16);
        struct mime_url_seen *seen = mime_url_seen_new(a);
        const char *p = c->msgs[i].p, *end = p + c->msgs[i].len;

        while (p != NULL && p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));

            if (nl == NULL)
                nl = end;
            mime_url_scan_text(a, psl, seen, strv_make(p, (size_t)(nl - p)), count_url, &found);
            p = nl + 1;
        }
        arena_free(&a);
    }
    return found;
}

int
main(int argc, char **argv)
{
    struct corpus c = { 0 };
    struct mime_psl *psl;
    struct sift_err err;
    const char *srcdir = getenv("SIFT_SRCDIR");
    char path[PATH_MAX];
    int rounds = 3, opt;

    while ((opt = getopt(argc, argv, "n:")) != -1) {
        if (opt == 'n')
            rounds = atoi(optarg);
    }
    if (rounds < 1)
        rounds = 1;
    snprintf(path, sizeof(path), "%s/data/public_suffix_list.dat", srcdir ? srcdir : ".");
    if (mime_psl_load(path, &psl, &err) == -1) {
        fprintf(stderr, "bench_url: %s (run from the repository root)\n", err.msg);
        return 1;
    }
    bench_psl(psl);

    if (optind == argc)
        corpus_add_dir(&c, "../shared/corpus");
    for (int i = optind; i < argc; i++)
        corpus_add_dir(&c, argv[i]);
    if (c.n == 0) {
        printf("bench_url: no messages (is ../shared/corpus there?); text scan not measured\n");
    } else {
        size_t found = scan_pass(&c, psl); /* warm up */
        double t0 = cpu_seconds(), dt;

        for (int r = 0; r < rounds; r++)
            found = scan_pass(&c, psl);
        dt = cpu_seconds() - t0;
        printf("bench_url: text scan: %zu messages x %d, %.1f MB, %zu URIs: %.1f MB/s, "
               "%.1f us/message\n",
               c.n, rounds, (double)c.bytes / 1e6, found, (double)c.bytes * rounds / 1e6 / dt,
               dt * 1e6 / ((double)c.n * rounds));
    }
    corpus_clear(&c);
    mime_psl_free(&psl);
    return 0;
}
