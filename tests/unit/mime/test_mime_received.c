/*
 * test_mime_received.c - Received lines and chains read as SpamAssassin
 * reads them. Every expectation in the tables (status, the "[ ip=... ]"
 * string, the private flag, the four relay strings, the counts) came from
 * SpamAssassin 4.0.1 (Debian) through scripts/sa-received.pl: --lines for
 * line_cases, --chain with the trust options shown for chain_cases.
 */
#include "mime/mime_received.h"

#include <stdbool.h>
#include <string.h>
#include <dirent.h>
#include <strings.h>
#include <time.h>

#include "../unit.h"

static struct mime_received_rules *rules;

static void
rules_setup(void)
{
    struct sift_err err;

    ck_assert_msg(mime_received_rules_new(&rules, &err) == 0, "%s", err.msg);
}

static void
rules_teardown(void)
{
    mime_received_rules_free(&rules);
}

static const struct {
    const char *line;
    enum mime_received_status st;
    const char *as_string; /* NULL unless a relay */
    bool ip_private;
} line_cases[] = {
    { "from mail.example.org (mail.example.org [192.0.2.10]) by mx.example.net (Postfix) with "
      "ESMTPS id 4ABCD12345 for <u@example.net>; Tue, 3 Jan 2023 10:00:00 +0000 (UTC)",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.10 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
      "envfrom= intl=0 id=4ABCD12345 auth= msa=0 ]",
      false },
    { "from localhost (unknown [127.0.0.1]) by mx.example.net (Postfix) with ESMTP id 9F1E2D3C4B; "
      "Tue, 3 Jan 2023 10:00:01 +0000 (UTC)",
      MIME_RCVD_RELAY,
      "[ ip=127.0.0.1 rdns= helo=localhost by=mx.example.net ident= envfrom= intl=0 id=9F1E2D3C4B "
      "auth= msa=0 ]",
      true },
    { "from helo.example (unknown[198.51.100.7]) by mx.example.net (Postfix) with SMTP id 77AA; "
      "Tue, 3 Jan 2023 10:00:02 +0000",
      MIME_RCVD_RELAY,
      "[ ip=198.51.100.7 rdns= helo=helo.example by=mx.example.net ident= envfrom= intl=0 id=77AA "
      "auth= msa=0 ]",
      false },
    { "from client.example.org (dsl-9.example.org [203.0.113.9]) (Authenticated sender: alice) by "
      "smtp.example.net (Postfix) with ESMTPSA id 55EE; Tue, 3 Jan 2023 10:00:03 +0000",
      MIME_RCVD_RELAY,
      "[ ip=203.0.113.9 rdns=dsl-9.example.org helo=client.example.org by=smtp.example.net ident= "
      "envfrom= intl=0 id=55EE auth=ESMTPSA msa=0 ]",
      false },
    { "from client.example.org (dsl-9.example.org [203.0.113.9]) (Authenticated sender: alice) by "
      "smtp.example.net (MyMTA) with ESMTP id 55EF; Tue, 3 Jan 2023 10:00:03 +0000",
      MIME_RCVD_RELAY,
      "[ ip=203.0.113.9 rdns=dsl-9.example.org helo=client.example.org by=smtp.example.net ident= "
      "envfrom= intl=0 id=55EF auth=Postfix (MyMTA) msa=0 ]",
      false },
    { "from ws.example.org (ws.example.org [2001:db8::25]) by mx.example.net (Postfix) with ESMTP "
      "id 1A2B3C; Tue, 3 Jan 2023 10:00:04 +0000",
      MIME_RCVD_RELAY,
      "[ ip=2001:db8::25 rdns=ws.example.org helo=ws.example.org by=mx.example.net ident= envfrom= "
      "intl=0 id=1A2B3C auth= msa=0 ]",
      false },
    { "from laptop (host-5.example.com [198.51.100.5] (may be forged)) by mx.example.net "
      "(8.15.2/8.15.2) with ESMTP id 303A1b2C012345 for <u@example.net>; Tue, 3 Jan 2023 10:00:05 "
      "GMT",
      MIME_RCVD_RELAY,
      "[ ip=198.51.100.5 rdns=host-5.example.com helo=laptop by=mx.example.net ident= envfrom= "
      "intl=0 id=303A1b2C012345 auth= msa=0 ]",
      false },
    { "from laptop (IDENT:joe@host-5.example.com [198.51.100.5]) by mx.example.net (8.15.2/8.15.2) "
      "with SMTP id 303A1b2C012346; Tue, 3 Jan 2023 10:00:06 GMT",
      MIME_RCVD_RELAY,
      "[ ip=198.51.100.5 rdns=host-5.example.com helo=laptop by=mx.example.net ident=joe envfrom= "
      "intl=0 id=303A1b2C012346 auth= msa=0 ]",
      false },
    { "from laptop (joe@host-5.example.com [198.51.100.5]) by mx.example.net (8.15.2/8.15.2) with "
      "SMTP id 303A1b2C012347; Tue, 3 Jan 2023 10:00:06 GMT",
      MIME_RCVD_RELAY,
      "[ ip=198.51.100.5 rdns=host-5.example.com helo=laptop by=mx.example.net ident=joe envfrom= "
      "intl=0 id=303A1b2C012347 auth= msa=0 ]",
      false },
    { "from laptop ([198.51.100.6]) (authenticated bits=0) by mx.example.net (8.15.2/8.15.2) with "
      "ESMTP id 303A1b2C012348; Tue, 3 Jan 2023 10:00:07 GMT",
      MIME_RCVD_RELAY,
      "[ ip=198.51.100.6 rdns= helo=laptop by=mx.example.net ident= envfrom= intl=0 "
      "id=303A1b2C012348 auth=Sendmail msa=0 ]",
      false },
    { "from laptop (host-7.example.com [198.51.100.7]) (authenticated bits=128) by mx.example.net "
      "(8.15.2/8.15.2) with ESMTP id 303A1b2C012349; Tue, 3 Jan 2023 10:00:08 GMT",
      MIME_RCVD_RELAY,
      "[ ip=198.51.100.7 rdns=host-7.example.com helo=laptop by=mx.example.net ident= envfrom= "
      "intl=0 id=303A1b2C012349 auth=Sendmail msa=0 ]",
      false },
    { "from weird ([198.51.100.8]) by mx.example.net (8.15.2/8.15.2) with ESMTP id 303A1b2C01234A; "
      "Tue, 3 Jan 2023 10:00:09 GMT",
      MIME_RCVD_RELAY,
      "[ ip=198.51.100.8 rdns= helo=weird by=mx.example.net ident= envfrom= intl=0 "
      "id=303A1b2C01234A auth= msa=0 ]",
      false },
    { "from Agent (localhost [IPv6:::1]) by mx.example.net (8.15.2/8.15.2) with ESMTP id "
      "303A1b2C01234B; Tue, 3 Jan 2023 10:00:09 GMT",
      MIME_RCVD_RELAY,
      "[ ip=::1 rdns=localhost helo=Agent by=mx.example.net ident= envfrom= intl=0 "
      "id=303A1b2C01234B auth= msa=0 ]",
      true },
    { "from host.example.org ([192.0.2.20] helo=smtp.example.org) by mx.example.net with esmtps "
      "(TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <bounce@example.org>) id "
      "1pCd3E-0004Ab-2x for u@example.net; Tue, 03 Jan 2023 10:00:10 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.20 rdns=host.example.org helo=smtp.example.org by=mx.example.net ident= "
      "envfrom=bounce@example.org intl=0 id=1pCd3E-0004Ab-2x auth= msa=0 ]",
      false },
    { "from [192.0.2.21] (helo=unnamed ident=joe) by mx.example.net with smtp (Exim 4.96) id "
      "1pCd3E-0004Ac-3y; Tue, 03 Jan 2023 10:00:11 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.21 rdns= helo=unnamed by=mx.example.net ident=joe envfrom= intl=0 "
      "id=1pCd3E-0004Ac-3y auth= msa=0 ]",
      false },
    { "from host.example.org ([192.0.2.22]:45678) by mx.example.net with esmtpa (Exim 4.96) id "
      "1pCd3E-0004Ad-4z; Tue, 03 Jan 2023 10:00:12 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.22 rdns=host.example.org helo=host.example.org by=mx.example.net ident= "
      "envfrom= intl=0 id=1pCd3E-0004Ad-4z auth=esmtpa msa=0 ]",
      false },
    { "from host.example.org [192.0.2.23] by mx.example.net with esmtp (Exim 4.96) id "
      "1pCd3E-0004Ae-50; Tue, 03 Jan 2023 10:00:13 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.23 rdns=host.example.org helo=host.example.org by=mx.example.net ident= "
      "envfrom= intl=0 id=1pCd3E-0004Ae-50 auth= msa=0 ]",
      false },
    { "from root by mx.example.net with local (Exim 4.96) id 1pCd3E-0004Af-61; Tue, 03 Jan 2023 "
      "10:00:14 +0000",
      MIME_RCVD_SKIP, NULL, false },
    { "from host.example.org (odd.example.org) [192.0.2.24.2525] (mail) by mx.example.net with "
      "esmtp (Exim 4.96) id 1pCd3E-0004Ag-72; Tue, 03 Jan 2023 10:00:15 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.24 rdns=host.example.org helo=odd.example.org by=mx.example.net ident= "
      "envfrom= intl=0 id=1pCd3E-0004Ag-72 auth= msa=0 ]",
      false },
    { "from unknown (HELO helo.example.org) (198.51.100.30) by mail.example.net with SMTP; 3 Jan "
      "2023 10:00:16 -0000",
      MIME_RCVD_RELAY,
      "[ ip=198.51.100.30 rdns= helo=helo.example.org by=mail.example.net ident= envfrom= intl=0 "
      "id= auth= msa=0 ]",
      false },
    { "from host.example.org (HELO helo.example.org) (joe@198.51.100.31) by mail.example.net with "
      "SMTP; 3 Jan 2023 10:00:17 -0000",
      MIME_RCVD_RELAY,
      "[ ip=198.51.100.31 rdns=host.example.org helo=helo.example.org by=mail.example.net "
      "ident=joe envfrom= intl=0 id= auth= msa=0 ]",
      false },
    { "from host.example.org (198.51.100.32) by mail.example.net with QMQP; 3 Jan 2023 10:00:18 "
      "-0000",
      MIME_RCVD_RELAY,
      "[ ip=198.51.100.32 rdns=host.example.org helo=host.example.org by=mail.example.net ident= "
      "envfrom= intl=0 id= auth= msa=0 ]",
      false },
    { "from unknown (HELO helo.example.org) (joe@[198.51.100.33]) (envelope-sender "
      "<joe@example.org>) by mail.example.net (qmail-ldap-1.03) with SMTP for <u@example.net>; 3 "
      "Jan 2023 10:00:19 -0000",
      MIME_RCVD_RELAY,
      "[ ip=198.51.100.33 rdns= helo=helo.example.org by=mail.example.net ident=joe "
      "envfrom=joe@example.org intl=0 id= auth= msa=0 ]",
      false },
    { "(qmail 12345 invoked by uid 89); 3 Jan 2023 10:00:20 -0000", MIME_RCVD_SKIP, NULL, false },
    { "(qmail 12346 invoked from network); 3 Jan 2023 10:00:20 -0000", MIME_RCVD_SKIP, NULL,
      false },
    { "from 198.51.100.34 by mail.example.net (envelope-from <list-return@example.org>, uid 89) "
      "with qmail-scanner-2.10 (clamdscan: 0.103. Clear:RC:0(198.51.100.34):. Processed in 0.1 "
      "secs); 03 Jan 2023 10:00:21 -0000",
      MIME_RCVD_SKIP, NULL, false },
    { "from SRV01.corp.example.com ([10.1.2.3]) by SRV02.corp.example.com with Microsoft "
      "SMTPSVC(6.0.3790.4675); Tue, 3 Jan 2023 10:00:22 +0000",
      MIME_RCVD_RELAY,
      "[ ip=10.1.2.3 rdns= helo=SRV01.corp.example.com by=SRV02.corp.example.com ident= envfrom= "
      "intl=0 id= auth= msa=0 ]",
      true },
    { "from mail pickup service by SRV02.corp.example.com with Microsoft SMTPSVC; Tue, 3 Jan 2023 "
      "10:00:23 +0000",
      MIME_RCVD_SKIP, NULL, false },
    { "from EX01.corp.example.com (10.1.2.4) by EX02.corp.example.com (10.1.2.5) with Microsoft "
      "SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.2.1118.20; "
      "Tue, 3 Jan 2023 10:00:24 +0000",
      MIME_RCVD_RELAY,
      "[ ip=10.1.2.4 rdns=EX01.corp.example.com helo=EX01.corp.example.com "
      "by=EX02.corp.example.com ident= envfrom= intl=0 id=15.2.1118.20 auth= msa=0 ]",
      true },
    { "from AB1PR01MB0001.eurprd01.prod.example.com ([fe80::1234:5678:9abc:def0]) by "
      "AB1PR01MB0001.eurprd01.prod.example.com ([fe80::1234:5678:9abc:def0%4]) with mapi id "
      "15.20.5944.019; Tue, 3 Jan 2023 10:00:25 +0000",
      MIME_RCVD_RELAY,
      "[ ip=fe80::1234:5678:9abc:def0 rdns= helo=AB1PR01MB0001.eurprd01.prod.example.com "
      "by=AB1PR01MB0001.eurprd01.prod.example.com ident= envfrom= intl=0 id= auth= msa=0 ]",
      true },
    { "from AM0PR01CA0001.eurprd01.prod.example.com (2603:10a6:208:1::11) by "
      "DB1PR01MB0001.eurprd01.prod.example.com (2603:10a6:10:2::22) with Microsoft SMTP Server "
      "(version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.5944.19; Tue, 3 Jan "
      "2023 10:00:26 +0000",
      MIME_RCVD_RELAY,
      "[ ip=2603:10a6:208:1::11 rdns=AM0PR01CA0001.eurprd01.prod.example.com "
      "helo=AM0PR01CA0001.eurprd01.prod.example.com by=DB1PR01MB0001.eurprd01.prod.example.com "
      "ident= envfrom= intl=0 id=15.20.5944.19 auth= msa=0 ]",
      false },
    { "from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by mx.google.com "
      "with SMTPS id a1sor123456wrx.12.2023.01.03.02.00.27 for <u@example.net> (Google Transport "
      "Security); Tue, 03 Jan 2023 02:00:27 -0800 (PST)",
      MIME_RCVD_RELAY,
      "[ ip=209.85.220.41 rdns=mail-sor-f41.google.com helo=mail-sor-f41.google.com "
      "by=mx.google.com ident= envfrom= intl=0 id=a1sor123456wrx.12.2023.01.03.02.00.27 auth= "
      "msa=0 ]",
      false },
    { "from [192.168.1.2] (host-9.example.org. [203.0.113.19]) by smtp.gmail.com with ESMTPSA id "
      "x1sm1234567wrs.55.2023.01.03.02.00.28 for <u@example.net> (version=TLS1_3 "
      "cipher=TLS_AES_128_GCM_SHA256 bits=128/128); Tue, 03 Jan 2023 02:00:28 -0800 (PST)",
      MIME_RCVD_RELAY,
      "[ ip=203.0.113.19 rdns=host-9.example.org helo=!192.168.1.2! by=smtp.gmail.com ident= "
      "envfrom= intl=0 id=x1sm1234567wrs.55.2023.01.03.02.00.28 auth=ESMTPSA msa=0 ]",
      false },
    { "from unknown (unknown [203.0.113.40]) by mx.google.com with ESMTPS id "
      "ab12sm1234567wra.12.2023.01.03.02.00.29 (version=TLS1_2 cipher=ECDHE-RSA-AES128-GCM-SHA256 "
      "bits=128/128); Tue, 03 Jan 2023 02:00:29 -0800 (PST)",
      MIME_RCVD_RELAY,
      "[ ip=203.0.113.40 rdns= helo=unknown by=mx.google.com ident= envfrom= intl=0 "
      "id=ab12sm1234567wra.12.2023.01.03.02.00.29 auth=GMail - transport=TLS1_2 "
      "cipher=ECDHE-RSA-AES128-GCM-SHA256 bits=128/128 msa=0 ]",
      false },
    { "from mail.example.org ([192.0.2.50]) by mx.example.net (8.15.2/8.15.2) with ESMTP id "
      "303A1b2C01234C; Tue, 3 Jan 2023 10:00:30 GMT",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.50 rdns= helo=mail.example.org by=mx.example.net ident= envfrom= intl=0 "
      "id=303A1b2C01234C auth= msa=0 ]",
      false },
    { "from mail.example.org (mail.example.org [192.0.2.51]) by mx.example.net with ESMTP id "
      "303A1b2C01234D; Tue, 3 Jan 2023 10:00:31 GMT",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.51 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
      "envfrom= intl=0 id=303A1b2C01234D auth= msa=0 ]",
      false },
    { "from mail.example.org [127.0.0.1] by localhost with IMAP (fetchmail-6.4.30) for "
      "<u@localhost> (single-drop); Tue, 03 Jan 2023 10:00:32 +0000 (UTC)",
      MIME_RCVD_SKIP, NULL, false },
    { "from pop.example.org (192.0.2.52) by desk.example.net with POP3; 3 Jan 2023 10:00:33 -0000",
      MIME_RCVD_SKIP, NULL, false },
    { "from x.example.org (x.example.org [192.0.2.53]) by imap.example.net (Cyrus 3.4) with LMTPA; "
      "Tue, 03 Jan 2023 10:00:34 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.53 rdns=x.example.org helo=x.example.org by=imap.example.net ident= envfrom= "
      "intl=0 id= auth=LMTPA msa=0 ]",
      false },
    { "from [192.0.2.54] (account joe HELO laptop) by mail.example.net (CommuniGate Pro SMTP "
      "6.3.1) with ESMTPA id 12345678; Tue, 03 Jan 2023 10:00:35 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.54 rdns= helo=laptop by=mail.example.net ident= envfrom= intl=0 id=12345678 "
      "auth=ESMTPA msa=0 ]",
      false },
    { "from host.example.org ([192.0.2.55] verified) by mail.example.net (CommuniGate Pro SMTP "
      "6.3.1) with ESMTP id 12345679; Tue, 03 Jan 2023 10:00:36 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.55 rdns=host.example.org helo=host.example.org by=mail.example.net ident= "
      "envfrom= intl=0 id=12345679 auth= msa=0 ]",
      false },
    { "from [192.0.2.56] by webmail.example.net with HTTP; Tue, 03 Jan 2023 10:00:37 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.56 rdns= helo= by=webmail.example.net ident= envfrom= intl=0 id= auth=HTTP "
      "msa=0 ]",
      false },
    { "from 192.0.2.57 (SquirrelMail authenticated user joe) by webmail.example.net with HTTP; "
      "Tue, 3 Jan 2023 10:00:38 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.57 rdns= helo= by=webmail.example.net ident= envfrom= intl=0 id= auth=HTTP "
      "msa=0 ]",
      false },
    { "from [192.0.2.58] by web1.mail.example.net via HTTP; Tue, 03 Jan 2023 10:00:39 PST",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.58 rdns= helo= by=web1.mail.example.net ident= envfrom= intl=0 id= auth= msa=0 "
      "]",
      false },
    { "from 192.0.2.59 by web2.hotmail.msn.com with HTTP; Tue, 03 Jan 2023 10:00:40 GMT",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.59 rdns= helo= by=web2.hotmail.msn.com ident= envfrom= intl=0 id= auth=HTTP "
      "msa=0 ]",
      false },
    { "from host.example.org (HELO helo.example.org) (192.0.2.60) by smtp.example.net "
      "(qpsmtpd/0.96) with ESMTP; Tue, 03 Jan 2023 10:00:41 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.60 rdns=host.example.org helo=helo.example.org by=smtp.example.net ident= "
      "envfrom= intl=0 id= auth= msa=0 ]",
      false },
    { "from dsl-1.example.org (EHLO home) [192.0.2.61] by mail.gmx.net (mp001) with SMTP; 03 Jan "
      "2023 10:00:42 +0100",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.61 rdns=dsl-1.example.org helo=home by=mail.gmx.net ident= envfrom= intl=0 id= "
      "auth=GMX (SMTP / mail.gmx.net) msa=0 ]",
      false },
    { "from localhost (localhost [127.0.0.1]) by mail.example.net (8.15.2/8.15.2/Submit) id "
      "303A1b2C01234E; Tue, 3 Jan 2023 10:00:43 GMT",
      MIME_RCVD_RELAY,
      "[ ip=127.0.0.1 rdns=localhost helo=localhost by=mail.example.net ident= envfrom= intl=0 "
      "id=303A1b2C01234E auth= msa=0 ]",
      true },
    { "from localhost (mailnull@localhost) by mail.example.net (8.15.2/8.15.2) with SMTP id "
      "303A1b2C01234F; Tue, 3 Jan 2023 10:00:44 GMT",
      MIME_RCVD_SKIP, NULL, false },
    { "(from joe@localhost) by mail.example.net (8.15.2/8.15.2/Submit) id 303A1b2C01234G; Tue, 3 "
      "Jan 2023 10:00:45 GMT",
      MIME_RCVD_SKIP, NULL, false },
    { "from (192.0.2.62) by mail.example.net via smtp id 0123_abcdef; Tue, 03 Jan 2023 10:00:46 "
      "-0400",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.62 rdns= helo= by=mail.example.net ident= envfrom= intl=0 id=0123_abcdef auth= "
      "msa=0 ]",
      false },
    { "from ([192.0.2.63]) by mail.example.net with ESMTP id 4420961.8281; Tue, 03 Jan 2023 "
      "10:00:47 -0400",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.63 rdns= helo= by=mail.example.net ident= envfrom= intl=0 id=4420961.8281 "
      "auth= msa=0 ]",
      false },
    { "from ([192.0.2.64:33672] helo=h.example.org) by mta.example.net (ecelerity 4.2.1) with "
      "ESMTP id 11/22-33333-44444444; Tue, 03 Jan 2023 10:00:48 -0400",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.64 rdns= helo=h.example.org by=mta.example.net ident= envfrom= intl=0 "
      "id=11/22-33333-44444444 auth= msa=0 ]",
      false },
    { "from h.example.org (192.0.2.65:23198) by mx.example.net with [XMail 1.27 ESMTP Server] id "
      "<S1A2B> for <u@example.net> from <s@example.org>; Tue, 03 Jan 2023 10:00:49 -0500",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.65 rdns= helo=h.example.org by=mx.example.net ident= envfrom=s@example.org "
      "intl=0 id=S1A2B auth= msa=0 ]",
      false },
    { "from LAPTOP ([192.0.2.66]) by domino.example.net (Lotus Domino Release 9.0.1) with ESMTP id "
      "2023010310005000-1234; Tue, 3 Jan 2023 10:00:50 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.66 rdns= helo=LAPTOP by=domino.example.net ident= envfrom= intl=0 "
      "id=2023010310005000-1234 auth= msa=0 ]",
      false },
    { "FROM helo.example.org (rdns.example.org [192.0.2.67]) BY mx.example.net ID "
      "63B3F7A2.1234.5678 ; 3 Jan 2023 10:00:51 -0500",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.67 rdns=rdns.example.org helo=helo.example.org by=mx.example.net ident= "
      "envfrom= intl=0 id=63B3F7A2.1234.5678 auth= msa=0 ]",
      false },
    { "FROM helo.example.org (unverified [192.0.2.68]) BY mx.example.net ID 63B3F7A2.1234.5679 ; 3 "
      "Jan 2023 10:00:52 -0500",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.68 rdns= helo=helo.example.org by=mx.example.net ident= envfrom= intl=0 "
      "id=63B3F7A2.1234.5679 auth= msa=0 ]",
      false },
    { "(from localhost [192.0.2.69]) by nav.example.net (NAVGW 2.5.2.12) with SMTP id M20230103; "
      "Tue, 03 Jan 2023 10:00:53 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.69 rdns= helo=localhost by=nav.example.net ident= envfrom= intl=0 id=M20230103 "
      "auth= msa=0 ]",
      false },
    { "from unknown by mail.example.net ; Tue, 03 Jan 2023 10:00:54 +0000", MIME_RCVD_SKIP, NULL,
      false },
    { "from [192.0.2.70] by mail.example.net; Tue, 03 Jan 2023 10:00:55 +0000", MIME_RCVD_RELAY,
      "[ ip=192.0.2.70 rdns= helo=!192.0.2.70! by=mail.example.net ident= envfrom= intl=0 id= "
      "auth= msa=0 ]",
      false },
    { "from mail.example.org (mail.example.org [192.0.2.71]) by mail.example.net (MTA) with ESMTP "
      "id X1; Tue, 03 Jan 2023 10:00:56 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.71 rdns=mail.example.org helo=mail.example.org by=mail.example.net ident= "
      "envfrom= intl=0 id= auth= msa=0 ]",
      false },
    { "from garbage that says nothing useful", MIME_RCVD_UNPARSEABLE, NULL, false },
    { "from h (h [300.1.2.3]) by x", MIME_RCVD_UNPARSEABLE, NULL, false },
    { "From mail.example.org (mail.example.org [192.0.2.72]) by mail.example.net with ESMTP",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.72 rdns= helo= by=mail.example.net ident= envfrom= intl=0 id= auth= msa=0 ]",
      false },
    { "Message by gateway.example.net with ESMTP id 1234; Tue, 03 Jan 2023 10:00:57 +0000",
      MIME_RCVD_SKIP, NULL, false },
    { "by mail.example.net (Postfix, from userid 1000) id 0A1B2C3D4E; Tue,  3 Jan 2023 10:00:58 "
      "+0000 (UTC)",
      MIME_RCVD_SKIP, NULL, false },
    { "from mail.example.org (mail.example.org. [192.0.2.73]) by mx.example.net (Postfix) with "
      "ESMTP id 5F6A; Tue, 3 Jan 2023 10:00:59 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.73 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
      "envfrom= intl=0 id=5F6A auth= msa=0 ]",
      false },
    { "from mail.example.org (UNKNOWN [192.0.2.74]) by mx.example.net (Postfix) with ESMTP id "
      "5F6B; Tue, 3 Jan 2023 10:01:00 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.74 rdns= helo=mail.example.org by=mx.example.net ident= envfrom= intl=0 "
      "id=5F6B auth= msa=0 ]",
      false },
    { "from h.example.org (h.example.org [192.0.2.75]) by mx.example.net (Postfix) with UTF8SMTPSA "
      "id 5F6C; Tue, 3 Jan 2023 10:01:01 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.75 rdns=h.example.org helo=h.example.org by=mx.example.net ident= envfrom= "
      "intl=0 id=5F6C auth=UTF8SMTPSA msa=0 ]",
      false },
    { "from h.example.org (h.example.org [192.0.2.76]) by mx.example.net (Postfix) with LMTPA id "
      "5F6D; Tue, 3 Jan 2023 10:01:02 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.76 rdns=h.example.org helo=h.example.org by=mx.example.net ident= envfrom= "
      "intl=0 id=5F6D auth=LMTPA msa=0 ]",
      false },
    { "from 192.0.2.77 by webmail.example.net (via HTTP); Tue, 3 Jan 2023 10:01:03 +0000",
      MIME_RCVD_SKIP, NULL, false },
    { "from h.example.org (h [192.0.2.78]) by mx.example.net with ESMTP (envelope-from "
      "<a@example.org>) id Z9; Tue, 3 Jan 2023 10:01:04 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.78 rdns=h helo=h.example.org by=mx.example.net ident= envfrom=a@example.org "
      "intl=0 id= auth= msa=0 ]",
      false },
    { "from bad (bad [192.0.2.79]) by mx.example.net (8.15/8.15) with ESMTP id 123 (Return-Path: "
      "<r@example.org>); Tue, 3 Jan 2023 10:01:05 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.79 rdns=bad helo=bad by=mx.example.net ident= envfrom=r@example.org intl=0 "
      "id=123 auth= msa=0 ]",
      false },
    { "from h.example.org (h [192.0.2.80]) by mx.example.net with ESMTP id 0; Tue, 3 Jan 2023 "
      "10:01:06 +0000 ;  ;",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.80 rdns=h helo=h.example.org by=mx.example.net ident= envfrom= intl=0 id= "
      "auth= msa=0 ]",
      false },
    { "from h.example.org\t(h   [::ffff:192.0.2.81]) \tby mx.example.net (8.15/8.15) with ESMTP id "
      "abc; Tue, 3 Jan 2023 10:01:07 +0000",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.81 rdns=h helo=h.example.org by=mx.example.net ident= envfrom= intl=0 id=abc "
      "auth= msa=0 ]",
      false },
    { "from host.example.org (host.example.org [192.0.2.82]) by smtp.example.net with ESMTP id 1 "
      "(version=TLS1_2 cipher=x)",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.82 rdns=host.example.org helo=host.example.org by=smtp.example.net ident= "
      "envfrom= intl=0 id= auth= msa=0 ]",
      false },
    { "from X-Originating-IP: 192.0.2.90", MIME_RCVD_RELAY,
      "[ ip=192.0.2.90 rdns= helo= by= ident= envfrom= intl=0 id= auth= msa=0 ]", false },
    { "from h.example.org (h.example.org [IPv6:2001:db8::53]) by mx.example.net (Postfix) with "
      "ESMTP id 7A",
      MIME_RCVD_RELAY,
      "[ ip=2001:db8::53 rdns=h.example.org helo=h.example.org by=mx.example.net ident= envfrom= "
      "intl=0 id= auth= msa=0 ]",
      false },
    { "from h (h [192.0.2.91]) by mx.example.net (8.1/8.1) with ESMTP id 7B (envelope-from <0>)",
      MIME_RCVD_RELAY,
      "[ ip=192.0.2.91 rdns=h helo=h by=mx.example.net ident= envfrom= intl=0 id= auth= msa=0 ]",
      false },
    { "from h (h [100.64.1.2]) by mx.example.net (8.1/8.1) with ESMTP id 7C", MIME_RCVD_RELAY,
      "[ ip=100.64.1.2 rdns=h helo=h by=mx.example.net ident= envfrom= intl=0 id= auth= msa=0 ]",
      true },
    { "from h (h [172.32.1.2]) by mx.example.net (8.1/8.1) with ESMTP id 7D", MIME_RCVD_RELAY,
      "[ ip=172.32.1.2 rdns=h helo=h by=mx.example.net ident= envfrom= intl=0 id= auth= msa=0 ]",
      false },
    { "from h (h [169.254.9.9]) by 0 (8.1/8.1) with ESMTP id 7E", MIME_RCVD_RELAY,
      "[ ip=169.254.9.9 rdns=h helo=h by=0 ident= envfrom= intl=0 id= auth= msa=0 ]", true },
    { "from h (h [192.0.2.93]) by mx.example.net (8.1/8.1) with ESMTP id 7F;;", MIME_RCVD_RELAY,
      "[ ip=192.0.2.93 rdns=h helo=h by=mx.example.net ident= envfrom= intl=0 id= auth= msa=0 ]",
      false },
};

