/*
 * worker_milter_upstream.c - upstream mode: at end of message the proxy
 * POSTs the message to /checkv2 on one of its upstream scanners (another
 * siftd's normal worker, or rspamd) with the envelope as the request
 * headers (IP, Helo, Hostname, From, Rcpt, Queue-Id, User, Flags: milter),
 * on the worker's event loop, and turns the JSON it answers into the
 * verdict the reply is rendered from (section 7 of spec/milter-protocol.md:
 * action, score, subject, messages.smtp_message, the milter block).
 *
 * While the scanner works the connection reads nothing more (the MTA waits
 * for the end-of-message reply anyway). A scanner that fails, or answers
 * anything but a /checkv2 result, is left for the next (upstream.h); when
 * none answers, default_action decides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_read.h"
#include "core/log.h"
#include "daemon/upstream.h"
#include "daemon/worker.h"
#include "daemon/worker_milter_int.h"

static const struct {
    const char *name;
    enum mw_action action;
} mw_actions[] = {
    { "no action", MW_ACT_NONE },          { "greylist", MW_ACT_GREYLIST },
    { "add header", MW_ACT_ADD_HEADER },   { "rewrite subject", MW_ACT_REWRITE_SUBJECT },
    { "soft reject", MW_ACT_SOFT_REJECT }, { "reject", MW_ACT_REJECT },
    { "discard", MW_ACT_DISCARD },         { "quarantine", MW_ACT_QUARANTINE },
};

/* A request header "Name: value\r\n", control characters made spaces (a
 * value from the MTA cannot split the request). Nothing when v is NULL. */
static void
mw_hdr(struct buf *b, const char *name, const char *v)
{
    if (v == NULL)
        return;
    buf_printf(b, "%s: ", name);
    for (const char *s = v; *s != '\0'; s++)
        buf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
    buf_puts(b, "\r\n");
}

/* The envelope as rspamd's proxy sends it (section 6 of spec/milter-protocol.md). */
static const char *
mw_request_headers(struct mw_eom *m)
{
    const struct mw_conn *mc = m->mc;
    const char *settings = m->user != NULL ? m->cfg->authenticated_settings_id
                           : m->secure     ? m->cfg->secure_ip_settings_id
                                           : NULL;
    const char *mta = mw_macro(mc, "daemon_name");
    struct buf b;
    const char *r;

    buf_init(&b);
    mw_hdr(&b, "IP", m->e.ip);
    mw_hdr(&b, "Helo", m->e.helo != NULL && m->e.helo[0] != '\0' ? m->e.helo : NULL);
    mw_hdr(&b, "Hostname", m->e.hostname);
    if (m->e.from != NULL)
        mw_hdr(&b, "From", arena_printf(m->a, "<%s>", m->e.from));
    for (size_t i = 0; i < m->e.nrcpt; i++)
        mw_hdr(&b, "Rcpt", arena_printf(m->a, "<%s>", m->e.rcpt[i]));
    mw_hdr(&b, "Queue-Id", m->e.queue_id);
    mw_hdr(&b, "User", m->user);
    mw_hdr(&b, "Settings-ID", settings);
    mw_hdr(&b, "MTA-Name", mta != NULL ? mta : mw_macro(mc, "j"));
    mw_hdr(&b, "TLS-Cipher", mw_macro(mc, "cipher"));
    mw_hdr(&b, "TLS-Version", mw_macro(mc, "tls_version"));
    mw_hdr(&b, "Log-Tag", m->c->tag);
    buf_puts(&b, "Flags: milter\r\nContent-Type: message/rfc822\r\n");
    r = arena_strndup(m->a, b.p, b.len);
    buf_clear(&b);
    return r;
}

/* --- the answer ----------------------------------------------------------------- */

/* A header value from a scanner: folded with LF, as the milter wants. */
static const char *
mw_lf(struct arena *a, const char *s)
{
    size_t n = strlen(s), k = 0;
    char *r = arena_alloc(a, n + 1);

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r' && s[i + 1] == '\n')
            continue;
        r[k++] = s[i];
    }
    r[k] = '\0';
    return r;
}

