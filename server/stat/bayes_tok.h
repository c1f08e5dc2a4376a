/*
 * bayes_tok.h - SpamAssassin 4.0.1's Bayes tokenizer (Plugin/Bayes.pm
 * tokenize; ../shared/spec/sa-bayes-format.md section 4): the set of token
 * strings of a message, byte for byte as SpamAssassin makes them, and each
 * one's database key (the last 5 bytes of its SHA-1), so that a Bayes
 * database SpamAssassin trained scores the same here.
 *
 * The caller fills struct bayes_tok_cfg (compat/sa_bayes_cfg.h does it
 * from SpamAssassin's configuration) and prepares it once with
 * bayes_tok_new, which compiles every pattern; the prepared tokenizer is
 * read-only afterwards and serves every message of its configuration.
 * Tokenizing allocates from the arena given (the task's). Not thread-safe
 * (a worker's own), no I/O.
 */
#ifndef SIFT_STAT_BAYES_TOK_H
#define SIFT_STAT_BAYES_TOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/strv.h"
#include "mime/mime_msg.h"

/* bayes_token_sources: what is tokenized */
enum bayes_tok_source {
    BAYES_SRC_HEADER = 1u << 0,    /* header fields and SA's metadata (H<name>:) */
    BAYES_SRC_VISIBLE = 1u << 1,   /* the visible rendered body text */
    BAYES_SRC_INVISIBLE = 1u << 2, /* text HTML hides (I*:) */
    BAYES_SRC_URI = 1u << 3,       /* the URI list */
    BAYES_SRC_MIMEPART = 1u << 4,  /* MIME:<sha1 of each leaf>:<type> */
};
#define BAYES_SRC_DEFAULT                                                                          \
    (BAYES_SRC_HEADER | BAYES_SRC_VISIBLE | BAYES_SRC_INVISIBLE | BAYES_SRC_URI)

/* One stop-word language: a token that this pattern matches (PCRE2, no
 * UTF) is dropped. SA anchors the configured ones itself ("^(?i)RE$"), the
 * built-in English list it uses without a ruleset is not anchored; the
 * pattern given is matched as it is. */
struct bayes_stopword {
    const char *pattern;
    uint32_t options; /* PCRE2 compile options */
};

struct bayes_tok_cfg {
    unsigned sources;                  /* enum bayes_tok_source bits (BAYES_SRC_DEFAULT) */
    size_t max_token_length;           /* bayes_max_token_length (15) */
    const char *const *ignore_headers; /* bayes_ignore_header names (any case) */
    size_t nignore_headers;
    const struct bayes_stopword *stopwords; /* bayes_stopword_languages, in order */
    size_t nstopwords;
};

/* SA's defaults: header visible invisible uri, 15, nothing ignored, no stop words. */
void bayes_tok_cfg_init(struct bayes_tok_cfg *cfg);

struct bayes_tok;

/* Prepare cfg (copied: the caller's strings need not outlive the call).
 * NULL with err set when a stop-word pattern does not compile. */
struct bayes_tok *bayes_tok_new(const struct bayes_tok_cfg *cfg, struct sift_err *err);
void bayes_tok_free(struct bayes_tok **btp);

#define BAYES_KEY_LEN 5

struct bayes_token {
    struct strv text; /* the token string (NUL-terminated) */
    uint8_t key[BAYES_KEY_LEN];
};

/* A message's tokens: each key once, in the order first made. */
struct bayes_tokens {
    struct bayes_token *v;
    size_t n;
};

enum bayes_tok_flag {
    /* Tokenize as SpamAssassin's scan does (spamassassin, spamd, and
     * autolearning after a scan): every X-Spam-* field has been deleted
     * (PerMsgStatus::check_timed), and the message metadata also holds
     * X-SenderDomain and X-AuthorDomain, which become header tokens.
     * Without it, as a process that only learns does (sa-learn): only
     * X-Spam-Relays-Trusted fields are deleted, and the metadata is the
     * X-Spam-Relays-* strings. (Which fields SA deletes depends on the
     * first delete_header call of the Perl process: see bayes_tok_hdr.c.) */
    BAYES_TOK_SCAN = 1u << 0,
};

/* The token set of message m; everything in arena a (m's arena is fine).
 * SA stops each source once it has 50 000 (body, invisible) or 10 000
 * (URIs, headers) tokens, counting repeats; it walks the URIs and the
 * headers in Perl hash order, so which ones a message past those limits
 * keeps is random in SA; sift keeps the first ones. */
void bayes_tokenize(const struct bayes_tok *bt, struct mime_msg *m, unsigned flags, struct arena *a,
                    struct bayes_tokens *out);

/* substr(sha1(token), -5): the database key of a token string. */
void bayes_token_key(const char *p, size_t len, uint8_t key[BAYES_KEY_LEN]);

/* Plugin/Bayes.pm's regions for _tokenize_line */
enum bayes_region {
    BAYES_REGION_HEADER = 0,
    BAYES_REGION_BODY = 1,
    BAYES_REGION_URI = 2,
};

/* _tokenize_line: the tokens of one line of text, prefix prepended (as
 * SA does: not to the UD:, U*, D* parts), in SA's order, duplicates kept;
 * *out is arena-allocated. Returns the count. */
size_t bayes_tok_line(const struct bayes_tok *bt, struct arena *a, struct strv line,
                      const char *prefix, enum bayes_region region, struct strv **out);

/* _tokenize_headers: the pseudo-headers SA tokenizes (name after "H", as
 * "*F" or "X-Priority") with their pre-chewed values, in the order first
 * made. */
struct bayes_tok_header {
    struct strv name, value;
};
size_t bayes_tok_headers(const struct bayes_tok *bt, struct mime_msg *m, unsigned flags,
                         struct arena *a, struct bayes_tok_header **out);

#endif
