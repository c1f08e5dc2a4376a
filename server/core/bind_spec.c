/*
 * bind_spec.c - listener addresses (see bind_spec.h).
 */
#include "core/bind_spec.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define BIND_DEFAULT_MODE 0660

static int
bind_parse_port(const char *s, unsigned *port, struct sift_err *err)
{
    char *end;
    unsigned long v;

    if (s[0] == '\0') {
        sift_err_set(err, "missing port (expected HOST:PORT)");
        return -1;
    }
    v = strtoul(s, &end, 10);
    if (!isdigit((unsigned char)s[0]) || *end != '\0' || v == 0 || v > 65535) {
        sift_err_set(err, "bad port '%s' (1 to 65535)", s);
        return -1;
    }
    *port = (unsigned)v;
    return 0;
}

/* text: the address alone, without options. */
static int
bind_parse_tcp(struct arena *a, const char *text, struct bind_spec *out, struct sift_err *err)
{
    const char *colon;

    out->kind = BIND_TCP;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');

        if (close == NULL || close == text + 1 || close[1] != ':') {
            sift_err_set(err, "bad IPv6 address (expected [ADDRESS]:PORT)");
            return -1;
        }
        out->host = arena_strndup(a, text + 1, (size_t)(close - text - 1));
        return bind_parse_port(close + 2, &out->port, err);
    }
    colon = strrchr(text, ':');
    if (colon == NULL) {
        sift_err_set(err, "missing port (expected HOST:PORT, [IPv6]:PORT or /path.sock)");
        return -1;
    }
    if (memchr(text, ':', (size_t)(colon - text)) != NULL) {
        sift_err_set(err, "an IPv6 address needs brackets: [ADDRESS]:PORT");
        return -1;
    }
    if (colon == text) {
        sift_err_set(err, "missing host (use *:PORT for every address)");
        return -1;
    }
    if (colon - text == 1 && text[0] == '*')
        out->host = NULL;
    else
        out->host = arena_strndup(a, text, (size_t)(colon - text));
    return bind_parse_port(colon + 1, &out->port, err);
}

/* "ssl" on a TCP address. */
static int
bind_parse_tcp_option(const char *opt, size_t len, struct bind_spec *out, struct sift_err *err)
{
    static const char *const unix_only[] = { "mode=", "owner=", "group=" };

    if (len == 3 && memcmp(opt, "ssl", 3) == 0) {
        out->ssl = true;
        return 0;
    }
    for (size_t i = 0; i < sizeof(unix_only) / sizeof(unix_only[0]); i++) {
        if (len >= strlen(unix_only[i]) && memcmp(opt, unix_only[i], strlen(unix_only[i])) == 0) {
            sift_err_set(err, "%s is for Unix sockets only", unix_only[i]);
            return -1;
        }
    }
    sift_err_set(err, "unknown option '%.*s' (expected ssl)", (int)len, opt);
    return -1;
}

/* mode=, owner= and group= on a Unix socket. */
static int
bind_parse_unix_option(struct arena *a, const char *opt, size_t len, struct bind_spec *out,
                       struct sift_err *err)
{
    const char *eq = memchr(opt, '=', len);
    size_t klen = eq ? (size_t)(eq - opt) : len;
    char *val;

    if (len == 3 && memcmp(opt, "ssl", 3) == 0) {
        sift_err_set(err, "ssl is for TCP addresses only");
        return -1;
    }
    if (eq == NULL || eq + 1 == opt + len) {
        sift_err_set(err, "bad socket option '%.*s' (expected mode=, owner= or group=)", (int)len,
                     opt);
        return -1;
    }
    val = arena_strndup(a, eq + 1, len - klen - 1);
    if (klen == 4 && memcmp(opt, "mode", 4) == 0) {
        char *end;
        unsigned long m = strtoul(val, &end, 8);

        if (*end != '\0' || m > 07777) {
            sift_err_set(err, "bad mode '%s' (octal, e.g. 0660)", val);
            return -1;
        }
        out->mode = (unsigned)m;
    } else if (klen == 5 && memcmp(opt, "owner", 5) == 0) {
        out->owner = val;
    } else if (klen == 5 && memcmp(opt, "group", 5) == 0) {
        out->group = val;
    } else {
        sift_err_set(err, "unknown socket option '%.*s' (expected mode=, owner= or group=)",
                     (int)klen, opt);
        return -1;
    }
    return 0;
}

/* The space-separated options after the address (p: NULL or at a space). */
static int
bind_parse_options(struct arena *a, const char *p, struct bind_spec *out, struct sift_err *err)
{
    while (p != NULL) {
        const char *next;
        size_t len;

        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        next = strchr(p, ' ');
        len = next ? (size_t)(next - p) : strlen(p);
        if ((out->kind == BIND_UNIX ? bind_parse_unix_option(a, p, len, out, err)
                                    : bind_parse_tcp_option(p, len, out, err)) == -1)
            return -1;
        p = next;
    }
    return 0;
}

static int
bind_parse_unix(struct arena *a, const char *text, struct bind_spec *out, struct sift_err *err)
{
    const char *p = strchr(text, ' ');

    out->kind = BIND_UNIX;
    out->mode = BIND_DEFAULT_MODE;
    out->path = arena_strndup(a, text, p ? (size_t)(p - text) : strlen(text));
    if (strlen(out->path) >= 108) { /* sizeof(sockaddr_un.sun_path) */
        sift_err_set(err, "socket path too long (at most 107 bytes)");
        return -1;
    }
    return bind_parse_options(a, p, out, err);
}

int
bind_spec_parse(struct arena *a, const char *text, struct bind_spec *out, struct sift_err *err)
{
    const char *sp;

    memset(out, 0, sizeof(*out));
    out->text = arena_strdup(a, text);
    if (text[0] == '/')
        return bind_parse_unix(a, text, out, err);
    if (text[0] == '.' || strchr(text, '/') != NULL) {
        sift_err_set(err, "a Unix socket path must be absolute");
        return -1;
    }
    sp = strchr(text, ' ');
    if (bind_parse_tcp(a, sp ? arena_strndup(a, text, (size_t)(sp - text)) : text, out, err) == -1)
        return -1;
    return bind_parse_options(a, sp, out, err);
}
