/*
 * mime_received.c - the Received chain as SpamAssassin 4.0.1 reads it
 * (Mail::SpamAssassin::Message::Metadata::Received).
 * A line is normalised as parse_received_line does, then read by the rows
 * of mime_received_rules.c, then its fields are cleaned up as SA cleans
 * them; the chain applies trusted/internal/msa networks or SA's inference.
 * Perl's truth is kept where SA tests a string ("0" is false). Patterns
 * run with a match limit; a line that reaches it reads as if the pattern
 * did not match, which only a hostile line can cause.
 */
#include "mime/mime_received.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif
#include "mime/mime_date.h"
#include "mime/mime_received_rules.h"

#define RCV_MATCH_LIMIT 100000u
#define RCV_HEAP_LIMIT  4096u /* KiB, for the interpreter when JIT runs out of stack */
#define RCV_OVEC_PAIRS  16u

struct mime_received_rules {
    pcre2_code **guard; /* per row of every table, in table order; NULL: none */
    pcre2_code **re;
    size_t first[RCV_T_COUNT]; /* index of each table's first row */
    size_t nrows;
    pcre2_code *date, *ip_any, *ip_private, *ip_address, *ip_token;
    pcre2_match_context *mctx;
};

enum rcv_result { RCV_GO_ON, RCV_R_ENOUGH, RCV_R_SKIP, RCV_R_FETCH, RCV_R_QMS };

/* One line being read: Perl's $ip, $rdns, ... as views into arena copies. */
struct rcv_ctx {
    const struct mime_received_rules *r;
    struct arena *a;
    pcre2_match_data *md;
    int ngroups; /* pairs set by the last successful match */
    struct strv f[RCV_NFIELDS];
    bool has_envfrom;
    bool looked_up_dns; /* SA's $mta_looked_up_dns */
    /* what the chain needs to know besides the relay */
    bool fetch; /* a POP/IMAP fetcher hand-over */
    bool qms;   /* a qmail-scanner note: qms_envfrom is for the next header */
    struct strv qms_envfrom;
};

/* Perl's \s without locale: HT, LF, VT, FF, CR and space. */
static bool
is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Perl's truth of a string: "" and "0" are false. */
static bool
truthy(struct strv s)
{
    return s.len > 0 && !(s.len == 1 && s.p[0] == '0');
}

static bool
starts_with(struct strv s, const char *lit)
{
    size_t n = strlen(lit);

    return s.len >= n && memcmp(s.p, lit, n) == 0;
}

static bool
starts_with_case(struct strv s, const char *lit)
{
    size_t n = strlen(lit);

    return s.len >= n && strv_caseeq(strv_make(s.p, n), lit);
}

/* ---- patterns ---- */

static pcre2_code *
compile(const char *pat, struct sift_err *err)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &code, &off, NULL);

    if (re == NULL) {
        PCRE2_UCHAR msg[128];

        pcre2_get_error_message(code, msg, sizeof(msg));
        sift_err_set(err, "received pattern at %zu: %s: %.60s", (size_t)off, (const char *)msg,
                     pat);
        return NULL;
    }
    /* without JIT it still works, slower; under valgrind, whose memcheck
     * cannot follow JIT code, the interpreter keeps its report clean */
    if (!RUNNING_ON_VALGRIND)
        (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
}

