/*
 * mime_url.c - URLs as SpamAssassin 4.0.1 finds and cleans them:
 * PerMsgStatus::_process_text_uri_list (the Thunderbird-like pattern of
 * _tbirdurire, hand-compiled here into a scanner), Util::uri_list_canonicalize,
 * Util::url_encode and RegistryBoundaries::uri_to_domain / is_domain_valid.
 * Where SA reads util_rb_tld and its 2tld/3tld lists, we read the public
 * suffix list. SA's quirks are kept on purpose: rules are written against
 * what SA hands them (comments below say which line of SA a step mirrors).
 * Everything returned lives in the caller's arena. No I/O, no globals.
 */
#include "mime/mime_url.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"

/* Character classes, generated from the sets in _tbirdurire (bytes: SA
 * matches its body text as octets, so \s and \b are ASCII). */
#define U_WORD  0x0001u
#define U_START 0x0002u
#define U_END   0x0004u
#define U_ENDM  0x0008u
#define U_SCST  0x0010u
#define U_HOST  0x0020u
#define U_LDH   0x0040u
#define U_TRAIL 0x0080u
#define U_SPACE 0x0100u
#define U_ALNUM 0x0200u
#define U_DIGIT 0x0400u
#define U_ENC   0x0800u
#define U_LEAD  0x1000u
static const uint16_t url_class[256] = {
    0x0800, 0x0800, 0x0800, 0x0800, 0x0800, 0x0800, 0x0800, 0x0800, 0x0800, 0x091e, 0x091e, 0x091e,
    0x091e, 0x091e, 0x0800, 0x0800, 0x0800, 0x0800, 0x0800, 0x0800, 0x0800, 0x0800, 0x0800, 0x0800,
    0x0800, 0x0800, 0x0800, 0x081e, 0x0800, 0x0800, 0x0800, 0x0800, 0x091e, 0x0090, 0x081e, 0x0090,
    0x0010, 0x0800, 0x0090, 0x009a, 0x009a, 0x0090, 0x0090, 0x0090, 0x009a, 0x00e0, 0x00a0, 0x0010,
    0x0661, 0x0661, 0x0661, 0x0661, 0x0661, 0x0661, 0x0661, 0x0661, 0x0661, 0x0661, 0x0090, 0x0090,
    0x081e, 0x0090, 0x081e, 0x0090, 0x0090, 0x0261, 0x0261, 0x0261, 0x0261, 0x0261, 0x1261, 0x0261,
    0x1261, 0x0261, 0x0261, 0x0261, 0x0261, 0x1261, 0x0261, 0x0261, 0x0261, 0x0261, 0x0261, 0x0261,
    0x0261, 0x0261, 0x0261, 0x1261, 0x0261, 0x0261, 0x0261, 0x001e, 0x0010, 0x001c, 0x0090, 0x00a1,
    0x001e, 0x0261, 0x0261, 0x0261, 0x0261, 0x0261, 0x1261, 0x0261, 0x1261, 0x0261, 0x0261, 0x0261,
    0x0261, 0x1261, 0x0261, 0x0261, 0x0261, 0x0261, 0x0261, 0x0261, 0x0261, 0x0261, 0x0261, 0x1261,
    0x0261, 0x0261, 0x0261, 0x001e, 0x001e, 0x001c, 0x0090, 0x0800, 0x0808, 0x0808, 0x0808, 0x0808,
    0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808,
    0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808,
    0x0808, 0x0808, 0x0808, 0x0808, 0x081e, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808,
    0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808,
    0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808,
    0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808,
    0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808,
    0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808,
    0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808,
    0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808, 0x0808,
    0x0808, 0x0808, 0x0808, 0x0808,
};
/* U_WORD [A-Za-z0-9_] (\w, \b); U_START $tbirdstartdelim; U_END
 * $tbirdenddelim; U_ENDM $tbirdenddelimemail; U_SCST $scstartdelim;
 * U_HOST [a-z\d._-]; U_LDH [a-zA-Z0-9-]; U_TRAIL the trailing punctuation
 * TBird ignores; U_SPACE \s; U_ENC what url_encode escapes; U_LEAD the first
 * letters of http, ftp, www and mailto. */

#define URL_RUN_MAX   2048 /* [^$tbirdenddelim]{1,2048} */
#define URL_MAIL_MAX  251  /* the two halves of a bare address */
#define URL_HOST_MAX  251  /* [a-z\d._-]{0,251} of a schemeless host */
#define URL_CANON_MAX 64   /* URIs one canonicalization may visit */
#define URL_SEEN_MIN  64

static inline bool
url_has(unsigned char c, unsigned mask)
{
    return (url_class[c] & mask) != 0;
}

static inline char
url_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* Is c one of set? (strchr would also find the NUL ending set.) */
static inline bool
url_in(const char *set, char c)
{
    return c != '\0' && strchr(set, c) != NULL;
}

/* Does p[0..len) start with lit, ASCII case aside? lit is lower case. */
static inline bool
url_prefix_ci(const char *p, size_t len, const char *lit)
{
    size_t i;

    for (i = 0; lit[i] != '\0'; i++) {
        if (i >= len || url_lower(p[i]) != lit[i])
            return false;
    }
    return true;
}

static bool
url_prefix(const char *p, size_t len, const char *lit)
{
    size_t n = strlen(lit);

    return len >= n && memcmp(p, lit, n) == 0;
}

static const char *
url_memmem(const char *p, size_t len, const char *lit)
{
    size_t n = strlen(lit);

    return len < n ? NULL : memmem(p, len, lit, n);
}

/* --- a string built in the arena ---------------------------------------- */

struct url_sb {
    struct arena *a;
    char *p;
    size_t len, cap;
};

static void
sb_init(struct url_sb *b, struct arena *a, size_t cap)
{
    b->a = a;
    b->cap = cap < 16 ? 16 : cap;
    b->p = arena_alloc(a, b->cap);
    b->len = 0;
}

static void
sb_put(struct url_sb *b, const char *p, size_t n)
{
    if (n > b->cap - b->len) {
        size_t cap = b->cap;

        while (n > cap - b->len)
            cap = cap * 2 + n;
        b->p = arena_realloc(b->a, b->p, b->cap, cap);
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void
sb_putc(struct url_sb *b, char c)
{
    sb_put(b, &c, 1);
}

static void
sb_putv(struct url_sb *b, struct strv v)
{
    sb_put(b, v.p, v.len);
}

static struct strv
sb_view(const struct url_sb *b)
{
    return strv_make(b->p, b->len);
}

static struct strv
url_cat3(struct arena *a, struct strv x, struct strv y, struct strv z)
{
    char *p = arena_alloc(a, x.len + y.len + z.len + 1);

    if (x.len > 0)
        memcpy(p, x.p, x.len);
    if (y.len > 0)
        memcpy(p + x.len, y.p, y.len);
    if (z.len > 0)
        memcpy(p + x.len + y.len, z.p, z.len);
    p[x.len + y.len + z.len] = '\0';
    return strv_make(p, x.len + y.len + z.len);
}

static struct strv
url_sub(struct strv v, size_t from, size_t to)
{
    return strv_make(v.p + from, to - from);
}

/* --- a set of strings ---------------------------------------------------- */

struct url_set {
    struct strv *slots;
    size_t cap, n;
};

static uint32_t
url_hash(struct strv v)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < v.len; i++)
        h = (h ^ (unsigned char)v.p[i]) * 16777619u;
    return h;
}

