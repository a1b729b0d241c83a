// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-journal: the input is a namespace and optionally a cache superblock
 * (the layout of fuzz.h).  The load of the allocations, the journal
 * location from the namespace alone (each owner's magic, and the cache
 * set's) and with the cache superblock, the magic scan of every region or
 * span, the media view, the replay range and its gaps, the inferred geometry, the kernel's read
 * and every bucket's, where it resumes, the jset checks and the text of
 * every key, and the repair plan: what `journal show` and `journal repair
 * --dry-run` compute (each magic scan also from a file, read in small
 * windows: the same hits); then the library's analysis entry point,
 * bch_journal_analyze(), over the same input, with and without the cache
 * superblock, and its verdict.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <bcache/cache-sb.h>
#include <bcache/journal-analysis.h>
#include <bcache/journal-repair.h>
#include <bcache/journal.h>
#include <bcache/media.h>
#include <bcache/nvm-walk.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The jset checks and the key text of the live jsets of a list. */
static void decode(struct bch_media *m, const struct bch_jlist *l, const struct bch_jrange *r)
{
	static unsigned char buf[JSET_MAX_BYTES];
	char t[256];

	for (size_t i = l->lo; i < l->hi; i++) {
		struct bch_jset_head h = *bch_jlist_hit(l, i);
		const struct jset *js = (const void *)buf;
		const uint64_t *k = (const void *)(buf + BCH_JSET_HDR);
		uint64_t n = bch_jset_bytes(&h);

		if (h.seq < r->last_seq || n > JSET_MAX_BYTES || bch_media_read(m, buf, n, h.off))
			continue;
		bch_jset_check(buf, &h);
		(void)bch_key_text(js->btree_root.key, KEY_MAX_U64S, t, sizeof(t));
		(void)bch_key_text(js->uuid_bucket.key, KEY_MAX_U64S, t, sizeof(t));
		for (size_t at = 0; at < h.keys;) {
			if (bch_key_text(k + at, h.keys - at, t, sizeof(t)) < 0)
				break;
			at += 2 + bch_key_ptrs(k[at]);
		}
	}
}

/*
 * The input's namespace bytes (in memory) and the window of the scan that
 * reads them again from a file (a memfd), chosen by the input's size.
 */
static const unsigned char *fz_img;
static size_t fz_window;
static int fz_fd = -1;

/*
 * The scan of [start, end) read in windows of fz_window bytes (or more:
 * about 1024 windows at most) from a file
 * holding the same bytes there must find the hits of the scan in place, s:
 * the windows carry what they cut off (a jset across an edge, where a valid
 * jset ends).  A difference is a finding.
 */
static void windows(const struct bch_media *m, uint64_t start, uint64_t end, uint64_t magic,
		    const struct bch_jscan *s)
{
	struct bch_jscan w = { .window = fz_window };
	struct bch_media *f;
	char path[64];

	if (fz_fd < 0)
		fz_fd = memfd_create("ns", MFD_CLOEXEC);
	if (end > m->size)
		end = m->size;
	start &= ~7ULL;
	if (fz_fd < 0 || start >= end || ftruncate(fz_fd, 0) || ftruncate(fz_fd, (off_t)m->size) ||
	    pwrite(fz_fd, fz_img + start, end - start, (off_t)start) != (ssize_t)(end - start))
		return;
	if (w.window < (end - start) / 1024)	/* at most about 1024 reads */
		w.window = ((end - start) / 1024 + 7) & ~7ULL;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fz_fd);
	if (bch_media_open(path, 0, &f))
		return;
	if (!bch_jscan_run(f, start, end, magic, &w) &&
	    (w.n != s->n || w.dropped != s->dropped || memcmp(w.v, s->v, s->n * sizeof(*s->v))))
		abort();
	bch_jscan_free(&w);
	bch_media_close(f);
}

/* The magic scan of [start, end), the media view and what follows from it. */
static void media(struct bch_media *m, uint64_t start, uint64_t end, uint64_t magic,
		  struct bch_jscan *s, struct bch_jlist *l, struct bch_jrange *r)
{
	uint64_t gaps[32], dups, conflicts;
	struct bch_jinfer inf;

	memset(s, 0, sizeof(*s));
	memset(l, 0, sizeof(*l));
	memset(r, 0, sizeof(*r));
	if (bch_jscan_run(m, start & ~7ULL, end, magic, s))
		return;
	windows(m, start, end, magic, s);
	if (bch_jscan_view(s, l, &dups, &conflicts))
		return;
	bch_jlist_range(l, r);
	(void)bch_jlist_gaps(l, r, gaps, 16);
	decode(m, l, r);
	bch_journal_infer(l, start, end - start, &inf);
	for (size_t i = l->lo; i < l->hi && inf.g.n; i++)
		(void)bch_jgeom_bucket_of(&inf.g, s, bch_jlist_hit(l, i)->off);
}

