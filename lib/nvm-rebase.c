// SPDX-License-Identifier: GPL-2.0
/*
 * bcache nvm rebase: move every stored kernel address of an attached v7
 * namespace (and of its cache devices' d[]) to a new base, crash-safe and
 * resumable (include/bcache/nvm-rebase.h).  The walk that finds the
 * pointers is the owner-list walk of lib/nvm-walk.c, bounded the same way
 * (heads clamped to min(used, size, 72), each slot visited once, records
 * clamped to 1013); what it finds is only trusted after the standard load
 * of the namespace, with every pointer put back to the superblock's base,
 * checks clean.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bcache/cache-sb.h>
#include <bcache/grow.h>
#include <bcache/journal.h>
#include <bcache/media.h>
#include <bcache/nvm-rebase.h>

#define OLH_OFF		BCH_NVM_PAGES_OWNER_LIST_HEAD_OFFSET
#define SYS_OFF		BCH_NVM_PAGES_SYS_RECS_HEAD_OFFSET
#define SB_OFF		BCH_NVM_PAGES_SB_OFFSET
#define SB_OLH_AT	(SB_OFF + offsetof(struct bch_nvm_pages_sb, owner_list_head))
#define SB_CSUM_AT	(SB_OFF + offsetof(struct bch_nvm_pages_sb, csum))
#define RECS_AT		offsetof(struct bch_nvm_pages_owner_head, recs)
#define MARKER_AT	(BCH_NVM_HEAD_OFFSET(0) + RECS_AT)	/* heads[0].recs[0] */
#define CSB_OFF		4096	/* the cache superblock's page (SB_OFFSET) */
#define CSB_D_AT(i)	(CSB_OFF + BCH_CACHE_SB_D_OFF + 8 * (uint64_t)(i))

const char *bch_rebase_verdict_text(enum bch_rebase_verdict v)
{
	switch (v) {
	case BCH_RB_OK:
		return "";
	case BCH_RB_FRESH:
		return "the namespace was never attached by a kernel: it stores no base "
		       "(the first registration stores one)";
	case BCH_RB_NOT_V7:
		return "no v7 nvm-pages superblock of namespace 0 (only it holds addresses)";
	case BCH_RB_NVMPG:
		return "an nvm-pages namespace of the nvmpg (v12/v13) revision: it stores "
		       "namespace offsets, not kernel addresses, so there is nothing to rebase";
	case BCH_RB_BAD_BASE:
		return "the new base must be a page-aligned kernel address (>= 2^63) with "
		       "the whole namespace below 2^64";
	case BCH_RB_OVERLAP:
		return "the new base's address range overlaps the old one: a stored pointer "
		       "could not tell which base it holds";
	case BCH_RB_NOT_CLEAN:
		return "the namespace does not check clean apart from its base";
	case BCH_RB_CACHE:
		return "a cache device cannot be rebased";
	}
	return "?";
}

const char *bch_rebase_cache_verdict_text(enum bch_rebase_cache_verdict v)
{
	switch (v) {
	case BCH_RBC_OK:
		return "";
	case BCH_RBC_EMPTY:
		return "no journal buckets yet (keys or d[0] is 0): nothing to move";
	case BCH_RBC_NOT_NVDIMM:
		return "not a bcache cache device with nvdimm_meta (version 5)";
	case BCH_RBC_NO_OWNER:
		return "its cache set owns nothing in this namespace";
	case BCH_RBC_NO_BASE:
		return "d[0] lies in none of its set's journal regions at any base";
	case BCH_RBC_OVERLAP:
		return "the base its d[] hold overlaps the new base's range";
	case BCH_RBC_NOT_CLEAN:
		return "its superblock or journal location does not check clean";
	}
	return "?";
}

