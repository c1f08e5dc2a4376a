/*
 * controller.c - the controller's endpoints (see controller.h).
 * What they report comes from the statistics every process shares
 * (stats.h) and from the rules this worker inherited (its scanner).
 */
#include "daemon/controller.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/clock.h"
#include "core/cfg_yaml.h"
#include "core/json.h"
#include "core/log.h"
#include "core/version.h"
#include "scan/scan_engine.h"
#include "scan/scan_rule.h"
#include "compat/sa_rules.h"
#include "daemon/conn.h"
#include "daemon/scanner.h"
#include "daemon/siftd_cfg.h"
#include "daemon/stats.h"
#include "daemon/worker.h"

const struct cfg_key controller_keys[] = {
    { "password", CFG_T_STR, NULL, offsetof(struct controller_cfg, auth.password),
      "password for reading (/stat, /history, /symbols, scans), sent in a Password header or "
      "?password=: an argon2id hash from `siftadm pw` (recommended) or plain text (a warning at "
      "load); rspamd's examples q1 and q2 are refused; clients in secure_ip need none, and "
      "without it and with secure_ip [] reading is open to all",
      NULL },
    { "enable_password", CFG_T_STR, NULL, offsetof(struct controller_cfg, auth.enable_password),
      "password for writing (learning, resets, /errors) and reading: an argon2id hash from "
      "`siftadm pw` or plain text; unset: `password` writes too (five wrong passwords in a "
      "minute lock a client out for the rest of it)",
      NULL },
    { "secure_ip", CFG_T_LIST, "[127.0.0.1, \"::1\"]", offsetof(struct controller_cfg, secure_ip),
      "clients that need no password and may write (addresses and networks, !NET excludes); "
      "Unix-socket clients are always trusted; [] trusts no one by address",
      NULL },
    { "trusted_proxies", CFG_T_LIST, "[]", offsetof(struct controller_cfg, trusted_proxies),
      "proxies whose X-Forwarded-For (last element) or X-Real-IP names the client that "
      "secure_ip, the failed-password limit and the log see; a request with those headers from "
      "any other peer always needs a password",
      NULL },
};
const size_t controller_nkeys = sizeof(controller_keys) / sizeof(controller_keys[0]);

#define CTL_M_ANY (HTTP_M_GET | HTTP_M_HEAD | HTTP_M_POST)

static const char ctl_cors_headers[] =
    "Access-Control-Allow-Methods: POST, GET, OPTIONS\r\n"
    "Access-Control-Allow-Headers: Classifier,Class,Content-Type,Password,Map,Weight,Flag,Hash\r\n";

/* One request being served. */
struct ctl_call {
    struct conn *c;
    const struct http_request *req;
    struct http_answer *ans;
    struct stats *st; /* NULL outside siftd */
    bool read_only;
};

typedef void (*ctl_fn)(struct ctl_call *k);

struct ctl_endpoint {
    const char *path;
    enum ctl_level level;
    ctl_fn fn; /* NULL: another handler of the site serves it once allowed */
};

/* --- config --------------------------------------------------------------- */

static int
ctl_cfg_password(struct cfg *cfg, const struct worker_cfg *wc, const struct cfg_node *node,
                 const char *key, const char **pw, enum ctl_pw_kind *kind, struct sift_err *err)
{
    struct sift_err why;
    char where[512];

    if (ctl_password_kind(*pw, kind, &why) == -1) {
        sift_err_set(err, "%s: workers.%s.%s: %s",
                     siftd_cfg_item_pos(node, key, 0, where, sizeof(where)), wc->name, key,
                     why.msg);
        return -1;
    }
    if (*kind == CTL_PW_NONE)
        *pw = NULL;
    if (*kind == CTL_PW_PLAIN)
        cfg_warn(cfg,
                 "%s: workers.%s.%s: a plain-text password; store an argon2id hash from "
                 "`siftadm pw` instead",
                 siftd_cfg_item_pos(node, key, 0, where, sizeof(where)), wc->name, key);
    return 0;
}

int
controller_cfg_check(struct cfg *cfg, struct worker_cfg *wc, const struct cfg_node *node,
                     struct sift_err *err)
{
    struct controller_cfg *cc = wc->proto;

