/*
 * test_proto_http_response.c - the HTTP response parser: status lines,
 * headers, the three ways a body is framed, interim responses, HEAD, the
 * limits and broken responses; every case fed whole, split in two at
 * every byte, and byte by byte, with the same result.
 */
#include "proto/proto_http_response.h"

#include <string.h>

#include "../unit.h"

static const struct http_limits lim = { 1000, 200, 8 };

static const struct {
    const char *in;
    bool head; /* a reply to HEAD */
    bool eof;  /* the server closes after in */
    int status;
    const char *body; /* NULL: an error is expected */
    const char *ctype;
} cases[] = {
    { "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", false,
      false, 200, "{}", "application/json" },
    /* siftd's and rspamd's shape: Connection: close with a length */
    { "HTTP/1.1 200 OK\r\nConnection: close\r\nServer: sift/0.1\r\nContent-Length: 6\r\n"
      "Content-Type: text/plain\r\n\r\npong\r\n",
      false, false, 200, "pong\r\n", "text/plain" },
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3;ext=1\r\nefg\r\n0\r\n"
      "X-Trailer: t\r\n\r\n",
      false, false, 200, "abcdefg", NULL },
    /* no framing: the body runs to the close */
    { "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", false, true, 200,
      "until the end", "text/plain" },
    { "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 500 invalid command\r\nContent-Length: 3\r\n\r\n"
      "err",
      false, false, 500, "err", NULL },
    { "HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n", false, false, 204, "", NULL },
    { "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", true, false, 200, "", NULL },
    { "HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n", false, false, 503, "", NULL },
    { "\r\nHTTP/1.1 200 OK\nContent-Length: 1\n\nx", false, false, 200, "x", NULL },
    /* broken */
    { "SPAMD/1.5 0 EX_OK\r\n\r\n", false, false, 0, NULL, NULL },
    { "HTTP/1.1 20 OK\r\n\r\n", false, false, 0, NULL, NULL },
    { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc", false, false, 0, NULL,
      NULL },
    { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n", false, false, 0,
      NULL, NULL },
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", false, false, 0, NULL, NULL },
    { "HTTP/1.1 200 OK\r\nContent-Length: 1001\r\n\r\n", false, false, 0, NULL, NULL },
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3e9\r\n", false, false, 0, NULL, NULL },
    { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc", false, true, 0, NULL, NULL },
    { "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", false, false, 0, NULL, NULL },
    { "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\nF: 6\r\nG: 7\r\nH: 8\r\n"
      "I: 9\r\n\r\n",
      false, false, 0, NULL, NULL },
    { "", false, true, 0, NULL, NULL },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* Feed in[0..len) in pieces of at most `step` bytes (0: all at once),
 * keeping what the parser left as a worker does. */
static enum proto_status
feed(struct http_response_parser *rp, const char *in, size_t len, size_t step, bool eof)
{
    struct buf pend;
    enum proto_status st = PROTO_MORE;
    size_t off = 0, used;

    buf_init(&pend);
    while (off < len && st == PROTO_MORE) {
        size_t n = step == 0 || step > len - off ? len - off : step;

        buf_append(&pend, in + off, n);
        off += n;
        st = http_response_feed(rp, pend.p, pend.len, &used);
        ck_assert_uint_le(used, pend.len);
        buf_consume(&pend, used);
    }
    if (st == PROTO_MORE && eof)
        st = http_response_eof(rp);
    buf_clear(&pend);
    return st;
}

static void
check_case(size_t i, enum proto_status st, const struct http_response_parser *rp)
{
    const struct strv *ct;

    if (cases[i].body == NULL) {
        ck_assert_msg(st == PROTO_ERROR, "case %zu: %d", i, (int)st);
        ck_assert(rp->err[0] != '\0');
        return;
    }
    ck_assert_msg(st == PROTO_DONE, "case %zu: %d %s", i, (int)st, rp->err);
    ck_assert_int_eq(rp->resp.status, cases[i].status);
    ck_assert_uint_eq(rp->resp.body.len, strlen(cases[i].body));
    if (rp->resp.body.len > 0)
        ck_assert_mem_eq(rp->resp.body.p, cases[i].body, rp->resp.body.len);
    ct = http_response_header(&rp->resp, "content-type");
    if (cases[i].ctype == NULL) {
        ck_assert_ptr_null(ct);
    } else {
        ck_assert_ptr_nonnull(ct);
        ck_assert(strv_eq(*ct, cases[i].ctype));
    }
}

START_TEST(response_whole)
{
    struct http_response_parser rp;

    http_response_init(&rp, &lim, cases[_i].head);
    check_case((size_t)_i, feed(&rp, cases[_i].in, strlen(cases[_i].in), 0, cases[_i].eof), &rp);
    http_response_clear(&rp);
}
END_TEST

START_TEST(response_split_in_two)
{
    size_t len = strlen(cases[_i].in);

    for (size_t cut = 1; cut < len; cut++) {
        struct http_response_parser rp;
        enum proto_status st;
        size_t used, used2 = 0;
        struct buf rest;

        http_response_init(&rp, &lim, cases[_i].head);
        st = http_response_feed(&rp, cases[_i].in, cut, &used);
        if (st == PROTO_MORE) {
            buf_init(&rest);
            buf_append(&rest, cases[_i].in + used, len - used);
            st = http_response_feed(&rp, rest.p, rest.len, &used2);
            buf_clear(&rest);
            if (st == PROTO_MORE && cases[_i].eof)
                st = http_response_eof(&rp);
        }
        check_case((size_t)_i, st, &rp);
        http_response_clear(&rp);
    }
}
END_TEST

START_TEST(response_byte_by_byte)
{
    struct http_response_parser rp;

    http_response_init(&rp, &lim, cases[_i].head);
    check_case((size_t)_i, feed(&rp, cases[_i].in, strlen(cases[_i].in), 1, cases[_i].eof), &rp);
    http_response_clear(&rp);
}
END_TEST

START_TEST(reason_and_keep_alive)
{
    static const char in[] = "HTTP/1.1 500 invalid command\r\nConnection: close\r\n"
                             "Content-Length: 0\r\n\r\nHTTP/1.1 trailing bytes";
    struct http_response_parser rp;
    size_t used;

    http_response_init(&rp, &lim, false);
    ck_assert_int_eq(http_response_feed(&rp, in, sizeof(in) - 1, &used), PROTO_DONE);
    ck_assert_uint_eq(used, strlen("HTTP/1.1 500 invalid command\r\nConnection: close\r\n"
                                   "Content-Length: 0\r\n\r\n"));
    ck_assert(strv_eq(rp.resp.reason, "invalid command"));
    ck_assert(!rp.resp.keep_alive);
    ck_assert_int_eq(http_response_eof(&rp), PROTO_DONE); /* done stays done */
    http_response_clear(&rp);
    http_response_clear(&rp);
}
END_TEST

START_TEST(hop_by_hop_names)
{
    ck_assert(http_hop_by_hop(STRV_LIT("connection")));
    ck_assert(http_hop_by_hop(STRV_LIT("Transfer-Encoding")));
    ck_assert(http_hop_by_hop(STRV_LIT("content-length")));
    ck_assert(!http_hop_by_hop(STRV_LIT("Content-Type")));
    ck_assert(!http_hop_by_hop(STRV_LIT("Compression")));
}
END_TEST

static Suite *
proto_http_response_suite(void)
{
    Suite *s = suite_create("proto_http_response");
    TCase *tc = tcase_create("parse");

    tcase_add_loop_test(tc, response_whole, 0, (int)NCASES);
    tcase_add_loop_test(tc, response_split_in_two, 0, (int)NCASES);
    tcase_add_loop_test(tc, response_byte_by_byte, 0, (int)NCASES);
    tcase_add_test(tc, reason_and_keep_alive);
    tcase_add_test(tc, hop_by_hop_names);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(proto_http_response_suite());
}
