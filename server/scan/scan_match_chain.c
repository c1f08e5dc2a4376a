/*
 * scan_match_chain.c - a counting prefilter for a pattern built on a
 * repeated group (see scan_match_int.h). SA's ReplaceTags rules
 * __FILL_THIS_FORM_{LONG,SHORT}{1,2} are (?:U){5} and (?:U){3}, U a form
 * word ("your full name", "phone number") and what follows it. Hyperscan
 * takes them only relaxed, the {n} lost, so nearly every line with one
 * form-like word went on to PCRE2, which tries the whole pattern at every
 * byte of the line: a fifth of the time of a scan on the corpus. From the
 * pattern this file derives an expression K and a length L such that a
 * text where the pattern matches has n matches of K whose ends lie at
 * least L apart; the matcher counts them with Hyperscan and runs PCRE2
 * only on the texts that have enough, and only from the starts they allow.
 *
 * Why that is exact. Let P be the expression analysed: the pattern with
 * its subroutine calls written out (the same spans, see ch_expand()), or
 * a prefilter, which by its contract matches in every text the pattern
 * matches in. P is a sequence of atoms, one of which is a group G with a
 * quantifier asking for at least n >= 2 rounds, G's body U the sequence
 * of atoms a_0 ... a_{m-1}. A match of P at [s_1, ...) holds back-to-back
 * matches of U at [s_1, s_2), ..., [s_n, s_{n+1}), each the concatenation
 * of matches of a_0 ... a_{m-1}, each judged on the same text (nothing
 * in P refers to a group, changes options for what follows, or cuts a
 * match short: ch_escape_end() and ch_group_refused() turn those away).
 *  - K = a_r ... a_{t-1} [F], where every match of a_t is nonempty and F
 *    holds every byte one can begin with (PCRE2's start bitmap of a_t
 *    alone): in each U-match, from the start of a_r's part to the first
 *    byte of a_t's part is a match of K. Or, when there is no such t,
 *    K = a_r ... a_{m-1}, whose match runs from the start of a_r's part
 *    to s_{j+1}. Either way the j-th U-match holds a match of K,
 *    [b_j, e_j), with s_j <= b_j and e_j <= s_{j+1}. (Dropping the atoms
 *    before a_r keeps that true; ch_from_body() drops those that may
 *    match nothing and assert nothing, which moves no end.)
 *  - L = PCRE2's lower bound on the length of a match of K with its
 *    look-arounds made empty groups (the same strings consumed; PCRE2
 *    counts what a look-ahead needs, which is not length), at least 1,
 *    so e_{j+1} >= b_{j+1} + L >= s_{j+1} + L >= e_j + L. "Every match of
 *    a_t is nonempty" is the same bound at least 1 for a_t.
 *  - Hyperscan, given K or a looser expression (what K matches, it
 *    matches) without HS_FLAG_SINGLEMATCH, reports the end of every match
 *    of K, e_1 ... e_n among them. Walk the reported ends in order and
 *    take an end when it is the first or at least L past the last one
 *    taken: the walk takes g_1 <= e_1, and when it took g_j <= e_j, e_{j+1}
 *    >= g_j + L is still there to take, so g_{j+1} <= e_{j+1}: it takes n.
 * So when the walk takes fewer than n ends, P does not match, nor does
 * the pattern, and PCRE2 would have found nothing: skipping it changes no
 * count. And when P is the pattern itself, every match of the pattern
 * starts at s_1 <= b_1 <= e_1 - L, where e_1 begins n reported ends L
 * apart: walking them from the last end backwards, taking each end at
 * least L before the last one taken, the n-th taken, h, is at least e_1
 * (the same argument, mirrored), so no match starts after h - L, and
 * PCRE2 gets that as its offset limit: it finds the same matches.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/xmalloc.h"
#include "scan/scan_match_int.h"
#include "scan/scan_rule.h"

/* An atom with its quantifier: s[start..end). */
struct ch_atom {
    size_t start, end;
    size_t body, body_end; /* s[body..body_end): the body of a (...), (?:...) or (?>...), else 0 */
    unsigned long lo;      /* the least number of rounds its quantifier asks */
};

