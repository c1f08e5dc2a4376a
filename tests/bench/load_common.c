/*
 * load_common.c - the parts of a load driver that know no protocol: the
 * options, the corpus, the address, the epoll loop over the slots and the
 * figures of the measured phase (see load_common.h).
 */
#include "load_common.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/xmalloc.h"

#define LOAD_READ_CHUNK 65536

double
load_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
load_cpu_now(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* --- options ------------------------------------------------------------- */

void
load_opts_init(struct load_opts *o, const char *prog, const char *port, size_t concurrency,
               double timeout)
{
    *o = (struct load_opts){ .prog = prog,
                             .host = "127.0.0.1",
                             .port = port,
                             .concurrency = concurrency,
                             .total = 1000,
                             .max_size = LOAD_MAX_SIZE_DEFAULT,
                             .timeout = timeout,
                             .seed = 1 };
}

size_t
load_parse_count(const struct load_opts *o, const char *opt, const char *s, size_t min)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > 100000000) {
        fprintf(stderr, "%s: %s: bad number '%s'\n", o->prog, opt, s);
        exit(2);
    }
    return (size_t)v;
}

static double
load_parse_seconds(const struct load_opts *o, const char *opt, const char *s)
{
    char *end;
    double v = strtod(s, &end);

    if (end == s || *end != '\0' || !(v > 0) || v > 1e6) {
        fprintf(stderr, "%s: %s: bad duration '%s'\n", o->prog, opt, s);
        exit(2);
    }
    return v;
}

bool
load_opts_take(struct load_opts *o, int c, const char *arg)
{
    switch (c) {
    case 'h':
        o->host = arg;
        break;
    case 'p':
        o->port = arg;
        break;
    case 'c':
        o->concurrency = load_parse_count(o, "-c", arg, 1);
        break;
    case 'n':
        o->total = load_parse_count(o, "-n", arg, 1);
        o->seconds = 0;
        break;
    case 't':
        o->seconds = load_parse_seconds(o, "-t", arg);
        o->total = 0;
        break;
    case LOAD_OPT_WARMUP:
        o->warmup = load_parse_count(o, "--warmup", arg, 0);
        break;
    case LOAD_OPT_TIMEOUT:
        o->timeout = load_parse_seconds(o, "--timeout", arg);
        break;
    case LOAD_OPT_MAX_SIZE:
        o->max_size = load_parse_count(o, "--max-size", arg, 1);
        break;
    case LOAD_OPT_SEED:
        o->seed = load_parse_count(o, "--seed", arg, 0);
        break;
    case LOAD_OPT_JSON:
        o->json = true;
        break;
    default:
        return false;
    }
    return true;
}

void
load_opts_check(const struct load_opts *o)
{
    if (o->concurrency > 10000) {
        fprintf(stderr, "%s: -c: at most 10000\n", o->prog);
        exit(2);
    }
}

/* --- the messages -------------------------------------------------------- */

void
load_run_init(struct load_run *r, const char *const *kinds, size_t nkinds)
{
    if (nkinds > LOAD_MAX_KINDS)
        abort(); /* a driver with more failure kinds than LOAD_MAX_KINDS */
    *r = (struct load_run){ .kinds = kinds, .nkinds = nkinds, .ep = -1 };
}

struct load_paths {
    char **v;
    size_t n, cap;
};

static int
load_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file under path (dot files left out), or path itself. */
static void
load_paths_walk(const struct load_run *r, struct load_paths *ps, const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *de;

    if (stat(path, &st) == -1) {
        fprintf(stderr, "%s: %s: %s\n", r->o.prog, path, strerror(errno));
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (!S_ISREG(st.st_mode))
            return;
        if (ps->n == ps->cap) {
            ps->cap = ps->cap ? ps->cap * 2 : 1024;
            ps->v = xreallocarray(ps->v, ps->cap, sizeof(*ps->v));
        }
        ps->v[ps->n++] = xstrdup(path);
        return;
    }
    if ((d = opendir(path)) == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        char sub[PATH_MAX];

        if (de->d_name[0] == '.')
            continue;
        if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) < sizeof(sub))
            load_paths_walk(r, ps, sub);
    }
    closedir(d);
}

/* Read path whole and hand it to fn, unless it is over o.max_size. */
static void
load_read_file(struct load_run *r, const char *path, load_msg_fn fn, void *ctx)
{
    FILE *f = fopen(path, "rb");
    struct buf msg;
    char chunk[LOAD_READ_CHUNK];
    size_t n;

    if (f == NULL) {
        fprintf(stderr, "%s: %s: %s\n", r->o.prog, path, strerror(errno));
        return;
    }
    buf_init(&msg);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && msg.len <= r->o.max_size)
        buf_append(&msg, chunk, n);
    fclose(f);
    if (msg.len > r->o.max_size) {
        r->skipped++;
    } else {
        fn(ctx, msg.p != NULL ? msg.p : "", msg.len);
        r->bytes += msg.len;
    }
    buf_clear(&msg);
}

