/*
 * bayes_bdb_session.c - the Berkeley DB store's handles and write sessions:
 * opening _toks and _seen (version checks), reopening them when another
 * process swapped the files or the environment was recovered, the stamp
 * that tells sift when SpamAssassin wrote the files behind the
 * environment's back (and the refresh that follows), and the write session
 * around every change: SA's lock, the writer's mark, then the pages written
 * out for SA before the lock is let go.
 */
#include "stat/bayes_bdb_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BDB_CKP_KBYTES  1024 /* checkpoint after this much log... */
#define BDB_CKP_MINUTES 5    /* ...or this long */

/* ---- files and handles ---- */

void
bdb_fstat(const char *path, struct bdb_fstat *st)
{
    struct stat sb;

    memset(st, 0, sizeof(*st));
    if (stat(path, &sb) == -1)
        return;
    st->exists = 1;
    st->dev = (uint64_t)sb.st_dev;
    st->ino = (uint64_t)sb.st_ino;
    st->size = (uint64_t)sb.st_size;
    st->mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
}

static bool
fstat_eq(const struct bdb_fstat *a, const struct bdb_fstat *b)
{
    return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime_ns == b->mtime_ns;
}

bool
bdb_file_exists(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0;
}

void
bdb_db_close(struct bdb_file *f)
{
    if (f->db != NULL)
        f->db->close(f->db, 0);
    f->db = NULL;
}

/* Open one file; ENOENT when it is absent and not to be created. */
static int
db_open(struct bayes_bdb *b, struct bdb_file *f, DBTYPE type, u_int32_t flags)
{
    DB *db;
    int ret;

    if ((ret = db_create(&db, b->e->env, 0)) != 0)
        return ret;
    ret = db->open(db, NULL, f->name, NULL, type, flags, (int)b->opts.file_mode);
    if (ret != 0) {
        db->close(db, 0);
        return ret;
    }
    f->db = db;
    return 0;
}

int
bdb_state_open(struct bayes_bdb *b, struct sift_err *err)
{
    bool rw = b->base.flags & BAYES_STORE_RDWR;
    int ret;

    if (b->state.db != NULL)
        return 0;
    if (!rw && !bdb_file_exists(b->state.path))
        return 0; /* no sift writer yet: nothing to compare with */
    /* a reader writes it too when it finds the files changed by SA (and
     * can: the same user as the writers) */
    ret = db_open(b, &b->state, DB_BTREE,
                  rw                                 ? DB_CREATE | DB_AUTO_COMMIT
                  : access(b->state.path, W_OK) == 0 ? DB_AUTO_COMMIT
                                                     : DB_RDONLY | DB_AUTO_COMMIT);
    if (ret == ENOENT && !rw)
        return 0;
    if (ret != 0) {
        bdb_fail(b, err, ret, "%s", b->state.name);
        return -1;
    }
    return 0;
}

/* Does the table hold anything at all (a token, a magic value)? */
static int
toks_empty(struct bayes_bdb *b, bool *empty)
{
    DBC *c;
    DBT k, d;
    int ret;

    memset(&k, 0, sizeof(k));
    memset(&d, 0, sizeof(d));
    *empty = false;
    if ((ret = b->toks.db->cursor(b->toks.db, NULL, &c, DB_READ_COMMITTED)) != 0)
        return ret;
    k.flags = d.flags = DB_DBT_PARTIAL | DB_DBT_USERMEM;
    ret = c->get(c, &k, &d, DB_FIRST);
    c->close(c);
    if (ret == DB_NOTFOUND) {
        *empty = true;
        return 0;
    }
    return ret == DB_BUFFER_SMALL ? 0 : ret;
}

/* Open _toks and _seen as the store was opened, and check the version:
 * 3, or nothing at all in the table (*empty: a new database). */
