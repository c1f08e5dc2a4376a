/*
 * test_mime_msg.c - parsing a message into its header block and MIME
 * tree. Each message here is small and written for its case; the expected
 * trees and flags came from SpamAssassin 4.0.1 (Mail::SpamAssassin->parse
 * then a walk of the Message::Node tree: type, charset, name, boundary,
 * raw lines joined, raw headers), summarised the same way as
 * msg_summary() below summarises sift's. Util::parse_content_type gave the
 * Content-Type table.
 */
#include "mime/mime_msg.h"

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

static void
put_opt(struct buf *b, const char *key, struct strv v, bool has)
{
    buf_printf(b, " %s=", key);
    if (has)
        buf_append(b, v.p, v.len);
    else
        buf_putc(b, '-');
}

/* One node and its subtree, as the SpamAssassin walk prints it. */
static void
summary_part(struct buf *b, const struct mime_part *p, unsigned depth)
{
    for (unsigned i = 0; i < depth; i++)
        buf_puts(b, "  ");
    buf_printf(b, "%s leaf=%d", p->type, !p->has_body_parts);
    put_opt(b, "cs", p->charset, p->has_charset);
    put_opt(b, "name", p->name, p->has_name);
    put_opt(b, "b", p->boundary, p->has_boundary);
    if (p->has_raw) {
        buf_printf(b, " raw(%zu)=", p->raw.len);
        buf_append(b, p->raw.p, p->raw.len);
        buf_putc(b, '\n');
    } else {
        buf_puts(b, " raw=-\n");
    }
    for (const struct mime_header *f = p->hdrs.first; f != NULL; f = f->next) {
        for (unsigned i = 0; i < depth; i++)
            buf_puts(b, "  ");
        buf_puts(b, " H ");
        buf_append(b, f->name.p, f->name.len);
        buf_printf(b, "(%zu)=", f->raw.len);
        buf_append(b, f->raw.p, f->raw.len);
        buf_putc(b, '\n');
    }
    for (const struct mime_part *c = p->first; c != NULL; c = c->next)
        summary_part(b, c, depth + 1);
}

static void
msg_summary(const struct mime_msg *m, struct buf *b)
{
    buf_puts(b, "flags:");
    if (m->missing_head_body_separator)
        buf_puts(b, " missing_head_body_separator");
    if (m->truncated_header)
        buf_puts(b, " truncated_header");
    if (m->missing_mime_headers)
        buf_puts(b, " missing_mime_headers");
    if (m->missing_mime_head_body_separator)
        buf_puts(b, " missing_mime_head_body_separator");
    if (m->mime_epilogue_exists)
        buf_puts(b, " mime_epilogue_exists");
    if (m->mimepart_limit_exceeded)
        buf_puts(b, " mimepart_limit_exceeded");
    buf_putc(b, '\n');
    if (m->has_mbox_sep) {
        buf_printf(b, "mbox(%zu)=", m->mbox_sep.len);
        buf_append(b, m->mbox_sep.p, m->mbox_sep.len);
        buf_putc(b, '\n');
    }
    summary_part(b, m->root, 0);
}

