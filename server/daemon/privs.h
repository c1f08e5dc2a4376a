/*
 * privs.h - who the daemon runs as, and the files it owns on the way:
 * the user/group lookup, the privilege drop after binding, directories
 * created for that user, and the PID file (locked while the main process
 * runs, so a second siftd finds out at once).
 */
#ifndef SIFT_DAEMON_PRIVS_H
#define SIFT_DAEMON_PRIVS_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/err.h"

struct privs {
    bool drop; /* started as root with a user configured */
    uid_t uid; /* (uid_t)-1 when not dropping */
    gid_t gid;
    char user[64];
};

/* Decide from options.user/group (empty user: stay as we are). */
int privs_lookup(const char *user, const char *group, struct privs *out, struct sift_err *err);
/* Make dir (and its parents) if missing; hand a new one to the run user. */
int privs_mkdir(const char *dir, const struct privs *pv, unsigned mode, struct sift_err *err);
/* Switch to the run user for good (groups, gid, uid; checks it stuck). */
int privs_drop(const struct privs *pv, struct sift_err *err);

/* Create and lock path. Returns the descriptor, or -1 (another siftd holds
 * it: err names its pid). */
int pidfile_open(const char *path, const struct privs *pv, struct sift_err *err);
/* Write pid into the locked file. */
int pidfile_write(int fd, pid_t pid, struct sift_err *err);
/* Remove the file, then close (and so unlock) it. */
void pidfile_remove(const char *path, int fd);

#endif
