// SPDX-License-Identifier: GPL-2.0
/*
 * Locating the v7 journal in an nvm-pages namespace (bcache-journal-format(5),
 * LOCATING), on top of the owner-list walk of lib/nvm-walk.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bcache/cache-sb.h>
#include <bcache/fields.h>
#include <bcache/grow.h>
#include <bcache/journal.h>
#include <bcache/nvm-walk.h>

#define SPAN_MAX	(1ULL << 31)	/* the largest buddy block: 2^19 pages */

const char *bch_jstride_name(enum bch_jstride s)
{
	switch (s) {
	case BCH_JSTRIDE_NONE:
		return "none";
	case BCH_JSTRIDE_BYTES:
		return "bytes (v7)";
	case BCH_JSTRIDE_BUCKET_BYTES:
		return "bucket bytes (v12)";
	case BCH_JSTRIDE_IRREGULAR:
		return "irregular";
	}
	return "?";
}

void bch_jlocate_free(struct bch_jlocate *l)
{
	free(l->r);
	bch_problems_free(&l->problems);
	memset(l, 0, sizeof(*l));
}

static int owner_of(const struct bch_nvm_ns *ns, const struct bch_nvm_alloc *a)
{
	return ns->pages[a->pg].owner;
}

/* Append the valid allocations of owner owner_idx (index into ns->owners) as regions. */
static int add_regions(const struct bch_nvm_ns *ns, int owner_idx, uint64_t magic,
		       struct bch_jlocate *out)
{
	for (size_t i = 0; i < ns->nallocs; i++) {
		const struct bch_nvm_alloc *a = &ns->allocs[i];
		const struct bch_nvm_recpage *pg = &ns->pages[a->pg];
		struct bch_jregion *r, *v;

		if (!a->valid || owner_of(ns, a) != owner_idx)
			continue;
		if (out->nr == out->cap && bch_grow((void **)&out->r, &out->cap, sizeof(*v)))
			return -ENOMEM;
		v = out->r;
		r = &v[out->nr++];
		memset(r, 0, sizeof(*r));
		r->owner = owner_idx;
		r->alloc = (int)i;
		r->start = a->page * 4096;
		r->len = (1ULL << a->order) * 4096;
		memcpy(r->uuid, ns->owners[owner_idx].uuid, 16);
		r->magic = magic;
		/* v7 looks in chain recs[0] below used; v13 in every chain, all size */
		r->kernel_finds = !ns->lay->lookup_by_used ||
				  (pg->ns == 0 && (uint32_t)a->rec < pg->raw->used);
	}
	return 0;
}

static int leaked(const struct bch_nvm_ns *ns, int owner_idx, size_t n, struct bch_jlocate *out)
{
	if (n < 2)
		return 0;
	return bch_problem_add(&out->problems, BCH_P_J_LEAKED_REGION, ns->owners[owner_idx].offset,
			       "owner", "head %d has %zu journal regions: a region allocated "
			       "again after a crash leaks the other", ns->owners[owner_idx].index, n);
}

int bch_journal_locate_owners(const struct bch_nvm_ns *ns, const uint8_t *cset_uuid,
			      struct bch_jlocate *out)
{
	int only = -1, rc = 0;

	memset(out, 0, sizeof(*out));
	out->chosen = -1;
	for (size_t i = 0; cset_uuid && i < ns->nowners && only < 0; i++)
		if (!memcmp(ns->owners[i].uuid, cset_uuid, 16))
			only = (int)i;
	for (size_t i = 0; i < ns->nowners && !rc; i++) {
		size_t before = out->nr;

		if (only >= 0 && (int)i != only)
			continue;
		rc = add_regions(ns, (int)i, bch_jset_magic(cset_uuid ? cset_uuid :
							    ns->owners[i].uuid), out);
		if (!rc && i > 0)
			rc = leaked(ns, (int)i, out->nr - before, out);
	}
	return rc;
}

/*
 * LOCATING with the cache superblock, step 2: the owner head the kernel
 * would find, by its uuid.
 */
static int find_owner(const struct bch_nvm_ns *ns, const uint8_t *uuid)
{
	for (size_t i = 0; i < ns->nowners; i++)
		if (!memcmp(ns->owners[i].uuid, uuid, 16))
			return (int)i;
	return -1;
}

#define SB_D_AT(i) (BCH_CACHE_SB_AT(d) + 8 * (uint64_t)(i))

