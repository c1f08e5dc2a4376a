/*
 * proto_spamd.c - the SPAMC/SPAMD request parser and the replies that need
 * no scan (spec/spamd-protocol.md sections 2, 4.8, 4.9 and 6).
 * Incremental and pure: bytes in, a request or spamd's error line out.
 * No I/O, no globals; every limit comes from struct spamd_limits.
 */
#include "proto/proto_spamd.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/buf.h"
#include "core/xmalloc.h"

/* Indexed by enum spamd_method. */
static const char *const spamd_method_names[] = {
    [SPAMD_CHECK] = "CHECK",     [SPAMD_SYMBOLS] = "SYMBOLS",
    [SPAMD_REPORT] = "REPORT",   [SPAMD_REPORT_IFSPAM] = "REPORT_IFSPAM",
    [SPAMD_PROCESS] = "PROCESS", [SPAMD_HEADERS] = "HEADERS",
    [SPAMD_TELL] = "TELL",       [SPAMD_PING] = "PING",
    [SPAMD_SKIP] = "SKIP",
};

#define SPAMD_NMETHODS (sizeof(spamd_method_names) / sizeof(spamd_method_names[0]))

static void spamd_fail(struct spamd_parser *sp, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
spamd_fail(struct spamd_parser *sp, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(sp->err_text, sizeof(sp->err_text), fmt, ap);
    va_end(ap);
    sp->err_code = code;
    sp->state = SPAMD_PS_ERROR;
}

/* "%.*s" takes an int: nothing longer than err_text can show anyway. */
static int
spamd_fit(const struct spamd_parser *sp, size_t n)
{
    return n < sizeof(sp->err_text) ? (int)n : (int)sizeof(sp->err_text);
}

static void
spamd_fail_too_big(struct spamd_parser *sp)
{
    spamd_fail(sp, SPAMD_EX_DATAERR, "Data format error: (message larger than max_size: %zu bytes)",
               sp->lim.max_size);
}

static enum proto_status
spamd_status(const struct spamd_parser *sp)
{
    switch (sp->state) {
    case SPAMD_PS_DONE:
        return PROTO_DONE;
    case SPAMD_PS_ERROR:
        return PROTO_ERROR;
    default:
        return PROTO_MORE;
    }
}

/* Perl's \s */
static bool
spamd_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static bool
spamd_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static char
spamd_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive search for the lower-case word w in v[0..n). */
static bool
spamd_has_word(const char *v, size_t n, const char *w)
{
    size_t wl = strlen(w);

    for (size_t i = 0; i + wl <= n; i++) {
        size_t j = 0;
        while (j < wl && spamd_lower(v[i + j]) == w[j])
            j++;
        if (j == wl)
            return true;
    }
    return false;
}

/*
 * A string read as a number the way Perl does when spamd compares the
 * version: leading whitespace, a sign, digits, a point, digits, anything
 * after ignored; no number at all is 0. (Perl would also read an exponent,
 * "Inf" and "NaN"; no client sends those.) One division keeps "1.2" exact.
 */
static double
spamd_perl_num(const char *p, size_t n)
{
    size_t i = 0;
    double v = 0, scale = 1, sign = 1;

    while (i < n && spamd_is_space(p[i]))
        i++;
    if (i < n && (p[i] == '+' || p[i] == '-'))
        sign = p[i++] == '-' ? -1 : 1;
    for (; i < n && spamd_is_digit(p[i]); i++)
        v = v * 10 + (p[i] - '0');
    if (i < n && p[i] == '.') {
        for (i++; i < n && spamd_is_digit(p[i]); i++) {
            if (scale < 1e18) {
                v = v * 10 + (p[i] - '0');
                scale *= 10;
            }
        }
    }
    return sign * v / scale;
}

static bool
spamd_is_scan(enum spamd_method m)
{
    return m != SPAMD_TELL && m != SPAMD_PING && m != SPAMD_SKIP;
}

/* Prepare the body and go to the state that reads it. */
static void
spamd_start_body(struct spamd_parser *sp)
{
    struct spamd_request *r = &sp->req;

    if (r->has_length) {
        if (r->content_length > sp->lim.max_size) {
            spamd_fail_too_big(sp); /* before reading it: the client may be blocked writing */
            return;
        }
        buf_reserve(&r->body, r->content_length); /* capped by max_size just above */
        sp->state = r->content_length > 0 ? SPAMD_PS_BODY : SPAMD_PS_DONE;
    } else {
        sp->state = SPAMD_PS_BODY_EOF;
    }
    buf_append(&r->body, "", 0); /* body.p is a valid, NUL-terminated string from now on */
}

/*
 * Spec 2.1 and 2.2: the method, the version, and what comes next. Anchored at
 * the start of the line, unlike spamd's regex: 2.1 allows it and no client
 * sends anything before the method.
 */
static void
spamd_request_line(struct spamd_parser *sp, const char *p, size_t n)
{
    static const char proto[] = " SPAMC/";
    struct spamd_request *r = &sp->req;
    size_t i;

    for (i = 0; i < SPAMD_NMETHODS; i++) {
        size_t ml = strlen(spamd_method_names[i]);
        if (n >= ml + sizeof(proto) - 1 && memcmp(p, spamd_method_names[i], ml) == 0 &&
            memcmp(p + ml, proto, sizeof(proto) - 1) == 0)
            break;
    }
    if (i == SPAMD_NMETHODS) {
        spamd_fail(sp, SPAMD_EX_PROTOCOL, "Bad header line: %.*s", spamd_fit(sp, n), p);
        return;
    }
    r->method = (enum spamd_method)i;
    i = strlen(spamd_method_names[i]) + sizeof(proto) - 1;
    r->version = spamd_perl_num(p + i, n - i);

    if (spamd_is_scan(r->method) && r->version <= 1.0)
        spamd_start_body(sp); /* SPAMC/1.0: the message follows the request line */
    else if ((r->method == SPAMD_PING || r->method == SPAMD_SKIP) && r->version < 1.5)
        sp->state = SPAMD_PS_DONE; /* PING and SKIP before 1.5: reply at once */
    else
        sp->state = SPAMD_PS_HEADERS;
}

static void
spamd_h_length(struct spamd_parser *sp, const char *v, size_t n)
{
    size_t len = 0;

    for (size_t i = 0; i < n; i++) {
        size_t d;

        if (!spamd_is_digit(v[i])) { /* /^\d*$/: empty is 0 */
            spamd_fail(sp, SPAMD_EX_PROTOCOL,
                       "Bad header line: (Content-Length contains non-numeric bytes)");
            return;
        }
        d = (size_t)(v[i] - '0');
        len = len > (SIZE_MAX - d) / 10 ? SIZE_MAX : len * 10 + d; /* saturate: too big anyway */
    }
    sp->req.has_length = true;
    sp->req.content_length = len;
}

static void
spamd_h_user(struct spamd_parser *sp, const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c == 0x7f) {
            spamd_fail(sp, SPAMD_EX_PROTOCOL,
                       "Bad header line: (User header contains control chars)");
            return;
        }
    }
    free(sp->req.user);
    sp->req.user = xstrndup(v, n);
}

