/*
 * bayes_tok.c - SpamAssassin's Bayes tokenizer (see bayes_tok.h): the
 * prepared tokenizer, _tokenize_line, and a message's token set with the
 * database keys. The header side is in bayes_tok_hdr.c.
 *
 * Most text SA tokenizes is a byte string (Message.pm encodes the body to
 * UTF-8 octets), so Perl's \w and lc are ASCII-only, and the 8-bit rules
 * work on bytes. The URIs of HTML parts are character strings, though
 * (HTML::Parser decodes): Perl then applies the same rules to characters,
 * with Unicode's \w and lc, and Digest::SHA hashes the result as Latin-1.
 * Such a line is turned into its Latin-1 bytes first (bt_latin1), with the
 * Latin-1 letters counted as \w (bt_wordc, bt_lc); characters past U+00FF
 * cannot reach a token (the first step turns them into spaces).
 */
#include "stat/bayes_tok.h"

#include <openssl/evp.h>
#include <string.h>

#include "core/buf.h"
#include "core/xmalloc.h"
#include "mime/mime_uris.h"
#include "mime/mime_views.h"
#include "stat/bayes_tok_int.h"

/* Plugin/Bayes.pm tokenize: each source stops once it has this many */
#define BT_MAX_BODY   50000
#define BT_MAX_URI    10000
#define BT_MAX_INVIZ  50000
#define BT_MAX_HEADER 10000

/* ------------------------------------------------------------------------
 * small helpers
 */

void
bt_list_push(struct bt_list *l, struct strv s)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 64;

        l->v = arena_realloc(l->a, l->v, l->cap * sizeof(*l->v), ncap * sizeof(*l->v));
        l->cap = ncap;
    }
    l->v[l->n++] = s;
}

void
bt_buf_init(struct bt_buf *b, struct arena *a)
{
    b->a = a;
    b->p = NULL;
    b->len = b->cap = 0;
}

void
bt_buf_put(struct bt_buf *b, const char *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 64;

        while (ncap < b->len + n + 1)
            ncap *= 2;
        b->p = arena_realloc(b->a, b->p, b->cap, ncap);
        b->cap = ncap;
    }
    if (n > 0)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void
bt_buf_putc(struct bt_buf *b, char c)
{
    bt_buf_put(b, &c, 1);
}

void
bt_buf_puts(struct bt_buf *b, const char *s)
{
    bt_buf_put(b, s, strlen(s));
}

struct strv
bt_buf_take(struct bt_buf *b)
{
    if (b->p == NULL)
        bt_buf_put(b, "", 0);
    return strv_make(b->p, b->len);
}

/* prefix + p[0..n), NUL-terminated, in the arena */
static struct strv
bt_cat(struct arena *a, const char *prefix, size_t plen, const char *p, size_t n)
{
    char *o = arena_alloc(a, plen + n + 1);

    memcpy(o, prefix, plen);
    memcpy(o + plen, p, n);
    o[plen + n] = '\0';
    return strv_make(o, plen + n);
}

pcre2_code *
bt_compile(const char *pattern, uint32_t options)
{
    int rc;
    PCRE2_SIZE off;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, options, &rc, &off, NULL);

    if (re != NULL)
        (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
}

struct strv
bt_subst(struct bt_run *r, const pcre2_code *re, struct strv s, const char *tmpl, bool global)
{
    uint32_t opts = PCRE2_SUBSTITUTE_OVERFLOW_LENGTH | PCRE2_SUBSTITUTE_UNSET_EMPTY |
                    (global ? PCRE2_SUBSTITUTE_GLOBAL : 0);
    PCRE2_SIZE outlen = s.len * 2 + 64;
    char *out = arena_alloc(r->a, outlen);
    int rc = pcre2_substitute(re, (PCRE2_SPTR)s.p, s.len, 0, opts, r->md, NULL, (PCRE2_SPTR)tmpl,
                              PCRE2_ZERO_TERMINATED, (PCRE2_UCHAR *)out, &outlen);

    if (rc == PCRE2_ERROR_NOMEMORY) {
        out = arena_alloc(r->a, outlen);
        rc = pcre2_substitute(re, (PCRE2_SPTR)s.p, s.len, 0, opts, r->md, NULL, (PCRE2_SPTR)tmpl,
                              PCRE2_ZERO_TERMINATED, (PCRE2_UCHAR *)out, &outlen);
    }
    if (rc <= 0) /* no match (or a match limit): unchanged, as a failed s/// */
        return s;
    return strv_make(out, outlen);
}

