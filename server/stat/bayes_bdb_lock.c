/*
 * bayes_bdb_lock.c - SpamAssassin's write lock on a Bayes database, taken
 * the way SA takes it so that sa-learn, spamd and sift never write at once.
 *
 * Locker/UnixNFSSafe.pm (the default lock_method): write "host.pid\n" to
 * <prefix>.lock.<host>.<pid>, hard-link it to <prefix>.lock; success when
 * link() works or the temporary file's link count is 2 (NFS may report a
 * link that worked as failed). A lock file whose ctime is more than 600 s
 * older than the temporary file's is stale and removed. Unlock removes the
 * lock file if its ctime is still the one seen when it was taken.
 * sift also breaks a lock at once when it names this host and a process
 * that no longer exists (a killed learner), which SA would wait 10 minutes
 * for.
 * Locker/Flock.pm (lock_method flock) uses flock(2) on <prefix>.mutex: when
 * that file exists, it is locked too.
 */
#include "stat/bayes_bdb_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"

#define LOCK_MAX_AGE 600 /* Locker.pm */
#define LOCK_REFRESH 60  /* touch a held lock this often (s) */

static void
nap(void)
{
    /* 10-40 ms: short, since sift's writers hold the lock for milliseconds;
     * jittered so that waiters do not move in step */
    struct timespec ts = { 0, (10 + rand() % 30) * 1000000L };

    nanosleep(&ts, NULL);
}

/* Is the lock file's owner a dead process of this host? */
static bool
owner_dead(const char *path)
{
    char buf[512], host[256];
    const char *dot;
    ssize_t n;
    long pid;
    size_t hl;
    int fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
        return false;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    if ((dot = strrchr(buf, '.')) == NULL || gethostname(host, sizeof(host)) == -1)
        return false;
    host[sizeof(host) - 1] = '\0';
    hl = strlen(host);
    /* SA writes its fully qualified name; gethostname may be the short one */
    if ((size_t)(dot - buf) < hl || memcmp(buf, host, hl) != 0 ||
        (buf + hl != dot && buf[hl] != '.'))
        return false;
    pid = strtol(dot + 1, NULL, 10);
    if (pid <= 0 || pid == getpid())
        return false;
    return !bdb_pid_alive((pid_t)pid);
}

static int
mutex_take(struct bdb_lock *l, double deadline, struct sift_err *err)
{
    int fd = open(l->mutex, O_RDWR | O_CLOEXEC);

    if (fd == -1)
        return 0; /* SA does not use flock here */
    for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            break;
        if (errno != EWOULDBLOCK || clock_mono() >= deadline) {
            sift_err_set(err, "bayes: %s: locked by another writer", l->mutex);
            close(fd);
            return -1;
        }
        nap();
    }
    l->mutex_fd = fd;
    return 0;
}

static int
tmp_create(const struct bdb_lock *l, char *tmp, size_t cap, struct sift_err *err)
{
    char host[256], line[300];
    int fd, n;

    if (gethostname(host, sizeof(host)) == -1)
        snprintf(host, sizeof(host), "localhost");
    host[sizeof(host) - 1] = '\0';
    snprintf(tmp, cap, "%s.%s.%ld", l->path, host, (long)getpid());
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, l->mode & 0666)) == -1) {
        sift_err_set(err, "bayes: cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    n = snprintf(line, sizeof(line), "%s.%ld\n", host, (long)getpid());
    if (write(fd, line, (size_t)n) != n) {
        sift_err_set(err, "bayes: cannot write %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    return 0;
}

bool
bdb_lock_orphaned(const struct bdb_lock *l)
{
    return !l->held && owner_dead(l->path);
}

int
bdb_lock_take(struct bdb_lock *l, double wait, struct sift_err *err)
{
    char tmp[PATH_MAX + 300];
    double deadline = clock_mono() + wait;
    struct stat ts, ls;
    bool locked = false, have_ts;

    if (l->held)
        return 0;
    if (tmp_create(l, tmp, sizeof(tmp), err) == -1)
        return -1;
    for (;;) {
        if (link(tmp, l->path) == 0) {
            locked = true;
            break;
        }
        if (errno != EEXIST) {
            sift_err_set(err, "bayes: cannot link %s to %s: %s", tmp, l->path, strerror(errno));
            break;
        }
        have_ts = lstat(tmp, &ts) == 0;
        if (have_ts && ts.st_nlink > 1) { /* NFS: it did work */
            locked = true;
            break;
        }
        if (have_ts && lstat(l->path, &ls) == 0 &&
            (ts.st_ctim.tv_sec - ls.st_ctim.tv_sec > LOCK_MAX_AGE || owner_dead(l->path))) {
            unlink(l->path); /* stale: its owner is gone */
            continue;
        }
        if (clock_mono() >= deadline) {
            sift_err_set(err, "bayes: %s: locked by another writer (sa-learn or spamd?)", l->path);
            break;
        }
        nap();
    }
    unlink(tmp);
    if (!locked)
        return -1;
    if (lstat(l->path, &ls) == -1) {
        sift_err_set(err, "bayes: %s: %s", l->path, strerror(errno));
        return -1;
    }
    l->ctime = ls.st_ctim;
    l->held = true;
    l->refreshed = clock_mono();
    if (mutex_take(l, deadline, err) == -1) {
        bdb_lock_release(l);
        return -1;
    }
    return 0;
}

void
bdb_lock_release(struct bdb_lock *l)
{
    struct stat ls;

    if (!l->held)
        return;
    l->held = false;
    if (l->mutex_fd >= 0) {
        flock(l->mutex_fd, LOCK_UN);
        close(l->mutex_fd);
        l->mutex_fd = -1;
    }
    /* still ours only if nobody broke it and took it meanwhile */
    if (lstat(l->path, &ls) == 0 && ls.st_ctim.tv_sec == l->ctime.tv_sec &&
        ls.st_ctim.tv_nsec == l->ctime.tv_nsec)
        unlink(l->path);
}

void
bdb_lock_refresh(struct bdb_lock *l)
{
    struct stat ls;

    if (!l->held || clock_mono() - l->refreshed < LOCK_REFRESH)
        return;
    /* Locker's refresh_lock: utime now, and remember the new ctime */
    if (utimensat(AT_FDCWD, l->path, NULL, 0) == 0 && lstat(l->path, &ls) == 0)
        l->ctime = ls.st_ctim;
    l->refreshed = clock_mono();
}
