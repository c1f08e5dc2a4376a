/*
 * migrate_sa.c - the SpamAssassin site directory: read as spamd reads it
 * (the site's *.pre, the stock rules, the site's *.cf, with includes and
 * conditionals) by the translator siftd uses, each line of the site's
 * files observed (compat/sa_conf.h), and each given its fate:
 *
 *  - native rules mode: rule definitions and attributes go to
 *    local.d/symbols.yaml (migrate_rules.c writes them, from the
 *    translation), the settings with a native key (trusted_networks and
 *    the other networks, envelope_sender_header, the scan sizes,
 *    allow_user_rules, bayes_path) to their sections, and every other
 *    line (settings with no native key, plugins, conditionals, rules sift
 *    cannot translate, lines of false conditionals) stays in SpamAssassin's
 *    syntax in the generated site directory, which siftd reads;
 *  - sa rules mode: the site's files are copied as they are.
 * Files included from outside the site directory are read in place.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compat/sa_evals.h"
#include "compat/sa_rules.h"
#include "core/xmalloc.h"
#include "scan/scan_eval.h"
#include "scan/scan_yaml.h"

#include "migrate/migrate.h"

static void
sa_observe(void *arg, const struct sa_conf_line *l)
{
    struct mig *m = arg;
    size_t rl = strlen(m->rules_dir);
    struct mig_sa_line *o;

    if (strncmp(l->file, m->rules_dir, rl) == 0 && l->file[rl] == '/')
        return; /* the stock rules */
    if (m->nlines == m->caplines) {
        m->caplines = m->caplines ? m->caplines * 2 : 256;
        m->lines = xreallocarray(m->lines, m->caplines, sizeof(*m->lines));
    }
    o = &m->lines[m->nlines++];
    o->file = arena_strdup(m->a, l->file);
    o->line = l->line;
    o->key = arena_strdup(m->a, l->key);
    o->value = arena_strdup(m->a, l->value);
    o->kind = l->kind;
    o->plugin = l->plugin != NULL ? arena_strdup(m->a, l->plugin) : NULL;
}

static bool
sa_isdir(const char *p)
{
    struct stat st;

    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* sa-update's directory: which channels it holds besides the official one. */
static void
sa_update_channels(struct mig *m)
{
    DIR *d = opendir(MIG_SA_UPDATE);
    struct dirent *de;

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);

        if (n < 4 || strcmp(de->d_name + n - 3, ".cf") != 0 ||
            strcmp(de->d_name, "updates_spamassassin_org.cf") == 0)
            continue;
        mig_item(m, MIG_SA_UPDATE, de->d_name, MIG_WARN, NULL,
                 "a third-party sa-update channel: siftd reads the official channel only; "
                 "copy its rule files into %s/ to keep them",
                 m->site_out);
    }
    closedir(d);
}

int
mig_sa_load(struct mig *m, struct sift_err *err)
{
    struct sa_conf_opts co = { .local_only = m->local_only, .use_bayes = true };

    m->sa_dir = m->o.sa_dir != NULL ? m->o.sa_dir : MIG_SA_DIR;
    if (!sa_isdir(m->sa_dir)) {
        sift_err_set(err, "%s: not a directory (--sa-dir names SpamAssassin's)", m->sa_dir);
        return -1;
    }
    if (m->o.rules_dir != NULL)
        m->rules_dir = m->o.rules_dir;
    else if (sa_isdir(SA_RULES_UPDATE_DIR))
        m->rules_dir = SA_RULES_UPDATE_DIR;
    else
        m->rules_dir = SA_RULES_SHIPPED_DIR;
    mig_item(m, "stock rules", m->rules_dir, MIG_NOTE, NULL, "%s",
             m->o.rules_dir != NULL ? "rules.rules_dir names it"
             : strcmp(m->rules_dir, SA_RULES_UPDATE_DIR) == 0
                 ? "sa-update's rules: rules.rules_dir auto reads them, and keeps reading "
                   "what sa-update fetches"
                 : "the packaged rules (no sa-update directory): rules.rules_dir auto");
    sa_update_channels(m);
    sa_evals_register();
    m->full = sa_conf_new(&co);
    m->full_rs = scan_ruleset_new();
    sa_conf_observe(m->full, sa_observe, m);
    if (sa_conf_load_dirs(m->full, m->full_rs, m->rules_dir, m->sa_dir, err) == -1)
        return -1;
    sa_conf_observe(m->full, NULL, NULL);
    sa_conf_finish(m->full, m->full_rs);
    return 0;
}

