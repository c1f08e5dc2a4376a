/*
 * controller_auth.h - who may use the controller, and at which level
 * (spec/rspamd-http-protocol.md 8.1, with sift's additions):
 *
 * - the client is the TCP peer, or the address in X-Forwarded-For (its last
 *   element) or X-Real-IP when the peer is in trusted_proxies (a Unix-socket
 *   peer counts as one). A peer outside trusted_proxies that sends those
 *   headers is served as itself, but never without a password: its request
 *   came through a proxy we cannot vouch for;
 * - a client in secure_ip (or on a Unix socket) needs no password and may
 *   write;
 * - else the password comes from the Password header or ?password=. None:
 *   401, unless secure_ip is empty and no password guards that level. The
 *   read level takes password or enable_password (read-only unless it was
 *   enable_password, or there is none); the write level takes
 *   enable_password, or password when no enable_password is set. A wrong
 *   password: 403. The read password on a write endpoint, and rspamd's
 *   example passwords q1 and q2: 401, as rspamd answers;
 * - 5 wrong passwords (q1/q2 included) from one client within a minute:
 *   its further attempts get 429 without being checked until the minute
 *   from its first failure is over. The table is per process (a controller
 *   runs one process by default): with count > 1, each process counts for
 *   itself.
 * Passwords are plain text or argon2id hashes from `siftadm pw` (libsodium's
 * "$argon2id$..." strings). Plain ones are compared as keyed BLAKE2b digests
 * with sodium_memcmp: constant time, whatever the lengths. A hash is checked
 * with crypto_pwhash_str_verify (tens of milliseconds and 64 MiB: it blocks
 * the controller's loop that long); once a password verified, its keyed
 * digest is kept in the process, so later requests compare digests.
 */
#ifndef SIFT_DAEMON_CONTROLLER_AUTH_H
#define SIFT_DAEMON_CONTROLLER_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/ipnet.h"
#include "core/strv.h"

/* What an endpoint needs. */
enum ctl_level {
    CTL_OPEN,  /* nothing (/ping) */
    CTL_READ,  /* password or enable_password */
    CTL_WRITE, /* enable_password (or password without one) */
};

enum ctl_pw_kind {
    CTL_PW_NONE,
    CTL_PW_PLAIN,
    CTL_PW_HASH, /* argon2id / argon2i from siftadm pw */
};

/* The controller's auth settings, as the configuration left them. */
struct ctl_auth_cfg {
    const char *password;        /* read level; NULL: none */
    const char *enable_password; /* write level; NULL: none */
    enum ctl_pw_kind password_kind, enable_kind;
    struct ipset secure;  /* secure_ip */
    struct ipset proxies; /* trusted_proxies */
};

/* Classify a configured password (NULL or "": none). -1 with the reason for
 * one that is refused: rspamd's example passwords q1 and q2, an argon2 string
 * libsodium cannot read, rspamd's own $1$/$2$ hashes (no longer verifiable:
 * make a new one with siftadm pw). */
int ctl_password_kind(const char *pw, enum ctl_pw_kind *kind, struct sift_err *err);

struct ctl_auth_req {
    const char *peer;                 /* the connection's: "1.2.3.4:5678", "[::1]:5678", "unix" */
    const struct strv *forwarded_for; /* X-Forwarded-For, or NULL */
    const struct strv *real_ip;       /* X-Real-IP, or NULL */
    const struct strv *password;      /* the Password header, or NULL */
    struct strv query;                /* the request's query string, for ?password= */
    enum ctl_level level;
};

enum ctl_auth_status {
    CTL_AUTH_OK,
    CTL_AUTH_UNAUTHORIZED, /* 401: no password where one is needed (or q1/q2, a read one to write)
                            */
    CTL_AUTH_FORBIDDEN,    /* 403: a wrong password */
    CTL_AUTH_LIMITED,      /* 429: too many wrong ones */
};

struct ctl_auth_res {
    enum ctl_auth_status status;
    bool read_only;       /* OK: may read but not write */
    char client[64];      /* the address decided about */
    const char *why;      /* for the log: "in secure_ip", "enable_password", "wrong password" */
    const char *note;     /* for the log too, or NULL: why the client is not secure */
    unsigned retry_after; /* LIMITED: seconds until it may try again */
};

/* A process's memory of failures and verified hashes. */
struct ctl_auth;

struct ctl_auth *ctl_auth_new(void);
void ctl_auth_free(struct ctl_auth **ap);

/* Decide about r under cfg at monotonic time now (seconds). */
void ctl_auth_check(struct ctl_auth *a, const struct ctl_auth_cfg *cfg,
                    const struct ctl_auth_req *r, double now, struct ctl_auth_res *out);

/* The value of query parameter name in query, %XX and '+' decoded, into
 * out (cut to outlen - 1 bytes); false when it is not there. */
bool ctl_query_param(struct strv query, const char *name, char *out, size_t outlen);

#endif
