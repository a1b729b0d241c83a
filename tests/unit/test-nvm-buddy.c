// SPDX-License-Identifier: GPL-2.0
/*
 * The buddy rebuild (bcache-nvm-pages(5), BUDDY) against its properties: the
 * free blocks and the pages the kernel marks busy partition [reserved,
 * pages_total); every free block is aligned to its order and lies in one
 * free run; the decomposition is the greedy one (no block could be bigger).
 * Damaged records are marked the v7 kernel's way: [page, page + 2^order)
 * whatever the alignment.
 */
#include <stdlib.h>

#include <bcache/nvm-buddy.h>

#include "tap.h"

#define RESERVED 4096ULL

/* A per-page model: busy[p] for p in [0, total). */
static unsigned char *model(const struct bch_nvm_alloc *a, size_t n, uint64_t total)
{
	unsigned char *busy = calloc(total, 1);

	for (uint64_t p = 0; p < RESERVED && p < total; p++)
		busy[p] = 1;
	for (size_t i = 0; i < n; i++)
		for (uint64_t p = a[i].page; a[i].marked && p < total &&
		     p < a[i].page + (1ULL << a[i].order); p++)
			busy[p] = 1;
	return busy;
}

/* Whether b partitions the model's free pages into greedy aligned blocks. */
static bool check(const struct bch_nvm_buddy *b, const unsigned char *busy, uint64_t total,
		  const char *what)
{
	unsigned char *seen = calloc(total, 1);
	uint64_t free_pages = 0, model_free = 0;
	bool good = true;

	for (size_t i = 0; i < b->n && good; i++) {
		const struct bch_free_block *f = &b->v[i];
		uint64_t size = 1ULL << f->order;

		for (uint64_t k = 0; k < f->count && good; k++) {
			uint64_t s = f->page + k * size;

			if (s % size || s + size > total) {
				printf("#   %s: block %llu order %u misaligned or past the end\n",
				       what, (unsigned long long)s, f->order);
				good = false;
			}
			for (uint64_t p = s; good && p < s + size; p++) {
				if (busy[p] || seen[p]) {
					printf("#   %s: page %llu busy or free twice\n", what,
					       (unsigned long long)p);
					good = false;
				}
				seen[p] = 1;
			}
			/* greedy: the block of the next order up would fit the run */
			if (good && f->order < BCH_MAX_ORDER - 1 && !(s % (2 * size)) &&
			    s + 2 * size <= total) {
				bool all_free = true;

				for (uint64_t p = s; p < s + 2 * size; p++)
					all_free &= !busy[p];
				if (all_free) {
					printf("#   %s: block %llu order %u is not maximal\n", what,
					       (unsigned long long)s, f->order);
					good = false;
				}
			}
			free_pages += size;
		}
	}
	for (uint64_t p = 0; p < total; p++) {
		model_free += !busy[p];
		if (good && !busy[p] && !seen[p]) {
			printf("#   %s: free page %llu in no block\n", what, (unsigned long long)p);
			good = false;
		}
	}
	free(seen);
	return good && free_pages == model_free && b->free_pages == model_free;
}

static int cmp_alloc(const void *x, const void *y)
{
	const struct bch_nvm_alloc *a = x, *b = y;

	return a->page < b->page ? -1 : a->page > b->page;
}

static void test_misaligned(void)
{
	/* one order-3 record at page 4096 + 65536 + 1: not aligned to its order */
	uint64_t total = RESERVED + 4 * 65536;
	struct bch_nvm_alloc a = { .page = RESERVED + 65536 + 1, .order = 3, .valid = false,
				   .marked = true };
	struct bch_nvm_buddy b;
	unsigned char *busy = model(&a, 1, total);

	ok(!bch_nvm_buddy_build(&a, 1, RESERVED, total, true, &b), "build");
	ok(check(&b, busy, total, "misaligned"), "a misaligned order-3 record: the partition holds");
	/* the aligned order-16 block holding it is not shown free (it was) */
	{
		uint64_t holder = a.page & ~((1ULL << 16) - 1);
		bool shown = false;

		for (size_t i = 0; i < b.n; i++)
			for (uint64_t k = 0; k < b.v[i].count; k++)
				shown |= b.v[i].order >= 16 &&
					 b.v[i].page + (k << b.v[i].order) <= holder &&
					 holder < b.v[i].page + ((k + 1) << b.v[i].order);
		ok(!shown, "its order-16 block [%llu, +65536) is not a free block",
		   (unsigned long long)holder);
	}
	is_u64(b.free_pages, total - RESERVED - 8, "free pages: all but the 8 it covers");
	bch_nvm_buddy_free(&b);
	free(busy);
}

static void test_overlap_and_reserved(void)
{
	uint64_t total = RESERVED + 1024;
	struct bch_nvm_alloc a[] = {
		{ .page = 100, .order = 2, .marked = true },		/* in the reserved area */
		{ .page = RESERVED + 8, .order = 3, .valid = true, .marked = true },
		{ .page = RESERVED + 10, .order = 4, .marked = true },	/* overlaps, misaligned */
		{ .page = RESERVED + 500, .order = 9, .marked = true },	/* past the end */
		{ .page = RESERVED + 64, .order = 1, .marked = false },	/* below the base */
	};
	size_t n = sizeof(a) / sizeof(a[0]);
	struct bch_nvm_buddy b;
	unsigned char *busy;

	qsort(a, n, sizeof(a[0]), cmp_alloc);
	busy = model(a, n, total);
	ok(!bch_nvm_buddy_build(a, n, RESERVED, total, true, &b), "build");
	ok(check(&b, busy, total, "damaged"), "overlapping, reserved, past-the-end records");
	bch_nvm_buddy_free(&b);
	free(busy);
}

static uint64_t seed = 88172645463325252ULL;

static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static void test_random(void)
{
	int good = 0, runs = 200;

	for (int r = 0; r < runs; r++) {
		uint64_t total = RESERVED + 1 + rnd() % 20000;
		size_t n = rnd() % 40;
		struct bch_nvm_alloc *a = calloc(n ? n : 1, sizeof(*a));
		struct bch_nvm_buddy b;
		unsigned char *busy;
		char what[32];

		for (size_t i = 0; i < n; i++) {
			a[i].order = (uint8_t)(rnd() % 12);
			a[i].page = rnd() % (total + 64);
			if (rnd() % 2)	/* half of them aligned, as the kernel places them */
				a[i].page &= ~((1ULL << a[i].order) - 1);
			a[i].marked = rnd() % 8 != 0;
			a[i].valid = a[i].marked && !(a[i].page % (1ULL << a[i].order));
		}
		qsort(a, n, sizeof(a[0]), cmp_alloc);
		busy = model(a, n, total);
		snprintf(what, sizeof(what), "random run %d", r);
		if (!bch_nvm_buddy_build(a, n, RESERVED, total, true, &b)) {
			good += check(&b, busy, total, what);
			bch_nvm_buddy_free(&b);
		}
		free(busy);
		free(a);
	}
	is_u64(good, runs, "%d random record sets: free and busy partition the namespace",
	       runs);
}

int main(void)
{
	test_misaligned();
	test_overlap_and_reserved();
	test_random();
	return tap_done();
}
