/*
 * fuzz_mime_html.c - libFuzzer target for the HTML renderer.
 * The input is made valid UTF-8 first (each invalid sequence becomes
 * U+FFFD, as the charset layer guarantees), rendered, and every field of
 * the result is read and checked against the invariants that hold for any
 * input: the texts are valid UTF-8, text is visible and invisible
 * interleaved, the counts agree with the strings.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "mime/mime_html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

/* Length of the valid UTF-8 sequence at s[0..n), or 0. */
static size_t
utf8_valid(const uint8_t *s, size_t n)
{
    uint32_t c;
    size_t len;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4;
    else
        return 0;
    if (n < len)
        return 0;
    c = s[0] & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3f);
    }
    if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
        (len == 4 && (c < 0x10000 || c > 0x10ffff)))
        return 0;
    return len;
}

static size_t
sanitize(const uint8_t *in, size_t n, char *out)
{
    size_t o = 0;

    for (size_t i = 0; i < n;) {
        size_t k = utf8_valid(in + i, n - i);

        if (k == 0) {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        } else {
            memcpy(out + o, in + i, k);
            o += k;
            i += k;
        }
    }
    return o;
}

static size_t
chars(struct strv v)
{
    size_t n = 0;

    for (size_t i = 0; i < v.len;) {
        size_t k = utf8_valid((const uint8_t *)v.p + i, v.len - i);

        CHECK(k > 0);
        i += k;
        n++;
    }
    return n;
}

static volatile size_t sink;

static void
touch(struct strv v)
{
    CHECK(v.len == 0 || v.p != NULL);
    (void)chars(v);
    for (size_t i = 0; i < v.len; i++)
        sink += (unsigned char)v.p[i];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *html = malloc(size * 3 + 1);
    size_t len = sanitize(data, size, html);
    struct arena *a = arena_new(4096);
    struct mime_html_result r;

    mime_html_render(a, html, len, &r);
    touch(r.text);
    touch(r.visible);
    touch(r.invisible);
    CHECK(r.visible.len + r.invisible.len == r.text.len);
    CHECK(r.html_length == chars(r.text));
    CHECK(r.non_space_len <= r.html_length);
    CHECK(r.length == 0 || r.length == chars(strv_make(html, len)));
    CHECK(r.image_area >= 0);
    CHECK(!r.has_closed_extra_ratio || (r.closed_extra_ratio >= 0 && r.closed_extra_ratio <= 1));
    CHECK(!r.has_bad_tag_ratio || (r.bad_tag_ratio >= 0 && r.bad_tag_ratio <= 1));
    CHECK(!r.has_non_element_ratio || (r.non_element_ratio >= 0 && r.non_element_ratio <= 1));
    CHECK(!r.has_obfuscation_ratio || r.obfuscation_ratio >= 0);
    CHECK(!r.has_backhair_count || (r.backhair_count >= 1 && r.backhair_count <= 49));
    sink += (size_t)r.min_size + (size_t)r.max_size + r.font_low_contrast + r.font_invalid_color +
            r.font_face_bad + r.form_action_mailto + r.embeds + r.uri_truncated + r.closed_html +
            r.closed_body;
    for (size_t i = 0; i < r.ntitles; i++)
        touch(r.titles[i]);
    for (size_t i = 0; i < r.ncomments; i++)
        touch(r.comments[i]);
    for (size_t i = 0; i < r.nscripts; i++)
        touch(r.scripts[i]);
    for (size_t i = 0; i < r.nanchors; i++)
        touch(r.anchors[i]);
    touch(r.charsets);
    {
        size_t anchor_texts = 0;

        for (size_t i = 0; i < r.nuris; i++) {
            touch(r.uris[i].uri);
            CHECK(r.uris[i].types < (1u << 16));
            CHECK(r.uris[i].types != 0 || r.uris[i].nanchor_text > 0);
            for (size_t k = 0; k < r.uris[i].nanchor_text; k++)
                touch(r.uris[i].anchor_text[k]);
            anchor_texts += r.uris[i].nanchor_text;
            for (size_t j = 0; j < i && r.nuris < 64; j++) /* distinct */
                CHECK(r.uris[j].uri.len != r.uris[i].uri.len ||
                      memcmp(r.uris[j].uri.p, r.uris[i].uri.p, r.uris[i].uri.len) != 0);
        }
        CHECK(anchor_texts == r.nanchors);
    }
    for (size_t i = 0; i < r.ninside; i++) {
        touch(r.inside[i].tag);
        CHECK(r.inside[i].count >= 0);
    }
    arena_free(&a);
    free(html);
    return 0;
}
