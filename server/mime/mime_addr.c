/*
 * mime_addr.c - the addresses of a From/To/Cc/... header value as
 * SpamAssassin 4.0.1 reads them (Util::parse_header_addresses): its own
 * relaxed parser ($header_address_re, applied repeatedly), and where that
 * finds nothing or too few, Email::Address::XS 1.05 (a Dovecot parser),
 * whose answer SA takes if it has more addresses.
 *
 * Both are reimplemented here from their behaviour. The internal parser is
 * a backtracking Perl pattern: each part below says which piece of it it
 * stands for, and tries the alternatives in the order Perl's engine does,
 * with memos so a hostile value cannot make it quadratic past a budget.
 * A view with p == NULL is undef in SA; everything is in the caller's arena.
 */
#include "mime/mime_url.h"

#include <stdint.h>
#include <string.h>

#include "core/arena.h"

/* Steps of the internal pattern per header value before it gives up on a
 * match (Perl would go on; no real header comes near). */
#define ADDR_BUDGET 2000000u
/* Duplicate enclosures ("<a> <b> ...") nest one call each: a bound on the
 * stack a value may take. */
#define ADDR_DEPTH 1000u

static const struct strv addr_undef = { NULL, 0 };

static inline bool
addr_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Is c one of set? (strchr would also find the NUL ending set.) */
static inline bool
addr_in(const char *set, char c)
{
    return c != '\0' && strchr(set, c) != NULL;
}

static inline bool
addr_def(struct strv v)
{
    return v.p != NULL;
}

static struct strv
addr_dup(struct arena *a, const char *p, size_t len)
{
    return strv_make(arena_strndup(a, len == 0 ? "" : p, len), len);
}

static bool
addr_same(struct strv x, struct strv y)
{
    return x.len == y.len && (x.len == 0 || memcmp(x.p, y.p, x.len) == 0);
}

/* A growing byte string in the arena. */
struct addr_buf {
    struct arena *a;
    char *p;
    size_t len, cap;
};

static void
ab_init(struct addr_buf *b, struct arena *a)
{
    b->a = a;
    b->cap = 64;
    b->p = arena_alloc(a, b->cap);
    b->len = 0;
}

