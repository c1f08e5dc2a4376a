/*
 * bench_spamd_load.c - a load driver for spamd servers (siftd's spamd worker
 * or SpamAssassin's spamd) and for HTTP scanners (siftd's normal worker or
 * rspamd, `--http /checkv2`), over TCP or a Unix socket.
 *
 * The messages are read into memory first (directories recursively; files
 * over --max-size, default 512000 bytes, are skipped: spamc would not send
 * them). Then
 * CONCURRENCY connections are kept in flight, one request per connection as
 * spamd wants it: the request as spamc 4 writes it, a half-close, the reply
 * read to EOF. Every reply is checked (status `SPAMD/1.1 0 EX_OK`, a `Spam:`
 * header, a Content-length that matches) and failures are counted by kind.
 * The messages go out in a shuffled order (fixed by --seed; 0: sorted by
 * path), so that a short run sees ham and spam alike and two runs send the
 * same sequence.
 * One thread and epoll, so that the server, not the driver, gets the CPU.
 *
 * With --http PATH each request is `POST PATH HTTP/1.1` with the message as
 * its body, as rspamc and MTAs send it: Content-Length, `Connection: close`
 * (or keep-alive with --keepalive: a connection is used again until the
 * server says close) and, when given, the scan headers IP, Helo, From, Rcpt
 * and User (-u; none by default here: rspamd takes a User as an
 * authenticated sender). No half-close: an HTTP server may take it for a
 * client gone. The reply is read as far as its Content-Length (to EOF
 * without one) and passes with status 200 and a JSON object whose top level
 * has "score" and an "action" string; an action other than "no action" and
 * "greylist" counts as spam.
 *
 *   build/bench_spamd_load [-h HOST] [-p PORT] [-U SOCKET] [-u USER] [-c CONCURRENCY]
 *       [-n REQUESTS | -t SECONDS] [-m CHECK|SYMBOLS|REPORT|PROCESS|...]
 *       [--warmup N] [--timeout SECONDS] [--max-size BYTES] [--seed N] [--json] PATH...
 *   build/bench_spamd_load --http /checkv2 [--keepalive] [--ip ADDR] [--helo NAME]
 *       [--from ADDR] [--rcpt ADDR]... [the options above but -m] PATH...
 *
 * -u sets the User: header (default bench for spamd; -u '' sends none), -U
 * connects to a Unix socket instead of HOST:PORT.
 *
 * Without arguments it prints a usage hint and exits 0: `make bench` runs
 * every bench binary so; scripts/bench-spamd.py and scripts/bench-http.py
 * are what run this one. The options, corpus, loop and figures it shares
 * with bench_milter_load are in load_common.c; this file is the spamd and
 * HTTP side.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/xmalloc.h"
#include "load_common.h"

#define LOAD_READ_CHUNK 65536

/* How a request ended: a reply that passed, or the kind of failure. */
enum load_result {
    LOAD_OK_HAM = -2,
    LOAD_OK_SPAM = -1,
    LOAD_ERR_CONNECT = 0, /* connect() failed or was refused */
    LOAD_ERR_STATUS,      /* a status line other than SPAMD/1.1 0 EX_OK */
    LOAD_ERR_EOF,         /* EOF before a whole reply header */
    LOAD_ERR_REPLY,       /* EX_OK but no Spam: header, or a wrong Content-length */
    LOAD_ERR_TIMEOUT,     /* no reply within --timeout */
    LOAD_ERR_IO,          /* reset or other socket error with nothing read */
    LOAD_ERR_N
};

static const char *const load_err_names[LOAD_ERR_N] = {
    "connect", "status", "eof", "reply", "timeout", "io",
};

enum slot_state { SLOT_IDLE, SLOT_CONNECTING, SLOT_WRITING, SLOT_READING };

struct slot {
    int fd;
    enum slot_state state;
    size_t req;  /* index into load.reqs */
    size_t sent; /* bytes of the request written */
    struct buf in;
    double start, deadline;
    /* HTTP: the connection was kept from an earlier request; the whole
     * reply's length once its header is in (0: not yet, or to EOF); keep
     * the connection after this reply */
    bool reused, keep;
    size_t want;
};

