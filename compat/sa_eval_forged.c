/*
 * sa_eval_forged.c - SpamAssassin 4.0.1's HeaderEval checks for mail that
 * claims a big webmail service (AOL, Hotmail, Eudora, Yahoo!, Juno, Gmail)
 * without the Received trail that service leaves, in C as the Perl reads,
 * on the pattern engine of sa_eval_header.c (sa_eval_header_int.h). The
 * hotmail flags SA caches on the PerMsgStatus are computed again per call:
 * they are pure functions of the message.
 */
#include "compat/sa_eval_forged.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "compat/sa_eval_header_int.h"
#include "mime/mime_get.h"

/* ------------------------------------------------------------------------
 * patterns: Perl's, with {IP} standing for Constants::IP_ADDRESS
 */

enum fg_re {
    RE_AOL_RLY = HE_RE_OWN,
    RE_AOL_VIA,
    RE_AOL_ID,
    RE_HM_PICKUP,
    RE_HM_ORIG,
    RE_HM_1,
    RE_HM_2,
    RE_HM_3,
    RE_HM_4,
    RE_HM_5,
    RE_HM_6,
    RE_HM_HELO,
    RE_HM_FROM,
    RE_EUDORA_FROM,
    RE_EUDORA_BY,
    RE_YH_FROM,
    RE_YH_TRUSTED,
    RE_YH_UNTRUSTED,
    RE_YH_1,
    RE_YH_2,
    RE_YH_3,
    RE_YH_4,
    RE_YH_5,
    RE_YH_REPLY,
    RE_YH_6,
    RE_JUNO_FROM,
    RE_JUNO_1,
    RE_JUNO_COOKIE,
    RE_JUNO_MAILCOM,
    RE_JUNO_XM_MAILCOM,
    RE_JUNO_WEBMAIL,
    RE_JUNO_XM_WEBMAIL,
    RE_GMAIL_FROM,
    RE_GMAIL_X1,
    RE_GMAIL_X2,
    RE_GMAIL_R,
    RE_FG_COUNT
};

_Static_assert(RE_FG_COUNT <= HE_RE_MAX, "too many patterns");

#define I PCRE2_CASELESS

