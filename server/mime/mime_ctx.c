/*
 * mime_ctx.c - the `mime` section and the parsing context (see mime_ctx.h).
 */
#include "mime/mime_ctx.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/xmalloc.h"
#include "mime/mime_charset.h"
#include "mime/mime_received.h"
#include "mime/mime_url.h"

#ifndef SIFT_DATADIR
#define SIFT_DATADIR "/usr/share/sift"
#endif

const struct cfg_key mime_cfg_keys[] = {
    { "max_parts", CFG_T_SIZE, "10000", offsetof(struct mime_cfg, lim.max_parts),
      "most MIME parts parsed in one message (MIME_PARTS_LIMIT when hit)", NULL },
    { "max_multipart_parts", CFG_T_SIZE, "1000", offsetof(struct mime_cfg, lim.max_multipart_parts),
      "most parts of one multipart (SpamAssassin stops at 1000)", NULL },
    { "max_depth", CFG_T_SIZE, "20", offsetof(struct mime_cfg, lim.max_depth),
      "deepest nesting of multiparts and attached messages (SpamAssassin: 20; MIME_DEPTH_LIMIT)",
      NULL },
    { "max_headers", CFG_T_SIZE, "10000", offsetof(struct mime_cfg, lim.max_headers),
      "most header fields kept from one header block (MIME_HEADERS_LIMIT when hit)", NULL },
    { "body_part_scan_size", CFG_T_SIZE, "50000",
      offsetof(struct mime_cfg, lim.body_part_scan_size),
      "characters of each text part that body rules see (SpamAssassin's body_part_scan_size)",
      NULL },
    { "rawbody_part_scan_size", CFG_T_SIZE, "500000",
      offsetof(struct mime_cfg, lim.rawbody_part_scan_size),
      "bytes of each text part that rawbody rules see (rawbody_part_scan_size)", NULL },
    { "public_suffix_list", CFG_T_PATH, SIFT_DATADIR "/public_suffix_list.dat",
      offsetof(struct mime_cfg, public_suffix_list),
      "the public suffix list (publicsuffix.org) for registered domains and valid TLDs", NULL },
    { "trusted_networks", CFG_T_LIST, NULL, offsetof(struct mime_cfg, trusted_networks),
      "relays trusted not to forge Received headers (SpamAssassin's trusted_networks); "
      "empty: inferred",
      NULL },
    { "internal_networks", CFG_T_LIST, NULL, offsetof(struct mime_cfg, internal_networks),
      "relays inside your organisation (SpamAssassin's internal_networks); empty: inferred", NULL },
    { "msa_networks", CFG_T_LIST, NULL, offsetof(struct mime_cfg, msa_networks),
      "mail submission agents: relays past them are trusted (SpamAssassin's msa_networks)", NULL },
    { "originating_ip_headers", CFG_T_LIST,
      "[X-Yahoo-Post-IP, X-Originating-IP, X-Apparently-From, X-SenderIP, X-AOL-IP, "
      "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp]",
      offsetof(struct mime_cfg, originating_ip_headers),
      "headers whose IP counts as one more relay (SpamAssassin's originating_ip_headers)", NULL },
    { "envelope_sender_header", CFG_T_STR, NULL, offsetof(struct mime_cfg, envelope_sender_header),
      "header your MTA puts the envelope sender in (SpamAssassin's envelope_sender_header)", NULL },
};
const size_t mime_cfg_nkeys = sizeof(mime_cfg_keys) / sizeof(mime_cfg_keys[0]);

static int
ctx_networks(struct ipset *set, const struct cfg_strlist *l, const char *name, struct sift_err *err)
{
    ipset_init(set);
    for (size_t i = 0; i < l->n; i++) {
        if (ipset_add(set, l->v[i], err) == -1) {
            sift_err_prefix(err, "mime.%s: '%s'", name, l->v[i]);
            return -1;
        }
    }
    return 0;
}

/* The configured suffix list, or (running from a build tree) data/ next to it. */
static int
ctx_psl(const char *path, struct mime_psl **out, struct sift_err *err)
{
    char exe[PATH_MAX], alt[PATH_MAX + 64];
    ssize_t n;
    char *slash;

    if (access(path, R_OK) == 0 || strcmp(path, SIFT_DATADIR "/public_suffix_list.dat") != 0)
        return mime_psl_load(path, out, err);
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        if ((slash = strrchr(exe, '/')) != NULL) {
            *slash = '\0';
            snprintf(alt, sizeof(alt), "%s/../data/public_suffix_list.dat", exe);
            if (access(alt, R_OK) == 0)
                return mime_psl_load(alt, out, err);
        }
    }
    return mime_psl_load(path, out, err);
}

int
mime_ctx_init(struct mime_ctx *ctx, struct mime_ctx_storage *st, const struct mime_cfg *cfg,
              struct sift_err *err)
{
    memset(ctx, 0, sizeof(*ctx));
    memset(st, 0, sizeof(*st));
    ctx->lim = cfg->lim;
    if (ctx_psl(cfg->public_suffix_list, &st->psl, err) == -1)
        goto fail;
    if (mime_received_rules_new(&st->rcvd, err) == -1)
        goto fail;
    if (ctx_networks(&st->trusted, &cfg->trusted_networks, "trusted_networks", err) == -1 ||
        ctx_networks(&st->internal, &cfg->internal_networks, "internal_networks", err) == -1 ||
        ctx_networks(&st->msa, &cfg->msa_networks, "msa_networks", err) == -1)
        goto fail;
    st->headers = xcalloc(cfg->originating_ip_headers.n + 1, sizeof(*st->headers));
    for (size_t i = 0; i < cfg->originating_ip_headers.n; i++)
        st->headers[i] = cfg->originating_ip_headers.v[i];
    ctx->cs = mime_charset_new();
    ctx->psl = st->psl;
    ctx->rcvd = st->rcvd;
    ctx->trusted_networks = cfg->trusted_networks.n ? &st->trusted : NULL;
    ctx->internal_networks = cfg->internal_networks.n ? &st->internal : NULL;
    ctx->msa_networks = cfg->msa_networks.n ? &st->msa : NULL;
    ctx->originating_ip_headers = st->headers;
    ctx->noriginating_ip_headers = cfg->originating_ip_headers.n;
    ctx->envelope_sender_header = cfg->envelope_sender_header;
    return 0;
fail:
    mime_ctx_clear(ctx, st);
    return -1;
}

void
mime_ctx_clear(struct mime_ctx *ctx, struct mime_ctx_storage *st)
{
    mime_charset_free(&ctx->cs);
    mime_psl_free(&st->psl);
    mime_received_rules_free(&st->rcvd);
    ipset_clear(&st->trusted);
    ipset_clear(&st->internal);
    ipset_clear(&st->msa);
    free(st->headers);
    st->headers = NULL;
    memset(ctx, 0, sizeof(*ctx));
}
