/*
 * proto_milter_session.h - the session of the milter protocol (section 8
 * of spec/milter-protocol.md), over the commands proto_milter.h decodes.
 * Pure, as the codec: no I/O, no libevent.
 *
 * milter_session_apply follows each decoded command, keeps the negotiated
 * options, the macros of every stage, the connection (kept across
 * messages) and the message (envelope, header names, reset on ABORT and
 * after each decision), and says what the MTA waits for.
 * milter_session_reply answers; the milter_session_hdr_* functions render
 * header edits at end of message as section 7 maps them, counting
 * instances as the MTA does.
 */
#ifndef SIFT_PROTO_PROTO_MILTER_SESSION_H
#define SIFT_PROTO_PROTO_MILTER_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/strv.h"
#include "proto/proto_milter.h"

/* What the MTA waits for after a command. */
enum milter_next {
    MILTER_NEXT_NOTHING, /* nothing: read on */
    MILTER_NEXT_REPLY,   /* one reply: CONTINUE or a decision (milter_session_reply) */
    MILTER_NEXT_OPTNEG,  /* the negotiation reply (milter_session_render_optneg) */
    MILTER_NEXT_EOM,     /* the message is complete: edits, then one decision */
    MILTER_NEXT_CLOSE,   /* QUIT: close the connection */
    MILTER_NEXT_ERROR,   /* the MTA broke the protocol (s->err): close */
};

/* A recipient of the message: offsets into s->rcpt_data. */
struct milter_rcpt {
    size_t off, len;           /* the address */
    size_t args_off, args_len; /* its ESMTP args, NUL-separated (milter_next_string) */
};

/* A header the MTA holds, in message order, for counting instances. */
struct milter_hdr {
    size_t off, len; /* the name, in s->hdr_names; len 0: too long to count */
    bool live;       /* not deleted */
};

struct milter_session {
    struct milter_limits lim;
    struct milter_wants wants;  /* its macro lists must outlive the session */
    struct milter_optneg offer; /* the MTA's */
    struct milter_optneg neg;   /* what was agreed */
    bool negotiated;
    bool failed;             /* MILTER_NEXT_ERROR was returned: it sticks */
    bool quit;               /* QUIT seen: nothing may follow */
    bool in_msg;             /* between the first message command and its decision */
    bool at_eom;             /* EOB seen: edits may be sent, then one decision */
    bool reply_due;          /* the MTA waits for a reply to `last` */
    enum milter_cmd last;    /* the last command but MACRO */
    unsigned phase;          /* how far the message got (internal order MAIL..EOB) */
    unsigned long anomalies; /* commands out of the usual order, handled anyway */
    unsigned long messages;  /* messages ended by a decision at EOM */
    /* the connection (CONNECT, HELO); kept across messages */
    bool have_connect;
    struct buf host, address, helo; /* NUL-terminated strings, "" until seen */
    char family;
    uint16_t port;
    /* the message */
    struct buf sender;      /* MAIL's address, "" until seen */
    struct buf sender_args; /* its ESMTP args, NUL-separated */
    struct buf rcpt_data;
    struct milter_rcpt *rcpts;
    size_t nrcpts, rcpts_cap;
    size_t nheaders;     /* HEADER commands of this message */
    uint64_t body_bytes; /* BODY (and EOB) bytes of this message */
    struct buf hdr_names;
    struct milter_hdr *hdrs;
    size_t nhdrs, hdrs_cap;
    /* macros per stage: the raw name\0value\0... block of the last MACRO */
    struct buf macros[MILTER_NSLOTS];
    char err[256]; /* MILTER_NEXT_ERROR: the reason */
};

/* wants NULL: milter_wants_default; lim NULL: every default. */
void milter_session_init(struct milter_session *s, const struct milter_wants *wants,
                         const struct milter_limits *lim);
void milter_session_clear(struct milter_session *s);
/* Follow one command decoded by milter_feed (its views are copied as needed). */
enum milter_next milter_session_apply(struct milter_session *s, const struct milter_command *c);
/* The negotiation reply (after MILTER_NEXT_OPTNEG). */
void milter_session_render_optneg(const struct milter_session *s, struct buf *out);
/*
 * Answer the command the MTA waits for: CONTINUE, ACCEPT, REJECT, TEMPFAIL,
 * DISCARD (not to CONNECT or HELO), SKIP (to BODY, if negotiated). At end
 * of message, and any decision but CONTINUE (or REJECT and TEMPFAIL to a
 * RCPT, which refuse only that recipient) before it, ends the message.
 * -1 when no reply is due or r does not fit.
 */
int milter_session_reply(struct milter_session *s, struct buf *out, enum milter_reply r);
/* The same with SMFIR_REPLYCODE (milter_render_replycode). */
int milter_session_replycode(struct milter_session *s, struct buf *out, const char *code,
                             const char *xcode, const char *text);
/* Whether an edit needing action may be sent now: at end of message, negotiated. */
bool milter_session_may(const struct milter_session *s, uint32_t action);
/* A macro by name, with or without braces ("i" finds "{i}"), the latest stage first. */
bool milter_session_macro(const struct milter_session *s, const char *name, struct strv *value);

/* Live instances of a header (ASCII case-insensitive) the MTA holds now:
 * those it sent, minus deletions and plus additions rendered below. */
size_t milter_session_hdr_count(const struct milter_session *s, const char *name);
/*
 * Delete instance which of name (1-based; 0: every instance; negative:
 * counted from the end), as SMFIR_CHGHEADER packets with an empty value,
 * the highest index first. What does not exist (or was deleted already)
 * renders nothing. -1 when CHGHDRS may not be sent or the name is bad.
 */
int milter_session_hdr_delete(struct milter_session *s, struct buf *out, const char *name,
                              long which);
/*
 * Add a header: order -1 appends (SMFIR_ADDHEADER); order >= 0 inserts at
 * that index (SMFIR_INSHEADER, 0: the top); order < -1 inserts at
 * headers seen + order + 2 (section 7: -2 is after the last header seen,
 * counting the MTA's own Received: that milters never see). With
 * HDR_LEADSPC negotiated a space is put before the value. -1 when ADDHDRS
 * may not be sent or the header cannot be rendered.
 */
int milter_session_hdr_add(struct milter_session *s, struct buf *out, const char *name,
                           const char *value, long order);
/* Set instance index (1-based) of name to a non-empty value; one that
 * does not exist is appended by the MTA. -1 as for delete, or empty value. */
int milter_session_hdr_change(struct milter_session *s, struct buf *out, const char *name,
                              uint32_t index, const char *value);

/* A header edit of a scan result (rspamd's milter block, section 7). */
struct milter_hdr_edit {
    const char *name;
    const char *value; /* NULL: remove instance `pos` (hdr_delete); else add at order `pos` */
    long pos;
};
/* Every removal first, then every addition, in list order. -1 at the first
 * that fails (what was rendered before stays in out). */
int milter_session_hdr_edits(struct milter_session *s, struct buf *out,
                             const struct milter_hdr_edit *e, size_t n);

#endif
