/*
 * fuzz_proto_spamd.c - libFuzzer target for the SPAMC request parser.
 * Input: byte 0 picks the part sizes, byte 1 the limits, the rest is what
 * the client sends. The request is parsed whole and in parts, as a worker
 * would (feed, drop what was used, append what arrives); both must agree,
 * and the parser must keep its own invariants.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "proto/proto_spamd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
    struct spamd_parser sp;
    enum proto_status st;
    size_t consumed;
};

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

static void
run_feed(struct run *r, struct buf *pending, const char *p, size_t n)
{
    size_t used = 0;

    buf_append(pending, p, n);
    r->st = spamd_feed(&r->sp, pending->p, pending->len, &used);
    CHECK(used <= pending->len);
    if (r->st == PROTO_MORE && (r->sp.state == SPAMD_PS_REQUEST || r->sp.state == SPAMD_PS_HEADERS))
        CHECK(pending->len - used <= r->sp.lim.line_max); /* only a partial line is left */
    buf_consume(pending, used);
    r->consumed += used;
}

/* Part sizes from seed: 1..64 bytes, varying from part to part. */
static void
run_parts(struct run *r, const char *p, size_t n, unsigned seed)
{
    struct buf pending;
    size_t pos = 0;
    unsigned x = seed * 2654435761u + 1;

    buf_init(&pending);
    while (pos < n) {
        size_t k = 1 + (x >> 26);
        if (seed < 16)
            k = seed + 1; /* fixed small parts, byte by byte included */
        if (k > n - pos)
            k = n - pos;
        run_feed(r, &pending, p + pos, k);
        pos += k;
        x = x * 1103515245u + 12345u;
    }
    buf_clear(&pending);
}

static void
run_finish(struct run *r)
{
    if (r->st == PROTO_MORE)
        r->st = spamd_eof(&r->sp);
    CHECK(r->st != PROTO_MORE);
    CHECK(spamd_eof(&r->sp) == r->st); /* the status sticks */
}

static bool
str_same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
check_request(const struct spamd_parser *sp)
{
    const struct spamd_request *q = &sp->req;
    bool pingskip = q->method == SPAMD_PING || q->method == SPAMD_SKIP;

    CHECK(q->body.len <= sp->lim.max_size);
    if (q->has_length && !pingskip)
        CHECK(q->body.len == q->content_length);
    if (pingskip)
        CHECK(q->body.len == 0);
    CHECK(spamd_method_name(q->method) != NULL);
}

static void
check_same(const struct run *a, const struct run *b)
{
    const struct spamd_request *x = &a->sp.req, *y = &b->sp.req;

    CHECK(a->st == b->st);
    if (a->st == PROTO_ERROR) {
        CHECK(a->sp.err_code == b->sp.err_code);
        CHECK(strcmp(a->sp.err_text, b->sp.err_text) == 0);
        return;
    }
    CHECK(a->consumed == b->consumed);
    CHECK(x->method == y->method && x->version == y->version);
    CHECK(x->has_length == y->has_length && x->content_length == y->content_length);
    CHECK(x->compress == y->compress && x->class_spam == y->class_spam);
    CHECK(x->set == y->set && x->remove == y->remove);
    CHECK(str_same(x->user, y->user) && str_same(x->message_class, y->message_class));
    CHECK(x->body.len == y->body.len);
    CHECK(x->body.len == 0 || memcmp(x->body.p, y->body.p, x->body.len) == 0);
    check_request(&a->sp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t max_sizes[] = { 64 * 1024, 0, 16, 200 };
    static const size_t line_maxes[] = { 1024, 0, 8, 40 };
    struct spamd_limits lim;
    struct run whole, parts;
    struct buf out;
    const char *p;
    size_t n, used;

    if (size < 2)
        return 0;
    lim.max_size = max_sizes[data[1] & 3];
    lim.line_max = line_maxes[(data[1] >> 2) & 3];
    p = (const char *)data + 2;
    n = size - 2;

    memset(&whole, 0, sizeof(whole));
    spamd_parser_init(&whole.sp, &lim);
    whole.st = spamd_feed(&whole.sp, p, n, &whole.consumed);
    CHECK(whole.consumed <= n);
    run_finish(&whole);

    memset(&parts, 0, sizeof(parts));
    spamd_parser_init(&parts.sp, &lim);
    parts.st = PROTO_MORE;
    run_parts(&parts, p, n, data[0]);
    run_finish(&parts);

    check_same(&whole, &parts);
    CHECK(spamd_feed(&whole.sp, p, n, &used) == whole.st && used == 0);

    buf_init(&out);
    if (whole.st == PROTO_ERROR)
        spamd_render_error(&out, whole.sp.err_code, whole.sp.err_text);
    else if (whole.sp.req.method == SPAMD_PING)
        spamd_render_pong(&out);
    CHECK(out.len == 0 || (out.len >= 2 && memcmp(out.p + out.len - 2, "\r\n", 2) == 0));
    buf_reset(&out);
    if (whole.st == PROTO_DONE) {
        /* what a worker does next: the overrun check, inflating, the reply */
        struct spamd_request *q = &whole.sp.req;
        struct spamd_result res = { (data[0] & 1) != 0, "1.0", "5.0", NULL, 0 };
        char text[256];
        int code;

        if (spamd_overrun(q, p + whole.consumed, n - whole.consumed, text, sizeof(text)) == -1)
            CHECK(strncmp(text, "Bad header line: (Content-Length mismatch", 41) == 0);
        if (q->compress && spamd_inflate(q, 1u << 20, &code, text, sizeof(text)) == -1)
            CHECK(code == SPAMD_EX_UNAVAILABLE || code == SPAMD_EX_DATAERR);
        CHECK(!q->compress || q->body.len <= (1u << 20));
        res.body = q->body.p;
        res.body_len = q->body.len;
        spamd_render_result(&out, q, &res);
        CHECK(out.len >= 18 && memcmp(out.p, "SPAMD/1.", 8) == 0);
    }
    buf_clear(&out);
    spamd_parser_clear(&whole.sp);
    spamd_parser_clear(&parts.sp);
    return 0;
}
