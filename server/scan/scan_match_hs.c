/*
 * scan_match_hs.c - the Hyperscan prefilter of the matcher (scan_match.h)
 * and its disk cache. Each pattern PCRE2 compiled is offered to Hyperscan
 * alone, exactly first, then in prefilter mode (which approximates
 * back-references and look-around by something that matches at least as
 * much); those it takes go into one block-mode database, with
 * HS_FLAG_SINGLEMATCH so that a text reports each pattern at most once.
 * What it reports is only a candidate: PCRE2 decides (scan_match.c).
 * The offer is a quick parse first; only when the database then fails is
 * each pattern compiled alone, so that one bad pattern never keeps the
 * others off Hyperscan.
 *
 * The cache file, cache_dir/sift-hs-KEY.db, is named by the SHA-256 of
 * the Hyperscan and PCRE2 versions, the platform and every (pattern,
 * flags) of the matcher, so a file never answers for another set. It
 * holds which patterns went to Hyperscan and the serialized database,
 * and ends with the SHA-256 of all that: a short, corrupt or foreign file
 * is rebuilt and written again (tmp file + rename, so readers never see
 * half of one). Bump SM_CACHE_FORMAT when the placement rules change.
 *
 * Most body lines are plain ASCII, and the look-alike branches the
 * shrinking (scan_match_shrink.c) writes, [\x80-\xff]+ and
 * &#x?[0-9a-fA-F]+;, can only match high bytes or "&#". A second database
 * without those branches answers exactly the same on a text that has
 * neither, and the obfuscated-word patterns they belong to cost Hyperscan
 * a third of its time; each text is scanned with the one that fits.
 *
 * A pattern Hyperscan does not decide alone (a prefilter, or one it does
 * not take) and that needs n back-to-back rounds of a group gets a
 * counting prefilter (scan_match_chain.c): an expression whose matches,
 * spaced out enough, a text must hold n of. Those expressions make a
 * third database, scanned without SINGLEMATCH, at most once per text and
 * only for a text where such a pattern is about to run on PCRE2; a text
 * without enough of them skips PCRE2 for that pattern, and on the others
 * the ends tell the latest offset a match can start at, PCRE2's offset
 * limit for it.
 */
#include "scan/scan_match_int.h"

#ifdef SIFT_HAVE_HYPERSCAN

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hs.h>
#include <openssl/evp.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "scan/scan_rule.h"

#define SM_CACHE_MAGIC  "SIFTHSDB"
#define SM_CACHE_FORMAT 4u
#define SM_KEY_LEN      32
#define SM_CACHE_MAX    (1024u * 1024 * 1024) /* a bigger file is not ours */

/* The patterns placed on Hyperscan while building. */
struct sm_hs_set {
    char **exprs;
    unsigned *flags, *base, *ids; /* base: the flags before exact/prefilter */
    uint32_t *pat;
    size_t n;
};

static unsigned
sm_hs_flags(const struct sm_pat *sp)
{
    unsigned f = HS_FLAG_SINGLEMATCH;
    uint32_t minlen = 1;

    if (sp->re_flags & SCAN_RE_I)
        f |= HS_FLAG_CASELESS;
    if (sp->re_flags & SCAN_RE_M)
        f |= HS_FLAG_MULTILINE;
    if (sp->re_flags & SCAN_RE_S)
        f |= HS_FLAG_DOTALL;
    /* a pattern that may match the empty string needs leave to */
    if (pcre2_pattern_info(sp->re, PCRE2_INFO_MINLENGTH, &minlen) == 0 && minlen == 0)
        f |= HS_FLAG_ALLOWEMPTY;
    return f;
}

/* Hyperscan has no flag for /x but reads (?x); its # comments need a
 * newline to end them. */
static char *
sm_hs_expr(const char *pattern, unsigned re_flags)
{
    size_t len = strlen(pattern);
    char *e;

    if (!(re_flags & SCAN_RE_X))
        return xstrdup(pattern);
    e = xmalloc(len + 6);
    memcpy(e, "(?x)", 4);
    memcpy(e + 4, pattern, len);
    memcpy(e + 4 + len, "\n", 2);
    return e;
}

/* Does Hyperscan take expr with these flags? quick: hs_expression_info,
 * which parses and analyses (0.1 ms a pattern); else hs_compile of it
 * alone (4 ms), which also meets the resource limits. On SA's rules both
 * say the same. */
static bool
sm_hs_takes(const char *expr, unsigned flags, bool quick)
{
    hs_compile_error_t *ce = NULL;

    if (quick) {
        hs_expr_info_t *info = NULL;

        if (hs_expression_info(expr, flags, &info, &ce) == HS_SUCCESS) {
            free(info); /* Hyperscan's misc allocator: malloc */
            return true;
        }
    } else {
        hs_database_t *db = NULL;

        if (hs_compile(expr, flags, HS_MODE_BLOCK, NULL, &db, &ce) == HS_SUCCESS) {
            hs_free_database(db);
            return true;
        }
    }
    hs_free_compile_error(ce);
    return false;
}

/* Bounded repeats Hyperscan unrolls: a group of L bytes under {n,m}
 * costs about L * m states, nested ones multiply. Past this estimate a
 * pattern takes seconds to compile (SA's __SPOOFED_URL, ReplaceTags'
 * __FILL_THIS_FORM_PARTIAL: 14 and 22 s alone) for little gain: such
 * patterns run on PCRE2. */
#define SM_HS_MAX_COST 4000

/* The upper bound of a {n,m} / {n} / {n,} quantifier at p (0: not one;
 * {n,} counts as n, an unbounded repeat being cheap). */
static unsigned long
sm_repeat_bound(const char *p, const char **end)
{
    unsigned long lo = 0, hi;
    const char *q = p + 1;

    if (*p != '{' || !isdigit((unsigned char)*q))
        return 0;
    while (isdigit((unsigned char)*q))
        lo = lo * 10 + (unsigned long)(*q++ - '0') % 100000;
    hi = lo;
    if (*q == ',') {
        q++;
        if (isdigit((unsigned char)*q)) {
            hi = 0;
            while (isdigit((unsigned char)*q))
                hi = hi * 10 + (unsigned long)(*q++ - '0') % 100000;
        }
    }
    if (*q != '}')
        return 0;
    *end = q + 1;
    return hi > lo ? hi : lo;
}

