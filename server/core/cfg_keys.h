/*
 * cfg_keys.h - typed, documented configuration keys.
 * Each module declares its keys once, in a table of struct cfg_key with the
 * type, the default, where the value goes in the module's config struct and
 * a line of help (STYLE.md section 7). cfg_fill reads a section of the tree
 * into that struct with type checks and file:line:col errors; the same
 * tables drive `siftadm confighelp` and the unknown-key warnings.
 * Parsed strings and lists point into the arena given to cfg_fill.
 */
#ifndef SIFT_CORE_CFG_KEYS_H
#define SIFT_CORE_CFG_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

struct cfg_node;

enum cfg_type {
    CFG_T_STR,    /* const char * */
    CFG_T_PATH,   /* const char *: $DBDIR/$CONFDIR expanded, made absolute */
    CFG_T_BOOL,   /* bool: yes/no, true/false, on/off, 1/0 */
    CFG_T_INT,    /* int64_t */
    CFG_T_UINT,   /* uint64_t */
    CFG_T_DOUBLE, /* double */
    CFG_T_SIZE,   /* size_t: bytes, with k/m/g suffixes (1024-based) */
    CFG_T_TIME,   /* double seconds: 30, 30s, 500ms, 5m, 1h, 1d */
    CFG_T_LIST,   /* struct cfg_strlist: a list of scalars; one scalar is a list of one */
    CFG_T_ENUM,   /* int: the index of the value in `choices` ("a|b|c") */
    CFG_T_COUNT,  /* unsigned: a number >= 1, or "auto" (stored as 0) */
};

struct cfg_key {
    const char *name;
    enum cfg_type type;
    const char *def; /* default, written as in the config file; NULL: none */
    size_t off;      /* offsetof() in the module's config struct */
    const char *help;
    const char *choices; /* CFG_T_ENUM only */
};

struct cfg_strlist {
    const char **v;
    size_t n;
};

/* Where $DBDIR and $CONFDIR point while paths are read, and the warnings
 * collected (unknown keys); filled by cfg_load. */
struct cfg_ctx {
    struct arena *arena;
    const char *dbdir;
    const char *confdir;
    void (*warn)(void *arg, const char *msg);
    void *warn_arg;
};

/* Read every key of `keys` from map `section` (NULL or CFG_NULL: all
 * defaults) into out. `path` names the section in messages ("workers.spamd").
 * Unknown keys are not checked here: see cfg_warn_unknown. */
int cfg_fill(const struct cfg_ctx *ctx, const char *path, const struct cfg_node *section,
             const struct cfg_key *keys, size_t nkeys, void *out, struct sift_err *err);

struct cfg_keyset {
    const struct cfg_key *keys;
    size_t n;
};

/* Warn (through ctx->warn) about each key of section in none of the sets. */
void cfg_warn_unknown(const struct cfg_ctx *ctx, const char *path, const struct cfg_node *section,
                      const struct cfg_keyset *sets, size_t nsets);

/* One key's documentation, as `siftadm confighelp` prints it. */
void cfg_key_help(const char *section, const struct cfg_key *key, struct buf *out);
const char *cfg_type_name(enum cfg_type type);

/* Scalar parsers, shared with code that reads a value outside a table.
 * Each returns 0, or -1 with a short reason ("not a size") in err. */
int cfg_parse_bool(const char *s, bool *out, struct sift_err *err);
int cfg_parse_int(const char *s, int64_t *out, struct sift_err *err);
int cfg_parse_uint(const char *s, uint64_t *out, struct sift_err *err);
int cfg_parse_double(const char *s, double *out, struct sift_err *err);
int cfg_parse_size(const char *s, size_t *out, struct sift_err *err);
int cfg_parse_time(const char *s, double *out, struct sift_err *err);
int cfg_parse_enum(const char *s, const char *choices, int *out, struct sift_err *err);
/* Expand $DBDIR and $CONFDIR and make the result absolute (against cwd). */
char *cfg_expand_path(const struct cfg_ctx *ctx, const char *s, struct sift_err *err);

#endif
