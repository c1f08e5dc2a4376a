/*
 * mime_get.c - PerMsgStatus::get and the metadata it needs (see mime_get.h).
 */
#include "mime/mime_get.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/ipnet.h"
#include "core/strset.h"
#include "mime/mime_date.h"
#include "mime/mime_url.h"

struct mime_meta {
    bool relays_done;
    struct mime_relays relays;
    bool envfrom_done, has_envfrom;
    struct strv envfrom;
    /* the answers so far: request -> cache_vals[index] */
    struct strset cache;
    struct mime_get **cache_vals; /* each on its own: callers keep them */
    size_t cache_cap;
    struct strv all; /* get_all_headers(0), once */
    bool all_done;
};

static struct mime_meta *
meta(struct mime_msg *m)
{
    if (m->meta == NULL) {
        m->meta = arena_calloc(m->arena, 1, sizeof(*m->meta));
        strset_init(&m->meta->cache, m->arena);
    }
    return m->meta;
}

struct get_list {
    struct strv *v;
    size_t n, cap;
};

static void
gl_push(struct arena *a, struct get_list *l, struct strv s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;

        l->v = arena_realloc(a, l->v, l->cap * sizeof(*l->v), cap * sizeof(*l->v));
        l->cap = cap;
    }
    l->v[l->n++] = s;
}

/* ------------------------------------------------------------------------
 * relays and envelope
 */

const struct mime_relays *
mime_msg_relays(struct mime_msg *m)
{
    struct mime_meta *mt = meta(m);
    const struct mime_ctx *ctx = m->ctx;
    struct get_list lines = { 0 };
    struct mime_trust trust = { ctx->trusted_networks, ctx->internal_networks, ctx->msa_networks,
                                false };

    if (mt->relays_done)
        return &mt->relays;
    mt->relays_done = true;
    for (const struct mime_header *f = mime_hdr_find(&m->root->hdrs, STRV_LIT("received")); f;
         f = mime_hdr_find_next(f))
        gl_push(m->arena, &lines, mime_hdr_get_value(m->arena, f, false));
    /* originating_ip_headers: one "from X-Originating-IP: a.b.c.d" line for each that holds
     * an IP (SA's $IP_ADDRESS, which mime_received has) */
    for (size_t i = 0; ctx->rcvd != NULL && i < ctx->noriginating_ip_headers; i++) {
        const struct mime_header *f =
            mime_hdr_last(&m->root->hdrs, strv_cstr(ctx->originating_ip_headers[i]));
        struct strv line;

        if (f != NULL && f->value.len > 0 &&
            mime_received_originating(ctx->rcvd, m->arena, mime_hdr_get_value(m->arena, f, false),
                                      &line))
            gl_push(m->arena, &lines, line);
    }
    if (ctx->rcvd != NULL)
        mime_received_chain(ctx->rcvd, m->arena, &trust, lines.v, lines.n, &mt->relays);
    else
        mt->relays.last_trusted_index = mt->relays.last_internal_index = -1;
    return &mt->relays;
}

/* "Name:first:addr" lookups used by get_envelope_from */
static bool
meta_first_addr(struct mime_msg *m, const char *hdr, struct strv *out)
{
    char req[128];
    const struct mime_get *g;

    snprintf(req, sizeof(req), "%s:first:addr", hdr);
    g = mime_get(m, req);
    if (g->n == 0)
        return false;
    *out = g->v[0];
    return true;
}

/* get("ALL") =~ /^Received:.*?^NAME:/smi: is any field named `name` below
 * a Received field? */
static bool
meta_received_before(struct mime_msg *m, const char *name)
{
    bool seen_received = false;

    for (const struct mime_header *f = m->root->hdrs.first; f != NULL; f = f->next) {
        if (strv_caseeq(f->name, "received"))
            seen_received = true;
        else if (seen_received && strv_caseeq(f->name, name))
            return true;
    }
    return false;
}

