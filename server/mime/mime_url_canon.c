/*
 * mime_url_canon.c - the cleaned forms of a URI as SpamAssassin 4.0.1 makes
 * them: Util::uri_list_canonicalize (with the redirectors it follows),
 * Util::url_encode and RegistryBoundaries::uri_to_domain. The text scanner
 * that finds URIs is mime_url.c; both keep SA's quirks on purpose (comments
 * say which line of SA a step mirrors). Everything returned lives in the
 * caller's arena. No I/O, no globals.
 */
#include "mime/mime_url.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "mime/mime_url_int.h"

#define URL_CANON_MAX 64 /* URIs one canonicalization may visit */

static bool
url_prefix(const char *p, size_t len, const char *lit)
{
    size_t n = strlen(lit);

    return len >= n && memcmp(p, lit, n) == 0;
}

/* Is c one of set? (strchr would also find the NUL ending set.) */
static inline bool
url_in(const char *set, char c)
{
    return c != '\0' && strchr(set, c) != NULL;
}

/* --- a string built in the arena ---------------------------------------- */

struct url_sb {
    struct arena *a;
    char *p;
    size_t len, cap;
};

static void
sb_init(struct url_sb *b, struct arena *a, size_t cap)
{
    b->a = a;
    b->cap = cap < 16 ? 16 : cap;
    b->p = arena_alloc(a, b->cap);
    b->len = 0;
}

static void
sb_put(struct url_sb *b, const char *p, size_t n)
{
    if (n > b->cap - b->len) {
        size_t cap = b->cap;

        while (n > cap - b->len)
            cap = cap * 2 + n;
        b->p = arena_realloc(b->a, b->p, b->cap, cap);
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void
sb_putc(struct url_sb *b, char c)
{
    sb_put(b, &c, 1);
}

static void
sb_putv(struct url_sb *b, struct strv v)
{
    sb_put(b, v.p, v.len);
}

static struct strv
sb_view(const struct url_sb *b)
{
    return strv_make(b->p, b->len);
}

/* --- url_encode ----------------------------------------------------------- */

static bool
url_xdigit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned
url_xval(char c)
{
    return c <= '9' ? (unsigned)(c - '0') : (unsigned)(mu_lower(c) - 'a' + 10);
}

bool
mu_has_escape(struct strv v)
{
    for (size_t i = 0; i + 2 < v.len; i++) {
        if (v.p[i] == '%' && url_xdigit(v.p[i + 1]) && url_xdigit(v.p[i + 2]))
            return true;
    }
    return false;
}

struct strv
mime_url_encode(struct arena *a, struct strv uri)
{
    static const char hex[] = "0123456789abcdef";
    struct url_sb b;

    sb_init(&b, a, uri.len + 16);
    for (size_t i = 0; i < uri.len; i++) {
        unsigned char c = (unsigned char)uri.p[i];

        if (c == '%' && i + 2 < uri.len && url_xdigit(uri.p[i + 1]) && url_xdigit(uri.p[i + 2])) {
            char x = uri.p[i + 1], y = uri.p[i + 2];

            /* kept: /(20|7f|[0189a-fA-F][0-9a-fA-F])/i on "%XY" */
            if ((x == '2' && y == '0') || (x == '7' && (y == 'f' || y == 'F')) || x == '0' ||
                x == '1' || x == '8' || x == '9' || (mu_lower(x) >= 'a'))
                sb_put(&b, uri.p + i, 3);
            else
                sb_putc(&b, (char)(url_xval(x) * 16 + url_xval(y)));
            i += 2;
        } else if (mu_has(c, MU_ENC)) {
            char esc[3] = { '%', hex[c >> 4], hex[c & 15] };

            sb_put(&b, esc, 3);
        } else {
            sb_putc(&b, (char)c);
        }
    }
    return sb_view(&b);
}

/* --- uri_list_canonicalize ---------------------------------------------- */

struct url_canon {
    struct arena *a;
    const struct mime_psl *psl;
    mime_url_redirector_fn redirector;
    void *redirector_arg;
    struct strv todo[URL_CANON_MAX]; /* @uris: the URI and redirect targets */
    size_t ntodo;
    struct mu_set visited;
    struct mu_set outset; /* keys of the result */
    struct strv *out;
    size_t nout, cap;
};

static void
canon_emit(struct url_canon *c, struct strv v)
{
    struct strv stored;

    if (!mu_set_put(c->a, &c->outset, v, &stored))
        return;
    if (c->nout == c->cap) {
        size_t cap = c->cap == 0 ? 8 : 2 * c->cap;

        c->out = arena_realloc(c->a, c->out, c->cap * sizeof(*c->out), cap * sizeof(*c->out));
        c->cap = cap;
    }
    c->out[c->nout++] = stored;
}

/* push(@uris, $target): canonicalized in turn by the same loop */
static void
canon_follow(struct url_canon *c, struct strv target)
{
    if (c->ntodo < URL_CANON_MAX)
        c->todo[c->ntodo++] = target;
}

/* s/\n//g; s/^\s+//; s/\s+$//; s/\r//g */
static struct strv
canon_trim(struct arena *a, struct strv v)
{
    char *p = arena_alloc(a, v.len + 1);
    size_t n = 0, start = 0, end;

    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] != '\n')
            p[n++] = v.p[i];
    }
    while (start < n && mu_has((unsigned char)p[start], MU_SPACE))
        start++;
    end = n;
    while (end > start && mu_has((unsigned char)p[end - 1], MU_SPACE))
        end--;
    n = 0;
    for (size_t i = start; i < end; i++) {
        if (p[i] != '\r')
            p[n++] = p[i];
    }
    p[n] = '\0';
    return strv_make(p, n);
}

