/*
 * proto_rspamd.c - rspamd's scan replies and zstd framing (see proto_rspamd.h).
 */
#include "proto/proto_rspamd.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <zstd.h>

#include "core/json.h"

/* A number as libucl prints it: integers with ".0", fractions with six
 * decimals; NaN and infinities as 0.0 (rspamd never sends null there). */
static void
rs_number(struct json *j, double v)
{
    char s[64];

    if (!isfinite(v))
        v = 0.0;
    if (v == floor(v) && fabs(v) < 1e15)
        snprintf(s, sizeof(s), "%.1f", v);
    else
        snprintf(s, sizeof(s), "%f", v);
    json_raw(j, s);
}

static void
rs_symbol(struct json *j, const struct rspamd_symbol *s, bool metric)
{
    json_key(j, s->name);
    json_obj_begin(j);
    json_key(j, "name");
    json_cstr(j, s->name);
    json_key(j, "score");
    rs_number(j, s->score);
    if (metric) {
        json_key(j, "metric_score");
        rs_number(j, s->metric_score);
    }
    if (s->description != NULL) {
        json_key(j, "description");
        json_cstr(j, s->description);
    }
    if (s->option != NULL) {
        json_key(j, "options");
        json_arr_begin(j);
        json_cstr(j, s->option);
        json_arr_end(j);
    }
    json_obj_end(j);
}

/* is_skipped, score, required_score, action, subject: the head of both shapes */
static void
rs_head(struct json *j, const struct rspamd_reply *r)
{
    json_key(j, "is_skipped");
    json_bool(j, r->is_skipped);
    json_key(j, "score");
    rs_number(j, r->score);
    json_key(j, "required_score");
    rs_number(j, r->required_score);
    json_key(j, "action");
    json_cstr(j, r->action);
    if (r->subject != NULL) {
        json_key(j, "subject");
        json_cstr(j, r->subject);
    }
}

/* messages, message-id, time_real and the milter block: the tail of both shapes */
static void
rs_tail(struct json *j, const struct rspamd_reply *r, const char *milter_key)
{
    json_key(j, "messages");
    json_obj_begin(j);
    if (r->smtp_message != NULL) {
        json_key(j, "smtp_message");
        json_cstr(j, r->smtp_message);
    }
    json_obj_end(j);
    if (r->nurls > 0) {
        json_key(j, "urls");
        json_arr_begin(j);
        for (size_t i = 0; i < r->nurls; i++)
            json_str(j, r->urls[i]);
        json_arr_end(j);
    }
    if (r->nemails > 0) {
        json_key(j, "emails");
        json_arr_begin(j);
        for (size_t i = 0; i < r->nemails; i++)
            json_str(j, r->emails[i]);
        json_arr_end(j);
    }
    json_key(j, "message-id");
    json_cstr(j, r->message_id != NULL ? r->message_id : "undef");
    json_key(j, "time_real");
    rs_number(j, r->time_real);
    if (r->nadd_headers == 0 && r->nremove_headers == 0)
        return;
    json_key(j, milter_key);
    json_obj_begin(j);
    if (r->nadd_headers > 0) {
        json_key(j, "add_headers");
        json_obj_begin(j);
        for (size_t i = 0; i < r->nadd_headers; i++) {
            json_key(j, r->add_headers[i].name);
            json_obj_begin(j);
            json_key(j, "value");
            json_cstr(j, r->add_headers[i].value);
            json_key(j, "order");
            json_int(j, r->add_headers[i].order);
            json_obj_end(j);
        }
        json_obj_end(j);
    }
    if (r->nremove_headers > 0) {
        json_key(j, "remove_headers");
        json_obj_begin(j);
        for (size_t i = 0; i < r->nremove_headers; i++) {
            json_key(j, r->remove_headers[i]);
            json_int(j, 0);
        }
        json_obj_end(j);
    }
    json_obj_end(j);
}

static void
rs_groups(struct json *j, const struct rspamd_reply *r)
{
    if (r->groups == NULL)
        return;
    json_key(j, "groups");
    json_obj_begin(j);
    for (size_t i = 0; i < r->ngroups; i++) {
        json_key(j, r->groups[i].name);
        json_obj_begin(j);
        json_key(j, "score");
        rs_number(j, r->groups[i].score);
        json_obj_end(j);
    }
    json_obj_end(j);
}

void
rspamd_render_v2(const struct rspamd_reply *r, struct buf *out)
{
    struct json j;

    json_init(&j, out, false);
    json_obj_begin(&j);
    rs_head(&j, r);
    json_key(&j, "symbols");
    json_obj_begin(&j);
    for (size_t i = 0; i < r->nsymbols; i++)
        rs_symbol(&j, &r->symbols[i], true);
    json_obj_end(&j);
    rs_groups(&j, r);
    rs_tail(&j, r, "milter");
    json_obj_end(&j);
}

/* rspamd's is_spam: every action but the ham one ("greylist" counts as spam) */
static bool
rs_is_spam(const struct rspamd_reply *r)
{
    return strcmp(r->action, "no action") != 0;
}

