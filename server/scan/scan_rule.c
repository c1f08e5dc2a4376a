/*
 * scan_rule.c - a ruleset being built (see scan_rule.h): rules by name in
 * definition order (a strset indexes the names), and the skipped ones.
 */
#include "scan/scan_rule.h"

#include <stdio.h>
#include <string.h>

#include "core/strset.h"
#include "core/xmalloc.h"

/* Arena chunk: the stock SA ruleset is a few MB of rule text. */
#define RULESET_CHUNK (256u * 1024)

struct scan_ruleset {
    struct arena *a;
    struct strset names; /* names[i] is rules[i]'s name */
    struct scan_rule **rules;
    size_t cap;
    struct scan_skip *skips;
    size_t nskips, skips_cap;
};

struct scan_ruleset *
scan_ruleset_new(void)
{
    struct arena *a = arena_new(RULESET_CHUNK);
    struct scan_ruleset *rs = arena_calloc(a, 1, sizeof(*rs));

    rs->a = a;
    strset_init(&rs->names, a);
    return rs;
}

void
scan_ruleset_free(struct scan_ruleset **rsp)
{
    struct arena *a;

    if (*rsp == NULL)
        return;
    a = (*rsp)->a; /* the ruleset lives in its own arena */
    arena_free(&a);
    *rsp = NULL;
}

struct arena *
scan_ruleset_arena(struct scan_ruleset *rs)
{
    return rs->a;
}

struct scan_rule *
scan_ruleset_find(const struct scan_ruleset *rs, const char *name)
{
    long i = strset_index(&rs->names, strv_cstr(name));

    return i < 0 ? NULL : rs->rules[i];
}

struct scan_rule *
scan_ruleset_rule(struct scan_ruleset *rs, const char *name)
{
    struct scan_rule *r = scan_ruleset_find(rs, name);

    if (r != NULL)
        return r;
    if (rs->names.n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 1024;

        rs->rules =
            arena_realloc(rs->a, rs->rules, rs->cap * sizeof(*rs->rules), cap * sizeof(*rs->rules));
        rs->cap = cap;
    }
    r = arena_calloc(rs->a, 1, sizeof(*r));
    r->name = arena_strdup(rs->a, name);
    r->index = (unsigned)rs->names.n;
    rs->rules[rs->names.n] = r;
    strset_add(&rs->names, strv_cstr(r->name));
    return r;
}

size_t
scan_ruleset_count(const struct scan_ruleset *rs)
{
    return rs->names.n;
}

struct scan_rule *
scan_ruleset_at(const struct scan_ruleset *rs, size_t i)
{
    return i < rs->names.n ? rs->rules[i] : NULL;
}

void
scan_ruleset_remove(struct scan_ruleset *rs, const char *name)
{
    struct scan_rule *r = scan_ruleset_find(rs, name);

    if (r != NULL) {
        const char *n = r->name;
        unsigned idx = r->index;

        memset(r, 0, sizeof(*r));
        r->name = n;
        r->index = idx;
    }
}

void
scan_ruleset_skip(struct scan_ruleset *rs, const char *name, const char *origin,
                  const char *category, const char *fmt, ...)
{
    struct scan_skip *s;
    va_list ap;

    if (rs->nskips == rs->skips_cap) {
        size_t cap = rs->skips_cap ? rs->skips_cap * 2 : 64;

        rs->skips = arena_realloc(rs->a, rs->skips, rs->skips_cap * sizeof(*rs->skips),
                                  cap * sizeof(*rs->skips));
        rs->skips_cap = cap;
    }
    s = &rs->skips[rs->nskips++];
    s->name = name ? arena_strdup(rs->a, name) : NULL;
    s->origin = arena_strdup(rs->a, origin ? origin : "");
    s->category = arena_strdup(rs->a, category);
    va_start(ap, fmt);
    s->message = arena_vprintf(rs->a, fmt, ap);
    va_end(ap);
}

size_t
scan_ruleset_nskips(const struct scan_ruleset *rs)
{
    return rs->nskips;
}

const struct scan_skip *
scan_ruleset_skip_at(const struct scan_ruleset *rs, size_t i)
{
    return i < rs->nskips ? &rs->skips[i] : NULL;
}

bool
scan_rule_is_sub(const struct scan_rule *r)
{
    return r->name[0] == '_' && r->name[1] == '_';
}