/* Mail URIs: the versions without ?subject=, &junk, %20 and "Name" <>. */
static void
canon_mail(struct url_canon *c, struct strv u)
{
    const char *at = memchr(u.p, '@', u.len);
    size_t a = at == NULL ? u.len : (size_t)(at - u.p);

    if (at != NULL && a > 0) {
        size_t q = a + 1, r;

        /* /^([^\@]+\@[^?]+)\?/ and /^([^\@]+\@[^?&]+)\&/ */
        while (q < u.len && u.p[q] != '?')
            q++;
        if (q < u.len && q > a + 1)
            canon_emit(c, mu_sub(u, 0, q));
        for (r = a + 1; r < u.len && u.p[r] != '?' && u.p[r] != '&'; r++)
            ;
        if (r < u.len && u.p[r] == '&' && r > a + 1)
            canon_emit(c, mu_sub(u, 0, r));
    }
    /* /^(?:mailto:)?(?:\%20)*([^\@]+\@[^?&%]+)/ when there is a %20 */
    if (at != NULL && mu_memmem(u.p, u.len, "%20") != NULL) {
        size_t r = a + 1;

        while (r < u.len && u.p[r] != '?' && u.p[r] != '&' && u.p[r] != '%')
            r++;
        for (int pre = url_prefix(u.p, u.len, "mailto:") ? 7 : 0; r > a + 1 && pre >= 0;
             pre = pre == 7 ? 0 : -1) {
            size_t st = (size_t)pre;

            while (st + 3 <= a && memcmp(u.p + st, "%20", 3) == 0)
                st += 3;
            if (st == a && st >= (size_t)pre + 3)
                st -= 3; /* [^\@]+ needs one byte */
            if (st < a) {
                canon_emit(c, mu_cat3(c->a, STRV_LIT("mailto:"), mu_sub(u, st, r), STRV_LIT("")));
                break;
            }
        }
    }
    /* /^[^?&]*<([^\@>]+\@[^>]+)>/ */
    size_t run = 0;

    while (run < u.len && u.p[run] != '?' && u.p[run] != '&')
        run++;
    for (size_t j = run; j-- > 0;) {
        size_t x, g;

        if (u.p[j] != '<')
            continue;
        for (x = j + 1; x < u.len && u.p[x] != '@' && u.p[x] != '>'; x++)
            ;
        if (x == j + 1 || x >= u.len || u.p[x] != '@')
            continue;
        for (g = x + 1; g < u.len && u.p[g] != '>'; g++)
            ;
        if (g >= u.len || g == x + 1)
            continue;
        canon_emit(c, mu_cat3(c->a, STRV_LIT("mailto:"), mu_sub(u, j + 1, g), STRV_LIT("")));
        break;
    }
}

/* The three entity passes, in SA's order (one may feed the next):
 * &#33; .. &#126;, &#x21; .. &#x7e; (but not &#x2a; .. &#x2f;), and the
 * Unicode dots as '.'. */