int
mime_received_rules_new(struct mime_received_rules **out, struct sift_err *err)
{
    struct mime_received_rules *r = xcalloc(1, sizeof(*r));

    *out = NULL;
    for (int t = 0; t < RCV_T_COUNT; t++) {
        r->first[t] = r->nrows;
        r->nrows += rcv_tables[t].n;
    }
    r->guard = xcalloc(r->nrows, sizeof(*r->guard));
    r->re = xcalloc(r->nrows, sizeof(*r->re));
    for (int t = 0; t < RCV_T_COUNT; t++) {
        for (size_t i = 0; i < rcv_tables[t].n; i++) {
            const struct rcv_rule *row = &rcv_tables[t].rows[i];
            size_t k = r->first[t] + i;

            if ((row->guard != NULL && (r->guard[k] = compile(row->guard, err)) == NULL) ||
                (row->re != NULL && (r->re[k] = compile(row->re, err)) == NULL)) {
                sift_err_prefix(err, "table %d row %zu", t, i);
                mime_received_rules_free(&r);
                return -1;
            }
        }
    }
    if ((r->date = compile(rcv_re_date, err)) == NULL ||
        (r->ip_any = compile(rcv_re_ip_any, err)) == NULL ||
        (r->ip_private = compile(rcv_re_ip_private, err)) == NULL ||
        (r->ip_address = compile(rcv_re_ip_address, err)) == NULL ||
        (r->ip_token = compile(rcv_re_ip_token, err)) == NULL) {
        mime_received_rules_free(&r);
        return -1;
    }
    r->mctx = pcre2_match_context_create(NULL);
    if (r->mctx == NULL)
        xalloc_die(sizeof(void *));
    pcre2_set_match_limit(r->mctx, RCV_MATCH_LIMIT);
    pcre2_set_depth_limit(r->mctx, RCV_MATCH_LIMIT);
    pcre2_set_heap_limit(r->mctx, RCV_HEAP_LIMIT);
    *out = r;
    return 0;
}

void
mime_received_rules_free(struct mime_received_rules **rp)
{
    struct mime_received_rules *r = *rp;

    if (r == NULL)
        return;
    for (size_t k = 0; k < r->nrows; k++) {
        pcre2_code_free(r->guard[k]);
        pcre2_code_free(r->re[k]);
    }
    free(r->guard);
    free(r->re);
    pcre2_code_free(r->date);
    pcre2_code_free(r->ip_any);
    pcre2_code_free(r->ip_private);
    pcre2_code_free(r->ip_address);
    pcre2_code_free(r->ip_token);
    pcre2_match_context_free(r->mctx);
    free(r);
    *rp = NULL;
}

static pcre2_match_data *
md_new(void)
{
    pcre2_match_data *md = pcre2_match_data_create(RCV_OVEC_PAIRS, NULL);

    if (md == NULL)
        xalloc_die(RCV_OVEC_PAIRS * 2 * sizeof(PCRE2_SIZE));
    return md;
}

/* Does re match s? An error (a limit reached) counts as no match. */
static bool
match(struct rcv_ctx *c, const pcre2_code *re, struct strv s)
{
    int rc = pcre2_match(re, (PCRE2_SPTR)s.p, s.len, 0, 0, c->md, c->r->mctx);

    if (rc == PCRE2_ERROR_JIT_STACKLIMIT) /* the interpreter keeps its stack on the heap */
        rc = pcre2_match(re, (PCRE2_SPTR)s.p, s.len, 0, PCRE2_NO_JIT, c->md, c->r->mctx);
    if (rc < 0)
        return false;
    c->ngroups = rc > 0 ? rc : (int)RCV_OVEC_PAIRS; /* 0: the ovector was too small */
    return true;
}

/* Group n of the last match; unset groups are empty (Perl's undef prints as ""). */
static struct strv
group(const struct rcv_ctx *c, struct strv s, unsigned n)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->md);

    if (n >= (unsigned)c->ngroups || ov[2 * n] == PCRE2_UNSET)
        return strv_make(s.p, 0);
    return strv_make(s.p + ov[2 * n], ov[2 * n + 1] - ov[2 * n]);
}

/* ---- rows ---- */

/* "GMX ($4 / $3)": the template with its groups filled in. */
static struct strv
expand(struct rcv_ctx *c, const char *tpl, struct strv s)
{
    size_t cap = 64, n = 0;
    char *out = arena_alloc(c->a, cap);

    for (const char *p = tpl; *p != '\0'; p++) {
        struct strv piece = strv_make(p, 1);

        if (p[0] == '$' && p[1] >= '1' && p[1] <= '9')
            piece = group(c, s, (unsigned)(*++p - '0'));
        if (n + piece.len > cap) {
            size_t ncap = 2 * (n + piece.len);
            out = arena_realloc(c->a, out, cap, ncap);
            cap = ncap;
        }
        memcpy(out + n, piece.p, piece.len);
        n += piece.len;
    }
    return strv_make(out, n);
}

