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

#include "bench_corpus.h"

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
    corpus_clear(&c);
    arena_free(&a);
    return 0;
}
