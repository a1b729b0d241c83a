/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * On-media format of the bcache nvm-pages allocator, "nvmpg" revision, as
 * posted in v12 (August 2021) and "[PATCH v13 00/12] bcache for 5.17: enable
 * NVDIMM for bcache journal" (December 2021).  v12 and v13 write the same
 * bytes.
 *
 * Written for userspace from bcache-nvm-pages(5), NVMPG: the same struct and
 * field names and exactly the same layout as the v13 kernel header on x86-64
 * (natural alignment, implicit padding included), with fixed-width types.
 * Every stored offset is an "nvmpg offset": the namespace id in bits 61-63,
 * the byte offset inside that namespace below (0 is NULL).  A record is one
 * __u64 decoded with the BCH_NVMPG_REC_* masks (bits from the LSB up); its
 * pgoff counts pages from byte 0 of the namespace.
 *
 * Every size and offset is pinned by compile-time asserts in lib/ondisk.c.
 */
#ifndef _UAPI_LINUX_BCACHE_NVMPG_H
#define _UAPI_LINUX_BCACHE_NVMPG_H

#include <linux/types.h>

/* Byte offsets from byte 0 of the namespace. */
#define BCH_NVMPG_SB_OFFSET			4096
#define BCH_NVMPG_RECLIST_HEAD_OFFSET		8192
#define BCH_NVMPG_SYSRECS_OFFSET		16384
#define BCH_NVMPG_START				(16ULL << 20)

#define BCH_NVMPG_LBL_SIZE			32
#define BCH_NVMPG_NS_MAX			8
#define BCH_NVMPG_SB_VERSION			0
#define BCH_NVMPG_SB_VERSION_MAX		0

#define BCH_NVMPG_SET_HEADER_SIZE		8192
#define BCH_NVMPG_RECS_SIZE			8192
#define BCH_NVMPG_HEAD_SIZE			120
#define BCH_NVMPG_RECS_HDR_SIZE			88
#define BCH_NVMPG_SET_HDR_PREFIX		40

#define BCH_NVMPG_MAX_RECS \
	((BCH_NVMPG_RECS_SIZE - BCH_NVMPG_RECS_HDR_SIZE) / 8)		/* 1013 */
#define BCH_NVMPG_MAX_HEADS \
	((BCH_NVMPG_SET_HEADER_SIZE - BCH_NVMPG_SET_HDR_PREFIX) / BCH_NVMPG_HEAD_SIZE) /* 67 */
/* Record-list slots the v13 kernel's slot bitmap covers (v7: 2046). */
#define BCH_NVMPG_MAX_PGALLOC_RECS		64

#define BCH_NVMPG_HD_STAT_FREE			0
#define BCH_NVMPG_HD_STAT_ALLOC			1

/* nvmpg offsets: ns_id:3 in bits 61-63, the byte offset in bits 0-60. */
#define BCH_NVMPG_NS_ID_BITS			3
#define BCH_NVMPG_OFFSET_BITS			61
#define BCH_NVMPG_NS_ID_MASK			7ULL
#define BCH_NVMPG_OFFSET_MASK			((1ULL << 61) - 1)
#define BCH_NVMPG_OFFSET(ns, off) \
	((((__u64)(ns) & BCH_NVMPG_NS_ID_MASK) << BCH_NVMPG_OFFSET_BITS) | \
	 ((__u64)(off) & BCH_NVMPG_OFFSET_MASK))
#define BCH_NVMPG_GET_NS_ID(o)	(((__u64)(o) >> BCH_NVMPG_OFFSET_BITS) & BCH_NVMPG_NS_ID_MASK)
#define BCH_NVMPG_GET_OFFSET(o)	((__u64)(o) & BCH_NVMPG_OFFSET_MASK)

/* The same magics as v7. */
#define BCH_NVMPG_MAGIC_BYTES \
	{ 0x17, 0xbd, 0x53, 0x7f, 0x1b, 0x23, 0xd6, 0x83, \
	  0x46, 0xa4, 0xf8, 0x28, 0x17, 0xda, 0xec, 0xa9 }
#define BCH_NVMPG_RECS_MAGIC_BYTES \
	{ 0x39, 0x25, 0x3f, 0xf7, 0x27, 0x17, 0xd0, 0xb9, \
	  0x10, 0xe6, 0xd2, 0xda, 0x38, 0x68, 0x26, 0xae }

/* The label the v13-era formatter gives heads[0]. */
#define BCH_NVMPG_SYSRECS_LABEL			"nvmpg_sys_alloc"

/* Record bitfield: pgoff:52, order:6, ns_id:3, reserved:3 (LSB first). */
#define BCH_NVMPG_REC_PGOFF_MASK		((1ULL << 52) - 1)
#define BCH_NVMPG_REC_ORDER_SHIFT		52
#define BCH_NVMPG_REC_ORDER_MASK		0x3fULL
#define BCH_NVMPG_REC_NS_ID_SHIFT		58
#define BCH_NVMPG_REC_NS_ID_MASK		0x7ULL
#define BCH_NVMPG_REC_RESERVED_SHIFT		61
#define BCH_NVMPG_REC_RESERVED_MASK		0x7ULL

struct bch_nvmpg_rec {
	__u64 _v;	/* pgoff:52 | order:6 << 52 | ns_id:3 << 58 | reserved:3 << 61 */
};

struct bch_nvmpg_recs {
	union {
		struct {
			__u64 head_offset;	/* nvmpg offset of the owner head */
			__u64 next_offset;	/* nvmpg offset of the next list */
			__u8 magic[16];
			__u8 uuid[16];
			__u32 size;
			__u32 used;
			__u64 _pad[4];
			struct bch_nvmpg_rec recs[BCH_NVMPG_MAX_RECS];
		};
		__u8 pad[BCH_NVMPG_RECS_SIZE];
	};
};

struct bch_nvmpg_head {
	__u8 uuid[16];
	char label[BCH_NVMPG_LBL_SIZE];
	__u32 state;				/* BCH_NVMPG_HD_STAT_* */
	__u32 flags;
	__u64 recs_offset[BCH_NVMPG_NS_MAX];	/* nvmpg offsets of record lists */
};

struct bch_nvmpg_set_header {
	union {
		struct {
			__u32 size;
			__u32 used;
			__u64 _pad[4];
			struct bch_nvmpg_head heads[BCH_NVMPG_MAX_HEADS];
		};
		__u8 pad[BCH_NVMPG_SET_HEADER_SIZE];
	};
};

struct bch_nvmpg_sb {
	__u64 csum;
	__u64 sb_offset;		/* nvmpg offset of this superblock */
	__u64 ns_start;
	__u64 version;
	__u8 magic[16];
	__u8 uuid[16];
	__u32 page_size;
	__u32 total_ns;
	__u32 this_ns;
	/* 4 bytes of implicit padding, covered by the checksum */
	union {
		__u8 set_uuid[16];
		__u64 set_magic;
	};
	__u64 flags;
	__u64 seq;
	__u64 feature_compat;
	__u64 feature_incompat;
	__u64 feature_ro_compat;
	__u64 pages_offset;		/* a byte count (16 MiB), not an nvmpg offset */
	__u64 pages_total;		/* pages of the whole namespace */
	__u64 pad[8];
	__u64 set_header_offset;	/* nvmpg offset of the set header */
	__u32 keys;
	/* 4 bytes of implicit padding, covered by the checksum */
	__u64 d[];
};

#endif /* _UAPI_LINUX_BCACHE_NVMPG_H */
