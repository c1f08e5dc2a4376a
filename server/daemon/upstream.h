/*
 * upstream.h - the proxy's upstream scanners: other siftd instances (or
 * rspamd) whose HTTP scan API the proxy workers forward to, the milter
 * (worker_milter_upstream.c) and the HTTP forwarder (worker_proxy_http.c)
 * alike.
 *
 * Configuration (workers.<proxy>.*, the keys UPSTREAM_KEYS declares):
 * `upstreams` lists the scanners, each "HOST:PORT" ("[IPv6]:PORT", a name,
 * or "/path.sock"), optionally followed by name=NAME (for the logs;
 * default: the address as written) and weight=N (1-100, default 1). Names
 * are resolved when the configuration is loaded (and reloaded).
 *
 * Each worker process keeps its own view of them (struct upstream_pool):
 * - balancing: round-robin (smooth, weighted as nginx's) or hash (of the
 *   envelope sender: rendezvous hashing, weighted, so a sender keeps its
 *   scanner and only the senders of a scanner that goes down move);
 * - failover: a try that cannot connect, times out (upstream_timeout),
 *   breaks the protocol or is refused by the caller marks that upstream
 *   down and the next one is tried, upstream_retries more times at most,
 *   never the same one twice;
 * - health: an upstream marked down is skipped for upstream_down_time,
 *   then probed (GET /ping) until it answers; every upstream that is up is
 *   probed every upstream_check_interval too. When none is up a call is
 *   not even started: the caller answers at once (never a hanging MTA).
 */
#ifndef SIFT_DAEMON_UPSTREAM_H
#define SIFT_DAEMON_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <event2/event.h>

#include "core/cfg_keys.h"
#include "core/cfg_load.h"
#include "core/cfg_tree.h"
#include "core/err.h"
#include "proto/proto_http_response.h"

enum upstream_balance { UPSTREAM_ROUND_ROBIN, UPSTREAM_HASH };

/* One scanner of `upstreams`. */
struct upstream_def {
    const char *name; /* name=, else the address as written */
    const char *host; /* for the Host header: "10.0.0.2:11333", "localhost" for a socket */
    struct sockaddr_storage addr;
    socklen_t addrlen;
    unsigned weight;
};

/* What the keys fill; `defs` is derived by upstream_cfg_check. */
struct upstream_cfg {
    struct cfg_strlist upstreams;
    int balance; /* enum upstream_balance */
    double timeout;
    uint64_t retries;
    double check_interval; /* 0: no periodic checks (down ones are still probed) */
    double down_time;
    size_t max_reply;
    struct upstream_def *defs;
    size_t ndefs;
};

/* The upstream keys of a worker type whose config struct T holds a
 * struct upstream_cfg named m (one table per type: the offsets differ). */
#define UPSTREAM_KEYS(T, m)                                                                        \
    { "upstreams",                                                                                 \
      CFG_T_LIST,                                                                                  \
      "[]",                                                                                        \
      offsetof(T, m.upstreams),                                                                    \
      "scanners to forward to (their HTTP scan API: siftd's normal worker, rspamd's): HOST:PORT, " \
      "[IPv6]:PORT or /path.sock, each optionally followed by name=NAME (the logs' name) and "     \
      "weight=N (1-100, a share of the load); names are resolved when the config is loaded; "      \
      "[] (the proxy): scan in this process (self-scan)",                                          \
      NULL },                                                                                      \
        { "upstream_balance",                                                                      \
          CFG_T_ENUM,                                                                              \
          "round-robin",                                                                           \
          offsetof(T, m.balance),                                                                  \
          "how a message picks its upstream: round-robin (by weight), or hash of the envelope "    \
          "sender (the same sender goes to the same upstream while it is up)",                     \
          "round-robin|hash" },                                                                    \
        { "upstream_timeout",                                                                      \
          CFG_T_TIME,                                                                              \
          "20s",                                                                                   \
          offsetof(T, m.timeout),                                                                  \
          "how long one try may take (connect, send, the scan, the reply) before the next "        \
          "upstream is tried",                                                                     \
          NULL },                                                                                  \
        { "upstream_retries",                                                                      \
          CFG_T_UINT,                                                                              \
          "2",                                                                                     \
          offsetof(T, m.retries),                                                                  \
          "further tries on other upstreams after a failed one (never the same upstream twice)",   \
          NULL },                                                                                  \
        { "upstream_check_interval",                                                               \
          CFG_T_TIME,                                                                              \
          "10s",                                                                                   \
          offsetof(T, m.check_interval),                                                           \
          "health checks: GET /ping to every upstream that is up this often (one that fails is "   \
          "marked down); 0: none (a failed request still marks its upstream down)",                \
          NULL },                                                                                  \
        { "upstream_down_time",                                                                    \
          CFG_T_TIME,                                                                              \
          "5s",                                                                                    \
          offsetof(T, m.down_time),                                                                \
          "an upstream that failed is skipped this long, then probed (GET /ping) until it "        \
          "answers again",                                                                         \
          NULL },                                                                                  \
    {                                                                                              \
        "upstream_max_reply", CFG_T_SIZE, "16M", offsetof(T, m.max_reply),                         \
            "largest reply body taken from an upstream; a bigger one is a failed try", NULL        \
    }