void bch_rebase_field_where(const struct bch_rebase_field *f, char *buf, size_t len)
{
	switch (f->kind) {
	case BCH_RBF_HEAD_RECS:
		snprintf(buf, len, "heads[%u].recs[%u]", f->a, f->b);
		return;
	case BCH_RBF_OWNER:
		snprintf(buf, len, "slot[%u].owner", f->a);
		return;
	case BCH_RBF_NEXT:
		snprintf(buf, len, "slot[%u].next", f->a);
		return;
	case BCH_RBF_REC:
		snprintf(buf, len, "slot[%u].recs[%u]", f->a, f->b);
		return;
	case BCH_RBF_SB_OLH:
		snprintf(buf, len, "sb.owner_list_head");
		return;
	case BCH_RBF_SB_CSUM:
		snprintf(buf, len, "sb.csum");
		return;
	case BCH_RBF_CACHE_D:
		snprintf(buf, len, "cache_sb.d[%u]", f->b);
		return;
	case BCH_RBF_CACHE_CSUM:
		snprintf(buf, len, "cache_sb.csum");
		return;
	}
	snprintf(buf, len, "?");
}

static uint64_t get64(const unsigned char *p, uint64_t off)
{
	uint64_t v;

	memcpy(&v, p + off, 8);
	return v;
}

static void put64(unsigned char *p, uint64_t off, uint64_t v)
{
	memcpy(p + off, &v, 8);
}

/* [k, k + size) as addresses: k is a kernel address and nothing wraps. */
static bool base_ok(uint64_t k, uint64_t size)
{
	return k >= BCH_NVM_KERNEL_ADDR_MIN && !(k & 4095) && k <= UINT64_MAX - size;
}

static bool overlap(uint64_t a, uint64_t b, uint64_t size)
{
	return a != b && (a > b ? a - b : b - a) < size;
}

/* ---- the walk over the pointers, in either of up to two bases ---- */

struct forms {
	uint64_t k[2];
	int n;
	uint64_t size;
};

/* Namespace offset of an address held in one of the forms; -1 if none. */
static int ptr_form(const struct forms *f, uint64_t v, uint64_t *off)
{
	for (int i = 0; i < f->n; i++)
		if (v > f->k[i] && v - f->k[i] < f->size) {
			*off = v - f->k[i];
			return i;
		}
	return -1;
}

/* Namespace page of a record's pgoff in one of the forms; -1 if none. */
static int rec_form(const struct forms *f, uint64_t v, uint64_t *page)
{
	uint64_t pgoff = bch_rec_pgoff(v);

	for (int i = 0; i < f->n; i++) {
		uint64_t kp = f->k[i] >> 12;

		if (pgoff > kp && pgoff - kp < f->size / 4096) {
			*page = pgoff - kp;
			return i;
		}
	}
	return -1;
}

struct hit {
	uint64_t at;		/* where the u64 is */
	uint64_t off;		/* what it points at: namespace offset, or page (REC) */
	enum bch_rebase_kind kind;
	uint16_t a, b;
};

typedef int (*hit_fn)(void *arg, const struct hit *h);

/* The u64 at h->at moved to base k (records keep order and reserved bits). */
static uint64_t moved(uint64_t v, const struct hit *h, uint64_t k)
{
	if (h->kind == BCH_RBF_REC)
		return (v & ~BCH_PGALLOC_REC_PGOFF_MASK) |
		       (((k >> 12) + h->off) & BCH_PGALLOC_REC_PGOFF_MASK);
	return k + h->off;
}

/* One record page reached through a chain: its owner and records. */
static int walk_page(const unsigned char *b, const struct forms *f, int slot, uint64_t off,
		     hit_fn fn, void *arg)
{
	const struct bch_nvm_pgalloc_recs *p = (const void *)(b + off);
	uint32_t n = bch_nvm_recs_walked(p);
	struct hit h = { .a = (uint16_t)slot };
	int rc = 0;

	if (p->owner && ptr_form(f, p->owner, &h.off) >= 0) {
		h.at = off + offsetof(struct bch_nvm_pgalloc_recs, owner);
		h.kind = BCH_RBF_OWNER;
		rc = fn(arg, &h);
	}
	for (uint32_t k = 0; k < n && !rc; k++) {
		uint64_t v = p->recs[k].v;

		if (!bch_rec_pgoff(v) || rec_form(f, v, &h.off) < 0)
			continue;
		h.at = off + offsetof(struct bch_nvm_pgalloc_recs, recs) + 8 * (uint64_t)k;
		h.kind = BCH_RBF_REC;
		h.b = (uint16_t)k;
		rc = fn(arg, &h);
	}
	return rc;
}

/*
 * Every pointer and record the owner-list walk reaches in b (len bytes),
 * held in one of the forms.  fn may rewrite the u64 it is given.
 */
