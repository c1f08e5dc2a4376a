/*
 * migrate_out.c - the files of a migration against what is on disk.
 *
 * Every file sift-migrate writes starts with its mark (MIG_MARK) and is
 * listed, with the SHA-256 of what was written, in the target's manifest
 * (MIG_MANIFEST). A file is overwritten only when it is unchanged since
 * sift-migrate wrote it; a file it did not write, or one edited since, is
 * refused (the whole run writes nothing) unless --force. A file an earlier
 * run wrote and this one no longer produces is removed when unedited.
 * Writes go to a temporary file renamed over the old one; the manifest is
 * written last. A second run with the same input finds every file
 * unchanged and writes nothing.
 *
 * Before that, the result is checked as siftd would load it: the stage
 * directory gets the main file, the target's other layer files and the
 * new ones, and the daemon's configuration loader reads it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/xmalloc.h"
#include "daemon/siftd_cfg.h"

#include "migrate/migrate.h"

char *
mig_slurp(struct mig *m, const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    char *text;
    size_t got = 0;

    if (fd == -1)
        return NULL;
    if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size > 64 * 1024 * 1024) {
        close(fd);
        errno = EINVAL;
        return NULL;
    }
    text = arena_alloc(m->a, (size_t)st.st_size + 1);
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, text + got, (size_t)st.st_size - got);

        if (n <= 0) {
            if (n == -1 && errno == EINTR)
                continue;
            break;
        }
        got += (size_t)n;
    }
    close(fd);
    text[got] = '\0';
    *len = got;
    return text;
}

static int
out_mkdirs(const char *path, struct sift_err *err)
{
    char dir[4096];

    snprintf(dir, sizeof(dir), "%s", path);
    for (char *p = dir + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
            sift_err_set(err, "%s: %s", dir, strerror(errno));
            return -1;
        }
        *p = '/';
    }
    return 0;
}

static int
out_write(const char *path, const char *text, size_t len, unsigned mode, struct sift_err *err)
{
    char tmp[4200];
    int fd;
    size_t done = 0;

    if (out_mkdirs(path, err) == -1)
        return -1;
    snprintf(tmp, sizeof(tmp), "%s.sift-migrate.%ld", path, (long)getpid());
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)) == -1) {
        sift_err_set(err, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);

        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1) {
            sift_err_set(err, "%s: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            return -1;
        }
        done += (size_t)n;
    }
    if (fsync(fd) == -1 || close(fd) == -1 || rename(tmp, path) == -1) {
        sift_err_set(err, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int
mig_stage_write(struct mig *m, const char *rel, const char *text, size_t len, struct sift_err *err)
{
    return out_write(arena_printf(m->a, "%s/%s", m->stage, rel), text, len, 0644, err);
}

/* ---- configtest ---- */

/* The target's own layer files (not ours) into the stage. */
static void
out_stage_layers(struct mig *m, const char *sub)
{
    const char *dir = arena_printf(m->a, "%s/%s", m->target, sub);
    DIR *d = opendir(dir);
    struct dirent *de;
    struct sift_err err;

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        const char *rel = arena_printf(m->a, "%s/%s", sub, de->d_name);
        size_t len, n = strlen(de->d_name);
        char *text;
        bool ours = false;

        if (de->d_name[0] == '.' || n < 6 || strcmp(de->d_name + n - 5, ".yaml") != 0)
            continue;
        for (size_t i = 0; i < m->nfiles && !ours; i++)
            ours = strcmp(m->files[i].rel, rel) == 0;
        if (!ours && (text = mig_slurp(m, arena_printf(m->a, "%s/%s", dir, de->d_name), &len)))
            mig_stage_write(m, rel, text, len, &err);
    }
    closedir(d);
}

/* A message about the stage, as it will be about the target. */
static const char *
out_unstage(struct mig *m, const char *msg)
{
    struct buf b;
    const char *p, *r;
    size_t n = strlen(m->stage);

    buf_init(&b);
    while ((p = strstr(msg, m->stage)) != NULL) {
        buf_append(&b, msg, (size_t)(p - msg));
        buf_puts(&b, m->target);
        msg = p + n;
    }
    buf_puts(&b, msg);
    r = arena_strdup(m->a, b.p);
    buf_clear(&b);
    return r;
}

