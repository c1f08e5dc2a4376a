/*
 * json_read.c - strict JSON reader (RFC 8259) into an arena tree (see
 * json_read.h). Recursive descent, one value per call, depth-limited.
 * Children of the arrays and objects being read wait on one scratch stack
 * (malloc'd, freed before returning); when a container closes, its
 * children are copied into an arena array of the exact size and popped,
 * so nothing is reallocated inside the arena and lookups by index are O(1).
 */
#include "core/json_read.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/xmalloc.h"

struct jr {
    struct arena *a;
    const char *p;
    size_t len;
    size_t pos;
    unsigned max_depth;
    struct sift_err *err;
    struct json_member *stack; /* children of the open containers */
    size_t sn, scap;
    struct buf sb; /* a string being unescaped */
};

static int jr_value(struct jr *r, struct json_val *v, unsigned depth);

static int __attribute__((format(printf, 3, 4)))
jr_fail(struct jr *r, size_t off, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sift_err_set(r->err, "byte %zu: %s", off, msg);
    return -1;
}

/* "'x'" for a printable byte, else "byte 0xNN", for messages. */
static const char *
jr_show(int c, char *tmp, size_t n)
{
    if (c >= 0x21 && c < 0x7f)
        snprintf(tmp, n, "'%c'", c);
    else
        snprintf(tmp, n, "byte 0x%02x", (unsigned)c & 0xff);
    return tmp;
}

static void
jr_ws(struct jr *r)
{
    while (r->pos < r->len && (r->p[r->pos] == ' ' || r->p[r->pos] == '\t' ||
                               r->p[r->pos] == '\n' || r->p[r->pos] == '\r'))
        r->pos++;
}

static void
jr_push(struct jr *r, struct strv key, const struct json_val *v)
{
    if (r->sn == r->scap) {
        r->scap = r->scap ? r->scap * 2 : 16;
        r->stack = xreallocarray(r->stack, r->scap, sizeof(*r->stack));
    }
    r->stack[r->sn].key = key;
    r->stack[r->sn].val = *v;
    r->sn++;
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlong forms,
 * no surrogates, nothing past U+10FFFF), or 0. */
static size_t
jr_utf8_len(const unsigned char *s, size_t n)
{
    unsigned char lo = 0x80, hi = 0xbf;
    size_t need;

    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        need = 1;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        need = 2;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        need = 3;
    else
        return 0;
    if (s[0] == 0xe0)
        lo = 0xa0;
    else if (s[0] == 0xed)
        hi = 0x9f;
    else if (s[0] == 0xf0)
        lo = 0x90;
    else if (s[0] == 0xf4)
        hi = 0x8f;
    if (n < need + 1 || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i <= need; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return need + 1;
}

static void
jr_put_utf8(struct buf *b, uint32_t cp)
{
    char u[4];

    if (cp < 0x80) {
        buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3f));
        buf_append(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | cp >> 12);
        u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        buf_append(b, u, 3);
    } else {
        u[0] = (char)(0xf0 | cp >> 18);
        u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
        u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        buf_append(b, u, 4);
    }
}

/* The 4 hex digits of a \u escape at r->pos ("XXXX"), or -1. */
static long
jr_hex4(struct jr *r)
{
    long v = 0;

    if (r->len - r->pos < 4)
        return -1;
    for (size_t i = 0; i < 4; i++) {
        int d = strv_hexval((unsigned char)r->p[r->pos + i]);
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    r->pos += 4;
    return v;
}

/* A \uXXXX escape (r->pos after the 'u'), a surrogate pair as one. */
static int
jr_unicode(struct jr *r, size_t esc)
{
    long hi = jr_hex4(r), lo;

    if (hi < 0)
        return jr_fail(r, esc, "\\u needs 4 hex digits");
    if (hi >= 0xdc00 && hi <= 0xdfff)
        return jr_fail(r, esc, "lone low surrogate \\u%04lx", hi);
    if (hi >= 0xd800 && hi <= 0xdbff) {
        if (r->len - r->pos < 2 || r->p[r->pos] != '\\' || r->p[r->pos + 1] != 'u')
            return jr_fail(r, esc, "high surrogate \\u%04lx without its low half", hi);
        r->pos += 2;
        lo = jr_hex4(r);
        if (lo < 0xdc00 || lo > 0xdfff)
            return jr_fail(r, esc, "high surrogate \\u%04lx without its low half", hi);
        hi = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
    }
    jr_put_utf8(&r->sb, (uint32_t)hi);
    return 0;
}

static int
jr_escape(struct jr *r)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    size_t esc = r->pos;
    const char *hit;
    char tmp[16];

    r->pos++; /* the backslash */
    if (r->pos >= r->len)
        return jr_fail(r, esc, "unterminated string");
    if (r->p[r->pos] == 'u') {
        r->pos++;
        return jr_unicode(r, esc);
    }
    hit = r->p[r->pos] != '\0' ? strchr(from, r->p[r->pos]) : NULL;
    if (hit == NULL)
        return jr_fail(r, esc, "bad escape \\%s",
                       jr_show((unsigned char)r->p[r->pos], tmp, sizeof(tmp)));
    buf_putc(&r->sb, to[hit - from]);
    r->pos++;
    return 0;
}

