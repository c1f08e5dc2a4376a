/*
 * test_mime_hdr.c - header fields: look-ups by name, decoded and raw
 * values, get_header and get_all_headers. Every expected value came from
 * SpamAssassin 4.0.1 (Message::Node->header($name, $raw), then
 * header($name), get_header($name, 1) and get_all_headers($raw)) run on
 * the same names and raw values.
 */
#include "mime/mime_hdr.h"

#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "mime/mime_charset.h"

#include "../unit.h"

/* One field set on a fresh node: its decoded value (header()) and the raw
 * value squeezed (get_header(name, 1)). From SpamAssassin 4.0.1. */
static const struct {
    const char *name, *raw, *decoded, *squeezed;
} value_cases[] = {
    { "Subject", " plain\n", "plain", " plain\n" },
    /* folds unfolded, the tab after a fold a space */
    { "Subject", " folded\n\tline\n  two\n", "folded line two", " folded line two\n" },
    /* trimmed in header(), untouched in the raw value */
    { "Subject", "   lead and trail  \t\n", "lead and trail", "   lead and trail  \t\n" },
    /* 8-bit: UTF-8 kept, else Windows-1252 */
    { "Subject", " caf\xc3\xa9 utf8\n", "caf\xc3\xa9 utf8", " caf\xc3\xa9 utf8\n" },
    { "Subject", " caf\xe9 latin1\n", "caf\xc3\xa9 latin1", " caf\xe9 latin1\n" },
    { "Subject", " \x93smart\x94\n", "\xe2\x80\x9csmart\xe2\x80\x9d", " \x93smart\x94\n" },
    { "Subject",
      " a\x81"
      "b\n",
      "a\xef\xbf\xbd"
      "b",
      " a\x81"
      "b\n" },
    { "Subject", " \xff\xfe x\n", "\xc3\xbf\xc3\xbe x", " \xff\xfe x\n" },
    { "Subject", " \xc3(\n", "\xc3\x83(", " \xc3(\n" },
    /* 8-bit text made UTF-8 first, then the words decoded */
    { "X-Mixed", " =?UTF-8?B?w6k=?=\xe9\n", "\xc3\xa9\xc3\xa9", " =?UTF-8?B?w6k=?=\xe9\n" },
    /* RFC 2047: B and Q */
    { "Subject", " =?UTF-8?B?w6k=?=\n", "\xc3\xa9", " =?UTF-8?B?w6k=?=\n" },
    { "Subject", " =?iso-8859-1?Q?caf=E9_au_lait?=\n", "caf\xc3\xa9 au lait",
      " =?iso-8859-1?Q?caf=E9_au_lait?=\n" },
    { "Subject", " =?utf-8?q?a_b?=\n", "a b", " =?utf-8?q?a_b?=\n" },
    { "Subject", " =?UTF-8?B?w6k?=\n", "\xc3\xa9", " =?UTF-8?B?w6k?=\n" },
    /* adjacent words joined, also across a fold; not across text */
    { "Subject", " =?UTF-8?Q?a?= =?UTF-8?Q?b?=\n", "ab", " =?UTF-8?Q?a?= =?UTF-8?Q?b?=\n" },
    { "Subject", " =?UTF-8?Q?a?=\n\t=?UTF-8?Q?b?= c\n", "ab c",
      " =?UTF-8?Q?a?= =?UTF-8?Q?b?= c\n" },
    { "Subject", " =?UTF-8?Q?a?= x =?UTF-8?Q?b?=\n", "a x b", " =?UTF-8?Q?a?= x =?UTF-8?Q?b?=\n" },
    { "Subject", " =?UTF-8?B?w6k=?=  \n\t  =?UTF-8?B?w6k=?=\n", "\xc3\xa9\xc3\xa9",
      " =?UTF-8?B?w6k=?=   =?UTF-8?B?w6k=?=\n" },
    { "Subject", " =?UTF-8?Q?a?==?UTF-8?Q?b?=\n", "ab", " =?UTF-8?Q?a?==?UTF-8?Q?b?=\n" },
    { "Subject", " =?UTF-8?Q?\?=x\n", "x", " =?UTF-8?Q?\?=x\n" },
    { "Subject", " =?\?Q?a?=\n", "=?\?Q?a?=", " =?\?Q?a?=\n" },
    /* a character split across two words survives; a broken one does not */
    { "Subject", " =?UTF-8?Q?=C3?= =?UTF-8?Q?=A9?=\n", "\xc3\xa9",
      " =?UTF-8?Q?=C3?= =?UTF-8?Q?=A9?=\n" },
    { "Subject", " =?UTF-8?B?w6g=?= =?UTF-8?B?qQ==?=\n", "\xc3\xa8\xef\xbf\xbd",
      " =?UTF-8?B?w6g=?= =?UTF-8?B?qQ==?=\n" },
    /* two charsets next to each other */
    { "Subject", " =?utf-8?b?5pel?= =?iso-8859-1?q?=E9?=\n", "\xe6\x97\xa5\xc3\xa9",
      " =?utf-8?b?5pel?= =?iso-8859-1?q?=E9?=\n" },
    { "Subject", " =?gb2312?B?xOO6ww==?=\n", "\xe4\xbd\xa0\xe5\xa5\xbd",
      " =?gb2312?B?xOO6ww==?=\n" },
    /* unknown charset: Windows-1252 guess */
    { "Subject", " =?x-unknown?Q?caf=E9?=\n", "caf\xc3\xa9", " =?x-unknown?Q?caf=E9?=\n" },
    /* RFC 2231 language suffix */
    { "Subject", " =?US-ASCII*EN?Q?Keith_Moore?=\n", "Keith Moore",
      " =?US-ASCII*EN?Q?Keith_Moore?=\n" },
    { "Subject", " =?iso-8859-1*fr?Q?=E9t=E9?=\n", "\xc3\xa9t\xc3\xa9",
      " =?iso-8859-1*fr?Q?=E9t=E9?=\n" },
    /* not encoded words */
    { "Subject", " =?UTF-8?X?abc?=\n", "=?UTF-8?X?abc?=", " =?UTF-8?X?abc?=\n" },
    { "Subject", " =?UTF-8?Q?unterminated\n", "=?UTF-8?Q?unterminated",
      " =?UTF-8?Q?unterminated\n" },
    /* a word inside a word is decoded */
    { "Subject", " a=?UTF-8?Q?b?=c\n", "abc", " a=?UTF-8?Q?b?=c\n" },
    /* 8-bit text and a word together */
    { "Subject", " caf\xc3\xa9 =?UTF-8?B?w6k=?=\n", "caf\xc3\xa9 \xc3\xa9",
      " caf\xc3\xa9 =?UTF-8?B?w6k=?=\n" },
    { "Subject", " \xe9 =?UTF-8?B?w6k=?=\n", "\xc3\xa9 \xc3\xa9", " \xe9 =?UTF-8?B?w6k=?=\n" },
    { "From", " \"=?UTF-8?Q?J=C3=B6rg?=\" <j@x.de>\n", "\"J\xc3\xb6rg\" <j@x.de>",
      " \"=?UTF-8?Q?J=C3=B6rg?=\" <j@x.de>\n" },
    /* the headers SA leaves encoded (any case), and some it does not */
    { "Received", " from =?UTF-8?B?w6k=?= by x\n", "from =?UTF-8?B?w6k=?= by x",
      " from =?UTF-8?B?w6k=?= by x\n" },
    { "Message-ID", " <=?UTF-8?B?w6k=?=>\n", "<=?UTF-8?B?w6k=?=>", " <=?UTF-8?B?w6k=?=>\n" },
    { "Resent-Message-ID", " =?UTF-8?B?w6k=?=\n", "=?UTF-8?B?w6k=?=", " =?UTF-8?B?w6k=?=\n" },
    { "Date", " =?UTF-8?B?w6k=?=\n", "=?UTF-8?B?w6k=?=", " =?UTF-8?B?w6k=?=\n" },
    { "Resent-Date", " =?UTF-8?B?w6k=?=\n", "=?UTF-8?B?w6k=?=", " =?UTF-8?B?w6k=?=\n" },
    { "MIME-Version", " =?UTF-8?B?w6k=?=\n", "=?UTF-8?B?w6k=?=", " =?UTF-8?B?w6k=?=\n" },
    { "References", " =?UTF-8?B?w6k=?=\n", "=?UTF-8?B?w6k=?=", " =?UTF-8?B?w6k=?=\n" },
    { "In-Reply-To", " =?UTF-8?B?w6k=?=\n", "=?UTF-8?B?w6k=?=", " =?UTF-8?B?w6k=?=\n" },
    { "List-Id", " =?UTF-8?B?w6k=?=\n", "=?UTF-8?B?w6k=?=", " =?UTF-8?B?w6k=?=\n" },
    { "list-unsubscribe", " =?UTF-8?B?w6k=?=\n", "=?UTF-8?B?w6k=?=", " =?UTF-8?B?w6k=?=\n" },
    { "X-List", " =?UTF-8?B?w6k=?=\n", "\xc3\xa9", " =?UTF-8?B?w6k=?=\n" },
    { "Content-Type", " =?UTF-8?B?w6k=?=\n", "\xc3\xa9", " =?UTF-8?B?w6k=?=\n" },
    /* CR kept in header() when not squashed; folds squeezed in the raw value */
    { "Subject", " cr\r\n\tlf\r\n", "cr\r lf", " cr lf\r\n" },
    { "Subject", " a\n \n b\n", "a  b", " a b\n" },
    { "Subject", "\n", "", "\n" },
    { "Subject", "", "", "" },
};