static inline bool
bt_cont(unsigned char c)
{
    return c >= 0x80 && c <= 0xbf;
}

/* Perl's \w on a byte string */
static inline bool
bt_word(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static inline bool
bt_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

/* \w on a character string (whose characters are all Latin-1 by the time
 * it is asked): the Latin-1 letters too */
static inline bool
bt_wordc(unsigned char c, bool chars)
{
    return bt_word(c) || (chars && (c == 0xaa || c == 0xb5 || c == 0xba ||
                                    (c >= 0xc0 && c != 0xd7 && c != 0xf7)));
}

/* lc: ASCII on a byte string, Latin-1 too on a character string */
static inline unsigned char
bt_lc(unsigned char c, bool chars)
{
    if (bt_upper(c) || (chars && c >= 0xc0 && c <= 0xde && c != 0xd7))
        return (unsigned char)(c + ('a' - 'A'));
    return c;
}

/* ------------------------------------------------------------------------
 * _tokenize_line: the line's rewriting
 */

/* [A-Za-z0-9,@*!_'"$. -] */
static inline bool
bt_keep_ascii(unsigned char c)
{
    return bt_word(c) || (c != '\0' && strchr(",@*!'\"$. -", c) != NULL);
}

/* s{([A-Za-z0-9,@*!_'"$. -]+ | a 2-, 3- or 4-byte UTF-8 sequence |
 * [\xA1-\xFF]) | .}{defined $1 ? $1 : ' '}xsge */
static void
line_clean(struct buf *o, struct strv in)
{
    const unsigned char *s = (const unsigned char *)in.p;
    size_t n = in.len, i = 0;

    buf_reset(o);
    buf_reserve(o, n);
    while (i < n) {
        unsigned char c = s[i];
        size_t k = 0;

        if (c < 0x80)
            k = bt_keep_ascii(c);
        else if (c >= 0xc0 && c <= 0xdf && i + 1 < n && bt_cont(s[i + 1]))
            k = 2;
        else if (c >= 0xe0 && c <= 0xef && i + 2 < n && bt_cont(s[i + 1]) && bt_cont(s[i + 2]))
            k = 3;
        else if (c >= 0xf0 && c <= 0xf4 && i + 3 < n && bt_cont(s[i + 1]) && bt_cont(s[i + 2]) &&
                 bt_cont(s[i + 3]))
            k = 4;
        else if (c >= 0xa1)
            k = 1;
        if (k == 0) {
            o->p[o->len++] = ' ';
            i++;
        } else {
            memcpy(o->p + o->len, s + i, k);
            o->len += k;
            i += k;
        }
    }
    o->p[o->len] = '\0';
}

/* s/(\w)(\.{3,6})(\w)/$1 $2 $3/gs, and s/(\w)(\-{2,6})(\w)/$1 $2 $3/gs */
static void
line_split_runs(struct buf *o, struct strv in, char ch, size_t min, bool chars)
{
    const unsigned char *s = (const unsigned char *)in.p;
    size_t n = in.len, i = 0;

    buf_reset(o);
    while (i < n) {
        size_t d = 0;

        if (bt_wordc(s[i], chars)) {
            while (i + 1 + d < n && s[i + 1 + d] == (unsigned char)ch)
                d++;
        }
        /* the run must end in a word character: all of it (min to 6) */
        if (d >= min && d <= 6 && i + 1 + d < n && bt_wordc(s[i + 1 + d], chars)) {
            buf_putc(o, (char)s[i]);
            buf_putc(o, ' ');
            buf_append(o, s + i + 1, d);
            buf_putc(o, ' ');
            buf_putc(o, (char)s[i + 1 + d]);
            i += d + 2;
        } else {
            buf_putc(o, (char)s[i]);
            i++;
        }
    }
    if (o->p == NULL)
        buf_append(o, "", 0);
}

/* The rest of a title-case match from p: ([A-Z])([^A-Z]+)(?:\s|$), with
 * Perl's backtracking: the longest [^A-Z]+ that a space or the end
 * follows. *r is where $2 ends, *end where the match does. */
static bool
title_tail(const unsigned char *s, size_t n, size_t p, size_t *r, size_t *end)
{
    size_t q = p + 1;

    if (p >= n || !bt_upper(s[p]))
        return false;
    while (q < n && !bt_upper(s[q]))
        q++;
    for (size_t k = q; k >= p + 2; k--) {
        if (k < n && s[k] == ' ') {
            *r = k;
            *end = k + 1;
            return true;
        }
        if (k == n) {
            *r = k;
            *end = k;
            return true;
        }
    }
    return false;
}

/* s/(?:^|\.\s+)([A-Z])([^A-Z]+)(?:\s|$)/ ' '. (lc $1) . $2 . ' ' /ge
 * (IGNORE_TITLE_CASE, body and uri): the line has no white space but
 * spaces by now. */
static void
line_title_case(struct buf *o, struct strv in)
{
    const unsigned char *s = (const unsigned char *)in.p;
    size_t n = in.len, from = 0, st = 0;

    buf_reset(o);
    while (st < n) {
        size_t p = st, r = 0, end = 0;
        bool hit = st == 0 && title_tail(s, n, 0, &r, &end);

        if (!hit && s[st] == '.') {
            p = st + 1;
            while (p < n && s[p] == ' ')
                p++;
            hit = p > st + 1 && title_tail(s, n, p, &r, &end);
        }
        if (!hit) {
            st++;
            continue;
        }
        buf_append(o, s + from, st - from);
        buf_putc(o, ' ');
        buf_putc(o, (char)(s[p] + ('a' - 'A')));
        buf_append(o, s + p + 1, r - p - 1);
        buf_putc(o, ' ');
        from = st = end;
    }
    buf_append(o, s + from, n - from);
}

/* ------------------------------------------------------------------------
 * _tokenize_line: one token
 */

/* The dot suffixes: while ($bit =~ s/^[^\.]+\.(.+)$/$1/gs) { push $1 } */
static void
bt_suffixes(struct bt_list *out, const char *prefix, struct strv bit)
{
    for (;;) {
        const char *dot;

        if (bit.len == 0 || bit.p[0] == '.')
            return;
        dot = memchr(bit.p, '.', bit.len);
        if (dot == NULL || (size_t)(dot - bit.p) + 1 >= bit.len)
            return;
        bit.len -= (size_t)(dot - bit.p) + 1;
        bit.p = dot + 1;
        bt_list_push(out, bt_cat(out->a, prefix, strlen(prefix), bit.p, bit.len));
    }
}

void
bt_mail_addr_tokens(struct bt_list *out, struct strv s)
{
    /* ($addr =~ /(.+)\@(.+)$/): both parts on the last line ($ may stand
     * before a final newline), $1 from its start, the last @ that leaves
     * something after it */
    size_t end = s.len, start, at;
    bool found = false;

    if (end > 0 && s.p[end - 1] == '\n')
        end--;
    start = end;
    while (start > 0 && s.p[start - 1] != '\n')
        start--;
    for (at = end >= 2 ? end - 2 : 0; end >= 2 && at > start; at--) {
        if (s.p[at] == '@') {
            found = true;
            break;
        }
    }
    if (!found)
        return;
    bt_list_push(out, bt_cat(out->a, "U*", 2, s.p + start, at - start));
    bt_list_push(out, bt_cat(out->a, "D*", 2, s.p + at + 1, end - at - 1));
    /* $_ = $2; while (s/^[^\.]+\.(.+)$/$1/gs): with /s the rest runs to the end */
    bt_suffixes(out, "D*", strv_make(s.p + at + 1, end - at - 1));
}

/* The length of one "character" of the sk: rule:
 * [\x00-\x7F\xF5-\xFF] | [\xC0-\xDF][\x80-\xBF] | [\xE0-\xEF][\x80-\xBF]{2}
 * | [\xF0-\xF4][\x80-\xBF]{3} | . */
static size_t
sk_char(const unsigned char *s, size_t n, size_t i)
{
    unsigned char c = s[i];

    if (c <= 0x7f || c >= 0xf5)
        return 1;
    if (c >= 0xc0 && c <= 0xdf && i + 1 < n && bt_cont(s[i + 1]))
        return 2;
    if (c >= 0xe0 && c <= 0xef && i + 2 < n && bt_cont(s[i + 1]) && bt_cont(s[i + 2]))
        return 3;
    if (c >= 0xf0 && c <= 0xf4 && i + 3 < n && bt_cont(s[i + 1]) && bt_cont(s[i + 2]) &&
        bt_cont(s[i + 3]))
        return 4;
    return 1;
}

/* (?>(?:char){7}): where the first way of matching seven characters
 * (each its longest reading first, then a single byte) ends, or -1. */
static long
sk_seven(const unsigned char *s, size_t n, size_t i, int left)
{
    size_t k;
    long r;

    if (left == 0)
        return (long)i;
    if (i >= n)
        return -1;
    k = sk_char(s, n, i);
    if (i + k <= n && (r = sk_seven(s, n, i + k, left - 1)) >= 0)
        return r;
    if (k != 1)
        return sk_seven(s, n, i + 1, left - 1);
    return -1;
}

static bool
has_nonword(const char *p, size_t n, bool chars)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        if (!bt_wordc(c, chars) && c != ':' && c != '*')
            return true;
    }
    return false;
}

