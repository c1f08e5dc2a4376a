/*
 * proto_http.c - incremental HTTP/1.x request parser and reply renderer
 * (RFC 9112, RFC 9110), and rspamd's legacy one-line requests ("CHECK
 * RSPAMC/1.3", spec/rspamd-http-protocol.md section 7) that share its
 * header syntax. Pure: bytes in, a request or an HTTP status out. No I/O,
 * no globals; every limit comes from struct http_limits.
 *
 * The request line and header lines are copied into hp->head and the
 * views in hp->req point there; when hp->head must grow, it is moved to a
 * new allocation by hand so the views can be re-pointed while both blocks
 * are alive (see http_head_append).
 */
#include "proto/proto_http.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/strv.h"
#include "core/xmalloc.h"

/* Bytes of empty lines tolerated before a request line (RFC 9112 2.2 says
 * "at least one"; four CRLFs is plenty for a client's stray CRLF after a body). */
#define HTTP_MAX_BLANK 8
/* Digits of a legacy protocol version ("RSPAMC/1.3"): enough, never overflows. */
#define HTTP_MAX_VERDIGITS 4

static const struct {
    const char *name;
    enum http_method method;
} http_methods[] = {
    { "GET", HTTP_GET }, { "HEAD", HTTP_HEAD },     { "POST", HTTP_POST },
    { "PUT", HTTP_PUT }, { "DELETE", HTTP_DELETE }, { "OPTIONS", HTTP_OPTIONS },
};

static const struct {
    int status;
    const char *reason;
} http_reasons[] = {
    { 100, "Continue" },
    { 101, "Switching Protocols" },
    { 200, "OK" },
    { 201, "Created" },
    { 202, "Accepted" },
    { 204, "No Content" },
    { 206, "Partial Content" },
    { 208, "Already Reported" },
    { 301, "Moved Permanently" },
    { 302, "Found" },
    { 304, "Not Modified" },
    { 400, "Bad Request" },
    { 401, "Unauthorized" },
    { 403, "Forbidden" },
    { 404, "Not Found" },
    { 405, "Method Not Allowed" },
    { 406, "Not Acceptable" },
    { 408, "Request Timeout" },
    { 409, "Conflict" },
    { 411, "Length Required" },
    { 413, "Request Entity Too Large" },
    { 414, "URI Too Long" },
    { 415, "Unsupported Media Type" },
    { 417, "Expectation Failed" },
    { 429, "Too Many Requests" },
    { 431, "Request Header Fields Too Large" },
    { 500, "Internal Server Error" },
    { 501, "Not Implemented" },
    { 502, "Bad Gateway" },
    { 503, "Service Unavailable" },
    { 504, "Gateway Timeout" },
    { 505, "HTTP Version Not Supported" },
};

#define HTTP_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* -------------------------------------------------------------------------
 * Small helpers
 */

