/*
 * sa_eval_wlbl.c - SpamAssassin 4.0.1's Plugin::WLBLEval (less
 * check_mailfrom_matches_rcvd, in sa_eval_relay.c) and
 * Plugin::WelcomeListSubject.
 * Each rule's lists are built from the configuration on the first call
 * and kept with that configuration (sa_conf_memo): the site's for the
 * process's life, a user's as long as the user's prefs are cached. What SA caches on the
 * PerMsgStatus (from_in_welcomelist, uri_host_enlisted) is computed again
 * per call. SA walks hashes in a random order; every result here is one
 * that order cannot change (only the test_log text could).
 */
#include "compat/sa_eval_wlbl.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat/sa_conf.h"
#include "compat/sa_eval_addrlist.h"
#include "compat/sa_eval_util.h"
#include "core/strset.h"
#include "mime/mime_get.h"
#include "mime/mime_uris.h"

#define WL_MAX_LISTS 4

/* A rule's state: which lists it reads; the lists are built in a copy
 * kept with each configuration (the rule's own only without one). */
struct wl_state {
    struct arena *a; /* where the lists live */
    const char *names[WL_MAX_LISTS];
    size_t nnames;
    const char *uri_list; /* check_uri_host_listed's list name, or NULL */
    bool built;
    struct sa_addrlist lists[WL_MAX_LISTS];
    struct strset hosts; /* the uri_list: host -> verdict[index] */
    bool *verdict;
};

static int
wl_prepare_names(struct arena *a, void **state, const char *const *names, size_t n,
                 const char *uri_list)
{
    struct wl_state *st = arena_calloc(a, 1, sizeof(*st));

    st->a = a;
    for (size_t i = 0; i < n && i < WL_MAX_LISTS; i++)
        st->names[st->nnames++] = names[i] != NULL ? arena_strdup(a, names[i]) : NULL;
    st->uri_list = uri_list != NULL ? arena_strdup(a, uri_list) : NULL;
    *state = st;
    return 0;
}

/* $conf->{uri_host_lists}{$name}{$host} = $v for the words of v (lc, a
 * leading ! for a false verdict); the last setting of a host wins. */
static void
wl_hosts_add(struct wl_state *st, size_t *cap, struct strv v)
{
    size_t pos = 0;
    struct strv w;

    while (sa_addrlist_word(v, &pos, &w)) {
        bool yes = !(w.len > 0 && w.p[0] == '!');
        struct strv host = sa_eval_lc(st->a, yes ? w : strv_make(w.p + 1, w.len - 1));
        long k = strset_index(&st->hosts, host);

        if (k < 0) {
            strset_add(&st->hosts, host);
            k = (long)st->hosts.n - 1;
            if ((size_t)k >= *cap) {
                size_t ncap = *cap ? *cap * 2 : 64;

                st->verdict = arena_realloc(st->a, st->verdict, *cap * sizeof(*st->verdict),
                                            ncap * sizeof(*st->verdict));
                *cap = ncap;
            }
        }
        st->verdict[k] = yes;
    }
}

/* One enlist_uri_host list (blocklist_uri_host and welcomelist_uri_host
 * are kept as the BLOCK and WELCOME ones: sa_conf.c). */
static void
wl_build_hosts(struct wl_state *st, const struct sa_conf *c)
{
    const struct strv *v;
    size_t n, cap = 0;

    strset_init(&st->hosts, st->a);
    st->verdict = NULL;
    if (c == NULL)
        return;
    n = sa_conf_values(c, "enlist_uri_host", &v);
    for (size_t i = 0; i < n; i++) {
        struct strv name, rest;

        if (sa_addrlist_enlisted(v[i], &name, &rest) && strv_eq(name, st->uri_list))
            wl_hosts_add(st, &cap, rest);
    }
}

/* The rule's lists for the scan's configuration: built once per
 * configuration and kept with it (a user's go with the user's). */
