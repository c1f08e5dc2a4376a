/*
 * test_mime_addr.c - address header values as SpamAssassin 4.0.1 parses
 * them (Util::parse_header_addresses): its own relaxed parser, and
 * Email::Address::XS where SA asks it (nothing found, or fewer addresses
 * than commas) and it finds more; groups, comments, quoted and encoded
 * phrases, duplicate enclosures and broken values. Every expectation was
 * produced by SpamAssassin itself (scripts/sa-urls.pl --addr). NULL is
 * Perl's undef.
 */
#include "mime/mime_url.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "../unit.h"

#define MAX_ADDRS 6

struct addr_want {
    const char *phrase, *address, *user, *host, *comment;
    bool invalid;
};

struct addr_case {
    const char *in;
    size_t n;
    struct addr_want want[MAX_ADDRS];
};

static const struct addr_case addr_cases[] = {
    { "Foo Bar <foo@example.com>",
      1,
      { { "Foo Bar ", "foo@example.com", "foo", "example.com", NULL, false } } },
    { "\"Doe, John\" <john@example.com>, jane@example.org",
      2,
      { { "Doe, John ", "john@example.com", "john", "example.com", NULL, false },
        { NULL, "jane@example.org", "jane", "example.org", NULL, false } } },
    { "john@example.com (John Doe)",
      1,
      { { "John Doe", "john@example.com", "john", "example.com", "John Doe", false } } },
    { "undisclosed-recipients:;", 0, { { NULL, NULL, NULL, NULL, NULL, false } } },
    { "Group: a@b.com, c@d.com;",
      2,
      { { NULL, "a@b.com", "a", "b.com", NULL, false },
        { NULL, "c@d.com", "c", "d.com", NULL, false } } },
    { "=?UTF-8?Q?J=C3=B6rg?= <joerg@example.de>",
      1,
      { { "=?UTF-8?Q?J=C3=B6rg?= ", "joerg@example.de", "joerg", "example.de", NULL, false } } },
    { "<a@b.com>", 1, { { NULL, "a@b.com", "a", "b.com", NULL, false } } },
    { "a@b.com, b@c.com, c@d.com",
      3,
      { { NULL, "a@b.com", "a", "b.com", NULL, false },
        { NULL, "b@c.com", "b", "c.com", NULL, false },
        { NULL, "c@d.com", "c", "d.com", NULL, false } } },
    { "\"a@b.com\" <c@d.com>", 1, { { "a@b.com ", "c@d.com", "c", "d.com", NULL, false } } },
    { "a@b.com <a@b.com>", 1, { { "a@b.com ", "a@b.com", "a", "b.com", NULL, false } } },
    { "\"joe+foobar@example.com\"",
      1,
      { { NULL, "joe+foobar@example.com", "joe+foobar", "example.com", NULL, false } } },
    { "Joe (comment (nested)) <joe@example.com>",
      1,
      { { "Joe (comment ) ", "joe@example.com", "joe", "example.com", NULL, false } } },
    { "broken <@example.com>", 1, { { "broken ", NULL, NULL, NULL, NULL, true } } },
    { "<>", 1, { { NULL, NULL, NULL, NULL, NULL, true } } },
    { "a..b@example.com, .a@b.com, a.@b.com",
      3,
      { { NULL, "a..b@example.com", "a..b", "example.com", NULL, false },
        { NULL, ".a@b.com", ".a", "b.com", NULL, false },
        { NULL, "a.@b.com", "a.", "b.com", NULL, false } } },
    { "'Quoted' <q@example.com>",
      1,
      { { "'Quoted' ", "q@example.com", "q", "example.com", NULL, false } } },
    { "Name <a@b.com> <dup@x.com>", 1, { { "Name ", "a@b.com", "a", "b.com", NULL, false } } },
    { "x@y", 1, { { NULL, "x@y", "x", "y", NULL, true } } },
    { "x@[1.2.3.4]", 1, { { NULL, "x@[1.2.3.4]", "x", "[1.2.3.4]", NULL, true } } },
    { "\"unclosed <a@b.com>", 1, { { NULL, "a@b.com", "a", "b.com", NULL, false } } },
    { "Joe <joe@example.com",
      1,
      { { "Joe", "joe@example.com", "joe", "example.com", NULL, true } } },
    { "\\\\weird\\\\ <w@example.com>",
      1,
      { { "weird ", "w@example.com", "w", "example.com", NULL, false } } },
    { "a b c", 1, { { "a b c", NULL, NULL, NULL, NULL, true } } },
    { "(only comment)", 1, { { NULL, NULL, NULL, NULL, NULL, true } } },
    { "=?utf-8?Q?\"Foobar\"_<noreply@foobar.com>?=",
      1,
      { { NULL, "noreply@foobar.com", "noreply", "foobar.com", NULL, false } } },
    { "=?utf-8?Q?\"Foobar\"?=<info=foobar.com@mlsend.com>",
      1,
      { { "=?utf-8?Q?Foobar?=", "info=foobar.com@mlsend.com", "info=foobar.com", "mlsend.com", NULL,
          false } } },
    { "foo@bar.com, , baz@qux.com",
      3,
      { { NULL, "foo@bar.com", "foo", "bar.com", NULL, false },
        { " ", NULL, NULL, NULL, NULL, true },
        { NULL, "baz@qux.com", "baz", "qux.com", NULL, false } } },
    { "Mr. Smith <smith@example.com>",
      1,
      { { "Mr. Smith ", "smith@example.com", "smith", "example.com", NULL, false } } },
    { "\"John Q. Public\" <jqp@example.com>",
      1,
      { { "John Q. Public ", "jqp@example.com", "jqp", "example.com", NULL, false } } },
    { "mailto:x@y.com", 1, { { NULL, "x@y.com", "x", "y.com", NULL, false } } },
    { "a@b.com;c@d.com",
      2,
      { { NULL, "a@b.com", "a", "b.com", NULL, false },
        { NULL, "c@d.com", "c", "d.com", NULL, false } } },
    { "Last, First <lf@example.com>",
      2,
      { { "Last", NULL, NULL, NULL, NULL, true },
        { "First ", "lf@example.com", "lf", "example.com", NULL, false } } },
    { "\"\" <empty@example.com>",
      1,
      { { " ", "empty@example.com", "empty", "example.com", NULL, false } } },
    { "a@b.c@d.com", 1, { { NULL, "a@b.c", "a", "b.c", NULL, false } } },
    { " Foo\012\011<foo@example.com>\012",
      1,
      { { "Foo\012\011", "foo@example.com", "foo", "example.com", NULL, false } } },
    { "undisclosed recipients: ;", 0, { { NULL, NULL, NULL, NULL, NULL, false } } },
    { "A <a@b.com>, B <b@c.com>, C",
      3,
      { { "A ", "a@b.com", "a", "b.com", NULL, false },
        { "B ", "b@c.com", "b", "c.com", NULL, false },
        { "C", NULL, NULL, NULL, NULL, true } } },
    { "<a@b.com, \"a \\\" b\" <.a@b.com> (a (nested) b), a@b.com ((x))",
      2,
      { { NULL, "a@b.com", "a", "b.com", NULL, true },
        { "a \" b", NULL, NULL, NULL, NULL, true } } },
    { "a@b.com, ; =?utf-8?Q?J=C3=B6rg?=  <a> <dup@x.com>; a@[1.2.3.4]",
      4,
      { { NULL, "a@b.com", "a", "b.com", NULL, false },
        { " ", NULL, NULL, NULL, NULL, true },
        { "=?utf-8?Q?J=C3=B6rg?=  ", NULL, NULL, NULL, NULL, true },
        { NULL, "a@[1.2.3.4]", "a", "[1.2.3.4]", NULL, true } } },
    { "x y <@r1,@r2:a@b.com>", 1, { { "x y ", NULL, NULL, NULL, NULL, true } } },
    { "\"Quote \\\"me\\\"\" <q@example.com>",
      1,
      { { "Quote \"me\" ", "q@example.com", "q", "example.com", NULL, false } } },
    { "b\303\274cher <b@b\303\274cher.de>",
      1,
      { { "b\303\274cher ", "b@b\303\274cher.de", "b", "b\303\274cher.de", NULL, false } } },
    { "   ", 0, { { NULL, NULL, NULL, NULL, NULL, false } } },
    { "a@b.com (c1) (c2)", 1, { { "a@b.com  ", NULL, NULL, NULL, NULL, true } } },
    { "<a@b.com> (c)", 1, { { "c", "a@b.com", "a", "b.com", "c", false } } },
    { "\"a b\"@example.com",
      1,
      { { NULL, "\"a b\"@example.com", "\"a b\"", "example.com", NULL, false } } },
    { "group: ; x@y.com", 0, { { NULL, NULL, NULL, NULL, NULL, false } } },
};

