/*
 * test_proto_http.c - the HTTP/1.x and legacy RSPAMC/SPAMC request parser,
 * and reply rendering. Every request case is fed whole, in two parts split
 * at every byte, and byte by byte, the way a worker feeds it (keep what
 * the parser left unconsumed, append what arrives, feed again).
 */
#include "proto/proto_http.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "../unit.h"

static const struct http_limits lim_default = { 1024 * 1024, 1024, 32 };
/* 16-byte bodies, 40-byte lines, 3 header fields */
static const struct http_limits lim_small = { 16, 40, 3 };

struct http_case {
    const char *name;
    const char *in;
    size_t len; /* 0: strlen(in) */
    bool eof;   /* http_eof after the last byte */
    enum proto_status st;
    int err;            /* PROTO_ERROR: err_status */
    const char *reason; /* PROTO_ERROR: err_reason; NULL: the standard phrase */
    enum http_method method;
    const char *method_name;
    const char *target, *path, *query; /* NULL: "" */
    unsigned vmin;                     /* HTTP/1.x minor, or the legacy version */
    unsigned vmaj;                     /* checked for legacy requests only */
    const char *legacy;                /* legacy_proto; NULL: an HTTP request */
    const char *headers;               /* "name=value\n" per field; NULL: none */
    const char *body;                  /* NULL: empty */
    size_t body_len;                   /* 0: strlen(body) */
    bool keep_alive, chunked, has_length, expect;
    const char *rest; /* PROTO_DONE: bytes left unconsumed (a pipelined request) */
    const struct http_limits *lim;
};

#define EXIM_MSG                                                                                   \
    "From MAILER-DAEMON Sun Nov  6 08:49:37 1994\n"                                                \
    "X-Envelope-From: <a@example.org>\n"                                                           \
    "X-Envelope-To: <b@example.net>\n"                                                             \
    "Subject: hi\n"                                                                                \
    "\n"                                                                                           \
    "hello\n"

/* What Exim 4.98 variant=rspamd writes (spec/exim-spam-integration.md 5.1). */
#define EXIM_REQ                                                                                   \
    "CHECK RSPAMC/1.3\r\n"                                                                         \
    "Content-length: 127\r\n"                                                                      \
    "Queue-Id: 1tXyZa-000AbC-De\r\n"                                                               \
    "From: <a@example.org>\r\n"                                                                    \
    "Recipient-Number: 1\r\n"                                                                      \
    "Rcpt: <b@example.net>\r\n"                                                                    \
    "Helo: mail.example.org\r\n"                                                                   \
    "Hostname: mail.example.org\r\n"                                                               \
    "IP: 192.0.2.1\r\n"                                                                            \
    "User: alice\r\n"                                                                              \
    "\r\n" EXIM_MSG

#define EXIM_HEADERS                                                                               \
    "Content-length=127\nQueue-Id=1tXyZa-000AbC-De\nFrom=<a@example.org>\n"                        \
    "Recipient-Number=1\nRcpt=<b@example.net>\nHelo=mail.example.org\n"                            \
    "Hostname=mail.example.org\nIP=192.0.2.1\nUser=alice\n"

#define LINE40 "GET /0123456789012345678901234 HTTP/1.1\r" /* 40 bytes before the LF */
#define LINE41 "GET /01234567890123456789012345 HTTP/1.1\r"