#define CH_MAX_ATOMS  64
#define CH_MAX_ROUNDS 65535ul

static bool
ch_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Past the escape at s[i] (a backslash); 0 for one this file does not
 * take: a backreference or octal (a digit: \1 and \012 read differently
 * cut in two), \g \k (references), \K \G (match start), \Q \E (quoting),
 * \c (its next character belongs to it). */
static size_t
ch_escape_end(const char *s, size_t i)
{
    char c = s[i + 1];

    if (c == '\0' || (c >= '0' && c <= '9') || strchr("gkKGQEc", c) != NULL)
        return 0;
    if (strchr("xopPN", c) != NULL && s[i + 2] == '{') {
        const char *close = strchr(s + i + 2, '}');

        return close != NULL ? (size_t)(close - s) + 1 : 0;
    }
    if (c == 'x') { /* \xHH: up to two hex digits */
        size_t k = i + 2;

        while (k < i + 4 && ch_hex(s[k]))
            k++;
        return k;
    }
    if (c == 'p' || c == 'P') /* \pL */
        return s[i + 2] != '\0' ? i + 3 : 0;
    if (c == 'o')
        return 0;
    return i + 2;
}

/* Past the class at s[i] ('['); 0 when it does not end or is not
 * understood (a [: [. [= that is not a POSIX class name). */
static size_t
ch_class_end(const char *s, size_t i)
{
    size_t k = i + 1;

    if (s[k] == '^')
        k++;
    if (s[k] == ']')
        k++;
    while (s[k] != '\0' && s[k] != ']') {
        if (s[k] == '\\') {
            if (s[k + 1] == '\0' || s[k + 1] == 'Q' || s[k + 1] == 'E')
                return 0;
            k += 2;
        } else if (s[k] == '[' && (s[k + 1] == ':' || s[k + 1] == '.' || s[k + 1] == '=')) {
            size_t e = k + 2;

            if (s[e] == '^')
                e++;
            while ((s[e] >= 'a' && s[e] <= 'z'))
                e++;
            if (s[k + 1] != ':' || s[e] != ':' || s[e + 1] != ']')
                return 0;
            k = e + 2;
        } else {
            k++;
        }
    }
    return s[k] == ']' ? k + 1 : 0;
}

/* Groups that change the meaning of what is around them, or refer to
 * other groups: comments (may hold parentheses), verbs ((*ACCEPT) ends a
 * match early), conditions, recursion and subroutine calls, callouts,
 * non-atomic look-arounds (?* (?<*, option settings that hold to the end
 * of the enclosing group, and /x (spaces and comments) switched on or off
 * anywhere. */
static bool
ch_group_refused(const char *g)
{
    size_t k = 2;

    if (g[1] == '*')
        return true;
    if (g[1] != '?')
        return false;
    if (strchr("#(&RC+*0123456789", g[2]) != NULL || strncmp(g + 2, "P>", 2) == 0 ||
        strncmp(g + 2, "P=", 2) == 0 || strncmp(g + 2, "<*", 2) == 0 ||
        (g[2] == '-' && g[3] >= '0' && g[3] <= '9'))
        return true;
    while ((g[k] >= 'a' && g[k] <= 'z') || (g[k] >= 'A' && g[k] <= 'Z') || g[k] == '-' ||
           g[k] == '^') {
        if (g[k] == 'x')
            return true;
        k++;
    }
    return g[k] == ')'; /* (?i) and the like; (?i:...) is scoped, fine */
}

/* Past the group at s[i] ('('), with everything in it checked; 0 when it
 * does not end or holds something refused. */
static size_t
ch_group_end(const char *s, size_t i)
{
    int depth = 0;

    for (size_t k = i; s[k] != '\0';) {
        size_t e;

        switch (s[k]) {
        case '\\':
            if ((e = ch_escape_end(s, k)) == 0)
                return 0;
            k = e;
            continue;
        case '[':
            if ((e = ch_class_end(s, k)) == 0)
                return 0;
            k = e;
            continue;
        case '(':
            if (ch_group_refused(s + k))
                return 0;
            depth++;
            break;
        case ')':
            if (--depth == 0)
                return k + 1;
            break;
        default:
            break;
        }
        k++;
    }
    return 0;
}

