/*
 * test_sa_eval_image.c - SpamAssassin's ImageInfo natively: image counts,
 * pixel coverage, exact and ranged sizes, names and the text/image ratio
 * over GIF, PNG and JPEG parts, and the dimension readers themselves. Each
 * case is one call on a crafted message of tests/data/eval/body/ with the
 * answer SpamAssassin 4.0.1 gave (scripts/sa-eval-body.pl --cases).
 */
#include "compat/sa_eval_image.h"

#include <string.h>

#include "../unit.h"

#include "../mime_fixture.h"
#include "sa_eval_fixture.h"

static const struct eval_case image_cases[] = {
    { "image-one.eml", "body", "image_count", { "all", "1", "1" }, 1 },
    { "image-set.eml", "body", "image_count", { "all", "1", "1" }, 0 },
    { "image-set.eml", "body", "image_count", { "all", "2" }, 1 },
    { "image-one.eml", "body", "image_count", { "all", "2" }, 0 },
    { "image-one.eml", "body", "image_count", { "all", "1" }, 1 },
    { "body-8bit.eml", "body", "image_count", { "all", "1" }, 0 },
    { "body-8bit.eml", "body", "image_count", { "all", "0", "0" }, 1 },
    { "image-one.eml", "body", "image_count", { "all", "0", "0" }, 0 },
    { "image-set.eml", "body", "image_count", { "all", "3", "5" }, 1 },
    { "image-one.eml", "body", "image_count", { "all", "3", "5" }, 0 },
    { "image-truncpng.eml", "body", "pixel_coverage", { "all", "1", "50000" }, 1 },
    { "image-one.eml", "body", "pixel_coverage", { "all", "1", "50000" }, 0 },
    { "image-one.eml", "body", "pixel_coverage", { "all", "33000", "34000" }, 0 },
    { "image-one.eml", "body", "pixel_coverage", { "all", "0" }, 1 },
    { "image-one.eml", "body", "pixel_coverage", { "all", "62500", "300000" }, 1 },
    { "image-set.eml", "body", "pixel_coverage", { "all", "62500", "300000" }, 0 },
    { "image-one.eml", "body", "pixel_coverage", { "all", "250000" }, 1 },
    { "image-truncpng.eml", "body", "pixel_coverage", { "all", "250000" }, 0 },
    { "image-one.eml", "body", "image_to_text_ratio", { "all", "0.000", "0.008" }, 1 },
    { "image-truncpng.eml", "body", "image_to_text_ratio", { "all", "0.000", "0.008" }, 0 },
    { "image-one.eml", "rawbody", "image_to_text_ratio", { "all", "0.000", "0.008" }, 1 },
    { "image-truncpng.eml", "rawbody", "image_to_text_ratio", { "all", "0.000", "0.008" }, 0 },
    { "image-one.eml", "body", "image_to_text_ratio", { "all", "0", "1" }, 1 },
    { "body-8bit.eml", "body", "image_to_text_ratio", { "all", "0", "1" }, 0 },
    { "image-one.eml", "rawbody", "image_to_text_ratio", { "all", "0", "1" }, 1 },
    { "body-8bit.eml", "rawbody", "image_to_text_ratio", { "all", "0", "1" }, 0 },
    { "image-one.eml", "body", "image_to_text_ratio", { "all", "0.000", "0.015" }, 1 },
    { "image-truncpng.eml", "body", "image_to_text_ratio", { "all", "0.000", "0.015" }, 0 },
    { "image-one.eml", "rawbody", "image_to_text_ratio", { "all", "0.000", "0.015" }, 1 },
    { "image-truncpng.eml", "rawbody", "image_to_text_ratio", { "all", "0.000", "0.015" }, 0 },
    { "image-set.eml", "body", "image_size_exact", { "all", "264", "127" }, 1 },
    { "image-one.eml", "body", "image_size_exact", { "all", "264", "127" }, 0 },
    { "image-set.eml", "body", "image_size_exact", { "all", "480", "640" }, 1 },
    { "image-one.eml", "body", "image_size_exact", { "all", "480", "640" }, 0 },
    { "image-set.eml", "body", "image_size_exact", { "all", "200", "300" }, 1 },
    { "image-one.eml", "body", "image_size_exact", { "all", "200", "300" }, 0 },
    { "image-set.eml", "body", "image_size_exact", { "all", "100", "100" }, 1 },
    { "image-one.eml", "body", "image_size_exact", { "all", "100", "100" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "all", "500", "500" }, 1 },
    { "image-set.eml", "body", "image_size_exact", { "all", "500", "500" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "all", "0264", "127" }, 0 },
    { "image-one.eml", "body", "image_size_range", { "all", "100", "100" }, 1 },
    { "image-truncpng.eml", "body", "image_size_range", { "all", "100", "100" }, 0 },
    { "image-one.eml", "body", "image_size_range", { "all", "300", "300" }, 1 },
    { "image-truncpng.eml", "body", "image_size_range", { "all", "300", "300" }, 0 },
    { "image-set.eml", "body", "image_size_range", { "all", "200", "300", "250", "350" }, 1 },
    { "image-one.eml", "body", "image_size_range", { "all", "200", "300", "250", "350" }, 0 },
    { "image-set.eml", "body", "image_size_range", { "all", "400", "600", "500", "700" }, 1 },
    { "image-one.eml", "body", "image_size_range", { "all", "400", "600", "500", "700" }, 0 },
    { "image-set.eml", "body", "image_size_range", { "all", "1", "1", "200", "200" }, 1 },
    { "image-one.eml", "body", "image_size_range", { "all", "1", "1", "200", "200" }, 0 },
    { "image-one.eml", "body", "image_count", { "gif", "1", "1" }, 1 },
    { "image-set.eml", "body", "image_count", { "gif", "1", "1" }, 0 },
    { "image-set.eml", "body", "image_count", { "gif", "2" }, 1 },
    { "image-one.eml", "body", "image_count", { "gif", "2" }, 0 },
    { "image-one.eml", "body", "image_count", { "gif", "1" }, 1 },
    { "body-8bit.eml", "body", "image_count", { "gif", "1" }, 0 },
    { "body-8bit.eml", "body", "image_count", { "gif", "0", "0" }, 1 },
    { "image-one.eml", "body", "image_count", { "gif", "0", "0" }, 0 },
    { "image-one.eml", "body", "image_count", { "gif", "3", "5" }, 0 },
    { "image-set.eml", "body", "pixel_coverage", { "gif", "1", "50000" }, 1 },
    { "image-one.eml", "body", "pixel_coverage", { "gif", "1", "50000" }, 0 },
    { "image-set.eml", "body", "pixel_coverage", { "gif", "33000", "34000" }, 1 },
    { "image-one.eml", "body", "pixel_coverage", { "gif", "33000", "34000" }, 0 },
    { "image-one.eml", "body", "pixel_coverage", { "gif", "0" }, 1 },
    { "image-one.eml", "body", "pixel_coverage", { "gif", "62500", "300000" }, 1 },
    { "image-set.eml", "body", "pixel_coverage", { "gif", "62500", "300000" }, 0 },
    { "image-one.eml", "body", "pixel_coverage", { "gif", "250000" }, 1 },
    { "image-set.eml", "body", "pixel_coverage", { "gif", "250000" }, 0 },
    { "image-one.eml", "body", "image_to_text_ratio", { "gif", "0.000", "0.008" }, 1 },
    { "image-truncpng.eml", "body", "image_to_text_ratio", { "gif", "0.000", "0.008" }, 0 },
    { "image-one.eml", "rawbody", "image_to_text_ratio", { "gif", "0.000", "0.008" }, 1 },
    { "image-truncpng.eml", "rawbody", "image_to_text_ratio", { "gif", "0.000", "0.008" }, 0 },
    { "image-one.eml", "body", "image_to_text_ratio", { "gif", "0", "1" }, 1 },
    { "body-8bit.eml", "body", "image_to_text_ratio", { "gif", "0", "1" }, 0 },
    { "image-one.eml", "rawbody", "image_to_text_ratio", { "gif", "0", "1" }, 1 },
    { "body-8bit.eml", "rawbody", "image_to_text_ratio", { "gif", "0", "1" }, 0 },
    { "image-one.eml", "body", "image_to_text_ratio", { "gif", "0.000", "0.015" }, 1 },
    { "image-truncpng.eml", "body", "image_to_text_ratio", { "gif", "0.000", "0.015" }, 0 },
    { "image-one.eml", "rawbody", "image_to_text_ratio", { "gif", "0.000", "0.015" }, 1 },
    { "image-truncpng.eml", "rawbody", "image_to_text_ratio", { "gif", "0.000", "0.015" }, 0 },
    { "image-set.eml", "body", "image_size_exact", { "gif", "264", "127" }, 1 },
    { "image-one.eml", "body", "image_size_exact", { "gif", "264", "127" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "gif", "480", "640" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "gif", "200", "300" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "gif", "100", "100" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "gif", "500", "500" }, 1 },
    { "image-set.eml", "body", "image_size_exact", { "gif", "500", "500" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "gif", "0264", "127" }, 0 },
    { "image-one.eml", "body", "image_size_range", { "gif", "100", "100" }, 1 },
    { "image-truncpng.eml", "body", "image_size_range", { "gif", "100", "100" }, 0 },
    { "image-one.eml", "body", "image_size_range", { "gif", "300", "300" }, 1 },
    { "image-set.eml", "body", "image_size_range", { "gif", "300", "300" }, 0 },
    { "image-one.eml", "body", "image_size_range", { "gif", "200", "300", "250", "350" }, 0 },
    { "image-one.eml", "body", "image_size_range", { "gif", "400", "600", "500", "700" }, 0 },
    { "image-truncpng.eml", "body", "image_size_range", { "gif", "1", "1", "200", "200" }, 1 },
    { "image-one.eml", "body", "image_size_range", { "gif", "1", "1", "200", "200" }, 0 },
    { "image-set.eml", "body", "image_count", { "png", "1", "1" }, 1 },
    { "image-one.eml", "body", "image_count", { "png", "1", "1" }, 0 },
    { "image-one.eml", "body", "image_count", { "png", "2" }, 0 },
    { "image-set.eml", "body", "image_count", { "png", "1" }, 1 },
    { "image-one.eml", "body", "image_count", { "png", "1" }, 0 },
    { "image-one.eml", "body", "image_count", { "png", "0", "0" }, 1 },
    { "image-set.eml", "body", "image_count", { "png", "0", "0" }, 0 },
    { "image-one.eml", "body", "image_count", { "png", "3", "5" }, 0 },
    { "image-one.eml", "body", "pixel_coverage", { "png", "1", "50000" }, 0 },
    { "image-one.eml", "body", "pixel_coverage", { "png", "33000", "34000" }, 0 },
    { "image-one.eml", "body", "pixel_coverage", { "png", "0" }, 1 },
    { "image-one.eml", "body", "pixel_coverage", { "png", "62500", "300000" }, 0 },
    { "image-one.eml", "body", "pixel_coverage", { "png", "250000" }, 0 },
    { "image-set.eml", "body", "image_to_text_ratio", { "png", "0.000", "0.008" }, 1 },
    { "image-one.eml", "body", "image_to_text_ratio", { "png", "0.000", "0.008" }, 0 },
    { "image-set.eml", "rawbody", "image_to_text_ratio", { "png", "0.000", "0.008" }, 1 },
    { "image-one.eml", "rawbody", "image_to_text_ratio", { "png", "0.000", "0.008" }, 0 },
    { "image-set.eml", "body", "image_to_text_ratio", { "png", "0", "1" }, 1 },
    { "image-one.eml", "body", "image_to_text_ratio", { "png", "0", "1" }, 0 },
    { "image-set.eml", "rawbody", "image_to_text_ratio", { "png", "0", "1" }, 1 },
    { "image-one.eml", "rawbody", "image_to_text_ratio", { "png", "0", "1" }, 0 },
    { "image-set.eml", "body", "image_to_text_ratio", { "png", "0.000", "0.015" }, 1 },
    { "image-one.eml", "body", "image_to_text_ratio", { "png", "0.000", "0.015" }, 0 },
    { "image-set.eml", "rawbody", "image_to_text_ratio", { "png", "0.000", "0.015" }, 1 },
    { "image-one.eml", "rawbody", "image_to_text_ratio", { "png", "0.000", "0.015" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "png", "264", "127" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "png", "480", "640" }, 0 },
    { "image-set.eml", "body", "image_size_exact", { "png", "200", "300" }, 1 },
    { "image-one.eml", "body", "image_size_exact", { "png", "200", "300" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "png", "100", "100" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "png", "500", "500" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "png", "0264", "127" }, 0 },
    { "image-set.eml", "body", "image_size_range", { "png", "100", "100" }, 1 },
    { "image-one.eml", "body", "image_size_range", { "png", "100", "100" }, 0 },
    { "image-one.eml", "body", "image_size_range", { "png", "300", "300" }, 0 },
    { "image-set.eml", "body", "image_size_range", { "png", "200", "300", "250", "350" }, 1 },
    { "image-one.eml", "body", "image_size_range", { "png", "200", "300", "250", "350" }, 0 },
    { "image-one.eml", "body", "image_size_range", { "png", "400", "600", "500", "700" }, 0 },
    { "image-one.eml", "body", "image_size_range", { "png", "1", "1", "200", "200" }, 0 },
    { "image-one.eml", "body", "image_count", { "jpeg", "1", "1" }, 0 },
    { "image-set.eml", "body", "image_count", { "jpeg", "2" }, 1 },
    { "image-one.eml", "body", "image_count", { "jpeg", "2" }, 0 },
    { "image-set.eml", "body", "image_count", { "jpeg", "1" }, 1 },
    { "image-one.eml", "body", "image_count", { "jpeg", "1" }, 0 },
    { "image-one.eml", "body", "image_count", { "jpeg", "0", "0" }, 1 },
    { "image-set.eml", "body", "image_count", { "jpeg", "0", "0" }, 0 },
    { "image-one.eml", "body", "image_count", { "jpeg", "3", "5" }, 0 },
    { "image-one.eml", "body", "pixel_coverage", { "jpeg", "1", "50000" }, 0 },
    { "image-one.eml", "body", "pixel_coverage", { "jpeg", "33000", "34000" }, 0 },
    { "image-one.eml", "body", "pixel_coverage", { "jpeg", "0" }, 1 },
    { "image-one.eml", "body", "pixel_coverage", { "jpeg", "62500", "300000" }, 0 },
    { "image-set.eml", "body", "pixel_coverage", { "jpeg", "250000" }, 1 },
    { "image-one.eml", "body", "pixel_coverage", { "jpeg", "250000" }, 0 },
    { "image-set.eml", "body", "image_to_text_ratio", { "jpeg", "0.000", "0.008" }, 1 },
    { "image-one.eml", "body", "image_to_text_ratio", { "jpeg", "0.000", "0.008" }, 0 },
    { "image-set.eml", "rawbody", "image_to_text_ratio", { "jpeg", "0.000", "0.008" }, 1 },
    { "image-one.eml", "rawbody", "image_to_text_ratio", { "jpeg", "0.000", "0.008" }, 0 },
    { "image-set.eml", "body", "image_to_text_ratio", { "jpeg", "0", "1" }, 1 },
    { "image-one.eml", "body", "image_to_text_ratio", { "jpeg", "0", "1" }, 0 },
    { "image-set.eml", "rawbody", "image_to_text_ratio", { "jpeg", "0", "1" }, 1 },
    { "image-one.eml", "rawbody", "image_to_text_ratio", { "jpeg", "0", "1" }, 0 },
    { "image-set.eml", "body", "image_to_text_ratio", { "jpeg", "0.000", "0.015" }, 1 },
    { "image-one.eml", "body", "image_to_text_ratio", { "jpeg", "0.000", "0.015" }, 0 },
    { "image-set.eml", "rawbody", "image_to_text_ratio", { "jpeg", "0.000", "0.015" }, 1 },
    { "image-one.eml", "rawbody", "image_to_text_ratio", { "jpeg", "0.000", "0.015" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "jpeg", "264", "127" }, 0 },
    { "image-set.eml", "body", "image_size_exact", { "jpeg", "480", "640" }, 1 },
    { "image-one.eml", "body", "image_size_exact", { "jpeg", "480", "640" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "jpeg", "200", "300" }, 0 },
    { "image-set.eml", "body", "image_size_exact", { "jpeg", "100", "100" }, 1 },
    { "image-one.eml", "body", "image_size_exact", { "jpeg", "100", "100" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "jpeg", "500", "500" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "jpeg", "0264", "127" }, 0 },
    { "image-set.eml", "body", "image_size_range", { "jpeg", "100", "100" }, 1 },
    { "image-one.eml", "body", "image_size_range", { "jpeg", "100", "100" }, 0 },
    { "image-set.eml", "body", "image_size_range", { "jpeg", "300", "300" }, 1 },
    { "image-one.eml", "body", "image_size_range", { "jpeg", "300", "300" }, 0 },
    { "image-one.eml", "body", "image_size_range", { "jpeg", "200", "300", "250", "350" }, 0 },
    { "image-set.eml", "body", "image_size_range", { "jpeg", "400", "600", "500", "700" }, 1 },
    { "image-one.eml", "body", "image_size_range", { "jpeg", "400", "600", "500", "700" }, 0 },
    { "image-set.eml", "body", "image_size_range", { "jpeg", "1", "1", "200", "200" }, 1 },
    { "image-one.eml", "body", "image_size_range", { "jpeg", "1", "1", "200", "200" }, 0 },
    { "image-one.eml", "body", "image_count", { "jpg", "1", "1" }, 0 },
    { "image-one.eml", "body", "image_count", { "jpg", "2" }, 0 },
    { "image-one.eml", "body", "image_count", { "jpg", "1" }, 0 },
    { "image-one.eml", "body", "image_count", { "jpg", "0", "0" }, 0 },
    { "image-one.eml", "body", "image_count", { "jpg", "3", "5" }, 0 },
    { "image-one.eml", "body", "pixel_coverage", { "jpg", "1", "50000" }, 0 },
    { "image-one.eml", "body", "pixel_coverage", { "jpg", "33000", "34000" }, 0 },
    { "image-one.eml", "body", "pixel_coverage", { "jpg", "0" }, 0 },
    { "image-one.eml", "body", "pixel_coverage", { "jpg", "62500", "300000" }, 0 },
    { "image-one.eml", "body", "pixel_coverage", { "jpg", "250000" }, 0 },
    { "image-one.eml", "body", "image_to_text_ratio", { "jpg", "0.000", "0.008" }, 0 },
    { "image-one.eml", "rawbody", "image_to_text_ratio", { "jpg", "0.000", "0.008" }, 0 },
    { "image-one.eml", "body", "image_to_text_ratio", { "jpg", "0", "1" }, 0 },
    { "image-one.eml", "rawbody", "image_to_text_ratio", { "jpg", "0", "1" }, 0 },
    { "image-one.eml", "body", "image_to_text_ratio", { "jpg", "0.000", "0.015" }, 0 },
    { "image-one.eml", "rawbody", "image_to_text_ratio", { "jpg", "0.000", "0.015" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "jpg", "264", "127" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "jpg", "480", "640" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "jpg", "200", "300" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "jpg", "100", "100" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "jpg", "500", "500" }, 0 },
    { "image-one.eml", "body", "image_size_exact", { "jpg", "0264", "127" }, 0 },
    { "image-one.eml", "body", "image_size_range", { "jpg", "100", "100" }, 0 },
    { "image-one.eml", "body", "image_size_range", { "jpg", "300", "300" }, 0 },
    { "image-one.eml", "body", "image_size_range", { "jpg", "200", "300", "250", "350" }, 0 },
    { "image-one.eml", "body", "image_size_range", { "jpg", "400", "600", "500", "700" }, 0 },
    { "image-one.eml", "body", "image_size_range", { "jpg", "1", "1", "200", "200" }, 0 },
    { "image-set.eml", "body", "image_named", { "image001.gif" }, 1 },
    { "image-one.eml", "body", "image_named", { "image001.gif" }, 0 },
    { "image-set.eml", "body", "image_named", { "photo.jpg" }, 1 },
    { "image-one.eml", "body", "image_named", { "photo.jpg" }, 0 },
    { "image-one.eml", "body", "image_named", { "plain.gif" }, 0 },
    { "image-one.eml", "body", "image_named", { "broken.gif" }, 0 },
    { "image-one.eml", "body", "image_named", { "x.gif" }, 1 },
    { "image-set.eml", "body", "image_named", { "x.gif" }, 0 },
    { "image-one.eml", "body", "image_named", { "nope" }, 0 },
    { "image-set.eml", "body", "image_name_regex", { "^image\\d+" }, 1 },
    { "image-one.eml", "body", "image_name_regex", { "^image\\d+" }, 0 },
    { "image-set.eml", "body", "image_name_regex", { "\\.jpg$" }, 1 },
    { "image-one.eml", "body", "image_name_regex", { "\\.jpg$" }, 0 },
    { "image-one.eml", "body", "image_name_regex", { "JPG" }, 0 },
    { "image-one.eml", "body", "image_name_regex", { "^x" }, 1 },
    { "image-set.eml", "body", "image_name_regex", { "^x" }, 0 },
};

