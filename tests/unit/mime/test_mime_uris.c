/*
 * test_mime_uris.c - a message's URIs: found in the rendered text and in
 * the HTML, their cleaned forms, hosts and registered domains, anchor
 * texts and types, the uri view, truncation and redirectors. Expected
 * values came from SpamAssassin 4.0.1 (PerMsgStatus::get_uri_detail_list
 * and get_uri_list; redirector_pattern where a test says so) run on the
 * same messages. SA keeps cleaned forms, hosts and the uri list in hashes,
 * so they are compared as sets here.
 */
#include "mime/mime_uris.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/cfg_keys.h"
#include "core/err.h"
#include "mime/mime_ctx.h"

#include "../unit.h"

/* the suffix list, relative to the repository root where `make check` runs */
#include "../mime_fixture.h"

/* 0: text URIs (scheme, schemeless, unlinked, mail, %-escapes); 1: HTML
 * anchors, img, mailto; 2: the same URI in text and HTML; 3: redirects
 * inside URIs; 4: no valid domain in text; 5: <base>, form, iframe; 6: IDN;
 * 7: the same URI twice; 8: HTML URIs without a valid domain. */
static const char *const messages[] = {
    /* 0: u01 */
    "From: a\n"
    "Subject: links\n\n"
    "Visit http://www.example.com/path?a=1 and www.example.org or example.net/x.\n"
    "Mail me at joe@example.co.uk please.\n"
    "ftp.example.com/file and https://EXAMPLE.COM:8080/A%41\n",
    /* 1: u02 */
    "From: a\n"
    "Content-Type: text/html\n\n"
    "<html><body><a href=\"http://example.com/one\">first <b>text</b></a> <a "
    "href=\"http://example.com/one\">second</a><img src=\"http://img.example.net/i.png\"><a "
    "href=\"mailto:x@y.example.org\">mail</a></body></html>\n",
    /* 2: u03 */
    "From: a\n"
    "Content-Type: multipart/alternative; boundary=B\n\n"
    "--B\n"
    "Content-Type: text/plain\n\n"
    "see http://example.com/one here\n"
    "--B\n"
    "Content-Type: text/html\n\n"
    "<a href=\"http://example.com/one\">see</a> and http://text.example.org/\n"
    "--B--\n",
    /* 3: u04 */
    "From: a\n\n"
    "http://redir.example.com/?u=http://target.example.net/x and "
    "http://www.google.com/url?q=http://evil.example.biz/\n",
    /* 4: u05 */
    "From: a\n\n"
    "bogus.notatld and foo@bar.invalid and http://1.2.3.4/x and http://[::1]/ and "
    "http://localhost/\n",
    /* 5: u06 */
    "From: a\n"
    "Content-Type: text/html\n\n"
    "<base href=\"http://base.example.com/dir/\"><a href=\"rel/page.html\">rel</a><form "
    "action=\"/submit\"></form><iframe src=\"//proto.example.org/f\"></iframe>\n",
    /* 6: u08 */
    "From: a\n\n"
    "http://xn--caf-dma.example.com/ and http://caf\xc3\xa9.example.com/ and http://EXAMPLE.com\n",
    /* 7: u09 */
    "From: a\n\n"
    "http://example.com/%41%42 http://example.com/%41%42\n",
    /* 8: u10 */
    "From: a\n"
    "Content-Type: text/html\n\n"
    "<a href=\"http://localhost/x\">l</a> <a href=\"http://intranet/y\">i</a> text "
    "http://localhost/z\n",
};

struct uri_case {
    int msg;
    const char *raw;
    const char *types;      /* SA's type names, sorted, space-separated */
    const char *cleaned[6]; /* sorted */
    const char *hosts[4];   /* "host=>domain", sorted */
    const char *anchors[4]; /* in order */
};