/* add_headers: {Name: "v" | {"value": v, "order": n} | [those...]} */
static void
mw_json_add(struct arena *a, const struct json_val *obj, struct mw_verdict *v)
{
    size_t cap = 0;
    struct mw_header *add;

    for (size_t i = 0; i < json_read_len(obj); i++) {
        const struct json_val *x = &obj->members[i].val;

        cap += json_read_is(x, JSON_ARRAY) ? json_read_len(x) : 1;
    }
    add = arena_calloc(a, cap ? cap : 1, sizeof(*add));
    for (size_t i = 0; i < json_read_len(obj); i++) {
        const char *name = obj->members[i].key.p;
        const struct json_val *x = &obj->members[i].val;
        size_t nx = json_read_is(x, JSON_ARRAY) ? json_read_len(x) : 1;

        for (size_t k = 0; k < nx; k++) {
            const struct json_val *e = json_read_is(x, JSON_ARRAY) ? json_read_at(x, k) : x;
            const char *value = json_read_is(e, JSON_STRING)
                                    ? json_read_str(e, NULL)
                                    : json_read_str(json_read_get(e, "value"), NULL);
            double order = json_read_num(json_read_get(e, "order"), -1);

            if (value == NULL)
                continue;
            add[v->nadd++] = (struct mw_header){ name, mw_lf(a, value),
                                                 order < -1e6 || order > 1e6 ? -1 : (long)order };
        }
    }
    v->add = add;
}

/* remove_headers: {Name: n | [n...]} */
static void
mw_json_remove(struct arena *a, const struct json_val *obj, struct mw_verdict *v)
{
    size_t cap = 0;
    struct mw_removal *rm;

    for (size_t i = 0; i < json_read_len(obj); i++) {
        const struct json_val *x = &obj->members[i].val;

        cap += json_read_is(x, JSON_ARRAY) ? json_read_len(x) : 1;
    }
    rm = arena_calloc(a, cap ? cap : 1, sizeof(*rm));
    for (size_t i = 0; i < json_read_len(obj); i++) {
        const struct json_val *x = &obj->members[i].val;
        size_t nx = json_read_is(x, JSON_ARRAY) ? json_read_len(x) : 1;

        for (size_t k = 0; k < nx; k++) {
            const struct json_val *e = json_read_is(x, JSON_ARRAY) ? json_read_at(x, k) : x;
            double n = json_read_num(e, 0);

            rm[v->nremove++] =
                (struct mw_removal){ obj->members[i].key.p, n < -1e6 || n > 1e6 ? 0 : (long)n };
        }
    }
    v->remove = rm;
}

/* An array of strings, in a. */
static const char *const *
mw_json_strings(struct arena *a, const struct json_val *arr, size_t *n)
{
    const char **r = arena_calloc(a, json_read_len(arr) + 1, sizeof(*r));

    *n = 0;
    for (size_t i = 0; i < json_read_len(arr); i++) {
        const char *s = json_read_str(json_read_at(arr, i), NULL);

        if (s != NULL && s[0] != '\0')
            r[(*n)++] = s;
    }
    return r;
}

/* The milter block (spec/rspamd-http-protocol.md 4.2). */
static void
mw_json_milter(struct arena *a, const struct json_val *mb, struct mw_verdict *v)
{
    const struct json_val *sh = json_read_get(mb, "spam_header");
    const char *reject = json_read_str(json_read_get(mb, "reject"), "");

    mw_json_add(a, json_read_get(mb, "add_headers"), v);
    mw_json_remove(a, json_read_get(mb, "remove_headers"), v);
    v->reject_discard = strcmp(reject, "discard") == 0;
    v->reject_quarantine = strcmp(reject, "quarantine") == 0;
    if (json_read_is(sh, JSON_STRING)) {
        v->spam_header = json_read_str(sh, NULL);
    } else if (json_read_is(sh, JSON_OBJECT) && json_read_len(sh) > 0 &&
               json_read_is(&sh->members[0].val, JSON_STRING)) {
        v->spam_header = sh->members[0].key.p;
        v->spam_value = json_read_str(&sh->members[0].val, NULL);
    }
    if (v->spam_header != NULL && v->spam_header[0] == '\0')
        v->spam_header = v->spam_value = NULL;
    v->no_action = json_read_bool(json_read_get(mb, "no_action"), false);
    v->change_from = json_read_str(json_read_get(mb, "change_from"), NULL);
    v->add_rcpt = mw_json_strings(a, json_read_get(mb, "add_rcpt"), &v->nadd_rcpt);
    v->del_rcpt = mw_json_strings(a, json_read_get(mb, "del_rcpt"), &v->ndel_rcpt);
}

