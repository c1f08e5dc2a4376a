/*
 * migrate_bayes.c - SpamAssassin's Bayes database and its other learned
 * data. sift reads and writes SA's DBM files (server/stat/bayes_store.h),
 * so the database is used where it is by default (classifier.bayes.path),
 * or copied to a new prefix (--bayes copy:PREFIX) through the store's
 * dump and replace, or left behind (--bayes none). Per-user databases
 * (bayes_path under ~ with spamd serving every user) cannot all be carried
 * into sift's one store: the report lists them. AWL and TxRep data have
 * no counterpart in sift and are reported.
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cfg_tree.h"
#include "core/xmalloc.h"
#include "stat/bayes_store.h"

#include "migrate/migrate.h"

#define BAYES_SA_DEFAULT "~/.spamassassin/bayes"

static bool
bayes_exists(struct mig *m, const char *prefix)
{
    struct stat st;

    return stat(arena_printf(m->a, "%s_toks", prefix), &st) == 0 && S_ISREG(st.st_mode);
}

/* The user spamd ran as (-u), or NULL when it served each user as himself. */
static const char *
bayes_spamd_user(struct mig *m)
{
    const struct cfg_node *n = cfg_lookup(m->tree, "options.user");

    return n != NULL && n->kind == CFG_SCALAR && n->str[0] != '\0' ? n->str : NULL;
}

/* ~ in a SpamAssassin path: the home of spamd's -u user. NULL: no such user. */
static const char *
bayes_expand(struct mig *m, const char *path, const char *user)
{
    struct passwd *pw;

    if (path[0] != '~' || (path[1] != '/' && path[1] != '\0'))
        return path;
    if (user == NULL || (pw = getpwnam(user)) == NULL)
        return NULL;
    return arena_printf(m->a, "%s%s", pw->pw_dir, path + 1);
}

/* spamd serving every user with a ~ path: each user's own database. */
static void
bayes_per_user(struct mig *m, const char *path)
{
    struct passwd *pw;
    size_t found = 0;

    setpwent();
    while ((pw = getpwent()) != NULL) {
        const char *p;

        if (pw->pw_dir == NULL || pw->pw_dir[0] != '/')
            continue;
        p = arena_printf(m->a, "%s%s", pw->pw_dir, path + 1);
        if (bayes_exists(m, p)) {
            found++;
            mig_item(m, "Bayes", p, MIG_WARN, NULL,
                     "%s's own database: sift keeps one store for all users; carry one with "
                     "--bayes-path %s, or merge them (sa-learn --backup, siftadm bayes restore)",
                     pw->pw_name, p);
        }
    }
    endpwent();
    if (found == 0)
        mig_item(m, "Bayes", path, MIG_NOTE, NULL,
                 "per-user databases (spamd without -u), none found: siftd starts one store in "
                 "$DBDIR/bayes");
}

/* Counts of the database at prefix, for the report. */
static void
bayes_describe(struct mig *m, const char *prefix)
{
    struct bayes_store *st;
    struct bayes_store_stats s;
    struct sift_err err;
    struct stat sb;

    if (m->o.dry_run &&
        stat(arena_printf(m->a, "%s/__db.001", dirname(arena_strdup(m->a, prefix))), &sb) == -1) {
        mig_item(m, "Bayes", prefix, MIG_NOTE, NULL,
                 "a SpamAssassin database (not opened in a dry run: opening sets up Berkeley "
                 "DB's environment files beside it)");
        return;
    }
    if (bayes_store_open("bdb", prefix, BAYES_STORE_RDONLY | BAYES_STORE_NOJOURNAL, NULL, &st,
                         &err) != BAYES_STORE_OK) {
        mig_item(m, "Bayes", prefix, MIG_WARN, NULL, "cannot be read: %s", err.msg);
        return;
    }
    if (bayes_store_stats(st, &s, &err) == BAYES_STORE_OK)
        mig_item(m, "Bayes", prefix, MIG_NOTE, NULL,
                 "%llu spam, %llu ham, %llu tokens (database version %llu)%s",
                 (unsigned long long)s.nspam, (unsigned long long)s.nham,
                 (unsigned long long)s.ntokens, (unsigned long long)s.dbversion,
                 s.nspam < 200 || s.nham < 200
                     ? "; BAYES_ rules hit once 200 of each are learned, as in SpamAssassin"
                     : "");
    else
        mig_item(m, "Bayes", prefix, MIG_WARN, NULL, "cannot be read: %s", err.msg);
    bayes_store_close(&st);
    if (access(arena_printf(m->a, "%s_journal", prefix), F_OK) == 0)
        mig_item(m, "Bayes", arena_printf(m->a, "%s_journal", prefix), MIG_NOTE, NULL,
                 "SpamAssassin's pending journal: siftd applies it");
}

/* The user siftd will run as: the migrated one, else the stock one ("": root). */
static const char *
bayes_siftd_user(struct mig *m)
{
    const struct cfg_node *n = cfg_lookup(m->tree, "options.user");

    if (n == NULL)
        n = cfg_lookup(m->stock, "options.user");
    return n != NULL && n->kind == CFG_SCALAR ? n->str : "";
}

