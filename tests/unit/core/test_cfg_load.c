/*
 * test_cfg_load.c - the configuration layers end to end: sift.yaml,
 * local.d, the dynamic layer, override.d and -o, in that order, with the
 * files read and the errors and warnings they give.
 */
#include "core/cfg_load.h"

#include <limits.h>
#include <string.h>

#include "core/cfg_tree.h"

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

static struct cfg *
load_ok(const char *const *ov, size_t nov)
{
    struct cfg *cfg = NULL;
    struct sift_err err;

    if (cfg_load(main_path, ov, nov, &cfg, &err) == -1)
        ck_abort_msg("unexpected error: %s", err.msg);
    return cfg;
}

static const char *
str_at(const struct cfg *cfg, const char *path)
{
    const struct cfg_node *n = cfg_lookup(cfg->root, path);

    ck_assert_msg(n != NULL && n->kind == CFG_SCALAR, "%s: not set", path);
    return n->str;
}

static char *
load_err(const char *const *ov, size_t nov)
{
    static struct sift_err err;
    struct cfg *cfg = NULL;

    ck_assert_int_eq(cfg_load(main_path, ov, nov, &cfg, &err), -1);
    ck_assert_ptr_null(cfg);
    return err.msg;
}

START_TEST(every_layer_in_order)
{
    char dbdir[PATH_MAX + 8], opt[PATH_MAX + 32];
    const char *ov[2];
    struct cfg *cfg;

    snprintf(dbdir, sizeof(dbdir), "%s/db", dir);
    snprintf(opt, sizeof(opt), "options.dbdir=%s", dbdir);
    ov[0] = opt;
    ov[1] = "s.from_cli=cli";
    unit_write(dir, "sift.yaml",
               "s:\n  from_base: base\n  from_local: base\n  from_dyn: base\n"
               "  from_override: base\n  from_cli: base\n  list: [b]\n");
    unit_write(dir, "local.d/s.yaml",
               "from_local: local\nfrom_dyn: local\nfrom_override: local\nfrom_cli: local\n"
               "list: [l]\n");
    unit_write(dir, "db/dynamic.yaml",
               "s:\n  from_dyn: dyn\n  from_override: dyn\n  from_cli: dyn\n  list: [d]\n");
    unit_write(dir, "override.d/s.yaml", "from_override: override\nfrom_cli: override\n");
    cfg = load_ok(ov, 2);
    ck_assert_str_eq(str_at(cfg, "s.from_base"), "base");
    ck_assert_str_eq(str_at(cfg, "s.from_local"), "local");
    ck_assert_str_eq(str_at(cfg, "s.from_dyn"), "dyn");
    ck_assert_str_eq(str_at(cfg, "s.from_override"), "override");
    ck_assert_str_eq(str_at(cfg, "s.from_cli"), "cli");
    ck_assert_uint_eq(cfg_lookup(cfg->root, "s.list")->n, 3); /* b, l, d: lists append */
    ck_assert_str_eq(cfg_lookup(cfg->root, "s.list")->last->str, "d");
    ck_assert_str_eq(cfg->options.dbdir, dbdir);
    ck_assert_uint_eq(cfg->nfiles, 4);
    ck_assert_ptr_nonnull(strstr(cfg->files[1], "local.d/s.yaml"));
    ck_assert_ptr_nonnull(strstr(cfg->files[3], "db/dynamic.yaml"));
    ck_assert_uint_eq(cfg->nwarnings, 0);
    cfg_free(&cfg);
    ck_assert_ptr_null(cfg);
}
END_TEST

START_TEST(override_d_replaces_whole_keys)
{
    struct cfg *cfg;

    unit_write(dir, "sift.yaml", "w:\n  spamd: {bind_socket: [a, b], count: 2}\n  other: 1\n");
    unit_write(dir, "override.d/w.yaml", "spamd: {bind_socket: [c]}\n");
    cfg = load_ok(NULL, 0);
    ck_assert_uint_eq(cfg_lookup(cfg->root, "w.spamd.bind_socket")->n, 1);
    ck_assert_ptr_null(cfg_lookup(cfg->root, "w.spamd.count")); /* replaced wholesale */
    ck_assert_str_eq(str_at(cfg, "w.other"), "1");
    cfg_free(&cfg);
}
END_TEST

START_TEST(local_d_adds_sections_and_files_go_in_name_order)
{
    struct cfg *cfg;

    unit_write(dir, "sift.yaml", "a: {x: 1}\n");
    unit_write(dir, "local.d/b.yaml", "y: 2\n");
    unit_write(dir, "local.d/a.yaml", "x: 3\n");
    unit_write(dir, "local.d/empty.yaml", "# nothing yet\n");
    unit_write(dir, "local.d/notes.txt", "ignored\n");
    unit_write(dir, "local.d/c.yml", "z: 1\n");
    cfg = load_ok(NULL, 0);
    ck_assert_str_eq(str_at(cfg, "a.x"), "3");
    ck_assert_str_eq(str_at(cfg, "b.y"), "2");
    ck_assert_ptr_null(cfg_lookup(cfg->root, "empty"));
    ck_assert_ptr_null(cfg_lookup(cfg->root, "c"));
    ck_assert_uint_eq(cfg->nfiles, 4);
    ck_assert_ptr_nonnull(strstr(cfg->files[1], "/a.yaml"));
    ck_assert_ptr_nonnull(strstr(cfg->files[2], "/b.yaml"));
    ck_assert_uint_eq(cfg->nwarnings, 1);
    ck_assert_ptr_nonnull(strstr(cfg->warnings[0], "local.d/c.yml: ignored: only NAME.yaml files"));
    cfg_free(&cfg);
}
END_TEST

