/*
 * test_log.c - the process log, written to a file: the line format, the
 * connection tag, escaping of control bytes, level filtering, the process
 * name, reopening after rotation, log_fatal/log_panic, and log_setup
 * failures that keep the old sink.
 * The sink is process-global: check's fork mode gives every test a fresh
 * one. Files go to a mkdtemp directory under /tmp that an unchecked
 * fixture (run in the parent) removes even when a test fails.
 */
#include "core/log.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <regex.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "../unit.h"

#define LINE_MAX_TEST (8192 + 128) /* log.c: LOG_LINE_MAX plus the line head */

static char tmpdir[64];

static void
tmpdir_create(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/sift-test-log-XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        abort();
    }
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
tmpdir_remove(void)
{
    nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* A fresh file in tmpdir, made with mkstemp; path gets its name. */
static void
temp_file(char *path, size_t size)
{
    int fd;

    ck_assert_uint_lt((size_t)snprintf(path, size, "%s/log-XXXXXX", tmpdir), size);
    fd = mkstemp(path);
    ck_assert_int_ne(fd, -1);
    close(fd);
}

/* Log to a new temp file at `level`. */
static void
file_sink(enum log_level level, char *path, size_t size)
{
    struct log_cfg cfg = { LOG_TYPE_FILE, (int)level, path, NULL };
    struct sift_err err = { "" };

    temp_file(path, size);
    ck_assert_msg(log_setup(&cfg, &err) == 0, "log_setup: %s", err.msg);
}

static void
read_file(const char *path, struct buf *out)
{
    FILE *f = fopen(path, "rb");
    char chunk[4096];
    size_t n;

    ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
    buf_reset(out);
    buf_append(out, "", 0);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(out, chunk, n);
    fclose(f);
}

/* The lines of a file, each without its '\n'; the file must end with one. */
struct lines {
    struct buf text;
    char *line[64];
    size_t n;
};

static void
read_lines(const char *path, struct lines *l)
{
    char *p, *nl;

    buf_init(&l->text);
    read_file(path, &l->text);
    ck_assert_msg(l->text.len == 0 || l->text.p[l->text.len - 1] == '\n',
                  "%s does not end with a newline", path);
    l->n = 0;
    for (p = l->text.p; (nl = memchr(p, '\n', l->text.len - (size_t)(p - l->text.p))) != NULL;
         p = nl + 1) {
        ck_assert_uint_lt(l->n, 64);
        *nl = '\0';
        l->line[l->n++] = p;
    }
}

static void
lines_clear(struct lines *l)
{
    buf_clear(&l->text);
}

/* Does this process hold a descriptor for the file at path? */
static bool
file_is_open(const char *path)
{
    struct stat want, st;
    struct dirent *de;
    DIR *d;
    bool found = false;

    ck_assert_int_eq(stat(path, &want), 0);
    d = opendir("/proc/self/fd");
    ck_assert_ptr_nonnull(d);
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (fstatat(dirfd(d), de->d_name, &st, 0) == 0 && st.st_dev == want.st_dev &&
            st.st_ino == want.st_ino)
            found = true;
    }
    closedir(d);
    return found;
}

/* One parsed line: "YYYY-MM-DD HH:MM:SS.mmm #PID(PROC) LEVEL: message". */
struct log_line {
    time_t when;
    long pid;
    char proc[64];
    char level[16];
    char text[LINE_MAX_TEST];
};

static void
parse_line(const char *line, struct log_line *out)
{
    static const char re_text[] =
        "^([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})\\.([0-9]{3}) "
        "#([0-9]+)\\(([^)]*)\\) (error|warning|notice|info|debug): (.*)$";
    regex_t re;
    regmatch_t m[12];
    struct tm tm;
    int rc;

    ck_assert_int_eq(regcomp(&re, re_text, REG_EXTENDED), 0);
    rc = regexec(&re, line, 12, m, 0);
    regfree(&re);
    ck_assert_msg(rc == 0, "line does not match the format: '%s'", line);
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = atoi(line + m[1].rm_so) - 1900;
    tm.tm_mon = atoi(line + m[2].rm_so) - 1;
    tm.tm_mday = atoi(line + m[3].rm_so);
    tm.tm_hour = atoi(line + m[4].rm_so);
    tm.tm_min = atoi(line + m[5].rm_so);
    tm.tm_sec = atoi(line + m[6].rm_so);
    tm.tm_isdst = -1;
    out->when = mktime(&tm);
    out->pid = atol(line + m[8].rm_so);
    snprintf(out->proc, sizeof(out->proc), "%.*s", (int)(m[9].rm_eo - m[9].rm_so),
             line + m[9].rm_so);
    snprintf(out->level, sizeof(out->level), "%.*s", (int)(m[10].rm_eo - m[10].rm_so),
             line + m[10].rm_so);
    snprintf(out->text, sizeof(out->text), "%.*s", (int)(m[11].rm_eo - m[11].rm_so),
             line + m[11].rm_so);
}

