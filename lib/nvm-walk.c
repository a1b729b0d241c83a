// SPDX-License-Identifier: GPL-2.0
/*
 * The owner-list walk (bcache-nvm-pages(5), WALK), bounded: heads are
 * clamped to min(used, size, 72), each record-page slot can be visited once
 * (which catches loops and pages shared by two chains), a page's records are
 * clamped to 1013.  Memory: the 16 MiB metadata area plus one entry per
 * record page and per non-empty record.  The lazy load reads a page of the
 * metadata area only when the walk reaches it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <bcache/fields.h>
#include <bcache/grow.h>
#include <bcache/media.h>
#include <bcache/nvm-buddy.h>
#include <bcache/nvm-walk.h>

#define OLH_OFF BCH_NVM_PAGES_OWNER_LIST_HEAD_OFFSET
#define SYS_OFF BCH_NVM_PAGES_SYS_RECS_HEAD_OFFSET

static bool meta_has(const struct bch_nvm_ns *ns, uint64_t pg)
{
	return ns->meta_have[pg / 64] >> (pg % 64) & 1;
}

/*
 * Make ns->meta bytes [off, off + len) valid (clamped to meta_len): in a
 * lazy load, read the runs of pages not read yet.
 */
static int meta_need(struct bch_nvm_ns *ns, uint64_t off, uint64_t len)
{
	uint64_t end = off + len > ns->meta_len ? ns->meta_len : off + len;
	uint64_t pg = off / 4096, last = (end + 4095) / 4096;

	if (!ns->meta_lazy || off >= end)
		return 0;
	while (pg < last) {
		uint64_t run = pg, from, to;
		int rc;

		if (meta_has(ns, pg)) {
			pg++;
			continue;
		}
		while (run < last && !meta_has(ns, run))
			ns->meta_have[run / 64] |= 1ULL << (run % 64), run++;
		from = pg * 4096;
		to = run * 4096 < ns->meta_len ? run * 4096 : ns->meta_len;
		rc = bch_media_read(ns->meta_m, ns->meta + from, to - from, from);
		if (rc)
			return rc;
		pg = run;
	}
	return 0;
}

const uint8_t *bch_nvm_head(const struct bch_nvm_ns *ns, int i)
{
	if (!ns->owner_list || i < 0 || (uint32_t)i >= ns->lay->max_heads)
		return NULL;
	return ns->meta + bch_nvm_lay_head_offset(ns->lay, (uint32_t)i);
}

/* Field i of the record-list header catalogue (v7 and nvmpg names differ). */
static const char *recs_field(const struct bch_nvm_ns *ns, int i)
{
	return ns->lay->recs_desc->fields[i].name;
}

enum { RF_OWNER, RF_NEXT, RF_MAGIC, RF_UUID, RF_SIZE, RF_USED };

void bch_nvm_ns_free(struct bch_nvm_ns *ns)
{
	free(ns->path);
	bch_media_buf_free(ns->meta, ns->meta_len);
	free(ns->owners);
	free(ns->pages);
	if (ns->allocs_mapped)
		bch_media_buf_free(ns->allocs, ns->allocs_cap * sizeof(*ns->allocs));
	else
		free(ns->allocs);
	bch_media_buf_free(ns->walk, ns->walk_len);
	free(ns->stale);
	bch_problems_free(&ns->problems);
	memset(ns, 0, sizeof(*ns));
}

/* kernel strncpy quirk: rec is what the kernel copies of head, and differs */
static bool uuid_nul_truncated(const uint8_t *rec, const uint8_t *head)
{
	uint8_t copy[16];

	bch_nvm_strncpy16(copy, head);
	return !memcmp(rec, copy, 16) && memcmp(copy, head, 16);
}

/*
 * The allocation array grows on the heap up to ALLOCS_HEAP entries, then in
 * an anonymous mapping with huge pages (bch_media_buf_alloc): two million
 * records are 32 MiB, and their first touch in 4 KiB pages was a third of
 * the load's time.
 */
#define ALLOCS_HEAP ((size_t)BCH_MEDIA_BIG_BUF / sizeof(struct bch_nvm_alloc) / 2)

static int add_alloc(struct bch_nvm_ns *ns, const struct bch_nvm_alloc *a)
{
	if (ns->nallocs == ns->allocs_cap) {
		size_t cap = ns->allocs_cap ? ns->allocs_cap * 2 : 64;
		size_t sz = sizeof(*ns->allocs);
		struct bch_nvm_alloc *v;

		if (cap <= ALLOCS_HEAP) {
			v = realloc(ns->allocs, cap * sz);
		} else if (!ns->allocs_mapped) {
			v = bch_media_buf_alloc(cap * sz);
			if (v) {
				memcpy(v, ns->allocs, ns->nallocs * sz);
				free(ns->allocs);
			}
		} else {
			v = bch_media_buf_grow(ns->allocs, ns->allocs_cap * sz, cap * sz);
		}
		if (!v)
			return -ENOMEM;
		ns->allocs_mapped = cap > ALLOCS_HEAP;
		ns->allocs = v;
		ns->allocs_cap = cap;
	}
	ns->allocs[ns->nallocs++] = *a;
	return 0;
}

static const char *form_note(enum bch_ptr_form f)
{
	return f == BCH_PTR_ADDRESS ? "a kernel address" : "a byte offset";
}

/* Check a pointer's form against the namespace state (one form only). */
static int check_form(struct bch_nvm_ns *ns, const struct bch_ptr *p, uint64_t at,
		      const char *where)
{
	bool want_addr;

	if (p->form != BCH_PTR_OFFSET && p->form != BCH_PTR_ADDRESS)
		return 0;
	if (ns->base.state == BCH_NVM_STATE_FRESH)
		want_addr = false;
	else if (ns->base.state == BCH_NVM_STATE_ATTACHED)
		want_addr = true;
	else
		return 0;	/* partial states: each pointer decoded on its own */
	if ((p->form == BCH_PTR_ADDRESS) == want_addr)
		return 0;
	return bch_problem_add(&ns->problems, BCH_P_PTR_FORM, at, where,
			       "%s is %s (0x%llx) in a %s namespace", where,
			       form_note(p->form), (unsigned long long)p->raw,
			       bch_nvm_state_name(ns->base.state));
}

