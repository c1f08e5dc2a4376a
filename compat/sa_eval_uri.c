/*
 * sa_eval_uri.c - SpamAssassin 4.0.1's Plugin::URIEval and
 * Plugin::HTTPSMismatch: links whose text names another https host, or an
 * https address where the link goes to a bare IP, redirectors, URIs cut
 * at the length limit.
 * Domains are taken as RegistryBoundaries does (trim_domain,
 * uri_to_domain, is_domain_valid), with the registered domains and TLDs
 * the mime layer uses for SA's own URI lists.
 */
#include "sa_eval_uri.h"

#include <string.h>
#include <strings.h>

#include "sa_eval_util.h"
#include "mime/mime_uris.h"
#include "mime/mime_url.h"

/* ------------------------------------------------------------------------
 * RegistryBoundaries
 */

/* trim_domain(): the registered domain of a host, after idn_to_ascii */
static struct strv
rb_trim_domain(struct mime_msg *m, struct strv host)
{
    struct strv h = mime_idn_to_ascii(m->arena, host), d;

    d = mime_psl_registered_domain(m->arena, m->ctx->psl, h);
    if (d.len == 0) {
        /* a public suffix itself, or no known TLD: split_domain keeps the
         * name (dots squeezed and trimmed) */
        char *o = arena_alloc(m->arena, h.len + 1);
        size_t n = 0;

        for (size_t i = 0; i < h.len; i++) {
            if (h.p[i] == '.' && (n == 0 || o[n - 1] == '.'))
                continue;
            o[n++] = h.p[i];
        }
        while (n > 0 && o[n - 1] == '.')
            n--;
        o[n] = '\0';
        d = strv_make(o, n);
    }
    return d;
}

/* is_domain_valid(): no blank, a dot, a known TLD after the last one */
static bool
rb_domain_valid(struct mime_msg *m, struct strv d)
{
    const char *dot;

    d = mime_idn_to_ascii(m->arena, d);
    for (size_t i = 0; i < d.len; i++) {
        if (d.p[i] == ' ' || (d.p[i] >= '\t' && d.p[i] <= '\r'))
            return false;
    }
    if (d.len > 0 && d.p[d.len - 1] == '\n') /* $ before a final newline */
        d.len--;
    dot = memrchr(d.p, '.', d.len);
    if (dot == NULL || dot + 1 == d.p + d.len)
        return false;
    return mime_psl_is_tld(m->ctx->psl, strv_make(dot + 1, d.len - (size_t)(dot + 1 - d.p)));
}

/* uri_to_domain($s) || $s */
static struct strv
rb_domain_or_self(struct mime_msg *m, struct strv s)
{
    struct strv host, dom;

    if (mime_url_domain(m->arena, m->ctx->psl, s, &host, &dom) && dom.len > 0)
        return dom;
    return s;
}

/* ------------------------------------------------------------------------
 * the functions
 */

struct uri_re {
    pcre2_code *redirector;
    pcre2_code *ip_link[2], *ip_text[2], *https[2]; /* [1]: Unicode classes */
};

static int
uri_prepare(struct arena *a, const struct scan_rule *rule, void **state, struct sift_err *err)
{
    static const char redir[] = "^https?://([^/:\\?]+).+?(https?:/{0,2}?([^/:\\?]+).*)$";
    static const char ip_link[] = "^https?:/*(?:[^\\@/]+\\@)?\\d+\\.\\d+\\.\\d+\\.\\d+";
    static const char ip_text[] = "^https:/*(?:[^\\@/]+\\@)?\\d+\\.\\d+\\.\\d+\\.\\d+";
    struct uri_re *r = arena_calloc(a, 1, sizeof(*r));

    (void)rule;
    if ((r->redirector = sa_eval_re_compile(a, redir, PCRE2_CASELESS, err)) == NULL)
        return -1;
    for (int u = 0; u < 2; u++) {
        uint32_t o = PCRE2_CASELESS | PCRE2_UTF | (u ? PCRE2_UCP : 0);

        if ((r->ip_link[u] = sa_eval_re_compile(a, ip_link, o, err)) == NULL ||
            (r->ip_text[u] = sa_eval_re_compile(a, ip_text, o, err)) == NULL ||
            (r->https[u] = sa_eval_re_compile(a, "https:", o, err)) == NULL)
            return -1;
    }
    *state = r;
    return 0;
}

static double
check_for_http_redirector(struct scan_eval_ctx *ec)
{
    const struct uri_re *re = ec->state;
    struct mime_msg *m = ec->msg;
    const struct mime_uris *u = mime_msg_uris(m);

    if (re == NULL)
        return 0;
    for (size_t i = 0; i < u->nlist; i++) {
        struct strv s = u->list[i];
        size_t ov[8];

        /* while (s{^https?://([^/:\?]+).+?(https?:/{0,2}?([^/:\?]+).*)$}{$2}i) */
        while (sa_eval_re_search(re->redirector, s, 0, ov, 4)) {
            struct strv redir = strv_make(s.p + ov[2], ov[3] - ov[2]);
            struct strv dest = strv_make(s.p + ov[6], ov[7] - ov[6]);
            size_t keep = s.len - ov[1];
            char *n = arena_alloc(m->arena, ov[5] - ov[4] + keep + 1);

            redir = rb_domain_or_self(m, redir);
            dest = rb_domain_or_self(m, dest);
            if (!strv_equal(redir, dest))
                return 1;
            memcpy(n, s.p + ov[4], ov[5] - ov[4]);
            memcpy(n + ov[5] - ov[4], s.p + ov[1], keep);
            n[ov[5] - ov[4] + keep] = '\0';
            s = strv_make(n, ov[5] - ov[4] + keep);
        }
    }
    return 0;
}