static bool
meta_envfrom_ok(struct strv e)
{
    const char *at = memchr(e.p, '@', e.len);

    return e.len == 0 || (at != NULL && at > e.p);
}

static bool
meta_envelope(struct mime_msg *m, struct strv *out)
{
    const struct mime_relays *r = mime_msg_relays(m);
    const struct mime_relay *lasthop = NULL;
    struct strv e;
    static const char *const hdrs[] = { "X-Envelope-From", "Envelope-Sender", "Return-Path" };

    if (m->ctx->envelope_sender_header != NULL) {
        if (meta_first_addr(m, m->ctx->envelope_sender_header, &e) && meta_envfrom_ok(e)) {
            *out = e;
            return true;
        }
        return false;
    }
    /* the last untrusted relay, else the first trusted one (the newest is first) */
    for (size_t i = 0; i < r->nrelays && lasthop == NULL; i++) {
        if (!r->relays[i].trusted)
            lasthop = &r->relays[i];
    }
    if (lasthop == NULL) {
        for (size_t i = r->nrelays; i > 0 && lasthop == NULL; i--) {
            if (r->relays[i - 1].trusted)
                lasthop = &r->relays[i - 1];
        }
    }
    if (lasthop != NULL && lasthop->has_envfrom && meta_envfrom_ok(lasthop->envfrom)) {
        *out = lasthop->envfrom;
        return true;
    }
    if (meta_first_addr(m, "X-Sender", &e) && memchr(e.p, '@', e.len) != NULL) {
        const struct mime_get *rc = mime_get(m, "Received");

        for (size_t i = 0; i < rc->n; i++) {
            if (memmem(rc->v[i].p, rc->v[i].len, "(fetchmail", 10) != NULL)
                return false;
        }
    }
    for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
        if (!meta_first_addr(m, hdrs[i], &e))
            continue;
        if (meta_received_before(m, hdrs[i])) {
            if (i == 0)
                return false; /* X-Envelope-From after a Received: untrustworthy, stop */
            continue;
        }
        *out = e;
        return true;
    }
    return false;
}

bool
mime_msg_date(struct mime_msg *m, int64_t *t)
{
    bool found;
    struct strv d = mime_get_scalar(m, "Date", &found);

    return found && mime_date_parse(d, t);
}

bool
mime_msg_envelope_from(struct mime_msg *m, struct strv *out)
{
    struct mime_meta *mt = meta(m);

    if (!mt->envfrom_done) {
        mt->envfrom_done = true;
        mt->has_envfrom = meta_envelope(m, &mt->envfrom);
    }
    *out = mt->envfrom;
    return mt->has_envfrom;
}

/* ------------------------------------------------------------------------
 * the header sources
 */

/* get_pristine_header() =~ /^([^ \t].*?\n)(?![ \t])/smgi: each field with
 * its continuation lines, from the pristine header block. */
static void
get_pristine_fields(struct mime_msg *m, struct get_list *l)
{
    struct strv h = m->pristine_headers;
    size_t i = 0;

    while (i < h.len) {
        size_t start = i, end;

        if (h.p[i] == ' ' || h.p[i] == '\t') { /* a stray continuation: skip the line */
            const char *nl = memchr(h.p + i, '\n', h.len - i);

            i = nl ? (size_t)(nl - h.p) + 1 : h.len;
            continue;
        }
        end = h.p[i] == '\n' ? i + 1 : i; /* [^ \t] may be the newline itself */
        for (;;) {
            const char *nl = memchr(h.p + end, '\n', h.len - end);

            if (nl == NULL) {
                end = h.len; /* no final newline: SA's pattern needs one */
                i = h.len;
                goto next;
            }
            end = (size_t)(nl - h.p) + 1;
            if (end >= h.len || (h.p[end] != ' ' && h.p[end] != '\t'))
                break;
        }
        gl_push(m->arena, l, strv_make(h.p + start, end - start));
        i = end;
    next:;
    }
}