static struct wl_state *
wl_state(struct scan_eval_ctx *ec)
{
    struct wl_state *proto = ec->state, *st = proto;
    const struct sa_conf *c = ec->data;
    bool fresh = !proto->built;

    if (c != NULL) {
        st = sa_conf_memo(c, proto, sizeof(*st), &fresh);
        if (fresh) {
            memcpy(st->names, proto->names, sizeof(st->names));
            st->nnames = proto->nnames;
            st->uri_list = proto->uri_list;
            st->a = sa_conf_arena(c);
        }
    }
    if (!fresh)
        return st;
    for (size_t i = 0; i < st->nnames; i++) {
        if (st->names[i] != NULL)
            sa_addrlist_build(st->a, c, st->names[i], &st->lists[i]);
        else
            memset(&st->lists[i], 0, sizeof(st->lists[i]));
    }
    if (st->uri_list != NULL)
        wl_build_hosts(st, c);
    st->built = true;
    return st;
}

static struct mime_msg *
wl_msg(struct scan_eval_ctx *ec)
{
    return ec->msg != NULL ? ec->msg : task_message(ec->task);
}

/* ------------------------------------------------------------------------
 * addresses in lists
 */

/* Is any of the message's From (or To) addresses in the rule's list 0? */
static bool
wl_any_in(struct scan_eval_ctx *ec, bool to)
{
    struct wl_state *st = wl_state(ec);
    struct mime_msg *m = wl_msg(ec);
    struct strv *addrs;
    size_t n = to ? sa_addrlist_to_addrs(m, &addrs) : sa_addrlist_from_addrs(m, &addrs);

    for (size_t i = 0; i < n; i++) {
        if (sa_addrlist_match(ec->task->arena, &st->lists[0], addrs[i]))
            return true;
    }
    return false;
}

static double
check_from_in_list(struct scan_eval_ctx *ec)
{
    return wl_any_in(ec, false);
}

static double
check_to_in_list(struct scan_eval_ctx *ec)
{
    return wl_any_in(ec, true);
}

static double
check_replyto_in_list(struct scan_eval_ctx *ec)
{
    struct wl_state *st = wl_state(ec);
    bool found;
    struct strv replyto = mime_get_scalar(wl_msg(ec), "Reply-To:addr", &found);

    if (replyto.len == 0)
        return 0;
    return sa_addrlist_match(ec->task->arena, &st->lists[0], replyto);
}

/* check_from_in_list('NAME'): the list the rule names */
static int
prep_named_list(struct arena *a, const struct scan_rule *rule, void **state, struct sift_err *err)
{
    const char *name = sa_eval_arg(rule, 0);

    (void)err;
    /* $pms->{conf}->{undef} is no list: the function warns and says 0 */
    return wl_prepare_names(a, state, &name, 1, NULL);
}

#define WL_LIST_PREP(fn, list)                                                                     \
    static int fn(struct arena *a, const struct scan_rule *rule, void **state,                     \
                  struct sift_err *err)                                                            \
    {                                                                                              \
        static const char *const names[] = { list };                                               \
        (void)rule;                                                                                \
        (void)err;                                                                                 \
        return wl_prepare_names(a, state, names, 1, NULL);                                         \
    }

WL_LIST_PREP(prep_blocklist_from, "blocklist_from")
WL_LIST_PREP(prep_blocklist_to, "blocklist_to")
WL_LIST_PREP(prep_welcomelist_to, "welcomelist_to")
WL_LIST_PREP(prep_more_spam_to, "more_spam_to")
WL_LIST_PREP(prep_all_spam_to, "all_spam_to")
WL_LIST_PREP(prep_welcomelist_subject, "welcomelist_subject")
WL_LIST_PREP(prep_blocklist_subject, "blocklist_subject")

/* ------------------------------------------------------------------------
 * welcomelist_from and the _rcvd lists
 */

enum { WL_FROM, WL_FROM_RCVD, WL_DEF_RCVD, WL_ALLOWS };

static int
prep_welcome(struct arena *a, const struct scan_rule *rule, void **state, struct sift_err *err)
{
    static const char *const names[] = { "welcomelist_from", "welcomelist_from_rcvd",
                                         "def_welcomelist_from_rcvd", "welcomelist_allows_relays" };

    (void)rule;
    (void)err;
    return wl_prepare_names(a, state, names, 4, NULL);
}

/* NetAddr::IP->new for the forms SA's welcomelist_from_rcvd documents
 * (a.b.c.d, an IPv6 address, either with /len, a dotted-quad mask, and
 * a.b/16-style partial quads): 128 bits with IPv4 in the low 32 (NetAddr's
 * "IPv4-compatible" form) and its mask. Host names (NetAddr would look
 * them up), big integers and ranges are refused. */
