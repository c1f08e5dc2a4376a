/*
 * test_spamd_opts.c - spamd's command line read as spamd 4.0.1 reads it and
 * mapped onto siftd's keys: the mapping table, spamd's listen-socket and
 * -s rules, refusals and notes, and a mapped command line loading as a
 * siftd configuration.
 */
#include "daemon/spamd_opts.h"

#include <limits.h>
#include <string.h>

#include "daemon/siftd_cfg.h"
#include "daemon/worker_spamd.h"

#include "../unit.h"

#define CWD "/srv/spamd"

/* args split at spaces (the program name is added) */
static int
parse(const char *args, struct spamd_opts *o, struct sift_err *err)
{
    char *copy = strdup(args), *argv[64], *save = NULL;
    int argc = 0, rc;

    argv[argc++] = "sift-spamd";
    for (char *t = strtok_r(copy, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save))
        argv[argc++] = t;
    argv[argc] = NULL;
    memset(o, 0, sizeof(*o));
    memset(err, 0, sizeof(*err));
    rc = spamd_opts_parse(o, argc, argv, CWD, err);
    free(copy);
    return rc;
}

static bool
has(const struct spamd_opts *o, const char *want)
{
    for (size_t i = 0; i < o->noverrides; i++) {
        if (strcmp(o->overrides[i], want) == 0)
            return true;
    }
    return false;
}

/* The value of key (the last one set), or NULL. */
static const char *
value_of(const struct spamd_opts *o, const char *key)
{
    size_t klen = strlen(key);

    for (size_t i = o->noverrides; i-- > 0;) {
        if (strncmp(o->overrides[i], key, klen) == 0 && o->overrides[i][klen] == '=')
            return o->overrides[i] + klen + 1;
    }
    return NULL;
}

static void
dump(const struct spamd_opts *o, char *out, size_t len)
{
    size_t n = 0;

    out[0] = '\0';
    for (size_t i = 0; i < o->noverrides && n < len; i++)
        n += (size_t)snprintf(out + n, len - n, "\n  %s", o->overrides[i]);
}

