/*
 * worker.c - a worker process's loop (see worker.h).
 */
#include "daemon/worker.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "daemon/conn.h"
#include "daemon/proctitle.h"
#include "daemon/scanner.h"
#include "daemon/stats.h"
#include "daemon/tls.h"
#include "daemon/worker_types.h"

static void
worker_accepting(struct worker *w, bool on)
{
    if (w->accepting == on || w->stopping)
        return;
    for (size_t i = 0; i < w->nls; i++) {
        if (on)
            evconnlistener_enable(w->ls[i]);
        else
            evconnlistener_disable(w->ls[i]);
    }
    w->accepting = on;
}

/* Count one more request in progress; stop accepting at max_conns. */
static void
worker_conn_count(struct worker *w)
{
    w->nopen++;
    if (w->nopen >= w->wc->max_conns) {
        /* with max_conns 1 (the scanning workers' default) this is every request */
        if (w->wc->max_conns > 1 && !w->told_full)
            log_notice("max_conns (%llu) reached; new connections wait in the listen queue "
                       "(said once)",
                       (unsigned long long)w->wc->max_conns);
        w->told_full = w->wc->max_conns > 1;
        worker_accepting(w, false);
    }
}

void
worker_conn_added(struct worker *w, struct conn *c)
{
    c->next = w->conns;
    if (w->conns != NULL)
        w->conns->prev = c;
    w->conns = c;
    w->nconns++;
    w->accepted++;
    stats_record_connection(w->wc->type->control);
    worker_conn_count(w);
}

void
worker_conn_reclaimed(struct worker *w, struct conn *c)
{
    if (!c->released)
        return;
    c->released = false;
    worker_conn_count(w);
}

void
worker_conn_released(struct worker *w, struct conn *c)
{
    if (c->released)
        return;
    c->released = true;
    w->nopen--;
    if (!w->stopping && w->nopen < w->wc->max_conns)
        worker_accepting(w, true);
}

void
worker_conn_removed(struct worker *w, struct conn *c)
{
    worker_conn_released(w, c);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        w->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    w->nconns--;
    if (w->stopping && w->nconns == 0)
        event_base_loopexit(w->base, NULL);
}

static void
worker_accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
                 void *arg)
{
    (void)l;
    conn_accept(arg, fd, sa, (socklen_t)salen, false);
}

/* The same on a listener with "ssl". */
static void
worker_accept_tls_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
                     void *arg)
{
    (void)l;
    conn_accept(arg, fd, sa, (socklen_t)salen, true);
}

static void
worker_accept_error_cb(struct evconnlistener *l, void *arg)
{
    int e = EVUTIL_SOCKET_ERROR();

    (void)l;
    (void)arg;
    /* EMFILE and friends: the connection stays queued; libevent retries */
    log_err("accept: %s", evutil_socket_error_to_string(e));
}

static void
worker_stop(struct worker *w, const char *why)
{
    struct timeval tv = clock_tv(w->cfg->cfg->options.shutdown_timeout);

    if (w->stopping && !w->retired)
        return;
    log_info("stopping (%s); %zu connection(s) to finish", why, w->nconns);
    w->stopping = true;
    w->retired = false; /* told to stop while retiring: an ordinary stop now */
    for (size_t i = 0; i < w->nls; i++)
        evconnlistener_free(w->ls[i]); /* closes this process's copy of the socket */
    w->nls = 0;
    for (struct conn *c = w->conns, *next; c != NULL; c = next) {
        next = c->next;
        conn_shutdown(c);
    }
    if (w->nconns == 0) {
        event_base_loopexit(w->base, NULL);
        return;
    }
    evtimer_add(w->ev_stop, &tv);
}

/* Like a stop, but the open connections keep their own timeouts: they
 * were accepted to be served in full. (libevent holds a reference on a
 * listener around its callback, so freeing it from one is safe.) */
void
worker_retire(struct worker *w, const char *why)
{
    if (w->stopping)
        return;
    log_info("retiring after %llu connection(s) (%s); %zu to finish", w->accepted, why, w->nconns);
    w->stopping = true;
    w->retired = true;
    for (size_t i = 0; i < w->nls; i++)
        evconnlistener_free(w->ls[i]);
    w->nls = 0;
    if (w->nconns == 0)
        event_base_loopexit(w->base, NULL);
}

static void
worker_stop_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;

    (void)fd;
    (void)what;
    log_warn("shutdown_timeout expired with %zu connection(s) still open; closing them", w->nconns);
    event_base_loopbreak(w->base);
}

static void
worker_signal_cb(evutil_socket_t sig, short what, void *arg)
{
    struct worker *w = arg;
    struct sift_err err;

    (void)what;
    switch (sig) {
    case SIGTERM:
    case SIGINT:
        worker_stop(w, sig == SIGTERM ? "SIGTERM" : "SIGINT");
        break;
    case SIGUSR1:
        if (log_reopen(&err) == -1)
            log_err("%s", err.msg);
        break;
    case SIGHUP:
        break; /* the main process reloads; a stray HUP to the group must not kill us */
    }
}

static void
worker_ctl_cb(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    char b[64];
    ssize_t n;

    (void)what;
    n = read(fd, b, sizeof(b));
    if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
        event_del(w->ev_ctl);
        worker_stop(w, "the main process is gone");
    }
}

