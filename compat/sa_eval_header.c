/*
 * sa_eval_header.c - SpamAssassin 4.0.1's Plugin::HeaderEval in C,
 * function by function as the Perl reads: the same get() requests (mime_get.h), the same patterns
 * (PCRE2, byte semantics, as Perl runs them on SA's octet strings), the same quirks (a
 * Perl-interpolated variable is a pattern, not a literal, where SA forgot \Q). Patterns are
 * compiled once per rule by the prepare hook into the engine's arena; a match that hits the match
 * limit reads as no match. Per-message values SA caches on the PerMsgStatus (date_diff,
 * tocc_similar) are computed again per call: they are pure functions of the message.
 * The forged-webmail checks are in sa_eval_forged.c, on the engine here (sa_eval_header_int.h).
 */
#include "compat/sa_eval_header.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <math.h>
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "compat/sa_eval_header_int.h"
#include "compat/sa_eval_util.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "mime/mime_date.h"
#include "mime/mime_get.h"
#include "mime/mime_received_rules.h"
#include "mime/mime_uni.h"
#include "scan/task.h"

#define HE_MATCH_LIMIT 100000u
#define HE_OVEC_PAIRS  8u

/* ------------------------------------------------------------------------
 * patterns: Perl's, with {IP} standing for Constants::IP_ADDRESS; the ids
 * below HE_RE_OWN are shared with sa_eval_forged.c (sa_eval_header_int.h)
 */

enum he_re {
    RE_ENCWORD = HE_RE_OWN,
    RE_GW05,
    RE_RCVD_DATE,
    RE_FETCH_LOCAL,
    RE_FETCH_QMAIL,
    RE_FETCH_MAIL,
    RE_SUBJ_PREFIX,
    RE_CLTFAC,
    RE_OUTLOOK_ID,
    RE_LYRIS,
    RE_TEMPLATE,
    RE_TEMPLATE_OK,
    RE_RATWARE_MID,
    RE_SRS,
    RE_TO_SPLIT,
    RE_AT_DOMAIN,
    RE_TWO_LEVEL,
    RE_COUNT
};

_Static_assert(RE_COUNT <= HE_RE_MAX, "too many patterns");

#define I PCRE2_CASELESS
#define M PCRE2_MULTILINE
#define S PCRE2_DOTALL

static const struct he_pat he_pats[RE_COUNT] = {
    [RE_IP] = { "{IP}", 0 },
    [RE_ENCWORD] = { "=\\?(.+?)\\?.\\?.*?\\?=", 0 },
    [RE_EZMLM_ML] = { "^contact \\S+\\@\\S+\\; run by ezmlm$", M },
    [RE_EZMLM_DLTO] = { "^mailing list \\S+\\@\\S+", M },
    [RE_EZMLM_QMAIL] = { "qmail \\d+ invoked (?:from network|by .{3,20})\\); \\d+ ... \\d+", 0 },
    [RE_MSN_GATED] = { "from groups\\.msn\\.com \\(\\S+\\.msn\\.com ", 0 },
    [RE_MSN_TO] = { "<(\\S+)\\@groups\\.msn\\.com>", I },
    [RE_MSN_PICKUP] = { "from mail pickup service by ((?:p\\d\\d\\.)groups\\.msn\\.com)\\b", 0 },
    [RE_GW05] = { "\\nfrom\\s(\\S+)\\sby\\s(\\S+)\\swith\\sESMTP\\;\\s+\\S\\S\\S,\\s+\\d+\\s+"
                  "\\S\\S\\S\\s+\\d{4}\\s+\\d\\d:\\d\\d:\\d\\d\\s+[-+]*\\d{4}\\n$",
                  S },
    [RE_RCVD_DATE] = { "(\\s.?\\d+ \\S\\S\\S \\d+ \\d+:\\d+:\\d+ \\S+)", 0 },
    [RE_FETCH_LOCAL] = { "\\bfrom (?:localhost\\s|(?:\\S+ ){1,2}\\S*\\b127\\.0\\.0\\.1\\b)", 0 },
    [RE_FETCH_QMAIL] = { "qmail \\d+ invoked by uid \\d+", 0 },
    [RE_FETCH_MAIL] = { "\\bby localhost with \\w+ \\(fetchmail-[\\d.]+", 0 },
    [RE_SUBJ_PREFIX] = { "^(?:(?:Re|Fwd|Fw|Aw|Antwort|WG|SV|VB|VS|VL):\\s*)+", I },
    /* =\?${CLTFAC}\? with Constants::CHARSETS_LIKELY_TO_FP_AS_CAPS */
    [RE_CLTFAC] = { "=\\?[-_a-z0-9]*(?:koi|jp|jis|euc|gb|big5|isoir|cp1251|windows-1251|"
                    "georgianps|pt154|tis)[-_a-z0-9]*\\?",
                    I },
    [RE_OUTLOOK_ID] = { "^<[0-9a-f]{4}([0-9a-f]{8})\\$[0-9a-f]{8}\\$[0-9a-f]{8}\\@", 0 },
    [RE_LYRIS] = { "<mailto:(?:leave-\\S+|\\S+-unsubscribe)\\@\\S+>$", I },
    [RE_TEMPLATE] = { "%[A-Z][A-Z_-]", 0 },
    [RE_TEMPLATE_OK] = { "^(?:X-VMS-To|X-UIDL|X-Face|To|Cc|From|Subject|References|In-Reply-To|"
                         "(?:X-|Resent-|X-Original-)?Message-Id):",
                         I },
    [RE_RATWARE_MID] = { "<[A-Z]{28}\\.([^>]+?)>", 0 },
    [RE_SRS] = { "^SRS\\d[=+-]", I },
    [RE_TO_SPLIT] = { "^([^@]+)\\@(.+)$", 0 },
    [RE_AT_DOMAIN] = { "\\@([^@]*)\\z", 0 },
    [RE_TWO_LEVEL] = { "^.+\\.([^\\.]+\\.[^\\.]+)$", 0 },
};

#undef I
#undef M
#undef S

