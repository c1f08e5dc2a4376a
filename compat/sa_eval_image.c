/*
 * sa_eval_image.c - SpamAssassin 4.0.1's Plugin::ImageInfo: the base64
 * GIF, PNG and JPEG leaves of a message, counted per type, with their
 * dimensions read as the plugin reads them (its PNG walk steps 8 bytes at
 * a time and stops at the first IHDR; its JPEG walk follows the segment
 * lengths to the first SOFn), the pixels they cover, and their names.
 * The facts are gathered again on each call (SA keeps them in $pms).
 */
#include "sa_eval_image.h"

#include <stdio.h>
#include <string.h>

#include "sa_eval_util.h"

enum img_type { IMG_GIF, IMG_PNG, IMG_JPEG, IMG_NTYPES };

static const char *const img_type_names[IMG_NTYPES] = { "gif", "png", "jpeg" };

struct img_dim {
    enum img_type type;
    uint32_t h, w;
};

struct img_facts {
    double count[IMG_NTYPES + 1]; /* per type, then all */
    double pc[IMG_NTYPES + 1];
    struct img_dim *dims; /* every image with both dimensions */
    size_t ndims;
    struct strv *names; /* the names of those images */
    size_t nnames;
};

static uint32_t
be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool
sa_eval_gif_size(struct strv data, uint32_t *w, uint32_t *h)
{
    const unsigned char *p = (const unsigned char *)data.p;

    /* decode(13), s/^GIF(8[79]a)//, unpack("vv") */
    if (data.len < 10 || memcmp(p, "GIF8", 4) != 0 || (p[4] != '7' && p[4] != '9') || p[5] != 'a')
        return false;
    *w = (uint32_t)p[6] | (uint32_t)p[7] << 8;
    *h = (uint32_t)p[8] | (uint32_t)p[9] << 8;
    return *w != 0 && *h != 0;
}

bool
sa_eval_png_size(struct strv data, uint32_t *w, uint32_t *h)
{
    const unsigned char *p = (const unsigned char *)data.p;

    *w = *h = 0;
    if (data.len < 8 || memcmp(p, "\x89PNG\r\n\x1a\n", 8) != 0)
        return false;
    for (size_t pos = 8; pos < data.len;) {
        size_t avail = data.len - pos, blen;

        pos += 8;
        if (avail < 8)
            continue; /* no 4-byte type: neither IEND nor IHDR */
        if (memcmp(p + pos - 4, "IEND", 4) == 0)
            break;
        if (memcmp(p + pos - 4, "IHDR", 4) != 0 || be32(p + pos - 8) != 13)
            continue;
        blen = pos < data.len ? data.len - pos : 0;
        if (blen > 17)
            blen = 17;
        /* substr($bytes, -4, 4, ""): the CRC, or all of a shorter tail */
        blen = blen > 4 ? blen - 4 : 0;
        if (blen >= 4)
            *w = be32(p + pos);
        if (blen >= 8)
            *h = be32(p + pos + 4);
        break;
    }
    return *w != 0 && *h != 0;
}

static bool
jpeg_sof(unsigned m)
{
    return (m >= 0xc0 && m <= 0xc3) || (m >= 0xc5 && m <= 0xc7) || (m >= 0xc9 && m <= 0xcb) ||
           (m >= 0xcd && m <= 0xcf);
}

bool
sa_eval_jpeg_size(struct strv data, uint32_t *w, uint32_t *h)
{
    const unsigned char *p = (const unsigned char *)data.p;
    size_t pos = 2;

    *w = *h = 0;
    if (data.len < 2 || p[0] != 0xff || p[1] != 0xd8)
        return false;
    for (;;) {
        size_t len, block;

        /* unpack("CCn", substr($data, $pos, 4)) */
        if (pos + 4 > data.len || p[pos] != 0xff || p[pos + 1] == 0xda || p[pos + 1] == 0xd9)
            break;
        len = (size_t)p[pos + 2] << 8 | p[pos + 3];
        if (len < 2)
            break;
        pos += 4;
        block = pos < data.len ? data.len - pos : 0;
        if (block > len - 2)
            block = len - 2;
        if (jpeg_sof(p[pos - 3])) {
            /* unpack("CnnC", ...): precision, height, width */
            if (block >= 3)
                *h = (uint32_t)p[pos + 1] << 8 | p[pos + 2];
            if (block >= 5)
                *w = (uint32_t)p[pos + 3] << 8 | p[pos + 4];
            break;
        }
        pos += block;
    }
    return *w != 0 && *h != 0;
}

