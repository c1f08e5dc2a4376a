/*
 * test_upstream.c - upstream scanners: the entries of `upstreams` as
 * written, the keys as siftd_cfg_load checks them (file:line errors, for
 * the proxy and proxy_http workers), and the balancing of a pool: weighted
 * round-robin, and hashing that keeps a sender on its scanner and moves
 * only the senders of one that goes down. No I/O: a pool that is not
 * asked to call anyone only sets timers.
 */
#include "daemon/upstream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "daemon/siftd_cfg.h"
#include "daemon/worker_milter.h"
#include "daemon/worker_proxy_http.h"

#include "../unit.h"

static const struct {
    const char *in;
    const char *name; /* NULL: an error */
    int family;
    unsigned port, weight;
} def_cases[] = {
    { "127.0.0.1:11333", "127.0.0.1:11333", AF_INET, 11333, 1 },
    { "[::1]:11333 name=b weight=3", "b", AF_INET6, 11333, 3 },
    { "10.1.2.3:80\tweight=100", "10.1.2.3:80", AF_INET, 80, 100 },
    { "/run/sift/normal.sock name=local", "local", AF_UNIX, 0, 1 },
    { "127.0.0.1", NULL, 0, 0, 0 },
    { "127.0.0.1:0", NULL, 0, 0, 0 },
    { "127.0.0.1:70000", NULL, 0, 0, 0 },
    { "127.0.0.1:1x", NULL, 0, 0, 0 },
    { "::1:11333", NULL, 0, 0, 0 }, /* IPv6 needs brackets */
    { "[::1:11333", NULL, 0, 0, 0 },
    { "127.0.0.1:1 weight=0", NULL, 0, 0, 0 },
    { "127.0.0.1:1 weight=101", NULL, 0, 0, 0 },
    { "127.0.0.1:1 name=", NULL, 0, 0, 0 },
    { "127.0.0.1:1 ssl", NULL, 0, 0, 0 },
    { "", NULL, 0, 0, 0 },
};

START_TEST(upstream_entries_are_parsed)
{
    struct arena *a = arena_new(1024);
    struct upstream_def d;
    struct sift_err err = { 0 };
    int rc = upstream_def_parse(a, def_cases[_i].in, &d, &err);

    if (def_cases[_i].name == NULL) {
        ck_assert_msg(rc == -1, "%s: accepted", def_cases[_i].in);
        ck_assert(err.msg[0] != '\0');
        arena_free(&a);
        return;
    }
    ck_assert_msg(rc == 0, "%s: %s", def_cases[_i].in, err.msg);
    ck_assert_str_eq(d.name, def_cases[_i].name);
    ck_assert_uint_eq(d.weight, def_cases[_i].weight);
    ck_assert_int_eq(d.addr.ss_family, def_cases[_i].family);
    if (def_cases[_i].family == AF_INET)
        ck_assert_uint_eq(ntohs(((struct sockaddr_in *)&d.addr)->sin_port), def_cases[_i].port);
    else if (def_cases[_i].family == AF_INET6)
        ck_assert_uint_eq(ntohs(((struct sockaddr_in6 *)&d.addr)->sin6_port), def_cases[_i].port);
    else
        ck_assert_str_eq(((struct sockaddr_un *)&d.addr)->sun_path, "/run/sift/normal.sock");
    arena_free(&a);
}
END_TEST

static char dir[PATH_MAX];
static char main_path[PATH_MAX + 16];

static void
setup(void)
{
    unit_tmpdir(dir);
    snprintf(main_path, sizeof(main_path), "%s/sift.yaml", dir);
}

static void
teardown(void)
{
    unit_rmtree(dir);
}

static const struct worker_cfg *
find_worker(const struct siftd_cfg *sc, const char *name)
{
    for (size_t i = 0; i < sc->nworkers; i++) {
        if (strcmp(sc->workers[i].name, name) == 0)
            return &sc->workers[i];
    }
    ck_abort_msg("no worker %s", name);
    return NULL;
}

