/*
 * test_stats.c - the statistics shared between processes: counters, the
 * history and error rings (newest first, wrap-around, reset, string and
 * symbol caps), and readers that never see a torn row while other
 * processes write, or die in the middle of a write.
 */
#include "daemon/stats.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "scan/scan_rule.h"

#include "../unit.h"

/* A result with nhits symbols named S<n>_<i> scoring n + i. */
struct fake {
    struct scan_rule rules[80];
    char names[80][32];
    struct scan_hit hits[80];
    struct scan_result res;
};

static void
fake_make(struct fake *f, unsigned n, size_t nhits)
{
    memset(f, 0, sizeof(*f));
    for (size_t i = 0; i < nhits; i++) {
        snprintf(f->names[i], sizeof(f->names[i]), "S%u_%zu", n, i);
        f->rules[i].name = f->names[i];
        f->hits[i].rule = &f->rules[i];
        f->hits[i].score = (double)n + (double)i;
    }
    f->res.hits = f->hits;
    f->res.nhits = nhits;
    f->res.score = n;
    f->res.required = 5;
    f->res.is_spam = n % 2 == 0;
    f->res.action = n % 2 == 0 ? SCAN_ACTION_REJECT : SCAN_ACTION_NONE;
}

/* Record scan n: every field derived from n, so a reader can check a row. */
static void
scan_n(struct stats *st, unsigned n)
{
    struct fake f;
    char id[64], ip[32], user[32], from[64];
    struct stats_scan s = { .message_id = id, .ip = ip, .user = user, .from = from, .res = &f.res };

    fake_make(&f, n, n % 9);
    snprintf(id, sizeof(id), "id-%u@example", n);
    snprintf(ip, sizeof(ip), "10.0.%u.%u", (n >> 8) & 255, n & 255);
    snprintf(user, sizeof(user), "user%u", n);
    snprintf(from, sizeof(from), "from%u@example.org", n);
    s.size = n * 10;
    s.scan_ms = n / 2.0;
    s.time = 1700000000.0 + n;
    stats_add_scan(st, &s);
}

/* Is row consistent with the scan it claims to be? */
static bool
row_ok(const struct stats_row *r)
{
    unsigned n = (unsigned)r->score;
    char want[64];

    snprintf(want, sizeof(want), "id-%u@example", n);
    if (strcmp(r->message_id, want) != 0 || r->size != n * 10 || r->scan_ms != n / 2.0)
        return false;
    snprintf(want, sizeof(want), "user%u", n);
    if (strcmp(r->user, want) != 0 || r->nsymbols != n % 9 || r->nhits != n % 9)
        return false;
    for (uint32_t i = 0; i < r->nsymbols; i++) {
        unsigned sn;
        size_t si;

        if (sscanf(r->symbols[i].name, "S%u_%zu", &sn, &si) != 2 || sn != n ||
            r->symbols[i].score != (double)n + (double)si)
            return false;
    }
    return r->action == (n % 2 == 0 ? SCAN_ACTION_REJECT : SCAN_ACTION_NONE);
}

struct collect {
    unsigned scores[64];
    size_t n;
    size_t bad;
    uint64_t last_ticket;
};

static bool
collect_row(const struct stats_row *r, void *arg)
{
    struct collect *c = arg;

    if (!row_ok(r))
        c->bad++;
    if (c->n > 0 && r->ticket >= c->last_ticket)
        c->bad++; /* not newest first */
    c->last_ticket = r->ticket;
    if (c->n < 64)
        c->scores[c->n] = (unsigned)r->score;
    c->n++;
    return true;
}

