/*
 * listener.c - listening sockets (see listener.h).
 */
#include "daemon/listener.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/xmalloc.h"

#define LISTEN_BACKLOG 4096

static bool
listener_same(const struct listener *l, const struct sockaddr *sa, socklen_t len)
{
    return l->addrlen == len && memcmp(&l->addr, sa, len) == 0;
}

static void
listener_name(const struct sockaddr *sa, socklen_t len, char *out, size_t outlen)
{
    char host[NI_MAXHOST], serv[NI_MAXSERV];

    if (sa->sa_family == AF_UNIX) {
        snprintf(out, outlen, "%s", ((const struct sockaddr_un *)sa)->sun_path);
        return;
    }
    if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(out, outlen, "(unprintable address)");
        return;
    }
    snprintf(out, outlen, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, serv);
}

/* Is someone serving this Unix socket path right now? */
static bool
listener_unix_alive(const struct sockaddr_un *sun)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool alive;

    if (fd == -1)
        return false;
    alive = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
    close(fd);
    return alive;
}

static int
listener_unix_prepare(const struct sockaddr_un *sun, const char *text, struct sift_err *err)
{
    struct stat st;

    if (lstat(sun->sun_path, &st) == -1)
        return 0;
    if (!S_ISSOCK(st.st_mode)) {
        sift_err_set(err, "%s: exists and is not a socket", text);
        return -1;
    }
    if (listener_unix_alive(sun)) {
        sift_err_set(err, "%s: another server is listening on it", text);
        return -1;
    }
    unlink(sun->sun_path); /* stale, left by a crash */
    return 0;
}

static int
listener_unix_owner(const struct bind_spec *spec, uid_t uid, gid_t gid, struct sift_err *err)
{
    if (spec->owner != NULL) {
        struct passwd *pw = getpwnam(spec->owner);

        if (pw == NULL) {
            sift_err_set(err, "%s: unknown user '%s'", spec->text, spec->owner);
            return -1;
        }
        uid = pw->pw_uid;
        if (spec->group == NULL)
            gid = pw->pw_gid;
    }
    if (spec->group != NULL) {
        struct group *gr = getgrnam(spec->group);

        if (gr == NULL) {
            sift_err_set(err, "%s: unknown group '%s'", spec->text, spec->group);
            return -1;
        }
        gid = gr->gr_gid;
    }
    if (chmod(spec->path, spec->mode) == -1 ||
        ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(spec->path, uid, gid) == -1)) {
        sift_err_set(err, "%s: cannot set mode/owner: %s", spec->text, strerror(errno));
        return -1;
    }
    return 0;
}

