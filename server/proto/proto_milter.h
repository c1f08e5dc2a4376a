/*
 * proto_milter.h - the filter side of the Sendmail milter protocol,
 * version 6, as Postfix (milter_protocol = 6) and Sendmail 8.14+ speak it
 * (spec/milter-protocol.md). Three parts, all pure (no I/O, no libevent):
 *
 * 1. Packets from the MTA (sections 2, 3). milter_parser_init, then
 *    milter_feed with the bytes received. PROTO_DONE: mp->cmd holds one
 *    decoded command and *used is the size of its packet; the views in it
 *    point into the caller's bytes, so act on it before dropping them.
 *    PROTO_MORE: no whole packet yet, nothing consumed, mp->need says how
 *    many bytes the next packet needs in all (a read watermark; never more
 *    than 4 + max_frame). PROTO_ERROR: mp->err says why; the only answer
 *    is to close the connection (the MTA then applies its default action).
 *    A parser takes one packet per call: feed again with the rest.
 *
 * 2. Option negotiation (section 5): milter_negotiate computes the reply
 *    to the MTA's offer from what the filter wants, milter_render_optneg
 *    writes it, with the filter's macro lists (section 6).
 *
 * 3. Replies (section 4): milter_render_* append one packet each to a buf.
 *    Those that take text return -1 and append nothing when an argument
 *    cannot go on the wire (documented per function).
 *
 * The session tracker (section 8) that follows these commands is
 * proto_milter_session.h.
 */
#ifndef SIFT_PROTO_PROTO_MILTER_H
#define SIFT_PROTO_PROTO_MILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/strv.h"
#include "proto/proto.h"

/* The protocol version sift speaks (and the highest it replies with). */
#define MILTER_VERSION 6
/* Default for milter_limits.max_frame: a packet's length field (command
 * byte + data); libmilter sends at most 64 KiB, Postfix headers may reach
 * 100 KiB, Sendmail's Milter.maxdatasize may be 1 MiB. */
#define MILTER_MAX_FRAME_DEFAULT (1024u * 1024u)
/* Default for milter_limits.max_args: strings in one packet (macros, ESMTP args). */
#define MILTER_MAX_ARGS_DEFAULT 1024u
/* Defaults for milter_limits.max_rcpts and max_headers (per message). */
#define MILTER_MAX_RCPTS_DEFAULT   10000u
#define MILTER_MAX_HEADERS_DEFAULT 10000u
/* The most data bytes a packet sift sends carries (libmilter's
 * MILTER_MAX_DATA_SIZE; Sendmail refuses more, Postfix 128 KiB). */
#define MILTER_MAX_DATA 65535u
/* Header names longer than this are not counted by name (section 7 edits). */
#define MILTER_HDR_NAME_MAX 256u

/* Commands, MTA to filter (SMFIC_*); the value is the byte on the wire. */
enum milter_cmd {
    MILTER_CMD_ABORT = 'A',
    MILTER_CMD_BODY = 'B',
    MILTER_CMD_CONNECT = 'C',
    MILTER_CMD_MACRO = 'D',
    MILTER_CMD_EOB = 'E',
    MILTER_CMD_HELO = 'H',
    MILTER_CMD_QUIT_NC = 'K',
    MILTER_CMD_HEADER = 'L',
    MILTER_CMD_MAIL = 'M',
    MILTER_CMD_EOH = 'N',
    MILTER_CMD_OPTNEG = 'O',
    MILTER_CMD_QUIT = 'Q',
    MILTER_CMD_RCPT = 'R',
    MILTER_CMD_DATA = 'T',
    MILTER_CMD_UNKNOWN = 'U',
};

