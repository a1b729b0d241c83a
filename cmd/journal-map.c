// SPDX-License-Identifier: GPL-2.0
/*
 * journal show --map: the journal bucket by bucket.  Which jsets of the
 * media view (one per seq) sit in which bucket, which buckets are empty or
 * hold only stale jsets, and where the kernel's read ended (cur_idx) and
 * resumes writing; all from the library's analysis (bch_journal_analyze).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bcache/grow.h>
#include <bcache/journal-analysis.h>

#include "columns.h"
#include "journal-common.h"
#include "output.h"

OUT_CATALOGUE(BCH_COLS_JMAP, JM, jmap_cols);

/* Seq ranges listed per bucket before ",... (N ranges)". */
#define JMAP_RANGES_LISTED 4

struct jmap_bucket {
	uint64_t *r;		/* [from, to] pairs, ascending */
	size_t n, cap;		/* pairs */
	uint64_t jsets, newest;
};

static int bucket_add(struct jmap_bucket *b, uint64_t seq)
{
	if (b->n && b->r[2 * b->n - 1] + 1 == seq) {
		b->r[2 * b->n - 1] = seq;
	} else {
		if (b->n == b->cap && bch_grow((void **)&b->r, &b->cap, 2 * sizeof(*b->r)))
			return -ENOMEM;
		b->r[2 * b->n] = b->r[2 * b->n + 1] = seq;
		b->n++;
	}
	b->jsets++;
	b->newest = seq;	/* the list is in ascending seq */
	return 0;
}

static int jmap_rows(struct out_table *t, const struct bch_journal *j, const struct bch_jgeom *g,
		     struct jmap_bucket *bk)
{
	const struct bch_jrange *r = j->kernel ? &j->krange : &j->mrange;
	struct bch_jresume rs = { .bucket = -1 };
	int rc = 0;

	for (size_t i = j->media.lo; i < j->media.hi && !rc; i++) {
		const struct bch_jset_head *h = bch_jlist_hit(&j->media, i);
		int b = bch_jgeom_bucket_of(g, &j->scan, h->off);

		if (b >= 0)
			rc = bucket_add(&bk[b], h->seq);
	}
	if (j->kernel)
		bch_jview_resume(&j->kv, g, &j->krange, &rs);
	for (unsigned int b = 0; b < g->n && !rc; b++) {
		char seqs[256], note[128] = "";
		int at = 0;

		rc = out_line(t, 0);
		out_u64(t, JM_REGION, j->start);
		out_u64(t, JM_BUCKET, b);
		out_u64(t, JM_OFFSET, g->start[b]);
		out_u64(t, JM_JSETS, bk[b].jsets);
		if (bk[b].n) {
			bch_seq_ranges_text(bk[b].r, JMAP_RANGES_LISTED, bk[b].n, seqs,
					    sizeof(seqs));
			out_str(t, JM_SEQS, seqs);
		}
		out_str(t, JM_STATE, !g->usable[b] ? "outside" : !bk[b].jsets ? "empty" :
			r->any && bk[b].newest >= r->last_seq ? "live" : "stale");
		if (j->kernel && j->kv.b[b].read_order >= 0) {
			out_u64(t, JM_READ, (uint64_t)j->kv.b[b].read_order);
			if (j->kv.b[b].seq)
				out_u64(t, JM_KSEQ, j->kv.b[b].seq);
		}
		if (j->kernel && j->kv.cur_idx == (int)b)
			at += snprintf(note, sizeof(note), "cur_idx: the kernel's newest");
		if ((int)b == rs.bucket && rs.n)
			snprintf(note + at, sizeof(note) - (size_t)at,
				 "%sresumes here, over live seq %llu-%llu", at ? "; " : "",
				 (unsigned long long)rs.lo, (unsigned long long)rs.hi);
		else if ((int)b == rs.bucket)
			snprintf(note + at, sizeof(note) - (size_t)at, "%sresumes here",
				 at ? "; " : "");
		if (*note)
			out_str(t, JM_NOTE, note);
	}
	return rc;
}

int journal_map_table(struct out *o, struct jctx *c)
{
	struct out_table *t = out_table(o, "journal_map", jmap_cols, JM_NCOLS, NULL, 0,
					OUT_T_SKIP_EMPTY);
	struct jmap_bucket bk[SB_JOURNAL_BUCKETS];
	int rc = 0;

	if (!t)
		return -ENOMEM;
	out_table_title(t, "Journal map (jsets of the media view by bucket; %s)",
			c->have_csb ? "buckets of the cache superblock's d[]" :
			"buckets of the inferred geometry");
	for (size_t i = 0; i < c->rep.nj && !rc; i++) {
		const struct bch_journal *j = &c->rep.j[i];
		const struct bch_jgeom *g = j->kernel ? &c->rep.loc.g : &j->infer.g;

		memset(bk, 0, sizeof(bk));
		if (g->n > SB_JOURNAL_BUCKETS)
			rc = -ERANGE;
		else
			rc = jmap_rows(t, j, g, bk);
		for (unsigned int b = 0; b < SB_JOURNAL_BUCKETS; b++)
			free(bk[b].r);
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	if (!t->nrows)
		out_title(o, "Journal map: no bucket geometry (%s)", c->have_csb ?
			  "the cache superblock has no journal buckets" :
			  "none could be inferred from the media: give the cache device, -C");
	return out_emit(t);
}
