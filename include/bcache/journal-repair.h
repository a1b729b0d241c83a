/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Journal repair: a layout of the v7 journal that the v7 kernel's own read
 * replays completely.
 *
 * The v7 kernel fills d[] with a byte stride (d[i] = J + bucket_size * i on a
 * byte pointer) while it uses bucket_size * 512 bytes of every bucket: its
 * buckets overlap, later buckets overwrite earlier ones, and its bucket scan
 * misses jsets that are intact on the media.  The plan replaces d[] by a
 * table with a sane stride (bucket_size * 512) whose d[0] stays in the
 * region's first page (the kernel finds its allocation by d[0]'s page and
 * keeps a d[] whose d[0] is not 0); where that alone does not bring the
 * replay range into the kernel's read, the jsets of the range are copied,
 * unchanged and in seq order, into buckets of the new table that the current
 * table never reads.  Every candidate layout is checked with the model of the
 * kernel's read that `journal show` uses (bch_journal_kernel_view) on the
 * media as it would be after the copies; nothing is written that the model
 * does not replay completely, and no jset is ever made up.
 *
 * A journal the kernel replays completely with its current d[] is left alone
 * unless those buckets overlap or the kernel would resume writing over live
 * jsets: then the kernel's next bucket switch, or its first write, destroys
 * entries of its own replay range (seen on the v7 kernel: a cache set that
 * replayed cleanly lost seq 19 of 3-41 to its first new jset, and the next
 * registration failed).  Such a journal gets a new layout only when one is
 * found whose read is as clean (no invalid stop, no resume over live jsets).
 */
#ifndef BCACHE_JOURNAL_REPAIR_H
#define BCACHE_JOURNAL_REPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/bcache.h>
#include <bcache/journal.h>
#include <bcache/problem.h>

struct bch_media;
struct bch_nvm_ns;
struct bch_cache_sb_info;

enum bch_jrepair_action {
	BCH_JREPAIR_REFUSE,	/* see the problems of severity error */
	BCH_JREPAIR_NONE,	/* the kernel replays the whole range already */
	BCH_JREPAIR_TABLE,	/* a new d[] table is enough */
	BCH_JREPAIR_RELOCATE,	/* a new d[] table and jsets copied into it */
};
const char *bch_jrepair_action_name(enum bch_jrepair_action a);

/* What the plan is computed from: the analysis `journal show -C` makes. */
struct bch_jrepair_in {
	struct bch_media *m;			/* the namespace, read only */
	const struct bch_nvm_ns *ns;
	const struct bch_cache_sb_info *csb;
	const struct bch_jlocate *loc;		/* bch_journal_locate_sb() */
	const struct bch_jscan *scan;		/* magic scan of loc's span */
	const struct bch_jlist *media;		/* bch_jscan_view() of it */
	const struct bch_jview *kv;		/* the kernel view with the current d[] */
	bool live_k_known;			/* live_k: where this boot maps the */
	uint64_t live_k;			/* namespace (nvm rebase first if not K) */
	bool check_busy;			/* bch_journal_repair_busy() with: */
	dev_t cache_rdev;			/* the cache device, 0 if not a block device */
};

struct bch_jrepair {
	enum bch_jrepair_action action;
	struct bch_jrange media, before;	/* the replay ranges of the inputs */
	bool before_replays;			/* the kernel replays media now, but */
	bool before_overlaps;			/* its buckets overlap, or */
	struct bch_jresume before_resume;	/* it resumes over live jsets */
	/* TABLE and RELOCATE: */
	struct cache_sb_disk sb;		/* the cache superblock to write */
	struct cache_sb_disk old_sb;		/* the one it replaces, as read */
	uint64_t d0_offset;			/* d'[0] - J: bytes into the region */
	struct bch_jgeom g;			/* its journal geometry */
	struct bch_jcopy *copies;		/* RELOCATE: sorted by seq and dst */
	size_t ncopies;
	struct bch_jview after;			/* the kernel view of the result */
	struct bch_jrange after_range;
	struct bch_jresume resume;		/* where the kernel writes next */
	bool clean;				/* no invalid stop, no resume over live jsets */
	unsigned int layouts;			/* candidate layouts checked */
	struct bch_problems problems;		/* refusals (errors) and notes */
};

/*
 * Plan a repair.  Returns 0 (the verdict is in out->action, refusals as
 * problems of severity error) or a negative errno.  Reads the namespace only.
 */
int bch_journal_repair_plan(const struct bch_jrepair_in *in, struct bch_jrepair *out);
void bch_jrepair_free(struct bch_jrepair *r);

/*
 * Registrations of the running kernel that forbid a repair: the cache set
 * (<sysfs>/fs/bcache/<set uuid>) and the cache device
 * (<sysfs>/dev/block/MAJ:MIN/bcache, when cache_rdev is not 0), under
 * bch_sysfs_root().  Appends J_REPAIR_BUSY problems; returns 0 or -ENOMEM.
 */
int bch_journal_repair_busy(const uint8_t set_uuid[16], dev_t cache_rdev,
			    struct bch_problems *ps);

/* The write steps, in order; the fault hook may stop after any of them. */
enum bch_jrepair_step {
	BCH_JREPAIR_STEP_COPY_HALF = 1,	/* the first half of the copies written */
	BCH_JREPAIR_STEP_COPIES,	/* every copy written and flushed */
	BCH_JREPAIR_STEP_SB,		/* the cache superblock written and flushed */
	BCH_JREPAIR_STEP__LAST = BCH_JREPAIR_STEP_SB,
};

/*
 * Carry a TABLE or RELOCATE plan out: the copies into the namespace first
 * (space the current d[] never reads), flushed; then the cache superblock,
 * one direct write of its 4096-byte page, flushed.  Interrupted anywhere, the
 * kernel finds the old superblock with its old view, or the new one with
 * every copy in place.  hook (may be NULL) is called after each step; a
 * non-zero return stops there with -ECANCELED (crash tests).
 */
int bch_journal_repair_write(struct bch_media *pm, struct bch_media *cm,
			     const struct bch_jrepair *plan,
			     int (*hook)(enum bch_jrepair_step step, void *arg), void *arg);

#endif
