/*
 * siftadm_inspect.c - `siftadm inspect [--json] FILE...`: a message as
 * sift's scanner sees it: the header fields (decoded and raw), the MIME
 * parts, the body/rawbody/uri views the rules read, the relays of the
 * Received chain and the address look-ups. --json prints one object per
 * message in the form scripts/sa-views.pl prints SpamAssassin's view, so
 * that scripts/mime-parity.py can compare the two.
 */
#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "daemon/siftd_cfg.h"
#include "mime/mime_ctx.h"
#include "mime/mime_attach.h"
#include "mime/mime_get.h"
#include "mime/mime_uris.h"
#include "mime/mime_views.h"
#include "scan/task.h"

#include "siftadm.h"

/* The look-ups printed, as sa-views.pl asks SpamAssassin for them. */
static const char *const inspect_gets[] = {
    "From:addr",         "From:name",      "To:addr",          "To:name",
    "Cc:addr",           "Reply-To:addr",  "Sender:addr",      "Return-Path:addr",
    "From:raw",          "Subject",        "Subject:raw",      "ToCc",
    "MESSAGEID",         "EnvelopeFrom",   "Message-Id",       "Date",
    "From:host",         "From:domain",    "From:addr:domain", "Message-Id:host",
    "Message-Id:domain", "Received:ip",    "Received:revip",   "Received:host",
    "Received:first",    "ALL:raw",        "ALL-TRUSTED",      "ALL-UNTRUSTED:raw",
    "Reply-To:domain",   "X-Mailer:first",
};

static int
inspect_read(const char *path, struct buf *out)
{
    FILE *f = fopen(path, "rb");
    char chunk[65536];
    size_t n;

    if (f == NULL) {
        fprintf(stderr, "siftadm: %s: %s\n", path, strerror(errno));
        return -1;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(out, chunk, n);
    if (ferror(f)) {
        fprintf(stderr, "siftadm: %s: read error\n", path);
        fclose(f);
        return -1;
    }
    fclose(f);
    return 0;
}

static void
inspect_sha1(struct strv s, char hex[41])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    EVP_Digest(s.p, s.len, md, &len, EVP_sha1(), NULL);
    for (unsigned i = 0; i < len && i < 20; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    hex[40] = '\0';
}

static void
inspect_view(struct json *j, const char *key, const struct mime_view *v)
{
    json_key(j, key);
    json_arr_begin(j);
    for (size_t i = 0; i < v->n; i++)
        json_str(j, v->lines[i]);
    json_arr_end(j);
}

static void
inspect_headers(struct json *j, const struct mime_part *root)
{
    json_key(j, "headers");
    json_arr_begin(j);
    for (const struct mime_header *f = root->hdrs.first; f != NULL; f = f->next) {
        json_arr_begin(j);
        json_str(j, f->name);
        json_str(j, f->value);
        json_str(j, f->raw);
        json_arr_end(j);
    }
    json_arr_end(j);
}

static void
inspect_flags(struct json *j, const struct mime_msg *m)
{
    const struct {
        const char *name;
        bool on;
    } flags[] = {
        { "missing_head_body_separator", m->missing_head_body_separator },
        { "truncated_header", m->truncated_header },
        { "missing_mime_headers", m->missing_mime_headers },
        { "missing_mime_head_body_separator", m->missing_mime_head_body_separator },
        { "mime_epilogue_exists", m->mime_epilogue_exists },
        { "mimepart_limit_exceeded", m->mimepart_limit_exceeded },
    };
    bool any = false;

    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        any = any || flags[i].on;
    if (!any)
        return;
    json_key(j, "flags");
    json_obj_begin(j);
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        if (flags[i].on) {
            json_key(j, flags[i].name);
            json_int(j, 1);
        }
    }
    json_obj_end(j);
}

static void
inspect_parts(struct json *j, struct mime_msg *m)
{
    struct mime_part **parts;
    size_t n = mime_msg_parts(m, false, &parts);

    json_key(j, "parts");
    json_arr_begin(j);
    for (size_t i = 0; i < n; i++) {
        struct mime_part *p = parts[i];

        json_obj_begin(j);
        if (p->has_charset) {
            json_key(j, "charset");
            json_str(j, p->charset);
        }
        if (p->has_raw) {
            struct strv d = mime_part_decoded(m, p);
            char sha[41];

            inspect_sha1(d, sha);
            json_key(j, "decoded_len");
            json_uint(j, d.len);
            json_key(j, "decoded_sha1");
            json_cstr(j, sha);
        }
        json_key(j, "effective_type");
        json_cstr(j, mime_part_effective_type(p));
        json_key(j, "leaf");
        json_int(j, !p->has_body_parts);
        if (p->has_name) {
            json_key(j, "name");
            json_str(j, p->name);
        }
        json_key(j, "nheaders");
        json_uint(j, p->hdrs.n);
        json_key(j, "type");
        json_cstr(j, p->type);
        json_obj_end(j);
    }
    json_arr_end(j);
}

