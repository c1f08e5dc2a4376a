/*
 * siftc.c - sift's native client, in the spirit of rspamc.
 *
 *   siftc [-h HOST:PORT] [-t SECONDS] ping
 *
 * ping asks a normal or controller worker for GET /ping and prints the
 * answer and the round trip. Scanning, learning and statistics arrive with
 * the HTTP scan protocol.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/bind_spec.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/version.h"

struct siftc {
    const char *host; /* HOST:PORT, [IPv6]:PORT or /path.sock */
    double timeout;
};

static void
siftc_usage(FILE *f)
{
    fprintf(f, "usage: siftc [-h HOST:PORT] [-t SECONDS] COMMAND\n"
               "commands:\n"
               "  ping   check that a normal or controller worker answers\n"
               "options:\n"
               "  -h HOST:PORT  server (default 127.0.0.1:11333; [::1]:PORT and /path.sock too)\n"
               "  -t SECONDS    give up after this long (default 10)\n");
}

/* Wait for fd to be ready for `events` until deadline; 0 ready, -1 timed out. */
static int
siftc_wait(int fd, short events, double deadline)
{
    struct pollfd p = { .fd = fd, .events = events };
    double left = deadline - clock_mono();

    if (left <= 0)
        return -1;
    return poll(&p, 1, (int)(left * 1000) + 1) == 1 ? 0 : -1;
}

static int
siftc_connect(const struct siftc *sc, double deadline)
{
    struct bind_spec spec;
    struct sift_err err;
    struct arena *a = arena_new(1024);
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL, *ai;
    char port[8];
    int fd = -1;

    if (bind_spec_parse(a, sc->host, &spec, &err) == -1) {
        fprintf(stderr, "siftc: %s: %s\n", sc->host, err.msg);
        arena_free(&a);
        return -1;
    }
    if (spec.kind == BIND_UNIX) {
        struct sockaddr_un sun = { .sun_family = AF_UNIX };

        snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", spec.path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd != -1 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
            close(fd);
            fd = -1;
        }
    } else {
        snprintf(port, sizeof(port), "%u", spec.port);
        if (getaddrinfo(spec.host ? spec.host : "127.0.0.1", port, &hints, &res) == 0) {
            for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next) {
                fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
                if (fd == -1)
                    continue;
                if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1 &&
                    (errno != EINPROGRESS || siftc_wait(fd, POLLOUT, deadline) == -1)) {
                    close(fd);
                    fd = -1;
                }
            }
            freeaddrinfo(res);
        }
    }
    if (fd == -1)
        fprintf(stderr, "siftc: cannot connect to %s: %s\n", sc->host,
                errno ? strerror(errno) : "timed out");
    arena_free(&a);
    return fd;
}

/* Send an HTTP/1.0 request and read the whole reply into out. */
static int
siftc_http(const struct siftc *sc, const char *method, const char *path, struct buf *out)
{
    double deadline = clock_mono() + sc->timeout;
    struct buf req;
    size_t sent = 0;
    int fd = siftc_connect(sc, deadline), rc = -1;

    if (fd == -1)
        return -1;
    buf_init(&req);
    buf_printf(&req, "%s %s HTTP/1.0\r\nUser-Agent: siftc/%s\r\nConnection: close\r\n\r\n", method,
               path, SIFT_VERSION);
    while (sent < req.len) {
        ssize_t n = send(fd, req.p + sent, req.len - sent, MSG_NOSIGNAL);

        if (n > 0)
            sent += (size_t)n;
        else if (n == -1 && errno == EAGAIN && siftc_wait(fd, POLLOUT, deadline) == 0)
            continue;
        else
            goto out;
    }
    for (;;) {
        char b[4096];
        ssize_t n = recv(fd, b, sizeof(b), 0);

        if (n > 0) {
            buf_append(out, b, (size_t)n);
        } else if (n == 0) {
            rc = 0;
            break;
        } else if (errno != EAGAIN || siftc_wait(fd, POLLIN, deadline) == -1) {
            break;
        }
    }
out:
    if (rc == -1)
        fprintf(stderr, "siftc: %s: %s\n", sc->host, errno ? strerror(errno) : "timed out");
    close(fd);
    buf_clear(&req);
    return rc;
}

static int
siftc_ping(const struct siftc *sc)
{
    double t0 = clock_mono();
    struct buf rep;
    const char *body;
    int status = 0, rc = 1;

    buf_init(&rep);
    if (siftc_http(sc, "GET", "/ping", &rep) == 0) {
        body = strstr(rep.p ? rep.p : "", "\r\n\r\n");
        if (sscanf(rep.p ? rep.p : "", "HTTP/1.%*d %d", &status) == 1 && status == 200 &&
            body != NULL) {
            printf("%.*s from %s in %.3f ms\n", (int)strcspn(body + 4, "\r\n"), body + 4, sc->host,
                   (clock_mono() - t0) * 1000);
            rc = 0;
        } else {
            fprintf(stderr, "siftc: %s: unexpected reply: %.*s\n", sc->host,
                    (int)strcspn(rep.p ? rep.p : "", "\r\n"), rep.p ? rep.p : "");
        }
    }
    buf_clear(&rep);
    return rc;
}

int
main(int argc, char **argv)
{
    struct siftc sc = { .host = "127.0.0.1:11333", .timeout = 10 };
    int c;

    while ((c = getopt(argc, argv, "+h:t:v")) != -1) {
        switch (c) {
        case 'h':
            sc.host = optarg;
            break;
        case 't':
            sc.timeout = atof(optarg);
            if (sc.timeout <= 0) {
                fprintf(stderr, "siftc: -t: not a positive number of seconds\n");
                return 2;
            }
            break;
        case 'v':
            printf("siftc %s\n", SIFT_VERSION);
            return 0;
        default:
            siftc_usage(stderr);
            return 2;
        }
    }
    if (optind + 1 != argc || strcmp(argv[optind], "ping") != 0) {
        siftc_usage(stderr);
        return 2;
    }
    return siftc_ping(&sc);
}
