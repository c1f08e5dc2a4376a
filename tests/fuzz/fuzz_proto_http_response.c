/*
 * fuzz_proto_http_response.c - libFuzzer target for the HTTP response
 * parser the proxy reads its upstreams' answers with.
 * The first byte's top bit says the request was HEAD; the two bytes seed
 * the sizes of the pieces the rest is fed in, the way the proxy feeds it
 * (keep what the parser left, append, feed again); the end of input is the
 * server's close. A complete response has every view read and checked
 * against the parser's storage.
 */
#include "proto/proto_http_response.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct http_limits fuzz_lim = { 64 * 1024, 1024, 32 };

static volatile size_t fuzz_sink;

static void
fuzz_view(const struct http_response_parser *rp, struct strv v)
{
    size_t sum = 0;

    if (v.len > 0 && (v.p == NULL || v.p < rp->head.p || v.p + v.len > rp->head.p + rp->head.len))
        abort();
    for (size_t i = 0; i < v.len; i++)
        sum += (unsigned char)v.p[i];
    fuzz_sink += sum;
}

static void
fuzz_done(const struct http_response_parser *rp)
{
    const struct http_response *r = &rp->resp;

    if (r->status < 100 || r->status > 999 || r->nheaders > fuzz_lim.max_headers ||
        r->body.len > fuzz_lim.max_body)
        abort();
    if (r->has_length && !r->chunked && !rp->head_request && r->status >= 200 && r->status != 204 &&
        r->status != 304 && r->body.len != r->content_length)
        abort();
    fuzz_view(rp, r->reason);
    for (size_t i = 0; i < r->nheaders; i++) {
        fuzz_view(rp, r->headers[i].name);
        fuzz_view(rp, r->headers[i].value);
        fuzz_sink += http_hop_by_hop(r->headers[i].name);
    }
    fuzz_sink += http_response_header(r, "content-type") != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_response_parser rp;
    struct buf pend;
    enum proto_status st = PROTO_MORE;
    uint32_t rng;
    size_t off = 0, used;

    if (size < 2)
        return 0;
    rng = (uint32_t)(data[0] & 0x7f) << 8 | data[1];
    http_response_init(&rp, &fuzz_lim, (data[0] & 0x80) != 0);
    data += 2;
    size -= 2;
    buf_init(&pend);
    while (off < size && st == PROTO_MORE) {
        size_t piece = size - off;

        if (rng != 0) {
            rng = rng * 1103515245u + 12345u;
            piece = 1 + (rng >> 16) % 64;
            piece = piece < size - off ? piece : size - off;
        }
        buf_append(&pend, data + off, piece);
        off += piece;
        st = http_response_feed(&rp, pend.p, pend.len, &used);
        if (used > pend.len)
            abort();
        buf_consume(&pend, used);
    }
    if (st == PROTO_MORE)
        st = http_response_eof(&rp);
    if (st == PROTO_DONE)
        fuzz_done(&rp);
    else if (st != PROTO_ERROR || rp.err[0] == '\0')
        abort();
    http_response_clear(&rp);
    buf_clear(&pend);
    return 0;
}
