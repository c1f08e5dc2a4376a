/*
 * http_scan.c - rspamd's scan API: request parameters, the scan, the
 * reply shapes (see http_scan.h).
 */
#include "daemon/http_scan.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "compat/sa_markup.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/json_read.h"
#include "core/log.h"
#include "daemon/conn.h"
#include "daemon/envelope.h"
#include "daemon/scanner.h"
#include "daemon/stats.h"
#include "daemon/worker.h"
#include "mime/mime_get.h"
#include "mime/mime_uris.h"
#include "proto/proto_http.h"
#include "proto/proto_rspamd.h"

enum hs_shape {
    HS_V2,     /* /checkv2 */
    HS_V1,     /* /check, /symbols... */
    HS_SKIP,   /* /skip */
    HS_RSPAMC, /* CHECK RSPAMC/1.3 */
    HS_SPAMC,  /* CHECK SPAMC/1.x, SYMBOLS SPAMC/1.x */
};

/* What the request asks, its strings in h->a. */
struct hs_req {
    struct conn *c;
    const struct http_request *req;
    struct arena *a;
    enum hs_shape shape;
    const char *tag; /* Log-Tag, else the connection's */
    const char *ip;  /* NULL: not given, or not an address */
    const char *helo, *hostname, *from, *user, *queue_id, *subject;
    const char **rcpt;
    size_t nrcpt;
    bool raw, milter, groups, no_log, skip, zstd_reply;
    const struct scan_settings *settings; /* Settings, else the Settings-ID block; NULL: none */
    const char *settings_from;            /* "Settings" or "Settings-ID <id>", for errors */
    struct buf body;                      /* the decompressed body, when it came compressed */
    bool decoded;                         /* body holds it */
    int err_status;                       /* != 0: refuse with this status and err */
    const char *err;
};

/* A query parameter (name compared case-insensitively, a bare "?name" counts
 * as empty, %XX and + decoded), or NULL. */
static const char *
hs_query(struct hs_req *h, const char *name)
{
    struct strv v;
    char *s;

    if (!http_query_param(h->req->query, name, HTTP_QUERY_NOCASE | HTTP_QUERY_BARE, &v))
        return NULL;
    s = arena_alloc(h->a, v.len + 1);
    http_query_decode(v, s, v.len + 1);
    return s;
}

/* A request header's value, else the query parameter of that name; NULL when neither. */
static const char *
hs_param(struct hs_req *h, const char *name)
{
    const struct strv *v = http_header_get(h->req, name);

    if (v != NULL)
        return arena_strndup(h->a, v->p, v->len);
    return hs_query(h, name);
}

/* "<a@b>" or "a@b" -> "a@b"; "<>" and "" -> "" (the null sender). */
static const char *
hs_addr(struct hs_req *h, const char *s)
{
    size_t n;

    while (*s == ' ' || *s == '\t')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
        s++;
        n -= 2;
    }
    return arena_strndup(h->a, s, n);
}

/* Rcpt: repeatable, and each may be a comma-separated list (quotes respected). */
static void
hs_rcpts(struct hs_req *h)
{
    size_t cap = 0;
    const char *q = hs_query(h, "rcpt");

    for (size_t i = 0; i <= h->req->nheaders; i++) {
        struct strv v;

        if (i < h->req->nheaders) {
            if (!strv_caseeq(h->req->headers[i].name, "Rcpt"))
                continue;
            v = h->req->headers[i].value;
        } else if (q != NULL && h->nrcpt == 0) {
            v = strv_cstr(q);
        } else {
            break;
        }
        bool quoted = false;

        for (size_t s = 0, k = 0; k <= v.len; k++) {
            if (k < v.len && v.p[k] == '"')
                quoted = !quoted;
            if (k < v.len && (v.p[k] != ',' || quoted))
                continue;
            if (h->nrcpt == cap) {
                size_t ncap = cap ? cap * 2 : 4;

                h->rcpt =
                    arena_realloc(h->a, h->rcpt, cap * sizeof(*h->rcpt), ncap * sizeof(*h->rcpt));
                cap = ncap;
            }
            h->rcpt[h->nrcpt] = hs_addr(h, arena_strndup(h->a, v.p + s, k - s));
            if (*h->rcpt[h->nrcpt] != '\0')
                h->nrcpt++;
            s = k + 1;
        }
    }
}