static int ptr_problem(struct bch_nvm_ns *ns, int err, uint64_t raw, uint64_t at,
		       const char *where)
{
	if (err == -ENXIO)
		return bch_problem_add(&ns->problems, BCH_P_PTR_NO_BASE, at, where,
				       "%s is the address 0x%llx but the base K is unknown",
				       where, (unsigned long long)raw);
	if (err == -EXDEV)
		return bch_problem_add(&ns->problems, BCH_P_PTR_NS_ID, at, where,
				       "%s is 0x%llx: namespace id %llu, this namespace is %u",
				       where, (unsigned long long)raw,
				       (unsigned long long)BCH_NVMPG_GET_NS_ID(raw), ns->base.ns_id);
	return bch_problem_add(&ns->problems, BCH_P_PTR_RANGE, at, where,
			       "%s is 0x%llx: outside the namespace (%llu bytes)", where,
			       (unsigned long long)raw, (unsigned long long)ns->size);
}

uint64_t bch_nvm_first_page(const struct bch_nvm_ns *ns)
{
	const struct bch_nvm_pages_sb *sb = &ns->sbi.sb;
	uint64_t first = sb->page_size ? sb->pages_offset / sb->page_size : 0;

	return first < sb->pages_total ? first : sb->pages_total;
}

void bch_nvm_alloc_rec(const struct bch_nvm_ns *ns, const struct bch_nvm_alloc *a,
		       struct bch_rec *out)
{
	bch_nvm_lay_rec_decode(ns->lay, ns->pages[a->pg].raw->recs[a->rec].v, ns->base.k, out);
}

uint64_t bch_nvm_alloc_at(const struct bch_nvm_ns *ns, const struct bch_nvm_alloc *a)
{
	return ns->pages[a->pg].offset + offsetof(struct bch_nvm_pgalloc_recs, recs) +
	       8 * (uint64_t)a->rec;
}

/* Pages [4, 4096): the record-page slots (and the tables below them). */
#define META_PAGES (BCH_NVM_PAGES_OFFSET / 4096)

/* What is wrong with a record (the problems check_record() files). */
enum {
	REC_FRESH = 1 << 0,	/* namespace never attached */
	REC_RESERVED = 1 << 1,
	REC_V12 = 1 << 2,	/* below the base, and a plausible page number */
	REC_BELOW_BASE = 1 << 3,
	REC_ORDER = 1 << 4,
	REC_META = 1 << 5,
	REC_RANGE = 1 << 6,
	REC_ALIGN = 1 << 7,
	REC_NS_ID = 1 << 8,	/* nvmpg: not this namespace's id */
	/* any of these and the record is not valid (the first one is filed) */
	REC_INVALID = REC_NS_ID | REC_BELOW_BASE | REC_ORDER | REC_META | REC_RANGE |
		      REC_ALIGN,
};

/* The one predicate of the record checks: REC_* flags, 0 for a clean record. */
static unsigned int rec_flags(const struct bch_nvm_ns *ns, const struct bch_rec *r)
{
	const struct bch_nvm_pages_sb *sb = &ns->sbi.sb;
	uint64_t first = bch_nvm_first_page(ns);
	unsigned int f = 0;

	if (ns->base.state == BCH_NVM_STATE_FRESH)
		f |= REC_FRESH;
	if (r->reserved)
		f |= REC_RESERVED;
	if (ns->lay->rec_ns_id_shift && r->ns_id != ns->base.ns_id)
		return f | REC_NS_ID;
	if (r->below_base)
		return f | REC_BELOW_BASE | (r->pgoff < sb->pages_total ? REC_V12 : 0);
	if (r->order >= BCH_MAX_ORDER)
		return f | REC_ORDER;
	if (r->page < META_PAGES && r->page + r->pages > 4)
		return f | REC_META;
	if (r->page < first || r->page > sb->pages_total ||
	    r->pages > sb->pages_total - r->page)
		return f | REC_RANGE;
	if (r->page % r->pages)
		return f | REC_ALIGN;
	return f;
}

/* File the problems of a record with flags f (non-zero), in the order of rec_flags(). */
static int check_record(struct bch_nvm_ns *ns, const struct bch_rec *r, unsigned int f,
			uint64_t at, const char *where)
{
	const struct bch_nvm_pages_sb *sb = &ns->sbi.sb;
	struct bch_problems *ps = &ns->problems;
	int rc = 0;

	if (f & REC_FRESH)
		rc = bch_problem_add(ps, BCH_P_REC_FRESH, at, where, "record 0x%016llx in a "
				     "namespace never attached by a kernel",
				     (unsigned long long)r->v);
	if (!rc && (f & REC_RESERVED))
		rc = bch_problem_add(ps, BCH_P_REC_RESERVED, at, where,
				     "reserved bits are 0x%x, expected 0", r->reserved);
	if (!rc && (f & REC_NS_ID))
		rc = bch_problem_add(ps, BCH_P_REC_NS_ID, at, where,
				     "ns_id is %u, this namespace is %u (the v13 kernel "
				     "dereferences an unattached namespace)", r->ns_id,
				     ns->base.ns_id);
	if (!rc && (f & REC_V12))
		rc = bch_problem_add(ps, BCH_P_REC_V12, at, where, "pgoff 0x%llx is a "
				     "namespace page number, as v12/v13 records are",
				     (unsigned long long)r->pgoff);
	if (!rc && (f & REC_BELOW_BASE))
		rc = bch_problem_add(ps, BCH_P_REC_BELOW_BASE, at, where,
				     "pgoff 0x%llx is at or below K/4096 = 0x%llx",
				     (unsigned long long)r->pgoff,
				     (unsigned long long)(ns->base.k >> 12));
	if (!rc && (f & REC_ORDER))
		rc = bch_problem_add(ps, BCH_P_REC_ORDER, at, where,
				     "order is %u, the buddy maximum is %d", r->order,
				     BCH_MAX_ORDER - 1);
	if (!rc && (f & REC_META))
		rc = bch_problem_add(ps, BCH_P_REC_META, at, where,
				     "pages [%llu, %llu) overlap the metadata area, pages "
				     "[0, %llu)",
				     (unsigned long long)r->page,
				     (unsigned long long)(r->page + r->pages),
				     (unsigned long long)META_PAGES);
	if (!rc && (f & REC_RANGE))
		rc = bch_problem_add(ps, BCH_P_REC_RANGE, at, where,
				     "pages [%llu, %llu) are outside [%llu, %llu)",
				     (unsigned long long)r->page,
				     (unsigned long long)(r->page + r->pages),
				     (unsigned long long)bch_nvm_first_page(ns),
				     (unsigned long long)sb->pages_total);
	if (!rc && (f & REC_ALIGN))
		rc = bch_problem_add(ps, BCH_P_REC_ALIGN, at, where,
				     "page %llu is not aligned to its order %u",
				     (unsigned long long)r->page, r->order);
	return rc;
}

