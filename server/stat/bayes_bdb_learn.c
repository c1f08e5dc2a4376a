/*
 * bayes_bdb_learn.c - the Berkeley DB store's reads (counts, token lookups,
 * seen), learning and forgetting as Plugin/Bayes.pm's _learn_trapped and
 * _forget_trapped do it (one transaction each), and the walk behind
 * backups.
 */
#include "stat/bayes_bdb_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/xmalloc.h"

/* ---- reads ---- */

/* SA holds its lock and writes the files: a scan reads them as SA's own
 * scanners do, directly with a handle of its own outside the environment
 * (no stale pages of ours; a page SA is writing may read oddly, as it does
 * for SA's scanners; a failure stays in this handle). */
static int
private_open(struct bayes_bdb *b, DB **out)
{
    DB *db;
    int ret;

    if ((ret = db_create(&db, NULL, 0)) != 0)
        return ret;
    if ((ret = db->open(db, NULL, b->toks.path, NULL, DB_HASH, DB_RDONLY, 0)) != 0) {
        db->close(db, 0);
        return ret;
    }
    *out = db;
    return 0;
}

static enum bayes_store_status
private_stats(struct bayes_bdb *b, struct bayes_store_stats *out, struct sift_err *err)
{
    struct bdb_file saved = b->toks;
    int ret;

    if ((ret = private_open(b, &b->toks.db)) == 0) {
        ret = bdb_read_stats(b, NULL, out);
        b->toks.db->close(b->toks.db, 0);
    }
    b->toks = saved;
    if (ret != 0) {
        bdb_fail(b, err, ret, "reading the counts while another program writes them");
        return BAYES_STORE_FAIL;
    }
    return BAYES_STORE_OK;
}

/* Run fn in a read-committed transaction, again while Berkeley DB says a
 * retry may help (a deadlock victim, a restarted environment). */
static int
read_txn(struct bayes_bdb *b, int (*fn)(struct bayes_bdb *, DB_TXN *, void *), void *arg)
{
    DB_TXN *txn;
    int ret;

    for (int attempt = 0;; attempt++) {
        if ((ret = b->e->env->txn_begin(b->e->env, NULL, &txn, DB_READ_COMMITTED)) != 0) {
            if (!bdb_retryable(b, ret, attempt))
                return ret;
            continue;
        }
        if ((ret = fn(b, txn, arg)) == 0)
            ret = txn->commit(txn, 0);
        else
            txn->abort(txn);
        if (ret == 0 || !bdb_retryable(b, ret, attempt))
            return ret;
    }
}

static int
stats_fn(struct bayes_bdb *b, DB_TXN *txn, void *arg)
{
    return bdb_read_stats(b, txn, arg);
}

enum bayes_store_status
bdb_stats(struct bayes_store *st, struct bayes_store_stats *out, struct sift_err *err)
{
    struct bayes_bdb *b = (struct bayes_bdb *)st;
    int ret, rc;

    if ((rc = bdb_check(b, b->lock.held, err)) == 1)
        return private_stats(b, out, err);
    if (rc == -1)
        return BAYES_STORE_FAIL;
    if ((ret = read_txn(b, stats_fn, out)) != 0) {
        bdb_fail(b, err, ret, "reading the counts");
        return BAYES_STORE_FAIL;
    }
    return BAYES_STORE_OK;
}

static int
lookup_txn(DB *db, DB_TXN *txn, const struct bayes_store_key *keys, size_t n,
           struct bayes_store_counts *out)
{
    uint8_t vbuf[BAYES_BDB_PACK_MAX];
    DBT k, d;
    int ret;

    memset(&k, 0, sizeof(k));
    memset(&d, 0, sizeof(d));
    k.size = BAYES_KEY_LEN;
    d.data = vbuf;
    d.ulen = d.dlen = sizeof(vbuf);
    d.flags = DB_DBT_USERMEM | DB_DBT_PARTIAL;
    for (size_t i = 0; i < n; i++) {
        k.data = (void *)keys[i].b;
        ret = db->get(db, txn, &k, &d, 0);
        if (ret == DB_NOTFOUND) {
            memset(&out[i], 0, sizeof(out[i]));
            continue;
        }
        if (ret != 0)
            return ret;
        bayes_bdb_unpack(vbuf, d.size, &out[i]);
    }
    return 0;
}

struct lookup_arg {
    const struct bayes_store_key *keys;
    size_t n;
    struct bayes_store_counts *out;
};

static int
lookup_fn(struct bayes_bdb *b, DB_TXN *txn, void *arg)
{
    struct lookup_arg *la = arg;

    return lookup_txn(b->toks.db, txn, la->keys, la->n, la->out);
}

