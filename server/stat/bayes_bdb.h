/*
 * bayes_bdb.h - the Bayes store in SpamAssassin's DBM files, in Berkeley DB.
 *
 * <prefix>_toks and <prefix>_seen (or the .db-suffixed names) are the very
 * files SpamAssassin's BayesStore/DBM.pm reads and writes: DB_HASH, 5-byte
 * token keys, values packed as DBM.pm packs them, the magic keys
 * ("\x0D\x01\x07\x09\x03" + name, decimal values), msgid -> "s"/"h" in
 * _seen. SA's journal (<prefix>_journal) is read and written in its format,
 * and SA's lock file (<prefix>.lock, its NFS-safe link protocol; also
 * <prefix>.mutex when SA uses flock) is taken around every write, so that
 * sa-learn and sift never write at once.
 *
 * Inside sift the files sit in a Berkeley DB environment in the same
 * directory (__db.00N region files, __db.register, log.NNNNNNNNNN logs):
 * every process shares one cache and one lock table, each learn is one
 * transaction whose commit is on disk when the learn returns, readers read
 * committed data. After each write (or each batch, see bayes_store_batch)
 * every dirty page is written to the files before SA's lock is let go, so
 * the files are current when SA opens them; a checkpoint every 1 MB of log
 * or 5 minutes lets old logs go.
 *
 * SA writes the files behind the environment's back (it has no part in
 * it), which would leave stale pages in the shared cache. So sift keeps in
 * <prefix>_siftstate what the files looked like (inode, size, mtime) when it
 * last let go of them; a process that finds them changed while no sift
 * writer is active gives the files new Berkeley DB file ids (which drops
 * the stale cache for everyone) and bumps a generation; every process
 * reopens its handles when the generation moves. While SA still holds its
 * lock (a whole sa-learn run), lookups read the files directly, outside
 * the environment, as SA's own scanners do.
 *
 * Crashes: every process opens the environment with DB_REGISTER,
 * DB_RECOVER and DB_FAILCHK. A process killed in the middle of a learn is
 * noticed by the next one to open the environment (or to wait on its
 * locks): its transaction is rolled back, or, if it died inside Berkeley
 * DB, the environment is recovered and the other processes reopen theirs
 * (they see DB_RUNRECOVERY once; the store retries). Committed learns are
 * never lost. bayes_bdb_recover (bayes_store_recover) also checks every
 * page, and clears the LSNs of files that come from another environment;
 * run it while nothing else uses the store: the siftd main process before
 * it forks workers, or siftadm while siftd is stopped.
 *
 * The directory must be writable by every process that uses the store (the
 * environment's files live there), readers included. A process keeps one
 * read-write handle per prefix (the second would wait on SA's lock that
 * the first holds in batch mode).
 */
#ifndef SIFT_STAT_BAYES_BDB_H
#define SIFT_STAT_BAYES_BDB_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "stat/bayes_store.h"

/* The magic key prefix; a key that starts with it is not a token. */
#define BAYES_BDB_MAGIC     "\x0D\x01\x07\x09\x03"
#define BAYES_BDB_MAGIC_LEN 5
#define BAYES_BDB_VERSION   3 /* DBVERSION this store reads and writes */
#define BAYES_BDB_PACK_MAX  13

/* The backend's entry points (bayes_store.c's table calls these). */
enum bayes_store_status bayes_bdb_open(const char *prefix, unsigned flags,
                                       const struct bayes_store_opts *opts,
                                       struct bayes_store **out, struct sift_err *err);
enum bayes_store_status bayes_bdb_recover(const char *prefix, const struct bayes_store_opts *opts,
                                          struct sift_err *err);

/* Roll back the transactions of processes that died using the environment
 * of prefix's directory and free their locks (DB_ENV->failchk): for a
 * parent that saw a worker die, so that no scan waits on a dead learner's
 * locks. -1 with err when that is not enough: the environment is then
 * recovered by the next process that opens it. */
int bayes_bdb_failchk(const char *prefix, struct sift_err *err);

/* A token value as DBM.pm's tok_pack writes it: 5 bytes when both counts
 * are below 8, else 13. Returns the length written to out. */
size_t bayes_bdb_pack(const struct bayes_store_counts *c, uint8_t out[BAYES_BDB_PACK_MAX]);
/* DBM.pm's tok_unpack: either packing; fields the value is too short for
 * read as 0. -1 (and all 0) for an unknown packing (first byte 0x40/0x80),
 * which SA also reads as (0, 0, 0). */
int bayes_bdb_unpack(const void *p, size_t len, struct bayes_store_counts *c);

#endif