static bool
canon_entity(const char *p, size_t left, int pass, char *ch, size_t *used)
{
    size_t i = 2, d;
    unsigned v = 0;

    if (left < 4 || p[0] != '&' || p[1] != '#')
        return false;
    if (pass == 2) {
        static const char *const dots[] = { "x2e;",   "12290;", "x3002;", "65294;",
                                            "xff0e;", "65377;", "xff61;" };

        for (size_t k = 0; k < sizeof(dots) / sizeof(dots[0]); k++) {
            if (mu_prefix_ci(p + 2, left - 2, dots[k])) {
                *ch = '.';
                *used = 2 + strlen(dots[k]);
                return true;
            }
        }
        return false;
    }
    if (pass == 1 && p[i++] != 'x')
        return false;
    while (i < left && p[i] == '0')
        i++;
    for (d = 0; i + d < left && d < 4 &&
                (pass == 1 ? url_xdigit(p[i + d]) : p[i + d] >= '0' && p[i + d] <= '9');
         d++)
        v = v * (pass == 1 ? 16 : 10) + url_xval(p[i + d]);
    if (i + d >= left || p[i + d] != ';')
        return false;
    if (pass == 0 && !((d == 2 && v >= 33) || (d == 3 && v <= 126)))
        return false;
    if (pass == 1 && !(d == 2 && ((v >= 0x21 && v <= 0x29) || (v >= 0x30 && v <= 0x7e))))
        return false;
    *ch = (char)v;
    *used = i + d + 1;
    return true;
}

static struct strv
canon_entities(struct arena *a, struct strv v)
{
    for (int pass = 0; pass < 3; pass++) {
        const char *amp = v.len == 0 ? NULL : memchr(v.p, '&', v.len);
        struct url_sb b;

        if (amp == NULL)
            return v;
        sb_init(&b, a, v.len);
        for (size_t i = 0; i < v.len;) {
            char ch;
            size_t used;

            if (v.p[i] == '&' && canon_entity(v.p + i, v.len - i, pass, &ch, &used)) {
                sb_putc(&b, ch);
                i += used;
            } else {
                sb_putc(&b, v.p[i++]);
            }
        }
        v = sb_view(&b);
    }
    return v;
}

/* Perl's sprintf "%d", hex($x): past 64 bits hex() saturates, and %d shows
 * the unsigned value as a signed one. */
static struct strv
canon_hex_to_dec(struct arena *a, const char *p, size_t len)
{
    uint64_t v = 0;
    bool over = false;

    for (size_t i = 0; i < len; i++) {
        if (v > (UINT64_MAX >> 4))
            over = true;
        v = (v << 4) | url_xval(p[i]);
    }
    if (over)
        v = UINT64_MAX;
    return strv_cstr(arena_printf(a, "%lld", (long long)(int64_t)v));
}

/* Util::decode_ulong_to_ip: unpack("CCCC", pack("H*", sprintf("%08lx", $n))),
 * $n a decimal string (saturating at 2**64-1, as Perl's numbers do). */
static struct strv
canon_ulong_to_ip(struct arena *a, const char *p, size_t len)
{
    char hex[24];
    unsigned char b[4] = { 0, 0, 0, 0 };
    uint64_t v = 0;
    int n;

    for (size_t i = 0; i < len; i++) {
        unsigned dgt = (unsigned)(p[i] - '0');

        if (v > (UINT64_MAX - dgt) / 10) {
            v = UINT64_MAX;
            break;
        }
        v = v * 10 + dgt;
    }
    n = snprintf(hex, sizeof(hex), "%08llx", (unsigned long long)v);
    for (int i = 0; i < 8 && i < n; i++)
        b[i / 2] |= (unsigned char)(url_xval(hex[i]) << (i % 2 ? 0 : 4));
    return strv_cstr(arena_printf(a, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]));
}

/* One dotted chunk of a numeric host: 0x hex to decimal, then a leading-zero
 * octal number of up to 0377 to decimal, then leading zeros away. */