/* Each message with SpamAssassin 4.0.1's tree (see the top of the file). */
static const struct {
    const char *label, *raw, *want;
} tree_cases[] = {
    { "simple",
      "From: a@b.c\n"
      "Subject: hi\n\n"
      "hello\n"
      "world\n",
      "flags:\n"
      "text/plain leaf=1 cs=us-ascii name=- b=- raw(12)=hello\n"
      "world\n\n"
      " H From(7)= a@b.c\n\n"
      " H Subject(4)= hi\n\n" },
    { "no_blank_line",
      "From: a@b.c\n"
      "Subject: hi\n",
      "flags: missing_head_body_separator\n"
      "text/plain leaf=1 cs=us-ascii name=- b=- raw(0)=\n"
      " H From(7)= a@b.c\n\n"
      " H Subject(4)= hi\n\n" },
    { "no_final_newline",
      "From: a@b.c\n"
      "Subject: hi\n\n"
      "body",
      "flags:\n"
      "text/plain leaf=1 cs=us-ascii name=- b=- raw(4)=body\n"
      " H From(7)= a@b.c\n\n"
      " H Subject(4)= hi\n\n" },
    { "empty", "",
      "flags:\n"
      "text/plain leaf=1 cs=us-ascii name=- b=- raw(0)=\n" },
    { "three_bad_lines_ignored",
      "From: a\n"
      "bad line 1\n"
      "bad line 2\n"
      "bad line 3\n"
      "Subject: x\n\n"
      "body\n",
      "flags:\n"
      "text/plain leaf=1 cs=us-ascii name=- b=- raw(5)=body\n\n"
      " H From(3)= a\n\n"
      " H Subject(3)= x\n\n" },
    { "fourth_bad_line_starts_body",
      "From: a\n"
      "bad 1\n"
      "bad 2\n"
      "bad 3\n"
      "bad 4\n"
      "Subject: x\n\n"
      "body\n",
      "flags: missing_head_body_separator\n"
      "text/plain leaf=1 cs=us-ascii name=- b=- raw(23)=bad 4\n"
      "Subject: x\n\n"
      "body\n\n"
      " H From(3)= a\n\n" },
    { "continuation_first",
      " cont\n"
      "From: a\n\n"
      "body\n",
      "flags:\n"
      "text/plain leaf=1 cs=us-ascii name=- b=- raw(5)=body\n\n"
      " H From(3)= a\n\n" },
    { "wsp_before_colon",
      "Subject \t: x\n"
      "From:a\n\n"
      "body\n",
      "flags:\n"
      "text/plain leaf=1 cs=us-ascii name=- b=- raw(5)=body\n\n"
      " H Subject(3)= x\n\n"
      " H From(2)=a\n\n" },
    { "boundary_line_ends_headers",
      "From: a\n"
      "Content-Type: multipart/mixed; boundary=b\n"
      "--b\n"
      "Content-Type: text/plain\n\n"
      "one\n"
      "--b--\n",
      "flags: missing_head_body_separator\n"
      "multipart/mixed leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Content-Type(29)= multipart/mixed; boundary=b\n\n"
      "  text/plain leaf=1 cs=- name=- b=b raw(3)=one\n"
      "   H Content-Type(11)=text/plain\n\n" },
    { "crlf",
      "From: a\r\n"
      "Subject: x\r\n"
      "\r\n"
      "body\r\n"
      "line2\r\n",
      "flags:\n"
      "text/plain leaf=1 cs=us-ascii name=- b=- raw(11)=body\n"
      "line2\n\n"
      " H From(3)= a\n\n"
      " H Subject(3)= x\n\n" },
    { "crlf_bare_lf_in_headers",
      "From: a\r\n"
      "Subject: x\n"
      " y\r\n"
      "\r\n"
      "body\n"
      "line2\r\n",
      "flags:\n"
      "text/plain leaf=1 cs=us-ascii name=- b=- raw(11)=body\n"
      "line2\n\n"
      " H From(3)= a\n\n"
      " H Subject(6)= x\n"
      " y\n\n" },
    { "crlf_last_line_only",
      "From: a\n"
      "Subject: x\n\n"
      "body\n"
      "last\r\n",
      "flags:\n"
      "text/plain leaf=1 cs=us-ascii name=- b=- raw(10)=body\n"
      "last\n\n"
      " H From(3)= a\n\n"
      " H Subject(3)= x\n\n" },
    { "mbox_from_line",
      "From a@b.c Mon Jan  1 00:00:00 2024\n"
      "From: a@b.c\n\n"
      "body\n",
      "flags:\n"
      "mbox(36)=From a@b.c Mon Jan  1 00:00:00 2024\n\n"
      "text/plain leaf=1 cs=us-ascii name=- b=- raw(5)=body\n\n"
      " H From(7)= a@b.c\n\n" },
    { "from_colon_not_mbox",
      "From : a@b.c\n"
      "Subject: x\n\n"
      "body\n",
      "flags:\n"
      "text/plain leaf=1 cs=us-ascii name=- b=- raw(5)=body\n\n"
      " H From(7)= a@b.c\n\n"
      " H Subject(3)= x\n\n" },
    { "blank_run_trimmed",
      "From: a\n\n"
      "body\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
      "end\n",
      "flags:\n"
      "text/plain leaf=1 cs=us-ascii name=- b=- "
      "raw(29)=body\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
      "end\n\n"
      " H From(3)= a\n\n" },
    { "blank_run_at_top",
      "From: a\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
      "end\n",
      "flags:\n"
      "text/plain leaf=1 cs=us-ascii name=- b=- raw(25)=\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
      "end\n\n"
      " H From(3)= a\n\n" },
    { "blank_run_of_twenty_kept",
      "From: a\n\n"
      "body\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
      "end\n",
      "flags:\n"
      "text/plain leaf=1 cs=us-ascii name=- b=- "
      "raw(29)=body\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
      "end\n\n"
      " H From(3)= a\n\n" },
    { "multipart",
      "From: a\n"
      "Content-Type: multipart/mixed; boundary=\"XX\"\n\n"
      "preamble\n"
      "--XX\n"
      "Content-Type: text/plain; charset=utf-8\n\n"
      "one\n\n"
      "--XX\n"
      "Content-Type: text/html\n\n"
      "<p>two</p>\n"
      "--XX--\n",
      "flags:\n"
      "multipart/mixed leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Content-Type(32)= multipart/mixed; boundary=\"XX\"\n\n"
      "  text/plain leaf=1 cs=utf-8 name=- b=XX raw(4)=one\n\n"
      "   H Content-Type(26)=text/plain; charset=utf-8\n\n"
      "  text/html leaf=1 cs=- name=- b=XX raw(10)=<p>two</p>\n"
      "   H Content-Type(10)=text/html\n\n" },
    { "epilogue",
      "From: a\n"
      "Content-Type: multipart/mixed; boundary=XX\n\n"
      "--XX\n\n"
      "one\n"
      "--XX--\n"
      "epilogue text\n",
      "flags: missing_mime_headers mime_epilogue_exists\n"
      "multipart/mixed leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Content-Type(30)= multipart/mixed; boundary=XX\n\n"
      "  text/plain leaf=1 cs=us-ascii name=- b=XX raw(3)=one\n" },
    { "epilogue_dots_only",
      "From: a\n"
      "Content-Type: multipart/mixed; boundary=XX\n\n"
      "--XX\n\n"
      "one\n"
      "--XX--\n"
      ".\n"
      " \n",
      "flags: missing_mime_headers\n"
      "multipart/mixed leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Content-Type(30)= multipart/mixed; boundary=XX\n\n"
      "  text/plain leaf=1 cs=us-ascii name=- b=XX raw(3)=one\n" },
    { "boundary_trailing_blanks",
      "From: a\n"
      "Content-Type: multipart/mixed; boundary=XX\n\n"
      "--XX  \t\n"
      "Content-Type: text/plain\n\n"
      "one\n"
      "--XX \n"
      "Content-Type: text/plain\n\n"
      "two\n"
      "--XX-- \n",
      "flags:\n"
      "multipart/mixed leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Content-Type(30)= multipart/mixed; boundary=XX\n\n"
      "  text/plain leaf=1 cs=- name=- b=XX raw(3)=one\n"
      "   H Content-Type(11)=text/plain\n\n"
      "  text/plain leaf=1 cs=- name=- b=XX raw(3)=two\n"
      "   H Content-Type(11)=text/plain\n\n" },
    { "missing_closing_boundary",
      "From: a\n"
      "Content-Type: multipart/mixed; boundary=XX\n\n"
      "--XX\n"
      "Content-Type: text/plain\n\n"
      "one\n"
      "--XX\n"
      "Content-Type: text/plain\n\n"
      "two\n"
      "last line\n",
      "flags:\n"
      "multipart/mixed leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Content-Type(30)= multipart/mixed; boundary=XX\n\n"
      "  text/plain leaf=1 cs=- name=- b=XX raw(3)=one\n"
      "   H Content-Type(11)=text/plain\n\n"
      "  text/plain leaf=1 cs=- name=- b=XX raw(14)=two\n"
      "last line\n\n"
      "   H Content-Type(11)=text/plain\n\n" },
    { "no_boundary_found",
      "From: a\n"
      "Content-Type: multipart/mixed; boundary=XX\n\n"
      "just text\n"
      "more\n",
      "flags:\n"
      "multipart/mixed leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Content-Type(30)= multipart/mixed; boundary=XX\n\n"
      "  text/plain leaf=1 cs=us-ascii name=- b=XX raw(15)=just text\n"
      "more\n\n" },
    { "multipart_without_boundary",
      "From: a\n"
      "Content-Type: multipart/mixed\n\n"
      "just text\n",
      "flags:\n"
      "text/plain leaf=1 cs=- name=- b=- raw(10)=just text\n\n"
      " H From(3)= a\n\n"
      " H Content-Type(17)= multipart/mixed\n\n" },
    { "part_without_headers",
      "From: a\n"
      "Content-Type: multipart/mixed; boundary=XX\n\n"
      "--XX\n\n"
      "no headers\n"
      "--XX\n"
      "not a header line\n"
      "--XX--\n",
      "flags: missing_mime_headers missing_mime_head_body_separator\n"
      "multipart/mixed leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Content-Type(30)= multipart/mixed; boundary=XX\n\n"
      "  text/plain leaf=1 cs=us-ascii name=- b=XX raw(10)=no headers\n"
      "  text/plain leaf=1 cs=us-ascii name=- b=XX raw(17)=not a header line\n" },
    { "missing_head_body_separator",
      "From: a\n"
      "Content-Type: multipart/mixed; boundary=XX\n\n"
      "--XX\n"
      "Content-Type: text/plain\n"
      "body right away\n"
      "--XX--\n",
      "flags: missing_mime_head_body_separator\n"
      "multipart/mixed leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Content-Type(30)= multipart/mixed; boundary=XX\n\n"
      "  text/plain leaf=1 cs=- name=- b=XX raw(15)=body right away\n"
      "   H Content-Type(11)=text/plain\n\n" },
    { "part_header_continuation",
      "From: a\n"
      "Content-Type: multipart/mixed; boundary=XX\n\n"
      "--XX\n"
      "Content-Type: text/plain;\n"
      "\tcharset=\"iso-8859-1\"\n"
      "Content-Disposition: attachment;\n"
      " filename=\"a.txt\"\n\n"
      "body\n"
      "--XX--\n",
      "flags:\n"
      "multipart/mixed leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Content-Type(30)= multipart/mixed; boundary=XX\n\n"
      "  text/plain leaf=1 cs=iso-8859-1 name=a.txt b=XX raw(4)=body\n"
      "   H Content-Type(34)=text/plain;\n"
      "\tcharset=\"iso-8859-1\"\n\n"
      "   H Content-Disposition(30)=attachment;\n"
      " filename=\"a.txt\"\n\n" },
    { "digest_default_type",
      "From: a\n"
      "Content-Type: multipart/digest; boundary=XX\n\n"
      "--XX\n\n"
      "From: inner\n"
      "Subject: s\n\n"
      "inner body\n"
      "--XX\n"
      "Content-Type: text/plain\n\n"
      "plain\n"
      "--XX--\n",
      "flags: missing_mime_headers\n"
      "multipart/digest leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Content-Type(31)= multipart/digest; boundary=XX\n\n"
      "  message/rfc822 leaf=0 cs=us-ascii name=- b=XX raw=-\n"
      "    text/plain leaf=1 cs=us-ascii name=- b=- raw(10)=inner body\n"
      "     H From(7)= inner\n\n"
      "     H Subject(3)= s\n\n"
      "  text/plain leaf=1 cs=- name=- b=XX raw(5)=plain\n"
      "   H Content-Type(11)=text/plain\n\n" },
    { "nested_same_boundary",
      "From: a\n"
      "Content-Type: multipart/mixed; boundary=XX\n\n"
      "--XX\n"
      "Content-Type: multipart/alternative; boundary=XX\n\n"
      "--XX\n"
      "Content-Type: text/plain\n\n"
      "inner\n"
      "--XX--\n"
      "--XX\n"
      "Content-Type: text/plain\n\n"
      "outer\n"
      "--XX--\n",
      "flags:\n"
      "multipart/mixed leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Content-Type(30)= multipart/mixed; boundary=XX\n\n"
      "  multipart/alternative leaf=0 cs=- name=- b=- raw=-\n"
      "   H Content-Type(35)=multipart/alternative; boundary=XX\n\n"
      "    text/plain leaf=1 cs=- name=- b=XX raw(5)=inner\n"
      "     H Content-Type(11)=text/plain\n\n"
      "  text/plain leaf=1 cs=- name=- b=XX raw(5)=outer\n"
      "   H Content-Type(11)=text/plain\n\n" },
    { "nested_multipart",
      "From: a\n"
      "Content-Type: multipart/mixed; boundary=o\n\n"
      "--o\n"
      "Content-Type: multipart/alternative; boundary=i\n\n"
      "--i\n"
      "Content-Type: text/plain\n\n"
      "p\n"
      "--i\n"
      "Content-Type: text/html\n\n"
      "<b>h</b>\n"
      "--i--\n"
      "--o\n"
      "Content-Type: application/pdf; name=x.pdf\n"
      "Content-Transfer-Encoding: base64\n\n"
      "JVBERg==\n"
      "--o--\n",
      "flags:\n"
      "multipart/mixed leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Content-Type(29)= multipart/mixed; boundary=o\n\n"
      "  multipart/alternative leaf=0 cs=- name=- b=- raw=-\n"
      "   H Content-Type(34)=multipart/alternative; boundary=i\n\n"
      "    text/plain leaf=1 cs=- name=- b=i raw(1)=p\n"
      "     H Content-Type(11)=text/plain\n\n"
      "    text/html leaf=1 cs=- name=- b=i raw(8)=<b>h</b>\n"
      "     H Content-Type(10)=text/html\n\n"
      "  application/pdf leaf=1 cs=- name=x.pdf b=o raw(8)=JVBERg==\n"
      "   H Content-Type(28)=application/pdf; name=x.pdf\n\n"
      "   H Content-Transfer-Encoding(7)=base64\n\n" },
    { "message_rfc822",
      "From: a\n"
      "Content-Type: multipart/mixed; boundary=XX\n\n"
      "--XX\n"
      "Content-Type: message/rfc822\n\n"
      "From: inner@x.y\n"
      "Subject: inner\n\n"
      "inner body\n"
      "--XX--\n",
      "flags:\n"
      "multipart/mixed leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Content-Type(30)= multipart/mixed; boundary=XX\n\n"
      "  message/rfc822 leaf=0 cs=- name=- b=XX raw=-\n"
      "   H Content-Type(15)=message/rfc822\n\n"
      "    text/plain leaf=1 cs=us-ascii name=- b=- raw(10)=inner body\n"
      "     H From(11)= inner@x.y\n\n"
      "     H Subject(7)= inner\n\n" },
    { "message_rfc822_top",
      "From: a\n"
      "Content-Type: message/rfc822\n\n"
      "From: inner\n"
      "Content-Type: text/html\n\n"
      "<p>x</p>\n",
      "flags:\n"
      "message/rfc822 leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Content-Type(16)= message/rfc822\n\n"
      "  text/html leaf=1 cs=- name=- b=- raw(9)=<p>x</p>\n\n"
      "   H From(7)= inner\n\n"
      "   H Content-Type(11)= text/html\n\n" },
    { "message_rfc822_base64",
      "From: a\n"
      "Content-Type: message/rfc822\n"
      "Content-Transfer-Encoding: base64\n\n"
      "RnJvbTogaW5uZXINClN1YmplY3Q6IGIJDQoNCmJvZHkNCg==\n",
      "flags:\n"
      "message/rfc822 leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Content-Type(16)= message/rfc822\n\n"
      " H Content-Transfer-Encoding(8)= base64\n\n"
      "  text/plain leaf=1 cs=us-ascii name=- b=- raw(5)=body\n\n"
      "   H From(7)= inner\n\n"
      "   H Subject(4)= b\t\n\n" },
    { "message_partial",
      "From: a\n"
      "Content-Type: message/partial; id=\"x\"; number=1\n\n"
      "From: inner\n\n"
      "body\n",
      "flags:\n"
      "message/partial leaf=1 cs=- name=- b=- raw(18)=From: inner\n\n"
      "body\n\n"
      " H From(3)= a\n\n"
      " H Content-Type(35)= message/partial; id=\"x\"; number=1\n\n" },
    { "message_delivery_status",
      "From: a\n"
      "Content-Type: message/delivery-status\n\n"
      "Reporting-MTA: dns; x\n\n"
      "Action: failed\n",
      "flags:\n"
      "message/delivery-status leaf=1 cs=- name=- b=- raw(38)=Reporting-MTA: dns; x\n\n"
      "Action: failed\n\n"
      " H From(3)= a\n\n"
      " H Content-Type(25)= message/delivery-status\n\n" },
    { "message_rfc822_empty",
      "From: a\n"
      "Content-Type: multipart/mixed; boundary=XX\n\n"
      "--XX\n"
      "Content-Type: message/rfc822\n\n"
      "--XX--\n",
      "flags:\n"
      "multipart/mixed leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Content-Type(30)= multipart/mixed; boundary=XX\n\n"
      "  message/rfc822 leaf=1 cs=- name=- b=XX raw(0)=\n"
      "   H Content-Type(15)=message/rfc822\n\n" },
    { "multipart_body_starts_with_text",
      "From: a\n"
      "Content-Type: multipart/mixed; boundary=XX\n"
      "Content-Type: text/plain\n"
      "body\n",
      "flags: missing_head_body_separator\n"
      "text/plain leaf=1 cs=- name=- b=- raw(0)=\n"
      " H From(3)= a\n\n"
      " H Content-Type(30)= multipart/mixed; boundary=XX\n\n"
      " H Content-Type(12)= text/plain\n\n" },
    { "multipart_body_starts_with_header",
      "From: a\n"
      "Content-Type: multipart/mixed; boundary=XX\n\n"
      "Content-Type: text/plain\n\n"
      "--XX\n"
      "Content-Type: text/plain\n\n"
      "x\n"
      "--XX--\n",
      "flags:\n"
      "multipart/mixed leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Content-Type(30)= multipart/mixed; boundary=XX\n\n"
      "  text/plain leaf=1 cs=- name=- b=XX raw(1)=x\n"
      "   H Content-Type(11)=text/plain\n\n" },
    { "text_subtype",
      "From: a\n"
      "Content-Type: text/x-whatever; charset=koi8-r\n\n"
      "body\n",
      "flags:\n"
      "text/plain leaf=1 cs=koi8-r name=- b=- raw(5)=body\n\n"
      " H From(3)= a\n\n"
      " H Content-Type(33)= text/x-whatever; charset=koi8-r\n\n" },
    { "name_from_disposition",
      "From: a\n"
      "Content-Type: application/octet-stream; name=\"ct.bin\"\n"
      "Content-Disposition: attachment; filename=\"disp.bin\"\n\n"
      "data\n",
      "flags:\n"
      "application/octet-stream leaf=1 cs=- name=disp.bin b=- raw(5)=data\n\n"
      " H From(3)= a\n\n"
      " H Content-Type(41)= application/octet-stream; name=\"ct.bin\"\n\n"
      " H Content-Disposition(33)= attachment; filename=\"disp.bin\"\n\n" },
    { "name_from_content_type",
      "From: a\n"
      "Content-Type: application/octet-stream; name=\"ct.html\"\n\n"
      "data\n",
      "flags:\n"
      "application/octet-stream leaf=1 cs=- name=ct.html b=- raw(5)=data\n\n"
      " H From(3)= a\n\n"
      " H Content-Type(42)= application/octet-stream; name=\"ct.html\"\n\n" },
    { "crlf_multipart",
      "From: a\r\n"
      "Content-Type: multipart/mixed; boundary=XX\r\n"
      "\r\n"
      "--XX\r\n"
      "Content-Type: text/plain\r\n"
      "\r\n"
      "one\r\n"
      "--XX--\r\n",
      "flags:\n"
      "multipart/mixed leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Content-Type(30)= multipart/mixed; boundary=XX\n\n"
      "  text/plain leaf=1 cs=- name=- b=XX raw(3)=one\n"
      "   H Content-Type(11)=text/plain\n\n" },
    { "multipart_empty_body",
      "From: a\n"
      "Subject: s\n"
      "Content-Type: multipart/mixed; boundary=B\n\n",
      "flags:\n"
      "multipart/mixed leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Subject(3)= s\n\n"
      " H Content-Type(29)= multipart/mixed; boundary=B\n\n" },
    { "multipart_headers_only",
      "From: a\n"
      "Content-Type: multipart/alternative; boundary=B1\n",
      "flags: missing_head_body_separator\n"
      "multipart/alternative leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Content-Type(36)= multipart/alternative; boundary=B1\n\n" },
    { "content_type_only_tspecials",
      "From: a\n"
      "Subject: s\n"
      "Content-Type: \"\"\n\n"
      "body\n",
      "flags:\n"
      " leaf=1 cs=- name=- b=- raw(5)=body\n\n"
      " H From(3)= a\n\n"
      " H Subject(3)= s\n\n"
      " H Content-Type(4)= \"\"\n\n" },
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
      "flags:\n"
      "multipart/mixed leaf=0 cs=- name=- b=- raw=-\n"
      " H From(3)= a\n\n"
      " H Subject(3)= s\n\n"
      " H Content-Type(29)= multipart/mixed; boundary=B\n\n"
      "   leaf=1 cs=- name=- b=B raw(6)=hidden\n"
      "   H Content-Type(2)=@\n\n"
      "  text/plain leaf=1 cs=- name=- b=B raw(5)=shown\n"
      "   H Content-Type(11)=text/plain\n\n" },
};