static bool
url_eq(struct strv x, struct strv y)
{
    return x.len == y.len && (x.len == 0 || memcmp(x.p, y.p, x.len) == 0);
}

/* Add v (copied into a; the copy in *stored if not NULL); false if it was
 * there already. */
static bool
url_set_put(struct arena *a, struct url_set *s, struct strv v, struct strv *stored)
{
    size_t i;

    if (2 * (s->n + 1) > s->cap) {
        size_t cap = s->cap < URL_SEEN_MIN ? URL_SEEN_MIN : 2 * s->cap;
        struct strv *slots = arena_calloc(a, cap, sizeof(*slots));

        for (size_t k = 0; k < s->cap; k++) {
            if (s->slots[k].p == NULL)
                continue;
            for (i = url_hash(s->slots[k]) & (cap - 1); slots[i].p != NULL; i = (i + 1) & (cap - 1))
                ;
            slots[i] = s->slots[k];
        }
        s->slots = slots;
        s->cap = cap;
    }
    for (i = url_hash(v) & (s->cap - 1); s->slots[i].p != NULL; i = (i + 1) & (s->cap - 1)) {
        if (url_eq(s->slots[i], v))
            return false;
    }
    s->slots[i] = strv_make(arena_strndup(a, v.p, v.len), v.len);
    s->n++;
    if (stored != NULL)
        *stored = s->slots[i];
    return true;
}

static bool
url_set_add(struct arena *a, struct url_set *s, struct strv v)
{
    return url_set_put(a, s, v, NULL);
}

struct mime_url_seen {
    struct url_set set;
};

struct mime_url_seen *
mime_url_seen_new(struct arena *a)
{
    return arena_calloc(a, 1, sizeof(struct mime_url_seen));
}

/* --- host checks shared by the scanner and the canonicalizer ------------ */

/* RegistryBoundaries::is_domain_valid on an ACE name: no space, a dot, and
 * a known TLD after the last one (SA's TLD keys are lower case). */
static bool
url_ace_domain_valid(const struct mime_psl *psl, struct strv d)
{
    const char *dot;
    struct strv tld;

    for (size_t i = 0; i < d.len; i++) {
        if (url_has((unsigned char)d.p[i], U_SPACE))
            return false;
    }
    dot = d.len == 0 ? NULL : memrchr(d.p, '.', d.len);
    if (dot == NULL)
        return false;
    tld = strv_make(dot + 1, d.len - (size_t)(dot + 1 - d.p));
    if (tld.len == 0)
        return false;
    for (size_t i = 0; i < tld.len; i++) {
        if (tld.p[i] >= 'A' && tld.p[i] <= 'Z')
            return false;
    }
    return mime_psl_is_tld(psl, tld);
}

/* is_domain_valid($dom) without $is_ascii: through idn_to_ascii first. */
static bool
url_domain_valid(struct arena *a, const struct mime_psl *psl, struct strv dom)
{
    return url_ace_domain_valid(psl, mime_idn_to_ascii(a, dom));
}

/* --- the text scanner: _tbirdurire --------------------------------------- */

/*
 * The pattern, applied with //g to each line:
 *
 *   (?:\b|(?<=\x1b\(.)|(?<=[$tbirdstartdelim]))
 *   (?: ($uriknownscheme)(?=[$tbirdenddelim]|\z)
 *     | ($urimailscheme)(?=[$tbirdenddelimemail]|\z)
 *     | (?:^|(?<=$scstartdelim))($urischemeless)(?=[$tbirdenddelim]|\z) )
 *
 * Every repeat in it ends where a delimiter class starts, so the backtracking
 * collapses: a run either ends within its bound at a delimiter (match) or it
 * does not (no match at that start). Only the schemeless host backtracks for
 * real, over the dots it may end at. The next delimiter of each class is
 * cached, so a line costs a few passes whatever it holds.
 */

struct url_next {
    size_t lo, hi; /* no class byte in [lo, hi); hi is one or the end */
    bool valid;
};

struct url_scan {
    const char *s;
    size_t n;
    const struct mime_psl *psl;
    struct url_next end, endm;
    /* the next '@' (n: none) and the first start a bare address may have
     * before it: no [$tbirdenddelimplusat] in between, at most 251 bytes */
    size_t at, at_lo;
    bool at_valid;
    bool esc; /* the text has an ESC: an ISO-2022 shift may start a URI mid-word */
};

enum url_kind { URL_SCHEME, URL_MAIL, URL_SCHEMELESS };

struct url_match {
    size_t start, end;
    enum url_kind kind;
    size_t host_end; /* schemeless: $4 is s[start..host_end) */
};

static inline bool
url_is(const struct url_scan *sc, size_t i, unsigned mask, bool at)
{
    unsigned char c = (unsigned char)sc->s[i];

    return url_has(c, mask) || (at && c == '@');
}

/* The first i >= from whose byte is in the class (mask, plus '@' if at). */
static size_t
url_next(const struct url_scan *sc, struct url_next *c, unsigned mask, bool at, size_t from)
{
    size_t i;

    if (c->valid && c->lo <= from && from <= c->hi)
        return c->hi;
    if (c->valid && from < c->lo) {
        for (i = from; i < c->lo && !url_is(sc, i, mask, at); i++)
            ;
        c->lo = from;
        if (i < c->lo)
            c->hi = i;
        return c->hi;
    }
    for (i = from; i < sc->n && !url_is(sc, i, mask, at); i++)
        ;
    c->valid = true;
    c->lo = from;
    c->hi = i;
    return i;
}

/* Where a bare address ending at the next '@' after p could start. */
static void
url_at_window(struct url_scan *sc, size_t p)
{
    const char *at;
    size_t lo;

    if (sc->at_valid && sc->at >= p)
        return;
    at = memchr(sc->s + p, '@', sc->n - p);
    sc->at = at == NULL ? sc->n : (size_t)(at - sc->s);
    for (lo = sc->at; lo > 0 && sc->at - lo < URL_MAIL_MAX && !url_is(sc, lo - 1, U_ENDM, true);
         lo--)
        ;
    sc->at_lo = lo;
    sc->at_valid = true;
}

