/*
 * conn.c - client connections in a worker (see conn.h).
 */
#include "daemon/conn.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/ipnet.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "daemon/tls.h"
#include "daemon/worker.h"
#include "daemon/worker_types.h"

/* How long a closed connection keeps draining what the peer still sends. */
#define CONN_LINGER_SECONDS 2.0
/* On shutdown, how long a new connection may take to send its first request. */
#define CONN_FRESH_GRACE_SECONDS 1.0

static void conn_read_cb(struct bufferevent *bev, void *arg);
static void conn_write_cb(struct bufferevent *bev, void *arg);
static void conn_event_cb(struct bufferevent *bev, short what, void *arg);

static const struct conn_proto *
conn_proto(const struct conn *c)
{
    return c->w->wc->type->proto;
}

static void
conn_make_tag(char tag[8])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[3] = { 0 };

    if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
        memset(r, 0, sizeof(r)); /* entropy pool not ready: a tag is not a secret */
    for (size_t i = 0; i < 3; i++) {
        tag[2 * i] = hex[r[i] >> 4];
        tag[2 * i + 1] = hex[r[i] & 15];
    }
    tag[6] = '\0';
}

/* peer: "127.0.0.1:52100", "[::1]:52100" or "unix"; addr: the address
 * alone, "127.0.0.1" for a Unix socket (a local client). */
