/*
 * mime_url.c - URIs in text as SpamAssassin 4.0.1 finds them:
 * PerMsgStatus::_process_text_uri_list (the Thunderbird-like pattern of
 * _tbirdurire, hand-compiled here into a scanner), and what the URL files
 * share: the byte classes, a string set and RegistryBoundaries::is_domain_valid.
 * Canonicalization (uri_list_canonicalize, url_encode, uri_to_domain) is in
 * mime_url_canon.c. Where SA reads util_rb_tld and its 2tld/3tld lists, we
 * read the public suffix list. SA's quirks are kept on purpose: rules are
 * written against what SA hands them (comments below say which line of SA a
 * step mirrors). Everything returned lives in the caller's arena. No I/O, no
 * globals.
 */
#include "mime/mime_url.h"

#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "mime/mime_url_int.h"

/* Generated from the sets in _tbirdurire: the bits are in mime_url_int.h. */
const uint16_t mu_class[256] = {
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

#define URL_RUN_MAX  2048 /* [^$tbirdenddelim]{1,2048} */
#define URL_MAIL_MAX 251  /* the two halves of a bare address */
#define URL_HOST_MAX 251  /* [a-z\d._-]{0,251} of a schemeless host */
#define URL_SEEN_MIN 64

/* --- strings in the arena ---------------------------------------------- */

struct strv
mu_cat3(struct arena *a, struct strv x, struct strv y, struct strv z)
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

/* --- a set of strings ---------------------------------------------------- */

static uint32_t
url_hash(struct strv v)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < v.len; i++)
        h = (h ^ (unsigned char)v.p[i]) * 16777619u;
    return h;
}

/* Add v (copied into a; the copy in *stored if not NULL); false if it was
 * there already. */
bool
mu_set_put(struct arena *a, struct mu_set *s, struct strv v, struct strv *stored)
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
        if (mu_eq(s->slots[i], v))
            return false;
    }
    s->slots[i] = strv_make(arena_strndup(a, v.p, v.len), v.len);
    s->n++;
    if (stored != NULL)
        *stored = s->slots[i];
    return true;
}

bool
mu_set_add(struct arena *a, struct mu_set *s, struct strv v)
{
    return mu_set_put(a, s, v, NULL);
}

struct mime_url_seen {
    struct mu_set set;
};

struct mime_url_seen *
mime_url_seen_new(struct arena *a)
{
    return arena_calloc(a, 1, sizeof(struct mime_url_seen));
}

/* --- host checks shared by the scanner and the canonicalizer ------------ */

/* RegistryBoundaries::is_domain_valid on an ACE name: no space, a dot, and
 * a known TLD after the last one (SA's TLD keys are lower case). */
