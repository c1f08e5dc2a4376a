/*
 * mime_html_uri.c - HTML.pm's target_uri(): a link resolved against
 * <base href> with its RFC 2396-draft steps (_parse_uri, _merge_uri,
 * _remove_dot_segments), Perl's regex and truth quirks kept: a fragment
 * ends at a newline (and the rest is dropped), "0" is false, `$` also
 * matches before a final newline, scheme-less www./ftp. hosts get one.
 */
#include "mime/mime_html_int.h"

#include <string.h>

struct uri_parts {
    struct strv scheme, authority, path, query, fragment;
    bool has_scheme, has_authority, has_query, has_fragment;
};

/* m|^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?| */
static void
parse_uri(struct strv u, struct uri_parts *r)
{
    size_t i = 0, n = u.len, k;

    memset(r, 0, sizeof(*r));
    k = 0;
    while (k < n && u.p[k] != ':' && u.p[k] != '/' && u.p[k] != '?' && u.p[k] != '#')
        k++;
    if (k > 0 && k < n && u.p[k] == ':') {
        r->scheme = strv_make(u.p, k);
        r->has_scheme = true;
        i = k + 1;
    }
    if (i + 1 < n && u.p[i] == '/' && u.p[i + 1] == '/') {
        k = i + 2;
        while (k < n && u.p[k] != '/' && u.p[k] != '?' && u.p[k] != '#')
            k++;
        r->authority = strv_make(u.p + i + 2, k - i - 2);
        r->has_authority = true;
        i = k;
    }
    k = i;
    while (k < n && u.p[k] != '?' && u.p[k] != '#')
        k++;
    r->path = strv_make(u.p + i, k - i);
    i = k;
    if (i < n && u.p[i] == '?') {
        k = i + 1;
        while (k < n && u.p[k] != '#')
            k++;
        r->query = strv_make(u.p + i + 1, k - i - 1);
        r->has_query = true;
        i = k;
    }
    if (i < n && u.p[i] == '#') {
        k = i + 1;
        while (k < n && u.p[k] != '\n')
            k++;
        r->fragment = strv_make(u.p + i + 1, k - i - 1);
        r->has_fragment = true;
    }
}

/* Perl truth of a defined string */
static bool
truthy(struct strv s)
{
    return s.len > 0 && !(s.len == 1 && s.p[0] == '0');
}

/* `$` at position i of s[0..n): the end, or before a final newline */
static bool
at_eol(const char *s, size_t n, size_t i)
{
    return i == n || (i + 1 == n && s[i] == '\n');
}

/* Drop the last "/segment" of out (s@/?[^/]*$@@). */
static void
drop_segment(struct mh_buf *out, size_t base)
{
    size_t k = out->len;

    while (k > base && out->p[k - 1] != '/')
        k--;
    out->len = k > base ? k - 1 : base;
}

/* _remove_dot_segments(), appending to out; the substitutions run on a
 * copy of the input, in[i..n) being what is left of it. */
static void
remove_dot_segments(struct arena *a, struct mh_buf *out, struct strv input)
{
    char *in;
    size_t n = input.len, i = 0, base = out->len;

    if (n == 0)
        return;
    in = arena_strndup(a, input.p, n);

    if (n >= 2 && in[0] == '.' && in[1] == '/')
        i = 1; /* s@^(?:\.\.?/)@/@ */
    else if (n >= 3 && in[0] == '.' && in[1] == '.' && in[2] == '/')
        i = 2;
    /* while ($input): "" and "0" are false */
    while (i < n && !(n - i == 1 && in[i] == '0')) {
        if (in[i] == '/' && i + 1 < n && in[i + 1] == '.') {
            if (at_eol(in, n, i + 2)) { /* "/." -> "/" */
                in[++i] = '/';
                continue;
            }
            if (i + 2 < n && in[i + 2] == '/') { /* "/./" -> "/" */
                i += 2;
                continue;
            }
            if (i + 2 < n && in[i + 2] == '.') {
                bool eol = at_eol(in, n, i + 3);

                if (eol || (i + 3 < n && in[i + 3] == '/')) {
                    if (eol) /* "/.." -> "/" */
                        in[i += 2] = '/';
                    else /* "/../" -> "/" */
                        i += 3;
                    drop_segment(out, base);
                    continue;
                }
            }
        }
        /* s@(/?[^/]*)@@ */
        {
            size_t k = i;

            if (in[k] == '/')
                k++;
            while (k < n && in[k] != '/')
                k++;
            mh_buf_append(out, in + i, k - i);
            i = k;
        }
    }
}