/* ---- fates ---- */

/* The settings with a native key, and where they go. */
static const struct {
    const char *key;
    const char *target; /* NULL: handled by another part */
} sa_native_settings[] = {
    { "trusted_networks", "mime.trusted_networks" },
    { "clear_trusted_networks", "mime.trusted_networks" },
    { "internal_networks", "mime.internal_networks" },
    { "clear_internal_networks", "mime.internal_networks" },
    { "msa_networks", "mime.msa_networks" },
    { "clear_msa_networks", "mime.msa_networks" },
    { "envelope_sender_header", "mime.envelope_sender_header" },
    { "body_part_scan_size", "mime.body_part_scan_size" },
    { "rawbody_part_scan_size", "mime.rawbody_part_scan_size" },
    { "allow_user_rules", "rules.allow_user_rules" },
    { "bayes_path", "classifier.bayes.path" },
};

/* What is said of settings kept in SpamAssassin's syntax (key, or prefix
 * when it ends in '_'). */
static const struct {
    const char *key;
    enum mig_fate fate;
    const char *why;
} sa_setting_notes[] = {
    { "required_score", MIG_KEPT,
      "actions.add_header stays ~ and follows it (so does each user's required_score)" },
    { "welcomelist_", MIG_KEPT, "the welcome and block lists are read by sift's WLBLEval" },
    { "blocklist_", MIG_KEPT, "the welcome and block lists are read by sift's WLBLEval" },
    { "def_welcomelist_", MIG_KEPT, "the welcome and block lists are read by sift's WLBLEval" },
    { "unwelcomelist_", MIG_KEPT, "the welcome and block lists are read by sift's WLBLEval" },
    { "unblocklist_", MIG_KEPT, "the welcome and block lists are read by sift's WLBLEval" },
    { "enlist_uri_host", MIG_KEPT, "the welcome and block lists are read by sift's WLBLEval" },
    { "report_safe", MIG_KEPT, "spamd's PROCESS and the milter render spam as SpamAssassin does" },
    { "rewrite_header", MIG_KEPT,
      "spamd's PROCESS and the milter rewrite headers as SpamAssassin" },
    { "add_header", MIG_KEPT, "the X-Spam-* headers are rendered from it" },
    { "remove_header", MIG_KEPT, "the X-Spam-* headers are rendered from it" },
    { "clear_headers", MIG_KEPT, "the X-Spam-* headers are rendered from it" },
    { "report", MIG_KEPT, "the report template" },
    { "clear_report_template", MIG_KEPT, "the report template" },
    { "unsafe_report", MIG_KEPT, "the report template" },
    { "loadplugin", MIG_KEPT, "plugins decide ifplugin blocks and which rules exist" },
    { "tryplugin", MIG_KEPT, "plugins decide ifplugin blocks and which rules exist" },
    { "use_auto_whitelist", MIG_DROPPED, "sift has no AWL (kept in the file, without effect)" },
    { "auto_whitelist_", MIG_DROPPED, "sift has no AWL (kept in the file, without effect)" },
    { "use_txrep", MIG_DROPPED, "sift has no TxRep (kept in the file, without effect)" },
    { "txrep_", MIG_DROPPED, "sift has no TxRep (kept in the file, without effect)" },
    { "use_razor2", MIG_DROPPED, "sift has no Razor2 (kept in the file, without effect)" },
    { "razor_", MIG_DROPPED, "sift has no Razor2 (kept in the file, without effect)" },
    { "use_pyzor", MIG_DROPPED, "sift has no Pyzor (kept in the file, without effect)" },
    { "pyzor_", MIG_DROPPED, "sift has no Pyzor (kept in the file, without effect)" },
    { "use_dcc", MIG_DROPPED, "sift has no DCC (kept in the file, without effect)" },
    { "dcc_", MIG_DROPPED, "sift has no DCC (kept in the file, without effect)" },
    { "bayes_store_module", MIG_WARN,
      "sift's Bayes store is SpamAssassin's DBM files (Berkeley DB): an SQL or Redis "
      "store is not read; move the data with sa-learn --backup and siftadm bayes restore" },
    { "bayes_sql_", MIG_DROPPED, "sift does not read an SQL Bayes store" },
    { "user_scores_", MIG_DROPPED, "sift reads user_prefs files, not SQL or LDAP preferences" },
};