/* The options of this driver; the common ones are in load.r.o. */
struct opts {
    const char *unix_path, *method, *user;
    /* HTTP mode: the path POSTed to (NULL: spamd), the scan headers */
    const char *http_path, *ip, *helo, *from;
    const char **rcpts;
    size_t nrcpts;
    bool keepalive, user_set, method_set;
    char http_method[256]; /* "POST PATH", what method points to in HTTP mode */
};

struct load {
    struct load_run r;
    struct opts o;
    /* the requests, one per message, built once */
    struct buf *reqs;
    size_t nreqs, cap;
    size_t next; /* next request to send, cycling */
    struct slot *slots;
    /* the measured phase's results beyond load_run's */
    size_t spam;
    size_t connects; /* connections opened (HTTP mode reports them) */
    bool warned;     /* of a failure during the warm-up */
};

/* --- messages ------------------------------------------------------------ */

/* The head of an HTTP scan request for a body of len bytes: rspamc's
 * headers, with HTTP/1.1 and Host so that a keep-alive is possible. */
static void
http_request_head(const struct load *l, struct buf *req, size_t len)
{
    buf_printf(req, "POST %s HTTP/1.1\r\n", l->o.http_path);
    buf_printf(req, "Host: %s\r\n", l->o.unix_path != NULL ? "localhost" : l->r.target);
    buf_printf(req, "Content-Length: %zu\r\n", len);
    buf_printf(req, "Connection: %s\r\n", l->o.keepalive ? "keep-alive" : "close");
    if (l->o.ip != NULL)
        buf_printf(req, "IP: %s\r\n", l->o.ip);
    if (l->o.helo != NULL)
        buf_printf(req, "Helo: %s\r\n", l->o.helo);
    if (l->o.from != NULL)
        buf_printf(req, "From: %s\r\n", l->o.from);
    for (size_t i = 0; i < l->o.nrcpts; i++)
        buf_printf(req, "Rcpt: %s\r\n", l->o.rcpts[i]);
    if (l->o.user_set && l->o.user[0] != '\0')
        buf_printf(req, "User: %s\r\n", l->o.user);
    buf_puts(req, "\r\n");
}

/* A message read (load_msg_fn): keep it as a whole request. */
static void
request_add(void *ctx, const char *text, size_t len)
{
    struct load *l = ctx;
    struct buf *req;

    if (l->nreqs == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->reqs = xreallocarray(l->reqs, l->cap, sizeof(*l->reqs));
    }
    req = &l->reqs[l->nreqs++];
    buf_init(req);
    if (l->o.http_path != NULL) {
        http_request_head(l, req, len);
    } else {
        /* spamc 4's header order: User, then Content-length */
        buf_printf(req, "%s SPAMC/1.5\r\n", l->o.method);
        if (l->o.user[0] != '\0')
            buf_printf(req, "User: %s\r\n", l->o.user);
        buf_printf(req, "Content-length: %zu\r\n\r\n", len);
    }
    buf_append(req, text, len);
}

/* --- results ------------------------------------------------------------- */

/* A request is over: count it (in the measured phase) and free the slot. */
static void
slot_finish(struct load *l, struct slot *s, enum load_result res, const char *what, size_t len)
{
    if (l->r.record) {
        if (res >= 0) {
            load_count_error(&l->r, (size_t)res, what, len);
        } else {
            load_count_ok(&l->r, load_now() - s->start);
            l->spam += res == LOAD_OK_SPAM;
        }
    } else if (res >= 0 && !l->warned) {
        /* a warm-up failure is not counted, but say why once */
        fprintf(stderr, "bench_spamd_load: warm-up: %s: %.*s\n", load_err_names[res],
                (int)(len > 120 ? 120 : len), what);
        l->warned = true;
    }
    if (s->keep) {
        s->keep = false; /* an HTTP keep-alive: the next request goes on it */
    } else {
        if (s->fd != -1)
            close(s->fd); /* also leaves the epoll set */
        s->fd = -1;
    }
    s->state = SLOT_IDLE;
    l->r.active--;
}

