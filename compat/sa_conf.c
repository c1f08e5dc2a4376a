/*
 * sa_conf.c - reading SpamAssassin's configuration files (see sa_conf.h):
 * the line lexer, files and include, conditionals, the directive table's
 * dispatch, user_prefs restrictions, and the settings kept for others.
 *
 * It follows Conf::Parser::parse line by line: comments (# unless \#),
 * `lang xx` lines, keyword normalisation, the if/ifplugin/else/endif
 * stack with its saved skip flags, require_version, include (which SA
 * splices in with "file end"/"file start" markers that reset the
 * conditional state, and processes even inside a false block), then the
 * command table, where unknown keywords are counted and skipped.
 */
#include "compat/sa_conf.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compat/sa_conf_int.h"
#include "core/xmalloc.h"

#define CONF_CHUNK         (64u * 1024)
#define CONF_MAX_INCLUDE   32                  /* include nesting (SA has none; loops need one) */
#define CONF_MAX_FILE      (64u * 1024 * 1024) /* a rule file larger than this is not one */
#define CONF_DEFAULT_SCORE 5.0

/* ---- small containers ---- */

void
sa_map_init(struct sa_map *m, struct arena *a)
{
    strset_init(&m->keys, a);
    m->vals = NULL;
    m->cap = 0;
}

void **
sa_map_slot(struct sa_map *m, struct strv key)
{
    long i = strset_index(&m->keys, key);

    if (i < 0) {
        char *k = arena_strndup(m->keys.a, key.p, key.len);

        strset_add(&m->keys, strv_make(k, key.len));
        i = (long)m->keys.n - 1;
        if (m->keys.n > m->cap) {
            size_t ncap = m->cap ? m->cap * 2 : 32;

            m->vals = arena_realloc(m->keys.a, m->vals, m->cap * sizeof(*m->vals),
                                    ncap * sizeof(*m->vals));
            memset(m->vals + m->cap, 0, (ncap - m->cap) * sizeof(*m->vals));
            m->cap = ncap;
        }
    }
    return &m->vals[i];
}

void *
sa_map_get(const struct sa_map *m, struct strv key)
{
    long i = strset_index(&m->keys, key);

    return i < 0 ? NULL : m->vals[i];
}

static bool
conf_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool
sa_number(const char *s, double *v)
{
    const char *p = s;
    char *end;
    size_t digits = 0;

    while (conf_space((unsigned char)*p))
        p++;
    /* [+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)? and blanks: what Perl numifies
     * without a warning (no hex, no inf/nan spelled out) */
    {
        const char *q = p + (*p == '+' || *p == '-');

        for (; *q >= '0' && *q <= '9'; q++)
            digits++;
        if (*q == '.')
            for (q++; *q >= '0' && *q <= '9'; q++)
                digits++;
        if (digits == 0)
            return false;
        if (*q == 'e' || *q == 'E') {
            const char *e = q + 1 + (q[1] == '+' || q[1] == '-');

            if (*e >= '0' && *e <= '9') {
                for (q = e; *q >= '0' && *q <= '9'; q++)
                    ;
            }
        }
        while (conf_space((unsigned char)*q))
            q++;
        if (*q != '\0')
            return false;
    }
    *v = strtod(p, &end);
    return true;
}

/* ---- the object ---- */

/* Parser::parse: LANGUAGE (first of a list), LC_ALL, LC_MESSAGES, LANG;
 * C or POSIX (or nothing) is en_US; the codeset and modifier go. */
static void
conf_lang(struct sa_conf *c)
{
    const char *l = c->opts.lang;
    static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
    char buf[sizeof(c->lang)];

    if (l == NULL || *l == '\0') {
        const char *lg = getenv("LANGUAGE");

        if (lg != NULL && *lg != '\0') {
            snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(lg, ":"), lg);
            l = buf[0] != '\0' ? buf : NULL;
        }
        for (size_t i = 0; i < 3 && (l == NULL || *l == '\0'); i++)
            l = getenv(vars[i]);
    }
    if (l == NULL || *l == '\0' || strcmp(l, "C") == 0 || strcmp(l, "POSIX") == 0)
        l = "en_US";
    snprintf(c->lang, sizeof(c->lang), "%.*s", (int)strcspn(l, "@.+,"), l);
}

struct sa_conf *
sa_conf_new(const struct sa_conf_opts *opts)
{
    struct arena *a = arena_new(CONF_CHUNK);
    struct sa_conf *c = arena_calloc(a, 1, sizeof(*c));

    c->a = a;
    if (opts != NULL)
        c->opts = *opts;
    if (c->opts.lang != NULL)
        c->opts.lang = arena_strdup(a, c->opts.lang);
    conf_lang(c);
    sa_map_init(&c->dirs, a);
    sa_map_init(&c->tags, a);
    sa_map_init(&c->pres, a);
    sa_map_init(&c->posts, a);
    sa_map_init(&c->inters, a);
    sa_map_init(&c->unknown, a);
    strset_init(&c->plugins, a);
    strset_init(&c->files, a);
    strset_init(&c->defined, a);
    strset_init(&c->replace_rules, a);
    c->replace_start = "<";
    c->replace_end = ">";
    c->required_score = CONF_DEFAULT_SCORE;
    return c;
}