static enum bayes_store_status
private_lookup(struct bayes_bdb *b, const struct bayes_store_key *keys, size_t n,
               struct bayes_store_counts *out, struct sift_err *err)
{
    DB *db;
    int ret;

    if ((ret = private_open(b, &db)) == 0) {
        ret = lookup_txn(db, NULL, keys, n, out);
        db->close(db, 0);
    }
    if (ret != 0) {
        bdb_fail(b, err, ret, "token lookup while another program writes the files");
        return BAYES_STORE_FAIL;
    }
    return BAYES_STORE_OK;
}

enum bayes_store_status
bdb_lookup(struct bayes_store *st, const struct bayes_store_key *keys, size_t n,
           struct bayes_store_counts *out, struct sift_err *err)
{
    struct bayes_bdb *b = (struct bayes_bdb *)st;
    struct lookup_arg la = { keys, n, out };
    int ret, rc;

    if ((rc = bdb_check(b, b->lock.held, err)) == 1)
        return private_lookup(b, keys, n, out, err);
    if (rc == -1)
        return BAYES_STORE_FAIL;
    if ((ret = read_txn(b, lookup_fn, &la)) != 0) {
        bdb_fail(b, err, ret, "token lookup");
        return BAYES_STORE_FAIL;
    }
    return BAYES_STORE_OK;
}

enum bayes_store_status
bdb_seen_get(struct bayes_store *st, const char *msgid, enum bayes_store_seen *out,
             struct sift_err *err)
{
    struct bayes_bdb *b = (struct bayes_bdb *)st;
    char cls;
    int ret;

    if (bdb_check(b, b->lock.held, err) != 0)
        return BAYES_STORE_FAIL;
    for (int attempt = 0;; attempt++) {
        ret = bdb_seen_raw(b, NULL, msgid, DB_READ_COMMITTED, &cls);
        if (ret == 0 || !bdb_retryable(b, ret, attempt))
            break;
    }
    if (ret != 0) {
        bdb_fail(b, err, ret, "seen lookup");
        return BAYES_STORE_FAIL;
    }
    *out = cls == 's' ? BAYES_SEEN_SPAM : cls == 'h' ? BAYES_SEEN_HAM : BAYES_SEEN_NONE;
    return BAYES_STORE_OK;
}

/* ---- learning ---- */

static int
key_cmp(const void *x, const void *y)
{
    return memcmp(x, y, BAYES_KEY_LEN);
}

/* The keys sorted (one lock order for every writer) and each once. */
static struct bayes_store_key *
keys_unique(const struct bayes_store_msg *m, size_t *n)
{
    struct bayes_store_key *k = xreallocarray(NULL, m->nkeys ? m->nkeys : 1, sizeof(*k));
    size_t j = 0;

    memcpy(k, m->keys, m->nkeys * sizeof(*k));
    qsort(k, m->nkeys, sizeof(*k), key_cmp);
    for (size_t i = 0; i < m->nkeys; i++) {
        if (j == 0 || memcmp(k[j - 1].b, k[i].b, BAYES_KEY_LEN) != 0)
            k[j++] = k[i];
    }
    *n = j;
    return k;
}

/* multi_tok_count_change(ds, dh, tokens, atime) applied directly:
 * tok_sync_counters per token (counts floored at 0, atime never back). */
static int
count_change(struct bayes_bdb *b, DB_TXN *txn, const struct bayes_store_key *keys, size_t n, int ds,
             int dh, uint32_t atime, struct bdb_acc *acc)
{
    struct bayes_store_counts c;
    bool found;
    int ret;

    for (size_t i = 0; i < n; i++) {
        if ((ret = bdb_tok_get(b, txn, keys[i].b, &c, &found)) != 0)
            return ret;
        c.spam = ds < 0 ? (c.spam > 0 ? c.spam - 1 : 0) : c.spam + (uint32_t)ds;
        c.ham = dh < 0 ? (c.ham > 0 ? c.ham - 1 : 0) : c.ham + (uint32_t)dh;
        if (atime > c.atime)
            c.atime = atime;
        if ((ret = bdb_tok_put(b, txn, keys[i].b, &c, found, acc)) != 0)
            return ret;
    }
    return 0;
}

/* _forget_trapped's writes for a message learned as spam (or ham), whose
 * seen entry is under msgid. */
