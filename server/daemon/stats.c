/*
 * stats.c - the statistics shared by every process (see stats.h).
 *
 * Layout of the mapping: struct stats (the header: sizes, start time,
 * counters, ring heads, the scan-time ring), then `rows` history slots,
 * then `error_rows` error slots, each slot a sequence number and a record.
 * Every field more than one process touches is read and written with the
 * __atomic builtins (lock-free for 8-byte words on every target we build
 * for, and so valid across processes).
 */
#include "daemon/stats.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/xmalloc.h"

#define STATS_MAGIC    UINT64_C(0x7369667473746174) /* "siftstat" */
#define STATS_ROWS_MAX 100000 /* a typo's guard: 100000 history rows are about 530 MiB */

const struct cfg_key stats_cfg_keys[] = {
    { "rows", CFG_T_UINT, "200", offsetof(struct stats_cfg, rows),
      "scans kept for the controller's /history (every worker's, in memory shared by all "
      "processes; about 5 KiB each; 0: none); set at start: a changed value takes effect when "
      "siftd restarts, not on a reload",
      NULL },
    { "error_rows", CFG_T_UINT, "100", offsetof(struct stats_cfg, error_rows),
      "warnings and errors logged by any process kept for the controller's /errors (0: none); "
      "set at start: a changed value takes effect when siftd restarts, not on a reload",
      NULL },
};
const size_t stats_cfg_nkeys = sizeof(stats_cfg_keys) / sizeof(stats_cfg_keys[0]);

struct stats_hist_slot {
    uint64_t seq; /* 2*ticket+1 being written, 2*ticket+2 done, 0 never written */
    struct stats_row row;
};

struct stats_err_slot {
    uint64_t seq;
    struct stats_error e;
};

struct stats {
    uint64_t magic;
    size_t map_size;
    uint64_t rows, error_rows;
    double start_time;
    unsigned char key[STATS_KEY_LEN];
    /* counters */
    uint64_t scanned, actions[SCAN_NACTIONS], spam, ham, learned, conns, control_conns;
    /* rings */
    uint64_t hist_head;  /* tickets handed out */
    uint64_t hist_floor; /* rows below this ticket were reset away */
    uint64_t err_head;
    uint64_t times_head;
    uint64_t times[STATS_SCAN_TIMES]; /* the bits of a double (ms) */
    size_t hist_off, err_off;         /* where the slots start in the mapping */
};

static struct stats *stats_proc; /* the process's region (stats.h says why) */

