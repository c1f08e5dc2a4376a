/*
 * siftc_http.c - siftc's HTTP/1.1 client (see siftc_http.h).
 */
#include "siftc_http.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/bind_spec.h"
#include "proto/proto_rspamd.h"

/* --- addresses ------------------------------------------------------------ */

int
siftc_addr_resolve(const char *text, struct siftc_addr *a, struct sift_err *err)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
    struct arena *ar = arena_new(1024);
    struct bind_spec spec;
    const char *host;
    char port[8];
    int rc = -1, gai;

    memset(a, 0, sizeof(*a));
    a->text = text;
    if (bind_spec_parse(ar, text, &spec, err) == -1)
        goto out;
    if (spec.kind == BIND_UNIX) {
        if (strlen(spec.path) >= sizeof(a->path)) {
            sift_err_set(err, "socket path too long");
            goto out;
        }
        a->is_unix = true;
        snprintf(a->path, sizeof(a->path), "%s", spec.path);
        snprintf(a->host_hdr, sizeof(a->host_hdr), "localhost");
        rc = 0;
        goto out;
    }
    if (spec.ssl) {
        sift_err_set(err, "siftc does not speak TLS");
        goto out;
    }
    host = spec.host ? spec.host : "127.0.0.1"; /* "*:11333": this machine */
    snprintf(port, sizeof(port), "%u", spec.port);
    snprintf(a->host_hdr, sizeof(a->host_hdr), strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, port);
    gai = getaddrinfo(host, port, &hints, &a->ai);
    if (gai != 0) {
        sift_err_set(err, "%s", gai_strerror(gai));
        a->ai = NULL;
        goto out;
    }
    rc = 0;
out:
    arena_free(&ar);
    return rc;
}

void
siftc_addr_clear(struct siftc_addr *a)
{
    if (a->ai != NULL)
        freeaddrinfo(a->ai);
    a->ai = NULL;
}

/* --- the reply ------------------------------------------------------------ */

static const struct http_limits sr_limits = {
    SIFTC_REPLY_MAX_BODY,
    SIFTC_REPLY_MAX_HEAD,
    SIFTC_REPLY_MAX_HEADERS,
};

void
siftc_reply_init(struct siftc_reply *r)
{
    http_response_init(&r->rp, &sr_limits, false);
    buf_init(&r->pend);
}

void
siftc_reply_clear(struct siftc_reply *r)
{
    http_response_clear(&r->rp);
    buf_clear(&r->pend);
}

/* "unexpected reply: " and the first line of p[0..len), which is not HTTP. */
static enum proto_status
sr_unexpected(const char *p, size_t len, struct sift_err *err)
{
    size_t n = 0;

    if (len == 0) {
        sift_err_set(err, "the server closed the connection without a reply");
        return PROTO_ERROR;
    }
    while (n < len && p[n] != '\n')
        n++;
    if (n > 0 && n < len && p[n - 1] == '\r')
        n--;
    sift_err_set(err, "unexpected reply: %.*s", (int)(n < 200 ? n : 200), p);
    return PROTO_ERROR;
}

/* The header line the parser refused: the one after the status line and
 * the fields it took. */
static void
sr_bad_line(const struct siftc_reply *r, struct sift_err *err)
{
    const char *p = r->rp.head.p, *end = p + r->rp.head.len, *nl;
    size_t n;

    for (size_t k = 0; k <= r->rp.resp.nheaders; k++) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL) {
            sift_err_set(err, "bad header line in the reply");
            return;
        }
        p = nl + 1;
    }
    nl = memchr(p, '\n', (size_t)(end - p));
    n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
    if (n > 0 && p[n - 1] == '\r')
        n--;
    if (n > 0 && (p[0] == ' ' || p[0] == '\t'))
        sift_err_set(err, "folded header line in the reply");
    else
        sift_err_set(err, "bad header line in the reply: %.*s", (int)(n < 100 ? n : 100), p);
}

/* A header's value for a message; "" when there is none. */
static struct strv
sr_value(const struct siftc_reply *r, const char *name)
{
    const struct strv *h = http_response_header(&r->rp.resp, name);

    return h != NULL ? *h : strv_make("", 0);
}

/* What siftc says when the parser fails: its messages predate the parser
 * and are what users and their scripts see. Found by the start of the
 * parser's sentence (proto_http_response.c; tests/unit/client pins each
 * pair); any other is passed on as "bad reply: ...". */
enum sr_say {
    SR_CLOSED_HEAD,
    SR_CLOSED_BODY,
    SR_TOO_MANY,
    SR_LONG_LINE,
    SR_BAD_LINE,
    SR_BAD_LENGTH,
    SR_HUGE_LENGTH,
    SR_BAD_CODING,
    SR_BAD_CHUNK,
    SR_NO_CRLF,
    SR_TOO_LARGE,
    SR_OTHER,
};

