/*
 * test_mime_html.c - mime_html_render() against SpamAssassin 4.0.1.
 * Every expected value here and in tests/data/html/NAME.json was printed by
 * SpamAssassin's own Mail::SpamAssassin::HTML (HTML::Parser 3.81), through
 * scripts/sa-html.pl; none was written by hand.
 */
#include "../unit.h"

#include <dirent.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "mime/mime_html.h"
#include "html_json.h"

/* name, input, then SA's text, visible and invisible renderings, then
 * fragments of its JSON result that ours must contain */
static const struct {
    const char *name, *in, *text, *visible, *invisible;
    const char *facts[6];
} cases[] = {
    { "plain_text",
      "hello world",
      "hello world",
      "hello world",
      "",
      { "\"html_length\":11", "\"non_space_len\":10" } },
    { "br_div_newline", "a<br>b<div>c</div>d", "a\nb\nc\nd", "a\nb\nc\nd", "", { NULL } },
    { "li_td_space",
      "<ul><li>one<li>two</ul><table><tr><td>x</td><td>y</td></tr></table>",
      " one two x  y ",
      " one two x  y ",
      "",
      { NULL } },
    { "p_hr_double_newline",
      "a<p>b</p>c<hr>d<blockquote>e</blockquote>",
      "a\n\nb\n\nc\n\nd\n\ne\n\n",
      "a\n\nb\n\nc\n\nd\n\ne\n\n",
      "",
      { NULL } },
    { "h1_title_pre",
      "<title>T</title><h1>Head</h1><pre>x</pre>",
      "\n\nT\n\n Head \n\nx\n\n",
      "\n\nT\n\n Head \n\nx\n\n",
      "",
      { "\"titles\":[\"T\"]" } },
    { "collapse_whitespace", "a \t\n\015\014\013 b  c", "a b c", "a b c", "", { NULL } },
    { "trim_before_whitespace_element",
      "word <br> next",
      "word\nnext",
      "word\nnext",
      "",
      { NULL } },
    { "nbsp_presubstituted",
      "a&nbsp;&nbsp;b&nbsp c",
      "a b\302\240 c",
      "a b\302\240 c",
      "",
      { NULL } },
    { "entities_text",
      "&lt;&gt;&amp;&quot;&apos; &copy &copyz &notit; &euro &euro; &#65;&#x42;&#0; &#xFFFF; &#111"
      "4112;",
      "<>&\"' \302\251 \302\251z \302\254it; &euro \342\202\254 AB&#0; &#xFFFF; &#1114112;",
      "<>&\"' \302\251 \302\251z \302\254it; &euro \342\202\254 AB&#0; &#xFFFF; &#1114112;",
      "",
      { NULL } },
    { "entities_attr_no_prefix",
      "<a href=\"http://x.com/?a=1&ampb=2&amp;c=3&copy;\">l</a>",
      "l",
      "l",
      "",
      { "\"uris\":{\"http://x.com/?a=1&ampb=2&c=3\\u00c2\\u00a9\":{\"anchor_text\":[\"l\"],\"types"
        "\":[\"a\"]}}" } },
    { "surrogate_pair",
      "&#xD83D;&#xDE00; &#xD800;x",
      "\360\237\230\200 \357\277\275x",
      "\360\237\230\200 \357\277\275x",
      "",
      { NULL } },
    { "c2a0_characters",
      "a\303\202\302\240b \302\240c",
      "a b \302\240c",
      "a b \302\240c",
      "",
      { "\"html_length\":6", "\"non_space_len\":3" } },
    { "octets_vs_chars_nbsp_entity",
      "x&#160;y &#8364;",
      "x\302\240y \342\202\254",
      "x\302\240y \342\202\254",
      "",
      { "\"non_space_len\":3", "\"obfuscation_ratio\":null" } },
    { "smart_quotes_in_attr",
      "<a href=\342\200\234http://q.com/\342\200\235>q</a>",
      "q",
      "q",
      "",
      { "\"uris\":{\"http://q.com/\":{\"anchor_text\":[\"q\"],\"types\":[\"a\"]}}" } },
    { "br_slash",
      "a<br/>b<br />c<p/>d",
      "a\nb\nc\n\nd",
      "a\nb\nc\n\nd",
      "",
      { "\"inside\":{\"br\":2,\"p\":1}" } },
    { "comment_kinds",
      "a<!-- c1 -->b<!-- x -- y -->c<!---->d<!>e<!x y>f",
      "abcdef",
      "abcdef",
      "",
      { "\"comments\":[\"<!-- c1 -->\",\"<!-- x -- y -->\",\"<!---->\",\"<!>\",\"<!x y>\"]" } },
    { "comment_open_close", "a<!-->b-->c", "ac", "ac", "", { "\"comments\":[\"<!-->b-->\"]" } },
    { "unterminated_comment",
      "a <!-- never closed <b>x</b>",
      "a x",
      "a x",
      "",
      { "\"comments\":[\"<!-- never closed <b>\"]" } },
    { "doctype",
      "<!DOCTYPE html PUBLIC \"a>b\"><p>x",
      "\n\nx",
      "\n\nx",
      "",
      { "\"inside\":{\"!doctype\":0,\"p\":1}", "\"bad_tag_ratio\":0" } },
    { "processing_instruction", "a<?xml version=\"1.0\"?>b<? x >c", "abc", "abc", "", { NULL } },
    { "msword_conditional",
      "<![if !supportLists]>1.<![endif]>item",
      "1.item",
      "1.item",
      "",
      { "\"comments\":[\"<![if !supportLists]>\",\"<![endif]>\"]" } },
    { "marked_cdata",
      "a<![CDATA[<b>&amp;</b>]]>b",
      "a<b>&amp;</b>b",
      "a<b>&amp;</b>b",
      "",
      { NULL } },
    { "marked_ignore", "a<![IGNORE[<b>gone</b>]]>b", "ab", "ab", "", { "\"inside\":{}" } },
    { "marked_ignore_to_eof",
      "a<b>x</b><![IGNORE[ y",
      "ax",
      "ax",
      "",
      { "\"length\":null", "\"inside\":{}" } },
    { "script_skipped",
      "a<script>if (a<b) x='</p>';</script>b",
      "ab",
      "ab",
      "",
      { "\"scripts\":[\"if (a<b) x='</p>';\"]" } },
    { "style_skipped", "a<style>p{color:red}</style>b", "ab", "ab", "", { NULL } },
    { "unclosed_style", "a<style>p{}", "a", "a", "", { "\"inside\":{\"style\":0}" } },
    { "unclosed_script",
      "a<script>x < y",
      "a",
      "a",
      "",
      { "\"scripts\":[\"x < y\"]", "\"inside\":{\"script\":0}" } },
    { "xmp_cdata",
      "<xmp><b>&amp;</b></xmp>",
      "\n\n<b>&amp;</b>\n\n",
      "\n\n<b>&amp;</b>\n\n",
      "",
      { NULL } },
    { "textarea_rcdata",
      "<textarea><b>&amp;</b></textarea>",
      "<b>&</b>",
      "<b>&</b>",
      "",
      { NULL } },
    { "unclosed_title",
      "<title>Subject <b>bold</b> more",
      "\n\nSubject\n\nbold more",
      "\n\nSubject\n\nbold more",
      "",
      { "\"titles\":[\"Subject \"]" } },
    { "plaintext_rest",
      "a<plaintext><b>&amp;</plaintext>",
      "a\n\n<b>&amp;</plaintext>",
      "a\n\n<b>&amp;</plaintext>",
      "",
      { NULL } },
    { "unterminated_tag",
      "text <a href=\"x",
      "text ",
      "text ",
      "",
      { "\"comments\":[\"<a href=\\\"x\"]" } },
    { "lt_not_tag",
      "a < b <1> c <= d a<b",
      "a < b <1> c <= d a",
      "a < b <1> c <= d a",
      "",
      { NULL } },
    { "end_tag_junk",
      "<b>x</b foo=\">\" y>z</ b>w",
      "xzw",
      "xzw",
      "",
      { "\"comments\":[\"</ b>\"]", "\"closed_extra_ratio\":0" } },
    { "attr_quirks",
      "<font color=red COLOR=blue size=5 face>x</font>",
      "x",
      "x",
      "",
      { "\"max_size\":5" } },
    { "invisible_same_color",
      "<body bgcolor=white><font color=white>hidden</font> shown",
      "hidden shown",
      " shown",
      "hidden",
      { "\"font_low_contrast\":true" } },
    { "invisible_near_color",
      "<font color=#fefefe>faint</font>",
      "faint",
      "",
      "faint",
      { "\"font_low_contrast\":true" } },
    { "invisible_small_font",
      "<font size=1>tiny</font><font size=-2>rel</font>",
      "tinyrel",
      "",
      "tinyrel",
      { "\"min_size\":1" } },
    { "invisible_display_none",
      "<span style=\"display: none\">no</span><span style=\"Display:none\">yes</span>",
      "noyes",
      "yes",
      "no",
      { NULL } },
    { "invisible_visibility",
      "<div style=\"visibility:hidden\">h</div>v",
      "\nh\nv",
      "\n\nv",
      "h",
      { NULL } },
    { "invalid_color",
      "<font color=\"not a color\">x</font>",
      "x",
      "",
      "x",
      { "\"font_invalid_color\":true" } },
    { "style_colors",
      "<span style=\"color: rgb(255,255,255)\">w</span><span style=\"color:#FFF !important\">w2</"
      "span><span style=\"background-color:black;color:black\">b</span>",
      "ww2b",
      "",
      "ww2b",
      { "\"font_low_contrast\":true" } },
    { "style_background",
      "<td style=\"background: url(x.png) #ffffff\"><span style=\"color:white\">x</span></td>",
      " x ",
      "  ",
      "x",
      { NULL } },
    { "style_transparent",
      "<div style=\"background-color:transparent;color:transparent\">t</div>",
      "\nt\n",
      "\n\n",
      "t",
      { NULL } },
    { "big_small",
      "<big><big>L</big></big><small><small><small>s</small></small></small>",
      "Ls",
      "L",
      "s",
      { "\"max_size\":3", "\"min_size\":3" } },
    { "basefont", "<basefont size=6><font size=+1>x</font>", "x", "x", "", { "\"max_size\":7" } },
    { "table_closes",
      "<table><tr><td><font color=white>a<td>b<tr><td>c</table>",
      " a b c",
      "  b c",
      "a",
      { NULL } },
    { "anchors",
      "<a href=\"http://a.com/\">one <b>two</b><img src=i.gif></a><a>bare</a>",
      "one twobare",
      "one twobare",
      "",
      { "\"anchors\":[\"one two<img>\\n\",\"bare\"]",
        "\"uris\":{\"\":{\"anchor_text\":[\"bare\"],\"types\":[]},\"http://a.com/\":{\"anchor_text"
        "\":[\"one two<img>\\n\"],\"types\":[\"a\"]},\"i.gif\":{\"anchor_text\":[],\"types\":[\"img"
        "\"]}}" } },
    { "base_href",
      "<base href=\"http://b.com/dir/page.html\"><a href=\"x/../y.html\">r</a><img src=\"/abs.gif"
      "\">",
      "r",
      "r",
      "",
      { "\"uris\":{\"http://b.com/abs.gif\":{\"anchor_text\":[],\"types\":[\"img\"]},\"http://b.com"
        "/dir/page.html\":{\"anchor_text\":[],\"types\":[\"base\"]},\"http://b.com/dir/y.html\":{"
        "\"anchor_text\":[],\"types\":[\"a\"]},\"x/../y.html\":{\"anchor_text\":[\"r\"],\"types\":["
        "]}}" } },
    { "uri_kinds",
      "<body background=bg.gif><area href=a.html><link href=s.css><frame src=f><iframe src=i></if"
      "rame><embed src=e><script src=s.js></script><form action=mailto:x@y><bgsound src=b.wav><ta"
      "ble background=t><tr background=r><td background=d>",
      "  ",
      "  ",
      "",
      { "\"uris\":{\"a.html\":{\"anchor_text\":[],\"types\":[\"area\"]},\"b.wav\":{\"anchor_text"
        "\":[],\"types\":[\"bgsound\"]},\"bg.gif\":{\"anchor_text\":[],\"types\":[\"body\"]},\"d"
        "\":{\"anchor_text\":[],\"types\":[\"td\"]},\"e\":{\"anchor_text\":[],\"types\":[\"embed"
        "\"]},\"f\":{\"anchor_text\":[],\"types\":[\"frame\"]},\"i\":{\"anchor_text\":[],\"types"
        "\":[\"iframe\"]},\"mailto:x@y\":{\"anchor_text\":[],\"types\":[\"form\"]},\"r\":{\"anchor_"
        "text\":[],\"types\":[\"tr\"]},\"s.css\":{\"anchor_text\":[],\"types\":[\"link\"]},\"s.js"
        "\":{\"anchor_text\":[],\"types\":[\"script\"]},\"t\":{\"anchor_text\":[],\"types\":[\"tabl"
        "e\"]}}",
        "\"form_action_mailto\":true", "\"embeds\":true" } },
    { "bad_href_keys",
      "<a x/href=\"http://bad.com/\">b</a><img foo/src=\"http://img.com/i\">",
      "b",
      "b",
      "",
      { "\"uris\":{\"http://bad.com/\":{\"anchor_text\":[\"b\"],\"types\":[\"a\"]},\"http://img.com"
        "/i\":{\"anchor_text\":[],\"types\":[\"img\"]}}" } },
    { "meta_refresh",
      "<meta http-equiv=refresh content=\"0; URL=http://r.com/a ; x\">",
      "",
      "",
      "",
      { "\"uris\":{\"http://r.com/a\":{\"anchor_text\":[],\"types\":[\"meta\"]}}" } },
    { "meta_charset",
      "<meta http-equiv=Content-Type content=\"text/html; charset=iso-8859-1\"><meta http-equiv=c"
      "ontent-type content='x; charset=\"utf-8\"'>",
      "",
      "",
      "",
      { "\"charsets\":\" iso-8859-1 utf-8\"" } },
    { "uri_schemes",
      "<a href=\"mailto:A@B.c\">m</a><a href=\"//www.foo.com/p\">w</a><a href=\"www.bar.com\">b</"
      "a><a href=\"0\">z</a><a href=\" \302\240http://sp.com/ \">s</a>",
      "mwbzs",
      "mwbzs",
      "",
      { "\"uris\":{\"//www.foo.com/p\":{\"anchor_text\":[\"w\"],\"types\":[]},\"0\":{\"anchor_text"
        "\":[\"z\"],\"types\":[]},\"http://sp.com/\":{\"anchor_text\":[\"s\"],\"types\":[\"a\"]},"
        "\"http://www.foo.com/p\":{\"anchor_text\":[],\"types\":[\"a\"]},\"mailto:A@B.c\":{\"anchor"
        "_text\":[\"m\"],\"types\":[\"a\"]},\"www.bar.com\":{\"anchor_text\":[\"b\"],\"types\":["
        "\"a\"]}}" } },
    { "image_area",
      "<img width=10 height=20><img width=50% height=10%><img width=x height=0><img src=a>",
      "",
      "",
      "",
      { "\"image_area\":64200" } },
    { "font_face",
      "<font face=\"Arial, Helvetica\">a</font><font face=\"Wingdings 3\">b</font>",
      "ab",
      "ab",
      "",
      { "\"font_face_bad\":true" } },
    { "font_face_bad", "<font face=\"a1b\">a</font>", "a", "a", "", { "\"font_face_bad\":true" } },
    { "obfuscation",
      "Vi<b>a</b>gra f<i>ree</i>",
      "Viagra free",
      "Viagra free",
      "",
      { "\"obfuscation_ratio\":0.75", "\"backhair_count\":2" } },
    { "closed_extra",
      "</b></i><b></b></html></body>",
      "",
      "",
      "",
      { "\"closed_extra_ratio\":0.666666666666667", "\"closed_html\":true",
        "\"closed_body\":true" } },
    { "bad_tags",
      "<foo>x</foo><o:p>y</o:p><st1:place>z</st1:place>",
      "xyz",
      "xyz",
      "",
      { "\"bad_tag_ratio\":0.333333333333333", "\"non_element_ratio\":0.333333333333333",
        "\"inside\":{\"foo\":0,\"o:p\":0,\"st1:place\":0}" } },
    { "empty_text_first",
      "<![INCLUDE[]]>x<![INCLUDE[]]>y<![INCLUDE[]]>",
      "xy",
      "xy",
      "",
      { "\"non_space_len\":2" } },
    { "chunk_split_words",
      "<p>alpha beta gamma",
      "\n\nalpha beta gamma",
      "\n\nalpha beta gamma",
      "",
      { NULL } },
    { "empty_background_dies",
      "a <span style=\"background:  \">b</span> c",
      "a ",
      "a ",
      "",
      { "\"length\":null" } },
    { "unicode_digits_size",
      "<font size=\"\331\243\">x</font><img width=\"\331\243\" height=2>",
      "x",
      "",
      "x",
      { "\"max_size\":3", "\"image_area\":400" } },
};

