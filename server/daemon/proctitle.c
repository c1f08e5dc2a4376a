/*
 * proctitle.c - process titles (see proctitle.h).
 * argv[] and environ[] strings lie back to back; once the environment is
 * copied elsewhere, that whole area can hold the title.
 */
#include "daemon/proctitle.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "core/xmalloc.h"

extern char **environ;

static struct {
    char *start;
    size_t len;
} proctitle_area;

void
proctitle_init(int argc, char **argv)
{
    char *end;
    size_t n = 0;

    if (argc < 1 || argv[0] == NULL)
        return;
    end = argv[0] + strlen(argv[0]) + 1;
    for (int i = 1; i < argc; i++) {
        if (argv[i] == end)
            end = argv[i] + strlen(argv[i]) + 1;
    }
    while (environ[n] != NULL)
        n++;
    if (n > 0 && environ[0] == end) {
        char **copy = xcalloc(n + 1, sizeof(*copy));

        for (size_t i = 0; i < n; i++) {
            if (environ[i] == end)
                end = environ[i] + strlen(environ[i]) + 1;
            copy[i] = xstrdup(environ[i]);
        }
        environ = copy;
    }
    proctitle_area.start = argv[0];
    proctitle_area.len = (size_t)(end - argv[0]);
}

void
proctitle_set(const char *comm, const char *fmt, ...)
{
    char title[256];
    size_t n;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(title, sizeof(title), fmt, ap);
    va_end(ap);
    prctl(PR_SET_NAME, comm);
    if (proctitle_area.start == NULL || proctitle_area.len < 2)
        return;
    n = strlen(title);
    if (n >= proctitle_area.len)
        n = proctitle_area.len - 1;
    memcpy(proctitle_area.start, title, n);
    memset(proctitle_area.start + n, 0, proctitle_area.len - n);
}