/* $decompd =~ s/[^\w:\*]//gs, lower-cased too if lower */
static struct strv
decompose(struct arena *a, const char *prefix, size_t plen, const char *p, size_t n, bool strip,
          bool lower, bool chars)
{
    char *o = arena_alloc(a, plen + n + 1);
    size_t m = plen;

    memcpy(o, prefix, plen);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        if (strip && !bt_wordc(c, chars) && c != ':' && c != '*')
            continue;
        o[m++] = (char)(lower ? bt_lc(c, chars) : c);
    }
    o[m] = '\0';
    return strv_make(o, m);
}

static bool
is_stopword(struct bt_run *r, const char *p, size_t n)
{
    for (size_t i = 0; i < r->bt->nstopwords; i++) {
        if (pcre2_match(r->bt->stopwords[i], (PCRE2_SPTR)p, n, 0, 0, r->md, NULL) >= 0)
            return true;
    }
    return false;
}

static void
bt_token(struct bt_run *r, struct bt_list *out, const char *p, size_t n, const char *prefix,
         enum bayes_region region)
{
    static const char trim[] = "-'\".,";
    size_t plen = strlen(prefix);
    bool body = region == BAYES_REGION_BODY || region == BAYES_REGION_URI;
    char *tok;

    /* line_clean left no NUL, which strchr would find in trim */
    while (n > 0 && strchr(trim, p[0]) != NULL)
        p++, n--;
    while (n > 0 && strchr(trim, p[n - 1]) != NULL)
        n--;
    /* the magic-token prefix (\r\x01\x07\t\x03) cannot survive line_clean */
    if (n < 3 || is_stopword(r, p, n))
        return;
    if (body) {
        const char *at = n > 2 ? memchr(p + 1, '@', n - 2) : NULL;

        if (at != NULL) {
            bt_mail_addr_tokens(out, strv_make(p, n));
        } else {
            bool ud = false;

            for (size_t i = 1; i + 1 < n && !ud; i++)
                ud = p[i] == '.' && ((p[i + 1] | 0x20) >= 'a' && (p[i + 1] | 0x20) <= 'z');
            if (ud) {
                bt_list_push(out, bt_cat(r->a, "UD:", 3, p, n));
                bt_suffixes(out, "UD:", strv_make(p, n));
            }
        }
    }
    if (n > r->bt->max_token_length && memchr(p, '*', n) == NULL) {
        const unsigned char *s = (const unsigned char *)p;
        bool pair = false, any = false;

        for (size_t i = 0; i + 1 < n && !pair; i++)
            pair = bt_cont(s[i]) && bt_cont(s[i + 1]);
        /* Bug 7135: the 3- and 4-byte UTF-8 characters, and nothing else */
        for (size_t i = 0; pair && i < n;) {
            size_t k = 0;

            if (s[i] >= 0xe0 && s[i] <= 0xef && i + 2 < n && bt_cont(s[i + 1]) && bt_cont(s[i + 2]))
                k = 3;
            else if (s[i] >= 0xf0 && s[i] <= 0xf4 && i + 3 < n && bt_cont(s[i + 1]) &&
                     bt_cont(s[i + 2]) && bt_cont(s[i + 3]))
                k = 4;
            if (k == 0) {
                i++;
                continue;
            }
            any = true;
            {
                struct strv t = bt_cat(r->a, prefix, plen, "u8:", 3);

                bt_list_push(out, bt_cat(r->a, t.p, t.len, p + i, k));
            }
            i += k;
        }
        if (any)
            return;
        /* Bug 7141: seven characters, when at least two more bytes follow */
        if (region != BAYES_REGION_URI) {
            long e = sk_seven(s, n, 0, 7);

            if (e >= 0 && n - (size_t)e >= 2) {
                tok = arena_alloc(r->a, (size_t)e + 4);
                memcpy(tok, "sk:", 3);
                memcpy(tok + 3, p, (size_t)e);
                tok[e + 3] = '\0';
                p = tok;
                n = (size_t)e + 3;
            }
        }
    }
    if (body) { /* DECOMPOSE_BODY_TOKENS */
        bool nonword = has_nonword(p, n, r->chars), upper = false;

        for (size_t i = 0; i < n && !upper; i++)
            upper = bt_upper((unsigned char)p[i]);
        if (nonword)
            bt_list_push(out, decompose(r->a, prefix, plen, p, n, true, false, r->chars));
        if (upper) {
            bt_list_push(out, decompose(r->a, prefix, plen, p, n, false, true, r->chars));
            if (nonword)
                bt_list_push(out, decompose(r->a, prefix, plen, p, n, true, true, r->chars));
        }
    }
    bt_list_push(out, bt_cat(r->a, prefix, plen, p, n));
}

