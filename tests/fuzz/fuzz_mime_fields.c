/*
 * fuzz_mime_fields.c - libFuzzer target for the header-field parsers that
 * take any text: dates (mime_date_parse) and MIME parameters with RFC 2231
 * pieces (mime_param_get). The first byte picks the parameter name asked
 * for; no input may crash, hang or read out of bounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/arena.h"
#include "mime/mime_attach.h"
#include "mime/mime_charset.h"
#include "mime/mime_date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mime_charset *cs;
    static const char *const names[] = { "filename", "name", "charset", "boundary" };
    struct arena *a;
    struct strv in, out;
    int64_t t;
    size_t sum = 0;

    if (size == 0)
        return 0;
    if (cs == NULL)
        cs = mime_charset_new();
    in = strv_make((const char *)data + 1, size - 1);
    if (mime_date_parse(in, &t))
        sum += (size_t)t;
    a = arena_new(1024);
    if (mime_param_get(a, cs, in, names[data[0] % 4], &out))
        sum += out.len;
    arena_free(&a);
    return sum == (size_t)-1;
}
