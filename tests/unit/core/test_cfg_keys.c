/*
 * test_cfg_keys.c - typed keys: scalar parsers, filling a struct from a
 * section with defaults and file:line:col errors, unknown-key warnings and
 * the help text.
 */
#include "core/cfg_keys.h"

#include <limits.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/cfg_tree.h"
#include "core/cfg_yaml.h"

#include "../unit.h"

static const struct {
    const char *in;
    int ok;
    bool want;
} bool_cases[] = {
    { "yes", 1, true },    { "On", 1, true },   { "TRUE", 1, true },   { "1", 1, true },
    { "no", 1, false },    { "off", 1, false }, { "False", 1, false }, { "0", 1, false },
    { "maybe", 0, false }, { "", 0, false },    { "yes ", 0, false },
};

START_TEST(parse_bool_table)
{
    bool v = !bool_cases[_i].want;
    struct sift_err err;
    int rc = cfg_parse_bool(bool_cases[_i].in, &v, &err);

    ck_assert_int_eq(rc, bool_cases[_i].ok ? 0 : -1);
    if (bool_cases[_i].ok)
        ck_assert_int_eq(v, bool_cases[_i].want);
    else
        ck_assert_str_eq(err.msg, "not a boolean (yes/no, true/false, on/off)");
}
END_TEST

static const struct {
    const char *in;
    int ok;
    size_t want;
} size_cases[] = {
    { "0", 1, 0 },          { "500", 1, 500 },
    { "500k", 1, 512000 },  { "500K", 1, 512000 },
    { "2kb", 1, 2048 },     { "50M", 1, 52428800 },
    { "1.5m", 1, 1572864 }, { "1g", 1, 1073741824 },
    { "7 b", 1, 7 },        { "10x", 0, 0 },
    { "-1", 0, 0 },         { "", 0, 0 },
    { "k", 0, 0 },          { "99999999999999g", 0, 0 },
};

START_TEST(parse_size_table)
{
    size_t v = 12345;
    struct sift_err err;
    int rc = cfg_parse_size(size_cases[_i].in, &v, &err);

    ck_assert_int_eq(rc, size_cases[_i].ok ? 0 : -1);
    if (size_cases[_i].ok)
        ck_assert_uint_eq(v, size_cases[_i].want);
}
END_TEST

static const struct {
    const char *in;
    int ok;
    double want;
} time_cases[] = {
    { "30", 1, 30 },    { "30s", 1, 30 },  { "500ms", 1, 0.5 }, { "5m", 1, 300 },
    { "2min", 1, 120 }, { "1h", 1, 3600 }, { "1d", 1, 86400 },  { "0.25", 1, 0.25 },
    { "1w", 0, 0 },     { "-5", 0, 0 },    { "s", 0, 0 },       { "", 0, 0 },
};

START_TEST(parse_time_table)
{
    double v = -1;
    struct sift_err err;
    int rc = cfg_parse_time(time_cases[_i].in, &v, &err);

    ck_assert_int_eq(rc, time_cases[_i].ok ? 0 : -1);
    if (time_cases[_i].ok)
        ck_assert_double_eq_tol(v, time_cases[_i].want, 1e-9);
}
END_TEST

START_TEST(parse_numbers)
{
    int64_t i;
    uint64_t u;
    double d;
    int e;
    struct sift_err err;

    ck_assert_int_eq(cfg_parse_int("-42", &i, &err), 0);
    ck_assert_int_eq(i, -42);
    ck_assert_int_eq(cfg_parse_int("4x", &i, &err), -1);
    ck_assert_int_eq(cfg_parse_int(" 4", &i, &err), -1);
    ck_assert_int_eq(cfg_parse_int("99999999999999999999", &i, &err), -1);
    ck_assert_str_eq(err.msg, "integer out of range");
    ck_assert_int_eq(cfg_parse_uint("18446744073709551615", &u, &err), 0);
    ck_assert_uint_eq(u, UINT64_MAX);
    ck_assert_int_eq(cfg_parse_uint("-1", &u, &err), -1);
    ck_assert_int_eq(cfg_parse_double("5.5", &d, &err), 0);
    ck_assert_double_eq(d, 5.5);
    ck_assert_int_eq(cfg_parse_double("inf", &d, &err), -1);
    ck_assert_int_eq(cfg_parse_double("nan", &d, &err), -1);
    ck_assert_int_eq(cfg_parse_enum("File", "syslog|file|stderr", &e, &err), 0);
    ck_assert_int_eq(e, 1);
    ck_assert_int_eq(cfg_parse_enum("fil", "syslog|file|stderr", &e, &err), -1);
    ck_assert_str_eq(err.msg, "not one of syslog|file|stderr");
}
END_TEST