START_TEST(proxy_upstream_keys)
{
    struct siftd_cfg *sc = NULL;
    struct sift_err err;
    const struct milter_worker_cfg *mc;
    const struct proxy_http_cfg *pc;

    unit_write(dir, "sift.yaml",
               "workers:\n"
               "  proxy:\n"
               "    upstreams: [\"127.0.0.1:11333 name=a\", \"127.0.0.2:11333 weight=2\"]\n"
               "    upstream_balance: hash\n"
               "    upstream_timeout: 3s\n"
               "  proxy_http:\n"
               "    upstreams: [\"127.0.0.1:11333\"]\n"
               "  plain:\n"
               "    type: proxy\n");
    if (siftd_cfg_load(main_path, NULL, 0, &sc, &err) == -1)
        ck_abort_msg("unexpected error: %s", err.msg);
    mc = find_worker(sc, "proxy")->proto;
    ck_assert_uint_eq(mc->up.ndefs, 2);
    ck_assert_str_eq(mc->up.defs[0].name, "a");
    ck_assert_str_eq(mc->up.defs[1].name, "127.0.0.2:11333");
    ck_assert_uint_eq(mc->up.defs[1].weight, 2);
    ck_assert_int_eq(mc->up.balance, UPSTREAM_HASH);
    ck_assert(mc->up.timeout == 3.0);
    ck_assert_uint_eq(mc->up.retries, 2);
    ck_assert(mc->up.check_interval > 0 && mc->up.down_time > 0);
    /* self-scan when none is listed: the stock proxy */
    mc = find_worker(sc, "plain")->proto;
    ck_assert_uint_eq(mc->up.ndefs, 0);
    ck_assert_int_eq(mc->up.balance, UPSTREAM_ROUND_ROBIN);
    pc = find_worker(sc, "proxy_http")->proto;
    ck_assert_uint_eq(pc->up.ndefs, 1);
    ck_assert(pc->http.keepalive);
    ck_assert_str_eq(find_worker(sc, "proxy_http")->bind_socket.v[0], "127.0.0.1:11336");
    siftd_cfg_free(&sc);
}
END_TEST

static const struct {
    const char *yaml, *want;
} bad_cases[] = {
    { "workers:\n  proxy:\n    upstreams: [\"127.0.0.1:1\", \"nowhere\"]\n",
      "sift.yaml:3:32: workers.proxy.upstreams: 'nowhere': expected HOST:PORT" },
    { "workers:\n  proxy:\n    upstreams: [\"127.0.0.1:1 name=x\", \"127.0.0.1:2 name=x\"]\n",
      "sift.yaml:3:39: workers.proxy.upstreams: 'x' is named twice" },
    { "workers:\n  proxy:\n    upstream_timeout: 0\n",
      "sift.yaml:3:23: workers.proxy.upstream_timeout: must be more than 0" },
    { "workers:\n  proxy:\n    upstream_balance: random\n", "sift.yaml:3:23: workers.proxy" },
    { "workers:\n  proxy_http:\n    count: 1\n",
      "sift.yaml:2:3: workers.proxy_http.upstreams: lists no scanner" },
};

START_TEST(bad_upstream_keys_name_their_place)
{
    struct siftd_cfg *sc = NULL;
    struct sift_err err;
    const char *rel;

    unit_write(dir, "sift.yaml", bad_cases[_i].yaml);
    ck_assert_int_eq(siftd_cfg_load(main_path, NULL, 0, &sc, &err), -1);
    rel = strstr(err.msg, "sift.yaml");
    ck_assert_msg(rel != NULL && strncmp(rel, bad_cases[_i].want, strlen(bad_cases[_i].want)) == 0,
                  "got: %s", err.msg);
}
END_TEST

/* A pool over n loopback upstreams u0..u{n-1} with these weights. */
static struct upstream_pool *
make_pool(struct event_base *base, struct upstream_cfg *uc, struct arena *a, size_t n,
          const unsigned *weights, int balance)
{
    struct sift_err err;

    memset(uc, 0, sizeof(*uc));
    uc->balance = balance;
    uc->timeout = 1;
    uc->down_time = 60;
    uc->max_reply = 1024;
    uc->defs = arena_calloc(a, n, sizeof(*uc->defs));
    uc->ndefs = n;
    for (size_t i = 0; i < n; i++) {
        char spec[64];

        snprintf(spec, sizeof(spec), "127.0.0.1:%zu name=u%zu weight=%u", 20000 + i, i, weights[i]);
        ck_assert_int_eq(upstream_def_parse(a, spec, &uc->defs[i], &err), 0);
    }
    return upstream_pool_new(base, uc);
}

