/*
 * siftd_cfg.c - a configuration snapshot as siftd uses it (see siftd_cfg.h).
 */
#include "daemon/siftd_cfg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cfg_tree.h"
#include "core/xmalloc.h"
#include "daemon/tls.h"
#include "daemon/worker_types.h"

static const struct cfg_key worker_common_keys[] = {
    { "type", CFG_T_STR, NULL, offsetof(struct worker_cfg, type_name),
      "worker type (spamd, normal, controller, proxy, proxy_http); default: the worker's own name",
      NULL },
    { "enabled", CFG_T_BOOL, "yes", offsetof(struct worker_cfg, enabled), "start this worker",
      NULL },
    { "idle_timeout", CFG_T_TIME, "60s", offsetof(struct worker_cfg, idle_timeout),
      "close a connection that sends nothing for this long before or between requests", NULL },
    { "read_timeout", CFG_T_TIME, "30s", offsetof(struct worker_cfg, read_timeout),
      "give up on a request whose bytes stop coming for this long", NULL },
    { "ssl_cert", CFG_T_PATH, NULL, offsetof(struct worker_cfg, ssl_cert),
      "TLS certificate chain (PEM, the server's certificate first) for the bind_socket addresses "
      "marked ssl (spamd --server-cert)",
      NULL },
    { "ssl_key", CFG_T_PATH, NULL, offsetof(struct worker_cfg, ssl_key),
      "private key (PEM, no passphrase) of ssl_cert (spamd --server-key); read at start, before "
      "siftd drops root, so it may be readable by root only (a reload that cannot read it keeps "
      "the key loaded before)",
      NULL },
    { "ssl_ca", CFG_T_PATH, NULL, offsetof(struct worker_cfg, ssl_ca),
      "CA certificates (PEM); when set, TLS clients must present a certificate issued by one of "
      "them (spamc --ssl-cert/--ssl-key)",
      NULL },
    { "ssl_ciphers", CFG_T_STR, NULL, offsetof(struct worker_cfg, ssl_ciphers),
      "OpenSSL cipher list for TLS 1.2 (default: OpenSSL's); TLS 1.3 suites are not affected",
      NULL },
    { "ssl_min_protocol", CFG_T_ENUM, "TLSv1.2", offsetof(struct worker_cfg, ssl_min_protocol),
      "oldest TLS version a client may use: TLSv1.2 or TLSv1.3", "TLSv1.2|TLSv1.3" },
};
static const size_t worker_common_nkeys =
    sizeof(worker_common_keys) / sizeof(worker_common_keys[0]);

/* Every top-level section siftd reads (workers aside): for filling
 * struct siftd_cfg, unknown-key and unknown-section warnings, confighelp. */
#define SIFTD_FILLED_BY_CORE ((size_t)-1)
#define SIFTD_RAW_SECTION    ((size_t)-2)
static const size_t siftd_no_keys = 0;

static const struct {
    const char *name;
    const struct cfg_key *keys;
    const size_t *nkeys;
    size_t off; /* where it goes in struct siftd_cfg */
} siftd_sections[] = {
    { "options", cfg_options_keys, &cfg_options_nkeys, SIFTD_FILLED_BY_CORE },
    { "logging", log_cfg_keys, &log_cfg_nkeys, offsetof(struct siftd_cfg, logging) },
    { "mime", mime_cfg_keys, &mime_cfg_nkeys, offsetof(struct siftd_cfg, mime) },
    { "rules", sa_rules_cfg_keys, &sa_rules_cfg_nkeys, offsetof(struct siftd_cfg, rules) },
    { "actions", scan_actions_keys, &scan_actions_nkeys, offsetof(struct siftd_cfg, actions) },
    { "history", stats_cfg_keys, &stats_cfg_nkeys, offsetof(struct siftd_cfg, history) },
    /* native rules and rescores, read as a tree by the rules loader */
    { "symbols", NULL, &siftd_no_keys, SIFTD_RAW_SECTION },
    /* per-request settings by id (Settings-ID), read by siftd_settings_load */
    { "settings", NULL, &siftd_no_keys, SIFTD_RAW_SECTION },
    { "classifier.bayes", classifier_bayes_keys, &classifier_bayes_nkeys,
      offsetof(struct siftd_cfg, classifier) },
};
#define SIFTD_NSECTIONS (sizeof(siftd_sections) / sizeof(siftd_sections[0]))

