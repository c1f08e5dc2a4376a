/*
 * test_mime_views.c - what rules read from a parsed message: each part's
 * transfer decoding and rendering, the body, rawbody and invisible views,
 * the line splitting and the HTML results. The expected values came from
 * SpamAssassin 4.0.1 run on the same messages: Message::Node::decode and
 * rendered, PerMsgStatus::get_decoded_stripped_body_text_array and
 * get_decoded_body_text_array, Message::get_invisible_rendered_body_text_array,
 * split_into_array_of_short_lines/_paragraphs, and html_all.
 */
#include "mime/mime_views.h"

#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/cfg_keys.h"
#include "core/err.h"
#include "mime/mime_ctx.h"

#include "../unit.h"

/* the suffix list, relative to the repository root where `make check` runs */
#include "../mime_fixture.h"

static struct mime_msg *
parse(struct arena *a, const char *raw, size_t len)
{
    return mime_msg_parse(&ctx, a, raw, len);
}

/* The view holds exactly the lines of want (NULL-terminated). */
static void
check_view(const char *label, const char *what, const struct mime_view *v, const char *const *want)
{
    size_t n = 0;

    while (want[n] != NULL)
        n++;
    ck_assert_msg(v->n == n, "%s: %s: %zu lines, want %zu", label, what, v->n, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(v->lines[i].len == strlen(want[i]) &&
                          memcmp(v->lines[i].p, want[i], v->lines[i].len) == 0,
                      "%s: %s line %zu: got '%.*s', want '%s'", label, what, i,
                      (int)v->lines[i].len, v->lines[i].p, want[i]);
    }
}

/* The first leaf of each message: Node::decode() (bytes and length) and
 * Node::rendered() (type, text, Perl's UTF-8 flag on the text). */