/* Perl's s/KEY(\S+)// on sub: the first KEY followed by enough non-space. */
static bool
take_word(struct rcv_ctx *c, struct strv *sub, const char *key, size_t min, struct strv *val)
{
    size_t k = strlen(key);

    for (size_t i = 0; i + k <= sub->len; i++) {
        size_t j = i + k;

        if (memcmp(sub->p + i, key, k) != 0)
            continue;
        while (j < sub->len && !is_space(sub->p[j]))
            j++;
        if (j - (i + k) < min)
            continue;
        *val = strv_make(sub->p + i + k, j - i - k);
        char *rest = arena_alloc(c->a, sub->len - (j - i) + 1);
        memcpy(rest, sub->p, i);
        memcpy(rest + i, sub->p + j, sub->len - j);
        *sub = strv_make(rest, sub->len - (j - i));
        return true;
    }
    return false;
}

static bool
run_hook(struct rcv_ctx *c, const struct rcv_rule *row)
{
    struct strv *f = c->f;

    switch ((enum rcv_hook)row->hook) {
    case RCV_HOOK_NONE:
        break;
    case RCV_HOOK_EXIM_SUB: {
        struct strv sub = f[RCV_SUB];
        take_word(c, &sub, "helo=", 1, &f[RCV_HELO]);
        take_word(c, &sub, "ident=", 0, &f[RCV_IDENT]);
        break;
    }
    case RCV_HOOK_IDENT_AT: {
        /* s/^IDENT:([^\@]*)\@// and s/^([^\@]*)\@//, each giving the ident */
        struct strv *rd = &f[RCV_RDNS];
        const char *at;
        if (starts_with(*rd, "IDENT:") && (at = memchr(rd->p, '@', rd->len)) != NULL) {
            f[RCV_IDENT] = strv_make(rd->p + 6, (size_t)(at - rd->p) - 6);
            *rd = strv_make(at + 1, rd->len - (size_t)(at - rd->p) - 1);
        }
        if ((at = memchr(rd->p, '@', rd->len)) != NULL) {
            f[RCV_IDENT] = strv_make(rd->p, (size_t)(at - rd->p));
            *rd = strv_make(at + 1, rd->len - (size_t)(at - rd->p) - 1);
        }
        break;
    }
    case RCV_HOOK_IDENT_TRIM:
        if (truthy(f[RCV_IDENT]) && f[RCV_IDENT].p[f[RCV_IDENT].len - 1] == '@')
            f[RCV_IDENT].len--;
        break;
    case RCV_HOOK_SOFTDNSERR:
        c->looked_up_dns = !strv_eq(f[RCV_TMP], "softdnserr");
        if (c->looked_up_dns)
            f[RCV_RDNS] = f[RCV_TMP];
        break;
    case RCV_HOOK_QMAIL_DNS:
        /* SA compares with "unknown" exactly; make_relay drops any case of it */
        c->looked_up_dns = !strv_eq(f[RCV_RDNS], "unknown");
        break;
    case RCV_HOOK_OBTUSE_DNS:
        c->looked_up_dns = !strv_eq(f[RCV_RDNS], "UNKNOWN");
        break;
    case RCV_HOOK_UNVERIFIED:
        if (strv_eq(f[RCV_RDNS], "unverified"))
            f[RCV_RDNS].len = 0;
        break;
    case RCV_HOOK_NOT_BRACKET_IP: {
        /* "from [1.2.3.4] by host;" is no skip: $1 !~ /^\[[\d.]+\]$/ */
        struct strv h = f[RCV_TMP];
        if (h.len >= 3 && h.p[0] == '[' && h.p[h.len - 1] == ']' &&
            strspn(h.p + 1, "0123456789.") >= h.len - 2)
            return false;
        break;
    }
    case RCV_HOOK_AUTH_POSTFIX:
        if (strv_eq(f[RCV_TMP], "Postfix")) {
            f[RCV_AUTH] = f[RCV_TMP];
        } else {
            char *p = arena_alloc(c->a, f[RCV_TMP].len + 10);
            memcpy(p, "Postfix (", 9);
            memcpy(p + 9, f[RCV_TMP].p, f[RCV_TMP].len);
            p[9 + f[RCV_TMP].len] = ')';
            f[RCV_AUTH] = strv_make(p, f[RCV_TMP].len + 10);
        }
        break;
    }
    return true;
}

