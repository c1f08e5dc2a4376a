/*
 * test_siftc_http.c - siftc's HTTP reply reader (Content-Length, chunked,
 * to-EOF bodies, 1xx skipped, rspamd's 204 with a body), fed whole and cut
 * at every byte; its refusals; zstd both ways; the request head.
 */
#include "client/siftc_http.h"

#include <string.h>

#include "core/buf.h"
#include "proto/proto_rspamd.h"

#include "../unit.h"

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

/* in[0..len) as one read, then the close if eof, into r made afresh. */
static enum proto_status
reply_parse(const char *in, size_t len, bool eof, struct siftc_reply *r, struct sift_err *err)
{
    enum proto_status st;

    siftc_reply_clear(r);
    st = siftc_reply_feed(r, in, len, err);
    return st == PROTO_MORE && eof ? siftc_reply_eof(r, err) : st;
}

static const struct {
    const char *in;
    bool needs_eof; /* complete only when the server closes */
    int status;
    const char *reason, *body;
} good_cases[] = {
    { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\npong\n", false, 200,
      "OK", "pong\n" },
    { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}trailing junk", false, 200, "OK", "{}" },
    { "HTTP/1.0 404 no classifiers defined\r\nContent-Length: 34\r\n\r\n{\"error\":\"no "
      "classifiers defined\"}",
      false, 404, "no classifiers defined", "{\"error\":\"no classifiers defined\"}" },
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\nA;ext=1\r\n:123456789"
      "\r\n1\r\n}\r\n0\r\nX-Trailer: t\r\n\r\n",
      false, 200, "OK", "{\"a\":123456789}" },
    { "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n0\r\n\r\n", false, 200, "OK", "" },
    { "HTTP/1.1 200 OK\nContent-Length: 3\n\nabc", false, 200, "OK", "abc" }, /* bare LF */
    { "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx", false, 201,
      "Created", "x" },
    { "HTTP/1.0 200 OK\r\nServer: old\r\n\r\nbody until EOF", true, 200, "OK", "body until EOF" },
    { "HTTP/1.1 500\r\nContent-Length: 0\r\n\r\n", false, 500, "", "" }, /* no reason */
    /* rspamd: 204 with a body and its length */
    { "HTTP/1.1 204 m1 contains less tokens than required\r\nContent-Length: "
      "11\r\n\r\n{\"error\":1}",
      false, 204, "m1 contains less tokens than required", "{\"error\":1}" },
    { "HTTP/1.1 204 No Content\r\n\r\n", false, 204, "No Content", "" },
};

static void
check_reply(const struct http_response *r, int i)
{
    ck_assert_int_eq(r->status, good_cases[i].status);
    ck_assert_uint_eq(r->reason.len, strlen(good_cases[i].reason));
    ck_assert_mem_eq(r->reason.p, good_cases[i].reason, r->reason.len);
    ck_assert_uint_eq(r->body.len, strlen(good_cases[i].body));
    ck_assert_mem_eq(r->body.p ? r->body.p : "", good_cases[i].body, r->body.len);
}

START_TEST(good_replies_whole)
{
    const char *in = good_cases[_i].in;
    struct siftc_reply r;
    struct sift_err err;

    siftc_reply_init(&r);
    ck_assert_int_eq(reply_parse(in, strlen(in), false, &r, &err),
                     good_cases[_i].needs_eof ? PROTO_MORE : PROTO_DONE);
    ck_assert_int_eq(reply_parse(in, strlen(in), true, &r, &err), PROTO_DONE);
    check_reply(&r.rp.resp, _i);
    siftc_reply_clear(&r);
}
END_TEST

/* Cut short anywhere, a reply is incomplete, not broken; at EOF, broken
 * (unless the body runs to EOF, or it is rspamd's 204). */
