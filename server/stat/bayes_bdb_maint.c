/*
 * bayes_bdb_maint.c - the Berkeley DB store's upkeep, as BayesStore/DBM.pm
 * and BayesStore.pm do it: expiry (sa-learn --force-expire) and the
 * replacement of everything (sa-learn --restore).
 *
 * Expiry and restore write a new file beside the old one and rename it over
 * it, as SA does (DB_File never shrinks a file): readers go on reading the
 * old file untouched, then move to the new one on their next call.
 */
#include "stat/bayes_bdb_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/xmalloc.h"

#define BDB_MIN_KEEP    100000 /* expiry never keeps fewer tokens */
#define BDB_MIN_REDUCE  1000   /* nor removes fewer */
#define BDB_BUILD_CACHE (16u << 20)

/* ---- new files ---- */

/* A new hash file outside the environment (no log: it is renamed in
 * whole or removed), sized for about n keys. */
static int
build_open(struct bayes_bdb *b, const char *path, size_t n, DB **out, struct sift_err *err)
{
    DB *db;
    int ret;

    unlink(path); /* a leftover of an interrupted run */
    if ((ret = db_create(&db, NULL, 0)) != 0) {
        sift_err_set(err, "bayes: %s: %s", path, db_strerror(ret));
        return -1;
    }
    db->set_cachesize(db, 0, BDB_BUILD_CACHE, 1);
    if (n > 0)
        db->set_h_nelem(db, (u_int32_t)(n > UINT32_MAX ? UINT32_MAX : n));
    if ((ret = db->open(db, NULL, path, NULL, DB_HASH, DB_CREATE | DB_EXCL,
                        (int)b->opts.file_mode)) != 0) {
        sift_err_set(err, "bayes: %s: %s", path, db_strerror(ret));
        db->close(db, 0);
        return -1;
    }
    *out = db;
    return 0;
}

/* Close (writing everything), make it durable, give it the store's mode. */
static int
build_finish(struct bayes_bdb *b, DB *db, const char *path, struct sift_err *err)
{
    int ret, fd;

    if ((ret = db->close(db, 0)) != 0) {
        sift_err_set(err, "bayes: %s: %s", path, db_strerror(ret));
        unlink(path);
        return -1;
    }
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 || fsync(fd) == -1) {
        sift_err_set(err, "bayes: %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        unlink(path);
        return -1;
    }
    close(fd);
    chmod(path, b->opts.file_mode & 0666);
    return 0;
}

static int
build_put(DB *db, const void *key, size_t klen, const void *val, size_t vlen, bool *added)
{
    DBT k, d;
    int ret;

    memset(&k, 0, sizeof(k));
    memset(&d, 0, sizeof(d));
    k.data = (void *)key;
    k.size = (u_int32_t)klen;
    d.data = (void *)val;
    d.size = (u_int32_t)vlen;
    ret = db->put(db, NULL, &k, &d, DB_NOOVERWRITE);
    *added = ret == 0;
    if (ret == DB_KEYEXIST) /* a duplicate in a restore: the last one wins */
        ret = db->put(db, NULL, &k, &d, 0);
    return ret;
}

struct magic_val {
    const char *name;
    int64_t v;
};

/* Magic values into a new file. */
static int
build_magic(DB *db, const struct magic_val *m, size_t n)
{
    char kbuf[64], vbuf[32];
    bool added;
    int ret;

    for (size_t i = 0; i < n; i++) {
        size_t kl = strlen(m[i].name);
        int vl = snprintf(vbuf, sizeof(vbuf), "%lld", (long long)m[i].v);

        memcpy(kbuf, BAYES_BDB_MAGIC, BAYES_BDB_MAGIC_LEN);
        memcpy(kbuf + BAYES_BDB_MAGIC_LEN, m[i].name, kl);
        if ((ret = build_put(db, kbuf, BAYES_BDB_MAGIC_LEN + kl, vbuf, (size_t)vl, &added)) != 0)
            return ret;
    }
    return 0;
}

static void
fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int
bdb_swap_files(struct bayes_bdb *b, const char *tmp_toks, const char *tmp_seen,
               struct sift_err *err)
{
    struct bdb_stamp s;
    bool found;
    int ret;

