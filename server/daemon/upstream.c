/*
 * upstream.c - upstream scanners: their configuration, a worker's view of
 * which are up, balancing, health checks and calls with failover (see
 * upstream.h).
 */
#include "daemon/upstream.h"

#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "daemon/http_client.h"
#include "daemon/siftd_cfg.h"

#define UPSTREAM_MAX_WEIGHT 100
/* Response limits beside upstream_max_reply: generous, a scanner is trusted. */
#define UPSTREAM_LINE_MAX    (64u * 1024u)
#define UPSTREAM_MAX_HEADERS 200u

/* --- configuration ------------------------------------------------------------ */

static int
upstream_resolve(const char *host, const char *port, struct upstream_def *out, struct sift_err *err)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);

    if (rc != 0 || res == NULL) {
        sift_err_set(err, "cannot resolve %s: %s", host, rc != 0 ? gai_strerror(rc) : "no address");
        return -1;
    }
    memcpy(&out->addr, res->ai_addr, res->ai_addrlen);
    out->addrlen = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* The address word: "/path.sock", "[v6]:port" or "host:port". */
static int
upstream_addr_parse(struct arena *a, const char *w, struct upstream_def *out, struct sift_err *err)
{
    const char *colon, *host, *port;
    char *end;
    long pn;

    if (w[0] == '/') {
        struct sockaddr_un *un = (struct sockaddr_un *)&out->addr;

        if (strlen(w) >= sizeof(un->sun_path)) {
            sift_err_set(err, "'%s': socket path too long", w);
            return -1;
        }
        memset(un, 0, sizeof(*un));
        un->sun_family = AF_UNIX;
        memcpy(un->sun_path, w, strlen(w));
        out->addrlen = sizeof(*un);
        out->host = "localhost";
        return 0;
    }
    if (w[0] == '[') {
        const char *rb = strchr(w, ']');

        if (rb == NULL || rb[1] != ':') {
            sift_err_set(err, "'%s': expected [IPv6]:PORT", w);
            return -1;
        }
        host = arena_strndup(a, w + 1, (size_t)(rb - w - 1));
        colon = rb + 1;
    } else {
        colon = strrchr(w, ':');
        if (colon == NULL || colon == w || memchr(w, ':', (size_t)(colon - w)) != NULL) {
            sift_err_set(err, "'%s': expected HOST:PORT, [IPv6]:PORT or /path.sock", w);
            return -1;
        }
        host = arena_strndup(a, w, (size_t)(colon - w));
    }
    port = colon + 1;
    pn = strtol(port, &end, 10);
    if (*port == '\0' || *end != '\0' || pn < 1 || pn > 65535) {
        sift_err_set(err, "'%s': bad port", w);
        return -1;
    }
    out->host = w;
    return upstream_resolve(host, port, out, err);
}

int
upstream_def_parse(struct arena *a, const char *text, struct upstream_def *out,
                   struct sift_err *err)
{
    char *copy = arena_strdup(a, text), *save = NULL;
    char *w = strtok_r(copy, " \t", &save);

    memset(out, 0, sizeof(*out));
    out->weight = 1;
    if (w == NULL) {
        sift_err_set(err, "an empty upstream");
        return -1;
    }
    if (upstream_addr_parse(a, w, out, err) == -1)
        return -1;
    out->name = w;
    while ((w = strtok_r(NULL, " \t", &save)) != NULL) {
        if (strncmp(w, "name=", 5) == 0 && w[5] != '\0') {
            out->name = w + 5;
        } else if (strncmp(w, "weight=", 7) == 0) {
            char *end;
            long n = strtol(w + 7, &end, 10);

            if (w[7] == '\0' || *end != '\0' || n < 1 || n > UPSTREAM_MAX_WEIGHT) {
                sift_err_set(err, "'%s': weight is a number from 1 to %d", w, UPSTREAM_MAX_WEIGHT);
                return -1;
            }
            out->weight = (unsigned)n;
        } else {
            sift_err_set(err, "'%s': unknown option (name=NAME, weight=N)", w);
            return -1;
        }
    }
    return 0;
}

