/*
 * classifier.c - Bayes in siftd (see classifier.h).
 */
#include "daemon/classifier.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "compat/sa_autolearn.h"
#include "compat/sa_bayes_cfg.h"
#include "compat/sa_conf.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "daemon/siftd_cfg.h"
#include "mime/mime_get.h"
#include "mime/mime_hdr.h"
#include "mime/mime_msg.h"
#include "mime/mime_received.h"

const struct cfg_key classifier_bayes_keys[] = {
    { "enabled", CFG_T_BOOL, "yes", offsetof(struct classifier_cfg, enabled),
      "use Bayes (SpamAssassin's use_bayes 0 turns it off too): the BAYES_ rules and learning",
      NULL },
    { "backend", CFG_T_STR, "bdb", offsetof(struct classifier_cfg, backend),
      "where tokens are kept: bdb (SpamAssassin's DBM files, in Berkeley DB)", NULL },
    { "path", CFG_T_STR, NULL, offsetof(struct classifier_cfg, path),
      "the store's path prefix (<path>_toks, <path>_seen, as SpamAssassin's bayes_path); "
      "unset: SpamAssassin's bayes_path when its configuration sets one, else "
      "$DBDIR/bayes/bayes",
      NULL },
    { "upkeep", CFG_T_TIME, "5m", offsetof(struct classifier_cfg, upkeep),
      "how often the first controller process applies the journal scans append to and expires "
      "old tokens when SpamAssassin's bayes_auto_expire says it is due",
      NULL },
};
const size_t classifier_bayes_nkeys =
    sizeof(classifier_bayes_keys) / sizeof(classifier_bayes_keys[0]);

/* How long a read of the message counts is trusted. */
#define CLASSIFIER_STATS_TTL 1.0
/* How often a store that cannot be opened is complained about. */
#define CLASSIFIER_WARN_EVERY 60.0

static bool
cl_set(const char *s)
{
    return s != NULL && s[0] != '\0' && strcmp(s, "~") != 0;
}

bool
classifier_path(const struct siftd_cfg *cfg, const struct sa_rules *rules, char *out, size_t outlen)
{
    const char *sa = sa_conf_value(rules->conf, "bayes_path", NULL);
    const char *use = sa_conf_value(rules->conf, "use_bayes", NULL);

    /* SA's booleans: 0 is off, anything else on */
    if (!cfg->classifier.enabled || (use != NULL && strtod(use, NULL) == 0))
        return false;
    if (cl_set(cfg->classifier.path)) {
        snprintf(out, outlen, "%s", cfg->classifier.path);
    } else if (cl_set(sa)) {
        const char *home = getenv("HOME");
        struct passwd *pw;

        if (sa[0] == '~' && (sa[1] == '/' || sa[1] == '\0')) {
            if ((home == NULL || home[0] == '\0') && (pw = getpwuid(geteuid())) != NULL)
                home = pw->pw_dir;
            snprintf(out, outlen, "%s%s", home != NULL ? home : "", sa + 1);
        } else {
            snprintf(out, outlen, "%s", sa);
        }
    } else {
        snprintf(out, outlen, "%s/bayes/bayes", cfg->cfg->options.dbdir);
    }
    return true;
}