static int
inspect_cmp_strv(const void *a, const void *b)
{
    const struct strv *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = n > 0 ? memcmp(x->p, y->p, n) : 0;

    return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

static void
inspect_sorted(struct json *j, struct strv *v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof(*v), inspect_cmp_strv);
    json_arr_begin(j);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && inspect_cmp_strv(&v[i - 1], &v[i]) == 0)
            continue;
        json_str(j, v[i]);
    }
    json_arr_end(j);
}

static void
inspect_uris(struct json *j, struct mime_msg *m)
{
    const struct mime_uris *u = mime_msg_uris(m);
    struct strv *list = arena_alloc(m->arena, (u->nlist + 1) * sizeof(*list));

    if (u->nlist > 0)
        memcpy(list, u->list, u->nlist * sizeof(*list));
    json_key(j, "uri");
    inspect_sorted(j, list, u->nlist);
    json_key(j, "uri_detail");
    json_obj_begin(j);
    for (size_t i = 0; i < u->n; i++) {
        const struct mime_uri *e = &u->v[i];
        struct strv types[24];
        size_t nt = 0;

        json_key(j, arena_strndup(m->arena, e->raw.p, e->raw.len));
        json_obj_begin(j);
        json_key(j, "anchor_text");
        json_arr_begin(j);
        for (size_t k = 0; k < e->nanchor_text; k++)
            json_str(j, e->anchor_text[k]);
        json_arr_end(j);
        json_key(j, "cleaned");
        inspect_sorted(j, e->cleaned, e->ncleaned);
        json_key(j, "domains");
        inspect_sorted(j, e->domains, e->nhosts);
        if (e->text_types & MIME_URL_PARSED)
            types[nt++] = STRV_LIT("parsed");
        if (e->text_types & MIME_URL_SCHEMELESS)
            types[nt++] = STRV_LIT("schemeless");
        if (e->text_types & MIME_URL_UNLINKED)
            types[nt++] = STRV_LIT("unlinked");
        for (unsigned bit = 1; bit != 0 && bit <= MIME_HTML_URI_TD; bit <<= 1) {
            if (e->html_types & bit)
                types[nt++] = strv_cstr(mime_html_uri_type_name(bit));
        }
        json_key(j, "types");
        inspect_sorted(j, types, nt);
        json_obj_end(j);
    }
    json_obj_end(j);
}

static void
inspect_relays(struct json *j, struct mime_msg *m)
{
    const struct mime_relays *r = mime_msg_relays(m);

    json_key(j, "relays");
    json_obj_begin(j);
    json_key(j, "last_internal_relay_index");
    json_int(j, r->last_internal_index);
    json_key(j, "last_trusted_relay_index");
    json_int(j, r->last_trusted_index);
    json_key(j, "num_relays_unparseable");
    json_uint(j, r->num_unparseable);
    json_key(j, "relays_external_str");
    json_str(j, r->external_str);
    json_key(j, "relays_internal_str");
    json_str(j, r->internal_str);
    json_key(j, "relays_trusted_str");
    json_str(j, r->trusted_str);
    json_key(j, "relays_untrusted_str");
    json_str(j, r->untrusted_str);
    json_obj_end(j);
}

static void
inspect_gets_json(struct json *j, struct mime_msg *m)
{
    bool found;

    json_key(j, "get");
    json_obj_begin(j);
    for (size_t i = 0; i < sizeof(inspect_gets) / sizeof(inspect_gets[0]); i++) {
        const struct mime_get *g = mime_get(m, inspect_gets[i]);

        json_key(j, inspect_gets[i]);
        json_arr_begin(j);
        for (size_t k = 0; k < g->n; k++)
            json_str(j, g->v[k]);
        json_arr_end(j);
    }
    json_obj_end(j);
    json_key(j, "all");
    json_str(j, mime_get_scalar(m, "ALL", &found));
}

static void
inspect_html(struct json *j, struct mime_msg *m)
{
    const struct mime_html_result *const *html;
    size_t n = mime_view_html(m, &html);

    json_key(j, "html");
    json_arr_begin(j);
    for (size_t i = 0; i < n; i++) {
        const struct mime_html_result *h = html[i];

        if (h == NULL) {
            json_null(j);
            continue;
        }
        json_obj_begin(j);
        json_key(j, "html_length");
        json_uint(j, h->html_length);
        json_key(j, "image_area");
        json_double(j, h->image_area);
        json_key(j, "length");
        json_uint(j, h->length);
        json_key(j, "max_size");
        json_int(j, h->max_size);
        json_key(j, "min_size");
        json_int(j, h->min_size);
        json_key(j, "non_space_len");
        json_uint(j, h->non_space_len);
        json_obj_end(j);
    }
    json_arr_end(j);
}