    if (ctl_cfg_password(cfg, wc, node, "password", &cc->auth.password, &cc->auth.password_kind,
                         err) == -1 ||
        ctl_cfg_password(cfg, wc, node, "enable_password", &cc->auth.enable_password,
                         &cc->auth.enable_kind, err) == -1)
        return -1;
    if (siftd_cfg_nets(cfg, wc, node, "secure_ip", &cc->secure_ip, &cc->auth.secure, err) == -1 ||
        siftd_cfg_nets(cfg, wc, node, "trusted_proxies", &cc->trusted_proxies, &cc->auth.proxies,
                       err) == -1)
        return -1;
    return 0;
}

/* --- replies -------------------------------------------------------------- */

/* rspamd_controller_send_error: the message is the reason phrase and the body. */
static void
ctl_error(struct http_answer *ans, int status, const char *msg)
{
    ans->status = status;
    ans->reason = msg;
    ans->content_type = "application/json";
    buf_reset(&ans->body);
    buf_puts(&ans->body, "{\"error\":");
    json_escape(&ans->body, strv_cstr(msg), false);
    buf_putc(&ans->body, '}');
}

static void
ctl_json(struct ctl_call *k, struct json *j)
{
    k->ans->content_type = "application/json";
    json_init(j, &k->ans->body, false);
}

static void
ctl_success(struct ctl_call *k)
{
    struct json j;

    ctl_json(k, &j);
    json_obj_begin(&j);
    json_key(&j, "success");
    json_bool(&j, true);
    json_obj_end(&j);
}

static int64_t
ctl_uptime(const struct ctl_call *k)
{
    return k->st != NULL ? (int64_t)(time(NULL) - (time_t)stats_start_time(k->st)) : 0;
}

/* A digest of the merged configuration, keyed by the shared region's key so
 * that it says when the configuration changed but not what is in it (the
 * passwords, say). */
static void
ctl_config_id(const struct ctl_call *k, char out[2 * crypto_generichash_BYTES + 1])
{
    unsigned char d[crypto_generichash_BYTES];
    struct buf dump;

    buf_init(&dump);
    cfg_yaml_dump(k->c->w->cfg->cfg->root, &dump);
    crypto_generichash(d, sizeof(d), (const unsigned char *)dump.p, dump.len,
                       k->st != NULL ? stats_key(k->st) : NULL, k->st != NULL ? STATS_KEY_LEN : 0);
    sodium_bin2hex(out, 2 * crypto_generichash_BYTES + 1, d, sizeof(d));
    buf_clear(&dump);
}

static void
ctl_key_uint(struct json *j, const char *key, uint64_t v)
{
    json_key(j, key);
    json_uint(j, v);
}

/* --- endpoints ------------------------------------------------------------ */

static void
ctl_auth_ep(struct ctl_call *k)
{
    struct stats_counters sc = { 0 };
    char id[2 * crypto_generichash_BYTES + 1];
    struct json j;

    if (k->st != NULL)
        stats_counters(k->st, &sc, false);
    ctl_config_id(k, id);
    ctl_json(k, &j);
    json_obj_begin(&j);
    json_key(&j, "version");
    json_cstr(&j, SIFT_VERSION);
    json_key(&j, "auth");
    json_cstr(&j, "ok");
    json_key(&j, "uptime");
    json_int(&j, ctl_uptime(k));
    ctl_key_uint(&j, "clean", sc.actions[SCAN_ACTION_NONE]);
    ctl_key_uint(&j, "probable",
                 sc.actions[SCAN_ACTION_ADD_HEADER] + sc.actions[SCAN_ACTION_REWRITE_SUBJECT]);
    ctl_key_uint(&j, "greylist", sc.actions[SCAN_ACTION_GREYLIST]);
    ctl_key_uint(&j, "reject", sc.actions[SCAN_ACTION_REJECT]);
    ctl_key_uint(&j, "soft_reject", 0);
    ctl_key_uint(&j, "scanned", sc.scanned);
    ctl_key_uint(&j, "learned", sc.learned);
    json_key(&j, "read_only");
    json_bool(&j, k->read_only);
    json_key(&j, "config_id");
    json_cstr(&j, id);
    json_obj_end(&j);
}

