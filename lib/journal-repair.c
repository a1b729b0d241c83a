// SPDX-License-Identifier: GPL-2.0
/*
 * Journal repair (include/bcache/journal-repair.h): plan a layout of the v7
 * journal that the kernel's read replays completely, check it with the
 * kernel-read model of lib/journal-read.c, and write it crash-safely.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>

#include <bcache/cache-sb.h>
#include <bcache/fields.h>
#include <bcache/journal-repair.h>
#include <bcache/text.h>
#include <bcache/sysfs.h>
#include <bcache/media.h>
#include <bcache/nvm-walk.h>

#define FIRST_PAGE	4096u	/* d[0] must stay in it: the kernel finds the region by it */
#define D0_STEP		512u	/* other d[0] candidates: every sector of the first page */
#define D0_MAX		(2 * FIRST_PAGE / D0_STEP + SB_JOURNAL_BUCKETS)
#define RELOC_TRIES	8	/* placements simulated per d[0] */
#define LOST_LISTED	16	/* lost seqs explained one by one */
#define GROUP_MAX	(4u << 20)	/* bytes of copies written at once */

const char *bch_jrepair_action_name(enum bch_jrepair_action a)
{
	switch (a) {
	case BCH_JREPAIR_REFUSE:
		return "refused";
	case BCH_JREPAIR_NONE:
		return "none";
	case BCH_JREPAIR_TABLE:
		return "table";
	case BCH_JREPAIR_RELOCATE:
		return "relocate";
	}
	return "?";
}

void bch_jrepair_free(struct bch_jrepair *r)
{
	free(r->copies);
	bch_jview_free(&r->after);
	bch_problems_free(&r->problems);
	memset(r, 0, sizeof(*r));
}

/* The kernel's replay of a view is exactly the media's replay range. */
static bool replays(const struct bch_jrange *k, const struct bch_jrange *m)
{
	return k->any && m->any && k->complete && m->complete && k->newest == m->newest &&
	       k->last_seq == m->last_seq;
}

/* ---- preconditions ---- */

static const struct bch_jregion *region(const struct bch_jrepair_in *in)
{
	return in->loc->chosen >= 0 ? &in->loc->r[in->loc->chosen] : NULL;
}

static int check_sb(const struct bch_jrepair_in *in, struct bch_problems *ps)
{
	struct bch_problems sbp = { 0 };
	char codes[160];
	size_t at = 0, n = 0;
	int rc = bch_cache_sb_check(in->csb, 0, 0, &sbp);

	codes[0] = '\0';
	for (size_t i = 0; !rc && i < sbp.n; i++) {
		if (sbp.v[i].severity < BCH_SEV_ERROR)
			continue;
		at = bch_snappend(codes, sizeof(codes), at, "%s%s", n ? ", " : "",
				  bch_problem_name(sbp.v[i].code));
		n++;
	}
	bch_problems_free(&sbp);
	if (rc || !n)
		return rc;
	return bch_problem_add(ps, BCH_P_J_REPAIR_SB, 4096, "cache_sb",
			       "the cache superblock fails %zu of the kernel's checks (%s): the "
			       "kernel would not register it", n, codes);
}

static int preconditions(const struct bch_jrepair_in *in, struct bch_problems *ps)
{
	const struct bch_jregion *r = region(in);
	const struct cache_sb_disk *sb = &in->csb->sb;
	int rc = check_sb(in, ps);

	if (!rc && !r)
		rc = bch_problem_add(ps, BCH_P_J_REPAIR_UNLOCATED, 4096 + BCH_CACHE_SB_D_OFF,
				     "cache_sb.d[0]", "d[0] = 0x%llx is in no allocation of the "
				     "cache set's owner: the kernel would allocate and zero a new "
				     "region", (unsigned long long)sb->d[0]);
	if (!rc && r && !r->kernel_finds)
		rc = bch_problem_add(ps, BCH_P_J_REPAIR_UNLOCATED, 4096 + BCH_CACHE_SB_D_OFF,
				     "cache_sb.d[0]", "the kernel's allocation lookup (chain "
				     "recs[0], records below used) misses the region at %llu: it "
				     "would allocate and zero a new one",
				     (unsigned long long)r->start);
	if (!rc && !(sb->flags & (1ULL << CACHE_SYNC_BIT)))
		rc = bch_problem_add(ps, BCH_P_J_REPAIR_NOT_SYNC, BCH_CACHE_SB_AT(flags),
				     "cache_sb.flags",
				     "flags 0x%llx: without CACHE_SYNC the kernel starts the "
				     "cache set afresh and replays no journal",
				     (unsigned long long)sb->flags);
	if (!rc && in->check_busy)
		rc = bch_journal_repair_busy(sb->set_uuid, in->cache_rdev, ps);
	if (!rc && in->live_k_known && in->live_k != in->ns->base.k)
		rc = bch_problem_add(ps, BCH_P_J_REPAIR_REBASE,
				     BCH_NVM_SB_AT(owner_list_head), "sb.owner_list_head",
				     "the namespace was attached at K = 0x%llx, this boot maps it "
				     "at 0x%llx: registering it would crash the kernel; run "
				     "'bcache nvm rebase' first",
				     (unsigned long long)in->ns->base.k,
				     (unsigned long long)in->live_k);
	return rc;
}