static const struct {
    const char *args;
    const char *want; /* one of the overrides */
} map_cases[] = {
    /* only the spamd worker */
    { "", "workers.spamd.enabled=yes" },
    { "", "workers.normal.enabled=no" },
    { "", "workers.controller.enabled=no" },
    { "", "workers.proxy.enabled=no" },
    /* listeners: spamd's default is localhost (both loopback addresses) */
    { "", "workers.spamd.bind_socket=[\"localhost:783\"]" },
    { "-p 7830", "workers.spamd.bind_socket=[\"localhost:7830\"]" },
    { "-p7830 -4", "workers.spamd.bind_socket=[\"127.0.0.1:7830\"]" },
    { "--port=7830 -6", "workers.spamd.bind_socket=[\"[::1]:7830\"]" },
    { "-i", "workers.spamd.bind_socket=[\"*:783\"]" },
    { "-i -p 1", "workers.spamd.bind_socket=[\"*:1\"]" },
    { "--listen -4", "workers.spamd.bind_socket=[\"0.0.0.0:783\"]" },
    { "--listen= -6", "workers.spamd.bind_socket=[\"[::]:783\"]" },
    { "-i 127.0.0.1", "workers.spamd.bind_socket=[\"127.0.0.1:783\"]" },
    { "-i 127.0.0.1 -p 1234", "workers.spamd.bind_socket=[\"127.0.0.1:1234\"]" },
    { "-i127.0.0.1:99", "workers.spamd.bind_socket=[\"127.0.0.1:99\"]" },
    { "--listen-ip=[::1]:785", "workers.spamd.bind_socket=[\"[::1]:785\"]" },
    { "--ip-address ::1", "workers.spamd.bind_socket=[\"[::1]:783\"]" },
    { "-i fe80::1%eth0", "workers.spamd.bind_socket=[\"[fe80::1%eth0]:783\"]" },
    { "-i :786", "workers.spamd.bind_socket=[\"localhost:786\"]" },
    { "-i *:786", "workers.spamd.bind_socket=[\"*:786\"]" },
    { "-i mail.example.com:786", "workers.spamd.bind_socket=[\"mail.example.com:786\"]" },
    { "-i LocalHost -4", "workers.spamd.bind_socket=[\"127.0.0.1:783\"]" },
    { "-i 10.0.0.1 -i 10.0.0.2:784",
      "workers.spamd.bind_socket=[\"10.0.0.1:783\", \"10.0.0.2:784\"]" },
    { "-i /run/spamd.sock", "workers.spamd.bind_socket=[\"/run/spamd.sock mode=0666\"]" },
    { "-i ssl:/run/spamd.sock", "workers.spamd.bind_socket=[\"/run/spamd.sock mode=0666\"]" },
    { "--socketpath=/run/s.sock --socketowner=spamd --socketgroup=mail --socketmode=0660",
      "workers.spamd.bind_socket=[\"/run/s.sock mode=0660 owner=spamd group=mail\"]" },
    { "--socketpath s.sock", "workers.spamd.bind_socket=[\"" CWD "/s.sock mode=0666\"]" },
    { "-i 127.0.0.1 --socketpath=/s",
      "workers.spamd.bind_socket=[\"127.0.0.1:783\", \"/s mode=0666\"]" },
    /* TLS */
    { "-i ssl:127.0.0.1:786", "workers.spamd.bind_socket=[\"127.0.0.1:786 ssl\"]" },
    { "-i SSL:[::1]", "workers.spamd.bind_socket=[\"[::1]:783 ssl\"]" },
    { "--ssl", "workers.spamd.bind_socket=[\"localhost:783 ssl\"]" },
    { "--ssl", "workers.spamd.ssl_cert=\"/etc/spamassassin/certs/server-cert.pem\"" },
    { "--ssl", "workers.spamd.ssl_key=\"/etc/spamassassin/certs/server-key.pem\"" },
    { "--ssl --server-cert=/c.pem --server-key /k.pem", "workers.spamd.ssl_cert=\"/c.pem\"" },
    { "--ssl --server-cert=/c.pem --server-key /k.pem", "workers.spamd.ssl_key=\"/k.pem\"" },
    /* spamd 4.0.1: --ssl-port makes every TCP listener TLS, on that port unless one is given */
    { "--ssl-port 7831 -p 783", "workers.spamd.bind_socket=[\"localhost:7831 ssl\"]" },
    { "--ssl-port 7831 -i 127.0.0.1:783 --socketpath=/s",
      "workers.spamd.bind_socket=[\"127.0.0.1:783 ssl\", \"/s mode=0666\"]" },
    { "--ssl-ca-file=/ca.pem", "workers.spamd.bind_socket=[\"localhost:783 ssl\"]" },
    { "--ssl-verify --ssl-ca-file=/ca.pem", "workers.spamd.ssl_ca=\"/ca.pem\"" },
    /* access */
    { "-A 10.0.0.0/8,127.0.0.1 -A [::1] --allowed-ips=[2001:db8::]/32,",
      "workers.spamd.allowed_ips=[\"10.0.0.0/8\", \"127.0.0.1\", \"::1\", \"2001:db8::/32\"]" },
    /* processes and timeouts */
    { "-m 2", "workers.spamd.count=2" },
    { "--max-children=0", "workers.spamd.count=5" },
    { "--max-conn-per-child 3", "workers.spamd.max_conn_per_child=3" },
    { "-T 0", "workers.spamd.idle_timeout=1d" },
    { "--timeout-tcp=10", "workers.spamd.idle_timeout=10s" },
    { "-t 45", "workers.spamd.read_timeout=45s" },
    { "-l", "workers.spamd.allow_tell=yes" },
    { "--allow-tell", "workers.spamd.allow_tell=yes" },
    /* rules and preferences */
    { "-L", "rules.local_only=yes" },
    { "--local --no-local", "rules.local_only=no" },
    { "-L --nolocal", "rules.local_only=no" },
    { "-C /usr/share/sa", "rules.rules_dir=\"/usr/share/sa\"" },
    { "--configpath=rules", "rules.rules_dir=\"" CWD "/rules\"" },
    { "--siteconfigpath /etc/sa", "rules.site_dir=\"/etc/sa\"" },
    { "", "rules.user_prefs=\"~/.spamassassin/user_prefs\"" },
    { "-x", "rules.user_prefs=\"\"" },
    { "--nouser-config --user-config", "rules.user_prefs=\"~/.spamassassin/user_prefs\"" },
    { "-x --virtual-config-dir=/var/v/%d/%l", "rules.user_prefs=\"/var/v/%d/%l/user_prefs\"" },
    { "--virtual-config-dir=/var/v/%u", "rules.user_prefs=\"~/.spamassassin/user_prefs\"" },
    /* process options */
    { "", "options.pidfile=\"\"" },
    { "-r /run/spamd.pid", "options.pidfile=\"/run/spamd.pid\"" },
    { "--pidfile=spamd.pid", "options.pidfile=\"" CWD "/spamd.pid\"" },
    { "-u mail", "options.user=\"mail\"" },
    { "--groupname=mail", "options.group=\"mail\"" },
    /* logging, as spamd reads -s */
    { "-D", "logging.level=debug" },
    { "-Dall", "logging.level=debug" },
    { "--debug=rules,dns", "logging.level=debug" },
    { "-s mail", "logging.facility=\"mail\"" },
    { "-s local3", "logging.type=syslog" },
    { "--syslog=LOCAL3", "logging.filename=\"" CWD "/LOCAL3\"" },
    { "-s stderr", "logging.type=stderr" },
    { "-s null", "logging.filename=\"/dev/null\"" },
    { "-s /var/log/spamd.log", "logging.filename=\"/var/log/spamd.log\"" },
    { "-s /var/log/spamd.log", "logging.type=file" },
    { "-s file", "logging.filename=\"" CWD "/spamd.log\"" },
    { "--syslog-socket=none", "logging.type=stderr" },
    { "-s daemon --syslog-socket file", "logging.filename=\"" CWD "/spamd.log\"" },
    /* bundling, and Getopt's optional values */
    { "-dLx", "rules.local_only=yes" },
    { "-dLx", "rules.user_prefs=\"\"" },
    { "-Li 127.0.0.1", "workers.spamd.bind_socket=[\"127.0.0.1:783\"]" },
    { "-H /var/lib/spamassassin -p 9", "workers.spamd.bind_socket=[\"localhost:9\"]" },
    /* what Debian's /etc/default/spamassassin and spamd.service give */
    { "--pidfile=/run/spamd.pid --create-prefs --max-children 5 --helper-home-dir",
      "workers.spamd.count=5" },
    /* sift's own */
    { "--sift-option options.dbdir=/x --sift-option=workers.spamd.count=1",
      "workers.spamd.count=1" },
    /* values YAML would misread are quoted */
    { "-C /a\"b\\c", "rules.rules_dir=\"/a\\\"b\\\\c\"" },
};

