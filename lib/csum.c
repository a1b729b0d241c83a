// SPDX-License-Identifier: GPL-2.0
/* bch_crc64 through ISA-L: crc64_ecma_norm(0, ...) is CRC-64/WE. */
#include <errno.h>

#include <isa-l/crc64.h>

#include <bcache/csum.h>

uint64_t bch_crc64(const void *p, size_t n)
{
	return crc64_ecma_norm(0, p, n);
}

uint64_t bch_crc64_update(uint64_t crc, const void *p, size_t n)
{
	return crc64_ecma_norm(crc, p, n);
}

int bch_csum_set(const void *s, size_t avail, size_t d_offset, uint64_t keys,
		 uint64_t *out)
{
	uint64_t end;

	if (d_offset < 8 || keys > (UINT64_MAX - d_offset) / 8)
		return -ERANGE;
	end = d_offset + 8 * keys;
	if (end > avail)
		return -ERANGE;
	*out = bch_crc64((const unsigned char *)s + 8, end - 8);
	return 0;
}
