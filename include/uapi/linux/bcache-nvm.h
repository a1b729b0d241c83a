/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * On-media format of the bcache nvm-pages allocator, as posted in
 * "[PATCH v7 00/16] bcache: support NVDIMM for journaling" (April 2021).
 *
 * Written for userspace from bcache-nvm-pages(5), which documents it: the same
 * struct and field names and exactly the same layout as the v7 kernel header
 * on x86-64 (natural alignment, implicit padding included), but with
 * fixed-width types.  Fields that the kernel declares as pointers are __u64
 * here: they hold either a byte offset (FRESH) or a kernel virtual address
 * (ATTACHED) and are never dereferenced.  A record is one __u64 decoded with
 * the BCH_PGALLOC_REC_* masks (bits are allocated from the LSB up).
 *
 * Every size and offset is pinned by compile-time asserts in lib/ondisk.c.
 */
#ifndef _UAPI_LINUX_BCACHE_NVM_H
#define _UAPI_LINUX_BCACHE_NVM_H

#include <linux/types.h>

/* All offsets are in bytes from byte 0 of the namespace. */
#define BCH_NVM_PAGES_SB_OFFSET			4096
#define BCH_NVM_PAGES_OWNER_LIST_HEAD_OFFSET	8192
#define BCH_NVM_PAGES_SYS_RECS_HEAD_OFFSET	16384
#define BCH_NVM_PAGES_OFFSET			(16ULL << 20)

#define BCH_NVM_PAGES_LABEL_SIZE		32
#define BCH_NVM_PAGES_NAMESPACES_MAX		8
#define BCH_NVM_PAGES_SB_VERSION		0
#define BCH_NVM_PAGES_SB_VERSION_MAX		0

#define BCH_NVM_PAGES_OWNER_LIST_HEAD_SIZE	8192
#define BCH_NVM_PAGES_RECS_SIZE			8192
#define BCH_NVM_PAGES_OWNER_HEAD_SIZE		112
#define BCH_NVM_PAGES_RECS_HDR_SIZE		88

#define BCH_MAX_RECS \
	((BCH_NVM_PAGES_RECS_SIZE - BCH_NVM_PAGES_RECS_HDR_SIZE) / 8)	/* 1013 */
#define BCH_MAX_OWNER_LIST \
	((BCH_NVM_PAGES_OWNER_LIST_HEAD_SIZE - 40) / BCH_NVM_PAGES_OWNER_HEAD_SIZE) /* 72 */
#define BCH_MAX_PGALLOC_RECS \
	((int)((BCH_NVM_PAGES_OFFSET - BCH_NVM_PAGES_SYS_RECS_HEAD_OFFSET) / \
	       BCH_NVM_PAGES_RECS_SIZE))				/* 2046 */

/* Kernel-internal buddy limit: free lists cover orders 0 .. BCH_MAX_ORDER-1. */
#define BCH_MAX_ORDER				20

#define BCH_NVM_PAGES_SB_MAGIC_BYTES \
	{ 0x17, 0xbd, 0x53, 0x7f, 0x1b, 0x23, 0xd6, 0x83, \
	  0x46, 0xa4, 0xf8, 0x28, 0x17, 0xda, 0xec, 0xa9 }
#define BCH_NVM_PAGES_PGALLOC_MAGIC_BYTES \
	{ 0x39, 0x25, 0x3f, 0xf7, 0x27, 0x17, 0xd0, 0xb9, \
	  0x10, 0xe6, 0xd2, 0xda, 0x38, 0x68, 0x26, 0xae }

/* The label the formatting tool gives heads[0]. */
#define BCH_NVM_PAGES_SYS_LABEL			"nvm_pages_internal"

/* Record bitfield: pgoff:52, order:6, reserved:6 (LSB first). */
#define BCH_PGALLOC_REC_PGOFF_BITS		52
#define BCH_PGALLOC_REC_ORDER_BITS		6
#define BCH_PGALLOC_REC_PGOFF_MASK		((1ULL << 52) - 1)
#define BCH_PGALLOC_REC_ORDER_SHIFT		52
#define BCH_PGALLOC_REC_ORDER_MASK		0x3fULL
#define BCH_PGALLOC_REC_RESERVED_SHIFT		58
#define BCH_PGALLOC_REC_RESERVED_MASK		0x3fULL

struct bch_pgalloc_rec {
	__u64 v;	/* pgoff:52 | order:6 << 52 | reserved:6 << 58 */
};

struct bch_nvm_pgalloc_recs {
	union {
		struct {
			__u64 owner;		/* address of the owner head */
			__u64 next;		/* address of the next page */
			__u8 magic[16];
			__u8 owner_uuid[16];
			__u32 size;
			__u32 used;
			__u64 _pad[4];
			struct bch_pgalloc_rec recs[BCH_MAX_RECS];
		};
		__u8 pad[BCH_NVM_PAGES_RECS_SIZE];
	};
};

struct bch_nvm_pages_owner_head {
	__u8 uuid[16];
	char label[BCH_NVM_PAGES_LABEL_SIZE];
	__u64 recs[BCH_NVM_PAGES_NAMESPACES_MAX];	/* record-page addresses */
};

struct bch_owner_list_head {
	union {
		struct {
			__u32 size;
			__u32 used;
			__u64 _pad[4];
			struct bch_nvm_pages_owner_head heads[BCH_MAX_OWNER_LIST];
		};
		__u8 pad[BCH_NVM_PAGES_OWNER_LIST_HEAD_SIZE];
	};
};

struct bch_nvm_pages_sb {
	__u64 csum;
	__u64 ns_start;
	__u64 sb_offset;
	__u64 version;
	__u8 magic[16];
	__u8 uuid[16];
	__u32 page_size;
	__u32 total_namespaces_nr;
	__u32 this_namespace_nr;
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
	__u64 pages_offset;
	__u64 pages_total;
	__u64 pad[8];
	__u64 owner_list_head;	/* address of the owner table (namespace 0) */
	__u32 keys;
	/* 4 bytes of implicit padding, covered by the checksum */
	__u64 d[];
};

#endif /* _UAPI_LINUX_BCACHE_NVM_H */
