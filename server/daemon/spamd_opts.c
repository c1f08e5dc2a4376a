/*
 * spamd_opts.c - spamd's command line mapped onto siftd's configuration
 * (see spamd_opts.h). spamd_opt_table mirrors the GetOptions call of
 * SpamAssassin 4.0.1's spamd; spamd_opts_map then does with the values what
 * spamd does: its listen-socket specs, its -s/--syslog-socket rules, its
 * choice of user preferences.
 */
#include "daemon/spamd_opts.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/xmalloc.h"

#ifndef SIFT_CONFDIR
#define SIFT_CONFDIR "/etc/sift"
#endif

/* spamd's own defaults (certificates under LOCAL_RULES_DIR, which is
 * /etc/spamassassin in Debian's spamd) */
#define SPAMD_PORT          "783"
#define SPAMD_SERVER_CERT   "/etc/spamassassin/certs/server-cert.pem"
#define SPAMD_SERVER_KEY    "/etc/spamassassin/certs/server-key.pem"
#define SPAMD_MAX_CHILDREN  5
#define SPAMD_SOCKET_MODE   "0666" /* spamd chmods its Unix sockets so unless --socketmode */
#define SPAMD_USER_PREFS    "~/.spamassassin/user_prefs"
#define SPAMD_NO_TIMEOUT    "1d" /* spamd's 0: no timeout */
#define SPAMD_OPT_UNSET     INT_MIN
#define SPAMD_OPT_LONG_BASE 0x1000 /* getopt values of long options: base + row * 2 + negated */

struct spamd_list {
    const char **v;
    size_t n;
};

/* The values as spamd's GetOptions leaves them in %opt; ints are
 * SPAMD_OPT_UNSET until given, strings NULL. */
struct spamd_args {
    int tell, daemonize, local, ssl, ssl_verify, help, version, user_config, family;
    int max_children, max_conn_per_child, timeout_tcp, timeout_child;
    const char *configpath, *siteconfigpath, *groupname, *username, *pidfile, *port;
    const char *server_cert, *server_key, *ssl_ca_file, *ssl_ca_path, *ssl_port;
    const char *socketpath, *socketowner, *socketgroup, *socketmode;
    const char *syslog, *syslog_socket, *debug, *vcdir, *sift_config;
    struct spamd_list allowed_ips, listen, sift_options;
};

enum spamd_opt_kind {
    SPAMD_SET,    /* int field = val (the --no forms: 0) */
    SPAMD_STR,    /* string field = the value (an absent optional value: "") */
    SPAMD_INT,    /* int field = the value, an integer as Getopt's =i wants */
    SPAMD_LIST,   /* the value appended to a list field */
    SPAMD_NOTE,   /* accepted without effect: text goes to the log */
    SPAMD_REFUSE, /* a usage error saying text (the --no forms are accepted) */
};

struct spamd_opt {
    const char *name; /* long name; NULL: a short option alone */
    char short_name;  /* 0: a long option alone */
    int has_arg;      /* no_argument, required_argument, optional_argument */
    enum spamd_opt_kind kind;
    size_t off;     /* field of struct spamd_args */
    int val;        /* SPAMD_SET */
    bool negatable; /* Getopt's "name!": --no-name and --noname too */
    bool numeric;   /* the value must be an integer (SPAMD_NOTE rows) */
    const char *text;
};

#define F(field) offsetof(struct spamd_args, field)
#define SQL_TEXT                                                                                   \
    "SQL user preferences are not supported by sift; remove the option (user_prefs files are "     \
    "read with rules.user_prefs)"
#define LDAP_TEXT "LDAP user preferences are not supported by sift; remove the option"
#define EXTRA_CF_TEXT                                                                              \
    "configuration lines on the command line are not supported yet; put them in a file of the "    \
    "site directory (--siteconfigpath, default /etc/spamassassin)"

