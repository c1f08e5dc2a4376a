/*
 * proto_http_response.c - incremental HTTP/1.x response parser (see
 * proto_http_response.h).
 *
 * The head is gathered line by line into rp->head (a partial line stays
 * with the caller, as in proto_http.c) and parsed once it is complete, so
 * the views never have to follow a moving buffer.
 */
#include "proto/proto_http_response.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

static int rp_fail(struct http_response_parser *rp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Enter the error state; always -1. */
static int
rp_fail(struct http_response_parser *rp, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(rp->err, sizeof(rp->err), fmt, ap);
    va_end(ap);
    rp->state = HTTP_RS_ERROR;
    return -1;
}

static enum proto_status
rp_status(const struct http_response_parser *rp)
{
    if (rp->state == HTTP_RS_DONE)
        return PROTO_DONE;
    return rp->state == HTTP_RS_ERROR ? PROTO_ERROR : PROTO_MORE;
}

static bool
rp_is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* The next element of a comma-separated header list, trimmed; false at the end. */
static bool
rp_list_next(struct strv *rest, struct strv *elem)
{
    size_t i = 0;

    if (rest->len == 0)
        return false;
    while (i < rest->len && rest->p[i] != ',')
        i++;
    *elem = strv_trim(strv_make(rest->p, i));
    *rest = i < rest->len ? strv_make(rest->p + i + 1, rest->len - i - 1)
                          : strv_make(rest->p + rest->len, 0);
    return true;
}

bool
http_hop_by_hop(struct strv name)
{
    static const char *const hop[] = {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length",
        "TE",         "Trailer",    "Upgrade",           "Proxy-Connection"
    };

    for (size_t i = 0; i < sizeof(hop) / sizeof(hop[0]); i++) {
        if (strv_caseeq(name, hop[i]))
            return true;
    }
    return false;
}

/* "HTTP/1.x SP 3DIGIT [SP reason]" */
static int
rp_status_line(struct http_response_parser *rp, const char *p, size_t n)
{
    struct http_response *r = &rp->resp;
    size_t i = 9;

    if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0 || p[7] < '0' || p[7] > '9' || p[8] != ' ')
        return rp_fail(rp, "not an HTTP/1.x status line");
    r->version_minor = (unsigned)(p[7] - '0');
    r->status = 0;
    for (; i < 12; i++) {
        if (p[i] < '0' || p[i] > '9')
            return rp_fail(rp, "bad status code");
        r->status = r->status * 10 + (p[i] - '0');
    }
    if (r->status < 100 || (n > 12 && p[12] != ' '))
        return rp_fail(rp, "bad status code");
    r->reason = n > 13 ? strv_make(p + 13, n - 13) : strv_make(p + n, 0);
    for (size_t k = 0; k < r->reason.len; k++) {
        unsigned char c = (unsigned char)r->reason.p[k];

        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return rp_fail(rp, "a control character in the reason phrase");
    }
    return 0;
}

/* One "name: value" line into resp.headers. */
static int
rp_field(struct http_response_parser *rp, const char *p, size_t n)
{
    struct http_response *r = &rp->resp;
    const char *colon = memchr(p, ':', n);
    struct http_header h;

    if (colon == NULL || colon == p)
        return rp_fail(rp, "a header line without a name");
    h.name = strv_make(p, (size_t)(colon - p));
    for (size_t i = 0; i < h.name.len; i++) {
        if (!rp_is_tchar((unsigned char)h.name.p[i]))
            return rp_fail(rp, "a bad header name");
    }
    h.value = strv_trim(strv_make(colon + 1, n - h.name.len - 1));
    for (size_t i = 0; i < h.value.len; i++) {
        if (h.value.p[i] == '\0' || h.value.p[i] == '\r')
            return rp_fail(rp, "a control character in a header value");
    }
    if (r->nheaders == rp->headers_cap) {
        rp->headers_cap = rp->headers_cap ? rp->headers_cap * 2 : 16;
        r->headers = xreallocarray(r->headers, rp->headers_cap, sizeof(*r->headers));
    }
    r->headers[r->nheaders++] = h;
    return 0;
}

/* Content-Length (repeats must agree), Transfer-Encoding (chunked last and
 * alone; with Content-Length it is a smuggling attempt), Connection. */
