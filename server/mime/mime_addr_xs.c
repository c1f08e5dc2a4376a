/*
 * mime_addr_xs.c - Email::Address::XS 1.05's address parser (Dovecot's
 * message_address_parse), which SA's Util::parse_header_addresses asks when
 * its own parser (mime_addr.c) finds nothing or too few addresses.
 * Reimplemented from its behaviour; everything is in the caller's arena.
 */
#include "mime/mime_addr_int.h"

#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/strv.h"

/* --- Email::Address::XS 1.05: the Dovecot parser ------------------------- */

/*
 * Its functions return 1 (more input follows), 0 (input ends; a value may
 * have been read) or -1 (broken), and -2 for "read, but with a character or
 * dot problem" that Email::Address::XS accepts and marks invalid (its
 * parse runs as MESSAGE_ADDRESS_PARSE_FLAG_NON_STRICT_DOTS_AS_INVALID: a
 * local part like "a..b" or "a." is kept but invalid, ".a" fails). White space and comments after a
 * token are skipped by the token's reader; the last comment's text is kept.
 */
struct xs_addr {
    struct strv name, mailbox, domain, comment; /* p == NULL: not set */
    bool invalid;
    bool marker; /* a group's start or end, not an address */
};

struct xs {
    struct arena *a;
    const char *p, *end;
    struct ma_buf str;     /* the token being read */
    struct ma_buf comment; /* the last comment */
    struct xs_addr cur;
    struct xs_addr *v;
    size_t n, cap;
};

/* atext: anything but controls, space and specials; 8-bit bytes count */
static bool
xs_atext(unsigned char c)
{
    if (c >= 0x80)
        return true;
    if (c <= 0x20 || c == 0x7f)
        return false;
    return !ma_in("\"(),.:;<>@[\\]", (char)c);
}

static bool
xs_at(const struct xs *x, char c)
{
    return x->p < x->end && *x->p == c;
}

static void
xs_add(struct xs *x)
{
    if (x->n == x->cap) {
        size_t cap = x->cap == 0 ? 4 : 2 * x->cap;

        x->v = arena_realloc(x->a, x->v, x->cap * sizeof(*x->v), cap * sizeof(*x->v));
        x->cap = cap;
    }
    x->v[x->n++] = x->cur;
    memset(&x->cur, 0, sizeof(x->cur));
}

/* At '(': nested comments, backslash escapes, folding removed. */
static int
xs_comment(struct xs *x)
{
    const char *start;
    int level = 1;

    x->comment.len = 0;
    start = ++x->p;
    for (; x->p < x->end; x->p++) {
        switch (*x->p) {
        case '\0':
            return -1;
        case '(':
            level++;
            break;
        case ')':
            if (--level == 0) {
                ma_buf_put(&x->comment, start, (size_t)(x->p - start));
                x->p++;
                return x->p < x->end ? 1 : 0;
            }
            break;
        case '\n': {
            size_t len = (size_t)(x->p - start);

            if (len > 0 && start[len - 1] == '\r')
                len--;
            ma_buf_put(&x->comment, start, len);
            start = x->p + 1;
            break;
        }
        case '\\':
            if (++x->p >= x->end)
                return -1;
            ma_buf_put(&x->comment, start, (size_t)(x->p - 1 - start));
            start = x->p;
            break;
        }
    }
    return -1;
}

static int
xs_lwsp(struct xs *x)
{
    while (x->p < x->end) {
        char c = *x->p;

        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            x->p++;
        else if (c != '(')
            break;
        else if (xs_comment(x) < 0)
            return -1;
    }
    return x->p < x->end ? 1 : 0;
}

/* A dot-atom: white space allowed around the dots, "a..b" and a trailing
 * dot read but flagged (-2); a local part (stop_dot) leaves a trailing dot
 * unread. Where the input ends right after a dot it reports the previous
 * token's result, as Dovecot does. */