/* Estimate of what Hyperscan would unroll in pattern. */
static bool
sm_hs_too_costly(const char *pat)
{
    /* per open group: where it started, the largest cost inside it */
    struct {
        const char *start;
        unsigned long inner;
    } st[64];
    size_t depth = 0;
    unsigned long top = 1;

    for (const char *p = pat; *p != '\0'; p++) {
        const char *q;
        unsigned long bound, cost;

        if (*p == '\\' && p[1] != '\0') {
            p++;
            continue;
        }
        if (*p == '[') { /* a class: skip it, it is one state */
            for (p++; *p != '\0' && *p != ']'; p++) {
                if (*p == '\\' && p[1] != '\0')
                    p++;
            }
            if (*p == '\0')
                break;
            if ((bound = sm_repeat_bound(p + 1, &q)) > 1) {
                cost = bound;
                if (depth > 0 && cost > st[depth - 1].inner)
                    st[depth - 1].inner = cost;
            }
            continue;
        }
        if (*p == '(' && depth < sizeof(st) / sizeof(st[0])) {
            st[depth].start = p;
            st[depth++].inner = 1;
            continue;
        }
        if (*p == ')' && depth > 0) {
            depth--;
            bound = sm_repeat_bound(p + 1, &q);
            cost = bound > 1 ? (unsigned long)(p - st[depth].start) * bound * st[depth].inner
                             : st[depth].inner;
            if (cost > SM_HS_MAX_COST * 100UL)
                cost = SM_HS_MAX_COST * 100UL;
            if (depth > 0) {
                if (cost > st[depth - 1].inner)
                    st[depth - 1].inner = cost;
            } else if (cost > top) {
                top = cost;
            }
        }
    }
    return top > SM_HS_MAX_COST;
}

/* The longest prefilter offered to Hyperscan (a rule's subroutine calls
 * spelled out); a longer one leaves its pattern on PCRE2. */
#define SM_HS_MAX_PREFILTER (256u * 1024)

/* Copy the escape at *p (p[0] == '\\') to b: \x{..}-style ones whole. */
static const char *
sm_relax_escape(const char *p, struct buf *b)
{
    const char *q = p + 2;

    if (p[1] == '\0')
        return p + 1;
    if (strchr("xopPNgk", p[1]) != NULL && *q == '{') {
        while (*q != '\0' && *q != '}')
            q++;
        if (*q == '}')
            q++;
    }
    buf_append(b, p, (size_t)(q - p));
    return q;
}

/* Copy the class at *p (p[0] == '[') to b; NULL when it does not end. */
static const char *
sm_relax_class(const char *p, struct buf *b)
{
    const char *q = p + 1;

    if (*q == '^')
        q++;
    if (*q == ']') /* a ] first is a member */
        q++;
    while (*q != '\0' && *q != ']') {
        if (*q == '\\' && q[1] != '\0')
            q += 2;
        else if (*q == '[' && q[1] == ':' && strstr(q + 2, ":]") != NULL)
            q = strstr(q + 2, ":]") + 2; /* [:alpha:] */
        else
            q++;
    }
    if (*q != ']')
        return NULL;
    buf_append(b, p, (size_t)(q + 1 - p));
    return q + 1;
}

/* A superset of pattern without bounded repeats, for Hyperscan, which
 * unrolls {n,m} (a group under {5} of one under {1,100}: hundreds of
 * thousands of states) and would take minutes or refuse: X{n,m} and X{n,}
 * become X+, or X* when n is 0. What the pattern matches, the result
 * matches too; inside a look-around, where more would mean less, and for
 * a possessive repeat, nothing changes. NULL when the pattern is not
 * understood (/x, \Q, an open class): it stays as it is. */
static char *
sm_hs_relax(const char *pat, unsigned re_flags)
{
    struct buf b;
    unsigned char look[64]; /* per open group: is it a look-around */
    size_t depth = 0, inlook = 0;
    const char *p = pat;

    if ((re_flags & SCAN_RE_X) || strstr(pat, "\\Q") != NULL)
        return NULL;
    buf_init(&b);
    while (*p != '\0') {
        const char *q;
        unsigned long bound;

        if (*p == '\\') {
            p = sm_relax_escape(p, &b);
        } else if (*p == '[') {
            if ((p = sm_relax_class(p, &b)) == NULL)
                break;
        } else if (*p == '(') {
            bool is_look = p[1] == '?' && (p[2] == '=' || p[2] == '!' ||
                                           (p[2] == '<' && (p[3] == '=' || p[3] == '!')));

            if (p[1] == '?' && p[2] == '#') { /* (?# comment) */
                q = strchr(p, ')');
                if (q == NULL)
                    break;
                p = q + 1;
                continue;
            }
            if (depth == sizeof(look))
                break;
            look[depth++] = is_look;
            inlook += is_look;
            buf_putc(&b, *p++);
        } else if (*p == ')') {
            if (depth > 0)
                inlook -= look[--depth];
            buf_putc(&b, *p++);
        } else if (*p == '{' && (bound = sm_repeat_bound(p, &q)) > 0 && inlook == 0 && *q != '+') {
            (void)bound;
            buf_putc(&b, p[1] == '0' && !isdigit((unsigned char)p[2]) ? '*' : '+');
            p = q;
        } else if (*p == '{' && p[1] == '0' && p[2] == '}' && inlook == 0) {
            buf_puts(&b, "{0}"); /* X{0}: nothing, as written */
            p += 3;
        } else {
            buf_putc(&b, *p++);
        }
    }
    if (*p != '\0') {
        buf_clear(&b);
        return NULL;
    }
    buf_putc(&b, '\0');
    return b.p;
}

/* What sm_hs_accepts*() return for an expression Hyperscan refuses (0
 * is a set of flags: a chain expression's without /i /m /s). */
#define SM_HS_REFUSED UINT_MAX

/* The flags Hyperscan takes expr with in prefilter mode, or SM_HS_REFUSED. */
static unsigned
sm_hs_accepts_prefilter(const char *expr, unsigned base, bool quick)
{
    if (sm_hs_takes(expr, base | HS_FLAG_PREFILTER, quick))
        return base | HS_FLAG_PREFILTER;
    /* a prefilter approximation may match empty where the pattern does not */
    if (!(base & HS_FLAG_ALLOWEMPTY) &&
        sm_hs_takes(expr, base | HS_FLAG_PREFILTER | HS_FLAG_ALLOWEMPTY, quick))
        return base | HS_FLAG_PREFILTER | HS_FLAG_ALLOWEMPTY;
    return SM_HS_REFUSED;
}

