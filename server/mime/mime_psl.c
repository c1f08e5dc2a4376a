/*
 * mime_psl.c - the public suffix list (publicsuffix.org), ICANN and private
 * sections alike, as a hash of rules for SpamAssassin's uses of its TLD and
 * registry-boundary tables (RegistryBoundaries.pm): is a label a TLD, and
 * what is the registered domain of a host.
 *
 * Each rule is stored once, as its ASCII (punycode) form without the "*."
 * or "!" marker, with flags saying which kinds of rule use that name. The
 * hash of a name is computed from its last byte to its first, so walking a
 * host from the right gives the hash of every suffix on the way: a lookup
 * costs one probe sequence per label. The list and its table live in the
 * list's own arena; after mime_psl_parse the object is read-only and may be
 * shared by threads.
 */
#include "mime/mime_url.h"

#include <errno.h>
#include <idn2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/xmalloc.h"

enum {
    PSL_RULE = 1u << 0,      /* "name" */
    PSL_WILDCARD = 1u << 1,  /* "*.name": every child of name is a suffix */
    PSL_EXCEPTION = 1u << 2, /* "!name": name is not a suffix after all */
    PSL_TLD = 1u << 3,       /* name is the last label of some rule */
};

/* A PSL name is at most a host name; longer lines are not rules. */
#define PSL_NAME_MAX 253
#define PSL_FILE_MAX (64u << 20)

struct psl_slot {
    uint32_t hash;
    uint16_t len; /* 0: empty slot */
    uint8_t flags;
    const char *name; /* lower case ASCII, len bytes, in the arena */
};

struct mime_psl {
    struct arena *arena;
    struct psl_slot *slots;
    size_t mask;
    size_t count;
};

#define FNV_OFFSET 2166136261u
#define FNV_PRIME  16777619u

static inline unsigned char
psl_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* One more byte, to the left of what the hash covers so far. */
static inline uint32_t
psl_hash_step(uint32_t h, unsigned char c)
{
    return (h ^ psl_lower(c)) * FNV_PRIME;
}

static uint32_t
psl_hash(const char *p, size_t len)
{
    uint32_t h = FNV_OFFSET;

    while (len > 0)
        h = psl_hash_step(h, (unsigned char)p[--len]);
    return h;
}

static bool
psl_name_eq(const struct psl_slot *s, const char *p, size_t len)
{
    if (s->len != len)
        return false;
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)s->name[i] != psl_lower((unsigned char)p[i]))
            return false;
    }
    return true;
}

/* The flags of name p[0..len) whose hash is h, 0 if it is no rule. */
static unsigned
psl_find(const struct mime_psl *psl, uint32_t h, const char *p, size_t len)
{
    if (psl == NULL || psl->slots == NULL || len == 0 || len > PSL_NAME_MAX)
        return 0;
    for (size_t i = h & psl->mask;; i = (i + 1) & psl->mask) {
        const struct psl_slot *s = &psl->slots[i];

        if (s->len == 0)
            return 0;
        if (s->hash == h && psl_name_eq(s, p, len))
            return s->flags;
    }
}

static void
psl_add(struct mime_psl *psl, const char *name, size_t len, unsigned flags)
{
    uint32_t h = psl_hash(name, len);
    size_t i;

    for (i = h & psl->mask; psl->slots[i].len != 0; i = (i + 1) & psl->mask) {
        if (psl->slots[i].hash == h && psl_name_eq(&psl->slots[i], name, len)) {
            psl->slots[i].flags |= (uint8_t)flags;
            return;
        }
    }
    psl->slots[i].hash = h;
    psl->slots[i].len = (uint16_t)len;
    psl->slots[i].flags = (uint8_t)flags;
    psl->slots[i].name = arena_strndup(psl->arena, name, len);
    for (size_t k = 0; k < len; k++)
        ((char *)psl->slots[i].name)[k] = (char)psl_lower((unsigned char)name[k]);
    psl->count++;
}

