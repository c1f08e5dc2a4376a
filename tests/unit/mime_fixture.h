/*
 * mime_fixture.h - what the message-layer tests share: the stock `mime`
 * settings and the parsing context built from them (ctx), set up once per
 * test case with tcase_add_unchecked_fixture(tc, ctx_setup, ctx_teardown).
 * Tests run from the repository root, where the suffix list is.
 * Include after unit.h.
 */
#ifndef SIFT_TESTS_MIME_FIXTURE_H
#define SIFT_TESTS_MIME_FIXTURE_H

#include "core/arena.h"
#include "core/cfg_keys.h"
#include "core/err.h"
#include "mime/mime_ctx.h"

#define TEST_PSL  "data/public_suffix_list.dat"
#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

static struct arena *cfg_arena;
static struct mime_cfg mc;
static struct mime_ctx ctx;
static struct mime_ctx_storage ctx_st;

static void
ctx_setup(void)
{
    struct cfg_ctx cc = { 0 };
    struct sift_err err;

    cfg_arena = arena_new(4096);
    cc.arena = cfg_arena;
    cc.dbdir = "/tmp";
    cc.confdir = "/tmp";
    ck_assert_int_eq(cfg_fill(&cc, "mime", NULL, mime_cfg_keys, mime_cfg_nkeys, &mc, &err), 0);
    mc.public_suffix_list = TEST_PSL;
    if (mime_ctx_init(&ctx, &ctx_st, &mc, &err) == -1)
        ck_abort_msg("mime_ctx_init: %s", err.msg);
}

static void
ctx_teardown(void)
{
    mime_ctx_clear(&ctx, &ctx_st);
    arena_free(&cfg_arena);
}

#endif
