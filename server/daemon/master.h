/*
 * master.h - the main process once the sockets are bound and privileges
 * dropped: it forks the workers, restarts those that die (with back-off and
 * a log line saying how they died), reloads on SIGHUP without refusing a
 * connection, reopens logs on SIGUSR1, and stops everything on SIGTERM.
 */
#ifndef SIFT_DAEMON_MASTER_H
#define SIFT_DAEMON_MASTER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <event2/event.h>

#include "daemon/listener.h"
#include "daemon/privs.h"
#include "compat/sa_rules.h"
#include "daemon/siftd_cfg.h"

struct master;

/* One worker process of the running configuration. */
struct master_slot {
    struct master *m;
    size_t wi;      /* index in m->cfg->workers */
    unsigned index; /* 0 .. count-1 */
    pid_t pid;      /* 0: not running */
    int ctl_fd;     /* our end of the socket to the worker, or -1 */
    struct event *ev_ctl;
    struct event *ev_respawn;
    bool ready;     /* the worker said it serves */
    double started; /* monotonic seconds */
    unsigned fails; /* deaths in a row, each soon after its start */
};

/* A worker of a replaced configuration, finishing its requests. */
struct master_old {
    pid_t pid;
    int ctl_fd;
    char name[64]; /* "spamd#0" */
};

struct master_wl {
    size_t *idx; /* listener indexes of one worker_cfg */
    size_t n;
};

struct master {
    struct event_base *base;
    struct siftd_cfg *cfg;
    struct sa_rules *rules; /* the compiled rules; workers inherit them */
    const char *path;       /* for reloads */
    const char *const *overrides;
    size_t noverrides;
    struct privs pv;
    struct listener_set ls;
    struct master_wl *wl; /* per m->cfg->workers[i] */
    struct master_slot *slots;
    size_t nslots;
    struct master_old *old;
    size_t nold;
    bool stopping;
    bool started;   /* the first generation reported ready */
    bool reloading; /* a new generation is starting; the old one still serves */
    struct event *ev_term, *ev_int, *ev_hup, *ev_chld, *ev_usr1, *ev_kill, *ev_ready;
    void (*on_ready)(struct master *m); /* when the first workers serve, and a reload's */
    void *arg;
};

/* Load and compile the rules m->cfg names into m->rules, logging what
 * was read and left out; -1 with err when they cannot be loaded. */
int master_load_rules(const struct siftd_cfg *cfg, struct sa_rules **out, struct sift_err *err);
/* Bind the listeners of m->cfg into m->ls (before privileges are dropped). */
int master_bind(struct master *m, struct sift_err *err);
/* Fork the workers and serve until stopped. Returns the exit status. */
int master_run(struct master *m);
/* Release everything master_bind and master_run set up. */
void master_clear(struct master *m);

#endif