static int
rp_framing(struct http_response_parser *rp)
{
    struct http_response *r = &rp->resp;
    bool te = false, close = false, keep = false;

    for (size_t i = 0; i < r->nheaders; i++) {
        const struct http_header *h = &r->headers[i];
        struct strv rest = h->value, elem;

        if (strv_caseeq(h->name, "Content-Length")) {
            size_t v = 0;

            if (h->value.len == 0)
                return rp_fail(rp, "an empty Content-Length");
            for (size_t k = 0; k < h->value.len; k++) {
                if (h->value.p[k] < '0' || h->value.p[k] > '9')
                    return rp_fail(rp, "a bad Content-Length");
                if (v > (SIZE_MAX - 9) / 10)
                    return rp_fail(rp, "Content-Length out of range");
                v = v * 10 + (size_t)(h->value.p[k] - '0');
            }
            if (r->has_length && r->content_length != v)
                return rp_fail(rp, "Content-Length given twice, differently");
            r->has_length = true;
            r->content_length = v;
        } else if (strv_caseeq(h->name, "Transfer-Encoding")) {
            while (rp_list_next(&rest, &elem)) {
                if (elem.len == 0)
                    continue;
                if (te || !strv_caseeq(elem, "chunked"))
                    return rp_fail(rp, "a transfer coding other than chunked");
                te = true;
            }
        } else if (strv_caseeq(h->name, "Connection")) {
            while (rp_list_next(&rest, &elem)) {
                close = close || strv_caseeq(elem, "close");
                keep = keep || strv_caseeq(elem, "keep-alive");
            }
        }
    }
    if (te && r->has_length)
        return rp_fail(rp, "both Transfer-Encoding and Content-Length");
    r->chunked = te;
    r->keep_alive = !close && (r->version_minor >= 1 || keep);
    if (r->has_length && r->content_length > rp->lim.max_body)
        return rp_fail(rp, "a body of %zu bytes is over the limit (%zu)", r->content_length,
                       rp->lim.max_body);
    return 0;
}

/* The blank line: parse the head, skip an interim response, pick the body's framing. */
static int
rp_head_end(struct http_response_parser *rp)
{
    struct http_response *r = &rp->resp;
    const char *p = rp->head.p, *end = p + rp->head.len;
    bool first = true;

    r->nheaders = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)(nl - p);

        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (n == 0)
            break;
        if ((first ? rp_status_line(rp, p, n) : rp_field(rp, p, n)) == -1)
            return -1;
        first = false;
        p = nl + 1;
    }
    if (first)
        return rp_fail(rp, "no status line");
    if (r->status < 200 && r->status != 101) { /* 100 Continue and friends: the answer follows */
        buf_reset(&rp->head);
        rp->nlines = 0;
        return 0;
    }
    if (rp_framing(rp) == -1)
        return -1;
    /* RFC 9112 6.3: these have no body, whatever the head says */
    if (rp->head_request || r->status < 200 || r->status == 204 || r->status == 304)
        rp->state = HTTP_RS_DONE;
    else if (r->chunked)
        rp->state = HTTP_RS_CHUNK_SIZE;
    else if (r->has_length)
        rp->state = r->content_length > 0 ? HTTP_RS_BODY : HTTP_RS_DONE;
    else
        rp->state = HTTP_RS_BODY_EOF;
    if (rp->state == HTTP_RS_BODY)
        buf_reserve(&r->body, r->content_length);
    return 0;
}

static int
rp_head_line(struct http_response_parser *rp, const char *raw, size_t rawlen, size_t n)
{
    if (rp->head.len == 0 && n == 0)
        return 0; /* a stray empty line before the status line */
    if (rp->head.len == 0 && rp_status_line(rp, raw, n) == -1)
        return -1; /* not HTTP (a spamd port): fail now, not at the blank line or the close */
    if (n > 0 && rp->head.len > 0 && rp->nlines++ >= rp->lim.max_headers)
        return rp_fail(rp, "more than %u header lines", rp->lim.max_headers);
    buf_append(&rp->head, raw, rawlen);
    return n == 0 ? rp_head_end(rp) : 0;
}

static int
rp_chunk_size(struct http_response_parser *rp, const char *line, size_t n)
{
    size_t i = 0, size = 0;
    int d;

    while (i < n && (d = strv_hexval(line[i])) >= 0) {
        if (size > SIZE_MAX >> 4)
            return rp_fail(rp, "a chunk size out of range");
        size = size << 4 | (size_t)d;
        i++;
    }
    if (i == 0)
        return rp_fail(rp, "a bad chunk size line");
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i < n && line[i] != ';')
        return rp_fail(rp, "a bad chunk size line");
    if (size > rp->lim.max_body - rp->resp.body.len)
        return rp_fail(rp, "a body over the limit (%zu)", rp->lim.max_body);
    rp->chunk_left = size;
    rp->state = size == 0 ? HTTP_RS_TRAILERS : HTTP_RS_CHUNK_DATA;
    return 0;
}

