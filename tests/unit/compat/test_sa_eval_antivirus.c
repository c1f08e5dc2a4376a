/*
 * test_sa_eval_antivirus.c - SpamAssassin's AntiVirus checks natively:
 * executables by file name, by a base64 or uuencoded MZ header, and file
 * names whose extension does not fit the declared type. Each case is one
 * call on a crafted message of tests/data/eval/body/ with the answer
 * SpamAssassin 4.0.1 gave (scripts/sa-eval-body.pl --cases).
 */
#include "compat/sa_eval_antivirus.h"

#include <string.h>

#include "../unit.h"

#include "../mime_fixture.h"
#include "sa_eval_fixture.h"

static const struct eval_case antivirus_cases[] = {
    { "av-b64-mz.eml", "body", "check_microsoft_executable", { NULL }, 1 },
    { "av-b64-mz.eml", "body", "check_suspect_name", { NULL }, 0 },
    { "av-bat.eml", "body", "check_microsoft_executable", { NULL }, 1 },
    { "av-bat.eml", "body", "check_suspect_name", { NULL }, 1 },
    { "av-doc-text.eml", "body", "check_microsoft_executable", { NULL }, 0 },
    { "av-doc-text.eml", "body", "check_suspect_name", { NULL }, 1 },
    { "av-doc-word.eml", "body", "check_microsoft_executable", { NULL }, 0 },
    { "av-doc-word.eml", "body", "check_suspect_name", { NULL }, 0 },
    { "av-htm.eml", "body", "check_microsoft_executable", { NULL }, 0 },
    { "av-htm.eml", "body", "check_suspect_name", { NULL }, 0 },
    { "av-jpg-text.eml", "body", "check_microsoft_executable", { NULL }, 0 },
    { "av-jpg-text.eml", "body", "check_suspect_name", { NULL }, 1 },
    { "av-ppt.eml", "body", "check_microsoft_executable", { NULL }, 0 },
    { "av-ppt.eml", "body", "check_suspect_name", { NULL }, 1 },
    { "av-scrq.eml", "body", "check_microsoft_executable", { NULL }, 1 },
    { "av-scrq.eml", "body", "check_suspect_name", { NULL }, 0 },
    { "av-uu-mz.eml", "body", "check_microsoft_executable", { NULL }, 1 },
    { "av-uu-mz.eml", "body", "check_suspect_name", { NULL }, 0 },
    { "av-vcf-dir.eml", "body", "check_microsoft_executable", { NULL }, 0 },
    { "av-vcf-dir.eml", "body", "check_suspect_name", { NULL }, 1 },
    { "av-vcf-x.eml", "body", "check_microsoft_executable", { NULL }, 0 },
    { "av-vcf-x.eml", "body", "check_suspect_name", { NULL }, 0 },
    { "av-xhtml-app.eml", "body", "check_microsoft_executable", { NULL }, 0 },
    { "av-xhtml-app.eml", "body", "check_suspect_name", { NULL }, 1 },
    { "av-xls-ppt.eml", "body", "check_microsoft_executable", { NULL }, 0 },
    { "av-xls-ppt.eml", "body", "check_suspect_name", { NULL }, 0 },
    { "body-blank.eml", "rawbody", "check_microsoft_executable", { NULL }, 0 },
    { "image-set.eml", "body", "check_microsoft_executable", { NULL }, 0 },
    { "image-set.eml", "body", "check_suspect_name", { NULL }, 0 },
    { "mime-alt-diff.eml", "body", "check_microsoft_executable", { NULL }, 0 },
    { "mime-alt-diff.eml", "body", "check_suspect_name", { NULL }, 0 },
    { "mime-exe-name.eml", "body", "check_microsoft_executable", { NULL }, 1 },
    { "mime-exe-name.eml", "body", "check_suspect_name", { NULL }, 0 },
    { "mime-mixed.eml", "body", "check_suspect_name", { NULL }, 0 },
    { "mime-suspect.eml", "body", "check_microsoft_executable", { NULL }, 1 },
    { "mime-suspect.eml", "body", "check_suspect_name", { NULL }, 1 },
};

START_TEST(antivirus_gives_spamassassins_answers)
{
    eval_check(sa_eval_antivirus_defs, sa_eval_antivirus_ndefs, &antivirus_cases[_i], NULL);
}
END_TEST

START_TEST(antivirus_table_is_sane)
{
    eval_defs_sane(sa_eval_antivirus_defs, sa_eval_antivirus_ndefs);
}
END_TEST

static Suite *
sa_eval_antivirus_suite(void)
{
    Suite *s = suite_create("sa_eval_antivirus");
    TCase *tc = tcase_create("sa_eval_antivirus");

    tcase_add_unchecked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_loop_test(tc, antivirus_gives_spamassassins_answers, 0, NCASES(antivirus_cases));
    tcase_add_test(tc, antivirus_table_is_sane);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(sa_eval_antivirus_suite());
}
