/*
 * sa_eval_addrlist.c - SpamAssassin's address lists and the addresses of
 * a message they are matched against (see sa_eval_addrlist.h).
 * SA turns each entry into a regex: lc, [\0\\(] to _, every byte but
 * [*?_a-zA-Z0-9] escaped, ? to ., runs of * to .*, then ^...$. That regex
 * is a glob, matched here by hand: no regex engine, no escaping to get wrong.
 */
#include "compat/sa_eval_addrlist.h"

#include <string.h>

#include "compat/sa_eval_util.h"
#include "core/strset.h"
#include "mime/mime_get.h"
#include "mime/mime_url.h"

/* Perl's \s on bytes (5.18+): space, \t \n \v \f \r */
static bool
al_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

bool
sa_addrlist_word(struct strv v, size_t *pos, struct strv *w)
{
    size_t i = *pos, j;

    while (i < v.len && al_space(v.p[i]))
        i++;
    if (i >= v.len) {
        *pos = i;
        return false;
    }
    for (j = i; j < v.len && !al_space(v.p[j]); j++)
        ;
    *w = strv_make(v.p + i, j - i);
    *pos = j;
    return true;
}

/* ------------------------------------------------------------------------
 * the lists
 */

/* The address-list settings of SA 4.0.1 and its plugins whose values are
 * add_to_addrlist words (CONF_TYPE_ADDRLIST without code of their own). */
static const char *const al_plain[] = {
    "welcomelist_from",
    "blocklist_from",
    "welcomelist_to",
    "blocklist_to",
    "more_spam_to",
    "all_spam_to",
    "welcomelist_auth",
    "def_welcomelist_auth",
    "welcomelist_allows_relays",
    "welcomelist_bounce_relays",
    "welcomelist_from_spf",
    "def_welcomelist_from_spf",
};
/* add_to_addrlist_rcvd (and add_to_addrlist_dkim, the same) */
static const char *const al_rcvd[] = {
    "welcomelist_from_rcvd",
    "def_welcomelist_from_rcvd",
    "welcomelist_from_dkim",
    "def_welcomelist_from_dkim",
};
static const char *const al_subject[] = { "welcomelist_subject", "blocklist_subject" };

static bool
al_in(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0)
            return true;
    }
    return false;
}

struct al_build {
    struct arena *a;
    struct sa_addrlist *l;
    size_t cap;
};

static void
al_push(struct al_build *b, struct strv entry, struct strv domain, bool paranoia)
{
    struct sa_addrlist_entry *e;
    struct strv key = sa_eval_lc(b->a, entry);
    char *g = arena_strndup(b->a, key.p, key.len);

    if (b->l->n == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 16;

        b->l->v = arena_realloc(b->a, b->l->v, b->cap * sizeof(*b->l->v), ncap * sizeof(*b->l->v));
        b->cap = ncap;
    }
    for (size_t i = 0; paranoia && i < key.len; i++) {
        if (g[i] == '\0' || g[i] == '\\' || g[i] == '(')
            g[i] = '_';
    }
    e = &b->l->v[b->l->n++];
    e->key = key;
    e->glob = strv_make(g, key.len);
    e->domain = sa_eval_lc(b->a, domain);
}

bool
sa_addrlist_enlisted(struct strv v, struct strv *name, struct strv *rest)
{
    if (v.len < 2 || v.p[0] != '(')
        return false;
    for (size_t i = 2; i + 1 < v.len; i++) {
        size_t j = i + 1;

        if (v.p[i] != ')' || !al_space(v.p[j]))
            continue;
        while (j < v.len && al_space(v.p[j]))
            j++;
        if (j >= v.len) /* (.+) needs a character after the blanks */
            return false;
        *name = strv_make(v.p + 1, i - 1);
        *rest = strv_make(v.p + j, v.len - j);
        return true;
    }
    return false;
}

static void
al_words(struct al_build *b, struct strv v)
{
    size_t pos = 0;
    struct strv w;

    while (sa_addrlist_word(v, &pos, &w))
        al_push(b, w, strv_make("", 0), true);
}

void
sa_addrlist_build(struct arena *a, const struct sa_conf *c, const char *name,
                  struct sa_addrlist *out)
{
    struct al_build b = { a, out, 0 };
    const struct strv *v;
    size_t n;

