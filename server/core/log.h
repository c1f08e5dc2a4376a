/*
 * log.h - the process log: stderr, a file or syslog, with levels and a
 * per-connection tag.
 * One line per call, written with a single write(2) so that the main
 * process and its workers can share a file. Control bytes in a message
 * (a peer's header, say) are escaped so that nobody can forge log lines.
 * Until log_setup runs, lines go to stderr at level info.
 */
#ifndef SIFT_CORE_LOG_H
#define SIFT_CORE_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/cfg_keys.h"
#include "core/err.h"

enum log_level {
    LOG_LVL_ERROR,
    LOG_LVL_WARNING,
    LOG_LVL_NOTICE,
    LOG_LVL_INFO,
    LOG_LVL_DEBUG,
};

enum log_type {
    LOG_TYPE_SYSLOG,
    LOG_TYPE_FILE,
    LOG_TYPE_STDERR,
};

/* The `logging` section. */
struct log_cfg {
    int type;             /* enum log_type */
    int level;            /* enum log_level */
    const char *filename; /* type file */
    const char *facility; /* type syslog */
};

extern const struct cfg_key log_cfg_keys[];
extern const size_t log_cfg_nkeys;

/* Open (or switch to) the sink cfg describes. On failure the old sink stays. */
int log_setup(const struct log_cfg *cfg, struct sift_err *err);
/* Name this process in every line: "main", "spamd", "siftadm". */
void log_set_process(const char *name);
/* Reopen the log file (after rotation); a no-op for other sinks. */
int log_reopen(struct sift_err *err);
/* Raise or lower the level without touching the sink. */
void log_set_level(enum log_level level);
bool log_enabled(enum log_level level);

void log_write(enum log_level level, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void log_vwrite(enum log_level level, const char *tag, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Also hand every warning and error (whatever logging.level says) to fn,
 * with the process name, the tag (or NULL) and the message before escaping:
 * a higher layer registers it (the daemon's /errors ring) so that this one
 * depends on nothing. NULL: no hook. fn must not block; what it logs
 * itself does not come back to it. */
typedef void (*log_hook_fn)(enum log_level level, const char *process, const char *tag,
                            const char *msg);
void log_set_sink_hook(log_hook_fn fn);

/* A bad configuration while starting: log, also to stderr, and exit(1). */
void log_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* A broken invariant: log and abort with a core dump. */
void log_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define log_err(...)    log_write(LOG_LVL_ERROR, NULL, __VA_ARGS__)
#define log_warn(...)   log_write(LOG_LVL_WARNING, NULL, __VA_ARGS__)
#define log_notice(...) log_write(LOG_LVL_NOTICE, NULL, __VA_ARGS__)
#define log_info(...)   log_write(LOG_LVL_INFO, NULL, __VA_ARGS__)
#define log_debug(...)                                                                             \
    do {                                                                                           \
        if (log_enabled(LOG_LVL_DEBUG))                                                            \
            log_write(LOG_LVL_DEBUG, NULL, __VA_ARGS__);                                           \
    } while (0)

/* The same with a connection's tag, shown as <tag>. */
#define log_terr(tag, ...)  log_write(LOG_LVL_ERROR, (tag), __VA_ARGS__)
#define log_twarn(tag, ...) log_write(LOG_LVL_WARNING, (tag), __VA_ARGS__)
#define log_tinfo(tag, ...) log_write(LOG_LVL_INFO, (tag), __VA_ARGS__)
#define log_tdebug(tag, ...)                                                                       \
    do {                                                                                           \
        if (log_enabled(LOG_LVL_DEBUG))                                                            \
            log_write(LOG_LVL_DEBUG, (tag), __VA_ARGS__);                                          \
    } while (0)

#endif
