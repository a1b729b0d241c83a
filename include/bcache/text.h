/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building one line of text in a fixed buffer, snprintf-style: what the
 * library's message and key formatters share.
 */
#ifndef BCACHE_TEXT_H
#define BCACHE_TEXT_H

#include <stddef.h>

/*
 * Append to buf (len bytes) at position at: what fits is written and
 * NUL-terminated, as snprintf does.  Returns at plus the length of the
 * formatted text, the position the next append starts from; a result >= len
 * means the text was cut.  at may already be >= len (nothing is written).
 */
size_t bch_snappend(char *buf, size_t len, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
