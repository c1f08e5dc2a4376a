/*
 * sa_bayes_cfg.c - SpamAssassin's Bayes settings from a loaded
 * configuration (see sa_bayes_cfg.h).
 */
#include "compat/sa_bayes_cfg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat/sa_regex.h"

/* Plugin/Bayes.pm's own English list, used (unanchored, case-sensitive,
 * as the plugin writes it: qr/.../) when no bayes_stopword_en is set */
static const char builtin_en[] =
    "(?:a(?:ble|l(?:ready|l)|n[dy]|re)|b(?:ecause|oth)|c(?:an|ome)|e(?:ach|mail|ven)"
    "|f(?:ew|irst|or|rom)|give|h(?:a(?:ve|s)|ttp)|i(?:n(?:formation|to)|t\\'s)|just|know"
    "|l(?:ike|o(?:ng|ok))|m(?:a(?:de|il(?:(?:ing|to))?|ke|ny)|o(?:re|st)|uch)"
    "|n(?:eed|o[tw]|umber)|o(?:ff|n(?:ly|e)|ut|wn)|p(?:eople|lace)|right|s(?:ame|ee|uch)"
    "|t(?:h(?:at|is|rough|e)|ime)|using|w(?:eb|h(?:ere|y)|ith(?:out)?|or(?:ld|k))"
    "|y(?:ears?|ou(?:(?:\\'re|r))?))";

struct cfg_state {
    int problems;
    struct sift_err *err;
};

static void
problem(struct cfg_state *st, const char *directive, const char *value, const char *why)
{
    if (st->problems++ == 0)
        sift_err_set(st->err, "%s %s: %s", directive, value, why);
}

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* split(/\s+/, s): the fields (a leading empty one kept, as Perl does) */
static size_t
split_ws(struct arena *a, const char *s, char ***out)
{
    size_t n = 0, cap = 8, len = strlen(s), i = 0;
    char **v = arena_alloc(a, cap * sizeof(*v));

    while (i < len) {
        size_t j = i;

        while (j < len && !is_space(s[j]))
            j++;
        if (j > i || i == 0) {
            if (n == cap) {
                v = arena_realloc(a, v, cap * sizeof(*v), cap * 2 * sizeof(*v));
                cap *= 2;
            }
            v[n++] = arena_strndup(a, s + i, j - i);
        }
        while (j < len && is_space(s[j]))
            j++;
        i = j;
    }
    *out = v;
    return n;
}

static char *
lower(struct arena *a, const char *s)
{
    char *o = arena_strdup(a, s);

    for (char *p = o; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + ('a' - 'A') : *p);
    return o;
}

/* set_bool_value over every value given: the last good one wins */
static bool
get_bool(const struct sa_conf *c, const char *directive, bool def)
{
    const struct strv *v;
    size_t n = sa_conf_values(c, directive, &v);

    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i].p, "1") == 0 || strcasecmp(v[i].p, "yes") == 0)
            def = true;
        else if (strcmp(v[i].p, "0") == 0 || strcasecmp(v[i].p, "no") == 0)
            def = false;
    }
    return def;
}

/* set_numeric_value: /^[+-]?\d+(?:\.\d*)?\z/ */
static bool
get_number(const struct sa_conf *c, const char *directive, double *out, struct cfg_state *st)
{
    const struct strv *v;
    size_t n = sa_conf_values(c, directive, &v);
    bool set = false;

    for (size_t i = 0; i < n; i++) {
        const char *p = v[i].p;
        size_t k = 0, digits = 0;

        if (p[k] == '+' || p[k] == '-')
            k++;
        while (p[k] >= '0' && p[k] <= '9')
            k++, digits++;
        if (digits > 0 && p[k] == '.') {
            k++;
            while (p[k] >= '0' && p[k] <= '9')
                k++;
        }
        if (digits == 0 || p[k] != '\0') {
            problem(st, directive, p, "not a number");
            continue;
        }
        *out = strtod(p, NULL);
        set = true;
    }
    return set;
}