static void
spamd_h_compress(struct spamd_parser *sp, const char *v, size_t n)
{
    if (!spamd_has_word(v, n, "zlib")) {
        spamd_fail(sp, SPAMD_EX_PROTOCOL, "Bad header line: (compression type not supported: %.*s)",
                   spamd_fit(sp, n), v);
        return;
    }
    sp->req.compress = true;
}

static void
spamd_h_class(struct spamd_parser *sp, const char *v, size_t n)
{
    free(sp->req.message_class);
    sp->req.message_class = xstrndup(v, n);
    sp->req.class_spam = n == 4 && memcmp(v, "spam", 4) == 0; /* anything else learns ham */
}

static unsigned
spamd_flags(const char *v, size_t n)
{
    return (spamd_has_word(v, n, "local") ? SPAMD_LOCAL : 0) |
           (spamd_has_word(v, n, "remote") ? SPAMD_REMOTE : 0);
}

static void
spamd_h_set(struct spamd_parser *sp, const char *v, size_t n)
{
    sp->req.set = spamd_flags(v, n);
}

static void
spamd_h_remove(struct spamd_parser *sp, const char *v, size_t n)
{
    sp->req.remove = spamd_flags(v, n);
}

/* Spec 2.3: the only names spamd knows, spelled exactly so; others are ignored. */
static const struct {
    const char *name;
    void (*fn)(struct spamd_parser *sp, const char *v, size_t n);
} spamd_headers[] = {
    { "Content-length", spamd_h_length },
    { "User", spamd_h_user },
    { "Compress", spamd_h_compress },
    { "Message-class", spamd_h_class },
    { "Set", spamd_h_set },
    { "Remove", spamd_h_remove },
};

