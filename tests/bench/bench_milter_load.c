/*
 * bench_milter_load.c - a load driver for milters (siftd's proxy worker,
 * rspamd's proxy in milter mode), over TCP on loopback.
 *
 * The messages are read into memory first (directories recursively; files
 * over --max-size, default 512000 bytes, are skipped) and each is turned
 * into the packets Postfix would send for it (spec/milter-protocol.md):
 * the MAIL macros (i), MAIL FROM, RCPT TO, DATA, one HEADER per header
 * field (the space after the colon dropped, folds kept as LF + white
 * space), EOH, the body with CRLF line ends in chunks of 65535 bytes, the
 * EOM macros and EOM. CONCURRENCY milter sessions are kept open at once,
 * as Postfix opens them: OPTNEG (version 6, Postfix's action and protocol
 * bits), then CONNECT (with the connect macros) and HELO, then
 * --per-session messages (default 1: Postfix opens a milter connection per
 * SMTP session), then QUIT. The driver follows what the milter negotiated:
 * it reads the CONTINUE of every command the milter did not declare "no
 * reply" for. Everything a message needs is written at once (the milter
 * answers nothing in between when it asked for no replies), and its
 * latency is the time from the last byte of EOM written to the decision
 * read: what the milter adds to the MTA's end of DATA.
 *
 * Each decision is counted (accept, accept with the spam header set to
 * Yes, reject, tempfail, discard) and failures by kind. The messages go
 * out in a shuffled order (fixed by --seed). One thread and epoll, so
 * that the milter, not the driver, gets the CPU.
 *
 *   build/bench_milter_load [-h HOST] [-p PORT] [-c CONCURRENCY] [-n MESSAGES | -t SECONDS]
 *       [--per-session N] [--warmup N] [--timeout SECONDS] [--max-size BYTES] [--seed N]
 *       [--ip ADDR] [--helo NAME] [--from ADDR] [--rcpt ADDR] [--json] PATH...
 *
 * Without arguments it prints a usage hint and exits 0 (`make bench` runs
 * every bench binary so); scripts/bench-milter.py is what runs this one.
 */
#include <arpa/inet.h>
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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/xmalloc.h"

#define ML_MAX_SIZE_DEFAULT 512000
#define ML_CHUNK            65535
#define ML_MAX_DETAILS      16

/* The MTA's offer (Postfix 3.x, milter_protocol = 6). */
#define ML_ACTIONS  0x1FFu
#define ML_PROTOCOL 0x1FFFFFu
/* Protocol bits: steps not sent (none may be asked of this driver) and "no reply" ones. */
#define ML_NO_STEPS 0x27Fu /* NOCONNECT..NOEOH, NODATA */
#define ML_NR_CONN  0x1000u
#define ML_NR_HELO  0x2000u
#define ML_NR_MAIL  0x4000u
#define ML_NR_RCPT  0x8000u
#define ML_NR_DATA  0x10000u
#define ML_NR_EOH   0x40000u
#define ML_NR_BODY  0x80000u
#define ML_NR_HDR   0x80u

enum ml_result {
    ML_OK_ACCEPT = -5,
    ML_OK_MARKED, /* accepted with the spam header set to Yes */
    ML_OK_REJECT,
    ML_OK_TEMPFAIL,
    ML_OK_DISCARD,
    ML_ERR_CONNECT = 0,
    ML_ERR_EOF,
    ML_ERR_PROTOCOL,
    ML_ERR_TIMEOUT,
    ML_ERR_IO,
    ML_ERR_N,
};

static const char *const ml_err_names[ML_ERR_N] = { "connect", "eof", "protocol", "timeout", "io" };

/* One message as packets, and what the milter may answer before EOM. */
struct ml_msg {
    struct buf pkts;
    size_t nheaders, nchunks;
};

enum slot_state { SL_IDLE, SL_CONNECTING, SL_OPTNEG, SL_WRITING, SL_READING };

