/*
 * sa_rules.c - load, translate and compile a SpamAssassin rule set (see
 * sa_rules.h).
 */
#include "compat/sa_rules.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "compat/sa_evals.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "mime/mime_uris.h"
#include "scan/scan_yaml.h"

static double
rules_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *
rules_dir_resolve(const char *dir)
{
    struct stat st;

    if (dir != NULL && strcmp(dir, "auto") != 0)
        return dir;
    if (stat(SA_RULES_UPDATE_DIR, &st) == 0 && S_ISDIR(st.st_mode))
        return SA_RULES_UPDATE_DIR;
    return SA_RULES_SHIPPED_DIR;
}

int
sa_rules_load(const struct sa_rules_cfg *cfg, const struct scan_actions_cfg *actions,
              const struct cfg_node *symbols, struct sa_rules **out, struct sift_err *err)
{
    struct sa_rules *r = xcalloc(1, sizeof(*r));
    struct sa_conf_opts co = { .local_only = cfg->local_only };
    struct scan_engine_opts eo = { 0 };
    double t0 = rules_now();
    static const struct scan_actions_cfg no_actions;

    sa_evals_register();
    r->rules_dir = rules_dir_resolve(cfg->rules_dir);
    r->site_dir =
        cfg->site_dir != NULL && cfg->site_dir[0] != '\0' && strcmp(cfg->site_dir, "~") != 0
            ? cfg->site_dir
            : NULL;
    r->conf = sa_conf_new(&co);
    r->rs = scan_ruleset_new();
    if (cfg->native_dir != NULL && scan_yaml_load_dir(r->rs, cfg->native_dir, err) == -1)
        goto fail;
    if (sa_conf_load_dirs(r->conf, r->rs, r->rules_dir, r->site_dir, err) == -1)
        goto fail;
    sa_conf_finish(r->conf, r->rs);
    if (symbols != NULL && scan_yaml_apply(r->rs, symbols, err) == -1)
        goto fail;
    if (scan_actions_from_cfg(actions != NULL ? actions : &no_actions,
                              sa_conf_required_score(r->conf), &r->actions, err) == -1)
        goto fail;
    /* the pattern cache: made on first use, for this process's user only */
    if (cfg->cache_dir != NULL && mkdir(cfg->cache_dir, 0700) == -1 && errno != EEXIST)
        log_warn("rules: cannot create the pattern cache %s: %s", cfg->cache_dir, strerror(errno));
    eo.score_set = sa_conf_score_set(r->conf);
    eo.local_only = cfg->local_only;
    eo.cache_dir = cfg->cache_dir;
    eo.no_hyperscan = !cfg->hyperscan;
    eo.eval_data = r->conf;
    eo.actions = r->actions;
    if (scan_engine_new(r->rs, &eo, &r->engine, err) == -1)
        goto fail;
    r->load_seconds = rules_now() - t0;
    *out = r;
    return 0;
fail:
    sa_rules_free(&r);
    return -1;
}

void
sa_rules_free(struct sa_rules **rp)
{
    struct sa_rules *r = *rp;

    if (r == NULL)
        return;
    scan_engine_free(&r->engine);
    scan_ruleset_free(&r->rs);
    sa_conf_free(&r->conf);
    free(r);
    *rp = NULL;
}

/* A list setting left empty in mc takes SA's values (each value may name
 * several networks, space-separated, as in trusted_networks). */
static void
rules_list(const struct sa_rules *r, const char *directive, struct cfg_strlist *out)
{
    const struct strv *v;
    size_t n = sa_conf_values(r->conf, directive, &v), cnt = 0;
    const char **items;
    struct arena *a = scan_ruleset_arena(r->rs);

    if (out->n > 0 || n == 0)
        return;
    for (size_t i = 0; i < n; i++)
        cnt += v[i].len + 1;
    items = arena_calloc(a, cnt + 1, sizeof(*items));
    out->n = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = v[i].p, *end = v[i].p + v[i].len;

        while (p < end) {
            const char *q;

            while (p < end && (*p == ' ' || *p == '\t'))
                p++;
            for (q = p; q < end && *q != ' ' && *q != '\t'; q++)
                ;
            if (q > p)
                items[out->n++] = arena_strndup(a, p, (size_t)(q - p));
            p = q;
        }
    }
    out->v = items;
}

void
sa_rules_mime_cfg(const struct sa_rules *r, struct mime_cfg *mc)
{
    const char *v;

    rules_list(r, "trusted_networks", &mc->trusted_networks);
    rules_list(r, "internal_networks", &mc->internal_networks);
    rules_list(r, "msa_networks", &mc->msa_networks);
    if (mc->envelope_sender_header == NULL &&
        (v = sa_conf_value(r->conf, "envelope_sender_header", NULL)) != NULL)
        mc->envelope_sender_header = v;
    if ((v = sa_conf_value(r->conf, "body_part_scan_size", NULL)) != NULL)
        mc->lim.body_part_scan_size = strtoul(v, NULL, 10);
    if ((v = sa_conf_value(r->conf, "rawbody_part_scan_size", NULL)) != NULL)
        mc->lim.rawbody_part_scan_size = strtoul(v, NULL, 10);
}

const struct scan_result *
sa_rules_scan(struct sa_rules *r, struct task *t)
{
    return scan_engine_run(r->engine, t);
}
