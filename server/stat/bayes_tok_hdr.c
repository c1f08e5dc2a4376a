/*
 * bayes_tok_hdr.c - the header side of SpamAssassin's Bayes tokenizer
 * (Plugin/Bayes.pm _tokenize_headers and its _pre_chew_* helpers): which
 * fields are tokenized, how their values are pre-chewed, the aggregate
 * pseudo-headers (*MI, *Ad, *UA) and the compressed names.
 *
 * The fields are those get_all_headers returns (decoded, in order, cut at
 * 64 KiB name group by name group), less those SA has deleted by then
 * (deleted_field); then the metadata strings, then the last two Received
 * fields. Each arrives as SA's loop sees it: the
 * value after split(/:/) keeps the space after the colon.
 */
#include <string.h>
#include <strings.h>

#include "mime/mime_get.h"
#include "mime/mime_url.h"
#include "stat/bayes_tok_int.h"

/* $IGNORED_HDRS, anchored on a field name */
static const char ignored_hdrs_re[] =
    "^(?:(?:X-)?Sender|Delivered-To|Delivery-Date|(?:X-)?Envelope-To"
    "|X-MIME-Auto[Cc]onverted|X-Converted-To-Plain-Text|Subject|Date|X-List"
    "|(?:X-)?Mailing-List"
    "|(?:X-)?List-(?:Archive|Help|Id|Owner|Post|Subscribe|Unsubscribe|Host|Id|Manager|Admin"
    "|Comment|Name|Url)"
    "|X-Unsub(?:scribe)?|X-Mailman-Version|X-Been[Tt]here|X-Loop|Mail-Followup-To"
    "|X-eGroups-(?:Return|From)|X-MDMailing-List|X-XEmacs-List|X-Sympa-To"
    "|(?:X-)?Resent-(?:From|To|Date)|(?:X-)?Original-(?:From|To|Date)"
    "|X-MailScanner(?:-SpamCheck)?"
    "|X-Spam(?:-(?:Status|Level|Flag|Report|Hits|Score|Checker-Version))?"
    "|X-Antispam|X-RBL-Warning|X-Mailscanner|X-MDaemon-Deliver-To|X-Virus-Scanned"
    "|X-Mass-Check-Id|X-Pyzor|X-DCC-\\S{2,25}-Metrics|X-Filtered-B[Yy]|X-Scanned-By"
    "|X-Scanner|X-AP-Spam-(?:Score|Status)|X-RIPE-Spam-Status|X-SpamCop-[^:]+|X-SMTPD"
    "|(?:X-)?Spam-Apparently-To|SPAM|X-Perlmx-Spam|X-Bogosity"
    "|Content-Class|Thread-(?:Index|Topic)|X-Original[Aa]rrival[Tt]ime"
    "|(?:X-)?Status|X-Flags|X-Keywords|Replied|Forwarded|Lines|Content-Length|X-UIDL?"
    "|X-IMAPbase|X-Bugzilla-[^:]+"
    "|X-VM-(?:Bookmark|(?:POP|IMAP)-Retrieved|Labels|Last-Modified|Summary-Format|VHeader"
    "|v\\d-Data|Message-Order)"
    "|X-Gnus-Mail-Source|Xref)\\z";

/* $MARK_PRESENCE_ONLY_HDRS: only that the field is there counts */
static const char presence_only_re[] =
    "^(?:X-Face|X-(?:Gnu-?PG|PGP|GPG)(?:-Key)?-Fingerprint|D(?:KIM|omainKey)-Signature"
    "|X-Google-DKIM-Signature|ARC-(?:Message-Signature|Seal)|Autocrypt)\\z";

/* %HEADER_NAME_COMPRESSION (exact names) */
static const struct {
    const char *name, *short_name;
} compressed[] = {
    { "Message-Id", "*m" },
    { "Message-ID", "*M" },
    { "Received", "*r" },
    { "User-Agent", "*u" },
    { "References", "*f" },
    { "In-Reply-To", "*i" },
    { "From", "*F" },
    { "Reply-To", "*R" },
    { "Return-Path", "*p" },
    { "Return-path", "*rp" },
    { "X-Mailer", "*x" },
    { "X-Authentication-Warning", "*a" },
    { "Organization", "*o" },
    { "Organisation", "*o" },
    { "Content-Type", "*ct" },
    { "Content-Disposition", "*cd" },
    { "Content-Transfer-Encoding", "*ce" },
    { "x-spam-relays-trusted", "*RT" },
    { "x-spam-relays-untrusted", "*RU" },
};

