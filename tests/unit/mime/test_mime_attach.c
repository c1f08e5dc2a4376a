/*
 * test_mime_attach.c - MIME parameters (RFC 2045 quoting, RFC 2231
 * continuations and charsets, RFC 2047 words as Outlook and Gmail write
 * them) and the attachment list: which parts are attachments, their
 * names, types, sizes and SHA-256 (checked against sha256sum), uuencoded
 * parts and blocks; plus the message Date, relay times and the mail
 * addresses found in the text.
 */
#include "mime/mime_attach.h"

#include <string.h>

#include "core/arena.h"
#include "core/cfg_keys.h"
#include "core/err.h"
#include "mime/mime_ctx.h"
#include "mime/mime_get.h"
#include "mime/mime_uris.h"

#include "../unit.h"

#include "../mime_fixture.h"

static const struct {
    const char *value, *name, *want; /* want NULL: absent */
} param_cases[] = {
    { "attachment; filename=plain.txt", "filename", "plain.txt" },
    { "attachment; FileName=\"Mixed Case.txt\"", "filename", "Mixed Case.txt" },
    { "attachment; filename=\"a \\\"quoted\\\" name\"", "filename", "a \"quoted\" name" },
    { "attachment; filename=\"semi;colon.txt\"; size=3", "filename", "semi;colon.txt" },
    { "attachment; size=3", "filename", NULL },
    { "attachment", "filename", NULL },
    { "attachment; filename=", "filename", "" },
    { "attachment; filename=unquoted with spaces.doc ; x=1", "filename",
      "unquoted with spaces.doc" },
    /* RFC 2231: charset, language, %-escapes */
    { "attachment; filename*=utf-8''na%C3%AFve.pdf", "filename", "na\xc3\xafve.pdf" },
    { "attachment; filename*=iso-8859-1'fr'caf%E9.txt", "filename", "caf\xc3\xa9.txt" },
    { "attachment; filename*=''no-charset%20here", "filename", "no-charset here" },
    /* continuations, in index order whatever the order written */
    { "attachment; filename*1=\"name.pdf\"; filename*0=\"long-\"", "filename", "long-name.pdf" },
    { "attachment; filename*0*=utf-8''%E2%82%AC; filename*1*=%20rate; filename*2=\".xls\"",
      "filename", "\xe2\x82\xac rate.xls" },
    /* a gap stops the join, as at piece 2 here */
    { "attachment; filename*0=a; filename*1=b; filename*3=d", "filename", "ab" },
    /* the extended form wins over the plain one */
    { "attachment; filename=\"old.txt\"; filename*=utf-8''new.txt", "filename", "new.txt" },
    /* RFC 2047 inside quotes, as mail clients write it */
    { "attachment; filename=\"=?UTF-8?B?0YTQsNC50LsudHh0?=\"", "filename",
      "\xd1\x84\xd0\xb0\xd0\xb9\xd0\xbb.txt" },
    { "application/pdf; name=\"=?iso-8859-1?Q?r=E9sum=E9.pdf?=\"", "name",
      "r\xc3\xa9sum\xc3\xa9.pdf" },
    /* folded over lines */
    { "attachment;\n\tfilename=\"folded\n name.txt\"", "filename", "folded name.txt" },
    /* a parameter that only starts with the name is another one */
    { "attachment; filenames=x; filename_=y", "filename", NULL },
    { "text/plain; charset=\"utf-8\"; name=x.txt", "charset", "utf-8" },
};

START_TEST(params_as_mail_clients_read_them)
{
    struct arena *a = arena_new(1024);
    struct strv out;
    bool found =
        mime_param_get(a, ctx.cs, strv_cstr(param_cases[_i].value), param_cases[_i].name, &out);

    if (param_cases[_i].want == NULL) {
        ck_assert_msg(!found, "%s", param_cases[_i].value);
    } else {
        ck_assert_msg(found, "%s", param_cases[_i].value);
        ck_assert_msg(out.len == strlen(param_cases[_i].want) &&
                          memcmp(out.p, param_cases[_i].want, out.len) == 0,
                      "%s: got '%.*s'", param_cases[_i].value, (int)out.len, out.p);
    }
    arena_free(&a);
}
END_TEST

static const char attach_msg[] =
    "From: a@example.org\n"
    "Date: Tue, 24 Nov 2026 10:00:00 +0100\n"
    "Received: from mx.example.net (mx.example.net [192.0.2.7]) by mail.example.org with ESMTP "
    "id Q1; Tue, 24 Nov 2026 09:00:05 +0000\n"
    "Subject: files\n"
    "Content-Type: multipart/mixed; boundary=B\n"
    "\n"
    "--B\n"
    "Content-Type: text/plain\n"
    "\n"
    "Write to Sales@Example.com or sales@example.com, not to bad@invalid.\n"
    "begin 644 inline.bin\n"
    "#86)C\n"
    "`\n"
    "end\n"
    "--B\n"
    "Content-Type: application/pdf; name=\"ignored.pdf\"\n"
    "Content-Disposition: attachment; filename*=utf-8''na%C3%AFve.pdf\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "aGVsbG8=\n"
    "--B\n"
    "Content-Type: image/png\n"
    "Content-Disposition: inline\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "YWJj\n"
    "--B\n"
    "Content-Type: text/csv; name=data.csv\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "a,b=0D\n"
    "--B\n"
    "Content-Type: application/octet-stream; name=\"u.txt\"\n"
    "Content-Transfer-Encoding: x-uuencode\n"
    "\n"
    "begin 644 u.txt\n"
    "%:&5L;&\\ \n"
    "`\n"
    "end\n"
    "--B\n"
    "Content-Type: text/html\n"
    "\n"
    "<p>not an attachment</p>\n"
    "--B--\n";