/* ---- the media's replay range must be intact ---- */

/* Why seq s is not on the media: a damaged jset claiming it, or nothing. */
static int explain_lost(const struct bch_jrepair_in *in, const struct bch_jrange *mr,
			uint64_t s, struct bch_problems *ps)
{
	const struct bch_jscan *sc = in->scan;

	for (size_t i = 0; i < sc->n; i++) {
		const struct bch_jset_head *h = &sc->v[i];

		if (h->state == BCH_JSET_OK || h->state == BCH_JSET_NO_MAGIC || h->seq != s)
			continue;
		return bch_problem_add(ps, BCH_P_J_REPAIR_LOST, h->off, "jset",
				       "seq %llu of the replay range %llu-%llu: the jset at byte "
				       "%llu is %s (stored csum 0x%llx, computed 0x%llx)",
				       (unsigned long long)s, (unsigned long long)mr->last_seq,
				       (unsigned long long)mr->newest, (unsigned long long)h->off,
				       h->state == BCH_JSET_BAD_CSUM ? "damaged: checksum mismatch" :
				       bch_jset_state_name(h->state),
				       (unsigned long long)h->csum,
				       (unsigned long long)h->csum_computed);
	}
	return bch_problem_add(ps, BCH_P_J_REPAIR_LOST, 0, "jset",
			       "seq %llu of the replay range %llu-%llu: no jset with this seq on "
			       "the media (overwritten, or never written)", (unsigned long long)s,
			       (unsigned long long)mr->last_seq, (unsigned long long)mr->newest);
}

static int check_lost(const struct bch_jrepair_in *in, const struct bch_jrange *mr,
		      struct bch_problems *ps)
{
	uint64_t gaps[2 * LOST_LISTED], listed = 0;
	size_t n = bch_jlist_gaps(in->media, mr, gaps, LOST_LISTED);
	int rc = 0;

	for (size_t g = 0; g < n && g < LOST_LISTED && !rc; g++)
		for (uint64_t s = gaps[2 * g]; s <= gaps[2 * g + 1] && !rc; s++) {
			if (listed++ == LOST_LISTED)
				break;
			rc = explain_lost(in, mr, s, ps);
		}
	if (!rc && mr->missing > LOST_LISTED)
		rc = bch_problem_add(ps, BCH_P_J_REPAIR_LOST, 0, "jset",
				     "%llu seqs of the replay range %llu-%llu are lost in all, "
				     "the first %u are listed", (unsigned long long)mr->missing,
				     (unsigned long long)mr->last_seq,
				     (unsigned long long)mr->newest, LOST_LISTED);
	return rc;
}

/* Two valid copies of a live seq that differ: which one is current is unknown. */
static int check_conflicts(const struct bch_jrepair_in *in, const struct bch_jrange *mr,
			   struct bch_problems *ps)
{
	const struct bch_jscan *sc = in->scan;
	int rc = 0;

	for (size_t i = 0; i < sc->n && !rc; i++) {
		const struct bch_jset_head *h = &sc->v[i], *k;

		if (h->state != BCH_JSET_OK || h->seq < mr->last_seq || h->seq > mr->newest)
			continue;
		k = bch_jlist_seq(in->media, h->seq);
		if (!k || (k->csum == h->csum && k->keys == h->keys))
			continue;
		rc = bch_problem_add(ps, BCH_P_J_SEQ_CONFLICT, h->off, "jset",
				     "seq %llu of the replay range has two valid copies that "
				     "differ, at bytes %llu and %llu: which one is current cannot "
				     "be told", (unsigned long long)h->seq,
				     (unsigned long long)k->off, (unsigned long long)h->off);
	}
	return rc;
}

