// SPDX-License-Identifier: GPL-2.0
/*
 * The owner-list walk (bch_nvm_load_buf) on metadata built in memory from the
 * fresh layout: each problem at the byte offset of its field, and the walk
 * order of the allocations kept next to their order by page.
 */
#include <stddef.h>
#include <stdlib.h>

#include <bcache/nvm-walk.h>

#include "tap.h"

#define DEV_BYTES (64ULL << 20)
#define META_LEN ((size_t)BCH_NVM_PAGES_OFFSET)
#define SLOT0 BCH_NVM_PAGES_SYS_RECS_HEAD_OFFSET
#define REC_AT(k) (SLOT0 + offsetof(struct bch_nvm_pgalloc_recs, recs) + 8 * (uint64_t)(k))

static unsigned char *fresh(void)
{
	unsigned char *meta = calloc(1, META_LEN);
	struct bch_nvm_format f = { .total_namespaces_nr = 1, .device_bytes = DEV_BYTES };

	for (int i = 0; i < 16; i++) {
		f.uuid[i] = (uint8_t)(0x21 + i);
		f.set_uuid[i] = (uint8_t)(0x41 + i);
	}
	if (meta && bch_nvm_format_build(&f, (void *)(meta + BCH_NVM_PAGES_SB_OFFSET),
					 (void *)(meta + BCH_NVM_PAGES_OWNER_LIST_HEAD_OFFSET),
					 (void *)(meta + SLOT0))) {
		free(meta);
		return NULL;
	}
	return meta;
}

static struct bch_nvm_pgalloc_recs *slot0(unsigned char *meta)
{
	return (void *)(meta + SLOT0);
}

/* The offset of the first problem with code c, or UINT64_MAX. */
static uint64_t offset_of(const struct bch_nvm_ns *ns, enum bch_problem_code c)
{
	for (size_t i = 0; i < ns->problems.n; i++)
		if (ns->problems.v[i].code == c)
			return ns->problems.v[i].offset;
	return UINT64_MAX;
}

static void test_clean(void)
{
	unsigned char *meta = fresh();
	struct bch_nvm_ns ns;

	ok(meta != NULL, "fresh layout built");
	ok(!bch_nvm_load_buf(meta, META_LEN, DEV_BYTES, "mem", &ns), "loaded");
	is_u64(bch_problems_count(&ns.problems, BCH_SEV_WARN), 0, "a fresh namespace: clean");
	is_u64(ns.base.state, BCH_NVM_STATE_FRESH, "state FRESH");
	is_u64(ns.npages, 1, "one record page reached (slot 0)");
	bch_nvm_ns_free(&ns);
	free(meta);
}

static void test_sb_csum(void)
{
	unsigned char *meta = fresh();
	struct bch_nvm_ns ns;

	meta[BCH_NVM_SB_AT(csum)] ^= 1;
	ok(!bch_nvm_load_buf(meta, META_LEN, DEV_BYTES, "mem", &ns), "loaded");
	is_u64(offset_of(&ns, BCH_P_SB_CSUM), BCH_NVM_SB_AT(csum), "SB_CSUM at sb.csum (4096)");
	bch_nvm_ns_free(&ns);
	free(meta);
}

static void test_record_page(void)
{
	unsigned char *meta = fresh();
	struct bch_nvm_pgalloc_recs *p = slot0(meta);
	struct bch_nvm_ns ns;

	p->size = 1000;
	p->recs[5].v = bch_rec_make(5000, 0);	/* a record in a never attached namespace */
	ok(!bch_nvm_load_buf(meta, META_LEN, DEV_BYTES, "mem", &ns), "loaded");
	is_u64(offset_of(&ns, BCH_P_RP_SIZE),
	       SLOT0 + offsetof(struct bch_nvm_pgalloc_recs, size), "RP_SIZE at slot[0].size");
	is_u64(offset_of(&ns, BCH_P_REC_FRESH), REC_AT(5), "REC_FRESH at slot[0].recs[5]");
	is_u64(offset_of(&ns, BCH_P_RP_USED),
	       SLOT0 + offsetof(struct bch_nvm_pgalloc_recs, used), "RP_USED at slot[0].used");
	bch_nvm_ns_free(&ns);
	free(meta);
}

static void test_walk_order(void)
{
	unsigned char *meta = fresh();
	struct bch_nvm_pgalloc_recs *p = slot0(meta);
	static const unsigned int k[] = { 2, 9, 4 };
	static const uint64_t page[] = { 6000, 5000, 7000 };
	struct bch_nvm_ns ns;
	bool walk_ok = true, sorted_ok = true;

	for (int i = 0; i < 3; i++)
		p->recs[k[i]].v = bch_rec_make(page[i], 0);
	p->used = 3;
	ok(!bch_nvm_load_buf(meta, META_LEN, DEV_BYTES, "mem", &ns), "loaded");
	is_u64(ns.nallocs, 3, "three allocations");
	for (size_t i = 0; i + 1 < ns.nallocs; i++)
		sorted_ok &= ns.allocs[i].page < ns.allocs[i + 1].page;
	ok(sorted_ok, "ns->allocs sorted by page");
	for (size_t i = 0; i < ns.nallocs; i++) {
		const struct bch_nvm_alloc *a = &ns.allocs[ns.walk[i]];

		walk_ok &= a->rec == (i == 0 ? 2 : i == 1 ? 4 : 9);
		walk_ok &= bch_nvm_alloc_at(&ns, a) == REC_AT(a->rec);
	}
	ok(walk_ok, "ns->walk: the records in walk order (k 2, 4, 9), at their offsets");
	is_u64(ns.pages[0].walk_at, 0, "slot 0's allocations start the walk");
	is_u64(ns.pages[0].nallocs, 3, "and are three");
	bch_nvm_ns_free(&ns);
	free(meta);
}

int main(void)
{
	test_clean();
	test_sb_csum();
	test_record_page();
	test_walk_order();
	return tap_done();
}