START_TEST(parse_line_table)
{
    struct arena *a = arena_new(4096);
    struct mime_relay r;
    enum mime_received_status st =
        mime_received_parse_line(rules, a, strv_cstr(line_cases[_i].line), &r);

    ck_assert_msg(st == line_cases[_i].st, "%s: status %d", line_cases[_i].line, st);
    if (st == MIME_RCVD_RELAY) {
        ck_assert_msg(strv_eq(r.as_string, line_cases[_i].as_string), "%s:\n got  %.*s\n want %s",
                      line_cases[_i].line, (int)r.as_string.len, r.as_string.p,
                      line_cases[_i].as_string);
        ck_assert_int_eq(r.ip_private, line_cases[_i].ip_private);
        ck_assert(!r.trusted && !r.internal && !r.msa);
    }
    arena_free(&a);
}
END_TEST

/* Without an rDNS, SA tells "the MTA looked and found none" (no_reverse_dns:
 * Postfix, sendmail, qmail, smap, MDaemon, CommuniGate, simta...) from
 * "the header does not say" (rdns_not_in_headers: Exim, SMTPSVC, Lotus,
 * couriertcpd's softdnserr, qmail's and Obtuse smtpd's own "unknown").
 * Expected flags from sa-received.pl --lines. */
static const struct {
    const char *line;
    bool no_reverse_dns, rdns_not_in_headers;
} rdns_cases[] = {
    { "from mail.example.org (unknown [192.0.2.10]) by mx.example.net (Postfix) with ESMTP id 4ABC",
      true, false },
    { "from mail.example.org (unknown[192.0.2.11]) by mx.example.net (Postfix) with ESMTP id 4ABD",
      true, false },
    { "from mail.example.org (mail.example.org [192.0.2.12]) by mx.example.net (Postfix) with "
      "ESMTP id 4ABE",
      false, false },
    { "from laptop (unknown [198.51.100.5] (may be forged)) by mx.example.net (8.15.2/8.15.2) with "
      "ESMTP id 303A",
      true, false },
    { "from laptop ([198.51.100.6]) by mx.example.net (8.15.2/8.15.2) with ESMTP id 303B", true,
      false },
    { "from laptop (joe@[198.51.100.7]) by mx.example.net (8.11.6/8.11.6) with SMTP id 303C", true,
      false },
    { "from laptop (softdnserr [198.51.100.8]) by mx.example.net with ESMTP", false, true },
    { "from laptop ([198.51.100.9.63559]) by mx.example.net with esmtp (v3.35.1)", true, false },
    { "from laptop (unknown [198.51.100.10]) by mx.example.net with SMTP (Microsoft Exchange "
      "Internet Mail Service 5.5)",
      true, false },
    { "from laptop (unknown [198.51.100.11]) (authenticated bits=0) by mx.example.net "
      "(8.12.6/8.12.6)",
      true, false },
    { "from laptop (unknown.example[198.51.100.12]) by mx.example.net (rwcrmhc53) with SMTP", false,
      false },
    { "from laptop (unknown[198.51.100.13]) by mx.example.net (rwcrmhc53) with SMTP", true, false },
    { "from unknown (HELO helo.example.org) (198.51.100.14) by mail.example.net with SMTP", false,
      true },
    { "from Unknown (HELO helo.example.org) (198.51.100.15) by mail.example.net with SMTP", true,
      false },
    { "from unknown (198.51.100.16) by mail.example.net with SMTP", false, true },
    { "from unknown (HELO helo.example.org) (joe@198.51.100.17) by mail.example.net with ESMTP id "
      "9",
      true, false },
    { "from unknown (joe@198.51.100.18) by mail.example.net with ESMTP id 9", true, false },
    { "from unknown (HELO helo.example.org) (joe@198.51.100.19 with plain) by smtp.example.net "
      "with SMTP",
      true, false },
    { "from UNKNOWN(198.51.100.20), claiming to be \"helo.example.org\" via SMTP by "
      "mx.example.net, id smtpdAAA",
      false, true },
    { "from unknown(198.51.100.21), claiming to be \"helo.example.org\" via SMTP by "
      "mx.example.net, id smtpdAAA",
      true, false },
    { "from unknown(198.51.100.22) by mx.example.net via smap (V1.3)", true, false },
    { "from unknown(198.51.100.23, HELO helo.example.org) by mx.example.net via smap (V1.3)", true,
      false },
    { "from helo [198.51.100.24] by mx.example.net [192.0.2.1] with SMTP (MDaemon.PRO.v5.0.6.R)",
      true, false },
    { "from unknown ([198.51.100.25] verified) by mx.example.net (CommuniGate Pro SMTP 5.1.13)",
      true, false },
    { "FROM helo (unverified [198.51.100.26]) BY mx.example.net ID 434B508E.174A6.13932", true,
      false },
    { "from helo ([198.51.100.27]) by mx.example.net (Lotus Domino Release 5.0.8)", false, true },
    { "from helo ([198.51.100.28]) by mx.example.net with Microsoft SMTPSVC(5.0.2195.6624)", false,
      true },
    { "from unknown ([198.51.100.29] helo=helo.example.org) by mx.example.net with esmtp (Exim "
      "4.50)",
      false, true },
    { "from helo (198.51.100.30) by mx.example.net with ESMTP", false, false },
    { "from X-Originating-IP: 198.51.100.31", false, true },
};