/* settings: { ID: { actions: {...}, symbols_disabled: [...], RULE: score } } */
static int
siftd_settings_load(struct siftd_cfg *sc, struct sift_err *err)
{
    const struct cfg_node *sec = cfg_map_get(sc->cfg->root, "settings");
    char where[512];
    size_t i = 0;

    if (sec == NULL || sec->kind == CFG_NULL)
        return 0;
    if (sec->kind != CFG_MAP) {
        sift_err_set(err, "%s: settings: expected a map of ids to settings",
                     cfg_pos_str(&sec->pos, where, sizeof(where)));
        return -1;
    }
    sc->settings = arena_calloc(sc->cfg->arena, sec->n ? sec->n : 1, sizeof(*sc->settings));
    for (const struct cfg_node *n = sec->first; n != NULL; n = n->next, i++) {
        struct sift_err e = { 0 };

        sc->settings[i].id = n->key;
        if (scan_settings_from_cfg(sc->cfg->arena, n, &sc->settings[i].s, &e) == -1) {
            sift_err_set(err, "settings: %s: %s", n->key, e.msg);
            return -1;
        }
    }
    sc->nsettings = i;
    return 0;
}

static void
siftd_known_types(struct buf *b)
{
    for (size_t i = 0; i < worker_ntypes; i++)
        buf_printf(b, "%s%s", i ? ", " : "", worker_types[i].name);
}

static int
siftd_worker_binds(struct cfg *cfg, struct worker_cfg *wc, const struct cfg_node *node,
                   struct sift_err *err)
{
    const struct cfg_node *bs = cfg_map_get(node, "bind_socket");

    wc->nbinds = wc->bind_socket.n;
    wc->binds = arena_calloc(cfg->arena, wc->nbinds ? wc->nbinds : 1, sizeof(*wc->binds));
    for (size_t i = 0; i < wc->nbinds; i++) {
        if (bind_spec_parse(cfg->arena, wc->bind_socket.v[i], &wc->binds[i], err) == -1) {
            char where[512];

            sift_err_prefix(err, "%s: workers.%s.bind_socket: '%s'",
                            siftd_cfg_item_pos(node, "bind_socket", i, where, sizeof(where)),
                            wc->name, wc->bind_socket.v[i]);
            return -1;
        }
    }
    if (wc->enabled && wc->nbinds == 0) {
        char where[512];

        sift_err_set(err, "%s: workers.%s.bind_socket: no address to listen on",
                     cfg_pos_str(bs ? &bs->pos : &node->pos, where, sizeof(where)), wc->name);
        return -1;
    }
    return 0;
}

const char *
siftd_cfg_item_pos(const struct cfg_node *node, const char *key, size_t item, char *where,
                   size_t len)
{
    const struct cfg_node *k = node != NULL ? cfg_map_get(node, key) : NULL;
    const struct cfg_node *it = k != NULL && k->kind == CFG_LIST ? k->first : k;

    while (it != NULL && k->kind == CFG_LIST && item-- > 0)
        it = it->next;
    if (it == NULL) {
        snprintf(where, len, "(default)");
        return where;
    }
    return cfg_pos_str(&it->pos, where, len);
}

/* Where key was written in node (the node itself if not there). */
static const char *
siftd_key_pos(const struct cfg_node *node, const char *key, char *where, size_t len)
{
    const struct cfg_node *kn = cfg_map_get(node, key);

    return cfg_pos_str(kn != NULL ? &kn->pos : &node->pos, where, len);
}

static void
siftd_ipset_release(void *arg)
{
    ipset_clear(arg);
}

