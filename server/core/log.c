/*
 * log.c - the process log (see log.h).
 * The sink is the one piece of file-scope mutable state we keep (STYLE.md
 * section 7): every layer logs, and passing a logger down every call would
 * buy nothing.
 */
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "core/cfg_keys.h"

#define LOG_LINE_MAX 8192

const struct cfg_key log_cfg_keys[] = {
    { "type", CFG_T_ENUM, "syslog", offsetof(struct log_cfg, type),
      "where log lines go: syslog, file (see logging.filename) or stderr", "syslog|file|stderr" },
    { "level", CFG_T_ENUM, "info", offsetof(struct log_cfg, level),
      "lowest severity written: error, warning, notice, info or debug",
      "error|warning|notice|info|debug" },
    { "filename", CFG_T_PATH, NULL, offsetof(struct log_cfg, filename),
      "log file for type file; reopened on SIGUSR1 (logrotate)", NULL },
    { "facility", CFG_T_STR, "mail", offsetof(struct log_cfg, facility),
      "syslog facility for type syslog (mail, daemon, local0..local7, ...)", NULL },
};
const size_t log_cfg_nkeys = sizeof(log_cfg_keys) / sizeof(log_cfg_keys[0]);

static struct {
    enum log_type type;
    enum log_level level;
    int fd;
    char filename[4096];
    char process[32];
} log_sink = { LOG_TYPE_STDERR, LOG_LVL_INFO, STDERR_FILENO, "", "main" };

static log_hook_fn log_hook; /* stays with the sink: see log_set_sink_hook */
static bool log_in_hook;     /* what the hook logs is not handed back to it */

static const char *const log_level_names[] = { "error", "warning", "notice", "info", "debug" };
static const int log_syslog_prio[] = { LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG };

