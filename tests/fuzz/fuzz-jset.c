// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-jset: the input is a jset.  Byte 0 picks whether its checksum is made
 * right first (mutations would hardly ever get one right), so that the
 * checks and the key decoding of valid jsets are reached.  Then the jset's
 * payload, read as (seq, last_seq) pairs, is inserted into a replay list by
 * the kernel's rules: the range, its gaps and the lookups.
 */
#include <stdlib.h>
#include <string.h>

#include <bcache/csum.h>
#include <bcache/journal.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void keys(const unsigned char *p, const struct bch_jset_head *h)
{
	const struct jset *js = (const void *)p;
	const uint64_t *k = (const void *)(p + BCH_JSET_HDR);
	char t[256], small[8];

	(void)bch_key_text(js->btree_root.key, KEY_MAX_U64S, t, sizeof(t));
	(void)bch_key_text(js->uuid_bucket.key, KEY_MAX_U64S, small, sizeof(small));
	for (size_t at = 0; at < h->keys;) {
		if (bch_key_text(k + at, h->keys - at, t, sizeof(t)) < 0)
			break;
		(void)bch_key_text(k + at, h->keys - at, small, sizeof(small));
		(void)bch_key_text(k + at, h->keys - at, NULL, 0);
		at += 2 + bch_key_ptrs(k[at]);
	}
}

static void replay(const uint64_t *w, size_t n)
{
	struct bch_jlist l;
	struct bch_jrange r;
	uint64_t gaps[16];

	memset(&l, 0, sizeof(l));
	l.work_max = 1 << 16;
	for (size_t i = 0; i + 1 < n; i += 2) {
		struct bch_jset_head h = { .off = 8 * i, .seq = w[i] & 0xffff, .last_seq = w[i + 1] & 0xffff,
				      .state = BCH_JSET_OK };

		if (bch_jlist_insert(&l, &h, (int)(i & 0xff)) < 0)
			break;
	}
	bch_jlist_range(&l, &r);
	(void)bch_jlist_gaps(&l, &r, gaps, 8);
	(void)bch_jlist_seq(&l, r.newest);
	(void)bch_jlist_seq(&l, r.last_seq);
	bch_jlist_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *p;
	struct bch_jset_head h;
	uint64_t magic;

	if (size < 2 || size > JSET_MAX_BYTES + 1)
		return 0;
	p = malloc(size - 1);
	if (!p)
		return 0;
	memcpy(p, data + 1, size - 1);
	size--;
	magic = size >= 16 ? ((const uint64_t *)(const void *)p)[1] : 0;
	if ((data[0] & 1) && size >= BCH_JSET_HDR) {
		struct jset *js = (void *)p;
		uint64_t n = BCH_JSET_HDR + 8ULL * js->keys;

		if (n <= size)
			js->csum = bch_crc64(p + 8, n - 8);
	}
	bch_jset_eval(p, size, magic, 0, &h);
	if (h.state == BCH_JSET_OK) {
		bch_jset_check(p, &h);
		keys(p, &h);
	}
	if (size >= BCH_JSET_HDR)
		replay((const uint64_t *)(const void *)(p + BCH_JSET_HDR),
		       (size - BCH_JSET_HDR) / 8);
	free(p);
	return 0;
}
