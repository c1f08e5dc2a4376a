/*
 * strv.h - a view of bytes owned by someone else (not NUL-terminated).
 */
#ifndef SIFT_CORE_STRV_H
#define SIFT_CORE_STRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct strv {
    const char *p;
    size_t len;
};

#define STRV_LIT(s) ((struct strv){ (s), sizeof(s) - 1 })

static inline struct strv
strv_make(const char *p, size_t len)
{
    return (struct strv){ p, len };
}

static inline struct strv
strv_cstr(const char *s)
{
    return (struct strv){ s, strlen(s) };
}

/* The value of a hex digit (either case), or -1. */
int strv_hexval(int c);
/* FNV-1a of the bytes: for hash tables, not for anything an attacker may
 * choose to collide unless the table copes (ours probe linearly and grow). */
uint64_t strv_hash(struct strv v);
/* Byte-exact comparison of two views. */
bool strv_equal(struct strv a, struct strv b);
/* Byte-exact comparison with a C string. */
bool strv_eq(struct strv v, const char *s);
/* ASCII case-insensitive comparison with a C string. */
bool strv_caseeq(struct strv v, const char *s);
/* ASCII case-insensitive: does v contain s? */
bool strv_casecontains(struct strv v, const char *s);
/* v without leading and trailing spaces and tabs. */
struct strv strv_trim(struct strv v);

#endif