/* After the keys are read: parse and resolve `upstreams` (into cfg's
 * arena), check the times. node: the worker's section, for file:line. */
int upstream_cfg_check(struct cfg *cfg, const char *worker, struct upstream_cfg *uc,
                       const struct cfg_node *node, struct sift_err *err);

/* "HOST:PORT [name=NAME] [weight=N]" into *out (strings in a; the name
 * resolved). -1 with err. */
int upstream_def_parse(struct arena *a, const char *text, struct upstream_def *out,
                       struct sift_err *err);

/* --- a worker process's view ------------------------------------------------ */

struct upstream_pool;

/* For uc (kept, not owned), on base; health checks start now. logname:
 * the worker's name, for messages. */
struct upstream_pool *upstream_pool_new(struct event_base *base, const struct upstream_cfg *uc);
void upstream_pool_free(struct upstream_pool **pp);
/* How many upstreams are up now. */
size_t upstream_pool_up(const struct upstream_pool *p);
/* The name of the upstream a call for key would try first, or NULL when
 * none is up; round-robin moves on as for a call. (For tests and tools.) */
const char *upstream_pool_next(struct upstream_pool *p, const char *key);
/* Mark the upstream called name down, as a failed try would (why: for the
 * log); it is probed again after upstream_down_time. -1: no such name. */
int upstream_pool_mark_down(struct upstream_pool *p, const char *name, const char *why);

/* A request to forward. Its strings must live until the call ends. */
struct upstream_request {
    const char *method; /* "POST" */
    const char *target; /* "/checkv2", with the query if any */
    /* "Name: value\r\n" lines; Host, Connection and Content-Length are added per try */
    const char *headers;
    const char *body;
    size_t body_len;
    bool send_length;     /* Content-Length even when body_len is 0 (POST) */
    const char *hash_key; /* balance hash: what to hash (the envelope sender); NULL: "" */
    const char *tag;      /* the client's connection, for the log */
};

/* What a call got: a response from upstream `name`, or nothing (resp NULL:
 * every try failed, err says how the last one did). */
struct upstream_result {
    const char *name; /* the upstream of this try; NULL when none was tried */
    const struct http_response *resp;
    const char *err;
    unsigned tries; /* so far, this one included */
    double ms;      /* this try's time */
};

/*
 * The call's end, or one of its answers: return true to take it (the call
 * ends), false to refuse a response (a scanner's reply that cannot be
 * used: that upstream is marked down and the next is tried, or, with none
 * left, done is called again with resp NULL). With resp NULL the return
 * value does not matter: the call is over. Called from the loop only.
 */
typedef bool (*upstream_done_fn)(void *arg, const struct upstream_result *r);

struct upstream_call;

/* Start a call; NULL (done will not be called) when no upstream is up. */
struct upstream_call *upstream_call_start(struct upstream_pool *p,
                                          const struct upstream_request *req, upstream_done_fn done,
                                          void *arg);
/* Stop a call in progress (done is not called); *cp becomes NULL. Not
 * from inside done (the call ends by itself after it). */
void upstream_call_cancel(struct upstream_call **cp);

#endif
