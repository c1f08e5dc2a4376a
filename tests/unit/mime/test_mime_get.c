/*
 * test_mime_get.c - header values as rules ask for them
 * (PerMsgStatus::get in list and scalar context): plain headers, the
 * modifiers, the pseudo-headers, EnvelopeFrom and the relay strings.
 * Every expected value came from SpamAssassin 4.0.1 (PerMsgStatus->get
 * after extract_message_metadata, default configuration unless a test says
 * which trusted_networks/internal_networks it set) run on the same
 * messages.
 */
#include "mime/mime_get.h"

#include <string.h>

#include "core/arena.h"
#include "core/cfg_keys.h"
#include "core/err.h"
#include "mime/mime_ctx.h"

#include "../unit.h"

/* the suffix list, relative to the repository root where `make check` runs */
#include "../mime_fixture.h"

/* Build ctx again with these trusted and internal networks (NULL: none). */
static void
ctx_with_networks(const char *trusted, const char *internal)
{
    static const char *tv[1], *iv[1];
    struct sift_err err;

    mime_ctx_clear(&ctx, &ctx_st);
    tv[0] = trusted;
    iv[0] = internal;
    mc.trusted_networks.v = tv;
    mc.trusted_networks.n = trusted != NULL;
    mc.internal_networks.v = iv;
    mc.internal_networks.n = internal != NULL;
    if (mime_ctx_init(&ctx, &ctx_st, &mc, &err) == -1)
        ck_abort_msg("mime_ctx_init: %s", err.msg);
}

static const char *const messages[] = {
    /* g1 */
    "Return-Path: <bounce@ret.example.com>\n"
    "Received: from mail.example.com (mail.example.com [192.0.2.1])\n"
    "\tby mx.local (Postfix) with ESMTP id ABC123\n"
    "\tfor <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n"
    "Received: from client.example.org (client.example.org [198.51.100.7])\n"
    "\tby mail.example.com (Postfix) with ESMTP id DEF456\n"
    "\tfor <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n"
    "From: \"Joe =?UTF-8?Q?M=C3=BCller?=\" <joe@example.com>\n"
    "To: a@x.com, \"B, C\" <b@y.org>\n"
    "To: second@z.net\n"
    "Cc: 'Quoted  Name' <c@w.com>\n"
    "Subject: =?UTF-8?B?w6k=?= subj\n"
    "Message-Id: <id1@host.example.net>\n"
    "X-Message-Id: <xid@host>\n"
    "Reply-To: r@mail.example.co.uk\n"
    "X-Originating-IP: [203.0.113.9]\n"
    "X-Multi: one\n"
    "X-Multi: two\n"
    " folded\n\n"
    "body\n",
    /* g2 */
    "X-Envelope-From: <xenv@early.example.com>\n"
    "Received: from a.example.com (a.example.com [192.0.2.10]) by mx.local (Postfix) with ESMTP id "
    "A1; Mon, 1 Jan 2024 00:00:00 +0000\n"
    "Return-Path: <ret@late.example.com>\n"
    "From: x@y.com\n\n"
    "b\n",
    /* g3 */
    "Return-Path: <ret@early.example.com>\n"
    "Received: from a.example.com (a.example.com [192.0.2.10]) by mx.local (Postfix) with ESMTP id "
    "A1; Mon, 1 Jan 2024 00:00:00 +0000\n"
    "X-Envelope-From: <xenv@late.example.com>\n"
    "From: x@y.com\n\n"
    "b\n",
    /* g4 */
    "Envelope-Sender: qmail@early.example.com\n"
    "Received: from a.example.com (a.example.com [192.0.2.10]) by mx.local (Postfix) with ESMTP id "
    "A1; Mon, 1 Jan 2024 00:00:00 +0000\n"
    "Return-Path: <ret@late.example.com>\n"
    "From: x@y.com\n\n"
    "b\n",
    /* g5 */
    "Return-Path: <ret@example.com>\n"
    "Received: from relay.example.net ([192.0.2.20] helo=relay.example.net)\n"
    "\tby mx.example.org with esmtp (Exim 4.96)\n"
    "\t(envelope-from <env@relay.example.net>)\n"
    "\tid 1abcde-000001-AB\n"
    "\tfor a@example.org; Mon, 01 Jan 2024 00:00:00 +0000\n"
    "From: x@y.com\n\n"
    "b\n",
    /* g6 */
    "X-Sender: list@lists.example.com\n"
    "Received: from pop.example.com by localhost with POP3 (fetchmail-6.4.0) for <me@localhost> "
    "(single-drop); Mon, 01 Jan 2024 00:00:00 +0000\n"
    "Return-Path: <ret@example.com>\n"
    "From: x@y.com\n\n"
    "b\n",
    /* g7 */
    "From: 'Single  Quoted' <s@example.com>, \"  spaced   name  \" <t@example.com>\n"
    "To: =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>\n"
    "Cc: undisclosed-recipients:;\n"
    "Reply-To: \"Last, First\" <lf@example.com> (comment here)\n"
    "Sender: noaddr\n"
    "Message-ID: <abc@[192.0.2.5]>\n"
    "X-Ip: host 2001:db8::1 end\n"
    "X-Ip2: 1.2.3.4.5 and 10.0.0.1.\n"
    "Resent-Message-Id: <resent@example.com>\n"
    "X-Original-Message-ID: <orig@example.com>\n\n"
    "b\n",
    /* g9 */
    "From: =?UTF-8?B?IkpvZSIg?= <j@example.com>\n"
    "To: \"=?utf-8?q?Caf=C3=A9?=\" <c@xn--caf-dma.com>, =?utf-8?q?=E6=97=A5?= <n@example.jp>\n"
    "Cc: <only@angle.com>, bare@example.org (Comment Name)\n"
    "Bcc: Group: g1@ex.com, g2@ex.com;\n"
    "Reply-To: \"\" <empty@name.com>\n"
    "Sender: \"   \" <spaces@name.com>\n"
    "X-Host: see mail.example.com. and www.example.org\n"
    "X-Host2: user@sub.example.co.uk, other.example.net\n"
    "X-Host3: foo.invalidtld bar.example.museum\n"
    "Received: from x (x [192.0.2.9]) by y; Mon, 1 Jan 2024 00:00:00 +0000\n"
    "Subject: multi\n"
    " line subject\n\n"
    "b\n",
    /* g10 */
    "X-A: <abc@mail.example.com>\n"
    "X-B: host.example.com_x other.example.net\n"
    "X-C: _www.example.com\n"
    "X-D: a@b@c.example.com\n"
    "X-E: WWW.EXAMPLE.COM\n"
    "X-F: xn--caf-dma.example.com\n"
    "X-G: caf\xc3\xa9.example.com\n"
    "X-H: http://sub.example.com/path?x=y.example.net\n"
    "X-I: 192.0.2.1 10.1.2.3\n"
    "X-J: [2001:db8::5]\n"
    "X-K: ip=::ffff:192.0.2.44\n"
    "X-L: 1.2.3.4.5.6.7.8\n"
    "X-M: 256.1.1.1 or 1.1.1.1\n"
    "Message-Id: <20240101.abc@mail.example.com>\n\n"
    "b\n",
    /* g11 */
    "X-A: [::ffff:192.0.2.44]\n"
    "X-B: [::1]\n"
    "X-C: (2001:db8::)\n"
    "X-D: 2001:db8:: end\n"
    "X-E: x::1 y\n"
    "X-F: [2001:db8::1]\n"
    "X-G: ::ffff:10.0.0.1\n\n"
    "b\n",
    /* g12 */
    "Return-Path: <ret@example.com>\n"
    "Received: from mx.corp.example (mx.corp.example [192.0.2.1]) by inbox.corp.example (Postfix) "
    "with ESMTP id Q1; Mon, 1 Jan 2024 00:00:02 +0000\n"
    "Received: from edge.corp.example (edge.corp.example [192.0.2.2]) by mx.corp.example (Postfix) "
    "with ESMTP id Q2; Mon, 1 Jan 2024 00:00:01 +0000\n"
    "Received: from spammer.example.net (spammer.example.net [198.51.100.66]) by edge.corp.example "
    "(Postfix) with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\n"
    "X-Mid: middle\n"
    "From: x@y.com\n\n"
    "b\n",
    /* g13 */
    "From: a\n"
    "X-Originating-IP: 1.2.3.4.5\n\n"
    "b\n",
    /* g14 */
    "From: a\n"
    "X-Originating-IP: [::ffff:192.0.2.44]\n\n"
    "b\n",
};

struct get_case {
    int msg; /* index into messages */
    const char *request;
    const char *list[16]; /* get() in list context, NULL-terminated */
    const char *scalar;   /* get() in scalar context ('' when nothing) */
};

/* 0 (g1): headers, modifiers, pseudo-headers; 1-5 (g2-g6): EnvelopeFrom
 * from X-Envelope-From before a Received (used), after one (none at all),
 * Envelope-Sender before and Return-Path after, the relay's envfrom, and
 * X-Sender with a fetchmail Received (none); 6 (g7): :name, :addr, :ip. */