int
upstream_cfg_check(struct cfg *cfg, const char *worker, struct upstream_cfg *uc,
                   const struct cfg_node *node, struct sift_err *err)
{
    struct sift_err why;
    char where[512];

    uc->ndefs = uc->upstreams.n;
    uc->defs = arena_calloc(cfg->arena, uc->ndefs ? uc->ndefs : 1, sizeof(*uc->defs));
    for (size_t i = 0; i < uc->ndefs; i++) {
        if (upstream_def_parse(cfg->arena, uc->upstreams.v[i], &uc->defs[i], &why) == -1) {
            sift_err_set(err, "%s: workers.%s.upstreams: %s",
                         siftd_cfg_item_pos(node, "upstreams", i, where, sizeof(where)), worker,
                         why.msg);
            return -1;
        }
        for (size_t k = 0; k < i; k++) {
            if (strcmp(uc->defs[k].name, uc->defs[i].name) == 0) {
                sift_err_set(err, "%s: workers.%s.upstreams: '%s' is named twice (name=)",
                             siftd_cfg_item_pos(node, "upstreams", i, where, sizeof(where)), worker,
                             uc->defs[i].name);
                return -1;
            }
        }
    }
    if (uc->timeout <= 0 || uc->down_time <= 0) {
        const char *key = uc->timeout <= 0 ? "upstream_timeout" : "upstream_down_time";

        sift_err_set(err, "%s: workers.%s.%s: must be more than 0",
                     siftd_cfg_item_pos(node, key, 0, where, sizeof(where)), worker, key);
        return -1;
    }
    return 0;
}

/* --- the pool ------------------------------------------------------------------- */

struct upstream_state {
    struct upstream_pool *pool;
    const struct upstream_def *def;
    bool down;
    long current; /* smooth weighted round-robin */
    struct http_client *probe;
    struct event *ev_probe; /* the re-probe of a down upstream */
    unsigned long long ok, failed;
};

struct upstream_pool {
    struct event_base *base;
    const struct upstream_cfg *cfg;
    struct upstream_state *st;
    size_t n;
    struct event *ev_check; /* the periodic health check */
};

static struct http_limits
upstream_limits(const struct upstream_cfg *uc)
{
    struct http_limits lim = { uc->max_reply, UPSTREAM_LINE_MAX, UPSTREAM_MAX_HEADERS };

    return lim;
}

static void upstream_probe(struct upstream_state *u);

static void
upstream_mark_down(struct upstream_state *u, const char *why)
{
    struct timeval tv = clock_tv(u->pool->cfg->down_time);

    u->failed++;
    if (!u->down)
        log_warn("upstream %s: %s; marked down, probed again in %.1f s", u->def->name, why,
                 u->pool->cfg->down_time);
    else
        log_debug("upstream %s is still down: %s", u->def->name, why);
    u->down = true;
    evtimer_add(u->ev_probe, &tv); /* re-armed: a later failure pushes the probe back */
}

static void
upstream_mark_up(struct upstream_state *u)
{
    u->ok++;
    if (!u->down)
        return;
    u->down = false;
    u->current = 0;
    evtimer_del(u->ev_probe);
    log_notice("upstream %s is up again", u->def->name);
}

static void
upstream_probe_done(struct http_client *hc, void *arg)
{
    struct upstream_state *u = arg;
    const struct http_response *r = http_client_response(hc);

    if (r != NULL && r->status == 200) {
        upstream_mark_up(u);
    } else {
        char why[300];

        if (r != NULL)
            snprintf(why, sizeof(why), "GET /ping answered %d", r->status);
        else
            snprintf(why, sizeof(why), "GET /ping: %s", http_client_error(hc));
        upstream_mark_down(u, why);
    }
    http_client_free(&u->probe);
}

static void
upstream_probe(struct upstream_state *u)
{
    const struct upstream_cfg *uc = u->pool->cfg;
    struct http_limits lim = upstream_limits(uc);
    struct buf req;

    if (u->probe != NULL)
        return;
    u->probe =
        http_client_start(u->pool->base, (const struct sockaddr *)&u->def->addr, u->def->addrlen,
                          &lim, uc->timeout < 5 ? uc->timeout : 5, false, upstream_probe_done, u);
    buf_init(&req);
    buf_printf(&req, "GET /ping HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", u->def->host);
    http_client_write(u->probe, req.p, req.len);
    buf_clear(&req);
}

