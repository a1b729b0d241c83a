// SPDX-License-Identifier: GPL-2.0
/*
 * The journal analysis (bcache-journal-format(5), LOCATING, CHECKS, REPLAY
 * RANGE): every journal of a namespace scanned, read the kernel's way and
 * every bucket's, checked, compared, and a verdict.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bcache/cache-sb.h>
#include <bcache/grow.h>
#include <bcache/journal-analysis.h>
#include <bcache/media.h>
#include <bcache/nvm-walk.h>

#define RANGES_LISTED 16
#define JOURNALS_MAX 64		/* regions analysed without the cache sb */
/*
 * The smallest journal region: order floor(log2(bucket_size * keys / 8)) with
 * bucket_size >= 8 sectors and keys >= 2 is at least 1.
 */
#define JOURNAL_REGION_MIN (2 * 4096)

const char *bch_jverdict_name(enum bch_jverdict v)
{
	switch (v) {
	case BCH_JVERDICT_OK:
		return "ok";
	case BCH_JVERDICT_PROBLEMS:
		return "problems";
	case BCH_JVERDICT_INCOMPLETE:
		return "incomplete";
	case BCH_JVERDICT_NO_JOURNAL:
		return "no_journal";
	case BCH_JVERDICT_NOT_WRITTEN:
		return "not_written";
	}
	return "unknown";
}

int bch_jset_read(struct bch_media *m, const struct bch_jset_head *h, void *buf)
{
	uint64_t n = bch_jset_bytes(h);

	if (n > JSET_MAX_BYTES || h->off > m->size || n > m->size - h->off)
		return -ERANGE;
	return bch_media_read(m, buf, n, h->off);
}

size_t bch_seq_ranges_text(const uint64_t *ranges, size_t listed, size_t n, char *buf,
			   size_t len)
{
	size_t at = 0;

	if (!len)
		return 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && i < listed && at < len; i++) {
		unsigned long long lo = ranges[2 * i], hi = ranges[2 * i + 1];
		int w = lo == hi ? snprintf(buf + at, len - at, "%s%llu", i ? "," : "", lo) :
			snprintf(buf + at, len - at, "%s%llu-%llu", i ? "," : "", lo, hi);

		at += w > 0 ? (size_t)w : 0;
	}
	if (n > listed && at < len) {
		int w = snprintf(buf + at, len - at, ",... (%zu ranges)", n);

		at += w > 0 ? (size_t)w : 0;
	}
	return at < len ? at : len - 1;
}

size_t bch_jrange_gaps_text(const struct bch_jlist *l, const struct bch_jrange *r,
			    char *buf, size_t len)
{
	uint64_t g[2 * RANGES_LISTED];
	size_t n = bch_jlist_gaps(l, r, g, RANGES_LISTED);

	bch_seq_ranges_text(g, RANGES_LISTED, n, buf, len);
	return n;
}

struct analysis {
	struct bch_media *m;
	const struct bch_journal_opts *o;
	struct bch_journal_report *r;
	unsigned char *buf;		/* JSET_MAX_BYTES */
};

/* The CHECKS problems of one valid jset, by its flags. */
static int jset_problems(struct bch_problems *ps, const struct bch_jset_head *h)
{
	static const struct {
		int flag;
		enum bch_problem_code code;
		const char *text;
	} checks[] = {
		{ BCH_JF_VERSION, BCH_P_J_VERSION, "version is not 1" },
		{ BCH_JF_KEY_OVERRUN, BCH_P_J_KEY_OVERRUN, "a key overruns the payload" },
		{ BCH_JF_KEY_SIZE, BCH_P_J_KEY_SIZE, "a key has KEY_SIZE > KEY_OFFSET, or "
		  "size 0 with pointers" },
		{ BCH_JF_PTR_DEV, BCH_P_J_PTR_DEV, "a pointer names a device other than 0" },
		{ BCH_JF_LAST_SEQ, BCH_P_J_LAST_SEQ, "last_seq is above seq" },
	};
	int rc = 0;

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]) && !rc; i++)
		if (h->flags & checks[i].flag)
			rc = bch_problem_add(ps, checks[i].code, h->off, "jset",
					     "jset seq %llu at %llu: %s (version %u, last_seq "
					     "%llu)", (unsigned long long)h->seq,
					     (unsigned long long)h->off, checks[i].text,
					     h->version, (unsigned long long)h->last_seq);
	return rc;
}