static int http_fail(struct http_parser *hp, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Enter the error state; always returns -1 so callers can `return http_fail(...)`. */
static int
http_fail(struct http_parser *hp, int status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(hp->err_reason, sizeof(hp->err_reason), fmt, ap);
    va_end(ap);
    hp->err_status = status;
    hp->state = HTTP_PS_ERROR;
    return -1;
}

static int
http_fail_std(struct http_parser *hp, int status)
{
    return http_fail(hp, status, "%s", http_status_reason(status));
}

static enum proto_status
http_status(const struct http_parser *hp)
{
    switch (hp->state) {
    case HTTP_PS_DONE:
        return PROTO_DONE;
    case HTTP_PS_ERROR:
        return PROTO_ERROR;
    default:
        return PROTO_MORE;
    }
}

/* RFC 9110 5.6.2 tchar */
static bool
http_is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool
http_is_token(struct strv v)
{
    if (v.len == 0)
        return false;
    for (size_t i = 0; i < v.len; i++) {
        if (!http_is_tchar((unsigned char)v.p[i]))
            return false;
    }
    return true;
}

static bool
http_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* "%.*s" takes an int; nothing longer than err_reason can show anyway. */
static int
http_fit(size_t n)
{
    return n < 256 ? (int)n : 256;
}

/* The next element of a comma-separated list (RFC 9110 5.6.1), trimmed;
 * empty elements are returned too and callers skip them. */
static bool
http_list_next(struct strv *rest, struct strv *elem)
{
    const char *comma;

    if (rest->p == NULL)
        return false;
    comma = memchr(rest->p, ',', rest->len);
    if (comma == NULL) {
        *elem = strv_trim(*rest);
        rest->p = NULL;
        rest->len = 0;
        return true;
    }
    *elem = strv_trim(strv_make(rest->p, (size_t)(comma - rest->p)));
    rest->len -= (size_t)(comma - rest->p) + 1;
    rest->p = comma + 1;
    return true;
}

/* -------------------------------------------------------------------------
 * The head buffer and the views into it
 */

static void
http_repoint(struct strv *v, const char *old, const char *new)
{
    if (v->p != NULL)
        v->p = new + (v->p - old);
}

/*
 * Append to hp->head. buf_append may realloc, after which the old views
 * could not even be compared; so when the bytes do not fit, copy into a
 * new buffer, re-point every view while the old block is still alive, and
 * only then free it.
 */
static void
http_head_append(struct http_parser *hp, const char *p, size_t n)
{
    struct http_request *r = &hp->req;
    struct buf grown;

    if (hp->head.len + n < hp->head.cap) {
        buf_append(&hp->head, p, n);
        return;
    }
    buf_init(&grown);
    buf_reserve(&grown, hp->head.len + n);
    buf_append(&grown, hp->head.p, hp->head.len);
    if (hp->head.p != NULL) {
        http_repoint(&r->method_name, hp->head.p, grown.p);
        http_repoint(&r->target, hp->head.p, grown.p);
        http_repoint(&r->path, hp->head.p, grown.p);
        http_repoint(&r->query, hp->head.p, grown.p);
        http_repoint(&r->legacy_proto, hp->head.p, grown.p);
        for (size_t i = 0; i < r->nheaders; i++) {
            http_repoint(&r->headers[i].name, hp->head.p, grown.p);
            http_repoint(&r->headers[i].value, hp->head.p, grown.p);
        }
    }
    buf_clear(&hp->head);
    hp->head = grown;
    buf_append(&hp->head, p, n);
}

/* -------------------------------------------------------------------------
 * Request line
 */

/* Split on single spaces into at most max words; -1 on an empty word
 * (leading, trailing or doubled space) or too many words. */
static int
http_split_words(const char *line, size_t n, struct strv *w, size_t max)
{
    size_t nw = 0, start = 0;

    for (size_t i = 0; i <= n; i++) {
        if (i < n && line[i] != ' ')
            continue;
        if (i == start || nw == max)
            return -1;
        w[nw++] = strv_make(line + start, i - start);
        start = i + 1;
    }
    return (int)nw;
}

/* "HTTP/1.1": 0 for HTTP/1.x, 505 for another well-formed version, 400 for garbage. */
static int
http_parse_version(struct http_request *r, struct strv v)
{
    if (v.len != 8 || memcmp(v.p, "HTTP/", 5) != 0 || !http_is_digit(v.p[5]) || v.p[6] != '.' ||
        !http_is_digit(v.p[7]))
        return 400;
    if (v.p[5] != '1')
        return 505;
    r->version_major = 1;
    r->version_minor = (unsigned)(v.p[7] - '0');
    return 0;
}

/* Up to HTTP_MAX_VERDIGITS digits at v[*i]; -1 if none or too many. */
static int
http_small_num(struct strv v, size_t *i, unsigned *out)
{
    size_t start = *i;

    *out = 0;
    while (*i < v.len && http_is_digit(v.p[*i])) {
        if (*i - start == HTTP_MAX_VERDIGITS)
            return -1;
        *out = *out * 10 + (unsigned)(v.p[*i] - '0');
        (*i)++;
    }
    return *i == start ? -1 : 0;
}

/* "RSPAMC/1.3", "SPAMC/1.2", "SPAMC/1", "RSPAMC": -1 if it is none of these. */
static int
http_parse_legacy(struct http_request *r, struct strv v)
{
    size_t plen, i;

    if (v.len >= 6 && memcmp(v.p, "RSPAMC", 6) == 0)
        plen = 6;
    else if (v.len >= 5 && memcmp(v.p, "SPAMC", 5) == 0)
        plen = 5;
    else
        return -1;
    r->legacy = true;
    r->legacy_proto = strv_make(v.p, plen);
    if (v.len == plen)
        return 0;
    i = plen + 1;
    if (v.p[plen] != '/' || http_small_num(v, &i, &r->version_major) == -1)
        return -1;
    if (i < v.len && v.p[i] == '.') {
        i++;
        if (http_small_num(v, &i, &r->version_minor) == -1)
            return -1;
    }
    return i == v.len ? 0 : -1;
}

static bool
http_is_absolute(struct strv t)
{
    return (t.len > 7 && strncasecmp(t.p, "http://", 7) == 0) ||
           (t.len > 8 && strncasecmp(t.p, "https://", 8) == 0);
}

/* origin-form, absolute-form, or "*" for OPTIONS (RFC 9112 3.2) */
static bool
http_target_ok(struct strv t, enum http_method m)
{
    if (t.len == 1 && t.p[0] == '*')
        return m == HTTP_OPTIONS;
    if (t.p[0] != '/' && !http_is_absolute(t))
        return false;
    for (size_t i = 0; i < t.len; i++) {
        unsigned char c = (unsigned char)t.p[i];
        if (c <= 0x20 || c == 0x7f)
            return false;
    }
    return true;
}

static void
http_set_method(struct http_request *r, struct strv name)
{
    r->method_name = name;
    r->method = HTTP_OTHER;
    for (size_t i = 0; i < HTTP_NELEM(http_methods); i++) {
        if (strv_eq(name, http_methods[i].name)) {
            r->method = http_methods[i].method;
            return;
        }
    }
}

static void
http_set_target(struct http_request *r, struct strv t)
{
    const char *q = memchr(t.p, '?', t.len);

    r->target = t;
    if (q == NULL) {
        r->path = t;
        r->query = strv_make(t.p + t.len, 0);
        return;
    }
    r->path = strv_make(t.p, (size_t)(q - t.p));
    r->query = strv_make(q + 1, t.len - r->path.len - 1);
}

/* The request line, already in hp->head at line[0..n) (CRLF stripped). */
static int
http_request_words(struct http_parser *hp, const char *line, size_t n)
{
    struct http_request *r = &hp->req;
    struct strv w[3];
    int nw = http_split_words(line, n, w, 3), st;

    if (nw < 2 || !http_is_token(w[0]))
        return http_fail_std(hp, 400);
    http_set_method(r, w[0]);
    if (nw == 2) {
        if (http_parse_legacy(r, w[1]) == -1)
            return http_fail_std(hp, 400);
        r->target = r->path = r->query = strv_make(w[1].p, 0);
        return 0;
    }
    st = http_parse_version(r, w[2]);
    if (st != 0)
        return http_fail_std(hp, st);
    if (!http_target_ok(w[1], r->method))
        return http_fail_std(hp, 400);
    http_set_target(r, w[1]);
    r->legacy_proto = strv_make(w[2].p, 0); /* empty, but never a NULL pointer */
    return 0;
}

/* raw[0..rawlen) is the whole line with its LF; n is its length without CRLF. */
static int
http_request_line(struct http_parser *hp, const char *raw, size_t rawlen, size_t n)
{
    size_t start = hp->head.len;

    http_head_append(hp, raw, rawlen);
    if (n == 0) {
        /* an empty line before the request line: skipped, within reason */
        hp->partial_line = false; /* it was no partial request line after all */
        return hp->head.len > HTTP_MAX_BLANK ? http_fail_std(hp, 400) : 0;
    }
    if (http_request_words(hp, hp->head.p + start, n) == -1)
        return -1;
    hp->partial_line = false;
    hp->state = HTTP_PS_HEADERS;
    return 0;
}

/* -------------------------------------------------------------------------
 * Header fields, and what the complete head says about the body
 */

/* "name: value" (RFC 9112 5): name a token right before the colon, value
 * without surrounding blanks, no NUL or stray CR. */
static int
http_split_field(const char *line, size_t n, struct http_header *h)
{
    const char *colon = memchr(line, ':', n);

    if (colon == NULL)
        return -1;
    h->name = strv_make(line, (size_t)(colon - line));
    h->value = strv_trim(strv_make(colon + 1, n - h->name.len - 1));
    if (!http_is_token(h->name))
        return -1;
    for (size_t i = 0; i < h->value.len; i++) {
        if (h->value.p[i] == '\0' || h->value.p[i] == '\r')
            return -1;
    }
    return 0;
}

/* A field line in the head or the trailers: count, obs-fold, syntax. */
static int
http_check_field(struct http_parser *hp, const char *line, size_t n, size_t seen,
                 struct http_header *h)
{
    if (seen >= hp->lim.max_headers)
        return http_fail_std(hp, 431);
    if (line[0] == ' ' || line[0] == '\t') /* obs-fold (RFC 9112 5.2) */
        return http_fail_std(hp, 400);
    if (http_split_field(line, n, h) == -1)
        return http_fail_std(hp, 400);
    return 0;
}

static void
http_add_header(struct http_parser *hp, const struct http_header *h)
{
    struct http_request *r = &hp->req;

    if (r->nheaders == hp->headers_cap) {
        size_t cap = hp->headers_cap ? hp->headers_cap * 2 : 16;
        if (cap > hp->lim.max_headers)
            cap = hp->lim.max_headers;
        r->headers = xreallocarray(r->headers, cap, sizeof(*r->headers));
        hp->headers_cap = cap;
    }
    r->headers[r->nheaders++] = *h;
}

/* Content-Length: digits only; repeats must agree (RFC 9112 6.3). */
static int
http_content_length(struct http_parser *hp, struct strv v)
{
    struct http_request *r = &hp->req;
    size_t n = 0;

    if (v.len == 0)
        return http_fail_std(hp, 400);
    for (size_t i = 0; i < v.len; i++) {
        if (!http_is_digit(v.p[i]))
            return http_fail_std(hp, 400);
        if (n > (SIZE_MAX - 9) / 10)
            return http_fail(hp, 413, "Request entity too large: %.*s", http_fit(v.len), v.p);
        n = n * 10 + (size_t)(v.p[i] - '0');
    }
    if (r->has_length && r->content_length != n)
        return http_fail_std(hp, 400);
    r->has_length = true;
    r->content_length = n;
    return 0;
}

struct http_te {
    bool seen;
    unsigned nchunked;
    bool last_chunked;
    bool other;
};

static void
http_transfer_encoding(struct http_te *te, struct strv v)
{
    struct strv rest = v, elem;

    while (http_list_next(&rest, &elem)) {
        if (elem.len == 0)
            continue;
        te->seen = true;
        te->last_chunked = strv_caseeq(elem, "chunked");
        if (te->last_chunked)
            te->nchunked++;
        else
            te->other = true;
    }
}

/*
 * RFC 9112 6.1 and 6.3: only chunked is implemented; chunked must come
 * last and once; Content-Length beside Transfer-Encoding is how requests
 * are smuggled past a proxy, so both is an error, not a preference.
 */
static int
http_framing(struct http_parser *hp)
{
    struct http_request *r = &hp->req;
    struct http_te te = { 0 };
    bool te_header = false;

    for (size_t i = 0; i < r->nheaders; i++) {
        const struct http_header *h = &r->headers[i];
        if (strv_caseeq(h->name, "Content-Length")) {
            if (http_content_length(hp, h->value) == -1)
                return -1;
        } else if (!r->legacy && strv_caseeq(h->name, "Transfer-Encoding")) {
            te_header = true;
            http_transfer_encoding(&te, h->value);
        }
    }
    if (te_header && r->has_length)
        return http_fail_std(hp, 400);
    if (te_header && (!te.seen || !te.last_chunked || te.nchunked > 1))
        return http_fail_std(hp, 400);
    if (te_header && te.other)
        return http_fail_std(hp, 501);
    r->chunked = te_header;
    if (r->has_length && r->content_length > hp->lim.max_body)
        return http_fail(hp, 413, "Request entity too large: %zu", r->content_length);
    return 0;
}

/* Connection (RFC 9112 9.3) and Expect (RFC 9110 10.1.1). */
static void
http_connection(struct http_request *r)
{
    bool close = false, keep = false, http11 = !r->legacy && r->version_minor >= 1;

    for (size_t i = 0; i < r->nheaders; i++) {
        const struct http_header *h = &r->headers[i];
        struct strv rest = h->value, elem;
        if (strv_caseeq(h->name, "Expect")) {
            if (http11 && strv_caseeq(h->value, "100-continue"))
                r->expect_continue = true;
            continue;
        }
        if (!strv_caseeq(h->name, "Connection"))
            continue;
        while (http_list_next(&rest, &elem)) {
            close = close || strv_caseeq(elem, "close");
            keep = keep || strv_caseeq(elem, "keep-alive");
        }
    }
    if (r->legacy)
        r->keep_alive = false;
    else
        r->keep_alive = !close && (http11 || keep);
}

static int
http_head_end(struct http_parser *hp)
{
    struct http_request *r = &hp->req;

    hp->head_done = true;
    if (http_framing(hp) == -1)
        return -1;
    http_connection(r);
    if (r->chunked)
        hp->state = HTTP_PS_CHUNK_SIZE;
    else if (r->has_length && r->content_length > 0)
        hp->state = HTTP_PS_BODY;
    else if (r->legacy && !r->has_length)
        hp->state = HTTP_PS_BODY_EOF; /* rspamd's legacy clients may half-close instead */
    else
        hp->state = HTTP_PS_DONE; /* a request without framing has no body (RFC 9112 6.3) */
    if (hp->state == HTTP_PS_BODY)
        buf_reserve(&r->body, r->content_length); /* <= max_body, checked above */
    return 0;
}

static int
http_header_line(struct http_parser *hp, const char *raw, size_t rawlen, size_t n)
{
    struct http_header h;
    size_t start = hp->head.len;

    http_head_append(hp, raw, rawlen);
    if (n == 0)
        return http_head_end(hp);
    if (http_check_field(hp, hp->head.p + start, n, hp->req.nheaders, &h) == -1)
        return -1;
    http_add_header(hp, &h);
    return 0;
}

/* -------------------------------------------------------------------------
 * Chunked body (RFC 9112 7.1)
 */

static int
http_chunk_size_line(struct http_parser *hp, const char *line, size_t n)
{
    size_t i = 0, size = 0, room = hp->lim.max_body - hp->req.body.len;
    int d;

    while (i < n && (d = strv_hexval(line[i])) >= 0) {
        if (size > SIZE_MAX >> 4) /* more hex digits than size_t holds */
            return http_fail(hp, 413, "Request entity too large");
        size = size << 4 | (size_t)d;
        i++;
    }
    if (i == 0)
        return http_fail_std(hp, 400);
    while (i < n && (line[i] == ' ' || line[i] == '\t')) /* BWS before chunk-ext */
        i++;
    if (i < n && line[i] != ';') /* chunk extensions are ignored */
        return http_fail_std(hp, 400);
    if (size > room)
        return http_fail(hp, 413, "Request entity too large");
    hp->chunk_left = size;
    hp->state = size == 0 ? HTTP_PS_TRAILERS : HTTP_PS_CHUNK_DATA;
    return 0;
}

/* Trailer fields are checked and counted (with the head's) but dropped. */
static int
http_trailer_line(struct http_parser *hp, const char *line, size_t n)
{
    struct http_header h;

    if (n == 0) {
        hp->state = HTTP_PS_DONE;
        return 0;
    }
    if (http_check_field(hp, line, n, hp->req.nheaders + hp->ntrailers, &h) == -1)
        return -1;
    hp->ntrailers++;
    return 0;
}

static int
http_chunk_data(struct http_parser *hp, const char *p, size_t n, size_t *took)
{
    size_t take = n < hp->chunk_left ? n : hp->chunk_left;

    buf_append(&hp->req.body, p, take);
    hp->chunk_left -= take;
    if (hp->chunk_left == 0)
        hp->state = HTTP_PS_CHUNK_CRLF;
    *took = take;
    return 0;
}

/* The CRLF (or bare LF) after a chunk's data; a lone CR waits for more. */
static int
http_chunk_crlf(struct http_parser *hp, const char *p, size_t n, size_t *took)
{
    size_t eol = p[0] == '\r' ? 1 : 0;

    *took = 0;
    if (eol == n)
        return 0;
    if (p[eol] != '\n')
        return http_fail_std(hp, 400);
    *took = eol + 1;
    hp->state = HTTP_PS_CHUNK_SIZE;
    return 0;
}

/* -------------------------------------------------------------------------
 * Content-Length and read-to-EOF bodies
 */

static int
http_body(struct http_parser *hp, const char *p, size_t n, size_t *took)
{
    struct http_request *r = &hp->req;
    size_t left = r->content_length - r->body.len;
    size_t take = n < left ? n : left;

    buf_append(&r->body, p, take);
    if (r->body.len == r->content_length)
        hp->state = HTTP_PS_DONE;
    *took = take;
    return 0;
}

static int
http_body_eof(struct http_parser *hp, const char *p, size_t n, size_t *took)
{
    if (n > hp->lim.max_body - hp->req.body.len)
        return http_fail(hp, 413, "Request entity too large");
    buf_append(&hp->req.body, p, n);
    *took = n;
    return 0;
}

/* -------------------------------------------------------------------------
 * Lines and the feed loop
 */

static int
http_line_too_long(struct http_parser *hp)
{
    switch (hp->state) {
    case HTTP_PS_REQUEST:
        return http_fail_std(hp, 414);
    case HTTP_PS_CHUNK_SIZE:
        return http_fail_std(hp, 400);
    default:
        return http_fail_std(hp, 431);
    }
}

/*
 * One line of the head, a chunk-size line or a trailer line. A partial
 * line is left to the caller; its length is checked against line_max now
 * and again when complete, so every way of splitting the input gives the
 * same answer.
 */
static int
http_line(struct http_parser *hp, const char *p, size_t n, size_t *took)
{
    const char *nl = memchr(p, '\n', n);
    size_t raw, len;

    *took = 0;
    if (nl == NULL) {
        if (n > hp->lim.line_max)
            return http_line_too_long(hp);
        if (hp->state == HTTP_PS_REQUEST)
            hp->partial_line = true;
        return 0;
    }
    len = (size_t)(nl - p);
    if (len > hp->lim.line_max)
        return http_line_too_long(hp);
    raw = len + 1;
    if (len > 0 && p[len - 1] == '\r')
        len--;
    *took = raw;
    switch (hp->state) {
    case HTTP_PS_REQUEST:
        return http_request_line(hp, p, raw, len);
    case HTTP_PS_HEADERS:
        return http_header_line(hp, p, raw, len);
    case HTTP_PS_CHUNK_SIZE:
        return http_chunk_size_line(hp, p, len);
    default:
        return http_trailer_line(hp, p, len);
    }
}

static int
http_step(struct http_parser *hp, const char *p, size_t n, size_t *took)
{
    switch (hp->state) {
    case HTTP_PS_BODY:
        return http_body(hp, p, n, took);
    case HTTP_PS_CHUNK_DATA:
        return http_chunk_data(hp, p, n, took);
    case HTTP_PS_CHUNK_CRLF:
        return http_chunk_crlf(hp, p, n, took);
    case HTTP_PS_BODY_EOF:
        return http_body_eof(hp, p, n, took);
    default:
        return http_line(hp, p, n, took);
    }
}

enum proto_status
http_feed(struct http_parser *hp, const char *buf, size_t len, size_t *used)
{
    size_t off = 0, took = 0;

    *used = 0;
    if (hp->state == HTTP_PS_DONE || hp->state == HTTP_PS_ERROR)
        return http_status(hp);
    while (off < len && hp->state != HTTP_PS_DONE) {
        if (http_step(hp, buf + off, len - off, &took) == -1)
            break;
        if (took == 0)
            break; /* a partial line: wait for more */
        off += took;
    }
    *used = off;
    return http_status(hp);
}

enum proto_status
http_eof(struct http_parser *hp)
{
    switch (hp->state) {
    case HTTP_PS_DONE:
    case HTTP_PS_ERROR:
        return http_status(hp);
    case HTTP_PS_BODY_EOF:
        hp->state = HTTP_PS_DONE;
        return PROTO_DONE;
    case HTTP_PS_REQUEST:
        if (!hp->partial_line) {
            /* closed between requests: nothing to answer */
            http_fail(hp, 0, "%s", "");
            return PROTO_ERROR;
        }
        break;
    default:
        break;
    }
    http_fail_std(hp, 400);
    return PROTO_ERROR;
}

/* -------------------------------------------------------------------------
 * Life cycle
 */

void
http_parser_init(struct http_parser *hp, const struct http_limits *lim)
{
    memset(hp, 0, sizeof(*hp));
    hp->lim = *lim;
    hp->state = HTTP_PS_REQUEST;
    buf_init(&hp->head);
    buf_init(&hp->req.body);
}

void
http_parser_reset(struct http_parser *hp)
{
    struct http_header *headers = hp->req.headers;
    struct buf body = hp->req.body;

    memset(&hp->req, 0, sizeof(hp->req));
    hp->req.headers = headers;
    buf_reset(&body);
    hp->req.body = body;
    buf_reset(&hp->head);
    hp->state = HTTP_PS_REQUEST;
    hp->head_done = false;
    hp->chunk_left = 0;
    hp->ntrailers = 0;
    hp->partial_line = false;
    hp->err_status = 0;
    hp->err_reason[0] = '\0';
}

void
http_parser_clear(struct http_parser *hp)
{
    struct http_limits lim = hp->lim;

    free(hp->req.headers);
    buf_clear(&hp->req.body);
    buf_clear(&hp->head);
    http_parser_init(hp, &lim);
}

const struct strv *
http_header_get(const struct http_request *req, const char *name)
{
    for (size_t i = 0; i < req->nheaders; i++) {
        if (strv_caseeq(req->headers[i].name, name))
            return &req->headers[i].value;
    }
    return NULL;
}

/* -------------------------------------------------------------------------
 * Query strings (application/x-www-form-urlencoded, as browsers send them)
 */

bool
http_query_param(struct strv query, const char *name, unsigned flags, struct strv *value)
{
    size_t i = 0;

    while (i < query.len) {
        const char *amp = memchr(query.p + i, '&', query.len - i);
        size_t end = amp != NULL ? (size_t)(amp - query.p) : query.len;
        const char *eq = memchr(query.p + i, '=', end - i);
        struct strv key = { query.p + i, eq != NULL ? (size_t)(eq - (query.p + i)) : end - i };

        if ((eq != NULL || (flags & HTTP_QUERY_BARE)) &&
            ((flags & HTTP_QUERY_NOCASE) ? strv_caseeq(key, name) : strv_eq(key, name))) {
            value->p = eq != NULL ? eq + 1 : query.p + end;
            value->len = (size_t)(query.p + end - value->p);
            return true;
        }
        i = end + 1;
    }
    return false;
}

size_t
http_query_decode(struct strv v, char *out, size_t cap)
{
    size_t n = 0;

    for (size_t k = 0; k < v.len && n + 1 < cap; k++) {
        int hi, lo;

        if (v.p[k] == '+') {
            out[n++] = ' ';
        } else if (v.p[k] == '%' && k + 2 < v.len &&
                   (hi = strv_hexval((unsigned char)v.p[k + 1])) >= 0 &&
                   (lo = strv_hexval((unsigned char)v.p[k + 2])) >= 0) {
            out[n++] = (char)(hi << 4 | lo);
            k += 2;
        } else {
            out[n++] = v.p[k];
        }
    }
    out[n] = '\0';
    return n;
}

/* -------------------------------------------------------------------------
 * Replies
 */

const char *
http_status_reason(int status)
{
    for (size_t i = 0; i < HTTP_NELEM(http_reasons); i++) {
        if (http_reasons[i].status == status)
            return http_reasons[i].reason;
    }
    return "Unknown";
}

/* IMF-fixdate (RFC 9110 5.6.7) with fixed English names: strftime would follow the locale. */
static void
http_put_date(struct buf *out, time_t t)
{
    static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
        t = 0;
        gmtime_r(&t, &tm);
    }
    buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n", days[tm.tm_wday], tm.tm_mday,
               months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A reason phrase may come from an error text: control bytes would split the reply. */
static void
http_put_reason(struct buf *out, const char *reason)
{
    for (const char *s = reason; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        buf_putc(out, (c < 0x20 && c != '\t') || c == 0x7f ? ' ' : *s);
    }
}

void
http_render_reply(const struct http_reply *rep, struct buf *out)
{
    /* RFC 9110 8.6 and 6.4.1: no Content-Length in 1xx and 204, no body in 1xx, 204, 304 */
    bool informational = rep->status >= 100 && rep->status < 200;
    bool no_length = informational || rep->status == 204;
    bool no_body = no_length || rep->status == 304 || rep->head_only;

    buf_printf(out, "HTTP/1.1 %d ", rep->status);
    http_put_reason(out, rep->reason != NULL ? rep->reason : http_status_reason(rep->status));
    buf_puts(out, "\r\n");
    http_put_date(out, rep->date);
    if (rep->server != NULL)
        buf_printf(out, "Server: %s\r\n", rep->server);
    buf_printf(out, "Connection: %s\r\n", rep->keep_alive ? "keep-alive" : "close");
    if (!no_length)
        buf_printf(out, "Content-Length: %zu\r\n", rep->body_len);
    if (rep->content_type != NULL)
        buf_printf(out, "Content-Type: %s\r\n", rep->content_type);
    if (rep->extra_headers != NULL)
        buf_puts(out, rep->extra_headers);
    buf_puts(out, "\r\n");
    if (!no_body && rep->body_len > 0)
        buf_append(out, rep->body, rep->body_len);
}
