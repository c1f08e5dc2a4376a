/*
 * sa_eval_conf_fixture.h - what the tests of the eval functions that read
 * SpamAssassin's settings share (FreeMail, WLBLEval, WelcomeListSubject,
 * VBounce): one call on one crafted message of tests/data/eval/wlbl/ under
 * one configuration file of that directory, the whole configuration SA
 * read, and the answer SpamAssassin 4.0.1 gave for it (printed by
 * scripts/sa-eval-wlbl.pl from the *.tsv files there). Include after
 * unit.h, mime_fixture.h and sa_eval_fixture.h.
 */
#ifndef SIFT_TESTS_SA_EVAL_CONF_FIXTURE_H
#define SIFT_TESTS_SA_EVAL_CONF_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

/* tests/data/eval/wlbl/, relative to sa_eval_fixture.h's EVAL_DATA */
#define CONF_CASE_DIR "../wlbl/"

struct conf_case {
    const char *conf;    /* a .cf file, or NULL: no configuration at all */
    const char *file;    /* the message */
    const char *target;  /* body, rawbody or header */
    const char *fn;      /* the eval function */
    const char *args[4]; /* NULL-terminated */
    int want;            /* SpamAssassin's answer: 1 a hit */
};

/* ck_assert that c gives SpamAssassin's answer. */
static inline void
conf_case_check(const struct scan_eval_def *defs, size_t ndefs, const struct conf_case *c)
{
    char file[256], conf[256];
    struct eval_case e = { file, c->target, c->fn, { NULL }, c->want };
    struct scan_ruleset *rs = NULL;
    struct sa_conf *sc = NULL;

    snprintf(file, sizeof(file), CONF_CASE_DIR "%s", c->file);
    for (size_t i = 0; i < 4 && c->args[i] != NULL; i++)
        e.args[i] = c->args[i];
    if (c->conf != NULL) {
        size_t len;
        char *text;

        snprintf(conf, sizeof(conf), CONF_CASE_DIR "%s", c->conf);
        text = eval_slurp(conf, &len);
        text[len] = '\0';
        sc = eval_conf(text, &rs);
        free(text);
    }
    eval_check(defs, ndefs, &e, sc);
    if (sc != NULL)
        eval_conf_free(&sc, &rs);
}

#endif
