/*
 * worker_types.h - the table of worker types. Adding a protocol adds one
 * row here (STYLE.md section 8); nothing else switches on the type.
 */
#ifndef SIFT_DAEMON_WORKER_TYPES_H
#define SIFT_DAEMON_WORKER_TYPES_H

#include <stddef.h>

#include "core/cfg_keys.h"

struct conn_proto;

struct worker_type {
    const char *name;
    const char *summary;               /* one line, for confighelp */
    const struct cfg_key *listen_keys; /* bind_socket and count, with this type's defaults */
    size_t nlisten_keys;
    const struct cfg_key *keys;     /* the type's own settings ... */
    const size_t *nkeys;            /* (extern tables: their length is known where defined) */
    size_t cfg_size;                /* ... and the size of the struct they fill */
    const struct conn_proto *proto; /* how a connection is served */
};

extern const struct worker_type worker_types[];
extern const size_t worker_ntypes;

const struct worker_type *worker_type_find(const char *name);

#endif
