/*
 * bayes_bdb_env.c - the Berkeley DB environment of a Bayes directory, one
 * handle per process and directory.
 *
 * Every process opens the environment with DB_REGISTER | DB_RECOVER: a
 * process that died with the environment open (kill -9 in the middle of a
 * learn) is noticed by the next one to open it, which runs recovery; the
 * live ones get DB_RUNRECOVERY from their next call and reopen here
 * (bdb_env_restart), each store then reopening its database handles.
 * DB_REGISTER allows one handle per process and environment, hence this
 * small process-wide table (the one piece of file-scope state of the
 * store; it is forgotten, not closed, in a child after fork).
 */
#include "stat/bayes_bdb_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xmalloc.h"

#define BDB_LOCKS     20000 /* page locks of one transaction: a whole 500k-token table */
#define BDB_LOCKERS   4000
#define BDB_THREADS   1024              /* processes using the environment at once */
#define BDB_LOCK_WAIT (5 * 1000 * 1000) /* µs before a blocked lock gives up */
#define BDB_LOG_MAX   (4u << 20)

static struct bdb_env *bdb_envs; /* this process's open environments */

static void
bdb_errcall(const DB_ENV *env, const char *pfx, const char *msg)
{
    struct bdb_env *e = env->app_private;

    size_t n;

    (void)pfx;
    if (e == NULL)
        return;
    /* one error may come in several lines: keep them all, as room allows */
    n = strlen(e->dberr);
    if (n > 0 && n + 3 < sizeof(e->dberr)) {
        memcpy(e->dberr + n, "; ", 2);
        n += 2;
    }
    snprintf(e->dberr + n, sizeof(e->dberr) - n, "%s", msg);
}

/* Berkeley DB's informational messages (failchk freeing a dead process's
 * locks, recovery): to the log, at debug level. */
static void
bdb_msgcall(const DB_ENV *env, const char *msg)
{
    const struct bdb_env *e = env->app_private;

    log_debug("bayes: %s: Berkeley DB: %s", e != NULL ? e->dir : "?", msg);
}

bool
bdb_pid_alive(pid_t pid)
{
    char path[64], buf[512];
    const char *close_paren;
    ssize_t n;
    int fd;

    if (kill(pid, 0) == -1 && errno != EPERM)
        return false;
    /* a zombie answers kill(0) but is gone: failchk taking it for alive
     * skips the recovery its locks need, and the next open waits on them
     * for ever (kill -9 of a whole siftd, restarted before init reaps its
     * workers) */
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
        return true; /* no /proc: trust kill() */
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return true;
    buf[n] = '\0';
    if ((close_paren = strrchr(buf, ')')) == NULL || close_paren[1] != ' ')
        return true;
    return close_paren[2] != 'Z' && close_paren[2] != 'X';
}

/* failchk's question: is this process still there? */
static int
bdb_isalive(DB_ENV *env, pid_t pid, db_threadid_t tid, u_int32_t flags)
{
    (void)env;
    (void)tid;
    (void)flags;
    return bdb_pid_alive(pid);
}

static int
env_open_once(struct bdb_env *e)
{
    DB_ENV *env;
    int ret;

    if ((ret = db_env_create(&env, 0)) != 0)
        return ret;
    e->dberr[0] = '\0';
    env->app_private = e;
    env->set_errcall(env, bdb_errcall);
    env->set_msgcall(env, bdb_msgcall);
    env->set_cachesize(env, (u_int32_t)(e->cache_bytes >> 30),
                       (u_int32_t)(e->cache_bytes & ((1u << 30) - 1)), 1);
    env->set_lk_max_locks(env, BDB_LOCKS);
    env->set_lk_max_objects(env, BDB_LOCKS);
    env->set_lk_max_lockers(env, BDB_LOCKERS);
    env->set_lk_detect(env, DB_LOCK_DEFAULT);
    env->set_timeout(env, BDB_LOCK_WAIT, DB_SET_LOCK_TIMEOUT);
    env->set_flags(env, DB_TIME_NOTGRANTED, 1);
    env->log_set_config(env, DB_LOG_AUTO_REMOVE, 1);
    env->set_lg_max(env, BDB_LOG_MAX);
    env->set_thread_count(env, BDB_THREADS);
    env->set_isalive(env, bdb_isalive);
    /* DB_FAILCHK: a dead process outside Berkeley DB's critical sections
     * costs a failchk (its transaction rolled back), not a recovery */
    ret = env->open(env, e->dir,
                    DB_CREATE | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL | DB_INIT_TXN |
                        DB_REGISTER | DB_RECOVER | DB_FAILCHK,
                    (int)e->mode);
    if (ret != 0) {
        env->close(env, 0);
        return ret;
    }
    e->env = env;
    return 0;
}

