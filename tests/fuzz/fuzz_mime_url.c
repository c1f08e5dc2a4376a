/*
 * fuzz_mime_url.c - libFuzzer target for server/mime's URL and address
 * code: any bytes as rendered body text (the text scanner, line by line,
 * one seen set), as a URI (canonicalized with a redirector that follows
 * "?u=", each form encoded and given its domain), as a host (IDN, FQDN,
 * IP, suffix list), as an address header value, and as a suffix list of
 * its own. The first byte picks where the input is split into those
 * roles; nothing may crash, leak, hang or read past a view.
 * The shipped list is loaded once (data/public_suffix_list.dat under
 * $SIFT_SRCDIR or the current directory), else a small built-in one.
 */
#include "mime/mime_url.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_small_list[] = "com\nco.uk\nuk\n*.ck\n!www.ck\norg\nnet\nde\n"
                                      "\xe4\xb8\xad\xe5\x9b\xbd\n*.kobe.jp\n!city.kobe.jp\n";

static volatile size_t fuzz_sink;

static const struct mime_psl *
fuzz_psl(void)
{
    static struct mime_psl *psl;
    char path[4096];
    struct sift_err err;
    const char *dir = getenv("SIFT_SRCDIR");

    if (psl != NULL)
        return psl;
    snprintf(path, sizeof(path), "%s/data/public_suffix_list.dat", dir != NULL ? dir : ".");
    if (mime_psl_load(path, &psl, &err) != 0)
        psl = mime_psl_parse(fuzz_small_list, sizeof(fuzz_small_list) - 1);
    return psl;
}

/* Touch every byte of a result: a view past its memory shows under ASan. */
static void
fuzz_read(struct strv v)
{
    size_t sum = v.len;

    for (size_t i = 0; i < v.len; i++)
        sum += (unsigned char)v.p[i];
    fuzz_sink += sum;
}

static void
fuzz_found(void *arg, const struct mime_url *url)
{
    size_t *n = arg;

    fuzz_read(url->uri);
    if (url->uri.len == 0 || !(url->types & MIME_URL_PARSED))
        abort();
    (*n)++;
}

static bool
fuzz_redirect(void *arg, struct strv uri, struct strv *target)
{
    (void)arg;
    for (size_t i = 0; i + 3 <= uri.len; i++) {
        if (memcmp(uri.p + i, "?u=", 3) == 0) {
            *target = strv_make(uri.p + i + 3, uri.len - i - 3);
            return true;
        }
    }
    return false;
}

static void
fuzz_text(struct arena *a, const struct mime_psl *psl, struct strv text)
{
    struct mime_url_seen *seen = mime_url_seen_new(a);
    size_t n = 0;

    for (size_t start = 0; start <= text.len;) {
        const char *nl = memchr(text.p + start, '\n', text.len - start);
        size_t end = nl == NULL ? text.len : (size_t)(nl - text.p);

        mime_url_scan_text(a, psl, seen, strv_make(text.p + start, end - start), fuzz_found, &n);
        start = end + 1;
    }
    fuzz_sink += n;
}

static void
fuzz_uri(struct arena *a, const struct mime_psl *psl, struct strv uri)
{
    struct strv *forms, host, domain;
    size_t n;

    mime_url_canonicalize(a, psl, uri, fuzz_redirect, NULL, &forms, &n);
    if (n == 0)
        abort(); /* the raw URI is always kept */
    for (size_t i = 0; i < n; i++) {
        fuzz_read(forms[i]);
        fuzz_read(mime_url_encode(a, forms[i]));
        if (mime_url_domain(a, psl, forms[i], &host, &domain)) {
            fuzz_read(host);
            fuzz_read(domain);
        }
    }
}

static void
fuzz_host(struct arena *a, const struct mime_psl *psl, struct strv h)
{
    struct strv ace = mime_idn_to_ascii(a, h);

    fuzz_read(ace);
    fuzz_sink += mime_fqdn_valid(h) + mime_fqdn_valid(ace) + mime_ip_is_address(h);
    fuzz_sink += mime_psl_is_tld(psl, h);
    fuzz_read(mime_psl_registered_domain(a, psl, h));
    fuzz_read(mime_psl_registered_domain(a, psl, ace));
}

static void
fuzz_addr(struct arena *a, struct strv v)
{
    struct mime_addr *out;
    size_t n = mime_addr_parse(a, v, &out);

    for (size_t i = 0; i < n; i++) {
        fuzz_read(out[i].phrase);
        fuzz_read(out[i].address);
        fuzz_read(out[i].user);
        fuzz_read(out[i].host);
        fuzz_read(out[i].comment);
        if (out[i].has_address != (out[i].address.p != NULL))
            abort();
    }
}

/* The input as a list of its own, asked about its own lines. */
static void
fuzz_list(struct arena *a, struct strv text)
{
    struct mime_psl *own = mime_psl_parse(text.p, text.len);

    for (size_t start = 0; start < text.len;) {
        const char *nl = memchr(text.p + start, '\n', text.len - start);
        size_t end = nl == NULL ? text.len : (size_t)(nl - text.p);
        struct strv line = strv_make(text.p + start, end - start);

        fuzz_sink += mime_psl_is_tld(own, line);
        fuzz_read(mime_psl_registered_domain(a, own, line));
        start = end + 1;
    }
    mime_psl_free(&own);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct mime_psl *psl = fuzz_psl();
    struct arena *a;
    struct strv all, head, tail;
    char *copy;
    size_t cut;

    if (size == 0)
        return 0;
    /* an exact-size copy, so that reading past the input is caught */
    copy = malloc(size - 1 > 0 ? size - 1 : 1);
    memcpy(copy, data + 1, size - 1);
    all = strv_make(copy, size - 1);
    cut = all.len == 0 ? 0 : data[0] % (all.len + 1);
    head = strv_make(copy, cut);
    tail = strv_make(copy + cut, all.len - cut);

    a = arena_new(4096);
    fuzz_text(a, psl, all);
    fuzz_uri(a, psl, all);
    fuzz_uri(a, psl, head);
    fuzz_host(a, psl, head);
    fuzz_host(a, psl, tail);
    fuzz_addr(a, all);
    fuzz_addr(a, tail);
    if (data[0] & 0x80)
        fuzz_list(a, all);
    arena_free(&a);
    free(copy);
    return 0;
}
