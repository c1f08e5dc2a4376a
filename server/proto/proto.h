/*
 * proto.h - what every protocol codec in server/proto shares.
 * Codecs are pure: bytes in, a request (or an error) out, and results
 * rendered to bytes. No I/O, no libevent, every limit from config.
 */
#ifndef SIFT_PROTO_PROTO_H
#define SIFT_PROTO_PROTO_H

/* The outcome of feeding bytes to an incremental parser. */
enum proto_status {
    PROTO_DONE,  /* a whole request is parsed */
    PROTO_MORE,  /* need more bytes (unconsumed bytes stay with the caller) */
    PROTO_ERROR, /* the peer broke the protocol; the parser holds the reply to send */
};

#endif
