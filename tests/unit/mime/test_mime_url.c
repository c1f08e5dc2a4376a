/*
 * test_mime_url.c - URLs as SpamAssassin 4.0.1 finds and cleans them: the
 * text scanner (_process_text_uri_list), uri_list_canonicalize with the
 * hard-coded and a configured redirector, url_encode and uri_to_domain.
 * Every expectation in the tables was produced by SpamAssassin itself
 * (scripts/sa-urls.pl --text, --canon, --encode), except where a comment
 * says the public suffix list answers differently from SA's TLD lists.
 * The suffix list is data/public_suffix_list.dat under $SIFT_SRCDIR (or the
 * current directory, the repository root under `make check`).
 */
#include "mime/mime_url.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "../unit.h"

static struct mime_psl *psl;

static void
psl_setup(void)
{
    char path[PATH_MAX];
    struct sift_err err;
    const char *dir = getenv("SIFT_SRCDIR");

    snprintf(path, sizeof(path), "%s/data/public_suffix_list.dat", dir != NULL ? dir : ".");
    if (mime_psl_load(path, &psl, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        abort();
    }
}

static void
psl_teardown(void)
{
    mime_psl_free(&psl);
}

/* --- the text scanner ------------------------------------------------------ */

#define MAX_FOUND 8

struct scan_case {
    const char *in;
    size_t n;
    struct {
        const char *uri;
        unsigned types;
    } found[MAX_FOUND];
};

/* scripts/sa-urls.pl --text: what reaches add_uri_detail_list */
static const struct scan_case scan_cases[] = {
    { "see http://www.Example.com/foo). and www.foo.co.uk, mail bob@example.com! or ftp.x.org",
      4,
      { { "http://www.Example.com/foo", MIME_URL_PARSED },
        { "http://www.foo.co.uk", MIME_URL_PARSED | MIME_URL_SCHEMELESS },
        { "mailto:bob@example.com", MIME_URL_PARSED | MIME_URL_SCHEMELESS },
        { "ftp://ftp.x.org", MIME_URL_PARSED | MIME_URL_SCHEMELESS } } },
    { "foo.com/bar?x=1 and 1.2.3.4 x.y (http://a.b/c)",
      2,
      { { "http://foo.com/bar?x=1", MIME_URL_PARSED | MIME_URL_SCHEMELESS | MIME_URL_UNLINKED },
        { "http://a.b/c", MIME_URL_PARSED } } },
    { "mailto:%62ob@ex%61mple.com?subject=x",
      1,
      { { "mailto:bob@example.com?subject=x", MIME_URL_PARSED } } },
    { "Visit example.com. Or example.net!",
      1,
      { { "http://example.com", MIME_URL_PARSED | MIME_URL_SCHEMELESS | MIME_URL_UNLINKED } } },
    { "(www.paren.com) www.paren.org/a)b(c)d http://foo.com/a_(b)_c",
      3,
      { { "http://www.paren.com", MIME_URL_PARSED | MIME_URL_SCHEMELESS },
        { "http://www.paren.org/a", MIME_URL_PARSED | MIME_URL_SCHEMELESS },
        { "http://foo.com/a_(b)_c", MIME_URL_PARSED } } },
    { "bob@localhost, joe@x, jane@sub.example.org;",
      1,
      { { "mailto:jane@sub.example.org", MIME_URL_PARSED | MIME_URL_SCHEMELESS } } },
    { "E-Mail:alice@example.net skype:carol@example.net mail::dave@example.net",
      3,
      { { "mailto:alice@example.net", MIME_URL_PARSED | MIME_URL_SCHEMELESS },
        { "mailto:carol@example.net", MIME_URL_PARSED | MIME_URL_SCHEMELESS },
        { "mailto:dave@example.net", MIME_URL_PARSED | MIME_URL_SCHEMELESS } } },
    { "[cid:image001.png@01D4986E.E3459640] mid:foo@bar.com", 0, {} },
    { "http:// nothing and mailto: nothing", 0, {} },
    { "http://b\303\274cher.de/path x@b\303\274cher.de b\303\274cher.de",
      1,
      { { "http://b\303\274cher.de/path", MIME_URL_PARSED } } },
    { "WWW12.foo.com www123.foo.com www.foo",
      3,
      { { "http://WWW12.foo.com", MIME_URL_PARSED | MIME_URL_SCHEMELESS },
        { "http://www123.foo.com", MIME_URL_PARSED | MIME_URL_SCHEMELESS | MIME_URL_UNLINKED },
        { "http://www.foo", MIME_URL_PARSED | MIME_URL_SCHEMELESS } } },
    { "see\240www.nbsp.com\240and",
      1,
      { { "http://www.nbsp.com", MIME_URL_PARSED | MIME_URL_SCHEMELESS } } },
    { "\033(Bwww.esc.com \033(Jhttp://esc.org",
      2,
      { { "http://Bwww.esc.com", MIME_URL_PARSED | MIME_URL_SCHEMELESS | MIME_URL_UNLINKED },
        { "http://esc.org", MIME_URL_PARSED } } },
    { "ftp.example.org:21/pub example.com:8080/x example.net:123456/x",
      2,
      { { "ftp://ftp.example.org:21/pub", MIME_URL_PARSED | MIME_URL_SCHEMELESS },
        { "http://example.com:8080/x",
          MIME_URL_PARSED | MIME_URL_SCHEMELESS | MIME_URL_UNLINKED } } },
    { "a.b.c.d.e.unknowntld.zz foo.co.uk.evil foo.co.uk.",
      1,
      { { "http://foo.co.uk", MIME_URL_PARSED | MIME_URL_SCHEMELESS | MIME_URL_UNLINKED } } },
    { "sub_domain.example.com foo_bar.com -bad.example.com",
      1,
      { { "http://sub_domain.example.com",
          MIME_URL_PARSED | MIME_URL_SCHEMELESS | MIME_URL_UNLINKED } } },
    { "a@b.c@d.com foo@bar%2Ecom foo@bar%2Ecom?x.com",
      2,
      { { "mailto:a@b.c@d.com", MIME_URL_PARSED | MIME_URL_SCHEMELESS },
        { "mailto:foo@bar.com?x.com", MIME_URL_PARSED | MIME_URL_SCHEMELESS } } },
    { "me@example.com&nbsp;x http://x.ck/ http://www.ck foo.ck a.foo.ck",
      4,
      { { "http://x.ck/", MIME_URL_PARSED },
        { "http://www.ck", MIME_URL_PARSED },
        { "http://foo.ck", MIME_URL_PARSED | MIME_URL_SCHEMELESS | MIME_URL_UNLINKED },
        { "http://a.foo.ck", MIME_URL_PARSED | MIME_URL_SCHEMELESS | MIME_URL_UNLINKED } } },
    { "http://example.xn--p1ai/ \320\277\321\200\320\270\320\274\320\265\321\200.\321\200\321\204 "
      "example.xn--p1ai",
      2,
      { { "http://example.xn--p1ai/", MIME_URL_PARSED },
        { "http://example.xn--p1ai",
          MIME_URL_PARSED | MIME_URL_SCHEMELESS | MIME_URL_UNLINKED } } },
    { "http://[::1]/x mailto:someone foo.com/path/with/@sign",
      1,
      { { "http://foo.com/path/with/@sign", MIME_URL_PARSED | MIME_URL_SCHEMELESS } } },
    { "http://example.com,http://second.com 10.0.0.1 http://10.0.0.1/ http://0x7f.1/",
      3,
      { { "http://example.com,http://second.com", MIME_URL_PARSED },
        { "http://10.0.0.1/", MIME_URL_PARSED },
        { "http://0x7f.1/", MIME_URL_PARSED } } },
    { "<http://angle.com/> \"http://quoted.com/\" `http://tick.com/` {http://brace.com} "
      "[http://bracket.com] |http://pipe.com|",
      6,
      { { "http://angle.com/", MIME_URL_PARSED },
        { "http://quoted.com/", MIME_URL_PARSED },
        { "http://tick.com/", MIME_URL_PARSED },
        { "http://brace.com", MIME_URL_PARSED },
        { "http://bracket.com", MIME_URL_PARSED },
        { "http://pipe.com", MIME_URL_PARSED } } },
    { "Tel: 555-1234. Price: $5.00. e.g. i.e. etc.", 0, {} },
    { "user:pass@host.example.com http://user:pass@host.example.com/",
      2,
      { { "mailto:user:pass@host.example.com", MIME_URL_PARSED | MIME_URL_SCHEMELESS },
        { "http://user:pass@host.example.com/", MIME_URL_PARSED } } },
    { "HTTPS://EXAMPLE.COM/UPPER FTP://FTP.EXAMPLE.COM",
      2,
      { { "HTTPS://EXAMPLE.COM/UPPER", MIME_URL_PARSED },
        { "FTP://FTP.EXAMPLE.COM", MIME_URL_PARSED } } },
    { "www.example.com:80 www.example.com:443/x",
      2,
      { { "http://www.example.com:80", MIME_URL_PARSED | MIME_URL_SCHEMELESS },
        { "http://www.example.com:443/x", MIME_URL_PARSED | MIME_URL_SCHEMELESS } } },
    { "(see: http://example.com/x,y) 'http://single.com/'",
      2,
      { { "http://example.com/x,y", MIME_URL_PARSED },
        { "http://single.com/", MIME_URL_PARSED } } },
};

struct collected {
    struct mime_url v[64];
    size_t n;
};

static void
collect(void *arg, const struct mime_url *url)
{
    struct collected *c = arg;

    ck_assert_uint_lt(c->n, 64);
    c->v[c->n++] = *url;
}

static void
check_found(const struct collected *got, const struct scan_case *want)
{
    ck_assert_uint_eq(got->n, want->n);
    for (size_t i = 0; i < want->n; i++) {
        ck_assert_uint_eq(got->v[i].uri.len, strlen(want->found[i].uri));
        ck_assert_mem_eq(got->v[i].uri.p, want->found[i].uri, got->v[i].uri.len);
        ck_assert_uint_eq(got->v[i].types, want->found[i].types);
    }
}

START_TEST(scan_finds_what_sa_finds)
{
    const struct scan_case *c = &scan_cases[_i];
    struct arena *a = arena_new(4096);
    struct collected got = { .n = 0 };

    mime_url_scan_text(a, psl, mime_url_seen_new(a), strv_cstr(c->in), collect, &got);
    check_found(&got, c);
    arena_free(&a);
}
END_TEST

/* The text is a view: bytes past it must not count. */
START_TEST(scan_stops_at_the_view)
{
    struct arena *a = arena_new(4096);
    struct collected got = { .n = 0 };
    const char *text = "www.example.com www.second.com";

    mime_url_scan_text(a, psl, mime_url_seen_new(a), strv_make(text, 18), collect, &got);
    ck_assert_uint_eq(got.n, 1);
    ck_assert(strv_eq(got.v[0].uri, "http://www.example.com"));
    arena_free(&a);
}
END_TEST

/* %seen holds for the whole message: a raw URI is reported once. */
START_TEST(scan_reports_a_raw_uri_once_per_message)
{
    struct arena *a = arena_new(4096);
    struct mime_url_seen *seen = mime_url_seen_new(a);
    struct collected got = { .n = 0 };

    mime_url_scan_text(a, psl, seen, STRV_LIT("see www.example.com."), collect, &got);
    mime_url_scan_text(a, psl, seen, STRV_LIT("again www.example.com, and http://www.example.com"),
                       collect, &got);
    ck_assert_uint_eq(got.n, 2);
    ck_assert(strv_eq(got.v[0].uri, "http://www.example.com"));
    ck_assert_uint_eq(got.v[0].types, MIME_URL_PARSED | MIME_URL_SCHEMELESS);
    ck_assert(strv_eq(got.v[1].uri, "http://www.example.com"));
    ck_assert_uint_eq(got.v[1].types, MIME_URL_PARSED);
    /* a new message starts afresh */
    got.n = 0;
    mime_url_scan_text(a, psl, mime_url_seen_new(a), STRV_LIT("www.example.com"), collect, &got);
    ck_assert_uint_eq(got.n, 1);
    arena_free(&a);
}
END_TEST

static char *
repeat(struct arena *a, const char *head, char c, size_t n, const char *tail)
{
    size_t h = strlen(head), t = strlen(tail);
    char *s = arena_alloc(a, h + n + t + 1);

    memcpy(s, head, h);
    memset(s + h, c, n);
    memcpy(s + h + n, tail, t + 1);
    return s;
}

/* [^$tbirdenddelim]{1,2048} and the 251-byte halves of a bare address
 * (scripts/sa-urls.pl --text on the same lines). */
START_TEST(scan_keeps_sa_length_limits)
{
    struct arena *a = arena_new(4096);
    struct collected got = { .n = 0 };
    char *line;

    /* 2049 bytes after "http://example.com/" is too long: nothing at all */
    line = repeat(a, "http://example.com/", 'x', 2049, " end");
    mime_url_scan_text(a, psl, mime_url_seen_new(a), strv_cstr(line), collect, &got);
    ck_assert_uint_eq(got.n, 0);
    /* 2048 after "http://" is fine */
    line = repeat(a, "http://ok.example.com/", 'y', 2048 - 15, " end");
    mime_url_scan_text(a, psl, mime_url_seen_new(a), strv_cstr(line), collect, &got);
    ck_assert_uint_eq(got.n, 1);
    ck_assert_uint_eq(got.v[0].uri.len, 2048 + 7);
    /* a 252-byte local part is no address; the domain is then schemeless */
    got.n = 0;
    line = repeat(a, "", 'l', 252, "@example.com ");
    line = repeat(a, line, 'm', 251, "@example.com");
    mime_url_scan_text(a, psl, mime_url_seen_new(a), strv_cstr(line), collect, &got);
    ck_assert_uint_eq(got.n, 2);
    ck_assert(strv_eq(got.v[0].uri, "http://example.com"));
    ck_assert_uint_eq(got.v[0].types, MIME_URL_PARSED | MIME_URL_SCHEMELESS | MIME_URL_UNLINKED);
    ck_assert_uint_eq(got.v[1].uri.len, 7 + 251 + 12);
    ck_assert_uint_eq(got.v[1].types, MIME_URL_PARSED | MIME_URL_SCHEMELESS);
    arena_free(&a);
}
END_TEST

/* --- uri_list_canonicalize -------------------------------------------------- */

#define MAX_FORMS 8

struct canon_case {
    const char *in;
    size_t len;
    const char *forms[MAX_FORMS]; /* sorted, as SA's keys are printed */
};

/* scripts/sa-urls.pl --canon, SA's own redirector_patterns configured:
 * the zdnet and google cases below match two of them */
static const struct canon_case canon_cases[] = {
    { "http://%77&#00119;%77.example.com/",
      34,
      { "http://%77&#00119;%77.example.com/", "http://w&/#00119;w.example.com/",
        "http://w/#00119;w.example.com/", "http://www.w&.com/#00119;w.example.com/" } },
    { "http://www.example.com?x=1",
      26,
      { "http://www.example.com/?x=1", "http://www.example.com?x=1" } },
    { "http://www.example.com#frag",
      27,
      { "http://www.example.com#frag", "http://www.example.com/#frag" } },
    { "http:www.foo.biz", 16, { "http://www.foo.biz", "http:www.foo.biz" } },
    { "http:/www.foo.biz", 17, { "http://www.foo.biz", "http:/www.foo.biz" } },
    { "https:///x", 10, { "https:///x" } },
    { "www.foo.biz/path", 16, { "http://www.foo.biz/path", "www.foo.biz/path" } },
    { "ftp.foo.org", 11, { "ftp.foo.org", "ftp://ftp.foo.org" } },
    { "FTP.foo.org", 11, { "FTP.foo.org", "http://FTP.foo.org" } },
    { "HTTP://Example.COM:80/", 22, { "HTTP://Example.COM:80/" } },
    { "http://example.com:80/", 22, { "http://example.com/", "http://example.com:80/" } },
    { "http://example.com:8080/", 24, { "http://example.com:8080/" } },
    { "https://example.com:443/x", 25, { "https://example.com/x", "https://example.com:443/x" } },
    { "http://example.com:443/", 23, { "http://example.com:443/" } },
    { "HTTP://example.com:443/", 23, { "HTTP://example.com/", "HTTP://example.com:443/" } },
    { "http://example.com:/x", 21, { "http://example.com:/x" } },
    { "http://1113343453/", 18, { "http://1113343453/", "http://66.92.69.221/" } },
    { "http://0x7f000001/", 18, { "http://0x7f000001/", "http://127.0.0.1/" } },
    { "http://0x123456789/", 19, { "http://0x123456789/", "http://35.69.103.137/" } },
    { "http://89.0x00000000000000000000068.0000000000000000000000160.0x00000000000011/",
      79,
      { "http://89.0x00000000000000000000068.0000000000000000000000160.0x00000000000011/",
        "http://89.104.112.17/" } },
    { "http://010.0.0.1/", 17, { "http://010.0.0.1/", "http://8...1/" } },
    { "http://0.0.0.0/", 15, { "http://.../", "http://0.0.0.0/" } },
    { "http://4294967296/", 18, { "http://16.0.0.0/", "http://4294967296/" } },
    { "http://99999999999999999999/",
      28,
      { "http://255.255.255.255/", "http://99999999999999999999/" } },
    { "http://0x7f.0X00.0377.0400/",
      27,
      { "http://0x7f.0X00.0377.0400/", "http://127..255.400/" } },
    { "http://0x10000000000000000.1.1.1/",
      33,
      { "http://-1.1.1.1/", "http://0x10000000000000000.1.1.1/" } },
    { "http://foo/", 11, { "http://foo/", "http://www.foo.com/" } },
    { "http://foo:80/", 14, { "http://foo/", "http://foo:80/", "http://www.foo.com:80/" } },
    { "http://foo:8080/", 16, { "http://foo:8080/" } },
    { "http://www.foo/", 15, { "http://www.foo/" } },
    { "http://localhost/", 17, { "http://localhost/" } },
    { "http://user@foo/", 16, { "http://user@foo/" } },
    { "https://foo/", 12, { "https://foo/" } },
    { "http://com/", 11, { "http://com/", "http://www.com.com/" } },
    { "http://www.fakehostname.com@real.example.com/",
      45,
      { "http://www.fakehostname.com@real.example.com/" } },
    { "http://a@b@c.com/", 17, { "http://a@b@c.com/", "http://c.com/" } },
    { "http://example.biz./", 20, { "http://example.biz./", "http://example.biz/" } },
    { "http://example.biz!!!/", 22, { "http://example.biz!!!/", "http://example.biz/" } },
    { "http://ex ample.com/", 20, { "http://ex ample.com/", "http://example.com/" } },
    { "http://ex\011ample.com/", 20, { "http://ex\011ample.com/", "http://example.com/" } },
    { "http://b\303\274cher.de/", 18, { "http://b\303\274cher.de/", "http://xn--bcher-kva.de/" } },
    { "http://B\303\274CHER.DE:80/x",
      22,
      { "http://B\303\274CHER.DE/x", "http://B\303\274CHER.DE:80/x", "http://xn--bcher-kva.de/x",
        "http://xn--bcher-kva.de:80/x" } },
    { "http://b\374cher.de/", 17, { "http://b\374cher.de/", "http://xn--bcher-kva.de/" } },
    { "http://example.com\\path\\file",
      28,
      { "http://example.com/path/file", "http://example.com\\path\\file" } },
    { "http://redirect.example.com/?u=http://target.example.org/page&x=1",
      65,
      { "http://redirect.example.com/?u=http://target.example.org/page&x=1",
        "http://target.example.org/page" } },
    { "http://example.com/r?http:/evil.com",
      35,
      { "http://evil.com", "http://example.com/r?http:/evil.com", "http:/evil.com" } },
    { "http://example.com/x#http://frag.com",
      36,
      { "http://example.com/x#http://frag.com", "http://frag.com" } },
    { "http://example.com/go?http://nodot&x", 36, { "http://example.com/go?http://nodot&x" } },
    { "http://chkpt.zdnet.com/chkpt/abc/www.target.com/",
      48,
      { "http://chkpt.zdnet.com/chkpt/abc/www.target.com/", "http://www.target.com/",
        "www.target.com/" } },
    { "http://www.google.com/url?sa=t&q=http://evil.example.net/&x",
      59,
      { "http://evil.example.net/",
        "http://www.google.com/url?sa=t&q=http://evil.example.net/&x" } },
    { "mailto:foo@bar.com?subject=hi",
      29,
      { "mailto:foo@bar.com", "mailto:foo@bar.com?subject=hi" } },
    { "mailto:foo@bar.com&x.com", 24, { "mailto:foo@bar.com", "mailto:foo@bar.com&x.com" } },
    { "mailto:%20foo@bar.com", 21, { "mailto:%20foo@bar.com", "mailto:foo@bar.com" } },
    { "mailto:\"Foo Bar\" <foo.bar@example.com>",
      38,
      { "mailto:\"Foo Bar\" <foo.bar@example.com>", "mailto:foo.bar@example.com" } },
    { "foo@bar.com?x", 13, { "foo@bar.com", "foo@bar.com?x" } },
    { "MAILTO:%20%20a@b.com", 20, { "MAILTO:%20%20a@b.com", "mailto:MAILTO:%20%20a@b.com" } },
    { "#anchor", 7, { "#anchor" } },
    { "?query", 6, { "?query" } },
    { "/relative/path", 14, { "/relative/path" } },
    { "//proto.relative.com/", 21, { "//proto.relative.com/", "http:////proto.relative.com/" } },
    { "x", 1, { "x" } },
    { "  http://spaces.com/  \012", 23, { "http://spaces.com/" } },
    { "http://ex\015\012ample.com/", 21, { "http://example.com/" } },
    { "javascript:alert(1)", 19, { "javascript:alert(1)" } },
    { "http://example.com/&#x2f;&#47;&#x41;&#0065;&#12290;",
      51,
      { "http://example.com/&#x2f;&#47;&#x41;&#0065;&#12290;", "http://example.com/&#x2f;/AA." } },
    { "http://a&#x2e;b&#46;c.com/",
      26,
      { "http://a&#x2e;b&#46;c.com/", "http://a&/#x2e;b.c.com/", "http://a/#x2e;b.c.com/",
        "http://www.a&.com/#x2e;b.c.com/" } },
    { "http://x.com/&#38;#x41;", 23, { "http://x.com/&#38;#x41;", "http://x.com/A" } },
    { "http://x.com/%68ttp://y.com/",
      28,
      { "http://x.com/%68ttp://y.com/", "http://x.com/http://y.com/", "http://y.com/" } },
    { "h%74tp://enc.example.com/", 25, { "h%74tp://enc.example.com/", "http://enc.example.com/" } },
    { "http://example.com/a%2Fb%25c%7e%e9",
      34,
      { "http://example.com/a%2Fb%25c%7e%e9", "http://example.com/a/b%c~%e9" } },
};

/* SA's stock redirector_patterns for these two hosts, by hand */
static bool
redirect_stock(void *arg, struct strv uri, struct strv *target)
{
    static const char *const prefixes[] = { "http://chkpt.zdnet.com/chkpt/abc/",
                                            "http://www.google.com/url?sa=t&q=" };

    (void)arg;
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(prefixes[i]);

        if (uri.len > n && strncasecmp(uri.p, prefixes[i], n) == 0) {
            const char *amp = i == 1 ? memchr(uri.p + n, '&', uri.len - n) : NULL;

            *target = strv_make(uri.p + n, (amp == NULL ? uri.p + uri.len : amp) - (uri.p + n));
            return true;
        }
    }
    return false;
}