static const struct uri_case uri_cases[] = {
    { 0,
      "ftp://ftp.example.com/file",
      "parsed schemeless",
      { "ftp://ftp.example.com/file", NULL },
      { "ftp.example.com=>example.com", NULL },
      { NULL } },
    { 0,
      "http://example.net/x",
      "parsed schemeless unlinked",
      { "http://example.net/x", NULL },
      { "example.net=>example.net", NULL },
      { NULL } },
    { 0,
      "http://www.example.com/path?a=1",
      "parsed",
      { "http://www.example.com/path?a=1", NULL },
      { "www.example.com=>example.com", NULL },
      { NULL } },
    { 0,
      "http://www.example.org",
      "parsed schemeless",
      { "http://www.example.org", NULL },
      { "www.example.org=>example.org", NULL },
      { NULL } },
    { 0,
      "https://EXAMPLE.COM:8080/A%41",
      "parsed",
      { "https://EXAMPLE.COM:8080/A%41", "https://EXAMPLE.COM:8080/AA", NULL },
      { "example.com=>example.com", NULL },
      { NULL } },
    { 0,
      "mailto:joe@example.co.uk",
      "parsed schemeless",
      { "mailto:joe@example.co.uk", NULL },
      { "example.co.uk=>example.co.uk", NULL },
      { NULL } },
    { 1,
      "http://example.com/one",
      "a",
      { "http://example.com/one", NULL },
      { "example.com=>example.com", NULL },
      { "first text", "second", NULL } },
    { 1,
      "http://img.example.net/i.png",
      "img",
      { "http://img.example.net/i.png", NULL },
      { "img.example.net=>example.net", NULL },
      { NULL } },
    { 1,
      "mailto:x@y.example.org",
      "a",
      { "mailto:x@y.example.org", NULL },
      { "y.example.org=>example.org", NULL },
      { "mail", NULL } },
    { 2,
      "http://example.com/one",
      "a parsed",
      { "http://example.com/one", NULL },
      { "example.com=>example.com", NULL },
      { "see", NULL } },
    { 2,
      "http://text.example.org/",
      "parsed",
      { "http://text.example.org/", NULL },
      { "text.example.org=>example.org", NULL },
      { NULL } },
    { 3,
      "http://redir.example.com/?u=http://target.example.net/x",
      "parsed",
      { "http://redir.example.com/?u=http://target.example.net/x", "http://target.example.net/x",
        NULL },
      { "redir.example.com=>example.com", "target.example.net=>example.net", NULL },
      { NULL } },
    { 3,
      "http://www.google.com/url?q=http://evil.example.biz/",
      "parsed",
      { "http://evil.example.biz/", "http://www.google.com/url?q=http://evil.example.biz/", NULL },
      { "evil.example.biz=>example.biz", "www.google.com=>google.com", NULL },
      { NULL } },
    { 4,
      "http://1.2.3.4/x",
      "parsed",
      { "http://1.2.3.4/x", NULL },
      { "1.2.3.4=>1.2.3.4", NULL },
      { NULL } },
    { 5,
      "http://base.example.com/dir/",
      "base",
      { "http://base.example.com/dir/", NULL },
      { "base.example.com=>example.com", NULL },
      { NULL } },
    { 5,
      "http://base.example.com/dir/rel/page.html",
      "a",
      { "http://base.example.com/dir/rel/page.html", NULL },
      { "base.example.com=>example.com", NULL },
      { NULL } },
    { 5,
      "http://base.example.com/submit",
      "form",
      { "http://base.example.com/submit", NULL },
      { "base.example.com=>example.com", NULL },
      { NULL } },
    { 5,
      "http://proto.example.org/f",
      "iframe",
      { "http://proto.example.org/f", NULL },
      { "proto.example.org=>example.org", NULL },
      { NULL } },
    { 6,
      "http://EXAMPLE.com",
      "parsed",
      { "http://EXAMPLE.com", NULL },
      { "example.com=>example.com", NULL },
      { NULL } },
    { 6,
      "http://caf\xc3\xa9.example.com/",
      "parsed",
      { "http://caf\xc3\xa9.example.com/", "http://xn--caf-dma.example.com/", NULL },
      { "xn--caf-dma.example.com=>example.com", NULL },
      { NULL } },
    { 6,
      "http://xn--caf-dma.example.com/",
      "parsed",
      { "http://xn--caf-dma.example.com/", NULL },
      { "xn--caf-dma.example.com=>example.com", NULL },
      { NULL } },
    { 7,
      "http://example.com/%41%42",
      "parsed",
      { "http://example.com/%41%42", "http://example.com/AB", NULL },
      { "example.com=>example.com", NULL },
      { NULL } },
    { 8,
      "http://intranet/y",
      "a",
      { "http://intranet/y", "http://www.intranet.com/y", NULL },
      { "www.intranet.com=>intranet.com", NULL },
      { "i", NULL } },
    { 8, "http://localhost/x", "a", { "http://localhost/x", NULL }, { NULL }, { "l", NULL } },
};

