/*
 * fuzz_proto_http.c - libFuzzer target for the HTTP/1.x (and legacy
 * RSPAMC/SPAMC) request parser and the reply renderer.
 * The first two bytes seed the sizes of the pieces the rest is fed in, the
 * way a worker feeds it: keep what the parser left, append, feed again.
 * Each complete request has every view read and checked against the head
 * buffer, then the parser is reset for the pipelined bytes after it;
 * http_eof ends the input. A body that is a zstd frame is decompressed as
 * the scan API does it (with a small limit), and every body is rendered in
 * the rspamd reply shapes as message-id and subject.
 */
#include "proto/proto_http.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "proto/proto_rspamd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct http_limits fuzz_lim = { 64 * 1024, 1024, 32 };

static volatile size_t fuzz_sink;

/* Read every byte of v; a view into head must lie inside it. */
static void
fuzz_view(const struct http_parser *hp, struct strv v, int in_head)
{
    size_t sum = 0;

    if (v.len > 0 && v.p == NULL)
        abort();
    for (size_t i = 0; i < v.len; i++)
        sum += (unsigned char)v.p[i];
    fuzz_sink += sum;
    if (in_head && v.len > 0 && (v.p < hp->head.p || v.p + v.len > hp->head.p + hp->head.len))
        abort();
}

static void
fuzz_render(int status, const char *reason, const char *body, size_t len, int keep, int head)
{
    struct http_reply rep = { .status = status,
                              .reason = reason,
                              .content_type = "text/plain",
                              .body = body,
                              .body_len = len,
                              .keep_alive = keep,
                              .head_only = head,
                              .date = (time_t)len * 7919,
                              .server = "sift" };
    struct buf out;

    buf_init(&out);
    http_render_reply(&rep, &out);
    fuzz_sink += out.len;
    buf_clear(&out);
}

/* The scan API's body handling and reply shapes over what arrived. */
static void
fuzz_scan_api(const struct http_request *r)
{
    struct rspamd_symbol sym = { "SYM", 1.5, 1.5, NULL, NULL };
    struct rspamd_reply rep = { .action = "no action", .symbols = &sym, .nsymbols = 1 };
    struct buf z, out;
    char err[256], *text;

    buf_init(&z);
    buf_init(&out);
    if (rspamd_is_zstd(r->body.p, r->body.len) &&
        rspamd_zstd_decompress(r->body.p, r->body.len, 1 << 20, &z, err, sizeof(err)) == 0 &&
        z.len > 1 << 20)
        abort();
    text = strndup(r->body.p ? r->body.p : "", r->body.len); /* up to a NUL, as a C string */
    rep.message_id = text;
    rep.subject = text;
    sym.option = text;
    rspamd_render_v2(&rep, &out);
    rspamd_render_v1(&rep, &out);
    rspamd_render_rspamc(&rep, "1.3", &out);
    if (memchr(out.p, '\n', out.len) == NULL)
        abort();
    rspamd_render_spamc(&rep, true, &out);
    fuzz_sink += out.len + z.len;
    free(text);
    buf_clear(&z);
    buf_clear(&out);
}

static void
fuzz_done(const struct http_parser *hp)
{
    const struct http_request *r = &hp->req;

    if (!hp->head_done || r->nheaders > fuzz_lim.max_headers || r->body.len > fuzz_lim.max_body)
        abort();
    if (r->legacy && r->keep_alive)
        abort();
    if (r->has_length && !r->chunked && r->body.len != r->content_length)
        abort();
    fuzz_view(hp, r->method_name, 1);
    fuzz_view(hp, r->target, 1);
    fuzz_view(hp, r->path, 1);
    fuzz_view(hp, r->query, 1);
    fuzz_view(hp, r->legacy_proto, 1);
    for (size_t i = 0; i < r->nheaders; i++) {
        fuzz_view(hp, r->headers[i].name, 1);
        fuzz_view(hp, r->headers[i].value, 1);
    }
    fuzz_view(hp, strv_make(r->body.p, r->body.len), 0);
    fuzz_sink += http_header_get(r, "content-length") != NULL;
    fuzz_render(200, NULL, r->body.p, r->body.len, r->keep_alive, r->method == HTTP_HEAD);
    fuzz_scan_api(r);
}

static void
fuzz_error(const struct http_parser *hp)
{
    if (hp->err_status != 0 && (hp->err_status < 400 || hp->err_status > 505))
        abort();
    fuzz_render(hp->err_status, hp->err_reason, hp->err_reason, strlen(hp->err_reason), 0, 0);
}

/* Feed what is pending; handle each complete request. 0: go on, -1: an error. */
static int
fuzz_drain(struct http_parser *hp, struct buf *pend)
{
    size_t used;

    for (;;) {
        enum proto_status st = http_feed(hp, pend->p, pend->len, &used);
        if (used > pend->len)
            abort();
        buf_consume(pend, used);
        if (st == PROTO_MORE)
            return 0;
        if (st == PROTO_ERROR) {
            fuzz_error(hp);
            return -1;
        }
        fuzz_done(hp);
        http_parser_reset(hp);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_parser hp;
    struct buf pend;
    uint32_t rng;
    size_t off = 0;

    if (size < 2)
        return 0;
    rng = (uint32_t)data[0] << 8 | data[1];
    data += 2;
    size -= 2;
    http_parser_init(&hp, &fuzz_lim);
    buf_init(&pend);
    buf_reserve(&pend, 0);
    while (off < size) {
        /* seed 0: all at once; otherwise pieces of 1..64 bytes from an LCG */
        size_t piece = size - off;
        if (rng != 0) {
            rng = rng * 1103515245u + 12345u;
            piece = 1 + (rng >> 16) % 64;
            piece = piece < size - off ? piece : size - off;
        }
        buf_append(&pend, data + off, piece);
        off += piece;
        if (fuzz_drain(&hp, &pend) == -1)
            goto out;
    }
    if (http_eof(&hp) == PROTO_DONE)
        fuzz_done(&hp);
    else if (hp.state == HTTP_PS_ERROR)
        fuzz_error(&hp);
out:
    http_parser_clear(&hp);
    buf_clear(&pend);
    return 0;
}