static int walk(unsigned char *b, size_t len, const struct forms *f, hit_fn fn, void *arg)
{
	const struct bch_owner_list_head *t = (const void *)(b + OLH_OFF);
	uint32_t n = t->used;
	bool seen[BCH_MAX_PGALLOC_RECS] = { false };
	int rc = 0;

	n = n < t->size ? n : t->size;
	n = n < BCH_MAX_OWNER_LIST ? n : BCH_MAX_OWNER_LIST;
	for (uint32_t i = 0; i < n && !rc; i++)
		for (uint32_t j = 0; j < BCH_NVM_PAGES_NAMESPACES_MAX && !rc; j++) {
			struct hit h = { .at = BCH_NVM_HEAD_OFFSET(i) + RECS_AT + 8 * j,
					 .kind = BCH_RBF_HEAD_RECS, .a = (uint16_t)i,
					 .b = (uint16_t)j };

			while (!rc) {
				uint64_t v = get64(b, h.at);
				int s;

				if (!v || ptr_form(f, v, &h.off) < 0)
					break;
				rc = fn(arg, &h);
				s = bch_nvm_slot_of(h.off);
				if (rc || s < 0 || h.off + BCH_NVM_PAGES_RECS_SIZE > len || seen[s] ||
				    memcmp(((const struct bch_nvm_pgalloc_recs *)(b + h.off))->magic,
					   bch_nvm_recs_magic, 16))
					break;
				seen[s] = true;
				rc = walk_page(b, f, s, h.off, fn, arg);
				h.at = h.off + offsetof(struct bch_nvm_pgalloc_recs, next);
				h.kind = BCH_RBF_NEXT;
				h.a = (uint16_t)s;
				h.b = 0;
			}
		}
	return rc;
}

/* Normalise: every pointer to base k, in place. */
struct norm_ctx {
	unsigned char *b;
	uint64_t k;
};

static int to_base(void *arg, const struct hit *h)
{
	struct norm_ctx *c = arg;

	put64(c->b, h->at, moved(get64(c->b, h->at), h, c->k));
	return 0;
}

/* ---- the plan ---- */

static int add_field(struct bch_rebase *rb, int dev, uint64_t off, uint64_t old, uint64_t new,
		     enum bch_rebase_kind kind, uint16_t a, uint16_t b)
{
	struct bch_rebase_field *f;

	if (old == new)
		return 0;
	if (rb->n == rb->cap && bch_grow((void **)&rb->v, &rb->cap, sizeof(*f)))
		return -ENOMEM;
	f = &rb->v[rb->n++];
	f->off = off;
	f->old = old;
	f->new = new;
	f->dev = (uint8_t)dev;
	f->kind = (uint8_t)kind;
	f->a = a;
	f->b = b;
	return 0;
}

struct plan_ctx {
	struct bch_rebase *rb;
	const unsigned char *orig, *norm;
};

static int plan_hit(void *arg, const struct hit *h)
{
	struct plan_ctx *c = arg;

	if (h->at == MARKER_AT)
		return 0;	/* written first, added before the walk */
	return add_field(c->rb, 0, h->at, get64(c->orig, h->at),
			 moved(get64(c->norm, h->at), h, c->rb->k_to), h->kind, h->a, h->b);
}

static int cmp_field(const void *x, const void *y)
{
	const struct bch_rebase_field *a = x, *b = y;

	return a->off < b->off ? -1 : a->off > b->off;
}

void bch_rebase_free(struct bch_rebase *rb)
{
	free(rb->v);
	bch_problems_free(&rb->problems);
	bch_nvm_ns_free(&rb->ns);
	memset(rb, 0, sizeof(*rb));
}

/* The csum of a superblock page with owner_list_head olh. */
static uint64_t sb_csum_with(const unsigned char *meta, uint64_t olh)
{
	unsigned char page[4096];
	uint64_t c = 0;

	memcpy(page, meta + SB_OFF, sizeof(page));
	put64(page, SB_OLH_AT - SB_OFF, olh);
	bch_nvm_sb_csum(page, sizeof(page), &c);
	return c;
}

/* Whether problems of at least warning severity remain. */
static bool unclean(const struct bch_problems *ps)
{
	return bch_problems_count(ps, BCH_SEV_WARN) > 0;
}

/* ---- cache devices ---- */