static void
render_json(const char *in, size_t len, struct buf *b, struct mime_html_result *r, struct arena *a)
{
    mime_html_render(a, in, len, r);
    buf_init(b);
    html_json(b, r, r->length > 0 || len == 0, NULL);
}

static void
assert_strv(const char *what, const char *name, struct strv got, const char *want)
{
    if (got.len != strlen(want) || memcmp(got.p, want, got.len) != 0)
        ck_abort_msg("%s: %s: got \"%.*s\", want \"%s\"", name, what, (int)got.len, got.p, want);
}

START_TEST(render_matches_sa)
{
    struct arena *a = arena_new(4096);
    struct mime_html_result r;
    struct buf b;

    render_json(cases[_i].in, strlen(cases[_i].in), &b, &r, a);
    assert_strv("text", cases[_i].name, r.text, cases[_i].text);
    assert_strv("visible", cases[_i].name, r.visible, cases[_i].visible);
    assert_strv("invisible", cases[_i].name, r.invisible, cases[_i].invisible);
    for (size_t k = 0; k < 6 && cases[_i].facts[k] != NULL; k++) {
        if (strstr(b.p, cases[_i].facts[k]) == NULL)
            ck_abort_msg("%s: want %s in %s", cases[_i].name, cases[_i].facts[k], b.p);
    }
    buf_clear(&b);
    arena_free(&a);
}
END_TEST

