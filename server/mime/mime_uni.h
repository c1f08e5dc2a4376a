/*
 * mime_uni.h - text as Perl sees it: its \s, \w and \d on a string with
 * or without the UTF-8 flag (uni: the string holds characters, so the
 * Unicode classes apply; else bytes, where only ASCII characters are in
 * any class), and walking UTF-8 one character at a time.
 * SpamAssassin's HTML renderer and its eval functions need both. No state.
 */
#ifndef SIFT_MIME_MIME_UNI_H
#define SIFT_MIME_MIME_UNI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decode the UTF-8 character at p[*i] (< len), advancing *i. Invalid bytes
 * decode as themselves (never happens on valid input, never overruns). */
uint32_t mime_uni_next(const char *p, size_t len, size_t *i);
/* The character ending just before p[*i] (*i > 0), moving *i back. */
uint32_t mime_uni_prev(const char *p, size_t *i);
/* Code points in p[0..len). */
size_t mime_uni_count(const char *p, size_t len);

/* Perl's \s, \w, \d for code point c in a string with the given flag. */
bool mime_uni_is_space(uint32_t c, bool uni);
bool mime_uni_is_word(uint32_t c, bool uni);
bool mime_uni_is_digit(uint32_t c, bool uni);
/* HTML.pm's "[^\s\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]" (a word-ish char). */
bool mime_uni_is_wordish(uint32_t c, bool uni);

/* Util::is_valid_utf_8: RFC 3629 sequences only (no overlongs, no
 * surrogates, nothing past U+10FFFF; unlike mime_utf8_valid, noncharacters
 * pass). */
bool mime_uni_valid_utf8(const char *p, size_t len);

#endif
