// SPDX-License-Identifier: GPL-2.0
/* Appending formatted text to a fixed buffer (bcache/text.h). */
#include <stdarg.h>
#include <stdio.h>

#include <bcache/text.h>

size_t bch_snappend(char *buf, size_t len, size_t at, const char *fmt, ...)
{
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(at < len ? buf + at : NULL, at < len ? len - at : 0, fmt, ap);
	va_end(ap);
	return w > 0 ? at + (size_t)w : at;
}