START_TEST(counters_count_scans_and_connections)
{
    struct stats *st = stats_new(8, 4, NULL);
    struct stats_counters c;

    ck_assert_ptr_nonnull(st);
    for (unsigned n = 1; n <= 5; n++)
        scan_n(st, n); /* 2 and 4 are spam (reject), 1, 3, 5 ham */
    stats_add_connection(st, false);
    stats_add_connection(st, true);
    stats_add_connection(st, true);
    stats_counters(st, &c, false);
    ck_assert_uint_eq(c.scanned, 5);
    ck_assert_uint_eq(c.actions[SCAN_ACTION_REJECT], 2);
    ck_assert_uint_eq(c.actions[SCAN_ACTION_NONE], 3);
    ck_assert_uint_eq(c.spam, 2);
    ck_assert_uint_eq(c.ham, 3);
    ck_assert_uint_eq(c.connections, 1);
    ck_assert_uint_eq(c.control_connections, 2);
    ck_assert_uint_eq(c.learned, 0);
    /* a reset hands back the counts and starts from zero */
    stats_counters(st, &c, true);
    ck_assert_uint_eq(c.scanned, 5);
    stats_counters(st, &c, false);
    ck_assert_uint_eq(c.scanned, 0);
    ck_assert_uint_eq(c.control_connections, 0);
    ck_assert(stats_start_time(st) > 1.6e9);
    stats_free(&st);
    ck_assert_ptr_null(st);
}
END_TEST

START_TEST(history_is_newest_first_and_wraps)
{
    struct stats *st = stats_new(4, 4, NULL);
    struct collect c = { 0 };

    for (unsigned n = 1; n <= 3; n++)
        scan_n(st, n);
    stats_history(st, collect_row, &c);
    ck_assert_uint_eq(c.n, 3);
    ck_assert_uint_eq(c.bad, 0);
    ck_assert_uint_eq(c.scores[0], 3);
    ck_assert_uint_eq(c.scores[2], 1);
    for (unsigned n = 4; n <= 10; n++)
        scan_n(st, n);
    memset(&c, 0, sizeof(c));
    stats_history(st, collect_row, &c);
    ck_assert_uint_eq(c.n, 4); /* the ring holds 4 */
    ck_assert_uint_eq(c.bad, 0);
    ck_assert_uint_eq(c.scores[0], 10);
    ck_assert_uint_eq(c.scores[3], 7);
    stats_free(&st);
}
END_TEST

START_TEST(history_reset_forgets_rows_but_not_counters)
{
    struct stats *st = stats_new(4, 4, NULL);
    struct collect c = { 0 };
    struct stats_counters k;

    scan_n(st, 1);
    scan_n(st, 2);
    stats_history_reset(st);
    stats_history(st, collect_row, &c);
    ck_assert_uint_eq(c.n, 0);
    scan_n(st, 3);
    stats_history(st, collect_row, &c);
    ck_assert_uint_eq(c.n, 1);
    ck_assert_uint_eq(c.scores[0], 3);
    stats_counters(st, &k, false);
    ck_assert_uint_eq(k.scanned, 3);
    stats_free(&st);
}
END_TEST

static bool
first_row(const struct stats_row *r, void *arg)
{
    memcpy(arg, r, sizeof(*r));
    return false; /* stop after one */
}

START_TEST(rows_cap_strings_and_keep_the_highest_symbols)
{
    struct stats *st = stats_new(2, 2, NULL);
    struct stats_row *r = calloc(1, sizeof(*r));
    char longid[600];
    struct fake *f = calloc(1, sizeof(*f));
    struct stats_scan s = { .message_id = longid, .res = &f->res };

    memset(longid, 'x', sizeof(longid) - 1);
    longid[sizeof(longid) - 1] = '\0';
    fake_make(f, 1, 80);     /* scores 1 .. 80: the 64 kept are 17 .. 80 */
    f->hits[0].score = -500; /* a large negative score counts as large */
    stats_add_scan(st, &s);
    stats_history(st, first_row, r);
    ck_assert_uint_eq(strlen(r->message_id), STATS_MSGID_LEN - 1);
    ck_assert_str_eq(r->ip, "");
    ck_assert_str_eq(r->user, "");
    ck_assert_uint_eq(r->nhits, 80);
    ck_assert_uint_eq(r->nsymbols, STATS_SYMBOLS_MAX);
    ck_assert_str_eq(r->symbols[0].name, "S1_0");
    ck_assert_double_eq(r->symbols[0].score, -500);
    ck_assert_str_eq(r->symbols[1].name, "S1_79");
    ck_assert_str_eq(r->symbols[STATS_SYMBOLS_MAX - 1].name, "S1_17");
    free(r);
    free(f);
    stats_free(&st);
}
END_TEST

struct errs {
    char msgs[8][64];
    char modules[8][8];
    size_t n;
};

