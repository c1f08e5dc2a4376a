/*
 * test_bayes_bdb.c - the Bayes store in SpamAssassin's DBM files: value
 * packing, magic values, learn/relearn/forget counts, seen, the journal,
 * expiry, backup and restore, SA's lock, files changed behind the
 * environment's back, refusing a damaged or foreign file without touching
 * it, and a learner killed in the middle. The files are read back with a
 * plain Berkeley DB handle outside the environment, as SA's DB_File reads
 * them.
 */
#include "stat/bayes_bdb.h"

#include <db.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "stat/bayes_store.h"

#include "../unit.h"

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

static char dir[PATH_MAX];
static char prefix[PATH_MAX + 16];

static void
setup(void)
{
    unit_tmpdir(dir);
    snprintf(prefix, sizeof(prefix), "%s/bayes", dir);
}

static void
teardown(void)
{
    unit_rmtree(dir);
}

/* ---- helpers ---- */

static struct bayes_store_key
key_of(const char *word)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    struct bayes_store_key k;

    EVP_Digest(word, strlen(word), md, &mdlen, EVP_sha1(), NULL);
    memcpy(k.b, md + mdlen - BAYES_KEY_LEN, BAYES_KEY_LEN);
    return k;
}

static struct bayes_store *
open_ok(unsigned flags)
{
    struct bayes_store *st = NULL;
    struct sift_err err;

    if (bayes_store_open("bdb", prefix, flags, NULL, &st, &err) != BAYES_STORE_OK)
        ck_abort_msg("open: %s", err.msg);
    return st;
}

static struct bayes_store *
create_ok(void)
{
    return open_ok(BAYES_STORE_RDWR | BAYES_STORE_CREATE);
}

/* Learn the space-separated words as one message. */
static enum bayes_store_status
learn_words(struct bayes_store *st, const char *msgid, const char *alt, bool spam, uint32_t atime,
            const char *words)
{
    struct bayes_store_key keys[64];
    struct bayes_store_msg m = { keys, 0, msgid, alt, atime };
    char buf[1024], *save = NULL;
    struct sift_err err;
    enum bayes_store_status rc;

    snprintf(buf, sizeof(buf), "%s", words);
    for (char *w = strtok_r(buf, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save))
        keys[m.nkeys++] = key_of(w);
    rc = bayes_store_learn(st, &m, spam, &err);
    ck_assert_msg(rc != BAYES_STORE_FAIL, "learn %s: %s", msgid, err.msg);
    return rc;
}

static enum bayes_store_status
forget_words(struct bayes_store *st, const char *msgid, const char *words)
{
    struct bayes_store_key keys[64];
    struct bayes_store_msg m = { keys, 0, msgid, NULL, 0 };
    char buf[1024], *save = NULL;
    struct sift_err err;
    enum bayes_store_status rc;

    snprintf(buf, sizeof(buf), "%s", words);
    for (char *w = strtok_r(buf, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save))
        keys[m.nkeys++] = key_of(w);
    rc = bayes_store_forget(st, &m, &err);
    ck_assert_msg(rc != BAYES_STORE_FAIL, "forget %s: %s", msgid, err.msg);
    return rc;
}

static struct bayes_store_counts
lookup_word(struct bayes_store *st, const char *word)
{
    struct bayes_store_key k = key_of(word);
    struct bayes_store_counts c;
    struct sift_err err;

    if (bayes_store_lookup(st, &k, 1, &c, &err) != BAYES_STORE_OK)
        ck_abort_msg("lookup: %s", err.msg);
    return c;
}

static struct bayes_store_stats
stats_of(struct bayes_store *st)
{
    struct bayes_store_stats s;
    struct sift_err err;

    if (bayes_store_stats(st, &s, &err) != BAYES_STORE_OK)
        ck_abort_msg("stats: %s", err.msg);
    return s;
}

static enum bayes_store_seen
seen_of(struct bayes_store *st, const char *msgid)
{
    enum bayes_store_seen s;
    struct sift_err err;

    if (bayes_store_seen_get(st, msgid, &s, &err) != BAYES_STORE_OK)
        ck_abort_msg("seen: %s", err.msg);
    return s;
}

#define ck_counts(c, s, h, a)                                                                      \
    do {                                                                                           \
        struct bayes_store_counts c_ = (c);                                                        \
        ck_assert_uint_eq(c_.spam, (s));                                                           \
        ck_assert_uint_eq(c_.ham, (h));                                                            \
        ck_assert_uint_eq(c_.atime, (a));                                                          \
    } while (0)

/* A file read as SA's DB_File reads it: no environment. */
static DB *
raw_open(const char *suffix, u_int32_t flags)
{
    char path[PATH_MAX * 2];
    DB *db;

    snprintf(path, sizeof(path), "%s%s", prefix, suffix);
    ck_assert_int_eq(db_create(&db, NULL, 0), 0);
    if (db->open(db, NULL, path, NULL, DB_HASH, flags, 0600) != 0) {
        db->close(db, 0);
        return NULL;
    }
    return db;
}

static int
raw_get(DB *db, const void *key, size_t klen, char *val, size_t cap)
{
    DBT k = { 0 }, d = { 0 };

    k.data = (void *)key;
    k.size = (u_int32_t)klen;
    if (db->get(db, NULL, &k, &d, 0) != 0)
        return -1;
    if (d.size >= cap)
        return -1;
    memcpy(val, d.data, d.size);
    val[d.size] = '\0';
    return (int)d.size;
}

static void
raw_put(DB *db, const void *key, size_t klen, const void *val, size_t vlen)
{
    DBT k = { 0 }, d = { 0 };

    k.data = (void *)key;
    k.size = (u_int32_t)klen;
    d.data = (void *)val;
    d.size = (u_int32_t)vlen;
    ck_assert_int_eq(db->put(db, NULL, &k, &d, 0), 0);
}

static void
raw_put_magic(DB *db, const char *name, const char *val)
{
    char k[64];

    memcpy(k, BAYES_BDB_MAGIC, BAYES_BDB_MAGIC_LEN);
    memcpy(k + BAYES_BDB_MAGIC_LEN, name, strlen(name));
    raw_put(db, k, BAYES_BDB_MAGIC_LEN + strlen(name), val, strlen(val));
}

static long
raw_magic(DB *db, const char *name)
{
    char k[64], v[64];

    memcpy(k, BAYES_BDB_MAGIC, BAYES_BDB_MAGIC_LEN);
    memcpy(k + BAYES_BDB_MAGIC_LEN, name, strlen(name));
    if (raw_get(db, k, BAYES_BDB_MAGIC_LEN + strlen(name), v, sizeof(v)) < 0)
        return -1;
    return strtol(v, NULL, 10);
}

static char *
read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p;
    long n;

    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* ---- packing ---- */

static const struct {
    uint32_t spam, ham, atime;
    size_t len;
    const char *bytes;
} pack_cases[] = {
    /* spec 2.3's examples from a database SA wrote */
    { 0, 1, 1763978400, 5, "\xc1\xa0\x2c\x24\x69" },
    { 1, 0, 1058995800, 5, "\xc8\x58\xfe\x1e\x3f" },
    { 7, 7, 0, 5, "\xff\x00\x00\x00\x00" },
    { 8, 0, 1, 13, "\x00\x08\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00" },
    { 0, 8, 2, 13, "\x00\x00\x00\x00\x00\x08\x00\x00\x00\x02\x00\x00\x00" },
    { 70000, 3, 0x01020304, 13, "\x00\x70\x11\x01\x00\x03\x00\x00\x00\x04\x03\x02\x01" },
};

