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
 * are what run this one.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/xmalloc.h"

#define LOAD_MAX_SIZE_DEFAULT 512000 /* spamc's -s default: 500 KiB */
#define LOAD_READ_CHUNK       65536
#define LOAD_MAX_DETAILS      16 /* distinct error texts kept */

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

struct detail {
    char text[160];
    size_t n;
};

struct opts {
    const char *host, *port, *unix_path, *method, *user;
    size_t concurrency, total, warmup, max_size;
    unsigned long long seed; /* of the order the messages are sent in */
    double seconds, timeout;
    bool json;
    /* HTTP mode: the path POSTed to (NULL: spamd), the scan headers */
    const char *http_path, *ip, *helo, *from;
    const char **rcpts;
    size_t nrcpts;
    bool keepalive, user_set, method_set;
    char http_method[256]; /* "POST PATH", what method points to in HTTP mode */
};

struct load {
    struct opts o;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    char target[PATH_MAX + 8];
    /* the requests, one per message, built once */
    struct buf *reqs;
    size_t nreqs, cap, bytes, skipped;
    size_t next; /* next request to send, cycling */
    int ep;
    struct slot *slots;
    size_t active;
    /* the phase running */
    bool record;
    size_t started, limit;
    double stop_at;
    /* the measured phase's results */
    size_t done, ok, spam, err[LOAD_ERR_N];
    size_t connects; /* connections opened (HTTP mode reports them) */
    double *lat;
    size_t nlat, latcap;
    struct detail details[LOAD_MAX_DETAILS];
    size_t ndetails, other_details;
    bool warned; /* of a failure during the warm-up */
};

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu_now(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* --- messages ------------------------------------------------------------ */

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct paths {
    char **v;
    size_t n, cap;
};

static void
paths_add(struct paths *ps, const char *p)
{
    if (ps->n == ps->cap) {
        ps->cap = ps->cap ? ps->cap * 2 : 1024;
        ps->v = xreallocarray(ps->v, ps->cap, sizeof(*ps->v));
    }
    ps->v[ps->n++] = xstrdup(p);
}

/* Every regular file under path (dot files left out), or path itself. */
static void
paths_walk(struct paths *ps, const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *de;

    if (stat(path, &st) == -1) {
        fprintf(stderr, "bench_spamd_load: %s: %s\n", path, strerror(errno));
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (S_ISREG(st.st_mode))
            paths_add(ps, path);
        return;
    }
    if ((d = opendir(path)) == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        char sub[PATH_MAX];

        if (de->d_name[0] == '.')
            continue;
        if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) < sizeof(sub))
            paths_walk(ps, sub);
    }
    closedir(d);
}

/* The head of an HTTP scan request for a body of len bytes: rspamc's
 * headers, with HTTP/1.1 and Host so that a keep-alive is possible. */
static void
http_request_head(const struct load *l, struct buf *req, size_t len)
{
    buf_printf(req, "POST %s HTTP/1.1\r\n", l->o.http_path);
    buf_printf(req, "Host: %s\r\n", l->o.unix_path != NULL ? "localhost" : l->target);
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

/* Read path and keep it as a whole request, unless it is too big. */
static void
load_add_message(struct load *l, const char *path)
{
    FILE *f = fopen(path, "rb");
    struct buf msg, *req;
    char chunk[LOAD_READ_CHUNK];
    size_t n;

    if (f == NULL) {
        fprintf(stderr, "bench_spamd_load: %s: %s\n", path, strerror(errno));
        return;
    }
    buf_init(&msg);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && msg.len <= l->o.max_size)
        buf_append(&msg, chunk, n);
    fclose(f);
    if (msg.len > l->o.max_size) {
        l->skipped++;
        buf_clear(&msg);
        return;
    }
    if (l->nreqs == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->reqs = xreallocarray(l->reqs, l->cap, sizeof(*l->reqs));
    }
    req = &l->reqs[l->nreqs++];
    buf_init(req);
    if (l->o.http_path != NULL) {
        http_request_head(l, req, msg.len);
    } else {
        /* spamc 4's header order: User, then Content-length */
        buf_printf(req, "%s SPAMC/1.5\r\n", l->o.method);
        if (l->o.user[0] != '\0')
            buf_printf(req, "User: %s\r\n", l->o.user);
        buf_printf(req, "Content-length: %zu\r\n\r\n", msg.len);
    }
    buf_append(req, msg.p, msg.len);
    l->bytes += msg.len;
    buf_clear(&msg);
}