/* What sift adds to SpamAssassin's view: the Date, each relay with its
 * fields and time, the attachments and the mail addresses in the text. */
static void
inspect_sift(struct json *j, struct mime_msg *m)
{
    const struct mime_relays *r = mime_msg_relays(m);
    const struct mime_attachments *at = mime_msg_attachments(m);
    const struct mime_uris *u = mime_msg_uris(m);
    int64_t date;

    json_key(j, "sift");
    json_obj_begin(j);
    json_key(j, "date");
    if (mime_msg_date(m, &date))
        json_int(j, date);
    else
        json_null(j);
    json_key(j, "relays");
    json_arr_begin(j);
    for (size_t i = 0; i < r->nrelays; i++) {
        const struct mime_relay *rl = &r->relays[i];
        static const char *const names[] = { "ip", "rdns", "helo", "by", "ident", "id", "auth" };
        const struct strv vals[] = {
            rl->ip, rl->rdns, rl->helo, rl->by, rl->ident, rl->id, rl->auth
        };

        json_obj_begin(j);
        for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
            json_key(j, names[k]);
            json_str(j, vals[k]);
        }
        json_key(j, "date");
        if (rl->has_date)
            json_int(j, rl->date);
        else
            json_null(j);
        json_key(j, "trusted");
        json_bool(j, rl->trusted);
        json_key(j, "internal");
        json_bool(j, rl->internal);
        json_obj_end(j);
    }
    json_arr_end(j);
    json_key(j, "attachments");
    json_arr_begin(j);
    for (size_t i = 0; i < at->n; i++) {
        const struct mime_attachment *a = &at->v[i];

        json_obj_begin(j);
        json_key(j, "filename");
        if (a->has_filename)
            json_str(j, a->filename);
        else
            json_null(j);
        json_key(j, "type");
        json_cstr(j, a->type);
        json_key(j, "disposition");
        json_cstr(j, a->disposition_attachment ? "attachment"
                     : a->disposition_inline   ? "inline"
                                               : "");
        json_key(j, "uuencoded");
        json_bool(j, a->uuencoded);
        json_key(j, "size");
        json_uint(j, a->content.len);
        json_key(j, "sha256");
        json_cstr(j, a->sha256);
        json_obj_end(j);
    }
    json_arr_end(j);
    json_key(j, "emails");
    json_arr_begin(j);
    for (size_t i = 0; i < u->nemails; i++)
        json_str(j, u->emails[i]);
    json_arr_end(j);
    json_obj_end(j);
}

static void
inspect_json(const char *path, struct task *t, struct buf *out)
{
    struct mime_msg *m = task_message(t);
    struct json j;

    json_init(&j, out, true);
    json_obj_begin(&j);
    json_key(&j, "file");
    json_cstr(&j, path);
    inspect_headers(&j, m->root);
    if (m->has_mbox_sep) {
        json_key(&j, "mbox");
        json_str(&j, m->mbox_sep);
    }
    inspect_flags(&j, m);
    inspect_parts(&j, m);
    inspect_view(&j, "body", mime_view_body(m));
    inspect_view(&j, "rawbody", mime_view_rawbody(m));
    inspect_view(&j, "invisible", mime_view_invisible(m));
    inspect_uris(&j, m);
    inspect_relays(&j, m);
    inspect_gets_json(&j, m);
    inspect_html(&j, m);
    inspect_sift(&j, m);
    json_obj_end(&j);
    buf_putc(out, '\n');
}

static void
inspect_text_lines(struct buf *out, const char *title, const struct mime_view *v)
{
    buf_printf(out, "%s (%zu line%s):\n", title, v->n, v->n == 1 ? "" : "s");
    for (size_t i = 0; i < v->n; i++) {
        struct strv l = v->lines[i];

        if (l.len > 0 && l.p[l.len - 1] == '\n')
            l.len--;
        buf_printf(out, "  | %.*s\n", (int)l.len, l.p);
    }
}

static const char *
inspect_utc(int64_t t, char out[64])
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL || strftime(out, 64, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(out, 64, "?");
    return out;
}