bool
mu_ace_domain_valid(const struct mime_psl *psl, struct strv d)
{
    const char *dot;
    struct strv tld;

    for (size_t i = 0; i < d.len; i++) {
        if (mu_has((unsigned char)d.p[i], MU_SPACE))
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
bool
mu_domain_valid(struct arena *a, const struct mime_psl *psl, struct strv dom)
{
    return mu_ace_domain_valid(psl, mime_idn_to_ascii(a, dom));
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

    return mu_has(c, mask) || (at && c == '@');
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
    for (lo = sc->at; lo > 0 && sc->at - lo < URL_MAIL_MAX && !url_is(sc, lo - 1, MU_ENDM, true);
         lo--)
        ;
    sc->at_lo = lo;
    sc->at_valid = true;
}

static bool
url_prefix_ok(const struct url_scan *sc, size_t p)
{
    const unsigned char *s = (const unsigned char *)sc->s;
    bool w0 = p > 0 && mu_has(s[p - 1], MU_WORD);
    bool w1 = p < sc->n && mu_has(s[p], MU_WORD);

    if (w0 != w1)
        return true;
    if (p >= 3 && s[p - 3] == 0x1b && s[p - 2] == '(' && s[p - 1] != '\n') /* bug 4522 */
        return true;
    return p > 0 && mu_has(s[p - 1], MU_START);
}

/* (?:(?:https?|ftp):\/\/|(?:www\d{0,2}|ftp)\.)[^$tbirdenddelim]{1,2048} */
static bool
url_try_known(struct url_scan *sc, size_t p, struct url_match *m)
{
    const char *s = sc->s + p;
    size_t left = sc->n - p, q, e;
    char c = mu_lower(s[0]);

    if (c != 'h' && c != 'f' && c != 'w')
        return false;
    if (mu_prefix_ci(s, left, "http://"))
        q = 7;
    else if (mu_prefix_ci(s, left, "https://"))
        q = 8;
    else if (mu_prefix_ci(s, left, "ftp://"))
        q = 6;
    else if (mu_prefix_ci(s, left, "www")) {
        size_t d = 3;

        while (d < left && d < 6 && s[d] >= '0' && s[d] <= '9')
            d++;
        if (d - 3 > 2 || d >= left || s[d] != '.')
            return false;
        q = d + 1;
    } else if (mu_prefix_ci(s, left, "ftp."))
        q = 4;
    else
        return false;
    e = url_next(sc, &sc->end, MU_END, false, p + q);
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

    if ((sc->s[p] == 'm' || sc->s[p] == 'M') && mu_prefix_ci(sc->s + p, sc->n - p, "mailto:")) {
        e = url_next(sc, &sc->endm, MU_ENDM, false, p + 7);
        if (e - (p + 7) >= 1 && e - (p + 7) <= URL_RUN_MAX) {
            *m = (struct url_match){ p, e, URL_MAIL, 0 };
            return true;
        }
    }
    url_at_window(sc, p);
    if (sc->at == sc->n || p < sc->at_lo || p >= sc->at)
        return false;
    at = sc->at;
    e = url_next(sc, &sc->endm, MU_ENDM, false, at + 1);
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
            while (digits < 5 && x0 + 1 + digits < n && mu_has(s[x0 + 1 + digits], MU_DIGIT))
                digits++;
        }
        for (size_t k = digits + 1; k-- > 0;) {
            size_t x = k > 0 ? x0 + 1 + k : x0;

            if (x < n && s[x] == '/') {
                size_t e = url_next(sc, &sc->end, MU_END, false, x + 1);

                if (e - (x + 1) >= 1 && e - (x + 1) <= URL_RUN_MAX) {
                    *end = e;
                    return true;
                }
            }
            if (x == n || mu_has(s[x], MU_END)) {
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

    if ((p > 0 && !mu_has(s[p - 1], MU_SCST)) || !mu_has(s[p], MU_ALNUM))
        return false;
    for (run = 0; p + 1 + run < n && mu_has(s[p + 1 + run], MU_HOST); run++)
        ;
    if (run == 0 || memchr(s + p + 1, '.', run) == NULL)
        return false;
    /* the \. before the TLD: the last dot first, as greedy {0,251} backtracks */
    last = p + 1 + (run - 1 < URL_HOST_MAX ? run - 1 : URL_HOST_MAX);
    for (size_t d = last + 1; d-- > p + 1;) {
        size_t t = d + 1, end;

        if (s[d] != '.')
            continue;
        while (t < n && mu_has(s[t], MU_LDH))
            t++;
        if (t == d + 1)
            continue;
        /* $tldsRE ends with (?!(?:[a-zA-Z0-9-]|\.[a-zA-Z0-9])) */
        if (t + 1 < n && s[t] == '.' && mu_has(s[t + 1], MU_ALNUM))
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
        if (p > 0 && !sc->esc && (mu_class[s[p]] & mu_class[s[p - 1]] & MU_WORD)) {
            while (p + 1 < sc->n && mu_has(s[p + 1], MU_WORD))
                p++;
            continue;
        }
        if (!url_prefix_ok(sc, p))
            continue;
        if (((mu_class[s[p]] & MU_LEAD) && url_try_known(sc, p, m)) || url_try_mail(sc, p, m) ||
            url_try_schemeless(sc, p, m))
            return true;
    }
    return false;
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

    while (i < v.len && mu_has((unsigned char)v.p[i], MU_WORD))
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

        if (mu_prefix_ci(v.p, v.len, words[k]) && w < v.len && v.p[w] == ':') {
            for (i = w; i < v.len && v.p[i] == ':'; i++)
                ;
            return mu_sub(v, i, v.len);
        }
    }
    for (i = 0; i < v.len && v.p[i] == ':'; i++)
        ;
    return mu_sub(v, i, v.len);
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
    while (raw.len > 0 && mu_has((unsigned char)raw.p[raw.len - 1], MU_TRAIL))
        raw.len--;
    if (!mu_set_add(a, &seen->set, raw))
        return false;
    at = raw.len == 0 ? NULL : memchr(raw.p, '@', raw.len);
    if (m->kind == URL_MAIL && at == NULL)
        return false;
    if (m->kind == URL_SCHEMELESS &&
        !mime_fqdn_valid(strv_make(sc->s + m->start, m->host_end - m->start)))
        return false;
    if (mu_prefix_ci(raw.p, raw.len, "cid:") || mu_prefix_ci(raw.p, raw.len, "mid:"))
        return false;
    if (url_empty_scheme(raw))
        return false;

    uri = raw;
    if (!mu_prefix_ci(raw.p, raw.len, "http:") && !mu_prefix_ci(raw.p, raw.len, "https:") &&
        !mu_prefix_ci(raw.p, raw.len, "ftp:") && !mu_prefix_ci(raw.p, raw.len, "mailto:")) {
        const char *slash = memchr(raw.p, '/', raw.len);
        const char *lastat = at == NULL ? NULL : memrchr(raw.p, '@', raw.len);
        size_t d = 3;

        while (d < raw.len && d < 6 && raw.p[d] >= '0' && raw.p[d] <= '9')
            d++;
        if (mu_prefix_ci(raw.p, raw.len, "ftp.")) {
            uri = mu_cat3(a, STRV_LIT("ftp://"), raw, STRV_LIT(""));
        } else if (mu_prefix_ci(raw.p, raw.len, "www") && d - 3 <= 2 && d < raw.len &&
                   raw.p[d] == '.') {
            uri = mu_cat3(a, STRV_LIT("http://"), raw, STRV_LIT(""));
        } else if (slash != NULL && lastat != NULL && lastat > slash + 1) {
            /* /\/.+\@/: a "/" before the @ cannot be an address */
            uri = mu_cat3(a, STRV_LIT("http://"), raw, STRV_LIT(""));
        } else if (at != NULL) {
            const char *dot = memrchr(raw.p, '.', raw.len);

            if (dot == NULL || dot <= at + 1) /* /\@.+?\./ */
                return false;
            if (mu_memmem(raw.p, raw.len, "&nbsp;") != NULL)
                return false;
            uri = mu_cat3(a, STRV_LIT("mailto:"), url_strip_misparse(raw), STRV_LIT(""));
        } else {
            if (memchr(raw.p, '.', raw.len) == NULL)
                return false;
            uri = mu_cat3(a, STRV_LIT("http://"), raw, STRV_LIT(""));
            types |= MIME_URL_UNLINKED;
        }
        types |= MIME_URL_SCHEMELESS;
    }

    if (mu_prefix_ci(uri.p, uri.len, "mailto:")) {
        const char *host;
        size_t hlen = 0;

        if (mu_has_escape(uri)) /* MUAs decode mailto:foo%40bar%2Fcom */
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
        if (!mu_domain_valid(a, psl, strv_make(host, hlen)))
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