/* spamd 4.0.1's GetOptions, row by row (aliases are rows of their own). */
static const struct spamd_opt spamd_opt_table[] = {
    { "allow-tell", 'l', no_argument, SPAMD_SET, F(tell), 1, false, false, NULL },
    { "allowed-ips", 'A', required_argument, SPAMD_LIST, F(allowed_ips), 0, false, false, NULL },
    { "configpath", 'C', required_argument, SPAMD_STR, F(configpath), 0, false, false, NULL },
    { "create-prefs", 'c', no_argument, SPAMD_NOTE, 0, 0, true, false,
      "sift does not create user_prefs files" },
    { "daemonize", 'd', no_argument, SPAMD_SET, F(daemonize), 1, true, false, NULL },
    { "debug", 'D', optional_argument, SPAMD_STR, F(debug), 0, false, false, NULL },
    { "default-user", 'U', required_argument, SPAMD_REFUSE, 0, 0, false, false,
      "sift does not change users per request (it runs as options.user); remove the option" },
    { "groupname", 'g', required_argument, SPAMD_STR, F(groupname), 0, false, false, NULL },
    { "helper-home-dir", 'H', optional_argument, SPAMD_NOTE, 0, 0, false, false,
      "sift runs no helper programs (Razor, Pyzor, DCC)" },
    { "help", 'h', no_argument, SPAMD_SET, F(help), 1, false, false, NULL },
    { "ipv4only", '4', no_argument, SPAMD_SET, F(family), 4, false, false, NULL },
    { "ipv4-only", 0, no_argument, SPAMD_SET, F(family), 4, false, false, NULL },
    { "ipv4", 0, no_argument, SPAMD_SET, F(family), 4, false, false, NULL },
    { NULL, '6', no_argument, SPAMD_SET, F(family), 6, false, false, NULL },
    { "ldap-config", 0, no_argument, SPAMD_REFUSE, 0, 0, true, false, LDAP_TEXT },
    { "listen", 'i', optional_argument, SPAMD_LIST, F(listen), 0, false, false, NULL },
    { "listen-ip", 0, optional_argument, SPAMD_LIST, F(listen), 0, false, false, NULL },
    { "ip-address", 0, optional_argument, SPAMD_LIST, F(listen), 0, false, false, NULL },
    { "local", 'L', no_argument, SPAMD_SET, F(local), 1, true, false, NULL },
    { "round-robin", 0, no_argument, SPAMD_NOTE, 0, 0, true, false,
      "sift runs a fixed pool of --max-children workers" },
    { "min-children", 0, required_argument, SPAMD_NOTE, 0, 0, false, true,
      "sift runs a fixed pool of --max-children workers" },
    { "max-children", 'm', required_argument, SPAMD_INT, F(max_children), 0, false, false, NULL },
    { "min-spare", 0, required_argument, SPAMD_NOTE, 0, 0, false, true,
      "sift runs a fixed pool of --max-children workers" },
    { "max-spare", 0, required_argument, SPAMD_NOTE, 0, 0, false, true,
      "sift runs a fixed pool of --max-children workers" },
    { "max-conn-per-child", 0, required_argument, SPAMD_INT, F(max_conn_per_child), 0, false, false,
      NULL },
    { "nouser-config", 'x', no_argument, SPAMD_SET, F(user_config), 0, false, false, NULL },
    { "paranoid", 'P', no_argument, SPAMD_NOTE, 0, 0, true, false,
      "sift has no helper processes to be paranoid about" },
    { "pidfile", 'r', required_argument, SPAMD_STR, F(pidfile), 0, false, false, NULL },
    { "port", 'p', required_argument, SPAMD_STR, F(port), 0, false, false, NULL },
    { "setuid-with-sql", 'Q', no_argument, SPAMD_REFUSE, 0, 0, false, false, SQL_TEXT },
    { "sql-config", 'q', no_argument, SPAMD_REFUSE, 0, 0, true, false, SQL_TEXT },
    { "server-cert", 0, required_argument, SPAMD_STR, F(server_cert), 0, false, false, NULL },
    { "server-key", 0, required_argument, SPAMD_STR, F(server_key), 0, false, false, NULL },
    { "setuid-with-ldap", 0, no_argument, SPAMD_REFUSE, 0, 0, false, false, LDAP_TEXT },
    { "siteconfigpath", 0, required_argument, SPAMD_STR, F(siteconfigpath), 0, false, false, NULL },
    { "pre", 0, required_argument, SPAMD_REFUSE, 0, 0, false, false, EXTRA_CF_TEXT },
    { "cf", 0, required_argument, SPAMD_REFUSE, 0, 0, false, false, EXTRA_CF_TEXT },
    { "socketgroup", 0, required_argument, SPAMD_STR, F(socketgroup), 0, false, false, NULL },
    { "socketmode", 0, required_argument, SPAMD_STR, F(socketmode), 0, false, false, NULL },
    { "socketowner", 0, required_argument, SPAMD_STR, F(socketowner), 0, false, false, NULL },
    { "socketpath", 0, required_argument, SPAMD_STR, F(socketpath), 0, false, false, NULL },
    { "ssl", 0, no_argument, SPAMD_SET, F(ssl), 1, false, false, NULL },
    { "ssl-verify", 0, no_argument, SPAMD_SET, F(ssl_verify), 1, false, false, NULL },
    { "ssl-ca-file", 0, required_argument, SPAMD_STR, F(ssl_ca_file), 0, false, false, NULL },
    { "ssl-ca-path", 0, required_argument, SPAMD_STR, F(ssl_ca_path), 0, false, false, NULL },
    { "ssl-port", 0, required_argument, SPAMD_STR, F(ssl_port), 0, false, false, NULL },
    { "syslog-socket", 0, required_argument, SPAMD_STR, F(syslog_socket), 0, false, false, NULL },
    { "syslog", 's', required_argument, SPAMD_STR, F(syslog), 0, false, false, NULL },
    { "log-timestamp-fmt", 0, optional_argument, SPAMD_NOTE, 0, 0, false, false,
      "sift's log lines carry its own time stamps" },
    { "timeout-tcp", 'T', required_argument, SPAMD_INT, F(timeout_tcp), 0, false, false, NULL },
    { "timeout-child", 't', required_argument, SPAMD_INT, F(timeout_child), 0, false, false, NULL },
    { "timing", 0, no_argument, SPAMD_NOTE, 0, 0, false, false,
      "the scan time is in sift's debug log lines" },
    { "user-config", 0, no_argument, SPAMD_SET, F(user_config), 1, false, false, NULL },
    { "username", 'u', required_argument, SPAMD_STR, F(username), 0, false, false, NULL },
    { "version", 'V', no_argument, SPAMD_SET, F(version), 1, false, false, NULL },
    { "virtual-config-dir", 0, required_argument, SPAMD_STR, F(vcdir), 0, false, false, NULL },
    { "vpopmail", 'v', no_argument, SPAMD_REFUSE, 0, 0, true, false,
      "vpopmail user preferences are not supported by sift; remove the option" },
    /* spamd's own refusals and warnings for options of old releases */
    { NULL, 'F', optional_argument, SPAMD_REFUSE, 0, 0, false, false,
      "the -F option has been removed from spamd, please remove from your commandline and "
      "re-run" },
    { "add-from", 0, no_argument, SPAMD_REFUSE, 0, 0, false, false,
      "the --add-from option has been removed from spamd, please remove from your commandline "
      "and re-run" },
    { "stop-at-threshold", 'S', no_argument, SPAMD_NOTE, 0, 0, false, false,
      "the -S option has been deprecated and is no longer supported, ignoring" },
    /* sift's: which configuration file, and any key of it */
    { "sift-config", 0, required_argument, SPAMD_STR, F(sift_config), 0, false, false, NULL },
    { "sift-option", 0, required_argument, SPAMD_LIST, F(sift_options), 0, false, false, NULL },
};
#define SPAMD_NOPTS (sizeof(spamd_opt_table) / sizeof(spamd_opt_table[0]))

