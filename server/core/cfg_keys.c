/*
 * cfg_keys.c - typed configuration keys (see cfg_keys.h).
 */
#include "core/cfg_keys.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/cfg_tree.h"
#include "core/cfg_yaml.h"

#define CFG_COUNT_MAX 1024

static const char *const cfg_type_names[] = {
    [CFG_T_STR] = "string",
    [CFG_T_PATH] = "path",
    [CFG_T_BOOL] = "bool",
    [CFG_T_INT] = "integer",
    [CFG_T_UINT] = "unsigned integer",
    [CFG_T_DOUBLE] = "number",
    [CFG_T_SIZE] = "size",
    [CFG_T_TIME] = "time",
    [CFG_T_LIST] = "list",
    [CFG_T_ENUM] = "enum",
    [CFG_T_COUNT] = "count",
};

const char *
cfg_type_name(enum cfg_type type)
{
    return cfg_type_names[type];
}

int
cfg_parse_bool(const char *s, bool *out, struct sift_err *err)
{
    static const char *const yes[] = { "yes", "true", "on", "1", "y" };
    static const char *const no[] = { "no", "false", "off", "0", "n" };

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    sift_err_set(err, "not a boolean (yes/no, true/false, on/off)");
    return -1;
}

int
cfg_parse_int(const char *s, int64_t *out, struct sift_err *err)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (end == s || *end != '\0' || isspace((unsigned char)s[0])) {
        sift_err_set(err, "not an integer");
        return -1;
    }
    if (errno == ERANGE) {
        sift_err_set(err, "integer out of range");
        return -1;
    }
    *out = v;
    return 0;
}

int
cfg_parse_uint(const char *s, uint64_t *out, struct sift_err *err)
{
    char *end;
    unsigned long long v;

    errno = 0;
    if (!isdigit((unsigned char)s[0]) && !(s[0] == '+' && isdigit((unsigned char)s[1]))) {
        sift_err_set(err, "not a non-negative integer");
        return -1;
    }
    v = strtoull(s, &end, 10);
    if (*end != '\0') {
        sift_err_set(err, "not a non-negative integer");
        return -1;
    }
    if (errno == ERANGE) {
        sift_err_set(err, "integer out of range");
        return -1;
    }
    *out = v;
    return 0;
}

int
cfg_parse_double(const char *s, double *out, struct sift_err *err)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end != '\0' || isspace((unsigned char)s[0]) || !isfinite(v) ||
        errno == ERANGE) {
        sift_err_set(err, "not a number");
        return -1;
    }
    *out = v;
    return 0;
}

/* A non-negative number followed by a unit; the unit (maybe empty) in unit. */
static int
cfg_parse_quantity(const char *s, double *num, const char **unit)
{
    char *end;

    if (!isdigit((unsigned char)s[0]) && s[0] != '.')
        return -1;
    errno = 0;
    *num = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(*num) || *num < 0)
        return -1;
    while (*end == ' ')
        end++;
    *unit = end;
    return 0;
}

int
cfg_parse_size(const char *s, size_t *out, struct sift_err *err)
{
    static const struct {
        const char *unit;
        double mult;
    } units[] = {
        { "", 1 },
        { "b", 1 },
        { "k", 1024.0 },
        { "kb", 1024.0 },
        { "kib", 1024.0 },
        { "m", 1048576.0 },
        { "mb", 1048576.0 },
        { "mib", 1048576.0 },
        { "g", 1073741824.0 },
        { "gb", 1073741824.0 },
        { "gib", 1073741824.0 },
    };
    const char *unit;
    double num;

    if (cfg_parse_quantity(s, &num, &unit) == 0) {
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
            if (strcasecmp(unit, units[i].unit) == 0) {
                double v = num * units[i].mult;

                if (v >= 9007199254740992.0 || v > (double)SIZE_MAX) {
                    sift_err_set(err, "size out of range");
                    return -1;
                }
                *out = (size_t)v;
                return 0;
            }
        }
    }
    sift_err_set(err, "not a size (bytes, or a number with k, m or g)");
    return -1;
}

