/*
 * bayes_bdb.c - the Bayes store in SpamAssassin's DBM files (bayes_bdb.h):
 * SA's value packing and magic values, the token and seen primitives that
 * learning and the journal build on (BayesStore/DBM.pm's tok_put and
 * friends), and opening, recovering and closing a store.
 */
#include "stat/bayes_bdb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/xmalloc.h"

#include "stat/bayes_bdb_int.h"

static const struct bayes_store_ops bdb_ops;

/* ---- errors ---- */

void
bdb_fail(struct bayes_bdb *b, struct sift_err *err, int ret, const char *fmt, ...)
{
    char what[256];
    const char *dberr = b->e != NULL ? b->e->dberr : "";
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (strstr(dberr, "past end of log") != NULL)
        sift_err_set(err,
                     "bayes: %s: %s: the files come from another Berkeley DB environment, or "
                     "its logs were removed: run 'siftadm bayes recover --path %s' while siftd "
                     "is stopped (%s)",
                     b->prefix, what, b->prefix, dberr);
    else if (dberr[0] != '\0')
        sift_err_set(err, "bayes: %s: %s: %s (%s)", b->prefix, what, db_strerror(ret), dberr);
    else
        sift_err_set(err, "bayes: %s: %s: %s", b->prefix, what, db_strerror(ret));
    if (b->e != NULL)
        b->e->dberr[0] = '\0';
}

/* ---- values ---- */

size_t
bayes_bdb_pack(const struct bayes_store_counts *c, uint8_t out[BAYES_BDB_PACK_MAX])
{
    uint32_t v[3] = { c->spam, c->ham, c->atime };

    if (c->spam < 8 && c->ham < 8) {
        out[0] = (uint8_t)(0xC0 | c->spam << 3 | c->ham); /* pack("CV") */
        for (int i = 0; i < 4; i++)
            out[1 + i] = (uint8_t)(c->atime >> (8 * i));
        return 5;
    }
    out[0] = 0x00; /* pack("CVVV") */
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < 4; i++)
            out[1 + 4 * k + i] = (uint8_t)(v[k] >> (8 * i));
    }
    return 13;
}

/* unpack("V") at off, or 0 past the end (Perl gives undef, read as 0). */
static uint32_t
le32_at(const uint8_t *p, size_t len, size_t off)
{
    if (off + 4 > len)
        return 0;
    return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 |
           (uint32_t)p[off + 3] << 24;
}

int
bayes_bdb_unpack(const void *v, size_t len, struct bayes_store_counts *c)
{
    const uint8_t *p = v;

    memset(c, 0, sizeof(*c));
    if (len == 0)
        return 0;
    switch (p[0] & 0xC0) {
    case 0xC0:
        c->spam = (p[0] & 0x38) >> 3;
        c->ham = p[0] & 0x07;
        c->atime = le32_at(p, len, 1);
        return 0;
    case 0x00:
        c->spam = le32_at(p, len, 1);
        c->ham = le32_at(p, len, 5);
        c->atime = le32_at(p, len, 9);
        return 0;
    default:
        return -1; /* "unknown packing format for bayes db, please re-learn" */
    }
}

/* ---- magic values ---- */

bool
bdb_is_magic(const void *key, size_t len)
{
    return len >= BAYES_BDB_MAGIC_LEN && memcmp(key, BAYES_BDB_MAGIC, BAYES_BDB_MAGIC_LEN) == 0;
}

static size_t
magic_key(const char *name, char *buf, size_t cap)
{
    size_t n = strlen(name);

    if (BAYES_BDB_MAGIC_LEN + n > cap)
        n = cap - BAYES_BDB_MAGIC_LEN;
    memcpy(buf, BAYES_BDB_MAGIC, BAYES_BDB_MAGIC_LEN);
    memcpy(buf + BAYES_BDB_MAGIC_LEN, name, n);
    return BAYES_BDB_MAGIC_LEN + n;
}

