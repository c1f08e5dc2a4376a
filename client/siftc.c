/*
 * siftc.c - sift's native client, in the spirit of rspamc: scan messages
 * (files, directories, stdin) with POST /checkv2 on a normal worker, learn
 * and fuzzy-add/-delete them on the controller, show its statistics, ping.
 *
 * Each message is one HTTP request on its own connection. Up to -n run at
 * once, on one poll() loop; results are printed in the order of the inputs
 * (a message's result waits for those before it), errors go to stderr as
 * they happen. The exit status is documented in siftc_usage and README.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/json_read.h"
#include "core/version.h"
#include "core/xmalloc.h"
#include "proto/proto_rspamd.h"

#include "siftc_fmt.h"
#include "siftc_http.h"

/* sysexits.h values, spelled out: the exit status is part of the interface */
#define SIFTC_EX_USAGE       64
#define SIFTC_EX_NOINPUT     66
#define SIFTC_EX_UNAVAILABLE 69
#define SIFTC_EX_TEMPFAIL    75
#define SIFTC_MAX_PARALLEL   256

enum siftc_out {
    SIFTC_OUT_HUMAN,
    SIFTC_OUT_JSON,    /* the server's JSON as it came, one a line */
    SIFTC_OUT_PRETTY,  /* --raw, --ucl: the JSON indented */
    SIFTC_OUT_HEADERS, /* scans: the X-Spam-* headers of the result */
};

struct siftc;
struct siftc_job;

/* Print a successful (200) reply's parsed JSON in the human forms; 0, or
 * -1 when the reply lacks what the command needs. */
typedef int (*siftc_show_fn)(struct siftc *sc, const struct json_val *res, struct buf *out);

struct siftc_cmd {
    const char *name;   /* on the command line */
    const char *verb;   /* in messages: "scan failed" */
    const char *method; /* GET or POST */
    const char *path;
    const char *host;   /* default server: the normal worker or the controller */
    bool body;          /* takes messages: files, directories, stdin */
    siftc_show_fn show; /* NULL: ping */
};

struct siftc {
    const struct siftc_cmd *cmd;
    const char *host;
    double timeout;
    unsigned parallel;
    enum siftc_out out;
    bool zstd;
    struct buf extra; /* request headers from the options, "Name: value\r\n" each */
    struct siftc_addr addr;
    struct buf stdin_msg;
    bool stdin_read;
    size_t shown; /* result blocks printed, for the blank line between them */
    int worst;    /* the strongest action rank of the scans */
    bool e_transport, e_server, e_input, e_ping;
};

struct siftc_job {
    const char *path; /* NULL: stdin, or no message (stat, ping) */
    const char *name; /* for messages: the path, or "stdin" */
    double t0;
    bool done;
    bool started; /* a request went out (else the input could not be read) */
    struct siftc_conn conn;
};

static int siftc_show_scan(struct siftc *sc, const struct json_val *res, struct buf *out);
static int siftc_show_success(struct siftc *sc, const struct json_val *res, struct buf *out);
static int siftc_show_stat(struct siftc *sc, const struct json_val *res, struct buf *out);

#define SIFTC_NORMAL     "127.0.0.1:11333"
#define SIFTC_CONTROLLER "127.0.0.1:11334"

static const struct siftc_cmd siftc_cmds[] = {
    { "symbols", "scan", "POST", "/checkv2", SIFTC_NORMAL, true, siftc_show_scan }, /* default */
    { "learn_spam", "learn_spam", "POST", "/learnspam", SIFTC_CONTROLLER, true,
      siftc_show_success },
    { "learn_ham", "learn_ham", "POST", "/learnham", SIFTC_CONTROLLER, true, siftc_show_success },
    { "fuzzy_add", "fuzzy_add", "POST", "/fuzzyadd", SIFTC_CONTROLLER, true, siftc_show_success },
    { "fuzzy_del", "fuzzy_del", "POST", "/fuzzydel", SIFTC_CONTROLLER, true, siftc_show_success },
    { "stat", "stat", "GET", "/stat", SIFTC_CONTROLLER, false, siftc_show_stat },
    { "ping", "ping", "GET", "/ping", SIFTC_NORMAL, false, NULL },
};

