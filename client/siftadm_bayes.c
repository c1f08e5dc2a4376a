/*
 * siftadm_bayes.c - siftadm bayes: look at and look after a Bayes store.
 *
 *   siftadm bayes stat    --path PREFIX          the counts, as sa-learn --dump magic
 *   siftadm bayes dump    --path PREFIX          sa-learn --backup text on stdout
 *   siftadm bayes restore --path PREFIX [FILE]   sa-learn --restore (stdin: - or none)
 *   siftadm bayes expire  --path PREFIX [--auto] [--max-db-size N]
 *                                                sa-learn --force-expire (--auto: only if due)
 *   siftadm bayes sync    --path PREFIX          apply the journal (sa-learn --sync)
 *   siftadm bayes recover --path PREFIX          recovery; only while siftd is stopped
 *   siftadm bayes lookup  --path PREFIX TOKEN... a token's counts (the token string)
 *   siftadm bayes learn   --path PREFIX          learn lines from stdin (tests, scripts):
 *       spam|ham|forget MSGID ATIME TOKEN...     one message per line; TOKEN is a token
 *                                                string, or hex:KEY for a 5-byte key
 *     prints "MSGID learned|relearned|already|forgotten|not-learned" once the
 *     learn is durable; --batch defers SA's view of the files to the end.
 * PREFIX is SpamAssassin's bayes_path: PREFIX_toks, PREFIX_seen.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/err.h"
#include "core/xmalloc.h"
#include "stat/bayes_store.h"

#include "siftadm.h"

static void
bayes_usage(FILE *f)
{
    fprintf(f, "usage: siftadm bayes stat|dump|restore|expire|sync|recover|lookup|learn "
               "--path PREFIX [ARGS]\n"
               "  stat                the counts, as sa-learn --dump magic shows them\n"
               "  dump                sa-learn --backup text on stdout\n"
               "  restore [FILE]      replace everything with a backup (stdin: - or none)\n"
               "  expire [--auto] [--max-db-size N]  expire old tokens (sa-learn "
               "--force-expire;\n"
               "                      --auto: only when due)\n"
               "  sync                apply the journal (sa-learn --sync)\n"
               "  recover             Berkeley DB recovery; only while siftd is stopped\n"
               "  lookup TOKEN...     a token's spam, ham and atime\n"
               "  learn [--batch]     learn lines 'spam|ham|forget MSGID ATIME TOKEN...' from "
               "stdin\n");
}

/* A token string's key: substr(sha1($token), -5); "hex:0a1b2c3d4e" as is. */
static int
token_key(const char *tok, struct bayes_store_key *key)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;

    if (strncmp(tok, "hex:", 4) == 0)
        return bayes_store_key_parse(tok + 4, strlen(tok + 4), key);
    EVP_Digest(tok, strlen(tok), md, &mdlen, EVP_sha1(), NULL);
    memcpy(key->b, md + mdlen - BAYES_KEY_LEN, BAYES_KEY_LEN);
    return 0;
}