int
mig_configtest(struct mig *m, struct sift_err *err)
{
    const char *main_file = arena_printf(m->a, "%s/sift.yaml", m->stage);
    struct siftd_cfg *sc;
    struct sift_err e;
    size_t len;
    char *text;

    if (m->o.out == NULL) {
        /* the target's main file, else the stock one it will be */
        if ((text = mig_slurp(m, arena_printf(m->a, "%s/sift.yaml", m->target), &len)) == NULL) {
            text = (char *)m->stock_text;
            len = strlen(text);
        }
        if (mig_stage_write(m, "sift.yaml", text, len, err) == -1)
            return -1;
        out_stage_layers(m, "local.d");
        out_stage_layers(m, "override.d");
    }
    for (size_t i = 0; i < m->nfiles; i++) {
        const struct mig_file *f = &m->files[i];

        if (strstr(f->rel, ".yaml") != NULL &&
            mig_stage_write(m, f->rel, f->text.p, f->text.len, err) == -1)
            return -1;
    }
    if (siftd_cfg_load(main_file, NULL, 0, &sc, &e) == -1) {
        m->configtest = arena_printf(m->a, "FAILED: %s", out_unstage(m, e.msg));
        mig_error(m, "the configuration written does not load: %s", out_unstage(m, e.msg));
        return 0;
    }
    for (size_t i = 0; i < sc->cfg->nwarnings; i++)
        mig_item(m, "configtest", out_unstage(m, sc->cfg->warnings[i]), MIG_WARN, NULL, NULL);
    m->configtest =
        arena_printf(m->a, "OK (%zu file(s), %zu warning(s))", sc->cfg->nfiles, sc->cfg->nwarnings);
    m->configtest_ok = true;
    siftd_cfg_free(&sc);
    return 0;
}

/* ---- the manifest ---- */

struct out_entry {
    const char *hash, *rel;
};

static void
out_hash(const char *text, size_t len, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(h, (const unsigned char *)text, len);
    sodium_bin2hex(hex, 65, h, sizeof(h));
}

static size_t
out_manifest(struct mig *m, struct out_entry **out)
{
    size_t len, n = 0;
    char *text = mig_slurp(m, arena_printf(m->a, "%s/%s", m->target, MIG_MANIFEST), &len);
    char *line, *save = NULL;
    struct out_entry *v;

    *out = NULL;
    if (text == NULL)
        return 0;
    v = arena_calloc(m->a, len / 2 + 1, sizeof(*v));
    for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        char *sp = strchr(line, ' ');

        if (line[0] == '#' || sp == NULL)
            continue;
        *sp = '\0';
        v[n].hash = line;
        v[n].rel = sp + 1;
        n++;
    }
    *out = v;
    return n;
}

static const struct out_entry *
out_find(const struct out_entry *v, size_t n, const char *rel)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].rel, rel) == 0)
            return &v[i];
    return NULL;
}

int
mig_compare(struct mig *m, struct sift_err *err)
{
    struct out_entry *man;
    size_t nman = out_manifest(m, &man), nfiles = m->nfiles;
    char hex[65];

    (void)err;
    for (size_t i = 0; i < nfiles; i++) {
        struct mig_file *f = &m->files[i];
        const struct out_entry *e = out_find(man, nman, f->rel);
        size_t len;
        char *old = mig_slurp(m, arena_printf(m->a, "%s/%s", m->target, f->rel), &len);

        f->old = old;
        f->oldlen = old != NULL ? len : 0;
        if (old == NULL) {
            f->status = MIG_FILE_NEW;
            continue;
        }
        if (len == f->text.len && memcmp(old, f->text.p, len) == 0) {
            f->status = MIG_FILE_UNCHANGED;
            continue;
        }
        out_hash(old, len, hex);
        f->status = MIG_FILE_CHANGED;
        if (e != NULL && strcmp(e->hash, hex) != 0)
            f->why = "edited since sift-migrate wrote it";
        else if (e == NULL && strncmp(old, MIG_MARK, strlen(MIG_MARK)) != 0)
            f->why = "not written by sift-migrate";
        if (f->why != NULL && !m->o.force) {
            f->status = MIG_FILE_CONFLICT;
            mig_error(m, "%s/%s: %s: not overwritten (--force overwrites it)", m->target, f->rel,
                      f->why);
        } else if (f->why != NULL) {
            f->why = arena_printf(m->a, "%s; overwritten (--force)", f->why);
        }
    }
    /* what an earlier run wrote and this one does not */
    for (size_t i = 0; i < nman; i++) {
        struct mig_file *f;
        size_t len;
        char *old;
        bool ours = false;

        if (strncmp(man[i].rel, "bayes ", 6) == 0)
            continue;
        for (size_t k = 0; k < nfiles && !ours; k++)
            ours = strcmp(m->files[k].rel, man[i].rel) == 0;
        old = mig_slurp(m, arena_printf(m->a, "%s/%s", m->target, man[i].rel), &len);
        if (ours || old == NULL)
            continue;
        f = mig_file_add(m, man[i].rel, 0644);
        f->old = old;
        f->oldlen = len;
        out_hash(old, len, hex);
        if (strcmp(hex, man[i].hash) == 0) {
            f->status = MIG_FILE_REMOVED;
        } else {
            f->status = MIG_FILE_KEPT;
            f->why = "no longer produced, but edited since: left alone";
        }
    }
    /* a database to copy into: ours, or refused */
    if (m->o.bayes == MIG_BAYES_COPY && m->o.bayes_dest != NULL &&
        access(arena_printf(m->a, "%s_toks", m->o.bayes_dest), F_OK) == 0 &&
        out_find(man, nman, arena_printf(m->a, "bayes %s", m->o.bayes_dest)) == NULL && !m->o.force)
        mig_error(m,
                  "%s: a Bayes database sift-migrate did not make: not overwritten (--force "
                  "overwrites it)",
                  m->o.bayes_dest);
    return 0;
}

