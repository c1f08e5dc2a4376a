/*
 * mime_date.h - dates in mail headers (Date:, the tail of Received:) read
 * the way SpamAssassin's Util::parse_rfc822_date reads them, so that the
 * date rules see the same instants: RFC 2822 dates and the common broken
 * forms (ctime order, two- and three-digit years, zone names), with SA's
 * clamping of out-of-range fields. No I/O, no globals, no allocation.
 */
#ifndef SIFT_MIME_MIME_DATE_H
#define SIFT_MIME_MIME_DATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/strv.h"

/* Seconds since the epoch (UTC); false when SA finds no date in s. */
bool mime_date_parse(struct strv s, int64_t *out);

#endif