/* The flags Hyperscan takes expr with (exact, else prefilter), or
 * SM_HS_REFUSED. */
static unsigned
sm_hs_accepts(const char *expr, unsigned base, bool quick)
{
    return sm_hs_takes(expr, base, quick) ? base : sm_hs_accepts_prefilter(expr, base, quick);
}

/* What Hyperscan is offered for p: the pattern, or its prefilter, as it
 * is when cheap enough, else relaxed (*relaxed set); NULL: nothing, the
 * pattern stays on PCRE2 alone. */
static char *
sm_hs_offer(const struct scan_pattern *p, unsigned re_flags, bool *relaxed)
{
    const char *src = p->prefilter != NULL ? p->prefilter : p->pattern;
    char *shrunk, *r, *expr;

    *relaxed = p->prefilter != NULL;
    if (p->prefilter != NULL && strlen(src) > SM_HS_MAX_PREFILTER)
        return NULL;
    if ((shrunk = scan_match_shrink(src, re_flags)) != NULL) {
        src = shrunk;
        *relaxed = true;
    }
    if (!*relaxed && !sm_hs_too_costly(src))
        return sm_hs_expr(src, re_flags);
    r = sm_hs_too_costly(src) ? sm_hs_relax(src, re_flags) : xstrdup(src);
    free(shrunk);
    if (r == NULL)
        return NULL;
    if (sm_hs_too_costly(r)) {
        free(r);
        return NULL;
    }
    *relaxed = true;
    expr = sm_hs_expr(r, re_flags);
    free(r);
    return expr;
}

static void
sm_hs_set_free(struct sm_hs_set *set)
{
    for (size_t j = 0; j < set->n; j++)
        free(set->exprs[j]);
    free(set->exprs);
    free(set->flags);
    free(set->base);
    free(set->ids);
    free(set->pat);
    memset(set, 0, sizeof(*set));
}

/* Give expression j back to PCRE2. The ids stay 0..n-1. */
static void
sm_hs_set_drop(struct sm_hs_set *set, size_t j)
{
    size_t tail = set->n - j - 1;

    free(set->exprs[j]);
    memmove(set->exprs + j, set->exprs + j + 1, tail * sizeof(*set->exprs));
    memmove(set->flags + j, set->flags + j + 1, tail * sizeof(*set->flags));
    memmove(set->base + j, set->base + j + 1, tail * sizeof(*set->base));
    memmove(set->pat + j, set->pat + j + 1, tail * sizeof(*set->pat));
    set->n--;
}

/* Is the character before s[i] an unescaped one equal to c? */
static bool
sm_unescaped(const char *s, size_t i, char c)
{
    size_t bs = 0;

    if (i == 0 || s[i - 1] != c)
        return false;
    while (i - 1 > bs && s[i - 2 - bs] == '\\')
        bs++;
    return bs % 2 == 0;
}

/* expr without its whole branches [\x80-\xff]+ and &#x?[0-9a-fA-F]+;
 * (a malloc'd copy; NULL when there are none). */
static char *
sm_plain_expr(const char *expr)
{
    static const char *const drop[] = { "[\\x80-\\xff]+", "&#x?[0-9a-fA-F]+;" };
    char *out = xstrdup(expr);
    bool changed = false, again = true;

    while (again) {
        again = false;
        for (size_t d = 0; d < 2; d++) {
            size_t dl = strlen(drop[d]);

            for (char *p = strstr(out, drop[d]); p != NULL; p = strstr(p + 1, drop[d])) {
                size_t i = (size_t)(p - out);
                char after = p[dl];

                if (sm_unescaped(out, i, '|') && (after == '|' || after == ')')) {
                    memmove(p - 1, p + dl, strlen(p + dl) + 1); /* "|X" */
                } else if (after == '|' &&
                           (sm_unescaped(out, i, '|') || sm_unescaped(out, i, '(') ||
                            (i >= 3 && memcmp(p - 3, "(?:", 3) == 0))) {
                    memmove(p, p + dl + 1, strlen(p + dl + 1) + 1); /* "X|" */
                } else {
                    continue;
                }
                changed = again = true;
                break;
            }
        }
    }
    if (!changed) {
        free(out);
        return NULL;
    }
    return out;
}

/* The database for plain texts, when any expression has branches to drop. */
static hs_database_t *
sm_hs_compile_plain(const struct sm_hs_set *set)
{
    char **plain = xcalloc(set->n ? set->n : 1, sizeof(*plain));
    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    bool any = false;

    for (size_t j = 0; j < set->n; j++) {
        char *p = sm_plain_expr(set->exprs[j]);

        any = any || p != NULL;
        plain[j] = p != NULL ? p : xstrdup(set->exprs[j]);
    }
    if (any && hs_compile_multi((const char *const *)plain, set->flags, set->ids, (unsigned)set->n,
                                HS_MODE_BLOCK, NULL, &db, &ce) != HS_SUCCESS) {
        log_debug("matcher: no plain-text database (%s); every text takes the full one",
                  ce->message);
        hs_free_compile_error(ce);
        db = NULL;
    }
    for (size_t j = 0; j < set->n; j++)
        free(plain[j]);
    free(plain);
    return db;
}

/* One database for the set, screened quickly. If Hyperscan refuses the
 * whole, each pattern is compiled alone (so one bad pattern never costs
 * the others their place), those it refuses go back to PCRE2, and then
 * an expression the whole still names is dropped and the rest tried
 * again; a set refused as a whole runs on PCRE2. */