int
siftd_cfg_nets(struct cfg *cfg, const struct worker_cfg *wc, const struct cfg_node *node,
               const char *key, const struct cfg_strlist *l, struct ipset *set,
               struct sift_err *err)
{
    ipset_init(set);
    arena_on_free(cfg->arena, siftd_ipset_release, set);
    for (size_t i = 0; i < l->n; i++) {
        struct sift_err why;
        char where[512];

        if (ipset_add(set, l->v[i], &why) == -1) {
            sift_err_set(err, "%s: workers.%s.%s: '%s': %s",
                         siftd_cfg_item_pos(node, key, i, where, sizeof(where)), wc->name, key,
                         l->v[i], why.msg);
            return -1;
        }
    }
    return 0;
}

static void
siftd_tls_release(void *ctx)
{
    tls_ctx_free(&ctx);
}

static const struct worker_cfg *
siftd_cfg_worker(const struct siftd_cfg *sc, const char *name)
{
    for (size_t i = 0; sc != NULL && i < sc->nworkers; i++) {
        if (strcmp(sc->workers[i].name, name) == 0)
            return &sc->workers[i];
    }
    return NULL;
}

/* A reload could not build wc's TLS context (why, at the key bad_key): with
 * the same ssl_* settings as the running worker of that name, keep its
 * context, since after the privilege drop a root-only key cannot be read
 * again. 0 if kept (with a warning), -1 if not. */
static int
siftd_tls_keep_running(struct cfg *cfg, struct worker_cfg *wc, const struct siftd_cfg *running,
                       const char *where, const char *bad_key, const struct sift_err *why)
{
    const struct worker_cfg *old = siftd_cfg_worker(running, wc->name);

    if (old == NULL || old->ssl_ctx == NULL || !tls_same_settings(old, wc))
        return -1;
    wc->ssl_ctx = tls_ctx_ref(old->ssl_ctx);
    arena_on_free(cfg->arena, siftd_tls_release, wc->ssl_ctx);
    cfg_warn(cfg,
             "%s: workers.%s.%s: %s; keeping the TLS files loaded before (restart siftd to load "
             "new ones)",
             where, wc->name, bad_key, why->msg);
    return 0;
}

/* The TLS context of a worker with an "ssl" address, built now, while the
 * main process may still read root-only keys; its workers inherit it. */
static int
siftd_worker_tls(struct cfg *cfg, struct worker_cfg *wc, const struct cfg_node *node,
                 const struct siftd_cfg *running, struct sift_err *err)
{
    const char **strs[] = { &wc->ssl_cert, &wc->ssl_key, &wc->ssl_ca, &wc->ssl_ciphers };
    const char *bad_key;
    struct sift_err why;
    char where[512];
    size_t i;

    for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++) {
        if (*strs[k] != NULL && (*strs[k])[0] == '\0')
            *strs[k] = NULL; /* "": not set */
    }
    for (i = 0; i < wc->nbinds && !wc->binds[i].ssl; i++)
        ;
    if (i == wc->nbinds) {
        if (wc->ssl_cert != NULL)
            cfg_warn(cfg, "%s: workers.%s.ssl_cert: no bind_socket address has ssl; ignored",
                     siftd_key_pos(node, "ssl_cert", where, sizeof(where)), wc->name);
        return 0;
    }
    if (wc->ssl_cert == NULL || wc->ssl_key == NULL) {
        sift_err_set(err, "%s: workers.%s.bind_socket: '%s': ssl needs workers.%s.%s",
                     siftd_cfg_item_pos(node, "bind_socket", i, where, sizeof(where)), wc->name,
                     wc->binds[i].text, wc->name, wc->ssl_cert == NULL ? "ssl_cert" : "ssl_key");
        return -1;
    }
    if (!wc->enabled)
        return 0; /* checked, but nothing will serve it */
    if (tls_ctx_new(wc, &wc->ssl_ctx, &bad_key, &why) == 0) {
        arena_on_free(cfg->arena, siftd_tls_release, wc->ssl_ctx);
        return 0;
    }
    siftd_key_pos(node, bad_key, where, sizeof(where));
    if (siftd_tls_keep_running(cfg, wc, running, where, bad_key, &why) == 0)
        return 0;
    sift_err_set(err, "%s: workers.%s.%s: %s", where, wc->name, bad_key, why.msg);
    return -1;
}