const char spamd_opts_usage[] =
    "usage: sift-spamd [OPTION]...   (SpamAssassin spamd's options, served by siftd)\n"
    "\n"
    "Mapped onto siftd's configuration (only the spamd worker runs):\n"
    "  -d, --daemonize                 detach once serving (else stay in the foreground)\n"
    "  -r, --pidfile=FILE              options.pidfile (default: none, as spamd)\n"
    "  -u, --username=USER             options.user      -g, --groupname=GROUP  options.group\n"
    "  -s, --syslog=FACILITY|stderr|null|FILE   logging (--syslog-socket none|file too)\n"
    "  -D, --debug[=AREAS]             logging.level: debug\n"
    "  -p, --port=PORT                 default 783\n"
    "  -i, --listen[=[ssl:]ADDR[:PORT]|/PATH]   listeners (repeatable; no value: every "
    "address)\n"
    "      --socketpath=PATH           a Unix socket, with --socketowner, --socketgroup, "
    "--socketmode\n"
    "  -4, -6                          localhost and * on IPv4 or IPv6 only\n"
    "      --ssl, --ssl-port=PORT      TLS listeners; --server-cert, --server-key,\n"
    "      --ssl-ca-file=FILE          --ssl-verify: client certificates\n"
    "  -A, --allowed-ips=NET,...       workers.spamd.allowed_ips (default 127.0.0.1, ::1)\n"
    "  -m, --max-children=N            workers.spamd.count\n"
    "      --max-conn-per-child=N      a worker is replaced after N connections\n"
    "  -T, --timeout-tcp=SECONDS       workers.spamd.idle_timeout (0: none)\n"
    "  -t, --timeout-child=SECONDS     workers.spamd.read_timeout (0: none)\n"
    "  -l, --allow-tell                workers.spamd.allow_tell\n"
    "  -L, --local                     rules.local_only\n"
    "  -C, --configpath=DIR            rules.rules_dir    --siteconfigpath=DIR  rules.site_dir\n"
    "  -x, --nouser-config             rules.user_prefs: none (default: "
    "~/.spamassassin/user_prefs)\n"
    "      --virtual-config-dir=DIR    with -x: rules.user_prefs DIR/user_prefs (%u %l %d %%)\n"
    "  -V, --version  -h, --help\n"
    "\n"
    "Accepted, without effect (noted in the log): -c/--create-prefs, -H/--helper-home-dir,\n"
    "  --min-children, --min-spare, --max-spare, --round-robin, -P/--paranoid, --timing,\n"
    "  --log-timestamp-fmt, -S, other --syslog-socket types.\n"
    "Refused (exit status 2): -q/--sql-config, -Q/--setuid-with-sql, --ldap-config,\n"
    "  --setuid-with-ldap, -v/--vpopmail, -U/--default-user, --pre, --cf, --ssl-ca-path.\n"
    "\n"
    "sift's own:\n"
    "      --sift-config=FILE          siftd's configuration (default " SIFT_CONFDIR "/sift.yaml)\n"
    "      --sift-option=KEY=VALUE     any siftd key, as siftd -o (repeatable; wins)\n";

static void
spamd_list_add(struct spamd_list *l, const char *s)
{
    l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
    l->v[l->n++] = s;
}

static void
spamd_push(char ***v, size_t *n, char *s)
{
    *v = xreallocarray(*v, *n + 1, sizeof(**v));
    (*v)[(*n)++] = s;
}

