/*
 * worker_types.h - the table of worker types. Adding a protocol adds one
 * row here (STYLE.md section 8); nothing else switches on the type.
 */
#ifndef SIFT_DAEMON_WORKER_TYPES_H
#define SIFT_DAEMON_WORKER_TYPES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/cfg_keys.h"

struct cfg;
struct cfg_node;
struct conn_proto;
struct worker;
struct worker_cfg;

struct worker_type {
    const char *name;
    const char *summary;               /* one line, for confighelp */
    const struct cfg_key *listen_keys; /* bind_socket and count, with this type's defaults */
    size_t nlisten_keys;
    const struct cfg_key *keys;     /* the type's own settings ... */
    const size_t *nkeys;            /* (extern tables: their length is known where defined) */
    size_t cfg_size;                /* ... and the size of the struct they fill */
    const struct conn_proto *proto; /* how a connection is served */
    /* more keys of this type beyond `keys` (a table shared with other
     * types), filling the same struct; NULL: none */
    const struct cfg_key *more_keys;
    const size_t *nmore_keys;
    /* after the keys are read: check them and derive what the type needs;
     * -1 with err. NULL: nothing to do. */
    int (*check)(struct cfg *cfg, struct worker_cfg *wc, const struct cfg_node *node,
                 struct sift_err *err);
    bool control; /* its connections count as control_connections in /stat */
    /* a worker process's own state beside its connections (w->proto_state):
     * made once its loop exists, before the first connection; freed after
     * the last one. NULL: none. */
    void (*start)(struct worker *w);
    void (*stop)(struct worker *w);
};

extern const struct worker_type worker_types[];
extern const size_t worker_ntypes;

const struct worker_type *worker_type_find(const char *name);

#endif