int
bt_hdr_prepare(struct bayes_tok *bt)
{
    static const struct {
        size_t off;
        const char *re;
        uint32_t opts;
    } pats[] = {
        { offsetof(struct bayes_tok, ignored_hdrs), ignored_hdrs_re, PCRE2_CASELESS },
        { offsetof(struct bayes_tok, presence_only), presence_only_re, PCRE2_CASELESS },
        { offsetof(struct bayes_tok, mid_oe),
          "<([0-9a-f]{4})[0-9a-f]{4}[0-9a-f]{4}\\$([0-9a-f]{4})[0-9a-f]{4}\\$([0-9a-f]{8})"
          "@(\\S+)>",
          0 },
        { offsetof(struct bayes_tok, mid_exim), "<[A-Za-z0-9]{7}-[A-Za-z0-9]{6}-0[A-Za-z0-9]@", 0 },
        { offsetof(struct bayes_tok, mid_sendmail),
          "<20\\d\\d[01]\\d[0123]\\d[012]\\d[012345]\\d[012345]\\d\\.[A-F0-9]{10,12}@", 0 },
        { offsetof(struct bayes_tok, rcvd[BT_RCVD_SENDMAIL_SMTP]),
          "\\swith\\sSMTP\\sid\\sg[\\dA-Z]{10,12}\\s", 0 },
        { offsetof(struct bayes_tok, rcvd[BT_RCVD_SENDMAIL_ESMTP]),
          "\\swith\\sESMTP\\sid\\s[\\dA-F]{10,12}\\s", 0 },
        { offsetof(struct bayes_tok, rcvd[BT_RCVD_SENDMAIL_ID]), "\\bid\\s[a-zA-Z0-9]{7,20}\\b",
          0 },
        { offsetof(struct bayes_tok, rcvd[BT_RCVD_EXIM_ID]),
          "\\bid\\s[A-Za-z0-9]{7}-[A-Za-z0-9]{6}-0[A-Za-z0-9]", 0 },
        /* RFC 822/2822 dates (/x in SA; written out here) */
        { offsetof(struct bayes_tok, rcvd[BT_RCVD_DATE]),
          "(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\\s)?[0-3\\s]?[0-9]\\s"
          "(?:Jan|Feb|Ma[ry]|Apr|Ju[nl]|Aug|Sep|Oct|Nov|Dec)\\s(?:19|20)?[0-9]{2}\\s"
          "[0-2][0-9](?::[0-5][0-9]){1,2}\\s"
          "(?:\\s*\\(|\\)|\\s*(?:[+-][0-9]{4})|\\s*(?:UT|[A-Z]{2,3}T))*",
          0 },
        { offsetof(struct bayes_tok, rcvd[BT_RCVD_IP]),
          "\\b(\\d{1,3}\\.)(\\d{1,3}\\.)(\\d{1,3})(\\.\\d{1,3})\\b", 0 },
        { offsetof(struct bayes_tok, rcvd[BT_RCVD_WORDS]), "\\b(?:with|from|for|SMTP|ESMTP)\\b",
          0 },
        { offsetof(struct bayes_tok, ct_boundary), "boundary=[\"'](.*?)[\"']", PCRE2_CASELESS },
        { offsetof(struct bayes_tok, ct_words), "\\b(?:text|charset)\\b", 0 },
    };

    for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
        pcre2_code *re = bt_compile(pats[i].re, pats[i].opts);

        if (re == NULL)
            return -1;
        *(pcre2_code **)((char *)bt + pats[i].off) = re;
        arena_on_free(bt->arena, (void (*)(void *))pcre2_code_free, re);
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * the _pre_chew_* helpers
 */

static struct strv
chew_message_id(struct bt_run *r, struct strv v)
{
    char *o;

    v = bt_subst(r, r->bt->mid_oe, v, " OEA$1 OEB$2 OEC$3 $4 ", true);
    v = bt_subst(r, r->bt->mid_exim, v, "", false);
    v = bt_subst(r, r->bt->mid_sendmail, v, "", true);
    o = arena_alloc(r->a, v.len + 1);
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.p[i];
        bool keep =
            c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

        o[i] = keep ? (char)c : ' ';
    }
    o[v.len] = '\0';
    return strv_make(o, v.len);
}