START_TEST(mapping_table)
{
    struct spamd_opts o;
    struct sift_err err;
    char all[4096];

    if (parse(map_cases[_i].args, &o, &err) == -1)
        ck_abort_msg("'%s': unexpected error: %s", map_cases[_i].args, err.msg);
    dump(&o, all, sizeof(all));
    ck_assert_msg(has(&o, map_cases[_i].want), "'%s': no %s in%s", map_cases[_i].args,
                  map_cases[_i].want, all);
    spamd_opts_clear(&o);
}
END_TEST

/* Keys spamd's own default leaves to sift's configuration. */
static const struct {
    const char *args;
    const char *key;
} unset_cases[] = {
    { "", "workers.spamd.count" },
    { "", "workers.spamd.allowed_ips" },
    { "", "workers.spamd.ssl_cert" },
    { "--server-cert=/c.pem", "workers.spamd.ssl_cert" }, /* no TLS listener */
    { "", "logging.type" },
    { "", "logging.level" },
    { "", "rules.rules_dir" },
    { "", "rules.site_dir" },
    { "", "rules.local_only" },
    { "", "options.user" },
    { "--max-conn-per-child 0", "workers.spamd.max_conn_per_child" },
    { "-T -1", "workers.spamd.idle_timeout" },
    { "-s mail --syslog-socket=unix", "logging.filename" },
};