void
rspamd_render_v1(const struct rspamd_reply *r, struct buf *out)
{
    struct json j;

    json_init(&j, out, false);
    json_obj_begin(&j);
    json_key(&j, "default");
    json_obj_begin(&j);
    json_key(&j, "is_spam");
    json_bool(&j, rs_is_spam(r));
    rs_head(&j, r);
    for (size_t i = 0; i < r->nsymbols; i++)
        rs_symbol(&j, &r->symbols[i], false);
    json_obj_end(&j);
    rs_groups(&j, r);
    rs_tail(&j, r, "rmilter");
    json_obj_end(&j);
}

/* A header-line value: no CR or LF may break the line protocol's framing. */
static void
rs_line_value(struct buf *out, const char *s)
{
    for (; *s != '\0'; s++)
        buf_putc(out, *s == '\r' || *s == '\n' ? ' ' : *s);
}

void
rspamd_render_rspamc(const struct rspamd_reply *r, const char *version, struct buf *out)
{
    /* rspamd 3.x says False here whatever the action; Exim ignores it */
    buf_printf(out, "RSPAMD/%s 0 EX_OK\r\nMetric: default; False; %.2f / %.2f / 0.0\r\n", version,
               isfinite(r->score) ? r->score : 0.0, r->required_score);
    buf_puts(out, "Action: ");
    rs_line_value(out, r->action);
    buf_puts(out, "\r\n");
    if (r->subject != NULL) {
        buf_puts(out, "Subject: ");
        rs_line_value(out, r->subject);
        buf_puts(out, "\r\n");
    }
    for (size_t i = 0; i < r->nsymbols; i++)
        buf_printf(out, "Symbol: %s(%.2f)\r\n", r->symbols[i].name, r->symbols[i].score);
    if (r->smtp_message != NULL) {
        buf_puts(out, "Message: ");
        rs_line_value(out, r->smtp_message);
        buf_puts(out, "\r\n");
    }
    buf_puts(out, "Message-ID: ");
    rs_line_value(out, r->message_id != NULL ? r->message_id : "undef");
    buf_puts(out, "\r\n");
}

void
rspamd_render_spamc(const struct rspamd_reply *r, bool symbols, struct buf *out)
{
    struct buf body;

    buf_init(&body);
    if (symbols) {
        for (size_t i = 0; i < r->nsymbols; i++)
            buf_printf(&body, "%s%s", i > 0 ? "," : "", r->symbols[i].name);
        buf_puts(&body, "\r\n");
    }
    buf_printf(out, "SPAMD/1.1 0 EX_OK\r\nContent-length: %zu\r\nSpam: False ; %.2f / %.2f\r\n\r\n",
               body.len, isfinite(r->score) ? r->score : 0.0, r->required_score);
    buf_append(out, body.p, body.len);
    buf_clear(&body);
}

void
rspamd_render_error(const char *msg, const char *domain, struct buf *out)
{
    struct json j;

    json_init(&j, out, false);
    json_obj_begin(&j);
    json_key(&j, "error");
    json_cstr(&j, msg);
    json_key(&j, "error_domain");
    json_cstr(&j, domain);
    json_obj_end(&j);
}

bool
rspamd_is_zstd(const char *body, size_t len)
{
    return len >= 4 && memcmp(body, "\x28\xb5\x2f\xfd", 4) == 0;
}

int
rspamd_zstd_decompress(const char *in, size_t len, size_t max, struct buf *out, char *err,
                       size_t errlen)
{
    ZSTD_DStream *ds;
    ZSTD_inBuffer ib = { in, len, 0 };
    size_t ret = 1;

    buf_reset(out);
    if (!rspamd_is_zstd(in, len)) {
        snprintf(err, errlen, "the body is not a zstd frame");
        return -1;
    }
    if ((ds = ZSTD_createDStream()) == NULL) {
        snprintf(err, errlen, "cannot make a zstd decompression context");
        return -1;
    }
    while (ib.pos < ib.size || ret != 0) {
        ZSTD_outBuffer ob;
        size_t before = ib.pos;

        buf_reserve(out, 65536);
        ob.dst = out->p + out->len;
        ob.size = out->cap - out->len - 1;
        ob.pos = 0;
        ret = ZSTD_decompressStream(ds, &ob, &ib);
        if (ZSTD_isError(ret)) {
            snprintf(err, errlen, "cannot decompress the body: %s", ZSTD_getErrorName(ret));
            ZSTD_freeDStream(ds);
            return -1;
        }
        out->len += ob.pos;
        out->p[out->len] = '\0';
        if (out->len > max) {
            snprintf(err, errlen, "the decompressed body is larger than %zu bytes", max);
            ZSTD_freeDStream(ds);
            return -1;
        }
        if (ob.pos == 0 && ib.pos == before && ib.pos == ib.size) {
            snprintf(err, errlen, "cannot decompress the body: the zstd frame is truncated");
            ZSTD_freeDStream(ds);
            return -1;
        }
    }
    ZSTD_freeDStream(ds);
    return 0;
}

int
rspamd_zstd_compress(const char *in, size_t len, struct buf *out)
{
    size_t bound = ZSTD_compressBound(len), n;

    buf_reset(out);
    buf_reserve(out, bound + 1);
    n = ZSTD_compress(out->p, bound, in, len, 1);
    if (ZSTD_isError(n))
        return -1;
    out->len = n;
    return 0;
}