START_TEST(tree_as_spamassassin)
{
    struct arena *a = arena_new(4096);
    struct mime_msg *m = parse(a, tree_cases[_i].raw, strlen(tree_cases[_i].raw));
    struct buf got;

    buf_init(&got);
    msg_summary(m, &got);
    ck_assert_msg(
        got.len == strlen(tree_cases[_i].want) && memcmp(got.p, tree_cases[_i].want, got.len) == 0,
        "%s:\n--- got\n%s\n--- want\n%s", tree_cases[_i].label, got.p, tree_cases[_i].want);
    ck_assert(!m->limit_parts && !m->limit_depth && !m->limit_headers);
    buf_clear(&got);
    arena_free(&a);
}
END_TEST

/* Util::parse_content_type(value): type, boundary, charset, name, missing.
 * From SpamAssassin 4.0.1; NULL: undef. The first row is no header at all. */
static const struct {
    const char *value, *type, *boundary, *charset, *name;
    int missing;
} ct_cases[] = {
    { NULL, "text/plain", NULL, "us-ascii", NULL, 1 },
    { "", "text/plain", NULL, "us-ascii", NULL, 1 },
    { "0", "text/plain", NULL, "us-ascii", NULL, 1 },
    { "text/plain", "text/plain", NULL, NULL, NULL, 0 },
    { "TEXT/HTML; charset=UTF-8", "text/html", NULL, "UTF-8", NULL, 0 },
    { "text/html", "text/html", NULL, NULL, NULL, 0 },
    { "text/x-vcard", "text/x-vcard", NULL, NULL, NULL, 0 },
    { "text/calendar; method=REQUEST", "text/calendar", NULL, NULL, NULL, 0 },
    { "text/enriched", "text/plain", NULL, NULL, NULL, 0 },
    { "texta/b", "texta/b", NULL, NULL, NULL, 0 },
    { "text", "text/plain", NULL, NULL, NULL, 0 },
    { "textual/x", "textual/x", NULL, NULL, NULL, 0 },
    { "  multipart/mixed; boundary=\"b1 b2\"", "multipart/mixed", "b1 b2", NULL, NULL, 0 },
    { "multipart/mixed; boundary=abc", "multipart/mixed", "abc", NULL, NULL, 0 },
    { "multipart/mixed; boundary=abc;x=y", "multipart/mixed", "abc", NULL, NULL, 0 },
    { "multipart/mixed; boundary = \"q\" ; charset=x", "multipart/mixed", "q", "x", NULL, 0 },
    { "multipart/mixed; boundary=\"\"", "multipart/mixed", NULL, NULL, NULL, 0 },
    { "multipart/mixed; boundary=\"unterminated", "multipart/mixed", "unterminated", NULL, NULL,
      0 },
    { "multipart/mixed; boundary=a\"b", "multipart/mixed", NULL, NULL, NULL, 0 },
    { "multipart/mixed; xboundary=no; boundary=yes", "multipart/mixed", "yes", NULL, NULL, 0 },
    { "multipart/mixed; BOUNDARY=Up", "multipart/mixed", "Up", NULL, NULL, 0 },
    { "text/plain; charset=\"iso-8859-1\"", "text/plain", NULL, "iso-8859-1", NULL, 0 },
    { "text/plain; charset='koi8-r'; format=flowed", "text/plain", NULL, "koi8-r", NULL, 0 },
    { "text/plain; charset=utf-8;", "text/plain", NULL, "utf-8", NULL, 0 },
    { "text/plain; charset=\"a;b\"", "text/plain", NULL, "a", NULL, 0 },
    { "text/plain; charset=", "text/plain", NULL, "", NULL, 0 },
    { "text/plain charset=us-ascii", "text/plain", NULL, "us-ascii", NULL, 0 },
    { "application/octet-stream; name=\"a b.pdf\"", "application/octet-stream", NULL, NULL,
      "a b.pdf", 0 },
    { "application/octet-stream; filename=x.zip; name=y.zip", "application/octet-stream", NULL,
      NULL, "x.zip", 0 },
    { "application/x; name*0=\"abc\"; name*1=\"def.html\"", "application/x", NULL, NULL,
      "abcdef.html", 0 },
    { "application/x; name*1=\"second\"; name*0=\"first\"", "application/x", NULL, NULL,
      "firstsecond", 0 },
    { "application/x; filename*0=a; filename*1=b", "application/x", NULL, NULL, "ab", 0 },
    { "application/x; name*0*=utf-8''abc", "application/x", NULL, NULL, NULL, 0 },
    { "application/x; name=\"\"; name*0=\"x\"; name*1=\"y\"", "application/x", NULL, NULL, "xy",
      0 },
    { "application/x; name=0", "application/x", NULL, NULL, "0", 0 },
    { "Application/PDF (comment)", "application/pdf", NULL, NULL, NULL, 0 },
    { "image/gif/extra", "image/gif", NULL, NULL, NULL, 0 },
    { "a b/c", "ab/c", NULL, NULL, NULL, 0 },
    { "application/vnd.ms-excel; name=x.xls", "application/vnd.ms-excel", NULL, NULL, "x.xls", 0 },
    { "foo", "foo", NULL, NULL, NULL, 0 },
    { "x/y@z", "x/yz", NULL, NULL, NULL, 0 },
    { "/nothing", "/nothing", NULL, NULL, NULL, 0 },
    { "multipart/alternative;\n boundary=\"folded\"", "multipart/alternative", "folded", NULL, NULL,
      0 },
    { "text/plain; name=a.txt; charset=x", "text/plain", NULL, "x", "a.txt", 0 },
    { "application/x; charset=\"x\"\n", "application/x", NULL, "x", NULL, 0 },
    { "message/rfc822", "message/rfc822", NULL, NULL, NULL, 0 },
    { "image/jpeg;name=\"img.jpg\"", "image/jpeg", NULL, NULL, "img.jpg", 0 },
    { "text/plain; charset=us-ascii (Plain text)", "text/plain", NULL, "us-ascii (Plain text)",
      NULL, 0 },
};