static const struct {
    const char *label, *raw;
    const char *decoded;
    size_t decoded_len;
    const char *rendered_type, *rendered;
    bool flagged;
} part_cases[] = {
    { "qp_text_crlf",
      "From: a\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "Content-Transfer-Encoding: quoted-printable\n\n"
      "caf=C3=A9 =\n"
      "soft\r\n"
      "line=0D=0A x\n",
      "caf\xc3\xa9 soft\nline\n x\n", 19, "text/plain", "caf\xc3\xa9 soft\nline\n x\n", true },
    { "qp_binary_crlf",
      "From: a\n"
      "Content-Type: application/octet-stream\n"
      "Content-Transfer-Encoding: Quoted-Printable\n\n"
      "a=0D=0Ab\n",
      "a\nb\n", 4, NULL, NULL, false },
    { "b64_text_crlf",
      "From: a\n"
      "Content-Type: text/plain\n"
      "Content-Transfer-Encoding: base64\n\n"
      "bGluZTENCmxpbmUyDQo=\n",
      "line1\nline2\n", 12, "text/plain", "line1\nline2\n", false },
    { "b64_binary_crlf_kept",
      "From: a\n"
      "Content-Type: application/octet-stream\n"
      "Content-Transfer-Encoding: BASE64\n\n"
      "bGluZTENCmxpbmUyDQo=\n",
      "line1\r\nline2\r\n", 14, NULL, NULL, false },
    { "b64_message_crlf",
      "From: a\n"
      "Content-Type: message/delivery-status\n"
      "Content-Transfer-Encoding: base64\n\n"
      "bGluZTENCmxpbmUyDQo=\n",
      "line1\nline2\n", 12, NULL, NULL, false },
    { "eightbit_raw",
      "From: a\n"
      "Content-Type: text/plain\n"
      "Content-Transfer-Encoding: 8bit\n\n"
      "raw=41 \xe9\n",
      "raw=41 \xe9\n", 9, "text/plain", "raw=41 \xc3\xa9\n", true },
    { "uuencode_raw",
      "From: a\n"
      "Content-Type: text/plain\n"
      "Content-Transfer-Encoding: x-uuencode\n\n"
      "begin 644 a\n"
      "#86)C\n"
      "`\n"
      "end\n",
      "begin 644 a\n#86)C\n`\nend\n", 24, "text/plain", "begin 644 a\n#86)C\n`\nend\n", false },
    { "plain_ascii",
      "From: a\n\n"
      "hello\n",
      "hello\n", 6, "text/plain", "hello\n", false },
    { "plain_latin1",
      "From: a\n"
      "Content-Type: text/plain; charset=iso-8859-1\n\n"
      "caf\xe9\n",
      "caf\xe9\n", 5, "text/plain", "caf\xc3\xa9\n", true },
    { "plain_undeclared_8bit",
      "From: a\n"
      "Content-Type: text/plain\n\n"
      "caf\xe9 \x93q\x94\n",
      "caf\xe9 \x93q\x94\n", 9, "text/plain", "caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d\n", true },
    { "plain_koi8r",
      "From: a\n"
      "Content-Type: text/plain; charset=koi8-r\n\n"
      "\xf0\xd2\xc9\xd7\xc5\xd4\n",
      "\xf0\xd2\xc9\xd7\xc5\xd4\n", 7, "text/plain",
      "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\n", true },
    { "html",
      "From: a\n"
      "Content-Type: text/html\n\n"
      "<html><body><p>a &amp; b</p><p>c</p></body></html>\n",
      "<html><body><p>a &amp; b</p><p>c</p></body></html>\n", 51, "text/html",
      "\n\na & b\n\n\n\nc\n\n", false },
    { "html_latin1",
      "From: a\n"
      "Content-Type: text/html; charset=iso-8859-1\n\n"
      "<p>caf\xe9</p>\n",
      "<p>caf\xe9</p>\n", 12, "text/html", "\n\ncaf\xc3\xa9\n\n", true },
    { "html_empty",
      "From: a\n"
      "Content-Type: text/html\n\n",
      "", 0, "text/html", "", false },
    { "html_by_name",
      "From: a\n"
      "Content-Type: application/octet-stream; name=\"x.htm\"\n\n"
      "<b>bold</b> text\n",
      "<b>bold</b> text\n", 17, "text/html", "bold text ", false },
    { "image_not_rendered",
      "From: a\n"
      "Content-Type: image/gif\n\n"
      "GIF89a\n",
      "GIF89a\n", 7, NULL, NULL, false },
    { "calendar_not_rendered",
      "From: a\n"
      "Content-Type: text/calendar\n\n"
      "BEGIN:VCALENDAR\n",
      "BEGIN:VCALENDAR\n", 16, NULL, NULL, false },
    { "vcard_not_rendered",
      "From: a\n"
      "Content-Type: text/x-vcard\n\n"
      "BEGIN:VCARD\n",
      "BEGIN:VCARD\n", 12, NULL, NULL, false },
};

START_TEST(part_decoded_and_rendered_as_spamassassin)
{
    struct arena *a = arena_new(4096);
    struct mime_msg *m = parse(a, part_cases[_i].raw, strlen(part_cases[_i].raw));
    struct mime_part **leaves;
    struct strv d, r;
    const char *type;

    ck_assert_uint_eq(mime_msg_parts(m, true, &leaves), 1);
    d = mime_part_decoded(m, leaves[0]);
    ck_assert_uint_eq(d.len, part_cases[_i].decoded_len);
    ck_assert_mem_eq(d.p, part_cases[_i].decoded, d.len);
    type = mime_part_rendered(m, leaves[0], &r);
    if (part_cases[_i].rendered_type == NULL) {
        ck_assert_ptr_null(type);
    } else {
        ck_assert_ptr_nonnull(type);
        ck_assert_str_eq(type, part_cases[_i].rendered_type);
        ck_assert_uint_eq(r.len, strlen(part_cases[_i].rendered));
        ck_assert_mem_eq(r.p, part_cases[_i].rendered, r.len);
        ck_assert_int_eq(leaves[0]->rendered_flagged, part_cases[_i].flagged);
    }
    /* computed once: the same views again */
    ck_assert_ptr_eq(mime_part_decoded(m, leaves[0]).p, d.p);
    ck_assert_ptr_eq(mime_part_rendered(m, leaves[0], &r), type);
    arena_free(&a);
}
END_TEST

