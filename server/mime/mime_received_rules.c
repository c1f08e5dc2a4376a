/*
 * mime_received_rules.c - the Received formats SpamAssassin 4.0.1 knows,
 * as rows (see mime_received_rules.h for how a table runs). The order of
 * the rows is SA's order in parse_received_line and matters: a line is
 * read by the first row that fits it. The comment over a row names the
 * MTA and shows the shape of line it reads (after "from " where that is
 * stripped, and without the date). RCV_DNS (and the *_DNS hooks) mark the
 * rows where SA sets $mta_looked_up_dns: that MTA looks up the rDNS itself,
 * so a relay without one has no_reverse_dns.
 */
#include "mime/mime_received_rules.h"

/* SA's Constants.pm: IP_ADDRESS, LOCALHOST and IP_PRIVATE, all /i. */
#define V4O "(?:1\\d\\d|2[0-4]\\d|25[0-5]|[1-9]\\d|\\d)"
#define V4  V4O "\\." V4O "\\." V4O "\\." V4O
#define HX  "[a-f0-9]{1,4}"
#define IP                                                                                         \
    "(?i:(?:\\b(?<!:)" V4 "\\b|(?:IPv6:|(?<![a-f0-9:]))(?:(?:(?:" HX ":){6}|::(?:" HX              \
    ":){0,5}|(?:" HX ":){1,5}:|" HX "::(?:" HX ":){1,4}|(?:" HX ":){2}:(?:" HX ":){1,3}|(?:" HX    \
    ":){3}:(?:" HX ":){1,2}|(?:" HX ":){4}:" HX ":)" V4 "|(?:" HX ":){7}" HX "|:(?::" HX           \
    "){1,7}|(?:" HX ":){1,7}:|" HX ":(?::" HX "){1,6}|(?:" HX ":){2}(?::" HX "){1,5}|(?:" HX       \
    ":){3}(?::" HX "){1,4}|(?:" HX ":){4}(?::" HX "){1,3}|(?:" HX ":){5}(?::" HX "){1,2}|(?:" HX   \
    ":){6}:" HX "|::)(?![a-f0-9:])))"
#define Z0 "0{1,4}"
#define MAPPED                                                                                     \
    "(?:(?:" Z0 ":){5}ffff:|::(?:" Z0 ":){0,4}ffff:|(?:" Z0 ":){1,4}:ffff:|" Z0 "::(?:" Z0         \
    ":){1,3}ffff:|(?:" Z0 ":){2}:0{1,2}:ffff:|(?:" Z0 ":){3}:0:ffff:|(?:" Z0 ":){4}:ffff:)"
#define ONE6                                                                                       \
    "(?:" Z0 ":){7}0{0,3}1|:(?::" Z0 "){0,6}:0{0,3}1|" Z0 ":(?::" Z0 "){0,5}:0{0,3}1|(?:" Z0       \
    ":){2}(?::" Z0 "){0,4}:0{0,3}1|(?:" Z0 ":){3}(?::" Z0 "){0,3}:0{0,3}1|(?:" Z0 ":){4}(?::" Z0   \
    "){0,2}:0{0,3}1|(?:" Z0 ":){5}(?::" Z0 "){0,1}:0{0,3}1|(?:" Z0 ":){6}:0{0,3}1"
#define LOCALHOST                                                                                  \
    "(?i:(?:localhost(?:\\.localdomain)?|\\b(?<!:)127\\.0\\.0\\.1\\b|(?:IPv6:|(?<![a-f0-9:]))(?"   \
    ":" MAPPED "127\\.0\\.0\\.1|" ONE6 ")(?![a-f0-9:])))"
#define PRIV4                                                                                      \
    "(?:10|127|169\\.254|172\\.(?:1[6-9]|2[0-9]|3[01])|192\\.168|100\\.(?:6[4-9]|[7-9][0-9]|1[01]" \
    "[0-9]|12[0-7]))"

const char rcv_re_ip_address[] = "(" IP ")";
/* PerMsgStatus::_get's :ip modifier: qr/(?<!\.)\b(${IP_ADDRESS})\b(?!\.)/ */
const char rcv_re_ip_token[] = "(?<!\\.)\\b(" IP ")\\b(?!\\.)";
const char rcv_re_ip_any[] = "\\[(" IP ")\\]";
const char rcv_re_ip_private[] =
    "(?i:^(?:" PRIV4 "\\..*|(?:(?:IPv6:|(?<![a-f0-9:]))(?:" MAPPED PRIV4
    "\\..*|fe[89ab][0-9a-f]:.*|" ONE6 ")(?![a-f0-9:]))))";
const char rcv_re_date[] =
    "[\\s;]+(?:(?:Mon|T(?:ue|hu)|Wed|Fri|S(?:at|un)), )?\\d+ "
    "(?:J(?:an|u[nl])|Feb|Ma[ry]|A(?:pr|ug)|Sep|Oct|Nov|Dec) \\d+ \\d+:\\d+(?::\\d+)? \\S+$";

/* A HELO word: the characters SA allows in "helo=" and after HELO/EHLO. */
#define HELOCH "[-A-Za-z0-9.^+_&:=?!@%*$\\\\/]"

#define C(...) .cap = { __VA_ARGS__ }

/* Before the date goes: lines that are never relays. */
static const struct rcv_rule early_rows[] = {
    /* from www-data by host (Exim 4.50) with local for <u@example.org> id ... */
    { .act = RCV_SKIP, .re = "\\bwith local for\\b" },
    /* from virtual-access.org by bolero.conactive.com ; (but not "from [1.2.3.4] by x;") */
    { .act = RCV_SKIP,
      .hook = RCV_HOOK_NOT_BRACKET_IP,
      C(RCV_TMP),
      .re = "(?i)^from (\\S+) by [^\\s;]+ ?;" },
};

