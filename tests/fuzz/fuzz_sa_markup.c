/*
 * fuzz_sa_markup.c - libFuzzer target for SpamAssassin's rendering of a
 * scan (compat/sa_markup*.c): any bytes as a message are scanned with a
 * small rule set that hits on common text, then rendered as spamd renders
 * them (the report, rewrite_mail with report_safe 0, 1 and 2, the header
 * folding and RFC 2047 encoding of the X-Spam headers, rewrite_header and
 * the subject prefix). Nothing may crash or leak; a report ends in an empty
 * line; a ham keeps its body byte for byte after the headers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/sa_markup.h"
#include "compat/sa_rules.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/cfg_keys.h"
#include "mime/mime_ctx.h"
#include "scan/task.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Rules that hit often, with descriptions long enough to wrap, and every
 * markup directive sift renders. */
static const char fuzz_rules[] =
    "required_score 2\n"
    "body FZ_WORD /\\b[a-z]{4,}\\b/i\n"
    "describe FZ_WORD A word of four letters or more, described at length so that the "
    "report wraps it\n"
    "score FZ_WORD 1.5\n"
    "header FZ_SUBJ Subject =~ /./\n"
    "describe FZ_SUBJ Has a subject\n"
    "score FZ_SUBJ 0.7\n"
    "rawbody FZ_HIGH /[\\x80-\\xff]/\n"
    "describe FZ_HIGH High bytes \xc3\xa9t\xc3\xa9\n"
    "score FZ_HIGH 12\n"
    "full FZ_FULL /\\n\\n/\n"
    "score FZ_FULL -0.5\n"
    "uri FZ_URI /./\n"
    "score FZ_URI 0.1\n"
    "meta FZ_META FZ_WORD && FZ_SUBJ\n"
    "score FZ_META 0.2\n"
    "clear_report_template\n"
    "report Spam on \"_HOSTNAME_\": has_YESNO(, NOT)_ identified. _CONTACTADDRESS_\n"
    "report Content preview:  _PREVIEW_\n"
    "report (_SCORE_ points, _REQD_ required) _SCORE(00)_ _STARS(+)_ _TESTSSCORES(;)_\n"
    "report _HEADER(From:addr)_ _LASTEXTERNALIP_ _FIRSTTRUSTEDREVIP_ _SUBTESTS_ _UNKNOWN_\n"
    "report _SUMMARY_\n"
    "unsafe_report Not plain text: _DATE_\n"
    "clear_headers\n"
    "add_header all Status \"_YESNO_, score=_SCORE_ required=_REQD_ tests=_TESTS_ "
    "autolearn=_AUTOLEARN_ version=_VERSION_\"\n"
    "add_header spam Flag _YESNOCAPS_\n"
    "add_header all Level _STARS(*)_\n"
    "add_header all Subj _HEADER(Subject)_\n"
    "add_header spam Report _REPORT_\n"
    "rewrite_header Subject *****SPAM***** _SCORE_\n"
    "rewrite_header From spam (_SCORE_)\n"
    "rewrite_header To spam\n"
    "subjprefix FZ_WORD [word]\n"
    "report_safe_copy_headers Received X-Mailer\n";

static struct sa_rules *fuzz_rules_rs[3]; /* report_safe 0, 1, 2 */
static struct mime_ctx fuzz_ctx;
static struct mime_ctx_storage fuzz_st;

static void
fuzz_init(void)
{
    static struct arena *a;
    struct cfg_ctx cctx = { 0 };
    struct mime_cfg mc;
    struct sift_err err;

    a = arena_new(4096);
    cctx.arena = a;
    cctx.dbdir = "/tmp";
    cctx.confdir = "/tmp";
    for (int k = 0; k < 3; k++) {
        char dir[64], path[96];
        struct sa_rules_cfg rc = { 0 };
        FILE *f;

        snprintf(dir, sizeof(dir), "/tmp/sift-fuzz-mk-XXXXXX");
        if (mkdtemp(dir) == NULL)
            abort();
        snprintf(path, sizeof(path), "%s/10_fuzz.cf", dir);
        if ((f = fopen(path, "w")) == NULL)
            abort();
        fprintf(f, "%sreport_safe %d\n", fuzz_rules, k);
        fclose(f);
        rc.rules_dir = arena_strdup(a, dir);
        rc.site_dir = "";
        rc.local_only = true;
        rc.hyperscan = false;
        if (sa_rules_load(&rc, NULL, NULL, &fuzz_rules_rs[k], &err) == -1) {
            fprintf(stderr, "fuzz_sa_markup: %s\n", err.msg);
            abort();
        }
    }
    if (cfg_fill(&cctx, "mime", NULL, mime_cfg_keys, mime_cfg_nkeys, &mc, &err) == -1)
        abort();
    mc.public_suffix_list = "data/public_suffix_list.dat";
    sa_rules_mime_cfg(fuzz_rules_rs[0], &mc);
    if (mime_ctx_init(&fuzz_ctx, &fuzz_st, &mc, &err) == -1) {
        fprintf(stderr, "fuzz_sa_markup: %s\n", err.msg);
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    struct sa_markup_env env = { "client.example", "192.0.2.1" };

    if (!ready) {
        fuzz_init();
        ready = true;
    }
    for (int k = 0; k < 3; k++) {
        struct task *t = task_new(&fuzz_ctx, (const char *)data, size, false);
        const struct scan_result *res = sa_rules_scan(fuzz_rules_rs[k], t);
        const struct sa_markup *mk = fuzz_rules_rs[k]->markup;
        struct buf rep, mail, syms;
        char s[32];

        buf_init(&rep);
        buf_init(&mail);
        buf_init(&syms);
        sa_markup_report(mk, t, res, &env, &rep);
        if (rep.len < 2 || memcmp(rep.p + rep.len - 2, "\n\n", 2) != 0)
            abort();
        sa_markup_rewrite(mk, t, res, k == 1 ? &env : NULL, &mail);
        if (mail.len == 0)
            abort();
        if (!res->is_spam || k == 0) {
            /* the body is kept byte for byte after the header block */
            struct mime_msg *m = task_message(t);

            if (mail.len < m->pristine_body.len ||
                memcmp(mail.p + mail.len - m->pristine_body.len, m->pristine_body.p,
                       m->pristine_body.len) != 0)
                abort();
        }
        sa_markup_symbols(res, &syms);
        sa_markup_score(res, s, sizeof(s));
        buf_clear(&rep);
        buf_clear(&mail);
        buf_clear(&syms);
        task_free(&t);
    }
    return 0;
}