static struct sa_list *conf_list(struct sa_conf *c, const char *directive);

static void
conf_copy_strset(struct strset *to, const struct strset *from)
{
    for (size_t i = 0; i < from->n; i++)
        strset_add(to, from->items[i]);
}

struct sa_conf *
sa_conf_new_user(const struct sa_conf *site, bool allow_user_rules)
{
    struct sa_conf_opts o = site->opts;
    struct sa_conf *c;

    o.user_mode = true;
    o.allow_user_rules = allow_user_rules;
    o.lang = site->lang[0] != '\0' ? site->lang : o.lang;
    c = sa_conf_new(&o);
    /* the settings: each list copied (the values stay the site's) */
    for (size_t i = 0; i < site->dirs.keys.n; i++) {
        const struct sa_list *from = site->dirs.vals[i];
        struct sa_list *to;

        if (from == NULL)
            continue;
        to = conf_list(
            c, arena_strndup(c->a, site->dirs.keys.items[i].p, site->dirs.keys.items[i].len));
        to->cap = from->n ? from->n : 1;
        to->v = arena_alloc(c->a, to->cap * sizeof(*to->v));
        memcpy(to->v, from->v, from->n * sizeof(*to->v));
        to->n = from->n;
    }
    c->required_score = site->required_score;
    conf_copy_strset(&c->plugins, &site->plugins);
    c->plugins_explicit = site->plugins_explicit;
    conf_copy_strset(&c->defined, &site->defined);
    return c;
}

void *
sa_conf_memo(const struct sa_conf *cc, const void *key, size_t size, bool *fresh)
{
    struct sa_conf *c = (struct sa_conf *)cc; /* a cache: not the configuration itself */
    struct sa_memo *m;

    for (m = c->memos; m != NULL; m = m->next) {
        if (m->key == key) {
            *fresh = false;
            return m->block;
        }
    }
    m = arena_calloc(c->a, 1, sizeof(*m));
    m->key = key;
    m->block = arena_calloc(c->a, 1, size ? size : 1);
    m->next = c->memos;
    c->memos = m;
    *fresh = true;
    return m->block;
}

struct arena *
sa_conf_arena(const struct sa_conf *c)
{
    return c->a;
}

void
sa_conf_free(struct sa_conf **cp)
{
    struct arena *a;

    if (*cp == NULL)
        return;
    a = (*cp)->a;
    arena_free(&a);
    *cp = NULL;
}

/* ---- messages ---- */

void
sa_pskip(struct sa_pstate *ps, const char *name, const char *category, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    scan_ruleset_skip(ps->rs, name, ps->origin, category, "%s", msg);
}

/* ---- observing ---- */

void
sa_conf_observe(struct sa_conf *c, sa_conf_line_fn fn, void *arg)
{
    c->observe = fn;
    c->observe_arg = arg;
}

static void
conf_observe(struct sa_pstate *ps, const char *key, const char *value, enum sa_conf_line_kind kind)
{
    struct sa_conf_line l;
    bool known;

    if (ps->c->observe == NULL)
        return;
    l.file = ps->file;
    l.line = ps->line;
    l.key = key;
    l.value = value;
    l.kind = kind;
    l.plugin = sa_keyword_plugin(key, &known);
    ps->c->observe(ps->c->observe_arg, &l);
}

/* What a directive of the table does, as the observer is told. */
static enum sa_conf_line_kind
conf_line_kind(const struct sa_keyword *kw)
{
    switch (kw->kind) {
    case SA_KW_HEADER:
    case SA_KW_BODY:
    case SA_KW_RAWBODY:
    case SA_KW_FULL:
    case SA_KW_URI:
    case SA_KW_META:
    case SA_KW_MIMEHEADER:
    case SA_KW_DESCRIBE:
    case SA_KW_SCORE:
    case SA_KW_TFLAGS:
    case SA_KW_PRIORITY:
    case SA_KW_REPLACE_TAG:
    case SA_KW_REPLACE_PRE:
    case SA_KW_REPLACE_POST:
    case SA_KW_REPLACE_INTER:
    case SA_KW_REPLACE_RULES:
    case SA_KW_REPLACE_START:
    case SA_KW_REPLACE_END:
        return SA_LINE_RULE;
    case SA_KW_PLUGIN_RULE:
        return SA_LINE_PLUGIN_RULE;
    default:
        return SA_LINE_SETTING;
    }
}

/* ---- settings kept for others ---- */

static struct sa_list *
conf_list(struct sa_conf *c, const char *directive)
{
    void **slot = sa_map_slot(&c->dirs, strv_cstr(directive));

    if (*slot == NULL)
        *slot = arena_calloc(c->a, 1, sizeof(struct sa_list));
    return *slot;
}