/* The body, rawbody and invisible views of each message. */
static const struct {
    const char *label, *raw;
    const char *body[8], *rawbody[8], *invisible[4];
} view_cases[] = {
    { "subject_first",
      "From: a\n"
      "Subject: Hello\n\n"
      "body line\n",
      { "Hello\n", "body line ", NULL },
      { "body line\n", NULL },
      { NULL } },
    { "no_subject_newline",
      "From: a\n\n"
      "body line\n",
      { "\n", "body line ", NULL },
      { "body line\n", NULL },
      { NULL } },
    { "encoded_subject",
      "From: a\n"
      "Subject: =?UTF-8?B?w6k=?= x\n\n"
      "body\n",
      { "\xc3\xa9 x\n", "body ", NULL },
      { "body\n", NULL },
      { NULL } },
    { "paragraphs_joined",
      "From: a\n"
      "Subject: s\n\n"
      "line1\n"
      "line2\n\n"
      "line3  \tx\n"
      " \n"
      "\t\n"
      "line4\n\n\n\n"
      "line5\n",
      { "s\n", "line1 line2\n", "line3 x\n", "line4\n", "line5 ", NULL },
      { "line1\nline2\n\nline3  \tx\n \n\t\nline4\n\n\n\nline5\n", NULL },
      { NULL } },
    { "two_parts_joined",
      "From: a\n"
      "Content-Type: multipart/alternative; boundary=B\n\n"
      "--B\n"
      "Content-Type: text/plain\n\n"
      "plain\n"
      "--B\n"
      "Content-Type: text/html\n\n"
      "<p>a &eacute; b</p>\n"
      "--B--\n",
      { "\n", "plain\n", "a \xe9 b\n", NULL },
      { "plain", "<p>a &eacute; b</p>", NULL },
      { NULL } },
    { "unicode_space_when_decoded",
      "From: a\n"
      "Content-Type: text/plain; charset=utf-8\n\n"
      "wide\xe3\x80\x80space and\xc2\xa0nbsp\n",
      { "\n", "wide space and nbsp ", NULL },
      { "wide\xe3\x80\x80space and\xc2\xa0nbsp\n", NULL },
      { NULL } },
    { "ascii_space_when_not_decoded",
      "From: a\n"
      "Content-Type: text/plain\n\n"
      "ascii only\x0bvt\n",
      { "\n", "ascii only vt ", NULL },
      { "ascii only\x0bvt\n", NULL },
      { NULL } },
    { "latin1_bytes_from_entity",
      "From: a\n"
      "Content-Type: text/html\n\n"
      "<p>x &nbsp; &eacute; y</p>\n",
      { "\n", "\n", "x \xe9 y\n", NULL },
      { "<p>x &nbsp; &eacute; y</p>\n", NULL },
      { NULL } },
    { "utf8_from_wide_entity",
      "From: a\n"
      "Content-Type: text/html\n\n"
      "<p>&#8364; &eacute; euro</p>\n",
      { "\n", "\n", "\xe2\x82\xac \xc3\xa9 euro\n", NULL },
      { "<p>&#8364; &eacute; euro</p>\n", NULL },
      { NULL } },
    { "latin1_text_decoded",
      "From: a\n"
      "Content-Type: text/plain; charset=iso-8859-1\n\n"
      "caf\xe9 cr\xe8me\n",
      { "\n", "caf\xc3\xa9 cr\xc3\xa8me ", NULL },
      { "caf\xe9 cr\xe8me\n", NULL },
      { NULL } },
    { "html_hidden_text",
      "From: a\n"
      "Subject: h\n"
      "Content-Type: text/html\n\n"
      "<html><body><p>seen</p><p style=\"display:none\">hidden</p><font "
      "color=\"#ffffff\">white</font></body></html>\n",
      { "h\n", "\n", "seen\n", "hidden\n", "white ", NULL },
      { "<html><body><p>seen</p><p style=\"display:none\">hidden</p><font "
        "color=\"#ffffff\">white</font></body></html>\n",
        NULL },
      { "hiddenwhite", NULL } },
    { "image_skipped_text_kept",
      "From: a\n"
      "Content-Type: multipart/mixed; boundary=B\n\n"
      "--B\n"
      "Content-Type: image/png\n\n"
      "PNGDATA\n"
      "--B\n"
      "Content-Type: text/plain\n\n"
      "text part\n"
      "--B\n"
      "Content-Type: text/calendar\n\n"
      "BEGIN:VCALENDAR\n"
      "--B\n"
      "Content-Type: message/delivery-status\n\n"
      "Action: failed\n"
      "--B--\n",
      { "\n", "text part\n", NULL },
      { "text part", "Action: failed", NULL },
      { NULL } },
    { "html_named_part",
      "From: a\n"
      "Content-Type: multipart/mixed; boundary=B\n\n"
      "--B\n"
      "Content-Type: text/plain; name=a.html\n\n"
      "<b>bold</b>\n"
      "--B--\n",
      { "\n", "bold", NULL },
      { "<b>bold</b>", NULL },
      { NULL } },
    { "embedded_message",
      "From: a\n"
      "Subject: outer\n"
      "Content-Type: multipart/mixed; boundary=B\n\n"
      "--B\n"
      "Content-Type: text/plain\n\n"
      "outer text\n"
      "--B\n"
      "Content-Type: message/rfc822\n\n"
      "Subject: inner\n\n"
      "inner text\n"
      "--B--\n",
      { "outer\n", "outer text inner text", NULL },
      { "outer text", "inner text", NULL },
      { NULL } },
    { "empty_html_part",
      "From: a\n"
      "Content-Type: multipart/mixed; boundary=B\n\n"
      "--B\n"
      "Content-Type: text/html\n\n\n"
      "--B\n"
      "Content-Type: text/html\n\n"
      "<p>two</p>\n"
      "--B--\n",
      { "\n", "\n", "two\n", NULL },
      { "", "<p>two</p>", NULL },
      { NULL } },
    { "qp_body",
      "From: a\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "Content-Transfer-Encoding: quoted-printable\n\n"
      "caf=C3=A9 =\n"
      "soft\r\n"
      "line=0D=0A x\n",
      { "\n", "caf\xc3\xa9 soft line x ", NULL },
      { "caf\xc3\xa9 soft\nline\n x\n", NULL },
      { NULL } },
    { "empty_body",
      "From: a\n"
      "Subject: s\n\n",
      { "s\n", NULL },
      { "", NULL },
      { NULL } },
    { "crlf_body",
      "From: a\r\n"
      "Subject: s\r\n"
      "\r\n"
      "line1\r\n"
      "line2\r\n"
      "\r\n"
      "line3\r\n",
      { "s\n", "line1 line2\n", "line3 ", NULL },
      { "line1\nline2\n\nline3\n", NULL },
      { NULL } },
    { "leading_blank_lines",
      "From: a\n\n\n\n"
      "  first\n",
      { "\n", "\n", " first ", NULL },
      { "\n\n  first\n", NULL },
      { NULL } },
    { "nel_entity_bytes",
      "From: a\n"
      "Content-Type: text/html\n\n"
      "<p>a&#133;b &#160;c&#xa0; d</p>\n",
      { "\n", "\n",
        "a\x85"
        "b \xa0"
        "c\xa0 d\n",
        NULL },
      { "<p>a&#133;b &#160;c&#xa0; d</p>\n", NULL },
      { NULL } },
    { "nel_entity_flagged",
      "From: a\n"
      "Content-Type: text/html\n\n"
      "<p>a&#133;b &#160;c&#xa0; d &#8364;</p>\n",
      { "\n", "\n", "a b c d \xe2\x82\xac\n", NULL },
      { "<p>a&#133;b &#160;c&#xa0; d &#8364;</p>\n", NULL },
      { NULL } },
    { "html_utf8_declared",
      "From: a\n"
      "Content-Type: text/html; charset=utf-8\n\n"
      "<p>a&#133;b &#160;c</p>\n",
      { "\n", "\n",
        "a\x85"
        "b \xa0"
        "c\n",
        NULL },
      { "<p>a&#133;b &#160;c</p>\n", NULL },
      { NULL } },
    { "multipart_empty_body",
      "From: a\n"
      "Subject: s\n"
      "Content-Type: multipart/mixed; boundary=B\n\n",
      { NULL },
      { NULL },
      { NULL } },
    { "content_type_only_tspecials",
      "From: a\n"
      "Subject: s\n"
      "Content-Type: \"\"\n\n"
      "body\n",
      { NULL },
      { NULL },
      { NULL } },
    { "child_type_only_tspecials",
      "From: a\n"
      "Subject: s\n"
      "Content-Type: multipart/mixed; boundary=B\n\n"
      "--B\n"
      "Content-Type: @\n\n"
      "hidden\n"
      "--B\n"
      "Content-Type: text/plain\n\n"
      "shown\n"
      "--B--\n",
      { "s\n", "shown", NULL },
      { "shown", NULL },
      { NULL } },
    { "middle_type_only_tspecials",
      "From: a\n"
      "Subject: s\n"
      "Content-Type: multipart/mixed; boundary=B\n\n"
      "--B\n"
      "Content-Type: text/plain\n\n"
      "shown\n"
      "--B\n"
      "Content-Type: @\n\n"
      "hidden\n"
      "--B\n"
      "Content-Type: text/plain\n\n"
      "more\n"
      "--B--\n",
      { "s\n", "shown more", NULL },
      { "shown", "more", NULL },
      { NULL } },
};

