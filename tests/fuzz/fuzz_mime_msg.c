/*
 * fuzz_mime_msg.c - libFuzzer target for the whole message layer: any bytes
 * must parse into a tree, views, URIs, relays and header look-ups without a
 * crash, a hang or a leak, within the limits (set low here so the fuzzer
 * reaches them).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/arena.h"
#include "core/cfg_keys.h"
#include "mime/mime_attach.h"
#include "mime/mime_ctx.h"
#include "mime/mime_get.h"
#include "mime/mime_uris.h"
#include "mime/mime_views.h"
#include "scan/task.h"

static struct mime_ctx ctx;
static struct mime_ctx_storage storage;
static struct arena *cfg_arena;

static void
fuzz_init(void)
{
    struct cfg_ctx cc = { 0 };
    struct mime_cfg mc;
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
        fprintf(stderr, "fuzz_mime_msg: %s (run from the repository root)\n", err.msg);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const gets[] = { "ALL",
                                        "ALL:raw",
                                        "From:addr",
                                        "To:name",
                                        "ToCc",
                                        "MESSAGEID",
                                        "EnvelopeFrom",
                                        "ALL-UNTRUSTED",
                                        "Received:ip",
                                        "From:host",
                                        "Reply-To:domain",
                                        "Subject:raw",
                                        "Received:revip",
                                        "Message-Id:domain" };
    struct task *t;
    struct mime_msg *m;
    size_t sum = 0;

    if (cfg_arena == NULL)
        fuzz_init();
    t = task_new(&ctx, (const char *)data, size, true);
    m = task_message(t);
    sum += mime_view_body(m)->n + mime_view_rawbody(m)->n + mime_view_invisible(m)->n;
    sum += mime_msg_uris(m)->nlist + mime_msg_uris(m)->nemails + mime_msg_relays(m)->nrelays;
    sum += mime_msg_attachments(m)->n;
    {
        int64_t date;

        sum += mime_msg_date(m, &date) ? (size_t)date : 0;
    }
    for (size_t i = 0; i < sizeof(gets) / sizeof(gets[0]); i++) {
        bool found;

        sum += mime_get_scalar(m, gets[i], &found).len;
    }
    task_free(&t);
    return sum == (size_t)-1;
}
