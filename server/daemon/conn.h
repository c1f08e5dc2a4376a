/*
 * conn.h - one client connection in a worker: a bufferevent, its timeouts,
 * the protocol's per-connection state, and an orderly end (close after the
 * reply is flushed, then a short lingering read so the peer sees the reply
 * instead of a reset). On a TLS listener the bytes go through OpenSSL and
 * the close sends close_notify first; a protocol sees the same bytes.
 * allowed_ips is checked here, before a byte is read or written.
 * A connection is never freed inside a frame that will touch it again:
 * conn_abort marks it and the outermost callback frees it (Redis's
 * freeClientAsync).
 */
#ifndef SIFT_DAEMON_CONN_H
#define SIFT_DAEMON_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "core/buf.h"

struct conn;
struct worker;

/* What a worker type does with its connections (one row of worker_types[]). */
struct conn_proto {
    size_t state_size;                                 /* per-connection state, zeroed */
    void (*open)(struct conn *c);                      /* set up the state */
    void (*data)(struct conn *c, struct evbuffer *in); /* bytes arrived */
    void (*eof)(struct conn *c, struct evbuffer *in);  /* the peer closed its side */
    void (*timeout)(struct conn *c, bool idle);        /* no bytes for idle/read_timeout */
    void (*close)(struct conn *c);                     /* release the state */
    const void *arg;                                   /* the type's own data (a route table) */
};

enum conn_phase {
    CONN_IDLE,    /* waiting for a request: idle_timeout */
    CONN_READING, /* a request is arriving: read_timeout */
    CONN_BUSY,    /* the request is being served; input is not read */
    CONN_CLOSING, /* flushing the last reply */
    CONN_LINGER,  /* reply sent and write side shut: draining input briefly */
};

struct conn {
    struct worker *w;
    struct bufferevent *bev;
    enum conn_phase phase;
    char tag[8];     /* random, in every log line about this connection */
    char peer[64];   /* "127.0.0.1:52100", "[::1]:52100", "unix" */
    char addr[48];   /* "127.0.0.1", "::1"; a Unix socket's peer is local: "127.0.0.1" */
    void *state;     /* the protocol's, proto->state_size bytes */
    unsigned served; /* requests answered */
    unsigned depth;  /* callbacks on the stack */
    bool tls;        /* accepted on a TLS listener */
    bool tls_open;   /* the handshake completed */
    bool dead;       /* free when depth drops to zero */
    bool released;   /* answered: no longer counted against max_conns */
    struct conn *prev, *next;
};

/* A listener accepted fd (non-blocking); tls: it is one of the worker's
 * TLS listeners. Takes ownership of fd. A TCP peer outside allowed_ips is
 * logged and closed at once. */
void conn_accept(struct worker *w, int fd, const struct sockaddr *sa, socklen_t salen, bool tls);

/* Queue reply bytes. */
void conn_write(struct conn *c, const void *p, size_t n);
/* A request began arriving: read_timeout applies from now. */
void conn_reading(struct conn *c);
/* The request is complete and being served: stop reading until conn_done. */
void conn_busy(struct conn *c);
/* The reply is queued. keep_alive: wait for another request (unless the
 * worker is stopping); else close once it is flushed. */
void conn_done(struct conn *c, bool keep_alive);
/* Around a callback that comes from elsewhere than the connection (an
 * upstream's answer) and touches it: a conn_abort in between frees it only
 * at the release, so it stays valid until then. */
void conn_hold(struct conn *c);
void conn_release(struct conn *c);
/* Drop the connection now (a broken peer, a fatal error). */
void conn_abort(struct conn *c);
/* Worker shutdown: finish the current request, then close. An idle
 * connection that has not sent its first request yet gets a moment to send
 * it (it may have been accepted just before the stop); others close now. */
void conn_shutdown(struct conn *c);

#endif