/* The empty line: PING and SKIP are complete, the others check and read a body. */
static void
spamd_headers_end(struct spamd_parser *sp)
{
    if (sp->req.method == SPAMD_PING || sp->req.method == SPAMD_SKIP) {
        sp->state = SPAMD_PS_DONE;
        return;
    }
    if (sp->req.compress && !sp->req.has_length) {
        spamd_fail(sp, SPAMD_EX_UNAVAILABLE,
                   "Service Unavailable: Compress requires Content-length header");
        return;
    }
    spamd_start_body(sp);
}

static void
spamd_header_line(struct spamd_parser *sp, const char *p, size_t n)
{
    const char *colon, *v;
    size_t nl;

    if (n == 0) {
        spamd_headers_end(sp);
        return;
    }
    if (sp->nheaders >= SPAMD_MAX_HEADERS) {
        spamd_fail(sp, SPAMD_EX_PROTOCOL, "Bad header line: (too many headers)");
        return;
    }
    sp->nheaders++;
    colon = memchr(p, ':', n);
    if (colon == NULL) {
        spamd_fail(sp, SPAMD_EX_PROTOCOL, "Bad header line: (header not in 'Name: value' format)");
        return;
    }
    nl = (size_t)(colon - p);
    for (v = colon + 1; v < p + n && spamd_is_space(*v); v++)
        ; /* spamd splits at the first colon and the whitespace after it */
    for (size_t i = 0; i < sizeof(spamd_headers) / sizeof(spamd_headers[0]); i++) {
        if (strlen(spamd_headers[i].name) == nl && memcmp(spamd_headers[i].name, p, nl) == 0) {
            spamd_headers[i].fn(sp, v, (size_t)(p + n - v));
            return;
        }
    }
}

/*
 * One line of the request or header block. Returns the bytes consumed, 0
 * for a partial line (left to the caller until its LF arrives) or an error.
 * The limit counts the bytes before the LF, so a split changes nothing.
 */
static size_t
spamd_step_line(struct spamd_parser *sp, const char *p, size_t n)
{
    const char *nl = memchr(p, '\n', n);
    size_t len = nl != NULL ? (size_t)(nl - p) : n;

    if (len > sp->lim.line_max) {
        spamd_fail(sp, SPAMD_EX_PROTOCOL, "Bad header line: (%s line too long)",
                   sp->state == SPAMD_PS_REQUEST ? "request" : "header");
        return 0;
    }
    if (nl == NULL)
        return 0;
    if (len > 0 && p[len - 1] == '\r')
        len--;
    if (sp->state == SPAMD_PS_REQUEST)
        spamd_request_line(sp, p, len);
    else
        spamd_header_line(sp, p, len);
    return (size_t)(nl - p) + 1;
}

/* Exactly Content-length bytes; what follows is not ours. */
static size_t
spamd_step_body(struct spamd_parser *sp, const char *p, size_t n)
{
    struct spamd_request *r = &sp->req;
    size_t take = r->content_length - r->body.len;

    if (take > n)
        take = n;
    buf_append(&r->body, p, take);
    if (r->body.len == r->content_length)
        sp->state = SPAMD_PS_DONE;
    return take;
}

/* Everything until the client half-closes, within max_size. */
static size_t
spamd_step_body_eof(struct spamd_parser *sp, const char *p, size_t n)
{
    struct spamd_request *r = &sp->req;

    if (n > sp->lim.max_size - r->body.len) {
        spamd_fail_too_big(sp);
        return 0;
    }
    buf_append(&r->body, p, n);
    return n;
}

