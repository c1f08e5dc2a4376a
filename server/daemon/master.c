/*
 * master.c - the main process's loop (see master.h).
 *
 * Fork safety: libevent's signal handling writes to a socket pair shared
 * with every child forked before it is torn down, so signals are blocked
 * around fork() and the child re-initialises and frees the main loop
 * (event_reinit, then event_base_free) before it unblocks them. Without
 * event_reinit, freeing the loop would delete the parent's epoll entries,
 * since the epoll instance is shared across fork.
 */
#include "daemon/master.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "daemon/stats.h"
#include "daemon/tls.h"
#include "daemon/worker.h"

/* A worker that lived this long before dying starts its back-off afresh. */
#define MASTER_STABLE_SECONDS 10.0
/* How long a new generation may take to serve before the old one is stopped anyway. */
#define MASTER_READY_SECONDS 10.0
/* After shutdown_timeout, how long to wait before SIGKILL. */
#define MASTER_KILL_GRACE 5.0

static void master_spawn(struct master_slot *s);

static const struct worker_cfg *
master_wc(const struct master_slot *s)
{
    return &s->m->cfg->workers[s->wi];
}

/* Bind every enabled worker's addresses of cfg into set, indexes into *wlp;
 * the sockets of "ssl" addresses are noted in their worker_cfg. */
static int
master_bind_cfg(struct master *m, struct siftd_cfg *cfg, struct listener_set *reuse,
                struct listener_set *set, struct master_wl **wlp, struct sift_err *err)
{
    struct master_wl *wl = xcalloc(cfg->nworkers ? cfg->nworkers : 1, sizeof(*wl));

    *wlp = wl;
    for (size_t i = 0; i < cfg->nworkers; i++) {
        struct worker_cfg *wc = &cfg->workers[i];

        for (size_t b = 0; wc->enabled && b < wc->nbinds; b++) {
            size_t first = wl[i].n;

            if (listener_open(set, reuse, wc->name, &wc->binds[b], m->pv.uid, m->pv.gid, &wl[i].idx,
                              &wl[i].n, err) == -1)
                return -1;
            for (size_t k = first; wc->binds[b].ssl && k < wl[i].n; k++)
                tls_listener_add(cfg->cfg->arena, wc, (struct sockaddr *)&set->v[wl[i].idx[k]].addr,
                                 set->v[wl[i].idx[k]].addrlen);
        }
    }
    return 0;
}

static void
master_wl_free(struct master_wl **wlp, size_t n)
{
    for (size_t i = 0; *wlp != NULL && i < n; i++)
        free((*wlp)[i].idx);
    free(*wlp);
    *wlp = NULL;
}

int
master_bind(struct master *m, struct sift_err *err)
{
    return master_bind_cfg(m, m->cfg, NULL, &m->ls, &m->wl, err);
}

static void
master_slots_build(struct master *m)
{
    size_t n = 0, k = 0;

    for (size_t i = 0; i < m->cfg->nworkers; i++) {
        if (m->cfg->workers[i].enabled)
            n += m->cfg->workers[i].count;
    }
    m->slots = xcalloc(n ? n : 1, sizeof(*m->slots));
    for (size_t i = 0; i < m->cfg->nworkers; i++) {
        for (unsigned j = 0; m->cfg->workers[i].enabled && j < m->cfg->workers[i].count; j++) {
            struct master_slot *s = &m->slots[k++];

            s->m = m;
            s->wi = i;
            s->index = j;
            s->ctl_fd = -1;
        }
    }
    m->nslots = n;
}

static void
master_slot_close_ctl(struct master_slot *s)
{
    if (s->ev_ctl != NULL)
        event_free(s->ev_ctl);
    s->ev_ctl = NULL;
    if (s->ctl_fd != -1)
        close(s->ctl_fd);
    s->ctl_fd = -1;
}

static void
master_slots_free(struct master *m)
{
    for (size_t i = 0; i < m->nslots; i++) {
        master_slot_close_ctl(&m->slots[i]);
        if (m->slots[i].ev_respawn != NULL)
            event_free(m->slots[i].ev_respawn);
    }
    free(m->slots);
    m->slots = NULL;
    m->nslots = 0;
}

/* In the child: drop everything of the main process that is not ours. */
static void
master_child_cleanup(struct master *m, struct master_slot *self)
{
    if (event_reinit(m->base) == 0)
        event_base_free(m->base);
    m->base = NULL;
    for (size_t i = 0; i < m->nslots; i++) {
        if (&m->slots[i] != self && m->slots[i].ctl_fd != -1)
            close(m->slots[i].ctl_fd);
    }
    for (size_t i = 0; i < m->nold; i++) {
        if (m->old[i].ctl_fd != -1)
            close(m->old[i].ctl_fd);
    }
}