/* ^image/(?:gif|png|jpe?g)$ */
static bool
img_type_of(const char *type, enum img_type *t)
{
    if (strcmp(type, "image/gif") == 0)
        *t = IMG_GIF;
    else if (strcmp(type, "image/png") == 0)
        *t = IMG_PNG;
    else if (strcmp(type, "image/jpeg") == 0 || strcmp(type, "image/jpg") == 0)
        *t = IMG_JPEG;
    else
        return false;
    return true;
}

/* _get_images */
static void
img_facts(struct scan_eval_ctx *ec, struct img_facts *f)
{
    struct arena *a = ec->msg->arena;
    struct mime_part **leaves;
    size_t n = mime_msg_parts(ec->msg, true, &leaves);

    memset(f, 0, sizeof(*f));
    f->dims = arena_calloc(a, n ? n : 1, sizeof(*f->dims));
    f->names = arena_calloc(a, n ? n : 1, sizeof(*f->names));
    for (size_t i = 0; i < n; i++) {
        struct mime_part *p = leaves[i];
        struct strv data;
        enum img_type t;
        uint32_t w = 0, h = 0;
        bool ok;

        if (!img_type_of(p->type, &t) ||
            !strv_caseeq(sa_eval_part_header(p, "content-transfer-encoding", NULL), "base64"))
            continue;
        data = mime_part_decoded(ec->msg, p);
        if (t == IMG_GIF) {
            ok = sa_eval_gif_size(data, &w, &h);
        } else if (t == IMG_PNG) {
            ok = sa_eval_png_size(data, &w, &h);
        } else {
            ok = sa_eval_jpeg_size(data, &w, &h);
        }
        if (ok) {
            f->pc[t] += (double)w * (double)h;
            f->dims[f->ndims++] = (struct img_dim){ t, h, w };
            if (p->has_name && sa_eval_perl_true(p->name.p, p->name.len))
                f->names[f->nnames++] = p->name;
        }
        f->count[t]++;
    }
    for (int t = 0; t < IMG_NTYPES; t++) {
        f->pc[IMG_NTYPES] += f->pc[t];
        f->count[IMG_NTYPES] += f->count[t];
    }
}

/* The index of a type argument ("all" is IMG_NTYPES), -1 for another. */
static int
img_type_arg(const char *s)
{
    if (s == NULL)
        return -1;
    for (int t = 0; t < IMG_NTYPES; t++) {
        if (strcmp(s, img_type_names[t]) == 0)
            return t;
    }
    return strcmp(s, "all") == 0 ? IMG_NTYPES : -1;
}

/* result_check(min, max, value, nomaxequal) */
static bool
result_check(const struct scan_rule *r, size_t imin, double value, bool nomaxequal)
{
    const char *maxs = sa_eval_arg(r, imin + 1);
    double max = sa_eval_perl_num(maxs);

    if (value < sa_eval_argnum(r, imin))
        return false;
    if (maxs != NULL && value > max)
        return false;
    if (nomaxequal && value == max)
        return false;
    return true;
}

static double
image_count(struct scan_eval_ctx *ec)
{
    int t = img_type_arg(sa_eval_arg(ec->rule, 0));
    struct img_facts f;

    if (sa_eval_arg(ec->rule, 1) == NULL)
        return 0;
    img_facts(ec, &f);
    if (t < 0)
        return 0;
    return result_check(ec->rule, 1, f.count[t], false);
}

static double
pixel_coverage(struct scan_eval_ctx *ec)
{
    int t = img_type_arg(sa_eval_arg(ec->rule, 0));
    struct img_facts f;

    if (sa_eval_arg(ec->rule, 0) == NULL || sa_eval_arg(ec->rule, 1) == NULL)
        return 0;
    img_facts(ec, &f);
    if (t < 0)
        return 0;
    return result_check(ec->rule, 1, f.pc[t], false);
}

static double
image_to_text_ratio(struct scan_eval_ctx *ec)
{
    int t = img_type_arg(sa_eval_arg(ec->rule, 0));
    struct img_facts f;
    struct mime_view body;
    double textlen = 0;

    if (sa_eval_arg(ec->rule, 0) == NULL || sa_eval_arg(ec->rule, 1) == NULL ||
        sa_eval_arg(ec->rule, 2) == NULL)
        return 0;
    img_facts(ec, &f);
    if (t < 0)
        return 0;
    body = sa_eval_text(ec);
    for (size_t i = 0; i < body.n; i++)
        textlen += (double)body.lines[i].len;
    if (!(textlen > 0) || !(f.pc[t] > 0))
        return 0;
    return result_check(ec->rule, 1, textlen / f.pc[t], true);
}

