/*
 * sa_eval_util.c - helpers shared by compat/'s SpamAssassin eval functions
 * (see sa_eval_util.h).
 */
#include "sa_eval_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/sa_conf.h"
#include "mime/mime_hdr.h"
#include "mime/mime_uni.h"

const char *
sa_eval_arg(const struct scan_rule *r, size_t i)
{
    if (r == NULL || i >= r->nargs)
        return NULL;
    if (r->args[i].kind == SCAN_ARG_UNDEF || r->args[i].s == NULL)
        return "undef"; /* pack_eval_args keeps a bare word as a string */
    return r->args[i].s;
}

static bool
num_ci_prefix(const char *s, const char *word)
{
    size_t n = strlen(word);

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\0' || (s[i] | 0x20) != word[i])
            return false;
    }
    return true;
}

double
sa_eval_perl_num(const char *s)
{
    const char *p, *d;
    bool neg = false;
    size_t nd = 0;

    if (s == NULL)
        return 0;
    while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        s++;
    p = s;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (num_ci_prefix(p, "inf"))
        return neg ? -INFINITY : INFINITY;
    if (num_ci_prefix(p, "nan"))
        return NAN;
    /* a decimal number only: strtod would also read "0x1f", Perl does not */
    d = p;
    while (*d >= '0' && *d <= '9')
        d++, nd++;
    if (*d == '.') {
        d++;
        while (*d >= '0' && *d <= '9')
            d++, nd++;
    }
    if (nd == 0)
        return 0;
    if (*d == 'e' || *d == 'E') {
        const char *e = d + 1;

        if (*e == '+' || *e == '-')
            e++;
        if (*e >= '0' && *e <= '9') {
            while (*e >= '0' && *e <= '9')
                e++;
            d = e;
        }
    }
    {
        size_t n = (size_t)(d - s);
        char tmp[64];

        if (n >= sizeof(tmp))
            n = sizeof(tmp) - 1;
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        return strtod(tmp, NULL);
    }
}

double
sa_eval_argnum(const struct scan_rule *r, size_t i)
{
    return sa_eval_perl_num(sa_eval_arg(r, i));
}

bool
sa_eval_perl_true(const char *s, size_t len)
{
    return s != NULL && len > 0 && !(len == 1 && s[0] == '0');
}

struct mime_view
sa_eval_text(struct scan_eval_ctx *ec)
{
    struct mime_view v = { NULL, 0 };

    switch (ec->rule != NULL ? ec->rule->target : SCAN_T_BODY) {
    case SCAN_T_BODY:
        return *mime_view_body(ec->msg);
    case SCAN_T_RAWBODY:
        return *mime_view_rawbody(ec->msg);
    case SCAN_T_FULL:
        v.lines = arena_alloc(ec->msg->arena, sizeof(*v.lines));
        v.lines[0] = ec->msg->pristine;
        v.n = 1;
        return v;
    default:
        return v;
    }
}

size_t
sa_eval_html_all(struct mime_msg *m, struct sa_html **out)
{
    struct mime_part **leaves;
    size_t n = mime_msg_parts(m, true, &leaves), k = 0;
    struct sa_html *v = arena_calloc(m->arena, n ? n : 1, sizeof(*v));

    /* Message::get_rendered_body_text_array: every leaf rendered as
     * text/html, in order, empty ones included (without results) */
    for (size_t i = 0; i < n; i++) {
        struct strv text;
        const char *type = mime_part_rendered(m, leaves[i], &text);

        if (type == NULL || strcmp(type, "text/html") != 0)
            continue;
        v[k].r = leaves[i]->html;
        v[k].part = leaves[i];
        v[k].flagged = leaves[i]->rendered_flagged;
        k++;
    }
    *out = v;
    return k;
}

bool
sa_eval_html_ended(const struct mime_html_result *r)
{
    /* html_end sets length to the characters parsed, never 0 for the
     * non-empty text SA parses */
    return r != NULL && r->length > 0;
}

int
sa_eval_html_inside(const struct mime_html_result *r, const char *tag)
{
    if (r == NULL)
        return -1;
    for (size_t i = 0; i < r->ninside; i++) {
        if (strv_eq(r->inside[i].tag, tag))
            return r->inside[i].count;
    }
    return -1;
}

/* ------------------------------------------------------------------------
 * configuration and locales
 */

const char *
sa_eval_conf(const struct scan_eval_ctx *ec, const char *directive, const char *def)
{
    if (ec == NULL || ec->data == NULL)
        return def;
    return sa_conf_value(ec->data, directive, def);
}

/* Util::get_my_locales(ok_locales) with the environment's locale lang:
 * calls fn on each until it returns true. */
