/*
 * bind_spec.h - parse a listener address as written in bind_socket:
 *   "127.0.0.1:783", "[::1]:11333", "*:783" (every address, v4 and v6),
 *   "localhost:11333" (every address the name has), and Unix sockets
 *   "/run/sift/spamd.sock mode=0660 owner=_sift group=mail".
 * A TCP address may be followed by "ssl": TLS on that listener.
 * Parsing only: resolving names and binding are the daemon's business.
 */
#ifndef SIFT_CORE_BIND_SPEC_H
#define SIFT_CORE_BIND_SPEC_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"

enum bind_kind {
    BIND_TCP,
    BIND_UNIX,
};

struct bind_spec {
    enum bind_kind kind;
    const char *text;  /* as written, for messages */
    const char *host;  /* BIND_TCP: "127.0.0.1", "::1", "localhost"; NULL for "*" */
    unsigned port;     /* BIND_TCP */
    const char *path;  /* BIND_UNIX: absolute path */
    unsigned mode;     /* BIND_UNIX: permission bits, default 0660 */
    const char *owner; /* BIND_UNIX: NULL = the process user */
    const char *group; /* BIND_UNIX: NULL = the process group */
    bool ssl;          /* BIND_TCP: "ssl" given: TLS on this listener */
};

/* Parse text into *out; strings are copied into a. */
int bind_spec_parse(struct arena *a, const char *text, struct bind_spec *out, struct sift_err *err);

#endif
