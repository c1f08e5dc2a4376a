/*
 * migrate_tree.c - the configuration values a migration sets, as one tree
 * (section -> keys), turned into the layers siftd reads: local.d/NAME.yaml
 * merges into section NAME (maps key by key, lists append), so a key whose
 * list must replace the stock one (spamd's listeners in place of
 * 127.0.0.1:783) goes to override.d/NAME.yaml instead, whole: the stock
 * entry with the migrated values over it. Lists equal to the stock ones
 * are left out (appending them would double them).
 *
 * The YAML is written here (keys in the order set, lists in flow style,
 * strings quoted when YAML could read them otherwise) and read back to
 * check that it gives the tree it came from.
 */
#include <stdio.h>
#include <string.h>

#include "core/cfg_yaml.h"
#include "core/xmalloc.h"

#include "migrate/migrate.h"

extern const char mig_stock_yaml[];

static struct cfg_node *
tree_root(struct mig *m)
{
    if (m->tree == NULL)
        m->tree = cfg_node_new(m->a, CFG_MAP, NULL);
    return m->tree;
}

int
mig_set(struct mig *m, const char *key, const char *value, struct sift_err *err)
{
    struct cfg_node *v = cfg_yaml_parse_value(m->a, "sift-migrate", value);

    return cfg_set_path(m->a, tree_root(m), key, v, err);
}

/* value as a double-quoted YAML string */
static char *
tree_quote(struct mig *m, const char *s)
{
    struct buf b;
    char *r;

    buf_init(&b);
    buf_putc(&b, '"');
    for (; *s != '\0'; s++) {
        if (*s == '"' || *s == '\\')
            buf_printf(&b, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            buf_printf(&b, "\\x%02x", (unsigned)(unsigned char)*s);
        else
            buf_putc(&b, *s);
    }
    buf_putc(&b, '"');
    r = arena_strdup(m->a, b.p);
    buf_clear(&b);
    return r;
}

int
mig_set_str(struct mig *m, const char *key, const char *value, struct sift_err *err)
{
    return mig_set(m, key, tree_quote(m, value), err);
}

int
mig_set_list(struct mig *m, const char *key, const char *const *v, size_t n, struct sift_err *err)
{
    struct buf b;
    int rc;

    buf_init(&b);
    buf_putc(&b, '[');
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i > 0 ? ", " : "", tree_quote(m, v[i]));
    buf_putc(&b, ']');
    rc = mig_set(m, key, b.p, err);
    buf_clear(&b);
    return rc;
}

int
mig_stock_load(struct mig *m, struct sift_err *err)
{
    const char *path;
    char *text;
    size_t len;

    if (m->o.out != NULL) {
        m->stock_text = mig_stock_yaml;
        return cfg_yaml_parse(m->a, "sift.yaml (stock)", mig_stock_yaml, strlen(mig_stock_yaml),
                              &m->stock, err);
    }
    path = arena_printf(m->a, "%s/sift.yaml", m->target);
    if ((text = mig_slurp(m, path, &len)) == NULL) {
        mig_item(m, path, "the main configuration file", MIG_WARN, NULL,
                 "missing: the layers are written for the stock one of this version "
                 "(sift-migrate --out DIR writes a whole configuration)");
        m->stock_text = mig_stock_yaml;
        return cfg_yaml_parse(m->a, "sift.yaml (stock)", mig_stock_yaml, strlen(mig_stock_yaml),
                              &m->stock, err);
    }
    m->stock_text = text;
    return cfg_yaml_parse(m->a, path, text, len, &m->stock, err);
}

struct mig_file *
mig_file_add(struct mig *m, const char *rel, unsigned mode)
{
    struct mig_file *f;

    if (m->nfiles == m->capfiles) {
        m->capfiles = m->capfiles ? m->capfiles * 2 : 16;
        m->files = xreallocarray(m->files, m->capfiles, sizeof(*m->files));
    }
    f = &m->files[m->nfiles++];
    memset(f, 0, sizeof(*f));
    f->rel = arena_strdup(m->a, rel);
    f->mode = mode;
    buf_init(&f->text);
    return f;
}