static struct strv
get_all_decoded(struct mime_msg *m)
{
    struct mime_meta *mt = meta(m);

    if (!mt->all_done) {
        struct buf b;

        buf_init(&b);
        mime_hdr_all(&m->root->hdrs, false, m->arena, &b, NULL);
        mt->all = strv_make(arena_strndup(m->arena, b.p ? b.p : "", b.len), b.len);
        mt->all_done = true;
        buf_clear(&b);
    }
    return mt->all;
}

/* split(/^/m) of a text into l */
static void
get_split_lines(struct arena *a, struct strv t, struct get_list *l)
{
    size_t i = 0;

    while (i < t.len) {
        const char *nl = memchr(t.p + i, '\n', t.len - i);
        size_t end = nl ? (size_t)(nl - t.p) + 1 : t.len;

        gl_push(a, l, strv_make(t.p + i, end - i));
        i = end;
    }
}

/* get_all_hdrs_in_rcvd_index_range(start, end, 1, 1, raw) */
static void
get_rcvd_range(struct mime_msg *m, long start, bool has_start, long end, bool has_end, bool raw,
               struct get_list *out)
{
    struct get_list fields = { 0 };
    long cur = -1;

    if (has_end && end < 0)
        return;
    if (raw)
        get_pristine_fields(m, &fields);
    else
        get_split_lines(m->arena, get_all_decoded(m), &fields);
    for (size_t i = 0; i < fields.n; i++) {
        struct strv f = fields.v[i];

        if (f.len >= 9 && strncasecmp(f.p, "Received:", 9) == 0)
            cur++;
        if ((!has_start || start <= cur) && (!has_end || cur < end)) {
            gl_push(m->arena, out, f);
        } else if (has_end && cur == end) {
            gl_push(m->arena, out, f);
            break;
        }
    }
}

/* All instances of a header: decoded + "\n", or raw squeezed. */
static void
get_header_values(struct mime_msg *m, struct strv name, bool raw, struct get_list *l)
{
    for (const struct mime_header *f = mime_hdr_find(&m->root->hdrs, name); f;
         f = mime_hdr_find_next(f))
        gl_push(m->arena, l, mime_hdr_get_value(m->arena, f, raw));
}

/* raw_header(): values as stored, no squeezing (used for :addr/:name) */
static void
get_raw_values(struct mime_msg *m, struct strv name, struct get_list *l)
{
    for (const struct mime_header *f = mime_hdr_find(&m->root->hdrs, name); f;
         f = mime_hdr_find_next(f))
        gl_push(m->arena, l, f->raw);
}

/* get_metadata(request): what SA keeps as message metadata strings. */
static bool
get_metadata(struct mime_msg *m, struct strv name, struct strv *out)
{
    const struct mime_relays *r;

    if (strv_caseeq(name, "X-Spam-Relays-Trusted") ||
        strv_caseeq(name, "X-Spam-Relays-Untrusted") ||
        strv_caseeq(name, "X-Spam-Relays-Internal") ||
        strv_caseeq(name, "X-Spam-Relays-External")) {
        r = mime_msg_relays(m);
        *out = strv_caseeq(name, "X-Spam-Relays-Trusted")     ? r->trusted_str
               : strv_caseeq(name, "X-Spam-Relays-Untrusted") ? r->untrusted_str
               : strv_caseeq(name, "X-Spam-Relays-Internal")  ? r->internal_str
                                                              : r->external_str;
        return true;
    }
    return false;
}

/* ------------------------------------------------------------------------
 * modifiers
 */

struct get_mods {
    bool raw, addr, name, host, domain, ip, revip, first, last;
};

/* Strip ":mod" suffixes (SA: while ($request =~ s/:([^:]*)//)); the base
 * name is what is left before the first colon. */