START_TEST(values_decoded_and_raw_as_spamassassin)
{
    struct arena *a = arena_new(4096);
    struct mime_charset *cs = mime_charset_new();
    struct mime_headers h = { 0 };
    const struct mime_header *f;
    struct strv v;

    f = mime_hdr_add(a, cs, &h, strv_cstr(value_cases[_i].name), strv_cstr(value_cases[_i].raw));
    ck_assert_uint_eq(f->value.len, strlen(value_cases[_i].decoded));
    ck_assert_mem_eq(f->value.p, value_cases[_i].decoded, f->value.len);
    ck_assert_uint_eq(f->raw.len, strlen(value_cases[_i].raw));
    ck_assert_mem_eq(f->raw.p, value_cases[_i].raw, f->raw.len);
    /* get_header(name): decoded + "\n" */
    v = mime_hdr_get_value(a, f, false);
    ck_assert_uint_eq(v.len, strlen(value_cases[_i].decoded) + 1);
    ck_assert_mem_eq(v.p, value_cases[_i].decoded, v.len - 1);
    ck_assert_int_eq(v.p[v.len - 1], '\n');
    /* get_header(name, 1) */
    v = mime_hdr_get_value(a, f, true);
    ck_assert_uint_eq(v.len, strlen(value_cases[_i].squeezed));
    ck_assert_mem_eq(v.p, value_cases[_i].squeezed, v.len);
    mime_charset_free(&cs);
    arena_free(&a);
}
END_TEST