static int
forget_txn(struct bayes_bdb *b, DB_TXN *txn, const struct bayes_store_key *keys, size_t n,
           bool spam, const char *msgid, struct bdb_acc *acc)
{
    int ret;

    if ((ret = bdb_nspam_nham_change(b, txn, spam ? -1 : 0, spam ? 0 : -1)) != 0 ||
        (ret = count_change(b, txn, keys, n, spam ? -1 : 0, spam ? 0 : -1, 0, acc)) != 0)
        return ret;
    return bdb_seen_del(b, txn, msgid);
}

/* The seen entry of m under either id: its class ('s', 'h', '?' for a
 * corrupt value, '\0' for none) and which id had it. */
static int
seen_find(struct bayes_bdb *b, DB_TXN *txn, const struct bayes_store_msg *m, char *cls,
          const char **id)
{
    const char *ids[2] = { m->msgid, m->alt_msgid };
    int ret;

    *cls = '\0';
    for (size_t i = 0; i < 2; i++) {
        if (ids[i] == NULL || ids[i][0] == '\0')
            continue;
        if ((ret = bdb_seen_raw(b, txn, ids[i], DB_RMW, cls)) != 0)
            return ret;
        if (*cls != '\0') {
            *id = ids[i];
            return 0;
        }
    }
    return 0;
}

static uint32_t
learn_atime(uint32_t atime)
{
    time_t now = time(NULL);

    /* _learn_trapped: a date more than a day ahead is taken as now */
    return (int64_t)atime - (int64_t)now > 86400 ? (uint32_t)now : atime;
}

static int
learn_txn(struct bayes_bdb *b, DB_TXN *txn, const struct bayes_store_key *keys, size_t n,
          const struct bayes_store_msg *m, bool spam, enum bayes_store_status *status)
{
    struct bdb_acc acc = { 0 };
    const char *id = NULL;
    char cls;
    int ret;

    *status = BAYES_STORE_OK;
    if ((ret = seen_find(b, txn, m, &cls, &id)) != 0)
        return ret;
    if ((cls == 's' && spam) || (cls == 'h' && !spam)) {
        *status = BAYES_STORE_ALREADY;
        return 0;
    }
    if (cls == 's' || cls == 'h') { /* learned as the other class: forget it first */
        if ((ret = forget_txn(b, txn, keys, n, cls == 's', id, &acc)) != 0)
            return ret;
        *status = BAYES_STORE_RELEARNED;
    } /* a corrupt seen value: SA warns and learns */
    if ((ret = bdb_nspam_nham_change(b, txn, spam ? 1 : 0, spam ? 0 : 1)) != 0 ||
        (ret = count_change(b, txn, keys, n, spam ? 1 : 0, spam ? 0 : 1, learn_atime(m->atime),
                            &acc)) != 0 ||
        (ret = bdb_seen_put(b, txn, m->msgid, spam ? 's' : 'h')) != 0)
        return ret;
    return bdb_acc_apply(b, txn, &acc);
}

static int
unlearn_txn(struct bayes_bdb *b, DB_TXN *txn, const struct bayes_store_key *keys, size_t n,
            const struct bayes_store_msg *m, enum bayes_store_status *status)
{
    struct bdb_acc acc = { 0 };
    const char *id = NULL;
    char cls;
    int ret;

    *status = BAYES_STORE_NOT_LEARNED;
    if ((ret = seen_find(b, txn, m, &cls, &id)) != 0)
        return ret;
    if (cls != 's' && cls != 'h')
        return 0; /* not learned, or a seen value that is neither: ignored */
    if ((ret = forget_txn(b, txn, keys, n, cls == 's', id, &acc)) != 0 ||
        (ret = bdb_acc_apply(b, txn, &acc)) != 0)
        return ret;
    *status = BAYES_STORE_OK;
    return 0;
}

/* One write transaction around fn, retried on deadlock, in a write session. */
static enum bayes_store_status
bdb_write_msg(struct bayes_bdb *b, const struct bayes_store_msg *m, int mode, struct sift_err *err)
{
    struct bayes_store_key *keys;
    enum bayes_store_status status = BAYES_STORE_FAIL;
    DB_TXN *txn;
    size_t n;
    int ret = 0;

    if (bdb_write_begin(b, err) == -1)
        return BAYES_STORE_FAIL;
    keys = keys_unique(m, &n);
    for (int attempt = 0;; attempt++) {
        if ((ret = b->e->env->txn_begin(b->e->env, NULL, &txn, bdb_txn_flags(b))) != 0) {
            if (!bdb_retryable(b, ret, attempt))
                break;
            continue;
        }
        if (mode == 2)
            ret = unlearn_txn(b, txn, keys, n, m, &status);
        else
            ret = learn_txn(b, txn, keys, n, m, mode == 1, &status);
        if (ret == 0 && status != BAYES_STORE_ALREADY && status != BAYES_STORE_NOT_LEARNED)
            ret = txn->commit(txn, 0); /* durable: the log is on disk (or, batch, written) */
        else
            txn->abort(txn);
        if (ret == 0 || !bdb_retryable(b, ret, attempt))
            break;
    }
    free(keys);
    if (ret != 0) {
        bdb_fail(b, err, ret, "%s", mode == 2 ? "forget" : "learn");
        bdb_write_end(b, NULL);
        return BAYES_STORE_FAIL;
    }
    if (bdb_write_end(b, err) == -1)
        return BAYES_STORE_FAIL;
    return status;
}