static void
conf_list_push(struct sa_conf *c, struct sa_list *l, const char *v, size_t len)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;

        l->v = arena_realloc(c->a, l->v, l->cap * sizeof(*l->v), ncap * sizeof(*l->v));
        l->cap = ncap;
    }
    l->v[l->n++] = strv_make(arena_strndup(c->a, v, len), len);
}

static void
conf_keep(struct sa_conf *c, const char *directive, const char *value)
{
    conf_list_push(c, conf_list(c, directive), value, strlen(value));
}

/* The next blank-separated word of s from *pos. */
static bool
conf_word(struct strv s, size_t *pos, struct strv *w)
{
    size_t i = *pos, j;

    while (i < s.len && conf_space((unsigned char)s.p[i]))
        i++;
    if (i >= s.len)
        return false;
    for (j = i; j < s.len && !conf_space((unsigned char)s.p[j]); j++)
        ;
    *w = strv_make(s.p + i, j - i);
    *pos = j;
    return true;
}

/* Is w one of the blank-separated words of list (case-insensitively,
 * a leading ! ignored on both sides when bang)? */
static bool
conf_listed(struct strv list, struct strv w, bool bang)
{
    size_t pos = 0;
    struct strv x;

    if (bang && w.len > 0 && w.p[0] == '!')
        w = strv_make(w.p + 1, w.len - 1);
    while (conf_word(list, &pos, &x)) {
        if (bang && x.len > 0 && x.p[0] == '!')
            x = strv_make(x.p + 1, x.len - 1);
        if (x.len == w.len && strncasecmp(x.p, w.p, w.len) == 0)
            return true;
    }
    return false;
}

/* Take the words of `args` out of every value of l (from word `from` on);
 * values left with no word there go. */
static void
conf_remove_words(struct sa_conf *c, struct sa_list *l, struct strv args, size_t from, bool bang)
{
    size_t out = 0;

    for (size_t i = 0; i < l->n; i++) {
        char *buf = arena_alloc(c->a, l->v[i].len + 1);
        size_t pos = 0, n = 0, words = 0, kept = 0;
        struct strv w;

        while (conf_word(l->v[i], &pos, &w)) {
            if (words++ >= from && conf_listed(args, w, bang))
                continue;
            if (n > 0)
                buf[n++] = ' ';
            memcpy(buf + n, w.p, w.len);
            n += w.len;
            kept += words > from;
        }
        buf[n] = '\0';
        if (kept > 0)
            l->v[out++] = strv_make(buf, n);
    }
    l->n = out;
}

/* SA_KW_UNLIST: entries out of address lists (remove_from_addrlist*),
 * hosts out of enlist_uri_host lists. */
static void
conf_unlist(struct sa_conf *c, const struct sa_keyword *kw, const char *value)
{
    struct strv args = strv_cstr(value), t = strv_cstr(kw->targets + 2), name;
    size_t tpos = 0;
    char mode = kw->targets[0];

    while (conf_word(t, &tpos, &name)) {
        char dir[64];
        struct sa_list *l;

        snprintf(dir, sizeof(dir), "%.*s", (int)name.len, name.p);
        l = conf_list(c, dir);
        if (mode == 'T') {
            conf_remove_words(c, l, args, 0, false);
        } else if (mode == 'H') {
            /* delist_uri_host [(LIST)] host...: from that list, or every list */
            struct strv hosts = args, listname = { NULL, 0 };

            if (value[0] == '(' && strchr(value, ')') != NULL) {
                const char *close = strchr(value, ')');

                listname = strv_make(value, (size_t)(close + 1 - value));
                hosts = strv_cstr(close + 1);
            }
            for (size_t i = 0; i < l->n; i++) {
                struct sa_list one = { &l->v[i], 1, 1 };
                size_t pos = 0;
                struct strv first;

                if (listname.p != NULL &&
                    (!conf_word(l->v[i], &pos, &first) || !strv_equal(first, listname)))
                    continue;
                conf_remove_words(c, &one, hosts, 1, true);
                if (one.n == 0)
                    l->v[i] = strv_make("", 0);
            }
        } else { /* F: by address (first word); D: address and signing domain */
            size_t out = 0, apos = 0;
            struct strv addr, sdid = { "", 0 };

            conf_word(args, &apos, &addr);
            if (mode == 'D' && !conf_word(args, &apos, &sdid))
                sdid = strv_make("", 0);
            for (size_t i = 0; i < l->n; i++) {
                size_t pos = 0;
                struct strv first, second = { "", 0 };
                bool drop;

                conf_word(l->v[i], &pos, &first);
                if (mode == 'F') {
                    drop = conf_listed(args, first, false);
                } else {
                    conf_word(l->v[i], &pos, &second);
                    drop = first.len == addr.len && strncasecmp(first.p, addr.p, addr.len) == 0 &&
                           second.len == sdid.len && strncasecmp(second.p, sdid.p, sdid.len) == 0;
                }
                if (!drop)
                    l->v[out++] = l->v[i];
            }
            l->n = out;
        }
    }
}

