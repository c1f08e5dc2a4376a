/*
 * sa_eval_body.c - SpamAssassin 4.0.1's Plugin::BodyEval and TextCat's
 * check_body_8bits.
 * Rendered text is read as Perl holds it: characters when the part was
 * charset-decoded (Unicode \s and \w), else one character per Latin-1
 * byte (ASCII classes); the body and rawbody arrays are octets.
 * What BodyEval caches in $pms is computed again on each call.
 */
#include "sa_eval_body.h"

#include <stdlib.h>
#include <string.h>

#include "sa_eval_util.h"

/* ------------------------------------------------------------------------
 * multipart_alternative_difference
 */

/* A multiset of words: filled, then sorted into distinct words and counts. */
struct bag {
    struct strv *w;
    size_t n, cap;
    size_t *count; /* after bag_sort: count[i] of w[i], n distinct */
};

static void
bag_add(struct arena *a, struct bag *b, struct strv w)
{
    if (b->n == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 64;

        b->w = arena_realloc(a, b->w, b->cap * sizeof(*b->w), ncap * sizeof(*b->w));
        b->cap = ncap;
    }
    b->w[b->n++] = w;
}

static int
strv_cmp(const void *x, const void *y)
{
    const struct strv *a = x, *b = y;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->p, b->p, n) : 0;

    return c != 0 ? c : (a->len > b->len) - (a->len < b->len);
}

static void
bag_sort(struct arena *a, struct bag *b)
{
    size_t k = 0;

    b->count = arena_calloc(a, b->n ? b->n : 1, sizeof(*b->count));
    if (b->n > 1)
        qsort(b->w, b->n, sizeof(*b->w), strv_cmp);
    for (size_t i = 0; i < b->n; i++) {
        if (k > 0 && strv_equal(b->w[k - 1], b->w[i])) {
            b->count[k - 1]++;
            continue;
        }
        b->w[k] = b->w[i];
        b->count[k++] = 1;
    }
    b->n = k;
}