static void
ab_put(struct addr_buf *b, const char *p, size_t n)
{
    if (n > b->cap - b->len) {
        size_t cap = b->cap;

        while (n > cap - b->len)
            cap = 2 * cap + n;
        b->p = arena_realloc(b->a, b->p, b->cap, cap);
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void
ab_putc(struct addr_buf *b, char c)
{
    ab_put(b, &c, 1);
}

static struct strv
ab_take(struct addr_buf *b)
{
    return addr_dup(b->a, b->p, b->len);
}

/* Util::_valid_parsed_address */
static bool
addr_valid_parsed(struct strv v)
{
    size_t quotes = 0;

    if (!addr_def(v))
        return false;
    if (v.len >= 3 && memcmp(v.p, "\"\"@", 3) == 0)
        return false;
    for (size_t i = 0; i < v.len; i++)
        quotes += v.p[i] == '"';
    return quotes != 1;
}

/* is_fqdn_valid(idn_to_ascii($host), 1) */
static bool
addr_host_ok(struct arena *a, struct strv host)
{
    return mime_fqdn_valid(mime_idn_to_ascii(a, host));
}

/* $address =~ s/^(([^\@]*)\@([^\@]*)).*\/$1/: user and host, and the address
 * without a second @ and what follows it (up to a line feed: no /s). */
static void
addr_split(struct arena *a, struct strv *addr, struct strv *user, struct strv *host)
{
    const char *at = memchr(addr->p, '@', addr->len);
    size_t u, h, nl;
    struct addr_buf b;

    if (at == NULL) {
        *user = *host = addr_undef;
        return;
    }
    u = (size_t)(at - addr->p);
    for (h = u + 1; h < addr->len && addr->p[h] != '@'; h++)
        ;
    for (nl = h; nl < addr->len && addr->p[nl] != '\n'; nl++)
        ;
    *user = addr_dup(a, addr->p, u);
    *host = addr_dup(a, addr->p + u + 1, h - u - 1);
    ab_init(&b, a);
    ab_put(&b, addr->p, h);
    ab_put(&b, addr->p + nl, addr->len - nl);
    *addr = ab_take(&b);
}

/* --- the internal parser: $header_address_re ----------------------------- */

/* " (?:|(?:[^"\\]++|\\.)*+) " at i: the end after the closing quote, or
 * SIZE_MAX (possessive: an unclosed quote never matches). */
static size_t
addr_qs_end(const char *t, size_t n, size_t i)
{
    if (i >= n || t[i] != '"')
        return SIZE_MAX;
    for (i++; i < n; i++) {
        if (t[i] == '"')
            return i + 1;
        if (t[i] == '\\') {
            if (i + 1 >= n)
                return SIZE_MAX;
            i++;
        }
    }
    return SIZE_MAX;
}

/* \( (?:|(?:[^()\\]++|\\.)*+) \) at i: the end after ')' or SIZE_MAX */
static size_t
addr_paren_end(const char *t, size_t n, size_t i)
{
    if (i >= n || t[i] != '(')
        return SIZE_MAX;
    for (i++; i < n; i++) {
        if (t[i] == ')')
            return i + 1;
        if (t[i] == '(')
            return SIZE_MAX;
        if (t[i] == '\\') {
            if (i + 1 >= n)
                return SIZE_MAX;
            i++;
        }
    }
    return SIZE_MAX;
}

/* $header_address_mailre from i, by one of its two ways (0: the quoted
 * local part, 1: the plain one, Perl's order): the end, or SIZE_MAX. Each
 * way has one domain only: a shorter one is followed by a domain byte,
 * which nothing after the pattern accepts. */
static size_t
addr_mailre(const char *t, size_t n, size_t i, int way)
{
    size_t at, d;

    if (way == 0) {
        at = addr_qs_end(t, n, i);
    } else {
        for (at = i; at < n && !addr_ws(t[at]) && !addr_in("@<>()[],:;", t[at]); at++)
            ;
        if (at == i)
            at = SIZE_MAX;
    }
    if (at == SIZE_MAX || at >= n || t[at] != '@')
        return SIZE_MAX;
    for (d = ++at; d < n && !addr_ws(t[d]) && !addr_in("\"<>()[],:;", t[d]); d++)
        ;
    if (d > at)
        return d;
    if (at < n && t[at] == '[') { /* \[ [\d:.]+ \] */
        for (d = at + 1; d < n && ((t[d] >= '0' && t[d] <= '9') || t[d] == ':' || t[d] == '.'); d++)
            ;
        if (d > at + 1 && d < n && t[d] == ']')
            return d + 1;
    }
    return SIZE_MAX;
}

/* /^$header_address_mailre$/: the whole of v ($ also before a final LF) */
static bool
addr_is_mailre(struct strv v)
{
    if (!addr_def(v))
        return false;
    for (int way = 0; way < 2; way++) {
        size_t d = addr_mailre(v.p, v.len, 0, way);

        if (d == v.len || (d != SIZE_MAX && d + 1 == v.len && v.p[d] == '\n'))
            return true;
    }
    return false;
}

/* Matching at the start of what is left of the value (t = base + off).
 * The part of the pattern after an angle address depends only on where it
 * starts, and removing a match leaves the rest unchanged, so its outcome
 * is kept by absolute position for the whole value. */
struct hre {
    const char *base;
    size_t total, off;
    const char *t;
    size_t n;
    unsigned long steps;
    unsigned depth;
    unsigned char *dup_state; /* 0 unknown, 1 no match, 2 match */
    size_t *dup_end;
    struct strv *dup_comment;
    size_t *ends; /* scratch: the phrase's iteration ends */
    /* the match */
    size_t end;
    struct strv phrase, address, comment; /* $1 or $4, $2 or $3, $5 */
    bool angle;                           /* the address is $2 */
};

static bool
hre_spend(struct hre *r)
{
    return ++r->steps <= ADDR_BUDGET;
}

static size_t
hre_ws(const struct hre *r, size_t i)
{
    while (i < r->n && addr_ws(r->t[i]))
        i++;
    return i;
}

/* One iteration of the phrase, (?: "QS" | [^",;<]++ ), from i. */
static size_t
hre_phrase_step(const struct hre *r, size_t i)
{
    size_t j = i;

    if (i >= r->n)
        return SIZE_MAX;
    if (r->t[i] == '"')
        return addr_qs_end(r->t, r->n, i);
    while (j < r->n && !addr_in("\",;<", r->t[j]))
        j++;
    return j > i ? j : SIZE_MAX;
}

/* (?: \s* \( (comment) \) )? \s* (?: [,;] | \z ) */
static bool
hre_comment_tail(const struct hre *r, size_t p, size_t *end, struct strv *comment)
{
    size_t w = hre_ws(r, p), e;

    if ((e = addr_paren_end(r->t, r->n, w)) != SIZE_MAX) {
        size_t v = hre_ws(r, e);

        if (v == r->n || r->t[v] == ',' || r->t[v] == ';') {
            *end = v == r->n ? v : v + 1;
            *comment = strv_make(r->t + w + 1, e - w - 2);
            return true;
        }
    }
    *comment = addr_undef;
    if (w == r->n || r->t[w] == ',' || r->t[w] == ';') {
        *end = w == r->n ? w : w + 1;
        return true;
    }
    return false;
}

static bool hre_dup(struct hre *r, size_t p, size_t *end, struct strv *comment);

/* \S+ from k, then \s* > : every end, longest first, each tried with the
 * rest of the pattern after its '>'. */
static bool
hre_dup_from(struct hre *r, size_t k, size_t *end, struct strv *comment)
{
    size_t m = k, w;

    if (k >= r->n || addr_ws(r->t[k]))
        return false;
    while (m < r->n && !addr_ws(r->t[m]))
        m++;
    w = hre_ws(r, m);
    if (w < r->n && r->t[w] == '>' && hre_dup(r, w + 1, end, comment))
        return true;
    for (size_t j = m - 1; j > k; j--) {
        if (!hre_spend(r))
            return false;
        if (r->t[j] == '>' && hre_dup(r, j + 1, end, comment))
            return true;
    }
    return false;
}

/* (?: \s* < \s* (?: (?: "QS" )? \S+ | \s* ) \s* > )* and then the comment
 * and the separator; greedy, so one more enclosure is tried first. */
static bool
hre_dup(struct hre *r, size_t p, size_t *end, struct strv *comment)
{
    size_t at = r->off + p, w = hre_ws(r, p);
    bool ok = false;

    if (r->dup_state[at] != 0) {
        *end = r->dup_end[at] - r->off;
        *comment = r->dup_comment[at];
        return r->dup_state[at] == 2;
    }
    if (hre_spend(r) && r->depth < ADDR_DEPTH && w < r->n && r->t[w] == '<') {
        size_t u = hre_ws(r, w + 1), q = addr_qs_end(r->t, r->n, u);

        r->depth++;
        ok = (q != SIZE_MAX && hre_dup_from(r, q, end, comment)) ||
             hre_dup_from(r, u, end, comment) ||
             (u < r->n && r->t[u] == '>' && hre_dup(r, u + 1, end, comment));
        r->depth--;
    }
    if (!ok)
        ok = hre_comment_tail(r, p, end, comment);
    r->dup_state[at] = ok ? 2 : 1;
    r->dup_end[at] = ok ? r->off + *end : 0;
    r->dup_comment[at] = ok ? *comment : addr_undef;
    return ok;
}

static bool
hre_after(struct hre *r, size_t a)
{
    return hre_dup(r, a, &r->end, &r->comment);
}

/* < \s* ( [^>\@]* \S+ | \s* ) \s* > at L and the rest: the first way
 * Perl's backtracking takes. [^>\@]* shrinks from its longest; each length
 * lets \S+ end at the '>'s of its run, longest first, but only the new
 * ones need trying (a '>' ends the same way whatever came before it). */
static bool
hre_angle(struct hre *r, size_t L)
{
    size_t s0 = hre_ws(r, L + 1), r1 = s0, m = SIZE_MAX, next_j = 0;

    while (r1 < r->n && r->t[r1] != '>' && r->t[r1] != '@')
        r1++;
    for (size_t k = r1 + 1; k-- > s0;) {
        if (!hre_spend(r))
            return false;
        if (k >= r->n || addr_ws(r->t[k])) {
            m = SIZE_MAX;
            continue;
        }
        if (m == SIZE_MAX) {
            size_t w;

            for (m = k; m < r->n && !addr_ws(r->t[m]); m++)
                ;
            w = hre_ws(r, m);
            if (w < r->n && r->t[w] == '>' && hre_after(r, w + 1)) {
                r->address = strv_make(r->t + s0, m - s0);
                return true;
            }
            next_j = m;
        }
        for (size_t j = next_j; j-- > k + 1;) {
            if (r->t[j] == '>' && hre_after(r, j + 1)) {
                r->address = strv_make(r->t + s0, j - s0);
                return true;
            }
        }
        next_j = k + 1;
    }
    if (s0 < r->n && r->t[s0] == '>' && hre_after(r, s0 + 1)) {
        r->address = strv_make(r->t + s0, 0);
        return true;
    }
    return false;
}

/* One match of $header_address_re at the start of r->t. */
static bool
hre_match(struct hre *r)
{
    size_t S = hre_ws(r, 0), e = S, w, end, k = 0;
    struct strv comment;

    r->phrase = r->address = r->comment = addr_undef;
    r->angle = false;
    /* (phrase \s*)? < ...: only the longest phrase can reach a '<' */
    for (size_t next; (next = hre_phrase_step(r, e)) != SIZE_MAX;)
        r->ends[k++] = e = next;
    w = hre_ws(r, e);
    if (w < r->n && r->t[w] == '<' && hre_angle(r, w)) {
        if (e > S)
            r->phrase = strv_make(r->t + S, e - S);
        r->angle = true;
        return true;
    }
    /* ( $header_address_mailre ) */
    for (int way = 0; way < 2; way++) {
        size_t d = addr_mailre(r->t, r->n, S, way);

        if (d != SIZE_MAX && hre_comment_tail(r, d, &end, &comment)) {
            r->address = strv_make(r->t + S, d - S);
            r->comment = comment;
            r->end = end;
            return true;
        }
    }
    /* ( phrase ): its iterations, longest first */
    while (k-- > 0) {
        if (hre_comment_tail(r, r->ends[k], &end, &comment)) {
            r->phrase = strv_make(r->t + S, r->ends[k] - S);
            r->comment = comment;
            r->end = end;
            return true;
        }
    }
    /* Then ^\s* gives back a blank, which the phrase may take: before a
     * separator (" ; x") that is a match, with the blank as the phrase. */
    if (S > 0 && (S == r->n || r->t[S] == ',' || r->t[S] == ';')) {
        r->phrase = strv_make(r->t + S - 1, 1);
        r->end = S == r->n ? S : S + 1;
        return true;
    }
    return false;
}

/* The phrase as SA keeps it: quoted parts unescaped, comments dropped from
 * the rest, an unclosed quote mark skipped; undef if nothing matched. */
static struct strv
addr_clean_phrase(struct arena *a, struct strv ph)
{
    struct addr_buf b;
    bool any = false;

    ab_init(&b, a);
    for (size_t i = 0; i < ph.len;) {
        size_t e = addr_qs_end(ph.p, ph.len, i);

        if (e != SIZE_MAX) {
            /* s/\\(?!\\)//g; s/\\\\/\\/g */
            struct addr_buf q;

            ab_init(&q, a);
            for (size_t k = i + 1; k < e - 1; k++) {
                if (ph.p[k] != '\\' || (k + 1 < e - 1 && ph.p[k + 1] == '\\'))
                    ab_putc(&q, ph.p[k]);
            }
            for (size_t k = 0; k < q.len; k++) {
                ab_putc(&b, q.p[k]);
                if (q.p[k] == '\\' && k + 1 < q.len && q.p[k + 1] == '\\')
                    k++;
            }
            any = true;
            i = e;
        } else if (ph.p[i] == '"') {
            i++; /* neither alternative matches here: the scan moves on */
        } else {
            size_t j = i;

            while (j < ph.len && ph.p[j] != '"')
                j++;
            /* s/\((?:|(?:[^()\\]++|\\.)*+)\)//gs */
            for (size_t k = i; k < j;) {
                size_t pe = addr_paren_end(ph.p, j, k);

                if (pe != SIZE_MAX)
                    k = pe;
                else
                    ab_putc(&b, ph.p[k++]);
            }
            any = true;
            i = j;
        }
    }
    return any ? ab_take(&b) : addr_undef;
}

/* s/\((?:|(?:[^()\\]++|\\.)*+)\)//gs on an angle address */
static struct strv
addr_drop_comments(struct arena *a, struct strv v)
{
    struct addr_buf b;

    ab_init(&b, a);
    for (size_t k = 0; k < v.len;) {
        size_t pe = addr_paren_end(v.p, v.len, k);

        if (pe != SIZE_MAX)
            k = pe;
        else
            ab_putc(&b, v.p[k++]);
    }
    return ab_take(&b);
}

struct addr_list {
    struct mime_addr *v;
    size_t n, cap;
};

static void
addr_push(struct arena *a, struct addr_list *l, const struct mime_addr *x)
{
    if (l->n == l->cap) {
        size_t cap = l->cap == 0 ? 4 : 2 * l->cap;

        l->v = arena_realloc(a, l->v, l->cap * sizeof(*l->v), cap * sizeof(*l->v));
        l->cap = cap;
    }
    l->v[l->n++] = *x;
}

/* Every view given here is in the arena already (the parsers work on a
 * copy of the value), so results share it: SA's "the whole value as the
 * phrase" for each of 20000 empty addresses costs no copies. */
static void
addr_finish(struct mime_addr *x, struct strv phrase, struct strv address, struct strv comment,
            struct strv user, struct strv host, bool invalid)
{
    x->has_phrase = addr_def(phrase);
    x->phrase = phrase;
    x->has_address = addr_def(address);
    x->address = address;
    x->has_comment = addr_def(comment);
    x->comment = comment;
    x->user = user;
    x->host = host;
    x->invalid = invalid;
}

/* One match of the pattern into a result, as the loop body in
 * Util::_parse_header_addresses does it. */
static void
addr_from_match(struct arena *a, const struct hre *r, struct addr_list *out)
{
    struct strv phrase = r->phrase, address = r->address, user = addr_undef, host = addr_undef;
    struct mime_addr x;

    if (r->angle) {
        address = addr_drop_comments(a, address);
        if (!addr_is_mailre(address))
            address = addr_undef;
    }
    if (!addr_valid_parsed(address))
        address = addr_undef;
    if (addr_def(phrase)) {
        phrase = addr_clean_phrase(a, phrase);
        if (!addr_def(address) && addr_def(phrase) && addr_is_mailre(phrase) &&
            addr_valid_parsed(phrase)) {
            /* a phrase that is an address: /^[^\@]*\@([^\@]*)/ and a valid host */
            const char *at = memchr(phrase.p, '@', phrase.len);
            const char *at2 = memchr(at + 1, '@', phrase.len - (size_t)(at + 1 - phrase.p));
            size_t hl =
                at2 == NULL ? phrase.len - (size_t)(at + 1 - phrase.p) : (size_t)(at2 - at - 1);

            if (addr_host_ok(a, strv_make(at + 1, hl))) {
                address = phrase;
                phrase = addr_undef;
            }
        }
        if (addr_def(phrase) &&
            ((addr_def(address) && addr_same(phrase, address)) || phrase.len == 0))
            phrase = addr_undef;
    }
    if (!addr_def(phrase) && addr_def(r->comment))
        phrase = r->comment;
    if (addr_def(address))
        addr_split(a, &address, &user, &host);
    addr_finish(&x, phrase, address, r->comment, user, host,
                !addr_def(host) || !addr_host_ok(a, host));
    addr_push(a, out, &x);
}

/* s/^[^"()<>]+:\s*(.*?)\s*(?:;.*)?/$1/s: a group's name goes, and all of
 * it if the group is empty ("undisclosed-recipients:;"). */
static struct strv
addr_drop_group(struct strv v)
{
    size_t run = 0, colon = SIZE_MAX, k;

    while (run < v.len && !addr_in("\"()<>", v.p[run]))
        run++;
    for (size_t i = run; i-- > 1;) {
        if (v.p[i] == ':') {
            colon = i;
            break;
        }
    }
    if (colon == SIZE_MAX)
        return v;
    for (k = colon + 1; k < v.len && addr_ws(v.p[k]); k++)
        ;
    if (k < v.len && v.p[k] == ';')
        return strv_make(v.p + v.len, 0);
    return strv_make(v.p + k, v.len - k);
}

/* Util::_parse_header_addresses */
static void
addr_parse_internal(struct arena *a, struct strv value, struct addr_list *out)
{
    struct addr_buf b;
    struct strv v;
    struct hre r;
    bool any = false;

    /* s/\s+\z//s; s/\\\\//g */
    while (value.len > 0 && addr_ws(value.p[value.len - 1]))
        value.len--;
    ab_init(&b, a);
    for (size_t i = 0; i < value.len; i++) {
        if (value.p[i] == '\\' && i + 1 < value.len && value.p[i + 1] == '\\')
            i++;
        else
            ab_putc(&b, value.p[i]);
    }
    v = addr_drop_group(strv_make(b.p, b.len));
    for (size_t i = 0; i < v.len && !any; i++)
        any = !addr_ws(v.p[i]);
    if (!any)
        return;

    memset(&r, 0, sizeof(r));
    r.base = v.p;
    r.total = v.len;
    r.dup_state = arena_calloc(a, v.len + 1, 1);
    r.dup_end = arena_calloc(a, v.len + 1, sizeof(*r.dup_end));
    r.dup_comment = arena_calloc(a, v.len + 1, sizeof(*r.dup_comment));
    r.ends = arena_calloc(a, v.len + 1, sizeof(*r.ends));
    for (;;) {
        r.t = r.base + r.off;
        r.n = r.total - r.off;
        if (!hre_match(&r))
            break;
        addr_from_match(a, &r, out);
        r.off += r.end;
    }

    /* Was something left unparsed? <$header_address_mailre>, anywhere */
    r.t = r.base + r.off;
    r.n = r.total - r.off;
    if (r.n == 0 || memchr(r.t, '@', r.n) == NULL)
        return;
    for (size_t i = 0; i < r.n; i++) {
        size_t d = SIZE_MAX;
        struct strv address, user, host;
        struct mime_addr x;

        if (r.t[i] != '<')
            continue;
        for (int way = 0; way < 2 && d == SIZE_MAX; way++) {
            d = addr_mailre(r.t, r.n, i + 1, way);
            if (d != SIZE_MAX && (d >= r.n || r.t[d] != '>'))
                d = SIZE_MAX;
        }
        if (d == SIZE_MAX)
            continue;
        address = strv_make(r.t + i + 1, d - i - 1);
        i = d;
        if (!addr_valid_parsed(address))
            continue;
        addr_split(a, &address, &user, &host);
        addr_finish(&x, addr_undef, address, addr_undef, user, host, !addr_host_ok(a, host));
        addr_push(a, out, &x);
    }
}

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
    struct addr_buf str;     /* the token being read */
    struct addr_buf comment; /* the last comment */
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
    return !addr_in("\"(),.:;<>@[\\]", (char)c);
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
                ab_put(&x->comment, start, (size_t)(x->p - start));
                x->p++;
                return x->p < x->end ? 1 : 0;
            }
            break;
        case '\n': {
            size_t len = (size_t)(x->p - start);

            if (len > 0 && start[len - 1] == '\r')
                len--;
            ab_put(&x->comment, start, len);
            start = x->p + 1;
            break;
        }
        case '\\':
            if (++x->p >= x->end)
                return -1;
            ab_put(&x->comment, start, (size_t)(x->p - 1 - start));
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
xs_dot_atom(struct xs *x, struct addr_buf *s, bool stop_dot)
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
        ab_put(s, start, (size_t)(x->p - start));
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
        ab_putc(s, '.');
        last_is_dot = true;
        if (xs_lwsp(x) <= 0)
            return dot_problem && ret >= 0 ? -2 : ret;
        start = x->p;
    }
    ab_put(s, start, (size_t)(x->p - start));
    return dot_problem ? -2 : 0;
}