static void
conf_clear(struct sa_conf *c, const struct sa_keyword *kw, const char *value)
{
    struct strv t = strv_cstr(kw->targets + 2), name;
    size_t pos = 0;

    while (conf_word(t, &pos, &name)) {
        char dir[64];
        struct sa_list *l;

        snprintf(dir, sizeof(dir), "%.*s", (int)name.len, name.p);
        l = conf_list(c, dir);
        if (kw->targets[0] == 'c' && *value != '\0')
            conf_remove_words(c, l, strv_cstr(value), 0, false);
        else
            l->n = 0;
    }
}

/* The add_header list kept as SA's headers_spam/headers_ham end up:
 * "spam|ham|all Name text" entries, one per (type, name). */
static void
conf_header_drop(struct sa_conf *c, struct strv name, bool ham, bool spam)
{
    struct sa_list *l = conf_list(c, "add_header");
    size_t out = 0;

    for (size_t i = 0; i < l->n; i++) {
        size_t pos = 0;
        struct strv type, hname;
        bool h, s;

        conf_word(l->v[i], &pos, &type);
        conf_word(l->v[i], &pos, &hname);
        h = !strv_eq(type, "spam");
        s = !strv_eq(type, "ham");
        if (hname.len == name.len && strncasecmp(hname.p, name.p, name.len) == 0) {
            h = h && !ham;
            s = s && !spam;
            if (!h && !s)
                continue;
            if (h != !strv_eq(type, "spam") || s != !strv_eq(type, "ham")) {
                /* "all" loses one side: keep the other */
                const char *rest = hname.p + hname.len;
                char *v = arena_printf(c->a, "%s %.*s%s", h ? "ham" : "spam", (int)hname.len,
                                       hname.p, rest);

                l->v[i] = strv_cstr(v);
            }
        }
        l->v[out++] = l->v[i];
    }
    l->n = out;
}

/* add_header/remove_header: ^(ham|spam|all)\s+([A-Za-z0-9_-]+)\s+(.*?)\s*$ */
static bool
conf_header_value(const char *value, bool need_text, struct strv *type, struct strv *name)
{
    size_t pos = 0;
    struct strv v = strv_cstr(value);

    if (!conf_word(v, &pos, type) ||
        !(strv_eq(*type, "ham") || strv_eq(*type, "spam") || strv_eq(*type, "all")))
        return false;
    if (!conf_word(v, &pos, name))
        return false;
    for (size_t i = 0; i < name->len; i++) {
        char ch = name->p[i];

        if (!(ch == '_' || ch == '-' || (ch >= '0' && ch <= '9') ||
              ((ch | 32) >= 'a' && (ch | 32) <= 'z')))
            return false;
    }
    if (need_text)
        return pos < v.len; /* a blank and the text (maybe empty after it) */
    while (pos < v.len && conf_space((unsigned char)v.p[pos]))
        pos++;
    return pos == v.len;
}

static void
conf_headers(struct sa_pstate *ps, const struct sa_keyword *kw, const char *key, const char *value)
{
    struct sa_conf *c = ps->c;
    struct strv type, name;

    if (kw->kind == SA_KW_CLEAR_HEADERS) {
        /* Checker-Version stays */
        struct sa_list *l = conf_list(c, "add_header");
        size_t out = 0;

        for (size_t i = 0; i < l->n; i++) {
            size_t pos = 0;
            struct strv t, n;

            conf_word(l->v[i], &pos, &t);
            conf_word(l->v[i], &pos, &n);
            if (strv_caseeq(n, "checker-version") && out == 0)
                l->v[out++] = l->v[i];
        }
        l->n = out;
        return;
    }
    if (!conf_header_value(value, kw->kind == SA_KW_ADD_HEADER, &type, &name)) {
        sa_pskip(ps, NULL, "syntax", "%s: invalid value: %s", key, value);
        return;
    }
    if (kw->kind == SA_KW_REMOVE_HEADER) {
        if (!strv_eq(name, "Checker-Version"))
            conf_header_drop(c, name, !strv_eq(type, "spam"), !strv_eq(type, "ham"));
        return;
    }
    conf_header_drop(c, name, !strv_eq(type, "spam"), !strv_eq(type, "ham"));
    conf_keep(c, "add_header", value);
}

/* report_safe 0 puts the report in an X-Spam-Report header of spam,
 * unless one is there (Conf.pm's report_safe handler). */
static void
conf_report_header(struct sa_conf *c)
{
    struct sa_list *l = conf_list(c, "add_header");

    for (size_t i = 0; i < l->n; i++) {
        size_t pos = 0;
        struct strv type, name;

        conf_word(l->v[i], &pos, &type);
        conf_word(l->v[i], &pos, &name);
        if (!strv_eq(type, "ham") && strv_caseeq(name, "report"))
            return;
    }
    conf_keep(c, "add_header", "spam Report _REPORT_");
}

/* ---- plugins ---- */

