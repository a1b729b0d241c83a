// SPDX-License-Identifier: GPL-2.0
/*
 * Superblock encode/decode, the example superblocks E1-E4, the base K,
 * pointer and record decoding (bcache-nvm-pages(5), CHECKSUM, POINTERS,
 * NVMPG).
 */
#include <errno.h>
#include <stdlib.h>

#include <bcache/csum.h>
#include <bcache/nvm.h>

#include "tap.h"

/* E1 as bcache-nvm-pages(5), CHECKSUM prints it (232 bytes from 4096). */
static const char *e1_hex =
	"cd8c9a527a1af401 0000000000000000 0010000000000000 0000000000000000"
	"17bd537f1b23d683 46a4f82817daeca9 0001020304050607 08090a0b0c0d0e0f"
	"00100000 01000000 00000000 00000000 1011121314151617 18191a1b1c1d1e1f"
	"0000000000000000 0000000000000000 0000000000000000 0000000000000000"
	"0000000000000000 0000000100000000 0000040000000000"
	"0000000000000000 0000000000000000 0000000000000000 0000000000000000"
	"0000000000000000 0000000000000000 0000000000000000 0000000000000000"
	"0020000000000000 00000000 00000000";

static void e1_format(struct bch_nvm_format *f)
{
	memset(f, 0, sizeof(*f));
	for (int i = 0; i < 16; i++) {
		f->uuid[i] = i;
		f->set_uuid[i] = 0x10 + i;
	}
	f->total_namespaces_nr = 1;
	f->device_bytes = 1ULL << 30;
}