/* _merge_uri() into out. */
static void
merge_uri(struct mh_buf *out, const struct uri_parts *b, struct strv rpath)
{
    if (b->has_authority && !truthy(b->path)) {
        mh_buf_putc(out, '/');
    } else {
        size_t k = b->path.len;

        while (k > 0 && b->path.p[k - 1] != '/')
            k--;
        mh_buf_append(out, b->path.p, k); /* up to the last '/', or "" */
    }
    mh_buf_append(out, rpath.p, rpath.len);
}

static bool
host_prefix(struct strv a, const char *pre, bool uni)
{
    size_t n = strlen(pre), i;

    if (a.len < n || strncasecmp(a.p, pre, n) != 0)
        return false;
    i = n;
    while (i < a.len) {
        size_t k = i;

        if (!mime_uni_is_digit(mime_uni_next(a.p, a.len, &k), uni))
            break;
        i = k;
    }
    return i < a.len && a.p[i] == '.';
}

struct strv
mh_target_uri(struct arena *a, struct strv base, struct strv rel, bool uni)
{
    struct uri_parts r, b;
    struct mh_buf out, path;
    struct strv scheme = { NULL, 0 }, authority = { NULL, 0 }, query = { NULL, 0 };
    bool has_scheme, has_authority = false, has_query = false;

    parse_uri(rel, &r);
    parse_uri(base, &b);
    mh_buf_init(&out, a);
    mh_buf_init(&path, a);
    if (r.has_scheme && b.has_scheme && r.scheme.len == b.scheme.len &&
        memcmp(r.scheme.p, b.scheme.p, r.scheme.len) == 0)
        r.has_scheme = false;
    if (r.has_scheme) {
        scheme = r.scheme;
        has_scheme = true;
        authority = r.authority;
        has_authority = r.has_authority;
        remove_dot_segments(a, &path, r.path);
        query = r.query;
        has_query = r.has_query;
    } else {
        if (r.has_authority) {
            authority = r.authority;
            has_authority = true;
            remove_dot_segments(a, &path, r.path);
            query = r.query;
            has_query = r.has_query;
        } else {
            if (r.path.len == 0) {
                mh_buf_append(&path, b.path.p, b.path.len);
                if (r.has_query) {
                    query = r.query;
                    has_query = true;
                } else {
                    query = b.query;
                    has_query = b.has_query;
                }
            } else {
                if (r.path.p[0] == '/') {
                    remove_dot_segments(a, &path, r.path);
                } else {
                    struct mh_buf merged;

                    mh_buf_init(&merged, a);
                    merge_uri(&merged, &b, r.path);
                    remove_dot_segments(a, &path, strv_make(merged.p, merged.len));
                }
                query = r.query;
                has_query = r.has_query;
            }
            authority = b.authority;
            has_authority = b.has_authority;
        }
        scheme = b.scheme;
        has_scheme = b.has_scheme;
    }
    if (has_scheme && truthy(scheme)) {
        mh_buf_append(&out, scheme.p, scheme.len);
        mh_buf_putc(&out, ':');
    } else if (has_authority) {
        if (host_prefix(authority, "www", uni))
            mh_buf_append(&out, "http:", 5);
        else if (host_prefix(authority, "ftp", uni))
            mh_buf_append(&out, "ftp:", 4);
    }
    if (has_authority) {
        mh_buf_append(&out, "//", 2);
        mh_buf_append(&out, authority.p, authority.len);
    }
    mh_buf_append(&out, path.p, path.len);
    if (has_query) {
        mh_buf_putc(&out, '?');
        mh_buf_append(&out, query.p, query.len);
    }
    if (r.has_fragment) {
        mh_buf_putc(&out, '#');
        mh_buf_append(&out, r.fragment.p, r.fragment.len);
    }
    return strv_make(out.p ? out.p : "", out.len);
}