/*
 * The CHECKS of the live jsets of a list (their bytes are read again, but
 * for a jset of `seen` at the same offset with the same checksum and checked
 * already: its results are taken); problems for those not already reported
 * through `seen`.
 */
static int check_live(struct analysis *a, struct bch_jlist *l, const struct bch_jrange *r,
		      const struct bch_jlist *seen)
{
	int rc = 0;

	for (size_t i = bch_jlist_first(l, r->last_seq); i < l->hi && !rc; i++) {
		struct bch_jset_head *h = bch_jlist_hit(l, i);
		const struct bch_jset_head *prev;

		prev = seen ? bch_jlist_seq(seen, h->seq) : NULL;
		/* the same bytes, checked and reported already: not read again */
		if (prev && prev->checked && prev->off == h->off && prev->csum == h->csum &&
		    prev->keys == h->keys) {
			h->flags = prev->flags;
			h->nkeys = prev->nkeys;
			h->checked = 1;
			continue;
		}
		rc = bch_jset_read(a->m, h, a->buf);
		if (rc)
			return rc;
		bch_jset_check(a->buf, h);
		if (!prev || prev->csum != h->csum)
			rc = jset_problems(&a->r->problems, h);
	}
	return rc;
}

/* The newest jset of a list: its last_seq opens the replay range. */
static const struct bch_jset_head *newest(const struct bch_jlist *l)
{
	return l->hi > l->lo ? bch_jlist_hit(l, l->hi - 1) : NULL;
}

static int range_problems(struct analysis *a, const struct bch_journal *j, const char *view,
			  const struct bch_jlist *l, const struct bch_jrange *r)
{
	char gaps[512];

	if (!r->any)
		return bch_problem_add(&a->r->problems, BCH_P_J_NO_JOURNAL, j->start,
				       "journal region", "%s view: no valid journal entry found "
				       "in [%llu, %llu)", view, (unsigned long long)j->start,
				       (unsigned long long)j->end);
	if (r->complete)
		return 0;
	bch_jrange_gaps_text(l, r, gaps, sizeof(gaps));
	return bch_problem_add(&a->r->problems, BCH_P_J_MISSING, newest(l)->off, "jset.last_seq",
			       "%s view: journal entries %s missing! (replaying %llu-%llu)",
			       view, gaps, (unsigned long long)r->last_seq,
			       (unsigned long long)r->newest);
}

/* Seqs live on the media (magic scan) that the kernel's replay lacks. */
static int compare_views(struct analysis *a, const struct bch_journal *j)
{
	uint64_t ranges[2 * RANGES_LISTED], n = 0, first_off = 0, prev = 0;
	size_t nr = 0;
	char txt[256];

	if (!j->mrange.any)
		return 0;
	for (size_t i = bch_jlist_first(&j->media, j->mrange.last_seq); i < j->media.hi; i++) {
		const struct bch_jset_head *h = bch_jlist_hit(&j->media, i);

		if (bch_jlist_seq(&j->kv.list, h->seq))
			continue;
		if (!n++)
			first_off = h->off;
		if (n > 1 && h->seq == prev + 1) {
			prev = h->seq;
			if (nr <= RANGES_LISTED)
				ranges[2 * nr - 1] = prev;
			continue;
		}
		prev = h->seq;
		if (nr < RANGES_LISTED)
			ranges[2 * nr] = ranges[2 * nr + 1] = prev;
		nr++;
	}
	if (!n)
		return 0;
	bch_seq_ranges_text(ranges, RANGES_LISTED, nr, txt, sizeof(txt));
	return bch_problem_add(&a->r->problems, BCH_P_J_KERNEL_MISSES, first_off, "jset",
			       "%llu jsets intact on the media (seq %s) are not in the kernel's "
			       "replay (kernel newest %llu, media newest %llu)",
			       (unsigned long long)n, txt, (unsigned long long)j->krange.newest,
			       (unsigned long long)j->mrange.newest);
}