static void
conf_loadplugin(struct sa_pstate *ps, const char *key, const char *value)
{
    struct sa_conf *c = ps->c;
    size_t n = strcspn(value, " \t\n\r\f\v");
    char pkg[256];
    const char *full;

    c->plugins_explicit = true;
    if (n == 0 || n >= sizeof(pkg)) {
        sa_pskip(ps, NULL, "syntax", "%s: invalid value: %s", key, value);
        return;
    }
    snprintf(pkg, sizeof(pkg), "%.*s", (int)n, value);
    full = sa_plugin_alias(pkg);
    if (!sa_plugin_known(full)) {
        sa_pskip(ps, NULL, "plugin",
                 "%s %s: not a SpamAssassin 4.0.1 plugin: its rules are left out", key, full);
        return;
    }
    if (!strset_has(&c->plugins, strv_cstr(full)))
        strset_add(&c->plugins, strv_cstr(arena_strdup(c->a, full)));
}

/* ---- one line ---- */

static void
conf_unknown(struct sa_pstate *ps, const char *key)
{
    void **slot = sa_map_slot(&ps->c->unknown, strv_cstr(key));
    struct sa_unknown *u = *slot;

    if (u == NULL) {
        u = arena_calloc(ps->c->a, 1, sizeof(*u));
        u->origin = arena_strdup(ps->c->a, ps->origin);
        *slot = u;
    }
    u->count++;
    ps->c->st.unknown++;
}

static void
conf_required_score(struct sa_pstate *ps, const char *key, const char *value)
{
    /* set_numeric_value: ^ [+-]? \d+ (?: \. \d* )? \z */
    size_t k = value[0] == '+' || value[0] == '-', d = 0;

    for (; value[k] >= '0' && value[k] <= '9'; k++)
        d++;
    if (d > 0 && value[k] == '.')
        for (k++; value[k] >= '0' && value[k] <= '9'; k++)
            ;
    if (d == 0 || value[k] != '\0') {
        sa_pskip(ps, NULL, "syntax", "%s: invalid value: %s", key, value);
        return;
    }
    ps->c->required_score = strtod(value, NULL);
    conf_keep(ps->c, "required_score", value);
}

static void
conf_directive(struct sa_pstate *ps, const char *key, const char *value)
{
    struct sa_conf *c = ps->c;
    const struct sa_keyword *kw = sa_keyword_find(c, key);

    if (kw == NULL) {
        conf_observe(ps, key, value, SA_LINE_UNKNOWN);
        conf_unknown(ps, key);
        return;
    }
    if (c->opts.user_mode) {
        bool allow = c->opts.allow_user_rules;
        const char *a = sa_conf_value(c, "allow_user_rules", NULL);

        if (a != NULL && (strcmp(a, "1") == 0 || strcasecmp(a, "yes") == 0))
            allow = true;
        if ((kw->flags & SA_K_PRIV) && !allow) {
            conf_observe(ps, key, value, SA_LINE_REFUSED);
            sa_pskip(ps, NULL, "user_prefs: privileged",
                     "not parsing, 'allow_user_rules' is 0: %s %s", key, value);
            return;
        }
        if (kw->flags & SA_K_ADMIN) {
            conf_observe(ps, key, value, SA_LINE_REFUSED);
            sa_pskip(ps, NULL, "user_prefs: admin", "not parsing, administrator setting: %s %s",
                     key, value);
            return;
        }
    }
    conf_observe(ps, key, value, conf_line_kind(kw));
    switch (kw->kind) {
    case SA_KW_SETTING:
        /* WLBLEval keeps these as the BLOCK and WELCOME enlist_uri_host
         * lists: one order across the three, one delist_uri_host */
        if (strcmp(key, "blocklist_uri_host") == 0 || strcmp(key, "welcomelist_uri_host") == 0)
            conf_keep(c, "enlist_uri_host",
                      arena_printf(c->a, "(%s) %s", key[0] == 'b' ? "BLOCK" : "WELCOME", value));
        else
            conf_keep(c, key, value);
        if (strcmp(key, "report_safe") == 0 && strcmp(value, "0") == 0)
            conf_report_header(c);
        break;
    case SA_KW_REQUIRED_SCORE:
        conf_required_score(ps, key, value);
        break;
    case SA_KW_LOADPLUGIN:
        conf_keep(c, key, value);
        conf_loadplugin(ps, key, value);
        break;
    case SA_KW_CLEAR:
        conf_keep(c, key, value);
        conf_clear(c, kw, value);
        break;
    case SA_KW_UNLIST:
        conf_keep(c, key, value);
        if (*value == '\0')
            sa_pskip(ps, NULL, "syntax", "%s: missing value", key);
        else
            conf_unlist(c, kw, value);
        break;
    case SA_KW_ADD_HEADER:
    case SA_KW_REMOVE_HEADER:
    case SA_KW_CLEAR_HEADERS:
        conf_headers(ps, kw, key, value);
        break;
    case SA_KW_PLUGIN_RULE:
    case SA_KW_SHORTCIRCUIT:
        conf_keep(c, key, value);
        sa_rules_directive(ps, kw, key, value);
        break;
    default:
        sa_rules_directive(ps, kw, key, value);
        break;
    }
}