static void
canon_octet(struct url_sb *b, struct arena *a, struct strv chunk)
{
    size_t z = 0, d;

    if (chunk.len > 2 && chunk.p[0] == '0' && (chunk.p[1] == 'x' || chunk.p[1] == 'X'))
        chunk = canon_hex_to_dec(a, chunk.p + 2, chunk.len - 2);
    while (z < chunk.len && chunk.p[z] == '0')
        z++;
    d = chunk.len - z;
    if (z > 0 && d > 0) {
        /* s/^0+([1-3][0-7]{0,2}|[4-7][0-7]?)\b/oct/: the digits must end the chunk */
        char f = chunk.p[z];
        bool oct = (f >= '1' && f <= '3' && d <= 3) || (f >= '4' && f <= '7' && d <= 2);
        unsigned v = 0;

        for (size_t i = z; i < chunk.len && oct; i++) {
            oct = chunk.p[i] >= '0' && chunk.p[i] <= '7';
            v = v * 8 + (unsigned)(chunk.p[i] - '0');
        }
        if (oct) {
            char num[8];

            snprintf(num, sizeof(num), "%u", v);
            sb_put(b, num, strlen(num));
            return;
        }
    }
    sb_put(b, chunk.p + z, d);
}

/* /^((?:0x[0-9a-f]+|\d+)\.){3}(0x[0-9a-f]+|\d+)$/i */
static bool
canon_numeric_host(struct strv h, struct strv chunks[4])
{
    size_t start = 0, k = 0;

    for (size_t i = 0; i <= h.len; i++) {
        struct strv c;
        bool ok;
        size_t j = 0;

        if (i < h.len && h.p[i] != '.')
            continue;
        if (k == 4)
            return false;
        c = mu_sub(h, start, i);
        if (c.len > 2 && c.p[0] == '0' && (c.p[1] == 'x' || c.p[1] == 'X')) {
            for (j = 2, ok = true; j < c.len && ok; j++)
                ok = url_xdigit(c.p[j]);
        } else {
            for (ok = c.len > 0; j < c.len && ok; j++)
                ok = c.p[j] >= '0' && c.p[j] <= '9';
        }
        if (!ok)
            return false;
        chunks[k++] = c;
        start = i + 1;
    }
    return k == 4;
}

static bool
url_all(struct strv v, bool (*pred)(char), size_t from)
{
    if (v.len <= from)
        return false;
    for (size_t i = from; i < v.len; i++) {
        if (!pred(v.p[i]))
            return false;
    }
    return true;
}

static bool
url_isdigit(char c)
{
    return c >= '0' && c <= '9';
}

/* The hard-coded redirector: the first m{(https?:/{0,2}[^&#]+)}i in rest. */
static bool
canon_embedded(struct strv rest, struct strv *target)
{
    for (size_t i = 0; i < rest.len; i++) {
        size_t k, e;

        if (mu_prefix_ci(rest.p + i, rest.len - i, "https:"))
            k = i + 6;
        else if (mu_prefix_ci(rest.p + i, rest.len - i, "http:"))
            k = i + 5;
        else
            continue;
        if (k >= rest.len || rest.p[k] == '&' || rest.p[k] == '#')
            continue;
        for (e = k; e < rest.len && rest.p[e] != '&' && rest.p[e] != '#'; e++)
            ;
        *target = mu_sub(rest, i, e);
        return true;
    }
    return false;
}

/* /^:80\b/ (or :443): the default port, then no word character */
static bool
canon_default_port(struct strv rest, const char *port)
{
    size_t n = strlen(port);

    return rest.len >= n && memcmp(rest.p, port, n) == 0 &&
           (rest.len == n || !mu_has((unsigned char)rest.p[n], MU_WORD));
}

/* The http(s) part of the loop body, from
 * m{^(https?://)([^\@/?#]*\@)?([^/?#:]+)((?::(\d*))?.*)$}i on. */
