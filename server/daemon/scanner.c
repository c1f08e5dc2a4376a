/*
 * scanner.c - a worker's scanning context and its users' preferences
 * (see scanner.h).
 */
#include "daemon/scanner.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xmalloc.h"

/* A user_prefs larger than this is not read (SA has no limit; a prefs
 * file this big is a mistake or an attack). */
#define SCANNER_PREFS_MAX (1024 * 1024)

struct scanner_user {
    char *path;
    struct stat st;         /* the file as read (st_ino 0: it did not exist) */
    struct sa_prefs *prefs; /* NULL: no file, or one that did not load */
    uint64_t used;
};

int
scanner_init(struct scanner *s, const struct siftd_cfg *cfg, struct sa_rules *rules,
             struct sift_err *err)
{
    struct mime_cfg mc = cfg->mime;

    memset(s, 0, sizeof(*s));
    s->rules = rules;
    sa_rules_mime_cfg(rules, &mc);
    if (mime_ctx_init(&s->mime, &s->st, &mc, err) == -1)
        return -1;
    if (cfg->rules.user_prefs != NULL && cfg->rules.user_prefs[0] != '\0' &&
        strcmp(cfg->rules.user_prefs, "~") != 0)
        s->prefs_path = cfg->rules.user_prefs;
    s->prefs_max = cfg->rules.user_prefs_cache > 0 ? (size_t)cfg->rules.user_prefs_cache : 1;
    s->users = xcalloc(s->prefs_max, sizeof(*s->users));
    s->settings = cfg->settings;
    s->nsettings = cfg->nsettings;
    if (classifier_init(&s->bayes, cfg, rules, err) == -1)
        return -1;
    s->ready = true;
    return 0;
}

static void
scanner_user_clear(struct scanner_user *u)
{
    free(u->path);
    sa_prefs_free(&u->prefs);
    memset(u, 0, sizeof(*u));
}

void
scanner_clear(struct scanner *s)
{
    for (size_t i = 0; i < s->nusers; i++)
        scanner_user_clear(&s->users[i]);
    free(s->users);
    s->users = NULL;
    s->nusers = 0;
    if (s->ready) {
        mime_ctx_clear(&s->mime, &s->st);
        classifier_clear(&s->bayes);
    }
    s->ready = false;
}

static bool
scanner_name_ok(const char *u)
{
    if (u[0] == '\0' || u[0] == '.' || strlen(u) > 255)
        return false;
    for (const char *p = u; *p; p++) {
        char c = *p;

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("-_.@+=", c) != NULL))
            return false;
    }
    return strstr(u, "..") == NULL;
}

int
scanner_prefs_path(const char *tpl, const char *user, char *out, size_t outlen)
{
    const char *at = strrchr(user, '@');
    size_t o = 0;
    int n;

    if (!scanner_name_ok(user))
        return -1;
    if (tpl[0] == '~' && (tpl[1] == '/' || tpl[1] == '\0')) {
        struct passwd pw, *res = NULL;
        char pbuf[4096];

        if (getpwnam_r(user, &pw, pbuf, sizeof(pbuf), &res) != 0 || res == NULL ||
            pw.pw_dir == NULL || pw.pw_dir[0] != '/')
            return -1;
        n = snprintf(out, outlen, "%s", pw.pw_dir);
        if (n < 0 || (size_t)n >= outlen)
            return -1;
        o = (size_t)n;
        tpl++;
    }
    for (; *tpl; tpl++) {
        const char *add = NULL;
        size_t alen = 0;
        char one = *tpl;

        if (*tpl == '%' && tpl[1] != '\0') {
            tpl++;
            switch (*tpl) {
            case 'u':
                add = user;
                alen = strlen(user);
                break;
            case 'l':
                add = user;
                alen = at != NULL ? (size_t)(at - user) : strlen(user);
                break;
            case 'd':
                add = at != NULL ? at + 1 : "";
                alen = strlen(add);
                break;
            default:
                one = *tpl; /* %% and unknown escapes: the character */
                break;
            }
        }
        if (add == NULL) {
            add = &one;
            alen = 1;
        }
        if (o + alen + 1 > outlen)
            return -1;
        memcpy(out + o, add, alen);
        o += alen;
    }
    out[o] = '\0';
    return 0;
}

