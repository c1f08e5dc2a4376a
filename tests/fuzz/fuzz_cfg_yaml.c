/*
 * fuzz_cfg_yaml.c - libFuzzer target for the configuration YAML reader:
 * any bytes must give a tree or a positioned error, never a crash, a hang
 * or a leak; a tree that parses must survive dump -> parse unchanged, and
 * every key of the result must read through the typed-key layer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/bind_spec.h"
#include "core/buf.h"
#include "core/cfg_keys.h"
#include "core/cfg_tree.h"
#include "core/cfg_yaml.h"

struct fuzz_sample {
    size_t size;
    double time;
    struct cfg_strlist list;
    bool flag;
};

static const struct cfg_key fuzz_keys[] = {
    { "size", CFG_T_SIZE, "1k", offsetof(struct fuzz_sample, size), "", NULL },
    { "time", CFG_T_TIME, "1s", offsetof(struct fuzz_sample, time), "", NULL },
    { "list", CFG_T_LIST, NULL, offsetof(struct fuzz_sample, list), "", NULL },
    { "flag", CFG_T_BOOL, "no", offsetof(struct fuzz_sample, flag), "", NULL },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new(4096);
    struct cfg_ctx ctx = { .arena = a, .dbdir = "/db", .confdir = "/conf" };
    struct cfg_node *root, *again;
    struct sift_err err;
    struct buf out;
    struct fuzz_sample s;

    if (cfg_yaml_parse(a, "fuzz.yaml", (const char *)data, size, &root, &err) == 0) {
        buf_init(&out);
        cfg_yaml_dump(root, &out);
        if (cfg_yaml_parse(a, "dump.yaml", out.p, out.len, &again, &err) != 0) {
            fprintf(stderr, "dump does not parse: %s\n%s\n", err.msg, out.p);
            abort();
        }
        if (!cfg_node_equal(root, again)) {
            fprintf(stderr, "dump changed the tree:\n%s\n", out.p);
            abort();
        }
        buf_clear(&out);
        (void)cfg_fill(&ctx, "fuzz", root, fuzz_keys, sizeof(fuzz_keys) / sizeof(fuzz_keys[0]), &s,
                       &err);
        for (size_t i = 0; root->kind == CFG_MAP && i < 1; i++) {
            const struct cfg_node *b = cfg_map_get(root, "bind");
            struct bind_spec spec;

            if (b != NULL && b->kind == CFG_SCALAR)
                (void)bind_spec_parse(a, b->str, &spec, &err);
        }
    }
    arena_free(&a);
    return 0;
}
