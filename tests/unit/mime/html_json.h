/*
 * html_json.h - a mime_html_render() result as the JSON line
 * scripts/sa-html.pl prints for SpamAssassin's renderer, byte for byte:
 * JSON::PP->ascii->canonical (keys sorted, strings as UTF-8 octets with
 * every byte above 0x7f as \u00XX, numbers as Perl prints them). Shared by
 * test_mime_html.c (against tests/data/html/NAME.json) and html_dump.c.
 */
#ifndef SIFT_TESTS_UNIT_MIME_HTML_JSON_H
#define SIFT_TESTS_UNIT_MIME_HTML_JSON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "mime/mime_html.h"

static inline void
hj_str(struct buf *b, const char *p, size_t n)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        switch (c) {
        case '"':
            buf_puts(b, "\\\"");
            break;
        case '\\':
            buf_puts(b, "\\\\");
            break;
        case '\n':
            buf_puts(b, "\\n");
            break;
        case '\r':
            buf_puts(b, "\\r");
            break;
        case '\t':
            buf_puts(b, "\\t");
            break;
        case '\f':
            buf_puts(b, "\\f");
            break;
        case '\b':
            buf_puts(b, "\\b");
            break;
        default:
            if (c < 0x20 || c >= 0x80)
                buf_printf(b, "\\u%04x", c);
            else
                buf_putc(b, (char)c);
        }
    }
    buf_putc(b, '"');
}

static inline void
hj_sv(struct buf *b, struct strv v)
{
    hj_str(b, v.p, v.len);
}

/* "key": */
static inline void
hj_key(struct buf *b, const char *key)
{
    if (b->len > 0 && b->p[b->len - 1] != '{')
        buf_putc(b, ',');
    hj_str(b, key, strlen(key));
    buf_putc(b, ':');
}

static inline void
hj_num(struct buf *b, const char *key, bool has, double v)
{
    hj_key(b, key);
    if (has)
        buf_printf(b, "%.15g", v);
    else
        buf_puts(b, "null");
}

static inline void
hj_bool(struct buf *b, const char *key, bool v)
{
    hj_key(b, key);
    buf_puts(b, v ? "true" : "false");
}

static inline void
hj_list(struct buf *b, const char *key, const struct strv *l, size_t n)
{
    hj_key(b, key);
    buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(b, ',');
        hj_sv(b, l[i]);
    }
    buf_putc(b, ']');
}

static inline int
hj_cmp(struct strv a, struct strv b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.p, b.p, n) : 0;

    return c != 0 ? c : (a.len > b.len) - (a.len < b.len);
}

static inline int
hj_cmp_uri(const void *x, const void *y)
{
    return hj_cmp(((const struct mime_html_uri *)x)->uri, ((const struct mime_html_uri *)y)->uri);
}

static inline int
hj_cmp_tag(const void *x, const void *y)
{
    return hj_cmp(((const struct mime_html_tag_count *)x)->tag,
                  ((const struct mime_html_tag_count *)y)->tag);
}

static inline int
hj_cmp_name(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Append r as one JSON object (no newline); file: the "file" key, or NULL.
 * SA puts length and what follows it only when its end handler ran; a
 * result with length 0 for a non-empty part means it did not. */
static inline void
html_json(struct buf *b, const struct mime_html_result *r, bool ended, const char *file)
{
    struct mime_html_uri *uris = calloc(r->nuris + 1, sizeof(*uris));
    struct mime_html_tag_count *tags = calloc(r->ninside + 1, sizeof(*tags));

    if (r->nuris)
        memcpy(uris, r->uris, r->nuris * sizeof(*uris));
    if (r->ninside)
        memcpy(tags, r->inside, r->ninside * sizeof(*tags));
    qsort(uris, r->nuris, sizeof(*uris), hj_cmp_uri);
    qsort(tags, r->ninside, sizeof(*tags), hj_cmp_tag);

    buf_putc(b, '{');
    hj_list(b, "anchors", r->anchors, r->nanchors);
    hj_num(b, "backhair_count", r->has_backhair_count, r->backhair_count);
    hj_num(b, "bad_tag_ratio", r->has_bad_tag_ratio, r->bad_tag_ratio);
    hj_key(b, "charsets");
    hj_sv(b, r->charsets);
    hj_bool(b, "closed_body", r->closed_body);
    hj_num(b, "closed_extra_ratio", r->has_closed_extra_ratio, r->closed_extra_ratio);
    hj_bool(b, "closed_html", r->closed_html);
    hj_list(b, "comments", r->comments, r->ncomments);
    hj_bool(b, "embeds", r->embeds);
    if (file != NULL) {
        hj_key(b, "file");
        hj_str(b, file, strlen(file));
    }
    hj_bool(b, "font_face_bad", r->font_face_bad);
    hj_bool(b, "font_invalid_color", r->font_invalid_color);
    hj_bool(b, "font_low_contrast", r->font_low_contrast);
    hj_bool(b, "form_action_mailto", r->form_action_mailto);
    hj_num(b, "html_length", true, (double)r->html_length);
    hj_num(b, "image_area", ended, r->image_area);
    hj_key(b, "inside");
    buf_putc(b, '{');
    for (size_t i = 0; i < r->ninside; i++) {
        if (i)
            buf_putc(b, ',');
        hj_sv(b, tags[i].tag);
        buf_printf(b, ":%d", tags[i].count);
    }
    buf_putc(b, '}');
    hj_key(b, "invisible");
    hj_sv(b, r->invisible);
    hj_num(b, "length", ended, (double)r->length);
    hj_num(b, "max_size", ended, r->max_size);
    hj_num(b, "min_size", ended, r->min_size);
    hj_num(b, "non_element_ratio", r->has_non_element_ratio, r->non_element_ratio);
    hj_num(b, "non_space_len", true, (double)r->non_space_len);
    hj_num(b, "obfuscation_ratio", r->has_obfuscation_ratio, r->obfuscation_ratio);
    hj_list(b, "scripts", r->scripts, r->nscripts);
    hj_key(b, "text");
    hj_sv(b, r->text);
    hj_list(b, "titles", r->titles, r->ntitles);
    hj_bool(b, "uri_truncated", r->uri_truncated);
    hj_key(b, "uris");
    buf_putc(b, '{');
    for (size_t i = 0; i < r->nuris; i++) {
        const char *names[16];
        size_t nn = 0;

        if (i)
            buf_putc(b, ',');
        hj_sv(b, uris[i].uri);
        buf_putc(b, ':');
        buf_putc(b, '{');
        hj_list(b, "anchor_text", uris[i].anchor_text, uris[i].nanchor_text);
        for (unsigned k = 0; k < 16; k++) {
            if (uris[i].types & (1u << k))
                names[nn++] = mime_html_uri_type_name(1u << k);
        }
        qsort(names, nn, sizeof(names[0]), hj_cmp_name);
        hj_key(b, "types");
        buf_putc(b, '[');
        for (size_t k = 0; k < nn; k++) {
            if (k)
                buf_putc(b, ',');
            hj_str(b, names[k], strlen(names[k]));
        }
        buf_puts(b, "]}");
    }
    buf_putc(b, '}');
    hj_key(b, "visible");
    hj_sv(b, r->visible);
    buf_putc(b, '}');
    free(uris);
    free(tags);
}

#endif