/* The raw value, NUL-terminated in buf (a longer one is cut). */
int
bdb_magic_raw(DB *db, DB_TXN *txn, const char *name, u_int32_t flags, char *buf, size_t cap,
              bool *exists)
{
    char kbuf[64];
    DBT k, d;
    int ret;

    memset(&k, 0, sizeof(k));
    memset(&d, 0, sizeof(d));
    k.data = kbuf;
    k.size = (u_int32_t)magic_key(name, kbuf, sizeof(kbuf));
    d.data = buf;
    d.ulen = (u_int32_t)cap - 1;
    d.flags = DB_DBT_USERMEM | DB_DBT_PARTIAL;
    d.dlen = (u_int32_t)cap - 1;
    *exists = false;
    buf[0] = '\0';
    ret = db->get(db, txn, &k, &d, flags);
    if (ret == DB_NOTFOUND)
        return 0;
    if (ret != 0)
        return ret;
    *exists = true;
    buf[d.size] = '\0';
    return 0;
}

/* Perl's numeric value of a string (leading space, sign, digits). */
static int64_t
perl_num(const char *s)
{
    bool neg = false;
    int64_t v = 0;

    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v < INT64_MAX / 10)
            v = v * 10 + (*s - '0');
    }
    return neg ? -v : v;
}

/* get_storage_variables: `if (!$_ || $_ =~ /\D/) { $_ = 0 }` */
uint64_t
bdb_strict_num(const char *s)
{
    uint64_t v = 0;

    if (*s == '\0')
        return 0;
    for (const char *p = s; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        if (v < UINT64_MAX / 10)
            v = v * 10 + (uint64_t)(*p - '0');
    }
    return v;
}

int
bdb_magic_get(struct bayes_bdb *b, DB *db, DB_TXN *txn, const char *name, u_int32_t flags,
              bool *exists, int64_t *num)
{
    char buf[48];
    int ret;

    (void)b;
    if ((ret = bdb_magic_raw(db, txn, name, flags, buf, sizeof(buf), exists)) != 0)
        return ret;
    *num = perl_num(buf);
    return 0;
}

int
bdb_magic_put(struct bayes_bdb *b, DB *db, DB_TXN *txn, const char *name, int64_t v)
{
    char kbuf[64], vbuf[32];
    DBT k, d;

    (void)b;
    memset(&k, 0, sizeof(k));
    memset(&d, 0, sizeof(d));
    k.data = kbuf;
    k.size = (u_int32_t)magic_key(name, kbuf, sizeof(kbuf));
    d.data = vbuf;
    d.size = (u_int32_t)snprintf(vbuf, sizeof(vbuf), "%lld", (long long)v);
    return db->put(db, txn, &k, &d, 0);
}

int
bdb_magic_del(struct bayes_bdb *b, DB *db, DB_TXN *txn, const char *name)
{
    char kbuf[64];
    DBT k;
    int ret;

    (void)b;
    memset(&k, 0, sizeof(k));
    k.data = kbuf;
    k.size = (u_int32_t)magic_key(name, kbuf, sizeof(kbuf));
    ret = db->del(db, txn, &k, 0);
    return ret == DB_NOTFOUND ? 0 : ret;
}

int
bdb_read_stats(struct bayes_bdb *b, DB_TXN *txn, struct bayes_store_stats *s)
{
    static const struct {
        const char *name;
        size_t off;
    } vars[] = {
        { BDB_DBVERSION, offsetof(struct bayes_store_stats, dbversion) },
        { BDB_NSPAM, offsetof(struct bayes_store_stats, nspam) },
        { BDB_NHAM, offsetof(struct bayes_store_stats, nham) },
        { BDB_NTOKENS, offsetof(struct bayes_store_stats, ntokens) },
        { BDB_OLDESTAGE, offsetof(struct bayes_store_stats, oldest_atime) },
        { BDB_NEWESTAGE, offsetof(struct bayes_store_stats, newest_atime) },
        { BDB_LASTJOURNALSYNC, offsetof(struct bayes_store_stats, last_journal_sync) },
        { BDB_LASTEXPIRE, offsetof(struct bayes_store_stats, last_expire) },
        { BDB_LASTATIMEDELTA, offsetof(struct bayes_store_stats, last_atime_delta) },
        { BDB_LASTEXPIREREDUCE, offsetof(struct bayes_store_stats, last_expire_reduce) },
    };
    char buf[48];
    bool exists;
    int ret;

    memset(s, 0, sizeof(*s));
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        if ((ret = bdb_magic_raw(b->toks.db, txn, vars[i].name, 0, buf, sizeof(buf), &exists)) != 0)
            return ret;
        *(uint64_t *)((char *)s + vars[i].off) = bdb_strict_num(buf);
    }
    return 0;
}

