/*
 * json.h - writing JSON into a struct buf: a small streaming writer that
 * places the commas, and string escaping in two modes: UTF-8 text (invalid
 * bytes become U+FFFD escapes) or raw bytes (every byte >= 0x80 written as
 * \u00XX, as Perl's JSON::PP->ascii does for byte strings, so that byte
 * views can be compared exactly).
 * Appending may reallocate the buffer (see buf.h).
 */
#ifndef SIFT_CORE_JSON_H
#define SIFT_CORE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/strv.h"

#define JSON_MAX_DEPTH 64

struct json {
    struct buf *out;
    bool bytes; /* byte strings: \u00XX for each byte >= 0x80 */
    unsigned depth;
    bool first[JSON_MAX_DEPTH + 1]; /* nothing written yet at this level */
    bool after_key;
};

void json_init(struct json *j, struct buf *out, bool bytes);
void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, struct strv s);
void json_cstr(struct json *j, const char *s);
void json_int(struct json *j, int64_t v);
void json_uint(struct json *j, uint64_t v);
/* %.*g-style number; NaN and infinities are written as null. */
void json_double(struct json *j, double v);
void json_bool(struct json *j, bool v);
/* A value already written as JSON text (a number in a given format). */
void json_raw(struct json *j, const char *text);
void json_null(struct json *j);

/* A string value on its own (with quotes), escaped as mode `bytes` says. */
void json_escape(struct buf *out, struct strv s, bool bytes);

#endif