static void
check_field(struct strv got, bool has, const char *want, const char *what, size_t i)
{
    if (want == NULL) {
        ck_assert_msg(!has, "%s of address %zu should be undef", what, i);
        return;
    }
    ck_assert_msg(has, "%s of address %zu should be \"%s\"", what, i, want);
    ck_assert_msg(got.len == strlen(want) && memcmp(got.p, want, got.len) == 0,
                  "%s of address %zu: \"%.*s\", not \"%s\"", what, i, (int)got.len, got.p, want);
}

START_TEST(parse_like_sa)
{
    const struct addr_case *c = &addr_cases[_i];
    struct arena *a = arena_new(1024);
    struct mime_addr *out;
    size_t n = mime_addr_parse(a, strv_cstr(c->in), &out);

    ck_assert_uint_eq(n, c->n);
    for (size_t i = 0; i < n; i++) {
        const struct addr_want *w = &c->want[i];

        check_field(out[i].phrase, out[i].has_phrase, w->phrase, "phrase", i);
        check_field(out[i].address, out[i].has_address, w->address, "address", i);
        check_field(out[i].user, out[i].user.p != NULL, w->user, "user", i);
        check_field(out[i].host, out[i].host.p != NULL, w->host, "host", i);
        check_field(out[i].comment, out[i].has_comment, w->comment, "comment", i);
        ck_assert_int_eq(out[i].invalid, w->invalid);
    }
    arena_free(&a);
}
END_TEST

