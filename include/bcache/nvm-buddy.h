/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Free space as the v7 kernel rebuilds it at registration
 * (bcache-nvm-pages(5), BUDDY): the greedy decomposition of every run of
 * unallocated pages into maximal aligned blocks of order 0..19, on free lists
 * that are LIFO (the highest-address block of an order comes first).
 *
 * Works on the sorted allocated extents, never on a per-page bitmap: memory
 * is proportional to the records, not to the namespace size.  A run of
 * order-19 blocks is kept as one series (page, count), so a superblock
 * claiming 2^52 pages costs one entry.
 */
#ifndef BCACHE_NVM_BUDDY_H
#define BCACHE_NVM_BUDDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bcache/nvm-walk.h>

/* count consecutive free blocks of one order, from page upwards */
struct bch_free_block {
	uint64_t page;
	uint64_t count;
	unsigned int order;
};

struct bch_nvm_buddy {
	uint64_t pages_total;
	uint64_t reserved;		/* pages [0, reserved) */
	uint64_t free_pages;
	uint64_t blocks[BCH_MAX_ORDER];	/* free blocks per order */
	int largest_order;		/* -1: no free block */
	uint64_t largest_page;		/* first block of that list */
	/* with `list`: entries in free-list order (order 0 first, list head first) */
	struct bch_free_block *v;
	size_t n;
};

/*
 * Rebuild from allocations sorted by page, as the v7 kernel does: every
 * `marked` allocation makes [page, page + 2^order) busy whatever its
 * alignment (overlaps merge, the end is clamped to pages_total), then each
 * run of free pages is split into maximal aligned blocks.  With list, also
 * fill b->v.  Returns 0 or -ENOMEM.
 */
int bch_nvm_buddy_build(const struct bch_nvm_alloc *a, size_t n, uint64_t reserved,
			uint64_t pages_total, bool list, struct bch_nvm_buddy *b);
/* The same for a loaded namespace (ns->allocs is sorted by page). */
int bch_nvm_buddy_of(const struct bch_nvm_ns *ns, bool list, struct bch_nvm_buddy *b);
void bch_nvm_buddy_free(struct bch_nvm_buddy *b);

/*
 * Where the kernel's next allocation of `order` lands (BUDDY, "Where
 * the next allocation lands"): the first block of the lowest non-empty list
 * of order >= `order`, split down keeping the lower half.  Needs a built
 * list.  Returns the page, or -ENOSPC.
 */
int bch_nvm_buddy_pick(const struct bch_nvm_buddy *b, unsigned int order, uint64_t *page);

#endif