static int
rp_trailer(struct http_response_parser *rp, size_t n)
{
    if (n == 0) {
        rp->state = HTTP_RS_DONE;
        return 0;
    }
    if (rp->ntrailers++ + rp->resp.nheaders >= rp->lim.max_headers)
        return rp_fail(rp, "more than %u header lines", rp->lim.max_headers);
    return 0; /* trailers are dropped */
}

/* A complete line of the head, a chunk size or a trailer; a partial one
 * is left to the caller (its length checked now and when complete). */
static int
rp_line(struct http_response_parser *rp, const char *p, size_t n, size_t *took)
{
    const char *nl = memchr(p, '\n', n);
    size_t len;

    *took = 0;
    if (nl == NULL)
        return n > rp->lim.line_max ? rp_fail(rp, "a line over %zu bytes", rp->lim.line_max) : 0;
    len = (size_t)(nl - p);
    if (len > rp->lim.line_max)
        return rp_fail(rp, "a line over %zu bytes", rp->lim.line_max);
    *took = len + 1;
    if (len > 0 && p[len - 1] == '\r')
        len--;
    switch (rp->state) {
    case HTTP_RS_HEAD:
        return rp_head_line(rp, p, *took, len);
    case HTTP_RS_CHUNK_SIZE:
        return rp_chunk_size(rp, p, len);
    default:
        return rp_trailer(rp, len);
    }
}

static int
rp_step(struct http_response_parser *rp, const char *p, size_t n, size_t *took)
{
    struct http_response *r = &rp->resp;
    size_t take;

    switch (rp->state) {
    case HTTP_RS_BODY:
        take = r->content_length - r->body.len;
        take = n < take ? n : take;
        buf_append(&r->body, p, take);
        if (r->body.len == r->content_length)
            rp->state = HTTP_RS_DONE;
        *took = take;
        return 0;
    case HTTP_RS_CHUNK_DATA:
        take = n < rp->chunk_left ? n : rp->chunk_left;
        buf_append(&r->body, p, take);
        rp->chunk_left -= take;
        if (rp->chunk_left == 0)
            rp->state = HTTP_RS_CHUNK_CRLF;
        *took = take;
        return 0;
    case HTTP_RS_CHUNK_CRLF:
        take = p[0] == '\r' ? 1 : 0;
        *took = 0;
        if (take == n)
            return 0; /* a lone CR: wait */
        if (p[take] != '\n')
            return rp_fail(rp, "no line end after a chunk");
        *took = take + 1;
        rp->state = HTTP_RS_CHUNK_SIZE;
        return 0;
    case HTTP_RS_BODY_EOF:
        if (n > rp->lim.max_body - r->body.len)
            return rp_fail(rp, "a body over the limit (%zu)", rp->lim.max_body);
        buf_append(&r->body, p, n);
        *took = n;
        return 0;
    default:
        return rp_line(rp, p, n, took);
    }
}

enum proto_status
http_response_feed(struct http_response_parser *rp, const char *buf, size_t len, size_t *used)
{
    size_t off = 0, took = 0;

    *used = 0;
    while (off < len && rp->state != HTTP_RS_DONE && rp->state != HTTP_RS_ERROR) {
        if (rp_step(rp, buf + off, len - off, &took) == -1 || took == 0)
            break;
        off += took;
    }
    *used = off;
    return rp_status(rp);
}

enum proto_status
http_response_eof(struct http_response_parser *rp)
{
    switch (rp->state) {
    case HTTP_RS_DONE:
    case HTTP_RS_ERROR:
        break;
    case HTTP_RS_BODY_EOF:
        rp->state = HTTP_RS_DONE;
        break;
    case HTTP_RS_HEAD:
        rp_fail(rp, rp->head.len == 0 ? "closed without a response" : "closed in the head");
        break;
    default:
        rp_fail(rp, "closed in the middle of the body");
        break;
    }
    return rp_status(rp);
}

void
http_response_init(struct http_response_parser *rp, const struct http_limits *lim,
                   bool head_request)
{
    memset(rp, 0, sizeof(*rp));
    rp->lim = *lim;
    rp->head_request = head_request;
    rp->state = HTTP_RS_HEAD;
    buf_init(&rp->head);
    buf_init(&rp->resp.body);
}

void
http_response_clear(struct http_response_parser *rp)
{
    struct http_limits lim = rp->lim;

    free(rp->resp.headers);
    buf_clear(&rp->resp.body);
    buf_clear(&rp->head);
    http_response_init(rp, &lim, rp->head_request);
}

const struct strv *
http_response_header(const struct http_response *resp, const char *name)
{
    for (size_t i = 0; i < resp->nheaders; i++) {
        if (strv_caseeq(resp->headers[i].name, name))
            return &resp->headers[i].value;
    }
    return NULL;
}