/* The file holds exactly one line, written just now by this process. */
static void
assert_one_line(const char *path, const char *level, const char *proc, const char *text)
{
    struct lines l;
    struct log_line ll;
    time_t now = time(NULL);

    read_lines(path, &l);
    ck_assert_uint_eq(l.n, 1);
    parse_line(l.line[0], &ll);
    ck_assert_msg(ll.when >= now - 5 && ll.when <= now + 1, "timestamp %ld, now %ld", (long)ll.when,
                  (long)now);
    ck_assert_int_eq(ll.pid, (long)getpid());
    ck_assert_str_eq(ll.proc, proc);
    ck_assert_str_eq(ll.level, level);
    ck_assert_str_eq(ll.text, text);
    lines_clear(&l);
}

static const struct {
    enum log_level level;
    const char *tag;
    const char *msg;
    const char *want_level;
    const char *want_text;
} line_cases[] = {
    { LOG_LVL_ERROR, NULL, "disk full", "error", "disk full" },
    { LOG_LVL_WARNING, NULL, "slow", "warning", "slow" },
    { LOG_LVL_NOTICE, NULL, "reload", "notice", "reload" },
    { LOG_LVL_INFO, NULL, "scan done", "info", "scan done" },
    { LOG_LVL_DEBUG, NULL, "detail", "debug", "detail" },
    { LOG_LVL_INFO, "3fa9c1", "scan done", "info", "<3fa9c1> scan done" },
    { LOG_LVL_ERROR, "conn 7", "reset", "error", "<conn 7> reset" },
    { LOG_LVL_INFO, "", "empty tag", "info", "empty tag" }, /* an empty tag is not shown */
    { LOG_LVL_INFO, NULL, "", "info", "" },
    { LOG_LVL_INFO, NULL, "a\nb", "info", "a\\x0ab" },
    { LOG_LVL_INFO, NULL, "cr\r\nlf", "info", "cr\\x0d\\x0alf" },
    { LOG_LVL_INFO, NULL, "tab\there", "info", "tab\\x09here" },
    { LOG_LVL_INFO, NULL, "\x01\x1f\x7f", "info", "\\x01\\x1f\\x7f" },
    { LOG_LVL_INFO, NULL, "\x1b[31mred", "info", "\\x1b[31mred" },
    { LOG_LVL_INFO, NULL, "caf\xc3\xa9 ~ \\x", "info", "caf\xc3\xa9 ~ \\x" }, /* kept as is */
    { LOG_LVL_INFO, "t\n1", "m", "info", "<t\\x0a1> m" },                     /* tags too */
};

START_TEST(line_has_format_tag_and_escapes)
{
    char path[128];

    file_sink(LOG_LVL_DEBUG, path, sizeof(path));
    log_write(line_cases[_i].level, line_cases[_i].tag, "%s", line_cases[_i].msg);
    assert_one_line(path, line_cases[_i].want_level, "main", line_cases[_i].want_text);
    unlink(path);
}
END_TEST