static void recs_hdr(const struct bch_nvm_pgalloc_recs *p, struct bch_nvm_recs_hdr *h)
{
	h->owner = p->owner;
	h->next = p->next;
	memcpy(h->owner_uuid, p->owner_uuid, sizeof(h->owner_uuid));
	h->size = p->size;
	h->used = p->used;
}

static int walk_page(struct bch_nvm_ns *ns, struct bch_nvm_recpage *pg, int head_idx)
{
	const struct bch_nvm_pgalloc_recs *p = pg->raw;
	const uint8_t *h = bch_nvm_head(ns, head_idx);
	struct bch_problems *ps = &ns->problems;
	uint32_t n = bch_nvm_recs_walked(p);
	char where[48];
	int rc = 0, hi;

#define AT(field) (pg->offset + offsetof(struct bch_nvm_pgalloc_recs, field))
#define WHERE(f) (snprintf(where, sizeof(where), "slot[%d].%s", pg->slot, recs_field(ns, f)), \
		  where)
	pg->magic_ok = !memcmp(p->magic, bch_nvm_recs_magic, 16);
	if (!pg->magic_ok)
		return bch_problem_add(ps, BCH_P_RP_MAGIC, AT(magic), WHERE(RF_MAGIC),
				       "%s in slot %d (offset %llu) has no record-page "
				       "magic", ns->lay->recs_name, pg->slot,
				       (unsigned long long)pg->offset);
	if (memcmp(p->owner_uuid, h, 16)) {
		char a[37], b[37];

		bch_uuid_format(p->owner_uuid, a);
		bch_uuid_format(h, b);
		if (uuid_nul_truncated(p->owner_uuid, h))
			rc = bch_problem_add(ps, BCH_P_RP_UUID_TRUNC, AT(owner_uuid),
					     WHERE(RF_UUID), "%s %s is head %d's uuid %s cut "
					     "at its first 0x00 byte (kernel strncpy)",
					     recs_field(ns, RF_UUID), a, head_idx, b);
		else
			rc = bch_problem_add(ps, BCH_P_RP_OWNER_UUID, AT(owner_uuid),
					     WHERE(RF_UUID), "%s is %s, head %d's uuid is %s",
					     recs_field(ns, RF_UUID), a, head_idx, b);
	}
	if (!rc) {
		int err = bch_nvm_ptr_decode(p->owner, &ns->base, ns->size, &pg->owner_ptr);

		hi = err ? -1 : bch_nvm_lay_head_of(ns->lay, pg->owner_ptr.off);
		if (err || hi != head_idx)
			rc = bch_problem_add(ps, BCH_P_RP_OWNER, AT(owner), WHERE(RF_OWNER),
					     "%s is 0x%llx, expected 0x%llx (head %d)",
					     recs_field(ns, RF_OWNER), (unsigned long long)p->owner,
					     (unsigned long long)bch_nvm_ptr_encode(
						     bch_nvm_lay_head_offset(ns->lay,
									     (uint32_t)head_idx),
						     &ns->base),
					     head_idx);
		else
			rc = check_form(ns, &pg->owner_ptr, AT(owner), WHERE(RF_OWNER));
	}
	if (!rc && p->size != BCH_MAX_RECS)
		rc = bch_problem_add(ps, BCH_P_RP_SIZE, AT(size), WHERE(RF_SIZE),
				     "size is %u, expected %d", p->size, BCH_MAX_RECS);
	for (uint32_t k = 0; k < n && !rc; k++) {
		uint64_t v = p->recs[k].v;
		uint64_t at = pg->offset + offsetof(struct bch_nvm_pgalloc_recs, recs) + 8 * k;
		struct bch_nvm_alloc a = { .pg = (uint16_t)(pg - ns->pages), .rec = (uint16_t)k };
		struct bch_rec r;

		unsigned int f;

		if (!v)
			continue;
		bch_nvm_lay_rec_decode(ns->lay, v, ns->base.k, &r);
		if (!r.pgoff) {
			snprintf(where, sizeof(where), "slot[%d].recs[%u]", pg->slot, k);
			rc = bch_problem_add(ps, BCH_P_REC_EMPTY_BITS, at, where,
					     "empty record (pgoff 0) has order %u, %sreserved %u",
					     r.order, ns->lay->rec_ns_id_shift ? "ns_id " : "",
					     ns->lay->rec_ns_id_shift ? r.ns_id : r.reserved);
			if (ns->lay->rec_ns_id_shift && r.reserved && !rc)
				rc = bch_problem_add(ps, BCH_P_REC_EMPTY_BITS, at, where,
						     "empty record has reserved %u", r.reserved);
			continue;
		}
		pg->nonempty++;
		f = rec_flags(ns, &r);
		a.valid = !(f & REC_INVALID);
		a.marked = !r.below_base;
		if (f) {	/* the common case, clean, formats no text */
			snprintf(where, sizeof(where), "slot[%d].recs[%u]", pg->slot, k);
			rc = check_record(ns, &r, f, at, where);
		}
		a.page = r.page;
		a.order = (uint8_t)r.order;
		if (!rc)
			rc = add_alloc(ns, &a);
	}
	if (!rc && p->used > p->size)
		rc = bch_problem_add(ps, BCH_P_RP_USED_RANGE, AT(used), WHERE(RF_USED),
				     "used is %u, size is %u", p->used, p->size);
	else if (!rc && p->used != pg->nonempty)
		rc = bch_problem_add(ps, ns->lay->used_must_match ? BCH_P_RP_USED_REGISTER :
				     BCH_P_RP_USED, AT(used), WHERE(RF_USED),
				     "used is %u, %u records are non-empty (pgoff != 0)",
				     p->used, pg->nonempty);
#undef AT
#undef WHERE
	return rc;
}

