/*
 * conn.c - client connections in a worker (see conn.h).
 */
#include "daemon/conn.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/xmalloc.h"
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

static void
conn_peer_str(const struct sockaddr *sa, socklen_t salen, char *out, size_t outlen)
{
    char host[NI_MAXHOST], serv[NI_MAXSERV];

    if (sa == NULL || sa->sa_family == AF_UNIX ||
        getnameinfo(sa, salen, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(out, outlen, "unix");
        return;
    }
    /* numeric hosts fit: an IPv6 address is at most 45 characters */
    if (sa->sa_family == AF_INET6)
        snprintf(out, outlen, "[%.46s]:%.8s", host, serv);
    else
        snprintf(out, outlen, "%.46s:%.8s", host, serv);
}

/* Timeouts and read state for a phase. */
static void
conn_set_phase(struct conn *c, enum conn_phase phase)
{
    const struct worker_cfg *wc = c->w->wc;
    struct timeval rd, wr = clock_tv(wc->read_timeout);

    c->phase = phase;
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
conn_abort(struct conn *c)
{
    if (c->dead)
        return;
    c->dead = true;
    bufferevent_disable(c->bev, EV_READ | EV_WRITE);
    if (c->depth == 0)
        conn_free(c);
}

void
conn_accept(struct worker *w, int fd, const struct sockaddr *sa, socklen_t salen)
{
    struct conn *c = xcalloc(1, sizeof(*c));
    const struct conn_proto *proto = w->wc->type->proto;

    c->w = w;
    c->bev = bufferevent_socket_new(w->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (c->bev == NULL) {
        log_err("cannot set up a connection: out of resources");
        close(fd);
        free(c);
        return;
    }
    conn_make_tag(c->tag);
    conn_peer_str(sa, salen, c->peer, sizeof(c->peer));
    c->state = xcalloc(1, proto->state_size ? proto->state_size : 1);
    worker_conn_added(w, c);
    log_tdebug(c->tag, "connection from %s", c->peer);
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

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);

    conn_enter(c);
    switch (c->phase) {
    case CONN_IDLE:
    case CONN_READING:
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
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
    struct conn *c = arg;

    (void)bev;
    conn_enter(c);
    if (what & BEV_EVENT_EOF) {
        conn_on_eof(c);
    } else if (what & BEV_EVENT_ERROR) {
        log_tdebug(c->tag, "connection from %s: %s", c->peer,
                   evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
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