static void
check_opt(const char *what, struct strv got, bool has, const char *want)
{
    if (want == NULL) {
        ck_assert_msg(!has, "%s: got '%.*s', want none", what, (int)got.len, got.p);
        return;
    }
    ck_assert_msg(has, "%s: got none, want '%s'", what, want);
    ck_assert_msg(got.len == strlen(want) && memcmp(got.p, want, got.len) == 0,
                  "%s: got '%.*s', want '%s'", what, (int)got.len, got.p, want);
}

START_TEST(content_type_as_spamassassin)
{
    struct arena *a = arena_new(4096);
    struct mime_ct ct;
    const char *v = ct_cases[_i].value;

    mime_ct_parse(a, v ? strv_cstr(v) : STRV_LIT(""), v != NULL, &ct);
    ck_assert_str_eq(ct.type, ct_cases[_i].type);
    check_opt("boundary", ct.boundary, ct.has_boundary, ct_cases[_i].boundary);
    check_opt("charset", ct.charset, ct.has_charset, ct_cases[_i].charset);
    check_opt("name", ct.name, ct.has_name, ct_cases[_i].name);
    ck_assert_int_eq(ct.missing, ct_cases[_i].missing);
    arena_free(&a);
}
END_TEST

/* get_pristine_header/get_pristine_body and the CRLF line ending. From
 * SpamAssassin 4.0.1. */
