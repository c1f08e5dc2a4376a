/*
 * controller_auth.c - controller authentication (see controller_auth.h).
 */
#include "daemon/controller_auth.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/strv.h"
#include "core/xmalloc.h"
#include "proto/proto_http.h"

#define CTL_FAIL_MAX    5    /* wrong passwords ... */
#define CTL_FAIL_WINDOW 60.0 /* ... within this many seconds lock a client out */
#define CTL_FAIL_SLOTS  256  /* clients remembered; the stalest entry makes room */
#define CTL_PW_MAX      1024 /* longest password looked at */

struct ctl_fail {
    struct ipaddr addr; /* all Unix-socket clients share the zero address */
    bool used;
    double start; /* the window's first failure */
    unsigned count;
};

/* The keyed digest of a hashed password that verified once. */
struct ctl_verified {
    bool set;
    unsigned char digest[crypto_generichash_BYTES];
};

struct ctl_auth {
    unsigned char key[crypto_generichash_KEYBYTES];
    struct ctl_fail fails[CTL_FAIL_SLOTS];
    struct ctl_verified password, enable;
};

int
ctl_password_kind(const char *pw, enum ctl_pw_kind *kind, struct sift_err *err)
{
    *kind = CTL_PW_NONE;
    if (pw == NULL || pw[0] == '\0')
        return 0;
    if (strcmp(pw, "q1") == 0 || strcmp(pw, "q2") == 0) {
        sift_err_set(err,
                     "'%s' is rspamd's example password and is refused; choose another "
                     "(siftadm pw makes a hash of it)",
                     pw);
        return -1;
    }
    if (strncmp(pw, "$argon2", 7) == 0) {
        if (sodium_init() < 0) {
            sift_err_set(err, "cannot initialise libsodium");
            return -1;
        }
        /* -1: not a string libsodium reads (0 or 1 say whether to rehash) */
        if (crypto_pwhash_str_needs_rehash(pw, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                           crypto_pwhash_MEMLIMIT_INTERACTIVE) == -1) {
            sift_err_set(err, "not an argon2id hash libsodium can read (siftadm pw makes one)");
            return -1;
        }
        *kind = CTL_PW_HASH;
        return 0;
    }
    if (pw[0] == '$' && (pw[1] == '1' || pw[1] == '2') && pw[2] == '$') {
        sift_err_set(err,
                     "an rspamd password hash ($%c$), which sift cannot check; make a new hash "
                     "with siftadm pw",
                     pw[1]);
        return -1;
    }
    *kind = CTL_PW_PLAIN;
    return 0;
}

struct ctl_auth *
ctl_auth_new(void)
{
    struct ctl_auth *a = xcalloc(1, sizeof(*a));

    if (sodium_init() < 0)
        log_panic("cannot initialise libsodium");
    randombytes_buf(a->key, sizeof(a->key));
    return a;
}

void
ctl_auth_free(struct ctl_auth **ap)
{
    if (*ap == NULL)
        return;
    sodium_memzero(*ap, sizeof(**ap));
    free(*ap);
    *ap = NULL;
}

bool
ctl_query_param(struct strv query, const char *name, char *out, size_t outlen)
{
    struct strv v;

    if (!http_query_param(query, name, 0, &v))
        return false;
    http_query_decode(v, out, outlen);
    return true;
}

/* "127.0.0.1:52100", "[::1]:52100" -> the address; false for "unix". */
static bool
ctl_peer_addr(const char *peer, struct ipaddr *out)
{
    const char *colon = strrchr(peer, ':');

    if (colon == NULL || strcmp(peer, "unix") == 0)
        return false;
    return ipaddr_parse(strv_make(peer, (size_t)(colon - peer)), out);
}

/* The last element of X-Forwarded-For ("client, proxy1, proxy2"), else X-Real-IP. */
static struct strv
ctl_forwarded(const struct ctl_auth_req *r)
{
    struct strv v = r->forwarded_for != NULL ? *r->forwarded_for : *r->real_ip;
    const char *comma = v.len > 0 ? memrchr(v.p, ',', v.len) : NULL;

    if (comma != NULL)
        v = strv_make(comma + 1, (size_t)(v.p + v.len - (comma + 1)));
    return strv_trim(v);
}