void
spamd_parser_init(struct spamd_parser *sp, const struct spamd_limits *lim)
{
    memset(sp, 0, sizeof(*sp));
    sp->lim = *lim;
    buf_init(&sp->req.body);
    sp->state = SPAMD_PS_REQUEST;
}

void
spamd_parser_clear(struct spamd_parser *sp)
{
    free(sp->req.user);
    sp->req.user = NULL;
    free(sp->req.message_class);
    sp->req.message_class = NULL;
    buf_clear(&sp->req.body);
}

enum proto_status
spamd_feed(struct spamd_parser *sp, const char *buf, size_t len, size_t *used)
{
    size_t off = 0, n = 1;

    *used = 0;
    if (sp->state == SPAMD_PS_DONE || sp->state == SPAMD_PS_ERROR)
        return spamd_status(sp);
    if (len > 0)
        sp->seen_bytes = true;
    while (n > 0 && off < len) {
        switch (sp->state) {
        case SPAMD_PS_REQUEST:
        case SPAMD_PS_HEADERS:
            n = spamd_step_line(sp, buf + off, len - off);
            break;
        case SPAMD_PS_BODY:
            n = spamd_step_body(sp, buf + off, len - off);
            break;
        case SPAMD_PS_BODY_EOF:
            n = spamd_step_body_eof(sp, buf + off, len - off);
            break;
        default:
            n = 0; /* DONE or ERROR: the rest is not ours */
            break;
        }
        off += n;
    }
    *used = off;
    return spamd_status(sp);
}

enum proto_status
spamd_eof(struct spamd_parser *sp)
{
    switch (sp->state) {
    case SPAMD_PS_REQUEST:
    case SPAMD_PS_HEADERS: /* a partial request line counts as headers */
        spamd_fail(sp, SPAMD_EX_PROTOCOL, "Bad header line: (%s)",
                   sp->seen_bytes ? "EOF during headers" : "closed before headers");
        break;
    case SPAMD_PS_BODY:
        spamd_fail(sp, SPAMD_EX_PROTOCOL,
                   "Bad header line: (Content-Length mismatch: Expected %zu bytes, got %zu bytes)",
                   sp->req.content_length, sp->req.body.len);
        break;
    case SPAMD_PS_BODY_EOF:
        sp->state = SPAMD_PS_DONE;
        break;
    default:
        break;
    }
    return spamd_status(sp);
}

int
spamd_overrun(const struct spamd_request *req, const char *rest, size_t n, char *text,
              size_t textlen)
{
    const struct buf *b = &req->body;
    const char *nl;
    size_t extra;

    if (!req->has_length || req->compress || n == 0 || b->len == 0 || b->p[b->len - 1] == '\n')
        return 0;
    nl = memchr(rest, '\n', n);
    extra = nl != NULL ? (size_t)(nl - rest) + 1 : n;
    snprintf(text, textlen,
             "Bad header line: (Content-Length mismatch: Expected %zu bytes, got %zu bytes)",
             req->content_length, req->content_length + extra);
    return -1;
}

void
spamd_render_error(struct buf *out, int code, const char *text)
{
    buf_printf(out, "SPAMD/1.0 %d %s\r\n", code, text);
}

void
spamd_render_pong(struct buf *out)
{
    buf_puts(out, "SPAMD/1.5 0 PONG\r\n");
}

const char *
spamd_method_name(enum spamd_method m)
{
    if ((size_t)m >= SPAMD_NMETHODS)
        return "UNKNOWN";
    return spamd_method_names[m];
}

/* HEADERS: s/(\015?\012\015?\012).*$/$1/s - up to the first empty line. */
static size_t
spamd_headers_len(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\n')
            continue;
        if (i + 1 < n && p[i + 1] == '\n')
            return i + 2;
        if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n')
            return i + 3;
    }
    return n;
}

