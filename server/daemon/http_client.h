/*
 * http_client.h - one HTTP/1.1 exchange with a server, on a worker's event
 * loop: connect (TCP or a Unix socket), send the request the caller wrote,
 * read the response (proto_http_response.h), all within one deadline. The
 * proxy worker's upstream requests and health checks are made of these.
 *
 * Usage: http_client_start, then http_client_write / http_client_write_ref
 * the whole request (it goes out once connected). done is called exactly
 * once, from the event loop (never from inside a call of this API), unless
 * the exchange is freed first; by then the connection is closed, and
 * http_client_response (NULL on failure) or http_client_error says how it
 * went. Free it with http_client_free, in done or at any time before
 * (which cancels it: done is not called).
 */
#ifndef SIFT_DAEMON_HTTP_CLIENT_H
#define SIFT_DAEMON_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include <event2/event.h>

#include "proto/proto_http.h"
#include "proto/proto_http_response.h"

struct http_client;

typedef void (*http_client_fn)(struct http_client *hc, void *arg);

/* Connect to sa; timeout: seconds for the whole exchange (> 0); lim
 * bounds the response; head_request: the request is HEAD (no body comes
 * back). Never NULL. */
struct http_client *http_client_start(struct event_base *base, const struct sockaddr *sa,
                                      socklen_t salen, const struct http_limits *lim,
                                      double timeout, bool head_request, http_client_fn done,
                                      void *arg);
/* Queue request bytes (copied). */
void http_client_write(struct http_client *hc, const void *p, size_t n);
/* Queue request bytes by reference: p must stay alive until done or free. */
void http_client_write_ref(struct http_client *hc, const void *p, size_t n);

/* After done: the response, or NULL when the exchange failed. */
const struct http_response *http_client_response(const struct http_client *hc);
/* After done with no response: why, in a few words ("connection refused",
 * "timed out after 5.0 s", "bad response: ..."). */
const char *http_client_error(const struct http_client *hc);
/* Seconds the exchange took (so far). */
double http_client_elapsed(const struct http_client *hc);

/* Close and free; NULL is fine; *hcp becomes NULL. */
void http_client_free(struct http_client **hcp);

#endif