START_TEST(rdns_flags_table)
{
    struct arena *a = arena_new(4096);
    struct mime_relay r;

    ck_assert_int_eq(mime_received_parse_line(rules, a, strv_cstr(rdns_cases[_i].line), &r),
                     MIME_RCVD_RELAY);
    ck_assert_msg(r.no_reverse_dns == rdns_cases[_i].no_reverse_dns &&
                      r.rdns_not_in_headers == rdns_cases[_i].rdns_not_in_headers,
                  "%s: no_reverse_dns %d rdns_not_in_headers %d", rdns_cases[_i].line,
                  r.no_reverse_dns, r.rdns_not_in_headers);
    arena_free(&a);
}
END_TEST

/* Received values used in chain_cases, top of the chain first. */
#define R_LH  "from localhost (localhost [127.0.0.1]) by mx.example.net (Postfix) with ESMTP id 1A"
#define R_LH6 "from localhost (localhost [IPv6:::1]) by mx.example.net (8.15/8.15) with ESMTP id 1B"
#define R_PRIV                                                                                     \
    "from gw.example.net (gw.example.net [192.168.1.5]) by mx.example.net (8.15/8.15) with ESMTP " \
    "id 2A"
#define R_IN10                                                                                     \
    "from relay.example.net (relay.example.net [192.0.2.10]) by mx.example.net (8.15/8.15) with "  \
    "ESMTP id 2B"
