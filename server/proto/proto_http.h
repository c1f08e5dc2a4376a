/*
 * proto_http.h - HTTP/1.x requests and replies for the normal, controller
 * and proxy workers (spec/rspamd-http-protocol.md), and rspamd's legacy
 * one-line protocols on the same port ("CHECK RSPAMC/1.3", "SYMBOLS
 * SPAMC/1.2", section 7 of that spec), which look like HTTP with another
 * protocol name.
 *
 * Usage: http_parser_init; http_feed the bytes received (*used says how
 * many were consumed; keep the rest); http_eof when the peer closes.
 * PROTO_DONE: hp->req is complete (body de-chunked). PROTO_ERROR:
 * hp->err_status and hp->err_reason say what to answer (400, 413, ...).
 * After DONE, http_parser_reset readies the parser for the next request on
 * a kept-alive connection. Views in hp->req point into the parser's own
 * storage and stay valid until the next reset or clear.
 */
#ifndef SIFT_PROTO_PROTO_HTTP_H
#define SIFT_PROTO_PROTO_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/buf.h"
#include "core/strv.h"
#include "proto/proto.h"

enum http_method {
    HTTP_GET,
    HTTP_HEAD,
    HTTP_POST,
    HTTP_PUT,
    HTTP_DELETE,
    HTTP_OPTIONS,
    HTTP_OTHER, /* any other token; see req.method_name (legacy methods too) */
};

struct http_limits {
    size_t max_body;      /* largest body (after de-chunking), in bytes: 413 past it */
    size_t line_max;      /* longest request line or header line: 414 / 431 */
    unsigned max_headers; /* most header fields: 431 past it */
};

struct http_header {
    struct strv name;
    struct strv value; /* without surrounding spaces and tabs */
};

struct http_request {
    enum http_method method;
    struct strv method_name; /* as sent: "POST", "CHECK" */
    struct strv target;      /* request-target as sent: "/checkv2?ip=1.2.3.4" */
    struct strv path;        /* target up to '?' */
    struct strv query;       /* after '?', empty if none */
    unsigned version_major;  /* 1 for HTTP/1.x; the legacy protocol's version otherwise */
    unsigned version_minor;
    bool legacy;              /* "METHOD RSPAMC/x.y" or "METHOD SPAMC/x.y" request line */
    struct strv legacy_proto; /* legacy: "RSPAMC" or "SPAMC" */
    struct http_header *headers;
    size_t nheaders;
    bool keep_alive; /* the client allows another request on this connection */
    bool chunked;    /* the body came with Transfer-Encoding: chunked */
    bool has_length; /* Content-Length (legacy: Content-length) was given */
    size_t content_length;
    bool expect_continue; /* Expect: 100-continue */
    struct buf body;      /* the body, de-chunked */
};

enum http_pstate {
    HTTP_PS_REQUEST,
    HTTP_PS_HEADERS,
    HTTP_PS_BODY,       /* Content-Length bytes */
    HTTP_PS_CHUNK_SIZE, /* chunk-size line */
    HTTP_PS_CHUNK_DATA,
    HTTP_PS_CHUNK_CRLF, /* the CRLF after a chunk's data */
    HTTP_PS_TRAILERS,
    HTTP_PS_BODY_EOF, /* legacy request without a length: body until the peer closes */
    HTTP_PS_DONE,
    HTTP_PS_ERROR,
};

struct http_parser {
    enum http_pstate state;
    struct http_limits lim;
    struct http_request req;
    bool head_done;    /* the header block is complete (the time to send 100 Continue) */
    size_t chunk_left; /* bytes left in the current chunk */
    size_t ntrailers;  /* trailer fields seen (they count against max_headers) */
    bool partial_line; /* part of a request line arrived: EOF now is a broken request */
    struct buf head;   /* raw request line and headers; the req views point here */
    size_t headers_cap;
    int err_status;       /* PROTO_ERROR: HTTP status to answer */
    char err_reason[256]; /* PROTO_ERROR: reason phrase / text body */
};

void http_parser_init(struct http_parser *hp, const struct http_limits *lim);
void http_parser_clear(struct http_parser *hp);
void http_parser_reset(struct http_parser *hp);
enum proto_status http_feed(struct http_parser *hp, const char *buf, size_t len, size_t *used);
/* The peer closed its side: complete a read-to-EOF legacy body or fail. */
enum proto_status http_eof(struct http_parser *hp);

/* First header with this name (ASCII case-insensitive), or NULL. */
const struct strv *http_header_get(const struct http_request *req, const char *name);

/* How http_query_param matches a name. */
enum http_query_flags {
    HTTP_QUERY_NOCASE = 1 << 0, /* ASCII case-insensitively (rspamd's scan API: ?ip= or ?IP=) */
    HTTP_QUERY_BARE = 1 << 1,   /* a name without '=' ("?milter&...") too, its value empty */
};

/* The value of the first parameter `name` (which holds no '=') in a query
 * string ("a=1&b=x%20y": req->query), as sent: still %-encoded, a view into
 * query. flags: HTTP_QUERY_*; 0 matches "name=..." byte for byte. False when
 * no parameter matches. */
bool http_query_param(struct strv query, const char *name, unsigned flags, struct strv *value);
/* Decode a query value into out[0..cap) (cap > 0): '+' is a space, %XX its
 * byte, a broken escape stays as it is. Truncated to cap - 1 bytes and
 * NUL-terminated (a %00 in the value ends it early for C-string readers);
 * returns the bytes written. v.len + 1 bytes always fit. */
size_t http_query_decode(struct strv v, char *out, size_t cap);

struct http_reply {
    int status;               /* 200 */
    const char *reason;       /* "OK"; NULL: the standard phrase for status */
    const char *content_type; /* NULL: no Content-Type header */
    const char *body;
    size_t body_len;
    const char *extra_headers; /* "Name: value\r\n" lines to add, or NULL */
    bool keep_alive;           /* Connection: keep-alive, else Connection: close */
    bool head_only;            /* a HEAD request: Content-Length of the body, no body */
    time_t date;               /* for the Date header */
    const char *server;        /* Server header value, e.g. "sift/0.1.0" */
};

/* Status line, Date, Server, Connection, Content-Length, Content-Type,
 * extra headers, empty line, body (HTTP/1.1). */
void http_render_reply(const struct http_reply *rep, struct buf *out);
/* The standard reason phrase ("Not Found"), or "Unknown". */
const char *http_status_reason(int status);

#endif
