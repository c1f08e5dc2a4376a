/*
 * test_migrate_tree.c - the values a migration sets, split into the layers
 * siftd reads: local.d/ for what merges, override.d/ for a list that must
 * replace a stock one, lists equal to the stock ones left out, and YAML
 * that quotes what needs quoting.
 */
#include "migrate/migrate.h"

#include <string.h>

#include "../unit.h"

struct fixture {
    struct mig m;
};

static void
fx_open(struct fixture *f)
{
    struct sift_err err;

    memset(f, 0, sizeof(*f));
    f->m.a = arena_new(64 * 1024);
    f->m.o.out = "/nonexistent/out"; /* the stock main file, compiled in */
    f->m.sa_dir = "/etc/spamassassin";
    ck_assert_int_eq(mig_stock_load(&f->m, &err), 0);
}

static void
fx_close(struct fixture *f)
{
    for (size_t i = 0; i < f->m.nfiles; i++)
        buf_clear(&f->m.files[i].text);
    free(f->m.files);
    free(f->m.items);
    free(f->m.errors);
    arena_free(&f->m.a);
}

static void
fx_set(struct fixture *f, const char *key, const char *value)
{
    struct sift_err err;

    ck_assert_msg(mig_set(&f->m, key, value, &err) == 0, "%s", err.msg);
}

/* The body of a file written (after its header), or NULL. */
static const char *
fx_body(const struct fixture *f, const char *rel)
{
    for (size_t i = 0; i < f->m.nfiles; i++) {
        const char *p = f->m.files[i].text.p;

        if (strcmp(f->m.files[i].rel, rel) != 0)
            continue;
        while (*p == '#')
            p = strchr(p, '\n') + 1;
        return p;
    }
    return NULL;
}

START_TEST(lists_replacing_stock_ones_go_to_override_d)
{
    struct fixture f;
    struct sift_err err;

    fx_open(&f);
    fx_set(&f, "workers.spamd.bind_socket", "[\"127.0.0.1:7830\", \"[::1]:7830\"]");
    fx_set(&f, "workers.spamd.allowed_ips", "[\"10.0.0.0/8\"]");
    fx_set(&f, "workers.normal.count", "1");
    fx_set(&f, "mime.trusted_networks", "[\"192.0.2.0/24\"]");
    fx_set(&f, "actions.reject", "~");
    ck_assert_int_eq(mig_tree_files(&f.m, &err), 0);
    /* spamd's whole entry: the stock keys with the migrated ones over them */
    ck_assert_str_eq(fx_body(&f, "override.d/workers.yaml"),
                     "spamd:\n  bind_socket: [\"127.0.0.1:7830\", \"[::1]:7830\"]\n"
                     "  count: auto\n  allowed_ips: [\"10.0.0.0/8\"]\n");
    ck_assert_str_eq(fx_body(&f, "local.d/workers.yaml"), "normal:\n  count: 1\n");
    ck_assert_str_eq(fx_body(&f, "local.d/mime.yaml"), "trusted_networks: [\"192.0.2.0/24\"]\n");
    ck_assert_str_eq(fx_body(&f, "local.d/actions.yaml"), "reject: ~\n");
    ck_assert_ptr_null(fx_body(&f, "override.d/mime.yaml"));
    ck_assert(strncmp(f.m.files[0].text.p, MIG_MARK, strlen(MIG_MARK)) == 0);
    fx_close(&f);
}
END_TEST

START_TEST(lists_equal_to_the_stock_ones_are_left_out)
{
    struct fixture f;
    struct sift_err err;

    fx_open(&f);
    fx_set(&f, "workers.spamd.bind_socket", "[\"127.0.0.1:783\"]");
    fx_set(&f, "workers.spamd.count", "5");
    fx_set(&f, "workers.controller.bind_socket", "[\"127.0.0.1:11334\"]");
    ck_assert_int_eq(mig_tree_files(&f.m, &err), 0);
    ck_assert_str_eq(fx_body(&f, "local.d/workers.yaml"), "spamd:\n  count: 5\n");
    ck_assert_ptr_null(fx_body(&f, "override.d/workers.yaml"));
    fx_close(&f);
}
END_TEST

static const struct {
    const char *value, *yaml;
} quote_cases[] = {
    { "yes", "k: yes\n" },
    { "30s", "k: 30s\n" },
    { "$DBDIR/bayes/bayes", "k: $DBDIR/bayes/bayes\n" },
    { "\"*:783\"", "k: \"*:783\"\n" },
    { "\"/run/s.sock mode=0660\"", "k: \"/run/s.sock mode=0660\"\n" },
    { "\"a \\\"b\\\" c\"", "k: \"a \\\"b\\\" c\"\n" },
    { "\"null\"", "k: \"null\"\n" },
    { "\"\"", "k: \"\"\n" },
    { "[a, \"b:c\", \"-d\"]", "k: [a, \"b:c\", \"-d\"]\n" },
};

START_TEST(values_read_back_as_written)
{
    struct fixture f;
    struct sift_err err;

    fx_open(&f);
    fx_set(&f, "options.k", quote_cases[_i].value);
    ck_assert_msg(mig_tree_files(&f.m, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(fx_body(&f, "local.d/options.yaml"), quote_cases[_i].yaml);
    fx_close(&f);
}
END_TEST

START_TEST(a_section_must_be_a_map)
{
    struct fixture f;
    struct sift_err err;

    fx_open(&f);
    fx_set(&f, "options", "5");
    ck_assert_int_eq(mig_tree_files(&f.m, &err), -1);
    ck_assert_str_eq(err.msg, "options: a section is a map of keys");
    fx_close(&f);
}
END_TEST

static Suite *
migrate_tree_suite(void)
{
    Suite *s = suite_create("migrate_tree");
    TCase *tc = tcase_create("tree");

    tcase_add_test(tc, lists_replacing_stock_ones_go_to_override_d);
    tcase_add_test(tc, lists_equal_to_the_stock_ones_are_left_out);
    tcase_add_loop_test(tc, values_read_back_as_written, 0,
                        sizeof(quote_cases) / sizeof(quote_cases[0]));
    tcase_add_test(tc, a_section_must_be_a_map);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(migrate_tree_suite());
}