static bool
collect_error(const struct stats_error *e, void *arg)
{
    struct errs *c = arg;

    if (c->n < 8) {
        snprintf(c->msgs[c->n], sizeof(c->msgs[c->n]), "%.12s/%.7s/%.40s", e->type, e->id,
                 e->message);
        snprintf(c->modules[c->n], sizeof(c->modules[c->n]), "%s", e->module);
    }
    ck_assert_int_eq(e->pid, getpid());
    c->n++;
    return true;
}

START_TEST(errors_ring_keeps_the_last_ones_newest_first)
{
    struct stats *st = stats_new(2, 3, NULL);
    struct errs c = { 0 };

    stats_add_error(st, LOG_LVL_WARNING, "spamd", "abc123", "first");
    stats_add_error(st, LOG_LVL_ERROR, "main", NULL, "second");
    stats_add_error(st, LOG_LVL_WARNING, "controller", "", "third");
    stats_add_error(st, LOG_LVL_WARNING, "normal", "ffffff", "fourth");
    stats_errors(st, collect_error, &c);
    ck_assert_uint_eq(c.n, 3);
    ck_assert_str_eq(c.msgs[0], "normal/ffffff/fourth");
    ck_assert_str_eq(c.msgs[1], "controller//third");
    ck_assert_str_eq(c.msgs[2], "main//second");
    ck_assert_str_eq(c.modules[2], "error");
    ck_assert_str_eq(c.modules[1], "warning");
    stats_free(&st);
}
END_TEST

START_TEST(zero_rows_keep_nothing)
{
    struct stats *st = stats_new(0, 0, NULL);
    struct collect c = { 0 };
    struct errs e = { 0 };
    struct stats_counters k;

    scan_n(st, 2);
    stats_add_error(st, LOG_LVL_ERROR, "main", NULL, "x");
    stats_history(st, collect_row, &c);
    stats_errors(st, collect_error, &e);
    ck_assert_uint_eq(c.n, 0);
    ck_assert_uint_eq(e.n, 0);
    stats_counters(st, &k, false);
    ck_assert_uint_eq(k.scanned, 1);
    stats_free(&st);
}
END_TEST

START_TEST(scan_times_are_oldest_first_with_gaps_as_nan)
{
    struct stats *st = stats_new(2, 2, NULL);
    double t[STATS_SCAN_TIMES];

    stats_scan_times(st, t);
    ck_assert(isnan(t[0]) && isnan(t[STATS_SCAN_TIMES - 1]));
    scan_n(st, 2); /* 1 ms */
    scan_n(st, 4); /* 2 ms */
    stats_scan_times(st, t);
    ck_assert(isnan(t[STATS_SCAN_TIMES - 3]));
    ck_assert_double_eq(t[STATS_SCAN_TIMES - 2], 1.0);
    ck_assert_double_eq(t[STATS_SCAN_TIMES - 1], 2.0);
    for (unsigned n = 0; n < STATS_SCAN_TIMES + 5; n++)
        scan_n(st, 100 + n);
    stats_scan_times(st, t);
    ck_assert_double_eq(t[0], (100 + 5) / 2.0);
    ck_assert_double_eq(t[STATS_SCAN_TIMES - 1], (100 + STATS_SCAN_TIMES + 4) / 2.0);
    stats_free(&st);
}
END_TEST

/* Writers in other processes, a reader here: every row it keeps is whole. */
START_TEST(readers_see_whole_rows_while_other_processes_write)
{
    struct stats *st = stats_new(8, 2, NULL); /* small: the writers lap the ring all the time */
    pid_t kids[2];
    size_t reads = 0, rows = 0;
    struct stats_counters k;

    for (int w = 0; w < 2; w++) {
        if ((kids[w] = fork()) == 0) {
            for (unsigned n = 0; n < 20000; n++)
                scan_n(st, (unsigned)w * 100000 + n);
            _exit(0);
        }
        ck_assert_int_gt(kids[w], 0);
    }
    for (;;) {
        struct collect c = { 0 };
        int status;

        stats_history(st, collect_row, &c);
        ck_assert_uint_eq(c.bad, 0);
        reads++;
        rows += c.n;
        for (int w = 0; w < 2; w++) {
            if (kids[w] != -1 && waitpid(kids[w], &status, WNOHANG) == kids[w])
                kids[w] = -1;
        }
        if (kids[0] == -1 && kids[1] == -1)
            break;
    }
    stats_counters(st, &k, false);
    ck_assert_uint_eq(k.scanned, 40000); /* no increment lost across processes */
    ck_assert_uint_gt(rows, 0);
    fprintf(stderr, "test_stats: %zu reads, %zu rows checked while two processes wrote\n", reads,
            rows);
    stats_free(&st);
}
END_TEST