#define R_IN66                                                                                     \
    "from relay2.example.net (relay2.example.net [192.0.2.66]) by relay.example.net (8.15/8.15) "  \
    "with ESMTP id 2C"
#define R_MSA                                                                                      \
    "from msa.example.net (msa.example.net [198.51.100.5]) by relay.example.net (8.15/8.15) with " \
    "ESMTP id 2D"
#define R_PUB                                                                                      \
    "from mail.example.org (mail.example.org [198.51.100.7]) by mx.example.net (8.15/8.15) with "  \
    "ESMTP id 3A"
#define R_PUB2                                                                                     \
    "from client.example.org (dsl.example.org [203.0.113.9]) by mail.example.org (8.15/8.15) "     \
    "with ESMTP id 3B"
#define R_AUTH                                                                                     \
    "from laptop (dsl.example.org [203.0.113.20]) by smtp.example.net (Postfix) with ESMTPSA id "  \
    "4A"
#define R_FETCH                                                                                    \
    "from pop.example.net [127.0.0.1] by localhost with IMAP (fetchmail-6.4) for <u@localhost> "   \
    "(single-drop)"
#define R_QMS                                                                                      \
    "from 203.0.113.30 by mail.example.org (envelope-from <list@example.org>, uid 89) with "       \
    "qmail-scanner-2.10 (Clear:RC:0(203.0.113.30):.)"