static int conf_parse(struct sa_conf *c, struct scan_ruleset *rs, const char *text, size_t len,
                      const char *origin);
static int conf_read_file(struct sa_conf *c, struct scan_ruleset *rs, const char *path,
                          struct sift_err *err);

/* include FILE: relative to the including file; SA splices the text in
 * between "file end"/"file start" lines, which close the current file's
 * open blocks (with a warning) and reset skipping, so a file included
 * inside a false block is read all the same. */
static void
conf_include(struct sa_pstate *ps, const char *value)
{
    struct sa_conf *c = ps->c;
    char path[4096];
    const char *slash = strrchr(ps->file, '/');
    struct sift_err err;
    int n;

    if (c->opts.user_mode) {
        sa_pskip(ps, NULL, "user_prefs: include", "include in user_prefs refused: %s", value);
        return;
    }
    if (value[0] == '~' && (value[1] == '/' || value[1] == '\0') && getenv("HOME") != NULL)
        n = snprintf(path, sizeof(path), "%s%s", getenv("HOME"), value + 1);
    else if (value[0] == '/' || slash == NULL)
        n = snprintf(path, sizeof(path), "%s", value);
    else
        n = snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - ps->file), ps->file, value);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        sa_pskip(ps, NULL, "include", "include: path too long");
        return;
    }
    for (size_t i = 0; i < ps->nifs; i++)
        sa_pskip(ps, NULL, "conditional", "unclosed block (line %zu) closed by include",
                 ps->ifs[i].line);
    ps->nifs = 0;
    ps->skip = false;
    if (c->include_depth >= CONF_MAX_INCLUDE) {
        sa_pskip(ps, NULL, "include", "include %s: nested too deeply", path);
        return;
    }
    c->include_depth++;
    if (conf_read_file(c, ps->rs, path, &err) == -1)
        sa_pskip(ps, NULL, "include", "include %s: %s", value, err.msg);
    c->include_depth--;
}

static void
conf_push_if(struct sa_pstate *ps)
{
    if (ps->nifs == ps->capifs) {
        size_t ncap = ps->capifs ? ps->capifs * 2 : 16;

        ps->ifs = xreallocarray(ps->ifs, ncap, sizeof(*ps->ifs));
        ps->capifs = ncap;
    }
    ps->ifs[ps->nifs].saved_skip = ps->skip;
    ps->ifs[ps->nifs].line = ps->line;
    ps->nifs++;
}

static void
conf_conditional(struct sa_pstate *ps, const char *key, const char *expr)
{
    struct sift_err err;
    bool result = false;
    int rc = sa_cond_eval(ps->c, expr, &result, &err);

    if (rc == -1) { /* SA warns and opens no block */
        sa_pskip(ps, NULL, "conditional", "%s %s: %s", key, expr, err.msg);
        return;
    }
    if (rc == 1)
        sa_pskip(ps, NULL, "conditional", "%s %s: %s", key, expr, err.msg);
    conf_push_if(ps);
    if (!result)
        ps->skip = true;
}

