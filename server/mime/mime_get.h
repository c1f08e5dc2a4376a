/*
 * mime_get.h - header values as SpamAssassin's rules ask for them
 * (PerMsgStatus::get): a header name or pseudo-header (ALL, ALL-TRUSTED,
 * ALL-UNTRUSTED, ALL-INTERNAL, ALL-EXTERNAL, ToCc, MESSAGEID, EnvelopeFrom,
 * X-Spam-Relays-Trusted/-Untrusted/-Internal/-External) with modifiers
 * :raw :addr :name :host :domain :ip :revip :first :last; and the metadata
 * they rest on (the relays of the Received chain, the envelope sender).
 * Results live in the message's arena and are computed once per request.
 */
#ifndef SIFT_MIME_MIME_GET_H
#define SIFT_MIME_MIME_GET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/strv.h"
#include "mime/mime_msg.h"
#include "mime/mime_received.h"

struct mime_get {
    struct strv *v; /* each value; header values end in "\n" as SA's do */
    size_t n;
};

/* get() in list context. */
const struct mime_get *mime_get(struct mime_msg *m, const char *request);
/* get() in scalar context: the values joined, or for :addr/:name/:host/
 * :domain/:ip/:revip and EnvelopeFrom the first one without its newline;
 * *found is false when there is none (SA then uses the rule's default). */
struct strv mime_get_scalar(struct mime_msg *m, const char *request, bool *found);

/* The Received chain split by trust (computed once). */
const struct mime_relays *mime_msg_relays(struct mime_msg *m);
/* The Date header's time (the first Date when there are several, as SA's
 * date rules read it), seconds since the epoch; false when there is none
 * or it is not a date (mime_date_parse). */
bool mime_msg_date(struct mime_msg *m, int64_t *t);
/* get_envelope_from(); false when SA finds none. */
bool mime_msg_envelope_from(struct mime_msg *m, struct strv *out);

/* A decoded display name cleaned as SA's :name does. */
struct strv mime_get_clean_name(struct arena *a, struct strv decoded);

#endif