START_TEST(round_robin_follows_the_weights)
{
    static const unsigned w[] = { 1, 2, 1 };
    struct event_base *base = event_base_new();
    struct arena *a = arena_new(1024);
    struct upstream_cfg uc;
    struct upstream_pool *p = make_pool(base, &uc, a, 3, w, UPSTREAM_ROUND_ROBIN);
    unsigned got[3] = { 0 };
    const char *prev = NULL;

    for (int i = 0; i < 400; i++) {
        const char *n = upstream_pool_next(p, "x");

        got[n[1] - '0']++;
        ck_assert(w[n[1] - '0'] == 2 || prev == NULL || strcmp(n, prev) != 0); /* smooth */
        prev = n;
    }
    ck_assert_uint_eq(got[0], 100);
    ck_assert_uint_eq(got[1], 200);
    ck_assert_uint_eq(got[2], 100);
    ck_assert_int_eq(upstream_pool_mark_down(p, "u1", "test"), 0);
    ck_assert_int_eq(upstream_pool_mark_down(p, "nobody", "test"), -1);
    ck_assert_uint_eq(upstream_pool_up(p), 2);
    for (int i = 0; i < 10; i++)
        ck_assert_str_ne(upstream_pool_next(p, "x"), "u1");
    upstream_pool_mark_down(p, "u0", "test");
    upstream_pool_mark_down(p, "u2", "test");
    ck_assert_ptr_null(upstream_pool_next(p, "x"));
    upstream_pool_free(&p);
    ck_assert_ptr_null(p);
    arena_free(&a);
    event_base_free(base);
}
END_TEST

START_TEST(hashing_keeps_senders_and_moves_few)
{
    static const unsigned w[] = { 1, 1, 1, 1 };
    struct event_base *base = event_base_new();
    struct arena *a = arena_new(1024);
    struct upstream_cfg uc;
    struct upstream_pool *p = make_pool(base, &uc, a, 4, w, UPSTREAM_HASH);
    const char *before[200];
    unsigned per[4] = { 0 }, moved = 0;

    for (int i = 0; i < 200; i++) {
        char key[64];

        snprintf(key, sizeof(key), "sender%d@example.org", i);
        before[i] = upstream_pool_next(p, key);
        ck_assert_str_eq(upstream_pool_next(p, key), before[i]); /* stable */
        per[before[i][1] - '0']++;
        /* the case of the address does not matter */
        key[0] = 'S';
        ck_assert_str_eq(upstream_pool_next(p, key), before[i]);
    }
    for (int k = 0; k < 4; k++)
        ck_assert_msg(per[k] > 20, "u%d got %u of 200", k, per[k]);
    upstream_pool_mark_down(p, "u2", "test");
    for (int i = 0; i < 200; i++) {
        char key[64];
        const char *now;

        snprintf(key, sizeof(key), "sender%d@example.org", i);
        now = upstream_pool_next(p, key);
        ck_assert_str_ne(now, "u2");
        if (strcmp(before[i], "u2") != 0)
            ck_assert_str_eq(now, before[i]); /* only u2's senders move */
        else
            moved++;
    }
    ck_assert_uint_eq(moved, per[2]);
    upstream_pool_free(&p);
    arena_free(&a);
    event_base_free(base);
}
END_TEST

static Suite *
upstream_suite(void)
{
    Suite *s = suite_create("upstream");
    TCase *tc = tcase_create("parse");
    TCase *cfg = tcase_create("config");
    TCase *pool = tcase_create("pool");

    tcase_add_loop_test(tc, upstream_entries_are_parsed, 0,
                        (int)(sizeof(def_cases) / sizeof(def_cases[0])));
    suite_add_tcase(s, tc);
    tcase_add_checked_fixture(cfg, setup, teardown);
    tcase_add_test(cfg, proxy_upstream_keys);
    tcase_add_loop_test(cfg, bad_upstream_keys_name_their_place, 0,
                        (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
    suite_add_tcase(s, cfg);
    tcase_add_test(pool, round_robin_follows_the_weights);
    tcase_add_test(pool, hashing_keeps_senders_and_moves_few);
    suite_add_tcase(s, pool);
    return s;
}

int
main(void)
{
    return unit_run(upstream_suite());
}