enum bayes_store_status
bdb_open_handles(struct bayes_bdb *b, bool *empty, struct sift_err *err)
{
    unsigned fl = b->base.flags;
    bool rw = fl & BAYES_STORE_RDWR, exists;
    char buf[48];
    int ret;

    *empty = false;
    ret = db_open(b, &b->toks, DB_HASH,
                  rw ? DB_AUTO_COMMIT | (fl & BAYES_STORE_CREATE ? DB_CREATE : 0)
                     : DB_RDONLY | DB_AUTO_COMMIT);
    if (ret == ENOENT) {
        sift_err_set(err, "bayes: %s: no Bayes database", b->toks.path);
        return BAYES_STORE_MISSING;
    }
    if (ret != 0) {
        bdb_fail(b, err, ret, "%s: not a Berkeley DB hash database, or damaged", b->toks.name);
        return BAYES_STORE_FAIL;
    }
    if ((ret = bdb_magic_raw(b->toks.db, NULL, BDB_DBVERSION, 0, buf, sizeof(buf), &exists)) != 0 ||
        (!exists && (ret = toks_empty(b, empty)) != 0)) {
        bdb_fail(b, err, ret, "%s: reading the version", b->toks.name);
        bdb_db_close(&b->toks);
        return BAYES_STORE_FAIL;
    }
    if ((exists && bdb_strict_num(buf) != BAYES_BDB_VERSION) || (!exists && !*empty)) {
        sift_err_set(err,
                     "bayes: %s: a version %llu Bayes database; sift reads version %d only "
                     "(SpamAssassin 3.0 and later; sa-learn --sync upgrades older ones)",
                     b->toks.path, exists ? (unsigned long long)bdb_strict_num(buf) : 0ULL,
                     BAYES_BDB_VERSION);
        bdb_db_close(&b->toks);
        return BAYES_STORE_FAIL;
    }
    /* bug 2975: SA accepts a missing _seen and makes a new one */
    ret =
        db_open(b, &b->seen, DB_HASH, rw ? DB_AUTO_COMMIT | DB_CREATE : DB_RDONLY | DB_AUTO_COMMIT);
    if (ret == ENOENT && !rw)
        ret = 0;
    if (ret != 0) {
        bdb_fail(b, err, ret, "%s: not a Berkeley DB hash database, or damaged", b->seen.name);
        bdb_db_close(&b->toks);
        return BAYES_STORE_FAIL;
    }
    b->epoch = b->e->epoch;
    return BAYES_STORE_OK;
}

int
bdb_reopen(struct bayes_bdb *b, struct sift_err *err)
{
    bool empty;

    bdb_db_close(&b->toks);
    bdb_db_close(&b->seen);
    return bdb_open_handles(b, &empty, err) == BAYES_STORE_OK ? 0 : -1;
}

/* Our handles belong to an environment that was closed (recovery): they
 * were closed with it. Open them again. */
int
bdb_ready(struct bayes_bdb *b, struct sift_err *err)
{
    bool empty;

    if (b->e->env == NULL && bdb_env_restart(b->e, err) == -1)
        return -1; /* a reopen after recovery failed: try again */
    if (b->epoch == b->e->epoch && b->toks.db != NULL)
        return 0;
    if (b->epoch != b->e->epoch) /* closed with the old environment */
        b->toks.db = b->seen.db = b->state.db = NULL;
    if (bdb_state_open(b, err) == -1)
        return -1;
    return bdb_open_handles(b, &empty, err) == BAYES_STORE_OK ? 0 : -1;
}

bool
bdb_retryable(struct bayes_bdb *b, int ret, int attempt)
{
    struct sift_err ignored;

    switch (ret) {
    case DB_LOCK_DEADLOCK:
        return attempt < BDB_RETRIES;
    case DB_LOCK_NOTGRANTED:
        /* the holder may have died: roll its transaction back */
        if (attempt >= 3)
            return false;
        if (b->e->env->failchk(b->e->env, 0) != DB_RUNRECOVERY)
            return true;
        /* fall through */
    case DB_RUNRECOVERY:
        /* another process is recovering the environment (one died in
         * it): reopen once that is done, which may take a moment */
        if (attempt >= 3)
            return false;
        if (b->epoch == b->e->epoch || b->e->env == NULL) {
            for (int i = 0;; i++) {
                nanosleep(&(struct timespec){ 0, 20000000L * (i + 1) }, NULL);
                if (bdb_env_restart(b->e, &ignored) == 0)
                    break;
                if (i >= 10)
                    return false;
            }
        }
        return bdb_ready(b, &ignored) == 0;
    default:
        return false;
    }
}

/* ---- the stamp: what the files looked like when sift let go of them ---- */