static void test_examples(void)
{
	struct bch_nvm_format f;
	struct bch_nvm_pages_sb sb;
	struct bch_owner_list_head *olh = malloc(sizeof(*olh));
	struct bch_nvm_pgalloc_recs *sys = malloc(sizeof(*sys));
	unsigned char want[232], page[4096];
	struct bch_nvm_sb_info info;

	e1_format(&f);
	ok(bch_nvm_format_build(&f, &sb, olh, sys) == 0, "build E1");
	ok(tap_hex(e1_hex, want, sizeof(want)) == 232, "E1 hex is 232 bytes");
	ok(!memcmp(&sb, want, 232), "built superblock equals E1 byte for byte");
	is_u64(sb.csum, 0x01F41A7A529A8CCDULL, "E1 csum");

	/* decode round trip */
	memset(page, 0, sizeof(page));
	memcpy(page, &sb, sizeof(sb));
	bch_nvm_sb_parse(page, &info);
	ok(info.revision == BCH_NVM_REV_V7 && info.csum_ok, "E1 parses as v7 with a good csum");
	ok(!memcmp(&info.sb, &sb, sizeof(sb)), "decode returns the encoded bytes");
	is_u64(info.sb.pages_total, 262144, "pages_total of 1 GiB");
	ok(info.sb.page_size == 4096 && info.sb.total_namespaces_nr == 1 &&
	   info.sb.this_namespace_nr == 0, "page_size, total, this");

	/* E2, E3: attached */
	sb.owner_list_head = 0xffff888100000000ULL + 8192;
	ok(bch_nvm_sb_update_csum(&sb) == 0, "recompute E2");
	is_u64(sb.csum, 0x44D9674B15F274EFULL, "E2 csum");
	sb.owner_list_head = 0xffff9a2f40000000ULL + 8192;
	bch_nvm_sb_update_csum(&sb);
	is_u64(sb.csum, 0xC2AD15E13544F3B4ULL, "E3 csum");

	/* one flipped bit is caught */
	memcpy(page, &sb, sizeof(sb));
	page[100] ^= 1;
	bch_nvm_sb_parse(page, &info);
	ok(!info.csum_ok, "a flipped bit breaks the csum");

	/* keys extends the range; beyond the page is refused */
	memcpy(page, &sb, sizeof(sb));
	((struct bch_nvm_pages_sb *)page)->keys = 484;
	bch_nvm_sb_parse(page, &info);
	ok(info.keys_overrun && !info.csum_ok, "keys = 484 runs past the page");
	((struct bch_nvm_pages_sb *)page)->keys = 483;
	bch_nvm_sb_parse(page, &info);
	ok(!info.keys_overrun, "keys = 483 still fits");

	/* E4: the v12/v13 layout */
	e1_format(&f);
	bch_nvm_format_build(&f, &sb, olh, sys);
	sb.ns_start = 4096;	/* u64 at +8 */
	sb.sb_offset = 0;	/* u64 at +16 */
	bch_nvm_sb_update_csum(&sb);
	is_u64(sb.csum, 0xD6CB666308B52674ULL, "E4 csum");
	memset(page, 0, sizeof(page));
	memcpy(page, &sb, sizeof(sb));
	bch_nvm_sb_parse(page, &info);
	ok(info.revision == BCH_NVM_REV_V12, "E4 is detected as v12/v13");

	/* no magic */
	memset(page, 0, sizeof(page));
	bch_nvm_sb_parse(page, &info);
	ok(info.revision == BCH_NVM_REV_NONE, "zeroes have no superblock");

	/* the fresh owner table and system record page (FRESH NAMESPACE) */
	e1_format(&f);
	bch_nvm_format_build(&f, &sb, olh, sys);
	{
		unsigned char w[152], r[88];
		const char *olh_hex =
			"48000000 01000000 0000000000000000 0000000000000000 0000000000000000"
			"0000000000000000 1011121314151617 18191a1b1c1d1e1f"
			"6e766d5f70616765 735f696e7465726e 616c000000000000 0000000000000000"
			"0040000000000000 0000000000000000 0000000000000000 0000000000000000"
			"0000000000000000 0000000000000000 0000000000000000 0000000000000000";
		const char *rec_hex =
			"2820000000000000 0000000000000000 39253ff72717d0b9 10e6d2da386826ae"
			"1011121314151617 18191a1b1c1d1e1f f5030000 00000000"
			"0000000000000000 0000000000000000 0000000000000000 0000000000000000";

		ok(tap_hex(olh_hex, w, sizeof(w)) == 152 && !memcmp(olh, w, 152),
		   "owner table prefix equals FRESH NAMESPACE");
		ok(tap_hex(rec_hex, r, sizeof(r)) == 88 && !memcmp(sys, r, 88),
		   "system record page header equals FRESH NAMESPACE");
	}
	/* namespace 1 of a set has no owner table */
	f.total_namespaces_nr = 2;
	f.this_namespace_nr = 1;
	ok(bch_nvm_format_build(&f, &sb, olh, sys) == 0 && sb.owner_list_head == 0 &&
	   olh->used == 0 && sys->size == 0, "namespace 1: owner_list_head 0, no tables");
	f.this_namespace_nr = 2;
	ok(bch_nvm_format_build(&f, &sb, olh, sys) == -EINVAL, "this >= total refused");
	f.this_namespace_nr = 0;
	f.device_bytes = (16 << 20) + 4095;
	ok(bch_nvm_format_build(&f, &sb, olh, sys) == -ENOSPC, "16 MiB + 4095 bytes refused");
	f.device_bytes = (16 << 20) + 4096;
	ok(bch_nvm_format_build(&f, &sb, olh, sys) == 0 && sb.pages_total == 4097,
	   "16 MiB + 1 page accepted, pages_total 4097");
	free(olh);
	free(sys);
}

