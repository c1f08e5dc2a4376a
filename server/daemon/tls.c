/*
 * tls.c - TLS on listeners (see tls.h).
 */
#include "daemon/tls.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "daemon/siftd_cfg.h"

/* Session ids are only valid with the context that issued them. */
static const unsigned char tls_session_ctx[] = "sift";

static void
tls_openssl_err(struct sift_err *err, const char *path, const char *what)
{
    unsigned long e = ERR_peek_last_error();
    const char *reason = e != 0 ? ERR_reason_error_string(e) : NULL;

    sift_err_set(err, "%s: %s (%s)", path, what, reason ? reason : "no reason given");
    ERR_clear_error();
}

static int
tls_readable(const char *path, struct sift_err *err)
{
    FILE *f = fopen(path, "r");

    if (f == NULL) {
        sift_err_set(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    fclose(f);
    return 0;
}

/* OpenSSL's default would ask on the terminal; a daemon cannot answer. */
static int
tls_no_passphrase(char *buf, int size, int rwflag, void *arg)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    *(bool *)arg = true;
    return -1;
}

static int
tls_load_key(SSL_CTX *ctx, const char *path, const char *cert_path, struct sift_err *err)
{
    BIO *bio;
    EVP_PKEY *key;
    bool asked = false;
    int rc = -1;

    if (tls_readable(path, err) == -1)
        return -1;
    if ((bio = BIO_new_file(path, "r")) == NULL) {
        tls_openssl_err(err, path, "cannot open");
        return -1;
    }
    key = PEM_read_bio_PrivateKey(bio, NULL, tls_no_passphrase, &asked);
    BIO_free(bio);
    if (key == NULL) {
        if (asked)
            sift_err_set(err, "%s: the key is encrypted; siftd needs it without a passphrase",
                         path);
        else
            tls_openssl_err(err, path, "not a PEM private key");
        ERR_clear_error();
        return -1;
    }
    if (X509_check_private_key(SSL_CTX_get0_certificate(ctx), key) != 1)
        sift_err_set(err, "%s: does not match the certificate in %s", path, cert_path);
    else if (SSL_CTX_use_PrivateKey(ctx, key) != 1)
        tls_openssl_err(err, path, "cannot use the key");
    else
        rc = 0;
    ERR_clear_error();
    EVP_PKEY_free(key);
    return rc;
}

/* Client certificates: requested, and required to chain to the CA file. */
static int
tls_load_ca(SSL_CTX *ctx, const char *path, struct sift_err *err)
{
    if (tls_readable(path, err) == -1)
        return -1;
    if (SSL_CTX_load_verify_locations(ctx, path, NULL) != 1) {
        tls_openssl_err(err, path, "not a PEM CA file");
        return -1;
    }
    /* the CA names sent with the certificate request */
    SSL_CTX_set_client_CA_list(ctx, SSL_load_client_CA_file(path));
    if (SSL_CTX_get_client_CA_list(ctx) == NULL) {
        tls_openssl_err(err, path, "no CA certificate in it");
        return -1;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    return 0;
}

int
tls_ctx_new(const struct worker_cfg *wc, void **out, const char **bad_key, struct sift_err *err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

    *out = NULL;
    *bad_key = "ssl_cert";
    if (ctx == NULL) {
        tls_openssl_err(err, "TLS", "cannot create a context");
        return -1;
    }
    SSL_CTX_set_min_proto_version(ctx, wc->ssl_min_protocol == 1 ? TLS1_3_VERSION : TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
    /* a FIN without close_notify ends the request, as on a plain socket (the
     * protocols frame their own data); OpenSSL 3 would fail the connection
     * with a decode_error alert instead of letting the reply out */
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
    SSL_CTX_set_session_id_context(ctx, tls_session_ctx, sizeof(tls_session_ctx) - 1);
    if (tls_readable(wc->ssl_cert, err) == -1)
        goto fail;
    if (SSL_CTX_use_certificate_chain_file(ctx, wc->ssl_cert) != 1) {
        tls_openssl_err(err, wc->ssl_cert, "not a PEM certificate");
        goto fail;
    }
    *bad_key = "ssl_key";
    if (tls_load_key(ctx, wc->ssl_key, wc->ssl_cert, err) == -1)
        goto fail;
    *bad_key = "ssl_ciphers";
    if (wc->ssl_ciphers != NULL && SSL_CTX_set_cipher_list(ctx, wc->ssl_ciphers) != 1) {
        ERR_clear_error();
        sift_err_set(err, "'%s': no cipher OpenSSL knows", wc->ssl_ciphers);
        goto fail;
    }
    *bad_key = "ssl_ca";
    if (wc->ssl_ca != NULL && tls_load_ca(ctx, wc->ssl_ca, err) == -1)
        goto fail;
    *bad_key = NULL;
    *out = ctx;
    return 0;
fail:
    SSL_CTX_free(ctx);
    return -1;
}

void *
tls_ctx_ref(void *ctx)
{
    SSL_CTX_up_ref(ctx);
    return ctx;
}

void
tls_ctx_free(void **ctx)
{
    SSL_CTX_free(*ctx);
    *ctx = NULL;
}

static bool
tls_streq(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

bool
tls_same_settings(const struct worker_cfg *a, const struct worker_cfg *b)
{
    return tls_streq(a->ssl_cert, b->ssl_cert) && tls_streq(a->ssl_key, b->ssl_key) &&
           tls_streq(a->ssl_ca, b->ssl_ca) && tls_streq(a->ssl_ciphers, b->ssl_ciphers) &&
           a->ssl_min_protocol == b->ssl_min_protocol;
}

void
tls_listener_add(struct arena *a, struct worker_cfg *wc, const struct sockaddr *sa, socklen_t len)
{
    struct sockaddr_storage *v = arena_calloc(a, wc->nssl_addrs + 1, sizeof(*v));

    if (wc->nssl_addrs > 0)
        memcpy(v, wc->ssl_addrs, wc->nssl_addrs * sizeof(*v));
    memcpy(&v[wc->nssl_addrs], sa, len < sizeof(*v) ? len : sizeof(*v));
    wc->ssl_addrs = v;
    wc->nssl_addrs++;
}

/* The same TCP address and port (getsockname may differ in padding). */
static bool
tls_same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return false;
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    if (a->ss_family == AF_INET6) {
        const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

        return x->sin6_port == y->sin6_port &&
               memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
    }
    return false;
}

bool
tls_listener_is(const struct worker_cfg *wc, int fd)
{
    struct sockaddr_storage ss = { 0 };
    socklen_t len = sizeof(ss);

    if (wc->nssl_addrs == 0 || getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
        return false;
    for (size_t i = 0; i < wc->nssl_addrs; i++) {
        if (tls_same_addr(&wc->ssl_addrs[i], &ss))
            return true;
    }
    return false;
}

struct bufferevent *
tls_bufferevent_new(struct event_base *base, void *ctx, int fd)
{
    SSL *ssl = SSL_new(ctx);
    struct bufferevent *bev;

    if (ssl == NULL)
        return NULL;
    bev = bufferevent_openssl_socket_new(base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                         BEV_OPT_CLOSE_ON_FREE);
    if (bev == NULL) {
        SSL_free(ssl);
        return NULL;
    }
    /* a client may end with a bare FIN instead of close_notify: that is the
     * end of its request (see SSL_OP_IGNORE_UNEXPECTED_EOF above) */
    bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    return bev;
}

void
tls_error_str(struct bufferevent *bev, char *out, size_t outlen)
{
    const char *reason = NULL;
    unsigned long e;
    int sys = EVUTIL_SOCKET_ERROR();

    /* libevent records SSL_get_error's small codes too: skip those */
    while ((e = bufferevent_get_openssl_error(bev)) != 0) {
        if (reason == NULL && ERR_GET_LIB(e) != 0)
            reason = ERR_reason_error_string(e);
    }
    if (reason != NULL)
        snprintf(out, outlen, "%s", reason);
    else if (sys != 0)
        snprintf(out, outlen, "%s", evutil_socket_error_to_string(sys));
    else
        snprintf(out, outlen, "the connection was closed");
}

void
tls_describe(struct bufferevent *bev, char *out, size_t outlen)
{
    SSL *ssl = bufferevent_openssl_get_ssl(bev);
    X509 *peer;
    int n;

    if (ssl == NULL) {
        snprintf(out, outlen, "no TLS");
        return;
    }
    n = snprintf(out, outlen, "%s %s", SSL_get_version(ssl), SSL_get_cipher_name(ssl));
    if ((peer = SSL_get1_peer_certificate(ssl)) != NULL) {
        char subject[256];

        X509_NAME_oneline(X509_get_subject_name(peer), subject, sizeof(subject));
        if (n >= 0 && (size_t)n < outlen)
            snprintf(out + n, outlen - (size_t)n, ", client certificate %s", subject);
        X509_free(peer);
    }
}

void
tls_close_notify(struct bufferevent *bev)
{
    SSL *ssl = bufferevent_openssl_get_ssl(bev);

    if (ssl != NULL && SSL_is_init_finished(ssl) && SSL_shutdown(ssl) < 0)
        ERR_clear_error(); /* the peer is gone: closing is all that is left */
}

bool
tls_looks_like_client_hello(const unsigned char *p, size_t len)
{
    /* a TLS handshake record: content type 22, protocol version 3.x */
    return len >= 2 && p[0] == 0x16 && p[1] == 0x03;
}