/* Encoded words whose bytes SA's _normalize($data, $charset, 0, 1) hands
 * back oddly (SpamAssassin 4.0.1, Encode 3.17): a UTF-16 word decodes
 * fine but, since octets were asked for, SA returns the UTF-16 bytes
 * themselves (a BOM sends it to Windows-1252 instead); Encode's UTF-8
 * decoder turns a stray byte and the 3-byte character right after it into
 * one U+FFFD. Lengths given: the values hold NULs. */
static const struct {
    const char *raw, *decoded;
    size_t decoded_len;
} odd_word_cases[] = {
    { " =?utf-16?B?AGgAaQ==?=\n", "\x00h\x00i", 4 },
    { " =?utf-16be?B?AGgA6Q==?=\n", "\x00h\x00\xe9", 4 },
    { " =?UTF-16LE?B?aABpAA==?=\n", "h\x00i\x00", 4 },
    { " x =?utf-16?B?AGgAaQ==?= y\n", "x \x00h\x00i y", 8 },
    { " =?utf-16?B?/v8AaABp?=\n", "\xc3\xbe\xc3\xbf\x00h\x00i", 8 },
    { " =?UTF-8?Q?=A9?=\n =?UTF-8?B?4oKs?=\n", "\xef\xbf\xbd", 3 },
    { " =?UTF-8?Q?=FF=E2=82=AC_x?=\n", "\xef\xbf\xbd x", 5 },
    { " =?UTF-8?Q?=A9?= =?UTF-8?Q?=C3=A9?=\n", "\xef\xbf\xbd\xc3\xa9", 5 },
};