static void
siftc_usage(FILE *f)
{
    fprintf(f,
            "usage: siftc [options] [symbols] [FILE|DIR|-]...   scan (stdin when no FILE)\n"
            "       siftc [options] learn_spam|learn_ham [FILE|DIR|-]...\n"
            "       siftc [options] fuzzy_add|fuzzy_del [-f FLAG] [-w WEIGHT] [FILE|DIR|-]...\n"
            "       siftc [options] stat | ping\n"
            "Scans go to the normal worker (127.0.0.1:11333), the other commands to the\n"
            "controller (127.0.0.1:11334); ping to the normal worker. Directories are\n"
            "scanned recursively, in name order; results come in the order of the inputs.\n"
            "options:\n"
            "  -h, --connect HOST:PORT  server ([::1]:PORT and /path.sock too)\n"
            "  -t, --timeout SECONDS    give up on a request after this long (default 10)\n"
            "  -n, --max-requests N     requests at once when there are many messages (default 1)\n"
            "  -P, --password PASSWORD  the controller's password\n"
            "  -i, --ip IP              the SMTP client's address\n"
            "  -F, --from ADDR          the envelope sender (MAIL FROM)\n"
            "  -r, --rcpt ADDR          an envelope recipient (repeatable)\n"
            "      --helo NAME, --hostname NAME   the client's HELO and its resolved name\n"
            "  -u, --user USER          the authenticated user\n"
            "  -d, --deliver ADDR       the final recipient (Deliver-To)\n"
            "      --queue-id ID, --settings JSON, --settings-id ID\n"
            "      --header 'NAME: VALUE'  any request header (repeatable)\n"
            "  -p, --pass-all           run every rule (Pass: all)\n"
            "  -z, --zstd               compress the message with zstd\n"
            "  -c, --classifier NAME    learn_*: the classifier\n"
            "  -f, --flag FLAG, -w, --weight WEIGHT   fuzzy_*: the storage flag and weight\n"
            "  -j, --json               the server's JSON, one line per message\n"
            "      --raw, --ucl         the server's JSON, indented\n"
            "      --headers            scans: the X-Spam-* headers the result stands for\n"
            "  -v, --version, --help\n"
            "exit status:\n"
            "  scans: the strongest action of all messages: 0 no action, 1 greylist,\n"
            "         2 add header, 3 rewrite subject, 4 soft reject, 5 reject\n"
            "  other commands: 0 done (a learn the server skipped, 204/208, is done too)\n"
            "  1 ping: the reply was not pong\n"
            "  64 bad command line; 66 an input could not be read;\n"
            "  69 the server answered with an error, or something siftc cannot read;\n"
            "  75 no connection, the connection broke or the timeout passed (an MTA retries)\n"
            "  (75 before 69 before 66 before any action)\n");
}

/* --- options -------------------------------------------------------------- */

/* A request header from an option; -1 if it could break the request. */
static int
siftc_add_header(struct siftc *sc, const char *name, const char *value)
{
    if (strpbrk(value, "\r\n") != NULL) {
        fprintf(stderr, "siftc: %s: a line break cannot go in a header\n", name);
        return -1;
    }
    buf_printf(&sc->extra, "%s: %s\r\n", name, value);
    return 0;
}

/* --header 'Name: value' */
static int
siftc_add_raw_header(struct siftc *sc, const char *text)
{
    const char *colon = strchr(text, ':');

    if (colon == NULL || colon == text || strpbrk(text, "\r\n") != NULL ||
        strcspn(text, " \t()<>@,;\\\"/[]?={}") < (size_t)(colon - text)) {
        fprintf(stderr, "siftc: --header: want 'Name: value', not '%s'\n", text);
        return -1;
    }
    buf_printf(&sc->extra, "%s\r\n", text);
    return 0;
}

enum {
    OPT_HELO = 256,
    OPT_HOSTNAME,
    OPT_QUEUE_ID,
    OPT_SETTINGS,
    OPT_SETTINGS_ID,
    OPT_HEADER,
    OPT_RAW,
    OPT_HEADERS,
    OPT_HELP,
};

