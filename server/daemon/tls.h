/*
 * tls.h - TLS on listeners (a bind_socket address with "ssl", spamd's --ssl).
 * The server context is built from a worker's ssl_* keys wherever the
 * configuration is loaded: in siftd that is the main process, at start still
 * as root (so the private key may be readable by root only); the workers it
 * forks inherit the context. The main process also records which of the
 * sockets it bound serve TLS; a worker asks about each listening socket.
 * The rest wraps OpenSSL for conn.c: the bufferevent, why a handshake failed,
 * and the close_notify of an orderly close.
 */
#ifndef SIFT_DAEMON_TLS_H
#define SIFT_DAEMON_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "core/arena.h"
#include "core/err.h"

struct worker_cfg;

/* Build a server context (an SSL_CTX) from wc's ssl_cert, ssl_key, ssl_ca,
 * ssl_ciphers and ssl_min_protocol; release it with tls_ctx_free. -1 with
 * the reason in err ("/etc/sift/key.pem: Permission denied") and the name
 * of the key at fault in *bad_key ("ssl_key"). */
int tls_ctx_new(const struct worker_cfg *wc, void **ctx, const char **bad_key,
                struct sift_err *err);
/* Another reference to ctx (a reload keeping the running context). */
void *tls_ctx_ref(void *ctx);
/* Drop a reference; sets *ctx = NULL. NULL is fine. */
void tls_ctx_free(void **ctx);
/* Do a and b name the same files and settings? */
bool tls_same_settings(const struct worker_cfg *a, const struct worker_cfg *b);

/* The main process bound sa for an "ssl" address of wc: remember it (in a,
 * the snapshot's arena) so wc's workers speak TLS on that socket. */
void tls_listener_add(struct arena *a, struct worker_cfg *wc, const struct sockaddr *sa,
                      socklen_t len);
/* Is the listening socket fd one of wc's TLS listeners? */
bool tls_listener_is(const struct worker_cfg *wc, int fd);

/* A bufferevent for an accepted fd that waits for the client's handshake.
 * NULL on failure (fd is then still the caller's). */
struct bufferevent *tls_bufferevent_new(struct event_base *base, void *ctx, int fd);
/* Why the connection failed: OpenSSL's reason ("wrong version number"), or
 * the socket error. Consumes the errors the bufferevent recorded. */
void tls_error_str(struct bufferevent *bev, char *out, size_t outlen);
/* "TLSv1.3 TLS_AES_256_GCM_SHA384" and the client certificate's subject, if any. */
void tls_describe(struct bufferevent *bev, char *out, size_t outlen);
/* Send close_notify (the reply is flushed; the caller shuts the socket's
 * write side next). Nothing happens before the handshake completed. */
void tls_close_notify(struct bufferevent *bev);
/* Do the first bytes a plain listener got look like a TLS ClientHello? */
bool tls_looks_like_client_hello(const unsigned char *p, size_t len);

#endif