static bool
each_locale(const char *ok, const char *lang, bool (*fn)(void *arg, struct strv loc), void *arg)
{
    const char *s = ok != NULL ? ok : "";

    /* split(/\s+/); an empty leading field can match nothing */
    for (;;) {
        const char *e;

        while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
            s++;
        if (*s == '\0')
            break;
        for (e = s; *e != '\0' && !(*e == ' ' || (*e >= '\t' && *e <= '\r')); e++)
            ;
        if (fn(arg, strv_make(s, (size_t)(e - s))))
            return true;
        s = e;
    }
    return lang != NULL && fn(arg, strv_cstr(lang));
}

const char *
sa_eval_env_lang(void)
{
    static const char *const envs[] = { "LC_ALL", "LANGUAGE", "LC_MESSAGES", "LANG" };
    const char *lang = NULL;

    /* $lang = $ENV{LC_ALL}; $lang ||= $ENV{LANGUAGE}; ... */
    for (size_t i = 0; i < sizeof(envs) / sizeof(envs[0]); i++) {
        lang = getenv(envs[i]);
        if (lang != NULL && *lang != '\0' && strcmp(lang, "0") != 0)
            break;
    }
    return lang;
}

static bool
locale_is_all(void *arg, struct strv loc)
{
    (void)arg;
    return strv_eq(loc, "all");
}

bool
sa_eval_locales_have_all(const char *ok_locales, const char *lang)
{
    return each_locale(ok_locales, lang, locale_is_all, NULL);
}

bool
sa_eval_locales_all(const struct scan_eval_ctx *ec)
{
    return sa_eval_locales_have_all(sa_eval_conf(ec, "ok_locales", "all"), sa_eval_env_lang());
}

/* Locales.pm's %charsets_for_locale (the keys its s/^([a-z][a-z]).*$/$1/
 * can reach) */
static const struct {
    const char *locale, *charsets;
} locale_charsets[] = {
    { "ja", " EUCJP JISX020119760 JISX020819830 JISX020819900 JISX020819970 JISX021219900 "
            "JISX021320001 JISX021320002 SHIFT_JIS SHIFTJIS ISO2022JP SJIS JIS7 JISX0201 "
            "JISX0208 JISX0212 " },
    { "ko", " EUCKR KSC56011987 " },
    { "ru", " KOI8R KOI8U KOI8T ISOIR111 CP1251 GEORGIANPS CP1251 PT154 CP866 " },
    { "ka", " KOI8R KOI8U KOI8T ISOIR111 CP1251 GEORGIANPS CP1251 PT154 CP866 " },
    { "tg", " KOI8R KOI8U KOI8T ISOIR111 CP1251 GEORGIANPS CP1251 PT154 CP866 " },
    { "be", " KOI8R KOI8U KOI8T ISOIR111 CP1251 GEORGIANPS CP1251 PT154 CP866 " },
    { "uk", " KOI8R KOI8U KOI8T ISOIR111 CP1251 GEORGIANPS CP1251 PT154 CP866 " },
    { "bg", " KOI8R KOI8U KOI8T ISOIR111 CP1251 GEORGIANPS CP1251 PT154 CP866 " },
    { "th", " TIS620 " },
    { "zh", " GB1988 GB2312 GB231219800 GB18030 GBK BIG5HKSCS BIG5 EUCTW ISO2022CN " },
};

struct cs_check {
    const char *cs; /* normalised: upper case letters and digits */
};

static bool
locale_accepts(void *arg, struct strv loc)
{
    const struct cs_check *c = arg;
    char key[3];
    char word[256];

    if (loc.len == 1 && loc.p[0] == 'C')
        loc = STRV_LIT("en");
    /* s/^([a-z][a-z]).*$/$1/ ('.' stops at a newline) */
    if (loc.len >= 2 && loc.p[0] >= 'a' && loc.p[0] <= 'z' && loc.p[1] >= 'a' && loc.p[1] <= 'z' &&
        memchr(loc.p, '\n', loc.len) == NULL)
        loc.len = 2;
    if (loc.len != 2)
        return false;
    key[0] = loc.p[0];
    key[1] = loc.p[1];
    key[2] = '\0';
    if (strlen(c->cs) + 3 > sizeof(word))
        return false;
    snprintf(word, sizeof(word), " %s ", c->cs);
    for (size_t i = 0; i < sizeof(locale_charsets) / sizeof(locale_charsets[0]); i++) {
        if (strcmp(locale_charsets[i].locale, key) == 0)
            return strstr(locale_charsets[i].charsets, word) != NULL;
    }
    return false;
}

static bool
cs_prefix(const char *cs, const char *pre)
{
    return strncmp(cs, pre, strlen(pre)) == 0;
}