/* Replies, filter to MTA (SMFIR_*); the value is the byte on the wire. */
enum milter_reply {
    MILTER_R_ADDRCPT = '+',
    MILTER_R_DELRCPT = '-',
    MILTER_R_ADDRCPT_PAR = '2',
    MILTER_R_SHUTDOWN = '4',
    MILTER_R_OPTNEG = 'O',
    MILTER_R_ACCEPT = 'a',
    MILTER_R_REPLBODY = 'b',
    MILTER_R_CONTINUE = 'c',
    MILTER_R_DISCARD = 'd',
    MILTER_R_CHGFROM = 'e',
    MILTER_R_CONN_FAIL = 'f',
    MILTER_R_ADDHEADER = 'h',
    MILTER_R_INSHEADER = 'i',
    MILTER_R_CHGHEADER = 'm',
    MILTER_R_PROGRESS = 'p',
    MILTER_R_QUARANTINE = 'q',
    MILTER_R_REJECT = 'r',
    MILTER_R_SKIP = 's',
    MILTER_R_TEMPFAIL = 't',
    MILTER_R_REPLYCODE = 'y',
};

/* CONNECT address families (SMFIA_*). */
#define MILTER_FAMILY_UNKNOWN 'U'
#define MILTER_FAMILY_UNIX    'L'
#define MILTER_FAMILY_INET    '4'
#define MILTER_FAMILY_INET6   '6'

/* Actions the filter may take (SMFIF_*). */
#define MILTER_ACT_ADDHDRS     0x001u
#define MILTER_ACT_CHGBODY     0x002u
#define MILTER_ACT_ADDRCPT     0x004u
#define MILTER_ACT_DELRCPT     0x008u
#define MILTER_ACT_CHGHDRS     0x010u
#define MILTER_ACT_QUARANTINE  0x020u
#define MILTER_ACT_CHGFROM     0x040u
#define MILTER_ACT_ADDRCPT_PAR 0x080u
#define MILTER_ACT_SETSYMLIST  0x100u
#define MILTER_ACT_V1          0x00Fu /* what an MTA offering 0 means */

/* Protocol steps and options (SMFIP_*). */
#define MILTER_P_NOCONNECT   0x00000001u
#define MILTER_P_NOHELO      0x00000002u
#define MILTER_P_NOMAIL      0x00000004u
#define MILTER_P_NORCPT      0x00000008u
#define MILTER_P_NOBODY      0x00000010u
#define MILTER_P_NOHDRS      0x00000020u
#define MILTER_P_NOEOH       0x00000040u
#define MILTER_P_NR_HDR      0x00000080u
#define MILTER_P_NOUNKNOWN   0x00000100u
#define MILTER_P_NODATA      0x00000200u
#define MILTER_P_SKIP        0x00000400u
#define MILTER_P_RCPT_REJ    0x00000800u
#define MILTER_P_NR_CONN     0x00001000u
#define MILTER_P_NR_HELO     0x00002000u
#define MILTER_P_NR_MAIL     0x00004000u
#define MILTER_P_NR_RCPT     0x00008000u
#define MILTER_P_NR_DATA     0x00010000u
#define MILTER_P_NR_UNKN     0x00020000u
#define MILTER_P_NR_EOH      0x00040000u
#define MILTER_P_NR_BODY     0x00080000u
#define MILTER_P_HDR_LEADSPC 0x00100000u
#define MILTER_P_MDS_256K    0x10000000u /* data size negotiation (Sendmail) */
#define MILTER_P_MDS_1M      0x20000000u
#define MILTER_P_V1          0x0000003Fu /* what an MTA offering 0 means */
/* Every "no reply" bit. */
#define MILTER_P_NR_ALL                                                                            \
    (MILTER_P_NR_CONN | MILTER_P_NR_HELO | MILTER_P_NR_MAIL | MILTER_P_NR_RCPT |                   \
     MILTER_P_NR_DATA | MILTER_P_NR_UNKN | MILTER_P_NR_HDR | MILTER_P_NR_EOH | MILTER_P_NR_BODY)

/* The stages a filter may ask macros for (SMFIM_*), in negotiation. */
enum milter_macro_list {
    MILTER_ML_CONNECT = 0,
    MILTER_ML_HELO = 1,
    MILTER_ML_ENVFROM = 2,
    MILTER_ML_ENVRCPT = 3,
    MILTER_ML_DATA = 4,
    MILTER_ML_EOM = 5,
    MILTER_ML_EOH = 6,
    MILTER_ML_COUNT = 7,
};

