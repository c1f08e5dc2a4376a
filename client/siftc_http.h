/*
 * siftc_http.h - siftc's HTTP/1.1 client: one request per connection
 * (Connection: close), driven by the caller's poll() so that several run
 * at once. The reply is read by the library's parser
 * (proto/proto_http_response.h); siftc adds rspamd's 204 with a body, a
 * cap on the reply head, its own words for a reply it cannot read, and
 * zstd bodies (proto/proto_rspamd.h) undone.
 *
 * The reply reader is pure (bytes in, a reply out) and has unit tests;
 * the connection functions do the I/O. Nothing here prints.
 */
#ifndef SIFTC_HTTP_H
#define SIFTC_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "core/buf.h"
#include "core/err.h"
#include "proto/proto.h"
#include "proto/proto_http_response.h"

#define SIFTC_REPLY_MAX_HEADERS 100
#define SIFTC_REPLY_MAX_HEAD    (64 * 1024)        /* status line and headers */
#define SIFTC_REPLY_MAX_BODY    (64 * 1024 * 1024) /* after de-chunking and after zstd */

/* Where to connect: a Unix socket or the addresses of one host and port. */
struct siftc_addr {
    const char *text; /* as given: "127.0.0.1:11333", "[::1]:11334", "/run/sift.sock" */
    char host_hdr[300];
    bool is_unix;
    char path[108];
    struct addrinfo *ai; /* TCP: every address, tried in order */
};

/* Parse and resolve text (bind_spec syntax); on -1 err says why. */
int siftc_addr_resolve(const char *text, struct siftc_addr *a, struct sift_err *err);
void siftc_addr_clear(struct siftc_addr *a);

/* A reply as siftc reads it. */
struct siftc_reply {
    struct http_response_parser rp; /* rp.resp: the reply, once PROTO_DONE */
    struct buf pend;                /* bytes received that rp has not taken yet */
};

void siftc_reply_init(struct siftc_reply *r);
/* Free what r holds; r is then empty, as after siftc_reply_init. */
void siftc_reply_clear(struct siftc_reply *r);
/* Take p[0..len), received. PROTO_MORE: not complete yet; PROTO_DONE:
 * r->rp.resp holds it (1xx replies skipped, bytes past the body ignored,
 * the reason without surrounding blanks); PROTO_ERROR: err says what is
 * wrong, in the words siftc prints. */
enum proto_status siftc_reply_feed(struct siftc_reply *r, const char *p, size_t len,
                                   struct sift_err *err);
/* The server closed the connection: complete a body read to the close (or
 * rspamd's short 204 body), or fail. */
enum proto_status siftc_reply_eof(struct siftc_reply *r, struct sift_err *err);
/* Undo Content-Encoding/Compression: zstd in place. 0, or -1 with err. */
int siftc_reply_decode(struct siftc_reply *r, struct sift_err *err);

/* rspamd_zstd_decompress (proto_rspamd.h), its failures in siftc's words
 * ("zstd: ..."): at most max bytes into out (replacing it). 0, or -1. */
int siftc_zstd_decompress(const char *src, size_t len, size_t max, struct buf *out,
                          struct sift_err *err);

/* The request head: "METHOD PATH HTTP/1.1", Host, Connection: close,
 * User-Agent: siftc, Content-Length when there is a body or the method is
 * POST, then extra ("Name: value\r\n" lines) and the empty line. */
void siftc_request_head(struct buf *out, const char *method, const char *path,
                        const struct siftc_addr *a, const char *extra, size_t body_len);

enum siftc_conn_state {
    SIFTC_CONNECTING,
    SIFTC_SENDING,
    SIFTC_RECEIVING,
    SIFTC_DONE,
    SIFTC_FAILED,
};

enum siftc_fail {
    SIFTC_FAIL_NONE,
    SIFTC_FAIL_CONNECT, /* no address accepted the connection */
    SIFTC_FAIL_IO,      /* the connection broke */
    SIFTC_FAIL_TIMEOUT, /* the deadline passed */
    SIFTC_FAIL_REPLY,   /* the server's bytes are not an HTTP reply siftc can read */
};

struct siftc_conn {
    enum siftc_conn_state state;
    enum siftc_fail fail;
    struct sift_err err; /* SIFTC_FAILED: why */
    int fd;
    const struct siftc_addr *addr;
    const struct addrinfo *next_ai; /* the address to try after this one */
    struct buf req;                 /* the whole request */
    size_t sent;
    double deadline;
    struct siftc_reply rep; /* SIFTC_DONE: the reply in rep.rp.resp */
};

/* Start sending req (taken over: *req is left empty) to a; the exchange
 * must end by deadline (clock_mono seconds). May finish (fail) at once. */
void siftc_conn_start(struct siftc_conn *c, const struct siftc_addr *a, struct buf *req,
                      double deadline);
/* The poll events the connection waits for (0: finished). */
short siftc_conn_events(const struct siftc_conn *c);
/* Go on after poll said revents; checks the deadline against now. */
void siftc_conn_step(struct siftc_conn *c, short revents, double now);
void siftc_conn_clear(struct siftc_conn *c);

#endif