int
cfg_parse_time(const char *s, double *out, struct sift_err *err)
{
    static const struct {
        const char *unit;
        double mult;
    } units[] = {
        { "", 1 },   { "s", 1 },    { "sec", 1 },  { "ms", 0.001 },
        { "m", 60 }, { "min", 60 }, { "h", 3600 }, { "d", 86400 },
    };
    const char *unit;
    double num;

    if (cfg_parse_quantity(s, &num, &unit) == 0) {
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
            if (strcasecmp(unit, units[i].unit) == 0) {
                *out = num * units[i].mult;
                return 0;
            }
        }
    }
    sift_err_set(err, "not a time (seconds, or a number with ms, s, m, h or d)");
    return -1;
}

int
cfg_parse_enum(const char *s, const char *choices, int *out, struct sift_err *err)
{
    const char *p = choices;
    size_t len = strlen(s);

    for (int i = 0;; i++) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);

        if (n == len && strncasecmp(p, s, n) == 0) {
            *out = i;
            return 0;
        }
        if (bar == NULL)
            break;
        p = bar + 1;
    }
    sift_err_set(err, "not one of %s", choices);
    return -1;
}

static int
cfg_parse_count(const char *s, unsigned *out, struct sift_err *err)
{
    uint64_t v;

    if (strcasecmp(s, "auto") == 0) {
        *out = 0;
        return 0;
    }
    if (cfg_parse_uint(s, &v, NULL) == -1 || v < 1 || v > CFG_COUNT_MAX) {
        sift_err_set(err, "not a count (auto, or 1 to %d)", CFG_COUNT_MAX);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

char *
cfg_expand_path(const struct cfg_ctx *ctx, const char *s, struct sift_err *err)
{
    static const struct {
        const char *name;
        size_t off;
    } vars[] = {
        { "DBDIR", offsetof(struct cfg_ctx, dbdir) },
        { "CONFDIR", offsetof(struct cfg_ctx, confdir) },
    };
    struct buf b;
    char *out;

    buf_init(&b);
    for (const char *p = s; *p != '\0';) {
        bool braced = p[0] == '$' && p[1] == '{';
        const char *name = p + (braced ? 2 : 1);
        size_t i, n = 0;

        if (p[0] != '$') {
            buf_putc(&b, *p++);
            continue;
        }
        for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
            n = strlen(vars[i].name);
            if (strncmp(name, vars[i].name, n) == 0 && (!braced || name[n] == '}') &&
                (braced || !(isalnum((unsigned char)name[n]) || name[n] == '_')))
                break;
        }
        if (i == sizeof(vars) / sizeof(vars[0])) {
            sift_err_set(err, "unknown variable in path (known: $DBDIR, $CONFDIR)");
            buf_clear(&b);
            return NULL;
        }
        {
            const char *val = *(const char *const *)((const char *)ctx + vars[i].off);

            if (val == NULL) {
                sift_err_set(err, "$%s cannot be used here", vars[i].name);
                buf_clear(&b);
                return NULL;
            }
            buf_puts(&b, val);
        }
        p = name + n + (braced ? 1 : 0);
    }
    if (b.len == 0) {
        buf_clear(&b);
        return arena_strdup(ctx->arena, "");
    }
    if (b.p[0] != '/') {
        char cwd[PATH_MAX];

        if (getcwd(cwd, sizeof(cwd)) == NULL) {
            sift_err_set(err, "relative path and the current directory is unknown");
            buf_clear(&b);
            return NULL;
        }
        out =
            arena_printf(ctx->arena, "%s/%s", cwd, b.p[0] == '.' && b.p[1] == '/' ? b.p + 2 : b.p);
    } else {
        out = arena_strdup(ctx->arena, b.p);
    }
    buf_clear(&b);
    return out;
}

static int
cfg_fill_list(const struct cfg_ctx *ctx, const struct cfg_node *n, struct cfg_strlist *out,
              const struct cfg_node **bad, struct sift_err *err)
{
    size_t i = 0;

    out->v = NULL;
    out->n = 0;
    if (n == NULL || n->kind == CFG_NULL)
        return 0;
    if (n->kind == CFG_SCALAR) {
        out->v = arena_alloc(ctx->arena, sizeof(*out->v));
        out->v[0] = n->str;
        out->n = 1;
        return 0;
    }
    if (n->kind != CFG_LIST) {
        sift_err_set(err, "expected a list or a single value, got a map");
        return -1;
    }
    out->v = arena_calloc(ctx->arena, n->n ? n->n : 1, sizeof(*out->v));
    for (const struct cfg_node *c = n->first; c != NULL; c = c->next) {
        if (c->kind != CFG_SCALAR) {
            *bad = c;
            sift_err_set(err, "list items must be single values");
            return -1;
        }
        out->v[i++] = c->str;
    }
    out->n = i;
    return 0;
}

/* Parse text (a scalar) as key->type into the field at dst. */
static int
cfg_fill_scalar(const struct cfg_ctx *ctx, const struct cfg_key *key, const char *text, void *dst,
                struct sift_err *err)
{
    switch (key->type) {
    case CFG_T_STR:
        *(const char **)dst = text;
        return 0;
    case CFG_T_PATH: {
        char *p = cfg_expand_path(ctx, text, err);

        if (p == NULL)
            return -1;
        *(const char **)dst = p;
        return 0;
    }
    case CFG_T_BOOL:
        return cfg_parse_bool(text, dst, err);
    case CFG_T_INT:
        return cfg_parse_int(text, dst, err);
    case CFG_T_UINT:
        return cfg_parse_uint(text, dst, err);
    case CFG_T_DOUBLE:
        return cfg_parse_double(text, dst, err);
    case CFG_T_SIZE:
        return cfg_parse_size(text, dst, err);
    case CFG_T_TIME:
        return cfg_parse_time(text, dst, err);
    case CFG_T_ENUM:
        return cfg_parse_enum(text, key->choices, dst, err);
    case CFG_T_COUNT:
        return cfg_parse_count(text, dst, err);
    case CFG_T_LIST:
        break;
    }
    sift_err_set(err, "internal: bad key type");
    return -1;
}

static void
cfg_zero(const struct cfg_key *key, void *dst)
{
    static const size_t sizes[] = {
        [CFG_T_STR] = sizeof(const char *),
        [CFG_T_PATH] = sizeof(const char *),
        [CFG_T_BOOL] = sizeof(bool),
        [CFG_T_INT] = sizeof(int64_t),
        [CFG_T_UINT] = sizeof(uint64_t),
        [CFG_T_DOUBLE] = sizeof(double),
        [CFG_T_SIZE] = sizeof(size_t),
        [CFG_T_TIME] = sizeof(double),
        [CFG_T_LIST] = sizeof(struct cfg_strlist),
        [CFG_T_ENUM] = sizeof(int),
        [CFG_T_COUNT] = sizeof(unsigned),
    };

    memset(dst, 0, sizes[key->type]);
}

static int
cfg_fill_key(const struct cfg_ctx *ctx, const char *path, const struct cfg_key *key,
             const struct cfg_node *n, void *dst, struct sift_err *err)
{
    const struct cfg_node *bad = n;
    struct sift_err why;
    char where[512];
    int rc;

    if (key->type == CFG_T_LIST) {
        struct cfg_node *defnode = NULL;

        if ((n == NULL || n->kind == CFG_NULL) && key->def != NULL) {
            /* a list default is one value or YAML flow: "[a, b]" */
            defnode = cfg_yaml_parse_value(ctx->arena, "(default)", key->def);
            n = defnode;
        }
        rc = cfg_fill_list(ctx, n, dst, &bad, &why);
    } else if (n == NULL || n->kind == CFG_NULL) {
        if (key->def == NULL) {
            cfg_zero(key, dst);
            return 0;
        }
        rc = cfg_fill_scalar(ctx, key, key->def, dst, &why);
        if (rc == -1) {
            sift_err_set(err, "%s.%s: bad default '%s': %s", path, key->name, key->def, why.msg);
            return -1;
        }
        return 0;
    } else if (n->kind != CFG_SCALAR) {
        sift_err_set(&why, "expected a single value (%s), got a %s", cfg_type_name(key->type),
                     n->kind == CFG_MAP ? "map" : "list");
        rc = -1;
    } else {
        rc = cfg_fill_scalar(ctx, key, n->str, dst, &why);
    }
    if (rc == -1) {
        if (bad != NULL && bad->kind == CFG_SCALAR)
            sift_err_set(err, "%s: %s.%s: %s (got '%s')",
                         cfg_pos_str(&bad->pos, where, sizeof(where)), path, key->name, why.msg,
                         bad->str);
        else
            sift_err_set(err, "%s: %s.%s: %s",
                         bad ? cfg_pos_str(&bad->pos, where, sizeof(where)) : "(default)", path,
                         key->name, why.msg);
    }
    return rc;
}

int
cfg_fill(const struct cfg_ctx *ctx, const char *path, const struct cfg_node *section,
         const struct cfg_key *keys, size_t nkeys, void *out, struct sift_err *err)
{
    if (section != NULL && section->kind != CFG_MAP && section->kind != CFG_NULL) {
        char where[512];

        sift_err_set(err, "%s: %s: expected a map of settings, got a %s",
                     cfg_pos_str(&section->pos, where, sizeof(where)), path,
                     section->kind == CFG_LIST ? "list" : "single value");
        return -1;
    }
    for (size_t i = 0; i < nkeys; i++) {
        const struct cfg_node *n = cfg_map_get(section, keys[i].name);

        if (cfg_fill_key(ctx, path, &keys[i], n, (char *)out + keys[i].off, err) == -1)
            return -1;
    }
    return 0;
}

static size_t
cfg_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

    if (la >= 63 || lb >= 63)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, sizeof(cur[0]) * (lb + 1));
    }
    return prev[lb];
}

