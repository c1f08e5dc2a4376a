/*
 * cfg_yaml.h - YAML text to a configuration tree and back (libyaml).
 * Parsing keeps the file:line:column of every key and value. Anchors and
 * aliases are expanded (bounded, so a "billion laughs" file fails instead
 * of eating memory); `<<` merge keys work as in YAML 1.1. A duplicate key
 * in one map is an error, as is more than one document.
 */
#ifndef SIFT_CORE_CFG_YAML_H
#define SIFT_CORE_CFG_YAML_H

#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/cfg_tree.h"
#include "core/err.h"

/* Largest configuration file read, and most nodes one file may expand to. */
#define CFG_YAML_MAX_FILE  (16u * 1024 * 1024)
#define CFG_YAML_MAX_NODES 1000000u
#define CFG_YAML_MAX_DEPTH 64u

/* Parse text[0..len) named file (file must outlive the tree: it is kept in
 * every position). An empty document gives a CFG_NULL node. On error,
 * err holds "file:line:col: reason" and -1 is returned. */
int cfg_yaml_parse(struct arena *a, const char *file, const char *text, size_t len,
                   struct cfg_node **out, struct sift_err *err);
/* Read and parse a file; the path is copied into the arena. */
int cfg_yaml_load_file(struct arena *a, const char *path, struct cfg_node **out,
                       struct sift_err *err);
/* Parse a value given on a command line (-o KEY=VALUE): flow collections
 * ("[a, b]", "{x: 1}") and quoted strings are YAML, anything else is taken
 * as a plain scalar, so "[::1]:783" stays a string. */
struct cfg_node *cfg_yaml_parse_value(struct arena *a, const char *origin, const char *text);

/* Render a tree as a YAML document into out (may reallocate out). */
void cfg_yaml_dump(const struct cfg_node *root, struct buf *out);

#endif
