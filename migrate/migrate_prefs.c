/*
 * migrate_prefs.c - the users' user_prefs files. siftd reads them in place
 * (rules.user_prefs, spamd's path template: ~/.spamassassin/user_prefs, or
 * --virtual-config-dir's DIR/user_prefs with %u %l %d), so nothing is
 * copied; each file found is read over the site's configuration as spamd
 * reads it for that user, and what sift would refuse (privileged or admin
 * directives, rules without allow_user_rules) or ignore is reported.
 */
#include <errno.h>
#include <glob.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compat/sa_conf.h"
#include "core/cfg_tree.h"
#include "core/xmalloc.h"

#include "migrate/migrate.h"

struct prefs_file {
    struct mig *m;
    const char *path;
    size_t lines, refused, unknown, rules;
};

static void
prefs_observe(void *arg, const struct sa_conf_line *l)
{
    struct prefs_file *pf = arg;
    struct mig *m = pf->m;
    const char *origin;

    if (l->kind == SA_LINE_CONDITIONAL)
        return;
    pf->lines++;
    origin = arena_printf(m->a, "%s:%zu", l->file, l->line);
    if (l->kind == SA_LINE_REFUSED) {
        pf->refused++;
        mig_item(m, origin, arena_printf(m->a, "%s %s", l->key, l->value), MIG_DROPPED, NULL,
                 "refused in user_prefs, as spamd refuses it (an administrator's setting, or a "
                 "rule without allow_user_rules)");
    } else if (l->kind == SA_LINE_UNKNOWN) {
        pf->unknown++;
        mig_item(m, origin, arena_printf(m->a, "%s %s", l->key, l->value), MIG_IGNORED, NULL,
                 "no loaded plugin registers this keyword");
    } else if (l->kind == SA_LINE_RULE) {
        pf->rules++;
    }
}

static int
prefs_read(struct mig *m, const char *path, bool allow_rules)
{
    struct prefs_file pf = { .m = m, .path = path };
    struct sa_conf *c = sa_conf_new_user(m->full, allow_rules);
    struct scan_ruleset *rs = scan_ruleset_new();
    struct sift_err err;
    size_t len;
    char *text = mig_slurp(m, path, &len);

    if (text == NULL) {
        mig_item(m, path, "user_prefs", MIG_WARN, NULL, "cannot be read: %s", strerror(errno));
        goto out;
    }
    sa_conf_observe(c, prefs_observe, &pf);
    sa_conf_parse(c, rs, text, len, path, &err);
    m->st.prefs_files++;
    m->st.prefs_refused += pf.refused;
    mig_item(m, path, "user_prefs", MIG_KEPT, "rules.user_prefs (read in place)",
             "%zu directive(s)%s%s", pf.lines,
             pf.refused > 0 ? arena_printf(m->a, ", %zu refused", pf.refused) : "",
             pf.rules > 0 && allow_rules ? arena_printf(m->a, ", %zu rule line(s)", pf.rules) : "");
out:
    scan_ruleset_free(&rs);
    sa_conf_free(&c);
    return 0;
}

static bool
prefs_regular(const char *p)
{
    struct stat st;

    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* ~/...: every account's home directory. */
static void
prefs_homes(struct mig *m, const char *tmpl, bool allow_rules)
{
    struct passwd *pw;
    size_t found = 0;

    setpwent();
    while ((pw = getpwent()) != NULL) {
        const char *p;

        if (pw->pw_dir == NULL || pw->pw_dir[0] != '/')
            continue;
        p = arena_printf(m->a, "%s%s", strcmp(pw->pw_dir, "/") == 0 ? "" : pw->pw_dir, tmpl + 1);
        if (prefs_regular(p)) {
            prefs_read(m, p, allow_rules);
            found++;
        }
    }
    endpwent();
    if (found > 0)
        mig_item(m, "user_prefs", tmpl, MIG_WARN, NULL,
                 "in home directories: siftd reads them as the user it runs as (options.user), "
                 "which must be able to read them (spamd read them as root)");
}

/* A %u/%l/%d template: the files it can name. */
static void
prefs_glob(struct mig *m, const char *tmpl, bool allow_rules)
{
    struct buf pat;
    glob_t g;

    buf_init(&pat);
    for (const char *p = tmpl; *p != '\0'; p++) {
        if (p[0] == '%' && (p[1] == 'u' || p[1] == 'l' || p[1] == 'd')) {
            buf_putc(&pat, '*');
            p++;
        } else if (p[0] == '%' && p[1] == '%') {
            buf_putc(&pat, '%');
            p++;
        } else if (*p == '*' || *p == '?' || *p == '[' || *p == '\\') {
            buf_putc(&pat, '\\');
            buf_putc(&pat, *p);
        } else {
            buf_putc(&pat, *p);
        }
    }
    if (glob(pat.p, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++)
            if (prefs_regular(g.gl_pathv[i]))
                prefs_read(m, g.gl_pathv[i], allow_rules);
        globfree(&g);
    }
    buf_clear(&pat);
}

int
mig_prefs(struct mig *m, struct sift_err *err)
{
    const struct cfg_node *n = cfg_lookup(m->tree, "rules.user_prefs");
    const struct cfg_node *ar = cfg_lookup(m->tree, "rules.allow_user_rules");
    const char *tmpl = n != NULL && n->kind == CFG_SCALAR ? n->str : NULL;
    const char *a = sa_conf_value(m->full, "allow_user_rules", NULL);
    bool allow_rules = (ar != NULL && ar->kind == CFG_SCALAR && strcmp(ar->str, "yes") == 0) ||
                       (a != NULL && strtod(a, NULL) != 0);

    if (m->o.prefs_dir != NULL) {
        tmpl = arena_printf(m->a, "%s/%%u/user_prefs", m->o.prefs_dir);
        if (mig_set_str(m, "rules.user_prefs", tmpl, err) == -1)
            return -1;
        mig_item(m, "--prefs-dir", m->o.prefs_dir, MIG_NATIVE,
                 arena_printf(m->a, "rules.user_prefs: %s", tmpl), NULL);
    }
    if (tmpl == NULL || tmpl[0] == '\0') {
        mig_item(m, "user_prefs", "none", MIG_NOTE, NULL,
                 "spamd read no per-user preferences (-x without --virtual-config-dir)");
        return 0;
    }
    if (tmpl[0] == '~' && tmpl[1] == '/')
        prefs_homes(m, tmpl, allow_rules);
    else
        prefs_glob(m, tmpl, allow_rules);
    if (m->st.prefs_files == 0)
        mig_item(m, "user_prefs", tmpl, MIG_NOTE, NULL, "no user_prefs file found there yet");
    return 0;
}
