/*
 * test_scan_yaml.c - native YAML rules: every field read, every mistake a
 * skip at its file:line:col, rescoring from the configuration, directory
 * order, the written form reading back as the same ruleset, and random
 * bytes read without a crash.
 */
#include "scan/scan_yaml.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <math.h>
#include <pcre2.h>
#include <stdint.h>
#include <string.h>

#include "core/cfg_yaml.h"
#include "scan/scan_composite.h"
#include "../unit.h"

static struct scan_ruleset *
load(const char *text)
{
    struct scan_ruleset *rs = scan_ruleset_new();
    struct sift_err err;

    if (scan_yaml_load_text(rs, "t.yaml", text, strlen(text), &err) != 0)
        ck_abort_msg("load: %s", err.msg);
    return rs;
}

static void
assert_no_skips(const struct scan_ruleset *rs)
{
    const struct scan_skip *s = scan_ruleset_skip_at(rs, 0);

    ck_assert_msg(s == NULL, "unexpected skip: %s: %s", s ? s->origin : "", s ? s->message : "");
}

static const struct scan_rule *
rule(const struct scan_ruleset *rs, const char *name)
{
    const struct scan_rule *r = scan_ruleset_find(rs, name);

    ck_assert_msg(r != NULL && r->kind != SCAN_K_UNDEFINED, "%s is not defined", name);
    return r;
}

static const char every_field[] =
    "symbols:\n"
    "  H_SUBJ:\n"
    "    type: header\n"
    "    header: Subject\n"
    "    pattern: '/^\\s*$/i'\n"
    "    negate: true\n"
    "    if_unset: ''\n"
    "    score: 0.5\n"
    "    description: Subject is empty\n"
    "    group: headers\n"
    "    tflags: [multiple, maxhits=3, nosubject, net, nice, learn, noautolearn]\n"
    "    priority: -10\n"
    "  B1: { type: body, pattern: 'm{a/b}sx', score: [0, 1.5, -2, 3e-1] }\n"
    "  RB: { type: rawbody, pattern: /x/m }\n"
    "  U1: { type: uri, pattern: 'm!http://x!' }\n"
    "  F1: { type: full, pattern: '/^From /mi', tflags: 'userconf autolearn_force,nolog' }\n"
    "  MH: { type: mimeheader, header: 'Content-Type:raw', pattern: /text/, if_unset: none, "
    "negate: ~ }\n"
    "  EX: { type: exists, header: X-Foo, tflags: [publish, notrim, domains_only, ips_only] }\n"
    "  M1: { type: meta, expression: 'H_SUBJ && (B1 || RB) && rules_matching(F*)', score: 2 }\n"
    "  EV:\n"
    "    type: eval\n"
    "    target: body\n"
    "    function: check_for_mime\n"
    "    args: [\"mime_attachment\", 3, null, '7x', 2.5e1, -1, bare, ~]\n"
    "    tflags: [autolearn_body, noawl, a, aaaa]\n"
    "  EV0: { type: eval, function: check_nothing, args: [] }\n"
    "  XT: { type: external, score: 1.0, description: 'raised: by code' }\n";

START_TEST(every_field_is_read)
{
    struct scan_ruleset *rs = load(every_field);
    const struct scan_rule *r;

    assert_no_skips(rs);
    ck_assert_uint_eq(scan_ruleset_count(rs), 11);

    r = rule(rs, "H_SUBJ");
    ck_assert_int_eq(r->kind, SCAN_K_REGEX);
    ck_assert_int_eq(r->target, SCAN_T_HEADER);
    ck_assert_str_eq(r->header, "Subject");
    ck_assert_str_eq(r->pattern, "^\\s*$");
    ck_assert_uint_eq(r->re_flags, SCAN_RE_I);
    ck_assert(r->negate);
    ck_assert_str_eq(r->if_unset, "");
    ck_assert(r->has_score);
    for (int i = 0; i < 4; i++)
        ck_assert(r->score[i] == 0.5);
    ck_assert_str_eq(r->description, "Subject is empty");
    ck_assert_str_eq(r->group, "headers");
    ck_assert_uint_eq(r->tflags, SCAN_TF_MULTIPLE | SCAN_TF_NOSUBJECT | SCAN_TF_NET | SCAN_TF_NICE |
                                     SCAN_TF_LEARN | SCAN_TF_NOAUTOLEARN);
    ck_assert_uint_eq(r->maxhits, 3);
    ck_assert_int_eq(r->priority, -10);
    ck_assert_str_eq(r->origin, "t.yaml:2:3");
    ck_assert_uint_eq(r->index, 0);

    r = rule(rs, "B1");
    ck_assert_int_eq(r->target, SCAN_T_BODY);
    ck_assert_str_eq(r->pattern, "a/b");
    ck_assert_uint_eq(r->re_flags, SCAN_RE_S | SCAN_RE_X);
    ck_assert(r->score[0] == 0 && r->score[1] == 1.5 && r->score[2] == -2 && r->score[3] == 0.3);
    ck_assert_ptr_null(r->description);
    ck_assert_ptr_null(r->group);
    ck_assert_int_eq(r->priority, 0);

    r = rule(rs, "RB");
    ck_assert_int_eq(r->target, SCAN_T_RAWBODY);
    ck_assert_uint_eq(r->re_flags, SCAN_RE_M);
    ck_assert(!r->has_score);
    r = rule(rs, "U1");
    ck_assert_int_eq(r->target, SCAN_T_URI);
    ck_assert_str_eq(r->pattern, "http://x");
    r = rule(rs, "F1");
    ck_assert_int_eq(r->target, SCAN_T_FULL);
    ck_assert_uint_eq(r->re_flags, SCAN_RE_M | SCAN_RE_I);
    ck_assert_uint_eq(r->tflags, SCAN_TF_USERCONF | SCAN_TF_AUTOLEARN_FORCE | SCAN_TF_NOLOG);

    r = rule(rs, "MH");
    ck_assert_int_eq(r->target, SCAN_T_MIMEHEADER);
    ck_assert_str_eq(r->header, "Content-Type:raw");
    ck_assert_str_eq(r->if_unset, "none");
    ck_assert(!r->negate);

    r = rule(rs, "EX");
    ck_assert_int_eq(r->kind, SCAN_K_EXISTS);
    ck_assert_int_eq(r->target, SCAN_T_HEADER);
    ck_assert_str_eq(r->header, "X-Foo");
    ck_assert_uint_eq(r->tflags,
                      SCAN_TF_PUBLISH | SCAN_TF_NOTRIM | SCAN_TF_DOMAINS_ONLY | SCAN_TF_IPS_ONLY);

    r = rule(rs, "M1");
    ck_assert_int_eq(r->kind, SCAN_K_META);
    ck_assert_int_eq(r->target, SCAN_T_NONE);
    ck_assert_str_eq(r->expr, "H_SUBJ && (B1 || RB) && rules_matching(F*)");
    ck_assert(r->score[3] == 2);

    r = rule(rs, "EV");
    ck_assert_int_eq(r->kind, SCAN_K_EVAL);
    ck_assert_int_eq(r->target, SCAN_T_BODY);
    ck_assert_str_eq(r->eval, "check_for_mime");
    ck_assert_uint_eq(r->nargs, 8);
    ck_assert_int_eq(r->args[0].kind, SCAN_ARG_STR);
    ck_assert_str_eq(r->args[0].s, "mime_attachment");
    ck_assert_uint_eq(r->args[0].len, 15);
    ck_assert_int_eq(r->args[1].kind, SCAN_ARG_NUM);
    ck_assert_str_eq(r->args[1].s, "3");
    ck_assert(r->args[1].n == 3);
    ck_assert_int_eq(r->args[2].kind, SCAN_ARG_UNDEF);
    ck_assert_ptr_null(r->args[2].s);
    ck_assert_int_eq(r->args[3].kind, SCAN_ARG_STR); /* quoted: a string, numified as Perl does */
    ck_assert(r->args[3].n == 7);
    ck_assert_int_eq(r->args[4].kind, SCAN_ARG_NUM);
    ck_assert(r->args[4].n == 25);
    ck_assert(r->args[5].n == -1);
    ck_assert_int_eq(r->args[6].kind, SCAN_ARG_STR); /* a bare word is a string */
    ck_assert_str_eq(r->args[6].s, "bare");
    ck_assert_int_eq(r->args[7].kind, SCAN_ARG_UNDEF);
    ck_assert_uint_eq(r->tflags, SCAN_TF_AUTOLEARN_BODY | SCAN_TF_NOAWL | SCAN_TF_A | SCAN_TF_AAAA);

    r = rule(rs, "EV0");
    ck_assert_int_eq(r->target, SCAN_T_NONE);
    ck_assert_uint_eq(r->nargs, 0);

    r = rule(rs, "XT");
    ck_assert_int_eq(r->kind, SCAN_K_EXTERNAL);
    ck_assert_str_eq(r->description, "raised: by code");
    ck_assert(r->score[2] == 1.0);
    scan_ruleset_free(&rs);
}
END_TEST

