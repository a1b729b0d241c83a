// SPDX-License-Identifier: GPL-2.0
/*
 * bcache journal show / extract: the journal in an nvm-pages namespace (v7 or nvmpg)
 * (bcache-journal-format(5), NVDIMM JOURNAL to LOCATING).  With the cache
 * device (-C) the kernel's own
 * read is emulated (bucket visiting order and insertion) next to the media
 * view (every bucket, and a magic scan of the whole region); without it the
 * owners' regions are scanned by magic.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bcache/cache-sb.h>
#include <bcache/fields.h>
#include <bcache/grow.h>
#include <bcache/journal.h>
#include <bcache/media.h>
#include <bcache/nvm-walk.h>
#include <bcache/probe.h>

#include "cmd.h"
#include "journal-common.h"
#include "nvm-common.h"
#include "output.h"

enum { OPT_SUMMARY = OPT__CMD_FIRST, OPT_OUTPUT };

#define GAPS_SHOWN 16
#define JOURNALS_MAX 64		/* regions analysed without -C */
/*
 * The smallest journal region: order floor(log2(bucket_size * keys / 8)) with
 * bucket_size >= 8 sectors and keys >= 2 is at least 1.
 */
#define JOURNAL_REGION_MIN (2 * 4096)

static const struct bch_opt show_opts_def[] = {
	{ "cache", 'C', required_argument, "DEV",
	  "the cache device: use its d[] and emulate the kernel's journal read", "device" },
	{ "cset-uuid", OPT_CSET_UUID, required_argument, "UUID",
	  "without -C: the cache set uuid that derives the jset magic", "uuid" },
	{ "seq", OPT_SEQ, required_argument, "A..B", "only jsets with seq in [A, B]", NULL },
	{ "last", OPT_LAST, required_argument, "N", "only the N newest seqs", NULL },
	{ "inode", OPT_INODE, required_argument, "N", "only keys of inode N", NULL },
	{ "keys", OPT_KEYS, no_argument, NULL, "decode every bkey (default)", NULL },
	{ "no-keys", OPT_NO_KEYS, no_argument, NULL, "do not decode the payload keys", NULL },
	{ "all", 'a', no_argument, NULL,
	  "also stale, duplicate and invalid jsets, with every offset seen", NULL },
	{ "summary", OPT_SUMMARY, no_argument, NULL, "only the location and the summaries",
	  NULL },
	{ "json", 'J', no_argument, NULL, "print one JSON document", NULL },
	{ NULL },
};

static const struct bch_opt extract_opts_def[] = {
	{ "cache", 'C', required_argument, "DEV", "the cache device (kernel view)", "device" },
	{ "cset-uuid", OPT_CSET_UUID, required_argument, "UUID",
	  "without -C: the cache set uuid that derives the jset magic", "uuid" },
	{ "output", 'o', required_argument, "FILE", "write the jsets to FILE", "file" },
	{ NULL },
};

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	*out = strtoull(s, &end, 0);
	return *end ? -EINVAL : 0;
}

static int parse_seq(struct jopts *o, const char *arg)
{
	const char *dots = strstr(arg, "..");
	char lo[32];

	o->seq_lo = 0;
	o->seq_hi = UINT64_MAX;
	if (!dots)
		return parse_u64(arg, &o->seq_lo) ? -EINVAL : parse_u64(arg, &o->seq_hi);
	if ((size_t)(dots - arg) >= sizeof(lo))
		return -EINVAL;
	memcpy(lo, arg, dots - arg);
	lo[dots - arg] = '\0';
	if (*lo && parse_u64(lo, &o->seq_lo))
		return -EINVAL;
	if (dots[2] && parse_u64(dots + 2, &o->seq_hi))
		return -EINVAL;
	return o->seq_lo > o->seq_hi ? -EINVAL : 0;
}

static int journal_opt(int val, const char *arg, void *ctx)
{
	struct jopts *o = ctx;
	uint64_t v;

	switch (val) {
	case 'C':
		o->cache = arg;
		return 0;
	case OPT_CSET_UUID:
		o->have_cset_uuid = true;
		if (bch_uuid_parse(arg, o->cset_uuid))
			return bch_usage_error(o->cmd, "--cset-uuid: invalid UUID '%s'", arg);
		return 0;
	case OPT_SEQ:
		if (parse_seq(o, arg))
			return bch_usage_error(o->cmd, "--seq: expected A..B, A.., ..B or A: '%s'",
					       arg);
		return 0;
	case OPT_LAST:
		if (parse_u64(arg, &o->last) || !o->last)
			return bch_usage_error(o->cmd, "--last: expected a count > 0: '%s'", arg);
		return 0;
	case OPT_INODE:
		if (parse_u64(arg, &v) || v > 0xfffff)
			return bch_usage_error(o->cmd, "--inode: expected 0..1048575: '%s'", arg);
		o->inode = (long long)v;
		return 0;
	case OPT_KEYS:
	case OPT_NO_KEYS:
		o->keys = val == OPT_KEYS;
		return 0;
	case 'a':
		o->all = true;
		return 0;
	case OPT_SUMMARY:
		o->summary = true;
		return 0;
	case 'J':
		o->json = true;
		return 0;
	case 'o':
		o->output = arg;
		return 0;
	}
	return BCH_EXIT_USAGE;
}

/* ---- analysis ---- */

static int read_jset(struct jctx *c, const struct bch_jhit *h);

static void journal_free(struct journal *j)
{
	bch_jscan_free(&j->scan);
	bch_jlist_free(&j->media);
	if (j->kernel) {
		bch_jview_free(&j->kv);
		bch_jview_free(&j->lv);
	}
}

void jctx_free(struct jctx *c)
{
	for (size_t i = 0; i < c->nj; i++)
		journal_free(&c->j[i]);
	free(c->j);
	free(c->buf);
	bch_jlocate_free(&c->loc);
	bch_problems_free(&c->ps);
	bch_nvm_ns_free(&c->ns);
	bch_media_close(c->m);
}

/* The CHECKS problems of one valid jset, by its flags. */
static int jset_problems(struct jctx *c, const struct bch_jhit *h)
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
			rc = bch_problem_add(&c->ps, checks[i].code, h->off, "jset",
					     "jset seq %llu at %llu: %s (version %u, last_seq "
					     "%llu)", (unsigned long long)h->seq,
					     (unsigned long long)h->off, checks[i].text,
					     h->version, (unsigned long long)h->last_seq);
	return rc;
}