#define R_QMAIL                                                                                    \
    "from host.example.org (HELO helo.example.org) (203.0.113.30) by mail.example.org with SMTP"
#define R_BAD  "from nowhere by nothing"
#define R_SKIP "(qmail 12345 invoked by uid 89)"
#define R_V6                                                                                       \
    "from v6.example.org (v6.example.org [IPv6:2001:db8:1::25]) by mx.example.net (Postfix) with " \
    "ESMTP id 5A"
#define R_XOIP "from X-Originating-IP: 203.0.113.50"

static const struct {
    const char *name;
    const char *received[8];              /* NULL-terminated */
    const char *trusted, *internal, *msa; /* SA config values; NULL: not configured */
    bool originating;
    const char *trusted_str, *untrusted_str, *internal_str, *external_str;
    unsigned unparseable;
    int last_trusted, last_internal;
} chain_cases[] = {
    {
        "infer_private_then_public",
        { R_LH, R_PRIV, R_PUB, R_PUB2, NULL },
        NULL,
        NULL,
        NULL,
        false,
        "[ ip=127.0.0.1 rdns=localhost helo=localhost by=mx.example.net ident= envfrom= intl=1 id= "
        "auth= msa=0 ] [ ip=192.168.1.5 rdns=gw.example.net helo=gw.example.net by=mx.example.net "
        "ident= envfrom= intl=1 id= auth= msa=0 ]",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ] [ ip=203.0.113.9 rdns=dsl.example.org "
        "helo=client.example.org by=mail.example.org ident= envfrom= intl=0 id= auth= msa=0 ]",
        "[ ip=127.0.0.1 rdns=localhost helo=localhost by=mx.example.net ident= envfrom= intl=1 id= "
        "auth= msa=0 ] [ ip=192.168.1.5 rdns=gw.example.net helo=gw.example.net by=mx.example.net "
        "ident= envfrom= intl=1 id= auth= msa=0 ]",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ] [ ip=203.0.113.9 rdns=dsl.example.org "
        "helo=client.example.org by=mail.example.org ident= envfrom= intl=0 id= auth= msa=0 ]",
        0,
        1,
        1,
    },
    {
        "infer_auth_extends_trust",
        { R_LH, R_AUTH, R_PUB, NULL },
        NULL,
        NULL,
        NULL,
        false,
        "[ ip=127.0.0.1 rdns=localhost helo=localhost by=mx.example.net ident= envfrom= intl=1 id= "
        "auth= msa=0 ] [ ip=203.0.113.20 rdns=dsl.example.org helo=laptop by=smtp.example.net "
        "ident= envfrom= intl=1 id= auth=ESMTPSA msa=0 ]",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ]",
        "[ ip=127.0.0.1 rdns=localhost helo=localhost by=mx.example.net ident= envfrom= intl=1 id= "
        "auth= msa=0 ] [ ip=203.0.113.20 rdns=dsl.example.org helo=laptop by=smtp.example.net "
        "ident= envfrom= intl=1 id= auth=ESMTPSA msa=0 ]",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ]",
        0,
        1,
        1,
    },
    {
        "infer_public_first",
        { R_PUB, R_PRIV, R_LH, NULL },
        NULL,
        NULL,
        NULL,
        false,
        "",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ] [ ip=192.168.1.5 rdns=gw.example.net "
        "helo=gw.example.net by=mx.example.net ident= envfrom= intl=0 id= auth= msa=0 ] [ "
        "ip=127.0.0.1 rdns=localhost helo=localhost by=mx.example.net ident= envfrom= intl=0 id= "
        "auth= msa=0 ]",
        "",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ] [ ip=192.168.1.5 rdns=gw.example.net "
        "helo=gw.example.net by=mx.example.net ident= envfrom= intl=0 id= auth= msa=0 ] [ "
        "ip=127.0.0.1 rdns=localhost helo=localhost by=mx.example.net ident= envfrom= intl=0 id= "
        "auth= msa=0 ]",
        0,
        -1,
        -1,
    },
    {
        "fetchmail_restarts_chain",
        { R_LH, R_FETCH, R_PUB, R_PUB2, NULL },
        NULL,
        NULL,
        NULL,
        false,
        "",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ] [ ip=203.0.113.9 rdns=dsl.example.org "
        "helo=client.example.org by=mail.example.org ident= envfrom= intl=0 id= auth= msa=0 ]",
        "",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ] [ ip=203.0.113.9 rdns=dsl.example.org "
        "helo=client.example.org by=mail.example.org ident= envfrom= intl=0 id= auth= msa=0 ]",
        0,
        1,
        1,
    },
    {
        "fetchmail_outside_trust_ignored",
        { R_PUB, R_FETCH, R_PRIV, NULL },
        NULL,
        NULL,
        NULL,
        false,
        "",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ] [ ip=192.168.1.5 rdns=gw.example.net "
        "helo=gw.example.net by=mx.example.net ident= envfrom= intl=0 id= auth= msa=0 ]",
        "",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ] [ ip=192.168.1.5 rdns=gw.example.net "
        "helo=gw.example.net by=mx.example.net ident= envfrom= intl=0 id= auth= msa=0 ]",
        0,
        -1,
        -1,
    },
    {
        "qmail_scanner_envfrom_moves_down",
        { R_LH, R_QMS, R_QMAIL, NULL },
        NULL,
        NULL,
        NULL,
        false,
        "[ ip=127.0.0.1 rdns=localhost helo=localhost by=mx.example.net ident= envfrom= intl=1 id= "
        "auth= msa=0 ]",
        "[ ip=203.0.113.30 rdns=host.example.org helo=helo.example.org by=mail.example.org ident= "
        "envfrom=list@example.org intl=0 id= auth= msa=0 ]",
        "[ ip=127.0.0.1 rdns=localhost helo=localhost by=mx.example.net ident= envfrom= intl=1 id= "
        "auth= msa=0 ]",
        "[ ip=203.0.113.30 rdns=host.example.org helo=helo.example.org by=mail.example.org ident= "
        "envfrom=list@example.org intl=0 id= auth= msa=0 ]",
        0,
        1,
        1,
    },
    {
        "unparseable_and_skipped_lines_count",
        { R_BAD, R_LH, R_SKIP, R_PUB, R_BAD, NULL },
        NULL,
        NULL,
        NULL,
        false,
        "[ ip=127.0.0.1 rdns=localhost helo=localhost by=mx.example.net ident= envfrom= intl=1 id= "
        "auth= msa=0 ]",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ]",
        "[ ip=127.0.0.1 rdns=localhost helo=localhost by=mx.example.net ident= envfrom= intl=1 id= "
        "auth= msa=0 ]",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ]",
        2,
        2,
        2,
    },
    {
        "originating_ip_line",
        { R_LH, R_PUB, R_XOIP, NULL },
        NULL,
        NULL,
        NULL,
        false,
        "[ ip=127.0.0.1 rdns=localhost helo=localhost by=mx.example.net ident= envfrom= intl=1 id= "
        "auth= msa=0 ]",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ] [ ip=203.0.113.50 rdns= helo= by= ident= envfrom= "
        "intl=0 id= auth= msa=0 ]",
        "[ ip=127.0.0.1 rdns=localhost helo=localhost by=mx.example.net ident= envfrom= intl=1 id= "
        "auth= msa=0 ]",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ] [ ip=203.0.113.50 rdns= helo= by= ident= envfrom= "
        "intl=0 id= auth= msa=0 ]",
        0,
        0,
        0,
    },
    {
        "trusted_with_exclusion",
        { R_IN10, R_IN66, R_PUB, NULL },
        "192.0.2.0/24 !192.0.2.66",
        NULL,
        NULL,
        false,
        "[ ip=192.0.2.10 rdns=relay.example.net helo=relay.example.net by=mx.example.net ident= "
        "envfrom= intl=1 id= auth= msa=0 ] [ ip=192.0.2.66 rdns=relay2.example.net "
        "helo=relay2.example.net by=relay.example.net ident= envfrom= intl=1 id= auth= msa=0 ]",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ]",
        "[ ip=192.0.2.10 rdns=relay.example.net helo=relay.example.net by=mx.example.net ident= "
        "envfrom= intl=1 id= auth= msa=0 ] [ ip=192.0.2.66 rdns=relay2.example.net "
        "helo=relay2.example.net by=relay.example.net ident= envfrom= intl=1 id= auth= msa=0 ]",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ]",
        0,
        1,
        1,
    },
    {
        "exclusion_listed_first",
        { R_IN10, R_IN66, R_PUB, NULL },
        "!192.0.2.66 192.0.2.0/24",
        NULL,
        NULL,
        false,
        "[ ip=192.0.2.10 rdns=relay.example.net helo=relay.example.net by=mx.example.net ident= "
        "envfrom= intl=1 id= auth= msa=0 ]",
        "[ ip=192.0.2.66 rdns=relay2.example.net helo=relay2.example.net by=relay.example.net "
        "ident= envfrom= intl=0 id= auth= msa=0 ] [ ip=198.51.100.7 rdns=mail.example.org "
        "helo=mail.example.org by=mx.example.net ident= envfrom= intl=0 id= auth= msa=0 ]",
        "[ ip=192.0.2.10 rdns=relay.example.net helo=relay.example.net by=mx.example.net ident= "
        "envfrom= intl=1 id= auth= msa=0 ]",
        "[ ip=192.0.2.66 rdns=relay2.example.net helo=relay2.example.net by=relay.example.net "
        "ident= envfrom= intl=0 id= auth= msa=0 ] [ ip=198.51.100.7 rdns=mail.example.org "
        "helo=mail.example.org by=mx.example.net ident= envfrom= intl=0 id= auth= msa=0 ]",
        0,
        0,
        0,
    },
    {
        "loopback_always_trusted",
        { R_LH, R_LH6, R_IN10, R_PUB, R_IN10, NULL },
        "192.0.2.0/24",
        NULL,
        NULL,
        false,
        "[ ip=127.0.0.1 rdns=localhost helo=localhost by=mx.example.net ident= envfrom= intl=1 id= "
        "auth= msa=0 ] [ ip=::1 rdns=localhost helo=localhost by=mx.example.net ident= envfrom= "
        "intl=1 id= auth= msa=0 ] [ ip=192.0.2.10 rdns=relay.example.net helo=relay.example.net "
        "by=mx.example.net ident= envfrom= intl=1 id= auth= msa=0 ]",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ] [ ip=192.0.2.10 rdns=relay.example.net "
        "helo=relay.example.net by=mx.example.net ident= envfrom= intl=0 id= auth= msa=0 ]",
        "[ ip=127.0.0.1 rdns=localhost helo=localhost by=mx.example.net ident= envfrom= intl=1 id= "
        "auth= msa=0 ] [ ip=::1 rdns=localhost helo=localhost by=mx.example.net ident= envfrom= "
        "intl=1 id= auth= msa=0 ] [ ip=192.0.2.10 rdns=relay.example.net helo=relay.example.net "
        "by=mx.example.net ident= envfrom= intl=1 id= auth= msa=0 ]",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ] [ ip=192.0.2.10 rdns=relay.example.net "
        "helo=relay.example.net by=mx.example.net ident= envfrom= intl=0 id= auth= msa=0 ]",
        0,
        2,
        2,
    },
    {
        "internal_subset_and_msa",
        { R_IN10, R_MSA, R_PUB2, R_PUB, NULL },
        "192.0.2.0/24 198.51.100.0/24",
        "192.0.2.0/24",
        "198.51.100.5",
        false,
        "[ ip=192.0.2.10 rdns=relay.example.net helo=relay.example.net by=mx.example.net ident= "
        "envfrom= intl=1 id= auth= msa=0 ] [ ip=198.51.100.5 rdns=msa.example.net "
        "helo=msa.example.net by=relay.example.net ident= envfrom= intl=0 id= auth= msa=1 ] [ "
        "ip=203.0.113.9 rdns=dsl.example.org helo=client.example.org by=mail.example.org ident= "
        "envfrom= intl=0 id= auth= msa=0 ] [ ip=198.51.100.7 rdns=mail.example.org "
        "helo=mail.example.org by=mx.example.net ident= envfrom= intl=0 id= auth= msa=0 ]",
        "",
        "[ ip=192.0.2.10 rdns=relay.example.net helo=relay.example.net by=mx.example.net ident= "
        "envfrom= intl=1 id= auth= msa=0 ]",
        "[ ip=198.51.100.5 rdns=msa.example.net helo=msa.example.net by=relay.example.net ident= "
        "envfrom= intl=0 id= auth= msa=1 ] [ ip=203.0.113.9 rdns=dsl.example.org "
        "helo=client.example.org by=mail.example.org ident= envfrom= intl=0 id= auth= msa=0 ] [ "
        "ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ]",
        0,
        3,
        0,
    },
    {
        "originating_trusts_past_boundary",
        { R_IN10, R_PUB2, R_PUB, NULL },
        "192.0.2.0/24",
        NULL,
        NULL,
        true,
        "[ ip=192.0.2.10 rdns=relay.example.net helo=relay.example.net by=mx.example.net ident= "
        "envfrom= intl=1 id= auth= msa=0 ] [ ip=203.0.113.9 rdns=dsl.example.org "
        "helo=client.example.org by=mail.example.org ident= envfrom= intl=0 id= auth= msa=0 ] [ "
        "ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ]",
        "",
        "[ ip=192.0.2.10 rdns=relay.example.net helo=relay.example.net by=mx.example.net ident= "
        "envfrom= intl=1 id= auth= msa=0 ]",
        "[ ip=203.0.113.9 rdns=dsl.example.org helo=client.example.org by=mail.example.org ident= "
        "envfrom= intl=0 id= auth= msa=0 ] [ ip=198.51.100.7 rdns=mail.example.org "
        "helo=mail.example.org by=mx.example.net ident= envfrom= intl=0 id= auth= msa=0 ]",
        0,
        2,
        0,
    },
    {
        "internal_only_serves_as_trusted",
        { R_IN10, R_PRIV, R_PUB, NULL },
        NULL,
        "192.0.2.0/24",
        NULL,
        false,
        "[ ip=192.0.2.10 rdns=relay.example.net helo=relay.example.net by=mx.example.net ident= "
        "envfrom= intl=1 id= auth= msa=0 ]",
        "[ ip=192.168.1.5 rdns=gw.example.net helo=gw.example.net by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ] [ ip=198.51.100.7 rdns=mail.example.org "
        "helo=mail.example.org by=mx.example.net ident= envfrom= intl=0 id= auth= msa=0 ]",
        "[ ip=192.0.2.10 rdns=relay.example.net helo=relay.example.net by=mx.example.net ident= "
        "envfrom= intl=1 id= auth= msa=0 ]",
        "[ ip=192.168.1.5 rdns=gw.example.net helo=gw.example.net by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ] [ ip=198.51.100.7 rdns=mail.example.org "
        "helo=mail.example.org by=mx.example.net ident= envfrom= intl=0 id= auth= msa=0 ]",
        0,
        0,
        0,
    },
    {
        "configured_auth_keeps_trust",
        { R_IN10, R_AUTH, R_PUB, NULL },
        "192.0.2.0/24",
        NULL,
        NULL,
        false,
        "[ ip=192.0.2.10 rdns=relay.example.net helo=relay.example.net by=mx.example.net ident= "
        "envfrom= intl=1 id= auth= msa=0 ] [ ip=203.0.113.20 rdns=dsl.example.org helo=laptop "
        "by=smtp.example.net ident= envfrom= intl=1 id= auth=ESMTPSA msa=0 ]",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ]",
        "[ ip=192.0.2.10 rdns=relay.example.net helo=relay.example.net by=mx.example.net ident= "
        "envfrom= intl=1 id= auth= msa=0 ] [ ip=203.0.113.20 rdns=dsl.example.org helo=laptop "
        "by=smtp.example.net ident= envfrom= intl=1 id= auth=ESMTPSA msa=0 ]",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ]",
        0,
        1,
        1,
    },
    {
        "ipv6_network",
        { R_V6, R_PUB, NULL },
        "2001:db8::/32",
        NULL,
        NULL,
        false,
        "[ ip=2001:db8:1::25 rdns=v6.example.org helo=v6.example.org by=mx.example.net ident= "
        "envfrom= intl=1 id= auth= msa=0 ]",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ]",
        "[ ip=2001:db8:1::25 rdns=v6.example.org helo=v6.example.org by=mx.example.net ident= "
        "envfrom= intl=1 id= auth= msa=0 ]",
        "[ ip=198.51.100.7 rdns=mail.example.org helo=mail.example.org by=mx.example.net ident= "
        "envfrom= intl=0 id= auth= msa=0 ]",
        0,
        0,
        0,
    },
    {
        "empty_chain",
        { NULL },
        NULL,
        NULL,
        NULL,
        false,
        "",
        "",
        "",
        "",
        0,
        -1,
        -1,
    },
};