/* The quantifier at s[i]: past it (i when there is none), the least
 * number of rounds in *lo; 0 for a '{' that is no quantifier (a literal
 * brace: refused rather than guessed at). */
static size_t
ch_quant_end(const char *s, size_t i, unsigned long *lo)
{
    *lo = 1;
    if (s[i] == '?' || s[i] == '*') {
        *lo = 0;
        i++;
    } else if (s[i] == '+') {
        i++;
    } else if (s[i] == '{') {
        size_t k = i + 1;

        if (!(s[k] >= '0' && s[k] <= '9'))
            return 0;
        *lo = 0;
        for (; s[k] >= '0' && s[k] <= '9'; k++)
            *lo = *lo < CH_MAX_ROUNDS ? *lo * 10 + (unsigned long)(s[k] - '0') : CH_MAX_ROUNDS;
        if (*lo > CH_MAX_ROUNDS)
            *lo = CH_MAX_ROUNDS;
        if (s[k] == ',') {
            for (k++; s[k] >= '0' && s[k] <= '9'; k++)
                ;
        }
        if (s[k] != '}')
            return 0;
        i = k + 1;
    } else {
        return i;
    }
    if (s[i] == '?' || s[i] == '+') /* lazy, possessive: the same strings */
        i++;
    return i;
}

/* s[from..to) as a sequence of atoms (no alternation at its top); the
 * number of atoms, 0 when not understood. */
static size_t
ch_split(const char *s, size_t from, size_t to, struct ch_atom *out, size_t max)
{
    size_t n = 0;

    for (size_t i = from; i < to;) {
        struct ch_atom *a = &out[n];
        size_t e;

        if (n == max)
            return 0;
        memset(a, 0, sizeof(*a));
        a->start = i;
        switch (s[i]) {
        case '\\':
            e = ch_escape_end(s, i);
            break;
        case '[':
            e = ch_class_end(s, i);
            break;
        case '(':
            e = ch_group_end(s, i);
            if (e != 0 && (s[i + 1] != '?' || s[i + 2] == ':' || s[i + 2] == '>')) {
                a->body = s[i + 1] != '?' ? i + 1 : i + 3;
                a->body_end = e - 1;
            }
            break;
        case '|':
        case ')':
        case '{':
        case '*':
        case '+':
        case '?':
            e = 0;
            break;
        default:
            e = i + 1;
            break;
        }
        if (e == 0 || e > to || (e = ch_quant_end(s, e, &a->lo)) == 0 || e > to)
            return 0;
        a->end = e;
        i = e;
        n++;
    }
    return n;
}

static pcre2_code *
ch_compile(const char *pat, size_t len, unsigned re_flags)
{
    pcre2_compile_context *cc = scan_match_pcre_context();
    pcre2_code *re;
    int code;
    PCRE2_SIZE off;

    if (cc == NULL)
        return NULL;
    re = pcre2_compile((PCRE2_SPTR)pat, len, scan_match_pcre_options(re_flags), &code, &off, cc);
    pcre2_compile_context_free(cc);
    return re;
}

/* s[0..len) with every look-around made an empty group: the strings
 * it consumes are those s consumes, and nothing is asserted. false when
 * s is not understood (it was, when split). */
static bool
ch_strip_look(const char *s, size_t len, struct buf *b)
{
    for (size_t i = 0; i < len;) {
        size_t e = i + 1;

        if (s[i] == '\\') {
            e = ch_escape_end(s, i);
        } else if (s[i] == '[') {
            e = ch_class_end(s, i);
        } else if (s[i] == '(' && s[i + 1] == '?' &&
                   (s[i + 2] == '=' || s[i + 2] == '!' ||
                    (s[i + 2] == '<' && (s[i + 3] == '=' || s[i + 3] == '!')))) {
            if ((e = ch_group_end(s, i)) == 0 || e > len)
                return false;
            buf_puts(b, "(?:)");
            i = e;
            continue;
        }
        if (e == 0 || e > len)
            return false;
        buf_append(b, s + i, e - i);
        i = e;
    }
    return true;
}