static void
canon_http(struct url_canon *c, struct strv nuri)
{
    struct arena *a = c->a;
    struct strv proto, host, rest, nhost, auth = STRV_LIT(""), port, target, chunks[4];
    struct strv rest_noport = { NULL, 0 };
    size_t pl, hs, he, f;
    bool found = false;

    if (mu_prefix_ci(nuri.p, nuri.len, "https://"))
        pl = 8;
    else if (mu_prefix_ci(nuri.p, nuri.len, "http://"))
        pl = 7;
    else
        return;
    proto = mu_sub(nuri, 0, pl);
    for (f = pl; f < nuri.len && !url_in("@/?#", nuri.p[f]); f++)
        ;
    hs = pl;
    if (f < nuri.len && nuri.p[f] == '@' && f + 1 < nuri.len && !url_in("/?#:", nuri.p[f + 1])) {
        auth = mu_sub(nuri, pl, f + 1);
        hs = f + 1;
    }
    for (he = hs; he < nuri.len && !url_in("/?#:", nuri.p[he]); he++)
        ;
    if (he == hs)
        return;
    host = mu_sub(nuri, hs, he);
    rest = mu_sub(nuri, he, nuri.len);

    /* the port: "" when absent or empty, then 80 or 443 by the scheme as written */
    port = STRV_LIT("");
    if (rest.len > 0 && rest.p[0] == ':') {
        size_t d = 1;

        while (d < rest.len && url_isdigit(rest.p[d]))
            d++;
        port = mu_sub(rest, 1, d);
    }
    if (port.len == 0) {
        port = strv_eq(proto, "http://") ? STRV_LIT("80") : STRV_LIT("443");
    } else {
        rest_noport = rest;
        if (strv_eq(proto, "http://")) {
            if (canon_default_port(rest, ":80")) {
                rest_noport = mu_sub(rest, 3, rest.len);
                canon_emit(c, mu_cat3(a, proto, host, rest_noport));
            }
        } else if (canon_default_port(rest, ":443")) {
            rest_noport = mu_sub(rest, 4, rest.len);
            canon_emit(c, mu_cat3(a, proto, host, rest_noport));
        }
    }

    /* if ($nhost ne lc($host)): the ACE form, with and without the port */
    nhost = mime_idn_to_ascii(a, host);
    {
        bool same = nhost.len == host.len;

        for (size_t i = 0; i < host.len && same; i++)
            same = nhost.p[i] == mu_lower(host.p[i]);
        if (!same) {
            canon_emit(c, mu_cat3(a, proto, nhost, rest));
            if (rest_noport.p != NULL && rest_noport.len > 0)
                canon_emit(c, mu_cat3(a, proto, nhost, rest_noport));
            host = nhost;
        }
    }

    /* bug 4146: controls and spaces out of the host */
    {
        char *h = arena_alloc(a, host.len + 1);
        size_t n = 0;

        for (size_t i = 0; i < host.len; i++) {
            if ((unsigned char)host.p[i] > 0x20)
                h[n++] = host.p[i];
        }
        if (n != host.len) {
            host = strv_make(h, n);
            canon_emit(c, mu_cat3(a, proto, host, rest));
        }
    }

    /* redirectors: the configured patterns first, then any embedded http: */
    if (c->redirector != NULL &&
        c->redirector(c->redirector_arg, mu_cat3(a, proto, host, rest), &target) &&
        target.len > 0 && memchr(target.p, '.', target.len) != NULL) {
        canon_follow(c, target);
        found = true;
    }
    if (!found && canon_embedded(rest, &target) && memchr(target.p, '.', target.len) != NULL)
        canon_follow(c, target);

    /* s/^[^\@]+\@//: the "www.fakehostname.com@" username part */
    {
        const char *at = host.len == 0 ? NULL : memchr(host.p, '@', host.len);

        if (at != NULL && at > host.p) {
            host = mu_sub(host, (size_t)(at - host.p) + 1, host.len);
            canon_emit(c, mu_cat3(a, proto, host, rest));
        }
    }
    /* bug 3186: s/[^0-9A-Za-z]+$// */
    {
        size_t n = host.len;

        while (n > 0 && !mu_has((unsigned char)host.p[n - 1], MU_ALNUM))
            n--;
        if (n != host.len) {
            host.len = n;
            canon_emit(c, mu_cat3(a, proto, host, rest));
        }
    }

    if (canon_numeric_host(host, chunks)) {
        struct url_sb b;

        sb_init(&b, a, nuri.len + 16);
        sb_putv(&b, proto);
        for (int k = 0; k < 4; k++) {
            canon_octet(&b, a, chunks[k]);
            if (k < 3)
                sb_putc(&b, '.');
        }
        sb_putv(&b, rest);
        canon_emit(c, sb_view(&b));
    } else if (host.len > 2 && host.p[0] == '0' && (host.p[1] == 'x' || host.p[1] == 'X') &&
               url_all(host, url_xdigit, 2)) {
        /* "http://0x7f000001/": the last eight hex digits */
        size_t from = host.len - 2 > 8 ? host.len - 8 : 2;
        struct strv dec = canon_hex_to_dec(a, host.p + from, host.len - from);

        canon_emit(c, mu_cat3(a, proto, canon_ulong_to_ip(a, dec.p, dec.len), rest));
    } else if (url_all(host, url_isdigit, 0)) {
        canon_emit(c, mu_cat3(a, proto, canon_ulong_to_ip(a, host.p, host.len), rest));
    } else if (strv_eq(proto, "http://") && auth.len == 0 && !strv_eq(nhost, "localhost") &&
               strv_eq(port, "80")) {
        /* bug 6596: http://foobar -> http://www.foobar.com, as Firefox does */
        struct strv label = nhost;

        if (url_prefix(label.p, label.len, "www."))
            label = mu_sub(label, 4, label.len);
        if (label.len > 0 && memchr(label.p, '.', label.len) == NULL &&
            !mu_domain_valid(a, c->psl, nhost))
            canon_emit(c, mu_cat3(a, STRV_LIT("http://www."), label,
                                  mu_cat3(a, STRV_LIT(".com"), rest, STRV_LIT(""))));
    }
}