/* Fisher-Yates with splitmix64: the same order for the same seed everywhere. */
static void
load_shuffle(struct load *l)
{
    unsigned long long x = l->o.seed;

    for (size_t i = l->nreqs; i > 1; i--) {
        unsigned long long z = (x += 0x9e3779b97f4a7c15ULL);
        size_t j;
        struct buf t;

        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        j = (size_t)((z ^ (z >> 31)) % i);
        t = l->reqs[i - 1];
        l->reqs[i - 1] = l->reqs[j];
        l->reqs[j] = t;
    }
}

static void
load_messages(struct load *l, char **argv, int argc)
{
    struct paths ps = { 0 };

    for (int i = 0; i < argc; i++)
        paths_walk(&ps, argv[i]);
    /* a fixed order, so two runs send the same messages */
    qsort(ps.v, ps.n, sizeof(*ps.v), cmp_str);
    for (size_t i = 0; i < ps.n; i++) {
        load_add_message(l, ps.v[i]);
        free(ps.v[i]);
    }
    free(ps.v);
    if (l->o.seed != 0)
        load_shuffle(l);
}

/* --- the address --------------------------------------------------------- */

static int
load_resolve(struct load *l)
{
    struct addrinfo hints = { 0 }, *res;
    int rc;

    if (l->o.unix_path != NULL) {
        struct sockaddr_un *sun = (struct sockaddr_un *)&l->addr;

        if (strlen(l->o.unix_path) >= sizeof(sun->sun_path)) {
            fprintf(stderr, "bench_spamd_load: %s: path too long\n", l->o.unix_path);
            return -1;
        }
        sun->sun_family = AF_UNIX;
        strcpy(sun->sun_path, l->o.unix_path);
        l->addrlen = sizeof(*sun);
        snprintf(l->target, sizeof(l->target), "%s", l->o.unix_path);
        return 0;
    }
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    if ((rc = getaddrinfo(l->o.host, l->o.port, &hints, &res)) != 0) {
        fprintf(stderr, "bench_spamd_load: %s:%s: %s\n", l->o.host, l->o.port, gai_strerror(rc));
        return -1;
    }
    memcpy(&l->addr, res->ai_addr, res->ai_addrlen);
    l->addrlen = res->ai_addrlen;
    freeaddrinfo(res);
    snprintf(l->target, sizeof(l->target), "%s:%s", l->o.host, l->o.port);
    return 0;
}

/* --- results ------------------------------------------------------------- */

static void
load_detail(struct load *l, const char *kind, const char *text, size_t len)
{
    char key[sizeof(l->details[0].text)];

    if (len > 120)
        len = 120;
    snprintf(key, sizeof(key), "%s: %.*s", kind, (int)len, text);
    for (size_t i = 0; i < l->ndetails; i++) {
        if (strcmp(l->details[i].text, key) == 0) {
            l->details[i].n++;
            return;
        }
    }
    if (l->ndetails == LOAD_MAX_DETAILS) {
        l->other_details++;
        return;
    }
    snprintf(l->details[l->ndetails].text, sizeof(key), "%s", key);
    l->details[l->ndetails++].n = 1;
}

