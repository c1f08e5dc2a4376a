/*
 * spamd_opts.h - SpamAssassin spamd's command line, as sift-spamd reads it.
 * An init script or an /etc/default/spamassassin OPTIONS line written for
 * spamd 4.0.1 is read with spamd's own rules (GetOptions with bundling:
 * `-dLx`, `--opt=value` and `--opt value`, `-i` with or without a value)
 * and turned into siftd `-o KEY=VALUE` overrides: the spamd worker alone,
 * on the listeners, logging, limits and rules the options name. Options
 * sift has no use for are accepted and noted; those whose loss would change
 * what a site gets (SQL or LDAP preferences, --cf lines) are refused.
 * Parsing only: no I/O; the caller gives the directory relative paths are
 * taken from, as spamd makes them absolute before it detaches.
 */
#ifndef SIFT_DAEMON_SPAMD_OPTS_H
#define SIFT_DAEMON_SPAMD_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* The version spamd -V names; sift's own follows it. */
#define SPAMD_OPTS_SA_VERSION "4.0.1"

struct spamd_opts {
    char **overrides; /* "KEY=VALUE" for siftd -o, in order (a later one wins) */
    size_t noverrides;
    char **notes; /* options accepted without effect, one line each, for the log */
    size_t nnotes;
    char *sift_config; /* --sift-config FILE; NULL: siftd's default */
    bool daemonize;    /* -d: detach (else siftd stays in the foreground, as spamd) */
    bool help;         /* -h: print spamd_opts_usage, exit 0 */
    bool version;      /* -V: print the version, exit 0 */
};

/* Read argv[1..argc) as spamd 4.0.1 does into o (zeroed by the caller) and
 * map it. cwd: the absolute directory relative paths are taken from.
 * -1 with the reason in err for a usage error or a refused option (spamd's
 * exit status for both is 2); o is then still to be cleared. Uses getopt:
 * not reentrant, and argv is not modified. */
int spamd_opts_parse(struct spamd_opts *o, int argc, char **argv, const char *cwd,
                     struct sift_err *err);
/* Free what spamd_opts_parse allocated. */
void spamd_opts_clear(struct spamd_opts *o);

/* The text of -h: every option, and what sift makes of it. */
extern const char spamd_opts_usage[];

#endif