/* ---- tokens and seen, inside a write transaction ---- */

int
bdb_tok_get(struct bayes_bdb *b, DB_TXN *txn, const uint8_t *key, struct bayes_store_counts *c,
            bool *found)
{
    uint8_t vbuf[BAYES_BDB_PACK_MAX];
    DBT k, d;
    int ret;

    memset(&k, 0, sizeof(k));
    memset(&d, 0, sizeof(d));
    k.data = (void *)key;
    k.size = BAYES_KEY_LEN;
    d.data = vbuf;
    d.ulen = sizeof(vbuf);
    d.dlen = sizeof(vbuf);
    d.flags = DB_DBT_USERMEM | DB_DBT_PARTIAL; /* SA unpacks the first bytes only */
    ret = b->toks.db->get(b->toks.db, txn, &k, &d, txn != NULL ? DB_RMW : 0);
    *found = ret == 0;
    memset(c, 0, sizeof(*c));
    if (ret == DB_NOTFOUND)
        return 0;
    if (ret == 0)
        bayes_bdb_unpack(vbuf, d.size, c);
    return ret;
}

int
bdb_tok_put(struct bayes_bdb *b, DB_TXN *txn, const uint8_t *key,
            const struct bayes_store_counts *c, bool found, struct bdb_acc *acc)
{
    uint8_t vbuf[BAYES_BDB_PACK_MAX];
    DBT k, d;
    int ret;

    memset(&k, 0, sizeof(k));
    memset(&d, 0, sizeof(d));
    k.data = (void *)key;
    k.size = BAYES_KEY_LEN;
    if (c->spam == 0 && c->ham == 0) {
        if (!found)
            return 0;
        if ((ret = b->toks.db->del(b->toks.db, txn, &k, 0)) == 0)
            acc->dntokens--;
        return ret;
    }
    d.data = vbuf;
    d.size = (u_int32_t)bayes_bdb_pack(c, vbuf);
    if ((ret = b->toks.db->put(b->toks.db, txn, &k, &d, 0)) != 0)
        return ret;
    if (!found)
        acc->dntokens++;
    if (!acc->touched || c->atime > acc->newest)
        acc->newest = c->atime;
    if (!acc->touched || c->atime < acc->oldest)
        acc->oldest = c->atime;
    acc->touched = true;
    return 0;
}

int
bdb_acc_apply(struct bayes_bdb *b, DB_TXN *txn, const struct bdb_acc *acc)
{
    char buf[48];
    bool exists;
    int64_t v;
    int ret;

    if (acc->dntokens != 0) {
        if ((ret = bdb_magic_get(b, b->toks.db, txn, BDB_NTOKENS, DB_RMW, &exists, &v)) != 0 ||
            (ret = bdb_magic_put(b, b->toks.db, txn, BDB_NTOKENS, v + acc->dntokens)) != 0)
            return ret;
    }
    if (!acc->touched)
        return 0;
    /* tok_put: NEWESTAGE if undefined or older; OLDESTAGE if undefined,
     * empty or newer */
    if ((ret = bdb_magic_raw(b->toks.db, txn, BDB_NEWESTAGE, DB_RMW, buf, sizeof(buf), &exists)) !=
        0)
        return ret;
    if (!exists || (int64_t)acc->newest > perl_num(buf)) {
        if ((ret = bdb_magic_put(b, b->toks.db, txn, BDB_NEWESTAGE, acc->newest)) != 0)
            return ret;
    }
    if ((ret = bdb_magic_raw(b->toks.db, txn, BDB_OLDESTAGE, DB_RMW, buf, sizeof(buf), &exists)) !=
        0)
        return ret;
    if (!exists || buf[0] == '\0' || (int64_t)acc->oldest < perl_num(buf)) {
        if ((ret = bdb_magic_put(b, b->toks.db, txn, BDB_OLDESTAGE, acc->oldest)) != 0)
            return ret;
    }
    return 0;
}