static void
ctl_stat_common(struct ctl_call *k, bool reset)
{
    /* rspamd's order of the actions, from the strongest */
    static const struct {
        const char *name;
        int action; /* enum scan_action, or -1: never taken here */
    } acts[] = {
        { "reject", SCAN_ACTION_REJECT },
        { "soft reject", -1 },
        { "rewrite subject", SCAN_ACTION_REWRITE_SUBJECT },
        { "add header", SCAN_ACTION_ADD_HEADER },
        { "greylist", SCAN_ACTION_GREYLIST },
        { "no action", SCAN_ACTION_NONE },
    };
    static const char *const zeros[] = { "pools_allocated",
                                         "pools_freed",
                                         "bytes_allocated",
                                         "chunks_allocated",
                                         "shared_chunks_allocated",
                                         "chunks_freed",
                                         "chunks_oversized",
                                         "fragmented",
                                         "total_learns" };
    struct stats_counters sc = { 0 };
    double times[STATS_SCAN_TIMES];
    char id[2 * crypto_generichash_BYTES + 1];
    struct json j;

    for (size_t i = 0; i < STATS_SCAN_TIMES; i++)
        times[i] = NAN;
    if (k->st != NULL) {
        stats_counters(k->st, &sc, reset);
        stats_scan_times(k->st, times);
    }
    ctl_config_id(k, id);
    ctl_json(k, &j);
    json_obj_begin(&j);
    json_key(&j, "version");
    json_cstr(&j, SIFT_VERSION);
    json_key(&j, "config_id");
    json_cstr(&j, id);
    json_key(&j, "uptime");
    json_int(&j, ctl_uptime(k));
    json_key(&j, "read_only");
    json_bool(&j, k->read_only);
    ctl_key_uint(&j, "scanned", sc.scanned);
    ctl_key_uint(&j, "learned", sc.learned);
    json_key(&j, "actions");
    json_obj_begin(&j);
    for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
        ctl_key_uint(&j, acts[i].name, acts[i].action >= 0 ? sc.actions[acts[i].action] : 0);
    json_obj_end(&j);
    json_key(&j, "scan_times");
    json_arr_begin(&j);
    for (size_t i = 0; i < STATS_SCAN_TIMES; i++)
        json_double(&j, times[i] / 1000.0); /* seconds, as rspamd; NaN (none yet): null */
    json_arr_end(&j);
    ctl_key_uint(&j, "spam_count", sc.spam);
    ctl_key_uint(&j, "ham_count", sc.ham);
    ctl_key_uint(&j, "connections", sc.connections);
    ctl_key_uint(&j, "control_connections", sc.control_connections);
    for (size_t i = 0; i < sizeof(zeros) / sizeof(zeros[0]); i++)
        ctl_key_uint(&j, zeros[i], 0);
    json_key(&j, "statfiles");
    json_arr_begin(&j);
    json_arr_end(&j);
    json_key(&j, "fuzzy_hashes");
    json_obj_begin(&j);
    json_obj_end(&j);
    json_obj_end(&j);
}

static void
ctl_stat(struct ctl_call *k)
{
    ctl_stat_common(k, false);
}

static void
ctl_statreset(struct ctl_call *k)
{
    ctl_stat_common(k, true);
    log_tinfo(k->c->tag, "controller: statistics reset by %s", k->c->peer);
}

static const struct sa_rules *
ctl_rules(const struct ctl_call *k)
{
    return k->c->w->scanner != NULL ? k->c->w->scanner->rules : NULL;
}

static void
ctl_actions(struct ctl_call *k)
{
    static const struct {
        const char *name;
        int action; /* -1: an rspamd action sift does not take */
    } acts[] = {
        { "greylist", SCAN_ACTION_GREYLIST },
        { "add header", SCAN_ACTION_ADD_HEADER },
        { "rewrite subject", SCAN_ACTION_REWRITE_SUBJECT },
        { "reject", SCAN_ACTION_REJECT },
        { "soft reject", -1 },
    };
    const struct sa_rules *r = ctl_rules(k);
    struct json j;

    ctl_json(k, &j);
    json_arr_begin(&j);
    for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
        int a = acts[i].action;

        json_obj_begin(&j);
        json_key(&j, "action");
        json_cstr(&j, acts[i].name);
        json_key(&j, "value");
        if (r != NULL && a >= 0 && r->actions.set[a])
            json_double(&j, r->actions.threshold[a]);
        else
            json_null(&j);
        json_obj_end(&j);
    }
    json_arr_end(&j);
}

static bool
ctl_listed_rule(const struct scan_rule *rule)
{
    return rule->kind != SCAN_K_UNDEFINED && strncmp(rule->name, "__", 2) != 0;
}

static const char *
ctl_group(const struct scan_rule *rule)
{
    return rule->group != NULL && rule->group[0] != '\0' ? rule->group : "ungrouped";
}

