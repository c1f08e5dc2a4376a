/*
 * test_bayes_tok.c - SpamAssassin's Bayes tokenizer: database keys, one
 * line in each region, the pre-chewed header map and whole messages in
 * learn and scan mode. The expected values came from SpamAssassin 4.0.1
 * itself (Plugin/Bayes.pm _tokenize_line, _tokenize_headers and tokenize,
 * with the stop-word pattern below and bayes_ignore_header X-Ignore-Me);
 * the .learn and .scan files in tests/data/bayes are its token sets of the messages
 * there, one token a line.
 */
#include "stat/bayes_tok.h"

#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "mime/mime_msg.h"

#include "../unit.h"

#include "../mime_fixture.h"

#define DATA "tests/data/bayes/"

static struct bayes_tok *
tok_new(size_t max_len, unsigned sources)
{
    static const struct bayes_stopword sw[] = { { "^(?i)(?:the|and|you)$", 0 } };
    static const char *const ignore[] = { "X-Ignore-Me" };
    struct bayes_tok_cfg cfg;
    struct sift_err err;
    struct bayes_tok *bt;

    bayes_tok_cfg_init(&cfg);
    cfg.max_token_length = max_len;
    cfg.sources = sources;
    cfg.stopwords = sw;
    cfg.nstopwords = 1;
    cfg.ignore_headers = ignore;
    cfg.nignore_headers = 1;
    bt = bayes_tok_new(&cfg, &err);
    ck_assert_msg(bt != NULL, "bayes_tok_new: %s", err.msg);
    return bt;
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p;
    long n;

    ck_assert_msg(f != NULL, "%s: cannot open", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(p, 1, (size_t)n, f), (size_t)n);
    p[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* ------------------------------------------------------------------------ */

START_TEST(keys_are_the_sha1_tail)
{
    static const struct {
        const char *token;
        uint8_t key[BAYES_KEY_LEN];
    } cases[] = {
        { "noon", { 0xf6, 0xf5, 0x7d, 0xb0, 0xc1 } },              /* the spec's */
        { "H*F:D*example.org", { 0x33, 0xd6, 0x1a, 0x2d, 0xfb } }, /* the spec's */
    };

    for (size_t i = 0; i < NCASES(cases); i++) {
        uint8_t key[BAYES_KEY_LEN];

        bayes_token_key(cases[i].token, strlen(cases[i].token), key);
        ck_assert_mem_eq(key, cases[i].key, BAYES_KEY_LEN);
    }
}
END_TEST

/* _tokenize_line: line, prefix, region, the tokens in SA's order */
static const struct {
    const char *line, *prefix;
    enum bayes_region region;
    const char *want[24];
} line_cases[] = {
    { "Hello, world... this is it--really",
      "",
      BAYES_REGION_BODY,
      { "hello", "world", "this", "really", NULL } },
    { "www.Example.com",
      "",
      BAYES_REGION_BODY,
      { "UD:www.Example.com", "UD:Example.com", "UD:com", "wwwExamplecom", "www.example.com",
        "wwwexamplecom", "www.Example.com", NULL } },
    { "Mail me at Alice.Smith@Example.org today",
      "",
      BAYES_REGION_BODY,
      { "mail", "U*Alice.Smith", "D*Example.org", "D*org", "sk:AliceS", "sk:alice.s", "sk:alices",
        "sk:Alice.S", "today", NULL } },
    { "supercalifragilisticexpialidocious words",
      "",
      BAYES_REGION_BODY,
      { "sk:superca", "words", NULL } },
    { "\xc3"
      "\x9c"
      "n\xc3"
      "\xaf"
      "c\xc3"
      "\xb6"
      "d\xc3"
      "\xa9"
      "-w\xc3"
      "\xb6"
      "rds-\xc3"
      "\xa4"
      "r\xc3"
      "\xab"
      "-l\xc3"
      "\xb6"
      "\xc3"
      "\xb6"
      "ng",
      "",
      BAYES_REGION_BODY,
      { "sk:ncd",
        "sk:\xc3"
        "\x9c"
        "n\xc3"
        "\xaf"
        "c\xc3"
        "\xb6"
        "d\xc3"
        "\xa9",
        NULL } },
    { "\xe6"
      "\x97"
      "\xa5"
      "\xe6"
      "\x9c"
      "\xac"
      "\xe8"
      "\xaa"
      "\x9e"
      "\xe3"
      "\x81"
      "\xae"
      "\xe3"
      "\x83"
      "\x86"
      "\xe3"
      "\x82"
      "\xad"
      "\xe3"
      "\x82"
      "\xb9"
      "\xe3"
      "\x83"
      "\x88",
      "",
      BAYES_REGION_BODY,
      { "u8:\xe6"
        "\x97"
        "\xa5",
        "u8:\xe6"
        "\x9c"
        "\xac",
        "u8:\xe8"
        "\xaa"
        "\x9e",
        "u8:\xe3"
        "\x81"
        "\xae",
        "u8:\xe3"
        "\x83"
        "\x86",
        "u8:\xe3"
        "\x82"
        "\xad",
        "u8:\xe3"
        "\x82"
        "\xb9",
        "u8:\xe3"
        "\x83"
        "\x88",
        NULL } },
    { "http://www.example.com/some/very/long/path/componentname",
      "",
      BAYES_REGION_URI,
      { "http", "UD:www.example.com", "UD:example.com", "UD:com", "wwwexamplecom",
        "www.example.com", "some", "very", "long", "path", "componentname", NULL } },
    { "Foo Bar. Baz supercalifragilistic",
      "HX-Test:",
      BAYES_REGION_HEADER,
      { "HX-Test:Foo", "HX-Test:Bar", "HX-Test:Baz", "HX-Test:sk:superca", NULL } },
    { "x ... y --- z a...b c--d e......f", "", BAYES_REGION_BODY, { NULL } },
    { "The end. Hello There. Again",
      "",
      BAYES_REGION_BODY,
      { "end", "hello", "Hello", "there", "There", "again", NULL } },
    { "contact bob@example.com now",
      "I*:",
      BAYES_REGION_BODY,
      { "I*:contact", "U*bob", "D*example.com", "D*com", "I*:bobexamplecom", "I*:bob@example.com",
        "I*:now", NULL } },
    { "'quoted' \"double\" ...dots... --dash-- you THE",
      "",
      BAYES_REGION_BODY,
      { "quoted", "double", "dots", "dash", NULL } },
    { "caf\xe9 na\xef"
      "ve \xa0"
      "nbsp\x80"
      "x",
      "",
      BAYES_REGION_BODY,
      { "caf", "caf\xe9", "nave",
        "na\xef"
        "ve",
        "nbsp", NULL } },
    { "$31,000,000 f*ck Hits! <b>tag</b> 50%off",
      "",
      BAYES_REGION_BODY,
      { "31000000", "$31,000,000", "f*ck", "Hits", "hits!", "hits", "Hits!", "tag", "off", NULL } },
    { "a@b@c.d.e x@y .start.dot",
      "",
      BAYES_REGION_BODY,
      { "U*a@b", "D*c.d.e", "D*d.e", "D*e", "abcde", "a@b@c.d.e", "U*x", "D*y", "xy", "x@y",
        "UD:start.dot", "UD:dot", "startdot", "start.dot", NULL } },
};

START_TEST(lines_tokenize_as_spamassassin)
{
    struct bayes_tok *bt = tok_new(15, BAYES_SRC_DEFAULT);
    struct arena *a = arena_new(4096);
    struct strv *got;
    size_t n = bayes_tok_line(bt, a, strv_cstr(line_cases[_i].line), line_cases[_i].prefix,
                              line_cases[_i].region, &got);
    size_t want = 0;

    while (line_cases[_i].want[want] != NULL)
        want++;
    ck_assert_msg(n == want, "'%s': %zu tokens, want %zu", line_cases[_i].line, n, want);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(strlen(line_cases[_i].want[i]) == got[i].len &&
                          memcmp(got[i].p, line_cases[_i].want[i], got[i].len) == 0,
                      "'%s': token %zu '%.*s', want '%s'", line_cases[_i].line, i, (int)got[i].len,
                      got[i].p, line_cases[_i].want[i]);
    arena_free(&a);
    bayes_tok_free(&bt);
}
END_TEST

START_TEST(long_token_limit_is_configurable)
{
    struct bayes_tok *bt = tok_new(20, BAYES_SRC_DEFAULT);
    struct arena *a = arena_new(4096);
    struct strv *got;
    size_t n = bayes_tok_line(bt, a, STRV_LIT("supercalifragilistic supercalifragilistice"), "",
                              BAYES_REGION_BODY, &got);

    ck_assert_uint_eq(n, 2);
    ck_assert(strv_eq(got[0], "supercalifragilistic")); /* 20 bytes: kept */
    ck_assert(strv_eq(got[1], "sk:superca"));
    arena_free(&a);
    bayes_tok_free(&bt);
}
END_TEST

/* SA's %parsed for tests/data/bayes/tok-sample.eml (learn mode) */
static const struct {
    const char *name, *value;
} header_cases[] = {
    { "*Ad", "N*Alice N*Example U*alice D*example.org D*org U*bob D*example.net D*net N*Carol "
             "U*carol D*Example.NET D*NET U*dave D*sub.example.com D*example.com D*com" },
    { "*F", "N*Alice N*Example U*alice D*example.org D*org" },
    { "*M", " mail example org " },
    { "*MI", " mail example org   <abc.def@example.org>  <xyz@example.org> <abc.def@example.org>" },
    { "*RT", " " },
    { "*RU", " [ 192.0.2.10 mail.example.org mail.example.org mx.example.net   0 4ABCDEF123  0 ] [ "
             "10.1.2.3  client mail.example.org   0 1abcde-0001ab-0A esmtpa 0 ]" },
    { "*UA", " Example Mailer 1.0" },
    { "*ct", " multipart/alternative;   ----=_ PHrt _ HHHHH _ HHHHHH . HHHHHHHHHH" },
    { "*f", " <xyz@example.org> <abc.def@example.org>" },
    { "*i", " <abc.def@example.org>" },
    { "*p", "U*bounce-123 D*lists.example.org D*example.org D*org" },
    { "*r", "   localhost by client      ;     [10.1.2 ip*10.1.2.3 ] (helo=client) by "
            "mail.example.org   esmtpa (Exim 4.96) id 1abcde-0001ab-0A; " },
    { "*x", " Example Mailer 1.0" },
    { "Cc", "U*dave D*sub.example.com D*example.com D*com" },
    { "DKIM-Signature", "1" },
    { "MIME-Version", " " },
    { "To", "U*bob D*example.net D*net N*Carol U*carol D*Example.NET D*NET" },
    { "X-Face", "1" },
    { "X-Priority", " 3 (Normal)" },
    { "X-Spam-Relays-Untrusted", " [ ip=1.2.3.4 ]" },
    { "x-spam-relays-external",
      " [ 192.0.2.10 mail.example.org mail.example.org mx.example.net   0 4ABCDEF123  0 ] [ "
      "10.1.2.3  client mail.example.org   0 1abcde-0001ab-0A esmtpa 0 ]" },
    { "x-spam-relays-internal", " " },
};

START_TEST(headers_prechew_as_spamassassin)
{
    struct bayes_tok *bt = tok_new(15, BAYES_SRC_DEFAULT);
    struct arena *a = arena_new(4096);
    size_t len;
    char *raw = slurp(DATA "tok-sample.eml", &len);
    struct mime_msg *m = mime_msg_parse(&ctx, a, raw, len);
    struct bayes_tok_header *h;
    size_t n = bayes_tok_headers(bt, m, 0, a, &h);

    ck_assert_uint_eq(n, NCASES(header_cases));
    for (size_t i = 0; i < NCASES(header_cases); i++) {
        bool found = false;

        for (size_t k = 0; k < n && !found; k++) {
            if (!strv_eq(h[k].name, header_cases[i].name))
                continue;
            found = true;
            ck_assert_msg(strv_eq(h[k].value, header_cases[i].value), "%s: '%.*s', want '%s'",
                          header_cases[i].name, (int)h[k].value.len, h[k].value.p,
                          header_cases[i].value);
        }
        ck_assert_msg(found, "no %s", header_cases[i].name);
    }
    arena_free(&a);
    free(raw);
    bayes_tok_free(&bt);
}
END_TEST

/* The message's token set equals SA's (one token a line in want_path). */
static void
check_message(const char *eml, const char *want_path, unsigned flags)
{
    struct bayes_tok *bt = tok_new(15, BAYES_SRC_DEFAULT);
    struct arena *a = arena_new(4096);
    size_t len, wlen, nwant = 0;
    char *raw = slurp(eml, &len), *want = slurp(want_path, &wlen);
    struct mime_msg *m = mime_msg_parse(&ctx, a, raw, len);
    struct bayes_tokens toks;

    bayes_tokenize(bt, m, flags, a, &toks);
    for (char *line = want, *nl; *line != '\0'; line = nl + 1) {
        bool found = false;

        nl = strchr(line, '\n');
        ck_assert_ptr_nonnull(nl);
        *nl = '\0';
        nwant++;
        for (size_t i = 0; i < toks.n && !found; i++)
            found = strv_eq(toks.v[i].text, line);
        ck_assert_msg(found, "%s: no token '%s'", eml, line);
    }
    for (size_t i = 0; i < toks.n; i++) {
        uint8_t key[BAYES_KEY_LEN];

        bayes_token_key(toks.v[i].text.p, toks.v[i].text.len, key);
        ck_assert_mem_eq(key, toks.v[i].key, BAYES_KEY_LEN);
        ck_assert_uint_eq(toks.v[i].text.p[toks.v[i].text.len], '\0');
    }
    ck_assert_msg(toks.n == nwant, "%s: %zu tokens, want %zu", eml, toks.n, nwant);
    arena_free(&a);
    free(raw);
    free(want);
    bayes_tok_free(&bt);
}

START_TEST(message_learn_mode)
{
    check_message(DATA "tok-sample.eml", DATA "tok-sample.learn", 0);
}
END_TEST

START_TEST(message_scan_mode_adds_domains_drops_x_spam)
{
    check_message(DATA "tok-sample.eml", DATA "tok-sample.scan", BAYES_TOK_SCAN);
}
END_TEST

START_TEST(html_uris_tokenize_as_character_strings)
{
    check_message(DATA "tok-latin1.eml", DATA "tok-latin1.learn", 0);
    check_message(DATA "tok-latin1.eml", DATA "tok-latin1.scan", BAYES_TOK_SCAN);
}
END_TEST

START_TEST(sources_select_what_is_tokenized)
{
    struct bayes_tok *bt = tok_new(15, BAYES_SRC_HEADER);
    struct arena *a = arena_new(4096);
    size_t len;
    char *raw = slurp(DATA "tok-sample.eml", &len);
    struct mime_msg *m = mime_msg_parse(&ctx, a, raw, len);
    struct bayes_tokens toks;

    bayes_tokenize(bt, m, 0, a, &toks);
    ck_assert_uint_gt(toks.n, 0);
    for (size_t i = 0; i < toks.n; i++)
        ck_assert_msg(toks.v[i].text.p[0] == 'H', "'%s' is not a header token", toks.v[i].text.p);
    arena_free(&a);
    free(raw);
    bayes_tok_free(&bt);
}
END_TEST

START_TEST(bad_stopword_pattern_is_an_error)
{
    static const struct bayes_stopword sw[] = { { "^(?:unclosed$", 0 } };
    struct bayes_tok_cfg cfg;
    struct sift_err err;

    bayes_tok_cfg_init(&cfg);
    cfg.stopwords = sw;
    cfg.nstopwords = 1;
    ck_assert_ptr_null(bayes_tok_new(&cfg, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "stop words"));
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("bayes_tok");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_test(tc, keys_are_the_sha1_tail);
    tcase_add_loop_test(tc, lines_tokenize_as_spamassassin, 0, NCASES(line_cases));
    tcase_add_test(tc, long_token_limit_is_configurable);
    tcase_add_test(tc, headers_prechew_as_spamassassin);
    tcase_add_test(tc, message_learn_mode);
    tcase_add_test(tc, message_scan_mode_adds_domains_drops_x_spam);
    tcase_add_test(tc, html_uris_tokenize_as_character_strings);
    tcase_add_test(tc, sources_select_what_is_tokenized);
    tcase_add_test(tc, bad_stopword_pattern_is_an_error);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
