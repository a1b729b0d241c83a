// SPDX-License-Identifier: GPL-2.0
/*
 * bch_crc64 pinned to CRC-64/WE with the specs' vectors.  The oracle is a
 * bit-at-a-time MSB-first CRC written from the parameters (poly, init,
 * xorout), independent of ISA-L.
 */
#include <stdlib.h>

#include <bcache/csum.h>

#include "tap.h"

static uint64_t oracle(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t crc = ~0ULL;

	for (size_t i = 0; i < n; i++) {
		crc ^= (uint64_t)b[i] << 56;
		for (int k = 0; k < 8; k++)
			crc = (crc & (1ULL << 63)) ? (crc << 1) ^ 0x42F0E1EBA9EA3693ULL : crc << 1;
	}
	return ~crc;
}

static void vec(const char *name, const void *p, size_t n, uint64_t want)
{
	is_u64(bch_crc64(p, n), want, "bch_crc64(%s)", name);
	is_u64(oracle(p, n), want, "oracle(%s)", name);
}

int main(void)
{
	unsigned char buf[4096];
	uint64_t got;

	vec("\"123456789\"", "123456789", 9, 0x62ec59e3f1a4f00aULL);
	vec("\"\"", "", 0, 0);
	vec("\"a\"", "a", 1, 0xce73f427acc0a99aULL);
	memset(buf, 0, sizeof(buf));
	vec("8 x 00", buf, 8, 0x03534142a6ce566dULL);
	vec("224 x 00", buf, 224, 0x5d2838837d7a6a12ULL);
	vec("232 x 00", buf, 232, 0xdb3fd429f32de647ULL);
	vec("4096 x 00", buf, 4096, 0xa50f57a429cbcb64ULL);
	memset(buf, 0xff, sizeof(buf));
	vec("4096 x ff", buf, 4096, 0x4a601eb129fa4481ULL);

	/* chaining: crc(A||B) == update(crc(A), B) */
	is_u64(bch_crc64_update(bch_crc64("1234", 4), "56789", 5), 0x62ec59e3f1a4f00aULL,
	       "chained \"1234\" + \"56789\"");
	is_u64(bch_crc64_update(bch_crc64("", 0), "123456789", 9), 0x62ec59e3f1a4f00aULL,
	       "chained from the empty crc");
	/* the wrong variants must not be what we compute */
	ok(bch_crc64("123456789", 9) != 0x93BF20A0F4B68CB8ULL, "not the seed-~0 variant");
	ok(bch_crc64("123456789", 9) != 0x995DC9BBDF1939FAULL, "not CRC-64/XZ");
	ok(bch_crc64("123456789", 9) != 0x6C40DF5F0B497347ULL, "not plain ECMA-182");

	/* csum_set: [8, d + 8*keys) and bounds */
	memset(buf, 0, sizeof(buf));
	ok(bch_csum_set(buf, 232, 232, 0, &got) == 0, "csum_set over a 232-byte struct");
	is_u64(got, 0x5d2838837d7a6a12ULL, "csum_set covers bytes [8, 232)");
	ok(bch_csum_set(buf, 232, 232, 1, &got) < 0, "csum_set refuses keys past the buffer");
	ok(bch_csum_set(buf, 240, 232, 1, &got) == 0 && got == bch_crc64(buf + 8, 232),
	   "csum_set honours keys");
	ok(bch_csum_set(buf, 4096, 232, UINT64_MAX / 4, &got) < 0, "csum_set overflow");
	return tap_done();
}
