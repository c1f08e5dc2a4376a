/*
 * url_dump.c - run server/mime's URL and address code on inputs prepared by
 * scripts/url_parity.py, for comparison with SpamAssassin's answers.
 * Not part of the build:
 *
 *   cc -D_GNU_SOURCE -Iserver -O2 -o build/url_dump scripts/url_dump.c \
 *      build/libsift.a $(pkg-config --libs libidn2 libpcre2-8)
 *   build/url_dump data/public_suffix_list.dat REDIRECTORS < in > out
 *
 * REDIRECTORS holds one Perl pattern a line (SA's redirector_patterns),
 * compiled with PCRE2. Each input line is "M" (a new message: the text
 * scanner's seen set starts again) or a mode letter and the input in hex:
 * "T hex" a rendered body line, "C hex" a URI to canonicalize, "A hex" an
 * address header value, "H hex" a host. Each but M gives one JSON line;
 * strings are printed as bytes (\u00XX above 0x7f), as sa-views.pl does.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "mime/mime_url.h"

#define MAX_RE 64

struct redirectors {
    pcre2_code *re[MAX_RE];
    size_t n;
    struct arena *a;
};

static void
put_str(struct strv s)
{
    if (s.p == NULL) {
        fputs("null", stdout);
        return;
    }
    putchar('"');
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];

        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static bool
redirect(void *arg, struct strv uri, struct strv *target)
{
    struct redirectors *r = arg;

    for (size_t i = 0; i < r->n; i++) {
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(r->re[i], NULL);
        int rc = pcre2_match(r->re[i], (PCRE2_SPTR)uri.p, uri.len, 0, 0, md, NULL);
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);

        if (rc > 1 && ov[2] != PCRE2_UNSET && memchr(uri.p + ov[2], '.', ov[3] - ov[2]) != NULL) {
            *target = strv_make(arena_strndup(r->a, uri.p + ov[2], ov[3] - ov[2]), ov[3] - ov[2]);
            pcre2_match_data_free(md);
            return true;
        }
        pcre2_match_data_free(md);
    }
    return false;
}

static void
load_redirectors(const char *path, struct redirectors *r)
{
    FILE *f = fopen(path, "r");
    char line[4096];

    if (f == NULL) {
        perror(path);
        exit(1);
    }
    while (fgets(line, sizeof(line), f) != NULL && r->n < MAX_RE) {
        int err;
        PCRE2_SIZE off;
        size_t len = strcspn(line, "\n");

        r->re[r->n] = pcre2_compile((PCRE2_SPTR)line, len, PCRE2_CASELESS, &err, &off, NULL);
        if (r->re[r->n] == NULL) {
            fprintf(stderr, "bad pattern at %zu: %.*s\n", (size_t)off, (int)len, line);
            exit(1);
        }
        r->n++;
    }
    fclose(f);
}

static size_t
unhex(char *s)
{
    size_t n = 0;

    for (size_t i = 0; s[i] && s[i + 1] && s[i] != '\n'; i += 2) {
        unsigned v;

        sscanf(s + i, "%2x", &v);
        s[n++] = (char)v;
    }
    return n;
}

struct found_ctx {
    bool first;
};

static void
found(void *arg, const struct mime_url *u)
{
    struct found_ctx *fc = arg;

    printf("%s{\"uri\":", fc->first ? "" : ",");
    put_str(u->uri);
    printf(",\"types\":%u}", u->types);
    fc->first = false;
}

static void
canon(struct arena *a, const struct mime_psl *psl, struct redirectors *r, struct strv uri)
{
    struct strv *out;
    size_t n;

    mime_url_canonicalize(a, psl, uri, redirect, r, &out, &n);
    printf("{\"cleaned\":[");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            putchar(',');
        put_str(out[i]);
    }
    printf("],\"domains\":{");
    for (size_t i = 0; i < n; i++) {
        struct strv host, domain, c = out[i];

        if (c.len > 8192) /* MAX_URI_LENGTH */
            c.len = 8192;
        if (i > 0)
            putchar(',');
        put_str(c);
        putchar(':');
        if (mime_url_domain(a, psl, c, &host, &domain)) {
            putchar('[');
            put_str(domain);
            putchar(',');
            put_str(host);
            putchar(']');
        } else {
            fputs("null", stdout);
        }
    }
    printf("}}\n");
}

static void
addrs(struct arena *a, struct strv v)
{
    struct mime_addr *out;
    size_t n = mime_addr_parse(a, v, &out);

    printf("{\"addrs\":[");
    for (size_t i = 0; i < n; i++) {
        printf("%s{\"phrase\":", i ? "," : "");
        put_str(out[i].has_phrase ? out[i].phrase : (struct strv){ NULL, 0 });
        printf(",\"address\":");
        put_str(out[i].has_address ? out[i].address : (struct strv){ NULL, 0 });
        printf(",\"user\":");
        put_str(out[i].user);
        printf(",\"host\":");
        put_str(out[i].host);
        printf(",\"comment\":");
        put_str(out[i].has_comment ? out[i].comment : (struct strv){ NULL, 0 });
        printf(",\"invalid\":%s}", out[i].invalid ? "true" : "false");
    }
    printf("]}\n");
}

static void
host(struct arena *a, const struct mime_psl *psl, struct strv h)
{
    struct strv idn = mime_idn_to_ascii(a, h);

    printf("{\"idn\":");
    put_str(idn);
    printf(",\"fqdn\":%s,\"trim\":", mime_fqdn_valid(idn) ? "true" : "false");
    put_str(mime_psl_registered_domain(a, psl, idn));
    printf("}\n");
}

int
main(int argc, char **argv)
{
    struct mime_psl *psl;
    struct sift_err err;
    struct redirectors r = { .n = 0 };
    struct arena *msg = arena_new(1 << 16);
    struct mime_url_seen *seen = mime_url_seen_new(msg);
    static char line[1 << 20];

    if (argc != 3) {
        fprintf(stderr, "usage: url_dump PSL REDIRECTORS < in\n");
        return 2;
    }
    if (mime_psl_load(argv[1], &psl, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    load_redirectors(argv[2], &r);
    while (fgets(line, sizeof(line), stdin) != NULL) {
        struct arena *a = arena_new(1 << 14);
        struct strv in = strv_make(line + 2, 0);

        r.a = a;
        if (line[0] == 'M') {
            arena_free(&msg);
            msg = arena_new(1 << 16);
            seen = mime_url_seen_new(msg);
            arena_free(&a);
            continue;
        }
        in.len = unhex(line + 2);
        if (line[0] == 'T') {
            struct found_ctx fc = { true };

            printf("{\"found\":[");
            mime_url_scan_text(msg, psl, seen, in, found, &fc);
            printf("]}\n");
        } else if (line[0] == 'C') {
            canon(a, psl, &r, in);
        } else if (line[0] == 'A') {
            addrs(a, in);
        } else if (line[0] == 'H') {
            host(a, psl, in);
        }
        arena_free(&a);
    }
    mime_psl_free(&psl);
    arena_free(&msg);
    return 0;
}
