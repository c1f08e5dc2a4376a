/*
 * received_dump.c - sift's reading of Received chains, for comparison with
 * SpamAssassin's (scripts/sa-received.pl) by scripts/received_compare.py.
 * Not part of the build: the compare script builds it against the objects
 * of server/ (see there).
 *
 *   received_dump [--trusted NETS] [--internal NETS] [--msa NETS]
 *                 [--originating] [--bench N] < records
 *   received_dump --lines < values     one Received value a line: parse_line
 *
 * Records on stdin, for each message: "M name\n", then per Received value
 * "R len\n" and len bytes and "\n", per originating_ip_headers header value
 * "O len\n" ... the same way, and "E\n". Prints one JSON object per message
 * (bytes >= 0x80 as \u00XX, as sa-received.pl prints octets). NETS are SA
 * config values: space-separated entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/ipnet.h"
#include "mime/mime_received.h"

struct msg {
    char name[8192];
    struct strv *rcvd;
    size_t n, cap;
};

static void
json_str(struct buf *b, struct strv s)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c == '"' || c == '\\')
            buf_printf(b, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            buf_printf(b, "\\u%04x", c);
        else
            buf_putc(b, (char)c);
    }
    buf_putc(b, '"');
}

static void
parse_nets(struct ipset *s, const char *text)
{
    char *copy = strdup(text), *save = NULL;
    struct sift_err err;

    ipset_init(s);
    for (char *t = strtok_r(copy, " \t", &save); t != NULL; t = strtok_r(NULL, " \t", &save))
        if (ipset_add(s, t, &err) == -1)
            fprintf(stderr, "received_dump: %s\n", err.msg);
    free(copy);
}

static bool
read_value(struct arena *a, const char *line, struct strv *out)
{
    size_t len = strtoul(line + 2, NULL, 10);
    char *p = arena_alloc(a, len + 1);

    if (fread(p, 1, len, stdin) != len || getchar() != '\n')
        return false;
    p[len] = '\0';
    *out = strv_make(p, len);
    return true;
}

static void
dump_relay(struct buf *b, const struct mime_relay *x)
{
    const struct {
        const char *k;
        struct strv v;
    } f[] = { { "ip", x->ip },     { "rdns", x->rdns },          { "helo", x->helo },
              { "by", x->by },     { "ident", x->ident },        { "id", x->id },
              { "auth", x->auth }, { "as_string", x->as_string } };

    buf_putc(b, '{');
    for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
        buf_printf(b, "\"%s\":", f[k].k);
        json_str(b, f[k].v);
        buf_putc(b, ',');
    }
    buf_puts(b, "\"envfrom\":");
    if (x->has_envfrom)
        json_str(b, x->envfrom);
    else
        buf_puts(b, "null");
    buf_printf(b,
               ",\"ip_private\":%d,\"internal\":%d,\"trusted\":%d,\"msa\":%d,"
               "\"no_reverse_dns\":%d,\"rdns_not_in_headers\":%d}",
               x->ip_private, x->internal, x->trusted, x->msa, x->no_reverse_dns,
               x->rdns_not_in_headers);
}

/* --lines: one Received value per input line, what parse_line says. */
static int
dump_lines(const struct mime_received_rules *rules)
{
    static const char *names[] = { "relay", "skip", "unparseable" };
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    struct buf b;

    buf_init(&b);
    while ((n = getline(&line, &cap, stdin)) > 0) {
        struct arena *a = arena_new(4096);
        struct mime_relay rl;
        struct strv v = strv_make(line, (size_t)n - (line[n - 1] == '\n'));
        enum mime_received_status st = mime_received_parse_line(rules, a, v, &rl);

        buf_reset(&b);
        buf_puts(&b, "{\"line\":");
        json_str(&b, v);
        buf_printf(&b, ",\"status\":\"%s\"", names[st]);
        if (st == MIME_RCVD_RELAY) {
            buf_puts(&b, ",\"relay\":");
            dump_relay(&b, &rl);
        }
        buf_puts(&b, "}\n");
        fwrite(b.p, 1, b.len, stdout);
        arena_free(&a);
    }
    free(line);
    buf_clear(&b);
    return 0;
}