/* What the date functions run. */
#define NEED_DATES RE_RCVD_DATE, RE_FETCH_LOCAL, RE_FETCH_QMAIL, RE_FETCH_MAIL

static void
he_code_free(void *p)
{
    pcre2_code_free(p);
}

static void
he_mctx_free(void *p)
{
    pcre2_match_context_free(p);
}

static pcre2_match_context *
he_mctx_new(struct arena *a)
{
    pcre2_match_context *mctx = pcre2_match_context_create(NULL);

    if (mctx == NULL)
        xalloc_die(sizeof(void *));
    pcre2_set_match_limit(mctx, HE_MATCH_LIMIT);
    pcre2_set_depth_limit(mctx, HE_MATCH_LIMIT);
    arena_on_free(a, he_mctx_free, mctx);
    return mctx;
}

/* Compile src (with {IP} expanded when ip) for LF newlines as Perl's; NULL
 * with the reason in err. The code is freed with arena a when a is given,
 * else the caller frees it. */
static pcre2_code *
he_compile(struct arena *a, const char *src, bool ip, uint32_t opts, struct sift_err *err)
{
    pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
    struct buf b;
    int code;
    PCRE2_SIZE off;
    pcre2_code *re;

    if (cc == NULL)
        xalloc_die(sizeof(void *));
    pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
    buf_init(&b);
    for (const char *p = src; *p != '\0';) {
        if (ip && strncmp(p, "{IP}", 4) == 0) {
            buf_puts(&b, rcv_re_ip_address);
            p += 4;
        } else {
            buf_putc(&b, *p++);
        }
    }
    re = pcre2_compile((PCRE2_SPTR)b.p, b.len, opts, &code, &off, cc);
    pcre2_compile_context_free(cc);
    if (re == NULL) {
        PCRE2_UCHAR msg[128];

        pcre2_get_error_message(code, msg, sizeof(msg));
        sift_err_set(err, "pattern at %zu: %s: %.80s", (size_t)off, (const char *)msg, src);
    } else if (a != NULL) {
        arena_on_free(a, he_code_free, re);
    }
    buf_clear(&b);
    return re;
}

int
sa_he_prepare(struct arena *a, const struct he_pat *own, const uint8_t *need, void **state,
              struct sift_err *err)
{
    struct he_state *st = arena_calloc(a, 1, sizeof(*st));

    st->mctx = he_mctx_new(a);
    for (; *need != RE_NONE; need++) {
        const struct he_pat *pat = *need < HE_RE_OWN ? &he_pats[*need] : &own[*need];

        if (st->re[*need] == NULL &&
            (st->re[*need] = he_compile(a, pat->src, true, pat->opts, err)) == NULL)
            return -1;
    }
    *state = st;
    return 0;
}

/* For functions whose patterns are all made per message: the match limits. */
static int
prep_limits(struct arena *a, const struct scan_rule *rule, void **state, struct sift_err *err)
{
    static const uint8_t none[] = { RE_NONE };

    (void)rule;
    return sa_he_prepare(a, he_pats, none, state, err);
}

/* ------------------------------------------------------------------------
 * one call: the message, the rule's patterns, match scratch
 */

void
sa_he_run_init(struct he_run *r, struct scan_eval_ctx *ec)
{
    r->ec = ec;
    r->m = ec->msg != NULL ? ec->msg : task_message(ec->task);
    r->a = ec->task->arena;
    r->st = ec->state;
    r->md = pcre2_match_data_create(HE_OVEC_PAIRS, NULL);
    if (r->md == NULL)
        xalloc_die(HE_OVEC_PAIRS * 2 * sizeof(PCRE2_SIZE));
    r->subject = strv_make("", 0);
}

static bool
he_exec(struct he_run *r, const pcre2_code *re, pcre2_match_context *mctx, struct strv s,
        size_t start)
{
    int rc = pcre2_match(re, (PCRE2_SPTR)(s.p != NULL ? s.p : ""), s.len, start, 0, r->md, mctx);

    r->subject = s;
    return rc >= 0;
}

/* Does pattern id match s (from byte start)? */
static bool
he_m_at(struct he_run *r, unsigned id, struct strv s, size_t start)
{
    const pcre2_code *re = r->st != NULL ? r->st->re[id] : NULL;

    if (re == NULL) /* a pattern missing from the function's HE_PREP list */
        log_panic("sa_eval_header: pattern %u not prepared for %s", id,
                  r->ec->rule != NULL ? r->ec->rule->name : "?");
    return he_exec(r, re, r->st->mctx, s, start);
}

bool
sa_he_m(struct he_run *r, unsigned id, struct strv s)
{
    return he_m_at(r, id, s, 0);
}

/* Group n of the last match (empty when unset). */
static struct strv
he_group(const struct he_run *r, unsigned n)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);

    if (n >= HE_OVEC_PAIRS || ov[2 * n] == PCRE2_UNSET)
        return strv_make(r->subject.p, 0);
    return strv_make(r->subject.p + ov[2 * n], ov[2 * n + 1] - ov[2 * n]);
}

/* Where the last match ended. */
static size_t
he_match_end(const struct he_run *r)
{
    return pcre2_get_ovector_pointer(r->md)[1];
}

/* A pattern made of a Perl-interpolated variable: compiled for this call
 * only. A pattern that does not compile is Perl's die: the function's
 * result is then no hit, which `*died` says. */
static bool
he_dyn_match(struct he_run *r, const char *pattern, uint32_t opts, struct strv s, bool *died)
{
    struct sift_err err;
    pcre2_code *re = he_compile(NULL, pattern, false, opts, &err);
    bool hit;

    if (re == NULL) {
        *died = true;
        return false;
    }
    hit = he_exec(r, re, r->st != NULL ? r->st->mctx : NULL, s, 0);
    pcre2_code_free(re);
    return hit;
}

/* ------------------------------------------------------------------------
 * shared helpers
 */

struct strv
sa_he_get(struct he_run *r, const char *request)
{
    bool found;

    return mime_get_scalar(r->m, request, &found);
}