static int
xs_dot_atom(struct xs *x, struct ma_buf *s, bool stop_dot)
{
    const char *start, *last_dot;
    bool last_is_dot = false, dot_problem = false;
    int ret = 1;

    if (x->p >= x->end || !xs_atext((unsigned char)*x->p))
        return -1;
    last_dot = x->p;
    for (start = x->p++; x->p < x->end;) {
        if (xs_atext((unsigned char)*x->p)) {
            x->p++;
            continue;
        }
        ma_buf_put(s, start, (size_t)(x->p - start));
        if (x->p > start)
            last_is_dot = false;
        if ((ret = xs_lwsp(x)) <= 0)
            return dot_problem && ret >= 0 ? -2 : ret;
        if (*x->p != '.') {
            if (last_is_dot && stop_dot) {
                x->p = last_dot;
                return dot_problem ? -2 : 1;
            }
            return last_is_dot || dot_problem ? -2 : 1;
        }
        if (last_is_dot)
            dot_problem = true;
        last_dot = x->p;
        x->p++;
        ma_buf_putc(s, '.');
        last_is_dot = true;
        if (xs_lwsp(x) <= 0)
            return dot_problem && ret >= 0 ? -2 : ret;
        start = x->p;
    }
    ma_buf_put(s, start, (size_t)(x->p - start));
    return dot_problem ? -2 : 0;
}

/* At '"': the content unescaped; a NUL or a bare CR/LF is a -2 problem. */
static int
xs_quoted(struct xs *x, struct ma_buf *s)
{
    const char *start;
    bool problem = false;
    int ret;

    for (start = ++x->p; x->p < x->end; x->p++) {
        switch (*x->p) {
        case '\0':
            problem = true;
            break;
        case '"':
            ma_buf_put(s, start, (size_t)(x->p - start));
            x->p++;
            ret = xs_lwsp(x);
            return problem && ret >= 0 ? -2 : ret;
        case '\r':
            if (x->p + 1 < x->end && x->p[1] != '\n')
                problem = true;
            break;
        case '\n':
            if (x->p == start || x->p[-1] != '\r')
                problem = true;
            break;
        case '\\':
            if (++x->p >= x->end)
                return -1;
            ma_buf_put(s, start, (size_t)(x->p - 1 - start));
            ma_buf_putc(s, *x->p);
            start = x->p + 1;
            break;
        }
    }
    return -1;
}

static int
xs_atom_or_dot(struct xs *x, struct ma_buf *s)
{
    const char *start = x->p;

    while (x->p < x->end && (xs_atext((unsigned char)*x->p) || *x->p == '.'))
        x->p++;
    ma_buf_put(s, start, (size_t)(x->p - start));
    return x->p < x->end ? xs_lwsp(x) : 0;
}

/* Words (atoms with dots, quoted strings) joined by single spaces. */
static int
xs_phrase(struct xs *x, struct ma_buf *s)
{
    bool problem = false;
    int ret;

    if (x->p >= x->end)
        return 0;
    if (*x->p == '.')
        return -1;
    for (;;) {
        ret = *x->p == '"' ? xs_quoted(x, s) : xs_atom_or_dot(x, s);
        if (ret <= 0 && ret != -2)
            return problem && ret == 0 ? -2 : ret;
        if (ret == -2) {
            problem = true;
            if (x->p >= x->end)
                return -2;
        }
        if (!xs_atext((unsigned char)*x->p) && *x->p != '"' && *x->p != '.')
            break;
        ma_buf_putc(s, ' ');
    }
    ret = xs_lwsp(x);
    return problem && ret >= 0 ? -2 : ret;
}

static int
xs_domain_literal(struct xs *x, struct ma_buf *s)
{
    const char *start = x->p;

    for (x->p++; x->p < x->end; x->p++) {
        switch (*x->p) {
        case '\0':
        case '[':
            return -1;
        case ']':
            ma_buf_put(s, start, (size_t)(x->p + 1 - start));
            x->p++;
            return xs_lwsp(x);
        case '\n': {
            size_t len = (size_t)(x->p - start);

            if (len > 0 && start[len - 1] == '\r')
                len--;
            ma_buf_put(s, start, len);
            start = x->p + 1;
            break;
        }
        case '\\':
            if (++x->p >= x->end)
                return -1;
            break;
        }
    }
    return -1;
}

