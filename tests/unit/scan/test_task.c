/*
 * test_task.c - one message being scanned: its arena and raw text, the
 * parsed message (once, with a symbol for each parsing limit hit) and the
 * symbols found.
 */
#include "scan/task.h"

#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/cfg_keys.h"
#include "core/err.h"
#include "mime/mime_ctx.h"

#include "../unit.h"

/* the suffix list, relative to the repository root where `make check` runs */
#include "../mime_fixture.h"

static const char simple_msg[] = "From: a@example.com\nSubject: hi\n\nbody\n";

START_TEST(new_without_copy_keeps_the_callers_bytes)
{
    struct task *t = task_new(&ctx, simple_msg, sizeof(simple_msg) - 1, false);

    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(t->arena);
    ck_assert_ptr_eq(t->raw, simple_msg);
    ck_assert_uint_eq(t->len, sizeof(simple_msg) - 1);
    ck_assert_ptr_eq(t->mime, &ctx);
    ck_assert_ptr_null(t->msg);
    ck_assert_ptr_null(t->symbols);
    ck_assert_uint_eq(t->nsymbols, 0);
    task_free(&t);
    ck_assert_ptr_null(t);
}
END_TEST

START_TEST(new_with_copy_owns_its_bytes)
{
    char buf[sizeof(simple_msg)];
    struct task *t;
    struct mime_msg *m;
    const struct mime_header *f;

    memcpy(buf, simple_msg, sizeof(buf));
    t = task_new(&ctx, buf, sizeof(buf) - 1, true);
    ck_assert_ptr_ne(t->raw, buf);
    ck_assert_uint_eq(t->len, sizeof(buf) - 1);
    ck_assert_mem_eq(t->raw, simple_msg, t->len);
    memset(buf, 'X', sizeof(buf)); /* the caller's copy is gone */
    m = task_message(t);
    ck_assert_ptr_eq(m->raw.p, t->raw);
    f = mime_hdr_find(&m->root->hdrs, STRV_LIT("Subject"));
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(f->value.len, 2);
    ck_assert_mem_eq(f->value.p, "hi", 2);
    task_free(&t);
    ck_assert_ptr_null(t);
}
END_TEST

START_TEST(empty_message_is_a_task_too)
{
    struct task *t = task_new(&ctx, "", 0, true);
    struct mime_msg *m = task_message(t);

    ck_assert_ptr_nonnull(m);
    ck_assert_str_eq(m->root->type, "text/plain");
    ck_assert_uint_eq(t->nsymbols, 0);
    task_free(&t);
}
END_TEST

START_TEST(message_is_parsed_once)
{
    struct task *t = task_new(&ctx, simple_msg, sizeof(simple_msg) - 1, false);
    struct mime_msg *m = task_message(t);

    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_eq(t->msg, m);
    ck_assert_ptr_eq(m->arena, t->arena);
    ck_assert_ptr_eq(m->raw.p, simple_msg);
    ck_assert_ptr_eq(task_message(t), m);
    ck_assert_ptr_eq(task_message(t), m);
    ck_assert_uint_eq(t->nsymbols, 0); /* no limit hit */
    task_free(&t);
}
END_TEST

static void
build_multipart(struct buf *b, int nparts)
{
    buf_puts(b, "From: a\nContent-Type: multipart/mixed; boundary=XX\n\n");
    for (int i = 1; i <= nparts; i++)
        buf_printf(b, "--XX\nX-Part: %d\n\np%d\n", i, i);
    buf_puts(b, "--XX--\n");
}

/* Which limit is lowered, and the symbol it must add. */
enum limit { LIM_PARTS, LIM_MULTIPART, LIM_DEPTH, LIM_HEADERS };

static const struct {
    enum limit which;
    size_t value;
    const char *symbol;
} limit_cases[] = {
    { LIM_PARTS, 3, "MIME_PARTS_LIMIT" },
    { LIM_MULTIPART, 2, "MIME_PARTS_LIMIT" },
    { LIM_DEPTH, 0, "MIME_DEPTH_LIMIT" },
    { LIM_HEADERS, 1, "MIME_HEADERS_LIMIT" },
};

START_TEST(limit_hit_adds_its_symbol_once)
{
    static const char *const all[] = { "MIME_PARTS_LIMIT", "MIME_DEPTH_LIMIT",
                                       "MIME_HEADERS_LIMIT" };
    struct buf raw;
    struct task *t;
    const struct task_symbol *s;

    switch (limit_cases[_i].which) {
    case LIM_PARTS:
        ctx.lim.max_parts = limit_cases[_i].value;
        break;
    case LIM_MULTIPART:
        ctx.lim.max_multipart_parts = limit_cases[_i].value;
        break;
    case LIM_DEPTH:
        ctx.lim.max_depth = limit_cases[_i].value;
        break;
    case LIM_HEADERS:
        ctx.lim.max_headers = limit_cases[_i].value;
        break;
    }
    buf_init(&raw);
    build_multipart(&raw, 5);
    t = task_new(&ctx, raw.p, raw.len, true);
    buf_clear(&raw);
    task_message(t);
    task_message(t);
    ck_assert_uint_eq(t->nsymbols, 1);
    s = task_find_symbol(t, limit_cases[_i].symbol);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s->name, limit_cases[_i].symbol);
    ck_assert_ptr_null(s->option);
    for (size_t i = 0; i < NCASES(all); i++) {
        if (strcmp(all[i], limit_cases[_i].symbol) != 0)
            ck_assert_ptr_null(task_find_symbol(t, all[i]));
    }
    task_free(&t);
}
END_TEST