/* The value of header name in hdr[0..len) (CRLF lines), or NULL. */
static const char *
reply_header(const char *hdr, size_t len, const char *name, size_t *vlen)
{
    size_t nlen = strlen(name);
    const char *p = hdr, *end = hdr + len;

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t llen = (size_t)((eol ? eol : end) - p);

        if (llen > 0 && p[llen - 1] == '\r')
            llen--;
        if (llen >= nlen && memcmp(p, name, nlen) == 0) {
            *vlen = llen - nlen;
            return p + nlen;
        }
        if (eol == NULL)
            break;
        p = eol + 1;
    }
    return NULL;
}

/* Judge a whole reply as spamc would; on failure *what[0..*len) says why. */
static enum load_result
reply_judge(const char *method, const char *r, size_t len, const char **what, size_t *wlen)
{
    static const char ok_line[] = "SPAMD/1.1 0 EX_OK";
    const char *nl, *hend, *v, *cl;
    size_t slen, hlen, vlen, cllen, body;
    bool is_check = strcmp(method, "CHECK") == 0;
    /* REPORT_IFSPAM says Yes/No where the others say True/False (an SA quirk) */
    bool ifspam = strcmp(method, "REPORT_IFSPAM") == 0;
    const char *yes = ifspam ? "Yes" : "True", *no = ifspam ? "No" : "False";
    char flag[8];
    double score, thr;

#define REPLY_FAIL(kind, p, n) (*what = (p), *wlen = (n), (kind))
    if (len == 0)
        return REPLY_FAIL(LOAD_ERR_EOF, "no reply", 8);
    nl = memchr(r, '\n', len);
    slen = (size_t)((nl ? nl : r + len) - r);
    if (slen > 0 && r[slen - 1] == '\r')
        slen--;
    if (slen != sizeof(ok_line) - 1 || memcmp(r, ok_line, slen) != 0)
        return REPLY_FAIL(LOAD_ERR_STATUS, r, slen);
    if ((hend = memmem(r, len, "\r\n\r\n", 4)) == NULL)
        return REPLY_FAIL(LOAD_ERR_EOF, "reply header cut short", 22);
    body = len - (size_t)(hend + 4 - r);
    hlen = (size_t)(hend + 2 - (nl + 1));
    if ((v = reply_header(nl + 1, hlen, "Spam: ", &vlen)) == NULL)
        return REPLY_FAIL(LOAD_ERR_REPLY, "no Spam: header", 15);
    /* r is NUL-terminated, so sscanf stops at the end at the latest */
    if (vlen >= 64 || sscanf(v, "%7s ; %lf / %lf", flag, &score, &thr) != 3 ||
        (strcmp(flag, yes) != 0 && strcmp(flag, no) != 0))
        return REPLY_FAIL(LOAD_ERR_REPLY, v - 6, vlen + 6);
    cl = reply_header(nl + 1, hlen, "Content-length: ", &cllen);
    if (cl == NULL && !is_check) /* spamc needs it for every method but CHECK */
        return REPLY_FAIL(LOAD_ERR_REPLY, "no Content-length", 17);
    if (cl != NULL && strtoull(cl, NULL, 10) != body)
        return REPLY_FAIL(LOAD_ERR_REPLY, "Content-length mismatch", 23);
    if (is_check && body != 0)
        return REPLY_FAIL(LOAD_ERR_REPLY, "CHECK reply with a body", 23);
#undef REPLY_FAIL
    return strcmp(flag, yes) == 0 ? LOAD_OK_SPAM : LOAD_OK_HAM;
}

/* --- HTTP replies -------------------------------------------------------- */

/* The value of header name, in any case, in hdr[0..len) (CRLF lines),
 * leading blanks skipped; or NULL. */
