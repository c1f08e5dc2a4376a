/*
 * mime_received_rules.h - private to mime_received*.c: the rows that say,
 * pattern by pattern, what SpamAssassin 4.0.1's parse_received_line
 * (Mail::SpamAssassin::Message::Metadata::Received) takes out of a
 * Received line. mime_received_rules.c holds the tables, mime_received.c
 * compiles and runs them.
 *
 * A table is run top to bottom over the line. A row matches when its guard
 * matches (or, with RCV_GUARD_NOT, does not) and its pattern matches; a
 * row without a pattern matches on its guard alone, and one with neither
 * always matches. On a match the capture groups are stored in the fields
 * named by cap[], the hook runs, and the action decides what happens next.
 * RCV_ELSE makes a row part of an if/elsif chain: it is skipped when the
 * row before it on the same level matched (or was itself skipped because
 * an earlier one in the chain matched).
 */
#ifndef SIFT_MIME_MIME_RECEIVED_RULES_H
#define SIFT_MIME_MIME_RECEIVED_RULES_H

#include <stddef.h>
#include <stdint.h>

/* Where a capture group goes (Perl's $1..$6 assigned to the variables). */
enum rcv_field {
    RCV_NONE = 0, /* group not used */
    RCV_IP,
    RCV_RDNS,
    RCV_HELO,
    RCV_BY,
    RCV_IDENT,
    RCV_ENVFROM,
    RCV_ID,
    RCV_AUTH,
    RCV_HELO_RDNS, /* both helo and rdns ($helo = $rdns = $1) */
    RCV_SUB,       /* the Exim "(helo=... ident=...)" comment, for RCV_HOOK_EXIM_SUB */
    RCV_TMP,       /* kept for a hook only */
    RCV_NFIELDS
};

enum rcv_action {
    RCV_SET,          /* store the captures and go on */
    RCV_ENOUGH,       /* store and finish: the line is a relay ("goto enough") */
    RCV_ENOUGH_IF_IP, /* store; finish if an IP is known by now */
    RCV_SKIP,         /* the line is no relay ("return 0") */
    RCV_SKIP_FETCH,   /* a POP/IMAP fetcher hand-over: no relay, and the chain restarts */
    RCV_SKIP_QMS,     /* qmail-scanner: no relay; its envfrom goes to the next header */
    RCV_BLOCK,        /* run the next nsub rows; skip them if this one does not match */
};

enum rcv_hook {
    RCV_HOOK_NONE = 0,
    RCV_HOOK_EXIM_SUB,       /* helo=(\S+) then ident=(\S*) out of the comment */
    RCV_HOOK_IDENT_AT,       /* sendmail: rdns "IDENT:user@host" / "user@host" gives the ident */
    RCV_HOOK_IDENT_TRIM,     /* qmail: drop the '@' that ends the ident */
    RCV_HOOK_SOFTDNSERR,     /* couriertcpd: "softdnserr" is no rDNS */
    RCV_HOOK_UNVERIFIED,     /* simta: rDNS "unverified" is none */
    RCV_HOOK_NOT_BRACKET_IP, /* skip unless the host is "[digits and dots]" */
    RCV_HOOK_AUTH_POSTFIX,   /* "Postfix", or "Postfix (mail_name)" */
    RCV_HOOK_QMAIL_DNS,      /* qmail: rDNS "unknown" is none, anything else was looked up */
    RCV_HOOK_OBTUSE_DNS,     /* Obtuse smtpd: rDNS "UNKNOWN" means no look-up */
};

enum rcv_flag {
    RCV_ELSE = 1 << 0,      /* elsif: only when the previous row did not match */
    RCV_GUARD_NOT = 1 << 1, /* the guard must not match */
    RCV_CLEAR_ID = 1 << 2,  /* $id = '' */
    RCV_CLEAR_BY = 1 << 3,  /* $by = '' */
    RCV_NO_HELO = 1 << 4,   /* only when no HELO is known yet */
    RCV_DNS = 1 << 5,       /* the MTA looks up the rDNS itself ($mta_looked_up_dns = 1):
                               a relay with none then has no_reverse_dns */
};

struct rcv_rule {
    uint8_t act;       /* enum rcv_action */
    uint8_t flags;     /* enum rcv_flag */
    uint8_t hook;      /* enum rcv_hook */
    uint8_t nsub;      /* RCV_BLOCK: rows that follow inside the block */
    uint8_t cap[6];    /* enum rcv_field for groups 1..6 */
    const char *auth;  /* with a match: auth = this, "$N" replaced by group N */
    const char *guard; /* NULL: none */
    const char *re;    /* NULL: the guard decides */
};

enum rcv_table_id {
    RCV_T_EARLY,    /* the whole line: skips that come before anything else */
    RCV_T_COMMON,   /* the line without its date: id, helo, by */
    RCV_T_AUTH,     /* the line without its date: authentication tokens */
    RCV_T_FROM,     /* after "from " */
    RCV_T_FROM_UC,  /* after "FROM " (simta) */
    RCV_T_FROM_PAR, /* after "(from " */
    RCV_T_COUNT
};

struct rcv_table {
    const struct rcv_rule *rows;
    size_t n;
};

extern const struct rcv_table rcv_tables[RCV_T_COUNT];

/* Patterns the engine runs itself (SA's constants and clean-ups). */
extern const char rcv_re_date[];       /* the date at the end of the line */
extern const char rcv_re_ip_any[];     /* \[(IP_ADDRESS)\] anywhere, the last resort */
extern const char rcv_re_ip_private[]; /* IP_PRIVATE, anchored at the start */
extern const char rcv_re_ip_address[];
extern const char rcv_re_ip_token[]; /* (IP_ADDRESS) */

#endif