int
bdb_nspam_nham_change(struct bayes_bdb *b, DB_TXN *txn, int ds, int dh)
{
    char buf[48];
    bool exists;
    int64_t ns, nh;
    int ret;

    /* tok_sync_nspam_nham: both written, each floored at 0 */
    if ((ret = bdb_magic_raw(b->toks.db, txn, BDB_NSPAM, DB_RMW, buf, sizeof(buf), &exists)) != 0)
        return ret;
    ns = (int64_t)bdb_strict_num(buf) + ds;
    if ((ret = bdb_magic_raw(b->toks.db, txn, BDB_NHAM, DB_RMW, buf, sizeof(buf), &exists)) != 0)
        return ret;
    nh = (int64_t)bdb_strict_num(buf) + dh;
    if ((ret = bdb_magic_put(b, b->toks.db, txn, BDB_NSPAM, ns < 0 ? 0 : ns)) != 0)
        return ret;
    return bdb_magic_put(b, b->toks.db, txn, BDB_NHAM, nh < 0 ? 0 : nh);
}

int
bdb_seen_raw(struct bayes_bdb *b, DB_TXN *txn, const char *msgid, u_int32_t flags, char *cls)
{
    char vbuf[8];
    DBT k, d;
    int ret;

    *cls = '\0';
    if (b->seen.db == NULL)
        return 0;
    memset(&k, 0, sizeof(k));
    memset(&d, 0, sizeof(d));
    k.data = (void *)msgid;
    k.size = (u_int32_t)strlen(msgid);
    d.data = vbuf;
    d.ulen = sizeof(vbuf);
    d.dlen = sizeof(vbuf);
    d.flags = DB_DBT_USERMEM | DB_DBT_PARTIAL;
    ret = b->seen.db->get(b->seen.db, txn, &k, &d, flags);
    if (ret == DB_NOTFOUND)
        return 0;
    if (ret == 0)
        *cls = d.size == 1 ? vbuf[0] : '?'; /* "?": neither "s" nor "h" */
    return ret;
}

int
bdb_seen_put(struct bayes_bdb *b, DB_TXN *txn, const char *msgid, char cls)
{
    DBT k, d;

    memset(&k, 0, sizeof(k));
    memset(&d, 0, sizeof(d));
    k.data = (void *)msgid;
    k.size = (u_int32_t)strlen(msgid);
    d.data = &cls;
    d.size = 1;
    return b->seen.db->put(b->seen.db, txn, &k, &d, 0);
}

int
bdb_seen_del(struct bayes_bdb *b, DB_TXN *txn, const char *msgid)
{
    DBT k;
    int ret;

    memset(&k, 0, sizeof(k));
    k.data = (void *)msgid;
    k.size = (u_int32_t)strlen(msgid);
    ret = b->seen.db->del(b->seen.db, txn, &k, 0);
    return ret == DB_NOTFOUND ? 0 : ret;
}

/* ---- open and close ---- */