static const char *
sa_native_target(const char *key)
{
    for (size_t i = 0; i < sizeof(sa_native_settings) / sizeof(sa_native_settings[0]); i++)
        if (strcmp(key, sa_native_settings[i].key) == 0)
            return sa_native_settings[i].target;
    return NULL;
}

static bool
sa_key_matches(const char *pat, const char *key)
{
    size_t n = strlen(pat);

    return pat[n - 1] == '_' ? strncmp(key, pat, n) == 0 : strcmp(key, pat) == 0;
}

/* The first word of a rule line's value: the rule (or tag) it names. */
static const char *
sa_rule_name(struct mig *m, const char *value)
{
    return arena_strndup(m->a, value, strcspn(value, " \t"));
}

bool
mig_rule_native(struct mig *m, const char *name)
{
    const struct scan_rule *r = scan_ruleset_find(m->full_rs, name);
    struct buf b;
    bool ok;

    if (r == NULL || r->kind == SCAN_K_UNDEFINED)
        return false;
    buf_init(&b);
    ok = scan_yaml_write_rule(r, SCAN_YAML_W_DEFINITION, 0, &b) == 0;
    buf_clear(&b);
    return ok;
}

/* The translator's reason for leaving out what this line defines, if any. */
static const char *
sa_skip_at(struct mig *m, const char *file, size_t line)
{
    const char *origin = arena_printf(m->a, "%s:%zu", file, line);

    for (size_t i = 0; i < scan_ruleset_nskips(m->full_rs); i++) {
        const struct scan_skip *s = scan_ruleset_skip_at(m->full_rs, i);

        if (s->origin != NULL && strcmp(s->origin, origin) == 0)
            return arena_printf(m->a, "%s: %s", s->category, s->message);
    }
    return NULL;
}

static bool
sa_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    return strncmp(path, dir, n) == 0 && path[n] == '/';
}

/* A rule line's fate (native mode). keep: it stays in the site file. */
static enum mig_fate
sa_rule_fate(struct mig *m, const struct mig_sa_line *l, const char **target, const char **why,
             bool *keep)
{
    const char *name = sa_rule_name(m, l->value);
    const char *skip = sa_skip_at(m, l->file, l->line);
    const struct scan_rule *r;

    if (strncmp(l->key, "replace_", 8) == 0) {
        *keep = false;
        *target = "local.d/symbols.yaml";
        *why = "ReplaceTags: applied to the patterns of the rules written there";
        return MIG_NATIVE;
    }
    if (mig_rule_native(m, name)) {
        r = scan_ruleset_find(m->full_rs, name);
        *keep = false;
        *target = arena_printf(m->a, "local.d/symbols.yaml: %s", name);
        if (r->kind == SCAN_K_EVAL && scan_eval_find(r->eval) == NULL)
            *why = arena_printf(m->a,
                                "sift has no eval function %s(): the rule is written but does "
                                "not run",
                                r->eval);
        else if (skip != NULL)
            *why = skip;
        return r->kind == SCAN_K_EVAL && scan_eval_find(r->eval) == NULL ? MIG_WARN : MIG_NATIVE;
    }
    *keep = true;
    *target = NULL;
    r = scan_ruleset_find(m->full_rs, name);
    if (skip != NULL)
        *why = arena_printf(m->a, "not translated (%s); kept as written", skip);
    else if (r == NULL || r->kind == SCAN_K_UNDEFINED)
        *why = "for a rule sift does not define (a network test, or a plugin's rule sift "
               "does not run); kept as written";
    else
        *why = "not expressible as a native rule; kept as written";
    return MIG_KEPT;
}

