/*
 * sa_regex.h - SpamAssassin rule patterns (Perl regexes, as Perl 5.36
 * compiles them for SA 4.0.1: qr/$re/aa on byte strings) turned into
 * PCRE2 patterns with the same meaning, compiled without UTF or UCP.
 *
 * A rule writes /re/flags, m{re}flags, m!re!flags...: sa_regex_split cuts
 * that as Util::compile_regexp does. sa_regex_translate then rewrites
 * what PCRE2 10.42 reads differently from Perl 5.36:
 *   - flags i m s x become enum scan_re_flag; n and xx go inline; a, aa,
 *     d, l, p change nothing on bytes; u, and g o c (Perl refuses them in
 *     SA) are refused;
 *   - under /i, Latin-1 letters fold as Perl's /aa folds them (0xC9
 *     matches 0xE9): each such byte, in or out of a class, gains its
 *     partner, since PCRE2's tables fold ASCII only;
 *   - quantifiers Perl accepts and PCRE2 does not ({,n}, { 2, 3 }) are
 *     written {0,n}, {2,3}; a literal { is written \{;
 *   - inline flag groups lose the letters PCRE2 does not know ((?a), (?^aai:).
 * It refuses, as SA itself does (SA_RE_INVALID): code blocks (?{ }),
 * string escapes \Q \E \U \L \l \u \F, \C, unescaped delimiters, a literal
 * { after an atom, false ranges such as [\w-.], nested quantifiers, \x
 * followed by a non-hex digit, PCRE2-only syntax ((?C), (*UTF), (*LIMIT..)).
 * And what SA accepts but sift cannot give the same meaning to
 * (SA_RE_UNSUPPORTED): \G, \N{name}, (?[ ]), the u flag.
 * sa_regex_check compiles the result with PCRE2 as the engine will.
 */
#ifndef SIFT_COMPAT_SA_REGEX_H
#define SIFT_COMPAT_SA_REGEX_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/strv.h"

enum sa_regex_status {
    SA_RE_OK = 0,
    SA_RE_INVALID = -1,     /* SpamAssassin refuses it too (lint error; the rule is not defined) */
    SA_RE_UNSUPPORTED = -2, /* SpamAssassin runs it; sift cannot (or PCRE2 refuses it) */
};

struct sa_regex {
    const char *pattern; /* PCRE2 source, NUL-terminated (a NUL byte is written \x00) */
    unsigned flags;      /* enum scan_re_flag */
};

/* Cut "/re/flags", "m{re}flags", "qr!re!flags" into the pattern and its
 * flags (views into text), as Util::compile_regexp does: the pattern runs
 * to the closing delimiter that ends the text before the flags
 * ([a-df-z]*); an unescaped delimiter inside is an error unless the
 * delimiters are a } ) ] pair. */
enum sa_regex_status sa_regex_split(struct strv text, struct strv *body, struct strv *mods,
                                    struct sift_err *err);

/* Translate a Perl pattern and its flags into out (pattern in arena a). */
enum sa_regex_status sa_regex_translate(struct arena *a, struct strv body, struct strv mods,
                                        struct sa_regex *out, struct sift_err *err);

/* Does PCRE2 compile it? The reason is PCRE2's message. */
enum sa_regex_status sa_regex_check(const struct sa_regex *re, struct sift_err *err);

/* Split, translate and check a delimited pattern. */
enum sa_regex_status sa_regex_compile(struct arena *a, struct strv text, struct sa_regex *out,
                                      struct sift_err *err);

/* The PCRE2 compile options for these flags, and nothing else: no UTF, no
 * UCP; the library's default newline (LF). What the engine uses. */
uint32_t sa_regex_pcre2_options(unsigned flags);

#endif
