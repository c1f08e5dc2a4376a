/*
 * test_sa_conf.c - SpamAssassin's configuration language read into native
 * rules. Every expected value below was checked against SpamAssassin
 * 4.0.1 itself, loading the same files (tests/data/sa/) and dumping its
 * conf: tests, types, scoresets, priorities, tflags, descriptions,
 * test_qrs and eval arguments. Where sift deliberately differs the test
 * says so. The stock set (/usr/share/spamassassin, /etc/spamassassin) is
 * loaded when installed, and its numbers printed.
 */
#include "compat/sa_conf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan_rule.h"

#include "../unit.h"

#define DATA "tests/data/sa/"

struct fixture {
    struct sa_conf *c;
    struct scan_ruleset *rs;
};

static void
fx_open(struct fixture *f, const struct sa_conf_opts *opts)
{
    f->c = sa_conf_new(opts);
    f->rs = scan_ruleset_new();
}

static void
fx_close(struct fixture *f)
{
    sa_conf_free(&f->c);
    scan_ruleset_free(&f->rs);
    ck_assert_ptr_null(f->c);
}

static void
fx_file(struct fixture *f, const char *path)
{
    struct sift_err err;

    ck_assert_msg(sa_conf_load_file(f->c, f->rs, path, &err) == 0, "%s", err.msg);
}

static void
fx_text(struct fixture *f, const char *text, const char *origin)
{
    struct sift_err err;

    ck_assert_int_eq(sa_conf_parse(f->c, f->rs, text, strlen(text), origin, &err), 0);
}

/* The rule, which must exist and be defined. */
static const struct scan_rule *
fx_rule(const struct fixture *f, const char *name)
{
    const struct scan_rule *r = scan_ruleset_find(f->rs, name);

    ck_assert_msg(r != NULL && r->kind != SCAN_K_UNDEFINED, "%s is not defined", name);
    return r;
}

static bool
fx_defined(const struct fixture *f, const char *name)
{
    const struct scan_rule *r = scan_ruleset_find(f->rs, name);

    return r != NULL && r->kind != SCAN_K_UNDEFINED;
}

/* A skip of this category (for this rule, when name is not NULL). */
static const struct scan_skip *
fx_skip(const struct fixture *f, const char *name, const char *category)
{
    for (size_t i = 0; i < scan_ruleset_nskips(f->rs); i++) {
        const struct scan_skip *s = scan_ruleset_skip_at(f->rs, i);

        if (strcmp(s->category, category) == 0 &&
            (name == NULL || (s->name != NULL && strcmp(s->name, name) == 0)))
            return s;
    }
    return NULL;
}

static void
fx_assert_scores(const struct scan_rule *r, double s0, double s1, double s2, double s3)
{
    double want[4] = { s0, s1, s2, s3 };

    for (int i = 0; i < 4; i++)
        ck_assert_msg(fabs(r->score[i] - want[i]) < 1e-9, "%s: score[%d] %g, want %g", r->name, i,
                      r->score[i], want[i]);
}

/* ---- conditionals ---- */

static const char *const cond_defined[] = {
    "COND_AFTER",  "COND_ARITH",       "COND_CAN",         "COND_DKIM_ARC",   "COND_DMARC_ALIAS",
    "COND_HAS",    "COND_NESTED_ELSE", "COND_NET",         "COND_OUTER_ELSE", "COND_PERL",
    "COND_PLUGIN", "COND_RACIALLY",    "COND_UNPARSEABLE", "COND_VERSION_OK", "COND_NO_COMPAT",
};
static const char *const cond_undefined[] = {
    "COND_VERSION_ELSE",  "COND_OLD",           "COND_NOT_VERSION",
    "COND_NESTED_NO",     "COND_CAN_NOT",       "COND_LOCAL",
    "COND_TERNARY",       "COND_INNER_SKIPPED", "COND_INNER_ELSE_SKIPPED",
    "COND_OUTER_SKIPPED", "COND_DIVZERO",       "COND_SYNTAX",
};

START_TEST(conditionals_as_sa)
{
    struct fixture f;

    fx_open(&f, NULL);
    fx_file(&f, DATA "cond.cf");
    sa_conf_finish(f.c, f.rs);
    for (size_t i = 0; i < sizeof(cond_defined) / sizeof(cond_defined[0]); i++)
        fx_rule(&f, cond_defined[i]);
    for (size_t i = 0; i < sizeof(cond_undefined) / sizeof(cond_undefined[0]); i++)
        ck_assert_msg(!fx_defined(&f, cond_undefined[i]), "%s defined", cond_undefined[i]);
    /* "if x": SA gives up on the line and opens no block, so its endif is an error */
    ck_assert_ptr_nonnull(fx_skip(&f, NULL, "conditional"));
    fx_close(&f);
}
END_TEST

/* enable_compat defines Conf::compat_NAME for can() (Debian's init.pre does) */
START_TEST(conditionals_enable_compat)
{
    struct fixture f;

    fx_open(&f, NULL);
    fx_text(&f, "enable_compat welcomelist_blocklist\n", "init.pre");
    fx_text(&f, "loadplugin Mail::SpamAssassin::Plugin::HeaderEval\n", "v310.pre");
    fx_file(&f, DATA "cond.cf");
    ck_assert(!fx_defined(&f, "COND_NO_COMPAT"));
    ck_assert(fx_defined(&f, "COND_PLUGIN"));
    /* a .pre was read: only what it loaded is loaded */
    ck_assert(!fx_defined(&f, "COND_DMARC_ALIAS"));
    ck_assert(!fx_defined(&f, "COND_DKIM_ARC"));
    ck_assert(!fx_defined(&f, "COND_HAS"));
    ck_assert(sa_conf_plugin_loaded(f.c, "HeaderEval"));
    ck_assert(!sa_conf_plugin_loaded(f.c, "Mail::SpamAssassin::Plugin::BodyEval"));
    fx_close(&f);
}
END_TEST

START_TEST(conditionals_local_and_implemented_plugins)
{
    static const char *const only[] = { "BodyEval", "DKIM", NULL };
    struct sa_conf_opts o = { .local_only = true, .plugins = only };
    struct fixture f;

    fx_open(&f, &o);
    fx_file(&f, DATA "cond.cf");
    ck_assert(fx_defined(&f, "COND_LOCAL"));
    ck_assert(!fx_defined(&f, "COND_NET"));
    ck_assert(!fx_defined(&f, "COND_PLUGIN")); /* HeaderEval: not implemented */
    ck_assert(fx_defined(&f, "COND_HAS"));
    ck_assert(fx_defined(&f, "COND_DKIM_ARC"));
    ck_assert_int_eq(sa_conf_score_set(f.c), 0);
    fx_close(&f);
}
END_TEST