/* get_uri_list, sorted */
static const struct {
    int msg;
    const char *list[10];
} list_cases[] = {
    { 0,
      { "ftp://ftp.example.com/file", "http://example.net/x", "http://www.example.com/path?a=1",
        "http://www.example.org", "https://EXAMPLE.COM:8080/A%41", "https://EXAMPLE.COM:8080/AA",
        "mailto:joe@example.co.uk", NULL } },
    { 1,
      { "http://example.com/one", "http://img.example.net/i.png", "mailto:x@y.example.org",
        NULL } },
    { 2, { "http://example.com/one", "http://text.example.org/", NULL } },
    { 3,
      { "http://evil.example.biz/", "http://redir.example.com/?u=http://target.example.net/x",
        "http://target.example.net/x", "http://www.google.com/url?q=http://evil.example.biz/",
        NULL } },
    { 4, { "http://1.2.3.4/x", NULL } },
    { 5,
      { "http://base.example.com/dir/", "http://base.example.com/dir/rel/page.html",
        "http://base.example.com/submit", "http://proto.example.org/f", "http://rel/page.html",
        "http://www.rel.com/page.html", "rel/page.html", NULL } },
    { 6,
      { "http://EXAMPLE.com", "http://caf\xc3\xa9.example.com/", "http://xn--caf-dma.example.com/",
        NULL } },
    { 7, { "http://example.com/%41%42", "http://example.com/AB", NULL } },
    { 8, { "http://intranet/y", "http://localhost/x", "http://www.intranet.com/y", NULL } },
};

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char *
dup_strv(struct arena *a, struct strv s)
{
    return arena_strndup(a, s.p, s.len);
}

/* The type names of a URI, sorted and joined as SA's keys would be. */
static const char *
type_names(struct arena *a, const struct mime_uri *u)
{
    static const char *const text_names[] = { "parsed", "schemeless", "unlinked" };
    const char *names[24];
    size_t n = 0;
    struct buf b;
    char *r;

    for (unsigned i = 0; i < 3; i++) {
        if (u->text_types & (1u << i))
            names[n++] = text_names[i];
    }
    for (unsigned i = 0; i < 16; i++) {
        if (u->html_types & (1u << i))
            names[n++] = mime_html_uri_type_name(1u << i);
    }
    qsort(names, n, sizeof(names[0]), cmp_str);
    buf_init(&b);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? " " : "", names[i]);
    r = arena_strndup(a, b.p ? b.p : "", b.len);
    buf_clear(&b);
    return r;
}

/* strs[0..n) as a sorted set (duplicates removed) equals want (NULL-ended, sorted) */
static void
check_set(const char *what, const char *raw, char **strs, size_t n, const char *const *want)
{
    size_t k = 0, w = 0;

    qsort(strs, n, sizeof(strs[0]), cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (k == 0 || strcmp(strs[k - 1], strs[i]) != 0)
            strs[k++] = strs[i];
    }
    while (want[w] != NULL)
        w++;
    ck_assert_msg(k == w, "%s of %s: %zu distinct, want %zu", what, raw, k, w);
    for (size_t i = 0; i < k; i++)
        ck_assert_msg(strcmp(strs[i], want[i]) == 0, "%s of %s: got '%s', want '%s'", what, raw,
                      strs[i], want[i]);
}

static const struct mime_uri *
find_uri(const struct mime_uris *u, const char *raw)
{
    for (size_t i = 0; i < u->n; i++) {
        if (u->v[i].raw.len == strlen(raw) && memcmp(u->v[i].raw.p, raw, u->v[i].raw.len) == 0)
            return &u->v[i];
    }
    return NULL;
}