/* A character string's UTF-8 as the Latin-1 bytes Perl would hash it
 * as: characters past U+00FF become 0x01, which the line's first step
 * turns into a space as it turns them (false if t is not UTF-8). */
static bool
bt_latin1(struct buf *o, struct strv t)
{
    const unsigned char *s = (const unsigned char *)t.p;

    buf_reset(o);
    buf_reserve(o, t.len);
    for (size_t i = 0; i < t.len;) {
        unsigned char c = s[i];
        size_t k = c < 0x80                 ? 1
                   : c >= 0xc2 && c <= 0xdf ? 2
                   : c >= 0xe0 && c <= 0xef ? 3
                   : c >= 0xf0 && c <= 0xf4 ? 4
                                            : 0;
        uint32_t cp = k == 1 ? c : k == 2 ? c & 0x1f : k == 3 ? c & 0x0f : c & 0x07;

        if (k == 0 || i + k > t.len)
            return false;
        for (size_t j = 1; j < k; j++) {
            if (!bt_cont(s[i + j]))
                return false;
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        o->p[o->len++] = (char)(cp <= 0xff ? cp : 0x01);
        i += k;
    }
    o->p[o->len] = '\0';
    return true;
}

static void
bt_line(struct bt_run *r, struct bt_list *out, struct strv line, const char *prefix,
        enum bayes_region region, bool chars)
{
    struct buf *cur;
    size_t i = 0, n;

    r->chars = false;
    if (chars && bt_latin1(&r->w2, line)) {
        line = strv_make(r->w2.p, r->w2.len);
        r->chars = true;
    }
    line_clean(&r->w1, line);
    line_split_runs(&r->w2, strv_make(r->w1.p, r->w1.len), '.', 3, r->chars);
    line_split_runs(&r->w1, strv_make(r->w2.p, r->w2.len), '-', 2, r->chars);
    cur = &r->w1;
    if (region == BAYES_REGION_BODY || region == BAYES_REGION_URI) {
        line_title_case(&r->w2, strv_make(r->w1.p, r->w1.len));
        cur = &r->w2;
    }
    n = cur->len;
    while (i < n) {
        size_t j;

        while (i < n && cur->p[i] == ' ')
            i++;
        j = i;
        while (j < n && cur->p[j] != ' ')
            j++;
        if (j > i)
            bt_token(r, out, cur->p + i, j - i, prefix, region);
        i = j;
    }
}

/* ------------------------------------------------------------------------
 * the prepared tokenizer
 */

void
bt_run_init(struct bt_run *r, const struct bayes_tok *bt, struct arena *a)
{
    r->bt = bt;
    r->a = a;
    r->md = pcre2_match_data_create(16, NULL);
    if (r->md == NULL)
        xalloc_die(sizeof(PCRE2_SIZE) * 32);
    buf_init(&r->w1);
    buf_init(&r->w2);
}

void
bt_run_clear(struct bt_run *r)
{
    pcre2_match_data_free(r->md);
    r->md = NULL;
    buf_clear(&r->w1);
    buf_clear(&r->w2);
}

void
bayes_tok_cfg_init(struct bayes_tok_cfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->sources = BAYES_SRC_DEFAULT;
    cfg->max_token_length = 15;
}

static void
bt_free_code(void *p)
{
    pcre2_code_free(p);
}

static void
bt_free_md(void *p)
{
    EVP_MD_free(p);
}

struct bayes_tok *
bayes_tok_new(const struct bayes_tok_cfg *cfg, struct sift_err *err)
{
    struct arena *a = arena_new(4096);
    struct bayes_tok *bt = arena_calloc(a, 1, sizeof(*bt));

    bt->arena = a;
    bt->sources = cfg->sources;
    bt->max_token_length = cfg->max_token_length;
    strset_init(&bt->ignore, a);
    for (size_t i = 0; i < cfg->nignore_headers; i++) {
        size_t n = strlen(cfg->ignore_headers[i]);
        char *lc = arena_strndup(a, cfg->ignore_headers[i], n);

        for (size_t k = 0; k < n; k++)
            lc[k] = (char)(bt_upper((unsigned char)lc[k]) ? lc[k] + ('a' - 'A') : lc[k]);
        strset_add(&bt->ignore, strv_make(lc, n));
    }
    bt->stopwords = arena_calloc(a, cfg->nstopwords + 1, sizeof(*bt->stopwords));
    for (size_t i = 0; i < cfg->nstopwords; i++) {
        int rc;
        PCRE2_SIZE off;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)cfg->stopwords[i].pattern, PCRE2_ZERO_TERMINATED,
                                       cfg->stopwords[i].options, &rc, &off, NULL);

        if (re == NULL) {
            PCRE2_UCHAR msg[256];

            pcre2_get_error_message(rc, msg, sizeof(msg));
            sift_err_set(err, "bayes stop words: %s at offset %zu", (const char *)msg, (size_t)off);
            arena_free(&a);
            return NULL;
        }
        (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
        arena_on_free(a, bt_free_code, re);
        bt->stopwords[bt->nstopwords++] = re;
    }
    if ((bt->sha1 = EVP_MD_fetch(NULL, "SHA1", NULL)) == NULL) {
        sift_err_set(err, "bayes: OpenSSL has no SHA-1");
        arena_free(&a);
        return NULL;
    }
    arena_on_free(a, bt_free_md, bt->sha1);
    if (bt_hdr_prepare(bt) == -1) {
        sift_err_set(err, "bayes: a built-in header pattern does not compile");
        arena_free(&a);
        return NULL;
    }
    return bt;
}

