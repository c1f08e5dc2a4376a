/*
 * json.c - a streaming JSON writer (see json.h).
 */
#include "core/json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char json_hex[] = "0123456789abcdef";

void
json_init(struct json *j, struct buf *out, bool bytes)
{
    memset(j, 0, sizeof(*j));
    j->out = out;
    j->bytes = bytes;
    j->first[0] = true;
}

/* A comma before every value but the first of its level (and not after a key). */
static void
json_sep(struct json *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (!j->first[j->depth])
        buf_putc(j->out, ',');
    j->first[j->depth] = false;
}

static void
json_open(struct json *j, char c)
{
    json_sep(j);
    buf_putc(j->out, c);
    if (j->depth < JSON_MAX_DEPTH)
        j->depth++;
    j->first[j->depth] = true;
}

static void
json_close(struct json *j, char c)
{
    if (j->depth > 0)
        j->depth--;
    buf_putc(j->out, c);
}

void
json_obj_begin(struct json *j)
{
    json_open(j, '{');
}

void
json_obj_end(struct json *j)
{
    json_close(j, '}');
}

void
json_arr_begin(struct json *j)
{
    json_open(j, '[');
}

void
json_arr_end(struct json *j)
{
    json_close(j, ']');
}

static void
json_u(struct buf *out, unsigned cp)
{
    char e[7] = { '\\',
                  'u',
                  json_hex[cp >> 12 & 15],
                  json_hex[cp >> 8 & 15],
                  json_hex[cp >> 4 & 15],
                  json_hex[cp & 15],
                  0 };

    buf_append(out, e, 6);
}

/* Length of a valid UTF-8 sequence at s, or 0. */
static size_t
json_utf8_len(const unsigned char *s, size_t n, unsigned *cp)
{
    size_t len;

    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2, *cp = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3, *cp = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4, *cp = s[0] & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        *cp = *cp << 6 | (s[i] & 0x3f);
    }
    if ((len == 3 && (*cp < 0x800 || (*cp >= 0xd800 && *cp <= 0xdfff))) ||
        (len == 4 && (*cp < 0x10000 || *cp > 0x10ffff)))
        return 0;
    return len;
}

void
json_escape(struct buf *out, struct strv s, bool bytes)
{
    buf_putc(out, '"');
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        unsigned cp;
        size_t len;

        switch (c) {
        case '"':
            buf_puts(out, "\\\"");
            continue;
        case '\\':
            buf_puts(out, "\\\\");
            continue;
        case '\n':
            buf_puts(out, "\\n");
            continue;
        case '\r':
            buf_puts(out, "\\r");
            continue;
        case '\t':
            buf_puts(out, "\\t");
            continue;
        case '\b':
            buf_puts(out, "\\b");
            continue;
        case '\f':
            buf_puts(out, "\\f");
            continue;
        }
        if (c < 0x20 || c == 0x7f) {
            json_u(out, c);
        } else if (c < 0x80) {
            buf_putc(out, (char)c);
        } else if (bytes) {
            json_u(out, c);
        } else if ((len = json_utf8_len((const unsigned char *)s.p + i, s.len - i, &cp)) > 0) {
            buf_append(out, s.p + i, len);
            i += len - 1;
        } else {
            json_u(out, 0xfffd);
        }
    }
    buf_putc(out, '"');
}

void
json_key(struct json *j, const char *key)
{
    json_sep(j);
    json_escape(j->out, strv_cstr(key), j->bytes);
    buf_putc(j->out, ':');
    j->after_key = true;
}

void
json_str(struct json *j, struct strv s)
{
    json_sep(j);
    json_escape(j->out, s, j->bytes);
}

void
json_cstr(struct json *j, const char *s)
{
    json_str(j, strv_cstr(s));
}

void
json_int(struct json *j, int64_t v)
{
    json_sep(j);
    buf_printf(j->out, "%" PRId64, v);
}

void
json_uint(struct json *j, uint64_t v)
{
    json_sep(j);
    buf_printf(j->out, "%" PRIu64, v);
}

void
json_double(struct json *j, double v)
{
    json_sep(j);
    if (!isfinite(v))
        buf_puts(j->out, "null");
    else if (v == (double)(int64_t)v && fabs(v) < 1e15)
        buf_printf(j->out, "%" PRId64, (int64_t)v);
    else
        buf_printf(j->out, "%.15g", v);
}

void
json_raw(struct json *j, const char *text)
{
    json_sep(j);
    buf_puts(j->out, text);
}

void
json_bool(struct json *j, bool v)
{
    json_sep(j);
    buf_puts(j->out, v ? "true" : "false");
}

void
json_null(struct json *j)
{
    json_sep(j);
    buf_puts(j->out, "null");
}