/* ---- byte ranges the copies must stay out of ---- */

struct ivl {
	uint64_t lo, hi;
};

struct ivls {
	struct ivl *v;
	size_t n;
};

static int ivl_cmp(const void *a, const void *b)
{
	const struct ivl *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void ivls_merge(struct ivls *s)
{
	size_t n = 0;

	qsort(s->v, s->n, sizeof(*s->v), ivl_cmp);
	for (size_t i = 0; i < s->n; i++) {
		if (n && s->v[i].lo <= s->v[n - 1].hi) {
			if (s->v[i].hi > s->v[n - 1].hi)
				s->v[n - 1].hi = s->v[i].hi;
			continue;
		}
		s->v[n++] = s->v[i];
	}
	s->n = n;
}

/* Whether [lo, hi) meets a (merged) range of s. */
static bool ivls_meet(const struct ivls *s, uint64_t lo, uint64_t hi)
{
	size_t a = 0, b = s->n;

	while (a < b) {		/* the first range ending after lo */
		size_t mid = a + (b - a) / 2;

		if (s->v[mid].hi <= lo)
			a = mid + 1;
		else
			b = mid;
	}
	return a < s->n && s->v[a].lo < hi;
}

/*
 * Every byte the current d[] can make the kernel read (each bucket whole),
 * and the jsets the copies are made from.
 */
static int protected_ranges(const struct bch_jrepair_in *in, const struct bch_jrange *mr,
			    struct ivls *out)
{
	const struct bch_jgeom *g = &in->loc->g;
	const struct bch_jlist *l = in->media;
	size_t cap = g->n + (l->hi - l->lo);

	out->n = 0;
	out->v = malloc((cap ? cap : 1) * sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	for (unsigned int b = 0; b < g->n; b++)
		if (g->usable[b])
			out->v[out->n++] = (struct ivl){ g->start[b],
							 g->start[b] + g->bucket_sectors * 512 };
	for (size_t i = l->lo; i < l->hi; i++) {
		const struct bch_jset_head *h = bch_jlist_hit(l, i);

		if (h->seq >= mr->last_seq)
			out->v[out->n++] = (struct ivl){ h->off, h->off + bch_jset_bytes(h) };
	}
	ivls_merge(out);
	return 0;
}

/* ---- candidate layouts ---- */

struct layout {
	uint64_t d0;			/* bytes into the region */
	struct bch_jgeom g;
	struct bch_jcopy *copies;
	size_t ncopies;
};

/* d[0] candidates, bytes into the region: old d[1] first, old d[i], sectors. */
static size_t d0_candidates(const struct bch_jrepair_in *in, uint64_t *v)
{
	const struct cache_sb_disk *sb = &in->csb->sb;
	uint64_t base = in->ns->base.k + region(in)->start;
	unsigned int n = in->loc->g.n;
	size_t k = 0;

#define ADD(x) do {							\
		uint64_t x_ = (x);					\
		bool dup_ = false;					\
		for (size_t j_ = 0; j_ < k; j_++)			\
			dup_ = dup_ || v[j_] == x_;			\
		if (!dup_ && k < D0_MAX)				\
			v[k++] = x_;					\
	} while (0)
	/* where v7 writes its first jset, then the other old buckets of the page */
	if (n > 1 && sb->d[1] >= base && sb->d[1] - base < FIRST_PAGE)
		ADD(sb->d[1] - base);
	for (unsigned int i = 0; i < n; i++)
		if (sb->d[i] >= base && sb->d[i] - base < FIRST_PAGE)
			ADD(sb->d[i] - base);
	for (uint64_t x = 0; x < FIRST_PAGE; x += D0_STEP)
		ADD(x);
#undef ADD
	return k;
}

/* keys' = the whole buckets from d'[0] to the end of the region (<= 256). */
static unsigned int new_keys(const struct bch_jrepair_in *in, uint64_t d0)
{
	const struct cache_sb_disk *sb = &in->csb->sb;
	uint64_t bb = in->csb->bucket_sectors * 512, n = (region(in)->len - d0) / bb;

	if (n > SB_JOURNAL_BUCKETS)
		n = SB_JOURNAL_BUCKETS;
	/* the kernel's "Too many journal buckets": first_bucket + keys <= nbuckets */
	if (sb->nbuckets < sb->first_bucket)
		return 0;
	if (n > sb->nbuckets - sb->first_bucket)
		n = sb->nbuckets - sb->first_bucket;
	return (unsigned int)n;
}

static void layout_geom(const struct bch_jrepair_in *in, struct layout *lo, unsigned int keys)
{
	struct bch_jgeom *g = &lo->g;
	uint64_t bb = in->csb->bucket_sectors * 512, j = region(in)->start;

	memset(g, 0, sizeof(*g));
	g->n = keys;
	g->bucket_sectors = in->csb->bucket_sectors;
	g->block_sectors = in->csb->sb.block_size;
	for (unsigned int b = 0; b < keys; b++) {
		g->start[b] = j + lo->d0 + b * bb;
		g->usable[b] = g->start[b] + bb <= in->ns->size;
	}
}

/*
 * The jsets of the range, in seq order, back to back from the start of
 * bucket b0, block-aligned, never across a bucket end (as the kernel writes
 * them); -ENOSPC when they do not fit, -EEXIST when one would land on a
 * protected byte.
 */
static int place(const struct bch_jrepair_in *in, const struct bch_jrange *mr,
		 const struct ivls *prot, unsigned int b0, struct layout *lo)
{
	const struct bch_jgeom *g = &lo->g;
	const struct bch_jlist *l = in->media;
	uint64_t bb = g->bucket_sectors * 512, blk = g->block_sectors * 512;
	uint64_t pos = g->start[b0], left = bb;
	unsigned int b = b0;

	lo->ncopies = 0;
	for (size_t i = l->lo; i < l->hi; i++) {
		const struct bch_jset_head *h = bch_jlist_hit(l, i);
		uint64_t bytes = bch_jset_bytes(h), padded = (bytes + blk - 1) / blk * blk;

		if (h->seq < mr->last_seq)
			continue;
		if (bytes > left) {
			if (++b >= g->n || bytes > bb)
				return -ENOSPC;
			pos = g->start[b];
			left = bb;
		}
		if (!g->usable[b])
			return -ENOSPC;
		if (ivls_meet(prot, pos, pos + bytes))
			return -EEXIST;
		lo->copies[lo->ncopies++] = (struct bch_jcopy){ h->seq, h->off, pos,
								(uint32_t)bytes, b };
		pos += padded;
		left = padded < left ? left - padded : 0;
	}
	return 0;
}

struct sim {
	struct bch_jview kv;
	struct bch_jrange r;
	struct bch_jresume rs;
	bool ok, clean;
};

/* The kernel's read of the layout, on the media as it is after the copies. */
static int simulate(const struct bch_jrepair_in *in, const struct bch_jrange *mr,
		    const struct layout *lo, struct sim *s)
{
	struct bch_jview lv;
	struct bch_jset_source src;
	int rc = bch_jset_source_init(&src, in->m, in->scan, in->scan->magic);

	memset(s, 0, sizeof(*s));
	memset(&lv, 0, sizeof(lv));
	if (rc)
		return rc;
	src.events = false;
	src.ov = lo->copies;
	src.nov = lo->ncopies;
	rc = bch_journal_kernel_view(&src, &lo->g, &s->kv);
	if (!rc) {
		bch_jlist_range(&s->kv.list, &s->r);
		s->ok = replays(&s->r, mr);
	}
	if (!rc && s->ok) {
		/* clean: what `journal show` would not warn about */
		bch_jview_resume(&s->kv, &lo->g, &s->r, &s->rs);
		rc = bch_journal_linear_view(&src, &lo->g, &lv);
		s->clean = !rc && !s->kv.invalid && !s->rs.n && lv.cur_idx == s->kv.cur_idx;
		bch_jview_free(&lv);
	}
	bch_jset_source_free(&src);
	if (rc == -E2BIG) {	/* the list's work cap: not a layout to trust */
		s->ok = s->clean = false;
		rc = 0;
	}
	return rc;
}

/* The best layout so far, and its kernel view. */
struct best {
	bool have;
	enum bch_jrepair_action action;
	struct layout lo;
	struct sim s;
};

static int keep(struct best *b, enum bch_jrepair_action a, const struct layout *lo,
		struct sim *s)
{
	struct bch_jcopy *copies = NULL;

	if (b->have && (b->s.clean || !s->clean)) {
		bch_jview_free(&s->kv);
		return 0;
	}
	if (lo->ncopies) {
		copies = malloc(lo->ncopies * sizeof(*copies));
		if (!copies) {
			bch_jview_free(&s->kv);
			return -ENOMEM;
		}
		memcpy(copies, lo->copies, lo->ncopies * sizeof(*copies));
	}
	free(b->lo.copies);
	bch_jview_free(&b->s.kv);
	b->have = true;
	b->action = a;
	b->lo = *lo;
	b->lo.copies = copies;
	b->s = *s;
	memset(&s->kv, 0, sizeof(s->kv));
	return 0;
}

struct search {
	const struct bch_jrepair_in *in;
	const struct bch_jrange *mr;
	struct ivls prot;
	uint64_t d0[D0_MAX];
	size_t nd0;
	unsigned int layouts, no_room;
	struct best best;
};

/* Run the model on a layout; keep it if it replays the range (and is better). */
static int try_layout(struct search *x, enum bch_jrepair_action a, const struct layout *lo)
{
	struct sim s;
	int rc = simulate(x->in, x->mr, lo, &s);

	x->layouts++;
	if (!rc && s.ok)
		return keep(&x->best, a, lo, &s);
	bch_jview_free(&s.kv);
	return rc;
}

/* A new table alone, for every d[0]; stops at a clean one. */
static int search_tables(struct search *x)
{
	struct layout lo = { 0 };
	int rc = 0;

	for (size_t i = 0; i < x->nd0 && !rc && !(x->best.have && x->best.s.clean); i++) {
		unsigned int keys;

		lo.d0 = x->d0[i];
		keys = new_keys(x->in, lo.d0);
		if (keys < 2)
			continue;
		layout_geom(x->in, &lo, keys);
		rc = try_layout(x, BCH_JREPAIR_TABLE, &lo);
	}
	return rc;
}

/* A new table and the copies, from the first buckets they may go to. */
static int search_relocations(struct search *x)
{
	const struct bch_jlist *l = x->in->media;
	struct layout lo = { 0 };
	int rc = 0;

	lo.copies = malloc(((l->hi - l->lo) ? l->hi - l->lo : 1) * sizeof(*lo.copies));
	if (!lo.copies)
		return -ENOMEM;
	for (size_t i = 0; i < x->nd0 && !rc && !(x->best.have && x->best.s.clean); i++) {
		unsigned int keys, tries = 0;

		lo.d0 = x->d0[i];
		keys = new_keys(x->in, lo.d0);
		if (keys < 2)
			continue;
		layout_geom(x->in, &lo, keys);
		for (unsigned int b0 = 0; b0 < keys && tries < RELOC_TRIES && !rc &&
		     !(x->best.have && x->best.s.clean); b0++) {
			int p = place(x->in, x->mr, &x->prot, b0, &lo);

			if (p == -ENOSPC)
				break;		/* later buckets have less room */
			if (p)
				continue;
			tries++;
			rc = try_layout(x, BCH_JREPAIR_RELOCATE, &lo);
		}
		if (!tries)
			x->no_room++;
	}
	free(lo.copies);
	return rc;
}

static void build_sb(const struct bch_jrepair_in *in, struct bch_jrepair *out)
{
	uint64_t base = in->ns->base.k + region(in)->start, bb = in->csb->bucket_sectors * 512;

	out->old_sb = in->csb->sb;
	out->sb = in->csb->sb;
	out->sb.keys = (uint16_t)out->g.n;
	for (unsigned int i = 0; i < SB_JOURNAL_BUCKETS; i++)
		out->sb.d[i] = i < out->g.n ? base + out->d0_offset + i * bb : 0;
	bch_cache_sb_update_csum(&out->sb);
}

static int no_layout(struct search *x, struct bch_problems *ps)
{
	const struct bch_jregion *r = region(x->in);

	return bch_problem_add(ps, BCH_P_J_REPAIR_NO_LAYOUT, r->start, "journal region",
			       "no layout makes the kernel replay seqs %llu-%llu (%u checked; "
			       "%u whole buckets of %llu bytes from the region's first page; "
			       "%u with no room for the jsets outside the current buckets)",
			       (unsigned long long)x->mr->last_seq,
			       (unsigned long long)x->mr->newest, x->layouts,
			       new_keys(x->in, 0),
			       (unsigned long long)x->in->csb->bucket_sectors * 512, x->no_room);
}

/* The best layout; only a clean one when the kernel replays everything now. */
static int search(const struct bch_jrepair_in *in, struct bch_jrepair *out, bool clean_only)
{
	struct search x = { .in = in, .mr = &out->media };
	int rc = protected_ranges(in, &out->media, &x.prot);
	bool found;

	x.nd0 = d0_candidates(in, x.d0);
	if (!rc)
		rc = search_tables(&x);
	if (!rc && !(x.best.have && x.best.s.clean))
		rc = search_relocations(&x);
	out->layouts = x.layouts;
	found = x.best.have && (x.best.s.clean || !clean_only);
	if (!rc && !found && !clean_only)
		rc = no_layout(&x, &out->problems);
	if (!rc && found) {
		out->action = x.best.action;
		out->d0_offset = x.best.lo.d0;
		out->g = x.best.lo.g;
		out->copies = x.best.lo.copies;
		out->ncopies = x.best.lo.ncopies;
		out->after = x.best.s.kv;
		out->after_range = x.best.s.r;
		out->resume = x.best.s.rs;
		out->clean = x.best.s.clean;
		build_sb(in, out);
	} else {
		free(x.best.lo.copies);
		bch_jview_free(&x.best.s.kv);
	}
	free(x.prot.v);
	return rc;
}

/* Whether two usable buckets of g overlap (the v7 byte stride does that). */
static bool overlapping(const struct bch_jgeom *g)
{
	uint64_t bb = g->bucket_sectors * 512;

	for (unsigned int a = 0; a < g->n; a++)
		for (unsigned int b = a + 1; b < g->n; b++)
			if (g->usable[a] && g->usable[b] && g->start[a] < g->start[b] + bb &&
			    g->start[b] < g->start[a] + bb)
				return true;
	return false;
}

static int not_needed(struct bch_jrepair *out, const char *why)
{
	out->action = BCH_JREPAIR_NONE;
	return bch_problem_add(&out->problems, BCH_P_J_REPAIR_NOT_NEEDED, 0, "kernel",
			       "the kernel's read with the current d[] replays the whole range "
			       "%llu-%llu%s: nothing to write",
			       (unsigned long long)out->media.last_seq,
			       (unsigned long long)out->media.newest, why);
}

int bch_journal_repair_plan(const struct bch_jrepair_in *in, struct bch_jrepair *out)
{
	struct bch_problems *ps = &out->problems;
	int rc;

	memset(out, 0, sizeof(*out));
	out->action = BCH_JREPAIR_REFUSE;
	bch_jlist_range(in->media, &out->media);
	bch_jlist_range(&in->kv->list, &out->before);
	rc = preconditions(in, ps);
	if (rc || bch_problems_count(ps, BCH_SEV_ERROR))
		return rc;
	if (!out->media.any)
		return bch_problem_add(ps, BCH_P_J_NO_JOURNAL, region(in)->start, "journal region",
				       "the region holds no valid jset of this cache set: nothing "
				       "to replay");
	if (!out->media.complete)
		rc = check_lost(in, &out->media, ps);
	if (!rc)
		rc = check_conflicts(in, &out->media, ps);
	if (rc || bch_problems_count(ps, BCH_SEV_ERROR))
		return rc;
	out->before_replays = replays(&out->before, &out->media);
	out->before_overlaps = overlapping(&in->loc->g);
	bch_jview_resume(in->kv, &in->loc->g, &out->before, &out->before_resume);
	if (out->before_replays && !out->before_overlaps && !out->before_resume.n)
		return not_needed(out, "");
	rc = search(in, out, out->before_replays);
	if (!rc && out->action == BCH_JREPAIR_REFUSE && out->before_replays) {
		bch_problems_free(ps);
		return not_needed(out, ", and no layout was found that it replays as cleanly");
	}
	return rc;
}

/* ---- the running kernel ---- */

int bch_journal_repair_busy(const uint8_t set_uuid[16], dev_t cache_rdev,
			    struct bch_problems *ps)
{
	char u[37], path[PATH_MAX];
	const char *root = bch_sysfs_root();
	int rc = 0;

	bch_uuid_format(set_uuid, u);
	snprintf(path, sizeof(path), "%s/fs/bcache/%s", root, u);
	if (!access(path, F_OK))
		rc = bch_problem_add(ps, BCH_P_J_REPAIR_BUSY, 0, "sysfs", "the cache set %s is "
				     "registered (%s exists): stop it first", u, path);
	if (rc || !cache_rdev)
		return rc;
	snprintf(path, sizeof(path), "%s/dev/block/%u:%u/bcache", root, major(cache_rdev),
		 minor(cache_rdev));
	if (!access(path, F_OK))
		rc = bch_problem_add(ps, BCH_P_J_REPAIR_BUSY, 0, "sysfs", "the cache device is "
				     "registered with bcache (%s exists)", path);
	return rc;
}

/* ---- writing ---- */

/* The source of copy c, checked to be still the jset the plan saw. */
static int read_source(struct bch_media *pm, const struct bch_jcopy *c, uint64_t magic,
		       unsigned char *buf)
{
	struct bch_jset_head h;
	int rc = bch_media_read(pm, buf, c->bytes, c->src);

	if (rc)
		return rc;
	bch_jset_eval(buf, c->bytes, magic, c->src, &h);
	return h.state == BCH_JSET_OK && h.seq == c->seq && bch_jset_bytes(&h) == c->bytes ?
	       0 : -ESTALE;
}

/*
 * Copies [from, to) of one bucket: the destination range is read, the
 * jsets put in (padding between them stays as it is) and written in one
 * direct write.
 */
static int write_group(struct bch_media *pm, const struct bch_jrepair *p, size_t from,
		       size_t to, unsigned char *buf)
{
	uint64_t lo = p->copies[from].dst, hi = p->copies[to - 1].dst + p->copies[to - 1].bytes;
	unsigned char *img = malloc(hi - lo);
	int rc = img ? bch_media_read(pm, img, hi - lo, lo) : -ENOMEM;

	for (size_t i = from; i < to && !rc; i++) {
		rc = read_source(pm, &p->copies[i], bch_jset_magic(p->sb.set_uuid), buf);
		if (!rc)
			memcpy(img + (p->copies[i].dst - lo), buf, p->copies[i].bytes);
	}
	if (!rc)
		rc = bch_media_write_direct(pm, img, hi - lo, lo, NULL);
	free(img);
	return rc;
}

/* Copies [from, to), one direct write per bucket (or per 4 MiB of it). */
static int write_copies(struct bch_media *pm, const struct bch_jrepair *p, size_t from,
			size_t to, unsigned char *buf)
{
	int rc = 0;

	while (from < to && !rc) {
		size_t end = from + 1;

		while (end < to && p->copies[end].bucket == p->copies[from].bucket &&
		       p->copies[end].dst + p->copies[end].bytes - p->copies[from].dst <= GROUP_MAX)
			end++;
		rc = write_group(pm, p, from, end, buf);
		from = end;
	}
	return rc;
}

#define STEP(s) do {						\
		if (hook && hook((s), arg)) {			\
			rc = -ECANCELED;			\
			goto out;				\
		}						\
	} while (0)

