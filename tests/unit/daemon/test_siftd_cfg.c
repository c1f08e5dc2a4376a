/*
 * test_siftd_cfg.c - siftd's view of the configuration: workers resolved to
 * types, counts and addresses; the errors and warnings an admin sees; and
 * the confighelp text.
 */
#include "daemon/siftd_cfg.h"

#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "daemon/worker_http.h"
#include "daemon/worker_spamd.h"
#include "daemon/worker_types.h"

#include "../unit.h"

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

static struct siftd_cfg *
load_ok(const char *yaml)
{
    struct siftd_cfg *sc = NULL;
    struct sift_err err;

    unit_write(dir, "sift.yaml", yaml);
    if (siftd_cfg_load(main_path, NULL, 0, &sc, &err) == -1)
        ck_abort_msg("unexpected error: %s", err.msg);
    return sc;
}

static const char *
load_err(const char *yaml)
{
    static struct sift_err err;
    struct siftd_cfg *sc = NULL;
    const char *rel;

    unit_write(dir, "sift.yaml", yaml);
    ck_assert_int_eq(siftd_cfg_load(main_path, NULL, 0, &sc, &err), -1);
    rel = strstr(err.msg, "sift.yaml");
    return rel ? rel : err.msg;
}

START_TEST(workers_get_their_type_defaults)
{
    struct siftd_cfg *sc = load_ok("workers:\n  spamd: {}\n  normal: {count: 2}\n"
                                   "  controller: {}\n");
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    const struct spamd_worker_cfg *sp;
    const struct http_worker_cfg *hp;

    ck_assert_uint_eq(sc->nworkers, 3);
    ck_assert_str_eq(sc->workers[0].type->name, "spamd");
    ck_assert_str_eq(sc->workers[0].bind_socket.v[0], "127.0.0.1:783");
    ck_assert_uint_eq(sc->workers[0].binds[0].port, 783);
    ck_assert_uint_eq(sc->workers[0].count, (unsigned)ncpu);
    ck_assert_str_eq(sc->workers[1].bind_socket.v[0], "127.0.0.1:11333");
    ck_assert_uint_eq(sc->workers[1].count, 2);
    ck_assert_str_eq(sc->workers[2].bind_socket.v[0], "127.0.0.1:11334");
    ck_assert_uint_eq(sc->workers[2].count, 1);
    ck_assert(sc->workers[0].enabled);
    ck_assert_uint_eq(sc->workers[0].max_conns, 1); /* spamd: one connection per process */
    ck_assert_uint_eq(sc->workers[1].max_conns, 1); /* normal: the same since 5a399e7 */
    ck_assert_uint_eq(sc->workers[2].max_conns, 1000);
    ck_assert_double_eq(sc->workers[0].read_timeout, 30);
    sp = sc->workers[0].proto;
    ck_assert_uint_eq(sp->max_size, 50u * 1024 * 1024);
    hp = sc->workers[1].proto;
    ck_assert(hp->keepalive);
    ck_assert_uint_eq(hp->max_headers, 100);
    ck_assert_uint_eq(siftd_cfg_enabled_workers(sc), (size_t)ncpu + 3);
    ck_assert_int_eq(sc->logging.type, LOG_TYPE_SYSLOG);
    siftd_cfg_free(&sc);
    ck_assert_ptr_null(sc);
}
END_TEST

START_TEST(named_instances_pick_a_type)
{
    struct siftd_cfg *sc = load_ok("workers:\n"
                                   "  spamd_unix:\n    type: spamd\n"
                                   "    bind_socket: /tmp/x.sock mode=0600\n    max_size: 1M\n"
                                   "  spamd: {enabled: no}\n");
    const struct spamd_worker_cfg *sp = sc->workers[0].proto;

    ck_assert_str_eq(sc->workers[0].name, "spamd_unix");
    ck_assert_str_eq(sc->workers[0].type->name, "spamd");
    ck_assert_int_eq(sc->workers[0].binds[0].kind, BIND_UNIX);
    ck_assert_uint_eq(sc->workers[0].binds[0].mode, 0600);
    ck_assert_uint_eq(sp->max_size, 1048576);
    ck_assert(!sc->workers[1].enabled);
    ck_assert_uint_eq(siftd_cfg_enabled_workers(sc), (size_t)sysconf(_SC_NPROCESSORS_ONLN));
    siftd_cfg_free(&sc);
}
END_TEST

