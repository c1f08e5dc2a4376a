/*
 * bayes_bdb_int.h - what the parts of the Berkeley DB store share:
 * bayes_bdb.c (SA's values and magic tokens, opening and closing),
 * bayes_bdb_env.c (the environment), bayes_bdb_session.c (handles, the
 * stamp, write sessions), bayes_bdb_learn.c (reads, learning),
 * bayes_bdb_lock.c (SpamAssassin's lock file), bayes_bdb_journal.c (SA's
 * journal) and bayes_bdb_maint.c (expiry, restore). Not for use outside
 * server/stat/bayes_bdb*.
 */
#ifndef SIFT_STAT_BAYES_BDB_INT_H
#define SIFT_STAT_BAYES_BDB_INT_H

#include <db.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "core/err.h"
#include "stat/bayes_bdb.h"
#include "stat/bayes_store.h"

/* bayes_bdb_env.c: this process's handle on the environment of a directory. */
struct bdb_env {
    DB_ENV *env;
    char dir[PATH_MAX];
    pid_t pid;          /* the process that opened it */
    unsigned refs;      /* stores using it */
    unsigned epoch;     /* bumped when reopened: database handles of older epochs are gone */
    size_t cache_bytes; /* as asked for by the first store */
    unsigned mode;
    char dberr[400]; /* Berkeley DB's last message */
    struct bdb_env *next;
};

/* The environment of dir, opened (or recovered) on first use. */
int bdb_env_get(const char *dir, const struct bayes_store_opts *opts, struct bdb_env **out,
                struct sift_err *err);
void bdb_env_put(struct bdb_env **ep);
/* After DB_RUNRECOVERY: close (which closes every database handle in it)
 * and open again (recovering). */
int bdb_env_restart(struct bdb_env *e, struct sift_err *err);
/* Is process pid of this host still running? EPERM (another user's) is
 * running; a zombie is not: a killed siftd's workers stay zombies until
 * init reaps them, and they hold no lock. */
bool bdb_pid_alive(pid_t pid);

/* SA's lock on <prefix>: <prefix>.lock by its link protocol
 * (Locker/UnixNFSSafe.pm), and <prefix>.mutex by flock when it exists
 * (Locker/Flock.pm, lock_method flock). */
struct bdb_lock {
    char path[PATH_MAX]; /* <prefix>.lock */
    char mutex[PATH_MAX];
    bool held;
    struct timespec ctime; /* the lock file's ctime as taken: unlock checks it, as SA does */
    double refreshed;      /* clock_mono() of the last refresh */
    int mutex_fd;
    unsigned mode;
};

/* Take the lock, waiting up to wait seconds (0: one try). -1 with err. */
int bdb_lock_take(struct bdb_lock *l, double wait, struct sift_err *err);
void bdb_lock_release(struct bdb_lock *l);
/* Is the lock held by a dead process of this host (a killed learner)? */
bool bdb_lock_orphaned(const struct bdb_lock *l);
/* Touch the lock file now and then while it is held long (SA: a lock older
 * than 10 minutes is stale). */
void bdb_lock_refresh(struct bdb_lock *l);

/* One file of the store: the handle and its name in the environment. */
struct bdb_file {
    DB *db;
    char name[NAME_MAX + 1]; /* relative to the environment home */
    char path[PATH_MAX];
};

/* A file as seen by stat(2). */
struct bdb_fstat {
    uint64_t dev, ino, size;
    int64_t mtime_ns;
    uint32_t exists;
    uint32_t pad;
};

/* The record in <prefix>_siftstate (key "stamp"). */
struct bdb_stamp {
    uint32_t version;   /* BDB_STAMP_VERSION */
    uint32_t gen;       /* bumped when the files were replaced or changed by SA */
    int32_t writer_pid; /* a sift writer holds SA's lock and may have written */
    uint32_t pad;
    struct bdb_fstat toks, seen;       /* as the last sift writer left them */
    uint64_t journal_dev, journal_ino; /* a journal being applied (renamed to .old) */
};
#define BDB_STAMP_VERSION 1

struct bayes_bdb {
    struct bayes_store base;
    struct bayes_store_opts opts;
    struct bdb_env *e;
    unsigned epoch; /* e->epoch our database handles belong to */
    struct bdb_file toks, seen, state;
    char dir[PATH_MAX];
    char prefix[PATH_MAX];
    char journal[PATH_MAX];
    uint32_t gen;    /* the generation our handles were opened in */
    bool recovering; /* opened by bayes_bdb_recover */
    struct bdb_lock lock;
};