    /* nothing of the old files left dirty in the cache */
    if ((ret = b->e->env->txn_checkpoint(b->e->env, 0, 0, DB_FORCE)) != 0) {
        bdb_fail(b, err, ret, "checkpoint");
        return -1;
    }
    b->toks.db->close(b->toks.db, 0);
    b->toks.db = NULL;
    if (b->seen.db != NULL)
        b->seen.db->close(b->seen.db, 0);
    b->seen.db = NULL;
    if ((tmp_toks != NULL && rename(tmp_toks, b->toks.path) == -1) ||
        (tmp_seen != NULL && rename(tmp_seen, b->seen.path) == -1)) {
        sift_err_set(err, "bayes: renaming the new files into place: %s", strerror(errno));
        bdb_reopen(b, NULL);
        return -1;
    }
    fsync_dir(b->dir);
    if (bdb_reopen(b, err) == -1)
        return -1;
    /* a new generation: every process reopens its handles */
    if ((ret = bdb_stamp_get(b, &s, &found)) == 0) {
        s.version = BDB_STAMP_VERSION;
        s.gen++;
        s.writer_pid = (int32_t)getpid();
        ret = bdb_stamp_put(b, &s, true);
    }
    if (ret != 0) {
        bdb_fail(b, err, ret, "writing %s", b->state.name);
        return -1;
    }
    b->gen = s.gen;
    return 0;
}

/* ---- expiry ---- */

struct expire_scan {
    uint64_t *delta; /* delta[k]: tokens at least period << k old */
    unsigned max_exponent;
    uint32_t period;
    uint32_t newest;
};

static int
walk_tokens(struct bayes_bdb *b,
            int (*fn)(void *, const struct bayes_store_key *, const struct bayes_store_counts *),
            void *arg)
{
    struct bayes_store_counts c;
    DBC *cur;
    DBT k, d;
    int ret;

    memset(&k, 0, sizeof(k));
    memset(&d, 0, sizeof(d));
    k.flags = d.flags = DB_DBT_REALLOC;
    if ((ret = b->toks.db->cursor(b->toks.db, NULL, &cur, DB_READ_COMMITTED)) != 0)
        return ret;
    while ((ret = cur->get(cur, &k, &d, DB_NEXT)) == 0) {
        if (k.size != BAYES_KEY_LEN || bdb_is_magic(k.data, k.size))
            continue;
        bayes_bdb_unpack(d.data, d.size, &c);
        if ((ret = fn(arg, k.data, &c)) != 0)
            break;
    }
    cur->close(cur);
    free(k.data);
    free(d.data);
    return ret == DB_NOTFOUND ? 0 : ret;
}

/* calculate_expire_delta */
static int
expire_count(void *arg, const struct bayes_store_key *key, const struct bayes_store_counts *c)
{
    struct expire_scan *x = arg;
    int64_t age = (int64_t)x->newest - (int64_t)c->atime;

    (void)key;
    for (unsigned k = 0; k <= x->max_exponent; k++) {
        if (age < (int64_t)x->period << k)
            break;
        x->delta[k]++;
    }
    return 0;
}

struct expire_copy {
    DB *db;
    uint32_t too_old, newest, oldest;
    struct bayes_expire_result *res;
    int ret;
};

/* token_expiration's copy */
static int
expire_copy(void *arg, const struct bayes_store_key *key, const struct bayes_store_counts *c)
{
    struct expire_copy *x = arg;
    struct bayes_store_counts n = *c;
    uint8_t v[BAYES_BDB_PACK_MAX];
    bool added;

    if (c->atime < x->too_old) {
        x->res->deleted++;
        return 0;
    }
    if (n.atime > x->newest)
        n.atime = x->newest;
    if ((x->ret = build_put(x->db, key->b, BAYES_KEY_LEN, v, bayes_bdb_pack(&n, v), &added)) != 0)
        return -1;
    if (x->res->kept++ == 0 || n.atime < x->oldest)
        x->oldest = n.atime;
    if (n.spam + n.ham == 1)
        x->res->hapaxes++;
    else if (n.spam < 8 && n.ham < 8)
        x->res->lowfreq++;
    return 0;
}

/* Set some magic values of the live table in one transaction. */
static int
set_magic(struct bayes_bdb *b, const char *const *names, const int64_t *vals, size_t n,
          struct sift_err *err)
{
    DB_TXN *txn;
    int ret;