static struct strv
get_parse_request(const char *request, struct get_mods *md)
{
    const char *colon = strchr(request, ':');
    struct strv base = strv_make(request, colon ? (size_t)(colon - request) : strlen(request));

    memset(md, 0, sizeof(*md));
    while (colon != NULL) {
        const char *next = strchr(colon + 1, ':');
        struct strv mod =
            strv_make(colon + 1, next ? (size_t)(next - colon - 1) : strlen(colon + 1));

        if (strv_eq(mod, "raw"))
            md->raw = true;
        else if (strv_eq(mod, "addr"))
            md->addr = true;
        else if (strv_eq(mod, "name"))
            md->name = true;
        else if (strv_eq(mod, "host"))
            md->host = true;
        else if (strv_eq(mod, "domain"))
            md->host = md->domain = true;
        else if (strv_eq(mod, "ip"))
            md->ip = true;
        else if (strv_eq(mod, "revip"))
            md->ip = md->revip = true;
        else if (strv_eq(mod, "first"))
            md->first = true;
        else if (strv_eq(mod, "last"))
            md->last = true;
        colon = next;
    }
    return base;
}

/* :addr / :name over each value */
static void
get_addresses(struct mime_msg *m, const struct get_mods *md, struct get_list *in,
              struct get_list *out)
{
    for (size_t i = 0; i < in->n; i++) {
        struct mime_addr *addrs;
        size_t n = mime_addr_parse(m->arena, in->v[i], &addrs);

        for (size_t k = 0; k < n; k++) {
            if (md->addr) {
                if (addrs[k].has_address)
                    gl_push(m->arena, out, addrs[k].address);
                continue;
            }
            if (!addrs[k].has_phrase)
                continue;
            if (md->raw) {
                gl_push(m->arena, out, addrs[k].phrase);
            } else {
                struct strv d =
                    mime_hdr_decode(m->arena, m->ctx->cs, addrs[k].phrase, STRV_LIT("PMS:get"));

                gl_push(m->arena, out, mime_get_clean_name(m->arena, d));
            }
        }
    }
}

/* The display name as SA cleans it: white space squeezed, outer blanks and
 * one pair of single quotes gone. */
static struct strv
get_clean_name(struct arena *a, struct strv d)
{
    char *o = arena_alloc(a, d.len + 1);
    size_t n = 0;
    bool space = false, any = false;

    for (size_t i = 0; i < d.len; i++)
        any = any || !isspace((unsigned char)d.p[i]);
    if (!any)
        return d;
    for (size_t i = 0; i < d.len; i++) {
        if (isspace((unsigned char)d.p[i])) {
            space = true;
            continue;
        }
        if (space && n > 0)
            o[n++] = ' ';
        space = false;
        o[n++] = d.p[i];
    }
    if (n >= 2 && o[0] == '\'' && o[n - 1] == '\'') {
        /* s/^'(.*?)'$/$1/ */
        memmove(o, o + 1, n - 2);
        n -= 2;
    }
    o[n] = '\0';
    return strv_make(o, n);
}

struct strv
mime_get_clean_name(struct arena *a, struct strv decoded)
{
    return get_clean_name(a, decoded);
}

/* A TLD label of SA's valid_tlds_re at s.p[i]: the [A-Za-z0-9-] run
 * starting there is a known TLD and is followed by the end or a character
 * outside [A-Za-z0-9._-] (the TLD pattern's own lookahead, then hostRE's
 * (?![._-])). *end is where it stops. */
static bool
get_tld_at(const struct mime_ctx *ctx, struct strv s, size_t i, size_t *end)
{
    size_t e = i;

    while (e < s.len && (isalnum((unsigned char)s.p[e]) || s.p[e] == '-'))
        e++;
    if (e == i || (e < s.len && (s.p[e] == '.' || s.p[e] == '_')))
        return false;
    if (ctx->psl == NULL || !mime_psl_is_tld(ctx->psl, strv_make(s.p + i, e - i)))
        return false;
    *end = e;
    return true;
}

/* SA's hostRE, (?<![._-])(\S{1,251}\.TLD)(?![._-]), anchored at start
 * (the caller has checked the look-behind): the greedy match is the one
 * whose dot is furthest right, within 251 characters and before any
 * white space. dots[] holds the positions of the dots that end in a TLD
 * label, ascending; ends[] where each such label stops. */