static int
mw_sym_name_cmp(const void *x, const void *y)
{
    return strcmp(((const struct mw_symbol *)x)->name, ((const struct mw_symbol *)y)->name);
}

/* symbols: {NAME: {"score": s, "options": [...]}}, by name; their options joined with ','. */
static void
mw_json_symbols(struct arena *a, const struct json_val *obj, struct mw_verdict *v)
{
    size_t n = json_read_len(obj);
    struct mw_symbol *s = arena_calloc(a, n ? n : 1, sizeof(*s));

    for (size_t i = 0; i < n; i++) {
        const struct json_val *sym = &obj->members[i].val;
        const struct json_val *opts = json_read_get(sym, "options");
        struct buf b;

        s[i].name = obj->members[i].key.p;
        s[i].score = json_read_num(json_read_get(sym, "score"), 0);
        if (json_read_len(opts) == 0)
            continue;
        buf_init(&b);
        for (size_t k = 0; k < json_read_len(opts); k++)
            buf_printf(&b, "%s%s", k ? "," : "", json_read_str(json_read_at(opts, k), ""));
        s[i].option = arena_strndup(a, b.p ? b.p : "", b.len);
        buf_clear(&b);
    }
    qsort(s, n, sizeof(*s), mw_sym_name_cmp);
    v->symbols = s;
    v->nsymbols = n;
}

/* The result for /history: symbols as hits of rules that have only a name. */
static void
mw_json_result(struct arena *a, struct mw_verdict *v)
{
    static const enum scan_action acts[] = {
        [MW_ACT_NONE] = SCAN_ACTION_NONE,
        [MW_ACT_GREYLIST] = SCAN_ACTION_GREYLIST,
        [MW_ACT_ADD_HEADER] = SCAN_ACTION_ADD_HEADER,
        [MW_ACT_REWRITE_SUBJECT] = SCAN_ACTION_REWRITE_SUBJECT,
        [MW_ACT_REJECT] = SCAN_ACTION_REJECT,
        [MW_ACT_SOFT_REJECT] = SCAN_ACTION_GREYLIST,
        [MW_ACT_DISCARD] = SCAN_ACTION_REJECT,
        [MW_ACT_QUARANTINE] = SCAN_ACTION_REJECT,
    };
    struct scan_result *res = arena_calloc(a, 1, sizeof(*res));
    struct scan_rule *rules = arena_calloc(a, v->nsymbols ? v->nsymbols : 1, sizeof(*rules));

    res->hits = arena_calloc(a, v->nsymbols ? v->nsymbols : 1, sizeof(*res->hits));
    for (size_t i = 0; i < v->nsymbols; i++) {
        rules[i].name = v->symbols[i].name;
        res->hits[i] = (struct scan_hit){ .rule = &rules[i],
                                          .score = v->symbols[i].score,
                                          .count = 1,
                                          .option = v->symbols[i].option };
    }
    res->nhits = v->nsymbols;
    res->score = v->score;
    res->required = v->required;
    res->action = acts[v->action];
    res->is_spam = res->action >= SCAN_ACTION_ADD_HEADER;
    v->res = res;
}