/* KEY="VALUE" as a YAML double-quoted scalar, for -o. */
static void
spamd_quote(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    for (; *s != '\0'; s++) {
        if (*s == '"' || *s == '\\')
            buf_printf(b, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            buf_printf(b, "\\x%02x", (unsigned)(unsigned char)*s);
        else
            buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

static void
spamd_set(struct spamd_opts *o, const char *key, const char *value)
{
    struct buf b;

    buf_init(&b);
    buf_printf(&b, "%s=", key);
    spamd_quote(&b, value);
    spamd_push(&o->overrides, &o->noverrides, xstrdup(b.p));
    buf_clear(&b);
}

/* A value YAML reads as itself (yes, 5, 30s). */
static void
spamd_set_plain(struct spamd_opts *o, const char *key, const char *value)
{
    struct buf b;

    buf_init(&b);
    buf_printf(&b, "%s=%s", key, value);
    spamd_push(&o->overrides, &o->noverrides, xstrdup(b.p));
    buf_clear(&b);
}

static void
spamd_set_list(struct spamd_opts *o, const char *key, const struct spamd_list *l)
{
    struct buf b;

    buf_init(&b);
    buf_printf(&b, "%s=[", key);
    for (size_t i = 0; i < l->n; i++) {
        if (i > 0)
            buf_puts(&b, ", ");
        spamd_quote(&b, l->v[i]);
    }
    buf_putc(&b, ']');
    spamd_push(&o->overrides, &o->noverrides, xstrdup(b.p));
    buf_clear(&b);
}

static void spamd_note(struct spamd_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
spamd_note(struct spamd_opts *o, const char *fmt, ...)
{
    struct buf b;
    va_list ap;

    buf_init(&b);
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    spamd_push(&o->notes, &o->nnotes, xstrdup(b.p));
    buf_clear(&b);
}

/* "--name" or "-x", as an admin wrote the option. */
static void
spamd_opt_name(const struct spamd_opt *r, char *out, size_t len)
{
    if (r->name != NULL)
        snprintf(out, len, "--%s", r->name);
    else
        snprintf(out, len, "-%c", r->short_name);
}

/* Getopt's =i: an optional sign and digits. */
static int
spamd_parse_int(const struct spamd_opt *r, const char *s, int *out, struct sift_err *err)
{
    char name[64], *end;
    long v;

    spamd_opt_name(r, name, sizeof(name));
    errno = 0;
    v = strtol(s, &end, 10);
    if (s[0] == '\0' || isspace((unsigned char)s[0]) || *end != '\0' || errno != 0 ||
        v < INT_MIN + 1 || v > INT_MAX) {
        sift_err_set(err, "Value \"%s\" invalid for option %s (number expected)", s, name);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* One option as getopt found it; value is NULL when it has none.
 * A refusal goes to *refused (the first one counts) so that -h still works. */
static int
spamd_take(struct spamd_args *a, struct spamd_opts *o, const struct spamd_opt *r, bool negated,
           const char *value, bool *noted, struct sift_err *refused, struct sift_err *err)
{
    char *field = (char *)a + r->off;
    char name[64];
    int dummy;

    spamd_opt_name(r, name, sizeof(name));
    switch (r->kind) {
    case SPAMD_SET:
        *(int *)field = negated ? 0 : r->val;
        break;
    case SPAMD_STR:
        *(const char **)field = value != NULL ? value : "";
        break;
    case SPAMD_INT:
        return spamd_parse_int(r, value, (int *)field, err);
    case SPAMD_LIST:
        spamd_list_add((struct spamd_list *)field, value != NULL ? value : "");
        break;
    case SPAMD_NOTE:
        if (r->numeric && spamd_parse_int(r, value, &dummy, err) == -1)
            return -1;
        if (!negated && !*noted)
            spamd_note(o, "spamd option %s accepted without effect: %s", name, r->text);
        *noted = true;
        break;
    case SPAMD_REFUSE:
        if (!negated && refused->msg[0] == '\0')
            sift_err_set(refused, "%s: %s", name, r->text);
        break;
    }
    return 0;
}

/* Getopt::Long's optional values (":s") also take the next argument when
 * it does not look like an option: `-i 127.0.0.1`, `-D rules`. */
static const char *
spamd_optional_value(int argc, char **argv)
{
    if (optind < argc && (argv[optind][0] != '-' || strcmp(argv[optind], "-") == 0))
        return argv[optind++];
    return NULL;
}

struct spamd_getopt {
    struct option *longs;
    char **names; /* the --no forms, allocated */
    size_t nnames;
    char shorts[3 * SPAMD_NOPTS + 3];
};

static void
spamd_getopt_build(struct spamd_getopt *g)
{
    size_t nl = 0, ns = 0;

    memset(g, 0, sizeof(*g));
    g->longs = xcalloc(3 * SPAMD_NOPTS + 1, sizeof(*g->longs));
    g->shorts[ns++] = '+'; /* spamd's order; stray words are skipped by hand */
    g->shorts[ns++] = ':'; /* a missing value is ':', not '?' */
    for (size_t i = 0; i < SPAMD_NOPTS; i++) {
        const struct spamd_opt *r = &spamd_opt_table[i];

        if (r->short_name != 0) {
            g->shorts[ns++] = r->short_name;
            if (r->has_arg != no_argument)
                g->shorts[ns++] = ':';
            if (r->has_arg == optional_argument)
                g->shorts[ns++] = ':';
        }
        if (r->name == NULL)
            continue;
        g->longs[nl++] =
            (struct option){ r->name, r->has_arg, NULL, SPAMD_OPT_LONG_BASE + (int)i * 2 };
        for (int k = 0; r->negatable && k < 2; k++) {
            struct buf b;

            buf_init(&b);
            buf_printf(&b, "%s%s", k == 0 ? "no-" : "no", r->name);
            g->names = xreallocarray(g->names, g->nnames + 1, sizeof(*g->names));
            g->names[g->nnames++] = xstrdup(b.p);
            buf_clear(&b);
            g->longs[nl++] = (struct option){ g->names[g->nnames - 1], no_argument, NULL,
                                              SPAMD_OPT_LONG_BASE + (int)i * 2 + 1 };
        }
    }
    g->shorts[ns] = '\0';
}

static void
spamd_getopt_free(struct spamd_getopt *g)
{
    for (size_t i = 0; i < g->nnames; i++)
        free(g->names[i]);
    free(g->names);
    free(g->longs);
}

static const struct spamd_opt *
spamd_opt_short(int c)
{
    for (size_t i = 0; i < SPAMD_NOPTS; i++) {
        if (spamd_opt_table[i].short_name == c)
            return &spamd_opt_table[i];
    }
    return NULL;
}

/* getopt's complaint about argv[optind - 1] (c is '?' or ':'). */
static void
spamd_getopt_error(int c, int argc, char **argv, struct sift_err *err)
{
    const char *arg = optind - 1 < argc && optind >= 1 ? argv[optind - 1] : "?";

    if (c == ':') {
        if (optopt >= SPAMD_OPT_LONG_BASE)
            sift_err_set(err, "Option %s requires an argument",
                         spamd_opt_table[(optopt - SPAMD_OPT_LONG_BASE) / 2].name);
        else
            sift_err_set(err, "Option %c requires an argument", optopt);
    } else if (optopt >= SPAMD_OPT_LONG_BASE) {
        sift_err_set(err, "Option %s does not take an argument",
                     spamd_opt_table[(optopt - SPAMD_OPT_LONG_BASE) / 2].name);
    } else if (optopt > 0) {
        sift_err_set(err, "Unknown option: %c", optopt);
    } else {
        sift_err_set(err, "Unknown option: %s", arg + strspn(arg, "-"));
    }
}

static int
spamd_args_read(struct spamd_args *a, struct spamd_opts *o, int argc, char **argv,
                struct sift_err *refused, struct sift_err *err)
{
    bool noted[SPAMD_NOPTS] = { false };
    struct spamd_getopt g;
    int c, idx, rc = 0;

    spamd_getopt_build(&g);
    optind = 0; /* a full restart of glibc's getopt */
    opterr = 0;
    while (rc == 0) {
        const struct spamd_opt *r;
        const char *value;
        bool negated = false;

        c = getopt_long(argc, argv, g.shorts, g.longs, &idx);
        if (c == -1) {
            if (optind >= argc)
                break;
            /* a stray word (spamd's GetOptions leaves it unused), or all after "--" */
            if (strcmp(argv[optind - 1], "--") == 0 && optind > 1) {
                for (; optind < argc; optind++)
                    spamd_note(o, "argument '%s' ignored (spamd ignores it too)", argv[optind]);
                break;
            }
            spamd_note(o, "argument '%s' ignored (spamd ignores it too)", argv[optind++]);
            continue;
        }
        if (c == '?' || c == ':') {
            spamd_getopt_error(c, argc, argv, err);
            rc = -1;
            break;
        }
        if (c >= SPAMD_OPT_LONG_BASE) {
            r = &spamd_opt_table[(c - SPAMD_OPT_LONG_BASE) / 2];
            negated = (c - SPAMD_OPT_LONG_BASE) % 2 == 1;
        } else {
            r = spamd_opt_short(c);
        }
        value = optarg;
        if (r->has_arg == optional_argument && value == NULL)
            value = spamd_optional_value(argc, argv);
        rc = spamd_take(a, o, r, negated, value, &noted[r - spamd_opt_table], refused, err);
    }
    spamd_getopt_free(&g);
    return rc;
}

/* spamd makes these paths absolute before it detaches (its bug 2228). */
static char *
spamd_abs(const char *cwd, const char *path)
{
    struct buf b;
    char *s;

    if (path[0] == '/' || path[0] == '\0')
        return xstrdup(path);
    buf_init(&b);
    buf_printf(&b, "%s/%s", cwd, path);
    s = xstrdup(b.p);
    buf_clear(&b);
    return s;
}

/* A Unix socket of spamd's, with --socketowner/--socketgroup/--socketmode. */
static int
spamd_listen_unix(const struct spamd_args *a, const char *path, struct buf *out,
                  struct sift_err *err)
{
    if (strchr(path, ' ') != NULL) {
        sift_err_set(err, "socket path '%s': a path with spaces is not supported", path);
        return -1;
    }
    buf_printf(out, "%s mode=%s", path, a->socketmode != NULL ? a->socketmode : SPAMD_SOCKET_MODE);
    if (a->socketowner != NULL)
        buf_printf(out, " owner=%s", a->socketowner);
    if (a->socketgroup != NULL)
        buf_printf(out, " group=%s", a->socketgroup);
    return 0;
}

static bool
spamd_all_in(const char *s, size_t len, const char *set)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\0' || strchr(set, tolower((unsigned char)s[i])) == NULL)
            return false;
    }
    return true;
}

#define SPAMD_HOST_CHARS "abcdefghijklmnopqrstuvwxyz0123456789._-"
#define SPAMD_PORT_CHARS "abcdefghijklmnopqrstuvwxyz0123456789-"

/* spamd's address part: "[v6]", "host", a bare IPv6 address (no port then),
 * "*", or nothing (localhost); then ":PORT" or nothing. */
struct spamd_inet {
    const char *host; /* NULL: localhost */
    size_t hostlen;
    bool any, v6;
    const char *port; /* NULL: none given; may be "" */
};

static int
spamd_inet_parse(const char *s, struct spamd_inet *in)
{
    size_t k;

    memset(in, 0, sizeof(*in));
    if (s[0] == '[') {
        const char *close = strchr(s, ']');

        if (close == NULL)
            return -1;
        in->host = s + 1;
        in->hostlen = (size_t)(close - s - 1);
        in->v6 = true;
        s = close + 1;
    } else if (s[0] == '*' && (s[1] == '\0' || s[1] == ':')) {
        in->any = true;
        s++;
    } else {
        k = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
        if (s[k] == '\0' ||
            (s[k] == ':' && spamd_all_in(s + k + 1, strlen(s + k + 1), SPAMD_PORT_CHARS))) {
            in->host = k > 0 ? s : NULL;
            in->hostlen = k;
            s += k;
        } else {
            const char *pct = strchr(s, '%');
            size_t alen = pct ? (size_t)(pct - s) : strlen(s);

            /* a bare IPv6 address, which takes no port */
            if (!spamd_all_in(s, alen, "0123456789abcdef:") || strchr(s, ':') == strrchr(s, ':') ||
                (pct != NULL && !spamd_all_in(pct + 1, strlen(pct + 1), SPAMD_HOST_CHARS "~")))
                return -1;
            in->host = s;
            in->hostlen = strlen(s);
            in->v6 = true;
            return 0;
        }
    }
    if (s[0] == ':') {
        in->port = s + 1;
        return spamd_all_in(in->port, strlen(in->port), SPAMD_PORT_CHARS) ? 0 : -1;
    }
    return s[0] == '\0' ? 0 : -1;
}

/* The port of a TCP listener, as spamd picks it. */
static int
spamd_listen_port(const struct spamd_args *a, const struct spamd_inet *in, bool ssl,
                  const char *spec, unsigned *port, struct sift_err *err)
{
    const char *p = in->port;
    char *end;
    unsigned long v;

    if (p == NULL && ssl && a->ssl_port != NULL)
        p = a->ssl_port;
    if (p == NULL || p[0] == '\0')
        p = a->port;
    if (p == NULL || p[0] == '\0')
        p = SPAMD_PORT;
    v = strtoul(p, &end, 10);
    if (!isdigit((unsigned char)p[0]) || *end != '\0' || v == 0 || v > 65535) {
        sift_err_set(err, "invalid port: %s, socket: %s (a port number from 1 to 65535)", p, spec);
        return -1;
    }
    *port = (unsigned)v;
    return 0;
}

/* One of spamd's listen-socket specs as a bind_socket address. */
static int
spamd_listen_one(const struct spamd_args *a, const char *spec, struct buf *out, bool *ssl_used,
                 struct sift_err *err)
{
    const char *s = spec[0] != '\0' ? spec : "*"; /* -i alone: every address */
    struct spamd_inet in;
    unsigned port;
    bool ssl = false;

    if (strncasecmp(s, "ssl:", 4) == 0) {
        ssl = true;
        s += 4;
    }
    if (s[0] == '/') /* spamd ignores ssl: on a Unix socket */
        return spamd_listen_unix(a, s, out, err);
    if (spamd_inet_parse(s, &in) == -1) {
        sift_err_set(err, "Invalid socket specification syntax: %s", spec);
        return -1;
    }
    ssl = ssl || a->ssl == 1 || a->ssl_port != NULL;
    if (spamd_listen_port(a, &in, ssl, spec, &port, err) == -1)
        return -1;
    if (in.any)
        buf_printf(out, "%s:%u", a->family == 4 ? "0.0.0.0" : a->family == 6 ? "[::]" : "*", port);
    else if (in.host == NULL || (in.hostlen == 9 && strncasecmp(in.host, "localhost", 9) == 0))
        buf_printf(out, "%s:%u",
                   a->family == 4   ? "127.0.0.1"
                   : a->family == 6 ? "[::1]"
                                    : "localhost",
                   port);
    else if (in.v6)
        buf_printf(out, "[%.*s]:%u", (int)in.hostlen, in.host, port);
    else
        buf_printf(out, "%.*s:%u", (int)in.hostlen, in.host, port);
    if (ssl)
        buf_puts(out, " ssl");
    *ssl_used = *ssl_used || ssl;
    return 0;
}

/* workers.spamd.bind_socket from -i/--listen, --socketpath, -p, --ssl... */
static int
spamd_map_listen(const struct spamd_args *a, struct spamd_opts *o, const char *cwd, bool *ssl_used,
                 struct sift_err *err)
{
    struct spamd_list specs = { 0 }, binds = { 0 };
    char *socketpath = a->socketpath && a->socketpath[0] ? spamd_abs(cwd, a->socketpath) : NULL;
    int rc = 0;

    for (size_t i = 0; i < a->listen.n; i++)
        spamd_list_add(&specs, a->listen.v[i]);
    if (socketpath != NULL)
        spamd_list_add(&specs, socketpath);
    if (specs.n == 0)
        spamd_list_add(&specs, "localhost"); /* spamd's default: the loopback addresses */
    for (size_t i = 0; i < specs.n && rc == 0; i++) {
        struct buf b;

        buf_init(&b);
        rc = spamd_listen_one(a, specs.v[i], &b, ssl_used, err);
        if (rc == 0)
            spamd_list_add(&binds, xstrdup(b.p));
        buf_clear(&b);
    }
    if (rc == 0)
        spamd_set_list(o, "workers.spamd.bind_socket", &binds);
    for (size_t i = 0; i < binds.n; i++)
        free((char *)binds.v[i]);
    free(binds.v);
    free(specs.v);
    free(socketpath);
    return rc;
}

static int
spamd_map_tls(const struct spamd_args *a, struct spamd_opts *o, bool ssl_used, struct sift_err *err)
{
    if (a->ssl_ca_path != NULL) {
        sift_err_set(err, "--ssl-ca-path: a CA directory is not supported; give the CA "
                          "certificates as one file with --ssl-ca-file");
        return -1;
    }
    if (a->ssl_verify == 1 && a->ssl_ca_file == NULL) {
        sift_err_set(err, "--ssl-verify: needs --ssl-ca-file (the CA client certificates must "
                          "be signed by)");
        return -1;
    }
    if (!ssl_used)
        return 0;
    spamd_set(o, "workers.spamd.ssl_cert",
              a->server_cert != NULL ? a->server_cert : SPAMD_SERVER_CERT);
    spamd_set(o, "workers.spamd.ssl_key", a->server_key != NULL ? a->server_key : SPAMD_SERVER_KEY);
    if (a->ssl_ca_file != NULL)
        spamd_set(o, "workers.spamd.ssl_ca", a->ssl_ca_file);
    return 0;
}

/* -A: comma-separated, repeatable; "[::1]" and "[::1]/128" lose their brackets. */
static void
spamd_map_allowed(const struct spamd_args *a, struct spamd_opts *o)
{
    struct spamd_list nets = { 0 };

    if (a->allowed_ips.n == 0)
        return; /* spamd's default, 127.0.0.1 and ::1, is sift's */
    for (size_t i = 0; i < a->allowed_ips.n; i++) {
        const char *p = a->allowed_ips.v[i];

        while (*p != '\0') {
            size_t len = strcspn(p, ",");
            struct buf b;
            const char *close;

            buf_init(&b);
            buf_append(&b, p, len);
            close = strchr(b.p, ']');
            if (b.p[0] == '[' && close != NULL &&
                (close[1] == '\0' || (close[1] == '/' && close[2] != '\0'))) {
                memmove(b.p + (close - b.p), close + 1, strlen(close + 1) + 1);
                memmove(b.p, b.p + 1, strlen(b.p));
            }
            if (len > 0)
                spamd_list_add(&nets, xstrdup(b.p));
            buf_clear(&b);
            p += len + (p[len] == ',');
        }
    }
    spamd_set_list(o, "workers.spamd.allowed_ips", &nets);
    for (size_t i = 0; i < nets.n; i++)
        free((char *)nets.v[i]);
    free(nets.v);
}

/* spamd's 0 means no timeout; a negative value, its default (left to sift's). */
static void
spamd_map_timeout(struct spamd_opts *o, const char *key, int seconds)
{
    char v[32];

    if (seconds == SPAMD_OPT_UNSET || seconds < 0)
        return;
    if (seconds == 0)
        snprintf(v, sizeof(v), "%s", SPAMD_NO_TIMEOUT);
    else
        snprintf(v, sizeof(v), "%ds", seconds);
    spamd_set_plain(o, key, v);
}

static void
spamd_map_workers(const struct spamd_args *a, struct spamd_opts *o)
{
    char v[32];

    if (a->max_children != SPAMD_OPT_UNSET) {
        snprintf(v, sizeof(v), "%d", a->max_children < 1 ? SPAMD_MAX_CHILDREN : a->max_children);
        spamd_set_plain(o, "workers.spamd.count", v);
    }
    if (a->max_conn_per_child != SPAMD_OPT_UNSET && a->max_conn_per_child >= 1) {
        snprintf(v, sizeof(v), "%d", a->max_conn_per_child);
        spamd_set_plain(o, "workers.spamd.max_conn_per_child", v);
    }
    spamd_map_timeout(o, "workers.spamd.idle_timeout", a->timeout_tcp);
    spamd_map_timeout(o, "workers.spamd.read_timeout", a->timeout_child);
    if (a->tell == 1)
        spamd_set_plain(o, "workers.spamd.allow_tell", "yes");
}

/* Rules and user preferences. */
static int
spamd_map_rules(const struct spamd_args *a, struct spamd_opts *o, const char *cwd,
                struct sift_err *err)
{
    char *p;

    if (a->local != SPAMD_OPT_UNSET)
        spamd_set_plain(o, "rules.local_only", a->local == 1 ? "yes" : "no");
    if (a->configpath != NULL) {
        spamd_set(o, "rules.rules_dir", p = spamd_abs(cwd, a->configpath));
        free(p);
    }
    if (a->siteconfigpath != NULL) {
        spamd_set(o, "rules.site_dir", p = spamd_abs(cwd, a->siteconfigpath));
        free(p);
    }
    if (a->user_config == 0 && a->vcdir != NULL) {
        struct buf b;

        if (strstr(a->vcdir, "%x") != NULL) {
            sift_err_set(err,
                         "--virtual-config-dir=%s: %%x (the exim-style lookup) is not "
                         "supported; use %%u, %%l, %%d",
                         a->vcdir);
            return -1;
        }
        buf_init(&b);
        buf_printf(&b, "%s/user_prefs", a->vcdir);
        spamd_set(o, "rules.user_prefs", b.p);
        buf_clear(&b);
    } else {
        if (a->vcdir != NULL)
            spamd_note(o, "spamd option --virtual-config-dir accepted without effect: it "
                          "applies with -x (--nouser-config) only, as in spamd");
        spamd_set(o, "rules.user_prefs", a->user_config == 0 ? "" : SPAMD_USER_PREFS);
    }
    return 0;
}

/* -r, -u, -g: spamd writes no PID file unless told. */
static void
spamd_map_options(const struct spamd_args *a, struct spamd_opts *o, const char *cwd)
{
    char *p = spamd_abs(cwd, a->pidfile != NULL ? a->pidfile : "");

    spamd_set(o, "options.pidfile", p);
    free(p);
    if (a->username != NULL)
        spamd_set(o, "options.user", a->username);
    if (a->groupname != NULL)
        spamd_set(o, "options.group", a->groupname);
}

/* -s and --syslog-socket, read as spamd reads them: a facility, "stderr",
 * "null", "file" (./spamd.log) or, with any character but a-z0-9, a file. */
static void
spamd_map_logging(const struct spamd_args *a, struct spamd_opts *o, const char *cwd)
{
    const char *fac = a->syslog != NULL && a->syslog[0] != '\0' ? a->syslog : "mail";
    const char *sock = a->syslog_socket != NULL ? a->syslog_socket : "unix";
    const char *file = "spamd.log";
    char lfac[64];
    char *p;

    if (a->debug != NULL) {
        spamd_set_plain(o, "logging.level", "debug");
        if (a->debug[0] != '\0' && strcasecmp(a->debug, "all") != 0)
            spamd_note(o, "spamd option --debug=%s: sift logs every area at level debug", a->debug);
    }
    if (a->syslog == NULL && a->syslog_socket == NULL)
        return; /* spamd's default is sift's: syslog, facility mail */
    if (strspn(fac, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(fac)) {
        file = fac;
        sock = "file";
    } else if (strcasecmp(fac, "file") == 0) {
        sock = "file";
    }
    snprintf(lfac, sizeof(lfac), "%s", fac);
    for (char *c = lfac; *c != '\0'; c++)
        *c = (char)tolower((unsigned char)*c);
    if (strcasecmp(sock, "file") == 0)
        snprintf(lfac, sizeof(lfac), "file");
    else if (strcasecmp(sock, "none") == 0)
        snprintf(lfac, sizeof(lfac), "stderr");
    else if (a->syslog_socket != NULL && strcasecmp(sock, "unix") != 0 &&
             strcasecmp(sock, "native") != 0)
        spamd_note(o,
                   "spamd option --syslog-socket=%s accepted without effect: sift logs "
                   "through the system's syslog(3)",
                   sock);
    if (strcmp(lfac, "stderr") == 0) {
        spamd_set_plain(o, "logging.type", "stderr");
    } else if (strcmp(lfac, "null") == 0) {
        spamd_set_plain(o, "logging.type", "file");
        spamd_set(o, "logging.filename", "/dev/null");
    } else if (strcmp(lfac, "file") == 0) {
        spamd_set_plain(o, "logging.type", "file");
        spamd_set(o, "logging.filename", p = spamd_abs(cwd, file));
        free(p);
    } else {
        spamd_set_plain(o, "logging.type", "syslog");
        spamd_set(o, "logging.facility", lfac);
    }
}

static int
spamd_opts_map(const struct spamd_args *a, struct spamd_opts *o, const char *cwd,
               struct sift_err *err)
{
    bool ssl_used = false;

    /* spamd serves spamd's protocol alone */
    spamd_set_plain(o, "workers.spamd.enabled", "yes");
    spamd_set_plain(o, "workers.normal.enabled", "no");
    spamd_set_plain(o, "workers.controller.enabled", "no");
    spamd_set_plain(o, "workers.proxy.enabled", "no");
    if (spamd_map_listen(a, o, cwd, &ssl_used, err) == -1 ||
        spamd_map_tls(a, o, ssl_used, err) == -1)
        return -1;
    spamd_map_allowed(a, o);
    spamd_map_workers(a, o);
    if (spamd_map_rules(a, o, cwd, err) == -1)
        return -1;
    spamd_map_options(a, o, cwd);
    spamd_map_logging(a, o, cwd);
    for (size_t i = 0; i < a->sift_options.n; i++)
        spamd_push(&o->overrides, &o->noverrides, xstrdup(a->sift_options.v[i]));
    if (a->sift_config != NULL)
        o->sift_config = spamd_abs(cwd, a->sift_config);
    o->daemonize = a->daemonize == 1;
    return 0;
}

int
spamd_opts_parse(struct spamd_opts *o, int argc, char **argv, const char *cwd, struct sift_err *err)
{
    struct spamd_args a = { 0 };
    struct sift_err refused = { { 0 } };
    int rc;

    a.tell = a.daemonize = a.local = a.ssl = a.ssl_verify = a.help = a.version = a.family =
        SPAMD_OPT_UNSET;
    a.max_children = a.max_conn_per_child = a.timeout_tcp = a.timeout_child = SPAMD_OPT_UNSET;
    a.user_config = 1; /* spamd's default */
    rc = spamd_args_read(&a, o, argc, argv, &refused, err);
    if (rc == 0) {
        o->help = a.help == 1;
        o->version = a.version == 1;
        if (o->help || o->version) {
            rc = 0;
        } else if (refused.msg[0] != '\0') {
            *err = refused;
            rc = -1;
        } else {
            if (a.ssl_ca_file != NULL || a.ssl_ca_path != NULL)
                a.ssl_verify = 1; /* as spamd: a CA implies --ssl-verify, which implies --ssl */
            if (a.ssl_verify == 1)
                a.ssl = 1;
            rc = spamd_opts_map(&a, o, cwd, err);
        }
    }
    free(a.allowed_ips.v);
    free(a.listen.v);
    free(a.sift_options.v);
    return rc;
}

void
spamd_opts_clear(struct spamd_opts *o)
{
    for (size_t i = 0; i < o->noverrides; i++)
        free(o->overrides[i]);
    free(o->overrides);
    for (size_t i = 0; i < o->nnotes; i++)
        free(o->notes[i]);
    free(o->notes);
    free(o->sift_config);
    memset(o, 0, sizeof(*o));
}