static bool
get_host_match(struct strv s, const size_t *dots, const size_t *ends, size_t ndots, size_t start,
               struct strv *host, size_t *stop)
{
    size_t ws = start;

    while (ws < s.len && !isspace((unsigned char)s.p[ws]) && ws <= start + 251)
        ws++;
    /* the rightmost dot d with start < d < ws: ws stops 252 past start */
    size_t lo = 0, hi = ndots;

    while (lo < hi) { /* lo: the first dot at or past ws */
        size_t mid = lo + (hi - lo) / 2;

        if (dots[mid] < ws)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || dots[lo - 1] <= start)
        return false;
    *host = strv_make(s.p + start, ends[lo - 1] - start);
    *stop = ends[lo - 1];
    return true;
}

static bool
get_host_valid(struct arena *a, struct strv h)
{
    return mime_fqdn_valid(mime_idn_to_ascii(a, h));
}

static bool
get_after_sep(struct strv s, size_t i)
{
    return i == 0 || (s.p[i - 1] != '.' && s.p[i - 1] != '_' && s.p[i - 1] != '-');
}

/* The host :host takes from a line (PerMsgStatus::_get). */
static bool
get_host_of(const struct mime_msg *m, struct strv line, bool from_addr, struct strv *out)
{
    size_t *dots, *ends, ndots = 0;
    struct strv h;
    size_t stop;

    if (from_addr) {
        /* /.*\@(\S+)/: the last '@' that has something after it */
        for (size_t at = line.len; at-- > 0;) {
            size_t k = at + 1;

            if (line.p[at] != '@')
                continue;
            while (k < line.len && !isspace((unsigned char)line.p[k]))
                k++;
            if (k > at + 1) {
                *out = strv_make(line.p + at + 1, k - at - 1);
                return true;
            }
        }
        return false;
    }
    dots = arena_alloc(m->arena, (line.len + 1) * sizeof(*dots));
    ends = arena_alloc(m->arena, (line.len + 1) * sizeof(*ends));
    for (size_t i = 0; i < line.len; i++) {
        if (line.p[i] == '.' && get_tld_at(m->ctx, line, i + 1, &ends[ndots]))
            dots[ndots++] = i;
    }
    if (ndots == 0)
        return false;
    /* /.*\@hostRE/: the last '@' after which hostRE matches; one try */
    for (size_t at = line.len; at-- > 0;) {
        if (line.p[at] == '@' && get_host_match(line, dots, ends, ndots, at + 1, &h, &stop)) {
            if (get_host_valid(m->arena, h)) {
                *out = h;
                return true;
            }
            break;
        }
    }
    /* while (/hostRE/g): each match from where the last one ended */
    for (size_t i = 0; i < line.len;) {
        if (get_after_sep(line, i) && get_host_match(line, dots, ends, ndots, i, &h, &stop)) {
            if (get_host_valid(m->arena, h)) {
                *out = h;
                return true;
            }
            i = stop;
        } else {
            i++;
        }
    }
    return false;
}

/* Util::reverse_ip_address: a dotted quad's parts in reverse order (as
 * written), an IPv6 address as RFC 5782 nibbles; false for anything else
 * (an "IPv6:"-prefixed address among them). */