static int
cmp_strv(const void *x, const void *y)
{
    const struct strv *a = x, *b = y;
    int c = memcmp(a->p, b->p, a->len < b->len ? a->len : b->len);

    return c != 0 ? c : (a->len > b->len) - (a->len < b->len);
}

START_TEST(canonicalize_like_sa)
{
    const struct canon_case *c = &canon_cases[_i];
    struct arena *a = arena_new(4096);
    struct strv *out;
    size_t n, want = 0;

    mime_url_canonicalize(a, psl, strv_make(c->in, c->len), redirect_stock, NULL, &out, &n);
    while (want < MAX_FORMS && c->forms[want] != NULL)
        want++;
    /* the raw URI, trimmed, comes first */
    ck_assert_uint_ge(n, 1);
    qsort(out, n, sizeof(*out), cmp_strv);
    ck_assert_uint_eq(n, want);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(out[i].len, strlen(c->forms[i]));
        ck_assert_mem_eq(out[i].p, c->forms[i], out[i].len);
    }
    arena_free(&a);
}
END_TEST

START_TEST(canonicalize_puts_the_raw_uri_first)
{
    struct arena *a = arena_new(4096);
    struct strv *out;
    size_t n;

    mime_url_canonicalize(a, psl, STRV_LIT(" http://%77ww.example.com:80/ "), NULL, NULL, &out, &n);
    ck_assert_uint_gt(n, 1);
    ck_assert(strv_eq(out[0], "http://%77ww.example.com:80/"));
    arena_free(&a);
}
END_TEST