static void test_base(void)
{
	const uint64_t K = 0xffff888100000000ULL;
	struct bch_nvm_base b;

	bch_nvm_base_establish(8192, 16384, 8232, &b);
	ok(b.state == BCH_NVM_STATE_FRESH && b.k_known && b.k == 0, "fresh anchors: K = 0");
	bch_nvm_base_establish(K + 8192, K + 16384, K + 8232, &b);
	ok(b.state == BCH_NVM_STATE_ATTACHED && b.k == K && !b.disagree, "attached: K");
	bch_nvm_base_establish(K + 8192, 16384, 8232, &b);
	ok(b.state == BCH_NVM_STATE_PARTIAL && b.k == K && b.owner_list_head_converted &&
	   !b.head0_recs0_converted && !b.slot0_owner_converted,
	   "only owner_list_head converted: partial");
	bch_nvm_base_establish(8192, K + 16384, 8232, &b);
	ok(b.state == BCH_NVM_STATE_PARTIAL && b.k == K, "K taken from heads[0].recs[0]");
	bch_nvm_base_establish(K + 8192, K + 4096 + 16384, K + 8232, &b);
	ok(b.disagree && b.state == BCH_NVM_STATE_PARTIAL, "disagreeing anchors");
	bch_nvm_base_establish(0, 0, 0, &b);
	ok(b.state == BCH_NVM_STATE_NO_TABLE, "owner_list_head 0: no table");
	bch_nvm_base_establish(12345, 16384, 8232, &b);
	ok(b.state == BCH_NVM_STATE_CORRUPT, "wild owner_list_head: corrupt");
}

static void test_ptr(void)
{
	const uint64_t K = 0xffff888100000000ULL, ns = 1ULL << 30;
	struct bch_nvm_base fresh, att;
	struct bch_ptr p;

	bch_nvm_base_establish(8192, 16384, 8232, &fresh);
	bch_nvm_base_establish(K + 8192, K + 16384, K + 8232, &att);

	ok(bch_nvm_ptr_decode(0, &att, ns, &p) == 0 && p.form == BCH_PTR_NULL, "0 is null");
	ok(bch_nvm_ptr_decode(16384, &fresh, ns, &p) == 0 && p.form == BCH_PTR_OFFSET &&
	   p.off == 16384, "fresh 16384 is an offset");
	ok(bch_nvm_ptr_decode(K + 24576, &att, ns, &p) == 0 && p.form == BCH_PTR_ADDRESS &&
	   p.off == 24576, "attached K + 24576 decodes to 24576");
	ok(bch_nvm_ptr_decode(16384, &att, ns, &p) == 0 && p.form == BCH_PTR_OFFSET,
	   "an offset in an attached namespace is still decoded by its own form");
	ok(bch_nvm_ptr_decode(K + 24576, &fresh, ns, &p) == -ENXIO, "address without K");
	ok(bch_nvm_ptr_decode(K + ns, &att, ns, &p) == -ERANGE, "address past the end");
	ok(bch_nvm_ptr_decode(K - 4096, &att, ns, &p) == -ERANGE, "address below K");
	ok(bch_nvm_ptr_decode(ns + 1, &att, ns, &p) == -ERANGE, "offset past the end");
	is_u64(bch_nvm_ptr_encode(16384, &att), K + 16384, "encode for K");
	is_u64(bch_nvm_ptr_encode(16384, &fresh), 16384, "encode fresh");

	ok(bch_nvm_slot_of(16384) == 0 && bch_nvm_slot_of(24576) == 1 &&
	   bch_nvm_slot_of(16384 + 8192 * 2045) == 2045, "slots 0, 1, 2045");
	ok(bch_nvm_slot_of(16384 + 8192 * 2046) < 0 && bch_nvm_slot_of(16388) < 0 &&
	   bch_nvm_slot_of(8192) < 0, "not slots");
	ok(bch_nvm_head_of(8232) == 0 && bch_nvm_head_of(8344) == 1 &&
	   bch_nvm_head_of(8232 + 112 * 71) == 71, "heads 0, 1, 71");
	ok(bch_nvm_head_of(8232 + 112 * 72) < 0 && bch_nvm_head_of(8240) < 0, "not heads");
}