START_TEST(good_replies_every_prefix)
{
    const char *in = good_cases[_i].in;
    size_t full = strlen(in);
    struct siftc_reply r;
    struct sift_err err;

    if (strstr(in, "trailing junk") != NULL)
        full -= strlen("trailing junk");
    siftc_reply_init(&r);
    for (size_t n = 0; n < full; n++) {
        ck_assert_msg(reply_parse(in, n, false, &r, &err) == PROTO_MORE, "prefix %zu: %s", n,
                      err.msg);
        if (!good_cases[_i].needs_eof && good_cases[_i].status != 204)
            ck_assert_msg(reply_parse(in, n, true, &r, &err) == PROTO_ERROR, "prefix %zu at EOF",
                          n);
    }
    ck_assert_int_eq(reply_parse(in, full, true, &r, &err), PROTO_DONE);
    check_reply(&r.rp.resp, _i);
    siftc_reply_clear(&r);
}
END_TEST

static const struct {
    const char *in;
    bool eof;
    const char *want;
} bad_cases[] = {
    { "SPAMD/1.0 76 Bad header line: GET /ping HTTP/1.1\r\n", true,
      "unexpected reply: SPAMD/1.0 76 Bad header line: GET /ping HTTP/1.1" },
    { "SPAMD/1.0 76 Bad header line\r\n", false, "unexpected reply: SPAMD/1.0 76 Bad header line" },
    { "", true, "the server closed the connection without a reply" },
    { "HTTP/1.1 200", true, "unexpected reply: HTTP/1.1 200" },
    { "HTTP/1.1 99 Low\r\n\r\n", false, "unexpected reply: HTTP/1.1 99 Low" },
    { "HTTP/1.1 2000 OK\r\n\r\n", false, "unexpected reply: HTTP/1.1 2000 OK" },
    { "HTTP/2 200 OK\r\n\r\n", false, "unexpected reply: HTTP/2 200 OK" },
    { "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n", true,
      "the server closed the connection in the reply headers" },
    { "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true,
      "the server closed the connection 3 bytes into a 10-byte body" },
    { "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", false,
      "bad Content-Length in the reply: 1x" },
    { "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", false, "bad Content-Length in the reply: " },
    { "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", false,
      "reply body too large (99999999999999999999 bytes)" },
    { "HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n", false, "folded header line in the reply" },
    { "HTTP/1.1 200 OK\r\nno colon\r\n\r\n", false, "bad header line in the reply: no colon" },
    { "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", false,
      "bad header line in the reply: : empty name" },
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", false,
      "unsupported Transfer-Encoding in the reply: gzip" },
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false,
      "bad chunk size in the reply" },
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", false,
      "bad chunk size in the reply" },
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", false,
      "no CRLF after a chunk in the reply" },
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n", true,
      "the server closed the connection in a chunked reply body" },
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffff\r\n", false,
      "reply body too large" },
};

START_TEST(bad_replies)
{
    struct siftc_reply r;
    struct sift_err err = { "" };

    siftc_reply_init(&r);
    ck_assert_int_eq(
        reply_parse(bad_cases[_i].in, strlen(bad_cases[_i].in), bad_cases[_i].eof, &r, &err),
        PROTO_ERROR);
    ck_assert_str_eq(err.msg, bad_cases[_i].want);
    siftc_reply_clear(&r);
}
END_TEST

START_TEST(too_many_headers_and_too_long_a_head)
{
    struct siftc_reply r;
    struct sift_err err;
    struct buf b;

    siftc_reply_init(&r);
    buf_init(&b);
    buf_puts(&b, "HTTP/1.1 200 OK\r\n");
    for (int i = 0; i <= SIFTC_REPLY_MAX_HEADERS; i++)
        buf_printf(&b, "X-%d: v\r\n", i);
    buf_puts(&b, "\r\n");
    ck_assert_int_eq(reply_parse(b.p, b.len, false, &r, &err), PROTO_ERROR);
    ck_assert_str_eq(err.msg, "too many headers in the reply");
    buf_reset(&b);
    buf_puts(&b, "HTTP/1.1 200 OK\r\nX: ");
    while (b.len <= SIFTC_REPLY_MAX_HEAD)
        buf_puts(&b, "0123456789abcdef");
    ck_assert_int_eq(reply_parse(b.p, b.len, false, &r, &err), PROTO_ERROR);
    ck_assert_str_eq(err.msg, "reply headers too long");
    buf_clear(&b);
    siftc_reply_clear(&r);
}
END_TEST