/* A NUL inside the input is data, like any other byte. */
START_TEST(nul_bytes_are_data)
{
    static const char in[] = "a\0b<x\0y>c&#x41\0;";
    struct arena *a = arena_new(4096);
    struct mime_html_result r;

    mime_html_render(a, in, sizeof(in) - 1, &r);
    ck_assert_uint_eq(r.text.len, 6);
    ck_assert_mem_eq(r.text.p, "a\0bc\xd0\x90", 6); /* &#x41\0 is U+0410: NUL reads as 0 */
    ck_assert_uint_eq(r.ninside, 1);
    ck_assert_uint_eq(r.inside[0].tag.len, 3);
    arena_free(&a);
}
END_TEST

/* fuzz: a tag or colour name with a NUL is not the name before the NUL */
START_TEST(nul_in_names)
{
    static const char in[] = "a<i\0x>b</i\0x><font color=\"red\0x\">c</font>";
    struct arena *a = arena_new(4096);
    struct mime_html_result r;

    mime_html_render(a, in, sizeof(in) - 1, &r);
    ck_assert(r.has_bad_tag_ratio);
    ck_assert(r.bad_tag_ratio == 0.5);
    ck_assert(r.font_invalid_color);
    ck_assert_uint_eq(r.invisible.len, 1);
    arena_free(&a);
}
END_TEST