/* The rules of one group, in definition order. */
static void
ctl_symbols_group(const struct sa_rules *r, const char *group, struct json *j)
{
    size_t n = scan_ruleset_count(r->rs);

    json_obj_begin(j);
    json_key(j, "group");
    json_cstr(j, group);
    json_key(j, "rules");
    json_arr_begin(j);
    for (size_t i = 0; i < n; i++) {
        const struct scan_rule *rule = scan_ruleset_at(r->rs, i);

        if (!ctl_listed_rule(rule) || strcmp(ctl_group(rule), group) != 0)
            continue;
        json_obj_begin(j);
        json_key(j, "symbol");
        json_cstr(j, rule->name);
        json_key(j, "weight");
        json_double(j, scan_engine_rule_score(r->engine, rule));
        if (rule->description != NULL) {
            json_key(j, "description");
            json_cstr(j, rule->description);
        }
        json_obj_end(j);
    }
    json_arr_end(j);
    json_obj_end(j);
}

/* Groups in the order their first rule was defined. */
static void
ctl_symbols(struct ctl_call *k)
{
    const struct sa_rules *r = ctl_rules(k);
    size_t n = r != NULL ? scan_ruleset_count(r->rs) : 0;
    struct json j;

    ctl_json(k, &j);
    json_arr_begin(&j);
    for (size_t i = 0; i < n; i++) {
        const struct scan_rule *rule = scan_ruleset_at(r->rs, i);
        const char *g = ctl_group(rule);
        bool seen = false;

        if (!ctl_listed_rule(rule))
            continue;
        for (size_t p = 0; p < i && !seen; p++) {
            const struct scan_rule *prev = scan_ruleset_at(r->rs, p);

            seen = ctl_listed_rule(prev) && strcmp(ctl_group(prev), g) == 0;
        }
        if (!seen)
            ctl_symbols_group(r, g, &j);
    }
    json_arr_end(&j);
}

static bool
ctl_history_row(const struct stats_row *r, void *arg)
{
    struct json *j = arg;
    time_t t = (time_t)r->time;
    struct tm tm;
    char when[32];

    localtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
    json_obj_begin(j);
    json_key(j, "time");
    json_cstr(j, when);
    json_key(j, "unix_time");
    json_int(j, (int64_t)t);
    json_key(j, "id");
    json_cstr(j, r->message_id[0] != '\0' ? r->message_id : "undef");
    json_key(j, "ip");
    json_cstr(j, r->ip[0] != '\0' ? r->ip : "unknown");
    json_key(j, "action");
    json_cstr(j, scan_action_name((enum scan_action)r->action));
    json_key(j, "score");
    json_double(j, r->score);
    json_key(j, "required_score");
    json_double(j, r->required);
    json_key(j, "symbols");
    json_obj_begin(j);
    for (uint32_t i = 0; i < r->nsymbols; i++) {
        json_key(j, r->symbols[i].name);
        json_obj_begin(j);
        json_key(j, "score");
        json_double(j, r->symbols[i].score);
        json_obj_end(j);
    }
    json_obj_end(j);
    ctl_key_uint(j, "size", r->size);
    json_key(j, "scan_time"); /* milliseconds */
    json_double(j, round(r->scan_ms * 1000.0) / 1000.0);
    if (r->user[0] != '\0') {
        json_key(j, "user");
        json_cstr(j, r->user);
    }
    if (r->from[0] != '\0') {
        json_key(j, "from");
        json_cstr(j, r->from);
    }
    json_obj_end(j);
    return true;
}

static void
ctl_history(struct ctl_call *k)
{
    struct json j;

    ctl_json(k, &j);
    json_arr_begin(&j);
    if (k->st != NULL)
        stats_history(k->st, ctl_history_row, &j);
    json_arr_end(&j);
}

static void
ctl_historyreset(struct ctl_call *k)
{
    if (k->st != NULL)
        stats_history_reset(k->st);
    log_tinfo(k->c->tag, "controller: history reset by %s", k->c->peer);
    ctl_success(k);
}

static bool
ctl_error_row(const struct stats_error *e, void *arg)
{
    struct json *j = arg;

    json_obj_begin(j);
    json_key(j, "ts");
    json_double(j, round(e->ts * 1000.0) / 1000.0);
    json_key(j, "pid");
    json_int(j, e->pid);
    json_key(j, "type");
    json_cstr(j, e->type);
    json_key(j, "id");
    json_cstr(j, e->id);
    json_key(j, "module");
    json_cstr(j, e->module);
    json_key(j, "message");
    json_cstr(j, e->message);
    json_obj_end(j);
    return true;
}

