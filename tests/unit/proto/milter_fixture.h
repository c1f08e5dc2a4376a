/*
 * milter_fixture.h - what the milter codec and session tests share: small
 * limits, the captured session of section 10 (spec/milter-protocol.md)
 * packet by packet, rspamd's negotiation wants, and a byte comparison.
 * Include after unit.h.
 */
#ifndef SIFT_TESTS_MILTER_FIXTURE_H
#define SIFT_TESTS_MILTER_FIXTURE_H

#include <string.h>

#include "core/buf.h"
#include "proto/proto_milter.h"

/* Small limits so that each one is easy to reach from a table. */
static const struct milter_limits test_lim = {
    .max_frame = 80, .max_args = 6, .max_rcpts = 3, .max_headers = 8
};

#define IN(s) s, sizeof(s) - 1

/* The section 10 stream from the MTA, packet by packet. */
static const char *const session10[] = {
    "\000\000\000\015O\000\000\000\006\000\000\001\377\000\037\377\377",
    ("\000\000\000ADCj\000mx.example.net\000{daemon_name}\000mx.example.net\000v\000Postfix "
     "3.7.11\000"),
    "\000\000\000 Cmail.example.org\0004\234@192.0.2.10\000",
    "\000\000\000\030DH{tls_version}\000TLSv1.3\000",
    "\000\000\000\022Hmail.example.org\000",
    "\000\000\000-DMi\0004ABC123DEF\000{mail_addr}\000alice@example.org\000",
    "\000\000\000\036M<alice@example.org>\000SIZE=155\000",
    "\000\000\000\036DR{rcpt_addr}\000bob@example.net\000",
    "\000\000\000\023R<bob@example.net>\000",
    "\000\000\000\017DTi\0004ABC123DEF\000",
    "\000\000\000\001T",
    "\000\000\000\030LFrom\000alice@example.org\000",
    "\000\000\000\024LTo\000bob@example.net\000",
    "\000\000\000\017LSubject\000lunch\000",
    "\000\000\000!LMessage-ID\000<abc123@example.org>\000",
    "\000\000\000&LDate\000Mon, 24 Nov 2025 10:00:00 +0000\000",
    "\000\000\000\017DNi\0004ABC123DEF\000",
    "\000\000\000\001N",
    "\000\000\000\023BSee you at noon.\015\012",
    "\000\000\000\017DEi\0004ABC123DEF\000",
    "\000\000\000\001E",
    "\000\000\000\001Q",
};

#define NSESSION10 (sizeof(session10) / sizeof(session10[0]))

/* A packet's length from its first four bytes. */
static inline size_t
pkt_len(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;

    return 4 + ((size_t)u[0] << 24 | (size_t)u[1] << 16 | (size_t)u[2] << 8 | u[3]);
}

/* rspamd's reply (section 10): every action, NR where offered, no macro lists */
static const struct milter_wants wants_rspamd = { .actions = 0x1ff,
                                                  .required =
                                                      MILTER_ACT_ADDHDRS | MILTER_ACT_CHGHDRS,
                                                  .protocol = MILTER_P_NR_ALL };

/* out holds exactly want[0..len). */
static inline void
check_bytes(const struct buf *out, const char *want, size_t len, const char *what)
{
    ck_assert_msg(out->len == len, "%s: %zu bytes, want %zu", what, out->len, len);
    ck_assert_msg(memcmp(out->p, want, len) == 0, "%s: bytes differ", what);
}

#endif