START_TEST(require_version_skips_the_rest_of_the_file)
{
    struct fixture f;

    fx_open(&f, NULL);
    fx_text(&f,
            "require_version @@VERSION@@\nbody RV_A /a/\nrequire_version 4.000001\n"
            "body RV_B /a/\nrequire_version 3.004006\nbody RV_C /a/\n",
            "a.cf");
    fx_text(&f, "body RV_D /a/\n", "b.cf");
    ck_assert(fx_defined(&f, "RV_A"));
    ck_assert(fx_defined(&f, "RV_B"));
    ck_assert(!fx_defined(&f, "RV_C"));
    ck_assert(fx_defined(&f, "RV_D"));
    ck_assert_ptr_nonnull(fx_skip(&f, NULL, "require_version"));
    fx_close(&f);
}
END_TEST

/* ---- files ---- */

START_TEST(include_as_sa)
{
    struct fixture f;
    const struct scan_skip *s;
    struct sa_conf_stats st;

    fx_open(&f, NULL);
    fx_file(&f, DATA "include.cf");
    /* a file included twice is read once; one included in a false block
     * is read all the same, and resets the including file's blocks */
    fx_rule(&f, "INC_SUB");
    fx_rule(&f, "INC_BEFORE");
    fx_rule(&f, "INC_FROM_FALSE_BLOCK");
    fx_rule(&f, "INC_AFTER_RESET");
    fx_rule(&f, "INC_LAST");
    s = fx_skip(&f, NULL, "include");
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_nonnull(strstr(s->message, "missing.cf"));
    sa_conf_stats(f.c, &st);
    ck_assert_uint_eq(st.files, 3);
    fx_close(&f);
}
END_TEST

