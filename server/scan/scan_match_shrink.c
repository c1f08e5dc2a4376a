/*
 * scan_match_shrink.c - a smaller pattern for the Hyperscan pass (see
 * scan_match_int.h). SpamAssassin's rules spell each letter of a word as
 * the letter and its look-alikes: (?:[eE3]|\xc3[\xa8-\xab]|\xc4[\x93\x95]
 * |...), dozens of byte sequences per letter. Hyperscan has no literal to
 * start from in such a word and runs one big automaton over every byte.
 * Every branch that can only match bytes 0x80-0xff becomes one
 * [\x80-\xff]+ (the bytes also leave a class that is a whole branch, and
 * a list of numeric character references becomes &#x?[0-9a-fA-F]+;), so
 * the automaton is a fraction of the size. The result matches wherever the
 * pattern does; PCRE2 still decides.
 */
#include <stdbool.h>
#include <string.h>

#include "core/buf.h"
#include "core/xmalloc.h"
#include "scan/scan_match_int.h"
#include "scan/scan_rule.h"

static bool
sh_high_hex(const char *h)
{
    return strchr("89abcdefABCDEF", h[0]) != NULL && h[0] != '\0' &&
           strchr("0123456789abcdefABCDEF", h[1]) != NULL && h[1] != '\0';
}

/* The end of the atom at s[i], or 0 when it is not understood. */
static size_t
sh_atom_end(const char *s, size_t i)
{
    int depth = 0;

    if (s[i] == '\\') {
        if (s[i + 1] == '\0')
            return 0;
        if (strchr("xopPNgk", s[i + 1]) != NULL && s[i + 2] == '{') {
            const char *close = strchr(s + i + 2, '}');

            return close != NULL ? (size_t)(close - s) + 1 : 0;
        }
        if (s[i + 1] == 'x') { /* \xHH: up to two hex digits */
            size_t k = i + 2;

            while (k < i + 4 && s[k] != '\0' && strchr("0123456789abcdefABCDEF", s[k]) != NULL)
                k++;
            return k;
        }
        return i + 2;
    }
    if (s[i] == '[') {
        size_t k = i + 1;

        if (s[k] == '^')
            k++;
        if (s[k] == ']')
            k++;
        while (s[k] != '\0' && s[k] != ']') {
            if (s[k] == '\\' && s[k + 1] != '\0')
                k += 2;
            else if (s[k] == '[' && s[k + 1] == ':' && strstr(s + k + 2, ":]") != NULL)
                k = (size_t)(strstr(s + k + 2, ":]") - s) + 2;
            else
                k++;
        }
        return s[k] == ']' ? k + 1 : 0;
    }
    if (s[i] != '(')
        return s[i] != '\0' ? i + 1 : 0;
    for (size_t k = i; s[k] != '\0';) {
        if (s[k] == '\\' || s[k] == '[') {
            size_t e = sh_atom_end(s, k);

            if (e == 0)
                return 0;
            k = e;
            continue;
        }
        if (s[k] == '(')
            depth++;
        else if (s[k] == ')' && --depth == 0)
            return k + 1;
        k++;
    }
    return 0;
}

#define SH_BAD ((size_t)-1)

/* The end of the branch starting at s[i] (before | or the group's ")"),
 * SH_BAD when it is not understood. */
static size_t
sh_branch_end(const char *s, size_t i, size_t to)
{
    while (i < to && s[i] != '|') {
        size_t e = sh_atom_end(s, i);

        if (e == 0 || e > to)
            return SH_BAD;
        i = e;
    }
    return i;
}

/* A quantifier at s[i]: its end, with *zero when it allows none. */
static size_t
sh_quant_end(const char *s, size_t i, size_t to, bool *zero)
{
    if (i < to && (s[i] == '?' || s[i] == '*')) {
        *zero = true;
        i++;
    } else if (i < to && s[i] == '+') {
        i++;
    } else if (i < to && s[i] == '{' && s[i + 1] >= '0' && s[i + 1] <= '9') {
        const char *close = strchr(s + i, '}');

        if (close == NULL || (size_t)(close - s) >= to)
            return i;
        *zero = s[i + 1] == '0' && (s[i + 2] == ',' || s[i + 2] == '}');
        i = (size_t)(close - s) + 1;
    } else {
        return i;
    }
    if (i < to && (s[i] == '?' || s[i] == '+')) /* lazy, possessive */
        i++;
    return i;
}

static bool sh_high_alt(const char *s, size_t from, size_t to, bool *empty);

/* Can s[from..to), one branch, match only bytes 0x80-0xff? *empty: it may
 * match nothing. */
static bool
sh_high_only(const char *s, size_t from, size_t to, bool *empty)
{
    if (from == to)
        return false;
    for (size_t i = from; i < to;) {
        size_t e = sh_atom_end(s, i);
        bool zero = false;

        if (e == 0 || e > to)
            return false;
        if (s[i] == '\\') {
            if (s[i + 1] != 'x' || !sh_high_hex(s + i + 2) || e != i + 4)
                return false;
        } else if (s[i] == '[') {
            if (s[i + 1] == '^')
                return false;
            for (size_t k = i + 1; k + 1 < e; k++) {
                if (s[k] == '-' && k > i + 1 && k + 2 < e)
                    continue;
                if (s[k] != '\\' || s[k + 1] != 'x' || !sh_high_hex(s + k + 2))
                    return false;
                k += 3;
            }
        } else if (s[i] == '(') {
            if (s[i + 1] != '?' || s[i + 2] != ':' || !sh_high_alt(s, i + 3, e - 1, &zero))
                return false;
        } else {
            return false;
        }
        i = sh_quant_end(s, e, to, &zero);
        if (zero)
            *empty = true;
    }
    return true;
}