/* The value is a view; a NUL inside it is a byte like any other. */
START_TEST(parse_reads_only_the_view)
{
    struct arena *a = arena_new(1024);
    struct mime_addr *out;
    size_t n = mime_addr_parse(a, strv_make("a@b.com, c@d.com", 7), &out);

    ck_assert_uint_eq(n, 1);
    ck_assert(strv_eq(out[0].address, "a@b.com"));
    ck_assert_uint_eq(mime_addr_parse(a, strv_make(NULL, 0), &out), 0);
    ck_assert_uint_eq(mime_addr_parse(a, STRV_LIT(" \t\n"), &out), 0);
    n = mime_addr_parse(a, strv_make("x\0y <a@b.com>", 13), &out);
    ck_assert_uint_eq(n, 1);
    ck_assert(strv_eq(out[0].address, "a@b.com"));
    arena_free(&a);
}
END_TEST

/* A hostile value must end, and soon: nested brackets and quotes. */
START_TEST(parse_survives_pathological_values)
{
    struct arena *a = arena_new(1 << 16);
    struct mime_addr *out;
    size_t len = 60000;
    char *v = malloc(len);

    for (size_t i = 0; i < len; i++)
        v[i] = "<>@\"(), a"[i % 9];
    (void)mime_addr_parse(a, strv_make(v, len), &out);
    for (size_t i = 0; i < len; i++)
        v[i] = i % 2 ? '<' : '>';
    (void)mime_addr_parse(a, strv_make(v, len), &out);
    memset(v, '(', len);
    (void)mime_addr_parse(a, strv_make(v, len), &out);
    for (size_t i = 0; i < len; i++) /* "<a> <a> ...": one enclosure after another */
        v[i] = "<a> "[i % 4];
    (void)mime_addr_parse(a, strv_make(v, len), &out);
    for (size_t i = 0; i < len; i++)
        v[i] = i % 3 == 0 ? ',' : 'a';
    ck_assert_uint_eq(mime_addr_parse(a, strv_make(v, len), &out), len / 3 + 1);
    free(v);
    arena_free(&a);
}
END_TEST

#define N(t) ((int)(sizeof(t) / sizeof((t)[0])))

static Suite *
addr_suite(void)
{
    Suite *s = suite_create("mime_addr");
    TCase *tc = tcase_create("addr");

    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, parse_like_sa, 0, N(addr_cases));
    tcase_add_test(tc, parse_reads_only_the_view);
    tcase_add_test(tc, parse_survives_pathological_values);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(addr_suite());
}