static const struct {
    const char *raw, *headers, *body;
    bool crlf;
} pristine_cases[] = {
    /* bug 7785: a bare LF in the headers of a CRLF message gets its CR */
    { "From: a\r\nSubject: x\n y\r\n\r\nbody\nline2\r\n", "From: a\r\nSubject: x\r\n y\r\n\r\n",
      "body\nline2\r\n", true },
    /* a CRLF last line is enough */
    { "From: a\nSubject: x\n\nbody\nlast\r\n", "From: a\r\nSubject: x\r\n\r\n", "body\nlast\r\n",
      true },
    { "From a@b.c Mon Jan  1 00:00:00 2024\nFrom: a@b.c\n\nbody\n", "From: a@b.c\n\n", "body\n",
      false },
    { "From: a@b.c\nSubject: hi\n", "From: a@b.c\nSubject: hi\n", "", false },
    { "From: a\nbad 1\nbad 2\nbad 3\nbad 4\nSubject: x\n\nbody\n", "From: a\nbad 1\nbad 2\nbad 3\n",
      "bad 4\nSubject: x\n\nbody\n", false },
    { "From: a\nContent-Type: multipart/mixed; boundary=b\n--b\nContent-Type: "
      "text/plain\n\none\n--b--\n",
      "From: a\nContent-Type: multipart/mixed; boundary=b\n",
      "--b\nContent-Type: text/plain\n\none\n--b--\n", false },
};