static void
store(struct rcv_ctx *c, const struct rcv_rule *row, struct strv s)
{
    for (unsigned k = 0; k < sizeof(row->cap); k++) {
        struct strv v;

        if (row->cap[k] == RCV_NONE)
            continue;
        v = group(c, s, k + 1);
        switch ((enum rcv_field)row->cap[k]) {
        case RCV_NONE:
            break;
        case RCV_HELO_RDNS:
            c->f[RCV_HELO] = c->f[RCV_RDNS] = v;
            break;
        case RCV_ENVFROM:
            c->has_envfrom = true;
            c->f[RCV_ENVFROM] = v;
            break;
        default:
            c->f[row->cap[k]] = v;
            break;
        }
    }
    if (row->auth != NULL)
        c->f[RCV_AUTH] = expand(c, row->auth, s);
    if (row->flags & RCV_CLEAR_ID)
        c->f[RCV_ID].len = 0;
    if (row->flags & RCV_CLEAR_BY)
        c->f[RCV_BY].len = 0;
    if (row->flags & RCV_DNS)
        c->looked_up_dns = true;
}

static bool
row_matches(struct rcv_ctx *c, size_t k, const struct rcv_rule *row, struct strv s)
{
    if (row->guard != NULL && match(c, c->r->guard[k], s) == !!(row->flags & RCV_GUARD_NOT))
        return false;
    return row->re == NULL || match(c, c->r->re[k], s);
}

/* Rows [first, first + n) of table t over s; what SA would do next. */
static enum rcv_result
run_rows(struct rcv_ctx *c, int t, size_t first, size_t n, struct strv s)
{
    const struct rcv_rule *rows = rcv_tables[t].rows;
    bool chain = false; /* did the previous row on this level match? */

    for (size_t i = first; i < first + n;) {
        const struct rcv_rule *row = &rows[i];
        size_t next = i + 1 + (row->act == RCV_BLOCK ? row->nsub : 0);

        if ((row->flags & RCV_ELSE) && chain) {
            i = next;
            continue;
        }
        chain = !((row->flags & RCV_NO_HELO) && truthy(c->f[RCV_HELO])) &&
                row_matches(c, c->r->first[t] + i, row, s);
        if (chain) {
            store(c, row, s);
            chain = run_hook(c, row);
        }
        if (!chain) {
            i = next;
            continue;
        }
        switch ((enum rcv_action)row->act) {
        case RCV_SET:
            break;
        case RCV_ENOUGH:
            return RCV_R_ENOUGH;
        case RCV_ENOUGH_IF_IP:
            if (truthy(c->f[RCV_IP]))
                return RCV_R_ENOUGH;
            break;
        case RCV_SKIP:
            return RCV_R_SKIP;
        case RCV_SKIP_FETCH:
            return RCV_R_FETCH;
        case RCV_SKIP_QMS:
            return RCV_R_QMS;
        case RCV_BLOCK: {
            enum rcv_result res = run_rows(c, t, i + 1, row->nsub, s);
            if (res != RCV_GO_ON)
                return res;
            break;
        }
        }
        i = next;
    }
    return RCV_GO_ON;
}

static enum rcv_result
run_table(struct rcv_ctx *c, int t, struct strv s)
{
    return run_rows(c, t, 0, rcv_tables[t].n, s);
}

/* ---- clean-ups ---- */

/* s/\s+/ /g; s/^ //; s/ $//; 1 while s/\s?;$//; */
static struct strv
normalize(struct arena *a, struct strv in)
{
    char *out = arena_alloc(a, in.len + 1);
    size_t n = 0;

    for (size_t i = 0; i < in.len; i++) {
        if (!is_space(in.p[i]))
            out[n++] = in.p[i];
        else if (n == 0 || out[n - 1] != ' ')
            out[n++] = ' ';
    }
    if (n > 0 && out[0] == ' ')
        memmove(out, out + 1, --n);
    if (n > 0 && out[n - 1] == ' ')
        n--;
    while (n > 0 && out[n - 1] == ';') {
        n--;
        if (n > 0 && out[n - 1] == ' ')
            n--;
    }
    out[n] = '\0';
    return strv_make(out, n);
}

