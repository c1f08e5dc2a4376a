/*
 * test_cfg_yaml.c - YAML to config tree and back: positions, nulls, quoting,
 * anchors, limits and error messages.
 */
#include "core/cfg_yaml.h"

#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/cfg_tree.h"

#include "../unit.h"

static struct cfg_node *
parse_ok(struct arena *a, const char *text)
{
    struct cfg_node *n = NULL;
    struct sift_err err;

    if (cfg_yaml_parse(a, "t.yaml", text, strlen(text), &n, &err) == -1)
        ck_abort_msg("unexpected error: %s", err.msg);
    return n;
}

START_TEST(positions_of_keys_and_values)
{
    struct arena *a = arena_new(4096);
    struct cfg_node *root = parse_ok(a, "a: 1\nb:\n  c: x\n  d: [p, q]\n");
    struct cfg_node *c = cfg_lookup(root, "b.c"), *d = cfg_lookup(root, "b.d");

    ck_assert_int_eq(root->kind, CFG_MAP);
    ck_assert_uint_eq(cfg_map_get(root, "a")->pos.line, 1);
    ck_assert_uint_eq(cfg_map_get(root, "a")->pos.col, 4);
    ck_assert_uint_eq(cfg_map_get(root, "a")->key_pos.col, 1);
    ck_assert_str_eq(c->str, "x");
    ck_assert_uint_eq(c->pos.line, 3);
    ck_assert_uint_eq(c->pos.col, 6);
    ck_assert_uint_eq(c->key_pos.col, 3);
    ck_assert_str_eq(c->pos.file, "t.yaml");
    ck_assert_int_eq(d->kind, CFG_LIST);
    ck_assert_uint_eq(d->n, 2);
    ck_assert_str_eq(d->last->str, "q");
    ck_assert_uint_eq(d->last->pos.col, 10);
    arena_free(&a);
}
END_TEST

static const struct {
    const char *text;
    enum cfg_kind kind;
    bool quoted;
} value_cases[] = {
    { "v:\n", CFG_NULL, false },        { "v: ~\n", CFG_NULL, false },
    { "v: null\n", CFG_NULL, false },   { "v: \"~\"\n", CFG_SCALAR, true },
    { "v: ''\n", CFG_SCALAR, true },    { "v: 5\n", CFG_SCALAR, false },
    { "v: \"5\"\n", CFG_SCALAR, true }, { "v: !!str yes\n", CFG_SCALAR, true },
    { "v: {}\n", CFG_MAP, false },      { "v: []\n", CFG_LIST, false },
};

START_TEST(null_and_quoted_values)
{
    struct arena *a = arena_new(4096);
    struct cfg_node *v = cfg_map_get(parse_ok(a, value_cases[_i].text), "v");

    ck_assert_int_eq(v->kind, value_cases[_i].kind);
    ck_assert_int_eq(v->quoted, value_cases[_i].quoted);
    arena_free(&a);
}
END_TEST

START_TEST(empty_document_is_null)
{
    struct arena *a = arena_new(4096);

    ck_assert_int_eq(parse_ok(a, "")->kind, CFG_NULL);
    ck_assert_int_eq(parse_ok(a, "# only a comment\n")->kind, CFG_NULL);
    ck_assert_int_eq(parse_ok(a, "---\n")->kind, CFG_NULL);
    arena_free(&a);
}
END_TEST

static const struct {
    const char *text;
    const char *want; /* the whole message */
} error_cases[] = {
    { "a: 1\na: 2\n", "t.yaml:2:1: duplicate key 'a' (first at line 1)" },
    { "a: 1\n---\nb: 2\n", "t.yaml:2:1: only one YAML document per file" },
    { "a: [1, 2\n", "t.yaml:2:1: bad YAML: did not find expected ',' or ']' while parsing a flow "
                    "sequence" },
    { "a: 1\n b: 2\n", "t.yaml:2:3: bad YAML: mapping values are not allowed in this context" },
    { "a: \"open\n", "t.yaml:2:1: bad YAML: found unexpected end of stream while scanning a quoted "
                     "scalar" },
    { "? [a]\n: 1\n", "t.yaml:1:3: a key must be a plain string" },
    { "a: *nope\n", "t.yaml:1:4: unknown alias '*nope'" },
    { "a: &x [1]\n<<: *x\n", "t.yaml:2:1: '<<' merges only maps" },
    { "a:\tb\n", NULL }, /* a tab after the colon is fine */
};