START_TEST(macros_write_their_level_and_tag)
{
    char path[128];
    struct lines l;
    struct log_line ll;
    static const char *const want[][2] = {
        { "error", "e 1" },        { "warning", "w 2" },   { "notice", "n 3" },
        { "info", "i 4" },         { "debug", "d 5" },     { "error", "<T> te 6" },
        { "warning", "<T> tw 7" }, { "info", "<T> ti 8" }, { "debug", "<T> td 9" },
    };

    file_sink(LOG_LVL_DEBUG, path, sizeof(path));
    log_err("e %d", 1);
    log_warn("w %d", 2);
    log_notice("n %d", 3);
    log_info("i %d", 4);
    log_debug("d %d", 5);
    log_terr("T", "te %d", 6);
    log_twarn("T", "tw %d", 7);
    log_tinfo("T", "ti %d", 8);
    log_tdebug("T", "td %d", 9);
    read_lines(path, &l);
    ck_assert_uint_eq(l.n, 9);
    for (size_t i = 0; i < 9; i++) {
        parse_line(l.line[i], &ll);
        ck_assert_str_eq(ll.level, want[i][0]);
        ck_assert_str_eq(ll.text, want[i][1]);
    }
    lines_clear(&l);
    unlink(path);
}
END_TEST

/* A peer's newline cannot start a forged line: two calls, two lines. */
START_TEST(newline_in_message_does_not_start_a_line)
{
    char path[128];
    struct lines l;
    struct log_line ll;

    file_sink(LOG_LVL_INFO, path, sizeof(path));
    log_info("Subject: hi\n2024-01-01 00:00:00.000 #1(main) error: forged");
    log_info("second");
    read_lines(path, &l);
    ck_assert_uint_eq(l.n, 2);
    parse_line(l.line[0], &ll);
    ck_assert_str_eq(ll.level, "info");
    ck_assert_str_eq(ll.text, "Subject: hi\\x0a2024-01-01 00:00:00.000 #1(main) error: forged");
    parse_line(l.line[1], &ll);
    ck_assert_str_eq(ll.text, "second");
    lines_clear(&l);
    unlink(path);
}
END_TEST

/* Messages past the line limit are cut, but stay one line; an escape is
 * never cut in half. */
static const struct {
    char fill;
    size_t len;
    const char *unit; /* how one fill byte is written */
} long_cases[] = {
    { 'a', 20000, "a" },
    { '\x01', 8000, "\\x01" },
    { '\n', 3000, "\\x0a" },
};

START_TEST(long_message_is_cut_to_one_line)
{
    char path[128];
    char *msg = malloc(long_cases[_i].len + 1);
    struct lines l;
    struct log_line *ll = malloc(sizeof(*ll));
    size_t ulen = strlen(long_cases[_i].unit), tlen;

    ck_assert_ptr_nonnull(msg);
    ck_assert_ptr_nonnull(ll);
    memset(msg, long_cases[_i].fill, long_cases[_i].len);
    msg[long_cases[_i].len] = '\0';
    file_sink(LOG_LVL_INFO, path, sizeof(path));
    log_tinfo("tag", "%s", msg);
    read_lines(path, &l);
    ck_assert_uint_eq(l.n, 1);
    ck_assert_uint_le(l.text.len, LINE_MAX_TEST);
    parse_line(l.line[0], ll);
    ck_assert_mem_eq(ll->text, "<tag> ", 6);
    tlen = strlen(ll->text) - 6;
    ck_assert_uint_gt(tlen, 1000); /* cut, not dropped */
    ck_assert_uint_eq(tlen % ulen, 0);
    for (size_t i = 0; i < tlen; i += ulen)
        ck_assert_mem_eq(ll->text + 6 + i, long_cases[_i].unit, ulen);
    lines_clear(&l);
    free(ll);
    free(msg);
    unlink(path);
}
END_TEST

/* Configured at level _i: log_enabled says yes up to it, and only those
 * levels reach the file. */
START_TEST(levels_below_configured_are_dropped)
{
    static const char *const names[] = { "error", "warning", "notice", "info", "debug" };
    char path[128];
    struct lines l;
    struct log_line ll;

    file_sink((enum log_level)_i, path, sizeof(path));
    for (int lvl = LOG_LVL_ERROR; lvl <= LOG_LVL_DEBUG; lvl++) {
        ck_assert_int_eq(log_enabled((enum log_level)lvl), lvl <= _i);
        log_write((enum log_level)lvl, NULL, "at %d", lvl);
    }
    log_debug("macro %d", 1);
    read_lines(path, &l);
    ck_assert_uint_eq(l.n, (size_t)_i + 1 + (_i == LOG_LVL_DEBUG));
    for (int lvl = 0; lvl <= _i; lvl++) {
        char want[16];

        parse_line(l.line[lvl], &ll);
        ck_assert_str_eq(ll.level, names[lvl]);
        snprintf(want, sizeof(want), "at %d", lvl);
        ck_assert_str_eq(ll.text, want);
    }
    lines_clear(&l);
    unlink(path);
}
END_TEST