    for (int attempt = 0;; attempt++) {
        if ((ret = b->e->env->txn_begin(b->e->env, NULL, &txn, bdb_txn_flags(b))) != 0) {
            if (!bdb_retryable(b, ret, attempt))
                break;
            continue;
        }
        for (size_t i = 0; i < n && ret == 0; i++)
            ret = bdb_magic_put(b, b->toks.db, txn, names[i], vals[i]);
        if (ret == 0)
            ret = txn->commit(txn, 0);
        else
            txn->abort(txn);
        if (ret == 0 || !bdb_retryable(b, ret, attempt))
            break;
    }
    if (ret != 0) {
        bdb_fail(b, err, ret, "writing %s", b->toks.name);
        return -1;
    }
    return 0;
}

static int
set_last_expire(struct bayes_bdb *b, struct sift_err *err)
{
    const char *names[] = { BDB_LASTEXPIRE };
    int64_t vals[] = { (int64_t)time(NULL) };

    return set_magic(b, names, vals, 1, err);
}

/* expiry_due, without bayes_auto_expire (the caller's) */
static bool
expire_due(const struct bayes_store_stats *s, const struct bayes_expire_cfg *cfg, time_t now)
{
    if ((int64_t)now - (int64_t)s->last_expire < 43200)
        return false;
    return s->ntokens > BDB_MIN_KEEP && cfg->max_db_size <= s->ntokens &&
           s->newest_atime >= s->oldest_atime && s->newest_atime - s->oldest_atime >= 43200 &&
           s->dbversion >= BAYES_BDB_VERSION;
}

/* The first pass: the smallest power-of-two multiple of the period whose
 * removal stays within goal. 0 with res->note set when there is none. */
static uint64_t
expire_search(struct bayes_bdb *b, const struct bayes_expire_cfg *cfg, uint32_t newest,
              int64_t goal, struct bayes_expire_result *res, bool *mark, int *ret)
{
    uint64_t delta[32] = { 0 };
    struct expire_scan x = { delta, cfg->max_exponent, cfg->period, newest };
    unsigned k;
    bool any = false;

    if ((*ret = walk_tokens(b, expire_count, &x)) != 0)
        return 0;
    for (k = 0; k <= cfg->max_exponent; k++)
        any = any || delta[k] > 0;
    *mark = false;
    if (!any) { /* SA returns without marking the expiry done */
        snprintf(res->note, sizeof(res->note), "no token is old enough to expire");
        return 0;
    }
    /* from the largest multiple down: the first that removes too many
     * means the one above it (BayesStore.pm's loop) */
    for (k = cfg->max_exponent + 1; k-- > 0;) {
        if (delta[k] > 0 && (int64_t)delta[k] > goal) {
            k++;
            break;
        }
    }
    if (k == UINT_MAX)
        k = 0;
    if (k > cfg->max_exponent || delta[k] < BDB_MIN_REDUCE) {
        snprintf(res->note, sizeof(res->note),
                 "couldn't find a good delta atime, need more token difference");
        *mark = true;
        return 0;
    }
    return (uint64_t)cfg->period << k;
}

static void
expire_defaults(const struct bayes_expire_cfg *in, struct bayes_expire_cfg *cfg)
{
    *cfg = *in;
    if (cfg->max_db_size == 0)
        cfg->max_db_size = 150000;
    if (cfg->pct <= 0)
        cfg->pct = 0.75;
    if (cfg->period == 0)
        cfg->period = 43200;
    if (cfg->max_exponent == 0)
        cfg->max_exponent = 9;
    if (cfg->max_exponent > 20)
        cfg->max_exponent = 20;
}

/* Copy the tokens at least newest - newdelta old into a new file and put
 * it in place: token_expiration. */