static const struct {
    const char *parser;
    enum sr_say say;
} sr_words[] = {
    { "closed in the head", SR_CLOSED_HEAD },
    { "closed in the middle of the body", SR_CLOSED_BODY },
    { "more than ", SR_TOO_MANY },
    { "a line over ", SR_LONG_LINE },
    { "a header line without a name", SR_BAD_LINE },
    { "a bad header name", SR_BAD_LINE },
    { "a control character in a header value", SR_BAD_LINE },
    { "an empty Content-Length", SR_BAD_LENGTH },
    { "a bad Content-Length", SR_BAD_LENGTH },
    { "Content-Length out of range", SR_HUGE_LENGTH },
    { "a body of ", SR_HUGE_LENGTH },
    { "a transfer coding other than chunked", SR_BAD_CODING },
    { "a bad chunk size line", SR_BAD_CHUNK },
    { "no line end after a chunk", SR_NO_CRLF },
    { "a chunk size out of range", SR_TOO_LARGE },
    { "a body over the limit", SR_TOO_LARGE },
};

static enum sr_say
sr_word(const char *why)
{
    for (size_t i = 0; i < sizeof(sr_words) / sizeof(sr_words[0]); i++) {
        if (strncmp(why, sr_words[i].parser, strlen(sr_words[i].parser)) == 0)
            return sr_words[i].say;
    }
    return SR_OTHER;
}

static enum proto_status
sr_fail(const struct siftc_reply *r, struct sift_err *err)
{
    const struct http_response *resp = &r->rp.resp;
    enum sr_say say = sr_word(r->rp.err);
    struct strv v;

    if (r->rp.head.len == 0) /* in the status line, which the parser left in pend */
        return sr_unexpected(r->pend.p, r->pend.len, err);
    if (say == SR_LONG_LINE && resp->chunked)
        say = SR_OTHER; /* a chunk size or trailer line */
    switch (say) {
    case SR_CLOSED_HEAD:
        sift_err_set(err, "the server closed the connection in the reply headers");
        break;
    case SR_CLOSED_BODY:
        if (resp->chunked)
            sift_err_set(err, "the server closed the connection in a chunked reply body");
        else
            sift_err_set(err, "the server closed the connection %zu bytes into a %zu-byte body",
                         resp->body.len, resp->content_length);
        break;
    case SR_TOO_MANY:
        sift_err_set(err, "too many headers in the reply");
        break;
    case SR_LONG_LINE:
        sift_err_set(err, "reply headers too long");
        break;
    case SR_BAD_LINE:
        sr_bad_line(r, err);
        break;
    case SR_BAD_LENGTH:
        v = sr_value(r, "Content-Length");
        sift_err_set(err, "bad Content-Length in the reply: %.*s", (int)v.len, v.p);
        break;
    case SR_HUGE_LENGTH:
        v = sr_value(r, "Content-Length");
        sift_err_set(err, "reply body too large (%.*s bytes)", (int)v.len, v.p);
        break;
    case SR_BAD_CODING:
        v = sr_value(r, "Transfer-Encoding");
        sift_err_set(err, "unsupported Transfer-Encoding in the reply: %.*s", (int)v.len, v.p);
        break;
    case SR_BAD_CHUNK:
        sift_err_set(err, "bad chunk size in the reply");
        break;
    case SR_NO_CRLF:
        sift_err_set(err, "no CRLF after a chunk in the reply");
        break;
    case SR_TOO_LARGE:
        sift_err_set(err, "reply body too large");
        break;
    case SR_OTHER:
        sift_err_set(err, "bad reply: %s", r->rp.err);
        break;
    }
    return PROTO_ERROR;
}

/* The parser has the reply; what siftc adds to it. */
static enum proto_status
sr_done(struct siftc_reply *r, bool eof)
{
    struct http_response *resp = &r->rp.resp;
    size_t take;

    /* a 204 or 304 has no body, but rspamd sends one with its 204s */
    if ((resp->status == 204 || resp->status == 304) && resp->has_length) {
        take = resp->content_length - resp->body.len;
        take = take < r->pend.len ? take : r->pend.len;
        buf_append(&resp->body, r->pend.p, take);
        buf_consume(&r->pend, take);
        if (resp->body.len < resp->content_length && !eof)
            return PROTO_MORE;
    }
    resp->reason = strv_trim(resp->reason);
    return PROTO_DONE;
}