static void
upstream_reprobe_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    upstream_probe(arg);
}

static void
upstream_check_cb(evutil_socket_t fd, short what, void *arg)
{
    struct upstream_pool *p = arg;

    (void)fd;
    (void)what;
    for (size_t i = 0; i < p->n; i++) {
        if (!p->st[i].down)
            upstream_probe(&p->st[i]);
    }
}

struct upstream_pool *
upstream_pool_new(struct event_base *base, const struct upstream_cfg *uc)
{
    struct upstream_pool *p = xcalloc(1, sizeof(*p));

    p->base = base;
    p->cfg = uc;
    p->n = uc->ndefs;
    p->st = xcalloc(p->n ? p->n : 1, sizeof(*p->st));
    for (size_t i = 0; i < p->n; i++) {
        p->st[i].pool = p;
        p->st[i].def = &uc->defs[i];
        p->st[i].ev_probe = evtimer_new(base, upstream_reprobe_cb, &p->st[i]);
        if (p->st[i].ev_probe == NULL)
            log_panic("upstream: out of memory");
    }
    if (uc->check_interval > 0 && p->n > 0) {
        struct timeval tv = clock_tv(uc->check_interval);

        p->ev_check = event_new(base, -1, EV_PERSIST, upstream_check_cb, p);
        if (p->ev_check == NULL)
            log_panic("upstream: out of memory");
        event_add(p->ev_check, &tv);
    }
    return p;
}

void
upstream_pool_free(struct upstream_pool **pp)
{
    struct upstream_pool *p = *pp;

    if (p == NULL)
        return;
    *pp = NULL;
    for (size_t i = 0; i < p->n; i++) {
        http_client_free(&p->st[i].probe);
        event_free(p->st[i].ev_probe);
    }
    if (p->ev_check != NULL)
        event_free(p->ev_check);
    free(p->st);
    free(p);
}

size_t
upstream_pool_up(const struct upstream_pool *p)
{
    size_t n = 0;

    for (size_t i = 0; i < p->n; i++)
        n += !p->st[i].down;
    return n;
}

/* 64-bit FNV-1a of key and name, mixed (splitmix64's finaliser). */
static uint64_t
upstream_hash(const char *key, const char *name)
{
    uint64_t h = 14695981039346656037ull;

    for (const char *s = key; *s != '\0'; s++)
        h = (h ^ (unsigned char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s)) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull; /* a separator no address contains */
    for (const char *s = name; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    return h ^ (h >> 31);
}

/* The upstream for the next try: up and not tried yet; p->n when none. */
static size_t
upstream_pick(struct upstream_pool *p, const char *key, const bool *tried)
{
    size_t best = p->n;
    double best_score = 0;
    long total = 0;

    for (size_t i = 0; i < p->n; i++) {
        struct upstream_state *u = &p->st[i];

        if (u->down || tried[i])
            continue;
        if (p->cfg->balance == UPSTREAM_HASH) {
            /* rendezvous: the highest -w/ln(x), x uniform in (0,1) from the hash */
            double x =
                ((double)(upstream_hash(key, u->def->name) >> 11) + 1.0) / 9007199254740993.0;
            double score = -(double)u->def->weight / log(x);

            if (best == p->n || score > best_score) {
                best = i;
                best_score = score;
            }
            continue;
        }
        u->current += u->def->weight;
        total += u->def->weight;
        if (best == p->n || u->current > p->st[best].current)
            best = i;
    }
    if (best < p->n && p->cfg->balance == UPSTREAM_ROUND_ROBIN)
        p->st[best].current -= total;
    return best;
}

const char *
upstream_pool_next(struct upstream_pool *p, const char *key)
{
    bool *tried = xcalloc(p->n ? p->n : 1, sizeof(*tried));
    size_t i = upstream_pick(p, key != NULL ? key : "", tried);

    free(tried);
    return i < p->n ? p->st[i].def->name : NULL;
}

int
upstream_pool_mark_down(struct upstream_pool *p, const char *name, const char *why)
{
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->st[i].def->name, name) == 0) {
            upstream_mark_down(&p->st[i], why);
            return 0;
        }
    }
    return -1;
}