/* s/\)by /) by / (the first one). */
static struct strv
fix_by(struct arena *a, struct strv s)
{
    const char *p = memmem(s.p, s.len, ")by ", 4);

    if (p == NULL)
        return s;
    size_t at = (size_t)(p - s.p) + 1;
    char *out = arena_alloc(a, s.len + 2);
    memcpy(out, s.p, at);
    out[at] = ' ';
    memcpy(out + at + 1, s.p + at, s.len - at);
    out[s.len + 1] = '\0';
    return strv_make(out, s.len + 1);
}

/* s/[\s\000\#\[\]\(\)\<\>\|]/!/gs */
static struct strv
strip_chars(struct arena *a, struct strv s)
{
    static const char bad[] = "#[]()<>|";
    char *out;

    if (s.len == 0)
        return s;
    out = arena_strndup(a, s.p, s.len);
    for (size_t i = 0; i < s.len; i++)
        if (is_space(out[i]) || out[i] == '\0' || memchr(bad, out[i], sizeof(bad) - 1) != NULL)
            out[i] = '!';
    return strv_make(out, s.len);
}

/* envfrom: leading spaces and "<", trailing ">" and spaces (before, in that order), then the strip.
 */
static struct strv
clean_envfrom(struct arena *a, struct strv s)
{
    while (s.len > 0 && is_space(s.p[0]))
        s = strv_make(s.p + 1, s.len - 1);
    while (s.len > 0 && s.p[0] == '<')
        s = strv_make(s.p + 1, s.len - 1);
    while (s.len > 0 && is_space(s.p[s.len - 1]))
        s.len--;
    while (s.len > 0 && s.p[s.len - 1] == '>')
        s.len--;
    return strip_chars(a, s);
}

static bool
is_zone_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '~' || c == '-';
}

/* s/^0*:0*:(?:0*:)*ffff:(\d+\.\d+\.\d+\.\d+)$/$1/i: "::ffff:1.2.3.4" is 1.2.3.4. */
static struct strv
unmap_v4(struct strv ip)
{
    size_t i = 0, dots = 0;
    int colons = 0;

    for (;;) {
        size_t j = i;
        while (j < ip.len && ip.p[j] == '0')
            j++;
        if (j >= ip.len || ip.p[j] != ':')
            break;
        i = j + 1;
        colons++;
    }
    if (colons < 2 || !starts_with_case(strv_make(ip.p + i, ip.len - i), "ffff:"))
        return ip;
    i += 5;
    size_t start = i;
    for (size_t k = i, digits = 0; k <= ip.len; k++) {
        if (k < ip.len && ip.p[k] >= '0' && ip.p[k] <= '9') {
            digits++;
        } else if (digits == 0 || (k < ip.len && (ip.p[k] != '.' || ++dots > 3))) {
            return ip;
        } else {
            digits = 0;
        }
    }
    return dots == 3 ? strv_make(ip.p + start, ip.len - start) : ip;
}

static struct strv
clean_ip(struct strv ip)
{
    if (starts_with_case(ip, "ipv6:"))
        ip = strv_make(ip.p + 5, ip.len - 5);
    if (ip.len > 0 && ip.p[0] == '[')
        ip = strv_make(ip.p + 1, ip.len - 1);
    if (ip.len > 0 && ip.p[ip.len - 1] == ']')
        ip.len--;
    /* IPv6 scoped address (RFC 4007, 6874): s/%[A-Z0-9._~-]*\z//i */
    for (size_t i = ip.len; i > 0; i--) {
        if (ip.p[i - 1] == '%') {
            ip.len = i - 1;
            break;
        }
        if (!is_zone_char(ip.p[i - 1]))
            break;
    }
    return unmap_v4(ip);
}

/* The "[ ip=... ]" string, as make_relay_as_string writes it (intl=0, msa=0). */
static struct strv
as_string(struct arena *a, const struct mime_relay *r)
{
    const struct {
        const char *key;
        struct strv v;
    } parts[] = {
        { "[ ip=", r->ip },
        { " rdns=", r->rdns },
        { " helo=", r->helo },
        { " by=", r->by },
        { " ident=", r->ident },
        { " envfrom=", truthy(r->envfrom) ? r->envfrom : strv_make("", 0) },
        { " intl=0 id=", r->id },
        { " auth=", r->auth },
        { " msa=0 ]", strv_make("", 0) },
    };
    size_t n = 0, len = 0;
    char *out;

    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        len += strlen(parts[i].key) + parts[i].v.len;
    out = arena_alloc(a, len + 1);
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        size_t k = strlen(parts[i].key);
        memcpy(out + n, parts[i].key, k);
        memcpy(out + n + k, parts[i].v.p, parts[i].v.len);
        n += k + parts[i].v.len;
    }
    out[n] = '\0';
    return strv_make(out, n);
}

