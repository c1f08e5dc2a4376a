/*
 * siftadm.c - sift's admin tool: check, dump and document the
 * configuration, and make password hashes for the controller.
 *
 *   siftadm [-c FILE] [-o KEY=VALUE]... configtest
 *   siftadm [-c FILE] [-o KEY=VALUE]... configdump [SECTION]
 *   siftadm confighelp [KEY]
 *   siftadm pw [--check HASH]
 */
#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/cfg_tree.h"
#include "core/cfg_yaml.h"
#include "core/log.h"
#include "core/version.h"
#include "core/xmalloc.h"
#include "daemon/siftd_cfg.h"

#include "siftadm.h"

#ifndef SIFT_CONFDIR
#define SIFT_CONFDIR "/etc/sift"
#endif

static void
adm_usage(FILE *f)
{
    fprintf(f, "usage: siftadm [-c FILE] [-o KEY=VALUE]... COMMAND [ARGS]\n"
               "commands:\n"
               "  configtest          load the configuration with every layer; exit 1 on an error\n"
               "  configdump [SECTION] print the merged configuration as YAML\n"
               "  confighelp [KEY]    document a key, a section (e.g. workers.spamd) or all keys\n"
               "  pw [--check HASH]   hash a controller password (argon2id), or check one\n"
               "  inspect [--json] FILE...  show a message as the scanner sees it (headers,\n"
               "                      parts, the body/rawbody/uri views, relays)\n"
               "  scan [--report|--json] [--local] [FILE...]  scan messages (stdin: -) with the\n"
               "                      configured rules and print score, action and rules hit\n"
               "  rules [--skipped] [--local] [--yaml FILE]  load the rules: what was read,\n"
               "                      translated and left out (and why), evals missing; --yaml\n"
               "                      writes the translated rules as native YAML (-: stdout)\n"
               "  bayes stat|dump|restore|expire|sync|recover|lookup|learn --path PREFIX\n"
               "                      look at and look after a Bayes store (siftadm bayes -h)\n"
               "options:\n"
               "  -c FILE             configuration (default " SIFT_CONFDIR "/sift.yaml)\n"
               "  -o KEY=VALUE        set a key above every layer, as siftd -o does\n");
}

static struct siftd_cfg *
adm_load(const struct adm *a)
{
    struct siftd_cfg *sc;
    struct sift_err err;

    if (siftd_cfg_load(a->config, a->overrides, a->noverrides, &sc, &err) == -1) {
        fprintf(stderr, "siftadm: %s\n", err.msg);
        return NULL;
    }
    return sc;
}

static int
adm_configtest(const struct adm *a, int argc, char **argv)
{
    struct siftd_cfg *sc;

    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "siftadm: configtest takes no argument\n");
        return 2;
    }
    if ((sc = adm_load(a)) == NULL)
        return 1;
    for (size_t i = 0; i < sc->cfg->nwarnings; i++)
        fprintf(stderr, "siftadm: warning: %s\n", sc->cfg->warnings[i]);
    printf("siftadm: configuration %s is OK (%zu file(s) read, %zu warning(s))\n", a->config,
           sc->cfg->nfiles, sc->cfg->nwarnings);
    siftd_cfg_free(&sc);
    return 0;
}

static int
adm_configdump(const struct adm *a, int argc, char **argv)
{
    struct siftd_cfg *sc;
    const struct cfg_node *n;
    struct buf out;

    if (argc > 2) {
        fprintf(stderr, "siftadm: configdump takes at most one section\n");
        return 2;
    }
    if ((sc = adm_load(a)) == NULL)
        return 1;
    n = sc->cfg->root;
    if (argc == 2 && (n = cfg_lookup(sc->cfg->root, argv[1])) == NULL) {
        fprintf(stderr, "siftadm: %s: not set in the configuration\n", argv[1]);
        siftd_cfg_free(&sc);
        return 1;
    }
    buf_init(&out);
    cfg_yaml_dump(n, &out);
    fwrite(out.p, 1, out.len, stdout);
    buf_clear(&out);
    siftd_cfg_free(&sc);
    return 0;
}