struct slot {
    int fd;
    enum slot_state state;
    struct buf out; /* what is to be written */
    size_t sent;
    struct buf in;
    uint32_t protocol; /* negotiated */
    bool opened;       /* CONNECT and HELO sent */
    size_t msg;        /* the message in flight */
    size_t done;       /* messages answered on this session */
    size_t continues;  /* CONTINUEs still due before the decision */
    bool marked;       /* a spam header set to Yes was seen */
    double eom_at, deadline;
    bool recording; /* this message counts (it started in the measured phase) */
};

struct detail {
    char text[160];
    size_t n;
};

struct opts {
    const char *host, *port, *ip, *helo, *from, *rcpt;
    size_t concurrency, total, warmup, max_size, per_session;
    unsigned long long seed;
    double seconds, timeout;
    bool json;
};

struct load {
    struct opts o;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    struct buf open; /* CONNECT and HELO with their macros */
    struct ml_msg *msgs;
    size_t nmsgs, cap, bytes, skipped, next;
    int ep;
    struct slot *slots;
    size_t active;
    bool record;
    size_t started, limit;
    double stop_at;
    size_t done, ok, decisions[5], err[ML_ERR_N], sessions;
    double *lat;
    size_t nlat, latcap;
    struct detail details[ML_MAX_DETAILS];
    size_t ndetails, other_details;
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

/* --- packets ---------------------------------------------------------------- */

static void
pkt(struct buf *b, char cmd, const void *data, size_t len)
{
    unsigned char h[5];
    uint32_t n = htonl((uint32_t)len + 1);

    memcpy(h, &n, 4);
    h[4] = (unsigned char)cmd;
    buf_append(b, h, 5);
    buf_append(b, data, len);
}

/* A packet of NUL-terminated strings. */
static void
pkt_strs(struct buf *b, char cmd, const char *const *s, size_t n)
{
    struct buf d;

    buf_init(&d);
    for (size_t i = 0; i < n; i++)
        buf_append(&d, s[i], strlen(s[i]) + 1);
    pkt(b, cmd, d.p, d.len);
    buf_clear(&d);
}

/* CONNECT and HELO, with Postfix's connect macros. */
static void
ml_open_packets(struct load *l)
{
    struct buf d;
    uint16_t port = htons(40000);
    const char *macros[] = {
        "C", "j", "mx.example.net", "{daemon_name}", "mx.example.net", "v", "Postfix 3.7.11"
    };

    buf_init(&l->open);
    buf_init(&d);
    /* the stage letter is the packet's first byte, not a string */
    buf_putc(&d, 'C');
    for (size_t i = 1; i < sizeof(macros) / sizeof(macros[0]); i++)
        buf_append(&d, macros[i], strlen(macros[i]) + 1);
    pkt(&l->open, 'D', d.p, d.len);
    buf_reset(&d);
    buf_append(&d, "mail.example.org", 17);
    buf_putc(&d, strchr(l->o.ip, ':') != NULL ? '6' : '4');
    buf_append(&d, &port, 2);
    buf_append(&d, l->o.ip, strlen(l->o.ip) + 1);
    pkt(&l->open, 'C', d.p, d.len);
    pkt(&l->open, 'H', l->o.helo, strlen(l->o.helo) + 1);
    buf_clear(&d);
}

/* The header fields of msg[0..n): one HEADER each, as Postfix sends them. */
static size_t
ml_headers(struct buf *out, const char *p, size_t n, size_t *used)
{
    size_t i = 0, count = 0;

    while (i < n) {
        size_t start = i, end, colon;
        struct buf d;

        if (p[i] == '\n' || (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n'))
            break; /* the empty line */
        /* the field: up to a line end not followed by white space */
        for (end = i; end < n; end++) {
            if (p[end] == '\n' && !(end + 1 < n && (p[end + 1] == ' ' || p[end + 1] == '\t')))
                break;
        }
        for (colon = start; colon < end && p[colon] != ':' && p[colon] > ' '; colon++)
            ;
        i = end < n ? end + 1 : n;
        if (colon == end || colon == start || p[colon] != ':')
            continue; /* not a field (a From_ line): Postfix would not pass it either */
        buf_init(&d);
        buf_append(&d, p + start, colon - start);
        buf_putc(&d, '\0');
        colon++;
        if (colon < end && p[colon] == ' ')
            colon++;
        for (size_t k = colon; k < end; k++) {
            if (p[k] != '\r')
                buf_putc(&d, p[k]);
        }
        buf_putc(&d, '\0');
        pkt(out, 'L', d.p, d.len);
        buf_clear(&d);
        count++;
    }
    if (i < n)
        i += p[i] == '\r' ? 2 : 1;
    *used = i;
    return count;
}

static void
ml_add_message(struct load *l, const char *text, size_t n, size_t index)
{
    struct ml_msg *m;
    struct buf body;
    char qid[32], sender[300], rcpt[300];
    const char *mail_macros[2] = { "i", qid };
    size_t hdr_end, chunks = 0;

    if (l->nmsgs == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->msgs = xreallocarray(l->msgs, l->cap, sizeof(*l->msgs));
    }
    m = &l->msgs[l->nmsgs++];
    buf_init(&m->pkts);
    snprintf(qid, sizeof(qid), "B%08zX", index);
    snprintf(sender, sizeof(sender), "<%s>", l->o.from);
    snprintf(rcpt, sizeof(rcpt), "<%s>", l->o.rcpt);
    {
        struct buf d;

        buf_init(&d);
        buf_putc(&d, 'M');
        for (size_t i = 0; i < 2; i++)
            buf_append(&d, mail_macros[i], strlen(mail_macros[i]) + 1);
        pkt(&m->pkts, 'D', d.p, d.len);
        pkt_strs(&m->pkts, 'M', (const char *[]){ sender }, 1);
        pkt_strs(&m->pkts, 'R', (const char *[]){ rcpt }, 1);
        pkt(&m->pkts, 'T', NULL, 0);
        m->nheaders = ml_headers(&m->pkts, text, n, &hdr_end);
        pkt(&m->pkts, 'N', NULL, 0);
        /* the body with CRLF line ends, in full chunks */
        buf_init(&body);
        for (size_t i = hdr_end; i < n; i++) {
            if (text[i] == '\n' && (i == hdr_end || text[i - 1] != '\r'))
                buf_putc(&body, '\r');
            buf_putc(&body, text[i]);
        }
        for (size_t off = 0; off < body.len; off += ML_CHUNK, chunks++)
            pkt(&m->pkts, 'B', body.p + off, body.len - off < ML_CHUNK ? body.len - off : ML_CHUNK);
        buf_clear(&body);
        m->nchunks = chunks;
        buf_reset(&d);
        buf_putc(&d, 'E');
        for (size_t i = 0; i < 2; i++)
            buf_append(&d, mail_macros[i], strlen(mail_macros[i]) + 1);
        pkt(&m->pkts, 'D', d.p, d.len);
        pkt(&m->pkts, 'E', NULL, 0);
        buf_clear(&d);
    }
}

/* --- messages ----------------------------------------------------------------- */

struct paths {
    char **v;
    size_t n, cap;
};

static void
paths_walk(struct paths *ps, const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *e;

    if (stat(path, &st) == -1)
        return;
    if (S_ISREG(st.st_mode)) {
        if (ps->n == ps->cap) {
            ps->cap = ps->cap ? ps->cap * 2 : 1024;
            ps->v = xreallocarray(ps->v, ps->cap, sizeof(*ps->v));
        }
        ps->v[ps->n++] = xstrdup(path);
        return;
    }
    if (!S_ISDIR(st.st_mode) || (d = opendir(path)) == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        char sub[PATH_MAX];

        if (e->d_name[0] == '.')
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
        paths_walk(ps, sub);
    }
    closedir(d);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
load_messages(struct load *l, char **argv, int argc)
{
    struct paths ps = { 0 };
    unsigned long long x = l->o.seed;

    for (int i = 0; i < argc; i++)
        paths_walk(&ps, argv[i]);
    qsort(ps.v, ps.n, sizeof(*ps.v), cmp_str);
    for (size_t i = 0; i < ps.n; i++) {
        FILE *f = fopen(ps.v[i], "rb");
        struct buf t;
        char chunk[65536];
        size_t n;

        if (f != NULL) {
            buf_init(&t);
            while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && t.len <= l->o.max_size)
                buf_append(&t, chunk, n);
            fclose(f);
            if (t.len > l->o.max_size) {
                l->skipped++;
            } else {
                ml_add_message(l, t.p ? t.p : "", t.len, l->nmsgs);
                l->bytes += t.len;
            }
            buf_clear(&t);
        }
        free(ps.v[i]);
    }
    free(ps.v);
    for (size_t i = l->nmsgs; x != 0 && i > 1; i--) { /* Fisher-Yates, splitmix64 */
        unsigned long long z = (x += 0x9e3779b97f4a7c15ULL);
        size_t j;
        struct ml_msg t;

        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        j = (size_t)((z ^ (z >> 31)) % i);
        t = l->msgs[i - 1];
        l->msgs[i - 1] = l->msgs[j];
        l->msgs[j] = t;
    }
}

static int
load_resolve(struct load *l)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
    int rc = getaddrinfo(l->o.host, l->o.port, &hints, &res);

    if (rc != 0) {
        fprintf(stderr, "bench_milter_load: %s:%s: %s\n", l->o.host, l->o.port, gai_strerror(rc));
        return -1;
    }
    memcpy(&l->addr, res->ai_addr, res->ai_addrlen);
    l->addrlen = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* --- sessions ------------------------------------------------------------------- */

static void
load_detail(struct load *l, const char *kind, const char *text)
{
    char line[160];

    snprintf(line, sizeof(line), "%s: %s", kind, text);
    for (size_t i = 0; i < l->ndetails; i++) {
        if (strcmp(l->details[i].text, line) == 0) {
            l->details[i].n++;
            return;
        }
    }
    if (l->ndetails == ML_MAX_DETAILS) {
        l->other_details++;
        return;
    }
    snprintf(l->details[l->ndetails].text, sizeof(l->details[0].text), "%s", line);
    l->details[l->ndetails++].n = 1;
}

static void
slot_close(struct load *l, struct slot *s)
{
    if (s->fd != -1) {
        epoll_ctl(l->ep, EPOLL_CTL_DEL, s->fd, NULL);
        close(s->fd);
    }
    s->fd = -1;
    s->state = SL_IDLE;
    buf_reset(&s->in);
    buf_reset(&s->out);
    l->active--;
}

/* A message's end: its decision, or the failure that ends the session. */
static void
slot_result(struct load *l, struct slot *s, enum ml_result r, const char *what)
{
    if (s->recording) {
        l->done++;
        if (r < 0) {
            l->ok++;
            l->decisions[r - ML_OK_ACCEPT]++;
            if (l->nlat == l->latcap) {
                l->latcap = l->latcap ? l->latcap * 2 : 4096;
                l->lat = xreallocarray(l->lat, l->latcap, sizeof(*l->lat));
            }
            l->lat[l->nlat++] = now() - s->eom_at;
        } else {
            l->err[r]++;
            load_detail(l, ml_err_names[r], what);
        }
    } else if (r >= 0) {
        fprintf(stderr, "bench_milter_load: warm-up: %s: %s\n", ml_err_names[r], what);
    }
    if (r >= 0)
        slot_close(l, s);
}

static void
slot_watch(struct load *l, struct slot *s, uint32_t ev)
{
    struct epoll_event e = { .events = ev, .data.u32 = (uint32_t)(s - l->slots) };

    if (epoll_ctl(l->ep, EPOLL_CTL_MOD, s->fd, &e) == -1)
        epoll_ctl(l->ep, EPOLL_CTL_ADD, s->fd, &e);
}

/* May another message start (in this phase)? */
static bool
load_may_start(const struct load *l)
{
    if (l->limit > 0)
        return l->started < l->limit;
    return now() < l->stop_at;
}

/* Queue the next message on s (CONNECT and HELO first on a new session). */
static void
slot_send_message(struct load *l, struct slot *s)
{
    const struct ml_msg *m;
    uint32_t pr = s->protocol;

    s->msg = l->next++ % l->nmsgs;
    m = &l->msgs[s->msg];
    if (s->opened)
        l->started++; /* a session's first message was counted when it began */
    s->recording = l->record;
    s->marked = false;
    s->continues = 0;
    buf_reset(&s->out);
    s->sent = 0;
    if (!s->opened) {
        buf_append(&s->out, l->open.p, l->open.len);
        s->continues += !(pr & ML_NR_CONN) + !(pr & ML_NR_HELO);
        s->opened = true;
    }
    buf_append(&s->out, m->pkts.p, m->pkts.len);
    s->continues += !(pr & ML_NR_MAIL) + !(pr & ML_NR_RCPT) + !(pr & ML_NR_DATA) +
                    !(pr & ML_NR_EOH) + (pr & ML_NR_HDR ? 0 : m->nheaders) +
                    (pr & ML_NR_BODY ? 0 : m->nchunks);
    s->state = SL_WRITING;
    s->deadline = now() + l->o.timeout;
    slot_watch(l, s, EPOLLIN | EPOLLOUT);
}

static void
slot_start(struct load *l, struct slot *s)
{
    struct buf opt;
    uint32_t v[3] = { htonl(6), htonl(ML_ACTIONS), htonl(ML_PROTOCOL) };
    int one = 1;

    s->fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd == -1) {
        perror("bench_milter_load: socket");
        exit(1);
    }
    setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    l->active++;
    l->sessions++;
    l->started++; /* its first message */
    s->opened = false;
    s->done = 0;
    s->recording = l->record;
    s->deadline = now() + l->o.timeout;
    buf_init(&opt);
    pkt(&opt, 'O', v, sizeof(v));
    buf_reset(&s->out);
    buf_append(&s->out, opt.p, opt.len);
    buf_clear(&opt);
    s->sent = 0;
    if (connect(s->fd, (struct sockaddr *)&l->addr, l->addrlen) == -1 && errno != EINPROGRESS) {
        slot_result(l, s, ML_ERR_CONNECT, strerror(errno));
        return;
    }
    s->state = SL_CONNECTING;
    slot_watch(l, s, EPOLLOUT);
}

static void
slot_write(struct load *l, struct slot *s)
{
    while (s->sent < s->out.len) {
        ssize_t n = send(s->fd, s->out.p + s->sent, s->out.len - s->sent, MSG_NOSIGNAL);

        if (n == -1) {
            if (errno == EAGAIN || errno == EINTR)
                return;
            slot_result(l, s, ML_ERR_IO, strerror(errno));
            return;
        }
        s->sent += (size_t)n;
    }
    if (s->state == SL_CONNECTING) {
        s->state = SL_OPTNEG;
    } else {
        s->state = SL_READING;
        s->eom_at = now();
    }
    slot_watch(l, s, EPOLLIN);
}

/* The session's next step after a decision. */
static void
slot_next(struct load *l, struct slot *s)
{
    if (++s->done < l->o.per_session && load_may_start(l)) {
        slot_send_message(l, s);
        return;
    }
    {
        static const unsigned char quit[5] = { 0, 0, 0, 1, 'Q' };

        (void)!send(s->fd, quit, sizeof(quit), MSG_NOSIGNAL);
    }
    slot_close(l, s);
}

/* One packet from the milter; false when the session ended. */
static bool
slot_packet(struct load *l, struct slot *s, char cmd, const char *d, size_t n)
{
    if (s->state == SL_OPTNEG) {
        uint32_t v[3];

        if (cmd != 'O' || n < 12) {
            slot_result(l, s, ML_ERR_PROTOCOL, "no OPTNEG reply");
            return false;
        }
        memcpy(v, d, 12);
        s->protocol = ntohl(v[2]);
        if (s->protocol & ML_NO_STEPS) {
            slot_result(l, s, ML_ERR_PROTOCOL, "the milter asks for steps to be left out");
            return false;
        }
        slot_send_message(l, s);
        return true;
    }
    switch (cmd) {
    case 'c':
        if (s->continues == 0) {
            slot_result(l, s, ML_ERR_PROTOCOL, "a CONTINUE nobody waited for");
            return false;
        }
        s->continues--;
        return true;
    case 'h': /* "X-Spam\0Yes\0" */
        s->marked |= n >= 11 && memcmp(d, "X-Spam\0Yes", 10) == 0;
        return true;
    case 'm':
    case 'i':
        s->marked |= n >= 15 && memcmp(d + 4, "X-Spam\0Yes", 10) == 0;
        return true;
    case 'p':
    case 'e':
    case '+':
    case '-':
    case '2':
    case 'q':
    case 'b':
        return true;
    case 'a':
        slot_result(l, s, s->marked ? ML_OK_MARKED : ML_OK_ACCEPT, NULL);
        break;
    case 'd':
        slot_result(l, s, ML_OK_DISCARD, NULL);
        break;
    case 'r':
        slot_result(l, s, ML_OK_REJECT, NULL);
        break;
    case 't':
        slot_result(l, s, ML_OK_TEMPFAIL, NULL);
        break;
    case 'y':
        slot_result(l, s, n > 0 && d[0] == '4' ? ML_OK_TEMPFAIL : ML_OK_REJECT, NULL);
        break;
    default: {
        char what[64];

        snprintf(what, sizeof(what), "an unexpected packet '%c'", cmd);
        slot_result(l, s, ML_ERR_PROTOCOL, what);
        return false;
    }
    }
    if (s->continues != 0) {
        slot_result(l, s, ML_ERR_PROTOCOL, "a decision before the CONTINUEs due");
        return false;
    }
    slot_next(l, s);
    return false;
}

static void
slot_read(struct load *l, struct slot *s)
{
    char chunk[65536];

    for (;;) {
        ssize_t n = recv(s->fd, chunk, sizeof(chunk), 0);
        size_t off = 0;

        if (n == 0) {
            slot_result(l, s, ML_ERR_EOF, "the milter closed the session");
            return;
        }
        if (n == -1) {
            if (errno != EAGAIN && errno != EINTR)
                slot_result(l, s, ML_ERR_IO, strerror(errno));
            return;
        }
        buf_append(&s->in, chunk, (size_t)n);
        while (s->in.len - off >= 5) {
            uint32_t len;

            memcpy(&len, s->in.p + off, 4);
            len = ntohl(len);
            if (len == 0 || len > (1u << 20)) {
                slot_result(l, s, ML_ERR_PROTOCOL, "a bad packet length");
                return;
            }
            if (s->in.len - off < 4 + (size_t)len)
                break;
            if (!slot_packet(l, s, s->in.p[off + 4], s->in.p + off + 5, len - 1)) {
                /* a decision (the session moved on or closed) or an error */
                if (s->fd == -1)
                    return;
                buf_reset(&s->in);
                off = 0;
                break;
            }
            off += 4 + (size_t)len;
        }
        buf_consume(&s->in, off);
    }
}

static void
slot_event(struct load *l, struct slot *s)
{
    if (s->state == SL_CONNECTING || s->state == SL_WRITING) {
        slot_write(l, s);
        if (s->fd != -1 && s->state == SL_WRITING)
            return;
    }
    if (s->fd != -1 && (s->state == SL_OPTNEG || s->state == SL_READING))
        slot_read(l, s);
}

static void
load_phase(struct load *l, size_t limit, double seconds, bool record)
{
    struct epoll_event evs[64];

    l->record = record;
    l->started = 0;
    l->limit = limit;
    l->stop_at = now() + seconds;
    for (;;) {
        double t, next = 0;
        int n, wait_ms;

        for (size_t i = 0; i < l->o.concurrency; i++) {
            if (l->slots[i].state == SL_IDLE && load_may_start(l))
                slot_start(l, &l->slots[i]);
        }
        if (l->active == 0)
            break;
        for (size_t i = 0; i < l->o.concurrency; i++) {
            if (l->slots[i].state != SL_IDLE && (next == 0 || l->slots[i].deadline < next))
                next = l->slots[i].deadline;
        }
        wait_ms = (int)ceil((next - now()) * 1000);
        n = epoll_wait(l->ep, evs, 64, wait_ms < 0 ? 0 : wait_ms);
        if (n == -1 && errno != EINTR) {
            perror("bench_milter_load: epoll_wait");
            exit(1);
        }
        for (int i = 0; i < n; i++) {
            struct slot *s = &l->slots[evs[i].data.u32];

            if (s->state != SL_IDLE)
                slot_event(l, s);
        }
        t = now();
        for (size_t i = 0; i < l->o.concurrency; i++) {
            if (l->slots[i].state != SL_IDLE && l->slots[i].deadline <= t)
                slot_result(l, &l->slots[i], ML_ERR_TIMEOUT, "no decision in time");
        }
    }
}

/* --- output --------------------------------------------------------------------- */

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

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
load_report(struct load *l, double elapsed, double cpu)
{
    static const char *const names[5] = { "accept", "marked", "reject", "tempfail", "discard" };
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
        printf("{\"target\":\"%s:%s\",\"concurrency\":%zu,\"per_session\":%zu,\"messages\":%zu,"
               "\"skipped\":%zu,\"warmup\":%zu,\"requests\":%zu,\"ok\":%zu,\"errors\":%zu,"
               "\"decisions\":{",
               l->o.host, l->o.port, l->o.concurrency, l->o.per_session, l->nmsgs, l->skipped,
               l->o.warmup, l->done, l->ok, l->done - l->ok);
        for (int k = 0; k < 5; k++)
            printf("%s\"%s\":%zu", k ? "," : "", names[k], l->decisions[k]);
        printf("},\"errors_by_kind\":{");
        for (int k = 0; k < ML_ERR_N; k++)
            printf("%s\"%s\":%zu", k ? "," : "", ml_err_names[k], l->err[k]);
        printf("},\"error_details\":{");
        for (size_t i = 0; i < l->ndetails; i++)
            printf("%s\"%s\":%zu", i ? "," : "", l->details[i].text, l->details[i].n);
        printf("},\"elapsed_s\":%.3f,\"msgs_per_s\":%.1f,\"latency_ms\":{\"mean\":%.2f,"
               "\"p50\":%.2f,\"p90\":%.2f,\"p99\":%.2f,\"max\":%.2f},\"driver_cpu_s\":%.3f,"
               "\"sessions\":%zu}\n",
               elapsed, rate, mean, p50, p90, p99, max, cpu, l->sessions);
        return;
    }
    printf("target      %s:%s, concurrency %zu, %zu message(s) per session\n", l->o.host, l->o.port,
           l->o.concurrency, l->o.per_session);
    printf("messages    %zu (%.1f MB), %zu skipped (over %zu bytes)\n", l->nmsgs,
           (double)l->bytes / 1e6, l->skipped, l->o.max_size);
    printf("requests    %zu (after %zu warm-up), %zu sessions\n", l->done, l->o.warmup,
           l->sessions);
    printf("decisions  ");
    for (int k = 0; k < 5; k++)
        printf(" %s %zu", names[k], l->decisions[k]);
    printf("\nerrors      %zu\n", l->done - l->ok);
    for (size_t i = 0; i < l->ndetails; i++)
        printf("  %6zu  %s\n", l->details[i].n, l->details[i].text);
    printf("elapsed     %.3f s\n", elapsed);
    printf("messages/s  %.1f\n", rate);
    printf("latency ms  p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  (mean %.2f; EOM to decision)\n",
           p50, p90, p99, max, mean);
    printf("driver CPU  %.3f s (%.0f%% of one core)\n", cpu,
           elapsed > 0 ? 100.0 * cpu / elapsed : 0);
}

/* --- main ----------------------------------------------------------------------- */

static const char usage_line[] =
    "usage: bench_milter_load [-h HOST] [-p PORT] [-c CONCURRENCY] [-n MESSAGES | -t SECONDS] "
    "[--per-session N] [--warmup N] [--timeout S] [--max-size BYTES] [--seed N] [--ip ADDR] "
    "[--helo NAME] [--from ADDR] [--rcpt ADDR] [--json] DIR_OR_FILE... "
    "(scripts/bench-milter.py runs it)\n";

static size_t
parse_count(const char *opt, const char *s, size_t min)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > 100000000) {
        fprintf(stderr, "bench_milter_load: %s: bad number '%s'\n", opt, s);
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
        fprintf(stderr, "bench_milter_load: %s: bad duration '%s'\n", opt, s);
        exit(2);
    }
    return v;
}