START_TEST(image_gives_spamassassins_answers)
{
    eval_check(sa_eval_image_defs, sa_eval_image_ndefs, &image_cases[_i], NULL);
}
END_TEST

START_TEST(image_table_is_sane)
{
    eval_defs_sane(sa_eval_image_defs, sa_eval_image_ndefs);
}
END_TEST

/* The dimension readers on raw bytes, as ImageInfo's get_details read
 * them: the GIF logical screen (little-endian), the first IHDR met
 * walking the PNG 8 bytes at a time, the first SOFn of a JPEG. */
START_TEST(gif_dimensions)
{
    uint32_t w, h;

    ck_assert(sa_eval_gif_size(strv_make("GIF89a\x7f\x00\x08\x01\xf7\0\0", 13), &w, &h));
    ck_assert_uint_eq(w, 127);
    ck_assert_uint_eq(h, 264);
    ck_assert(sa_eval_gif_size(strv_make("GIF87a\x01\x00\x02\x00", 10), &w, &h));
    ck_assert(!sa_eval_gif_size(strv_make("GIF87a\x01\x00\x02", 9), &w, &h)); /* no height */
    ck_assert(!sa_eval_gif_size(strv_make("GIF88a\x01\x00\x02\x00", 10), &w, &h));
    ck_assert(!sa_eval_gif_size(strv_make("GIF89a\x00\x00\x02\x00", 10), &w, &h)); /* width 0 */
}
END_TEST