/* No look-around, anchor or word boundary in s[0..len)? */
static bool
ch_asserts_nothing(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t e = i + 1;

        if (s[i] == '\\') {
            if (strchr("bBAzZG", s[i + 1]) != NULL)
                return false;
            e = ch_escape_end(s, i);
        } else if (s[i] == '[') {
            e = ch_class_end(s, i);
        } else if (s[i] == '^' || s[i] == '$' ||
                   (s[i] == '(' && s[i + 1] == '?' &&
                    (s[i + 2] == '=' || s[i + 2] == '!' || s[i + 2] == '<'))) {
            return false; /* (?< also names a group: kept, to be simple */
        }
        if (e == 0)
            return false;
        i = e;
    }
    return true;
}

/* The least length of a match of s[0..len): PCRE2's lower bound, on s
 * without its look-arounds, since PCRE2 counts what a look-ahead needs
 * ("a(?=bc)": 2, for matches of length 1). 0 when unknown. */
static uint32_t
ch_minlen(const char *s, size_t len, unsigned re_flags)
{
    struct buf b;
    pcre2_code *re;
    uint32_t n = 0;

    buf_init(&b);
    if (!ch_strip_look(s, len, &b)) {
        buf_clear(&b);
        return 0;
    }
    re = ch_compile(b.p != NULL ? b.p : "", b.len, re_flags);
    if (re == NULL || pcre2_pattern_info(re, PCRE2_INFO_MINLENGTH, &n) != 0)
        n = 0;
    pcre2_code_free(re);
    buf_clear(&b);
    return n;
}

static void
ch_set(uint8_t *set, unsigned c)
{
    set[c / 8] |= (uint8_t)(1u << (c % 8));
}

/* Every byte a match of re can begin with, into set; false when PCRE2
 * knows no such set. */
static bool
ch_first_bytes(const pcre2_code *re, uint8_t *set)
{
    uint32_t type = 0, cu = 0;
    const uint8_t *bm = NULL;

    memset(set, 0, 32);
    if (re == NULL || pcre2_pattern_info(re, PCRE2_INFO_FIRSTCODETYPE, &type) != 0)
        return false;
    if (type == 1) {
        if (pcre2_pattern_info(re, PCRE2_INFO_FIRSTCODEUNIT, &cu) != 0 || cu > 0xff)
            return false;
        /* caseless or not, PCRE2 does not say: both cases (its default
         * tables fold ASCII letters only) */
        ch_set(set, cu);
        if (cu >= 'a' && cu <= 'z')
            ch_set(set, cu - 32);
        if (cu >= 'A' && cu <= 'Z')
            ch_set(set, cu + 32);
        return true;
    }
    if (type != 0 || pcre2_pattern_info(re, PCRE2_INFO_FIRSTBITMAP, &bm) != 0 || bm == NULL)
        return false;
    memcpy(set, bm, 32);
    return true;
}

/* set as a class, ranges folded: [\x09-\x0d\x20] */
static void
ch_put_class(struct buf *b, const uint8_t *set)
{
    buf_putc(b, '[');
    for (unsigned c = 0; c < 256; c++) {
        unsigned hi = c;

        if (!(set[c / 8] & (1u << (c % 8))))
            continue;
        while (hi < 255 && (set[(hi + 1) / 8] & (1u << ((hi + 1) % 8))))
            hi++;
        buf_printf(b, "\\x%02x", c);
        if (hi > c)
            buf_printf(b, "-\\x%02x", hi);
        c = hi;
    }
    buf_putc(b, ']');
}

