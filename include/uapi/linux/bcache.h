/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The bcache structures that the nvm tools decode: the cache/backing device
 * superblock as stored on disk, the journal set (jset) and the bkey words.
 *
 * Layouts as bcache-journal-format(5) documents them (mainline bcache, which v7
 * does not change).  Fixed-width little-endian types; sizes and offsets are
 * pinned in lib/ondisk.c.  Key and pointer fields are read with the
 * accessors in <bcache/journal.h>, never through C bitfields.
 */
#ifndef _UAPI_LINUX_BCACHE_H
#define _UAPI_LINUX_BCACHE_H

#include <linux/types.h>

#define SB_SECTOR			8
#define SB_OFFSET			(SB_SECTOR << 9)	/* 4096 */
#define SB_SIZE				4096
#define SB_JOURNAL_BUCKETS		256U
#define SB_LABEL_SIZE			32

#define BCACHE_SB_VERSION_CDEV			0
#define BCACHE_SB_VERSION_BDEV			1
#define BCACHE_SB_VERSION_CDEV_WITH_UUID	3
#define BCACHE_SB_VERSION_BDEV_WITH_OFFSET	4
#define BCACHE_SB_VERSION_CDEV_WITH_FEATURES	5
#define BCACHE_SB_VERSION_BDEV_WITH_FEATURES	6
#define BCACHE_SB_MAX_VERSION			6

#define BCH_FEATURE_INCOMPAT_OBSO_LARGE_BUCKET	0x0001ULL
#define BCH_FEATURE_INCOMPAT_LOG_LARGE_BUCKET_SIZE 0x0002ULL
#define BCH_FEATURE_INCOMPAT_NVDIMM_META	0x0004ULL

/* Default data offset of a backing device, in sectors. */
#define BDEV_DATA_START_DEFAULT		16

#define BCACHE_SB_MAGIC_BYTES \
	{ 0xc6, 0x85, 0x73, 0xf6, 0x4e, 0x1a, 0x45, 0xca, \
	  0x82, 0x65, 0xf5, 0x7f, 0x48, 0xba, 0x6d, 0x81 }

#define JSET_MAGIC			0x245235c1a3625032ULL
#define PSET_MAGIC			0x6750e15f87337f91ULL
#define BSET_MAGIC			0x90135c78b99e07f5ULL

#define BCACHE_JSET_VERSION_UUIDv1	1
#define BCACHE_JSET_VERSION_UUID	1
#define BCACHE_JSET_VERSION		1

#define JSET_BITS			3
#define JSET_MAX_BYTES			(4096 << JSET_BITS)	/* 32768 */

#define BKEY_PAD			8
#define KEY_MAX_U64S			8

/* Cache flags (cache devices) */
#define CACHE_SYNC_BIT			0
#define CACHE_DISCARD_BIT		1
#define CACHE_REPLACEMENT_SHIFT		2
#define CACHE_REPLACEMENT_MASK		0x7ULL
/* Backing device flags */
#define BDEV_CACHE_MODE_MASK		0xfULL
#define BDEV_STATE_SHIFT		61
#define BDEV_STATE_MASK			0x3ULL

struct bkey {
	__u64 high;
	__u64 low;
	__u64 ptr[];
};

/* A bkey slot padded to BKEY_PAD u64s, as in jset headers. */
struct bkey_padded {
	__u64 key[BKEY_PAD];
};

struct cache_sb_disk {
	__u64 csum;
	__u64 offset;		/* sector where this sb was written */
	__u64 version;
	__u8 magic[16];
	__u8 uuid[16];
	union {
		__u8 set_uuid[16];
		__u64 set_magic;
	};
	__u8 label[SB_LABEL_SIZE];
	__u64 flags;
	__u64 seq;
	__u64 feature_compat;
	__u64 feature_incompat;
	__u64 feature_ro_compat;
	__u64 pad[5];
	union {
		struct {
			/* Cache devices */
			__u64 nbuckets;
			__u16 block_size;	/* sectors */
			__u16 bucket_size;	/* sectors */
			__u16 nr_in_set;
			__u16 nr_this_dev;
		};
		struct {
			/* Backing devices */
			__u64 data_offset;
		};
	};
	__u32 last_mount;	/* time overflow in y2106 */
	__u16 first_bucket;
	union {
		__u16 njournal_buckets;
		__u16 keys;
	};
	__u64 d[SB_JOURNAL_BUCKETS];	/* journal buckets */
	__u16 obso_bucket_size_hi;	/* obsoleted */
};

struct jset {
	__u64 csum;
	__u64 magic;
	__u64 seq;
	__u32 version;
	__u32 keys;		/* u64 words of payload */
	__u64 last_seq;
	struct bkey_padded uuid_bucket;
	struct bkey_padded btree_root;
	__u16 btree_level;
	__u16 pad[3];
	__u64 prio_bucket[8];
	__u64 d[];
};

#endif /* _UAPI_LINUX_BCACHE_H */