static const struct {
    const char *pattern, *want;
    unsigned flags;
} pattern_cases[] = {
    { "/a/", "a", 0 },
    { "//", "", 0 },
    { "/a/imsx", "a", SCAN_RE_I | SCAN_RE_M | SCAN_RE_S | SCAN_RE_X },
    { "/a\\/b/", "a\\/b", 0 },
    { "/a/b/i", "a/b", SCAN_RE_I }, /* the last delimiter closes */
    { "m{a{2}}", "a{2}", 0 },
    { "m(a(b))s", "a(b)", SCAN_RE_S },
    { "m[x]", "x", 0 },
    { "m<x>", "x", 0 },
    { "m!a/b!", "a/b", 0 },
    { "m#a#i", "a", SCAN_RE_I },
    { "m/a/", "a", 0 },
    { "/caf\xc3\xa9/", "caf\xc3\xa9", 0 },
};

START_TEST(pattern_forms)
{
    struct scan_ruleset *rs = scan_ruleset_new();
    struct arena *a = arena_new(1024);
    struct cfg_node *root, *sym, *rn, *pat;
    const struct cfg_pos pos = { "t.yaml", 1, 1 };
    const struct scan_rule *r;

    root = cfg_node_new(a, CFG_MAP, &pos);
    sym = cfg_node_new(a, CFG_MAP, &pos);
    rn = cfg_node_new(a, CFG_MAP, &pos);
    cfg_map_set(rn, "type", &pos, cfg_scalar_new(a, "body", 4, &pos));
    pat = cfg_scalar_new(a, pattern_cases[_i].pattern, strlen(pattern_cases[_i].pattern), &pos);
    cfg_map_set(rn, "pattern", &pos, pat);
    cfg_map_set(sym, "R", &pos, rn);
    cfg_map_set(root, "symbols", &pos, sym);
    ck_assert_int_eq(scan_yaml_apply(rs, sym, NULL), 0);
    assert_no_skips(rs);
    r = rule(rs, "R");
    ck_assert_str_eq(r->pattern, pattern_cases[_i].want);
    ck_assert_uint_eq(r->re_flags, pattern_cases[_i].flags);
    arena_free(&a);
    scan_ruleset_free(&rs);
}
END_TEST

/* Each mistake: the skip's origin (the value at fault) and a piece of its
 * message; name NULL when the mistake is not in a rule. */
