/*
 * test_scan_engine.c - running a ruleset on messages: every rule type
 * (header with its forms, body with tflags multiple/maxhits/nosubject,
 * rawbody, uri, full, mimeheader, eval, meta), SpamAssassin's scoring
 * rules (score 0 disables, default scores, network and Bayes rules by
 * score set, a score per match for multiple), meta values, loops left
 * out, and the result (sorted hits, rounding, actions).
 */
#include "scan/scan_engine.h"

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mime/mime_get.h"
#include "scan/scan_composite.h"
#include "scan/scan_eval.h"

#include "../unit.h"
#include "../mime_fixture.h"

static const char msg1[] = "From: \"Joe\" <joe@example.com>\n"
                           "To: you@example.org\n"
                           "Subject: Cheap pills here\n"
                           "X-Mailer: Bulk Mailer 2.0\n"
                           "Content-Type: multipart/mixed; boundary=B\n"
                           "\n"
                           "--B\n"
                           "Content-Type: text/plain\n"
                           "\n"
                           "Buy now! Buy now! Buy now! Buy now!\n"
                           "Visit http://www.example.com/offer today.\n"
                           "--B\n"
                           "Content-Type: application/octet-stream; name=\"x.exe\"\n"
                           "\n"
                           "MZ\n"
                           "--B--\n";

static struct scan_rule *
rule(struct scan_ruleset *rs, const char *name, enum scan_rule_kind kind, enum scan_target t,
     double score)
{
    struct scan_rule *r = scan_ruleset_rule(rs, name);

    r->kind = kind;
    r->target = t;
    if (score != -999) {
        for (int i = 0; i < 4; i++)
            r->score[i] = score;
        r->has_score = true;
    }
    r->origin = "test";
    return r;
}

static struct scan_rule *
regex(struct scan_ruleset *rs, const char *name, enum scan_target t, const char *hdr,
      const char *pat, unsigned flags, double score)
{
    struct scan_rule *r = rule(rs, name, SCAN_K_REGEX, t, score);

    r->header = hdr;
    r->pattern = pat;
    r->re_flags = flags;
    return r;
}

static struct scan_rule *
meta(struct scan_ruleset *rs, const char *name, const char *expr, double score)
{
    struct scan_rule *r = rule(rs, name, SCAN_K_META, SCAN_T_NONE, score);

    r->expr = expr;
    return r;
}

static double
eval_subject_len(struct scan_eval_ctx *ec)
{
    bool found;
    struct strv s = mime_get_scalar(ec->msg, "Subject", &found);

    ec->option = "measured";
    return found && (double)s.len > scan_eval_num(ec->rule, 0, 0) ? (double)s.len : 0;
}

static const struct scan_eval_def test_evals[] = {
    { "test_subject_longer_than", 1u << SCAN_T_HEADER, NULL, eval_subject_len, 0 },
};

/* an eval rule that hits on msg1 (its Subject is 17 characters) */
static struct scan_rule *
eval_rule(struct scan_ruleset *rs, const char *name, double score)
{
    struct scan_rule *r = scan_ruleset_rule(rs, name);

    r->kind = SCAN_K_EVAL;
    r->target = SCAN_T_HEADER;
    r->eval = "test_subject_longer_than";
    for (int i = 0; i < 4; i++)
        r->score[i] = score;
    r->has_score = true;
    r->origin = "test";
    return r;
}

struct run {
    struct arena *a;
    struct scan_ruleset *rs;
    struct scan_engine *e;
    struct task *t;
    const struct scan_result *res;
};

static void
run_rules(struct run *r, const char *msg, int score_set, bool local)
{
    struct scan_engine_opts o = { .score_set = score_set,
                                  .local_only = local,
                                  .no_hyperscan = false };
    struct sift_err err;

    o.actions.set[SCAN_ACTION_ADD_HEADER] = true;
    o.actions.threshold[SCAN_ACTION_ADD_HEADER] = 5;
    o.actions.set[SCAN_ACTION_REJECT] = true;
    o.actions.threshold[SCAN_ACTION_REJECT] = 15;
    if (scan_engine_new(r->rs, &o, &r->e, &err) == -1)
        ck_abort_msg("scan_engine_new: %s", err.msg);
    r->t = task_new(&ctx, msg, strlen(msg), false);
    r->res = scan_engine_run(r->e, r->t);
}

