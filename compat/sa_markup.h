/*
 * sa_markup.h - SpamAssassin's rendering of a scan, as spamd sends it:
 * the `Spam:` score and threshold, the SYMBOLS list, the report template
 * (REPORT, _SUMMARY_, _PREVIEW_), the X-Spam-* headers of add_header with
 * SA's folding, rewrite_header, and rewrite_mail with report_safe 0, 1
 * and 2 (PerMsgStatus.pm: _replace_tags, check_cleanup, get_report,
 * get_content_preview, _get_added_headers, rewrite_mail).
 *
 * A struct sa_markup is prepared once from a configuration (site, or site
 * plus a user's prefs) and only read afterwards: workers share it after
 * fork. Rendering one message takes its task (the parsed message, the
 * arena the intermediate strings live in) and the scan's result, and
 * appends bytes to a buf. No I/O but the host name lookup in sa_markup_new.
 */
#ifndef SIFT_COMPAT_SA_MARKUP_H
#define SIFT_COMPAT_SA_MARKUP_H

#include <stdbool.h>
#include <stddef.h>

#include "compat/sa_conf.h"
#include "core/buf.h"
#include "scan/scan_result.h"
#include "scan/task.h"

/* The SpamAssassin release whose behaviour and rules sift follows: what
 * _VERSION_ gives (X-Spam-Status version=, X-Spam-Checker-Version). */
#define SA_MARKUP_VERSION "4.0.1"

struct sa_markup;

/* Prepare from a configuration's directives (report, unsafe_report,
 * report_contact, report_hostname, report_charset, report_wrap_width,
 * report_safe, report_safe_copy_headers, add_header, rewrite_header,
 * fold_headers, subjprefix). hostname: _HOSTNAME_ when report_hostname is
 * not set; NULL: this machine's fully qualified name, as SA finds it.
 * subversion: _SUBVERSION_ (SA puts its release date there). rs: the
 * rules (which priority pass each meta rule hits in, for the report's
 * order); it must outlive the markup. */
struct sa_markup *sa_markup_new(const struct sa_conf *c, const struct scan_ruleset *rs,
                                const char *hostname, const char *subversion);
void sa_markup_free(struct sa_markup **mp);

/* The host name SA's Received line names (Util::fq_hostname). */
const char *sa_markup_fqdn(const struct sa_markup *mk);

/* report_safe: 0, 1 or 2. */
int sa_markup_report_safe(const struct sa_markup *mk);

/* What the client told the server, for _REMOTEHOSTNAME_ and
 * _REMOTEHOSTADDR_ (NULL: SA's "localhost" and "127.0.0.1"). */
struct sa_markup_env {
    const char *remote_host;
    const char *remote_addr;
};

/* The score as spamd's `Spam:` header and _SCORE_ show it (%2.1f, but a
 * ham never reaches its threshold: required - 0.1), and the threshold. */
void sa_markup_score(const struct scan_result *res, char *out, size_t outlen);
void sa_markup_required(const struct scan_result *res, char *out, size_t outlen);

/* SYMBOLS: the names of the scored rules hit, sorted, comma-separated (a
 * tflags multiple rule once per match), "" when none. */
void sa_markup_symbols(const struct scan_result *res, struct buf *out);

/* get_report(): the report template with its tags replaced, ending in
 * exactly one empty line, LF line ends. */
void sa_markup_report(const struct sa_markup *mk, struct task *t, const struct scan_result *res,
                      const struct sa_markup_env *env, struct buf *out);

/* rewrite_mail(): the message as PROCESS returns it (headers added and
 * rewritten, or spam wrapped as an attachment with report_safe 1/2), in
 * the message's own line ends. */
void sa_markup_rewrite(const struct sa_markup *mk, struct task *t, const struct scan_result *res,
                       const struct sa_markup_env *env, struct buf *out);

/* The X-Spam-* fields rewrite_mail adds to this message (add_header for
 * spam or for ham, as res says), each "X-Spam-Name: value\n" with SA's
 * folding (LF line ends): what a milter or an HTTP client adds itself. */
void sa_markup_headers(const struct sa_markup *mk, struct task *t, const struct scan_result *res,
                       const struct sa_markup_env *env, struct buf *out);

/* The value SpamAssassin's `add_header all NAME TEXT` would give the
 * header X-Spam-NAME of this message: TEXT's tags replaced, folded and
 * encoded as _get_added_headers does, without the name or a line end
 * (e.g. TEXT "_REPORT_" for an X-Spam-Report). Appended to out. */
void sa_markup_header(const struct sa_markup *mk, struct task *t, const struct scan_result *res,
                      const struct sa_markup_env *env, const char *name, const char *text,
                      struct buf *out);

/* The Subject rewrite_mail gives a spam under rewrite_header Subject (and
 * subjprefix): the value after "Subject:", without its line end. false
 * (nothing appended) when the message is not spam or no rewrite is set. */
bool sa_markup_subject(const struct sa_markup *mk, struct task *t, const struct scan_result *res,
                       const struct sa_markup_env *env, struct buf *out);

/* Util::wrap(string, prefix, first, length, overflow, break): break is
 * "\\s" (one white space character) or ",\\s" (after white space or a
 * comma, zero-width, as header folding uses). Appends to out. */
void sa_markup_wrap(const char *s, size_t len, const char *prefix, const char *first,
                    unsigned length, bool overflow, bool after_comma, struct buf *out);

/* mime_encode_header(): lines that are not printable ASCII encoded as
 * RFC 2047 UTF-8 words (Q or B, whichever is shorter). */
void sa_markup_encode_header(const char *s, size_t len, struct buf *out);

#endif