enum proto_status
siftc_reply_feed(struct siftc_reply *r, const char *p, size_t len, struct sift_err *err)
{
    enum proto_status st;
    size_t used;

    buf_append(&r->pend, p, len);
    st = http_response_feed(&r->rp, r->pend.p, r->pend.len, &used);
    buf_consume(&r->pend, used);
    /* the parser reads the status line as head takes it, and takes codes up to 999 */
    if (r->rp.head.len > 0 && r->rp.resp.status > 599)
        return sr_unexpected(r->rp.head.p, r->rp.head.len, err);
    if (st == PROTO_ERROR)
        return sr_fail(r, err);
    if (st == PROTO_DONE)
        return sr_done(r, false);
    /* the parser bounds each line; siftc bounds the head too */
    if (r->rp.state == HTTP_RS_HEAD && r->rp.head.len + r->pend.len > SIFTC_REPLY_MAX_HEAD) {
        if (r->rp.head.len == 0)
            return sr_unexpected(r->pend.p, r->pend.len, err);
        sift_err_set(err, "reply headers too long");
        return PROTO_ERROR;
    }
    return PROTO_MORE;
}

enum proto_status
siftc_reply_eof(struct siftc_reply *r, struct sift_err *err)
{
    if (http_response_eof(&r->rp) == PROTO_ERROR)
        return sr_fail(r, err);
    return sr_done(r, true);
}

int
siftc_reply_decode(struct siftc_reply *r, struct sift_err *err)
{
    struct http_response *resp = &r->rp.resp;
    const struct strv *ce = http_response_header(resp, "content-encoding");
    const struct strv *comp = http_response_header(resp, "compression");
    struct buf out;

    if (ce != NULL && !strv_caseeq(*ce, "zstd") && !strv_caseeq(*ce, "identity")) {
        sift_err_set(err, "unsupported Content-Encoding in the reply: %.*s", (int)ce->len, ce->p);
        return -1;
    }
    if ((ce == NULL || !strv_caseeq(*ce, "zstd")) && (comp == NULL || !strv_caseeq(*comp, "zstd")))
        return 0;
    buf_init(&out);
    if (siftc_zstd_decompress(resp->body.p, resp->body.len, SIFTC_REPLY_MAX_BODY, &out, err) ==
        -1) {
        buf_clear(&out);
        return -1;
    }
    buf_clear(&resp->body);
    resp->body = out;
    return 0;
}

int
siftc_zstd_decompress(const char *src, size_t len, size_t max, struct buf *out,
                      struct sift_err *err)
{
    char why[256];

    if (rspamd_zstd_decompress(src, len, max, out, why, sizeof(why)) == 0)
        return 0;
    if (out->len > max) /* the one failure that leaves more than max bytes */
        sift_err_set(err, "zstd: decompressed reply larger than %zu bytes", max);
    else
        sift_err_set(err, "zstd: %s", why);
    return -1;
}

/* --- the request ---------------------------------------------------------- */

void
siftc_request_head(struct buf *out, const char *method, const char *path,
                   const struct siftc_addr *a, const char *extra, size_t body_len)
{
    buf_printf(out, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\nUser-Agent: siftc\r\n",
               method, path, a->host_hdr);
    if (body_len > 0 || strcmp(method, "POST") == 0)
        buf_printf(out, "Content-Length: %zu\r\n", body_len);
    if (extra != NULL)
        buf_puts(out, extra);
    buf_puts(out, "\r\n");
}

/* --- the connection ------------------------------------------------------- */

static void sc_fail(struct siftc_conn *c, enum siftc_fail why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
sc_fail(struct siftc_conn *c, enum siftc_fail why, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->err.msg, sizeof(c->err.msg), fmt, ap);
    va_end(ap);
    c->fail = why;
    c->state = SIFTC_FAILED;
    if (c->fd != -1)
        close(c->fd);
    c->fd = -1;
}

/* Try the TCP addresses from c->next_ai on: connecting, or failed. */
static void
sc_connect_next(struct siftc_conn *c, int last_errno)
{
    if (c->fd != -1)
        close(c->fd);
    c->fd = -1;
    while (c->next_ai != NULL) {
        const struct addrinfo *ai = c->next_ai;

        c->next_ai = ai->ai_next;
        c->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (c->fd == -1) {
            last_errno = errno;
            continue;
        }
        if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            c->state = SIFTC_SENDING;
            return;
        }
        if (errno == EINPROGRESS) {
            c->state = SIFTC_CONNECTING;
            return;
        }
        last_errno = errno;
        close(c->fd);
        c->fd = -1;
    }
    sc_fail(c, SIFTC_FAIL_CONNECT, "cannot connect to %s: %s", c->addr->text,
            last_errno ? strerror(last_errno) : "no address");
}