/* Parser::parse's loop body for one line (already a C string). */
static void
conf_line(struct sa_pstate *ps, char *line)
{
    struct sa_conf *c = ps->c;
    char *p, *q, *key, *value, nkey[256];
    size_t n;

    /* s/(?<!\\)#.*$//; s/\\#/#/g */
    for (p = strchr(line, '#'); p != NULL; p = strchr(p + 1, '#')) {
        if (p == line || p[-1] != '\\') {
            *p = '\0';
            break;
        }
    }
    for (p = q = line; *p != '\0'; p++) {
        if (p[0] == '\\' && p[1] == '#')
            continue;
        *q++ = *p;
    }
    *q = '\0';
    while (conf_space((unsigned char)*line))
        line++;
    n = strlen(line);
    while (n > 0 && conf_space((unsigned char)line[n - 1]))
        line[--n] = '\0';
    if (n == 0 || strcmp(line, "0") == 0) /* next unless($line) */
        return;
    c->st.lines++;
    /* lang LOCALE rest: read only when the locale starts with LOCALE */
    if (strncmp(line, "lang", 4) == 0 && conf_space((unsigned char)line[4])) {
        char *loc = line + 4, *end;

        while (conf_space((unsigned char)*loc))
            loc++;
        for (end = loc; *end != '\0' && !conf_space((unsigned char)*end); end++)
            ;
        if (end > loc && *end != '\0') {
            size_t ll = (size_t)(end - loc);

            if (strlen(c->lang) < ll || strncasecmp(c->lang, loc, ll) != 0)
                return;
            for (line = end; conf_space((unsigned char)*line); line++)
                ;
        }
    }
    key = line;
    for (value = key; *value != '\0' && !conf_space((unsigned char)*value); value++)
        ;
    if (*value != '\0') {
        *value++ = '\0';
        while (conf_space((unsigned char)*value))
            value++;
    }
    for (p = key; *p != '\0'; p++)
        *p = *p == '-' ? '_' : (*p >= 'A' && *p <= 'Z') ? (char)(*p + 32) : *p;

    if (strcmp(key, "endif") == 0 || strcmp(key, "ifplugin") == 0 || strcmp(key, "if") == 0 ||
        strcmp(key, "else") == 0)
        conf_observe(ps, key, value, SA_LINE_CONDITIONAL);
    else if (strcmp(key, "include") == 0)
        conf_observe(ps, key, value, SA_LINE_INCLUDE);
    else if (strcmp(key, "file") == 0 || (!ps->skip && strcmp(key, "require_version") == 0))
        conf_observe(ps, key, value, SA_LINE_OTHER);
    if (strcmp(key, "endif") == 0) {
        if (*value != '\0')
            sa_pskip(ps, NULL, "conditional", "'endif' must be standalone");
        else if (ps->nifs == 0)
            sa_pskip(ps, NULL, "conditional", "missing starting 'if' for 'endif'");
        else
            ps->skip = ps->ifs[--ps->nifs].saved_skip;
        return;
    }
    if (strcmp(key, "ifplugin") == 0 || strcmp(key, "if") == 0) {
        if (*value == '\0') {
            sa_pskip(ps, NULL, "conditional", "missing '%s' condition", key);
        } else if (key[2] == 'p') {
            char *expr = arena_printf(c->a, "plugin (%s)", value);

            conf_conditional(ps, key, expr);
        } else {
            conf_conditional(ps, key, value);
        }
        return;
    }
    if (strcmp(key, "file") == 0) {
        sa_pskip(ps, NULL, "syntax", "'file %s': SA's internal marker, not read here", value);
        return;
    }
    if (strcmp(key, "include") == 0) {
        if (*value == '\0')
            sa_pskip(ps, NULL, "syntax", "missing 'include' value");
        else
            conf_include(ps, value);
        return;
    }
    if (strcmp(key, "else") == 0) {
        bool blocked = false;

        if (*value != '\0') {
            sa_pskip(ps, NULL, "conditional", "'else' must be standalone");
            return;
        }
        if (ps->nifs == 0) {
            sa_pskip(ps, NULL, "conditional", "'else' missing starting if");
            return;
        }
        for (size_t i = 0; i < ps->nifs; i++)
            blocked = blocked || ps->ifs[i].saved_skip;
        ps->skip = blocked ? true : !ps->skip;
        return;
    }
    if (ps->skip) {
        if (ps->c->observe != NULL) {
            sa_keyword_normalize(key, nkey, sizeof(nkey));
            conf_observe(ps, nkey, value, SA_LINE_INACTIVE);
        }
        return;
    }
    if (strcmp(key, "require_version") == 0) {
        /* "@@VERSION@@" was not replaced at install: assume this version */
        if (*value == '\0')
            sa_pskip(ps, NULL, "syntax", "missing 'require_version' value");
        else if (strcmp(value, "@@VERSION@@") != 0 && strcmp(value, SA_CONF_VERSION) != 0) {
            sa_pskip(ps, NULL, "require_version",
                     "requires version %s of SpamAssassin, this is %s: skipping the file", value,
                     SA_CONF_VERSION);
            ps->skip = true;
        }
        return;
    }
    sa_keyword_normalize(key, nkey, sizeof(nkey));
    conf_directive(ps, nkey, value);
}

static int
conf_parse(struct sa_conf *c, struct scan_ruleset *rs, const char *text, size_t len,
           const char *origin)
{
    struct sa_pstate ps = { 0 };
    size_t start = 0, cap = 0;
    char *line = NULL;

    ps.c = c;
    ps.rs = rs;
    ps.file = origin != NULL ? origin : "(no file)";
    c->st.files++;
    if (strlen(ps.file) > 4 && strcmp(ps.file + strlen(ps.file) - 4, ".pre") == 0)
        c->plugins_explicit = true;
    while (start < len) {
        const char *nl = memchr(text + start, '\n', len - start);
        size_t end = nl != NULL ? (size_t)(nl - text) : len;
        size_t n = end - start;

        ps.line++;
        if (n + 1 > cap) {
            cap = n + 1;
            line = xrealloc(line, cap);
        }
        memcpy(line, text + start, n);
        line[n] = '\0'; /* a NUL byte inside ends the line early, as a C string */
        snprintf(ps.origin, sizeof(ps.origin), "%s:%zu", ps.file, ps.line);
        conf_line(&ps, line);
        start = end + 1;
    }
    for (size_t i = 0; i < ps.nifs; i++) {
        snprintf(ps.origin, sizeof(ps.origin), "%s:%zu", ps.file, ps.ifs[i].line);
        sa_pskip(&ps, NULL, "conditional", "unclosed block at the end of %s", ps.file);
    }
    free(line);
    free(ps.ifs);
    return 0;
}

int
sa_conf_parse(struct sa_conf *c, struct scan_ruleset *rs, const char *text, size_t len,
              const char *origin, struct sift_err *err)
{
    (void)err;
    return conf_parse(c, rs, text, len, origin);
}