/* Who the client is and whether it is secure; fills out->client. */
static bool
ctl_client(const struct ctl_auth_cfg *cfg, const struct ctl_auth_req *r, struct ipaddr *addr,
           struct ctl_auth_res *out)
{
    bool is_ip = ctl_peer_addr(r->peer, addr);
    bool proxy = !is_ip || ipset_contains(&cfg->proxies, addr);
    char text[64];

    if (!is_ip)
        memset(addr, 0, sizeof(*addr));
    snprintf(out->client, sizeof(out->client), "%s", is_ip ? ipaddr_str(addr, text, 46) : "unix");
    if (r->forwarded_for == NULL && r->real_ip == NULL) {
        out->why = is_ip ? "in secure_ip" : "Unix socket";
        return !is_ip || ipset_contains(&cfg->secure, addr);
    }
    if (proxy) {
        struct strv fwd = ctl_forwarded(r);
        struct ipaddr f;

        if (ipaddr_parse(fwd, &f)) {
            *addr = f;
            snprintf(out->client, sizeof(out->client), "%s", ipaddr_str(&f, text, 46));
            out->why = "in secure_ip (forwarded by a trusted proxy)";
            return ipset_contains(&cfg->secure, &f);
        }
        out->note = "its proxy forwarded an unreadable address";
        return false;
    }
    out->note = "X-Forwarded-For/X-Real-IP from a peer not in trusted_proxies: a password is "
                "needed";
    return false;
}

static struct ctl_fail *
ctl_fail_find(struct ctl_auth *a, const struct ipaddr *addr, double now, bool make)
{
    struct ctl_fail *room = NULL; /* a free entry, else the stalest */

    for (size_t i = 0; i < CTL_FAIL_SLOTS; i++) {
        struct ctl_fail *f = &a->fails[i];

        if (f->used && now - f->start >= CTL_FAIL_WINDOW)
            f->used = false; /* its minute is over */
        if (f->used && memcmp(f->addr.b, addr->b, sizeof(addr->b)) == 0)
            return f;
        if (!f->used ? room == NULL || room->used
                     : room == NULL || (room->used && f->start < room->start))
            room = f;
    }
    if (!make)
        return NULL;
    memset(room, 0, sizeof(*room));
    room->addr = *addr;
    room->used = true;
    room->start = now;
    return room;
}

static void
ctl_digest(const struct ctl_auth *a, const char *pw, size_t len,
           unsigned char out[crypto_generichash_BYTES])
{
    crypto_generichash(out, crypto_generichash_BYTES, (const unsigned char *)pw, len, a->key,
                       sizeof(a->key));
}

/* Does the supplied password (digest d) match the configured one? */
static bool
ctl_matches(const struct ctl_auth *a, const char *conf, enum ctl_pw_kind kind,
            struct ctl_verified *cache, const char *pw, size_t len,
            const unsigned char d[crypto_generichash_BYTES])
{
    unsigned char want[crypto_generichash_BYTES];

    if (kind == CTL_PW_PLAIN) {
        ctl_digest(a, conf, strlen(conf), want);
        return sodium_memcmp(want, d, sizeof(want)) == 0;
    }
    if (kind != CTL_PW_HASH)
        return false;
    if (cache->set) /* only the one right password verifies: compare with it */
        return sodium_memcmp(cache->digest, d, sizeof(cache->digest)) == 0;
    if (crypto_pwhash_str_verify(conf, pw, len) != 0)
        return false;
    memcpy(cache->digest, d, sizeof(cache->digest));
    cache->set = true;
    return true;
}

static void
ctl_deny(struct ctl_auth_res *out, enum ctl_auth_status st, const char *why)
{
    out->status = st;
    out->why = why;
}

/* A wrong password: 403, and one more failure for the client. */
static void
ctl_wrong(struct ctl_auth *a, const struct ipaddr *addr, double now, struct ctl_auth_res *out,
          enum ctl_auth_status st, const char *why)
{
    struct ctl_fail *f = ctl_fail_find(a, addr, now, true);

    f->count++;
    ctl_deny(out, st, why);
}