START_TEST(views_as_spamassassin)
{
    struct arena *a = arena_new(4096);
    struct mime_msg *m = parse(a, view_cases[_i].raw, strlen(view_cases[_i].raw));
    const struct mime_view *body = mime_view_body(m);

    check_view(view_cases[_i].label, "body", body, view_cases[_i].body);
    check_view(view_cases[_i].label, "rawbody", mime_view_rawbody(m), view_cases[_i].rawbody);
    check_view(view_cases[_i].label, "invisible", mime_view_invisible(m), view_cases[_i].invisible);
    ck_assert_ptr_eq(mime_view_body(m), body); /* built once */
    arena_free(&a);
}
END_TEST

/* NUL bytes: newlines in the body view, kept in rawbody (SpamAssassin 4.0.1). */
START_TEST(nul_bytes_become_newlines_in_body)
{
    static const char raw[] = "From: a\nContent-Type: text/plain\n\nnul\0byte\0\n";
    static const char *const body[] = { "\n", "nul\n", "byte\n", " ", NULL };
    struct arena *a = arena_new(4096);
    struct mime_msg *m = parse(a, raw, sizeof(raw) - 1);
    const struct mime_view *rb;

    check_view("nul", "body", mime_view_body(m), body);
    rb = mime_view_rawbody(m);
    ck_assert_uint_eq(rb->n, 1);
    ck_assert_uint_eq(rb->lines[0].len, 10);
    ck_assert_mem_eq(rb->lines[0].p, "nul\0byte\0\n", 10);
    arena_free(&a);
}
END_TEST

