/*
 * migrate_main.c - sift-migrate: a SpamAssassin installation (site
 * configuration, spamd's options, user_prefs, the Bayes database) turned
 * into a sift configuration that filters the same way, with a report of
 * every directive read and what became of it.
 *
 *   sift-migrate [--sa-dir DIR] [--prefs-dir DIR] [--out CONFDIR] [--dry-run]
 *                [--json] [--force] [--rules native|sa]
 *                [--bayes in-place|copy:PREFIX|none] [--bayes-path PREFIX]
 *                [--defaults FILE] [--spamd-options 'OPTIONS'] [--rules-dir DIR]
 *                [--reject SCORE] [--set KEY=VALUE]... [--confdir DIR] [--no-verify]
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/version.h"
#include "core/xmalloc.h"

#include "migrate/migrate.h"

#ifndef SIFT_CONFDIR
#define SIFT_CONFDIR "/etc/sift"
#endif

extern const char mig_stock_yaml[];

static void
usage(FILE *f)
{
    fprintf(
        f,
        "usage: sift-migrate [OPTIONS]\n"
        "Read a SpamAssassin installation and write a sift configuration that filters the\n"
        "same way, with a report of every directive and what became of it.\n"
        "\n"
        "  --sa-dir DIR          SpamAssassin's site configuration (default: spamd's\n"
        "                        --siteconfigpath, else " MIG_SA_DIR ")\n"
        "  --rules-dir DIR       the stock rules (default: spamd's -C, else sa-update's or\n"
        "                        /usr/share/spamassassin, as siftd's rules.rules_dir auto)\n"
        "  --defaults FILE       spamd's OPTIONS (default " MIG_DEFAULTS_1 " or " MIG_DEFAULTS_2
        ")\n"
        "                        (--defaults '' reads none: spamd's defaults)\n"
        "  --spamd-options STR   spamd's command line (over the defaults file's OPTIONS)\n"
        "  --prefs-dir DIR       per-user preferences in DIR/USER/user_prefs (default: as\n"
        "                        spamd's options say: ~/.spamassassin, --virtual-config-dir)\n"
        "  --out DIR             write a complete configuration directory (sift.yaml, local.d/,\n"
        "                        override.d/, spamassassin/) that siftd -c DIR/sift.yaml runs\n"
        "  --confdir DIR         without --out: the configuration to add local.d/ files to\n"
        "                        (default " SIFT_CONFDIR ")\n"
        "  --rules native|sa     the site's rules and scores as native YAML (default), or the\n"
        "                        SpamAssassin files copied as they are\n"
        "  --bayes MODE          in-place (default: siftd uses SpamAssassin's database),\n"
        "                        copy:PREFIX (copied to PREFIX_toks, PREFIX_seen), none\n"
        "  --bayes-path PREFIX   the database to carry (default: SpamAssassin's bayes_path)\n"
        "  --reject SCORE        actions.reject (default: off, as SpamAssassin never rejects)\n"
        "  --set KEY=VALUE       set any key in the result (repeatable), as siftd -o\n"
        "  --dry-run             print the report and a diff; write nothing\n"
        "  --json                the report as JSON\n"
        "  --force               overwrite files sift-migrate did not write or that were\n"
        "                        edited since\n"
        "  --no-verify           skip the check that the result loads SpamAssassin's rules\n"
        "Exit status: 0 done (or nothing to do), 1 an error (nothing written), 2 bad usage.\n");
}

static const char *
abs_path(struct mig *m, const char *p)
{
    char cwd[PATH_MAX];
    size_t n;

    if (p[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
        return p;
    n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        n--;
    return arena_printf(m->a, "%s/%.*s", cwd, (int)n, p);
}

static int
parse_args(struct mig *m, int argc, char **argv)
{
    enum {
        O_SA = 256,
        O_RULES_DIR,
        O_DEFAULTS,
        O_SPAMD,
        O_PREFS,
        O_OUT,
        O_CONFDIR,
        O_RULES,
        O_BAYES,
        O_BAYES_PATH,
        O_REJECT,
        O_SET,
        O_DRY,
        O_JSON,
        O_FORCE,
        O_NOVERIFY,
        O_HELP,
        O_VERSION
    };
    static const struct option longs[] = {
        { "sa-dir", required_argument, NULL, O_SA },
        { "rules-dir", required_argument, NULL, O_RULES_DIR },
        { "defaults", required_argument, NULL, O_DEFAULTS },
        { "spamd-options", required_argument, NULL, O_SPAMD },
        { "prefs-dir", required_argument, NULL, O_PREFS },
        { "out", required_argument, NULL, O_OUT },
        { "confdir", required_argument, NULL, O_CONFDIR },
        { "rules", required_argument, NULL, O_RULES },
        { "bayes", required_argument, NULL, O_BAYES },
        { "bayes-path", required_argument, NULL, O_BAYES_PATH },
        { "reject", required_argument, NULL, O_REJECT },
        { "set", required_argument, NULL, O_SET },
        { "dry-run", no_argument, NULL, O_DRY },
        { "json", no_argument, NULL, O_JSON },
        { "force", no_argument, NULL, O_FORCE },
        { "no-verify", no_argument, NULL, O_NOVERIFY },
        { "help", no_argument, NULL, O_HELP },
        { "version", no_argument, NULL, O_VERSION },
        { NULL, 0, NULL, 0 },
    };
    struct mig_opts *o = &m->o;
    int c;

    o->confdir = SIFT_CONFDIR;
    while ((c = getopt_long(argc, argv, "hV", longs, NULL)) != -1) {
        switch (c) {
        case O_SA:
            o->sa_dir = abs_path(m, optarg);
            break;
        case O_RULES_DIR:
            o->rules_dir = abs_path(m, optarg);
            break;
        case O_DEFAULTS:
            o->defaults = optarg;
            break;
        case O_SPAMD:
            o->spamd_options = optarg;
            break;
        case O_PREFS:
            o->prefs_dir = abs_path(m, optarg);
            break;
        case O_OUT:
            o->out = abs_path(m, optarg);
            break;
        case O_CONFDIR:
            o->confdir = abs_path(m, optarg);
            break;
        case O_RULES:
            if (strcmp(optarg, "native") == 0)
                o->rules = MIG_RULES_NATIVE;
            else if (strcmp(optarg, "sa") == 0)
                o->rules = MIG_RULES_SA;
            else
                return -1;
            break;
        case O_BAYES:
            if (strcmp(optarg, "in-place") == 0) {
                o->bayes = MIG_BAYES_IN_PLACE;
            } else if (strcmp(optarg, "none") == 0) {
                o->bayes = MIG_BAYES_NONE;
            } else if (strncmp(optarg, "copy:", 5) == 0 && optarg[5] != '\0') {
                o->bayes = MIG_BAYES_COPY;
                o->bayes_dest = abs_path(m, optarg + 5);
            } else {
                fprintf(stderr, "sift-migrate: --bayes in-place, copy:PREFIX or none (Redis: "
                                "not available yet)\n");
                return -1;
            }
            break;
        case O_BAYES_PATH:
            o->bayes_path = abs_path(m, optarg);
            break;
        case O_REJECT:
            o->reject = optarg;
            break;
        case O_SET:
            if (strchr(optarg, '=') == NULL || optarg[0] == '=')
                return -1;
            o->sets = xreallocarray(o->sets, o->nsets + 1, sizeof(*o->sets));
            o->sets[o->nsets++] = optarg;
            break;
        case O_DRY:
            o->dry_run = true;
            break;
        case O_JSON:
            o->json = true;
            break;
        case O_FORCE:
            o->force = true;
            break;
        case O_NOVERIFY:
            o->no_verify = true;
            break;
        case O_VERSION:
        case 'V':
            printf("sift-migrate %s\n", SIFT_VERSION);
            exit(0);
        case O_HELP:
        case 'h':
            usage(stdout);
            exit(0);
        default:
            return -1;
        }
    }
    return optind == argc ? 0 : -1;
}

/* actions: add header at SpamAssassin's required_score, no reject. */
static int
run_actions(struct mig *m, struct sift_err *err)
{
    const char *reject = m->o.reject != NULL ? m->o.reject : "~";

    if (mig_set(m, "actions.add_header", "~", err) == -1 ||
        mig_set(m, "actions.reject", reject, err) == -1)
        return -1;
    mig_item(m, "actions", arena_printf(m->a, "required_score %g", sa_conf_required_score(m->full)),
             MIG_NATIVE, "actions.add_header: ~",
             "spam from SpamAssassin's required_score, and each user's");
    mig_item(m, "actions", "reject", MIG_NATIVE, arena_printf(m->a, "actions.reject: %s", reject),
             "%s",
             m->o.reject != NULL ? "--reject" : "SpamAssassin never rejects (--reject SCORE)");
    return 0;
}