/* Read and parse a file once (SA's cf_files_read). */
static int
conf_read_file(struct sa_conf *c, struct scan_ruleset *rs, const char *path, struct sift_err *err)
{
    FILE *f;
    struct stat st;
    char *text;
    size_t len;

    if (strset_has(&c->files, strv_cstr(path)))
        return 0;
    f = fopen(path, "rb");
    if (f == NULL) {
        sift_err_set(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fileno(f), &st) == -1 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
        (unsigned long long)st.st_size > CONF_MAX_FILE) {
        sift_err_set(err, "%s: not a regular file of a sane size", path);
        fclose(f);
        return -1;
    }
    text = xmalloc((size_t)st.st_size + 1);
    len = fread(text, 1, (size_t)st.st_size, f);
    if (ferror(f)) {
        sift_err_set(err, "%s: read error", path);
        fclose(f);
        free(text);
        return -1;
    }
    fclose(f);
    strset_add(&c->files, strv_cstr(arena_strdup(c->a, path)));
    conf_parse(c, rs, text, len, arena_strdup(c->a, path));
    free(text);
    return 0;
}

int
sa_conf_load_file(struct sa_conf *c, struct scan_ruleset *rs, const char *path,
                  struct sift_err *err)
{
    return conf_read_file(c, rs, path, err);
}

static int
conf_name_cmp(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;

    /* the official sa-update channel first (bug 7991), then byte order */
    if (strcmp(x, "updates_spamassassin_org.cf") == 0)
        return strcmp(y, x) == 0 ? 0 : -1;
    if (strcmp(y, "updates_spamassassin_org.cf") == 0)
        return 1;
    return strcmp(x, y);
}

/* Every regular file of dir ending in .ext (any case), sorted, read. */
static int
conf_load_ext(struct sa_conf *c, struct scan_ruleset *rs, const char *dir, const char *ext,
              struct sift_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0, el = strlen(ext);
    int rc = 0;

    if (d == NULL) {
        sift_err_set(err, "%s: %s", dir, strerror(errno));
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        size_t nl = strlen(de->d_name);
        char path[4096];
        struct stat st;

        if (nl <= el || de->d_name[nl - el - 1] != '.' ||
            strcasecmp(de->d_name + nl - el, ext) != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = xreallocarray(names, cap, sizeof(*names));
        }
        names[n++] = xstrdup(de->d_name);
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof(*names), conf_name_cmp);
    for (size_t i = 0; i < n; i++) {
        char path[4096];

        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (rc == 0 && conf_read_file(c, rs, path, err) == -1)
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

int
sa_conf_load_dirs(struct sa_conf *c, struct scan_ruleset *rs, const char *rules_dir,
                  const char *site_dir, struct sift_err *err)
{
    /* Mail::SpamAssassin::init: site .pre, rules .pre, rules .cf, site .cf */
    if (site_dir != NULL && conf_load_ext(c, rs, site_dir, "pre", err) == -1)
        return -1;
    if (conf_load_ext(c, rs, rules_dir, "pre", err) == -1)
        return -1;
    if (conf_load_ext(c, rs, rules_dir, "cf", err) == -1)
        return -1;
    if (site_dir != NULL && conf_load_ext(c, rs, site_dir, "cf", err) == -1)
        return -1;
    return 0;
}

/* ---- what others read ---- */

size_t
sa_conf_values(const struct sa_conf *c, const char *directive, const struct strv **out)
{
    char key[256];
    const struct sa_list *l;

    sa_keyword_normalize(directive, key, sizeof(key));
    l = sa_map_get(&c->dirs, strv_cstr(key));
    *out = l != NULL && l->n > 0 ? l->v : NULL;
    return l != NULL ? l->n : 0;
}

const char *
sa_conf_value(const struct sa_conf *c, const char *directive, const char *def)
{
    const struct strv *v;
    size_t n = sa_conf_values(c, directive, &v);

    return n > 0 ? v[n - 1].p : def;
}

double
sa_conf_required_score(const struct sa_conf *c)
{
    return c->required_score;
}

/* A boolean setting (set_bool_value: 1/yes, 0/no; anything else is
 * refused and leaves the setting as it was). */
bool
sa_conf_bool(const struct sa_conf *c, const char *directive, bool def)
{
    const struct strv *v;
    size_t n = sa_conf_values(c, directive, &v);

    while (n-- > 0) {
        if (strcmp(v[n].p, "1") == 0 || strcasecmp(v[n].p, "yes") == 0)
            return true;
        if (strcmp(v[n].p, "0") == 0 || strcasecmp(v[n].p, "no") == 0)
            return false;
    }
    return def;
}

int
sa_conf_score_set(const struct sa_conf *c)
{
    int set = c->opts.local_only ? 0 : 1;

    if (c->opts.use_bayes && sa_conf_bool(c, "use_bayes", true) &&
        sa_conf_bool(c, "use_bayes_rules", true))
        set |= 2;
    return set;
}

void
sa_conf_stats(const struct sa_conf *c, struct sa_conf_stats *st)
{
    *st = c->st;
    st->rules = c->defined.n;
}