static void
bdb_close(struct bayes_store *st)
{
    struct bayes_bdb *b = (struct bayes_bdb *)st;

    bdb_write_flush(b, NULL);
    /* a checkpoint on the way out: recovery has nothing to redo */
    if (b->e != NULL && b->e->env != NULL && (st->flags & BAYES_STORE_RDWR))
        b->e->env->txn_checkpoint(b->e->env, 0, 0, 0);
    if (b->e != NULL && b->epoch == b->e->epoch) {
        bdb_db_close(&b->toks);
        bdb_db_close(&b->seen);
        bdb_db_close(&b->state);
    }
    bdb_env_put(&b->e);
    if (b->lock.mutex_fd >= 0)
        close(b->lock.mutex_fd);
    free(b);
}

/* snprintf's count: did it all fit? */
static bool
fits(int n, size_t cap)
{
    return n >= 0 && (size_t)n < cap;
}

/* <base><suffix>, or <base><suffix>.db if only that exists (DB_EXTENSIONS);
 * ext_hint when neither does. Returns the extension chosen, NULL when the
 * path is too long. */
static const char *
file_name(struct bayes_bdb *b, struct bdb_file *f, const char *base, const char *suffix,
          const char *ext_hint)
{
    static const char *const exts[] = { "", ".db" };
    const char *ext = ext_hint;

    for (size_t i = 0; i < 2; i++) {
        if (!fits(snprintf(f->path, sizeof(f->path), "%s/%s%s%s", b->dir, base, suffix, exts[i]),
                  sizeof(f->path)))
            return NULL;
        if (bdb_file_exists(f->path)) {
            ext = exts[i];
            break;
        }
    }
    if (!fits(snprintf(f->name, sizeof(f->name), "%s%s%s", base, suffix, ext), sizeof(f->name)) ||
        !fits(snprintf(f->path, sizeof(f->path), "%s/%s", b->dir, f->name), sizeof(f->path)))
        return NULL;
    return ext;
}

static int
mkdirs(const char *dir, unsigned mode)
{
    char p[PATH_MAX];

    snprintf(p, sizeof(p), "%s", dir);
    for (char *s = p + 1; *s != '\0'; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, mode) == -1 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    return mkdir(p, mode) == -1 && errno != EEXIST ? -1 : 0;
}

/* Paths from the prefix: dir (the environment's home), the file names. */
static int
bdb_paths(struct bayes_bdb *b, const char *prefix, struct sift_err *err)
{
    const char *slash = strrchr(prefix, '/');
    char dir[PATH_MAX], base[NAME_MAX + 1];
    const char *ext;

    if (strlen(prefix) + 24 >= PATH_MAX || *prefix == '\0' || (slash != NULL && slash[1] == '\0')) {
        sift_err_set(err, "bayes: '%s': not a usable path prefix", prefix);
        return -1;
    }
    snprintf(b->prefix, sizeof(b->prefix), "%s", prefix);
    if (slash == NULL) {
        snprintf(dir, sizeof(dir), ".");
        snprintf(base, sizeof(base), "%s", prefix);
    } else {
        snprintf(dir, sizeof(dir), "%.*s", slash == prefix ? 1 : (int)(slash - prefix), prefix);
        snprintf(base, sizeof(base), "%s", slash + 1);
    }
    if ((b->base.flags & BAYES_STORE_CREATE) && mkdirs(dir, 0700) == -1) {
        sift_err_set(err, "bayes: %s: %s", dir, strerror(errno));
        return -1;
    }
    if (realpath(dir, b->dir) == NULL) {
        sift_err_set(err, "bayes: %s: %s", dir, strerror(errno));
        return errno == ENOENT ? 1 : -1; /* 1: no database there */
    }
    if ((ext = file_name(b, &b->toks, base, "_toks", "")) == NULL ||
        file_name(b, &b->seen, base, "_seen", ext) == NULL ||
        !fits(snprintf(b->state.name, sizeof(b->state.name), "%s_siftstate", base),
              sizeof(b->state.name)) ||
        !fits(snprintf(b->state.path, sizeof(b->state.path), "%s/%s", b->dir, b->state.name),
              sizeof(b->state.path)) ||
        !fits(snprintf(b->journal, sizeof(b->journal), "%s/%s_journal", b->dir, base),
              sizeof(b->journal)) ||
        !fits(snprintf(b->lock.path, sizeof(b->lock.path), "%s/%s.lock", b->dir, base),
              sizeof(b->lock.path)) ||
        !fits(snprintf(b->lock.mutex, sizeof(b->lock.mutex), "%s/%s.mutex", b->dir, base),
              sizeof(b->lock.mutex))) {
        sift_err_set(err, "bayes: '%s': path too long", prefix);
        return -1;
    }
    return 0;
}