static int
adm_confighelp(const struct adm *a, int argc, char **argv)
{
    struct buf out;
    int rc = 0;

    (void)a;
    buf_init(&out);
    if (argc > 2) {
        fprintf(stderr, "siftadm: confighelp takes at most one key\n");
        return 2;
    }
    if (siftd_cfg_help(argc == 2 ? argv[1] : NULL, &out) == -1) {
        fprintf(stderr, "siftadm: %s: no such configuration key\n", argv[1]);
        rc = 1;
    } else {
        fwrite(out.p, 1, out.len, stdout);
    }
    buf_clear(&out);
    return rc;
}

/* Read one line (a password) from the terminal without echo, or from stdin. */
static int
adm_read_secret(const char *prompt, char *out, size_t outlen)
{
    struct termios old, quiet;
    bool tty = isatty(STDIN_FILENO);
    size_t n;

    if (tty) {
        fprintf(stderr, "%s", prompt);
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    if (fgets(out, (int)outlen, stdin) == NULL)
        out[0] = '\0';
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fprintf(stderr, "\n");
    }
    n = strcspn(out, "\r\n");
    out[n] = '\0';
    return n > 0 ? 0 : -1;
}

static int
adm_pw(const struct adm *a, int argc, char **argv)
{
    char pw[1024], again[1024] = "", hash[crypto_pwhash_STRBYTES];
    const char *check = NULL;

    (void)a;
    if (argc == 3 && strcmp(argv[1], "--check") == 0)
        check = argv[2];
    else if (argc != 1) {
        fprintf(stderr, "usage: siftadm pw [--check HASH]\n");
        return 2;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "siftadm: cannot initialise libsodium\n");
        return 1;
    }
    if (adm_read_secret("Password: ", pw, sizeof(pw)) == -1) {
        fprintf(stderr, "siftadm: empty password\n");
        return 1;
    }
    if (check != NULL) {
        bool ok = crypto_pwhash_str_verify(check, pw, strlen(pw)) == 0;

        sodium_memzero(pw, sizeof(pw));
        printf("%s\n", ok ? "password matches" : "password does not match");
        return ok ? 0 : 1;
    }
    if (isatty(STDIN_FILENO) &&
        (adm_read_secret("Again: ", again, sizeof(again)) == -1 || strcmp(pw, again) != 0)) {
        fprintf(stderr, "siftadm: the passwords differ\n");
        return 1;
    }
    if (crypto_pwhash_str(hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        fprintf(stderr, "siftadm: out of memory hashing the password\n");
        return 1;
    }
    sodium_memzero(pw, sizeof(pw));
    sodium_memzero(again, sizeof(again));
    printf("%s\n", hash);
    return 0;
}

static const struct {
    const char *name;
    int (*run)(const struct adm *a, int argc, char **argv);
} adm_cmds[] = {
    { "configtest", adm_configtest }, { "configdump", adm_configdump },
    { "confighelp", adm_confighelp }, { "pw", adm_pw },
    { "inspect", adm_inspect },       { "scan", adm_scan },
    { "rules", adm_rules },           { "bayes", adm_bayes },
};

int
main(int argc, char **argv)
{
    struct adm a = { .config = SIFT_CONFDIR "/sift.yaml" };
    const char *cmd;
    int c, rc = -1;

    log_set_process("siftadm");
    while ((c = getopt(argc, argv, "+c:o:hv")) != -1) {
        switch (c) {
        case 'c':
            a.config = optarg;
            break;
        case 'o':
            a.overrides = xreallocarray(a.overrides, a.noverrides + 1, sizeof(char *));
            a.overrides[a.noverrides++] = optarg;
            break;
        case 'v':
            printf("siftadm %s\n", SIFT_VERSION);
            return 0;
        case 'h':
            adm_usage(stdout);
            return 0;
        default:
            adm_usage(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        adm_usage(stderr);
        return 2;
    }
    cmd = argv[optind];
    argc -= optind;
    argv += optind;
    for (size_t i = 0; i < sizeof(adm_cmds) / sizeof(adm_cmds[0]); i++) {
        if (strcmp(cmd, adm_cmds[i].name) == 0)
            rc = adm_cmds[i].run(&a, argc, argv);
    }
    if (rc == -1) {
        fprintf(stderr, "siftadm: unknown command '%s'\n", cmd);
        adm_usage(stderr);
        rc = 2;
    }
    free(a.overrides);
    return rc;
}
