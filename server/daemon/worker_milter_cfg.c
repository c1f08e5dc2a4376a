/*
 * worker_milter_cfg.c - the proxy worker's keys (workers.proxy.*) and
 * their checks: the SMTP replies, secure_ip, header names, settings ids,
 * the upstreams (see worker_milter.h).
 */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "daemon/siftd_cfg.h"
#include "daemon/upstream.h"
#include "daemon/worker.h"
#include "daemon/worker_milter.h"
#include "proto/proto_milter.h"

#define MW_OFF(f) offsetof(struct milter_worker_cfg, f)

const struct cfg_key milter_worker_keys[] = {
    { "max_size", CFG_T_SIZE, "50M", MW_OFF(max_size),
      "largest message scanned, in bytes (its header lines and body as rebuilt from the MTA's "
      "packets); a bigger one is accepted unscanned, with remove_headers removed, and logged "
      "(rspamd's proxy does the same)",
      NULL },
    { "session_timeout", CFG_T_TIME, "10m", MW_OFF(session_timeout),
      "close a milter session when the MTA sends nothing for this long; it stands in for "
      "idle_timeout and read_timeout, which would be too short: between two commands the MTA "
      "waits for its SMTP client (Postfix: smtpd_timeout, 300 s); 0: none",
      NULL },
    { "reject_message", CFG_T_STR, "554 5.7.1 Spam message rejected", MW_OFF(reject_message),
      "the SMTP reply to mail whose action is reject: a 5xx code, an optional enhanced code "
      "(5.x.y) and the text; a text alone gets 554 5.7.1",
      NULL },
    { "tempfail_message", CFG_T_STR, "451 4.7.1 Try again later", MW_OFF(tempfail_message),
      "the SMTP reply to mail whose action is greylist (see greylist_action), and when sift "
      "cannot scan and default_action is tempfail: a 4xx code, an optional enhanced code "
      "(4.x.y) and the text; a text alone gets 451 4.7.1",
      NULL },
    { "discard_on_reject", CFG_T_BOOL, "no", MW_OFF(discard_on_reject),
      "accept mail whose action is reject and drop it silently (SMFIR_DISCARD) instead of "
      "refusing it",
      NULL },
    { "quarantine_on_reject", CFG_T_BOOL, "no", MW_OFF(quarantine_on_reject),
      "accept mail whose action is reject into the MTA's hold queue (SMFIR_QUARANTINE; Postfix: "
      "postsuper -H releases it), with the headers, instead of refusing it",
      NULL },
    { "quarantine_message", CFG_T_STR, "Spam message quarantined", MW_OFF(quarantine_message),
      "the reason the MTA logs for quarantine_on_reject", NULL },
    { "greylist_action", CFG_T_ENUM, "tempfail", MW_OFF(greylist_action),
      "what the greylist action does: tempfail (tempfail_message; sift keeps no greylisting "
      "record, so a retry that scores the same is deferred again) or accept",
      "tempfail|accept" },
    { "default_action", CFG_T_ENUM, "accept", MW_OFF(default_action),
      "the answer when sift cannot scan (self-scan: no rules are loaded; upstream mode: no "
      "upstream is up, or none answered): accept the mail unscanned, or tempfail "
      "(tempfail_message); when siftd is not reachable at all the MTA's own setting decides "
      "(Postfix: milter_default_action)",
      "accept|tempfail" },
    { "spam_header", CFG_T_STR, "X-Spam", MW_OFF(spam_header),
      "the header set to Yes on mail whose action is add header or above (a Sieve rule such as "
      "header :is \"X-Spam\" \"Yes\" files on it)",
      NULL },
    { "extended_spam_headers", CFG_T_BOOL, "no", MW_OFF(extended_spam_headers),
      "also add X-Spamd-Result (rspamd's: the score, the required score and every symbol with "
      "its score and options), X-Spam-Score and X-Spam-Report (SpamAssassin's _REPORT_)",
      NULL },
    { "remove_headers", CFG_T_LIST,
      "[X-Spam, X-Spam-Flag, X-Spam-Status, X-Spam-Level, X-Spam-Checker-Version, X-Spam-Report]",
      MW_OFF(remove_headers),
      "headers removed from every message before sift adds its own (every header sift adds is "
      "removed too), so that a sender cannot forge them",
      NULL },
    { "secure_ip", CFG_T_LIST, "[127.0.0.1, \"::1\"]", MW_OFF(secure_ip),
      "SMTP clients (as the MTA reports them) whose mail is scanned and marked but never "
      "refused unless reject_secure_ip: reject, greylist, discard and quarantine become accept "
      "with the headers; addresses and networks (10.0.0.0/8; !NET excludes); a client on the "
      "MTA's own Unix socket counts as one; [] exempts no one",
      NULL },
    { "reject_secure_ip", CFG_T_BOOL, "no", MW_OFF(reject_secure_ip),
      "refuse mail from secure_ip clients as any other", NULL },
    { "secure_ip_settings_id", CFG_T_STR, NULL, MW_OFF(secure_ip_settings_id),
      "a block of the settings section applied to the scans of secure_ip clients' mail (as a "
      "Settings-ID)",
      NULL },
    { "reject_authenticated", CFG_T_BOOL, "no", MW_OFF(reject_authenticated),
      "refuse mail from authenticated senders (SMTP AUTH: the MTA's {auth_authen} macro) as any "
      "other; no: scanned and marked, never refused",
      NULL },
    { "authenticated_settings_id", CFG_T_STR, NULL, MW_OFF(authenticated_settings_id),
      "a block of the settings section applied to the scans of authenticated senders' mail "
      "(their login is the scan's user, as spamd's User)",
      NULL },
};
const size_t milter_worker_nkeys = sizeof(milter_worker_keys) / sizeof(milter_worker_keys[0]);
const struct cfg_key milter_upstream_keys[] = { UPSTREAM_KEYS(struct milter_worker_cfg, up) };
const size_t milter_upstream_nkeys = sizeof(milter_upstream_keys) / sizeof(milter_upstream_keys[0]);