/* Who owns the files, and who siftd will run as. */
static void
bayes_owner(struct mig *m, const char *prefix)
{
    const char *user = bayes_siftd_user(m);
    struct passwd *pw;
    struct stat st;

    if (stat(arena_printf(m->a, "%s_toks", prefix), &st) == -1 || user[0] == '\0')
        return;
    pw = getpwnam(user);
    if (pw == NULL || pw->pw_uid != st.st_uid)
        mig_item(m, "Bayes", prefix, MIG_WARN, NULL,
                 "owned by uid %u; siftd runs as %s: it must read and write these files and "
                 "their directory (chown -R %s %s)",
                 (unsigned)st.st_uid, user, user, dirname(arena_strdup(m->a, prefix)));
}

static void
bayes_reputation(struct mig *m, const char *user)
{
    static const struct {
        const char *plugin, *use, *path, *def, *what;
    } kinds[] = {
        { "AWL", "use_auto_whitelist", "auto_whitelist_path", "~/.spamassassin/auto-whitelist",
          "AWL (auto-whitelist)" },
        { "TxRep", "use_txrep", "auto_whitelist_path", "~/.spamassassin/tx-reputation",
          "TxRep reputation" },
    };

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        const char *use = sa_conf_value(m->full, kinds[i].use, NULL);
        const char *path;

        if (!sa_conf_plugin_loaded(m->full, kinds[i].plugin))
            continue;
        if (use != NULL && strtod(use, NULL) == 0)
            continue;
        path = bayes_expand(m, sa_conf_value(m->full, kinds[i].path, kinds[i].def), user);
        mig_item(m, kinds[i].what, path != NULL ? path : kinds[i].def, MIG_DROPPED, NULL,
                 "sift has no %s: its scores and data are not carried (the rules that read "
                 "it do not hit)",
                 kinds[i].what);
    }
}

int
mig_bayes(struct mig *m, struct sift_err *err)
{
    const char *user = bayes_spamd_user(m);
    const char *use = sa_conf_value(m->full, "use_bayes", NULL);
    const char *sa_path = sa_conf_value(m->full, "bayes_path", NULL);
    const char *module = sa_conf_value(m->full, "bayes_store_module", NULL);
    const char *path, *prefix;

    bayes_reputation(m, user);
    if (use != NULL && strtod(use, NULL) == 0)
        mig_item(m, "Bayes", "use_bayes 0", MIG_NOTE, NULL,
                 "Bayes is off in SpamAssassin's configuration and stays off in sift");
    if (m->o.bayes == MIG_BAYES_NONE) {
        mig_item(m, "Bayes", sa_path != NULL ? sa_path : BAYES_SA_DEFAULT, MIG_DROPPED,
                 "classifier.bayes.path: $DBDIR/bayes/bayes",
                 "--bayes none: siftd starts an empty store");
        return mig_set_str(m, "classifier.bayes.path", "$DBDIR/bayes/bayes", err);
    }
    if (module != NULL && strstr(module, "DBM") == NULL && m->o.bayes_path == NULL) {
        mig_item(m, "Bayes", module, MIG_WARN, NULL,
                 "not a DBM store: nothing carried; move the data with sa-learn --backup and "
                 "siftadm bayes restore --path PREFIX");
        return 0;
    }
    path = m->o.bayes_path != NULL ? m->o.bayes_path : sa_path != NULL ? sa_path : BAYES_SA_DEFAULT;
    if ((prefix = bayes_expand(m, path, user)) == NULL) {
        bayes_per_user(m, path);
        return 0;
    }
    if (prefix[0] != '/') {
        sift_err_set(err, "Bayes path %s: not an absolute path", prefix);
        return -1;
    }
    if (!bayes_exists(m, prefix)) {
        mig_item(m, "Bayes", prefix, MIG_NOTE, NULL,
                 "no database there yet: siftd creates it there when it learns");
    } else {
        bayes_describe(m, prefix);
    }
    if (m->o.bayes == MIG_BAYES_COPY) {
        if (!bayes_exists(m, prefix)) {
            sift_err_set(err, "--bayes copy: no database at %s to copy", prefix);
            return -1;
        }
        m->bayes_used = m->o.bayes_dest;
        mig_item(m, "Bayes", prefix, MIG_NATIVE,
                 arena_printf(m->a, "classifier.bayes.path: %s", m->o.bayes_dest),
                 "copied (tokens, counts and learned message ids)%s",
                 m->o.dry_run ? "; not in a dry run" : "");
        return mig_set_str(m, "classifier.bayes.path", m->o.bayes_dest, err);
    }
    m->bayes_used = prefix;
    mig_item(m, "Bayes", prefix, MIG_NATIVE,
             arena_printf(m->a, "classifier.bayes.path: %s", prefix),
             "used in place: sa-learn and siftd share it (SpamAssassin's lock keeps them apart)");
    if (bayes_exists(m, prefix))
        bayes_owner(m, prefix);
    return mig_set_str(m, "classifier.bayes.path", prefix, err);
}

