/*
 * sa_eval_vbounce.c - SpamAssassin 4.0.1's Plugin::VBounce.
 * A bounce of mail we really sent quotes our own Received lines; the hosts
 * named in them are looked up in welcomelist_bounce_relays (an address
 * list: lower-cased keys, * and ? globs). Two places are searched, as SA
 * does: the lines of the body view (SA's decoded, stripped body) that start
 * "Received:" after any '>' and ' ', for words between single spaces; then
 * the pristine body, its Received lines joined with their continuation
 * lines (without the newlines, as the plugin joins them), for words
 * between any white space. A word is a host when it has a dot with
 * something on both sides.
 * The list is built from the configuration on a rule's first call and kept
 * in its prepare state, as in sa_eval_wlbl.c.
 */
#include "compat/sa_eval_vbounce.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "compat/sa_conf.h"
#include "compat/sa_eval_addrlist.h"
#include "compat/sa_eval_util.h"
#include "core/buf.h"
#include "mime/mime_views.h"

/* A rule's state: the list when there is no configuration. */
struct vb_state {
    struct arena *a; /* the engine's */
    bool built;
    struct sa_addrlist relays;
};

static int
vb_prepare(struct arena *a, const struct scan_rule *rule, void **state, struct sift_err *err)
{
    struct vb_state *st = arena_calloc(a, 1, sizeof(*st));

    (void)rule;
    (void)err;
    st->a = a;
    *state = st;
    return 0;
}

/* welcomelist_bounce_relays, built once per configuration */
static const struct sa_addrlist *
vb_relays(struct scan_eval_ctx *ec)
{
    static const char vb_key;
    struct vb_state *st = ec->state;
    const struct sa_conf *c = ec->data;
    struct sa_addrlist *l;
    bool fresh;

    if (c == NULL) {
        if (!st->built)
            sa_addrlist_build(st->a, NULL, "welcomelist_bounce_relays", &st->relays);
        st->built = true;
        return &st->relays;
    }
    l = sa_conf_memo(c, &vb_key, sizeof(*l), &fresh);
    if (fresh)
        sa_addrlist_build(sa_conf_arena(c), c, "welcomelist_bounce_relays", l);
    return l;
}

/* Perl's \s on bytes */
static bool
vb_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* /^[> ]*Received:/i */
static bool
vb_received(struct strv s)
{
    size_t i = 0;

    while (i < s.len && (s.p[i] == '>' || s.p[i] == ' '))
        i++;
    return s.len - i >= 9 && strncasecmp(s.p + i, "received:", 9) == 0;
}

/* \S+\.\S+ on a run of non-blanks: a dot with a byte on each side */
static bool
vb_dotted(struct strv w)
{
    return w.len >= 3 && memchr(w.p + 1, '.', w.len - 2) != NULL;
}

/* The next match of / (\S+\.\S+) /g (any_blank false) or
 * /\s(\S+\.\S+)\s/g (any_blank true) in s from *pos: the word in *w and
 * *pos past the match. On failure *pos is where the search could go on if
 * more text were appended to s (the last blank whose word ran to the end). */
static bool
vb_next_word(struct strv s, size_t *pos, bool any_blank, struct strv *w)
{
    size_t i = *pos;

    while (i < s.len) {
        size_t j;

        if (any_blank ? !vb_space(s.p[i]) : s.p[i] != ' ') {
            i++;
            continue;
        }
        for (j = i + 1; j < s.len && !vb_space(s.p[j]); j++)
            ;
        if (j == s.len) {
            *pos = i;
            return false;
        }
        if ((any_blank || s.p[j] == ' ') && vb_dotted(strv_make(s.p + i + 1, j - i - 1))) {
            *w = strv_make(s.p + i + 1, j - i - 1);
            *pos = j + 1;
            return true;
        }
        i = j; /* no blank in between: the next start is the blank at j */
    }
    *pos = s.len;
    return false;
}

/* Any word of s from *pos in the list (*pos left where to go on). */
static bool
vb_words_listed(struct arena *a, const struct sa_addrlist *l, struct strv s, size_t *pos,
                bool any_blank)
{
    struct strv w;

    while (vb_next_word(s, pos, any_blank, &w)) {
        if (sa_addrlist_match(a, l, w))
            return true;
    }
    return false;
}

static double
have_any_bounce_relays(struct scan_eval_ctx *ec)
{
    return vb_relays(ec)->n > 0;
}

/* s is all '>' and ' ': a continuation line may still make it a
 * Received line (SA tests the joined text, not the first line) */
static bool
vb_prefix_only(struct strv s)
{
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] != '>' && s.p[i] != ' ')
            return false;
    }
    return true;
}

/* The pristine body from its first Received line on, each header joined
 * with its continuation lines (without the newlines): SA scans the joined
 * text again after each line; the matches before the last failed search
 * do not change when text is appended, so the scan goes on from there. */
static bool
vb_pristine_listed(struct arena *a, const struct sa_addrlist *l, struct strv body)
{
    struct buf hdr;
    bool found = false, started = false, live = true;
    size_t off = 0, pos = 0;

    buf_init(&hdr);
    while (off < body.len && !found) {
        const char *nl = memchr(body.p + off, '\n', body.len - off);
        size_t end = nl != NULL ? (size_t)(nl - body.p) : body.len;
        struct strv line = strv_make(body.p + off, end - off), h;

        off = end + 1;
        if (!started && !vb_received(line))
            continue;
        started = true;
        if (line.len == 0 || !vb_space(line.p[0])) { /* a new header */
            buf_reset(&hdr);
            pos = 0;
            live = true;
        }
        if (!live)
            continue;
        buf_append(&hdr, line.p, line.len);
        h = strv_make(hdr.p, hdr.len);
        if (!vb_received(h))
            live = vb_prefix_only(h);
        else
            found = vb_words_listed(a, l, h, &pos, true);
    }
    buf_clear(&hdr);
    return found;
}

static double
check_welcomelist_bounce_relays(struct scan_eval_ctx *ec)
{
    const struct sa_addrlist *l = vb_relays(ec);
    struct mime_msg *m = ec->msg != NULL ? ec->msg : task_message(ec->task);
    struct arena *a = ec->task->arena;
    const struct mime_view *body;

    if (l->n == 0)
        return 0;
    body = mime_view_body(m);
    for (size_t i = 0; i < body->n; i++) {
        size_t pos = 0;

        if (vb_received(body->lines[i]) && vb_words_listed(a, l, body->lines[i], &pos, false))
            return 1;
    }
    return vb_pristine_listed(a, l, m->pristine_body);
}

const struct scan_eval_def sa_eval_vbounce_defs[] = {
    /* "type does not matter" for all three */
    { "have_any_bounce_relays", 0, vb_prepare, have_any_bounce_relays, 0 },
    { "check_welcomelist_bounce_relays", 0, vb_prepare, check_welcomelist_bounce_relays, 0 },
    { "check_whitelist_bounce_relays", 0, vb_prepare, check_welcomelist_bounce_relays, 0 },
};

const size_t sa_eval_vbounce_ndefs = sizeof(sa_eval_vbounce_defs) / sizeof(sa_eval_vbounce_defs[0]);