void
load_corpus_read(struct load_run *r, char **paths, int n, load_msg_fn fn, void *ctx)
{
    struct load_paths ps = { 0 };

    for (int i = 0; i < n; i++)
        load_paths_walk(r, &ps, paths[i]);
    /* a fixed order, so two runs send the same messages */
    qsort(ps.v, ps.n, sizeof(*ps.v), load_cmp_str);
    for (size_t i = 0; i < ps.n; i++) {
        load_read_file(r, ps.v[i], fn, ctx);
        free(ps.v[i]);
    }
    free(ps.v);
}

void
load_shuffle(void *base, size_t n, size_t size, unsigned long long seed)
{
    unsigned char *v = base;
    unsigned long long x = seed;

    if (seed == 0)
        return;
    for (size_t i = n; i > 1; i--) {
        unsigned long long z = (x += 0x9e3779b97f4a7c15ULL);
        unsigned char *a, *b;

        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        a = v + (i - 1) * size;
        b = v + (size_t)((z ^ (z >> 31)) % i) * size;
        for (size_t k = 0; k < size; k++) {
            unsigned char t = a[k];

            a[k] = b[k];
            b[k] = t;
        }
    }
}

/* --- the address --------------------------------------------------------- */

int
load_resolve(struct load_run *r, const char *unix_path)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
    int rc;

    if (unix_path != NULL) {
        struct sockaddr_un *sun = (struct sockaddr_un *)&r->addr;

        if (strlen(unix_path) >= sizeof(sun->sun_path)) {
            fprintf(stderr, "%s: %s: path too long\n", r->o.prog, unix_path);
            return -1;
        }
        sun->sun_family = AF_UNIX;
        strcpy(sun->sun_path, unix_path);
        r->addrlen = sizeof(*sun);
        snprintf(r->target, sizeof(r->target), "%s", unix_path);
        return 0;
    }
    if ((rc = getaddrinfo(r->o.host, r->o.port, &hints, &res)) != 0) {
        fprintf(stderr, "%s: %s:%s: %s\n", r->o.prog, r->o.host, r->o.port, gai_strerror(rc));
        return -1;
    }
    memcpy(&r->addr, res->ai_addr, res->ai_addrlen);
    r->addrlen = res->ai_addrlen;
    freeaddrinfo(res);
    snprintf(r->target, sizeof(r->target), "%s:%s", r->o.host, r->o.port);
    return 0;
}

/* --- the loop ------------------------------------------------------------ */

