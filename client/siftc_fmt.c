/*
 * siftc_fmt.c - siftc's output forms (see siftc_fmt.h). Keys the reply
 * lacks are left out of the output rather than guessed, except the score
 * and required score, which rspamd always sends (0 when absent).
 */
#include "siftc_fmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

static const char *const siftc_actions[] = {
    "no action", "greylist", "add header", "rewrite subject", "soft reject", "reject",
};

int
siftc_action_rank(const char *action)
{
    if (action == NULL)
        return 2;
    for (size_t i = 0; i < sizeof(siftc_actions) / sizeof(siftc_actions[0]); i++)
        if (strcmp(action, siftc_actions[i]) == 0)
            return (int)i;
    if (strcmp(action, "discard") == 0 || strcmp(action, "quarantine") == 0)
        return 5;
    return 2;
}

bool
siftc_action_is_spam(const char *action)
{
    return action != NULL && strcmp(action, "no action") != 0 && strcmp(action, "greylist") != 0;
}

/* A value as text: strings as they are, anything else as compact JSON. */
static void
sf_text(struct buf *out, const struct json_val *v)
{
    if (json_read_is(v, JSON_STRING))
        buf_append(out, v->str.p, v->str.len);
    else if (v != NULL)
        json_read_render(v, out, 0);
}

/* Items of an array joined by sep. */
static void
sf_join(struct buf *out, const struct json_val *arr, const char *sep)
{
    for (size_t i = 0; i < json_read_len(arr); i++) {
        if (i > 0)
            buf_puts(out, sep);
        sf_text(out, json_read_at(arr, i));
    }
}

static int
sf_by_name(const void *a, const void *b)
{
    const struct json_member *x = *(const struct json_member *const *)a;
    const struct json_member *y = *(const struct json_member *const *)b;
    size_t n = x->key.len < y->key.len ? x->key.len : y->key.len;
    int c = memcmp(x->key.p, y->key.p, n);

    return c != 0 ? c : (x->key.len > y->key.len) - (x->key.len < y->key.len);
}

static int
sf_by_weight(const void *a, const void *b)
{
    const struct json_member *x = *(const struct json_member *const *)a;
    const struct json_member *y = *(const struct json_member *const *)b;
    double sx = fabs(json_read_num(json_read_get(&x->val, "score"), 0));
    double sy = fabs(json_read_num(json_read_get(&y->val, "score"), 0));

    if (sx != sy)
        return sx < sy ? 1 : -1;
    return sf_by_name(a, b);
}

/* The members of the "symbols" object, sorted; free the array. */
static const struct json_member **
sf_symbols(const struct json_val *res, size_t *n, int (*cmp)(const void *, const void *))
{
    const struct json_val *syms = json_read_get(res, "symbols");
    const struct json_member **v;

    *n = json_read_is(syms, JSON_OBJECT) ? syms->n : 0;
    v = xcalloc(*n ? *n : 1, sizeof(*v));
    for (size_t i = 0; i < *n; i++)
        v[i] = &syms->members[i];
    qsort(v, *n, sizeof(*v), cmp);
    return v;
}

void
siftc_fmt_scan(struct buf *out, const struct json_val *res)
{
    const char *action = json_read_str(json_read_get(res, "action"), NULL);
    const struct json_val *subject = json_read_get(res, "subject");
    const struct json_val *mid = json_read_get(res, "message-id");
    const struct json_val *msgs = json_read_get(res, "messages");
    const struct json_member **syms;
    size_t n;

    buf_puts(out, "[Metric: default]\n");
    buf_printf(out, "Action: %s\n", action ? action : "(none)");
    buf_printf(out, "Spam: %s\n", siftc_action_is_spam(action) ? "true" : "false");
    buf_printf(out, "Score: %.2f / %.2f\n", json_read_num(json_read_get(res, "score"), 0),
               json_read_num(json_read_get(res, "required_score"), 0));
    if (subject != NULL) {
        buf_puts(out, "Subject: ");
        sf_text(out, subject);
        buf_putc(out, '\n');
    }
    syms = sf_symbols(res, &n, sf_by_name);
    for (size_t i = 0; i < n; i++) {
        const struct json_val *opts = json_read_get(&syms[i]->val, "options");

        buf_puts(out, "Symbol: ");
        buf_append(out, syms[i]->key.p, syms[i]->key.len);
        buf_printf(out, " (%.2f)", json_read_num(json_read_get(&syms[i]->val, "score"), 0));
        if (json_read_len(opts) > 0) {
            buf_putc(out, '[');
            sf_join(out, opts, ", ");
            buf_putc(out, ']');
        }
        buf_putc(out, '\n');
    }
    free(syms);
    if (json_read_len(json_read_get(res, "urls")) > 0) {
        buf_puts(out, "Urls: ");
        sf_join(out, json_read_get(res, "urls"), ", ");
        buf_putc(out, '\n');
    }
    if (json_read_len(json_read_get(res, "emails")) > 0) {
        buf_puts(out, "Emails: ");
        sf_join(out, json_read_get(res, "emails"), ", ");
        buf_putc(out, '\n');
    }
    if (mid != NULL) {
        buf_puts(out, "Message-ID: ");
        sf_text(out, mid);
        buf_putc(out, '\n');
    }
    if (json_read_len(msgs) > 0 && json_read_is(msgs, JSON_OBJECT)) {
        buf_puts(out, "Messages:\n");
        for (size_t i = 0; i < msgs->n; i++) {
            buf_puts(out, "  ");
            buf_append(out, msgs->members[i].key.p, msgs->members[i].key.len);
            buf_puts(out, ": ");
            sf_text(out, &msgs->members[i].val);
            buf_putc(out, '\n');
        }
    }
}

