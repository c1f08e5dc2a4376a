/*
 * fuzz_scan_yaml.c - libFuzzer target for native YAML rules: any bytes
 * must load (with skips) or fail with a positioned error, never crash,
 * hang or leak; what loads must be written as text that loads again
 * without a skip into the same rules, and writing that is a fixed point.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "scan/scan_rule.h"
#include "scan/scan_yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
str_cmp(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a != b;
    return strcmp(a, b);
}

static int
rule_cmp(const struct scan_rule *a, const struct scan_rule *b)
{
    if (str_cmp(a->name, b->name) || a->kind != b->kind || a->target != b->target ||
        str_cmp(a->pattern, b->pattern) || a->re_flags != b->re_flags ||
        str_cmp(a->header, b->header) || a->negate != b->negate ||
        str_cmp(a->if_unset, b->if_unset) || str_cmp(a->eval, b->eval) || a->nargs != b->nargs ||
        str_cmp(a->expr, b->expr) || a->has_score != b->has_score ||
        memcmp(a->score, b->score, sizeof(a->score)) != 0 ||
        str_cmp(a->description, b->description) || str_cmp(a->group, b->group) ||
        a->tflags != b->tflags || a->maxhits != b->maxhits || a->priority != b->priority)
        return 1;
    for (size_t i = 0; i < a->nargs; i++) {
        const struct scan_eval_arg *x = &a->args[i], *y = &b->args[i];

        if (x->kind != y->kind || x->len != y->len || x->n != y->n ||
            (x->s == NULL) != (y->s == NULL) || (x->s != NULL && memcmp(x->s, y->s, x->len) != 0))
            return 1;
    }
    return 0;
}

static struct scan_ruleset *
reload(const struct buf *text)
{
    struct scan_ruleset *rs = scan_ruleset_new();
    struct sift_err err;

    if (scan_yaml_load_text(rs, "rt.yaml", text->p, text->len, &err) != 0) {
        fprintf(stderr, "written text does not parse: %s\n%s\n", err.msg, text->p);
        abort();
    }
    if (scan_ruleset_nskips(rs) != 0) {
        fprintf(stderr, "written text has a skip: %s\n%s\n", scan_ruleset_skip_at(rs, 0)->message,
                text->p);
        abort();
    }
    return rs;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scan_ruleset *rs = scan_ruleset_new(), *rs2, *rs3;
    struct sift_err err;
    struct buf w1, w2, w3;

    if (scan_yaml_load_text(rs, "fuzz.yaml", (const char *)data, size, &err) != 0) {
        if (err.msg[0] == '\0')
            abort();
        scan_ruleset_free(&rs);
        return 0;
    }
    buf_init(&w1);
    buf_init(&w2);
    buf_init(&w3);
    scan_yaml_write(rs, &w1);
    rs2 = reload(&w1);
    if (scan_ruleset_count(rs) != scan_ruleset_count(rs2))
        abort();
    for (size_t i = 0; i < scan_ruleset_count(rs); i++) {
        if (rule_cmp(scan_ruleset_at(rs, i), scan_ruleset_at(rs2, i)) != 0) {
            fprintf(stderr, "%s changed:\n%s\n", scan_ruleset_at(rs, i)->name, w1.p);
            abort();
        }
    }
    scan_yaml_write(rs2, &w2);
    rs3 = reload(&w2);
    scan_yaml_write(rs3, &w3);
    if (w2.len != w3.len || memcmp(w2.p, w3.p, w2.len) != 0) {
        fprintf(stderr, "not a fixed point:\n%s\n----\n%s\n", w2.p, w3.p);
        abort();
    }
    buf_clear(&w1);
    buf_clear(&w2);
    buf_clear(&w3);
    scan_ruleset_free(&rs);
    scan_ruleset_free(&rs2);
    scan_ruleset_free(&rs3);
    return 0;
}