START_TEST(load_dirs_order_and_errors)
{
    char dir[PATH_MAX], rules[PATH_MAX + 8], site[PATH_MAX + 8];
    struct fixture f;
    struct sift_err err;

    unit_tmpdir(dir);
    snprintf(rules, sizeof(rules), "%s/rules", dir);
    snprintf(site, sizeof(site), "%s/site", dir);
    /* site .pre, rules .pre, rules .cf (byte order), site .cf */
    unit_write(dir, "site/init.pre", "loadplugin Mail::SpamAssassin::Plugin::BodyEval\n");
    unit_write(dir, "rules/b.cf", "body ORDER /b/\nscore ORDER 2\n");
    unit_write(dir, "rules/a.cf", "body ORDER /a/\nscore ORDER 1\n");
    unit_write(dir, "rules/README", "not read\n");
    unit_write(dir, "site/local.cf",
               "score ORDER 3\nifplugin BodyEval\nbody LD_BE /x/\nendif\n"
               "ifplugin HeaderEval\nbody LD_HE /x/\nendif\n");
    fx_open(&f, NULL);
    ck_assert_int_eq(sa_conf_load_dirs(f.c, f.rs, rules, site, &err), 0);
    sa_conf_finish(f.c, f.rs);
    ck_assert_str_eq(fx_rule(&f, "ORDER")->pattern, "b");
    fx_assert_scores(fx_rule(&f, "ORDER"), 3, 3, 3, 3);
    ck_assert(fx_defined(&f, "LD_BE"));
    ck_assert(!fx_defined(&f, "LD_HE"));
    fx_close(&f);

    fx_open(&f, NULL);
    ck_assert_int_eq(sa_conf_load_dirs(f.c, f.rs, "/nonexistent/sift", NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/sift"));
    ck_assert_int_eq(sa_conf_load_file(f.c, f.rs, "/nonexistent/sift.cf", &err), -1);
    fx_close(&f);
    unit_rmtree(dir);
}
END_TEST

/* ---- the lexer ---- */

START_TEST(lexer_comments_and_keywords)
{
    struct fixture f;
    const struct strv *v;

    fx_open(&f, NULL);
    fx_text(&f,
            "# a comment\n"
            "   body   LX_HASH   /a\\#b/   # and a comment\n"
            "Body LX_CASE /x/\r\n"
            "0\n"
            "REQUIRED-SCORE 7.5\n"
            "header LX_CR Subject =~ /x/i\r\n"
            "\tdescribe LX_HASH has a \\# in it\n"
            "trusted_networks 10.0.0.0/8  192.168.1.1 \n",
            "lex.cf");
    ck_assert_str_eq(fx_rule(&f, "LX_HASH")->pattern, "a#b");
    ck_assert_str_eq(fx_rule(&f, "LX_HASH")->description, "has a # in it");
    ck_assert_int_eq(fx_rule(&f, "LX_CASE")->target, SCAN_T_BODY);
    ck_assert_uint_eq(fx_rule(&f, "LX_CR")->re_flags, SCAN_RE_I);
    ck_assert(fabs(sa_conf_required_score(f.c) - 7.5) < 1e-9);
    ck_assert_uint_eq(sa_conf_values(f.c, "trusted-networks", &v), 1);
    ck_assert_str_eq(v[0].p, "10.0.0.0/8  192.168.1.1");
    fx_close(&f);
}
END_TEST

static const struct {
    const char *lang, *want;
} lang_cases[] = {
    { "de_DE.UTF-8", "Deutscher Text" },
    { "de", "Deutscher Text" },
    { "pt_BR@euro", "Texto" },
    { "pt", "English text" }, /* lang pt_BR needs pt_BR */
    { "C", "English text" },
    { "en_GB", "English text" },
};

START_TEST(lang_lines)
{
    struct sa_conf_opts o = { .lang = lang_cases[_i].lang };
    struct fixture f;

    fx_open(&f, &o);
    fx_file(&f, DATA "lang.cf");
    ck_assert_str_eq(fx_rule(&f, "LANG_RULE")->description, lang_cases[_i].want);
    fx_close(&f);
}
END_TEST

START_TEST(lang_from_environment)
{
    struct fixture f;

    setenv("LANGUAGE", "pt_BR:de", 1);
    setenv("LANG", "de_DE", 1);
    fx_open(&f, NULL);
    fx_file(&f, DATA "lang.cf");
    ck_assert_str_eq(fx_rule(&f, "LANG_RULE")->description, "Texto");
    fx_close(&f);
    unsetenv("LANGUAGE");
    fx_open(&f, NULL);
    fx_file(&f, DATA "lang.cf");
    ck_assert_str_eq(fx_rule(&f, "LANG_RULE")->description, "Deutscher Text");
    fx_close(&f);
    setenv("LANG", "POSIX", 1);
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    fx_open(&f, NULL);
    fx_file(&f, DATA "lang.cf");
    sa_conf_finish(f.c, f.rs);
    ck_assert_str_eq(fx_rule(&f, "LANG_RULE")->description, "English text");
    /* "lang fr" with nothing after it, and "LANG", are unknown keywords */
    ck_assert_ptr_nonnull(fx_skip(&f, NULL, "unknown keyword"));
    fx_close(&f);
}
END_TEST

/* ---- rule attributes ---- */

START_TEST(scores_as_sa)
{
    struct fixture f;
    const struct scan_rule *r;

    fx_open(&f, NULL);
    fx_file(&f, DATA "scores.cf");
    sa_conf_finish(f.c, f.rs);
    fx_assert_scores(fx_rule(&f, "SC_ONE"), 2.5, 2.5, 2.5, 2.5);
    fx_assert_scores(fx_rule(&f, "SC_FOUR"), 0, 1.5, -2, 3.25);
    fx_assert_scores(fx_rule(&f, "SC_REL"), 1.5, 1.5, 1.5, 1.5);
    /* "(1) 1 (0) (-1)": one value in parentheses makes them all relative */
    fx_assert_scores(fx_rule(&f, "SC_REL4"), 2, 3, 3, 3);
    fx_assert_scores(fx_rule(&f, "SC_REL_NONE"), 1, 1, 1, 1);
    ck_assert_ptr_nonnull(fx_skip(&f, "SC_REL_NONE", "syntax"));
    fx_assert_scores(fx_rule(&f, "SC_BAD"), 1, 1, 1, 1);
    fx_assert_scores(fx_rule(&f, "SC_DEFAULT"), 1, 1, 1, 1);
    fx_assert_scores(fx_rule(&f, "T_SC_TESTING"), 0.01, 0.01, 0.01, 0.01);
    fx_assert_scores(fx_rule(&f, "SC_NICE"), -1, -1, -1, -1);
    r = fx_rule(&f, "SC_ZERO");
    fx_assert_scores(r, 0, 0, 0, 0);
    ck_assert(r->has_score);
    /* a score and a description without a rule: kept, not defined */
    r = scan_ruleset_find(f.rs, "SC_UNDEFINED");
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->kind, SCAN_K_UNDEFINED);
    fx_assert_scores(r, 3, 3, 3, 3);
    ck_assert_str_eq(r->description, "only attributes");
    /* required_hits is required_score; "abc" is refused */
    ck_assert(fabs(sa_conf_required_score(f.c) - 6.5) < 1e-9);
    fx_close(&f);
}
END_TEST

START_TEST(tflags_and_priorities_as_sa)
{
    struct fixture f;
    const struct scan_rule *r;

    fx_open(&f, NULL);
    fx_file(&f, DATA "tflags.cf");
    sa_conf_finish(f.c, f.rs);
    r = fx_rule(&f, "TF_MANY");
    ck_assert_uint_eq(r->tflags, SCAN_TF_NET | SCAN_TF_NICE | SCAN_TF_LEARN | SCAN_TF_USERCONF |
                                     SCAN_TF_NOAUTOLEARN | SCAN_TF_MULTIPLE | SCAN_TF_NOSUBJECT |
                                     SCAN_TF_AUTOLEARN_FORCE | SCAN_TF_NOLOG | SCAN_TF_PUBLISH |
                                     SCAN_TF_NOTRIM | SCAN_TF_DOMAINS_ONLY | SCAN_TF_IPS_ONLY |
                                     SCAN_TF_AUTOLEARN_BODY | SCAN_TF_NOAWL | SCAN_TF_A |
                                     SCAN_TF_AAAA);
    ck_assert_uint_eq(r->maxhits, 5);
    fx_assert_scores(r, -1, -1, -1, -1); /* nice: the default is negative */
    /* a tflags line replaces the earlier one */
    r = fx_rule(&f, "TF_REPLACED");
    ck_assert_uint_eq(r->tflags, SCAN_TF_NICE);
    ck_assert_uint_eq(r->maxhits, 0);
    ck_assert_uint_eq(fx_rule(&f, "TF_WORDS")->tflags, 0);
    /* fix_priorities: TF_META2 (-500) pulls TF_META to -500, which pulls
     * its net dependencies to -100; net rules at 0 get -100 */
    ck_assert_int_eq(fx_rule(&f, "TF_META2")->priority, -500);
    ck_assert_int_eq(fx_rule(&f, "TF_META")->priority, -500);
    ck_assert_int_eq(fx_rule(&f, "TF_NET_DEP")->priority, -100);
    ck_assert_int_eq(fx_rule(&f, "TF_MANY")->priority, -100);
    ck_assert_int_eq(fx_rule(&f, "TF_PRI")->priority, 7);
    /* metas inherit net from what they depend on */
    ck_assert(fx_rule(&f, "TF_META")->tflags & SCAN_TF_NET);
    ck_assert(fx_rule(&f, "TF_META2")->tflags & SCAN_TF_NET);
    fx_close(&f);
}
END_TEST

/* Razor2/Pyzor forking rules and shortcircuit lines change priorities */
START_TEST(plugin_priorities)
{
    struct fixture f;

    fx_open(&f, NULL);
    fx_text(&f,
            "loadplugin Mail::SpamAssassin::Plugin::Razor2\n"
            "loadplugin Mail::SpamAssassin::Plugin::Pyzor\n"
            "loadplugin Mail::SpamAssassin::Plugin::Shortcircuit\n",
            "v320.pre");
    fx_text(&f,
            "full PP_RAZOR eval:check_razor2()\n"
            "full PP_PYZOR eval:check_pyzor()\n"
            "body PP_SC /a/\nshortcircuit PP_SC ham\n"
            "body PP_SC_PRI /a/\npriority PP_SC_PRI 5\nshortcircuit PP_SC_PRI spam\n",
            "a.cf");
    sa_conf_finish(f.c, f.rs);
    ck_assert_int_eq(fx_rule(&f, "PP_RAZOR")->priority, -100);
    ck_assert_int_eq(fx_rule(&f, "PP_PYZOR")->priority, -100);
    ck_assert_int_eq(fx_rule(&f, "PP_SC")->priority, -200);
    ck_assert_uint_eq(fx_rule(&f, "PP_SC")->tflags, SCAN_TF_NICE | SCAN_TF_NOAUTOLEARN);
    ck_assert_int_eq(fx_rule(&f, "PP_SC_PRI")->priority, 5);
    ck_assert_uint_eq(fx_rule(&f, "PP_SC_PRI")->tflags, SCAN_TF_NOAUTOLEARN);
    fx_close(&f);
}
END_TEST

/* ---- rule types ---- */

START_TEST(header_rules_as_sa)
{
    struct fixture f;
    const struct scan_rule *r;

    fx_open(&f, NULL);
    fx_file(&f, DATA "header.cf");
    sa_conf_finish(f.c, f.rs);
    r = fx_rule(&f, "HD_PLAIN");
    ck_assert_int_eq(r->kind, SCAN_K_REGEX);
    ck_assert_int_eq(r->target, SCAN_T_HEADER);
    ck_assert_str_eq(r->header, "Subject");
    ck_assert_str_eq(r->pattern, "hello");
    ck_assert_uint_eq(r->re_flags, SCAN_RE_I);
    ck_assert(!r->negate);
    ck_assert_ptr_null(r->if_unset);
    r = fx_rule(&f, "HD_NEG");
    ck_assert(r->negate);
    ck_assert_str_eq(r->header, "From");
    ck_assert_str_eq(r->if_unset, "nobody@example.com");
    ck_assert_str_eq(r->pattern, "example\\.com");
    ck_assert_str_eq(fx_rule(&f, "HD_ADDR")->header, "From:addr");
    ck_assert_str_eq(fx_rule(&f, "HD_MODS")->header, "Reply-To:addr:raw");
    ck_assert_str_eq(fx_rule(&f, "HD_COLON")->header, "Subject");
    ck_assert_str_eq(fx_rule(&f, "HD_NOSPACE")->header, "Subject");
    r = fx_rule(&f, "HD_EXISTS");
    ck_assert_int_eq(r->kind, SCAN_K_EXISTS);
    ck_assert_str_eq(r->header, "X-Mailer");
    ck_assert_str_eq(fx_rule(&f, "HD_EXISTS2")->header, "List-Id");
    ck_assert_str_eq(fx_rule(&f, "HD_PSEUDO")->header, "ALL");
    ck_assert_uint_eq(fx_rule(&f, "HD_PSEUDO")->re_flags, SCAN_RE_M);
    ck_assert_str_eq(fx_rule(&f, "HD_TOCC")->header, "ToCc");
    ck_assert_str_eq(fx_rule(&f, "HD_RELAYS")->header, "X-Spam-Relays-External");
    ck_assert_str_eq(fx_rule(&f, "HD_MSGID")->header, "MESSAGEID");
    ck_assert_str_eq(fx_rule(&f, "HD_UNSET")->if_unset, "bar");
    /* refused by SA too: the first definition of HD_KEEP stays */
    ck_assert_str_eq(fx_rule(&f, "HD_KEEP")->pattern, "first");
    ck_assert_ptr_nonnull(fx_skip(&f, "HD_KEEP", "regex"));
    ck_assert(!fx_defined(&f, "HD_BADMOD"));
    ck_assert(!fx_defined(&f, "HD_THREEMODS"));
    ck_assert(!fx_defined(&f, "HD_NOOP"));
    ck_assert(!fx_defined(&f, "HD_BADEXISTS"));
    ck_assert(!fx_defined(&f, "HD_BADRE"));
    ck_assert(!fx_defined(&f, "1BAD"));
    /* captures run first; templates are not supported */
    ck_assert_int_eq(fx_rule(&f, "HD_CAPTURE")->priority, -10000);
    ck_assert(!fx_defined(&f, "HD_TEMPLATE"));
    ck_assert_ptr_nonnull(fx_skip(&f, "HD_TEMPLATE", "capture template"));
    /* mimeheader (MIMEHeader plugin) */
    r = fx_rule(&f, "MH_TYPE");
    ck_assert_int_eq(r->target, SCAN_T_MIMEHEADER);
    ck_assert_str_eq(r->header, "Content-Type");
    ck_assert_str_eq(r->pattern, "text\\/html");
    ck_assert_str_eq(r->if_unset, "");
    r = fx_rule(&f, "MH_RAW");
    ck_assert_str_eq(r->header, "Content-Type:raw");
    ck_assert(r->negate);
    ck_assert_str_eq(fx_rule(&f, "MH_UNSET")->if_unset, "none");
    ck_assert(!fx_defined(&f, "MH-BAD"));
    fx_close(&f);
}
END_TEST

static void
assert_arg(const struct scan_rule *r, size_t i, enum scan_arg_kind kind, const char *s, double n)
{
    ck_assert_uint_gt(r->nargs, i);
    ck_assert_int_eq(r->args[i].kind, kind);
    if (s == NULL) {
        ck_assert_ptr_null(r->args[i].s);
        return;
    }
    ck_assert_str_eq(r->args[i].s, s);
    ck_assert_uint_eq(r->args[i].len, strlen(s));
    ck_assert(fabs(r->args[i].n - n) < 1e-9);
}

START_TEST(eval_rules_as_sa)
{
    struct fixture f;
    const struct scan_rule *r;

    fx_open(&f, NULL);
    fx_file(&f, DATA "eval.cf");
    sa_conf_finish(f.c, f.rs);
    r = fx_rule(&f, "EV_RBL");
    ck_assert_int_eq(r->kind, SCAN_K_EVAL);
    ck_assert_int_eq(r->target, SCAN_T_HEADER);
    ck_assert_str_eq(r->eval, "check_rbl");
    ck_assert_uint_eq(r->nargs, 3);
    assert_arg(r, 0, SCAN_ARG_STR, "zen", 0);
    assert_arg(r, 2, SCAN_ARG_STR, "^127\\.0\\.0\\.[23]$", 0); /* SA keeps the text as written */
    r = fx_rule(&f, "EV_RBLEVAL");
    ck_assert_str_eq(r->eval, "check_rbl_sub");
    assert_arg(r, 1, SCAN_ARG_STR, "127.0.0.2", 0);
    ck_assert_uint_eq(fx_rule(&f, "EV_NONE")->nargs, 0);
    r = fx_rule(&f, "EV_BARE");
    ck_assert_int_eq(r->target, SCAN_T_BODY);
    ck_assert_uint_eq(r->nargs, 6);
    assert_arg(r, 0, SCAN_ARG_NUM, "1", 1);
    assert_arg(r, 1, SCAN_ARG_NUM, "2.5", 2.5);
    assert_arg(r, 2, SCAN_ARG_NUM, "-3", -3);
    assert_arg(r, 3, SCAN_ARG_UNDEF, NULL, 0);
    assert_arg(r, 4, SCAN_ARG_STR, "foo.example.com", 0);
    assert_arg(r, 5, SCAN_ARG_STR, "::1", 0);
    r = fx_rule(&f, "EV_QUOTES");
    ck_assert_uint_eq(r->nargs, 3);
    assert_arg(r, 1, SCAN_ARG_STR, "a, 'b'", 0);
    assert_arg(r, 2, SCAN_ARG_STR, "it''s", 0);
    r = fx_rule(&f, "EV_TRAIL");
    ck_assert_uint_eq(r->nargs, 2);
    assert_arg(r, 1, SCAN_ARG_NUM, "1", 1);
    ck_assert_uint_eq(fx_rule(&f, "EV_SPACE")->nargs, 0);
    ck_assert_int_eq(fx_rule(&f, "EV_RAW")->target, SCAN_T_RAWBODY);
    ck_assert_int_eq(fx_rule(&f, "EV_FULL")->target, SCAN_T_FULL);
    /* SA keeps these but never runs them (a syntax error when it finishes) */
    ck_assert(!fx_defined(&f, "EV_BAD_UNDERSCORE"));
    ck_assert_ptr_nonnull(fx_skip(&f, "EV_BAD_UNDERSCORE", "eval syntax"));
    ck_assert(!fx_defined(&f, "EV_REDEF"));
    ck_assert(!fx_defined(&f, "EV_BAD_NOPAREN"));
    ck_assert(!fx_defined(&f, "EV_BAD_ARGS"));
    ck_assert(!fx_defined(&f, "EV_URI")); /* no uri evals: a pattern without delimiters */
    fx_close(&f);
}
END_TEST

START_TEST(meta_rules_as_sa)
{
    struct fixture f;

    fx_open(&f, NULL);
    fx_file(&f, DATA "meta.cf");
    sa_conf_finish(f.c, f.rs);
    ck_assert_str_eq(fx_rule(&f, "MT_AND")->expr, "__MT_A && !__MT_B");
    ck_assert_int_eq(fx_rule(&f, "MT_AND")->kind, SCAN_K_META);
    ck_assert_str_eq(fx_rule(&f, "MT_UNDEF")->expr, "__MT_A || MT_NOT_DEFINED");
    ck_assert_str_eq(fx_rule(&f, "MT_MATCHING")->expr, " (__MT_A+__MT_B)  > 1");
    ck_assert_str_eq(fx_rule(&f, "MT_MATCH_NONE")->expr, " (0) ");
    ck_assert_str_eq(fx_rule(&f, "MT_EMPTY")->expr, "0");
    fx_rule(&f, "MT_LOCAL");
    fx_rule(&f, "MT_DIVNUM");
    fx_rule(&f, "MT_TERNARY");
    /* SA refuses these too */
    ck_assert(!fx_defined(&f, "MT_DIV"));
    ck_assert_ptr_nonnull(strstr(fx_skip(&f, "MT_DIV", "meta")->message, "division by zero"));
    ck_assert(!fx_defined(&f, "MT_STARS"));
    ck_assert(!fx_defined(&f, "MT_BADTOK"));
    ck_assert(!fx_defined(&f, "MT_SYNTAX"));
    /* sift refuses what SA reads as Perl string concatenation */
    ck_assert(!fx_defined(&f, "MT_DOT"));
    /* loops, and what depends on one, are left out */
    ck_assert(!fx_defined(&f, "MT_LOOP1"));
    ck_assert(!fx_defined(&f, "MT_LOOP2"));
    ck_assert(!fx_defined(&f, "MT_ON_LOOP"));
    ck_assert(!fx_defined(&f, "MT_SELF"));
    ck_assert_ptr_nonnull(fx_skip(&f, "MT_SELF", "meta loop"));
    fx_close(&f);
}
END_TEST

START_TEST(replace_tags_as_sa)
{
    struct fixture f;
    struct sa_conf_stats st;

    fx_open(&f, NULL);
    fx_file(&f, DATA "replace.cf");
    /* before finish the patterns still hold their tags */
    ck_assert_str_eq(fx_rule(&f, "RT_SIMPLE")->pattern, "<A><B>c");
    sa_conf_finish(f.c, f.rs);
    ck_assert_str_eq(fx_rule(&f, "RT_SIMPLE")->pattern, "[a4@](?:b|8)c");
    ck_assert_uint_eq(fx_rule(&f, "RT_SIMPLE")->re_flags, SCAN_RE_I);
    ck_assert_str_eq(fx_rule(&f, "RT_INTER")->pattern, "[a4@]\\W?(?:b|8)");
    ck_assert_str_eq(fx_rule(&f, "RT_POST")->pattern, "x[a4@]{1,2}y(?:b|8){1,2}");
    /* SA's own quirk: the '<' of the pre text hides the tag */
    ck_assert_str_eq(fx_rule(&f, "RT_PRE")->pattern, "(?<!x)<A>");
    ck_assert_str_eq(fx_rule(&f, "RT_NESTED")->pattern, "[a4@](?:b|8)!");
    ck_assert_str_eq(fx_rule(&f, "RT_UNKNOWN")->pattern, "<NOPE>[a4@]");
    ck_assert_str_eq(fx_rule(&f, "RT_ZERO")->pattern, "<ZERO>");
    ck_assert_str_eq(fx_rule(&f, "RT_HEADER")->pattern, "[a4@]");
    ck_assert_str_eq(fx_rule(&f, "RT_NOTLISTED")->pattern, "<A>");
    sa_conf_stats(f.c, &st);
    ck_assert_uint_eq(st.replaced, 7); /* RT_PRE changed: its <pre P1> is gone */
    fx_close(&f);
}
END_TEST

/* A pattern too large for PCRE2 once its tags are spelled out compiles
 * with each tag defined once and called (the stock extortion rules). */
START_TEST(replace_tags_too_large)
{
    struct fixture f;
    char *text = malloc(200000), *p = text;
    const struct scan_rule *r;

    p += sprintf(p, "replace_tag BIG (?:");
    for (int i = 0; i < 300; i++)
        p += sprintf(p, "%s[a%dbcdefgh]x{1,3}", i ? "|" : "", i % 10);
    /* look-alikes of q: bytes only, a character reference, a mixed class */
    p += sprintf(p, "|\\xc3[\\xa8\\xa9]|[\\xe1\\xC1](?:[\\xba][\\x8e\\x8f])+|&\\#(?:23[2-5]|x4a);"
                    "|[qQ\\xd1]");
    p += sprintf(p, ")\nreplace_post P3 {1,3}\nbody RT_BIG /<post P3>");
    for (int i = 0; i < 60; i++)
        p += sprintf(p, "<BIG>z");
    p += sprintf(p, "/i\nreplace_rules RT_BIG\n");
    fx_open(&f, NULL);
    fx_text(&f, text, "big.cf");
    sa_conf_finish(f.c, f.rs);
    r = fx_rule(&f, "RT_BIG");
    ck_assert_ptr_nonnull(strstr(r->pattern, "(?(DEFINE)(?<sa_tag_0>"));
    ck_assert_ptr_nonnull(strstr(r->pattern, "(?&sa_tag_0){1,3}z"));
    /* Hyperscan gets it spelled out (the matcher makes it small) */
    ck_assert_ptr_nonnull(r->prefilter);
    ck_assert_ptr_null(strstr(r->prefilter, "sa_tag_"));
    ck_assert_ptr_nonnull(strstr(r->prefilter, "|[qQ\\xd1\\xF1]){1,3}z"));
    ck_assert_ptr_null(fx_skip(&f, NULL, "replace_tags"));
    fx_close(&f);
    free(text);
}
END_TEST

START_TEST(plugin_rule_types_are_skipped)
{
    struct fixture f;
    const struct strv *v;
    const struct scan_skip *s;

    fx_open(&f, NULL);
    fx_text(&f,
            "askdns AD_X _SENDERDOMAIN_ A 127.0.0.2\n"
            "urirhssub URIBL_X multi.uribl.com. A 2\n"
            "body URIBL_X eval:check_uridnsbl('URIBL_X')\n"
            "uri_detail UD_X host =~ /x/\n",
            "plug.cf");
    s = fx_skip(&f, "AD_X", "plugin keyword: askdns");
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_nonnull(fx_skip(&f, "URIBL_X", "plugin keyword: urirhssub"));
    ck_assert_ptr_nonnull(fx_skip(&f, "UD_X", "plugin keyword: uri_detail"));
    /* the settings stay for the plugins' own code */
    ck_assert_uint_eq(sa_conf_values(f.c, "urirhssub", &v), 1);
    ck_assert_str_eq(v[0].p, "URIBL_X multi.uribl.com. A 2");
    ck_assert_int_eq(fx_rule(&f, "URIBL_X")->kind, SCAN_K_EVAL);
    fx_close(&f);
}
END_TEST

START_TEST(unknown_keywords_are_counted)
{
    struct fixture f;
    struct sa_conf_stats st;
    const struct scan_skip *s;

    fx_open(&f, NULL);
    fx_text(&f,
            "no_such_thing 1\nno_such_thing 2\n"
            "ifplugin Mail::SpamAssassin::Plugin::TextCat\nok_languages en\nendif\n"
            "ok_languages de\n", /* TextCat is not loaded: unknown, as in SA */
            "u.cf");
    sa_conf_finish(f.c, f.rs);
    sa_conf_stats(f.c, &st);
    ck_assert_uint_eq(st.unknown, 3);
    s = fx_skip(&f, NULL, "unknown keyword");
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_nonnull(strstr(s->message, "no_such_thing: 2 lines"));
    ck_assert_str_eq(s->origin, "u.cf:1");
    fx_close(&f);
}
END_TEST

/* ---- settings ---- */

START_TEST(settings_in_order_with_clears)
{
    struct fixture f;
    const struct strv *v;
    size_t n;

    fx_open(&f, NULL);
    fx_text(&f,
            "trusted_networks 10.0.0.0/8\nclear_trusted_networks\ntrusted_networks 192.0.2.1\n"
            "whitelist_from a@example.com *@example.org B@Example.net\n"
            "welcomelist_from c@example.com\n"
            "unwhitelist_from *@EXAMPLE.org b@example.net\n"
            "blacklist_from spam@example.com\n"
            "def_whitelist_from_rcvd *@example.com example.com\n"
            "unwhitelist_from_rcvd *@example.com\n"
            "whitelist_from_dkim *@a.example a.example\nwhitelist_from_dkim *@a.example b.example\n"
            "unwhitelist_from_dkim *@a.example b.example\n"
            "enlist_uri_host (MYLIST) a.example b.example\ndelist_uri_host (MYLIST) a.example\n"
            "util_rb_tld com\nutil_rb_2tld co.uk\nclear_util_rb\nutil_rb_tld net\n"
            "uridnsbl_skip_domain a.example B.example c.example\n"
            "clear_uridnsbl_skip_domain b.example\nurl_shortener bit.ly\n"
            "use_bayes 0\n",
            "s.cf");
    n = sa_conf_values(f.c, "trusted_networks", &v);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(v[0].p, "192.0.2.1");
    n = sa_conf_values(f.c, "welcomelist_from", &v);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(v[0].p, "a@example.com");
    ck_assert_str_eq(v[1].p, "c@example.com");
    ck_assert_uint_eq(sa_conf_values(f.c, "whitelist_from", &v), 2);
    ck_assert_uint_eq(sa_conf_values(f.c, "blocklist_from", &v), 1);
    ck_assert_uint_eq(sa_conf_values(f.c, "def_welcomelist_from_rcvd", &v), 0);
    ck_assert_ptr_null(v);
    n = sa_conf_values(f.c, "welcomelist_from_dkim", &v);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(v[0].p, "*@a.example a.example");
    n = sa_conf_values(f.c, "enlist_uri_host", &v);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(v[0].p, "(MYLIST) b.example");
    n = sa_conf_values(f.c, "util_rb_tld", &v);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(v[0].p, "net");
    ck_assert_uint_eq(sa_conf_values(f.c, "util_rb_2tld", &v), 0);
    n = sa_conf_values(f.c, "uridnsbl_skip_domain", &v);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(v[0].p, "a.example c.example");
    /* DecodeShortURLs is not among Debian's plugins: unknown, as in SA */
    ck_assert_uint_eq(sa_conf_values(f.c, "url_shortener", &v), 0);
    ck_assert_str_eq(sa_conf_value(f.c, "use_bayes", "1"), "0");
    ck_assert_str_eq(sa_conf_value(f.c, "no_such", "dflt"), "dflt");
    fx_close(&f);
}
END_TEST

START_TEST(add_header_as_sa)
{
    struct fixture f;
    const struct strv *v;
    size_t n;

    fx_open(&f, NULL);
    fx_text(&f,
            "add_header all Checker-Version SpamAssassin _VERSION_\n"
            "add_header all Level _STARS(*)_\n"
            "clear_headers\n"
            "add_header spam Flag _YESNOCAPS_\n"
            "add_header all Status \"_YESNO_, score=_SCORE_\"\n"
            "add_header all Foo one\n"
            "add_header ham Foo two\n"
            "remove_header spam Foo\n"
            "remove_header all Checker-Version\n"
            "add_header bogus Foo x\n",
            "h.cf");
    n = sa_conf_values(f.c, "add_header", &v);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(v[0].p, "all Checker-Version SpamAssassin _VERSION_");
    ck_assert_str_eq(v[1].p, "spam Flag _YESNOCAPS_");
    ck_assert_str_eq(v[2].p, "all Status \"_YESNO_, score=_SCORE_\"");
    ck_assert_str_eq(v[3].p, "ham Foo two");
    ck_assert_ptr_nonnull(fx_skip(&f, NULL, "syntax"));
    fx_close(&f);
}
END_TEST

START_TEST(score_set_selection)
{
    struct sa_conf_opts o = { 0 };
    struct fixture f;

    fx_open(&f, &o);
    ck_assert_int_eq(sa_conf_score_set(f.c), 1);
    fx_close(&f);
    o.use_bayes = true;
    fx_open(&f, &o);
    ck_assert_int_eq(sa_conf_score_set(f.c), 3);
    fx_text(&f, "use_bayes_rules 0\n", "b.cf");
    ck_assert_int_eq(sa_conf_score_set(f.c), 1);
    fx_text(&f, "use_bayes_rules maybe\nuse_bayes_rules yes\nuse_bayes no\n", "b.cf");
    ck_assert_int_eq(sa_conf_score_set(f.c), 1);
    fx_close(&f);
    o.local_only = true;
    fx_open(&f, &o);
    ck_assert_int_eq(sa_conf_score_set(f.c), 2);
    fx_close(&f);
}
END_TEST

/* ---- user_prefs ---- */

START_TEST(user_prefs_refuse_what_sa_refuses)
{
    struct sa_conf_opts o = { .user_mode = true };
    struct fixture f;
    const struct strv *v;

    fx_open(&f, &o);
    fx_file(&f, DATA "user_prefs");
    ck_assert(!fx_defined(&f, "USER_RULE"));
    ck_assert_ptr_nonnull(fx_skip(&f, NULL, "user_prefs: privileged"));
    ck_assert_ptr_nonnull(fx_skip(&f, NULL, "user_prefs: admin"));
    ck_assert_ptr_nonnull(fx_skip(&f, NULL, "user_prefs: include"));
    ck_assert_uint_eq(sa_conf_values(f.c, "bayes_path", &v), 0);
    ck_assert_uint_eq(sa_conf_values(f.c, "loadplugin", &v), 0);
    /* can() is false in user_prefs: required_score stays 8 */
    ck_assert(fabs(sa_conf_required_score(f.c) - 8) < 1e-9);
    fx_assert_scores(scan_ruleset_find(f.rs, "MT_C"), 3.5, 3.5, 3.5, 3.5);
    ck_assert_uint_eq(sa_conf_values(f.c, "welcomelist_from", &v), 2);
    ck_assert_str_eq(v[0].p, "friend@example.com");
    ck_assert_str_eq(v[1].p, "other@example.net");
    ck_assert_str_eq(sa_conf_value(f.c, "rewrite_header", NULL), "Subject [SPAM]");
    fx_close(&f);

    o.allow_user_rules = true;
    fx_open(&f, &o);
    fx_file(&f, DATA "user_prefs");
    ck_assert(fx_defined(&f, "USER_RULE"));
    ck_assert_ptr_nonnull(fx_skip(&f, NULL, "user_prefs: admin"));
    fx_close(&f);
}
END_TEST

/* ---- observing ---- */

struct seen_line {
    char text[128];
};
struct seen {
    struct seen_line v[32];
    size_t n;
};

static void
seen_line(void *arg, const struct sa_conf_line *l)
{
    static const char *const kinds[] = { "setting",     "rule",     "plugin_rule",
                                         "conditional", "include",  "unknown",
                                         "refused",     "inactive", "other" };
    struct seen *s = arg;

    ck_assert_uint_lt(s->n, 32);
    snprintf(s->v[s->n++].text, sizeof(s->v[0].text), "%zu %s %s=%s [%s]", l->line, kinds[l->kind],
             l->key, l->value, l->plugin != NULL ? l->plugin : "");
}

/* What each line did, as a tool reporting on a configuration sees it. */
START_TEST(observer_sees_each_line)
{
    static const char text[] = "# a comment\n"
                               "required_hits 6\n"
                               "header LOCAL_X Subject =~ /x/\n"
                               "Score LOCAL_X 2\n"
                               "\n"
                               "ifplugin Mail::SpamAssassin::Plugin::DCC\n"
                               "use_dcc 1\n"
                               "endif\n"
                               "use_razor2 1\n"
                               "no_such_directive 1\n"
                               "urirhssub URIBL_X multi.uribl.com. A 2\n"
                               "whitelist_from *@example.com\n";
    static const char *const want[] = {
        "2 setting required_score=6 []",
        "3 rule header=LOCAL_X Subject =~ /x/ []",
        "4 rule score=LOCAL_X 2 []",
        "6 conditional ifplugin=Mail::SpamAssassin::Plugin::DCC []",
        "7 inactive use_dcc=1 [DCC]",
        "8 conditional endif= []",
        "9 unknown use_razor2=1 [Razor2]",
        "10 unknown no_such_directive=1 []",
        "11 plugin_rule urirhssub=URIBL_X multi.uribl.com. A 2 [URIDNSBL]",
        "12 setting welcomelist_from=*@example.com []",
    };
    struct sa_conf_opts o = { 0 };
    struct fixture f;
    struct seen s = { .n = 0 };

    fx_open(&f, &o);
    fx_text(&f, "loadplugin Mail::SpamAssassin::Plugin::URIDNSBL\n", "init.pre");
    sa_conf_observe(f.c, seen_line, &s);
    fx_text(&f, text, "local.cf");
    sa_conf_observe(f.c, NULL, NULL);
    fx_text(&f, "use_bayes 0\n", "after.cf");
    for (size_t i = 0; i < s.n && i < sizeof(want) / sizeof(want[0]); i++)
        ck_assert_str_eq(s.v[i].text, want[i]);
    ck_assert_uint_eq(s.n, sizeof(want) / sizeof(want[0]));
    fx_close(&f);

    /* user_prefs: what spamd refuses there */
    o.user_mode = true;
    fx_open(&f, &o);
    s.n = 0;
    sa_conf_observe(f.c, seen_line, &s);
    fx_text(&f, "bayes_path /tmp/x\nbody USER_R /x/\nscore MT_C 1\n", "user_prefs");
    ck_assert_uint_eq(s.n, 3);
    ck_assert_str_eq(s.v[0].text, "1 refused bayes_path=/tmp/x []");
    ck_assert_str_eq(s.v[1].text, "2 refused body=USER_R /x/ []");
    ck_assert_str_eq(s.v[2].text, "3 rule score=MT_C 1 []");
    fx_close(&f);
}
END_TEST

/* ---- the stock set ---- */

static const char *const kind_names[] = { "undefined", "regex", "exists", "eval", "meta" };
static const char *const target_names[] = { "none", "header", "body",      "rawbody",
                                            "uri",  "full",   "mimeheader" };

START_TEST(stock_set_loads)
{
    const char *rules = "/usr/share/spamassassin", *site = "/etc/spamassassin";
    struct fixture f;
    struct sift_err err;
    struct sa_conf_stats st;
    size_t counts[5][SCAN_NTARGETS] = { { 0 } }, defined = 0, regex_skips = 0;
    struct stat sb;

    if (stat(rules, &sb) != 0 || stat(site, &sb) != 0) {
        printf("stock_set_loads: no SpamAssassin rules installed, skipped\n");
        return;
    }
    fx_open(&f, NULL);
    ck_assert_msg(sa_conf_load_dirs(f.c, f.rs, rules, site, &err) == 0, "%s", err.msg);
    sa_conf_finish(f.c, f.rs);
    sa_conf_stats(f.c, &st);
    for (size_t i = 0; i < scan_ruleset_count(f.rs); i++) {
        const struct scan_rule *r = scan_ruleset_at(f.rs, i);

        counts[r->kind][r->target]++;
        defined += r->kind != SCAN_K_UNDEFINED;
        if (r->kind == SCAN_K_REGEX)
            ck_assert_ptr_nonnull(r->pattern);
        if (r->kind != SCAN_K_UNDEFINED)
            ck_assert(r->has_score);
    }
    printf("stock set: %zu files, %zu lines, %zu rules named, %zu defined, %zu unknown lines, "
           "%zu patterns changed by ReplaceTags\n",
           st.files, st.lines, scan_ruleset_count(f.rs), defined, st.unknown, st.replaced);
    for (int k = 1; k < 5; k++)
        for (int t = 0; t < SCAN_NTARGETS; t++)
            if (counts[k][t] > 0)
                printf("  %s/%s: %zu\n", kind_names[k], target_names[t], counts[k][t]);
    /* skips by category (SIFT_SA_SKIPS=1 lists them) */
    for (size_t i = 0; i < scan_ruleset_nskips(f.rs); i++) {
        const struct scan_skip *s = scan_ruleset_skip_at(f.rs, i);
        size_t same = 0, k;

        regex_skips += strcmp(s->category, "regex") == 0;
        for (k = 0; k < i && strcmp(scan_ruleset_skip_at(f.rs, k)->category, s->category); k++)
            ;
        for (size_t j = i; k == i && j < scan_ruleset_nskips(f.rs); j++)
            same += strcmp(scan_ruleset_skip_at(f.rs, j)->category, s->category) == 0;
        if (same > 0)
            printf("  skipped [%s]: %zu\n", s->category, same);
        if (getenv("SIFT_SA_SKIPS") != NULL)
            printf("    %s: %s\n", s->origin, s->message);
    }
    /* every header/body/rawbody/full/uri/mimeheader regex rule translates */
    ck_assert_uint_eq(regex_skips, 0);
    ck_assert_uint_gt(defined, 2800);
    ck_assert_uint_gt(counts[SCAN_K_META][SCAN_T_NONE], 900);
    ck_assert_uint_eq(st.unknown, 0);
    fx_close(&f);
}
END_TEST

static Suite *
sa_conf_suite(void)
{
    Suite *s = suite_create("sa_conf");
    TCase *tc = tcase_create("sa_conf");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, conditionals_as_sa);
    tcase_add_test(tc, conditionals_enable_compat);
    tcase_add_test(tc, conditionals_local_and_implemented_plugins);
    tcase_add_test(tc, require_version_skips_the_rest_of_the_file);
    tcase_add_test(tc, include_as_sa);
    tcase_add_test(tc, load_dirs_order_and_errors);
    tcase_add_test(tc, lexer_comments_and_keywords);
    tcase_add_loop_test(tc, lang_lines, 0, sizeof(lang_cases) / sizeof(lang_cases[0]));
    tcase_add_test(tc, lang_from_environment);
    tcase_add_test(tc, scores_as_sa);
    tcase_add_test(tc, tflags_and_priorities_as_sa);
    tcase_add_test(tc, plugin_priorities);
    tcase_add_test(tc, header_rules_as_sa);
    tcase_add_test(tc, eval_rules_as_sa);
    tcase_add_test(tc, meta_rules_as_sa);
    tcase_add_test(tc, replace_tags_as_sa);
    tcase_add_test(tc, replace_tags_too_large);
    tcase_add_test(tc, plugin_rule_types_are_skipped);
    tcase_add_test(tc, unknown_keywords_are_counted);
    tcase_add_test(tc, settings_in_order_with_clears);
    tcase_add_test(tc, add_header_as_sa);
    tcase_add_test(tc, score_set_selection);
    tcase_add_test(tc, user_prefs_refuse_what_sa_refuses);
    tcase_add_test(tc, observer_sees_each_line);
    tcase_add_test(tc, stock_set_loads);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(sa_conf_suite());
}