START_TEST(pristine_parts_as_spamassassin)
{
    struct arena *a = arena_new(4096);
    const char *raw = pristine_cases[_i].raw;
    struct mime_msg *m = parse(a, raw, strlen(raw));
    size_t hl = strlen(pristine_cases[_i].headers), bl = strlen(pristine_cases[_i].body);

    ck_assert_uint_eq(m->pristine_headers.len, hl);
    ck_assert_mem_eq(m->pristine_headers.p, pristine_cases[_i].headers, hl);
    ck_assert_uint_eq(m->pristine_body.len, bl);
    ck_assert_mem_eq(m->pristine_body.p, pristine_cases[_i].body, bl);
    ck_assert_uint_eq(m->pristine.len, hl + bl);
    ck_assert_mem_eq(m->pristine.p, pristine_cases[_i].headers, hl);
    ck_assert_mem_eq(m->pristine.p + hl, pristine_cases[_i].body, bl);
    ck_assert_int_eq(m->crlf, pristine_cases[_i].crlf);
    ck_assert_ptr_eq(m->raw.p, raw);
    arena_free(&a);
}
END_TEST

/* A 300-byte field name is cut to 256, a 9000-byte value to 8192, and
 * truncated_header set (SpamAssassin 4.0.1). */
START_TEST(long_header_name_and_value_cut)
{
    struct arena *a = arena_new(4096);
    struct buf raw;
    struct mime_msg *m;
    const struct mime_header *f;

    buf_init(&raw);
    buf_puts(&raw, "From: a\n");
    for (int i = 0; i < 300; i++)
        buf_putc(&raw, 'N');
    buf_puts(&raw, ": v\n\nbody\n");
    m = parse(a, raw.p, raw.len);
    ck_assert(m->truncated_header);
    ck_assert_uint_eq(m->root->hdrs.n, 2);
    f = m->root->hdrs.last;
    ck_assert_uint_eq(f->name.len, MIME_HDR_MAX_NAME);
    ck_assert_uint_eq(f->raw.len, 3);
    ck_assert_mem_eq(f->raw.p, " v\n", 3);

    buf_reset(&raw);
    buf_puts(&raw, "From: a\nSubject: ");
    for (int i = 0; i < 9000; i++)
        buf_putc(&raw, 'v');
    buf_puts(&raw, "\n\nbody\n");
    m = parse(a, raw.p, raw.len);
    ck_assert(m->truncated_header);
    f = mime_hdr_find(&m->root->hdrs, STRV_LIT("Subject"));
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(f->raw.len, MIME_HDR_MAX_VALUE);
    ck_assert_mem_eq(f->raw.p, " vvv", 4);
    ck_assert_uint_eq(m->root->raw.len, 5);

    /* 256 and 8192 exactly are not cut */
    buf_reset(&raw);
    for (int i = 0; i < 256; i++)
        buf_putc(&raw, 'N');
    buf_putc(&raw, ':');
    for (int i = 0; i < 8191; i++)
        buf_putc(&raw, 'v');
    buf_puts(&raw, "\n\nbody\n");
    m = parse(a, raw.p, raw.len);
    ck_assert(!m->truncated_header);
    ck_assert_uint_eq(m->root->hdrs.first->raw.len, 8192);
    buf_clear(&raw);
    arena_free(&a);
}
END_TEST

/* Body lines of a multipart over 2048 bytes are cut into 2048-byte lines
 * with "\n" added; outside a multipart they stay. SpamAssassin 4.0.1:
 * 4100 'y' -> raw of 4102 bytes, 2100 'z' -> raw of 2101 bytes. */
START_TEST(long_lines_split_in_multipart_only)
{
    struct arena *a = arena_new(4096);
    struct buf raw;
    struct mime_msg *m;
    struct mime_part *p;

    buf_init(&raw);
    buf_puts(&raw, "From: a\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\n"
                   "Content-Type: text/plain\n\n");
    for (int i = 0; i < 4100; i++)
        buf_putc(&raw, 'y');
    buf_puts(&raw, "\n--XX--\n");
    m = parse(a, raw.p, raw.len);
    p = m->root->first;
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(p->raw.len, 4102);
    ck_assert_int_eq(p->raw.p[2048], '\n');
    ck_assert_int_eq(p->raw.p[4097], '\n');
    ck_assert_mem_eq(p->raw.p + 4098, "yyyy", 4);
    ck_assert_ptr_null(memchr(p->raw.p, '\n', 2048));

    buf_reset(&raw);
    buf_puts(&raw, "From: a\n\n");
    for (int i = 0; i < 2100; i++)
        buf_putc(&raw, 'z');
    buf_puts(&raw, "\n");
    m = parse(a, raw.p, raw.len);
    ck_assert_uint_eq(m->root->raw.len, 2101);
    ck_assert_ptr_eq(memchr(m->root->raw.p, '\n', 2101), m->root->raw.p + 2100);
    buf_clear(&raw);
    arena_free(&a);
}
END_TEST

static void
build_multipart(struct buf *b, int nparts, bool closed)
{
    buf_puts(b, "From: a\nContent-Type: multipart/mixed; boundary=XX\n\n");
    for (int i = 1; i <= nparts; i++)
        buf_printf(b, "--XX\n\np%d\n", i);
    if (closed)
        buf_puts(b, "--XX--\n");
}

static size_t
nchildren(const struct mime_part *p)
{
    size_t n = 0;

    for (const struct mime_part *c = p->first; c != NULL; c = c->next)
        n++;
    return n;
}

/* SpamAssassin 4.0.1 stops a multipart at 1000 parts: 999 and 1000 parts
 * (closed) are whole; 1001 keep 1000 and set mimepart_limit_exceeded. */
static const struct {
    int nparts;
    size_t children;
    bool flag;
    const char *last;
} mp_limit_cases[] = {
    { 999, 999, false, "p999" },
    { 1000, 1000, false, "p1000" },
    { 1001, 1000, true, "p1000" },
};