static const struct get_case get_cases[] = {
    { 0,
      "From",
      { "\"Joe M\xc3\xbcller\" <joe@example.com>\n", NULL },
      "\"Joe M\xc3\xbcller\" <joe@example.com>\n" },
    { 0,
      "From:raw",
      { " \"Joe =?UTF-8?Q?M=C3=BCller?=\" <joe@example.com>\n", NULL },
      " \"Joe =?UTF-8?Q?M=C3=BCller?=\" <joe@example.com>\n" },
    { 0, "From:addr", { "joe@example.com", NULL }, "joe@example.com" },
    { 0, "From:name", { "Joe M\xc3\xbcller", NULL }, "Joe M\xc3\xbcller" },
    { 0,
      "From:name:raw",
      { "Joe =?UTF-8?Q?M=C3=BCller?= ", NULL },
      "Joe =?UTF-8?Q?M=C3=BCller?= " },
    { 0,
      "To",
      { "a@x.com, \"B, C\" <b@y.org>\n", "second@z.net\n", NULL },
      "a@x.com, \"B, C\" <b@y.org>\nsecond@z.net\n" },
    { 0, "To:addr", { "a@x.com", "b@y.org", "second@z.net", NULL }, "a@x.com" },
    { 0, "To:first", { "a@x.com, \"B, C\" <b@y.org>\n", NULL }, "a@x.com, \"B, C\" <b@y.org>\n" },
    { 0, "To:last", { "second@z.net\n", NULL }, "second@z.net\n" },
    { 0, "To:first:addr", { "a@x.com", "b@y.org", NULL }, "a@x.com" },
    { 0, "To:last:addr", { "second@z.net", NULL }, "second@z.net" },
    { 0,
      "ToCc",
      { "a@x.com, \"B, C\" <b@y.org>\n", "second@z.net\n", "'Quoted  Name' <c@w.com>\n", NULL },
      "a@x.com, \"B, C\" <b@y.org>\nsecond@z.net\n'Quoted  Name' <c@w.com>\n" },
    { 0,
      "ToCc:raw",
      { " a@x.com, \"B, C\" <b@y.org>\n", " second@z.net\n", " 'Quoted  Name' <c@w.com>\n", NULL },
      " a@x.com, \"B, C\" <b@y.org>\n second@z.net\n 'Quoted  Name' <c@w.com>\n" },
    { 0, "ToCc:addr", { "a@x.com", "b@y.org", "second@z.net", "c@w.com", NULL }, "a@x.com" },
    { 0,
      "tocc",
      { "a@x.com, \"B, C\" <b@y.org>\n", "second@z.net\n", "'Quoted  Name' <c@w.com>\n", NULL },
      "a@x.com, \"B, C\" <b@y.org>\nsecond@z.net\n'Quoted  Name' <c@w.com>\n" },
    { 0,
      "MESSAGEID",
      { "<xid@host>\n", "<id1@host.example.net>\n", NULL },
      "<xid@host>\n<id1@host.example.net>\n" },
    { 0,
      "MESSAGEID:raw",
      { " <xid@host>\n", " <id1@host.example.net>\n", NULL },
      " <xid@host>\n <id1@host.example.net>\n" },
    { 0, "messageid", { NULL }, "" },
    { 0, "Message-Id", { "<id1@host.example.net>\n", NULL }, "<id1@host.example.net>\n" },
    { 0, "Message-Id:host", { "host.example.net", NULL }, "host.example.net" },
    { 0, "Message-Id:domain", { "example.net", NULL }, "example.net" },
    { 0, "EnvelopeFrom", { "bounce@ret.example.com", NULL }, "bounce@ret.example.com" },
    { 0, "envelopefrom", { "bounce@ret.example.com", NULL }, "bounce@ret.example.com" },
    { 0, "Return-Path:addr", { "bounce@ret.example.com", NULL }, "bounce@ret.example.com" },
    { 0, "Received:ip", { "192.0.2.1", "198.51.100.7", NULL }, "192.0.2.1" },
    { 0, "Received:revip", { "1.2.0.192", "7.100.51.198", NULL }, "1.2.0.192" },
    { 0, "Received:first:ip", { "192.0.2.1", NULL }, "192.0.2.1" },
    { 0, "Received:last:ip", { "198.51.100.7", NULL }, "198.51.100.7" },
    { 0, "Received:host", { "x.com", "x.com", NULL }, "x.com" },
    { 0, "Received:domain", { "x.com", "x.com", NULL }, "x.com" },
    { 0, "Reply-To:domain", { "example.co.uk", NULL }, "example.co.uk" },
    { 0, "Reply-To:host", { "mail.example.co.uk", NULL }, "mail.example.co.uk" },
    { 0, "Reply-To:addr:domain", { "example.co.uk", NULL }, "example.co.uk" },
    { 0, "Reply-To:addr:host", { "mail.example.co.uk", NULL }, "mail.example.co.uk" },
    { 0, "X-Originating-IP:ip", { "203.0.113.9", NULL }, "203.0.113.9" },
    { 0, "X-Originating-IP:revip", { "9.113.0.203", NULL }, "9.113.0.203" },
    { 0, "X-Multi", { "one\n", "two folded\n", NULL }, "one\ntwo folded\n" },
    { 0, "X-Multi:raw", { " one\n", " two\n folded\n", NULL }, " one\n two\n folded\n" },
    { 0, "X-Multi:first", { "one\n", NULL }, "one\n" },
    { 0, "X-Multi:last", { "two folded\n", NULL }, "two folded\n" },
    { 0, "X-Multi:raw:last", { " two\n folded\n", NULL }, " two\n folded\n" },
    { 0,
      "ALL",
      { "Return-Path: <bounce@ret.example.com>\n",
        "Received: from mail.example.com (mail.example.com [192.0.2.1]) by mx.local (Postfix) with "
        "ESMTP id ABC123 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n",
        "Received: from client.example.org (client.example.org [198.51.100.7]) by mail.example.com "
        "(Postfix) with ESMTP id DEF456 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n",
        "From: \"Joe M\xc3\xbcller\" <joe@example.com>\n", "To: a@x.com, \"B, C\" <b@y.org>\n",
        "To: second@z.net\n", "Cc: 'Quoted  Name' <c@w.com>\n", "Subject: \xc3\xa9 subj\n",
        "Message-Id: <id1@host.example.net>\n", "X-Message-Id: <xid@host>\n",
        "Reply-To: r@mail.example.co.uk\n", "X-Originating-IP: [203.0.113.9]\n", "X-Multi: one\n",
        "X-Multi: two folded\n", NULL },
      "Return-Path: <bounce@ret.example.com>\nReceived: from mail.example.com (mail.example.com "
      "[192.0.2.1]) by mx.local (Postfix) with ESMTP id ABC123 for <a@x.com>; Mon, 1 Jan 2024 "
      "00:00:00 +0000\nReceived: from client.example.org (client.example.org [198.51.100.7]) by "
      "mail.example.com (Postfix) with ESMTP id DEF456 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 "
      "+0000\nFrom: \"Joe M\xc3\xbcller\" <joe@example.com>\nTo: a@x.com, \"B, C\" <b@y.org>\nTo: "
      "second@z.net\nCc: 'Quoted  Name' <c@w.com>\nSubject: \xc3\xa9 subj\nMessage-Id: "
      "<id1@host.example.net>\nX-Message-Id: <xid@host>\nReply-To: "
      "r@mail.example.co.uk\nX-Originating-IP: [203.0.113.9]\nX-Multi: one\nX-Multi: two "
      "folded\n" },
    { 0,
      "ALL:raw",
      { "Return-Path: <bounce@ret.example.com>\n",
        "Received: from mail.example.com (mail.example.com [192.0.2.1])\n\tby mx.local (Postfix) "
        "with ESMTP id ABC123\n\tfor <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n",
        "Received: from client.example.org (client.example.org [198.51.100.7])\n\tby "
        "mail.example.com (Postfix) with ESMTP id DEF456\n\tfor <a@x.com>; Mon, 1 Jan 2024 "
        "00:00:00 +0000\n",
        "From: \"Joe =?UTF-8?Q?M=C3=BCller?=\" <joe@example.com>\n",
        "To: a@x.com, \"B, C\" <b@y.org>\n", "To: second@z.net\n", "Cc: 'Quoted  Name' <c@w.com>\n",
        "Subject: =?UTF-8?B?w6k=?= subj\n", "Message-Id: <id1@host.example.net>\n",
        "X-Message-Id: <xid@host>\n", "Reply-To: r@mail.example.co.uk\n",
        "X-Originating-IP: [203.0.113.9]\n", "X-Multi: one\n", "X-Multi: two\n folded\n", NULL },
      "Return-Path: <bounce@ret.example.com>\nReceived: from mail.example.com (mail.example.com "
      "[192.0.2.1])\n\tby mx.local (Postfix) with ESMTP id ABC123\n\tfor <a@x.com>; Mon, 1 Jan "
      "2024 00:00:00 +0000\nReceived: from client.example.org (client.example.org "
      "[198.51.100.7])\n\tby mail.example.com (Postfix) with ESMTP id DEF456\n\tfor <a@x.com>; "
      "Mon, 1 Jan 2024 00:00:00 +0000\nFrom: \"Joe =?UTF-8?Q?M=C3=BCller?=\" "
      "<joe@example.com>\nTo: a@x.com, \"B, C\" <b@y.org>\nTo: second@z.net\nCc: 'Quoted  Name' "
      "<c@w.com>\nSubject: =?UTF-8?B?w6k=?= subj\nMessage-Id: "
      "<id1@host.example.net>\nX-Message-Id: <xid@host>\nReply-To: "
      "r@mail.example.co.uk\nX-Originating-IP: [203.0.113.9]\nX-Multi: one\nX-Multi: two\n "
      "folded\n" },
    { 0,
      "ALL-TRUSTED",
      { "Return-Path: <bounce@ret.example.com>\n",
        "Received: from mail.example.com (mail.example.com [192.0.2.1]) by mx.local (Postfix) with "
        "ESMTP id ABC123 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n",
        NULL },
      "Return-Path: <bounce@ret.example.com>\nReceived: from mail.example.com (mail.example.com "
      "[192.0.2.1]) by mx.local (Postfix) with ESMTP id ABC123 for <a@x.com>; Mon, 1 Jan 2024 "
      "00:00:00 +0000\n" },
    { 0,
      "ALL-UNTRUSTED",
      { "Received: from mail.example.com (mail.example.com [192.0.2.1]) by mx.local (Postfix) with "
        "ESMTP id ABC123 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n",
        "Received: from client.example.org (client.example.org [198.51.100.7]) by mail.example.com "
        "(Postfix) with ESMTP id DEF456 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n",
        "From: \"Joe M\xc3\xbcller\" <joe@example.com>\n", "To: a@x.com, \"B, C\" <b@y.org>\n",
        "To: second@z.net\n", "Cc: 'Quoted  Name' <c@w.com>\n", "Subject: \xc3\xa9 subj\n",
        "Message-Id: <id1@host.example.net>\n", "X-Message-Id: <xid@host>\n",
        "Reply-To: r@mail.example.co.uk\n", "X-Originating-IP: [203.0.113.9]\n", "X-Multi: one\n",
        "X-Multi: two folded\n", NULL },
      "Received: from mail.example.com (mail.example.com [192.0.2.1]) by mx.local (Postfix) with "
      "ESMTP id ABC123 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\nReceived: from "
      "client.example.org (client.example.org [198.51.100.7]) by mail.example.com (Postfix) with "
      "ESMTP id DEF456 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\nFrom: \"Joe M\xc3\xbcller\" "
      "<joe@example.com>\nTo: a@x.com, \"B, C\" <b@y.org>\nTo: second@z.net\nCc: 'Quoted  Name' "
      "<c@w.com>\nSubject: \xc3\xa9 subj\nMessage-Id: <id1@host.example.net>\nX-Message-Id: "
      "<xid@host>\nReply-To: r@mail.example.co.uk\nX-Originating-IP: [203.0.113.9]\nX-Multi: "
      "one\nX-Multi: two folded\n" },
    { 0,
      "ALL-INTERNAL",
      { "Return-Path: <bounce@ret.example.com>\n",
        "Received: from mail.example.com (mail.example.com [192.0.2.1]) by mx.local (Postfix) with "
        "ESMTP id ABC123 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n",
        NULL },
      "Return-Path: <bounce@ret.example.com>\nReceived: from mail.example.com (mail.example.com "
      "[192.0.2.1]) by mx.local (Postfix) with ESMTP id ABC123 for <a@x.com>; Mon, 1 Jan 2024 "
      "00:00:00 +0000\n" },
    { 0,
      "ALL-EXTERNAL",
      { "Received: from mail.example.com (mail.example.com [192.0.2.1]) by mx.local (Postfix) with "
        "ESMTP id ABC123 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n",
        "Received: from client.example.org (client.example.org [198.51.100.7]) by mail.example.com "
        "(Postfix) with ESMTP id DEF456 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n",
        "From: \"Joe M\xc3\xbcller\" <joe@example.com>\n", "To: a@x.com, \"B, C\" <b@y.org>\n",
        "To: second@z.net\n", "Cc: 'Quoted  Name' <c@w.com>\n", "Subject: \xc3\xa9 subj\n",
        "Message-Id: <id1@host.example.net>\n", "X-Message-Id: <xid@host>\n",
        "Reply-To: r@mail.example.co.uk\n", "X-Originating-IP: [203.0.113.9]\n", "X-Multi: one\n",
        "X-Multi: two folded\n", NULL },
      "Received: from mail.example.com (mail.example.com [192.0.2.1]) by mx.local (Postfix) with "
      "ESMTP id ABC123 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\nReceived: from "
      "client.example.org (client.example.org [198.51.100.7]) by mail.example.com (Postfix) with "
      "ESMTP id DEF456 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\nFrom: \"Joe M\xc3\xbcller\" "
      "<joe@example.com>\nTo: a@x.com, \"B, C\" <b@y.org>\nTo: second@z.net\nCc: 'Quoted  Name' "
      "<c@w.com>\nSubject: \xc3\xa9 subj\nMessage-Id: <id1@host.example.net>\nX-Message-Id: "
      "<xid@host>\nReply-To: r@mail.example.co.uk\nX-Originating-IP: [203.0.113.9]\nX-Multi: "
      "one\nX-Multi: two folded\n" },
    { 0,
      "ALL-TRUSTED:raw",
      { "Return-Path: <bounce@ret.example.com>\n",
        "Received: from mail.example.com (mail.example.com [192.0.2.1])\n\tby mx.local (Postfix) "
        "with ESMTP id ABC123\n\tfor <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n",
        NULL },
      "Return-Path: <bounce@ret.example.com>\nReceived: from mail.example.com (mail.example.com "
      "[192.0.2.1])\n\tby mx.local (Postfix) with ESMTP id ABC123\n\tfor <a@x.com>; Mon, 1 Jan "
      "2024 00:00:00 +0000\n" },
    { 0,
      "ALL-UNTRUSTED:raw",
      { "Received: from mail.example.com (mail.example.com [192.0.2.1])\n\tby mx.local (Postfix) "
        "with ESMTP id ABC123\n\tfor <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n",
        "Received: from client.example.org (client.example.org [198.51.100.7])\n\tby "
        "mail.example.com (Postfix) with ESMTP id DEF456\n\tfor <a@x.com>; Mon, 1 Jan 2024 "
        "00:00:00 +0000\n",
        "From: \"Joe =?UTF-8?Q?M=C3=BCller?=\" <joe@example.com>\n",
        "To: a@x.com, \"B, C\" <b@y.org>\n", "To: second@z.net\n", "Cc: 'Quoted  Name' <c@w.com>\n",
        "Subject: =?UTF-8?B?w6k=?= subj\n", "Message-Id: <id1@host.example.net>\n",
        "X-Message-Id: <xid@host>\n", "Reply-To: r@mail.example.co.uk\n",
        "X-Originating-IP: [203.0.113.9]\n", "X-Multi: one\n", "X-Multi: two\n folded\n", NULL },
      "Received: from mail.example.com (mail.example.com [192.0.2.1])\n\tby mx.local (Postfix) "
      "with ESMTP id ABC123\n\tfor <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\nReceived: from "
      "client.example.org (client.example.org [198.51.100.7])\n\tby mail.example.com (Postfix) "
      "with ESMTP id DEF456\n\tfor <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\nFrom: \"Joe "
      "=?UTF-8?Q?M=C3=BCller?=\" <joe@example.com>\nTo: a@x.com, \"B, C\" <b@y.org>\nTo: "
      "second@z.net\nCc: 'Quoted  Name' <c@w.com>\nSubject: =?UTF-8?B?w6k=?= subj\nMessage-Id: "
      "<id1@host.example.net>\nX-Message-Id: <xid@host>\nReply-To: "
      "r@mail.example.co.uk\nX-Originating-IP: [203.0.113.9]\nX-Multi: one\nX-Multi: two\n "
      "folded\n" },
    { 0,
      "X-Spam-Relays-Untrusted",
      { "[ ip=192.0.2.1 rdns=mail.example.com helo=mail.example.com by=mx.local ident= envfrom= "
        "intl=0 id=ABC123 auth= msa=0 ] [ ip=198.51.100.7 rdns=client.example.org "
        "helo=client.example.org by=mail.example.com ident= envfrom= intl=0 id=DEF456 auth= msa=0 "
        "] [ ip=203.0.113.9 rdns= helo= by= ident= envfrom= intl=0 id= auth= msa=0 ]",
        NULL },
      "[ ip=192.0.2.1 rdns=mail.example.com helo=mail.example.com by=mx.local ident= envfrom= "
      "intl=0 id=ABC123 auth= msa=0 ] [ ip=198.51.100.7 rdns=client.example.org "
      "helo=client.example.org by=mail.example.com ident= envfrom= intl=0 id=DEF456 auth= msa=0 ] "
      "[ ip=203.0.113.9 rdns= helo= by= ident= envfrom= intl=0 id= auth= msa=0 ]" },
    { 0, "X-Spam-Relays-Trusted", { "", NULL }, "" },
    { 0, "X-Spam-Relays-Internal", { "", NULL }, "" },
    { 0,
      "X-Spam-Relays-External",
      { "[ ip=192.0.2.1 rdns=mail.example.com helo=mail.example.com by=mx.local ident= envfrom= "
        "intl=0 id=ABC123 auth= msa=0 ] [ ip=198.51.100.7 rdns=client.example.org "
        "helo=client.example.org by=mail.example.com ident= envfrom= intl=0 id=DEF456 auth= msa=0 "
        "] [ ip=203.0.113.9 rdns= helo= by= ident= envfrom= intl=0 id= auth= msa=0 ]",
        NULL },
      "[ ip=192.0.2.1 rdns=mail.example.com helo=mail.example.com by=mx.local ident= envfrom= "
      "intl=0 id=ABC123 auth= msa=0 ] [ ip=198.51.100.7 rdns=client.example.org "
      "helo=client.example.org by=mail.example.com ident= envfrom= intl=0 id=DEF456 auth= msa=0 ] "
      "[ ip=203.0.113.9 rdns= helo= by= ident= envfrom= intl=0 id= auth= msa=0 ]" },
    { 0,
      "x-spam-relays-untrusted",
      { "[ ip=192.0.2.1 rdns=mail.example.com helo=mail.example.com by=mx.local ident= envfrom= "
        "intl=0 id=ABC123 auth= msa=0 ] [ ip=198.51.100.7 rdns=client.example.org "
        "helo=client.example.org by=mail.example.com ident= envfrom= intl=0 id=DEF456 auth= msa=0 "
        "] [ ip=203.0.113.9 rdns= helo= by= ident= envfrom= intl=0 id= auth= msa=0 ]",
        NULL },
      "[ ip=192.0.2.1 rdns=mail.example.com helo=mail.example.com by=mx.local ident= envfrom= "
      "intl=0 id=ABC123 auth= msa=0 ] [ ip=198.51.100.7 rdns=client.example.org "
      "helo=client.example.org by=mail.example.com ident= envfrom= intl=0 id=DEF456 auth= msa=0 ] "
      "[ ip=203.0.113.9 rdns= helo= by= ident= envfrom= intl=0 id= auth= msa=0 ]" },
    { 0, "NoSuch", { NULL }, "" },
    { 0, "NoSuch:addr", { NULL }, "" },
    { 0, "NoSuch:raw", { NULL }, "" },
    { 0, "NoSuch:first", { NULL }, "" },
    { 0, "Subject", { "\xc3\xa9 subj\n", NULL }, "\xc3\xa9 subj\n" },
    { 0, "Subject:raw", { " =?UTF-8?B?w6k=?= subj\n", NULL }, " =?UTF-8?B?w6k=?= subj\n" },
    { 0, "subject", { "\xc3\xa9 subj\n", NULL }, "\xc3\xa9 subj\n" },
    { 0,
      "From:nosuchmod",
      { "\"Joe M\xc3\xbcller\" <joe@example.com>\n", NULL },
      "\"Joe M\xc3\xbcller\" <joe@example.com>\n" },
    { 1, "EnvelopeFrom", { "xenv@early.example.com", NULL }, "xenv@early.example.com" },
    { 2, "EnvelopeFrom", { NULL }, "" },
    { 3, "EnvelopeFrom", { "qmail@early.example.com", NULL }, "qmail@early.example.com" },
    { 4, "EnvelopeFrom", { "env@relay.example.net", NULL }, "env@relay.example.net" },
    { 5, "EnvelopeFrom", { NULL }, "" },
    { 6, "From:name", { "Single Quoted", "spaced name", NULL }, "Single Quoted" },
    { 6, "From:addr", { "s@example.com", "t@example.com", NULL }, "s@example.com" },
    { 6,
      "From:name:raw",
      { "'Single  Quoted' ", "  spaced   name   ", NULL },
      "'Single  Quoted' " },
    { 6, "To:name", { "Andr\xc3\xa9 Pirard", NULL }, "Andr\xc3\xa9 Pirard" },
    { 6, "To:addr", { "PIRARD@vm1.ulg.ac.be", NULL }, "PIRARD@vm1.ulg.ac.be" },
    { 6, "Cc:addr", { NULL }, "" },
    { 6, "Cc:name", { NULL }, "" },
    { 6, "Reply-To:name", { "Last, First", NULL }, "Last, First" },
    { 6, "Reply-To:addr", { "lf@example.com", NULL }, "lf@example.com" },
    { 6, "Sender:addr", { NULL }, "" },
    { 6, "Sender:name", { "noaddr", NULL }, "noaddr" },
    { 6, "Message-ID:ip", { "192.0.2.5", NULL }, "192.0.2.5" },
    { 6, "Message-ID:revip", { "5.2.0.192", NULL }, "5.2.0.192" },
    { 6, "X-Ip:ip", { "2001:db8::1", NULL }, "2001:db8::1" },
    { 6,
      "X-Ip:revip",
      { "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2", NULL },
      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2" },
    { 6, "X-Ip2:ip", { NULL }, "" },
    { 6,
      "MESSAGEID",
      { "<resent@example.com>\n", "<orig@example.com>\n", "<abc@[192.0.2.5]>\n", NULL },
      "<resent@example.com>\n<orig@example.com>\n<abc@[192.0.2.5]>\n" },
    { 6, "From:host", { "example.com", NULL }, "example.com" },
    { 6, "From:addr:host", { "example.com", "example.com", NULL }, "example.com" },
    { 6, "To:domain", { "ulg.ac.be", NULL }, "ulg.ac.be" },
};

static void
check_get(struct mime_msg *m, const struct get_case *c)
{
    const struct mime_get *g = mime_get(m, c->request);
    size_t n = 0;
    bool found;
    struct strv s;

    while (c->list[n] != NULL)
        n++;
    for (size_t i = 0; i < n && i < g->n; i++)
        ck_assert_msg(g->v[i].len == strlen(c->list[i]) &&
                          memcmp(g->v[i].p, c->list[i], g->v[i].len) == 0,
                      "%s [%zu]: got '%.*s', want '%s'", c->request, i, (int)g->v[i].len, g->v[i].p,
                      c->list[i]);
    ck_assert_msg(g->n == n, "%s: %zu values, want %zu (last got: '%.*s')", c->request, g->n, n,
                  g->n ? (int)g->v[g->n - 1].len : 0, g->n ? g->v[g->n - 1].p : "");
    s = mime_get_scalar(m, c->request, &found);
    ck_assert_msg(found == (n > 0), "%s: found %d", c->request, found);
    ck_assert_msg(s.len == strlen(c->scalar) && memcmp(s.p, c->scalar, s.len) == 0,
                  "%s scalar: got '%.*s', want '%s'", c->request, (int)s.len, s.p, c->scalar);
    /* asked again: the cached result */
    ck_assert_ptr_eq(mime_get(m, c->request), g);
}

static void
run_case(const struct get_case *c)
{
    struct arena *a = arena_new(4096);
    const char *raw = messages[c->msg];
    struct mime_msg *m = mime_msg_parse(&ctx, a, raw, strlen(raw));

    check_get(m, c);
    arena_free(&a);
}

START_TEST(get_as_spamassassin)
{
    run_case(&get_cases[_i]);
}
END_TEST

/* ALL and ALL-* return before any modifier is applied in SA's _get: with
 * :first, :last or :addr the list is still every header (scalar :addr:
 * the first, without its newline). From SpamAssassin 4.0.1 on message g1. */
static const struct get_case all_mod_cases[] = {
    { 0,
      "ALL:first",
      { "Return-Path: <bounce@ret.example.com>\n",
        "Received: from mail.example.com (mail.example.com [192.0.2.1]) by mx.local (Postfix) with "
        "ESMTP id ABC123 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n",
        "Received: from client.example.org (client.example.org [198.51.100.7]) by mail.example.com "
        "(Postfix) with ESMTP id DEF456 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n",
        "From: \"Joe M\xc3\xbcller\" <joe@example.com>\n", "To: a@x.com, \"B, C\" <b@y.org>\n",
        "To: second@z.net\n", "Cc: 'Quoted  Name' <c@w.com>\n", "Subject: \xc3\xa9 subj\n",
        "Message-Id: <id1@host.example.net>\n", "X-Message-Id: <xid@host>\n",
        "Reply-To: r@mail.example.co.uk\n", "X-Originating-IP: [203.0.113.9]\n", "X-Multi: one\n",
        "X-Multi: two folded\n", NULL },
      "Return-Path: <bounce@ret.example.com>\nReceived: from mail.example.com (mail.example.com "
      "[192.0.2.1]) by mx.local (Postfix) with ESMTP id ABC123 for <a@x.com>; Mon, 1 Jan 2024 "
      "00:00:00 +0000\nReceived: from client.example.org (client.example.org [198.51.100.7]) by "
      "mail.example.com (Postfix) with ESMTP id DEF456 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 "
      "+0000\nFrom: \"Joe M\xc3\xbcller\" <joe@example.com>\nTo: a@x.com, \"B, C\" <b@y.org>\nTo: "
      "second@z.net\nCc: 'Quoted  Name' <c@w.com>\nSubject: \xc3\xa9 subj\nMessage-Id: "
      "<id1@host.example.net>\nX-Message-Id: <xid@host>\nReply-To: "
      "r@mail.example.co.uk\nX-Originating-IP: [203.0.113.9]\nX-Multi: one\nX-Multi: two "
      "folded\n" },
    { 0,
      "ALL:last",
      { "Return-Path: <bounce@ret.example.com>\n",
        "Received: from mail.example.com (mail.example.com [192.0.2.1]) by mx.local (Postfix) with "
        "ESMTP id ABC123 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n",
        "Received: from client.example.org (client.example.org [198.51.100.7]) by mail.example.com "
        "(Postfix) with ESMTP id DEF456 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n",
        "From: \"Joe M\xc3\xbcller\" <joe@example.com>\n", "To: a@x.com, \"B, C\" <b@y.org>\n",
        "To: second@z.net\n", "Cc: 'Quoted  Name' <c@w.com>\n", "Subject: \xc3\xa9 subj\n",
        "Message-Id: <id1@host.example.net>\n", "X-Message-Id: <xid@host>\n",
        "Reply-To: r@mail.example.co.uk\n", "X-Originating-IP: [203.0.113.9]\n", "X-Multi: one\n",
        "X-Multi: two folded\n", NULL },
      "Return-Path: <bounce@ret.example.com>\nReceived: from mail.example.com (mail.example.com "
      "[192.0.2.1]) by mx.local (Postfix) with ESMTP id ABC123 for <a@x.com>; Mon, 1 Jan 2024 "
      "00:00:00 +0000\nReceived: from client.example.org (client.example.org [198.51.100.7]) by "
      "mail.example.com (Postfix) with ESMTP id DEF456 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 "
      "+0000\nFrom: \"Joe M\xc3\xbcller\" <joe@example.com>\nTo: a@x.com, \"B, C\" <b@y.org>\nTo: "
      "second@z.net\nCc: 'Quoted  Name' <c@w.com>\nSubject: \xc3\xa9 subj\nMessage-Id: "
      "<id1@host.example.net>\nX-Message-Id: <xid@host>\nReply-To: "
      "r@mail.example.co.uk\nX-Originating-IP: [203.0.113.9]\nX-Multi: one\nX-Multi: two "
      "folded\n" },
    { 0,
      "ALL:addr",
      { "Return-Path: <bounce@ret.example.com>\n",
        "Received: from mail.example.com (mail.example.com [192.0.2.1]) by mx.local (Postfix) with "
        "ESMTP id ABC123 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n",
        "Received: from client.example.org (client.example.org [198.51.100.7]) by mail.example.com "
        "(Postfix) with ESMTP id DEF456 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n",
        "From: \"Joe M\xc3\xbcller\" <joe@example.com>\n", "To: a@x.com, \"B, C\" <b@y.org>\n",
        "To: second@z.net\n", "Cc: 'Quoted  Name' <c@w.com>\n", "Subject: \xc3\xa9 subj\n",
        "Message-Id: <id1@host.example.net>\n", "X-Message-Id: <xid@host>\n",
        "Reply-To: r@mail.example.co.uk\n", "X-Originating-IP: [203.0.113.9]\n", "X-Multi: one\n",
        "X-Multi: two folded\n", NULL },
      "Return-Path: <bounce@ret.example.com>" },
    { 0,
      "ALL-UNTRUSTED:first",
      { "Received: from mail.example.com (mail.example.com [192.0.2.1]) by mx.local (Postfix) with "
        "ESMTP id ABC123 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n",
        "Received: from client.example.org (client.example.org [198.51.100.7]) by mail.example.com "
        "(Postfix) with ESMTP id DEF456 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n",
        "From: \"Joe M\xc3\xbcller\" <joe@example.com>\n", "To: a@x.com, \"B, C\" <b@y.org>\n",
        "To: second@z.net\n", "Cc: 'Quoted  Name' <c@w.com>\n", "Subject: \xc3\xa9 subj\n",
        "Message-Id: <id1@host.example.net>\n", "X-Message-Id: <xid@host>\n",
        "Reply-To: r@mail.example.co.uk\n", "X-Originating-IP: [203.0.113.9]\n", "X-Multi: one\n",
        "X-Multi: two folded\n", NULL },
      "Received: from mail.example.com (mail.example.com [192.0.2.1]) by mx.local (Postfix) with "
      "ESMTP id ABC123 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\nReceived: from "
      "client.example.org (client.example.org [198.51.100.7]) by mail.example.com (Postfix) with "
      "ESMTP id DEF456 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\nFrom: \"Joe M\xc3\xbcller\" "
      "<joe@example.com>\nTo: a@x.com, \"B, C\" <b@y.org>\nTo: second@z.net\nCc: 'Quoted  Name' "
      "<c@w.com>\nSubject: \xc3\xa9 subj\nMessage-Id: <id1@host.example.net>\nX-Message-Id: "
      "<xid@host>\nReply-To: r@mail.example.co.uk\nX-Originating-IP: [203.0.113.9]\nX-Multi: "
      "one\nX-Multi: two folded\n" },
    { 0,
      "ALL-TRUSTED:last",
      { "Return-Path: <bounce@ret.example.com>\n",
        "Received: from mail.example.com (mail.example.com [192.0.2.1]) by mx.local (Postfix) with "
        "ESMTP id ABC123 for <a@x.com>; Mon, 1 Jan 2024 00:00:00 +0000\n",
        NULL },
      "Return-Path: <bounce@ret.example.com>\nReceived: from mail.example.com (mail.example.com "
      "[192.0.2.1]) by mx.local (Postfix) with ESMTP id ABC123 for <a@x.com>; Mon, 1 Jan 2024 "
      "00:00:00 +0000\n" },
};

START_TEST(all_requests_ignore_modifiers)
{
    run_case(&all_mod_cases[_i]);
}
END_TEST

/* :name, :addr, :host, :domain, :ip and :revip on harder values: g9
 * (encoded names, groups, comments, host names in text), g10 (hosts next
 * to '.', '_', '@', IDN, URLs; IPs), g11 (IPv6 next to brackets and "::"). */
static const struct get_case host_ip_cases[] = {
    { 7, "From:name", { "\"Joe\"", NULL }, "\"Joe\"" },
    { 7, "To:name", { "Caf\xc3\xa9", "\xe6\x97\xa5", NULL }, "Caf\xc3\xa9" },
    { 7, "To:addr", { "c@xn--caf-dma.com", "n@example.jp", NULL }, "c@xn--caf-dma.com" },
    { 7, "Cc:addr", { "only@angle.com", "bare@example.org", NULL }, "only@angle.com" },
    { 7, "Cc:name", { "Comment Name", NULL }, "Comment Name" },
    { 7, "Bcc:addr", { "g1@ex.com", "g2@ex.com", NULL }, "g1@ex.com" },
    { 7, "Bcc:name", { NULL }, "" },
    { 7, "Reply-To:name", { " ", NULL }, " " },
    { 7, "Sender:name", { "    ", NULL }, "    " },
    { 7, "X-Host:host", { "www.example.org", NULL }, "www.example.org" },
    { 7, "X-Host:domain", { "example.org", NULL }, "example.org" },
    { 7, "X-Host2:host", { "sub.example.co.uk", NULL }, "sub.example.co.uk" },
    { 7, "X-Host2:domain", { "example.co.uk", NULL }, "example.co.uk" },
    { 7, "X-Host3:host", { "bar.example.museum", NULL }, "bar.example.museum" },
    { 7, "To:addr:host", { "xn--caf-dma.com", "example.jp", NULL }, "xn--caf-dma.com" },
    { 7, "To:addr:domain", { "xn--caf-dma.com", "example.jp", NULL }, "xn--caf-dma.com" },
    { 7, "To:domain", { "example.jp", NULL }, "example.jp" },
    { 7, "Subject", { "multi line subject\n", NULL }, "multi line subject\n" },
    { 7, "Subject:raw", { " multi\n line subject\n", NULL }, " multi\n line subject\n" },
    { 7, "ToCc:name", { "Caf\xc3\xa9", "\xe6\x97\xa5", "Comment Name", NULL }, "Caf\xc3\xa9" },
    { 7,
      "ToCc:raw:name",
      { "=?utf-8?q?Caf=C3=A9?= ", "=?utf-8?q?=E6=97=A5?= ", "Comment Name", NULL },
      "=?utf-8?q?Caf=C3=A9?= " },
    { 7, "From:raw:name", { "=?UTF-8?B?IkpvZSIg?= ", NULL }, "=?UTF-8?B?IkpvZSIg?= " },
    { 8, "X-A:host", { "mail.example.com", NULL }, "mail.example.com" },
    { 8, "X-A:domain", { "example.com", NULL }, "example.com" },
    { 8, "X-B:host", { "other.example.net", NULL }, "other.example.net" },
    { 8, "X-C:host", { "_www.example.com", NULL }, "_www.example.com" },
    { 8, "X-D:host", { "c.example.com", NULL }, "c.example.com" },
    { 8, "X-D:domain", { "example.com", NULL }, "example.com" },
    { 8, "X-E:host", { "WWW.EXAMPLE.COM", NULL }, "WWW.EXAMPLE.COM" },
    { 8, "X-E:domain", { "example.com", NULL }, "example.com" },
    { 8, "X-F:host", { "xn--caf-dma.example.com", NULL }, "xn--caf-dma.example.com" },
    { 8, "X-F:domain", { "example.com", NULL }, "example.com" },
    { 8, "X-G:host", { "caf\xc3\xa9.example.com", NULL }, "caf\xc3\xa9.example.com" },
    { 8, "X-G:domain", { "example.com", NULL }, "example.com" },
    { 8, "X-H:host", { NULL }, "" },
    { 8, "X-H:domain", { NULL }, "" },
    { 8, "X-I:ip", { "192.0.2.1", NULL }, "192.0.2.1" },
    { 8, "X-I:revip", { "1.2.0.192", NULL }, "1.2.0.192" },
    { 8, "X-J:ip", { "2001:db8::5", NULL }, "2001:db8::5" },
    { 8,
      "X-J:revip",
      { "5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2", NULL },
      "5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2" },
    { 8, "X-K:ip", { NULL }, "" },
    { 8, "X-L:ip", { NULL }, "" },
    { 8, "X-M:ip", { "1.1.1.1", NULL }, "1.1.1.1" },
    { 8, "Message-Id:host", { "mail.example.com", NULL }, "mail.example.com" },
    { 8, "Message-Id:domain", { "example.com", NULL }, "example.com" },
    { 9, "X-A:ip", { NULL }, "" },
    { 9, "X-B:ip", { NULL }, "" },
    { 9, "X-C:ip", { NULL }, "" },
    { 9, "X-D:ip", { NULL }, "" },
    { 9, "X-E:ip", { "::1", NULL }, "::1" },
    { 9, "X-F:ip", { "2001:db8::1", NULL }, "2001:db8::1" },
    { 9, "X-G:ip", { NULL }, "" },
    { 9,
      "X-F:revip",
      { "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2", NULL },
      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2" },
};

START_TEST(host_ip_name_as_spamassassin)
{
    run_case(&host_ip_cases[_i]);
}
END_TEST

/* X-Originating-IP becomes one more relay: SA takes the first
 * $IP_ADDRESS match in it (Received.pm m/($IP_ADDRESS)/), even inside a
 * longer dotted run. g13: 1.2.3.4.5; g14: [::ffff:192.0.2.44]. */
static const struct get_case originating_ip_cases[] = {
    { 11,
      "X-Spam-Relays-Untrusted",
      { "[ ip=1.2.3.4 rdns= helo= by= ident= envfrom= intl=0 id= auth= msa=0 ]", NULL },
      "[ ip=1.2.3.4 rdns= helo= by= ident= envfrom= intl=0 id= auth= msa=0 ]" },
    { 12,
      "X-Spam-Relays-Untrusted",
      { "[ ip=192.0.2.44 rdns= helo= by= ident= envfrom= intl=0 id= auth= msa=0 ]", NULL },
      "[ ip=192.0.2.44 rdns= helo= by= ident= envfrom= intl=0 id= auth= msa=0 ]" },
};

START_TEST(originating_ip_header_as_spamassassin)
{
    run_case(&originating_ip_cases[_i]);
}
END_TEST

/* g12 with trusted_networks 192.0.2.0/24 (SpamAssassin 4.0.1). */
static const struct get_case trusted_cases[] = {
    { 10,
      "ALL-TRUSTED",
      { "Return-Path: <ret@example.com>\n",
        "Received: from mx.corp.example (mx.corp.example [192.0.2.1]) by inbox.corp.example "
        "(Postfix) with ESMTP id Q1; Mon, 1 Jan 2024 00:00:02 +0000\n",
        "Received: from edge.corp.example (edge.corp.example [192.0.2.2]) by mx.corp.example "
        "(Postfix) with ESMTP id Q2; Mon, 1 Jan 2024 00:00:01 +0000\n",
        "Received: from spammer.example.net (spammer.example.net [198.51.100.66]) by "
        "edge.corp.example (Postfix) with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\n",
        NULL },
      "Return-Path: <ret@example.com>\nReceived: from mx.corp.example (mx.corp.example "
      "[192.0.2.1]) by inbox.corp.example (Postfix) with ESMTP id Q1; Mon, 1 Jan 2024 00:00:02 "
      "+0000\nReceived: from edge.corp.example (edge.corp.example [192.0.2.2]) by mx.corp.example "
      "(Postfix) with ESMTP id Q2; Mon, 1 Jan 2024 00:00:01 +0000\nReceived: from "
      "spammer.example.net (spammer.example.net [198.51.100.66]) by edge.corp.example (Postfix) "
      "with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\n" },
    { 10,
      "ALL-UNTRUSTED",
      { "Received: from spammer.example.net (spammer.example.net [198.51.100.66]) by "
        "edge.corp.example (Postfix) with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\n",
        "X-Mid: middle\n", "From: x@y.com\n", NULL },
      "Received: from spammer.example.net (spammer.example.net [198.51.100.66]) by "
      "edge.corp.example (Postfix) with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\nX-Mid: "
      "middle\nFrom: x@y.com\n" },
    { 10,
      "ALL-INTERNAL",
      { "Return-Path: <ret@example.com>\n",
        "Received: from mx.corp.example (mx.corp.example [192.0.2.1]) by inbox.corp.example "
        "(Postfix) with ESMTP id Q1; Mon, 1 Jan 2024 00:00:02 +0000\n",
        "Received: from edge.corp.example (edge.corp.example [192.0.2.2]) by mx.corp.example "
        "(Postfix) with ESMTP id Q2; Mon, 1 Jan 2024 00:00:01 +0000\n",
        "Received: from spammer.example.net (spammer.example.net [198.51.100.66]) by "
        "edge.corp.example (Postfix) with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\n",
        NULL },
      "Return-Path: <ret@example.com>\nReceived: from mx.corp.example (mx.corp.example "
      "[192.0.2.1]) by inbox.corp.example (Postfix) with ESMTP id Q1; Mon, 1 Jan 2024 00:00:02 "
      "+0000\nReceived: from edge.corp.example (edge.corp.example [192.0.2.2]) by mx.corp.example "
      "(Postfix) with ESMTP id Q2; Mon, 1 Jan 2024 00:00:01 +0000\nReceived: from "
      "spammer.example.net (spammer.example.net [198.51.100.66]) by edge.corp.example (Postfix) "
      "with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\n" },
    { 10,
      "ALL-EXTERNAL",
      { "Received: from spammer.example.net (spammer.example.net [198.51.100.66]) by "
        "edge.corp.example (Postfix) with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\n",
        "X-Mid: middle\n", "From: x@y.com\n", NULL },
      "Received: from spammer.example.net (spammer.example.net [198.51.100.66]) by "
      "edge.corp.example (Postfix) with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\nX-Mid: "
      "middle\nFrom: x@y.com\n" },
    { 10,
      "ALL-TRUSTED:raw",
      { "Return-Path: <ret@example.com>\n",
        "Received: from mx.corp.example (mx.corp.example [192.0.2.1]) by inbox.corp.example "
        "(Postfix) with ESMTP id Q1; Mon, 1 Jan 2024 00:00:02 +0000\n",
        "Received: from edge.corp.example (edge.corp.example [192.0.2.2]) by mx.corp.example "
        "(Postfix) with ESMTP id Q2; Mon, 1 Jan 2024 00:00:01 +0000\n",
        "Received: from spammer.example.net (spammer.example.net [198.51.100.66]) by "
        "edge.corp.example (Postfix) with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\n",
        NULL },
      "Return-Path: <ret@example.com>\nReceived: from mx.corp.example (mx.corp.example "
      "[192.0.2.1]) by inbox.corp.example (Postfix) with ESMTP id Q1; Mon, 1 Jan 2024 00:00:02 "
      "+0000\nReceived: from edge.corp.example (edge.corp.example [192.0.2.2]) by mx.corp.example "
      "(Postfix) with ESMTP id Q2; Mon, 1 Jan 2024 00:00:01 +0000\nReceived: from "
      "spammer.example.net (spammer.example.net [198.51.100.66]) by edge.corp.example (Postfix) "
      "with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\n" },
    { 10,
      "ALL-INTERNAL:raw",
      { "Return-Path: <ret@example.com>\n",
        "Received: from mx.corp.example (mx.corp.example [192.0.2.1]) by inbox.corp.example "
        "(Postfix) with ESMTP id Q1; Mon, 1 Jan 2024 00:00:02 +0000\n",
        "Received: from edge.corp.example (edge.corp.example [192.0.2.2]) by mx.corp.example "
        "(Postfix) with ESMTP id Q2; Mon, 1 Jan 2024 00:00:01 +0000\n",
        "Received: from spammer.example.net (spammer.example.net [198.51.100.66]) by "
        "edge.corp.example (Postfix) with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\n",
        NULL },
      "Return-Path: <ret@example.com>\nReceived: from mx.corp.example (mx.corp.example "
      "[192.0.2.1]) by inbox.corp.example (Postfix) with ESMTP id Q1; Mon, 1 Jan 2024 00:00:02 "
      "+0000\nReceived: from edge.corp.example (edge.corp.example [192.0.2.2]) by mx.corp.example "
      "(Postfix) with ESMTP id Q2; Mon, 1 Jan 2024 00:00:01 +0000\nReceived: from "
      "spammer.example.net (spammer.example.net [198.51.100.66]) by edge.corp.example (Postfix) "
      "with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\n" },
    { 10,
      "X-Spam-Relays-Trusted",
      { "[ ip=192.0.2.1 rdns=mx.corp.example helo=mx.corp.example by=inbox.corp.example ident= "
        "envfrom= intl=1 id= auth= msa=0 ] [ ip=192.0.2.2 rdns=edge.corp.example "
        "helo=edge.corp.example by=mx.corp.example ident= envfrom= intl=1 id= auth= msa=0 ]",
        NULL },
      "[ ip=192.0.2.1 rdns=mx.corp.example helo=mx.corp.example by=inbox.corp.example ident= "
      "envfrom= intl=1 id= auth= msa=0 ] [ ip=192.0.2.2 rdns=edge.corp.example "
      "helo=edge.corp.example by=mx.corp.example ident= envfrom= intl=1 id= auth= msa=0 ]" },
    { 10,
      "X-Spam-Relays-Untrusted",
      { "[ ip=198.51.100.66 rdns=spammer.example.net helo=spammer.example.net by=edge.corp.example "
        "ident= envfrom= intl=0 id= auth= msa=0 ]",
        NULL },
      "[ ip=198.51.100.66 rdns=spammer.example.net helo=spammer.example.net by=edge.corp.example "
      "ident= envfrom= intl=0 id= auth= msa=0 ]" },
    { 10,
      "X-Spam-Relays-Internal",
      { "[ ip=192.0.2.1 rdns=mx.corp.example helo=mx.corp.example by=inbox.corp.example ident= "
        "envfrom= intl=1 id= auth= msa=0 ] [ ip=192.0.2.2 rdns=edge.corp.example "
        "helo=edge.corp.example by=mx.corp.example ident= envfrom= intl=1 id= auth= msa=0 ]",
        NULL },
      "[ ip=192.0.2.1 rdns=mx.corp.example helo=mx.corp.example by=inbox.corp.example ident= "
      "envfrom= intl=1 id= auth= msa=0 ] [ ip=192.0.2.2 rdns=edge.corp.example "
      "helo=edge.corp.example by=mx.corp.example ident= envfrom= intl=1 id= auth= msa=0 ]" },
    { 10,
      "X-Spam-Relays-External",
      { "[ ip=198.51.100.66 rdns=spammer.example.net helo=spammer.example.net by=edge.corp.example "
        "ident= envfrom= intl=0 id= auth= msa=0 ]",
        NULL },
      "[ ip=198.51.100.66 rdns=spammer.example.net helo=spammer.example.net by=edge.corp.example "
      "ident= envfrom= intl=0 id= auth= msa=0 ]" },
    { 10, "EnvelopeFrom", { "ret@example.com", NULL }, "ret@example.com" },
};

START_TEST(trusted_networks_split_as_spamassassin)
{
    ctx_with_networks("192.0.2.0/24", NULL);
    run_case(&trusted_cases[_i]);
}
END_TEST

/* g12 with trusted_networks 192.0.2.0/24 and internal_networks 192.0.2.1. */
static const struct get_case internal_cases[] = {
    { 10,
      "ALL-TRUSTED",
      { "Return-Path: <ret@example.com>\n",
        "Received: from mx.corp.example (mx.corp.example [192.0.2.1]) by inbox.corp.example "
        "(Postfix) with ESMTP id Q1; Mon, 1 Jan 2024 00:00:02 +0000\n",
        "Received: from edge.corp.example (edge.corp.example [192.0.2.2]) by mx.corp.example "
        "(Postfix) with ESMTP id Q2; Mon, 1 Jan 2024 00:00:01 +0000\n",
        "Received: from spammer.example.net (spammer.example.net [198.51.100.66]) by "
        "edge.corp.example (Postfix) with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\n",
        NULL },
      "Return-Path: <ret@example.com>\nReceived: from mx.corp.example (mx.corp.example "
      "[192.0.2.1]) by inbox.corp.example (Postfix) with ESMTP id Q1; Mon, 1 Jan 2024 00:00:02 "
      "+0000\nReceived: from edge.corp.example (edge.corp.example [192.0.2.2]) by mx.corp.example "
      "(Postfix) with ESMTP id Q2; Mon, 1 Jan 2024 00:00:01 +0000\nReceived: from "
      "spammer.example.net (spammer.example.net [198.51.100.66]) by edge.corp.example (Postfix) "
      "with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\n" },
    { 10,
      "ALL-UNTRUSTED",
      { "Received: from spammer.example.net (spammer.example.net [198.51.100.66]) by "
        "edge.corp.example (Postfix) with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\n",
        "X-Mid: middle\n", "From: x@y.com\n", NULL },
      "Received: from spammer.example.net (spammer.example.net [198.51.100.66]) by "
      "edge.corp.example (Postfix) with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\nX-Mid: "
      "middle\nFrom: x@y.com\n" },
    { 10,
      "ALL-INTERNAL",
      { "Return-Path: <ret@example.com>\n",
        "Received: from mx.corp.example (mx.corp.example [192.0.2.1]) by inbox.corp.example "
        "(Postfix) with ESMTP id Q1; Mon, 1 Jan 2024 00:00:02 +0000\n",
        "Received: from edge.corp.example (edge.corp.example [192.0.2.2]) by mx.corp.example "
        "(Postfix) with ESMTP id Q2; Mon, 1 Jan 2024 00:00:01 +0000\n",
        NULL },
      "Return-Path: <ret@example.com>\nReceived: from mx.corp.example (mx.corp.example "
      "[192.0.2.1]) by inbox.corp.example (Postfix) with ESMTP id Q1; Mon, 1 Jan 2024 00:00:02 "
      "+0000\nReceived: from edge.corp.example (edge.corp.example [192.0.2.2]) by mx.corp.example "
      "(Postfix) with ESMTP id Q2; Mon, 1 Jan 2024 00:00:01 +0000\n" },
    { 10,
      "ALL-EXTERNAL",
      { "Received: from edge.corp.example (edge.corp.example [192.0.2.2]) by mx.corp.example "
        "(Postfix) with ESMTP id Q2; Mon, 1 Jan 2024 00:00:01 +0000\n",
        "Received: from spammer.example.net (spammer.example.net [198.51.100.66]) by "
        "edge.corp.example (Postfix) with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\n",
        "X-Mid: middle\n", "From: x@y.com\n", NULL },
      "Received: from edge.corp.example (edge.corp.example [192.0.2.2]) by mx.corp.example "
      "(Postfix) with ESMTP id Q2; Mon, 1 Jan 2024 00:00:01 +0000\nReceived: from "
      "spammer.example.net (spammer.example.net [198.51.100.66]) by edge.corp.example (Postfix) "
      "with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\nX-Mid: middle\nFrom: x@y.com\n" },
    { 10,
      "ALL-TRUSTED:raw",
      { "Return-Path: <ret@example.com>\n",
        "Received: from mx.corp.example (mx.corp.example [192.0.2.1]) by inbox.corp.example "
        "(Postfix) with ESMTP id Q1; Mon, 1 Jan 2024 00:00:02 +0000\n",
        "Received: from edge.corp.example (edge.corp.example [192.0.2.2]) by mx.corp.example "
        "(Postfix) with ESMTP id Q2; Mon, 1 Jan 2024 00:00:01 +0000\n",
        "Received: from spammer.example.net (spammer.example.net [198.51.100.66]) by "
        "edge.corp.example (Postfix) with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\n",
        NULL },
      "Return-Path: <ret@example.com>\nReceived: from mx.corp.example (mx.corp.example "
      "[192.0.2.1]) by inbox.corp.example (Postfix) with ESMTP id Q1; Mon, 1 Jan 2024 00:00:02 "
      "+0000\nReceived: from edge.corp.example (edge.corp.example [192.0.2.2]) by mx.corp.example "
      "(Postfix) with ESMTP id Q2; Mon, 1 Jan 2024 00:00:01 +0000\nReceived: from "
      "spammer.example.net (spammer.example.net [198.51.100.66]) by edge.corp.example (Postfix) "
      "with ESMTP id Q3; Mon, 1 Jan 2024 00:00:00 +0000\n" },
    { 10,
      "ALL-INTERNAL:raw",
      { "Return-Path: <ret@example.com>\n",
        "Received: from mx.corp.example (mx.corp.example [192.0.2.1]) by inbox.corp.example "
        "(Postfix) with ESMTP id Q1; Mon, 1 Jan 2024 00:00:02 +0000\n",
        "Received: from edge.corp.example (edge.corp.example [192.0.2.2]) by mx.corp.example "
        "(Postfix) with ESMTP id Q2; Mon, 1 Jan 2024 00:00:01 +0000\n",
        NULL },
      "Return-Path: <ret@example.com>\nReceived: from mx.corp.example (mx.corp.example "
      "[192.0.2.1]) by inbox.corp.example (Postfix) with ESMTP id Q1; Mon, 1 Jan 2024 00:00:02 "
      "+0000\nReceived: from edge.corp.example (edge.corp.example [192.0.2.2]) by mx.corp.example "
      "(Postfix) with ESMTP id Q2; Mon, 1 Jan 2024 00:00:01 +0000\n" },
    { 10,
      "X-Spam-Relays-Trusted",
      { "[ ip=192.0.2.1 rdns=mx.corp.example helo=mx.corp.example by=inbox.corp.example ident= "
        "envfrom= intl=1 id= auth= msa=0 ] [ ip=192.0.2.2 rdns=edge.corp.example "
        "helo=edge.corp.example by=mx.corp.example ident= envfrom= intl=0 id= auth= msa=0 ]",
        NULL },
      "[ ip=192.0.2.1 rdns=mx.corp.example helo=mx.corp.example by=inbox.corp.example ident= "
      "envfrom= intl=1 id= auth= msa=0 ] [ ip=192.0.2.2 rdns=edge.corp.example "
      "helo=edge.corp.example by=mx.corp.example ident= envfrom= intl=0 id= auth= msa=0 ]" },
    { 10,
      "X-Spam-Relays-Untrusted",
      { "[ ip=198.51.100.66 rdns=spammer.example.net helo=spammer.example.net by=edge.corp.example "
        "ident= envfrom= intl=0 id= auth= msa=0 ]",
        NULL },
      "[ ip=198.51.100.66 rdns=spammer.example.net helo=spammer.example.net by=edge.corp.example "
      "ident= envfrom= intl=0 id= auth= msa=0 ]" },
    { 10,
      "X-Spam-Relays-Internal",
      { "[ ip=192.0.2.1 rdns=mx.corp.example helo=mx.corp.example by=inbox.corp.example ident= "
        "envfrom= intl=1 id= auth= msa=0 ]",
        NULL },
      "[ ip=192.0.2.1 rdns=mx.corp.example helo=mx.corp.example by=inbox.corp.example ident= "
      "envfrom= intl=1 id= auth= msa=0 ]" },
    { 10,
      "X-Spam-Relays-External",
      { "[ ip=192.0.2.2 rdns=edge.corp.example helo=edge.corp.example by=mx.corp.example ident= "
        "envfrom= intl=0 id= auth= msa=0 ] [ ip=198.51.100.66 rdns=spammer.example.net "
        "helo=spammer.example.net by=edge.corp.example ident= envfrom= intl=0 id= auth= msa=0 ]",
        NULL },
      "[ ip=192.0.2.2 rdns=edge.corp.example helo=edge.corp.example by=mx.corp.example ident= "
      "envfrom= intl=0 id= auth= msa=0 ] [ ip=198.51.100.66 rdns=spammer.example.net "
      "helo=spammer.example.net by=edge.corp.example ident= envfrom= intl=0 id= auth= msa=0 ]" },
    { 10, "EnvelopeFrom", { "ret@example.com", NULL }, "ret@example.com" },
};

START_TEST(internal_networks_split_as_spamassassin)
{
    ctx_with_networks("192.0.2.0/24", "192.0.2.1");
    run_case(&internal_cases[_i]);
}
END_TEST

START_TEST(envelope_from_and_relays_direct)
{
    struct arena *a = arena_new(4096);
    const char *raw = messages[4]; /* g5: Exim's envelope-from */
    struct mime_msg *m = mime_msg_parse(&ctx, a, raw, strlen(raw));
    const struct mime_relays *r = mime_msg_relays(m);
    struct strv e;

    ck_assert(mime_msg_envelope_from(m, &e));
    ck_assert_uint_eq(e.len, strlen("env@relay.example.net"));
    ck_assert_mem_eq(e.p, "env@relay.example.net", e.len);
    ck_assert_ptr_eq(mime_msg_relays(m), r); /* computed once */
    ck_assert_uint_eq(r->nrelays, 1);
    ck_assert_int_eq(r->last_trusted_index, -1);
    ck_assert_int_eq(r->last_internal_index, -1);
    arena_free(&a);

    a = arena_new(4096);
    raw = messages[2]; /* g3: X-Envelope-From after a Received */
    m = mime_msg_parse(&ctx, a, raw, strlen(raw));
    ck_assert(!mime_msg_envelope_from(m, &e));
    arena_free(&a);
}
END_TEST

/* envelope_sender_header set: only that header counts (SA's
 * get_envelope_from takes NAME:first:addr and stops there). */
START_TEST(envelope_sender_header_is_the_only_source)
{
    struct arena *a = arena_new(4096);
    struct mime_msg *m;
    struct strv e;
    bool found;

    ctx.envelope_sender_header = "Reply-To";
    m = mime_msg_parse(&ctx, a, messages[0], strlen(messages[0]));
    e = mime_get_scalar(m, "EnvelopeFrom", &found);
    ck_assert(found);
    ck_assert_uint_eq(e.len, strlen("r@mail.example.co.uk"));
    ck_assert_mem_eq(e.p, "r@mail.example.co.uk", e.len);

    /* the header is missing: no guessing from Return-Path */
    ctx.envelope_sender_header = "X-No-Such-Header";
    m = mime_msg_parse(&ctx, a, messages[0], strlen(messages[0]));
    e = mime_get_scalar(m, "EnvelopeFrom", &found);
    ck_assert(!found);
    ck_assert_uint_eq(e.len, 0);
    ck_assert(!mime_msg_envelope_from(m, &e));
    arena_free(&a);
}
END_TEST

/* mime_received_find_ip: (?<!\.)\b($IP_ADDRESS)\b(?!\.), the :ip pattern (Perl with
 * SpamAssassin 4.0.1's Constants) */
static const struct {
    const char *text, *ip; /* NULL: none */
} find_ip_cases[] = {
    { "from [192.0.2.1] by x", "192.0.2.1" },
    { "no address here", NULL },
    { "v6 2001:db8::1 here", "2001:db8::1" },
    { "999.1.1.1 then 10.0.0.2", "10.0.0.2" },
    { "1.2.3.4.5", NULL },
    { "[::1]", NULL }, /* "::" after '[': SA's \b does not hold */
};

START_TEST(find_ip_first_address)
{
    struct strv ip;
    bool ok = mime_received_find_ip(ctx.rcvd, strv_cstr(find_ip_cases[_i].text), &ip);

    if (find_ip_cases[_i].ip == NULL) {
        ck_assert(!ok);
        return;
    }
    ck_assert(ok);
    ck_assert_uint_eq(ip.len, strlen(find_ip_cases[_i].ip));
    ck_assert_mem_eq(ip.p, find_ip_cases[_i].ip, ip.len);
}
END_TEST

/* PerMsgStatus::_get's clean-up of a decoded :name (SpamAssassin 4.0.1) */
static const struct {
    const char *in, *want;
} clean_name_cases[] = {
    { "  Joe   Bloggs ", "Joe Bloggs" },
    { "'Quoted'", "Quoted" },
    { " 'a' 'b' ", "a' 'b" },
    { "   ", "   " },
    { "''", "" },
    { "'", "'" },
};

START_TEST(clean_name_as_spamassassin)
{
    struct arena *a = arena_new(4096);
    struct strv r = mime_get_clean_name(a, strv_cstr(clean_name_cases[_i].in));

    ck_assert_uint_eq(r.len, strlen(clean_name_cases[_i].want));
    ck_assert_mem_eq(r.p, clean_name_cases[_i].want, r.len);
    arena_free(&a);
}
END_TEST

static Suite *
mime_get_suite(void)
{
    Suite *s = suite_create("mime_get");
    TCase *tc = tcase_create("mime_get");

    tcase_add_checked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_loop_test(tc, get_as_spamassassin, 0, NCASES(get_cases));
    tcase_add_loop_test(tc, all_requests_ignore_modifiers, 0, NCASES(all_mod_cases));
    tcase_add_loop_test(tc, host_ip_name_as_spamassassin, 0, NCASES(host_ip_cases));
    tcase_add_loop_test(tc, originating_ip_header_as_spamassassin, 0, NCASES(originating_ip_cases));
    tcase_add_loop_test(tc, trusted_networks_split_as_spamassassin, 0, NCASES(trusted_cases));
    tcase_add_loop_test(tc, internal_networks_split_as_spamassassin, 0, NCASES(internal_cases));
    tcase_add_test(tc, envelope_from_and_relays_direct);
    tcase_add_test(tc, envelope_sender_header_is_the_only_source);
    tcase_add_loop_test(tc, find_ip_first_address, 0, NCASES(find_ip_cases));
    tcase_add_loop_test(tc, clean_name_as_spamassassin, 0, NCASES(clean_name_cases));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(mime_get_suite());
}