/* A redirector's target is canonicalized in turn; without a match the
 * hard-coded http: search runs, and with one it does not. */
static bool
redirect_r(void *arg, struct strv uri, struct strv *target)
{
    int *calls = arg;

    (*calls)++;
    if (uri.len > 24 && memcmp(uri.p, "http://r.example.com/?u=", 24) == 0) {
        *target = strv_make(uri.p + 24, uri.len - 24);
        return true;
    }
    return false;
}

START_TEST(canonicalize_follows_a_redirector)
{
    struct arena *a = arena_new(4096);
    struct strv *out;
    size_t n;
    int calls = 0;
    bool inner = false, embedded = false;

    mime_url_canonicalize(a, psl,
                          STRV_LIT("http://r.example.com/?u=www.target.example/x?http://e.x"),
                          redirect_r, &calls, &out, &n);
    for (size_t i = 0; i < n; i++) {
        inner = inner || strv_eq(out[i], "http://www.target.example/x?http://e.x");
        embedded = embedded || strv_eq(out[i], "http://e.x");
    }
    ck_assert(inner);    /* the target, with http:// added in its own turn */
    ck_assert(embedded); /* the target's own embedded URL (no pattern for it) */
    ck_assert_int_ge(calls, 2);
    /* a target without a dot is no redirect */
    mime_url_canonicalize(a, psl, STRV_LIT("http://r.example.com/?u=nodot"), redirect_r, &calls,
                          &out, &n);
    for (size_t i = 0; i < n; i++)
        ck_assert(!strv_eq(out[i], "nodot"));
    arena_free(&a);
}
END_TEST