/* At '"': the content unescaped; a NUL or a bare CR/LF is a -2 problem. */
static int
xs_quoted(struct xs *x, struct addr_buf *s)
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
            ab_put(s, start, (size_t)(x->p - start));
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
            ab_put(s, start, (size_t)(x->p - 1 - start));
            ab_putc(s, *x->p);
            start = x->p + 1;
            break;
        }
    }
    return -1;
}

static int
xs_atom_or_dot(struct xs *x, struct addr_buf *s)
{
    const char *start = x->p;

    while (x->p < x->end && (xs_atext((unsigned char)*x->p) || *x->p == '.'))
        x->p++;
    ab_put(s, start, (size_t)(x->p - start));
    return x->p < x->end ? xs_lwsp(x) : 0;
}

/* Words (atoms with dots, quoted strings) joined by single spaces. */
static int
xs_phrase(struct xs *x, struct addr_buf *s)
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
        ab_putc(s, ' ');
    }
    ret = xs_lwsp(x);
    return problem && ret >= 0 ? -2 : ret;
}

static int
xs_domain_literal(struct xs *x, struct addr_buf *s)
{
    const char *start = x->p;

    for (x->p++; x->p < x->end; x->p++) {
        switch (*x->p) {
        case '\0':
        case '[':
            return -1;
        case ']':
            ab_put(s, start, (size_t)(x->p + 1 - start));
            x->p++;
            return xs_lwsp(x);
        case '\n': {
            size_t len = (size_t)(x->p - start);

            if (len > 0 && start[len - 1] == '\r')
                len--;
            ab_put(s, start, len);
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
xs_rfc_domain(struct xs *x, struct addr_buf *s)
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
    x->cur.mailbox = ab_take(&x->str);
    return ret;
}

static int
xs_domain(struct xs *x)
{
    int ret;

    x->str.len = 0;
    if ((ret = xs_rfc_domain(x, &x->str)) == -1)
        return -1;
    x->cur.domain = ab_take(&x->str);
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
            ab_putc(&x->str, ',');
        ab_putc(&x->str, '@');
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
        x->cur.name = ab_take(&x->str);
    x->comment.len = 0;
    if (xs_angle(x) < 0)
        x->cur.invalid = true;
    if (x->comment.len > 0)
        x->cur.comment = ab_take(&x->comment);
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
        x->cur.comment = ab_take(&x->comment);
    return ret;
}

/* Add cur, with an empty mailbox or domain where none was read. */
static void
xs_add_fixed(struct xs *x)
{
    if (!addr_def(x->cur.mailbox)) {
        x->cur.mailbox = STRV_LIT("");
        x->cur.invalid = true;
    }
    if (!addr_def(x->cur.domain) || x->cur.domain.len == 0) {
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
        if (x->cur.invalid && !addr_def(x->cur.name) && addr_def(x->cur.mailbox) &&
            !addr_def(x->cur.domain)) {
            x->cur.name = x->cur.mailbox;
            x->cur.mailbox = addr_undef;
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
    x->cur.mailbox = ab_take(&x->str);
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
    struct addr_buf b;
    bool quote = false, escape = false;
    bool dots = user.len > 0 && (user.p[0] == '.' || user.p[user.len - 1] == '.');

    ab_init(&b, a);
    for (size_t i = 0; i < user.len; i++) {
        char c = user.p[i];

        quote = quote || (!xs_atext((unsigned char)c) && (dots || c != '.'));
        escape =
            escape || c == '"' || c == '\\' || c == '\0' || c == '\t' || c == '\n' || c == '\r';
    }
    if (user.len == 0) {
        ab_put(&b, "\"\"", 2);
    } else if (!quote) {
        ab_put(&b, user.p, user.len);
    } else {
        ab_putc(&b, '"');
        for (size_t i = 0; i < user.len; i++) {
            char c = user.p[i];

            if (escape &&
                (c == '"' || c == '\\' || c == '\0' || c == '\t' || c == '\n' || c == '\r'))
                ab_putc(&b, '\\');
            ab_putc(&b, c);
        }
        ab_putc(&b, '"');
    }
    ab_putc(&b, '@');
    ab_put(&b, host.p, host.len);
    return ab_take(&b);
}

/* /^([^\s\@]+)\@([^\s\@]+)$/ */
static bool
xs_bare_address(struct strv v, struct strv *user, struct strv *host)
{
    size_t len = v.len, at;

    if (len > 0 && v.p[len - 1] == '\n')
        len--;
    for (at = 0; at < len && v.p[at] != '@' && !addr_ws(v.p[at]); at++)
        ;
    if (at == 0 || at >= len || v.p[at] != '@')
        return false;
    for (size_t i = at + 1; i < len; i++) {
        if (v.p[i] == '@' || addr_ws(v.p[i]))
            return false;
    }
    if (at + 1 == len)
        return false;
    *user = strv_make(v.p, at);
    *host = strv_make(v.p + at + 1, len - at - 1);
    return true;
}

/* Util::_parse_header_addresses_xs */
static void
addr_parse_xs(struct arena *a, struct strv value, struct addr_list *out)
{
    struct xs x;
    struct addr_buf b;
    struct strv str;

    ab_init(&b, a); /* s/\\\\//g */
    for (size_t i = 0; i < value.len; i++) {
        if (value.p[i] == '\\' && i + 1 < value.len && value.p[i + 1] == '\\')
            i++;
        else
            ab_putc(&b, value.p[i]);
    }
    str = ab_take(&b);
    memset(&x, 0, sizeof(x));
    x.a = a;
    x.p = str.p;
    x.end = str.p + str.len;
    ab_init(&x.str, a);
    ab_init(&x.comment, a);
    xs_parse(&x);

    for (size_t i = 0; i < x.n; i++) {
        const struct xs_addr *e = &x.v[i];
        struct strv phrase = e->name, comment = e->comment, user = addr_undef, host = addr_undef,
                    address = addr_undef, u, h;
        struct mime_addr r;
        bool invalid;

        if (e->marker)
            continue;
        if (e->mailbox.len > 0 && e->mailbox.p[0] != '\0')
            user = e->mailbox;
        if (e->domain.len > 0 && e->domain.p[0] != '\0')
            host = e->domain;
        if (addr_def(user) && addr_def(host))
            address = xs_compose(a, user, host);
        if (!addr_def(address) && !addr_def(user) && !addr_def(comment) && addr_def(phrase) &&
            addr_valid_parsed(phrase) && xs_bare_address(phrase, &u, &h) && addr_host_ok(a, h)) {
            /* bug 5201: From: "joe+foobar@example.com" */
            user = u;
            host = h;
            address = phrase;
            invalid = false;
            phrase = addr_undef;
        } else {
            invalid = !(addr_def(user) && addr_def(host) && !e->invalid);
        }
        if (!addr_def(phrase) && addr_def(comment))
            phrase = comment;
        if (!addr_def(phrase) && !addr_def(address))
            phrase = str;
        addr_finish(&r, phrase, address, comment, user, host, invalid);
        addr_push(a, out, &r);
    }
}

size_t
mime_addr_parse(struct arena *a, struct strv value, struct mime_addr **out)
{
    struct addr_list in = { NULL, 0, 0 }, xs = { NULL, 0, 0 };
    size_t commas = 0;
    bool text = false;

    *out = NULL;
    for (size_t i = 0; i < value.len; i++) {
        text = text || !addr_ws(value.p[i]);
        commas += value.p[i] == ',';
    }
    if (!text)
        return 0;
    addr_parse_internal(a, value, &in);
    /* Email::Address::XS is asked when the internal parser found nothing or
     * fewer than the commas suggest, and wins with more addresses. (SA's
     * "maybe nested" test counts matches in scalar context, so is never
     * true.) */
    if (in.n == 0 || in.n < commas + 1) {
        addr_parse_xs(a, value, &xs);
        if (xs.n > in.n) {
            *out = xs.v;
            return xs.n;
        }
    }
    *out = in.v;
    return in.n;
}