static struct ipset *
make_set(const char *nets, struct ipset *s)
{
    char buf[256], *save = NULL;
    struct sift_err err;

    if (nets == NULL)
        return NULL;
    ipset_init(s);
    snprintf(buf, sizeof(buf), "%s", nets);
    for (char *t = strtok_r(buf, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save))
        ck_assert_msg(ipset_add(s, t, &err) == 0, "%s", err.msg);
    return s;
}

static size_t
count_relays(struct strv s)
{
    size_t n = 0;

    for (size_t i = 0; i + 5 <= s.len; i++)
        n += memcmp(s.p + i, "[ ip=", 5) == 0;
    return n;
}

START_TEST(chain_table)
{
    struct arena *a = arena_new(4096);
    struct ipset sets[3];
    struct mime_trust trust = {
        .trusted = make_set(chain_cases[_i].trusted, &sets[0]),
        .internal = make_set(chain_cases[_i].internal, &sets[1]),
        .msa = make_set(chain_cases[_i].msa, &sets[2]),
        .originating = chain_cases[_i].originating,
    };
    struct strv rcvd[8];
    size_t n = 0;
    struct mime_relays out;

    while (chain_cases[_i].received[n] != NULL) {
        rcvd[n] = strv_cstr(chain_cases[_i].received[n]);
        n++;
    }
    mime_received_chain(rules, a, &trust, rcvd, n, &out);
    ck_assert_msg(strv_eq(out.trusted_str, chain_cases[_i].trusted_str), "trusted: %s",
                  out.trusted_str.p);
    ck_assert_msg(strv_eq(out.untrusted_str, chain_cases[_i].untrusted_str), "untrusted: %s",
                  out.untrusted_str.p);
    ck_assert_msg(strv_eq(out.internal_str, chain_cases[_i].internal_str), "internal: %s",
                  out.internal_str.p);
    ck_assert_msg(strv_eq(out.external_str, chain_cases[_i].external_str), "external: %s",
                  out.external_str.p);
    ck_assert_uint_eq(out.num_unparseable, chain_cases[_i].unparseable);
    ck_assert_int_eq(out.last_trusted_index, chain_cases[_i].last_trusted);
    ck_assert_int_eq(out.last_internal_index, chain_cases[_i].last_internal);
    /* the counts and the relay list agree with the strings */
    ck_assert_uint_eq(out.num_trusted, count_relays(out.trusted_str));
    ck_assert_uint_eq(out.num_untrusted, count_relays(out.untrusted_str));
    ck_assert_uint_eq(out.num_internal, count_relays(out.internal_str));
    ck_assert_uint_eq(out.num_external, count_relays(out.external_str));
    ck_assert_uint_eq(out.nrelays, out.num_trusted + out.num_untrusted);
    for (size_t i = 0; i < out.nrelays; i++) {
        if (i + 1 < out.nrelays) /* trust and internality only end, going down */
            ck_assert(out.relays[i].trusted >= out.relays[i + 1].trusted);
        ck_assert(!out.relays[i].internal || out.relays[i].trusted || chain_cases[_i].originating);
    }
    for (int k = 0; k < 3; k++)
        if ((k == 0 ? trust.trusted : k == 1 ? trust.internal : trust.msa) != NULL)
            ipset_clear(&sets[k]);
    arena_free(&a);
}
END_TEST