START_TEST(set_level_changes_filter_not_sink)
{
    char path[128];
    struct lines l;
    struct log_line ll;

    file_sink(LOG_LVL_ERROR, path, sizeof(path));
    log_info("dropped");
    log_set_level(LOG_LVL_DEBUG);
    ck_assert(log_enabled(LOG_LVL_DEBUG));
    log_debug("now kept");
    log_set_level(LOG_LVL_WARNING);
    ck_assert(!log_enabled(LOG_LVL_NOTICE));
    log_notice("dropped again");
    log_warn("kept");
    read_lines(path, &l);
    ck_assert_uint_eq(l.n, 2);
    parse_line(l.line[0], &ll);
    ck_assert_str_eq(ll.text, "now kept");
    parse_line(l.line[1], &ll);
    ck_assert_str_eq(ll.text, "kept");
    lines_clear(&l);
    unlink(path);
}
END_TEST

static const struct {
    const char *name, *want;
} process_cases[] = {
    { "spamd", "spamd" },
    { "siftadm", "siftadm" },
    { "", "" },
    { "a-name-longer-than-the-thirty-one-bytes-kept", "a-name-longer-than-the-thirty-o" },
};

START_TEST(set_process_changes_proc)
{
    char path[128];

    file_sink(LOG_LVL_INFO, path, sizeof(path));
    log_set_process(process_cases[_i].name);
    log_info("hello");
    assert_one_line(path, "info", process_cases[_i].want, "hello");
    unlink(path);
}
END_TEST

START_TEST(reopen_after_rename_writes_new_file)
{
    char path[128], rotated[160];
    struct sift_err err = { "" };

    file_sink(LOG_LVL_INFO, path, sizeof(path));
    log_info("before");
    snprintf(rotated, sizeof(rotated), "%s.1", path);
    ck_assert_int_eq(rename(path, rotated), 0);
    log_info("between"); /* still the old file until the reopen */
    ck_assert_int_eq(log_reopen(&err), 0);
    ck_assert_str_eq(err.msg, "");
    log_info("after");

    {
        struct lines l;
        struct log_line ll;

        read_lines(rotated, &l);
        ck_assert_uint_eq(l.n, 2);
        parse_line(l.line[0], &ll);
        ck_assert_str_eq(ll.text, "before");
        parse_line(l.line[1], &ll);
        ck_assert_str_eq(ll.text, "between");
        lines_clear(&l);
    }
    assert_one_line(path, "info", "main", "after");
    ck_assert(!file_is_open(rotated)); /* logrotate can compress it */
    ck_assert(file_is_open(path));
    unlink(path);
    unlink(rotated);
}
END_TEST

START_TEST(reopen_appends_to_existing_file)
{
    char path[128];
    struct sift_err err = { "" };
    struct lines l;

    file_sink(LOG_LVL_INFO, path, sizeof(path));
    log_info("one");
    ck_assert_int_eq(log_reopen(&err), 0); /* not rotated: same file, appended */
    log_info("two");
    read_lines(path, &l);
    ck_assert_uint_eq(l.n, 2);
    lines_clear(&l);
    unlink(path);
}
END_TEST

START_TEST(reopen_failure_keeps_old_file)
{
    char dir[128], moved[160], path[192], old_path[224];
    struct log_cfg cfg = { LOG_TYPE_FILE, LOG_LVL_INFO, path, NULL };
    struct sift_err err = { "" };
    char want[512];

    snprintf(dir, sizeof(dir), "%s/sub", tmpdir);
    snprintf(moved, sizeof(moved), "%s/moved", tmpdir);
    snprintf(path, sizeof(path), "%s/x.log", dir);
    snprintf(old_path, sizeof(old_path), "%s/x.log", moved);
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    ck_assert_int_eq(log_setup(&cfg, &err), 0);
    ck_assert_int_eq(rename(dir, moved), 0); /* the directory is gone */
    ck_assert_int_eq(log_reopen(&err), -1);
    snprintf(want, sizeof(want), "%s: cannot open log file: %s", path, strerror(ENOENT));
    ck_assert_str_eq(err.msg, want);
    log_info("still logged");
    assert_one_line(old_path, "info", "main", "still logged");
}
END_TEST