/* One turn of uri_list_canonicalize's loop, for one element of @uris. */
static void
canon_one(struct url_canon *c, struct strv raw)
{
    struct arena *a = c->a;
    struct strv u = canon_trim(a, raw), nuri;
    char *p;

    canon_emit(c, u);
    if (!mu_set_add(a, &c->visited, u))
        return; /* seen already: it would add nothing new */
    if (u.len <= 1 || u.p[0] == '#' || u.p[0] == '?' || u.p[0] == '&' ||
        (u.p[0] == '/' && u.p[1] != '/'))
        return;
    {
        const char *at = memchr(u.p, '@', u.len);
        const char *colon = memchr(u.p, ':', u.len);

        if (mu_prefix_ci(u.p, u.len, "mailto:") || (at != NULL && (colon == NULL || colon > at))) {
            canon_mail(c, u);
            return;
        }
    }

    /* bug 4390: backslashes as slashes */
    p = arena_strndup(a, u.p, u.len);
    for (size_t i = 0; i < u.len; i++) {
        if (p[i] == '\\')
            p[i] = '/';
    }
    nuri = strv_make(p, u.len);
    /* http:www.foo.biz -> http://www.foo.biz */
    {
        size_t s = mu_prefix_ci(nuri.p, nuri.len, "https:")  ? 6
                   : mu_prefix_ci(nuri.p, nuri.len, "http:") ? 5
                                                             : 0;

        if (s > 0) {
            size_t k = s;

            while (k < nuri.len && k < s + 2 && nuri.p[k] == '/')
                k++;
            nuri = mu_cat3(a, mu_sub(nuri, 0, s), STRV_LIT("//"), mu_sub(nuri, k, nuri.len));
        }
    }
    if (mu_has_escape(nuri)) /* bug 4213: the scheme itself may be encoded */
        nuri = mime_url_encode(a, nuri);
    {
        size_t i = 0;

        while (i < nuri.len &&
               (mu_has((unsigned char)nuri.p[i], MU_ALNUM) || nuri.p[i] == '-' || nuri.p[i] == '_'))
            i++;
        if (i == 0 || i >= nuri.len || nuri.p[i] != ':')
            nuri = mu_cat3(
                a, url_prefix(nuri.p, nuri.len, "ftp.") ? STRV_LIT("ftp://") : STRV_LIT("http://"),
                nuri, STRV_LIT(""));
    }
    /* http://www.foo.biz?id=3 -> http://www.foo.biz/?id=3 */
    {
        size_t s = mu_prefix_ci(nuri.p, nuri.len, "https://")  ? 8
                   : mu_prefix_ci(nuri.p, nuri.len, "http://") ? 7
                                                               : 0,
               e;

        for (e = s; s > 0 && e < nuri.len && !url_in("/?#", nuri.p[e]); e++)
            ;
        if (s > 0 && e > s && e < nuri.len && nuri.p[e] != '/')
            nuri = mu_cat3(a, mu_sub(nuri, 0, e), STRV_LIT("/"), mu_sub(nuri, e, nuri.len));
    }
    nuri = canon_entities(a, nuri);
    if (!mu_eq(nuri, u))
        canon_emit(c, nuri);
    canon_http(c, nuri);
}

