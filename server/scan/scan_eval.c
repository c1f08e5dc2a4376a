/*
 * scan_eval.c - the table of eval functions (see scan_eval.h): filled at
 * start-up by the layers above, read-only afterwards. A sorted array is
 * enough: a few hundred names, looked up when rules are compiled.
 */
#include "scan/scan_eval.h"

#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

static const struct scan_eval_def **eval_table;
static size_t eval_n, eval_cap;

static int
eval_cmp(const void *a, const void *b)
{
    return strcmp((*(const struct scan_eval_def *const *)a)->name,
                  (*(const struct scan_eval_def *const *)b)->name);
}

void
scan_eval_register(const struct scan_eval_def *defs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t k;

        for (k = 0; k < eval_n && strcmp(eval_table[k]->name, defs[i].name) != 0; k++)
            ;
        if (k < eval_n) {
            eval_table[k] = &defs[i];
            continue;
        }
        if (eval_n == eval_cap) {
            eval_cap = eval_cap ? eval_cap * 2 : 256;
            eval_table = xrealloc(eval_table, eval_cap * sizeof(*eval_table));
        }
        eval_table[eval_n++] = &defs[i];
    }
    qsort(eval_table, eval_n, sizeof(*eval_table), eval_cmp);
}

const struct scan_eval_def *
scan_eval_find(const char *name)
{
    size_t lo = 0, hi = eval_n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(eval_table[mid]->name, name);

        if (c == 0)
            return eval_table[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void
scan_eval_reset(void)
{
    free(eval_table);
    eval_table = NULL;
    eval_n = eval_cap = 0;
}

const char *
scan_eval_str(const struct scan_rule *rule, size_t i, const char *def)
{
    if (i >= rule->nargs || rule->args[i].kind == SCAN_ARG_UNDEF)
        return def;
    return rule->args[i].s;
}

double
scan_eval_num(const struct scan_rule *rule, size_t i, double def)
{
    if (i >= rule->nargs || rule->args[i].kind == SCAN_ARG_UNDEF)
        return def;
    return rule->args[i].n;
}