static const struct {
    const char *yaml;
    const char *want;
} error_cases[] = {
    { "workers:\n  fuzzy: {}\n",
      "sift.yaml:2:3: workers.fuzzy: unknown worker type 'fuzzy' (known: spamd, normal, "
      "controller, proxy, proxy_http)" },
    { "workers:\n  x:\n    type: smtp\n",
      "sift.yaml:3:11: workers.x: unknown worker type 'smtp' (known: spamd, normal, controller, "
      "proxy, proxy_http)" },
    { "workers:\n  spamd: {count: many}\n",
      "sift.yaml:2:18: workers.spamd.count: not a count (auto, or 1 to 1024) (got 'many')" },
    { "workers:\n  spamd:\n    bind_socket: [\"127.0.0.1:783\", \"::1:783\"]\n",
      "sift.yaml:3:36: workers.spamd.bind_socket: '::1:783': an IPv6 address needs brackets: "
      "[ADDRESS]:PORT" },
    { "workers:\n  spamd: {bind_socket: []}\n",
      "sift.yaml:2:24: workers.spamd.bind_socket: no address to listen on" },
    { "workers:\n  spamd: {max_conns: 0}\n",
      "sift.yaml:2:22: workers.spamd.max_conns: must be at least 1" },
    { "workers: [spamd]\n", "sift.yaml:1:10: workers: expected a map of worker name -> settings" },
    { "logging: {type: file}\n",
      "sift.yaml:1:17: logging.filename: required when logging.type is file" },
    { "logging: {level: loud}\n",
      "sift.yaml:1:18: logging.level: not one of error|warning|notice|info|debug (got 'loud')" },
};

START_TEST(errors_say_what_and_where)
{
    ck_assert_str_eq(load_err(error_cases[_i].yaml), error_cases[_i].want);
}
END_TEST

START_TEST(unknown_sections_and_keys_are_warnings)
{
    struct siftd_cfg *sc = load_ok("workers:\n  spamd: {max_szie: 1M}\nbogus: {}\n"
                                   "logging: {levle: debug}\n");

    ck_assert_uint_eq(sc->cfg->nwarnings, 3);
    ck_assert_ptr_nonnull(strstr(sc->cfg->warnings[0], "sift.yaml:2:11: unknown key 'max_szie' "
                                                       "in workers.spamd, ignored (did you mean "
                                                       "'max_size'?)"));
    ck_assert_ptr_nonnull(strstr(sc->cfg->warnings[1], "sift.yaml:4:11: unknown key 'levle' in "
                                                       "logging"));
    ck_assert_ptr_nonnull(strstr(sc->cfg->warnings[2], "sift.yaml:3:1: unknown section 'bogus', "
                                                       "ignored"));
    siftd_cfg_free(&sc);
}
END_TEST

START_TEST(help_for_keys_and_sections)
{
    struct buf out;

    buf_init(&out);
    ck_assert_int_eq(siftd_cfg_help("workers.spamd.max_size", &out), 0);
    ck_assert_ptr_nonnull(
        strstr(out.p, "workers.spamd.max_size\n    type: size\n    default: 50M"));
    buf_reset(&out);
    ck_assert_int_eq(siftd_cfg_help("workers.controller.count", &out), 0);
    ck_assert_ptr_nonnull(strstr(out.p, "default: 1\n"));
    buf_reset(&out);
    ck_assert_int_eq(siftd_cfg_help("options", &out), 0);
    ck_assert_ptr_nonnull(strstr(out.p, "options.dbdir\n"));
    ck_assert_ptr_nonnull(strstr(out.p, "options.pidfile\n"));
    buf_reset(&out);
    ck_assert_int_eq(siftd_cfg_help("workers", &out), 0);
    ck_assert_ptr_nonnull(strstr(out.p, "# workers.normal:"));
    buf_reset(&out);
    ck_assert_int_eq(siftd_cfg_help(NULL, &out), 0);
    ck_assert_ptr_nonnull(strstr(out.p, "logging.level\n"));
    ck_assert_ptr_nonnull(strstr(out.p, "workers.spamd.read_timeout\n"));
    buf_reset(&out);
    ck_assert_int_eq(siftd_cfg_help("workers.spamd.nope", &out), -1);
    ck_assert_int_eq(siftd_cfg_help("workers.smtp", &out), -1);
    ck_assert_int_eq(siftd_cfg_help("nosuch", &out), -1);
    buf_clear(&out);
}
END_TEST

START_TEST(the_stock_config_loads_cleanly)
{
    struct siftd_cfg *sc = NULL;
    struct sift_err err;
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/config/sift.yaml",
             getenv("SIFT_SRCDIR") ? getenv("SIFT_SRCDIR") : ".");
    if (siftd_cfg_load(path, NULL, 0, &sc, &err) == -1)
        ck_abort_msg("config/sift.yaml: %s", err.msg);
    ck_assert_uint_eq(sc->cfg->nwarnings, 0);
    ck_assert_uint_eq(sc->nworkers, 4); /* spamd, normal, controller, proxy */
    siftd_cfg_free(&sc);
}
END_TEST

static Suite *
siftd_cfg_suite(void)
{
    Suite *s = suite_create("siftd_cfg");
    TCase *tc = tcase_create("siftd_cfg");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, workers_get_their_type_defaults);
    tcase_add_test(tc, named_instances_pick_a_type);
    tcase_add_loop_test(tc, errors_say_what_and_where, 0,
                        sizeof(error_cases) / sizeof(error_cases[0]));
    tcase_add_test(tc, unknown_sections_and_keys_are_warnings);
    tcase_add_test(tc, help_for_keys_and_sections);
    tcase_add_test(tc, the_stock_config_loads_cleanly);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(siftd_cfg_suite());
}