/* The base the d[] of a cache device hold, or 0 when none fits. */
static uint64_t cache_base(const struct bch_rebase *rb, const struct cache_sb_disk *sb,
			   int owner_idx)
{
	const struct bch_nvm_ns *ns = &rb->ns;
	uint64_t known[3] = { rb->k_from, rb->k_mid, rb->k_to }, d0 = sb->d[0];

	for (int i = 0; i < 3; i++)
		if (known[i] && d0 > known[i] && d0 - known[i] < ns->size)
			return known[i];
	/* a cache device left at an older base: d[0] is its region's start */
	for (size_t i = 0; i < ns->nallocs; i++) {
		const struct bch_nvm_alloc *a = &ns->allocs[i];
		uint64_t k = d0 - a->page * 4096;

		if (a->valid && ns->pages[a->pg].owner == owner_idx && d0 >= a->page * 4096 &&
		    base_ok(k, ns->size))
			return k;
	}
	return 0;
}

static int find_owner(const struct bch_nvm_ns *ns, const uint8_t *uuid)
{
	for (size_t i = 0; i < ns->nowners; i++)
		if (!memcmp(ns->owners[i].uuid, uuid, 16))
			return (int)i;
	return -1;
}

/* Journal-location problems of error severity, into rb->problems. */
static int journal_clean(struct bch_rebase *rb, const unsigned char *page, uint64_t dev_bytes,
			 bool *clean)
{
	struct bch_cache_sb_info info;
	struct bch_jlocate loc;
	struct bch_problems ps = { 0 };
	int rc;

	bch_cache_sb_parse(page, &info);
	rc = bch_cache_sb_check(&info, dev_bytes, 0, &ps);
	if (!rc)
		rc = bch_journal_locate_sb(&rb->ns, &info, &loc);
	for (size_t i = 0; !rc && i < loc.problems.n; i++)
		if (loc.problems.v[i].severity >= BCH_SEV_ERROR)
			rc = bch_problem_add(&ps, loc.problems.v[i].code, loc.problems.v[i].offset,
					     loc.problems.v[i].where, "%s",
					     loc.problems.v[i].message);
	bch_jlocate_free(&loc);
	*clean = !unclean(&ps);
	for (size_t i = 0; !rc && i < ps.n; i++)
		if (ps.v[i].severity >= BCH_SEV_WARN)
			rc = bch_problem_add(&rb->problems, ps.v[i].code, ps.v[i].offset,
					     ps.v[i].where, "%s", ps.v[i].message);
	bch_problems_free(&ps);
	return rc;
}

/*
 * Cache device i: its d[] at its base (or already at the new one, after an
 * interrupted run) move to k_to.  The superblock is checked as if every
 * d[] were at k_from, the base the namespace is checked at.
 */
