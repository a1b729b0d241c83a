/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal TAP producer for the unit tests (meson protocol 'tap'). */
#ifndef BCACHE_TESTS_TAP_H
#define BCACHE_TESTS_TAP_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...)                                                  \
	do {                                                           \
		int ok_c_ = !!(cond);                                  \
		printf("%sok %d - ", ok_c_ ? "" : "not ", ++tap_n);    \
		printf(__VA_ARGS__);                                   \
		printf("\n");                                          \
		if (!ok_c_) {                                          \
			tap_failed++;                                  \
			printf("#   failed at %s:%d\n", __FILE__, __LINE__); \
		}                                                      \
	} while (0)

#define is_u64(got, want, ...)                                         \
	do {                                                           \
		uint64_t g_ = (got), w_ = (want);                      \
		ok(g_ == w_, __VA_ARGS__);                             \
		if (g_ != w_)                                          \
			printf("#   got 0x%016" PRIx64 ", want 0x%016" PRIx64 "\n", g_, w_); \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

/* Parse a hex string ("cd8c9a52 7a1a..." with optional spaces) into bytes. */
static inline size_t tap_hex(const char *s, unsigned char *out, size_t max)
{
	size_t n = 0;
	unsigned int b;

	while (*s && n < max) {
		if (*s == ' ' || *s == '\n') {
			s++;
			continue;
		}
		if (sscanf(s, "%2x", &b) != 1)
			break;
		out[n++] = (unsigned char)b;
		s += 2;
	}
	return n;
}

#endif