int
bdb_stamp_get(struct bayes_bdb *b, struct bdb_stamp *s, bool *found)
{
    DBT k, d;
    int ret;

    *found = false;
    memset(s, 0, sizeof(*s));
    if (b->state.db == NULL)
        return 0;
    memset(&k, 0, sizeof(k));
    memset(&d, 0, sizeof(d));
    k.data = "stamp";
    k.size = 5;
    d.data = s;
    d.ulen = sizeof(*s);
    d.flags = DB_DBT_USERMEM;
    ret = b->state.db->get(b->state.db, NULL, &k, &d, DB_READ_COMMITTED);
    if (ret == DB_NOTFOUND || (ret == 0 && (d.size != sizeof(*s) || s->version != 1))) {
        memset(s, 0, sizeof(*s));
        return 0;
    }
    if (ret == DB_BUFFER_SMALL)
        return 0;
    *found = ret == 0;
    return ret;
}

int
bdb_stamp_put(struct bayes_bdb *b, const struct bdb_stamp *s, bool sync)
{
    DB_TXN *txn;
    DBT k, d;
    int ret;

    memset(&k, 0, sizeof(k));
    memset(&d, 0, sizeof(d));
    k.data = "stamp";
    k.size = 5;
    d.data = (void *)s;
    d.size = sizeof(*s);
    if (b->state.db == NULL)
        return 0; /* a reader before any writer made the file */
    if ((ret = b->e->env->txn_begin(b->e->env, NULL, &txn, sync ? 0 : DB_TXN_NOSYNC)) != 0)
        return ret;
    if ((ret = b->state.db->put(b->state.db, txn, &k, &d, 0)) != 0) {
        txn->abort(txn);
        return ret;
    }
    return txn->commit(txn, 0);
}

u_int32_t
bdb_txn_flags(const struct bayes_bdb *b)
{
    return b->base.batch ? DB_TXN_WRITE_NOSYNC : 0;
}

static bool
stamp_matches(struct bayes_bdb *b, const struct bdb_stamp *s)
{
    struct bdb_fstat t, n;

    bdb_fstat(b->toks.path, &t);
    bdb_fstat(b->seen.path, &n);
    return fstat_eq(&t, &s->toks) && fstat_eq(&n, &s->seen);
}

/* Holding SA's lock, with the files changed behind sift's back (or never
 * stamped): bring the cache up to date. Everything dirty is written first;
 * then the files get new file ids, so that no process reads the pages
 * cached under the old ones; a new generation tells the others to reopen. */
static int
bdb_refresh(struct bayes_bdb *b, struct sift_err *err)
{
    struct bdb_stamp s;
    bool found;
    int ret;

    if ((ret = bdb_stamp_get(b, &s, &found)) != 0) {
        bdb_fail(b, err, ret, "reading %s", b->state.name);
        return -1;
    }
    if (found && s.gen != b->gen) {
        if (bdb_reopen(b, err) == -1)
            return -1;
        b->gen = s.gen;
    }
    if (found && (s.writer_pid != 0 || stamp_matches(b, &s)))
        return 0; /* another process did it meanwhile */
    if ((ret = b->e->env->txn_checkpoint(b->e->env, 0, 0, 0)) != 0) {
        bdb_fail(b, err, ret, "checkpoint");
        return -1;
    }
    bdb_db_close(&b->toks);
    bdb_db_close(&b->seen);
    if ((bdb_file_exists(b->toks.path) &&
         (ret = b->e->env->fileid_reset(b->e->env, b->toks.name, 0)) != 0) ||
        (bdb_file_exists(b->seen.path) &&
         (ret = b->e->env->fileid_reset(b->e->env, b->seen.name, 0)) != 0)) {
        bdb_fail(b, err, ret, "new file ids");
        return -1;
    }
    if (bdb_reopen(b, err) == -1)
        return -1;
    if (!found) {
        memset(&s, 0, sizeof(s));
        s.version = BDB_STAMP_VERSION;
    }
    s.gen++;
    s.writer_pid = 0;
    bdb_fstat(b->toks.path, &s.toks);
    bdb_fstat(b->seen.path, &s.seen);
    if ((ret = bdb_stamp_put(b, &s, true)) != 0) {
        bdb_fail(b, err, ret, "writing %s", b->state.name);
        return -1;
    }
    b->gen = s.gen;
    return 0;
}

/* Before using the handles: reopen them if another process swapped or
 * refreshed the files; refresh if SA wrote them since sift last did.
 * locked: we hold SA's lock (a writer); else the lock is tried once, and 1
 * (err set) means SA is writing the files right now. */
