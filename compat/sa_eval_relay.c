/*
 * sa_eval_relay.c - SpamAssassin 4.0.1's Plugin::RelayEval in C, plus
 * WLBLEval's check_mailfrom_matches_rcvd. The relays are mime_msg_relays():
 * SA's relays_trusted and relays_untrusted are its relays with and without
 * the trusted mark, in the same order. The few patterns SA runs on relay
 * fields (IPv4 forms, private ranges, host-name shapes) are simple enough
 * to be read by hand here; the comments give SA's pattern.
 */
#include "compat/sa_eval_relay.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "compat/sa_eval_header.h"
#include "compat/sa_eval_util.h"
#include "mime/mime_get.h"
#include "scan/task.h"

static struct mime_msg *
re_msg(struct scan_eval_ctx *ec)
{
    return ec->msg != NULL ? ec->msg : task_message(ec->task);
}

static bool
re_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool
re_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || re_digit(c) || c == '_';
}

static bool
re_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool
re_prefix(struct strv s, const char *p)
{
    size_t n = strlen(p);

    return s.len >= n && memcmp(s.p, p, n) == 0;
}

/* One octet of Constants::IPV4_ADDRESS at s[*i]: 1\d\d|2[0-4]\d|25[0-5]|
 * [1-9]\d|\d. What follows an octet is never a digit, so the whole digit
 * run must be one of those. */
static bool
re_octet(struct strv s, size_t *i)
{
    size_t j = *i, v = 0;

    while (j < s.len && re_digit(s.p[j]) && j - *i < 4)
        v = v * 10 + (size_t)(s.p[j++] - '0');
    if (j == *i || j - *i > 3 || (j < s.len && re_digit(s.p[j])))
        return false;
    if ((j - *i > 1 && s.p[*i] == '0') || v > 255)
        return false;
    *i = j;
    return true;
}

/* A dotted quad at s[*i] (the octets and dots only). */
static bool
re_quad_at(struct strv s, size_t *i)
{
    size_t j = *i;

    for (int k = 0; k < 4; k++) {
        if (k > 0 && (j >= s.len || s.p[j++] != '.'))
            return false;
        if (!re_octet(s, &j))
            return false;
    }
    *i = j;
    return true;
}

/* IS_IPV4_ADDRESS: ^\b(IPV4)\b$ */
static bool
re_is_ipv4(struct strv s)
{
    size_t i = 0;

    return re_quad_at(s, &i) && i == s.len;
}

/* IP_PRIVATE's IPv4 half on an address of digits and dots: 10/8, 127/8,
 * 169.254/16, 172.16/12, 192.168/16, 100.64/10, as prefixes of the text. */
static bool
re_private4(struct strv s)
{
    static const char *const fixed[] = { "10.", "127.", "169.254.", "192.168." };

    for (size_t k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++) {
        if (re_prefix(s, fixed[k]))
            return true;
    }
    if (s.len >= 7 && re_prefix(s, "172.") && s.p[6] == '.' && re_digit(s.p[4]) &&
        re_digit(s.p[5])) {
        int n = (s.p[4] - '0') * 10 + (s.p[5] - '0');

        return n >= 16 && n <= 31;
    }
    if (re_prefix(s, "100.")) { /* 6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7], then a dot */
        size_t j = 4;
        int n = 0;

        while (j < s.len && j < 7 && re_digit(s.p[j]))
            n = n * 10 + (s.p[j++] - '0');
        if (j < s.len && s.p[j] == '.' && s.p[4] != '0' &&
            ((j == 6 && n >= 64) || (j == 7 && n <= 127)))
            return true;
    }
    return false;
}

/* ^\d+\.\d+\.\d+\.\d+$ */
static bool
re_digit_quad(struct strv s)
{
    size_t i = 0;

    for (int k = 0; k < 4; k++) {
        size_t start;

        if (k > 0 && (i >= s.len || s.p[i++] != '.'))
            return false;
        start = i;
        while (i < s.len && re_digit(s.p[i]))
            i++;
        if (i == start)
            return false;
    }
    return i == s.len;
}

/* The untrusted relays, in order (SA's relays_untrusted). */
static size_t
re_untrusted(struct arena *a, const struct mime_relays *rl, const struct mime_relay ***out)
{
    const struct mime_relay **v = arena_alloc(a, (rl->nrelays + 1) * sizeof(*v));
    size_t n = 0;

    for (size_t i = 0; i < rl->nrelays; i++) {
        if (!rl->relays[i].trusted)
            v[n++] = &rl->relays[i];
    }
    *out = v;
    return n;
}