/* Where the kernel resumes writing, what it would overwrite (BYTE STRIDE). */
static int resume_problems(struct analysis *a, const struct bch_journal *j)
{
	const struct bch_jgeom *g = &a->r->loc.g;
	struct bch_jresume rs;

	if (j->kv.cur_idx < 0 || !g->n)
		return 0;
	if (j->lv.cur_idx != j->kv.cur_idx) {
		int rc = bch_problem_add(&a->r->problems, BCH_P_J_RESUME_OVERWRITES,
					 g->start[j->kv.cur_idx], "journal bucket",
					 "the kernel credits bucket %d with the newest seq, "
					 "reading every bucket credits bucket %d",
					 j->kv.cur_idx, j->lv.cur_idx);
		if (rc)
			return rc;
	}
	bch_jview_resume(&j->kv, g, &j->krange, &rs);
	if (!rs.n)
		return 0;
	return bch_problem_add(&a->r->problems, BCH_P_J_RESUME_OVERWRITES, rs.offset,
			       "journal bucket", "the kernel resumes writing in bucket %d at "
			       "byte %llu, over %llu live jsets (seq %llu-%llu) of its own "
			       "replay range", rs.bucket, (unsigned long long)rs.offset,
			       (unsigned long long)rs.n, (unsigned long long)rs.lo,
			       (unsigned long long)rs.hi);
}

/* Where the kernel's read first stopped at an invalid jset. */
static uint64_t first_invalid_stop(const struct bch_jview *v, uint64_t dflt)
{
	for (unsigned int i = 0; i < v->nread; i++) {
		const struct bch_jbucket *b = &v->b[v->order[i]];

		if (b->stop == BCH_JSTOP_BAD_CSUM || b->stop == BCH_JSTOP_TOO_BIG)
			return b->stop_off;
	}
	return dflt;
}

/*
 * The kernel's read (j->kv) or every bucket's (j->lv) from the magic scan:
 * what a view reads and adds to is its own, so every bucket's may be read in
 * a thread of its own while the media view and the kernel's are made (the
 * views copy no CHECKS results from the scan's hits, which check_live()
 * writes).
 */
struct views_job {
	struct analysis *a;
	struct bch_journal *j;
	bool linear;		/* j->lv, else j->kv */
	pthread_t tid;
	bool started;		/* tid runs read_view() */
	int rc;
};

static void *read_view(void *arg)
{
	struct views_job *job = arg;
	struct bch_journal *j = job->j;
	struct bch_jset_source src;
	int rc = bch_jset_source_init(&src, job->a->m, &j->scan, j->magic);

	src.events = job->a->o->events;
	if (!rc && job->linear)
		rc = bch_journal_linear_view(&src, &job->a->r->loc.g, &j->lv);
	else if (!rc)
		rc = bch_journal_kernel_view(&src, &job->a->r->loc.g, &j->kv);
	bch_jset_source_free(&src);
	job->rc = rc;
	return NULL;
}

/* The kernel's read and every bucket's, and what they show. */
static int kernel_views(struct analysis *a, struct bch_journal *j, struct views_job *linear)
{
	struct bch_problems *ps = &a->r->problems;
	struct views_job kernel = { .a = a, .j = j };
	int rc;

	read_view(&kernel);
	if (linear->started)
		pthread_join(linear->tid, NULL);
	else if (!kernel.rc)
		read_view(linear);
	rc = kernel.rc;
	if (rc) {	/* every bucket's view is made only after the kernel's */
		bch_jview_free(&j->lv);
		memset(&j->lv, 0, sizeof(j->lv));
	} else {
		rc = linear->rc;
	}
	if (rc == -E2BIG)
		rc = bch_problem_add(ps, BCH_P_J_WORK_CAP, j->start, "journal region",
				     "the replay list needed more than its work cap; the "
				     "views are partial");
	if (rc)
		return rc;
	bch_jlist_range(&j->kv.list, &j->krange);
	bch_jlist_range(&j->lv.list, &j->lrange);
	rc = check_live(a, &j->kv.list, &j->krange, &j->media);
	if (!rc)
		rc = range_problems(a, j, "kernel", &j->kv.list, &j->krange);
	if (!rc && j->kv.invalid)
		rc = bch_problem_add(ps, BCH_P_J_BAD_CSUM, first_invalid_stop(&j->kv, j->start),
				     "jset", "the kernel's read stopped %llu buckets at an "
				     "invalid jset (bad checksum or too big)",
				     (unsigned long long)j->kv.invalid);
	if (!rc && j->kv.ev_dropped)
		rc = bch_problem_add(ps, BCH_P_DROPPED, j->start, "journal region",
				     "%zu jsets the kernel's read saw are not listed (it kept %zu)",
				     j->kv.ev_dropped, j->kv.nev);
	if (!rc)
		rc = compare_views(a, j);
	if (!rc)
		rc = resume_problems(a, j);
	return rc;
}