/* body_part_scan_size 20 and rawbody_part_scan_size 30 on messages made of
 * header, prefix, pad x npad, suffix (SpamAssassin 4.0.1 with those
 * settings). */
static const struct {
    const char *label, *header, *prefix;
    char pad;
    int npad;
    const char *suffix;
    const char *body[4], *rawbody[4];
} scan_cases[] = {
    { "cut_at_newline",
      "Content-Type: text/plain\n",
      "0123456789 abcdefghij klm\nsecond line here\nthird\n",
      '\0',
      0,
      "",
      { "\n", "0123456789 abcdefghij klm ", NULL },
      { "0123456789 abcdefghij klm\nsecond line here\n", NULL } },
    { "cut_at_space",
      "Content-Type: text/plain\n",
      "0123456789abcdefghijk lmnop ",
      'q',
      1100,
      "\n",
      { "\n", "0123456789abcdefghijk ", NULL },
      { "0123456789abcdefghijk lmnop qq", NULL } },
    { "cut_hard",
      "Content-Type: text/plain\n",
      "",
      'x',
      1100,
      "\n",
      { "\n", "xxxxxxxxxxxxxxxxxxxx", NULL },
      { "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", NULL } },
    { "cut_counts_characters",
      "Content-Type: text/plain; charset=utf-8\n",
      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
      "\xa9\xc3\xa9\xc3\xa9\xc3\xa9 "
      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 ",
      't',
      1100,
      "\n",
      { "\n",
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 "
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 ",
        NULL },
      { "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 ",
        NULL } },
    { "raw_cut_at_gt",
      "Content-Type: text/html\n",
      "<p>0123456789012345678901234567<b>x</b> ",
      'y',
      1100,
      "\n",
      { "\n", "\n", "0123456789012345678901234567x ", NULL },
      { "<p>0123456789012345678901234567<b>", NULL } },
    { "short_part_whole",
      "Content-Type: text/plain\n",
      "short\n",
      '\0',
      0,
      "",
      { "\n", "short ", NULL },
      { "short\n", NULL } },
};

