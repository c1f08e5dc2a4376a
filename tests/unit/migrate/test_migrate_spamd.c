/*
 * test_migrate_spamd.c - spamd's options as sift-migrate reads them: the
 * OPTIONS line of a defaults file (shell quoting, the last assignment
 * winning, the other variables reported), --spamd-options over it, and
 * which of sift-spamd's keys a migrated siftd keeps.
 */
#include "migrate/migrate.h"

#include <string.h>

#include "core/cfg_tree.h"
#include "../unit.h"

struct fixture {
    struct mig m;
    char dir[PATH_MAX];
};

static void
fx_open(struct fixture *f, const char *defaults_text)
{
    memset(f, 0, sizeof(*f));
    f->m.a = arena_new(64 * 1024);
    unit_tmpdir(f->dir);
    if (defaults_text != NULL) {
        unit_write(f->dir, "spamd", defaults_text);
        f->m.o.defaults = arena_printf(f->m.a, "%s/spamd", f->dir);
    } else {
        f->m.o.defaults = ""; /* none */
    }
}

static void
fx_close(struct fixture *f)
{
    free(f->m.items);
    free(f->m.errors);
    arena_free(&f->m.a);
    unit_rmtree(f->dir);
}

/* The value set at key as text ("a,b" for a list), or NULL. */
static const char *
fx_get(struct fixture *f, const char *key)
{
    const struct cfg_node *n = f->m.tree != NULL ? cfg_lookup(f->m.tree, key) : NULL;
    struct buf b;
    const char *r;

    if (n == NULL)
        return NULL;
    if (n->kind == CFG_SCALAR)
        return n->str;
    if (n->kind == CFG_NULL)
        return "~";
    buf_init(&b);
    for (const struct cfg_node *c = n->first; c != NULL; c = c->next)
        buf_printf(&b, "%s%s", c == n->first ? "" : ",", c->str);
    r = arena_strdup(f->m.a, b.p != NULL ? b.p : "");
    buf_clear(&b);
    return r;
}

static const struct mig_item *
fx_item(const struct fixture *f, const char *what_prefix)
{
    for (size_t i = 0; i < f->m.nitems; i++)
        if (strncmp(f->m.items[i].what, what_prefix, strlen(what_prefix)) == 0)
            return &f->m.items[i];
    return NULL;
}

START_TEST(a_debian_defaults_file)
{
    struct fixture f;
    struct sift_err err;

    fx_open(&f, "# /etc/default/spamd\n"
                "OPTIONS=\"-m 3\"\n"
                "OPTIONS=\"--create-prefs --max-children 5 -i 0.0.0.0:7830 "
                "-A '10.0.0.0/8,127.0.0.1' -x --virtual-config-dir=/srv/prefs/%u "
                "--siteconfigpath /srv/sa -L\"\n"
                "PIDFILE=\"/run/spamd.pid\"\n"
                "export NICE='--nicelevel 15'\n"
                "garbage line\n");
    ck_assert_msg(mig_spamd(&f.m, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(fx_get(&f, "workers.spamd.count"), "5");
    ck_assert_str_eq(fx_get(&f, "workers.spamd.bind_socket"), "0.0.0.0:7830");
    ck_assert_str_eq(fx_get(&f, "workers.spamd.allowed_ips"), "10.0.0.0/8,127.0.0.1");
    ck_assert_str_eq(fx_get(&f, "rules.user_prefs"), "/srv/prefs/%u/user_prefs");
    ck_assert_str_eq(fx_get(&f, "rules.local_only"), "yes");
    ck_assert(f.m.local_only);
    /* a migrated siftd keeps its other workers and its own PID file */
    ck_assert_ptr_null(fx_get(&f, "workers.normal.enabled"));
    ck_assert_ptr_null(fx_get(&f, "workers.spamd.enabled"));
    ck_assert_ptr_null(fx_get(&f, "options.pidfile"));
    /* the site directory is where SpamAssassin's configuration is read */
    ck_assert_ptr_null(fx_get(&f, "rules.site_dir"));
    ck_assert_str_eq(f.m.o.sa_dir, "/srv/sa");
    ck_assert_int_eq(fx_item(&f, "PIDFILE=/run/spamd.pid")->fate, MIG_DROPPED);
    ck_assert_int_eq(fx_item(&f, "NICE=--nicelevel 15")->fate, MIG_DROPPED);
    ck_assert_ptr_nonnull(fx_item(&f, "spamd option --create-prefs"));
    fx_close(&f);
}
END_TEST

START_TEST(spamd_options_over_the_file)
{
    struct fixture f;
    struct sift_err err;

    fx_open(&f, "OPTIONS=\"-p 7000\"\n");
    f.m.o.spamd_options = "--socketpath=/run/spamd.sock -l -u spamd";
    ck_assert_msg(mig_spamd(&f.m, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(fx_get(&f, "workers.spamd.allow_tell"), "yes");
    ck_assert_str_eq(fx_get(&f, "options.user"), "spamd");
    ck_assert_ptr_nonnull(strstr(fx_get(&f, "workers.spamd.bind_socket"), "/run/spamd.sock"));
    fx_close(&f);
}
END_TEST

START_TEST(no_options_means_spamds_defaults)
{
    struct fixture f;
    struct sift_err err;

    fx_open(&f, NULL);
    ck_assert_msg(mig_spamd(&f.m, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(fx_get(&f, "workers.spamd.bind_socket"), "localhost:783");
    ck_assert_str_eq(fx_get(&f, "rules.user_prefs"), "~/.spamassassin/user_prefs");
    fx_close(&f);
}
END_TEST

START_TEST(refused_options_and_bad_quotes_fail)
{
    struct fixture f;
    struct sift_err err;

    fx_open(&f, "OPTIONS=\"-q\"\n");
    ck_assert_int_eq(mig_spamd(&f.m, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "OPTIONS"));
    fx_close(&f);
    fx_open(&f, NULL);
    f.m.o.spamd_options = "-m '5";
    ck_assert_int_eq(mig_spamd(&f.m, &err), -1);
    ck_assert_str_eq(err.msg, "--spamd-options: unclosed quote");
    fx_close(&f);
}
END_TEST

static Suite *
migrate_spamd_suite(void)
{
    Suite *s = suite_create("migrate_spamd");
    TCase *tc = tcase_create("spamd");

    tcase_add_test(tc, a_debian_defaults_file);
    tcase_add_test(tc, spamd_options_over_the_file);
    tcase_add_test(tc, no_options_means_spamds_defaults);
    tcase_add_test(tc, refused_options_and_bad_quotes_fail);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(migrate_spamd_suite());
}