static void
ctl_errors(struct ctl_call *k)
{
    struct json j;

    ctl_json(k, &j);
    json_arr_begin(&j);
    if (k->st != NULL)
        stats_errors(k->st, ctl_error_row, &j);
    json_arr_end(&j);
}

/* /learnspam, /learnham, /learnclass (Class: spam|ham): learn into the
 * Bayes store, with rspamd's answers: 208 for a message already learned
 * as that class, 404 "no classifiers defined" with Bayes off. */
static void
ctl_learn(struct ctl_call *k)
{
    static char reason[600]; /* the reason phrase outlives this call (one thread) */
    struct scanner *scn = k->c->w->scanner;
    const struct strv *cls = http_header_get(k->req, "Class");
    bool spam = strv_caseeq(k->req->path, "/learnspam");
    enum classifier_outcome o;
    struct sift_err err = { 0 };
    char msgid[512];

    if (k->req->body.len == 0) {
        ctl_error(k->ans, 400, "Empty body is not permitted");
        return;
    }
    if (strv_caseeq(k->req->path, "/learnclass")) {
        if (cls == NULL || (!strv_caseeq(*cls, "spam") && !strv_caseeq(*cls, "ham"))) {
            ctl_error(k->ans, 404, "cannot find classifier class: use Class: spam or ham");
            return;
        }
        spam = strv_caseeq(*cls, "spam");
    }
    if (scn == NULL || !scn->bayes.on) {
        ctl_error(k->ans, 404, "no classifiers defined");
        return;
    }
    o = scanner_learn(scn, k->req->body.p, k->req->body.len,
                      spam ? CLASSIFIER_LEARN_SPAM : CLASSIFIER_LEARN_HAM, msgid, sizeof(msgid),
                      &err);
    switch (o) {
    case CLASSIFIER_DONE:
    case CLASSIFIER_RELEARNED:
        if (k->st != NULL)
            stats_add_learned(k->st);
        log_tinfo(k->c->tag, "controller: learned <%s> as %s%s", msgid, spam ? "spam" : "ham",
                  o == CLASSIFIER_RELEARNED ? " (it was learned as the other class)" : "");
        ctl_success(k);
        return;
    case CLASSIFIER_ALREADY:
        snprintf(reason, sizeof(reason), "<%s> has been already learned as %s, ignore it", msgid,
                 spam ? "spam" : "ham");
        ctl_error(k->ans, 208, reason);
        return;
    default:
        log_twarn(k->c->tag, "controller: learning <%s> as %s failed: %s", msgid,
                  spam ? "spam" : "ham", err.msg);
        snprintf(reason, sizeof(reason), "learning failed: %s", err.msg);
        ctl_error(k->ans, 500, reason);
        return;
    }
}

/* So does the fuzzy storage: rspamd's answer when the module is off. */
static void
ctl_fuzzy(struct ctl_call *k)
{
    ctl_error(k->ans, 500, "Module disabled");
}

static void
ctl_save(struct ctl_call *k)
{
    if (k->req->body.len == 0) {
        ctl_error(k->ans, 400, "Empty body is not permitted");
        return;
    }
    ctl_error(k->ans, 501,
              strv_caseeq(k->req->path, "/saveactions") ? "Saving actions is not available yet"
                                                        : "Saving symbols is not available yet");
}

static const struct ctl_endpoint ctl_endpoints[] = {
    { "/ping", CTL_OPEN, NULL },
    { "/auth", CTL_READ, ctl_auth_ep },
    { "/stat", CTL_READ, ctl_stat },
    { "/statreset", CTL_WRITE, ctl_statreset },
    { "/actions", CTL_READ, ctl_actions },
    { "/symbols", CTL_READ, ctl_symbols },
    { "/history", CTL_READ, ctl_history },
    { "/historyreset", CTL_WRITE, ctl_historyreset },
    { "/errors", CTL_WRITE, ctl_errors },
    { "/learnspam", CTL_WRITE, ctl_learn },
    { "/learnham", CTL_WRITE, ctl_learn },
    { "/learnclass", CTL_WRITE, ctl_learn },
    { "/fuzzyadd", CTL_WRITE, ctl_fuzzy },
    { "/fuzzydel", CTL_WRITE, ctl_fuzzy },
    { "/fuzzydelhash", CTL_WRITE, ctl_fuzzy },
    { "/saveactions", CTL_WRITE, ctl_save },
    { "/savesymbols", CTL_WRITE, ctl_save },
    /* scans on the controller port (rspamc talks to 11334 for everything) */
    { "/checkv2", CTL_READ, NULL },
    { "/check", CTL_READ, NULL },
    { "/scan", CTL_READ, NULL },
};