START_TEST(png_dimensions)
{
    static const char sig[] = "\x89PNG\r\n\x1a\n";
    static const char ihdr[] = "\0\0\0\x0dIHDR\0\0\x01\x2c\0\0\0\xc8\x08\x02\0\0\0\0\0\0\0";
    static const char junk[] = "\0\0\0\x04junk";
    char buf[128];
    uint32_t w, h;

    memcpy(buf, sig, 8);
    memcpy(buf + 8, ihdr, 25);
    ck_assert(sa_eval_png_size(strv_make(buf, 33), &w, &h));
    ck_assert_uint_eq(w, 300);
    ck_assert_uint_eq(h, 200);
    /* another chunk first: the walk goes on 8 bytes later, not past its data */
    memcpy(buf + 8, junk, 8);
    memcpy(buf + 16, ihdr, 25);
    ck_assert(sa_eval_png_size(strv_make(buf, 41), &w, &h));
    ck_assert_uint_eq(w, 300);
    /* an IEND first stops it */
    memcpy(buf + 8, "\0\0\0\0IEND", 8);
    ck_assert(!sa_eval_png_size(strv_make(buf, 41), &w, &h));
    /* IHDR cut short: the last 4 bytes are taken for the CRC */
    memcpy(buf + 8, ihdr, 25);
    ck_assert(!sa_eval_png_size(strv_make(buf, 8 + 8 + 7), &w, &h));
    ck_assert(!sa_eval_png_size(strv_make(buf, 8 + 8), &w, &h));
    ck_assert(!sa_eval_png_size(strv_make("GIF89a..", 8), &w, &h));
}
END_TEST

