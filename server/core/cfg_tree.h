/*
 * cfg_tree.h - the configuration tree: maps, lists and scalars that remember
 * where each value was written (file, line, column).
 * Nodes live in the arena of the config snapshot that owns them; nothing
 * here frees. Merging copies what it takes from the source, so a source tree
 * can be merged into several destinations.
 */
#ifndef SIFT_CORE_CFG_TREE_H
#define SIFT_CORE_CFG_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

enum cfg_kind {
    CFG_NULL,   /* `key:`, `key: ~`, `key: null`: unset, the default applies */
    CFG_SCALAR, /* text; its type is decided by whoever reads it */
    CFG_LIST,
    CFG_MAP,
};

struct cfg_pos {
    const char *file; /* as given on the command line or found in a directory */
    unsigned line;    /* 1-based; 0 when the value has no line (-o, defaults) */
    unsigned col;
};

struct cfg_node {
    enum cfg_kind kind;
    struct cfg_pos pos;
    bool quoted;                   /* scalar written in quotes: dump it quoted too */
    const char *str;               /* CFG_SCALAR: NUL-terminated text */
    size_t len;                    /* CFG_SCALAR: length of str */
    struct cfg_node *first, *last; /* CFG_LIST and CFG_MAP: children in order */
    size_t n;                      /* number of children */
    struct cfg_node *next;         /* next sibling */
    const char *key;               /* a map child: its key */
    struct cfg_pos key_pos;        /* a map child: where its key was written */
};

struct cfg_node *cfg_node_new(struct arena *a, enum cfg_kind kind, const struct cfg_pos *pos);
struct cfg_node *cfg_scalar_new(struct arena *a, const char *text, size_t len,
                                const struct cfg_pos *pos);

/* The child of map named key (exact, case-sensitive), or NULL. */
struct cfg_node *cfg_map_get(const struct cfg_node *map, const char *key);
/* Put val under key in map, replacing an existing child in place (keeping
 * its order) or appending. val is linked, not copied. */
void cfg_map_set(struct cfg_node *map, const char *key, const struct cfg_pos *key_pos,
                 struct cfg_node *val);
void cfg_list_append(struct cfg_node *list, struct cfg_node *item);

/* Follow a dotted path ("workers.spamd.count") from root; NULL if absent. */
struct cfg_node *cfg_lookup(const struct cfg_node *root, const char *path);
/* Set the value at a dotted path, creating the maps on the way. Fails when
 * a step on the way exists and is not a map. */
int cfg_set_path(struct arena *a, struct cfg_node *root, const char *path, struct cfg_node *val,
                 struct sift_err *err);

struct cfg_node *cfg_node_copy(struct arena *a, const struct cfg_node *n);
/* local.d semantics: maps merge key by key (recursively), lists append,
 * anything else replaces. */
void cfg_merge(struct arena *a, struct cfg_node *dst_map, const struct cfg_node *src_map);
/* override.d semantics: each key of src replaces dst's key wholesale. */
void cfg_replace_keys(struct arena *a, struct cfg_node *dst_map, const struct cfg_node *src_map);

/* "file:line:col" (or just "file" when there is no line) into out. */
const char *cfg_pos_str(const struct cfg_pos *pos, char *out, size_t outlen);
/* Structural equality (kinds, keys, order, text); positions are ignored. */
bool cfg_node_equal(const struct cfg_node *a, const struct cfg_node *b);

#endif
