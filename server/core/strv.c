/*
 * strv.c - byte views (see strv.h).
 */
#include "core/strv.h"

#include <strings.h>

int
strv_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

uint64_t
strv_hash(struct strv v)
{
    uint64_t h = 1469598103934665603ull;

    for (size_t i = 0; i < v.len; i++)
        h = (h ^ (unsigned char)v.p[i]) * 1099511628211ull;
    return h;
}

bool
strv_equal(struct strv a, struct strv b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

bool
strv_eq(struct strv v, const char *s)
{
    size_t n = strlen(s);

    return v.len == n && (n == 0 || memcmp(v.p, s, n) == 0);
}

bool
strv_caseeq(struct strv v, const char *s)
{
    size_t n = strlen(s);

    return v.len == n && (n == 0 || strncasecmp(v.p, s, n) == 0);
}

bool
strv_casecontains(struct strv v, const char *s)
{
    size_t n = strlen(s);

    if (n == 0)
        return true;
    for (size_t i = 0; i + n <= v.len; i++) {
        if (strncasecmp(v.p + i, s, n) == 0)
            return true;
    }
    return false;
}

struct strv
strv_trim(struct strv v)
{
    while (v.len > 0 && (v.p[0] == ' ' || v.p[0] == '\t')) {
        v.p++;
        v.len--;
    }
    while (v.len > 0 && (v.p[v.len - 1] == ' ' || v.p[v.len - 1] == '\t'))
        v.len--;
    return v;
}