/* "goto enough": the fields cleaned up as SA does, into a relay. */
static void
make_relay(struct rcv_ctx *c, struct mime_relay *out)
{
    struct strv *f = c->f;
    struct strv rdns = f[RCV_RDNS], by = f[RCV_BY];

    while (rdns.len > 0 && rdns.p[rdns.len - 1] == '.') /* bug 7810 */
        rdns.len--;
    if (strv_caseeq(rdns, "unknown") || (rdns.len > 0 && rdns.p[0] == '['))
        rdns.len = 0;
    if (by.len > 0 && by.p[by.len - 1] == ';')
        by.len--;
    memset(out, 0, sizeof(*out));
    out->ip = strip_chars(c->a, clean_ip(f[RCV_IP]));
    out->rdns = strip_chars(c->a, rdns);
    out->helo = strip_chars(c->a, f[RCV_HELO]);
    out->by = strip_chars(c->a, by);
    out->ident = strip_chars(c->a, f[RCV_IDENT]);
    out->has_envfrom = c->has_envfrom;
    out->envfrom = c->has_envfrom ? clean_envfrom(c->a, f[RCV_ENVFROM]) : strv_make("", 0);
    out->id = f[RCV_ID];
    out->auth = f[RCV_AUTH];
    out->no_reverse_dns = out->rdns.len == 0 && c->looked_up_dns;
    out->rdns_not_in_headers = out->rdns.len == 0 && !c->looked_up_dns;
    out->as_string = as_string(c->a, out);
    out->ip_private = match(c, c->r->ip_private, out->ip);
}

static enum mime_received_status
parse(struct rcv_ctx *c, struct strv line, struct mime_relay *out)
{
    struct strv s = normalize(c->a, line);
    enum rcv_result res = RCV_GO_ON;

    for (int i = 0; i < RCV_NFIELDS; i++)
        c->f[i] = strv_make(s.p, 0);
    c->has_envfrom = c->looked_up_dns = c->fetch = c->qms = false;

    /* only lines about a "from" hand-over are relays (bug 4943: "(from" too) */
    if (!starts_with_case(s, "from ") && !starts_with_case(s, "(from "))
        return MIME_RCVD_SKIP;
    if (run_table(c, RCV_T_EARLY, s) == RCV_R_SKIP)
        return MIME_RCVD_SKIP;
    if (match(c, c->r->date, s))
        s.len = pcre2_get_ovector_pointer(c->md)[0];
    s = fix_by(c->a, s);
    run_table(c, RCV_T_COMMON, s);
    run_table(c, RCV_T_AUTH, s);

    if (starts_with(s, "from ")) {
        s = strv_make(s.p + 5, s.len - 5);
        res = run_table(c, RCV_T_FROM, s);
    } else if (starts_with(s, "FROM ")) {
        s = strv_make(s.p + 5, s.len - 5);
        res = run_table(c, RCV_T_FROM_UC, s);
    } else if (starts_with(s, "(from ")) {
        s = strv_make(s.p + 6, s.len - 6);
        res = run_table(c, RCV_T_FROM_PAR, s);
    }
    switch (res) {
    case RCV_R_SKIP:
        return MIME_RCVD_SKIP;
    case RCV_R_FETCH:
        c->fetch = true;
        return MIME_RCVD_SKIP;
    case RCV_R_QMS:
        c->qms = c->has_envfrom;
        c->qms_envfrom = c->has_envfrom ? clean_envfrom(c->a, c->f[RCV_ENVFROM]) : s;
        return MIME_RCVD_SKIP;
    case RCV_R_ENOUGH:
        break;
    case RCV_GO_ON:
        /* the last resort: any [IP], and enough with a "by" */
        if (!truthy(c->f[RCV_IP]) && match(c, c->r->ip_any, s))
            c->f[RCV_IP] = group(c, s, 1);
        if (!truthy(c->f[RCV_IP]) || !truthy(c->f[RCV_BY]))
            return MIME_RCVD_UNPARSEABLE;
        break;
    }
    make_relay(c, out);
    return MIME_RCVD_RELAY;
}