/* Walk head i's chain for namespace number j. */
static int walk_chain(struct bch_nvm_ns *ns, int owner_idx, unsigned int j, int *slot_page)
{
	struct bch_nvm_owner *o = &ns->owners[owner_idx];
	struct bch_problems *ps = &ns->problems;
	uint64_t raw = o->recs_raw[j];
	uint64_t at = o->offset + ns->lay->head_recs_at + 8 * j;
	char where[48];
	int pos = 0, rc = 0;

	snprintf(where, sizeof(where), "heads[%d].%s", o->index,
		 ns->lay->head_desc->fields[ns->lay->head_state_at < 0 ? 2 + j : 4 + j].name);
	while (raw && !rc) {
		struct bch_ptr ptr;
		struct bch_nvm_recpage *pg;
		int err = bch_nvm_ptr_decode(raw, &ns->base, ns->size, &ptr);
		int slot;

		if (err)
			return ptr_problem(ns, err, raw, at, where);
		slot = bch_nvm_lay_slot_of(ns->lay, ptr.off);
		if (slot < 0)
			return bch_problem_add(ps, BCH_P_PTR_SLOT, at, where,
					       "%s is 0x%llx (offset %llu): not a %s slot in "
					       "[16384, %llu)", where, (unsigned long long)raw,
					       (unsigned long long)ptr.off, ns->lay->recs_name,
					       (unsigned long long)BCH_NVM_SLOT_OFFSET(
						       ns->lay->max_slots));
		if (ptr.off + BCH_NVM_PAGES_RECS_SIZE > ns->meta_len)
			return ptr_problem(ns, -ERANGE, raw, at, where);
		if (slot_page[slot] >= 0) {
			const struct bch_nvm_recpage *prev = &ns->pages[slot_page[slot]];
			bool loop = prev->owner == owner_idx && prev->ns == j;

			return bch_problem_add(ps, loop ? BCH_P_CHAIN_LOOP : BCH_P_CHAIN_SHARED,
					       at, where, loop ?
					       "%s leads back to slot %d: the chain loops" :
					       "%s links slot %d, already in the chain of "
					       "head %d, namespace %d", where, slot,
					       ns->owners[prev->owner].index, prev->ns);
		}
		rc = check_form(ns, &ptr, at, where);
		if (!rc)
			rc = meta_need(ns, ptr.off, BCH_NVM_PAGES_RECS_SIZE);
		if (!rc && ns->npages == ns->pages_cap)
			rc = bch_grow((void **)&ns->pages, &ns->pages_cap, sizeof(*ns->pages));
		if (rc)
			break;
		pg = &ns->pages[ns->npages];
		memset(pg, 0, sizeof(*pg));
		pg->slot = slot;
		pg->offset = ptr.off;
		pg->owner = owner_idx;
		pg->ns = j;
		pg->chain_pos = pos++;
		pg->raw = (const void *)(ns->meta + ptr.off);
		recs_hdr(pg->raw, &pg->hdr);
		slot_page[slot] = (int)ns->npages++;
		o->npages++;
		rc = walk_page(ns, pg, o->index);
		if (rc || !pg->magic_ok)
			break;
		raw = pg->raw->next;
		at = pg->offset + offsetof(struct bch_nvm_pgalloc_recs, next);
		snprintf(where, sizeof(where), "slot[%d].%s", slot, recs_field(ns, RF_NEXT));
	}
	return rc;
}

/*
 * Sort key of an allocation, 12 bytes from the most significant: page and
 * order (page < 2^52, order < 64), then the walk position (pg, rec), which
 * makes every key unique and the order total.
 */
#define KEY_BYTES 12

static unsigned int key_byte(const struct bch_nvm_alloc *a, int b)
{
	uint64_t po = a->page << 6 | (a->order & 63);

	if (b < 8)
		return (po >> (8 * (7 - b))) & 0xff;
	if (b < 10)
		return (a->pg >> (8 * (9 - b))) & 0xff;
	return (a->rec >> (8 * (11 - b))) & 0xff;
}

static bool alloc_less(const struct bch_nvm_alloc *x, const struct bch_nvm_alloc *y)
{
	if (x->page != y->page)
		return x->page < y->page;
	if (x->order != y->order)
		return x->order < y->order;
	return x->pg != y->pg ? x->pg < y->pg : x->rec < y->rec;
}

