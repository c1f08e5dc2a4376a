/*
 * cfg_tree.c - configuration tree (see cfg_tree.h).
 * Maps are short (a section has tens of keys), so lookups are linear.
 */
#include "core/cfg_tree.h"

#include <stdio.h>
#include <string.h>

struct cfg_node *
cfg_node_new(struct arena *a, enum cfg_kind kind, const struct cfg_pos *pos)
{
    struct cfg_node *n = arena_calloc(a, 1, sizeof(*n));

    n->kind = kind;
    if (pos != NULL)
        n->pos = *pos;
    return n;
}

struct cfg_node *
cfg_scalar_new(struct arena *a, const char *text, size_t len, const struct cfg_pos *pos)
{
    struct cfg_node *n = cfg_node_new(a, CFG_SCALAR, pos);

    n->str = arena_strndup(a, text, len);
    n->len = len;
    return n;
}

struct cfg_node *
cfg_map_get(const struct cfg_node *map, const char *key)
{
    if (map == NULL || map->kind != CFG_MAP)
        return NULL;
    for (struct cfg_node *c = map->first; c != NULL; c = c->next) {
        if (strcmp(c->key, key) == 0)
            return c;
    }
    return NULL;
}

static void
cfg_append_child(struct cfg_node *parent, struct cfg_node *child)
{
    child->next = NULL;
    if (parent->last != NULL)
        parent->last->next = child;
    else
        parent->first = child;
    parent->last = child;
    parent->n++;
}

void
cfg_map_set(struct cfg_node *map, const char *key, const struct cfg_pos *key_pos,
            struct cfg_node *val)
{
    val->key = key;
    if (key_pos != NULL)
        val->key_pos = *key_pos;
    for (struct cfg_node **link = &map->first; *link != NULL; link = &(*link)->next) {
        struct cfg_node *c = *link;

        if (strcmp(c->key, key) == 0) {
            val->next = c->next;
            *link = val;
            if (map->last == c)
                map->last = val;
            return;
        }
    }
    cfg_append_child(map, val);
}

void
cfg_list_append(struct cfg_node *list, struct cfg_node *item)
{
    item->key = NULL;
    cfg_append_child(list, item);
}

struct cfg_node *
cfg_lookup(const struct cfg_node *root, const char *path)
{
    const struct cfg_node *n = root;
    const char *p = path;

    while (n != NULL) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        const struct cfg_node *found = NULL;

        if (n->kind != CFG_MAP)
            return NULL;
        for (struct cfg_node *c = n->first; c != NULL; c = c->next) {
            if (strlen(c->key) == len && memcmp(c->key, p, len) == 0) {
                found = c;
                break;
            }
        }
        n = found;
        if (dot == NULL)
            return (struct cfg_node *)n;
        p = dot + 1;
    }
    return NULL;
}

int
cfg_set_path(struct arena *a, struct cfg_node *root, const char *path, struct cfg_node *val,
             struct sift_err *err)
{
    struct cfg_node *n = root;
    const char *p = path;

    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        char *key;
        struct cfg_node *child;

        if (len == 0) {
            sift_err_set(err, "%s: empty key in path", path);
            return -1;
        }
        key = arena_strndup(a, p, len);
        if (dot == NULL) {
            cfg_map_set(n, key, &val->pos, val);
            return 0;
        }
        child = cfg_map_get(n, key);
        if (child == NULL || child->kind == CFG_NULL) {
            child = cfg_node_new(a, CFG_MAP, &val->pos);
            cfg_map_set(n, key, &val->pos, child);
        } else if (child->kind != CFG_MAP) {
            char where[512];

            sift_err_set(err, "%s: '%.*s' is not a section (set at %s)", path, (int)(dot - path),
                         path, cfg_pos_str(&child->pos, where, sizeof(where)));
            return -1;
        }
        n = child;
        p = dot + 1;
    }
}

struct cfg_node *
cfg_node_copy(struct arena *a, const struct cfg_node *src)
{
    struct cfg_node *n = cfg_node_new(a, src->kind, &src->pos);

    n->quoted = src->quoted;
    n->str = src->str; /* scalar text is immutable and lives in the same arena */
    n->len = src->len;
    n->key = src->key;
    n->key_pos = src->key_pos;
    for (const struct cfg_node *c = src->first; c != NULL; c = c->next) {
        cfg_append_child(n, cfg_node_copy(a, c));
    }
    return n;
}

void
cfg_merge(struct arena *a, struct cfg_node *dst, const struct cfg_node *src)
{
    for (const struct cfg_node *s = src->first; s != NULL; s = s->next) {
        struct cfg_node *d = cfg_map_get(dst, s->key);

        if (d != NULL && d->kind == CFG_MAP && s->kind == CFG_MAP) {
            cfg_merge(a, d, s);
        } else if (d != NULL && d->kind == CFG_LIST && s->kind == CFG_LIST) {
            for (const struct cfg_node *item = s->first; item != NULL; item = item->next)
                cfg_list_append(d, cfg_node_copy(a, item));
        } else {
            cfg_map_set(dst, s->key, &s->key_pos, cfg_node_copy(a, s));
        }
    }
}

void
cfg_replace_keys(struct arena *a, struct cfg_node *dst, const struct cfg_node *src)
{
    for (const struct cfg_node *s = src->first; s != NULL; s = s->next)
        cfg_map_set(dst, s->key, &s->key_pos, cfg_node_copy(a, s));
}

const char *
cfg_pos_str(const struct cfg_pos *pos, char *out, size_t outlen)
{
    const char *file = pos->file ? pos->file : "(default)";

    if (pos->line == 0)
        snprintf(out, outlen, "%s", file);
    else
        snprintf(out, outlen, "%s:%u:%u", file, pos->line, pos->col);
    return out;
}

bool
cfg_node_equal(const struct cfg_node *x, const struct cfg_node *y)
{
    const struct cfg_node *cx, *cy;

    if (x->kind != y->kind || x->n != y->n)
        return false;
    if (x->kind == CFG_SCALAR && (x->len != y->len || memcmp(x->str, y->str, x->len) != 0))
        return false;
    for (cx = x->first, cy = y->first; cx != NULL && cy != NULL; cx = cx->next, cy = cy->next) {
        if (x->kind == CFG_MAP && strcmp(cx->key, cy->key) != 0)
            return false;
        if (!cfg_node_equal(cx, cy))
            return false;
    }
    return true;
}