/* <a href> longer than SA's MAX_URI_LENGTH (8192 characters) */
START_TEST(long_uri_truncated)
{
    struct arena *a = arena_new(4096);
    struct mime_html_result r;
    char *in = malloc(9000);

    strcpy(in, "<a href=\"http://x.com/");
    memset(in + strlen(in), 'a', 8200);
    strcpy(in + 22 + 8200, "\">x</a>");
    mime_html_render(a, in, strlen(in), &r);
    ck_assert(r.uri_truncated);
    ck_assert_uint_eq(r.nuris, 1);
    ck_assert_uint_eq(r.uris[0].uri.len, 8192);
    ck_assert_uint_eq(r.uris[0].nanchor_text, 1);
    ck_assert_uint_eq(r.nanchors, 1);
    free(in);
    arena_free(&a);
}
END_TEST

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 100k of one piece, rendered in well under a second: nothing quadratic */
static void
pathological(const char *piece, const char *tail, struct mime_html_result *r, struct arena *a)
{
    size_t pl = strlen(piece), n = 100000;
    char *in = malloc(pl * n + strlen(tail) + 1);
    double t0;

    for (size_t i = 0; i < n; i++)
        memcpy(in + i * pl, piece, pl);
    strcpy(in + pl * n, tail);
    t0 = now();
    mime_html_render(a, in, strlen(in), r);
    ck_assert_msg(now() - t0 < 2.0, "%s: %.2f s", piece, now() - t0);
    free(in);
}