    memset(out, 0, sizeof(*out));
    if (c == NULL)
        return;
    if (al_in(al_subject, sizeof(al_subject) / sizeof(al_subject[0]), name)) {
        /* the whole value, lower-cased; no paranoia step there */
        out->kind = SA_ADDRLIST_SUBJECT;
        n = sa_conf_values(c, name, &v);
        for (size_t i = 0; i < n; i++)
            al_push(&b, v[i], strv_make("", 0), false);
        return;
    }
    if (al_in(al_rcvd, sizeof(al_rcvd) / sizeof(al_rcvd[0]), name)) {
        out->kind = SA_ADDRLIST_RCVD;
        n = sa_conf_values(c, name, &v);
        for (size_t i = 0; i < n; i++) {
            size_t pos = 0;
            struct strv addr, dom, more;

            /* ^\S+\s+\S+$, else INVALID_VALUE (the _dkim ones may lack the domain) */
            if (!sa_addrlist_word(v[i], &pos, &addr))
                continue;
            if (!sa_addrlist_word(v[i], &pos, &dom))
                dom = strv_make("", 0);
            if (sa_addrlist_word(v[i], &pos, &more) ||
                (dom.len == 0 && strstr(name, "_rcvd") != NULL))
                continue;
            al_push(&b, addr, dom, true);
        }
        return;
    }
    out->kind = SA_ADDRLIST_PLAIN;
    if (al_in(al_plain, sizeof(al_plain) / sizeof(al_plain[0]), name)) {
        n = sa_conf_values(c, name, &v);
        for (size_t i = 0; i < n; i++)
            al_words(&b, v[i]);
    }
    n = sa_conf_values(c, "enlist_addrlist", &v);
    for (size_t i = 0; i < n; i++) {
        struct strv lname, rest;

        if (sa_addrlist_enlisted(v[i], &lname, &rest) && strv_eq(lname, name))
            al_words(&b, rest);
    }
}

/* ------------------------------------------------------------------------
 * matching
 */

/* glob matches s[0..n) whole (prefix: a prefix of it); s holds no newline. */
static bool
al_glob_at(struct strv g, const char *s, size_t n, bool prefix)
{
    size_t i = 0, j = 0, star = (size_t)-1, mark = 0;

    while (i < n) {
        if (j < g.len && g.p[j] == '*') {
            star = j++;
            mark = i;
        } else if (j < g.len && (g.p[j] == '?' || g.p[j] == s[i])) {
            i++;
            j++;
        } else if (prefix && j == g.len) {
            return true;
        } else if (star != (size_t)-1) {
            j = star + 1;
            i = ++mark;
        } else {
            return false;
        }
    }
    while (j < g.len && g.p[j] == '*')
        j++;
    return j == g.len;
}

bool
sa_addrlist_glob(struct strv glob, struct strv s, bool anchored)
{
    if (anchored) {
        /* $ matches before a final newline; nothing else matches one */
        if (s.len > 0 && s.p[s.len - 1] == '\n')
            s.len--;
        return memchr(s.p, '\n', s.len) == NULL && al_glob_at(glob, s.p, s.len, false);
    }
    for (size_t start = 0; start <= s.len;) {
        const char *nl = memchr(s.p + start, '\n', s.len - start);
        size_t end = nl != NULL ? (size_t)(nl - s.p) : s.len;

        for (size_t i = start; i <= end; i++) {
            if (al_glob_at(glob, s.p + i, end - i, true))
                return true;
        }
        start = end + 1;
    }
    return false;
}

bool
sa_addrlist_match_pattern(const struct sa_addrlist *l, struct strv s)
{
    if (l->kind == SA_ADDRLIST_RCVD)
        return false;
    for (size_t i = 0; i < l->n; i++) {
        if (sa_addrlist_glob(l->v[i].glob, s, l->kind != SA_ADDRLIST_SUBJECT))
            return true;
    }
    return false;
}

bool
sa_addrlist_match(struct arena *a, const struct sa_addrlist *l, struct strv s)
{
    struct strv lc = sa_eval_lc(a, s);

    for (size_t i = 0; i < l->n; i++) {
        if (strv_equal(l->v[i].key, lc))
            return true;
    }
    return sa_addrlist_match_pattern(l, lc);
}