START_TEST(reopen_is_noop_without_file)
{
    struct sift_err err = { "untouched" };

    ck_assert_int_eq(log_reopen(&err), 0); /* the stderr sink before log_setup */
    ck_assert_str_eq(err.msg, "untouched");
}
END_TEST

START_TEST(setup_switches_to_new_file)
{
    char a[128], b[128];
    struct log_cfg cfg = { LOG_TYPE_FILE, LOG_LVL_INFO, b, NULL };
    struct sift_err err = { "" };

    file_sink(LOG_LVL_INFO, a, sizeof(a));
    log_info("to a");
    temp_file(b, sizeof(b));
    ck_assert_int_eq(log_setup(&cfg, &err), 0);
    log_info("to b");
    ck_assert(!file_is_open(a)); /* the old file is closed */
    assert_one_line(a, "info", "main", "to a");
    assert_one_line(b, "info", "main", "to b");
    unlink(a);
    unlink(b);
}
END_TEST

static char long_path[5000];

static const struct {
    struct log_cfg cfg;
    const char *want_err; /* NULL: see below */
} bad_setups[] = {
    { { LOG_TYPE_FILE, LOG_LVL_DEBUG, "/nonexistent-dir/x.log", NULL },
      "/nonexistent-dir/x.log: cannot open log file: No such file or directory" },
    { { LOG_TYPE_SYSLOG, LOG_LVL_DEBUG, NULL, "nosuch" },
      "logging.facility: unknown syslog facility 'nosuch'" },
    { { LOG_TYPE_SYSLOG, LOG_LVL_DEBUG, NULL, "" },
      "logging.facility: unknown syslog facility ''" },
    { { LOG_TYPE_FILE, LOG_LVL_DEBUG, NULL, NULL },
      "logging.filename: required when logging.type is file" },
    { { LOG_TYPE_FILE, LOG_LVL_DEBUG, "", NULL },
      "logging.filename: required when logging.type is file" },
    { { LOG_TYPE_FILE, LOG_LVL_DEBUG, long_path, NULL }, "logging.filename: path too long" },
};

/* A failed log_setup returns -1 with a reason and changes nothing: the old
 * file still gets the lines, at the old level. */
START_TEST(setup_failure_keeps_old_sink)
{
    char path[128];
    struct sift_err err = { "" };

    memset(long_path, 'l', sizeof(long_path) - 1);
    long_path[0] = '/';
    file_sink(LOG_LVL_INFO, path, sizeof(path));
    log_info("first");
    ck_assert_int_eq(log_setup(&bad_setups[_i].cfg, &err), -1);
    ck_assert_str_eq(err.msg, bad_setups[_i].want_err);
    ck_assert(!log_enabled(LOG_LVL_DEBUG));
    log_debug("not at debug");
    log_info("second");
    {
        struct lines l;
        struct log_line ll;

        read_lines(path, &l);
        ck_assert_uint_eq(l.n, 2);
        parse_line(l.line[1], &ll);
        ck_assert_str_eq(ll.text, "second");
        lines_clear(&l);
    }
    unlink(path);
}
END_TEST

START_TEST(write_keeps_errno)
{
    char path[128];

    file_sink(LOG_LVL_INFO, path, sizeof(path));
    errno = ENOENT;
    log_err("open failed: %s", strerror(errno));
    ck_assert_int_eq(errno, ENOENT);
    errno = EAGAIN;
    log_debug("dropped");
    ck_assert_int_eq(errno, EAGAIN);
    assert_one_line(path, "error", "main", "open failed: No such file or directory");
    unlink(path);
}
END_TEST