/* Conf.pm's bayes_token_sources: words applied in order until a bad one */
static unsigned
get_sources(const struct sa_conf *c, struct arena *a, struct cfg_state *st)
{
    static const struct {
        const char *name;
        unsigned bit;
    } kw[] = {
        { "header", SA_BAYES_SRC_HEADER },       { "visible", SA_BAYES_SRC_VISIBLE },
        { "invisible", SA_BAYES_SRC_INVISIBLE }, { "uri", SA_BAYES_SRC_URI },
        { "mimepart", SA_BAYES_SRC_MIMEPART },
    };
    unsigned all = 0, src = SA_BAYES_SRC_HEADER | SA_BAYES_SRC_VISIBLE | SA_BAYES_SRC_INVISIBLE |
                            SA_BAYES_SRC_URI;
    const struct strv *v;
    size_t n = sa_conf_values(c, "bayes_token_sources", &v);

    for (size_t k = 0; k < sizeof(kw) / sizeof(kw[0]); k++)
        all |= kw[k].bit;
    for (size_t i = 0; i < n; i++) {
        char **w;
        size_t nw;

        if (v[i].len == 0)
            continue;
        nw = split_ws(a, lower(a, v[i].p), &w);
        for (size_t j = 0; j < nw; j++) {
            const char *word = w[j];
            bool no = strncmp(word, "no", 2) == 0, found = false;

            if (strcmp(word, "none") == 0 || strcmp(word, "noall") == 0) {
                src = 0;
                continue;
            }
            if (strcmp(word, "all") == 0) {
                src = all;
                continue;
            }
            for (size_t k = 0; k < sizeof(kw) / sizeof(kw[0]) && !found; k++) {
                /* /^(no)?(.+)\z/: "no" is taken as the prefix first */
                if (no && word[2] != '\0' && strcmp(word + 2, kw[k].name) == 0) {
                    src &= ~kw[k].bit;
                    found = true;
                } else if (strcmp(word, kw[k].name) == 0 && !(no && word[2] != '\0')) {
                    src |= kw[k].bit;
                    found = true;
                }
            }
            if (!found) {
                problem(st, "bayes_token_sources", v[i].p, "unknown source");
                break;
            }
        }
    }
    return src;
}

static void
get_ignore_headers(const struct sa_conf *c, struct arena *a, struct sa_bayes_cfg *out)
{
    const struct strv *v;
    size_t n = sa_conf_values(c, "bayes_ignore_header", &v), cap = 0;

    out->ignore_headers = NULL;
    out->nignore_headers = 0;
    for (size_t i = 0; i < n; i++) {
        char **w;
        size_t nw;

        if (v[i].len == 0)
            continue;
        nw = split_ws(a, v[i].p, &w);
        for (size_t j = 0; j < nw; j++) {
            char *lc = lower(a, w[j]);
            bool dup = false;

            for (size_t k = 0; k < out->nignore_headers && !dup; k++)
                dup = strcmp(out->ignore_headers[k], lc) == 0;
            if (dup)
                continue;
            if (out->nignore_headers == cap) {
                size_t ncap = cap ? cap * 2 : 64;

                out->ignore_headers = arena_realloc(a, out->ignore_headers, cap * sizeof(char *),
                                                    ncap * sizeof(char *));
                cap = ncap;
            }
            out->ignore_headers[out->nignore_headers++] = lc;
        }
    }
}

/* bayes_stopword_languages: "disable", or two-letter codes split on
 * commas and blanks; a bad code refuses the whole line */