START_TEST(odd_words_as_spamassassin)
{
    struct arena *a = arena_new(4096);
    struct mime_charset *cs = mime_charset_new();
    struct mime_headers h = { 0 };
    const struct mime_header *f;

    f = mime_hdr_add(a, cs, &h, STRV_LIT("Subject"), strv_cstr(odd_word_cases[_i].raw));
    ck_assert_uint_eq(f->value.len, odd_word_cases[_i].decoded_len);
    ck_assert_mem_eq(f->value.p, odd_word_cases[_i].decoded, f->value.len);
    mime_charset_free(&cs);
    arena_free(&a);
}
END_TEST

/* mime_hdr_decode alone (Node::_decode_header): folds, 8-bit, RFC 2047 */
static const struct {
    const char *name, *body, *want;
} decode_cases[] = {
    { "Subject", "=?UTF-8?B?w6k=?=", "\xc3\xa9" },
    { "Subject", "a\n\tb", "a b" },
    { "Subject", "a\r\nb", "ab" },
    { "Subject", "=?UTF-8?Q?a?=\n =?UTF-8?Q?b?=", "ab" },
    { "Date", "=?UTF-8?B?w6k=?=", "=?UTF-8?B?w6k=?=" },
    { "Subject", "\xe9t\xe9", "\xc3\xa9t\xc3\xa9" },
};

START_TEST(decode_alone_as_spamassassin)
{
    struct arena *a = arena_new(4096);
    struct mime_charset *cs = mime_charset_new();
    struct strv v =
        mime_hdr_decode(a, cs, strv_cstr(decode_cases[_i].body), strv_cstr(decode_cases[_i].name));

    ck_assert_uint_eq(v.len, strlen(decode_cases[_i].want));
    ck_assert_mem_eq(v.p, decode_cases[_i].want, v.len);
    mime_charset_free(&cs);
    arena_free(&a);
}
END_TEST

static void
add(struct arena *a, struct mime_charset *cs, struct mime_headers *h, const char *name,
    const char *raw)
{
    mime_hdr_add(a, cs, h, strv_cstr(name), strv_cstr(raw));
}

START_TEST(lookups_are_case_insensitive_and_ordered)
{
    struct arena *a = arena_new(4096);
    struct mime_charset *cs = mime_charset_new();
    struct mime_headers h = { 0 };
    const struct mime_header *f;

    add(a, cs, &h, "Received", " one\n");
    add(a, cs, &h, "Subject", " s\n");
    add(a, cs, &h, "received", " two\n");
    add(a, cs, &h, "RECEIVED", " three\n");
    add(a, cs, &h, "Received-SPF", " spf\n");
    ck_assert_uint_eq(h.n, 5);

    f = mime_hdr_find(&h, STRV_LIT("ReCeIvEd"));
    ck_assert_ptr_nonnull(f);
    ck_assert_mem_eq(f->value.p, "one", 3);
    f = mime_hdr_find_next(f);
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(f->value.len, 3);
    ck_assert_mem_eq(f->value.p, "two", 3);
    ck_assert_mem_eq(f->name.p, "received", 8); /* the name as written */
    f = mime_hdr_find_next(f);
    ck_assert_ptr_nonnull(f);
    ck_assert_mem_eq(f->value.p, "three", 5);
    ck_assert_ptr_null(mime_hdr_find_next(f));

    f = mime_hdr_last(&h, STRV_LIT("received"));
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(f->value.len, 5);
    ck_assert_mem_eq(f->value.p, "three", 5);
    ck_assert_uint_eq(mime_hdr_count(&h, STRV_LIT("Received")), 3);
    ck_assert_uint_eq(mime_hdr_count(&h, STRV_LIT("received-spf")), 1);
    ck_assert_uint_eq(mime_hdr_count(&h, STRV_LIT("Receive")), 0);
    ck_assert_uint_eq(mime_hdr_count(&h, STRV_LIT("X-None")), 0);
    ck_assert_ptr_null(mime_hdr_find(&h, STRV_LIT("Receive")));
    ck_assert_ptr_null(mime_hdr_last(&h, STRV_LIT("X-None")));
    ck_assert_uint_eq(mime_hdr_hash(STRV_LIT("SUBJECT")), mime_hdr_hash(STRV_LIT("subject")));
    mime_charset_free(&cs);
    arena_free(&a);
}
END_TEST