static void
check_uri(struct arena *a, const struct mime_uris *u, const struct uri_case *c)
{
    const struct mime_uri *e = find_uri(u, c->raw);
    char **strs;
    size_t n = 0;

    ck_assert_msg(e != NULL, "no entry for %s", c->raw);
    ck_assert_str_eq(type_names(a, e), c->types);
    strs = arena_alloc(a, (e->ncleaned + e->nhosts + 1) * sizeof(*strs));
    for (size_t i = 0; i < e->ncleaned; i++)
        strs[i] = dup_strv(a, e->cleaned[i]);
    check_set("cleaned", c->raw, strs, e->ncleaned, c->cleaned);
    for (size_t i = 0; i < e->nhosts; i++)
        strs[i] = arena_printf(a, "%.*s=>%.*s", (int)e->hosts[i].len, e->hosts[i].p,
                               (int)e->domains[i].len, e->domains[i].p);
    check_set("hosts", c->raw, strs, e->nhosts, c->hosts);
    while (c->anchors[n] != NULL)
        n++;
    ck_assert_uint_eq(e->nanchor_text, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(e->anchor_text[i].len, strlen(c->anchors[i]));
        ck_assert_mem_eq(e->anchor_text[i].p, c->anchors[i], e->anchor_text[i].len);
    }
}

static void
check_list(struct arena *a, const struct mime_uris *u, const char *const *want)
{
    char **strs = arena_alloc(a, (u->nlist + 1) * sizeof(*strs));
    size_t n = 0;

    for (size_t i = 0; i < u->nlist; i++)
        strs[i] = dup_strv(a, u->list[i]);
    while (want[n] != NULL)
        n++;
    ck_assert_uint_eq(u->nlist, n); /* every cleaned form once */
    check_set("list", "the message", strs, u->nlist, want);
}

START_TEST(uri_details_as_spamassassin)
{
    struct arena *a = arena_new(4096);
    const char *raw = messages[uri_cases[_i].msg];
    struct mime_msg *m = mime_msg_parse(&ctx, a, raw, strlen(raw));

    check_uri(a, mime_msg_uris(m), &uri_cases[_i]);
    arena_free(&a);
}
END_TEST

/* Each message has exactly SA's URIs (no more) and SA's uri list. */
START_TEST(uri_list_as_spamassassin)
{
    struct arena *a = arena_new(4096);
    const char *raw = messages[list_cases[_i].msg];
    struct mime_msg *m = mime_msg_parse(&ctx, a, raw, strlen(raw));
    const struct mime_uris *u = mime_msg_uris(m);
    size_t want = 0;

    for (size_t i = 0; i < NCASES(uri_cases); i++)
        want += uri_cases[i].msg == list_cases[_i].msg;
    if (list_cases[_i].msg == 5)
        want++; /* the relative href, checked on its own below */
    ck_assert_uint_eq(u->n, want);
    check_list(a, u, list_cases[_i].list);
    ck_assert(!u->truncated);
    ck_assert_ptr_eq(mime_msg_uris(m), u); /* computed once */
    arena_free(&a);
}
END_TEST

/* A relative href under <base>: SA's HTML parser reports it with no type,
 * and add_uri_detail_list then gives it the default {parsed => 1}
 * (SpamAssassin 4.0.1 on message 5). */
static const struct uri_case relative_href_cases[] = {
    { 5,
      "rel/page.html",
      "parsed",
      { "http://rel/page.html", "http://www.rel.com/page.html", "rel/page.html", NULL },
      { "www.rel.com=>rel.com", NULL },
      { "rel", NULL } },
};

START_TEST(relative_href_typed_parsed_as_spamassassin)
{
    struct arena *a = arena_new(4096);
    const char *raw = messages[relative_href_cases[_i].msg];
    struct mime_msg *m = mime_msg_parse(&ctx, a, raw, strlen(raw));

    check_uri(a, mime_msg_uris(m), &relative_href_cases[_i]);
    arena_free(&a);
}
END_TEST

/* SA keeps a URI's hosts in a hash (host => domain) and its domains in
 * another: each host once, however many cleaned forms or sources name
 * it. Messages 0 (https://EXAMPLE.COM:8080/A%41 -> .../AA), 2 (the same
 * URI in text and HTML), 6 (IDN) and 7 (%41%42) have one host per URI in
 * SpamAssassin 4.0.1. */