/* A journal whose range runs past the end of the device: what is missing. */
static int truncated_problem(struct analysis *a, const struct bch_journal *j)
{
	uint64_t size = a->m->size;

	if (j->end <= size)
		return 0;
	return bch_problem_add(&a->r->problems, BCH_P_J_TRUNCATED, j->start, "journal",
			       "the journal %s [%llu, %llu) runs past the end of the device "
			       "(%llu bytes): %llu bytes of it are missing%s",
			       j->kernel ? "span" : "region", (unsigned long long)j->start,
			       (unsigned long long)j->end, (unsigned long long)size,
			       (unsigned long long)(j->end - (j->start > size ? j->start : size)),
			       j->start >= size ? ", all of it (the image is truncated)" :
			       " (the image is truncated)");
}

/* The media view of a journal: every valid jset the scan found. */
static int media_view(struct analysis *a, struct bch_journal *j)
{
	int rc = truncated_problem(a, j);

	if (!rc)
		rc = bch_jscan_view(&j->scan, &j->media, &j->dups, &j->conflicts);
	if (rc)
		return rc;
	/* the valid hits are the view's and its duplicates */
	j->invalid = j->scan.n - (j->media.hi - j->media.lo) - j->dups;
	if (j->scan.dropped) {
		rc = bch_problem_add(&a->r->problems, BCH_P_J_WORK_CAP, j->start, "journal region",
				     "the magic scan of [%llu, %llu) kept its first %zu hits, "
				     "%zu more are not analysed", (unsigned long long)j->start,
				     (unsigned long long)j->end, j->scan.n, j->scan.dropped);
		if (rc)
			return rc;
	}
	bch_jlist_range(&j->media, &j->mrange);
	rc = check_live(a, &j->media, &j->mrange, NULL);
	if (!rc && j->conflicts)
		rc = bch_problem_add(&a->r->problems, BCH_P_J_SEQ_CONFLICT, j->start,
				     "journal region", "%llu seqs have copies with different "
				     "contents", (unsigned long long)j->conflicts);
	if (rc)
		return rc;
	if (!j->kernel) {
		bch_journal_infer(&j->media, j->start, j->end - j->start, &j->infer);
		return range_problems(a, j, "media", &j->media, &j->mrange);
	}
	return 0;
}

/*
 * The analysis of a journal whose magic scan ran (j->scan).  With the cache
 * superblock, every bucket's view is read in a second thread meanwhile where
 * the media allows (bch_media_two_readers); the results and the problems,
 * added in the same order, are those of one thread.
 */
static int analyze_one(struct analysis *a, struct bch_journal *j)
{
	struct views_job job = { .a = a, .j = j, .linear = true };
	int rc;

	job.started = j->kernel && bch_media_two_readers(a->m) &&
		      !pthread_create(&job.tid, NULL, read_view, &job);
	rc = media_view(a, j);
	if (!j->kernel)
		return rc;
	if (rc) {
		if (job.started)
			pthread_join(job.tid, NULL);
		return rc;
	}
	return kernel_views(a, j, &job);
}

/*
 * Keep a journal over [start, end) whose magic scan ran (sc is moved into
 * it) and analyse it.
 */
static int keep_journal(struct analysis *a, const struct bch_jregion *reg, uint64_t magic,
			struct bch_jscan *sc, uint64_t start, uint64_t end)
{
	struct bch_journal_report *r = a->r;
	struct bch_journal *v;

