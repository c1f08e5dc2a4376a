/*
 * test_bind_spec.c - listener addresses as written in bind_socket: TCP
 * host:port in its three forms with the ssl option, Unix socket paths with
 * their options, and every rejected form with its message.
 */
#include "core/bind_spec.h"

#include <string.h>

#include "../unit.h"

/* 107 bytes: the longest path sockaddr_un takes, and one byte more. */
#define PATH_107                                                                                   \
    "/run/sift/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"                       \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock"
#define PATH_108 PATH_107 "x"

static const struct {
    const char *text;
    enum bind_kind kind;
    const char *host; /* BIND_TCP; NULL: every address */
    unsigned port;
    const char *path; /* BIND_UNIX */
    unsigned mode;
    const char *owner, *group;
    bool ssl;
} good[] = {
    { "127.0.0.1:783", BIND_TCP, "127.0.0.1", 783, NULL, 0, NULL, NULL, false },
    { "[::1]:11333", BIND_TCP, "::1", 11333, NULL, 0, NULL, NULL, false },
    { "[fe80::1%eth0]:1", BIND_TCP, "fe80::1%eth0", 1, NULL, 0, NULL, NULL, false },
    { "*:783", BIND_TCP, NULL, 783, NULL, 0, NULL, NULL, false },
    { "localhost:11333", BIND_TCP, "localhost", 11333, NULL, 0, NULL, NULL, false },
    { "mail.example.org:65535", BIND_TCP, "mail.example.org", 65535, NULL, 0, NULL, NULL, false },
    { "/run/sift/spamd.sock", BIND_UNIX, NULL, 0, "/run/sift/spamd.sock", 0660, NULL, NULL, false },
    { "/x.sock mode=0600 owner=a group=b", BIND_UNIX, NULL, 0, "/x.sock", 0600, "a", "b", false },
    { "/x.sock group=mail", BIND_UNIX, NULL, 0, "/x.sock", 0660, NULL, "mail", false },
    { "/x.sock  mode=777  owner=_sift ", BIND_UNIX, NULL, 0, "/x.sock", 0777, "_sift", NULL,
      false },
    { "/x.sock mode=0", BIND_UNIX, NULL, 0, "/x.sock", 0, NULL, NULL, false },
    { PATH_107, BIND_UNIX, NULL, 0, PATH_107, 0660, NULL, NULL, false },
    /* TLS listeners */
    { "127.0.0.1:11783 ssl", BIND_TCP, "127.0.0.1", 11783, NULL, 0, NULL, NULL, true },
    { "[::1]:11783 ssl", BIND_TCP, "::1", 11783, NULL, 0, NULL, NULL, true },
    { "*:783  ssl ", BIND_TCP, NULL, 783, NULL, 0, NULL, NULL, true },
    { "localhost:783 ssl ssl", BIND_TCP, "localhost", 783, NULL, 0, NULL, NULL, true },
    { "127.0.0.1:783 ", BIND_TCP, "127.0.0.1", 783, NULL, 0, NULL, NULL, false },
};

START_TEST(parse_accepts)
{
    struct arena *a = arena_new(1024);
    struct bind_spec b;
    struct sift_err err = { "" };

    ck_assert_msg(bind_spec_parse(a, good[_i].text, &b, &err) == 0, "%s: %s", good[_i].text,
                  err.msg);
    ck_assert_int_eq(b.kind, good[_i].kind);
    ck_assert_int_eq(b.ssl, good[_i].ssl);
    ck_assert_str_eq(b.text, good[_i].text);
    ck_assert_ptr_ne(b.text, good[_i].text); /* copied into the arena */
    if (good[_i].kind == BIND_TCP) {
        if (good[_i].host == NULL)
            ck_assert_ptr_null(b.host);
        else
            ck_assert_str_eq(b.host, good[_i].host);
        ck_assert_uint_eq(b.port, good[_i].port);
        ck_assert_ptr_null(b.path);
    } else {
        ck_assert_str_eq(b.path, good[_i].path);
        ck_assert_uint_eq(b.mode, good[_i].mode);
        if (good[_i].owner == NULL)
            ck_assert_ptr_null(b.owner);
        else
            ck_assert_str_eq(b.owner, good[_i].owner);
        if (good[_i].group == NULL)
            ck_assert_ptr_null(b.group);
        else
            ck_assert_str_eq(b.group, good[_i].group);
        ck_assert_ptr_null(b.host);
    }
    arena_free(&a);
}
END_TEST