static void __attribute__((noreturn))
master_child(struct master_slot *s, int ctl, const sigset_t *oldmask)
{
    struct master *m = s->m;
    const struct master_wl *wl = &m->wl[s->wi];
    int *fds = xcalloc(wl->n ? wl->n : 1, sizeof(*fds));
    int rc;

    master_child_cleanup(m, s);
    for (size_t i = 0; i < m->ls.n; i++) {
        bool mine = false;

        for (size_t j = 0; j < wl->n; j++)
            mine = mine || wl->idx[j] == i;
        if (!mine)
            close(m->ls.v[i].fd);
    }
    for (size_t j = 0; j < wl->n; j++)
        fds[j] = m->ls.v[wl->idx[j]].fd;
    sigprocmask(SIG_SETMASK, oldmask, NULL);
    rc = worker_main(m->cfg, master_wc(s), s->index, fds, wl->n, ctl, m->rules);
    free(fds);
    exit(rc);
}

static bool
master_all_ready(const struct master *m)
{
    for (size_t i = 0; i < m->nslots; i++) {
        if (!m->slots[i].ready)
            return false;
    }
    return true;
}

static void master_stop_old(struct master *m);

static void
master_check_ready(struct master *m)
{
    bool fresh; /* the first generation, or a reload's, serves now */

    if (!master_all_ready(m))
        return;
    fresh = !m->started || evtimer_pending(m->ev_ready, NULL);
    if (m->reloading) {
        log_notice("new workers serve; stopping %zu old worker(s)", m->nold);
        master_stop_old(m);
    }
    if (!m->started) {
        m->started = true;
        log_notice("siftd ready: %zu worker process(es)", m->nslots);
    }
    if (fresh && m->on_ready != NULL)
        m->on_ready(m);
    event_del(m->ev_ready);
}

static void
master_ctl_cb(evutil_socket_t fd, short what, void *arg)
{
    struct master_slot *s = arg;
    char b[16];
    ssize_t n;

    (void)what;
    n = read(fd, b, sizeof(b));
    if (n > 0 && memchr(b, 'R', (size_t)n) != NULL) {
        s->ready = true;
        master_check_ready(s->m);
    } else if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
        event_del(s->ev_ctl); /* the worker is gone; SIGCHLD tells how */
    }
}

static void
master_spawn(struct master_slot *s)
{
    struct master *m = s->m;
    const struct worker_cfg *wc = master_wc(s);
    sigset_t all, old;
    int sv[2];
    pid_t pid;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
        log_err("cannot start worker %s#%u: socketpair: %s", wc->name, s->index, strerror(errno));
        return;
    }
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid = fork();
    if (pid == 0) {
        close(sv[0]);
        master_child(s, sv[1], &old);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(sv[1]);
    if (pid == -1) {
        log_err("cannot start worker %s#%u: fork: %s", wc->name, s->index, strerror(errno));
        close(sv[0]);
        return;
    }
    s->pid = pid;
    s->ready = false;
    s->started = clock_mono();
    s->ctl_fd = sv[0];
    s->ev_ctl = event_new(m->base, sv[0], EV_READ | EV_PERSIST, master_ctl_cb, s);
    event_add(s->ev_ctl, NULL);
    log_info("started worker %s#%u (pid %ld)", wc->name, s->index, (long)pid);
}

static void
master_respawn_cb(evutil_socket_t fd, short what, void *arg)
{
    struct master_slot *s = arg;

    (void)fd;
    (void)what;
    if (!s->m->stopping && s->pid == 0)
        master_spawn(s);
}