static hs_database_t *
sm_hs_compile(struct sm_hs_set *set)
{
    bool checked = false;

    while (set->n > 0) {
        hs_database_t *db = NULL;
        hs_compile_error_t *ce = NULL;
        int bad;

        if (hs_compile_multi((const char *const *)set->exprs, set->flags, set->ids,
                             (unsigned)set->n, HS_MODE_BLOCK, NULL, &db, &ce) == HS_SUCCESS)
            return db;
        bad = ce->expression;
        if (!checked) {
            hs_free_compile_error(ce);
            checked = true;
            for (size_t j = set->n; j-- > 0;) {
                /* a relaxed expression (or one only a prefilter took) stays one */
                set->flags[j] = (set->flags[j] & HS_FLAG_PREFILTER)
                                    ? sm_hs_accepts_prefilter(set->exprs[j], set->base[j], false)
                                    : sm_hs_accepts(set->exprs[j], set->base[j], false);
                if (set->flags[j] == SM_HS_REFUSED)
                    sm_hs_set_drop(set, j);
            }
            continue;
        }
        if (bad < 0 || (size_t)bad >= set->n) {
            log_warn("matcher: Hyperscan refused the set of %zu patterns (%s); "
                     "they run on PCRE2 alone",
                     set->n, ce->message);
            hs_free_compile_error(ce);
            sm_hs_set_free(set);
            return NULL;
        }
        hs_free_compile_error(ce);
        sm_hs_set_drop(set, (size_t)bad);
    }
    return NULL;
}

/* The Hyperscan form of chain expression src: shrunk, and relaxed
 * always (in prefilter mode Hyperscan approximates the bounded repeats of
 * SA's form words far more loosely: a hundred times the ends); NULL when
 * it is not understood or still too costly. */
static char *
sm_hs_chain_expr(const char *src, unsigned re_flags)
{
    char *shrunk = scan_match_shrink(src, re_flags), *r, *expr;

    r = sm_hs_relax(shrunk != NULL ? shrunk : src, re_flags);
    free(shrunk);
    if (r == NULL || sm_hs_too_costly(r)) {
        free(r);
        return NULL;
    }
    expr = sm_hs_expr(r, re_flags);
    free(r);
    return expr;
}

/* Counting prefilters for the patterns the main database does not decide
 * (exact[k] false): one database of their chain expressions, the same
 * expression shared. Nothing when there are none or Hyperscan refuses. */
static void
sm_hs_chains(struct scan_matcher *m, const struct scan_pattern *pats, const bool *exact)
{
    struct sm_hs_set set = { 0 };
    uint32_t *gap = xcalloc(m->n, sizeof(*gap));           /* per expression as added */
    uint32_t *pat_expr = xcalloc(m->n, sizeof(*pat_expr)); /* per pattern: 1 + that index */
    unsigned *pat_n = xcalloc(m->n, sizeof(*pat_n));
    bool *starts = xcalloc(m->n, sizeof(*starts));
    size_t added = 0;

    set.exprs = xcalloc(m->n, sizeof(*set.exprs));
    set.flags = xcalloc(m->n, sizeof(*set.flags));
    set.base = xcalloc(m->n, sizeof(*set.base));
    set.ids = xcalloc(m->n, sizeof(*set.ids));
    set.pat = xcalloc(m->n, sizeof(*set.pat));
    for (size_t k = 0; k < m->n; k++) {
        const struct sm_pat *sp = &m->pats[k];
        struct sm_chain ch;
        unsigned base = 0, flags;
        char *expr;
        size_t j;

        if (sp->re == NULL || exact[k])
            continue;
        /* the pattern itself, else its prefilter: that one only tells
         * which texts cannot match */
        if (scan_match_chain(pats[k].pattern, sp->re_flags, &ch) == 0)
            starts[k] = true;
        else if (pats[k].prefilter == NULL ||
                 scan_match_chain(pats[k].prefilter, sp->re_flags, &ch) == -1)
            continue;
        expr = sm_hs_chain_expr(ch.expr, sp->re_flags);
        free(ch.expr);
        if (expr == NULL)
            continue;
        if (sp->re_flags & SCAN_RE_I)
            base |= HS_FLAG_CASELESS;
        if (sp->re_flags & SCAN_RE_M)
            base |= HS_FLAG_MULTILINE;
        if (sp->re_flags & SCAN_RE_S)
            base |= HS_FLAG_DOTALL;
        for (j = 0; j < set.n; j++) {
            if (set.base[j] == base && gap[set.pat[j]] == ch.gap && strcmp(set.exprs[j], expr) == 0)
                break;
        }
        if (j < set.n) {
            free(expr);
            pat_expr[k] = set.pat[j] + 1;
            pat_n[k] = ch.n;
            continue;
        }
        if ((flags = sm_hs_accepts(expr, base, true)) == SM_HS_REFUSED) {
            free(expr);
            continue;
        }
        set.exprs[set.n] = expr;
        set.flags[set.n] = flags;
        set.base[set.n] = base;
        set.pat[set.n] = (uint32_t)added;
        set.ids[set.n] = (unsigned)set.n;
        set.n++;
        gap[added] = ch.gap;
        pat_expr[k] = (uint32_t)++added;
        pat_n[k] = ch.n;
    }
    if (set.n > 0 && (m->db_chain = sm_hs_compile(&set)) != NULL) {
        m->nchain = set.n;
        m->chain_gap = xcalloc(set.n, sizeof(*m->chain_gap));
        for (size_t j = 0; j < set.n; j++)
            m->chain_gap[j] = gap[set.pat[j]];
        for (size_t k = 0; k < m->n; k++) {
            for (size_t j = 0; pat_expr[k] != 0 && j < set.n; j++) {
                if (set.pat[j] + 1 != pat_expr[k])
                    continue;
                m->pats[k].chain = (uint32_t)j + 1;
                m->pats[k].chain_n = pat_n[k];
                m->pats[k].chain_starts = starts[k];
                m->nchain_patterns++;
            }
        }
    }
    sm_hs_set_free(&set);
    free(gap);
    free(pat_expr);
    free(pat_n);
    free(starts);
}

