/*
 * mime_ctx.h - the `mime` configuration section and the per-process
 * parsing context it builds (struct mime_ctx, declared in mime_msg.h):
 * limits, the public suffix list, trust networks for the Received chain,
 * SpamAssassin's originating_ip_headers and envelope_sender_header.
 */
#ifndef SIFT_MIME_MIME_CTX_H
#define SIFT_MIME_MIME_CTX_H

#include <stddef.h>

#include "core/cfg_keys.h"
#include "core/err.h"
#include "core/ipnet.h"
#include "mime/mime_msg.h"

struct mime_cfg {
    struct mime_limits lim;
    const char *public_suffix_list;
    struct cfg_strlist trusted_networks;
    struct cfg_strlist internal_networks;
    struct cfg_strlist msa_networks;
    struct cfg_strlist originating_ip_headers;
    const char *envelope_sender_header;
};

extern const struct cfg_key mime_cfg_keys[];
extern const size_t mime_cfg_nkeys;

/* What a mime_ctx owns besides the struct itself. */
struct mime_ctx_storage {
    struct mime_psl *psl;
    struct mime_received_rules *rcvd;
    struct ipset trusted, internal, msa;
    const char **headers;
};

/* Build ctx from cfg (loads the suffix list, compiles the Received
 * patterns). On error nothing is left to free. */
int mime_ctx_init(struct mime_ctx *ctx, struct mime_ctx_storage *st, const struct mime_cfg *cfg,
                  struct sift_err *err);
void mime_ctx_clear(struct mime_ctx *ctx, struct mime_ctx_storage *st);

#endif