static const struct he_pat fg_pats[RE_FG_COUNT] = {
    [RE_AOL_RLY] = { " rly-[a-z][a-z]\\d\\d\\.", I },
    [RE_AOL_VIA] = { "\\/AOL-\\d+\\.\\d+\\.\\d+\\)", 0 },
    [RE_AOL_ID] = { "ESMTP id (?:RELAY|MAILRELAY|MAILIN)", 0 },
    [RE_HM_PICKUP] = { "from mail pickup service by hotmail\\.com with Microsoft SMTPSVC;", 0 },
    [RE_HM_ORIG] = { "hotmail\\.com|msonline\\-outlook", 0 },
    [RE_HM_1] = { "from (?:\\S*\\.)?hotmail.com \\(\\S+\\.hotmail(?:\\.msn)?\\.com[ \\)]", 0 },
    [RE_HM_2] = { "from \\S*\\.outbound\\.protection\\.outlook\\.com "
                  "\\(\\S+\\.outbound\\.protection\\.outlook\\.com[ \\)]",
                  0 },
    [RE_HM_3] = { "from \\S*\\.(?:eur|nam)prd\\d+\\.prod\\.outlook\\.com \\({IP}\\)", 0 },
    [RE_HM_4] = { "from \\S*\\.hotmail.com \\(\\[{IP}\\][ \\):]", 0 },
    [RE_HM_5] = { "from \\S+ by \\S+\\.hotmail(?:\\.msn)?\\.com with HTTP\\;", 0 },
    [RE_HM_6] = { "from \\[66\\.218.\\S+\\] by \\S+\\.yahoo\\.com", 0 },
    [RE_HM_HELO] = { "(?:from |HELO |helo=)\\S*hotmail\\.com\\b", 0 },
    [RE_HM_FROM] = { "\\bhotmail\\.com$", I },
    [RE_EUDORA_FROM] = { "\\beudoramail\\.com$", I },
    [RE_EUDORA_BY] = { "by \\S*whowhere.com\\;", 0 },
    [RE_YH_FROM] = { "\\byahoo\\.com$", I },
    [RE_YH_TRUSTED] = { " rdns=\\S+\\.yahoo\\.com ", 0 },
    [RE_YH_UNTRUSTED] = { "^[^\\]]+ rdns=\\S+\\.yahoo\\.com ", 0 },
    [RE_YH_1] = { "by web\\S+\\.mail\\S*\\.yahoo\\.com via HTTP", 0 },
    [RE_YH_2] = { "by sonic\\S+\\.consmr\\.mail\\S*\\.yahoo\\.com with HTTP", 0 },
    [RE_YH_3] = { "by smtp\\S+\\.yahoo\\.com with SMTP", 0 },
    [RE_YH_4] = { "from \\[{IP}\\] by \\S+\\.(?:groups|scd|dcn)\\.yahoo\\.com with NNFMP", 0 },
    [RE_YH_5] = { "\\bmailer\\d+\\.bulk\\.scd\\.yahoo\\.com\\b", 0 },
    [RE_YH_REPLY] = { "\\@reply\\.yahoo\\.com$", I },
    [RE_YH_6] = { "by \\w+\\.\\w+\\.yahoo\\.com \\(\\d+\\.\\d+\\.\\d+\\/\\d+\\.\\d+\\.\\d+\\)"
                  "(?: with ESMTP)? id \\w+",
                  0 },
    [RE_JUNO_FROM] = { "\\bjuno\\.com$", I },
    [RE_JUNO_1] = { "from.*\\b(?:juno|untd)\\.com.*[\\[\\(]{IP}[\\]\\)].*by", 0 },
    [RE_JUNO_COOKIE] = { " cookie\\.(?:juno|untd)\\.com ", 0 },
    [RE_JUNO_MAILCOM] = { "from.*\\bmail\\.com.*\\[{IP}\\].*by", 0 },
    [RE_JUNO_XM_MAILCOM] = { "\\bmail\\.com", 0 },
    [RE_JUNO_WEBMAIL] = { "from (webmail\\S+\\.untd\\.com) \\(\\1 \\[{IP}\\]\\) by", 0 },
    [RE_JUNO_XM_WEBMAIL] = { "^Webmail Version \\d", 0 },
    [RE_GMAIL_FROM] = { "\\bgmail\\.com$", I },
    [RE_GMAIL_X1] = { "by 10\\.\\S+ with SMTP id \\S+", 0 },
    [RE_GMAIL_X2] = { "by 2002\\:a\\d\\d\\:\\w+\\:\\S+ with SMTP id \\S+", 0 },
    [RE_GMAIL_R] = { "by smtp\\.googlemail\\.com with ESMTPSA id \\S+", 0 },
};

#undef I

/* hotmail's, with the tests it borrows */
#define NEED_HOTMAIL                                                                               \
    RE_IP, RE_HM_PICKUP, RE_HM_ORIG, RE_HM_1, RE_HM_2, RE_HM_3, RE_HM_4, RE_HM_5, RE_HM_6,         \
        RE_HM_HELO, RE_HM_FROM, NEED_GATED, NEED_MSN

/* ------------------------------------------------------------------------
 * check_for_fake_aol_relay_in_rcvd
 */

HE_PREP(prep_aol, fg_pats, RE_AOL_RLY, RE_AOL_VIA, RE_AOL_ID)