START_TEST(scan_sizes_cut_as_spamassassin)
{
    struct arena *a = arena_new(4096);
    struct buf raw;
    struct mime_msg *m;

    ctx.lim.body_part_scan_size = 20;
    ctx.lim.rawbody_part_scan_size = 30;
    buf_init(&raw);
    buf_printf(&raw, "From: a\n%s\n%s", scan_cases[_i].header, scan_cases[_i].prefix);
    for (int i = 0; i < scan_cases[_i].npad; i++)
        buf_putc(&raw, scan_cases[_i].pad);
    buf_puts(&raw, scan_cases[_i].suffix);
    m = parse(a, raw.p, raw.len);
    check_view(scan_cases[_i].label, "body", mime_view_body(m), scan_cases[_i].body);
    check_view(scan_cases[_i].label, "rawbody", mime_view_rawbody(m), scan_cases[_i].rawbody);
    buf_clear(&raw);
    arena_free(&a);
}
END_TEST

/* The body view's 2 KiB lines, cut at the last space (in bytes: SA encodes
 * the text to UTF-8 before splitting). Line lengths from SpamAssassin 4.0.1. */
static const struct {
    const char *charset, *unit;
    int repeat;
    size_t want[5];
} body_split_cases[] = {
    { "us-ascii", "word ", 700, { 2, 2045, 1455, 0 } },
    { "us-ascii", "x", 5000, { 2, 2048, 2048, 905, 0 } },
    { "utf-8", "\xc3\xa9 ", 1500, { 2, 2049, 2049, 402, 0 } },
};

