/*
 * siftd_main.c - siftd: load the configuration, bind, detach, drop
 * privileges, write the PID file, and hand over to the main loop.
 * Errors before the workers start are printed on stderr as one line and
 * siftd exits 1; once detached, the log is the only voice.
 * Run as sift-spamd (or siftd --spamd), it takes spamd's command line
 * instead (daemon/spamd_opts.h) and serves the spamd worker alone, logging
 * the lines tools that start spamd wait for.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/opensslv.h>
#include <zlib.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/version.h"
#include "core/xmalloc.h"
#include "daemon/classifier.h"
#include "daemon/master.h"
#include "daemon/privs.h"
#include "daemon/proctitle.h"
#include "daemon/siftd_cfg.h"
#include "daemon/spamd_opts.h"
#include "daemon/stats.h"
#include "daemon/tls.h"

#ifndef SIFT_CONFDIR
#define SIFT_CONFDIR "/etc/sift"
#endif

/* How long the starting process waits for the detached daemon to serve. */
#define SIFTD_START_WAIT 30

struct siftd_args {
    const char *prog; /* "siftd" or "sift-spamd", for messages */
    const char *config;
    const char **overrides;
    size_t noverrides;
    bool foreground;
    bool test_only;
    bool spamd;              /* spamd's command line: the spamd worker alone */
    struct spamd_opts sopts; /* its notes, for the log */
};

struct siftd {
    struct siftd_args args;
    struct master m;
    int pidfd;
    char pidpath[4096]; /* the file locked at start, whatever a reload says */
    int ready_fd;       /* detached: where to tell the starting process we serve, else -1 */
};

static void
siftd_usage(FILE *f)
{
    fprintf(f, "usage: siftd [-f] [-t] [-c FILE] [-o KEY=VALUE]...\n"
               "  -c FILE       configuration (default " SIFT_CONFDIR "/sift.yaml)\n"
               "  -o KEY=VALUE  set a key above every layer, e.g. -o workers.spamd.count=2\n"
               "  -f            stay in the foreground\n"
               "  -t            check the configuration and exit\n"
               "  -v            print the version\n");
}

static void
siftd_parse_args(int argc, char **argv, struct siftd_args *a)
{
    int c;

    a->prog = "siftd";
    a->config = xstrdup(SIFT_CONFDIR "/sift.yaml");
    while ((c = getopt(argc, argv, "c:o:ftvh")) != -1) {
        switch (c) {
        case 'c': /* copies: the process title is written over argv */
            free((char *)a->config);
            a->config = xstrdup(optarg);
            break;
        case 'o':
            a->overrides = xreallocarray(a->overrides, a->noverrides + 1, sizeof(char *));
            a->overrides[a->noverrides++] = xstrdup(optarg);
            break;
        case 'f':
            a->foreground = true;
            break;
        case 't':
            a->test_only = true;
            break;
        case 'v':
            printf("siftd %s\n", SIFT_VERSION);
            exit(0);
        case 'h':
            siftd_usage(stdout);
            exit(0);
        default:
            siftd_usage(stderr);
            exit(2);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "siftd: unexpected argument '%s'\n", argv[optind]);
        siftd_usage(stderr);
        exit(2);
    }
}

static void
siftd_add_override(struct siftd_args *a, const char *kv)
{
    a->overrides = xreallocarray(a->overrides, a->noverrides + 1, sizeof(char *));
    a->overrides[a->noverrides++] = xstrdup(kv);
}

static void
siftd_spamd_version(void)
{
    printf("SpamAssassin Server version %s (sift %s)\n", SPAMD_OPTS_SA_VERSION, SIFT_VERSION);
    printf("  running on sift %s\n", SIFT_VERSION);
    printf("  with SSL support (%s)\n", OPENSSL_VERSION_TEXT);
    printf("  with zlib support (zlib %s)\n", ZLIB_VERSION);
}

/* sift-spamd ARGS, siftd --spamd ARGS: spamd's options as overrides. */
static void
siftd_spamd_args(int argc, char **argv, struct siftd_args *a)
{
    struct spamd_opts *o = &a->sopts;
    struct sift_err err;
    char cwd[PATH_MAX];

    a->prog = "sift-spamd";
    a->spamd = true;
    if (getcwd(cwd, sizeof(cwd)) == NULL) {
        fprintf(stderr, "sift-spamd: cannot get the current directory: %s\n", strerror(errno));
        exit(1);
    }
    if (spamd_opts_parse(o, argc, argv, cwd, &err) == -1) {
        fprintf(stderr, "sift-spamd: %s\nTry 'sift-spamd --help' for the options.\n", err.msg);
        exit(2); /* spamd's status for a usage error */
    }
    if (o->help || o->version) {
        if (o->help)
            fputs(spamd_opts_usage, stdout);
        else
            siftd_spamd_version();
        exit(0);
    }
    a->config = xstrdup(o->sift_config != NULL ? o->sift_config : SIFT_CONFDIR "/sift.yaml");
    for (size_t i = 0; i < o->noverrides; i++)
        siftd_add_override(a, o->overrides[i]);
    a->foreground = !o->daemonize;
}