static struct strv
chew_received(struct bt_run *r, struct strv v)
{
    static const char *const tmpl[BT_RCVD_N] = {
        [BT_RCVD_SENDMAIL_SMTP] = " ",
        [BT_RCVD_SENDMAIL_ESMTP] = " ",
        [BT_RCVD_SENDMAIL_ID] = " ",
        [BT_RCVD_EXIM_ID] = " ",
        [BT_RCVD_DATE] = "",
        /* SA means to keep 10.x and 192.168.x whole, but compares "10."
         * (with its dot) to "10": every address is cut to its /24 */
        [BT_RCVD_IP] = "$1$2$3 ip*$1$2$3$4 ",
        [BT_RCVD_WORDS] = " ",
    };

    for (int i = 0; i < BT_RCVD_N; i++)
        v = bt_subst(r, r->bt->rcvd[i], v, tmpl[i], true);
    return v;
}

static struct strv
chew_content_type(struct bt_run *r, struct strv v)
{
    struct bt_buf o;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
    size_t from = 0;
    struct strv boundary = { NULL, 0 };

    /* s/boundary=[\"\'](.*?)[\"\']/ /ig; $1 is the last match's */
    bt_buf_init(&o, r->a);
    while (from <= v.len &&
           pcre2_match(r->bt->ct_boundary, (PCRE2_SPTR)v.p, v.len, from, 0, r->md, NULL) >= 0) {
        bt_buf_put(&o, v.p + from, ov[0] - from);
        bt_buf_putc(&o, ' ');
        boundary = strv_make(v.p + ov[2], ov[3] - ov[2]);
        from = ov[1];
    }
    if (boundary.p != NULL) {
        bt_buf_put(&o, v.p + from, v.len - from);
        /* hex digits become H; runs of [-_.=] stand apart */
        for (size_t i = 0; i < boundary.len;) {
            char c = boundary.p[i];

            if (c == '-' || c == '_' || c == '.' || c == '=') {
                size_t j = i;

                while (j < boundary.len && (boundary.p[j] == '-' || boundary.p[j] == '_' ||
                                            boundary.p[j] == '.' || boundary.p[j] == '='))
                    j++;
                bt_buf_putc(&o, ' ');
                bt_buf_put(&o, boundary.p + i, j - i);
                bt_buf_putc(&o, ' ');
                i = j;
                continue;
            }
            bt_buf_putc(&o,
                        ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
                            ? 'H'
                            : c);
            i++;
        }
        v = bt_buf_take(&o);
    }
    return bt_subst(r, r->bt->ct_words, v, " ", true);
}

/* Perl's \s on a byte string */
static inline bool
hdr_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* _pre_chew_addr_header: N*<word> for each word of each display name and
 * the address tokens, joined by spaces */
static struct strv
chew_addr_header(struct bt_run *r, struct strv v)
{
    struct mime_addr *addrs;
    size_t n;
    struct bt_list toks = { r->a, NULL, 0, 0 };
    struct bt_buf o;

    bt_buf_init(&o, r->a);
    /* return if $str !~ /\S/ */
    {
        bool any = false;

        for (size_t i = 0; i < v.len && !any; i++)
            any = !hdr_ws(v.p[i]);
        if (!any)
            return bt_buf_take(&o);
    }
    n = mime_addr_parse(r->a, v, &addrs);
    for (size_t i = 0; i < n; i++) {
        if (addrs[i].has_phrase) {
            /* split(/\s+/, $phrase): a leading empty field stays */
            struct strv ph = addrs[i].phrase;
            size_t k = 0;

            while (k < ph.len) {
                size_t j = k;

                while (j < ph.len && !hdr_ws(ph.p[j]))
                    j++;
                if (j > k || k == 0) {
                    char *t = arena_alloc(r->a, j - k + 3);

                    memcpy(t, "N*", 2);
                    memcpy(t + 2, ph.p + k, j - k);
                    t[j - k + 2] = '\0';
                    bt_list_push(&toks, strv_make(t, j - k + 2));
                }
                while (j < ph.len && hdr_ws(ph.p[j]))
                    j++;
                k = j;
            }
        }
        if (addrs[i].has_address)
            bt_mail_addr_tokens(&toks, addrs[i].address);
    }
    for (size_t i = 0; i < toks.n; i++) {
        if (i > 0)
            bt_buf_putc(&o, ' ');
        bt_buf_put(&o, toks.v[i].p, toks.v[i].len);
    }
    return bt_buf_take(&o);
}

