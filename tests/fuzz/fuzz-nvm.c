// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-nvm: the input is a namespace (its first bytes; the device is as long
 * as the input).  The full and the lazy load and walk (whose results must be
 * the same, and those of the load of the allocations only but stale slots), the load from a buffer, the buddy rebuild, the set check, the
 * superblock read and check of `show`, and the rebase plan.
 */
#include <stdlib.h>
#include <string.h>

#include <bcache/media.h>
#include <bcache/nvm-buddy.h>
#include <bcache/nvm-rebase.h>
#include <bcache/nvm-set.h>
#include <bcache/nvm-walk.h>
#include <bcache/nvm.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The lazy load must find what the full load finds (bch_nvm_load_lazy), and
 * bch_nvm_load_allocs the same but the stale slots and their problems.
 */
static void same_walk(const struct bch_nvm_ns *a, const struct bch_nvm_ns *b)
{
	size_t n = 0;

	if (a->nallocs != b->nallocs || a->nowners != b->nowners || a->npages != b->npages ||
	    (b->no_stale ? b->nstale != 0 : a->nstale != b->nstale) ||
	    a->pages_allocated != b->pages_allocated)
		abort();
	for (size_t i = 0; i < a->problems.n; i++) {
		const struct bch_problem *x = &a->problems.v[i], *y = &b->problems.v[n];

		if (b->no_stale && (x->code == BCH_P_SLOT_STALE || x->code == BCH_P_SLOT_ORPHAN))
			continue;
		if (n++ >= b->problems.n || x->code != y->code || x->offset != y->offset ||
		    strcmp(x->message, y->message))
			abort();
	}
	if (n != b->problems.n)
		abort();
	for (size_t i = 0; i < a->nallocs; i++)
		if (a->allocs[i].page != b->allocs[i].page ||
		    a->allocs[i].order != b->allocs[i].order ||
		    a->allocs[i].valid != b->allocs[i].valid)
			abort();
}

static void buddy(const struct bch_nvm_ns *ns)
{
	struct bch_nvm_buddy b = { 0 };
	uint64_t page;

	if (!bch_nvm_buddy_of(ns, true, &b))
		for (unsigned int o = 0; o < BCH_MAX_ORDER; o++)
			(void)bch_nvm_buddy_pick(&b, o, &page);
	bch_nvm_buddy_free(&b);
	memset(&b, 0, sizeof(b));
	(void)bch_nvm_buddy_of(ns, false, &b);
	bch_nvm_buddy_free(&b);
}

static void rebase(const uint8_t *data, size_t size, const struct bch_nvm_ns *ns)
{
	struct bch_rebase_input in = { .meta = data, .size = size, .path = "fuzz" };
	struct bch_rebase rb;

	memset(&rb, 0, sizeof(rb));
	(void)bch_nvm_rebase_plan(&in, ns->base.k + (1ULL << 30), &rb);
	bch_rebase_free(&rb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bch_nvm_ns full, lazy, buf, allocs;
	struct bch_nvm_ns *set[2] = { &full, &lazy };
	struct bch_nvm_sb_info sbi;
	struct bch_problems ps = { 0 };
	struct bch_media *m;
	int a, b;

	if (bch_media_open_mem("fuzz", (void *)data, size, 0, &m))
		return 0;
	a = bch_nvm_load(m, &full);
	b = bch_nvm_load_lazy(m, &lazy);
	if (a != b)
		abort();
	if (!a) {
		same_walk(&full, &lazy);
		if (bch_nvm_load_allocs(m, &allocs))
			abort();
		same_walk(&full, &allocs);
		bch_nvm_ns_free(&allocs);
		if (!bch_nvm_load_buf(data, size, size, "fuzz", &buf))
			same_walk(&full, &buf);
		bch_nvm_ns_free(&buf);
		buddy(&full);
		rebase(data, size, &full);
		/* two members with the same number: adds problems to both */
		(void)bch_nvm_set_check(set, 2);
	}
	bch_nvm_ns_free(&full);
	bch_nvm_ns_free(&lazy);
	/* what `show` reads of a namespace */
	if (!bch_nvm_sb_read(m, &sbi))
		(void)bch_nvm_sb_check(&sbi, m->size, &ps);
	bch_problems_free(&ps);
	bch_media_close(m);
	return 0;
}