/* mkdir -p of path's directory part */
static int
cl_mkdirs(const char *path, struct sift_err *err)
{
    char dir[PATH_MAX];
    char *slash;

    snprintf(dir, sizeof(dir), "%s", path);
    if ((slash = strrchr(dir, '/')) == NULL)
        return 0;
    *slash = '\0';
    for (char *p = dir + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
            sift_err_set(err, "cannot create %s: %s", dir, strerror(errno));
            return -1;
        }
        *p = '/';
    }
    if (dir[0] != '\0' && mkdir(dir, 0700) == -1 && errno != EEXIST) {
        sift_err_set(err, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

int
classifier_prepare(const struct siftd_cfg *cfg, const struct sa_rules *rules, struct sift_err *err)
{
    char path[PATH_MAX];

    if (!classifier_path(cfg, rules, path, sizeof(path)))
        return 0;
    if (cl_mkdirs(path, err) == -1)
        return -1;
    if (bayes_store_recover(cfg->classifier.backend, path, NULL, err) == BAYES_STORE_FAIL)
        return -1;
    log_info("bayes: store %s (%s) ready", path, cfg->classifier.backend);
    return 0;
}

_Static_assert((unsigned)SA_BAYES_SRC_HEADER == BAYES_SRC_HEADER &&
                   (unsigned)SA_BAYES_SRC_URI == BAYES_SRC_URI &&
                   (unsigned)SA_BAYES_SRC_VISIBLE == BAYES_SRC_VISIBLE &&
                   (unsigned)SA_BAYES_SRC_INVISIBLE == BAYES_SRC_INVISIBLE &&
                   (unsigned)SA_BAYES_SRC_MIMEPART == BAYES_SRC_MIMEPART,
               "compat and stat agree on bayes_token_sources");

struct bayes_tok *
classifier_tok_new(const struct sa_bayes_cfg *sbc, struct sift_err *err)
{
    struct bayes_stopword *sw = xcalloc(sbc->nstopwords + 1, sizeof(*sw));
    struct bayes_tok_cfg tc;
    struct bayes_tok *bt;

    bayes_tok_cfg_init(&tc);
    tc.sources = sbc->sources;
    tc.max_token_length = sbc->max_token_length;
    tc.ignore_headers = sbc->ignore_headers;
    tc.nignore_headers = sbc->nignore_headers;
    for (size_t k = 0; k < sbc->nstopwords; k++) {
        sw[k].pattern = sbc->stopwords[k].pattern;
        sw[k].options = sbc->stopwords[k].options;
    }
    tc.stopwords = sw;
    tc.nstopwords = sbc->nstopwords;
    bt = bayes_tok_new(&tc, err); /* copies what it keeps */
    free(sw);
    return bt;
}

int
classifier_init(struct classifier *c, const struct siftd_cfg *cfg, const struct sa_rules *rules,
                struct sift_err *err)
{
    struct arena *a;
    struct sa_bayes_cfg sbc;
    struct sift_err e = { 0 };
    int refused;

    memset(c, 0, sizeof(*c));
    if (!classifier_path(cfg, rules, c->path, sizeof(c->path)))
        return 0;
    a = arena_new(16384);
    if ((refused = sa_bayes_cfg_get(rules->conf, a, &sbc, &e)) > 0)
        log_warn("bayes: %d setting(s) left out, as SpamAssassin leaves them: %s", refused, e.msg);
    c->tok = classifier_tok_new(&sbc, err);
    bayes_classify_cfg_init(&c->ccfg);
    c->ccfg.min_spam_num = sbc.min_spam_num;
    c->ccfg.min_ham_num = sbc.min_ham_num;
    c->ccfg.use_hapaxes = sbc.use_hapaxes;
    arena_free(&a);
    if (c->tok == NULL)
        return -1;
    c->backend = cfg->classifier.backend;
    c->on = sbc.use_bayes && sbc.use_learner;
    {
        const char *ae = sa_conf_value(rules->conf, "bayes_auto_expire", NULL);
        const char *mx = sa_conf_value(rules->conf, "bayes_expiry_max_db_size", NULL);

        c->auto_expire = ae == NULL || strtod(ae, NULL) != 0;
        c->expiry_max_db_size = mx != NULL ? strtoull(mx, NULL, 10) : 0;
        c->auto_expire_known = true;
    }
    return 0;
}

void
classifier_clear(struct classifier *c)
{
    bayes_store_close(&c->ro);
    bayes_store_close(&c->rw);
    bayes_tok_free(&c->tok);
    c->on = false;
}

/* The read handle, opened on first use; NULL (logged now and then) when
 * there is no store yet or it cannot be opened. */
static struct bayes_store *
cl_reader(struct classifier *c)
{
    struct sift_err err = { 0 };
    enum bayes_store_status st;

    if (c->ro != NULL)
        return c->ro;
    st = bayes_store_open(c->backend, c->path, BAYES_STORE_RDONLY | BAYES_STORE_NOJOURNAL, NULL,
                          &c->ro, &err);
    if (st != BAYES_STORE_OK && clock_mono() - c->warned_at > CLASSIFIER_WARN_EVERY) {
        c->warned_at = clock_mono();
        if (st == BAYES_STORE_MISSING)
            log_info("bayes: no store at %s yet: nothing learned", c->path);
        else
            log_warn("bayes: cannot open %s: %s", c->path, err.msg);
    }
    return st == BAYES_STORE_OK ? c->ro : NULL;
}

/* The message counts, re-read once a second. */
static bool
cl_stats(struct classifier *c)
{
    struct bayes_store *ro;
    struct sift_err err = { 0 };

    if (c->st_ok && clock_mono() - c->st_at < CLASSIFIER_STATS_TTL)
        return true;
    if ((ro = cl_reader(c)) == NULL)
        return false;
    c->st_ok = bayes_store_stats(ro, &c->st, &err) == BAYES_STORE_OK;
    c->st_at = clock_mono();
    if (!c->st_ok) {
        log_warn("bayes: cannot read %s: %s", c->path, err.msg);
        bayes_store_close(&c->ro); /* opened afresh next time */
    }
    return c->st_ok;
}

static bool
cl_ready(struct classifier *c)
{
    return cl_stats(c) && (double)c->st.nspam >= c->ccfg.min_spam_num &&
           (double)c->st.nham >= c->ccfg.min_ham_num;
}

/* SA's receive_date, near enough: the newest Received header's date, else
 * the Date header, else now; a date more than a day ahead reads as now. */
static uint32_t
cl_receive_date(struct mime_msg *m)
{
    const struct mime_relays *r = mime_msg_relays(m);
    int64_t t = 0, now = (int64_t)time(NULL);

    for (size_t i = 0; i < r->nrelays && t == 0; i++) {
        if (r->relays[i].has_date)
            t = r->relays[i].date;
    }
    if (t == 0 && !mime_msg_date(m, &t))
        t = now;
    if (t > now + 86400 || t <= 0)
        t = now;
    return (uint32_t)t;
}

static void
cl_keys(struct task *t, const struct bayes_tokens *toks, struct bayes_store_key **keys)
{
    *keys = arena_calloc(t->arena, toks->n ? toks->n : 1, sizeof(**keys));
    for (size_t i = 0; i < toks->n; i++)
        memcpy((*keys)[i].b, toks->v[i].key, BAYES_KEY_LEN);
}

/* task_classify_fn: tokenize as a scan does, look the tokens up, combine;
 * the tokens used get their atime raised, as SA's scans do. */
static bool
cl_classify(struct task *t, void *arg, double *prob)
{
    struct classifier *c = arg;
    struct mime_msg *m = task_message(t);
    struct bayes_tokens toks;
    struct bayes_store_key *keys;
    struct bayes_store_counts *sc;
    struct bayes_counts *bc;
    struct bayes_result res;
    struct sift_err err = { 0 };

    if (!cl_ready(c) || c->ro == NULL)
        return false;
    bayes_tokenize(c->tok, m, BAYES_TOK_SCAN, t->arena, &toks);
    cl_keys(t, &toks, &keys);
    sc = arena_calloc(t->arena, toks.n ? toks.n : 1, sizeof(*sc));
    bc = arena_calloc(t->arena, toks.n ? toks.n : 1, sizeof(*bc));
    if (bayes_store_lookup(c->ro, keys, toks.n, sc, &err) != BAYES_STORE_OK) {
        log_warn("bayes: lookup in %s failed: %s", c->path, err.msg);
        bayes_store_close(&c->ro);
        return false;
    }
    for (size_t i = 0; i < toks.n; i++) {
        bc[i].spam = sc[i].spam;
        bc[i].ham = sc[i].ham;
    }
    bayes_classify(&c->ccfg, c->st.nspam, c->st.nham, bc, toks.n, t->arena, &res);
    if (res.status != BAYES_SCORED)
        return false;
    if (res.nused > 0) {
        struct bayes_store_key *used = arena_calloc(t->arena, res.nused, sizeof(*used));

        for (size_t i = 0; i < res.nused; i++)
            used[i] = keys[res.used[i]];
        if (bayes_store_touch(c->ro, used, res.nused, cl_receive_date(m), &err) != BAYES_STORE_OK)
            log_debug("bayes: atime update failed: %s", err.msg);
    }
    *prob = res.prob;
    return true;
}

bool
classifier_attach(struct classifier *c, struct task *t)
{
    if (!c->on)
        return false;
    t->classify = cl_classify;
    t->classify_arg = c;
    return !cl_ready(c);
}

/* The last field named name, decoded and unfolded, with a "\n" after it
 * (SA's get_header in scalar context); "" when there is none. */
static void
cl_last_header(struct mime_msg *m, const char *name, struct buf *out)
{
    const struct mime_header *h = mime_hdr_find(&m->root->hdrs, strv_cstr(name)), *last = NULL;

    for (; h != NULL; h = mime_hdr_find_next(h))
        last = h;
    if (last == NULL)
        return;
    buf_append(out, last->value.p, last->value.len);
    buf_putc(out, '\n');
}

static void
cl_sha1_hex(const void *p, size_t len, char out[41])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    EVP_Digest(p, len, md, &n, EVP_sha1(), NULL);
    for (unsigned i = 0; i < 20; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void
classifier_msgid(struct task *t, char *out, size_t outlen)
{
    struct mime_msg *m = task_message(t);
    struct strv body = m->pristine_body;
    struct buf b;
    char digest[41], id[41];

    /* get_pristine_body_digest: the body with CRLF as LF */
    buf_init(&b);
    for (size_t i = 0; i < body.len; i++) {
        if (body.p[i] == '\r' && i + 1 < body.len && body.p[i + 1] == '\n')
            continue;
        buf_putc(&b, body.p[i]);
    }
    cl_sha1_hex(b.p ? b.p : "", b.len, digest);
    buf_reset(&b);
    cl_last_header(m, "To", &b);
    buf_putc(&b, '\0');
    cl_last_header(m, "Date", &b);
    buf_putc(&b, '\0');
    buf_append(&b, digest, 40);
    cl_sha1_hex(b.p, b.len, id);
    buf_clear(&b);
    snprintf(out, outlen, "%s@sa_generated", id);
}

/* get_msgid: the Message-Id inside <>, or "" */
static void
cl_header_msgid(struct task *t, char *out, size_t outlen)
{
    struct buf b;
    const char *p, *end;

    buf_init(&b);
    cl_last_header(task_message(t), "Message-Id", &b);
    out[0] = '\0';
    p = b.p != NULL ? b.p : "";
    end = p + b.len;
    while (p < end && strchr(" \t\r\n", *p) != NULL)
        p++;
    while (end > p && strchr(" \t\r\n", end[-1]) != NULL)
        end--;
    if (end - p > 2 && p[0] == '<' && end[-1] == '>')
        snprintf(out, outlen, "%.*s", (int)(end - p - 2), p + 1);
    buf_clear(&b);
}

enum classifier_outcome
classifier_learn(struct classifier *c, struct task *t, enum classifier_op op, char *msgid,
                 size_t msgidlen, struct sift_err *err)
{
    struct bayes_tokens toks;
    struct bayes_store_msg sm = { 0 };
    struct bayes_store_key *keys;
    enum bayes_store_status st;
    char gen[64], hdr[512];

    if (!c->on) {
        sift_err_set(err, "Bayes is off (classifier.bayes.enabled or SpamAssassin's use_bayes)");
        return CLASSIFIER_OFF;
    }
    if (c->rw == NULL) {
        if (cl_mkdirs(c->path, err) == -1)
            return CLASSIFIER_FAILED;
        if (bayes_store_open(c->backend, c->path, BAYES_STORE_RDWR | BAYES_STORE_CREATE, NULL,
                             &c->rw, err) != BAYES_STORE_OK)
            return CLASSIFIER_FAILED;
    }
    classifier_msgid(t, gen, sizeof(gen));
    cl_header_msgid(t, hdr, sizeof(hdr));
    if (msgid != NULL)
        snprintf(msgid, msgidlen, "%s", hdr[0] != '\0' ? hdr : gen);
    /* autolearn never relearns: a message seen before costs no tokenizing */
    if (op == CLASSIFIER_AUTOLEARN_SPAM || op == CLASSIFIER_AUTOLEARN_HAM) {
        enum bayes_store_seen seen = BAYES_SEEN_NONE, seen2 = BAYES_SEEN_NONE;

        if (bayes_store_seen_get(c->rw, gen, &seen, err) != BAYES_STORE_OK ||
            (hdr[0] != '\0' && bayes_store_seen_get(c->rw, hdr, &seen2, err) != BAYES_STORE_OK)) {
            bayes_store_close(&c->rw);
            return CLASSIFIER_FAILED;
        }
        if (seen != BAYES_SEEN_NONE || seen2 != BAYES_SEEN_NONE)
            return CLASSIFIER_ALREADY;
    }
    bayes_tokenize(c->tok, task_message(t), 0, t->arena, &toks);
    cl_keys(t, &toks, &keys);
    sm.keys = keys;
    sm.nkeys = toks.n;
    sm.msgid = gen;
    sm.alt_msgid = hdr[0] != '\0' ? hdr : NULL;
    sm.atime = cl_receive_date(task_message(t));
    st = op == CLASSIFIER_FORGET
             ? bayes_store_forget(c->rw, &sm, err)
             : bayes_store_learn(
                   c->rw, &sm, op == CLASSIFIER_LEARN_SPAM || op == CLASSIFIER_AUTOLEARN_SPAM, err);
    c->st_ok = false; /* the counts moved */
    switch (st) {
    case BAYES_STORE_OK:
        return CLASSIFIER_DONE;
    case BAYES_STORE_ALREADY:
        return CLASSIFIER_ALREADY;
    case BAYES_STORE_RELEARNED:
        return CLASSIFIER_RELEARNED;
    case BAYES_STORE_NOT_LEARNED:
        return CLASSIFIER_NOT_LEARNED;
    default:
        bayes_store_close(&c->rw); /* opened afresh next time */
        return CLASSIFIER_FAILED;
    }
}

void
classifier_maintain(struct classifier *c)
{
    struct bayes_expire_cfg ecfg = { 0 };
    struct bayes_expire_result res;
    struct sift_err err = { 0 };
    enum bayes_store_status st;

    if (!c->on || !c->auto_expire_known)
        return;
    if (c->rw == NULL) {
        st = bayes_store_open(c->backend, c->path, BAYES_STORE_RDWR, NULL, &c->rw, &err);
        if (st == BAYES_STORE_MISSING)
            return; /* nothing learned yet */
        if (st != BAYES_STORE_OK) {
            log_warn("bayes: upkeep: cannot open %s: %s", c->path, err.msg);
            return;
        }
    }
    if (bayes_store_sync(c->rw, &err) != BAYES_STORE_OK) {
        log_warn("bayes: upkeep: applying the journal of %s failed: %s", c->path, err.msg);
        bayes_store_close(&c->rw);
        return;
    }
    if (!c->auto_expire)
        return;
    ecfg.max_db_size = c->expiry_max_db_size;
    if (bayes_store_expire(c->rw, &ecfg, &res, &err) != BAYES_STORE_OK) {
        log_warn("bayes: upkeep: expiry of %s failed: %s", c->path, err.msg);
        bayes_store_close(&c->rw);
        return;
    }
    if (res.ran)
        log_info("bayes: expired %llu token(s) of %s older than %llu s, %llu kept",
                 (unsigned long long)res.deleted, c->path, (unsigned long long)res.atime_delta,
                 (unsigned long long)res.kept);
}

void
classifier_autolearn(struct classifier *c, const struct sa_rules *rules, const struct sa_conf *conf,
                     struct task *t, const struct scan_result *res)
{
    struct sa_autolearn al;
    struct sift_err err = { 0 };
    const char *status = "no";

    if (!c->on)
        return; /* "disabled" */
    sa_autolearn_decide(rules, conf, res, &al);
    if (!al.enabled)
        return;
    if (al.verdict != SA_AUTOLEARN_NO) {
        enum classifier_outcome o = classifier_learn(
            c, t,
            al.verdict == SA_AUTOLEARN_SPAM ? CLASSIFIER_AUTOLEARN_SPAM : CLASSIFIER_AUTOLEARN_HAM,
            NULL, 0, &err);

        if (o == CLASSIFIER_DONE || o == CLASSIFIER_RELEARNED) {
            status = al.verdict == SA_AUTOLEARN_SPAM ? "spam" : "ham";
        } else if (o == CLASSIFIER_FAILED) {
            status = "failed";
            log_warn("bayes: autolearning failed: %s", err.msg);
        } else {
            status = "unavailable"; /* learned before: SA's did_learn is false */
        }
    }
    t->autolearn =
        arena_printf(t->arena, "%s autolearn_force=%s%s%s", status, al.force ? "yes" : "no",
                     al.force ? " (" : "", al.force ? al.force_names : "");
    if (al.force)
        t->autolearn = arena_printf(t->arena, "%s)", t->autolearn);
    t->autolearn_points = al.points;
}