void
siftc_fmt_spamd_result(struct buf *out, const struct json_val *res, const char *fold)
{
    const char *action = json_read_str(json_read_get(res, "action"), NULL);
    const struct json_member **syms;
    size_t n;

    /* "True" only for reject: rspamd's milter_headers does so */
    buf_printf(out, "default: %s [%.2f / %.2f]",
               action != NULL && strcmp(action, "reject") == 0 ? "True" : "False",
               json_read_num(json_read_get(res, "score"), 0),
               json_read_num(json_read_get(res, "required_score"), 0));
    syms = sf_symbols(res, &n, sf_by_weight);
    for (size_t i = 0; i < n; i++) {
        const struct json_val *opts = json_read_get(&syms[i]->val, "options");

        buf_putc(out, ';');
        buf_puts(out, fold);
        buf_append(out, syms[i]->key.p, syms[i]->key.len);
        buf_printf(out, "(%.2f)", json_read_num(json_read_get(&syms[i]->val, "score"), 0));
        if (json_read_len(opts) > 0) {
            buf_putc(out, '[');
            sf_join(out, opts, ",");
            buf_putc(out, ']');
        }
    }
    free(syms);
}

void
siftc_fmt_headers(struct buf *out, const struct json_val *res)
{
    const char *action = json_read_str(json_read_get(res, "action"), "no action");

    buf_printf(out, "X-Spam-Action: %s\n", action);
    buf_printf(out, "X-Spam-Score: %.2f\n", json_read_num(json_read_get(res, "score"), 0));
    if (siftc_action_is_spam(action))
        buf_puts(out, "X-Spam: Yes\n");
    buf_puts(out, "X-Spamd-Result: ");
    siftc_fmt_spamd_result(out, res, "\n\t");
    buf_putc(out, '\n');
}

static void
sf_count(struct buf *out, const char *label, double n, double total)
{
    buf_printf(out, "%s: %.0f, %.2f%%\n", label, n, total > 0 ? n * 100 / total : 0);
}

static void
sf_uint(struct buf *out, const struct json_val *st, const char *key, const char *label)
{
    const struct json_val *v = json_read_get(st, key);

    if (json_read_is(v, JSON_NUMBER))
        buf_printf(out, "%s: %.0f\n", label, v->num);
}

void
siftc_fmt_stat(struct buf *out, const struct json_val *st)
{
    const struct json_val *acts = json_read_get(st, "actions");
    const struct json_val *files = json_read_get(st, "statfiles");
    const struct json_val *fuzzy = json_read_get(st, "fuzzy_hashes");
    double scanned = json_read_num(json_read_get(st, "scanned"), 0);
    double up = json_read_num(json_read_get(st, "uptime"), -1);

    if (json_read_is(json_read_get(st, "version"), JSON_STRING))
        buf_printf(out, "Version: %s\n", json_read_str(json_read_get(st, "version"), ""));
    if (up >= 0)
        buf_printf(out, "Uptime: %.0fd %.0fh %.0fm %.0fs\n", floor(up / 86400),
                   floor(fmod(up, 86400) / 3600), floor(fmod(up, 3600) / 60), fmod(up, 60));
    buf_printf(out, "Messages scanned: %.0f\n", scanned);
    for (size_t i = 0; json_read_is(acts, JSON_OBJECT) && i < acts->n; i++) {
        char label[160];

        snprintf(label, sizeof(label), "Messages with action %.*s",
                 (int)(acts->members[i].key.len < 100 ? acts->members[i].key.len : 100),
                 acts->members[i].key.p);
        sf_count(out, label, json_read_num(&acts->members[i].val, 0), scanned);
    }
    if (json_read_get(st, "spam_count") != NULL)
        sf_count(out, "Messages treated as spam", json_read_num(json_read_get(st, "spam_count"), 0),
                 scanned);
    if (json_read_get(st, "ham_count") != NULL)
        sf_count(out, "Messages treated as ham", json_read_num(json_read_get(st, "ham_count"), 0),
                 scanned);
    sf_uint(out, st, "learned", "Messages learned");
    sf_uint(out, st, "connections", "Connections count");
    sf_uint(out, st, "control_connections", "Control connections count");
    sf_uint(out, st, "total_learns", "Total learns");
    for (size_t i = 0; i < json_read_len(files); i++) {
        const struct json_val *f = json_read_at(files, i);

        buf_puts(out, "Statfile: ");
        sf_text(out, json_read_get(f, "symbol"));
        buf_puts(out, " type: ");
        sf_text(out, json_read_get(f, "type"));
        buf_printf(out, "; learned: %.0f; users: %.0f\n",
                   json_read_num(json_read_get(f, "revision"), 0),
                   json_read_num(json_read_get(f, "users"), 0));
    }
    for (size_t i = 0; json_read_is(fuzzy, JSON_OBJECT) && i < fuzzy->n; i++) {
        buf_puts(out, "Fuzzy hashes in storage \"");
        buf_append(out, fuzzy->members[i].key.p, fuzzy->members[i].key.len);
        buf_printf(out, "\": %.0f\n", json_read_num(&fuzzy->members[i].val, 0));
    }
}

void
siftc_fmt_success(struct buf *out, const struct json_val *res)
{
    const struct json_val *hashes = json_read_get(res, "hashes");

    buf_printf(out, "success = %s\n",
               json_read_bool(json_read_get(res, "success"), false) ? "true" : "false");
    if (json_read_len(hashes) > 0) {
        buf_puts(out, "hashes: ");
        sf_join(out, hashes, ", ");
        buf_putc(out, '\n');
    }
}