START_TEST(chain_marks_each_relay)
{
    struct arena *a = arena_new(4096);
    struct ipset t, i, m;
    struct mime_trust trust = { make_set("192.0.2.0/24 198.51.100.0/24", &t),
                                make_set("192.0.2.0/24", &i), make_set("198.51.100.5", &m), false };
    const struct strv rcvd[] = { strv_cstr(R_IN10), strv_cstr(R_MSA), strv_cstr(R_PUB2) };
    struct mime_relays out;

    mime_received_chain(rules, a, &trust, rcvd, 3, &out);
    ck_assert_uint_eq(out.nrelays, 3);
    ck_assert(out.relays[0].trusted && out.relays[0].internal && !out.relays[0].msa);
    ck_assert(out.relays[1].trusted && !out.relays[1].internal && out.relays[1].msa);
    ck_assert(out.relays[2].trusted && !out.relays[2].internal && !out.relays[2].msa);
    ck_assert(strv_eq(out.relays[1].ip, "198.51.100.5"));
    ck_assert(strv_eq(out.relays[1].rdns, "msa.example.net"));
    ck_assert_uint_eq(out.num_trusted, 3);
    ck_assert_uint_eq(out.num_internal, 1);
    ck_assert_int_eq(out.last_trusted_index, 2);
    ck_assert_int_eq(out.last_internal_index, 0);
    ipset_clear(&t);
    ipset_clear(&i);
    ipset_clear(&m);
    arena_free(&a);
}
END_TEST

START_TEST(parse_line_fields)
{
    struct arena *a = arena_new(4096);
    struct mime_relay r;

    /* SA 4.0.1: ip, rdns, helo, by, ident, envfrom, id and auth of a line */
    ck_assert_int_eq(mime_received_parse_line(
                         rules, a,
                         strv_cstr("from unknown (HELO helo.example.org) (joe@[198.51.100.33]) "
                                   "(envelope-sender <joe@example.org>) by mail.example.net "
                                   "(qmail-ldap-1.03) with SMTP for <u@example.net>"),
                         &r),
                     MIME_RCVD_RELAY);
    ck_assert(strv_eq(r.ip, "198.51.100.33"));
    ck_assert(strv_eq(r.rdns, ""));
    ck_assert(strv_eq(r.helo, "helo.example.org"));
    ck_assert(strv_eq(r.by, "mail.example.net"));
    ck_assert(strv_eq(r.ident, "joe"));
    ck_assert(r.has_envfrom);
    ck_assert(strv_eq(r.envfrom, "joe@example.org"));
    ck_assert(strv_eq(r.id, ""));
    ck_assert(strv_eq(r.auth, ""));

    ck_assert_int_eq(mime_received_parse_line(
                         rules, a,
                         strv_cstr("from client.example.org (dsl-9.example.org [203.0.113.9]) "
                                   "(Authenticated sender: alice) by smtp.example.net (MyMTA) "
                                   "with ESMTP id 55EF; Tue, 3 Jan 2023 10:00:03 +0000"),
                         &r),
                     MIME_RCVD_RELAY);
    ck_assert(strv_eq(r.auth, "Postfix (MyMTA)"));
    ck_assert(strv_eq(r.id, "55EF"));
    ck_assert(!r.has_envfrom);

    /* an envelope sender "0" is false to Perl: kept, but not shown */
    ck_assert_int_eq(mime_received_parse_line(rules, a,
                                              strv_cstr("from h (h [192.0.2.91]) by mx.example.net "
                                                        "(8.1/8.1) with ESMTP id 7B "
                                                        "(envelope-from <0>)"),
                                              &r),
                     MIME_RCVD_RELAY);
    ck_assert(r.has_envfrom);
    ck_assert(strv_eq(r.envfrom, "0"));
    arena_free(&a);
}
END_TEST