START_TEST(uri_hosts_listed_once)
{
    static const int msgs[] = { 0, 2, 6, 7 };
    struct arena *a = arena_new(4096);

    for (size_t k = 0; k < NCASES(msgs); k++) {
        const char *raw = messages[msgs[k]];
        struct mime_msg *m = mime_msg_parse(&ctx, a, raw, strlen(raw));
        const struct mime_uris *u = mime_msg_uris(m);

        for (size_t i = 0; i < u->n; i++) {
            for (size_t x = 0; x < u->v[i].nhosts; x++) {
                for (size_t y = x + 1; y < u->v[i].nhosts; y++)
                    ck_assert_msg(u->v[i].hosts[x].len != u->v[i].hosts[y].len ||
                                      memcmp(u->v[i].hosts[x].p, u->v[i].hosts[y].p,
                                             u->v[i].hosts[x].len) != 0,
                                  "message %d: %.*s lists host %.*s twice", msgs[k],
                                  (int)u->v[i].raw.len, u->v[i].raw.p, (int)u->v[i].hosts[x].len,
                                  u->v[i].hosts[x].p);
            }
        }
    }
    arena_free(&a);
}
END_TEST

/* An href of 9000 characters (or 3000 "%41") is cut at MIME_URI_MAX and
 * the message flagged; SpamAssassin 4.0.1: uri_truncated, one URI keyed by
 * its first 8192 bytes, cleaned forms of 8192 (and 2746 bytes, decoded). */
static const struct {
    const char *unit;
    int repeat;
    size_t cleaned[2];
} trunc_cases[] = {
    { "a", 9000, { 8192, 0 } },
    { "%41", 3000, { 2746, 8192 } },
};

static int
cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return (x > y) - (x < y);
}

START_TEST(long_uri_truncated)
{
    struct arena *a = arena_new(4096);
    struct buf raw;
    struct mime_msg *m;
    const struct mime_uris *u;
    size_t lens[4], n;

    buf_init(&raw);
    buf_puts(&raw, "From: a\nContent-Type: text/html\n\n<a href=\"http://example.com/");
    for (int i = 0; i < trunc_cases[_i].repeat; i++)
        buf_puts(&raw, trunc_cases[_i].unit);
    buf_puts(&raw, "\">x</a>\n");
    m = mime_msg_parse(&ctx, a, raw.p, raw.len);
    u = mime_msg_uris(m);
    ck_assert(u->truncated);
    ck_assert_uint_eq(u->n, 1);
    ck_assert_uint_eq(u->v[0].raw.len, MIME_URI_MAX);
    n = u->v[0].ncleaned;
    ck_assert_uint_eq(n, trunc_cases[_i].cleaned[1] ? 2 : 1);
    for (size_t i = 0; i < n; i++)
        lens[i] = u->v[0].cleaned[i].len;
    qsort(lens, n, sizeof(lens[0]), cmp_size);
    for (size_t i = 0; i < n; i++)
        ck_assert_uint_eq(lens[i], trunc_cases[_i].cleaned[i]);
    ck_assert_uint_eq(u->nlist, n);
    buf_clear(&raw);
    arena_free(&a);
}
END_TEST

/* redirector_pattern m{^https?://redir\.example\.com/go/(.*)$}i, as a
 * function; a target without a '.' is not followed. */
static bool
test_redirector(void *arg, struct strv uri, struct strv *target)
{
    static const char prefix[] = "http://redir.example.com/go/";
    size_t k = sizeof(prefix) - 1;

    ++*(int *)arg;
    if (uri.len < k || strncasecmp(uri.p, prefix, k) != 0)
        return false;
    *target = strv_make(uri.p + k, uri.len - k);
    return true;
}

static const char redir_msg[] = "From: a\n\nhttp://redir.example.com/go/target.example.net/path "
                                "and http://redir.example.com/go/nodot and "
                                "http://plain.example.org/\n";