static int plan_cache(struct bch_rebase *rb, const struct bch_rebase_input *in, int i)
{
	const unsigned char *page = in->cache_page[i];
	struct bch_cache_sb_info info;
	unsigned char norm[4096], next[4096];
	uint64_t kc, size = rb->ns.size, c;
	unsigned int keys;
	bool mixed = false, at_kc = false, at_to = false, clean;
	int owner_idx, rc;

	rb->cache_owner[i] = -1;
	bch_cache_sb_parse(page, &info);
	if (!info.magic_ok || info.backing || !info.nvdimm ||
	    info.sb.version < BCACHE_SB_VERSION_CDEV_WITH_FEATURES || !info.keys_ok)
		return (rb->cache_verdict[i] = BCH_RBC_NOT_NVDIMM), 0;
	owner_idx = find_owner(&rb->ns, info.sb.set_uuid);
	rb->cache_owner[i] = owner_idx;
	if (owner_idx < 0)
		return (rb->cache_verdict[i] = BCH_RBC_NO_OWNER), 0;
	keys = info.sb.keys < SB_JOURNAL_BUCKETS ? info.sb.keys : SB_JOURNAL_BUCKETS;
	if (!keys || !info.sb.d[0])
		return (rb->cache_verdict[i] = BCH_RBC_EMPTY), 0;
	kc = cache_base(rb, &info.sb, owner_idx);
	rb->cache_k[i] = kc;
	if (!kc)
		return (rb->cache_verdict[i] = BCH_RBC_NO_BASE), 0;
	if (overlap(kc, rb->k_to, size) || overlap(kc, rb->k_from, size))
		return (rb->cache_verdict[i] = BCH_RBC_OVERLAP), 0;
	memcpy(norm, page, sizeof(norm));
	memcpy(next, page, sizeof(next));
	for (unsigned int b = 0; b < keys; b++) {
		uint64_t d = info.sb.d[b], off;

		if (d > kc && d - kc < size) {
			off = d - kc;
			at_kc = true;
		} else if (d > rb->k_to && d - rb->k_to < size) {
			off = d - rb->k_to;
			at_to = true;
		} else {
			rb->cache_verdict[i] = BCH_RBC_NOT_CLEAN;
			return bch_problem_add(&rb->problems, BCH_P_CSB_NVDIMM_D, CSB_D_AT(b),
					       "cache_sb.d", "%s: d[%u] = 0x%llx lies at neither base "
					       "0x%llx nor 0x%llx", in->cache_path[i], b,
					       (unsigned long long)d, (unsigned long long)kc,
					       (unsigned long long)rb->k_to);
		}
		put64(norm, CSB_D_AT(b) - CSB_OFF, rb->k_from + off);
		put64(next, CSB_D_AT(b) - CSB_OFF, rb->k_to + off);
		rc = add_field(rb, 1 + i, CSB_D_AT(b), d, rb->k_to + off, BCH_RBF_CACHE_D, 0,
			       (uint16_t)b);
		if (rc)
			return rc;
	}
	mixed = at_kc && at_to && kc != rb->k_to;
	/* a torn superblock write of an interrupted run: d[] at both bases */
	if (!info.csum_ok && !mixed) {
		rb->cache_verdict[i] = BCH_RBC_NOT_CLEAN;
		return bch_problem_add(&rb->problems, BCH_P_CSB_CSUM, CSB_OFF, "cache_sb.csum",
				       "%s: csum is 0x%016llx, computed 0x%016llx",
				       in->cache_path[i], (unsigned long long)info.sb.csum,
				       (unsigned long long)info.csum_computed);
	}
	if (bch_cache_sb_update_csum((struct cache_sb_disk *)norm) ||
	    bch_cache_sb_update_csum((struct cache_sb_disk *)next))
		return (rb->cache_verdict[i] = BCH_RBC_NOT_CLEAN), 0;
	rc = journal_clean(rb, norm, in->cache_size[i], &clean);
	if (rc)
		return rc;
	if (!clean)
		return (rb->cache_verdict[i] = BCH_RBC_NOT_CLEAN), 0;
	memcpy(&c, next, 8);
	rb->cache_verdict[i] = BCH_RBC_OK;
	return add_field(rb, 1 + i, CSB_OFF, info.sb.csum, c, BCH_RBF_CACHE_CSUM, 0, 0);
}

/* heads[0].recs[0] names an interrupted rebase's base when it is not at k. */
static uint64_t interrupted_base(const unsigned char *meta, uint64_t k, uint64_t size)
{
	uint64_t r0 = get64(meta, MARKER_AT), m;

	if (r0 == k + SYS_OFF || r0 < SYS_OFF)
		return 0;
	m = r0 - SYS_OFF;
	return base_ok(m, size) && !overlap(m, k, size) && m != k ? m : 0;
}