/* Every branch of the alternation s[from..to) high-only? */
static bool
sh_high_alt(const char *s, size_t from, size_t to, bool *empty)
{
    for (size_t b = from; b <= to;) {
        size_t end = sh_branch_end(s, b, to);

        if (end == SH_BAD || !sh_high_only(s, b, end, empty))
            return false;
        b = end + 1;
    }
    return true;
}

static bool sh_alt(const char *s, size_t from, size_t to, struct buf *b);

/* A branch that is one class: the class without its bytes 0x80-0xff
 * (false: it is not one, or nothing would be left). */
static bool
sh_class_low(const char *s, size_t from, size_t to, struct buf *b)
{
    size_t mark = b->len;
    bool any = false;

    if (s[from] != '[' || s[from + 1] == '^' || sh_atom_end(s, from) != to)
        return false;
    buf_putc(b, '[');
    for (size_t k = from + 1; k + 1 < to; k++) {
        bool high = s[k] == '\\' && s[k + 1] == 'x' && sh_high_hex(s + k + 2);

        /* a high byte alone, not an end of a range */
        if (high && s[k + 4] != '-' && s[k - 1] != '-') {
            k += 3;
            continue;
        }
        if (s[k] == '\\') {
            buf_append(b, s + k, 2);
            k++;
        } else {
            buf_putc(b, s[k]);
        }
        any = true;
    }
    if (!any || s[to - 2] == '-' || s[from + 1] == '-') {
        b->len = mark;
        return false;
    }
    buf_putc(b, ']');
    return true;
}

/* A branch that is an HTML character reference by number, as the
 * look-alike lists spell them: &#(?:alternation of digits or x and hex
 * digits); becomes &#x?[0-9a-fA-F]+; */
static bool
sh_charref(const char *s, size_t from, size_t to, struct buf *b)
{
    size_t at = from + (strncmp(s + from, "&#", 2) == 0     ? 2
                        : strncmp(s + from, "&\\#", 3) == 0 ? 3
                                                            : 0);
    size_t k;

    if (at == from || to - at < 2 || s[to - 1] != ';')
        return false;
    for (k = at; k < to - 1 && strchr("0123456789abcdefABCDEFx()?:|[]-", s[k]) != NULL; k++)
        ;
    if (k != to - 1)
        return false;
    buf_puts(b, "&#x?[0-9a-fA-F]+;");
    return true;
}

/* The branch s[from..to): its (?:...) groups shrunk, the rest as is. */
static bool
sh_seq(const char *s, size_t from, size_t to, struct buf *b)
{
    for (size_t i = from; i < to;) {
        size_t e = sh_atom_end(s, i);

        if (e == 0 || e > to)
            return false;
        if (s[i] == '(' && s[i + 1] == '?' && s[i + 2] == ':') {
            buf_puts(b, "(?:");
            if (!sh_alt(s, i + 3, e - 1, b))
                return false;
            buf_putc(b, ')');
        } else {
            buf_append(b, s + i, e - i);
        }
        i = e;
    }
    return true;
}

/* The alternation s[from..to) with its high-only branches as one. */
static bool
sh_alt(const char *s, size_t from, size_t to, struct buf *b)
{
    bool dropped = false, empty = false, first = true;
    size_t start = b->len;

    /* which branches go: only then do classes lose their high bytes */
    for (size_t br = from; br <= to;) {
        size_t end = sh_branch_end(s, br, to);

        if (end == SH_BAD)
            return false;
        if (sh_high_only(s, br, end, &empty))
            dropped = true;
        br = end + 1;
    }
    for (size_t br = from; br <= to;) {
        size_t end = sh_branch_end(s, br, to);
        bool e = false;

        if (!(dropped && sh_high_only(s, br, end, &e))) {
            buf_puts(b, first ? "" : "|");
            first = false;
            if (!(dropped && (sh_class_low(s, br, end, b) || sh_charref(s, br, end, b))) &&
                !sh_seq(s, br, end, b)) {
                b->len = start;
                return false;
            }
        }
        br = end + 1;
    }
    if (dropped) {
        buf_puts(b, first ? "" : "|");
        buf_puts(b, empty ? "[\\x80-\\xff]*" : "[\\x80-\\xff]+");
    }
    return true;
}

char *
scan_match_shrink(const char *pat, unsigned re_flags)
{
    struct buf b;
    char *r;

    if ((re_flags & SCAN_RE_X) || strstr(pat, "\\Q") != NULL || strstr(pat, "(?#") != NULL)
        return NULL;
    buf_init(&b);
    if (!sh_alt(pat, 0, strlen(pat), &b) ||
        (b.len == strlen(pat) && memcmp(b.p, pat, b.len) == 0)) {
        buf_clear(&b);
        return NULL;
    }
    r = xstrndup(b.p, b.len);
    buf_clear(&b);
    return r;
}
