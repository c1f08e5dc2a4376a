/*
 * test_scan_settings.c - rspamd-style settings blocks, from JSON (a
 * request's Settings header) and from the configuration (Settings-ID
 * blocks): what they turn off, rescore and re-threshold, and their errors.
 */
#include "scan/scan_settings.h"

#include <string.h>

#include "core/cfg_yaml.h"
#include "../unit.h"

static int
parse_json(struct arena *a, const char *text, struct scan_settings *s, struct sift_err *err)
{
    const struct json_val *v;

    if (json_read_parse(a, text, strlen(text), 0, &v, err) == -1)
        return -1;
    return scan_settings_from_json(a, v, s, err);
}

static struct scan_rule
rule(const char *name, const char *group)
{
    struct scan_rule r;

    memset(&r, 0, sizeof(r));
    r.name = name;
    r.group = group;
    return r;
}

START_TEST(settings_from_json)
{
    struct arena *a = arena_new(4096);
    struct scan_settings s;
    struct sift_err err = { 0 };
    struct scan_actions base = { 0 }, out;
    struct scan_rule rd = rule("RDNS_NONE", "sa"), hb = rule("HTML_BAD", "html");

    ck_assert_int_eq(parse_json(a,
                                "{\"actions\":{\"reject\":20,\"add header\":6,\"greylist\":null,"
                                "\"no action\":0},\"symbols_disabled\":[\"RDNS_NONE\"],"
                                "\"groups_disabled\":[\"html\"],\"BAYES_99\":3.5,\"flags\":[]}",
                                &s, &err),
                     0);
    ck_assert_uint_eq(s.nscores, 1);
    ck_assert_str_eq(s.scores[0].name, "BAYES_99");
    ck_assert_double_eq(s.scores[0].score, 3.5);
    ck_assert(scan_settings_off(&s, &rd));
    ck_assert(scan_settings_off(&s, &hb));
    rd.name = "OTHER";
    ck_assert(!scan_settings_off(&s, &rd));
    ck_assert(scan_settings_touches_rules(&s));
    base.set[SCAN_ACTION_GREYLIST] = true;
    base.threshold[SCAN_ACTION_GREYLIST] = 4;
    base.set[SCAN_ACTION_ADD_HEADER] = true;
    base.threshold[SCAN_ACTION_ADD_HEADER] = 5;
    ck_assert_int_eq(scan_settings_actions(&s, &base, &out, &err), 0);
    ck_assert(!out.set[SCAN_ACTION_GREYLIST]);
    ck_assert(out.set[SCAN_ACTION_REJECT]);
    ck_assert_double_eq(out.threshold[SCAN_ACTION_REJECT], 20);
    ck_assert_double_eq(out.threshold[SCAN_ACTION_ADD_HEADER], 6);
    arena_free(&a);
}
END_TEST

/* symbols_enabled: only those (and meta parts) run; the legacy "default" wrapper */
START_TEST(settings_enabled_only)
{
    struct arena *a = arena_new(4096);
    struct scan_settings s;
    struct sift_err err = { 0 };
    struct scan_rule on = rule("GTUBE", "sa"), off = rule("RDNS_NONE", "sa"),
                     sub = rule("__PART", "sa");

    ck_assert_int_eq(parse_json(a, "{\"default\":{\"symbols_enabled\":[\"GTUBE\"]}}", &s, &err), 0);
    ck_assert(!scan_settings_off(&s, &on));
    ck_assert(scan_settings_off(&s, &off));
    ck_assert(!scan_settings_off(&s, &sub));
    ck_assert_int_eq(parse_json(a, "{\"groups_enabled\":[\"sa\"]}", &s, &err), 0);
    ck_assert(!scan_settings_off(&s, &off));
    ck_assert_int_eq(parse_json(a, "{\"actions\":{\"reject\":10}}", &s, &err), 0);
    ck_assert(!scan_settings_touches_rules(&s));
    arena_free(&a);
}
END_TEST

START_TEST(settings_errors)
{
    static const struct {
        const char *json, *msg;
    } bad[] = {
        { "[1]", "settings: expected a JSON object" },
        { "{\"actions\":[]}", "settings: actions: expected an object" },
        { "{\"actions\":{\"discard\":5}}", "settings: actions: discard: not an action" },
        { "{\"actions\":{\"reject\":\"5\"}}", "settings: actions: reject: expected a number" },
        { "{\"symbols_disabled\":\"X\"}", "settings: symbols_disabled: expected an array" },
        { "{\"symbols_enabled\":[1]}", "settings: symbols_enabled: expected an array" },
        { "{\"X\":\"high\"}", "settings: X: expected a symbol's score" },
    };
    struct arena *a = arena_new(4096);
    struct scan_settings s;
    struct scan_actions base = { 0 }, out;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct sift_err err = { 0 };

        ck_assert_int_eq(parse_json(a, bad[i].json, &s, &err), -1);
        ck_assert_msg(strncmp(err.msg, bad[i].msg, strlen(bad[i].msg)) == 0, "%s: %s", bad[i].json,
                      err.msg);
    }
    /* thresholds that no longer rise */
    base.set[SCAN_ACTION_ADD_HEADER] = true;
    base.threshold[SCAN_ACTION_ADD_HEADER] = 5;
    {
        struct sift_err err = { 0 };

        ck_assert_int_eq(parse_json(a, "{\"actions\":{\"reject\":2}}", &s, &err), 0);
        ck_assert_int_eq(scan_settings_actions(&s, &base, &out, &err), -1);
    }
    arena_free(&a);
}
END_TEST

START_TEST(settings_from_cfg)
{
    static const char yaml[] = "actions: { reject: 30, add_header: ~ }\n"
                               "symbols_disabled: [RDNS_NONE]\n"
                               "BAYES_99: 4\n";
    struct arena *a = arena_new(4096);
    struct cfg_node *root;
    struct scan_settings s;
    struct sift_err err = { 0 };
    struct scan_rule rd = rule("RDNS_NONE", "sa");

    ck_assert_int_eq(cfg_yaml_parse(a, "t.yaml", yaml, sizeof(yaml) - 1, &root, &err), 0);
    ck_assert_int_eq(scan_settings_from_cfg(a, root, &s, &err), 0);
    ck_assert(s.action_given[SCAN_ACTION_REJECT] && !s.action_off[SCAN_ACTION_REJECT]);
    ck_assert_double_eq(s.threshold[SCAN_ACTION_REJECT], 30);
    ck_assert(s.action_given[SCAN_ACTION_ADD_HEADER] && s.action_off[SCAN_ACTION_ADD_HEADER]);
    ck_assert(scan_settings_off(&s, &rd));
    ck_assert_uint_eq(s.nscores, 1);
    ck_assert_double_eq(s.scores[0].score, 4);
    ck_assert_int_eq(cfg_yaml_parse(a, "t.yaml", "actions: { reject: lots }\n", 25, &root, &err),
                     0);
    ck_assert_int_eq(scan_settings_from_cfg(a, root, &s, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "t.yaml:1:"));
    ck_assert_ptr_nonnull(strstr(err.msg, "reject: expected a number"));
    arena_free(&a);
}
END_TEST

static Suite *
scan_settings_suite(void)
{
    Suite *s = suite_create("scan_settings");
    TCase *tc = tcase_create("settings");

    tcase_add_test(tc, settings_from_json);
    tcase_add_test(tc, settings_enabled_only);
    tcase_add_test(tc, settings_errors);
    tcase_add_test(tc, settings_from_cfg);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(scan_settings_suite());
}