static int
sm_hs_key(const struct scan_matcher *m, const struct scan_pattern *pats, uint8_t *key)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    hs_platform_info_t plat;
    char pver[64] = "";
    uint64_t n = m->n;
    uint32_t format = SM_CACHE_FORMAT;
    unsigned keylen = 0;
    int ok;

    memset(&plat, 0, sizeof(plat));
    if (c == NULL || hs_populate_platform(&plat) != HS_SUCCESS) {
        EVP_MD_CTX_free(c);
        return -1;
    }
    pcre2_config(PCRE2_CONFIG_VERSION, pver);
    ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) &&
         EVP_DigestUpdate(c, SM_CACHE_MAGIC, sizeof(SM_CACHE_MAGIC)) &&
         EVP_DigestUpdate(c, &format, sizeof(format)) &&
         EVP_DigestUpdate(c, hs_version(), strlen(hs_version()) + 1) &&
         EVP_DigestUpdate(c, &plat.tune, sizeof(plat.tune)) &&
         EVP_DigestUpdate(c, &plat.cpu_features, sizeof(plat.cpu_features)) &&
         EVP_DigestUpdate(c, pver, strlen(pver) + 1) && EVP_DigestUpdate(c, &n, sizeof(n));
    for (size_t k = 0; ok && k < m->n; k++) {
        uint8_t compiled = m->pats[k].re != NULL;
        uint32_t flags = pats[k].re_flags;
        uint64_t len = pats[k].pattern != NULL ? strlen(pats[k].pattern) : 0;
        uint64_t plen = pats[k].prefilter != NULL ? strlen(pats[k].prefilter) + 1 : 0;

        ok = EVP_DigestUpdate(c, &compiled, 1) && EVP_DigestUpdate(c, &flags, sizeof(flags)) &&
             EVP_DigestUpdate(c, &len, sizeof(len)) &&
             (len == 0 || EVP_DigestUpdate(c, pats[k].pattern, len)) &&
             EVP_DigestUpdate(c, &plen, sizeof(plen)) &&
             (plen == 0 || EVP_DigestUpdate(c, pats[k].prefilter, plen - 1));
    }
    ok = ok && EVP_DigestFinal_ex(c, key, &keylen) && keylen == SM_KEY_LEN;
    EVP_MD_CTX_free(c);
    return ok ? 0 : -1;
}

static bool
sm_sha256(const void *p, size_t len, uint8_t *out)
{
    unsigned outlen = 0;

    return EVP_Digest(p, len, out, &outlen, EVP_sha256(), NULL) && outlen == SM_KEY_LEN;
}

static char *
sm_read_file(const char *path, size_t *lenp)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    char *p;

    if (f == NULL)
        return NULL;
    if (fstat(fileno(f), &st) == -1 || st.st_size <= 0 || (uint64_t)st.st_size > SM_CACHE_MAX) {
        fclose(f);
        return NULL;
    }
    p = xmalloc((size_t)st.st_size);
    if (fread(p, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *lenp = (size_t)st.st_size;
    return p;
}

/* Reads fields off a cache file, never past its end. */
struct sm_reader {
    const char *p;
    size_t len, off;
};

static bool
sm_get(struct sm_reader *rd, void *out, size_t n)
{
    if (rd->len - rd->off < n)
        return false;
    memcpy(out, rd->p + rd->off, n);
    rd->off += n;
    return true;
}

/* The cache file at path, if it is whole and made for this set. */
static bool
sm_hs_load(struct scan_matcher *m, const char *path, const uint8_t *key, bool *on_hs)
{
    size_t len = 0;
    char *file = sm_read_file(path, &len);
    struct sm_reader rd = { file, len, 0 };
    char magic[8];
    uint8_t fkey[SM_KEY_LEN], sum[SM_KEY_LEN];
    uint32_t format, n, nhs, nchain = 0, nrec = 0;
    uint64_t dblen, plainlen, chainlen;
    uint32_t *idx = NULL, *flags = NULL, *gap = NULL, *rec = NULL;
    hs_database_t *db = NULL, *plain = NULL, *chain = NULL;
    hs_scratch_t *scratch = NULL;
    size_t prefilter = 0, dboff, plainoff;
    bool ok = false;

    if (file == NULL || len < SM_KEY_LEN || !sm_sha256(file, len - SM_KEY_LEN, sum) ||
        memcmp(sum, file + len - SM_KEY_LEN, SM_KEY_LEN) != 0)
        goto out;
    rd.len = len - SM_KEY_LEN;
    if (!sm_get(&rd, magic, 8) || memcmp(magic, SM_CACHE_MAGIC, 8) != 0 ||
        !sm_get(&rd, &format, 4) || format != SM_CACHE_FORMAT || !sm_get(&rd, fkey, SM_KEY_LEN) ||
        memcmp(fkey, key, SM_KEY_LEN) != 0 || !sm_get(&rd, &n, 4) || n != m->n ||
        !sm_get(&rd, &nhs, 4) || nhs == 0 || nhs > n)
        goto out;
    idx = xcalloc(nhs, sizeof(*idx));
    flags = xcalloc(nhs, sizeof(*flags));
    if (!sm_get(&rd, idx, nhs * sizeof(*idx)) || !sm_get(&rd, flags, nhs * sizeof(*flags)) ||
        !sm_get(&rd, &dblen, 8) || dblen > rd.len - rd.off)
        goto out;
    dboff = rd.off;
    rd.off += (size_t)dblen;
    if (!sm_get(&rd, &plainlen, 8) || plainlen > rd.len - rd.off)
        goto out;
    plainoff = rd.off;
    rd.off += (size_t)plainlen;
    /* the counting prefilters: gaps, (pattern, 1 + expression, n, starts)
     * records */
    if (!sm_get(&rd, &nchain, 4) || nchain > n)
        goto out;
    gap = xcalloc(nchain + 1, sizeof(*gap));
    if (!sm_get(&rd, gap, nchain * sizeof(*gap)) || !sm_get(&rd, &nrec, 4) || nrec > n)
        goto out;
    rec = xcalloc(4 * (size_t)nrec + 1, sizeof(*rec));
    if (!sm_get(&rd, rec, 4 * (size_t)nrec * sizeof(*rec)) || !sm_get(&rd, &chainlen, 8) ||
        chainlen != rd.len - rd.off || (nchain > 0) != (chainlen > 0))
        goto out;
    for (uint32_t j = 0; j < nchain; j++) {
        if (gap[j] == 0)
            goto out;
    }
    for (uint32_t i = 0; i < nrec; i++) {
        uint32_t k = rec[4 * i], c = rec[4 * i + 1], cn = rec[4 * i + 2];

        if (k >= n || (i > 0 && k <= rec[4 * (i - 1)]) || m->pats[k].re == NULL || c == 0 ||
            c > nchain || cn < 2 || rec[4 * i + 3] > 1)
            goto out;
    }
    for (uint32_t j = 0; j < nhs; j++) {
        if (idx[j] >= n || (j > 0 && idx[j] <= idx[j - 1]) || m->pats[idx[j]].re == NULL)
            goto out;
        prefilter += (flags[j] & HS_FLAG_PREFILTER) != 0;
    }
    /* a database for another CPU deserializes but gets no scratch */
    if (hs_deserialize_database(file + dboff, (size_t)dblen, &db) != HS_SUCCESS ||
        hs_alloc_scratch(db, &scratch) != HS_SUCCESS)
        goto out;
    if (plainlen > 0 &&
        (hs_deserialize_database(file + plainoff, (size_t)plainlen, &plain) != HS_SUCCESS ||
         hs_alloc_scratch(plain, &scratch) != HS_SUCCESS))
        goto out;
    if (chainlen > 0 &&
        (hs_deserialize_database(file + rd.off, (size_t)chainlen, &chain) != HS_SUCCESS ||
         hs_alloc_scratch(chain, &scratch) != HS_SUCCESS))
        goto out;
    m->db = db;
    db = NULL;
    m->db_plain = plain;
    plain = NULL;
    m->db_chain = chain;
    chain = NULL;
    m->hs_pat = idx;
    idx = NULL;
    m->nhs = nhs;
    m->nhs_prefilter = prefilter;
    for (uint32_t j = 0; j < nhs; j++)
        on_hs[m->hs_pat[j]] = true;
    if (m->db_chain != NULL) {
        m->nchain = nchain;
        m->chain_gap = gap;
        gap = NULL;
        for (uint32_t i = 0; i < nrec; i++) {
            m->pats[rec[4 * i]].chain = rec[4 * i + 1];
            m->pats[rec[4 * i]].chain_n = rec[4 * i + 2];
            m->pats[rec[4 * i]].chain_starts = rec[4 * i + 3] != 0;
        }
        m->nchain_patterns = nrec;
    }
    ok = true;
out:
    hs_free_scratch(scratch);
    hs_free_database(db);
    hs_free_database(plain);
    hs_free_database(chain);
    free(idx);
    free(flags);
    free(gap);
    free(rec);
    free(file);
    return ok;
}

static void
sm_put(char **p, const void *src, size_t n)
{
    memcpy(*p, src, n);
    *p += n;
}

static bool
sm_write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);

        if (w == -1 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        len -= (size_t)w;
    }
    return true;
}