/* At '@': the domain, a dot-atom or a [literal]. */
static int
xs_rfc_domain(struct xs *x, struct ma_buf *s)
{
    x->p++;
    if (xs_lwsp(x) <= 0)
        return -1;
    return *x->p == '[' ? xs_domain_literal(x, s) : xs_dot_atom(x, s, false);
}

static int
xs_local_part(struct xs *x)
{
    bool problem = false;
    int ret = -1;

    x->str.len = 0;
    while (x->p < x->end) {
        ret = *x->p == '"' ? xs_quoted(x, &x->str) : xs_dot_atom(x, &x->str, true);
        if (ret == -1)
            return -1;
        if (ret == -2)
            problem = true;
        if (x->p >= x->end)
            break;
        if ((ret = xs_lwsp(x)) <= 0)
            break;
        if (*x->p != '.')
            break;
        if (++x->p >= x->end) {
            problem = true;
            break;
        }
        if ((ret = xs_lwsp(x)) <= 0)
            break;
        if (*x->p == '@') {
            problem = true;
            break;
        }
    }
    if (problem || ret < 0)
        x->cur.invalid = true;
    x->cur.mailbox = ma_buf_take(&x->str);
    return ret;
}

static int
xs_domain(struct xs *x)
{
    int ret;

    x->str.len = 0;
    if ((ret = xs_rfc_domain(x, &x->str)) == -1)
        return -1;
    x->cur.domain = ma_buf_take(&x->str);
    return ret;
}

/* obs-domain-list: "@a,@b" before the ':' of a route; it is not kept */
static int
xs_route(struct xs *x)
{
    bool dot_problem = false;
    int ret;

    x->str.len = 0;
    for (;;) {
        if (x->p >= x->end)
            return dot_problem ? -2 : 0;
        if (*x->p != '@')
            break;
        if (x->str.len > 0)
            ma_buf_putc(&x->str, ',');
        ma_buf_putc(&x->str, '@');
        if ((ret = xs_rfc_domain(x, &x->str)) <= 0 && ret != -2)
            return ret;
        if (ret == -2)
            dot_problem = true;
        while (xs_lwsp(x) > 0 && *x->p == ',')
            x->p++;
    }
    return dot_problem ? -2 : 1;
}

static int
xs_angle(struct xs *x)
{
    int ret;

    x->p++;
    if (xs_lwsp(x) <= 0)
        return -1;
    if (*x->p == '@') {
        if ((ret = xs_route(x)) > 0 && xs_at(x, ':')) {
            x->p++;
        } else {
            x->cur.invalid = true;
            if (x->p >= x->end)
                return -1;
            if (ret == -2)
                x->p++;
        }
        if (xs_lwsp(x) <= 0)
            return -1;
    }
    if (*x->p != '>') { /* <> is no address */
        if ((ret = xs_local_part(x)) <= 0 && ret != -2)
            return -1;
        if (ret == -2)
            x->cur.invalid = true;
        if (x->p >= x->end)
            return 0;
        if (*x->p == '@') {
            if ((ret = xs_domain(x)) <= 0 && ret != -2)
                return -1;
            if (ret == -2)
                x->cur.invalid = true;
            if (x->p >= x->end)
                return 0;
        }
    }
    if (*x->p != '>')
        return -1;
    x->p++;
    return xs_lwsp(x);
}

static int
xs_name_addr(struct xs *x)
{
    int ret;

    x->str.len = 0;
    ret = xs_phrase(x, &x->str);
    if ((ret <= 0 && ret != -2) || !xs_at(x, '<'))
        return -1;
    if (ret == -2)
        x->cur.invalid = true;
    if (x->str.len > 0)
        x->cur.name = ma_buf_take(&x->str);
    x->comment.len = 0;
    if (xs_angle(x) < 0)
        x->cur.invalid = true;
    if (x->comment.len > 0)
        x->cur.comment = ma_buf_take(&x->comment);
    return x->p < x->end ? 1 : 0;
}

