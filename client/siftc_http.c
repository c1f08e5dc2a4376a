/*
 * siftc_http.c - siftc's HTTP/1.1 client (see siftc_http.h).
 * The reply is read whole and parsed again after each read until it is
 * complete: replies are small (a scan result, a statistics object), and
 * the parse of the head and the chunk walk are cheap next to a recv.
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
#include <zstd.h>

#include "core/arena.h"
#include "core/bind_spec.h"

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

void
siftc_reply_init(struct siftc_reply *r)
{
    memset(r, 0, sizeof(*r));
    buf_init(&r->body);
}

void
siftc_reply_clear(struct siftc_reply *r)
{
    buf_clear(&r->body);
}

const struct strv *
siftc_reply_header(const struct siftc_reply *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strv_caseeq(r->headers[i].name, name))
            return &r->headers[i].value;
    return NULL;
}

/* One line at p[off..len): its end (without CR LF or LF) in *end and the
 * start of the next in *next; false when there is no LF yet. */
static bool
sr_line(const char *p, size_t len, size_t off, size_t *end, size_t *next)
{
    const char *nl = memchr(p + off, '\n', len - off);

    if (nl == NULL)
        return false;
    *next = (size_t)(nl - p) + 1;
    *end = (size_t)(nl - p);
    if (*end > off && p[*end - 1] == '\r')
        (*end)--;
    return true;
}

/* "HTTP/1.x NNN reason" */
static int
sr_status(const char *p, size_t n, struct siftc_reply *r, struct sift_err *err)
{
    if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0 || p[7] < '0' || p[7] > '9' || p[8] != ' ' ||
        p[9] < '1' || p[9] > '5' || p[10] < '0' || p[10] > '9' || p[11] < '0' || p[11] > '9' ||
        (n > 12 && p[12] != ' ')) {
        sift_err_set(err, "unexpected reply: %.*s", (int)(n < 200 ? n : 200), p);
        return -1;
    }
    r->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    r->reason = strv_trim(n > 12 ? strv_make(p + 13, n - 13) : strv_make(p + n, 0));
    return 0;
}

static int
sr_header(const char *p, size_t n, struct siftc_reply *r, struct sift_err *err)
{
    const char *colon = memchr(p, ':', n);

    if (p[0] == ' ' || p[0] == '\t') {
        sift_err_set(err, "folded header line in the reply");
        return -1;
    }
    if (colon == NULL || colon == p) {
        sift_err_set(err, "bad header line in the reply: %.*s", (int)(n < 100 ? n : 100), p);
        return -1;
    }
    if (r->nheaders == SIFTC_REPLY_MAX_HEADERS) {
        sift_err_set(err, "too many headers in the reply");
        return -1;
    }
    r->headers[r->nheaders].name = strv_trim(strv_make(p, (size_t)(colon - p)));
    r->headers[r->nheaders].value = strv_trim(strv_make(colon + 1, n - (size_t)(colon + 1 - p)));
    r->nheaders++;
    return 0;
}

/* Status line and headers from p[0..len); *head_len: their bytes. */
static enum proto_status
sr_head(const char *p, size_t len, bool eof, struct siftc_reply *r, size_t *head_len,
        struct sift_err *err)
{
    size_t off = 0, end, next;

    r->nheaders = 0;
    if (!sr_line(p, len, 0, &end, &next)) {
        if (len > SIFTC_REPLY_MAX_HEAD) {
            sift_err_set(err, "unexpected reply: %.*s", 200, p);
            return PROTO_ERROR;
        }
        if (!eof)
            return PROTO_MORE;
        if (len == 0)
            sift_err_set(err, "the server closed the connection without a reply");
        else
            sift_err_set(err, "unexpected reply: %.*s", (int)(len < 200 ? len : 200), p);
        return PROTO_ERROR;
    }
    if (sr_status(p, end, r, err) == -1)
        return PROTO_ERROR;
    for (off = next;;) {
        if (!sr_line(p, len, off, &end, &next)) {
            if (len > SIFTC_REPLY_MAX_HEAD) {
                sift_err_set(err, "reply headers too long");
                return PROTO_ERROR;
            }
            if (!eof)
                return PROTO_MORE;
            sift_err_set(err, "the server closed the connection in the reply headers");
            return PROTO_ERROR;
        }
        if (end == off)
            break;
        if (sr_header(p + off, end - off, r, err) == -1)
            return PROTO_ERROR;
        off = next;
    }
    *head_len = next;
    return PROTO_DONE;
}