static bool
wl_netaddr(struct strv s, uint8_t addr[16], uint8_t mask[16])
{
    char ip[64], ms[64];
    const char *slash;
    size_t iplen;
    bool hasmask;
    struct in6_addr a6;
    struct in_addr a4;

    if (s.len == 0 || s.len >= sizeof(ip))
        return false;
    slash = memchr(s.p, '/', s.len);
    iplen = slash != NULL ? (size_t)(slash - s.p) : s.len;
    hasmask = slash != NULL;
    for (size_t i = 0; i < iplen; i++)
        ip[i] = (char)((s.p[i] >= 'A' && s.p[i] <= 'Z') ? s.p[i] + 32 : s.p[i]);
    ip[iplen] = '\0';
    snprintf(ms, sizeof(ms), "%.*s", hasmask ? (int)(s.len - iplen - 1) : 0,
             hasmask ? slash + 1 : "");
    if (hasmask &&
        (ms[0] == '\0' || strspn(ms, "0123456789abcdefghijklmnopqrstuvwxyz.:-") != strlen(ms)))
        return false;
    memset(addr, 0, 16);
    memset(mask, 0xff, 16);
    if (strchr(ip, ':') != NULL) {
        if (inet_pton(AF_INET6, ip, &a6) != 1)
            return false;
        memcpy(addr, &a6, 16);
        if (hasmask) {
            unsigned long bits;
            char *end;

            bits = strtoul(ms, &end, 10);
            if (*end != '\0' || strlen(ms) > 3 || bits > 128)
                return false;
            for (unsigned k = 0; k < 128; k++)
                if (k >= bits)
                    mask[k / 8] &= (uint8_t) ~(0x80u >> (k % 8));
        }
        return true;
    }
    {
        unsigned long o[4] = { 0, 0, 0, 0 };
        int n = 0;
        const char *p = ip;
        char quad[32];

        while (n < 4) {
            char *end;

            if (*p < '0' || *p > '9')
                return false;
            o[n++] = strtoul(p, &end, 10);
            p = end;
            if (*p == '\0')
                break;
            if (*p++ != '.')
                return false;
        }
        if (*p != '\0')
            return false;
        if (n == 2) /* NetAddr: a.b is a.b.0.0 with a mask, a.0.0.b without */
            hasmask ? (o[2] = 0, o[3] = 0) : (o[3] = o[1], o[1] = 0);
        else if (n == 3)
            hasmask ? (void)(o[3] = 0) : (void)(o[3] = o[2], o[2] = 0);
        else if (n == 1 && !(hasmask && o[0] < 256))
            return false;
        snprintf(quad, sizeof(quad), "%lu.%lu.%lu.%lu", o[0], n > 1 ? o[1] : 0, n > 2 ? o[2] : 0,
                 n > 3 ? o[3] : 0);
        if (inet_pton(AF_INET, quad, &a4) != 1)
            return false;
        memcpy(addr + 12, &a4, 4);
    }
    if (hasmask) {
        if (strchr(ms, '.') != NULL) {
            if (inet_pton(AF_INET, ms, &a4) != 1)
                return false;
            memcpy(mask + 12, &a4, 4);
        } else {
            unsigned long bits;
            char *end;

            bits = strtoul(ms, &end, 10);
            if (*end != '\0' || strlen(ms) > 3 || bits > 32)
                return false;
            for (unsigned k = 96; k < 128; k++)
                if (k - 96 >= bits)
                    mask[k / 8] &= (uint8_t) ~(0x80u >> (k % 8));
        }
    }
    return true;
}

/* $wl_ip_obj->contains($rly_ip_obj): NetAddr::IP::Lite's within() */
static bool
wl_net_contains(struct strv wl, struct strv rly)
{
    uint8_t wa[16], wm[16], ra[16], rm[16], neto[16], brdo[16];
    bool any = false;

    if (!wl_netaddr(rly, ra, rm) || !wl_netaddr(wl, wa, wm))
        return false;
    for (int i = 0; i < 16; i++) {
        any |= wm[i] != 0;
        neto[i] = wa[i] & wm[i];
        brdo[i] = wa[i] | (uint8_t)~wm[i];
    }
    if (!any) /* a zero mask contains everything */
        return true;
    return memcmp(ra, neto, 16) >= 0 && memcmp(brdo, ra, 16) >= 0;
}

