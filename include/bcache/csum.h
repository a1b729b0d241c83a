/* SPDX-License-Identifier: GPL-2.0 */
/* bch_crc64 (CRC-64/WE) and the bcache "csum_set" rule. */
#ifndef BCACHE_CSUM_H
#define BCACHE_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* bcache's bch_crc64 of p[0..n): ISA-L crc64_ecma_norm with seed 0. */
uint64_t bch_crc64(const void *p, size_t n);

/* Continue a checksum: bch_crc64_update(bch_crc64(A), B) == bch_crc64(A||B). */
uint64_t bch_crc64_update(uint64_t crc, const void *p, size_t n);

/*
 * The csum_set() rule shared by jsets and superblocks: the checksum is stored
 * in the first 8 bytes and covers [8, d_offset + 8 * keys).  `avail` is the
 * number of bytes readable at `s`; when the range would run past it the
 * function returns -ERANGE and leaves *out alone.
 */
int bch_csum_set(const void *s, size_t avail, size_t d_offset, uint64_t keys,
		 uint64_t *out);

#endif
