/*
 * sa_eval_addrlist.h - SpamAssassin 4.0.1's address lists and the
 * addresses a message is checked against, shared by the WLBLEval,
 * WelcomeListSubject, VBounce and FreeMail eval functions:
 *  - a list as Conf::Parser::add_to_addrlist builds it from the settings
 *    (welcomelist_from, blocklist_to, enlist_addrlist (NAME)...): each
 *    entry lower-cased, matched exactly or through the pattern SA makes of
 *    it ("*" any string, "?" any character, everything else literally);
 *    add_to_addrlist_rcvd's lists (welcomelist_from_rcvd...) with the
 *    relay each address must come through; WelcomeListSubject's lists of
 *    unanchored subject patterns;
 *  - PerMsgStatus::all_from_addrs and all_to_addrs.
 * The configuration is a struct sa_conf (sa_conf_values: the un* and
 * delist directives already applied). Everything lives in the arenas given.
 */
#ifndef SIFT_COMPAT_SA_EVAL_ADDRLIST_H
#define SIFT_COMPAT_SA_EVAL_ADDRLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "compat/sa_conf.h"
#include "core/arena.h"
#include "core/strv.h"
#include "mime/mime_msg.h"

struct sa_addrlist_entry {
    struct strv key;    /* lc as written: the key of SA's hash */
    struct strv glob;   /* the pattern: key with NUL, \ and ( as _ (SA's "paranoia") */
    struct strv domain; /* rcvd lists: the relay (rDNS domain or [IP]) it must come through */
};

enum sa_addrlist_kind {
    SA_ADDRLIST_PLAIN,   /* add_to_addrlist: one entry a word; ^glob$ */
    SA_ADDRLIST_RCVD,    /* add_to_addrlist_rcvd: "addr relay" values; ^glob$ */
    SA_ADDRLIST_SUBJECT, /* WelcomeListSubject: one entry a value; glob anywhere */
};

struct sa_addrlist {
    enum sa_addrlist_kind kind;
    struct sa_addrlist_entry *v;
    size_t n;
};

/* The list SA keeps under $conf->{name} (name as SA spells the hash:
 * "welcomelist_from", "blocklist_to", "BANKS"...): the values of the
 * directive of that name when it is one of SA's address-list settings, then
 * the entries `enlist_addrlist (name)` adds. c NULL: an empty list. An
 * rcvd value that is not two words is left out (SA: invalid value). */
void sa_addrlist_build(struct arena *a, const struct sa_conf *c, const char *name,
                       struct sa_addrlist *out);

/* WLBLEval::_check_welcomelist (and WelcomeListSubject's _check_subject,
 * VBounce's _relay_is_in_list): s, lower-cased here, is a key of l or
 * matches an entry's pattern. An rcvd list's patterns are not SA's values
 * there (hashes), so only its keys count. */
bool sa_addrlist_match(struct arena *a, const struct sa_addrlist *l, struct strv s);
/* Only the patterns (`foreach (values %$list) { $addr =~ $re }`), s as given. */
bool sa_addrlist_match_pattern(const struct sa_addrlist *l, struct strv s);

/* Does SA's regex of glob match s: ^re$ when anchored ($ also before a
 * final newline), anywhere otherwise; "*" and "?" never match a newline. */
bool sa_addrlist_glob(struct strv glob, struct strv s, bool anchored);

/* enlist_addrlist and enlist_uri_host values, ^ \( (.+?) \) \s+ (.+) \z:
 * the list's name and the rest. */
bool sa_addrlist_enlisted(struct strv v, struct strv *name, struct strv *rest);

/* Perl's split(/\s+/, v) without empty fields: the next word of v at *pos. */
bool sa_addrlist_word(struct strv v, size_t *pos, struct strv *w);

/* PerMsgStatus::all_from_addrs: Resent-From's first address when there is
 * one, else the addresses of From, Envelope-Sender, Resent-Sender,
 * X-Envelope-From and the envelope sender with runs of dots squeezed;
 * each once (SA's order is a hash's; this one is the headers'). */
size_t sa_addrlist_from_addrs(struct mime_msg *m, struct strv **out);
/* PerMsgStatus::all_to_addrs: Resent-To/Resent-Cc's first addresses when
 * there are any, else the "for <addr>" of the first three Received
 * headers and the addresses of To, Apparently-To, Delivered-To... and Cc;
 * each once, in that order. */
size_t sa_addrlist_to_addrs(struct mime_msg *m, struct strv **out);

#endif