START_TEST(pack_and_unpack_both_formats)
{
    struct bayes_store_counts c = { pack_cases[_i].spam, pack_cases[_i].ham, pack_cases[_i].atime };
    struct bayes_store_counts back;
    uint8_t out[BAYES_BDB_PACK_MAX];
    size_t n = bayes_bdb_pack(&c, out);

    ck_assert_uint_eq(n, pack_cases[_i].len);
    ck_assert_mem_eq(out, pack_cases[_i].bytes, n);
    ck_assert_int_eq(bayes_bdb_unpack(out, n, &back), 0);
    ck_counts(back, c.spam, c.ham, c.atime);
}
END_TEST

START_TEST(unpack_odd_values_as_sa_does)
{
    struct bayes_store_counts c;

    /* 0x40 and 0x80: "unknown packing format ... please re-learn": (0,0,0) */
    ck_assert_int_eq(bayes_bdb_unpack("\x41\x01\x02\x03\x04", 5, &c), -1);
    ck_counts(c, 0, 0, 0);
    ck_assert_int_eq(bayes_bdb_unpack("\x80\x01\x02\x03\x04", 5, &c), -1);
    /* too short for the atime: unpack gives undef, read as 0 */
    ck_assert_int_eq(bayes_bdb_unpack("\xc9\x01", 2, &c), 0);
    ck_counts(c, 1, 1, 0);
    ck_assert_int_eq(bayes_bdb_unpack("\x00\x09\x00\x00\x00", 5, &c), 0);
    ck_counts(c, 9, 0, 0);
    ck_assert_int_eq(bayes_bdb_unpack("", 0, &c), 0);
    ck_counts(c, 0, 0, 0);
}
END_TEST

START_TEST(key_hex_round_trip)
{
    struct bayes_store_key k = key_of("noon"), back;
    char hex[2 * BAYES_KEY_LEN + 1];

    bayes_store_key_hex(&k, hex);
    ck_assert_str_eq(hex, "f6f57db0c1"); /* spec 2.2: token "noon" */
    ck_assert_int_eq(bayes_store_key_parse("F6F57DB0C1", 10, &back), 0);
    ck_assert_mem_eq(back.b, k.b, BAYES_KEY_LEN);
    ck_assert_int_eq(bayes_store_key_parse("f6f57db0c", 9, &back), -1);
    ck_assert_int_eq(bayes_store_key_parse("f6f57db0cg", 10, &back), -1);
}
END_TEST

/* ---- a new database ---- */

START_TEST(new_database_in_sa_layout)
{
    struct bayes_store *st = create_ok();
    struct bayes_store_stats s = stats_of(st);
    char path[PATH_MAX * 2];
    DB *db;

    ck_assert_uint_eq(s.dbversion, 3);
    ck_assert_uint_eq(s.ntokens, 0);
    ck_assert_uint_eq(s.nspam, 0);
    bayes_store_close(&st);
    ck_assert_ptr_null(st);
    snprintf(path, sizeof(path), "%s_seen", prefix);
    ck_assert_int_eq(access(path, F_OK), 0);
    /* what SA's tie_db_writable writes into a new one, readable without us */
    db = raw_open("_toks", DB_RDONLY);
    ck_assert_ptr_nonnull(db);
    ck_assert_int_eq(raw_magic(db, "DBVERSION"), 3);
    ck_assert_int_eq(raw_magic(db, "NTOKENS"), 0);
    ck_assert_int_eq(raw_magic(db, "NSPAM"), -1);
    db->close(db, 0);
}
END_TEST

START_TEST(missing_database_without_create)
{
    struct bayes_store *st = NULL;
    char nodir[PATH_MAX * 2];
    struct sift_err err;

    ck_assert_int_eq(bayes_store_open("bdb", prefix, BAYES_STORE_RDONLY, NULL, &st, &err),
                     BAYES_STORE_MISSING);
    ck_assert_ptr_null(st);
    ck_assert_int_eq(bayes_store_open("bdb", prefix, BAYES_STORE_RDWR, NULL, &st, &err),
                     BAYES_STORE_MISSING);
    /* nor its directory: still "missing", and nothing to recover */
    snprintf(nodir, sizeof(nodir), "%s/no/such/dir/bayes", dir);
    ck_assert_int_eq(bayes_store_open("bdb", nodir, BAYES_STORE_RDONLY, NULL, &st, &err),
                     BAYES_STORE_MISSING);
    ck_assert_int_eq(bayes_store_recover("bdb", nodir, NULL, &err), BAYES_STORE_OK);
    ck_assert_int_eq(bayes_store_open("nosuch", prefix, BAYES_STORE_RDWR, NULL, &st, &err),
                     BAYES_STORE_FAIL);
    ck_assert_ptr_nonnull(strstr(err.msg, "unknown store backend"));
}
END_TEST