enum bayes_store_status
bdb_learn(struct bayes_store *st, const struct bayes_store_msg *m, bool spam, struct sift_err *err)
{
    return bdb_write_msg((struct bayes_bdb *)st, m, spam ? 1 : 0, err);
}

enum bayes_store_status
bdb_forget(struct bayes_store *st, const struct bayes_store_msg *m, struct sift_err *err)
{
    return bdb_write_msg((struct bayes_bdb *)st, m, 2, err);
}

enum bayes_store_status
bdb_sync(struct bayes_store *st, struct sift_err *err)
{
    struct bayes_bdb *b = (struct bayes_bdb *)st;
    int rc;

    if (bdb_write_begin(b, err) == -1)
        return BAYES_STORE_FAIL;
    rc = bdb_journal_pending(b) ? bdb_journal_sync(b, err) : 0;
    if (bdb_write_end(b, rc == 0 ? err : NULL) == -1)
        rc = -1;
    return rc == 0 ? BAYES_STORE_OK : BAYES_STORE_FAIL;
}

enum bayes_store_status
bdb_flush(struct bayes_store *st, struct sift_err *err)
{
    return bdb_write_flush((struct bayes_bdb *)st, err) == 0 ? BAYES_STORE_OK : BAYES_STORE_FAIL;
}

/* ---- iterate ---- */

static int
walk(DB *db, bool toks, const struct bayes_store_visitor *v, struct sift_err *err, bool *stopped)
{
    DBC *c;
    DBT k, d;
    int ret;

    if (db == NULL)
        return 0;
    memset(&k, 0, sizeof(k));
    memset(&d, 0, sizeof(d));
    k.flags = d.flags = DB_DBT_REALLOC;
    if ((ret = db->cursor(db, NULL, &c, DB_READ_COMMITTED)) != 0)
        return ret;
    while ((ret = c->get(c, &k, &d, DB_NEXT)) == 0) {
        if (toks) {
            struct bayes_store_counts cn;

            if (bdb_is_magic(k.data, k.size) || k.size != BAYES_KEY_LEN)
                continue;
            bayes_bdb_unpack(d.data, d.size, &cn);
            if (v->token != NULL &&
                v->token(v->arg, (const struct bayes_store_key *)k.data, &cn, err) == -1)
                break;
        } else if (v->seen != NULL) {
            char cls = d.size == 1 ? *(char *)d.data : '?';

            if (v->seen(v->arg, k.data, k.size, cls, err) == -1)
                break;
        }
    }
    c->close(c);
    free(k.data);
    free(d.data);
    if (ret == 0)
        *stopped = true;
    return ret == DB_NOTFOUND ? 0 : ret;
}

enum bayes_store_status
bdb_iterate(struct bayes_store *st, const struct bayes_store_visitor *v, struct sift_err *err)
{
    struct bayes_bdb *b = (struct bayes_bdb *)st;
    struct bayes_store_stats s;
    bool rw = st->flags & BAYES_STORE_RDWR, stopped = false;
    int ret = 0;

    /* a writer holds SA's lock throughout, as sa-learn --backup does: a
     * consistent dump */
    if (rw ? bdb_write_begin(b, err) == -1 : bdb_check(b, false, err) != 0)
        return BAYES_STORE_FAIL;
    ret = bdb_read_stats(b, NULL, &s);
    if (ret == 0 && v->vars != NULL && v->vars(v->arg, &s, err) == -1)
        stopped = true;
    if (ret == 0 && !stopped)
        ret = walk(b->toks.db, true, v, err, &stopped);
    if (ret == 0 && !stopped)
        ret = walk(b->seen.db, false, v, err, &stopped);
    if (ret != 0)
        bdb_fail(b, err, ret, "reading the database");
    if (rw)
        bdb_write_end(b, NULL);
    return ret != 0 || stopped ? BAYES_STORE_FAIL : BAYES_STORE_OK;
}
