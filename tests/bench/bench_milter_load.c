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
 * The options, corpus, loop and figures it shares with bench_spamd_load are
 * in load_common.c; this file is the milter side.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/xmalloc.h"
#include "load_common.h"

#define ML_CHUNK 65535

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

/* The options of this driver; the common ones are in load.r.o. */
struct opts {
    const char *ip, *helo, *from, *rcpt;
    size_t per_session;
};

struct load {
    struct load_run r;
    struct opts o;
    struct buf open; /* CONNECT and HELO with their macros */
    struct ml_msg *msgs;
    size_t nmsgs, cap, next;
    struct slot *slots;
    /* the measured phase's results beyond load_run's */
    size_t decisions[5], sessions;
};

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

/* A message read (load_msg_fn): keep it as the packets of its transaction. */
static void
ml_add_message(void *ctx, const char *text, size_t n)
{
    struct load *l = ctx;
    size_t index = l->nmsgs; /* its place in path order: the queue id */
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

/* --- sessions ------------------------------------------------------------------- */

static void
slot_close(struct load *l, struct slot *s)
{
    if (s->fd != -1) {
        epoll_ctl(l->r.ep, EPOLL_CTL_DEL, s->fd, NULL);
        close(s->fd);
    }
    s->fd = -1;
    s->state = SL_IDLE;
    buf_reset(&s->in);
    buf_reset(&s->out);
    l->r.active--;
}

/* A message's end: its decision, or the failure that ends the session. */
static void
slot_result(struct load *l, struct slot *s, enum ml_result r, const char *what)
{
    if (s->recording) {
        if (r < 0) {
            load_count_ok(&l->r, load_now() - s->eom_at);
            l->decisions[r - ML_OK_ACCEPT]++;
        } else {
            load_count_error(&l->r, (size_t)r, what, strlen(what));
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

    if (epoll_ctl(l->r.ep, EPOLL_CTL_MOD, s->fd, &e) == -1)
        epoll_ctl(l->r.ep, EPOLL_CTL_ADD, s->fd, &e);
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
        l->r.started++; /* a session's first message was counted when it began */
    s->recording = l->r.record;
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
    s->deadline = load_now() + l->r.o.timeout;
    slot_watch(l, s, EPOLLIN | EPOLLOUT);
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
        s->eom_at = load_now();
    }
    slot_watch(l, s, EPOLLIN);
}

/* The session's next step after a decision. */
static void
slot_next(struct load *l, struct slot *s)
{
    if (++s->done < l->o.per_session && load_may_start(&l->r)) {
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

/* --- the slots, as load_run's loop sees them ----------------------------------- */

static double
slot_deadline(void *ctx, size_t i)
{
    const struct load *l = ctx;

    return l->slots[i].state == SL_IDLE ? 0 : l->slots[i].deadline;
}

/* A new session, OPTNEG first; its first message counts as started here. */
static void
slot_start(void *ctx, size_t i)
{
    struct load *l = ctx;
    struct slot *s = &l->slots[i];
    struct buf opt;
    uint32_t v[3] = { htonl(6), htonl(ML_ACTIONS), htonl(ML_PROTOCOL) };

    l->r.active++;
    l->sessions += l->r.record;
    l->r.started++; /* its first message */
    s->opened = false;
    s->done = 0;
    s->recording = l->r.record;
    s->deadline = load_now() + l->r.o.timeout;
    buf_init(&opt);
    pkt(&opt, 'O', v, sizeof(v));
    buf_reset(&s->out);
    buf_append(&s->out, opt.p, opt.len);
    buf_clear(&opt);
    s->sent = 0;
    if (load_connect(&l->r, true, &s->fd) == -1) {
        slot_result(l, s, ML_ERR_CONNECT, strerror(errno));
        return;
    }
    s->state = SL_CONNECTING;
    slot_watch(l, s, EPOLLOUT);
}

static void
slot_ready(void *ctx, size_t i)
{
    struct load *l = ctx;
    struct slot *s = &l->slots[i];

    if (s->state == SL_CONNECTING || s->state == SL_WRITING) {
        slot_write(l, s);
        if (s->fd != -1 && s->state == SL_WRITING)
            return;
    }
    if (s->fd != -1 && (s->state == SL_OPTNEG || s->state == SL_READING))
        slot_read(l, s);
}

static void
slot_expire(void *ctx, size_t i)
{
    struct load *l = ctx;

    slot_result(l, &l->slots[i], ML_ERR_TIMEOUT, "no decision in time");
}

static const struct load_ops slot_ops = {
    .deadline = slot_deadline,
    .start = slot_start,
    .ready = slot_ready,
    .expire = slot_expire,
    .restart_when_idle = false, /* every session failed at once: the phase ends */
};

/* --- output --------------------------------------------------------------------- */

static void
ml_report(struct load *l, double elapsed, double cpu)
{
    static const char *const names[5] = { "accept", "marked", "reject", "tempfail", "discard" };
    const struct load_run *r = &l->r;

    if (r->o.json) {
        printf("{\"target\":");
        load_json_str(r->target);
        printf(",\"concurrency\":%zu,\"per_session\":%zu,\"messages\":%zu,"
               "\"skipped\":%zu,\"warmup\":%zu,\"requests\":%zu,\"ok\":%zu,\"errors\":%zu,"
               "\"decisions\":{",
               r->o.concurrency, l->o.per_session, l->nmsgs, r->skipped, r->o.warmup, r->done,
               r->ok, r->done - r->ok);
        for (int k = 0; k < 5; k++)
            printf("%s\"%s\":%zu", k ? "," : "", names[k], l->decisions[k]);
        printf("},");
        load_report_json_tail(&l->r, elapsed, cpu);
        printf(",\"sessions\":%zu}\n", l->sessions);
        return;
    }
    printf("target      %s, concurrency %zu, %zu message(s) per session\n", r->target,
           r->o.concurrency, l->o.per_session);
    printf("messages    %zu (%.1f MB), %zu skipped (over %zu bytes)\n", l->nmsgs,
           (double)r->bytes / 1e6, r->skipped, r->o.max_size);
    printf("requests    %zu (after %zu warm-up), %zu sessions\n", r->done, r->o.warmup,
           l->sessions);
    printf("decisions  ");
    for (int k = 0; k < 5; k++)
        printf(" %s %zu", names[k], l->decisions[k]);
    printf("\nerrors      %zu\n", r->done - r->ok);
    load_report_text_tail(&l->r, elapsed, cpu, "; EOM to decision");
}

/* --- main ----------------------------------------------------------------------- */

static const char usage_line[] =
    "usage: bench_milter_load [-h HOST] [-p PORT] [-c CONCURRENCY] [-n MESSAGES | -t SECONDS] "
    "[--per-session N] [--warmup N] [--timeout S] [--max-size BYTES] [--seed N] [--ip ADDR] "
    "[--helo NAME] [--from ADDR] [--rcpt ADDR] [--json] DIR_OR_FILE... "
    "(scripts/bench-milter.py runs it)\n";

static void
parse_args(struct load *l, int argc, char **argv)
{
    enum { O_PER = LOAD_OPT_NEXT, O_IP, O_HELO, O_FROM, O_RCPT };
    static const struct option longs[] = {
        LOAD_LONG_OPTS,
        { "per-session", required_argument, NULL, O_PER },
        { "ip", required_argument, NULL, O_IP },
        { "helo", required_argument, NULL, O_HELO },
        { "from", required_argument, NULL, O_FROM },
        { "rcpt", required_argument, NULL, O_RCPT },
        { NULL, 0, NULL, 0 },
    };
    struct opts *o = &l->o;
    int c;

    load_opts_init(&l->r.o, "bench_milter_load", "11332", 16, 60);
    *o = (struct opts){ .ip = "192.0.2.10",
                        .helo = "mail.example.org",
                        .from = "alice@example.org",
                        .rcpt = "bob@example.net",
                        .per_session = 1 };
    while ((c = getopt_long(argc, argv, LOAD_SHORT_OPTS, longs, NULL)) != -1) {
        if (load_opts_take(&l->r.o, c, optarg))
            continue;
        switch (c) {
        case O_PER:
            o->per_session = load_parse_count(&l->r.o, "--per-session", optarg, 1);
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
    load_opts_check(&l->r.o);
}

int
main(int argc, char **argv)
{
    struct load l = { 0 };
    double elapsed, cpu;

    if (argc == 1) {
        fputs(usage_line, stderr);
        return 0;
    }
    load_run_init(&l.r, ml_err_names, ML_ERR_N);
    parse_args(&l, argc, argv);
    if (optind == argc) {
        fprintf(stderr, "bench_milter_load: no messages given\n%s", usage_line);
        return 2;
    }
    if (load_resolve(&l.r, NULL) == -1)
        return 2;
    ml_open_packets(&l);
    load_corpus_read(&l.r, argv + optind, argc - optind, ml_add_message, &l);
    load_shuffle(l.msgs, l.nmsgs, sizeof(*l.msgs), l.r.o.seed);
    if (l.nmsgs == 0) {
        fprintf(stderr, "bench_milter_load: no messages (%zu skipped as too big)\n", l.r.skipped);
        return 2;
    }
    load_run_open(&l.r);
    l.slots = xcalloc(l.r.o.concurrency, sizeof(*l.slots));
    for (size_t i = 0; i < l.r.o.concurrency; i++) {
        l.slots[i].fd = -1;
        buf_init(&l.slots[i].in);
        buf_init(&l.slots[i].out);
    }
    /* sessions and decisions count in the measured phase only */
    load_run_measure(&l.r, &slot_ops, &l, &elapsed, &cpu);
    ml_report(&l, elapsed, cpu);
    for (size_t i = 0; i < l.r.o.concurrency; i++) {
        buf_clear(&l.slots[i].in);
        buf_clear(&l.slots[i].out);
    }
    for (size_t i = 0; i < l.nmsgs; i++)
        buf_clear(&l.msgs[i].pkts);
    buf_clear(&l.open);
    free(l.msgs);
    free(l.slots);
    load_run_close(&l.r);
    return l.r.ok == l.r.done ? 0 : 1;
}