static void without_sb(struct bch_media *m, const struct bch_nvm_ns *ns, const uint8_t *cset)
{
	struct bch_jlocate loc;

	if (!bch_journal_locate_owners(ns, cset, &loc))
		for (size_t i = 0; i < loc.nr && i < 8; i++) {
			struct bch_jscan s;
			struct bch_jlist l;
			struct bch_jrange r;

			media(m, loc.r[i].start, loc.r[i].start + loc.r[i].len, loc.r[i].magic,
			      &s, &l, &r);
			bch_jlist_free(&l);
			bch_jscan_free(&s);
		}
	bch_jlocate_free(&loc);
}

static void kernel(struct bch_media *m, const struct bch_jlocate *loc,
		   const struct bch_jscan *s, uint64_t magic, struct bch_jview *kv)
{
	struct bch_jview lv;
	struct bch_jrange r;
	struct bch_jresume rs;
	struct bch_jset_source src;

	memset(&lv, 0, sizeof(lv));
	if (bch_jset_source_init(&src, m, s, magic))
		return;
	src.events = true;
	if (!bch_journal_kernel_view(&src, &loc->g, kv)) {
		bch_jlist_range(&kv->list, &r);
		bch_jview_resume(kv, &loc->g, &r, &rs);
		decode(m, &kv->list, &r);
	}
	(void)bch_journal_linear_view(&src, &loc->g, &lv);
	bch_jview_free(&lv);
	bch_jset_source_free(&src);
}

static void with_sb(struct bch_media *m, const struct bch_nvm_ns *ns, const unsigned char *cdev)
{
	struct bch_cache_sb_info csb;
	struct bch_problems ps = { 0 };
	struct bch_jlocate loc;
	struct bch_jscan s;
	struct bch_jlist l;
	struct bch_jrange r;
	struct bch_jview kv;
	struct bch_jrepair rep;
	uint64_t magic;

	bch_cache_sb_parse(cdev + 4096, &csb);
	(void)bch_cache_sb_check(&csb, FZ_CACHE_SIZE, 0, &ps);
	bch_problems_free(&ps);
	magic = bch_jset_magic(csb.sb.set_uuid);
	memset(&kv, 0, sizeof(kv));
	if (!bch_journal_locate_sb(ns, &csb, &loc) && loc.g.n && loc.span_end > loc.span_start) {
		media(m, loc.span_start, loc.span_end, magic, &s, &l, &r);
		kernel(m, &loc, &s, magic, &kv);
		if (s.v) {
			struct bch_jrepair_in in = {
				.m = m, .ns = ns, .csb = &csb, .loc = &loc, .scan = &s,
				.media = &l, .kv = &kv, .live_k_known = true,
				.live_k = ns->base.k,
			};

			memset(&rep, 0, sizeof(rep));
			(void)bch_journal_repair_plan(&in, &rep);
			bch_jrepair_free(&rep);
		}
		bch_jview_free(&kv);
		bch_jlist_free(&l);
		bch_jscan_free(&s);
	}
	bch_jlocate_free(&loc);
	without_sb(m, ns, csb.sb.set_uuid);
}

/* What `journal show` renders: the report of the analysis and its verdict. */
static void analysis(struct bch_media *m, const struct bch_nvm_ns *ns, const unsigned char *cdev)
{
	struct bch_cache_sb_info csb;
	struct bch_journal_opts o = { .events = true };
	struct bch_journal_report rep;
	char t[128];

	if (cdev) {
		bch_cache_sb_parse(cdev + 4096, &csb);
		o.csb = &csb;
	}
	memset(&rep, 0, sizeof(rep));
	if (!bch_journal_analyze(m, ns, &o, &rep)) {
		(void)bch_jverdict_name(bch_journal_verdict(&rep));
		for (size_t i = 0; i < rep.nj; i++)
			(void)bch_jrange_gaps_text(&rep.j[i].media, &rep.j[i].mrange, t,
						   sizeof(t));
	}
	bch_journal_report_free(&rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_layout lay;
	struct bch_nvm_ns ns;
	struct bch_media *m;
	unsigned char *img, *cdev = NULL;
	uint64_t n;

	if (!fz_split(data, size, &lay))
		return 0;
	static const size_t wins[] = { 8, 24, 520, 4096, 32776 };

	img = fz_namespace(&lay, &n);
	if (!img)
		return 0;
	fz_img = img;
	fz_window = wins[size % 5];
	if (lay.csb)
		cdev = fz_cache(&lay);
	if (!bch_media_open_mem("fuzz", img, n, 0, &m)) {
		if (!bch_nvm_load_allocs(m, &ns)) {
			if (cdev)
				with_sb(m, &ns, cdev);
			else
				without_sb(m, &ns, NULL);
			analysis(m, &ns, cdev);
		}
		bch_nvm_ns_free(&ns);
		bch_media_close(m);
	}
	free(cdev);
	fz_unmap(img, n);
	return 0;
}