static int
expire_rewrite(struct bayes_bdb *b, const struct bayes_store_stats *s, uint32_t newest,
               uint64_t newdelta, struct bayes_expire_result *res, struct sift_err *err)
{
    char tmp[sizeof(b->toks.path) + 32];
    struct expire_copy x = { 0 };
    DB *db;
    int ret;

    snprintf(tmp, sizeof(tmp), "%s.expire%ld", b->toks.path, (long)getpid());
    if (build_open(b, tmp, s->ntokens, &db, err) == -1)
        return -1;
    x.db = db;
    x.too_old = newdelta > newest ? 0 : (uint32_t)(newest - newdelta);
    x.newest = newest;
    x.res = res;
    ret = walk_tokens(b, expire_copy, &x);
    if (ret == 0 && x.ret != 0)
        ret = x.ret;
    if (ret == 0 && res->kept < BDB_MIN_KEEP) {
        /* "token expiration would expire too many tokens, aborting" */
        const char *names[] = { BDB_LASTEXPIRE, BDB_LASTEXPIREREDUCE, BDB_LASTATIMEDELTA };
        int64_t vals[] = { (int64_t)time(NULL), 0, 0 };

        db->close(db, 0);
        unlink(tmp);
        snprintf(res->note, sizeof(res->note),
                 "expiry would keep %" PRIu64 " tokens, fewer than %d: not done", res->kept,
                 BDB_MIN_KEEP);
        res->kept = s->ntokens;
        res->deleted = res->hapaxes = res->lowfreq = 0;
        return set_magic(b, names, vals, 3, err);
    }
    if (ret == 0) {
        /* token_expiration's magic values (LASTJOURNALSYNC is not carried over) */
        const struct magic_val m[] = {
            { BDB_LASTATIMEDELTA, (int64_t)newdelta },
            { BDB_DBVERSION, BAYES_BDB_VERSION },
            { BDB_NSPAM, (int64_t)s->nspam },
            { BDB_NHAM, (int64_t)s->nham },
            { BDB_NEWESTAGE, newest },
            { BDB_NTOKENS, (int64_t)res->kept },
            { BDB_LASTEXPIRE, (int64_t)time(NULL) },
            { BDB_OLDESTAGE, x.oldest },
            { BDB_LASTEXPIREREDUCE, (int64_t)res->deleted },
        };

        ret = build_magic(db, m, sizeof(m) / sizeof(m[0]));
    }
    if (ret != 0) {
        bdb_fail(b, err, ret, "expiry: writing %s", tmp);
        db->close(db, 0);
        unlink(tmp);
        return -1;
    }
    if (build_finish(b, db, tmp, err) == -1)
        return -1;
    if (bdb_swap_files(b, tmp, NULL, err) == -1) {
        unlink(tmp);
        return -1;
    }
    res->ran = true;
    res->atime_delta = newdelta;
    return 0;
}

static int
expire_run(struct bayes_bdb *b, const struct bayes_expire_cfg *cfg, struct bayes_expire_result *res,
           struct sift_err *err)
{
    struct bayes_store_stats s;
    time_t now = time(NULL);
    uint32_t newest;
    int64_t goal, keep;
    uint64_t newdelta = 0;
    double ratio;
    int ret;

    if ((ret = bdb_read_stats(b, NULL, &s)) != 0) {
        bdb_fail(b, err, ret, "reading the counts");
        return -1;
    }
    if (!cfg->force && !expire_due(&s, cfg, now)) {
        snprintf(res->note, sizeof(res->note), "expiry is not due");
        return 0;
    }
    newest = s.newest_atime > (uint64_t)now ? (uint32_t)now : (uint32_t)s.newest_atime;
    keep = (int64_t)((double)cfg->max_db_size * cfg->pct);
    if (keep < BDB_MIN_KEEP)
        keep = BDB_MIN_KEEP;
    goal = (int64_t)s.ntokens - keep;
    if (goal < BDB_MIN_REDUCE) {
        snprintf(res->note, sizeof(res->note),
                 "reduction goal of %lld is under 1,000 tokens, skipping expire", (long long)goal);
        res->kept = s.ntokens;
        return set_last_expire(b, err);
    }
    /* estimate from the last run: newdelta = olddelta * old / goal */
    if (s.last_expire_reduce > 0)
        newdelta =
            (uint64_t)((double)s.last_atime_delta * (double)s.last_expire_reduce / (double)goal);
    ratio = (s.last_expire_reduce == 0 || (int64_t)s.last_expire_reduce > goal)
                ? (double)s.last_expire_reduce / (double)goal
                : (double)goal / (double)s.last_expire_reduce;
    if ((int64_t)now - (int64_t)s.last_expire > 86400 * 30 || s.last_atime_delta < cfg->period ||
        s.last_expire_reduce < BDB_MIN_REDUCE || newdelta < cfg->period || ratio > 1.5) {
        bool mark;

        newdelta = expire_search(b, cfg, newest, goal, res, &mark, &ret);
        if (ret != 0) {
            bdb_fail(b, err, ret, "expiry: reading %s", b->toks.name);
            return -1;
        }
        if (newdelta == 0) {
            res->kept = s.ntokens;
            return mark ? set_last_expire(b, err) : 0;
        }
    }
    return expire_rewrite(b, &s, newest, newdelta, res, err);
}

enum bayes_store_status
bdb_expire(struct bayes_store *st, const struct bayes_expire_cfg *in,
           struct bayes_expire_result *res, struct sift_err *err)
{
    struct bayes_bdb *b = (struct bayes_bdb *)st;
    struct bayes_expire_cfg cfg;
    int rc;