START_TEST(folded_line_reads_as_unfolded)
{
    struct arena *a = arena_new(4096);
    struct mime_relay r1, r2;
    const char *folded = "from mail.example.org (mail.example.org\r\n [192.0.2.10])\n\tby "
                         "mx.example.net (Postfix) with ESMTPS id 4ABCD12345\r\n\t for "
                         "<u@example.net>;\n Tue, 3 Jan 2023 10:00:00 +0000 (UTC)\n";

    ck_assert_int_eq(mime_received_parse_line(rules, a, strv_cstr(folded), &r1), MIME_RCVD_RELAY);
    ck_assert_int_eq(mime_received_parse_line(rules, a, strv_cstr(line_cases[0].line), &r2),
                     MIME_RCVD_RELAY);
    ck_assert_mem_eq(r1.as_string.p, line_cases[0].as_string, r1.as_string.len);
    ck_assert(strv_eq(r2.as_string, line_cases[0].as_string));
    arena_free(&a);
}
END_TEST

START_TEST(nul_bytes_are_kept_or_flagged)
{
    static const char line[] = "from h\0x (h [192.0.2.1]) by mx (8.1/8.1) with ESMTP id a\0bc";
    /* SA 4.0.1: a NUL in helo becomes '!', the id keeps it */
    static const char want[] = "[ ip=192.0.2.1 rdns=h helo=h!x by=mx ident= envfrom= intl=0 "
                               "id=a\0bc auth= msa=0 ]";
    struct arena *a = arena_new(4096);
    struct mime_relay r;

    ck_assert_int_eq(mime_received_parse_line(rules, a, strv_make(line, sizeof(line) - 1), &r),
                     MIME_RCVD_RELAY);
    ck_assert_uint_eq(r.as_string.len, sizeof(want) - 1);
    ck_assert_mem_eq(r.as_string.p, want, sizeof(want) - 1);
    arena_free(&a);
}
END_TEST

static const struct {
    const char *value;
    const char *line; /* NULL: no address */
} orig_cases[] = {
    { "203.0.113.50", "from X-Originating-IP: 203.0.113.50" },
    { "[203.0.113.51]", "from X-Originating-IP: 203.0.113.51" },
    { "client 203.0.113.52 via proxy 10.0.0.1", "from X-Originating-IP: 203.0.113.52" },
    { "IPv6:2001:db8::1", "from X-Originating-IP: IPv6:2001:db8::1" },
    { "unknown", NULL },
    { "", NULL },
    { "1.2.3", NULL },
};

START_TEST(originating_header_line)
{
    struct arena *a = arena_new(4096);
    struct strv line;
    bool found = mime_received_originating(rules, a, strv_cstr(orig_cases[_i].value), &line);

    ck_assert_int_eq(found, orig_cases[_i].line != NULL);
    if (found)
        ck_assert_msg(strv_eq(line, orig_cases[_i].line), "%.*s", (int)line.len, line.p);
    arena_free(&a);
}
END_TEST

START_TEST(edge_inputs)
{
    struct arena *a = arena_new(4096);
    struct mime_relay r;
    struct mime_relays out;

    ck_assert_int_eq(mime_received_parse_line(rules, a, strv_make(NULL, 0), &r), MIME_RCVD_SKIP);
    ck_assert_int_eq(mime_received_parse_line(rules, a, strv_cstr(" \t\r\n "), &r), MIME_RCVD_SKIP);
    ck_assert_int_eq(mime_received_parse_line(rules, a, strv_cstr("from"), &r), MIME_RCVD_SKIP);
    ck_assert_int_eq(mime_received_parse_line(rules, a, strv_cstr("from "), &r), MIME_RCVD_SKIP);
    ck_assert_int_eq(mime_received_parse_line(rules, a, strv_cstr("from x"), &r),
                     MIME_RCVD_UNPARSEABLE);
    ck_assert_int_eq(mime_received_parse_line(rules, a, strv_cstr(";;;"), &r), MIME_RCVD_SKIP);
    mime_received_chain(rules, a, NULL, NULL, 0, &out);
    ck_assert_uint_eq(out.nrelays, 0);
    ck_assert_int_eq(out.last_trusted_index, -1);
    ck_assert_uint_eq(out.trusted_str.len, 0);
    arena_free(&a);
}
END_TEST

START_TEST(hostile_lines_end_quickly)
{
    static const char *unit[] = {
        " (x)", " ([1.2.3.4]", " by ",   " (HELO a) (b@[1.2.3.4])", " authenticated", "1:",
        " [",   ")",           " helo=x"
    };
    struct arena *a = arena_new(1 << 16);
    struct mime_relay r;
    size_t n = 65536;
    char *line = arena_alloc(a, n + 1);
    struct timespec t0, t1;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t k = 0; k < sizeof(unit) / sizeof(unit[0]); k++) {
        size_t len = strlen(unit[k]), pos = 5;
        memcpy(line, "from ", 5);
        while (pos + len <= n) {
            memcpy(line + pos, unit[k], len);
            pos += len;
        }
        mime_received_parse_line(rules, a, strv_make(line, pos), &r);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 10); /* about 0.1 s each without sanitizers */
    arena_free(&a);
}
END_TEST

START_TEST(rules_free_is_idempotent)
{
    struct mime_received_rules *r = NULL;
    struct sift_err err;

    mime_received_rules_free(&r);
    ck_assert_int_eq(mime_received_rules_new(&r, &err), 0);
    mime_received_rules_free(&r);
    ck_assert_ptr_null(r);
    mime_received_rules_free(&r);
}
END_TEST

/* Read the corpus (when present): every chain keeps the invariants. */
static void
corpus_file(const char *path, struct mime_relays *out, struct arena *a)
{
    FILE *f = fopen(path, "rb");
    struct strv rcvd[256];
    size_t n = 0, len = 0, cap = 1 << 16;
    char *head = arena_alloc(a, cap), *line = NULL;
    size_t lcap = 0;
    ssize_t k;

    ck_assert_ptr_nonnull(f);
    while ((k = getline(&line, &lcap, f)) > 0 && !(k == 1 || (k == 2 && line[0] == '\r'))) {
        if (len + (size_t)k < cap) {
            memcpy(head + len, line, (size_t)k);
            len += (size_t)k;
        }
    }
    free(line);
    fclose(f);
    for (size_t i = 0; i < len && n < 256;) {
        size_t end = i;
        while (end < len && !(head[end] == '\n' &&
                              (end + 1 == len || (head[end + 1] != ' ' && head[end + 1] != '\t'))))
            end++;
        if (end - i > 9 && strncasecmp(head + i, "received:", 9) == 0)
            rcvd[n++] = strv_make(head + i + 9, end - i - 9);
        i = end + 1;
    }
    mime_received_chain(rules, a, NULL, rcvd, n, out);
}

START_TEST(corpus_chains_hold_together)
{
    static const char *dirs[] = { "../shared/corpus/ham", "../shared/corpus/spam" };
    size_t files = 0;

    for (size_t d = 0; d < 2; d++) {
        DIR *dir = opendir(dirs[d]);
        struct dirent *e;

        if (dir == NULL)
            continue;
        while ((e = readdir(dir)) != NULL) {
            char path[PATH_MAX];
            struct arena *a;
            struct mime_relays out;

            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "%s/%s", dirs[d], e->d_name);
            a = arena_new(1 << 16);
            corpus_file(path, &out, a);
            ck_assert_uint_eq(out.nrelays, out.num_trusted + out.num_untrusted);
            ck_assert_uint_eq(out.num_trusted, count_relays(out.trusted_str));
            ck_assert_uint_eq(out.num_external, count_relays(out.external_str));
            arena_free(&a);
            files++;
        }
        closedir(dir);
    }
    if (files == 0)
        fprintf(stderr, "corpus_chains_hold_together: no corpus, skipped\n");
}
END_TEST

static Suite *
mime_received_suite(void)
{
    Suite *s = suite_create("mime_received");
    TCase *tc = tcase_create("received");

    tcase_add_unchecked_fixture(tc, rules_setup, rules_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, parse_line_table, 0, sizeof(line_cases) / sizeof(line_cases[0]));
    tcase_add_loop_test(tc, chain_table, 0, sizeof(chain_cases) / sizeof(chain_cases[0]));
    tcase_add_loop_test(tc, rdns_flags_table, 0, sizeof(rdns_cases) / sizeof(rdns_cases[0]));
    tcase_add_test(tc, chain_marks_each_relay);
    tcase_add_test(tc, parse_line_fields);
    tcase_add_test(tc, folded_line_reads_as_unfolded);
    tcase_add_test(tc, nul_bytes_are_kept_or_flagged);
    tcase_add_loop_test(tc, originating_header_line, 0, sizeof(orig_cases) / sizeof(orig_cases[0]));
    tcase_add_test(tc, edge_inputs);
    tcase_add_test(tc, hostile_lines_end_quickly);
    tcase_add_test(tc, rules_free_is_idempotent);
    tcase_add_test(tc, corpus_chains_hold_together);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(mime_received_suite());
}