static const struct option siftc_longopts[] = {
    { "connect", required_argument, NULL, 'h' },
    { "timeout", required_argument, NULL, 't' },
    { "max-requests", required_argument, NULL, 'n' },
    { "password", required_argument, NULL, 'P' },
    { "ip", required_argument, NULL, 'i' },
    { "from", required_argument, NULL, 'F' },
    { "rcpt", required_argument, NULL, 'r' },
    { "user", required_argument, NULL, 'u' },
    { "deliver", required_argument, NULL, 'd' },
    { "classifier", required_argument, NULL, 'c' },
    { "flag", required_argument, NULL, 'f' },
    { "weight", required_argument, NULL, 'w' },
    { "pass-all", no_argument, NULL, 'p' },
    { "zstd", no_argument, NULL, 'z' },
    { "json", no_argument, NULL, 'j' },
    { "version", no_argument, NULL, 'v' },
    { "helo", required_argument, NULL, OPT_HELO },
    { "hostname", required_argument, NULL, OPT_HOSTNAME },
    { "queue-id", required_argument, NULL, OPT_QUEUE_ID },
    { "settings", required_argument, NULL, OPT_SETTINGS },
    { "settings-id", required_argument, NULL, OPT_SETTINGS_ID },
    { "header", required_argument, NULL, OPT_HEADER },
    { "raw", no_argument, NULL, OPT_RAW },
    { "ucl", no_argument, NULL, OPT_RAW },
    { "headers", no_argument, NULL, OPT_HEADERS },
    { "help", no_argument, NULL, OPT_HELP },
    { NULL, 0, NULL, 0 },
};

/* The header each simple option sets. */
static const struct {
    int opt;
    const char *header;
} siftc_opt_headers[] = {
    { 'P', "Password" },
    { 'i', "IP" },
    { 'F', "From" },
    { 'r', "Rcpt" },
    { 'u', "User" },
    { 'd', "Deliver-To" },
    { 'c', "Classifier" },
    { 'f', "Flag" },
    { 'w', "Weight" },
    { OPT_HELO, "Helo" },
    { OPT_HOSTNAME, "Hostname" },
    { OPT_QUEUE_ID, "Queue-Id" },
    { OPT_SETTINGS, "Settings" },
    { OPT_SETTINGS_ID, "Settings-ID" },
};

/* One option; 0 go on, 1 exit 0 now, -1 usage error. */
static int
siftc_option(struct siftc *sc, int c)
{
    char *end;

    for (size_t i = 0; i < sizeof(siftc_opt_headers) / sizeof(siftc_opt_headers[0]); i++)
        if (siftc_opt_headers[i].opt == c)
            return siftc_add_header(sc, siftc_opt_headers[i].header, optarg);
    switch (c) {
    case 'h':
        sc->host = optarg;
        return 0;
    case 't':
        sc->timeout = strtod(optarg, &end);
        if (*end != '\0' || !(sc->timeout > 0) || !isfinite(sc->timeout)) {
            fprintf(stderr, "siftc: -t: not a positive number of seconds\n");
            return -1;
        }
        return 0;
    case 'n': {
        long n = strtol(optarg, &end, 10);
        if (*end != '\0' || n < 1 || n > SIFTC_MAX_PARALLEL) {
            fprintf(stderr, "siftc: -n: a number from 1 to %d\n", SIFTC_MAX_PARALLEL);
            return -1;
        }
        sc->parallel = (unsigned)n;
        return 0;
    }
    case 'p':
        return siftc_add_header(sc, "Pass", "all");
    case 'z':
        sc->zstd = true;
        return 0;
    case 'j':
        sc->out = SIFTC_OUT_JSON;
        return 0;
    case OPT_RAW:
        sc->out = SIFTC_OUT_PRETTY;
        return 0;
    case OPT_HEADERS:
        sc->out = SIFTC_OUT_HEADERS;
        return 0;
    case OPT_HEADER:
        return siftc_add_raw_header(sc, optarg);
    case 'v':
        printf("siftc %s\n", SIFT_VERSION);
        return 1;
    case OPT_HELP:
        siftc_usage(stdout);
        return 1;
    default:
        return -1;
    }
}

/* --- inputs --------------------------------------------------------------- */

struct siftc_inputs {
    char **v; /* NULL entries: stdin */
    size_t n, cap;
};

static void
siftc_input_add(struct siftc_inputs *in, char *path)
{
    if (in->n == in->cap) {
        in->cap = in->cap ? in->cap * 2 : 16;
        in->v = xreallocarray(in->v, in->cap, sizeof(*in->v));
    }
    in->v[in->n++] = path;
}

