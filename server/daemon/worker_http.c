/*
 * worker_http.c - HTTP serving for the normal and controller workers
 * (see worker_http.h).
 */
#include "daemon/worker_http.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/log.h"
#include "core/version.h"
#include "daemon/conn.h"
#include "daemon/controller.h"
#include "daemon/http_scan.h"
#include "daemon/worker.h"
#include "daemon/worker_types.h"

const struct cfg_key http_worker_keys[] = {
    { "max_size", CFG_T_SIZE, "50M", offsetof(struct http_worker_cfg, max_size),
      "largest request body, in bytes; bigger ones get 413", NULL },
    { "max_line", CFG_T_SIZE, "8k", offsetof(struct http_worker_cfg, max_line),
      "longest request line or header line, in bytes", NULL },
    { "max_headers", CFG_T_UINT, "100", offsetof(struct http_worker_cfg, max_headers),
      "most header fields in one request", NULL },
    { "keepalive", CFG_T_BOOL, "yes", offsetof(struct http_worker_cfg, keepalive),
      "serve several requests on one connection when the client asks", NULL },
};
const size_t http_worker_nkeys = sizeof(http_worker_keys) / sizeof(http_worker_keys[0]);

struct http_conn {
    struct http_parser hp;
    bool continue_sent;
    bool deferred;             /* http_defer: the answer comes with http_resume */
    void (*cancel)(void *arg); /* ... or this, if the connection goes first */
    void *cancel_arg;
};

static const struct http_site *
http_site(const struct conn *c)
{
    return c->w->wc->type->proto->arg;
}

static void
http_send(struct conn *c, const struct http_request *req, struct http_answer *ans, bool keep)
{
    const char *site_headers = http_site(c)->headers;
    struct buf headers;
    struct http_reply rep = {
        .status = ans->status,
        .reason = ans->reason,
        .content_type = ans->content_type,
        .body = ans->body.p,
        .body_len = ans->body.len,
        .extra_headers = ans->extra_headers,
        .keep_alive = keep,
        .head_only = req != NULL && req->method == HTTP_HEAD,
        .date = time(NULL),
        .server = "sift/" SIFT_VERSION,
    };
    struct buf out;

    buf_init(&headers);
    if (site_headers != NULL) {
        buf_puts(&headers, site_headers);
        if (ans->extra_headers != NULL)
            buf_puts(&headers, ans->extra_headers);
        rep.extra_headers = headers.p;
    }
    buf_init(&out);
    http_render_reply(&rep, &out);
    conn_write(c, out.p, out.len);
    buf_clear(&out);
    buf_clear(&headers);
    buf_clear(&ans->body);
}

/* An error answer in the worker's style: JSON for the scan API, text otherwise. */
static void
http_error(const struct http_site *site, struct http_answer *ans, int status, const char *msg)
{
    ans->status = status;
    buf_reset(&ans->body);
    if (site->json_errors) {
        ans->content_type = "application/json";
        buf_puts(&ans->body, "{\"error\":\"");
        for (const char *p = msg; *p != '\0'; p++) {
            if (*p == '"' || *p == '\\')
                buf_putc(&ans->body, '\\');
            if ((unsigned char)*p >= 0x20)
                buf_putc(&ans->body, *p);
        }
        buf_puts(&ans->body, "\",\"error_domain\":\"protocol-error\"}");
    } else {
        ans->content_type = "text/plain";
        buf_puts(&ans->body, msg);
    }
}

static void
http_route(struct conn *c, const struct http_request *req, struct http_answer *ans)
{
    const struct http_site *site = http_site(c);

    if (site->first != NULL && site->first(c, req, ans))
        return;
    for (size_t i = 0; i < site->nroutes; i++) {
        const struct http_route *r = &site->routes[i];

        if (!strv_caseeq(req->path, r->path))
            continue;
        if (req->method == HTTP_OTHER || !(r->methods & (1u << req->method))) {
            http_error(site, ans, 405, "Method not allowed");
            ans->extra_headers =
                r->methods & HTTP_M_POST ? "Allow: GET, HEAD, POST\r\n" : "Allow: GET, HEAD\r\n";
            return;
        }
        r->handle(c, req, ans);
        return;
    }
    if (site->json_errors) { /* rspamd's scan API: 500 even though it means 400 */
        http_error(site, ans, 500, "invalid command");
        ans->reason = "invalid command";
    } else {
        http_error(site, ans, 404, "Not found");
    }
}