static const struct {
    const char *name;
    int value;
} log_facilities[] = {
    { "mail", LOG_MAIL },     { "daemon", LOG_DAEMON }, { "user", LOG_USER },
    { "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
    { "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
    { "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

static int
log_open_file(const char *path, struct sift_err *err)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);

    if (fd == -1)
        sift_err_set(err, "%s: cannot open log file: %s", path, strerror(errno));
    return fd;
}

int
log_setup(const struct log_cfg *cfg, struct sift_err *err)
{
    int facility = -1;
    int fd = -1;

    if (cfg->type == LOG_TYPE_FILE) {
        if (cfg->filename == NULL || cfg->filename[0] == '\0') {
            sift_err_set(err, "logging.filename: required when logging.type is file");
            return -1;
        }
        if (strlen(cfg->filename) >= sizeof(log_sink.filename)) {
            sift_err_set(err, "logging.filename: path too long");
            return -1;
        }
        if ((fd = log_open_file(cfg->filename, err)) == -1)
            return -1;
    } else if (cfg->type == LOG_TYPE_SYSLOG) {
        for (size_t i = 0; i < sizeof(log_facilities) / sizeof(log_facilities[0]); i++) {
            if (strcasecmp(cfg->facility ? cfg->facility : "mail", log_facilities[i].name) == 0)
                facility = log_facilities[i].value;
        }
        if (facility == -1) {
            sift_err_set(err, "logging.facility: unknown syslog facility '%s'", cfg->facility);
            return -1;
        }
    }
    if (log_sink.type == LOG_TYPE_FILE && log_sink.fd != STDERR_FILENO)
        close(log_sink.fd);
    if (log_sink.type == LOG_TYPE_SYSLOG)
        closelog();
    log_sink.type = (enum log_type)cfg->type;
    log_sink.level = (enum log_level)cfg->level;
    log_sink.fd = STDERR_FILENO;
    if (cfg->type == LOG_TYPE_FILE) {
        log_sink.fd = fd;
        snprintf(log_sink.filename, sizeof(log_sink.filename), "%s", cfg->filename);
    } else if (cfg->type == LOG_TYPE_SYSLOG) {
        openlog("siftd", LOG_PID | LOG_NDELAY, facility);
    }
    return 0;
}

void
log_set_process(const char *name)
{
    snprintf(log_sink.process, sizeof(log_sink.process), "%s", name);
}

int
log_reopen(struct sift_err *err)
{
    int fd;

    if (log_sink.type != LOG_TYPE_FILE)
        return 0;
    if ((fd = log_open_file(log_sink.filename, err)) == -1)
        return -1;
    /* dup2 keeps the descriptor number, so a line written meanwhile is not lost */
    if (dup2(fd, log_sink.fd) == -1) {
        sift_err_set(err, "%s: cannot reopen log file: %s", log_sink.filename, strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

void
log_set_level(enum log_level level)
{
    log_sink.level = level;
}

bool
log_enabled(enum log_level level)
{
    return level <= log_sink.level;
}

/* Append text to line at *pos, escaping control bytes; stops at the cap. */
static void
log_escape(char *line, size_t *pos, size_t cap, const char *text)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = *pos;

    for (const unsigned char *s = (const unsigned char *)text; *s != '\0'; s++) {
        if (*s < 0x20 || *s == 0x7f) {
            if (n + 4 >= cap)
                break;
            line[n++] = '\\';
            line[n++] = 'x';
            line[n++] = hex[*s >> 4];
            line[n++] = hex[*s & 15];
        } else {
            if (n + 1 >= cap)
                break;
            line[n++] = (char)*s;
        }
    }
    *pos = n;
}

static void
log_emit(enum log_level level, const char *tag, const char *msg, int fd)
{
    char line[LOG_LINE_MAX + 128];
    size_t n = 0, cap = sizeof(line) - 1;
    int k;

    if (fd == -1) {
        k = snprintf(line, sizeof(line), "(%s) %s: ", log_sink.process, log_level_names[level]);
    } else {
        struct timeval tv;
        struct tm tm;

        gettimeofday(&tv, NULL);
        localtime_r(&tv.tv_sec, &tm);
        k = snprintf(line, sizeof(line),
                     "%04d-%02d-%02d %02d:%02d:%02d.%03d #%d(%s) %s: ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     (int)(tv.tv_usec / 1000), (int)getpid(), log_sink.process,
                     log_level_names[level]);
    }
    n = k > 0 ? (size_t)k : 0;
    if (tag != NULL && tag[0] != '\0') {
        line[n++] = '<';
        log_escape(line, &n, cap - 3, tag);
        line[n++] = '>';
        line[n++] = ' ';
    }
    log_escape(line, &n, cap, msg);
    if (fd == -1) {
        line[n] = '\0';
        syslog(log_syslog_prio[level], "%s", line);
        return;
    }
    line[n++] = '\n';
    (void)!write(fd, line, n);
}

void
log_set_sink_hook(log_hook_fn fn)
{
    log_hook = fn;
}

static bool
log_hooked(enum log_level level)
{
    return log_hook != NULL && level <= LOG_LVL_WARNING && !log_in_hook;
}

static void
log_call_hook(enum log_level level, const char *tag, const char *msg)
{
    log_in_hook = true;
    log_hook(level, log_sink.process, tag, msg);
    log_in_hook = false;
}

void
log_vwrite(enum log_level level, const char *tag, const char *fmt, va_list ap)
{
    char msg[LOG_LINE_MAX];
    int saved = errno; /* callers log strerror(errno) and go on using errno */

    if (!log_enabled(level) && !log_hooked(level))
        return;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (log_enabled(level))
        log_emit(level, tag, msg, log_sink.type == LOG_TYPE_SYSLOG ? -1 : log_sink.fd);
    if (log_hooked(level))
        log_call_hook(level, tag, msg);
    errno = saved;
}

void
log_write(enum log_level level, const char *tag, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vwrite(level, tag, fmt, ap);
    va_end(ap);
}

static void log_final(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static void
log_final(const char *fmt, va_list ap)
{
    char msg[LOG_LINE_MAX];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    log_emit(LOG_LVL_ERROR, NULL, msg, log_sink.type == LOG_TYPE_SYSLOG ? -1 : log_sink.fd);
    if (log_hooked(LOG_LVL_ERROR))
        log_call_hook(LOG_LVL_ERROR, NULL, msg);
    if (log_sink.fd != STDERR_FILENO || log_sink.type == LOG_TYPE_SYSLOG)
        log_emit(LOG_LVL_ERROR, NULL, msg, STDERR_FILENO);
}

void
log_fatal(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_final(fmt, ap);
    va_end(ap);
    exit(1);
}

void
log_panic(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_final(fmt, ap);
    va_end(ap);
    abort();
}