static bool
url_prefix_ok(const struct url_scan *sc, size_t p)
{
    const unsigned char *s = (const unsigned char *)sc->s;
    bool w0 = p > 0 && url_has(s[p - 1], U_WORD);
    bool w1 = p < sc->n && url_has(s[p], U_WORD);

    if (w0 != w1)
        return true;
    if (p >= 3 && s[p - 3] == 0x1b && s[p - 2] == '(' && s[p - 1] != '\n') /* bug 4522 */
        return true;
    return p > 0 && url_has(s[p - 1], U_START);
}

/* (?:(?:https?|ftp):\/\/|(?:www\d{0,2}|ftp)\.)[^$tbirdenddelim]{1,2048} */
static bool
url_try_known(struct url_scan *sc, size_t p, struct url_match *m)
{
    const char *s = sc->s + p;
    size_t left = sc->n - p, q, e;
    char c = url_lower(s[0]);

    if (c != 'h' && c != 'f' && c != 'w')
        return false;
    if (url_prefix_ci(s, left, "http://"))
        q = 7;
    else if (url_prefix_ci(s, left, "https://"))
        q = 8;
    else if (url_prefix_ci(s, left, "ftp://"))
        q = 6;
    else if (url_prefix_ci(s, left, "www")) {
        size_t d = 3;

        while (d < left && d < 6 && s[d] >= '0' && s[d] <= '9')
            d++;
        if (d - 3 > 2 || d >= left || s[d] != '.')
            return false;
        q = d + 1;
    } else if (url_prefix_ci(s, left, "ftp."))
        q = 4;
    else
        return false;
    e = url_next(sc, &sc->end, U_END, false, p + q);
    if (e - (p + q) < 1 || e - (p + q) > URL_RUN_MAX)
        return false;
    *m = (struct url_match){ p, e, URL_SCHEME, 0 };
    return true;
}

/* mailto:[^$tbirdenddelimemail]{1,2048}
 * | [^$tbirdenddelimplusat]{1,251}\@[^$tbirdenddelimemail]{1,251} */
static bool
url_try_mail(struct url_scan *sc, size_t p, struct url_match *m)
{
    size_t e, at;

    if ((sc->s[p] == 'm' || sc->s[p] == 'M') && url_prefix_ci(sc->s + p, sc->n - p, "mailto:")) {
        e = url_next(sc, &sc->endm, U_ENDM, false, p + 7);
        if (e - (p + 7) >= 1 && e - (p + 7) <= URL_RUN_MAX) {
            *m = (struct url_match){ p, e, URL_MAIL, 0 };
            return true;
        }
    }
    url_at_window(sc, p);
    if (sc->at == sc->n || p < sc->at_lo || p >= sc->at)
        return false;
    at = sc->at;
    e = url_next(sc, &sc->endm, U_ENDM, false, at + 1);
    if (e - (at + 1) < 1 || e - (at + 1) > URL_MAIL_MAX)
        return false;
    *m = (struct url_match){ p, e, URL_MAIL, 0 };
    return true;
}

/* What may follow a schemeless host's TLD ending at t:
 * \.?(?::\d{1,5})?(?:\/[^$tbirdenddelim]{1,2048})?(?=[$tbirdenddelim]|\z),
 * tried in the order Perl backtracks through it. */
static bool
url_try_tail(struct url_scan *sc, size_t t, size_t *end)
{
    const unsigned char *s = (const unsigned char *)sc->s;
    size_t n = sc->n;

    for (int dot = (t < n && s[t] == '.') ? 1 : 0; dot >= 0; dot--) {
        size_t x0 = t + (size_t)dot, digits = 0;

        if (x0 < n && s[x0] == ':') {
            while (digits < 5 && x0 + 1 + digits < n && url_has(s[x0 + 1 + digits], U_DIGIT))
                digits++;
        }
        for (size_t k = digits + 1; k-- > 0;) {
            size_t x = k > 0 ? x0 + 1 + k : x0;

            if (x < n && s[x] == '/') {
                size_t e = url_next(sc, &sc->end, U_END, false, x + 1);

                if (e - (x + 1) >= 1 && e - (x + 1) <= URL_RUN_MAX) {
                    *end = e;
                    return true;
                }
            }
            if (x == n || url_has(s[x], U_END)) {
                *end = x;
                return true;
            }
        }
    }
    return false;
}

/* (?:^|(?<=$scstartdelim))([a-z\d][a-z\d._-]{0,251}\.$tldsRE)\.?... */
static bool
url_try_schemeless(struct url_scan *sc, size_t p, struct url_match *m)
{
    const unsigned char *s = (const unsigned char *)sc->s;
    size_t n = sc->n, run, last;

    if ((p > 0 && !url_has(s[p - 1], U_SCST)) || !url_has(s[p], U_ALNUM))
        return false;
    for (run = 0; p + 1 + run < n && url_has(s[p + 1 + run], U_HOST); run++)
        ;
    if (run == 0 || memchr(s + p + 1, '.', run) == NULL)
        return false;
    /* the \. before the TLD: the last dot first, as greedy {0,251} backtracks */
    last = p + 1 + (run - 1 < URL_HOST_MAX ? run - 1 : URL_HOST_MAX);
    for (size_t d = last + 1; d-- > p + 1;) {
        size_t t = d + 1, end;

        if (s[d] != '.')
            continue;
        while (t < n && url_has(s[t], U_LDH))
            t++;
        if (t == d + 1)
            continue;
        /* $tldsRE ends with (?!(?:[a-zA-Z0-9-]|\.[a-zA-Z0-9])) */
        if (t + 1 < n && s[t] == '.' && url_has(s[t + 1], U_ALNUM))
            continue;
        if (!mime_psl_is_tld(sc->psl, strv_make(sc->s + d + 1, t - d - 1)))
            continue;
        if (url_try_tail(sc, t, &end)) {
            *m = (struct url_match){ p, end, URL_SCHEMELESS, t };
            return true;
        }
    }
    return false;
}

/* The next match at or after from, as //g finds it. */
static bool
url_find(struct url_scan *sc, size_t from, struct url_match *m)
{
    const unsigned char *s = (const unsigned char *)sc->s;

    for (size_t p = from; p < sc->n; p++) {
        /* inside a word there is no \b, and a word byte delimits nothing
         * (only "\x1b(" two bytes back still starts a URI) */
        if (p > 0 && !sc->esc && (url_class[s[p]] & url_class[s[p - 1]] & U_WORD)) {
            while (p + 1 < sc->n && url_has(s[p + 1], U_WORD))
                p++;
            continue;
        }
        if (!url_prefix_ok(sc, p))
            continue;
        if (((url_class[s[p]] & U_LEAD) && url_try_known(sc, p, m)) || url_try_mail(sc, p, m) ||
            url_try_schemeless(sc, p, m))
            return true;
    }
    return false;
}