bool
sa_he_get_def(struct he_run *r, const char *request, struct strv *out)
{
    bool found;

    *out = mime_get_scalar(r->m, request, &found);
    return found;
}

/* Perl's \s (no locale): HT, LF, VT, FF, CR, space. */
static bool
he_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool
he_word(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

struct strv
sa_he_squeeze(struct arena *a, struct strv s)
{
    char *out = arena_alloc(a, s.len + 1);
    size_t n = 0;

    for (size_t i = 0; i < s.len; i++) {
        if (!he_space((unsigned char)s.p[i]))
            out[n++] = s.p[i];
        else if (n == 0 || !he_space((unsigned char)s.p[i - 1]))
            out[n++] = ' ';
    }
    out[n] = '\0';
    return strv_make(out, n);
}

static char
he_lc(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static bool
he_lc_equal(struct strv x, struct strv y)
{
    if (x.len != y.len)
        return false;
    for (size_t i = 0; i < x.len; i++) {
        if (he_lc(x.p[i]) != he_lc(y.p[i]))
            return false;
    }
    return true;
}

/* Is argument i the word undef (SA passes every argument as a string)? */
static bool
he_arg_undef(const struct scan_rule *rule, size_t i)
{
    const char *v = sa_eval_arg(rule, i);

    return v != NULL && strcmp(v, "undef") == 0;
}

static const char *
he_arg_str(const struct scan_rule *rule, size_t i)
{
    const char *v = sa_eval_arg(rule, i);

    return v != NULL ? v : "";
}

char *
sa_eval_header_quote(struct arena *a, struct strv s)
{
    char *out = arena_alloc(a, 2 * s.len + 1);
    size_t n = 0;

    for (size_t i = 0; i < s.len; i++) {
        if (!he_word((unsigned char)s.p[i]))
            out[n++] = '\\';
        out[n++] = s.p[i];
    }
    out[n] = '\0';
    return out;
}

/* Is d[0..len) a public suffix (in SA's two_level_domains or
 * three_level_domains, as sift reads them from the suffix list)? */
static bool
he_is_suffix(struct arena *a, const struct mime_psl *psl, const char *d, size_t len)
{
    char *probe = arena_alloc(a, len + 3);
    struct strv reg;

    memcpy(probe, "x.", 2);
    memcpy(probe + 2, d, len);
    reg = mime_psl_registered_domain(a, psl, strv_make(probe, len + 2));
    return reg.len == len + 2;
}

static bool
he_us_state(const char *p, size_t len)
{
    static const char states[] = "ak al ar az ca co ct dc de fl ga gu hi ia id il in ks ky la ma "
                                 "md me mi mn mo ms mt nc nd ne nh nj nm nv ny oh ok or pa pr ri "
                                 "sc sd tn tx ut va vi vt wa wi wv wy";

    if (len != 2)
        return false;
    for (size_t i = 0; i + 1 < sizeof(states); i += 3) {
        if (states[i] == p[0] && states[i + 1] == p[1])
            return true;
    }
    return false;
}

struct strv
sa_eval_header_split_domain(struct arena *a, const struct mime_psl *psl, struct strv name,
                            struct strv *host)
{
    struct strv d = mime_idn_to_ascii(a, name);
    char *s = arena_alloc(a, d.len + 1);
    size_t n = 0, *lab, nlab = 0, first = 0, start, end;

    if (host != NULL)
        *host = strv_make("", 0);
    if (d.len == 0)
        return strv_make("", 0);
    /* tr/././s, then no dots at either end */
    for (size_t i = 0; i < d.len; i++) {
        if (d.p[i] == '.' && (n == 0 || s[n - 1] == '.'))
            continue;
        s[n++] = d.p[i];
    }
    while (n > 0 && s[n - 1] == '.')
        n--;
    s[n] = '\0';
    if (n == 0)
        return strv_make(s, 0);
    /* where the labels start (split /\./: none is empty now) */
    lab = arena_alloc(a, (n / 2 + 1) * sizeof(*lab));
    lab[nlab++] = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.')
            lab[nlab++] = i + 1;
    }
    /* labels [first, nlab) are @domparts; shift until the TLD is found */
    while (nlab - first > 1) {
        size_t left = nlab - first;
        const char *p = s + lab[first];
        size_t plen = n - lab[first];

        if (left == 2 && psl != NULL && he_is_suffix(a, psl, p, plen))
            break;
        if (left == 3) {
            const char *l1 = s + lab[first + 1];
            size_t l1len = lab[first + 2] - lab[first + 1] - 1;

            if (strcmp(s + lab[first + 2], "us") == 0) {
                if (he_us_state(l1, l1len))
                    break;
            } else if (psl != NULL && he_is_suffix(a, psl, p, plen)) {
                break;
            }
        }
        if (left == 4 && strcmp(s + lab[first + 3], "us") == 0) {
            const char *l0 = s + lab[first];
            size_t l0len = lab[first + 1] - lab[first] - 1;
            const char *l2 = s + lab[first + 2];
            size_t l2len = lab[first + 3] - lab[first + 2] - 1;
            bool k12 = (l0len == 3 && memcmp(l0, "pvt", 3) == 0 &&
                        lab[first + 2] - lab[first + 1] - 1 == 3 &&
                        memcmp(s + lab[first + 1], "k12", 3) == 0);
            bool cio = l0len == 2 && l0[0] == 'c' && (l0[1] == 'i' || l0[1] == 'o');

            if ((k12 || cio) && he_us_state(l2, l2len))
                break;
        }
        first++;
    }
    /* unshift @domparts, pop @hostname if @hostname */
    if (first > 0)
        first--;
    start = lab[first];
    end = first > 0 ? lab[first] - 1 : 0;
    if (host != NULL)
        *host = strv_make(s, end);
    return strv_make(s + start, n - start);
}

/* RegistryBoundaries::is_domain_valid(dom): no space, a dot, a known TLD. */
static bool
he_domain_valid(struct arena *a, const struct mime_psl *psl, struct strv dom)
{
    struct strv d = mime_idn_to_ascii(a, dom);
    const char *dot;

    for (size_t i = 0; i < d.len; i++) {
        if (he_space((unsigned char)d.p[i]))
            return false;
    }
    dot = d.len > 0 ? memrchr(d.p, '.', d.len) : NULL;
    if (dot == NULL || dot + 1 == d.p + d.len || psl == NULL)
        return false;
    return mime_psl_is_tld(psl, strv_make(dot + 1, (size_t)(d.p + d.len - dot - 1)));
}

/* ------------------------------------------------------------------------
 * check_for_faraway_charset_in_headers (Locales::is_charset_ok_for_locales)
 */

HE_PREP(prep_faraway, he_pats, RE_ENCWORD)

HE_EVAL(check_for_faraway_charset_in_headers)
{
    static const char *const hdrs[] = { "From:raw", "Subject:raw" };

    if (sa_eval_locales_all(r->ec))
        return 0;
    for (size_t h = 0; h < 2; h++) {
        const struct mime_get *g = mime_get(r->m, hdrs[h]);

        for (size_t k = 0; k < g->n; k++) {
            size_t at = 0;

            while (at <= g->v[k].len && he_m_at(r, RE_ENCWORD, g->v[k], at)) {
                size_t end = he_match_end(r);

                if (!sa_eval_charset_ok(r->ec, he_group(r, 1)))
                    return 1;
                at = end > at ? end : at + 1;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * check_illegal_chars, check_for_unique_subject_id
 */

static double
check_illegal_chars(struct scan_eval_ctx *ec)
{
    struct mime_msg *m = ec->msg != NULL ? ec->msg : task_message(ec->task);
    const char *header = he_arg_str(ec->rule, 0);
    size_t hlen = strlen(header);
    bool found, nonascii = false, controls = false;
    size_t illegal = 0, exempt = 0, blank = 0;
    char *req;
    struct strv str;

    if (hlen >= 4 && strcmp(header + hlen - 4, ":raw") == 0)
        req = arena_strdup(ec->task->arena, header);
    else
        req = arena_printf(ec->task->arena, "%s:raw", header);
    str = mime_get_scalar(m, req, &found);
    while (blank < str.len && he_space((unsigned char)str.p[blank]))
        blank++;
    if (blank == str.len)
        return 0; /* no \S */
    for (size_t i = 0; i < str.len; i++) {
        unsigned char c = (unsigned char)str.p[i];

        nonascii |= c >= 0x80;
        controls |= c <= 0x08 || c == 0x0b || c == 0x0c || (c >= 0x0e && c <= 0x1f);
        if (c <= 0x08 || c == 0x0b || c == 0x0c || (c >= 0x0e && c <= 0x1f) || c >= 0x7f)
            illegal++;
        if (c == 0xa2 || c == 0xa3 || c == 0xae)
            exempt++;
    }
    if (nonascii && mime_uni_valid_utf8(str.p, str.len) && !controls)
        return 0; /* valid UTF-8 without controls */
    /* minor exemptions for Subject: a single cent, pound or registered sign */
    if (illegal > 0 && strcasecmp(req, "subject:raw") == 0 && exempt == 1)
        illegal--;
    return ((double)illegal / (double)str.len) >= sa_eval_argnum(ec->rule, 1) &&
                   (double)illegal >= sa_eval_argnum(ec->rule, 2)
               ? 1
               : 0;
}

static double
check_zero(struct scan_eval_ctx *ec)
{
    (void)ec;
    return 0;
}

/* ------------------------------------------------------------------------
 * gated_through_received_hdr_remover, check_for_msn_groups_headers
 */

bool
sa_he_gated(struct he_run *r)
{
    struct strv txt, rcvd;

    if (sa_he_get_def(r, "Mailing-List", &txt) && sa_he_m(r, RE_EZMLM_ML, txt)) {
        struct strv dlto = sa_he_get(r, "Delivered-To");

        rcvd = sa_he_get(r, "Received");
        if (sa_he_m(r, RE_EZMLM_DLTO, dlto) && sa_he_m(r, RE_EZMLM_QMAIL, rcvd))
            return true;
    }
    if (!sa_he_get_def(r, "Received", &rcvd))
        return true; /* no Received headers: these tests cannot run */
    return sa_he_m(r, RE_MSN_GATED, rcvd);
}

HE_PREP(prep_gated, he_pats, NEED_GATED)

HE_EVAL(gated_through_received_hdr_remover)
{
    return sa_he_gated(r);
}

bool
sa_he_msn_groups(struct he_run *r, bool *died)
{
    struct strv to = sa_he_get(r, "To"), listname, server, mid;
    char *pat;

    if (!sa_he_m(r, RE_MSN_TO, to))
        return false;
    listname = he_group(r, 1);
    if (!sa_he_m(r, RE_MSN_PICKUP, sa_he_get(r, "Received")))
        return false;
    server = he_group(r, 1);
    mid = sa_he_get(r, "Message-Id");
    /* $server and $listname go into the patterns unquoted, as in SA */
    if (strv_eq(listname, "notifications")) {
        pat = arena_printf(r->a, "^<\\S+\\@%.*s>", (int)server.len, server.p);
        return he_dyn_match(r, pat, 0, mid, died);
    }
    pat = arena_printf(r->a, "^<%.*s-\\S+\\@groups\\.msn\\.com>", (int)listname.len, listname.p);
    if (!he_dyn_match(r, pat, 0, mid, died))
        return false;
    pat = arena_printf(r->a, "%.*s-bounce\\@groups\\.msn\\.com", (int)listname.len, listname.p);
    return he_dyn_match(r, pat, 0, sa_he_get(r, "EnvelopeFrom:addr"), died);
}

HE_PREP(prep_msn, he_pats, NEED_MSN)

HE_EVAL(check_for_msn_groups_headers)
{
    bool died = false;

    return sa_he_msn_groups(r, &died);
}

/* ------------------------------------------------------------------------
 * check_for_forged_gw05_received_headers
 */

HE_PREP(prep_gw05, he_pats, RE_GW05)

HE_EVAL(check_for_forged_gw05_received_headers)
{
    struct strv h2;

    if (!sa_he_m(r, RE_GW05, sa_he_get(r, "Received")))
        return 0;
    h2 = he_group(r, 2);
    return memchr(h2.p, '.', h2.len) == NULL;
}

/* ------------------------------------------------------------------------
 * envelope and header senders
 */

static double
check_for_matching_env_and_hdr_from(struct scan_eval_ctx *ec)
{
    struct mime_msg *m = ec->msg != NULL ? ec->msg : task_message(ec->task);
    bool found;
    struct strv env = mime_get_scalar(m, "EnvelopeFrom:addr", &found);
    struct strv from = mime_get_scalar(m, "From:addr", &found);

    return he_lc_equal(env, from);
}

/* $addr =~ /\@([^@]*)\z/, then s/^.+\.([^\.]+\.[^\.]+)$/$1/ */
static struct strv
he_second_level(struct he_run *r, struct strv addr)
{
    struct strv d;

    if (!sa_he_m(r, RE_AT_DOMAIN, addr))
        return strv_make("", 0);
    d = he_group(r, 1);
    if (sa_he_m(r, RE_TWO_LEVEL, d))
        d = he_group(r, 1);
    return d;
}

HE_PREP(prep_equal_domains, he_pats, RE_AT_DOMAIN, RE_TWO_LEVEL)

HE_EVAL(check_equal_from_domains)
{
    struct strv fromdom = he_second_level(r, sa_he_get(r, "From:addr")), envdom;

    if (fromdom.len == 0)
        return 0;
    envdom = he_second_level(r, sa_he_get(r, "EnvelopeFrom:addr"));
    if (envdom.len == 0)
        return 0;
    return !he_lc_equal(fromdom, envdom);
}

HE_PREP(prep_ratware_env, he_pats, RE_SRS, RE_TO_SPLIT)

HE_EVAL(check_ratware_envelope_from)
{
    struct strv to = sa_he_get(r, "To:addr"), from = sa_he_get(r, "EnvelopeFrom:addr"), user, dom;
    bool died = false;
    char *pat;

    if (from.len == 0 || to.len == 0)
        return 0;
    if (sa_he_m(r, RE_SRS, from))
        return 0;
    if (!sa_he_m(r, RE_TO_SPLIT, to))
        return 0;
    user = he_group(r, 1);
    dom = sa_eval_header_split_domain(r->a, r->m->ctx->psl, he_group(r, 2), NULL);
    if (!he_domain_valid(r->a, r->m->ctx->psl, dom))
        return 0; /* SA returns undef: no hit */
    pat = arena_printf(r->a, "\\b%s.%s@", sa_eval_header_quote(r->a, dom),
                       sa_eval_header_quote(r->a, user));
    return he_dyn_match(r, pat, PCRE2_CASELESS, from, &died);
}

HE_PREP(prep_ratware_id, he_pats, RE_RATWARE_MID)

HE_EVAL(check_ratware_name_id)
{
    struct strv mid = sa_he_get(r, "MESSAGEID"), from = sa_he_get(r, "From");
    bool died = false;
    char *pat;

    if (!sa_he_m(r, RE_RATWARE_MID, mid))
        return 0;
    pat =
        arena_printf(r->a, "\\\"[^\\\"]+\\\"\\s*<%s>", sa_eval_header_quote(r->a, he_group(r, 1)));
    return he_dyn_match(r, pat, 0, from, &died);
}

/* ------------------------------------------------------------------------
 * recipients: sorted_recipients, similar_recipients
 */

#define TOCC_SORTED_COUNT   7
#define TOCC_SIMILAR_COUNT  5
#define TOCC_SIMILAR_LENGTH 2
#define TOCC_MAX            256

static int
he_strv_cmp(struct strv x, struct strv y)
{
    size_t n = x.len < y.len ? x.len : y.len;
    int c = n > 0 ? memcmp(x.p, y.p, n) : 0;

    return c != 0 ? c : (x.len > y.len) - (x.len < y.len);
}

static int
he_strv_qcmp(const void *x, const void *y)
{
    return he_strv_cmp(*(const struct strv *)x, *(const struct strv *)y);
}

/* Perl's truth of a string */
static bool
he_true(struct strv s)
{
    return s.len > 0 && !(s.len == 1 && s.p[0] == '0');
}

/* _check_recipients: the addresses, adjacent duplicates dropped. */
static size_t
he_recipients(struct mime_msg *m, struct arena *a, struct strv **out)
{
    static const char *const reqs[] = { "ToCc:addr", "Bcc:addr" };
    struct strv *in = NULL, *addr;
    size_t nin = 0, n = 0;
    struct strv prev = strv_make("", 0);

    for (size_t k = 0; k < 2; k++) {
        const struct mime_get *g = mime_get(m, reqs[k]);

        if (g->n > 0) {
            in = arena_realloc(a, in, nin * sizeof(*in), (nin + g->n) * sizeof(*in));
            memcpy(in + nin, g->v, g->n * sizeof(*in));
            nin += g->n;
        }
        if (nin >= TOCC_SIMILAR_COUNT)
            break;
    }
    addr = arena_alloc(a, (nin > 0 ? nin : 1) * sizeof(*addr));
    /* while (my $current = shift @inputs): a false address ends the list */
    for (size_t i = 0; i < nin && he_true(in[i]); i++) {
        if (!he_lc_equal(in[i], prev))
            addr[n++] = prev = in[i];
        if (n == TOCC_MAX)
            break;
    }
    *out = addr;
    return n;
}

static bool
he_tocc_sorted(struct mime_msg *m, struct arena *a)
{
    struct strv *addr, *sorted;
    size_t n = he_recipients(m, a, &addr);
    struct buf x, y;
    bool same;

    if (n < TOCC_SORTED_COUNT)
        return false;
    sorted = arena_alloc(a, n * sizeof(*sorted));
    memcpy(sorted, addr, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), he_strv_qcmp);
    /* join(',', @address) eq join(',', sort @address) */
    buf_init(&x);
    buf_init(&y);
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            buf_putc(&x, ',');
            buf_putc(&y, ',');
        }
        buf_append(&x, addr[i].p, addr[i].len);
        buf_append(&y, sorted[i].p, sorted[i].len);
    }
    same = x.len == y.len && (x.len == 0 || memcmp(x.p, y.p, x.len) == 0);
    buf_clear(&x);
    buf_clear(&y);
    return same;
}

/* substr($_, 0, TOCC_SIMILAR_LENGTH) */
static struct strv
he_substr(struct strv s)
{
    return strv_make(s.p, s.len < TOCC_SIMILAR_LENGTH ? s.len : TOCC_SIMILAR_LENGTH);
}

static double
he_tocc_similar(struct mime_msg *m, struct arena *a)
{
    struct strv *addr, *fqhn;
    size_t n = he_recipients(m, a, &addr), nf = 0;
    unsigned long hits = 0, combinations = 0;

    if (n < TOCC_SIMILAR_COUNT)
        return 0;
    /* map { m/\@(.*)/ } @address: an address without '@' adds nothing, so
     * the host list may be shorter than (and out of step with) the users */
    fqhn = arena_alloc(a, n * sizeof(*fqhn));
    for (size_t i = 0; i < n; i++) {
        const char *at = memchr(addr[i].p, '@', addr[i].len);

        if (at != NULL) {
            const char *s = at + 1, *e = addr[i].p + addr[i].len;
            const char *nl = memchr(s, '\n', (size_t)(e - s));

            fqhn[nf++] = strv_make(s, (size_t)((nl != NULL ? nl : e) - s));
        }
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            struct strv ui = he_substr(addr[i]), uj = he_substr(addr[j]);
            /* undef past the end of the hosts: '' for eq, and eq each other */
            struct strv fi = i < nf ? fqhn[i] : strv_make("", 0);
            struct strv fj = j < nf ? fqhn[j] : strv_make("", 0);
            struct strv hi = he_substr(fi), hj = he_substr(fj);

            hits += strv_equal(ui, uj);
            hits += strv_equal(hi, hj) && !strv_equal(fi, fj);
            combinations++;
        }
    }
    return (double)hits / (double)combinations;
}

static double
sorted_recipients(struct scan_eval_ctx *ec)
{
    struct mime_msg *m = ec->msg != NULL ? ec->msg : task_message(ec->task);

    return he_tocc_sorted(m, ec->task->arena);
}

static double
similar_recipients(struct scan_eval_ctx *ec)
{
    struct mime_msg *m = ec->msg != NULL ? ec->msg : task_message(ec->task);
    double sim = he_tocc_similar(m, ec->task->arena);

    return (he_arg_undef(ec->rule, 0) || sim >= sa_eval_argnum(ec->rule, 0)) &&
           (he_arg_undef(ec->rule, 1) || sim < sa_eval_argnum(ec->rule, 1));
}

/* ------------------------------------------------------------------------
 * check_for_missing_to_header, check_header_count_range,
 * check_unresolved_template
 */

static double
check_for_missing_to_header(struct scan_eval_ctx *ec)
{
    struct mime_msg *m = ec->msg != NULL ? ec->msg : task_message(ec->task);
    bool found;

    if (mime_get_scalar(m, "To", &found).len > 0)
        return 0;
    return mime_get_scalar(m, "Apparently-To", &found).len == 0;
}

static double
check_header_count_range(struct scan_eval_ctx *ec)
{
    struct mime_msg *m = ec->msg != NULL ? ec->msg : task_message(ec->task);
    struct arena *a = ec->task->arena;
    struct strv name = strv_cstr(he_arg_str(ec->rule, 0));
    size_t total = mime_hdr_count(&m->root->hdrs, name), n = 0;
    struct strv *seen = arena_alloc(a, (total > 0 ? total : 1) * sizeof(*seen));
    double count;

    for (const struct mime_header *f = mime_hdr_find(&m->root->hdrs, name); f != NULL;
         f = mime_hdr_find_next(f)) {
        struct strv v = mime_hdr_get_value(a, f, false);
        size_t k;

        for (k = 0; k < n && !strv_equal(seen[k], v); k++)
            ;
        if (k == n)
            seen[n++] = v;
    }
    count = (double)n;
    return count >= sa_eval_argnum(ec->rule, 1) && count <= sa_eval_argnum(ec->rule, 2);
}

HE_PREP(prep_template, he_pats, RE_TEMPLATE, RE_TEMPLATE_OK)

HE_EVAL(check_unresolved_template)
{
    struct strv all = sa_he_get(r, "ALL");
    size_t i = 0;

    while (i < all.len) {
        const char *nl = memchr(all.p + i, '\n', all.len - i);
        size_t end = nl != NULL ? (size_t)(nl - all.p) : all.len;
        struct strv line = strv_make(all.p + i, end - i);

        if (sa_he_m(r, RE_TEMPLATE, line) && !sa_he_m(r, RE_TEMPLATE_OK, line))
            return 1;
        i = end + 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * dates: check_for_shifted_date, received_within_months
 */

struct he_dates {
    bool has_date;
    int64_t date;  /* date_header_time */
    int64_t *rcvd; /* received_header_times */
    size_t nrcvd;
    bool has_fetch;
    int64_t fetch; /* received_fetchmail_time */
    int64_t diff;  /* date_diff */
};

/* _get_date_header_time: the first Resent-Date, else Date, that parses. */
static bool
he_date_header(struct mime_msg *m, int64_t *t)
{
    static const char *const names[] = { "Resent-Date", "Date" };

    for (size_t i = 0; i < 2; i++) {
        for (const struct mime_header *f = mime_hdr_find(&m->root->hdrs, strv_cstr(names[i]));
             f != NULL; f = mime_hdr_find_next(f)) {
            if (mime_date_parse(f->value, t))
                return true;
        }
    }
    return false;
}

static void
he_push_time(struct arena *a, int64_t **v, size_t *n, int64_t t)
{
    *v = arena_realloc(a, *v, *n * sizeof(**v), (*n + 1) * sizeof(**v));
    (*v)[(*n)++] = t;
}

/* A date in a Received line: (\s.?\d+ \S\S\S \d+ \d+:\d+:\d+ \S+). */
static bool
he_rcvd_time(struct he_run *r, struct strv line, int64_t *t)
{
    return sa_he_m(r, RE_RCVD_DATE, line) && mime_date_parse(he_group(r, 1), t);
}

/* _get_received_header_times, then _check_date_diff. */
static void
he_dates_work(struct he_run *r, struct he_dates *d)
{
    struct strv all = sa_he_get(r, "Received"), *lines = NULL, local[2];
    size_t n = 0, nlocal = 0, first = 0;

    memset(d, 0, sizeof(*d));
    d->has_date = he_date_header(r->m, &d->date);
    /* split /\n/, grep /\S/ */
    for (size_t i = 0; i < all.len;) {
        const char *nl = memchr(all.p + i, '\n', all.len - i);
        size_t end = nl != NULL ? (size_t)(nl - all.p) : all.len;
        bool blank = true;

        for (size_t k = i; k < end && blank; k++)
            blank = he_space((unsigned char)all.p[k]);
        if (!blank) {
            lines = arena_realloc(r->a, lines, n * sizeof(*lines), (n + 1) * sizeof(*lines));
            lines[n++] = strv_make(all.p + i, end - i);
        }
        i = end + 1;
    }
    if (n == 0)
        return; /* archived mail with a limited set of headers */
    /* fetchmail: a local hand-over at the top, then fetchmail's own line */
    if (sa_he_m(r, RE_FETCH_LOCAL, lines[0]) || sa_he_m(r, RE_FETCH_QMAIL, lines[0]))
        local[nlocal++] = lines[first++];
    if (first < n && sa_he_m(r, RE_FETCH_MAIL, lines[first]))
        local[nlocal++] = lines[first++];
    else if (nlocal > 0)
        first--, nlocal--;
    for (size_t i = 0; i < nlocal; i++) {
        int64_t t;

        if (he_rcvd_time(r, local[i], &t) && (int64_t)time(NULL) >= t) {
            if (!d->has_fetch || t > d->fetch)
                d->fetch = t;
            d->has_fetch = true;
        }
    }
    for (size_t i = first; i < n; i++) {
        int64_t t;

        if (he_rcvd_time(r, lines[i], &t))
            he_push_time(r->a, &d->rcvd, &d->nrcvd, t);
    }
    if (!d->has_date || d->nrcvd == 0)
        return;
    /* the smallest difference (the first of equals: Perl's sort is stable),
     * the last Received left out when it has none */
    size_t nd = d->nrcvd;
    if (nd > 1 && d->date - d->rcvd[nd - 1] == 0)
        nd--;
    d->diff = d->date - d->rcvd[0];
    for (size_t i = 1; i < nd; i++) {
        int64_t x = d->date - d->rcvd[i];

        if (llabs(x) < llabs(d->diff))
            d->diff = x;
    }
}

/* The dates of the message, worked out once (SA keeps them in $pms too).
 * Every pattern they need is in NEED_DATES, which each user prepares. */
static void
he_dates(struct he_run *r, struct he_dates *d)
{
    static const char key = 0;
    bool fresh;
    struct he_dates *memo = task_memo(r->ec->task, &key, r->m, sizeof(*memo), &fresh);

    if (fresh)
        he_dates_work(r, memo);
    *d = *memo;
}

HE_PREP(prep_dates, he_pats, NEED_DATES)

HE_EVAL(check_for_shifted_date)
{
    const struct scan_rule *rule = r->ec->rule;
    struct he_dates d;

    he_dates(r, &d);
    return (he_arg_undef(rule, 0) || (double)d.diff >= 3600 * sa_eval_argnum(rule, 0)) &&
           (he_arg_undef(rule, 1) || (double)d.diff < 3600 * sa_eval_argnum(rule, 1));
}

static int
he_cmp_desc(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

    return (a < b) - (a > b);
}

HE_EVAL(received_within_months)
{
    const struct scan_rule *rule = r->ec->rule;
    struct he_dates d;
    int64_t poss[4], received = 0;
    size_t n = 0;
    double diff;

    he_dates(r, &d);
    if (d.has_date)
        poss[n++] = d.date;
    if (d.nrcvd > 0)
        poss[n++] = d.rcvd[0];
    if (d.has_fetch)
        poss[n++] = d.fetch;
    if (d.has_date && d.nrcvd > 0)
        poss[n++] = d.date - d.diff;
    if (n > 0) { /* the median */
        qsort(poss, n, sizeof(poss[0]), he_cmp_desc);
        received = poss[(n - 1) / 2];
    }
    diff = (double)((int64_t)time(NULL) - received);
    /* 365.2425 * 24 * 60 * 60 = 31556952 seconds in a year */
    return (sa_eval_arg(rule, 0) == NULL || he_arg_undef(rule, 0) ||
            diff >= 31556952 * (sa_eval_argnum(rule, 0) / 12)) &&
           (sa_eval_arg(rule, 1) == NULL || he_arg_undef(rule, 1) ||
            diff < 31556952 * (sa_eval_argnum(rule, 1) / 12));
}

/* ------------------------------------------------------------------------
 * Subject: subject_is_all_caps, check_for_to_in_subject
 */

HE_PREP(prep_caps, he_pats, RE_SUBJ_PREFIX, RE_CLTFAC)

HE_EVAL(subject_is_all_caps)
{
    struct strv s = sa_he_get(r, "Subject");
    char *letters;
    size_t n = 0;
    bool space = false, upper = true;

    while (s.len > 0 && he_space((unsigned char)s.p[0]))
        s = strv_make(s.p + 1, s.len - 1);
    while (s.len > 0 && he_space((unsigned char)s.p[s.len - 1]))
        s.len--;
    if (sa_he_m(r, RE_SUBJ_PREFIX, s)) { /* Bug 6805 */
        size_t end = he_match_end(r);

        s = strv_make(s.p + end, s.len - end);
    }
    for (size_t i = 0; i < s.len; i++)
        space |= he_space((unsigned char)s.p[i]);
    if (!space || s.len < 10)
        return 0; /* one word, or short */
    letters = arena_alloc(r->a, s.len + 1);
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            letters[n++] = c;
            upper &= !(c >= 'a' && c <= 'z');
        }
    }
    /* a subject in a charset known to look like capitals: punt */
    if (sa_he_m(r, RE_CLTFAC, sa_he_get(r, "Subject:raw")))
        return 0;
    return n > 0 && upper;
}

HE_EVAL(check_for_to_in_subject)
{
    const char *test = he_arg_str(r->ec->rule, 0), *q;
    struct strv full_to = sa_he_get(r, "To:addr"), subject, to;
    bool died = false;
    char *pat;

    if (full_to.len == 0)
        return 0;
    subject = sa_he_get(r, "Subject");
    if (strcmp(test, "address") == 0) {
        pat = arena_printf(r->a, "\\b%s\\b", sa_eval_header_quote(r->a, full_to));
        return he_dyn_match(r, pat, PCRE2_CASELESS, subject, &died);
    }
    if (strcmp(test, "user") == 0) {
        const char *at = memchr(full_to.p, '@', full_to.len);

        to = strv_make(full_to.p, at != NULL ? (size_t)(at - full_to.p) : full_to.len);
        q = sa_eval_header_quote(r->a, to);
        pat = arena_printf(r->a,
                           "^(?:(?:re|fw):\\s*(?:\\w+\\s+)?%s$|(?-i:%s)\\s*[,:;!?-](?:$|\\s)|%s$"
                           "|,\\s*%s[,:;!?-]$)",
                           q, q, q, q);
        return he_dyn_match(r, pat, PCRE2_CASELESS, subject, &died);
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Message-ID: check_outlook_message_id, check_messageid_not_usable
 */

/* parse_rfc822_date(s) || 0 */
static int64_t
he_date_or_zero(struct strv s)
{
    int64_t t;

    return mime_date_parse(s, &t) ? t : 0;
}

HE_PREP(prep_outlook, he_pats, RE_OUTLOOK_ID)

HE_EVAL(check_outlook_message_id)
{
    const double x = 0.0023283064365387, y = 27111902.8329849;
    const double fudge = 250;
    struct strv g;
    char hex[9];
    double timetoken, expected;

    if (!sa_he_m(r, RE_OUTLOOK_ID, sa_he_get(r, "MESSAGEID")))
        return 0;
    g = he_group(r, 1);
    memcpy(hex, g.p, 8);
    hex[8] = '\0';
    timetoken = (double)strtoul(hex, NULL, 16);
    expected = trunc((double)he_date_or_zero(sa_he_get(r, "Date")) * x + y);
    if (fabs(timetoken - expected) < fudge)
        return 0;
    /* SA matches a date in Received but then parses the whole text */
    expected = trunc((double)he_date_or_zero(sa_he_get(r, "Received")) * x + y);
    return fabs(timetoken - expected) >= fudge;
}

HE_PREP(prep_msgid_unusable, he_pats, RE_LYRIS, NEED_GATED)

HE_EVAL(check_messageid_not_usable)
{
    struct strv rcvd;

    /* Lyris eats message-ids, also some ezmlm */
    if (sa_he_m(r, RE_LYRIS, sa_he_get(r, "List-Unsubscribe")))
        return 1;
    if (sa_he_gated(r))
        return 1;
    rcvd = sa_he_get(r, "Received");
    if (rcvd.len > 0 && (memmem(rcvd.p, rcvd.len, "/CWT/DCE)", 9) != NULL ||
                         memmem(rcvd.p, rcvd.len, "iPlanet Messaging Server", 24) != NULL))
        return 1;
    return 0;
}

/* ------------------------------------------------------------------------
 * the table
 */

#define HDR (1u << SCAN_T_HEADER)

const struct scan_eval_def sa_eval_header_defs[] = {
    { "check_for_faraway_charset_in_headers", HDR, prep_faraway,
      check_for_faraway_charset_in_headers, 0 },
    { "check_for_unique_subject_id", HDR, NULL, check_zero, 0 },
    { "check_illegal_chars", HDR, NULL, check_illegal_chars, 0 },
    { "check_for_msn_groups_headers", HDR, prep_msn, check_for_msn_groups_headers, 0 },
    { "check_for_matching_env_and_hdr_from", HDR, NULL, check_for_matching_env_and_hdr_from, 0 },
    { "sorted_recipients", HDR, NULL, sorted_recipients, 0 },
    { "similar_recipients", HDR, NULL, similar_recipients, 0 },
    { "check_for_missing_to_header", HDR, NULL, check_for_missing_to_header, 0 },
    { "check_for_forged_gw05_received_headers", HDR, prep_gw05,
      check_for_forged_gw05_received_headers, 0 },
    { "check_for_shifted_date", HDR, prep_dates, check_for_shifted_date, 0 },
    { "subject_is_all_caps", HDR, prep_caps, subject_is_all_caps, 0 },
    { "check_for_to_in_subject", HDR, prep_limits, check_for_to_in_subject, 0 },
    { "check_outlook_message_id", HDR, prep_outlook, check_outlook_message_id, 0 },
    { "check_messageid_not_usable", HDR, prep_msgid_unusable, check_messageid_not_usable, 0 },
    { "check_header_count_range", HDR, NULL, check_header_count_range, 0 },
    { "check_unresolved_template", HDR, prep_template, check_unresolved_template, 0 },
    { "check_ratware_name_id", HDR, prep_ratware_id, check_ratware_name_id, 0 },
    { "check_ratware_envelope_from", HDR, prep_ratware_env, check_ratware_envelope_from, 0 },
    { "gated_through_received_hdr_remover", HDR, prep_gated, gated_through_received_hdr_remover,
      0 },
    { "received_within_months", HDR, prep_dates, received_within_months, 0 },
    { "check_equal_from_domains", HDR, prep_equal_domains, check_equal_from_domains, 0 },
};

const size_t sa_eval_header_ndefs = sizeof(sa_eval_header_defs) / sizeof(sa_eval_header_defs[0]);
