/*
 * envelope.c - the envelope as a Received hop, and the header edits of a
 * result (see envelope.h).
 */
#include "daemon/envelope.h"

#include <string.h>
#include <strings.h>

#include "mime/mime_get.h"

const char *const envelope_removed[] = {
    "X-Spam",       "X-Spam-Flag", "X-Spam-Status", "X-Spam-Level", "X-Spam-Checker-Version",
    "X-Spam-Report"
};
const size_t envelope_nremoved = sizeof(envelope_removed) / sizeof(envelope_removed[0]);

bool
envelope_received_has(const char *msg, size_t len, const char *ip)
{
    size_t i = 0, il = strlen(ip);

    while (i < len && msg[i] != '\n' && !(msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n')) {
        size_t end = i;

        while (end < len && msg[end] != '\n')
            end++;
        /* a field with its continuation lines */
        while (end + 1 < len && (msg[end + 1] == ' ' || msg[end + 1] == '\t')) {
            end++;
            while (end < len && msg[end] != '\n')
                end++;
        }
        if (end - i > 9 && strncasecmp(msg + i, "Received:", 9) == 0)
            return memmem(msg + i, end - i, ip, il) != NULL;
        i = end + 1;
    }
    return false;
}

bool
envelope_hop_needed(const struct envelope *e, const char *msg, size_t len)
{
    return e->ip != NULL && !envelope_received_has(msg, len, e->ip);
}

static const char *
envelope_or_unknown(const char *s)
{
    return s != NULL && *s != '\0' ? s : "unknown";
}

void
envelope_received(const struct envelope *e, const char *byhost, time_t now, struct buf *out)
{
    char date[64];
    struct tm tm;

    if (e->ip == NULL)
        return;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    buf_printf(out, "Received: from %s (%s [%s])\n\tby %s (sift) with %s",
               envelope_or_unknown(e->helo), envelope_or_unknown(e->hostname), e->ip, byhost,
               e->with != NULL ? e->with : "ESMTP");
    if (e->queue_id != NULL && *e->queue_id != '\0')
        buf_printf(out, " id %s", e->queue_id);
    if (e->from != NULL)
        buf_printf(out, "\n\t(envelope-from <%s>)", e->from);
    if (e->nrcpt == 1)
        buf_printf(out, "\n\tfor <%s>", e->rcpt[0]);
    buf_printf(out, "; %s\n", date);
}

size_t
envelope_sa_headers(struct arena *a, const struct scanner_scan *sr, const struct sa_markup_env *env,
                    size_t spare, struct envelope_header **out)
{
    struct buf hdrs;
    struct envelope_header *add;
    size_t n = 0, cap = 8;

    buf_init(&hdrs);
    sa_markup_headers(sr->markup, sr->task, sr->res, env, &hdrs);
    add = arena_calloc(a, cap + spare, sizeof(*add));
    for (size_t i = 0; i < hdrs.len;) {
        size_t end = i, colon;

        /* a field: up to the LF that no white space follows */
        while (end < hdrs.len &&
               !(hdrs.p[end] == '\n' &&
                 (end + 1 >= hdrs.len || (hdrs.p[end + 1] != ' ' && hdrs.p[end + 1] != '\t'))))
            end++;
        for (colon = i; colon < end && hdrs.p[colon] != ':'; colon++)
            ;
        if (colon < end) {
            size_t v = colon + 1;

            if (v < end && hdrs.p[v] == ' ')
                v++;
            if (n == cap) {
                add = arena_realloc(a, add, (cap + spare) * sizeof(*add),
                                    (2 * cap + spare) * sizeof(*add));
                cap *= 2;
            }
            add[n].name = arena_strndup(a, hdrs.p + i, colon - i);
            add[n].value = arena_strndup(a, hdrs.p + v, end - v);
            n++;
        }
        i = end + 1;
    }
    buf_clear(&hdrs);
    memset(add + n, 0, spare * sizeof(*add));
    *out = add;
    return n;
}

void
envelope_subject(const struct scanner_scan *sr, const struct sa_markup_env *env, struct buf *out)
{
    bool found = false;
    struct strv old;

    if (sa_markup_subject(sr->markup, sr->task, sr->res, env, out))
        return;
    old = mime_get_scalar(task_message(sr->task), "Subject", &found);
    while (old.len > 0 && (old.p[old.len - 1] == '\n' || old.p[old.len - 1] == '\r'))
        old.len--;
    buf_printf(out, "***SPAM*** %.*s", found ? (int)old.len : 0, found ? old.p : "");
}

double
envelope_required(const struct scan_actions *acts, const struct scan_result *res)
{
    for (int a = SCAN_NACTIONS - 1; a > SCAN_ACTION_NONE; a--) {
        if (acts->set[a])
            return acts->threshold[a];
    }
    return res != NULL ? res->required : 0.0;
}