/* The chain expression of U, s[from..to): 0 with *out set, or -1. */
static int
ch_from_body(const char *s, size_t from, size_t to, unsigned re_flags, struct sm_chain *out)
{
    struct ch_atom at[CH_MAX_ATOMS];
    uint32_t minlen[CH_MAX_ATOMS];
    uint8_t first[32];
    size_t m = ch_split(s, from, to, at, CH_MAX_ATOMS), r = 0, t;
    bool have_first = false;
    pcre2_code *re;
    struct buf b;

    if (m == 0)
        return -1;
    for (size_t j = 0; j < m; j++) {
        re = ch_compile(s + at[j].start, at[j].end - at[j].start, re_flags);
        if (re == NULL)
            return -1;
        pcre2_code_free(re);
        minlen[j] = ch_minlen(s + at[j].start, at[j].end - at[j].start, re_flags);
    }
    /* the atoms in front that may match nothing (X? X*, a group of such)
     * do not move an end: drop them; one with an assertion stays, it may
     * rule an end out (dropping any is sound, keeping them is stronger) */
    while (r < m && minlen[r] == 0 && ch_asserts_nothing(s + at[r].start, at[r].end - at[r].start))
        r++;
    if (r == m)
        return -1; /* U may match empty: the rounds need not be apart */
    /* the last atom that must begin with a byte of a known set, with
     * something before it to keep */
    for (t = m; t-- > r + 1;) {
        if (minlen[t] == 0)
            continue;
        re = ch_compile(s + at[t].start, at[t].end - at[t].start, re_flags);
        have_first = ch_first_bytes(re, first);
        pcre2_code_free(re);
        if (have_first)
            break;
    }
    buf_init(&b);
    if (have_first) {
        buf_append(&b, s + at[r].start, at[t].start - at[r].start);
        ch_put_class(&b, first);
    } else {
        buf_append(&b, s + at[r].start, at[m - 1].end - at[r].start);
    }
    re = ch_compile(b.p, b.len, re_flags);
    out->gap = re != NULL ? ch_minlen(b.p, b.len, re_flags) : 0;
    pcre2_code_free(re);
    if (out->gap == 0) {
        buf_clear(&b);
        return -1;
    }
    buf_putc(&b, '\0');
    out->expr = b.p;
    return 0;
}

/* Subroutine calls (?&name) to the groups of a trailing (?(DEFINE)...),
 * as the translator writes ReplaceTags rules too large for PCRE2 spelled
 * out. Since PCRE2 10.30 a call that is not recursive backtracks like the
 * group written in its place, (?:body), and no capture is referred to
 * (no backreference passes ch_escape_end): the pattern with its calls
 * written out matches the same spans as the pattern. */
#define CH_MAX_DEFS     64
#define CH_MAX_DEPTH    8
#define CH_MAX_EXPANDED (256u * 1024)

struct ch_def {
    const char *name, *body;
    size_t name_len, body_len;
};

/* Past the parenthesis group at s[i], counting nested ones; escapes and
 * classes skipped, nothing else checked (ch_split checks the result). 0
 * when it does not end, or holds a comment (which may hold parentheses). */
static size_t
ch_paren_end(const char *s, size_t i)
{
    int depth = 0;

    for (size_t k = i; s[k] != '\0';) {
        size_t e = k + 1;

        if (s[k] == '\\')
            e = ch_escape_end(s, k);
        else if (s[k] == '[')
            e = ch_class_end(s, k);
        else if (s[k] == '(' && s[k + 1] == '?' && s[k + 2] == '#')
            return 0;
        else if (s[k] == '(')
            depth++;
        else if (s[k] == ')' && --depth == 0)
            return k + 1;
        if (e == 0)
            return 0;
        k = e;
    }
    return 0;
}

static size_t
ch_name_end(const char *s, size_t i)
{
    while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
           (s[i] >= '0' && s[i] <= '9') || s[i] == '_')
        i++;
    return i;
}

/* The groups of pat's (?(DEFINE)...) when it is the last thing at the
 * top of pat, into defs; *head: where it begins. false when there is
 * none, or it holds anything but named groups. */
