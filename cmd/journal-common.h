/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the journal commands (cmd-journal.c: show, extract;
 * cmd-journal-repair.c: repair): the options, the analysis of one journal
 * (bch_journal_analyze) and the tables both print.
 */
#ifndef BCACHE_CMD_JOURNAL_COMMON_H
#define BCACHE_CMD_JOURNAL_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include <bcache/cache-sb.h>
#include <bcache/journal.h>
#include <bcache/journal-analysis.h>
#include <bcache/nvm-walk.h>

#include "cmd.h"
#include "output.h"

struct jopts {
	const struct bch_cmd *cmd;
	const char *cache;
	uint8_t cset_uuid[16];
	bool have_cset_uuid;
	uint64_t seq_lo, seq_hi;	/* --seq A..B */
	uint64_t last;			/* --last N (0: all) */
	long long inode;		/* --inode N (-1: all) */
	bool keys, all, summary, json;
	bool map;			/* show --map */
	const char *output;		/* extract -o */
	int jsel[32], njsel;		/* show -o: jsets table columns (njsel 0: default) */
};

struct jctx {
	struct jopts *o;
	const char *path;
	struct bch_media *m;
	struct bch_nvm_ns ns;
	bool have_csb;
	struct bch_cache_sb_info csb;
	struct bch_journal_report rep;	/* the analysis */
	unsigned char *buf;		/* JSET_MAX_BYTES */
	struct out_table *tb_jsets;	/* journal show: the jsets table */
	struct bch_inputs inputs;	/* the namespace and the cache device */
};

extern const struct bch_cmd bch_cmd_journal_repair;

/*
 * Open and walk the namespace, read the cache superblock (-C), locate the
 * journal and analyse it (lib: bch_journal_analyze); an exit code
 * (problems do not count here).
 */
int jctx_load(struct jctx *c);
void jctx_free(struct jctx *c);
/* The "journals" table: where each journal lies and its geometry. */
int journal_location_table(struct out *o, struct jctx *c);
/*
 * One row of the "summary" table: a view's replay list and range; v and g
 * (may be NULL) add the kernel read's figures and where it resumes.
 */
int journal_summary_row(struct out_table *t, const struct jctx *c,
			const char *view, const struct bch_jlist *l,
			const struct bch_jrange *r, const struct bch_jview *v,
			const struct bch_jgeom *g, uint64_t dups, uint64_t invalid);
/* journal show --map: the "journal_map" table, one row per bucket (cmd/journal-map.c). */
int journal_map_table(struct out *o, struct jctx *c);
/* The "summary" table the rows go to. */
struct out_table *journal_summary_table(struct out *o, const struct jctx *c);
#define JOURNAL_SUMMARY_TITLE "Summary (kernel: the %s kernel's read; buckets: every bucket " \
	"in order; media: magic scan of the region)"

#endif