static const struct {
    const char *text;
    const char *want_err;
} bad[] = {
    /* TCP */
    { "127.0.0.1", "missing port (expected HOST:PORT, [IPv6]:PORT or /path.sock)" },
    { "localhost", "missing port (expected HOST:PORT, [IPv6]:PORT or /path.sock)" },
    { "", "missing port (expected HOST:PORT, [IPv6]:PORT or /path.sock)" },
    { "127.0.0.1:", "missing port (expected HOST:PORT)" },
    { "127.0.0.1:0", "bad port '0' (1 to 65535)" },
    { "127.0.0.1:65536", "bad port '65536' (1 to 65535)" },
    { "127.0.0.1:99999999999999999999999", "bad port '99999999999999999999999' (1 to 65535)" },
    { "127.0.0.1:78x", "bad port '78x' (1 to 65535)" },
    { "127.0.0.1:abc", "bad port 'abc' (1 to 65535)" },
    { "127.0.0.1:-1", "bad port '-1' (1 to 65535)" },
    { "127.0.0.1:+80", "bad port '+80' (1 to 65535)" },
    { "::1:783", "an IPv6 address needs brackets: [ADDRESS]:PORT" },
    { "fe80::1:783", "an IPv6 address needs brackets: [ADDRESS]:PORT" },
    { "[::1]", "bad IPv6 address (expected [ADDRESS]:PORT)" },
    { "[::1", "bad IPv6 address (expected [ADDRESS]:PORT)" },
    { "[::1]783", "bad IPv6 address (expected [ADDRESS]:PORT)" },
    { "[::1]:", "missing port (expected HOST:PORT)" },
    { "[::1]:0", "bad port '0' (1 to 65535)" },
    { "[]:783", "bad IPv6 address (expected [ADDRESS]:PORT)" }, /* no address at all */
    { ":783", "missing host (use *:PORT for every address)" },
    { "127.0.0.1:783 tls", "unknown option 'tls' (expected ssl)" },
    { "127.0.0.1:783 ssl=yes", "unknown option 'ssl=yes' (expected ssl)" },
    { "127.0.0.1:783 SSL", "unknown option 'SSL' (expected ssl)" },
    { "127.0.0.1:783 mode=0600", "mode= is for Unix sockets only" },
    { "[::1]:783 ssl group=mail", "group= is for Unix sockets only" },
    { "127.0.0.1 ssl", "missing port (expected HOST:PORT, [IPv6]:PORT or /path.sock)" },
    { "127.0.0.1:783x ssl", "bad port '783x' (1 to 65535)" },
    /* Unix */
    { "run/x.sock", "a Unix socket path must be absolute" },
    { "./x.sock", "a Unix socket path must be absolute" },
    { ".sock", "a Unix socket path must be absolute" },
    { "/x.sock foo=1", "unknown socket option 'foo' (expected mode=, owner= or group=)" },
    { "/x.sock modes=0600", "unknown socket option 'modes' (expected mode=, owner= or group=)" },
    { "/x.sock mode=999", "bad mode '999' (octal, e.g. 0660)" },
    { "/x.sock mode=0608", "bad mode '0608' (octal, e.g. 0660)" },
    { "/x.sock mode=17777", "bad mode '17777' (octal, e.g. 0660)" },
    { "/x.sock mode=rw", "bad mode 'rw' (octal, e.g. 0660)" },
    { "/x.sock mode=", "bad socket option 'mode=' (expected mode=, owner= or group=)" },
    { "/x.sock mode", "bad socket option 'mode' (expected mode=, owner= or group=)" },
    { "/x.sock owner=", "bad socket option 'owner=' (expected mode=, owner= or group=)" },
    { "/x.sock mode=0600 group", "bad socket option 'group' (expected mode=, owner= or group=)" },
    { "/x.sock ssl", "ssl is for TCP addresses only" },
    { PATH_108, "socket path too long (at most 107 bytes)" },
    { PATH_108 " mode=0600", "socket path too long (at most 107 bytes)" },
};