static void
run_clear(struct run *r)
{
    task_free(&r->t);
    scan_engine_free(&r->e);
    scan_ruleset_free(&r->rs);
}

static const struct scan_hit *
hit(const struct scan_result *res, const char *name)
{
    for (size_t i = 0; i < res->nhits; i++) {
        if (strcmp(res->hits[i].rule->name, name) == 0)
            return &res->hits[i];
    }
    return NULL;
}

static bool
subhit(const struct scan_result *res, const char *name)
{
    for (size_t i = 0; i < res->nsubhits; i++) {
        if (strcmp(res->subhits[i], name) == 0)
            return true;
    }
    return false;
}

START_TEST(every_rule_type)
{
    struct run r = { .rs = scan_ruleset_new() };
    struct scan_rule *x;

    scan_eval_register(test_evals, 1);
    regex(r.rs, "SUBJ_PILLS", SCAN_T_HEADER, "Subject", "\\bpills\\b", SCAN_RE_I, 1.5);
    regex(r.rs, "FROM_ADDR", SCAN_T_HEADER, "From:addr", "^joe@example\\.com$", 0, 0.5);
    regex(r.rs, "FROM_NAME", SCAN_T_HEADER, "From:name", "^Joe$", 0, 0.25);
    x = regex(r.rs, "NO_LIST_ID", SCAN_T_HEADER, "List-Id", ".", 0, 0.1);
    x->negate = true; /* !~ on a missing header hits */
    x = regex(r.rs, "UNSET_TEXT", SCAN_T_HEADER, "X-Nope", "^none$", 0, 0.2);
    x->if_unset = "none";
    rule(r.rs, "HAS_MAILER", SCAN_K_EXISTS, SCAN_T_HEADER, 0.3)->header = "X-Mailer";
    rule(r.rs, "HAS_NOPE", SCAN_K_EXISTS, SCAN_T_HEADER, 0.3)->header = "X-Nope";
    x = regex(r.rs, "BUY_NOW", SCAN_T_BODY, NULL, "Buy now!", 0, 0.5);
    x->tflags = SCAN_TF_MULTIPLE;
    x->maxhits = 3;
    x = regex(r.rs, "BUY_ALL", SCAN_T_BODY, NULL, "Buy now!", 0, 0.01);
    x->tflags = SCAN_TF_MULTIPLE;
    regex(r.rs, "BODY_SUBJ", SCAN_T_BODY, NULL, "^Cheap pills", 0, 0.1);
    x = regex(r.rs, "BODY_NOSUBJ", SCAN_T_BODY, NULL, "^Cheap pills", 0, 0.1);
    x->tflags = SCAN_TF_NOSUBJECT;
    regex(r.rs, "RAW_VISIT", SCAN_T_RAWBODY, NULL, "^Visit http", SCAN_RE_M, 0.4);
    regex(r.rs, "RAW_EXE", SCAN_T_RAWBODY, NULL, "^MZ", SCAN_RE_M, 0.4);
    regex(r.rs, "URI_OFFER", SCAN_T_URI, NULL, "/offer$", 0, 0.6);
    regex(r.rs, "FULL_BOUNDARY", SCAN_T_FULL, NULL, "\\n--B--\\n", 0, 0.7);
    x = regex(r.rs, "MIME_EXE", SCAN_T_MIMEHEADER, "Content-Type", "name=\"[^\"]+\\.exe\"", 0, 0.8);
    x = rule(r.rs, "LONG_SUBJ", SCAN_K_EVAL, SCAN_T_HEADER, 0.9);
    x->eval = "test_subject_longer_than";
    x->args = arena_calloc(scan_ruleset_arena(r.rs), 1, sizeof(*x->args));
    x->args[0] = (struct scan_eval_arg){ SCAN_ARG_NUM, "10", 2, 10 };
    x->nargs = 1;
    meta(r.rs, "__SUB", "SUBJ_PILLS && BUY_NOW", -999);
    meta(r.rs, "META_COUNT", "BUY_NOW + BUY_ALL", 1.0);
    meta(r.rs, "META_SUB", "__SUB && !NOT_THERE", 0.05);
    run_rules(&r, msg1, 0, true);

    ck_assert_ptr_nonnull(hit(r.res, "SUBJ_PILLS"));
    ck_assert_ptr_nonnull(hit(r.res, "FROM_ADDR"));
    ck_assert_ptr_nonnull(hit(r.res, "FROM_NAME"));
    ck_assert_ptr_nonnull(hit(r.res, "NO_LIST_ID"));
    ck_assert_ptr_nonnull(hit(r.res, "UNSET_TEXT"));
    ck_assert_ptr_nonnull(hit(r.res, "HAS_MAILER"));
    ck_assert_ptr_null(hit(r.res, "HAS_NOPE"));
    /* multiple: a score per match, capped by maxhits */
    ck_assert_uint_eq(hit(r.res, "BUY_NOW")->count, 3);
    ck_assert(fabs(hit(r.res, "BUY_NOW")->score - 1.5) < 1e-9);
    ck_assert_uint_eq(hit(r.res, "BUY_ALL")->count, 4);
    ck_assert_ptr_nonnull(hit(r.res, "BODY_SUBJ"));
    ck_assert_ptr_null(hit(r.res, "BODY_NOSUBJ"));
    ck_assert_ptr_nonnull(hit(r.res, "RAW_VISIT"));
    ck_assert_ptr_null(hit(r.res, "RAW_EXE")); /* rawbody reads text parts only */
    ck_assert_ptr_nonnull(hit(r.res, "URI_OFFER"));
    ck_assert_ptr_nonnull(hit(r.res, "FULL_BOUNDARY"));
    ck_assert_ptr_nonnull(hit(r.res, "MIME_EXE"));
    ck_assert_ptr_nonnull(hit(r.res, "LONG_SUBJ"));
    ck_assert_str_eq(hit(r.res, "LONG_SUBJ")->option, "measured");
    ck_assert(fabs(hit(r.res, "LONG_SUBJ")->value - 17) < 1e-9); /* the eval's value */
    /* metas read counts; a sub-rule is listed apart and not scored */
    ck_assert(fabs(hit(r.res, "META_COUNT")->value - 7) < 1e-9);
    ck_assert(subhit(r.res, "__SUB"));
    ck_assert_ptr_nonnull(hit(r.res, "META_SUB"));
    ck_assert_ptr_null(hit(r.res, "__SUB"));
    /* hits come sorted by name */
    for (size_t i = 1; i < r.res->nhits; i++)
        ck_assert(strcmp(r.res->hits[i - 1].rule->name, r.res->hits[i].rule->name) < 0);
    ck_assert(r.res->is_spam);
    ck_assert_int_eq(r.res->action, SCAN_ACTION_ADD_HEADER);
    run_clear(&r);
}
END_TEST

