/*
 * bayes_store.c - the backend-neutral half of the Bayes store: the backend
 * table, argument checks, and the `sa-learn --backup` text format (written
 * from a backend's iterate, read into an image for its replace), as
 * BayesStore/DBM.pm's backup_database and restore_database define it.
 */
#include "stat/bayes_store.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "core/xmalloc.h"

#include "stat/bayes_bdb.h"

static const struct {
    const char *name;
    enum bayes_store_status (*open)(const char *path, unsigned flags,
                                    const struct bayes_store_opts *opts, struct bayes_store **out,
                                    struct sift_err *err);
    enum bayes_store_status (*recover)(const char *path, const struct bayes_store_opts *opts,
                                       struct sift_err *err);
} bayes_backends[] = {
    { "bdb", bayes_bdb_open, bayes_bdb_recover },
};

static size_t
backend_find(const char *name, struct sift_err *err)
{
    if (name == NULL)
        name = "bdb";
    for (size_t i = 0; i < sizeof(bayes_backends) / sizeof(bayes_backends[0]); i++) {
        if (strcmp(bayes_backends[i].name, name) == 0)
            return i;
    }
    sift_err_set(err, "bayes: unknown store backend '%s'", name);
    return SIZE_MAX;
}

enum bayes_store_status
bayes_store_open(const char *backend, const char *path, unsigned flags,
                 const struct bayes_store_opts *opts, struct bayes_store **out,
                 struct sift_err *err)
{
    size_t i = backend_find(backend, err);

    *out = NULL;
    if (i == SIZE_MAX)
        return BAYES_STORE_FAIL;
    if ((flags & BAYES_STORE_CREATE) && !(flags & BAYES_STORE_RDWR)) {
        sift_err_set(err, "bayes: %s: CREATE needs RDWR", path);
        return BAYES_STORE_FAIL;
    }
    return bayes_backends[i].open(path, flags, opts, out, err);
}

void
bayes_store_close(struct bayes_store **stp)
{
    if (*stp == NULL)
        return;
    (*stp)->ops->close(*stp);
    *stp = NULL;
}

enum bayes_store_status
bayes_store_recover(const char *backend, const char *path, const struct bayes_store_opts *opts,
                    struct sift_err *err)
{
    size_t i = backend_find(backend, err);

    if (i == SIZE_MAX)
        return BAYES_STORE_FAIL;
    return bayes_backends[i].recover(path, opts, err);
}

static bool
writable(struct bayes_store *st, const char *what, struct sift_err *err)
{
    if (st->flags & BAYES_STORE_RDWR)
        return true;
    sift_err_set(err, "bayes: %s: the store is open read-only", what);
    return false;
}

enum bayes_store_status
bayes_store_stats(struct bayes_store *st, struct bayes_store_stats *out, struct sift_err *err)
{
    return st->ops->stats(st, out, err);
}

enum bayes_store_status
bayes_store_lookup(struct bayes_store *st, const struct bayes_store_key *keys, size_t n,
                   struct bayes_store_counts *out, struct sift_err *err)
{
    if (n == 0)
        return BAYES_STORE_OK;
    return st->ops->lookup(st, keys, n, out, err);
}

enum bayes_store_status
bayes_store_seen_get(struct bayes_store *st, const char *msgid, enum bayes_store_seen *out,
                     struct sift_err *err)
{
    *out = BAYES_SEEN_NONE;
    if (msgid == NULL || *msgid == '\0')
        return BAYES_STORE_OK;
    return st->ops->seen_get(st, msgid, out, err);
}

static bool
msg_ok(const struct bayes_store_msg *m, struct sift_err *err)
{
    if (m->msgid == NULL || *m->msgid == '\0') {
        sift_err_set(err, "bayes: learn: no message id");
        return false;
    }
    if (m->nkeys > 0 && m->keys == NULL) {
        sift_err_set(err, "bayes: learn: no keys");
        return false;
    }
    return true;
}