static bool
scanner_same_file(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Read and parse path (already stat'ed as st) into u. */
static void
scanner_user_load(struct scanner *s, struct scanner_user *u, const struct stat *st)
{
    int fd;
    char *text;
    ssize_t got = 0;
    struct sift_err err;

    sa_prefs_free(&u->prefs);
    u->st = *st;
    if (st->st_ino == 0)
        return; /* no file: the site's settings */
    if (!S_ISREG(st->st_mode) || st->st_size > SCANNER_PREFS_MAX) {
        log_warn("user_prefs: %s: not a regular file of at most %d bytes; using the site's "
                 "settings",
                 u->path, SCANNER_PREFS_MAX);
        return;
    }
    if ((fd = open(u->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
        log_warn("user_prefs: %s: %s; using the site's settings", u->path, strerror(errno));
        return;
    }
    text = xmalloc((size_t)st->st_size + 1);
    while (got < st->st_size) {
        ssize_t n = read(fd, text + got, (size_t)(st->st_size - got));

        if (n == -1 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += n;
    }
    close(fd);
    text[got] = '\0';
    if (sa_prefs_load(s->rules, text, (size_t)got, u->path, &u->prefs, &err) == -1)
        log_warn("user_prefs: %s: %s; using the site's settings", u->path, err.msg);
    else
        log_info("user_prefs: %s read (%zu score change(s), %zu rule(s) of the user's, %zu "
                 "line(s) left out)",
                 u->path, u->prefs->nrescore, u->prefs->nrules, u->prefs->refused);
    free(text);
}

/* The preferences for user, from the cache or the file; NULL: the site's. */
static const struct sa_prefs *
scanner_prefs(struct scanner *s, const char *user)
{
    char path[4096];
    struct stat st;
    struct scanner_user *u = NULL;

    if (s->prefs_path == NULL || user == NULL)
        return NULL;
    if (scanner_prefs_path(s->prefs_path, user, path, sizeof(path)) == -1) {
        log_debug("user_prefs: no preferences for user \"%s\" (no such user, or not a name to "
                  "build a path from)",
                  user);
        return NULL;
    }
    if (stat(path, &st) == -1) {
        if (errno != ENOENT && errno != ENOTDIR)
            log_warn("user_prefs: %s: %s; using the site's settings", path, strerror(errno));
        memset(&st, 0, sizeof(st));
    }
    for (size_t i = 0; i < s->nusers; i++) {
        if (strcmp(s->users[i].path, path) == 0) {
            u = &s->users[i];
            break;
        }
    }
    if (u == NULL) {
        if (s->nusers < s->prefs_max) {
            u = &s->users[s->nusers++];
        } else {
            u = &s->users[0];
            for (size_t i = 1; i < s->nusers; i++) {
                if (s->users[i].used < u->used)
                    u = &s->users[i];
            }
            scanner_user_clear(u);
        }
        u->path = xstrdup(path);
        scanner_user_load(s, u, &st);
    } else if (!scanner_same_file(&u->st, &st)) {
        scanner_user_load(s, u, &st);
    }
    u->used = ++s->tick;
    return u->prefs;
}

void
scanner_scan(struct scanner *s, const char *raw, size_t len, const char *user,
             struct scanner_scan *out)
{
    scanner_scan_set(s, raw, len, user, NULL, out, NULL);
}

int
scanner_scan_set(struct scanner *s, const char *raw, size_t len, const char *user,
                 const struct scan_settings *set, struct scanner_scan *out, struct sift_err *err)
{
    const struct sa_prefs *p = scanner_prefs(s, user);
    const struct scan_actions *base = p != NULL ? &p->actions : &s->rules->actions;
    struct scan_actions acts;
    struct sa_scan_opts so = { 0 };

    if (set != NULL && scan_settings_actions(set, base, &acts, err) == -1)
        return -1;
    out->task = task_new(&s->mime, raw, len, false);
    if (set != NULL) {
        struct scan_actions *a = arena_alloc(out->task->arena, sizeof(*a));

        *a = acts;
        base = a;
    }
    so.prefs = p;
    so.settings = set;
    so.actions = set != NULL ? base : NULL;
    so.bayes_unavailable = classifier_attach(&s->bayes, out->task);
    out->res = sa_rules_scan_opts(s->rules, &so, out->task);
    out->bayes_unavailable = so.bayes_unavailable;
    classifier_autolearn(&s->bayes, s->rules, p != NULL ? p->conf : s->rules->conf, out->task,
                         out->res);
    out->markup = sa_prefs_markup(s->rules, p);
    out->actions = base;
    out->user_prefs = p != NULL;
    return 0;
}

const struct scan_settings *
scanner_settings(const struct scanner *s, const char *id)
{
    for (size_t i = 0; i < s->nsettings; i++) {
        if (strcmp(s->settings[i].id, id) == 0)
            return &s->settings[i].s;
    }
    return NULL;
}

enum classifier_outcome
scanner_learn(struct scanner *s, const char *raw, size_t len, enum classifier_op op, char *msgid,
              size_t msgidlen, struct sift_err *err)
{
    struct task *t = task_new(&s->mime, raw, len, false);
    enum classifier_outcome o = classifier_learn(&s->bayes, t, op, msgid, msgidlen, err);

    task_free(&t);
    return o;
}