START_TEST(spamassassin_scoring)
{
    struct run r = { .rs = scan_ruleset_new() };
    struct scan_rule *x;
    double sets[4] = { 0, 1.0, 2.0, 3.0 };

    regex(r.rs, "ZERO", SCAN_T_HEADER, "Subject", "pills", 0, 0);
    meta(r.rs, "READS_ZERO", "ZERO", 1.0);
    regex(r.rs, "T_TESTING", SCAN_T_HEADER, "Subject", "pills", 0, -999);
    x = regex(r.rs, "NICE", SCAN_T_HEADER, "Subject", "pills", 0, -999);
    x->tflags = SCAN_TF_NICE;
    x = eval_rule(r.rs, "NETRULE", 2.0);
    x->tflags = SCAN_TF_NET;
    x = regex(r.rs, "SETS", SCAN_T_HEADER, "Subject", "pills", 0, -999);
    memcpy(x->score, sets, sizeof(sets));
    x->has_score = true;
    x = eval_rule(r.rs, "BAYESISH", 1.0);
    x->tflags = SCAN_TF_LEARN;
    /* a regex rule runs whatever its tflags (only evals are skipped) */
    x = regex(r.rs, "NET_REGEX", SCAN_T_HEADER, "Subject", "pills", 0, 0.5);
    x->tflags = SCAN_TF_NET | SCAN_TF_LEARN;
    /* a meta scored 0 that is true stops the metas reading it, as in SA;
     * one that is false lets them read 0 */
    meta(r.rs, "ZERO_META_TRUE", "SETS", 0);
    meta(r.rs, "READS_TRUE_ZERO", "!ZERO_META_TRUE", 1.0);
    meta(r.rs, "ZERO_META_FALSE", "ZERO", 0);
    meta(r.rs, "READS_FALSE_ZERO", "!ZERO_META_FALSE", 0.125);
    meta(r.rs, "LOOP_A", "LOOP_B", 1.0);
    meta(r.rs, "LOOP_B", "LOOP_A", 1.0);
    regex(r.rs, "BAD_RE", SCAN_T_HEADER, "Subject", "(unclosed", 0, 1.0);
    x = rule(r.rs, "NO_SUCH_EVAL", SCAN_K_EVAL, SCAN_T_BODY, 1.0);
    x->eval = "check_nothing_like_this";
    scan_eval_register(test_evals, 1);
    run_rules(&r, msg1, 1, false);

    ck_assert_ptr_null(hit(r.res, "ZERO"));
    ck_assert_ptr_null(hit(r.res, "READS_ZERO"));
    ck_assert(fabs(hit(r.res, "T_TESTING")->score - 0.01) < 1e-9);
    ck_assert(fabs(hit(r.res, "NICE")->score + 1.0) < 1e-9);
    ck_assert_ptr_nonnull(hit(r.res, "NETRULE")); /* set 1 has network tests */
    ck_assert(fabs(hit(r.res, "SETS")->score - 1.0) < 1e-9);
    ck_assert_ptr_null(hit(r.res, "BAYESISH")); /* no Bayes in set 1 */
    ck_assert_ptr_nonnull(hit(r.res, "NET_REGEX"));
    ck_assert_ptr_null(hit(r.res, "ZERO_META_TRUE"));
    ck_assert_ptr_null(hit(r.res, "READS_TRUE_ZERO"));
    ck_assert_ptr_null(hit(r.res, "ZERO_META_FALSE"));
    ck_assert_ptr_nonnull(hit(r.res, "READS_FALSE_ZERO"));
    ck_assert_ptr_null(hit(r.res, "LOOP_A"));
    ck_assert_ptr_null(hit(r.res, "BAD_RE"));
    /* what was left out says why */
    {
        bool loop = false, bad = false, ev = false;

        for (size_t i = 0; i < scan_ruleset_nskips(r.rs); i++) {
            const struct scan_skip *s = scan_ruleset_skip_at(r.rs, i);

            loop |= strcmp(s->category, "meta") == 0 && strstr(s->message, "loop") != NULL;
            bad |= strcmp(s->category, "regex") == 0 && strcmp(s->name, "BAD_RE") == 0;
            ev |= strcmp(s->category, "eval missing") == 0;
        }
        ck_assert(loop && bad && ev);
    }
    /* 0.01 - 1 + 2 + 1 + 0.5 + 0.125 = 2.635 */
    ck_assert(fabs(r.res->score - 2.635) < 1e-9);
    ck_assert(!r.res->is_spam);
    ck_assert_int_eq(r.res->action, SCAN_ACTION_NONE);
    run_clear(&r);

    /* local only: network evals are not run, set 0 applies */
    r.rs = scan_ruleset_new();
    x = eval_rule(r.rs, "NETRULE", 2.0);
    x->tflags = SCAN_TF_NET;
    meta(r.rs, "LOCAL", "local_tests_only", 0.5);
    run_rules(&r, msg1, 0, true);
    ck_assert_ptr_null(hit(r.res, "NETRULE"));
    ck_assert_ptr_nonnull(hit(r.res, "LOCAL"));
    run_clear(&r);
}
END_TEST