int
mw_verdict_from_json(struct arena *a, const char *json, size_t len, struct mw_verdict *v,
                     const char **why)
{
    const struct json_val *root, *dkim;
    struct sift_err err;
    const char *action, *mid;
    size_t i;

    memset(v, 0, sizeof(*v));
    if (json_read_parse(a, json, len, 0, &root, &err) == -1) {
        *why = arena_printf(a, "not JSON (%s)", err.msg);
        return -1;
    }
    action = json_read_str(json_read_get(root, "action"), NULL);
    for (i = 0; action != NULL && i < sizeof(mw_actions) / sizeof(mw_actions[0]); i++) {
        if (strcmp(action, mw_actions[i].name) == 0)
            break;
    }
    if (action == NULL || i == sizeof(mw_actions) / sizeof(mw_actions[0])) {
        *why = action == NULL ? "no action in the result"
                              : arena_printf(a, "an unknown action \"%s\"", action);
        return -1;
    }
    v->action = mw_actions[i].action;
    v->score = json_read_num(json_read_get(root, "score"), 0);
    v->required = json_read_num(json_read_get(root, "required_score"), 0);
    v->subject = json_read_str(json_read_get(root, "subject"), NULL);
    v->smtp_message =
        json_read_str(json_read_get(json_read_get(root, "messages"), "smtp_message"), NULL);
    mid = json_read_str(json_read_get(root, "message-id"), NULL);
    v->message_id = mid != NULL && strcmp(mid, "undef") != 0 && mid[0] != '\0' ? mid : NULL;
    mw_json_symbols(a, json_read_get(root, "symbols"), v);
    mw_json_milter(a, json_read_get(root, "milter"), v);
    /* a DKIM signature goes on top, under the MTA's own Received */
    dkim = json_read_get(root, "dkim-signature");
    if (dkim != NULL) {
        size_t nd = json_read_is(dkim, JSON_ARRAY) ? json_read_len(dkim) : 1;
        struct mw_header *add = arena_calloc(a, v->nadd + nd, sizeof(*add));

        memcpy(add, v->add, v->nadd * sizeof(*add));
        for (size_t k = 0; k < nd; k++) {
            const char *sig =
                json_read_str(json_read_is(dkim, JSON_ARRAY) ? json_read_at(dkim, k) : dkim, NULL);
            if (sig != NULL)
                add[v->nadd++] = (struct mw_header){ "DKIM-Signature", mw_lf(a, sig), (long)k + 1 };
        }
        v->add = add;
    }
    mw_json_result(a, v);
    return 0;
}

/* --- the call --------------------------------------------------------------------- */

static bool
mw_upstream_done(void *arg, const struct upstream_result *r)
{
    struct mw_eom *m = arg;
    struct conn *c = m->c;
    const char *why = NULL;

    if (r->resp != NULL) {
        if (r->resp->status != 200) {
            log_tinfo(c->tag, "upstream %s answered HTTP %d", r->name, r->resp->status);
            return false;
        }
        if (mw_verdict_from_json(m->a, r->resp->body.p ? r->resp->body.p : "", r->resp->body.len,
                                 &m->v, &why) == -1) {
            log_tinfo(c->tag, "upstream %s: not a scan result: %s", r->name, why);
            return false;
        }
    }
    conn_hold(c);
    m->mc->pending = NULL;
    m->call = NULL; /* it ends by itself after this */
    if (r->resp != NULL) {
        m->v.upstream = r->name;
        m->v.tries = r->tries;
        mw_reply(m);
    } else {
        mw_reply_unscanned(
            m, m->cfg->default_action == MILTER_DEFAULT_TEMPFAIL,
            arena_printf(m->a, "no upstream answered (%u tried; last: %s)", r->tries, r->err));
    }
    mw_eom_finish(m);
    mw_next(c);
    conn_release(c);
    return true;
}

bool
mw_upstream_start(struct mw_eom *m)
{
    struct upstream_pool *pool = m->c->w->proto_state;
    struct upstream_request req = {
        .method = "POST",
        .target = "/checkv2",
        .headers = mw_request_headers(m),
        .body = m->mc->msg.p,
        .body_len = m->mc->msg.len,
        .send_length = true,
        .hash_key = m->e.from != NULL ? m->e.from : "",
        .tag = m->c->tag,
    };

    m->size = m->mc->msg.len;
    if (pool == NULL)
        return false;
    m->call = upstream_call_start(pool, &req, mw_upstream_done, m);
    if (m->call == NULL)
        return false;
    m->mc->pending = m;
    return true;
}