/* m{^ \[ (.*) \] ( / \d{1,3} )? \z}sx: the address between the brackets,
 * with the /len that may follow them */
static bool
wl_bracketed(struct arena *a, struct strv d, struct strv *ip)
{
    if (d.len < 2 || d.p[0] != '[')
        return false;
    for (size_t q = d.len; q-- > 1;) {
        size_t tail = d.len - q - 1, k;

        if (d.p[q] != ']')
            continue;
        if (tail != 0) {
            if (d.p[q + 1] != '/' || tail < 2 || tail > 4)
                continue;
            for (k = q + 2; k < d.len && d.p[k] >= '0' && d.p[k] <= '9'; k++)
                ;
            if (k != d.len)
                continue;
        }
        *ip = strv_make(arena_printf(a, "%.*s%.*s", (int)(q - 1), d.p + 1, (int)tail, d.p + q + 1),
                        q - 1 + tail);
        return true;
    }
    return false;
}

/* s is all of [\d.] (digits, with digits and dots if dots) */
static bool
wl_digits_dots(struct strv s, int need_quad)
{
    int dots = 0;

    if (s.len == 0)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] == '.') {
            if (need_quad && (i == 0 || s.p[i - 1] == '.'))
                return false;
            dots++;
        } else if (s.p[i] < '0' || s.p[i] > '9') {
            return false;
        }
    }
    return !need_quad || (dots == 3 && s.p[s.len - 1] != '.');
}

/* Does relay r match the second word of a welcomelist_from_rcvd entry? */
static bool
wl_relay_matches(struct arena *a, const struct mime_relay *r, struct strv domain)
{
    struct strv wl;

    if (wl_bracketed(a, domain, &wl)) {
        if (r->ip.len == 0)
            return false;
        if (wl_digits_dots(wl, 1)) /* an IPv4 entry: the same address */
            return strv_equal(wl, r->ip);
        if (wl_digits_dots(wl, 0)) { /* a classful subnet: a prefix with its dot */
            while (wl.len > 0 && wl.p[wl.len - 1] == '.')
                wl.len--;
            return r->ip.len > wl.len && memcmp(r->ip.p, wl.p, wl.len) == 0 &&
                   r->ip.p[wl.len] == '.';
        }
        return wl_net_contains(wl, r->ip);
    }
    /* the rDNS name ends in the domain: /(?:^|\.)\Q$domain\E$/i */
    if (r->rdns.len < domain.len ||
        strncasecmp(r->rdns.p + r->rdns.len - domain.len, domain.p, domain.len) != 0)
        return false;
    return r->rdns.len == domain.len || r->rdns.p[r->rdns.len - domain.len - 1] == '.';
}

/* _check_welcomelist_rcvd: 1 when addr is listed and came through its
 * relay, -1 when it is listed but did not (unless welcomelist_allows_relays
 * has it), 0 otherwise. */
static int
wl_rcvd(struct arena *a, struct mime_msg *m, const struct sa_addrlist *l,
        const struct sa_addrlist *allows, struct strv addr)
{
    const struct mime_relays *rl = mime_msg_relays(m);
    const struct mime_relay **relays;
    size_t nrelays = 0;
    int forged = 0;

    if (rl->num_untrusted + rl->num_trusted == 0)
        return 0;
    relays = arena_alloc(a, (rl->nrelays + 1) * sizeof(*relays));
    /* the first untrusted relay; the trusted ones only when no relay is
     * untrusted, to avoid forgery (bug 4425) */
    for (size_t i = 0; i < rl->nrelays; i++) {
        if (rl->num_untrusted > 0 && !rl->relays[i].trusted) {
            relays[nrelays++] = &rl->relays[i];
            break;
        }
        if (rl->num_untrusted == 0 && rl->relays[i].trusted)
            relays[nrelays++] = &rl->relays[i];
    }
    addr = sa_eval_lc(a, addr);
    for (size_t i = 0; i < l->n; i++) {
        if (!sa_addrlist_glob(l->v[i].glob, addr, true))
            continue;
        for (size_t k = 0; k < nrelays; k++) {
            if (wl_relay_matches(a, relays[k], l->v[i].domain))
                return 1;
        }
        forged = -1;
    }
    if (forged && sa_addrlist_match_pattern(allows, addr))
        forged = 0;
    return forged;
}