START_TEST(hyperscan_and_pcre_agree)
{
    /* the same rules with and without Hyperscan give the same result */
    static const char *const pats[] = { "(?i)buy",      "now!",   "\\bexample\\b", "(\\w+) \\1",
                                        "(?<=Buy )now", "^Visit", "x{2,}" };
    double score[2];

    for (int hs = 0; hs < 2; hs++) {
        struct run r = { .rs = scan_ruleset_new() };
        struct scan_engine_opts o = { .no_hyperscan = hs == 0 };
        struct sift_err err;

        for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
            char name[16];
            struct scan_rule *x;

            snprintf(name, sizeof(name), "R%zu", i);
            x = regex(r.rs, name, SCAN_T_BODY, NULL, pats[i], 0, (double)(i + 1));
            x->tflags = SCAN_TF_MULTIPLE;
        }
        ck_assert_int_eq(scan_engine_new(r.rs, &o, &r.e, &err), 0);
        r.t = task_new(&ctx, msg1, strlen(msg1), false);
        r.res = scan_engine_run(r.e, r.t);
        score[hs] = r.res->score;
        run_clear(&r);
    }
    ck_assert(fabs(score[0] - score[1]) < 1e-9);
    ck_assert(score[0] > 0);
}
END_TEST

static struct scan_rule *
composite(struct scan_ruleset *rs, const char *name, const char *expr, unsigned policy,
          double score)
{
    struct scan_rule *r = rule(rs, name, SCAN_K_COMPOSITE, SCAN_T_NONE, score);

    r->expr = expr;
    r->policy = policy;
    return r;
}