HE_EVAL(check_for_fake_aol_relay_in_rcvd)
{
    struct strv rcvd = sa_he_squeeze(r->a, sa_he_get(r, "Received"));

    if (sa_he_m(r, RE_AOL_RLY, rcvd)) {
        if (sa_he_m(r, RE_AOL_VIA, rcvd) || sa_he_m(r, RE_AOL_ID, rcvd))
            return 0;
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * check_for_forged_hotmail_received_headers,
 * check_for_no_hotmail_received_headers
 */

enum fg_hotmail { HM_NONE, HM_FORGED, HM_NO_RCVD };

static enum fg_hotmail
fg_hotmail(struct he_run *r)
{
    struct strv rcvd = sa_he_squeeze(r->a, sa_he_get(r, "Received")), v;
    bool ip, orig, died = false;

    if (sa_he_m(r, RE_HM_PICKUP, rcvd))
        return HM_NONE;
    /* Microsoft passes Hotmail mail directly to MSN Group servers; when
     * that check dies, SA's flags stay 0 for both functions */
    if (sa_he_msn_groups(r, &died) || died)
        return HM_NONE;
    ip = sa_he_get_def(r, "X-Originating-Ip", &v) && sa_he_m(r, RE_IP, v);
    orig = sa_he_get_def(r, "X-OriginatorOrg", &v) && sa_he_m(r, RE_HM_ORIG, v);
    if (sa_he_gated(r))
        return HM_NONE;
    if ((ip && sa_he_m(r, RE_HM_1, rcvd)) || (orig && sa_he_m(r, RE_HM_2, rcvd)) ||
        (orig && sa_he_m(r, RE_HM_3, rcvd)) || (ip && sa_he_m(r, RE_HM_4, rcvd)) ||
        (ip && sa_he_m(r, RE_HM_5, rcvd)) || (ip && sa_he_m(r, RE_HM_6, rcvd)))
        return HM_NONE;
    if (sa_he_m(r, RE_HM_HELO, rcvd))
        return HM_FORGED; /* HELO'd as hotmail.com, despite not being hotmail */
    if (!sa_he_m(r, RE_HM_FROM, sa_he_get(r, "From:addr")))
        return HM_NONE;
    return HM_NO_RCVD;
}

HE_PREP(prep_hotmail, fg_pats, NEED_HOTMAIL)

HE_EVAL(check_for_forged_hotmail_received_headers)
{
    return fg_hotmail(r) == HM_FORGED;
}

HE_EVAL(check_for_no_hotmail_received_headers)
{
    return fg_hotmail(r) == HM_NO_RCVD;
}

/* ------------------------------------------------------------------------
 * check_for_forged_eudoramail_received_headers,
 * check_for_forged_yahoo_received_headers,
 * check_for_forged_juno_received_headers,
 * check_for_forged_gmail_received_headers
 */

HE_PREP(prep_eudora, fg_pats, RE_EUDORA_FROM, RE_EUDORA_BY, RE_IP, NEED_GATED)

HE_EVAL(check_for_forged_eudoramail_received_headers)
{
    struct strv rcvd, v;
    bool ip;

    if (!sa_he_m(r, RE_EUDORA_FROM, sa_he_get(r, "From:addr")))
        return 0;
    rcvd = sa_he_squeeze(r->a, sa_he_get(r, "Received"));
    ip = sa_he_get_def(r, "X-Sender-Ip", &v) && sa_he_m(r, RE_IP, v);
    if (sa_he_gated(r))
        return 0;
    if (ip && sa_he_m(r, RE_EUDORA_BY, rcvd))
        return 0;
    return 1;
}

HE_PREP(prep_yahoo, fg_pats, RE_YH_FROM, RE_YH_TRUSTED, RE_YH_UNTRUSTED, RE_YH_1, RE_YH_2, RE_YH_3,
        RE_YH_4, RE_YH_5, RE_YH_REPLY, RE_YH_6, NEED_GATED)

HE_EVAL(check_for_forged_yahoo_received_headers)
{
    struct strv from = sa_he_get(r, "From:addr"), rcvd;
    const struct mime_relays *rl;

    if (!sa_he_m(r, RE_YH_FROM, from))
        return 0;
    rcvd = sa_he_get(r, "Received");
    if (sa_he_get(r, "Resent-From").len > 0 && sa_he_get(r, "Resent-To").len > 0) {
        struct strv x = sa_he_get(r, "X-Received");

        if (x.len > 0)
            rcvd = x;
    }
    rcvd = sa_he_squeeze(r->a, rcvd);
    if (sa_he_gated(r))
        return 0;
    /* bug 3740: bounces from Yahoo!, by the rDNS of the first relays */
    rl = mime_msg_relays(r->m);
    if (sa_he_m(r, RE_YH_TRUSTED, rl->trusted_str) ||
        sa_he_m(r, RE_YH_UNTRUSTED, rl->untrusted_str))
        return 0;
    if (sa_he_m(r, RE_YH_1, rcvd) || sa_he_m(r, RE_YH_2, rcvd) || sa_he_m(r, RE_YH_3, rcvd) ||
        sa_he_m(r, RE_YH_4, rcvd))
        return 0;
    if (sa_he_m(r, RE_YH_5, rcvd) && sa_he_m(r, RE_YH_REPLY, from))
        return 0;
    if (sa_he_m(r, RE_YH_6, rcvd))
        return 0; /* possibly sent from "mail this story to a friend" */
    return 1;
}

HE_PREP(prep_juno, fg_pats, RE_JUNO_FROM, RE_JUNO_1, RE_JUNO_COOKIE, RE_JUNO_MAILCOM,
        RE_JUNO_XM_MAILCOM, RE_JUNO_WEBMAIL, RE_JUNO_XM_WEBMAIL, RE_IP, NEED_GATED)

HE_EVAL(check_for_forged_juno_received_headers)
{
    struct strv xorig, xmailer, rcvd;

    if (!sa_he_m(r, RE_JUNO_FROM, sa_he_get(r, "From:addr")))
        return 0;
    if (sa_he_gated(r))
        return 0;
    xorig = sa_he_get(r, "X-Originating-IP");
    xmailer = sa_he_get(r, "X-Mailer");
    rcvd = sa_he_get(r, "Received");
    if (xorig.len > 0) {
        /* new style Juno has no X-Originating-IP header, and other changes */
        if (!sa_he_m(r, RE_JUNO_1, rcvd) && !sa_he_m(r, RE_JUNO_COOKIE, rcvd))
            return 1;
        if (xmailer.len < 5 || memmem(xmailer.p, xmailer.len, "Juno ", 5) == NULL)
            return 1;
    } else {
        if (sa_he_m(r, RE_JUNO_MAILCOM, rcvd)) {
            if (!sa_he_m(r, RE_JUNO_XM_MAILCOM, xmailer))
                return 1;
        } else if (sa_he_m(r, RE_JUNO_WEBMAIL, rcvd)) {
            if (!sa_he_m(r, RE_JUNO_XM_WEBMAIL, xmailer))
                return 1;
        } else {
            return 1;
        }
        if (!sa_he_m(r, RE_IP, xorig))
            return 1;
    }
    return 0;
}

HE_PREP(prep_gmail, fg_pats, RE_GMAIL_FROM, RE_GMAIL_X1, RE_GMAIL_X2, RE_GMAIL_R)

HE_EVAL(check_for_forged_gmail_received_headers)
{
    struct strv xgms, xss, xreceived;

    if (!sa_he_m(r, RE_GMAIL_FROM, sa_he_get(r, "From:addr")))
        return 0;
    xgms = sa_he_get(r, "X-Gm-Message-State");
    xss = sa_he_get(r, "X-Google-Smtp-Source");
    xreceived = sa_he_get(r, "X-Received");
    if (sa_he_m(r, RE_GMAIL_X1, xreceived) || sa_he_m(r, RE_GMAIL_X2, xreceived))
        return 0;
    if (sa_he_m(r, RE_GMAIL_R, sa_he_get(r, "Received")))
        return 0;
    /* GOOGLE_MESSAGE_STATE_LENGTH_MIN, GOOGLE_SMTP_SOURCE_LENGTH_MIN */
    if (xgms.len >= 60 && xss.len >= 60)
        return 0;
    return 1;
}

/* ------------------------------------------------------------------------
 * the table
 */

#define HDR (1u << SCAN_T_HEADER)

const struct scan_eval_def sa_eval_forged_defs[] = {
    { "check_for_fake_aol_relay_in_rcvd", HDR, prep_aol, check_for_fake_aol_relay_in_rcvd, 0 },
    { "check_for_forged_hotmail_received_headers", HDR, prep_hotmail,
      check_for_forged_hotmail_received_headers, 0 },
    { "check_for_no_hotmail_received_headers", HDR, prep_hotmail,
      check_for_no_hotmail_received_headers, 0 },
    { "check_for_forged_eudoramail_received_headers", HDR, prep_eudora,
      check_for_forged_eudoramail_received_headers, 0 },
    { "check_for_forged_yahoo_received_headers", HDR, prep_yahoo,
      check_for_forged_yahoo_received_headers, 0 },
    { "check_for_forged_juno_received_headers", HDR, prep_juno,
      check_for_forged_juno_received_headers, 0 },
    { "check_for_forged_gmail_received_headers", HDR, prep_gmail,
      check_for_forged_gmail_received_headers, 0 },
};

const size_t sa_eval_forged_ndefs = sizeof(sa_eval_forged_defs) / sizeof(sa_eval_forged_defs[0]);
