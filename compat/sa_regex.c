/*
 * sa_regex.c - Perl (5.36, as SpamAssassin 4.0.1 compiles rules) to PCRE2
 * (10.42, no UTF, no UCP) pattern translation (see sa_regex.h).
 *
 * One pass over the pattern, copying what both engines read alike and
 * rewriting the rest. A stack of group states follows the inline flags
 * that matter while copying: x (white space and # comments), i with a
 * Unicode-rules charset (Latin-1 letters fold under Perl's /aa). What
 * Perl 5.36 refuses with an error or a warning (SA dies on warnings that
 * are not deprecations) is refused here too when it is cheap to see.
 */
#include "compat/sa_regex.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/buf.h"
#include "scan/scan_rule.h"

/* Zero-length items, which Perl lets take some quantifiers. */
#define RE_ZL_NONE   0
#define RE_ZL_SIMPLE 1 /* \b \B \A \z \Z ^ $: PCRE2 takes no quantifier on them */
#define RE_ZL_LOOK   2 /* a lookaround group */

/* PCRE2's default parenthesis nesting limit. */
#define RE_MAX_DEPTH 250
/* Perl's largest counted quantifier (REG_INFTY - 1). */
#define RE_MAX_COUNT 65534

struct re_state {
    bool look;   /* this group is a lookaround (zero-length) */
    bool i;      /* caseless */
    bool x;      /* extended: blanks and # comments ignored */
    bool xx;     /* blanks ignored in classes too */
    bool latin1; /* charset with Unicode rules (aa, a): Latin-1 letters fold */
};

struct re_tr {
    const unsigned char *p;
    size_t n, i;
    struct buf out;
    struct re_state st[RE_MAX_DEPTH + 1];
    int depth;
    bool atom;     /* the last item can take a quantifier */
    bool quant;    /* the last item was a quantifier */
    bool brace_ok; /* a { that is no quantifier is literal here (Perl does not object) */
    int zl;        /* the last item is zero-length: RE_ZL_* */
    size_t zl_at;  /* where an RE_ZL_SIMPLE item starts in out */
    enum sa_regex_status status;
    struct sift_err *err;
};

enum esc_kind {
    ESC_CHAR,  /* one byte, its value known */
    ESC_CLASS, /* \d \w \s \h \v \p{..} and negations */
    ESC_OTHER, /* back references, assertions, \R \X \K \N */
};

struct re_esc {
    enum esc_kind kind;
    int value;  /* ESC_CHAR; above 0xFF for \x{...} of a wider character */
    size_t len; /* bytes of the escape in the pattern */
    bool canon; /* the text cannot be copied: write \xHH */
};