/* Write the cache file; a failure costs the next start its speed only. */
static void
sm_hs_save(const struct scan_matcher *m, const struct sm_hs_set *set, const char *dir,
           const char *path, const uint8_t *key)
{
    char *db = NULL, *pdb = NULL, *cdb = NULL, *file, *p, tmp[PATH_MAX];
    size_t dblen = 0, pdblen = 0, cdblen = 0, len;
    uint32_t format = SM_CACHE_FORMAT, n = (uint32_t)m->n, nhs = (uint32_t)set->n;
    uint32_t nchain = m->db_chain != NULL ? (uint32_t)m->nchain : 0;
    uint32_t nrec = m->db_chain != NULL ? (uint32_t)m->nchain_patterns : 0;
    uint64_t dblen64, pdblen64, cdblen64;
    bool ok;
    int fd;

    if (hs_serialize_database(m->db, &db, &dblen) != HS_SUCCESS)
        return;
    if ((m->db_plain != NULL && hs_serialize_database(m->db_plain, &pdb, &pdblen) != HS_SUCCESS) ||
        (m->db_chain != NULL && hs_serialize_database(m->db_chain, &cdb, &cdblen) != HS_SUCCESS)) {
        free(db);
        free(pdb);
        return;
    }
    dblen64 = dblen;
    pdblen64 = pdblen;
    cdblen64 = cdblen;
    len = 8 + 4 + SM_KEY_LEN + 4 + 4 + set->n * 8 + 8 + dblen + 8 + pdblen + 4 + nchain * 4 + 4 +
          nrec * 16 + 8 + cdblen + SM_KEY_LEN;
    file = p = xmalloc(len);
    sm_put(&p, SM_CACHE_MAGIC, 8);
    sm_put(&p, &format, 4);
    sm_put(&p, key, SM_KEY_LEN);
    sm_put(&p, &n, 4);
    sm_put(&p, &nhs, 4);
    sm_put(&p, set->pat, set->n * 4);
    for (size_t j = 0; j < set->n; j++) {
        uint32_t fl = set->flags[j];

        sm_put(&p, &fl, 4);
    }
    sm_put(&p, &dblen64, 8);
    sm_put(&p, db, dblen);
    sm_put(&p, &pdblen64, 8);
    if (pdblen > 0)
        sm_put(&p, pdb, pdblen);
    sm_put(&p, &nchain, 4);
    for (uint32_t j = 0; j < nchain; j++)
        sm_put(&p, &m->chain_gap[j], 4);
    sm_put(&p, &nrec, 4);
    for (size_t k = 0; nrec > 0 && k < m->n; k++) {
        uint32_t r[4] = { (uint32_t)k, m->pats[k].chain, m->pats[k].chain_n,
                          m->pats[k].chain_starts };

        if (m->pats[k].chain != 0)
            sm_put(&p, r, sizeof(r));
    }
    sm_put(&p, &cdblen64, 8);
    if (cdblen > 0)
        sm_put(&p, cdb, cdblen);
    free(db); /* Hyperscan's allocator is malloc unless someone set another */
    free(pdb);
    free(cdb);
    if (!sm_sha256(file, len - SM_KEY_LEN, (uint8_t *)p)) {
        free(file);
        return;
    }
    if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
        log_warn("matcher: cache %s: %s", dir, strerror(errno));
        free(file);
        return;
    }
    snprintf(tmp, sizeof(tmp), "%s/.sift-hs-XXXXXX", dir);
    fd = mkstemp(tmp);
    ok = fd != -1 && sm_write_all(fd, file, len) && fsync(fd) == 0;
    if (fd != -1 && close(fd) == -1)
        ok = false;
    if (!ok || rename(tmp, path) == -1) {
        log_warn("matcher: cannot write cache %s: %s", path, strerror(errno));
        if (fd != -1)
            unlink(tmp);
    }
    free(file);
}