START_TEST(body_lines_split_at_2048)
{
    struct arena *a = arena_new(4096);
    struct buf raw;
    struct mime_msg *m;
    const struct mime_view *v;
    size_t n = 0;

    buf_init(&raw);
    buf_printf(&raw, "From: a\nSubject: s\nContent-Type: text/plain; charset=%s\n\n",
               body_split_cases[_i].charset);
    for (int i = 0; i < body_split_cases[_i].repeat; i++)
        buf_puts(&raw, body_split_cases[_i].unit);
    buf_putc(&raw, '\n');
    m = parse(a, raw.p, raw.len);
    v = mime_view_body(m);
    while (body_split_cases[_i].want[n] != 0)
        n++;
    ck_assert_uint_eq(v->n, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_uint_eq(v->lines[i].len, body_split_cases[_i].want[i]);
    buf_clear(&raw);
    arena_free(&a);
}
END_TEST

/* split_into_array_of_short_lines and _paragraphs on texts made of runs;
 * the lengths of the pieces (-1 ends the list), from SpamAssassin 4.0.1. */
struct split_case {
    struct {
        const char *s;
        int n;
    } runs[6];
    int want[12];
};

static const struct split_case lines_cases[] = {
    { { { "", 0 } }, { -1 } },
    { { { "abc", 1 } }, { 3, -1 } },
    { { { "a\nb\n", 1 } }, { 2, 2, -1 } },
    { { { "x", 2048 } }, { 2048, -1 } },
    { { { "x", 2049 } }, { 2048, 1, -1 } },
    { { { "x", 5000 } }, { 2048, 2048, 904, -1 } },
    { { { "x", 100 }, { " ", 1 }, { "x", 3000 } }, { 101, 2048, 952, -1 } },
    { { { "x", 2048 }, { " ", 1 }, { "y", 10 } }, { 2049, 10, -1 } },
    { { { " ", 1 }, { "x", 3000 } }, { 1, 2048, 952, -1 } },
    { { { "x", 3000 }, { "\n", 1 }, { "y", 10 }, { "\n", 1 } }, { 2048, 953, 11, -1 } },
    { { { "x", 3000 }, { "\n", 1 }, { "y", 3000 } }, { 2048, 953, 2048, 952, -1 } },
    { { { "x", 2500 }, { ">", 1 }, { "x", 2000 }, { "\n", 1 }, { "z", 1000 } },
      { 2048, 2048, 406, 1000, -1 } },
    { { { "x", 2100 }, { " ", 1 }, { "x", 3000 } }, { 2048, 53, 2048, 952, -1 } },
    { { { "x", 13000 } }, { 2048, 2048, 2048, 2048, 2048, 2048, 712, -1 } },
    { { { "x", 4096 } }, { 2048, 2048, -1 } },
    { { { "x", 4097 } }, { 2048, 2048, 1, -1 } },
    { { { "a b ", 1000 } }, { 2048, 1952, -1 } },
};

static const struct split_case para_cases[] = {
    { { { "", 0 } }, { 0, -1 } },
    { { { "abc", 1 } }, { 3, -1 } },
    { { { "a\nb\n", 1 } }, { 4, -1 } },
    { { { "x", 2048 } }, { 2048, -1 } },
    { { { "x", 2049 } }, { 2049, -1 } },
    { { { "x", 5000 } }, { 2049, 2951, -1 } },
    { { { "x", 100 }, { " ", 1 }, { "x", 3000 } }, { 3101, -1 } },
    { { { "x", 2048 }, { " ", 1 }, { "y", 10 } }, { 2059, -1 } },
    { { { " ", 1 }, { "x", 3000 } }, { 3001, -1 } },
    { { { "x", 3000 }, { "\n", 1 }, { "y", 10 }, { "\n", 1 } }, { 3012, -1 } },
    { { { "x", 3000 }, { "\n", 1 }, { "y", 3000 } }, { 3001, 3000, -1 } },
    { { { "x", 2500 }, { ">", 1 }, { "x", 2000 }, { "\n", 1 }, { "z", 1000 } },
      { 2501, 3001, -1 } },
    { { { "x", 2100 }, { " ", 1 }, { "x", 3000 } }, { 2101, 3000, -1 } },
    { { { "x", 13000 } }, { 2049, 2049, 2049, 2049, 2049, 2755, -1 } },
    { { { "x", 4096 } }, { 4096, -1 } },
    { { { "x", 4097 } }, { 2049, 2048, -1 } },
    { { { "a b ", 1000 } }, { 4000, -1 } },
};

static struct strv
split_text(struct arena *a, const struct split_case *c)
{
    struct buf b;
    struct strv t;

    buf_init(&b);
    for (size_t r = 0; r < 6 && c->runs[r].s != NULL; r++) {
        for (int i = 0; i < c->runs[r].n; i++)
            buf_puts(&b, c->runs[r].s);
    }
    t = strv_make(arena_strndup(a, b.p ? b.p : "", b.len), b.len);
    buf_clear(&b);
    return t;
}

static void
check_split(struct strv t, struct mime_view v, const int *want)
{
    size_t n = 0, off = 0;

    while (want[n] >= 0)
        n++;
    ck_assert_uint_eq(v.n, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(v.lines[i].len, (size_t)want[i]);
        ck_assert_ptr_eq(v.lines[i].p, t.p + off); /* pieces of the text, in order */
        off += v.lines[i].len;
    }
}

START_TEST(short_lines_as_spamassassin)
{
    struct arena *a = arena_new(4096);
    struct strv t = split_text(a, &lines_cases[_i]);

    check_split(t, mime_view_short_lines(a, t), lines_cases[_i].want);
    arena_free(&a);
}
END_TEST

START_TEST(short_paragraphs_as_spamassassin)
{
    struct arena *a = arena_new(4096);
    struct strv t = split_text(a, &para_cases[_i]);

    check_split(t, mime_view_short_paragraphs(a, t), para_cases[_i].want);
    arena_free(&a);
}
END_TEST

/* html_all in order, undef for the empty HTML part; SpamAssassin 4.0.1:
 * [undef, {length 10, html_length 7}, {length 30, html_length 16, title T}] */
START_TEST(html_results_in_order_null_for_empty)
{
    static const char raw[] =
        "From: a\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\n"
        "plain\n--B\nContent-Type: text/html\n\n\n--B\nContent-Type: text/html\n\n<p>two</p>\n--B\n"
        "Content-Type: text/html\n\n<title>T</title><p>three 3</p>\n--B--\n";
    static const char *const body[] = { "\n", "plain\n", "two\n", "T\n", "three 3\n", NULL };
    struct arena *a = arena_new(4096);
    struct mime_msg *m = parse(a, raw, sizeof(raw) - 1);
    const struct mime_html_result *const *html;
    size_t n = mime_view_html(m, &html);

    ck_assert_uint_eq(n, 3);
    ck_assert_ptr_null(html[0]);
    ck_assert_ptr_nonnull(html[1]);
    ck_assert_uint_eq(html[1]->length, 10);
    ck_assert_uint_eq(html[1]->html_length, 7);
    ck_assert_uint_eq(html[1]->non_space_len, 3);
    ck_assert_ptr_nonnull(html[2]);
    ck_assert_uint_eq(html[2]->length, 30);
    ck_assert_uint_eq(html[2]->html_length, 16);
    ck_assert_uint_eq(html[2]->ntitles, 1);
    ck_assert_mem_eq(html[2]->titles[0].p, "T", 1);
    check_view("html", "body", mime_view_body(m), body);
    arena_free(&a);
}
END_TEST

START_TEST(no_html_parts_no_results)
{
    static const char raw[] = "From: a\n\nplain text\n";
    struct arena *a = arena_new(4096);
    struct mime_msg *m = parse(a, raw, sizeof(raw) - 1);
    const struct mime_html_result *const *html;

    ck_assert_uint_eq(mime_view_html(m, &html), 0);
    arena_free(&a);
}
END_TEST

static Suite *
mime_views_suite(void)
{
    Suite *s = suite_create("mime_views");
    TCase *tc = tcase_create("mime_views");

    tcase_add_checked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_loop_test(tc, part_decoded_and_rendered_as_spamassassin, 0, NCASES(part_cases));
    tcase_add_loop_test(tc, views_as_spamassassin, 0, NCASES(view_cases));
    tcase_add_test(tc, nul_bytes_become_newlines_in_body);
    tcase_add_loop_test(tc, scan_sizes_cut_as_spamassassin, 0, NCASES(scan_cases));
    tcase_add_loop_test(tc, body_lines_split_at_2048, 0, NCASES(body_split_cases));
    tcase_add_loop_test(tc, short_lines_as_spamassassin, 0, NCASES(lines_cases));
    tcase_add_loop_test(tc, short_paragraphs_as_spamassassin, 0, NCASES(para_cases));
    tcase_add_test(tc, html_results_in_order_null_for_empty);
    tcase_add_test(tc, no_html_parts_no_results);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(mime_views_suite());
}
