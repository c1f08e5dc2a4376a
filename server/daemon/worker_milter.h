/*
 * worker_milter.h - the proxy worker: a milter for Postfix (smtpd_milters =
 * inet:127.0.0.1:11332) and Sendmail, the glue between a connection and
 * the milter codec (proto_milter.h, the session in proto_milter_session.h),
 * as spec/milter-protocol.md describes.
 *
 * A milter connection is one SMTP session; it carries any number of
 * messages. The envelope (client, HELO, MAIL FROM, RCPT TO, the macros
 * {auth_authen} and i) is kept by the session; header and body packets
 * are appended to one buffer as they arrive, with LF line ends as spamd
 * receives mail from spamc. At end of message the buffer is scanned:
 *
 * - self-scan (no upstreams): here, in the worker's process (a synchronous
 *   scan: count auto, one process per core), the MTA's hop going first as
 *   a Received header (envelope.h);
 * - upstream mode (upstreams: [...]): by one of the scanners listed, over
 *   their HTTP scan API (POST /checkv2 with the envelope as headers, on
 *   the worker's event loop: the connection waits, the process serves
 *   others), balanced, with retries and failover (upstream.h); when none
 *   is up or none answers, default_action.
 *
 * Either way the result becomes the reply (section 7): reject ->
 * reject_message, greylist -> tempfail_message, rewrite subject -> the
 * Subject changed, add header -> spam_header: Yes; every kept message first
 * loses the remove_headers and gets the result's headers (SpamAssassin's
 * X-Spam-* fields, add_header).
 */
#ifndef SIFT_DAEMON_WORKER_MILTER_H
#define SIFT_DAEMON_WORKER_MILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/cfg_keys.h"
#include "core/cfg_load.h"
#include "core/cfg_tree.h"
#include "core/err.h"
#include "core/ipnet.h"
#include "daemon/upstream.h"

struct conn_proto;
struct worker;
struct worker_cfg;

enum milter_greylist { MILTER_GREYLIST_TEMPFAIL, MILTER_GREYLIST_ACCEPT };
enum milter_default { MILTER_DEFAULT_ACCEPT, MILTER_DEFAULT_TEMPFAIL };

/* An SMTP reply as SMFIR_REPLYCODE sends it. */
struct milter_smtp_reply {
    char code[4];   /* "554" */
    char xcode[16]; /* "5.7.1" */
    const char *text;
};

/* workers.<proxy>.* beyond the common keys */
struct milter_worker_cfg {
    size_t max_size;
    double session_timeout;
    const char *reject_message, *tempfail_message, *quarantine_message;
    bool discard_on_reject, quarantine_on_reject;
    int greylist_action; /* enum milter_greylist */
    int default_action;  /* enum milter_default */
    const char *spam_header;
    bool extended_spam_headers;
    struct cfg_strlist remove_headers;
    struct cfg_strlist secure_ip;
    bool reject_secure_ip, reject_authenticated;
    const char *secure_ip_settings_id, *authenticated_settings_id;
    struct upstream_cfg up; /* upstream mode when it lists any */
    /* derived by milter_worker_check */
    struct ipset secure;
    struct milter_smtp_reply reject, tempfail;
};

extern const struct cfg_key milter_worker_keys[];
extern const size_t milter_worker_nkeys;
extern const struct cfg_key milter_upstream_keys[]; /* UPSTREAM_KEYS */
extern const size_t milter_upstream_nkeys;
extern const struct conn_proto milter_conn_proto;

/* After the keys are read: parse secure_ip and the two SMTP replies, check
 * the header names and that the settings ids exist. -1 with file:line in err. */
int milter_worker_check(struct cfg *cfg, struct worker_cfg *wc, const struct cfg_node *node,
                        struct sift_err *err);
/* A worker process's upstream pool (upstream mode), made and freed with its loop. */
void milter_worker_start(struct worker *w);
void milter_worker_stop(struct worker *w);

/*
 * Parse an SMTP reply as written in the config: "554 5.7.1 text",
 * "554 text" or "text"; what is left out comes from def_code and
 * def_xcode. The code's first digit must be cls ('4' or '5'), the
 * enhanced code's too. The text stays in s. -1 with err.
 */
int milter_smtp_reply_parse(const char *s, char cls, const char *def_code, const char *def_xcode,
                            struct milter_smtp_reply *out, struct sift_err *err);

#endif