static enum mig_fate
sa_setting_fate(struct mig *m, const struct mig_sa_line *l, const char **target, const char **why,
                bool *keep)
{
    const char *nt = m->o.rules == MIG_RULES_NATIVE ? sa_native_target(l->key) : NULL;

    *keep = true;
    *target = NULL;
    *why = NULL;
    if (nt != NULL) {
        *keep = false;
        *target = nt;
        if (strcmp(l->key, "bayes_path") == 0)
            *why = "see Bayes below";
        return MIG_NATIVE;
    }
    for (size_t i = 0; i < sizeof(sa_setting_notes) / sizeof(sa_setting_notes[0]); i++) {
        if (sa_key_matches(sa_setting_notes[i].key, l->key)) {
            *why = sa_setting_notes[i].why;
            return sa_setting_notes[i].fate;
        }
    }
    *why = "no native key: siftd reads it here";
    return MIG_KEPT;
}

/* Decide one observed line: its report item, and whether the generated
 * site file keeps it. */
static bool
sa_line_fate(struct mig *m, const struct mig_sa_line *l, const char *site_file)
{
    const char *origin = arena_printf(m->a, "%s:%zu", mig_short(m, l->file, m->sa_dir), l->line);
    const char *what = arena_printf(m->a, "%s %s", l->key, l->value);
    const char *target = NULL, *why = NULL;
    enum mig_fate fate = MIG_KEPT;
    bool keep = true;

    if (l->kind != SA_LINE_CONDITIONAL)
        m->st.directives++;
    if (site_file == NULL) {
        mig_item(m, origin, what, MIG_KEPT, l->file,
                 "included from outside the site directory: siftd reads it in place");
        return true;
    }
    switch (l->kind) {
    case SA_LINE_CONDITIONAL:
        return true;
    case SA_LINE_INCLUDE:
        why = "the included file is written beside it";
        break;
    case SA_LINE_INACTIVE:
        fate = MIG_IGNORED;
        why = "inside a conditional that is false here; kept in its block";
        break;
    case SA_LINE_UNKNOWN:
        fate = MIG_IGNORED;
        why = l->plugin != NULL
                  ? arena_printf(m->a,
                                 "a directive of the %s plugin, which is not loaded; kept as "
                                 "written",
                                 l->plugin)
                  : "no SpamAssassin plugin registers this keyword; kept as written";
        break;
    case SA_LINE_PLUGIN_RULE:
        fate = MIG_DROPPED;
        why = "a rule type sift does not run (network lookups); kept in the file";
        break;
    case SA_LINE_RULE:
        if (m->o.rules == MIG_RULES_NATIVE)
            fate = sa_rule_fate(m, l, &target, &why, &keep);
        else
            why = "rules kept in SpamAssassin's syntax (--rules sa)";
        break;
    case SA_LINE_SETTING:
        fate = sa_setting_fate(m, l, &target, &why, &keep);
        break;
    default:
        break;
    }
    if (keep && target == NULL)
        target = site_file;
    mig_item(m, origin, what, fate, target, "%s", why != NULL ? why : "");
    if (why == NULL)
        m->items[m->nitems - 1].why = NULL;
    return keep;
}

/* ---- the generated site files ---- */

struct sa_file {
    const char *path; /* as read */
    const char *rel;  /* under the site directory */
};

static void
sa_file_push(struct sa_file **v, size_t *n, size_t *cap, const char *path, const char *dir)
{
    for (size_t k = 0; k < *n; k++)
        if (strcmp((*v)[k].path, path) == 0)
            return;
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *v = xreallocarray(*v, *cap, sizeof(**v));
    }
    (*v)[*n].path = path;
    (*v)[*n].rel = path + strlen(dir) + 1;
    (*n)++;
}