void
load_run_open(struct load_run *r)
{
    signal(SIGPIPE, SIG_IGN);
    if ((r->ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
        fprintf(stderr, "%s: epoll_create1: %s\n", r->o.prog, strerror(errno));
        exit(1);
    }
}

int
load_connect(const struct load_run *r, bool nodelay, int *fd)
{
    *fd = socket(r->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (*fd == -1) {
        fprintf(stderr, "%s: socket: %s\n", r->o.prog, strerror(errno));
        exit(1);
    }
    if (nodelay) {
        int one = 1;

        setsockopt(*fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    if (connect(*fd, (const struct sockaddr *)&r->addr, r->addrlen) == 0)
        return 0;
    return errno == EINPROGRESS ? 1 : -1;
}

bool
load_may_start(const struct load_run *r)
{
    if (r->limit > 0)
        return r->started < r->limit;
    return load_now() < r->stop_at;
}

/* The earliest deadline of a busy slot; 0 when all are idle. */
static double
load_next_deadline(const struct load_run *r, const struct load_ops *ops, void *ctx)
{
    double next = 0;

    for (size_t i = 0; i < r->o.concurrency; i++) {
        double d = ops->deadline(ctx, i);

        if (d != 0 && (next == 0 || d < next))
            next = d;
    }
    return next;
}

/* Run requests until limit have started and ended (or, with limit 0, until
 * stop_at and the last one ended). */
static void
load_phase(struct load_run *r, const struct load_ops *ops, void *ctx, size_t limit, double seconds,
           bool record)
{
    struct epoll_event evs[64];

    r->record = record;
    r->started = 0;
    r->limit = limit;
    r->stop_at = load_now() + seconds;
    for (;;) {
        double t;
        int n, wait_ms;

        for (size_t i = 0; i < r->o.concurrency && load_may_start(r); i++)
            if (ops->deadline(ctx, i) == 0)
                ops->start(ctx, i);
        if (r->active == 0) {
            if (ops->restart_when_idle && load_may_start(r))
                continue;
            break;
        }
        wait_ms = (int)ceil((load_next_deadline(r, ops, ctx) - load_now()) * 1000);
        n = epoll_wait(r->ep, evs, 64, wait_ms < 0 ? 0 : wait_ms);
        if (n == -1 && errno != EINTR) {
            fprintf(stderr, "%s: epoll_wait: %s\n", r->o.prog, strerror(errno));
            exit(1);
        }
        for (int i = 0; i < n; i++)
            if (ops->deadline(ctx, evs[i].data.u32) != 0)
                ops->ready(ctx, evs[i].data.u32);
        t = load_now();
        for (size_t i = 0; i < r->o.concurrency; i++) {
            double d = ops->deadline(ctx, i);

            if (d != 0 && d <= t)
                ops->expire(ctx, i);
        }
    }
}

void
load_run_measure(struct load_run *r, const struct load_ops *ops, void *ctx, double *elapsed,
                 double *cpu)
{
    double t0, cpu0;

    if (r->o.warmup > 0)
        load_phase(r, ops, ctx, r->o.warmup, 0, false);
    t0 = load_now();
    cpu0 = load_cpu_now();
    load_phase(r, ops, ctx, r->o.total, r->o.seconds, true);
    *elapsed = load_now() - t0;
    *cpu = load_cpu_now() - cpu0;
}

void
load_count_ok(struct load_run *r, double latency)
{
    r->done++;
    r->ok++;
    if (r->nlat == r->latcap) {
        r->latcap = r->latcap ? r->latcap * 2 : 4096;
        r->lat = xreallocarray(r->lat, r->latcap, sizeof(*r->lat));
    }
    r->lat[r->nlat++] = latency;
}

void
load_count_error(struct load_run *r, size_t kind, const char *text, size_t len)
{
    char key[sizeof(r->details[0].text)];

    r->done++;
    r->err[kind]++;
    if (len > 120)
        len = 120;
    snprintf(key, sizeof(key), "%s: %.*s", r->kinds[kind], (int)len, text);
    for (size_t i = 0; i < r->ndetails; i++) {
        if (strcmp(r->details[i].text, key) == 0) {
            r->details[i].n++;
            return;
        }
    }
    if (r->ndetails == LOAD_MAX_DETAILS) {
        r->other_details++;
        return;
    }
    snprintf(r->details[r->ndetails].text, sizeof(key), "%s", key);
    r->details[r->ndetails++].n = 1;
}

void
load_run_close(struct load_run *r)
{
    if (r->ep != -1)
        close(r->ep);
    r->ep = -1;
    free(r->lat);
    r->lat = NULL;
    r->nlat = r->latcap = 0;
}

/* --- output -------------------------------------------------------------- */

/* The figures of the ok requests' latencies, in ms, and the rate. */
struct load_figures {
    double rate, mean, p50, p90, p99, max;
};

static int
load_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The nearest-rank percentile q (0..1] of sorted v, in ms. */
static double
load_pct_ms(const double *v, size_t n, double q)
{
    size_t k;

    if (n == 0)
        return 0;
    k = (size_t)ceil(q * (double)n);
    return 1000.0 * v[k == 0 ? 0 : k - 1];
}

static struct load_figures
load_figures(struct load_run *r, double elapsed)
{
    struct load_figures f = { 0 };

    qsort(r->lat, r->nlat, sizeof(*r->lat), load_cmp_double);
    f.rate = elapsed > 0 ? (double)r->ok / elapsed : 0;
    for (size_t i = 0; i < r->nlat; i++)
        f.mean += r->lat[i];
    f.mean = r->nlat ? 1000.0 * f.mean / (double)r->nlat : 0;
    f.p50 = load_pct_ms(r->lat, r->nlat, 0.50);
    f.p90 = load_pct_ms(r->lat, r->nlat, 0.90);
    f.p99 = load_pct_ms(r->lat, r->nlat, 0.99);
    f.max = r->nlat ? 1000.0 * r->lat[r->nlat - 1] : 0;
    return f;
}

void
load_json_str(const char *s)
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

void
load_report_json_tail(struct load_run *r, double elapsed, double cpu)
{
    struct load_figures f = load_figures(r, elapsed);

    printf("\"errors_by_kind\":{");
    for (size_t k = 0; k < r->nkinds; k++)
        printf("%s\"%s\":%zu", k ? "," : "", r->kinds[k], r->err[k]);
    printf("},\"error_details\":{");
    for (size_t i = 0; i < r->ndetails; i++) {
        printf("%s", i ? "," : "");
        load_json_str(r->details[i].text);
        printf(":%zu", r->details[i].n);
    }
    printf("},\"elapsed_s\":%.3f,\"msgs_per_s\":%.1f,\"latency_ms\":{\"mean\":%.2f,"
           "\"p50\":%.2f,\"p90\":%.2f,\"p99\":%.2f,\"max\":%.2f},\"driver_cpu_s\":%.3f",
           elapsed, f.rate, f.mean, f.p50, f.p90, f.p99, f.max, cpu);
}

void
load_report_text_tail(struct load_run *r, double elapsed, double cpu, const char *lat_note)
{
    struct load_figures f = load_figures(r, elapsed);

    for (size_t i = 0; i < r->ndetails; i++)
        printf("  %6zu  %s\n", r->details[i].n, r->details[i].text);
    if (r->other_details > 0)
        printf("  %6zu  (other errors)\n", r->other_details);
    printf("elapsed     %.3f s\n", elapsed);
    printf("messages/s  %.1f\n", f.rate);
    printf("latency ms  p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  (mean %.2f%s)\n", f.p50, f.p90,
           f.p99, f.max, f.mean, lat_note);
    printf("driver CPU  %.3f s (%.0f%% of one core)\n", cpu,
           elapsed > 0 ? 100.0 * cpu / elapsed : 0);
}