static int
siftd_worker_load(struct cfg *cfg, const struct cfg_node *node, struct worker_cfg *wc,
                  const struct siftd_cfg *running, struct sift_err *err)
{
    char path[256], where[512];
    const struct worker_type *t;

    wc->name = node->key;
    snprintf(path, sizeof(path), "workers.%s", wc->name);
    if (cfg_fill(&cfg->ctx, path, node, worker_common_keys, worker_common_nkeys, wc, err) == -1)
        return -1;
    if (wc->type_name == NULL)
        wc->type_name = wc->name;
    if ((t = worker_type_find(wc->type_name)) == NULL) {
        const struct cfg_node *tn = cfg_map_get(node, "type");
        struct buf known;

        buf_init(&known);
        siftd_known_types(&known);
        sift_err_set(err, "%s: %s: unknown worker type '%s' (known: %s)",
                     cfg_pos_str(tn ? &tn->pos : &node->key_pos, where, sizeof(where)), path,
                     wc->type_name, known.p);
        buf_clear(&known);
        return -1;
    }
    wc->type = t;
    wc->proto = arena_calloc(cfg->arena, 1, t->cfg_size ? t->cfg_size : 1);
    if (cfg_fill(&cfg->ctx, path, node, t->listen_keys, t->nlisten_keys, wc, err) == -1 ||
        cfg_fill(&cfg->ctx, path, node, t->keys, *t->nkeys, wc->proto, err) == -1 ||
        (t->more_keys != NULL &&
         cfg_fill(&cfg->ctx, path, node, t->more_keys, *t->nmore_keys, wc->proto, err) == -1))
        return -1;
    if (wc->count == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);

        wc->count = n < 1 ? 1 : (unsigned)n;
    }
    if (wc->max_conns == 0) {
        sift_err_set(err, "%s: %s.max_conns: must be at least 1",
                     cfg_pos_str(&cfg_map_get(node, "max_conns")->pos, where, sizeof(where)), path);
        return -1;
    }
    cfg_warn_unknown(
        &cfg->ctx, path, node,
        (const struct cfg_keyset[]){ { worker_common_keys, worker_common_nkeys },
                                     { t->listen_keys, t->nlisten_keys },
                                     { t->keys, *t->nkeys },
                                     { t->more_keys, t->more_keys ? *t->nmore_keys : 0 } },
        4);
    /* allowed_ips: who may connect over TCP (spamd -A) */
    if (siftd_cfg_nets(cfg, wc, node, "allowed_ips", &wc->allowed_ips, &wc->allowed, err) == -1 ||
        siftd_worker_binds(cfg, wc, node, err) == -1 ||
        (t->check != NULL && t->check(cfg, wc, node, err) == -1))
        return -1;
    return siftd_worker_tls(cfg, wc, node, running, err);
}

static int
siftd_workers_load(struct siftd_cfg *sc, const struct siftd_cfg *running, struct sift_err *err)
{
    struct cfg *cfg = sc->cfg;
    const struct cfg_node *ws = cfg_map_get(cfg->root, "workers");
    char where[512];
    size_t i = 0;

    if (ws == NULL || ws->kind == CFG_NULL)
        return 0;
    if (ws->kind != CFG_MAP) {
        sift_err_set(err, "%s: workers: expected a map of worker name -> settings",
                     cfg_pos_str(&ws->pos, where, sizeof(where)));
        return -1;
    }
    sc->workers = arena_calloc(cfg->arena, ws->n ? ws->n : 1, sizeof(*sc->workers));
    for (const struct cfg_node *w = ws->first; w != NULL; w = w->next) {
        if (siftd_worker_load(cfg, w, &sc->workers[i], running, err) == -1)
            return -1;
        i++;
    }
    sc->nworkers = i;
    return 0;
}