int bch_nvm_rebase_plan(const struct bch_rebase_input *in, uint64_t k, struct bch_rebase *out)
{
	size_t len = in->size < BCH_NVM_PAGES_OFFSET ? in->size : BCH_NVM_PAGES_OFFSET;
	struct bch_nvm_sb_info sbi;
	struct forms f = { .size = in->size };
	unsigned char *norm;
	struct plan_ctx pc;
	struct norm_ctx nc;
	int rc;

	memset(out, 0, sizeof(*out));
	if (in->size < BCH_NVM_MIN_DEVICE || in->ncaches > BCH_REBASE_MAX_CACHES)
		return (out->verdict = BCH_RB_NOT_V7), 0;
	bch_nvm_sb_parse(in->meta + SB_OFF, &sbi);
	if (sbi.revision == BCH_NVM_REV_V12)
		return (out->verdict = BCH_RB_NVMPG), 0;
	if (sbi.revision != BCH_NVM_REV_V7 || sbi.sb.this_namespace_nr)
		return (out->verdict = BCH_RB_NOT_V7), 0;
	if (!base_ok(k, in->size))
		return (out->verdict = BCH_RB_BAD_BASE), 0;

	norm = bch_media_buf_alloc(len);
	if (!norm)
		return -ENOMEM;
	memcpy(norm, in->meta, len);
	/* the superblock's base, and that of an interrupted rebase */
	if (sbi.sb.owner_list_head > OLH_OFF &&
	    base_ok(sbi.sb.owner_list_head - OLH_OFF, in->size)) {
		out->k_from = sbi.sb.owner_list_head - OLH_OFF;
		out->k_mid = interrupted_base(in->meta, out->k_from, in->size);
		f.k[f.n++] = out->k_from;
		if (out->k_mid)
			f.k[f.n++] = out->k_mid;
		nc.b = norm;
		nc.k = out->k_from;
		walk(norm, len, &f, to_base, &nc);
		/* a torn last write: csum of the interrupted base, olh still old */
		if (out->k_mid && !sbi.csum_ok &&
		    sbi.sb.csum == sb_csum_with(in->meta, out->k_mid + OLH_OFF)) {
			put64(norm, SB_CSUM_AT, sb_csum_with(norm, sbi.sb.owner_list_head));
			out->torn_sb = true;
		}
	}
	rc = bch_nvm_load_buf(norm, len, in->size, in->path, &out->ns);
	if (rc && rc != -ENOMEM) {
		out->verdict = BCH_RB_NOT_V7;
		rc = 0;
	}
	if (rc || out->verdict != BCH_RB_OK)
		goto done;
	if (out->ns.base.state == BCH_NVM_STATE_FRESH && !unclean(&out->ns.problems)) {
		out->verdict = BCH_RB_FRESH;
		goto done;
	}
	if (!out->k_from || unclean(&out->ns.problems) ||
	    out->ns.base.state != BCH_NVM_STATE_ATTACHED) {
		out->verdict = BCH_RB_NOT_CLEAN;
		goto done;
	}
	if (overlap(k, out->k_from, in->size) || (out->k_mid && overlap(k, out->k_mid, in->size))) {
		out->verdict = BCH_RB_OVERLAP;
		goto done;
	}
	/* an interrupted rebase is finished first; then a second pass */
	out->k_to = out->k_mid ? out->k_mid : k;
	out->more = out->k_mid && out->k_mid != k;

	/* 1: the marker; 2: the namespace's pointers by offset */
	rc = add_field(out, 0, MARKER_AT, get64(in->meta, MARKER_AT), out->k_to + SYS_OFF,
		       BCH_RBF_HEAD_RECS, 0, 0);
	pc.rb = out;
	pc.orig = in->meta;
	pc.norm = norm;
	f.n = 1;
	if (!rc)
		rc = walk(norm, len, &f, plan_hit, &pc);
	if (rc)
		goto done;
	if (out->n > 1 && out->v[0].off == MARKER_AT)
		qsort(out->v + 1, out->n - 1, sizeof(*out->v), cmp_field);
	else if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_field);
	/* 3: the cache devices */
	for (int i = 0; i < in->ncaches && !rc; i++) {
		rc = plan_cache(out, in, i);
		if (!rc && out->cache_verdict[i] != BCH_RBC_OK &&
		    out->cache_verdict[i] != BCH_RBC_EMPTY)
			out->verdict = BCH_RB_CACHE;
	}
	if (rc || out->verdict != BCH_RB_OK)
		goto done;
	/* 4: the superblock, last */
	put64(norm, SB_OLH_AT, out->k_to + OLH_OFF);
	rc = add_field(out, 0, SB_OLH_AT, sbi.sb.owner_list_head, out->k_to + OLH_OFF,
		       BCH_RBF_SB_OLH, 0, 0);
	if (!rc)
		rc = add_field(out, 0, SB_CSUM_AT, sbi.sb.csum,
			       sb_csum_with(in->meta, out->k_to + OLH_OFF), BCH_RBF_SB_CSUM,
			       0, 0);
	/* the namespace pages the write touches */
	for (size_t i = 0, last = SIZE_MAX; !rc && i < out->n; i++)
		if (out->v[i].dev == 0 && out->v[i].off / 4096 != last) {
			last = out->v[i].off / 4096;
			out->ns_pages++;
		}