/* SpamAssassin 4.0.1 with that redirector_pattern */
static const struct uri_case redir_cases[] = {
    { 0,
      "http://plain.example.org/",
      "parsed",
      { "http://plain.example.org/", NULL },
      { "plain.example.org=>example.org", NULL },
      { NULL } },
    { 0,
      "http://redir.example.com/go/nodot",
      "parsed",
      { "http://redir.example.com/go/nodot", NULL },
      { "redir.example.com=>example.com", NULL },
      { NULL } },
    { 0,
      "http://redir.example.com/go/target.example.net/path",
      "parsed",
      { "http://redir.example.com/go/target.example.net/path", "http://target.example.net/path",
        "target.example.net/path", NULL },
      { "redir.example.com=>example.com", "target.example.net=>example.net", NULL },
      { NULL } },
};
static const char *const redir_list[] = { "http://plain.example.org/",
                                          "http://redir.example.com/go/nodot",
                                          "http://redir.example.com/go/target.example.net/path",
                                          "http://target.example.net/path",
                                          "target.example.net/path",
                                          NULL };

/* and without it */
static const struct uri_case noredir_cases[] = {
    { 0,
      "http://plain.example.org/",
      "parsed",
      { "http://plain.example.org/", NULL },
      { "plain.example.org=>example.org", NULL },
      { NULL } },
    { 0,
      "http://redir.example.com/go/nodot",
      "parsed",
      { "http://redir.example.com/go/nodot", NULL },
      { "redir.example.com=>example.com", NULL },
      { NULL } },
    { 0,
      "http://redir.example.com/go/target.example.net/path",
      "parsed",
      { "http://redir.example.com/go/target.example.net/path", NULL },
      { "redir.example.com=>example.com", NULL },
      { NULL } },
};
static const char *const noredir_list[] = { "http://plain.example.org/",
                                            "http://redir.example.com/go/nodot",
                                            "http://redir.example.com/go/target.example.net/path",
                                            NULL };

START_TEST(redirector_followed_as_spamassassin)
{
    struct arena *a = arena_new(4096);
    struct mime_msg *m = mime_msg_parse(&ctx, a, redir_msg, sizeof(redir_msg) - 1);
    const struct mime_uris *u;
    int calls = 0;

    mime_uris_set_redirector(m, test_redirector, &calls);
    u = mime_msg_uris(m);
    ck_assert_int_gt(calls, 0);
    ck_assert_uint_eq(u->n, NCASES(redir_cases));
    for (size_t i = 0; i < NCASES(redir_cases); i++)
        check_uri(a, u, &redir_cases[i]);
    check_list(a, u, redir_list);
    arena_free(&a);
}
END_TEST

START_TEST(no_redirector_as_spamassassin)
{
    struct arena *a = arena_new(4096);
    struct mime_msg *m = mime_msg_parse(&ctx, a, redir_msg, sizeof(redir_msg) - 1);
    const struct mime_uris *u = mime_msg_uris(m);

    ck_assert_uint_eq(u->n, NCASES(noredir_cases));
    for (size_t i = 0; i < NCASES(noredir_cases); i++)
        check_uri(a, u, &noredir_cases[i]);
    check_list(a, u, noredir_list);
    arena_free(&a);
}
END_TEST

START_TEST(no_uris_empty_list)
{
    static const char raw[] = "From: a\nSubject: nothing here\n\nplain words only\n";
    struct arena *a = arena_new(4096);
    struct mime_msg *m = mime_msg_parse(&ctx, a, raw, sizeof(raw) - 1);
    const struct mime_uris *u = mime_msg_uris(m);

    ck_assert_uint_eq(u->n, 0);
    ck_assert_uint_eq(u->nlist, 0);
    ck_assert(!u->truncated);
    arena_free(&a);
}
END_TEST

static Suite *
mime_uris_suite(void)
{
    Suite *s = suite_create("mime_uris");
    TCase *tc = tcase_create("mime_uris");

    tcase_add_checked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_loop_test(tc, uri_details_as_spamassassin, 0, NCASES(uri_cases));
    tcase_add_loop_test(tc, uri_list_as_spamassassin, 0, NCASES(list_cases));
    tcase_add_loop_test(tc, relative_href_typed_parsed_as_spamassassin, 0,
                        NCASES(relative_href_cases));
    tcase_add_test(tc, uri_hosts_listed_once);
    tcase_add_loop_test(tc, long_uri_truncated, 0, NCASES(trunc_cases));
    tcase_add_test(tc, redirector_followed_as_spamassassin);
    tcase_add_test(tc, no_redirector_as_spamassassin);
    tcase_add_test(tc, no_uris_empty_list);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(mime_uris_suite());
}
