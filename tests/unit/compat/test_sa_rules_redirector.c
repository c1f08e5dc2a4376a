/*
 * test_sa_rules_redirector.c - the redirector_pattern settings of a rule
 * set (compat/sa_rules.c) applied when a scan collects a message's URIs:
 * the first pattern that matches with a $1 holding a '.' gives the target
 * (a match without one goes on to the next pattern); a pattern that does
 * not compile is left out with a skip. Expected uri lists came from
 * SpamAssassin 4.0.1 (Util::uri_list_canonicalize with the same patterns
 * compiled by Util::compile_regexp).
 */
#include "compat/sa_rules.h"

#include <string.h>

#include "core/arena.h"
#include "mime/mime_uris.h"
#include "scan/task.h"

#include "../unit.h"

#include "../mime_fixture.h"

static const char redirect_cf[] =
    "redirector_pattern m'^https?://redir\\.example\\.net/go\\?to=(.*)$'i\n"
    /* $1 undefined when x matches: the next pattern decides */
    "redirector_pattern m'^http://undef\\.example\\.net/(?:x|(y\\.example\\.com))'\n"
    "redirector_pattern m'^http://undef\\.example\\.net/x\\?u=(.*)$'\n"
    /* $1 without a '.': the next pattern decides */
    "redirector_pattern m'^http://nodot\\.example\\.net/(\\w+)'\n"
    "redirector_pattern m'^http://nodot\\.example\\.net/\\w+/(.*)$'\n"
    /* groups after $1 */
    "redirector_pattern m'^http://three\\.example\\.net/(\\S+?)/(a)(b)'\n"
    "redirector_pattern /^http:\\/\\/[^\\/]+\\/r\\/(.*)$/i\n"
    /* left out, as SpamAssassin leaves them out */
    "redirector_pattern /^http:\\/\\/bad\\.example\\.net\\/(unclosed/\n"
    "redirector_pattern no_delimiters_(.*)\n";

static const struct {
    const char *uri;
    const char *want[4]; /* the uri list, as a set */
} redir_cases[] = {
    { "http://redir.example.net/go?to=evil.example.org/y",
      { "http://redir.example.net/go?to=evil.example.org/y", "http://evil.example.org/y",
        "evil.example.org/y", NULL } },
    { "HTTPS://REDIR.EXAMPLE.NET/go?to=evil.example.org/y",
      { "HTTPS://REDIR.EXAMPLE.NET/go?to=evil.example.org/y", "http://evil.example.org/y",
        "evil.example.org/y", NULL } },
    { "http://undef.example.net/x?u=target.example.com/p",
      { "http://undef.example.net/x?u=target.example.com/p", "http://target.example.com/p",
        "target.example.com/p", NULL } },
    { "http://nodot.example.net/word/target.example.org/q",
      { "http://nodot.example.net/word/target.example.org/q", "http://target.example.org/q",
        "target.example.org/q", NULL } },
    { "http://three.example.net/target.example.net/ab",
      { "http://three.example.net/target.example.net/ab", "http://target.example.net",
        "target.example.net", NULL } },
    { "http://plain.example.net/r/nodot", { "http://plain.example.net/r/nodot", NULL } },
    { "http://plain.example.net/other", { "http://plain.example.net/other", NULL } },
};

static char rules_dir[PATH_MAX];

static void
dir_setup(void)
{
    ctx_setup();
    unit_tmpdir(rules_dir);
    unit_write(rules_dir, "with/20_redirect.cf", redirect_cf);
    unit_write(rules_dir, "without/20_none.cf", "body T_NOTHING /nothing/\n");
}

static void
dir_teardown(void)
{
    unit_rmtree(rules_dir);
    ctx_teardown();
}

static struct sa_rules *
load(const char *sub)
{
    char dir[PATH_MAX * 2];
    struct sa_rules_cfg cfg = { .site_dir = "", .local_only = true };
    struct sa_rules *r;
    struct sift_err err;

    snprintf(dir, sizeof(dir), "%s/%s", rules_dir, sub);
    cfg.rules_dir = dir;
    if (sa_rules_load(&cfg, NULL, NULL, &r, &err) == -1)
        ck_abort_msg("sa_rules_load: %s", err.msg);
    return r;
}

/* The message's uri list after a scan, against want (as sets). */
static void
check_uris(struct sa_rules *r, const char *uri, const char *const *want)
{
    struct arena *a = arena_new(1024);
    const char *msg = arena_printf(a, "From: a\n\nsee %s today\n", uri);
    struct task *t = task_new(&ctx, msg, strlen(msg), false);
    const struct mime_uris *u;
    size_t nwant = 0;

    sa_rules_scan(r, t);
    u = mime_msg_uris(task_message(t));
    for (; want[nwant] != NULL; nwant++) {
        size_t k = 0;

        while (k < u->nlist && !(u->list[k].len == strlen(want[nwant]) &&
                                 memcmp(u->list[k].p, want[nwant], u->list[k].len) == 0))
            k++;
        ck_assert_msg(k < u->nlist, "%s: %s missing from the uri list", uri, want[nwant]);
    }
    ck_assert_msg(u->nlist == nwant, "%s: %zu URIs, want %zu", uri, u->nlist, nwant);
    task_free(&t);
    arena_free(&a);
}

START_TEST(redirect_targets_join_the_uris_as_spamassassin)
{
    struct sa_rules *r = load("with");

    check_uris(r, redir_cases[_i].uri, redir_cases[_i].want);
    sa_rules_free(&r);
}
END_TEST

START_TEST(patterns_that_do_not_compile_are_skipped)
{
    struct sa_rules *r = load("with");
    size_t skips = 0;

    for (size_t i = 0; i < scan_ruleset_nskips(r->rs); i++) {
        const struct scan_skip *sk = scan_ruleset_skip_at(r->rs, i);

        if (strcmp(sk->category, "redirector_pattern") != 0)
            continue;
        skips++;
        ck_assert_msg(strstr(sk->message, "unclosed") != NULL ||
                          strstr(sk->message, "no_delimiters_") != NULL,
                      "unexpected skip: %s", sk->message);
    }
    ck_assert_uint_eq(skips, 2);
    sa_rules_free(&r);
}
END_TEST

START_TEST(without_patterns_no_target)
{
    struct sa_rules *r = load("without");
    static const char *const want[] = { "http://redir.example.net/go?to=evil.example.org/y", NULL };

    ck_assert_ptr_null(r->redirectors);
    check_uris(r, want[0], want);
    sa_rules_free(&r);
}
END_TEST

static Suite *
sa_rules_redirector_suite(void)
{
    Suite *s = suite_create("sa_rules_redirector");
    TCase *tc = tcase_create("sa_rules_redirector");

    tcase_add_unchecked_fixture(tc, dir_setup, dir_teardown);
    tcase_add_loop_test(tc, redirect_targets_join_the_uris_as_spamassassin, 0, NCASES(redir_cases));
    tcase_add_test(tc, patterns_that_do_not_compile_are_skipped);
    tcase_add_test(tc, without_patterns_no_target);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(sa_rules_redirector_suite());
}