START_TEST(errors_name_file_line_and_column)
{
    struct arena *a = arena_new(4096);
    struct cfg_node *n = NULL;
    struct sift_err err = { "" };
    int rc =
        cfg_yaml_parse(a, "t.yaml", error_cases[_i].text, strlen(error_cases[_i].text), &n, &err);

    if (error_cases[_i].want == NULL) {
        ck_assert_int_eq(rc, 0);
    } else {
        ck_assert_int_eq(rc, -1);
        ck_assert_str_eq(err.msg, error_cases[_i].want);
    }
    arena_free(&a);
}
END_TEST

START_TEST(anchors_aliases_and_merge_keys)
{
    struct arena *a = arena_new(4096);
    struct cfg_node *root = parse_ok(a, "base: &b {x: 1, y: 2}\n"
                                        "copy: *b\n"
                                        "merged:\n  <<: *b\n  y: 3\n  z: 4\n"
                                        "list: &l [a, b]\nagain: *l\n");

    ck_assert_str_eq(cfg_lookup(root, "copy.x")->str, "1");
    ck_assert_str_eq(cfg_lookup(root, "merged.x")->str, "1");
    ck_assert_str_eq(cfg_lookup(root, "merged.y")->str, "3"); /* explicit keys win */
    ck_assert_str_eq(cfg_lookup(root, "merged.z")->str, "4");
    ck_assert_ptr_null(cfg_map_get(cfg_lookup(root, "merged"), "<<"));
    ck_assert_uint_eq(cfg_lookup(root, "again")->n, 2);
    /* an alias is a copy: changing it leaves the anchor alone */
    cfg_map_set(cfg_lookup(root, "copy"), "x", NULL,
                cfg_scalar_new(a, "9", 1, &(struct cfg_pos){ "t", 0, 0 }));
    ck_assert_str_eq(cfg_lookup(root, "base.x")->str, "1");
    arena_free(&a);
}
END_TEST

START_TEST(alias_bomb_is_refused)
{
    struct arena *a = arena_new(4096);
    struct buf b;
    struct cfg_node *n;
    struct sift_err err;

    buf_init(&b);
    buf_puts(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 9; i++)
        buf_printf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
                   i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    ck_assert_int_eq(cfg_yaml_parse(a, "t.yaml", b.p, b.len, &n, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "too many values"));
    buf_clear(&b);
    arena_free(&a);
}
END_TEST

START_TEST(deep_nesting_is_refused)
{
    struct arena *a = arena_new(4096);
    struct buf b;
    struct cfg_node *n;
    struct sift_err err;

    buf_init(&b);
    for (int i = 0; i < 200; i++)
        buf_putc(&b, '[');
    for (int i = 0; i < 200; i++)
        buf_putc(&b, ']');
    ck_assert_int_eq(cfg_yaml_parse(a, "t.yaml", b.p, b.len, &n, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "nested too deeply"));
    buf_clear(&b);
    arena_free(&a);
}
END_TEST

static const char *const roundtrip_cases[] = {
    "a: 1\nb: [x, y]\nc: {d: e}\n",
    "quoted: \"yes\"\nplain: yes\nnull: ~\nempty: \"\"\n",
    "odd: \": x\"\nhash: \"#c\"\nmulti: \"line1\\nline2\"\nunicode: \"h\xc3\xa9\"\n",
    "deep: {a: {b: {c: [1, {d: 2}]}}}\n",
    "v6: \"[::1]:783\"\nsock: \"/run/x.sock mode=0660\"\n",
    "'<<': a quoted key, not a merge\n", /* found by fuzz_cfg_yaml */
};