START_TEST(deep_nesting_is_linear)
{
    static const char *const pieces[] = {
        "<font color=red>", "<td>",  "<tr><td>", "<span style=\"color:#fff\">x",
        "<a href=x>",       "<big>", "<div>",    "<table>",
    };
    struct arena *a = arena_new(1 << 16);
    struct mime_html_result r;

    for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++)
        pathological(pieces[i], "end</font></td></tr></span></a></big></div></table>", &r, a);
    arena_free(&a);
}
END_TEST

START_TEST(many_attributes_are_linear)
{
    struct arena *a = arena_new(1 << 16);
    struct mime_html_result r;

    pathological(" x", ">", &r, a); /* "<a x x x ...>": 100k duplicate attributes */
    pathological(" <a", "", &r, a);
    pathological("&amp", "", &r, a);
    pathological("<!--", "", &r, a);
    pathological("<![x[", "", &r, a);
    pathological("]]>", "", &r, a);
    arena_free(&a);
}
END_TEST

START_TEST(many_distinct_attributes)
{
    struct arena *a = arena_new(1 << 16);
    struct mime_html_result r;
    struct buf in;

    buf_init(&in);
    buf_puts(&in, "<font");
    for (int i = 0; i < 50000; i++)
        buf_printf(&in, " a%d=%d", i, i);
    buf_puts(&in, " color=white size=7 color=black>x");
    mime_html_render(a, in.p, in.len, &r);
    ck_assert_int_eq(r.max_size, 7);
    ck_assert_uint_eq(r.invisible.len, 1); /* white: the first color wins */
    buf_clear(&in);
    arena_free(&a);
}
END_TEST