/* A rule as written (UTF-8, maybe with "*." or "!") into the table. */
static void
psl_add_rule(struct mime_psl *psl, const char *rule, size_t len)
{
    unsigned flags = PSL_RULE;
    char buf[4 * PSL_NAME_MAX + 1];
    char *ace = NULL;
    const char *name;
    size_t nlen;
    bool ascii = true;

    if (len > 0 && rule[0] == '!') {
        flags = PSL_EXCEPTION;
        rule++;
        len--;
    } else if (len > 2 && rule[0] == '*' && rule[1] == '.') {
        flags = PSL_WILDCARD;
        rule += 2;
        len -= 2;
    }
    if (len == 0 || len >= sizeof(buf))
        return;
    for (size_t i = 0; i < len; i++)
        ascii = ascii && (unsigned char)rule[i] < 0x80;
    if (ascii) {
        name = rule;
        nlen = len;
    } else {
        /* the list writes IDN rules in Unicode; hosts arrive in ACE */
        memcpy(buf, rule, len);
        buf[len] = '\0';
        if (idn2_to_ascii_8z(buf, &ace, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK &&
            idn2_to_ascii_8z(buf, &ace, IDN2_NFC_INPUT | IDN2_TRANSITIONAL) != IDN2_OK)
            return;
        name = ace;
        nlen = strlen(ace);
    }
    if (nlen > 0 && nlen <= PSL_NAME_MAX) {
        const char *dot = memrchr(name, '.', nlen);
        size_t tld = dot == NULL ? 0 : (size_t)(dot - name) + 1;

        psl_add(psl, name, nlen, flags);
        if (nlen > tld)
            psl_add(psl, name + tld, nlen - tld, PSL_TLD);
    }
    idn2_free(ace);
}

/* A rule is the first word of a line that is no comment. */
static bool
psl_next_rule(const char **pp, const char *end, const char **rule, size_t *len)
{
    const char *p = *pp;

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *q;

        if (eol == NULL)
            eol = end;
        while (p < eol && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++;
        q = p;
        while (q < eol && *q != ' ' && *q != '\t' && *q != '\r')
            q++;
        *pp = eol < end ? eol + 1 : end;
        if (q > p && !(q - p >= 2 && p[0] == '/' && p[1] == '/')) {
            *rule = p;
            *len = (size_t)(q - p);
            return true;
        }
        p = *pp;
    }
    *pp = end;
    return false;
}

struct mime_psl *
mime_psl_parse(const char *text, size_t len)
{
    struct mime_psl *psl = xcalloc(1, sizeof(*psl));
    const char *p = text, *end = text + len, *rule;
    size_t rlen, n = 0, cap = 16;

    while (psl_next_rule(&p, end, &rule, &rlen))
        n++;
    /* room for each rule and its TLD, at most half full */
    while (cap < 4 * n + 16)
        cap <<= 1;
    psl->arena = arena_new(64 * 1024);
    psl->slots = arena_calloc(psl->arena, cap, sizeof(*psl->slots));
    psl->mask = cap - 1;
    for (p = text; psl_next_rule(&p, end, &rule, &rlen);)
        psl_add_rule(psl, rule, rlen);
    return psl;
}

int
mime_psl_load(const char *path, struct mime_psl **out, struct sift_err *err)
{
    FILE *f = fopen(path, "rb");
    char *text;
    size_t len = 0, cap = 256 * 1024, n;

    *out = NULL;
    if (f == NULL) {
        sift_err_set(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    text = xmalloc(cap);
    while ((n = fread(text + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            if (cap >= PSL_FILE_MAX) {
                sift_err_set(err, "%s: larger than %u bytes", path, PSL_FILE_MAX);
                goto fail;
            }
            cap *= 2;
            text = xrealloc(text, cap);
        }
    }
    if (ferror(f)) {
        sift_err_set(err, "%s: read error", path);
        goto fail;
    }
    fclose(f);
    *out = mime_psl_parse(text, len);
    free(text);
    if ((*out)->count == 0) {
        mime_psl_free(out);
        sift_err_set(err, "%s: no rules", path);
        return -1;
    }
    return 0;
fail:
    fclose(f);
    free(text);
    return -1;
}

void
mime_psl_free(struct mime_psl **pp)
{
    if (*pp == NULL)
        return;
    arena_free(&(*pp)->arena);
    free(*pp);
    *pp = NULL;
}

bool
mime_psl_is_tld(const struct mime_psl *psl, struct strv label)
{
    return (psl_find(psl, psl_hash(label.p, label.len), label.p, label.len) & PSL_TLD) != 0;
}

/* The number of labels of the public suffix of host h[0..len) (dots
 * collapsed, none at either end), or 0 if its last label is no TLD. */
static size_t
psl_suffix_labels(const struct mime_psl *psl, const char *h, size_t len)
{
    uint32_t hash = FNV_OFFSET;
    size_t labels = 0, best = 0;
    bool wild = false; /* the suffix so far is "*.name" with a rule for name */

    for (size_t i = len; i-- > 0;) {
        hash = psl_hash_step(hash, (unsigned char)h[i]);
        if (i > 0 && h[i - 1] != '.')
            continue;
        /* h[i..len) is the suffix of labels + 1 labels */
        unsigned flags = psl_find(psl, hash, h + i, len - i);

        labels++;
        if (labels == 1 && !(flags & PSL_TLD))
            return 0;
        if (flags & PSL_EXCEPTION)
            return labels - 1; /* an exception beats every other rule */
        if ((flags & PSL_RULE) || wild)
            best = labels;
        wild = (flags & PSL_WILDCARD) != 0;
    }
    /* the implicit rule "*": a TLD is a suffix even with only "*.tld" */
    return best == 0 ? 1 : best;
}

struct strv
mime_psl_registered_domain(struct arena *a, const struct mime_psl *psl, struct strv host)
{
    char *h = arena_alloc(a, host.len + 1);
    size_t len = 0, suffix;

    /* SA's split_domain: collapse runs of dots, none at either end */
    for (size_t i = 0; i < host.len; i++) {
        char c = host.p[i];

        if (c == '.' && (len == 0 || h[len - 1] == '.'))
            continue;
        h[len++] = (char)psl_lower((unsigned char)c);
    }
    while (len > 0 && h[len - 1] == '.')
        len--;
    h[len] = '\0';
    if (len == 0)
        return strv_make(h, 0);
    if (mime_ip_is_address(strv_make(h, len)))
        return strv_make(h, len);
    suffix = psl_suffix_labels(psl, h, len);
    if (suffix == 0)
        return strv_make(h, 0);
    /* the suffix and one label more, if the host has one */
    for (size_t i = len, dots = 0; i-- > 0;) {
        if (h[i] == '.' && ++dots == suffix + 1)
            return strv_make(h + i + 1, len - i - 1);
    }
    for (size_t i = 0, dots = 0; i < len; i++) {
        if (h[i] == '.' && ++dots == suffix)
            return strv_make(h, len);
    }
    return strv_make(h, 0);
}