/* ---- the copy ---- */

static int
copy_vars(void *arg, const struct bayes_store_stats *st, struct sift_err *err)
{
    struct bayes_store_image *img = arg;

    (void)err;
    img->nspam = st->nspam;
    img->nham = st->nham;
    return 0;
}

static int
copy_token(void *arg, const struct bayes_store_key *key, const struct bayes_store_counts *c,
           struct sift_err *err)
{
    (void)err;
    bayes_store_image_add_token(arg, key, c);
    return 0;
}

static int
copy_seen(void *arg, const char *msgid, size_t len, char cls, struct sift_err *err)
{
    (void)err;
    bayes_store_image_add_seen(arg, msgid, len, cls);
    return 0;
}

static int
copy_mkdirs(const char *path, struct sift_err *err)
{
    char dir[4096];

    snprintf(dir, sizeof(dir), "%s", path);
    for (char *p = dir + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
            sift_err_set(err, "%s: %s", dir, strerror(errno));
            return -1;
        }
        *p = '/';
    }
    return 0;
}

/* Are the two databases' counts the same (a copy made before)? */
static bool
copy_same(struct bayes_store *a, struct bayes_store *b)
{
    struct bayes_store_stats x, y;
    struct sift_err err;

    return bayes_store_stats(a, &x, &err) == BAYES_STORE_OK &&
           bayes_store_stats(b, &y, &err) == BAYES_STORE_OK && x.nspam == y.nspam &&
           x.nham == y.nham && x.ntokens == y.ntokens && x.newest_atime == y.newest_atime;
}

/* The copy's files (the database, Berkeley DB's environment, the directory)
 * given to the user siftd runs as, when we may. */
static void
copy_give(struct mig *m, const char *prefix)
{
    const char *user = bayes_siftd_user(m);
    char *dir = dirname(arena_strdup(m->a, prefix));
    const char *base = strrchr(prefix, '/') != NULL ? strrchr(prefix, '/') + 1 : prefix;
    struct passwd *pw;
    struct dirent *de;
    DIR *d;

    if (geteuid() != 0 || user[0] == '\0' || (pw = getpwnam(user)) == NULL) {
        if (user[0] != '\0')
            mig_item(m, "Bayes", prefix, MIG_WARN, NULL,
                     "the copy must belong to %s, whom siftd runs as (chown -R %s %s)", user, user,
                     dir);
        return;
    }
    if (chown(dir, pw->pw_uid, pw->pw_gid) == -1 || (d = opendir(dir)) == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        if ((strncmp(de->d_name, base, strlen(base)) == 0 && de->d_name[strlen(base)] == '_') ||
            strncmp(de->d_name, "__db.", 5) == 0)
            if (chown(arena_printf(m->a, "%s/%s", dir, de->d_name), pw->pw_uid, pw->pw_gid) == -1)
                mig_item(m, "Bayes", de->d_name, MIG_WARN, NULL, "cannot give it to %s: %s", user,
                         strerror(errno));
    }
    closedir(d);
}

int
mig_bayes_install(struct mig *m, struct sift_err *err)
{
    const char *src = NULL;
    struct bayes_store *in = NULL, *out = NULL;
    struct bayes_store_image img;
    struct bayes_store_visitor v = { copy_vars, copy_token, copy_seen, NULL };
    int rc = -1;

    if (m->o.bayes != MIG_BAYES_COPY)
        return 0;
    for (size_t i = 0; i < m->nitems && src == NULL; i++)
        if (m->items[i].fate == MIG_NATIVE && strcmp(m->items[i].origin, "Bayes") == 0)
            src = m->items[i].what;
    if (src == NULL)
        return 0;
    bayes_store_image_init(&img);
    v.arg = &img;
    if (bayes_store_open("bdb", src, BAYES_STORE_RDONLY | BAYES_STORE_NOJOURNAL, NULL, &in, err) !=
        BAYES_STORE_OK)
        goto out;
    if (copy_mkdirs(m->o.bayes_dest, err) == -1)
        goto out;
    if (bayes_store_open("bdb", m->o.bayes_dest, BAYES_STORE_RDWR | BAYES_STORE_CREATE, NULL, &out,
                         err) != BAYES_STORE_OK)
        goto out;
    if (copy_same(in, out)) {
        mig_item(m, "Bayes", m->o.bayes_dest, MIG_NOTE, NULL, "the copy is up to date");
        rc = 0;
        goto out;
    }
    if (bayes_store_iterate(in, &v, err) != BAYES_STORE_OK ||
        bayes_store_replace(out, &img, err) != BAYES_STORE_OK)
        goto out;
    mig_item(m, "Bayes", m->o.bayes_dest, MIG_NOTE, NULL,
             "copied: %zu tokens, %zu learned messages", img.ntokens, img.nseen);
    bayes_store_close(&out);
    copy_give(m, m->o.bayes_dest);
    rc = 0;
out:
    bayes_store_close(&out);
    bayes_store_close(&in);
    bayes_store_image_clear(&img);
    return rc;
}
