/*
 * scan_settings.c - rspamd-style per-scan settings (see scan_settings.h).
 */
#include "scan/scan_settings.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The action a settings key names: rspamd's spelling or sift's config's. */
static int
ss_action(const char *key)
{
    static const struct {
        const char *name;
        enum scan_action a;
    } names[] = {
        { "greylist", SCAN_ACTION_GREYLIST },
        { "add header", SCAN_ACTION_ADD_HEADER },
        { "add_header", SCAN_ACTION_ADD_HEADER },
        { "rewrite subject", SCAN_ACTION_REWRITE_SUBJECT },
        { "rewrite_subject", SCAN_ACTION_REWRITE_SUBJECT },
        { "reject", SCAN_ACTION_REJECT },
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(key, names[i].name) == 0)
            return (int)names[i].a;
    }
    return -1;
}

static struct scan_settings_names *
ss_list(struct scan_settings *s, const char *key)
{
    if (strcmp(key, "symbols_disabled") == 0)
        return &s->symbols_disabled;
    if (strcmp(key, "symbols_enabled") == 0)
        return &s->symbols_enabled;
    if (strcmp(key, "groups_disabled") == 0)
        return &s->groups_disabled;
    if (strcmp(key, "groups_enabled") == 0)
        return &s->groups_enabled;
    return NULL;
}

static void
ss_list_add(struct arena *a, struct scan_settings_names *l, const char *name)
{
    l->v = arena_realloc(a, l->v, l->n * sizeof(*l->v), (l->n + 1) * sizeof(*l->v));
    l->v[l->n++] = arena_strdup(a, name);
}

static void
ss_score_add(struct arena *a, struct scan_settings *s, const char *name, double score)
{
    s->scores = arena_realloc(a, s->scores, s->nscores * sizeof(*s->scores),
                              (s->nscores + 1) * sizeof(*s->scores));
    s->scores[s->nscores].name = arena_strdup(a, name);
    s->scores[s->nscores].score = score;
    s->nscores++;
}

/* Keys that are rspamd's but mean nothing to sift's scan: accepted, unused. */
static bool
ss_ignored_key(const char *key)
{
    static const char *const keys[] = { "flags", "subject", "messages", "priority", "id" };

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcmp(key, keys[i]) == 0)
            return true;
    }
    return false;
}

/* ---- JSON ---------------------------------------------------------------- */

static int
ss_json_obj(struct arena *a, const struct json_val *v, struct scan_settings *out,
            struct sift_err *err)
{
    for (size_t i = 0; i < v->n; i++) {
        const char *key = v->members[i].key.p;
        const struct json_val *m = &v->members[i].val;
        struct scan_settings_names *l;

        if (strcmp(key, "default") == 0 && m->type == JSON_OBJECT) {
            if (ss_json_obj(a, m, out, err) == -1)
                return -1;
        } else if (strcmp(key, "actions") == 0) {
            if (m->type != JSON_OBJECT) {
                sift_err_set(err, "settings: actions: expected an object");
                return -1;
            }
            for (size_t k = 0; k < m->n; k++) {
                const struct json_val *t = &m->members[k].val;
                int act = ss_action(m->members[k].key.p);

                if (strcasecmp(m->members[k].key.p, "no action") == 0)
                    continue;
                if (act < 0 || (t->type != JSON_NUMBER && t->type != JSON_NULL)) {
                    sift_err_set(err, "settings: actions: %s: %s", m->members[k].key.p,
                                 act < 0 ? "not an action sift knows (greylist, add header, "
                                           "rewrite subject, reject)"
                                         : "expected a number or null");
                    return -1;
                }
                out->action_given[act] = true;
                out->action_off[act] = t->type == JSON_NULL;
                out->threshold[act] = t->num;
            }
        } else if ((l = ss_list(out, key)) != NULL) {
            if (m->type != JSON_ARRAY) {
                sift_err_set(err, "settings: %s: expected an array of names", key);
                return -1;
            }
            l->given = true;
            for (size_t k = 0; k < m->n; k++) {
                if (m->items[k].type != JSON_STRING) {
                    sift_err_set(err, "settings: %s: expected an array of names", key);
                    return -1;
                }
                ss_list_add(a, l, m->items[k].str.p);
            }
        } else if (m->type == JSON_NUMBER) {
            ss_score_add(a, out, key, m->num);
        } else if (!ss_ignored_key(key)) {
            sift_err_set(err, "settings: %s: expected a symbol's score (a number)", key);
            return -1;
        }
    }
    return 0;
}

int
scan_settings_from_json(struct arena *a, const struct json_val *v, struct scan_settings *out,
                        struct sift_err *err)
{
    memset(out, 0, sizeof(*out));
    if (v == NULL || v->type != JSON_OBJECT) {
        sift_err_set(err, "settings: expected a JSON object");
        return -1;
    }
    return ss_json_obj(a, v, out, err);
}

