/*
 * task.c - a message being scanned (see task.h).
 */
#include "scan/task.h"

#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

/* An arena chunk large enough that a typical message and its views fit in
 * a few chunks (no malloc storm), small enough not to matter at idle. */
#define TASK_ARENA_CHUNK (64u * 1024)

struct task *
task_new(const struct mime_ctx *mime, const char *raw, size_t len, bool copy)
{
    struct arena *a = arena_new(TASK_ARENA_CHUNK);
    struct task *t = arena_calloc(a, 1, sizeof(*t));

    t->arena = a;
    t->mime = mime;
    t->len = len;
    t->raw = copy ? arena_strndup(a, raw, len) : raw;
    return t;
}

void
task_free(struct task **tp)
{
    struct arena *a;

    if (*tp == NULL)
        return;
    a = (*tp)->arena; /* the task lives in its own arena */
    arena_free(&a);
    *tp = NULL;
}

struct task_memo {
    const void *key, *scope;
    void *val;
    struct task_memo *next;
};

void *
task_memo(struct task *t, const void *key, const void *scope, size_t size, bool *fresh)
{
    struct task_memo *m;

    for (m = t->memos; m != NULL; m = m->next) {
        if (m->key == key && m->scope == scope) {
            *fresh = false;
            return m->val;
        }
    }
    m = arena_calloc(t->arena, 1, sizeof(*m));
    m->key = key;
    m->scope = scope;
    m->val = arena_calloc(t->arena, 1, size ? size : 1);
    m->next = t->memos;
    t->memos = m;
    *fresh = true;
    return m->val;
}

void
task_add_symbol(struct task *t, const char *name, double score, const char *option)
{
    struct task_symbol *s = arena_calloc(t->arena, 1, sizeof(*s));

    s->name = arena_strdup(t->arena, name);
    s->score = score;
    s->option = option ? arena_strdup(t->arena, option) : NULL;
    if (t->last_symbol != NULL)
        t->last_symbol->next = s;
    else
        t->symbols = s;
    t->last_symbol = s;
    t->nsymbols++;
}

const struct task_symbol *
task_find_symbol(const struct task *t, const char *name)
{
    for (const struct task_symbol *s = t->symbols; s != NULL; s = s->next) {
        if (strcmp(s->name, name) == 0)
            return s;
    }
    return NULL;
}

struct mime_msg *
task_message(struct task *t)
{
    if (t->msg != NULL)
        return t->msg;
    t->msg = mime_msg_parse(t->mime, t->arena, t->raw, t->len);
    if (t->msg->limit_parts || t->msg->mimepart_limit_exceeded)
        task_add_symbol(t, "MIME_PARTS_LIMIT", 0, NULL);
    if (t->msg->limit_depth)
        task_add_symbol(t, "MIME_DEPTH_LIMIT", 0, NULL);
    if (t->msg->limit_headers)
        task_add_symbol(t, "MIME_HEADERS_LIMIT", 0, NULL);
    return t->msg;
}

bool
task_classify(struct task *t, double *prob)
{
    if (t->classified == 0) {
        t->classified = -1;
        if (t->classify != NULL && t->classify(t, t->classify_arg, &t->prob))
            t->classified = 1;
    }
    *prob = t->prob;
    return t->classified == 1;
}