/* The whole line (date gone): what SA takes before looking at the MTA. */
static const struct rcv_rule common_rows[] = {
    { .act = RCV_SET, C(RCV_ID), .re = " id <?([^\\s<>;]{3,})" },
    { .act = RCV_SET,
      C(RCV_HELO),
      .re = "\\bhelo=(" HELOCH "+)(?:[^-A-Za-z0-9.^+_&:=?!@%*$\\\\/]|$)" },
    { .act = RCV_SET,
      .flags = RCV_ELSE,
      C(RCV_HELO),
      .re = "\\b(?:HELO|EHLO) (" HELOCH "+)(?:[^-A-Za-z0-9.^+_&:=?!@%*$\\\\/]|$)" },
    { .act = RCV_SET, C(RCV_BY), .re = " by (\\S+)(?:[^-A-Za-z0-9;.]|$)" },
};

/* Authentication tokens: one if/elsif chain, the first that fits wins. */
static const struct rcv_rule auth_rows[] = {
    /* RFC 3848 ESMTPA, ESMTPSA, LMTPA..., RFC 6531 UTF8SMTPA, ASMTP, webmail HTTP */
    { .act = RCV_SET,
      .auth = "$1",
      .guard = " by ",
      .re = "(?i) with ((?:ES|L|UTF8S|UTF8L)MTPS?A|ASMTP|HTTP[SU]?)(?: |;|$)" },
    /* Gmail submission, which says ESMTPS only */
    { .act = RCV_SET,
      .flags = RCV_ELSE,
      .auth = "GMail - transport=$1 cipher=$2",
      .guard = " by mx\\.google\\.com with ESMTPS id [a-z0-9]{1,4}sm[0-9]{2,9}[a-z]{3}\\.[0-9]{1,3}"
               "\\.[0-9]{4}\\.(?:[0-6][0-9]\\.){4}[0-6][0-9]",
      .re = "\\(version=([^ ]+) cipher=([^\\)]+)\\)" },
    /* Courier 0.47 */
    { .act = RCV_SET,
      .flags = RCV_ELSE,
      .auth = "$1",
      .re =
          "^from .*?(?:\\]\\)|\\)\\]) \\(AUTH: (LOGIN|PLAIN|DIGEST-MD5|CRAM-MD5) \\S+(?:, .*?)?\\) "
          "by " },
    /* Sendmail, MDaemon, webmail: "(authenticated ...)" after the host */
    { .act = RCV_SET,
      .flags = RCV_ELSE,
      .auth = "Sendmail",
      .guard = "authenticated",
      .re = "^from .*?(?:\\](?: \\([^)]*\\))?\\)|\\)\\]) .*?\\(.*?authenticated.*?\\).*? by" },
    /* GMX, authenticated but not saying so */
    { .act = RCV_SET,
      .flags = RCV_ELSE,
      .auth = "GMX ($4 / $3)",
      .re = "from \\S* \\((?:HELO|EHLO) (\\S*)\\) \\[(" IP ")\\] by (mail\\.gmx\\.(?:net|com)) "
            "\\([^\\)]+\\) with ((?:ESMTP|SMTP))" },
    /* Critical Path Messaging Server */
    { .act = RCV_SET,
      .flags = RCV_ELSE,
      .auth = "CriticalPath",
      .guard = " \\(authenticated as ",
      .re =
          "\\) by .+ \\(\\d{1,2}\\.\\d\\.\\d{3}(?:\\.\\d{1,3})?\\) \\(authenticated as .+\\) id " },
    /* Postfix with smtpd_sasl_authenticated_header (mail_name may differ, bug 5646) */
    { .act = RCV_SET,
      .flags = RCV_ELSE,
      .hook = RCV_HOOK_AUTH_POSTFIX,
      C(RCV_TMP),
      .re = "\\) \\(Authenticated sender: \\S+\\) by \\S+ \\(([^\\)]+)\\) with " },
    /* CommuniGate Pro (bugs 6495, 7277) */
    { .act = RCV_SET,
      .flags = RCV_ELSE,
      .auth = "Communigate",
      .guard = " \\(account ",
      .re = "CommuniGate Pro (HTTP|SMTP|XIMSS|IMAP)" },
    /* Microsoft Exchange */
    { .act = RCV_SET,
      .flags = RCV_ELSE,
      .auth = "HTTP-DAV",
      .re = " with Microsoft Exchange Server HTTP-DAV\\b" },
    /* "(via HTTP)" comments, bug 7101 */
    { .act = RCV_SET,
      .flags = RCV_ELSE,
      .auth = "$1",
      .guard = " by ",
      .re = "(?i) \\(via (HTTP.?)\\)(?: |;|$)" },
};