/* ------------------------------------------------------------------------
 * the addresses of a message
 */

struct al_addrs {
    struct arena *a;
    struct strset seen;
};

static void
al_get(struct al_addrs *x, struct mime_msg *m, const char *request, bool squeeze)
{
    const struct mime_get *g = mime_get(m, request);

    for (size_t i = 0; i < g->n; i++) {
        struct strv v = g->v[i];

        if (squeeze) { /* grep { $_ ne '' } then tr/././s */
            char *p;
            size_t n = 0;

            if (v.len == 0)
                continue;
            p = arena_alloc(x->a, v.len + 1);
            for (size_t k = 0; k < v.len; k++) {
                if (v.p[k] != '.' || n == 0 || p[n - 1] != '.')
                    p[n++] = v.p[k];
            }
            p[n] = '\0';
            v = strv_make(p, n);
        }
        strset_add(&x->seen, v);
    }
}

size_t
sa_addrlist_from_addrs(struct mime_msg *m, struct strv **out)
{
    static const char *const hdrs[] = { "From:addr", "Envelope-Sender:addr", "Resent-Sender:addr",
                                        "X-Envelope-From:addr", "EnvelopeFrom:addr" };
    struct al_addrs x = { m->arena, { 0 } };

    strset_init(&x.seen, m->arena);
    if (mime_get(m, "Resent-From:first:addr")->n > 0) {
        al_get(&x, m, "Resent-From:first:addr", false);
    } else {
        for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++)
            al_get(&x, m, hdrs[i], true);
    }
    *out = x.seen.items;
    return x.seen.n;
}

/* / for <?(\S+\@(\S+?))>?;/ on line: $1 and $2. */
static bool
al_rcvd_for(struct strv s, struct strv *addr, struct strv *dom)
{
    for (size_t i = 0; i + 5 <= s.len; i++) {
        if (memcmp(s.p + i, " for ", 5) != 0)
            continue;
        for (int lt = i + 5 < s.len && s.p[i + 5] == '<' ? 1 : 0; lt >= 0; lt--) {
            size_t st = i + 5 + (size_t)lt, end = st;

            while (end < s.len && !al_space(s.p[end]))
                end++;
            /* \S+ is greedy: the last @ first; \S+? lazy: the first ; after */
            for (size_t p = end; p-- > st + 1;) {
                if (s.p[p] != '@')
                    continue;
                for (size_t k = p + 2; k < end; k++) {
                    if (s.p[k] == ';' || (s.p[k] == '>' && k + 1 < s.len && s.p[k + 1] == ';')) {
                        *addr = strv_make(s.p + st, k - st);
                        *dom = strv_make(s.p + p + 1, k - p - 1);
                        return true;
                    }
                }
            }
        }
    }
    return false;
}

size_t
sa_addrlist_to_addrs(struct mime_msg *m, struct strv **out)
{
    static const char *const hdrs[] = {
        "To:addr",
        "Apparently-To:addr",
        "Delivered-To:addr",
        "Envelope-Recipients:addr",
        "Apparently-Resent-To:addr",
        "X-Envelope-To:addr",
        "Envelope-To:addr",
        "X-Delivered-To:addr",
        "X-Original-To:addr",
        "X-Rcpt-To:addr",
        "X-Real-To:addr",
        "Cc:addr",
    };
    struct al_addrs x = { m->arena, { 0 } };

    strset_init(&x.seen, m->arena);
    if (mime_get(m, "Resent-To:first:addr")->n > 0 || mime_get(m, "Resent-Cc:first:addr")->n > 0) {
        al_get(&x, m, "Resent-To:first:addr", false);
        al_get(&x, m, "Resent-Cc:first:addr", false);
    } else {
        const struct mime_get *rcvd = mime_get(m, "Received");

        /* the fetchmail trick: the recipient of the last three hops */
        for (size_t i = 0; i < rcvd->n && i < 3; i++) {
            struct strv addr, dom;

            if (al_rcvd_for(rcvd->v[i], &addr, &dom) &&
                mime_fqdn_valid(mime_idn_to_ascii(m->arena, dom)))
                strset_add(&x.seen, addr);
        }
        for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++)
            al_get(&x, m, hdrs[i], false);
    }
    *out = x.seen.items;
    return x.seen.n;
}