START_TEST(headers_by_name_any_case)
{
    const char *in = "HTTP/1.1 200 OK\r\nContent-Encoding:  zstd \r\nX-Two: 1\r\nx-two: 2\r\n"
                     "Content-Length: 0\r\n\r\n";
    struct siftc_reply r;
    struct sift_err err;
    const struct strv *v;

    siftc_reply_init(&r);
    ck_assert_int_eq(reply_parse(in, strlen(in), false, &r, &err), PROTO_DONE);
    ck_assert_uint_eq(r.rp.resp.nheaders, 4);
    v = http_response_header(&r.rp.resp, "content-encoding");
    ck_assert_ptr_nonnull(v);
    ck_assert(strv_eq(*v, "zstd"));
    ck_assert(strv_eq(*http_response_header(&r.rp.resp, "X-TWO"), "1"));
    ck_assert_ptr_null(http_response_header(&r.rp.resp, "x-three"));
    siftc_reply_clear(&r);
}
END_TEST

START_TEST(zstd_both_ways)
{
    const char *msg = "Subject: hi\r\n\r\nXJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-"
                      "EMAIL*C.34X\r\n";
    struct buf z, out;
    struct sift_err err;

    buf_init(&z);
    buf_init(&out);
    rspamd_zstd_compress(msg, strlen(msg), &z);
    ck_assert_mem_eq(z.p, "\x28\xb5\x2f\xfd", 4); /* the frame's magic */
    ck_assert_int_eq(siftc_zstd_decompress(z.p, z.len, 1 << 20, &out, &err), 0);
    ck_assert_str_eq(out.p, msg);
    /* over the limit */
    buf_reset(&out);
    ck_assert_int_eq(siftc_zstd_decompress(z.p, z.len, 10, &out, &err), -1);
    ck_assert_str_eq(err.msg, "zstd: decompressed reply larger than 10 bytes");
    /* cut short, and not zstd at all */
    buf_reset(&out);
    ck_assert_int_eq(siftc_zstd_decompress(z.p, z.len - 3, 1 << 20, &out, &err), -1);
    buf_reset(&out);
    ck_assert_int_eq(siftc_zstd_decompress("plain text", 10, 1 << 20, &out, &err), -1);
    ck_assert_msg(strncmp(err.msg, "zstd: ", 6) == 0, "%s", err.msg);
    /* an empty message compresses to a frame too */
    buf_reset(&z);
    buf_reset(&out);
    rspamd_zstd_compress("", 0, &z);
    ck_assert_int_eq(siftc_zstd_decompress(z.p, z.len, 10, &out, &err), 0);
    ck_assert_uint_eq(out.len, 0);
    buf_clear(&z);
    buf_clear(&out);
}
END_TEST

static enum proto_status
parse_str(const char *in, struct siftc_reply *r, struct sift_err *err)
{
    return reply_parse(in, strlen(in), false, r, err);
}