/* ------------------------------------------------------------------------
 * counts: check_all_trusted, check_no_relays, check_relays_unparseable
 */

static double
check_all_trusted(struct scan_eval_ctx *ec)
{
    const struct mime_relays *rl = mime_msg_relays(re_msg(ec));

    return rl->num_trusted > 0 && rl->num_untrusted == 0 && rl->num_unparseable == 0;
}

static double
check_no_relays(struct scan_eval_ctx *ec)
{
    const struct mime_relays *rl = mime_msg_relays(re_msg(ec));

    return rl->num_trusted == 0 && rl->num_untrusted == 0 && rl->num_unparseable == 0;
}

static double
check_relays_unparseable(struct scan_eval_ctx *ec)
{
    return mime_msg_relays(re_msg(ec))->num_unparseable > 0;
}

static double
check_for_illegal_ip(struct scan_eval_ctx *ec)
{
    (void)ec; /* Bug 6295: no longer in use, kept for old rules */
    return 0;
}

/* ------------------------------------------------------------------------
 * HELO and IP: check_for_numeric_helo, helo_ip_mismatch
 */

/* relays_untrusted_str =~ /\bhelo=(IPV4_ADDRESS)(?=[\000-\040,;\[()<>]|\z)/i
 * && $1 !~ IS_IP_PRIVATE. After SA's `local $1` in the same block Perl
 * gives that $1 as undef, which matches no private range: any numeric
 * HELO hits, a private one too. */
static double
check_for_numeric_helo(struct scan_eval_ctx *ec)
{
    struct strv s = mime_msg_relays(re_msg(ec))->untrusted_str;

    for (size_t i = 0; i + 5 <= s.len; i++) {
        size_t j = i + 5;

        if (strncasecmp(s.p + i, "helo=", 5) != 0 || (i > 0 && re_word(s.p[i - 1])))
            continue;
        if (!re_quad_at(s, &j))
            continue;
        if (j < s.len && !((unsigned char)s.p[j] <= 0x20 || strchr(",;[()<>", s.p[j]) != NULL))
            continue;
        return 1;
    }
    return 0;
}