/* A Content-Length value: digits only, within the body limit. */
static int
sr_length(const struct strv *v, size_t *out, struct sift_err *err)
{
    size_t n = 0;

    if (v->len == 0)
        goto bad;
    for (size_t i = 0; i < v->len; i++) {
        if (v->p[i] < '0' || v->p[i] > '9')
            goto bad;
        n = n * 10 + (size_t)(v->p[i] - '0');
        if (n > SIFTC_REPLY_MAX_BODY) {
            sift_err_set(err, "reply body too large (%.*s bytes)", (int)v->len, v->p);
            return -1;
        }
    }
    *out = n;
    return 0;
bad:
    sift_err_set(err, "bad Content-Length in the reply: %.*s", (int)v->len, v->p);
    return -1;
}

/* De-chunk p[0..len) into r->body. */
static enum proto_status
sr_chunked(const char *p, size_t len, bool eof, struct siftc_reply *r, struct sift_err *err)
{
    size_t off = 0, end, next;

    buf_reset(&r->body);
    for (;;) {
        size_t size = 0, i;

        if (!sr_line(p, len, off, &end, &next))
            goto more;
        for (i = off; i < end && strv_hexval((unsigned char)p[i]) >= 0; i++) {
            size = size * 16 + (size_t)strv_hexval((unsigned char)p[i]);
            if (size > SIFTC_REPLY_MAX_BODY) {
                sift_err_set(err, "reply body too large");
                return PROTO_ERROR;
            }
        }
        if (i == off || (i < end && p[i] != ';' && p[i] != ' ' && p[i] != '\t')) {
            sift_err_set(err, "bad chunk size in the reply");
            return PROTO_ERROR;
        }
        off = next;
        if (size == 0)
            break;
        if (len - off < size)
            goto more;
        if (r->body.len + size > SIFTC_REPLY_MAX_BODY) {
            sift_err_set(err, "reply body too large");
            return PROTO_ERROR;
        }
        buf_append(&r->body, p + off, size);
        off += size;
        if (!sr_line(p, len, off, &end, &next))
            goto more;
        if (end != off) {
            sift_err_set(err, "no CRLF after a chunk in the reply");
            return PROTO_ERROR;
        }
        off = next;
    }
    for (;;) { /* trailers, up to the empty line */
        if (!sr_line(p, len, off, &end, &next))
            goto more;
        if (end == off)
            return PROTO_DONE;
        off = next;
    }
more:
    if (!eof)
        return PROTO_MORE;
    sift_err_set(err, "the server closed the connection in a chunked reply body");
    return PROTO_ERROR;
}

enum proto_status
siftc_reply_parse(const char *p, size_t len, bool eof, struct siftc_reply *r, struct sift_err *err)
{
    const struct strv *te, *cl;
    enum proto_status st;
    size_t head, want;

    for (;;) {
        st = sr_head(p, len, eof, r, &head, err);
        if (st != PROTO_DONE)
            return st;
        if (r->status >= 200)
            break;
        p += head; /* 100 Continue and friends: the real reply follows */
        len -= head;
    }
    p += head;
    len -= head;
    buf_reset(&r->body);
    te = siftc_reply_header(r, "transfer-encoding");
    cl = siftc_reply_header(r, "content-length");
    if (te != NULL && !strv_caseeq(*te, "identity")) {
        if (!strv_caseeq(*te, "chunked")) {
            sift_err_set(err, "unsupported Transfer-Encoding in the reply: %.*s", (int)te->len,
                         te->p);
            return PROTO_ERROR;
        }
        return sr_chunked(p, len, eof, r, err);
    }
    if (cl != NULL) {
        if (sr_length(cl, &want, err) == -1)
            return PROTO_ERROR;
        /* a 204 or 304 has no body, but rspamd sends one with its 204s */
        if (len < want && (r->status == 204 || r->status == 304) && eof)
            want = len;
        if (len < want) {
            if (!eof)
                return PROTO_MORE;
            sift_err_set(err, "the server closed the connection %zu bytes into a %zu-byte body",
                         len, want);
            return PROTO_ERROR;
        }
        buf_append(&r->body, p, want);
        return PROTO_DONE;
    }
    if (r->status == 204 || r->status == 304) {
        return PROTO_DONE;
    }
    if (len > SIFTC_REPLY_MAX_BODY) {
        sift_err_set(err, "reply body too large");
        return PROTO_ERROR;
    }
    if (!eof)
        return PROTO_MORE; /* no length: the body ends when the server closes */
    buf_append(&r->body, p, len);
    return PROTO_DONE;
}