static const struct http_case cases[] = {
    /* requests without a body */
    { .name = "get 1.0",
      .in = "GET /ping HTTP/1.0\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_GET,
      .method_name = "GET",
      .target = "/ping",
      .path = "/ping" },
    { .name = "get 1.1",
      .in = "GET /ping HTTP/1.1\r\nHost: localhost:11333\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_GET,
      .method_name = "GET",
      .target = "/ping",
      .path = "/ping",
      .vmin = 1,
      .headers = "Host=localhost:11333\n",
      .keep_alive = true },
    { .name = "bare LF line ends",
      .in = "GET /ping HTTP/1.1\nHost: x\n\n",
      .st = PROTO_DONE,
      .method = HTTP_GET,
      .method_name = "GET",
      .target = "/ping",
      .path = "/ping",
      .vmin = 1,
      .headers = "Host=x\n",
      .keep_alive = true },
    { .name = "query",
      .in = "GET /checkv2?ip=1.2.3.4&from=a@b HTTP/1.1\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_GET,
      .method_name = "GET",
      .target = "/checkv2?ip=1.2.3.4&from=a@b",
      .path = "/checkv2",
      .query = "ip=1.2.3.4&from=a@b",
      .vmin = 1,
      .keep_alive = true },
    { .name = "empty query",
      .in = "GET /stat? HTTP/1.1\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_GET,
      .method_name = "GET",
      .target = "/stat?",
      .path = "/stat",
      .vmin = 1,
      .keep_alive = true },
    { .name = "header values trimmed, names kept as sent",
      .in = "HEAD / HTTP/1.1\r\nIP:\t 1.2.3.4 \t\r\nx-A_b.c!#: v  w\r\nEmpty:\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_HEAD,
      .method_name = "HEAD",
      .target = "/",
      .path = "/",
      .vmin = 1,
      .headers = "IP=1.2.3.4\nx-A_b.c!#=v  w\nEmpty=\n",
      .keep_alive = true },
    { .name = "other method",
      .in = "PATCH /x HTTP/1.1\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_OTHER,
      .method_name = "PATCH",
      .target = "/x",
      .path = "/x",
      .vmin = 1,
      .keep_alive = true },
    { .name = "methods are case-sensitive",
      .in = "get / HTTP/1.1\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_OTHER,
      .method_name = "get",
      .target = "/",
      .path = "/",
      .vmin = 1,
      .keep_alive = true },
    { .name = "put delete",
      .in = "DELETE /a HTTP/1.1\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_DELETE,
      .method_name = "DELETE",
      .target = "/a",
      .path = "/a",
      .vmin = 1,
      .keep_alive = true },
    { .name = "options *",
      .in = "OPTIONS * HTTP/1.1\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_OPTIONS,
      .method_name = "OPTIONS",
      .target = "*",
      .path = "*",
      .vmin = 1,
      .keep_alive = true },
    { .name = "absolute-form",
      .in = "GET http://example.com/x?y=1 HTTP/1.1\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_GET,
      .method_name = "GET",
      .target = "http://example.com/x?y=1",
      .path = "http://example.com/x",
      .query = "y=1",
      .vmin = 1,
      .keep_alive = true },
    { .name = "leading empty lines skipped",
      .in = "\r\n\r\n\n\nGET / HTTP/1.1\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_GET,
      .method_name = "GET",
      .target = "/",
      .path = "/",
      .vmin = 1,
      .keep_alive = true },
    { .name = "HTTP/1.2 is served as 1.1 (RFC 9110 2.5)",
      .in = "GET / HTTP/1.2\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_GET,
      .method_name = "GET",
      .target = "/",
      .path = "/",
      .vmin = 2,
      .keep_alive = true },

    /* keep-alive and Expect */
    { .name = "1.0 keep-alive",
      .in = "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_GET,
      .method_name = "GET",
      .target = "/",
      .path = "/",
      .headers = "Connection=Keep-Alive\n",
      .keep_alive = true },
    { .name = "1.0 keep-alive and close",
      .in = "GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: foo, close\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_GET,
      .method_name = "GET",
      .target = "/",
      .path = "/",
      .headers = "Connection=keep-alive\nConnection=foo, close\n" },
    { .name = "1.1 close in a list",
      .in = "GET / HTTP/1.1\r\nConnection: Upgrade ,CLOSE\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_GET,
      .method_name = "GET",
      .target = "/",
      .path = "/",
      .vmin = 1,
      .headers = "Connection=Upgrade ,CLOSE\n" },
    { .name = "1.1 closed-not-close is no close",
      .in = "GET / HTTP/1.1\r\nConnection: closed\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_GET,
      .method_name = "GET",
      .target = "/",
      .path = "/",
      .vmin = 1,
      .headers = "Connection=closed\n",
      .keep_alive = true },
    { .name = "expect 100-continue",
      .in = "POST /checkv2 HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nhi",
      .st = PROTO_DONE,
      .method = HTTP_POST,
      .method_name = "POST",
      .target = "/checkv2",
      .path = "/checkv2",
      .vmin = 1,
      .headers = "Expect=100-Continue\nContent-Length=2\n",
      .body = "hi",
      .keep_alive = true,
      .has_length = true,
      .expect = true },
    { .name = "expect ignored on 1.0",
      .in = "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
      .st = PROTO_DONE,
      .method = HTTP_POST,
      .method_name = "POST",
      .target = "/",
      .path = "/",
      .headers = "Expect=100-continue\nContent-Length=2\n",
      .body = "hi",
      .has_length = true },

    /* Content-Length bodies */
    { .name = "post content-length",
      .in = "POST /checkv2 HTTP/1.1\r\nContent-Length: 12\r\nIP: 1.2.3.4\r\n\r\nhello\r\nworld",
      .st = PROTO_DONE,
      .method = HTTP_POST,
      .method_name = "POST",
      .target = "/checkv2",
      .path = "/checkv2",
      .vmin = 1,
      .headers = "Content-Length=12\nIP=1.2.3.4\n",
      .body = "hello\r\nworld",
      .keep_alive = true,
      .has_length = true },
    { .name = "content-length 0",
      .in = "POST /learnham HTTP/1.1\r\ncontent-length: 0\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_POST,
      .method_name = "POST",
      .target = "/learnham",
      .path = "/learnham",
      .vmin = 1,
      .headers = "content-length=0\n",
      .keep_alive = true,
      .has_length = true },
    { .name = "repeated equal content-length",
      .in = "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 003\r\n\r\nabc",
      .st = PROTO_DONE,
      .method = HTTP_POST,
      .method_name = "POST",
      .target = "/",
      .path = "/",
      .vmin = 1,
      .headers = "Content-Length=3\nContent-Length=003\n",
      .body = "abc",
      .keep_alive = true,
      .has_length = true },
    { .name = "body of exactly max_body",
      .in = "POST / HTTP/1.1\r\nContent-Length: 16\r\n\r\n0123456789abcdef",
      .st = PROTO_DONE,
      .method = HTTP_POST,
      .method_name = "POST",
      .target = "/",
      .path = "/",
      .vmin = 1,
      .headers = "Content-Length=16\n",
      .body = "0123456789abcdef",
      .keep_alive = true,
      .has_length = true,
      .lim = &lim_small },
    { .name = "binary body",
      .in = "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n\n\0\r",
      .len = sizeof("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n\n\0\r") - 1,
      .st = PROTO_DONE,
      .method = HTTP_POST,
      .method_name = "POST",
      .target = "/",
      .path = "/",
      .vmin = 1,
      .headers = "Content-Length=3\n",
      .body = "\n\0\r",
      .body_len = 3,
      .keep_alive = true,
      .has_length = true },

    /* chunked bodies */
    { .name = "chunked with extensions and trailers",
      .in = "POST /checkv2 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            "5;name=value\r\nhello\r\n"
            "6 ; x\r\n world\r\n"
            "A\r\n0123456789\r\n"
            "0;last\r\nX-Trailer: yes\r\nX-Other: 1\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_POST,
      .method_name = "POST",
      .target = "/checkv2",
      .path = "/checkv2",
      .vmin = 1,
      .headers = "Transfer-Encoding=chunked\n",
      .body = "hello world0123456789",
      .keep_alive = true,
      .chunked = true },
    { .name = "chunked with bare LFs, no trailers",
      .in = "POST / HTTP/1.1\nTransfer-Encoding: Chunked\n\n3\nabc\nb\n0123456789a\n0\n\n",
      .st = PROTO_DONE,
      .method = HTTP_POST,
      .method_name = "POST",
      .target = "/",
      .path = "/",
      .vmin = 1,
      .headers = "Transfer-Encoding=Chunked\n",
      .body = "abc0123456789a",
      .keep_alive = true,
      .chunked = true },
    { .name = "chunked list with empty elements",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: , chunked,\r\n\r\n0\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_POST,
      .method_name = "POST",
      .target = "/",
      .path = "/",
      .vmin = 1,
      .headers = "Transfer-Encoding=, chunked,\n",
      .keep_alive = true,
      .chunked = true },
    { .name = "chunked body of exactly max_body",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n01234567\r\n"
            "0008\r\n89abcdef\r\n0\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_POST,
      .method_name = "POST",
      .target = "/",
      .path = "/",
      .vmin = 1,
      .headers = "Transfer-Encoding=chunked\n",
      .body = "0123456789abcdef",
      .keep_alive = true,
      .chunked = true,
      .lim = &lim_small },
    { .name = "trailers count with headers up to max_headers",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_POST,
      .method_name = "POST",
      .target = "/",
      .path = "/",
      .vmin = 1,
      .headers = "Transfer-Encoding=chunked\n",
      .keep_alive = true,
      .chunked = true,
      .lim = &lim_small },

    /* pipelining: the next request stays with the caller */
    { .name = "pipelined get",
      .in = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_GET,
      .method_name = "GET",
      .target = "/a",
      .path = "/a",
      .vmin = 1,
      .keep_alive = true,
      .rest = "GET /b HTTP/1.1\r\n\r\n" },
    { .name = "pipelined after a body",
      .in = "POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\nxyGET /b HTTP/1.1\r\n",
      .st = PROTO_DONE,
      .method = HTTP_POST,
      .method_name = "POST",
      .target = "/a",
      .path = "/a",
      .vmin = 1,
      .headers = "Content-Length=2\n",
      .body = "xy",
      .keep_alive = true,
      .has_length = true,
      .rest = "GET /b HTTP/1.1\r\n" },
    { .name = "pipelined after chunks",
      .in = "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\nGET /b",
      .st = PROTO_DONE,
      .method = HTTP_POST,
      .method_name = "POST",
      .target = "/a",
      .path = "/a",
      .vmin = 1,
      .headers = "Transfer-Encoding=chunked\n",
      .body = "z",
      .keep_alive = true,
      .chunked = true,
      .rest = "GET /b" },

    /* limits that are just met */
    { .name = "request line of exactly line_max",
      .in = LINE40 "\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_GET,
      .method_name = "GET",
      .target = "/0123456789012345678901234",
      .path = "/0123456789012345678901234",
      .vmin = 1,
      .keep_alive = true,
      .lim = &lim_small },
    { .name = "header line of exactly line_max",
      .in = "GET / HTTP/1.1\r\nX: 345678901234567890123456789012345678\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_GET,
      .method_name = "GET",
      .target = "/",
      .path = "/",
      .vmin = 1,
      .headers = "X=345678901234567890123456789012345678\n",
      .keep_alive = true,
      .lim = &lim_small },
    { .name = "exactly max_headers",
      .in = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
      .st = PROTO_DONE,
      .method = HTTP_GET,
      .method_name = "GET",
      .target = "/",
      .path = "/",
      .vmin = 1,
      .headers = "A=1\nB=2\nC=3\n",
      .keep_alive = true,
      .lim = &lim_small },

    /* legacy line protocols (spec/rspamd-http-protocol.md section 7) */
    { .name = "exim variant=rspamd",
      .in = EXIM_REQ,
      .st = PROTO_DONE,
      .method = HTTP_OTHER,
      .method_name = "CHECK",
      .vmaj = 1,
      .vmin = 3,
      .legacy = "RSPAMC",
      .headers = EXIM_HEADERS,
      .body = EXIM_MSG,
      .has_length = true },
    { .name = "symbols spamc",
      .in = "SYMBOLS SPAMC/1.2\r\nContent-length: 5\r\nUser: bob\r\n\r\nhello",
      .st = PROTO_DONE,
      .method = HTTP_OTHER,
      .method_name = "SYMBOLS",
      .vmaj = 1,
      .vmin = 2,
      .legacy = "SPAMC",
      .headers = "Content-length=5\nUser=bob\n",
      .body = "hello",
      .has_length = true },
    { .name = "legacy keep-alive is ignored",
      .in = "CHECK RSPAMC/1.3\nConnection: keep-alive\nCONTENT-LENGTH: 0\n\n",
      .st = PROTO_DONE,
      .method = HTTP_OTHER,
      .method_name = "CHECK",
      .vmaj = 1,
      .vmin = 3,
      .legacy = "RSPAMC",
      .headers = "Connection=keep-alive\nCONTENT-LENGTH=0\n",
      .has_length = true },
    { .name = "legacy transfer-encoding is just a header",
      .in = "CHECK RSPAMC/1.3\r\nTransfer-Encoding: chunked\r\nContent-length: 1\r\n\r\nx",
      .st = PROTO_DONE,
      .method = HTTP_OTHER,
      .method_name = "CHECK",
      .vmaj = 1,
      .vmin = 3,
      .legacy = "RSPAMC",
      .headers = "Transfer-Encoding=chunked\nContent-length=1\n",
      .body = "x",
      .has_length = true },
    { .name = "legacy body to EOF",
      .in = "CHECK RSPAMC/1.3\r\nIP: 192.0.2.1\r\n\r\nSubject: x\n\nbody\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = HTTP_OTHER,
      .method_name = "CHECK",
      .vmaj = 1,
      .vmin = 3,
      .legacy = "RSPAMC",
      .headers = "IP=192.0.2.1\n",
      .body = "Subject: x\n\nbody\n" },
    { .name = "legacy without version, empty body to EOF",
      .in = "PROCESS SPAMC\r\n\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = HTTP_OTHER,
      .method_name = "PROCESS",
      .legacy = "SPAMC" },
    { .name = "legacy major version only",
      .in = "SYMBOLS RSPAMC/2\r\n\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = HTTP_OTHER,
      .method_name = "SYMBOLS",
      .vmaj = 2,
      .legacy = "RSPAMC" },
    { .name = "legacy body to EOF of exactly max_body",
      .in = "CHECK RSPAMC/1.3\r\n\r\n0123456789abcdef",
      .eof = true,
      .st = PROTO_DONE,
      .method = HTTP_OTHER,
      .method_name = "CHECK",
      .vmaj = 1,
      .vmin = 3,
      .legacy = "RSPAMC",
      .body = "0123456789abcdef",
      .lim = &lim_small },

    /* waiting for more */
    { .name = "nothing yet", .in = "", .st = PROTO_MORE },
    { .name = "head without its end", .in = "GET / HTTP/1.1\r\nHost: x\r\n", .st = PROTO_MORE },
    { .name = "legacy body waits for EOF", .in = "CHECK RSPAMC/1.3\r\n\r\nabc", .st = PROTO_MORE },
    { .name = "chunk CR waits for its LF",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r",
      .st = PROTO_MORE },

    /* the end of input */
    { .name = "eof before any byte",
      .in = "",
      .eof = true,
      .st = PROTO_ERROR,
      .err = 0,
      .reason = "" },
    { .name = "eof after empty lines",
      .in = "\r\n\n",
      .eof = true,
      .st = PROTO_ERROR,
      .err = 0,
      .reason = "" },
    { .name = "eof in the request line",
      .in = "GET / HT",
      .eof = true,
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "eof after a lone CR", .in = "\r", .eof = true, .st = PROTO_ERROR, .err = 400 },
    { .name = "eof in the headers",
      .in = "GET / HTTP/1.1\r\nHost: x",
      .eof = true,
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "eof in a body",
      .in = "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab",
      .eof = true,
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "eof in chunks",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
      .eof = true,
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "eof in a legacy content-length body",
      .in = "CHECK RSPAMC/1.3\r\nContent-length: 5\r\n\r\nab",
      .eof = true,
      .st = PROTO_ERROR,
      .err = 400 },

    /* 400: malformed request lines */
    { .name = "garbage", .in = "hello\r\n", .st = PROTO_ERROR, .err = 400 },
    { .name = "HTTP/0.9 simple request", .in = "GET /\r\n", .st = PROTO_ERROR, .err = 400 },
    { .name = "double space", .in = "GET  / HTTP/1.1\r\n", .st = PROTO_ERROR, .err = 400 },
    { .name = "leading space", .in = " GET / HTTP/1.1\r\n", .st = PROTO_ERROR, .err = 400 },
    { .name = "trailing space", .in = "GET / HTTP/1.1 \r\n", .st = PROTO_ERROR, .err = 400 },
    { .name = "four words", .in = "GET / HTTP/1.1 x\r\n", .st = PROTO_ERROR, .err = 400 },
    { .name = "lower-case version", .in = "GET / http/1.1\r\n", .st = PROTO_ERROR, .err = 400 },
    { .name = "two-digit minor", .in = "GET / HTTP/1.10\r\n", .st = PROTO_ERROR, .err = 400 },
    { .name = "bad method token", .in = "G(T / HTTP/1.1\r\n", .st = PROTO_ERROR, .err = 400 },
    { .name = "relative target", .in = "GET foo HTTP/1.1\r\n", .st = PROTO_ERROR, .err = 400 },
    { .name = "* without OPTIONS", .in = "GET * HTTP/1.1\r\n", .st = PROTO_ERROR, .err = 400 },
    { .name = "control byte in target",
      .in = "GET /a\tb HTTP/1.1\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "CR inside the line", .in = "GET / HTTP/1.1\rX\r\n", .st = PROTO_ERROR, .err = 400 },
    { .name = "legacy with a target",
      .in = "CHECK / RSPAMC/1.3\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "legacy bad version", .in = "CHECK RSPAMC/x\r\n", .st = PROTO_ERROR, .err = 400 },
    { .name = "legacy long version",
      .in = "CHECK RSPAMC/1.3.4\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "legacy empty version", .in = "CHECK SPAMC/\r\n", .st = PROTO_ERROR, .err = 400 },
    { .name = "legacy empty minor", .in = "CHECK SPAMC/1.\r\n", .st = PROTO_ERROR, .err = 400 },
    { .name = "legacy version too long",
      .in = "CHECK SPAMC/10000\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "legacy other protocol", .in = "CHECK SMTP/1.0\r\n", .st = PROTO_ERROR, .err = 400 },
    { .name = "too many empty lines",
      .in = "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n",
      .st = PROTO_ERROR,
      .err = 400 },

    /* 505 */
    { .name = "HTTP/2.0", .in = "GET / HTTP/2.0\r\n\r\n", .st = PROTO_ERROR, .err = 505 },
    { .name = "HTTP/0.9", .in = "GET / HTTP/0.9\r\n\r\n", .st = PROTO_ERROR, .err = 505 },
    { .name = "h2 preface",
      .in = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 505 },

    /* 400: malformed header fields */
    { .name = "no colon", .in = "GET / HTTP/1.1\r\nHost\r\n\r\n", .st = PROTO_ERROR, .err = 400 },
    { .name = "space before colon",
      .in = "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "empty name", .in = "GET / HTTP/1.1\r\n: x\r\n\r\n", .st = PROTO_ERROR, .err = 400 },
    { .name = "obs-fold",
      .in = "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "obs-fold with tab",
      .in = "GET / HTTP/1.1\r\nA: b\r\n\tc\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "whitespace before the first field",
      .in = "GET / HTTP/1.1\r\n A: b\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "CR in a value",
      .in = "GET / HTTP/1.1\r\nA: b\rc\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "NUL in a value",
      .in = "GET / HTTP/1.1\r\nA: b\0c\r\n\r\n",
      .len = sizeof("GET / HTTP/1.1\r\nA: b\0c\r\n\r\n") - 1,
      .st = PROTO_ERROR,
      .err = 400 },

    /* body framing errors (RFC 9112 6) */
    { .name = "transfer-encoding gzip only",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "transfer-encoding gzip, chunked",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 501 },
    { .name = "transfer-encoding over two fields",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 501 },
    { .name = "chunked twice",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "chunked not last",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "empty transfer-encoding",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "transfer-encoding and content-length",
      .in = "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "content-length not digits",
      .in = "POST / HTTP/1.1\r\nContent-Length: 1a\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "content-length negative",
      .in = "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "content-length list",
      .in = "POST / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\nx",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "content-length empty",
      .in = "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "content-length repeated with another value",
      .in = "POST / HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 2\r\n\r\nxy",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "legacy content-length not digits",
      .in = "CHECK RSPAMC/1.3\r\nContent-length: five\r\n\r\nhello",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "bad chunk size",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "empty chunk size",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "chunk size with junk",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "no CRLF after chunk data",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "CR then junk after chunk data",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\rX",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "obs-fold in trailers",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: b\r\n c\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "bad trailer field",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nnot a field\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 400 },
    { .name = "chunk-size line over line_max",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            "1;0123456789012345678901234567890123456789\r\nx\r\n0\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 400,
      .lim = &lim_small },

    /* 413 */
    { .name = "content-length over max_body",
      .in = "POST / HTTP/1.1\r\nContent-Length: 17\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 413,
      .reason = "Request entity too large: 17",
      .lim = &lim_small },
    { .name = "content-length past size_t",
      .in = "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 413,
      .reason = "Request entity too large: 99999999999999999999999" },
    { .name = "legacy content-length over max_body",
      .in = "CHECK RSPAMC/1.3\r\nContent-length: 100\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 413,
      .reason = "Request entity too large: 100",
      .lim = &lim_small },
    { .name = "one chunk over max_body",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n11\r\n",
      .st = PROTO_ERROR,
      .err = 413,
      .reason = "Request entity too large",
      .lim = &lim_small },
    { .name = "chunks add up over max_body",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            "a\r\n0123456789\r\n7\r\n0123456\r\n0\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 413,
      .reason = "Request entity too large",
      .lim = &lim_small },
    { .name = "chunk size past size_t",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\n",
      .st = PROTO_ERROR,
      .err = 413,
      .reason = "Request entity too large" },
    { .name = "legacy body to EOF over max_body",
      .in = "CHECK RSPAMC/1.3\r\n\r\n0123456789abcdefX",
      .eof = true,
      .st = PROTO_ERROR,
      .err = 413,
      .reason = "Request entity too large",
      .lim = &lim_small },

    /* 414 and 431 */
    { .name = "request line over line_max",
      .in = LINE41 "\n\r\n",
      .st = PROTO_ERROR,
      .err = 414,
      .lim = &lim_small },
    { .name = "request line over line_max, no LF yet",
      .in = LINE41,
      .st = PROTO_ERROR,
      .err = 414,
      .lim = &lim_small },
    { .name = "header line over line_max",
      .in = "GET / HTTP/1.1\r\nX: 3456789012345678901234567890123456789\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 431,
      .lim = &lim_small },
    { .name = "header line over line_max, no LF yet",
      .in = "GET / HTTP/1.1\r\nX: 34567890123456789012345678901234567890",
      .st = PROTO_ERROR,
      .err = 431,
      .lim = &lim_small },
    { .name = "legacy header line over line_max",
      .in = "CHECK RSPAMC/1.3\r\nX: 3456789012345678901234567890123456789\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 431,
      .lim = &lim_small },
    { .name = "trailer line over line_max",
      .in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            "0\r\nX: 3456789012345678901234567890123456789\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 431,
      .lim = &lim_small },
    { .name = "over max_headers",
      .in = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 431,
      .lim = &lim_small },
    { .name = "trailers over max_headers",
      .in =
          "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
      .st = PROTO_ERROR,
      .err = 431,
      .lim = &lim_small },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static size_t
case_len(const struct http_case *c)
{
    return c->len ? c->len : strlen(c->in);
}

static bool
sv_is(struct strv v, const char *want)
{
    return strv_eq(v, want != NULL ? want : "");
}

/*
 * Feed in[0..len) cut at cuts[0..ncuts) the way a worker does: append what
 * arrived to what the parser left, feed, drop what it used; stop at DONE
 * or ERROR. *consumed: all bytes the parser used.
 */
static enum proto_status
feed_cuts(struct http_parser *hp, const char *in, size_t len, const size_t *cuts, size_t ncuts,
          bool eof, size_t *consumed)
{
    struct buf pend;
    size_t from = 0, used;
    enum proto_status st = PROTO_MORE;

    buf_init(&pend);
    *consumed = 0;
    for (size_t i = 0; i <= ncuts && st == PROTO_MORE; i++) {
        size_t to = i < ncuts ? cuts[i] : len;
        buf_append(&pend, in + from, to - from);
        from = to;
        st = http_feed(hp, pend.p, pend.len, &used);
        ck_assert_uint_le(used, pend.len);
        buf_consume(&pend, used);
        *consumed += used;
    }
    if (st == PROTO_MORE && eof)
        st = http_eof(hp);
    buf_clear(&pend);
    return st;
}

static const char *
headers_mismatch(const struct http_request *r, const char *want)
{
    static char got[2048];
    size_t n = 0;

    got[0] = '\0';
    for (size_t i = 0; i < r->nheaders && n < sizeof(got); i++) {
        n += (size_t)snprintf(got + n, sizeof(got) - n, "%.*s=%.*s\n", (int)r->headers[i].name.len,
                              r->headers[i].name.p, (int)r->headers[i].value.len,
                              r->headers[i].value.p);
    }
    return strcmp(got, want != NULL ? want : "") == 0 ? NULL : got;
}

/* NULL if hp holds what c wants, else what differs. */
static const char *
case_mismatch(const struct http_case *c, const struct http_parser *hp, enum proto_status st,
              size_t consumed)
{
    const struct http_request *r = &hp->req;
    const char *body = c->body != NULL ? c->body : "";
    size_t body_len = c->body_len ? c->body_len : strlen(body);

    if (st != c->st)
        return "status";
    if (st == PROTO_ERROR) {
        if (hp->err_status != c->err)
            return "err_status";
        if (strcmp(hp->err_reason, c->reason ? c->reason : http_status_reason(c->err)) != 0)
            return hp->err_reason;
        return NULL;
    }
    if (st == PROTO_MORE)
        return NULL;
    if (consumed != case_len(c) - strlen(c->rest ? c->rest : ""))
        return "consumed";
    if (!hp->head_done || r->method != c->method || !sv_is(r->method_name, c->method_name))
        return "method";
    if (!sv_is(r->target, c->target) || !sv_is(r->path, c->path) || !sv_is(r->query, c->query))
        return "target";
    if (r->version_minor != c->vmin || (c->legacy == NULL ? 1 : c->vmaj) != r->version_major)
        return "version";
    if (r->legacy != (c->legacy != NULL) || !sv_is(r->legacy_proto, c->legacy))
        return "legacy";
    if (headers_mismatch(r, c->headers) != NULL)
        return headers_mismatch(r, c->headers);
    if (r->body.len != body_len || (body_len > 0 && memcmp(r->body.p, body, body_len) != 0))
        return "body";
    if (r->keep_alive != c->keep_alive || r->chunked != c->chunked)
        return "keep_alive or chunked";
    if (r->has_length != c->has_length || r->expect_continue != c->expect)
        return "has_length or expect_continue";
    return NULL;
}

static void
run_cuts(const struct http_case *c, const size_t *cuts, size_t ncuts, const char *how)
{
    struct http_parser hp;
    size_t consumed;
    enum proto_status st;
    const char *why;

    http_parser_init(&hp, c->lim != NULL ? c->lim : &lim_default);
    st = feed_cuts(&hp, c->in, case_len(c), cuts, ncuts, c->eof, &consumed);
    why = case_mismatch(c, &hp, st, consumed);
    ck_assert_msg(why == NULL, "%s (%s): %s; status %d err %d \"%s\"", c->name, how, why, (int)st,
                  hp.err_status, hp.err_reason);
    http_parser_clear(&hp);
}

START_TEST(request_whole)
{
    run_cuts(&cases[_i], NULL, 0, "whole");
}
END_TEST

START_TEST(request_split_in_two)
{
    const struct http_case *c = &cases[_i];
    char how[32];

    for (size_t k = 0; k <= case_len(c); k++) {
        snprintf(how, sizeof(how), "split at %zu", k);
        run_cuts(c, &k, 1, how);
    }
}
END_TEST

START_TEST(request_byte_by_byte)
{
    const struct http_case *c = &cases[_i];
    size_t len = case_len(c), cuts[1024];

    ck_assert_uint_lt(len, 1024);
    for (size_t k = 0; k < len; k++)
        cuts[k] = k + 1;
    run_cuts(c, cuts, len, "byte by byte");
}
END_TEST

/* ---------------------------------------------------------------------- */

static enum proto_status
feed_str(struct http_parser *hp, const char *s, size_t *used)
{
    return http_feed(hp, s, strlen(s), used);
}

START_TEST(pipelined_requests_after_reset)
{
    const char *in = "POST /checkv2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
                     "GET /ping HTTP/1.1\r\nHost: a\r\n\r\n"
                     "\r\nGET /stat HTTP/1.0\r\n\r\n";
    struct http_parser hp;
    struct http_header *headers;
    size_t used, off = 0;

    http_parser_init(&hp, &lim_default);
    ck_assert_int_eq(feed_str(&hp, in, &used), PROTO_DONE);
    ck_assert(strv_eq(hp.req.path, "/checkv2"));
    ck_assert_uint_eq(hp.req.body.len, 3);
    ck_assert_mem_eq(hp.req.body.p, "abc", 3);
    off += used;
    headers = hp.req.headers;

    http_parser_reset(&hp);
    ck_assert_uint_eq(hp.req.nheaders, 0);
    ck_assert_uint_eq(hp.req.body.len, 0);
    ck_assert_ptr_eq(hp.req.headers, headers); /* the allocations are kept */
    ck_assert_int_eq(feed_str(&hp, in + off, &used), PROTO_DONE);
    ck_assert(strv_eq(hp.req.path, "/ping"));
    ck_assert(strv_eq(*http_header_get(&hp.req, "host"), "a"));
    ck_assert(hp.req.keep_alive);
    off += used;

    http_parser_reset(&hp);
    ck_assert_int_eq(feed_str(&hp, in + off, &used), PROTO_DONE); /* a stray CRLF first */
    ck_assert(strv_eq(hp.req.path, "/stat"));
    ck_assert(!hp.req.keep_alive);
    off += used;
    ck_assert_uint_eq(off, strlen(in));

    http_parser_reset(&hp);
    ck_assert_int_eq(http_eof(&hp), PROTO_ERROR);
    ck_assert_int_eq(hp.err_status, 0);
    http_parser_clear(&hp);
}
END_TEST

START_TEST(done_and_error_repeat)
{
    struct http_parser hp;
    size_t used = 99;

    http_parser_init(&hp, &lim_default);
    ck_assert_int_eq(feed_str(&hp, "GET / HTTP/1.1\r\n\r\n", &used), PROTO_DONE);
    ck_assert_int_eq(feed_str(&hp, "GET / HTTP/1.1\r\n\r\n", &used), PROTO_DONE);
    ck_assert_uint_eq(used, 0);
    ck_assert_int_eq(http_eof(&hp), PROTO_DONE);

    http_parser_reset(&hp);
    ck_assert_int_eq(feed_str(&hp, "GET / HTTP/3.0\r\n\r\n", &used), PROTO_ERROR);
    ck_assert_int_eq(hp.err_status, 505);
    ck_assert_str_eq(hp.err_reason, "HTTP Version Not Supported");
    ck_assert_int_eq(feed_str(&hp, "GET / HTTP/1.1\r\n\r\n", &used), PROTO_ERROR);
    ck_assert_uint_eq(used, 0);
    ck_assert_int_eq(http_eof(&hp), PROTO_ERROR);
    ck_assert_int_eq(hp.err_status, 505);

    http_parser_reset(&hp); /* a reset after an error starts afresh */
    ck_assert_int_eq(feed_str(&hp, "GET /x HTTP/1.1\r\n\r\n", &used), PROTO_DONE);
    ck_assert(strv_eq(hp.req.target, "/x"));
    http_parser_clear(&hp);
}
END_TEST

START_TEST(head_done_before_body)
{
    struct http_parser hp;
    size_t used;
    const char *head =
        "POST /checkv2 HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n";

    http_parser_init(&hp, &lim_default);
    ck_assert_int_eq(feed_str(&hp, "POST /checkv2 HTTP/1.1\r\n", &used), PROTO_MORE);
    ck_assert(!hp.head_done);
    http_parser_reset(&hp);
    ck_assert_int_eq(feed_str(&hp, head, &used), PROTO_MORE);
    ck_assert_uint_eq(used, strlen(head));
    ck_assert(hp.head_done);
    ck_assert(hp.req.expect_continue);
    ck_assert_uint_eq(hp.req.content_length, 4);
    ck_assert_int_eq(feed_str(&hp, "ab", &used), PROTO_MORE);
    ck_assert_uint_eq(used, 2);
    ck_assert_int_eq(feed_str(&hp, "cdEF", &used), PROTO_DONE);
    ck_assert_uint_eq(used, 2);
    ck_assert_str_eq(hp.req.body.p, "abcd");
    http_parser_clear(&hp);
}
END_TEST

/* The head buffer grows (and moves) many times: every view must follow it. */
START_TEST(views_survive_head_growth)
{
    static const struct http_limits lim = { 1024, 1024, 100 };
    struct http_parser hp;
    struct buf in;
    size_t used, off = 0, end = 0;
    enum proto_status st = PROTO_MORE;
    char name[32], value[128];

    buf_init(&in);
    buf_puts(&in, "GET /some/long/path?with=query HTTP/1.1\r\n");
    for (int i = 0; i < 100; i++)
        buf_printf(&in, "X-Header-%d: value %d %0*d\r\n", i, i, i, 0);
    buf_puts(&in, "\r\n");
    http_parser_init(&hp, &lim);
    /* one more byte each time: every line goes into head on its own */
    while (st == PROTO_MORE && end < in.len) {
        end++;
        st = http_feed(&hp, in.p + off, end - off, &used);
        off += used;
    }
    ck_assert_int_eq(st, PROTO_DONE);
    ck_assert(strv_eq(hp.req.method_name, "GET"));
    ck_assert(strv_eq(hp.req.path, "/some/long/path"));
    ck_assert(strv_eq(hp.req.query, "with=query"));
    ck_assert_uint_eq(hp.req.nheaders, 100);
    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof(name), "x-header-%d", i);
        snprintf(value, sizeof(value), "value %d %0*d", i, i, 0);
        ck_assert_ptr_nonnull(http_header_get(&hp.req, name));
        ck_assert(strv_eq(*http_header_get(&hp.req, name), value));
        ck_assert(strv_eq(hp.req.headers[i].value, value));
    }
    ck_assert(hp.req.method_name.p >= hp.head.p && hp.req.method_name.p < hp.head.p + hp.head.len);
    http_parser_clear(&hp);
    buf_clear(&in);
}
END_TEST

START_TEST(header_get_case_insensitive_first)
{
    struct http_parser hp;
    size_t used;

    http_parser_init(&hp, &lim_default);
    ck_assert_int_eq(
        feed_str(&hp, "GET / HTTP/1.1\r\nip: 1.1.1.1\r\nIP: 2.2.2.2\r\nRcpt: a\r\n\r\n", &used),
        PROTO_DONE);
    ck_assert(strv_eq(*http_header_get(&hp.req, "Ip"), "1.1.1.1"));
    ck_assert(strv_eq(*http_header_get(&hp.req, "RCPT"), "a"));
    ck_assert_ptr_null(http_header_get(&hp.req, "From"));
    ck_assert_ptr_null(http_header_get(&hp.req, "Rcp"));
    http_parser_clear(&hp);
}
END_TEST

START_TEST(clear_twice_and_unused)
{
    struct http_parser hp;
    size_t used;

    http_parser_init(&hp, &lim_default);
    http_parser_clear(&hp);
    http_parser_clear(&hp);
    http_parser_init(&hp, &lim_default);
    ck_assert_int_eq(
        feed_str(&hp, "POST / HTTP/1.1\r\nA: b\r\nContent-Length: 9\r\n\r\nabc", &used),
        PROTO_MORE);
    http_parser_clear(&hp);
    http_parser_clear(&hp);
    ck_assert_ptr_null(hp.req.headers);
    ck_assert_ptr_null(hp.head.p);
}
END_TEST

/* ---------------------------------------------------------------------- */

#define QN HTTP_QUERY_NOCASE
#define QB HTTP_QUERY_BARE

static const struct {
    const char *query, *name;
    unsigned flags;
    const char *raw; /* NULL: not found */
    const char *decoded;
} query_cases[] = {
    { "password=a%20b+c", "password", 0, "a%20b+c", "a b c" },
    { "x=1&password=", "password", 0, "", "" },
    { "passwords=1&apassword=2", "password", 0, NULL, NULL },
    { "password=%zz%4", "password", 0, "%zz%4", "%zz%4" }, /* broken escapes stay */
    { "a=%41%4a%4B&b=2", "a", 0, "%41%4a%4B", "AJK" },
    { "a=%%41", "a", 0, "%%41", "%A" },
    { "a=x%2", "a", 0, "x%2", "x%2" },
    { "a=b=c", "a", 0, "b=c", "b=c" },
    { "", "a", QN | QB, NULL, NULL },
    { "&&a=1&", "a", 0, "1", "1" },
    { "a=1&a=2", "a", 0, "1", "1" }, /* the first wins */
    { "IP=1.2.3.4", "ip", 0, NULL, NULL },
    { "IP=1.2.3.4", "ip", QN, "1.2.3.4", "1.2.3.4" },
    { "Ip=1&ip=2", "iP", QN, "1", "1" },
    { "milter&raw=yes", "milter", 0, NULL, NULL },
    { "milter&raw=yes", "milter", QB, "", "" },
    { "MILTER", "milter", QN | QB, "", "" },
    { "password&password=x", "password", 0, "x", "x" }, /* bare names skipped */
    { "password&password=x", "password", QB, "", "" },
    { "rcpt=%3Ca%40b%3E,c%40d", "rcpt", QN | QB, "%3Ca%40b%3E,c%40d", "<a@b>,c@d" },
};

START_TEST(query_param_table)
{
    const char *q = query_cases[_i].query;
    struct strv v = { NULL, 0 };
    char out[64];
    bool found = http_query_param(strv_cstr(q), query_cases[_i].name, query_cases[_i].flags, &v);

    ck_assert_int_eq(found, query_cases[_i].raw != NULL);
    if (!found)
        return;
    ck_assert(strv_eq(v, query_cases[_i].raw));
    ck_assert(v.p >= q && v.p + v.len <= q + strlen(q)); /* a view into the query */
    ck_assert_uint_eq(http_query_decode(v, out, sizeof(out)), strlen(query_cases[_i].decoded));
    ck_assert_str_eq(out, query_cases[_i].decoded);
}
END_TEST

START_TEST(query_decode_truncates)
{
    char out[8];

    ck_assert_uint_eq(http_query_decode(STRV_LIT("0123456789abcdefXYZ"), out, 8), 7);
    ck_assert_str_eq(out, "0123456");
    ck_assert_uint_eq(http_query_decode(STRV_LIT("%41%42%43"), out, 3), 2);
    ck_assert_str_eq(out, "AB");
    ck_assert_uint_eq(http_query_decode(STRV_LIT("abc"), out, 1), 0);
    ck_assert_str_eq(out, "");
    ck_assert_uint_eq(http_query_decode(STRV_LIT("a%00b"), out, sizeof(out)), 3);
    ck_assert_mem_eq(out, "a\0b", 4);
}
END_TEST

/* ---------------------------------------------------------------------- */

START_TEST(status_reasons)
{
    static const int codes[] = { 100, 200, 204, 208, 400, 401, 403, 404, 405,
                                 408, 411, 413, 414, 431, 500, 501, 503, 505 };

    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        ck_assert_str_ne(http_status_reason(codes[i]), "Unknown");
    ck_assert_str_eq(http_status_reason(200), "OK");
    ck_assert_str_eq(http_status_reason(404), "Not Found");
    ck_assert_str_eq(http_status_reason(414), "URI Too Long");
    ck_assert_str_eq(http_status_reason(431), "Request Header Fields Too Large");
    ck_assert_str_eq(http_status_reason(501), "Not Implemented");
    ck_assert_str_eq(http_status_reason(999), "Unknown");
    ck_assert_str_eq(http_status_reason(0), "Unknown");
}
END_TEST

#define DATE "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"

static const struct {
    struct http_reply rep;
    const char *want;
} replies[] = {
    { { .status = 200,
        .content_type = "application/json",
        .body = "{}",
        .body_len = 2,
        .date = 784111777,
        .server = "sift/0.1.0" },
      "HTTP/1.1 200 OK\r\n" DATE "Server: sift/0.1.0\r\nConnection: close\r\n"
      "Content-Length: 2\r\nContent-Type: application/json\r\n\r\n{}" },
    { { .status = 200,
        .content_type = "application/json",
        .body = "{}",
        .body_len = 2,
        .date = 784111777,
        .server = "sift/0.1.0",
        .head_only = true },
      "HTTP/1.1 200 OK\r\n" DATE "Server: sift/0.1.0\r\nConnection: close\r\n"
      "Content-Length: 2\r\nContent-Type: application/json\r\n\r\n" },
    { { .status = 413,
        .reason = "Request entity too large: 17",
        .content_type = "text/plain",
        .body = "Request entity too large: 17",
        .body_len = 28,
        .date = 784111777 },
      "HTTP/1.1 413 Request entity too large: 17\r\n" DATE "Connection: close\r\n"
      "Content-Length: 28\r\nContent-Type: text/plain\r\n\r\nRequest entity too large: 17" },
    { { .status = 200,
        .reason = "OK",
        .body = "pong\n",
        .body_len = 5,
        .extra_headers = "Cache-Control: no-store\r\nX-A: b\r\n",
        .keep_alive = true,
        .date = 784111777 },
      "HTTP/1.1 200 OK\r\n" DATE "Connection: keep-alive\r\nContent-Length: 5\r\n"
      "Cache-Control: no-store\r\nX-A: b\r\n\r\npong\n" },
    { { .status = 500, .reason = "invalid command", .date = 0 },
      "HTTP/1.1 500 invalid command\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
      "Connection: close\r\nContent-Length: 0\r\n\r\n" },
    { { .status = 204, .keep_alive = true, .date = 951782400, .body = "x", .body_len = 1 },
      "HTTP/1.1 204 No Content\r\nDate: Tue, 29 Feb 2000 00:00:00 GMT\r\n"
      "Connection: keep-alive\r\n\r\n" },
    { { .status = 100, .date = 784111777 },
      "HTTP/1.1 100 Continue\r\n" DATE "Connection: close\r\n\r\n" },
    { { .status = 599, .reason = "bad\r\nX-Injected: 1", .date = 784111777 },
      "HTTP/1.1 599 bad  X-Injected: 1\r\n" DATE "Connection: close\r\nContent-Length: 0\r\n\r\n" },
    { { .status = 200, .date = (time_t)INT64_MAX }, /* past year 9999: the epoch instead */
      "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\nConnection: close\r\n"
      "Content-Length: 0\r\n\r\n" },
    { { .status = 299, .date = 784111777 },
      "HTTP/1.1 299 Unknown\r\n" DATE "Connection: close\r\nContent-Length: 0\r\n\r\n" },
};

START_TEST(render_reply_bytes)
{
    struct buf out;

    buf_init(&out);
    buf_puts(&out, "kept|"); /* render appends */
    http_render_reply(&replies[_i].rep, &out);
    ck_assert_uint_eq(out.len, 5 + strlen(replies[_i].want));
    ck_assert_mem_eq(out.p, "kept|", 5);
    ck_assert_str_eq(out.p + 5, replies[_i].want);
    buf_clear(&out);
}
END_TEST

static Suite *
proto_http_suite(void)
{
    Suite *s = suite_create("proto_http");
    TCase *tc = tcase_create("parse");

    tcase_add_loop_test(tc, request_whole, 0, (int)NCASES);
    tcase_add_loop_test(tc, request_split_in_two, 0, (int)NCASES);
    tcase_add_loop_test(tc, request_byte_by_byte, 0, (int)NCASES);
    tcase_add_test(tc, pipelined_requests_after_reset);
    tcase_add_test(tc, done_and_error_repeat);
    tcase_add_test(tc, head_done_before_body);
    tcase_add_test(tc, views_survive_head_growth);
    tcase_add_test(tc, header_get_case_insensitive_first);
    tcase_add_test(tc, clear_twice_and_unused);
    suite_add_tcase(s, tc);

    tc = tcase_create("query");
    tcase_add_loop_test(tc, query_param_table, 0,
                        (int)(sizeof(query_cases) / sizeof(query_cases[0])));
    tcase_add_test(tc, query_decode_truncates);
    suite_add_tcase(s, tc);

    tc = tcase_create("render");
    tcase_add_test(tc, status_reasons);
    tcase_add_loop_test(tc, render_reply_bytes, 0, (int)(sizeof(replies) / sizeof(replies[0])));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(proto_http_suite());
}