/* A redirector that always answers the URI itself must still end. */
static bool
redirect_loop(void *arg, struct strv uri, struct strv *target)
{
    (void)arg;
    *target = uri;
    return true;
}

START_TEST(canonicalize_ends_on_a_redirect_loop)
{
    struct arena *a = arena_new(4096);
    struct strv *out;
    size_t n;

    mime_url_canonicalize(a, psl, STRV_LIT("http://loop.example.com/"), redirect_loop, NULL, &out,
                          &n);
    ck_assert_uint_ge(n, 1);
    ck_assert(strv_eq(out[0], "http://loop.example.com/"));
    arena_free(&a);
}
END_TEST

/* --- url_encode -------------------------------------------------------------- */

struct encode_case {
    const char *in, *want;
};

/* scripts/sa-urls.pl --encode */
static const struct encode_case encode_cases[] = {
    { "a%41b", "aAb" },
    { "%2F%20%7f%7F%e9%1a%80%3C", "/%20%7f%7F%e9%1a%80<" },
    { "x y\"<>%", "x%20y%22%3c%3e%25" },
    { "%4", "%254" },
    { "%%41", "%25A" },
    { "\001\177\377", "%01%7f%ff" },
    { "", "" },
    { "%2a%2B%40%5c%7e", "*+@\\~" },
    { "100%", "100%25" },
};