/* x-spam-relays-*: s/ [a-z]+=/ /g */
static struct strv
chew_relays(struct arena *a, struct strv v)
{
    char *o = arena_alloc(a, v.len + 1);
    size_t n = 0, i = 0;

    while (i < v.len) {
        size_t j = i + 1;

        if (v.p[i] == ' ') {
            while (j < v.len && v.p[j] >= 'a' && v.p[j] <= 'z')
                j++;
            if (j > i + 1 && j < v.len && v.p[j] == '=') {
                o[n++] = ' ';
                i = j + 1;
                continue;
            }
        }
        o[n++] = v.p[i++];
    }
    o[n] = '\0';
    return strv_make(o, n);
}

/* ------------------------------------------------------------------------
 * the fields
 */

/* The name in lower case (the key of SA's headers hash). */
static struct strv
lower_name(struct arena *a, struct strv name)
{
    char *p = arena_strndup(a, name.p, name.len);

    for (size_t i = 0; i < name.len; i++)
        p[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + ('a' - 'A') : p[i]);
    return strv_make(p, name.len);
}

static bool
name_is(struct strv name, const char *const *names)
{
    for (; *names != NULL; names++) {
        if (strv_caseeq(name, *names))
            return true;
    }
    return false;
}

/* /^(?:|X-|Resent-)(?:NAME|...)$/i */
static bool
name_is_prefixed(struct strv name, const char *const *names)
{
    if (name.len > 2 && strncasecmp(name.p, "X-", 2) == 0 &&
        name_is(strv_make(name.p + 2, name.len - 2), names))
        return true;
    if (name.len > 7 && strncasecmp(name.p, "Resent-", 7) == 0 &&
        name_is(strv_make(name.p + 7, name.len - 7), names))
        return true;
    return name_is(name, names);
}

static bool
re_hit(struct bt_run *r, const pcre2_code *re, struct strv s)
{
    return pcre2_match(re, (PCRE2_SPTR)s.p, s.len, 0, 0, r->md, NULL) >= 0;
}

/* the parsed hash: each name once, values joined with spaces */
struct hdr_map {
    struct strset names;
    struct bt_buf *vals;
    size_t cap;
};

static void
map_add(struct bt_run *r, struct hdr_map *h, struct strv name, struct strv val)
{
    long k = strset_index(&h->names, name);

    if (k < 0) {
        strset_add(&h->names, name);
        k = (long)h->names.n - 1;
        if ((size_t)k >= h->cap) {
            size_t ncap = h->cap ? h->cap * 2 : 32;

            h->vals =
                arena_realloc(r->a, h->vals, h->cap * sizeof(*h->vals), ncap * sizeof(*h->vals));
            h->cap = ncap;
        }
        bt_buf_init(&h->vals[k], r->a);
        bt_buf_put(&h->vals[k], val.p, val.len);
        return;
    }
    bt_buf_putc(&h->vals[k], ' ');
    bt_buf_put(&h->vals[k], val.p, val.len);
}

/* One field of SA's loop: name and value as split(/:/, $_, 2) gives them
 * (the value with its leading space, chomped). */