/* The site's own files: those observed (in the order read, with the
 * files they include from the site directory), then the *.pre and *.cf
 * files with no directive at all. */
static size_t
sa_site_files(struct mig *m, struct sa_file **out)
{
    struct sa_file *v = NULL;
    size_t n = 0, cap = 0;
    DIR *d;
    struct dirent *de;

    for (size_t i = 0; i < m->nlines; i++)
        if (sa_under(m->lines[i].file, m->sa_dir))
            sa_file_push(&v, &n, &cap, m->lines[i].file, m->sa_dir);
    if ((d = opendir(m->sa_dir)) != NULL) {
        while ((de = readdir(d)) != NULL) {
            size_t len = strlen(de->d_name);

            if (len > 4 && (strcmp(de->d_name + len - 4, ".pre") == 0 ||
                            strcmp(de->d_name + len - 3, ".cf") == 0))
                sa_file_push(&v, &n, &cap, arena_printf(m->a, "%s/%s", m->sa_dir, de->d_name),
                             m->sa_dir);
        }
        closedir(d);
    }
    *out = v;
    return n;
}

/* Is the (comment-stripped) line empty? */
static bool
sa_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '#' && (i == 0 || s[i - 1] != '\\'))
            return true;
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    }
    return true;
}

static bool
sa_word_is(const char *s, size_t len, const char *w)
{
    size_t n = strlen(w), i = 0;

    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return len - i >= n && strncasecmp(s + i, w, n) == 0 &&
           (i + n == len || s[i + n] == ' ' || s[i + n] == '\t' || s[i + n] == '\r' ||
            s[i + n] == '#');
}

/* Drop `if`/`ifplugin` ... `endif` blocks left with nothing inside. */
static size_t
sa_prune_blocks(char **lines, size_t n)
{
    bool changed = true;

    while (changed) {
        changed = false;
        for (size_t i = 0; i + 1 < n; i++) {
            if ((sa_word_is(lines[i], strlen(lines[i]), "if") ||
                 sa_word_is(lines[i], strlen(lines[i]), "ifplugin")) &&
                sa_word_is(lines[i + 1], strlen(lines[i + 1]), "endif")) {
                memmove(lines + i, lines + i + 2, (n - i - 2) * sizeof(*lines));
                n -= 2;
                changed = true;
                break;
            }
        }
    }
    return n;
}

/* The generated copy of one site file. */
static int
sa_site_file(struct mig *m, const struct sa_file *sf, struct sift_err *err)
{
    const char *rel = arena_printf(m->a, "%s/%s", MIG_SITE_SUBDIR, sf->rel);
    const char *shown = arena_printf(m->a, "%s/%s", MIG_SITE_SUBDIR, sf->rel);
    struct mig_file *f = mig_file_add(m, rel, 0644);
    size_t len, nlines = 0, cap = 0, lineno = 0;
    char *text = mig_slurp(m, sf->path, &len), *p, *end;
    char **keep = NULL;

    if (text == NULL) {
        sift_err_set(err, "%s: %s", sf->path, strerror(errno));
        return -1;
    }
    m->st.files_read++;
    mig_header(m, &f->text,
               m->o.rules == MIG_RULES_NATIVE
                   ? arena_printf(m->a,
                                  "%s without what became native (rules and scores in "
                                  "local.d/symbols.yaml, networks in local.d/mime.yaml...): "
                                  "siftd reads the rest in SpamAssassin's syntax.",
                                  sf->path)
                   : arena_printf(m->a, "%s as it was: siftd reads it in SpamAssassin's syntax.",
                                  sf->path));
    for (p = text, end = text + len; p < end; lineno++) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
        bool any = false, kept = true;

        p[ll] = '\0';
        for (size_t i = 0; i < m->nlines; i++) {
            const struct mig_sa_line *l = &m->lines[i];

            if (l->line == lineno + 1 && strcmp(l->file, sf->path) == 0) {
                any = true;
                kept = sa_line_fate(m, l, shown) && kept;
            }
        }
        if (m->o.rules == MIG_RULES_SA || (any && kept) || (!any && !sa_blank(p, ll))) {
            if (nlines == cap) {
                cap = cap ? cap * 2 : 64;
                keep = xreallocarray(keep, cap, sizeof(*keep));
            }
            keep[nlines++] = p;
        }
        p += ll + 1;
    }
    if (m->o.rules == MIG_RULES_NATIVE)
        nlines = sa_prune_blocks(keep, nlines);
    else
        buf_putc(&f->text, '\n');
    for (size_t i = 0; i < nlines; i++)
        buf_printf(&f->text, "%s\n", keep[i]);
    free(keep);
    return mig_stage_write(m, rel, f->text.p, f->text.len, err);
}