static const char *
http_header(const char *hdr, size_t len, const char *name, size_t *vlen)
{
    size_t nlen = strlen(name);
    const char *p = hdr, *end = hdr + len;

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t llen = (size_t)((eol ? eol : end) - p);

        if (llen > 0 && p[llen - 1] == '\r')
            llen--;
        if (llen > nlen && p[nlen] == ':' && strncasecmp(p, name, nlen) == 0) {
            const char *v = p + nlen + 1, *vend = p + llen;

            while (v < vend && (*v == ' ' || *v == '\t'))
                v++;
            *vlen = (size_t)(vend - v);
            return v;
        }
        if (eol == NULL)
            break;
        p = eol + 1;
    }
    return NULL;
}

/* The length of the head of reply r[0..len), its empty line included; 0
 * while it is not all in. */
static size_t
http_head_len(const char *r, size_t len)
{
    const char *e = memmem(r, len, "\r\n\r\n", 4);

    return e == NULL ? 0 : (size_t)(e - r) + 4;
}

/* The Content-Length of a reply head, or -1 without a valid one. */
static long long
http_content_length(const char *head, size_t hlen)
{
    size_t vlen;
    const char *v = http_header(head, hlen, "Content-Length", &vlen);
    char *end;
    unsigned long long n;

    if (v == NULL || vlen == 0 || !isdigit((unsigned char)*v))
        return -1;
    n = strtoull(v, &end, 10); /* the reply is NUL-terminated */
    if (end != v + vlen || n > LLONG_MAX / 2)
        return -1;
    return (long long)n;
}

/* Whether the reply in s->in is all in: a head and Content-Length bytes of
 * body. A reply without Content-Length ends at EOF. */
static bool
http_reply_whole(struct slot *s)
{
    if (s->want == 0) {
        size_t hlen = http_head_len(s->in.p, s->in.len);
        long long cl;

        if (hlen == 0 || (cl = http_content_length(s->in.p, hlen)) < 0)
            return false;
        s->want = hlen + (size_t)cl;
    }
    return s->in.len >= s->want;
}

/* Where the value of key starts in the JSON object p[0..end), if key is one
 * of its own keys (not one of an object within); or NULL. Strings are
 * skipped with their escapes, so a brace or a key inside one does not count. */
static const char *
json_top_value(const char *p, const char *end, const char *key)
{
    size_t klen = strlen(key);
    int depth = 0;

    for (; p < end; p++) {
        const char *k;

        if (*p == '{' || *p == '[') {
            depth++;
            continue;
        }
        if (*p == '}' || *p == ']') {
            depth--;
            continue;
        }
        if (*p != '"')
            continue;
        for (k = ++p; p < end && *p != '"'; p += *p == '\\' ? 2 : 1)
            ;
        if (p >= end)
            return NULL;
        if (depth == 1 && (size_t)(p - k) == klen && memcmp(k, key, klen) == 0) {
            const char *v = p + 1;

            while (v < end && isspace((unsigned char)*v))
                v++;
            if (v < end && *v == ':') {
                for (v++; v < end && isspace((unsigned char)*v); v++)
                    ;
                return v < end ? v : NULL;
            }
        }
    }
    return NULL;
}

/* Judge a whole HTTP scan reply; on failure *what[0..*wlen) says why. A
 * reply that passes may leave the connection open (s->keep) for the next. */