/* --- url_encode ----------------------------------------------------------- */

static bool
url_xdigit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned
url_xval(char c)
{
    return c <= '9' ? (unsigned)(c - '0') : (unsigned)(url_lower(c) - 'a' + 10);
}

static bool
url_has_escape(struct strv v)
{
    for (size_t i = 0; i + 2 < v.len; i++) {
        if (v.p[i] == '%' && url_xdigit(v.p[i + 1]) && url_xdigit(v.p[i + 2]))
            return true;
    }
    return false;
}

struct strv
mime_url_encode(struct arena *a, struct strv uri)
{
    static const char hex[] = "0123456789abcdef";
    struct url_sb b;

    sb_init(&b, a, uri.len + 16);
    for (size_t i = 0; i < uri.len; i++) {
        unsigned char c = (unsigned char)uri.p[i];

        if (c == '%' && i + 2 < uri.len && url_xdigit(uri.p[i + 1]) && url_xdigit(uri.p[i + 2])) {
            char x = uri.p[i + 1], y = uri.p[i + 2];

            /* kept: /(20|7f|[0189a-fA-F][0-9a-fA-F])/i on "%XY" */
            if ((x == '2' && y == '0') || (x == '7' && (y == 'f' || y == 'F')) || x == '0' ||
                x == '1' || x == '8' || x == '9' || (url_lower(x) >= 'a'))
                sb_put(&b, uri.p + i, 3);
            else
                sb_putc(&b, (char)(url_xval(x) * 16 + url_xval(y)));
            i += 2;
        } else if (url_has(c, U_ENC)) {
            char esc[3] = { '%', hex[c >> 4], hex[c & 15] };

            sb_put(&b, esc, 3);
        } else {
            sb_putc(&b, (char)c);
        }
    }
    return sb_view(&b);
}

/* --- one text match into what add_uri_detail_list receives -------------- */

/* s/(^[^(]*)\).*$/$1/: cut at the last ')' before the first '(' */
static size_t
url_cut_paren(const char *p, size_t len)
{
    const char *lp = memchr(p, '(', len);
    size_t upto = lp == NULL ? len : (size_t)(lp - p);
    const char *rp = upto == 0 ? NULL : memrchr(p, ')', upto);

    return rp == NULL ? len : (size_t)(rp - p);
}

/* /^\w+:\/{0,2}$/: a scheme and nothing else */
static bool
url_empty_scheme(struct strv v)
{
    size_t i = 0;

    while (i < v.len && url_has((unsigned char)v.p[i], U_WORD))
        i++;
    if (i == 0 || i >= v.len || v.p[i] != ':')
        return false;
    i++;
    return v.len - i <= 2 && (i == v.len || v.p[i] == '/') && (v.len - i < 2 || v.p[i + 1] == '/');
}

/* s/^(?:skype|e?-?mail)?:+//i */
static struct strv
url_strip_misparse(struct strv v)
{
    static const char *const words[] = { "skype", "email", "e-mail", "-mail", "mail" };
    size_t i;

    for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
        size_t w = strlen(words[k]);

        if (url_prefix_ci(v.p, v.len, words[k]) && w < v.len && v.p[w] == ':') {
            for (i = w; i < v.len && v.p[i] == ':'; i++)
                ;
            return url_sub(v, i, v.len);
        }
    }
    for (i = 0; i < v.len && v.p[i] == ':'; i++)
        ;
    return url_sub(v, i, v.len);
}

/* The body of _process_text_uri_list's loop for one match; false: "next". */
static bool
url_text_uri(struct arena *a, const struct mime_psl *psl, struct mime_url_seen *seen,
             const struct url_scan *sc, const struct url_match *m, struct mime_url *out)
{
    struct strv raw = strv_make(sc->s + m->start, m->end - m->start), uri;
    unsigned types = MIME_URL_PARSED;
    const char *at;

    raw.len = url_cut_paren(raw.p, raw.len);
    while (raw.len > 0 && url_has((unsigned char)raw.p[raw.len - 1], U_TRAIL))
        raw.len--;
    if (!url_set_add(a, &seen->set, raw))
        return false;
    at = raw.len == 0 ? NULL : memchr(raw.p, '@', raw.len);
    if (m->kind == URL_MAIL && at == NULL)
        return false;
    if (m->kind == URL_SCHEMELESS &&
        !mime_fqdn_valid(strv_make(sc->s + m->start, m->host_end - m->start)))
        return false;
    if (url_prefix_ci(raw.p, raw.len, "cid:") || url_prefix_ci(raw.p, raw.len, "mid:"))
        return false;
    if (url_empty_scheme(raw))
        return false;

    uri = raw;
    if (!url_prefix_ci(raw.p, raw.len, "http:") && !url_prefix_ci(raw.p, raw.len, "https:") &&
        !url_prefix_ci(raw.p, raw.len, "ftp:") && !url_prefix_ci(raw.p, raw.len, "mailto:")) {
        const char *slash = memchr(raw.p, '/', raw.len);
        const char *lastat = at == NULL ? NULL : memrchr(raw.p, '@', raw.len);
        size_t d = 3;

        while (d < raw.len && d < 6 && raw.p[d] >= '0' && raw.p[d] <= '9')
            d++;
        if (url_prefix_ci(raw.p, raw.len, "ftp.")) {
            uri = url_cat3(a, STRV_LIT("ftp://"), raw, STRV_LIT(""));
        } else if (url_prefix_ci(raw.p, raw.len, "www") && d - 3 <= 2 && d < raw.len &&
                   raw.p[d] == '.') {
            uri = url_cat3(a, STRV_LIT("http://"), raw, STRV_LIT(""));
        } else if (slash != NULL && lastat != NULL && lastat > slash + 1) {
            /* /\/.+\@/: a "/" before the @ cannot be an address */
            uri = url_cat3(a, STRV_LIT("http://"), raw, STRV_LIT(""));
        } else if (at != NULL) {
            const char *dot = memrchr(raw.p, '.', raw.len);

            if (dot == NULL || dot <= at + 1) /* /\@.+?\./ */
                return false;
            if (url_memmem(raw.p, raw.len, "&nbsp;") != NULL)
                return false;
            uri = url_cat3(a, STRV_LIT("mailto:"), url_strip_misparse(raw), STRV_LIT(""));
        } else {
            if (memchr(raw.p, '.', raw.len) == NULL)
                return false;
            uri = url_cat3(a, STRV_LIT("http://"), raw, STRV_LIT(""));
            types |= MIME_URL_UNLINKED;
        }
        types |= MIME_URL_SCHEMELESS;
    }

    if (url_prefix_ci(uri.p, uri.len, "mailto:")) {
        const char *host;
        size_t hlen = 0;

        if (url_has_escape(uri)) /* MUAs decode mailto:foo%40bar%2Fcom */
            uri = mime_url_encode(a, uri);
        at = memchr(uri.p, '@', uri.len);
        if (at == NULL)
            return false;
        host = at + 1;
        while (host + hlen < uri.p + uri.len && host[hlen] != '?' && host[hlen] != '&' &&
               host[hlen] != '>')
            hlen++;
        while (hlen >= 3 && memcmp(host + hlen - 3, "%20", 3) == 0)
            hlen -= 3;
        if (!url_domain_valid(a, psl, strv_make(host, hlen)))
            return false;
    }
    out->uri = uri;
    out->types = types;
    return true;
}