static const struct {
    const char *yaml, *name, *origin, *msg;
} bad_cases[] = {
    { "symbols:\n  R:\n    type: nosuch\n", "R", "t.yaml:3:11", "type: unknown 'nosuch'" },
    { "symbols:\n  R:\n    type: ~\n", "R", "t.yaml:3:11", "type: empty" },
    { "symbols:\n  R:\n    type: [body]\n", "R", "t.yaml:3:11", "type: a list" },
    { "symbols:\n  R:\n    type: body\n    pattern: /a/\n    tflags: [multiple, bogus]\n", "R",
      "t.yaml:5:24", "tflags: unknown flag 'bogus'" },
    { "symbols:\n  R:\n    type: body\n    pattern: /a/\n    tflags: multiple maxhits=0\n", "R",
      "t.yaml:5:13", "maxhits=N wants a count" },
    { "symbols:\n  R:\n    type: body\n    pattern: /a/\n    tflags: [multiple, ~]\n", "R",
      "t.yaml:5:24", "tflags: empty, not a flag" },
    { "symbols:\n  R:\n    type: body\n    pattern: /a/\n    tflags: {multiple: 1}\n", "R",
      "t.yaml:5:13", "tflags: a map" },
    { "symbols:\n  R:\n    type: body\n", "R", "t.yaml:2:3", "body rules need 'pattern'" },
    { "symbols:\n  R:\n    type: header\n    pattern: /a/\n    header: ~\n", "R", "t.yaml:5:13",
      "header rules need 'header'" },
    { "symbols:\n  R:\n    type: eval\n    target: body\n", "R", "t.yaml:2:3",
      "eval rules need 'function'" },
    { "symbols:\n  R:\n    type: meta\n", "R", "t.yaml:2:3", "meta rules need 'expression'" },
    { "symbols:\n  R:\n    type: body\n    pattern: /a/\n    score: {a: 1}\n", "R", "t.yaml:5:12",
      "score: one number or a list of four" },
    { "symbols:\n  R:\n    type: body\n    pattern: /a/\n    score: [1, 2, 3]\n", "R",
      "t.yaml:5:12", "score: one number or a list of four" },
    { "symbols:\n  R:\n    type: body\n    pattern: /a/\n    score: [1, x, 2, 3]\n", "R",
      "t.yaml:5:16", "score: 'x' is not a number" },
    { "symbols:\n  R:\n    type: body\n    pattern: /a/\n    score: lots\n", "R", "t.yaml:5:12",
      "score: 'lots' is not a number" },
    { "symbols:\n  R:\n    type: body\n    pattern: /a/\n    score: nan\n", "R", "t.yaml:5:12",
      "score: 'nan' is not a number" },
    { "symbols:\n  R:\n    type: body\n    pattern: '/a(/'\n", "R", "t.yaml:4:14",
      "pattern: missing closing parenthesis at offset 2" },
    { "symbols:\n  R:\n    type: body\n    pattern: '/a{2,1}/'\n", "R", "t.yaml:4:14",
      "pattern: numbers out of order" },
    { "symbols:\n  R:\n    type: body\n    pattern: abc\n", "R", "t.yaml:4:14",
      "pattern: write it /regex/flags" },
    { "symbols:\n  R:\n    type: body\n    pattern: /a/g\n", "R", "t.yaml:4:14",
      "pattern: unknown flag 'g'" },
    { "symbols:\n  R:\n    type: body\n    pattern: '/abc'\n", "R", "t.yaml:4:14",
      "pattern: no closing '/'" },
    { "symbols:\n  R:\n    type: body\n    pattern: 'm{abc'\n", "R", "t.yaml:4:14",
      "pattern: no closing '}'" },
    { "symbols:\n  R:\n    type: body\n    pattern: \"/a\\0b/\"\n", "R", "t.yaml:4:14",
      "pattern: contains a NUL byte" },
    { "symbols:\n  R:\n    type: body\n    pattern: [a]\n", "R", "t.yaml:4:14",
      "pattern: a list, not a string" },
    { "symbols:\n  R:\n    type: body\n    patern: /a/\n", "R", "t.yaml:4:5",
      "unknown field 'patern'" },
    { "symbols:\n  R:\n    type: body\n    pattern: /a/\n    header: Subject\n", "R", "t.yaml:5:5",
      "'header' is not a field of a body rule" },
    { "symbols:\n  R:\n    type: meta\n    expression: A\n    args: [1]\n", "R", "t.yaml:5:5",
      "'args' is not a field of a meta rule" },
    { "symbols:\n  R:\n    type: header\n    header: Subject\n    pattern: /a/\n    negate: "
      "maybe\n",
      "R", "t.yaml:6:13", "negate: not true or false" },
    { "symbols:\n  R:\n    type: header\n    header: 'Sub ject'\n    pattern: /a/\n", "R",
      "t.yaml:4:13", "header: 'Sub ject' is not a header name" },
    { "symbols:\n  R:\n    type: header\n    header: ''\n    pattern: /a/\n", "R", "t.yaml:4:13",
      "header: empty" },
    { "symbols:\n  R:\n    type: header\n    header: X\n    pattern: /a/\n    if_unset: [a]\n", "R",
      "t.yaml:6:15", "if_unset: a list" },
    { "symbols:\n  R:\n    type: eval\n    function: f\n    target: sideways\n", "R", "t.yaml:5:13",
      "target: unknown 'sideways'" },
    { "symbols:\n  R:\n    type: eval\n    function: check-it\n", "R", "t.yaml:4:15",
      "function: 'check-it' is not a function name" },
    { "symbols:\n  R:\n    type: eval\n    function: f\n    args: one\n", "R", "t.yaml:5:11",
      "args: not a list" },
    { "symbols:\n  R:\n    type: eval\n    function: f\n    args: [1, {a: 2}]\n", "R",
      "t.yaml:5:15", "args: item 2 is a map" },
    { "symbols:\n  R:\n    type: meta\n    expression: 'A &&'\n", "R", "t.yaml:4:17",
      "expression: " },
    { "symbols:\n  R:\n    type: meta\n    expression: 'A / 0'\n", "R", "t.yaml:4:17",
      "expression: " },
    { "symbols:\n  R:\n    type: external\n    priority: high\n", "R", "t.yaml:4:15",
      "priority: 'high' is not an integer" },
    { "symbols:\n  R:\n    type: external\n    priority: 99999999999\n", "R", "t.yaml:4:15",
      "priority: '99999999999' is not an integer" },
    { "symbols:\n  R:\n    type: external\n    group: ''\n", "R", "t.yaml:4:12", "group: empty" },
    { "symbols:\n  R:\n    type: external\n    description: [a]\n", "R", "t.yaml:4:18",
      "description: a list, not a string" },
    { "symbols:\n  9R:\n    type: external\n", "9R", "t.yaml:2:3", "not a rule name" },
    { "symbols:\n  R-1:\n    type: external\n", "R-1", "t.yaml:2:3", "not a rule name" },
    { "symbols:\n  R: 3\n", "R", "t.yaml:2:6", "a string, not a map of fields" },
    { "symbols:\n  R: [type, body]\n", "R", "t.yaml:2:6", "a list, not a map of fields" },
    { "symbols:\n  R:\n    score: 2\n", "R", "t.yaml:2:3", "no such rule" },
    { "symbols:\n  R:\n    pattern: /a/\n    score: 2\n", "R", "t.yaml:3:5",
      "'pattern' needs a type" },
    { "symbols:\n  R:\n    type: body\n    pattern: /a/i\n    prefilter: /a/\n", "R", "t.yaml:5:16",
      "prefilter: its flags must be the pattern's" },
    { "symbols:\n  R:\n    type: meta\n    expression: A\n    prefilter: /a/\n", "R", "t.yaml:5:5",
      "'prefilter' is not a field of a meta rule" },
    { "symbols:\n  R:\n    type: composite\n    expression: 'A & (B |'\n", "R", "t.yaml:4:17",
      "expression: a symbol name expected at the end at offset 8" },
    { "symbols:\n  R:\n    type: composite\n    expression: 'A B'\n", "R", "t.yaml:4:17",
      "expression: an operator (& | !) or the end expected" },
    { "symbols:\n  R:\n    type: composite\n    expression: A\n    policy: drop\n", "R",
      "t.yaml:5:13", "policy: unknown 'drop'" },
    { "symbols:\n  R:\n    type: meta\n    expression: A\n    policy: leave\n", "R", "t.yaml:5:5",
      "'policy' is not a field of a meta rule" },
    { "- a\n", NULL, "t.yaml:1:1", "a rules file is a map with a 'symbols' key, not a list" },
    { "just text\n", NULL, "t.yaml:1:1", "not a string" },
    { "rules: {}\n", NULL, "t.yaml:1:1", "unknown key 'rules'" },
    { "symbols: [a]\n", NULL, "t.yaml:1:10", "symbols: a list, not a map" },
};