static int
siftc_skip_dot(const struct dirent *d)
{
    return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

/* The regular files under dir, recursively, in name order. A symbolic link
 * to a file counts; one to a directory is not followed (no loops). */
static void
siftc_walk(struct siftc *sc, struct siftc_inputs *in, const char *dir)
{
    struct dirent **ents;
    int n = scandir(dir, &ents, siftc_skip_dot, alphasort);

    if (n == -1) {
        fprintf(stderr, "siftc: %s: %s\n", dir, strerror(errno));
        sc->e_input = true;
        return;
    }
    for (int i = 0; i < n; i++) {
        size_t len = strlen(dir) + strlen(ents[i]->d_name) + 2;
        char *path = xmalloc(len);
        struct stat st;

        snprintf(path, len, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", ents[i]->d_name);
        free(ents[i]);
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            siftc_walk(sc, in, path);
            free(path);
        } else if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            siftc_input_add(in, path);
        } else {
            free(path);
        }
    }
    free(ents);
}

static void
siftc_inputs_collect(struct siftc *sc, struct siftc_inputs *in, char **args, int nargs)
{
    struct stat st;

    if (nargs == 0)
        siftc_input_add(in, NULL);
    for (int i = 0; i < nargs; i++) {
        if (strcmp(args[i], "-") == 0)
            siftc_input_add(in, NULL);
        else if (stat(args[i], &st) == 0 && S_ISDIR(st.st_mode))
            siftc_walk(sc, in, args[i]);
        else
            siftc_input_add(in, xstrdup(args[i])); /* unreadable: said when its turn comes */
    }
}

static int
siftc_read_fd(int fd, struct buf *out)
{
    for (;;) {
        ssize_t n;

        buf_reserve(out, 64 * 1024);
        n = read(fd, out->p + out->len, out->cap - out->len - 1);
        if (n > 0) {
            out->len += (size_t)n;
            out->p[out->len] = '\0';
        } else if (n == 0) {
            return 0;
        } else if (errno != EINTR) {
            return -1;
        }
    }
}

/* The message of job j into out (stdin: read once, kept). */
static int
siftc_read_message(struct siftc *sc, const struct siftc_job *j, struct buf *out)
{
    int fd, rc;

    if (j->path == NULL) {
        if (!sc->stdin_read && siftc_read_fd(STDIN_FILENO, &sc->stdin_msg) == -1) {
            fprintf(stderr, "siftc: stdin: %s\n", strerror(errno));
            return -1;
        }
        sc->stdin_read = true;
        buf_append(out, sc->stdin_msg.p ? sc->stdin_msg.p : "", sc->stdin_msg.len);
        return 0;
    }
    fd = open(j->path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        fprintf(stderr, "siftc: %s: %s\n", j->path, strerror(errno));
        return -1;
    }
    rc = siftc_read_fd(fd, out);
    if (rc == -1)
        fprintf(stderr, "siftc: %s: %s\n", j->path, strerror(errno));
    close(fd);
    return rc;
}

/* --- requests ------------------------------------------------------------- */