/* parse(), and for a relay the time stamp after the last ';' */
static enum mime_received_status
parse_dated(struct rcv_ctx *c, struct strv line, struct mime_relay *out)
{
    enum mime_received_status st = parse(c, line, out);

    if (st == MIME_RCVD_RELAY) {
        const char *semi = memrchr(line.p, ';', line.len);

        out->has_date = semi != NULL &&
                        mime_date_parse(strv_make(semi + 1, line.len - (size_t)(semi + 1 - line.p)),
                                        &out->date);
    }
    return st;
}

enum mime_received_status
mime_received_parse_line(const struct mime_received_rules *r, struct arena *a, struct strv line,
                         struct mime_relay *out)
{
    struct rcv_ctx c = { .r = r, .a = a, .md = md_new() };
    enum mime_received_status st = parse_dated(&c, line, out);

    pcre2_match_data_free(c.md);
    return st;
}

bool
mime_received_originating(const struct mime_received_rules *r, struct arena *a, struct strv value,
                          struct strv *line)
{
    struct rcv_ctx c = { .r = r, .a = a, .md = md_new() };
    bool found = match(&c, r->ip_address, value);

    if (found) {
        struct strv ip = group(&c, value, 1);
        char *p = arena_alloc(a, ip.len + 23);

        memcpy(p, "from X-Originating-IP: ", 23);
        memcpy(p + 23, ip.p, ip.len);
        *line = strv_make(p, ip.len + 23);
    }
    pcre2_match_data_free(c.md);
    return found;
}

bool
mime_received_find_ip(const struct mime_received_rules *r, struct strv text, struct strv *ip)
{
    struct rcv_ctx c = { .r = r, .md = md_new() };
    bool found = match(&c, r->ip_token, text);

    if (found)
        *ip = group(&c, text, 1);
    pcre2_match_data_free(c.md);
    return found;
}

/* ---- the chain ---- */

/* s/ KEY\d / KEY<v> / on the first such place, as SA marks intl and msa. */
static void
mark(struct strv *as, const char *key, bool v)
{
    size_t k = strlen(key);
    char *p = (char *)as->p;

    for (size_t i = 0; i + k + 2 <= as->len; i++) {
        if (p[i] == ' ' && memcmp(p + i + 1, key, k) == 0 && p[i + 1 + k] >= '0' &&
            p[i + 1 + k] <= '9' && i + k + 2 < as->len && p[i + k + 2] == ' ') {
            p[i + 1 + k] = v ? '1' : '0';
            return;
        }
    }
}

/* NetSet::contains_ip on a relay's IP; 127/8 and ::1 are in every trusted
 * and internal set SA builds (Conf::new_netset). */
static bool
net_contains(const struct ipset *set, bool loopback, struct strv ip)
{
    struct ipaddr a;

    if (!ipaddr_parse(ip, &a))
        return false;
    if (loopback && ipaddr_is_loopback(&a))
        return true;
    return set != NULL && ipset_contains(set, &a);
}

static struct strv
join(struct arena *a, const struct mime_relay *v, size_t n, bool (*want)(const struct mime_relay *))
{
    size_t len = 0, k = 0;
    char *out;

    for (size_t i = 0; i < n; i++)
        if (want(&v[i]))
            len += v[i].as_string.len + 1;
    out = arena_alloc(a, len + 1);
    for (size_t i = 0; i < n; i++) {
        if (!want(&v[i]))
            continue;
        if (k > 0)
            out[k++] = ' ';
        memcpy(out + k, v[i].as_string.p, v[i].as_string.len);
        k += v[i].as_string.len;
    }
    out[k] = '\0';
    return strv_make(out, k);
}

static bool
is_trusted(const struct mime_relay *r)
{
    return r->trusted;
}

static bool
is_untrusted(const struct mime_relay *r)
{
    return !r->trusted;
}

static bool
is_internal(const struct mime_relay *r)
{
    return r->internal;
}

static bool
is_external(const struct mime_relay *r)
{
    return !r->internal;
}