static enum load_result
http_judge(const struct load *l, struct slot *s, const char **what, size_t *wlen)
{
    const char *r = s->in.p, *nl, *body, *act, *act_end, *conn;
    size_t len = s->in.len, hlen, slen, blen, clen;
    long long cl;
    int minor, status;
    bool spam;

#define REPLY_FAIL(kind, p, n) (*what = (p), *wlen = (n), (kind))
    if (len == 0)
        return REPLY_FAIL(LOAD_ERR_EOF, "no reply", 8);
    nl = memchr(r, '\n', len);
    slen = (size_t)((nl ? nl : r + len) - r);
    if (slen > 0 && r[slen - 1] == '\r')
        slen--;
    /* r is NUL-terminated, so sscanf stops at the end at the latest */
    if (sscanf(r, "HTTP/1.%d %3d", &minor, &status) != 2 || status != 200)
        return REPLY_FAIL(LOAD_ERR_STATUS, r, slen);
    if ((hlen = http_head_len(r, len)) == 0)
        return REPLY_FAIL(LOAD_ERR_EOF, "reply header cut short", 22);
    body = r + hlen;
    blen = len - hlen;
    if ((cl = http_content_length(r, hlen)) >= 0 && blen < (size_t)cl)
        return REPLY_FAIL(LOAD_ERR_EOF, "reply body cut short", 20);
    if (cl >= 0 && blen > (size_t)cl)
        return REPLY_FAIL(LOAD_ERR_REPLY, "more bytes than Content-Length", 30);
    if (json_top_value(body, body + blen, "score") == NULL ||
        (act = json_top_value(body, body + blen, "action")) == NULL || *act != '"' ||
        (act_end = memchr(act + 1, '"', (size_t)(body + blen - act - 1))) == NULL)
        return REPLY_FAIL(LOAD_ERR_REPLY, body, blen);
#undef REPLY_FAIL
    act++;
    spam = !((size_t)(act_end - act) == 9 && memcmp(act, "no action", 9) == 0) &&
           !((size_t)(act_end - act) == 8 && memcmp(act, "greylist", 8) == 0);
    /* HTTP/1.1 keeps a framed connection unless the server says close */
    conn = http_header(r, hlen, "Connection", &clen);
    s->keep = l->o.keepalive && cl >= 0 && minor >= 1 &&
              !(conn != NULL && clen == 5 && strncasecmp(conn, "close", 5) == 0);
    return spam ? LOAD_OK_SPAM : LOAD_OK_HAM;
}

static void
slot_reply(struct load *l, struct slot *s)
{
    const char *what = NULL;
    size_t len = 0;
    enum load_result res;

    if (l->o.http_path != NULL)
        res = http_judge(l, s, &what, &len);
    else
        res = reply_judge(l->o.method, s->in.p, s->in.len, &what, &len);
    slot_finish(l, s, res, what, len);
}

/* --- the connections ----------------------------------------------------- */

static void
slot_fail_errno(struct load *l, struct slot *s, enum load_result res, int err)
{
    const char *text = strerror(err);

    slot_finish(l, s, res, text, strlen(text));
}

static void
slot_watch(struct load *l, struct slot *s, uint32_t events, int op)
{
    struct epoll_event ev = { .events = events, .data.u32 = (uint32_t)(s - l->slots) };

    if (epoll_ctl(l->r.ep, op, s->fd, &ev) == -1) {
        perror("bench_spamd_load: epoll_ctl");
        exit(1);
    }
}

static void slot_connect(struct load *l, struct slot *s);

/* A kept-alive connection the server closed before this request was
 * answered (it may close an idle one at any time): the request goes again
 * on a new connection, as an HTTP client does, and is not a failure. */
static void
slot_retry(struct load *l, struct slot *s)
{
    close(s->fd);
    s->fd = -1;
    s->sent = 0;
    s->want = 0;
    buf_reset(&s->in);
    slot_connect(l, s);
}

static void
slot_read(struct load *l, struct slot *s)
{
    bool http = l->o.http_path != NULL;

    for (;;) {
        ssize_t n;

        buf_reserve(&s->in, LOAD_READ_CHUNK);
        n = read(s->fd, s->in.p + s->in.len, LOAD_READ_CHUNK);
        if (n > 0) {
            s->in.len += (size_t)n;
            s->in.p[s->in.len] = '\0';
            if (http && http_reply_whole(s)) {
                slot_reply(l, s);
                return;
            }
            continue;
        }
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1 && errno == EAGAIN)
            return;
        if (http && s->reused && s->in.len == 0) {
            slot_retry(l, s);
            return;
        }
        /* EOF, or a reset after a reply: judge what came */
        if (n == 0 || s->in.len > 0)
            slot_reply(l, s);
        else
            slot_fail_errno(l, s, LOAD_ERR_IO, errno);
        return;
    }
}