void
spamd_render_result(struct buf *out, const struct spamd_request *req, const struct spamd_result *r)
{
    enum spamd_method m = req->method;
    double v = req->version;
    const char *flag =
        m == SPAMD_REPORT_IFSPAM ? (r->is_spam ? "Yes" : "No") : (r->is_spam ? "True" : "False");
    const char *body = r->body != NULL ? r->body : "";
    size_t blen = r->body != NULL ? r->body_len : 0;

    if (m == SPAMD_PROCESS || m == SPAMD_HEADERS) {
        if (m == SPAMD_HEADERS)
            blen = spamd_headers_len(body, blen);
        if (v >= 1.3)
            buf_printf(out,
                       "SPAMD/1.1 0 EX_OK\r\nContent-length: %zu\r\nSpam: %s ; %s / %s\r\n\r\n",
                       blen, flag, r->score, r->threshold);
        else if (v >= 1.2)
            buf_printf(out, "SPAMD/1.1 0 EX_OK\r\nContent-length: %zu\r\n\r\n", blen);
        else
            buf_puts(out, "SPAMD/1.0 0 EX_OK\r\n");
        buf_append(out, body, blen);
        return;
    }
    buf_puts(out, "SPAMD/1.1 0 EX_OK\r\n");
    if (m == SPAMD_CHECK) {
        buf_printf(out, "Spam: %s ; %s / %s\r\n\r\n", flag, r->score, r->threshold);
        return;
    }
    if (m == SPAMD_REPORT_IFSPAM && !r->is_spam)
        blen = 0;
    if (v >= 1.3) {
        buf_printf(out, "Content-length: %zu\r\nSpam: %s ; %s / %s\r\n\r\n", blen, flag, r->score,
                   r->threshold);
        buf_append(out, body, blen);
    } else {
        buf_printf(out, "Spam: %s ; %s / %s\r\n\r\n", flag, r->score, r->threshold);
        buf_append(out, body, blen);
        if (m == SPAMD_SYMBOLS)
            buf_puts(out, "\r\n");
    }
}

static void
spamd_render_flags(struct buf *out, const char *name, unsigned f)
{
    if (f == 0)
        return;
    buf_printf(out, "%s: %s%s%s\r\n", name, (f & SPAMD_LOCAL) ? "local" : "",
               (f & SPAMD_LOCAL) && (f & SPAMD_REMOTE) ? "," : "",
               (f & SPAMD_REMOTE) ? "remote" : "");
}

void
spamd_render_tell(struct buf *out, unsigned did_set, unsigned did_remove)
{
    buf_puts(out, "SPAMD/1.1 0 EX_OK\r\n");
    spamd_render_flags(out, "DidSet", did_set);
    spamd_render_flags(out, "DidRemove", did_remove);
    buf_puts(out, "\r\n\r\n");
}

int
spamd_inflate(struct spamd_request *req, size_t max, int *code, char *text, size_t textlen)
{
    z_stream zs;
    struct buf out;
    unsigned char chunk[65536];
    int zr;

    memset(&zs, 0, sizeof(zs));
    if (inflateInit(&zs) != Z_OK) {
        *code = SPAMD_EX_SOFTWARE;
        snprintf(text, textlen, "Internal software error: (zlib: cannot initialise)");
        return -1;
    }
    buf_init(&out);
    zs.next_in = (unsigned char *)req->body.p;
    zs.avail_in = (uInt)req->body.len;
    do {
        zs.next_out = chunk;
        zs.avail_out = sizeof(chunk);
        zr = inflate(&zs, Z_NO_FLUSH);
        if (zr != Z_OK && zr != Z_STREAM_END)
            break;
        buf_append(&out, chunk, sizeof(chunk) - zs.avail_out);
        if (out.len > max) {
            inflateEnd(&zs);
            buf_clear(&out);
            *code = SPAMD_EX_DATAERR;
            snprintf(text, textlen, "Data format error: (message larger than max_size: %zu bytes)",
                     max);
            return -1;
        }
    } while (zr != Z_STREAM_END && (zs.avail_in > 0 || zs.avail_out == 0));
    inflateEnd(&zs);
    if (zr != Z_STREAM_END) {
        buf_clear(&out);
        *code = SPAMD_EX_UNAVAILABLE;
        snprintf(text, textlen, "Service Unavailable: zlib: failed to find end of zlib stream");
        return -1;
    }
    buf_append(&out, "", 0); /* NUL-terminated, as the parser leaves bodies */
    buf_clear(&req->body);
    req->body = out;
    req->compress = false;
    return 0;
}