void
mime_url_scan_text(struct arena *a, const struct mime_psl *psl, struct mime_url_seen *seen,
                   struct strv text, mime_url_found_fn found, void *arg)
{
    struct url_scan sc = { .s = text.p, .n = text.len, .psl = psl };

    if (text.len == 0)
        return;
    sc.esc = memchr(text.p, 0x1b, text.len) != NULL;
    struct url_match m;
    struct mime_url url;
    size_t pos = 0;

    while (pos < sc.n && url_find(&sc, pos, &m)) {
        pos = m.end;
        if (url_text_uri(a, psl, seen, &sc, &m, &url))
            found(arg, &url);
    }
}

/* --- uri_list_canonicalize ---------------------------------------------- */

struct url_canon {
    struct arena *a;
    const struct mime_psl *psl;
    mime_url_redirector_fn redirector;
    void *redirector_arg;
    struct strv todo[URL_CANON_MAX]; /* @uris: the URI and redirect targets */
    size_t ntodo;
    struct url_set visited;
    struct url_set outset; /* keys of the result */
    struct strv *out;
    size_t nout, cap;
};

static void
canon_emit(struct url_canon *c, struct strv v)
{
    struct strv stored;

    if (!url_set_put(c->a, &c->outset, v, &stored))
        return;
    if (c->nout == c->cap) {
        size_t cap = c->cap == 0 ? 8 : 2 * c->cap;

        c->out = arena_realloc(c->a, c->out, c->cap * sizeof(*c->out), cap * sizeof(*c->out));
        c->cap = cap;
    }
    c->out[c->nout++] = stored;
}

/* push(@uris, $target): canonicalized in turn by the same loop */
static void
canon_follow(struct url_canon *c, struct strv target)
{
    if (c->ntodo < URL_CANON_MAX)
        c->todo[c->ntodo++] = target;
}

/* s/\n//g; s/^\s+//; s/\s+$//; s/\r//g */
static struct strv
canon_trim(struct arena *a, struct strv v)
{
    char *p = arena_alloc(a, v.len + 1);
    size_t n = 0, start = 0, end;

    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] != '\n')
            p[n++] = v.p[i];
    }
    while (start < n && url_has((unsigned char)p[start], U_SPACE))
        start++;
    end = n;
    while (end > start && url_has((unsigned char)p[end - 1], U_SPACE))
        end--;
    n = 0;
    for (size_t i = start; i < end; i++) {
        if (p[i] != '\r')
            p[n++] = p[i];
    }
    p[n] = '\0';
    return strv_make(p, n);
}

/* Mail URIs: the versions without ?subject=, &junk, %20 and "Name" <>. */
static void
canon_mail(struct url_canon *c, struct strv u)
{
    const char *at = memchr(u.p, '@', u.len);
    size_t a = at == NULL ? u.len : (size_t)(at - u.p);

    if (at != NULL && a > 0) {
        size_t q = a + 1, r;

        /* /^([^\@]+\@[^?]+)\?/ and /^([^\@]+\@[^?&]+)\&/ */
        while (q < u.len && u.p[q] != '?')
            q++;
        if (q < u.len && q > a + 1)
            canon_emit(c, url_sub(u, 0, q));
        for (r = a + 1; r < u.len && u.p[r] != '?' && u.p[r] != '&'; r++)
            ;
        if (r < u.len && u.p[r] == '&' && r > a + 1)
            canon_emit(c, url_sub(u, 0, r));
    }
    /* /^(?:mailto:)?(?:\%20)*([^\@]+\@[^?&%]+)/ when there is a %20 */
    if (at != NULL && url_memmem(u.p, u.len, "%20") != NULL) {
        size_t r = a + 1;

        while (r < u.len && u.p[r] != '?' && u.p[r] != '&' && u.p[r] != '%')
            r++;
        for (int pre = url_prefix(u.p, u.len, "mailto:") ? 7 : 0; r > a + 1 && pre >= 0;
             pre = pre == 7 ? 0 : -1) {
            size_t st = (size_t)pre;

            while (st + 3 <= a && memcmp(u.p + st, "%20", 3) == 0)
                st += 3;
            if (st == a && st >= (size_t)pre + 3)
                st -= 3; /* [^\@]+ needs one byte */
            if (st < a) {
                canon_emit(c, url_cat3(c->a, STRV_LIT("mailto:"), url_sub(u, st, r), STRV_LIT("")));
                break;
            }
        }
    }
    /* /^[^?&]*<([^\@>]+\@[^>]+)>/ */
    size_t run = 0;

    while (run < u.len && u.p[run] != '?' && u.p[run] != '&')
        run++;
    for (size_t j = run; j-- > 0;) {
        size_t x, g;

        if (u.p[j] != '<')
            continue;
        for (x = j + 1; x < u.len && u.p[x] != '@' && u.p[x] != '>'; x++)
            ;
        if (x == j + 1 || x >= u.len || u.p[x] != '@')
            continue;
        for (g = x + 1; g < u.len && u.p[g] != '>'; g++)
            ;
        if (g >= u.len || g == x + 1)
            continue;
        canon_emit(c, url_cat3(c->a, STRV_LIT("mailto:"), url_sub(u, j + 1, g), STRV_LIT("")));
        break;
    }
}

/* The three entity passes, in SA's order (one may feed the next):
 * &#33; .. &#126;, &#x21; .. &#x7e; (but not &#x2a; .. &#x2f;), and the
 * Unicode dots as '.'. */