static bool tr_fail(struct re_tr *t, enum sa_regex_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool
tr_fail(struct re_tr *t, enum sa_regex_status st, const char *fmt, ...)
{
    va_list ap;
    char msg[256];

    if (t->status != SA_RE_OK)
        return false;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    t->status = st;
    sift_err_set(t->err, "%s (at offset %zu)", msg, t->i);
    return false;
}

/* ASCII classes: the process locale must not change what a pattern means. */
static bool
re_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool
re_lower(int c)
{
    return c >= 'a' && c <= 'z';
}

static bool
re_alpha(int c)
{
    return re_lower(c) || (c >= 'A' && c <= 'Z');
}

static bool
re_alnum(int c)
{
    return re_alpha(c) || re_digit(c);
}

static bool
re_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The byte a Latin-1 letter folds to under Perl's /aai, or -1. */
static int
re_partner(int b)
{
    if (b >= 0xC0 && b <= 0xDE && b != 0xD7)
        return b + 0x20;
    if (b >= 0xE0 && b <= 0xFE && b != 0xF7)
        return b - 0x20;
    return -1;
}

static struct re_state *
tr_cur(struct re_tr *t)
{
    return &t->st[t->depth];
}

/* After an item: can it be quantified, is a literal { fine after it. */
static void
tr_after(struct re_tr *t, bool atom)
{
    t->atom = atom;
    t->brace_ok = !atom;
    t->quant = false;
    t->zl = RE_ZL_NONE;
}

static bool
tr_folds(struct re_tr *t, int value)
{
    return tr_cur(t)->i && tr_cur(t)->latin1 && re_partner(value) >= 0;
}

/* Copy p[from, from+len), a NUL byte written as \x00. */
static void
tr_copy(struct re_tr *t, size_t from, size_t len)
{
    for (size_t k = from; k < from + len; k++) {
        if (t->p[k] == '\0')
            buf_puts(&t->out, "\\x00");
        else
            buf_putc(&t->out, (char)t->p[k]);
    }
}

/* The closing byte c at or after from, or n. */
static size_t
tr_find(const struct re_tr *t, size_t from, int c)
{
    const unsigned char *q = from < t->n ? memchr(t->p + from, c, t->n - from) : NULL;

    return q == NULL ? t->n : (size_t)(q - t->p);
}

static int
re_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The value inside \x{...} or \o{...} (blanks allowed at the ends, as
 * Perl 5.34 allows them); -1 when it is not a number of that base. */
static long
re_braced_value(const unsigned char *p, size_t len, int base)
{
    size_t a = 0, b = len;
    long v = 0;

    while (a < b && (p[a] == ' ' || p[a] == '\t'))
        a++;
    while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
        b--;
    if (a == b)
        return 0;
    for (size_t k = a; k < b; k++) {
        int d = base == 16 ? re_hexval(p[k]) : (p[k] >= '0' && p[k] <= '7' ? p[k] - '0' : -1);

        if (d < 0)
            return -1;
        if (v < 0x1000000)
            v = v * base + d;
    }
    return v;
}

/* A braced escape argument: \x{..} \o{..} \p{..} \g{..} \k{..}; *end is
 * the index of the closing brace. */
static bool
tr_braced(struct re_tr *t, size_t open, size_t *end, const char *what)
{
    *end = tr_find(t, open + 1, '}');
    if (*end >= t->n)
        return tr_fail(t, SA_RE_INVALID, "missing right brace on %s{}", what);
    return true;
}

static bool
tr_escape_value(struct re_tr *t, size_t i, int base, struct re_esc *e)
{
    size_t end;
    long v;

    if (!tr_braced(t, i + 1, &end, base == 16 ? "\\x" : "\\o"))
        return false;
    v = re_braced_value(t->p + i + 2, end - i - 2, base);
    if (v < 0)
        return tr_fail(t, SA_RE_INVALID, "non-%s character in %s{}", base == 16 ? "hex" : "octal",
                       base == 16 ? "\\x" : "\\o");
    e->kind = ESC_CHAR;
    e->value = (int)v;
    e->len = end + 1 - (i - 1);
    e->canon = true;
    return true;
}

/* \x without braces: at most two hex digits, and Perl warns (SA refuses
 * the rule) when fewer are followed by anything. */
static bool
tr_escape_hex(struct re_tr *t, size_t i, struct re_esc *e)
{
    size_t k = i + 1;
    int v = 0;

    while (k < t->n && k < i + 3 && re_hexval(t->p[k]) >= 0)
        v = v * 16 + re_hexval(t->p[k++]);
    if (k < i + 3 && k < t->n)
        return tr_fail(t, SA_RE_INVALID, "non-hex character '%c' terminates \\x early", t->p[k]);
    e->kind = ESC_CHAR;
    e->value = v;
    e->len = k - (i - 1);
    e->canon = k < i + 3; /* "\x" or "\x4" at the end */
    return true;
}

/* Octal: \0 and up to two more digits, or (in a class, or three digits
 * \101 outside one) \NNN. */
static bool
tr_escape_octal(struct re_tr *t, size_t i, size_t max, struct re_esc *e)
{
    size_t k = i;
    int v = 0;

    while (k < t->n && k < i + max && t->p[k] >= '0' && t->p[k] <= '7')
        v = v * 8 + (t->p[k++] - '0');
    if (k < t->n && (t->p[k] == '8' || t->p[k] == '9'))
        return tr_fail(t, SA_RE_INVALID, "non-octal character '%c' terminates \\0 early", t->p[k]);
    e->kind = ESC_CHAR;
    e->value = v;
    e->len = k - (i - 1);
    e->canon = v > 0xFF;
    return true;
}

/* Back reference \N or octal \NNN outside a class. */
static bool
tr_escape_digits(struct re_tr *t, size_t i, struct re_esc *e)
{
    size_t k = i;

    while (k < t->n && re_digit(t->p[k]))
        k++;
    if (k - i == 3 && t->p[i] <= '3' && t->p[i + 1] <= '7' && t->p[i + 2] <= '7' &&
        t->p[i + 1] >= '0') {
        /* \101: octal unless there are that many groups (never in rules) */
        return tr_escape_octal(t, i, 3, e);
    }
    e->kind = ESC_OTHER;
    e->len = k - (i - 1);
    return true;
}

/* \p{..} \pL \g{..} \g-1 \k<..>: an argument copied as written. */
static bool
tr_escape_arg(struct re_tr *t, size_t i, enum esc_kind kind, struct re_esc *e)
{
    size_t end;
    int c = t->p[i];
    int open = i + 1 < t->n ? t->p[i + 1] : -1;

    e->kind = kind;
    if (open == '{' || (c == 'k' && (open == '<' || open == '\''))) {
        int close = open == '{' ? '}' : open == '<' ? '>' : '\'';

        end = tr_find(t, i + 2, close);
        if (end >= t->n)
            return tr_fail(t, SA_RE_INVALID, "missing closing %c after \\%c", close, c);
        e->len = end + 1 - (i - 1);
        return true;
    }
    if (c == 'k' || open < 0)
        return tr_fail(t, SA_RE_INVALID, "\\%c needs an argument", c);
    if (c == 'g') {
        size_t k = i + 1;

        if (k < t->n && t->p[k] == '-')
            k++;
        if (k >= t->n || !re_digit(t->p[k]))
            return tr_fail(t, SA_RE_INVALID, "unterminated \\g... pattern");
        while (k < t->n && re_digit(t->p[k]))
            k++;
        e->len = k - (i - 1);
        return true;
    }
    e->len = 3; /* \pL */
    return true;
}

static bool re_curly(const unsigned char *p, size_t n, size_t i, size_t *end, long *min, long *max,
                     bool *comma);

/* The escape at t->i (a backslash): what it is and how long. */
static bool
tr_escape(struct re_tr *t, size_t at, bool in_class, struct re_esc *e)
{
    size_t i = at + 1;
    int c;

    memset(e, 0, sizeof(*e));
    t->i = at;
    if (i >= t->n)
        return tr_fail(t, SA_RE_INVALID, "trailing \\");
    c = t->p[i];
    e->len = 2;
    switch (c) {
    case 'x':
        if (i + 1 < t->n && t->p[i + 1] == '{')
            return tr_escape_value(t, i, 16, e);
        return tr_escape_hex(t, i, e);
    case 'o':
        if (i + 1 >= t->n || t->p[i + 1] != '{')
            return tr_fail(t, SA_RE_INVALID, "missing braces on \\o{}");
        return tr_escape_value(t, i, 8, e);
    case '0':
        return tr_escape_octal(t, i, 3, e);
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': /* clang-format off */
        /* clang-format on */
        if (in_class)
            return tr_escape_octal(t, i, 3, e);
        return tr_escape_digits(t, i, e);
    case '8':
    case '9':
        if (in_class)
            return tr_fail(t, SA_RE_INVALID, "unrecognized escape \\%c in character class", c);
        return tr_escape_digits(t, i, e);
    case 'c':
        if (i + 1 >= t->n || t->p[i + 1] < 0x20 || t->p[i + 1] >= 0x7F)
            return tr_fail(t, SA_RE_INVALID, "character following \\c must be printable ASCII");
        e->kind = ESC_CHAR;
        e->value = (re_lower(t->p[i + 1]) ? t->p[i + 1] - 32 : t->p[i + 1]) ^ 0x40;
        e->len = 3;
        return true;
    case 'N': {
        size_t qend;
        long qmin, qmax;
        bool qcomma;

        /* \N{3} is \N quantified; \N{NAME} a named character */
        if (i + 1 < t->n && t->p[i + 1] == '{' &&
            !re_curly(t->p, t->n, i + 1, &qend, &qmin, &qmax, &qcomma))
            return tr_fail(t, SA_RE_UNSUPPORTED, "\\N{...} (a character name) is Perl-only");
        if (in_class)
            return tr_fail(t, SA_RE_INVALID, "\\N in a character class");
        e->kind = ESC_OTHER;
        return true;
    }
    case 'G':
        return tr_fail(t, SA_RE_UNSUPPORTED, "\\G depends on Perl's pos()");
    case 'Q':
    case 'E':
    case 'U':
    case 'L':
    case 'l':
    case 'u':
    case 'F':
        return tr_fail(t, SA_RE_INVALID,
                       "\\%c is a Perl string escape, not a regex one (SA refuses the rule)", c);
    case 'C':
        return tr_fail(t, SA_RE_INVALID, "\\C is no longer supported by Perl");
    case 'b':
        if (in_class) {
            e->kind = ESC_CHAR;
            e->value = 0x08;
            return true;
        }
        /* fall through */
    case 'B':
        if (in_class || (i + 1 < t->n && t->p[i + 1] == '{'))
            return tr_fail(t, SA_RE_INVALID, "\\%c%s is not available to rules", c,
                           in_class ? " in a character class" : "{...}");
        e->kind = ESC_OTHER;
        return true;
    case 'p':
    case 'P':
        return tr_escape_arg(t, i, ESC_CLASS, e);
    case 'g':
    case 'k':
        if (in_class)
            return tr_fail(t, SA_RE_INVALID, "\\%c in a character class", c);
        return tr_escape_arg(t, i, ESC_OTHER, e);
    case 'd':
    case 'D':
    case 'w':
    case 'W':
    case 's':
    case 'S': /* clang-format off */
    case 'h': case 'H': case 'v': case 'V': /* clang-format on */
        e->kind = ESC_CLASS;
        return true;
    case 'R':
    case 'X':
    case 'K':
    case 'A':
    case 'z':
    case 'Z':
        if (in_class)
            return tr_fail(t, SA_RE_INVALID, "\\%c in a character class", c);
        e->kind = ESC_OTHER;
        return true;
    case 'a':
    case 'e':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        e->kind = ESC_CHAR;
        e->value = c == 'a'   ? 7
                   : c == 'e' ? 0x1B
                   : c == 'f' ? 0x0C
                   : c == 'n' ? 0x0A
                   : c == 'r' ? 0x0D
                              : 0x09;
        return true;
    default:
        if (re_alnum(c))
            return tr_fail(t, SA_RE_INVALID, "unrecognized escape \\%c", c);
        e->kind = ESC_CHAR; /* an escaped punctuation mark or byte: itself */
        e->value = c;
        e->canon = c == '\0';
        return true;
    }
}

/* The byte a character above 0xFF matches under /aai (Perl upgrades a
 * byte subject as Latin-1 to compare), or -1: it matches no byte. */
static int
re_wide_fold(int cp)
{
    switch (cp) {
    case 0x178: /* Y WITH DIAERESIS */
        return 0xFF;
    case 0x39C: /* GREEK MU */
    case 0x3BC:
        return 0xB5;
    case 0x1E9E: /* CAPITAL SHARP S */
        return 0xDF;
    case 0x212B: /* ANGSTROM SIGN */
        return 0xE5;
    default:
        return -1;
    }
}

/* Write a literal byte that was written from..from+len: itself, or the
 * pair of Latin-1 cases, or \xHH. */
static void
tr_emit_char(struct re_tr *t, int value, size_t from, size_t len, bool canon)
{
    if (value > 0xFF) {
        int b = tr_cur(t)->i && tr_cur(t)->latin1 ? re_wide_fold(value) : -1;

        if (b < 0) { /* a character no byte can be: a class that matches nothing */
            buf_puts(&t->out, "[^\\x00-\\xFF]");
            return;
        }
        value = b;
        canon = true;
    }
    if (tr_folds(t, value)) {
        int o = re_partner(value);

        buf_printf(&t->out, "[\\x%02X\\x%02X]", value < o ? value : o, value < o ? o : value);
    } else if (canon) {
        buf_printf(&t->out, "\\x%02X", value);
    } else {
        tr_copy(t, from, len);
    }
}

/* One item of a bracketed class at *i. */
struct re_item {
    enum esc_kind kind; /* ESC_CHAR or ESC_CLASS */
    int value;
    size_t from, len;
    bool canon;
};

static bool
tr_class_item(struct re_tr *t, size_t *i, struct re_item *it)
{
    const unsigned char *p = t->p;
    size_t k = *i;

    it->from = k;
    it->canon = false;
    if (p[k] == '\\') {
        struct re_esc e;

        if (!tr_escape(t, k, true, &e))
            return false;
        if (e.kind == ESC_OTHER)
            return tr_fail(t, SA_RE_INVALID, "escape not allowed in a character class");
        it->kind = e.kind;
        it->value = e.value;
        it->len = e.len;
        it->canon = e.canon;
    } else if (p[k] == '[' && k + 1 < t->n &&
               (p[k + 1] == ':' || p[k + 1] == '=' || p[k + 1] == '.')) {
        /* [:name:], [:^name:]; [=x=] and [.x.] are errors in Perl; any other [ is itself */
        int d = p[k + 1];
        size_t e = k + 2;

        if (d == ':') {
            while (e < t->n && (re_alpha(p[e]) || p[e] == '^'))
                e++;
        } else {
            while (e < t->n && p[e] != ']')
                e++;
            e = e > k + 3 && e < t->n && p[e - 1] == d ? e - 1 : t->n;
        }
        if (e + 1 < t->n && e > k + 2 && p[e] == d && p[e + 1] == ']') {
            if (d != ':') {
                t->i = k;
                return tr_fail(t, SA_RE_INVALID, "POSIX syntax [%c %c] is reserved", d, d);
            }
            it->kind = ESC_CLASS;
            it->len = e + 2 - k;
        } else {
            it->kind = ESC_CHAR;
            it->value = '[';
            it->len = 1;
        }
    } else {
        it->kind = ESC_CHAR;
        it->value = p[k];
        it->len = 1;
        it->canon = p[k] == '\0';
    }
    *i = k + it->len;
    return true;
}

static void
tr_emit_item(struct re_tr *t, const struct re_item *it)
{
    if (it->kind == ESC_CHAR && it->canon)
        buf_printf(&t->out, "\\x%02X", it->value);
    else
        tr_copy(t, it->from, it->len);
}

static void
re_mark(unsigned char *set, int lo, int hi)
{
    for (int b = lo; b <= hi; b++)
        set[b >> 3] |= (unsigned char)(1u << (b & 7));
}

static bool
re_marked(const unsigned char *set, int b)
{
    return (set[b >> 3] >> (b & 7)) & 1;
}

static int
tr_wide_byte(struct re_tr *t, int cp)
{
    return tr_cur(t)->i && tr_cur(t)->latin1 ? re_wide_fold(cp) : -1;
}

/* A character above 0xFF in a class: the bytes it stands for. */
static void
tr_class_wide(struct re_tr *t, unsigned char *set, int lo, int hi, size_t *items)
{
    static const int wide[] = { 0x178, 0x39C, 0x3BC, 0x1E9E, 0x212B };

    for (size_t k = 0; k < sizeof(wide) / sizeof(wide[0]); k++) {
        int b = wide[k] >= lo && wide[k] <= hi ? tr_wide_byte(t, wide[k]) : -1;

        if (b >= 0 && !re_marked(set, b)) {
            re_mark(set, b, b);
            buf_printf(&t->out, "\\x%02X", b);
            (*items)++;
        }
    }
}

/* A bracketed class at t->i. Under /i the partners of its Latin-1 letters
 * are added before the ]; characters above 0xFF match no byte and go. */
static bool
tr_class(struct re_tr *t)
{
    unsigned char set[32] = { 0 };
    size_t i = t->i + 1, start = t->i, open = t->out.len, items = 0;
    bool first = true, neg = false;

    buf_putc(&t->out, '[');
    if (i < t->n && t->p[i] == '^') {
        buf_putc(&t->out, (char)t->p[i++]);
        neg = true;
    }
    for (;;) {
        struct re_item a, b;

        if (i >= t->n) {
            t->i = start;
            return tr_fail(t, SA_RE_INVALID, "unmatched [");
        }
        if (t->p[i] == ']' && !first)
            break;
        first = false;
        if (tr_cur(t)->xx && (t->p[i] == ' ' || t->p[i] == '\t')) {
            buf_putc(&t->out, (char)t->p[i++]);
            continue;
        }
        if (!tr_class_item(t, &i, &a))
            return false;
        if (i + 1 < t->n && t->p[i] == '-' && t->p[i + 1] != ']') {
            size_t dash = i++;

            if (!tr_class_item(t, &i, &b))
                return false;
            t->i = a.from;
            if (a.kind == ESC_CLASS || b.kind == ESC_CLASS)
                return tr_fail(t, SA_RE_INVALID, "false [] range \"%.*s\"",
                               (int)(b.from + b.len - a.from), (const char *)t->p + a.from);
            if (a.value > b.value)
                return tr_fail(t, SA_RE_INVALID, "invalid [] range \"%.*s\"",
                               (int)(b.from + b.len - a.from), (const char *)t->p + a.from);
            if (b.value > 0xFF) {
                tr_class_wide(t, set, a.value > 0xFF ? a.value : 0x100, b.value, &items);
                if (a.value > 0xFF)
                    continue;
                b.value = 0xFF;
                b.canon = true;
            }
            re_mark(set, a.value, b.value);
            tr_emit_item(t, &a);
            tr_copy(t, dash, 1);
            tr_emit_item(t, &b);
            items++;
            continue;
        }
        if (a.kind == ESC_CHAR && a.value > 0xFF) {
            tr_class_wide(t, set, a.value, a.value, &items);
            continue;
        }
        if (a.kind == ESC_CHAR)
            re_mark(set, a.value, a.value);
        tr_emit_item(t, &a);
        items++;
    }
    if (tr_cur(t)->i && tr_cur(t)->latin1) {
        for (int c = 0xC0; c <= 0xFE; c++) {
            int o = re_partner(c);

            if (o >= 0 && re_marked(set, c) && !re_marked(set, o))
                buf_printf(&t->out, "\\x%02X", o);
        }
    }
    if (items == 0) { /* only wide characters: no byte, or any byte */
        t->out.len = open;
        buf_puts(&t->out, neg ? "[\\x00-\\xFF]" : "[^\\x00-\\xFF]");
    } else {
        buf_putc(&t->out, ']');
    }
    t->i = i + 1;
    tr_after(t, true);
    return true;
}

static bool
tr_push(struct re_tr *t, struct re_state st)
{
    if (t->depth >= RE_MAX_DEPTH)
        return tr_fail(t, SA_RE_UNSUPPORTED, "groups nested deeper than %d", RE_MAX_DEPTH);
    t->st[++t->depth] = st;
    t->st[t->depth].look = false;
    tr_after(t, false);
    return true;
}

/* (?flags) or (?flags: at t->i: Perl's letters, PCRE2 gets those it knows. */
static bool
tr_flag_group(struct re_tr *t)
{
    struct re_state st = *tr_cur(t);
    char on[16], off[16];
    size_t non = 0, noff = 0, j = t->i + 2;
    bool neg = false, caret = false;

    if (j < t->n && t->p[j] == '^') {
        caret = true;
        st.i = st.x = st.xx = false;
        st.latin1 = false; /* (?^) is d-imnsx: native rules on bytes */
        j++;
    }
    for (; j < t->n && (re_alpha(t->p[j]) || t->p[j] == '-'); j++) {
        int c = t->p[j];
        bool keep = false;

        switch (c) {
        case '-':
            if (neg || caret)
                return tr_fail(t, SA_RE_INVALID, "sequence (?%s-...) not recognized",
                               caret ? "^" : "-");
            neg = true;
            continue;
        case 'i':
            st.i = !neg;
            keep = true;
            break;
        case 'x':
            st.x = !neg;
            if (neg)
                st.xx = false;
            else if (j + 1 < t->n && t->p[j + 1] == 'x')
                st.xx = true;
            keep = true;
            break;
        case 'm':
        case 's':
        case 'n':
            keep = true;
            break;
        case 'a':
            st.latin1 = !neg;
            break;
        case 'd':
        case 'l':
            st.latin1 = false;
            break;
        case 'p':
            break;
        case 'u':
            return tr_fail(t, SA_RE_UNSUPPORTED,
                           "(?u): Unicode rules on bytes (\\w matching Latin-1) are Perl-only");
        case 'g':
        case 'o':
        case 'c':
            return tr_fail(t, SA_RE_INVALID, "useless (?%c) (SA refuses the rule)", c);
        default:
            return tr_fail(t, SA_RE_INVALID, "sequence (?%c...) not recognized", c);
        }
        if (keep && neg && noff + 1 < sizeof(off))
            off[noff++] = (char)c;
        else if (keep && !neg && non + 1 < sizeof(on))
            on[non++] = (char)c;
    }
    if (j >= t->n || (t->p[j] != ':' && t->p[j] != ')'))
        return tr_fail(t, SA_RE_INVALID, "sequence (?... not terminated");
    if (t->p[j] == ')' && !caret && non == 0 && noff == 0) {
        /* (?a) and the like: nothing PCRE2 needs to see */
    } else {
        buf_puts(&t->out, "(?");
        if (caret)
            buf_putc(&t->out, '^');
        buf_append(&t->out, on, non);
        if (noff > 0) {
            buf_putc(&t->out, '-');
            buf_append(&t->out, off, noff);
        }
        buf_putc(&t->out, (char)t->p[j]);
    }
    t->i = j + 1;
    if (t->p[j] == ':')
        return tr_push(t, st);
    st.look = tr_cur(t)->look;
    *tr_cur(t) = st;
    tr_after(t, false);
    return true;
}

/* Copy through the next ')' (an item that is not a group: (?#..), (?1),
 * (?&name), (*VERB)). */
static bool
tr_through_paren(struct re_tr *t, bool atom)
{
    size_t end = tr_find(t, t->i, ')');

    if (end >= t->n)
        return tr_fail(t, SA_RE_INVALID, "sequence (... not terminated");
    tr_copy(t, t->i, end + 1 - t->i);
    t->i = end + 1;
    tr_after(t, atom);
    return true;
}

static bool
re_word_in(const unsigned char *p, size_t len, const char *const *list)
{
    for (size_t k = 0; list[k] != NULL; k++)
        if (strlen(list[k]) == len && memcmp(list[k], p, len) == 0)
            return true;
    return false;
}

/* (*VERB) and (*alpha_assertion: ... at t->i. */
static bool
tr_star_group(struct re_tr *t)
{
    static const char *const verbs[] = { "ACCEPT", "FAIL", "F",    "COMMIT", "PRUNE",
                                         "SKIP",   "THEN", "MARK", "",       NULL };
    static const char *const alpha[] = { "pla",
                                         "plb",
                                         "nla",
                                         "nlb",
                                         "positive_lookahead",
                                         "positive_lookbehind",
                                         "negative_lookahead",
                                         "negative_lookbehind",
                                         "atomic",
                                         "sr",
                                         "script_run",
                                         "asr",
                                         "atomic_script_run",
                                         NULL };
    size_t j = t->i + 2, k = j;

    while (k < t->n && (re_alnum(t->p[k]) || t->p[k] == '_'))
        k++;
    if (j < t->n && re_lower(t->p[j])) {
        if (k >= t->n || t->p[k] != ':' || !re_word_in(t->p + j, k - j, alpha))
            return tr_fail(t, SA_RE_INVALID, "unknown (*%.*s...) group", (int)(k - j),
                           (const char *)t->p + j);
        tr_copy(t, t->i, k + 1 - t->i);
        t->i = k + 1;
        if (!tr_push(t, *tr_cur(t)))
            return false;
        tr_cur(t)->look = t->p[j] == 'p' || t->p[j] == 'n';
        return true;
    }
    if (!re_word_in(t->p + j, k - j, verbs) || k >= t->n || (t->p[k] != ':' && t->p[k] != ')'))
        return tr_fail(t, SA_RE_INVALID, "unknown verb pattern (*%.*s): Perl has no such verb",
                       (int)(k - j), (const char *)t->p + j);
    return tr_through_paren(t, false);
}

/* A group opening at t->i. */
static bool
tr_group(struct re_tr *t)
{
    const unsigned char *p = t->p;
    size_t i = t->i;
    int c = i + 2 < t->n ? p[i + 2] : -1;

    if (i + 1 < t->n && p[i + 1] == '*')
        return tr_star_group(t);
    if (i + 1 >= t->n || p[i + 1] != '?') {
        buf_putc(&t->out, '(');
        t->i++;
        return tr_push(t, *tr_cur(t));
    }
    switch (c) {
    case '#': { /* a comment: the item before it stays the last one */
        bool atom = t->atom, quant = t->quant, brace_ok = t->brace_ok;
        int zl = t->zl;

        if (!tr_through_paren(t, atom))
            return false;
        t->quant = quant;
        t->brace_ok = brace_ok;
        t->zl = zl;
        return true;
    }
    case '{':
        return tr_fail(t, SA_RE_INVALID, "(?{ code }) is not allowed");
    case '?':
        return tr_fail(t, SA_RE_INVALID, "(??{ code }) is not allowed");
    case '[':
        return tr_fail(t, SA_RE_UNSUPPORTED, "(?[ ]) extended character classes are Perl-only");
    case 'C':
        return tr_fail(t, SA_RE_INVALID, "sequence (?C...) not recognized");
    case ':':
    case '=':
    case '!':
    case '>':
    case '|':
        tr_copy(t, i, 3);
        t->i += 3;
        if (!tr_push(t, *tr_cur(t)))
            return false;
        tr_cur(t)->look = c == '=' || c == '!';
        return true;
    case '(':
        tr_copy(t, i, 2); /* a condition follows, a group of its own */
        t->i += 2;
        return tr_push(t, *tr_cur(t));
    case '<':
    case '\'':
    case 'P': {
        int k = c == 'P' && i + 3 < t->n ? p[i + 3] : c;
        size_t end;

        if (c == '<' && i + 3 < t->n && (p[i + 3] == '=' || p[i + 3] == '!')) {
            tr_copy(t, i, 4);
            t->i += 4;
            if (!tr_push(t, *tr_cur(t)))
                return false;
            tr_cur(t)->look = true;
            return true;
        }
        if (c == 'P' && (k == '=' || k == '>'))
            return tr_through_paren(t, true);
        if (k != '<' && k != '\'')
            return tr_fail(t, SA_RE_INVALID, "sequence (?P%c... not recognized", k);
        end = tr_find(t, i + (c == 'P' ? 4 : 3), k == '<' ? '>' : '\'');
        if (end >= t->n)
            return tr_fail(t, SA_RE_INVALID, "sequence (?%c... not terminated", k);
        tr_copy(t, i, end + 1 - i);
        t->i = end + 1;
        return tr_push(t, *tr_cur(t));
    }
    case '&':
    case 'R':
    case '+':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': /* clang-format off */
    case '8': case '9': /* clang-format on */
        return tr_through_paren(t, true);
    case '-':
        if (i + 3 < t->n && re_digit(p[i + 3]))
            return tr_through_paren(t, true);
        return tr_flag_group(t);
    default:
        if (c == '^' || (c >= 0 && re_alpha(c)))
            return tr_flag_group(t);
        return tr_fail(t, SA_RE_INVALID, "sequence (?%c...) not recognized", c < 0 ? ' ' : c);
    }
}

/* Perl 5.36's counted quantifier at i: { blanks n blanks [, blanks m] blanks }
 * with at least one number. */
static bool
re_curly(const unsigned char *p, size_t n, size_t i, size_t *end, long *min, long *max, bool *comma)
{
    size_t k = i + 1;
    bool have_min = false, have_max = false;

    *min = 0;
    *max = -1;
    *comma = false;
    while (k < n && (p[k] == ' ' || p[k] == '\t'))
        k++;
    for (; k < n && re_digit(p[k]); k++, have_min = true)
        *min = *min < 1000000 ? *min * 10 + (p[k] - '0') : *min;
    while (k < n && (p[k] == ' ' || p[k] == '\t'))
        k++;
    if (k < n && p[k] == ',') {
        *comma = true;
        k++;
        while (k < n && (p[k] == ' ' || p[k] == '\t'))
            k++;
        *max = 0;
        for (; k < n && re_digit(p[k]); k++, have_max = true)
            *max = *max < 1000000 ? *max * 10 + (p[k] - '0') : *max;
        if (!have_max)
            *max = -1;
        while (k < n && (p[k] == ' ' || p[k] == '\t'))
            k++;
    }
    if (k >= n || p[k] != '}' || (!have_min && !have_max))
        return false;
    if (!*comma)
        *max = *min;
    *end = k;
    return true;
}

/* A quantifier {min,...} on a zero-length item. Perl takes them all (it
 * warns, so SA refuses, in some places, not others): a minimum of 0 makes
 * the item pointless, any other means it once. PCRE2 takes no quantifier
 * on \b, ^ and the like: the quantifier goes, and with min 0 the item
 * too. Lookarounds keep theirs: PCRE2 reads them as Perl does. */
static size_t
tr_zl_quant(struct re_tr *t, long min)
{
    if (t->zl != RE_ZL_SIMPLE)
        return (size_t)-1;
    return min == 0 ? t->zl_at : t->out.len;
}

/* After a quantifier: a lazy ? or possessive + goes with it; cut (when
 * not -1) is where the output ends (a zero-length item's quantifier). */
static void
tr_quant_suffix(struct re_tr *t, size_t cut)
{
    size_t k = t->i;

    while (tr_cur(t)->x && k < t->n && re_blank(t->p[k])) /* a? + is a?+ under /x */
        k++;
    if (k < t->n && (t->p[k] == '?' || t->p[k] == '+')) {
        buf_putc(&t->out, (char)t->p[k]);
        t->i = k + 1;
    }
    if (cut != (size_t)-1) {
        t->out.len = cut;
        t->out.p[t->out.len] = '\0';
    }
    t->atom = false;
    t->brace_ok = true;
    t->zl = RE_ZL_NONE;
    t->quant = true;
}

static bool
tr_curly(struct re_tr *t)
{
    size_t end, cut;
    long min, max;
    bool comma;

    if (!re_curly(t->p, t->n, t->i, &end, &min, &max, &comma)) {
        if (!t->brace_ok)
            return tr_fail(t, SA_RE_INVALID, "unescaped left brace after an atom (Perl refuses)");
        buf_puts(&t->out, "\\{");
        t->i++;
        tr_after(t, true);
        return true;
    }
    if (t->quant)
        return tr_fail(t, SA_RE_INVALID, "nested quantifiers");
    if (!t->atom) { /* Perl reads a quantifier after nothing as text */
        buf_puts(&t->out, "\\{");
        t->i++;
        tr_after(t, true);
        return true;
    }
    if (min > RE_MAX_COUNT || max > RE_MAX_COUNT)
        return tr_fail(t, SA_RE_INVALID, "quantifier in {,} bigger than %d", RE_MAX_COUNT);
    if (max >= 0 && min > max)
        return tr_fail(t, SA_RE_INVALID, "quantifier {n,m} with n > m can't match");
    cut = tr_zl_quant(t, min);
    if (!comma)
        buf_printf(&t->out, "{%ld}", min);
    else if (max < 0)
        buf_printf(&t->out, "{%ld,}", min);
    else
        buf_printf(&t->out, "{%ld,%ld}", min, max);
    t->i = end + 1;
    tr_quant_suffix(t, cut);
    return true;
}

static bool
tr_item(struct re_tr *t)
{
    int c = t->p[t->i];
    struct re_esc e;

    if (tr_cur(t)->x && re_blank(c)) {
        buf_putc(&t->out, (char)c);
        t->i++;
        return true;
    }
    if (tr_cur(t)->x && c == '#') { /* a comment to the end: the pattern is one line */
        tr_copy(t, t->i, t->n - t->i);
        t->i = t->n;
        return true;
    }
    switch (c) {
    case '\\': {
        size_t at = t->out.len;

        if (!tr_escape(t, t->i, false, &e))
            return false;
        if (e.kind == ESC_CHAR)
            tr_emit_char(t, e.value, t->i, e.len, e.canon);
        else
            tr_copy(t, t->i, e.len);
        tr_after(t, true);
        if (e.kind == ESC_OTHER && e.len == 2 && strchr("bBAzZ", t->p[t->i + 1]) != NULL) {
            t->zl = RE_ZL_SIMPLE;
            t->zl_at = at;
        }
        t->i += e.len;
        return true;
    }
    case '[':
        return tr_class(t);
    case '(':
        return tr_group(t);
    case ')': {
        bool look;

        if (t->depth == 0)
            return tr_fail(t, SA_RE_INVALID, "unmatched )");
        look = tr_cur(t)->look;
        t->depth--;
        buf_putc(&t->out, ')');
        t->i++;
        tr_after(t, true);
        if (look)
            t->zl = RE_ZL_LOOK;
        return true;
    }
    case '|':
        buf_putc(&t->out, (char)c);
        t->i++;
        tr_after(t, false);
        return true;
    case '^':
    case '$': /* zero-length, quantifiable in Perl; a { after ^ is text */
        tr_after(t, true);
        t->brace_ok = c == '^';
        t->zl = RE_ZL_SIMPLE;
        t->zl_at = t->out.len;
        buf_putc(&t->out, (char)c);
        t->i++;
        return true;
    case '*':
    case '+':
    case '?': {
        size_t cut;

        if (t->quant)
            return tr_fail(t, SA_RE_INVALID, "nested quantifiers");
        if (!t->atom)
            return tr_fail(t, SA_RE_INVALID, "quantifier follows nothing");
        cut = tr_zl_quant(t, c == '+');
        buf_putc(&t->out, (char)c);
        t->i++;
        tr_quant_suffix(t, cut);
        return true;
    }
    case '{':
        return tr_curly(t);
    default:
        tr_emit_char(t, c, t->i, 1, c == '\0');
        t->i++;
        tr_after(t, true);
        return true;
    }
}

/* The flags after the closing delimiter. */
static bool
tr_mods(struct re_tr *t, struct strv mods, unsigned *flags, struct buf *prefix)
{
    struct re_state *st = &t->st[0];

    for (size_t k = 0; k < mods.len; k++) {
        int c = (unsigned char)mods.p[k];

        switch (c) {
        case 'i':
            *flags |= SCAN_RE_I;
            st->i = true;
            break;
        case 'm':
            *flags |= SCAN_RE_M;
            break;
        case 's':
            *flags |= SCAN_RE_S;
            break;
        case 'x':
            if (k + 1 < mods.len && mods.p[k + 1] == 'x') {
                if (!st->xx)
                    buf_puts(prefix, "(?xx)");
                st->xx = true;
                k++;
            }
            *flags |= SCAN_RE_X;
            st->x = true;
            break;
        case 'n':
            if (strstr(prefix->p ? prefix->p : "", "(?n)") == NULL)
                buf_puts(prefix, "(?n)");
            break;
        case 'a':
        case 'p':
            break;
        case 'd':
        case 'l':
            st->latin1 = false;
            break;
        case 'u':
            return tr_fail(t, SA_RE_UNSUPPORTED,
                           "flag u: Unicode rules on bytes (\\w matching Latin-1) are Perl-only");
        case 'g':
        case 'o':
        case 'c':
            return tr_fail(t, SA_RE_INVALID, "useless flag %c (SA refuses the rule)", c);
        default:
            return tr_fail(t, SA_RE_INVALID, "unknown flag %c", c);
        }
    }
    return true;
}

enum sa_regex_status
sa_regex_translate(struct arena *a, struct strv body, struct strv mods, struct sa_regex *out,
                   struct sift_err *err)
{
    struct re_tr *t = arena_calloc(a, 1, sizeof(*t)); /* ~1 KB of group states */
    struct buf prefix;
    unsigned flags = 0;

    t->p = (const unsigned char *)body.p;
    t->n = body.len;
    t->err = err;
    t->st[0].latin1 = true; /* SA compiles with /aa: Unicode rules, ASCII classes */
    t->brace_ok = true;
    buf_init(&t->out);
    buf_init(&prefix);
    if (tr_mods(t, mods, &flags, &prefix))
        while (t->i < t->n && tr_item(t))
            ;
    if (t->status == SA_RE_OK && t->depth > 0)
        tr_fail(t, SA_RE_INVALID, "unmatched (");
    if (t->status == SA_RE_OK) {
        out->pattern = arena_printf(a, "%s%s", prefix.p ? prefix.p : "", t->out.p ? t->out.p : "");
        out->flags = flags;
    }
    buf_clear(&t->out);
    buf_clear(&prefix);
    return t->status;
}

enum sa_regex_status
sa_regex_split(struct strv text, struct strv *body, struct strv *mods, struct sift_err *err)
{
    const char *p = text.p, *end = text.p + text.len, *m;
    char close;
    size_t k;

    if (text.len >= 1 && p[0] == '/') {
        close = '/';
        p++;
    } else {
        size_t lead =
            text.len >= 2 && p[0] == 'q' && p[1] == 'r' ? 2 : text.len >= 1 && p[0] == 'm';
        int open;

        if (lead == 0 || text.len <= lead) {
            sift_err_set(err, "missing regexp delimiters");
            return SA_RE_INVALID;
        }
        open = (unsigned char)p[lead];
        if (re_alnum(open) || open == '_') {
            sift_err_set(err, "missing regexp delimiters");
            return SA_RE_INVALID;
        }
        if (open == '\\') {
            sift_err_set(err, "backslash delimiter not allowed");
            return SA_RE_INVALID;
        }
        close = open == '{'   ? '}'
                : open == '(' ? ')'
                : open == '<' ? '>'
                : open == '[' ? ']'
                              : (char)open;
        p += lead + 1;
    }
    /* \Q$close\E([a-df-z]*)\z: the delimiter cannot be a flag letter */
    for (m = end; m > p && m[-1] >= 'a' && m[-1] <= 'z' && m[-1] != 'e'; m--)
        ;
    if (m == p || m[-1] != close) {
        sift_err_set(err, "invalid end delimiter/mods");
        return SA_RE_INVALID;
    }
    *body = strv_make(p, (size_t)(m - 1 - p));
    *mods = strv_make(m, (size_t)(end - m));
    for (k = 0; k + 2 < body->len; k++) {
        const char *b = body->p + k;

        if (b[0] == '(' && b[1] == '?' &&
            (b[2] == '{' || (b[2] == '?' && k + 3 < body->len && b[3] == '{'))) {
            sift_err_set(err, "eval (?{}) found");
            return SA_RE_INVALID;
        }
    }
    if (close != '}' && close != ')' && close != ']') {
        /* an unescaped delimiter, once the \\ pairs are out of the way
         * (s/\\\\//g, then (?<!\\)DELIM) */
        char prev = '\0';

        for (k = 0; k < body->len; k++) {
            if (body->p[k] == '\\' && k + 1 < body->len && body->p[k + 1] == '\\') {
                k++;
                continue;
            }
            if (body->p[k] == close && prev != '\\') {
                sift_err_set(err, "unquoted delimiter '%c' found", close);
                return SA_RE_INVALID;
            }
            prev = body->p[k];
        }
    }
    return SA_RE_OK;
}

uint32_t
sa_regex_pcre2_options(unsigned flags)
{
    uint32_t o = PCRE2_NEVER_UTF | PCRE2_NEVER_UCP;

    if (flags & SCAN_RE_I)
        o |= PCRE2_CASELESS;
    if (flags & SCAN_RE_M)
        o |= PCRE2_MULTILINE;
    if (flags & SCAN_RE_S)
        o |= PCRE2_DOTALL;
    if (flags & SCAN_RE_X)
        o |= PCRE2_EXTENDED;
    return o;
}

enum sa_regex_status
sa_regex_check(const struct sa_regex *re, struct sift_err *err)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *c = pcre2_compile((PCRE2_SPTR)re->pattern, PCRE2_ZERO_TERMINATED,
                                  sa_regex_pcre2_options(re->flags), &code, &off, NULL);

    if (c == NULL) {
        PCRE2_UCHAR msg[256];

        pcre2_get_error_message(code, msg, sizeof(msg));
        sift_err_set(err, "PCRE2: %s at offset %zu", (const char *)msg, (size_t)off);
        return SA_RE_UNSUPPORTED;
    }
    pcre2_code_free(c);
    return SA_RE_OK;
}

enum sa_regex_status
sa_regex_compile(struct arena *a, struct strv text, struct sa_regex *out, struct sift_err *err)
{
    struct strv body, mods;
    enum sa_regex_status st = sa_regex_split(text, &body, &mods, err);

    if (st == SA_RE_OK)
        st = sa_regex_translate(a, body, mods, out, err);
    if (st == SA_RE_OK)
        st = sa_regex_check(out, err);
    return st;
}
