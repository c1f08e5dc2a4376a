/*
 * html_dump.c - print mime_html_render()'s result for each file named, one
 * JSON object per line, exactly as scripts/sa-html.pl prints SpamAssassin's
 * (html_json.h); scripts/html-compare.py compares the two field by field.
 * Not part of make check:
 *
 *   make build/libsift.a
 *   cc -O2 -Iserver -o build/html_dump tests/unit/mime/html_dump.c build/libsift.a -lm
 *   build/html_dump [-t SECONDS] FILE...  (-t: render repeatedly for SECONDS of CPU time, print
 * MB/s)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "mime/mime_html.h"
#include "html_json.h"

static char *
slurp(const char *file, size_t *len)
{
    FILE *f = fopen(file, "rb");
    char *p = NULL;
    size_t cap = 0, n = 0, got;

    if (f == NULL) {
        perror(file);
        exit(1);
    }
    do {
        if (cap - n < 65536) {
            cap = cap ? cap * 2 : 65536;
            p = realloc(p, cap);
            if (p == NULL)
                exit(1);
        }
        got = fread(p + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    *len = n;
    return p;
}

int
main(int argc, char **argv)
{
    double secs = 0;
    int i = 1;

    if (argc > 2 && strcmp(argv[1], "-t") == 0) {
        secs = atof(argv[2]);
        i = 3;
    }
    if (secs > 0) {
        size_t nf = (size_t)(argc - i), total = 0, rounds = 0;
        char **data = calloc(nf, sizeof(*data));
        size_t *lens = calloc(nf, sizeof(*lens));
        struct timespec t0, t1;
        double el;

        for (size_t k = 0; k < nf; k++) {
            data[k] = slurp(argv[i + (int)k], &lens[k]);
            total += lens[k];
        }
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
        do {
            for (size_t k = 0; k < nf; k++) {
                struct arena *a = arena_new(65536);
                struct mime_html_result r;

                mime_html_render(a, data[k], lens[k], &r);
                arena_free(&a);
            }
            rounds++;
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
            el = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        } while (el < secs);
        printf("%zu files, %zu bytes, %zu rounds, %.3f s: %.1f MB/s\n", nf, total, rounds, el,
               (double)total * (double)rounds / el / 1e6);
        return 0;
    }
    for (; i < argc; i++) {
        size_t len;
        char *p = slurp(argv[i], &len);
        struct arena *a = arena_new(65536);
        struct mime_html_result r;

        struct buf b;

        mime_html_render(a, p, len, &r);
        buf_init(&b);
        /* html_end ran iff length is set (an empty part is not rendered) */
        html_json(&b, &r, r.length > 0 || len == 0, argv[i]);
        buf_putc(&b, '\n');
        fwrite(b.p, 1, b.len, stdout);
        buf_clear(&b);
        arena_free(&a);
        free(p);
    }
    return 0;
}