START_TEST(spamd_defaults_leave_sift_keys_alone)
{
    struct spamd_opts o;
    struct sift_err err;

    ck_assert_int_eq(parse(unset_cases[_i].args, &o, &err), 0);
    ck_assert_msg(value_of(&o, unset_cases[_i].key) == NULL, "'%s': %s is set to %s",
                  unset_cases[_i].args, unset_cases[_i].key, value_of(&o, unset_cases[_i].key));
    spamd_opts_clear(&o);
}
END_TEST

START_TEST(flags_and_sift_config)
{
    struct spamd_opts o;
    struct sift_err err;

    ck_assert_int_eq(parse("-L", &o, &err), 0);
    ck_assert(!o.daemonize && !o.help && !o.version);
    ck_assert_ptr_null(o.sift_config);
    spamd_opts_clear(&o);
    ck_assert_int_eq(parse("--daemonize --sift-config=etc/sift.yaml", &o, &err), 0);
    ck_assert(o.daemonize);
    ck_assert_str_eq(o.sift_config, CWD "/etc/sift.yaml");
    spamd_opts_clear(&o);
    ck_assert_int_eq(parse("-d --nodaemonize", &o, &err), 0);
    ck_assert(!o.daemonize);
    spamd_opts_clear(&o);
    ck_assert_int_eq(parse("-V", &o, &err), 0);
    ck_assert(o.version);
    spamd_opts_clear(&o);
    /* as in spamd, -h wins over an option that would be refused */
    ck_assert_int_eq(parse("-h -q", &o, &err), 0);
    ck_assert(o.help);
    spamd_opts_clear(&o);
    /* --sift-option comes last, so it wins */
    ck_assert_int_eq(parse("--sift-option=rules.local_only=no -L", &o, &err), 0);
    ck_assert_str_eq(o.overrides[o.noverrides - 1], "rules.local_only=no");
    spamd_opts_clear(&o);
}
END_TEST

static const struct {
    const char *args;
    const char *want; /* in the message */
} error_cases[] = {
    { "-q", "--sql-config: SQL user preferences are not supported" },
    { "--sql-config", "SQL" },
    { "-Q", "--setuid-with-sql: SQL" },
    { "--ldap-config", "--ldap-config: LDAP" },
    { "--setuid-with-ldap", "LDAP" },
    { "-v", "--vpopmail: vpopmail" },
    { "-U nobody", "--default-user" },
    { "--pre loadplugin", "--pre: configuration lines" },
    { "--cf=required_score 4", "--cf: configuration lines" },
    { "--ssl-ca-path=/etc/ssl/certs", "--ssl-ca-path" },
    { "--ssl-verify", "--ssl-verify: needs --ssl-ca-file" },
    { "-x --virtual-config-dir=/v/%x", "%x" },
    { "--bogus", "Unknown option: bogus" },
    { "-k", "Unknown option: k" },
    { "-m x", "Value \"x\" invalid for option --max-children (number expected)" },
    { "--min-children=x", "invalid for option --min-children" },
    { "-m", "Option m requires an argument" },
    { "--pidfile", "Option pidfile requires an argument" },
    { "--ssl=yes", "Option ssl does not take an argument" },
    { "-p spamd", "invalid port: spamd" },
    { "-p 70000", "invalid port: 70000" },
    { "-i 1.2.3.4:x", "invalid port: x" },
    { "-i a;b", "Invalid socket specification syntax: a;b" },
    { "-i [::1", "Invalid socket specification syntax" },
    { "-F 1", "the -F option has been removed" },
    { "--add-from", "the --add-from option has been removed" },
};