/* A new table gets what SA's tie_db_writable gives a new one. */
static int
init_new(struct bayes_bdb *b, struct sift_err *err)
{
    DB_TXN *txn;
    int ret;

    if ((ret = b->e->env->txn_begin(b->e->env, NULL, &txn, 0)) == 0) {
        if ((ret = bdb_magic_put(b, b->toks.db, txn, BDB_DBVERSION, BAYES_BDB_VERSION)) == 0 &&
            (ret = bdb_magic_put(b, b->toks.db, txn, BDB_NTOKENS, 0)) == 0)
            ret = txn->commit(txn, 0);
        else
            txn->abort(txn);
    }
    if (ret != 0) {
        bdb_fail(b, err, ret, "creating %s", b->toks.name);
        return -1;
    }
    return 0;
}

/* The largest page LSN in a database file (every page starts with its
 * LSN; the meta page gives the page size). 0 when the file cannot be read
 * as one of ours (native byte order, hash or btree). */
static void
file_max_lsn(const char *path, DB_LSN *max)
{
    uint32_t hdr[6], magic, pagesize;
    unsigned char *page;
    FILE *f = fopen(path, "rb");

    memset(max, 0, sizeof(*max));
    if (f == NULL)
        return;
    if (fread(hdr, sizeof(hdr), 1, f) != 1) {
        fclose(f);
        return;
    }
    magic = hdr[3];
    pagesize = hdr[5];
    if ((magic != 0x061561 && magic != 0x053162) || pagesize < 512 || pagesize > 65536 ||
        (pagesize & (pagesize - 1)) != 0) {
        fclose(f);
        return;
    }
    page = xmalloc(pagesize);
    rewind(f);
    while (fread(page, pagesize, 1, f) == 1) {
        DB_LSN lsn;

        memcpy(&lsn.file, page, 4);
        memcpy(&lsn.offset, page + 4, 4);
        if (lsn.file > max->file || (lsn.file == max->file && lsn.offset > max->offset))
            *max = lsn;
    }
    free(page);
    fclose(f);
}

/* Files whose page LSNs point past the end of our log (copied here from
 * another host, or their logs were removed) are refused by Berkeley DB
 * when it writes them back, and the environment panics. A writer checks
 * first and stops with advice; recovery (reset) clears their LSNs
 * (DB_ENV->lsn_reset). */
static int
lsn_check_all(struct bayes_bdb *b, bool reset, struct sift_err *err)
{
    const struct bdb_file *files[] = { &b->toks, &b->seen, &b->state };
    DB_LOG_STAT *ls;
    DB_LSN end, max;
    int ret;

    if ((ret = b->e->env->log_stat(b->e->env, &ls, 0)) != 0) {
        bdb_fail(b, err, ret, "log_stat");
        return -1;
    }
    end.file = ls->st_cur_file;
    end.offset = ls->st_cur_offset;
    free(ls);
    for (size_t i = 0; i < 3; i++) {
        file_max_lsn(files[i]->path, &max);
        if (max.file < end.file || (max.file == end.file && max.offset <= end.offset))
            continue;
        if (!reset) {
            sift_err_set(err,
                         "bayes: %s: %s comes from another Berkeley DB environment, or its "
                         "logs were removed (LSN %lu/%lu, past the log's end at %lu/%lu): run "
                         "'siftadm bayes recover --path %s' while siftd is stopped",
                         b->prefix, files[i]->name, (unsigned long)max.file,
                         (unsigned long)max.offset, (unsigned long)end.file,
                         (unsigned long)end.offset, b->prefix);
            return -1;
        }
        if ((ret = b->e->env->lsn_reset(b->e->env, files[i]->name, 0)) != 0) {
            bdb_fail(b, err, ret, "%s: clearing its LSNs", files[i]->name);
            return -1;
        }
    }
    return 0;
}