static void
siftc_job_start(struct siftc *sc, struct siftc_job *j)
{
    struct buf msg, extra, req;
    const char *body = NULL;
    size_t body_len = 0;

    j->name = j->path ? j->path : sc->cmd->body ? "stdin" : sc->cmd->name;
    buf_init(&msg);
    buf_init(&req);
    buf_init(&extra);
    buf_append(&extra, sc->extra.p ? sc->extra.p : "", sc->extra.len);
    if (sc->cmd->body) {
        if (siftc_read_message(sc, j, &msg) == -1) {
            sc->e_input = true;
            j->done = true;
            buf_clear(&extra);
            return;
        }
        /* the file name is for the server's log: no control bytes */
        buf_puts(&extra, "Filename: ");
        for (const char *p = j->name; *p; p++)
            buf_putc(&extra, (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p);
        buf_puts(&extra, "\r\n");
        body = msg.p;
        body_len = msg.len;
    }
    if (sc->zstd && sc->cmd->body) {
        struct buf z;

        buf_init(&z);
        if (rspamd_zstd_compress(msg.p ? msg.p : "", msg.len, &z) == -1) {
            fprintf(stderr, "siftc: zstd: cannot compress\n"); /* only out of memory */
            abort();
        }
        buf_clear(&msg);
        msg = z;
        body = msg.p;
        body_len = msg.len;
        buf_puts(&extra, "Compression: zstd\r\nContent-Encoding: zstd\r\n");
    }
    siftc_request_head(&req, sc->cmd->method, sc->cmd->path, &sc->addr, extra.p, body_len);
    if (body_len > 0)
        buf_append(&req, body, body_len);
    buf_clear(&msg);
    buf_clear(&extra);
    j->t0 = clock_mono(); /* -t counts from here: reading stdin may take long */
    siftc_conn_start(&j->conn, &sc->addr, &req, j->t0 + sc->timeout);
    j->started = true;
    j->done = siftc_conn_events(&j->conn) == 0;
}

/* --- results -------------------------------------------------------------- */

static int
siftc_show_scan(struct siftc *sc, const struct json_val *res, struct buf *out)
{
    const char *action = json_read_str(json_read_get(res, "action"), NULL);
    int rank;

    if (action == NULL)
        return -1;
    rank = siftc_action_rank(action);
    if (rank > sc->worst)
        sc->worst = rank;
    if (sc->out == SIFTC_OUT_HEADERS)
        siftc_fmt_headers(out, res);
    else if (sc->out == SIFTC_OUT_HUMAN)
        siftc_fmt_scan(out, res);
    return 0;
}

static int
siftc_show_success(struct siftc *sc, const struct json_val *res, struct buf *out)
{
    if (!json_read_is(res, JSON_OBJECT))
        return -1;
    if (sc->out == SIFTC_OUT_HUMAN || sc->out == SIFTC_OUT_HEADERS)
        siftc_fmt_success(out, res);
    return 0;
}

static int
siftc_show_stat(struct siftc *sc, const struct json_val *res, struct buf *out)
{
    if (!json_read_is(res, JSON_OBJECT))
        return -1;
    if (sc->out == SIFTC_OUT_HUMAN || sc->out == SIFTC_OUT_HEADERS)
        siftc_fmt_stat(out, res);
    return 0;
}

/* "siftc: FILE: learn_spam failed: " or "siftc: stat failed: " */
static void
siftc_fail_prefix(const struct siftc *sc, const struct siftc_job *j)
{
    if (sc->cmd->body)
        fprintf(stderr, "siftc: %s: %s failed: ", j->name, sc->cmd->verb);
    else
        fprintf(stderr, "siftc: %s failed: ", sc->cmd->verb);
}

/* The text of an error reply: its JSON "error", else the reason phrase. */
static void
siftc_error_text(const struct http_response *r, struct buf *out)
{
    struct arena *a = arena_new(4096);
    const struct json_val *v = NULL;
    const char *msg = NULL;

    if (json_read_parse(a, r->body.p ? r->body.p : "", r->body.len, 0, &v, NULL) == 0)
        msg = json_read_str(json_read_get(v, "error"), NULL);
    if (msg != NULL)
        buf_puts(out, msg);
    else if (r->reason.len > 0)
        buf_append(out, r->reason.p, r->reason.len);
    else
        buf_append(out, r->body.p ? r->body.p : "", strcspn(r->body.p ? r->body.p : "", "\r\n"));
    arena_free(&a);
}

static void
siftc_http_error(struct siftc *sc, const struct siftc_job *j)
{
    const struct http_response *r = &j->conn.rep.rp.resp;
    struct buf text;

    buf_init(&text);
    siftc_error_text(r, &text);
    siftc_fail_prefix(sc, j);
    fprintf(stderr, "%d %s%s\n", r->status, text.p ? text.p : "",
            r->status == 401 || r->status == 403 ? " (the controller's password goes in -P)" : "");
    buf_clear(&text);
    sc->e_server = true;
}

static void
siftc_ping_done(struct siftc *sc, struct siftc_job *j)
{
    const struct http_response *r = &j->conn.rep.rp.resp;

    if (r->status == 200 && r->body.len >= 4 && memcmp(r->body.p, "pong", 4) == 0) {
        printf("%.*s from %s in %.3f ms\n", (int)strcspn(r->body.p, "\r\n"), r->body.p, sc->host,
               (clock_mono() - j->t0) * 1000);
        return;
    }
    fprintf(stderr, "siftc: %s: unexpected reply: HTTP %d %.*s\n", sc->host, r->status,
            (int)r->reason.len, r->reason.p);
    sc->e_ping = true;
}

/* The JSON of a 200 reply: the part before Message-Offset, if the server
 * appended a rewritten message. */
static size_t
siftc_json_len(const struct http_response *r)
{
    const struct strv *off = http_response_header(r, "message-offset");
    size_t n = 0;

    if (off == NULL)
        return r->body.len;
    for (size_t i = 0; i < off->len && off->p[i] >= '0' && off->p[i] <= '9'; i++)
        n = n * 10 + (size_t)(off->p[i] - '0');
    return n < r->body.len ? n : r->body.len;
}

static void
siftc_show(struct siftc *sc, struct siftc_job *j)
{
    const struct http_response *r = &j->conn.rep.rp.resp;
    struct arena *a = arena_new(16 * 1024);
    const struct json_val *res = NULL;
    struct sift_err err;
    size_t len = siftc_json_len(r);
    struct buf out;

    buf_init(&out);
    if (json_read_parse(a, r->body.p ? r->body.p : "", len, 0, &res, &err) == -1) {
        siftc_fail_prefix(sc, j);
        fprintf(stderr, "the reply is not JSON: %s\n", err.msg);
        sc->e_server = true;
        goto out;
    }
    if (sc->out != SIFTC_OUT_JSON && sc->shown++ > 0)
        buf_putc(&out, '\n');
    if (sc->out != SIFTC_OUT_JSON) {
        if (sc->cmd->body)
            buf_printf(&out, "Results for file: %s (%.3f seconds)\n", j->name,
                       clock_mono() - j->t0);
        else
            buf_printf(&out, "Results for command: %s (%.3f seconds)\n", sc->cmd->name,
                       clock_mono() - j->t0);
    }
    if (sc->cmd->show(sc, res, &out) == -1) {
        siftc_fail_prefix(sc, j);
        fprintf(stderr, "the reply is not what %s answers\n", sc->cmd->path);
        sc->e_server = true;
        goto out;
    }
    if (sc->out == SIFTC_OUT_JSON) {
        buf_append(&out, r->body.p, len);
        if (len == 0 || r->body.p[len - 1] != '\n')
            buf_putc(&out, '\n');
    } else if (sc->out == SIFTC_OUT_PRETTY) {
        json_read_render(res, &out, 2);
        buf_putc(&out, '\n');
    }
    fwrite(out.p, 1, out.len, stdout);
out:
    buf_clear(&out);
    arena_free(&a);
}

static void
siftc_job_done(struct siftc *sc, struct siftc_job *j)
{
    const struct siftc_conn *c = &j->conn;
    const struct http_response *r = &c->rep.rp.resp;

    if (!j->started)
        return; /* the input was unreadable, and said so */
    if (c->state == SIFTC_FAILED) {
        if (c->fail == SIFTC_FAIL_REPLY && sc->cmd->show == NULL) {
            fprintf(stderr, "siftc: %s: %s\n", sc->host, c->err.msg);
            sc->e_ping = true;
        } else if (c->fail == SIFTC_FAIL_REPLY) {
            siftc_fail_prefix(sc, j);
            fprintf(stderr, "%s\n", c->err.msg);
            sc->e_server = true;
        } else {
            siftc_fail_prefix(sc, j);
            fprintf(stderr, "%s\n", c->err.msg);
            sc->e_transport = true;
        }
        return;
    }
    if (sc->cmd->show == NULL) {
        siftc_ping_done(sc, j);
    } else if (r->status == 200) {
        siftc_show(sc, j);
    } else if (r->status > 200 && r->status < 300) {
        /* rspamd's 204 (too few tokens) and 208 (already learned): not done, not an error */
        struct buf text;

        buf_init(&text);
        siftc_error_text(r, &text);
        fprintf(stderr, "siftc: %s: %s: %d %s\n", j->name, sc->cmd->name, r->status,
                text.p ? text.p : "");
        buf_clear(&text);
    } else {
        siftc_http_error(sc, j);
    }
}

/* Run a request for every input, at most sc->parallel at once, and report
 * each in input order. */
static void
siftc_run(struct siftc *sc, struct siftc_inputs *in)
{
    struct siftc_job *ring = xcalloc(sc->parallel, sizeof(*ring));
    struct pollfd *pfd = xcalloc(sc->parallel, sizeof(*pfd));
    struct siftc_job **waiting = xcalloc(sc->parallel, sizeof(*waiting));
    size_t head = 0, count = 0, next = 0;

    for (;;) {
        double now, wait = INFINITY;
        size_t np = 0;
        int n;

        while (count < sc->parallel && next < in->n) {
            struct siftc_job *j = &ring[(head + count++) % sc->parallel];

            memset(j, 0, sizeof(*j));
            j->conn.fd = -1;
            j->path = in->v[next++];
            siftc_job_start(sc, j);
        }
        while (count > 0 && ring[head].done) {
            siftc_job_done(sc, &ring[head]);
            siftc_conn_clear(&ring[head].conn);
            head = (head + 1) % sc->parallel;
            count--;
        }
        fflush(stdout);
        if (count == 0 && next == in->n)
            break;
        if (count < sc->parallel && next < in->n)
            continue;
        now = clock_mono();
        for (size_t i = 0; i < count; i++) {
            struct siftc_job *j = &ring[(head + i) % sc->parallel];

            if (j->done)
                continue;
            pfd[np] = (struct pollfd){ .fd = j->conn.fd, .events = siftc_conn_events(&j->conn) };
            waiting[np++] = j;
            wait = fmin(wait, j->conn.deadline - now);
        }
        n = poll(pfd, np, wait > 0 ? (int)fmin(wait * 1000 + 1, 60000) : 0);
        if (n == -1 && errno != EINTR) {
            perror("siftc: poll");
            abort();
        }
        now = clock_mono();
        for (size_t i = 0; i < np; i++) {
            siftc_conn_step(&waiting[i]->conn, n > 0 ? pfd[i].revents : 0, now);
            waiting[i]->done = siftc_conn_events(&waiting[i]->conn) == 0;
        }
    }
    free(waiting);
    free(pfd);
    free(ring);
}

static int
siftc_status(const struct siftc *sc)
{
    if (sc->e_transport)
        return SIFTC_EX_TEMPFAIL;
    if (sc->e_server)
        return SIFTC_EX_UNAVAILABLE;
    if (sc->e_input)
        return SIFTC_EX_NOINPUT;
    if (sc->e_ping)
        return 1;
    return sc->worst;
}

int
main(int argc, char **argv)
{
    struct siftc sc = { .cmd = &siftc_cmds[0], .timeout = 10, .parallel = 1 };
    struct siftc_inputs in = { 0 };
    struct sift_err err;
    int c, rc, first;

    buf_init(&sc.extra);
    buf_init(&sc.stdin_msg);
    while ((c = getopt_long(argc, argv, "h:t:n:P:i:F:r:u:d:c:f:w:pzjv", siftc_longopts, NULL)) !=
           -1) {
        rc = siftc_option(&sc, c);
        if (rc != 0) {
            if (rc == -1)
                fprintf(stderr, "siftc: --help lists the options\n");
            buf_clear(&sc.extra);
            return rc == 1 ? 0 : SIFTC_EX_USAGE;
        }
    }
    first = optind;
    for (size_t i = 0; first < argc && i < sizeof(siftc_cmds) / sizeof(siftc_cmds[0]); i++) {
        if (strcmp(argv[first], siftc_cmds[i].name) == 0) {
            sc.cmd = &siftc_cmds[i];
            first++;
            break;
        }
    }
    if (!sc.cmd->body && first < argc) {
        fprintf(stderr, "siftc: %s takes no file\n", sc.cmd->name);
        buf_clear(&sc.extra);
        return SIFTC_EX_USAGE;
    }
    if (sc.host == NULL)
        sc.host = sc.cmd->host;
    if (siftc_addr_resolve(sc.host, &sc.addr, &err) == -1) {
        fprintf(stderr, "siftc: %s: %s\n", sc.host, err.msg);
        buf_clear(&sc.extra);
        return SIFTC_EX_USAGE;
    }
    if (sc.cmd->body)
        siftc_inputs_collect(&sc, &in, argv + first, argc - first);
    else
        siftc_input_add(&in, NULL);
    siftc_run(&sc, &in);
    for (size_t i = 0; i < in.n; i++)
        free(in.v[i]);
    free(in.v);
    siftc_addr_clear(&sc.addr);
    buf_clear(&sc.extra);
    buf_clear(&sc.stdin_msg);
    return siftc_status(&sc);
}