static void
slot_write(struct load *l, struct slot *s)
{
    const struct buf *req = &l->reqs[s->req];

    while (s->sent < req->len) {
        ssize_t n = send(s->fd, req->p + s->sent, req->len - s->sent, MSG_NOSIGNAL);

        if (n >= 0) {
            s->sent += (size_t)n;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN)
            return;
        /* the server may have answered early (an error line) and closed */
        break;
    }
    /* an HTTP server may take a half-close for a client gone */
    if (l->o.http_path == NULL)
        shutdown(s->fd, SHUT_WR);
    s->state = SLOT_READING;
    slot_watch(l, s, EPOLLIN, EPOLL_CTL_MOD);
    slot_read(l, s);
}

static void
slot_connect(struct load *l, struct slot *s)
{
    /* as curl: the tail of a big HTTP request does not wait for an ACK */
    bool nodelay = l->o.http_path != NULL && l->r.addr.ss_family != AF_UNIX;

    s->reused = false;
    if (l->r.record)
        l->connects++;
    switch (load_connect(&l->r, nodelay, &s->fd)) {
    case 0:
        s->state = SLOT_WRITING;
        slot_watch(l, s, EPOLLOUT, EPOLL_CTL_ADD);
        slot_write(l, s);
        break;
    case 1:
        s->state = SLOT_CONNECTING;
        slot_watch(l, s, EPOLLOUT, EPOLL_CTL_ADD);
        break;
    default:
        slot_fail_errno(l, s, LOAD_ERR_CONNECT, errno);
    }
}

/* --- the slots, as load_run's loop sees them ----------------------------- */

static double
slot_deadline(void *ctx, size_t i)
{
    const struct load *l = ctx;

    return l->slots[i].state == SLOT_IDLE ? 0 : l->slots[i].deadline;
}

static void
slot_start(void *ctx, size_t i)
{
    struct load *l = ctx;
    struct slot *s = &l->slots[i];

    s->req = l->next;
    l->next = (l->next + 1) % l->nreqs;
    l->r.started++;
    l->r.active++;
    s->sent = 0;
    s->want = 0;
    buf_reset(&s->in);
    s->start = load_now();
    s->deadline = s->start + l->r.o.timeout;
    if (s->fd == -1) {
        slot_connect(l, s);
        return;
    }
    /* HTTP keep-alive: the connection of the last request */
    s->reused = true;
    s->state = SLOT_WRITING;
    slot_watch(l, s, EPOLLOUT, EPOLL_CTL_MOD);
    slot_write(l, s);
}

static void
slot_ready(void *ctx, size_t i)
{
    struct load *l = ctx;
    struct slot *s = &l->slots[i];
    int err = 0;
    socklen_t elen = sizeof(err);

    switch (s->state) {
    case SLOT_CONNECTING:
        getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &elen);
        if (err != 0) {
            slot_fail_errno(l, s, LOAD_ERR_CONNECT, err);
            break;
        }
        s->state = SLOT_WRITING;
        slot_write(l, s);
        break;
    case SLOT_WRITING:
        slot_write(l, s);
        break;
    case SLOT_READING:
        slot_read(l, s);
        break;
    case SLOT_IDLE:
        break;
    }
}

static void
slot_expire(void *ctx, size_t i)
{
    struct load *l = ctx;

    slot_finish(l, &l->slots[i], LOAD_ERR_TIMEOUT, "no reply in time", 16);
}

static const struct load_ops slot_ops = {
    .deadline = slot_deadline,
    .start = slot_start,
    .ready = slot_ready,
    .expire = slot_expire,
    .restart_when_idle = true, /* every start failed at once: go on, each failure counts */
};

/* --- output -------------------------------------------------------------- */