static void
master_describe_exit(int status, char *out, size_t outlen)
{
    if (WIFEXITED(status)) {
        snprintf(out, outlen, "exited with status %d", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        const char *abbrev = sigabbrev_np(WTERMSIG(status));

        snprintf(out, outlen, "was killed by signal %d (SIG%s%s)", WTERMSIG(status),
                 abbrev ? abbrev : "?", WCOREDUMP(status) ? ", core dumped" : "");
    } else {
        snprintf(out, outlen, "stopped with status 0x%x", (unsigned)status);
    }
}

static void
master_slot_died(struct master_slot *s, int status)
{
    struct master *m = s->m;
    const struct worker_cfg *wc = master_wc(s);
    double lived = clock_mono() - s->started, delay = 0;
    long pid = (long)s->pid;
    char how[128];
    struct timeval tv;

    master_describe_exit(status, how, sizeof(how));
    s->pid = 0;
    master_slot_close_ctl(s);
    if (m->stopping) {
        log_info("worker %s#%u (pid %ld) %s", wc->name, s->index, pid, how);
        return;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == WORKER_EXIT_RETIRED) {
        log_info("worker %s#%u (pid %ld) retired after %.1f s; starting a fresh one", wc->name,
                 s->index, pid, lived);
        s->fails = 0;
        master_spawn(s);
        return;
    }
    if (lived >= MASTER_STABLE_SECONDS)
        s->fails = 0;
    if (s->fails > 0) {
        delay = 1;
        for (unsigned i = 1; i < s->fails && delay < m->cfg->cfg->options.restart_delay_max; i++)
            delay *= 2;
        if (delay > m->cfg->cfg->options.restart_delay_max)
            delay = m->cfg->cfg->options.restart_delay_max;
    }
    s->fails++;
    log_err("worker %s#%u (pid %ld) %s after %.1f s; restarting it in %.0f s", wc->name, s->index,
            pid, how, lived, delay);
    if (s->ev_respawn == NULL)
        s->ev_respawn = evtimer_new(m->base, master_respawn_cb, s);
    tv = clock_tv(delay);
    evtimer_add(s->ev_respawn, &tv);
}

static bool
master_reap_old(struct master *m, pid_t pid, int status)
{
    for (size_t i = 0; i < m->nold; i++) {
        char how[128];

        if (m->old[i].pid != pid)
            continue;
        master_describe_exit(status, how, sizeof(how));
        log_info("old worker %s (pid %ld) %s", m->old[i].name, (long)pid, how);
        if (m->old[i].ctl_fd != -1)
            close(m->old[i].ctl_fd);
        m->old[i] = m->old[--m->nold];
        return true;
    }
    return false;
}

static size_t
master_nchildren(const struct master *m)
{
    size_t n = m->nold;

    for (size_t i = 0; i < m->nslots; i++)
        n += m->slots[i].pid != 0;
    return n;
}

static void
master_reap(struct master *m)
{
    pid_t pid;
    int status;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        bool found = master_reap_old(m, pid, status);

        for (size_t i = 0; i < m->nslots && !found; i++) {
            if (m->slots[i].pid == pid) {
                master_slot_died(&m->slots[i], status);
                found = true;
            }
        }
        if (!found)
            log_warn("reaped unknown child pid %ld", (long)pid);
    }
    if (m->stopping && master_nchildren(m) == 0)
        event_base_loopexit(m->base, NULL);
}

static void
master_stop_old(struct master *m)
{
    for (size_t i = 0; i < m->nold; i++) {
        if (kill(m->old[i].pid, SIGTERM) == -1 && errno != ESRCH)
            log_warn("cannot stop old worker %s (pid %ld): %s", m->old[i].name, (long)m->old[i].pid,
                     strerror(errno));
    }
    m->reloading = false;
}

static void
master_ready_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    struct master *m = arg;

    (void)fd;
    (void)what;
    if (m->reloading) {
        log_warn("new workers did not all report ready in %.0f s; stopping the old ones anyway",
                 MASTER_READY_SECONDS);
        master_stop_old(m);
    }
    if (!m->started)
        log_warn("not every worker is serving %.0f s after start; see the lines above",
                 MASTER_READY_SECONDS);
}

/* Hand the running generation over to the old list. */
static void
master_retire_slots(struct master *m)
{
    for (size_t i = 0; i < m->nslots; i++) {
        struct master_slot *s = &m->slots[i];

        if (s->pid == 0)
            continue;
        m->old = xreallocarray(m->old, m->nold + 1, sizeof(*m->old));
        m->old[m->nold].pid = s->pid;
        m->old[m->nold].ctl_fd = s->ctl_fd;
        snprintf(m->old[m->nold].name, sizeof(m->old[m->nold].name), "%s#%u", master_wc(s)->name,
                 s->index);
        m->nold++;
        s->ctl_fd = -1; /* now the old entry's */
    }
    master_slots_free(m);
}