struct sample {
    const char *name;
    const char *dir;
    bool flag;
    int64_t n;
    size_t size;
    double wait;
    struct cfg_strlist list;
    int mode;
    unsigned count;
    double ratio;
};

static const struct cfg_key sample_keys[] = {
    { "name", CFG_T_STR, "anon", offsetof(struct sample, name), "a name", NULL },
    { "dir", CFG_T_PATH, "$DBDIR/sub", offsetof(struct sample, dir), "a path", NULL },
    { "flag", CFG_T_BOOL, "no", offsetof(struct sample, flag), "a flag", NULL },
    { "n", CFG_T_INT, "-3", offsetof(struct sample, n), "a number", NULL },
    { "size", CFG_T_SIZE, "1k", offsetof(struct sample, size), "a size", NULL },
    { "wait", CFG_T_TIME, "2s", offsetof(struct sample, wait), "a time", NULL },
    { "list", CFG_T_LIST, "one", offsetof(struct sample, list), "a list", NULL },
    { "mode", CFG_T_ENUM, "b", offsetof(struct sample, mode), "a mode", "a|b|c" },
    { "count", CFG_T_COUNT, "auto", offsetof(struct sample, count), "a count", NULL },
    { "ratio", CFG_T_DOUBLE, NULL, offsetof(struct sample, ratio), "no default", NULL },
};
#define NSAMPLE (sizeof(sample_keys) / sizeof(sample_keys[0]))

static struct cfg_ctx
ctx_for(struct arena *a)
{
    return (struct cfg_ctx){ .arena = a, .dbdir = "/var/lib/sift", .confdir = "/etc/sift" };
}

static struct cfg_node *
yaml(struct arena *a, const char *text)
{
    struct cfg_node *n = NULL;
    struct sift_err err;

    if (cfg_yaml_parse(a, "t.yaml", text, strlen(text), &n, &err) == -1)
        ck_abort_msg("bad test YAML: %s", err.msg);
    return n;
}

START_TEST(fill_uses_defaults_when_unset)
{
    struct arena *a = arena_new(4096);
    struct cfg_ctx ctx = ctx_for(a);
    struct sample s;
    struct sift_err err;

    memset(&s, 0xff, sizeof(s));
    ck_assert_int_eq(cfg_fill(&ctx, "sample", NULL, sample_keys, NSAMPLE, &s, &err), 0);
    ck_assert_str_eq(s.name, "anon");
    ck_assert_str_eq(s.dir, "/var/lib/sift/sub");
    ck_assert(!s.flag);
    ck_assert_int_eq(s.n, -3);
    ck_assert_uint_eq(s.size, 1024);
    ck_assert_double_eq(s.wait, 2);
    ck_assert_uint_eq(s.list.n, 1);
    ck_assert_str_eq(s.list.v[0], "one");
    ck_assert_int_eq(s.mode, 1);
    ck_assert_uint_eq(s.count, 0);
    ck_assert_double_eq(s.ratio, 0); /* no default: zero */
    arena_free(&a);
}
END_TEST