enum bayes_store_status
bayes_store_learn(struct bayes_store *st, const struct bayes_store_msg *m, bool spam,
                  struct sift_err *err)
{
    if (!writable(st, "learn", err) || !msg_ok(m, err))
        return BAYES_STORE_FAIL;
    return st->ops->learn(st, m, spam, err);
}

enum bayes_store_status
bayes_store_forget(struct bayes_store *st, const struct bayes_store_msg *m, struct sift_err *err)
{
    if (!writable(st, "forget", err) || !msg_ok(m, err))
        return BAYES_STORE_FAIL;
    return st->ops->forget(st, m, err);
}

enum bayes_store_status
bayes_store_touch(struct bayes_store *st, const struct bayes_store_key *keys, size_t n,
                  uint32_t atime, struct sift_err *err)
{
    if (n == 0)
        return BAYES_STORE_OK;
    return st->ops->touch(st, keys, n, atime, err);
}

enum bayes_store_status
bayes_store_sync(struct bayes_store *st, struct sift_err *err)
{
    if (!writable(st, "sync", err))
        return BAYES_STORE_FAIL;
    return st->ops->sync(st, err);
}

void
bayes_store_batch(struct bayes_store *st, bool on)
{
    st->batch = on && (st->flags & BAYES_STORE_RDWR);
}

enum bayes_store_status
bayes_store_flush(struct bayes_store *st, struct sift_err *err)
{
    return st->ops->flush(st, err);
}

enum bayes_store_status
bayes_store_expire(struct bayes_store *st, const struct bayes_expire_cfg *cfg,
                   struct bayes_expire_result *res, struct sift_err *err)
{
    memset(res, 0, sizeof(*res));
    if (!writable(st, "expire", err))
        return BAYES_STORE_FAIL;
    return st->ops->expire(st, cfg, res, err);
}

enum bayes_store_status
bayes_store_iterate(struct bayes_store *st, const struct bayes_store_visitor *v,
                    struct sift_err *err)
{
    return st->ops->iterate(st, v, err);
}

enum bayes_store_status
bayes_store_replace(struct bayes_store *st, const struct bayes_store_image *img,
                    struct sift_err *err)
{
    if (!writable(st, "restore", err))
        return BAYES_STORE_FAIL;
    for (size_t i = 0; i < img->nseen; i++) {
        if (img->seen[i].cls != 's' && img->seen[i].cls != 'h') {
            sift_err_set(err, "bayes: restore: seen entry %zu: class '%c'", i, img->seen[i].cls);
            return BAYES_STORE_FAIL;
        }
    }
    return st->ops->replace(st, img, err);
}

/* ---- keys ---- */

void
bayes_store_key_hex(const struct bayes_store_key *key, char hex[2 * BAYES_KEY_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < BAYES_KEY_LEN; i++) {
        hex[2 * i] = digits[key->b[i] >> 4];
        hex[2 * i + 1] = digits[key->b[i] & 15];
    }
    hex[2 * BAYES_KEY_LEN] = '\0';
}

