/*
 * test_cfg_tree.c - the config tree: lookups, paths, and the two layering
 * operations (local.d merge, override.d replace).
 */
#include "core/cfg_tree.h"

#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/cfg_yaml.h"

#include "../unit.h"

static struct cfg_node *
yaml(struct arena *a, const char *text)
{
    struct cfg_node *n = NULL;
    struct sift_err err;

    if (cfg_yaml_parse(a, "t.yaml", text, strlen(text), &n, &err) == -1)
        ck_abort_msg("bad test YAML: %s", err.msg);
    return n;
}

static void
assert_tree(struct arena *a, const struct cfg_node *got, const char *want_yaml)
{
    struct buf out;

    buf_init(&out);
    cfg_yaml_dump(got, &out);
    ck_assert_msg(cfg_node_equal(got, yaml(a, want_yaml)), "got:\n%s\nwant:\n%s", out.p, want_yaml);
    buf_clear(&out);
}

static const struct {
    const char *base, *local, *want;
} merge_cases[] = {
    /* maps merge key by key */
    { "s: {a: 1, b: 2}", "s: {b: 3, c: 4}", "s: {a: 1, b: 3, c: 4}" },
    /* recursively */
    { "s: {m: {x: 1, y: 2}}", "s: {m: {y: 5}}", "s: {m: {x: 1, y: 5}}" },
    /* lists append */
    { "s: {l: [a, b]}", "s: {l: [c]}", "s: {l: [a, b, c]}" },
    /* scalars replace */
    { "s: {v: old}", "s: {v: new}", "s: {v: new}" },
    /* a different kind replaces */
    { "s: {l: [a]}", "s: {l: one}", "s: {l: one}" },
    { "s: {m: {x: 1}}", "s: {m: [1]}", "s: {m: [1]}" },
    /* null resets to the default */
    { "s: {v: 1}", "s: {v: ~}", "s: {v: ~}" },
    /* new sections appear, order kept */
    { "a: {x: 1}", "b: {y: 2}", "a: {x: 1}\nb: {y: 2}" },
};

START_TEST(local_d_merge_semantics)
{
    struct arena *a = arena_new(4096);
    struct cfg_node *dst = yaml(a, merge_cases[_i].base);

    cfg_merge(a, dst, yaml(a, merge_cases[_i].local));
    assert_tree(a, dst, merge_cases[_i].want);
    arena_free(&a);
}
END_TEST

static const struct {
    const char *base, *override, *want;
} replace_cases[] = {
    /* a map is replaced whole, not merged */
    { "m: {x: 1, y: 2}\nk: 1", "m: {y: 5}", "m: {y: 5}\nk: 1" },
    /* a list is replaced, not appended */
    { "l: [a, b]", "l: [c]", "l: [c]" },
    { "v: old", "v: new\nw: added", "v: new\nw: added" },
};

START_TEST(override_d_replace_semantics)
{
    struct arena *a = arena_new(4096);
    struct cfg_node *dst = yaml(a, replace_cases[_i].base);

    cfg_replace_keys(a, dst, yaml(a, replace_cases[_i].override));
    assert_tree(a, dst, replace_cases[_i].want);
    arena_free(&a);
}
END_TEST

START_TEST(merge_copies_what_it_takes)
{
    struct arena *a = arena_new(4096);
    struct cfg_node *src = yaml(a, "s: {l: [a], m: {x: 1}}");
    struct cfg_node *d1 = yaml(a, "x: 1"), *d2 = yaml(a, "x: 2");

    cfg_merge(a, d1, src);
    cfg_merge(a, d2, src);
    cfg_list_append(cfg_lookup(d1, "s.l"), cfg_scalar_new(a, "b", 1, NULL));
    ck_assert_uint_eq(cfg_lookup(src, "s.l")->n, 1);
    ck_assert_uint_eq(cfg_lookup(d2, "s.l")->n, 1);
    ck_assert_uint_eq(cfg_lookup(d1, "s.l")->n, 2);
    arena_free(&a);
}
END_TEST

START_TEST(map_set_replaces_in_place)
{
    struct arena *a = arena_new(4096);
    struct cfg_node *m = yaml(a, "a: 1\nb: 2\nc: 3");

    cfg_map_set(m, "b", NULL, cfg_scalar_new(a, "9", 1, NULL));
    assert_tree(a, m, "a: 1\nb: 9\nc: 3");
    ck_assert_uint_eq(m->n, 3);
    cfg_map_set(m, "c", NULL, cfg_scalar_new(a, "8", 1, NULL));
    ck_assert_str_eq(m->last->str, "8"); /* the last child can be replaced too */
    cfg_map_set(m, "d", NULL, cfg_scalar_new(a, "7", 1, NULL));
    ck_assert_str_eq(m->last->key, "d");
    ck_assert_uint_eq(m->n, 4);
    arena_free(&a);
}
END_TEST