static void
hdr_field(struct bt_run *r, struct hdr_map *h, struct strv name, struct strv val)
{
    static const char *const addr_hdrs[] = {
        "Return-Path",      "From",   "To", "Cc", "Reply-To", "Errors-To",
        "Mail-Followup-To", "Sender", NULL
    };
    static const char *const mid_hdrs[] = { "Message-Id", NULL };
    static const char *const mi[] = { "In-Reply-To", "References", "Message-ID", NULL };
    static const char *const ad[] = { "From", "To", "Cc", NULL };
    static const char *const ua[] = { "X-Mailer", "User-Agent", NULL };

    if (strset_has(&r->bt->ignore, lower_name(r->a, name)))
        return;
    if (name_is_prefixed(name, mid_hdrs)) {
        val = chew_message_id(r, val);
    } else if (name_is_prefixed(name, addr_hdrs)) {
        val = chew_addr_header(r, val);
    } else if (strv_eq(name, "Received")) {
        val = chew_received(r, val);
    } else if (strv_eq(name, "Content-Type")) {
        val = chew_content_type(r, val);
    } else if (strv_eq(name, "MIME-Version")) {
        const char *one = val.len >= 3 ? memmem(val.p, val.len, "1.0", 3) : NULL;

        if (one != NULL) {
            char *o = arena_alloc(r->a, val.len - 2);
            size_t at = (size_t)(one - val.p);

            memcpy(o, val.p, at);
            memcpy(o + at, one + 3, val.len - at - 3);
            o[val.len - 3] = '\0';
            val = strv_make(o, val.len - 3);
        }
    } else if (re_hit(r, r->bt->presence_only, name)) {
        val = STRV_LIT("1");
    } else if (strv_eq(name, "x-spam-relays-external") || strv_eq(name, "x-spam-relays-internal") ||
               strv_eq(name, "x-spam-relays-trusted") || strv_eq(name, "x-spam-relays-untrusted")) {
        val = chew_relays(r->a, val);
    }
    if (name_is(name, mi))
        map_add(r, h, STRV_LIT("*MI"), val);
    if (name_is(name, ad))
        map_add(r, h, STRV_LIT("*Ad"), val);
    if (name_is(name, ua))
        map_add(r, h, STRV_LIT("*UA"), val);
    for (size_t i = 0; i < sizeof(compressed) / sizeof(compressed[0]); i++) {
        if (strv_eq(name, compressed[i].name)) {
            name = strv_cstr(compressed[i].short_name);
            break;
        }
    }
    map_add(r, h, name, val);
}

/* Node::delete_header matches /^${hdr}$/io: the /o keeps the pattern of
 * the process's first call. A process that only learns first deletes
 * "X-Spam-Relays-Trusted" (Received.pm), and deletes just that after; one
 * that scans first deletes 'X-Spam-.*' (check_timed), and every X-Spam-*
 * field goes, for every later call too. */
static bool
deleted_field(struct strv name, unsigned flags)
{
    if (flags & BAYES_TOK_SCAN)
        return name.len >= 7 && strncasecmp(name.p, "X-Spam-", 7) == 0;
    return strv_caseeq(name, "X-Spam-Relays-Trusted");
}

/* " " . value, as the loop's split leaves it */
static struct strv
spaced(struct arena *a, struct strv v)
{
    char *o = arena_alloc(a, v.len + 2);

    o[0] = ' ';
    memcpy(o + 1, v.p, v.len);
    o[v.len + 1] = '\0';
    return strv_make(o, v.len + 1);
}

/* get_all_headers(): which fields it returns. SA adds up the sizes name
 * group by name group, in the order each name first appears, and stops at
 * MAX_HEADER_LENGTH; the fields keep their order. Linear: a message may
 * have many fields. */
static const struct mime_header **
all_headers(struct bt_run *r, struct mime_msg *m, unsigned flags, size_t *nout)
{
    const struct mime_headers *hs = &m->root->hdrs;
    size_t nf = hs->n + 1, i = 0, n = 0, size = 0;
    const struct mime_header **f = arena_calloc(r->a, nf, sizeof(*f));
    const struct mime_header **v = arena_calloc(r->a, nf, sizeof(*v));
    size_t *group = arena_calloc(r->a, nf, sizeof(*group));
    size_t *start = arena_calloc(r->a, nf + 1, sizeof(*start));
    size_t *order = arena_calloc(r->a, nf, sizeof(*order)); /* field indices by group */
    unsigned char *keep = arena_calloc(r->a, nf, 1);
    struct strset names;
    bool cut = false;

    strset_init(&names, r->a);
    for (const struct mime_header *h = hs->first; h != NULL && i < hs->n; h = h->next, i++) {
        struct strv lc;

        f[i] = h;
        group[i] = (size_t)-1;
        if (deleted_field(h->name, flags))
            continue;
        lc = lower_name(r->a, h->name);
        strset_add(&names, lc);
        group[i] = (size_t)strset_index(&names, lc);
        start[group[i] + 1]++;
    }
    for (size_t g = 0; g < names.n; g++)
        start[g + 1] += start[g];
    {
        size_t *fill = arena_calloc(r->a, names.n + 1, sizeof(*fill));

        for (size_t k = 0; k < i; k++) {
            if (group[k] != (size_t)-1)
                order[start[group[k]] + fill[group[k]]++] = k;
        }
    }
    for (size_t g = 0; g < names.n && !cut; g++) {
        for (size_t j = start[g]; j < start[g + 1] && !cut; j++) {
            const struct mime_header *h = f[order[j]];

            size += h->name.len + h->value.len + 1 + 2;
            if (size > MIME_HDR_MAX_TOTAL)
                cut = true;
            else
                keep[order[j]] = 1;
        }
    }
    for (size_t k = 0; k < i; k++) {
        if (keep[k])
            v[n++] = f[k];
    }
    *nout = n;
    return v;
}

