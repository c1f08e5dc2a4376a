/*
 * worker.h - a worker process: its own libevent loop serving the
 * connections of one worker type on the listeners the main process bound.
 * It stops on SIGTERM (no new connections, in-flight requests finish, at
 * most options.shutdown_timeout), reopens its log on SIGUSR1, and exits if
 * the main process goes away.
 */
#ifndef SIFT_DAEMON_WORKER_H
#define SIFT_DAEMON_WORKER_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "daemon/siftd_cfg.h"

struct conn;
struct sa_rules;
struct scanner;

struct worker {
    struct event_base *base;
    const struct siftd_cfg *cfg;
    const struct worker_cfg *wc;
    unsigned index; /* 0 .. count-1 */
    struct evconnlistener **ls;
    size_t nls;
    bool accepting; /* listeners enabled */
    bool stopping;
    bool told_full;     /* max_conns reached was logged */
    bool retired;       /* stopped by worker_retire: exits with WORKER_EXIT_RETIRED */
    struct conn *conns; /* every open connection */
    size_t nconns;
    size_t nopen; /* of those, the ones not yet answered: what max_conns counts */
    unsigned long long accepted;
    struct event *ev_term, *ev_int, *ev_usr1, *ev_hup, *ev_stop, *ev_ctl;
    struct event *ev_maint;  /* the first controller: the Bayes store's upkeep */
    int ctl_fd;              /* socket to the main process; EOF: it died */
    struct scanner *scanner; /* NULL when no rules are loaded */
    void *proto_state;       /* the worker type's (worker_type.start), or NULL */
};

/* The exit status of a worker that retired (worker_retire): the main
 * process starts another at once, with no back-off and no complaint. */
#define WORKER_EXIT_RETIRED 3

/* Run a worker in the current (just forked) process until it stops.
 * fds are its listening sockets; rules what it scans with (NULL: none).
 * Returns the process exit status. */
int worker_main(const struct siftd_cfg *cfg, const struct worker_cfg *wc, unsigned index,
                const int *fds, size_t nfds, int ctl_fd, struct sa_rules *rules);

/* Take no more connections, finish the open ones and exit with
 * WORKER_EXIT_RETIRED, so that a fresh process replaces this one (spamd's
 * --max-conn-per-child). why: for the log. May be called from a
 * connection's callbacks. */
void worker_retire(struct worker *w, const char *why);

/* conn.c tells the worker about connections coming and going, and when
 * one has its last reply queued (it lingers, but no longer counts against
 * max_conns). */
void worker_conn_added(struct worker *w, struct conn *c);
void worker_conn_released(struct worker *w, struct conn *c);
/* A released (kept-alive, idle) connection's next request began: it counts again. */
void worker_conn_reclaimed(struct worker *w, struct conn *c);
void worker_conn_removed(struct worker *w, struct conn *c);

#endif
