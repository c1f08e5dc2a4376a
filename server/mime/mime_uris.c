/*
 * mime_uris.c - a message's URIs (see mime_uris.h).
 */
#include "mime/mime_uris.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core/strset.h"
#include "mime/mime_views.h"

struct uris_state {
    struct mime_msg *m;
    struct mime_uris *out;
    size_t cap;
    struct strset keys; /* raw URIs seen, to find their entry */
    mime_url_redirector_fn redirector;
    void *redirector_arg;
};

static struct mime_uri *
uris_entry(struct uris_state *st, struct strv raw)
{
    long idx = strset_index(&st->keys, raw);

    if (idx >= 0) /* entries are made in the order their keys are added */
        return &st->out->v[idx];
    strset_add(&st->keys, raw);
    if (st->out->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 16;

        st->out->v = arena_realloc(st->m->arena, st->out->v, st->cap * sizeof(*st->out->v),
                                   cap * sizeof(*st->out->v));
        st->cap = cap;
    }
    memset(&st->out->v[st->out->n], 0, sizeof(st->out->v[0]));
    st->out->v[st->out->n].raw = raw;
    return &st->out->v[st->out->n++];
}

static void
uris_append(struct arena *a, struct strv **v, size_t *n, struct strv s, bool unique)
{
    if (unique) {
        for (size_t i = 0; i < *n; i++) {
            if (strv_equal((*v)[i], s))
                return;
        }
    }
    *v = arena_realloc(a, *v, *n * sizeof(**v), (*n + 1) * sizeof(**v));
    (*v)[(*n)++] = s;
}

/* SA's hosts map (host => domain): a host already there keeps its entry. */
static void
uris_add_host(struct arena *a, struct strv **hosts, struct strv **domains, size_t *n,
              struct strv host, struct strv domain)
{
    size_t k = *n;

    for (size_t i = 0; i < *n; i++) {
        if (strv_equal((*hosts)[i], host))
            return;
    }
    uris_append(a, hosts, &k, host, false);
    uris_append(a, domains, n, domain, false);
}

/* add_uri_detail_list(uri, types, source, valid_domain) */
static struct mime_uri *
uris_add(struct uris_state *st, struct strv uri, unsigned text_types, unsigned html_types,
         bool valid_domain)
{
    struct arena *a = st->m->arena;
    struct strv *forms, *hosts = NULL, *domains = NULL;
    size_t nforms, nd = 0;
    struct mime_uri *e;

    mime_url_canonicalize(a, st->m->ctx->psl, uri, st->redirector, st->redirector_arg, &forms,
                          &nforms);
    if (nforms == 0)
        return NULL;
    for (size_t i = 0; i < nforms; i++) {
        struct strv host, domain;

        if (forms[i].len > MIME_URI_MAX) {
            st->out->truncated = true;
            forms[i].len = MIME_URI_MAX;
        }
        if (mime_url_domain(a, st->m->ctx->psl, forms[i], &host, &domain))
            uris_add_host(a, &hosts, &domains, &nd, host, domain);
    }
    if (valid_domain && nd == 0)
        return NULL;
    e = uris_entry(st, uri);
    for (size_t i = 0; i < nforms; i++)
        uris_append(a, &e->cleaned, &e->ncleaned, forms[i], true);
    for (size_t i = 0; i < nd; i++)
        uris_add_host(a, &e->hosts, &e->domains, &e->nhosts, hosts[i], domains[i]);
    e->text_types |= text_types;
    e->html_types |= html_types;
    return e;
}

static void
uris_text_found(void *arg, const struct mime_url *url)
{
    uris_add(arg, url->uri, url->types, 0, true);
}

static void
uris_from_text(struct uris_state *st)
{
    const struct mime_view *body = mime_view_body(st->m);
    struct mime_url_seen *seen = mime_url_seen_new(st->m->arena);

    for (size_t i = 0; i < body->n; i++)
        mime_url_scan_text(st->m->arena, st->m->ctx->psl, seen, body->lines[i], uris_text_found,
                           st);
}

