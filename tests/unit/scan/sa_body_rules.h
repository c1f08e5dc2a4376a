/*
 * sa_body_rules.h - a small reader of SpamAssassin's `body NAME /re/flags`
 * lines, for the matcher's differential test and its benchmark (not the
 * real translator: that lives in compat/). It strips comments as SA's
 * Conf parser does (an unescaped # ends the line, \# is #), takes the
 * pattern between the delimiters (/.../ or m{...}, m!...!, m;...; ...: up
 * to the last closing delimiter on the line) and its i, m, s, x flags, and
 * leaves out eval: rules, rules named by replace_rules (their <TAG>s are
 * not expanded here) and %{TAG} template rules. A later definition of a
 * name replaces the earlier one, as in SA.
 */
#ifndef SIFT_TESTS_SA_BODY_RULES_H
#define SIFT_TESTS_SA_BODY_RULES_H

#include <ctype.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "scan/scan_rule.h"

struct sa_body_rule {
    char *name, *pattern;
    unsigned flags; /* enum scan_re_flag */
};

struct sa_body_rules {
    struct sa_body_rule *v;
    size_t n, cap;
    size_t files, skipped_eval, skipped_tags, skipped_syntax;
    char **replaced; /* names listed by replace_rules */
    size_t nreplaced, capreplaced;
};

static inline void
sa_body_rules_free(struct sa_body_rules *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].name);
        free(r->v[i].pattern);
    }
    for (size_t i = 0; i < r->nreplaced; i++)
        free(r->replaced[i]);
    free(r->v);
    free(r->replaced);
    memset(r, 0, sizeof(*r));
}

/* SA's comment rule: an unescaped # ends the line; then \# becomes #. */
static inline void
sa_body_rules_uncomment(char *line)
{
    char *w = line;

    for (char *p = line; *p != '\0' && *p != '\n' && *p != '\r'; p++) {
        if (*p == '#' && (p == line || p[-1] != '\\'))
            break;
        *w++ = *p;
    }
    *w = '\0';
    w = line;
    for (char *p = line; *p != '\0'; p++) {
        if (p[0] == '\\' && p[1] == '#')
            continue;
        *w++ = *p;
    }
    *w = '\0';
    while (w > line && isspace((unsigned char)w[-1]))
        *--w = '\0';
}

static inline void
sa_body_rules_add(struct sa_body_rules *r, const char *name, const char *pat, size_t plen,
                  unsigned flags)
{
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->v[i].name, name) == 0) { /* the last definition wins */
            free(r->v[i].pattern);
            r->v[i].pattern = xstrndup(pat, plen);
            r->v[i].flags = flags;
            return;
        }
    }
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        r->v = xreallocarray(r->v, r->cap, sizeof(*r->v));
    }
    r->v[r->n].name = xstrdup(name);
    r->v[r->n].pattern = xstrndup(pat, plen);
    r->v[r->n].flags = flags;
    r->n++;
}

/* "/re/flags" or "m{re}flags": 0, or -1 when it is not one. */
static inline int
sa_body_rules_regex(const char *s, const char **pat, size_t *plen, unsigned *flags)
{
    char open, close;
    const char *start, *end;

    if (s[0] == '/') {
        open = '/';
        start = s + 1;
    } else if (s[0] == 'm' && s[1] != '\0' && !isalnum((unsigned char)s[1]) &&
               !isspace((unsigned char)s[1])) {
        open = s[1];
        start = s + 2;
    } else {
        return -1;
    }
    close = open == '{' ? '}' : open == '(' ? ')' : open == '[' ? ']' : open == '<' ? '>' : open;
    end = strrchr(start, close);
    if (end == NULL)
        return -1;
    *pat = start;
    *plen = (size_t)(end - start);
    *flags = 0;
    for (const char *f = end + 1; *f != '\0'; f++) {
        if (*f == 'i')
            *flags |= SCAN_RE_I;
        else if (*f == 'm')
            *flags |= SCAN_RE_M;
        else if (*f == 's')
            *flags |= SCAN_RE_S;
        else if (*f == 'x')
            *flags |= SCAN_RE_X;
        else if (!isspace((unsigned char)*f))
            return -1;
    }
    return 0;
}

static inline void
sa_body_rules_line(struct sa_body_rules *r, char *line)
{
    char *p = line, *name, *rest;
    const char *pat;
    size_t plen;
    unsigned flags;

    sa_body_rules_uncomment(line);
    while (isspace((unsigned char)*p))
        p++;
    if (strncmp(p, "replace_rules", 13) == 0 && isspace((unsigned char)p[13])) {
        for (char *tok = strtok(p + 13, " \t"); tok != NULL; tok = strtok(NULL, " \t")) {
            if (r->nreplaced == r->capreplaced) {
                r->capreplaced = r->capreplaced ? r->capreplaced * 2 : 64;
                r->replaced = xreallocarray(r->replaced, r->capreplaced, sizeof(char *));
            }
            r->replaced[r->nreplaced++] = xstrdup(tok);
        }
        return;
    }
    if (strncmp(p, "body", 4) != 0 || !isspace((unsigned char)p[4]))
        return;
    p += 4;
    while (isspace((unsigned char)*p))
        p++;
    name = p;
    while (*p != '\0' && !isspace((unsigned char)*p))
        p++;
    if (*p == '\0')
        return;
    *p++ = '\0';
    while (isspace((unsigned char)*p))
        p++;
    rest = p;
    if (strncmp(rest, "eval:", 5) == 0) {
        r->skipped_eval++;
        return;
    }
    if (sa_body_rules_regex(rest, &pat, &plen, &flags) == -1) {
        r->skipped_syntax++;
        return;
    }
    if (memmem(pat, plen, "%{", 2) != NULL) {
        r->skipped_tags++;
        return;
    }
    sa_body_rules_add(r, name, pat, plen, flags);
}

/* Read dir/[!.]*.cf in name order. Returns the number of rules kept. */
static inline size_t
sa_body_rules_load(const char *dir, struct sa_body_rules *r)
{
    char pattern[4096], *line = NULL;
    size_t cap = 0;
    glob_t g;

    memset(r, 0, sizeof(*r));
    snprintf(pattern, sizeof(pattern), "%s/*.cf", dir);
    if (glob(pattern, 0, NULL, &g) != 0)
        return 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        FILE *f = fopen(g.gl_pathv[i], "r");

        if (f == NULL)
            continue;
        r->files++;
        while (getline(&line, &cap, f) != -1)
            sa_body_rules_line(r, line);
        fclose(f);
    }
    globfree(&g);
    free(line);
    /* rules whose <TAG>s ReplaceTags would expand; the order is kept */
    size_t kept = 0;
    for (size_t i = 0; i < r->n; i++) {
        bool tagged = false;

        for (size_t j = 0; j < r->nreplaced && !tagged; j++)
            tagged = strcmp(r->v[i].name, r->replaced[j]) == 0;
        if (tagged) {
            r->skipped_tags++;
            free(r->v[i].name);
            free(r->v[i].pattern);
        } else {
            r->v[kept++] = r->v[i];
        }
    }
    r->n = kept;
    return r->n;
}

#endif