static bool
ch_defines(const char *pat, size_t len, size_t *head, struct ch_def *defs, size_t *ndefs)
{
    static const char define[] = "(?(DEFINE)";
    size_t i = 0, e = 0;

    while (i < len) {
        e = i + 1;
        if (pat[i] == '\\')
            e = ch_escape_end(pat, i);
        else if (pat[i] == '[')
            e = ch_class_end(pat, i);
        else if (pat[i] == '(')
            e = ch_paren_end(pat, i);
        if (e == 0)
            return false;
        if (pat[i] == '(' && strncmp(pat + i, define, sizeof(define) - 1) == 0)
            break;
        i = e;
    }
    if (i >= len || e != len)
        return false;
    *head = i;
    *ndefs = 0;
    for (size_t j = i + sizeof(define) - 1; j < len - 1;) {
        struct ch_def *d = &defs[*ndefs];
        size_t name = j + (strncmp(pat + j, "(?P<", 4) == 0 ? 4 : 3), ge;
        char close = pat[name - 1] == '\'' ? '\'' : '>';

        if (*ndefs == CH_MAX_DEFS ||
            !(strncmp(pat + j, "(?<", 3) == 0 || strncmp(pat + j, "(?'", 3) == 0 ||
              strncmp(pat + j, "(?P<", 4) == 0))
            return false;
        d->name = pat + name;
        d->name_len = ch_name_end(pat, name) - name;
        if (d->name_len == 0 || pat[name + d->name_len] != close ||
            (ge = ch_paren_end(pat, j)) == 0)
            return false;
        d->body = d->name + d->name_len + 1;
        d->body_len = (size_t)(pat + ge - 1 - d->body);
        (*ndefs)++;
        j = ge;
    }
    return true;
}

/* s[0..len) with each (?&name) written out as (?:body), into b. */
static bool
ch_expand(const char *s, size_t len, const struct ch_def *defs, size_t ndefs, int depth,
          struct buf *b)
{
    for (size_t i = 0; i < len;) {
        size_t e = i + 1;

        if (s[i] == '\\') {
            e = ch_escape_end(s, i);
        } else if (s[i] == '[') {
            e = ch_class_end(s, i);
        } else if (strncmp(s + i, "(?&", 3) == 0) {
            size_t ne = ch_name_end(s, i + 3), k;

            if (s[ne] != ')' || ne == i + 3 || depth == CH_MAX_DEPTH)
                return false;
            for (k = 0; k < ndefs; k++) {
                if (defs[k].name_len == ne - i - 3 &&
                    memcmp(defs[k].name, s + i + 3, ne - i - 3) == 0)
                    break;
            }
            if (k == ndefs)
                return false;
            buf_puts(b, "(?:");
            if (!ch_expand(defs[k].body, defs[k].body_len, defs, ndefs, depth + 1, b))
                return false;
            buf_putc(b, ')');
            i = ne + 1;
            continue;
        }
        if (e == 0 || e > len || b->len > CH_MAX_EXPANDED)
            return false;
        buf_append(b, s + i, e - i);
        i = e;
    }
    return true;
}

static int
ch_analyse(const char *pat, unsigned re_flags, struct sm_chain *out)
{
    struct ch_atom at[CH_MAX_ATOMS];
    size_t n = ch_split(pat, 0, strlen(pat), at, CH_MAX_ATOMS);

    for (size_t j = 0; j < n; j++) {
        if (at[j].body_end == 0 || at[j].lo < 2)
            continue;
        if (ch_from_body(pat, at[j].body, at[j].body_end, re_flags, out) == -1)
            return -1;
        out->n = (unsigned)at[j].lo;
        return 0;
    }
    return -1;
}

int
scan_match_chain(const char *pat, unsigned re_flags, struct sm_chain *out)
{
    struct ch_def defs[CH_MAX_DEFS];
    size_t head, ndefs;
    struct buf b;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (pat == NULL || (re_flags & SCAN_RE_X))
        return -1;
#if PCRE2_MAJOR > 10 || (PCRE2_MAJOR == 10 && PCRE2_MINOR >= 30)
    if (ch_defines(pat, strlen(pat), &head, defs, &ndefs)) {
        buf_init(&b);
        if (ch_expand(pat, head, defs, ndefs, 0, &b)) {
            buf_putc(&b, '\0');
            rc = ch_analyse(b.p, re_flags, out);
        }
        buf_clear(&b);
        return rc;
    }
#endif
    return ch_analyse(pat, re_flags, out);
}