void
bayes_tok_free(struct bayes_tok **btp)
{
    struct arena *a;

    if (*btp == NULL)
        return;
    a = (*btp)->arena;
    arena_free(&a);
    *btp = NULL;
}

/* ------------------------------------------------------------------------
 * keys and the message
 */

void
bayes_token_key(const char *p, size_t len, uint8_t key[BAYES_KEY_LEN])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    EVP_Digest(p, len, md, &mdlen, EVP_sha1(), NULL);
    memcpy(key, md + 20 - BAYES_KEY_LEN, BAYES_KEY_LEN);
}

size_t
bayes_tok_line(const struct bayes_tok *bt, struct arena *a, struct strv line, const char *prefix,
               enum bayes_region region, struct strv **out)
{
    struct bt_run r;
    struct bt_list l = { a, NULL, 0, 0 };

    bt_run_init(&r, bt, a);
    bt_line(&r, &l, line, prefix, region, false);
    bt_run_clear(&r);
    *out = l.v;
    return l.n;
}

size_t
bayes_tok_headers(const struct bayes_tok *bt, struct mime_msg *m, unsigned flags, struct arena *a,
                  struct bayes_tok_header **out)
{
    struct bt_run r;
    size_t n;

    bt_run_init(&r, bt, a);
    n = bt_headers(&r, m, flags, out);
    bt_run_clear(&r);
    return n;
}