/* --- config --------------------------------------------------------------- */

int
milter_smtp_reply_parse(const char *s, char cls, const char *def_code, const char *def_xcode,
                        struct milter_smtp_reply *out, struct sift_err *err)
{
    const char *p = s;
    size_t n;
    struct buf probe;
    int rc;

    memset(out, 0, sizeof(*out));
    snprintf(out->code, sizeof(out->code), "%s", def_code);
    snprintf(out->xcode, sizeof(out->xcode), "%s", def_xcode);
    if (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' &&
        (p[3] == ' ' || p[3] == '\0')) {
        if (p[0] != cls) {
            sift_err_set(err, "'%s': the code must be %cxx", s, cls);
            return -1;
        }
        memcpy(out->code, p, 3);
        out->code[3] = '\0';
        p += 3;
        while (*p == ' ')
            p++;
        n = strspn(p, "0123456789.");
        if (n > 0 && (p[n] == ' ' || p[n] == '\0') && memchr(p, '.', n) != NULL) {
            if (n >= sizeof(out->xcode) || p[0] != cls) {
                sift_err_set(err, "'%s': the enhanced code must be %c.x.y", s, cls);
                return -1;
            }
            memcpy(out->xcode, p, n);
            out->xcode[n] = '\0';
            p += n;
            while (*p == ' ')
                p++;
        }
    }
    out->text = p;
    if (*p == '\0') {
        sift_err_set(err, "'%s': no text", s);
        return -1;
    }
    /* what the MTA would refuse is refused now */
    buf_init(&probe);
    rc = milter_render_replycode(&probe, out->code, out->xcode, out->text);
    buf_clear(&probe);
    if (rc == -1) {
        sift_err_set(err, "'%s': not an SMTP reply (bad enhanced code, or too long)", s);
        return -1;
    }
    return 0;
}

/* A header name sift can send: printable ASCII but ':' and space. */
static bool
mw_name_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > MILTER_HDR_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] <= ' ' || s[i] >= 127 || s[i] == ':')
            return false;
    }
    return true;
}