START_TEST(url_encode_like_sa)
{
    const struct encode_case *c = &encode_cases[_i];
    struct arena *a = arena_new(4096);
    struct strv out = mime_url_encode(a, strv_cstr(c->in));

    ck_assert_uint_eq(out.len, strlen(c->want));
    ck_assert_mem_eq(out.p, c->want, out.len);
    arena_free(&a);
}
END_TEST

/* --- uri_to_domain ------------------------------------------------------------ */

struct domain_case {
    const char *uri;
    bool ok;
    const char *domain, *host;
};

/* scripts/sa-urls.pl --canon (uri_to_domain of the URI itself). SA and the
 * suffix list agree on all of these; they part on the cases below. */
static const struct domain_case domain_cases[] = {
    { "http://www.example.co.uk/", true, "example.co.uk", "www.example.co.uk" },
    { "mailto:a@example.com?subject=x", true, "example.com", "example.com" },
    { "mailto:a@b@c.com", false, NULL, NULL },
    { "mailto:nobody", false, NULL, NULL },
    { "http://user:pw@www.example.com:8080/x", true, "example.com", "www.example.com" },
    { "http://1.2.3.4/", true, "1.2.3.4", "1.2.3.4" },
    { "http://localhost/", false, NULL, NULL },
    { "http://example.invalidtld/", false, NULL, NULL },
    { "javascript:x", false, NULL, NULL },
    { "cid:x@y.com", false, NULL, NULL },
    { "http://ex%41mple.com/", false, NULL, NULL },
    { "http://ex%20ample.com/", false, NULL, NULL },
    { "HTTP://WWW.EXAMPLE.COM/", true, "example.com", "www.example.com" },
    { "http://b\303\274cher.de/", true, "xn--bcher-kva.de", "xn--bcher-kva.de" },
    { "http://co.uk/", true, "co.uk", "co.uk" },
    { "http://www.ck/", true, "www.ck", "www.ck" },
    { "http://foo.blogspot.com/", true, "foo.blogspot.com", "foo.blogspot.com" },
    { "http://x..example.com/", false, NULL, NULL },
    { "ftp://ftp.example.org/", true, "example.org", "ftp.example.org" },
    { "http://under_score.example.com/", true, "example.com", "under_score.example.com" },
    { "http://example.com:/", true, "example.com", "example.com" },
    { "http://under_score.com/", false, NULL, NULL },
    { "www.example.com", true, "example.com", "www.example.com" },
    { "http://a.b.example.com:8080?x", true, "example.com", "a.b.example.com" },
    { "mailto:x@[1.2.3.4]", false, NULL, NULL },
    { "mailto:x@::1", true, "::1", "::1" },
    /* the suffix list, not SA: *.ck makes foo.ck a suffix (SA: foo.ck),
     * and SA's util_rb_3tld has demon.co.uk (SA: brains.demon.co.uk) */
    { "http://a.foo.ck/", true, "a.foo.ck", "a.foo.ck" },
    { "http://brains.demon.co.uk/", true, "demon.co.uk", "brains.demon.co.uk" },
};

