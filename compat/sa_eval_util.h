/*
 * sa_eval_util.h - what compat/'s SpamAssassin eval functions share: their
 * arguments as Perl sees them, the text SA hands a body-side eval, the
 * HTML results of a message with the Perl flag of their strings, Perl's
 * character classes, SpamAssassin's locale checks (ok_locales), and
 * PCRE2 patterns that live as long as an arena.
 * No state of its own: everything lives in the arenas given.
 */
#ifndef SIFT_COMPAT_SA_EVAL_UTIL_H
#define SIFT_COMPAT_SA_EVAL_UTIL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/strv.h"
#include "mime/mime_html.h"
#include "mime/mime_msg.h"
#include "mime/mime_views.h"
#include "scan/scan_eval.h"

/* Rule types a body-side eval accepts: SA's TYPE_BODY_EVALS allows body
 * and rawbody rules. */
#define SA_EVAL_BODY_TARGETS ((1u << SCAN_T_BODY) | (1u << SCAN_T_RAWBODY))

/* Argument i as SA's pack_eval_args leaves it: always a string (an
 * unquoted undef is the string "undef"), NULL when not given. */
const char *sa_eval_arg(const struct scan_rule *r, size_t i);
/* Perl's numification of a string: leading blanks, a decimal number
 * ("0400" is 400, ".05" is 0.05), "inf"/"nan"; anything else 0. NULL: 0. */
double sa_eval_perl_num(const char *s);
/* sa_eval_perl_num(sa_eval_arg(r, i)). */
double sa_eval_argnum(const struct scan_rule *r, size_t i);
/* Perl's truth of a string: false for NULL, "" and "0". */
bool sa_eval_perl_true(const char *s, size_t len);

/* The array SA passes to a body-side eval: the body view for body rules,
 * the rawbody view for rawbody rules, the pristine message as one line for
 * full rules, nothing for the others. */
struct mime_view sa_eval_text(struct scan_eval_ctx *ec);

/* One entry of SA's html_all (an HTML part's html_results), with Perl's
 * UTF-8 flag of the strings it holds. */
struct sa_html {
    const struct mime_html_result *r; /* NULL: an empty HTML part (no results) */
    struct mime_part *part;
    bool flagged;
};
/* The HTML results of m in SA's order; *out is in m's arena. */
size_t sa_eval_html_all(struct mime_msg *m, struct sa_html **out);
/* Did HTML.pm's html_end run (and so set length, inside, uri_detail...)? */
bool sa_eval_html_ended(const struct mime_html_result *r);
/* inside{tag}: its count, or -1 when the tag was never seen. */
int sa_eval_html_inside(const struct mime_html_result *r, const char *tag);

/* A configuration value (sa_conf_value through ec->data), or def when
 * there is no configuration. */
const char *sa_eval_conf(const struct scan_eval_ctx *ec, const char *directive, const char *def);
/* Util::get_my_locales(ok_locales) contains "all". */
bool sa_eval_locales_all(const struct scan_eval_ctx *ec);
/* Locales::is_charset_ok_for_locales(cs, get_my_locales(ok_locales)). */
bool sa_eval_charset_ok(const struct scan_eval_ctx *ec, struct strv cs);
/* The same for a given ok_locales and environment locale (NULL: none). */
bool sa_eval_locales_have_all(const char *ok_locales, const char *lang);
bool sa_eval_charset_ok_for(const char *ok_locales, const char *lang, struct strv cs);
/* The locale get_my_locales adds: $LC_ALL || $LANGUAGE || $LC_MESSAGES ||
 * $LANG, or NULL. */
const char *sa_eval_env_lang(void);

/* UTF-8 walking and Perl's \s and \w on a code point, for a string with
 * Perl's UTF-8 flag on (uni) or off. */
uint32_t sa_eval_utf8_next(const char *p, size_t len, size_t *i);
size_t sa_eval_utf8_count(const char *p, size_t len);
bool sa_eval_is_space(uint32_t c, bool uni);
bool sa_eval_is_word(uint32_t c, bool uni);

/* Compile a pattern (PCRE2 syntax, LF newlines) freed with arena a; NULL
 * with a reason in err when it does not compile. */
pcre2_code *sa_eval_re_compile(struct arena *a, const char *pat, uint32_t opts,
                               struct sift_err *err);
/* Search s from byte off; true on a match, its bounds (byte offsets) in
 * ov[0..2*nov) when ov is not NULL (unset groups are PCRE2_UNSET). */
bool sa_eval_re_search(const pcre2_code *re, struct strv s, size_t off, size_t *ov, size_t nov);

/* ASCII lower case of v into arena a. */
struct strv sa_eval_lc(struct arena *a, struct strv v);
/* index($v, $s) >= 0; v starts with s. */
bool sa_eval_contains(struct strv v, const char *s);
bool sa_eval_prefix(struct strv v, const char *s);
/* The decoded value of a part's last header named name (Node::get_header
 * in scalar context, without its newline; empty when absent, *present
 * then false). */
struct strv sa_eval_part_header(const struct mime_part *p, const char *name, bool *present);
/* The same, lower-cased into arena a (lc $p->get_header(...), chomped). */
struct strv sa_eval_part_header_lc(struct arena *a, const struct mime_part *p, const char *name);
/* A leaf's raw lines (Node::raw()), each with its newline: the line at
 * *off into *l, *off moved past it; false after the last. */
bool sa_eval_raw_line(struct strv raw, size_t *off, struct strv *l);

#endif