done:
	bch_media_buf_free(norm, len);
	return rc;
}

void bch_nvm_rebase_apply(const struct bch_rebase *rb, unsigned char *meta,
			  unsigned char *const *cache_page)
{
	for (size_t i = 0; i < rb->n; i++) {
		const struct bch_rebase_field *f = &rb->v[i];

		if (f->dev == 0)
			put64(meta, f->off, f->new);
		else
			put64(cache_page[f->dev - 1], f->off - CSB_OFF, f->new);
	}
}

static int step_done(bch_rebase_hook hook, void *arg, int *step)
{
	++*step;
	return hook && hook(*step, arg) ? -ECANCELED : 0;
}

/* Write one 4 KiB page of the target bytes. */
static int write_page(struct bch_media *m, const unsigned char *src, uint64_t off)
{
	unsigned char *page = bch_media_buf_alloc(4096);
	int rc = page ? 0 : -ENOMEM;

	if (!rc) {
		memcpy(page, src, 4096);
		rc = bch_media_write(m, page, 4096, off);
	}
	bch_media_buf_free(page, 4096);
	return rc;
}

int bch_nvm_rebase_write(const struct bch_rebase *rb, const struct bch_rebase_input *in,
			 struct bch_media *ns_m, struct bch_media *const *cache_m,
			 bch_rebase_hook hook, void *arg, int *steps)
{
	size_t len = in->size < BCH_NVM_PAGES_OFFSET ? in->size : BCH_NVM_PAGES_OFFSET;
	unsigned char *target = bch_media_buf_alloc(len);
	unsigned char *cpage[BCH_REBASE_MAX_CACHES] = { NULL };
	unsigned char marker[4096];
	uint64_t last = UINT64_MAX;
	bool sb = false;
	int step = 0, rc = target ? 0 : -ENOMEM;
	size_t i = 0;

	for (int c = 0; c < in->ncaches && !rc; c++) {
		cpage[c] = malloc(4096);
		if (!cpage[c])
			rc = -ENOMEM;
		else
			memcpy(cpage[c], in->cache_page[c], 4096);
	}
	if (rc)
		goto out;
	memcpy(target, in->meta, len);
	bch_nvm_rebase_apply(rb, target, cpage);

	/* 1: the marker alone in its page, persisted */
	if (rb->n && rb->v[0].dev == 0 && rb->v[0].off == MARKER_AT) {
		memcpy(marker, in->meta + OLH_OFF, sizeof(marker));
		put64(marker, MARKER_AT - OLH_OFF, rb->v[0].new);
		rc = write_page(ns_m, marker, OLH_OFF);
		if (!rc)
			rc = bch_media_persist(ns_m);
		if (!rc)
			rc = step_done(hook, arg, &step);
		i = 1;
	}
	/* 2: the namespace's other pages (the superblock's last) */
	for (; i < rb->n && !rc; i++) {
		uint64_t pg = rb->v[i].off / 4096;

		if (rb->v[i].dev != 0 || pg == last)
			continue;
		if (pg == SB_OFF / 4096) {
			sb = true;
			continue;
		}
		last = pg;
		rc = write_page(ns_m, target + pg * 4096, pg * 4096);
		if (!rc)
			rc = step_done(hook, arg, &step);
	}
	if (!rc)
		rc = bch_media_persist(ns_m);
	/* 3: the cache devices' superblocks */
	for (int c = 0; c < in->ncaches && !rc; c++) {
		bool any = false;

		for (size_t j = 0; j < rb->n; j++)
			any |= rb->v[j].dev == 1 + c;
		if (!any)
			continue;
		rc = write_page(cache_m[c], cpage[c], CSB_OFF);
		if (!rc)
			rc = bch_media_persist(cache_m[c]);
		if (!rc)
			rc = step_done(hook, arg, &step);
	}
	/* 4: the superblock */
	if (!rc && sb) {
		rc = write_page(ns_m, target + SB_OFF, SB_OFF);
		if (!rc)
			rc = bch_media_persist(ns_m);
		if (!rc)
			rc = step_done(hook, arg, &step);
	}
out:
	if (steps)
		*steps = step;
	for (int c = 0; c < in->ncaches; c++)
		free(cpage[c]);
	bch_media_buf_free(target, len);
	return rc;
}