START_TEST(uri_to_domain_like_sa)
{
    const struct domain_case *c = &domain_cases[_i];
    struct arena *a = arena_new(4096);
    struct strv host = { NULL, 0 }, domain = { NULL, 0 };
    bool ok = mime_url_domain(a, psl, strv_cstr(c->uri), &host, &domain);

    ck_assert_int_eq(ok, c->ok);
    if (c->ok) {
        ck_assert(strv_eq(domain, c->domain));
        ck_assert(strv_eq(host, c->host));
    }
    arena_free(&a);
}
END_TEST

#define N(t) ((int)(sizeof(t) / sizeof((t)[0])))

static Suite *
url_suite(void)
{
    Suite *s = suite_create("mime_url");
    TCase *tc = tcase_create("url");

    tcase_add_unchecked_fixture(tc, psl_setup, psl_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, scan_finds_what_sa_finds, 0, N(scan_cases));
    tcase_add_test(tc, scan_stops_at_the_view);
    tcase_add_test(tc, scan_reports_a_raw_uri_once_per_message);
    tcase_add_test(tc, scan_keeps_sa_length_limits);
    tcase_add_loop_test(tc, canonicalize_like_sa, 0, N(canon_cases));
    tcase_add_test(tc, canonicalize_puts_the_raw_uri_first);
    tcase_add_test(tc, canonicalize_follows_a_redirector);
    tcase_add_test(tc, canonicalize_ends_on_a_redirect_loop);
    tcase_add_loop_test(tc, url_encode_like_sa, 0, N(encode_cases));
    tcase_add_loop_test(tc, uri_to_domain_like_sa, 0, N(domain_cases));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(url_suite());
}