/* ---- showing ---- */

/* diff -u old new into out (diff's own output; the whole new text when
 * there is no diff program). */
static void
out_diff_one(const struct mig *m, const struct mig_file *f, struct buf *out)
{
    struct mig *mm = (struct mig *)m;
    const char *a = arena_printf(mm->a, "%s/.diff-a", m->stage);
    const char *b = arena_printf(mm->a, "%s/.diff-b", m->stage);
    const char *la = arena_printf(mm->a, "a/%s", f->rel), *lb = arena_printf(mm->a, "b/%s", f->rel);
    const char *del = f->status == MIG_FILE_REMOVED ? "" : f->text.p;
    size_t dlen = f->status == MIG_FILE_REMOVED ? 0 : f->text.len;
    struct sift_err err;
    int pfd[2];
    pid_t pid;
    char chunk[4096];
    ssize_t n;

    if (out_write(a, f->old != NULL ? f->old : "", f->oldlen, 0600, &err) == -1 ||
        out_write(b, del, dlen, 0600, &err) == -1 || pipe(pfd) == -1)
        return;
    if ((pid = fork()) == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        close(pfd[1]);
        execlp("diff", "diff", "-u", "--label", la, "--label", lb, a, b, (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    while ((n = read(pfd[0], chunk, sizeof(chunk))) > 0)
        buf_append(out, chunk, (size_t)n);
    close(pfd[0]);
    if (pid > 0)
        waitpid(pid, NULL, 0);
}

void
mig_diff(const struct mig *m, struct buf *out)
{
    for (size_t i = 0; i < m->nfiles; i++) {
        const struct mig_file *f = &m->files[i];

        if (f->status == MIG_FILE_NEW || f->status == MIG_FILE_CHANGED ||
            f->status == MIG_FILE_REMOVED || f->status == MIG_FILE_CONFLICT)
            out_diff_one(m, f, out);
    }
}

/* ---- writing ---- */

int
mig_install(struct mig *m, struct sift_err *err)
{
    struct out_entry *man;
    size_t nman = out_manifest(m, &man);
    struct buf mf;
    char hex[65];
    bool changed = false;
    int rc = 0;

    for (size_t i = 0; i < m->nfiles && rc == 0; i++) {
        const struct mig_file *f = &m->files[i];
        const char *path = arena_printf(m->a, "%s/%s", m->target, f->rel);

        if (f->status == MIG_FILE_NEW || f->status == MIG_FILE_CHANGED) {
            rc = out_write(path, f->text.p, f->text.len, f->mode, err);
            changed = true;
        } else if (f->status == MIG_FILE_REMOVED) {
            if (unlink(path) == -1 && errno != ENOENT) {
                sift_err_set(err, "%s: %s", path, strerror(errno));
                rc = -1;
            }
            changed = true;
        }
    }
    if (rc == -1)
        return -1;
    buf_init(&mf);
    buf_puts(&mf, "# sift-migrate: the files it wrote here, with the SHA-256 of what it wrote.\n"
                  "# It overwrites a file only while its content still has this hash.\n");
    for (size_t i = 0; i < m->nfiles; i++) {
        const struct mig_file *f = &m->files[i];

        if (f->status == MIG_FILE_REMOVED)
            continue;
        if (f->status == MIG_FILE_KEPT) {
            const struct out_entry *e = out_find(man, nman, f->rel);

            buf_printf(&mf, "%s %s\n", e != NULL ? e->hash : "-", f->rel);
            continue;
        }
        out_hash(f->text.p, f->text.len, hex);
        buf_printf(&mf, "%s %s\n", hex, f->rel);
    }
    if (m->o.bayes == MIG_BAYES_COPY && m->o.bayes_dest != NULL)
        buf_printf(&mf, "- bayes %s\n", m->o.bayes_dest);
    {
        size_t len;
        const char *path = arena_printf(m->a, "%s/%s", m->target, MIG_MANIFEST);
        char *old = mig_slurp(m, path, &len);

        if (old == NULL || len != mf.len || memcmp(old, mf.p, len) != 0 || changed)
            rc = out_write(path, mf.p, mf.len, 0644, err);
    }
    buf_clear(&mf);
    if (rc == 0)
        rc = mig_bayes_install(m, err);
    return rc;
}
