/*
 * worker_spamd.h - the spamd worker: SPAMC/SPAMD over TCP or a Unix socket
 * (spec/spamd-protocol.md), the glue between a connection and proto_spamd.
 */
#ifndef SIFT_DAEMON_WORKER_SPAMD_H
#define SIFT_DAEMON_WORKER_SPAMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cfg_keys.h"

struct conn_proto;

/* workers.<spamd>.* beyond the common keys */
struct spamd_worker_cfg {
    size_t max_size;
    size_t max_line;
    bool allow_tell;             /* spamd --allow-tell */
    uint64_t max_conn_per_child; /* spamd --max-conn-per-child; 0: no limit */
};

extern const struct cfg_key spamd_worker_keys[];
extern const size_t spamd_worker_nkeys;
extern const struct conn_proto spamd_conn_proto;

#endif