static int
listener_bind(const struct sockaddr *sa, socklen_t len, const struct bind_spec *spec, uid_t uid,
              gid_t gid, struct sift_err *err)
{
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    char name[128];

    listener_name(sa, len, name, sizeof(name));
    if (fd == -1) {
        sift_err_set(err, "%s: cannot create socket: %s", name, strerror(errno));
        return -1;
    }
    if (sa->sa_family != AF_UNIX)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (sa->sa_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (sa->sa_family == AF_UNIX &&
        listener_unix_prepare((const struct sockaddr_un *)sa, spec->text, err) == -1)
        goto fail;
    if (bind(fd, sa, len) == -1) {
        sift_err_set(err, "cannot bind %s: %s", name, strerror(errno));
        goto fail;
    }
    if (sa->sa_family == AF_UNIX && listener_unix_owner(spec, uid, gid, err) == -1) {
        unlink(spec->path);
        goto fail;
    }
    if (listen(fd, LISTEN_BACKLOG) == -1) {
        sift_err_set(err, "cannot listen on %s: %s", name, strerror(errno));
        goto fail;
    }
    return fd;
fail:
    close(fd);
    return -1;
}

static int
listener_add(struct listener_set *set, struct listener_set *reuse, const char *owner,
             const struct sockaddr *sa, socklen_t len, const struct bind_spec *spec, uid_t uid,
             gid_t gid, struct sift_err *err)
{
    struct listener l = { .fd = -1, .addrlen = len, .moved_from = -1 };

    memcpy(&l.addr, sa, len);
    listener_name(sa, len, l.name, sizeof(l.name));
    snprintf(l.owner, sizeof(l.owner), "%s", owner);
    for (size_t i = 0; i < set->n; i++) {
        if (listener_same(&set->v[i], sa, len)) {
            sift_err_set(err, "%s: bound twice (workers.%s and workers.%s)", l.name,
                         set->v[i].owner, owner);
            return -1;
        }
    }
    for (size_t i = 0; reuse != NULL && i < reuse->n; i++) {
        if (reuse->v[i].fd != -1 && listener_same(&reuse->v[i], sa, len)) {
            l.fd = reuse->v[i].fd;
            l.moved_from = (long)i;
            reuse->v[i].fd = -1; /* moved */
            break;
        }
    }
    if (l.fd == -1 && (l.fd = listener_bind(sa, len, spec, uid, gid, err)) == -1)
        return -1;
    set->v = xreallocarray(set->v, set->n + 1, sizeof(*set->v));
    set->v[set->n++] = l;
    return (int)(set->n - 1);
}

static int
listener_resolve(const struct bind_spec *spec, struct addrinfo **res, struct sift_err *err)
{
    struct addrinfo hints = { 0 };
    char port[8];
    int rc;

    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(port, sizeof(port), "%u", spec->port);
    rc = getaddrinfo(spec->host, port, &hints, res);
    if (rc != 0) {
        sift_err_set(err, "%s: cannot resolve: %s", spec->text, gai_strerror(rc));
        return -1;
    }
    return 0;
}

static void
listener_note(size_t **idx, size_t *nidx, int i)
{
    *idx = xreallocarray(*idx, *nidx + 1, sizeof(**idx));
    (*idx)[(*nidx)++] = (size_t)i;
}

int
listener_open(struct listener_set *set, struct listener_set *reuse, const char *owner,
              const struct bind_spec *spec, uid_t uid, gid_t gid, size_t **idx, size_t *nidx,
              struct sift_err *err)
{
    struct addrinfo *res, *ai;
    int i;

    if (spec->kind == BIND_UNIX) {
        struct sockaddr_un sun = { .sun_family = AF_UNIX };

        snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", spec->path);
        i = listener_add(set, reuse, owner, (struct sockaddr *)&sun, sizeof(sun), spec, uid, gid,
                         err);
        if (i == -1)
            return -1;
        listener_note(idx, nidx, i);
        return 0;
    }
    if (listener_resolve(spec, &res, err) == -1)
        return -1;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        i = listener_add(set, reuse, owner, ai->ai_addr, ai->ai_addrlen, spec, uid, gid, err);
        if (i == -1) {
            freeaddrinfo(res);
            return -1;
        }
        listener_note(idx, nidx, i);
    }
    freeaddrinfo(res);
    return 0;
}

static bool
listener_in(const struct listener_set *set, const struct listener *l)
{
    for (size_t i = 0; set != NULL && i < set->n; i++) {
        if (set->v[i].fd != -1 &&
            listener_same(&set->v[i], (const struct sockaddr *)&l->addr, l->addrlen))
            return true;
    }
    return false;
}

void
listener_close_all(struct listener_set *set, const struct listener_set *keep)
{
    for (size_t i = 0; i < set->n; i++) {
        if (set->v[i].fd == -1)
            continue;
        close(set->v[i].fd);
        if (set->v[i].addr.ss_family == AF_UNIX && !listener_in(keep, &set->v[i]))
            unlink(((struct sockaddr_un *)&set->v[i].addr)->sun_path);
    }
    free(set->v);
    set->v = NULL;
    set->n = 0;
}

void
listener_rollback(struct listener_set *set, struct listener_set *reuse)
{
    for (size_t i = 0; i < set->n; i++) {
        if (set->v[i].moved_from >= 0) {
            reuse->v[set->v[i].moved_from].fd = set->v[i].fd;
            set->v[i].fd = -1;
        }
    }
    listener_close_all(set, reuse);
}