static void insertion_sort(struct bch_nvm_alloc *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct bch_nvm_alloc t = v[i];
		size_t j = i;

		for (; j && alloc_less(&t, &v[j - 1]); j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
}

/* In place, by swapping each entry into its bucket (American flag sort). */
static void radix_sort(struct bch_nvm_alloc *v, size_t n, int b)
{
	size_t count[256] = { 0 }, head[256], end[256], pos = 0;

	while (b < KEY_BYTES) {
		for (size_t i = 0; i < n; i++)
			count[key_byte(&v[i], b)]++;
		if (count[key_byte(&v[0], b)] != n)
			break;
		count[key_byte(&v[0], b)] = 0;	/* one bucket: next byte */
		b++;
	}
	if (b == KEY_BYTES)
		return;
	for (int k = 0; k < 256; k++) {
		head[k] = pos;
		pos += count[k];
		end[k] = pos;
	}
	for (int k = 0; k < 256; k++)
		while (head[k] < end[k]) {
			struct bch_nvm_alloc t = v[head[k]];
			unsigned int d;

			while ((d = key_byte(&t, b)) != (unsigned int)k) {
				struct bch_nvm_alloc u = v[head[d]];

				v[head[d]++] = t;
				t = u;
			}
			v[head[k]++] = t;
		}
	pos = 0;
	for (int k = 0; k < 256; pos += count[k], k++) {
		if (count[k] > 32)
			radix_sort(v + pos, count[k], b + 1);
		else if (count[k] > 1)
			insertion_sort(v + pos, count[k]);
	}
}

/*
 * Sort by (page, order, walk position) in place: no scratch buffer, at most
 * 12 passes over the entries.  A walk in ascending or descending page order
 * (the usual layouts) costs one pass.
 */
static void sort_allocs(struct bch_nvm_alloc *v, size_t n)
{
	size_t up = 1, down = 1;

	for (size_t i = 1; i < n; i++) {
		up += alloc_less(&v[i - 1], &v[i]);
		down += alloc_less(&v[i], &v[i - 1]);
	}
	if (up == n)
		return;
	if (down == n) {
		for (size_t i = 0, j = n - 1; i < j; i++, j--) {
			struct bch_nvm_alloc t = v[i];

			v[i] = v[j];
			v[j] = t;
		}
		return;
	}
	if (n > 32)
		radix_sort(v, n, 0);
	else
		insertion_sort(v, n);
}

static int overlap_problem(struct bch_nvm_ns *ns, const struct bch_nvm_alloc *a,
			   const struct bch_nvm_alloc *prev)
{
	char where[48];

	snprintf(where, sizeof(where), "slot[%d].recs[%d]", ns->pages[a->pg].slot, a->rec);
	return bch_problem_add(&ns->problems, BCH_P_REC_OVERLAP, bch_nvm_alloc_at(ns, a),
			       where, "pages [%llu, %llu) overlap slot[%d].recs[%d] "
			       "(pages [%llu, %llu))",
			       (unsigned long long)a->page,
			       (unsigned long long)(a->page + (1ULL << a->order)),
			       ns->pages[prev->pg].slot, prev->rec,
			       (unsigned long long)prev->page,
			       (unsigned long long)(prev->page + (1ULL << prev->order)));
}

/*
 * ns->walk from the sorted allocations: a counting sort by record page
 * (pages are numbered in walk order), then each page's records by index k.
 */
static int build_walk(struct bch_nvm_ns *ns)
{
	size_t *end = calloc(ns->npages + 1, sizeof(*end));
	uint32_t *at = malloc(BCH_MAX_RECS * sizeof(*at));
	size_t begin = 0;

	ns->walk_len = (ns->nallocs ? ns->nallocs : 1) * sizeof(*ns->walk);
	ns->walk = bch_media_buf_alloc(ns->walk_len);
	if (!end || !at || !ns->walk) {
		free(end);
		free(at);
		return -ENOMEM;
	}
	for (size_t i = 0; i < ns->nallocs; i++)
		end[ns->allocs[i].pg + 1]++;
	for (size_t p = 1; p <= ns->npages; p++)
		end[p] += end[p - 1];
	for (size_t i = 0; i < ns->nallocs; i++)	/* end[pg]: next free place */
		ns->walk[end[ns->allocs[i].pg]++] = (uint32_t)i;
	for (size_t p = 0; p < ns->npages; begin = end[p], p++) {
		size_t n = begin;

		ns->pages[p].walk_at = begin;
		ns->pages[p].nallocs = (uint32_t)(end[p] - begin);	/* <= BCH_MAX_RECS */
		if (end[p] - begin < 2)
			continue;
		for (uint32_t k = 0; k < BCH_MAX_RECS; k++)
			at[k] = UINT32_MAX;
		for (size_t i = begin; i < end[p]; i++)
			at[ns->allocs[ns->walk[i]].rec] = ns->walk[i];
		for (uint32_t k = 0; k < BCH_MAX_RECS; k++)
			if (at[k] != UINT32_MAX)
				ns->walk[n++] = at[k];
	}
	free(end);
	free(at);
	return 0;
}

/*
 * Sort the records by page, then one sweep: overlaps between valid records
 * of any owner, and the number of allocated pages (their union).
 */
static int check_overlaps(struct bch_nvm_ns *ns)
{
	const struct bch_nvm_alloc *last = NULL;
	uint64_t end = 0;
	int rc = 0;

	sort_allocs(ns->allocs, ns->nallocs);
	for (size_t i = 0; i < ns->nallocs && !rc; i++) {
		const struct bch_nvm_alloc *a = &ns->allocs[i];
		uint64_t e = a->page + (1ULL << a->order);

		if (!a->valid)
			continue;
		if (last && a->page < end)
			rc = overlap_problem(ns, a, last);
		if (!last || e > end) {
			ns->pages_allocated += e - (last && a->page < end ? end : a->page);
			end = e;
			last = a;
		}
	}
	return rc;
}

/*
 * Whether the record-page slot at off carries the magic.  A lazy load does
 * not read the slot into ns->meta for that: it reads SLOT_BATCH slots at a
 * time into a buffer of its own (one system call instead of one per slot:
 * 2046 reads of 16 bytes took longer than the 16 MiB they replace), and
 * not at all where an image file has a hole (bch_media_has_data).  A read
 * error counts as no magic (the slot is not linked: nothing depends on it).
 */
#define SLOT_BATCH 32u

struct slot_batch {
	unsigned char *buf;		/* SLOT_BATCH slots, page aligned (O_DIRECT) */
	uint64_t lo, hi;		/* the bytes it holds; lo == hi: none */
	int rc;				/* the read of [lo, hi) failed */
	bool zero;			/* [lo, hi) is a hole of an image file: not read */
};

static bool slot_magic(struct bch_nvm_ns *ns, struct slot_batch *b, uint64_t off)
{
	const size_t at = offsetof(struct bch_nvm_pgalloc_recs, magic);

	if (!ns->meta_lazy || meta_has(ns, off / 4096))
		return !memcmp(ns->meta + off + at, bch_nvm_recs_magic, 16);
	if (off < b->lo || off + BCH_NVM_PAGES_RECS_SIZE > b->hi) {
		b->lo = off;
		b->hi = off + SLOT_BATCH * BCH_NVM_PAGES_RECS_SIZE;
		if (b->hi > ns->meta_len)
			b->hi = ns->meta_len;
		b->zero = !bch_media_has_data(ns->meta_m, b->lo, b->hi - b->lo);
		b->rc = b->zero ? 0 : bch_media_read(ns->meta_m, b->buf, b->hi - b->lo, b->lo);
	}
	return !b->zero && !b->rc &&
	       !memcmp(b->buf + (off - b->lo) + at, bch_nvm_recs_magic, 16);
}

/* Slots not reached by the walk that carry the record-page magic. */
static int find_stale(struct bch_nvm_ns *ns, const int *slot_page)
{
	const size_t blen = SLOT_BATCH * BCH_NVM_PAGES_RECS_SIZE;
	struct slot_batch b = { 0 };
	char where[48];
	int rc = 0;

	if (ns->meta_lazy) {
		b.buf = bch_media_buf_alloc(blen);
		if (!b.buf)
			return -ENOMEM;
	}

	for (uint32_t s = 0; s < (uint32_t)ns->lay->max_slots && !rc; s++) {
		uint64_t off = BCH_NVM_SLOT_OFFSET(s);
		const struct bch_nvm_pgalloc_recs *p;
		struct bch_nvm_stale *st;
		uint32_t n;

		if (slot_page[s] >= 0 || off + BCH_NVM_PAGES_RECS_SIZE > ns->meta_len)
			continue;
		if (!slot_magic(ns, &b, off))
			continue;
		rc = meta_need(ns, off, BCH_NVM_PAGES_RECS_SIZE);
		if (!rc && ns->nstale == ns->stale_cap)
			rc = bch_grow((void **)&ns->stale, &ns->stale_cap, sizeof(*ns->stale));
		if (rc)
			break;
		p = (const void *)(ns->meta + off);
		st = &ns->stale[ns->nstale++];
		memset(st, 0, sizeof(*st));
		st->slot = (int)s;	/* < max_slots */
		st->offset = off;
		st->raw = p;
		recs_hdr(p, &st->hdr);
		n = bch_nvm_recs_walked(p);
		for (uint32_t k = 0; k < n; k++)
			st->nonempty += !!bch_rec_pgoff(p->recs[k].v);
		snprintf(where, sizeof(where), "slot[%u].magic", s);
		/* v13 frees leave magic, uuid and size (the kernel skips unlinked lists) */
		if (st->nonempty)
			rc = bch_problem_add(&ns->problems, BCH_P_SLOT_ORPHAN,
					     off + offsetof(struct bch_nvm_pgalloc_recs, magic),
					     where, "slot %u is not linked but holds %u "
					     "non-empty records (revived if the slot is reused)",
					     s, st->nonempty);
		else
			rc = bch_problem_add(&ns->problems, BCH_P_SLOT_STALE,
					     off + offsetof(struct bch_nvm_pgalloc_recs, magic),
					     where, "slot %u carries the record-page magic but is "
					     "not linked (left by a free)", s);
	}
	bch_media_buf_free(b.buf, blen);
	return rc;
}

static int check_sys_head(struct bch_nvm_ns *ns)
{
	const struct bch_nvm_owner *h = &ns->owners[0];
	char label[4 * BCH_NVM_PAGES_LABEL_SIZE + 1];
	char a[37], b[37];

	/* as nvm dump shows it: printable ASCII, every other byte as \xNN */
	bch_field_format(bch_field_find(ns->lay->head_desc, "label"), h->raw, label, sizeof(label));
	if (memcmp(h->uuid, ns->sbi.sb.set_uuid, 16)) {
		bch_uuid_format(h->uuid, a);
		bch_uuid_format(ns->sbi.sb.set_uuid, b);
		return bch_problem_add(&ns->problems, BCH_P_OL_SYS_HEAD, h->offset,
				       "heads[0].uuid", "heads[0].uuid is %s, set_uuid is %s",
				       a, b);
	}
	if (strncmp(h->label, ns->lay->sys_label, BCH_NVM_PAGES_LABEL_SIZE))
		return bch_problem_add(&ns->problems, BCH_P_OL_SYS_HEAD, h->offset + 16,
				       "heads[0].label",
				       "heads[0].label is \"%s\", expected \"%s\"", label,
				       ns->lay->sys_label);
	return 0;
}

/*
 * nvmpg heads: the kernel walks every head whose state is not FREE, but its
 * lookups match state ALLOC only.
 */
static int check_state(struct bch_nvm_ns *ns, const struct bch_nvm_owner *o)
{
	char where[48];

	if (ns->lay->head_state_at < 0 || o->state == BCH_NVMPG_HD_STAT_ALLOC)
		return 0;
	snprintf(where, sizeof(where), "heads[%d].state", o->index);
	if (o->state == BCH_NVMPG_HD_STAT_FREE)
		return bch_problem_add(&ns->problems, BCH_P_OL_HEAD_FREE,
				       o->offset + (uint32_t)ns->lay->head_state_at, where,
				       "heads[%d] is FREE below used: its record lists are "
				       "not walked", o->index);
	return bch_problem_add(&ns->problems, BCH_P_OL_HEAD_STATE,
			       o->offset + (uint32_t)ns->lay->head_state_at, where, "state is %u: "
			       "registration walks the head, but no lookup finds it",
			       o->state);
}

/* Duplicate uuids in [0, n); non-zero heads in [n, max). */
static int check_heads(struct bch_nvm_ns *ns, uint32_t n)
{
	const uint32_t hs = ns->lay->head_size;
	char where[48], u[37];
	int rc = n ? check_sys_head(ns) : 0;

	for (uint32_t i = 0; i < n && !rc; i++)
		rc = check_state(ns, &ns->owners[i]);
	for (uint32_t i = 1; i < n && !rc; i++)
		for (uint32_t j = 0; j < i && !rc; j++) {
			if (memcmp(ns->owners[i].uuid, ns->owners[j].uuid, 16))
				continue;
			bch_uuid_format(ns->owners[i].uuid, u);
			snprintf(where, sizeof(where), "heads[%u].uuid", i);
			rc = bch_problem_add(&ns->problems, BCH_P_OL_DUP_UUID,
					     ns->owners[i].offset, where, "heads[%u] has "
					     "uuid %s, as heads[%u] has: it is unreachable",
					     i, u, j);
			break;
		}
	for (uint32_t i = n; i < (uint32_t)ns->lay->max_heads && !rc; i++) {
		const unsigned char *h = bch_nvm_head(ns, (int)i);
		size_t k = 0;

		while (k < hs && !h[k])
			k++;
		if (k == hs)
			continue;
		snprintf(where, sizeof(where), "heads[%u]", i);
		rc = bch_problem_add(&ns->problems, BCH_P_OL_TAIL_NONZERO,
				     bch_nvm_lay_head_offset(ns->lay, i) + k, where,
				     "heads[%u] is beyond used (%u) but byte %zu is 0x%02x, "
				     "expected 0", i, ns->owner_list->used, k, h[k]);
	}
	return rc;
}

static int walk_owners(struct bch_nvm_ns *ns)
{
	const struct bch_owner_list_head *t = ns->owner_list;
	struct bch_problems *ps = &ns->problems;
	const struct bch_nvm_layout *l = ns->lay;
	const char *tn = l->table_name;
	int slot_page[BCH_MAX_PGALLOC_RECS];
	uint32_t n;
	int rc = 0;

	if (t->size != (uint32_t)l->max_heads)
		rc = bch_problem_add(ps, BCH_P_OL_SIZE, OLH_OFF, "owner_list.size",
				     "%s.size is %u, expected %d", tn, t->size, l->max_heads);
	if (!rc && (t->used == 0 || t->used > t->size || t->used > (uint32_t)l->max_heads))
		rc = bch_problem_add(ps, BCH_P_OL_USED, OLH_OFF + 4, "owner_list.used",
				     "%s.used is %u, size is %u (at most %d heads fit)", tn,
				     t->used, t->size, l->max_heads);
	else if (!rc && t->used == t->size)
		rc = bch_problem_add(ps, BCH_P_OL_FULL, OLH_OFF + 4, "owner_list.used",
				     "%s.used is %u = size: %s", tn, t->used, l->nvmpg_ptrs ?
				     "a new owner's allocation fails (\"No free bch_nvmpg_head\")" :
				     "the next new owner makes the kernel BUG");
	if (rc)
		return rc;
	n = t->used;
	if (n > t->size)
		n = t->size;
	if (n > (uint32_t)l->max_heads)
		n = (uint32_t)l->max_heads;
	ns->heads_walked = n;
	ns->owners = calloc(n ? n : 1, sizeof(*ns->owners));
	if (!ns->owners)
		return -ENOMEM;
	for (int s = 0; s < BCH_MAX_PGALLOC_RECS; s++)
		slot_page[s] = -1;
	ns->nowners = n;
	for (uint32_t i = 0; i < n && !rc; i++) {
		struct bch_nvm_owner *o = &ns->owners[i];

		o->index = (int)i;
		o->offset = bch_nvm_lay_head_offset(l, i);
		o->raw = bch_nvm_head(ns, (int)i);
		o->uuid = o->raw;
		o->label = (const char *)o->raw + 16;
		o->state = BCH_NVMPG_HD_STAT_ALLOC;
		if (l->head_state_at >= 0) {
			memcpy(&o->state, o->raw + l->head_state_at, 4);
			memcpy(&o->flags, o->raw + l->head_state_at + 4, 4);
		}
		memcpy(o->recs_raw, o->raw + l->head_recs_at, sizeof(o->recs_raw));
		for (int j = 0; j < BCH_NVM_PAGES_NAMESPACES_MAX; j++)
			bch_nvm_ptr_decode(o->recs_raw[j], &ns->base, ns->size, &o->recs[j]);
	}
	rc = check_heads(ns, n);
	/* the v13 kernel skips FREE heads */
	for (uint32_t i = 0; i < n && !rc; i++)
		for (unsigned int j = 0; j < BCH_NVM_PAGES_NAMESPACES_MAX && !rc &&
		     ns->owners[i].state != BCH_NVMPG_HD_STAT_FREE; j++)
			rc = walk_chain(ns, (int)i, j, slot_page);
	if (!rc && !ns->no_stale)
		rc = find_stale(ns, slot_page);
	for (size_t a = 0; a < ns->nallocs; a++) {
		struct bch_nvm_owner *o = &ns->owners[ns->pages[ns->allocs[a].pg].owner];

		o->nrecords++;
		if (ns->allocs[a].valid)
			o->pages_allocated += 1ULL << ns->allocs[a].order;
	}
	if (!rc)
		rc = check_overlaps(ns);
	if (!rc)
		rc = build_walk(ns);
	return rc;
}

static int check_base(struct bch_nvm_ns *ns)
{
	const struct bch_nvm_base *b = &ns->base;
	struct bch_problems *ps = &ns->problems;
	uint64_t olh_at = BCH_NVM_PAGES_SB_OFFSET + offsetof(struct bch_nvm_pages_sb,
							      owner_list_head);

	if (b->disagree)
		return bch_problem_add(ps, BCH_P_BASE_DISAGREE, olh_at, "sb.owner_list_head",
				       "anchors imply different bases: owner_list_head 0x%llx, "
				       "heads[0].recs[0] 0x%llx, slot[0].owner 0x%llx",
				       (unsigned long long)b->owner_list_head,
				       (unsigned long long)b->head0_recs0,
				       (unsigned long long)b->slot0_owner);
	if (b->state == BCH_NVM_STATE_PARTIAL)
		return bch_problem_add(ps, BCH_P_BASE_PARTIAL, olh_at, "sb.owner_list_head",
				       "first attach partly persisted: owner_list_head %s, "
				       "heads[0].recs[0] %s, slot[0].owner %s",
				       b->owner_list_head_converted ? "converted" : "not converted",
				       b->head0_recs0_converted ? "converted" : "not converted",
				       b->slot0_owner_converted ? "converted" : "not converted");
	if (b->state == BCH_NVM_STATE_ATTACHED)
		return bch_problem_add(ps, BCH_P_ATTACHED, olh_at, "sb.owner_list_head",
				       "attached with base K = 0x%llx; the next registration "
				       "must map the namespace at the same address",
				       (unsigned long long)b->k);
	return 0;
}

/*
 * The posted v13 buddy set-up files every free block as page 0 (it passes a
 * page number where a byte offset is expected): the second block of an
 * order already used is a list corruption, which Debian's kernels (list
 * debugging, BUG on data corruption) turn into a BUG.  Told only of a
 * namespace that passes every check before it (no errors so far).
 */
static int v13_buddy_bug(struct bch_nvm_ns *ns)
{
	struct bch_nvm_buddy b;
	char what[256];
	int rc, rep = -1;

	if (!ns->owner_list || bch_problems_count(&ns->problems, BCH_SEV_ERROR))
		return 0;
	rc = bch_nvm_buddy_of(ns, false, &b);
	if (rc)
		return rc;
	for (int o = 0; o < BCH_MAX_ORDER && rep < 0; o++)
		if (b.blocks[o] > 1)
			rep = o;
	if (rep >= 0)
		snprintf(what, sizeof(what), "hits a kernel BUG in lib/list_debug.c registering "
			 "this namespace: its buddy set-up files every free block as page 0, "
			 "and order %d has %llu free blocks", rep,
			 (unsigned long long)b.blocks[rep]);
	else
		snprintf(what, sizeof(what), "registers this namespace (no order repeats among "
			 "its free blocks) but files every free block as page 0: its "
			 "allocations return offset 0, which callers take for failure");
	rc = bch_problem_add(&ns->problems, BCH_P_NVMPG_V13_BUG,
			     BCH_NVM_PAGES_SB_OFFSET + offsetof(struct bch_nvm_pages_sb, pages_total),
			     "sb.pages_total", "an unmodified v13 kernel %s", what);
	bch_nvm_buddy_free(&b);
	return rc;
}

/* After the first pages are read: superblock, base, owner walk. */
static int nvm_walk(struct bch_nvm_ns *ns)
{
	uint64_t head0_recs0 = 0, slot0_owner = 0;
	int rc;

	bch_nvm_sb_parse(ns->meta + BCH_NVM_PAGES_SB_OFFSET, &ns->sbi);
	/*
	 * Neither superblock rule: the secondary evidence of bcache-nvm-pages(5),
	 * NVMPG, decides: heads[0].state (u32 at 8280) 1 and its recs_offset[0]
	 * (u64 at 8288) 16384 is the nvmpg table.
	 */
	if (ns->sbi.revision == BCH_NVM_REV_UNKNOWN && ns->meta_len >= 8296) {
		uint32_t st;
		uint64_t r0v;

		memcpy(&st, ns->meta + 8280, 4);
		memcpy(&r0v, ns->meta + 8288, 8);
		if (st == BCH_NVMPG_HD_STAT_ALLOC && r0v == SYS_OFF)
			bch_nvm_sb_set_revision(&ns->sbi, BCH_NVM_REV_V12);
	}
	ns->lay = ns->sbi.lay;
	if (ns->sbi.revision == BCH_NVM_REV_NONE)
		return -ENODATA;
	rc = bch_nvm_sb_check(&ns->sbi, ns->size, &ns->problems);
	if (rc)
		return rc;

	if (ns->lay->nvmpg_ptrs) {
		/* offsets: no base to establish; the table only where v13 reads it */
		uint64_t t = ns->sbi.sb.owner_list_head;

		memset(&ns->base, 0, sizeof(ns->base));
		ns->base.lay = ns->lay;
		ns->base.ns_id = ns->sbi.sb.this_namespace_nr & BCH_NVMPG_NS_ID_MASK;
		ns->base.owner_list_head = t;
		ns->base.k_known = true;
		ns->base.state = BCH_NVMPG_GET_OFFSET(t) == OLH_OFF ? BCH_NVM_STATE_NVMPG :
				 BCH_NVM_STATE_NO_TABLE;
		if (ns->base.state == BCH_NVM_STATE_NVMPG &&
		    ns->meta_len >= SYS_OFF + BCH_NVM_PAGES_RECS_SIZE)
			ns->owner_list = (const void *)(ns->meta + OLH_OFF);
		rc = ns->owner_list ? walk_owners(ns) : 0;
		return rc ? rc : v13_buddy_bug(ns);
	}
	if (ns->sbi.sb.owner_list_head && ns->meta_len >= SYS_OFF + BCH_NVM_PAGES_RECS_SIZE) {
		ns->owner_list = (const void *)(ns->meta + OLH_OFF);
		head0_recs0 = ns->owner_list->heads[0].recs[0];
		memcpy(&slot0_owner, ns->meta + SYS_OFF, 8);
	}
	bch_nvm_base_establish(ns->sbi.sb.owner_list_head, head0_recs0, slot0_owner, &ns->base);
	rc = check_base(ns);
	if (!rc && ns->owner_list)
		rc = walk_owners(ns);
	return rc;
}

/*
 * The pages read before the walk: the superblock, the owner table and
 * slot 0 (the allocator's record page), [0, 24 KiB); a full load reads all.
 */
#define META_FIRST (SYS_OFF + BCH_NVM_PAGES_RECS_SIZE)

static int nvm_load(struct bch_media *m, struct bch_nvm_ns *ns, bool lazy, bool no_stale)
{
	int rc;

	memset(ns, 0, sizeof(*ns));
	ns->path = strdup(m->path);
	if (!ns->path)
		return -ENOMEM;
	ns->size = m->size;
	if (m->size < 2 * 4096)
		return -ENODATA;
	ns->meta_len = m->size < BCH_NVM_PAGES_OFFSET ? m->size : BCH_NVM_PAGES_OFFSET;
	/* zeroed and page aligned: the pages a lazy load never reads are never
	 * touched, and O_DIRECT reads land in place */
	ns->meta = bch_media_buf_alloc(ns->meta_len);
	if (!ns->meta)
		return -ENOMEM;
	/* a lazy load touches a few pages of it: 4 KiB faults, not 2 MiB
	 * clears (bch_media_buf_alloc) */
	if (lazy)
		madvise(ns->meta, ns->meta_len, MADV_NOHUGEPAGE);
	ns->meta_lazy = lazy;
	ns->no_stale = no_stale;
	ns->meta_m = m;
	rc = lazy ? meta_need(ns, 0, META_FIRST) : bch_media_read(m, ns->meta, ns->meta_len, 0);
	if (!rc)
		rc = nvm_walk(ns);
	ns->meta_m = NULL;
	return rc;
}

int bch_nvm_load_buf(const void *meta, size_t len, uint64_t size, const char *path,
		     struct bch_nvm_ns *ns)
{
	memset(ns, 0, sizeof(*ns));
	ns->path = strdup(path);
	if (!ns->path)
		return -ENOMEM;
	ns->size = size;
	if (size < 2 * 4096 || len < 2 * 4096)
		return -ENODATA;
	ns->meta_len = size < BCH_NVM_PAGES_OFFSET ? size : BCH_NVM_PAGES_OFFSET;
	if (len < ns->meta_len)
		return -EINVAL;
	ns->meta = bch_media_buf_alloc(ns->meta_len);
	if (!ns->meta)
		return -ENOMEM;
	memcpy(ns->meta, meta, ns->meta_len);
	return nvm_walk(ns);
}

int bch_nvm_load(struct bch_media *m, struct bch_nvm_ns *ns)
{
	return nvm_load(m, ns, false, false);
}

int bch_nvm_load_lazy(struct bch_media *m, struct bch_nvm_ns *ns)
{
	return nvm_load(m, ns, true, false);
}

int bch_nvm_load_allocs(struct bch_media *m, struct bch_nvm_ns *ns)
{
	return nvm_load(m, ns, true, true);
}