int
siftc_reply_decode(struct siftc_reply *r, struct sift_err *err)
{
    const struct strv *ce = siftc_reply_header(r, "content-encoding");
    const struct strv *comp = siftc_reply_header(r, "compression");
    struct buf out;

    if (ce != NULL && !strv_caseeq(*ce, "zstd") && !strv_caseeq(*ce, "identity")) {
        sift_err_set(err, "unsupported Content-Encoding in the reply: %.*s", (int)ce->len, ce->p);
        return -1;
    }
    if ((ce == NULL || !strv_caseeq(*ce, "zstd")) && (comp == NULL || !strv_caseeq(*comp, "zstd")))
        return 0;
    buf_init(&out);
    if (siftc_zstd_decompress(r->body.p, r->body.len, SIFTC_REPLY_MAX_BODY, &out, err) == -1) {
        buf_clear(&out);
        return -1;
    }
    buf_clear(&r->body);
    r->body = out;
    return 0;
}

/* --- zstd ----------------------------------------------------------------- */

void
siftc_zstd_compress(const char *src, size_t len, struct buf *out)
{
    size_t bound = ZSTD_compressBound(len), n;

    buf_reserve(out, bound);
    n = ZSTD_compress(out->p + out->len, bound, src, len, ZSTD_CLEVEL_DEFAULT);
    if (ZSTD_isError(n)) { /* only with a bad bound: a bug here */
        fprintf(stderr, "siftc: zstd: %s\n", ZSTD_getErrorName(n));
        abort();
    }
    out->len += n;
    out->p[out->len] = '\0';
}

int
siftc_zstd_decompress(const char *src, size_t len, size_t max, struct buf *out,
                      struct sift_err *err)
{
    ZSTD_DStream *ds = ZSTD_createDStream();
    ZSTD_inBuffer in = { src, len, 0 };
    size_t ret = 1;
    int rc = -1;

    if (ds == NULL) {
        sift_err_set(err, "zstd: out of memory");
        return -1;
    }
    ZSTD_initDStream(ds);
    while (in.pos < in.size || ret != 0) {
        ZSTD_outBuffer o;
        size_t before = in.pos;

        buf_reserve(out, 64 * 1024);
        o = (ZSTD_outBuffer){ out->p + out->len, out->cap - out->len - 1, 0 };
        ret = ZSTD_decompressStream(ds, &o, &in);
        if (ZSTD_isError(ret)) {
            sift_err_set(err, "zstd: %s", ZSTD_getErrorName(ret));
            goto out;
        }
        out->len += o.pos;
        out->p[out->len] = '\0';
        if (out->len > max) {
            sift_err_set(err, "zstd: decompressed reply larger than %zu bytes", max);
            goto out;
        }
        if (in.pos == in.size && ret != 0 && o.pos == 0 && before == in.pos) {
            sift_err_set(err, "zstd: truncated frame");
            goto out;
        }
    }
    rc = 0;
out:
    ZSTD_freeDStream(ds);
    return rc;
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
    buf_init(&c->in);
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

/* Parse what came; done or failed when it is complete or broken. */
static void
sc_parse(struct siftc_conn *c, bool eof)
{
    struct sift_err err;

    switch (siftc_reply_parse(c->in.p, c->in.len, eof, &c->rep, &err)) {
    case PROTO_MORE:
        return;
    case PROTO_ERROR:
        sc_fail(c, SIFTC_FAIL_REPLY, "%s", err.msg);
        return;
    case PROTO_DONE:
        break;
    }
    if (siftc_reply_decode(&c->rep, &err) == -1) {
        sc_fail(c, SIFTC_FAIL_REPLY, "%s", err.msg);
        return;
    }
    close(c->fd);
    c->fd = -1;
    c->state = SIFTC_DONE;
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
    for (;;) {
        ssize_t n;

        buf_reserve(&c->in, 64 * 1024);
        n = recv(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len - 1, 0);
        if (n > 0) {
            c->in.len += (size_t)n;
            c->in.p[c->in.len] = '\0';
            if (c->in.len > SIFTC_REPLY_MAX_HEAD + SIFTC_REPLY_MAX_BODY) {
                sc_fail(c, SIFTC_FAIL_REPLY, "reply too large");
                return;
            }
            continue;
        }
        if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
            sc_parse(c, false);
            return;
        }
        if (n == 0 || errno == ECONNRESET) {
            sc_parse(c, true);
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
    buf_clear(&c->in);
    siftc_reply_clear(&c->rep);
}
