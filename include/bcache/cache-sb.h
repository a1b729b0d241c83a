/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bcache cache/backing device superblock (bcache-journal-format(5),
 * CACHE SUPERBLOCK):
 * decode, the kernel's read checks, features by name, the effective bucket
 * size, and building the superblocks `bcache make -C/-B` writes.
 */
#ifndef BCACHE_CACHE_SB_H
#define BCACHE_CACHE_SB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bcache.h>
#include <bcache/problem.h>

struct bch_media;

#define BCH_CACHE_SB_D_OFF	208	/* offsetof(struct cache_sb_disk, d) */
#define BCH_CACHE_SB_BYTES	2264	/* sizeof(struct cache_sb_disk) */
#define BCH_CACHE_SB_BUCKETS_MIN 128

extern const uint8_t bch_cache_sb_magic[16];

struct bch_cache_sb_info {
	struct cache_sb_disk sb;	/* the bytes as stored */
	bool magic_ok;
	bool csum_ok;
	bool keys_ok;			/* keys <= 256: the csum range is defined */
	uint64_t csum_computed;
	bool backing;			/* version 1, 4 or 6 */
	bool nvdimm;			/* incompat NVDIMM_META */
	uint64_t bucket_sectors;	/* effective bucket size */
};

/* Decode the 4096-byte superblock page read at SB_OFFSET; never fails. */
void bch_cache_sb_parse(const void *page, struct bch_cache_sb_info *out);
/* Read and parse; -ENODATA when the bcache magic is not at 4096 + 24. */
int bch_cache_sb_read(struct bch_media *m, struct bch_cache_sb_info *out);
/* Checksum over [8, 208 + 8 * keys); -ERANGE when keys > 256. */
int bch_cache_sb_csum(const struct cache_sb_disk *sb, uint64_t *out);
int bch_cache_sb_update_csum(struct cache_sb_disk *sb);

/* Whether a version number denotes a backing device. */
bool bch_cache_sb_version_is_backing(uint64_t version);
const char *bch_cache_sb_version_name(uint64_t version);

enum bch_feature_word { BCH_FEAT_COMPAT, BCH_FEAT_INCOMPAT, BCH_FEAT_RO_COMPAT };
/* Known feature bits of a word, by name. */
uint64_t bch_cache_features_known(enum bch_feature_word w);
/*
 * Names of the bits set in `bits`, comma-separated ("nvdimm_meta"); unknown
 * bits print as 0x... .  Returns the length needed, like snprintf.
 */
int bch_cache_features_text(enum bch_feature_word w, uint64_t bits, char *buf,
			    size_t len);
/* Effective bucket size in sectors; 0 when it does not fit 32 bits. */
uint64_t bch_cache_sb_bucket_sectors(const struct cache_sb_disk *sb);
/* clamp(nbuckets >> 7, 2, 256): the journal bucket count the kernel picks. */
unsigned int bch_cache_journal_buckets(uint64_t nbuckets);

/*
 * The kernel's read checks and the journal CHECKS that need the superblock
 * only.  dev_bytes 0 skips the capacity check; lbs is the device's logical
 * block size in bytes (0: skip).  Returns 0 or -ENOMEM.
 */
int bch_cache_sb_check(const struct bch_cache_sb_info *info, uint64_t dev_bytes,
		       uint32_t lbs, struct bch_problems *ps);

enum bch_cache_mode {
	BCH_CACHE_MODE_WRITETHROUGH = 0,
	BCH_CACHE_MODE_WRITEBACK = 1,
	BCH_CACHE_MODE_WRITEAROUND = 2,
	BCH_CACHE_MODE_NONE = 3,
};
const char *bch_cache_mode_name(unsigned int mode);
int bch_cache_mode_parse(const char *s);	/* mode or -EINVAL */

struct bch_cache_sb_params {
	bool backing;
	bool nvdimm_meta;		/* cache: incompat 0x4, version 5 */
	uint8_t uuid[16];
	uint8_t set_uuid[16];
	char label[SB_LABEL_SIZE + 1];
	uint16_t block_size;		/* sectors */
	uint32_t bucket_size;		/* sectors (cache); above 65535 stored as log2
					 * with incompat large_bucket, version 5 */
	uint64_t dev_bytes;
	uint64_t data_offset;		/* backing: sectors (0: default 16) */
	unsigned int cache_mode;	/* backing */
	bool discard;			/* cache: CACHE_DISCARD */
	unsigned int replacement;	/* cache: BCH_CACHE_REPLACEMENT_* */
};

/* The largest bucket the superblock can hold: 1 << 31 sectors (large_bucket). */
#define BCH_CACHE_BUCKET_MAX_SECTORS (1ULL << 31)

enum bch_cache_replacement {
	BCH_CACHE_REPLACEMENT_LRU = 0,
	BCH_CACHE_REPLACEMENT_FIFO = 1,
	BCH_CACHE_REPLACEMENT_RANDOM = 2,
};
const char *bch_cache_replacement_name(unsigned int r);
int bch_cache_replacement_parse(const char *s);	/* policy or -EINVAL */
/* The backing device's state (flags bits 61-62): detached, clean, dirty, inconsistent. */
const char *bch_cache_bdev_state_name(unsigned int state);

/*
 * Build the superblock of a fresh device as bcache-tools writes it
 * (bcache-journal-format(5), CACHE SUPERBLOCK, "Who writes what";
 * first_bucket is not shifted).  -EINVAL for bad
 * geometry, -ENOSPC when there are fewer than 128 buckets.
 */
int bch_cache_sb_build(const struct bch_cache_sb_params *p, struct cache_sb_disk *sb);

#endif