/*
 * The CHECKS of the live jsets of a list (their bytes are read
 * again); problems for those not already reported through `seen`.
 */
static int check_live(struct jctx *c, struct bch_jlist *l, const struct bch_jrange *r,
		      const struct bch_jlist *seen)
{
	int rc = 0;

	for (size_t i = l->lo; i < l->hi && !rc; i++) {
		struct bch_jhit *h = bch_jlist_hit(l, i);
		long at;

		if (h->seq < r->last_seq)
			continue;
		rc = read_jset(c, h);
		if (rc)
			return rc;
		bch_jset_check(c->buf, h);
		at = seen ? bch_jlist_find(seen, h->seq) : -1;
		if (at < 0 || bch_jlist_hit(seen, at)->csum != h->csum)
			rc = jset_problems(c, h);
	}
	return rc;
}

int journal_gaps_text(const struct bch_jlist *l, const struct bch_jrange *r, char *buf,
		      size_t len)
{
	uint64_t g[2 * GAPS_SHOWN];
	size_t n = bch_jlist_gaps(l, r, g, GAPS_SHOWN), at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && i < GAPS_SHOWN && at < len; i++)
		at += snprintf(buf + at, len - at, g[2 * i] == g[2 * i + 1] ? "%s%llu" :
			       "%s%llu-%llu", i ? "," : "", (unsigned long long)g[2 * i],
			       (unsigned long long)g[2 * i + 1]);
	if (n > GAPS_SHOWN && at < len)
		snprintf(buf + at, len - at, ",... (%zu gaps)", n);
	return (int)n;
}

static int range_problems(struct jctx *c, const char *view, const struct bch_jlist *l,
			  const struct bch_jrange *r)
{
	char gaps[512];

	if (!r->any)
		return bch_problem_add(&c->ps, BCH_P_J_NO_JOURNAL, 0, view,
				       "%s view: no valid journal entry found", view);
	if (r->complete)
		return 0;
	journal_gaps_text(l, r, gaps, sizeof(gaps));
	return bch_problem_add(&c->ps, BCH_P_J_MISSING, 0, view, "%s view: journal entries "
			       "%s missing! (replaying %llu-%llu)", view, gaps,
			       (unsigned long long)r->last_seq, (unsigned long long)r->newest);
}

/* Seqs live on the media (magic scan) that the kernel's replay lacks. */
static int compare_views(struct jctx *c, struct journal *j)
{
	uint64_t first = 0, prev = 0, n = 0;
	char txt[256];
	size_t at = 0;

	txt[0] = '\0';
	if (!j->mrange.any)
		return 0;
	for (size_t i = j->media.lo; i < j->media.hi; i++) {
		uint64_t s = bch_jlist_hit(&j->media, i)->seq;

		if (s < j->mrange.last_seq || bch_jlist_find(&j->kv.list, s) >= 0)
			continue;
		if (n && s == prev + 1) {
			prev = s;
			n++;
			continue;
		}
		if (n && at < sizeof(txt))
			at += snprintf(txt + at, sizeof(txt) - at, first == prev ? "%s%llu" :
				       "%s%llu-%llu", at ? "," : "", (unsigned long long)first,
				       (unsigned long long)prev);
		first = prev = s;
		n++;
	}
	if (!n)
		return 0;
	if (at < sizeof(txt))
		snprintf(txt + at, sizeof(txt) - at, first == prev ? "%s%llu" : "%s%llu-%llu",
			 at ? "," : "", (unsigned long long)first, (unsigned long long)prev);
	return bch_problem_add(&c->ps, BCH_P_J_KERNEL_MISSES, 0, "kernel",
			       "%llu jsets intact on the media (seq %s) are not in the kernel's "
			       "replay (kernel newest %llu, media newest %llu)",
			       (unsigned long long)n, txt, (unsigned long long)j->krange.newest,
			       (unsigned long long)j->mrange.newest);
}

/* Where the kernel resumes writing, what it would overwrite (BYTE STRIDE). */
static int resume_problems(struct jctx *c, struct journal *j)
{
	struct bch_jresume rs;

	if (j->kv.cur_idx < 0 || !c->loc.g.n)
		return 0;
	if (j->lv.cur_idx != j->kv.cur_idx) {
		int rc = bch_problem_add(&c->ps, BCH_P_J_RESUME_OVERWRITES, 0, "kernel",
					 "the kernel credits bucket %d with the newest seq, "
					 "reading every bucket credits bucket %d",
					 j->kv.cur_idx, j->lv.cur_idx);
		if (rc)
			return rc;
	}
	bch_jview_resume(&j->kv, &c->loc.g, &j->krange, &rs);
	if (!rs.n)
		return 0;
	return bch_problem_add(&c->ps, BCH_P_J_RESUME_OVERWRITES, rs.offset, "kernel",
			       "the kernel resumes writing in bucket %d at byte %llu, over %llu "
			       "live jsets (seq %llu-%llu) of its own replay range", rs.bucket,
			       (unsigned long long)rs.offset, (unsigned long long)rs.n,
			       (unsigned long long)rs.lo, (unsigned long long)rs.hi);
}

/* A journal whose range runs past the end of the device: what is missing. */
static int truncated_problem(struct jctx *c, const struct journal *j)
{
	uint64_t size = c->m->size;

	if (j->end <= size)
		return 0;
	return bch_problem_add(&c->ps, BCH_P_J_TRUNCATED, j->start, "journal",
			       "the journal %s [%llu, %llu) runs past the end of the device "
			       "(%llu bytes): %llu bytes of it are missing%s",
			       j->kernel ? "span" : "region", (unsigned long long)j->start,
			       (unsigned long long)j->end, (unsigned long long)size,
			       (unsigned long long)(j->end - (j->start > size ? j->start : size)),
			       j->start >= size ? ", all of it (the image is truncated)" :
			       " (the image is truncated)");
}