/* After "from ". */
static const struct rcv_rule from_rows[] = {
    /* envelope sender, wherever it is said */
    { .act = RCV_SET,
      C(RCV_ENVFROM),
      .re = "(?i)(?:return-path:? |envelope-(?:sender|from)[ =])(\\S+)\\b" },
    /* 1.2.3.4 (SquirrelMail authenticated user u) by mail.example.org with HTTP (bug 6549) */
    { .act = RCV_ENOUGH,
      C(RCV_IP, RCV_BY),
      .guard = " \\((?:SquirrelMail|NaSMail) authenticated user ",
      .re = "(" IP ")\\b(?![.-]).{10,80}by (\\S+) with HTTP" },
    /* AOL webmail: 1.2.3.4 by FWM-M18.sysops.aol.com (64.12.168.82) with HTTP (WebMailUI) */
    { .act = RCV_ENOUGH,
      C(RCV_IP, RCV_BY),
      .guard = "aol\\.com",
      .re = "(" IP ") by (\\S+) \\(" IP "\\) with HTTP \\(WebMailUI\\)" },

    /* One MTA family at most, by its mark (an if/elsif chain in SA). */
    /* Microsoft SMTPSVC, which never looks up the rDNS */
    { .act = RCV_BLOCK, .nsub = 2, .guard = " SMTPSVC" },
    /* helo ([1.2.3.4] unverified) by host with Microsoft SMTPSVC(5.0.2195.6624) */
    { .act = RCV_ENOUGH,
      C(RCV_HELO, RCV_IP, RCV_BY),
      .re = "^(\\S*) \\(\\[(" IP ")\\][^\\)]{0,40}\\) by (\\S+) with Microsoft SMTPSVC" },
    { .act = RCV_SKIP, .re = "^mail pickup service by (\\S+) with Microsoft SMTPSVC$" },
    /* Microsoft SMTP Server: host (10.1.2.3) by host (10.1.2.4) with Microsoft SMTP Server
       id 15.1.1.1 */
    { .act = RCV_BLOCK,
      .flags = RCV_ELSE,
      .nsub = 1,
      .guard =
          " with (?:Microsoft SMTP Server|mapi id) (?:\\([^\\)]+\\) )?\\d+\\.\\d+\\.\\d+\\.\\d+"
          "(?:$| )" },
    { .act = RCV_ENOUGH,
      .flags = RCV_CLEAR_ID,
      C(RCV_HELO, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\(\\[?(" IP ")(?:%[A-Z0-9._~-]*)?\\]?\\) by (\\S+) " },
    /* XMail: host (1.2.3.4:23198) by host with [XMail 1.20 ESMTP Server] id <S72E> from <a@b> */
    { .act = RCV_BLOCK, .flags = RCV_ELSE, .nsub = 4, .guard = "\\[XMail " },
    { .act = RCV_BLOCK,
      .nsub = 3,
      C(RCV_HELO, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\((\\[?" IP "\\]?)(?::\\d+)\\) by (\\S+)(?: \\(\\S+\\))? with \\[XMail" },
    { .act = RCV_SET, C(RCV_ID), .re = " id <(\\S+)>" },
    { .act = RCV_SET, C(RCV_ENVFROM), .re = " from <(\\S+)>" },
    { .act = RCV_ENOUGH },
    /* ecelerity: ([10.1.2.3:33672] helo=h) by host (ecelerity 2.1.1.3 r(11743)) with ESMTP */
    { .act = RCV_BLOCK, .flags = RCV_ELSE, .nsub = 2, .guard = "\\(ecelerity\\b" },
    { .act = RCV_ENOUGH,
      C(RCV_IP, RCV_HELO, RCV_BY),
      .re = "^\\(\\[(" IP "):\\d+\\] helo=(\\S+)\\) by (\\S+) " },
    { .act = RCV_ENOUGH, C(RCV_IP, RCV_BY), .re = "^\\S+ \\(\\[(" IP "):\\d+\\]\\) by (\\S+) " },
    /* Exim, in its many forms */
    { .act = RCV_BLOCK, .flags = RCV_ELSE, .nsub = 8, .guard = "Exim" },
    /* andrew by host with local (Exim 4.12) id ...: local submission */
    { .act = RCV_SKIP, .re = "\\bwith local(?:-\\S+)? " },
    /* [1.2.3.4] (helo=host ident=x) by host with smtp (Exim 3.35 #1 (Debian)) */
    { .act = RCV_ENOUGH,
      .hook = RCV_HOOK_EXIM_SUB,
      C(RCV_IP, RCV_SUB, RCV_BY),
      .re = "^\\[(" IP ")\\] \\((.*?)\\) by (\\S+) " },
    /* rdns ([1.2.3.4] helo=h) by host with esmtp (Exim 3.31...); rdns ([1.2.3.4]:52313) ... */
    { .act = RCV_ENOUGH,
      .hook = RCV_HOOK_EXIM_SUB,
      C(RCV_HELO_RDNS, RCV_IP, RCV_SUB, RCV_BY),
      .re = "^(\\S+) \\(\\[(" IP ")\\](.*?)\\) by (\\S+) " },
    /* rdns [1.2.3.4] by host with esmtp (Exim 3.35 #1 (Debian)) */
    { .act = RCV_ENOUGH,
      C(RCV_HELO_RDNS, RCV_IP, RCV_NONE, RCV_BY),
      .re = "^(\\S+) \\[(" IP ")\\](:\\d+)? by (\\S+) " },
    /* odd ones: take what can be found, enough with an IP and a "by" */
    { .act = RCV_SET, C(RCV_RDNS), .re = "^(\\S+) " },
    { .act = RCV_SET, C(RCV_HELO), .re = " \\((\\S+)\\) " },
    { .act = RCV_SET, C(RCV_IP), .re = " \\[(" IP ")(?:\\.\\d+)?\\] " },
    { .act = RCV_ENOUGH_IF_IP, C(RCV_BY), .re = "by (\\S+) " },
    /* Postfix: helo (rdns [1.2.3.4]) by host (Postfix) with ESMTP id ... */
    { .act = RCV_BLOCK, .flags = RCV_ELSE, .nsub = 2, .guard = " \\(Postfix\\) with" },
    { .act = RCV_ENOUGH,
      .flags = RCV_DNS,
      C(RCV_HELO, RCV_RDNS, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\((\\S+) \\[(" IP ")\\]\\) by (\\S+) " },
    { .act = RCV_ENOUGH,
      .flags = RCV_DNS,
      C(RCV_HELO, RCV_RDNS, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\((\\S+)\\[(" IP ")\\]\\) by (\\S+) " },
    /* Scalix: helo ( 1.2.3.4) by host (Scalix SMTP Relay 10.0.1.3) via ESMTP */
    { .act = RCV_BLOCK, .flags = RCV_ELSE, .nsub = 1, .guard = "\\(Scalix SMTP Relay" },
    { .act = RCV_ENOUGH, C(RCV_HELO, RCV_IP, RCV_BY), .re = "^(\\S+) \\( ?(" IP ")\\) by (\\S+)" },
    /* Lotus Domino, which never records the rDNS (bug 5926) */
    { .act = RCV_BLOCK, .flags = RCV_ELSE, .nsub = 1, .guard = " \\(Lotus Domino " },
    { .act = RCV_ENOUGH,
      C(RCV_HELO, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\(\\[(" IP ")\\]\\) by (\\S+) \\(Lotus" },

    /* 1.2.3.4 ([1.2.3.4]) by webmail.example.net (IMP) with HTTP */
    { .act = RCV_ENOUGH,
      C(RCV_IP, RCV_BY),
      .guard = "\\bwith HTTP\\b",
      .re = "^(" IP ") \\(\\[" IP "\\]\\) by (\\S+)" },
    /* sendmail: helo (rdns [1.2.3.4] (may be forged)) by host (8.11.6/8.11.6) with ESMTP id ...
     * (not qmail-ldap, which looks the same) */
    { .act = RCV_ENOUGH,
      .flags = RCV_GUARD_NOT | RCV_DNS,
      .hook = RCV_HOOK_IDENT_AT,
      C(RCV_HELO, RCV_RDNS, RCV_IP, RCV_BY),
      .guard = " by \\S+ \\(qmail-\\S+\\) with ",
      .re = "^(\\S+) \\((\\S+) \\[(" IP ")\\].*\\) by (\\S+) \\(" },
    /* helo (rdns [1.2.3.4]) by host with SMTP (Microsoft Exchange Internet Mail Service 5.5) */
    { .act = RCV_ENOUGH,
      .flags = RCV_DNS,
      C(RCV_HELO, RCV_RDNS, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\((\\S+) \\[(" IP ")\\]\\) by (\\S+) with \\S+ \\(" },
    /* rdns ([1.2.3.4] helo=h) by host with smtp id ... */
    { .act = RCV_ENOUGH,
      C(RCV_RDNS, RCV_IP, RCV_HELO, RCV_BY),
      .re = "^(\\S+) \\(\\[(" IP ")\\] helo=(\\S+)\\) by (\\S+) with " },
    /* helo (<unknown.domain>[1.2.3.4]) by host (rwcrmhc53) with SMTP */
    { .act = RCV_ENOUGH,
      C(RCV_HELO, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\(<unknown\\S*>\\[(" IP ")\\]\\) by (\\S+) " },
    /* helo (rdns[1.2.3.4]) by host (rwcrmhc53) with SMTP */
    { .act = RCV_ENOUGH,
      .flags = RCV_DNS,
      C(RCV_HELO, RCV_RDNS, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\((\\S+\\.\\S+)\\[(" IP ")\\]\\) by (\\S+) " },
    /* helo (ident@[1.2.3.4]) by host (8.11.6/8.11.6) with SMTP */
    { .act = RCV_ENOUGH,
      .flags = RCV_DNS,
      C(RCV_HELO, RCV_IDENT, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\((\\S*)\\@\\[(" IP ")\\].*\\) by (\\S+) \\(" },
    /* 1.2.3.4 by lw11fd.law11.hotmail.msn.com with HTTP */
    { .act = RCV_BLOCK, .nsub = 2, C(RCV_BY), .re = "by (\\S+\\.hotmail\\.msn\\.com) " },
    { .act = RCV_SET, C(RCV_IP), .re = "^(" IP ") " },
    { .act = RCV_ENOUGH },
    /* qpsmtpd: rdns (HELO h) (1.2.3.4) by host (qpsmtpd/0.27-dev) with SMTP */
    { .act = RCV_ENOUGH,
      C(RCV_RDNS, RCV_HELO, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\((?:HELO|EHLO) (\\S*)\\) \\((" IP ")\\) by (\\S+) \\(qpsmtpd/\\S+\\) with "
            "(?:ESMTP|SMTP)" },
    /* rdns (LHLO h) (10.2.2.20) by host with LMTP */
    { .act = RCV_ENOUGH,
      C(RCV_RDNS, RCV_HELO, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\(LHLO (\\S*)\\) \\((" IP ")\\) by (\\S+) with LMTP" },
    /* GMX: rdns (EHLO h) [1.2.3.4] by mail.gmx.net (mp010) with SMTP */
    { .act = RCV_ENOUGH,
      C(RCV_RDNS, RCV_HELO, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\((?:HELO|EHLO) (\\S*)\\) \\[(" IP ")\\] by (\\S+) \\([^\\)]+\\) with "
            "(?:ESMTP|SMTP)" },
    /* helo ([1.2.3.4]) by host via smtpd (for [5.6.7.8]) with SMTP( */
    { .act = RCV_ENOUGH,
      C(RCV_HELO, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\(\\[(" IP ")\\]\\) by (\\S+) via smtpd \\(for \\S+\\) with SMTP\\(" },
    /* qmail and its many patches: rdns (HELO h) (ident@1.2.3.4) (envelope-sender <a@b>) by host
     * (qmail-ldap-1.03) with SMTP; never " id " after the protocol (bug 4813, that is sendmail) */
    { .act = RCV_BLOCK,
      .nsub = 5,
      .re = "^\\S+( \\((?:HELO|EHLO) \\S*\\))? \\((\\S+\\@)?\\[?" IP "\\]?\\)( \\(envelope-sender "
            "<\\S+>\\))? by \\S+( \\(.+\\))* with (.* )?(SMTP|QMQP)(?! id )" },
    { .act = RCV_SET,
      C(RCV_RDNS, RCV_HELO, RCV_IDENT, RCV_IP, RCV_NONE, RCV_BY),
      .re = "^(\\S+) \\((?:HELO|EHLO) ([^ \\(\\)]*)\\) \\((\\S*)\\@\\[?(" IP ")\\]?\\)( "
            "\\(envelope-sender <\\S+>\\))? by (\\S+)" },
    { .act = RCV_SET,
      .flags = RCV_ELSE,
      C(RCV_RDNS, RCV_HELO, RCV_IP, RCV_NONE, RCV_BY),
      .re = "^(\\S+) \\((?:HELO|EHLO) ([^ \\(\\)]*)\\) \\(\\[?(" IP ")\\]?\\)( \\(envelope-sender "
            "<\\S+>\\))? by (\\S+)" },
    /* no HELO: it was the rDNS */
    { .act = RCV_SET,
      .flags = RCV_ELSE,
      C(RCV_HELO_RDNS, RCV_IDENT, RCV_IP, RCV_NONE, RCV_BY),
      .re = "^(\\S+) \\((\\S*)\\@\\[?(" IP ")\\]?\\)( \\(envelope-sender <\\S+>\\))? by (\\S+)" },
    { .act = RCV_SET,
      .flags = RCV_ELSE,
      C(RCV_HELO_RDNS, RCV_IP, RCV_NONE, RCV_BY),
      .re = "^(\\S+) \\(\\[?(" IP ")\\]?\\)( \\(envelope-sender <\\S+>\\))? by (\\S+)" },
    { .act = RCV_ENOUGH, .hook = RCV_HOOK_QMAIL_DNS },
    /* Yahoo webmail: [1.2.3.4] by web40310.mail.yahoo.com via HTTP */
    { .act = RCV_ENOUGH, C(RCV_IP, RCV_BY), .re = "^\\[(" IP ")\\] by (\\S+) via HTTP$" },
    /* 1.2.3.4 ( [1.2.3.4]) as user u@localhost by mail.example.net with HTTP */
    { .act = RCV_ENOUGH,
      C(RCV_NONE, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\( \\[(" IP ")\\]\\).*? by (\\S+) " },
    /* (1.2.3.4 [1.2.3.4]) by host with ESMTP id ... */
    { .act = RCV_ENOUGH,
      C(RCV_HELO, RCV_IP, RCV_BY),
      .re = "^\\((\\S+) \\[(" IP ")\\]\\) by (\\S+) " },
    /* MessageWall: [1.2.3.4] by host (MessageWall 1.1.0) with SMTP */
    { .act = RCV_ENOUGH, C(RCV_IP, RCV_BY), .re = "^\\[(" IP ")\\] by (\\S+) " },
    /* ([1.2.3.4]) by host with ESMTP; (1.2.3.4) by host via smtp id ... */
    { .act = RCV_ENOUGH, C(RCV_IP, RCV_BY), .re = "^\\(\\[?(" IP ")\\]?\\) by (\\S+) " },
    /* MDaemon: helo [1.2.3.4] by host [5.6.7.8] with SMTP (MDaemon.PRO.v5.0.6.R) */
    { .act = RCV_ENOUGH,
      .flags = RCV_DNS,
      C(RCV_HELO, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\[(" IP ")\\] by (\\S+) \\[" IP "\\] with " },
    /* MDaemon 19: helo [(1.2.3.4)] by host (5.6.7.8) (MDaemon PRO v19.0.2) with ESMTP */
    { .act = RCV_ENOUGH,
      C(RCV_HELO, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\[\\((" IP ")\\)\\] by (\\S+) \\(" IP "\\) " },
    /* sendmail: helo ([1.2.3.4]) by host (8.11.6/8.11.6) with ESMTP */
    { .act = RCV_ENOUGH,
      .flags = RCV_DNS,
      C(RCV_HELO, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\(\\[(" IP ")\\]\\) by (\\S+) \\(" },
    /* sendmail and others: helo (rdns [1.2.3.4]) ... by host; couriertcpd's "softdnserr"
     * (bug 2326) is no rDNS, and no look-up */
    { .act = RCV_ENOUGH,
      .hook = RCV_HOOK_SOFTDNSERR,
      C(RCV_HELO, RCV_TMP, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\((\\S+) \\[(" IP ")\\]\\).*? by (\\S+)\\b" },
    /* helo ([1.2.3.4.63559]) by host with esmtp (v3.35.1) */
    { .act = RCV_ENOUGH,
      .flags = RCV_DNS,
      C(RCV_HELO, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\(\\[(" IP ")(?:[.:]\\d+)?\\]\\).*? by (\\S+) " },
    /* helo (rdns [1.2.3.4]) (authenticated bits=0) by host (8.12.6/8.12.6) */
    { .act = RCV_ENOUGH,
      .flags = RCV_DNS,
      C(RCV_HELO, RCV_RDNS, RCV_IP, RCV_BY),
      .re =
          "^(\\S+) \\((\\S+) \\[(" IP ")\\]\\)(?: \\(authenticated bits=\\d+\\))? by (\\S+) \\(" },
    /* fetchmail, getmail: "with POP3", "with IMAP" hand-overs restart the chain */
    { .act = RCV_SKIP_FETCH, .re = "with (?:POP3|IMAP)" },
    /* qmail-ish: rdns (HELO h) (ident@1.2.3.4) ... by host (bug 2744) */
    { .act = RCV_ENOUGH,
      .flags = RCV_DNS,
      .hook = RCV_HOOK_IDENT_TRIM,
      C(RCV_RDNS, RCV_HELO, RCV_IDENT, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\((?:HELO|EHLO) ([^\\)]*)\\) \\((\\S*@)?\\[?(" IP ")\\]?\\).* by (\\S+) " },
    /* rdns (ident@1.2.3.4) by host with SMTP: qmail drops the HELO when it equals the rDNS */
    { .act = RCV_ENOUGH,
      .flags = RCV_DNS,
      .hook = RCV_HOOK_IDENT_TRIM,
      C(RCV_HELO_RDNS, RCV_IDENT, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\((\\S*@)?\\[?(" IP ")\\]?\\).* by (\\S+) " },
    /* outblaze: [1.2.3.4] by host with http for u@mail.com */
    { .act = RCV_ENOUGH, C(RCV_IP, RCV_BY), .re = "^\\[(" IP ")\\] by (\\S+) with http for " },
    /* smap: rdns(1.2.3.4) by host via smap (V1.3) */
    { .act = RCV_ENOUGH,
      .flags = RCV_DNS,
      C(RCV_RDNS, RCV_IP, RCV_BY),
      .re = "^(\\S+)\\((" IP ")\\) by (\\S+) via smap " },
    /* smap: rdns(1.2.3.4, HELO h) by host via smap (V1.3) */
    { .act = RCV_ENOUGH,
      .flags = RCV_DNS,
      C(RCV_RDNS, RCV_IP, RCV_HELO, RCV_BY),
      .re = "^(\\S+)\\((" IP "), (?:HELO|EHLO) (\\S*)\\) by (\\S+) via smap " },
    /* Post.Office: [1.2.3.4] by host (Post.Office MTA v3.5.3 ...) with SMTP */
    { .act = RCV_ENOUGH, C(RCV_IP, RCV_BY), .re = "^\\[(" IP ")\\] by (\\S+) \\(Post" },
    /* ArGoSoft: [127.0.0.1] by host (ArGoSoft Mail Server ...) */
    { .act = RCV_ENOUGH, C(RCV_IP, RCV_BY), .re = "^\\[(" IP ")\\] by (\\S+) \\(ArGoSoft" },
    /* 1.2.3.4 by host (InterScan E-Mail VirusWall NT); (SMTPL release 1.0d) */
    { .act = RCV_ENOUGH, C(RCV_IP, RCV_BY), .re = "^(" IP ") by (\\S+) \\((?:SMTPL|InterScan)\\b" },
    /* host by host with BSMTP: no TCP/IP hand-over */
    { .act = RCV_SKIP, .re = "^\\S+ by \\S+ with BSMTP" },
    /* helo (rdns [1.2.3.4]) by host with SMTP id ... */
    { .act = RCV_ENOUGH,
      .flags = RCV_DNS,
      C(RCV_HELO, RCV_RDNS, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\((\\S+) \\[(" IP ")\\]\\) by (\\S+) with " },
    /* Yahoo: rdns (HELO h) (u@1.2.3.4 with plain) by host with SMTP */
    { .act = RCV_ENOUGH,
      .flags = RCV_DNS,
      C(RCV_RDNS, RCV_HELO, RCV_IDENT, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\((?:HELO|EHLO) (\\S*)\\) \\((?:(\\S+)\\@)?(" IP ").*?\\) by (\\S+) with " },
    /* CommuniGate Pro: [1.2.3.4] (account u HELO h) by host (CommuniGate Pro SMTP 3.5.7) */
    { .act = RCV_ENOUGH,
      C(RCV_IP, RCV_HELO, RCV_BY),
      .re = "^\\[(" IP ")\\] \\((?:account \\S+ )?(?:HELO|EHLO) (\\S*)\\) by (\\S+) \\(" },
    /* CommuniGate Pro: rdns ([1.2.3.4] verified) by host (CommuniGate Pro SMTP 5.1.13) */
    { .act = RCV_ENOUGH,
      .flags = RCV_DNS,
      C(RCV_HELO_RDNS, RCV_IP, RCV_BY),
      .guard = " \\(CommuniGate Pro",
      .re = "^(\\S+) \\(\\[(" IP ")\\] verified\\) by (\\S+) \\(" },
    /* ([10.0.0.6]) by host with ESMTP */
    { .act = RCV_ENOUGH, C(RCV_IP, RCV_BY), .re = "^\\(\\[(" IP ")\\]\\) by (\\S+) with " },
    /* IronPort: helo (10.1.1.5) by host with ESMTP */
    { .act = RCV_ENOUGH,
      C(RCV_HELO, RCV_IP, RCV_BY),
      .re = "^([^\\d]\\S+) \\((" IP ")\\) by (\\S+) " },
    /* Content Technologies SMTPRS: no IP at all (bug 4704) */
    { .act = RCV_SKIP, .re = "^\\S+ \\(\\S+\\) by \\S+ \\(Content Technologies " },
    /* helo ([1.2.3.4] [1.2.3.4]) by host with ESMTP */
    { .act = RCV_ENOUGH,
      C(RCV_HELO, RCV_IP, RCV_NONE, RCV_BY),
      .re = "^(\\S+) \\(\\[(" IP ")\\] \\[(\\S+)\\]\\) by (\\S+) with " },
    /* Tumbleweed: 1.2.3.4 by host with ESMTP (Tumbleweed MMS SMTP Relay (MMS v5.0)) */
    { .act = RCV_ENOUGH, C(RCV_IP, RCV_BY), .re = "^(" IP ") by (\\S+) with " },
    /* helo (rdns[1.2.3.4]) by host (rwcrmhc53) with SMTP */
    { .act = RCV_ENOUGH,
      .flags = RCV_DNS,
      C(RCV_HELO, RCV_RDNS, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\((\\S+)\\[(" IP ")\\]\\) by (\\S+) " },
    /* F-Secure: [1.2.3.4]:50999 (HELO h) by host ([1.2.3.5]:25) (F-Secure Anti-Virus ...) */
    { .act = RCV_ENOUGH,
      C(RCV_IP, RCV_HELO, RCV_BY),
      .re = "^\\[(" IP ")\\]\\S+ \\((?:HELO|EHLO) (\\S*)\\) by (\\S+) " },
    /* 1.2.3.4 (HELO h) by host (5.6.7.8) with SMTP */
    { .act = RCV_ENOUGH,
      C(RCV_IP, RCV_HELO, RCV_BY),
      .re = "^(" IP ") \\((?:HELO|EHLO) (\\S*)\\) by (\\S+) " },
    /* SMTPD32: helo [1.2.3.4] by host (SMTPD32-7.07) id ... */
    { .act = RCV_ENOUGH, C(RCV_HELO, RCV_IP, RCV_BY), .re = "^(\\S+) \\[(" IP ")\\] by (\\S+) " },
    /* csmap: rdns(1.2.3.4) by host via csmap (V4.1) id ... */
    { .act = RCV_ENOUGH, C(RCV_RDNS, RCV_IP, RCV_BY), .re = "^(\\S+)\\((" IP ")\\) by (\\S+) " },
    /* MailGate: [1.2.3.4] by host (MailGate 3.5.172) with SMTP */
    { .act = RCV_ENOUGH, C(RCV_IP, RCV_BY), .re = "^\\[(" IP ")\\] by (\\S+) \\(MailGate " },
    /* helo (unverified [1.2.3.4]) by host <B0014212518@host> */
    { .act = RCV_ENOUGH,
      C(RCV_HELO, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\(unverified \\[(" IP ")\\]\\) by (\\S+) " },
    /* 1.2.3.4 (proxying for ...) (SquirrelMail authenticated user u) by host with HTTP */
    { .act = RCV_ENOUGH,
      C(RCV_IP, RCV_BY),
      .re = "^(" IP ") \\([A-Za-z][^\\)]+\\) by (\\S+) with " },
    /* [1.2.3.4] (account u [1.2.3.4] verified) by host (CommuniGate Pro ...);
     * [1.2.3.4] (helo=h) by host with ESMTP (Nemesis), bug 4704 */
    { .act = RCV_ENOUGH,
      .hook = RCV_HOOK_EXIM_SUB,
      C(RCV_IP, RCV_SUB, RCV_BY),
      .re = "^\\[(" IP ")\\] \\(([^\\)]+)\\) by (\\S+) " },
    /* rdns (junk@1.2.3.4) by host with SMTP */
    { .act = RCV_ENOUGH,
      C(RCV_RDNS, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\((?:\\S+\\@)?(" IP ")\\) by (\\S+) with " },
    /* Obtuse smtpd: rdns(1.2.3.4), claiming to be "h" via SMTP by host, id smtpd... */
    { .act = RCV_ENOUGH,
      .hook = RCV_HOOK_OBTUSE_DNS,
      C(RCV_RDNS, RCV_IP, RCV_HELO, RCV_BY),
      .re = "^(\\S+)\\((" IP ")\\)(?:, claiming to be \"(\\S+)\")? via \\S+ by (\\S+)," },
    /* Yahoo authenticated SMTP (bug 6535): helo (u@1.2.3.4 with login) by x.yahoo.com with SMTP */
    { .act = RCV_ENOUGH,
      C(RCV_HELO, RCV_NONE, RCV_IP, RCV_BY),
      .re = "^(\\S+) \\((\\S+)@(" IP ") with login\\) by (\\S+\\.yahoo\\.com) with SMTP" },
    /* the synthetic "from X-Originating-IP: 1.2.3.4" the chain appends (bug 5680) */
    { .act = RCV_ENOUGH, .flags = RCV_CLEAR_BY, C(RCV_IP), .re = "^X-Originating-IP: (" IP ")$" },

    /* Lines to ignore: local or internal hand-overs. */
    /* raptor.research.att.com (bala@localhost) by raptor.research.att.com (SGI-8.9.3/8.8.7) */
    { .act = RCV_SKIP, .re = "^\\S+ \\([^\\s\\@]+\\@" LOCALHOST "\\) by \\S+ \\(" },
    /* paul (helo=felix) by felix.peema.org with local-esmtp (Exim 4.43) */
    { .act = RCV_SKIP, .re = "^\\S+ \\S+ by \\S+ with local-e?smtp " },
    /* 127.0.0.1 (AVG SMTP 7.0.299 [265.6.8]) */
    { .act = RCV_SKIP, .re = "^127\\.0\\.0\\.1 \\(AVG SMTP \\S+ \\[\\S+\\]\\)" },
    /* a@b by alpha by uid 7791 with qmail-scanner-1.14 */
    { .act = RCV_SKIP, .re = "^\\S+\\@\\S+ by \\S+ by uid \\S+ " },
    /* DSmith1204@aol.com by imo-m09.mx.aol.com (mail_out_v34.13.) */
    { .act = RCV_SKIP, .re = "^\\S+\\@\\S+ by \\S+ " },
    /* Unknown/Local ([?.?.?.?]) by mailcity.com */
    { .act = RCV_SKIP, .re = "^Unknown/Local \\(" },
    /* localhost (mailnull@localhost) by x.org (8.12.6/8.9.3) with SMTP */
    { .act = RCV_SKIP, .re = "^" LOCALHOST " \\((?:\\S+\\@)?" LOCALHOST "[\\)\\[]" },
    /* olgisoft.com (127.0.0.1) by 127.0.0.1 (EzMTS MTSSmtp 1.55d5) */
    { .act = RCV_SKIP, .re = "^\\S+ \\((?:\\S+\\@)?" LOCALHOST "\\) " },
    /* casper.ghostscript.com (raph@casper [127.0.0.1]) h148aux8016336verify=FAIL) */
    { .act = RCV_SKIP, .re = "^\\S+ \\(\\S+\\@\\S+ \\[" LOCALHOST "\\]\\) " },
    /* (AUTH: e40a9cea) by vqx.net with esmtp (courier-0.40) */
    { .act = RCV_SKIP, .re = "^\\(AUTH: \\S+\\) by \\S+ with " },
    /* localhost (localhost [[UNIX: localhost]]) by host (8.12.11/8.12.11/Submit) */
    { .act = RCV_SKIP, .re = "^localhost \\(localhost \\[\\[UNIX: localhost\\]\\]\\) by " },
    /* internal Amazon traffic */
    { .act = RCV_SKIP,
      .re = "^\\S+\\.amazon\\.com by \\S+\\.amazon\\.com with ESMTP \\(peer crosscheck: " },
    /* GWGC6-MTA by gc6.jefferson.co.us with Novell_GroupWise */
    { .act = RCV_SKIP, .re = "^[^\\.]+ by \\S+ with Novell_GroupWise" },
    /* no.name.available by [1.2.3.4] via smtpd (for ...): behind a Raptor firewall */
    { .act = RCV_SKIP, .re = "^no\\.name\\.available by \\S+ via smtpd \\(for " },
    /* 1.2.3.4 by host (envelope-from <a@b>, uid 502) with qmail-scanner-1.24 (...) */
    { .act = RCV_SKIP_QMS, .re = "^\\S+ by \\S+ \\(.{0,100}\\) with qmail-scanner" },
    /* mmail by argon.connect.org.uk with local (connectmail/exim) */
    { .act = RCV_SKIP, .re = "^\\S+ by \\S+ with local" },
    /* Cyrus: host ([unix socket]) by host (Cyrus v2.3.14) with LMTPA */
    { .act = RCV_SKIP,
      .re = "^\\S+ \\(\\[unix socket\\]\\) by \\S+ \\(Cyrus v[0-9]*?\\.[0-9]*?\\.[0-9]*?\\) with "
            "LMTPA" },

    /* Hand-overs without an IP address to use. */
    /* CATHY.IJS.SI by CATHY.IJS.SI (PMDF V4.3-10 #8779) id ...; a by b via smtpd; a by b for c */
    { .act = RCV_SKIP, .re = "^\\S+ by \\S+ (?:with|via|for|\\()" },
    /* senmail2.senate.gov with LMTP by senmail2 ...; host (unverified) by host ... */
    { .act = RCV_SKIP, .re = "^\\S+ (?:(?:with|via|for) \\S+|\\(unverified\\)) by\\b" },
    /* SendGrid: MjA3NDc4Mg (unknown) by ismtpd0001p1lon1.sendgrid.net (SG) with HTTP */
    { .act = RCV_SKIP, .re = "^\\S+ \\(unknown\\) by \\S+ \\(SG\\) with \\b" },
    /* OpenSMTPD: localhost (example.com [local]) by example.com (OpenSMTPD) with ESMTPA */
    { .act = RCV_SKIP, .re = "^\\S+ \\(\\S+ \\[local\\]\\) by \\S+ \\(OpenSMTPD\\) with \\b" },
    /* LSMTP for Windows NT */
    { .act = RCV_SKIP, .re = "\\(LSMTP for" },
    /* MailEnable: ([127.0.0.1]) with MailEnable ESMTP */
    { .act = RCV_SKIP, .re = "^\\(\\[" LOCALHOST "\\]\\) with MailEnable " },
    /* facebook.com (...) by facebook.com with Thrift id ... */
    { .act = RCV_SKIP,
      .re = "^facebook\\.com \\([^\\)]+\\) by facebook\\.com with Thrift id \\S+$" },
    /* 384836569573 named unknown by gmailapi.google.com with HTTPREST */
    { .act = RCV_SKIP, .re = "^\\S+ named \\S+ by gmailapi\\.google\\.com with HTTPREST$" },
    /* mail.payex.com id <B5b8f11e30004> */
    { .act = RCV_SKIP, .re = "^\\S+ id \\S+$" },
    /* Jetsend MTA */
    { .act = RCV_SKIP, .re = "^\\[<.*? \\(Jetsend" },

    /* still no HELO: guess it is the first word */
    { .act = RCV_SET, .flags = RCV_NO_HELO, C(RCV_HELO), .re = "^(\\S+)[^-A-Za-z0-9.]" },
};

/* After "FROM ": simta, Rockliffe (note the upper-case BY and ID). */
static const struct rcv_rule from_uc_rows[] = {
    /* helo (rdns [1.2.3.4]) BY host ID 434B508E.174A6.13932 */
    { .act = RCV_ENOUGH,
      .flags = RCV_DNS,
      .hook = RCV_HOOK_UNVERIFIED,
      C(RCV_HELO, RCV_RDNS, RCV_IP, RCV_BY, RCV_ID),
      .re = "^(\\S+) \\((\\S+) \\[(" IP ")\\]\\) BY (\\S+) (?:\\([^\\)]+\\) WITH SMTP )?ID "
            "<?(\\S+?)>?(?: FOR <[^>]+>)?$" },
};

/* After "(from ". */
static const struct rcv_rule from_par_rows[] = {
    /* Norton AntiVirus Gateway: (from helo [1.2.3.4]) by host (NAVGW 2.5.2.12) with SMTP */
    { .act = RCV_ENOUGH,
      C(RCV_HELO, RCV_IP, RCV_BY),
      .re = "^(\\S*) \\[(" IP ")\\]\\) by (\\S+) \\(NAVGW .*?\\) with " },
    /* (from user@localhost) by host (8.12.11/8.12.11/Submit): sendmail -t */
    { .act = RCV_SKIP, .re = "^\\S+\\@localhost\\) by \\S+ " },
    /* (from u@juno.com) by m06.lax.untd.com (jqueuemail) id LRVB3JAJ */
    { .act = RCV_SKIP, .re = "^[^\\s\\@]+\\@[^)]+\\) by \\S+\\(jqueuemail\\) id [^\\s;]+" },
};

#define TABLE(rows)                                                                                \
    {                                                                                              \
        rows, sizeof(rows) / sizeof(rows[0])                                                       \
    }

const struct rcv_table rcv_tables[RCV_T_COUNT] = {
    [RCV_T_EARLY] = TABLE(early_rows),     [RCV_T_COMMON] = TABLE(common_rows),
    [RCV_T_AUTH] = TABLE(auth_rows),       [RCV_T_FROM] = TABLE(from_rows),
    [RCV_T_FROM_UC] = TABLE(from_uc_rows), [RCV_T_FROM_PAR] = TABLE(from_par_rows),
};
