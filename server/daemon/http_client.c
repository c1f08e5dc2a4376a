/*
 * http_client.c - one HTTP exchange on the event loop (see http_client.h).
 */
#include "daemon/http_client.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/xmalloc.h"

struct http_client {
    struct bufferevent *bev; /* NULL once the exchange is over */
    struct event *timer;     /* the deadline; fires at once after an early failure */
    struct http_response_parser rp;
    http_client_fn done;
    void *arg;
    double t0, timeout;
    bool finished, ok;
    char err[256]; /* set early (connect failed) or at the end */
};

static void hc_finish(struct http_client *hc, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The exchange is over: close, then tell the owner (which may free hc:
 * nothing touches hc after done). */
static void
hc_finish(struct http_client *hc, bool ok, const char *fmt, ...)
{
    va_list ap;

    if (hc->finished)
        return;
    hc->finished = true;
    hc->ok = ok;
    if (fmt != NULL) {
        va_start(ap, fmt);
        vsnprintf(hc->err, sizeof(hc->err), fmt, ap);
        va_end(ap);
    }
    bufferevent_free(hc->bev); /* safe from its own callbacks: libevent holds a reference */
    hc->bev = NULL;
    evtimer_del(hc->timer);
    hc->done(hc, hc->arg);
}

static void
hc_read_cb(struct bufferevent *bev, void *arg)
{
    struct http_client *hc = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t len = evbuffer_get_length(in), used = 0;
    enum proto_status st;

    if (len == 0)
        return;
    st = http_response_feed(&hc->rp, (const char *)evbuffer_pullup(in, -1), len, &used);
    evbuffer_drain(in, used);
    if (st == PROTO_DONE)
        hc_finish(hc, true, NULL);
    else if (st == PROTO_ERROR)
        hc_finish(hc, false, "bad response: %s", hc->rp.err);
}

static void
hc_event_cb(struct bufferevent *bev, short what, void *arg)
{
    struct http_client *hc = arg;

    (void)bev;
    if (what & BEV_EVENT_CONNECTED)
        return;
    if (what & BEV_EVENT_EOF) {
        if (http_response_eof(&hc->rp) == PROTO_DONE)
            hc_finish(hc, true, NULL);
        else
            hc_finish(hc, false, "%s", hc->rp.err);
        return;
    }
    if (what & BEV_EVENT_ERROR) {
        int e = EVUTIL_SOCKET_ERROR();

        hc_finish(hc, false, "%s", e != 0 ? evutil_socket_error_to_string(e) : "socket error");
        return;
    }
    hc_finish(hc, false, "connection lost");
}

static void
hc_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    struct http_client *hc = arg;

    (void)fd;
    (void)what;
    if (hc->err[0] != '\0') /* connect failed at once: reported from the loop */
        hc_finish(hc, false, NULL);
    else
        hc_finish(hc, false, "timed out after %.1f s", hc->timeout);
}

struct http_client *
http_client_start(struct event_base *base, const struct sockaddr *sa, socklen_t salen,
                  const struct http_limits *lim, double timeout, bool head_request,
                  http_client_fn done, void *arg)
{
    struct http_client *hc = xcalloc(1, sizeof(*hc));
    struct timeval tv = clock_tv(timeout);

    hc->done = done;
    hc->arg = arg;
    hc->t0 = clock_mono();
    hc->timeout = timeout;
    http_response_init(&hc->rp, lim, head_request);
    hc->timer = evtimer_new(base, hc_timer_cb, hc);
    hc->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (hc->timer == NULL || hc->bev == NULL)
        log_panic("http_client: out of memory"); /* as xmalloc would */
    bufferevent_setcb(hc->bev, hc_read_cb, NULL, hc_event_cb, hc);
    bufferevent_enable(hc->bev, EV_READ | EV_WRITE);
    if (bufferevent_socket_connect(hc->bev, (struct sockaddr *)(uintptr_t)sa, (int)salen) == -1) {
        snprintf(hc->err, sizeof(hc->err), "cannot connect: %s",
                 errno != 0 ? strerror(errno) : "socket error");
        tv = clock_tv(0);
    }
    evtimer_add(hc->timer, &tv);
    return hc;
}

void
http_client_write(struct http_client *hc, const void *p, size_t n)
{
    if (hc->bev != NULL && n > 0)
        bufferevent_write(hc->bev, p, n);
}

void
http_client_write_ref(struct http_client *hc, const void *p, size_t n)
{
    if (hc->bev != NULL && n > 0)
        evbuffer_add_reference(bufferevent_get_output(hc->bev), p, n, NULL, NULL);
}

const struct http_response *
http_client_response(const struct http_client *hc)
{
    return hc->finished && hc->ok ? &hc->rp.resp : NULL;
}

const char *
http_client_error(const struct http_client *hc)
{
    if (!hc->finished)
        return "in progress";
    return hc->ok ? "" : hc->err[0] != '\0' ? hc->err : "failed";
}

double
http_client_elapsed(const struct http_client *hc)
{
    return clock_mono() - hc->t0;
}

void
http_client_free(struct http_client **hcp)
{
    struct http_client *hc = *hcp;

    if (hc == NULL)
        return;
    *hcp = NULL;
    if (hc->bev != NULL)
        bufferevent_free(hc->bev);
    event_free(hc->timer);
    http_response_clear(&hc->rp);
    free(hc);
}
