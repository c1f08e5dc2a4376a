/*
 * json_read.h - a strict JSON reader (RFC 8259): a whole text in, a tree
 * out, allocated from the caller's arena (json.h is the writer).
 *
 * Strict: one value with optional white space around it (space, tab, CR,
 * LF); no comments, trailing commas, single quotes, leading zeros, NaN,
 * byte-order mark or bare control characters; strings must be valid UTF-8
 * and a \u escape a valid code point (a surrogate only as a high/low pair).
 * A number is a double; one past its range is an error, one below it
 * becomes 0 or a subnormal. Nesting deeper than max_depth is an error, so
 * the recursion is bounded; every other size is bounded by the input.
 * Duplicate keys are kept, in input order; json_read_get finds the first.
 *
 * Ownership: every node, string and key lives in the arena given to
 * json_read_parse and stays valid until arena_free; the tree does not point
 * into the input, which may be freed at once. Strings are unescaped UTF-8
 * with a NUL after them that len does not count (a "\u0000" inside makes
 * the C string shorter than len). No I/O, no globals; numbers are read in
 * the C locale (nothing in sift calls setlocale).
 *
 * The getters take NULL and values of the wrong type and then give the
 * default, so look-ups chain: json_read_num(json_read_get(root, "score"), 0).
 */
#ifndef SIFT_CORE_JSON_READ_H
#define SIFT_CORE_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/strv.h"

#define JSON_READ_MAX_DEPTH 64 /* the default nesting limit (the writer's too) */

enum json_type {
    JSON_NULL,
    JSON_BOOL,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
};

struct json_member;

struct json_val {
    enum json_type type;
    size_t offset;               /* byte offset of the value in the input */
    bool b;                      /* JSON_BOOL */
    double num;                  /* JSON_NUMBER */
    struct strv str;             /* JSON_STRING: the text, unescaped; JSON_NUMBER: as written */
    size_t n;                    /* JSON_ARRAY: items; JSON_OBJECT: members */
    struct json_val *items;      /* JSON_ARRAY: n values */
    struct json_member *members; /* JSON_OBJECT: n members, in input order */
};

struct json_member {
    struct strv key; /* unescaped, NUL-terminated */
    struct json_val val;
};

/* Parse in[0..len) into a tree in arena a; *out is its root. At most
 * max_depth arrays and objects may nest (0 means JSON_READ_MAX_DEPTH):
 * "[[1]]" needs 2, a scalar 0. On -1, err says where and why:
 * "byte 17: expected ':' after an object key"; *out is left alone. */
int json_read_parse(struct arena *a, const char *in, size_t len, unsigned max_depth,
                    const struct json_val **out, struct sift_err *err);

/* The first member of object obj named key (byte-exact), or NULL. Linear. */
const struct json_val *json_read_get(const struct json_val *obj, const char *key);
/* Item i of array arr, or NULL. */
const struct json_val *json_read_at(const struct json_val *arr, size_t i);
/* Items of an array or members of an object; 0 for anything else. */
size_t json_read_len(const struct json_val *v);
/* Is v (not NULL) of type t? */
bool json_read_is(const struct json_val *v, enum json_type t);
/* The string as a C string, or dflt when v is not a string. */
const char *json_read_str(const struct json_val *v, const char *dflt);
/* The number, or dflt when v is not a number. */
double json_read_num(const struct json_val *v, double dflt);
/* The boolean, or dflt when v is not true or false. */
bool json_read_bool(const struct json_val *v, bool dflt);

/* Write v back as JSON: compact when indent is 0, else one member or item
 * a line, indented by indent spaces a level. Numbers keep the text they
 * were read from, strings are escaped as json_escape does in text mode.
 * May reallocate out (see buf.h). */
void json_read_render(const struct json_val *v, struct buf *out, unsigned indent);

#endif