START_TEST(lookup_by_dotted_path)
{
    struct arena *a = arena_new(4096);
    struct cfg_node *root = yaml(a, "workers: {spamd: {count: 2}, spam: {count: 3}}");

    ck_assert_str_eq(cfg_lookup(root, "workers.spamd.count")->str, "2");
    ck_assert_str_eq(cfg_lookup(root, "workers.spam.count")->str, "3");
    ck_assert_ptr_null(cfg_lookup(root, "workers.spa"));
    ck_assert_ptr_null(cfg_lookup(root, "workers.spamd.count.x"));
    ck_assert_ptr_null(cfg_lookup(root, "nope"));
    ck_assert_ptr_null(cfg_lookup(NULL, "a"));
    arena_free(&a);
}
END_TEST

START_TEST(set_path_creates_sections)
{
    struct arena *a = arena_new(4096);
    struct cfg_node *root = yaml(a, "options: {dbdir: /x}\nv: 1");
    struct cfg_pos pos = { "-o", 0, 0 };
    struct sift_err err;

    ck_assert_int_eq(
        cfg_set_path(a, root, "workers.spamd.count", cfg_scalar_new(a, "4", 1, &pos), &err), 0);
    ck_assert_int_eq(cfg_set_path(a, root, "options.user", cfg_scalar_new(a, "u", 1, &pos), &err),
                     0);
    assert_tree(a, root, "options: {dbdir: /x, user: u}\nv: 1\nworkers: {spamd: {count: 4}}");
    ck_assert_int_eq(cfg_set_path(a, root, "v.x", cfg_scalar_new(a, "1", 1, &pos), &err), -1);
    ck_assert_str_eq(err.msg, "v.x: 'v' is not a section (set at t.yaml:2:4)");
    ck_assert_int_eq(cfg_set_path(a, root, "a..b", cfg_scalar_new(a, "1", 1, &pos), &err), -1);
    ck_assert_str_eq(err.msg, "a..b: empty key in path");
    arena_free(&a);
}
END_TEST

START_TEST(position_strings)
{
    char out[64];
    struct cfg_pos with = { "f.yaml", 3, 7 }, without = { "-o a=b", 0, 0 }, none = { NULL, 0, 0 };

    ck_assert_str_eq(cfg_pos_str(&with, out, sizeof(out)), "f.yaml:3:7");
    ck_assert_str_eq(cfg_pos_str(&without, out, sizeof(out)), "-o a=b");
    ck_assert_str_eq(cfg_pos_str(&none, out, sizeof(out)), "(default)");
}
END_TEST

START_TEST(equality_ignores_positions_not_order)
{
    struct arena *a = arena_new(4096);

    ck_assert(cfg_node_equal(yaml(a, "a: 1\nb: [x]"), yaml(a, "\n\na: 1\nb:\n  - x\n")));
    ck_assert(!cfg_node_equal(yaml(a, "a: 1\nb: 2"), yaml(a, "b: 2\na: 1")));
    ck_assert(!cfg_node_equal(yaml(a, "a: 1"), yaml(a, "a: 2")));
    ck_assert(!cfg_node_equal(yaml(a, "a: [1]"), yaml(a, "a: 1")));
    arena_free(&a);
}
END_TEST

static Suite *
cfg_tree_suite(void)
{
    Suite *s = suite_create("cfg_tree");
    TCase *tc = tcase_create("cfg_tree");

    tcase_add_loop_test(tc, local_d_merge_semantics, 0,
                        sizeof(merge_cases) / sizeof(merge_cases[0]));
    tcase_add_loop_test(tc, override_d_replace_semantics, 0,
                        sizeof(replace_cases) / sizeof(replace_cases[0]));
    tcase_add_test(tc, merge_copies_what_it_takes);
    tcase_add_test(tc, map_set_replaces_in_place);
    tcase_add_test(tc, lookup_by_dotted_path);
    tcase_add_test(tc, set_path_creates_sections);
    tcase_add_test(tc, position_strings);
    tcase_add_test(tc, equality_ignores_positions_not_order);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(cfg_tree_suite());
}