static int
xs_addr_spec(struct xs *x)
{
    int ret, ret2 = -3;

    x->comment.len = 0;
    if ((ret = xs_local_part(x)) <= 0)
        x->cur.invalid = true;
    if (ret != 0 && xs_at(x, '@')) {
        ret2 = xs_domain(x);
        if (ret2 <= 0 && ret != -2)
            ret = ret2;
        if (ret2 == -2) {
            x->cur.invalid = true;
            if (x->p >= x->end)
                ret = 0;
        }
    }
    if (x->comment.len > 0)
        x->cur.comment = ma_buf_take(&x->comment);
    return ret;
}

/* Add cur, with an empty mailbox or domain where none was read. */
static void
xs_add_fixed(struct xs *x)
{
    if (!ma_def(x->cur.mailbox)) {
        x->cur.mailbox = STRV_LIT("");
        x->cur.invalid = true;
    }
    if (!ma_def(x->cur.domain) || x->cur.domain.len == 0) {
        x->cur.domain = STRV_LIT("");
        x->cur.invalid = true;
    }
    xs_add(x);
}

static int
xs_mailbox(struct xs *x)
{
    const char *start = x->p;
    int ret;

    if ((ret = xs_name_addr(x)) < 0) {
        bool invalid = x->cur.invalid;

        memset(&x->cur, 0, sizeof(x->cur));
        x->cur.invalid = invalid;
        x->p = start;
        ret = xs_addr_spec(x);
        if (x->cur.invalid && !ma_def(x->cur.name) && ma_def(x->cur.mailbox) &&
            !ma_def(x->cur.domain)) {
            x->cur.name = x->cur.mailbox;
            x->cur.mailbox = MA_UNDEF;
        }
    }
    if (ret < 0)
        x->cur.invalid = true;
    xs_add_fixed(x);
    return ret;
}

static int
xs_group(struct xs *x)
{
    int ret;

    x->str.len = 0;
    ret = xs_phrase(x, &x->str);
    if ((ret <= 0 && ret != -2) || !xs_at(x, ':'))
        return -1;
    if (ret == -2)
        x->cur.invalid = true;
    x->p++;
    if ((ret = xs_lwsp(x)) <= 0)
        x->cur.invalid = true;
    x->cur.mailbox = ma_buf_take(&x->str);
    x->cur.marker = true;
    xs_add(x);
    if (ret > 0 && *x->p != ';') {
        for (;;) {
            (void)xs_mailbox(x); /* a broken one: go on anyway */
            if (!xs_at(x, ','))
                break;
            x->p++;
            if (xs_lwsp(x) <= 0) {
                ret = -1;
                break;
            }
        }
    }
    if (ret >= 0) {
        if (!xs_at(x, ';')) {
            ret = -1;
        } else {
            x->p++;
            ret = xs_lwsp(x);
        }
    }
    if (ret < 0)
        x->cur.invalid = true;
    x->cur.marker = true;
    xs_add(x);
    return ret == 0 ? 0 : 1;
}

static int
xs_address(struct xs *x)
{
    const char *start = x->p;
    int ret;

    if ((ret = xs_group(x)) < 0) {
        x->p = start;
        ret = xs_mailbox(x);
    }
    return ret;
}

/* message_address_parse(value, UINT_MAX, 0): every address, groups flat */
static void
xs_parse(struct xs *x)
{
    int ret;

    if (xs_lwsp(x) <= 0)
        return;
    for (;;) {
        if ((ret = xs_address(x)) == 0)
            break;
        if (!xs_at(x, ',')) {
            /* 1.05: trailing garbage makes the last object invalid */
            x->v[x->n - 1].invalid = true;
            break;
        }
        x->p++;
        if ((ret = xs_lwsp(x)) <= 0) {
            if (ret < 0)
                xs_add_fixed(x);
            break;
        }
    }
}

/* compose_address(): the local part quoted and escaped when it is not a
 * dot-atom (or starts or ends with a dot), then '@' and the domain. */