START_TEST(refusals_and_usage_errors)
{
    struct spamd_opts o;
    struct sift_err err;

    ck_assert_msg(parse(error_cases[_i].args, &o, &err) == -1, "'%s' was accepted",
                  error_cases[_i].args);
    ck_assert_msg(strstr(err.msg, error_cases[_i].want) != NULL, "'%s': got '%s'",
                  error_cases[_i].args, err.msg);
    spamd_opts_clear(&o);
}
END_TEST

START_TEST(negated_refusals_are_accepted)
{
    struct spamd_opts o;
    struct sift_err err;

    ck_assert_int_eq(parse("--no-sql-config --noldap-config --novpopmail", &o, &err), 0);
    spamd_opts_clear(&o);
}
END_TEST

START_TEST(socket_paths_with_spaces_are_refused)
{
    char *argv[] = { "sift-spamd", "--socketpath=/run/my spamd.sock", NULL };
    struct spamd_opts o = { 0 };
    struct sift_err err;

    ck_assert_int_eq(spamd_opts_parse(&o, 2, argv, CWD, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "spaces"));
    spamd_opts_clear(&o);
}
END_TEST

static const struct {
    const char *args;
    const char *want; /* in one of the notes */
} note_cases[] = {
    { "--create-prefs", "--create-prefs accepted without effect" },
    { "-c", "--create-prefs accepted without effect" },
    { "-H", "--helper-home-dir accepted without effect" },
    { "--helper-home-dir=/tmp", "--helper-home-dir" },
    { "--min-children=2", "--min-children" },
    { "--round-robin", "fixed pool" },
    { "-P", "--paranoid" },
    { "--timing", "--timing" },
    { "--log-timestamp-fmt=%c", "--log-timestamp-fmt" },
    { "-S", "the -S option has been deprecated" },
    { "--syslog-socket=udp", "--syslog-socket=udp accepted without effect" },
    { "--debug=rules", "--debug=rules" },
    { "--virtual-config-dir=/v", "applies with -x" },
    { "-L stray", "argument 'stray' ignored" },
    { "-L -- -x", "argument '-x' ignored" },
};

START_TEST(accepted_options_are_noted)
{
    struct spamd_opts o;
    struct sift_err err;
    bool found = false;

    if (parse(note_cases[_i].args, &o, &err) == -1)
        ck_abort_msg("'%s': unexpected error: %s", note_cases[_i].args, err.msg);
    for (size_t i = 0; i < o.nnotes; i++)
        found = found || strstr(o.notes[i], note_cases[_i].want) != NULL;
    ck_assert_msg(found, "'%s': no note with '%s' (%zu notes)", note_cases[_i].args,
                  note_cases[_i].want, o.nnotes);
    spamd_opts_clear(&o);
}
END_TEST

START_TEST(an_option_is_noted_once)
{
    struct spamd_opts o;
    struct sift_err err;

    ck_assert_int_eq(parse("-c --create-prefs -c", &o, &err), 0);
    ck_assert_uint_eq(o.nnotes, 1);
    spamd_opts_clear(&o);
    ck_assert_int_eq(parse("-L", &o, &err), 0);
    ck_assert_uint_eq(o.nnotes, 0);
    spamd_opts_clear(&o);
}
END_TEST