bool
sa_eval_charset_ok_for(const char *ok_locales, const char *lang, struct strv cs)
{
    char *n = malloc(cs.len + 1);
    struct cs_check c;
    size_t k = 0;
    bool ok;

    /* uc, s/[^A-Z0-9]//g, s/^3D//g (QP damage); s/:.*$// finds no ':' left */
    for (size_t i = 0; i < cs.len; i++) {
        char ch = cs.p[i];

        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 32);
        if ((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
            n[k++] = ch;
    }
    n[k] = '\0';
    if (k >= 2 && n[0] == '3' && n[1] == 'D')
        memmove(n, n + 2, k - 1);
    ok = strcmp(n, "USASCII") == 0 || strcmp(n, "ASCII") == 0 || cs_prefix(n, "ISO8859") ||
         cs_prefix(n, "ISO10646") || cs_prefix(n, "UTF") || cs_prefix(n, "UCS") ||
         cs_prefix(n, "CP125") || cs_prefix(n, "WINDOWS") || strcmp(n, "IBM852") == 0 ||
         cs_prefix(n, "UNICODE11UTF7") || cs_prefix(n, "UNICODE11UTF8") ||
         strcmp(n, "XUNKNOWN") == 0 || strcmp(n, "ISO") == 0;
    if (!ok) {
        c.cs = n;
        ok = each_locale(ok_locales, lang, locale_accepts, &c);
    }
    free(n);
    return ok;
}

bool
sa_eval_charset_ok(const struct scan_eval_ctx *ec, struct strv cs)
{
    return sa_eval_charset_ok_for(sa_eval_conf(ec, "ok_locales", "all"), sa_eval_env_lang(), cs);
}

/* ------------------------------------------------------------------------
 * characters
 */

uint32_t
sa_eval_utf8_next(const char *p, size_t len, size_t *i)
{
    return mime_uni_next(p, len, i);
}

size_t
sa_eval_utf8_count(const char *p, size_t len)
{
    return mime_uni_count(p, len);
}

bool
sa_eval_is_space(uint32_t c, bool uni)
{
    return mime_uni_is_space(c, uni);
}

bool
sa_eval_is_word(uint32_t c, bool uni)
{
    return mime_uni_is_word(c, uni);
}

/* ------------------------------------------------------------------------
 * patterns
 */

static void
re_release(void *p)
{
    pcre2_code_free(p);
}

pcre2_code *
sa_eval_re_compile(struct arena *a, const char *pat, uint32_t opts, struct sift_err *err)
{
    pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
    pcre2_code *re;
    int code;
    PCRE2_SIZE off;

    pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
    if (opts & PCRE2_UTF)
        opts |= PCRE2_MATCH_INVALID_UTF;
    re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, opts, &code, &off, cc);
    pcre2_compile_context_free(cc);
    if (re == NULL) {
        PCRE2_UCHAR msg[160];

        pcre2_get_error_message(code, msg, sizeof(msg));
        sift_err_set(err, "regex '%s' at %zu: %s", pat, (size_t)off, (const char *)msg);
        return NULL;
    }
    arena_on_free(a, re_release, re);
    return re;
}

bool
sa_eval_re_search(const pcre2_code *re, struct strv s, size_t off, size_t *ov, size_t nov)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int rc = pcre2_match(re, (PCRE2_SPTR)(s.p ? s.p : ""), s.len, off, 0, md, NULL);

    if (rc > 0 && ov != NULL) {
        PCRE2_SIZE *v = pcre2_get_ovector_pointer(md);
        uint32_t have = pcre2_get_ovector_count(md);

        for (size_t i = 0; i < 2 * nov; i++)
            ov[i] = i < 2 * (size_t)have && i < 2 * (size_t)rc ? v[i] : PCRE2_UNSET;
    }
    pcre2_match_data_free(md);
    return rc > 0;
}

/* ------------------------------------------------------------------------
 * strings and headers
 */

struct strv
sa_eval_lc(struct arena *a, struct strv v)
{
    char *p = arena_alloc(a, v.len + 1);

    for (size_t i = 0; i < v.len; i++)
        p[i] = v.p[i] >= 'A' && v.p[i] <= 'Z' ? (char)(v.p[i] + 32) : v.p[i];
    p[v.len] = '\0';
    return strv_make(p, v.len);
}

bool
sa_eval_contains(struct strv v, const char *s)
{
    size_t n = strlen(s);

    return n <= v.len && (n == 0 || memmem(v.p, v.len, s, n) != NULL);
}

bool
sa_eval_prefix(struct strv v, const char *s)
{
    size_t n = strlen(s);

    return v.len >= n && memcmp(v.p, s, n) == 0;
}

struct strv
sa_eval_part_header(const struct mime_part *p, const char *name, bool *present)
{
    const struct mime_header *f = mime_hdr_last(&p->hdrs, strv_cstr(name));

    if (present != NULL)
        *present = f != NULL;
    return f != NULL ? f->value : STRV_LIT("");
}

struct strv
sa_eval_part_header_lc(struct arena *a, const struct mime_part *p, const char *name)
{
    return sa_eval_lc(a, sa_eval_part_header(p, name, NULL));
}

bool
sa_eval_raw_line(struct strv raw, size_t *off, struct strv *l)
{
    const char *nl;

    if (*off >= raw.len)
        return false;
    nl = memchr(raw.p + *off, '\n', raw.len - *off);
    l->p = raw.p + *off;
    l->len = nl ? (size_t)(nl - l->p) + 1 : raw.len - *off;
    *off += l->len;
    return true;
}
