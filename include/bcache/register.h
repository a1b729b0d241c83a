/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether the kernel can register a device, before anything is written to
 * sysfs: what it is (an nvm-pages namespace, a bcache cache or backing
 * device), and where the v7 kernel would fail or crash on it (no DAX, a
 * superblock it rejects, a stored base K other than where this boot maps
 * the namespace (its BUG_ON), journal buckets at a wild address, already
 * registered, no NVDIMM support in the loaded module).
 */
#ifndef BCACHE_REGISTER_H
#define BCACHE_REGISTER_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <bcache/cache-sb.h>
#include <bcache/live.h>
#include <bcache/nvm.h>
#include <bcache/problem.h>
#include <bcache/sysfs.h>

enum bch_reg_kind {
	BCH_REG_NAMESPACE,	/* to /sys/fs/bcache/register_nvdimm_meta */
	BCH_REG_CACHE,		/* to /sys/fs/bcache/register */
	BCH_REG_BACKING,	/* to /sys/fs/bcache/register */
	BCH_REG_NONE,		/* no superblock */
};

/*
 * The superblock a device carries.  The nvm-pages and the bcache superblock
 * both sit at byte 4096 (their magics at 4096 + 16 and 4096 + 24), so at most
 * one of them is there.
 */
struct bch_dev_sb {
	enum bch_reg_kind kind;		/* NONE when neither magic is there */
	struct bch_nvm_sb_info nvm;	/* kind NAMESPACE (any revision) */
	struct bch_cache_sb_info cache;	/* kind CACHE or BACKING */
};

struct bch_media;
/*
 * Read and parse the superblock of m: the nvm-pages one when its magic is
 * there, else bcache's.  Returns 0 (kind NONE when there is neither) or
 * -errno from reading.  What `show`, `register` and the device listing
 * decide a device's kind by.
 */
int bch_dev_identify(struct bch_media *m, struct bch_dev_sb *out);

enum bch_reg_verdict {
	BCH_REG_OK,
	BCH_REG_NO_SB,		/* neither superblock */
	BCH_REG_V12,		/* unused (nvmpg namespaces are checked as v13 does) */
	BCH_REG_NOT_BLOCK,	/* the kernel registers block devices only */
	BCH_REG_NOT_PMEM,	/* an nvm-pages superblock on a block device without DAX */
	BCH_REG_NOT_FSDAX,	/* a raw namespace: no DAX (no struct pages) */
	BCH_REG_PROBLEM,	/* a check error the kernel fails on: .problem */
	BCH_REG_BASE_LIVE,	/* stored K is not where this boot maps it: BUG_ON */
	BCH_REG_BASE_UNKNOWN,	/* where this boot maps it cannot be told */
	BCH_REG_REGISTERED,	/* bcache holds it already */
	BCH_REG_IN_USE,		/* mounted, or held by another driver */
	BCH_REG_NO_NVDIMM,	/* nvdimm_meta, but the module has no NVDIMM support */
	BCH_REG_JOURNAL_BASE,	/* d[] lie in no namespace as this boot maps them */
	BCH_REG_JOURNAL_UNKNOWN,	/* that cannot be told */
};

struct bch_reg_dev {
	char path[PATH_MAX];		/* the device node (names resolved) */
	dev_t rdev;
	enum bch_reg_kind kind;
	enum bch_reg_verdict verdict;
	bool checks_skipped;		/* a check could not be made (see verdict text) */
	struct bch_problem problem;	/* PROBLEM, BASE_LIVE: the first error */
	uint64_t k_stored;		/* namespace: stored base, 0 when fresh */
	struct bch_live live;		/* namespace: this boot's base */
	uint64_t d0;			/* cache with nvdimm_meta: d[0] */
	char holder[256];		/* IN_USE: mount point or holder */
	char ns[32];			/* cache: the namespace d[0] lies in, if found */
	bool nvmpg;			/* an nvmpg (v12/v13) namespace, or a cache
					 * device whose d[] are nvmpg offsets */
	struct bch_problem notes[2];	/* nvmpg: the posted v13 code's defects (info) */
	int nnotes;
};

/*
 * Check one operand (a path or a namespace name).  sys is the kernel's
 * bcache interface as probed.  Returns 0 with the verdict in out, or a
 * negative errno when the device cannot be opened or read.
 */
int bch_register_check(const char *arg, const struct bch_sysfs_bcache *sys,
		       struct bch_reg_dev *out);
/* Whether --force may override the verdict (a check that could not be made). */
bool bch_reg_verdict_forcible(enum bch_reg_verdict v);
const char *bch_reg_kind_name(enum bch_reg_kind k);

#endif
