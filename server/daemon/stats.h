/*
 * stats.h - what every scanning process saw, for the controller's /stat,
 * /history and /errors: counters, the last scans, the last warnings and
 * errors logged, and the last scan times.
 *
 * The data lives in one mapping (MAP_SHARED | MAP_ANONYMOUS) that the main
 * process makes before it forks anything (stats_setup); every worker
 * inherits it, so it outlives any worker and every reload. Its sizes
 * (history.rows, history.error_rows) are fixed when siftd starts: a reload
 * that changes them is logged and takes effect at the next restart.
 *
 * Many writers (every worker), a few readers (controllers), no lock:
 * - counters are atomic additions;
 * - the two rings hold fixed-size records. A writer takes a ticket
 *   (an atomic head++), builds the record on its stack and copies it into
 *   slot ticket % rows between two stores of the slot's sequence number:
 *   2*ticket+1 (being written), then 2*ticket+2 (done) - a seqlock. A
 *   reader copies a slot and keeps the copy only when the sequence was
 *   2*ticket+2 both before and after, so it never shows a torn record.
 * A writer killed in the middle of a copy leaves its slot odd: readers skip
 * that one row until the ring comes round and a later write takes the slot.
 * No lock is ever held, so a dying process leaves nothing to recover.
 * (Two writers share a slot only when `rows` other records are written
 * during one copy of a few KiB; the sequence check then drops the row.)
 * Strings in records are cut to their fields and always NUL-terminated.
 */
#ifndef SIFT_DAEMON_STATS_H
#define SIFT_DAEMON_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cfg_keys.h"
#include "core/err.h"
#include "core/log.h"
#include "scan/scan_result.h"

#define STATS_SYMBOLS_MAX 64 /* symbols kept per /history row (the highest scores) */
#define STATS_SYMBOL_LEN  64 /* bytes of a symbol name, NUL included */
#define STATS_MSGID_LEN   192
#define STATS_IP_LEN      48
#define STATS_USER_LEN    128
#define STATS_FROM_LEN    256
#define STATS_ERROR_LEN   1024 /* bytes of a logged message kept for /errors */
#define STATS_SCAN_TIMES  31   /* /stat's scan_times, as rspamd */
#define STATS_KEY_LEN     32   /* bytes of stats_key */

/* The `history` section. */
struct stats_cfg {
    uint64_t rows;       /* scans kept for /history */
    uint64_t error_rows; /* warnings and errors kept for /errors */
};
extern const struct cfg_key stats_cfg_keys[];
extern const size_t stats_cfg_nkeys;

/* One scan, as a scanning worker reports it. Strings may be NULL (unknown). */
struct stats_scan {
    double time; /* when it finished, seconds since the epoch (0: now) */
    const char *message_id;
    const char *ip;   /* the client the message came from, as the protocol knows it */
    const char *user; /* spamd's User:, rspamd's User */
    const char *from; /* the envelope sender, or the From address */
    size_t size;      /* bytes of the message */
    double scan_ms;   /* time spent on it, in milliseconds */
    const struct scan_result *res;
};

struct stats_symbol {
    char name[STATS_SYMBOL_LEN];
    double score;
};

/* A /history row as a reader gets it. */
struct stats_row {
    uint64_t ticket; /* its number: newer rows have higher ones */
    double time;
    char message_id[STATS_MSGID_LEN];
    char ip[STATS_IP_LEN];
    char user[STATS_USER_LEN];
    char from[STATS_FROM_LEN];
    uint32_t action; /* enum scan_action */
    bool is_spam;
    double score, required;
    uint64_t size;
    double scan_ms;
    uint32_t nhits;    /* symbols the scan hit */
    uint32_t nsymbols; /* of those, kept below (at most STATS_SYMBOLS_MAX) */
    struct stats_symbol symbols[STATS_SYMBOLS_MAX];
};

/* A warning or an error logged by any process, for /errors. */
struct stats_error {
    uint64_t ticket;
    double ts;      /* seconds since the epoch */
    int32_t pid;    /* the process that logged it */
    char type[32];  /* the process: "main", "spamd", "controller" */
    char module[8]; /* the severity: "error" or "warning" */
    char id[8];     /* the connection's tag, or "" */
    char message[STATS_ERROR_LEN];
};

/* Counters since the start or the last reset. */
struct stats_counters {
    uint64_t scanned;
    uint64_t actions[SCAN_NACTIONS]; /* by enum scan_action */
    uint64_t spam, ham;              /* by is_spam */
    uint64_t learned;
    uint64_t connections;         /* to scanning workers */
    uint64_t control_connections; /* to controllers */
};

struct stats;

/* A region for rows history rows and error_rows error rows (0: keep none),
 * shared with every process forked after. NULL (err says why) when it
 * cannot be mapped. */
struct stats *stats_new(size_t rows, size_t error_rows, struct sift_err *err);
/* Unmap (in this process only); sets *sp to NULL. */
void stats_free(struct stats **sp);

void stats_add_scan(struct stats *st, const struct stats_scan *s);
void stats_add_error(struct stats *st, enum log_level level, const char *process, const char *tag,
                     const char *msg);
void stats_add_connection(struct stats *st, bool control);
void stats_add_learned(struct stats *st);

/* The counters into *out; reset: set them to zero at the same time (what
 * was added meanwhile is in *out or counted afresh, never lost). */
void stats_counters(struct stats *st, struct stats_counters *out, bool reset);
/* When the region was made (seconds since the epoch). */
double stats_start_time(const struct stats *st);
/* A per-region random key (STATS_KEY_LEN bytes), e.g. to hash what should not be guessable. */
const unsigned char *stats_key(const struct stats *st);
/* The last scan times in milliseconds, oldest first; NaN for slots not
 * yet written. */
void stats_scan_times(const struct stats *st, double out[STATS_SCAN_TIMES]);

/* Call fn for each history row, newest first, with a consistent copy
 * (rows being written are skipped); stop early when fn returns false. */
typedef bool (*stats_row_fn)(const struct stats_row *row, void *arg);
void stats_history(const struct stats *st, stats_row_fn fn, void *arg);
/* Forget the rows written so far. */
void stats_history_reset(struct stats *st);
typedef bool (*stats_error_fn)(const struct stats_error *e, void *arg);
void stats_errors(const struct stats *st, stats_error_fn fn, void *arg);

size_t stats_rows(const struct stats *st);
size_t stats_error_rows(const struct stats *st);

/* The process's region: the main process makes it with stats_setup before
 * it forks; workers inherit it. Like the log sink, it is file-scope state:
 * the mapping is the process's by nature, and every scanning path reports
 * to it. Without stats_setup (siftadm, unit tests) the calls below do
 * nothing and stats_global returns NULL. */
int stats_setup(const struct stats_cfg *cfg, struct sift_err *err);
struct stats *stats_global(void);
/* A reload's history section: log that a size change waits for a restart. */
void stats_reload_check(const struct stats_cfg *cfg);
void stats_record_scan(const struct stats_scan *s);
void stats_record_connection(bool control);
/* For log_set_sink_hook: warnings and errors go to /errors. */
void stats_log_hook(enum log_level level, const char *process, const char *tag, const char *msg);

#endif