/* The answer to the request in hand: send it, then the next request or the close. */
static void
http_answered(struct conn *c, struct http_answer *ans)
{
    struct http_conn *hc = c->state;
    const struct http_request *req = &hc->hp.req;
    const struct http_worker_cfg *cfg = c->w->wc->proto;
    bool keep;

    log_tdebug(c->tag, "%s %.*s %.*s -> %d", c->peer, (int)req->method_name.len, req->method_name.p,
               (int)req->target.len, req->target.p, ans->status);
    keep = cfg->keepalive && req->keep_alive && !c->w->stopping;
    http_send(c, req, ans, keep);
    http_parser_reset(&hc->hp);
    hc->continue_sent = false;
    conn_done(c, keep);
}

static void
http_serve(struct conn *c)
{
    struct http_conn *hc = c->state;
    const struct http_request *req = &hc->hp.req;
    struct http_answer ans = { .status = 200 };

    conn_busy(c);
    if (req->legacy) {
        struct buf out;

        buf_init(&out);
        if (!http_site(c)->no_legacy && http_scan_legacy(c, req, &out)) {
            conn_write(c, out.p, out.len);
        } else {
            log_tinfo(c->tag, "%.*s %.*s request from %s: not served, closing",
                      (int)req->method_name.len, req->method_name.p, (int)req->legacy_proto.len,
                      req->legacy_proto.p, c->peer);
        }
        buf_clear(&out);
        conn_done(c, false);
        return;
    }
    buf_init(&ans.body);
    http_route(c, req, &ans);
    if (hc->deferred) {
        buf_clear(&ans.body);
        return;
    }
    http_answered(c, &ans);
}

void
http_defer(struct conn *c, void (*cancel)(void *arg), void *arg)
{
    struct http_conn *hc = c->state;

    hc->deferred = true;
    hc->cancel = cancel;
    hc->cancel_arg = arg;
}

void
http_resume(struct conn *c, struct http_answer *ans)
{
    struct http_conn *hc = c->state;

    hc->deferred = false;
    hc->cancel = NULL;
    http_answered(c, ans);
}

static void
http_fail(struct conn *c)
{
    struct http_conn *hc = c->state;
    struct http_answer ans = { 0 };

    conn_busy(c);
    if (hc->hp.err_status == 0) { /* the peer left between requests */
        conn_abort(c);
        return;
    }
    log_tinfo(c->tag, "bad request from %s: %d %s", c->peer, hc->hp.err_status, hc->hp.err_reason);
    buf_init(&ans.body);
    ans.status = hc->hp.err_status;
    ans.content_type = "text/plain";
    buf_puts(&ans.body, hc->hp.err_reason);
    http_send(c, NULL, &ans, false);
    conn_done(c, false);
}

static void
http_status(struct conn *c, enum proto_status st)
{
    struct http_conn *hc = c->state;

    if (st == PROTO_DONE) {
        http_serve(c);
    } else if (st == PROTO_ERROR) {
        http_fail(c);
    } else if (hc->hp.head_done && hc->hp.req.expect_continue && !hc->continue_sent) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

        conn_write(c, cont, sizeof(cont) - 1);
        hc->continue_sent = true;
    }
}

static void
http_open(struct conn *c)
{
    struct http_conn *hc = c->state;
    const struct http_worker_cfg *cfg = c->w->wc->proto;
    struct http_limits lim = { cfg->max_size, cfg->max_line, (unsigned)cfg->max_headers };

    http_parser_init(&hc->hp, &lim);
}