START_TEST(parse_rejects_with_reason)
{
    struct arena *a = arena_new(1024);
    struct bind_spec b;
    struct sift_err err = { "" };

    ck_assert_msg(bind_spec_parse(a, bad[_i].text, &b, &err) == -1, "'%s' accepted", bad[_i].text);
    ck_assert_str_eq(err.msg, bad[_i].want_err);
    arena_free(&a);
}
END_TEST

START_TEST(parse_rejects_with_null_err)
{
    struct arena *a = arena_new(1024);
    struct bind_spec b;

    ck_assert_int_eq(bind_spec_parse(a, "::1:783", &b, NULL), -1);
    ck_assert_int_eq(bind_spec_parse(a, "/x.sock foo=1", &b, NULL), -1);
    arena_free(&a);
}
END_TEST

/* The result does not point into the caller's text. */
START_TEST(parse_copies_strings_into_arena)
{
    struct arena *a = arena_new(1024);
    struct bind_spec tcp, unix_spec;
    char t1[] = "host.example:25 ssl";
    char t2[] = "/s.sock owner=o group=g";

    ck_assert_int_eq(bind_spec_parse(a, t1, &tcp, NULL), 0);
    ck_assert_int_eq(bind_spec_parse(a, t2, &unix_spec, NULL), 0);
    memset(t1, 'X', sizeof(t1) - 1);
    memset(t2, 'X', sizeof(t2) - 1);
    ck_assert_str_eq(tcp.text, "host.example:25 ssl");
    ck_assert_str_eq(tcp.host, "host.example");
    ck_assert(tcp.ssl);
    ck_assert_str_eq(unix_spec.text, "/s.sock owner=o group=g");
    ck_assert_str_eq(unix_spec.path, "/s.sock");
    ck_assert_str_eq(unix_spec.owner, "o");
    ck_assert_str_eq(unix_spec.group, "g");
    arena_free(&a);
}
END_TEST

/* Fields of an earlier parse do not leak into the next one. */
START_TEST(parse_resets_output)
{
    struct arena *a = arena_new(1024);
    struct bind_spec b;

    ck_assert_int_eq(bind_spec_parse(a, "127.0.0.1:783 ssl", &b, NULL), 0);
    ck_assert_int_eq(bind_spec_parse(a, "/x.sock mode=0600 owner=a group=b", &b, NULL), 0);
    ck_assert(!b.ssl);
    ck_assert_int_eq(bind_spec_parse(a, "*:783", &b, NULL), 0);
    ck_assert_int_eq(b.kind, BIND_TCP);
    ck_assert_ptr_null(b.path);
    ck_assert_ptr_null(b.owner);
    ck_assert_ptr_null(b.group);
    ck_assert_uint_eq(b.mode, 0);
    ck_assert_int_eq(bind_spec_parse(a, "/y.sock", &b, NULL), 0);
    ck_assert_ptr_null(b.host);
    ck_assert_uint_eq(b.port, 0);
    ck_assert_ptr_null(b.owner);
    ck_assert_uint_eq(b.mode, 0660);
    arena_free(&a);
}
END_TEST

static Suite *
bind_spec_suite(void)
{
    Suite *s = suite_create("bind_spec");
    TCase *tc = tcase_create("parse");

    tcase_add_loop_test(tc, parse_accepts, 0, (int)(sizeof(good) / sizeof(good[0])));
    tcase_add_loop_test(tc, parse_rejects_with_reason, 0, (int)(sizeof(bad) / sizeof(bad[0])));
    tcase_add_test(tc, parse_rejects_with_null_err);
    tcase_add_test(tc, parse_copies_strings_into_arena);
    tcase_add_test(tc, parse_resets_output);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(bind_spec_suite());
}