/* A request is over: count it (in the measured phase) and free the slot. */
static void
slot_finish(struct load *l, struct slot *s, enum load_result res, const char *what, size_t len)
{
    if (l->record) {
        l->done++;
        if (res >= 0) {
            l->err[res]++;
            load_detail(l, load_err_names[res], what, len);
        } else {
            if (l->nlat == l->latcap) {
                l->latcap = l->latcap ? l->latcap * 2 : 4096;
                l->lat = xreallocarray(l->lat, l->latcap, sizeof(*l->lat));
            }
            l->lat[l->nlat++] = now() - s->start;
            l->ok++;
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
    l->active--;
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

    if (epoll_ctl(l->ep, op, s->fd, &ev) == -1) {
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
    s->reused = false;
    if (l->record)
        l->connects++;
    s->fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd == -1) {
        perror("bench_spamd_load: socket");
        exit(1);
    }
    if (l->o.http_path != NULL && l->addr.ss_family != AF_UNIX) {
        int one = 1; /* as curl: the tail of a big request does not wait for an ACK */

        setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    if (connect(s->fd, (struct sockaddr *)&l->addr, l->addrlen) == 0) {
        s->state = SLOT_WRITING;
        slot_watch(l, s, EPOLLOUT, EPOLL_CTL_ADD);
        slot_write(l, s);
    } else if (errno == EINPROGRESS) {
        s->state = SLOT_CONNECTING;
        slot_watch(l, s, EPOLLOUT, EPOLL_CTL_ADD);
    } else {
        slot_fail_errno(l, s, LOAD_ERR_CONNECT, errno);
    }
}

static void
slot_start(struct load *l, struct slot *s)
{
    s->req = l->next;
    l->next = (l->next + 1) % l->nreqs;
    l->started++;
    l->active++;
    s->sent = 0;
    s->want = 0;
    buf_reset(&s->in);
    s->start = now();
    s->deadline = s->start + l->o.timeout;
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
slot_event(struct load *l, struct slot *s)
{
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

static bool
load_may_start(const struct load *l)
{
    if (l->limit > 0)
        return l->started < l->limit;
    return now() < l->stop_at;
}

/* Run requests until limit are done (or, with limit 0, until stop_at). */
static void
load_phase(struct load *l, size_t limit, double seconds, bool record)
{
    struct epoll_event evs[64];

    l->record = record;
    l->started = 0;
    l->limit = limit;
    l->stop_at = now() + seconds;
    for (;;) {
        double t, next_deadline = 0;
        int n, wait_ms;

        for (size_t i = 0; i < l->o.concurrency && load_may_start(l); i++)
            if (l->slots[i].state == SLOT_IDLE)
                slot_start(l, &l->slots[i]);
        if (l->active == 0) {
            if (load_may_start(l))
                continue; /* every start failed at once; go on */
            break;
        }
        for (size_t i = 0; i < l->o.concurrency; i++)
            if (l->slots[i].state != SLOT_IDLE &&
                (next_deadline == 0 || l->slots[i].deadline < next_deadline))
                next_deadline = l->slots[i].deadline;
        wait_ms = (int)ceil((next_deadline - now()) * 1000);
        n = epoll_wait(l->ep, evs, 64, wait_ms < 0 ? 0 : wait_ms);
        if (n == -1 && errno != EINTR) {
            perror("bench_spamd_load: epoll_wait");
            exit(1);
        }
        for (int i = 0; i < n; i++)
            slot_event(l, &l->slots[evs[i].data.u32]);
        t = now();
        for (size_t i = 0; i < l->o.concurrency; i++)
            if (l->slots[i].state != SLOT_IDLE && l->slots[i].deadline <= t)
                slot_finish(l, &l->slots[i], LOAD_ERR_TIMEOUT, "no reply in time", 16);
    }
}

/* --- output -------------------------------------------------------------- */

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The nearest-rank percentile q (0..1] of sorted v, in ms. */
static double
pct_ms(const double *v, size_t n, double q)
{
    size_t k;

    if (n == 0)
        return 0;
    k = (size_t)ceil(q * (double)n);
    return 1000.0 * v[k == 0 ? 0 : k - 1];
}

static void
json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void
load_report(struct load *l, double elapsed, double cpu)
{
    size_t errors = l->done - l->ok;
    double rate = elapsed > 0 ? (double)l->ok / elapsed : 0, mean = 0;
    double p50, p90, p99, max;

    qsort(l->lat, l->nlat, sizeof(*l->lat), cmp_double);
    for (size_t i = 0; i < l->nlat; i++)
        mean += l->lat[i];
    mean = l->nlat ? 1000.0 * mean / (double)l->nlat : 0;
    p50 = pct_ms(l->lat, l->nlat, 0.50);
    p90 = pct_ms(l->lat, l->nlat, 0.90);
    p99 = pct_ms(l->lat, l->nlat, 0.99);
    max = l->nlat ? 1000.0 * l->lat[l->nlat - 1] : 0;
    if (l->o.json) {
        printf("{\"target\":");
        json_str(l->target);
        printf(",\"method\":");
        json_str(l->o.method);
        printf(",\"concurrency\":%zu,\"messages\":%zu,\"skipped\":%zu,"
               "\"warmup\":%zu,\"requests\":%zu,\"ok\":%zu,\"spam\":%zu,\"errors\":%zu,"
               "\"errors_by_kind\":{",
               l->o.concurrency, l->nreqs, l->skipped, l->o.warmup, l->done, l->ok, l->spam,
               errors);
        for (int k = 0; k < LOAD_ERR_N; k++)
            printf("%s\"%s\":%zu", k ? "," : "", load_err_names[k], l->err[k]);
        printf("},\"error_details\":{");
        for (size_t i = 0; i < l->ndetails; i++) {
            printf("%s", i ? "," : "");
            json_str(l->details[i].text);
            printf(":%zu", l->details[i].n);
        }
        printf("},\"elapsed_s\":%.3f,\"msgs_per_s\":%.1f,\"latency_ms\":{\"mean\":%.2f,"
               "\"p50\":%.2f,\"p90\":%.2f,\"p99\":%.2f,\"max\":%.2f},\"driver_cpu_s\":%.3f",
               elapsed, rate, mean, p50, p90, p99, max, cpu);
        if (l->o.http_path != NULL)
            printf(",\"keepalive\":%s,\"connections\":%zu", l->o.keepalive ? "true" : "false",
                   l->connects);
        printf("}\n");
        return;
    }
    printf("target      %s, %s, concurrency %zu\n", l->target, l->o.method, l->o.concurrency);
    printf("messages    %zu (%.1f MB), %zu skipped (over %zu bytes)\n", l->nreqs,
           (double)l->bytes / 1e6, l->skipped, l->o.max_size);
    printf("requests    %zu (after %zu warm-up)\n", l->done, l->o.warmup);
    if (l->o.http_path != NULL)
        printf("connections %zu (%s)\n", l->connects,
               l->o.keepalive ? "keep-alive asked for" : "one per request");
    printf("ok          %zu (spam %zu)\n", l->ok, l->spam);
    printf("errors      %zu", errors);
    for (int k = 0, first = 1; k < LOAD_ERR_N; k++) {
        if (l->err[k] > 0) {
            printf("%s %s %zu", first ? ":" : ",", load_err_names[k], l->err[k]);
            first = 0;
        }
    }
    printf("\n");
    for (size_t i = 0; i < l->ndetails; i++)
        printf("  %6zu  %s\n", l->details[i].n, l->details[i].text);
    if (l->other_details > 0)
        printf("  %6zu  (other errors)\n", l->other_details);
    printf("elapsed     %.3f s\n", elapsed);
    printf("messages/s  %.1f\n", rate);
    printf("latency ms  p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  (mean %.2f, ok replies)\n", p50,
           p90, p99, max, mean);
    printf("driver CPU  %.3f s (%.0f%% of one core)\n", cpu,
           elapsed > 0 ? 100.0 * cpu / elapsed : 0);
}

/* --- main ---------------------------------------------------------------- */

static const char usage_line[] =
    "usage: bench_spamd_load [-h HOST] [-p PORT] [-U SOCKET] [-u USER] [-c CONCURRENCY] "
    "[-n REQUESTS | -t SECONDS] [-m METHOD] [--warmup N] [--timeout S] [--max-size BYTES] "
    "[--seed N] [--json] [--http PATH [--keepalive] [--ip ADDR] [--helo NAME] [--from ADDR] "
    "[--rcpt ADDR]...] DIR_OR_FILE... (scripts/bench-spamd.py and scripts/bench-http.py run it)\n";

static size_t
parse_count(const char *opt, const char *s, size_t min)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > 100000000) {
        fprintf(stderr, "bench_spamd_load: %s: bad number '%s'\n", opt, s);
        exit(2);
    }
    return (size_t)v;
}

static double
parse_seconds(const char *opt, const char *s)
{
    char *end;
    double v = strtod(s, &end);

    if (end == s || *end != '\0' || !(v > 0) || v > 1e6) {
        fprintf(stderr, "bench_spamd_load: %s: bad duration '%s'\n", opt, s);
        exit(2);
    }
    return v;
}

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
parse_args(struct opts *o, int argc, char **argv)
{
    enum {
        OPT_WARMUP = 256,
        OPT_TIMEOUT,
        OPT_MAX_SIZE,
        OPT_SEED,
        OPT_JSON,
        OPT_HELP,
        OPT_HTTP,
        OPT_KEEPALIVE,
        OPT_IP,
        OPT_HELO,
        OPT_FROM,
        OPT_RCPT,
    };
    static const struct option longs[] = {
        { "warmup", required_argument, NULL, OPT_WARMUP },
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "max-size", required_argument, NULL, OPT_MAX_SIZE },
        { "seed", required_argument, NULL, OPT_SEED },
        { "json", no_argument, NULL, OPT_JSON },
        { "help", no_argument, NULL, OPT_HELP },
        { "http", required_argument, NULL, OPT_HTTP },
        { "keepalive", no_argument, NULL, OPT_KEEPALIVE },
        { "ip", required_argument, NULL, OPT_IP },
        { "helo", required_argument, NULL, OPT_HELO },
        { "from", required_argument, NULL, OPT_FROM },
        { "rcpt", required_argument, NULL, OPT_RCPT },
        { NULL, 0, NULL, 0 },
    };
    int c;

    *o = (struct opts){ .host = "127.0.0.1",
                        .port = "783",
                        .method = "CHECK",
                        .user = "bench",
                        .concurrency = 8,
                        .total = 1000,
                        .max_size = LOAD_MAX_SIZE_DEFAULT,
                        .timeout = 30,
                        .seed = 1 };
    while ((c = getopt_long(argc, argv, "h:p:U:u:c:n:t:m:", longs, NULL)) != -1) {
        switch (c) {
        case 'h':
            o->host = optarg;
            break;
        case 'p':
            o->port = optarg;
            break;
        case 'U':
            o->unix_path = optarg;
            break;
        case 'u':
            o->user = optarg;
            o->user_set = true;
            break;
        case 'c':
            o->concurrency = parse_count("-c", optarg, 1);
            break;
        case 'n':
            o->total = parse_count("-n", optarg, 1);
            o->seconds = 0;
            break;
        case 't':
            o->seconds = parse_seconds("-t", optarg);
            o->total = 0;
            break;
        case 'm':
            o->method = parse_method(optarg);
            o->method_set = true;
            break;
        case OPT_WARMUP:
            o->warmup = parse_count("--warmup", optarg, 0);
            break;
        case OPT_TIMEOUT:
            o->timeout = parse_seconds("--timeout", optarg);
            break;
        case OPT_MAX_SIZE:
            o->max_size = parse_count("--max-size", optarg, 1);
            break;
        case OPT_SEED:
            o->seed = parse_count("--seed", optarg, 0);
            break;
        case OPT_JSON:
            o->json = true;
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
    if (o->concurrency > 10000) {
        fprintf(stderr, "bench_spamd_load: -c: at most 10000\n");
        exit(2);
    }
    parse_http_args(o);
}

int
main(int argc, char **argv)
{
    struct load l = { 0 };
    double t0, cpu0, elapsed;

    if (argc == 1) { /* `make bench`: the real run is scripts/bench-spamd.py's */
        fputs(usage_line, stderr);
        return 0;
    }
    parse_args(&l.o, argc, argv);
    if (optind == argc) {
        fprintf(stderr, "bench_spamd_load: no messages given\n%s", usage_line);
        return 2;
    }
    if (load_resolve(&l) == -1)
        return 2;
    load_messages(&l, argv + optind, argc - optind);
    if (l.nreqs == 0) {
        fprintf(stderr, "bench_spamd_load: no messages (%zu skipped as too big)\n", l.skipped);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if ((l.ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
        perror("bench_spamd_load: epoll_create1");
        return 1;
    }
    l.slots = xcalloc(l.o.concurrency, sizeof(*l.slots));
    for (size_t i = 0; i < l.o.concurrency; i++) {
        l.slots[i].fd = -1;
        buf_init(&l.slots[i].in);
    }
    if (l.o.warmup > 0)
        load_phase(&l, l.o.warmup, 0, false);
    t0 = now();
    cpu0 = cpu_now();
    load_phase(&l, l.o.total, l.o.seconds, true);
    elapsed = now() - t0;
    load_report(&l, elapsed, cpu_now() - cpu0);
    for (size_t i = 0; i < l.o.concurrency; i++) {
        if (l.slots[i].fd != -1) /* kept alive */
            close(l.slots[i].fd);
        buf_clear(&l.slots[i].in);
    }
    free(l.o.rcpts);
    for (size_t i = 0; i < l.nreqs; i++)
        buf_clear(&l.reqs[i]);
    free(l.reqs);
    free(l.slots);
    free(l.lat);
    close(l.ep);
    return l.ok == l.done ? 0 : 1;
}