static void
inspect_human(const char *path, struct task *t, struct buf *out)
{
    struct mime_msg *m = task_message(t);
    struct mime_part **parts;
    size_t n = mime_msg_parts(m, false, &parts);
    const struct mime_uris *u = mime_msg_uris(m);
    const struct mime_relays *r = mime_msg_relays(m);
    const struct mime_attachments *at = mime_msg_attachments(m);
    int64_t date;
    char when[64];

    buf_printf(out, "== %s (%zu bytes)\n", path, t->len);
    buf_printf(out, "headers (%zu):\n", m->root->hdrs.n);
    for (const struct mime_header *f = m->root->hdrs.first; f != NULL; f = f->next)
        buf_printf(out, "  %.*s: %.*s\n", (int)f->name.len, f->name.p, (int)f->value.len,
                   f->value.p);
    buf_printf(out, "parts (%zu):\n", n);
    for (size_t i = 0; i < n; i++) {
        struct mime_part *p = parts[i];

        buf_printf(out, "  %*s%s%s%.*s%s%s%.*s%s\n", (int)p->depth * 2, "", p->type,
                   p->has_charset ? " charset=" : "", (int)p->charset.len, p->charset.p,
                   p->first ? "" : (p->has_raw ? " (leaf)" : ""), p->has_name ? " name=" : "",
                   (int)p->name.len, p->name.p, p->is_message ? " [message]" : "");
    }
    buf_printf(out, "relays: trusted [%.*s] untrusted [%.*s]\n", (int)r->trusted_str.len,
               r->trusted_str.p, (int)r->untrusted_str.len, r->untrusted_str.p);
    inspect_text_lines(out, "body", mime_view_body(m));
    buf_printf(out, "uri (%zu):\n", u->nlist);
    for (size_t i = 0; i < u->nlist; i++)
        buf_printf(out, "  %.*s\n", (int)u->list[i].len, u->list[i].p);
    if (mime_msg_date(m, &date))
        buf_printf(out, "date: %" PRId64 " (%s)\n", date, inspect_utc(date, when));
    for (size_t i = 0; i < at->n; i++)
        buf_printf(out, "attachment: %.*s%s%s %zu bytes sha256=%s\n", (int)at->v[i].filename.len,
                   at->v[i].filename.p, at->v[i].has_filename ? " " : "", at->v[i].type,
                   at->v[i].content.len, at->v[i].sha256);
    for (size_t i = 0; i < u->nemails; i++)
        buf_printf(out, "email: %.*s\n", (int)u->emails[i].len, u->emails[i].p);
    for (const struct task_symbol *s = t->symbols; s != NULL; s = s->next)
        buf_printf(out, "symbol: %s\n", s->name);
}

/* The mime section from the configuration if it loads, else the defaults. */
static int
inspect_mime_cfg(const struct adm *a, struct siftd_cfg **scp, struct mime_cfg *mc,
                 struct arena **keep)
{
    struct sift_err err;
    struct cfg_ctx ctx = { 0 };
    struct arena *ar;

    if (siftd_cfg_load(a->config, a->overrides, a->noverrides, scp, &err) == 0) {
        *mc = (*scp)->mime;
        return 0;
    }
    if (a->noverrides > 0) {
        fprintf(stderr, "siftadm: %s\n", err.msg);
        return -1;
    }
    /* no configuration here: inspect with the stock settings */
    ar = arena_new(4096);
    ctx.arena = ar;
    ctx.dbdir = "/var/lib/sift";
    ctx.confdir = "/etc/sift";
    if (cfg_fill(&ctx, "mime", NULL, mime_cfg_keys, mime_cfg_nkeys, mc, &err) == -1) {
        fprintf(stderr, "siftadm: %s\n", err.msg);
        arena_free(&ar);
        return -1;
    }
    *keep = ar; /* the strings point into it */
    *scp = NULL;
    return 0;
}

int
adm_inspect(const struct adm *a, int argc, char **argv)
{
    struct siftd_cfg *sc = NULL;
    struct arena *defaults = NULL;
    struct mime_cfg mc;
    struct mime_ctx ctx;
    struct mime_ctx_storage st;
    struct sift_err err;
    bool json = false;
    int rc = 0, first = 1;

    if (argc > 1 && strcmp(argv[1], "--json") == 0) {
        json = true;
        first = 2;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: siftadm inspect [--json] FILE...\n");
        return 2;
    }
    if (inspect_mime_cfg(a, &sc, &mc, &defaults) == -1)
        return 1;
    if (mime_ctx_init(&ctx, &st, &mc, &err) == -1) {
        fprintf(stderr, "siftadm: %s\n", err.msg);
        siftd_cfg_free(&sc);
        arena_free(&defaults);
        return 1;
    }
    for (int i = first; i < argc; i++) {
        struct buf raw, out;
        struct task *t;

        buf_init(&raw);
        buf_init(&out);
        if (inspect_read(argv[i], &raw) == -1) {
            rc = 1;
            buf_clear(&raw);
            continue;
        }
        t = task_new(&ctx, raw.p ? raw.p : "", raw.len, false);
        if (json)
            inspect_json(argv[i], t, &out);
        else
            inspect_human(argv[i], t, &out);
        fwrite(out.p, 1, out.len, stdout);
        task_free(&t);
        buf_clear(&raw);
        buf_clear(&out);
    }
    mime_ctx_clear(&ctx, &st);
    siftd_cfg_free(&sc);
    arena_free(&defaults);
    return rc;
}
