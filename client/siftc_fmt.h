/*
 * siftc_fmt.h - what siftc prints for a server's reply: the human form of
 * a /checkv2 result (as rspamc prints it), the X-Spam-* headers the result
 * stands for, a /stat summary, a learn or fuzzy answer; and the action
 * names ranked for the exit status. Pure: a parsed reply in, text appended
 * to a buffer (which may reallocate, see buf.h).
 */
#ifndef SIFTC_FMT_H
#define SIFTC_FMT_H

#include <stdbool.h>

#include "core/buf.h"
#include "core/json_read.h"

/* Exit status of a scan by its action: 0 no action, 1 greylist, 2 add
 * header, 3 rewrite subject, 4 soft reject, 5 reject (discard and
 * quarantine come as reject); an action siftc does not know counts 2. */
int siftc_action_rank(const char *action);
/* rspamc's "Spam:": every action but "no action" and "greylist". */
bool siftc_action_is_spam(const char *action);

/* The lines after "Results for file:": [Metric: default], Action, Spam,
 * Score, Subject, one "Symbol: NAME (score)[options]" per symbol sorted by
 * name, Urls, Emails, Message-ID, Messages. */
void siftc_fmt_scan(struct buf *out, const struct json_val *res);
/* The X-Spamd-Result value (spec 4.4): "default: False [2.20 / 15.00]"
 * then "; SYMBOL(score)[opts]" by |score|, largest first, then by name;
 * fold goes after each ';' ("\n\t" for a terminal, "\r\n\t" for mail). */
void siftc_fmt_spamd_result(struct buf *out, const struct json_val *res, const char *fold);
/* X-Spam-Action, X-Spam-Score, X-Spam: Yes (spam only), X-Spamd-Result;
 * one header a line, LF line ends. */
void siftc_fmt_headers(struct buf *out, const struct json_val *res);
/* A summary of a /stat object, in the manner of rspamc stat. */
void siftc_fmt_stat(struct buf *out, const struct json_val *st);
/* "success = true" and the hashes of a learn or fuzzy answer. */
void siftc_fmt_success(struct buf *out, const struct json_val *res);

#endif