static double
stats_now(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static size_t
stats_align(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

static struct stats_hist_slot *
stats_hist_slot(const struct stats *st, uint64_t ticket)
{
    return (struct stats_hist_slot *)((char *)st + st->hist_off) + ticket % st->rows;
}

static struct stats_err_slot *
stats_err_slot(const struct stats *st, uint64_t ticket)
{
    return (struct stats_err_slot *)((char *)st + st->err_off) + ticket % st->error_rows;
}

struct stats *
stats_new(size_t rows, size_t error_rows, struct sift_err *err)
{
    size_t hist_off = stats_align(sizeof(struct stats)), err_off, size;
    struct stats *st;
    void *p;

    if (rows > STATS_ROWS_MAX || error_rows > STATS_ROWS_MAX) {
        sift_err_set(err, "history.rows, history.error_rows: at most %d", STATS_ROWS_MAX);
        return NULL;
    }
    err_off = stats_align(hist_off + rows * sizeof(struct stats_hist_slot));
    size = stats_align(err_off + error_rows * sizeof(struct stats_err_slot));
    p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        sift_err_set(err, "cannot map %zu bytes of shared memory for statistics: %s", size,
                     strerror(errno));
        return NULL;
    }
    st = p; /* an anonymous mapping is zero-filled */
    st->magic = STATS_MAGIC;
    st->map_size = size;
    st->rows = rows;
    st->error_rows = error_rows;
    st->start_time = stats_now();
    st->hist_off = hist_off;
    st->err_off = err_off;
    if (getrandom(st->key, sizeof(st->key), 0) != (ssize_t)sizeof(st->key)) {
        sift_err_set(err, "cannot read random bytes: %s", strerror(errno));
        munmap(p, size);
        return NULL;
    }
    return st;
}

void
stats_free(struct stats **sp)
{
    if (*sp == NULL)
        return;
    munmap(*sp, (*sp)->map_size);
    *sp = NULL;
}

static void
stats_copy(char *dst, size_t cap, const char *src)
{
    size_t n = src != NULL ? strnlen(src, cap - 1) : 0;

    memcpy(dst, src != NULL ? src : "", n);
    dst[n] = '\0';
}

static void
stats_inc(uint64_t *c)
{
    __atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static uint64_t
stats_dbl_bits(double d)
{
    uint64_t u;

    memcpy(&u, &d, sizeof(u));
    return u;
}

static double
stats_bits_dbl(uint64_t u)
{
    double d;

    memcpy(&d, &u, sizeof(d));
    return d;
}

/* Keep the symbols with the largest scores when there are too many. */
static void
stats_row_symbols(struct stats_row *r, const struct scan_result *res)
{
    bool *taken = xcalloc(res->nhits ? res->nhits : 1, sizeof(bool));

    r->nhits = (uint32_t)res->nhits;
    while (r->nsymbols < STATS_SYMBOLS_MAX && r->nsymbols < res->nhits) {
        size_t best = res->nhits;

        for (size_t i = 0; i < res->nhits; i++) {
            if (!taken[i] &&
                (best == res->nhits || fabs(res->hits[i].score) > fabs(res->hits[best].score)))
                best = i;
        }
        taken[best] = true;
        stats_copy(r->symbols[r->nsymbols].name, STATS_SYMBOL_LEN, res->hits[best].rule->name);
        r->symbols[r->nsymbols].score = res->hits[best].score;
        r->nsymbols++;
    }
    free(taken);
}

/* The seqlock's write side: claim, copy, publish. */
static void
stats_publish(uint64_t *seq, uint64_t ticket, void *dst, const void *src, size_t n)
{
    __atomic_store_n(seq, 2 * ticket + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE); /* the odd mark before any byte of the record */
    memcpy(dst, src, n);
    __atomic_store_n(seq, 2 * ticket + 2, __ATOMIC_RELEASE);
}

/* The read side: a copy of the slot of ticket if it holds that ticket's
 * finished record. */
static bool
stats_read(const uint64_t *seq, uint64_t ticket, void *dst, const void *src, size_t n)
{
    uint64_t want = 2 * ticket + 2;

    if (__atomic_load_n(seq, __ATOMIC_ACQUIRE) != want)
        return false;
    memcpy(dst, src, n);
    __atomic_thread_fence(__ATOMIC_ACQUIRE); /* the copy before the second look */
    return __atomic_load_n(seq, __ATOMIC_RELAXED) == want;
}

void
stats_add_scan(struct stats *st, const struct stats_scan *s)
{
    const struct scan_result *res = s->res;
    struct stats_row *r = xcalloc(1, sizeof(*r));
    uint64_t t;
    struct stats_hist_slot *slot;

    stats_inc(&st->scanned);
    stats_inc(&st->actions[res->action < SCAN_NACTIONS ? res->action : 0]);
    stats_inc(res->is_spam ? &st->spam : &st->ham);
    t = __atomic_fetch_add(&st->times_head, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&st->times[t % STATS_SCAN_TIMES], stats_dbl_bits(s->scan_ms),
                     __ATOMIC_RELAXED);

    r->time = s->time > 0 ? s->time : stats_now();
    stats_copy(r->message_id, sizeof(r->message_id), s->message_id);
    stats_copy(r->ip, sizeof(r->ip), s->ip);
    stats_copy(r->user, sizeof(r->user), s->user);
    stats_copy(r->from, sizeof(r->from), s->from);
    r->action = (uint32_t)res->action;
    r->is_spam = res->is_spam;
    r->score = res->score;
    r->required = res->required;
    r->size = s->size;
    r->scan_ms = s->scan_ms;
    stats_row_symbols(r, res);
    if (st->rows == 0) {
        free(r);
        return;
    }
    r->ticket = __atomic_fetch_add(&st->hist_head, 1, __ATOMIC_RELAXED);
    slot = stats_hist_slot(st, r->ticket);
    stats_publish(&slot->seq, r->ticket, &slot->row, r, sizeof(*r));
    free(r);
}

void
stats_add_error(struct stats *st, enum log_level level, const char *process, const char *tag,
                const char *msg)
{
    struct stats_error e;
    struct stats_err_slot *slot;

    if (st->error_rows == 0)
        return;
    memset(&e, 0, sizeof(e));
    e.ts = stats_now();
    e.pid = (int32_t)getpid();
    stats_copy(e.type, sizeof(e.type), process);
    stats_copy(e.module, sizeof(e.module), level == LOG_LVL_ERROR ? "error" : "warning");
    stats_copy(e.id, sizeof(e.id), tag);
    stats_copy(e.message, sizeof(e.message), msg);
    e.ticket = __atomic_fetch_add(&st->err_head, 1, __ATOMIC_RELAXED);
    slot = stats_err_slot(st, e.ticket);
    stats_publish(&slot->seq, e.ticket, &slot->e, &e, sizeof(e));
}

void
stats_add_connection(struct stats *st, bool control)
{
    stats_inc(control ? &st->control_conns : &st->conns);
}

void
stats_add_learned(struct stats *st)
{
    stats_inc(&st->learned);
}

static uint64_t
stats_take(uint64_t *c, bool reset)
{
    return reset ? __atomic_exchange_n(c, 0, __ATOMIC_RELAXED)
                 : __atomic_load_n(c, __ATOMIC_RELAXED);
}

void
stats_counters(struct stats *st, struct stats_counters *out, bool reset)
{
    memset(out, 0, sizeof(*out));
    out->scanned = stats_take(&st->scanned, reset);
    for (size_t i = 0; i < SCAN_NACTIONS; i++)
        out->actions[i] = stats_take(&st->actions[i], reset);
    out->spam = stats_take(&st->spam, reset);
    out->ham = stats_take(&st->ham, reset);
    out->learned = stats_take(&st->learned, reset);
    out->connections = stats_take(&st->conns, reset);
    out->control_connections = stats_take(&st->control_conns, reset);
}

double
stats_start_time(const struct stats *st)
{
    return st->start_time;
}

const unsigned char *
stats_key(const struct stats *st)
{
    return st->key;
}

void
stats_scan_times(const struct stats *st, double out[STATS_SCAN_TIMES])
{
    uint64_t head = __atomic_load_n(&st->times_head, __ATOMIC_RELAXED);

    for (uint64_t i = 0; i < STATS_SCAN_TIMES; i++) {
        uint64_t t = head + i; /* oldest first: the slot written next is the oldest */

        if (head < STATS_SCAN_TIMES && t % STATS_SCAN_TIMES >= head) {
            out[i] = NAN;
            continue;
        }
        out[i] =
            stats_bits_dbl(__atomic_load_n(&st->times[t % STATS_SCAN_TIMES], __ATOMIC_RELAXED));
    }
}

void
stats_history(const struct stats *st, stats_row_fn fn, void *arg)
{
    uint64_t head = __atomic_load_n(&st->hist_head, __ATOMIC_ACQUIRE);
    uint64_t floor = __atomic_load_n(&st->hist_floor, __ATOMIC_ACQUIRE);
    struct stats_row *r = xmalloc(sizeof(*r));

    if (head > st->rows && floor < head - st->rows)
        floor = head - st->rows;
    for (uint64_t t = head; t > floor; t--) {
        const struct stats_hist_slot *slot = stats_hist_slot(st, t - 1);

        if (!stats_read(&slot->seq, t - 1, r, &slot->row, sizeof(*r)))
            continue;
        /* a record is ours, but be strict about what a reader walks */
        r->message_id[sizeof(r->message_id) - 1] = r->ip[sizeof(r->ip) - 1] = '\0';
        r->user[sizeof(r->user) - 1] = r->from[sizeof(r->from) - 1] = '\0';
        if (r->nsymbols > STATS_SYMBOLS_MAX)
            r->nsymbols = STATS_SYMBOLS_MAX;
        for (uint32_t i = 0; i < r->nsymbols; i++)
            r->symbols[i].name[STATS_SYMBOL_LEN - 1] = '\0';
        if (r->action >= SCAN_NACTIONS)
            r->action = SCAN_ACTION_NONE;
        if (!fn(r, arg))
            break;
    }
    free(r);
}

void
stats_history_reset(struct stats *st)
{
    __atomic_store_n(&st->hist_floor, __atomic_load_n(&st->hist_head, __ATOMIC_ACQUIRE),
                     __ATOMIC_RELEASE);
}

void
stats_errors(const struct stats *st, stats_error_fn fn, void *arg)
{
    uint64_t head = __atomic_load_n(&st->err_head, __ATOMIC_ACQUIRE);
    uint64_t floor = head > st->error_rows ? head - st->error_rows : 0;
    struct stats_error e;

    for (uint64_t t = head; t > floor; t--) {
        const struct stats_err_slot *slot = stats_err_slot(st, t - 1);

        if (!stats_read(&slot->seq, t - 1, &e, &slot->e, sizeof(e)))
            continue;
        e.type[sizeof(e.type) - 1] = e.module[sizeof(e.module) - 1] = '\0';
        e.id[sizeof(e.id) - 1] = e.message[sizeof(e.message) - 1] = '\0';
        if (!fn(&e, arg))
            break;
    }
}

size_t
stats_rows(const struct stats *st)
{
    return (size_t)st->rows;
}

size_t
stats_error_rows(const struct stats *st)
{
    return (size_t)st->error_rows;
}

int
stats_setup(const struct stats_cfg *cfg, struct sift_err *err)
{
    if (stats_proc != NULL)
        return 0;
    stats_proc = stats_new((size_t)cfg->rows, (size_t)cfg->error_rows, err);
    return stats_proc != NULL ? 0 : -1;
}

struct stats *
stats_global(void)
{
    return stats_proc;
}

void
stats_reload_check(const struct stats_cfg *cfg)
{
    if (stats_proc == NULL)
        return;
    if (cfg->rows != stats_proc->rows)
        log_warn("reload: history.rows changed from %llu to %llu; it takes effect when siftd "
                 "restarts",
                 (unsigned long long)stats_proc->rows, (unsigned long long)cfg->rows);
    if (cfg->error_rows != stats_proc->error_rows)
        log_warn("reload: history.error_rows changed from %llu to %llu; it takes effect when "
                 "siftd restarts",
                 (unsigned long long)stats_proc->error_rows, (unsigned long long)cfg->error_rows);
}

void
stats_record_scan(const struct stats_scan *s)
{
    if (stats_proc != NULL && s->res != NULL)
        stats_add_scan(stats_proc, s);
}

void
stats_record_connection(bool control)
{
    if (stats_proc != NULL)
        stats_add_connection(stats_proc, control);
}

void
stats_log_hook(enum log_level level, const char *process, const char *tag, const char *msg)
{
    if (stats_proc != NULL && level <= LOG_LVL_WARNING)
        stats_add_error(stats_proc, level, process, tag, msg);
}