/* A writer was killed holding SA's lock: its committed learns may still be
 * in the cache only. Take the lock over, write them out, then let it go,
 * rather than leave SA waiting 10 minutes for a stale lock (or taking it
 * and writing under our cache). */
static void
adopt_orphaned_lock(struct bayes_bdb *b)
{
    if (!bdb_lock_orphaned(&b->lock) || bdb_lock_take(&b->lock, 0, NULL) == -1)
        return;
    bdb_write_flush(b, NULL);
}

static enum bayes_store_status
bdb_open_store(struct bayes_bdb *b, struct sift_err *err)
{
    bool rw = b->base.flags & BAYES_STORE_RDWR, empty;
    enum bayes_store_status rc;

    if (!(b->base.flags & BAYES_STORE_CREATE) && !bdb_file_exists(b->toks.path)) {
        sift_err_set(err, "bayes: %s: no Bayes database", b->toks.path);
        return BAYES_STORE_MISSING;
    }
    /* recovery may have taken the environment already: one reference a handle */
    if (b->e == NULL && bdb_env_get(b->dir, &b->opts, &b->e, err) == -1)
        return BAYES_STORE_FAIL;
    if (bdb_state_open(b, err) == -1)
        return BAYES_STORE_FAIL;
    adopt_orphaned_lock(b);
    if (!rw) {
        if ((rc = bdb_open_handles(b, &empty, err)) != BAYES_STORE_OK)
            return rc;
        if (bdb_check(b, false, err) == -1)
            return BAYES_STORE_FAIL;
        if (!(b->base.flags & BAYES_STORE_NOJOURNAL) && bdb_journal_pending(b)) {
            sift_err_set(err,
                         "bayes: %s: a journal waits to be applied (%s): open the store "
                         "read-write (siftd does at start; sa-learn --sync does too)",
                         b->prefix, b->journal);
            return BAYES_STORE_FAIL;
        }
        return BAYES_STORE_OK;
    }
    /* a writer opens (and maybe creates) the files under SA's lock */
    if (lsn_check_all(b, false, err) == -1 || bdb_lock_take(&b->lock, b->opts.lock_wait, err) == -1)
        return BAYES_STORE_FAIL;
    if ((rc = bdb_open_handles(b, &empty, err)) != BAYES_STORE_OK) {
        bdb_lock_release(&b->lock);
        return rc;
    }
    if (bdb_session_enter(b, err) == -1 || (empty && init_new(b, err) == -1) ||
        (bdb_journal_pending(b) && bdb_journal_sync(b, err) == -1)) {
        bdb_write_flush(b, NULL);
        return BAYES_STORE_FAIL;
    }
    return bdb_write_flush(b, err) == 0 ? BAYES_STORE_OK : BAYES_STORE_FAIL;
}

static struct bayes_bdb *
bdb_new(const char *prefix, unsigned flags, const struct bayes_store_opts *opts,
        enum bayes_store_status *rc, struct sift_err *err)
{
    struct bayes_bdb *b = xcalloc(1, sizeof(*b));
    int paths;

    b->base.ops = &bdb_ops;
    b->base.flags = flags;
    if (opts != NULL)
        b->opts = *opts;
    if (b->opts.file_mode == 0)
        b->opts.file_mode = 0600;
    if (b->opts.cache_bytes == 0)
        b->opts.cache_bytes = 16u << 20;
    if (b->opts.lock_wait <= 0)
        b->opts.lock_wait = 10;
    if (b->opts.journal_max_size == 0)
        b->opts.journal_max_size = 102400;
    b->lock.mutex_fd = -1;
    b->lock.mode = b->opts.file_mode;
    if ((paths = bdb_paths(b, prefix, err)) != 0) {
        *rc = paths == 1 ? BAYES_STORE_MISSING : BAYES_STORE_FAIL;
        free(b);
        return NULL;
    }
    *rc = BAYES_STORE_OK;
    return b;
}