static bool
canon_entity(const char *p, size_t left, int pass, char *ch, size_t *used)
{
    size_t i = 2, d;
    unsigned v = 0;

    if (left < 4 || p[0] != '&' || p[1] != '#')
        return false;
    if (pass == 2) {
        static const char *const dots[] = { "x2e;",   "12290;", "x3002;", "65294;",
                                            "xff0e;", "65377;", "xff61;" };

        for (size_t k = 0; k < sizeof(dots) / sizeof(dots[0]); k++) {
            if (url_prefix_ci(p + 2, left - 2, dots[k])) {
                *ch = '.';
                *used = 2 + strlen(dots[k]);
                return true;
            }
        }
        return false;
    }
    if (pass == 1 && p[i++] != 'x')
        return false;
    while (i < left && p[i] == '0')
        i++;
    for (d = 0; i + d < left && d < 4 &&
                (pass == 1 ? url_xdigit(p[i + d]) : p[i + d] >= '0' && p[i + d] <= '9');
         d++)
        v = v * (pass == 1 ? 16 : 10) + url_xval(p[i + d]);
    if (i + d >= left || p[i + d] != ';')
        return false;
    if (pass == 0 && !((d == 2 && v >= 33) || (d == 3 && v <= 126)))
        return false;
    if (pass == 1 && !(d == 2 && ((v >= 0x21 && v <= 0x29) || (v >= 0x30 && v <= 0x7e))))
        return false;
    *ch = (char)v;
    *used = i + d + 1;
    return true;
}

static struct strv
canon_entities(struct arena *a, struct strv v)
{
    for (int pass = 0; pass < 3; pass++) {
        const char *amp = v.len == 0 ? NULL : memchr(v.p, '&', v.len);
        struct url_sb b;

        if (amp == NULL)
            return v;
        sb_init(&b, a, v.len);
        for (size_t i = 0; i < v.len;) {
            char ch;
            size_t used;

            if (v.p[i] == '&' && canon_entity(v.p + i, v.len - i, pass, &ch, &used)) {
                sb_putc(&b, ch);
                i += used;
            } else {
                sb_putc(&b, v.p[i++]);
            }
        }
        v = sb_view(&b);
    }
    return v;
}

/* Perl's sprintf "%d", hex($x): past 64 bits hex() saturates, and %d shows
 * the unsigned value as a signed one. */
static struct strv
canon_hex_to_dec(struct arena *a, const char *p, size_t len)
{
    uint64_t v = 0;
    bool over = false;

    for (size_t i = 0; i < len; i++) {
        if (v > (UINT64_MAX >> 4))
            over = true;
        v = (v << 4) | url_xval(p[i]);
    }
    if (over)
        v = UINT64_MAX;
    return strv_cstr(arena_printf(a, "%lld", (long long)(int64_t)v));
}

/* Util::decode_ulong_to_ip: unpack("CCCC", pack("H*", sprintf("%08lx", $n))),
 * $n a decimal string (saturating at 2**64-1, as Perl's numbers do). */
static struct strv
canon_ulong_to_ip(struct arena *a, const char *p, size_t len)
{
    char hex[24];
    unsigned char b[4] = { 0, 0, 0, 0 };
    uint64_t v = 0;
    int n;

    for (size_t i = 0; i < len; i++) {
        unsigned dgt = (unsigned)(p[i] - '0');

        if (v > (UINT64_MAX - dgt) / 10) {
            v = UINT64_MAX;
            break;
        }
        v = v * 10 + dgt;
    }
    n = snprintf(hex, sizeof(hex), "%08llx", (unsigned long long)v);
    for (int i = 0; i < 8 && i < n; i++)
        b[i / 2] |= (unsigned char)(url_xval(hex[i]) << (i % 2 ? 0 : 4));
    return strv_cstr(arena_printf(a, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]));
}

/* One dotted chunk of a numeric host: 0x hex to decimal, then a leading-zero
 * octal number of up to 0377 to decimal, then leading zeros away. */
static void
canon_octet(struct url_sb *b, struct arena *a, struct strv chunk)
{
    size_t z = 0, d;

    if (chunk.len > 2 && chunk.p[0] == '0' && (chunk.p[1] == 'x' || chunk.p[1] == 'X'))
        chunk = canon_hex_to_dec(a, chunk.p + 2, chunk.len - 2);
    while (z < chunk.len && chunk.p[z] == '0')
        z++;
    d = chunk.len - z;
    if (z > 0 && d > 0) {
        /* s/^0+([1-3][0-7]{0,2}|[4-7][0-7]?)\b/oct/: the digits must end the chunk */
        char f = chunk.p[z];
        bool oct = (f >= '1' && f <= '3' && d <= 3) || (f >= '4' && f <= '7' && d <= 2);
        unsigned v = 0;

        for (size_t i = z; i < chunk.len && oct; i++) {
            oct = chunk.p[i] >= '0' && chunk.p[i] <= '7';
            v = v * 8 + (unsigned)(chunk.p[i] - '0');
        }
        if (oct) {
            char num[8];

            snprintf(num, sizeof(num), "%u", v);
            sb_put(b, num, strlen(num));
            return;
        }
    }
    sb_put(b, chunk.p + z, d);
}

/* /^((?:0x[0-9a-f]+|\d+)\.){3}(0x[0-9a-f]+|\d+)$/i */
static bool
canon_numeric_host(struct strv h, struct strv chunks[4])
{
    size_t start = 0, k = 0;

    for (size_t i = 0; i <= h.len; i++) {
        struct strv c;
        bool ok;
        size_t j = 0;

        if (i < h.len && h.p[i] != '.')
            continue;
        if (k == 4)
            return false;
        c = url_sub(h, start, i);
        if (c.len > 2 && c.p[0] == '0' && (c.p[1] == 'x' || c.p[1] == 'X')) {
            for (j = 2, ok = true; j < c.len && ok; j++)
                ok = url_xdigit(c.p[j]);
        } else {
            for (ok = c.len > 0; j < c.len && ok; j++)
                ok = c.p[j] >= '0' && c.p[j] <= '9';
        }
        if (!ok)
            return false;
        chunks[k++] = c;
        start = i + 1;
    }
    return k == 4;
}

static bool
url_all(struct strv v, bool (*pred)(char), size_t from)
{
    if (v.len <= from)
        return false;
    for (size_t i = from; i < v.len; i++) {
        if (!pred(v.p[i]))
            return false;
    }
    return true;
}

static bool
url_isdigit(char c)
{
    return c >= '0' && c <= '9';
}

/* The hard-coded redirector: the first m{(https?:/{0,2}[^&#]+)}i in rest. */
static bool
canon_embedded(struct strv rest, struct strv *target)
{
    for (size_t i = 0; i < rest.len; i++) {
        size_t k, e;

        if (url_prefix_ci(rest.p + i, rest.len - i, "https:"))
            k = i + 6;
        else if (url_prefix_ci(rest.p + i, rest.len - i, "http:"))
            k = i + 5;
        else
            continue;
        if (k >= rest.len || rest.p[k] == '&' || rest.p[k] == '#')
            continue;
        for (e = k; e < rest.len && rest.p[e] != '&' && rest.p[e] != '#'; e++)
            ;
        *target = url_sub(rest, i, e);
        return true;
    }
    return false;
}

/* /^:80\b/ (or :443): the default port, then no word character */
static bool
canon_default_port(struct strv rest, const char *port)
{
    size_t n = strlen(port);

    return rest.len >= n && memcmp(rest.p, port, n) == 0 &&
           (rest.len == n || !url_has((unsigned char)rest.p[n], U_WORD));
}