static bool
get_reverse_ip(struct arena *a, struct strv ip, struct strv *out)
{
    struct strv q[4];
    size_t nq = 0, start = 0;
    struct ipaddr addr;
    char *o;
    size_t n = 0;

    for (size_t i = 0; i <= ip.len && nq < 4; i++) {
        if (i < ip.len && ip.p[i] != '.') {
            if (!isdigit((unsigned char)ip.p[i]) || i - start >= 3)
                break;
            continue;
        }
        if (i == start)
            break;
        q[nq++] = strv_make(ip.p + start, i - start);
        start = i + 1;
        if (i == ip.len && nq == 4) {
            *out = strv_cstr(arena_printf(a, "%.*s.%.*s.%.*s.%.*s", (int)q[3].len, q[3].p,
                                          (int)q[2].len, q[2].p, (int)q[1].len, q[1].p,
                                          (int)q[0].len, q[0].p));
            return true;
        }
    }
    if (memchr(ip.p, ':', ip.len) == NULL || ip.len < 2)
        return false;
    for (size_t i = 0; i < ip.len; i++) {
        if (!isxdigit((unsigned char)ip.p[i]) && ip.p[i] != ':' && ip.p[i] != '.')
            return false;
    }
    if (!ipaddr_parse(ip, &addr))
        return false;
    o = arena_alloc(a, 64);
    for (int i = 15; i >= 0; i--) {
        static const char hex[] = "0123456789abcdef";

        o[n++] = hex[addr.b[i] & 15];
        o[n++] = '.';
        o[n++] = hex[addr.b[i] >> 4];
        if (i > 0)
            o[n++] = '.';
    }
    o[n] = '\0';
    *out = strv_make(o, n);
    return true;
}

static void
get_hosts(struct mime_msg *m, const struct get_mods *md, struct get_list *in, struct get_list *out)
{
    for (size_t i = 0; i < in->n; i++) {
        struct strv h;

        if (md->host) {
            if (!get_host_of(m, in->v[i], md->addr, &h))
                continue;
            if (md->domain) {
                struct strv d = mime_psl_registered_domain(m->arena, m->ctx->psl, h);

                if (d.len > 0)
                    h = d;
            }
            gl_push(m->arena, out, h);
        } else if (mime_received_find_ip(m->ctx->rcvd, in->v[i], &h)) {
            if (!md->revip || get_reverse_ip(m->arena, h, &h))
                gl_push(m->arena, out, h);
        }
    }
}

/* ------------------------------------------------------------------------
 * _get
 */

static void
get_base(struct mime_msg *m, struct strv base, const struct get_mods *md, struct get_list *res)
{
    const struct mime_relays *r;
    struct strv v;

    if (strv_eq(base, "ALL")) {
        if (md->raw)
            get_pristine_fields(m, res);
        else
            get_split_lines(m->arena, get_all_decoded(m), res);
    } else if (strv_eq(base, "ALL-TRUSTED") || strv_eq(base, "ALL-INTERNAL") ||
               strv_eq(base, "ALL-UNTRUSTED") || strv_eq(base, "ALL-EXTERNAL")) {
        bool trusted = strv_eq(base, "ALL-TRUSTED") || strv_eq(base, "ALL-UNTRUSTED");
        long idx;

        r = mime_msg_relays(m);
        idx = trusted ? r->last_trusted_index : r->last_internal_index;
        if (strv_eq(base, "ALL-TRUSTED") || strv_eq(base, "ALL-INTERNAL"))
            get_rcvd_range(m, 0, false, idx + 1, true, md->raw, res);
        else
            get_rcvd_range(m, idx + 1, true, 0, false, md->raw, res);
    } else if (strv_caseeq(base, "EnvelopeFrom")) {
        if (mime_msg_envelope_from(m, &v))
            gl_push(m->arena, res, v);
    } else if (get_metadata(m, base, &v) && (strv_caseeq(base, "X-Spam-Relays-Trusted") ||
                                             strv_caseeq(base, "X-Spam-Relays-Untrusted") ||
                                             strv_caseeq(base, "X-Spam-Relays-Internal") ||
                                             strv_caseeq(base, "X-Spam-Relays-External"))) {
        gl_push(m->arena, res, v);
    } else if (strv_caseeq(base, "ToCc")) {
        /* get_header in list context: every To, then every Cc */
        get_header_values(m, STRV_LIT("To"), md->raw, res);
        get_header_values(m, STRV_LIT("Cc"), md->raw, res);
    } else if (strv_eq(base, "MESSAGEID")) {
        static const char *const ids[] = { "X-Message-Id", "Resent-Message-Id",
                                           "X-Original-Message-ID", "Message-Id" };

        for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
            struct get_list one = { 0 };

            get_header_values(m, strv_cstr(ids[i]), md->raw, &one);
            for (size_t k = 0; k < one.n; k++) {
                if (one.v[k].len > 0)
                    gl_push(m->arena, res, one.v[k]);
            }
        }
    } else {
        size_t before = res->n;

        if (md->raw || md->addr || md->name)
            get_raw_values(m, base, res);
        else
            get_header_values(m, base, false, res);
        if (res->n == before && get_metadata(m, base, &v))
            gl_push(m->arena, res, v);
    }
}

