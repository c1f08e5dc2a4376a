/*
 * cfg_yaml.c - YAML <-> configuration tree (see cfg_yaml.h).
 * The parser walks libyaml's event stream recursively; the depth is capped
 * so a deeply nested file cannot exhaust the stack.
 */
#include "core/cfg_yaml.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "core/xmalloc.h"

struct cfg_anchor {
    const char *name;
    const struct cfg_node *node;
};

struct cfg_yaml_parser {
    yaml_parser_t yp;
    struct arena *a;
    const char *file;
    struct sift_err *err;
    struct cfg_anchor *anchors;
    size_t nanchors, anchors_cap;
    size_t nodes; /* nodes made, aliases expanded included */
};

static struct cfg_pos
cfg_yaml_pos(const struct cfg_yaml_parser *p, const yaml_mark_t *m)
{
    return (struct cfg_pos){ p->file, (unsigned)m->line + 1, (unsigned)m->column + 1 };
}

static int cfg_yaml_fail(struct cfg_yaml_parser *p, const yaml_mark_t *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
cfg_yaml_fail(struct cfg_yaml_parser *p, const yaml_mark_t *m, const char *fmt, ...)
{
    char what[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    sift_err_set(p->err, "%s:%u:%u: %s", p->file, (unsigned)m->line + 1, (unsigned)m->column + 1,
                 what);
    return -1;
}

static int
cfg_yaml_next(struct cfg_yaml_parser *p, yaml_event_t *ev)
{
    if (yaml_parser_parse(&p->yp, ev))
        return 0;
    if (p->yp.context != NULL)
        sift_err_set(p->err, "%s:%u:%u: bad YAML: %s %s", p->file,
                     (unsigned)p->yp.problem_mark.line + 1, (unsigned)p->yp.problem_mark.column + 1,
                     p->yp.problem, p->yp.context);
    else
        sift_err_set(p->err, "%s:%u:%u: bad YAML: %s", p->file,
                     (unsigned)p->yp.problem_mark.line + 1, (unsigned)p->yp.problem_mark.column + 1,
                     p->yp.problem ? p->yp.problem : "cannot parse");
    return -1;
}

/* Count n more nodes against the cap (alias expansion included). */
static int
cfg_yaml_count(struct cfg_yaml_parser *p, const yaml_mark_t *m, size_t n)
{
    p->nodes += n;
    if (p->nodes > CFG_YAML_MAX_NODES)
        return cfg_yaml_fail(p, m, "%s", "too many values (alias expansion?)");
    return 0;
}

static size_t
cfg_yaml_size(const struct cfg_node *n)
{
    size_t total = 1;

    for (const struct cfg_node *c = n->first; c != NULL; c = c->next)
        total += cfg_yaml_size(c);
    return total;
}

static void
cfg_yaml_anchor(struct cfg_yaml_parser *p, const yaml_char_t *name, const struct cfg_node *n)
{
    if (name == NULL)
        return;
    if (p->nanchors == p->anchors_cap) {
        p->anchors_cap = p->anchors_cap ? p->anchors_cap * 2 : 8;
        p->anchors = xreallocarray(p->anchors, p->anchors_cap, sizeof(*p->anchors));
    }
    p->anchors[p->nanchors].name = arena_strdup(p->a, (const char *)name);
    p->anchors[p->nanchors].node = n;
    p->nanchors++;
}

static const struct cfg_node *
cfg_yaml_find_anchor(const struct cfg_yaml_parser *p, const char *name)
{
    for (size_t i = p->nanchors; i > 0; i--) { /* a redefined anchor: the newest wins */
        if (strcmp(p->anchors[i - 1].name, name) == 0)
            return p->anchors[i - 1].node;
    }
    return NULL;
}

static bool
cfg_yaml_is_null(const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;

    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || ev->data.scalar.tag != NULL)
        return false;
    return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

static int cfg_yaml_node(struct cfg_yaml_parser *p, yaml_event_t *ev, unsigned depth,
                         struct cfg_node **out);

/* Apply a `<<` merge value: a map, or a list of maps; explicit keys win. */
static int
cfg_yaml_merge_key(struct cfg_yaml_parser *p, struct cfg_node *map, const struct cfg_node *val,
                   const yaml_mark_t *m)
{
    if (val->kind == CFG_LIST) {
        for (const struct cfg_node *c = val->first; c != NULL; c = c->next) {
            if (cfg_yaml_merge_key(p, map, c, m) == -1)
                return -1;
        }
        return 0;
    }
    if (val->kind != CFG_MAP)
        return cfg_yaml_fail(p, m, "%s", "'<<' merges only maps");
    for (const struct cfg_node *c = val->first; c != NULL; c = c->next) {
        if (cfg_map_get(map, c->key) == NULL)
            cfg_map_set(map, c->key, &c->key_pos, cfg_node_copy(p->a, c));
    }
    return 0;
}

static int
cfg_yaml_map(struct cfg_yaml_parser *p, struct cfg_node *map, unsigned depth)
{
    const struct cfg_node *merges[16];
    yaml_mark_t merge_marks[16];
    size_t nmerges = 0;

    for (;;) {
        yaml_event_t kev;
        struct cfg_node *val;
        struct cfg_pos kpos;
        const char *key;

        if (cfg_yaml_next(p, &kev) == -1)
            return -1;
        if (kev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&kev);
            break;
        }
        if (kev.type != YAML_SCALAR_EVENT) {
            int r = cfg_yaml_fail(p, &kev.start_mark, "%s", "a key must be a plain string");

            yaml_event_delete(&kev);
            return r;
        }
        kpos = cfg_yaml_pos(p, &kev.start_mark);
        key = arena_strndup(p->a, (const char *)kev.data.scalar.value, kev.data.scalar.length);
        if (strlen(key) != kev.data.scalar.length) {
            int r = cfg_yaml_fail(p, &kev.start_mark, "%s", "a key must not contain NUL");

            yaml_event_delete(&kev);
            return r;
        }
        if (cfg_map_get(map, key) != NULL) {
            char first[64];
            struct cfg_node *prev = cfg_map_get(map, key);

            snprintf(first, sizeof(first), "%u", prev->key_pos.line);
            sift_err_set(p->err, "%s:%u:%u: duplicate key '%s' (first at line %s)", p->file,
                         kpos.line, kpos.col, key, first);
            yaml_event_delete(&kev);
            return -1;
        }
        {
            yaml_event_t vev;
            bool is_merge =
                kev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && strcmp(key, "<<") == 0;
            yaml_mark_t km = kev.start_mark;

            yaml_event_delete(&kev);
            if (cfg_yaml_next(p, &vev) == -1)
                return -1;
            if (cfg_yaml_node(p, &vev, depth + 1, &val) == -1)
                return -1;
            if (is_merge) {
                if (nmerges == sizeof(merges) / sizeof(merges[0]))
                    return cfg_yaml_fail(p, &km, "%s", "too many '<<' keys in one map");
                merge_marks[nmerges] = km;
                merges[nmerges++] = val;
                continue;
            }
        }
        cfg_map_set(map, key, &kpos, val);
    }
    for (size_t i = 0; i < nmerges; i++) {
        if (cfg_yaml_merge_key(p, map, merges[i], &merge_marks[i]) == -1)
            return -1;
    }
    return 0;
}

/* Build the node that starts with event *ev (which this call consumes). */
static int
cfg_yaml_node(struct cfg_yaml_parser *p, yaml_event_t *ev, unsigned depth, struct cfg_node **out)
{
    struct cfg_pos pos = cfg_yaml_pos(p, &ev->start_mark);
    struct cfg_node *n = NULL;
    int rc = 0;

    if (depth > CFG_YAML_MAX_DEPTH) {
        rc = cfg_yaml_fail(p, &ev->start_mark, "%s", "nested too deeply");
        yaml_event_delete(ev);
        return rc;
    }
    if (cfg_yaml_count(p, &ev->start_mark, 1) == -1) {
        yaml_event_delete(ev);
        return -1;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        if (cfg_yaml_is_null(ev)) {
            n = cfg_node_new(p->a, CFG_NULL, &pos);
        } else {
            n = cfg_scalar_new(p->a, (const char *)ev->data.scalar.value, ev->data.scalar.length,
                               &pos);
            n->quoted =
                ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || ev->data.scalar.tag != NULL;
        }
        cfg_yaml_anchor(p, ev->data.scalar.anchor, n);
        break;
    case YAML_ALIAS_EVENT: {
        const struct cfg_node *target =
            cfg_yaml_find_anchor(p, (const char *)ev->data.alias.anchor);

        if (target == NULL) {
            rc = cfg_yaml_fail(p, &ev->start_mark, "unknown alias '*%s'",
                               (const char *)ev->data.alias.anchor);
            break;
        }
        if (cfg_yaml_count(p, &ev->start_mark, cfg_yaml_size(target)) == -1) {
            rc = -1;
            break;
        }
        n = cfg_node_copy(p->a, target);
        n->pos = pos;
        break;
    }
    case YAML_SEQUENCE_START_EVENT:
        n = cfg_node_new(p->a, CFG_LIST, &pos);
        for (;;) {
            yaml_event_t iev;
            struct cfg_node *item;

            if (cfg_yaml_next(p, &iev) == -1) {
                rc = -1;
                break;
            }
            if (iev.type == YAML_SEQUENCE_END_EVENT) {
                yaml_event_delete(&iev);
                break;
            }
            if (cfg_yaml_node(p, &iev, depth + 1, &item) == -1) {
                rc = -1;
                break;
            }
            cfg_list_append(n, item);
        }
        if (rc == 0)
            cfg_yaml_anchor(p, ev->data.sequence_start.anchor, n);
        break;
    case YAML_MAPPING_START_EVENT:
        n = cfg_node_new(p->a, CFG_MAP, &pos);
        rc = cfg_yaml_map(p, n, depth);
        if (rc == 0)
            cfg_yaml_anchor(p, ev->data.mapping_start.anchor, n);
        break;
    default:
        rc = cfg_yaml_fail(p, &ev->start_mark, "%s", "unexpected YAML event");
        break;
    }
    yaml_event_delete(ev);
    *out = n;
    return rc;
}

int
cfg_yaml_parse(struct arena *a, const char *file, const char *text, size_t len,
               struct cfg_node **out, struct sift_err *err)
{
    struct cfg_yaml_parser p = { .a = a, .file = file, .err = err };
    struct cfg_node *root = NULL;
    yaml_event_t ev;
    int rc = -1;

    if (!yaml_parser_initialize(&p.yp)) {
        sift_err_set(err, "%s: cannot initialise the YAML parser", file);
        return -1;
    }
    yaml_parser_set_input_string(&p.yp, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&p.yp, YAML_UTF8_ENCODING);
    for (;;) {
        if (cfg_yaml_next(&p, &ev) == -1)
            goto out;
        if (ev.type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (ev.type == YAML_STREAM_START_EVENT || ev.type == YAML_DOCUMENT_END_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        if (ev.type == YAML_DOCUMENT_START_EVENT) {
            if (root != NULL) {
                cfg_yaml_fail(&p, &ev.start_mark, "%s", "only one YAML document per file");
                yaml_event_delete(&ev);
                goto out;
            }
            yaml_event_delete(&ev);
            if (cfg_yaml_next(&p, &ev) == -1)
                goto out;
            if (ev.type == YAML_DOCUMENT_END_EVENT) { /* cannot happen: libyaml emits a null */
                yaml_event_delete(&ev);
                root = cfg_node_new(a, CFG_NULL, &(struct cfg_pos){ file, 1, 1 });
                continue;
            }
            if (cfg_yaml_node(&p, &ev, 0, &root) == -1)
                goto out;
            continue;
        }
        yaml_event_delete(&ev);
    }
    if (root == NULL)
        root = cfg_node_new(a, CFG_NULL, &(struct cfg_pos){ file, 1, 1 });
    *out = root;
    rc = 0;
out:
    yaml_parser_delete(&p.yp);
    free(p.anchors);
    return rc;
}

int
cfg_yaml_load_file(struct arena *a, const char *path, struct cfg_node **out, struct sift_err *err)
{
    struct stat st;
    char *text;
    size_t got = 0;
    int fd, rc;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
        sift_err_set(err, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
        sift_err_set(err, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    if ((unsigned long long)st.st_size > CFG_YAML_MAX_FILE) {
        sift_err_set(err, "%s: larger than %u bytes", path, CFG_YAML_MAX_FILE);
        close(fd);
        return -1;
    }
    text = xmalloc((size_t)st.st_size + 1);
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, text + got, (size_t)st.st_size - got);

        if (r == -1 && errno == EINTR)
            continue;
        if (r <= 0) {
            sift_err_set(err, "%s: cannot read: %s", path, r == 0 ? "short read" : strerror(errno));
            free(text);
            close(fd);
            return -1;
        }
        got += (size_t)r;
    }
    close(fd);
    rc = cfg_yaml_parse(a, arena_strdup(a, path), text, got, out, err);
    free(text);
    return rc;
}

struct cfg_node *
cfg_yaml_parse_value(struct arena *a, const char *origin, const char *text)
{
    struct cfg_pos pos = { origin, 0, 0 };
    struct cfg_node *n;
    struct sift_err err;

    if (text[0] == '[' || text[0] == '{' || text[0] == '"' || text[0] == '\'') {
        if (cfg_yaml_parse(a, origin, text, strlen(text), &n, &err) == 0) {
            n->pos = pos;
            return n;
        }
    }
    if (text[0] == '\0' || strcmp(text, "~") == 0 || strcmp(text, "null") == 0)
        return cfg_node_new(a, CFG_NULL, &pos);
    return cfg_scalar_new(a, text, strlen(text), &pos);
}

static int
cfg_yaml_write(void *data, unsigned char *bytes, size_t size)
{
    buf_append(data, bytes, size);
    return 1;
}

static void
cfg_yaml_emit_scalar(yaml_emitter_t *e, const char *s, size_t len, bool quoted)
{
    yaml_event_t ev;

    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)len, 1, 1,
                                 quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
    yaml_emitter_emit(e, &ev);
}

static void
cfg_yaml_emit(yaml_emitter_t *e, const struct cfg_node *n)
{
    yaml_event_t ev;

    switch (n->kind) {
    case CFG_NULL:
        yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)"~", 1, 1, 1,
                                     YAML_PLAIN_SCALAR_STYLE);
        yaml_emitter_emit(e, &ev);
        break;
    case CFG_SCALAR:
        cfg_yaml_emit_scalar(e, n->str, n->len, n->quoted);
        break;
    case CFG_LIST:
        yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_ANY_SEQUENCE_STYLE);
        yaml_emitter_emit(e, &ev);
        for (const struct cfg_node *c = n->first; c != NULL; c = c->next)
            cfg_yaml_emit(e, c);
        yaml_sequence_end_event_initialize(&ev);
        yaml_emitter_emit(e, &ev);
        break;
    case CFG_MAP:
        yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_ANY_MAPPING_STYLE);
        yaml_emitter_emit(e, &ev);
        for (const struct cfg_node *c = n->first; c != NULL; c = c->next) {
            /* a plain << would read back as a merge key */
            cfg_yaml_emit_scalar(e, c->key, strlen(c->key), strcmp(c->key, "<<") == 0);
            cfg_yaml_emit(e, c);
        }
        yaml_mapping_end_event_initialize(&ev);
        yaml_emitter_emit(e, &ev);
        break;
    }
}

void
cfg_yaml_dump(const struct cfg_node *root, struct buf *out)
{
    yaml_emitter_t e;
    yaml_event_t ev;

    yaml_emitter_initialize(&e);
    yaml_emitter_set_output(&e, cfg_yaml_write, out);
    yaml_emitter_set_unicode(&e, 1);
    yaml_emitter_set_width(&e, -1);
    yaml_emitter_set_indent(&e, 2);
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    yaml_emitter_emit(&e, &ev);
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
    yaml_emitter_emit(&e, &ev);
    cfg_yaml_emit(&e, root);
    yaml_document_end_event_initialize(&ev, 1);
    yaml_emitter_emit(&e, &ev);
    yaml_stream_end_event_initialize(&ev);
    yaml_emitter_emit(&e, &ev);
    yaml_emitter_flush(&e);
    yaml_emitter_delete(&e);
}
