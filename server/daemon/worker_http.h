/*
 * worker_http.h - HTTP serving shared by the normal and controller workers:
 * the glue between a connection and proto_http, keep-alive, 100-continue,
 * and a route table per worker type.
 */
#ifndef SIFT_DAEMON_WORKER_HTTP_H
#define SIFT_DAEMON_WORKER_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/cfg_keys.h"
#include "proto/proto_http.h"

struct conn;
struct conn_proto;

/* workers.<normal|controller>.* beyond the common keys */
struct http_worker_cfg {
    size_t max_size;
    size_t max_line;
    uint64_t max_headers;
    bool keepalive;
};

extern const struct cfg_key http_worker_keys[];
extern const size_t http_worker_nkeys;

/* A handler fills the reply; worker_http adds the framing headers. */
struct http_answer {
    int status;
    const char *reason; /* NULL: the standard phrase; else a string that outlives the answer */
    const char *content_type;
    struct buf body;
    const char *extra_headers;
};

typedef void (*http_handler_fn)(struct conn *c, const struct http_request *req,
                                struct http_answer *ans);

#define HTTP_M_GET  (1u << HTTP_GET)
#define HTTP_M_HEAD (1u << HTTP_HEAD)
#define HTTP_M_POST (1u << HTTP_POST)

struct http_route {
    const char *path; /* exact, compared case-insensitively, as rspamd does */
    unsigned methods; /* HTTP_M_* */
    http_handler_fn handle;
};

/* The routes of one worker type, and how it answers unknown paths. */
struct http_site {
    const struct http_route *routes;
    size_t nroutes;
    bool json_errors; /* {"error": ...} bodies (scan API) rather than text */
    /* NULL, or the type's own first look at each request: true when it
     * answered (the controller's endpoints, auth and CORS), false to go on
     * with the routes */
    bool (*first)(struct conn *c, const struct http_request *req, struct http_answer *ans);
    const char *headers; /* NULL, or "Name: value\r\n" lines added to every reply */
    bool no_legacy;      /* close on "CHECK RSPAMC/1.3"-style requests instead of scanning */
};

/*
 * A handler that answers later (the proxy's forwarding): it calls
 * http_defer and returns with ans untouched; the connection then reads
 * nothing more and the request stays valid until http_resume sends the
 * answer. If the connection goes away first, cancel(arg) is called (from
 * its close) and http_resume must not be.
 */
void http_defer(struct conn *c, void (*cancel)(void *arg), void *arg);
void http_resume(struct conn *c, struct http_answer *ans);

extern const struct conn_proto normal_conn_proto;
extern const struct conn_proto controller_conn_proto;

/* GET /ping: "pong\r\n". */
void http_ping(struct conn *c, const struct http_request *req, struct http_answer *ans);

/* The proxy's HTTP forwarding (worker_proxy_http.c defines the site). */
extern const struct http_site proxy_http_site;
extern const struct conn_proto proxy_http_conn_proto;

#endif