enum bayes_store_status
bayes_bdb_open(const char *prefix, unsigned flags, const struct bayes_store_opts *opts,
               struct bayes_store **out, struct sift_err *err)
{
    struct bayes_bdb *b;
    enum bayes_store_status rc;

    *out = NULL;
    if ((b = bdb_new(prefix, flags, opts, &rc, err)) == NULL)
        return rc;
    if ((rc = bdb_open_store(b, err)) != BAYES_STORE_OK) {
        bdb_close(&b->base);
        return rc;
    }
    *out = &b->base;
    return BAYES_STORE_OK;
}

/* Verify a file (Berkeley DB's own check of every page): a damaged file
 * is refused here, once, rather than met in the middle of a scan. */
static int
verify_file(struct bayes_bdb *b, const struct bdb_file *f, struct sift_err *err)
{
    DB *db;
    int ret;

    if (!bdb_file_exists(f->path))
        return 0;
    if ((ret = db_create(&db, b->e->env, 0)) == 0)
        ret = db->verify(db, f->name, NULL, NULL, DB_NOORDERCHK); /* frees db */
    if (ret != 0) {
        bdb_fail(b, err, ret, "%s: damaged (Berkeley DB verify)", f->name);
        return -1;
    }
    return 0;
}

enum bayes_store_status
bayes_bdb_recover(const char *prefix, const struct bayes_store_opts *opts, struct sift_err *err)
{
    struct bayes_bdb *b;
    enum bayes_store_status rc;

    if ((b = bdb_new(prefix, BAYES_STORE_RDWR, opts, &rc, err)) == NULL)
        return rc == BAYES_STORE_MISSING ? BAYES_STORE_OK : rc; /* nothing there yet */
    if (!bdb_file_exists(b->toks.path)) {
        bdb_close(&b->base);
        return BAYES_STORE_OK; /* nothing there yet */
    }
    /* opening the environment runs recovery when a process died in it */
    if (bdb_env_get(b->dir, &b->opts, &b->e, err) == -1 || lsn_check_all(b, true, err) == -1) {
        bdb_close(&b->base);
        return BAYES_STORE_FAIL;
    }
    if (verify_file(b, &b->toks, err) == -1 || verify_file(b, &b->seen, err) == -1) {
        bdb_close(&b->base);
        return BAYES_STORE_FAIL;
    }
    rc = bdb_open_store(b, err);
    bdb_close(&b->base);
    return rc == BAYES_STORE_MISSING ? BAYES_STORE_OK : rc;
}

int
bayes_bdb_failchk(const char *prefix, struct sift_err *err)
{
    enum bayes_store_status rc;
    struct bayes_bdb *b;
    int ret = 0;

    if ((b = bdb_new(prefix, BAYES_STORE_RDONLY, NULL, &rc, err)) == NULL)
        return rc == BAYES_STORE_MISSING ? 0 : -1;
    if (bdb_env_get(b->dir, &b->opts, &b->e, err) == -1) {
        bdb_close(&b->base);
        return -1;
    }
    if ((ret = b->e->env->failchk(b->e->env, 0)) != 0)
        bdb_fail(b, err, ret, "failchk");
    bdb_close(&b->base);
    return ret == 0 ? 0 : -1;
}

static const struct bayes_store_ops bdb_ops = {
    .name = "bdb",
    .close = bdb_close,
    .stats = bdb_stats,
    .lookup = bdb_lookup,
    .seen_get = bdb_seen_get,
    .learn = bdb_learn,
    .forget = bdb_forget,
    .touch = bdb_touch,
    .sync = bdb_sync,
    .flush = bdb_flush,
    .expire = bdb_expire,
    .iterate = bdb_iterate,
    .replace = bdb_replace,
};
