// SPDX-License-Identifier: GPL-2.0
/*
 * nvm-load-cmp (test-only): load IMG with bch_nvm_load (the whole 16 MiB
 * metadata area) and with bch_nvm_load_lazy (only the pages the walk
 * reaches) and compare everything the walk produced: return code, base,
 * problems, owners, record pages (and their bytes), allocations and stale
 * slots (and their bytes).  Then the same against bch_nvm_load_allocs, which
 * must find no stale slot and every problem but theirs.  Prints "same, N of
 * M metadata pages read" (by the lazy load) and exits 0, or names the first
 * difference and exits 1.
 */
#include <stdio.h>
#include <string.h>

#include <bcache/media.h>
#include <bcache/nvm-walk.h>

#define CHECK(cond, ...) do { if (!(cond)) { printf("differ: " __VA_ARGS__); \
	printf("\n"); return 1; } } while (0)

static bool stale_problem(const struct bch_problem *p)
{
	return p->code == BCH_P_SLOT_STALE || p->code == BCH_P_SLOT_ORPHAN;
}

/* b has a's problems, without those of stale slots unless stale */
static int cmp_problems(const struct bch_problems *a, const struct bch_problems *b, bool stale)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n; i++) {
		const struct bch_problem *x = &a->v[i], *y = &b->v[n];

		if (!stale && stale_problem(x))
			continue;
		CHECK(n < b->n, "%zu problems, lazy fewer", a->n);
		n++;

		CHECK(x->code == y->code && x->severity == y->severity &&
		      x->offset == y->offset && !strcmp(x->where, y->where) &&
		      !strcmp(x->message, y->message), "problem %zu: %s / lazy %s", i,
		      x->message, y->message);
	}
	CHECK(n == b->n, "%zu problems, lazy %zu", n, b->n);
	return 0;
}

static int cmp_pages(const struct bch_nvm_ns *a, const struct bch_nvm_ns *b, bool stale)
{
	CHECK(a->npages == b->npages, "%zu record pages, lazy %zu", a->npages, b->npages);
	for (size_t i = 0; i < a->npages; i++) {
		const struct bch_nvm_recpage *x = &a->pages[i], *y = &b->pages[i];

		CHECK(x->slot == y->slot && x->offset == y->offset && x->owner == y->owner &&
		      x->ns == y->ns && x->chain_pos == y->chain_pos &&
		      x->magic_ok == y->magic_ok && x->nonempty == y->nonempty,
		      "record page %zu", i);
		CHECK(!memcmp(x->raw, y->raw, BCH_NVM_PAGES_RECS_SIZE),
		      "bytes of record page %zu (slot %d)", i, x->slot);
	}
	if (!stale) {
		CHECK(!b->nstale, "the load of the allocations found %zu stale slots", b->nstale);
		return 0;
	}
	CHECK(a->nstale == b->nstale, "%zu stale slots, lazy %zu", a->nstale, b->nstale);
	for (size_t i = 0; i < a->nstale; i++) {
		const struct bch_nvm_stale *x = &a->stale[i], *y = &b->stale[i];

		CHECK(x->slot == y->slot && x->offset == y->offset && x->nonempty == y->nonempty &&
		      !memcmp(x->raw, y->raw, BCH_NVM_PAGES_RECS_SIZE), "stale slot %zu", i);
	}
	return 0;
}

/* b against a: everything, but stale slots and their problems unless stale */
static int cmp_walk(const struct bch_nvm_ns *a, const struct bch_nvm_ns *b, bool stale)
{
	CHECK(a->base.state == b->base.state && a->base.k == b->base.k, "base");
	CHECK(a->sbi.revision == b->sbi.revision, "superblock revision");
	CHECK(!a->owner_list == !b->owner_list && a->heads_walked == b->heads_walked, "owner table");
	CHECK(a->nowners == b->nowners, "%zu owners, lazy %zu", a->nowners, b->nowners);
	for (size_t i = 0; i < a->nowners; i++) {
		const struct bch_nvm_owner *x = &a->owners[i], *y = &b->owners[i];

		CHECK(x->index == y->index && x->npages == y->npages &&
		      x->nrecords == y->nrecords && x->pages_allocated == y->pages_allocated &&
		      !memcmp(x->raw, y->raw, a->lay->head_size), "owner %zu", i);
	}
	CHECK(a->nallocs == b->nallocs, "%zu allocations, lazy %zu", a->nallocs, b->nallocs);
	for (size_t i = 0; i < a->nallocs; i++) {
		const struct bch_nvm_alloc *x = &a->allocs[i], *y = &b->allocs[i];

		CHECK(x->page == y->page && x->pg == y->pg && x->rec == y->rec &&
		      x->order == y->order && x->valid == y->valid, "allocation %zu", i);
	}
	CHECK(a->pages_allocated == b->pages_allocated, "pages allocated");
	return cmp_pages(a, b, stale) || cmp_problems(&a->problems, &b->problems, stale);
}

int main(int argc, char **argv)
{
	struct bch_nvm_ns full, lazy, allocs;
	struct bch_media *m;
	int rf, rl, ra, rc, read = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: nvm-load-cmp IMG\n");
		return 2;
	}
	if (bch_media_open(argv[1], 0, &m)) {
		fprintf(stderr, "nvm-load-cmp: cannot open %s\n", argv[1]);
		return 2;
	}
	rf = bch_nvm_load(m, &full);
	rl = bch_nvm_load_lazy(m, &lazy);
	rc = rf != rl;
	if (rc)
		printf("differ: load returned %d, lazy %d\n", rf, rl);
	else
		rc = cmp_walk(&full, &lazy, true);
	ra = bch_nvm_load_allocs(m, &allocs);
	if (!rc && ra != rf) {
		printf("differ: load returned %d, allocations only %d\n", rf, ra);
		rc = 1;
	} else if (!rc && !ra) {
		rc = cmp_walk(&full, &allocs, false);
	}
	for (size_t i = 0; i < sizeof(lazy.meta_have) / 8; i++)
		read += __builtin_popcountll(lazy.meta_have[i]);
	if (!rc)
		printf("same, %d of %zu metadata pages read\n", read, full.meta_len / 4096);
	bch_nvm_ns_free(&full);
	bch_nvm_ns_free(&lazy);
	bch_nvm_ns_free(&allocs);
	bch_media_close(m);
	return rc;
}