START_TEST(multipart_part_limit_as_spamassassin)
{
    struct arena *a = arena_new(65536);
    struct buf raw;
    struct mime_msg *m;

    buf_init(&raw);
    build_multipart(&raw, mp_limit_cases[_i].nparts, true);
    m = parse(a, raw.p, raw.len);
    ck_assert_uint_eq(nchildren(m->root), mp_limit_cases[_i].children);
    ck_assert_int_eq(m->mimepart_limit_exceeded, mp_limit_cases[_i].flag);
    ck_assert_uint_eq(m->root->last->raw.len, strlen(mp_limit_cases[_i].last));
    ck_assert_mem_eq(m->root->last->raw.p, mp_limit_cases[_i].last, m->root->last->raw.len);
    ck_assert(!m->limit_parts);
    buf_clear(&raw);
    arena_free(&a);
}
END_TEST

START_TEST(max_multipart_parts_configurable)
{
    struct arena *a = arena_new(4096);
    struct buf raw;
    struct mime_msg *m;

    ctx.lim.max_multipart_parts = 3;
    buf_init(&raw);
    build_multipart(&raw, 5, true);
    m = parse(a, raw.p, raw.len);
    ck_assert_uint_eq(nchildren(m->root), 3);
    ck_assert(m->mimepart_limit_exceeded);
    buf_clear(&raw);
    arena_free(&a);
}
END_TEST

START_TEST(max_parts_limits_the_tree)
{
    struct arena *a = arena_new(4096);
    struct buf raw;
    struct mime_msg *m;

    ctx.lim.max_parts = 3; /* the root and two parts */
    buf_init(&raw);
    build_multipart(&raw, 5, true);
    m = parse(a, raw.p, raw.len);
    ck_assert(m->limit_parts);
    ck_assert(!m->mimepart_limit_exceeded);
    ck_assert_uint_eq(m->nparts, 3);
    ck_assert_uint_eq(nchildren(m->root), 2);
    buf_clear(&raw);

    /* under the limit: no flag */
    ctx.lim.max_parts = 100;
    buf_init(&raw);
    build_multipart(&raw, 5, true);
    m = parse(a, raw.p, raw.len);
    ck_assert(!m->limit_parts);
    ck_assert_uint_eq(m->nparts, 6);
    buf_clear(&raw);
    arena_free(&a);
}
END_TEST

START_TEST(max_headers_limits_each_block)
{
    struct arena *a = arena_new(4096);
    static const char raw[] =
        "A: 1\nB: 2\nC: 3\nD: 4\nContent-Type: multipart/mixed; boundary=X\n\n"
        "--X\nE: 5\nF: 6\nG: 7\n\nbody\n--X--\n";
    struct mime_msg *m;

    ctx.lim.max_headers = 2;
    m = parse(a, raw, sizeof(raw) - 1);
    ck_assert(m->limit_headers);
    ck_assert_uint_eq(m->root->hdrs.n, 2);
    ck_assert_mem_eq(m->root->hdrs.last->name.p, "B", 1);
    /* the Content-Type was dropped: a plain leaf */
    ck_assert_str_eq(m->root->type, "text/plain");

    ctx.lim.max_headers = 10;
    m = parse(a, raw, sizeof(raw) - 1);
    ck_assert(!m->limit_headers);
    ck_assert_uint_eq(m->root->hdrs.n, 5);
    ck_assert_uint_eq(m->root->first->hdrs.n, 3);

    ctx.lim.max_headers = 4; /* the part has 3: only the top block is cut */
    m = parse(a, raw, sizeof(raw) - 1);
    ck_assert(m->limit_headers);
    ck_assert_uint_eq(m->root->hdrs.n, 4);
    arena_free(&a);
}
END_TEST

static void
build_nested(struct buf *b, int n)
{
    buf_puts(b, "From: a\nContent-Type: multipart/mixed; boundary=b0\n\n");
    for (int i = 1; i < n; i++)
        buf_printf(b, "--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n", i - 1, i);
    buf_printf(b, "--b%d\nContent-Type: text/plain\n\ndeep\n--b%d--\n", n - 1, n - 1);
    for (int i = n - 1; i >= 1; i--)
        buf_printf(b, "--b%d--\n", i - 1);
}

static void
build_rfc822(struct buf *b, int n)
{
    for (int i = 0; i < n; i++)
        buf_puts(b, "From: a\nContent-Type: message/rfc822\n\n");
    buf_puts(b, "From: a\nContent-Type: text/plain\n\ninnermost\n");
}

/* SpamAssassin 4.0.1 parses 20 levels: 21 nested multiparts leave the
 * innermost as a multipart/mixed leaf, 21 nested messages the innermost
 * as a message/rfc822 leaf; 21 nodes either way. */
static const struct {
    bool rfc822;
    int n;
    const char *last_type, *last_raw;
    bool limit;
} depth_cases[] = {
    { false, 20, "text/plain", "deep", false },
    { false, 21, "multipart/mixed", "--b20\nContent-Type: text/plain\n\ndeep\n--b20--", true },
    { true, 20, "text/plain", "innermost\n", false },
    { true, 21, "message/rfc822", "From: a\nContent-Type: text/plain\n\ninnermost\n", true },
};

START_TEST(depth_limit_as_spamassassin)
{
    struct arena *a = arena_new(4096);
    struct buf raw;
    struct mime_msg *m;
    struct mime_part **all;
    size_t n;

    buf_init(&raw);
    if (depth_cases[_i].rfc822)
        build_rfc822(&raw, depth_cases[_i].n);
    else
        build_nested(&raw, depth_cases[_i].n);
    m = parse(a, raw.p, raw.len);
    n = mime_msg_parts(m, false, &all);
    ck_assert_uint_eq(n, 21);
    ck_assert_uint_eq(mime_msg_parts(m, true, &all), 1);
    ck_assert_str_eq(all[0]->type, depth_cases[_i].last_type);
    ck_assert(all[0]->has_raw);
    ck_assert_uint_eq(all[0]->raw.len, strlen(depth_cases[_i].last_raw));
    ck_assert_mem_eq(all[0]->raw.p, depth_cases[_i].last_raw, all[0]->raw.len);
    ck_assert_int_eq(m->limit_depth, depth_cases[_i].limit);
    buf_clear(&raw);
    arena_free(&a);
}
END_TEST

START_TEST(max_depth_configurable)
{
    struct arena *a = arena_new(4096);
    struct buf raw;
    struct mime_msg *m;
    struct mime_part **all;

    ctx.lim.max_depth = 2;
    buf_init(&raw);
    build_nested(&raw, 3);
    m = parse(a, raw.p, raw.len);
    ck_assert(m->limit_depth);
    ck_assert_uint_eq(mime_msg_parts(m, true, &all), 1);
    ck_assert_str_eq(all[0]->type, "multipart/mixed");
    ck_assert_uint_eq(all[0]->depth, 2);
    buf_clear(&raw);
    arena_free(&a);
}
END_TEST

