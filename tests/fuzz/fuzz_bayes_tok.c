/*
 * fuzz_bayes_tok.c - libFuzzer target for the Bayes tokenizer: any bytes,
 * parsed as a message, must tokenize in learn and scan mode (every source
 * on, MIME part digests too), and any bytes as a line must tokenize in
 * each region, without a crash, a hang or a leak; each token must be
 * non-empty, NUL-terminated and under its key.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/cfg_keys.h"
#include "mime/mime_ctx.h"
#include "scan/task.h"
#include "stat/bayes_tok.h"

static struct mime_ctx ctx;
static struct mime_ctx_storage storage;
static struct arena *cfg_arena;
static struct bayes_tok *bt;

static void
fuzz_init(void)
{
    static const struct bayes_stopword sw[] = {
        { "^(?i)(?:a(?:ble|l(?:ready|l)|n[dy]|re)|the|you(?:'re|r)?)$", 0 },
    };
    static const char *const ignore[] = { "X-Ignore", "received" };
    struct cfg_ctx cc = { 0 };
    struct mime_cfg mc;
    struct bayes_tok_cfg tc;
    struct sift_err err;

    cfg_arena = arena_new(4096);
    cc.arena = cfg_arena;
    cc.dbdir = "/tmp";
    cc.confdir = "/tmp";
    if (cfg_fill(&cc, "mime", NULL, mime_cfg_keys, mime_cfg_nkeys, &mc, &err) == -1)
        abort();
    mc.public_suffix_list = "data/public_suffix_list.dat";
    mc.lim.max_parts = 200;
    mc.lim.max_multipart_parts = 50;
    mc.lim.max_depth = 8;
    mc.lim.max_headers = 200;
    if (mime_ctx_init(&ctx, &storage, &mc, &err) == -1) {
        fprintf(stderr, "fuzz_bayes_tok: %s (run from the repository root)\n", err.msg);
        abort();
    }
    bayes_tok_cfg_init(&tc);
    tc.sources |= BAYES_SRC_MIMEPART;
    tc.max_token_length = 9; /* reach the long-token rules often */
    tc.stopwords = sw;
    tc.nstopwords = 1;
    tc.ignore_headers = ignore;
    tc.nignore_headers = 2;
    if ((bt = bayes_tok_new(&tc, &err)) == NULL) {
        fprintf(stderr, "fuzz_bayes_tok: %s\n", err.msg);
        abort();
    }
}

static void
check_tokens(const struct bayes_tokens *toks)
{
    for (size_t i = 0; i < toks->n; i++) {
        uint8_t key[BAYES_KEY_LEN];

        if (toks->v[i].text.len == 0 || toks->v[i].text.p[toks->v[i].text.len] != '\0')
            abort();
        bayes_token_key(toks->v[i].text.p, toks->v[i].text.len, key);
        if (memcmp(key, toks->v[i].key, BAYES_KEY_LEN) != 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const prefixes[] = { "", "I*:", "HX-Fuzz:" };
    struct task *t;
    struct bayes_tokens toks;
    size_t sum = 0;

    if (bt == NULL)
        fuzz_init();
    t = task_new(&ctx, (const char *)data, size, true);
    bayes_tokenize(bt, task_message(t), 0, t->arena, &toks);
    check_tokens(&toks);
    sum += toks.n;
    bayes_tokenize(bt, task_message(t), BAYES_TOK_SCAN, t->arena, &toks);
    check_tokens(&toks);
    sum += toks.n;
    for (int r = BAYES_REGION_HEADER; r <= BAYES_REGION_URI; r++) {
        struct strv *out;
        size_t len = size < 4096 ? size : 4096;

        sum += bayes_tok_line(bt, t->arena, strv_make((const char *)data, len), prefixes[r],
                              (enum bayes_region)r, &out);
    }
    task_free(&t);
    return sum == (size_t)-1;
}