int
scan_match_hs_build(struct scan_matcher *m, const struct scan_pattern *pats,
                    const struct scan_match_opts *opts, bool *on_hs, struct sift_err *err)
{
    uint8_t key[SM_KEY_LEN];
    char path[PATH_MAX];
    bool cache = opts != NULL && opts->cache_dir != NULL && opts->cache_dir[0] != '\0';
    struct sm_hs_set set = { 0 };

    (void)err;
    if (m->n == 0)
        return 0;
    if (cache && sm_hs_key(m, pats, key) == -1)
        cache = false;
    if (cache) {
        char hex[2 * SM_KEY_LEN + 1];

        for (size_t i = 0; i < SM_KEY_LEN; i++)
            snprintf(hex + 2 * i, 3, "%02x", key[i]);
        snprintf(path, sizeof(path), "%s/sift-hs-%s.db", opts->cache_dir, hex);
        m->cache_path = xstrdup(path);
        if (sm_hs_load(m, path, key, on_hs)) {
            m->from_cache = true;
            return 0;
        }
    }
    set.exprs = xcalloc(m->n, sizeof(*set.exprs));
    set.flags = xcalloc(m->n, sizeof(*set.flags));
    set.base = xcalloc(m->n, sizeof(*set.base));
    set.ids = xcalloc(m->n, sizeof(*set.ids));
    set.pat = xcalloc(m->n, sizeof(*set.pat));
    for (size_t k = 0; k < m->n; k++) {
        const struct sm_pat *sp = &m->pats[k];
        char *expr;
        unsigned base, flags;
        bool relaxed;

        if (sp->re == NULL)
            continue;
        expr = sm_hs_offer(&pats[k], sp->re_flags, &relaxed);
        if (expr == NULL)
            continue;
        base = sm_hs_flags(sp);
        /* a relaxed pattern only ever says "maybe" */
        flags =
            relaxed ? sm_hs_accepts_prefilter(expr, base, true) : sm_hs_accepts(expr, base, true);
        if (flags == SM_HS_REFUSED) {
            free(expr);
            continue;
        }
        set.exprs[set.n] = expr;
        set.flags[set.n] = flags;
        set.base[set.n] = base;
        set.pat[set.n] = (uint32_t)k;
        set.ids[set.n] = (unsigned)set.n;
        set.n++;
    }
    m->db = sm_hs_compile(&set);
    if (m->db != NULL) {
        bool *exact = xcalloc(m->n, sizeof(*exact));

        m->db_plain = sm_hs_compile_plain(&set);
        m->nhs = set.n;
        m->hs_pat = xcalloc(set.n, sizeof(*m->hs_pat));
        for (size_t j = 0; j < set.n; j++) {
            m->hs_pat[j] = set.pat[j];
            on_hs[set.pat[j]] = true;
            exact[set.pat[j]] = !(set.flags[j] & HS_FLAG_PREFILTER);
            m->nhs_prefilter += (set.flags[j] & HS_FLAG_PREFILTER) != 0;
        }
        sm_hs_chains(m, pats, exact);
        free(exact);
        if (cache)
            sm_hs_save(m, &set, opts->cache_dir, path, key);
    }
    sm_hs_set_free(&set);
    return 0;
}

void
scan_match_hs_free(struct scan_matcher *m)
{
    free(m->cache_path);
    hs_free_database(m->db);
    m->db = NULL;
    hs_free_database(m->db_plain);
    m->db_plain = NULL;
    hs_free_database(m->db_chain);
    m->db_chain = NULL;
    free(m->hs_pat);
    m->hs_pat = NULL;
    free(m->chain_gap);
    m->chain_gap = NULL;
}

void
scan_match_hs_scratch_grow(struct scan_match_scratch *s, const struct scan_matcher *m)
{
    if (m->db == NULL)
        return;
    /* on failure the scratch stays as it was; a scan it cannot serve
     * makes every pattern a candidate */
    hs_alloc_scratch(m->db, &s->hs);
    if (m->db_plain != NULL)
        hs_alloc_scratch(m->db_plain, &s->hs);
    if (m->db_chain != NULL)
        hs_alloc_scratch(m->db_chain, &s->hs);
    if (s->cand_cap < m->nhs) {
        s->cand = xreallocarray(s->cand, m->nhs, sizeof(*s->cand));
        s->cand_cap = m->nhs;
    }
    if (s->chain_cap < m->nchain) {
        s->chain = xreallocarray(s->chain, m->nchain, sizeof(*s->chain));
        memset(s->chain + s->chain_cap, 0, (m->nchain - s->chain_cap) * sizeof(*s->chain));
        s->chain_cap = m->nchain;
    }
}

void
scan_match_hs_scratch_free(struct scan_match_scratch *s)
{
    hs_free_scratch(s->hs);
    s->hs = NULL;
    free(s->cand);
    s->cand = NULL;
    s->cand_cap = 0;
    for (size_t j = 0; j < s->chain_cap; j++)
        free(s->chain[j].ends);
    free(s->chain);
    s->chain = NULL;
    s->chain_cap = 0;
}

static int
sm_hs_on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
               void *ctx)
{
    struct scan_match_scratch *s = ctx;

    (void)from;
    (void)to;
    (void)flags;
    /* SINGLEMATCH: each id once per scan, so the room always suffices */
    if (s->ncand < s->cand_cap)
        s->cand[s->ncand++] = id;
    else
        s->cand_lost = true;
    return 0;
}

/* No byte >= 0x80 and no "&#": what the plain database is exact for. */
static bool
sm_plain_text(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];

        if (c >= 0x80 || (c == '&' && i + 1 < len && p[i + 1] == '#'))
            return false;
    }
    return true;
}

static hs_error_t
sm_hs_scan(const struct scan_matcher *m, struct scan_match_scratch *s, const char *p, size_t len)
{
    const hs_database_t *db = m->db;

    s->ncand = 0;
    s->cand_lost = false;
    if (len > UINT_MAX)
        return HS_INVALID;
    if (m->db_plain != NULL && sm_plain_text(p, len))
        db = m->db_plain;
    return hs_scan(db, p, (unsigned)len, 0, s->hs, sm_hs_on_match, s);
}

