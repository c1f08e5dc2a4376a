/*
 * migrate_spamd.c - spamd's options: the OPTIONS line of Debian's
 * /etc/default/spamd (or the older /etc/default/spamassassin), and any
 * command line given with --spamd-options, read by the same code as
 * sift-spamd (daemon/spamd_opts.h) into siftd keys. What concerns the
 * spamd worker (listeners, allowed IPs, processes, TLS, timeouts, TELL),
 * the rules (-L, -C), user preferences (-x, --virtual-config-dir), the user
 * and logging is carried; what only makes sense for a spamd-alone siftd
 * (the other workers off, no PID file) is not, and spamd's site directory
 * is where the SpamAssassin configuration is read from.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cfg_yaml.h"
#include "core/xmalloc.h"
#include "daemon/spamd_opts.h"

#include "migrate/migrate.h"

struct spamd_words {
    char **v;
    size_t n, cap;
};

static void
words_add(struct spamd_words *w, char *s)
{
    if (w->n + 1 >= w->cap) {
        w->cap = w->cap ? w->cap * 2 : 16;
        w->v = xreallocarray(w->v, w->cap, sizeof(*w->v));
    }
    w->v[w->n++] = s;
    w->v[w->n] = NULL;
}

/* Split s as sh does words (quotes, backslashes; no expansions) into w,
 * the words in arena a. -1 on an unclosed quote. */
static int
words_split(struct arena *a, const char *s, struct spamd_words *w)
{
    struct buf b;
    int rc = 0;

    buf_init(&b);
    while (*s != '\0') {
        bool any = false;

        while (*s == ' ' || *s == '\t' || *s == '\n')
            s++;
        if (*s == '\0')
            break;
        buf_reset(&b);
        while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\n') {
            any = true;
            if (*s == '\'') {
                const char *e = strchr(s + 1, '\'');

                if (e == NULL) {
                    rc = -1;
                    goto done;
                }
                buf_append(&b, s + 1, (size_t)(e - s - 1));
                s = e + 1;
            } else if (*s == '"') {
                for (s++; *s != '"'; s++) {
                    if (*s == '\0') {
                        rc = -1;
                        goto done;
                    }
                    if (*s == '\\' && (s[1] == '"' || s[1] == '\\' || s[1] == '$' || s[1] == '`'))
                        s++;
                    buf_putc(&b, *s);
                }
                s++;
            } else if (*s == '\\' && s[1] != '\0') {
                buf_putc(&b, s[1]);
                s += 2;
            } else {
                buf_putc(&b, *s++);
            }
        }
        if (any)
            words_add(w, arena_strdup(a, b.len > 0 ? b.p : ""));
    }
done:
    buf_clear(&b);
    return rc;
}

/* The assignments of a shell defaults file: NAME=value lines (export
 * allowed), the last one of each name winning. *options gets OPTIONS'. */