	if (r->nj == r->jcap && bch_grow((void **)&r->j, &r->jcap, sizeof(*v)))
		return -ENOMEM;
	v = &r->j[r->nj++];
	memset(v, 0, sizeof(*v));
	v->reg = reg;
	v->magic = magic;
	v->start = start & ~7ULL;
	v->end = end;
	v->kernel = r->kernel;
	v->scan = *sc;
	memset(sc, 0, sizeof(*sc));
	return analyze_one(a, v);
}

/* Scan [start, end) of the namespace for a region's magic and keep it. */
static int add_journal(struct analysis *a, const struct bch_jregion *reg, uint64_t magic,
		       uint64_t start, uint64_t end)
{
	struct bch_jscan sc = { 0 };
	int rc = bch_jscan_run(a->m, start & ~7ULL, end, magic, &sc);

	if (!rc)
		rc = keep_journal(a, reg, magic, &sc, start, end);
	bch_jscan_free(&sc);
	return rc;
}

/*
 * Which regions to scan: not one that overlaps a region before it in page
 * order (that bounds the bytes scanned by the device size).  The regions'
 * allocations index ns->allocs, which is sorted by page.
 */
static int scannable(const struct bch_nvm_ns *ns, const struct bch_jlocate *loc, bool *ok)
{
	long *reg = malloc((ns->nallocs ? ns->nallocs : 1) * sizeof(*reg));
	uint64_t hi = 0;

	if (!reg)
		return -ENOMEM;
	for (size_t n = 0; n < ns->nallocs; n++)
		reg[n] = -1;
	for (size_t i = 0; i < loc->nr; i++)
		if (loc->r[i].alloc >= 0 && (size_t)loc->r[i].alloc < ns->nallocs)
			reg[loc->r[i].alloc] = (long)i;
	for (size_t n = 0; n < ns->nallocs; n++) {
		const struct bch_jregion *rg;

		if (reg[n] < 0)
			continue;
		rg = &loc->r[reg[n]];
		ok[reg[n]] = rg->start >= hi;
		if (rg->start + rg->len > hi)
			hi = rg->start + rg->len;
	}
	free(reg);
	return 0;
}

/* The counts of scan_regions' allocations not scanned or not shown. */
static int skipped_problems(struct analysis *a, uint64_t small, uint64_t empty,
			    uint64_t overlapping, uint64_t over_cap)
{
	char cap[64];
	const struct {
		uint64_t n;
		enum bch_problem_code code;
		const char *text;
	} v[] = {
		{ small, BCH_P_J_EMPTY_REGIONS, "allocations of one page cannot hold a journal "
		  "(its order is at least 1): not scanned" },
		{ empty, BCH_P_J_EMPTY_REGIONS, "more allocations of the owners hold no jset "
		  "magic: not shown" },
		{ overlapping, BCH_P_J_REGIONS_CAP, "allocations overlap one before them: not "
		  "scanned again" },
		{ over_cap, BCH_P_J_REGIONS_CAP, cap },
	};
	int rc = 0;

	snprintf(cap, sizeof(cap), "allocations not scanned: at most %d regions are analysed",
		 JOURNALS_MAX);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]) && !rc; i++)
		if (v[i].n)
			rc = bch_problem_add(&a->r->problems, v[i].code, 0, "owner_list", "%llu %s",
					     (unsigned long long)v[i].n, v[i].text);
	return rc;
}

/*
 * Without the cache sb: every valid allocation of the owners is a candidate
 * region.  Each is scanned by magic, in time linear in its size; only the
 * regions where the magic occurs are analysed, and an owner whose regions
 * hold none keeps its first.  At most JOURNALS_MAX regions are analysed.
 * Time and memory are bounded by the device size and the record count.
 */