/* The values of the settings that became native. */
static int
sa_native_values(struct mig *m, struct sift_err *err)
{
    static const char *const lists[] = { "trusted_networks", "internal_networks", "msa_networks" };
    static const char *const strs[] = { "envelope_sender_header", "body_part_scan_size",
                                        "rawbody_part_scan_size" };
    const char *v;

    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        const struct strv *vals;
        size_t n = sa_conf_values(m->full, lists[i], &vals), k = 0;
        const char **words = arena_calloc(m->a, 64 + 1, sizeof(char *));
        size_t cap = 64;

        if (n == 0)
            continue;
        for (size_t j = 0; j < n; j++) {
            const char *s = vals[j].p;

            while (*s != '\0') {
                size_t w;

                s += strspn(s, " \t");
                if ((w = strcspn(s, " \t")) == 0)
                    break;
                if (k == cap) {
                    words =
                        arena_realloc(m->a, words, cap * sizeof(char *), 2 * cap * sizeof(char *));
                    cap *= 2;
                }
                words[k++] = arena_strndup(m->a, s, w);
                s += w;
            }
        }
        if (mig_set_list(m, arena_printf(m->a, "mime.%s", lists[i]), words, k, err) == -1)
            return -1;
    }
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        if ((v = sa_conf_value(m->full, strs[i], NULL)) != NULL &&
            mig_set_str(m, arena_printf(m->a, "mime.%s", strs[i]), v, err) == -1)
            return -1;
    }
    if ((v = sa_conf_value(m->full, "allow_user_rules", NULL)) != NULL &&
        mig_set(m, "rules.allow_user_rules", strtod(v, NULL) != 0 ? "yes" : "no", err) == -1)
        return -1;
    return 0;
}

/* What the translator left out of the site's own files, and in all. */
static void
sa_skips(struct mig *m)
{
    size_t n = scan_ruleset_nskips(m->full_rs), stock = 0;

    for (size_t i = 0; i < n; i++) {
        const struct scan_skip *s = scan_ruleset_skip_at(m->full_rs, i);

        if (s->origin != NULL && sa_under(s->origin, m->rules_dir))
            stock++;
    }
    if (stock > 0)
        mig_item(m, "stock rules", m->rules_dir, MIG_NOTE, NULL,
                 "%zu rule(s) or directive(s) of the stock set are left out by sift as by any "
                 "siftd (siftadm rules --skipped lists them)",
                 stock);
}

int
mig_sa_files(struct mig *m, struct sift_err *err)
{
    struct sa_file *files;
    size_t n = sa_site_files(m, &files);
    int rc = 0;

    for (size_t i = 0; i < n && rc == 0; i++)
        rc = sa_site_file(m, &files[i], err);
    /* lines of files included from outside the site directory */
    for (size_t i = 0; i < m->nlines && rc == 0; i++)
        if (!sa_under(m->lines[i].file, m->sa_dir))
            sa_line_fate(m, &m->lines[i], NULL);
    free(files);
    if (rc == 0 && m->o.rules == MIG_RULES_NATIVE)
        rc = sa_native_values(m, err);
    if (rc == 0)
        rc = mig_set_str(m, "rules.site_dir", m->site_out, err);
    if (rc == 0 && m->o.rules_dir != NULL)
        rc = mig_set_str(m, "rules.rules_dir", m->o.rules_dir, err);
    sa_skips(m);
    return rc;
}