START_TEST(jpeg_dimensions)
{
    static const char jpg[] =
        "\xff\xd8"
        "\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
        "\xff\xc2\0\x11\x08\x01\xe0\x02\x80\x03\x01\x11\0\x02\x11\x01\x03\x11\x01";
    uint32_t w, h;

    ck_assert(sa_eval_jpeg_size(strv_make(jpg, sizeof(jpg) - 1), &w, &h));
    ck_assert_uint_eq(w, 640);
    ck_assert_uint_eq(h, 480);
    /* SOS before any SOF: no size */
    ck_assert(!sa_eval_jpeg_size(strv_make("\xff\xd8\xff\xda\0\x08", 6), &w, &h));
    /* a segment length under 2 stops the walk */
    ck_assert(!sa_eval_jpeg_size(strv_make("\xff\xd8\xff\xe0\0\x01\xff\xc0", 8), &w, &h));
    /* SOF cut after the height */
    ck_assert(!sa_eval_jpeg_size(strv_make("\xff\xd8\xff\xc0\0\x11\x08\x01\xe0\x02", 10), &w, &h));
    ck_assert(!sa_eval_jpeg_size(strv_make("\xff\xd9", 2), &w, &h));
}
END_TEST
static Suite *
sa_eval_image_suite(void)
{
    Suite *s = suite_create("sa_eval_image");
    TCase *tc = tcase_create("sa_eval_image");

    tcase_add_unchecked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_loop_test(tc, image_gives_spamassassins_answers, 0, NCASES(image_cases));
    tcase_add_test(tc, image_table_is_sane);
    tcase_add_test(tc, gif_dimensions);
    tcase_add_test(tc, png_dimensions);
    tcase_add_test(tc, jpeg_dimensions);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(sa_eval_image_suite());
}
