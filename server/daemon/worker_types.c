/*
 * worker_types.c - the worker type table (see worker_types.h).
 */
#include "daemon/worker_types.h"

#include <string.h>

#include "daemon/conn.h"
#include "daemon/controller.h"
#include "daemon/siftd_cfg.h"
#include "daemon/worker_http.h"
#include "daemon/worker_milter.h"
#include "daemon/worker_proxy_http.h"
#include "daemon/worker_spamd.h"

/* bind_socket, count, allowed_ips and max_conns, with a type's own
 * defaults (confighelp shows them). */
#define WORKER_LISTEN_KEYS(def_bind, def_count, def_allowed, def_conns)                            \
    { "bind_socket",                                                                               \
      CFG_T_LIST,                                                                                  \
      def_bind,                                                                                    \
      offsetof(struct worker_cfg, bind_socket),                                                    \
      "addresses to listen on: HOST:PORT, [IPv6]:PORT or *:PORT, each optionally followed by "     \
      "ssl (TLS, see ssl_cert), or /path.sock [mode=0660 owner=USER group=GROUP]",                 \
      NULL },                                                                                      \
        { "count",                                                                                 \
          CFG_T_COUNT,                                                                             \
          def_count,                                                                               \
          offsetof(struct worker_cfg, count),                                                      \
          "worker processes: auto (one per core) or a number",                                     \
          NULL },                                                                                  \
        { "allowed_ips",                                                                           \
          CFG_T_LIST,                                                                              \
          def_allowed,                                                                             \
          offsetof(struct worker_cfg, allowed_ips),                                                \
          "TCP clients that may connect (spamd -A): addresses and networks such as 10.0.0.0/8 "    \
          "or ::1; the first entry that contains the client decides, and !NET excludes it "        \
          "(list exclusions first); [] lets everyone in; Unix-socket clients always may; "         \
          "a refused client is closed without a byte",                                             \
          NULL },                                                                                  \
    {                                                                                              \
        "max_conns", CFG_T_UINT, def_conns, offsetof(struct worker_cfg, max_conns),                \
            "most requests one process has in hand at once (a kept-alive connection waiting for "  \
            "its next request does not count); more connections wait in the listen queue for the " \
            "next process that is free",                                                           \
            NULL                                                                                   \
    }

/* spamd's own defaults: loopback only (-A), and one request per process
 * as spamd's children serve them: a scan runs to its end, so a second
 * connection a process took would wait behind it while another process
 * may be free (at concurrency 8 on two cores this halves the p99). The
 * normal worker scans the same way; the controller mostly answers reads. */
static const struct cfg_key spamd_listen_keys[] = { WORKER_LISTEN_KEYS(
    "127.0.0.1:783", "auto", "[127.0.0.1, \"::1\"]", "1") };
static const struct cfg_key normal_listen_keys[] = { WORKER_LISTEN_KEYS("127.0.0.1:11333", "auto",
                                                                        NULL, "1") };
static const struct cfg_key controller_listen_keys[] = { WORKER_LISTEN_KEYS("127.0.0.1:11334", "1",
                                                                            NULL, "1000") };
/* The proxy scans too (self-scan), one process per core, but a milter
 * connection is a whole SMTP session, mostly waiting for the SMTP client:
 * max_conns counts sessions in the middle of a message, so it must be
 * high; a process's scans run one after another. */
static const struct cfg_key proxy_listen_keys[] = { WORKER_LISTEN_KEYS("127.0.0.1:11332", "auto",
                                                                       NULL, "1000") };
/* HTTP forwarding only waits on sockets: one process serves many clients. */
static const struct cfg_key proxy_http_listen_keys[] = { WORKER_LISTEN_KEYS("127.0.0.1:11336", "1",
                                                                            NULL, "1000") };

#define NKEYS(t) (sizeof(t) / sizeof((t)[0]))

const struct worker_type worker_types[] = {
    { "spamd", "SpamAssassin's SPAMC/SPAMD protocol, for spamc, Exim, amavis, Haraka",
      spamd_listen_keys, NKEYS(spamd_listen_keys), spamd_worker_keys, &spamd_worker_nkeys,
      sizeof(struct spamd_worker_cfg), &spamd_conn_proto, NULL, NULL, NULL, false, NULL, NULL },
    { "normal", "the native HTTP scan protocol (rspamd's /checkv2), for rspamc and MTAs",
      normal_listen_keys, NKEYS(normal_listen_keys), http_worker_keys, &http_worker_nkeys,
      sizeof(struct http_worker_cfg), &normal_conn_proto, NULL, NULL, NULL, false, NULL, NULL },
    { "controller", "administration: learning, statistics, the WebUI", controller_listen_keys,
      NKEYS(controller_listen_keys), http_worker_keys, &http_worker_nkeys,
      sizeof(struct controller_cfg), &controller_conn_proto, controller_keys, &controller_nkeys,
      controller_cfg_check, true, NULL, NULL },
    { "proxy",
      "the milter protocol for Postfix and Sendmail, scanning in this process (self-scan) or "
      "on upstream scanners",
      proxy_listen_keys, NKEYS(proxy_listen_keys), milter_worker_keys, &milter_worker_nkeys,
      sizeof(struct milter_worker_cfg), &milter_conn_proto, milter_upstream_keys,
      &milter_upstream_nkeys, milter_worker_check, false, milter_worker_start, milter_worker_stop },
    { "proxy_http",
      "the HTTP scan API (/checkv2...) forwarded to upstream scanners: a fleet behind one address",
      proxy_http_listen_keys, NKEYS(proxy_http_listen_keys), http_worker_keys, &http_worker_nkeys,
      sizeof(struct proxy_http_cfg), &proxy_http_conn_proto, proxy_http_upstream_keys,
      &proxy_http_upstream_nkeys, proxy_http_check, false, proxy_http_start, proxy_http_stop },
};
const size_t worker_ntypes = NKEYS(worker_types);

const struct worker_type *
worker_type_find(const char *name)
{
    for (size_t i = 0; i < worker_ntypes; i++) {
        if (strcmp(worker_types[i].name, name) == 0)
            return &worker_types[i];
    }
    return NULL;
}
