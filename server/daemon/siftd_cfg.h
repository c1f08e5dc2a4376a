/*
 * siftd_cfg.h - the daemon's view of a configuration snapshot: the core
 * layers (cfg_load) checked against every section siftd knows, with the
 * workers resolved to their types, counts and listener addresses.
 * One siftd_cfg per snapshot; a reload builds a new one.
 */
#ifndef SIFT_DAEMON_SIFTD_CFG_H
#define SIFT_DAEMON_SIFTD_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/bind_spec.h"
#include "core/buf.h"
#include "core/cfg_keys.h"
#include "core/cfg_load.h"
#include "core/err.h"
#include "core/ipnet.h"
#include "core/log.h"
#include "compat/sa_rules.h"
#include "daemon/classifier.h"
#include "daemon/stats.h"
#include "mime/mime_ctx.h"
#include "scan/scan_result.h"
#include "scan/scan_settings.h"

struct worker_type;

/* One entry under `workers:`. */
struct worker_cfg {
    const char *name;      /* its key: "spamd", "spamd_tls" */
    const char *type_name; /* `type:`, default: the name */
    const struct worker_type *type;
    bool enabled;
    struct cfg_strlist bind_socket;
    unsigned count; /* processes; "auto" resolved to the number of cores */
    uint64_t max_conns;
    double idle_timeout;
    double read_timeout;
    struct bind_spec *binds; /* bind_socket parsed */
    size_t nbinds;
    struct cfg_strlist allowed_ips;
    struct ipset allowed; /* allowed_ips parsed; empty: every TCP peer */
    const char *ssl_cert, *ssl_key, *ssl_ca, *ssl_ciphers;
    int ssl_min_protocol; /* 0: TLSv1.2, 1: TLSv1.3 */
    void *ssl_ctx;        /* SSL_CTX (daemon/tls.h) when an address has ssl, else NULL */
    struct sockaddr_storage *ssl_addrs; /* the TLS sockets, recorded when the main process binds */
    size_t nssl_addrs;
    void *proto; /* the type's own settings (type->keys) */
};

/* A block of the settings section, by its id (rspamd's Settings-ID). */
struct siftd_settings {
    const char *id;
    struct scan_settings s;
};

struct siftd_cfg {
    struct cfg *cfg; /* tree, options, files read, warnings */
    struct log_cfg logging;
    struct mime_cfg mime;
    struct sa_rules_cfg rules;        /* where SpamAssassin's rules are, how to run them */
    struct scan_actions_cfg actions;  /* score thresholds */
    struct stats_cfg history;         /* sizes of the shared /history and /errors rings */
    const struct cfg_node *symbols;   /* native rules and rescores (NULL: none) */
    struct classifier_cfg classifier; /* classifier.bayes */
    struct siftd_settings *settings;  /* the settings section: blocks a Settings-ID picks */
    size_t nsettings;
    struct worker_cfg *workers; /* enabled and disabled, in config order */
    size_t nworkers;
};

/* Load and check a whole configuration. Warnings land in cfg->warnings.
 * TLS contexts are built here, so the process must be able to read the
 * certificates and keys. */
int siftd_cfg_load(const char *path, const char *const *overrides, size_t noverrides,
                   struct siftd_cfg **out, struct sift_err *err);
/* The same for a reload while `running` serves. A worker whose TLS files
 * cannot be loaded (siftd no longer runs as root) but whose ssl_* keys are
 * unchanged keeps running's TLS context, with a warning. */
int siftd_cfg_reload(const char *path, const char *const *overrides, size_t noverrides,
                     const struct siftd_cfg *running, struct siftd_cfg **out, struct sift_err *err);
void siftd_cfg_free(struct siftd_cfg **scp);
/* How many worker processes the enabled workers add up to. */
size_t siftd_cfg_enabled_workers(const struct siftd_cfg *sc);

/* For the worker types' checks (worker_type.check) and siftd's own: where
 * item `item` of key `key` of a worker's node was written ("FILE:LINE:COL";
 * a scalar is item 0), or "(default)" when node (NULL is fine) does not set
 * it. Written into where[0..len); returns where. */
const char *siftd_cfg_item_pos(const struct cfg_node *node, const char *key, size_t item,
                               char *where, size_t len);
/* Build set from l, the list key `key` of worker wc (addresses and networks;
 * "!NET" excludes): allowed_ips, secure_ip, trusted_proxies. The snapshot's
 * arena clears the set when freed, also after a failure. -1 at the first
 * bad item, with "POS: workers.NAME.KEY: 'ITEM': why". */
int siftd_cfg_nets(struct cfg *cfg, const struct worker_cfg *wc, const struct cfg_node *node,
                   const char *key, const struct cfg_strlist *l, struct ipset *set,
                   struct sift_err *err);

/* `siftadm confighelp [KEY]`: document KEY (a key, a section or nothing for
 * all). -1 when no such key is known. */
int siftd_cfg_help(const char *key, struct buf *out);

#endif