START_TEST(empty_input)
{
    struct arena *a = arena_new(4096);
    struct mime_html_result r;

    mime_html_render(a, "", 0, &r);
    ck_assert_uint_eq(r.text.len, 0);
    ck_assert_uint_eq(r.html_length, 0);
    ck_assert_str_eq(mime_html_uri_type_name(MIME_HTML_URI_BGSOUND), "bgsound");
    ck_assert_str_eq(mime_html_uri_type_name(3), "");
    arena_free(&a);
}
END_TEST

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p;
    long n;

    ck_assert_ptr_nonnull(f);
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

/* tests/data/html/NAME.html against NAME.json, the whole result */
START_TEST(data_files_match_sa)
{
    DIR *dir = opendir("tests/data/html");
    struct dirent *e;
    size_t files = 0;

    ck_assert_ptr_nonnull(dir);
    while ((e = readdir(dir)) != NULL) {
        size_t nl = strlen(e->d_name), hl, jl;
        char path[PATH_MAX], *html, *json;
        struct arena *a;
        struct mime_html_result r;
        struct buf b;

        if (nl < 6 || strcmp(e->d_name + nl - 5, ".html") != 0)
            continue;
        snprintf(path, sizeof(path), "tests/data/html/%s", e->d_name);
        html = slurp(path, &hl);
        snprintf(path, sizeof(path), "tests/data/html/%.*s.json", (int)(nl - 5), e->d_name);
        json = slurp(path, &jl);
        while (jl > 0 && json[jl - 1] == '\n')
            json[--jl] = '\0';
        a = arena_new(1 << 16);
        render_json(html, hl, &b, &r, a);
        if (b.len != jl || memcmp(b.p, json, jl) != 0)
            ck_abort_msg("%s:\n got  %s\n want %s", e->d_name, b.p, json);
        buf_clear(&b);
        arena_free(&a);
        free(html);
        free(json);
        files++;
    }
    closedir(dir);
    ck_assert_uint_ge(files, 28);
}
END_TEST

static Suite *
mime_html_suite(void)
{
    Suite *s = suite_create("mime_html");
    TCase *tc = tcase_create("render");

    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, render_matches_sa, 0, (int)(sizeof(cases) / sizeof(cases[0])));
    tcase_add_test(tc, nul_bytes_are_data);
    tcase_add_test(tc, nul_in_names);
    tcase_add_test(tc, long_uri_truncated);
    tcase_add_test(tc, deep_nesting_is_linear);
    tcase_add_test(tc, many_attributes_are_linear);
    tcase_add_test(tc, many_distinct_attributes);
    tcase_add_test(tc, empty_input);
    tcase_add_test(tc, data_files_match_sa);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(mime_html_suite());
}