static void
siftd_check_sections(struct cfg *cfg)
{
    for (const struct cfg_node *s = cfg->root->first; s != NULL; s = s->next) {
        bool known = strcmp(s->key, "workers") == 0;
        size_t klen = strlen(s->key);
        char where[512];

        for (size_t i = 0; i < SIFTD_NSECTIONS && !known;
             i++) /* "classifier" of "classifier.bayes" too */
            known = strncmp(s->key, siftd_sections[i].name, klen) == 0 &&
                    (siftd_sections[i].name[klen] == '\0' || siftd_sections[i].name[klen] == '.');
        if (!known)
            cfg_warn(cfg, "%s: unknown section '%s', ignored",
                     cfg_pos_str(&s->key_pos, where, sizeof(where)), s->key);
    }
}

static int
siftd_sections_load(struct siftd_cfg *sc, struct sift_err *err)
{
    for (size_t i = 0; i < SIFTD_NSECTIONS; i++) {
        const struct cfg_node *n = cfg_lookup(sc->cfg->root, siftd_sections[i].name);

        if (siftd_sections[i].off == SIFTD_FILLED_BY_CORE ||
            siftd_sections[i].off == SIFTD_RAW_SECTION)
            continue;
        if (cfg_fill(&sc->cfg->ctx, siftd_sections[i].name, n, siftd_sections[i].keys,
                     *siftd_sections[i].nkeys, (char *)sc + siftd_sections[i].off, err) == -1)
            return -1;
    }
    return 0;
}

static void
siftd_sections_warn(struct siftd_cfg *sc)
{
    for (size_t i = 0; i < SIFTD_NSECTIONS; i++) {
        if (siftd_sections[i].off == SIFTD_FILLED_BY_CORE ||
            siftd_sections[i].off == SIFTD_RAW_SECTION)
            continue;
        cfg_warn_unknown(&sc->cfg->ctx, siftd_sections[i].name,
                         cfg_lookup(sc->cfg->root, siftd_sections[i].name),
                         &(struct cfg_keyset){ siftd_sections[i].keys, *siftd_sections[i].nkeys },
                         1);
    }
}

int
siftd_cfg_load(const char *path, const char *const *overrides, size_t noverrides,
               struct siftd_cfg **out, struct sift_err *err)
{
    return siftd_cfg_reload(path, overrides, noverrides, NULL, out, err);
}

int
siftd_cfg_reload(const char *path, const char *const *overrides, size_t noverrides,
                 const struct siftd_cfg *running, struct siftd_cfg **out, struct sift_err *err)
{
    struct siftd_cfg *sc = xcalloc(1, sizeof(*sc));
    const struct cfg_node *logging;

    if (cfg_load(path, overrides, noverrides, &sc->cfg, err) == -1) {
        free(sc);
        return -1;
    }
    logging = cfg_map_get(sc->cfg->root, "logging");
    if (siftd_sections_load(sc, err) == -1 || siftd_workers_load(sc, running, err) == -1) {
        siftd_cfg_free(&sc);
        return -1;
    }
    if (sc->logging.type == LOG_TYPE_FILE &&
        (sc->logging.filename == NULL || sc->logging.filename[0] == '\0')) {
        char where[512];

        sift_err_set(err, "%s: logging.filename: required when logging.type is file",
                     cfg_pos_str(&cfg_map_get(logging, "type")->pos, where, sizeof(where)));
        siftd_cfg_free(&sc);
        return -1;
    }
    siftd_sections_warn(sc);
    sc->symbols = cfg_map_get(sc->cfg->root, "symbols");
    sc->rules.use_bayes = sc->classifier.enabled;
    if (siftd_settings_load(sc, err) == -1) {
        siftd_cfg_free(&sc);
        return -1;
    }
    siftd_check_sections(sc->cfg);
    *out = sc;
    return 0;
}