static int scan_regions(struct analysis *a, const struct bch_nvm_ns *ns)
{
	const struct bch_jlocate *loc = &a->r->loc;
	uint64_t overlapping = 0, empty = 0, over_cap = 0, small = 0;
	bool *ok = calloc(loc->nr ? loc->nr : 1, sizeof(*ok));
	struct bch_jscan sc = { 0 };
	int rc = ok ? scannable(ns, loc, ok) : -ENOMEM;

	for (size_t first_i = 0, b; first_i < loc->nr && !rc; first_i = b) {
		size_t kept = a->r->nj;
		long first = -1;

		for (b = first_i; b < loc->nr && loc->r[b].owner == loc->r[first_i].owner; b++)
			;
		for (size_t i = first_i; i < b && !rc; i++) {
			const struct bch_jregion *rg = &loc->r[i];

			if (rg->len < JOURNAL_REGION_MIN) {
				small++;
				continue;
			}
			if (!ok[i]) {
				overlapping++;
				continue;
			}
			if (first < 0)
				first = (long)i;
			if (a->r->nj >= JOURNALS_MAX) {
				over_cap++;
				continue;
			}
			rc = bch_jscan_run(a->m, rg->start, rg->start + rg->len, rg->magic, &sc);
			if (!rc && sc.n)
				rc = keep_journal(a, rg, rg->magic, &sc, rg->start,
						  rg->start + rg->len);
			else if (!rc)
				empty++;
		}
		if (rc || a->r->nj > kept || first < 0 || a->r->nj >= JOURNALS_MAX)
			continue;
		/* no region of this owner holds the magic: keep its first */
		empty--;
		rc = add_journal(a, &loc->r[first], loc->r[first].magic, loc->r[first].start,
				 loc->r[first].start + loc->r[first].len);
	}
	bch_jscan_free(&sc);
	free(ok);
	return rc ? rc : skipped_problems(a, small, empty, overlapping, over_cap);
}

static int merge_problems(struct bch_problems *dst, const struct bch_problems *src)
{
	for (size_t i = 0; i < src->n; i++) {
		int rc = bch_problem_add(dst, src->v[i].code, src->v[i].offset, src->v[i].where,
					 "%s", src->v[i].message);
		if (rc)
			return rc;
	}
	dst->dropped += src->dropped;
	return 0;
}

enum bch_jverdict bch_journal_verdict(const struct bch_journal_report *r)
{
	if (bch_problems_count(&r->problems, BCH_SEV_ERROR))
		return BCH_JVERDICT_PROBLEMS;
	for (size_t i = 0; i < r->nj; i++) {
		const struct bch_journal *j = &r->j[i];

		if (j->kernel ? !j->krange.complete || !j->krange.any || j->kv.invalid :
				!j->mrange.complete || !j->mrange.any || j->invalid)
			return BCH_JVERDICT_INCOMPLETE;
	}
	if (r->kernel && !r->nj)
		return r->loc.not_written ? BCH_JVERDICT_NOT_WRITTEN : BCH_JVERDICT_NO_JOURNAL;
	return BCH_JVERDICT_OK;
}

int bch_journal_analyze(struct bch_media *m, const struct bch_nvm_ns *ns,
			const struct bch_journal_opts *o, struct bch_journal_report *r)
{
	struct analysis a = { .m = m, .o = o, .r = r, .buf = malloc(JSET_MAX_BYTES) };
	struct bch_jlocate *loc = &r->loc;
	int rc;

	if (!a.buf)
		return -ENOMEM;
	r->kernel = o->csb != NULL;
	if (o->csb) {
		rc = bch_journal_locate_sb(ns, o->csb, loc);
		if (!rc && loc->g.n && loc->span_end > loc->span_start)
			rc = add_journal(&a, loc->chosen >= 0 ? &loc->r[loc->chosen] : NULL,
					 bch_jset_magic(o->csb->sb.set_uuid), loc->span_start,
					 loc->span_end);
	} else {
		rc = bch_journal_locate_owners(ns, o->cset_uuid, loc);
		if (!rc)
			rc = scan_regions(&a, ns);
	}
	if (!rc)
		rc = merge_problems(&r->problems, &loc->problems);
	free(a.buf);
	r->verdict = bch_journal_verdict(r);
	return rc;
}

void bch_journal_report_free(struct bch_journal_report *r)
{
	for (size_t i = 0; i < r->nj; i++) {
		struct bch_journal *j = &r->j[i];

		bch_jscan_free(&j->scan);
		bch_jlist_free(&j->media);
		if (j->kernel) {
			bch_jview_free(&j->kv);
			bch_jview_free(&j->lv);
		}
	}
	free(r->j);
	r->j = NULL;
	r->nj = r->jcap = 0;
	bch_jlocate_free(&r->loc);
	bch_problems_free(&r->problems);
}