/* What the mapping produces is a configuration siftd loads. */
START_TEST(mapped_options_load_as_a_configuration)
{
    char dir[PATH_MAX], path[PATH_MAX + 16];
    struct spamd_opts o;
    struct sift_err err;
    struct siftd_cfg *sc = NULL;
    const struct worker_cfg *wc = NULL;
    const struct spamd_worker_cfg *sp;
    size_t nenabled = 0;

    unit_tmpdir(dir);
    unit_write(dir, "sift.yaml",
               "workers:\n  spamd: {bind_socket: [\"127.0.0.1:1\"]}\n  normal: {}\n"
               "  controller: {}\n");
    snprintf(path, sizeof(path), "%s/sift.yaml", dir);
    ck_assert_int_eq(parse("-L -p 7830 -i 127.0.0.1 -i [::1] -m 2 -r /tmp/x.pid -A 127.0.0.1 "
                           "--socketpath=/tmp/x.sock --socketmode=600 -x -T 0 -t 40 "
                           "--max-conn-per-child 2 -s stderr -l -C /r --siteconfigpath=/s",
                           &o, &err),
                     0);
    if (siftd_cfg_load(path, (const char *const *)o.overrides, o.noverrides, &sc, &err) == -1)
        ck_abort_msg("%s", err.msg);
    for (size_t i = 0; i < sc->nworkers; i++) {
        if (sc->workers[i].enabled) {
            nenabled++;
            wc = &sc->workers[i];
        }
    }
    ck_assert_uint_eq(nenabled, 1);
    ck_assert_str_eq(wc->name, "spamd");
    ck_assert_uint_eq(wc->count, 2);
    ck_assert_uint_eq(wc->nbinds, 3);
    ck_assert_uint_eq(wc->binds[0].port, 7830);
    ck_assert_str_eq(wc->binds[1].host, "::1");
    ck_assert_int_eq(wc->binds[2].kind, BIND_UNIX);
    ck_assert_uint_eq(wc->binds[2].mode, 0600);
    ck_assert_double_eq(wc->idle_timeout, 86400);
    ck_assert_double_eq(wc->read_timeout, 40);
    ck_assert_uint_eq(wc->allowed_ips.n, 1);
    sp = wc->proto;
    ck_assert_uint_eq(sp->max_conn_per_child, 2);
    ck_assert(sp->allow_tell);
    ck_assert(sc->rules.local_only);
    ck_assert_str_eq(sc->rules.rules_dir, "/r");
    ck_assert_str_eq(sc->rules.site_dir, "/s");
    ck_assert_str_eq(sc->rules.user_prefs, "");
    ck_assert_str_eq(sc->cfg->options.pidfile, "/tmp/x.pid");
    ck_assert_int_eq(sc->logging.type, LOG_TYPE_STDERR);
    ck_assert_uint_eq(sc->cfg->nwarnings, 0);
    siftd_cfg_free(&sc);
    spamd_opts_clear(&o);
    unit_rmtree(dir);
}
END_TEST

static Suite *
spamd_opts_suite(void)
{
    Suite *s = suite_create("spamd_opts");
    TCase *tc = tcase_create("spamd_opts");

    tcase_add_loop_test(tc, mapping_table, 0, sizeof(map_cases) / sizeof(map_cases[0]));
    tcase_add_loop_test(tc, spamd_defaults_leave_sift_keys_alone, 0,
                        sizeof(unset_cases) / sizeof(unset_cases[0]));
    tcase_add_test(tc, flags_and_sift_config);
    tcase_add_loop_test(tc, refusals_and_usage_errors, 0,
                        sizeof(error_cases) / sizeof(error_cases[0]));
    tcase_add_test(tc, negated_refusals_are_accepted);
    tcase_add_test(tc, socket_paths_with_spaces_are_refused);
    tcase_add_loop_test(tc, accepted_options_are_noted, 0,
                        sizeof(note_cases) / sizeof(note_cases[0]));
    tcase_add_test(tc, an_option_is_noted_once);
    tcase_add_test(tc, mapped_options_load_as_a_configuration);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(spamd_opts_suite());
}
