/*
 * proto_rspamd.h - the scan replies of rspamd's protocol
 * (spec/rspamd-http-protocol.md): the /checkv2 JSON (section 4), the v1
 * JSON of /check and /symbols (section 5), the legacy one-line protocols
 * of the normal port ("RSPAMD/1.3 0 EX_OK" with Metric:/Action:/Symbol:
 * lines, and the SPAMC emulation; section 7), the scan API's error body,
 * and the zstd framing of compressed requests and replies (section 2.2).
 *
 * Pure functions over buffers: the caller fills a struct rspamd_reply
 * from a scan (strings it keeps alive) and appends the rendering to a buf.
 */
#ifndef SIFT_PROTO_PROTO_RSPAMD_H
#define SIFT_PROTO_PROTO_RSPAMD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/strv.h"

struct rspamd_symbol {
    const char *name;
    double score;            /* what it added to the total */
    double metric_score;     /* its configured weight */
    const char *description; /* NULL: none */
    const char *option;      /* NULL: no options; else the one option */
};

/* A header the client should add: order 0 first, n at position n, -1 appended. */
struct rspamd_header {
    const char *name;
    const char *value; /* folded with "\r\n\t" (HTTP) or "\n\t" (milter) */
    int order;
};

/* A group's total, for Flags: groups. */
struct rspamd_group {
    const char *name;
    double score;
};

struct rspamd_reply {
    bool is_skipped;
    double score;
    double required_score; /* the highest action threshold set */
    const char *action;    /* "no action", "greylist", "add header", ... */
    const char *subject;   /* rewrite subject: the new Subject; else NULL */
    const struct rspamd_symbol *symbols;
    size_t nsymbols;
    const struct rspamd_group *groups; /* NULL: no "groups" key */
    size_t ngroups;
    const char *smtp_message; /* messages.smtp_message, or NULL */
    const struct strv *urls;  /* the URLs' hosts, each once (none: no "urls" key) */
    size_t nurls;
    const struct strv *emails; /* the mail addresses in the body (none: no "emails" key) */
    size_t nemails;
    const char *message_id;                  /* without <>; NULL: "undef" */
    double time_real;                        /* seconds */
    const struct rspamd_header *add_headers; /* the milter block; none: no block */
    size_t nadd_headers;
    const char *const *remove_headers; /* every instance of each removed */
    size_t nremove_headers;
};

/* /checkv2: compact JSON, keys in rspamd's order. */
void rspamd_render_v2(const struct rspamd_reply *r, struct buf *out);
/* /check, /symbols, /scan...: everything in "default", symbols merged
 * into it, is_spam, no metric_score, the milter block named "rmilter". */
void rspamd_render_v1(const struct rspamd_reply *r, struct buf *out);

/* "CHECK RSPAMC/1.3": "RSPAMD/<version> 0 EX_OK", Metric:, Action:,
 * Subject: (rewrite subject), Symbol: lines, Message: lines, Message-ID:.
 * version: as the request gave it ("1.3"). */
void rspamd_render_rspamc(const struct rspamd_reply *r, const char *version, struct buf *out);
/* "CHECK SPAMC/1.x" / "SYMBOLS SPAMC/1.x" as rspamd emulates spamd: the
 * Spam: line, and with symbols the comma-separated names. */
void rspamd_render_spamc(const struct rspamd_reply *r, bool symbols, struct buf *out);

/* The scan API's error body: {"error":"msg","error_domain":"domain"}. */
void rspamd_render_error(const char *msg, const char *domain, struct buf *out);

/* Whether body[0..len) starts with a zstd frame's magic number. */
bool rspamd_is_zstd(const char *body, size_t len);
/* Decompress a zstd body into out (replacing its contents), at most max
 * bytes. -1 with err (a sentence) when it is not zstd, broken or larger. */
int rspamd_zstd_decompress(const char *in, size_t len, size_t max, struct buf *out, char *err,
                           size_t errlen);
/* Compress in[0..len) into out (replacing its contents). -1 on failure. */
int rspamd_zstd_compress(const char *in, size_t len, struct buf *out);

#endif