/*
 * The namespace byte offset a d[] value stands for: v7 kernel address - K,
 * nvmpg offset without its namespace id (checked by the caller).  An
 * out-of-range value gives a value >= the namespace size.
 */
static uint64_t d_offset(const struct bch_nvm_ns *ns, uint64_t d)
{
	if (ns->lay->nvmpg_ptrs)
		return BCH_NVMPG_GET_NS_ID(d) == ns->base.ns_id ? BCH_NVMPG_GET_OFFSET(d) :
		       UINT64_MAX;
	return d >= ns->base.k ? d - ns->base.k : UINT64_MAX;
}

static uint64_t alloc_pgoff(const struct bch_nvm_ns *ns, const struct bch_nvm_alloc *a)
{
	struct bch_rec r;

	bch_nvm_alloc_rec(ns, a, &r);
	return r.pgoff;
}

static int match_record(const struct bch_nvm_ns *ns, const struct cache_sb_disk *sb,
			int owner_idx, struct bch_jlocate *out)
{
	struct bch_problems *ps = &out->problems;
	size_t n = out->nr;
	int rc = add_regions(ns, owner_idx, bch_jset_magic(sb->set_uuid), out);

	if (rc)
		return rc;
	for (size_t i = n; i < out->nr; i++)
		if (alloc_pgoff(ns, &ns->allocs[out->r[i].alloc]) ==
		    (ns->lay->nvmpg_ptrs ? d_offset(ns, sb->d[0]) : sb->d[0]) >> 12 &&
		    out->chosen < 0)
			out->chosen = (int)i;
	if (out->nr - n > 1 && owner_idx > 0)
		rc = leaked(ns, owner_idx, out->nr - n, out);
	if (rc)
		return rc;
	if (out->chosen < 0)
		return bch_problem_add(ps, BCH_P_J_NO_RECORD, SB_D_AT(0), "cache_sb.d[0]",
				       "d[0] = 0x%llx matches no record of head %d (pgoff "
				       "0x%llx)", (unsigned long long)sb->d[0],
				       ns->owners[owner_idx].index, (unsigned long long)(sb->d[0] >> 12));
	if (!out->r[out->chosen].kernel_finds) {
		const struct bch_nvm_alloc *a = &ns->allocs[out->r[out->chosen].alloc];
		const struct bch_nvm_recpage *pg = &ns->pages[a->pg];

		rc = bch_problem_add(ps, BCH_P_J_KERNEL_LOOKUP,
				     bch_nvm_alloc_at(ns, a), "record",
				     "the record (slot %d, recs[%d], chain recs[%d], used %u) is "
				     "not found by the kernel's lookup (chain recs[0], index < "
				     "used): it would allocate a new region", pg->slot, a->rec,
				     pg->ns, pg->raw->used);
	}
	return rc;
}

static enum bch_jstride detect_stride(const struct cache_sb_disk *sb, unsigned int n,
				      uint64_t bs)
{
	bool bytes = true, bucket = true;

	if (n < 2)
		return BCH_JSTRIDE_NONE;
	for (unsigned int b = 1; b < n; b++) {
		uint64_t diff = sb->d[b] - sb->d[0];

		bytes = bytes && diff == b * bs;
		bucket = bucket && diff == b * bs * 512;
	}
	return bytes ? BCH_JSTRIDE_BYTES : bucket ? BCH_JSTRIDE_BUCKET_BYTES :
	       BCH_JSTRIDE_IRREGULAR;
}

/* LOCATING with the cache superblock, step 3: bucket offsets, range
 * checks and the span to scan. */
static int place_buckets(const struct bch_nvm_ns *ns, const struct cache_sb_disk *sb,
			 struct bch_jlocate *out)
{
	struct bch_jgeom *g = &out->g;
	const struct bch_jregion *reg = out->chosen >= 0 ? &out->r[out->chosen] : NULL;
	uint64_t bb = g->bucket_sectors * 512, lo = UINT64_MAX, hi = 0;
	unsigned int bad = 0, first_bad = 0;