static void
conn_peer_str(const struct sockaddr *sa, socklen_t salen, char *peer, size_t peerlen, char *addr,
              size_t addrlen)
{
    char host[NI_MAXHOST], serv[NI_MAXSERV];

    if (sa == NULL || sa->sa_family == AF_UNIX ||
        getnameinfo(sa, salen, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(peer, peerlen, "unix");
        snprintf(addr, addrlen, "127.0.0.1");
        return;
    }
    /* numeric hosts fit: an IPv6 address is at most 45 characters */
    if (sa->sa_family == AF_INET6)
        snprintf(peer, peerlen, "[%.46s]:%.8s", host, serv);
    else
        snprintf(peer, peerlen, "%.46s:%.8s", host, serv);
    snprintf(addr, addrlen, "%.46s", host);
}

/* Timeouts and read state for a phase. */
static void
conn_set_phase(struct conn *c, enum conn_phase phase)
{
    const struct worker_cfg *wc = c->w->wc;
    struct timeval rd, wr = clock_tv(wc->read_timeout);

    /* max_conns counts requests in progress: a kept-alive connection waiting
     * for its next request gives its place to the next client, and takes
     * one again when that request starts */
    if (phase == CONN_READING && c->phase == CONN_IDLE && c->served > 0)
        worker_conn_reclaimed(c->w, c);
    c->phase = phase;
    if (phase == CONN_CLOSING || phase == CONN_LINGER || (phase == CONN_IDLE && c->served > 0))
        worker_conn_released(c->w, c); /* its place goes to the next client */
    switch (phase) {
    case CONN_IDLE:
        rd = clock_tv(wc->idle_timeout);
        bufferevent_set_timeouts(c->bev, &rd, &wr);
        bufferevent_enable(c->bev, EV_READ);
        break;
    case CONN_READING:
        rd = clock_tv(wc->read_timeout);
        bufferevent_set_timeouts(c->bev, &rd, &wr);
        break;
    case CONN_BUSY:
        bufferevent_disable(c->bev, EV_READ);
        bufferevent_set_timeouts(c->bev, NULL, &wr);
        break;
    case CONN_CLOSING:
        bufferevent_set_timeouts(c->bev, NULL, &wr);
        bufferevent_enable(c->bev, EV_READ); /* discard what still comes */
        break;
    case CONN_LINGER:
        rd = clock_tv(CONN_LINGER_SECONDS);
        bufferevent_set_timeouts(c->bev, &rd, NULL);
        bufferevent_enable(c->bev, EV_READ);
        break;
    }
}

static void
conn_free(struct conn *c)
{
    conn_proto(c)->close(c);
    bufferevent_free(c->bev);
    worker_conn_removed(c->w, c);
    free(c->state);
    free(c);
}

static void
conn_enter(struct conn *c)
{
    c->depth++;
}

/* Leave a callback frame; the last one out frees a dead connection. */
static void
conn_leave(struct conn *c)
{
    if (--c->depth == 0 && c->dead)
        conn_free(c);
}

void
conn_hold(struct conn *c)
{
    conn_enter(c);
}

void
conn_release(struct conn *c)
{
    conn_leave(c);
}

void
conn_abort(struct conn *c)
{
    if (c->dead)
        return;
    c->dead = true;
    bufferevent_disable(c->bev, EV_READ | EV_WRITE);
    if (c->depth == 0)
        conn_free(c);
}

/* allowed_ips, for TCP peers; Unix-socket peers are always let in (spamd -A). */
static bool
conn_allowed(const struct worker_cfg *wc, const struct sockaddr *sa)
{
    struct ipaddr a = { .v4 = false };

    if (wc->allowed.n == 0 || sa == NULL)
        return true;
    if (sa->sa_family == AF_INET) {
        a.b[10] = a.b[11] = 0xff; /* ipaddr keeps IPv4 as ::ffff:a.b.c.d */
        memcpy(a.b + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
        a.v4 = true;
    } else if (sa->sa_family == AF_INET6) {
        const struct in6_addr *in6 = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

        memcpy(a.b, in6, 16);
        a.v4 = IN6_IS_ADDR_V4MAPPED(in6);
    } else {
        return true;
    }
    return ipset_contains(&wc->allowed, &a);
}

void
conn_accept(struct worker *w, int fd, const struct sockaddr *sa, socklen_t salen, bool tls)
{
    const struct conn_proto *proto = w->wc->type->proto;
    struct conn *c;

    if (!conn_allowed(w->wc, sa)) {
        char peer[64], addr[48];

        conn_peer_str(sa, salen, peer, sizeof(peer), addr, sizeof(addr));
        /* spamd too closes without a byte: the peer learns nothing */
        log_notice("connection from %s refused: not in allowed_ips", peer);
        close(fd);
        return;
    }
    if (tls && w->wc->ssl_ctx == NULL)
        log_panic("workers.%s: a TLS listener without a TLS context", w->wc->name);
    c = xcalloc(1, sizeof(*c));
    c->w = w;
    c->tls = tls;
    c->bev = tls ? tls_bufferevent_new(w->base, w->wc->ssl_ctx, fd)
                 : bufferevent_socket_new(w->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (c->bev == NULL) {
        log_err("cannot set up a connection: out of resources");
        close(fd);
        free(c);
        return;
    }
    conn_make_tag(c->tag);
    conn_peer_str(sa, salen, c->peer, sizeof(c->peer), c->addr, sizeof(c->addr));
    c->state = xcalloc(1, proto->state_size ? proto->state_size : 1);
    worker_conn_added(w, c);
    log_tdebug(c->tag, "connection from %s%s", c->peer, tls ? " (TLS)" : "");
    bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
    bufferevent_enable(c->bev, EV_WRITE);
    conn_set_phase(c, CONN_IDLE);
    conn_enter(c);
    proto->open(c);
    conn_leave(c);
}

void
conn_write(struct conn *c, const void *p, size_t n)
{
    if (!c->dead)
        bufferevent_write(c->bev, p, n);
}

void
conn_reading(struct conn *c)
{
    if (c->phase == CONN_IDLE)
        conn_set_phase(c, CONN_READING);
}

void
conn_busy(struct conn *c)
{
    conn_set_phase(c, CONN_BUSY);
}

/* The output is flushed: shut our side and drain the peer's for a moment. */
static void
conn_flushed(struct conn *c)
{
    if (c->phase != CONN_CLOSING)
        return;
    if (c->tls)
        tls_close_notify(c->bev);
    shutdown(bufferevent_getfd(c->bev), SHUT_WR);
    conn_set_phase(c, CONN_LINGER);
}

void
conn_done(struct conn *c, bool keep_alive)
{
    if (c->dead)
        return;
    c->served++;
    if (keep_alive && !c->w->stopping) {
        conn_set_phase(c, CONN_IDLE);
        /* pipelined bytes already read: serve them from a fresh frame */
        if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
            bufferevent_trigger(c->bev, EV_READ,
                                BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
        return;
    }
    conn_set_phase(c, CONN_CLOSING);
    if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
        conn_flushed(c);
}

void
conn_shutdown(struct conn *c)
{
    struct timeval grace = clock_tv(CONN_FRESH_GRACE_SECONDS);

    if (c->phase != CONN_IDLE)
        return; /* conn_done closes it once the reply is out */
    if (c->served > 0) {
        conn_abort(c);
        return;
    }
    bufferevent_set_timeouts(c->bev, &grace, NULL);
}

/* A TLS client on a plain listener (spamc --ssl on the wrong port) waits
 * for the server's hello while the protocol waits for a line: say so and
 * close now rather than after read_timeout. No protocol served here starts
 * with these two bytes. */
static bool
conn_tls_on_plain(struct conn *c, struct evbuffer *in)
{
    if (c->tls || c->served > 0 || c->phase != CONN_IDLE || evbuffer_get_length(in) < 2 ||
        !tls_looks_like_client_hello(evbuffer_pullup(in, 2), 2))
        return false;
    log_tinfo(c->tag, "%s started a TLS handshake on a plain listener; closing", c->peer);
    conn_abort(c);
    return true;
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);

    conn_enter(c);
    switch (c->phase) {
    case CONN_IDLE:
    case CONN_READING:
        if (!conn_tls_on_plain(c, in))
            conn_proto(c)->data(c, in);
        break;
    case CONN_BUSY:
        break; /* left in the buffer until the reply is out */
    case CONN_CLOSING:
    case CONN_LINGER:
        evbuffer_drain(in, evbuffer_get_length(in));
        break;
    }
    conn_leave(c);
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;

    (void)bev;
    conn_enter(c);
    conn_flushed(c);
    conn_leave(c);
}

static void
conn_on_eof(struct conn *c)
{
    switch (c->phase) {
    case CONN_IDLE:
    case CONN_READING:
        conn_proto(c)->eof(c, bufferevent_get_input(c->bev));
        break;
    case CONN_BUSY:
        break; /* spamc half-closes after its request: the reply still goes out */
    case CONN_CLOSING:
        break; /* the reply is still going out */
    case CONN_LINGER:
        conn_abort(c);
        break;
    }
}

static void
conn_tls_open(struct conn *c)
{
    char desc[384];

    c->tls_open = true;
    tls_describe(c->bev, desc, sizeof(desc));
    log_tdebug(c->tag, "TLS with %s: %s", c->peer, desc);
}

/* The handshake did not complete: say why in one line, and close. */
static void
conn_tls_failed(struct conn *c, short what)
{
    char why[256];

    if (what & BEV_EVENT_ERROR) {
        tls_error_str(c->bev, why, sizeof(why));
        log_tinfo(c->tag, "TLS handshake with %s failed: %s", c->peer, why);
    } else if (what & BEV_EVENT_TIMEOUT) {
        log_tdebug(c->tag, "TLS handshake with %s timed out", c->peer);
    } else {
        log_tdebug(c->tag, "%s closed the connection during the TLS handshake", c->peer);
    }
    conn_abort(c);
}

/* OpenSSL's bufferevent stops writing when it reads the peer's close_notify
 * (or FIN), but spamc sends that right after its request and still reads
 * the reply: whatever is queued must go out. */
static void
conn_tls_eof(struct conn *c)
{
    if (!c->dead && evbuffer_get_length(bufferevent_get_output(c->bev)) > 0)
        bufferevent_enable(c->bev, EV_WRITE);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
    struct conn *c = arg;

    (void)bev;
    conn_enter(c);
    if (what & BEV_EVENT_CONNECTED) {
        conn_tls_open(c);
    } else if (c->tls && !c->tls_open) {
        conn_tls_failed(c, what);
    } else if (what & BEV_EVENT_EOF) {
        conn_on_eof(c);
        if (c->tls)
            conn_tls_eof(c);
    } else if (what & BEV_EVENT_ERROR) {
        char why[256];

        if (c->tls)
            tls_error_str(c->bev, why, sizeof(why));
        else
            snprintf(why, sizeof(why), "%s", evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
        log_tdebug(c->tag, "connection from %s: %s", c->peer, why);
        conn_abort(c);
    } else if ((what & BEV_EVENT_TIMEOUT) && (what & BEV_EVENT_READING)) {
        if (c->phase == CONN_IDLE && c->w->stopping)
            conn_abort(c); /* shutdown grace over: nothing was asked */
        else if (c->phase == CONN_IDLE || c->phase == CONN_READING)
            conn_proto(c)->timeout(c, c->phase == CONN_IDLE);
        else
            conn_abort(c);
    } else if (what & BEV_EVENT_TIMEOUT) {
        log_tinfo(c->tag, "%s is not reading its reply; dropping the connection", c->peer);
        conn_abort(c);
    }
    conn_leave(c);
}