/* ---- configuration ------------------------------------------------------ */

static bool
ss_cfg_number(const struct cfg_node *n, double *v)
{
    char *end;

    if (n->kind != CFG_SCALAR || n->len == 0)
        return false;
    errno = 0;
    *v = strtod(n->str, &end);
    return errno == 0 && *end == '\0' && isfinite(*v);
}

static int
ss_cfg_map(struct arena *a, const struct cfg_node *n, struct scan_settings *out,
           struct sift_err *err)
{
    char where[512];

    for (const struct cfg_node *m = n->first; m != NULL; m = m->next) {
        struct scan_settings_names *l;
        double num;

        cfg_pos_str(&m->key_pos, where, sizeof(where));
        if (strcmp(m->key, "default") == 0 && m->kind == CFG_MAP) {
            if (ss_cfg_map(a, m, out, err) == -1)
                return -1;
        } else if (strcmp(m->key, "actions") == 0) {
            if (m->kind != CFG_MAP) {
                sift_err_set(err, "%s: actions: expected a map", where);
                return -1;
            }
            for (const struct cfg_node *t = m->first; t != NULL; t = t->next) {
                int act = ss_action(t->key);

                if (strcasecmp(t->key, "no action") == 0)
                    continue;
                if (act < 0 || (t->kind != CFG_NULL && !ss_cfg_number(t, &num))) {
                    sift_err_set(err, "%s: actions: %s: %s",
                                 cfg_pos_str(&t->key_pos, where, sizeof(where)), t->key,
                                 act < 0 ? "not an action sift knows (greylist, add_header, "
                                           "rewrite_subject, reject)"
                                         : "expected a number or ~");
                    return -1;
                }
                out->action_given[act] = true;
                out->action_off[act] = t->kind == CFG_NULL;
                out->threshold[act] = t->kind == CFG_NULL ? 0.0 : num;
            }
        } else if ((l = ss_list(out, m->key)) != NULL) {
            if (m->kind != CFG_LIST) {
                sift_err_set(err, "%s: %s: expected a list of names", where, m->key);
                return -1;
            }
            l->given = true;
            for (const struct cfg_node *it = m->first; it != NULL; it = it->next) {
                if (it->kind != CFG_SCALAR) {
                    sift_err_set(err, "%s: %s: expected a list of names", where, m->key);
                    return -1;
                }
                ss_list_add(a, l, it->str);
            }
        } else if (ss_cfg_number(m, &num)) {
            ss_score_add(a, out, m->key, num);
        } else if (!ss_ignored_key(m->key)) {
            sift_err_set(err, "%s: %s: expected a symbol's score (a number)", where, m->key);
            return -1;
        }
    }
    return 0;
}

int
scan_settings_from_cfg(struct arena *a, const struct cfg_node *n, struct scan_settings *out,
                       struct sift_err *err)
{
    char where[512];

    memset(out, 0, sizeof(*out));
    if (n == NULL || n->kind != CFG_MAP) {
        sift_err_set(err, "%s: expected a map of settings",
                     n != NULL ? cfg_pos_str(&n->pos, where, sizeof(where)) : "settings");
        return -1;
    }
    return ss_cfg_map(a, n, out, err);
}

/* ---- applying ------------------------------------------------------------ */

int
scan_settings_actions(const struct scan_settings *s, const struct scan_actions *base,
                      struct scan_actions *out, struct sift_err *err)
{
    *out = *base;
    for (int a = SCAN_ACTION_NONE + 1; a < SCAN_NACTIONS; a++) {
        if (!s->action_given[a])
            continue;
        out->set[a] = !s->action_off[a];
        out->threshold[a] = s->threshold[a];
    }
    return scan_actions_check(out, err);
}

static bool
ss_in(const struct scan_settings_names *l, const char *name)
{
    for (size_t i = 0; name != NULL && i < l->n; i++) {
        if (strcmp(l->v[i], name) == 0)
            return true;
    }
    return false;
}

bool
scan_settings_off(const struct scan_settings *s, const struct scan_rule *r)
{
    if (ss_in(&s->symbols_disabled, r->name) || ss_in(&s->groups_disabled, r->group))
        return !ss_in(&s->symbols_enabled, r->name);
    if (s->symbols_enabled.given || s->groups_enabled.given) /* a meta's parts stay on */
        return !scan_rule_is_sub(r) && !ss_in(&s->symbols_enabled, r->name) &&
               !ss_in(&s->groups_enabled, r->group);
    return false;
}

bool
scan_settings_touches_rules(const struct scan_settings *s)
{
    return s->nscores > 0 || s->symbols_disabled.n > 0 || s->groups_disabled.n > 0 ||
           s->symbols_enabled.given || s->groups_enabled.given;
}