/* A string at r->pos (its opening quote), unescaped into the arena. */
static int
jr_string(struct jr *r, struct strv *out)
{
    size_t start = r->pos;

    r->pos++;
    buf_reset(&r->sb);
    for (;;) {
        size_t run = r->pos, n;
        unsigned char c;

        while (run < r->len && (unsigned char)r->p[run] >= 0x20 &&
               (unsigned char)r->p[run] < 0x80 && r->p[run] != '"' && r->p[run] != '\\')
            run++;
        buf_append(&r->sb, r->p + r->pos, run - r->pos);
        r->pos = run;
        if (r->pos >= r->len)
            return jr_fail(r, start, "unterminated string");
        c = (unsigned char)r->p[r->pos];
        if (c == '"')
            break;
        if (c == '\\') {
            if (jr_escape(r) == -1)
                return -1;
        } else if (c < 0x20) {
            return jr_fail(r, r->pos, "control character 0x%02x in a string", c);
        } else {
            n = jr_utf8_len((const unsigned char *)r->p + r->pos, r->len - r->pos);
            if (n == 0)
                return jr_fail(r, r->pos, "invalid UTF-8 in a string");
            buf_append(&r->sb, r->p + r->pos, n);
            r->pos += n;
        }
    }
    r->pos++; /* the closing quote */
    out->p = arena_strndup(r->a, r->sb.len ? r->sb.p : "", r->sb.len);
    out->len = r->sb.len;
    return 0;
}

static size_t
jr_digits(struct jr *r)
{
    size_t start = r->pos;

    while (r->pos < r->len && r->p[r->pos] >= '0' && r->p[r->pos] <= '9')
        r->pos++;
    return r->pos - start;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
jr_number(struct jr *r, struct json_val *v)
{
    size_t start = r->pos;
    char *text;

    if (r->p[r->pos] == '-')
        r->pos++;
    if (r->pos < r->len && r->p[r->pos] == '0') {
        r->pos++;
        if (r->pos < r->len && r->p[r->pos] >= '0' && r->p[r->pos] <= '9')
            return jr_fail(r, start, "leading zero in a number");
    } else if (jr_digits(r) == 0) {
        return jr_fail(r, start, "bad number: a digit must follow '-'");
    }
    if (r->pos < r->len && r->p[r->pos] == '.') {
        r->pos++;
        if (jr_digits(r) == 0)
            return jr_fail(r, start, "bad number: a digit must follow '.'");
    }
    if (r->pos < r->len && (r->p[r->pos] == 'e' || r->p[r->pos] == 'E')) {
        r->pos++;
        if (r->pos < r->len && (r->p[r->pos] == '+' || r->p[r->pos] == '-'))
            r->pos++;
        if (jr_digits(r) == 0)
            return jr_fail(r, start, "bad number: the exponent has no digits");
    }
    text = arena_strndup(r->a, r->p + start, r->pos - start);
    v->type = JSON_NUMBER;
    v->str = strv_make(text, r->pos - start);
    v->num = strtod(text, NULL);
    if (isinf(v->num))
        return jr_fail(r, start, "number out of range");
    return 0;
}

static int
jr_literal(struct jr *r, struct json_val *v)
{
    static const struct {
        const char *word;
        enum json_type type;
        bool b;
    } words[] = {
        { "true", JSON_BOOL, true },
        { "false", JSON_BOOL, false },
        { "null", JSON_NULL, false },
    };

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        size_t n = strlen(words[i].word);
        if (r->len - r->pos >= n && memcmp(r->p + r->pos, words[i].word, n) == 0) {
            v->type = words[i].type;
            v->b = words[i].b;
            r->pos += n;
            return 0;
        }
    }
    return -1;
}