/* Where the chain stands: SA's $in_trusted, $in_internal, $found_msa. */
struct chain_state {
    const struct mime_trust *trust;
    const struct ipset *trusted, *internal;
    bool infer; /* neither trusted nor internal configured */
    bool in_trusted, in_internal, found_msa;
};

/* Trust only ends, going down the chain; an MSA freezes it. */
static void
judge(struct chain_state *st, struct mime_relay *rl)
{
    bool auth = truthy(rl->auth);

    if (!st->in_trusted || st->found_msa)
        return;
    if (st->infer) {
        if (!rl->ip_private && !auth)
            st->in_trusted = st->in_internal = false;
    } else if (!auth && !net_contains(st->trusted, true, rl->ip)) {
        if (st->trust->originating)
            st->found_msa = true; /* the previous hop was the MSA: trust what follows */
        else
            st->in_trusted = false;
        st->in_internal = false;
    } else {
        if (st->in_internal && !auth && !net_contains(st->internal, true, rl->ip))
            st->in_internal = false;
        if (net_contains(st->trust->msa, false, rl->ip)) {
            st->found_msa = true;
            rl->msa = true;
        }
    }
}

static void
summarize(struct arena *a, struct mime_relays *out)
{
    for (size_t i = 0; i < out->nrelays; i++) {
        out->num_trusted += out->relays[i].trusted;
        out->num_internal += out->relays[i].internal;
    }
    out->num_untrusted = out->nrelays - out->num_trusted;
    out->num_external = out->nrelays - out->num_internal;
    out->trusted_str = join(a, out->relays, out->nrelays, is_trusted);
    out->untrusted_str = join(a, out->relays, out->nrelays, is_untrusted);
    out->internal_str = join(a, out->relays, out->nrelays, is_internal);
    out->external_str = join(a, out->relays, out->nrelays, is_external);
}

void
mime_received_chain(const struct mime_received_rules *r, struct arena *a,
                    const struct mime_trust *trust, const struct strv *received, size_t nreceived,
                    struct mime_relays *out)
{
    static const struct mime_trust none = { NULL, NULL, NULL, false };
    struct rcv_ctx c = { .r = r, .a = a, .md = md_new() };
    struct chain_state st = { .in_trusted = true, .in_internal = true };
    bool allow_fetch = true; /* SA's allow_mailfetch_markers */
    struct strv qms = { 0 }; /* qmail-scanner's envelope sender, for the next line */

    st.trust = trust != NULL ? trust : &none;
    st.trusted = st.trust->trusted != NULL ? st.trust->trusted : st.trust->internal;
    st.internal = st.trust->internal != NULL ? st.trust->internal : st.trust->trusted;
    st.infer = st.trusted == NULL;
    memset(out, 0, sizeof(*out));
    out->relays = arena_calloc(a, nreceived ? nreceived : 1, sizeof(*out->relays));
    out->last_trusted_index = out->last_internal_index = -1;

    for (size_t i = 0; i < nreceived; i++) {
        struct mime_relay rl;
        struct strv had_qms = qms;
        enum mime_received_status rs = parse_dated(&c, received[i], &rl);

        qms = c.qms && truthy(c.qms_envfrom) ? c.qms_envfrom : strv_make(NULL, 0);
        if (c.fetch && allow_fetch) /* found_pop_fetcher_sig: start again */
            out->nrelays = 0;
        if (rs == MIME_RCVD_UNPARSEABLE)
            out->num_unparseable++;
        if (rs != MIME_RCVD_RELAY) {
            out->last_trusted_index += st.in_trusted;
            out->last_internal_index += st.in_internal;
            continue;
        }
        if (had_qms.len > 0) { /* the envelope sender belongs to this hand-over */
            rl.envfrom = had_qms;
            rl.has_envfrom = true;
            rl.as_string = as_string(a, &rl);
        }
        judge(&st, &rl);
        rl.trusted = st.in_trusted;
        rl.internal = st.in_internal;
        mark(&rl.as_string, "intl=", rl.internal);
        mark(&rl.as_string, "msa=", rl.msa);
        allow_fetch = st.in_trusted;
        out->last_trusted_index += st.in_trusted;
        out->last_internal_index += st.in_internal;
        out->relays[out->nrelays++] = rl;
    }
    pcre2_match_data_free(c.md);
    summarize(a, out);
}