static void
http_data(struct conn *c, struct evbuffer *in)
{
    struct http_conn *hc = c->state;
    size_t len = evbuffer_get_length(in), used = 0;
    enum proto_status st;

    if (len == 0)
        return;
    conn_reading(c);
    st = http_feed(&hc->hp, (const char *)evbuffer_pullup(in, -1), len, &used);
    evbuffer_drain(in, used);
    http_status(c, st);
}

static void
http_eof_cb(struct conn *c, struct evbuffer *in)
{
    struct http_conn *hc = c->state;

    http_data(c, in);
    if (c->phase != CONN_IDLE && c->phase != CONN_READING)
        return;
    http_status(c, http_eof(&hc->hp));
}

static void
http_timeout(struct conn *c, bool idle)
{
    struct http_answer ans = { 0 };

    if (idle) {
        log_tdebug(c->tag, "%s: idle for %.0f s, closing", c->peer, c->w->wc->idle_timeout);
        conn_abort(c);
        return;
    }
    log_tinfo(c->tag, "%s: timed out reading the request", c->peer);
    conn_busy(c);
    buf_init(&ans.body);
    http_error(http_site(c), &ans, 408, "Request timeout");
    http_send(c, NULL, &ans, false);
    conn_done(c, false);
}

static void
http_close(struct conn *c)
{
    struct http_conn *hc = c->state;

    if (hc->deferred && hc->cancel != NULL)
        hc->cancel(hc->cancel_arg);
    http_parser_clear(&hc->hp);
}

void
http_ping(struct conn *c, const struct http_request *req, struct http_answer *ans)
{
    (void)c;
    (void)req;
    ans->content_type = "text/plain";
    buf_puts(&ans->body, "pong\r\n");
}

#define HTTP_M_SCAN (HTTP_M_POST | HTTP_M_GET)

static const struct http_route normal_routes[] = {
    { "/ping", HTTP_M_GET | HTTP_M_HEAD, http_ping },
    { "/checkv2", HTTP_M_SCAN, http_scan_checkv2 },
    { "/check", HTTP_M_SCAN, http_scan_check },
    { "/symbols", HTTP_M_SCAN, http_scan_check },
    { "/scan", HTTP_M_SCAN, http_scan_check },
    { "/process", HTTP_M_SCAN, http_scan_check },
    { "/report", HTTP_M_SCAN, http_scan_check },
    { "/report_ifspam", HTTP_M_SCAN, http_scan_check },
    { "/skip", HTTP_M_SCAN, http_scan_skip },
};
static const struct http_site normal_site = {
    normal_routes, sizeof(normal_routes) / sizeof(normal_routes[0]), true, NULL, NULL, false
};

/* the controller serves the scan API too (its auth first: controller_dispatch) */
static const struct http_route controller_routes[] = {
    { "/ping", HTTP_M_GET | HTTP_M_HEAD, http_ping },
    { "/checkv2", HTTP_M_SCAN, http_scan_checkv2 },
    { "/check", HTTP_M_SCAN, http_scan_check },
    { "/scan", HTTP_M_SCAN, http_scan_check },
};
static const struct http_site controller_site = { controller_routes,
                                                  sizeof(controller_routes) /
                                                      sizeof(controller_routes[0]),
                                                  false,
                                                  controller_dispatch,
                                                  "Cache-Control: no-store\r\n",
                                                  false };

#define HTTP_CONN_PROTO(site)                                                                      \
    {                                                                                              \
        .state_size = sizeof(struct http_conn), .open = http_open, .data = http_data,              \
        .eof = http_eof_cb, .timeout = http_timeout, .close = http_close, .arg = &(site),          \
    }

const struct conn_proto normal_conn_proto = HTTP_CONN_PROTO(normal_site);
const struct conn_proto controller_conn_proto = HTTP_CONN_PROTO(controller_site);
const struct conn_proto proxy_http_conn_proto = HTTP_CONN_PROTO(proxy_http_site);