/* The http(s) part of the loop body, from
 * m{^(https?://)([^\@/?#]*\@)?([^/?#:]+)((?::(\d*))?.*)$}i on. */
static void
canon_http(struct url_canon *c, struct strv nuri)
{
    struct arena *a = c->a;
    struct strv proto, host, rest, nhost, auth = STRV_LIT(""), port, target, chunks[4];
    struct strv rest_noport = { NULL, 0 };
    size_t pl, hs, he, f;
    bool found = false;

    if (url_prefix_ci(nuri.p, nuri.len, "https://"))
        pl = 8;
    else if (url_prefix_ci(nuri.p, nuri.len, "http://"))
        pl = 7;
    else
        return;
    proto = url_sub(nuri, 0, pl);
    for (f = pl; f < nuri.len && !url_in("@/?#", nuri.p[f]); f++)
        ;
    hs = pl;
    if (f < nuri.len && nuri.p[f] == '@' && f + 1 < nuri.len && !url_in("/?#:", nuri.p[f + 1])) {
        auth = url_sub(nuri, pl, f + 1);
        hs = f + 1;
    }
    for (he = hs; he < nuri.len && !url_in("/?#:", nuri.p[he]); he++)
        ;
    if (he == hs)
        return;
    host = url_sub(nuri, hs, he);
    rest = url_sub(nuri, he, nuri.len);

    /* the port: "" when absent or empty, then 80 or 443 by the scheme as written */
    port = STRV_LIT("");
    if (rest.len > 0 && rest.p[0] == ':') {
        size_t d = 1;

        while (d < rest.len && url_isdigit(rest.p[d]))
            d++;
        port = url_sub(rest, 1, d);
    }
    if (port.len == 0) {
        port = strv_eq(proto, "http://") ? STRV_LIT("80") : STRV_LIT("443");
    } else {
        rest_noport = rest;
        if (strv_eq(proto, "http://")) {
            if (canon_default_port(rest, ":80")) {
                rest_noport = url_sub(rest, 3, rest.len);
                canon_emit(c, url_cat3(a, proto, host, rest_noport));
            }
        } else if (canon_default_port(rest, ":443")) {
            rest_noport = url_sub(rest, 4, rest.len);
            canon_emit(c, url_cat3(a, proto, host, rest_noport));
        }
    }

    /* if ($nhost ne lc($host)): the ACE form, with and without the port */
    nhost = mime_idn_to_ascii(a, host);
    {
        bool same = nhost.len == host.len;

        for (size_t i = 0; i < host.len && same; i++)
            same = nhost.p[i] == url_lower(host.p[i]);
        if (!same) {
            canon_emit(c, url_cat3(a, proto, nhost, rest));
            if (rest_noport.p != NULL && rest_noport.len > 0)
                canon_emit(c, url_cat3(a, proto, nhost, rest_noport));
            host = nhost;
        }
    }

    /* bug 4146: controls and spaces out of the host */
    {
        char *h = arena_alloc(a, host.len + 1);
        size_t n = 0;

        for (size_t i = 0; i < host.len; i++) {
            if ((unsigned char)host.p[i] > 0x20)
                h[n++] = host.p[i];
        }
        if (n != host.len) {
            host = strv_make(h, n);
            canon_emit(c, url_cat3(a, proto, host, rest));
        }
    }

    /* redirectors: the configured patterns first, then any embedded http: */
    if (c->redirector != NULL &&
        c->redirector(c->redirector_arg, url_cat3(a, proto, host, rest), &target) &&
        target.len > 0 && memchr(target.p, '.', target.len) != NULL) {
        canon_follow(c, target);
        found = true;
    }
    if (!found && canon_embedded(rest, &target) && memchr(target.p, '.', target.len) != NULL)
        canon_follow(c, target);

    /* s/^[^\@]+\@//: the "www.fakehostname.com@" username part */
    {
        const char *at = host.len == 0 ? NULL : memchr(host.p, '@', host.len);

        if (at != NULL && at > host.p) {
            host = url_sub(host, (size_t)(at - host.p) + 1, host.len);
            canon_emit(c, url_cat3(a, proto, host, rest));
        }
    }
    /* bug 3186: s/[^0-9A-Za-z]+$// */
    {
        size_t n = host.len;

        while (n > 0 && !url_has((unsigned char)host.p[n - 1], U_ALNUM))
            n--;
        if (n != host.len) {
            host.len = n;
            canon_emit(c, url_cat3(a, proto, host, rest));
        }
    }

    if (canon_numeric_host(host, chunks)) {
        struct url_sb b;

        sb_init(&b, a, nuri.len + 16);
        sb_putv(&b, proto);
        for (int k = 0; k < 4; k++) {
            canon_octet(&b, a, chunks[k]);
            if (k < 3)
                sb_putc(&b, '.');
        }
        sb_putv(&b, rest);
        canon_emit(c, sb_view(&b));
    } else if (host.len > 2 && host.p[0] == '0' && (host.p[1] == 'x' || host.p[1] == 'X') &&
               url_all(host, url_xdigit, 2)) {
        /* "http://0x7f000001/": the last eight hex digits */
        size_t from = host.len - 2 > 8 ? host.len - 8 : 2;
        struct strv dec = canon_hex_to_dec(a, host.p + from, host.len - from);

        canon_emit(c, url_cat3(a, proto, canon_ulong_to_ip(a, dec.p, dec.len), rest));
    } else if (url_all(host, url_isdigit, 0)) {
        canon_emit(c, url_cat3(a, proto, canon_ulong_to_ip(a, host.p, host.len), rest));
    } else if (strv_eq(proto, "http://") && auth.len == 0 && !strv_eq(nhost, "localhost") &&
               strv_eq(port, "80")) {
        /* bug 6596: http://foobar -> http://www.foobar.com, as Firefox does */
        struct strv label = nhost;

        if (url_prefix(label.p, label.len, "www."))
            label = url_sub(label, 4, label.len);
        if (label.len > 0 && memchr(label.p, '.', label.len) == NULL &&
            !url_domain_valid(a, c->psl, nhost))
            canon_emit(c, url_cat3(a, STRV_LIT("http://www."), label,
                                   url_cat3(a, STRV_LIT(".com"), rest, STRV_LIT(""))));
    }
}