static int
spamd_defaults(struct mig *m, const char *path, const char **options, struct sift_err *err)
{
    size_t len;
    char *text = mig_slurp(m, path, &len);
    char *line, *save = NULL;
    size_t lineno = 0;

    if (text == NULL) {
        sift_err_set(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    m->st.files_read++;
    for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        struct spamd_words w = { 0 };
        char *p = line, *eq;
        const char *origin;

        lineno++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '#' || *p == '\0')
            continue;
        if (strncmp(p, "export ", 7) == 0)
            p += 7;
        eq = strchr(p, '=');
        if (eq == NULL || eq == p ||
            strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") != (size_t)(eq - p))
            continue;
        *eq = '\0';
        origin = arena_printf(m->a, "%s:%zu", path, lineno);
        if (words_split(m->a, eq + 1, &w) == -1) {
            mig_item(m, origin, p, MIG_WARN, NULL, "unclosed quote: not read");
            free(w.v);
            continue;
        }
        m->st.directives++;
        if (strcmp(p, "OPTIONS") == 0) {
            *options = w.n > 0 ? w.v[0] : "";
            mig_item(m, origin, arena_printf(m->a, "OPTIONS=\"%s\"", *options), MIG_NOTE, NULL,
                     "spamd's command line: each option's fate is below");
        } else if (strcmp(p, "PIDFILE") == 0) {
            mig_item(m, origin, arena_printf(m->a, "PIDFILE=%s", w.n > 0 ? w.v[0] : ""),
                     MIG_DROPPED, NULL,
                     "siftd keeps its own PID file (options.pidfile); sift-spamd -r writes "
                     "one where spamd's init script looks");
        } else if (strcmp(p, "NICE") == 0) {
            mig_item(m, origin, arena_printf(m->a, "NICE=%s", w.n > 0 ? w.v[0] : ""), MIG_DROPPED,
                     NULL, "set the nice level in siftd's service unit");
        } else if (strcmp(p, "ENABLED") == 0 || strcmp(p, "CRON") == 0) {
            mig_item(m, origin, arena_printf(m->a, "%s=%s", p, w.n > 0 ? w.v[0] : ""), MIG_DROPPED,
                     NULL,
                     strcmp(p, "CRON") == 0
                         ? "sa-update's cron job: keep it, siftd reads sa-update's rules "
                           "(rules.rules_dir auto)"
                         : "enable siftd's service instead");
        } else {
            mig_item(m, origin, p, MIG_IGNORED, NULL, "not a variable spamd's scripts read");
        }
        free(w.v);
    }
    return 0;
}

/* Does this override concern a siftd that serves more than spamd? */
static int
spamd_carry(struct mig *m, const char *kv, const char *origin, struct sift_err *err)
{
    const char *eq = strchr(kv, '=');
    char *key;
    const char *value;

    if (eq == NULL)
        return 0;
    key = arena_strndup(m->a, kv, (size_t)(eq - kv));
    value = eq + 1;
    if (strcmp(key, "workers.normal.enabled") == 0 ||
        strcmp(key, "workers.controller.enabled") == 0 ||
        strcmp(key, "workers.proxy.enabled") == 0 || strcmp(key, "workers.spamd.enabled") == 0)
        return 0; /* sift-spamd serves spamd alone; a migrated siftd keeps its other workers */
    if (strcmp(key, "options.pidfile") == 0) {
        if (strcmp(value, "\"\"") != 0)
            mig_item(m, origin, kv, MIG_DROPPED, NULL,
                     "siftd keeps its own PID file (options.pidfile)");
        return 0;
    }
    if (strcmp(key, "rules.site_dir") == 0) {
        const char *dir = cfg_yaml_parse_value(m->a, origin, value)->str;

        if (m->o.sa_dir == NULL)
            m->o.sa_dir = dir;
        mig_item(m, origin, arena_printf(m->a, "--siteconfigpath %s", dir), MIG_NOTE, NULL,
                 "the SpamAssassin configuration migrated%s",
                 strcmp(m->o.sa_dir, dir) == 0 ? "" : " (--sa-dir names another)");
        return 0;
    }
    if (strcmp(key, "rules.rules_dir") == 0 && m->o.rules_dir == NULL)
        m->o.rules_dir = cfg_yaml_parse_value(m->a, origin, value)->str;
    if (strcmp(key, "rules.local_only") == 0)
        m->local_only = strcmp(value, "yes") == 0;
    if (strcmp(key, "rules.user_prefs") == 0 && m->o.prefs_dir != NULL)
        return 0; /* --prefs-dir says where they are */
    if (mig_set(m, key, value, err) == -1)
        return -1;
    mig_item(m, origin, kv, MIG_NATIVE, arena_printf(m->a, "%s: %s", key, value), NULL);
    return 0;
}

int
mig_spamd(struct mig *m, struct sift_err *err)
{
    const char *defaults = m->o.defaults, *options = NULL, *origin = "spamd's defaults";
    struct spamd_words w = { 0 };
    struct spamd_opts so = { 0 };
    char cwd[] = "/";
    int rc = 0;

    if (defaults == NULL && access(MIG_DEFAULTS_1, R_OK) == 0)
        defaults = MIG_DEFAULTS_1;
    else if (defaults == NULL && access(MIG_DEFAULTS_2, R_OK) == 0)
        defaults = MIG_DEFAULTS_2;
    if (defaults != NULL && defaults[0] != '\0') {
        if (spamd_defaults(m, defaults, &options, err) == -1)
            return -1;
        origin = arena_printf(m->a, "%s OPTIONS", mig_short(m, defaults, "/etc/default"));
        if (options == NULL)
            mig_item(m, defaults, "no OPTIONS line", MIG_NOTE, NULL,
                     "spamd's defaults apply (localhost:783, per-user preferences)");
    }
    words_add(&w, "spamd");
    if (options != NULL && words_split(m->a, options, &w) == -1) {
        sift_err_set(err, "%s: OPTIONS: unclosed quote", defaults);
        free(w.v);
        return -1;
    }
    if (m->o.spamd_options != NULL) {
        origin = "--spamd-options";
        if (words_split(m->a, m->o.spamd_options, &w) == -1) {
            sift_err_set(err, "--spamd-options: unclosed quote");
            free(w.v);
            return -1;
        }
    }
    if (defaults == NULL && m->o.spamd_options == NULL)
        mig_item(m, "spamd", "no /etc/default/spamd nor --spamd-options", MIG_NOTE, NULL,
                 "spamd's defaults apply (localhost:783, per-user preferences)");
    for (size_t i = 1; i < w.n; i++)
        m->st.directives++;
    if (spamd_opts_parse(&so, (int)w.n, w.v, cwd, err) == -1) {
        sift_err_prefix(err, "%s", origin);
        rc = -1;
        goto out;
    }
    if (so.help || so.version) {
        sift_err_set(err, "%s: -h or -V: not a server's command line", origin);
        rc = -1;
        goto out;
    }
    for (size_t i = 0; i < so.nnotes; i++)
        mig_item(m, origin, so.notes[i], MIG_DROPPED, NULL, NULL);
    if (so.daemonize)
        mig_item(m, origin, "-d", MIG_NOTE, NULL, "siftd detaches unless run with -f");
    if (so.sift_config != NULL)
        mig_item(m, origin, "--sift-config", MIG_DROPPED, NULL, "sift-spamd's own option");
    for (size_t i = 0; i < so.noverrides && rc == 0; i++)
        rc = spamd_carry(m, so.overrides[i], origin, err);
out:
    spamd_opts_clear(&so);
    free(w.v);
    return rc;
}