static void
parse_args(struct opts *o, int argc, char **argv)
{
    enum { O_WARMUP = 256, O_TIMEOUT, O_MAX, O_SEED, O_JSON, O_PER, O_IP, O_HELO, O_FROM, O_RCPT };
    static const struct option longs[] = {
        { "warmup", required_argument, NULL, O_WARMUP },
        { "timeout", required_argument, NULL, O_TIMEOUT },
        { "max-size", required_argument, NULL, O_MAX },
        { "seed", required_argument, NULL, O_SEED },
        { "json", no_argument, NULL, O_JSON },
        { "per-session", required_argument, NULL, O_PER },
        { "ip", required_argument, NULL, O_IP },
        { "helo", required_argument, NULL, O_HELO },
        { "from", required_argument, NULL, O_FROM },
        { "rcpt", required_argument, NULL, O_RCPT },
        { NULL, 0, NULL, 0 },
    };
    int c;

    *o = (struct opts){ .host = "127.0.0.1",
                        .port = "11332",
                        .ip = "192.0.2.10",
                        .helo = "mail.example.org",
                        .from = "alice@example.org",
                        .rcpt = "bob@example.net",
                        .concurrency = 16,
                        .total = 1000,
                        .max_size = ML_MAX_SIZE_DEFAULT,
                        .per_session = 1,
                        .timeout = 60,
                        .seed = 1 };
    while ((c = getopt_long(argc, argv, "h:p:c:n:t:", longs, NULL)) != -1) {
        switch (c) {
        case 'h':
            o->host = optarg;
            break;
        case 'p':
            o->port = optarg;
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
        case O_WARMUP:
            o->warmup = parse_count("--warmup", optarg, 0);
            break;
        case O_TIMEOUT:
            o->timeout = parse_seconds("--timeout", optarg);
            break;
        case O_MAX:
            o->max_size = parse_count("--max-size", optarg, 1);
            break;
        case O_SEED:
            o->seed = parse_count("--seed", optarg, 0);
            break;
        case O_JSON:
            o->json = true;
            break;
        case O_PER:
            o->per_session = parse_count("--per-session", optarg, 1);
            break;
        case O_IP:
            o->ip = optarg;
            break;
        case O_HELO:
            o->helo = optarg;
            break;
        case O_FROM:
            o->from = optarg;
            break;
        case O_RCPT:
            o->rcpt = optarg;
            break;
        default:
            fputs(usage_line, stderr);
            exit(2);
        }
    }
    if (o->concurrency > 10000) {
        fprintf(stderr, "bench_milter_load: -c: at most 10000\n");
        exit(2);
    }
}