/* The commands a MACRO may precede (C H M R T L N B E U): the macro sets a session keeps. */
#define MILTER_NSLOTS 10

struct milter_limits {
    size_t max_frame;   /* largest length field accepted; 0: MILTER_MAX_FRAME_DEFAULT */
    size_t max_args;    /* most strings in one packet; 0: MILTER_MAX_ARGS_DEFAULT */
    size_t max_rcpts;   /* most RCPTs in one message; 0: MILTER_MAX_RCPTS_DEFAULT */
    size_t max_headers; /* most HEADERs in one message; 0: MILTER_MAX_HEADERS_DEFAULT */
};

/*
 * One command as decoded. Every view but data (and body chunks) is a
 * string of the packet: its NUL follows it in the caller's bytes, so .p
 * can also be used as a C string while those bytes live. argv itself
 * belongs to the parser and lasts until the next milter_feed.
 */
struct milter_command {
    enum milter_cmd cmd;
    struct strv data; /* the data after the command byte, as received; BODY and EOB: the chunk */
    /* OPTNEG */
    uint32_t version, actions, protocol;
    /* MACRO: the command the macros belong to; argv: name, value, name, value, ... */
    enum milter_cmd macro_cmd;
    /* CONNECT */
    struct strv host;    /* "mail.example.org", "[192.0.2.1]" or "unknown" */
    char family;         /* MILTER_FAMILY_* */
    uint16_t port;       /* the client's port; 0 for UNIX and UNKNOWN */
    struct strv address; /* "192.0.2.10", "2001:db8::1" (Sendmail's "IPv6:" dropped), a
                            socket path; empty for UNKNOWN */
    /* HELO: the argument; MAIL, RCPT: the address as in SMTP ("<a@b>", "<>");
     * UNKNOWN: the command line */
    struct strv arg;
    /* HEADER: the field name and its value (folds as "\n" + whitespace) */
    struct strv name, value;
    /* MAIL, RCPT: the ESMTP args after the address; MACRO: the pairs */
    const struct strv *argv;
    size_t argc;
};

struct milter_parser {
    struct milter_limits lim; /* with the defaults filled in */
    struct milter_command cmd;
    size_t need;   /* PROTO_MORE: bytes the next packet needs, header included */
    bool failed;   /* the status sticks: every later feed returns PROTO_ERROR */
    char err[256]; /* PROTO_ERROR: the reason, for the log */
    struct strv *args;
    size_t args_cap;
};

/* lim NULL: every default. */
void milter_parser_init(struct milter_parser *mp, const struct milter_limits *lim);
void milter_parser_clear(struct milter_parser *mp);
enum proto_status milter_feed(struct milter_parser *mp, const char *buf, size_t len, size_t *used);

/* ---- negotiation ---- */

/* One side's options: the MTA's offer, or the reply. */
struct milter_optneg {
    uint32_t version;
    uint32_t actions;  /* MILTER_ACT_* */
    uint32_t protocol; /* MILTER_P_* */
};

/* What the filter asks for. */
struct milter_wants {
    uint32_t actions;  /* wanted; those the MTA does not offer are left out */
    uint32_t required; /* of those, the ones the filter cannot do without */
    uint32_t protocol; /* steps to skip, NR_* replies it will not send, options; only
                          those offered are asked for (no NR_*: it replies to each) */
    /* Macro names per list, space-separated ("i {auth_authen}"); NULL: keep
     * the MTA's list. Sent only when the MTA offers SETSYMLIST. */
    const char *macros[MILTER_ML_COUNT];
};

/* What sift asks for: ADDHDRS, CHGHDRS, CHGBODY, ADDRCPT, DELRCPT,
 * QUARANTINE, CHGFROM (ADDHDRS and CHGHDRS required), every step, no
 * reply where the MTA allows it, and the macros of section 6 it maps. */
void milter_wants_default(struct milter_wants *w);