START_TEST(attachments_listed)
{
    struct arena *a = arena_new(4096);
    struct mime_msg *m = mime_msg_parse(&ctx, a, attach_msg, strlen(attach_msg));
    const struct mime_attachments *at = mime_msg_attachments(m);
    static const struct {
        const char *filename, *type, *sha256;
        size_t size;
        bool uu, att, inl;
    } want[] = {
        /* printf abc | sha256sum, and so on */
        { "inline.bin", "application/octet-stream",
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 3, true, true,
          false },
        { "na\xc3\xafve.pdf", "application/pdf",
          "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", 5, false, true,
          false },
        { NULL, "image/png", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 3,
          false, false, true },
        /* printf 'a,b\r' | sha256sum: the file's own bytes, CR kept (the last
         * line break belongs to the boundary); the type as declared, where
         * SpamAssassin's part type says text/plain */
        { "data.csv", "text/csv",
          "592fb6dde5ac91bc592e1b003d7bcc945b32ff24c779fc798fcfe803e259dd76", 4, false, false,
          false },
        { "u.txt", "application/octet-stream",
          "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", 5, false, false,
          false },
    };

    ck_assert_uint_eq(at->n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < at->n; i++) {
        const struct mime_attachment *x = &at->v[i];

        ck_assert_int_eq(x->has_filename, want[i].filename != NULL);
        if (want[i].filename != NULL) {
            ck_assert_uint_eq(x->filename.len, strlen(want[i].filename));
            ck_assert_mem_eq(x->filename.p, want[i].filename, x->filename.len);
        }
        ck_assert_str_eq(x->type, want[i].type);
        ck_assert_uint_eq(x->content.len, want[i].size);
        ck_assert_str_eq(x->sha256, want[i].sha256);
        ck_assert_int_eq(x->uuencoded, want[i].uu);
        ck_assert_int_eq(x->disposition_attachment, want[i].att);
        ck_assert_int_eq(x->disposition_inline, want[i].inl);
    }
    ck_assert_ptr_eq(mime_msg_attachments(m), at); /* computed once */
    arena_free(&a);
}
END_TEST

START_TEST(dates_and_emails)
{
    struct arena *a = arena_new(4096);
    struct mime_msg *m = mime_msg_parse(&ctx, a, attach_msg, strlen(attach_msg));
    const struct mime_relays *r = mime_msg_relays(m);
    const struct mime_uris *u = mime_msg_uris(m);
    int64_t t;

    ck_assert(mime_msg_date(m, &t));
    ck_assert_int_eq(t, 1795510800); /* 2026-11-24 09:00:00 UTC */
    ck_assert_uint_eq(r->nrelays, 1);
    ck_assert(r->relays[0].has_date);
    ck_assert_int_eq(r->relays[0].date, 1795510805);
    /* the first spelling of an address is kept; invalid domains are not */
    ck_assert_uint_eq(u->nemails, 1);
    ck_assert_uint_eq(u->emails[0].len, strlen("Sales@Example.com"));
    ck_assert_mem_eq(u->emails[0].p, "Sales@Example.com", u->emails[0].len);
    arena_free(&a);
}
END_TEST

START_TEST(no_date_no_attachments)
{
    static const char msg[] = "From: a@example.org\nDate: sometime\n\nhello\n";
    struct arena *a = arena_new(4096);
    struct mime_msg *m = mime_msg_parse(&ctx, a, msg, strlen(msg));
    int64_t t;

    ck_assert(!mime_msg_date(m, &t));
    ck_assert_uint_eq(mime_msg_attachments(m)->n, 0);
    ck_assert_uint_eq(mime_msg_uris(m)->nemails, 0);
    arena_free(&a);
}
END_TEST

static Suite *
mime_attach_suite(void)
{
    Suite *s = suite_create("mime_attach");
    TCase *tc = tcase_create("mime_attach");

    tcase_add_unchecked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_loop_test(tc, params_as_mail_clients_read_them, 0,
                        sizeof(param_cases) / sizeof(param_cases[0]));
    tcase_add_test(tc, attachments_listed);
    tcase_add_test(tc, dates_and_emails);
    tcase_add_test(tc, no_date_no_attachments);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(mime_attach_suite());
}
