/*
 * bayes_bdb_journal.c - SpamAssassin's journal (<prefix>_journal), as
 * BayesStore/DBM.pm writes and syncs it: scans append "t ATIME HEX" lines
 * (touch), SA's learn_to_journal adds "c", "n" and "m" lines; a writer
 * renames it to .old and applies it in one transaction, the touches
 * collapsed to the highest atime per token, then removes it.
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

#include "core/buf.h"
#include "core/xmalloc.h"

#define BDB_JOURNAL_MAX (256u << 20) /* a journal larger than this is not read */

static bool
journal_stat(const char *path, struct stat *sb)
{
    return stat(path, sb) == 0 && S_ISREG(sb->st_mode) && sb->st_size > 0;
}

bool
bdb_journal_pending(struct bayes_bdb *b)
{
    struct stat sb;
    char old[sizeof(b->journal) + 8];

    snprintf(old, sizeof(old), "%s.old", b->journal);
    return journal_stat(b->journal, &sb) || journal_stat(old, &sb);
}

bool
bdb_journal_due(struct bayes_bdb *b)
{
    struct bayes_store_stats s;
    struct stat sb;

    if (!journal_stat(b->journal, &sb))
        return false;
    if ((uint64_t)sb.st_size > b->opts.journal_max_size)
        return true;
    if (bdb_read_stats(b, NULL, &s) != 0)
        return false;
    return s.last_journal_sync > 0 && (uint64_t)time(NULL) - s.last_journal_sync > 86400;
}

enum bayes_store_status
bdb_touch(struct bayes_store *st, const struct bayes_store_key *keys, size_t n, uint32_t atime,
          struct sift_err *err)
{
    struct bayes_bdb *b = (struct bayes_bdb *)st;
    char hex[2 * BAYES_KEY_LEN + 1];
    struct buf out;
    ssize_t w;
    int fd;

    buf_init(&out);
    for (size_t i = 0; i < n; i++) {
        bayes_store_key_hex(&keys[i], hex);
        buf_printf(&out, "t %" PRIu32 " %s\n", atime, hex);
    }
    /* one write in append mode, as SA's cleanup(): concurrent scans'
     * lines do not mix */
    fd = open(b->journal, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, b->opts.file_mode & 0666);
    if (fd == -1) {
        sift_err_set(err, "bayes: %s: %s", b->journal, strerror(errno));
        buf_clear(&out);
        return BAYES_STORE_FAIL;
    }
    w = write(fd, out.p, out.len);
    close(fd);
    if (w != (ssize_t)out.len) {
        sift_err_set(err, "bayes: %s: write failed (%zd of %zu bytes): %s", b->journal, w, out.len,
                     w < 0 ? strerror(errno) : "short write");
        buf_clear(&out);
        return BAYES_STORE_FAIL;
    }
    buf_clear(&out);
    return BAYES_STORE_OK;
}

struct touch {
    struct bayes_store_key key;
    uint32_t atime;
};

static int
touch_cmp(const void *x, const void *y)
{
    return memcmp(x, y, BAYES_KEY_LEN);
}

/* "-12" or "34": a signed decimal that fills the field */
static bool
num_field(const char *p, const char *end, bool sign, int64_t *v)
{
    bool neg = false;

    *v = 0;
    if (sign && p < end && *p == '-') {
        neg = true;
        p++;
    }
    if (p == end)
        return false;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return false;
        if (*v < INT64_MAX / 10)
            *v = *v * 10 + (*p - '0');
    }
    if (neg)
        *v = -*v;
    return true;
}

/* Split a journal line at single spaces into at most max fields, the last
 * one the rest of the line. */
static size_t
fields(const char *line, const char *end, const char **f, const char **fe, size_t max)
{
    size_t n = 0;
    const char *p = line;

    while (n < max) {
        const char *sp = n + 1 == max ? NULL : memchr(p, ' ', (size_t)(end - p));

        f[n] = p;
        fe[n] = sp != NULL ? sp : end;
        n++;
        if (sp == NULL)
            break;
        p = sp + 1;
    }
    return n;
}