START_TEST(dump_then_parse_gives_the_same_tree)
{
    struct arena *a = arena_new(4096);
    struct cfg_node *first = parse_ok(a, roundtrip_cases[_i]), *second;
    struct buf out;

    buf_init(&out);
    cfg_yaml_dump(first, &out);
    second = parse_ok(a, out.p);
    ck_assert_msg(cfg_node_equal(first, second), "changed by the round trip:\n%s", out.p);
    /* quoting survives: a quoted "yes" stays a string */
    for (const struct cfg_node *c = first->first; c != NULL; c = c->next)
        ck_assert_int_eq(c->quoted, cfg_map_get(second, c->key)->quoted);
    buf_clear(&out);
    arena_free(&a);
}
END_TEST

static const struct {
    const char *text;
    enum cfg_kind kind;
    size_t n;
    const char *str;
} value_arg_cases[] = {
    { "127.0.0.1:783", CFG_SCALAR, 0, "127.0.0.1:783" },
    { "[::1]:783", CFG_SCALAR, 0, "[::1]:783" }, /* not YAML: a plain string */
    { "[a, b]", CFG_LIST, 2, NULL },
    { "{x: 1}", CFG_MAP, 1, NULL },
    { "\"5\"", CFG_SCALAR, 0, "5" },
    { "", CFG_NULL, 0, NULL },
    { "~", CFG_NULL, 0, NULL },
    { "a b: c", CFG_SCALAR, 0, "a b: c" },
};

START_TEST(command_line_values)
{
    struct arena *a = arena_new(4096);
    struct cfg_node *n = cfg_yaml_parse_value(a, "-o x", value_arg_cases[_i].text);

    ck_assert_int_eq(n->kind, value_arg_cases[_i].kind);
    ck_assert_uint_eq(n->n, value_arg_cases[_i].n);
    if (value_arg_cases[_i].str != NULL)
        ck_assert_str_eq(n->str, value_arg_cases[_i].str);
    ck_assert_str_eq(n->pos.file, "-o x");
    ck_assert_uint_eq(n->pos.line, 0);
    arena_free(&a);
}
END_TEST

START_TEST(load_file_errors)
{
    struct arena *a = arena_new(4096);
    char dir[PATH_MAX], path[PATH_MAX + 16];
    struct cfg_node *n;
    struct sift_err err;

    unit_tmpdir(dir);
    snprintf(path, sizeof(path), "%s/missing.yaml", dir);
    ck_assert_int_eq(cfg_yaml_load_file(a, path, &n, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "missing.yaml: cannot open: No such file or directory"));
    ck_assert_int_eq(cfg_yaml_load_file(a, dir, &n, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, ": not a regular file"));
    unit_write(dir, "ok.yaml", "k: v\n");
    snprintf(path, sizeof(path), "%s/ok.yaml", dir);
    ck_assert_int_eq(cfg_yaml_load_file(a, path, &n, &err), 0);
    ck_assert_str_eq(cfg_map_get(n, "k")->pos.file, path);
    unit_rmtree(dir);
    arena_free(&a);
}
END_TEST

static Suite *
cfg_yaml_suite(void)
{
    Suite *s = suite_create("cfg_yaml");
    TCase *tc = tcase_create("cfg_yaml");

    tcase_add_test(tc, positions_of_keys_and_values);
    tcase_add_loop_test(tc, null_and_quoted_values, 0,
                        sizeof(value_cases) / sizeof(value_cases[0]));
    tcase_add_test(tc, empty_document_is_null);
    tcase_add_loop_test(tc, errors_name_file_line_and_column, 0,
                        sizeof(error_cases) / sizeof(error_cases[0]));
    tcase_add_test(tc, anchors_aliases_and_merge_keys);
    tcase_add_test(tc, alias_bomb_is_refused);
    tcase_add_test(tc, deep_nesting_is_refused);
    tcase_add_loop_test(tc, dump_then_parse_gives_the_same_tree, 0,
                        sizeof(roundtrip_cases) / sizeof(roundtrip_cases[0]));
    tcase_add_loop_test(tc, command_line_values, 0,
                        sizeof(value_arg_cases) / sizeof(value_arg_cases[0]));
    tcase_add_test(tc, load_file_errors);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(cfg_yaml_suite());
}