static struct strv
xs_compose(struct arena *a, struct strv user, struct strv host)
{
    struct ma_buf b;
    bool quote = false, escape = false;
    bool dots = user.len > 0 && (user.p[0] == '.' || user.p[user.len - 1] == '.');

    ma_buf_init(&b, a);
    for (size_t i = 0; i < user.len; i++) {
        char c = user.p[i];

        quote = quote || (!xs_atext((unsigned char)c) && (dots || c != '.'));
        escape =
            escape || c == '"' || c == '\\' || c == '\0' || c == '\t' || c == '\n' || c == '\r';
    }
    if (user.len == 0) {
        ma_buf_put(&b, "\"\"", 2);
    } else if (!quote) {
        ma_buf_put(&b, user.p, user.len);
    } else {
        ma_buf_putc(&b, '"');
        for (size_t i = 0; i < user.len; i++) {
            char c = user.p[i];

            if (escape &&
                (c == '"' || c == '\\' || c == '\0' || c == '\t' || c == '\n' || c == '\r'))
                ma_buf_putc(&b, '\\');
            ma_buf_putc(&b, c);
        }
        ma_buf_putc(&b, '"');
    }
    ma_buf_putc(&b, '@');
    ma_buf_put(&b, host.p, host.len);
    return ma_buf_take(&b);
}

/* /^([^\s\@]+)\@([^\s\@]+)$/ */
static bool
xs_bare_address(struct strv v, struct strv *user, struct strv *host)
{
    size_t len = v.len, at;

    if (len > 0 && v.p[len - 1] == '\n')
        len--;
    for (at = 0; at < len && v.p[at] != '@' && !ma_ws(v.p[at]); at++)
        ;
    if (at == 0 || at >= len || v.p[at] != '@')
        return false;
    for (size_t i = at + 1; i < len; i++) {
        if (v.p[i] == '@' || ma_ws(v.p[i]))
            return false;
    }
    if (at + 1 == len)
        return false;
    *user = strv_make(v.p, at);
    *host = strv_make(v.p + at + 1, len - at - 1);
    return true;
}

/* Util::_parse_header_addresses_xs */
void
ma_parse_xs(struct arena *a, struct strv value, struct ma_list *out)
{
    struct xs x;
    struct ma_buf b;
    struct strv str;

    ma_buf_init(&b, a); /* s/\\\\//g */
    for (size_t i = 0; i < value.len; i++) {
        if (value.p[i] == '\\' && i + 1 < value.len && value.p[i + 1] == '\\')
            i++;
        else
            ma_buf_putc(&b, value.p[i]);
    }
    str = ma_buf_take(&b);
    memset(&x, 0, sizeof(x));
    x.a = a;
    x.p = str.p;
    x.end = str.p + str.len;
    ma_buf_init(&x.str, a);
    ma_buf_init(&x.comment, a);
    xs_parse(&x);

    for (size_t i = 0; i < x.n; i++) {
        const struct xs_addr *e = &x.v[i];
        struct strv phrase = e->name, comment = e->comment, user = MA_UNDEF, host = MA_UNDEF,
                    address = MA_UNDEF, u, h;
        struct mime_addr r;
        bool invalid;

        if (e->marker)
            continue;
        if (e->mailbox.len > 0 && e->mailbox.p[0] != '\0')
            user = e->mailbox;
        if (e->domain.len > 0 && e->domain.p[0] != '\0')
            host = e->domain;
        if (ma_def(user) && ma_def(host))
            address = xs_compose(a, user, host);
        if (!ma_def(address) && !ma_def(user) && !ma_def(comment) && ma_def(phrase) &&
            ma_valid_parsed(phrase) && xs_bare_address(phrase, &u, &h) && ma_host_ok(a, h)) {
            /* bug 5201: From: "joe+foobar@example.com" */
            user = u;
            host = h;
            address = phrase;
            invalid = false;
            phrase = MA_UNDEF;
        } else {
            invalid = !(ma_def(user) && ma_def(host) && !e->invalid);
        }
        if (!ma_def(phrase) && ma_def(comment))
            phrase = comment;
        if (!ma_def(phrase) && !ma_def(address))
            phrase = str;
        ma_finish(&r, phrase, address, comment, user, host, invalid);
        ma_push(a, out, &r);
    }
}