#define BDB_RETRIES 20 /* a transaction chosen as a deadlock's victim is run again */

/* Magic value names (after BAYES_BDB_MAGIC). */
#define BDB_DBVERSION        "DBVERSION"
#define BDB_NSPAM            "NSPAM"
#define BDB_NHAM             "NHAM"
#define BDB_NTOKENS          "NTOKENS"
#define BDB_OLDESTAGE        "OLDESTAGE"
#define BDB_NEWESTAGE        "NEWESTAGE"
#define BDB_LASTJOURNALSYNC  "LASTJOURNALSYNC"
#define BDB_LASTEXPIRE       "LASTEXPIRE"
#define BDB_LASTEXPIREREDUCE "LASTEXPIREREDUCE"
#define BDB_LASTATIMEDELTA   "LASTATIMEDELTA"

/* Set err from a Berkeley DB return code and its last message. */
void bdb_fail(struct bayes_bdb *b, struct sift_err *err, int ret, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
bool bdb_is_magic(const void *key, size_t len);
/* A magic value: *exists, and Perl's numeric reading of the string. */
int bdb_magic_get(struct bayes_bdb *b, DB *db, DB_TXN *txn, const char *name, u_int32_t flags,
                  bool *exists, int64_t *num);
int bdb_magic_put(struct bayes_bdb *b, DB *db, DB_TXN *txn, const char *name, int64_t v);
int bdb_magic_del(struct bayes_bdb *b, DB *db, DB_TXN *txn, const char *name);
/* The raw value in buf (NUL-terminated, cut to cap - 1). */
int bdb_magic_raw(DB *db, DB_TXN *txn, const char *name, u_int32_t flags, char *buf, size_t cap,
                  bool *exists);
/* SA's reading of a magic value: digits only, anything else 0. */
uint64_t bdb_strict_num(const char *s);
/* get_storage_variables: every magic value, a non-number as 0. */
int bdb_read_stats(struct bayes_bdb *b, DB_TXN *txn, struct bayes_store_stats *s);

/* SA's tok_put and friends on the live table, inside txn. */
struct bdb_acc {
    int64_t dntokens;        /* tokens added - deleted */
    bool touched;            /* a token was written: newest/oldest to check */
    uint32_t newest, oldest; /* max and min atime written */
};
int bdb_tok_get(struct bayes_bdb *b, DB_TXN *txn, const uint8_t *key, struct bayes_store_counts *c,
                bool *found);
int bdb_tok_put(struct bayes_bdb *b, DB_TXN *txn, const uint8_t *key,
                const struct bayes_store_counts *c, bool found, struct bdb_acc *acc);
/* Fold acc into NTOKENS, NEWESTAGE, OLDESTAGE. */
int bdb_acc_apply(struct bayes_bdb *b, DB_TXN *txn, const struct bdb_acc *acc);
/* A seen entry's class: 's', 'h', '?' (another value) or '\0' (none). */
int bdb_seen_raw(struct bayes_bdb *b, DB_TXN *txn, const char *msgid, u_int32_t flags, char *cls);
int bdb_seen_put(struct bayes_bdb *b, DB_TXN *txn, const char *msgid, char cls);
int bdb_seen_del(struct bayes_bdb *b, DB_TXN *txn, const char *msgid);
/* nspam += ds, nham += dh, each floored at 0 */
int bdb_nspam_nham_change(struct bayes_bdb *b, DB_TXN *txn, int ds, int dh);

/* Is ret worth running the transaction again (deadlock, lock timeout)? Runs
 * failchk on a timeout: the holder may be dead. */
bool bdb_retryable(struct bayes_bdb *b, int ret, int attempt);

/* A write session: SA's lock taken, the files checked for changes made
 * behind sift's back, the stamp marked as written by us. end: checkpoint,
 * stamp, release, unless the store is in batch mode. */
int bdb_write_begin(struct bayes_bdb *b, struct sift_err *err);
int bdb_write_end(struct bayes_bdb *b, struct sift_err *err);
/* Checkpoint, stamp and release now (batch or not). */
int bdb_write_flush(struct bayes_bdb *b, struct sift_err *err);

/* The transaction flags of a write: batch mode commits without waiting
 * for the disk (the log is written, so a killed process loses nothing;
 * bdb_write_flush makes it durable). */
u_int32_t bdb_txn_flags(const struct bayes_bdb *b);

int bdb_stamp_get(struct bayes_bdb *b, struct bdb_stamp *s, bool *found);
/* sync: wait for the disk (else the next synchronous commit carries it). */
int bdb_stamp_put(struct bayes_bdb *b, const struct bdb_stamp *s, bool sync);
void bdb_fstat(const char *path, struct bdb_fstat *st);
bool bdb_file_exists(const char *path);

/* bayes_bdb_session.c: handles */
void bdb_db_close(struct bdb_file *f);
/* <prefix>_siftstate: created by a writer, opened by readers if there. */
int bdb_state_open(struct bayes_bdb *b, struct sift_err *err);
/* Open _toks and _seen as the store was opened and check the version: 3,
 * or nothing at all in the table (*empty: a new database). */
enum bayes_store_status bdb_open_handles(struct bayes_bdb *b, bool *empty, struct sift_err *err);
/* Close and reopen the toks and seen handles (after a swap of files). */
int bdb_reopen(struct bayes_bdb *b, struct sift_err *err);
/* Reopen the handles if the environment was reopened (recovery). */
int bdb_ready(struct bayes_bdb *b, struct sift_err *err);
/* Before using the handles: follow a swap or refresh by another process;
 * refresh if SA wrote the files since sift last did. locked: we hold SA's
 * lock (a writer); else it is tried once, for the refresh. 0, -1, or 1
 * (err set): SA holds its lock and is writing the files right now. */
int bdb_check(struct bayes_bdb *b, bool locked, struct sift_err *err);
/* With SA's lock held: check the files, mark the stamp as being written,
 * apply the journal if it is due. */
int bdb_session_enter(struct bayes_bdb *b, struct sift_err *err);

/* bayes_bdb_learn.c: the store's operations */
enum bayes_store_status bdb_stats(struct bayes_store *st, struct bayes_store_stats *out,
                                  struct sift_err *err);
enum bayes_store_status bdb_lookup(struct bayes_store *st, const struct bayes_store_key *keys,
                                   size_t n, struct bayes_store_counts *out, struct sift_err *err);
enum bayes_store_status bdb_seen_get(struct bayes_store *st, const char *msgid,
                                     enum bayes_store_seen *out, struct sift_err *err);
enum bayes_store_status bdb_learn(struct bayes_store *st, const struct bayes_store_msg *m,
                                  bool spam, struct sift_err *err);
enum bayes_store_status bdb_forget(struct bayes_store *st, const struct bayes_store_msg *m,
                                   struct sift_err *err);
enum bayes_store_status bdb_sync(struct bayes_store *st, struct sift_err *err);
enum bayes_store_status bdb_flush(struct bayes_store *st, struct sift_err *err);
enum bayes_store_status bdb_iterate(struct bayes_store *st, const struct bayes_store_visitor *v,
                                    struct sift_err *err);
/* Replace the named files (toks and/or seen) by the finished files at
 * tmp paths: rename, reopen, a new generation. In a write session. */
int bdb_swap_files(struct bayes_bdb *b, const char *tmp_toks, const char *tmp_seen,
                   struct sift_err *err);

/* bayes_bdb_journal.c */
/* Apply <prefix>_journal (and an interrupted one) in one transaction. In a
 * write session. */
int bdb_journal_sync(struct bayes_bdb *b, struct sift_err *err);
/* SA's sync_due: the journal is over journal_max_size, or a day old. */
bool bdb_journal_due(struct bayes_bdb *b);
bool bdb_journal_pending(struct bayes_bdb *b);
enum bayes_store_status bdb_touch(struct bayes_store *st, const struct bayes_store_key *keys,
                                  size_t n, uint32_t atime, struct sift_err *err);
/* bayes_bdb_maint.c */
enum bayes_store_status bdb_expire(struct bayes_store *st, const struct bayes_expire_cfg *cfg,
                                   struct bayes_expire_result *res, struct sift_err *err);
enum bayes_store_status bdb_replace(struct bayes_store *st, const struct bayes_store_image *img,
                                    struct sift_err *err);

#endif