/* --set: once before the rest (so that what follows sees them), once at
 * the end (so that they win), reported then. */
static int
run_sets(struct mig *m, bool report, struct sift_err *err)
{
    for (size_t i = 0; i < m->o.nsets; i++) {
        const char *kv = m->o.sets[i], *eq = strchr(kv, '=');
        const char *key = arena_strndup(m->a, kv, (size_t)(eq - kv));

        if (mig_set(m, key, eq + 1, err) == -1) {
            sift_err_prefix(err, "--set %s", kv);
            return -1;
        }
        if (report)
            mig_item(m, "--set", kv, MIG_NATIVE, key, NULL);
    }
    return 0;
}

static int
run_main_file(struct mig *m)
{
    struct mig_file *f;

    if (m->o.out == NULL)
        return 0;
    f = mig_file_add(m, "sift.yaml", 0644);
    buf_printf(&f->text,
               "%s: sift's stock configuration (sift %s). The migrated settings\n"
               "# are in local.d/ and override.d/; SpamAssassin's settings that have no native\n"
               "# key are in " MIG_SITE_SUBDIR "/ (rules.site_dir).\n",
               MIG_MARK, SIFT_VERSION);
    buf_puts(&f->text, m->stock_text);
    return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int
run(struct mig *m, struct sift_err *err)
{
    char tmpl[PATH_MAX];
    const char *tmp = getenv("TMPDIR");

    m->target = m->o.out != NULL ? m->o.out : m->o.confdir;
    m->site_out = arena_printf(m->a, "%s/%s", m->target, MIG_SITE_SUBDIR);
    snprintf(tmpl, sizeof(tmpl), "%s/sift-migrate.XXXXXX", tmp != NULL && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(tmpl) == NULL) {
        sift_err_set(err, "%s: %s", tmpl, strerror(errno));
        return -1;
    }
    m->stage = arena_strdup(m->a, tmpl);
    if (mig_spamd(m, err) == -1 || run_sets(m, false, err) == -1 || mig_stock_load(m, err) == -1 ||
        mig_sa_load(m, err) == -1 || run_actions(m, err) == -1 || mig_sa_files(m, err) == -1 ||
        mig_rules(m, err) == -1 || mig_prefs(m, err) == -1 || mig_bayes(m, err) == -1 ||
        run_sets(m, true, err) == -1 || mig_tree_files(m, err) == -1 || run_main_file(m) == -1 ||
        mig_configtest(m, err) == -1 || mig_compare(m, err) == -1)
        return -1;
    return 0;
}

int
main(int argc, char **argv)
{
    struct mig m = { 0 };
    struct sift_err err = { { 0 } };
    struct buf out;
    int rc;

    log_set_process("sift-migrate");
    log_set_level(LOG_LVL_WARNING);
    m.a = arena_new(256 * 1024);
    if (parse_args(&m, argc, argv) == -1) {
        usage(stderr);
        return 2;
    }
    rc = run(&m, &err);
    buf_init(&out);
    if (rc == -1)
        mig_error(&m, "%s", err.msg);
    if (rc == 0 && m.nerrors == 0 && !m.o.dry_run && mig_install(&m, &err) == -1) {
        mig_error(&m, "writing: %s", err.msg);
        rc = -1;
    }
    if (m.o.json)
        mig_report_json(&m, &out);
    else
        mig_report_text(&m, &out);
    if (m.o.dry_run && rc == 0 && !m.o.json) {
        buf_puts(&out, "\nDiff (what would be written):\n");
        mig_diff(&m, &out);
    }
    fwrite(out.p, 1, out.len, stdout);
    buf_clear(&out);
    if (m.stage != NULL)
        nftw(m.stage, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    for (size_t i = 0; i < m.nfiles; i++)
        buf_clear(&m.files[i].text);
    free(m.files);
    free(m.items);
    free(m.errors);
    free(m.lines);
    free(m.o.sets);
    scan_ruleset_free(&m.full_rs);
    sa_conf_free(&m.full);
    arena_free(&m.a);
    return rc == -1 || m.nerrors > 0 ? 1 : 0;
}