static int
worker_setup(struct worker *w, const int *fds, size_t nfds)
{
    w->ls = xcalloc(nfds ? nfds : 1, sizeof(*w->ls));
    for (size_t i = 0; i < nfds; i++) {
        bool tls = tls_listener_is(w->wc, fds[i]);

        w->ls[i] = evconnlistener_new(w->base, tls ? worker_accept_tls_cb : worker_accept_cb, w,
                                      LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fds[i]);
        if (w->ls[i] == NULL) {
            log_err("cannot listen on descriptor %d", fds[i]);
            return -1;
        }
        evconnlistener_set_error_cb(w->ls[i], worker_accept_error_cb);
        w->nls++;
    }
    w->accepting = true;
    w->ev_term = evsignal_new(w->base, SIGTERM, worker_signal_cb, w);
    w->ev_int = evsignal_new(w->base, SIGINT, worker_signal_cb, w);
    w->ev_usr1 = evsignal_new(w->base, SIGUSR1, worker_signal_cb, w);
    w->ev_hup = evsignal_new(w->base, SIGHUP, worker_signal_cb, w);
    w->ev_stop = evtimer_new(w->base, worker_stop_timeout_cb, w);
    w->ev_ctl = event_new(w->base, w->ctl_fd, EV_READ | EV_PERSIST, worker_ctl_cb, w);
    if (w->ev_term == NULL || w->ev_int == NULL || w->ev_usr1 == NULL || w->ev_hup == NULL ||
        w->ev_stop == NULL || w->ev_ctl == NULL)
        return -1;
    evsignal_add(w->ev_term, NULL);
    evsignal_add(w->ev_int, NULL);
    evsignal_add(w->ev_usr1, NULL);
    evsignal_add(w->ev_hup, NULL);
    event_add(w->ev_ctl, NULL);
    return 0;
}

static void
worker_maint_cb(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;

    (void)fd;
    (void)what;
    if (w->scanner != NULL && !w->stopping)
        classifier_maintain(&w->scanner->bayes);
}

/* One process does the stores' upkeep: the first controller. */
static void
worker_maint_setup(struct worker *w)
{
    struct timeval tv = clock_tv(w->cfg->classifier.upkeep > 0 ? w->cfg->classifier.upkeep : 300);

    if (!w->wc->type->control || w->index != 0 || w->scanner == NULL)
        return;
    if ((w->ev_maint = event_new(w->base, -1, EV_PERSIST, worker_maint_cb, w)) == NULL)
        return;
    event_add(w->ev_maint, &tv);
}

static void
worker_teardown(struct worker *w)
{
    w->stopping = true;
    while (w->conns != NULL)
        conn_abort(w->conns);
    if (w->wc->type->stop != NULL)
        w->wc->type->stop(w);
    for (size_t i = 0; i < w->nls; i++)
        evconnlistener_free(w->ls[i]);
    free(w->ls);
    struct event *evs[] = { w->ev_term, w->ev_int, w->ev_usr1, w->ev_hup,
                            w->ev_stop, w->ev_ctl, w->ev_maint };
    for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
        if (evs[i] != NULL)
            event_free(evs[i]);
    }
    event_base_free(w->base);
}

int
worker_main(const struct siftd_cfg *cfg, const struct worker_cfg *wc, unsigned index,
            const int *fds, size_t nfds, int ctl_fd, struct sa_rules *rules)
{
    struct worker w = { .cfg = cfg, .wc = wc, .index = index, .ctl_fd = ctl_fd };
    struct scanner scanner;
    struct sift_err err;
    pid_t parent = getppid();
    char comm[16];
    int rc = 0;

    log_set_process(wc->name);
    snprintf(comm, sizeof(comm), "siftd-%s", wc->type->name);
    proctitle_set(comm, "siftd: %s worker #%u", wc->name, index);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) /* the main process died before prctl */
        return 1;
    if ((w.base = event_base_new()) == NULL) {
        log_err("cannot create an event loop");
        return 1;
    }
    if (rules != NULL) {
        if (scanner_init(&scanner, cfg, rules, &err) == -1) {
            log_err("cannot set up scanning: %s", err.msg);
            event_base_free(w.base);
            return 1;
        }
        w.scanner = &scanner;
    }
    if (worker_setup(&w, fds, nfds) == -1) {
        worker_teardown(&w);
        if (w.scanner != NULL)
            scanner_clear(w.scanner);
        return 1;
    }
    worker_maint_setup(&w);
    if (wc->type->start != NULL)
        wc->type->start(&w);
    log_debug("worker %s#%u ready", wc->name, index);
    if (write(ctl_fd, "R", 1) != 1) /* tell the main process we serve */
        log_warn("cannot report readiness to the main process: %s", strerror(errno));
    if (event_base_dispatch(w.base) == -1)
        rc = 1;
    else if (w.retired)
        rc = WORKER_EXIT_RETIRED;
    log_debug("worker %s#%u exits after %llu connection(s)", wc->name, index, w.accepted);
    worker_teardown(&w);
    if (w.scanner != NULL)
        scanner_clear(w.scanner);
    return rc;
}
