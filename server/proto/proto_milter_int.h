/*
 * proto_milter_int.h - what proto_milter.c (packets, negotiation,
 * replies) and proto_milter_session.c (the session tracker) share.
 * Nothing outside these two files includes it.
 */
#ifndef SIFT_PROTO_PROTO_MILTER_INT_H
#define SIFT_PROTO_PROTO_MILTER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "proto/proto_milter.h"

/* The set (0 .. MILTER_NSLOTS - 1, in the order "CHMRTLNBEU") a MACRO for
 * this command goes to, or -1. */
int milter_slot(int cmd);
/* dst = src (NULL: all zero), each zero limit made its default. */
void milter_limits_fill(struct milter_limits *dst, const struct milter_limits *src);
/* A field name: 1 to MILTER_HDR_NAME_MAX printable ASCII characters but ':'. */
bool milter_name_ok(const char *name);
/* 'h', 'i' or 'm': [index] name value; lead: a space before the value
 * (HDR_LEADSPC). -1 as for milter_render_addheader. */
int milter_render_hdr(struct buf *out, char cmd, uint32_t index, const char *name,
                      const char *value, bool lead);

#endif