START_TEST(fill_reads_values)
{
    struct arena *a = arena_new(4096);
    struct cfg_ctx ctx = ctx_for(a);
    struct sample s;
    struct sift_err err;
    const char *text = "name: x\ndir: ${CONFDIR}/keys\nflag: on\nn: 7\nsize: 2M\nwait: 250ms\n"
                       "list: [a, b, c]\nmode: C\ncount: 3\nratio: 0.5\n";

    ck_assert_int_eq(cfg_fill(&ctx, "sample", yaml(a, text), sample_keys, NSAMPLE, &s, &err), 0);
    ck_assert_str_eq(s.name, "x");
    ck_assert_str_eq(s.dir, "/etc/sift/keys");
    ck_assert(s.flag);
    ck_assert_int_eq(s.n, 7);
    ck_assert_uint_eq(s.size, 2097152);
    ck_assert_double_eq_tol(s.wait, 0.25, 1e-12);
    ck_assert_uint_eq(s.list.n, 3);
    ck_assert_str_eq(s.list.v[2], "c");
    ck_assert_int_eq(s.mode, 2);
    ck_assert_uint_eq(s.count, 3);
    ck_assert_double_eq(s.ratio, 0.5);
    /* null means "the default" */
    ck_assert_int_eq(
        cfg_fill(&ctx, "sample", yaml(a, "n: ~\nlist:\n"), sample_keys, NSAMPLE, &s, &err), 0);
    ck_assert_int_eq(s.n, -3);
    ck_assert_str_eq(s.list.v[0], "one");
    arena_free(&a);
}
END_TEST

START_TEST(relative_paths_become_absolute)
{
    struct arena *a = arena_new(4096);
    struct cfg_ctx ctx = ctx_for(a);
    struct sample s;
    struct sift_err err;
    char cwd[PATH_MAX], want[PATH_MAX + 16];

    ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
    ck_assert_int_eq(
        cfg_fill(&ctx, "sample", yaml(a, "dir: ./var/db"), sample_keys, NSAMPLE, &s, &err), 0);
    snprintf(want, sizeof(want), "%s/var/db", cwd);
    ck_assert_str_eq(s.dir, want);
    ck_assert_int_eq(
        cfg_fill(&ctx, "sample", yaml(a, "dir: $HOME/x"), sample_keys, NSAMPLE, &s, &err), -1);
    ck_assert_str_eq(err.msg, "t.yaml:1:6: sample.dir: unknown variable in path (known: $DBDIR, "
                              "$CONFDIR) (got '$HOME/x')");
    ctx.dbdir = NULL;
    ck_assert_int_eq(
        cfg_fill(&ctx, "sample", yaml(a, "dir: $DBDIR"), sample_keys, NSAMPLE, &s, &err), -1);
    ck_assert_str_eq(err.msg, "t.yaml:1:6: sample.dir: $DBDIR cannot be used here (got '$DBDIR')");
    arena_free(&a);
}
END_TEST

static const struct {
    const char *yaml;
    const char *want;
} fill_errors[] = {
    { "a: 1\nsize: lots\n", "t.yaml:2:7: sample.size: not a size (bytes, or a number with k, m "
                            "or g) (got 'lots')" },
    { "flag: perhaps", "t.yaml:1:7: sample.flag: not a boolean (yes/no, true/false, on/off) (got "
                       "'perhaps')" },
    { "n: [1]", "t.yaml:1:4: sample.n: expected a single value (integer), got a list" },
    { "name: {x: 1}", "t.yaml:1:7: sample.name: expected a single value (string), got a map" },
    { "list: {x: 1}", "t.yaml:1:7: sample.list: expected a list or a single value, got a map" },
    { "list: [a, [b]]", "t.yaml:1:11: sample.list: list items must be single values" },
    { "mode: d", "t.yaml:1:7: sample.mode: not one of a|b|c (got 'd')" },
    { "count: 0", "t.yaml:1:8: sample.count: not a count (auto, or 1 to 1024) (got '0')" },
    { "wait: soon", "t.yaml:1:7: sample.wait: not a time (seconds, or a number with ms, s, m, h "
                    "or d) (got 'soon')" },
};