START_TEST(reply_decode_undoes_zstd)
{
    const char *json = "{\"action\":\"no action\"}";
    struct siftc_reply r;
    struct sift_err err;
    struct buf in, z;

    buf_init(&in);
    buf_init(&z);
    rspamd_zstd_compress(json, strlen(json), &z);
    buf_printf(&in,
               "HTTP/1.1 200 OK\r\nCompression: zstd\r\nContent-Encoding: zstd\r\n"
               "Content-Length: %zu\r\n\r\n",
               z.len);
    buf_append(&in, z.p, z.len);
    siftc_reply_init(&r);
    ck_assert_int_eq(reply_parse(in.p, in.len, false, &r, &err), PROTO_DONE);
    ck_assert_int_eq(siftc_reply_decode(&r, &err), 0);
    ck_assert_str_eq(r.rp.resp.body.p, json);
    siftc_reply_clear(&r);
    /* plain bodies stay as they are; other codings are refused */
    siftc_reply_init(&r);
    ck_assert_int_eq(parse_str("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", &r, &err),
                     PROTO_DONE);
    ck_assert_int_eq(siftc_reply_decode(&r, &err), 0);
    ck_assert_str_eq(r.rp.resp.body.p, "{}");
    siftc_reply_clear(&r);
    siftc_reply_init(&r);
    ck_assert_int_eq(parse_str("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
                               "Content-Length: 0\r\n\r\n",
                               &r, &err),
                     PROTO_DONE);
    ck_assert_int_eq(siftc_reply_decode(&r, &err), -1);
    ck_assert_str_eq(err.msg, "unsupported Content-Encoding in the reply: gzip");
    siftc_reply_clear(&r);
    buf_clear(&in);
    buf_clear(&z);
}
END_TEST

START_TEST(request_head_bytes)
{
    struct siftc_addr a;
    struct sift_err err;
    struct buf b;

    buf_init(&b);
    ck_assert_int_eq(siftc_addr_resolve("127.0.0.1:11333", &a, &err), 0);
    siftc_request_head(&b, "POST", "/checkv2", &a, "IP: 192.0.2.1\r\nFilename: m.eml\r\n", 155);
    ck_assert_str_eq(b.p, "POST /checkv2 HTTP/1.1\r\nHost: 127.0.0.1:11333\r\nConnection: close\r\n"
                          "User-Agent: siftc\r\nContent-Length: 155\r\nIP: 192.0.2.1\r\n"
                          "Filename: m.eml\r\n\r\n");
    siftc_addr_clear(&a);
    buf_reset(&b);
    ck_assert_int_eq(siftc_addr_resolve("[::1]:11334", &a, &err), 0);
    siftc_request_head(&b, "GET", "/stat", &a, NULL, 0);
    ck_assert_str_eq(b.p, "GET /stat HTTP/1.1\r\nHost: [::1]:11334\r\nConnection: close\r\n"
                          "User-Agent: siftc\r\n\r\n");
    siftc_addr_clear(&a);
    buf_reset(&b);
    ck_assert_int_eq(siftc_addr_resolve("/run/sift/normal.sock", &a, &err), 0);
    ck_assert(a.is_unix);
    siftc_request_head(&b, "POST", "/learnham", &a, NULL, 0);
    ck_assert_str_eq(b.p, "POST /learnham HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                          "User-Agent: siftc\r\nContent-Length: 0\r\n\r\n");
    siftc_addr_clear(&a);
    ck_assert_int_eq(siftc_addr_resolve("127.0.0.1:11333 ssl", &a, &err), -1);
    ck_assert_str_eq(err.msg, "siftc does not speak TLS");
    ck_assert_int_eq(siftc_addr_resolve("127.0.0.1", &a, &err), -1);
    buf_clear(&b);
}
END_TEST

static Suite *
siftc_http_suite(void)
{
    Suite *s = suite_create("siftc_http");
    TCase *tc = tcase_create("siftc_http");

    tcase_add_loop_test(tc, good_replies_whole, 0, NCASES(good_cases));
    tcase_add_loop_test(tc, good_replies_every_prefix, 0, NCASES(good_cases));
    tcase_add_loop_test(tc, bad_replies, 0, NCASES(bad_cases));
    tcase_add_test(tc, too_many_headers_and_too_long_a_head);
    tcase_add_test(tc, headers_by_name_any_case);
    tcase_add_test(tc, zstd_both_ways);
    tcase_add_test(tc, reply_decode_undoes_zstd);
    tcase_add_test(tc, request_head_bytes);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(siftc_http_suite());
}