void
siftd_cfg_free(struct siftd_cfg **scp)
{
    struct siftd_cfg *sc = *scp;

    if (sc == NULL)
        return;
    cfg_free(&sc->cfg);
    free(sc);
    *scp = NULL;
}

size_t
siftd_cfg_enabled_workers(const struct siftd_cfg *sc)
{
    size_t n = 0;

    for (size_t i = 0; i < sc->nworkers; i++) {
        if (sc->workers[i].enabled)
            n += sc->workers[i].count;
    }
    return n;
}

/* Help for the keys of one table whose names match `only` (NULL: all). */
static int
siftd_help_keys(const char *section, const struct cfg_key *keys, size_t n, const char *only,
                struct buf *out)
{
    int found = 0;

    for (size_t i = 0; i < n; i++) {
        if (only != NULL && strcmp(keys[i].name, only) != 0)
            continue;
        cfg_key_help(section, &keys[i], out);
        found = 1;
    }
    return found;
}

static int
siftd_help_worker(const struct worker_type *t, const char *only, struct buf *out)
{
    char section[128];
    int found = 0;

    snprintf(section, sizeof(section), "workers.%s", t->name);
    if (only == NULL)
        buf_printf(out, "# %s: %s\n", section, t->summary);
    found |= siftd_help_keys(section, t->listen_keys, t->nlisten_keys, only, out);
    found |= siftd_help_keys(section, worker_common_keys, worker_common_nkeys, only, out);
    found |= siftd_help_keys(section, t->keys, *t->nkeys, only, out);
    if (t->more_keys != NULL)
        found |= siftd_help_keys(section, t->more_keys, *t->nmore_keys, only, out);
    return found;
}

int
siftd_cfg_help(const char *key, struct buf *out)
{
    const char *dot = key ? strchr(key, '.') : NULL;
    size_t slen = key ? (dot ? (size_t)(dot - key) : strlen(key)) : 0;
    int found = 0;

    for (size_t i = 0; i < SIFTD_NSECTIONS; i++) {
        const char *name = siftd_sections[i].name, *sub = NULL;
        size_t nlen = strlen(name);

        /* KEY is the section ("classifier.bayes"), one of its keys, or the
         * first part of a dotted section name ("classifier") */
        if (key != NULL) {
            if (strncmp(key, name, nlen) == 0 && (key[nlen] == '\0' || key[nlen] == '.'))
                sub = key[nlen] == '.' ? key + nlen + 1 : NULL;
            else if (!(strncmp(key, name, strlen(key)) == 0 && name[strlen(key)] == '.'))
                continue;
        }
        if (sub == NULL)
            buf_printf(out, "# %s\n", name);
        if (siftd_sections[i].off == SIFTD_RAW_SECTION) {
            buf_printf(out, "%s: %s\n", name,
                       strcmp(name, "settings") == 0
                           ? "per-request settings by id (a request's Settings-ID): actions, "
                             "symbols_disabled/enabled, groups_disabled/enabled, RULE: score"
                           : "native rule definitions and rescores of any symbol, by name (the "
                             "format: rules/README.md)");
            found = 1;
            continue;
        }
        found |= siftd_help_keys(name, siftd_sections[i].keys, *siftd_sections[i].nkeys, sub, out);
    }
    if (key == NULL || (slen == 7 && strncmp(key, "workers", 7) == 0)) {
        const char *rest = dot ? dot + 1 : NULL;
        const char *dot2 = rest ? strchr(rest, '.') : NULL;
        size_t tlen = rest ? (dot2 ? (size_t)(dot2 - rest) : strlen(rest)) : 0;

        for (size_t i = 0; i < worker_ntypes; i++) {
            const struct worker_type *t = &worker_types[i];

            if (rest != NULL && (strlen(t->name) != tlen || strncmp(rest, t->name, tlen) != 0))
                continue;
            found |= siftd_help_worker(t, dot2 ? dot2 + 1 : NULL, out);
        }
    }
    return found ? 0 : -1;
}