int
bdb_check(struct bayes_bdb *b, bool locked, struct sift_err *err)
{
    struct bdb_stamp s;
    bool found;
    int ret, rc;

    for (int attempt = 0;; attempt++) {
        if (bdb_ready(b, err) == -1)
            return -1;
        if (b->state.db == NULL && bdb_state_open(b, err) == -1)
            return -1;
        if ((ret = bdb_stamp_get(b, &s, &found)) == 0)
            break;
        if (!bdb_retryable(b, ret, attempt)) { /* e.g. recovery by another process */
            bdb_fail(b, err, ret, "reading %s", b->state.name);
            return -1;
        }
    }
    if (found && s.gen != b->gen) {
        if (bdb_reopen(b, err) == -1)
            return -1;
        b->gen = s.gen;
    }
    if (found && (s.writer_pid != 0 || stamp_matches(b, &s)))
        return 0;
    if (!locked) {
        if (!found)
            return 0; /* no sift writer yet: the first one stamps */
        if (bdb_lock_take(&b->lock, 0, err) == -1) {
            sift_err_set(err,
                         "bayes: %s: the files were changed by another program, which is "
                         "still writing them (%s)",
                         b->prefix, b->lock.path);
            return 1;
        }
    }
    rc = bdb_refresh(b, err);
    if (!locked)
        bdb_lock_release(&b->lock);
    return rc;
}

/* ---- write sessions ---- */

/* With SA's lock held: check the files, mark the stamp as being written. */
int
bdb_session_enter(struct bayes_bdb *b, struct sift_err *err)
{
    struct bdb_stamp s;
    bool found;
    int ret;

    if (bdb_check(b, true, err) != 0)
        return -1;
    if ((ret = bdb_stamp_get(b, &s, &found)) != 0) {
        bdb_fail(b, err, ret, "reading %s", b->state.name);
        return -1;
    }
    s.writer_pid = (int32_t)getpid();
    /* no wait for the disk: the log reaches it before any page we write */
    if ((ret = bdb_stamp_put(b, &s, false)) != 0) {
        bdb_fail(b, err, ret, "writing %s", b->state.name);
        return -1;
    }
    if (bdb_journal_due(b) && bdb_journal_sync(b, err) == -1)
        return -1;
    return 0;
}

int
bdb_write_begin(struct bayes_bdb *b, struct sift_err *err)
{
    if (b->lock.held) {
        bdb_lock_refresh(&b->lock);
        return bdb_ready(b, err);
    }
    if (bdb_lock_take(&b->lock, b->opts.lock_wait, err) == -1)
        return -1;
    if (bdb_session_enter(b, err) == -1) {
        bdb_write_flush(b, NULL);
        return -1;
    }
    return 0;
}

int
bdb_write_flush(struct bayes_bdb *b, struct sift_err *err)
{
    struct bdb_stamp s;
    bool found;
    int ret, written;

    if (!b->lock.held)
        return 0;
    if (b->e->env == NULL) { /* lost in a failed reopen: nothing to write */
        bdb_lock_release(&b->lock);
        return -1;
    }
    /* The files themselves current before SA may open them: every dirty
     * page written (to the OS: the log is what makes the changes durable,
     * and it is on disk, batch commits included, after log_flush). A
     * checkpoint now and then lets the old logs go. */
    if ((ret = b->e->env->log_flush(b->e->env, NULL)) != 0 ||
        (ret = b->e->env->memp_trickle(b->e->env, 100, &written)) != 0 ||
        (ret = b->e->env->txn_checkpoint(b->e->env, BDB_CKP_KBYTES, BDB_CKP_MINUTES, 0)) != 0) {
        bdb_fail(b, err, ret, "writing the files");
        bdb_lock_release(&b->lock);
        return -1; /* the stamp keeps our pid: nobody takes our writes for SA's */
    }
    if ((ret = bdb_stamp_get(b, &s, &found)) == 0) {
        s.version = BDB_STAMP_VERSION;
        s.writer_pid = 0;
        bdb_fstat(b->toks.path, &s.toks);
        bdb_fstat(b->seen.path, &s.seen);
        ret = bdb_stamp_put(b, &s, false);
    }
    bdb_lock_release(&b->lock);
    if (ret != 0) {
        bdb_fail(b, err, ret, "writing %s", b->state.name);
        return -1;
    }
    return 0;
}

int
bdb_write_end(struct bayes_bdb *b, struct sift_err *err)
{
    if (b->base.batch)
        return 0;
    return bdb_write_flush(b, err);
}
