/*
 * scan_yaml.c - native rules in YAML (see scan_yaml.h; the format is in
 * rules/README.md). Reading is table-driven: each type says which fields
 * it needs and allows; each field is checked (patterns by PCRE2 with the
 * matcher's options, metas by the meta compiler) before the rule is
 * touched, so a bad entry leaves the ruleset as it was. Writing picks the
 * YAML quoting by hand so that every string reads back byte for byte.
 */
#include "scan/scan_yaml.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cfg_keys.h"
#include "core/cfg_yaml.h"
#include "core/xmalloc.h"
#include "scan/scan_composite.h"
#include "scan/scan_meta.h"

/* The fields of an entry; the attributes (score..priority) come last. */
enum sy_field {
    SY_TYPE,
    SY_HEADER,
    SY_PATTERN,
    SY_NEGATE,
    SY_IF_UNSET,
    SY_TARGET,
    SY_FUNCTION,
    SY_ARGS,
    SY_EXPRESSION,
    SY_PREFILTER,
    SY_POLICY,
    SY_SCORE,
    SY_DESCRIPTION,
    SY_GROUP,
    SY_TFLAGS,
    SY_PRIORITY,
    SY_NFIELDS
};

static const char *const sy_fields[SY_NFIELDS] = {
    "type",       "header",    "pattern", "negate", "if_unset",    "target", "function", "args",
    "expression", "prefilter", "policy",  "score",  "description", "group",  "tflags",   "priority",
};

#define SY_BIT(f)  (1u << (f))
#define SY_HDR_RE  (SY_BIT(SY_HEADER) | SY_BIT(SY_PATTERN))
#define SY_HDR_OPT (SY_HDR_RE | SY_BIT(SY_NEGATE) | SY_BIT(SY_IF_UNSET) | SY_BIT(SY_PREFILTER))
#define SY_RE_OPT  (SY_BIT(SY_PATTERN) | SY_BIT(SY_PREFILTER))

/* Each type: the kind and text it makes, the fields it needs and allows
 * (besides type and the attributes). */
static const struct sy_type {
    const char *name;
    enum scan_rule_kind kind;
    enum scan_target target;
    unsigned required, allowed;
} sy_types[] = {
    { "header", SCAN_K_REGEX, SCAN_T_HEADER, SY_HDR_RE, SY_HDR_OPT },
    { "body", SCAN_K_REGEX, SCAN_T_BODY, SY_BIT(SY_PATTERN), SY_RE_OPT },
    { "rawbody", SCAN_K_REGEX, SCAN_T_RAWBODY, SY_BIT(SY_PATTERN), SY_RE_OPT },
    { "uri", SCAN_K_REGEX, SCAN_T_URI, SY_BIT(SY_PATTERN), SY_RE_OPT },
    { "full", SCAN_K_REGEX, SCAN_T_FULL, SY_BIT(SY_PATTERN), SY_RE_OPT },
    { "mimeheader", SCAN_K_REGEX, SCAN_T_MIMEHEADER, SY_HDR_RE, SY_HDR_OPT },
    { "meta", SCAN_K_META, SCAN_T_NONE, SY_BIT(SY_EXPRESSION), SY_BIT(SY_EXPRESSION) },
    { "composite", SCAN_K_COMPOSITE, SCAN_T_NONE, SY_BIT(SY_EXPRESSION),
      SY_BIT(SY_EXPRESSION) | SY_BIT(SY_POLICY) },
    { "eval", SCAN_K_EVAL, SCAN_T_NONE, SY_BIT(SY_FUNCTION),
      SY_BIT(SY_FUNCTION) | SY_BIT(SY_TARGET) | SY_BIT(SY_ARGS) },
    { "exists", SCAN_K_EXISTS, SCAN_T_HEADER, SY_BIT(SY_HEADER), SY_BIT(SY_HEADER) },
    { "external", SCAN_K_EXTERNAL, SCAN_T_NONE, 0, 0 },
};
#define SY_NTYPES (sizeof(sy_types) / sizeof(sy_types[0]))

/* An eval's target, by enum scan_target. */
static const char *const sy_targets[SCAN_NTARGETS] = {
    "none", "header", "body", "rawbody", "uri", "full", "mimeheader",
};

/* In enum scan_tflag's order, which is the order they are written in. */
static const struct {
    const char *name;
    unsigned bit;
} sy_tflags[] = {
    { "net", SCAN_TF_NET },
    { "nice", SCAN_TF_NICE },
    { "learn", SCAN_TF_LEARN },
    { "userconf", SCAN_TF_USERCONF },
    { "noautolearn", SCAN_TF_NOAUTOLEARN },
    { "multiple", SCAN_TF_MULTIPLE },
    { "nosubject", SCAN_TF_NOSUBJECT },
    { "autolearn_force", SCAN_TF_AUTOLEARN_FORCE },
    { "nolog", SCAN_TF_NOLOG },
    { "publish", SCAN_TF_PUBLISH },
    { "notrim", SCAN_TF_NOTRIM },
    { "domains_only", SCAN_TF_DOMAINS_ONLY },
    { "ips_only", SCAN_TF_IPS_ONLY },
    { "autolearn_body", SCAN_TF_AUTOLEARN_BODY },
    { "noawl", SCAN_TF_NOAWL },
    { "a", SCAN_TF_A },
    { "aaaa", SCAN_TF_AAAA },
};
#define SY_NTFLAGS (sizeof(sy_tflags) / sizeof(sy_tflags[0]))

static const char sy_re_flags[] = "imsx"; /* bit i is SCAN_RE_* 1u << i */

/* ---- reading ---- */

struct sy_ctx {
    struct scan_ruleset *rs;
    struct arena *a;       /* the ruleset's */
    struct arena *scratch; /* meta expressions compiled to check them */
    pcre2_compile_context *cc;
    const char *name; /* the entry being read */
};

/* The attributes an entry gives (bit SY_BIT(field) in given). */
struct sy_attrs {
    unsigned given;
    double score[4];
    bool has_score;
    const char *description, *group;
    unsigned tflags, maxhits;
    int priority;
};

