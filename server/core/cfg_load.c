/*
 * cfg_load.c - configuration layers (see cfg_load.h).
 */
#include "core/cfg_load.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cfg_yaml.h"
#include "core/xmalloc.h"

const struct cfg_key cfg_options_keys[] = {
    { "dbdir", CFG_T_PATH, "/var/lib/sift", offsetof(struct cfg_options, dbdir),
      "directory for databases and caches ($DBDIR in other paths); created if missing", NULL },
    { "user", CFG_T_STR, "_sift", offsetof(struct cfg_options, user),
      "user the processes run as after binding their sockets (when started as root); "
      "empty: stay root",
      NULL },
    { "group", CFG_T_STR, "", offsetof(struct cfg_options, group),
      "group to run as; empty: the user's primary group", NULL },
    { "pidfile", CFG_T_PATH, "/run/sift/siftd.pid", offsetof(struct cfg_options, pidfile),
      "PID file of the main process, locked while it runs; empty: none", NULL },
    { "dynamic_conf", CFG_T_PATH, "$DBDIR/dynamic.yaml", offsetof(struct cfg_options, dynamic_conf),
      "settings saved at run time (controller, WebUI), read between local.d and override.d", NULL },
    { "shutdown_timeout", CFG_T_TIME, "10s", offsetof(struct cfg_options, shutdown_timeout),
      "on stop or reload, how long a worker may finish its in-flight requests", NULL },
    { "restart_delay_max", CFG_T_TIME, "60s", offsetof(struct cfg_options, restart_delay_max),
      "longest wait before restarting a worker that keeps dying (the delay doubles from 0)", NULL },
};
const size_t cfg_options_nkeys = sizeof(cfg_options_keys) / sizeof(cfg_options_keys[0]);

/* Parsed override.d files and -o values, applied after the dynamic layer. */
struct cfg_late {
    struct cfg_node *override_d; /* map: section -> map of keys */
    struct cfg_node **values;    /* -o values */
    const char **paths;          /* -o keys */
    size_t n;
};

static void
cfg_warn_cb(void *arg, const char *msg)
{
    cfg_warn(arg, "%s", msg);
}

void
cfg_warn(struct cfg *cfg, const char *fmt, ...)
{
    va_list ap;

    cfg->warnings = xreallocarray(cfg->warnings, cfg->nwarnings + 1, sizeof(*cfg->warnings));
    va_start(ap, fmt);
    cfg->warnings[cfg->nwarnings++] = arena_vprintf(cfg->arena, fmt, ap);
    va_end(ap);
}

static void
cfg_add_file(struct cfg *cfg, const char *path)
{
    cfg->files = xreallocarray(cfg->files, cfg->nfiles + 1, sizeof(*cfg->files));
    cfg->files[cfg->nfiles++] = arena_strdup(cfg->arena, path);
}

/* Parse a file that must hold a map (or nothing); NULL node when empty. */
static int
cfg_load_map_file(struct cfg *cfg, const char *path, struct cfg_node **out, struct sift_err *err)
{
    struct cfg_node *n;

    if (cfg_yaml_load_file(cfg->arena, path, &n, err) == -1)
        return -1;
    cfg_add_file(cfg, path);
    if (n->kind == CFG_NULL) {
        *out = NULL;
        return 0;
    }
    if (n->kind != CFG_MAP) {
        char where[512];

        sift_err_set(err, "%s: the file must hold a map of settings (key: value)",
                     cfg_pos_str(&n->pos, where, sizeof(where)));
        return -1;
    }
    *out = n;
    return 0;
}

static int
cfg_name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Read every DIR/NAME.yaml into one map: NAME -> the file's map. */
static int
cfg_load_dir(struct cfg *cfg, const char *dir, struct cfg_node **out, struct sift_err *err)
{
    struct cfg_node *all = cfg_node_new(cfg->arena, CFG_MAP, NULL);
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    DIR *d;
    int rc = 0;

    *out = all;
    if ((d = opendir(dir)) == NULL) {
        if (errno == ENOENT)
            return 0;
        sift_err_set(err, "%s: cannot read directory: %s", dir, strerror(errno));
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);

        if (de->d_name[0] == '.')
            continue;
        if (len > 5 && strcmp(de->d_name + len - 5, ".yaml") == 0) {
            names = xreallocarray(names, n + 1, sizeof(*names));
            names[n++] = xstrdup(de->d_name);
        } else if (len > 4 && strcmp(de->d_name + len - 4, ".yml") == 0) {
            cfg_warn(cfg, "%s/%s: ignored: only NAME.yaml files are read", dir, de->d_name);
        }
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof(*names), cfg_name_cmp);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *path = arena_printf(cfg->arena, "%s/%s", dir, names[i]);
        char *section = arena_strndup(cfg->arena, names[i], strlen(names[i]) - 5);
        struct cfg_node *m;

        rc = cfg_load_map_file(cfg, path, &m, err);
        if (rc == 0 && m != NULL)
            cfg_map_set(all, section, &(struct cfg_pos){ cfg->files[cfg->nfiles - 1], 0, 0 }, m);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int
cfg_parse_overrides(struct cfg *cfg, const char *const *ov, size_t n, struct cfg_late *late,
                    struct sift_err *err)
{
    late->values = arena_calloc(cfg->arena, n ? n : 1, sizeof(*late->values));
    late->paths = arena_calloc(cfg->arena, n ? n : 1, sizeof(*late->paths));
    late->n = n;
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(ov[i], '=');
        const char *origin = arena_printf(cfg->arena, "-o %s", ov[i]);