static double
helo_ip_mismatch(struct scan_eval_ctx *ec)
{
    const struct mime_relays *rl = mime_msg_relays(re_msg(ec));

    for (size_t i = 0; i < rl->nrelays; i++) {
        const struct mime_relay *x = &rl->relays[i];
        size_t dots = 0, k;

        if (x->trusted)
            continue;
        /* is HELO usable? */
        if (!re_is_ipv4(x->helo) || re_private4(x->helo))
            continue;
        if (!re_is_ipv4(x->ip) || re_private4(x->ip) || strv_equal(x->helo, x->ip))
            continue;
        /* a different IP is fine in the same /24 */
        for (k = 0; k < x->helo.len && dots < 3; k++)
            dots += x->helo.p[k] == '.';
        if (x->ip.len < k || memcmp(x->ip.p, x->helo.p, k) != 0)
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * check_for_sender_no_reverse, check_for_from_domain_in_received_headers
 */

static double
check_for_sender_no_reverse(struct scan_eval_ctx *ec)
{
    struct mime_msg *m = re_msg(ec);
    const struct mime_relay **u;
    size_t n = re_untrusted(ec->task->arena, mime_msg_relays(m), &u);

    /* the sender's relay is the last untrusted one */
    if (n == 0 || u[n - 1]->rdns.len == 0 ||
        memchr(u[n - 1]->rdns.p, '.', u[n - 1]->rdns.len) == NULL)
        return 0;
    return !u[n - 1]->ip_private;
}

struct re_fromdom {
    pcre2_code *in_from; /* /\b\Q$domain\E/i */
    pcre2_code *in_rcvd; /* / rdns=\S*\b${domain} [^\]]*by=\S*\b${domain} / */
    bool want_true;      /* $desired eq 'true' */
};

static int
prep_fromdom(struct arena *a, const struct scan_rule *rule, void **state, struct sift_err *err)
{
    const char *domain = sa_eval_arg(rule, 0), *desired = sa_eval_arg(rule, 1);
    struct re_fromdom *st = arena_calloc(a, 1, sizeof(*st));
    const char *q;

    if (domain == NULL)
        domain = "";
    q = sa_eval_header_quote(a, strv_cstr(domain));
    st->want_true = desired != NULL && strcmp(desired, "true") == 0;
    /* $domain is interpolated unquoted into the second pattern, as in SA */
    if ((st->in_from = sa_eval_re_compile(a, arena_printf(a, "\\b%s", q), PCRE2_CASELESS, err)) ==
            NULL ||
        (st->in_rcvd = sa_eval_re_compile(
             a, arena_printf(a, " rdns=\\S*\\b%s [^\\]]*by=\\S*\\b%s ", domain, domain), 0, err)) ==
            NULL)
        return -1;
    *state = st;
    return 0;
}

static double
check_for_from_domain_in_received_headers(struct scan_eval_ctx *ec)
{
    struct mime_msg *m = re_msg(ec);
    const struct re_fromdom *st = ec->state;
    const struct mime_relays *rl;
    struct arena *a = ec->task->arena;
    bool found;
    struct strv rcvd;
    char *p;

    if (st == NULL ||
        !sa_eval_re_search(st->in_from, mime_get_scalar(m, "From:addr", &found), 0, NULL, 0))
        return 0;
    rl = mime_msg_relays(m);
    /* relays_trusted_str . "\n" . relays_untrusted_str */
    p = arena_printf(a, "%.*s\n%.*s", (int)rl->trusted_str.len,
                     rl->trusted_str.len > 0 ? rl->trusted_str.p : "", (int)rl->untrusted_str.len,
                     rl->untrusted_str.len > 0 ? rl->untrusted_str.p : "");
    rcvd = strv_make(p, rl->trusted_str.len + rl->untrusted_str.len + 1);
    if (sa_eval_re_search(st->in_rcvd, rcvd, 0, NULL, 0))
        return st->want_true;
    return !st->want_true;
}

/* ------------------------------------------------------------------------
 * check_for_no_rdns_dotcom_helo (bug 1133)
 */

/* /(?:\.|^)(lycos\.com|lycos\.co\.uk|hotmail\.com|localhost\.com|excite\.com|
 * caramail\.com|cs\.com|aol\.com|msn\.com|yahoo\.com|drizzle\.com)$/i: the
 * HELO is one of the big dotcoms or a host in one. */
static bool
re_dotcom_helo(struct strv helo)
{
    static const char *const dom[] = { "lycos.com",  "lycos.co.uk",  "hotmail.com", "localhost.com",
                                       "excite.com", "caramail.com", "cs.com",      "aol.com",
                                       "msn.com",    "yahoo.com",    "drizzle.com" };

    for (size_t k = 0; k < sizeof(dom) / sizeof(dom[0]); k++) {
        size_t n = strlen(dom[k]);

        if (helo.len >= n && strncasecmp(helo.p + helo.len - n, dom[k], n) == 0 &&
            (helo.len == n || helo.p[helo.len - n - 1] == '.'))
            return true;
    }
    return false;
}

/* RelayEval::_check_received_helos: the flag is reset for every public
 * untrusted relay, so only the last one counts. no_reverse_dns says its
 * MTA looked the name up and found none. */
static double
check_for_no_rdns_dotcom_helo(struct scan_eval_ctx *ec)
{
    const struct mime_relays *rl = mime_msg_relays(re_msg(ec));
    bool hit = false;

    for (size_t i = 0; i < rl->nrelays; i++) {
        const struct mime_relay *x = &rl->relays[i];

        if (x->trusted || x->ip_private)
            continue;
        hit = re_dotcom_helo(x->helo) && x->no_reverse_dns;
    }
    return hit;
}

/* ------------------------------------------------------------------------
 * forged Received trails: check_for_forged_received_trail,
 * check_for_forged_received_ip_helo
 */

/* lc, as Received.pm's lc_by, lc_rdns, lc_helo */
static struct strv
re_lc(struct arena *a, struct strv s)
{
    char *p = arena_alloc(a, s.len + 1);

    for (size_t i = 0; i < s.len; i++)
        p[i] = s.p[i] >= 'A' && s.p[i] <= 'Z' ? (char)(s.p[i] + 32) : s.p[i];
    p[s.len] = '\0';
    return strv_make(p, s.len);
}

/* RelayEval::hostname_to_domain */
static struct strv
re_hostname_to_domain(struct strv h)
{
    size_t starts[3] = { 0, 0, 0 }, nparts = 0, end = h.len, last;
    bool letter = false, three = false;

    for (size_t i = 0; i < h.len; i++)
        letter |= (h.p[i] >= 'a' && h.p[i] <= 'z') || (h.p[i] >= 'A' && h.p[i] <= 'Z');
    if (!letter)
        return h; /* IP address */
    /* split(/\./): trailing empty fields go */
    while (end > 0 && h.p[end - 1] == '.')
        end--;
    if (end == 0)
        return h;
    /* the start of the last three fields, counting how many there are */
    for (size_t i = end + 1; i-- > 0;) {
        if (i == 0 || h.p[i - 1] == '.') {
            if (nparts < 3)
                starts[nparts] = i;
            nparts++;
        }
    }
    last = starts[0];
    /* $parts[-1] =~ /(?:\S{3,}|ie|fr|de)/ */
    for (size_t i = last, run = 0; i < end && !three; i++) {
        run = re_space(h.p[i]) ? 0 : run + 1;
        three = run >= 3;
    }
    for (size_t i = last; i + 1 < end && !three; i++) {
        three = (h.p[i] == 'i' && h.p[i + 1] == 'e') || (h.p[i] == 'f' && h.p[i + 1] == 'r') ||
                (h.p[i] == 'd' && h.p[i + 1] == 'e');
    }
    if (nparts > 1 && three)
        return strv_make(h.p + starts[1], end - starts[1]);
    if (nparts > 2)
        return strv_make(h.p + starts[2], end - starts[2]);
    return h;
}

/* /^\w+(?:[\w.-]+\.)+\w+$/: a word character, at least one more, a last
 * dot, and word characters after it. */
static bool
re_hostlike(struct strv s)
{
    const char *dot;

    if (s.len < 4 || !re_word(s.p[0]))
        return false;
    dot = memrchr(s.p, '.', s.len);
    if (dot == NULL || dot - s.p < 2 || dot + 1 == s.p + s.len)
        return false;
    for (const char *p = s.p; p < dot; p++) {
        if (!re_word(*p) && *p != '.' && *p != '-')
            return false;
    }
    for (const char *p = dot + 1; p < s.p + s.len; p++) {
        if (!re_word(*p))
            return false;
    }
    return true;
}

/* ^(\d+\.\d+)\.\d+\.\d+$ on a digit quad: the first two fields */
static struct strv
re_classb(struct strv s)
{
    const char *d1 = memchr(s.p, '.', s.len);
    const char *d2 = memchr(d1 + 1, '.', (size_t)(s.p + s.len - d1 - 1));

    return strv_make(s.p, (size_t)(d2 - s.p));
}

struct re_forged {
    unsigned mismatch_from, mismatch_ip_helo;
};

static void
re_forged_received(struct scan_eval_ctx *ec, struct re_forged *out)
{
    struct arena *a = ec->task->arena;
    const struct mime_relay **u;
    size_t n = re_untrusted(a, mime_msg_relays(re_msg(ec)), &u);
    struct strv *from = arena_alloc(a, (n + 1) * sizeof(*from));
    bool *from_def = arena_alloc(a, (n + 1) * sizeof(*from_def));

    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < n; i++) {
        from[i] = re_hostname_to_domain(re_lc(a, u[i]->rdns));
        from_def[i] = true;
    }
    for (size_t i = 0; i < n; i++) {
        struct strv by = re_hostname_to_domain(re_lc(a, u[i]->by));
        struct strv hlo = re_hostname_to_domain(re_lc(a, u[i]->helo));
        struct strv fip = u[i]->ip;

        if (!re_hostlike(by))
            continue;
        /* bouncing around inside one machine, via the localhost interface */
        if ((strv_eq(from[i], "localhost") || strv_eq(from[i], "localhost.localdomain")) &&
            strv_eq(fip, "127.0.0.1"))
            from_def[i] = false;
        if (re_digit_quad(hlo) && re_digit_quad(fip) && !strv_equal(fip, hlo) &&
            !strv_equal(re_classb(hlo), re_classb(fip)) && !re_private4(hlo))
            out->mismatch_ip_helo++;
        if (i > 0 && from_def[i - 1] && re_hostlike(from[i - 1]) && !strv_equal(by, from[i - 1]) &&
            !(strv_eq(by, "msn.com") && strv_eq(from[i - 1], "hotmail.com")))
            out->mismatch_from++;
    }
}

static double
check_for_forged_received_trail(struct scan_eval_ctx *ec)
{
    struct re_forged f;

    re_forged_received(ec, &f);
    return f.mismatch_from > 1;
}

static double
check_for_forged_received_ip_helo(struct scan_eval_ctx *ec)
{
    struct re_forged f;

    re_forged_received(ec, &f);
    return f.mismatch_ip_helo > 0;
}

/* ------------------------------------------------------------------------
 * WLBLEval::check_mailfrom_matches_rcvd
 */

/* / \@ ( [^\@]+ \. [^\@]+ ) \z/x: the domain after the last '@', with a
 * dot that has something on either side. */
static bool
re_addr_domain(struct strv addr, struct strv *dom)
{
    const char *at = addr.len > 0 ? memrchr(addr.p, '@', addr.len) : NULL;
    struct strv d;

    if (at == NULL)
        return false;
    d = strv_make(at + 1, (size_t)(addr.p + addr.len - at - 1));
    for (size_t i = 1; i + 1 < d.len; i++) {
        if (d.p[i] == '.') {
            *dom = d;
            return true;
        }
    }
    return false;
}

static double
check_mailfrom_matches_rcvd(struct scan_eval_ctx *ec)
{
    struct mime_msg *m = re_msg(ec);
    struct arena *a = ec->task->arena;
    const struct mime_relays *rl;
    const struct mime_relay **u, **try;
    size_t nu, ntry = 0;
    bool found;
    struct strv sender = mime_get_scalar(m, "EnvelopeFrom:addr", &found), dom, adrd;

    if (sender.len == 0 || !re_addr_domain(sender, &dom))
        return 0;
    rl = mime_msg_relays(m);
    nu = re_untrusted(a, rl, &u);
    try = arena_alloc(a, (rl->nrelays + 1) * sizeof(*try));
    if (nu > 0) {
        try[ntry++] = u[0]; /* the first untrusted one */
    } else {
        for (size_t i = 0; i < rl->nrelays; i++) { /* else every trusted one */
            if (rl->relays[i].trusted)
                try[ntry++] = &rl->relays[i];
        }
    }
    if (ntry == 0)
        return 0;
    adrd = sa_eval_header_split_domain(a, m->ctx->psl, re_lc(a, dom), NULL);
    for (size_t i = 0; i < ntry; i++) {
        struct strv rdns = re_lc(a, try[i]->rdns);

        if (rdns.len == 0)
            continue;
        if (strv_equal(adrd, sa_eval_header_split_domain(a, m->ctx->psl, rdns, NULL)))
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * the table
 */

#define HDR (1u << SCAN_T_HEADER)

const struct scan_eval_def sa_eval_relay_defs[] = {
    /* RelayEval registers these for any rule type */
    { "check_for_numeric_helo", 0, NULL, check_for_numeric_helo, 0 },
    { "check_for_illegal_ip", 0, NULL, check_for_illegal_ip, 0 },
    { "check_all_trusted", 0, NULL, check_all_trusted, 0 },
    { "check_no_relays", 0, NULL, check_no_relays, 0 },
    { "check_relays_unparseable", 0, NULL, check_relays_unparseable, 0 },
    { "check_for_sender_no_reverse", 0, NULL, check_for_sender_no_reverse, 0 },
    { "check_for_from_domain_in_received_headers", HDR, prep_fromdom,
      check_for_from_domain_in_received_headers, 0 },
    { "check_for_forged_received_trail", 0, NULL, check_for_forged_received_trail, 0 },
    { "check_for_forged_received_ip_helo", 0, NULL, check_for_forged_received_ip_helo, 0 },
    { "helo_ip_mismatch", 0, NULL, helo_ip_mismatch, 0 },
    { "check_for_no_rdns_dotcom_helo", 0, NULL, check_for_no_rdns_dotcom_helo, 0 },
    /* WLBLEval's */
    { "check_mailfrom_matches_rcvd", HDR, NULL, check_mailfrom_matches_rcvd, 0 },
};

const size_t sa_eval_relay_ndefs = sizeof(sa_eval_relay_defs) / sizeof(sa_eval_relay_defs[0]);
