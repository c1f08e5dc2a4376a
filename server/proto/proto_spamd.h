/*
 * proto_spamd.h - the SPAMC/SPAMD protocol (spec/spamd-protocol.md):
 * request parsing, and the replies that do not depend on a scan.
 *
 * Usage: spamd_parser_init, then spamd_feed with the bytes received (it
 * consumes what it can and reports how many in *used; the caller drops
 * those and keeps the rest for the next call); spamd_eof when the client
 * half-closes. PROTO_DONE: sp->req is complete. PROTO_ERROR: sp->err_code
 * and sp->err_text hold the status line spamd would send
 * (spamd_render_error). After DONE or ERROR the parser only repeats its
 * status; spamd_parser_clear releases it (one request per connection).
 * The parser copies what it keeps: the caller's bytes can go after a call.
 */
#ifndef SIFT_PROTO_PROTO_SPAMD_H
#define SIFT_PROTO_PROTO_SPAMD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "proto/proto.h"

enum spamd_method {
    SPAMD_CHECK,
    SPAMD_SYMBOLS,
    SPAMD_REPORT,
    SPAMD_REPORT_IFSPAM,
    SPAMD_PROCESS,
    SPAMD_HEADERS,
    SPAMD_TELL,
    SPAMD_PING,
    SPAMD_SKIP,
};

/* sysexits.h codes as spamd sends them in status lines */
#define SPAMD_EX_OK          0
#define SPAMD_EX_DATAERR     65
#define SPAMD_EX_UNAVAILABLE 69
#define SPAMD_EX_SOFTWARE    70
#define SPAMD_EX_PROTOCOL    76
#define SPAMD_EX_TIMEOUT     79

/* Set:/Remove: flags */
#define SPAMD_LOCAL  1u
#define SPAMD_REMOTE 2u

/* spamd refuses the 256th header line */
#define SPAMD_MAX_HEADERS 255u

struct spamd_limits {
    size_t max_size; /* largest body accepted, in bytes (compressed bytes if Compress) */
    size_t line_max; /* longest request or header line, in bytes */
};

struct spamd_request {
    enum spamd_method method;
    double version;        /* what follows "SPAMC/", read as Perl reads a number: "1.5" -> 1.5 */
    bool has_length;       /* a Content-length header was given */
    size_t content_length; /* its value */
    bool compress;         /* Compress: zlib (the body is still compressed) */
    char *user;            /* User: value, or NULL; owned by the parser */
    char *message_class;   /* Message-class: raw value, or NULL; owned by the parser */
    bool class_spam;       /* Message-class is exactly "spam" (anything else learns ham) */
    unsigned set;          /* Set: SPAMD_LOCAL | SPAMD_REMOTE */
    unsigned remove;       /* Remove: the same flags */
    struct buf body;       /* the message bytes as received */
};

enum spamd_pstate {
    SPAMD_PS_REQUEST,  /* waiting for the request line */
    SPAMD_PS_HEADERS,  /* header lines until the empty one */
    SPAMD_PS_BODY,     /* Content-length bytes */
    SPAMD_PS_BODY_EOF, /* bytes until the client half-closes */
    SPAMD_PS_DONE,
    SPAMD_PS_ERROR,
};

struct spamd_parser {
    enum spamd_pstate state;
    struct spamd_limits lim;
    struct spamd_request req;
    unsigned nheaders;  /* header lines seen */
    bool seen_bytes;    /* any byte received at all */
    int err_code;       /* PROTO_ERROR: the EX_ code for the status line */
    char err_text[512]; /* PROTO_ERROR: the text after the code */
};

void spamd_parser_init(struct spamd_parser *sp, const struct spamd_limits *lim);
void spamd_parser_clear(struct spamd_parser *sp);
enum proto_status spamd_feed(struct spamd_parser *sp, const char *buf, size_t len, size_t *used);
/* The client half-closed: complete a read-to-EOF body, or fail as spamd does. */
enum proto_status spamd_eof(struct spamd_parser *sp);

/* spamd reads the body in whole lines until it has Content-length bytes:
 * more bytes of the body's last line (a client that counted characters,
 * not bytes) make its length mismatch. rest[0..n) is what arrived after
 * the body; -1 with the error's text (code SPAMD_EX_PROTOCOL) when it
 * continues the last line. Only what has arrived counts: a client that
 * sent exactly the length is never kept waiting, as spamd would. */
int spamd_overrun(const struct spamd_request *req, const char *rest, size_t n, char *text,
                  size_t textlen);

/* A scan's reply as spamd writes it (spec sections 3 and 4), for the
 * request's method and version: the status line, Content-length and
 * Spam: headers where that version has them, the body. */
struct spamd_result {
    bool is_spam;
    const char *score;     /* as SpamAssassin shows it: "7.3", "-0.0", "4.9" */
    const char *threshold; /* "5.0" */
    /* SYMBOLS: the rule names; REPORT, REPORT_IFSPAM: the report (ignored
     * for ham with REPORT_IFSPAM); PROCESS: the rewritten message;
     * HEADERS: the same, cut after its header block here. CHECK: unused. */
    const char *body;
    size_t body_len;
};
void spamd_render_result(struct buf *out, const struct spamd_request *req,
                         const struct spamd_result *r);
/* TELL's reply: DidSet/DidRemove lines (SPAMD_LOCAL | SPAMD_REMOTE). */
void spamd_render_tell(struct buf *out, unsigned did_set, unsigned did_remove);

/* Compress: zlib: inflate req->body in place, at most max bytes. -1 with
 * the status line's code and text (spamd's) when the stream is broken
 * or too big. */
int spamd_inflate(struct spamd_request *req, size_t max, int *code, char *text, size_t textlen);

/* "SPAMD/1.0 <code> <text>\r\n" */
void spamd_render_error(struct buf *out, int code, const char *text);
/* "SPAMD/1.5 0 PONG\r\n" */
void spamd_render_pong(struct buf *out);
/* "CHECK", "REPORT_IFSPAM", ... */
const char *spamd_method_name(enum spamd_method m);

#endif