/* --- dispatch ------------------------------------------------------------- */

static struct ctl_auth *
ctl_auth_state(void)
{
    /* the failed-password table and verified-hash cache of this process:
     * per process by design (controller_auth.h), made on first use and
     * kept for the process's life, so file-scope like the log sink */
    static struct ctl_auth *a;

    if (a == NULL)
        a = ctl_auth_new();
    return a;
}

static const struct ctl_endpoint *
ctl_find(struct strv path)
{
    for (size_t i = 0; i < sizeof(ctl_endpoints) / sizeof(ctl_endpoints[0]); i++) {
        if (strv_caseeq(path, ctl_endpoints[i].path))
            return &ctl_endpoints[i];
    }
    return NULL;
}

static const char *
ctl_status_word(enum ctl_auth_status st)
{
    switch (st) {
    case CTL_AUTH_OK:
        return "allowed";
    case CTL_AUTH_UNAUTHORIZED:
        return "refused (401)";
    case CTL_AUTH_FORBIDDEN:
        return "refused (403)";
    case CTL_AUTH_LIMITED:
        return "refused (429)";
    }
    return "?";
}

/* Check who may do what; false (with the error answered) when refused. */
static bool
ctl_authorise(struct conn *c, const struct http_request *req, const struct ctl_endpoint *ep,
              struct http_answer *ans, bool *read_only)
{
    const struct controller_cfg *cc = c->w->wc->proto;
    struct ctl_auth_req ar = {
        .peer = c->peer,
        .forwarded_for = http_header_get(req, "X-Forwarded-For"),
        .real_ip = http_header_get(req, "X-Real-IP"),
        .password = http_header_get(req, "Password"),
        .query = req->query,
        .level = ep->level,
    };
    struct ctl_auth_res res;

    ctl_auth_check(ctl_auth_state(), &cc->auth, &ar, clock_mono(), &res);
    *read_only = res.read_only;
    if (ep->level != CTL_OPEN)
        log_tinfo(c->tag, "controller: %.*s %.*s from %s (peer %s): %s%s, %s%s%s",
                  (int)req->method_name.len, req->method_name.p, (int)req->path.len, req->path.p,
                  res.client, c->peer, ctl_status_word(res.status),
                  res.status == CTL_AUTH_OK ? (res.read_only ? " read-only" : " read-write") : "",
                  res.why, res.note ? "; " : "", res.note ? res.note : "");
    switch (res.status) {
    case CTL_AUTH_OK:
        return true;
    case CTL_AUTH_UNAUTHORIZED:
        ctl_error(ans, 401, "Unauthorized");
        break;
    case CTL_AUTH_FORBIDDEN:
        ctl_error(ans, 403, "Forbidden");
        break;
    case CTL_AUTH_LIMITED:
        ctl_error(ans, 429, "Too many failed attempts, try again later");
        ans->extra_headers = "Retry-After: 60\r\n"; /* at most: the window is a minute */
        break;
    }
    return false;
}

bool
controller_dispatch(struct conn *c, const struct http_request *req, struct http_answer *ans)
{
    const struct ctl_endpoint *ep;
    struct ctl_call k = { .c = c, .req = req, .ans = ans, .st = stats_global() };

    if (req->method == HTTP_OPTIONS) { /* CORS preflight, on any path (rspamd) */
        ans->status = 200;
        ans->extra_headers = ctl_cors_headers;
        return true;
    }
    if ((ep = ctl_find(req->path)) == NULL)
        return false; /* the site's 404 */
    if (req->method == HTTP_OTHER || !(CTL_M_ANY & (1u << req->method))) {
        ctl_error(ans, 500, "Invalid method"); /* rspamd's answer to anything but GET and POST */
        return true;
    }
    if (!ctl_authorise(c, req, ep, ans, &k.read_only))
        return true;
    if (ep->fn == NULL)
        return false; /* allowed: the site's own handler serves it */
    if (!k.read_only || ep->level != CTL_WRITE)
        ep->fn(&k);
    else /* cannot happen: the write level never yields a read-only session */
        ctl_error(ans, 403, "Forbidden");
    return true;
}