/* Settings the main process applied once at start: a reload cannot change them. */
static void
master_reload_warnings(const struct cfg_options *was, const struct cfg_options *now)
{
    static const struct {
        const char *name;
        size_t off;
    } fixed[] = {
        { "user", offsetof(struct cfg_options, user) },
        { "group", offsetof(struct cfg_options, group) },
        { "pidfile", offsetof(struct cfg_options, pidfile) },
        { "dbdir", offsetof(struct cfg_options, dbdir) },
    };

    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        const char *a = *(const char *const *)((const char *)was + fixed[i].off);
        const char *b = *(const char *const *)((const char *)now + fixed[i].off);

        if (strcmp(a, b) != 0)
            log_warn("reload: options.%s changed from '%s' to '%s'; it takes effect when siftd "
                     "restarts",
                     fixed[i].name, a, b);
    }
}

int
master_load_rules(const struct siftd_cfg *cfg, struct sa_rules **out, struct sift_err *err)
{
    struct scan_engine_stats es;

    /* a first start with new rules is slow: say so before it starts */
    log_info("rules: loading; a rule set's first load compiles its pattern databases into %s "
             "(about 20 s for SpamAssassin's stock rules), later loads read them back",
             cfg->rules.cache_dir != NULL ? cfg->rules.cache_dir : "memory");
    if (sa_rules_load(&cfg->rules, &cfg->actions, cfg->symbols, out, err) == -1)
        return -1;
    /* compiling the pattern databases leaves tens of MiB of freed heap
     * that every forked worker would inherit: give it back first */
    malloc_trim(0);
    scan_engine_stats((*out)->engine, &es);
    log_notice("rules: %zu from %s%s%s, %zu run per message, %zu left out (siftadm rules "
               "--skipped lists them); loaded in %.2f s",
               es.rules, (*out)->rules_dir, (*out)->site_dir ? " and " : "",
               (*out)->site_dir ? (*out)->site_dir : "", es.active, scan_ruleset_nskips((*out)->rs),
               (*out)->load_seconds);
    return 0;
}

static int
master_reload_cfg(struct master *m, struct siftd_cfg **ncp, struct sa_rules **nrules,
                  struct listener_set *nls, struct master_wl **nwl)
{
    struct sift_err err;

    if (siftd_cfg_reload(m->path, m->overrides, m->noverrides, m->cfg, ncp, &err) == -1) {
        log_err("reload failed, keeping the running configuration: %s", err.msg);
        return -1;
    }
    if (master_load_rules(*ncp, nrules, &err) == -1) {
        log_err("reload failed, keeping the running configuration and rules: %s", err.msg);
        siftd_cfg_free(ncp);
        return -1;
    }
    for (size_t i = 0; i < (*ncp)->cfg->nwarnings; i++)
        log_warn("%s", (*ncp)->cfg->warnings[i]);
    if (siftd_cfg_enabled_workers(*ncp) == 0) {
        log_err("reload failed, keeping the running configuration: no worker is enabled");
        sa_rules_free(nrules);
        siftd_cfg_free(ncp);
        return -1;
    }
    if (master_bind_cfg(m, *ncp, &m->ls, nls, nwl, &err) == -1) {
        log_err("reload failed, keeping the running configuration: %s", err.msg);
        listener_rollback(nls, &m->ls);
        master_wl_free(nwl, (*ncp)->nworkers);
        sa_rules_free(nrules);
        siftd_cfg_free(ncp);
        return -1;
    }
    if (log_setup(&(*ncp)->logging, &err) == -1)
        log_err("reload: keeping the old log settings: %s", err.msg);
    master_reload_warnings(&m->cfg->cfg->options, &(*ncp)->cfg->options);
    stats_reload_check(&(*ncp)->history);
    return 0;
}

static void
master_reload(struct master *m)
{
    struct siftd_cfg *nc = NULL;
    struct sa_rules *nrules = NULL;
    struct listener_set nls = { 0 };
    struct master_wl *nwl = NULL;
    struct timeval tv = clock_tv(MASTER_READY_SECONDS);

    if (m->stopping)
        return;
    log_notice("SIGHUP: reloading %s", m->path);
    if (master_reload_cfg(m, &nc, &nrules, &nls, &nwl) == -1)
        return;
    if (m->reloading) /* a reload still in progress: its old generation goes now */
        master_stop_old(m);
    master_retire_slots(m);
    listener_close_all(&m->ls, &nls); /* the sockets not moved to nls */
    master_wl_free(&m->wl, m->cfg->nworkers);
    siftd_cfg_free(&m->cfg);
    sa_rules_free(&m->rules);
    m->cfg = nc;
    m->rules = nrules;
    m->ls = nls;
    m->wl = nwl;
    master_slots_build(m);
    m->reloading = m->nold > 0;
    for (size_t i = 0; i < m->nslots; i++)
        master_spawn(&m->slots[i]);
    evtimer_add(m->ev_ready, &tv);
    master_check_ready(m);
}