void
mime_url_canonicalize(struct arena *a, const struct mime_psl *psl, struct strv uri,
                      mime_url_redirector_fn redirector, void *redirector_arg, struct strv **out,
                      size_t *nout)
{
    struct url_canon *c = arena_calloc(a, 1, sizeof(*c));

    c->a = a;
    c->psl = psl;
    c->redirector = redirector;
    c->redirector_arg = redirector_arg;
    c->todo[c->ntodo++] = uri;
    for (size_t i = 0; i < c->ntodo; i++)
        canon_one(c, c->todo[i]);
    *out = c->out;
    *nout = c->nout;
}

/* --- uri_to_domain ------------------------------------------------------- */

bool
mime_url_domain(struct arena *a, const struct mime_psl *psl, struct strv uri, struct strv *host,
                struct strv *domain)
{
    char *l = arena_alloc(a, uri.len + 1);
    struct strv u = strv_make(l, uri.len), h, d;

    for (size_t i = 0; i < uri.len; i++)
        l[i] = mu_lower(uri.p[i]);
    l[uri.len] = '\0';
    /* Javascript, cid and file are no help */
    if (url_prefix(u.p, u.len, "javascript:") || url_prefix(u.p, u.len, "cid:") ||
        url_prefix(u.p, u.len, "file:"))
        return false;
    if (url_prefix(u.p, u.len, "mailto:")) {
        const char *q, *at;

        u = mu_sub(u, 7, u.len);
        if ((q = memchr(u.p, '?', u.len)) != NULL) /* drop ?subject= and the rest */
            u.len = (size_t)(q - u.p);
        at = memchr(u.p, '@', u.len);
        if (at == NULL || memchr(at + 1, '@', u.len - (size_t)(at + 1 - u.p)) != NULL)
            return false; /* no user, or more than one @ */
        u = mu_sub(u, (size_t)(at - u.p) + 1, u.len);
    } else {
        size_t i = 0, e;
        const char *at;

        while (i < u.len && u.p[i] >= 'a' && u.p[i] <= 'z')
            i++;
        if (i > 0 && i < u.len && u.p[i] == ':') { /* s{^[a-z]+:/{0,2}}{} */
            i++;
            for (size_t k = 0; k < 2 && i < u.len && u.p[i] == '/'; k++)
                i++;
            u = mu_sub(u, i, u.len);
        }
        for (e = 0; e < u.len && !url_in("/?#", u.p[e]); e++) /* path, query, fragment */
            ;
        u.len = e;
        if (u.len > 0 && (at = memrchr(u.p, '@', u.len)) != NULL) /* user:password@ */
            u = mu_sub(u, (size_t)(at - u.p) + 1, u.len);
        /* s{:\d*$}{}: a port, maybe empty (bug 4191) */
        for (size_t k = 0; k < u.len; k++) {
            if (u.p[k] == ':' && url_all(u, url_isdigit, k + 1)) {
                u.len = k;
                break;
            }
            if (u.p[k] == ':' && k + 1 == u.len) {
                u.len = k;
                break;
            }
        }
    }
    /* an escape that should have been decoded: the decoded twin is listed too */
    for (size_t i = 0; i + 2 < u.len; i++) {
        char x = u.p[i + 1], y = u.p[i + 2];

        if (u.p[i] == '%' && ((x == '2' && ((y >= '1' && y <= '9') || (y >= 'a' && y <= 'f'))) ||
                              (x >= '3' && x <= '6' && url_xdigit(y)) ||
                              (x == '7' && ((y >= '0' && y <= '9') || (y >= 'a' && y <= 'e')))))
            return false;
    }
    h = mime_idn_to_ascii(a, u);
    d = h;
    if (!mime_ip_is_address(h)) {
        if (!mime_fqdn_valid(h) || !mu_ace_domain_valid(psl, h))
            return false;
        d = mime_psl_registered_domain(a, psl, h);
        if (d.len == 0) {
            /* the host is a public suffix itself: SA's trim_domain keeps it */
            d = h;
            while (d.len > 0 && d.p[d.len - 1] == '.')
                d.len--;
        }
    }
    *host = h;
    *domain = d;
    return true;
}
