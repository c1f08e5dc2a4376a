/*
 * fuzz_mime_received.c - libFuzzer target for the Received parser, the
 * chain split and the network sets.
 * Input: byte 0 picks the trust settings, the rest is lines ('\n'). Each
 * line is parsed alone, added to a network set (most fail, which is fine)
 * and read as an address; then all lines, as one chain, go through
 * mime_received_chain. The results must keep their invariants: relay
 * strings made of the relays counted, clean fields, indexes in range,
 * addresses that print and parse back to themselves.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/ipnet.h"
#include "mime/mime_received.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LINES 64

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

static struct mime_received_rules *rules;

static size_t
count(struct strv s, const char *what)
{
    size_t n = 0, k = strlen(what);

    for (size_t i = 0; i + k <= s.len; i++)
        n += memcmp(s.p + i, what, k) == 0;
    return n;
}

/* ip, rdns, helo, by, ident and envfrom never hold what SA turns into '!'. */
static void
check_clean(struct strv v)
{
    for (size_t i = 0; i < v.len; i++)
        CHECK(v.p[i] != '\0' && v.p[i] != ' ' && v.p[i] != '\t' && v.p[i] != '\n' &&
              v.p[i] != '\r' && !strchr("#[]()<>|", v.p[i]));
}

static void
check_relay(const struct mime_relay *r)
{
    CHECK(r->as_string.len >= 2 && memcmp(r->as_string.p, "[ ip=", 5) == 0);
    CHECK(memcmp(r->as_string.p + r->as_string.len - 2, " ]", 2) == 0);
    check_clean(r->ip);
    check_clean(r->rdns);
    check_clean(r->helo);
    check_clean(r->by);
    check_clean(r->ident);
    check_clean(r->envfrom);
    CHECK(r->has_envfrom || r->envfrom.len == 0);
}

static void
check_addr(struct strv s, const struct ipset *set)
{
    struct ipaddr a, b;
    char text[64];

    if (!ipaddr_parse(s, &a))
        return;
    ipaddr_str(&a, text, sizeof(text));
    CHECK(ipaddr_parse(strv_cstr(text), &b));
    CHECK(memcmp(a.b, b.b, 16) == 0);
    (void)ipset_contains(set, &a);
    (void)ipaddr_is_private(&a);
    (void)ipaddr_is_loopback(&a);
}

static void
check_chain(const struct mime_relays *out, size_t n)
{
    CHECK(out->nrelays <= n);
    CHECK(out->nrelays == out->num_trusted + out->num_untrusted);
    CHECK(out->nrelays == out->num_internal + out->num_external);
    CHECK(count(out->trusted_str, "[ ip=") >= out->num_trusted);
    CHECK(count(out->external_str, "[ ip=") >= out->num_external);
    CHECK(out->num_unparseable <= n);
    CHECK(out->last_trusted_index >= -1 && out->last_trusted_index < (int)n);
    CHECK(out->last_internal_index >= -1 && out->last_internal_index < (int)n);
    for (size_t i = 0; i < out->nrelays; i++) {
        check_relay(&out->relays[i]);
        if (i + 1 < out->nrelays)
            CHECK(out->relays[i].trusted || !out->relays[i + 1].trusted);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct strv lines[MAX_LINES];
    size_t n = 0, pos = 1;
    struct arena *a;
    struct ipset trusted, internal, msa, frag;
    struct mime_trust trust = { NULL, NULL, NULL, false };
    struct mime_relays out;
    uint8_t mode;

    if (rules == NULL && mime_received_rules_new(&rules, NULL) == -1)
        abort();
    if (size == 0)
        return 0;
    mode = data[0];
    a = arena_new(8192);
    ipset_init(&trusted);
    ipset_init(&internal);
    ipset_init(&msa);
    ipset_init(&frag);
    ipset_add(&trusted, "192.0.2.0/24", NULL);
    ipset_add(&trusted, "!10.1.0.0/16", NULL);
    ipset_add(&trusted, "10.", NULL);
    ipset_add(&internal, "192.0.2.0/25", NULL);
    ipset_add(&msa, "192.0.2.7", NULL);
    if (mode & 1)
        trust.trusted = &trusted;
    if (mode & 2)
        trust.internal = &internal;
    if (mode & 4)
        trust.msa = &msa;
    trust.originating = (mode & 8) != 0;

    while (pos < size && n < MAX_LINES) {
        const uint8_t *nl = memchr(data + pos, '\n', size - pos);
        size_t end = nl ? (size_t)(nl - data) : size;
        struct mime_relay r;
        struct strv line = strv_make((const char *)data + pos, end - pos);
        char *text = arena_strndup(a, line.p, line.len);

        lines[n++] = line;
        if (mime_received_parse_line(rules, a, line, &r) == MIME_RCVD_RELAY)
            check_relay(&r);
        if (ipset_add(&frag, text, NULL) == 0 && (mode & 16))
            trust.trusted = &frag; /* the input's own networks */
        check_addr(line, &frag);
        if (mime_received_originating(rules, a, line, &line))
            CHECK(line.len > 23);
        pos = end + 1;
    }
    mime_received_chain(rules, a, &trust, lines, n, &out);
    check_chain(&out, n);

    ipset_clear(&trusted);
    ipset_clear(&internal);
    ipset_clear(&msa);
    ipset_clear(&frag);
    arena_free(&a);
    return 0;
}
