/*
 * worker_milter_int.h - what the proxy worker's milter files share:
 *
 *   worker_milter.c           config, the connection, the message as it arrives
 *   worker_milter_scan.c      self-scan: the scan in this process -> a verdict
 *   worker_milter_upstream.c  upstream mode: /checkv2 on a scanner -> a verdict
 *   worker_milter_reply.c     a verdict -> the milter reply, the log line, /history
 *
 * Both ways of scanning end in the same struct mw_verdict (rspamd's
 * /checkv2 result as section 7 of spec/milter-protocol.md reads it), so a
 * message gets the same answer whichever way it was scanned.
 */
#ifndef SIFT_DAEMON_WORKER_MILTER_INT_H
#define SIFT_DAEMON_WORKER_MILTER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "daemon/conn.h"
#include "daemon/envelope.h"
#include "daemon/worker_milter.h"
#include "proto/proto_milter.h"
#include "proto/proto_milter_session.h"
#include "scan/scan_result.h"

struct upstream_call;

/* One milter connection. */
struct mw_conn {
    struct milter_parser mp;
    struct milter_session s;
    struct buf msg;         /* the message as the rules see it: [hop] header lines, "\n", body */
    size_t hop;             /* bytes at the start of msg that are the MTA's hop (Received) */
    bool started;           /* the hop is written: header lines follow */
    bool in_body;           /* the empty line after the header lines is written */
    bool cr;                /* the last body chunk ended in a CR */
    bool oversized;         /* past max_size: msg is dropped, the bytes only counted */
    uint64_t size;          /* bytes of the message (header lines and body, as rebuilt) */
    bool http;              /* the peer speaks HTTP (GET /ping) */
    unsigned msgs;          /* messages decided on this connection */
    struct mw_eom *pending; /* upstream mode: the end of message awaiting its scanner */
};

/* The action a result asks for: rspamd's names (section 3 of
 * spec/rspamd-http-protocol.md), sift's five and the three more a
 * scanner may answer. */
enum mw_action {
    MW_ACT_NONE,
    MW_ACT_GREYLIST,
    MW_ACT_ADD_HEADER,
    MW_ACT_REWRITE_SUBJECT,
    MW_ACT_REJECT,
    MW_ACT_SOFT_REJECT,
    MW_ACT_DISCARD,
    MW_ACT_QUARANTINE,
};

struct mw_symbol {
    const char *name;
    double score;       /* what it added */
    const char *option; /* NULL: none */
};

/* A header to add: order -1 appends, >= 0 inserts there (milter_session_hdr_add). */
struct mw_header {
    const char *name;
    const char *value; /* folded with "\n\t" */
    long order;
};

/* A header to remove: which 0 every instance, n the n-th, -n from the end. */
struct mw_removal {
    const char *name;
    long which;
};

/* What a scan concluded, wherever it ran; strings live in the eom's arena
 * (or longer). */
struct mw_verdict {
    enum mw_action action;
    double score, required;
    const char *subject;         /* rewrite subject: the new Subject; NULL: none */
    const char *smtp_message;    /* the result's text for a refusal; NULL: the configured one */
    const char *message_id;      /* without <>; NULL: none */
    const struct mw_header *add; /* the result's headers (before sift's spam header) */
    size_t nadd;
    const struct mw_removal *remove;
    size_t nremove;
    const struct mw_symbol *symbols; /* by name */
    size_t nsymbols;
    const char *report; /* X-Spam-Report for extended_spam_headers; NULL: none */
    bool reject_discard, reject_quarantine; /* the milter block turns a reject into these */
    const char *spam_header, *spam_value;   /* the milter block's spam_header; NULL: config's */
    bool no_action;                         /* the milter block's no_action: mark and accept */
    const char *change_from;                /* NULL: none */
    const char *const *add_rcpt;
    size_t nadd_rcpt;
    const char *const *del_rcpt;
    size_t ndel_rcpt;
    const struct scan_result *res; /* for /history */
    bool user_prefs;               /* the user's preferences applied (self-scan) */
    const char *upstream;          /* the scanner that answered; NULL: this process */
    unsigned tries;                /* upstream mode: tries it took */
};

/* One end of message, from EOM to the reply (in upstream mode across the
 * wait for the scanner: it is then mc->pending). */
struct mw_eom {
    struct conn *c;
    struct mw_conn *mc;
    const struct milter_worker_cfg *cfg;
    struct arena *a; /* everything below */
    struct envelope e;
    const char *user; /* {auth_authen} */
    bool secure;      /* the client is in secure_ip */
    double t0;
    size_t size; /* the message's bytes, for the log */
    struct mw_verdict v;
    struct buf out;  /* the reply's packets */
    const char *why; /* why a refusal became accept, or NULL */
    struct upstream_call *call;
};

/* worker_milter.c */
/* A macro's value as a C string, or NULL. */
const char *mw_macro(const struct mw_conn *mc, const char *name);
/* The answer is in m->out: send it, forget the message, free m. */
void mw_eom_finish(struct mw_eom *m);
/* The reply is queued: read the next message (or QUIT). */
void mw_next(struct conn *c);

/* worker_milter_scan.c: scan the message here into m->v (the task lives
 * as long as m->a). */
void mw_scan(struct mw_eom *m);

/* worker_milter_upstream.c: forward the message to a scanner; the answer
 * comes later (m becomes mc->pending). false: no upstream is up, nothing
 * was started. */
bool mw_upstream_start(struct mw_eom *m);
/* Fill m->v from a scanner's /checkv2 JSON; -1 with why when it is no
 * result (not JSON, no known action). */
int mw_verdict_from_json(struct arena *a, const char *json, size_t len, struct mw_verdict *v,
                         const char **why);

/* worker_milter_reply.c */
/* Answer with m->v (after secure_ip and authentication), log and record it. */
void mw_reply(struct mw_eom *m);
/* Answer a message that was not scanned: accept it with remove_headers
 * removed, or (tempfail true) tempfail_message. why: for the log. */
void mw_reply_unscanned(struct mw_eom *m, bool tempfail, const char *why);

#endif