/* tok_sync_counters: deltas with a floor of 0, atime never back */
static int
sync_counters(struct bayes_bdb *b, DB_TXN *txn, const struct bayes_store_key *key, int64_t ds,
              int64_t dh, int64_t atime, struct bdb_acc *acc)
{
    struct bayes_store_counts c;
    int64_t s, h;
    bool found;
    int ret;

    if ((ret = bdb_tok_get(b, txn, key->b, &c, &found)) != 0)
        return ret;
    s = (int64_t)c.spam + ds;
    h = (int64_t)c.ham + dh;
    c.spam = s < 0 ? 0 : s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
    c.ham = h < 0 ? 0 : h > UINT32_MAX ? UINT32_MAX : (uint32_t)h;
    if (atime > (int64_t)c.atime)
        c.atime = atime > UINT32_MAX ? UINT32_MAX : (uint32_t)atime;
    return bdb_tok_put(b, txn, key->b, &c, found, acc);
}

/* One journal line in _sync_journal_trapped's terms; touches are collected
 * and applied after the rest. Unknown lines are skipped ("gibberish"). */
static int
journal_line(struct bayes_bdb *b, DB_TXN *txn, const char *p, const char *end,
             struct touch **touches, size_t *nt, size_t *cap, struct bdb_acc *acc)
{
    const char *f[5], *fe[5];
    struct bayes_store_key key;
    int64_t x, y, z;
    size_t n;

    if (end - p < 3 || p[1] != ' ')
        return 0;
    switch (p[0]) {
    case 't': /* t ATIME HEX */
        n = fields(p + 2, end, f, fe, 2);
        if (n != 2 || !num_field(f[0], fe[0], false, &x) ||
            bayes_store_key_parse(f[1], (size_t)(fe[1] - f[1]), &key) == -1)
            return 0;
        if (*nt == *cap) {
            *cap = *cap ? 2 * *cap : 1024;
            *touches = xreallocarray(*touches, *cap, sizeof(**touches));
        }
        (*touches)[*nt].key = key;
        (*touches)[(*nt)++].atime = x > UINT32_MAX ? UINT32_MAX : (uint32_t)x;
        return 0;
    case 'c': /* c DS DH ATIME HEX */
        n = fields(p + 2, end, f, fe, 4);
        if (n != 4 || !num_field(f[0], fe[0], true, &x) || !num_field(f[1], fe[1], true, &y) ||
            !num_field(f[2], fe[2], false, &z) ||
            bayes_store_key_parse(f[3], (size_t)(fe[3] - f[3]), &key) == -1)
            return 0;
        return sync_counters(b, txn, &key, x, y, z, acc);
    case 'n': /* n DS DH */
        n = fields(p + 2, end, f, fe, 2);
        if (n != 2 || !num_field(f[0], fe[0], true, &x) || !num_field(f[1], fe[1], true, &y))
            return 0;
        return bdb_nspam_nham_change(b, txn, (int)x, (int)y);
    case 'm': { /* m s|h|f MSGID */
        char id[1024];
        size_t len;

        if (end - p < 5 || (p[2] != 's' && p[2] != 'h' && p[2] != 'f') || p[3] != ' ')
            return 0;
        len = (size_t)(end - (p + 4));
        if (len >= sizeof(id))
            return 0;
        memcpy(id, p + 4, len);
        id[len] = '\0';
        return p[2] == 'f' ? bdb_seen_del(b, txn, id) : bdb_seen_put(b, txn, id, p[2]);
    }
    default:
        return 0;
    }
}

/* tok_touch_token for each collected touch, the highest atime per token */
static int
apply_touches(struct bayes_bdb *b, DB_TXN *txn, struct touch *t, size_t n, struct bdb_acc *acc)
{
    struct bayes_store_counts c;
    bool found;
    int ret;

    if (n == 0)
        return 0; /* t may be NULL: qsort wants a pointer even for nothing */
    qsort(t, n, sizeof(*t), touch_cmp);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        uint32_t atime = 0;

        for (; j < n && memcmp(t[j].key.b, t[i].key.b, BAYES_KEY_LEN) == 0; j++) {
            if (t[j].atime > atime)
                atime = t[j].atime;
        }
        if ((ret = bdb_tok_get(b, txn, t[i].key.b, &c, &found)) != 0)
            return ret;
        if (found && c.atime < atime) {
            c.atime = atime;
            if ((ret = bdb_tok_put(b, txn, t[i].key.b, &c, found, acc)) != 0)
                return ret;
        }
        i = j;
    }
    return 0;
}