/* tokenize's sources, each up to its limit */
static void
bt_view(struct bt_run *r, struct bt_list *out, const struct mime_view *v, const char *prefix,
        size_t max)
{
    for (size_t i = 0; i < v->n; i++) {
        bt_line(r, out, v->lines[i], prefix, BAYES_REGION_BODY, false);
        if (out->n >= max)
            break;
    }
}

/* MIME:<sha1_hex(decoded)>:<type> of every leaf (find_parts(qr/^/, 1, 1)) */
static void
bt_mimeparts(struct bt_run *r, struct mime_msg *m, struct bt_list *out)
{
    static const struct {
        const char *digest_type, *name;
    } shorthand[] = {
        { "da39a3ee5e6b4b0d3255bfef95601890afd80709:text/plain", "Empty-Plaintext" },
        { "da39a3ee5e6b4b0d3255bfef95601890afd80709:text/html", "Empty-HTML" },
        { "da39a3ee5e6b4b0d3255bfef95601890afd80709:text/xml", "Empty-XML" },
        { "adc83b19e793491b1c6ea0fd8b46cd9f32e592fc:text/plain", "OneNL-Plaintext" },
        { "adc83b19e793491b1c6ea0fd8b46cd9f32e592fc:text/html", "OneNL-HTML" },
        { "71853c6197a6a7f222db0f1978c7cb232b87c5ee:text/plain", "TwoNL-Plaintext" },
        { "71853c6197a6a7f222db0f1978c7cb232b87c5ee:text/html", "TwoNL-HTML" },
    };
    struct mime_part *stack[64];
    size_t depth = 0;

    if (m->root == NULL)
        return;
    stack[depth++] = m->root;
    while (depth > 0) {
        struct mime_part *p = stack[--depth];

        if (p->has_body_parts) {
            /* children in order: push them reversed */
            size_t nkids = 0, at;

            for (struct mime_part *c = p->first; c != NULL; c = c->next)
                nkids++;
            if (depth + nkids > sizeof(stack) / sizeof(stack[0]))
                continue; /* deeper than the mime limits let a tree be */
            at = depth + nkids;
            for (struct mime_part *c = p->first; c != NULL; c = c->next)
                stack[--at] = c;
            depth += nkids;
            continue;
        }
        {
            struct strv d = mime_part_decoded(m, p);
            unsigned char md[EVP_MAX_MD_SIZE];
            unsigned int mdlen = 0;
            char hex[41];
            const char *s;

            EVP_Digest(d.p, d.len, md, &mdlen, EVP_sha1(), NULL);
            for (unsigned i = 0; i < 20; i++) {
                hex[2 * i] = "0123456789abcdef"[md[i] >> 4];
                hex[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
            }
            hex[40] = '\0';
            s = arena_printf(r->a, "%s:%s", hex, p->type ? p->type : "");
            for (size_t k = 0; k < sizeof(shorthand) / sizeof(shorthand[0]); k++) {
                if (strcmp(s, shorthand[k].digest_type) == 0) {
                    s = shorthand[k].name;
                    break;
                }
            }
            bt_list_push(out, strv_cstr(arena_printf(r->a, "MIME:%s", s)));
        }
    }
}

static bool
bt_high(struct strv s)
{
    for (size_t i = 0; i < s.len; i++) {
        if ((unsigned char)s.p[i] >= 0x80)
            return true;
    }
    return false;
}

static uint64_t
bt_key64(const uint8_t k[BAYES_KEY_LEN])
{
    uint64_t v = 0;

    for (int i = 0; i < BAYES_KEY_LEN; i++)
        v = v << 8 | k[i];
    return v;
}

/* Each key once (SA's %tokens), in first-made order. */
static void
bt_unique(const struct bayes_tok *bt, struct arena *a, struct bt_list *const *lists, size_t nlists,
          struct bayes_tokens *out)
{
    size_t total = 0, nslots = 16;
    size_t *slots;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const EVP_MD *sha1 = bt->sha1;

    if (ctx == NULL)
        xalloc_die(64);
    for (size_t i = 0; i < nlists; i++)
        total += lists[i]->n;
    while (nslots < total * 2)
        nslots *= 2;
    slots = arena_calloc(a, nslots, sizeof(*slots));
    out->v = arena_alloc(a, (total + 1) * sizeof(*out->v));
    out->n = 0;
    for (size_t i = 0; i < nlists; i++) {
        for (size_t k = 0; k < lists[i]->n; k++) {
            struct strv t = lists[i]->v[k];
            unsigned char md[EVP_MAX_MD_SIZE];
            unsigned int mdlen = 0;
            struct bayes_token *tok = &out->v[out->n];
            uint64_t h;
            size_t s;

            if (t.len == 0)
                continue;
            EVP_DigestInit_ex(ctx, sha1, NULL);
            EVP_DigestUpdate(ctx, t.p, t.len);
            EVP_DigestFinal_ex(ctx, md, &mdlen);
            memcpy(tok->key, md + 20 - BAYES_KEY_LEN, BAYES_KEY_LEN);
            h = bt_key64(tok->key);
            for (s = (size_t)(h * 0x9e3779b97f4a7c15ull >> 20) & (nslots - 1); slots[s] != 0;
                 s = (s + 1) & (nslots - 1)) {
                if (bt_key64(out->v[slots[s] - 1].key) == h)
                    break;
            }
            if (slots[s] != 0)
                continue;
            tok->text = t;
            slots[s] = ++out->n;
        }
    }
    EVP_MD_CTX_free(ctx);
}

void
bayes_tokenize(const struct bayes_tok *bt, struct mime_msg *m, unsigned flags, struct arena *a,
               struct bayes_tokens *out)
{
    struct bt_run r;
    struct bt_list body = { a, NULL, 0, 0 }, uri = body, inviz = body, mime = body, hdr = body;
    struct bt_list *const lists[] = { &body, &uri, &inviz, &mime, &hdr };

    bt_run_init(&r, bt, a);
    if (bt->sources & BAYES_SRC_VISIBLE)
        bt_view(&r, &body, mime_view_visible(m), "", BT_MAX_BODY);
    if (bt->sources & BAYES_SRC_URI) {
        const struct mime_uris *u = mime_msg_uris(m);
        struct strset html;

        /* The URIs of HTML parts are character strings in SA (HTML::Parser
         * decodes to characters), the others byte strings: the non-ASCII
         * ones tokenize differently */
        strset_init(&html, a);
        for (size_t i = 0; i < u->n; i++) {
            for (size_t k = 0; u->v[i].html_types != 0 && k < u->v[i].ncleaned; k++) {
                if (bt_high(u->v[i].cleaned[k]))
                    strset_add(&html, u->v[i].cleaned[k]);
            }
        }
        for (size_t i = 0; i < u->nlist; i++) {
            bool chars = html.n > 0 && bt_high(u->list[i]) && strset_has(&html, u->list[i]);

            bt_line(&r, &uri, u->list[i], "", BAYES_REGION_URI, chars);
            if (uri.n >= BT_MAX_URI)
                break;
        }
    }
    if (bt->sources & BAYES_SRC_INVISIBLE)
        bt_view(&r, &inviz, mime_view_invisible(m), "I*:", BT_MAX_INVIZ);
    if (bt->sources & BAYES_SRC_MIMEPART)
        bt_mimeparts(&r, m, &mime);
    if (bt->sources & BAYES_SRC_HEADER) {
        struct bayes_tok_header *h;
        size_t nh = bt_headers(&r, m, flags, &h);

        for (size_t i = 0; i < nh; i++) {
            char *prefix = arena_alloc(a, h[i].name.len + 3);

            prefix[0] = 'H';
            memcpy(prefix + 1, h[i].name.p, h[i].name.len);
            prefix[h[i].name.len + 1] = ':';
            prefix[h[i].name.len + 2] = '\0';
            bt_line(&r, &hdr, h[i].value, prefix, BAYES_REGION_HEADER, false);
            if (hdr.n >= BT_MAX_HEADER)
                break;
        }
    }
    bt_unique(bt, a, lists, sizeof(lists) / sizeof(lists[0]), out);
    bt_run_clear(&r);
}