/* IP: IPv4 or IPv6, with or without brackets (or an "IPv6:" prefix); else ignored. */
static const char *
hs_ip(struct hs_req *h, const char *s)
{
    unsigned char a[16];
    char *ip;
    size_t n;

    if (s == NULL)
        return NULL;
    n = strlen(s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
    }
    if (n > 5 && strncasecmp(s, "IPv6:", 5) == 0) {
        s += 5;
        n -= 5;
    }
    ip = arena_strndup(h->a, s, n);
    if (inet_pton(AF_INET, ip, a) == 1 || inet_pton(AF_INET6, ip, a) == 1)
        return ip;
    log_tinfo(h->tag, "%s: IP header \"%s\" is not an address; ignored", h->c->peer, ip);
    return NULL;
}

/* Flags: pass_all, no_log, skip, milter, zstd, groups...; others ignored. */
static void
hs_flags(struct hs_req *h, const char *flags)
{
    while (flags != NULL && *flags != '\0') {
        size_t n = strcspn(flags, ",");
        struct strv f = strv_trim(strv_make(flags, n));

        if (strv_caseeq(f, "no_log"))
            h->no_log = true;
        else if (strv_caseeq(f, "skip"))
            h->skip = true;
        else if (strv_caseeq(f, "milter"))
            h->milter = true;
        else if (strv_caseeq(f, "zstd"))
            h->zstd_reply = true;
        else if (strv_caseeq(f, "groups"))
            h->groups = true;
        else if (!strv_caseeq(f, "pass_all") && !strv_caseeq(f, "body_block") &&
                 !strv_caseeq(f, "no_stat") && !strv_caseeq(f, "ssl") &&
                 !strv_caseeq(f, "skip_process") && !strv_caseeq(f, "ext_urls") &&
                 !strv_caseeq(f, "profile") && f.len > 0)
            log_tdebug(h->tag, "unknown flag \"%.*s\" ignored", (int)f.len, f.p);
        flags += n;
        if (*flags == ',')
            flags++;
    }
}