	for (unsigned int b = 0; b < g->n; b++) {
		uint64_t s = d_offset(ns, sb->d[b]);
		bool in_ns = s < ns->size;
		bool in_reg = reg && in_ns && s >= reg->start && s - reg->start < reg->len &&
			      bb <= reg->start + reg->len - s;

		g->usable[b] = in_ns;
		g->start[b] = in_ns ? s : 0;
		if (!in_reg && !bad++)
			first_bad = b;
		if (!in_ns)
			continue;
		lo = s < lo ? s : lo;
		hi = s + bb > hi ? s + bb : hi;
	}
	if (reg) {
		out->span_start = reg->start;
		out->span_end = reg->start + reg->len;
	} else if (hi) {
		out->span_start = lo & ~7ULL;
		out->span_end = hi > ns->size ? ns->size : hi;
		if (out->span_end - out->span_start > SPAN_MAX)
			out->span_end = out->span_start + SPAN_MAX;
	}
	if (!bad)
		return 0;
	return bch_problem_add(&out->problems, BCH_P_J_BUCKET_RANGE, SB_D_AT(first_bad),
			       "cache_sb.d", "%u of %u journal buckets lie outside the %s, "
			       "the first is bucket %u (d = 0x%llx)", bad, g->n,
			       reg ? "journal region" : "namespace", first_bad,
			       (unsigned long long)sb->d[first_bad]);
}

int bch_journal_locate_sb(const struct bch_nvm_ns *ns, const struct bch_cache_sb_info *csb,
			  struct bch_jlocate *out)
{
	const struct cache_sb_disk *sb = &csb->sb;
	struct bch_problems *ps = &out->problems;
	int owner_idx, rc;

	memset(out, 0, sizeof(*out));
	out->chosen = -1;
	if (!csb->nvdimm || sb->version < BCACHE_SB_VERSION_CDEV_WITH_FEATURES)
		return bch_problem_add(ps, BCH_P_CSB_NOT_NVDIMM, BCH_CACHE_SB_AT(feature_incompat),
				       "cache_sb.feature_incompat", "version %llu, incompat "
				       "0x%llx: the journal is not on NVDIMM (needs version >= 5 "
				       "and nvdimm_meta)", (unsigned long long)sb->version,
				       (unsigned long long)sb->feature_incompat);
	out->g.n = sb->keys < SB_JOURNAL_BUCKETS ? sb->keys : SB_JOURNAL_BUCKETS;
	out->g.bucket_sectors = csb->bucket_sectors;
	out->g.block_sectors = sb->block_size;
	if (!sb->keys && (!ns->base.k_known || ns->base.state == BCH_NVM_STATE_FRESH) &&
	    (ns->lay->nvmpg_ptrs || !memcmp(ns->sbi.sb.set_uuid, sb->set_uuid, 16))) {
		/*
		 * as make -M -C leaves a pair (v7: one set uuid; the nvmpg
		 * formatter gives the namespace its own): the kernel sets keys
		 * and d[] when it registers the cache device
		 */
		out->not_written = true;
		return bch_problem_add(ps, BCH_P_J_NOT_WRITTEN, BCH_CACHE_SB_AT(keys),
				       "cache_sb.keys", "no journal written yet: keys is 0 and "
				       "the namespace is %s (formatted, never registered by a "
				       "kernel)", bch_nvm_state_name(ns->base.state));
	}
	if (!ns->base.k_known || ns->base.state == BCH_NVM_STATE_FRESH)
		return bch_problem_add(ps, BCH_P_J_NO_BASE, BCH_NVM_SB_AT(owner_list_head),
				       "sb.owner_list_head",
				       "the namespace was never attached (state %s): its journal "
				       "addresses cannot be resolved",
				       bch_nvm_state_name(ns->base.state));
	owner_idx = find_owner(ns, sb->set_uuid);
	if (owner_idx < 0) {
		char u[37];

		bch_uuid_format(sb->set_uuid, u);
		rc = bch_problem_add(ps, BCH_P_J_NO_OWNER, 8192, "owner_list",
				     "no owner head has the cache set uuid %s", u);
	} else {
		rc = match_record(ns, sb, owner_idx, out);
	}
	if (!rc && out->chosen >= 0 && d_offset(ns, sb->d[0]) != out->r[out->chosen].start)
		rc = bch_problem_add(ps, BCH_P_J_BASE, SB_D_AT(0), "cache_sb.d[0]",
				     "d[0] = 0x%llx lies %llu bytes into the region at 0x%llx: "
				     "the kernel finds the region by d[0]'s page (a table "
				     "written by journal repair)", (unsigned long long)sb->d[0],
				     (unsigned long long)(d_offset(ns, sb->d[0]) -
							  out->r[out->chosen].start),
				     (unsigned long long)bch_nvm_ptr_encode(
					     out->r[out->chosen].start, &ns->base));
	out->stride = detect_stride(sb, out->g.n, out->g.bucket_sectors);
	if (!rc)
		rc = bch_problem_add(ps, out->stride == BCH_JSTRIDE_IRREGULAR ?
				     BCH_P_J_STRIDE_IRREGULAR : BCH_P_J_STRIDE, SB_D_AT(1),
				     "cache_sb.d", "d[] stride: %s", bch_jstride_name(out->stride));
	return rc ? rc : place_buckets(ns, sb, out);
}