static int
mw_check_settings_id(struct cfg *cfg, const struct worker_cfg *wc, const struct cfg_node *node,
                     const char *key, const char **id, struct sift_err *err)
{
    const struct cfg_node *sec = cfg_map_get(cfg->root, "settings");
    char where[512];

    if (*id != NULL && **id == '\0')
        *id = NULL;
    if (*id == NULL)
        return 0;
    if (sec == NULL || sec->kind != CFG_MAP || cfg_map_get(sec, *id) == NULL) {
        sift_err_set(err, "%s: workers.%s.%s: no block '%s' in the settings section",
                     siftd_cfg_item_pos(node, key, 0, where, sizeof(where)), wc->name, key, *id);
        return -1;
    }
    return 0;
}

int
milter_worker_check(struct cfg *cfg, struct worker_cfg *wc, const struct cfg_node *node,
                    struct sift_err *err)
{
    struct milter_worker_cfg *mc = wc->proto;
    struct sift_err why;
    char where[512];

    if (siftd_cfg_nets(cfg, wc, node, "secure_ip", &mc->secure_ip, &mc->secure, err) == -1)
        return -1;
    if (milter_smtp_reply_parse(mc->reject_message, '5', "554", "5.7.1", &mc->reject, &why) == -1) {
        sift_err_set(err, "%s: workers.%s.reject_message: %s",
                     siftd_cfg_item_pos(node, "reject_message", 0, where, sizeof(where)), wc->name,
                     why.msg);
        return -1;
    }
    if (milter_smtp_reply_parse(mc->tempfail_message, '4', "451", "4.7.1", &mc->tempfail, &why) ==
        -1) {
        sift_err_set(err, "%s: workers.%s.tempfail_message: %s",
                     siftd_cfg_item_pos(node, "tempfail_message", 0, where, sizeof(where)),
                     wc->name, why.msg);
        return -1;
    }
    if (mc->quarantine_message[0] == '\0' || strpbrk(mc->quarantine_message, "\r\n") != NULL) {
        sift_err_set(err, "%s: workers.%s.quarantine_message: one line of text, please",
                     siftd_cfg_item_pos(node, "quarantine_message", 0, where, sizeof(where)),
                     wc->name);
        return -1;
    }
    if (!mw_name_ok(mc->spam_header)) {
        sift_err_set(err, "%s: workers.%s.spam_header: '%s' is not a header name",
                     siftd_cfg_item_pos(node, "spam_header", 0, where, sizeof(where)), wc->name,
                     mc->spam_header);
        return -1;
    }
    for (size_t i = 0; i < mc->remove_headers.n; i++) {
        if (!mw_name_ok(mc->remove_headers.v[i])) {
            sift_err_set(err, "%s: workers.%s.remove_headers: '%s' is not a header name",
                         siftd_cfg_item_pos(node, "remove_headers", i, where, sizeof(where)),
                         wc->name, mc->remove_headers.v[i]);
            return -1;
        }
    }
    if (upstream_cfg_check(cfg, wc->name, &mc->up, node, err) == -1)
        return -1;
    if (mc->up.ndefs > 0) { /* the upstreams know their own settings */
        if (mc->secure_ip_settings_id != NULL && mc->secure_ip_settings_id[0] == '\0')
            mc->secure_ip_settings_id = NULL;
        if (mc->authenticated_settings_id != NULL && mc->authenticated_settings_id[0] == '\0')
            mc->authenticated_settings_id = NULL;
        return 0;
    }
    if (mw_check_settings_id(cfg, wc, node, "secure_ip_settings_id", &mc->secure_ip_settings_id,
                             err) == -1 ||
        mw_check_settings_id(cfg, wc, node, "authenticated_settings_id",
                             &mc->authenticated_settings_id, err) == -1)
        return -1;
    return 0;
}

void
milter_worker_start(struct worker *w)
{
    const struct milter_worker_cfg *mc = w->wc->proto;

    if (mc->up.ndefs > 0)
        w->proto_state = upstream_pool_new(w->base, &mc->up);
}

void
milter_worker_stop(struct worker *w)
{
    struct upstream_pool *p = w->proto_state;

    upstream_pool_free(&p);
    w->proto_state = NULL;
}