/* Composites run on what the scan ended with (rules, sub-rules, symbols
 * raised by code, composites before them) and take away what they name,
 * as their policy and prefixes say. */
START_TEST(composites_replace_what_they_name)
{
    struct run r = { 0 };

    r.rs = scan_ruleset_new();
    regex(r.rs, "SUBJ_PILLS", SCAN_T_HEADER, "Subject", "pills", SCAN_RE_I, 2);
    regex(r.rs, "BUY_NOW", SCAN_T_BODY, NULL, "Buy now", 0, 3);
    regex(r.rs, "NOT_THERE", SCAN_T_BODY, NULL, "nowhere", 0, 1);
    regex(r.rs, "__SUB_VISIT", SCAN_T_BODY, NULL, "Visit", 0, -999);
    regex(r.rs, "BULK", SCAN_T_HEADER, "X-Mailer", "Bulk", 0, 0.5);
    regex(r.rs, "HAS_URL", SCAN_T_URI, NULL, "example", 0, 0.25);
    regex(r.rs, "TO_ORG", SCAN_T_HEADER, "To", "\\.org", 0, 0.125);
    /* both gone, their scores too: 2 + 3 -> 4 */
    composite(r.rs, "PILL_SPAM", "SUBJ_PILLS & BUY_NOW & !NOT_THERE", 0, 4);
    /* a sub-rule counts; the weight only */
    composite(r.rs, "BULK_VISIT", "__SUB_VISIT && BULK", SCAN_COMPOSITE_REMOVE_WEIGHT, 1);
    /* prefixes: HAS_URL stays whole (-), TO_ORG loses its score (~) */
    composite(r.rs, "URL_TO", "-HAS_URL & ~TO_ORG", 0, 0.5);
    /* a composite of a composite; NOT_THERE is false, so '|' decides */
    composite(r.rs, "ALL_OF_IT", "(PILL_SPAM | NOT_THERE) & URL_TO", SCAN_COMPOSITE_LEAVE, 0.1);
    /* does not hit: nothing taken */
    composite(r.rs, "NEVER", "NOT_THERE & BULK", 0, 9);
    run_rules(&r, msg1, 0, true);
    ck_assert_ptr_null(hit(r.res, "SUBJ_PILLS"));
    ck_assert_ptr_null(hit(r.res, "BUY_NOW"));
    ck_assert_ptr_nonnull(hit(r.res, "PILL_SPAM"));
    ck_assert_double_eq(hit(r.res, "PILL_SPAM")->score, 4);
    ck_assert_ptr_nonnull(hit(r.res, "BULK"));
    ck_assert_double_eq(hit(r.res, "BULK")->score, 0);
    ck_assert_ptr_nonnull(hit(r.res, "BULK_VISIT"));
    ck_assert_ptr_nonnull(hit(r.res, "HAS_URL"));
    ck_assert_double_eq(hit(r.res, "HAS_URL")->score, 0.25);
    ck_assert_ptr_nonnull(hit(r.res, "TO_ORG"));
    ck_assert_double_eq(hit(r.res, "TO_ORG")->score, 0);
    ck_assert_ptr_nonnull(hit(r.res, "URL_TO"));
    /* leave: PILL_SPAM and URL_TO stay as they are */
    ck_assert_ptr_nonnull(hit(r.res, "ALL_OF_IT"));
    ck_assert_ptr_null(hit(r.res, "NEVER"));
    ck_assert(subhit(r.res, "__SUB_VISIT"));
    /* 4 + 0 (BULK) + 1 + 0.25 + 0 (TO_ORG) + 0.5 + 0.1 */
    ck_assert_double_eq_tol(r.res->score, 5.85, 1e-9);
    for (size_t i = 1; i < r.res->nhits; i++)
        ck_assert_int_lt(strcmp(r.res->hits[i - 1].rule->name, r.res->hits[i].rule->name), 0);
    run_clear(&r);

    /* remove_symbol: gone from the list, its score still counted */
    r.rs = scan_ruleset_new();
    regex(r.rs, "SUBJ_PILLS", SCAN_T_HEADER, "Subject", "pills", SCAN_RE_I, 2);
    composite(r.rs, "HIDDEN", "SUBJ_PILLS", SCAN_COMPOSITE_REMOVE_SYMBOL, 1);
    composite(r.rs, "BROKEN", "SUBJ_PILLS &", 0, 1); /* left out when compiled */
    run_rules(&r, msg1, 0, true);
    ck_assert_ptr_null(hit(r.res, "SUBJ_PILLS"));
    ck_assert_ptr_nonnull(hit(r.res, "HIDDEN"));
    ck_assert_ptr_null(hit(r.res, "BROKEN"));
    ck_assert_double_eq_tol(r.res->score, 3, 1e-9);
    run_clear(&r);
}
END_TEST