static void
siftd_args_free(struct siftd_args *a)
{
    for (size_t i = 0; i < a->noverrides; i++)
        free((char *)a->overrides[i]);
    free(a->overrides);
    free((char *)a->config);
    spamd_opts_clear(&a->sopts);
}

/* spamd's "server started on" list: "IO::Socket::IP [127.0.0.1]:783, UNIX
 * domain socket /run/spamd.sock". */
static void
siftd_spamd_listeners(const struct master *m, struct buf *out)
{
    for (size_t i = 0; i < m->cfg->nworkers; i++) {
        const struct worker_cfg *wc = &m->cfg->workers[i];

        for (size_t j = 0; wc->enabled && j < m->wl[i].n; j++) {
            const struct listener *l = &m->ls.v[m->wl[i].idx[j]];
            char host[NI_MAXHOST], port[NI_MAXSERV];

            if (out->len > 0)
                buf_puts(out, ", ");
            if (l->addr.ss_family == AF_UNIX) {
                buf_printf(out, "UNIX domain socket %s", l->name);
            } else if (getnameinfo((const struct sockaddr *)&l->addr, l->addrlen, host,
                                   sizeof(host), port, sizeof(port),
                                   NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
                buf_printf(out, "%s [%s]:%s",
                           tls_listener_is(wc, l->fd) ? "IO::Socket::SSL" : "IO::Socket::IP", host,
                           port);
            } else {
                buf_puts(out, l->name);
            }
        }
    }
}

static void
siftd_ready(struct master *m)
{
    struct siftd *sd = m->arg;

    if (sd->args.spamd) { /* the lines spamd's users wait for (spamd logs them after a HUP too) */
        struct buf b;

        buf_init(&b);
        siftd_spamd_listeners(m, &b);
        log_notice("spamd: server started on %s (running version %s, sift %s)", b.p,
                   SPAMD_OPTS_SA_VERSION, SIFT_VERSION);
        log_notice("spamd: server pid: %ld", (long)getpid());
        buf_clear(&b);
    }
    if (sd->ready_fd != -1) {
        (void)!write(sd->ready_fd, "R", 1);
        close(sd->ready_fd);
        sd->ready_fd = -1;
    }
}

/* Fork into the background; the parent exits when the daemon serves. */
static void
siftd_detach(struct siftd *sd)
{
    int p[2], null;
    pid_t pid;
    char b;

    if (pipe2(p, O_CLOEXEC) == -1)
        log_fatal("cannot detach: pipe: %s", strerror(errno));
    if ((pid = fork()) == -1)
        log_fatal("cannot detach: fork: %s", strerror(errno));
    if (pid > 0) {
        close(p[1]);
        alarm(SIFTD_START_WAIT);
        if (read(p[0], &b, 1) == 1)
            _exit(0);
        fprintf(stderr, "%s: the daemon stopped before it served; see its log\n", sd->args.prog);
        _exit(1);
    }
    close(p[0]);
    sd->ready_fd = p[1];
    setsid();
    if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) != -1) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        if (sd->m.cfg->logging.type != LOG_TYPE_STDERR)
            dup2(null, STDERR_FILENO);
        close(null);
    }
}

/* spamd serves spamd's protocol alone: disable the workers a
 * configuration adds beyond the stock ones (spamd_opts disables those), for
 * this start and every reload. True if sc has such workers. */
static bool
siftd_spamd_only(struct siftd_args *a, const struct siftd_cfg *sc)
{
    size_t was = a->noverrides;

    for (size_t i = 0; i < sc->nworkers; i++) {
        const struct worker_cfg *wc = &sc->workers[i];
        struct buf b;

        if (!wc->enabled || strcmp(wc->name, "spamd") == 0)
            continue;
        buf_init(&b);
        buf_printf(&b, "workers.%s.enabled=no", wc->name);
        siftd_add_override(a, b.p);
        buf_reset(&b);
        buf_printf(&b, "workers.%s is not started: sift-spamd serves workers.spamd alone",
                   wc->name);
        a->sopts.notes = xreallocarray(a->sopts.notes, a->sopts.nnotes + 1, sizeof(char *));
        a->sopts.notes[a->sopts.nnotes++] = xstrdup(b.p);
        buf_clear(&b);
    }
    return a->noverrides > was;
}

static void
siftd_load(struct siftd *sd)
{
    struct siftd_cfg *sc;
    struct sift_err err;

    if (siftd_cfg_load(sd->args.config, sd->args.overrides, sd->args.noverrides, &sc, &err) == -1) {
        fprintf(stderr, "%s: %s\n", sd->args.prog, err.msg);
        exit(1);
    }
    if (sd->args.spamd && siftd_spamd_only(&sd->args, sc)) {
        siftd_cfg_free(&sc);
        siftd_load(sd); /* again, with those workers disabled */
        return;
    }
    for (size_t i = 0; i < sc->cfg->nwarnings; i++)
        fprintf(stderr, "%s: warning: %s\n", sd->args.prog, sc->cfg->warnings[i]);
    if (siftd_cfg_enabled_workers(sc) == 0) {
        fprintf(stderr, "%s: %s: no worker is enabled: nothing to serve\n", sd->args.prog,
                sd->args.config);
        exit(1);
    }
    sd->m.cfg = sc;
}