/* --- calls ------------------------------------------------------------------------ */

struct upstream_call {
    struct upstream_pool *pool;
    struct upstream_request req;
    upstream_done_fn done;
    void *arg;
    bool *tried;
    unsigned tries, max_tries;
    size_t cur; /* the upstream of the try in progress */
    struct http_client *hc;
    char err[300];
};

static void upstream_try_done(struct http_client *hc, void *arg);

/* Start the next try; false when there is none to make. */
static bool
upstream_try(struct upstream_call *c)
{
    const struct upstream_cfg *uc = c->pool->cfg;
    struct http_limits lim = upstream_limits(uc);
    const struct upstream_def *d;
    struct buf head;

    if (c->tries >= c->max_tries)
        return false;
    c->cur = upstream_pick(c->pool, c->req.hash_key ? c->req.hash_key : "", c->tried);
    if (c->cur == c->pool->n)
        return false;
    d = c->pool->st[c->cur].def;
    c->tried[c->cur] = true;
    c->tries++;
    c->hc =
        http_client_start(c->pool->base, (const struct sockaddr *)&d->addr, d->addrlen, &lim,
                          uc->timeout, strcmp(c->req.method, "HEAD") == 0, upstream_try_done, c);
    buf_init(&head);
    buf_printf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", c->req.method,
               c->req.target, d->host);
    if (c->req.body_len > 0 || c->req.send_length)
        buf_printf(&head, "Content-Length: %zu\r\n", c->req.body_len);
    if (c->req.headers != NULL)
        buf_puts(&head, c->req.headers);
    buf_puts(&head, "\r\n");
    http_client_write(c->hc, head.p, head.len);
    buf_clear(&head);
    http_client_write_ref(c->hc, c->req.body, c->req.body_len);
    log_tdebug(c->req.tag, "upstream %s: %s %s (try %u)", d->name, c->req.method, c->req.target,
               c->tries);
    return true;
}

static void
upstream_call_free(struct upstream_call *c)
{
    http_client_free(&c->hc);
    free(c->tried);
    free(c);
}

static void
upstream_try_done(struct http_client *hc, void *arg)
{
    struct upstream_call *c = arg;
    struct upstream_state *u = &c->pool->st[c->cur];
    struct upstream_result r = { .name = u->def->name,
                                 .resp = http_client_response(hc),
                                 .err = http_client_error(hc),
                                 .tries = c->tries,
                                 .ms = http_client_elapsed(hc) * 1000.0 };

    if (r.resp != NULL && c->done(c->arg, &r)) {
        upstream_mark_up(u);
        upstream_call_free(c);
        return;
    }
    if (r.resp != NULL)
        snprintf(c->err, sizeof(c->err), "%s: its answer (HTTP %d) was refused", u->def->name,
                 r.resp->status);
    else
        snprintf(c->err, sizeof(c->err), "%s: %s", u->def->name, r.err);
    log_tinfo(c->req.tag, "upstream %s failed after %.0f ms: %s", u->def->name, r.ms,
              r.resp != NULL ? "its answer was refused" : r.err);
    upstream_mark_down(u, r.resp != NULL ? "an answer that could not be used" : r.err);
    http_client_free(&c->hc);
    if (upstream_try(c))
        return;
    r = (struct upstream_result){ .err = c->err, .tries = c->tries };
    c->done(c->arg, &r);
    upstream_call_free(c);
}

struct upstream_call *
upstream_call_start(struct upstream_pool *p, const struct upstream_request *req,
                    upstream_done_fn done, void *arg)
{
    struct upstream_call *c = xcalloc(1, sizeof(*c));

    c->pool = p;
    c->req = *req;
    c->done = done;
    c->arg = arg;
    c->tried = xcalloc(p->n ? p->n : 1, sizeof(*c->tried));
    c->max_tries = (unsigned)(p->cfg->retries < p->n ? p->cfg->retries + 1 : p->n);
    if (!upstream_try(c)) {
        upstream_call_free(c);
        return NULL;
    }
    return c;
}

void
upstream_call_cancel(struct upstream_call **cp)
{
    if (*cp == NULL)
        return;
    upstream_call_free(*cp);
    *cp = NULL;
}