static void
uris_from_html(struct uris_state *st)
{
    const struct mime_html_result *const *html;
    size_t nhtml = mime_view_html(st->m, &html);

    for (size_t h = 0; h < nhtml; h++) {
        if (html[h] == NULL)
            continue;
        if (html[h]->uri_truncated)
            st->out->truncated = true;
        for (size_t i = 0; i < html[h]->nuris; i++) {
            const struct mime_html_uri *u = &html[h]->uris[i];
            /* SA's default types when the parser gave none: {parsed => 1} */
            struct mime_uri *e =
                uris_add(st, u->uri, u->types == 0 ? MIME_URL_PARSED : 0, u->types, false);

            for (size_t k = 0; e != NULL && k < u->nanchor_text; k++)
                uris_append(st->m->arena, &e->anchor_text, &e->nanchor_text, u->anchor_text[k],
                            true);
        }
    }
}

/* local@domain of a cleaned mailto: form, when its domain is valid */
static bool
uris_email_of(struct uris_state *st, struct strv form, struct strv *addr)
{
    struct strv host, domain, v;
    const char *at, *q;

    if (form.len < 7 || strncasecmp(form.p, "mailto:", 7) != 0)
        return false;
    v = strv_make(form.p + 7, form.len - 7);
    if ((q = memchr(v.p, '?', v.len)) != NULL)
        v.len = (size_t)(q - v.p);
    at = memchr(v.p, '@', v.len);
    if (at == NULL || at == v.p || memchr(at + 1, '@', v.len - (size_t)(at + 1 - v.p)) != NULL)
        return false;
    if (!mime_url_domain(st->m->arena, st->m->ctx->psl, form, &host, &domain))
        return false;
    *addr = v;
    return true;
}

static void
uris_emails(struct uris_state *st)
{
    struct strset seen;
    size_t cap = 0;

    strset_init(&seen, st->m->arena);
    for (size_t i = 0; i < st->out->n; i++) {
        const struct mime_uri *u = &st->out->v[i];

        for (size_t k = 0; k < u->ncleaned; k++) {
            struct strv addr;
            char *lc;

            if (!uris_email_of(st, u->cleaned[k], &addr))
                continue;
            lc = arena_strndup(st->m->arena, addr.p, addr.len);
            for (size_t j = 0; j < addr.len; j++)
                lc[j] = (char)tolower((unsigned char)lc[j]);
            if (strset_index(&seen, strv_make(lc, addr.len)) >= 0)
                continue;
            strset_add(&seen, strv_make(lc, addr.len));
            if (st->out->nemails == cap) {
                size_t ncap = cap ? cap * 2 : 8;

                st->out->emails =
                    arena_realloc(st->m->arena, st->out->emails, cap * sizeof(*st->out->emails),
                                  ncap * sizeof(*st->out->emails));
                cap = ncap;
            }
            st->out->emails[st->out->nemails++] = addr;
        }
    }
}

void
mime_uris_set_redirector(struct mime_msg *m, mime_url_redirector_fn fn, void *arg)
{
    m->uri_redirector = fn;
    m->uri_redirector_arg = arg;
}

const struct mime_uris *
mime_msg_uris(struct mime_msg *m)
{
    struct uris_state st = { .m = m };
    struct strset all;

    if (m->uris != NULL)
        return m->uris;
    st.out = m->uris = arena_calloc(m->arena, 1, sizeof(*m->uris));
    st.redirector = m->uri_redirector;
    st.redirector_arg = m->uri_redirector_arg;
    strset_init(&st.keys, m->arena);
    uris_from_text(&st);
    uris_from_html(&st);
    strset_init(&all, m->arena);
    for (size_t i = 0; i < st.out->n; i++) {
        for (size_t k = 0; k < st.out->v[i].ncleaned; k++)
            strset_add(&all, st.out->v[i].cleaned[k]);
    }
    st.out->list = all.items;
    st.out->nlist = all.n;
    uris_emails(&st);
    return st.out;
}