START_TEST(command_line_values_win_and_keep_their_shape)
{
    const char *ov[] = { "w.spamd.bind_socket=[::1]:783", "w.list=[a, b]", "w.map={k: v}",
                         "w.reset=" };
    struct cfg *cfg;

    unit_write(dir, "sift.yaml", "w: {reset: 5}\n");
    cfg = load_ok(ov, 4);
    ck_assert_str_eq(str_at(cfg, "w.spamd.bind_socket"), "[::1]:783");
    ck_assert_uint_eq(cfg_lookup(cfg->root, "w.list")->n, 2);
    ck_assert_str_eq(str_at(cfg, "w.map.k"), "v");
    ck_assert_int_eq(cfg_lookup(cfg->root, "w.reset")->kind, CFG_NULL);
    ck_assert_str_eq(cfg_lookup(cfg->root, "w.spamd.bind_socket")->pos.file,
                     "-o w.spamd.bind_socket=[::1]:783");
    cfg_free(&cfg);
}
END_TEST

START_TEST(options_have_defaults)
{
    struct cfg *cfg;

    unit_write(dir, "sift.yaml", "");
    cfg = load_ok(NULL, 0);
    ck_assert_str_eq(cfg->options.dbdir, "/var/lib/sift");
    ck_assert_str_eq(cfg->options.user, "_sift");
    ck_assert_str_eq(cfg->options.pidfile, "/run/sift/siftd.pid");
    ck_assert_str_eq(cfg->options.dynamic_conf, "/var/lib/sift/dynamic.yaml");
    ck_assert_double_eq(cfg->options.shutdown_timeout, 10);
    ck_assert_str_eq(cfg->confdir, dir);
    cfg_free(&cfg);
}
END_TEST

START_TEST(unknown_option_key_is_a_warning)
{
    struct cfg *cfg;

    unit_write(dir, "sift.yaml", "options:\n  dbdri: /x\n");
    cfg = load_ok(NULL, 0);
    ck_assert_uint_eq(cfg->nwarnings, 1);
    ck_assert_ptr_nonnull(strstr(cfg->warnings[0], "sift.yaml:2:3: unknown key 'dbdri' in "
                                                   "options, ignored (did you mean 'dbdir'?)"));
    cfg_free(&cfg);
}
END_TEST

START_TEST(errors_name_the_file)
{
    char *msg;
    const char *bad_ov[] = { "novalue" };
    const char *through[] = { "s.v.x=1" };

    unlink(main_path);
    msg = load_err(NULL, 0);
    ck_assert_ptr_nonnull(strstr(msg, "sift.yaml: cannot open: No such file or directory"));

    unit_write(dir, "sift.yaml", "[1, 2]\n");
    ck_assert_ptr_nonnull(strstr(load_err(NULL, 0), "sift.yaml:1:1: the file must hold a map"));

    unit_write(dir, "sift.yaml", "s: {v: 1}\n");
    unit_write(dir, "local.d/s.yaml", "v: [unclosed\n");
    msg = load_err(NULL, 0);
    ck_assert_ptr_nonnull(strstr(msg, "local.d/s.yaml:2:1: bad YAML"));
    unlink(strcat(strcpy((char[PATH_MAX + 32]){ 0 }, dir), "/local.d/s.yaml"));

    unit_write(dir, "override.d/s.yaml", "just a string\n");
    ck_assert_ptr_nonnull(strstr(load_err(NULL, 0), "override.d/s.yaml:1:1: the file must hold"));
    unlink(strcat(strcpy((char[PATH_MAX + 32]){ 0 }, dir), "/override.d/s.yaml"));

    ck_assert_str_eq(load_err(bad_ov, 1), "-o novalue: expected KEY=VALUE (e.g. -o "
                                          "workers.spamd.count=2)");
    msg = load_err(through, 1);
    ck_assert_msg(strncmp(msg, "-o s.v.x=1: s.v.x: 's.v' is not a section (set at /", 51) == 0,
                  "%s", msg);
    ck_assert_ptr_nonnull(strstr(msg, "/sift.yaml:1:8)"));
}
END_TEST

START_TEST(dangling_local_file_is_an_error)
{
    char link[PATH_MAX + 32];

    unit_write(dir, "sift.yaml", "s: {}\n");
    unit_write(dir, "local.d/keep.yaml", "v: 1\n");
    snprintf(link, sizeof(link), "%s/local.d/s.yaml", dir);
    ck_assert_int_eq(symlink("/nonexistent/target.yaml", link), 0);
    ck_assert_ptr_nonnull(strstr(load_err(NULL, 0), "local.d/s.yaml: cannot open: No such file"));
}
END_TEST

START_TEST(bad_option_value_is_an_error)
{
    unit_write(dir, "sift.yaml", "options:\n  shutdown_timeout: never\n");
    ck_assert_ptr_nonnull(strstr(load_err(NULL, 0), "sift.yaml:2:21: options.shutdown_timeout: "
                                                    "not a time"));
}
END_TEST

static Suite *
cfg_load_suite(void)
{
    Suite *s = suite_create("cfg_load");
    TCase *tc = tcase_create("cfg_load");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_layer_in_order);
    tcase_add_test(tc, override_d_replaces_whole_keys);
    tcase_add_test(tc, local_d_adds_sections_and_files_go_in_name_order);
    tcase_add_test(tc, command_line_values_win_and_keep_their_shape);
    tcase_add_test(tc, options_have_defaults);
    tcase_add_test(tc, unknown_option_key_is_a_warning);
    tcase_add_test(tc, errors_name_the_file);
    tcase_add_test(tc, dangling_local_file_is_an_error);
    tcase_add_test(tc, bad_option_value_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(cfg_load_suite());
}