static void
dump(const struct mime_relays *r, const char *name, struct buf *b)
{
    buf_puts(b, "{\"file\":");
    json_str(b, strv_cstr(name));
    buf_puts(b, ",\"relays\":[");
    for (size_t i = 0; i < r->nrelays; i++) {
        if (i > 0)
            buf_putc(b, ',');
        dump_relay(b, &r->relays[i]);
    }
    buf_puts(b, "],\"relays_trusted_str\":");
    json_str(b, r->trusted_str);
    buf_puts(b, ",\"relays_untrusted_str\":");
    json_str(b, r->untrusted_str);
    buf_puts(b, ",\"relays_internal_str\":");
    json_str(b, r->internal_str);
    buf_puts(b, ",\"relays_external_str\":");
    json_str(b, r->external_str);
    buf_printf(b,
               ",\"num_relays_unparseable\":%u,\"last_trusted_relay_index\":%d,"
               "\"last_internal_relay_index\":%d}\n",
               r->num_unparseable, r->last_trusted_index, r->last_internal_index);
}

int
main(int argc, char **argv)
{
    struct mime_received_rules *rules;
    struct sift_err err;
    struct ipset sets[3];
    struct mime_trust trust = { NULL, NULL, NULL, false };
    long bench = 0;
    bool lines = false;
    char line[8192];
    struct arena *a = NULL;
    struct msg m = { .n = 0 };
    struct buf out;
    size_t nlines = 0;
    double secs = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--trusted") == 0 && i + 1 < argc) {
            parse_nets(&sets[0], argv[++i]);
            trust.trusted = &sets[0];
        } else if (strcmp(argv[i], "--internal") == 0 && i + 1 < argc) {
            parse_nets(&sets[1], argv[++i]);
            trust.internal = &sets[1];
        } else if (strcmp(argv[i], "--msa") == 0 && i + 1 < argc) {
            parse_nets(&sets[2], argv[++i]);
            trust.msa = &sets[2];
        } else if (strcmp(argv[i], "--originating") == 0) {
            trust.originating = true;
        } else if (strcmp(argv[i], "--lines") == 0) {
            lines = true;
        } else if (strcmp(argv[i], "--bench") == 0 && i + 1 < argc) {
            bench = atol(argv[++i]);
        } else {
            fprintf(stderr, "usage: received_dump [--trusted|--internal|--msa NETS] "
                            "[--originating] [--bench N] < records\n");
            return 2;
        }
    }
    if (mime_received_rules_new(&rules, &err) == -1) {
        fprintf(stderr, "received_dump: %s\n", err.msg);
        return 1;
    }
    if (lines) {
        dump_lines(rules);
        mime_received_rules_free(&rules);
        return 0;
    }
    buf_init(&out);
    while (fgets(line, sizeof(line), stdin) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == 'M') {
            a = arena_new(16384);
            snprintf(m.name, sizeof(m.name), "%s", line + 2);
            m.n = 0;
        } else if (line[0] == 'R' || line[0] == 'O') {
            struct strv v;
            if (a == NULL || !read_value(a, line, &v))
                return 1;
            if (line[0] == 'O' && !mime_received_originating(rules, a, v, &v))
                continue;
            if (m.n == m.cap) {
                m.cap = m.cap ? 2 * m.cap : 16;
                m.rcvd = realloc(m.rcvd, m.cap * sizeof(*m.rcvd));
            }
            m.rcvd[m.n++] = v;
        } else if (line[0] == 'E' && a != NULL) {
            struct mime_relays r;
            struct timespec t0, t1;

            clock_gettime(CLOCK_MONOTONIC, &t0);
            for (long k = 0; k < (bench > 0 ? bench : 1); k++)
                mime_received_chain(rules, a, &trust, m.rcvd, m.n, &r);
            clock_gettime(CLOCK_MONOTONIC, &t1);
            secs += (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
            nlines += m.n * (size_t)(bench > 0 ? bench : 1);
            if (bench == 0) {
                buf_reset(&out);
                dump(&r, m.name, &out);
                fwrite(out.p, 1, out.len, stdout);
            }
            arena_free(&a);
        }
    }
    if (bench > 0)
        printf("%zu Received lines in %.3f s: %.0f lines/s\n", nlines, secs,
               secs > 0 ? (double)nlines / secs : 0.0);
    buf_clear(&out);
    free(m.rcvd);
    mime_received_rules_free(&rules);
    return 0;
}