static int
journal_txn(struct bayes_bdb *b, DB_TXN *txn, const char *text, size_t len, time_t started,
            struct bdb_stamp *s)
{
    struct bdb_acc acc = { 0 };
    struct touch *touches = NULL;
    size_t nt = 0, cap = 0;
    const char *p = text, *end = text + len;
    DBT k, d;
    int ret = 0;

    while (p < end && ret == 0) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl != NULL ? nl : end;

        ret = journal_line(b, txn, p, le, &touches, &nt, &cap, &acc);
        p = nl != NULL ? nl + 1 : end;
    }
    if (ret == 0)
        ret = apply_touches(b, txn, touches, nt, &acc);
    free(touches);
    if (ret == 0)
        ret = bdb_acc_apply(b, txn, &acc);
    if (ret == 0)
        ret = bdb_magic_put(b, b->toks.db, txn, BDB_LASTJOURNALSYNC, (int64_t)started);
    if (ret != 0)
        return ret;
    /* applied and marked done in the same transaction */
    s->journal_dev = s->journal_ino = 0;
    memset(&k, 0, sizeof(k));
    memset(&d, 0, sizeof(d));
    k.data = "stamp";
    k.size = 5;
    d.data = s;
    d.size = sizeof(*s);
    return b->state.db->put(b->state.db, txn, &k, &d, 0);
}

static int
read_file(const char *path, char **out, size_t *len, struct sift_err *err)
{
    struct stat sb;
    char *p;
    ssize_t n;
    size_t got = 0;
    int fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 || fstat(fd, &sb) == -1) {
        sift_err_set(err, "bayes: %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if ((uint64_t)sb.st_size > BDB_JOURNAL_MAX) {
        sift_err_set(err, "bayes: %s: %lld bytes: too large to apply", path, (long long)sb.st_size);
        close(fd);
        return -1;
    }
    p = xmalloc((size_t)sb.st_size + 1);
    while ((n = read(fd, p + got, (size_t)sb.st_size - got)) > 0)
        got += (size_t)n;
    close(fd);
    *out = p;
    *len = got;
    return 0;
}

int
bdb_journal_sync(struct bayes_bdb *b, struct sift_err *err)
{
    char old[sizeof(b->journal) + 8], *text;
    struct bdb_stamp s;
    struct stat sb;
    time_t started = time(NULL);
    DB_TXN *txn;
    bool found;
    size_t len;
    int ret;

    snprintf(old, sizeof(old), "%s.old", b->journal);
    if ((ret = bdb_stamp_get(b, &s, &found)) != 0) {
        bdb_fail(b, err, ret, "reading %s", b->state.name);
        return -1;
    }
    s.version = BDB_STAMP_VERSION;
    /* a .old we renamed and did not finish applying comes first; one SA
     * left behind is not ours to apply (SA never reads it again) */
    if (!(journal_stat(old, &sb) && (uint64_t)sb.st_dev == s.journal_dev &&
          (uint64_t)sb.st_ino == s.journal_ino)) {
        if (!journal_stat(b->journal, &sb))
            return 0;
        s.journal_dev = (uint64_t)sb.st_dev;
        s.journal_ino = (uint64_t)sb.st_ino;
        /* on disk before the rename: a crash after it finds the .old ours */
        if ((ret = bdb_stamp_put(b, &s, true)) != 0) {
            bdb_fail(b, err, ret, "writing %s", b->state.name);
            return -1;
        }
        /* retire it: scans append to a new one meanwhile */
        if (rename(b->journal, old) == -1) {
            sift_err_set(err, "bayes: rename %s: %s", b->journal, strerror(errno));
            return -1;
        }
    }
    if (read_file(old, &text, &len, err) == -1)
        return -1;
    for (int attempt = 0;; attempt++) {
        if ((ret = b->e->env->txn_begin(b->e->env, NULL, &txn, bdb_txn_flags(b))) != 0) {
            if (!bdb_retryable(b, ret, attempt))
                break;
            continue;
        }
        if ((ret = journal_txn(b, txn, text, len, started, &s)) == 0)
            ret = txn->commit(txn, 0);
        else
            txn->abort(txn);
        if (ret == 0 || !bdb_retryable(b, ret, attempt))
            break;
    }
    free(text);
    if (ret != 0) {
        bdb_fail(b, err, ret, "applying %s", old);
        return -1;
    }
    unlink(old);
    return 0;
}