/* One turn of uri_list_canonicalize's loop, for one element of @uris. */
static void
canon_one(struct url_canon *c, struct strv raw)
{
    struct arena *a = c->a;
    struct strv u = canon_trim(a, raw), nuri;
    char *p;

    canon_emit(c, u);
    if (!url_set_add(a, &c->visited, u))
        return; /* seen already: it would add nothing new */
    if (u.len <= 1 || u.p[0] == '#' || u.p[0] == '?' || u.p[0] == '&' ||
        (u.p[0] == '/' && u.p[1] != '/'))
        return;
    {
        const char *at = memchr(u.p, '@', u.len);
        const char *colon = memchr(u.p, ':', u.len);

        if (url_prefix_ci(u.p, u.len, "mailto:") || (at != NULL && (colon == NULL || colon > at))) {
            canon_mail(c, u);
            return;
        }
    }

    /* bug 4390: backslashes as slashes */
    p = arena_strndup(a, u.p, u.len);
    for (size_t i = 0; i < u.len; i++) {
        if (p[i] == '\\')
            p[i] = '/';
    }
    nuri = strv_make(p, u.len);
    /* http:www.foo.biz -> http://www.foo.biz */
    {
        size_t s = url_prefix_ci(nuri.p, nuri.len, "https:")  ? 6
                   : url_prefix_ci(nuri.p, nuri.len, "http:") ? 5
                                                              : 0;

        if (s > 0) {
            size_t k = s;

            while (k < nuri.len && k < s + 2 && nuri.p[k] == '/')
                k++;
            nuri = url_cat3(a, url_sub(nuri, 0, s), STRV_LIT("//"), url_sub(nuri, k, nuri.len));
        }
    }
    if (url_has_escape(nuri)) /* bug 4213: the scheme itself may be encoded */
        nuri = mime_url_encode(a, nuri);
    {
        size_t i = 0;

        while (i < nuri.len &&
               (url_has((unsigned char)nuri.p[i], U_ALNUM) || nuri.p[i] == '-' || nuri.p[i] == '_'))
            i++;
        if (i == 0 || i >= nuri.len || nuri.p[i] != ':')
            nuri = url_cat3(
                a, url_prefix(nuri.p, nuri.len, "ftp.") ? STRV_LIT("ftp://") : STRV_LIT("http://"),
                nuri, STRV_LIT(""));
    }
    /* http://www.foo.biz?id=3 -> http://www.foo.biz/?id=3 */
    {
        size_t s = url_prefix_ci(nuri.p, nuri.len, "https://")  ? 8
                   : url_prefix_ci(nuri.p, nuri.len, "http://") ? 7
                                                                : 0,
               e;

        for (e = s; s > 0 && e < nuri.len && !url_in("/?#", nuri.p[e]); e++)
            ;
        if (s > 0 && e > s && e < nuri.len && nuri.p[e] != '/')
            nuri = url_cat3(a, url_sub(nuri, 0, e), STRV_LIT("/"), url_sub(nuri, e, nuri.len));
    }
    nuri = canon_entities(a, nuri);
    if (!url_eq(nuri, u))
        canon_emit(c, nuri);
    canon_http(c, nuri);
}

void
mime_url_canonicalize(struct arena *a, const struct mime_psl *psl, struct strv uri,
                      mime_url_redirector_fn redirector, void *redirector_arg, struct strv **out,
                      size_t *nout)
{
    struct url_canon *c = arena_calloc(a, 1, sizeof(*c));

    c->a = a;
    c->psl = psl;
    c->redirector = redirector;
    c->redirector_arg = redirector_arg;
    c->todo[c->ntodo++] = uri;
    for (size_t i = 0; i < c->ntodo; i++)
        canon_one(c, c->todo[i]);
    *out = c->out;
    *nout = c->nout;
}

/* --- uri_to_domain ------------------------------------------------------- */

bool
mime_url_domain(struct arena *a, const struct mime_psl *psl, struct strv uri, struct strv *host,
                struct strv *domain)
{
    char *l = arena_alloc(a, uri.len + 1);
    struct strv u = strv_make(l, uri.len), h, d;

    for (size_t i = 0; i < uri.len; i++)
        l[i] = url_lower(uri.p[i]);
    l[uri.len] = '\0';
    /* Javascript, cid and file are no help */
    if (url_prefix(u.p, u.len, "javascript:") || url_prefix(u.p, u.len, "cid:") ||
        url_prefix(u.p, u.len, "file:"))
        return false;
    if (url_prefix(u.p, u.len, "mailto:")) {
        const char *q, *at;

        u = url_sub(u, 7, u.len);
        if ((q = memchr(u.p, '?', u.len)) != NULL) /* drop ?subject= and the rest */
            u.len = (size_t)(q - u.p);
        at = memchr(u.p, '@', u.len);
        if (at == NULL || memchr(at + 1, '@', u.len - (size_t)(at + 1 - u.p)) != NULL)
            return false; /* no user, or more than one @ */
        u = url_sub(u, (size_t)(at - u.p) + 1, u.len);
    } else {
        size_t i = 0, e;
        const char *at;

        while (i < u.len && u.p[i] >= 'a' && u.p[i] <= 'z')
            i++;
        if (i > 0 && i < u.len && u.p[i] == ':') { /* s{^[a-z]+:/{0,2}}{} */
            i++;
            for (size_t k = 0; k < 2 && i < u.len && u.p[i] == '/'; k++)
                i++;
            u = url_sub(u, i, u.len);
        }
        for (e = 0; e < u.len && !url_in("/?#", u.p[e]); e++) /* path, query, fragment */
            ;
        u.len = e;
        if (u.len > 0 && (at = memrchr(u.p, '@', u.len)) != NULL) /* user:password@ */
            u = url_sub(u, (size_t)(at - u.p) + 1, u.len);
        /* s{:\d*$}{}: a port, maybe empty (bug 4191) */
        for (size_t k = 0; k < u.len; k++) {
            if (u.p[k] == ':' && url_all(u, url_isdigit, k + 1)) {
                u.len = k;
                break;
            }
            if (u.p[k] == ':' && k + 1 == u.len) {
                u.len = k;
                break;
            }
        }
    }
    /* an escape that should have been decoded: the decoded twin is listed too */
    for (size_t i = 0; i + 2 < u.len; i++) {
        char x = u.p[i + 1], y = u.p[i + 2];

        if (u.p[i] == '%' && ((x == '2' && ((y >= '1' && y <= '9') || (y >= 'a' && y <= 'f'))) ||
                              (x >= '3' && x <= '6' && url_xdigit(y)) ||
                              (x == '7' && ((y >= '0' && y <= '9') || (y >= 'a' && y <= 'e')))))
            return false;
    }
    h = mime_idn_to_ascii(a, u);
    d = h;
    if (!mime_ip_is_address(h)) {
        if (!mime_fqdn_valid(h) || !url_ace_domain_valid(psl, h))
            return false;
        d = mime_psl_registered_domain(a, psl, h);
        if (d.len == 0) {
            /* the host is a public suffix itself: SA's trim_domain keeps it */
            d = h;
            while (d.len > 0 && d.p[d.len - 1] == '.')
                d.len--;
        }
    }
    *host = h;
    *domain = d;
    return true;
}