static int sy_skip(struct sy_ctx *c, const struct cfg_pos *pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record the entry being read as skipped, at pos; returns -1. */
static int
sy_skip(struct sy_ctx *c, const struct cfg_pos *pos, const char *fmt, ...)
{
    char where[PATH_MAX + 32], msg[768];
    va_list ap;

    cfg_pos_str(pos, where, sizeof(where));
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (c->name != NULL)
        scan_ruleset_skip(c->rs, c->name, where, "yaml", "%s: %s", c->name, msg);
    else
        scan_ruleset_skip(c->rs, NULL, where, "yaml", "%s", msg);
    return -1;
}

/* A value for a message: at most 40 bytes, control characters as '?'. */
static const char *
sy_show(const char *s, char *out, size_t outlen)
{
    size_t n = 0;

    for (; *s != '\0' && n + 4 < outlen && n < 40; s++)
        out[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
    if (*s != '\0')
        out[n++] = '.', out[n++] = '.', out[n++] = '.';
    out[n] = '\0';
    return out;
}

static const char *
sy_kind_name(const struct cfg_node *n)
{
    return n->kind == CFG_LIST ? "a list" : n->kind == CFG_MAP ? "a map" : "empty";
}

/* n must be a scalar without NUL bytes. */
static int
sy_scalar(struct sy_ctx *c, const struct cfg_node *n, const char *field, const char *want)
{
    if (n->kind != CFG_SCALAR)
        return sy_skip(c, &n->pos, "%s: %s, not %s", field, sy_kind_name(n), want);
    if (strlen(n->str) != n->len)
        return sy_skip(c, &n->pos, "%s: contains a NUL byte", field);
    return 0;
}

static int
sy_string(struct sy_ctx *c, const struct cfg_node *n, const char *field, bool nonempty,
          const char **out)
{
    if (sy_scalar(c, n, field, "a string") == -1)
        return -1;
    if (nonempty && n->len == 0)
        return sy_skip(c, &n->pos, "%s: empty", field);
    *out = arena_strndup(c->a, n->str, n->len);
    return 0;
}

static bool
sy_is_ident(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (s++; *s != '\0'; s++) {
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return false;
    }
    return true;
}

/* A whole decimal number as YAML and Perl write one: -1, 2.5, .5, 1e-3. */
static bool
sy_is_number(const char *s)
{
    bool digits = false;

    if (*s == '+' || *s == '-')
        s++;
    for (; *s >= '0' && *s <= '9'; s++)
        digits = true;
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9'; s++)
            digits = true;
    }
    if (!digits)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

/* What Perl makes of a string used as a number: its leading decimal
 * number ("3abc" is 3, "abc" and "0x10" are 0). */
static double
sy_numify(const char *s, size_t len)
{
    char tmp[64];
    size_t i = 0, start, end;

    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    start = i;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        i++;
    end = i;
    while (end < len && s[end] >= '0' && s[end] <= '9')
        end++;
    if (end < len && s[end] == '.') {
        end++;
        while (end < len && s[end] >= '0' && s[end] <= '9')
            end++;
    }
    if (end < len && (s[end] == 'e' || s[end] == 'E')) {
        size_t e = end + 1;

        if (e < len && (s[e] == '+' || s[e] == '-'))
            e++;
        if (e < len && s[e] >= '0' && s[e] <= '9') {
            while (e < len && s[e] >= '0' && s[e] <= '9')
                e++;
            end = e;
        }
    }
    if (end - start >= sizeof(tmp))
        return 0; /* no rule passes a number that long */
    memcpy(tmp, s + start, end - start);
    tmp[end - start] = '\0';
    return sy_is_number(tmp) ? strtod(tmp, NULL) : 0;
}

/* A header request as mime_get takes it: printable, no spaces. */
static int
sy_header(struct sy_ctx *c, const struct cfg_node *n, const char **out)
{
    char show[64];

    if (sy_string(c, n, "header", true, out) == -1)
        return -1;
    for (const unsigned char *p = (const unsigned char *)*out; *p != '\0'; p++) {
        if (*p <= ' ' || *p == 0x7f)
            return sy_skip(c, &n->pos, "header: '%s' is not a header name (no spaces)",
                           sy_show(*out, show, sizeof(show)));
    }
    return 0;
}

static bool
sy_is_delim(char ch)
{
    return ch > ' ' && ch < 0x7f && ch != '\\' && !(ch >= '0' && ch <= '9') &&
           !(ch >= 'A' && ch <= 'Z') && !(ch >= 'a' && ch <= 'z');
}

static char
sy_closing(char open)
{
    switch (open) {
    case '{':
        return '}';
    case '(':
        return ')';
    case '[':
        return ']';
    case '<':
        return '>';
    default:
        return open;
    }
}

/* "/re/flags" or "m{re}flags" (any punctuation for m): the regex is what
 * lies before the last closing delimiter, so the writer never has to
 * escape one. PCRE2 must accept it with the matcher's options. */
static int
sy_regex_split(struct sy_ctx *c, const struct cfg_node *n, const char *field, char **inner,
               unsigned *flagsp)
{
    const char *s = n->str;
    size_t len = n->len, start, close;
    char cl;
    unsigned flags = 0;

    if (sy_scalar(c, n, field, "a string") == -1)
        return -1;
    if (len >= 1 && s[0] == '/') {
        cl = '/';
        start = 1;
    } else if (len >= 2 && s[0] == 'm' && sy_is_delim(s[1])) {
        cl = sy_closing(s[1]);
        start = 2;
    } else {
        return sy_skip(c, &n->pos, "%s: write it /regex/flags or m{regex}flags", field);
    }
    for (close = len; close > start && s[close - 1] != cl; close--)
        ;
    if (close == start)
        return sy_skip(c, &n->pos, "%s: no closing '%c'", field, cl);
    close--;
    for (size_t i = close + 1; i < len; i++) {
        const char *f = strchr(sy_re_flags, s[i]);

        if (f == NULL) {
            if ((unsigned char)s[i] > ' ' && (unsigned char)s[i] < 0x7f)
                return sy_skip(c, &n->pos, "%s: unknown flag '%c' (i, m, s, x)", field, s[i]);
            return sy_skip(c, &n->pos, "%s: unknown flag 0x%02x (i, m, s, x)", field,
                           (unsigned char)s[i]);
        }
        flags |= 1u << (f - sy_re_flags);
    }
    *inner = arena_strndup(c->a, s + start, close - start);
    *flagsp = flags;
    return 0;
}

static int
sy_pattern(struct sy_ctx *c, const struct cfg_node *n, struct scan_rule *t)
{
    unsigned flags;
    uint32_t opts = PCRE2_NEVER_UTF | PCRE2_NEVER_UCP;
    pcre2_code *re;
    int code;
    PCRE2_SIZE off;
    char *inner;

    if (sy_regex_split(c, n, "pattern", &inner, &flags) == -1)
        return -1;
    if (flags & SCAN_RE_I)
        opts |= PCRE2_CASELESS;
    if (flags & SCAN_RE_M)
        opts |= PCRE2_MULTILINE;
    if (flags & SCAN_RE_S)
        opts |= PCRE2_DOTALL;
    if (flags & SCAN_RE_X)
        opts |= PCRE2_EXTENDED;
    re = pcre2_compile((PCRE2_SPTR)inner, PCRE2_ZERO_TERMINATED, opts, &code, &off, c->cc);
    if (re == NULL) {
        PCRE2_UCHAR msg[256];

        pcre2_get_error_message(code, msg, sizeof(msg));
        return sy_skip(c, &n->pos, "pattern: %s at offset %zu", (const char *)msg, (size_t)off);
    }
    pcre2_code_free(re);
    t->pattern = inner;
    t->re_flags = flags;
    return 0;
}

/* What the matcher's Hyperscan pass runs instead of the pattern (see
 * struct scan_pattern): same flags; not compiled here (it may be too
 * large for PCRE2, which is why it exists). */
static int
sy_prefilter(struct sy_ctx *c, const struct cfg_node *n, struct scan_rule *t)
{
    unsigned flags;
    char *inner;

    if (sy_regex_split(c, n, "prefilter", &inner, &flags) == -1)
        return -1;
    if (flags != t->re_flags)
        return sy_skip(c, &n->pos, "prefilter: its flags must be the pattern's");
    t->prefilter = inner;
    return 0;
}

static long
sy_meta_lookup(void *arg, const char *name, size_t len)
{
    (void)arg;
    (void)name;
    (void)len;
    return -1; /* syntax only: the engine resolves names */
}

static int
sy_expression(struct sy_ctx *c, const struct cfg_node *n, struct scan_rule *t)
{
    static const struct scan_meta_names names = { sy_meta_lookup, NULL, NULL };
    struct scan_meta *m;
    struct sift_err err;

    if (sy_string(c, n, "expression", true, &t->expr) == -1)
        return -1;
    if (scan_meta_compile(c->scratch, t->expr, &names, &m, &err) == -1)
        return sy_skip(c, &n->pos, "expression: %s", err.msg);
    return 0;
}

/* A composite's expression (scan_composite.h) and policy. */
static int
sy_composite(struct sy_ctx *c, const struct cfg_node *e, const struct cfg_node *policy,
             struct scan_rule *t)
{
    struct sift_err err;
    char show[64];
    int p;

    if (sy_string(c, e, "expression", true, &t->expr) == -1)
        return -1;
    if (scan_composite_compile(c->scratch, t->expr, &err) == NULL)
        return sy_skip(c, &e->pos, "expression: %s", err.msg);
    if (policy == NULL || policy->kind == CFG_NULL)
        return 0;
    if (sy_scalar(c, policy, "policy", "a string") == -1)
        return -1;
    if ((p = scan_composite_policy_parse(policy->str)) < 0)
        return sy_skip(c, &policy->pos,
                       "policy: unknown '%s' (remove_all, remove_weight, remove_symbol, leave)",
                       sy_show(policy->str, show, sizeof(show)));
    t->policy = (unsigned)p;
    return 0;
}

static int
sy_target(struct sy_ctx *c, const struct cfg_node *n, struct scan_rule *t)
{
    char show[64];

    if (n->kind == CFG_NULL)
        return 0;
    if (sy_scalar(c, n, "target", "a string") == -1)
        return -1;
    for (size_t i = 0; i < SCAN_NTARGETS; i++) {
        if (strcmp(n->str, sy_targets[i]) == 0) {
            t->target = (enum scan_target)i;
            return 0;
        }
    }
    return sy_skip(c, &n->pos,
                   "target: unknown '%s' (header, body, rawbody, uri, full, mimeheader, none)",
                   sy_show(n->str, show, sizeof(show)));
}

static int
sy_args(struct sy_ctx *c, const struct cfg_node *n, struct scan_rule *t)
{
    size_t i = 0;

    if (n->kind == CFG_NULL)
        return 0;
    if (n->kind != CFG_LIST)
        return sy_skip(c, &n->pos, "args: not a list (write args: [\"a\", 2, null])");
    t->args = arena_calloc(c->a, n->n ? n->n : 1, sizeof(*t->args));
    for (const struct cfg_node *it = n->first; it != NULL; it = it->next, i++) {
        struct scan_eval_arg *g = &t->args[i];

        if (it->kind == CFG_NULL) {
            g->kind = SCAN_ARG_UNDEF;
            continue;
        }
        if (it->kind != CFG_SCALAR)
            return sy_skip(c, &it->pos, "args: item %zu is %s, not a string, number or null", i + 1,
                           sy_kind_name(it));
        g->s = arena_strndup(c->a, it->str, it->len);
        g->len = it->len;
        if (!it->quoted && sy_is_number(it->str)) {
            g->kind = SCAN_ARG_NUM;
            g->n = strtod(it->str, NULL);
        } else {
            g->kind = SCAN_ARG_STR;
            g->n = sy_numify(it->str, it->len);
        }
    }
    t->nargs = i;
    return 0;
}

static int
sy_score(struct sy_ctx *c, const struct cfg_node *n, struct sy_attrs *at)
{
    struct sift_err err;
    char show[64];
    size_t i = 0;

    if (n->kind == CFG_NULL) {
        at->has_score = false; /* back to the default */
        return 0;
    }
    if (n->kind == CFG_SCALAR) {
        if (sy_scalar(c, n, "score", "a number") == -1)
            return -1;
        if (cfg_parse_double(n->str, &at->score[0], &err) == -1)
            return sy_skip(c, &n->pos, "score: '%s' is not a number",
                           sy_show(n->str, show, sizeof(show)));
        at->score[1] = at->score[2] = at->score[3] = at->score[0];
        at->has_score = true;
        return 0;
    }
    if (n->kind != CFG_LIST || n->n != 4)
        return sy_skip(c, &n->pos, "score: one number or a list of four (score sets 0-3)");
    for (const struct cfg_node *it = n->first; it != NULL; it = it->next, i++) {
        if (sy_scalar(c, it, "score", "a number") == -1)
            return -1;
        if (cfg_parse_double(it->str, &at->score[i], &err) == -1)
            return sy_skip(c, &it->pos, "score: '%s' is not a number",
                           sy_show(it->str, show, sizeof(show)));
    }
    at->has_score = true;
    return 0;
}

static int
sy_tflag(struct sy_ctx *c, const struct cfg_node *n, const char *w, size_t len, struct sy_attrs *at)
{
    char word[64], show[64];
    struct sift_err err;
    uint64_t v;

    if (len >= sizeof(word))
        len = sizeof(word) - 1; /* long enough to be unknown */
    memcpy(word, w, len);
    word[len] = '\0';
    for (size_t i = 0; i < SY_NTFLAGS; i++) {
        if (strcmp(word, sy_tflags[i].name) == 0) {
            at->tflags |= sy_tflags[i].bit;
            return 0;
        }
    }
    if (strncmp(word, "maxhits=", 8) == 0) {
        if (cfg_parse_uint(word + 8, &v, &err) == -1 || v == 0 || v > UINT_MAX)
            return sy_skip(c, &n->pos, "tflags: '%s': maxhits=N wants a count of 1 or more",
                           sy_show(word, show, sizeof(show)));
        at->maxhits = (unsigned)v;
        return 0;
    }
    return sy_skip(c, &n->pos, "tflags: unknown flag '%s'", sy_show(word, show, sizeof(show)));
}

/* One scalar of tflags: flags separated by spaces or commas (SA's form). */
static int
sy_tflag_words(struct sy_ctx *c, const struct cfg_node *n, struct sy_attrs *at)
{
    const char *p, *end;

    if (sy_scalar(c, n, "tflags", "a flag") == -1)
        return -1;
    for (p = n->str, end = n->str + n->len; p < end;) {
        const char *q;

        while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
            p++;
        for (q = p; q < end && *q != ' ' && *q != '\t' && *q != ','; q++)
            ;
        if (q > p && sy_tflag(c, n, p, (size_t)(q - p), at) == -1)
            return -1;
        p = q;
    }
    return 0;
}

static int
sy_tflags_field(struct sy_ctx *c, const struct cfg_node *n, struct sy_attrs *at)
{
    at->tflags = 0;
    at->maxhits = 0;
    if (n->kind == CFG_NULL)
        return 0;
    if (n->kind == CFG_MAP)
        return sy_skip(c, &n->pos, "tflags: a map, not a list of flags");
    if (n->kind == CFG_SCALAR)
        return sy_tflag_words(c, n, at);
    for (const struct cfg_node *it = n->first; it != NULL; it = it->next) {
        if (sy_tflag_words(c, it, at) == -1)
            return -1;
    }
    return 0;
}

static int
sy_priority(struct sy_ctx *c, const struct cfg_node *n, struct sy_attrs *at)
{
    struct sift_err err;
    char show[64];
    int64_t v;

    at->priority = 0;
    if (n->kind == CFG_NULL)
        return 0;
    if (sy_scalar(c, n, "priority", "an integer") == -1)
        return -1;
    if (cfg_parse_int(n->str, &v, &err) == -1 || v < INT_MIN || v > INT_MAX)
        return sy_skip(c, &n->pos, "priority: '%s' is not an integer",
                       sy_show(n->str, show, sizeof(show)));
    at->priority = (int)v;
    return 0;
}

/* Read the attribute fields given in f into at. */
static int
sy_attrs(struct sy_ctx *c, const struct cfg_node *const *f, struct sy_attrs *at)
{
    memset(at, 0, sizeof(*at));
    for (int k = SY_SCORE; k < SY_NFIELDS; k++) {
        if (f[k] != NULL)
            at->given |= SY_BIT(k);
    }
    if (f[SY_SCORE] != NULL && sy_score(c, f[SY_SCORE], at) == -1)
        return -1;
    if (f[SY_DESCRIPTION] != NULL && f[SY_DESCRIPTION]->kind != CFG_NULL &&
        sy_string(c, f[SY_DESCRIPTION], "description", false, &at->description) == -1)
        return -1;
    if (f[SY_GROUP] != NULL && f[SY_GROUP]->kind != CFG_NULL &&
        sy_string(c, f[SY_GROUP], "group", true, &at->group) == -1)
        return -1;
    if (f[SY_TFLAGS] != NULL && sy_tflags_field(c, f[SY_TFLAGS], at) == -1)
        return -1;
    if (f[SY_PRIORITY] != NULL && sy_priority(c, f[SY_PRIORITY], at) == -1)
        return -1;
    return 0;
}

static void
sy_attrs_apply(struct scan_rule *r, const struct sy_attrs *at)
{
    if (at->given & SY_BIT(SY_SCORE)) {
        memcpy(r->score, at->score, sizeof(r->score));
        r->has_score = at->has_score;
        if (!at->has_score)
            memset(r->score, 0, sizeof(r->score));
    }
    if (at->given & SY_BIT(SY_DESCRIPTION))
        r->description = at->description;
    if (at->given & SY_BIT(SY_GROUP))
        r->group = at->group;
    if (at->given & SY_BIT(SY_TFLAGS)) {
        r->tflags = at->tflags;
        r->maxhits = at->maxhits;
    }
    if (at->given & SY_BIT(SY_PRIORITY))
        r->priority = at->priority;
}

/* The definition fields of a typed entry into t. */
static int
sy_definition(struct sy_ctx *c, const struct cfg_node *e, const struct sy_type *ty,
              const struct cfg_node *const *f, struct scan_rule *t)
{
    for (int k = SY_HEADER; k <= SY_POLICY; k++) {
        if (f[k] != NULL && !(ty->allowed & SY_BIT(k)))
            return sy_skip(c, &f[k]->key_pos, "'%s' is not a field of a %s rule", sy_fields[k],
                           ty->name);
        if ((ty->required & SY_BIT(k)) && (f[k] == NULL || f[k]->kind == CFG_NULL))
            return sy_skip(c, f[k] != NULL ? &f[k]->pos : &e->key_pos, "%s rules need '%s'",
                           ty->name, sy_fields[k]);
    }
    t->kind = ty->kind;
    t->target = ty->target;
    if (f[SY_HEADER] != NULL && sy_header(c, f[SY_HEADER], &t->header) == -1)
        return -1;
    if (f[SY_PATTERN] != NULL && sy_pattern(c, f[SY_PATTERN], t) == -1)
        return -1;
    if (f[SY_PREFILTER] != NULL && f[SY_PREFILTER]->kind != CFG_NULL &&
        sy_prefilter(c, f[SY_PREFILTER], t) == -1)
        return -1;
    if (f[SY_NEGATE] != NULL && f[SY_NEGATE]->kind != CFG_NULL) {
        struct sift_err err;

        if (sy_scalar(c, f[SY_NEGATE], "negate", "true or false") == -1)
            return -1;
        if (cfg_parse_bool(f[SY_NEGATE]->str, &t->negate, &err) == -1)
            return sy_skip(c, &f[SY_NEGATE]->pos, "negate: not true or false");
    }
    if (f[SY_IF_UNSET] != NULL && f[SY_IF_UNSET]->kind != CFG_NULL &&
        sy_string(c, f[SY_IF_UNSET], "if_unset", false, &t->if_unset) == -1)
        return -1;
    if (f[SY_TARGET] != NULL && sy_target(c, f[SY_TARGET], t) == -1)
        return -1;
    if (f[SY_FUNCTION] != NULL) {
        char show[64];

        if (sy_string(c, f[SY_FUNCTION], "function", true, &t->eval) == -1)
            return -1;
        if (!sy_is_ident(t->eval))
            return sy_skip(c, &f[SY_FUNCTION]->pos, "function: '%s' is not a function name",
                           sy_show(t->eval, show, sizeof(show)));
    }
    if (f[SY_ARGS] != NULL && sy_args(c, f[SY_ARGS], t) == -1)
        return -1;
    if (ty->kind == SCAN_K_COMPOSITE)
        return sy_composite(c, f[SY_EXPRESSION], f[SY_POLICY], t);
    if (f[SY_EXPRESSION] != NULL && sy_expression(c, f[SY_EXPRESSION], t) == -1)
        return -1;
    return 0;
}

/* A typed entry: checked whole, then it replaces the rule's definition. */
static void
sy_define(struct sy_ctx *c, const struct cfg_node *e, const struct sy_type *ty,
          const struct cfg_node *const *f)
{
    struct scan_rule t, *r;
    struct sy_attrs at;
    char where[PATH_MAX + 32];

    memset(&t, 0, sizeof(t));
    if (strlen(e->key) > SCAN_YAML_MAX_NAME || !sy_is_ident(e->key)) {
        sy_skip(c, &e->key_pos, "not a rule name (letters, digits and _, at most %d)",
                SCAN_YAML_MAX_NAME);
        return;
    }
    if (sy_definition(c, e, ty, f, &t) == -1 || sy_attrs(c, f, &at) == -1)
        return;
    r = scan_ruleset_rule(c->rs, e->key);
    /* a definition replaces a definition; the attributes stay unless given */
    r->kind = t.kind;
    r->target = t.target;
    r->pattern = t.pattern;
    r->re_flags = t.re_flags;
    r->prefilter = t.prefilter;
    r->header = t.header;
    r->negate = t.negate;
    r->if_unset = t.if_unset;
    r->eval = t.eval;
    r->args = t.args;
    r->nargs = t.nargs;
    r->expr = t.expr;
    r->policy = t.policy;
    r->origin = arena_strdup(c->a, cfg_pos_str(&e->key_pos, where, sizeof(where)));
    sy_attrs_apply(r, &at);
}

/* An entry without a type: new attributes for a defined rule. */
static void
sy_rescore(struct sy_ctx *c, const struct cfg_node *e, const struct cfg_node *const *f)
{
    struct scan_rule *r = scan_ruleset_find(c->rs, e->key);
    struct sy_attrs at;

    for (int k = SY_HEADER; k <= SY_POLICY; k++) {
        if (f[k] != NULL) {
            sy_skip(c, &f[k]->key_pos,
                    "'%s' needs a type (without one, an entry changes only score, description, "
                    "group, tflags and priority)",
                    sy_fields[k]);
            return;
        }
    }
    if (r == NULL || r->kind == SCAN_K_UNDEFINED) {
        sy_skip(c, &e->key_pos, "no such rule (an entry without type changes a defined rule)");
        return;
    }
    if (sy_attrs(c, f, &at) == 0)
        sy_attrs_apply(r, &at);
}

static void
sy_entry(struct sy_ctx *c, const struct cfg_node *e)
{
    const struct cfg_node *f[SY_NFIELDS] = { NULL };
    const struct sy_type *ty = NULL;
    char show[64];

    c->name = e->key;
    if (e->kind != CFG_MAP) {
        sy_skip(c, &e->pos, "%s, not a map of fields (type, pattern, score...)",
                e->kind == CFG_SCALAR ? "a string" : sy_kind_name(e));
        return;
    }
    for (const struct cfg_node *ch = e->first; ch != NULL; ch = ch->next) {
        int k = 0;

        while (k < SY_NFIELDS && strcmp(ch->key, sy_fields[k]) != 0)
            k++;
        if (k == SY_NFIELDS) {
            sy_skip(c, &ch->key_pos, "unknown field '%s'", sy_show(ch->key, show, sizeof(show)));
            return;
        }
        f[k] = ch;
    }
    if (f[SY_TYPE] == NULL) {
        sy_rescore(c, e, f);
        return;
    }
    if (sy_scalar(c, f[SY_TYPE], "type", "a rule type") == -1)
        return;
    for (size_t i = 0; i < SY_NTYPES && ty == NULL; i++) {
        if (strcmp(f[SY_TYPE]->str, sy_types[i].name) == 0)
            ty = &sy_types[i];
    }
    if (ty == NULL) {
        sy_skip(c, &f[SY_TYPE]->pos,
                "type: unknown '%s' (header, body, rawbody, uri, full, mimeheader, meta, eval, "
                "exists, external)",
                sy_show(f[SY_TYPE]->str, show, sizeof(show)));
        return;
    }
    sy_define(c, e, ty, f);
}

int
scan_yaml_apply(struct scan_ruleset *rs, const struct cfg_node *symbols, struct sift_err *err)
{
    struct sy_ctx c = { .rs = rs, .a = scan_ruleset_arena(rs) };

    (void)err; /* every problem is a skip */
    if (symbols == NULL || symbols->kind == CFG_NULL)
        return 0;
    if (symbols->kind != CFG_MAP) {
        sy_skip(&c, &symbols->pos, "symbols: %s, not a map of rule names",
                symbols->kind == CFG_SCALAR ? "a string" : sy_kind_name(symbols));
        return 0;
    }
    c.scratch = arena_new(16u * 1024);
    c.cc = pcre2_compile_context_create(NULL);
    if (c.cc == NULL)
        xalloc_die(sizeof(pcre2_compile_context *));
    /* what the matcher uses (scan_match.c): Perl's \n newline */
    pcre2_set_newline(c.cc, PCRE2_NEWLINE_LF);
    pcre2_set_bsr(c.cc, PCRE2_BSR_UNICODE);
    for (const struct cfg_node *e = symbols->first; e != NULL; e = e->next)
        sy_entry(&c, e);
    pcre2_compile_context_free(c.cc);
    arena_free(&c.scratch);
    return 0;
}

/* A whole file: a map holding `symbols`. */
static void
sy_file(struct scan_ruleset *rs, const struct cfg_node *root)
{
    struct sy_ctx c = { .rs = rs, .a = scan_ruleset_arena(rs) };
    char show[64];

    if (root->kind == CFG_NULL)
        return; /* an empty file */
    if (root->kind != CFG_MAP) {
        sy_skip(&c, &root->pos, "a rules file is a map with a 'symbols' key, not %s",
                root->kind == CFG_SCALAR ? "a string" : sy_kind_name(root));
        return;
    }
    for (const struct cfg_node *k = root->first; k != NULL; k = k->next) {
        if (strcmp(k->key, "symbols") == 0)
            scan_yaml_apply(rs, k, NULL);
        else
            sy_skip(&c, &k->key_pos, "unknown key '%s' (a rules file holds 'symbols')",
                    sy_show(k->key, show, sizeof(show)));
    }
}

int
scan_yaml_load_text(struct scan_ruleset *rs, const char *file, const char *text, size_t len,
                    struct sift_err *err)
{
    struct arena *a = arena_new(64u * 1024);
    struct cfg_node *root;
    int rc = -1;

    if (cfg_yaml_parse(a, file, text, len, &root, err) == 0) {
        sy_file(rs, root);
        rc = 0;
    }
    arena_free(&a);
    return rc;
}

int
scan_yaml_load_file(struct scan_ruleset *rs, const char *path, struct sift_err *err)
{
    struct arena *a = arena_new(64u * 1024);
    struct cfg_node *root;
    int rc = -1;

    if (cfg_yaml_load_file(a, path, &root, err) == 0) {
        sy_file(rs, root);
        rc = 0;
    }
    arena_free(&a);
    return rc;
}

static int
sy_name_cmp(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

int
scan_yaml_load_dir(struct scan_ruleset *rs, const char *dir, struct sift_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;

    if (d == NULL) {
        if (errno == ENOENT)
            return 0;
        sift_err_set(err, "%s: cannot open: %s", dir, strerror(errno));
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);

        if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = xreallocarray(names, cap, sizeof(*names));
        }
        names[n++] = xstrdup(de->d_name);
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof(*names), sy_name_cmp);
    for (size_t i = 0; i < n; i++) {
        char *path = NULL;
        struct stat st;

        if (rc == 0) {
            path = xmalloc(strlen(dir) + strlen(names[i]) + 2);
            sprintf(path, "%s/%s", dir, names[i]);
            if (!(stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
                rc = scan_yaml_load_file(rs, path, err);
            free(path);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

/* ---- writing ---- */

/* The length (1-4) of the well-formed UTF-8 character at p, its code
 * point in *cp; 0 when the bytes are not UTF-8. */
static size_t
sy_utf8(const unsigned char *p, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t v, min;

    if (n == 0)
        return 0;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        len = 2, v = p[0] & 0x1f, min = 0x80;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        len = 3, v = p[0] & 0x0f, min = 0x800;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        len = 4, v = p[0] & 0x07, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

/* May cp stand as itself in a single-quoted scalar? YAML's printable set,
 * less the characters libyaml reads as line breaks (NEL, LS, PS) and the
 * BOM. */
static bool
sy_printable(uint32_t cp)
{
    return (cp >= 0x20 && cp <= 0x7e) ||
           (cp >= 0xa0 && cp <= 0xd7ff && cp != 0x2028 && cp != 0x2029) ||
           (cp >= 0xe000 && cp <= 0xfffd && cp != 0xfeff) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/* p[0..len) as a quoted YAML scalar: single-quoted when every character
 * is printable, else double-quoted with escapes (a byte that is not UTF-8
 * becomes \xHH, which YAML reads as U+00HH: Latin-1). */
static void
sy_put_quoted(struct buf *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    bool single = true;
    uint32_t cp;
    size_t k;

    for (size_t i = 0; i < len && single; i += k) {
        k = sy_utf8(p + i, len - i, &cp);
        single = k > 0 && sy_printable(cp);
    }
    if (single) {
        buf_putc(out, '\'');
        for (size_t i = 0; i < len; i++) {
            if (p[i] == '\'')
                buf_putc(out, '\'');
            buf_putc(out, (char)p[i]);
        }
        buf_putc(out, '\'');
        return;
    }
    buf_putc(out, '"');
    for (size_t i = 0; i < len; i += k) {
        k = sy_utf8(p + i, len - i, &cp);
        if (k == 0) {
            buf_printf(out, "\\x%02x", p[i]);
            k = 1;
        } else if (cp == '"' || cp == '\\') {
            buf_putc(out, '\\');
            buf_putc(out, (char)cp);
        } else if (cp == 0) {
            buf_puts(out, "\\0");
        } else if (cp == '\t') {
            buf_puts(out, "\\t");
        } else if (cp == '\n') {
            buf_puts(out, "\\n");
        } else if (cp == '\r') {
            buf_puts(out, "\\r");
        } else if (sy_printable(cp)) {
            buf_append(out, p + i, k);
        } else if (cp <= 0xff) {
            buf_printf(out, "\\x%02x", (unsigned)cp);
        } else if (cp <= 0xffff) {
            buf_printf(out, "\\u%04x", (unsigned)cp);
        } else {
            buf_printf(out, "\\U%08x", (unsigned)cp);
        }
    }
    buf_putc(out, '"');
}

/* Words (header names, groups) stay plain when YAML reads them back as
 * the same text: no indicator, no trailing ':', not a null. */
static void
sy_put_word(struct buf *out, const char *s)
{
    bool plain = *s != '\0' && strcmp(s, "null") != 0 && strcmp(s, "Null") != 0 &&
                 strcmp(s, "NULL") != 0 && s[strlen(s) - 1] != ':';

    for (const char *p = s; *p != '\0' && plain; p++) {
        plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                *p == '_' || (p > s && (*p == '-' || *p == '.' || *p == ':'));
    }
    if (plain)
        buf_puts(out, s);
    else
        sy_put_quoted(out, s, strlen(s));
}

/* The shortest decimal text that reads back as v; a whole number without
 * an exponent (%g writes 500 as 5e+02, which YAML 1.1 reads as a string). */
static void
sy_put_number(struct buf *out, double v)
{
    char tmp[40];

    if (v > -1e15 && v < 1e15 && v == (double)(long long)v) {
        snprintf(tmp, sizeof(tmp), "%.0f", v);
        buf_puts(out, tmp);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    buf_puts(out, tmp);
}

/* A pattern's bytes, with those that are not UTF-8 as \xHH (also after a
 * backslash, which they no longer need, and inside \Q...\E, which is
 * closed around them). */
static void
sy_pattern_bytes(struct buf *b, const char *pat)
{
    const unsigned char *p = (const unsigned char *)pat;
    size_t n = strlen(pat), k;
    bool inq = false;
    uint32_t cp;

    for (size_t i = 0; i < n; i += k) {
        k = 1;
        if (p[i] == '\\' && i + 1 < n) {
            unsigned char nx = p[i + 1];

            if (inq) {
                if (nx == 'E') {
                    inq = false;
                    k = 2;
                }
                buf_append(b, p + i, k);
            } else if (nx == 'Q') {
                inq = true;
                k = 2;
                buf_puts(b, "\\Q");
            } else if (nx >= 0x80 && sy_utf8(p + i + 1, n - i - 1, &cp) == 0) {
                buf_printf(b, "\\x%02x", nx);
                k = 2;
            } else {
                k = nx < 0x80 ? 2 : 1;
                buf_append(b, p + i, k);
            }
            continue;
        }
        if (p[i] >= 0x80 && (k = sy_utf8(p + i, n - i, &cp)) == 0) {
            buf_printf(b, inq ? "\\E\\x%02x\\Q" : "\\x%02x", p[i]);
            k = 1;
            continue;
        }
        buf_append(b, p + i, k);
    }
}

/* /re/flags, or m{re}flags (or another delimiter) when re has a '/'. */
static void
sy_put_pattern(struct buf *out, const char *pattern, unsigned re_flags)
{
    static const char *const delims[] = { "//", "{}", "!!", "||", "##", ",,", "~~", "%%", "@@" };
    struct buf b, t;
    const char *d = "//";

    buf_init(&b);
    buf_init(&t);
    sy_pattern_bytes(&b, pattern);
    for (size_t i = 0; i < sizeof(delims) / sizeof(delims[0]); i++) {
        if (b.len == 0 || (memchr(b.p, delims[i][0], b.len) == NULL &&
                           memchr(b.p, delims[i][1], b.len) == NULL)) {
            d = delims[i];
            break;
        }
    }
    if (d[0] != '/')
        buf_putc(&t, 'm');
    buf_putc(&t, d[0]);
    if (b.len > 0)
        buf_append(&t, b.p, b.len);
    buf_putc(&t, d[1]); /* the last one in the text: the reader needs no escape */
    for (unsigned i = 0; i < 4; i++) {
        if (re_flags & (1u << i))
            buf_putc(&t, sy_re_flags[i]);
    }
    sy_put_quoted(out, t.p, t.len);
    buf_clear(&t);
    buf_clear(&b);
}

static void
sy_put_args(struct buf *out, const struct scan_rule *r, unsigned indent)
{
    buf_printf(out, "%*sargs: [", (int)indent, "");
    for (size_t i = 0; i < r->nargs; i++) {
        const struct scan_eval_arg *g = &r->args[i];

        if (i > 0)
            buf_puts(out, ", ");
        if (g->kind == SCAN_ARG_UNDEF)
            buf_puts(out, "null");
        else if (g->kind == SCAN_ARG_NUM && g->s != NULL && sy_is_number(g->s))
            buf_puts(out, g->s);
        else if (g->kind == SCAN_ARG_NUM)
            sy_put_number(out, g->n);
        else if (g->s != NULL)
            sy_put_quoted(out, g->s, g->len);
        else
            buf_puts(out, "''");
    }
    buf_puts(out, "]\n");
}

/* The attributes fields asks for (SCAN_YAML_W_*), with their keys at
 * indent spaces. explicit: also those at their default (null, [] or 0),
 * so that an entry changing a rule resets them; else only those set. */
static void
sy_put_attrs(struct buf *out, const struct scan_rule *r, unsigned fields, unsigned indent,
             bool explicit)
{
    if ((fields & SCAN_YAML_W_SCORE) && (r->has_score || explicit)) {
        buf_printf(out, "%*sscore: ", (int)indent, "");
        if (!r->has_score) {
            buf_putc(out, '~');
        } else if (r->score[0] == r->score[1] && r->score[0] == r->score[2] &&
                   r->score[0] == r->score[3]) {
            sy_put_number(out, r->score[0]);
        } else {
            for (int i = 0; i < 4; i++) {
                buf_puts(out, i == 0 ? "[" : ", ");
                sy_put_number(out, r->score[i]);
            }
            buf_putc(out, ']');
        }
        buf_putc(out, '\n');
    }
    if ((fields & SCAN_YAML_W_DESCRIPTION) && (r->description != NULL || explicit)) {
        buf_printf(out, "%*sdescription: ", (int)indent, "");
        if (r->description != NULL)
            sy_put_quoted(out, r->description, strlen(r->description));
        else
            buf_putc(out, '~');
        buf_putc(out, '\n');
    }
    if ((fields & SCAN_YAML_W_GROUP) && (r->group != NULL || explicit)) {
        buf_printf(out, "%*sgroup: ", (int)indent, "");
        if (r->group != NULL)
            sy_put_word(out, r->group);
        else
            buf_putc(out, '~');
        buf_putc(out, '\n');
    }
    if ((fields & SCAN_YAML_W_TFLAGS) && (r->tflags != 0 || r->maxhits != 0 || explicit)) {
        const char *sep = "[";

        buf_printf(out, "%*stflags: ", (int)indent, "");
        for (size_t i = 0; i < SY_NTFLAGS; i++) {
            if (r->tflags & sy_tflags[i].bit) {
                buf_printf(out, "%s%s", sep, sy_tflags[i].name);
                sep = ", ";
            }
        }
        if (r->maxhits != 0) {
            buf_printf(out, "%smaxhits=%u", sep, r->maxhits);
            sep = ", ";
        }
        buf_puts(out, sep[0] == '[' ? "[]\n" : "]\n");
    }
    if ((fields & SCAN_YAML_W_PRIORITY) && (r->priority != 0 || explicit))
        buf_printf(out, "%*spriority: %d\n", (int)indent, "", r->priority);
}

/* The type a rule is written as, or NULL when it cannot be written. */
static const char *
sy_type_of(const struct scan_rule *r)
{
    switch (r->kind) {
    case SCAN_K_REGEX:
        if (r->pattern == NULL || r->target == SCAN_T_NONE || r->target >= SCAN_NTARGETS ||
            ((r->target == SCAN_T_HEADER || r->target == SCAN_T_MIMEHEADER) && r->header == NULL))
            return NULL;
        return sy_targets[r->target];
    case SCAN_K_EXISTS:
        return r->header != NULL ? "exists" : NULL;
    case SCAN_K_EVAL:
        return r->eval != NULL && r->target < SCAN_NTARGETS ? "eval" : NULL;
    case SCAN_K_META:
        return r->expr != NULL ? "meta" : NULL;
    case SCAN_K_COMPOSITE:
        return r->expr != NULL ? "composite" : NULL;
    case SCAN_K_EXTERNAL:
        return "external";
    default:
        return NULL;
    }
}

/* A comment's text: printable ASCII only, so it cannot break the YAML. */
static void
sy_put_comment(struct buf *out, const char *s)
{
    for (; *s != '\0'; s++)
        buf_putc(out, *s >= ' ' && *s < 0x7f ? *s : '?');
}

static void
sy_put_name(struct buf *out, const struct scan_rule *r, unsigned indent)
{
    buf_printf(out, "%*s", (int)indent, "");
    if (sy_is_ident(r->name))
        buf_puts(out, r->name);
    else
        sy_put_quoted(out, r->name, strlen(r->name));
    buf_putc(out, ':');
    if (r->origin != NULL && r->origin[0] != '\0') {
        buf_puts(out, " # ");
        sy_put_comment(out, r->origin);
    }
    buf_putc(out, '\n');
}

/* The definition's fields (type first), at indent spaces. */
static void
sy_put_definition(struct buf *out, const struct scan_rule *r, const char *type, unsigned indent)
{
    int in = (int)indent;

    buf_printf(out, "%*stype: %s\n", in, "", type);
    if (r->kind == SCAN_K_EXISTS ||
        (r->kind == SCAN_K_REGEX && r->header != NULL &&
         (r->target == SCAN_T_HEADER || r->target == SCAN_T_MIMEHEADER))) {
        buf_printf(out, "%*sheader: ", in, "");
        sy_put_word(out, r->header);
        buf_putc(out, '\n');
    }
    if (r->kind == SCAN_K_REGEX) {
        buf_printf(out, "%*spattern: ", in, "");
        sy_put_pattern(out, r->pattern, r->re_flags);
        buf_putc(out, '\n');
        if (r->prefilter != NULL) {
            buf_printf(out, "%*sprefilter: ", in, "");
            sy_put_pattern(out, r->prefilter, r->re_flags);
            buf_putc(out, '\n');
        }
        if ((r->target == SCAN_T_HEADER || r->target == SCAN_T_MIMEHEADER) && r->negate)
            buf_printf(out, "%*snegate: true\n", in, "");
        if ((r->target == SCAN_T_HEADER || r->target == SCAN_T_MIMEHEADER) && r->if_unset != NULL) {
            buf_printf(out, "%*sif_unset: ", in, "");
            sy_put_quoted(out, r->if_unset, strlen(r->if_unset));
            buf_putc(out, '\n');
        }
    } else if (r->kind == SCAN_K_EVAL) {
        if (r->target != SCAN_T_NONE)
            buf_printf(out, "%*starget: %s\n", in, "", sy_targets[r->target]);
        buf_printf(out, "%*sfunction: ", in, "");
        sy_put_word(out, r->eval);
        buf_putc(out, '\n');
        if (r->nargs > 0)
            sy_put_args(out, r, indent);
    } else if (r->kind == SCAN_K_META || r->kind == SCAN_K_COMPOSITE) {
        buf_printf(out, "%*sexpression: ", in, "");
        sy_put_quoted(out, r->expr, strlen(r->expr));
        buf_putc(out, '\n');
        if (r->kind == SCAN_K_COMPOSITE && r->policy != SCAN_COMPOSITE_REMOVE_ALL)
            buf_printf(out, "%*spolicy: %s\n", in, "",
                       scan_composite_policy_name((enum scan_composite_policy)r->policy));
    }
}

static void
sy_put_rule(struct buf *out, const struct scan_rule *r)
{
    const char *type = sy_type_of(r);

    if (type == NULL) {
        buf_puts(out, "  # ");
        sy_put_comment(out, r->name);
        buf_puts(out, r->kind == SCAN_K_UNDEFINED ? ": attributes without a rule, not written\n"
                                                  : ": incomplete definition, not written\n");
        return;
    }
    sy_put_name(out, r, 2);
    sy_put_definition(out, r, type, 4);
    sy_put_attrs(out, r, SCAN_YAML_W_ALL, 4, false);
}

int
scan_yaml_write_rule(const struct scan_rule *r, unsigned fields, unsigned indent, struct buf *out)
{
    const char *type = sy_type_of(r);

    if ((fields & SCAN_YAML_W_DEFINITION) && type == NULL)
        return -1;
    sy_put_name(out, r, indent);
    if (fields & SCAN_YAML_W_DEFINITION)
        sy_put_definition(out, r, type, indent + 2);
    sy_put_attrs(out, r, fields, indent + 2, true);
    return 0;
}

void
scan_yaml_write(const struct scan_ruleset *rs, struct buf *out)
{
    size_t n = scan_ruleset_count(rs), written = 0;

    for (size_t i = 0; i < n; i++)
        written += sy_type_of(scan_ruleset_at(rs, i)) != NULL;
    buf_printf(out, "# sift native rules (rules/README.md): %zu rules\n", written);
    buf_puts(out, written > 0 ? "symbols:\n" : "symbols: {}\n");
    for (size_t i = 0; i < n; i++)
        sy_put_rule(out, scan_ruleset_at(rs, i));
}