/* Move the children from stack[base..] into v's arena array; pop them. */
static void
jr_close(struct jr *r, struct json_val *v, size_t base)
{
    v->n = r->sn - base;
    if (v->type == JSON_ARRAY) {
        v->items = v->n ? arena_calloc(r->a, v->n, sizeof(*v->items)) : NULL;
        for (size_t i = 0; i < v->n; i++)
            v->items[i] = r->stack[base + i].val;
    } else {
        v->members = v->n ? arena_calloc(r->a, v->n, sizeof(*v->members)) : NULL;
        if (v->n)
            memcpy(v->members, r->stack + base, v->n * sizeof(*v->members));
    }
    r->sn = base;
}

/* After a member or item: ',' (1), the closing byte (0), or an error. */
static int
jr_next(struct jr *r, char close, const char *what)
{
    char tmp[16];

    jr_ws(r);
    if (r->pos >= r->len)
        return jr_fail(r, r->pos, "unexpected end of input in %s", what);
    if (r->p[r->pos] == close || r->p[r->pos] == ',')
        return r->p[r->pos++] == ',' ? 1 : 0;
    return jr_fail(r, r->pos, "expected ',' or '%c' in %s, not %s", close, what,
                   jr_show((unsigned char)r->p[r->pos], tmp, sizeof(tmp)));
}

static int
jr_array(struct jr *r, struct json_val *v, unsigned depth)
{
    size_t base = r->sn;
    int more;

    v->type = JSON_ARRAY;
    r->pos++;
    jr_ws(r);
    if (r->pos < r->len && r->p[r->pos] == ']') {
        r->pos++;
        jr_close(r, v, base);
        return 0;
    }
    do {
        struct json_val item = { 0 };

        if (jr_value(r, &item, depth) == -1)
            return -1;
        jr_push(r, strv_make(NULL, 0), &item);
        if ((more = jr_next(r, ']', "an array")) == -1)
            return -1;
    } while (more);
    jr_close(r, v, base);
    return 0;
}

static int
jr_object(struct jr *r, struct json_val *v, unsigned depth)
{
    size_t base = r->sn;
    char tmp[16];
    int more;

    v->type = JSON_OBJECT;
    r->pos++;
    jr_ws(r);
    if (r->pos < r->len && r->p[r->pos] == '}') {
        r->pos++;
        jr_close(r, v, base);
        return 0;
    }
    do {
        struct json_val val = { 0 };
        struct strv key;

        jr_ws(r);
        if (r->pos >= r->len)
            return jr_fail(r, r->pos, "unexpected end of input in an object");
        if (r->p[r->pos] != '"')
            return jr_fail(r, r->pos, "expected a key (a string) in an object, not %s",
                           jr_show((unsigned char)r->p[r->pos], tmp, sizeof(tmp)));
        if (jr_string(r, &key) == -1)
            return -1;
        jr_ws(r);
        if (r->pos >= r->len || r->p[r->pos] != ':')
            return jr_fail(r, r->pos, "expected ':' after an object key");
        r->pos++;
        if (jr_value(r, &val, depth) == -1)
            return -1;
        jr_push(r, key, &val);
        if ((more = jr_next(r, '}', "an object")) == -1)
            return -1;
    } while (more);
    jr_close(r, v, base);
    return 0;
}

