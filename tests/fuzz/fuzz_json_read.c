/*
 * fuzz_json_read.c - libFuzzer target for the strict JSON reader.
 * The first byte picks the depth limit (0: the default); the rest is the
 * document, in a buffer of its own size so a read past it is caught. A
 * document that parses must read back (compact and pretty) as JSON that
 * parses again to the same compact text, and the look-ups must agree with
 * the tree; one that fails must say at which byte, within the input.
 */
#include "core/json_read.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t fuzz_sink;

static void
fuzz_walk(const struct json_val *v)
{
    switch (v->type) {
    case JSON_STRING:
        if (v->str.p[v->str.len] != '\0')
            abort();
        fuzz_sink += v->str.len;
        break;
    case JSON_NUMBER:
        fuzz_sink += v->str.len + (json_read_num(v, 1) != json_read_num(v, 2));
        break;
    case JSON_ARRAY:
        for (size_t i = 0; i < v->n; i++) {
            if (json_read_at(v, i) != &v->items[i])
                abort();
            fuzz_walk(&v->items[i]);
        }
        if (json_read_at(v, v->n) != NULL)
            abort();
        break;
    case JSON_OBJECT:
        for (size_t i = 0; i < v->n; i++) {
            const struct json_val *got = json_read_get(v, v->members[i].key.p);
            /* the first member of that name (a key with a NUL in it stops there) */
            if (got == NULL && strlen(v->members[i].key.p) == v->members[i].key.len)
                abort();
            fuzz_walk(&v->members[i].val);
        }
        break;
    case JSON_NULL:
    case JSON_BOOL:
        break;
    }
}

static void
fuzz_reparse(struct arena *a, const struct buf *text, unsigned depth, const struct buf *want)
{
    const struct json_val *v = NULL;
    struct sift_err err;
    struct buf again;

    if (json_read_parse(a, text->p, text->len, depth, &v, &err) == -1)
        abort();
    buf_init(&again);
    json_read_render(v, &again, 0);
    if (again.len != want->len || memcmp(again.p, want->p, want->len) != 0)
        abort();
    buf_clear(&again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a;
    const struct json_val *v = NULL;
    struct sift_err err;
    struct buf compact, pretty;
    unsigned depth;
    char *in;

    if (size < 1)
        return 0;
    depth = data[0] % 80;
    in = malloc(size - 1 ? size - 1 : 1);
    memcpy(in, data + 1, size - 1);
    a = arena_new(4096);
    if (json_read_parse(a, in, size - 1, depth, &v, &err) == 0) {
        fuzz_walk(v);
        buf_init(&compact);
        buf_init(&pretty);
        json_read_render(v, &compact, 0);
        json_read_render(v, &pretty, 1 + data[0] % 4);
        fuzz_reparse(a, &compact, depth, &compact);
        fuzz_reparse(a, &pretty, depth, &compact);
        buf_clear(&compact);
        buf_clear(&pretty);
    } else if (v != NULL || strncmp(err.msg, "byte ", 5) != 0 ||
               strtoul(err.msg + 5, NULL, 10) > size - 1) {
        abort();
    }
    arena_free(&a);
    free(in);
    return 0;
}