static double
check_https_ip_mismatch(struct scan_eval_ctx *ec)
{
    const struct uri_re *re = ec->state;
    struct sa_html *all;
    size_t n;

    if (re == NULL)
        return 0;
    n = sa_eval_html_all(ec->msg, &all);
    for (size_t i = 0; i < n; i++) {
        const struct mime_html_result *r = all[i].r;
        int u = all[i].flagged;

        for (size_t k = 0; r != NULL && k < r->nuris; k++) {
            if (!sa_eval_re_search(re->ip_link[u], r->uris[k].uri, 0, NULL, 0))
                continue;
            for (size_t t = 0; t < r->uris[k].nanchor_text; t++) {
                struct strv a = r->uris[k].anchor_text[t];

                if (sa_eval_re_search(re->ip_text[u], a, 0, NULL, 0))
                    continue;
                if (sa_eval_re_search(re->https[u], a, 0, NULL, 0))
                    return 1;
            }
        }
    }
    return 0;
}

static double
check_uri_truncated(struct scan_eval_ctx *ec)
{
    return mime_msg_uris(ec->msg)->truncated;
}

/* m@https://([^\s/:?#]+)@i: the host named in an anchor text */
static bool
anchor_https_host(struct strv a, bool uni, struct strv *host)
{
    for (size_t i = 0; i + 8 <= a.len; i++) {
        size_t e = i + 8;

        if (strncasecmp(a.p + i, "https://", 8) != 0)
            continue;
        while (e < a.len) {
            size_t next = e;
            uint32_t c = sa_eval_utf8_next(a.p, a.len, &next);

            if (sa_eval_is_space(c, uni) || c == '/' || c == ':' || c == '?' || c == '#')
                break;
            e = next;
        }
        if (e > i + 8) {
            *host = strv_make(a.p + i + 8, e - i - 8);
            return true;
        }
    }
    return false;
}

/* The domain HTTPSMismatch compares for a link, or false. */
static bool
link_domain(struct mime_msg *m, struct strv link, struct strv *out)
{
    struct strv host, h, d;
    size_t e = 0;

    /* m@^https?://([^/:?#]+)@i */
    if (link.len >= 7 && strncasecmp(link.p, "http://", 7) == 0)
        e = 7;
    else if (link.len >= 8 && strncasecmp(link.p, "https://", 8) == 0)
        e = 8;
    else
        return false;
    host.p = link.p + e;
    for (host.len = 0; e + host.len < link.len && !strchr("/:?#", link.p[e + host.len]);)
        host.len++;
    if (host.len == 0 || mime_ip_is_address(host))
        return false;
    host = rb_trim_domain(m, host);
    if (!mime_url_domain(m->arena, m->ctx->psl, host, &h, &d) || !rb_domain_valid(m, d))
        return false;
    *out = host;
    return host.len > 0 && !(host.len == 1 && host.p[0] == '0');
}

static double
check_https_http_mismatch(struct scan_eval_ctx *ec)
{
    const char *mins = sa_eval_arg(ec->rule, 0), *maxs = sa_eval_arg(ec->rule, 1);
    double minanchors =
        sa_eval_perl_true(mins, mins ? strlen(mins) : 0) ? sa_eval_perl_num(mins) : 1;
    double maxanchors = sa_eval_perl_num(maxs);
    struct mime_msg *m = ec->msg;
    struct sa_html *all;
    size_t n = sa_eval_html_all(m, &all);

    for (size_t i = 0; i < n; i++) {
        const struct mime_html_result *r = all[i].r;
        double anchors = 0;
        bool hit = false;

        for (size_t k = 0; r != NULL && k < r->nuris; k++) {
            const struct mime_html_uri *v = &r->uris[k];
            struct strv dom;

            if (v->nanchor_text == 0 || !link_domain(m, v->uri, &dom))
                continue;
            anchors++;
            for (size_t t = 0; t < v->nanchor_text && !hit; t++) {
                struct strv https;

                if (!anchor_https_host(v->anchor_text[t], all[i].flagged, &https))
                    continue;
                if (!mime_ip_is_address(https)) {
                    https = rb_trim_domain(m, https);
                    if (!rb_domain_valid(m, https))
                        continue;
                }
                if (!sa_eval_perl_true(https.p, https.len) || strv_equal(dom, https))
                    continue;
                hit = true;
            }
        }
        if (hit && anchors >= minanchors && (maxs == NULL || anchors < maxanchors))
            return 1;
    }
    return 0;
}

const struct scan_eval_def sa_eval_uri_defs[] = {
    /* URIEval registers these without a type: any rule type may call them */
    { "check_for_http_redirector", 0, uri_prepare, check_for_http_redirector, 0 },
    { "check_https_ip_mismatch", 0, uri_prepare, check_https_ip_mismatch, 0 },
    { "check_uri_truncated", 0, NULL, check_uri_truncated, 0 },
    { "check_https_http_mismatch", SA_EVAL_BODY_TARGETS, NULL, check_https_http_mismatch, 0 },
};
const size_t sa_eval_uri_ndefs = sizeof(sa_eval_uri_defs) / sizeof(sa_eval_uri_defs[0]);