/* One value at r->pos (after white space); depth: containers open around it. */
static int
jr_value(struct jr *r, struct json_val *v, unsigned depth)
{
    char tmp[16];
    char c;

    jr_ws(r);
    if (r->pos >= r->len)
        return jr_fail(r, r->pos, "unexpected end of input, expected a value");
    v->offset = r->pos;
    c = r->p[r->pos];
    if (c == '{' || c == '[') {
        if (depth >= r->max_depth)
            return jr_fail(r, r->pos, "nested deeper than %u", r->max_depth);
        return c == '{' ? jr_object(r, v, depth + 1) : jr_array(r, v, depth + 1);
    }
    if (c == '"') {
        v->type = JSON_STRING;
        return jr_string(r, &v->str);
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return jr_number(r, v);
    if (jr_literal(r, v) == 0)
        return 0;
    return jr_fail(r, r->pos, "unexpected %s, expected a value",
                   jr_show((unsigned char)c, tmp, sizeof(tmp)));
}

int
json_read_parse(struct arena *a, const char *in, size_t len, unsigned max_depth,
                const struct json_val **out, struct sift_err *err)
{
    struct jr r = { .a = a,
                    .p = in,
                    .len = len,
                    .max_depth = max_depth ? max_depth : JSON_READ_MAX_DEPTH,
                    .err = err };
    struct json_val *root = arena_calloc(a, 1, sizeof(*root));
    int rc;

    buf_init(&r.sb);
    rc = jr_value(&r, root, 0);
    if (rc == 0) {
        jr_ws(&r);
        if (r.pos < r.len)
            rc = jr_fail(&r, r.pos, "unexpected data after the value");
    }
    free(r.stack);
    buf_clear(&r.sb);
    if (rc == 0)
        *out = root;
    return rc;
}

const struct json_val *
json_read_get(const struct json_val *obj, const char *key)
{
    if (obj == NULL || obj->type != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (strv_eq(obj->members[i].key, key))
            return &obj->members[i].val;
    return NULL;
}

const struct json_val *
json_read_at(const struct json_val *arr, size_t i)
{
    if (arr == NULL || arr->type != JSON_ARRAY || i >= arr->n)
        return NULL;
    return &arr->items[i];
}

size_t
json_read_len(const struct json_val *v)
{
    return v != NULL && (v->type == JSON_ARRAY || v->type == JSON_OBJECT) ? v->n : 0;
}

bool
json_read_is(const struct json_val *v, enum json_type t)
{
    return v != NULL && v->type == t;
}

const char *
json_read_str(const struct json_val *v, const char *dflt)
{
    return json_read_is(v, JSON_STRING) ? v->str.p : dflt;
}

double
json_read_num(const struct json_val *v, double dflt)
{
    return json_read_is(v, JSON_NUMBER) ? v->num : dflt;
}

bool
json_read_bool(const struct json_val *v, bool dflt)
{
    return json_read_is(v, JSON_BOOL) ? v->b : dflt;
}

static void
jr_newline(struct buf *out, unsigned indent, unsigned level)
{
    if (indent == 0)
        return;
    buf_putc(out, '\n');
    for (size_t i = 0; i < (size_t)indent * level; i++)
        buf_putc(out, ' ');
}

static void
jr_render(const struct json_val *v, struct buf *out, unsigned indent, unsigned level)
{
    bool obj = v->type == JSON_OBJECT;

    switch (v->type) {
    case JSON_NULL:
        buf_puts(out, "null");
        return;
    case JSON_BOOL:
        buf_puts(out, v->b ? "true" : "false");
        return;
    case JSON_NUMBER:
        buf_append(out, v->str.p, v->str.len);
        return;
    case JSON_STRING:
        json_escape(out, v->str, false);
        return;
    case JSON_ARRAY:
    case JSON_OBJECT:
        break;
    }
    buf_putc(out, obj ? '{' : '[');
    for (size_t i = 0; i < v->n; i++) {
        if (i > 0)
            buf_putc(out, ',');
        jr_newline(out, indent, level + 1);
        if (obj) {
            json_escape(out, v->members[i].key, false);
            buf_puts(out, indent ? ": " : ":");
        }
        jr_render(obj ? &v->members[i].val : &v->items[i], out, indent, level + 1);
    }
    if (v->n > 0)
        jr_newline(out, indent, level);
    buf_putc(out, obj ? '}' : ']');
}

void
json_read_render(const struct json_val *v, struct buf *out, unsigned indent)
{
    jr_render(v, out, indent, 0);
}