/* _check_from_in_welcomelist (def false) and
 * _check_from_in_default_welcomelist (def true): 1, 0 or -1 (forged). */
static int
wl_from_in(struct scan_eval_ctx *ec, bool def)
{
    struct wl_state *st = wl_state(ec);
    struct mime_msg *m = wl_msg(ec);
    struct arena *a = ec->task->arena;
    struct strv *addrs;
    size_t n = sa_addrlist_from_addrs(m, &addrs);
    int found = 0;

    for (size_t i = 0; i < n; i++) {
        int wh;

        if (!def && sa_addrlist_match(a, &st->lists[WL_FROM], addrs[i]))
            return 1;
        wh = wl_rcvd(a, m, &st->lists[def ? WL_DEF_RCVD : WL_FROM_RCVD], &st->lists[WL_ALLOWS],
                     addrs[i]);
        if (wh == 1)
            return 1;
        if (wh == -1)
            found = -1;
    }
    return found;
}

static double
check_from_in_welcomelist(struct scan_eval_ctx *ec)
{
    return wl_from_in(ec, false) > 0;
}

static double
check_forged_in_welcomelist(struct scan_eval_ctx *ec)
{
    return wl_from_in(ec, false) < 0 && wl_from_in(ec, true) == 0;
}

static double
check_from_in_default_welcomelist(struct scan_eval_ctx *ec)
{
    return wl_from_in(ec, true) > 0;
}

static double
check_forged_in_default_welcomelist(struct scan_eval_ctx *ec)
{
    return wl_from_in(ec, true) < 0 && wl_from_in(ec, false) == 0;
}

/* ------------------------------------------------------------------------
 * URI host lists
 */

static int
prep_uri_listed(struct arena *a, const struct scan_rule *rule, void **state, struct sift_err *err)
{
    const char *name = sa_eval_arg(rule, 0);

    (void)err;
    return wl_prepare_names(a, state, NULL, 0, name != NULL ? name : "");
}

static int
prep_uri_block(struct arena *a, const struct scan_rule *rule, void **state, struct sift_err *err)
{
    (void)rule;
    (void)err;
    return wl_prepare_names(a, state, NULL, 0, "BLOCK");
}

static int
prep_uri_welcome(struct arena *a, const struct scan_rule *rule, void **state, struct sift_err *err)
{
    (void)rule;
    (void)err;
    return wl_prepare_names(a, state, NULL, 0, "WELCOME");
}

/* The verdict of the most specific entry for host; -1 when none. */
static int
wl_host_verdict(const struct wl_state *st, struct strv host, struct strv *key)
{
    struct strv q[12];
    size_t nq = 0;

    if (host.len >= 2 && host.p[0] == '[' && host.p[host.len - 1] == ']') {
        q[nq++] = strv_make(host.p + 1, host.len - 2); /* an address literal */
    } else if (wl_digits_dots(host, 1)) {
        q[nq++] = host;
    } else if (host.len > 0) {
        struct strv h = host;

        /* sub.example.com, example.com, com: the last 11 at most */
        for (;;) {
            const char *dot;

            if (nq > 10) {
                memmove(q, q + 1, (nq - 1) * sizeof(*q));
                nq--;
            }
            q[nq++] = h;
            if ((dot = memchr(h.p, '.', h.len)) == NULL)
                break;
            h = strv_make(dot + 1, h.len - (size_t)(dot + 1 - h.p));
        }
    }
    for (size_t i = 0; i < nq; i++) {
        long k = strset_index(&st->hosts, q[i]);

        if (k >= 0) {
            *key = q[i];
            return st->verdict[k];
        }
    }
    return -1;
}