static void
report(struct load *l, double elapsed, double cpu)
{
    const struct load_run *r = &l->r;
    size_t errors = r->done - r->ok;

    if (r->o.json) {
        printf("{\"target\":");
        load_json_str(r->target);
        printf(",\"method\":");
        load_json_str(l->o.method);
        printf(",\"concurrency\":%zu,\"messages\":%zu,\"skipped\":%zu,"
               "\"warmup\":%zu,\"requests\":%zu,\"ok\":%zu,\"spam\":%zu,\"errors\":%zu,",
               r->o.concurrency, l->nreqs, r->skipped, r->o.warmup, r->done, r->ok, l->spam,
               errors);
        load_report_json_tail(&l->r, elapsed, cpu);
        if (l->o.http_path != NULL)
            printf(",\"keepalive\":%s,\"connections\":%zu", l->o.keepalive ? "true" : "false",
                   l->connects);
        printf("}\n");
        return;
    }
    printf("target      %s, %s, concurrency %zu\n", r->target, l->o.method, r->o.concurrency);
    printf("messages    %zu (%.1f MB), %zu skipped (over %zu bytes)\n", l->nreqs,
           (double)r->bytes / 1e6, r->skipped, r->o.max_size);
    printf("requests    %zu (after %zu warm-up)\n", r->done, r->o.warmup);
    if (l->o.http_path != NULL)
        printf("connections %zu (%s)\n", l->connects,
               l->o.keepalive ? "keep-alive asked for" : "one per request");
    printf("ok          %zu (spam %zu)\n", r->ok, l->spam);
    printf("errors      %zu", errors);
    for (int k = 0, first = 1; k < LOAD_ERR_N; k++) {
        if (r->err[k] > 0) {
            printf("%s %s %zu", first ? ":" : ",", load_err_names[k], r->err[k]);
            first = 0;
        }
    }
    printf("\n");
    load_report_text_tail(&l->r, elapsed, cpu, ", ok replies");
}

/* --- main ---------------------------------------------------------------- */

static const char usage_line[] =
    "usage: bench_spamd_load [-h HOST] [-p PORT] [-U SOCKET] [-u USER] [-c CONCURRENCY] "
    "[-n REQUESTS | -t SECONDS] [-m METHOD] [--warmup N] [--timeout S] [--max-size BYTES] "
    "[--seed N] [--json] [--http PATH [--keepalive] [--ip ADDR] [--helo NAME] [--from ADDR] "
    "[--rcpt ADDR]...] DIR_OR_FILE... (scripts/bench-spamd.py and scripts/bench-http.py run it)\n";

/* A value that goes into a request line or header as it is. */
static const char *
parse_text(const char *opt, const char *s)
{
    for (const char *p = s; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            fprintf(stderr, "bench_spamd_load: %s: no control characters, please\n", opt);
            exit(2);
        }
    }
    return s;
}

static const char *
parse_method(const char *s)
{
    static const char *const methods[] = {
        "CHECK", "SYMBOLS", "REPORT", "REPORT_IFSPAM", "PROCESS", "HEADERS",
    };

    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strcasecmp(s, methods[i]) == 0)
            return methods[i];
    fprintf(stderr, "bench_spamd_load: -m: not a scan method: '%s'\n", s);
    exit(2);
}

/* The HTTP options fit together; the method shown is "POST PATH". */
static void
parse_http_args(struct opts *o)
{
    if (o->http_path == NULL) {
        if (o->keepalive || o->ip || o->helo || o->from || o->nrcpts > 0) {
            fprintf(stderr, "bench_spamd_load: --keepalive, --ip, --helo, --from and --rcpt "
                            "go with --http\n");
            exit(2);
        }
        return;
    }
    if (o->method_set) {
        fprintf(stderr, "bench_spamd_load: -m is a spamd method; --http sends POST PATH\n");
        exit(2);
    }
    if (o->http_path[0] != '/' || strchr(o->http_path, ' ') != NULL ||
        strlen(o->http_path) > sizeof(o->http_method) - 6) {
        fprintf(stderr, "bench_spamd_load: --http: a path such as /checkv2, please\n");
        exit(2);
    }
    if (o->user_set)
        parse_text("-u", o->user);
    snprintf(o->http_method, sizeof(o->http_method), "POST %s", o->http_path);
    o->method = o->http_method;
}

