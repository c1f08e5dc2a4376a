/*
 * load_common.h - what the two load drivers (bench_spamd_load,
 * bench_milter_load) share: their common options, the corpus read into
 * memory and shuffled, the server's address, the epoll loop that keeps
 * CONCURRENCY slots busy through a warm-up and a measured phase, and the
 * counts, latencies and report lines of the measured phase. The protocol
 * (what a slot writes and how it judges a reply) stays in each driver.
 *
 * One thread; every error message starts with o.prog. Errors in the
 * command line exit 2, a failure of the machine itself (no socket, no
 * epoll) exits 1.
 */
#ifndef SIFT_TESTS_BENCH_LOAD_COMMON_H
#define SIFT_TESTS_BENCH_LOAD_COMMON_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define LOAD_MAX_SIZE_DEFAULT 512000 /* spamc's -s default: 500 KiB */
#define LOAD_MAX_DETAILS      16     /* distinct error texts kept */
#define LOAD_MAX_KINDS        8      /* failure kinds a driver may have */

/* The options both drivers take: -h -p -c -n -t and the long ones below. */
struct load_opts {
    const char *prog; /* the driver's name, before every message */
    const char *host, *port;
    size_t concurrency, total, warmup, max_size;
    unsigned long long seed; /* of the order the messages are sent in; 0: by path */
    double seconds, timeout;
    bool json;
};

#define LOAD_SHORT_OPTS "h:p:c:n:t:"
enum {
    LOAD_OPT_WARMUP = 256,
    LOAD_OPT_TIMEOUT,
    LOAD_OPT_MAX_SIZE,
    LOAD_OPT_SEED,
    LOAD_OPT_JSON,
    LOAD_OPT_NEXT /* a driver's own long options start here */
};
/* Entries of a struct option table (<getopt.h>) for the long options above
 * (clang-format would indent all but the first). */
/* clang-format off */
#define LOAD_LONG_OPTS                                                                             \
    { "warmup", required_argument, NULL, LOAD_OPT_WARMUP },                                        \
    { "timeout", required_argument, NULL, LOAD_OPT_TIMEOUT },                                      \
    { "max-size", required_argument, NULL, LOAD_OPT_MAX_SIZE },                                    \
    { "seed", required_argument, NULL, LOAD_OPT_SEED },                                            \
    { "json", no_argument, NULL, LOAD_OPT_JSON }
/* clang-format on */

/* The defaults: host 127.0.0.1, -n 1000, --max-size 512000, --seed 1 and
 * the driver's port, concurrency and timeout. */
void load_opts_init(struct load_opts *o, const char *prog, const char *port, size_t concurrency,
                    double timeout);
/* Take option c, as getopt_long returned it with arg, if it is one of the
 * common ones; false if it is not. Exits 2 on a bad value. */
bool load_opts_take(struct load_opts *o, int c, const char *arg);
/* After the command line: exits 2 when the options do not fit together. */
void load_opts_check(const struct load_opts *o);
/* A whole decimal number from min to 100000000 for option opt; exits 2 on anything else. */
size_t load_parse_count(const struct load_opts *o, const char *opt, const char *s, size_t min);

/* A distinct error text ("kind: text") and how often it came. */
struct load_detail {
    char text[160];
    size_t n;
};

/* What a driver tells the loop about slot i of ctx. */
struct load_ops {
    /* When slot i's request times out; 0 while the slot is idle. */
    double (*deadline)(void *ctx, size_t i);
    /* Start the next request on the idle slot i. */
    void (*start)(void *ctx, size_t i);
    /* The socket of the busy slot i is ready (its epoll data is i). */
    void (*ready)(void *ctx, size_t i);
    /* The busy slot i is past its deadline. */
    void (*expire)(void *ctx, size_t i);
    /* Every slot idle (each start failed at once) with requests still to
     * start: start more (each failure counts), or end the phase there. */
    bool restart_when_idle;
};

/* One run of a driver: embedded in the driver's own state. */
struct load_run {
    struct load_opts o;
    const char *const *kinds; /* the names of the failure kinds, nkinds of them */
    size_t nkinds;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    char target[PATH_MAX + 8]; /* HOST:PORT or the socket's path */
    size_t bytes, skipped;     /* of the messages read; those over o.max_size */
    int ep;
    size_t active; /* slots busy */
    /* the phase running */
    bool record;
    size_t started, limit;
    double stop_at;
    /* the measured phase's results */
    size_t done, ok, err[LOAD_MAX_KINDS];
    double *lat; /* seconds, one per ok request */
    size_t nlat, latcap;
    struct load_detail details[LOAD_MAX_DETAILS];
    size_t ndetails, other_details;
};

/* CLOCK_MONOTONIC and this process's CPU time (user + system), in seconds. */
double load_now(void);
double load_cpu_now(void);

/* An empty run whose failures are kinds[0..nkinds), nkinds <= LOAD_MAX_KINDS. */
void load_run_init(struct load_run *r, const char *const *kinds, size_t nkinds);
/* Resolve o.host and o.port (or take unix_path, when not NULL, as a Unix
 * socket) into r->addr and r->target; -1 with a message on stderr. */
int load_resolve(struct load_run *r, const char *unix_path);

/* Called once per message read, text[0..len) (text is not NUL-terminated
 * and lives only for the call). */
typedef void (*load_msg_fn)(void *ctx, const char *text, size_t len);
/* Every regular file under paths[0..n) (directories recursively, dot files
 * left out), in the order of their paths, to fn; files over o.max_size are
 * only counted (r->skipped), the others' sizes summed in r->bytes. A path
 * that cannot be read is reported on stderr and left out. */
void load_corpus_read(struct load_run *r, char **paths, int n, load_msg_fn fn, void *ctx);
/* Shuffle base[0..n) (elements of size bytes) by seed, the same everywhere
 * (Fisher-Yates with splitmix64); seed 0 leaves the order as it is. */
void load_shuffle(void *base, size_t n, size_t size, unsigned long long seed);

/* Ignore SIGPIPE and make the epoll set; exits 1 when it cannot. */
void load_run_open(struct load_run *r);
/* A non-blocking socket to r->addr in *fd, with TCP_NODELAY when asked:
 * 0 connected, 1 connecting, -1 failed (errno says why; *fd is still to be
 * closed). Exits 1 when no socket can be made. */
int load_connect(const struct load_run *r, bool nodelay, int *fd);
/* May another request start in the phase running? */
bool load_may_start(const struct load_run *r);
/* The warm-up (o.warmup requests, not counted), then the measured phase
 * (o.total requests or o.seconds): its wall and CPU time in seconds. */
void load_run_measure(struct load_run *r, const struct load_ops *ops, void *ctx, double *elapsed,
                      double *cpu);
/* Count a measured request: a reply that passed after latency seconds, or
 * a failure of kind with its text[0..len) (the first 120 bytes kept). */
void load_count_ok(struct load_run *r, double latency);
void load_count_error(struct load_run *r, size_t kind, const char *text, size_t len);
/* The epoll set closed, the latencies freed. */
void load_run_close(struct load_run *r);

/* s as a JSON string, on stdout. */
void load_json_str(const char *s);
/* The report's end as JSON members, on stdout, from "errors_by_kind" to
 * "driver_cpu_s" (no comma before or after); the latencies get sorted. */
void load_report_json_tail(struct load_run *r, double elapsed, double cpu);
/* The report's end as text: the error details, then elapsed time, rate,
 * latencies ("(mean M<lat_note>)") and the driver's CPU. */
void load_report_text_tail(struct load_run *r, double elapsed, double cpu, const char *lat_note);

#endif
