/*
 * worker_proxy_http.c - HTTP forwarding to upstream scanners (see
 * worker_proxy_http.h).
 */
#include "daemon/worker_proxy_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "daemon/conn.h"
#include "daemon/siftd_cfg.h"
#include "daemon/worker.h"
#include "proto/proto_rspamd.h"

const struct cfg_key proxy_http_upstream_keys[] = { UPSTREAM_KEYS(struct proxy_http_cfg, up) };
const size_t proxy_http_upstream_nkeys =
    sizeof(proxy_http_upstream_keys) / sizeof(proxy_http_upstream_keys[0]);

int
proxy_http_check(struct cfg *cfg, struct worker_cfg *wc, const struct cfg_node *node,
                 struct sift_err *err)
{
    struct proxy_http_cfg *pc = wc->proto;
    char where[512];

    if (upstream_cfg_check(cfg, wc->name, &pc->up, node, err) == -1)
        return -1;
    if (pc->up.ndefs == 0 && wc->enabled) {
        sift_err_set(err, "%s: workers.%s.upstreams: lists no scanner to forward to",
                     cfg_pos_str(&node->key_pos, where, sizeof(where)), wc->name);
        return -1;
    }
    return 0;
}

void
proxy_http_start(struct worker *w)
{
    const struct proxy_http_cfg *pc = w->wc->proto;

    w->proto_state = upstream_pool_new(w->base, &pc->up);
}

void
proxy_http_stop(struct worker *w)
{
    struct upstream_pool *p = w->proto_state;

    upstream_pool_free(&p);
    w->proto_state = NULL;
}

/* One forwarded request. */
struct ph_fwd {
    struct conn *c;
    struct upstream_call *call;
    char *method, *target, *hash;
    struct buf headers; /* the client's, to the upstream */
    struct buf extra;   /* the upstream's, to the client */
    char *reason, *ctype;
};

static void
ph_free(struct ph_fwd *f)
{
    upstream_call_cancel(&f->call);
    free(f->method);
    free(f->target);
    free(f->hash);
    free(f->reason);
    free(f->ctype);
    buf_clear(&f->headers);
    buf_clear(&f->extra);
    free(f);
}

/* The connection went away while the upstream worked. */
static void
ph_cancel(void *arg)
{
    ph_free(arg);
}

static char *
ph_dup(struct strv v)
{
    return strndup(v.p ? v.p : "", v.len);
}

/* The upstream's reply to the client: its status, reason and headers but
 * the hop-by-hop ones and those worker_http renders itself. */
static void
ph_relay(struct ph_fwd *f, const char *name, const struct http_response *resp)
{
    struct http_answer ans = { .status = resp->status };
    const struct strv *ct = http_response_header(resp, "Content-Type");

    f->reason = resp->reason.len > 0 ? ph_dup(resp->reason) : NULL;
    f->ctype = ct != NULL ? ph_dup(*ct) : NULL;
    for (size_t i = 0; i < resp->nheaders; i++) {
        const struct http_header *h = &resp->headers[i];

        if (http_hop_by_hop(h->name) || strv_caseeq(h->name, "Content-Type") ||
            strv_caseeq(h->name, "Date") || strv_caseeq(h->name, "Server") ||
            strv_caseeq(h->name, "X-Sift-Upstream"))
            continue;
        buf_printf(&f->extra, "%.*s: %.*s\r\n", (int)h->name.len, h->name.p, (int)h->value.len,
                   h->value.p);
    }
    buf_printf(&f->extra, "X-Sift-Upstream: %s\r\n", name);
    ans.reason = f->reason;
    ans.content_type = f->ctype;
    ans.extra_headers = f->extra.p;
    buf_init(&ans.body);
    buf_append(&ans.body, resp->body.p ? resp->body.p : "", resp->body.len);
    http_resume(f->c, &ans);
}

