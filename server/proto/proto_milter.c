/*
 * proto_milter.c - the filter side of the milter protocol v6
 * (spec/milter-protocol.md): packet decoding, option negotiation and reply
 * rendering; the session tracker is proto_milter_session.c. Pure: bytes
 * in, commands out, replies to bytes. No I/O, no globals; every limit
 * comes from struct milter_limits.
 *
 * Leniency follows libmilter, the filter library every MTA is tested
 * against: bytes after the strings a command needs are ignored, commands
 * out of the usual order are taken (and counted as anomalies). What cannot
 * be decoded at all (a length of 0 or past the limit, an unknown command, a
 * string without its NUL, a bad address family) is an error.
 */
#include "proto/proto_milter.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/strv.h"
#include "core/xmalloc.h"
#include "proto/proto_milter_int.h"

#define MILTER_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The protocol bits defined up to version 6 (SMFI_CURR_PROT). */
#define MILTER_P_CURR 0x001FFFFFu
/* libmilter's smfi_setmlreply takes at most 32 lines. */
#define MILTER_MAX_REPLY_LINES 32
/* Sendmail's Milter.maxdatasize values, as length fields (command byte + data). */
#define MILTER_MDS_256K_FRAME (256u * 1024u)
#define MILTER_MDS_1M_FRAME   (1024u * 1024u)

/* Macro sets kept by the session, by the command they precede. */
static const char milter_slot_cmds[MILTER_NSLOTS + 1] = "CHMRTLNBEU";

/* What sift asks the MTA to send (section 6): Postfix's defaults plus the client's. */
static const char *const milter_default_macros[MILTER_ML_COUNT] = {
    [MILTER_ML_CONNECT] = "j {daemon_name} {daemon_addr} v _ {client_addr} {client_name} "
                          "{client_port} {client_ptr}",
    [MILTER_ML_HELO] = "{tls_version} {cipher} {cipher_bits} {cert_subject} {cert_issuer}",
    [MILTER_ML_ENVFROM] = "i {auth_type} {auth_authen} {auth_author} {mail_addr} {mail_host} "
                          "{mail_mailer}",
    [MILTER_ML_ENVRCPT] = "i {rcpt_addr} {rcpt_host} {rcpt_mailer}",
    [MILTER_ML_DATA] = "i",
    [MILTER_ML_EOM] = "i",
    [MILTER_ML_EOH] = "i",
};

static const struct {
    char cmd;
    const char *name;
} milter_cmd_names[] = {
    { 'A', "ABORT" },  { 'B', "BODY" },    { 'C', "CONNECT" }, { 'D', "MACRO" }, { 'E', "EOB" },
    { 'H', "HELO" },   { 'K', "QUIT_NC" }, { 'L', "HEADER" },  { 'M', "MAIL" },  { 'N', "EOH" },
    { 'O', "OPTNEG" }, { 'Q', "QUIT" },    { 'R', "RCPT" },    { 'T', "DATA" },  { 'U', "UNKNOWN" },
};

const char *
milter_cmd_name(int cmd)
{
    for (size_t i = 0; i < MILTER_NELEM(milter_cmd_names); i++) {
        if (milter_cmd_names[i].cmd == cmd)
            return milter_cmd_names[i].name;
    }
    return "?";
}

static uint32_t
milter_get32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;

    return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