const struct mime_get *
mime_get(struct mime_msg *m, const char *request)
{
    struct mime_meta *mt = meta(m);
    struct get_mods md;
    struct get_list res = { 0 }, out = { 0 };
    struct strv base;
    long k = strset_index(&mt->cache, strv_cstr(request));

    if (k >= 0)
        return mt->cache_vals[k];
    base = get_parse_request(request, &md);
    get_base(m, base, &md, &res);
    if (strv_eq(base, "ALL") || strv_eq(base, "ALL-TRUSTED") || strv_eq(base, "ALL-INTERNAL") ||
        strv_eq(base, "ALL-UNTRUSTED") || strv_eq(base, "ALL-EXTERNAL"))
        md = (struct get_mods){ 0 }; /* SA returns these before any modifier */
    if (res.n > 0 && (md.first || md.last)) {
        res.v[0] = md.first ? res.v[0] : res.v[res.n - 1];
        res.n = 1;
    }
    if (res.n > 0 && (md.addr || md.name)) {
        get_addresses(m, &md, &res, &out);
        res = out;
        out = (struct get_list){ 0 };
    }
    if (res.n > 0 && (md.host || md.domain || md.ip)) {
        get_hosts(m, &md, &res, &out);
        res = out;
    }
    /* get_base may have asked for other requests: the index is now */
    if (mt->cache.n == mt->cache_cap) {
        size_t cap = mt->cache_cap ? mt->cache_cap * 2 : 64;

        mt->cache_vals =
            arena_realloc(m->arena, mt->cache_vals, mt->cache_cap * sizeof(*mt->cache_vals),
                          cap * sizeof(*mt->cache_vals));
        mt->cache_cap = cap;
    }
    k = (long)mt->cache.n;
    strset_add(&mt->cache, strv_cstr(arena_strdup(m->arena, request)));
    mt->cache_vals[k] = arena_alloc(m->arena, sizeof(**mt->cache_vals));
    *mt->cache_vals[k] = (struct mime_get){ res.v, res.n };
    return mt->cache_vals[k];
}

struct strv
mime_get_scalar(struct mime_msg *m, const char *request, bool *found)
{
    const struct mime_get *g = mime_get(m, request);
    struct buf b;
    struct strv r;
    bool single = strcmp(request, "EnvelopeFrom") == 0;

    *found = g->n > 0;
    if (g->n == 0)
        return STRV_LIT("");
    for (const char *p = strchr(request, ':'); p != NULL && !single; p = strchr(p + 1, ':')) {
        static const char *const mods[] = { "addr", "name", "host", "domain", "ip", "revip" };

        for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
            size_t n = strlen(mods[i]);

            if (strncmp(p + 1, mods[i], n) == 0 && !isalnum((unsigned char)p[1 + n]) &&
                p[1 + n] != '_')
                single = true;
        }
    }
    if (single) {
        r = g->v[0];
        if (r.len > 0 && r.p[r.len - 1] == '\n')
            r.len--;
        return r;
    }
    if (g->n == 1)
        return g->v[0];
    buf_init(&b);
    for (size_t i = 0; i < g->n; i++)
        buf_append(&b, g->v[i].p, g->v[i].len);
    r = strv_make(arena_strndup(m->arena, b.p, b.len), b.len);
    buf_clear(&b);
    return r;
}
