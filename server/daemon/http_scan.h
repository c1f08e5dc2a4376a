/*
 * http_scan.h - rspamd's scan API on the normal worker (and the
 * controller's /checkv2, /check, /scan): the request headers (or query
 * parameters) that carry the envelope, the scan, and the reply in the
 * shape the path asks for (spec/rspamd-http-protocol.md sections 2-7).
 *
 * The envelope reaches SpamAssassin's rules as it reaches spamd behind a
 * milter: when the request names the client IP and the message's newest
 * Received header does not already record it, the scan sees the message
 * with a Received header for that hop prepended (from HELO (HOSTNAME [IP])
 * ... (envelope-from <FROM>) ... for <RCPT>), so the relay rules
 * (ALL_TRUSTED, the trust path, the envelope sender) see what the MTA saw.
 * The reply is computed from that scan; the message is not changed.
 */
#ifndef SIFT_DAEMON_HTTP_SCAN_H
#define SIFT_DAEMON_HTTP_SCAN_H

#include <stdbool.h>

#include "core/buf.h"
#include "daemon/worker_http.h"

/* POST/GET /checkv2: the v2 JSON. */
void http_scan_checkv2(struct conn *c, const struct http_request *req, struct http_answer *ans);
/* /check, /symbols, /scan, /process, /report, /report_ifspam: the v1 JSON. */
void http_scan_check(struct conn *c, const struct http_request *req, struct http_answer *ans);
/* /skip: no rules run, is_skipped. */
void http_scan_skip(struct conn *c, const struct http_request *req, struct http_answer *ans);

/* A legacy request ("CHECK RSPAMC/1.3", "SYMBOLS SPAMC/1.2"): the reply
 * bytes, with no HTTP framing, in out. false when rspamd does not serve
 * the method (anything but CHECK and SYMBOLS): close without a reply. */
bool http_scan_legacy(struct conn *c, const struct http_request *req, struct buf *out);

#endif
