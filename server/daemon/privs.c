/*
 * privs.c - privileges, run directories and the PID file (see privs.h).
 */
#include "daemon/privs.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"

int
privs_lookup(const char *user, const char *group, struct privs *out, struct sift_err *err)
{
    struct passwd *pw;

    memset(out, 0, sizeof(*out));
    out->uid = (uid_t)-1;
    out->gid = (gid_t)-1;
    if (user == NULL || user[0] == '\0' || geteuid() != 0)
        return 0;
    if ((pw = getpwnam(user)) == NULL) {
        sift_err_set(err,
                     "options.user: no such user '%s' (create it, e.g. useradd -r -s "
                     "/usr/sbin/nologin %s, or set options.user)",
                     user, user);
        return -1;
    }
    out->uid = pw->pw_uid;
    out->gid = pw->pw_gid;
    snprintf(out->user, sizeof(out->user), "%s", user);
    if (group != NULL && group[0] != '\0') {
        struct group *gr = getgrnam(group);

        if (gr == NULL) {
            sift_err_set(err, "options.group: no such group '%s'", group);
            return -1;
        }
        out->gid = gr->gr_gid;
    }
    out->drop = out->uid != 0;
    return 0;
}

int
privs_mkdir(const char *dir, const struct privs *pv, unsigned mode, struct sift_err *err)
{
    char path[PATH_MAX];
    size_t len = strlen(dir);

    if (len == 0 || len >= sizeof(path)) {
        sift_err_set(err, "%s: bad directory name", dir);
        return -1;
    }
    memcpy(path, dir, len + 1);
    for (char *p = path + 1;; p++) {
        bool last = *p == '\0';

        if (*p != '/' && !last)
            continue;
        *p = '\0';
        if (mkdir(path, last ? mode : 0755) == 0) {
            if (last && pv->drop && chown(path, pv->uid, pv->gid) == -1) {
                sift_err_set(err, "%s: cannot hand to user %s: %s", path, pv->user,
                             strerror(errno));
                return -1;
            }
        } else if (errno != EEXIST) {
            sift_err_set(err, "%s: cannot create directory: %s", path, strerror(errno));
            return -1;
        }
        if (last)
            break;
        *p = '/';
    }
    return 0;
}

int
privs_drop(const struct privs *pv, struct sift_err *err)
{
    if (!pv->drop)
        return 0;
    if (initgroups(pv->user, pv->gid) == -1 || setgid(pv->gid) == -1 || setuid(pv->uid) == -1) {
        sift_err_set(err, "cannot switch to user %s: %s", pv->user, strerror(errno));
        return -1;
    }
    if (setuid(0) != -1) {
        sift_err_set(err, "switched to user %s but could get root back", pv->user);
        return -1;
    }
    return 0;
}

static pid_t
pidfile_holder(int fd)
{
    char b[32] = { 0 };
    ssize_t n = pread(fd, b, sizeof(b) - 1, 0);

    return n > 0 ? (pid_t)atol(b) : 0;
}

int
pidfile_open(const char *path, const struct privs *pv, struct sift_err *err)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    int fd;

    if (slash != NULL && slash != path && (size_t)(slash - path) < sizeof(dir)) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
        if (privs_mkdir(dir, pv, 0755, err) == -1)
            return -1;
    }
    if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644)) == -1) {
        sift_err_set(err, "%s: cannot open PID file: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
        if (errno == EWOULDBLOCK)
            sift_err_set(err, "%s: siftd is already running (pid %ld)", path,
                         (long)pidfile_holder(fd));
        else
            sift_err_set(err, "%s: cannot lock PID file: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int
pidfile_write(int fd, pid_t pid, struct sift_err *err)
{
    char b[32];
    int n = snprintf(b, sizeof(b), "%ld\n", (long)pid);

    if (ftruncate(fd, 0) == -1 || pwrite(fd, b, (size_t)n, 0) != n) {
        sift_err_set(err, "cannot write PID file: %s", strerror(errno));
        return -1;
    }
    return 0;
}

void
pidfile_remove(const char *path, int fd)
{
    if (fd == -1)
        return;
    if (unlink(path) == -1 && errno != ENOENT)
        log_warn("%s: cannot remove PID file: %s", path, strerror(errno));
    close(fd);
}