/* The environment panicked with no process dead (a damaged page, say):
 * DB_REGISTER sees no reason to recover it, and every open fails. An empty
 * registry file makes the next open recover; flock on it keeps two
 * processes from doing this at once. */
static int
env_force_recovery(struct bdb_env *e)
{
    char reg[PATH_MAX + 16];
    int fd, ret;

    snprintf(reg, sizeof(reg), "%s/__db.register", e->dir);
    if ((fd = open(reg, O_RDWR | O_CLOEXEC)) == -1)
        return DB_RUNRECOVERY;
    flock(fd, LOCK_EX);
    if ((ret = env_open_once(e)) == DB_RUNRECOVERY && ftruncate(fd, 0) == 0)
        ret = env_open_once(e); /* another process may have done it meanwhile */
    flock(fd, LOCK_UN);
    close(fd);
    return ret;
}

static int
env_open(struct bdb_env *e, struct sift_err *err)
{
    int ret = env_open_once(e);

    if (ret == DB_RUNRECOVERY) {
        log_warn("bayes: %s: the Berkeley DB environment needs recovery (%s): recovering", e->dir,
                 e->dberr);
        ret = env_force_recovery(e);
    }
    if (ret != 0) {
        sift_err_set(err, "bayes: %s: cannot open the Berkeley DB environment: %s%s%s", e->dir,
                     db_strerror(ret), e->dberr[0] ? ": " : "", e->dberr);
        return -1;
    }
    return 0;
}

int
bdb_env_get(const char *dir, const struct bayes_store_opts *opts, struct bdb_env **out,
            struct sift_err *err)
{
    struct bdb_env *e, **pp;

    /* entries a parent opened are not ours to use or close after fork */
    for (pp = &bdb_envs; (e = *pp) != NULL;) {
        if (e->pid != getpid()) {
            *pp = e->next;
            continue; /* leaked on purpose: its memory is the parent's */
        }
        pp = &e->next;
    }
    for (e = bdb_envs; e != NULL; e = e->next) {
        if (strcmp(e->dir, dir) == 0) {
            e->refs++;
            *out = e;
            return 0;
        }
    }
    e = xcalloc(1, sizeof(*e));
    snprintf(e->dir, sizeof(e->dir), "%s", dir);
    e->pid = getpid();
    e->cache_bytes = opts->cache_bytes;
    e->mode = opts->file_mode;
    if (env_open(e, err) == -1) {
        free(e);
        return -1;
    }
    e->refs = 1;
    e->next = bdb_envs;
    bdb_envs = e;
    *out = e;
    return 0;
}

void
bdb_env_put(struct bdb_env **ep)
{
    struct bdb_env *e = *ep, **pp;

    if (e == NULL)
        return;
    *ep = NULL;
    if (--e->refs > 0)
        return;
    for (pp = &bdb_envs; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == e) {
            *pp = e->next;
            break;
        }
    }
    if (e->env != NULL && e->pid == getpid())
        e->env->close(e->env, 0);
    free(e);
}

int
bdb_env_restart(struct bdb_env *e, struct sift_err *err)
{
    /* closing the environment closes every database handle opened in it:
     * the stores notice the new epoch and reopen theirs */
    if (e->env != NULL) {
        e->env->close(e->env, 0);
        e->env = NULL;
        e->epoch++;
    }
    return env_open(e, err);
}