/* The analysis of a journal whose magic scan ran (j->scan). */
static int analyze(struct jctx *c, struct journal *j)
{
	struct bch_jsrc src;
	int rc = truncated_problem(c, j);

	if (!rc)
		rc = bch_jscan_view(&j->scan, &j->media, &j->dups, &j->conflicts);
	if (rc)
		return rc;
	for (size_t i = 0; i < j->scan.n; i++)
		j->invalid += j->scan.v[i].state != BCH_JSET_OK;
	bch_jlist_range(&j->media, &j->mrange);
	rc = check_live(c, &j->media, &j->mrange, NULL);
	if (!rc && j->conflicts)
		rc = bch_problem_add(&c->ps, BCH_P_J_SEQ_CONFLICT, j->start, "media",
				     "%llu seqs have copies with different contents",
				     (unsigned long long)j->conflicts);
	if (!rc && !j->kernel)
		bch_journal_infer(&j->media, j->start, j->end - j->start, &j->infer);
	if (rc || !j->kernel)
		return rc ? rc : range_problems(c, "media", &j->media, &j->mrange);
	rc = bch_jsrc_init(&src, c->m, &j->scan, j->magic);
	src.events = c->o->all && !c->o->summary;
	if (!rc)
		rc = bch_journal_kernel_view(&src, &c->loc.g, &j->kv);
	if (!rc)
		rc = bch_journal_linear_view(&src, &c->loc.g, &j->lv);
	bch_jsrc_free(&src);
	if (rc == -E2BIG)
		rc = bch_problem_add(&c->ps, BCH_P_J_WORK_CAP, 0, "kernel", "the replay list "
				     "needed more than its work cap; the views are partial");
	if (rc)
		return rc;
	bch_jlist_range(&j->kv.list, &j->krange);
	bch_jlist_range(&j->lv.list, &j->lrange);
	rc = check_live(c, &j->kv.list, &j->krange, &j->media);
	if (!rc)
		rc = range_problems(c, "kernel", &j->kv.list, &j->krange);
	if (!rc && j->kv.invalid)
		rc = bch_problem_add(&c->ps, BCH_P_J_BAD_CSUM, 0, "kernel", "the kernel's read "
				     "stopped %llu buckets at an invalid jset (bad checksum or "
				     "too big)", (unsigned long long)j->kv.invalid);
	if (!rc)
		rc = compare_views(c, j);
	if (!rc)
		rc = resume_problems(c, j);
	return rc;
}

/*
 * Keep a journal over [start, end) whose magic scan ran (sc is moved into
 * it) and analyse it.
 */
static int keep_journal(struct jctx *c, const struct bch_jregion *reg, uint64_t magic,
			struct bch_jscan *sc, uint64_t start, uint64_t end, bool kernel)
{
	struct journal *v;

	if (c->nj == c->jcap && bch_grow((void **)&c->j, &c->jcap, sizeof(*v)))
		return -ENOMEM;
	v = &c->j[c->nj++];
	memset(v, 0, sizeof(*v));
	v->reg = reg;
	v->magic = magic;
	v->start = start & ~7ULL;
	v->end = end;
	v->kernel = kernel;
	v->scan = *sc;
	memset(sc, 0, sizeof(*sc));
	return analyze(c, v);
}

/* Scan [start, end) of the namespace for a region's magic and keep it. */
static int add_journal(struct jctx *c, const struct bch_jregion *reg, uint64_t magic,
		       uint64_t start, uint64_t end, bool kernel)
{
	struct bch_jscan sc = { 0 };
	int rc = bch_jscan_run(c->m, start & ~7ULL, end, magic, &sc);

	if (!rc)
		rc = keep_journal(c, reg, magic, &sc, start, end, kernel);
	bch_jscan_free(&sc);
	return rc;
}

/*
 * Which regions to scan: not one that overlaps a region before it in page
 * order (that bounds the bytes scanned by the device size).  The regions'
 * allocations index ns->allocs, which is sorted by page.
 */
static int scannable(const struct jctx *c, bool *ok)
{
	long *reg = malloc((c->ns.nallocs ? c->ns.nallocs : 1) * sizeof(*reg));
	uint64_t hi = 0;

	if (!reg)
		return -ENOMEM;
	for (size_t a = 0; a < c->ns.nallocs; a++)
		reg[a] = -1;
	for (size_t i = 0; i < c->loc.nr; i++)
		reg[c->loc.r[i].alloc] = (long)i;
	for (size_t a = 0; a < c->ns.nallocs; a++) {
		const struct bch_jregion *r;

		if (reg[a] < 0)
			continue;
		r = &c->loc.r[reg[a]];
		ok[reg[a]] = r->start >= hi;
		if (r->start + r->len > hi)
			hi = r->start + r->len;
	}
	free(reg);
	return 0;
}

/* The counts of scan_regions' allocations not scanned or not shown. */
static int skipped_problems(struct jctx *c, uint64_t small, uint64_t empty,
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
			rc = bch_problem_add(&c->ps, v[i].code, 0, "owner_list", "%llu %s",
					     (unsigned long long)v[i].n, v[i].text);
	return rc;
}

/*
 * Without -C: every valid allocation of the owners is a candidate region.
 * Each is scanned by magic, in time linear in its size; only the regions
 * where the magic occurs are analysed and shown, and an owner whose regions
 * hold none shows its first.  At most JOURNALS_MAX regions are analysed.
 * Time and memory are bounded by the device size and the record count.
 */
static int scan_regions(struct jctx *c)
{
	uint64_t overlapping = 0, empty = 0, over_cap = 0, small = 0;
	bool *ok = calloc(c->loc.nr ? c->loc.nr : 1, sizeof(*ok));
	struct bch_jscan sc = { 0 };
	int rc = ok ? scannable(c, ok) : -ENOMEM;

	for (size_t a = 0, b; a < c->loc.nr && !rc; a = b) {
		size_t kept = c->nj;
		long first = -1;

		for (b = a; b < c->loc.nr && c->loc.r[b].owner == c->loc.r[a].owner; b++)
			;
		for (size_t i = a; i < b && !rc; i++) {
			const struct bch_jregion *r = &c->loc.r[i];

			if (r->len < JOURNAL_REGION_MIN) {
				small++;
				continue;
			}
			if (!ok[i]) {
				overlapping++;
				continue;
			}
			if (first < 0)
				first = (long)i;
			if (c->nj >= JOURNALS_MAX) {
				over_cap++;
				continue;
			}
			rc = bch_jscan_run(c->m, r->start, r->start + r->len, r->magic, &sc);
			if (!rc && sc.n)
				rc = keep_journal(c, r, r->magic, &sc, r->start,
						  r->start + r->len, false);
			else if (!rc)
				empty++;
		}
		if (rc || c->nj > kept || first < 0 || c->nj >= JOURNALS_MAX)
			continue;
		/* no region of this owner holds the magic: show its first */
		empty--;
		rc = add_journal(c, &c->loc.r[first], c->loc.r[first].magic,
				 c->loc.r[first].start,
				 c->loc.r[first].start + c->loc.r[first].len, false);
	}
	bch_jscan_free(&sc);
	free(ok);
	return rc ? rc : skipped_problems(c, small, empty, overlapping, over_cap);
}