int
main(int argc, char **argv)
{
    struct load l = { 0 };
    double t0, cpu0, elapsed;

    if (argc == 1) {
        fputs(usage_line, stderr);
        return 0;
    }
    parse_args(&l.o, argc, argv);
    if (optind == argc) {
        fprintf(stderr, "bench_milter_load: no messages given\n%s", usage_line);
        return 2;
    }
    if (load_resolve(&l) == -1)
        return 2;
    ml_open_packets(&l);
    load_messages(&l, argv + optind, argc - optind);
    if (l.nmsgs == 0) {
        fprintf(stderr, "bench_milter_load: no messages (%zu skipped as too big)\n", l.skipped);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if ((l.ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
        perror("bench_milter_load: epoll_create1");
        return 1;
    }
    l.slots = xcalloc(l.o.concurrency, sizeof(*l.slots));
    for (size_t i = 0; i < l.o.concurrency; i++) {
        l.slots[i].fd = -1;
        buf_init(&l.slots[i].in);
        buf_init(&l.slots[i].out);
    }
    if (l.o.warmup > 0)
        load_phase(&l, l.o.warmup, 0, false);
    memset(l.decisions, 0, sizeof(l.decisions));
    l.sessions = 0;
    t0 = now();
    cpu0 = cpu_now();
    load_phase(&l, l.o.total, l.o.seconds, true);
    elapsed = now() - t0;
    load_report(&l, elapsed, cpu_now() - cpu0);
    for (size_t i = 0; i < l.o.concurrency; i++) {
        buf_clear(&l.slots[i].in);
        buf_clear(&l.slots[i].out);
    }
    for (size_t i = 0; i < l.nmsgs; i++)
        buf_clear(&l.msgs[i].pkts);
    buf_clear(&l.open);
    free(l.msgs);
    free(l.slots);
    free(l.lat);
    close(l.ep);
    return l.ok == l.done ? 0 : 1;
}
