/*
 * bayes_store.h - the Bayes token store, whatever backend holds it.
 *
 * A store maps 5-byte token keys (the last 5 bytes of the SHA-1 of the token
 * string: SpamAssassin's key, bayes_token_key() in bayes_tok.h) to a spam
 * count, a ham count and an atime; it keeps the message counts and SA's
 * bookkeeping values (the "magic" tokens), and the "seen" table of learned
 * message ids. The rules are SpamAssassin's (Plugin/Bayes.pm, BayesStore.pm):
 * a token is counted once per learned message, its atime never goes back, a
 * token whose counts both reach 0 is deleted, relearning a message as the
 * other class forgets it first.
 *
 * A backend fills struct bayes_store_ops; bayes_store_open() picks one by
 * name from a table ("bdb": SA's DBM files in Berkeley DB, bayes_bdb.h).
 * The text format of `sa-learn --backup` is done here, over the backend's
 * iterate and replace, so that every backend dumps and loads it alike.
 *
 * A handle belongs to one process: not thread-safe, not usable across fork
 * (open it again in the child). Calls block (file locks, disk).
 */
#ifndef SIFT_STAT_BAYES_STORE_H
#define SIFT_STAT_BAYES_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

#ifndef BAYES_KEY_LEN
#define BAYES_KEY_LEN 5 /* also in bayes_tok.h */
#endif

struct bayes_store_key {
    uint8_t b[BAYES_KEY_LEN];
};

/* A token's values; all 0 when the token is not in the store. */
struct bayes_store_counts {
    uint32_t spam, ham, atime;
};

/* SA's magic values (sa-learn --dump magic); missing or non-numeric ones
 * read as 0, as SA reads them. */
struct bayes_store_stats {
    uint64_t dbversion;
    uint64_t nspam, nham, ntokens;
    uint64_t oldest_atime, newest_atime;
    uint64_t last_journal_sync, last_expire, last_atime_delta, last_expire_reduce;
};

enum bayes_store_status {
    BAYES_STORE_FAIL = -1,   /* the reason is in err */
    BAYES_STORE_OK = 0,      /* done (learn: learned; forget: forgotten) */
    BAYES_STORE_MISSING,     /* open: no database at that path (and no CREATE) */
    BAYES_STORE_ALREADY,     /* learn: the message was learned as this class before */
    BAYES_STORE_RELEARNED,   /* learn: it was learned as the other class: moved */
    BAYES_STORE_NOT_LEARNED, /* forget: the message was never learned */
};

/* bayes_store_open flags */
#define BAYES_STORE_RDONLY 0x0u
#define BAYES_STORE_RDWR   0x1u
#define BAYES_STORE_CREATE 0x2u /* with RDWR: create the database if absent */
/* RDONLY: open even when a journal (<prefix>_journal) waits to be applied,
 * as a scanner must (scans append to it). Without it a read-only open
 * refuses, since what it reads would not be current. */
#define BAYES_STORE_NOJOURNAL 0x4u

/* Zero (or NULL for the whole struct) means the default. */
struct bayes_store_opts {
    unsigned file_mode;        /* new files; default 0600 (SA: bayes_file_mode 0700 & 0666) */
    size_t cache_bytes;        /* bdb: the environment's cache, set by its creator; 16 MiB */
    double lock_wait;          /* seconds to wait for the write lock; 10 */
    uint64_t journal_max_size; /* apply the journal past this size; 102400 (SA's) */
};

/* One message to learn or forget. */
struct bayes_store_msg {
    const struct bayes_store_key *keys; /* its token keys; duplicates count once */
    size_t nkeys;
    const char *msgid;     /* the id stored in seen (SA's generated "...@sa_generated") */
    const char *alt_msgid; /* also checked, never stored (the Message-ID header); or NULL */
    uint32_t atime;        /* the message's receive date; > now + 1 day reads as now */
};

enum bayes_store_seen {
    BAYES_SEEN_NONE,
    BAYES_SEEN_SPAM,
    BAYES_SEEN_HAM,
};

/* Expiry settings (SA's names); zero means SA's default. */
struct bayes_expire_cfg {
    uint64_t max_db_size;  /* bayes_expiry_max_db_size: 150000 */
    double pct;            /* bayes_expiry_pct: 0.75 */
    uint32_t period;       /* bayes_expiry_period: 43200 */
    unsigned max_exponent; /* bayes_expiry_max_exponent: 9 */
    bool force;            /* sa-learn --force-expire: skip the "is it due" checks */
};

struct bayes_expire_result {
    bool ran; /* the token table was rewritten */
    uint64_t kept, deleted;
    uint64_t hapaxes, lowfreq; /* among the kept: 1 occurrence, fewer than 8 */
    uint64_t atime_delta;      /* the delta used */
    char note[160];            /* why nothing was removed, when !ran */
};