/* Open the cache device and read its superblock; an exit code. */
static int load_cache(struct jctx *c)
{
	struct bch_media *cm;
	int rc = bch_media_open(c->o->cache, 0, &cm);

	if (rc)
		return bch_open_error(c->o->cache, rc);
	rc = bch_cache_sb_read(cm, &c->csb);
	if (!rc)
		rc = bch_cache_sb_check(&c->csb, cm->size, 0, &c->ps);
	bch_input_add(&c->inputs, c->o->cache, cm->fd);
	bch_media_close(cm);
	if (rc == -ENODATA) {
		bch_err("%s: no bcache superblock (magic at byte 4120 not found)", c->o->cache);
		return BCH_EXIT_NOT_FOUND;
	}
	if (rc) {
		bch_err("%s: cannot read: %s", c->o->cache, strerror(-rc));
		return BCH_EXIT_ERROR;
	}
	if (c->csb.backing) {
		bch_err("%s: a backing device: its superblock has no journal", c->o->cache);
		return BCH_EXIT_NOT_FOUND;
	}
	c->have_csb = true;
	return BCH_EXIT_OK;
}

static int merge_problems(struct bch_problems *dst, const struct bch_problems *src)
{
	for (size_t i = 0; i < src->n; i++) {
		int rc = bch_problem_add(dst, src->v[i].code, src->v[i].offset, src->v[i].where,
					 "%s", src->v[i].message);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Open the namespace and walk it, reading only the metadata pages the walk
 * reaches (the journal needs the allocations, not a dump); an exit code,
 * with the messages of the nvm commands.
 */
static int load_ns(struct jctx *c)
{
	int rc = bch_media_open(c->path, 0, &c->m);

	if (rc)
		return bch_open_error(c->path, rc);
	bch_input_add(&c->inputs, c->path, c->m->fd);
	return nvm_load_status(c->path, &c->ns, bch_nvm_load_lazy(c->m, &c->ns));
}

/* Load everything and analyse; an exit code (problems do not count here). */
int jctx_load(struct jctx *c)
{
	int rc = load_ns(c);

	if (rc)
		return rc;
	c->buf = malloc(JSET_MAX_BYTES);
	if (!c->buf) {
		bch_err("%s: out of memory", c->path);
		return BCH_EXIT_ERROR;
	}
	if (c->o->cache) {
		rc = load_cache(c);
		if (rc)
			return rc;
		rc = bch_journal_locate_sb(&c->ns, &c->csb, &c->loc);
		if (!rc && c->loc.g.n && c->loc.span_end > c->loc.span_start)
			rc = add_journal(c, c->loc.chosen >= 0 ? &c->loc.r[c->loc.chosen] : NULL,
					 bch_jset_magic(c->csb.sb.set_uuid), c->loc.span_start,
					 c->loc.span_end, true);
	} else {
		rc = bch_journal_locate_owners(&c->ns, c->o->have_cset_uuid ? c->o->cset_uuid :
					       NULL, &c->loc);
		if (!rc)
			rc = scan_regions(c);
	}
	if (!rc)
		rc = merge_problems(&c->ps, &c->loc.problems);
	if (rc) {
		bch_err("%s: journal analysis failed: %s", c->path, strerror(-rc));
		return BCH_EXIT_ERROR;
	}
	if (!c->nj && !c->o->cache) {
		if (c->loc.nr)
			bch_err("%s: no journal: the owners' %zu allocations are single pages, "
				"too small for a journal region", c->path, c->loc.nr);
		else
			bch_err("%s: no journal: no owner has an allocation (namespace %s)",
				c->path, bch_nvm_state_name(c->ns.base.state));
		return BCH_EXIT_NOT_FOUND;
	}
	return BCH_EXIT_OK;
}

/* 0 when the kernel (or, without -C, the media) view is complete and valid. */
static int verdict(const struct jctx *c)
{
	if (bch_problems_count(&c->ps, BCH_SEV_ERROR))
		return BCH_EXIT_PROBLEMS;
	for (size_t i = 0; i < c->nj; i++) {
		const struct journal *j = &c->j[i];

		if (j->kernel ? !j->krange.complete || !j->krange.any || j->kv.invalid :
				!j->mrange.complete || !j->mrange.any || j->invalid)
			return BCH_EXIT_PROBLEMS;
	}
	return c->o->cache && !c->nj ? BCH_EXIT_PROBLEMS : BCH_EXIT_OK;
}

/* ---- output ---- */

static int read_jset(struct jctx *c, const struct bch_jhit *h)
{
	uint64_t n = bch_jset_bytes(h);

	if (n > JSET_MAX_BYTES || h->off > c->m->size || n > c->m->size - h->off)
		return -ERANGE;
	return bch_media_read(c->m, c->buf, n, h->off);
}

static bool seq_selected(const struct jctx *c, const struct journal *j, uint64_t seq)
{
	uint64_t newest = j->kernel ? j->krange.newest : j->mrange.newest;

	if (seq < c->o->seq_lo || seq > c->o->seq_hi)
		return false;
	return !c->o->last || newest - seq < c->o->last;
}

int journal_location_table(struct out *o, struct jctx *c)
{
	struct libscols_table *tb = out_table(o, "journals");
	static const struct out_coldef cols[] = {
		{ "device", SCOLS_JSON_STRING, 0, NULL },
		{ "cache_device", SCOLS_JSON_STRING, 0, NULL },
		{ "owner", SCOLS_JSON_NUMBER, 0, NULL },
		{ "set_uuid", SCOLS_JSON_STRING, 0, NULL },
		{ "magic", SCOLS_JSON_STRING, 0, NULL },
		{ "region_offset", SCOLS_JSON_NUMBER, 0, NULL },
		{ "region_bytes", SCOLS_JSON_NUMBER, 0, NULL },
		{ "kernel_finds_record", SCOLS_JSON_BOOLEAN, 0, NULL },
		{ "stride", SCOLS_JSON_STRING, 0, NULL },
		{ "buckets", SCOLS_JSON_NUMBER, 0, NULL },
		{ "bucket_size", SCOLS_JSON_NUMBER, 0, NULL },
		{ "block_size", SCOLS_JSON_NUMBER, 0, NULL },
		{ "base", SCOLS_JSON_STRING, 0, NULL },
		{ "revision", SCOLS_JSON_STRING, 0, NULL },
	};

	if (!tb)
		return -ENOMEM;
	if (!scols_table_get_ncols(tb))
		for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
			out_column(o, tb, cols[i].name, cols[i].json_type, 0);
	for (size_t i = 0; i < c->nj; i++) {
		const struct journal *j = &c->j[i];
		const struct bch_jregion *r = j->reg;
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		char u[37];

		if (!ln)
			return -ENOMEM;
		bch_uuid_format(c->have_csb ? c->csb.sb.set_uuid : c->o->have_cset_uuid ?
				c->o->cset_uuid : r->uuid, u);
		out_cell(ln, 0, "%s", c->path);
		out_cell(ln, 1, "%s", c->o->cache ? c->o->cache : "");
		out_cell(ln, 2, "%d", r ? c->ns.owners[r->owner].index : -1);
		out_cell(ln, 3, "%s", u);
		out_cell(ln, 4, "0x%016llx", (unsigned long long)j->magic);
		out_cell(ln, 5, "%llu", (unsigned long long)(r ? r->start : j->start));
		out_cell(ln, 6, "%llu", (unsigned long long)(r ? r->len : j->end - j->start));
		out_cell(ln, 7, "%s", out_bool(o, r && r->kernel_finds));
		out_cell(ln, 8, "%s", j->kernel ? bch_jstride_name(c->loc.stride) : "unknown");
		out_cell(ln, 9, "%u", j->kernel ? c->loc.g.n : 0);
		out_cell(ln, 10, "%llu", (unsigned long long)(j->kernel ? c->loc.g.bucket_sectors : 0));
		out_cell(ln, 11, "%llu", (unsigned long long)(j->kernel ? c->loc.g.block_sectors : 0));
		if (c->ns.lay->nvmpg_ptrs)
			out_cell(ln, 12, "none");
		else
			out_cell(ln, 12, "0x%llx", (unsigned long long)c->ns.base.k);
		out_cell(ln, 13, "%s", c->ns.lay->name);
	}
	out_title(o, "%s: journal location", c->path);
	return out_emit(o, tb);
}

static const char *const jset_cols[] = {
	"view", "offset", "bucket", "seq", "last_seq", "version", "keys", "nkeys", "csum",
	"csum_computed", "csum_ok", "status", "btree_level", "btree_root", "uuid_bucket",
	"prio_bucket",
};

static struct libscols_table *jset_table(struct out *o, struct jctx *c)
{
	struct libscols_table *tb = c->tb_jsets ? c->tb_jsets : out_table(o, "jsets");

	c->tb_jsets = tb;
	if (tb && !scols_table_get_ncols(tb)) {
		out_column(o, tb, "device", SCOLS_JSON_STRING, SCOLS_FL_HIDDEN * !o->json);
		for (size_t i = 0; i < sizeof(jset_cols) / sizeof(jset_cols[0]); i++) {
			int t = i == 0 || i == 8 || i == 9 || i == 11 || i >= 13 ?
				SCOLS_JSON_STRING : i == 10 ? SCOLS_JSON_BOOLEAN : SCOLS_JSON_NUMBER;

			/* prio_bucket is a number; bucket may be absent */
			if (i == 15)
				t = SCOLS_JSON_NUMBER;
			out_column(o, tb, jset_cols[i], t, i >= 13 && i <= 14 ? SCOLS_FL_WRAP : 0);
		}
	}
	return tb;
}

static void header_keys(struct jctx *c, struct libscols_line *ln, size_t col)
{
	const struct jset *js = (const void *)c->buf;
	char t[160];

	out_cell(ln, col, "%u", js->btree_level);
	if (bch_key_text(js->btree_root.key, KEY_MAX_U64S, t, sizeof(t)) >= 0)
		out_cell(ln, col + 1, "%s", t);
	if (bch_key_text(js->uuid_bucket.key, KEY_MAX_U64S, t, sizeof(t)) >= 0)
		out_cell(ln, col + 2, "%s", t);
	out_cell(ln, col + 3, "%llu", (unsigned long long)js->prio_bucket[0]);
}

static int key_rows(struct out *o, struct jctx *c, const struct bch_jhit *h, const char *view)
{
	struct libscols_table *tb = c->tb_keys ? c->tb_keys : out_table(o, "keys");
	const uint64_t *k = (const void *)(c->buf + BCH_JSET_HDR);
	size_t words = h->keys, at = 0;

	if (!tb)
		return -ENOMEM;
	c->tb_keys = tb;
	if (!scols_table_get_ncols(tb)) {
		static const char *const n[] = { "device", "view", "seq", "offset", "index",
						 "inode", "start", "size", "dirty", "ptrs", "key" };

		for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++)
			out_column(o, tb, n[i], i == 0 || i == 1 || i == 10 ? SCOLS_JSON_STRING :
				   i == 8 ? SCOLS_JSON_BOOLEAN : SCOLS_JSON_NUMBER,
				   i == 0 && !o->json ? SCOLS_FL_HIDDEN : 0);
	}
	for (unsigned int idx = 0; at < words; idx++) {
		char t[256];
		struct libscols_line *ln;
		int need = bch_key_text(k + at, words - at, t, sizeof(t));

		if (need < 0)
			break;	/* overrun: reported by the jset checks */
		if (c->o->inode < 0 || bch_key_inode(k[at]) == (unsigned int)c->o->inode) {
			ln = scols_table_new_line(tb, NULL);
			if (!ln)
				return -ENOMEM;
			out_cell(ln, 0, "%s", c->path);
			out_cell(ln, 1, "%s", view);
			out_cell(ln, 2, "%llu", (unsigned long long)h->seq);
			out_cell(ln, 3, "%llu", (unsigned long long)h->off);
			out_cell(ln, 4, "%u", idx);
			out_cell(ln, 5, "%u", bch_key_inode(k[at]));
			out_cell(ln, 6, "%llu", (unsigned long long)bch_key_start(k[at], k[at + 1]));
			out_cell(ln, 7, "%u", bch_key_size(k[at]));
			out_cell(ln, 8, "%s", out_bool(o, bch_key_dirty(k[at])));
			out_cell(ln, 9, "%u", bch_key_ptrs(k[at]));
			out_cell(ln, 10, "%s", t);
		}
		at += 2 + bch_key_ptrs(k[at]);
	}
	return 0;
}

static bool has_inode(const struct jctx *c, const struct bch_jhit *h)
{
	const uint64_t *k = (const void *)(c->buf + BCH_JSET_HDR);

	if (c->o->inode < 0)
		return true;
	for (size_t at = 0; at + 1 < h->keys; at += 2 + bch_key_ptrs(k[at]))
		if (bch_key_inode(k[at]) == (unsigned int)c->o->inode)
			return true;
	return false;
}

static int jset_row(struct out *o, struct jctx *c, const struct journal *j, const char *view,
		    const struct bch_jhit *h, int bucket, const char *status)
{
	struct libscols_table *tb;
	struct libscols_line *ln;
	struct bch_jhit checked;
	bool readable;

	if (!seq_selected(c, j, h->seq) && h->state == BCH_JSET_OK)
		return 0;
	readable = h->state == BCH_JSET_OK && !read_jset(c, h);
	if (readable && !has_inode(c, h))
		return 0;
	if (readable && !h->checked) {
		checked = *h;
		bch_jset_check(c->buf, &checked);
		h = &checked;
	}
	tb = jset_table(o, c);
	ln = tb ? scols_table_new_line(tb, NULL) : NULL;
	if (!ln)
		return -ENOMEM;
	out_cell(ln, 0, "%s", c->path);
	out_cell(ln, 1, "%s", view);
	out_cell(ln, 2, "%llu", (unsigned long long)h->off);
	if (bucket >= 0)
		out_cell(ln, 3, "%d", bucket);
	out_cell(ln, 4, "%llu", (unsigned long long)h->seq);
	out_cell(ln, 5, "%llu", (unsigned long long)h->last_seq);
	out_cell(ln, 6, "%u", h->version);
	out_cell(ln, 7, "%u", h->keys);
	out_cell(ln, 8, "%u", h->nkeys);
	out_cell(ln, 9, "0x%016llx", (unsigned long long)h->csum);
	out_cell(ln, 10, "0x%016llx", (unsigned long long)h->csum_computed);
	out_cell(ln, 11, "%s", out_bool(o, h->state == BCH_JSET_OK));
	out_cell(ln, 12, "%s", status);
	if (readable)
		header_keys(c, ln, 13);
	return readable && c->o->keys ? key_rows(o, c, h, view) : 0;
}

static const char *live_status(const struct bch_jrange *r, uint64_t seq)
{
	return seq >= r->last_seq ? "replayed" : "stale";
}

static int kernel_rows(struct out *o, struct jctx *c, const struct journal *j)
{
	int rc = 0;

	for (size_t i = j->kv.list.lo; i < j->kv.list.hi && !rc; i++)
		rc = jset_row(o, c, j, "kernel", bch_jlist_hit(&j->kv.list, i),
			      bch_jlist_bucket(&j->kv.list, i),
			      live_status(&j->krange, bch_jlist_hit(&j->kv.list, i)->seq));
	for (size_t i = 0; i < j->kv.nev && c->o->all && !rc; i++) {
		const struct bch_jevent *e = &j->kv.ev[i];

		if (e->outcome == BCH_JINS_ADDED && bch_jlist_find(&j->kv.list, e->h.seq) >= 0)
			continue;
		rc = jset_row(o, c, j, "kernel", &e->h, e->bucket, e->outcome < 0 ?
			      bch_jset_state_name(e->h.state) : e->outcome == BCH_JINS_ADDED ?
			      "dropped" : bch_jins_name(e->outcome));
	}
	return rc;
}

/* The bucket of a media row: from d[] with -C, else the inferred geometry. */
static int media_bucket(const struct jctx *c, const struct journal *j, uint64_t off)
{
	return bch_jgeom_bucket_of(j->kernel ? &c->loc.g : &j->infer.g, &j->scan, off);
}

static int media_rows(struct out *o, struct jctx *c, const struct journal *j)
{
	int rc = 0;

	for (size_t i = j->media.lo; i < j->media.hi && !rc; i++) {
		const struct bch_jhit *h = bch_jlist_hit(&j->media, i);
		bool in_kernel = j->kernel && bch_jlist_find(&j->kv.list, h->seq) >= 0;
		const char *st = live_status(&j->mrange, h->seq);

		if (j->kernel && !in_kernel && !strcmp(st, "replayed"))
			st = "missed_by_kernel";
		if (in_kernel && !c->o->all)
			continue;
		if (!strcmp(st, "stale") && !c->o->all)
			continue;
		rc = jset_row(o, c, j, "media", h, media_bucket(c, j, h->off), st);
	}
	for (size_t i = 0; i < j->scan.n && c->o->all && !rc; i++) {
		const struct bch_jhit *h = &j->scan.v[i];
		long at = h->state == BCH_JSET_OK ? bch_jlist_find(&j->media, h->seq) : -1;

		if (at >= 0 && bch_jlist_hit(&j->media, at)->off == h->off)
			continue;
		rc = jset_row(o, c, j, "media", h, media_bucket(c, j, h->off),
			      h->state == BCH_JSET_OK ? "duplicate" :
			      bch_jset_state_name(h->state));
	}
	return rc;
}

enum {
	SC_DEVICE, SC_VIEW, SC_NEWEST, SC_LAST_SEQ, SC_PRESENT, SC_MISSING, SC_MISSING_SEQS,
	SC_STALE, SC_DUPS, SC_INVALID, SC_READ, SC_CUR_IDX, SC_RESUME, SC_FOUND_BY,
	SC_COMPLETE, SC__COUNT
};

static const struct out_coldef summary_cols[SC__COUNT] = {
	[SC_DEVICE] = { "device", SCOLS_JSON_STRING, 0, NULL },
	[SC_VIEW] = { "view", SCOLS_JSON_STRING, 0, NULL },
	[SC_NEWEST] = { "newest_seq", SCOLS_JSON_NUMBER, 0, NULL },
	[SC_LAST_SEQ] = { "last_seq", SCOLS_JSON_NUMBER, 0, NULL },
	[SC_PRESENT] = { "present", SCOLS_JSON_NUMBER, 0, NULL },
	[SC_MISSING] = { "missing", SCOLS_JSON_NUMBER, 0, NULL },
	[SC_MISSING_SEQS] = { "missing_seqs", SCOLS_JSON_STRING, 0, NULL },
	[SC_STALE] = { "stale", SCOLS_JSON_NUMBER, 0, NULL },
	[SC_DUPS] = { "duplicates", SCOLS_JSON_NUMBER, 0, NULL },
	[SC_INVALID] = { "invalid", SCOLS_JSON_NUMBER, 0, NULL },
	[SC_READ] = { "buckets_read", SCOLS_JSON_NUMBER, 0, NULL },
	[SC_CUR_IDX] = { "cur_idx", SCOLS_JSON_NUMBER, 0, NULL },
	[SC_RESUME] = { "resume_offset", SCOLS_JSON_NUMBER, 0, NULL },
	[SC_FOUND_BY] = { "found_by", SCOLS_JSON_STRING, 0, NULL },
	[SC_COMPLETE] = { "complete", SCOLS_JSON_BOOLEAN, 0, NULL },
};

int journal_summary_row(struct out *o, struct libscols_table *tb, const struct jctx *c,
			const char *view, const struct bch_jlist *l,
			const struct bch_jrange *r, const struct bch_jview *v,
			const struct bch_jgeom *g, uint64_t dups, uint64_t invalid)
{
	struct libscols_line *ln;
	char gaps[512];

	if (!tb)
		return -ENOMEM;
	if (!scols_table_get_ncols(tb))
		for (size_t i = 0; i < SC__COUNT; i++)
			out_column(o, tb, summary_cols[i].name, summary_cols[i].json_type,
				   i == SC_DEVICE && !o->json ? SCOLS_FL_HIDDEN : 0);
	ln = scols_table_new_line(tb, NULL);
	if (!ln)
		return -ENOMEM;
	if (!journal_gaps_text(l, r, gaps, sizeof(gaps)))
		snprintf(gaps, sizeof(gaps), "%s", o->json ? "" : "none");
	out_cell(ln, SC_DEVICE, "%s", c->path);
	out_cell(ln, SC_VIEW, "%s", view);
	out_cell(ln, SC_NEWEST, "%llu", (unsigned long long)r->newest);
	out_cell(ln, SC_LAST_SEQ, "%llu", (unsigned long long)r->last_seq);
	out_cell(ln, SC_PRESENT, "%llu", (unsigned long long)r->present);
	out_cell(ln, SC_MISSING, "%llu", (unsigned long long)r->missing);
	out_cell(ln, SC_MISSING_SEQS, "%s", gaps);
	out_cell(ln, SC_STALE, "%llu", (unsigned long long)r->stale);
	out_cell(ln, SC_DUPS, "%llu", (unsigned long long)dups);
	out_cell(ln, SC_INVALID, "%llu", (unsigned long long)invalid);
	if (v && g && g->n) {
		int nb = v->cur_idx >= 0 ? (v->cur_idx + 1) % (int)g->n : -1;

		out_cell(ln, SC_READ, "%u", v->nread);
		out_cell(ln, SC_CUR_IDX, "%d", v->cur_idx);
		if (nb >= 0 && g->usable[nb])
			out_cell(ln, SC_RESUME, "%llu", (unsigned long long)g->start[nb]);
		if (v->probe_hit >= 0)
			out_cell(ln, SC_FOUND_BY, "probe i=%d", v->probe_hit);
		else
			out_cell(ln, SC_FOUND_BY, "%s", v->linear_hit ? "linear" : "none");
	}
	out_cell(ln, SC_COMPLETE, "%s", out_bool(o, r->any && r->complete));
	return 0;
}

static int summaries(struct out *o, struct jctx *c)
{
	struct libscols_table *tb = out_table(o, "summary");
	int rc = tb ? 0 : -ENOMEM;

	for (size_t i = 0; i < c->nj && !rc; i++) {
		const struct journal *j = &c->j[i];

		if (j->kernel) {
			rc = journal_summary_row(o, tb, c, "kernel", &j->kv.list, &j->krange,
						 &j->kv, &c->loc.g, j->kv.duplicates,
						 j->kv.invalid);
			if (!rc)
				rc = journal_summary_row(o, tb, c, "buckets", &j->lv.list,
							 &j->lrange, &j->lv, &c->loc.g,
							 j->lv.duplicates, j->lv.invalid);
		}
		if (!rc)
			rc = journal_summary_row(o, tb, c, "media", &j->media, &j->mrange, NULL,
						 NULL, j->dups, j->invalid);
	}
	if (rc || !c->nj) {
		scols_unref_table(tb);
		return rc;
	}
	out_title(o, JOURNAL_SUMMARY_TITLE, c->ns.lay->nvmpg_ptrs ? "v13" : "v7");
	return out_emit(o, tb);
}

/* Without -C: the geometry the media suggests (LOCATING step 7). */
static int inferred_table(struct out *o, struct jctx *c)
{
	static const struct out_coldef cols[] = {
		{ "device", SCOLS_JSON_STRING, 0, NULL },
		{ "region_offset", SCOLS_JSON_NUMBER, 0, NULL },
		{ "seq1_offset", SCOLS_JSON_NUMBER, 0, NULL },
		{ "stride", SCOLS_JSON_STRING, 0, NULL },
		{ "bucket_size", SCOLS_JSON_NUMBER, 0, NULL },
		{ "buckets_min", SCOLS_JSON_NUMBER, 0, NULL },
		{ "buckets_max", SCOLS_JSON_NUMBER, 0, NULL },
		{ "block_multiple", SCOLS_JSON_NUMBER, 0, NULL },
	};
	struct libscols_table *tb;

	if (c->o->cache || !c->nj)
		return 0;
	tb = out_table(o, "inferred_geometry");
	if (!tb)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		out_column(o, tb, cols[i].name, cols[i].json_type,
			   i == 0 && !o->json ? SCOLS_FL_HIDDEN : 0);
	for (size_t i = 0; i < c->nj; i++) {
		const struct bch_jinfer *f = &c->j[i].infer;
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			return -ENOMEM;
		out_cell(ln, 0, "%s", c->path);
		out_cell(ln, 1, "%llu", (unsigned long long)c->j[i].start);
		if (f->seq1)
			out_cell(ln, 2, "%llu", (unsigned long long)f->stride);
		out_cell(ln, 3, "%s", !f->seq1 ? "unknown" : f->kind == BCH_JSTRIDE_NONE ?
			 "undecided" : bch_jstride_name(f->kind));
		if (f->kind != BCH_JSTRIDE_NONE) {
			out_cell(ln, 4, "%llu", (unsigned long long)f->bucket_sectors);
			out_cell(ln, 5, "%u", f->keys_min);
			out_cell(ln, 6, "%u", f->keys_max);
		}
		if (f->block_multiple)
			out_cell(ln, 7, "%llu", (unsigned long long)f->block_multiple);
	}
	out_title(o, "inferred geometry (no -C: seq 1 lies at d[1], consecutive jsets "
		  "a whole number of blocks apart)");
	return out_emit(o, tb);
}

/* Emit a table that rows were added to (none: nothing in text mode). */
static int emit_rows(struct out *o, struct libscols_table *tb, const char *title)
{
	if (!tb)
		return 0;
	if (!o->json && !scols_table_get_nlines(tb)) {
		scols_unref_table(tb);
		return 0;
	}
	out_title(o, "%s", title);
	return out_emit(o, tb);
}

static int show_output(struct out *o, struct jctx *c)
{
	int rc = journal_location_table(o, c);

	for (size_t i = 0; i < c->nj && !rc && !c->o->summary; i++) {
		if (c->j[i].kernel)
			rc = kernel_rows(o, c, &c->j[i]);
		if (!rc)
			rc = media_rows(o, c, &c->j[i]);
	}
	if (!rc)
		rc = emit_rows(o, c->tb_jsets, "jsets");
	if (!rc)
		rc = emit_rows(o, c->tb_keys, "keys (kernel text form)");
	if (!rc)
		rc = summaries(o, c);
	if (!rc)
		rc = inferred_table(o, c);
	if (!rc)
		rc = out_problems(o, c->path, &c->ps);
	return rc;
}

static int cmd_journal_show(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct jopts opts = { .cmd = cmd, .seq_hi = UINT64_MAX, .inode = -1, .keys = true };
	struct jctx c = { .o = &opts };
	struct out o;
	int rc, first;

	rc = bch_parse(cmd, argc, argv, journal_opt, &opts, &first);
	if (rc)
		return rc;
	if (first + 1 != argc)
		return bch_usage_error(cmd, first >= argc ? "no pmem device given" :
				       "exactly one pmem device");
	if (opts.cache && opts.have_cset_uuid)
		return bch_usage_error(cmd, "--cset-uuid is taken from the cache device with -C");
	c.path = argv[first];
	rc = jctx_load(&c);
	if (rc) {
		jctx_free(&c);
		return rc;
	}
	out_init(&o, opts.json);
	if (show_output(&o, &c) || out_finish(&o)) {
		bch_err("%s: output failed", c.path);
		jctx_free(&c);
		return BCH_EXIT_ERROR;
	}
	rc = verdict(&c);
	jctx_free(&c);
	return rc;
}

/* ---- extract ---- */

static int write_all(int fd, const void *buf, size_t n)
{
	const unsigned char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int extract(struct jctx *c, int fd, uint64_t *njsets, uint64_t *bytes)
{
	for (size_t i = 0; i < c->nj; i++) {
		const struct journal *j = &c->j[i];
		const struct bch_jlist *l = j->kernel ? &j->kv.list : &j->media;
		const struct bch_jrange *r = j->kernel ? &j->krange : &j->mrange;

		for (size_t k = l->lo; k < l->hi; k++) {
			const struct bch_jhit *h = bch_jlist_hit(l, k);
			int rc;

			if (h->seq < r->last_seq)
				continue;
			rc = read_jset(c, h);
			if (!rc)
				rc = write_all(fd, c->buf, bch_jset_bytes(h));
			if (rc)
				return rc;
			(*njsets)++;
			*bytes += bch_jset_bytes(h);
		}
	}
	/* a pipe or a terminal has nothing to sync */
	return fsync(fd) && errno != EINVAL && errno != EROFS ? -errno : 0;
}

static int cmd_journal_extract(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct jopts opts = { .cmd = cmd, .seq_hi = UINT64_MAX, .inode = -1 };
	struct jctx c = { .o = &opts };
	uint64_t n = 0, bytes = 0;
	int rc, first, fd;

	rc = bch_parse(cmd, argc, argv, journal_opt, &opts, &first);
	if (rc)
		return rc;
	if (first + 1 != argc)
		return bch_usage_error(cmd, "exactly one pmem device");
	if (!opts.output)
		return bch_usage_error(cmd, "-o FILE is required");
	c.path = argv[first];
	rc = jctx_load(&c);
	if (rc) {
		jctx_free(&c);
		return rc;
	}
	rc = bch_output_open(opts.output, &c.inputs, &fd);
	if (rc) {
		jctx_free(&c);
		return rc;
	}
	rc = extract(&c, fd, &n, &bytes);
	close(fd);
	if (rc) {
		bch_err("%s: %s", opts.output, strerror(-rc));
		jctx_free(&c);
		return BCH_EXIT_ERROR;
	}
	fprintf(stderr, "%s: %llu jsets, %llu bytes written to %s\n", c.path,
		(unsigned long long)n, (unsigned long long)bytes,
		strcmp(opts.output, "-") ? opts.output : "standard output");
	rc = verdict(&c);
	jctx_free(&c);
	return rc;
}

static const struct bch_cmd journal_show = {
	.name = "show", .full = "journal show",
	.summary = "decode the journal in an nvm-pages namespace (v7 or nvmpg)",
	.usage = "PMEM", .opts = show_opts_def, .run = cmd_journal_show,
	.operands = "device",
};

static const struct bch_cmd journal_extract = {
	.name = "extract", .full = "journal extract",
	.summary = "write the jsets of the replay range, raw, in seq order",
	.usage = "PMEM", .opts = extract_opts_def, .run = cmd_journal_extract,
	.operands = "device",
};

static const struct bch_cmd *const journal_subs[] = {
	&journal_show,
	&journal_extract,
	&bch_cmd_journal_repair,
	NULL,
};

const struct bch_cmd bch_cmd_journal = {
	.name = "journal", .full = "journal",
	.summary = "decode the bcache journal on NVDIMM",
	.subs = journal_subs,
};