static bool
hs_yes(const char *v)
{
    return v != NULL &&
           (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

/* Settings (inline JSON) wins over Settings-ID; an unknown id is ignored
 * with a warning, as rspamd does. false with h->err for bad JSON. */
static bool
hs_settings(struct hs_req *h)
{
    const char *json = hs_param(h, "Settings"), *id = hs_param(h, "Settings-ID");
    const struct scanner *scn = h->c->w->scanner;
    const struct json_val *root;
    struct scan_settings *set;
    struct sift_err err = { 0 };

    if (json != NULL) {
        set = arena_alloc(h->a, sizeof(*set));
        if (json_read_parse(h->a, json, strlen(json), 0, &root, &err) == -1 ||
            scan_settings_from_json(h->a, root, set, &err) == -1) {
            h->err_status = 400;
            h->err = arena_printf(h->a, "bad Settings: %s", err.msg);
            return false;
        }
        h->settings = set;
        h->settings_from = "Settings";
        return true;
    }
    if (id == NULL || *id == '\0' || scn == NULL)
        return true;
    h->settings_from = arena_printf(h->a, "Settings-ID %s", id);
    if ((h->settings = scanner_settings(scn, id)) == NULL) {
        struct buf known;

        buf_init(&known);
        for (size_t i = 0; i < scn->nsettings; i++)
            buf_printf(&known, "%s%s", i ? ", " : "", scn->settings[i].id);
        log_twarn(h->tag, "%s: unknown Settings-ID \"%s\" ignored (known: %s)", h->c->peer, id,
                  known.len ? known.p : "none");
        buf_clear(&known);
    }
    return true;
}

/* Read the request; false with h->err_status when it cannot be served. */
static bool
hs_read(struct hs_req *h)
{
    const struct http_worker_cfg *cfg = h->c->w->wc->proto;
    const char *v, *enc, *comp;
    char why[256];

    h->tag = h->c->tag;
    if ((v = hs_param(h, "Log-Tag")) != NULL && *v != '\0')
        h->tag = arena_strndup(h->a, v, strlen(v) < 16 ? strlen(v) : 16);
    if (http_header_get(h->req, "Key") != NULL) {
        h->err_status = 400;
        h->err = "encrypted requests (HTTPCrypt) are not supported: send the request in clear "
                 "over loopback or TLS";
        return false;
    }
    if (hs_param(h, "File") != NULL || hs_param(h, "Path") != NULL || hs_param(h, "Shm") != NULL) {
        h->err_status = 400;
        h->err = "File, Path and Shm requests are not supported: send the message as the body";
        return false;
    }
    hs_flags(h, hs_param(h, "Flags"));
    h->ip = hs_ip(h, hs_param(h, "IP"));
    h->helo = hs_param(h, "Helo");
    h->hostname = hs_param(h, "Hostname");
    if ((v = hs_param(h, "From")) != NULL)
        h->from = hs_addr(h, v);
    hs_rcpts(h);
    if (h->shape != HS_SPAMC) /* rspamd ignores User in its spamc emulation */
        h->user = hs_param(h, "User");
    if ((h->user == NULL || *h->user == '\0') && (v = hs_param(h, "Deliver-To")) != NULL)
        h->user = hs_addr(h, v);
    if (h->user != NULL && *h->user == '\0')
        h->user = NULL;
    h->queue_id = hs_param(h, "Queue-Id");
    h->subject = hs_param(h, "Subject");
    h->raw = hs_yes(hs_param(h, "Raw"));
    if (hs_param(h, "Milter") != NULL)
        h->milter = true;
    if ((v = hs_param(h, "Log")) != NULL && strcasecmp(v, "no") == 0)
        h->no_log = true;
    if ((v = hs_param(h, "Accept-Encoding")) != NULL && strcasestr(v, "zstd") != NULL)
        h->zstd_reply = true;
    if (!hs_settings(h))
        return false;
    enc = hs_param(h, "Content-Encoding");
    comp = hs_param(h, "Compression");
    if ((enc != NULL && strcasecmp(enc, "zstd") == 0) ||
        (comp != NULL && strcasecmp(comp, "zstd") == 0)) {
        h->zstd_reply = true;
        if (rspamd_zstd_decompress(h->req->body.p, h->req->body.len, cfg->max_size, &h->body, why,
                                   sizeof(why)) == -1) {
            h->err_status = 400;
            h->err = arena_strdup(h->a, why);
            return false;
        }
        h->decoded = true;
    } else if (enc != NULL && strcasecmp(enc, "identity") != 0) {
        h->err_status = 415;
        h->err = arena_printf(h->a, "unsupported Content-Encoding: %s", enc);
        return false;
    }
    return true;
}

/* The message the rules see: the hop the MTA saw (when the request names
 * it and the message does not record it), a Subject for Raw input, the body. */
static struct strv
hs_message(struct hs_req *h, struct strv body, const char *byhost)
{
    struct envelope e = { .ip = h->ip,
                          .helo = h->helo,
                          .hostname = h->hostname,
                          .from = h->from,
                          .rcpt = h->rcpt,
                          .nrcpt = h->nrcpt,
                          .queue_id = h->queue_id };
    bool hop;
    struct buf m;
    char *p;

    if (body.len == 0) /* SA scans an empty message as a single newline */
        body = strv_make("\n", 1);
    hop = envelope_hop_needed(&e, body.p, body.len);
    if (!hop && !h->raw)
        return body;
    buf_init(&m);
    if (hop)
        envelope_received(&e, byhost, time(NULL), &m);
    if (h->raw) {
        buf_printf(&m, "Subject: %s\n\n", h->subject != NULL ? h->subject : "");
    }
    buf_append(&m, body.p, body.len);
    p = arena_alloc(h->a, m.len + 1);
    memcpy(p, m.p, m.len + 1);
    body = strv_make(p, m.len);
    buf_clear(&m);
    return body;
}

/* A header value from SA's LF folding: CRLF folding over HTTP, LF for milter. */
static const char *
hs_fold(struct hs_req *h, const char *s, size_t n)
{
    struct buf b;
    char *r;

    buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n' && !h->milter)
            buf_putc(&b, '\r');
        buf_putc(&b, s[i]);
    }
    r = arena_strndup(h->a, b.p ? b.p : "", b.len);
    buf_clear(&b);
    return r;
}

/* The milter block: drop SA's headers and X-Spam, add the ones for this scan. */
static void
hs_milter(struct hs_req *h, struct scanner_scan *sr, const struct sa_markup_env *env,
          struct rspamd_reply *r)
{
    struct envelope_header *fields;
    struct rspamd_header *add;
    size_t n = envelope_sa_headers(h->a, sr, env, 0, &fields);

    add = arena_calloc(h->a, n + 1, sizeof(*add));
    for (size_t i = 0; i < n; i++) {
        add[i].name = fields[i].name;
        add[i].value = hs_fold(h, fields[i].value, strlen(fields[i].value));
        add[i].order = -1;
    }
    if (sr->res->action >= SCAN_ACTION_ADD_HEADER) {
        add[n].name = "X-Spam";
        add[n].value = "Yes";
        add[n].order = -1;
        n++;
    }
    r->add_headers = add;
    r->nadd_headers = n;
    r->remove_headers = envelope_removed;
    r->nremove_headers = envelope_nremoved;
}

/* The symbols, and the groups' totals when asked. */
static void
hs_symbols(struct hs_req *h, const struct scan_result *res, struct rspamd_reply *r)
{
    struct rspamd_symbol *syms = arena_calloc(h->a, res->nhits ? res->nhits : 1, sizeof(*syms));
    struct rspamd_group *groups = NULL;
    size_t ng = 0;

    for (size_t i = 0; i < res->nhits; i++) {
        const struct scan_hit *hit = &res->hits[i];

        syms[i].name = hit->rule->name;
        syms[i].metric_score = hit->score;
        syms[i].score = hit->score * (hit->count > 1 ? hit->count : 1);
        syms[i].description = hit->rule->description;
        syms[i].option = hit->option;
    }
    r->symbols = syms;
    r->nsymbols = res->nhits;
    if (!h->groups)
        return;
    groups = arena_calloc(h->a, res->nhits ? res->nhits : 1, sizeof(*groups));
    for (size_t i = 0; i < res->nhits; i++) {
        const char *g = res->hits[i].rule->group != NULL ? res->hits[i].rule->group : "sa";
        size_t k;

        for (k = 0; k < ng && strcmp(groups[k].name, g) != 0; k++)
            ;
        if (k == ng)
            groups[ng++].name = g;
        groups[k].score += syms[i].score;
    }
    r->groups = groups;
    r->ngroups = ng;
}

/* The URLs' hosts, each once (ASCII case aside), and the mail addresses
 * (mailto: URIs), as rspamd lists them. */
static void
hs_urls(struct hs_req *h, struct task *t, struct rspamd_reply *r)
{
    const struct mime_uris *u = mime_msg_uris(task_message(t));
    struct strv *hosts;
    size_t n = 0, cap = 0;

    for (size_t i = 0; i < u->n; i++)
        cap += u->v[i].nhosts;
    hosts = arena_calloc(h->a, cap ? cap : 1, sizeof(*hosts));
    for (size_t i = 0; i < u->n; i++) {
        if (u->v[i].raw.len >= 7 && strncasecmp(u->v[i].raw.p, "mailto:", 7) == 0)
            continue; /* those are the emails */
        for (size_t k = 0; k < u->v[i].nhosts; k++) {
            struct strv host = u->v[i].hosts[k];
            size_t j;

            for (j = 0; j < n && !(hosts[j].len == host.len &&
                                   strncasecmp(hosts[j].p, host.p, host.len) == 0);
                 j++)
                ;
            if (j == n && host.len > 0)
                hosts[n++] = host;
        }
    }
    r->urls = hosts;
    r->nurls = n;
    r->emails = u->emails;
    r->nemails = u->nemails;
}

/* The Subject for a rewrite subject action (envelope_subject), in h->a. */
static const char *
hs_subject(struct hs_req *h, struct scanner_scan *sr, const struct sa_markup_env *env)
{
    struct buf b;
    const char *r;

    buf_init(&b);
    envelope_subject(sr, env, &b);
    r = arena_strndup(h->a, b.p ? b.p : "", b.len);
    buf_clear(&b);
    return r;
}

static const char *
hs_shape_name(const struct hs_req *h)
{
    static const char *const names[] = { "checkv2", "check", "skip", "RSPAMC", "SPAMC" };

    return names[h->shape];
}

/* The log line and the shared statistics of one scan. */
static void
hs_report(struct hs_req *h, struct scanner_scan *sr, const struct rspamd_reply *r, size_t size,
          double ms)
{
    bool has_from = false;
    struct strv hfrom = mime_get_scalar(task_message(sr->task), "From:addr", &has_from);
    const char *from =
        h->from != NULL ? h->from : (has_from ? arena_strndup(h->a, hfrom.p, hfrom.len) : "");
    struct stats_scan ss = { .message_id = r->message_id,
                             .ip = h->ip != NULL ? h->ip : h->c->addr,
                             .user = h->user,
                             .from = from,
                             .size = size,
                             .scan_ms = ms,
                             .res = sr->res };
    struct buf syms;

    stats_record_scan(&ss);
    if (h->no_log || !log_enabled(LOG_LVL_INFO))
        return;
    buf_init(&syms);
    for (size_t i = 0; i < r->nsymbols; i++)
        buf_printf(&syms, "%s%s(%.2f)", i ? "," : "", r->symbols[i].name, r->symbols[i].score);
    log_tinfo(h->tag,
              "%s from %s: qid=%s, mid=<%s>, ip=%s, from=<%s>, user=%s%s: %s [%.2f/%.2f] [%s], "
              "len: %zu, time: %.1f ms",
              hs_shape_name(h), h->c->peer, h->queue_id ? h->queue_id : "-",
              r->message_id ? r->message_id : "undef", h->ip ? h->ip : "-", from,
              h->user ? h->user : "-", sr->user_prefs ? " (user_prefs)" : "", r->action, r->score,
              r->required_score, syms.len ? syms.p : "", size, ms);
    buf_clear(&syms);
}

static void
hs_render(struct hs_req *h, const struct rspamd_reply *r, struct buf *out)
{
    char version[32];

    switch (h->shape) {
    case HS_V2:
    case HS_SKIP:
        rspamd_render_v2(r, out);
        break;
    case HS_V1:
        rspamd_render_v1(r, out);
        break;
    case HS_RSPAMC:
        snprintf(version, sizeof(version), "%u.%u", h->req->version_major, h->req->version_minor);
        rspamd_render_rspamc(r, version, out);
        break;
    case HS_SPAMC:
        rspamd_render_spamc(r, h->req->method_name.len == 7, out); /* SYMBOLS */
        break;
    }
}

/* Serve one scan request into out; 0, or the HTTP status of a refusal
 * (out then holds the error body). */
static int
hs_run(struct conn *c, const struct http_request *req, enum hs_shape shape, struct buf *out,
       bool *zstd_reply)
{
    struct hs_req h = { .c = c, .req = req, .shape = shape };
    struct scanner *scn = c->w->scanner;
    struct scanner_scan sr = { 0 };
    struct rspamd_reply r = { 0 };
    struct sa_markup_env env;
    struct strv body, msg, mid;
    double t0 = clock_mono();
    bool found = false;
    int status = 0;
    struct sift_err err = { 0 };

    h.a = arena_new(4096);
    buf_init(&h.body);
    if (!hs_read(&h)) {
        log_tinfo(h.tag, "%s from %s refused: %d %s", hs_shape_name(&h), c->peer, h.err_status,
                  h.err);
        rspamd_render_error(h.err, "protocol-error", out);
        status = h.err_status;
        goto done;
    }
    *zstd_reply = h.zstd_reply;
    if (shape == HS_SKIP || h.skip) {
        r.is_skipped = true;
        r.action = scan_action_name(SCAN_ACTION_NONE);
        r.required_score = scn != NULL ? envelope_required(&scn->rules->actions, NULL) : 0.0;
        r.time_real = clock_mono() - t0;
        hs_render(&h, &r, out);
        goto done;
    }
    if (scn == NULL) {
        log_tinfo(h.tag, "%s from %s refused: no rules are loaded", hs_shape_name(&h), c->peer);
        rspamd_render_error("no rules are loaded on this server", "rspamd-task", out);
        status = 503;
        goto done;
    }
    body = h.decoded ? strv_make(h.body.p ? h.body.p : "", h.body.len)
                     : strv_make(req->body.p ? req->body.p : "", req->body.len);
    msg = hs_message(&h, body, sa_markup_fqdn(scn->rules->markup));
    if (scanner_scan_set(scn, msg.p, msg.len, h.user, h.settings, &sr, &err) == -1) {
        log_tinfo(h.tag, "%s from %s refused: bad %s: %s", hs_shape_name(&h), c->peer,
                  h.settings_from, err.msg);
        rspamd_render_error(arena_printf(h.a, "bad %s: %s", h.settings_from, err.msg),
                            "protocol-error", out);
        status = 400;
        goto done;
    }
    env.remote_addr = h.ip != NULL ? h.ip : c->addr;
    env.remote_host = h.hostname != NULL && *h.hostname ? h.hostname : env.remote_addr;
    r.score = sr.res->score;
    r.required_score = envelope_required(sr.actions, sr.res);
    r.action = scan_action_name(sr.res->action);
    if (sr.res->action == SCAN_ACTION_REWRITE_SUBJECT)
        r.subject = hs_subject(&h, &sr, &env);
    hs_symbols(&h, sr.res, &r);
    mid = mime_get_scalar(task_message(sr.task), "Message-Id", &found);
    while (mid.len > 0 && strchr(" \t\r\n", mid.p[mid.len - 1]) != NULL)
        mid.len--;
    mid = strv_trim(mid);
    if (mid.len >= 2 && mid.p[0] == '<' && mid.p[mid.len - 1] == '>')
        mid = strv_make(mid.p + 1, mid.len - 2);
    r.message_id = found && mid.len > 0 ? arena_strndup(h.a, mid.p, mid.len) : NULL;
    if (shape == HS_V2 || shape == HS_V1) {
        hs_milter(&h, &sr, &env, &r);
        hs_urls(&h, sr.task, &r);
    }
    r.time_real = clock_mono() - t0;
    hs_render(&h, &r, out);
    hs_report(&h, &sr, &r, body.len, (clock_mono() - t0) * 1000.0);
    task_free(&sr.task);
done:
    buf_clear(&h.body);
    arena_free(&h.a);
    return status;
}

static void
hs_answer(struct conn *c, const struct http_request *req, struct http_answer *ans,
          enum hs_shape shape)
{
    bool zstd = false;
    int status = hs_run(c, req, shape, &ans->body, &zstd);

    ans->content_type = "application/json";
    if (status != 0) {
        ans->status = status;
        return;
    }
    if (zstd) {
        struct buf z;

        buf_init(&z);
        if (rspamd_zstd_compress(ans->body.p ? ans->body.p : "", ans->body.len, &z) == 0) {
            buf_clear(&ans->body);
            ans->body = z;
            ans->extra_headers = "Compression: zstd\r\nContent-Encoding: zstd\r\n";
        } else {
            buf_clear(&z);
        }
    }
}

void
http_scan_checkv2(struct conn *c, const struct http_request *req, struct http_answer *ans)
{
    hs_answer(c, req, ans, HS_V2);
}

void
http_scan_check(struct conn *c, const struct http_request *req, struct http_answer *ans)
{
    hs_answer(c, req, ans, HS_V1);
}

void
http_scan_skip(struct conn *c, const struct http_request *req, struct http_answer *ans)
{
    hs_answer(c, req, ans, HS_SKIP);
}

bool
http_scan_legacy(struct conn *c, const struct http_request *req, struct buf *out)
{
    bool zstd = false, rspamc = strv_caseeq(req->legacy_proto, "RSPAMC");

    if (!strv_caseeq(req->method_name, "CHECK") && !strv_caseeq(req->method_name, "SYMBOLS"))
        return false;
    if (hs_run(c, req, rspamc ? HS_RSPAMC : HS_SPAMC, out, &zstd) != 0) {
        buf_reset(out); /* the line protocols have no error shape: close */
        return false;
    }
    return true;
}
