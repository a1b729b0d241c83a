/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rebasing an attached v7 namespace: every kernel address it stores is
 * moved from its base K to a new base (owner_list_head, heads[].recs[],
 * each record page's owner and next, each record's pgoff, the superblock
 * csum) and so are the journal buckets d[] of the cache devices whose
 * journal lies in it (and their csum).
 *
 * The old and the new address range may not overlap, so every stored
 * pointer tells by its value which base it holds.  The write order makes
 * the rebase crash-safe and resumable:
 *   1. heads[0].recs[0] (always slot 0, at base + 16384) first, alone,
 *      persisted: from then on it names the new base (the marker);
 *   2. every other pointer and record of the namespace, page by page;
 *   3. each cache device's superblock (d[] and csum);
 *   4. the superblock (owner_list_head and csum) last.
 * A run that finds the superblock at base A but heads[0].recs[0] at B
 * continues an interrupted rebase to B: pointers at A or B are accepted,
 * the namespace is checked as if all were at A, and the rebase to B is
 * finished (a second pass then moves it to the base asked for, if that is
 * another one).  A kernel never sees a superblock that claims the new base
 * while pointers still hold the old one.
 */
#ifndef BCACHE_NVM_REBASE_H
#define BCACHE_NVM_REBASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bcache/nvm-walk.h>
#include <bcache/problem.h>

struct bch_media;

#define BCH_REBASE_MAX_CACHES 8

enum bch_rebase_kind {
	BCH_RBF_HEAD_RECS,	/* heads[a].recs[b] */
	BCH_RBF_OWNER,		/* slot[a].owner */
	BCH_RBF_NEXT,		/* slot[a].next */
	BCH_RBF_REC,		/* slot[a].recs[b] (its pgoff bits) */
	BCH_RBF_SB_OLH,		/* sb.owner_list_head */
	BCH_RBF_SB_CSUM,	/* sb.csum */
	BCH_RBF_CACHE_D,	/* cache_sb.d[b] */
	BCH_RBF_CACHE_CSUM,	/* cache_sb.csum */
};

/* One u64 the rebase changes (32 bytes: a namespace may hold 2 million). */
struct bch_rebase_field {
	uint64_t off;		/* byte offset on its device */
	uint64_t old, new;	/* as stored, and as rebased */
	uint8_t dev;		/* 0: the namespace; 1 + i: cache device i */
	uint8_t kind;		/* enum bch_rebase_kind */
	uint16_t a, b;
};

/* "heads[1].recs[0]", "slot[3].recs[17]", "cache_sb.d[4]", ... */
void bch_rebase_field_where(const struct bch_rebase_field *f, char *buf, size_t len);

enum bch_rebase_verdict {
	BCH_RB_OK,		/* a plan (possibly empty: nothing to do) */
	BCH_RB_FRESH,		/* never attached: there is no base to move */
	BCH_RB_NOT_V7,		/* no v7 superblock, or not namespace 0 */
	BCH_RB_NVMPG,		/* nvmpg (v12/v13): offsets, nothing to rebase */
	BCH_RB_BAD_BASE,	/* the new base is no page-aligned kernel address */
	BCH_RB_OVERLAP,		/* the new range overlaps the old (or the interrupted) one */
	BCH_RB_NOT_CLEAN,	/* problems besides the base: in problems */
	BCH_RB_CACHE,		/* a cache device refused: cache_verdict[i] */
};

enum bch_rebase_cache_verdict {
	BCH_RBC_OK,
	BCH_RBC_EMPTY,		/* d[] not set yet (keys or d[0] is 0): nothing to move */
	BCH_RBC_NOT_NVDIMM,	/* no bcache cache superblock with nvdimm_meta */
	BCH_RBC_NO_OWNER,	/* its cache set owns nothing in the namespace */
	BCH_RBC_NO_BASE,	/* d[0] matches no journal region at any base */
	BCH_RBC_OVERLAP,	/* its base's range overlaps the new one */
	BCH_RBC_NOT_CLEAN,	/* superblock or journal problems: in problems */
};

struct bch_rebase_input {
	const unsigned char *meta;	/* namespace bytes [0, min(size, 16 MiB)) */
	uint64_t size;			/* namespace bytes */
	const char *path;
	int ncaches;
	const unsigned char *cache_page[BCH_REBASE_MAX_CACHES];	/* 4096 bytes at 4096 */
	uint64_t cache_size[BCH_REBASE_MAX_CACHES];
	const char *cache_path[BCH_REBASE_MAX_CACHES];
};

struct bch_rebase {
	enum bch_rebase_verdict verdict;
	enum bch_rebase_cache_verdict cache_verdict[BCH_REBASE_MAX_CACHES];
	uint64_t cache_k[BCH_REBASE_MAX_CACHES];	/* base the d[] held */
	int cache_owner[BCH_REBASE_MAX_CACHES];		/* owner head index, or -1 */
	uint64_t k_from;	/* the superblock's base */
	uint64_t k_mid;		/* an interrupted rebase's base, 0 when none */
	uint64_t k_to;		/* this pass's new base */
	bool more;		/* a second pass follows (to the base asked for) */
	bool torn_sb;		/* the superblock's last write tore (csum of k_mid) */
	struct bch_rebase_field *v;	/* in write order (see above) */
	size_t n, cap;
	size_t ns_pages;	/* namespace pages written, the superblock's included */
	struct bch_problems problems;	/* NOT_CLEAN, cache NOT_CLEAN: why */
	struct bch_nvm_ns ns;	/* the namespace as checked (pointers at k_from) */
};

/*
 * Plan the next pass towards base k: fields to change, in write order.
 * Returns 0 with the verdict in out->verdict, or -ENOMEM.  Free with
 * bch_rebase_free().
 */
int bch_nvm_rebase_plan(const struct bch_rebase_input *in, uint64_t k, struct bch_rebase *out);
void bch_rebase_free(struct bch_rebase *rb);

/* Apply a plan to the input's bytes in memory (meta and cache pages). */
void bch_nvm_rebase_apply(const struct bch_rebase *rb, unsigned char *meta,
			  unsigned char *const *cache_page);

/* Called after each write step (1, 2, ...); non-zero stops (-ECANCELED). */
typedef int (*bch_rebase_hook)(int step, void *arg);

/*
 * Write a plan: the pages of in->meta and in->cache_page with the plan's
 * fields applied, in the order above.  cache_m[i] is cache device i, open
 * for writing.  Returns 0, -ECANCELED (hook) or -errno.  The steps
 * written are counted in *steps (may be NULL).
 */
int bch_nvm_rebase_write(const struct bch_rebase *rb, const struct bch_rebase_input *in,
			 struct bch_media *ns_m, struct bch_media *const *cache_m,
			 bch_rebase_hook hook, void *arg, int *steps);

const char *bch_rebase_verdict_text(enum bch_rebase_verdict v);
const char *bch_rebase_cache_verdict_text(enum bch_rebase_cache_verdict v);

#endif