START_TEST(empty_block_finds_nothing)
{
    struct mime_headers h = { 0 };
    struct arena *a = arena_new(4096);
    struct buf b;
    bool truncated = true;

    ck_assert_ptr_null(mime_hdr_find(&h, STRV_LIT("Subject")));
    ck_assert_ptr_null(mime_hdr_last(&h, STRV_LIT("Subject")));
    ck_assert_uint_eq(mime_hdr_count(&h, STRV_LIT("Subject")), 0);
    buf_init(&b);
    mime_hdr_all(&h, false, a, &b, &truncated);
    ck_assert_uint_eq(b.len, 0);
    ck_assert(!truncated);
    buf_clear(&b);
    arena_free(&a);
}
END_TEST

/* get_all_headers(0) and (1) of these fields, from SpamAssassin 4.0.1 */
START_TEST(all_headers_in_order_decoded_and_raw)
{
    struct arena *a = arena_new(4096);
    struct mime_charset *cs = mime_charset_new();
    struct mime_headers h = { 0 };
    struct buf b;
    bool truncated = true;
    static const char want_dec[] = "Subject: \xc3\xa9\nreceived: from a by b\nX-Two: 1\n"
                                   "Received: from c\r by d\nx-two: 2\nEmpty: \n";
    static const char want_raw[] = "Subject:  =?UTF-8?B?w6k=?=\nreceived:  from a by b\n"
                                   "X-Two:  1\nReceived:  from c by d\nx-two:   2  \nEmpty: \n";

    add(a, cs, &h, "Subject", " =?UTF-8?B?w6k=?=\n");
    add(a, cs, &h, "received", " from a\n\tby b\n");
    add(a, cs, &h, "X-Two", " 1\n");
    add(a, cs, &h, "Received", " from c\r\n by d\n");
    add(a, cs, &h, "x-two", "  2  \n");
    add(a, cs, &h, "Empty", "\n");
    buf_init(&b);
    mime_hdr_all(&h, false, a, &b, &truncated);
    ck_assert_uint_eq(b.len, sizeof(want_dec) - 1);
    ck_assert_mem_eq(b.p, want_dec, b.len);
    ck_assert(!truncated);
    buf_reset(&b);
    truncated = true;
    mime_hdr_all(&h, true, a, &b, &truncated);
    ck_assert_uint_eq(b.len, sizeof(want_raw) - 1);
    ck_assert_mem_eq(b.p, want_raw, b.len);
    ck_assert(!truncated);
    buf_clear(&b);
    mime_charset_free(&cs);
    arena_free(&a);
}
END_TEST

/* X-A small, 8 X-B of 8000 bytes, X-A of 8000 bytes, X-C: SA sums sizes
 * name group by name group (X-A's first), so the second X-A stays and the
 * 8th X-B and X-C go. SpamAssassin 4.0.1: 9 lines, 64059 bytes decoded,
 * 64068 raw, truncated_header set. */