/* Everything a store holds, for a restore or a copy between backends. */
struct bayes_store_token {
    struct bayes_store_key key;
    struct bayes_store_counts c;
};
struct bayes_store_seen_entry {
    char *msgid;
    char cls; /* 's' or 'h' */
};
struct bayes_store_image {
    uint64_t nspam, nham;
    struct bayes_store_token *tokens;
    size_t ntokens, tokens_cap;
    struct bayes_store_seen_entry *seen;
    size_t nseen, seen_cap;
};

/* What iterate hands out, in this order: vars once, then every token, then
 * every seen entry. A callback returning -1 stops the walk (iterate then
 * returns FAIL with err as the callback left it). */
struct bayes_store_visitor {
    int (*vars)(void *arg, const struct bayes_store_stats *st, struct sift_err *err);
    int (*token)(void *arg, const struct bayes_store_key *key, const struct bayes_store_counts *c,
                 struct sift_err *err);
    int (*seen)(void *arg, const char *msgid, size_t len, char cls, struct sift_err *err);
    void *arg;
};

struct bayes_store;

/* The backend's half; bayes_store_* below check arguments and call these. */
struct bayes_store_ops {
    const char *name;
    void (*close)(struct bayes_store *st);
    enum bayes_store_status (*stats)(struct bayes_store *st, struct bayes_store_stats *out,
                                     struct sift_err *err);
    enum bayes_store_status (*lookup)(struct bayes_store *st, const struct bayes_store_key *keys,
                                      size_t n, struct bayes_store_counts *out,
                                      struct sift_err *err);
    enum bayes_store_status (*seen_get)(struct bayes_store *st, const char *msgid,
                                        enum bayes_store_seen *out, struct sift_err *err);
    enum bayes_store_status (*learn)(struct bayes_store *st, const struct bayes_store_msg *m,
                                     bool spam, struct sift_err *err);
    enum bayes_store_status (*forget)(struct bayes_store *st, const struct bayes_store_msg *m,
                                      struct sift_err *err);
    enum bayes_store_status (*touch)(struct bayes_store *st, const struct bayes_store_key *keys,
                                     size_t n, uint32_t atime, struct sift_err *err);
    enum bayes_store_status (*sync)(struct bayes_store *st, struct sift_err *err);
    enum bayes_store_status (*flush)(struct bayes_store *st, struct sift_err *err);
    enum bayes_store_status (*expire)(struct bayes_store *st, const struct bayes_expire_cfg *cfg,
                                      struct bayes_expire_result *res, struct sift_err *err);
    enum bayes_store_status (*iterate)(struct bayes_store *st, const struct bayes_store_visitor *v,
                                       struct sift_err *err);
    enum bayes_store_status (*replace)(struct bayes_store *st, const struct bayes_store_image *img,
                                       struct sift_err *err);
};

/* Every backend's handle starts with this. */
struct bayes_store {
    const struct bayes_store_ops *ops;
    unsigned flags; /* BAYES_STORE_* as opened */
    bool batch;     /* see bayes_store_batch */
};

/* Open the store at path with backend ("bdb"; NULL means "bdb"). For bdb,
 * path is SA's bayes_path prefix: <path>_toks and <path>_seen. opts may be
 * NULL. OK with *out set; MISSING (no CREATE and nothing there) or FAIL
 * with err set and *out NULL. A database of another version or a file that
 * is not one is refused and never written. */
enum bayes_store_status bayes_store_open(const char *backend, const char *path, unsigned flags,
                                         const struct bayes_store_opts *opts,
                                         struct bayes_store **out, struct sift_err *err);
/* Flush what a batch holds (see bayes_store_batch) and close; *stp = NULL. */
void bayes_store_close(struct bayes_store **stp);

/* Run once before any process opens the store at path: the siftd main
 * process before it forks its workers, or siftadm when siftd is stopped.
 * bdb: recovery of the environment (a crash's unfinished transactions
 * rolled back, committed ones made durable), the pending journal applied.
 * Nothing else may use the store meanwhile. */
enum bayes_store_status bayes_store_recover(const char *backend, const char *path,
                                            const struct bayes_store_opts *opts,
                                            struct sift_err *err);

enum bayes_store_status bayes_store_stats(struct bayes_store *st, struct bayes_store_stats *out,
                                          struct sift_err *err);
/* out[i] gets keys[i]'s values (all 0 when absent). One consistent read of
 * committed data; a scan's lookup. */
enum bayes_store_status bayes_store_lookup(struct bayes_store *st,
                                           const struct bayes_store_key *keys, size_t n,
                                           struct bayes_store_counts *out, struct sift_err *err);
