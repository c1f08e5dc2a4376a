/*
 * sa_eval_image.h - SpamAssassin's ImageInfo plugin natively: image_count,
 * pixel_coverage, image_size_exact, image_size_range, image_named,
 * image_name_regex and image_to_text_ratio, over the GIF, PNG and JPEG
 * parts of a message (their dimensions read from the decoded headers).
 * Register the table with scan_eval_register at start-up.
 */
#ifndef SIFT_COMPAT_SA_EVAL_IMAGE_H
#define SIFT_COMPAT_SA_EVAL_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/strv.h"
#include "scan/scan_eval.h"

extern const struct scan_eval_def sa_eval_image_defs[];
extern const size_t sa_eval_image_ndefs;

/* Width and height from the start of an image file as ImageInfo reads
 * them (GIF logical screen, PNG IHDR, JPEG SOFn); false when it finds
 * none, or one of them is 0. */
bool sa_eval_gif_size(struct strv data, uint32_t *w, uint32_t *h);
bool sa_eval_png_size(struct strv data, uint32_t *w, uint32_t *h);
bool sa_eval_jpeg_size(struct strv data, uint32_t *w, uint32_t *h);

#endif
