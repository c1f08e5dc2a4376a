/*
 * proto_http_response.h - HTTP/1.x responses as a client reads them (RFC
 * 9112): what the proxy worker's upstream scanners answer to /checkv2,
 * /check... and to the /ping health checks. Pure and incremental like the
 * request parser (proto_http.h): bytes in, a response out; no I/O.
 *
 * Usage: http_response_init (head_request: the request was HEAD, so no
 * body follows whatever the head says); http_response_feed the bytes
 * received (*used says how many were consumed; keep the rest);
 * http_response_eof when the server closes (a body delimited by the close
 * ends there). PROTO_DONE: status, reason, headers and the de-chunked body
 * are filled; interim 1xx responses were skipped. PROTO_ERROR: err says
 * why in a sentence. Every size is bounded by struct http_limits; views
 * point into the parser's storage and stay valid until http_response_clear.
 */
#ifndef SIFT_PROTO_PROTO_HTTP_RESPONSE_H
#define SIFT_PROTO_PROTO_HTTP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/strv.h"
#include "proto/proto.h"
#include "proto/proto_http.h"

enum http_rstate {
    HTTP_RS_HEAD,       /* status line and header lines */
    HTTP_RS_BODY,       /* Content-Length bytes */
    HTTP_RS_CHUNK_SIZE, /* chunk-size line */
    HTTP_RS_CHUNK_DATA,
    HTTP_RS_CHUNK_CRLF,
    HTTP_RS_TRAILERS,
    HTTP_RS_BODY_EOF, /* no framing: the body ends when the server closes */
    HTTP_RS_DONE,
    HTTP_RS_ERROR,
};

struct http_response {
    unsigned version_minor; /* HTTP/1.x */
    int status;             /* 100..999 */
    struct strv reason;     /* may be empty */
    struct http_header *headers;
    size_t nheaders;
    bool chunked;    /* the body came with Transfer-Encoding: chunked */
    bool has_length; /* Content-Length was given */
    size_t content_length;
    bool keep_alive; /* the server keeps the connection open */
    struct buf body; /* de-chunked */
};

struct http_response_parser {
    enum http_rstate state;
    struct http_limits lim;
    bool head_request;
    struct http_response resp;
    struct buf head;    /* the raw head of the response being read */
    size_t nlines;      /* header lines in head (the status line not counted) */
    size_t headers_cap; /* of resp.headers */
    size_t chunk_left;
    size_t ntrailers;
    char err[256]; /* PROTO_ERROR: why */
};

void http_response_init(struct http_response_parser *rp, const struct http_limits *lim,
                        bool head_request);
void http_response_clear(struct http_response_parser *rp);
enum proto_status http_response_feed(struct http_response_parser *rp, const char *buf, size_t len,
                                     size_t *used);
/* The server closed the connection: complete a body read to EOF, or fail. */
enum proto_status http_response_eof(struct http_response_parser *rp);

/* First header with this name (ASCII case-insensitive), or NULL. */
const struct strv *http_response_header(const struct http_response *resp, const char *name);

/* Hop-by-hop headers (RFC 9110 7.6.1) and the framing ones a proxy
 * recomputes: Connection, Keep-Alive, Transfer-Encoding, Content-Length,
 * TE, Trailer, Upgrade, Proxy-Connection. A relay drops them. */
bool http_hop_by_hop(struct strv name);

#endif