START_TEST(fill_errors_name_the_place)
{
    struct arena *a = arena_new(4096);
    struct cfg_ctx ctx = ctx_for(a);
    struct sample s;
    struct sift_err err;

    ck_assert_int_eq(
        cfg_fill(&ctx, "sample", yaml(a, fill_errors[_i].yaml), sample_keys, NSAMPLE, &s, &err),
        -1);
    ck_assert_str_eq(err.msg, fill_errors[_i].want);
    arena_free(&a);
}
END_TEST

START_TEST(section_must_be_a_map)
{
    struct arena *a = arena_new(4096);
    struct cfg_ctx ctx = ctx_for(a);
    struct sample s;
    struct sift_err err;

    ck_assert_int_eq(cfg_fill(&ctx, "sample", yaml(a, "[1, 2]"), sample_keys, NSAMPLE, &s, &err),
                     -1);
    ck_assert_str_eq(err.msg, "t.yaml:1:1: sample: expected a map of settings, got a list");
    arena_free(&a);
}
END_TEST

static char warned[4][512];
static int nwarned;

static void
collect(void *arg, const char *msg)
{
    (void)arg;
    if (nwarned < 4)
        snprintf(warned[nwarned++], sizeof(warned[0]), "%s", msg);
}

START_TEST(unknown_keys_are_warned_with_a_suggestion)
{
    struct arena *a = arena_new(4096);
    struct cfg_ctx ctx = ctx_for(a);
    struct cfg_keyset set = { sample_keys, NSAMPLE };

    ctx.warn = collect;
    nwarned = 0;
    cfg_warn_unknown(&ctx, "sample", yaml(a, "name: x\nsiez: 1\ncompletely_else: 2\n"), &set, 1);
    ck_assert_int_eq(nwarned, 2);
    ck_assert_str_eq(warned[0], "t.yaml:2:1: unknown key 'siez' in sample, ignored (did you mean "
                                "'size'?)");
    ck_assert_str_eq(warned[1], "t.yaml:3:1: unknown key 'completely_else' in sample, ignored");
    arena_free(&a);
}
END_TEST

START_TEST(help_text)
{
    struct buf out;

    buf_init(&out);
    cfg_key_help("workers.spamd", &sample_keys[4], &out);
    ck_assert_str_eq(out.p, "workers.spamd.size\n    type: size\n    default: 1k\n    a size\n");
    buf_reset(&out);
    cfg_key_help("x", &sample_keys[7], &out);
    ck_assert_str_eq(out.p, "x.mode\n    type: one of a|b|c\n    default: b\n    a mode\n");
    buf_reset(&out);
    cfg_key_help("x", &sample_keys[9], &out);
    ck_assert_ptr_nonnull(strstr(out.p, "default: (none)"));
    buf_clear(&out);
}
END_TEST

static Suite *
cfg_keys_suite(void)
{
    Suite *s = suite_create("cfg_keys");
    TCase *tc = tcase_create("cfg_keys");

    tcase_add_loop_test(tc, parse_bool_table, 0, sizeof(bool_cases) / sizeof(bool_cases[0]));
    tcase_add_loop_test(tc, parse_size_table, 0, sizeof(size_cases) / sizeof(size_cases[0]));
    tcase_add_loop_test(tc, parse_time_table, 0, sizeof(time_cases) / sizeof(time_cases[0]));
    tcase_add_test(tc, parse_numbers);
    tcase_add_test(tc, fill_uses_defaults_when_unset);
    tcase_add_test(tc, fill_reads_values);
    tcase_add_test(tc, relative_paths_become_absolute);
    tcase_add_loop_test(tc, fill_errors_name_the_place, 0,
                        sizeof(fill_errors) / sizeof(fill_errors[0]));
    tcase_add_test(tc, section_must_be_a_map);
    tcase_add_test(tc, unknown_keys_are_warned_with_a_suggestion);
    tcase_add_test(tc, help_text);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(cfg_keys_suite());
}
