/*
 * listener.h - the listening sockets the main process binds for its
 * workers: TCP (IPv4, IPv6) and Unix sockets with mode and owner.
 * A reload reuses every socket whose address is unchanged, so the kernel
 * keeps queueing connections while workers are replaced: nobody is refused.
 */
#ifndef SIFT_DAEMON_LISTENER_H
#define SIFT_DAEMON_LISTENER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "core/bind_spec.h"
#include "core/err.h"

struct listener {
    int fd;
    char name[128];               /* "127.0.0.1:783", "[::1]:11333", "/run/sift/spamd.sock" */
    struct sockaddr_storage addr; /* bound address: the key for reuse */
    socklen_t addrlen;
    char owner[64];  /* worker name, for "bound twice" messages */
    long moved_from; /* index in the `reuse` set it came from, or -1 */
};

struct listener_set {
    struct listener *v;
    size_t n;
};

/* Open every address spec resolves to, for worker `owner`, appending to set
 * and their indexes to idx (the caller frees *idx). A socket already in
 * `reuse` with the same address is moved from reuse instead of bound anew.
 * uid/gid: owner of new Unix sockets when owner=/group= are not given
 * (-1: leave as created). */
int listener_open(struct listener_set *set, struct listener_set *reuse, const char *owner,
                  const struct bind_spec *spec, uid_t uid, gid_t gid, size_t **idx, size_t *nidx,
                  struct sift_err *err);
/* Close every socket of the set and empty it. Unix socket files are
 * removed unless `keep` holds a socket at the same path. */
void listener_close_all(struct listener_set *set, const struct listener_set *keep);
/* Undo a failed reload: give moved sockets back to `reuse`, close the rest. */
void listener_rollback(struct listener_set *set, struct listener_set *reuse);

#endif