/*
 * The reply to offer: version min(offer, MILTER_VERSION), actions wanted
 * and offered (plus SETSYMLIST when w has macro lists; never below
 * version 6), protocol
 * bits wanted and offered, and the largest data size bit offered that
 * max_frame allows (Sendmail then sends packets that large). -1 with
 * err when the MTA's version is below 2 or lacks a required action.
 */
int milter_negotiate(const struct milter_optneg *offer, const struct milter_wants *w,
                     size_t max_frame, struct milter_optneg *reply, char *err, size_t errlen);
/* The 'O' packet: the reply, then the macro lists of w when the reply has SETSYMLIST. */
void milter_render_optneg(struct buf *out, const struct milter_optneg *reply,
                          const struct milter_wants *w);

/* ---- replies ---- */

/* Any packet: the length, the byte cmd, data[0..len) (len < 2^32 - 1). */
void milter_render_frame(struct buf *out, char cmd, const void *data, size_t len);
/* A reply without data: CONTINUE, ACCEPT, REJECT, TEMPFAIL, DISCARD, SKIP,
 * PROGRESS, SHUTDOWN, CONN_FAIL. */
void milter_render_reply(struct buf *out, enum milter_reply r);
/*
 * SMFIR_REPLYCODE: "554 5.7.1 text". code: three digits, 4xx or 5xx;
 * xcode: "5.7.1" (class matching code), NULL for "4.0.0"/"5.0.0" as
 * libmilter does; text: lines separated by LF or CRLF become a multi-line
 * reply ("554-5.7.1 a\r\n554 5.7.1 b"), '%' is doubled (Sendmail reads the
 * text as a format; Postfix undoes it). -1: bad code or xcode, more than 32
 * lines, or too long.
 */
int milter_render_replycode(struct buf *out, const char *code, const char *xcode, const char *text);
/* SMFIR_QUARANTINE. -1: empty reason, CR or LF in it, or too long. */
int milter_render_quarantine(struct buf *out, const char *reason);
/*
 * Header edits. name: a field name (printable ASCII but ':', at most
 * MILTER_HDR_NAME_MAX bytes). value: written with every line break (LF,
 * CRLF or CR) as LF, followed by a TAB unless whitespace follows already,
 * and empty lines dropped, so a value can never start another header;
 * "a;\r\n\tb" becomes "a;\n\tb". -1: bad name, or the packet would exceed
 * MILTER_MAX_DATA.
 */
int milter_render_addheader(struct buf *out, const char *name, const char *value);
/* index 0 is the top of the header block (Postfix: above its own Received:). */
int milter_render_insheader(struct buf *out, uint32_t index, const char *name, const char *value);
/* index: 1-based instance of name; an empty value deletes it. */
int milter_render_chgheader(struct buf *out, uint32_t index, const char *name, const char *value);
/* SMFIR_ADDRCPT, or SMFIR_ADDRCPT_PAR when args is not NULL. -1: empty rcpt,
 * CR or LF in rcpt or args, or too long. */
int milter_render_addrcpt(struct buf *out, const char *rcpt, const char *args);
/* SMFIR_DELRCPT: rcpt exactly as the MTA sent it. -1 as for addrcpt. */
int milter_render_delrcpt(struct buf *out, const char *rcpt);
/* SMFIR_CHGFROM, args NULL for none. -1 as for addrcpt. */
int milter_render_chgfrom(struct buf *out, const char *sender, const char *args);
/* SMFIR_REPLBODY packets of at most MILTER_MAX_DATA bytes (one empty packet for an empty body). */
void milter_render_replbody(struct buf *out, const char *body, size_t len);

/*
 * One header of the message as the filter rebuilds it: "Name: value\r\n"
 * (with leadspc, the value keeps its own leading space: "Name:value\r\n"),
 * the LF of each fold made CRLF.
 */
void milter_render_header_line(struct buf *out, struct strv name, struct strv value, bool leadspc);

/* The next string of a NUL-separated block (MAIL args, macro pairs kept
 * by the session); false at its end. */
bool milter_next_string(struct strv *rest, struct strv *s);

/* The command's name for logs: "OPTNEG", "BODY", ...; "?" for others. */
const char *milter_cmd_name(int cmd);

#endif