static size_t
bag_count(const struct bag *b, struct strv w)
{
    size_t lo = 0, hi = b->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strv_cmp(&b->w[mid], &w);

        if (c == 0)
            return b->count[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* grep(/\w/, split(/\s+/, $text)) into b */
static void
bag_words(struct arena *a, struct bag *b, struct strv text, bool uni)
{
    size_t i = 0;

    while (i < text.len) {
        size_t start, next;
        bool word = false;

        for (;;) { /* the blanks */
            next = i;
            if (i >= text.len || !sa_eval_is_space(sa_eval_utf8_next(text.p, text.len, &next), uni))
                break;
            i = next;
        }
        start = i;
        while (i < text.len) {
            uint32_t c;

            next = i;
            c = sa_eval_utf8_next(text.p, text.len, &next);
            if (sa_eval_is_space(c, uni))
                break;
            word = word || sa_eval_is_word(c, uni);
            i = next;
        }
        if (i > start && word)
            bag_add(a, b, strv_make(text.p + start, i - start));
    }
}

/* ^multipart/alternative\b, ^text\b */
static bool
type_is(const char *type, const char *want)
{
    size_t n = strlen(want);
    char c;

    if (strncmp(type, want, n) != 0)
        return false;
    c = type[n];
    return !((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_');
}

/* Exchange meeting requests: content_summary() is exactly
 * (multipart/alternative, text/html, text/calendar) */
static bool
is_meeting_request(const struct mime_msg *m)
{
    const struct mime_part *r = m->root, *a, *b;

    if (!r->has_body_parts || strcmp(r->type, "multipart/alternative") != 0)
        return false;
    a = r->first;
    b = a ? a->next : NULL;
    return a != NULL && b != NULL && b->next == NULL && strcmp(a->type, "text/html") == 0 &&
           a->first == NULL && strcmp(b->type, "text/calendar") == 0 && b->first == NULL;
}

/* Depth-first, as find_parts: every node under p (p included). */
static size_t
subtree(struct arena *a, struct mime_part *p, struct mime_part ***out)
{
    size_t n = 0, cap = 16, top = 0, scap = 16;
    struct mime_part **v = arena_alloc(a, cap * sizeof(*v));
    struct mime_part **stack = arena_alloc(a, scap * sizeof(*stack));

    stack[top++] = p;
    while (top > 0) {
        struct mime_part *q = stack[--top];
        size_t nkids = 0;

        if (n == cap) {
            v = arena_realloc(a, v, cap * sizeof(*v), 2 * cap * sizeof(*v));
            cap *= 2;
        }
        v[n++] = q;
        for (struct mime_part *c = q->first; c != NULL; c = c->next)
            nkids++;
        while (top + nkids > scap) {
            stack = arena_realloc(a, stack, scap * sizeof(*stack), 2 * scap * sizeof(*stack));
            scap *= 2;
        }
        /* push in reverse so the first child comes out first */
        {
            size_t k = top + nkids;

            for (struct mime_part *c = q->first; c != NULL; c = c->next)
                stack[--k] = c;
            top += nkids;
        }
    }
    *out = v;
    return n;
}

struct madiff {
    double diff, html, text;
};

static void
madiff_compute(struct scan_eval_ctx *ec, struct madiff *d)
{
    struct mime_msg *m = ec->msg;
    struct arena *a = m->arena;
    struct mime_part **parts;
    size_t n = mime_msg_parts(m, false, &parts);
    bool any = false;

    memset(d, 0, sizeof(*d));
    for (size_t i = 0; i < n && !any; i++)
        any = type_is(parts[i]->type, "multipart/alternative");
    if (!any || is_meeting_request(m))
        return;
    for (size_t i = 0; i < n; i++) {
        struct bag html = { 0 }, text = { 0 };
        struct mime_part **sub;
        size_t ns, orig, left;

        if (!type_is(parts[i]->type, "multipart/alternative"))
            continue;
        ns = subtree(a, parts[i], &sub);
        for (size_t k = 0; k < ns; k++) {
            struct mime_part *p = sub[k];
            struct strv rnd;
            const char *type;

            if (!type_is(p->type, "text") || (type = mime_part_rendered(m, p, &rnd)) == NULL)
                continue;
            if (strcmp(type, "text/html") == 0) {
                bag_words(a, &html, rnd, p->rendered_flagged);
                /* no words so far: "\n" marks an image */
                if (html.n == 0 && sa_eval_html_inside(p->html, "img") >= 0)
                    bag_add(a, &html, STRV_LIT("\n"));
            } else {
                bag_words(a, &text, rnd, p->rendered_flagged);
            }
        }
        bag_sort(a, &html);
        bag_sort(a, &text);
        orig = html.n;
        if (orig == 0)
            continue;
        d->html = (double)orig;
        d->text = (double)text.n;
        /* drop the HTML words the text has at least as often */
        left = 0;
        for (size_t k = 0; k < html.n; k++) {
            size_t t = bag_count(&text, html.w[k]);

            if (!(t > 0 && (double)html.count[k] - (double)t < 1))
                left++;
        }
        if ((double)left / (double)orig * 100 > d->diff)
            d->diff = (double)left / (double)orig * 100;
    }
}

static double
multipart_alternative_difference(struct scan_eval_ctx *ec)
{
    const char *maxs = sa_eval_arg(ec->rule, 1);
    double min = sa_eval_argnum(ec->rule, 0), max = sa_eval_perl_num(maxs);
    struct madiff d;

    madiff_compute(ec, &d);
    return (min == 0 || d.diff > min) &&
           ((maxs != NULL && strcmp(maxs, "undef") == 0) || d.diff <= max);
}

static double
multipart_alternative_difference_count(struct scan_eval_ctx *ec)
{
    double ratio = sa_eval_argnum(ec->rule, 0), minhtml = sa_eval_argnum(ec->rule, 1);
    struct madiff d;

    madiff_compute(ec, &d);
    if (!(d.html > minhtml))
        return 0;
    return d.text / d.html > ratio;
}

/* ------------------------------------------------------------------------
 * the other BodyEval functions
 */

static bool
is_sp(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static double
check_blank_line_ratio(struct scan_eval_ctx *ec)
{
    double min = sa_eval_argnum(ec->rule, 0), max = sa_eval_argnum(ec->rule, 1);
    double minlines = sa_eval_argnum(ec->rule, 2), ratio;
    const struct mime_view *raw = mime_view_rawbody(ec->msg);
    size_t blank = 0, nlines = 0;

    if (sa_eval_arg(ec->rule, 2) == NULL || minlines < 1)
        minlines = 1;
    /* split(/^/m, $chunk, -1) over the rawbody array, whatever the target */
    for (size_t i = 0; i < raw->n; i++) {
        struct strv c = raw->lines[i];
        size_t s = 0;

        while (s < c.len) {
            const char *nl = memchr(c.p + s, '\n', c.len - s);
            size_t e = nl ? (size_t)(nl - c.p) + 1 : c.len;
            bool nonblank = false;

            for (size_t k = s; k < e && !nonblank; k++)
                nonblank = !is_sp((unsigned char)c.p[k]);
            nlines++;
            blank += !nonblank;
            s = e;
        }
    }
    ratio = (double)nlines < minlines ? -1 : 100.0 * (double)blank / (double)nlines;
    return (min == 0 && ratio <= max) || (ratio > min && ratio <= max);
}

static double
tvd_vertical_words(struct scan_eval_ctx *ec)
{
    double min = sa_eval_argnum(ec->rule, 0), max = sa_eval_argnum(ec->rule, 1), v = -1;
    struct mime_view text = sa_eval_text(ec);

    if (max >= 100)
        max = 101;
    for (size_t i = 0; i < text.n; i++) {
        struct strv l = text.lines[i];
        size_t spaces = 0, nonspaces;
        double pct;

        if (l.len <= 5)
            continue;
        for (size_t k = 0; k < l.len; k++)
            spaces += l.p[k] == ' ';
        nonspaces = l.len - spaces;
        if (spaces > nonspaces || nonspaces == 0)
            pct = 100;
        else
            pct = (double)(100 * spaces / nonspaces); /* int() */
        if (pct > v)
            v = pct;
    }
    return v >= min && v < max;
}

/* Message::split_into_array_of_short_paragraphs, counting characters as
 * Perl does on the rendered string (one per code point). */
#define MAX_BODY_LINE_LENGTH 2048

static struct mime_view
short_paragraphs(struct arena *a, struct strv t)
{
    size_t nchars = sa_eval_utf8_count(t.p, t.len), cap = 8, ofs, k = 0;
    size_t *at; /* byte offset of each character, and of the end */
    struct mime_view v = { arena_alloc(a, cap * sizeof(struct strv)), 0 };

    if (nchars <= MAX_BODY_LINE_LENGTH) {
        v.lines[v.n++] = t;
        return v;
    }
    at = arena_alloc(a, (nchars + 1) * sizeof(*at));
    for (size_t i = 0; i < t.len; k++) {
        at[k] = i;
        (void)sa_eval_utf8_next(t.p, t.len, &i);
    }
    at[nchars] = t.len;
    for (ofs = 0; nchars - ofs > 2 * MAX_BODY_LINE_LENGTH;) {
        static const char seps[] = { '\n', '>', ' ' };
        size_t j = 0;
        bool found = false;

        for (size_t s = 0; s < sizeof(seps) && !found; s++) {
            for (j = ofs + MAX_BODY_LINE_LENGTH; j < nchars; j++) {
                if (t.p[at[j]] == seps[s])
                    break;
            }
            found = j < nchars && j - ofs + 1 <= 2 * MAX_BODY_LINE_LENGTH;
        }
        if (!found)
            j = ofs + MAX_BODY_LINE_LENGTH;
        if (v.n == cap) {
            v.lines = arena_realloc(a, v.lines, cap * sizeof(*v.lines), 2 * cap * sizeof(*v.lines));
            cap *= 2;
        }
        v.lines[v.n++] = strv_make(t.p + at[ofs], at[j + 1] - at[ofs]);
        ofs = j + 1;
    }
    if (ofs < nchars) {
        if (v.n == cap)
            v.lines =
                arena_realloc(a, v.lines, cap * sizeof(*v.lines), (cap + 1) * sizeof(*v.lines));
        v.lines[v.n++] = strv_make(t.p + at[ofs], t.len - at[ofs]);
    }
    return v;
}

struct stock_re {
    pcre2_code *line_uni, *line_bytes, *word;
};

static int
stock_prepare(struct arena *a, const struct scan_rule *rule, void **state, struct sift_err *err)
{
    static const char line[] = "^\\s*([^:\\s][^:\\n]{2,29})\\s*:\\s*\\S";
    static const char word[] =
        "(^trad(?:e|ing)date|company(?:name)?|s\\w?(?:t\\w?o\\w?c\\w?k|y\\w?m(?:\\w?b\\w?o\\w?l)?)|"
        "t(?:arget|icker)|(?:opening|current)p(?:rice)?|p(?:rojected|osition)|expectations|"
        "weeks?high|marketperformance|(?:year|week|month|day|price)(?:target|estimates?)|sector|"
        "r(?:ecommendation|ating))$";
    struct stock_re *s = arena_calloc(a, 1, sizeof(*s));

    (void)rule;
    if ((s->line_uni = sa_eval_re_compile(a, line, PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE, err)) ==
            NULL ||
        (s->line_bytes = sa_eval_re_compile(a, line, PCRE2_UTF | PCRE2_MULTILINE, err)) == NULL ||
        (s->word = sa_eval_re_compile(a, word, 0, err)) == NULL)
        return -1;
    *state = s;
    return 0;
}

/* lc, then tr/a-z//cd: the ASCII letters left (Unicode lc makes 'k' of
 * KELVIN SIGN and 'i' plus a mark of DOTTED CAPITAL I) */
static struct strv
stock_letters(struct arena *a, struct strv s, bool uni)
{
    char *o = arena_alloc(a, s.len + 1);
    size_t n = 0, i = 0;

    while (i < s.len) {
        uint32_t c = sa_eval_utf8_next(s.p, s.len, &i);

        if (c >= 'A' && c <= 'Z')
            c += 32;
        else if (uni && c == 0x212a)
            c = 'k';
        else if (uni && c == 0x130)
            c = 'i';
        if (c >= 'a' && c <= 'z')
            o[n++] = (char)c;
    }
    o[n] = '\0';
    return strv_make(o, n);
}

static double
stock_count(struct scan_eval_ctx *ec)
{
    const struct stock_re *re = ec->state;
    struct arena *a = ec->msg->arena;
    struct mime_part **parts;
    size_t n = mime_msg_parts(ec->msg, false, &parts);
    struct mime_part *p = NULL;
    struct bag hits = { 0 };
    struct strv rnd;
    struct mime_view chunks;

    if (re == NULL)
        return 0;
    for (size_t i = 0; i < n && p == NULL; i++) {
        if (strcmp(parts[i]->type, "text/plain") == 0)
            p = parts[i];
    }
    if (p == NULL || mime_part_rendered(ec->msg, p, &rnd) == NULL)
        return 0;
    chunks = short_paragraphs(a, rnd);
    for (size_t c = 0; c < chunks.n; c++) {
        const pcre2_code *line = p->rendered_flagged ? re->line_uni : re->line_bytes;
        size_t off = 0, ov[4];

        while (off <= chunks.lines[c].len && sa_eval_re_search(line, chunks.lines[c], off, ov, 2)) {
            struct strv str = stock_letters(a, strv_make(chunks.lines[c].p + ov[2], ov[3] - ov[2]),
                                            p->rendered_flagged);
            size_t w[4];

            if (sa_eval_re_search(re->word, str, 0, w, 2))
                bag_add(a, &hits, strv_make(str.p + w[2], w[3] - w[2]));
            off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        }
    }
    bag_sort(a, &hits);
    return (double)hits.n;
}

static double
check_stock_info(struct scan_eval_ctx *ec)
{
    double min = sa_eval_argnum(ec->rule, 0);

    return min == 0 || stock_count(ec) >= min;
}

static double
check_body_length(struct scan_eval_ctx *ec)
{
    return (double)ec->msg->pristine_body.len <= sa_eval_argnum(ec->rule, 0);
}

/* _plaintext_body_sig_ratio: the body and signature lengths of the first
 * text/plain part, split at its last "-- " line; false when none */
static bool
plaintext_sig(struct scan_eval_ctx *ec, double *body, double *sig, double *ratio)
{
    struct mime_part **parts;
    size_t n = mime_msg_parts(ec->msg, false, &parts), len_b, len_s = 0;
    struct mime_part *p = NULL;
    struct strv t;

    for (size_t i = 0; i < n && p == NULL; i++) {
        if (strncmp(parts[i]->type, "text/plain", 10) == 0)
            p = parts[i];
    }
    if (p == NULL)
        return false;
    t = mime_part_decoded(ec->msg, p);
    len_b = t.len;
    /* /^-- ?\r?$/mg */
    for (size_t s = 0; s < t.len; s++) {
        size_t e;

        if (s > 0 && t.p[s - 1] != '\n')
            continue;
        if (s + 2 > t.len || t.p[s] != '-' || t.p[s + 1] != '-')
            continue;
        e = s + 2;
        if (e < t.len && t.p[e] == ' ')
            e++;
        if (e < t.len && t.p[e] == '\r')
            e++;
        if (e < t.len && t.p[e] != '\n')
            continue;
        if (t.len - e <= 4) /* a decoy marker at the end */
            continue;
        len_b = s;
        len_s = t.len - e;
    }
    *body = (double)len_b;
    *sig = (double)len_s;
    *ratio = len_s ? (double)len_b / (double)len_s : 1e6;
    return true;
}

/* $len >= $min && (defined $max ? $len <= $max : 1) */
static double
plaintext_range(struct scan_eval_ctx *ec, int which)
{
    double v[3];
    const char *maxs = sa_eval_arg(ec->rule, 1);

    if (!plaintext_sig(ec, &v[0], &v[1], &v[2]))
        return 0;
    return v[which] >= sa_eval_argnum(ec->rule, 0) &&
           (maxs == NULL || v[which] <= sa_eval_perl_num(maxs));
}

static double
plaintext_body_length(struct scan_eval_ctx *ec)
{
    return plaintext_range(ec, 0);
}

static double
plaintext_sig_length(struct scan_eval_ctx *ec)
{
    return plaintext_range(ec, 1);
}

static double
plaintext_body_sig_ratio(struct scan_eval_ctx *ec)
{
    return plaintext_range(ec, 2);
}

/* ------------------------------------------------------------------------
 * TextCat
 */

static bool
language_8bit(struct strv l)
{
    static const char *const langs[] = { "am", "ar", "be", "bg", "cs", "el", "et", "fa", "fi",
                                         "he", "hi", "hy", "is", "ja", "ka", "ko", "mr", "pt",
                                         "ru", "ta", "th", "tr", "uk", "vi", "yi", "zh" };

    for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
        if (strv_eq(l, langs[i]))
            return true;
    }
    return false;
}

static double
check_body_8bits(struct scan_eval_ctx *ec)
{
    const char *ok = sa_eval_conf(ec, "ok_languages", "all");
    struct mime_view body;

    for (const char *s = ok; *s != '\0';) { /* split(/\s+/) */
        const char *e;

        while (is_sp((unsigned char)*s))
            s++;
        for (e = s; *e != '\0' && !is_sp((unsigned char)*e); e++)
            ;
        if (e > s && (strv_eq(strv_make(s, (size_t)(e - s)), "all") ||
                      language_8bit(strv_make(s, (size_t)(e - s)))))
            return 0;
        s = e;
    }
    body = sa_eval_text(ec);
    for (size_t i = 0; i < body.n; i++) {
        size_t run = 0;

        for (size_t k = 0; k < body.lines[i].len; k++) {
            run = (unsigned char)body.lines[i].p[k] >= 0x80 ? run + 1 : 0;
            if (run >= 8)
                return 1;
        }
    }
    return 0;
}

const struct scan_eval_def sa_eval_body_defs[] = {
    { "multipart_alternative_difference", SA_EVAL_BODY_TARGETS, NULL,
      multipart_alternative_difference, 0 },
    { "multipart_alternative_difference_count", SA_EVAL_BODY_TARGETS, NULL,
      multipart_alternative_difference_count, 0 },
    { "check_blank_line_ratio", SA_EVAL_BODY_TARGETS, NULL, check_blank_line_ratio, 0 },
    { "tvd_vertical_words", SA_EVAL_BODY_TARGETS, NULL, tvd_vertical_words, 0 },
    { "check_stock_info", SA_EVAL_BODY_TARGETS, stock_prepare, check_stock_info, 0 },
    { "check_body_length", SA_EVAL_BODY_TARGETS, NULL, check_body_length, 0 },
    { "plaintext_body_length", SA_EVAL_BODY_TARGETS, NULL, plaintext_body_length, 0 },
    { "plaintext_sig_length", SA_EVAL_BODY_TARGETS, NULL, plaintext_sig_length, 0 },
    { "plaintext_body_sig_ratio", SA_EVAL_BODY_TARGETS, NULL, plaintext_body_sig_ratio, 0 },
    { "check_body_8bits", SA_EVAL_BODY_TARGETS, NULL, check_body_8bits, 0 },
};
const size_t sa_eval_body_ndefs = sizeof(sa_eval_body_defs) / sizeof(sa_eval_body_defs[0]);