/* dems_TYPE has "HxW" */
static double
image_size_exact(struct scan_eval_ctx *ec)
{
    const char *type = sa_eval_arg(ec->rule, 0), *hs = sa_eval_arg(ec->rule, 1),
               *ws = sa_eval_arg(ec->rule, 2);
    int t = img_type_arg(type);
    struct img_facts f;

    if (type == NULL || hs == NULL || ws == NULL)
        return 0;
    img_facts(ec, &f);
    if (t < 0)
        return 0;
    for (size_t i = 0; i < f.ndims; i++) {
        char h[16], w[16];

        if (t != IMG_NTYPES && (int)f.dims[i].type != t)
            continue;
        snprintf(h, sizeof(h), "%u", (unsigned)f.dims[i].h);
        snprintf(w, sizeof(w), "%u", (unsigned)f.dims[i].w);
        if (strcmp(h, hs) == 0 && strcmp(w, ws) == 0)
            return 1;
    }
    return 0;
}

static double
image_size_range(struct scan_eval_ctx *ec)
{
    const struct scan_rule *r = ec->rule;
    int t = img_type_arg(sa_eval_arg(r, 0));
    double minh = sa_eval_argnum(r, 1), minw = sa_eval_argnum(r, 2);
    double maxh = sa_eval_argnum(r, 3), maxw = sa_eval_argnum(r, 4);
    struct img_facts f;

    if (sa_eval_arg(r, 0) == NULL || sa_eval_arg(r, 1) == NULL || sa_eval_arg(r, 2) == NULL)
        return 0;
    img_facts(ec, &f);
    if (t < 0)
        return 0;
    for (size_t i = 0; i < f.ndims; i++) {
        double h = f.dims[i].h, w = f.dims[i].w;

        if (t != IMG_NTYPES && (int)f.dims[i].type != t)
            continue;
        if (h < minh || w < minw)
            continue;
        if ((sa_eval_arg(r, 3) != NULL && h > maxh) || (sa_eval_arg(r, 4) != NULL && w > maxw))
            continue;
        return 1;
    }
    return 0;
}

static double
image_named(struct scan_eval_ctx *ec)
{
    const char *name = sa_eval_arg(ec->rule, 0);
    struct img_facts f;

    if (name == NULL)
        return 0;
    img_facts(ec, &f);
    for (size_t i = 0; i < f.nnames; i++) {
        if (strv_eq(f.names[i], name))
            return 1;
    }
    return 0;
}

static int
name_regex_prepare(struct arena *a, const struct scan_rule *rule, void **state,
                   struct sift_err *err)
{
    const char *re = sa_eval_arg(rule, 0);

    if (re == NULL) {
        sift_err_set(err, "image_name_regex: needs a pattern");
        return -1;
    }
    *state = sa_eval_re_compile(a, re, 0, err);
    return *state != NULL ? 0 : -1;
}

static double
image_name_regex(struct scan_eval_ctx *ec)
{
    struct img_facts f;

    if (ec->state == NULL)
        return 0;
    img_facts(ec, &f);
    for (size_t i = 0; i < f.nnames; i++) {
        if (sa_eval_re_search(ec->state, f.names[i], 0, NULL, 0))
            return 1;
    }
    return 0;
}

const struct scan_eval_def sa_eval_image_defs[] = {
    { "image_count", SA_EVAL_BODY_TARGETS, NULL, image_count, 0 },
    { "pixel_coverage", SA_EVAL_BODY_TARGETS, NULL, pixel_coverage, 0 },
    { "image_size_exact", SA_EVAL_BODY_TARGETS, NULL, image_size_exact, 0 },
    { "image_size_range", SA_EVAL_BODY_TARGETS, NULL, image_size_range, 0 },
    { "image_named", SA_EVAL_BODY_TARGETS, NULL, image_named, 0 },
    { "image_name_regex", SA_EVAL_BODY_TARGETS, name_regex_prepare, image_name_regex, 0 },
    { "image_to_text_ratio", SA_EVAL_BODY_TARGETS, NULL, image_to_text_ratio, 0 },
};
const size_t sa_eval_image_ndefs = sizeof(sa_eval_image_defs) / sizeof(sa_eval_image_defs[0]);
