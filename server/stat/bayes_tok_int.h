/*
 * bayes_tok_int.h - what the tokenizer's files share (not public):
 *   bayes_tok.c      the prepared tokenizer, _tokenize_line, the message
 *   bayes_tok_hdr.c  _tokenize_headers and the header pre-chewing
 */
#ifndef SIFT_STAT_BAYES_TOK_INT_H
#define SIFT_STAT_BAYES_TOK_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/strset.h"
#include "core/strv.h"
#include "stat/bayes_tok.h"

/* Received pre-chewing: SA's substitutions, in its order */
enum {
    BT_RCVD_SENDMAIL_SMTP,
    BT_RCVD_SENDMAIL_ESMTP,
    BT_RCVD_SENDMAIL_ID,
    BT_RCVD_EXIM_ID,
    BT_RCVD_DATE,
    BT_RCVD_IP,
    BT_RCVD_WORDS,
    BT_RCVD_N
};

struct bayes_tok {
    struct arena *arena;
    unsigned sources;
    size_t max_token_length;
    struct strset ignore; /* bayes_ignore_header, lower case */
    pcre2_code **stopwords;
    size_t nstopwords;
    pcre2_code *ignored_hdrs;  /* $IGNORED_HDRS, on a field name */
    pcre2_code *presence_only; /* $MARK_PRESENCE_ONLY_HDRS */
    pcre2_code *mid_oe, *mid_exim, *mid_sendmail;
    pcre2_code *rcvd[BT_RCVD_N];
    pcre2_code *ct_boundary, *ct_words;
    struct evp_md_st *sha1; /* EVP_MD fetched once: an implicit fetch per token takes locks */
};

/* A growing list of strings in an arena. */
struct bt_list {
    struct arena *a;
    struct strv *v;
    size_t n, cap;
};

void bt_list_push(struct bt_list *l, struct strv s);

/* A growing byte string in an arena (NUL-terminated when taken). */
struct bt_buf {
    struct arena *a;
    char *p;
    size_t len, cap;
};

void bt_buf_init(struct bt_buf *b, struct arena *a);
void bt_buf_put(struct bt_buf *b, const char *p, size_t n);
void bt_buf_putc(struct bt_buf *b, char c);
void bt_buf_puts(struct bt_buf *b, const char *s);
struct strv bt_buf_take(struct bt_buf *b);

/* What one tokenizing run needs besides the prepared tokenizer: where
 * tokens go, a match block and scratch buffers reused line after line. */
struct bt_run {
    const struct bayes_tok *bt;
    struct arena *a;
    pcre2_match_data *md;
    struct buf w1, w2;
    bool chars; /* the line is a Perl character string (Latin-1 bytes here) */
};

void bt_run_init(struct bt_run *r, const struct bayes_tok *bt, struct arena *a);
void bt_run_clear(struct bt_run *r);

/* pcre2 compile for the tokenizer's own patterns (they are known good). */
pcre2_code *bt_compile(const char *pattern, uint32_t options);

/* s/re/template/ (g: every match), Perl's way: unset groups are empty. */
struct strv bt_subst(struct bt_run *r, const pcre2_code *re, struct strv s, const char *tmpl,
                     bool global);

/* _tokenize_mail_addrs: U*local, D*domain, D*<each dot suffix>. */
void bt_mail_addr_tokens(struct bt_list *out, struct strv addr);

/* bayes_tok_hdr.c */
int bt_hdr_prepare(struct bayes_tok *bt);
size_t bt_headers(struct bt_run *r, struct mime_msg *m, unsigned flags,
                  struct bayes_tok_header **out);

#endif