static size_t
get_languages(const struct sa_conf *c, struct arena *a, char ***langs, struct cfg_state *st)
{
    const struct strv *v;
    size_t n = sa_conf_values(c, "bayes_stopword_languages", &v), nl = 1;
    char **cur = arena_alloc(a, sizeof(char *));

    cur[0] = arena_strdup(a, "en");
    for (size_t i = 0; i < n; i++) {
        const char *s = v[i].p;
        char **l = arena_alloc(a, (strlen(s) + 1) * sizeof(char *));
        size_t m = 0, k = 0, len = strlen(s);
        bool bad = false;

        if (strcmp(s, "disable") == 0) {
            nl = 0;
            continue;
        }
        while (k < len && !bad) { /* split(/(?:\s*,\s*|\s+)/, lc $value) */
            size_t j = k;

            while (j < len && !is_space(s[j]) && s[j] != ',')
                j++;
            if (j > k || k == 0) {
                char *code = lower(a, arena_strndup(a, s + k, j - k));

                bad = strlen(code) != 2 || code[0] < 'a' || code[0] > 'z' || code[1] < 'a' ||
                      code[1] > 'z';
                l[m++] = code;
            }
            while (j < len && (is_space(s[j]) || s[j] == ','))
                j++;
            k = j;
        }
        if (bad) {
            problem(st, "bayes_stopword_languages", s, "not a two-letter language code");
            continue;
        }
        if (m == 0) {
            problem(st, "bayes_stopword_languages", s, "no language");
            continue;
        }
        cur = l;
        nl = m;
    }
    *langs = cur;
    return nl;
}

/* bayes_stopword_XX: each blank-separated pattern compiled as
 * '^(?i)'.$re.'$'; the last good one wins, a bad one stops the line */
static bool
get_stopword(const struct sa_conf *c, struct arena *a, const char *lang,
             struct sa_bayes_stopword *out, struct cfg_state *st)
{
    char key[64];
    const struct strv *v;
    size_t n;
    bool have = false;

    snprintf(key, sizeof(key), "bayes_stopword_%s", lang);
    n = sa_conf_values(c, key, &v);
    for (size_t i = 0; i < n; i++) {
        char **w;
        size_t nw = split_ws(a, v[i].p, &w);

        for (size_t j = 0; j < nw; j++) {
            char *re = arena_printf(a, "^(?i)%s$", w[j]);
            struct sa_regex sr;
            struct sift_err e;

            if (sa_regex_translate(a, strv_cstr(re), STRV_LIT(""), &sr, &e) != SA_RE_OK ||
                sa_regex_check(&sr, &e) != SA_RE_OK) {
                problem(st, key, w[j], e.msg);
                break;
            }
            out->lang = arena_strdup(a, lang);
            out->pattern = sr.pattern;
            out->options = sa_regex_pcre2_options(sr.flags);
            have = true;
        }
    }
    if (!have && strcmp(lang, "en") == 0) {
        struct sa_regex sr;
        struct sift_err e;

        if (sa_regex_translate(a, strv_cstr(builtin_en), STRV_LIT(""), &sr, &e) == SA_RE_OK) {
            out->lang = "en";
            out->pattern = sr.pattern;
            out->options = sa_regex_pcre2_options(sr.flags);
            have = true;
        }
    }
    return have;
}

int
sa_bayes_cfg_get(const struct sa_conf *c, struct arena *a, struct sa_bayes_cfg *out,
                 struct sift_err *err)
{
    struct cfg_state st = { 0, err };
    char **langs;
    size_t nl;
    double d;

    memset(out, 0, sizeof(*out));
    out->sources = get_sources(c, a, &st);
    out->max_token_length = 15;
    if (get_number(c, "bayes_max_token_length", &d, &st))
        out->max_token_length = d < 0 ? 0 : (size_t)floor(d);
    get_ignore_headers(c, a, out);
    nl = get_languages(c, a, &langs, &st);
    out->stopwords = arena_calloc(a, nl + 1, sizeof(*out->stopwords));
    for (size_t i = 0; i < nl; i++) {
        /* finish_parsing_end: a language with no pattern is left out */
        if (get_stopword(c, a, langs[i], &out->stopwords[out->nstopwords], &st))
            out->nstopwords++;
        else
            problem(&st, "bayes_stopword_languages", langs[i], "no stop-word pattern");
    }
    out->use_bayes = get_bool(c, "use_bayes", true);
    out->use_bayes_rules = get_bool(c, "use_bayes_rules", true);
    out->use_learner = get_bool(c, "use_learner", true);
    out->use_hapaxes = get_bool(c, "bayes_use_hapaxes", true);
    out->min_spam_num = 200;
    out->min_ham_num = 200;
    if (get_number(c, "bayes_min_spam_num", &d, &st))
        out->min_spam_num = d;
    if (get_number(c, "bayes_min_ham_num", &d, &st))
        out->min_ham_num = d;
    return st.problems;
}