static void
milter_put32(struct buf *out, uint32_t v)
{
    char b[4] = { (char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v };

    buf_append(out, b, 4);
}

int
milter_slot(int cmd)
{
    const char *p = cmd != 0 ? strchr(milter_slot_cmds, cmd) : NULL;

    return p != NULL ? (int)(p - milter_slot_cmds) : -1;
}

void
milter_limits_fill(struct milter_limits *dst, const struct milter_limits *src)
{
    if (src != NULL)
        *dst = *src;
    else
        memset(dst, 0, sizeof(*dst));
    if (dst->max_frame == 0)
        dst->max_frame = MILTER_MAX_FRAME_DEFAULT;
    if (dst->max_args == 0)
        dst->max_args = MILTER_MAX_ARGS_DEFAULT;
    if (dst->max_rcpts == 0)
        dst->max_rcpts = MILTER_MAX_RCPTS_DEFAULT;
    if (dst->max_headers == 0)
        dst->max_headers = MILTER_MAX_HEADERS_DEFAULT;
}

bool
milter_next_string(struct strv *rest, struct strv *s)
{
    const char *nul;

    if (rest->len == 0)
        return false;
    nul = memchr(rest->p, '\0', rest->len);
    if (nul == NULL) { /* a block ends with a NUL; take a stray tail whole */
        *s = *rest;
        rest->p += rest->len;
        rest->len = 0;
        return true;
    }
    *s = strv_make(rest->p, (size_t)(nul - rest->p));
    rest->len -= s->len + 1;
    rest->p = nul + 1;
    return true;
}

/* ------------------------------------------------------------------------
 * Decoding packets from the MTA (sections 2 and 3)
 */

static int milter_fail(struct milter_parser *mp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
milter_fail(struct milter_parser *mp, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(mp->err, sizeof(mp->err), fmt, ap);
    va_end(ap);
    mp->failed = true;
    return -1;
}

void
milter_parser_init(struct milter_parser *mp, const struct milter_limits *lim)
{
    memset(mp, 0, sizeof(*mp));
    milter_limits_fill(&mp->lim, lim);
    mp->need = 4;
}

void
milter_parser_clear(struct milter_parser *mp)
{
    free(mp->args);
    mp->args = NULL;
    mp->args_cap = 0;
    mp->cmd.argv = NULL;
    mp->cmd.argc = 0;
}

/* Split d[0..n) into its NUL-terminated strings (into mp->args); -1 when
 * the last has no NUL or there are more than max_args. */
static int
milter_split(struct milter_parser *mp, const char *what, const char *d, size_t n, size_t *count)
{
    struct strv rest = strv_make(d, n), s;
    size_t k = 0;

    if (n > 0 && d[n - 1] != '\0')
        return milter_fail(mp, "%s: a string without its NUL", what);
    while (milter_next_string(&rest, &s)) {
        if (k == mp->lim.max_args)
            return milter_fail(mp, "%s: more than %zu strings", what, mp->lim.max_args);
        if (k == mp->args_cap) {
            size_t cap = mp->args_cap != 0 ? mp->args_cap * 2 : 16;
            if (cap > mp->lim.max_args)
                cap = mp->lim.max_args;
            mp->args = xreallocarray(mp->args, cap, sizeof(*mp->args));
            mp->args_cap = cap;
        }
        mp->args[k++] = s;
    }
    *count = k;
    return 0;
}

/* Split, and require at least min strings. */
static int
milter_strings(struct milter_parser *mp, const char *what, const char *d, size_t n, size_t min,
               size_t *count)
{
    if (milter_split(mp, what, d, n, count) == -1)
        return -1;
    if (*count < min)
        return milter_fail(mp, "%s: %zu string%s, %zu needed", what, *count, *count == 1 ? "" : "s",
                           min);
    return 0;
}

/* "host\0" family [port(2) "address\0"] */
static int
milter_decode_connect(struct milter_parser *mp, struct milter_command *c, const char *d, size_t n)
{
    const char *nul = memchr(d, '\0', n), *end;
    size_t pos;

    if (nul == NULL)
        return milter_fail(mp, "CONNECT: a host name without its NUL");
    c->host = strv_make(d, (size_t)(nul - d));
    pos = c->host.len + 1;
    if (pos == n)
        return milter_fail(mp, "CONNECT: no address family");
    c->family = d[pos++];
    c->address = strv_make(nul, 0); /* an empty string, its NUL included */
    switch (c->family) {
    case MILTER_FAMILY_UNKNOWN:
        return 0;
    case MILTER_FAMILY_INET:
    case MILTER_FAMILY_INET6:
    case MILTER_FAMILY_UNIX:
        break;
    default:
        return milter_fail(mp, "CONNECT: unknown address family 0x%02x",
                           (unsigned)(unsigned char)c->family);
    }
    if (n - pos < 2)
        return milter_fail(mp, "CONNECT: no port");
    c->port = (uint16_t)((unsigned char)d[pos] << 8 | (unsigned char)d[pos + 1]);
    pos += 2;
    end = memchr(d + pos, '\0', n - pos);
    if (end == NULL)
        return milter_fail(mp, "CONNECT: an address without its NUL");
    c->address = strv_make(d + pos, (size_t)(end - (d + pos)));
    /* Sendmail writes "IPv6:2001:db8::1" (section 3) */
    if (c->family == MILTER_FAMILY_INET6 && c->address.len >= 5 &&
        strncasecmp(c->address.p, "IPv6:", 5) == 0) {
        c->address.p += 5;
        c->address.len -= 5;
    }
    return 0;
}

static int
milter_decode(struct milter_parser *mp, char cmd, const char *d, size_t n)
{
    struct milter_command *c = &mp->cmd;
    size_t k = 0;

    memset(c, 0, sizeof(*c));
    c->cmd = (enum milter_cmd)cmd;
    c->data = strv_make(d, n);
    switch (cmd) {
    case MILTER_CMD_OPTNEG:
        if (n < 12) /* libmilter reads the first 12 bytes and ignores more */
            return milter_fail(mp, "OPTNEG: %zu bytes of data, 12 needed", n);
        c->version = milter_get32(d);
        c->actions = milter_get32(d + 4);
        c->protocol = milter_get32(d + 8);
        return 0;
    case MILTER_CMD_MACRO:
        if (n == 0)
            return milter_fail(mp, "MACRO: no command byte");
        c->macro_cmd = (enum milter_cmd)d[0];
        if (milter_slot(d[0]) == -1)
            return milter_fail(mp, "MACRO: for unknown command 0x%02x",
                               (unsigned)(unsigned char)d[0]);
        if (milter_split(mp, "MACRO", d + 1, n - 1, &k) == -1)
            return -1;
        if (k % 2 != 0)
            return milter_fail(mp, "MACRO: %.64s has no value", mp->args[k - 1].p);
        c->argv = mp->args; /* only now: splitting may have moved them */
        c->argc = k;
        return 0;
    case MILTER_CMD_CONNECT:
        return milter_decode_connect(mp, c, d, n);
    case MILTER_CMD_HELO:
    case MILTER_CMD_UNKNOWN:
        if (milter_strings(mp, milter_cmd_name(cmd), d, n, 1, &k) == -1)
            return -1;
        c->arg = mp->args[0];
        return 0;
    case MILTER_CMD_MAIL:
    case MILTER_CMD_RCPT:
        if (milter_strings(mp, milter_cmd_name(cmd), d, n, 1, &k) == -1)
            return -1;
        c->arg = mp->args[0];
        c->argv = mp->args + 1;
        c->argc = k - 1;
        return 0;
    case MILTER_CMD_HEADER:
        if (milter_strings(mp, "HEADER", d, n, 2, &k) == -1)
            return -1;
        if (mp->args[0].len == 0)
            return milter_fail(mp, "HEADER: an empty field name");
        c->name = mp->args[0];
        c->value = mp->args[1];
        return 0;
    case MILTER_CMD_BODY:
    case MILTER_CMD_EOB: /* Sendmail may put the last chunk here */
    case MILTER_CMD_DATA:
    case MILTER_CMD_EOH:
    case MILTER_CMD_ABORT:
    case MILTER_CMD_QUIT:
    case MILTER_CMD_QUIT_NC:
        return 0;
    default:
        return milter_fail(mp, "unknown command 0x%02x", (unsigned)(unsigned char)cmd);
    }
}

static bool
milter_is_command(char c)
{
    return c != '\0' && strchr("ABCDEHKLMNOQRTU", c) != NULL;
}

enum proto_status
milter_feed(struct milter_parser *mp, const char *buf, size_t len, size_t *used)
{
    uint32_t flen;

    *used = 0;
    if (mp->failed)
        return PROTO_ERROR;
    if (len < 4) {
        mp->need = 4;
        return PROTO_MORE;
    }
    flen = milter_get32(buf);
    if (flen == 0) {
        milter_fail(mp, "a packet of length 0");
        return PROTO_ERROR;
    }
    if (flen > mp->lim.max_frame) {
        milter_fail(mp, "a packet of %lu bytes, more than the limit of %zu", (unsigned long)flen,
                    mp->lim.max_frame);
        return PROTO_ERROR;
    }
    if (len > 4 && !milter_is_command(buf[4])) { /* before a big packet has arrived */
        milter_fail(mp, "unknown command 0x%02x", (unsigned)(unsigned char)buf[4]);
        return PROTO_ERROR;
    }
    if (len - 4 < flen) {
        mp->need = 4 + (size_t)flen;
        return PROTO_MORE;
    }
    if (milter_decode(mp, buf[4], buf + 5, (size_t)flen - 1) == -1)
        return PROTO_ERROR;
    mp->need = 4;
    *used = 4 + (size_t)flen;
    return PROTO_DONE;
}

/* ------------------------------------------------------------------------
 * Option negotiation (section 5)
 */

void
milter_wants_default(struct milter_wants *w)
{
    memset(w, 0, sizeof(*w));
    w->actions = MILTER_ACT_ADDHDRS | MILTER_ACT_CHGHDRS | MILTER_ACT_CHGBODY | MILTER_ACT_ADDRCPT |
                 MILTER_ACT_DELRCPT | MILTER_ACT_QUARANTINE | MILTER_ACT_CHGFROM;
    w->required = MILTER_ACT_ADDHDRS | MILTER_ACT_CHGHDRS;
    w->protocol = MILTER_P_NR_ALL; /* every step, and no reply where the MTA allows it */
    for (int i = 0; i < MILTER_ML_COUNT; i++)
        w->macros[i] = milter_default_macros[i];
}

static bool
milter_has_macro_lists(const struct milter_wants *w)
{
    for (int i = 0; i < MILTER_ML_COUNT; i++) {
        if (w->macros[i] != NULL)
            return true;
    }
    return false;
}

int
milter_negotiate(const struct milter_optneg *offer, const struct milter_wants *w, size_t max_frame,
                 struct milter_optneg *reply, char *err, size_t errlen)
{
    /* an MTA offering nothing means version 1's set (libmilter) */
    uint32_t acts = offer->actions != 0 ? offer->actions : MILTER_ACT_V1;
    uint32_t prot = offer->protocol != 0 ? offer->protocol : MILTER_P_V1;
    uint32_t missing = w->required & ~acts;

    if (offer->version < 2) {
        snprintf(err, errlen, "OPTNEG: the MTA's protocol version %lu is older than 2",
                 (unsigned long)offer->version);
        return -1;
    }
    if (missing != 0) {
        snprintf(err, errlen, "OPTNEG: the MTA offers actions 0x%lx, without 0x%lx",
                 (unsigned long)acts, (unsigned long)missing);
        return -1;
    }
    reply->version = offer->version < MILTER_VERSION ? offer->version : MILTER_VERSION;
    reply->actions = w->actions & acts;
    if (milter_has_macro_lists(w) && (acts & MILTER_ACT_SETSYMLIST) != 0)
        reply->actions |= MILTER_ACT_SETSYMLIST;
    if (reply->version < 6) /* macro lists came with version 6 */
        reply->actions &= ~MILTER_ACT_SETSYMLIST;
    /* the MTA checks that the reply is a subset of its offer */
    reply->protocol = w->protocol & prot & MILTER_P_CURR;
    if ((prot & MILTER_P_MDS_1M) != 0 && max_frame >= MILTER_MDS_1M_FRAME)
        reply->protocol |= MILTER_P_MDS_1M;
    else if ((prot & MILTER_P_MDS_256K) != 0 && max_frame >= MILTER_MDS_256K_FRAME)
        reply->protocol |= MILTER_P_MDS_256K;
    return 0;
}

/* ------------------------------------------------------------------------
 * Rendering packets (section 4)
 */

/* Start a packet: room for its length, then the command byte. */
static size_t
milter_begin(struct buf *out, char cmd)
{
    size_t start = out->len;

    milter_put32(out, 0);
    buf_putc(out, cmd);
    return start;
}

/* Set the packet's length; -1 (and the packet removed) when its data exceeds max. */
static int
milter_end(struct buf *out, size_t start, size_t max)
{
    size_t n = out->len - start - 4; /* command byte + data */
    unsigned char *p = (unsigned char *)out->p + start;

    if (n - 1 > max) {
        out->len = start;
        out->p[start] = '\0';
        return -1;
    }
    p[0] = (unsigned char)(n >> 24);
    p[1] = (unsigned char)(n >> 16);
    p[2] = (unsigned char)(n >> 8);
    p[3] = (unsigned char)n;
    return 0;
}

static void
milter_put_string(struct buf *out, const char *s)
{
    buf_append(out, s, strlen(s) + 1);
}

void
milter_render_frame(struct buf *out, char cmd, const void *data, size_t len)
{
    milter_put32(out, (uint32_t)(len + 1));
    buf_putc(out, cmd);
    if (len > 0)
        buf_append(out, data, len);
}

void
milter_render_reply(struct buf *out, enum milter_reply r)
{
    milter_render_frame(out, (char)r, NULL, 0);
}

void
milter_render_optneg(struct buf *out, const struct milter_optneg *reply,
                     const struct milter_wants *w)
{
    size_t start = milter_begin(out, MILTER_R_OPTNEG);

    milter_put32(out, reply->version);
    milter_put32(out, reply->actions);
    milter_put32(out, reply->protocol);
    if ((reply->actions & MILTER_ACT_SETSYMLIST) != 0 && w != NULL) {
        for (int i = 0; i < MILTER_ML_COUNT; i++) {
            if (w->macros[i] == NULL)
                continue;
            milter_put32(out, (uint32_t)i);
            milter_put_string(out, w->macros[i]);
        }
    }
    milter_end(out, start, (size_t)-2); /* the filter's own lists: never too long */
}

static bool
milter_has_break(const char *s)
{
    return strpbrk(s, "\r\n") != NULL;
}

/* A three-digit 4xx or 5xx code. */
static bool
milter_code_ok(const char *code)
{
    return strlen(code) == 3 && (code[0] == '4' || code[0] == '5') && code[1] >= '0' &&
           code[1] <= '9' && code[2] >= '0' && code[2] <= '9';
}

/* Digits from *p, 1 to 3 of them (RFC 3463). */
static bool
milter_digits(const char **p)
{
    int k = 0;

    while (**p >= '0' && **p <= '9' && k < 4) {
        (*p)++;
        k++;
    }
    return k >= 1 && k <= 3;
}

/* An enhanced status code of class cls: "5.7.1". */
static bool
milter_xcode_ok(const char *x, char cls)
{
    const char *p = x + 2;

    return x[0] == cls && x[1] == '.' && milter_digits(&p) && *p++ == '.' && milter_digits(&p) &&
           *p == '\0';
}

/* One line of a reply, '%' doubled. */
static void
milter_put_reply_line(struct buf *out, const char *code, char sep, const char *xcode,
                      const char *line, size_t n)
{
    buf_append(out, code, 3);
    buf_putc(out, sep);
    buf_puts(out, xcode);
    if (n > 0)
        buf_putc(out, ' ');
    for (size_t i = 0; i < n; i++) {
        if (line[i] == '%')
            buf_putc(out, '%');
        buf_putc(out, line[i]);
    }
}

/* Length of the line starting at s, and where the next one starts (NULL: none). */
static size_t
milter_line(const char *s, const char **next)
{
    size_t n = strcspn(s, "\r\n");

    if (s[n] == '\0')
        *next = NULL;
    else
        *next = s + n + (s[n] == '\r' && s[n + 1] == '\n' ? 2 : 1);
    return n;
}

int
milter_render_replycode(struct buf *out, const char *code, const char *xcode, const char *text)
{
    const char *line, *next;
    size_t start, tlen, lines = 0;
    char *copy;

    if (!milter_code_ok(code))
        return -1;
    if (xcode == NULL)
        xcode = code[0] == '4' ? "4.0.0" : "5.0.0";
    else if (!milter_xcode_ok(xcode, code[0]))
        return -1;
    tlen = strlen(text);
    while (tlen > 0 && (text[tlen - 1] == '\n' || text[tlen - 1] == '\r'))
        tlen--; /* a final line break does not make an empty last line */
    copy = xstrndup(text, tlen);
    for (line = copy; line != NULL; line = next) {
        milter_line(line, &next);
        lines++;
    }
    if (lines > MILTER_MAX_REPLY_LINES) {
        free(copy);
        return -1;
    }
    start = milter_begin(out, MILTER_R_REPLYCODE);
    for (line = copy; line != NULL; line = next) {
        size_t n = milter_line(line, &next);
        milter_put_reply_line(out, code, next != NULL ? '-' : ' ', xcode, line, n);
        if (next != NULL)
            buf_append(out, "\r\n", 2);
    }
    buf_putc(out, '\0');
    free(copy);
    return milter_end(out, start, MILTER_MAX_DATA);
}

int
milter_render_quarantine(struct buf *out, const char *reason)
{
    size_t start;

    if (reason[0] == '\0' || milter_has_break(reason))
        return -1;
    start = milter_begin(out, MILTER_R_QUARANTINE);
    milter_put_string(out, reason);
    return milter_end(out, start, MILTER_MAX_DATA);
}

bool
milter_name_ok(const char *name)
{
    size_t n = 0;

    for (; name[n] != '\0'; n++) {
        unsigned char c = (unsigned char)name[n];
        if (c <= ' ' || c >= 0x7f || c == ':')
            return false;
    }
    return n >= 1 && n <= MILTER_HDR_NAME_MAX;
}

/*
 * A header value with every line break as LF plus whitespace: lines split
 * at CRLF, CR or LF, empty ones dropped, each but the first starting with
 * whitespace (a TAB put in front if it does not). lead: a space first.
 */
static void
milter_put_value(struct buf *out, const char *v, bool lead)
{
    bool first = true;
    const char *next;

    if (lead && v[0] != ' ' && v[0] != '\t')
        buf_putc(out, ' ');
    for (const char *line = v; line != NULL; line = next) {
        size_t n = milter_line(line, &next);
        if (n == 0 && !(first && next == NULL))
            continue;
        if (!first) {
            buf_putc(out, '\n');
            if (line[0] != ' ' && line[0] != '\t')
                buf_putc(out, '\t');
        }
        buf_append(out, line, n);
        first = false;
    }
    buf_putc(out, '\0');
}

int
milter_render_hdr(struct buf *out, char cmd, uint32_t index, const char *name, const char *value,
                  bool lead)
{
    size_t start;

    if (!milter_name_ok(name))
        return -1;
    start = milter_begin(out, cmd);
    if (cmd != MILTER_R_ADDHEADER)
        milter_put32(out, index);
    milter_put_string(out, name);
    if (cmd == MILTER_R_CHGHEADER && value[0] == '\0')
        buf_putc(out, '\0'); /* the deletion: an empty value, even with leadspc */
    else
        milter_put_value(out, value, lead);
    return milter_end(out, start, MILTER_MAX_DATA);
}

int
milter_render_addheader(struct buf *out, const char *name, const char *value)
{
    return milter_render_hdr(out, MILTER_R_ADDHEADER, 0, name, value, false);
}

int
milter_render_insheader(struct buf *out, uint32_t index, const char *name, const char *value)
{
    return milter_render_hdr(out, MILTER_R_INSHEADER, index, name, value, false);
}

int
milter_render_chgheader(struct buf *out, uint32_t index, const char *name, const char *value)
{
    return milter_render_hdr(out, MILTER_R_CHGHEADER, index, name, value, false);
}

/* An address and optional args: '+'/'2', '-', 'e'. */
static int
milter_render_addr(struct buf *out, char cmd, const char *addr, const char *args)
{
    size_t start;

    if (addr[0] == '\0' || milter_has_break(addr) || (args != NULL && milter_has_break(args)))
        return -1;
    start = milter_begin(out, cmd);
    milter_put_string(out, addr);
    if (args != NULL)
        milter_put_string(out, args);
    return milter_end(out, start, MILTER_MAX_DATA);
}

int
milter_render_addrcpt(struct buf *out, const char *rcpt, const char *args)
{
    return milter_render_addr(out, args != NULL ? MILTER_R_ADDRCPT_PAR : MILTER_R_ADDRCPT, rcpt,
                              args);
}

int
milter_render_delrcpt(struct buf *out, const char *rcpt)
{
    return milter_render_addr(out, MILTER_R_DELRCPT, rcpt, NULL);
}

int
milter_render_chgfrom(struct buf *out, const char *sender, const char *args)
{
    return milter_render_addr(out, MILTER_R_CHGFROM, sender, args);
}

void
milter_render_replbody(struct buf *out, const char *body, size_t len)
{
    size_t off = 0;

    do {
        size_t n = len - off < MILTER_MAX_DATA ? len - off : MILTER_MAX_DATA;
        milter_render_frame(out, MILTER_R_REPLBODY, body + off, n);
        off += n;
    } while (off < len);
}

void
milter_render_header_line(struct buf *out, struct strv name, struct strv value, bool leadspc)
{
    buf_append(out, name.p, name.len);
    buf_append(out, leadspc ? ":" : ": ", leadspc ? 1 : 2);
    for (size_t i = 0; i < value.len; i++) {
        if (value.p[i] == '\n' && (i == 0 || value.p[i - 1] != '\r'))
            buf_putc(out, '\r');
        buf_putc(out, value.p[i]);
    }
    buf_append(out, "\r\n", 2);
}