static void
parse_args(struct load *l, int argc, char **argv)
{
    enum {
        OPT_HELP = LOAD_OPT_NEXT,
        OPT_HTTP,
        OPT_KEEPALIVE,
        OPT_IP,
        OPT_HELO,
        OPT_FROM,
        OPT_RCPT,
    };
    static const struct option longs[] = {
        LOAD_LONG_OPTS,
        { "help", no_argument, NULL, OPT_HELP },
        { "http", required_argument, NULL, OPT_HTTP },
        { "keepalive", no_argument, NULL, OPT_KEEPALIVE },
        { "ip", required_argument, NULL, OPT_IP },
        { "helo", required_argument, NULL, OPT_HELO },
        { "from", required_argument, NULL, OPT_FROM },
        { "rcpt", required_argument, NULL, OPT_RCPT },
        { NULL, 0, NULL, 0 },
    };
    struct opts *o = &l->o;
    int c;

    load_opts_init(&l->r.o, "bench_spamd_load", "783", 8, 30);
    *o = (struct opts){ .method = "CHECK", .user = "bench" };
    while ((c = getopt_long(argc, argv, LOAD_SHORT_OPTS "U:u:m:", longs, NULL)) != -1) {
        if (load_opts_take(&l->r.o, c, optarg))
            continue;
        switch (c) {
        case 'U':
            o->unix_path = optarg;
            break;
        case 'u':
            o->user = optarg;
            o->user_set = true;
            break;
        case 'm':
            o->method = parse_method(optarg);
            o->method_set = true;
            break;
        case OPT_HELP:
            fputs(usage_line, stdout);
            exit(0);
        case OPT_HTTP:
            o->http_path = parse_text("--http", optarg);
            break;
        case OPT_KEEPALIVE:
            o->keepalive = true;
            break;
        case OPT_IP:
            o->ip = parse_text("--ip", optarg);
            break;
        case OPT_HELO:
            o->helo = parse_text("--helo", optarg);
            break;
        case OPT_FROM:
            o->from = parse_text("--from", optarg);
            break;
        case OPT_RCPT:
            o->rcpts = xreallocarray(o->rcpts, o->nrcpts + 1, sizeof(*o->rcpts));
            o->rcpts[o->nrcpts++] = parse_text("--rcpt", optarg);
            break;
        default:
            fputs(usage_line, stderr);
            exit(2);
        }
    }
    load_opts_check(&l->r.o);
    parse_http_args(o);
}

int
main(int argc, char **argv)
{
    struct load l = { 0 };
    double elapsed, cpu;

    if (argc == 1) { /* `make bench`: the real run is scripts/bench-spamd.py's */
        fputs(usage_line, stderr);
        return 0;
    }
    load_run_init(&l.r, load_err_names, LOAD_ERR_N);
    parse_args(&l, argc, argv);
    if (optind == argc) {
        fprintf(stderr, "bench_spamd_load: no messages given\n%s", usage_line);
        return 2;
    }
    if (load_resolve(&l.r, l.o.unix_path) == -1)
        return 2;
    load_corpus_read(&l.r, argv + optind, argc - optind, request_add, &l);
    load_shuffle(l.reqs, l.nreqs, sizeof(*l.reqs), l.r.o.seed);
    if (l.nreqs == 0) {
        fprintf(stderr, "bench_spamd_load: no messages (%zu skipped as too big)\n", l.r.skipped);
        return 2;
    }
    load_run_open(&l.r);
    l.slots = xcalloc(l.r.o.concurrency, sizeof(*l.slots));
    for (size_t i = 0; i < l.r.o.concurrency; i++) {
        l.slots[i].fd = -1;
        buf_init(&l.slots[i].in);
    }
    load_run_measure(&l.r, &slot_ops, &l, &elapsed, &cpu);
    report(&l, elapsed, cpu);
    for (size_t i = 0; i < l.r.o.concurrency; i++) {
        if (l.slots[i].fd != -1) /* kept alive */
            close(l.slots[i].fd);
        buf_clear(&l.slots[i].in);
    }
    free(l.o.rcpts);
    for (size_t i = 0; i < l.nreqs; i++)
        buf_clear(&l.reqs[i]);
    free(l.reqs);
    free(l.slots);
    load_run_close(&l.r);
    return l.r.ok == l.r.done ? 0 : 1;
}