static void test_rec(void)
{
	const uint64_t K = 0xffff888100000000ULL;
	unsigned char bytes[8];
	uint64_t v;
	struct bch_rec r;

	/* the worked example of POINTERS */
	v = bch_rec_make((K >> 12) + 32768, 15);
	is_u64(v, 0x00FFFFF888108000ULL, "order-15 record at page 32768");
	memcpy(bytes, &v, 8);
	ok(!memcmp(bytes, "\x00\x80\x10\x88\xf8\xff\xff\x00", 8), "stored as 00 80 10 88 f8 ff ff 00");
	bch_nvm_rec_decode(v, K, &r);
	is_u64(r.pgoff, 0xFFFF888108000ULL, "pgoff");
	ok(r.page == 32768 && r.order == 15 && r.pages == 32768 && !r.empty &&
	   !r.below_base, "page 32768, order 15");
	is_u64(bch_rec_make(1, 0), 1, "pgoff 1");
	is_u64(bch_rec_make(0, 1), 0x0010000000000000ULL, "order 1");
	bch_nvm_rec_decode(0x0400000000000000ULL, K, &r);
	ok(r.reserved == 1 && r.empty, "reserved = 1 decodes, record empty");
	bch_nvm_rec_decode(bch_rec_make(K >> 12, 0), K, &r);
	ok(r.below_base, "pgoff == K/4096 is below the base");
}

/* The nvmpg revision as data: offsets, 64 slots, 120-byte heads, ns_id. */
static void test_nvmpg(void)
{
	const struct bch_nvm_layout *l = bch_nvm_layout_of(BCH_NVM_REV_V12);
	struct bch_nvm_base b = { .state = BCH_NVM_STATE_NVMPG, .lay = l, .k_known = true };
	const uint64_t ns = 1ULL << 30;
	struct bch_ptr p;
	struct bch_rec r;

	ok(!strcmp(l->name, "nvmpg") && l->head_size == 120 && l->max_heads == 67 &&
	   l->max_slots == 64 && l->head_recs_at == 56 && l->head_state_at == 48 &&
	   l->sb_offset_at == 8 && l->ns_start_at == 16, "the nvmpg layout");
	ok(bch_nvm_layout_of(BCH_NVM_REV_V7)->max_slots == 2046, "v7 keeps 2046 slots");
	ok(bch_nvm_ptr_decode(0x6000, &b, ns, &p) == 0 && p.form == BCH_PTR_NVMPG &&
	   p.off == 0x6000, "OFFSET(0, 0x6000)");
	ok(bch_nvm_ptr_decode((1ULL << 61) | 0x6000, &b, ns, &p) == -EXDEV,
	   "namespace id 1 in namespace 0");
	ok(bch_nvm_ptr_decode(ns, &b, ns, &p) == -ERANGE, "past the end");
	ok(bch_nvm_ptr_decode(0xffff888100006000ULL, &b, ns, &p) == -EXDEV,
	   "a v7 address is namespace id 7");
	b.ns_id = 2;
	is_u64(bch_nvm_ptr_encode(8352, &b), (2ULL << 61) | 8352, "encode OFFSET(2, 8352)");
	ok(bch_nvm_lay_slot_of(l, 16384 + 8192 * 63) == 63 &&
	   bch_nvm_lay_slot_of(l, 16384 + 8192 * 64) < 0, "slots 0..63");
	ok(bch_nvm_lay_head_of(l, 8352) == 1 && bch_nvm_lay_head_of(l, 8232 + 120 * 67) < 0 &&
	   bch_nvm_lay_head_of(l, 8344) < 0, "heads of 120 bytes, 67 of them");
	/* recs[0] of the real v13 journal: pgoff 64512, order 7, ns_id 0 */
	bch_nvm_lay_rec_decode(l, 0x007000000000fc00ULL, 0, &r);
	ok(r.page == 64512 && r.order == 7 && r.ns_id == 0 && !r.reserved, "0x007000000000fc00");
	bch_nvm_lay_rec_decode(l, 0x2c00000000001000ULL, 0, &r);
	ok(r.ns_id == 3 && r.reserved == 1 && r.page == 4096, "ns_id bits 58-60, reserved 61-63");
	bch_nvm_lay_rec_decode(&bch_nvm_layout_v7, 0x2c00000000001000ULL, 0, &r);
	ok(r.ns_id == 0 && r.reserved == 0xb, "v7: bits 58-63 are reserved");
}

int main(void)
{
	test_examples();
	test_base();
	test_ptr();
	test_rec();
	test_nvmpg();
	return tap_done();
}