/* A failing write (a full disk) must not change errno either. */
START_TEST(write_error_keeps_errno)
{
    struct log_cfg cfg = { LOG_TYPE_FILE, LOG_LVL_INFO, "/dev/full", NULL };
    struct sift_err err = { "" };

    if (access("/dev/full", W_OK) != 0)
        return; /* not Linux: nothing to test with */
    ck_assert_msg(log_setup(&cfg, &err) == 0, "%s", err.msg);
    errno = ENOENT;
    log_err("write fails with ENOSPC");
    ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* log_fatal exits 1 and log_panic aborts; both write the line to the file
 * and to stderr. Run in a child to see how it ends and what it wrote. */
START_TEST(fatal_and_panic_log_then_end)
{
    char path[128], out[1024];
    int pipefd[2], status;
    size_t len = 0;
    ssize_t got;
    pid_t pid;
    struct log_line ll;

    file_sink(LOG_LVL_ERROR, path, sizeof(path));
    ck_assert_int_eq(pipe(pipefd), 0);
    fflush(NULL); /* the child's exit must not write our buffers twice */
    pid = fork();
    ck_assert_int_ne(pid, -1);
    if (pid == 0) {
        dup2(pipefd[1], STDERR_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        if (_i == 0)
            log_fatal("bad %s", "config");
        else
            log_panic("broken %s", "invariant");
    }
    close(pipefd[1]);
    while ((got = read(pipefd[0], out + len, sizeof(out) - 1 - len)) > 0)
        len += (size_t)got;
    close(pipefd[0]);
    out[len] = '\0';
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    if (_i == 0) {
        ck_assert(WIFEXITED(status));
        ck_assert_int_eq(WEXITSTATUS(status), 1);
    } else {
        ck_assert(WIFSIGNALED(status));
        ck_assert_int_eq(WTERMSIG(status), SIGABRT);
    }
    ck_assert_uint_gt(len, 0);
    ck_assert_int_eq(out[len - 1], '\n');
    out[len - 1] = '\0';
    ck_assert_ptr_null(strchr(out, '\n')); /* one line on stderr */
    parse_line(out, &ll);
    ck_assert_int_eq(ll.pid, (long)pid);
    ck_assert_str_eq(ll.level, "error");
    ck_assert_str_eq(ll.text, _i == 0 ? "bad config" : "broken invariant");
    {
        struct lines l;

        read_lines(path, &l);
        ck_assert_uint_eq(l.n, 1);
        parse_line(l.line[0], &ll);
        ck_assert_int_eq(ll.pid, (long)pid);
        ck_assert_str_eq(ll.text, _i == 0 ? "bad config" : "broken invariant");
        lines_clear(&l);
    }
    unlink(path);
}
END_TEST

static Suite *
log_suite(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("format");

    tcase_add_unchecked_fixture(tc, tmpdir_create, tmpdir_remove);
    tcase_add_loop_test(tc, line_has_format_tag_and_escapes, 0,
                        (int)(sizeof(line_cases) / sizeof(line_cases[0])));
    tcase_add_test(tc, macros_write_their_level_and_tag);
    tcase_add_test(tc, newline_in_message_does_not_start_a_line);
    tcase_add_loop_test(tc, long_message_is_cut_to_one_line, 0,
                        (int)(sizeof(long_cases) / sizeof(long_cases[0])));
    tcase_add_loop_test(tc, set_process_changes_proc, 0,
                        (int)(sizeof(process_cases) / sizeof(process_cases[0])));
    tcase_add_test(tc, write_keeps_errno);
    tcase_add_test(tc, write_error_keeps_errno);
    suite_add_tcase(s, tc);

    tc = tcase_create("level");
    tcase_add_unchecked_fixture(tc, tmpdir_create, tmpdir_remove);
    tcase_add_loop_test(tc, levels_below_configured_are_dropped, LOG_LVL_ERROR, LOG_LVL_DEBUG + 1);
    tcase_add_test(tc, set_level_changes_filter_not_sink);
    suite_add_tcase(s, tc);

    tc = tcase_create("sink");
    tcase_add_unchecked_fixture(tc, tmpdir_create, tmpdir_remove);
    tcase_add_test(tc, reopen_after_rename_writes_new_file);
    tcase_add_test(tc, reopen_appends_to_existing_file);
    tcase_add_test(tc, reopen_failure_keeps_old_file);
    tcase_add_test(tc, reopen_is_noop_without_file);
    tcase_add_test(tc, setup_switches_to_new_file);
    tcase_add_loop_test(tc, setup_failure_keeps_old_sink, 0,
                        (int)(sizeof(bad_setups) / sizeof(bad_setups[0])));
    tcase_add_loop_test(tc, fatal_and_panic_log_then_end, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(log_suite());
}