void
scan_match_hs_run(struct sm_run *r, const char *p, size_t len)
{
    const struct scan_matcher *m = r->m;
    struct scan_match_scratch *s = r->s;
    hs_error_t rc;

    if (m->db == NULL)
        return;
    if (s->cand_cap < m->nhs)
        scan_match_hs_scratch_grow(s, m);
    rc = sm_hs_scan(m, s, p, len);
    if (rc == HS_INVALID && len <= UINT_MAX) {
        /* a matcher made after the scratch: grow it once */
        scan_match_hs_scratch_grow(s, m);
        rc = sm_hs_scan(m, s, p, len);
    }
    if (rc != HS_SUCCESS || s->cand_lost) {
        /* no answer from Hyperscan (a text past 4 GiB, no memory): PCRE2
         * alone, as exact */
        for (size_t j = 0; j < m->nhs; j++)
            scan_match_try(r, m->hs_pat[j], p, len);
        return;
    }
    for (size_t i = 0; i < s->ncand; i++)
        scan_match_try(r, m->hs_pat[s->cand[i]], p, len);
}

/* The most ends kept per chain expression and text (a bound on the
 * memory a long text takes; past it there is no start limit). */
#define SM_CHAIN_MAX_ENDS 65536u

/* One report of the chain database: the walk of scan_match_chain.c over
 * the ends in the order they come, and the end kept. One out of order
 * (Hyperscan does not promise the order) makes the answer unknown: the
 * pattern runs, with no limit. */
static int
sm_hs_on_chain(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
               void *ctx)
{
    struct sm_run *r = ctx;
    struct sm_chain_count *c;

    (void)from;
    (void)flags;
    if (id >= r->m->nchain)
        return 0;
    c = &r->s->chain[id];
    if (to < c->top) {
        c->taken = UINT_MAX;
        c->ends_lost = true;
        return 0;
    }
    c->top = to;
    if (c->taken != UINT_MAX && (c->taken == 0 || to >= c->last + r->m->chain_gap[id])) {
        c->taken++;
        c->last = to;
    }
    if (c->ends_lost)
        return 0;
    if (c->nends == c->ends_cap) {
        if (c->ends_cap == SM_CHAIN_MAX_ENDS) {
            c->ends_lost = true;
            return 0;
        }
        c->ends_cap = c->ends_cap ? 2 * c->ends_cap : 64;
        c->ends = xreallocarray(c->ends, c->ends_cap, sizeof(*c->ends));
    }
    c->ends[c->nends++] = to;
    return 0;
}

static hs_error_t
sm_hs_chain_scan(struct sm_run *r, const char *p, size_t len)
{
    struct scan_match_scratch *s = r->s;

    if (len > UINT_MAX)
        return HS_INVALID;
    for (size_t j = 0; j < r->m->nchain; j++) {
        struct sm_chain_count *c = &s->chain[j];

        c->last = c->top = 0;
        c->taken = 0;
        c->nends = 0;
        c->ends_lost = false;
    }
    return hs_scan(r->m->db_chain, p, (unsigned)len, 0, s->hs, sm_hs_on_chain, r);
}

/* The latest offset a match needing n ends gap apart can start at: walk
 * the ends from the last, taking each at least gap before the one taken
 * last; the n-th taken, h, is the latest end that begins n of them (by the
 * exchange argument of scan_match_chain.c, mirrored), and a match, whose
 * first K-match ends at or before h and is at least gap long, starts at or
 * before h - gap. SIZE_MAX: not known. */
static size_t
sm_chain_limit(const struct sm_chain_count *c, unsigned n, uint32_t gap)
{
    unsigned long long h;
    unsigned got = 1;

    if (c->ends_lost || c->nends == 0)
        return SIZE_MAX;
    h = c->ends[c->nends - 1];
    for (size_t i = c->nends - 1; got < n && i-- > 0;) {
        if (c->ends[i] + gap <= h) {
            h = c->ends[i];
            got++;
        }
    }
    if (got < n || h < gap || h - gap >= SIZE_MAX)
        return SIZE_MAX;
    return (size_t)(h - gap);
}

bool
scan_match_hs_chain_pass(struct sm_run *r, uint32_t k, const char *p, size_t len, size_t *limit)
{
    const struct scan_matcher *m = r->m;
    struct scan_match_scratch *s = r->s;
    const struct sm_pat *sp = &m->pats[k];
    const struct sm_chain_count *c;

    *limit = SIZE_MAX;
    if (m->db_chain == NULL || sp->chain == 0 || sp->chain > m->nchain)
        return true;
    if (s->chain_text != p || s->chain_len != len) {
        hs_error_t rc;

        if (s->chain_cap < m->nchain)
            scan_match_hs_scratch_grow(s, m);
        if (s->chain_cap < m->nchain)
            return true;
        rc = sm_hs_chain_scan(r, p, len);
        if (rc == HS_INVALID && len <= UINT_MAX) {
            scan_match_hs_scratch_grow(s, m); /* a matcher made after the scratch */
            rc = sm_hs_chain_scan(r, p, len);
        }
        s->chain_text = p;
        s->chain_len = len;
        s->chain_fail = rc != HS_SUCCESS;
    }
    if (s->chain_fail)
        return true;
    c = &s->chain[sp->chain - 1];
    if (c->taken < sp->chain_n)
        return false;
    *limit = sm_chain_limit(c, sp->chain_n, m->chain_gap[sp->chain - 1]);
    return true;
}

#else /* !SIFT_HAVE_HYPERSCAN: everything runs on PCRE2 */

int
scan_match_hs_build(struct scan_matcher *m, const struct scan_pattern *pats,
                    const struct scan_match_opts *opts, bool *on_hs, struct sift_err *err)
{
    (void)m;
    (void)pats;
    (void)opts;
    (void)on_hs;
    (void)err;
    return 0;
}

void
scan_match_hs_free(struct scan_matcher *m)
{
    (void)m;
}

void
scan_match_hs_scratch_grow(struct scan_match_scratch *s, const struct scan_matcher *m)
{
    (void)s;
    (void)m;
}

void
scan_match_hs_scratch_free(struct scan_match_scratch *s)
{
    (void)s;
}

void
scan_match_hs_run(struct sm_run *r, const char *p, size_t len)
{
    (void)r;
    (void)p;
    (void)len;
}

bool
scan_match_hs_chain_pass(struct sm_run *r, uint32_t k, const char *p, size_t len, size_t *limit)
{
    (void)r;
    (void)k;
    (void)p;
    (void)len;
    *limit = SIZE_MAX;
    return true;
}

#endif