void
cfg_warn_unknown(const struct cfg_ctx *ctx, const char *path, const struct cfg_node *section,
                 const struct cfg_keyset *sets, size_t nsets)
{
    if (section == NULL || section->kind != CFG_MAP || ctx->warn == NULL)
        return;
    for (const struct cfg_node *c = section->first; c != NULL; c = c->next) {
        const char *best = NULL;
        size_t best_d = 3;
        bool known = false;
        char where[512], msg[1024];

        for (size_t s = 0; s < nsets && !known; s++) {
            for (size_t k = 0; k < sets[s].n; k++) {
                size_t d = cfg_distance(c->key, sets[s].keys[k].name);

                if (d == 0) {
                    known = true;
                    break;
                }
                if (d < best_d) {
                    best_d = d;
                    best = sets[s].keys[k].name;
                }
            }
        }
        if (known)
            continue;
        if (best != NULL)
            snprintf(msg, sizeof(msg), "%s: unknown key '%s' in %s, ignored (did you mean '%s'?)",
                     cfg_pos_str(&c->key_pos, where, sizeof(where)), c->key, path, best);
        else
            snprintf(msg, sizeof(msg), "%s: unknown key '%s' in %s, ignored",
                     cfg_pos_str(&c->key_pos, where, sizeof(where)), c->key, path);
        ctx->warn(ctx->warn_arg, msg);
    }
}

void
cfg_key_help(const char *section, const struct cfg_key *key, struct buf *out)
{
    buf_printf(out, "%s%s%s\n", section ? section : "", section ? "." : "", key->name);
    if (key->type == CFG_T_ENUM)
        buf_printf(out, "    type: one of %s\n", key->choices);
    else
        buf_printf(out, "    type: %s\n", cfg_type_name(key->type));
    buf_printf(out, "    default: %s\n", key->def ? (key->def[0] ? key->def : "\"\"") : "(none)");
    buf_printf(out, "    %s\n", key->help);
}