/* text as # comment lines of at most 78 columns */
static void
tree_comment(struct buf *b, const char *text)
{
    while (*text != '\0') {
        size_t n = strlen(text), cut = n;

        if (n > 76) {
            for (cut = 76; cut > 0 && text[cut] != ' '; cut--)
                ;
            if (cut == 0)
                cut = strcspn(text, " ");
        }
        buf_printf(b, "# %.*s\n", (int)cut, text);
        text += cut;
        while (*text == ' ')
            text++;
    }
}

void
mig_header(struct mig *m, struct buf *b, const char *what)
{
    tree_comment(b, arena_printf(m->a, "%s from SpamAssassin's configuration in %s. %s", MIG_MARK,
                                 m->sa_dir, what) +
                        2);
    tree_comment(b, "Run again, sift-migrate rewrites this file unless it was edited since (then "
                    "it refuses without --force). Its report says where every value came from.");
}

/* ---- layers ---- */

/* Does want hold a list that must replace a non-empty stock list? */
static bool
tree_needs_override(const struct cfg_node *want, const struct cfg_node *stock)
{
    if (stock == NULL)
        return false;
    if (want->kind == CFG_MAP && stock->kind == CFG_MAP) {
        for (const struct cfg_node *c = want->first; c != NULL; c = c->next) {
            if (tree_needs_override(c, cfg_map_get(stock, c->key)))
                return true;
        }
        return false;
    }
    return want->kind == CFG_LIST && stock->kind == CFG_LIST && stock->n > 0 &&
           !cfg_node_equal(want, stock);
}

/* want without the lists stock already has (NULL when nothing is left). */
static struct cfg_node *
tree_prune(struct mig *m, const struct cfg_node *want, const struct cfg_node *stock)
{
    struct cfg_node *out;

    if (want->kind == CFG_LIST && stock != NULL && cfg_node_equal(want, stock))
        return NULL;
    if (want->kind != CFG_MAP || stock == NULL || stock->kind != CFG_MAP)
        return cfg_node_copy(m->a, want);
    out = cfg_node_new(m->a, CFG_MAP, &want->pos);
    for (const struct cfg_node *c = want->first; c != NULL; c = c->next) {
        struct cfg_node *v = tree_prune(m, c, cfg_map_get(stock, c->key));

        if (v != NULL)
            cfg_map_set(out, c->key, &c->key_pos, v);
    }
    return out->n > 0 ? out : NULL;
}

/* base with want over it: maps merge, anything else replaces. */
static void
tree_overlay(struct mig *m, struct cfg_node *base, const struct cfg_node *want)
{
    for (const struct cfg_node *c = want->first; c != NULL; c = c->next) {
        struct cfg_node *b = cfg_map_get(base, c->key);

        if (b != NULL && b->kind == CFG_MAP && c->kind == CFG_MAP)
            tree_overlay(m, b, c);
        else
            cfg_map_set(base, c->key, &c->key_pos, cfg_node_copy(m->a, c));
    }
}

/* ---- writing YAML ---- */