START_TEST(mistakes_are_skips_at_their_position)
{
    struct scan_ruleset *rs = load(bad_cases[_i].yaml);
    const struct scan_skip *s = scan_ruleset_skip_at(rs, 0);
    const struct scan_rule *r = scan_ruleset_find(rs, "R");

    ck_assert_msg(s != NULL, "%s: no skip", bad_cases[_i].yaml);
    ck_assert_uint_eq(scan_ruleset_nskips(rs), 1);
    ck_assert_str_eq(s->category, "yaml");
    ck_assert_msg(strcmp(s->origin, bad_cases[_i].origin) == 0, "%s: origin %s, want %s",
                  bad_cases[_i].yaml, s->origin, bad_cases[_i].origin);
    ck_assert_msg(strstr(s->message, bad_cases[_i].msg) != NULL, "%s: message '%s', want '%s'",
                  bad_cases[_i].yaml, s->message, bad_cases[_i].msg);
    if (bad_cases[_i].name == NULL)
        ck_assert_ptr_null(s->name);
    else
        ck_assert_str_eq(s->name, bad_cases[_i].name);
    ck_assert(r == NULL || r->kind == SCAN_K_UNDEFINED); /* left out */
    scan_ruleset_free(&rs);
}
END_TEST

START_TEST(a_bad_entry_does_not_stop_the_others)
{
    struct scan_ruleset *rs = load("symbols:\n"
                                   "  A: { type: body, pattern: /a/ }\n"
                                   "  B: { type: body, pattern: '/(/' }\n"
                                   "  C: { type: bogus }\n"
                                   "  D: { type: uri, pattern: /d/ }\n");

    ck_assert_uint_eq(scan_ruleset_nskips(rs), 2);
    ck_assert_str_eq(scan_ruleset_skip_at(rs, 0)->origin, "t.yaml:3:29");
    ck_assert_str_eq(scan_ruleset_skip_at(rs, 1)->origin, "t.yaml:4:14");
    rule(rs, "A");
    rule(rs, "D");
    ck_assert_ptr_null(scan_ruleset_find(rs, "B"));
    ck_assert_ptr_null(scan_ruleset_find(rs, "C"));
    ck_assert_uint_eq(scan_ruleset_count(rs), 2);
    scan_ruleset_free(&rs);
}
END_TEST

START_TEST(a_redefinition_replaces_the_definition_and_keeps_attributes)
{
    struct scan_ruleset *rs = load("symbols:\n"
                                   "  R:\n"
                                   "    type: header\n"
                                   "    header: Subject\n"
                                   "    pattern: /a/i\n"
                                   "    negate: yes\n"
                                   "    if_unset: x\n"
                                   "    score: 3\n"
                                   "    description: first\n"
                                   "    tflags: [multiple]\n");
    struct sift_err err;
    const char *again = "symbols:\n  R: { type: body, pattern: /b/, group: g }\n";
    const char *bad = "symbols:\n  R: { type: uri, pattern: '/(/', score: 9 }\n";
    const struct scan_rule *r;

    ck_assert_int_eq(scan_yaml_load_text(rs, "u.yaml", again, strlen(again), &err), 0);
    r = rule(rs, "R");
    ck_assert_int_eq(r->target, SCAN_T_BODY);
    ck_assert_str_eq(r->pattern, "b");
    ck_assert_uint_eq(r->re_flags, 0);
    ck_assert_ptr_null(r->header);
    ck_assert(!r->negate);
    ck_assert_ptr_null(r->if_unset);
    ck_assert(r->has_score && r->score[0] == 3);
    ck_assert_str_eq(r->description, "first");
    ck_assert_str_eq(r->group, "g");
    ck_assert_uint_eq(r->tflags, SCAN_TF_MULTIPLE);
    ck_assert_str_eq(r->origin, "u.yaml:2:3");
    /* a bad redefinition leaves the rule as it was */
    ck_assert_int_eq(scan_yaml_load_text(rs, "v.yaml", bad, strlen(bad), &err), 0);
    ck_assert_uint_eq(scan_ruleset_nskips(rs), 1);
    ck_assert_int_eq(r->target, SCAN_T_BODY);
    ck_assert_str_eq(r->pattern, "b");
    ck_assert(r->score[0] == 3);
    scan_ruleset_free(&rs);
}
END_TEST

START_TEST(the_configuration_rescores_redescribes_and_retags)
{
    struct scan_ruleset *rs =
        load("symbols:\n"
             "  R1: { type: body, pattern: /a/, score: 1, description: old }\n"
             "  R2: { type: body, pattern: /b/, score: 2, priority: 3 }\n"
             "  XT: { type: external, description: ext, group: mime }\n");
    const char *conf = "symbols:\n"
                       "  R1:\n"
                       "    score: [1, 2, 3, 4]\n"
                       "    description: new\n"
                       "    group: mine\n"
                       "    tflags: [net, maxhits=2]\n"
                       "    priority: 5\n"
                       "  R2: { score: ~, priority: ~ }\n"
                       "  NOPE: { score: 1 }\n"
                       "  XT: { description: ~, group: ~, score: -0.5 }\n"
                       "  R3: { type: meta, expression: R1 && R2 }\n";
    struct arena *a = arena_new(4096);
    struct cfg_node *root;
    struct sift_err err;
    const struct scan_rule *r;

    ck_assert_int_eq(cfg_yaml_parse(a, "conf.yaml", conf, strlen(conf), &root, &err), 0);
    ck_assert_int_eq(scan_yaml_apply(rs, cfg_map_get(root, "symbols"), &err), 0);
    ck_assert_int_eq(scan_yaml_apply(rs, NULL, &err), 0);
    ck_assert_uint_eq(scan_ruleset_nskips(rs), 1);
    ck_assert_str_eq(scan_ruleset_skip_at(rs, 0)->name, "NOPE");
    ck_assert_str_eq(scan_ruleset_skip_at(rs, 0)->origin, "conf.yaml:9:3");
    ck_assert_ptr_nonnull(strstr(scan_ruleset_skip_at(rs, 0)->message, "no such rule"));

    r = rule(rs, "R1");
    ck_assert_str_eq(r->pattern, "a"); /* the definition is untouched */
    ck_assert_str_eq(r->origin, "t.yaml:2:3");
    ck_assert(r->score[0] == 1 && r->score[1] == 2 && r->score[2] == 3 && r->score[3] == 4);
    ck_assert_str_eq(r->description, "new");
    ck_assert_str_eq(r->group, "mine");
    ck_assert_uint_eq(r->tflags, SCAN_TF_NET);
    ck_assert_uint_eq(r->maxhits, 2);
    ck_assert_int_eq(r->priority, 5);
    r = rule(rs, "R2");
    ck_assert(!r->has_score); /* back to the default */
    ck_assert(r->score[0] == 0);
    ck_assert_int_eq(r->priority, 0);
    r = rule(rs, "XT");
    ck_assert_ptr_null(r->description);
    ck_assert_ptr_null(r->group);
    ck_assert(r->score[1] == -0.5);
    r = rule(rs, "R3");
    ck_assert_str_eq(r->origin, "conf.yaml:11:3");
    ck_assert_uint_eq(scan_ruleset_count(rs), 4);
    arena_free(&a);
    scan_ruleset_free(&rs);
}
END_TEST