START_TEST(db_suffixed_files_are_used)
{
    struct bayes_store *st;
    char path[PATH_MAX * 2];
    DB *db;

    /* a database SA made with the .db names (DB_EXTENSIONS) */
    db = raw_open("_toks.db", DB_CREATE);
    raw_put_magic(db, "DBVERSION", "3");
    raw_put_magic(db, "NSPAM", "12");
    db->close(db, 0);
    st = open_ok(BAYES_STORE_RDWR);
    ck_assert_uint_eq(stats_of(st).nspam, 12);
    learn_words(st, "m1", NULL, true, 1000, "alpha");
    bayes_store_close(&st);
    snprintf(path, sizeof(path), "%s_seen.db", prefix);
    ck_assert_int_eq(access(path, F_OK), 0);
    snprintf(path, sizeof(path), "%s_toks", prefix);
    ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

/* ---- learning ---- */

START_TEST(learn_counts_tokens_messages_and_ages)
{
    struct bayes_store *st = create_ok();
    struct bayes_store_stats s;

    ck_assert_int_eq(learn_words(st, "m1", NULL, false, 1000, "aa bb cc aa"), BAYES_STORE_OK);
    ck_assert_int_eq(learn_words(st, "m2", NULL, true, 2000, "bb cc dd"), BAYES_STORE_OK);
    s = stats_of(st);
    ck_assert_uint_eq(s.nspam, 1);
    ck_assert_uint_eq(s.nham, 1);
    ck_assert_uint_eq(s.ntokens, 4);
    ck_assert_uint_eq(s.oldest_atime, 1000);
    ck_assert_uint_eq(s.newest_atime, 2000);
    ck_counts(lookup_word(st, "aa"), 0, 1, 1000); /* a repeated key counts once */
    ck_counts(lookup_word(st, "bb"), 1, 1, 2000);
    ck_counts(lookup_word(st, "dd"), 1, 0, 2000);
    ck_counts(lookup_word(st, "zz"), 0, 0, 0);
    ck_assert_int_eq(seen_of(st, "m1"), BAYES_SEEN_HAM);
    ck_assert_int_eq(seen_of(st, "m2"), BAYES_SEEN_SPAM);
    ck_assert_int_eq(seen_of(st, "m3"), BAYES_SEEN_NONE);
    bayes_store_close(&st);
}
END_TEST

START_TEST(atime_never_goes_back_and_future_is_now)
{
    struct bayes_store *st = create_ok();
    uint32_t now = (uint32_t)time(NULL);
    struct bayes_store_counts c;

    learn_words(st, "m1", NULL, true, 5000, "aa");
    learn_words(st, "m2", NULL, true, 3000, "aa bb");
    ck_counts(lookup_word(st, "aa"), 2, 0, 5000);
    ck_counts(lookup_word(st, "bb"), 1, 0, 3000);
    ck_assert_uint_eq(stats_of(st).oldest_atime, 3000);
    learn_words(st, "m3", NULL, true, now + 3 * 86400, "cc");
    c = lookup_word(st, "cc");
    ck_assert(c.atime >= now && c.atime <= now + 5);
    learn_words(st, "m4", NULL, true, now + 3600, "dd"); /* under a day ahead: kept */
    ck_counts(lookup_word(st, "dd"), 1, 0, now + 3600);
    bayes_store_close(&st);
}
END_TEST

START_TEST(learning_twice_is_already_learned)
{
    struct bayes_store *st = create_ok();
    char lock[PATH_MAX * 2];

    ck_assert_int_eq(learn_words(st, "m1", NULL, true, 1000, "aa bb"), BAYES_STORE_OK);
    ck_assert_int_eq(learn_words(st, "m1", NULL, true, 1000, "aa bb"), BAYES_STORE_ALREADY);
    /* the Message-ID header's id is checked too (SA checks both) */
    ck_assert_int_eq(learn_words(st, "gen2", "m1", true, 1000, "aa bb"), BAYES_STORE_ALREADY);
    snprintf(lock, sizeof(lock), "%s.lock", prefix);
    ck_assert_int_eq(access(lock, F_OK), -1); /* SA's lock is let go whatever the result */
    ck_assert_uint_eq(stats_of(st).nspam, 1);
    ck_counts(lookup_word(st, "aa"), 1, 0, 1000);
    ck_assert_int_eq(seen_of(st, "gen2"), BAYES_SEEN_NONE);
    bayes_store_close(&st);
}
END_TEST

START_TEST(relearning_moves_the_counts)
{
    struct bayes_store *st = create_ok();
    struct bayes_store_stats s;

    learn_words(st, "m1", NULL, false, 1000, "aa bb");
    learn_words(st, "m2", NULL, false, 1500, "bb cc");
    ck_assert_int_eq(learn_words(st, "m1", NULL, true, 2000, "aa bb"), BAYES_STORE_RELEARNED);
    s = stats_of(st);
    ck_assert_uint_eq(s.nspam, 1);
    ck_assert_uint_eq(s.nham, 1);
    ck_assert_uint_eq(s.ntokens, 3);
    /* "aa" went to 0/0 (deleted) and was learned anew: its old atime is gone */
    ck_counts(lookup_word(st, "aa"), 1, 0, 2000);
    ck_counts(lookup_word(st, "bb"), 1, 1, 2000);
    ck_assert_int_eq(seen_of(st, "m1"), BAYES_SEEN_SPAM);
    /* under the header id: the entry found is the one replaced */
    learn_words(st, "m3", NULL, true, 1000, "dd");
    ck_assert_int_eq(learn_words(st, "gen3", "m3", false, 1000, "dd"), BAYES_STORE_RELEARNED);
    ck_assert_int_eq(seen_of(st, "m3"), BAYES_SEEN_NONE);
    ck_assert_int_eq(seen_of(st, "gen3"), BAYES_SEEN_HAM);
    ck_counts(lookup_word(st, "dd"), 0, 1, 1000);
    bayes_store_close(&st);
}
END_TEST

START_TEST(forget_undoes_a_learn)
{
    struct bayes_store *st = create_ok();
    struct bayes_store_stats s;

    learn_words(st, "m1", NULL, true, 1000, "aa bb");
    learn_words(st, "m2", NULL, true, 2000, "bb cc");
    ck_assert_int_eq(forget_words(st, "m2", "bb cc"), BAYES_STORE_OK);
    s = stats_of(st);
    ck_assert_uint_eq(s.nspam, 1);
    ck_assert_uint_eq(s.ntokens, 2);
    ck_counts(lookup_word(st, "bb"), 1, 0, 2000); /* the atime stays */
    ck_counts(lookup_word(st, "cc"), 0, 0, 0);
    ck_assert_int_eq(seen_of(st, "m2"), BAYES_SEEN_NONE);
    ck_assert_int_eq(forget_words(st, "m2", "bb cc"), BAYES_STORE_NOT_LEARNED);
    /* a token that is not there floors at 0 and stays away */
    ck_assert_int_eq(forget_words(st, "m1", "aa bb zz"), BAYES_STORE_OK);
    s = stats_of(st);
    ck_assert_uint_eq(s.nspam, 0);
    ck_assert_uint_eq(s.ntokens, 0);
    bayes_store_close(&st);
}
END_TEST

START_TEST(counts_of_eight_use_the_long_packing)
{
    struct bayes_store *st = create_ok();
    struct bayes_store_key k = key_of("often");
    char id[16], v[32];
    DB *db;

    for (int i = 0; i < 9; i++) {
        snprintf(id, sizeof(id), "m%d", i);
        learn_words(st, id, NULL, true, 1000 + (uint32_t)i, "often");
    }
    bayes_store_close(&st);
    /* the file is current once closed: read it as SA does */
    db = raw_open("_toks", DB_RDONLY);
    ck_assert_ptr_nonnull(db);
    ck_assert_int_eq(raw_get(db, k.b, BAYES_KEY_LEN, v, sizeof(v)), 13);
    ck_assert_mem_eq(v, "\x00\x09\x00\x00\x00\x00\x00\x00\x00\xf0\x03\x00\x00", 13);
    ck_assert_int_eq(raw_magic(db, "NSPAM"), 9);
    ck_assert_int_eq(raw_magic(db, "NHAM"), 0);
    ck_assert_int_eq(raw_magic(db, "NTOKENS"), 1);
    ck_assert_int_eq(raw_magic(db, "NEWESTAGE"), 1008);
    ck_assert_int_eq(raw_magic(db, "OLDESTAGE"), 1000);
    db->close(db, 0);
}
END_TEST

/* SA may open the files the moment a learn returns: they are current. */
START_TEST(files_are_current_when_a_learn_returns)
{
    struct bayes_store *st = create_ok();
    struct bayes_store_key k = key_of("aa");
    char v[32];
    DB *db;

    for (int i = 0; i < 50; i++) {
        char id[16];

        snprintf(id, sizeof(id), "m%d", i);
        learn_words(st, id, NULL, i % 2, 1000 + (uint32_t)i, "aa bb cc dd ee ff gg");
    }
    db = raw_open("_toks", DB_RDONLY);
    ck_assert_ptr_nonnull(db);
    ck_assert_int_eq(raw_magic(db, "NSPAM"), 25);
    ck_assert_int_eq(raw_magic(db, "NHAM"), 25);
    ck_assert_int_eq(raw_magic(db, "NTOKENS"), 7);
    ck_assert_int_eq(raw_get(db, k.b, BAYES_KEY_LEN, v, sizeof(v)), 13);
    db->close(db, 0);
    /* batch mode: after flush */
    bayes_store_batch(st, true);
    learn_words(st, "b1", NULL, true, 5000, "aa");
    ck_assert_int_eq(bayes_store_flush(st, NULL), BAYES_STORE_OK);
    db = raw_open("_toks", DB_RDONLY);
    ck_assert_int_eq(raw_magic(db, "NSPAM"), 26);
    ck_assert_int_eq(raw_magic(db, "NEWESTAGE"), 5000);
    db->close(db, 0);
    bayes_store_close(&st);
}
END_TEST

START_TEST(read_only_handle_refuses_writes)
{
    struct bayes_store *st = create_ok();
    struct bayes_store_key k = key_of("aa");
    struct bayes_store_msg m = { &k, 1, "m1", NULL, 1000 };
    struct sift_err err;

    bayes_store_close(&st);
    st = open_ok(BAYES_STORE_RDONLY);
    ck_assert_int_eq(bayes_store_learn(st, &m, true, &err), BAYES_STORE_FAIL);
    ck_assert_ptr_nonnull(strstr(err.msg, "read-only"));
    bayes_store_close(&st);
}
END_TEST

/* ---- refusing files ---- */

START_TEST(garbage_file_is_refused_and_left_alone)
{
    char path[PATH_MAX * 2], junk[8192];
    struct bayes_store *st = NULL;
    struct sift_err err;
    size_t len;
    char *after;
    FILE *f;

    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (char)(i * 7 + 3);
    snprintf(path, sizeof(path), "%s_toks", prefix);
    f = fopen(path, "wb");
    fwrite(junk, 1, sizeof(junk), f);
    fclose(f);
    ck_assert_int_eq(
        bayes_store_open("bdb", prefix, BAYES_STORE_RDWR | BAYES_STORE_CREATE, NULL, &st, &err),
        BAYES_STORE_FAIL);
    ck_assert_ptr_null(st);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a Berkeley DB hash database"));
    ck_assert_int_eq(bayes_store_open("bdb", prefix, BAYES_STORE_RDONLY, NULL, &st, &err),
                     BAYES_STORE_FAIL);
    after = read_all(path, &len);
    ck_assert_uint_eq(len, sizeof(junk));
    ck_assert_mem_eq(after, junk, len);
    free(after);
}
END_TEST

static void
check_refused_unchanged(const char *why)
{
    char path[PATH_MAX * 2];
    struct bayes_store *st = NULL;
    struct sift_err err;
    size_t len0, len1;
    char *before, *after;

    snprintf(path, sizeof(path), "%s_toks", prefix);
    before = read_all(path, &len0);
    ck_assert_int_eq(
        bayes_store_open("bdb", prefix, BAYES_STORE_RDWR | BAYES_STORE_CREATE, NULL, &st, &err),
        BAYES_STORE_FAIL);
    ck_assert_msg(strstr(err.msg, why) != NULL, "%s", err.msg);
    ck_assert_int_eq(bayes_store_open("bdb", prefix, BAYES_STORE_RDONLY, NULL, &st, &err),
                     BAYES_STORE_FAIL);
    ck_assert_int_eq(bayes_store_recover("bdb", prefix, NULL, &err), BAYES_STORE_FAIL);
    after = read_all(path, &len1);
    ck_assert_uint_eq(len0, len1);
    ck_assert_mem_eq(before, after, len0);
    free(before);
    free(after);
}

START_TEST(wrong_version_is_refused_and_left_alone)
{
    DB *db = raw_open("_toks", DB_CREATE);

    raw_put_magic(db, "DBVERSION", "2");
    raw_put_magic(db, "NSPAM", "5");
    db->close(db, 0);
    check_refused_unchanged("a version 2 Bayes database");
}
END_TEST

START_TEST(version_0_database_is_refused)
{
    DB *db = raw_open("_toks", DB_CREATE);

    /* tokens and DB version 0's "**NSPAM" keys, no DBVERSION */
    raw_put(db, "**NSPAM", 7, "4", 1);
    raw_put(db, "abcde", 5, "\xc8\0\0\0\0", 5);
    db->close(db, 0);
    check_refused_unchanged("a version 0 Bayes database");
}
END_TEST

START_TEST(btree_file_is_refused)
{
    char path[PATH_MAX * 2];
    DB *db;

    snprintf(path, sizeof(path), "%s_toks", prefix);
    ck_assert_int_eq(db_create(&db, NULL, 0), 0);
    ck_assert_int_eq(db->open(db, NULL, path, NULL, DB_BTREE, DB_CREATE, 0600), 0);
    raw_put(db, "k", 1, "v", 1);
    db->close(db, 0);
    check_refused_unchanged("not a Berkeley DB hash database");
}
END_TEST

/* ---- backup and restore ---- */

static char *
backup_text(struct bayes_store *st, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    struct sift_err err;

    ck_assert_int_eq(bayes_store_backup(st, f, &err), BAYES_STORE_OK);
    fclose(f);
    return text;
}

static int
line_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines in sorted order, joined: hash order differs between files. */
static char *
sorted_lines(char *text)
{
    char *lines[4096], *save = NULL, *out;
    size_t n = 0, len = 0;

    for (char *l = strtok_r(text, "\n", &save); l != NULL && n < 4096;
         l = strtok_r(NULL, "\n", &save)) {
        lines[n++] = l;
        len += strlen(l) + 1;
    }
    qsort(lines, n, sizeof(lines[0]), line_cmp);
    out = calloc(1, len + 1);
    for (size_t i = 0; i < n; i++) {
        strcat(out, lines[i]);
        strcat(out, "\n");
    }
    return out;
}

START_TEST(backup_restore_round_trip)
{
    struct bayes_store *st = create_ok();
    char *text, *again, *a, *b, other[sizeof(prefix)];
    struct bayes_store_stats s;
    struct sift_err err;
    size_t len, len2;
    FILE *in;

    learn_words(st, "m1", NULL, false, 1000, "aa bb cc");
    learn_words(st, "m2", NULL, true, 2000, "bb cc dd ee");
    for (int i = 0; i < 9; i++) {
        char id[16];

        snprintf(id, sizeof(id), "x%d", i);
        learn_words(st, id, NULL, true, 3000, "ff");
    }
    text = backup_text(st, &len);
    ck_assert_ptr_nonnull(strstr(text, "v\t3\tdb_version # this must be the first line!!!\n"
                                       "v\t10\tnum_spam\nv\t1\tnum_nonspam\n"));
    ck_assert_ptr_nonnull(strstr(text, "s\ts\tm2\n"));
    ck_assert_ptr_nonnull(strstr(text, "s\th\tm1\n"));
    bayes_store_close(&st);

    /* into another database */
    snprintf(other, sizeof(other), "%s", prefix);
    strcat(prefix, "2");
    st = create_ok();
    learn_words(st, "old", NULL, true, 1, "gone");
    in = fmemopen(text, len, "r");
    ck_assert_int_eq(bayes_store_restore(st, in, &err), BAYES_STORE_OK);
    fclose(in);
    s = stats_of(st);
    ck_assert_uint_eq(s.nspam, 10);
    ck_assert_uint_eq(s.nham, 1);
    ck_assert_uint_eq(s.ntokens, 6);
    ck_assert_uint_eq(s.oldest_atime, 1000);
    ck_assert_uint_eq(s.newest_atime, 3000);
    ck_counts(lookup_word(st, "gone"), 0, 0, 0);
    ck_counts(lookup_word(st, "ff"), 9, 0, 3000);
    ck_assert_int_eq(seen_of(st, "old"), BAYES_SEEN_NONE);
    ck_assert_int_eq(seen_of(st, "m2"), BAYES_SEEN_SPAM);
    again = backup_text(st, &len2);
    a = sorted_lines(text);
    b = sorted_lines(again);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    free(text);
    free(again);
    bayes_store_close(&st);
    snprintf(prefix, sizeof(prefix), "%s", other);
}
END_TEST

static const struct {
    const char *text;
    const char *err; /* NULL: parses */
} parse_cases[] = {
    { "v\t3\tdb_version\nv\t1\tnum_spam\nv\t2\tnum_nonspam\n", NULL },
    { "", "empty backup file" },
    { "v\t1\tnum_spam\nv\t3\tdb_version\n", "first line" },
    { "v\t4\tdb_version\nv\t1\tnum_spam\nv\t2\tnum_nonspam\n", "version 4 is unsupported" },
    { "v\t3\tdb_version\nv\t1\tnum_spam\n", "no num_nonspam" },
    { "v\t3\tdb_version\nv\t2\tnum_nonspam\n", "no num_spam" },
};

START_TEST(parse_backup_checks_like_sa)
{
    struct bayes_store_image img;
    struct sift_err err;
    FILE *in = fmemopen((void *)parse_cases[_i].text, strlen(parse_cases[_i].text) + 1, "r");
    int rc;

    bayes_store_image_init(&img);
    /* fmemopen of "" with size 1 gives one NUL byte: use an empty stream */
    if (parse_cases[_i].text[0] == '\0') {
        fclose(in);
        in = fopen("/dev/null", "r");
    }
    rc = bayes_store_parse_backup(in, &img, &err);
    fclose(in);
    if (parse_cases[_i].err == NULL)
        ck_assert_int_eq(rc, 0);
    else {
        ck_assert_int_eq(rc, -1);
        ck_assert_msg(strstr(err.msg, parse_cases[_i].err) != NULL, "%s", err.msg);
    }
    bayes_store_image_clear(&img);
}
END_TEST

START_TEST(parse_backup_token_rules)
{
    static const char text[] = "v 3 db_version\n"
                               "v 5 num_spam\n"
                               "v 6 num_nonspam\n"
                               "t 1 2 100 0102030405\n"
                               "t 0 0 100 0102030406\n"        /* zero counts: skipped */
                               "t -3 2 100 0102030407\n"       /* negative: 0 */
                               "t 1 1 9999999999 0102030408\n" /* future: now */
                               "t 1 1 100 zz\n"                /* not hex: skipped */
                               "s h some id with spaces\n"
                               "s x bad-flag\n"
                               "junk line\n";
    struct bayes_store_image img;
    struct sift_err err;
    FILE *in = fmemopen((void *)text, strlen(text), "r");
    uint32_t now = (uint32_t)time(NULL);

    bayes_store_image_init(&img);
    ck_assert_int_eq(bayes_store_parse_backup(in, &img, &err), 0);
    fclose(in);
    ck_assert_uint_eq(img.nspam, 5);
    ck_assert_uint_eq(img.nham, 6);
    ck_assert_uint_eq(img.ntokens, 3);
    ck_counts(img.tokens[0].c, 1, 2, 100);
    ck_counts(img.tokens[1].c, 0, 2, 100);
    ck_assert(img.tokens[2].c.atime >= now && img.tokens[2].c.atime <= now + 5);
    ck_assert_uint_eq(img.nseen, 1);
    ck_assert_str_eq(img.seen[0].msgid, "some id with spaces");
    bayes_store_image_clear(&img);
}
END_TEST

START_TEST(parse_backup_version_2_hashes_tokens)
{
    static const char text[] = "v\t2\tdb_version\nv\t0\tnum_spam\nv\t1\tnum_nonspam\n"
                               "t\t0\t1\t50\tnoon\n";
    struct bayes_store_image img;
    struct sift_err err;
    FILE *in = fmemopen((void *)text, strlen(text), "r");
    struct bayes_store_key k = key_of("noon");

    bayes_store_image_init(&img);
    ck_assert_int_eq(bayes_store_parse_backup(in, &img, &err), 0);
    fclose(in);
    ck_assert_uint_eq(img.ntokens, 1);
    ck_assert_mem_eq(img.tokens[0].key.b, k.b, BAYES_KEY_LEN);
    bayes_store_image_clear(&img);
}
END_TEST

START_TEST(restore_failure_changes_nothing)
{
    struct bayes_store *st = create_ok();
    static const char bad[] = "v\t3\tdb_version\nv\t1\tnum_spam\n";
    struct sift_err err;
    FILE *in = fmemopen((void *)bad, strlen(bad), "r");

    learn_words(st, "m1", NULL, true, 1000, "aa");
    ck_assert_int_eq(bayes_store_restore(st, in, &err), BAYES_STORE_FAIL);
    fclose(in);
    ck_assert_uint_eq(stats_of(st).nspam, 1);
    ck_counts(lookup_word(st, "aa"), 1, 0, 1000);
    bayes_store_close(&st);
}
END_TEST

/* ---- the journal ---- */

static void
append_journal(const char *text)
{
    char path[PATH_MAX * 2];
    FILE *f;

    snprintf(path, sizeof(path), "%s_journal", prefix);
    f = fopen(path, "a");
    fputs(text, f);
    fclose(f);
}

START_TEST(touch_goes_to_the_journal_and_a_writer_applies_it)
{
    struct bayes_store *st = create_ok();
    struct bayes_store_key keys[3] = { key_of("aa"), key_of("bb"), key_of("nothere") };
    struct bayes_store *ro = NULL;
    char path[PATH_MAX * 2], hex[16], line[128];
    struct bayes_store_stats s;
    struct sift_err err;
    time_t t0 = time(NULL);

    learn_words(st, "m1", NULL, true, 1000, "aa bb cc");
    bayes_store_close(&st);
    st = open_ok(BAYES_STORE_RDONLY | BAYES_STORE_NOJOURNAL);
    ck_assert_int_eq(bayes_store_touch(st, keys, 3, 5000, &err), BAYES_STORE_OK);
    ck_assert_int_eq(bayes_store_touch(st, keys, 1, 4000, &err), BAYES_STORE_OK);
    ck_counts(lookup_word(st, "aa"), 1, 0, 1000); /* not yet */
    bayes_store_close(&st);
    /* SA's other journal lines, as bayes_learn_to_journal writes them */
    bayes_store_key_hex(&keys[0], hex);
    snprintf(line, sizeof(line), "c 2 1 7000 %s\nn 2 1\nm h jid\nm s m2\nm f m2\ngarbage\n", hex);
    append_journal(line);
    /* a read-only open refuses to read around a pending journal */
    ck_assert_int_eq(bayes_store_open("bdb", prefix, BAYES_STORE_RDONLY, NULL, &ro, &err),
                     BAYES_STORE_FAIL);
    ck_assert_ptr_nonnull(strstr(err.msg, "journal"));
    st = open_ok(BAYES_STORE_RDWR);
    snprintf(path, sizeof(path), "%s_journal", prefix);
    ck_assert_int_eq(access(path, F_OK), -1);
    ck_counts(lookup_word(st, "aa"), 3, 1, 7000);
    ck_counts(lookup_word(st, "bb"), 1, 0, 5000);
    ck_counts(lookup_word(st, "nothere"), 0, 0, 0);
    s = stats_of(st);
    ck_assert_uint_eq(s.nspam, 3);
    ck_assert_uint_eq(s.nham, 1);
    ck_assert_uint_eq(s.ntokens, 3);
    ck_assert_uint_eq(s.newest_atime, 7000);
    ck_assert(s.last_journal_sync >= (uint64_t)t0);
    ck_assert_int_eq(seen_of(st, "jid"), BAYES_SEEN_HAM);
    ck_assert_int_eq(seen_of(st, "m2"), BAYES_SEEN_NONE);
    bayes_store_close(&st);
}
END_TEST

START_TEST(journal_old_left_by_sa_is_not_applied)
{
    struct bayes_store *st = create_ok();
    struct bayes_store_key k = key_of("aa");
    char old[PATH_MAX * 2], hex[16], line[64];
    struct sift_err err;

    learn_words(st, "m1", NULL, true, 1000, "aa");
    bayes_store_close(&st);
    /* SA renames the journal to .old before applying it and never reads a
     * .old again: one left behind may be half applied */
    bayes_store_key_hex(&k, hex);
    snprintf(old, sizeof(old), "%s_journal.old", prefix);
    snprintf(line, sizeof(line), "c 5 0 1000 %s\n", hex);
    unit_write(dir, "bayes_journal.old", line);
    st = open_ok(BAYES_STORE_RDWR);
    ck_counts(lookup_word(st, "aa"), 1, 0, 1000);
    ck_assert_int_eq(bayes_store_sync(st, &err), BAYES_STORE_OK);
    ck_counts(lookup_word(st, "aa"), 1, 0, 1000);
    bayes_store_close(&st);
    ck_assert_int_eq(access(old, F_OK), 0);
}
END_TEST

/* ---- expiry ---- */

/* 100000 fresh tokens, 10000 1.5 days old, 10500 20 days old. */
static void
expiry_fixture(struct bayes_store *st, uint32_t newest)
{
    struct bayes_store_image img;
    struct bayes_store_counts c;
    struct bayes_store_key k;
    struct sift_err err;

    bayes_store_image_init(&img);
    img.nspam = 300;
    img.nham = 400;
    for (uint32_t i = 0; i < 120500; i++) {
        k.b[0] = (uint8_t)(i >> 24);
        k.b[1] = (uint8_t)(i >> 16);
        k.b[2] = (uint8_t)(i >> 8);
        k.b[3] = (uint8_t)i;
        k.b[4] = 0x5a;
        c.spam = i % 3;
        c.ham = 1 + i % 2;
        c.atime = i < 100000   ? newest - i % 100
                  : i < 110000 ? newest - 3 * 43200
                               : newest - 20 * 43200;
        bayes_store_image_add_token(&img, &k, &c);
    }
    ck_assert_int_eq(bayes_store_replace(st, &img, &err), BAYES_STORE_OK);
    bayes_store_image_clear(&img);
}

START_TEST(expiry_as_sa_learn_force_expire)
{
    struct bayes_store *st = create_ok();
    uint32_t newest = (uint32_t)time(NULL) - 1000;
    struct bayes_expire_cfg cfg = { 0 };
    struct bayes_expire_result res;
    struct bayes_store_stats s;
    struct bayes_store_key k;
    struct bayes_store_counts c;
    struct sift_err err;

    expiry_fixture(st, newest);
    /* not due: fewer tokens than bayes_expiry_max_db_size (150000) */
    ck_assert_int_eq(bayes_store_expire(st, &cfg, &res, &err), BAYES_STORE_OK);
    ck_assert(!res.ran);
    ck_assert_str_eq(res.note, "expiry is not due");
    /* keep max(0.75 * 100000, 100000): remove 20500; the search from 12 h
     * up finds that 12 h removes exactly that */
    cfg.force = true;
    cfg.max_db_size = 100000;
    ck_assert_int_eq(bayes_store_expire(st, &cfg, &res, &err), BAYES_STORE_OK);
    ck_assert_msg(res.ran, "%s", res.note);
    ck_assert_uint_eq(res.kept, 100000);
    ck_assert_uint_eq(res.deleted, 20500);
    ck_assert_uint_eq(res.atime_delta, 43200);
    s = stats_of(st);
    ck_assert_uint_eq(s.ntokens, 100000);
    ck_assert_uint_eq(s.nspam, 300);
    ck_assert_uint_eq(s.nham, 400);
    ck_assert_uint_eq(s.newest_atime, newest);
    ck_assert_uint_eq(s.oldest_atime, newest - 99);
    ck_assert_uint_eq(s.last_expire_reduce, 20500);
    ck_assert_uint_eq(s.last_atime_delta, 43200);
    ck_assert(s.last_expire >= newest);
    k.b[0] = 0;
    k.b[1] = 1;
    k.b[2] = 0xad;
    k.b[3] = 0xb0; /* 110000: 20 days old */
    k.b[4] = 0x5a;
    ck_assert_int_eq(bayes_store_lookup(st, &k, 1, &c, &err), BAYES_STORE_OK);
    ck_counts(c, 0, 0, 0);
    k.b[1] = 0x00;
    k.b[2] = 0x00;
    k.b[3] = 0x07; /* 7: fresh */
    ck_assert_int_eq(bayes_store_lookup(st, &k, 1, &c, &err), BAYES_STORE_OK);
    ck_counts(c, 1, 2, newest - 7);
    /* again: under 1000 to remove */
    ck_assert_int_eq(bayes_store_expire(st, &cfg, &res, &err), BAYES_STORE_OK);
    ck_assert(!res.ran);
    ck_assert_ptr_nonnull(strstr(res.note, "under 1,000 tokens"));
    bayes_store_close(&st);
}
END_TEST

/* The estimate from the last run would remove too many: SA's sanity check
 * aborts and marks the run. */
START_TEST(expiry_refuses_to_keep_too_few)
{
    struct bayes_store *st = create_ok();
    uint32_t now = (uint32_t)time(NULL);
    struct bayes_expire_cfg cfg = { .force = true, .max_db_size = 100000 };
    struct bayes_store_image img;
    struct bayes_expire_result res;
    struct bayes_store_stats s;
    struct bayes_store_counts c = { 1, 0, 0 };
    struct bayes_store_key k = { { 0 } };
    struct sift_err err;
    char v[32];
    DB *db;

    bayes_store_image_init(&img);
    img.nspam = 1;
    for (uint32_t i = 0; i < 120500; i++) {
        memcpy(k.b, &i, sizeof(i));
        c.atime = i < 100000 ? now - 50000 : now;
        bayes_store_image_add_token(&img, &k, &c);
    }
    ck_assert_int_eq(bayes_store_replace(st, &img, &err), BAYES_STORE_OK);
    bayes_store_image_clear(&img);
    bayes_store_close(&st);
    /* a run yesterday removed 20500 with a delta of 12 h */
    db = raw_open("_toks", 0);
    snprintf(v, sizeof(v), "%u", now - 86400);
    raw_put_magic(db, "LASTEXPIRE", v);
    raw_put_magic(db, "LASTATIMEDELTA", "43200");
    raw_put_magic(db, "LASTEXPIREREDUCE", "20500");
    db->close(db, 0);
    st = open_ok(BAYES_STORE_RDWR);
    ck_assert_int_eq(bayes_store_expire(st, &cfg, &res, &err), BAYES_STORE_OK);
    ck_assert(!res.ran);
    ck_assert_msg(strstr(res.note, "fewer than 100000") != NULL, "%s", res.note);
    s = stats_of(st);
    ck_assert_uint_eq(s.ntokens, 120500);
    ck_assert_uint_eq(s.last_expire_reduce, 0);
    ck_assert_uint_eq(s.last_atime_delta, 0);
    ck_assert_uint_ge(s.last_expire, now);
    bayes_store_close(&st);
}
END_TEST

/* ---- SA's lock ---- */

START_TEST(sa_lock_held_by_another_writer_blocks_learning)
{
    struct bayes_store_opts opts = { .lock_wait = 0.3 };
    struct bayes_store *st = NULL;
    char path[PATH_MAX * 2], host[256], content[300];
    struct bayes_store_key k = key_of("aa");
    struct bayes_store_msg m = { &k, 1, "m1", NULL, 1000 };
    struct sift_err err;
    int fd;

    st = create_ok();
    bayes_store_close(&st);
    ck_assert_int_eq(bayes_store_open("bdb", prefix, BAYES_STORE_RDWR, &opts, &st, &err),
                     BAYES_STORE_OK);
    /* sa-learn on another host holds it */
    snprintf(path, sizeof(path), "%s.lock", prefix);
    unit_write(dir, "bayes.lock", "otherhost.example.org.4242\n");
    ck_assert_int_eq(bayes_store_learn(st, &m, true, &err), BAYES_STORE_FAIL);
    ck_assert_ptr_nonnull(strstr(err.msg, "locked by another writer"));
    ck_assert_int_eq(access(path, F_OK), 0); /* still theirs */
    /* a dead process of this host: broken at once */
    gethostname(host, sizeof(host));
    snprintf(content, sizeof(content), "%s.%d\n", host, 999999);
    unit_write(dir, "bayes.lock", content);
    ck_assert_int_eq(bayes_store_learn(st, &m, true, &err), BAYES_STORE_OK);
    ck_assert_int_eq(access(path, F_OK), -1); /* and released */
    /* flock on .mutex (lock_method flock) */
    fd = open(strcat(strcpy(path, prefix), ".mutex"), O_RDWR | O_CREAT, 0600);
    ck_assert_int_eq(flock(fd, LOCK_EX), 0);
    if (fork() == 0) {
        struct bayes_store *c = NULL;
        struct bayes_store_msg m2 = { &k, 1, "m2", NULL, 1000 };
        int ok = bayes_store_open("bdb", prefix, BAYES_STORE_RDWR, &opts, &c, &err) ==
                     BAYES_STORE_FAIL ||
                 bayes_store_learn(c, &m2, true, &err) == BAYES_STORE_FAIL;
        _exit(ok ? 0 : 1);
    }
    {
        int status;

        wait(&status);
        ck_assert_int_eq(WEXITSTATUS(status), 0);
    }
    flock(fd, LOCK_UN);
    close(fd);
    ck_assert_int_eq(learn_words(st, "m3", NULL, true, 1000, "bb"), BAYES_STORE_OK);
    bayes_store_close(&st);
}
END_TEST

/* ---- other programs writing the files ---- */

START_TEST(changes_made_behind_our_back_are_seen)
{
    struct bayes_store *st = create_ok(), *ro;
    struct bayes_store_key k = key_of("aa");
    uint8_t v[BAYES_BDB_PACK_MAX];
    struct bayes_store_counts c = { 3, 4, 1234 };
    DB *db;

    learn_words(st, "m1", NULL, true, 1000, "aa bb");
    ro = open_ok(BAYES_STORE_RDONLY);
    ck_counts(lookup_word(ro, "aa"), 1, 0, 1000); /* in the shared cache now */
    bayes_store_close(&st);
    /* SA learns: it writes the files itself, outside the environment */
    db = raw_open("_toks", 0);
    ck_assert_ptr_nonnull(db);
    raw_put(db, k.b, BAYES_KEY_LEN, v, bayes_bdb_pack(&c, v));
    raw_put_magic(db, "NSPAM", "42");
    db->close(db, 0);
    /* the reader sees SA's values, not the stale cached pages */
    ck_counts(lookup_word(ro, "aa"), 3, 4, 1234);
    ck_assert_uint_eq(stats_of(ro).nspam, 42);
    /* and a writer's learn does not write the stale pages back */
    st = open_ok(BAYES_STORE_RDWR);
    learn_words(st, "m2", NULL, true, 2000, "cc");
    ck_assert_uint_eq(stats_of(st).nspam, 43);
    ck_counts(lookup_word(st, "aa"), 3, 4, 1234);
    bayes_store_close(&st);
    ck_counts(lookup_word(ro, "cc"), 1, 0, 2000);
    bayes_store_close(&ro);
    db = raw_open("_toks", DB_RDONLY);
    ck_assert_int_eq(raw_magic(db, "NSPAM"), 43);
    db->close(db, 0);
}
END_TEST

/* sa-learn holds its lock for a whole run: scans read the files directly
 * meanwhile, as SA's scanners do, and go back to the cache after. */
START_TEST(scans_go_on_while_sa_writes)
{
    struct bayes_store *st = create_ok(), *ro;
    struct bayes_store_key k = key_of("aa");
    uint8_t v[BAYES_BDB_PACK_MAX];
    struct bayes_store_counts c = { 5, 6, 7777 };
    char path[PATH_MAX * 2];
    DB *db;

    learn_words(st, "m1", NULL, true, 1000, "aa bb");
    bayes_store_close(&st);
    ro = open_ok(BAYES_STORE_RDONLY);
    ck_counts(lookup_word(ro, "aa"), 1, 0, 1000);
    unit_write(dir, "bayes.lock", "otherhost.example.org.4242\n");
    db = raw_open("_toks", 0);
    raw_put(db, k.b, BAYES_KEY_LEN, v, bayes_bdb_pack(&c, v));
    raw_put_magic(db, "NSPAM", "77");
    db->close(db, 0);
    ck_counts(lookup_word(ro, "aa"), 5, 6, 7777);
    ck_counts(lookup_word(ro, "bb"), 1, 0, 1000);
    ck_assert_uint_eq(stats_of(ro).nspam, 77);
    snprintf(path, sizeof(path), "%s.lock", prefix);
    unlink(path); /* SA is done */
    ck_counts(lookup_word(ro, "aa"), 5, 6, 7777);
    ck_assert_uint_eq(stats_of(ro).nspam, 77);
    bayes_store_close(&ro);
}
END_TEST

START_TEST(files_replaced_by_a_restore_are_reopened)
{
    struct bayes_store *st = create_ok(), *ro;
    static const char text[] = "v\t3\tdb_version\nv\t8\tnum_spam\nv\t9\tnum_nonspam\n";
    struct sift_err err;
    FILE *in = fmemopen((void *)text, strlen(text), "r");

    learn_words(st, "m1", NULL, true, 1000, "aa");
    ro = open_ok(BAYES_STORE_RDONLY);
    ck_counts(lookup_word(ro, "aa"), 1, 0, 1000);
    ck_assert_int_eq(bayes_store_restore(st, in, &err), BAYES_STORE_OK);
    fclose(in);
    ck_counts(lookup_word(ro, "aa"), 0, 0, 0);
    ck_assert_uint_eq(stats_of(ro).nham, 9);
    bayes_store_close(&ro);
    bayes_store_close(&st);
}
END_TEST

/* The files moved to a directory without their logs (another host, or
 * log.* removed): writing fails with advice; recover clears their LSNs. */
START_TEST(files_without_their_logs_need_recover)
{
    struct bayes_store *st = create_ok();
    struct bayes_store_key k = key_of("bb");
    struct bayes_store_msg m = { &k, 1, "m2", NULL, 2000 };
    char cmd[PATH_MAX * 2 + 64];
    struct sift_err err;

    for (int i = 0; i < 30; i++) {
        char id[16];

        snprintf(id, sizeof(id), "m%d", i + 10);
        learn_words(st, id, NULL, true, 1000, "aa cc dd ee");
    }
    bayes_store_close(&st);
    snprintf(cmd, sizeof(cmd), "rm -f %s/log.* %s/__db.*", dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(bayes_store_open("bdb", prefix, BAYES_STORE_RDWR, NULL, &st, &err),
                     BAYES_STORE_FAIL);
    ck_assert_msg(strstr(err.msg, "siftadm bayes recover") != NULL, "%s", err.msg);
    ck_assert_int_eq(bayes_store_recover("bdb", prefix, NULL, &err), BAYES_STORE_OK);
    st = open_ok(BAYES_STORE_RDWR);
    ck_assert_int_eq(bayes_store_learn(st, &m, true, &err), BAYES_STORE_OK);
    ck_assert_uint_eq(stats_of(st).nspam, 31);
    bayes_store_close(&st);
}
END_TEST

/* Two sift writers in two processes: SA's lock takes turns, nothing lost. */
START_TEST(two_writers_take_turns)
{
    struct bayes_store *st = create_ok();
    pid_t pids[2];
    int status;

    bayes_store_close(&st);
    for (int w = 0; w < 2; w++) {
        if ((pids[w] = fork()) == 0) {
            struct bayes_store *s = open_ok(BAYES_STORE_RDWR);

            for (int i = 0; i < 100; i++) {
                char id[32];

                snprintf(id, sizeof(id), "w%dm%d", w, i);
                if (learn_words(s, id, NULL, w == 0, 1000, "shared alone") != BAYES_STORE_OK)
                    _exit(2);
            }
            bayes_store_close(&s);
            _exit(0);
        }
    }
    for (int w = 0; w < 2; w++) {
        waitpid(pids[w], &status, 0);
        ck_assert(WIFEXITED(status));
        ck_assert_int_eq(WEXITSTATUS(status), 0);
    }
    st = open_ok(BAYES_STORE_RDONLY);
    ck_counts(lookup_word(st, "shared"), 100, 100, 1000);
    ck_assert_uint_eq(stats_of(st).ntokens, 2);
    bayes_store_close(&st);
}
END_TEST

/* ---- crashes ---- */

/* A child learns message after message and acknowledges each on a pipe;
 * it is killed at some point; every acknowledged message must be there,
 * and a reader that was reading all along goes on without an error. */
START_TEST(killed_learner_loses_nothing_acknowledged)
{
    char acked[2000][16];
    size_t nacked = 0;
    struct bayes_store *st;
    int fds[2], stop[2], status;
    pid_t pid, reader;
    FILE *f;

    st = create_ok();
    learn_words(st, "m0", NULL, true, 1000, "w1 w2 w3");
    bayes_store_close(&st);
    ck_assert_int_eq(pipe(stop), 0);
    if ((reader = fork()) == 0) {
        /* a scanner that reads throughout, recovery by another process
         * included: every lookup must succeed */
        struct bayes_store_key k[3] = { key_of("w1"), key_of("w2"), key_of("w3") };
        struct bayes_store_counts c[3];
        struct bayes_store *ro = open_ok(BAYES_STORE_RDONLY | BAYES_STORE_NOJOURNAL);
        struct pollfd pfd = { stop[0], POLLIN, 0 };
        struct sift_err err;
        int n = 0;

        close(stop[1]);
        while (poll(&pfd, 1, 0) == 0 || n < 10) {
            if (bayes_store_lookup(ro, k, 3, c, &err) != BAYES_STORE_OK) {
                fprintf(stderr, "reader: %s\n", err.msg);
                _exit(5);
            }
            n++;
        }
        bayes_store_close(&ro);
        _exit(0);
    }
    close(stop[0]);
    ck_assert_int_eq(pipe(fds), 0);
    if ((pid = fork()) == 0) {
        struct bayes_store_key keys[300];
        struct bayes_store *w = open_ok(BAYES_STORE_RDWR);
        struct sift_err err;

        close(fds[0]);
        for (int i = 0; i < 2000; i++) {
            struct bayes_store_msg m = { keys, 300, NULL, NULL, 1000 + (uint32_t)i };
            char id[16];

            for (int j = 0; j < 300; j++) {
                char w8[16];

                snprintf(w8, sizeof(w8), "w%d", (i * 7 + j * 13) % 5000);
                keys[j] = key_of(w8);
            }
            snprintf(id, sizeof(id), "k%d", i);
            m.msgid = id;
            if (bayes_store_learn(w, &m, i % 2, &err) == BAYES_STORE_FAIL)
                _exit(3);
            dprintf(fds[1], "%s\n", id);
        }
        _exit(0);
    }
    close(fds[1]);
    f = fdopen(fds[0], "r");
    while (nacked < 150 && fgets(acked[nacked], sizeof(acked[0]), f) != NULL) {
        acked[nacked][strcspn(acked[nacked], "\n")] = '\0';
        nacked++;
    }
    kill(pid, SIGKILL);
    while (nacked < 2000 && fgets(acked[nacked], sizeof(acked[0]), f) != NULL) {
        acked[nacked][strcspn(acked[nacked], "\n")] = '\0';
        nacked++;
    }
    fclose(f);
    waitpid(pid, &status, 0);
    ck_assert(WIFSIGNALED(status));
    ck_assert_uint_ge(nacked, 150);
    /* the next process to open runs recovery */
    st = open_ok(BAYES_STORE_RDWR);
    for (size_t i = 0; i < nacked; i++)
        ck_assert_msg(seen_of(st, acked[i]) != BAYES_SEEN_NONE, "%s lost", acked[i]);
    {
        struct bayes_store_stats s = stats_of(st);

        /* m0, the acknowledged ones, and maybe one committed but not yet
         * acknowledged */
        ck_assert_uint_ge(s.nspam + s.nham, nacked + 1);
        ck_assert_uint_le(s.nspam + s.nham, nacked + 2);
    }
    /* and it learns on */
    ck_assert_int_eq(learn_words(st, "after", NULL, true, 1, "aa"), BAYES_STORE_OK);
    bayes_store_close(&st);
    close(stop[1]);
    waitpid(reader, &status, 0);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

/* A reader in another process keeps reading while this one learns: no
 * error, no value that goes back. */
START_TEST(reader_reads_while_a_writer_learns)
{
    struct bayes_store *st = create_ok();
    int status;
    pid_t pid;

    learn_words(st, "m0", NULL, true, 1000, "aa bb");
    if ((pid = fork()) == 0) {
        struct bayes_store *ro = NULL;
        struct bayes_store_key k[2] = { key_of("aa"), key_of("bb") };
        struct bayes_store_counts c[2];
        struct sift_err err;
        uint32_t last[2] = { 0, 0 };

        if (bayes_store_open("bdb", prefix, BAYES_STORE_RDONLY | BAYES_STORE_NOJOURNAL, NULL, &ro,
                             &err) != BAYES_STORE_OK)
            _exit(2);
        for (int i = 0; i < 3000; i++) {
            if (bayes_store_lookup(ro, k, 2, c, &err) != BAYES_STORE_OK)
                _exit(3);
            /* read committed: each value is one a learn left, never going
             * back (the two may be a learn apart) */
            for (int j = 0; j < 2; j++) {
                if (c[j].spam < last[j] || c[j].spam > 200)
                    _exit(4);
                last[j] = c[j].spam;
            }
        }
        bayes_store_close(&ro);
        _exit(0);
    }
    for (int i = 1; i < 200; i++) {
        char id[16];

        snprintf(id, sizeof(id), "m%d", i);
        learn_words(st, id, NULL, true, 1000, "aa bb");
    }
    waitpid(pid, &status, 0);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    bayes_store_close(&st);
}
END_TEST

static Suite *
bayes_bdb_suite(void)
{
    Suite *s = suite_create("bayes_bdb");
    TCase *tc = tcase_create("bayes_bdb");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, pack_and_unpack_both_formats, 0, NCASES(pack_cases));
    tcase_add_test(tc, unpack_odd_values_as_sa_does);
    tcase_add_test(tc, key_hex_round_trip);
    tcase_add_test(tc, new_database_in_sa_layout);
    tcase_add_test(tc, missing_database_without_create);
    tcase_add_test(tc, db_suffixed_files_are_used);
    tcase_add_test(tc, learn_counts_tokens_messages_and_ages);
    tcase_add_test(tc, atime_never_goes_back_and_future_is_now);
    tcase_add_test(tc, learning_twice_is_already_learned);
    tcase_add_test(tc, relearning_moves_the_counts);
    tcase_add_test(tc, forget_undoes_a_learn);
    tcase_add_test(tc, counts_of_eight_use_the_long_packing);
    tcase_add_test(tc, files_are_current_when_a_learn_returns);
    tcase_add_test(tc, read_only_handle_refuses_writes);
    tcase_add_test(tc, garbage_file_is_refused_and_left_alone);
    tcase_add_test(tc, wrong_version_is_refused_and_left_alone);
    tcase_add_test(tc, version_0_database_is_refused);
    tcase_add_test(tc, btree_file_is_refused);
    tcase_add_test(tc, backup_restore_round_trip);
    tcase_add_loop_test(tc, parse_backup_checks_like_sa, 0, NCASES(parse_cases));
    tcase_add_test(tc, parse_backup_token_rules);
    tcase_add_test(tc, parse_backup_version_2_hashes_tokens);
    tcase_add_test(tc, restore_failure_changes_nothing);
    tcase_add_test(tc, touch_goes_to_the_journal_and_a_writer_applies_it);
    tcase_add_test(tc, journal_old_left_by_sa_is_not_applied);
    tcase_add_test(tc, expiry_as_sa_learn_force_expire);
    tcase_add_test(tc, expiry_refuses_to_keep_too_few);
    tcase_add_test(tc, sa_lock_held_by_another_writer_blocks_learning);
    tcase_add_test(tc, changes_made_behind_our_back_are_seen);
    tcase_add_test(tc, scans_go_on_while_sa_writes);
    tcase_add_test(tc, files_replaced_by_a_restore_are_reopened);
    tcase_add_test(tc, files_without_their_logs_need_recover);
    tcase_add_test(tc, two_writers_take_turns);
    tcase_add_test(tc, killed_learner_loses_nothing_acknowledged);
    tcase_add_test(tc, reader_reads_while_a_writer_learns);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(bayes_bdb_suite());
}