/* ---- geometry inference (LOCATING step 7) ---- */

static uint64_t gcd64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * The keys the kernel's order allows for a region of `pages` (a power of
 * two) and bucket_size bs sectors: floor(log2(bs * keys / 8)) = log2(pages),
 * so keys in [8 pages / bs, 16 pages / bs), within [2, 256].  false when
 * bs is no power of two >= 8 or no keys fits.
 */
static bool keys_for(uint64_t pages, uint64_t bs, unsigned int *kmin, unsigned int *kmax)
{
	uint64_t lo, hi;

	if (bs < 8 || bs & (bs - 1) || bs > (1ULL << 40))
		return false;
	lo = (8 * pages + bs - 1) / bs;
	hi = (16 * pages + bs - 1) / bs - 1;
	lo = lo < 2 ? 2 : lo;
	hi = hi > SB_JOURNAL_BUCKETS ? SB_JOURNAL_BUCKETS : hi;
	if (lo > hi)
		return false;
	*kmin = (unsigned int)lo;
	*kmax = (unsigned int)hi;
	return true;
}

static void infer_kind(struct bch_jinfer *o, uint64_t len)
{
	uint64_t pages = len / 4096;
	unsigned int v7min, v7max, bbmin = 0, bbmax = 0;
	bool v7, bb;

	if (!pages || pages & (pages - 1))
		return;
	v7 = keys_for(pages, o->stride, &v7min, &v7max);
	bb = o->stride % 512 == 0 && keys_for(pages, o->stride / 512, &bbmin, &bbmax);
	if (v7 == bb)
		return;
	o->kind = v7 ? BCH_JSTRIDE_BYTES : BCH_JSTRIDE_BUCKET_BYTES;
	o->bucket_sectors = v7 ? o->stride : o->stride / 512;
	o->keys_min = v7 ? v7min : bbmin;
	o->keys_max = v7 ? v7max : bbmax;
}

/* gcd of the forward spacings of consecutive seqs, at most a jset and a block apart. */
static uint64_t block_multiple(const struct bch_jlist *l)
{
	uint64_t g = 0;

	for (size_t i = l->lo; i + 1 < l->hi; i++) {
		const struct bch_jset_head *a = bch_jlist_hit(l, i), *b = bch_jlist_hit(l, i + 1);
		uint64_t d = b->off - a->off;

		if (b->seq != a->seq + 1 || b->off <= a->off || d < bch_jset_bytes(a) ||
		    d > JSET_MAX_BYTES + 4096)
			continue;
		g = gcd64(g, d);
	}
	return g;
}

void bch_journal_infer(const struct bch_jlist *media, uint64_t start, uint64_t len,
		       struct bch_jinfer *out)
{
	const struct bch_jset_head *one = bch_jlist_seq(media, 1);
	struct bch_jgeom *g = &out->g;

	memset(out, 0, sizeof(*out));
	out->block_multiple = block_multiple(media);
	if (!one || one->off <= start)
		return;
	out->seq1 = true;
	out->stride = one->off - start;
	infer_kind(out, len);
	if (out->kind == BCH_JSTRIDE_NONE)
		return;
	g->n = out->keys_max;
	g->bucket_sectors = out->bucket_sectors;
	g->block_sectors = out->block_multiple % 512 ? 0 : out->block_multiple / 512;
	for (unsigned int b = 0; b < g->n; b++) {
		g->start[b] = start + b * out->stride;
		g->usable[b] = b * out->stride < len;
	}
}

int bch_jgeom_bucket_of(const struct bch_jgeom *g, const struct bch_jscan *sc, uint64_t off)
{
	uint64_t bb = g->bucket_sectors * 512, blk = g->block_sectors * 512;
	const struct bch_jset_head *h;

	for (unsigned int b = 0; b < g->n; b++) {
		uint64_t s = g->start[b];

		if (!g->usable[b] || off < s || off - s >= bb)
			continue;
		if (blk && (off - s) % blk)
			continue;
		h = bch_jscan_at(sc, s);
		if (h && h->state == BCH_JSET_OK)
			return (int)b;
	}
	return -1;
}