static bool
ph_done(void *arg, const struct upstream_result *r)
{
    struct ph_fwd *f = arg;
    struct conn *c = f->c;

    if (r->resp != NULL && r->resp->status >= 502 && r->resp->status <= 504) {
        log_tinfo(c->tag, "upstream %s answered HTTP %d: trying another", r->name, r->resp->status);
        return false;
    }
    f->call = NULL; /* it ends by itself after this */
    conn_hold(c);
    if (r->resp != NULL) {
        log_tinfo(c->tag, "%s %s from %s: upstream %s answered %d in %.1f ms (try %u)", f->method,
                  f->target, c->peer, r->name, r->resp->status, r->ms, r->tries);
        ph_relay(f, r->name, r->resp);
    } else {
        struct http_answer ans = { .status = 502, .content_type = "application/json" };
        char msg[400];

        log_tinfo(c->tag, "%s %s from %s: no upstream answered (%u tried; last: %s)", f->method,
                  f->target, c->peer, r->tries, r->err);
        snprintf(msg, sizeof(msg), "no upstream answered (last: %s)", r->err);
        buf_init(&ans.body);
        rspamd_render_error(msg, "proxy", &ans.body);
        http_resume(c, &ans);
    }
    ph_free(f);
    conn_release(c);
    return true;
}

/* Balancing by sender: From (without <>, as the milter hashes it), else
 * the client's IP, else its address. */
static char *
ph_hash_key(const struct conn *c, const struct http_request *req)
{
    const struct strv *v = http_header_get(req, "From");
    struct strv k;

    if (v == NULL)
        v = http_header_get(req, "IP");
    if (v == NULL)
        return strdup(c->addr);
    k = strv_trim(*v);
    if (k.len >= 2 && k.p[0] == '<' && k.p[k.len - 1] == '>')
        k = strv_make(k.p + 1, k.len - 2);
    return ph_dup(k);
}

/* Every scan path: forward. */
static void
ph_forward(struct conn *c, const struct http_request *req, struct http_answer *ans)
{
    struct upstream_pool *pool = c->w->proto_state;
    struct ph_fwd *f = xcalloc(1, sizeof(*f));
    struct upstream_request ur;

    f->c = c;
    f->method = ph_dup(req->method_name);
    f->target = ph_dup(req->target);
    f->hash = ph_hash_key(c, req);
    buf_init(&f->headers);
    buf_init(&f->extra);
    for (size_t i = 0; i < req->nheaders; i++) {
        const struct http_header *h = &req->headers[i];

        if (http_hop_by_hop(h->name) || strv_caseeq(h->name, "Host") ||
            strv_caseeq(h->name, "Expect"))
            continue;
        buf_printf(&f->headers, "%.*s: %.*s\r\n", (int)h->name.len, h->name.p, (int)h->value.len,
                   h->value.p);
    }
    ur = (struct upstream_request){ .method = f->method,
                                    .target = f->target,
                                    .headers = f->headers.p,
                                    .body = req->body.p,
                                    .body_len = req->body.len,
                                    .send_length = req->method == HTTP_POST,
                                    .hash_key = f->hash,
                                    .tag = c->tag };
    f->call = pool != NULL ? upstream_call_start(pool, &ur, ph_done, f) : NULL;
    if (f->call == NULL) {
        log_tinfo(c->tag, "%s %s from %s: no upstream is up", f->method, f->target, c->peer);
        ans->status = 503;
        ans->content_type = "application/json";
        rspamd_render_error("no upstream is up", "proxy", &ans->body);
        ph_free(f);
        return;
    }
    http_defer(c, ph_cancel, f);
}

#define PH_M_SCAN (HTTP_M_POST | HTTP_M_GET)

static const struct http_route proxy_http_routes[] = {
    { "/ping", HTTP_M_GET | HTTP_M_HEAD, http_ping },
    { "/checkv2", PH_M_SCAN, ph_forward },
    { "/check", PH_M_SCAN, ph_forward },
    { "/symbols", PH_M_SCAN, ph_forward },
    { "/scan", PH_M_SCAN, ph_forward },
    { "/process", PH_M_SCAN, ph_forward },
    { "/report", PH_M_SCAN, ph_forward },
    { "/report_ifspam", PH_M_SCAN, ph_forward },
    { "/skip", PH_M_SCAN, ph_forward },
};

const struct http_site proxy_http_site = { proxy_http_routes,
                                           sizeof(proxy_http_routes) / sizeof(proxy_http_routes[0]),
                                           true,
                                           NULL,
                                           NULL,
                                           true };