    expire_defaults(in, &cfg);
    if (bdb_write_begin(b, err) == -1)
        return BAYES_STORE_FAIL;
    rc = expire_run(b, &cfg, res, err);
    if (bdb_write_end(b, rc == 0 ? err : NULL) == -1)
        rc = -1;
    return rc == 0 ? BAYES_STORE_OK : BAYES_STORE_FAIL;
}

/* ---- replace (restore) ---- */

static int
replace_build(struct bayes_bdb *b, const struct bayes_store_image *img, const char *tmp_toks,
              const char *tmp_seen, struct sift_err *err)
{
    uint32_t now = (uint32_t)time(NULL), newest = 0, oldest = now + 100000;
    uint64_t ntokens = 0;
    uint8_t v[BAYES_BDB_PACK_MAX];
    DB *db;
    bool added;
    int ret = 0;

    if (build_open(b, tmp_toks, img->ntokens, &db, err) == -1)
        return -1;
    for (size_t i = 0; i < img->ntokens && ret == 0; i++) {
        const struct bayes_store_counts *c = &img->tokens[i].c;

        if (c->spam == 0 && c->ham == 0)
            continue;
        ret = build_put(db, img->tokens[i].key.b, BAYES_KEY_LEN, v, bayes_bdb_pack(c, v), &added);
        ntokens += added;
        if (c->atime < oldest)
            oldest = c->atime;
        if (c->atime > newest)
            newest = c->atime;
    }
    if (ret == 0) {
        /* restore_database's magic values */
        const struct magic_val m[] = {
            { BDB_DBVERSION, BAYES_BDB_VERSION },
            { BDB_NTOKENS, (int64_t)ntokens },
            { BDB_NSPAM, (int64_t)img->nspam },
            { BDB_NHAM, (int64_t)img->nham },
            { BDB_NEWESTAGE, newest },
            { BDB_OLDESTAGE, oldest },
            { BDB_LASTEXPIRE, 0 },
            { BDB_LASTJOURNALSYNC, 0 },
            { BDB_LASTATIMEDELTA, 0 },
            { BDB_LASTEXPIREREDUCE, 0 },
        };

        ret = build_magic(db, m, sizeof(m) / sizeof(m[0]));
    }
    if (ret != 0) {
        sift_err_set(err, "bayes: %s: %s", tmp_toks, db_strerror(ret));
        db->close(db, 0);
        unlink(tmp_toks);
        return -1;
    }
    if (build_finish(b, db, tmp_toks, err) == -1)
        return -1;
    if (build_open(b, tmp_seen, img->nseen, &db, err) == -1) {
        unlink(tmp_toks);
        return -1;
    }
    for (size_t i = 0; i < img->nseen && ret == 0; i++)
        ret = build_put(db, img->seen[i].msgid, strlen(img->seen[i].msgid), &img->seen[i].cls, 1,
                        &added);
    if (ret != 0) {
        sift_err_set(err, "bayes: %s: %s", tmp_seen, db_strerror(ret));
        db->close(db, 0);
        unlink(tmp_seen);
        unlink(tmp_toks);
        return -1;
    }
    if (build_finish(b, db, tmp_seen, err) == -1) {
        unlink(tmp_toks);
        return -1;
    }
    return 0;
}

enum bayes_store_status
bdb_replace(struct bayes_store *st, const struct bayes_store_image *img, struct sift_err *err)
{
    struct bayes_bdb *b = (struct bayes_bdb *)st;
    char tmp_toks[sizeof(b->toks.path) + 32], tmp_seen[sizeof(b->seen.path) + 32];
    int rc;

    snprintf(tmp_toks, sizeof(tmp_toks), "%s.convert%ld", b->toks.path, (long)getpid());
    snprintf(tmp_seen, sizeof(tmp_seen), "%s.convert%ld", b->seen.path, (long)getpid());
    if (bdb_write_begin(b, err) == -1)
        return BAYES_STORE_FAIL;
    rc = replace_build(b, img, tmp_toks, tmp_seen, err);
    if (rc == 0 && bdb_swap_files(b, tmp_toks, tmp_seen, err) == -1) {
        unlink(tmp_toks);
        unlink(tmp_seen);
        rc = -1;
    }
    if (bdb_write_end(b, rc == 0 ? err : NULL) == -1)
        rc = -1;
    return rc == 0 ? BAYES_STORE_OK : BAYES_STORE_FAIL;
}