static int
open_store(const char *path, unsigned flags, struct bayes_store **st)
{
    struct sift_err err;
    enum bayes_store_status rc = bayes_store_open(NULL, path, flags, NULL, st, &err);

    if (rc != BAYES_STORE_OK) {
        fprintf(stderr, "siftadm: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int
cmd_stat(const char *path)
{
    struct bayes_store *st;
    struct bayes_store_stats s;
    struct sift_err err;
    static const struct {
        const char *what;
        size_t off;
    } rows[] = {
        { "bayes db version", offsetof(struct bayes_store_stats, dbversion) },
        { "nspam", offsetof(struct bayes_store_stats, nspam) },
        { "nham", offsetof(struct bayes_store_stats, nham) },
        { "ntokens", offsetof(struct bayes_store_stats, ntokens) },
        { "oldest atime", offsetof(struct bayes_store_stats, oldest_atime) },
        { "newest atime", offsetof(struct bayes_store_stats, newest_atime) },
        { "last journal sync atime", offsetof(struct bayes_store_stats, last_journal_sync) },
        { "last expiry atime", offsetof(struct bayes_store_stats, last_expire) },
        { "last expire atime delta", offsetof(struct bayes_store_stats, last_atime_delta) },
        { "last expire reduction count", offsetof(struct bayes_store_stats, last_expire_reduce) },
    };

    if (open_store(path, BAYES_STORE_RDONLY | BAYES_STORE_NOJOURNAL, &st) == -1)
        return 1;
    if (bayes_store_stats(st, &s, &err) != BAYES_STORE_OK) {
        fprintf(stderr, "siftadm: %s\n", err.msg);
        bayes_store_close(&st);
        return 1;
    }
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        printf("0.000 %10d %10" PRIu64 " %10d  non-token data: %s\n", 0,
               *(const uint64_t *)((const char *)&s + rows[i].off), 0, rows[i].what);
    bayes_store_close(&st);
    return 0;
}

static int
cmd_dump(const char *path)
{
    struct bayes_store *st;
    struct sift_err err;
    int rc = 0;

    if (open_store(path, BAYES_STORE_RDWR, &st) == -1)
        return 1;
    if (bayes_store_backup(st, stdout, &err) != BAYES_STORE_OK) {
        fprintf(stderr, "siftadm: %s\n", err.msg);
        rc = 1;
    }
    bayes_store_close(&st);
    return rc;
}

static int
cmd_restore(const char *path, int argc, char **argv)
{
    struct bayes_store *st;
    struct sift_err err;
    FILE *in = stdin;
    int rc = 0;

    if (argc > 0 && strcmp(argv[0], "-") != 0 && (in = fopen(argv[0], "r")) == NULL) {
        perror(argv[0]);
        return 1;
    }
    if (open_store(path, BAYES_STORE_RDWR | BAYES_STORE_CREATE, &st) == -1) {
        if (in != stdin)
            fclose(in);
        return 1;
    }
    if (bayes_store_restore(st, in, &err) != BAYES_STORE_OK) {
        fprintf(stderr, "siftadm: %s\n", err.msg);
        rc = 1;
    }
    bayes_store_close(&st);
    if (in != stdin)
        fclose(in);
    return rc;
}

static int
cmd_expire(const char *path, int argc, char **argv)
{
    struct bayes_expire_cfg cfg = { .force = true };
    struct bayes_expire_result res;
    struct bayes_store *st;
    struct sift_err err;
    int rc = 0;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--auto") == 0) {
            cfg.force = false;
        } else if (strcmp(argv[i], "--max-db-size") == 0 && i + 1 < argc) {
            cfg.max_db_size = strtoull(argv[++i], NULL, 10);
        } else {
            bayes_usage(stderr);
            return 2;
        }
    }
    if (open_store(path, BAYES_STORE_RDWR, &st) == -1)
        return 1;
    if (bayes_store_expire(st, &cfg, &res, &err) != BAYES_STORE_OK) {
        fprintf(stderr, "siftadm: %s\n", err.msg);
        rc = 1;
    } else if (res.ran) {
        printf("expired old bayes database entries\n%" PRIu64 " entries kept, %" PRIu64
               " deleted\n",
               res.kept, res.deleted);
        printf("token frequency: 1-occurrence tokens: %3.2f%%\n",
               res.kept ? (double)res.hapaxes * 100 / (double)res.kept : 0.0);
        printf("token frequency: less than 8 occurrences: %3.2f%%\n",
               res.kept ? (double)res.lowfreq * 100 / (double)res.kept : 0.0);
        printf("atime delta: %" PRIu64 "\n", res.atime_delta);
    } else {
        printf("nothing expired: %s\n", res.note);
    }
    bayes_store_close(&st);
    return rc;
}

static int
cmd_sync(const char *path)
{
    struct bayes_store *st;
    struct sift_err err;
    int rc = 0;

    if (open_store(path, BAYES_STORE_RDWR, &st) == -1)
        return 1;
    if (bayes_store_sync(st, &err) != BAYES_STORE_OK) {
        fprintf(stderr, "siftadm: %s\n", err.msg);
        rc = 1;
    }
    bayes_store_close(&st);
    return rc;
}

static int
cmd_recover(const char *path)
{
    struct sift_err err;

    if (bayes_store_recover(NULL, path, NULL, &err) != BAYES_STORE_OK) {
        fprintf(stderr, "siftadm: %s\n", err.msg);
        return 1;
    }
    return 0;
}

static int
cmd_lookup(const char *path, int argc, char **argv)
{
    struct bayes_store_key *keys;
    struct bayes_store_counts *c;
    struct bayes_store *st;
    struct sift_err err;
    int rc = 0;

    if (argc == 0) {
        bayes_usage(stderr);
        return 2;
    }
    keys = xcalloc((size_t)argc, sizeof(*keys));
    c = xcalloc((size_t)argc, sizeof(*c));
    for (int i = 0; i < argc; i++) {
        if (token_key(argv[i], &keys[i]) == -1) {
            fprintf(stderr, "siftadm: %s: not a token key\n", argv[i]);
            free(keys);
            free(c);
            return 2;
        }
    }
    if (open_store(path, BAYES_STORE_RDONLY | BAYES_STORE_NOJOURNAL, &st) == -1) {
        free(keys);
        free(c);
        return 1;
    }
    if (bayes_store_lookup(st, keys, (size_t)argc, c, &err) != BAYES_STORE_OK) {
        fprintf(stderr, "siftadm: %s\n", err.msg);
        rc = 1;
    } else {
        for (int i = 0; i < argc; i++) {
            char hex[2 * BAYES_KEY_LEN + 1];

            bayes_store_key_hex(&keys[i], hex);
            printf("%s\t%" PRIu32 "\t%" PRIu32 "\t%" PRIu32 "\t%s\n", hex, c[i].spam, c[i].ham,
                   c[i].atime, argv[i]);
        }
    }
    bayes_store_close(&st);
    free(keys);
    free(c);
    return rc;
}

static const char *
status_word(enum bayes_store_status s, bool forget)
{
    switch (s) {
    case BAYES_STORE_OK:
        return forget ? "forgotten" : "learned";
    case BAYES_STORE_RELEARNED:
        return "relearned";
    case BAYES_STORE_ALREADY:
        return "already";
    case BAYES_STORE_NOT_LEARNED:
        return "not-learned";
    default:
        return "failed";
    }
}

/* One "spam|ham|forget MSGID ATIME TOKEN..." line; -1 on a store failure. */
static int
learn_line(struct bayes_store *st, char *line, struct bayes_store_key **keys, size_t *cap)
{
    struct bayes_store_msg m = { 0 };
    enum bayes_store_status rc;
    struct sift_err err;
    char *save = NULL, *verb, *tok;

    verb = strtok_r(line, " \t\r\n", &save);
    m.msgid = strtok_r(NULL, " \t\r\n", &save);
    tok = strtok_r(NULL, " \t\r\n", &save);
    if (verb == NULL || m.msgid == NULL || tok == NULL) {
        fprintf(stderr, "siftadm: learn: expected 'spam|ham|forget MSGID ATIME TOKEN...'\n");
        return 0;
    }
    m.atime = (uint32_t)strtoul(tok, NULL, 10);
    while ((tok = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
        if (m.nkeys == *cap) {
            *cap = *cap ? 2 * *cap : 512;
            *keys = xreallocarray(*keys, *cap, sizeof(**keys));
        }
        if (token_key(tok, &(*keys)[m.nkeys]) == 0)
            m.nkeys++;
    }
    m.keys = *keys;
    if (strcmp(verb, "forget") == 0)
        rc = bayes_store_forget(st, &m, &err);
    else if (strcmp(verb, "spam") == 0 || strcmp(verb, "ham") == 0)
        rc = bayes_store_learn(st, &m, verb[0] == 's', &err);
    else {
        fprintf(stderr, "siftadm: learn: %s: not spam, ham or forget\n", verb);
        return 0;
    }
    if (rc == BAYES_STORE_FAIL) {
        fprintf(stderr, "siftadm: %s\n", err.msg);
        return -1;
    }
    printf("%s %s\n", m.msgid, status_word(rc, verb[0] == 'f'));
    fflush(stdout);
    return 0;
}

static int
cmd_learn(const char *path, int argc, char **argv)
{
    struct bayes_store_key *keys = NULL;
    struct bayes_store *st;
    struct sift_err err;
    char *line = NULL;
    size_t cap = 0, lcap = 0;
    int rc = 0;

    if (open_store(path, BAYES_STORE_RDWR | BAYES_STORE_CREATE, &st) == -1)
        return 1;
    if (argc > 0 && strcmp(argv[0], "--batch") == 0)
        bayes_store_batch(st, true);
    while (getline(&line, &lcap, stdin) > 0) {
        if (learn_line(st, line, &keys, &cap) == -1) {
            rc = 1;
            break;
        }
    }
    if (bayes_store_flush(st, &err) != BAYES_STORE_OK) {
        fprintf(stderr, "siftadm: %s\n", err.msg);
        rc = 1;
    }
    bayes_store_close(&st);
    free(line);
    free(keys);
    return rc;
}

int
adm_bayes(const struct adm *a, int argc, char **argv)
{
    const char *cmd, *path = NULL;
    char **rest;
    int nrest = 0, rc = 2;

    (void)a;
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        bayes_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    cmd = argv[1];
    /* --path anywhere after the subcommand; the rest are its arguments */
    rest = xcalloc((size_t)argc, sizeof(char *));
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--path") == 0 && i + 1 < argc)
            path = argv[++i];
        else if (strncmp(argv[i], "--path=", 7) == 0)
            path = argv[i] + 7;
        else
            rest[nrest++] = argv[i];
    }
    if (path == NULL)
        fprintf(stderr, "siftadm: bayes %s: --path PREFIX is required\n", cmd);
    else if (strcmp(cmd, "stat") == 0)
        rc = cmd_stat(path);
    else if (strcmp(cmd, "dump") == 0)
        rc = cmd_dump(path);
    else if (strcmp(cmd, "restore") == 0)
        rc = cmd_restore(path, nrest, rest);
    else if (strcmp(cmd, "expire") == 0)
        rc = cmd_expire(path, nrest, rest);
    else if (strcmp(cmd, "sync") == 0)
        rc = cmd_sync(path);
    else if (strcmp(cmd, "recover") == 0)
        rc = cmd_recover(path);
    else if (strcmp(cmd, "lookup") == 0)
        rc = cmd_lookup(path, nrest, rest);
    else if (strcmp(cmd, "learn") == 0)
        rc = cmd_learn(path, nrest, rest);
    else
        bayes_usage(stderr);
    free(rest);
    return rc;
}
