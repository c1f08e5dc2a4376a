/*
 * envelope.h - what the scan of a message an MTA hands over needs beside
 * the message, shared by the scan API (http_scan.c: IP, Helo, From...
 * request headers) and the milter (worker_milter.c: CONNECT, HELO, MAIL,
 * RCPT and macros):
 *
 * - the SMTP envelope as SpamAssassin's rules see it behind spamc: the
 *   Received header of the hop the MTA saw, prepended when the message's
 *   newest Received header does not already record the client's address,
 *   so the relay rules (ALL_TRUSTED, the trust path, the envelope sender)
 *   see what the MTA saw;
 * - the header edits a filter makes for the result: the X-Spam-* fields of
 *   SpamAssassin's add_header, the headers to remove first (so that a
 *   sender cannot forge them), the Subject of a rewrite subject action.
 *
 * No I/O; strings are NUL-terminated, header values end without a line end
 * and fold with LF + white space, as SpamAssassin folds them.
 */
#ifndef SIFT_DAEMON_ENVELOPE_H
#define SIFT_DAEMON_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "compat/sa_markup.h"
#include "core/arena.h"
#include "core/buf.h"
#include "daemon/scanner.h"
#include "scan/scan_result.h"

/* The SMTP side of a message. NULL (or "" where said) means unknown. */
struct envelope {
    const char *ip;          /* the client's address; NULL: no hop is recorded */
    const char *helo;        /* NULL or "": "unknown" */
    const char *hostname;    /* the client's verified name; NULL or "": "unknown" */
    const char *from;        /* MAIL FROM without <>, "" for the null sender; NULL: not given */
    const char *const *rcpt; /* RCPT TO without <> */
    size_t nrcpt;
    const char *queue_id; /* NULL or "": none */
    const char *with;     /* the protocol the hop names: NULL "ESMTP"; "ESMTPSA"... */
};

/* The newest Received header of msg[0..len) (LF or CRLF line ends) names ip. */
bool envelope_received_has(const char *msg, size_t len, const char *ip);

/* Whether msg[0..len) needs the hop of e prepended: e names the client
 * and the newest Received header does not. */
bool envelope_hop_needed(const struct envelope *e, const char *msg, size_t len);

/*
 * Append the Received header of the hop e describes, as the MTA byhost
 * would write it at time now: "Received: from HELO (HOSTNAME [IP])\n\tby
 * BYHOST (sift) with ESMTP id QID\n\t(envelope-from <FROM>)\n\tfor <RCPT>;
 * DATE\n" (the id, envelope-from and for parts only when known; for only
 * with one recipient). LF line ends. Nothing when e->ip is NULL.
 */
void envelope_received(const struct envelope *e, const char *byhost, time_t now, struct buf *out);

/* The headers a filter removes before adding its own: SpamAssassin's
 * (X-Spam-Flag, -Status, -Level, -Checker-Version, -Report) and X-Spam. */
extern const char *const envelope_removed[];
extern const size_t envelope_nremoved;

/* A header to add: name without the colon, value folded with LF. */
struct envelope_header {
    const char *name;
    const char *value;
};

/* The fields SpamAssassin's add_header gives this scan (spam or ham, as
 * its result says), in a's memory: *out gets an array of them (room for
 * `spare` more entries after them), the return value is their number. */
size_t envelope_sa_headers(struct arena *a, const struct scanner_scan *sr,
                           const struct sa_markup_env *env, size_t spare,
                           struct envelope_header **out);

/* The Subject of a rewrite subject action: SpamAssassin's rewrite_header
 * Subject when the configuration sets one, else rspamd's "***SPAM*** %s"
 * with the message's Subject. Appended to out, without a line end. */
void envelope_subject(const struct scanner_scan *sr, const struct sa_markup_env *env,
                      struct buf *out);

/* rspamd's required_score: the threshold of the strongest action set
 * (res's add-header threshold when none is; 0 without res). */
double envelope_required(const struct scan_actions *acts, const struct scan_result *res);

#endif