/* A writer killed at any moment, as many times: the rows left are whole
 * (an unfinished one is skipped) and later writes go on. */
START_TEST(a_writer_killed_mid_write_leaves_no_torn_row)
{
    struct stats *st = stats_new(4, 2, NULL);
    struct collect c = { 0 };

    for (int round = 0; round < 30; round++) {
        pid_t kid = fork();
        struct timespec ts = { 0, 200000 + round * 37000 };

        if (kid == 0) {
            for (unsigned n = 0;; n++)
                scan_n(st, (unsigned)round * 1000000 + (n % 1000000));
        }
        ck_assert_int_gt(kid, 0);
        nanosleep(&ts, NULL);
        kill(kid, SIGKILL);
        waitpid(kid, NULL, 0);
        memset(&c, 0, sizeof(c));
        stats_history(st, collect_row, &c);
        ck_assert_uint_eq(c.bad, 0);
        ck_assert_uint_le(c.n, 4);
    }
    scan_n(st, 7);
    memset(&c, 0, sizeof(c));
    stats_history(st, collect_row, &c);
    ck_assert_uint_eq(c.bad, 0);
    ck_assert_uint_ge(c.n, 1);
    ck_assert_uint_eq(c.scores[0], 7);
    stats_free(&st);
}
END_TEST

START_TEST(the_process_region_is_optional)
{
    struct fake f;
    struct stats_scan s = { .res = &f.res };

    /* no stats_setup in this process: reporting is a no-op */
    fake_make(&f, 1, 1);
    ck_assert_ptr_null(stats_global());
    stats_record_scan(&s);
    stats_record_connection(true);
    stats_log_hook(LOG_LVL_ERROR, "main", NULL, "nothing to record it in");
}
END_TEST

START_TEST(the_process_region_records_log_warnings)
{
    struct stats_cfg cfg = { 4, 4 };
    struct errs c = { 0 };
    struct fake f;
    struct stats_scan s = { .res = &f.res };
    struct stats_counters k;

    ck_assert_int_eq(stats_setup(&cfg, NULL), 0);
    ck_assert_ptr_nonnull(stats_global());
    log_set_level(LOG_LVL_ERROR); /* the hook sees warnings the sink does not write */
    log_set_sink_hook(stats_log_hook);
    log_warn("a warning with %d", 42);
    log_info("not an error");
    log_set_sink_hook(NULL);
    stats_errors(stats_global(), collect_error, &c);
    ck_assert_uint_eq(c.n, 1);
    ck_assert(strstr(c.msgs[0], "a warning with 42") != NULL);
    fake_make(&f, 3, 1);
    stats_record_scan(&s);
    stats_counters(stats_global(), &k, false);
    ck_assert_uint_eq(k.scanned, 1);
}
END_TEST

static Suite *
stats_suite(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, counters_count_scans_and_connections);
    tcase_add_test(tc, history_is_newest_first_and_wraps);
    tcase_add_test(tc, history_reset_forgets_rows_but_not_counters);
    tcase_add_test(tc, rows_cap_strings_and_keep_the_highest_symbols);
    tcase_add_test(tc, errors_ring_keeps_the_last_ones_newest_first);
    tcase_add_test(tc, zero_rows_keep_nothing);
    tcase_add_test(tc, scan_times_are_oldest_first_with_gaps_as_nan);
    tcase_add_test(tc, readers_see_whole_rows_while_other_processes_write);
    tcase_add_test(tc, a_writer_killed_mid_write_leaves_no_torn_row);
    tcase_add_test(tc, the_process_region_is_optional);
    tcase_add_test(tc, the_process_region_records_log_warnings);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(stats_suite());
}
