/*
 * worker_proxy_http.h - the proxy_http worker: HTTP forwarding, so that a
 * fleet of scanners sits behind one address (rspamd's proxy with
 * `milter = no`). A client (rspamc, an MTA's rspamd client, siftc) talks
 * the scan API to it as to a normal worker; /ping is answered here and
 * every scan request (/checkv2, /check, /symbols, /scan, /process,
 * /report, /report_ifspam, /skip) is forwarded to an upstream picked as
 * the milter picks one (upstream.h: round-robin or hash of the From
 * header, with health checks). A try that cannot connect, times out or
 * gets 502/503/504 moves to the next upstream; the client gets a byte
 * only when an upstream's answer is complete, so it never sees a half
 * reply. That answer is relayed as it came (status, reason, headers but
 * the hop-by-hop ones, body) with X-Sift-Upstream naming the scanner;
 * when none answers, 502 with a JSON error.
 *
 * A worker type of its own rather than a switch on the proxy (rspamd's
 * `milter = no`): a listener speaks one protocol, and the type table says
 * which (STYLE.md section 8). Its keys: the normal worker's HTTP limits
 * and the upstream keys (UPSTREAM_KEYS); upstreams must list at least one.
 */
#ifndef SIFT_DAEMON_WORKER_PROXY_HTTP_H
#define SIFT_DAEMON_WORKER_PROXY_HTTP_H

#include "core/cfg_keys.h"
#include "core/cfg_load.h"
#include "core/cfg_tree.h"
#include "core/err.h"
#include "daemon/upstream.h"
#include "daemon/worker_http.h"

struct worker;
struct worker_cfg;

/* workers.<proxy_http>.*: http first, so the HTTP glue reads it as its own */
struct proxy_http_cfg {
    struct http_worker_cfg http;
    struct upstream_cfg up;
};

extern const struct cfg_key proxy_http_upstream_keys[];
extern const size_t proxy_http_upstream_nkeys;

int proxy_http_check(struct cfg *cfg, struct worker_cfg *wc, const struct cfg_node *node,
                     struct sift_err *err);
void proxy_http_start(struct worker *w);
void proxy_http_stop(struct worker *w);

#endif
