/*
 * fuzz_sa_conf.c - libFuzzer target for the SpamAssassin configuration
 * reader: any bytes as a .cf file (conditionals, rules, attributes,
 * ReplaceTags, settings), read and finished, must never crash, hang or
 * leak; every regex rule that comes out must compile with PCRE2 as the
 * engine compiles it, and the Perl -> PCRE2 translator is also fed the
 * input as one pattern. The first byte picks the options (user_prefs
 * mode, local tests only, a locale).
 *
 * Includes are read from a scratch directory holding one small file;
 * lines that would include something outside it are defused, so the
 * fuzzer cannot make the target read the machine's files.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "compat/sa_conf.h"
#include "compat/sa_regex.h"
#include "core/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_inc[] = "body FZ_INC /inc/i\n"
                               "if (version >= 4)\nscore FZ_INC 2\nendif\n"
                               "include inc.cf\n";

static volatile size_t fuzz_sink;

/* The scratch directory (made once), where "origin" and inc.cf live. */
static const char *
fuzz_dir(void)
{
    static char dir[64];
    char path[128];
    FILE *f;

    if (dir[0] != '\0')
        return dir;
    snprintf(dir, sizeof(dir), "/tmp/sift-fuzz-sa-XXXXXX");
    if (mkdtemp(dir) == NULL)
        abort();
    snprintf(path, sizeof(path), "%s/inc.cf", dir);
    f = fopen(path, "w");
    if (f == NULL)
        abort();
    fputs(fuzz_inc, f);
    fclose(f);
    return dir;
}

/* A line that mentions include and a path outside the directory. */
static void
fuzz_defuse(char *text, size_t len)
{
    size_t start = 0;

    while (start < len) {
        char *nl = memchr(text + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - text) : len;
        bool inc = false, path = false;

        for (size_t i = start; i < end; i++) {
            if (i + 7 <= end && strncasecmp(text + i, "include", 7) == 0)
                inc = true;
            if (text[i] == '/' || text[i] == '~' || text[i] == '\0')
                path = true;
        }
        if (inc && path) {
            for (size_t i = start; i < end; i++)
                if (i + 7 <= end && strncasecmp(text + i, "include", 7) == 0)
                    text[i + 4] = 'x';
        }
        start = end + 1;
    }
}

static void
fuzz_read(const char *s)
{
    size_t sum = 0;

    for (; s != NULL && *s != '\0'; s++)
        sum += (unsigned char)*s;
    fuzz_sink += sum;
}

static void
fuzz_rules(struct scan_ruleset *rs)
{
    for (size_t i = 0; i < scan_ruleset_count(rs); i++) {
        const struct scan_rule *r = scan_ruleset_at(rs, i);

        fuzz_read(r->name);
        fuzz_read(r->header);
        fuzz_read(r->if_unset);
        fuzz_read(r->eval);
        fuzz_read(r->expr);
        fuzz_read(r->description);
        fuzz_read(r->origin);
        for (size_t k = 0; k < r->nargs; k++)
            fuzz_read(r->args[k].s);
        if (r->kind == SCAN_K_REGEX) {
            int code;
            PCRE2_SIZE off;
            pcre2_code *re;

            if (r->pattern == NULL)
                abort();
            re = pcre2_compile((PCRE2_SPTR)r->pattern, PCRE2_ZERO_TERMINATED,
                               sa_regex_pcre2_options(r->re_flags), &code, &off, NULL);
            if (re == NULL) {
                fprintf(stderr, "%s: translated pattern does not compile: %s\n", r->name,
                        r->pattern);
                abort();
            }
            pcre2_code_free(re);
        }
    }
    for (size_t i = 0; i < scan_ruleset_nskips(rs); i++) {
        const struct scan_skip *s = scan_ruleset_skip_at(rs, i);

        fuzz_read(s->message);
        fuzz_read(s->category);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const langs[] = { NULL, "de_DE.UTF-8", "pt_BR", "fr" };
    static const char *const dirs[] = { "add_header",      "welcomelist_from", "trusted_networks",
                                        "enlist_uri_host", "report",           "no_such" };
    struct sa_conf_opts o = { 0 };
    struct sa_conf *c;
    struct scan_ruleset *rs;
    struct sa_conf_stats st;
    struct sift_err err;
    struct sa_regex re;
    struct arena *a;
    char origin[128], *text;

    if (size == 0)
        return 0;
    o.user_mode = data[0] & 1;
    o.allow_user_rules = data[0] & 2;
    o.local_only = data[0] & 4;
    o.use_bayes = data[0] & 8;
    o.lang = langs[(data[0] >> 4) & 3];
    /* an exact-size copy: reading past the input shows under ASan */
    text = malloc(size - 1 > 0 ? size - 1 : 1);
    memcpy(text, data + 1, size - 1);
    fuzz_defuse(text, size - 1);
    snprintf(origin, sizeof(origin), "%s/fuzz.cf", fuzz_dir());

    c = sa_conf_new(&o);
    rs = scan_ruleset_new();
    if (sa_conf_parse(c, rs, text, size - 1, origin, &err) != 0)
        abort();
    sa_conf_finish(c, rs);
    fuzz_rules(rs);
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        const struct strv *v;
        size_t n = sa_conf_values(c, dirs[i], &v);

        for (size_t k = 0; k < n; k++)
            fuzz_read(v[k].p);
        fuzz_read(sa_conf_value(c, dirs[i], NULL));
    }
    sa_conf_stats(c, &st);
    fuzz_sink += st.files + st.lines + st.rules + (size_t)sa_conf_score_set(c) +
                 (sa_conf_required_score(c) > 5.0); /* any double: no conversion */
    sa_conf_free(&c);
    scan_ruleset_free(&rs);

    /* the whole input as one delimited pattern, and as a bare one */
    a = arena_new(4096);
    if (sa_regex_compile(a, strv_make(text, size - 1), &re, &err) == SA_RE_OK)
        fuzz_read(re.pattern);
    if (sa_regex_translate(a, strv_make(text, size - 1), strv_cstr("imsx"), &re, &err) == SA_RE_OK)
        (void)sa_regex_check(&re, &err);
    arena_free(&a);
    free(text);
    return 0;
}