/* the metadata strings SA has for the message (get_all_metadata: sorted
 * by their lower-case names) */
static void
metadata(struct bt_run *r, struct mime_msg *m, unsigned flags, struct hdr_map *h)
{
    const struct mime_relays *rl = mime_msg_relays(m);

    if (flags & BAYES_TOK_SCAN) {
        /* PerMsgStatus::extract_message_metadata */
        const struct mime_get *from = mime_get(m, "From:addr:host");
        const struct mime_get *env = mime_get(m, "EnvelopeFrom:first:addr:host");
        struct strset seen;
        struct bt_buf o;

        strset_init(&seen, r->a);
        bt_buf_init(&o, r->a);
        for (size_t i = 0; i < from->n; i++) {
            struct strv d;

            if (!strset_add(&seen, from->v[i]))
                continue;
            d = mime_idn_to_ascii(r->a, from->v[i]);
            if (seen.n > 1)
                bt_buf_putc(&o, ' ');
            bt_buf_put(&o, d.p, d.len);
        }
        if (seen.n > 0)
            hdr_field(r, h, STRV_LIT("x-authordomain"), spaced(r->a, bt_buf_take(&o)));
        if (env->n > 0)
            hdr_field(r, h, STRV_LIT("x-senderdomain"),
                      spaced(r->a, mime_idn_to_ascii(r->a, env->v[0])));
    }
    hdr_field(r, h, STRV_LIT("x-spam-relays-external"), spaced(r->a, rl->external_str));
    hdr_field(r, h, STRV_LIT("x-spam-relays-internal"), spaced(r->a, rl->internal_str));
    hdr_field(r, h, STRV_LIT("x-spam-relays-trusted"), spaced(r->a, rl->trusted_str));
    hdr_field(r, h, STRV_LIT("x-spam-relays-untrusted"), spaced(r->a, rl->untrusted_str));
}

size_t
bt_headers(struct bt_run *r, struct mime_msg *m, unsigned flags, struct bayes_tok_header **out)
{
    struct hdr_map h = { .vals = NULL, .cap = 0 };
    size_t n, nrcvd = 0;
    const struct mime_header **fields = all_headers(r, m, flags, &n);
    const struct mime_header *rcvd[2] = { NULL, NULL }; /* the last two */
    struct bayes_tok_header *res;

    strset_init(&h.names, r->a);
    for (size_t i = 0; i < n; i++) {
        const struct mime_header *f = fields[i];

        if (strv_caseeq(f->name, "Received")) {
            rcvd[0] = rcvd[1];
            rcvd[1] = f;
            nrcvd++;
            continue;
        }
        if (re_hit(r, r->bt->ignored_hdrs, f->name))
            continue;
        hdr_field(r, &h, f->name, spaced(r->a, f->value));
    }
    metadata(r, m, flags, &h);
    if (nrcvd >= 1)
        hdr_field(r, &h, rcvd[1]->name, spaced(r->a, rcvd[1]->value));
    if (nrcvd >= 2)
        hdr_field(r, &h, rcvd[0]->name, spaced(r->a, rcvd[0]->value));
    res = arena_calloc(r->a, h.names.n + 1, sizeof(*res));
    for (size_t i = 0; i < h.names.n; i++) {
        res[i].name = h.names.items[i];
        res[i].value = bt_buf_take(&h.vals[i]);
    }
    *out = res;
    return h.names.n;
}