START_TEST(files_and_directories)
{
    char dir[PATH_MAX], path[PATH_MAX + 32];
    struct scan_ruleset *rs = scan_ruleset_new();
    struct sift_err err;
    const struct scan_rule *r;

    unit_tmpdir(dir);
    unit_write(dir, "b.yaml",
               "symbols:\n  R1: { type: body, pattern: /from-b/ }\n"
               "  R2: { type: body, pattern: /two/ }\n");
    unit_write(dir, "a.yaml", "symbols:\n  R1: { type: body, pattern: /from-a/, score: 2 }\n");
    unit_write(dir, "c.yml", "symbols:\n  R3: { type: body, pattern: /no/ }\n");
    unit_write(dir, ".hidden.yaml", "symbols:\n  R4: { type: body, pattern: /no/ }\n");
    unit_write(dir, "empty.yaml", "");
    unit_write(dir, "sub.yaml/x", "");
    ck_assert_int_eq(scan_yaml_load_dir(rs, dir, &err), 0);
    assert_no_skips(rs);
    r = rule(rs, "R1");
    ck_assert_uint_eq(r->index, 0);         /* a.yaml first */
    ck_assert_str_eq(r->pattern, "from-b"); /* b.yaml last */
    ck_assert(r->score[0] == 2);
    ck_assert_uint_eq(rule(rs, "R2")->index, 1);
    ck_assert_uint_eq(scan_ruleset_count(rs), 2);

    /* one broken file fails the directory, with its position */
    unit_write(dir, "d.yaml", "symbols:\n  R5: [\n");
    ck_assert_int_eq(scan_yaml_load_dir(rs, dir, &err), -1);
    snprintf(path, sizeof(path), "%s/d.yaml:", dir);
    ck_assert_msg(strncmp(err.msg, path, strlen(path)) == 0, "%s", err.msg);
    snprintf(path, sizeof(path), "%s/d.yaml", dir);
    ck_assert_int_eq(scan_yaml_load_file(rs, path, &err), -1);
    ck_assert_msg(strstr(err.msg, "d.yaml:3:1: bad YAML") != NULL, "%s", err.msg);

    snprintf(path, sizeof(path), "%s/none", dir);
    ck_assert_int_eq(scan_yaml_load_dir(rs, path, &err), 0); /* missing: no rules */
    ck_assert_int_eq(scan_yaml_load_file(rs, path, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot open"));
    snprintf(path, sizeof(path), "%s/a.yaml", dir);
    ck_assert_int_eq(scan_yaml_load_dir(rs, path, &err), -1); /* not a directory */
    ck_assert_int_eq(scan_yaml_load_text(rs, "t.yaml", "a: [", 4, &err), -1);
    ck_assert_msg(strncmp(err.msg, "t.yaml:2:1: bad YAML", 20) == 0, "%s", err.msg);
    unit_rmtree(dir);
    scan_ruleset_free(&rs);
}
END_TEST

START_TEST(the_shipped_rules_load)
{
    struct scan_ruleset *rs = scan_ruleset_new();
    struct sift_err err;
    static const char *const ext[] = { "MIME_PARTS_LIMIT", "MIME_DEPTH_LIMIT",
                                       "MIME_HEADERS_LIMIT" };

    if (scan_yaml_load_dir(rs, "rules", &err) != 0)
        ck_abort_msg("rules/: %s", err.msg);
    assert_no_skips(rs);
    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        const struct scan_rule *r = rule(rs, ext[i]);

        ck_assert_int_eq(r->kind, SCAN_K_EXTERNAL);
        ck_assert(r->has_score && r->score[0] > 0);
        ck_assert_ptr_nonnull(r->description);
    }
    scan_ruleset_free(&rs);
}
END_TEST

/* ---- round trip ---- */

static bool
str_same(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The first field in which two rules differ (origins aside), or NULL. */
static const char *
rule_diff(const struct scan_rule *a, const struct scan_rule *b)
{
    if (!str_same(a->name, b->name))
        return "name";
    if (a->kind != b->kind || a->target != b->target)
        return "kind/target";
    if (!str_same(a->pattern, b->pattern) || a->re_flags != b->re_flags)
        return "pattern";
    if (!str_same(a->prefilter, b->prefilter))
        return "prefilter";
    if (!str_same(a->header, b->header) || a->negate != b->negate ||
        !str_same(a->if_unset, b->if_unset))
        return "header";
    if (!str_same(a->eval, b->eval) || a->nargs != b->nargs)
        return "eval";
    for (size_t i = 0; i < a->nargs; i++) {
        const struct scan_eval_arg *x = &a->args[i], *y = &b->args[i];

        if (x->kind != y->kind || x->len != y->len || x->n != y->n ||
            (x->s == NULL) != (y->s == NULL) || (x->s != NULL && memcmp(x->s, y->s, x->len) != 0))
            return "args";
    }
    if (!str_same(a->expr, b->expr))
        return "expr";
    if (a->policy != b->policy)
        return "policy";
    if (a->has_score != b->has_score || memcmp(a->score, b->score, sizeof(a->score)) != 0)
        return "score";
    if (!str_same(a->description, b->description) || !str_same(a->group, b->group))
        return "description/group";
    if (a->tflags != b->tflags || a->maxhits != b->maxhits || a->priority != b->priority)
        return "tflags/priority";
    return NULL;
}

/* Every defined rule of a is in b, in the same order, and nothing else. */
static void
assert_same_rules(const struct scan_ruleset *a, const struct scan_ruleset *b, const char *text)
{
    size_t j = 0;

    for (size_t i = 0; i < scan_ruleset_count(a); i++) {
        const struct scan_rule *x = scan_ruleset_at(a, i), *y;
        const char *d;

        if (x->kind == SCAN_K_UNDEFINED)
            continue;
        y = scan_ruleset_at(b, j++);
        ck_assert_msg(y != NULL, "%s missing after the round trip:\n%s", x->name, text);
        d = rule_diff(x, y);
        ck_assert_msg(d == NULL, "%s: %s differs after the round trip:\n%s", x->name, d, text);
    }
    ck_assert_uint_eq(j, scan_ruleset_count(b));
}

static struct scan_rule *
mk(struct scan_ruleset *rs, const char *name, enum scan_rule_kind kind, enum scan_target target)
{
    struct scan_rule *r = scan_ruleset_rule(rs, name);

    r->kind = kind;
    r->target = target;
    r->origin = "hand.cf:1";
    return r;
}

static void
set_score(struct scan_rule *r, double a, double b, double c, double d)
{
    r->score[0] = a, r->score[1] = b, r->score[2] = c, r->score[3] = d;
    r->has_score = true;
}

static void
set_arg(struct scan_eval_arg *g, enum scan_arg_kind kind, const char *s, size_t len, double n)
{
    g->kind = kind;
    g->s = s;
    g->len = len;
    g->n = n;
}

static struct scan_ruleset *
every_kind(void)
{
    struct scan_ruleset *rs = scan_ruleset_new();
    struct scan_rule *r;
    static struct scan_eval_arg args[9];

    r = mk(rs, "HDR", SCAN_K_REGEX, SCAN_T_HEADER);
    r->header = "Subject";
    r->pattern = "^(?:it's|\"dq\")\\s+\\\\ # not: a comment \xc3\xa9\xe2\x82\xac\\/ '' \"";
    r->re_flags = SCAN_RE_I | SCAN_RE_M;
    r->negate = true;
    r->if_unset = "a 'b' \"c\" : # d";
    set_score(r, 1.5, -0.25, 0, 3e-7);
    r->description = "Has: 'quotes', \"dq\", # hash, back\\slash, \xc3\xbcn\xc3\xaf"
                     "c\xc3\xb6"
                     "d\xc3\xa9";
    r->group = "my group: x";
    r->tflags = 0x1ffff; /* every flag */
    r->maxhits = 7;
    r->priority = -900;

    r = mk(rs, "BODY_SLASH", SCAN_K_REGEX, SCAN_T_BODY);
    r->pattern = "http://a{2}b";
    r->re_flags = SCAN_RE_S | SCAN_RE_X;
    set_score(r, 0.1 + 0.2, 0.1 + 0.2, 0.1 + 0.2, 0.1 + 0.2);

    r = mk(rs, "COMPOSITE_LEAVE", SCAN_K_COMPOSITE, SCAN_T_NONE);
    r->expr = "(BODY_SLASH | ~HDR) & !-RAW_CTRL";
    r->policy = SCAN_COMPOSITE_LEAVE;

    r = mk(rs, "COMPOSITE_ALL", SCAN_K_COMPOSITE, SCAN_T_NONE);
    r->expr = "BODY_SLASH && HDR";

    r = mk(rs, "BODY_PREFILTERED", SCAN_K_REGEX, SCAN_T_BODY);
    r->pattern = "(?&t){2}(?(DEFINE)(?<t>ab))";
    r->prefilter = "(?:ab){2}";
    r->re_flags = SCAN_RE_I;

    r = mk(rs, "BODY_DELIMS", SCAN_K_REGEX, SCAN_T_BODY);
    r->pattern = "/{}!|#,~%@()<>";
    set_score(r, 1e300, -1e-300, 0, -0.0);

    r = mk(rs, "RAW_CTRL", SCAN_K_REGEX, SCAN_T_RAWBODY);
    r->pattern = "a\tb\r\n\x01\x7f \xc2\x85\xc2\xa0\xe2\x80\xa8\xef\xbb\xbf\xf0\x9f\x98\x80 ";
    r->description = " leading and trailing spaces ";

    r = mk(rs, "URI_EMPTY", SCAN_K_REGEX, SCAN_T_URI);
    r->pattern = "";
    r->description = "";

    r = mk(rs, "FULL", SCAN_K_REGEX, SCAN_T_FULL);
    r->pattern = "^From ";
    r->re_flags = SCAN_RE_M;
    r->group = "null";

    r = mk(rs, "MIMEH", SCAN_K_REGEX, SCAN_T_MIMEHEADER);
    r->header = "Content-Type:raw";
    r->pattern = "text/html";
    r->if_unset = "";
    r->group = "From:";

    r = mk(rs, "HDR_COLON", SCAN_K_REGEX, SCAN_T_HEADER);
    r->header = "From:";
    r->pattern = "'";
    r->negate = true;

    r = mk(rs, "EXISTS", SCAN_K_EXISTS, SCAN_T_HEADER);
    r->header = "X-Spam-Flag";
    set_score(r, 0, 0, 0, 0);

    r = mk(rs, "META", SCAN_K_META, SCAN_T_NONE);
    r->expr = "HDR && (BODY_SLASH || !RAW_CTRL) && rules_matching(BODY_*) > 1";
    set_score(r, 1, 2, 3, 4);

    r = mk(rs, "EVAL", SCAN_K_EVAL, SCAN_T_BODY);
    r->eval = "check_for_mime";
    set_arg(&args[0], SCAN_ARG_STR, "mime_attachment", 15, 0);
    set_arg(&args[1], SCAN_ARG_NUM, "3", 1, 3);
    set_arg(&args[2], SCAN_ARG_UNDEF, NULL, 0, 0);
    set_arg(&args[3], SCAN_ARG_STR, "2.5", 3, 2.5);
    set_arg(&args[4], SCAN_ARG_STR, "it's \"x\" : # \\", 14, 0);
    set_arg(&args[5], SCAN_ARG_NUM, "-1e3", 4, -1000);
    set_arg(&args[6], SCAN_ARG_STR, "", 0, 0);
    set_arg(&args[7], SCAN_ARG_STR, "a\0b", 3, 0);
    set_arg(&args[8], SCAN_ARG_STR, "  12abc", 7, 12);
    r->args = args;
    r->nargs = 9;
    r->tflags = SCAN_TF_NET;

    r = mk(rs, "EVAL_BARE", SCAN_K_EVAL, SCAN_T_NONE);
    r->eval = "check_nothing";
    r->priority = 2147483647;

    r = mk(rs, "EXTERNAL", SCAN_K_EXTERNAL, SCAN_T_NONE);
    set_score(r, 1, 1, 1, 1);
    r->group = "mime";
    r->origin = "weird\norigin\xff";

    r = scan_ruleset_rule(rs, "ONLY_SCORED"); /* a score line for no rule: not written */
    set_score(r, 5, 5, 5, 5);

    r = mk(rs, "T_DEFAULTS", SCAN_K_REGEX, SCAN_T_BODY);
    r->pattern = "x";
    r->origin = NULL;
    r->maxhits = 4; /* without multiple */
    return rs;
}

static struct scan_ruleset *
reload(const struct buf *text)
{
    struct scan_ruleset *rs = scan_ruleset_new();
    struct sift_err err;

    if (scan_yaml_load_text(rs, "rt.yaml", text->p, text->len, &err) != 0)
        ck_abort_msg("written text does not parse: %s\n%s", err.msg, text->p);
    if (scan_ruleset_nskips(rs) != 0)
        ck_abort_msg("written text has a skip: %s: %s\n%s", scan_ruleset_skip_at(rs, 0)->origin,
                     scan_ruleset_skip_at(rs, 0)->message, text->p);
    return rs;
}

START_TEST(what_is_written_reads_back_the_same)
{
    struct scan_ruleset *rs = every_kind(), *rs2, *rs3, *rs4;
    struct buf w1, w2, w3, w4;

    buf_init(&w1);
    buf_init(&w2);
    buf_init(&w3);
    buf_init(&w4);
    scan_yaml_write(rs, &w1);
    rs2 = reload(&w1);
    assert_same_rules(rs, rs2, w1.p);
    scan_yaml_write(rs2, &w2);
    rs3 = reload(&w2);
    assert_same_rules(rs2, rs3, w2.p);
    scan_yaml_write(rs3, &w3);
    rs4 = reload(&w3);
    scan_yaml_write(rs4, &w4);
    ck_assert_str_eq(w3.p, w4.p); /* a fixed point, origin comments included */
    /* what a reader sees */
    ck_assert_ptr_nonnull(strstr(w1.p, "  BODY_SLASH: # hand.cf:1\n    type: body\n"
                                       "    pattern: 'm!http://a{2}b!sx'\n"));
    ck_assert_ptr_nonnull(strstr(w1.p, "    pattern: '//{}!|#,~%@()<>/'\n"));
    ck_assert_ptr_nonnull(strstr(w1.p, "    type: composite\n"
                                       "    expression: '(BODY_SLASH | ~HDR) & !-RAW_CTRL'\n"
                                       "    policy: leave\n"));
    ck_assert_ptr_nonnull(strstr(w1.p, "    type: composite\n"
                                       "    expression: 'BODY_SLASH && HDR'\n"));
    ck_assert_ptr_nonnull(strstr(w1.p, "    pattern: '/(?&t){2}(?(DEFINE)(?<t>ab))/i'\n"
                                       "    prefilter: '/(?:ab){2}/i'\n"));
    ck_assert_ptr_nonnull(strstr(w1.p, "    score: 0.30000000000000004\n"));
    ck_assert_ptr_nonnull(strstr(w1.p, "    score: [1, 2, 3, 4]\n"));
    ck_assert_ptr_nonnull(strstr(w1.p, "    header: 'From:'\n"));
    ck_assert_ptr_nonnull(strstr(w1.p, "    group: 'null'\n"));
    ck_assert_ptr_nonnull(strstr(w1.p, "    pattern: '/''/'\n"));
    ck_assert_ptr_nonnull(strstr(w1.p, "    args: ['mime_attachment', 3, null, '2.5', "));
    ck_assert_ptr_nonnull(strstr(w1.p, "    tflags: [maxhits=4]\n"));
    ck_assert_ptr_nonnull(strstr(w1.p, "  # ONLY_SCORED: attributes without a rule"));
    ck_assert_ptr_nonnull(strstr(w1.p, "  EXTERNAL: # weird?origin?\n"));
    buf_clear(&w1);
    buf_clear(&w2);
    buf_clear(&w3);
    buf_clear(&w4);
    scan_ruleset_free(&rs);
    scan_ruleset_free(&rs2);
    scan_ruleset_free(&rs3);
    scan_ruleset_free(&rs4);
}
END_TEST

/* scan_yaml_write_rule: each rule alone, as the configuration's section
 * (names at column 0), reads back as the rule; an entry of attributes only
 * sets each one it names, defaults included. */
START_TEST(one_entry_per_rule_reads_back_the_same)
{
    struct scan_ruleset *rs = every_kind(), *back = scan_ruleset_new();
    struct buf w;
    struct arena *a = arena_new(4096);
    struct cfg_node *tree;
    struct sift_err err;

    bool written[64] = { false };

    buf_init(&w);
    ck_assert_uint_le(scan_ruleset_count(rs), 64);
    for (size_t i = 0; i < scan_ruleset_count(rs); i++)
        written[i] = scan_yaml_write_rule(scan_ruleset_at(rs, i), SCAN_YAML_W_ALL, 0, &w) == 0;
    ck_assert_int_eq(cfg_yaml_parse(a, "s.yaml", w.p, w.len, &tree, &err), 0);
    ck_assert_int_eq(scan_yaml_apply(back, tree, &err), 0);
    for (size_t i = 0; i < scan_ruleset_count(rs); i++) {
        const struct scan_rule *r = scan_ruleset_at(rs, i);
        const struct scan_rule *b = scan_ruleset_find(back, r->name);
        const char *d;

        if (!written[i]) { /* no definition to write: refused */
            ck_assert_msg(r->kind == SCAN_K_UNDEFINED, "%s not written", r->name);
            continue;
        }
        ck_assert_msg(b != NULL, "%s not read back:\n%s", r->name, w.p);
        d = rule_diff(r, b);
        ck_assert_msg(d == NULL, "%s: %s differs:\n%s", r->name, d, w.p);
    }
    ck_assert_ptr_nonnull(strstr(w.p, "\nBODY_SLASH: # hand.cf:1\n  type: body\n"));
    buf_reset(&w);
    ck_assert_int_eq(
        scan_yaml_write_rule(scan_ruleset_find(rs, "ONLY_SCORED"), SCAN_YAML_W_DEFINITION, 0, &w),
        -1);
    ck_assert_uint_eq(w.len, 0);
    buf_clear(&w);
    arena_free(&a);
    scan_ruleset_free(&back);
    scan_ruleset_free(&rs);
}
END_TEST

START_TEST(an_attribute_entry_resets_what_it_names)
{
    struct scan_ruleset *rs = load("symbols:\n  R:\n    type: body\n    pattern: '/x/'\n"
                                   "    score: 3\n    description: d\n    group: g\n"
                                   "    tflags: [multiple, maxhits=2]\n    priority: 5\n");
    struct scan_rule plain = { .name = "R" };
    struct arena *a = arena_new(4096);
    struct cfg_node *tree;
    struct sift_err err;
    struct buf w;

    buf_init(&w);
    scan_yaml_write_rule(&plain, SCAN_YAML_W_ATTRS, 0, &w);
    ck_assert_str_eq(w.p, "R:\n  score: ~\n  description: ~\n  group: ~\n  tflags: []\n"
                          "  priority: 0\n");
    ck_assert_int_eq(cfg_yaml_parse(a, "s.yaml", w.p, w.len, &tree, &err), 0);
    ck_assert_int_eq(scan_yaml_apply(rs, tree, &err), 0);
    assert_no_skips(rs);
    ck_assert(!rule(rs, "R")->has_score);
    ck_assert_ptr_null(rule(rs, "R")->description);
    ck_assert_ptr_null(rule(rs, "R")->group);
    ck_assert_uint_eq(rule(rs, "R")->tflags, 0);
    ck_assert_uint_eq(rule(rs, "R")->maxhits, 0);
    ck_assert_int_eq(rule(rs, "R")->priority, 0);
    ck_assert_str_eq(rule(rs, "R")->pattern, "x"); /* the definition stays */
    buf_clear(&w);
    arena_free(&a);
    scan_ruleset_free(&rs);
}
END_TEST

START_TEST(an_empty_ruleset_is_written_as_an_empty_map)
{
    struct scan_ruleset *rs = scan_ruleset_new(), *rs2;
    struct buf w;

    buf_init(&w);
    scan_yaml_write(rs, &w);
    ck_assert_ptr_nonnull(strstr(w.p, "symbols: {}\n"));
    rs2 = reload(&w);
    ck_assert_uint_eq(scan_ruleset_count(rs2), 0);
    buf_clear(&w);
    scan_ruleset_free(&rs);
    scan_ruleset_free(&rs2);
}
END_TEST

static bool
pcre_hits(const char *pattern, unsigned flags, const char *subject)
{
    uint32_t o = PCRE2_NEVER_UTF | PCRE2_NEVER_UCP | ((flags & SCAN_RE_I) ? PCRE2_CASELESS : 0);
    int code;
    PCRE2_SIZE off;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, o, &code, &off, NULL);
    pcre2_match_data *md;
    int rc;

    ck_assert_ptr_nonnull(re);
    md = pcre2_match_data_create_from_pattern(re, NULL);
    rc = pcre2_match(re, (PCRE2_SPTR)subject, strlen(subject), 0, 0, md, NULL);
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return rc >= 0;
}

/* Latin-1 bytes (old SpamAssassin files) cannot be YAML text: a pattern
 * gets \xHH escapes that match the same bytes; other strings read them
 * as Latin-1. */
static const struct {
    const char *pattern, *want, *hit, *miss;
} latin1_cases[] = {
    { "gu[e\xe8\xe9\xea]i", "gu[e\\xe8\\xe9\\xea]i", "gu\xe9i", "gu\xebi" },
    { "a\\\xe9", "a\\xe9", "a\xe9", "a\\" },
    { "\\Qa\xe9.\\E+", "\\Qa\\E\\xe9\\Q.\\E+", "a\xe9..", "a\xe9x" },
    { "\\\\\xff", "\\\\\\xff", "\\\xff", "\xff" },
    { "\xc3", "\\xc3", "\xc3", "c" },
};

START_TEST(latin1_patterns_are_written_as_escapes)
{
    struct scan_ruleset *rs = scan_ruleset_new(), *rs2;
    struct scan_rule *r = mk(rs, "L1", SCAN_K_REGEX, SCAN_T_BODY);
    const struct scan_rule *r2;
    struct buf w;

    r->pattern = latin1_cases[_i].pattern;
    r->description = "caf\xe9 \x80";
    buf_init(&w);
    scan_yaml_write(rs, &w);
    rs2 = reload(&w);
    r2 = rule(rs2, "L1");
    ck_assert_str_eq(r2->pattern, latin1_cases[_i].want);
    ck_assert_str_eq(r2->description, "caf\xc3\xa9 \xc2\x80");
    ck_assert(pcre_hits(r->pattern, 0, latin1_cases[_i].hit));
    ck_assert(pcre_hits(r2->pattern, 0, latin1_cases[_i].hit));
    ck_assert(!pcre_hits(r->pattern, 0, latin1_cases[_i].miss));
    ck_assert(!pcre_hits(r2->pattern, 0, latin1_cases[_i].miss));
    buf_clear(&w);
    scan_ruleset_free(&rs);
    scan_ruleset_free(&rs2);
}
END_TEST

/* ---- robustness ---- */

static uint32_t
lcg(uint32_t *state)
{
    *state = *state * 1103515245u + 12345u;
    return *state >> 8;
}

/* Load text; when it loads, what is written must read back the same. */
static void
load_and_round_trip(const char *text, size_t len)
{
    struct scan_ruleset *rs = scan_ruleset_new(), *rs2;
    struct sift_err err;
    struct buf w;

    if (scan_yaml_load_text(rs, "r.yaml", text, len, &err) == 0) {
        for (size_t i = 0; i < scan_ruleset_nskips(rs); i++)
            ck_assert_ptr_nonnull(scan_ruleset_skip_at(rs, i)->message);
        buf_init(&w);
        scan_yaml_write(rs, &w);
        rs2 = reload(&w);
        assert_same_rules(rs, rs2, w.p);
        buf_clear(&w);
        scan_ruleset_free(&rs2);
    } else {
        ck_assert(err.msg[0] != '\0');
    }
    scan_ruleset_free(&rs);
}

START_TEST(random_bytes_do_not_crash)
{
    static const char alphabet[] = "symbols:type{}[],'\"\\/#&*!|>-?~ \n\tbodyheaderpattern0123";
    uint32_t st = 12345;
    char buf[512];
    size_t base = strlen(every_field);

    for (int iter = 0; iter < 3000; iter++) {
        size_t len = lcg(&st) % sizeof(buf);

        for (size_t i = 0; i < len; i++)
            buf[i] = iter % 2 ? (char)lcg(&st) : alphabet[lcg(&st) % (sizeof(alphabet) - 1)];
        load_and_round_trip(buf, len);
    }
    /* a valid file with a few bytes changed */
    for (int iter = 0; iter < 1500; iter++) {
        char *t = strdup(every_field);

        for (int k = 0, n = 1 + (int)(lcg(&st) % 4); k < n; k++)
            t[lcg(&st) % base] = alphabet[lcg(&st) % (sizeof(alphabet) - 1)];
        load_and_round_trip(t, base);
        free(t);
    }
}
END_TEST

static Suite *
scan_yaml_suite(void)
{
    Suite *s = suite_create("scan_yaml");
    TCase *tc = tcase_create("scan_yaml");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, every_field_is_read);
    tcase_add_loop_test(tc, pattern_forms, 0, sizeof(pattern_cases) / sizeof(pattern_cases[0]));
    tcase_add_loop_test(tc, mistakes_are_skips_at_their_position, 0,
                        sizeof(bad_cases) / sizeof(bad_cases[0]));
    tcase_add_test(tc, a_bad_entry_does_not_stop_the_others);
    tcase_add_test(tc, a_redefinition_replaces_the_definition_and_keeps_attributes);
    tcase_add_test(tc, the_configuration_rescores_redescribes_and_retags);
    tcase_add_test(tc, files_and_directories);
    tcase_add_test(tc, the_shipped_rules_load);
    tcase_add_test(tc, what_is_written_reads_back_the_same);
    tcase_add_test(tc, one_entry_per_rule_reads_back_the_same);
    tcase_add_test(tc, an_attribute_entry_resets_what_it_names);
    tcase_add_test(tc, an_empty_ruleset_is_written_as_an_empty_map);
    tcase_add_loop_test(tc, latin1_patterns_are_written_as_escapes, 0,
                        sizeof(latin1_cases) / sizeof(latin1_cases[0]));
    tcase_add_test(tc, random_bytes_do_not_crash);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(scan_yaml_suite());
}