START_TEST(all_headers_truncated_in_name_group_order)
{
    struct arena *a = arena_new(4096);
    struct mime_charset *cs = mime_charset_new();
    struct mime_headers h = { 0 };
    struct buf b, want;
    bool truncated = false;
    char big_a[8003], big_b[8003];

    big_a[0] = big_b[0] = ' ';
    memset(big_a + 1, 'a', 8000);
    memset(big_b + 1, 'b', 8000);
    big_a[8001] = big_b[8001] = '\n';
    big_a[8002] = big_b[8002] = '\0';
    add(a, cs, &h, "X-A", " small\n");
    for (int i = 0; i < 8; i++)
        add(a, cs, &h, "X-B", big_b);
    add(a, cs, &h, "X-A", big_a);
    add(a, cs, &h, "X-C", " c\n");

    buf_init(&want);
    buf_puts(&want, "X-A: small\n");
    for (int i = 0; i < 7; i++) {
        buf_puts(&want, "X-B: ");
        buf_append(&want, big_b + 1, 8001);
    }
    buf_puts(&want, "X-A: ");
    buf_append(&want, big_a + 1, 8001);
    ck_assert_uint_eq(want.len, 64059);

    buf_init(&b);
    mime_hdr_all(&h, false, a, &b, &truncated);
    ck_assert(truncated);
    ck_assert_uint_eq(b.len, want.len);
    ck_assert_mem_eq(b.p, want.p, b.len);

    buf_reset(&b);
    truncated = false;
    mime_hdr_all(&h, true, a, &b, &truncated);
    ck_assert(truncated);
    ck_assert_uint_eq(b.len, 64068);
    ck_assert_mem_eq(b.p, "X-A:  small\nX-B:  bbb", 21);
    ck_assert_mem_eq(b.p + b.len - 8007, "X-A:  aaa", 9);
    buf_clear(&want);
    buf_clear(&b);
    mime_charset_free(&cs);
    arena_free(&a);
}
END_TEST

START_TEST(all_headers_at_limit_not_truncated)
{
    /* exactly 65536 bytes of name + value + 2 is kept whole (SA: > limit) */
    struct arena *a = arena_new(4096);
    struct mime_charset *cs = mime_charset_new();
    struct mime_headers h = { 0 };
    struct buf b;
    bool truncated = true;
    size_t vlen = MIME_HDR_MAX_TOTAL - 1 - 2 - 1; /* "X" + ": " + value + "\n" */
    char *raw = arena_alloc(a, vlen + 3);

    raw[0] = ' ';
    memset(raw + 1, 'v', vlen);
    raw[vlen + 1] = '\n';
    raw[vlen + 2] = '\0';
    add(a, cs, &h, "X", raw);
    buf_init(&b);
    mime_hdr_all(&h, false, a, &b, &truncated);
    ck_assert(!truncated);
    ck_assert_uint_eq(b.len, MIME_HDR_MAX_TOTAL);
    add(a, cs, &h, "Y", " y\n");
    buf_reset(&b);
    mime_hdr_all(&h, false, a, &b, &truncated);
    ck_assert(truncated);
    ck_assert_uint_eq(b.len, MIME_HDR_MAX_TOTAL);
    buf_clear(&b);
    mime_charset_free(&cs);
    arena_free(&a);
}
END_TEST

static Suite *
mime_hdr_suite(void)
{
    Suite *s = suite_create("mime_hdr");
    TCase *tc = tcase_create("mime_hdr");

    tcase_add_loop_test(tc, values_decoded_and_raw_as_spamassassin, 0,
                        sizeof(value_cases) / sizeof(value_cases[0]));
    tcase_add_loop_test(tc, odd_words_as_spamassassin, 0,
                        sizeof(odd_word_cases) / sizeof(odd_word_cases[0]));
    tcase_add_loop_test(tc, decode_alone_as_spamassassin, 0,
                        sizeof(decode_cases) / sizeof(decode_cases[0]));
    tcase_add_test(tc, lookups_are_case_insensitive_and_ordered);
    tcase_add_test(tc, empty_block_finds_nothing);
    tcase_add_test(tc, all_headers_in_order_decoded_and_raw);
    tcase_add_test(tc, all_headers_truncated_in_name_group_order);
    tcase_add_test(tc, all_headers_at_limit_not_truncated);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(mime_hdr_suite());
}