START_TEST(limits_not_hit_add_nothing)
{
    struct buf raw;
    struct task *t;

    ctx.lim.max_parts = 6; /* the root and 5 parts */
    ctx.lim.max_multipart_parts = 6;
    ctx.lim.max_depth = 1;
    ctx.lim.max_headers = 2;
    buf_init(&raw);
    build_multipart(&raw, 5);
    t = task_new(&ctx, raw.p, raw.len, true);
    buf_clear(&raw);
    ck_assert_uint_eq(task_message(t)->nparts, 6);
    ck_assert_uint_eq(t->nsymbols, 0);
    ck_assert_ptr_null(t->symbols);
    task_free(&t);
}
END_TEST

START_TEST(symbols_kept_in_order_and_copied)
{
    struct task *t = task_new(&ctx, simple_msg, sizeof(simple_msg) - 1, false);
    char name[32], option[32];
    const struct task_symbol *s;

    snprintf(name, sizeof(name), "FIRST_RULE");
    snprintf(option, sizeof(option), "detail one");
    task_add_symbol(t, name, 1.5, option);
    memset(name, 0, sizeof(name)); /* the task kept its own copies */
    memset(option, 0, sizeof(option));
    task_add_symbol(t, "SECOND_RULE", -0.25, NULL);
    task_add_symbol(t, "FIRST_RULE", 9, "again");
    ck_assert_uint_eq(t->nsymbols, 3);

    s = t->symbols;
    ck_assert_str_eq(s->name, "FIRST_RULE");
    ck_assert_double_eq(s->score, 1.5);
    ck_assert_str_eq(s->option, "detail one");
    s = s->next;
    ck_assert_str_eq(s->name, "SECOND_RULE");
    ck_assert_double_eq(s->score, -0.25);
    ck_assert_ptr_null(s->option);
    s = s->next;
    ck_assert_str_eq(s->name, "FIRST_RULE");
    ck_assert_ptr_null(s->next);
    ck_assert_ptr_eq(t->last_symbol, s);

    /* find: the first with that name, exact case */
    s = task_find_symbol(t, "FIRST_RULE");
    ck_assert_ptr_eq(s, t->symbols);
    ck_assert_ptr_eq(task_find_symbol(t, "SECOND_RULE"), t->symbols->next);
    ck_assert_ptr_null(task_find_symbol(t, "first_rule"));
    ck_assert_ptr_null(task_find_symbol(t, "THIRD_RULE"));
    ck_assert_ptr_null(task_find_symbol(t, ""));
    task_free(&t);
}
END_TEST

START_TEST(free_sets_null_and_accepts_null)
{
    struct task *t = task_new(&ctx, simple_msg, sizeof(simple_msg) - 1, true);

    task_message(t);
    task_add_symbol(t, "X", 1, "y");
    task_free(&t);
    ck_assert_ptr_null(t);
    task_free(&t); /* freeing NULL is fine */
    ck_assert_ptr_null(t);
}
END_TEST

START_TEST(many_tasks_leave_nothing_behind)
{
    /* under ASan's leak check, anything not in the arena would show */
    for (int i = 0; i < 50; i++) {
        struct task *t = task_new(&ctx, simple_msg, sizeof(simple_msg) - 1, i % 2 == 0);
        struct mime_msg *m = task_message(t);

        ck_assert_ptr_nonnull(m->root);
        task_add_symbol(t, "RULE", i, NULL);
        task_free(&t);
    }
}
END_TEST

static Suite *
task_suite(void)
{
    Suite *s = suite_create("task");
    TCase *tc = tcase_create("task");

    tcase_add_checked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_test(tc, new_without_copy_keeps_the_callers_bytes);
    tcase_add_test(tc, new_with_copy_owns_its_bytes);
    tcase_add_test(tc, empty_message_is_a_task_too);
    tcase_add_test(tc, message_is_parsed_once);
    tcase_add_loop_test(tc, limit_hit_adds_its_symbol_once, 0, NCASES(limit_cases));
    tcase_add_test(tc, limits_not_hit_add_nothing);
    tcase_add_test(tc, symbols_kept_in_order_and_copied);
    tcase_add_test(tc, free_sets_null_and_accepts_null);
    tcase_add_test(tc, many_tasks_leave_nothing_behind);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(task_suite());
}
