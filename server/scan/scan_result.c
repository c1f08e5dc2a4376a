/*
 * scan_result.c - actions and their thresholds (see scan_result.h).
 */
#include "scan/scan_result.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

static const char *const action_names[SCAN_NACTIONS] = { "no action", "greylist", "add header",
                                                         "rewrite subject", "reject" };
/* the config keys, in action order */
static const char *const action_keys[SCAN_NACTIONS] = { NULL, "greylist", "add_header",
                                                        "rewrite_subject", "reject" };

const struct cfg_key scan_actions_keys[] = {
    { "greylist", CFG_T_STR, NULL, offsetof(struct scan_actions_cfg, value[SCAN_ACTION_GREYLIST]),
      "score from which a message is greylisted (~: never)", NULL },
    { "add_header", CFG_T_STR, NULL,
      offsetof(struct scan_actions_cfg, value[SCAN_ACTION_ADD_HEADER]),
      "score from which a message is spam and gets the spam headers; ~: SpamAssassin's "
      "required_score (5.0 unless the rules set it)",
      NULL },
    { "rewrite_subject", CFG_T_STR, NULL,
      offsetof(struct scan_actions_cfg, value[SCAN_ACTION_REWRITE_SUBJECT]),
      "score from which the Subject is rewritten (~: never)", NULL },
    { "reject", CFG_T_STR, "15", offsetof(struct scan_actions_cfg, value[SCAN_ACTION_REJECT]),
      "score from which the message is rejected by protocols that can (milter, HTTP); ~: never",
      NULL },
};
const size_t scan_actions_nkeys = sizeof(scan_actions_keys) / sizeof(scan_actions_keys[0]);

const char *
scan_action_name(enum scan_action a)
{
    return (unsigned)a < SCAN_NACTIONS ? action_names[a] : "?";
}

int
scan_actions_check(const struct scan_actions *acts, struct sift_err *err)
{
    int prev = -1;

    for (int i = 1; i < SCAN_NACTIONS; i++) {
        if (!acts->set[i])
            continue;
        if (prev >= 0 && acts->threshold[i] < acts->threshold[prev]) {
            sift_err_set(err,
                         "actions: %s (%g) is below %s (%g): thresholds must rise from greylist "
                         "to add_header, rewrite_subject and reject",
                         action_keys[i], acts->threshold[i], action_keys[prev],
                         acts->threshold[prev]);
            return -1;
        }
        prev = i;
    }
    return 0;
}

enum scan_action
scan_actions_pick(const struct scan_actions *acts, double score)
{
    enum scan_action best = SCAN_ACTION_NONE;

    for (int i = 1; i < SCAN_NACTIONS; i++) {
        if (acts->set[i] && score >= acts->threshold[i])
            best = (enum scan_action)i;
    }
    return best;
}

int
scan_actions_from_cfg(const struct scan_actions_cfg *c, double required_score,
                      struct scan_actions *out, struct sift_err *err)
{
    memset(out, 0, sizeof(*out));
    for (int i = 1; i < SCAN_NACTIONS; i++) {
        const char *v = c->value[i];
        struct sift_err e;

        if (v == NULL || v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0) {
            if (i == SCAN_ACTION_ADD_HEADER) {
                out->threshold[i] = required_score;
                out->set[i] = true;
            }
            continue;
        }
        if (cfg_parse_double(v, &out->threshold[i], &e) == -1) {
            sift_err_set(err, "actions.%s: %s (got '%s')", action_keys[i], e.msg, v);
            return -1;
        }
        out->set[i] = true;
    }
    return scan_actions_check(out, err);
}

int
scan_hit_cmp(const void *x, const void *y)
{
    return strcmp(((const struct scan_hit *)x)->rule->name,
                  ((const struct scan_hit *)y)->rule->name);
}

int
scan_name_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

const struct scan_result *
scan_result_merge(struct arena *ar, const struct scan_result *a, const struct scan_result *b,
                  const struct scan_actions *acts)
{
    struct scan_result *r = arena_calloc(ar, 1, sizeof(*r));
    double score = a->score;
    char buf[64];

    r->hits = arena_calloc(ar, a->nhits + b->nhits + 1, sizeof(*r->hits));
    memcpy(r->hits, a->hits, a->nhits * sizeof(*r->hits));
    memcpy(r->hits + a->nhits, b->hits, b->nhits * sizeof(*r->hits));
    r->nhits = a->nhits + b->nhits;
    qsort(r->hits, r->nhits, sizeof(*r->hits), scan_hit_cmp);
    r->subhits = arena_calloc(ar, a->nsubhits + b->nsubhits + 1, sizeof(*r->subhits));
    memcpy(r->subhits, a->subhits, a->nsubhits * sizeof(*r->subhits));
    memcpy(r->subhits + a->nsubhits, b->subhits, b->nsubhits * sizeof(*r->subhits));
    r->nsubhits = a->nsubhits + b->nsubhits;
    qsort(r->subhits, r->nsubhits, sizeof(*r->subhits), scan_name_cmp);
    for (size_t i = 0; i < b->nhits; i++)
        score += b->hits[i].score;
    snprintf(buf, sizeof(buf), "%0.3f", score);
    r->score = strtod(buf, NULL) + 0.0;
    r->required = acts->set[SCAN_ACTION_ADD_HEADER] ? acts->threshold[SCAN_ACTION_ADD_HEADER] : 5.0;
    r->is_spam = r->score >= r->required;
    r->action = scan_actions_pick(acts, r->score);
    return r;
}
