/*
 * test_sa_bayes_cfg.c - SpamAssassin's Bayes settings read from a parsed
 * configuration: the defaults, bayes_token_sources words, ignored headers,
 * the token length, stop-word languages and patterns (anchored and
 * case-insensitive as Plugin/Bayes.pm compiles them, its unanchored
 * built-in English list otherwise) and the classifier's switches.
 */
#include "compat/sa_bayes_cfg.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#include "scan/scan_rule.h"

#include "../unit.h"

struct fixture {
    struct sa_conf *c;
    struct scan_ruleset *rs;
    struct arena *a;
    struct sa_bayes_cfg cfg;
    int problems;
};

static void
fx_load(struct fixture *f, const char *text)
{
    struct sa_conf_opts opts = { 0 };
    struct sift_err err;

    f->c = sa_conf_new(&opts);
    f->rs = scan_ruleset_new();
    f->a = arena_new(4096);
    ck_assert_int_eq(sa_conf_parse(f->c, f->rs, text, strlen(text), "local.cf", &err), 0);
    f->problems = sa_bayes_cfg_get(f->c, f->a, &f->cfg, &err);
}

static void
fx_close(struct fixture *f)
{
    sa_conf_free(&f->c);
    scan_ruleset_free(&f->rs);
    arena_free(&f->a);
}

/* Does stop-word pattern i match the whole of s? */
static bool
stop_matches(const struct sa_bayes_cfg *cfg, size_t i, const char *s)
{
    int rc;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)cfg->stopwords[i].pattern, PCRE2_ZERO_TERMINATED,
                                   cfg->stopwords[i].options, &rc, &off, NULL);
    pcre2_match_data *md;
    bool hit;

    ck_assert_msg(re != NULL, "pattern %s", cfg->stopwords[i].pattern);
    md = pcre2_match_data_create_from_pattern(re, NULL);
    hit = pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL) >= 0;
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return hit;
}

START_TEST(defaults_are_spamassassins)
{
    struct fixture f;

    fx_load(&f, "");
    ck_assert_int_eq(f.problems, 0);
    ck_assert_uint_eq(f.cfg.sources, SA_BAYES_SRC_HEADER | SA_BAYES_SRC_VISIBLE |
                                         SA_BAYES_SRC_INVISIBLE | SA_BAYES_SRC_URI);
    ck_assert_uint_eq(f.cfg.max_token_length, 15);
    ck_assert_uint_eq(f.cfg.nignore_headers, 0);
    ck_assert(f.cfg.use_bayes && f.cfg.use_bayes_rules && f.cfg.use_learner);
    ck_assert(f.cfg.use_hapaxes);
    ck_assert_double_eq(f.cfg.min_spam_num, 200);
    ck_assert_double_eq(f.cfg.min_ham_num, 200);
    /* the plugin's own English list: not anchored, case-sensitive */
    ck_assert_uint_eq(f.cfg.nstopwords, 1);
    ck_assert_str_eq(f.cfg.stopwords[0].lang, "en");
    ck_assert(stop_matches(&f.cfg, 0, "information"));
    ck_assert(stop_matches(&f.cfg, 0, "therefore")); /* "the" inside */
    ck_assert(!stop_matches(&f.cfg, 0, "THE"));
    fx_close(&f);
}
END_TEST

START_TEST(settings_apply_as_spamassassin)
{
    struct fixture f;

    fx_load(&f, "bayes_token_sources nouri mimepart\n"
                "bayes_ignore_header X-Foo X-BAR\n"
                "bayes_ignore_header x-foo\n"
                "bayes_max_token_length 20.7\n"
                "bayes_stopword_languages en, de\n"
                "bayes_stopword_en (?:foo|bar)\n"
                "bayes_stopword_de (?:und|oder) (?:aber|doch)\n"
                "bayes_min_spam_num 10\n"
                "bayes_use_hapaxes 0\n"
                "use_bayes no\n");
    ck_assert_int_eq(f.problems, 0);
    ck_assert_uint_eq(f.cfg.sources, SA_BAYES_SRC_HEADER | SA_BAYES_SRC_VISIBLE |
                                         SA_BAYES_SRC_INVISIBLE | SA_BAYES_SRC_MIMEPART);
    ck_assert_uint_eq(f.cfg.nignore_headers, 2);
    ck_assert_str_eq(f.cfg.ignore_headers[0], "x-foo");
    ck_assert_str_eq(f.cfg.ignore_headers[1], "x-bar");
    ck_assert_uint_eq(f.cfg.max_token_length, 20);
    ck_assert_uint_eq(f.cfg.nstopwords, 2);
    ck_assert_str_eq(f.cfg.stopwords[0].lang, "en");
    ck_assert(stop_matches(&f.cfg, 0, "FOO"));
    ck_assert(!stop_matches(&f.cfg, 0, "food"));
    /* each blank-separated pattern replaces the one before */
    ck_assert_str_eq(f.cfg.stopwords[1].lang, "de");
    ck_assert(stop_matches(&f.cfg, 1, "Aber"));
    ck_assert(!stop_matches(&f.cfg, 1, "und"));
    ck_assert_double_eq(f.cfg.min_spam_num, 10);
    ck_assert(!f.cfg.use_hapaxes);
    ck_assert(!f.cfg.use_bayes);
    fx_close(&f);
}
END_TEST

START_TEST(bad_values_are_left_out)
{
    struct fixture f;

    fx_load(&f, "bayes_token_sources none header bogus uri\n"
                "bayes_stopword_languages english\n"
                "bayes_max_token_length ten\n");
    ck_assert_int_eq(f.problems, 3);
    /* the words before the bad one apply, as in Conf.pm */
    ck_assert_uint_eq(f.cfg.sources, SA_BAYES_SRC_HEADER);
    ck_assert_uint_eq(f.cfg.nstopwords, 1);
    ck_assert_str_eq(f.cfg.stopwords[0].lang, "en");
    ck_assert_uint_eq(f.cfg.max_token_length, 15);
    fx_close(&f);
}
END_TEST

START_TEST(stopwords_can_be_disabled)
{
    struct fixture f;

    fx_load(&f, "bayes_stopword_languages disable\nbayes_token_sources all\n");
    ck_assert_int_eq(f.problems, 0);
    ck_assert_uint_eq(f.cfg.nstopwords, 0);
    ck_assert_uint_eq(f.cfg.sources, 0x1f);
    fx_close(&f);
}
END_TEST

START_TEST(language_without_pattern_is_dropped)
{
    struct fixture f;

    fx_load(&f, "bayes_stopword_languages xx en\n");
    ck_assert_int_eq(f.problems, 1);
    ck_assert_uint_eq(f.cfg.nstopwords, 1);
    ck_assert_str_eq(f.cfg.stopwords[0].lang, "en");
    fx_close(&f);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("sa_bayes_cfg");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, defaults_are_spamassassins);
    tcase_add_test(tc, settings_apply_as_spamassassin);
    tcase_add_test(tc, bad_values_are_left_out);
    tcase_add_test(tc, stopwords_can_be_disabled);
    tcase_add_test(tc, language_without_pattern_is_dropped);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