static double
check_uri_host_listed(struct scan_eval_ctx *ec)
{
    struct wl_state *st = wl_state(ec);
    struct mime_msg *m = wl_msg(ec);
    const struct mime_uris *u;
    struct strset seen;

    if (st->hosts.n == 0)
        return 0;
    u = mime_msg_uris(m);
    strset_init(&seen, ec->task->arena);
    for (size_t i = 0; i < u->n; i++) {
        if (u->v[i].raw.len >= 7 && strncasecmp(u->v[i].raw.p, "mailto:", 7) == 0)
            continue;
        for (size_t k = 0; k < u->v[i].nhosts; k++) {
            struct strv host = u->v[i].hosts[k], key;

            if (!strset_add(&seen, host))
                continue;
            if (wl_host_verdict(st, host, &key) == 1) {
                ec->option = arena_printf(ec->task->arena, "URI: %.*s", (int)host.len, host.p);
                return 1;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * WelcomeListSubject
 */

static double
check_subject_in_list(struct scan_eval_ctx *ec)
{
    struct wl_state *st = wl_state(ec);
    bool found;
    struct strv subject = mime_get_scalar(wl_msg(ec), "Subject", &found);

    if (subject.len == 0)
        return 0;
    return sa_addrlist_match(ec->task->arena, &st->lists[0], subject);
}

/* ------------------------------------------------------------------------
 * the table
 */

#define HDR (1u << SCAN_T_HEADER)

const struct scan_eval_def sa_eval_wlbl_defs[] = {
    { "check_from_in_blocklist", HDR, prep_blocklist_from, check_from_in_list, 0 },
    { "check_from_in_blacklist", HDR, prep_blocklist_from, check_from_in_list, 0 },
    { "check_to_in_blocklist", HDR, prep_blocklist_to, check_to_in_list, 0 },
    { "check_to_in_blacklist", HDR, prep_blocklist_to, check_to_in_list, 0 },
    { "check_to_in_welcomelist", HDR, prep_welcomelist_to, check_to_in_list, 0 },
    { "check_to_in_whitelist", HDR, prep_welcomelist_to, check_to_in_list, 0 },
    { "check_to_in_more_spam", HDR, prep_more_spam_to, check_to_in_list, 0 },
    { "check_to_in_all_spam", HDR, prep_all_spam_to, check_to_in_list, 0 },
    { "check_from_in_list", HDR, prep_named_list, check_from_in_list, 0 },
    { "check_replyto_in_list", HDR, prep_named_list, check_replyto_in_list, 0 },
    { "check_to_in_list", HDR, prep_named_list, check_to_in_list, 0 },
    { "check_from_in_welcomelist", HDR, prep_welcome, check_from_in_welcomelist, 0 },
    { "check_from_in_whitelist", HDR, prep_welcome, check_from_in_welcomelist, 0 },
    { "check_forged_in_welcomelist", HDR, prep_welcome, check_forged_in_welcomelist, 0 },
    { "check_forged_in_whitelist", HDR, prep_welcome, check_forged_in_welcomelist, 0 },
    { "check_from_in_default_welcomelist", HDR, prep_welcome, check_from_in_default_welcomelist,
      0 },
    { "check_from_in_default_whitelist", HDR, prep_welcome, check_from_in_default_welcomelist, 0 },
    { "check_forged_in_default_welcomelist", HDR, prep_welcome, check_forged_in_default_welcomelist,
      0 },
    { "check_forged_in_default_whitelist", HDR, prep_welcome, check_forged_in_default_welcomelist,
      0 },
    { "check_uri_host_listed", HDR, prep_uri_listed, check_uri_host_listed, 0 },
    /* "type does not matter" for these four */
    { "check_uri_host_in_blocklist", 0, prep_uri_block, check_uri_host_listed, 0 },
    { "check_uri_host_in_blacklist", 0, prep_uri_block, check_uri_host_listed, 0 },
    { "check_uri_host_in_welcomelist", 0, prep_uri_welcome, check_uri_host_listed, 0 },
    { "check_uri_host_in_whitelist", 0, prep_uri_welcome, check_uri_host_listed, 0 },
    { "check_subject_in_welcomelist", HDR, prep_welcomelist_subject, check_subject_in_list, 0 },
    { "check_subject_in_whitelist", HDR, prep_welcomelist_subject, check_subject_in_list, 0 },
    { "check_subject_in_blocklist", HDR, prep_blocklist_subject, check_subject_in_list, 0 },
    { "check_subject_in_blacklist", HDR, prep_blocklist_subject, check_subject_in_list, 0 },
};

const size_t sa_eval_wlbl_ndefs = sizeof(sa_eval_wlbl_defs) / sizeof(sa_eval_wlbl_defs[0]);