static int
hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int
bayes_store_key_parse(const char *hex, size_t len, struct bayes_store_key *key)
{
    if (len != 2 * BAYES_KEY_LEN)
        return -1;
    for (size_t i = 0; i < BAYES_KEY_LEN; i++) {
        int hi = hexval((unsigned char)hex[2 * i]), lo = hexval((unsigned char)hex[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return -1;
        key->b[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

/* ---- images ---- */

void
bayes_store_image_init(struct bayes_store_image *img)
{
    memset(img, 0, sizeof(*img));
}

void
bayes_store_image_clear(struct bayes_store_image *img)
{
    for (size_t i = 0; i < img->nseen; i++)
        free(img->seen[i].msgid);
    free(img->seen);
    free(img->tokens);
    memset(img, 0, sizeof(*img));
}

void
bayes_store_image_add_token(struct bayes_store_image *img, const struct bayes_store_key *key,
                            const struct bayes_store_counts *c)
{
    if (img->ntokens == img->tokens_cap) {
        img->tokens_cap = img->tokens_cap ? 2 * img->tokens_cap : 1024;
        img->tokens = xreallocarray(img->tokens, img->tokens_cap, sizeof(*img->tokens));
    }
    img->tokens[img->ntokens].key = *key;
    img->tokens[img->ntokens].c = *c;
    img->ntokens++;
}

void
bayes_store_image_add_seen(struct bayes_store_image *img, const char *msgid, size_t len, char cls)
{
    if (img->nseen == img->seen_cap) {
        img->seen_cap = img->seen_cap ? 2 * img->seen_cap : 256;
        img->seen = xreallocarray(img->seen, img->seen_cap, sizeof(*img->seen));
    }
    img->seen[img->nseen].msgid = xstrndup(msgid, len);
    img->seen[img->nseen].cls = cls;
    img->nseen++;
}

/* ---- backup ---- */

static int
backup_vars(void *arg, const struct bayes_store_stats *s, struct sift_err *err)
{
    FILE *out = arg;

    (void)err;
    fprintf(out, "v\t%" PRIu64 "\tdb_version # this must be the first line!!!\n", s->dbversion);
    fprintf(out, "v\t%" PRIu64 "\tnum_spam\n", s->nspam);
    fprintf(out, "v\t%" PRIu64 "\tnum_nonspam\n", s->nham);
    return 0;
}

static int
backup_token(void *arg, const struct bayes_store_key *key, const struct bayes_store_counts *c,
             struct sift_err *err)
{
    char hex[2 * BAYES_KEY_LEN + 1];

    (void)err;
    bayes_store_key_hex(key, hex);
    fprintf(arg, "t\t%" PRIu32 "\t%" PRIu32 "\t%" PRIu32 "\t%s\n", c->spam, c->ham, c->atime, hex);
    return 0;
}

static int
backup_seen(void *arg, const char *msgid, size_t len, char cls, struct sift_err *err)
{
    FILE *out = arg;

    (void)err;
    fprintf(out, "s\t%c\t", cls);
    fwrite(msgid, 1, len, out);
    fputc('\n', out);
    return 0;
}

enum bayes_store_status
bayes_store_backup(struct bayes_store *st, FILE *out, struct sift_err *err)
{
    struct bayes_store_visitor v = { backup_vars, backup_token, backup_seen, out };

    if (st->ops->iterate(st, &v, err) != BAYES_STORE_OK)
        return BAYES_STORE_FAIL;
    if (fflush(out) != 0 || ferror(out)) {
        sift_err_set(err, "bayes: backup: write error: %s", strerror(errno));
        return BAYES_STORE_FAIL;
    }
    return BAYES_STORE_OK;
}

/* ---- restore ---- */

/* Perl's split(/\s+/, $line, limit) for a line that starts with a
 * non-space: at most limit fields, the last one the rest of the line. */
static size_t
split_ws(char *line, char **f, size_t limit)
{
    size_t n = 0;
    char *p = line;

    while (*p != '\0' && n < limit) {
        f[n++] = p;
        if (n == limit)
            break;
        while (*p != '\0' && !isspace((unsigned char)*p))
            p++;
        if (*p == '\0')
            break;
        *p++ = '\0';
        while (isspace((unsigned char)*p))
            p++;
    }
    return n;
}

/* Perl's numeric value of a string, as far as these files need it: an
 * optional sign and leading digits, anything else 0. */
static int64_t
perl_num(const char *s)
{
    bool neg = false;
    int64_t v = 0;

    while (isspace((unsigned char)*s))
        s++;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    while (isdigit((unsigned char)*s)) {
        if (v < INT64_MAX / 10)
            v = v * 10 + (*s - '0');
        s++;
    }
    return neg ? -v : v;
}

static uint32_t
clamp32(int64_t v)
{
    return v < 0 ? 0 : v > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void
parse_token(char *line, unsigned version, int64_t now, struct bayes_store_image *img)
{
    char *f[5];
    struct bayes_store_key key;
    struct bayes_store_counts c;
    int64_t spam, ham, atime;

    if (split_ws(line, f, 5) < 5)
        return;
    spam = perl_num(f[1]);
    ham = perl_num(f[2]);
    atime = perl_num(f[3]);
    if (spam <= 0 && ham <= 0)
        return; /* negative counts read as 0; nothing left: skipped */
    if (atime > now)
        atime = now;
    if (version < 3) {
        /* version 2 backups hold the token text */
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned mdlen = 0;

        EVP_Digest(f[4], strlen(f[4]), md, &mdlen, EVP_sha1(), NULL);
        memcpy(key.b, md + mdlen - BAYES_KEY_LEN, BAYES_KEY_LEN);
    } else if (bayes_store_key_parse(f[4], strlen(f[4]), &key) == -1) {
        return;
    }
    c.spam = clamp32(spam);
    c.ham = clamp32(ham);
    c.atime = clamp32(atime);
    bayes_store_image_add_token(img, &key, &c);
}

int
bayes_store_parse_backup(FILE *in, struct bayes_store_image *img, struct sift_err *err)
{
    char *line = NULL, *f[3];
    size_t cap = 0;
    ssize_t len;
    unsigned version;
    bool have_spam = false, have_ham = false;
    int64_t now = (int64_t)time(NULL);

    if ((len = getline(&line, &cap, in)) <= 0) {
        sift_err_set(err, "bayes: restore: empty backup file");
        free(line);
        return -1;
    }
    if (split_ws(line, f, 3) < 3 || strcmp(f[0], "v") != 0 || strncmp(f[2], "db_version", 10) ||
        !isdigit((unsigned char)f[1][0])) {
        sift_err_set(err, "bayes: restore: the first line must be the db_version line");
        free(line);
        return -1;
    }
    version = (unsigned)perl_num(f[1]);
    if (version != 2 && version != 3) {
        sift_err_set(err, "bayes: restore: database version %u is unsupported, must be 2 or 3",
                     version);
        free(line);
        return -1;
    }
    while ((len = getline(&line, &cap, in)) > 0) {
        if (line[len - 1] == '\n')
            line[--len] = '\0';
        if (line[0] == '\0' || line[1] == '\0' || !isspace((unsigned char)line[1]))
            continue; /* SA: "skipping unknown line" */
        if (line[0] == 'v') {
            if (split_ws(line, f, 3) < 3)
                continue;
            if (strcmp(f[2], "num_spam") == 0) {
                img->nspam = (uint64_t)(perl_num(f[1]) < 0 ? 0 : perl_num(f[1]));
                have_spam = true;
            } else if (strcmp(f[2], "num_nonspam") == 0) {
                img->nham = (uint64_t)(perl_num(f[1]) < 0 ? 0 : perl_num(f[1]));
                have_ham = true;
            }
        } else if (line[0] == 't') {
            parse_token(line, version, now, img);
        } else if (line[0] == 's') {
            if (split_ws(line, f, 3) < 3 || (strcmp(f[1], "h") != 0 && strcmp(f[1], "s") != 0))
                continue;
            bayes_store_image_add_seen(img, f[2], strlen(f[2]), f[1][0]);
        }
    }
    free(line);
    if (ferror(in)) {
        sift_err_set(err, "bayes: restore: read error: %s", strerror(errno));
        return -1;
    }
    if (!have_spam || !have_ham) {
        sift_err_set(err, "bayes: restore: no %s line", have_spam ? "num_nonspam" : "num_spam");
        return -1;
    }
    return 0;
}

enum bayes_store_status
bayes_store_restore(struct bayes_store *st, FILE *in, struct sift_err *err)
{
    struct bayes_store_image img;
    enum bayes_store_status rc;

    if (!writable(st, "restore", err))
        return BAYES_STORE_FAIL;
    bayes_store_image_init(&img);
    if (bayes_store_parse_backup(in, &img, err) == -1) {
        bayes_store_image_clear(&img);
        return BAYES_STORE_FAIL;
    }
    rc = bayes_store_replace(st, &img, err);
    bayes_store_image_clear(&img);
    return rc;
}
