/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The analysis of the journals of an nvm-pages namespace: locate them (with
 * the cache superblock, or from the owners alone), scan their regions by
 * magic, emulate the kernel's read next to every bucket's, check the live
 * jsets, compare the views and decide the verdict.  What `bcache journal
 * show`, `extract` and `repair` render or act on; nothing here prints.
 */
#ifndef BCACHE_JOURNAL_ANALYSIS_H
#define BCACHE_JOURNAL_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bcache/journal.h>
#include <bcache/problem.h>

struct bch_media;
struct bch_nvm_ns;
struct bch_cache_sb_info;

/* One journal: a region (without the cache sb) or the cache sb's span. */
struct bch_journal {
	const struct bch_jregion *reg;	/* into the report's loc, may be NULL */
	uint64_t magic;
	uint64_t start, end;		/* scanned namespace bytes */
	struct bch_jscan scan;
	struct bch_jlist media;		/* magic scan, deduplicated by seq */
	uint64_t dups, conflicts, invalid;
	struct bch_jrange mrange;
	struct bch_jinfer infer;	/* without the cache sb: the inferred geometry */
	bool kernel;			/* cache sb given: kv, lv and their ranges valid */
	struct bch_jview kv, lv;	/* the kernel's read; every bucket in order */
	struct bch_jrange krange, lrange;
};

/* What the analysis concludes, worst first after OK. */
enum bch_jverdict {
	BCH_JVERDICT_OK,		/* the replayed view is complete and valid */
	BCH_JVERDICT_PROBLEMS,		/* a problem of error severity */
	BCH_JVERDICT_INCOMPLETE,	/* a replay range with gaps or invalid jsets, or none */
	BCH_JVERDICT_NO_JOURNAL,	/* with the cache sb: no journal span located */
	BCH_JVERDICT_NOT_WRITTEN,	/* with the cache sb: formatted, no journal yet */
};
const char *bch_jverdict_name(enum bch_jverdict v);

struct bch_journal_opts {
	const struct bch_cache_sb_info *csb;	/* NULL: every owner's regions */
	const uint8_t *cset_uuid;	/* without csb: select that owner (may be NULL) */
	bool events;			/* keep the kernel read's per-jset events */
};

struct bch_journal_report {
	bool kernel;			/* analysed with the cache superblock */
	struct bch_jlocate loc;
	struct bch_journal *j;
	size_t nj, jcap;
	/*
	 * Appended to: a caller may put problems there first (the cache
	 * superblock's); the verdict counts them all.
	 */
	struct bch_problems problems;
	enum bch_jverdict verdict;
};

/*
 * Analyse the journals of a loaded namespace read from m.  Returns 0 (what
 * was found is in the report, its problems carry the namespace byte offset
 * they are about) or a negative errno; the report must be freed either way.
 */
int bch_journal_analyze(struct bch_media *m, const struct bch_nvm_ns *ns,
			const struct bch_journal_opts *o, struct bch_journal_report *r);
void bch_journal_report_free(struct bch_journal_report *r);
/*
 * The verdict of a report (what bch_journal_analyze stores): PROBLEMS for
 * any error-severity problem, INCOMPLETE when a journal's replayed view
 * (the kernel's with the cache sb, else the media's) has no jset, a gap or
 * an invalid jset, NO_JOURNAL with the cache sb and no journal, else OK.
 */
enum bch_jverdict bch_journal_verdict(const struct bch_journal_report *r);

/* Read the bytes of a jset (JSET_MAX_BYTES buffer); -ERANGE outside m. */
int bch_jset_read(struct bch_media *m, const struct bch_jset_head *h, void *buf);

/*
 * Seq ranges as text, "3-4,7": n [from, to] pairs of which the first
 * `listed` are in ranges; more than listed ends in ",... (N ranges)".
 * Returns the length written (truncated to len).
 */
size_t bch_seq_ranges_text(const uint64_t *ranges, size_t listed, size_t n, char *buf,
			   size_t len);
/* The gaps of a replay range as text; returns their number. */
size_t bch_jrange_gaps_text(const struct bch_jlist *l, const struct bch_jrange *r,
			    char *buf, size_t len);

#endif