/* The pattern cache keeps what others use: a file is removed once no
 * engine has used it for two weeks, and the engine's own are marked used. */
START_TEST(the_cache_keeps_recent_files_of_other_rule_sets)
{
    char dir[] = "/tmp/sift-engine-cache-XXXXXX", old[128], recent[128];
    struct scan_ruleset *rs = scan_ruleset_new();
    struct scan_engine_opts o = { 0 };
    struct scan_engine *e = NULL;
    struct sift_err err;
    struct timespec times[2] = { { time(NULL) - 30 * 24 * 3600, 0 },
                                 { time(NULL) - 30 * 24 * 3600, 0 } };
    struct stat st;
    DIR *d;
    struct dirent *de;
    int ours = 0;
    FILE *f;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(old, sizeof(old), "%s/sift-hs-old.db", dir);
    snprintf(recent, sizeof(recent), "%s/sift-hs-recent.db", dir);
    ck_assert_ptr_nonnull(f = fopen(old, "w"));
    fclose(f);
    ck_assert_ptr_nonnull(f = fopen(recent, "w"));
    fclose(f);
    ck_assert_int_eq(utimensat(AT_FDCWD, old, times, 0), 0);
    regex(rs, "A1", SCAN_T_BODY, NULL, "alpha", 0, 1);
    regex(rs, "A2", SCAN_T_BODY, NULL, "beta", 0, 1);
    regex(rs, "A3", SCAN_T_BODY, NULL, "gamma", 0, 1);
    o.cache_dir = dir;
    ck_assert_int_eq(scan_engine_new(rs, &o, &e, &err), 0);
    ck_assert_int_eq(stat(old, &st), -1);   /* unused for a month: gone */
    ck_assert_int_eq(stat(recent, &st), 0); /* another rule set's: kept */
    ck_assert_ptr_nonnull(d = opendir(dir));
    while ((de = readdir(d)) != NULL) {
        char path[512];

        if (strncmp(de->d_name, "sift-hs-", 8) != 0 || strcmp(de->d_name, "sift-hs-recent.db") == 0)
            continue;
        ours++; /* this engine's own database, written now */
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        ck_assert_int_eq(stat(path, &st), 0);
        ck_assert_int_ge(st.st_mtime, time(NULL) - 60);
        unlink(path);
    }
    closedir(d);
#ifdef SIFT_HAVE_HYPERSCAN
    ck_assert_int_eq(ours, 1);
#else
    ck_assert_int_eq(ours, 0); /* nothing to cache without Hyperscan */
#endif
    unlink(recent);
    rmdir(dir);
    scan_engine_free(&e);
    scan_ruleset_free(&rs);
}
END_TEST

static Suite *
scan_engine_suite(void)
{
    Suite *s = suite_create("scan_engine");
    TCase *tc = tcase_create("scan_engine");

    tcase_add_unchecked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_test(tc, every_rule_type);
    tcase_add_test(tc, spamassassin_scoring);
    tcase_add_test(tc, hyperscan_and_pcre_agree);
    tcase_add_test(tc, composites_replace_what_they_name);
    tcase_add_test(tc, the_cache_keeps_recent_files_of_other_rule_sets);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(scan_engine_suite());
}