/* find_parts(qr/./, 0) and (qr/./, 1) of this message, from SpamAssassin 4.0.1 */
START_TEST(parts_in_preorder_and_leaves_only)
{
    static const char raw[] =
        "From: a\nContent-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: "
        "multipart/alternative; boundary=i\n\n--i\nContent-Type: text/plain\n\np\n--i\n"
        "Content-Type: text/html\n\n<b>h</b>\n--i--\n--o\nContent-Type: message/rfc822\n\n"
        "Subject: in\n\nx\n--o\nContent-Type: application/pdf; name=x.pdf\n\nJVBERg==\n--o--\n";
    static const char *const all_want[] = { "multipart/mixed", "multipart/alternative",
                                            "text/plain",      "text/html",
                                            "message/rfc822",  "text/plain",
                                            "application/pdf" };
    static const char *const leaves_want[] = { "text/plain", "text/html", "text/plain",
                                               "application/pdf" };
    struct arena *a = arena_new(4096);
    struct mime_msg *m = parse(a, raw, sizeof(raw) - 1);
    struct mime_part **v;
    size_t n = mime_msg_parts(m, false, &v);

    ck_assert_uint_eq(n, 7);
    ck_assert_uint_eq(m->nparts, 7);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(v[i]->type, all_want[i]);
    ck_assert_ptr_eq(v[0], m->root);
    ck_assert(v[0]->is_message && v[5]->is_message && !v[4]->is_message);
    ck_assert_uint_eq(v[2]->depth, 2);
    ck_assert_uint_eq(v[5]->depth, 2);
    ck_assert_ptr_eq(v[5]->parent, v[4]);
    n = mime_msg_parts(m, true, &v);
    ck_assert_uint_eq(n, 4);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(v[i]->type, leaves_want[i]);
    arena_free(&a);
}
END_TEST

/* find_parts(qr/./, ...) lists only parts whose type matches /./: a
 * Content-Type made only of characters parse_content_type strips gives
 * the type "" and the part is left out; a multipart with no body lines is
 * no leaf (it has body_parts, empty). SpamAssassin 4.0.1: */
static const struct {
    const char *raw;
    const char *all[4], *leaves[4];
} listed_cases[] = {
    { "From: a\nSubject: s\nContent-Type: \"\"\n\nbody\n", { NULL }, { NULL } },
    { "From: a\nSubject: s\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: @\n\n"
      "hidden\n--B\nContent-Type: text/plain\n\nshown\n--B--\n",
      { "multipart/mixed", "text/plain", NULL },
      { "text/plain", NULL } },
    { "From: a\nSubject: s\nContent-Type: multipart/mixed; boundary=B\n\n",
      { "multipart/mixed", NULL },
      { NULL } },
};

static void
check_types(struct mime_part **v, size_t n, const char *const *want)
{
    size_t k = 0;

    while (want[k] != NULL)
        k++;
    ck_assert_uint_eq(n, k);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(v[i]->type, want[i]);
}

START_TEST(parts_listed_as_find_parts)
{
    struct arena *a = arena_new(4096);
    const char *raw = listed_cases[_i].raw;
    struct mime_msg *m = parse(a, raw, strlen(raw));
    struct mime_part **v;
    size_t n;

    n = mime_msg_parts(m, false, &v);
    check_types(v, n, listed_cases[_i].all);
    n = mime_msg_parts(m, true, &v);
    check_types(v, n, listed_cases[_i].leaves);
    arena_free(&a);
}
END_TEST

/* Node::effective_type for a part named in Content-Type (type
 * application/octet-stream) or in Content-Disposition (type text/plain).
 * From SpamAssassin 4.0.1. */
static const struct {
    const char *name;
    bool html;
} eff_cases[] = {
    { "x.HTML", true },    { "a.shtml", true },  { "a.htm", true },       { "a.shtm", true },
    { "a.Htm", true },     { ".html", true },    { "a.html.txt", false }, { "ahtml", false },
    { "a.sshtml", false }, { "a.xhtml", false }, { "html", false },       { "a. html", false },
};

START_TEST(effective_type_from_name)
{
    struct arena *a = arena_new(4096);
    char raw[256];
    struct mime_msg *m;

    snprintf(raw, sizeof(raw),
             "From: a\nContent-Type: application/octet-stream; name=\"%s\"\n\ndata\n",
             eff_cases[_i].name);
    m = parse(a, raw, strlen(raw));
    ck_assert_str_eq(m->root->type, "application/octet-stream");
    ck_assert_str_eq(mime_part_effective_type(m->root),
                     eff_cases[_i].html ? "text/html" : "application/octet-stream");
    snprintf(raw, sizeof(raw),
             "From: a\nContent-Type: text/plain\nContent-Disposition: attachment; "
             "filename=\"%s\"\n\ndata\n",
             eff_cases[_i].name);
    m = parse(a, raw, strlen(raw));
    ck_assert_str_eq(m->root->type, "text/plain");
    ck_assert_str_eq(mime_part_effective_type(m->root),
                     eff_cases[_i].html ? "text/html" : "text/plain");
    arena_free(&a);
}
END_TEST

START_TEST(effective_type_without_name)
{
    struct arena *a = arena_new(4096);
    static const char raw[] = "From: a\nContent-Type: image/gif\n\nGIF89a\n";
    struct mime_msg *m = parse(a, raw, sizeof(raw) - 1);

    ck_assert(!m->root->has_name);
    ck_assert_str_eq(mime_part_effective_type(m->root), "image/gif");
    arena_free(&a);
}
END_TEST

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

static Suite *
mime_msg_suite(void)
{
    Suite *s = suite_create("mime_msg");
    TCase *tc = tcase_create("mime_msg");

    tcase_add_checked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_loop_test(tc, tree_as_spamassassin, 0, NCASES(tree_cases));
    tcase_add_loop_test(tc, content_type_as_spamassassin, 0, NCASES(ct_cases));
    tcase_add_loop_test(tc, pristine_parts_as_spamassassin, 0, NCASES(pristine_cases));
    tcase_add_test(tc, long_header_name_and_value_cut);
    tcase_add_test(tc, long_lines_split_in_multipart_only);
    tcase_add_loop_test(tc, multipart_part_limit_as_spamassassin, 0, NCASES(mp_limit_cases));
    tcase_add_test(tc, max_multipart_parts_configurable);
    tcase_add_test(tc, max_parts_limits_the_tree);
    tcase_add_test(tc, max_headers_limits_each_block);
    tcase_add_loop_test(tc, depth_limit_as_spamassassin, 0, NCASES(depth_cases));
    tcase_add_test(tc, max_depth_configurable);
    tcase_add_test(tc, parts_in_preorder_and_leaves_only);
    tcase_add_loop_test(tc, parts_listed_as_find_parts, 0, NCASES(listed_cases));
    tcase_add_loop_test(tc, effective_type_from_name, 0, NCASES(eff_cases));
    tcase_add_test(tc, effective_type_without_name);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(mime_msg_suite());
}