/* A Unix socket connects at once or not at all (EAGAIN: its backlog is full). */
static void
sc_connect_unix(struct siftc_conn *c)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };

    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", c->addr->path);
    c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (c->fd == -1 || connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
        sc_fail(c, SIFTC_FAIL_CONNECT, "cannot connect to %s: %s", c->addr->text, strerror(errno));
        return;
    }
    c->state = SIFTC_SENDING;
}

void
siftc_conn_start(struct siftc_conn *c, const struct siftc_addr *a, struct buf *req, double deadline)
{
    memset(c, 0, sizeof(*c));
    c->fd = -1;
    c->addr = a;
    c->next_ai = a->is_unix ? NULL : a->ai;
    c->req = *req;
    buf_init(req);
    siftc_reply_init(&c->rep);
    c->deadline = deadline;
    if (a->is_unix)
        sc_connect_unix(c);
    else
        sc_connect_next(c, 0);
}

short
siftc_conn_events(const struct siftc_conn *c)
{
    switch (c->state) {
    case SIFTC_CONNECTING:
    case SIFTC_SENDING:
        return POLLOUT;
    case SIFTC_RECEIVING:
        return POLLIN;
    case SIFTC_DONE:
    case SIFTC_FAILED:
        break;
    }
    return 0;
}

/* Act on the reply reader's verdict; true when the exchange is over. */
static bool
sc_reply(struct siftc_conn *c, enum proto_status st, const struct sift_err *err)
{
    struct sift_err derr;

    switch (st) {
    case PROTO_MORE:
        return false;
    case PROTO_ERROR:
        sc_fail(c, SIFTC_FAIL_REPLY, "%s", err->msg);
        return true;
    case PROTO_DONE:
        break;
    }
    if (siftc_reply_decode(&c->rep, &derr) == -1) {
        sc_fail(c, SIFTC_FAIL_REPLY, "%s", derr.msg);
        return true;
    }
    close(c->fd);
    c->fd = -1;
    c->state = SIFTC_DONE;
    return true;
}

static void
sc_send(struct siftc_conn *c)
{
    while (c->sent < c->req.len) {
        ssize_t n = send(c->fd, c->req.p + c->sent, c->req.len - c->sent, MSG_NOSIGNAL);

        if (n > 0) {
            c->sent += (size_t)n;
            continue;
        }
        if (n == -1 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n == -1 && (errno == EPIPE || errno == ECONNRESET)) {
            /* the server answered early (413, 401) and closed: read that */
            c->state = SIFTC_RECEIVING;
            return;
        }
        sc_fail(c, SIFTC_FAIL_IO, "%s: send: %s", c->addr->text, strerror(errno));
        return;
    }
    c->state = SIFTC_RECEIVING;
}

static void
sc_recv(struct siftc_conn *c)
{
    char chunk[64 * 1024];
    struct sift_err err;

    for (;;) {
        ssize_t n = recv(c->fd, chunk, sizeof(chunk), 0);

        if (n > 0) {
            if (sc_reply(c, siftc_reply_feed(&c->rep, chunk, (size_t)n, &err), &err))
                return;
            continue;
        }
        if (n == -1 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n == 0 || errno == ECONNRESET) {
            sc_reply(c, siftc_reply_eof(&c->rep, &err), &err);
            return;
        }
        sc_fail(c, SIFTC_FAIL_IO, "%s: recv: %s", c->addr->text, strerror(errno));
        return;
    }
}

void
siftc_conn_step(struct siftc_conn *c, short revents, double now)
{
    if (c->state == SIFTC_CONNECTING && (revents & (POLLOUT | POLLERR | POLLHUP))) {
        int soerr = 0;
        socklen_t sl = sizeof(soerr);

        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1)
            soerr = errno;
        if (soerr != 0)
            sc_connect_next(c, soerr);
        else
            c->state = SIFTC_SENDING;
    }
    if (c->state == SIFTC_SENDING && (revents & (POLLOUT | POLLERR | POLLHUP)))
        sc_send(c);
    if (c->state == SIFTC_RECEIVING && (revents & (POLLIN | POLLERR | POLLHUP | POLLOUT)))
        sc_recv(c);
    if ((c->state == SIFTC_CONNECTING || c->state == SIFTC_SENDING ||
         c->state == SIFTC_RECEIVING) &&
        now >= c->deadline)
        sc_fail(c, SIFTC_FAIL_TIMEOUT, "%s: timed out", c->addr->text);
}

void
siftc_conn_clear(struct siftc_conn *c)
{
    if (c->fd != -1)
        close(c->fd);
    c->fd = -1;
    buf_clear(&c->req);
    siftc_reply_clear(&c->rep);
}