/* The password a request carries: the Password header, else ?password=. */
static size_t
ctl_supplied(const struct ctl_auth_req *r, char *pw, size_t cap)
{
    if (r->password != NULL && r->password->len > 0) {
        size_t n = r->password->len < cap - 1 ? r->password->len : cap - 1;

        memcpy(pw, r->password->p, n);
        pw[n] = '\0';
        return n;
    }
    if (ctl_query_param(r->query, "password", pw, cap))
        return strlen(pw);
    pw[0] = '\0';
    return 0;
}

static void
ctl_check_password(struct ctl_auth *a, const struct ctl_auth_cfg *cfg, const struct ctl_auth_req *r,
                   const struct ipaddr *addr, double now, struct ctl_auth_res *out)
{
    bool has_pw = cfg->password_kind != CTL_PW_NONE, has_en = cfg->enable_kind != CTL_PW_NONE;
    unsigned char d[crypto_generichash_BYTES];
    char pw[CTL_PW_MAX];
    size_t len = ctl_supplied(r, pw, sizeof(pw));

    if (len == 0) {
        if (cfg->secure.n == 0 && !has_pw && (r->level == CTL_READ || !has_en)) {
            out->read_only = has_en;
            out->why = "no password is set";
            return;
        }
        ctl_deny(out, CTL_AUTH_UNAUTHORIZED, "no password given");
        return;
    }
    if (strcmp(pw, "q1") == 0 || strcmp(pw, "q2") == 0) {
        sodium_memzero(pw, sizeof(pw));
        ctl_wrong(a, addr, now, out, CTL_AUTH_UNAUTHORIZED, "rspamd's example password");
        return;
    }
    ctl_digest(a, pw, len, d);
    if (r->level == CTL_WRITE) {
        const char *conf = has_en ? cfg->enable_password : cfg->password;
        enum ctl_pw_kind kind = has_en ? cfg->enable_kind : cfg->password_kind;

        if (!has_en && !has_pw)
            ctl_deny(out, CTL_AUTH_FORBIDDEN, "no password is set to write with");
        else if (ctl_matches(a, conf, kind, has_en ? &a->enable : &a->password, pw, len, d))
            out->why = has_en ? "enable_password" : "password";
        else if (has_en && has_pw &&
                 ctl_matches(a, cfg->password, cfg->password_kind, &a->password, pw, len, d))
            ctl_deny(out, CTL_AUTH_UNAUTHORIZED, "the read-only password");
        else
            ctl_wrong(a, addr, now, out, CTL_AUTH_FORBIDDEN, "wrong password");
    } else if (!has_en && !has_pw) {
        ctl_deny(out, CTL_AUTH_FORBIDDEN, "no password is set");
    } else if (has_en &&
               ctl_matches(a, cfg->enable_password, cfg->enable_kind, &a->enable, pw, len, d)) {
        out->why = "enable_password";
    } else if (has_pw &&
               ctl_matches(a, cfg->password, cfg->password_kind, &a->password, pw, len, d)) {
        out->read_only = has_en;
        out->why = "password";
    } else {
        ctl_wrong(a, addr, now, out, CTL_AUTH_FORBIDDEN, "wrong password");
    }
    sodium_memzero(pw, sizeof(pw));
}

void
ctl_auth_check(struct ctl_auth *a, const struct ctl_auth_cfg *cfg, const struct ctl_auth_req *r,
               double now, struct ctl_auth_res *out)
{
    struct ipaddr addr;
    struct ctl_fail *f;
    bool secure;

    memset(out, 0, sizeof(*out));
    secure = ctl_client(cfg, r, &addr, out);
    if (r->level == CTL_OPEN) {
        out->why = "open to all";
        return;
    }
    if (secure)
        return; /* no password, full rights */
    if ((f = ctl_fail_find(a, &addr, now, false)) != NULL && f->count >= CTL_FAIL_MAX) {
        double left = f->start + CTL_FAIL_WINDOW - now;

        out->retry_after = left > 1 ? (unsigned)(left + 0.999) : 1;
        ctl_deny(out, CTL_AUTH_LIMITED, "too many wrong passwords");
        return;
    }
    ctl_check_password(a, cfg, r, &addr, now, out);
}
