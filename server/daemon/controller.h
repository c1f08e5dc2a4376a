/*
 * controller.h - the controller worker's own endpoints (rspamd's
 * controller API, spec/rspamd-http-protocol.md 8): /auth, /stat,
 * /statreset, /actions, /symbols, /history, /historyreset, /errors, the
 * learn, fuzzy and save endpoints, CORS preflight; its authentication
 * (controller_auth.h) in front of them and of the scan endpoints other code
 * serves on the same port (/checkv2, /check, /scan).
 *
 * worker_http serves the connection; controller_dispatch is the site's
 * first look at each request. Replies are JSON; errors are the status with
 * the message as reason phrase and {"error":"<message>"}.
 */
#ifndef SIFT_DAEMON_CONTROLLER_H
#define SIFT_DAEMON_CONTROLLER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/cfg_keys.h"
#include "core/cfg_load.h"
#include "core/cfg_tree.h"
#include "core/err.h"
#include "daemon/controller_auth.h"
#include "daemon/worker_http.h"

struct conn;
struct worker_cfg;

/* workers.<controller>.*: the HTTP keys every HTTP worker has, then the
 * controller's own. */
struct controller_cfg {
    struct http_worker_cfg http; /* first: worker_http reads it as any HTTP worker's */
    struct cfg_strlist secure_ip;
    struct cfg_strlist trusted_proxies;
    struct ctl_auth_cfg auth; /* password, enable_password; the two lists parsed */
};

extern const struct cfg_key controller_keys[];
extern const size_t controller_nkeys;

/* After the keys are read: classify the passwords (a plain one is a
 * warning; q1, q2 and unreadable hashes are errors naming the key), parse
 * secure_ip and trusted_proxies. -1 with file:line in err. */
int controller_cfg_check(struct cfg *cfg, struct worker_cfg *wc, const struct cfg_node *node,
                         struct sift_err *err);

/* The controller site's first look at a request: OPTIONS and the
 * controller's endpoints are answered here (true); the scan endpoints are
 * authorised here and, when allowed, left to the site's route table
 * (false), as are /ping and unknown paths. */
bool controller_dispatch(struct conn *c, const struct http_request *req, struct http_answer *ans);

#endif