/* Everything that needs root: PID file, data directory, sockets. */
static void
siftd_prepare(struct siftd *sd)
{
    const struct cfg_options *o = &sd->m.cfg->cfg->options;
    struct sift_err err;

    if (privs_lookup(o->user, o->group, &sd->m.pv, &err) == -1)
        log_fatal("%s", err.msg);
    if (geteuid() == 0 && !sd->m.pv.drop)
        log_warn("running as root: set options.user to a dedicated user");
    if (o->pidfile[0] != '\0') {
        if ((sd->pidfd = pidfile_open(o->pidfile, &sd->m.pv, &err)) == -1)
            log_fatal("%s", err.msg);
        snprintf(sd->pidpath, sizeof(sd->pidpath), "%s", o->pidfile);
    }
    if (privs_mkdir(o->dbdir, &sd->m.pv, 0750, &err) == -1)
        log_fatal("options.dbdir: %s", err.msg);
    if (master_bind(&sd->m, &err) == -1)
        log_fatal("%s", err.msg);
}

int
main(int argc, char **argv)
{
    struct siftd sd = { .pidfd = -1, .ready_fd = -1 };
    struct sift_err err;
    const char *prog;
    int rc;

    proctitle_init(argc, argv);
    prog = strrchr(argv[0], '/') != NULL ? strrchr(argv[0], '/') + 1 : argv[0];
    if (strcmp(prog, "sift-spamd") == 0 || strcmp(prog, "spamd") == 0) {
        siftd_spamd_args(argc, argv, &sd.args);
    } else if (argc > 1 && strcmp(argv[1], "--spamd") == 0) {
        siftd_spamd_args(argc - 1, argv + 1, &sd.args); /* "--spamd" stands for the name */
    } else {
        siftd_parse_args(argc, argv, &sd.args);
    }
    siftd_load(&sd);
    if (sd.args.test_only) {
        printf("siftd: configuration %s is OK (%zu file(s) read)\n", sd.args.config,
               sd.m.cfg->cfg->nfiles);
        siftd_cfg_free(&sd.m.cfg);
        siftd_args_free(&sd.args);
        return 0;
    }
    signal(SIGPIPE, SIG_IGN);
    if (log_setup(&sd.m.cfg->logging, &err) == -1) {
        fprintf(stderr, "%s: %s\n", sd.args.prog, err.msg);
        return 1;
    }
    /* the statistics every worker shares, before anything forks; from
     * here on warnings and errors also go to the controller's /errors */
    if (stats_setup(&sd.m.cfg->history, &err) == -1)
        log_fatal("%s", err.msg);
    log_set_sink_hook(stats_log_hook);
    for (size_t i = 0; i < sd.m.cfg->cfg->nwarnings; i++)
        log_warn("%s", sd.m.cfg->cfg->warnings[i]);
    for (size_t i = 0; i < sd.args.sopts.nnotes; i++)
        log_notice("%s", sd.args.sopts.notes[i]);
    siftd_prepare(&sd);
    if (!sd.args.foreground)
        siftd_detach(&sd);
    if (privs_drop(&sd.m.pv, &err) == -1)
        log_fatal("%s", err.msg);
    if (access(sd.m.cfg->cfg->options.dbdir, W_OK | X_OK) == -1)
        log_warn("options.dbdir %s is not writable by this process (%s): databases will fail",
                 sd.m.cfg->cfg->options.dbdir, strerror(errno));
    if (sd.pidfd != -1 && pidfile_write(sd.pidfd, getpid(), &err) == -1)
        log_fatal("%s: %s", sd.pidpath, err.msg);
    /* after the privileges go, so the pattern cache belongs to the user
     * that reloads will run as */
    if (master_load_rules(sd.m.cfg, &sd.m.rules, &err) == -1)
        log_fatal("%s", err.msg);
    /* Berkeley DB recovery, before any worker opens the store */
    if (classifier_prepare(sd.m.cfg, sd.m.rules, &err) == -1)
        log_err("bayes: %s; scans go on without Bayes until the store opens", err.msg);
    log_notice("siftd %s starting (pid %ld, config %s)", SIFT_VERSION, (long)getpid(),
               sd.args.config);
    proctitle_set("siftd", "siftd: main process (%s)", sd.args.config);
    sd.m.path = sd.args.config;
    sd.m.overrides = sd.args.overrides;
    sd.m.noverrides = sd.args.noverrides;
    sd.m.on_ready = siftd_ready;
    sd.m.arg = &sd;
    rc = master_run(&sd.m);
    if (sd.pidfd != -1)
        pidfile_remove(sd.pidpath, sd.pidfd);
    master_clear(&sd.m);
    siftd_cfg_free(&sd.m.cfg);
    siftd_args_free(&sd.args);
    return rc;
}