enum bayes_store_status bayes_store_seen_get(struct bayes_store *st, const char *msgid,
                                             enum bayes_store_seen *out, struct sift_err *err);

/* Learn m as spam or ham (RDWR), in one transaction that is durable when
 * this returns: the tokens, NSPAM/NHAM, NTOKENS, the atime range and the
 * seen entry. OK (learned), ALREADY (seen as this class: nothing changed),
 * RELEARNED (seen as the other class: forgotten, then learned), FAIL. */
enum bayes_store_status bayes_store_learn(struct bayes_store *st, const struct bayes_store_msg *m,
                                          bool spam, struct sift_err *err);
/* Forget m as it was learned (its class comes from seen): OK, NOT_LEARNED, FAIL. */
enum bayes_store_status bayes_store_forget(struct bayes_store *st, const struct bayes_store_msg *m,
                                           struct sift_err *err);
/* Raise the atime of the keys present to atime (a scan's tokens), as SA's
 * scans do. bdb: appended to the journal, applied by the next writer;
 * allowed on a read-only handle. */
enum bayes_store_status bayes_store_touch(struct bayes_store *st,
                                          const struct bayes_store_key *keys, size_t n,
                                          uint32_t atime, struct sift_err *err);
/* Apply pending deferred updates now (bdb: the journal; sa-learn --sync). RDWR. */
enum bayes_store_status bayes_store_sync(struct bayes_store *st, struct sift_err *err);

/* Batch mode (RDWR), for bulk learning: while on, writes keep the
 * backend's write lock and defer what makes them visible to other programs
 * (bdb: writing SA's files, and letting SA's lock go) and the wait for the
 * disk: a learn that returned survives its process being killed, but not
 * the machine going down before the next bayes_store_flush, which makes
 * everything durable and visible. Turning batch mode off does not flush.
 * A caller in batch mode flushes at least every second or so, or SA's own
 * tools wait on the lock. */
void bayes_store_batch(struct bayes_store *st, bool on);
enum bayes_store_status bayes_store_flush(struct bayes_store *st, struct sift_err *err);

/* Expire old tokens as sa-learn --force-expire (cfg->force) or SA's
 * automatic expiry does. Readers are not blocked. RDWR. */
enum bayes_store_status bayes_store_expire(struct bayes_store *st,
                                           const struct bayes_expire_cfg *cfg,
                                           struct bayes_expire_result *res, struct sift_err *err);

enum bayes_store_status bayes_store_iterate(struct bayes_store *st,
                                            const struct bayes_store_visitor *v,
                                            struct sift_err *err);
/* Replace the whole content with img (RDWR), atomically for readers:
 * either all of the old or all of the new. Magic values follow SA's
 * restore: DBVERSION 3, NTOKENS counted, atime range computed, expiry and
 * sync times 0. */
enum bayes_store_status bayes_store_replace(struct bayes_store *st,
                                            const struct bayes_store_image *img,
                                            struct sift_err *err);

/* The `sa-learn --backup` text: "v\t3\tdb_version # ...", num_spam,
 * num_nonspam, then "t\tS\tH\tATIME\tHEX" per token, "s\th|s\tMSGID" per
 * seen entry. */
enum bayes_store_status bayes_store_backup(struct bayes_store *st, FILE *out, struct sift_err *err);
/* Read backup text into img (empty it first with bayes_store_image_clear),
 * as sa-learn --restore reads it: the db_version line first (2 or 3; a
 * version 2 file has token strings, hashed here), num_spam and
 * num_nonspam required, zero-count tokens skipped, negative counts as 0,
 * atimes past now as now, unknown lines skipped. -1 with err. */
int bayes_store_parse_backup(FILE *in, struct bayes_store_image *img, struct sift_err *err);
/* sa-learn --restore: parse, then replace. */
enum bayes_store_status bayes_store_restore(struct bayes_store *st, FILE *in, struct sift_err *err);

void bayes_store_image_init(struct bayes_store_image *img);
void bayes_store_image_clear(struct bayes_store_image *img);
void bayes_store_image_add_token(struct bayes_store_image *img, const struct bayes_store_key *key,
                                 const struct bayes_store_counts *c);
void bayes_store_image_add_seen(struct bayes_store_image *img, const char *msgid, size_t len,
                                char cls);

/* "0a1b2c3d4e": 2 * BAYES_KEY_LEN hex digits and a NUL into hex. */
void bayes_store_key_hex(const struct bayes_store_key *key, char hex[2 * BAYES_KEY_LEN + 1]);
/* The reverse; -1 unless exactly 2 * BAYES_KEY_LEN hex digits. */
int bayes_store_key_parse(const char *hex, size_t len, struct bayes_store_key *key);

#endif