int bch_journal_repair_write(struct bch_media *pm, struct bch_media *cm,
			     const struct bch_jrepair *plan,
			     int (*hook)(enum bch_jrepair_step step, void *arg), void *arg)
{
	struct bch_cache_sb_info now;
	unsigned char *buf;
	int rc;

	if (plan->action != BCH_JREPAIR_TABLE && plan->action != BCH_JREPAIR_RELOCATE)
		return -EINVAL;
	/* the superblock must still be the one the plan was made from (again below) */
	rc = bch_cache_sb_read(cm, &now);
	if (rc)
		return rc;
	if (memcmp(&now.sb, &plan->old_sb, sizeof(now.sb)))
		return -ESTALE;
	buf = malloc(JSET_MAX_BYTES);
	if (!buf)
		return -ENOMEM;
	rc = write_copies(pm, plan, 0, plan->ncopies / 2, buf);
	if (rc)
		goto out;
	STEP(BCH_JREPAIR_STEP_COPY_HALF);
	rc = write_copies(pm, plan, plan->ncopies / 2, plan->ncopies, buf);
	if (!rc)
		rc = bch_media_persist(pm);
	if (rc)
		goto out;
	STEP(BCH_JREPAIR_STEP_COPIES);
	/* compared with the bytes on the device, past any page cache, as it is written */
	rc = bch_media_write_direct(cm, &plan->sb, sizeof(plan->sb), SB_OFFSET, &plan->old_sb);
	if (rc)
		goto out;
	STEP(BCH_JREPAIR_STEP_SB);
out:
	free(buf);
	return rc;
}
#undef STEP