        if (eq == NULL || eq == ov[i]) {
            sift_err_set(err, "-o %s: expected KEY=VALUE (e.g. -o workers.spamd.count=2)", ov[i]);
            return -1;
        }
        late->paths[i] = arena_strndup(cfg->arena, ov[i], (size_t)(eq - ov[i]));
        late->values[i] = cfg_yaml_parse_value(cfg->arena, origin, eq + 1);
    }
    return 0;
}

/* Layers 4 and 5 on top of root. */
static int
cfg_apply_late(struct cfg *cfg, struct cfg_node *root, const struct cfg_late *late,
               struct sift_err *err)
{
    for (const struct cfg_node *s = late->override_d->first; s != NULL; s = s->next) {
        struct cfg_node *dst = cfg_map_get(root, s->key);

        if (dst == NULL || dst->kind != CFG_MAP) {
            dst = cfg_node_new(cfg->arena, CFG_MAP, &s->pos);
            cfg_map_set(root, s->key, &s->key_pos, dst);
        }
        cfg_replace_keys(cfg->arena, dst, s);
    }
    for (size_t i = 0; i < late->n; i++) {
        struct cfg_node *v = cfg_node_copy(cfg->arena, late->values[i]);

        if (cfg_set_path(cfg->arena, root, late->paths[i], v, err) == -1) {
            sift_err_prefix(err, "%s", late->values[i]->pos.file);
            return -1;
        }
    }
    return 0;
}

static int
cfg_read_options(struct cfg *cfg, const struct cfg_node *root, struct sift_err *err)
{
    struct cfg_ctx ctx = cfg->ctx;
    const struct cfg_node *opts = cfg_map_get(root, "options");
    const struct cfg_key *dbkey = &cfg_options_keys[0];

    /* dbdir first: the other paths may say $DBDIR, dbdir itself may not */
    ctx.dbdir = NULL;
    if (cfg_fill(&ctx, "options", opts, dbkey, 1, &cfg->options, err) == -1)
        return -1;
    cfg->ctx.dbdir = cfg->options.dbdir;
    return cfg_fill(&cfg->ctx, "options", opts, cfg_options_keys, cfg_options_nkeys, &cfg->options,
                    err);
}

static int
cfg_load_layers(struct cfg *cfg, const char *const *ov, size_t nov, struct sift_err *err)
{
    struct cfg_late late = { 0 };
    struct cfg_node *root, *local, *scratch, *dyn = NULL;
    const char *dir;
    struct stat st;

    if (cfg_load_map_file(cfg, cfg->path, &root, err) == -1)
        return -1;
    if (root == NULL)
        root = cfg_node_new(cfg->arena, CFG_MAP, &(struct cfg_pos){ cfg->files[0], 1, 1 });
    dir = arena_printf(cfg->arena, "%s/local.d", cfg->confdir);
    if (cfg_load_dir(cfg, dir, &local, err) == -1)
        return -1;
    cfg_merge(cfg->arena, root, local);
    dir = arena_printf(cfg->arena, "%s/override.d", cfg->confdir);
    if (cfg_load_dir(cfg, dir, &late.override_d, err) == -1)
        return -1;
    if (cfg_parse_overrides(cfg, ov, nov, &late, err) == -1)
        return -1;

    /* Where is the dynamic layer? Ask the tree as it will be without it. */
    scratch = cfg_node_copy(cfg->arena, root);
    if (cfg_apply_late(cfg, scratch, &late, err) == -1 || cfg_read_options(cfg, scratch, err) == -1)
        return -1;
    if (cfg->options.dynamic_conf[0] != '\0' && stat(cfg->options.dynamic_conf, &st) == 0) {
        if (cfg_load_map_file(cfg, cfg->options.dynamic_conf, &dyn, err) == -1)
            return -1;
        if (dyn != NULL)
            cfg_merge(cfg->arena, root, dyn);
    }
    if (cfg_apply_late(cfg, root, &late, err) == -1 || cfg_read_options(cfg, root, err) == -1)
        return -1;
    cfg->root = root;
    return 0;
}

int
cfg_load(const char *path, const char *const *overrides, size_t noverrides, struct cfg **out,
         struct sift_err *err)
{
    struct cfg *cfg = xcalloc(1, sizeof(*cfg));
    char abs[PATH_MAX];
    char *slash;

    cfg->arena = arena_new(64 * 1024);
    cfg->path = arena_strdup(cfg->arena, path);
    if (realpath(path, abs) == NULL) {
        sift_err_set(err, "%s: cannot open: %s", path, strerror(errno));
        cfg_free(&cfg);
        return -1;
    }
    slash = strrchr(abs, '/');
    cfg->confdir = slash == abs ? "/" : arena_strndup(cfg->arena, abs, (size_t)(slash - abs));
    cfg->ctx.arena = cfg->arena;
    cfg->ctx.confdir = cfg->confdir;
    cfg->ctx.warn = cfg_warn_cb;
    cfg->ctx.warn_arg = cfg;
    if (cfg_load_layers(cfg, overrides, noverrides, err) == -1) {
        cfg_free(&cfg);
        return -1;
    }
    cfg_warn_unknown(&cfg->ctx, "options", cfg_map_get(cfg->root, "options"),
                     &(struct cfg_keyset){ cfg_options_keys, cfg_options_nkeys }, 1);
    *out = cfg;
    return 0;
}

void
cfg_free(struct cfg **cp)
{
    struct cfg *cfg = *cp;

    if (cfg == NULL)
        return;
    free(cfg->files);
    free(cfg->warnings);
    arena_free(&cfg->arena);
    free(cfg);
    *cp = NULL;
}
