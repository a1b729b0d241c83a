// SPDX-License-Identifier: GPL-2.0
/* Buddy free-space reconstruction (bcache-nvm-pages(5), BUDDY). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bcache/nvm-buddy.h>

#define TOP (BCH_MAX_ORDER - 1)

struct run_ctx {
	struct bch_nvm_buddy *b;
	bool list;
	struct bch_free_block *tmp;	/* push order (ascending address) */
	size_t ntmp, cap;
};

static int push(struct run_ctx *c, uint64_t page, uint64_t count, unsigned int order)
{
	struct bch_nvm_buddy *b = c->b;

	b->blocks[order] += count;
	b->free_pages += count << order;
	if (!c->list)
		return 0;
	if (c->ntmp == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct bch_free_block *v = realloc(c->tmp, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->tmp = v;
		c->cap = cap;
	}
	c->tmp[c->ntmp++] = (struct bch_free_block){ page, count, order };
	return 0;
}

/* The largest order o <= 19 with s % 2^o == 0 and s + 2^o <= e. */
static unsigned int block_order(uint64_t s, uint64_t e)
{
	unsigned int o = TOP;

	while (o && ((s & ((1ULL << o) - 1)) || (1ULL << o) > e - s))
		o--;
	return o;
}

static int free_run(struct run_ctx *c, uint64_t s, uint64_t e)
{
	int rc = 0;

	while (s < e && !rc) {
		unsigned int o = block_order(s, e);
		uint64_t count = o == TOP ? (e - s) >> TOP : 1;

		rc = push(c, s, count, o);
		s += count << o;
	}
	return rc;
}

/* Free-list order: by order, and within an order the last pushed first. */
static int make_lists(struct run_ctx *c)
{
	struct bch_nvm_buddy *b = c->b;
	size_t at[BCH_MAX_ORDER], pos = 0;
	size_t cnt[BCH_MAX_ORDER] = { 0 };

	for (size_t i = 0; i < c->ntmp; i++)
		cnt[c->tmp[i].order]++;
	for (int o = 0; o < BCH_MAX_ORDER; o++) {
		at[o] = pos;
		pos += cnt[o];
	}
	b->v = malloc((c->ntmp ? c->ntmp : 1) * sizeof(*b->v));
	if (!b->v)
		return -ENOMEM;
	b->n = c->ntmp;
	for (size_t i = c->ntmp; i-- > 0;)
		b->v[at[c->tmp[i].order]++] = c->tmp[i];
	return 0;
}

static void find_largest(struct bch_nvm_buddy *b)
{
	b->largest_order = -1;
	for (int o = TOP; o >= 0; o--)
		if (b->blocks[o]) {
			b->largest_order = o;
			break;
		}
	if (b->largest_order < 0 || !b->v)
		return;
	for (size_t i = 0; i < b->n; i++)
		if ((int)b->v[i].order == b->largest_order) {
			b->largest_page = b->v[i].page +
				((b->v[i].count - 1) << b->v[i].order);
			break;
		}
}

int bch_nvm_buddy_build(const struct bch_nvm_alloc *a, size_t n, uint64_t reserved,
			uint64_t pages_total, bool list, struct bch_nvm_buddy *b)
{
	struct run_ctx c = { .b = b, .list = list };
	uint64_t s;
	int rc = 0;

	memset(b, 0, sizeof(*b));
	b->pages_total = pages_total;
	b->reserved = reserved < pages_total ? reserved : pages_total;
	s = b->reserved;
	for (size_t i = 0; i < n && !rc; i++) {
		uint64_t p = a[i].page, e, len;

		if (!a[i].marked || p >= pages_total)
			continue;
		len = a[i].order < 64 ? 1ULL << a[i].order : UINT64_MAX;
		e = len < pages_total - p ? p + len : pages_total;
		if (p > s)
			rc = free_run(&c, s, p);
		if (e > s)
			s = e;
	}
	if (!rc && s < pages_total)
		rc = free_run(&c, s, pages_total);
	if (!rc && list)
		rc = make_lists(&c);
	free(c.tmp);
	if (rc) {
		bch_nvm_buddy_free(b);
		return rc;
	}
	find_largest(b);
	return 0;
}

int bch_nvm_buddy_of(const struct bch_nvm_ns *ns, bool list, struct bch_nvm_buddy *b)
{
	return bch_nvm_buddy_build(ns->allocs, ns->nallocs, bch_nvm_first_page(ns),
				   ns->sbi.sb.pages_total, list, b);
}

void bch_nvm_buddy_free(struct bch_nvm_buddy *b)
{
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

int bch_nvm_buddy_pick(const struct bch_nvm_buddy *b, unsigned int order, uint64_t *page)
{
	if (order > TOP)
		return -ENOSPC;
	for (size_t i = 0; i < b->n; i++) {
		const struct bch_free_block *f = &b->v[i];

		if (f->order < order)
			continue;
		/* list head: the highest block of the series; split keeps its start */
		*page = f->page + ((f->count - 1) << f->order);
		return 0;
	}
	return -ENOSPC;
}