static bool
tree_plain(const struct cfg_node *n, bool in_flow)
{
    const char *s = n->str;

    if (n->quoted || s[0] == '\0' || s[0] == '-' || s[0] == '.')
        return false;
    for (; *s != '\0'; s++) {
        bool ok = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                  (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-' ||
                  (!in_flow && (*s == '/' || *s == '$'));

        if (!ok)
            return false;
    }
    return strcmp(n->str, "null") != 0 && strcmp(n->str, "Null") != 0 &&
           strcmp(n->str, "NULL") != 0;
}

static void
tree_scalar(struct mig *m, struct buf *out, const struct cfg_node *n, bool in_flow)
{
    if (n->kind == CFG_NULL)
        buf_putc(out, '~');
    else if (tree_plain(n, in_flow))
        buf_puts(out, n->str);
    else
        buf_puts(out, tree_quote(m, n->str));
}

static void
tree_emit(struct mig *m, struct buf *out, const struct cfg_node *map, int indent)
{
    for (const struct cfg_node *c = map->first; c != NULL; c = c->next) {
        buf_printf(out, "%*s%s:", indent, "", c->key);
        if (c->kind == CFG_MAP && c->n > 0) {
            buf_putc(out, '\n');
            tree_emit(m, out, c, indent + 2);
            continue;
        }
        buf_putc(out, ' ');
        if (c->kind == CFG_MAP) {
            buf_puts(out, "{}");
        } else if (c->kind == CFG_LIST) {
            buf_putc(out, '[');
            for (const struct cfg_node *it = c->first; it != NULL; it = it->next) {
                tree_scalar(m, out, it, true);
                if (it->next != NULL)
                    buf_puts(out, ", ");
            }
            buf_putc(out, ']');
        } else {
            tree_scalar(m, out, c, false);
        }
        buf_putc(out, '\n');
    }
}

static int
tree_file(struct mig *m, const char *dir, const char *section, const struct cfg_node *map,
          struct sift_err *err)
{
    const char *rel = arena_printf(m->a, "%s/%s.yaml", dir, section);
    struct mig_file *f = mig_file_add(m, rel, 0644);
    struct cfg_node *back;
    size_t body;

    mig_header(
        m, &f->text,
        strcmp(dir, "override.d") == 0
            ? arena_printf(m->a,
                           "Each key here replaces section %s's key whole (spamd's lists "
                           "replace the stock ones).",
                           section)
            : arena_printf(m->a, "Merged into section %s over the stock settings.", section));
    body = f->text.len;
    tree_emit(m, &f->text, map, 0);
    /* what is written must read back as the tree it came from */
    if (cfg_yaml_parse(m->a, rel, f->text.p + body, f->text.len - body, &back, err) == -1)
        return -1;
    if (!cfg_node_equal(back, map)) {
        sift_err_set(err, "%s: the YAML written does not read back as the values meant", rel);
        return -1;
    }
    return 0;
}

int
mig_tree_files(struct mig *m, struct sift_err *err)
{
    const struct cfg_node *root = tree_root(m);

    for (const struct cfg_node *sec = root->first; sec != NULL; sec = sec->next) {
        const struct cfg_node *st = cfg_map_get(m->stock, sec->key);
        struct cfg_node *local = cfg_node_new(m->a, CFG_MAP, NULL);
        struct cfg_node *over = cfg_node_new(m->a, CFG_MAP, NULL);

        if (sec->kind != CFG_MAP) {
            sift_err_set(err, "%s: a section is a map of keys", sec->key);
            return -1;
        }
        for (const struct cfg_node *k = sec->first; k != NULL; k = k->next) {
            const struct cfg_node *sk = st != NULL ? cfg_map_get(st, k->key) : NULL;

            if (tree_needs_override(k, sk)) {
                struct cfg_node *whole = sk->kind == CFG_MAP ? cfg_node_copy(m->a, sk)
                                                             : cfg_node_new(m->a, CFG_MAP, NULL);

                if (k->kind == CFG_MAP)
                    tree_overlay(m, whole, k);
                else
                    whole = cfg_node_copy(m->a, k);
                cfg_map_set(over, k->key, &k->key_pos, whole);
            } else {
                struct cfg_node *v = tree_prune(m, k, sk);

                if (v != NULL)
                    cfg_map_set(local, k->key, &k->key_pos, v);
            }
        }
        if (local->n > 0 && tree_file(m, "local.d", sec->key, local, err) == -1)
            return -1;
        if (over->n > 0 && tree_file(m, "override.d", sec->key, over, err) == -1)
            return -1;
    }
    return 0;
}