static void
master_kill_cb(evutil_socket_t fd, short what, void *arg)
{
    struct master *m = arg;

    (void)fd;
    (void)what;
    log_warn("%zu worker(s) still running after the shutdown timeout; killing them",
             master_nchildren(m));
    for (size_t i = 0; i < m->nslots; i++) {
        if (m->slots[i].pid != 0)
            kill(m->slots[i].pid, SIGKILL);
    }
    for (size_t i = 0; i < m->nold; i++)
        kill(m->old[i].pid, SIGKILL);
}

static void
master_stop(struct master *m, const char *why)
{
    struct timeval tv = clock_tv(m->cfg->cfg->options.shutdown_timeout + MASTER_KILL_GRACE);

    if (m->stopping)
        return;
    m->stopping = true;
    log_notice("%s: stopping", why);
    for (size_t i = 0; i < m->nslots; i++) {
        if (m->slots[i].ev_respawn != NULL)
            evtimer_del(m->slots[i].ev_respawn);
        if (m->slots[i].pid != 0)
            kill(m->slots[i].pid, SIGTERM);
    }
    for (size_t i = 0; i < m->nold; i++)
        kill(m->old[i].pid, SIGTERM);
    if (master_nchildren(m) == 0) {
        event_base_loopexit(m->base, NULL);
        return;
    }
    evtimer_add(m->ev_kill, &tv);
}

static void
master_reopen_logs(struct master *m)
{
    struct sift_err err;

    if (log_reopen(&err) == -1)
        log_err("%s", err.msg);
    else
        log_info("SIGUSR1: log reopened");
    for (size_t i = 0; i < m->nslots; i++) {
        if (m->slots[i].pid != 0)
            kill(m->slots[i].pid, SIGUSR1);
    }
    for (size_t i = 0; i < m->nold; i++)
        kill(m->old[i].pid, SIGUSR1);
}

static void
master_signal_cb(evutil_socket_t sig, short what, void *arg)
{
    struct master *m = arg;

    (void)what;
    switch (sig) {
    case SIGTERM:
        master_stop(m, "SIGTERM");
        break;
    case SIGINT:
        master_stop(m, "SIGINT");
        break;
    case SIGHUP:
        master_reload(m);
        break;
    case SIGCHLD:
        master_reap(m);
        break;
    case SIGUSR1:
        master_reopen_logs(m);
        break;
    }
}

static int
master_events(struct master *m)
{
    static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGUSR1 };
    struct event **evs[] = { &m->ev_term, &m->ev_int, &m->ev_hup, &m->ev_chld, &m->ev_usr1 };

    if ((m->base = event_base_new()) == NULL)
        return -1;
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        if ((*evs[i] = evsignal_new(m->base, sigs[i], master_signal_cb, m)) == NULL ||
            evsignal_add(*evs[i], NULL) == -1)
            return -1;
    }
    m->ev_kill = evtimer_new(m->base, master_kill_cb, m);
    m->ev_ready = evtimer_new(m->base, master_ready_timeout_cb, m);
    return m->ev_kill != NULL && m->ev_ready != NULL ? 0 : -1;
}

int
master_run(struct master *m)
{
    struct timeval tv = clock_tv(MASTER_READY_SECONDS);

    if (master_events(m) == -1) {
        log_err("cannot set up the main event loop");
        return 1;
    }
    master_slots_build(m);
    if (m->nslots == 0) {
        log_err("no worker is enabled: nothing to serve");
        return 1;
    }
    for (size_t i = 0; i < m->nslots; i++)
        master_spawn(&m->slots[i]);
    evtimer_add(m->ev_ready, &tv);
    event_base_dispatch(m->base);
    log_notice("siftd stopped");
    return 0;
}

void
master_clear(struct master *m)
{
    struct event *evs[] = { m->ev_term, m->ev_int,  m->ev_hup,  m->ev_chld,
                            m->ev_usr1, m->ev_kill, m->ev_ready };

    master_slots_free(m);
    for (size_t i = 0; i < m->nold; i++) {
        if (m->old[i].ctl_fd != -1)
            close(m->old[i].ctl_fd);
    }
    free(m->old);
    m->old = NULL;
    m->nold = 0;
    for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
        if (evs[i] != NULL)
            event_free(evs[i]);
    }
    if (m->base != NULL)
        event_base_free(m->base);
    m->base = NULL;
    listener_close_all(&m->ls, NULL);
    if (m->cfg != NULL)
        master_wl_free(&m->wl, m->cfg->nworkers);
    sa_rules_free(&m->rules);
}
