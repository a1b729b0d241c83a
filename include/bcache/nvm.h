/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The v7 nvm-pages format: superblock, pointer and record decoding, the
 * fresh layout.  In-core structures are kept apart from the on-media ones of
 * <linux/bcache-nvm.h>.
 */
#ifndef BCACHE_NVM_H
#define BCACHE_NVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bcache-nvm.h>
#include <bcache/problem.h>

struct bch_media;

#define BCH_NVM_SB_SIZE		232	/* sizeof(struct bch_nvm_pages_sb) */
#define BCH_NVM_SB_KEYS_MAX	((4096 - BCH_NVM_SB_SIZE) / 8)	/* 483 */
#define BCH_NVM_HEAD_OFFSET(i)	(BCH_NVM_PAGES_OWNER_LIST_HEAD_OFFSET + 40 + \
				 (uint64_t)BCH_NVM_PAGES_OWNER_HEAD_SIZE * (i))
#define BCH_NVM_SLOT_OFFSET(n)	(BCH_NVM_PAGES_SYS_RECS_HEAD_OFFSET + \
				 (uint64_t)BCH_NVM_PAGES_RECS_SIZE * (n))
/* The device byte offset of a superblock field. */
#define BCH_NVM_SB_AT(field)	(BCH_NVM_PAGES_SB_OFFSET + \
				 offsetof(struct bch_nvm_pages_sb, field))
#define BCH_NVM_MIN_DEVICE	(BCH_NVM_PAGES_OFFSET + 4096)
#define BCH_NVM_WARN_DEVICE	(32ULL << 20)
#define BCH_NVM_KERNEL_ADDR_MIN	(1ULL << 63)

extern const uint8_t bch_nvm_sb_magic[16];
extern const uint8_t bch_nvm_recs_magic[16];

/* Which revision a superblock page carries (bcache-nvm-pages(5), NVMPG). */
enum bch_nvm_revision {
	BCH_NVM_REV_NONE,	/* no nvm-pages magic at 4096 + 32 */
	BCH_NVM_REV_V7,
	BCH_NVM_REV_V12,	/* the later "nvmpg" v12/v13 layout */
	BCH_NVM_REV_UNKNOWN,	/* magic present, neither rule matches */
};

struct bch_nvm_sb_info {
	struct bch_nvm_pages_sb sb;	/* the 232 bytes as stored */
	enum bch_nvm_revision revision;
	uint64_t csum_computed;
	bool csum_ok;
	bool keys_overrun;		/* keys runs past the 4 KiB page */
};

/*
 * Decode the superblock from the 4096-byte page read at BCH_NVM_PAGES_SB_OFFSET.
 * Never fails: the verdicts are in *out.
 */
void bch_nvm_sb_parse(const void *page, struct bch_nvm_sb_info *out);
/* Read and parse the superblock of a device; -errno on I/O errors. */
int bch_nvm_sb_read(struct bch_media *m, struct bch_nvm_sb_info *out);
/* Checksum over [8, 232 + 8 * keys) of a superblock page of `avail` bytes. */
int bch_nvm_sb_csum(const void *sb, size_t avail, uint64_t *out);
/* Store a freshly computed csum into sb (keys must be 0 or fit). */
int bch_nvm_sb_update_csum(struct bch_nvm_pages_sb *sb);
const char *bch_nvm_revision_name(enum bch_nvm_revision rev);
/*
 * Validate a parsed v7 superblock against the device size: everything the
 * kernel checks at registration plus the fields without v7 meaning.
 * Problems are located at absolute byte offsets.  Returns 0 or -ENOMEM.
 */
int bch_nvm_sb_check(const struct bch_nvm_sb_info *sbi, uint64_t dev_bytes,
		     struct bch_problems *ps);

/* ---- the mapping base K (bcache-nvm-pages(5), POINTERS, step 1) ---- */

enum bch_nvm_state {
	BCH_NVM_STATE_NO_TABLE,	/* owner_list_head == 0 */
	BCH_NVM_STATE_FRESH,
	BCH_NVM_STATE_ATTACHED,
	BCH_NVM_STATE_PARTIAL,	/* first attach partly persisted */
	BCH_NVM_STATE_CORRUPT,	/* owner_list_head is a wild value */
};

struct bch_nvm_base {
	enum bch_nvm_state state;
	bool k_known;
	uint64_t k;		/* base address; 0 when FRESH */
	/* the three anchors as stored: sb.owner_list_head, heads[0].recs[0], slot[0].owner */
	uint64_t owner_list_head, head0_recs0, slot0_owner;
	bool owner_list_head_converted, head0_recs0_converted, slot0_owner_converted;
	bool disagree;		/* converted anchors imply different K */
};

/* head0_recs0 and slot0_owner only mean something for namespace 0 (else 0). */
void bch_nvm_base_establish(uint64_t owner_list_head, uint64_t head0_recs0,
			    uint64_t slot0_owner, struct bch_nvm_base *out);
const char *bch_nvm_state_name(enum bch_nvm_state st);

/* ---- pointers (POINTERS, step 2) ---- */

enum bch_ptr_form {
	BCH_PTR_NULL,
	BCH_PTR_OFFSET,		/* byte offset from namespace byte 0 */
	BCH_PTR_ADDRESS,	/* kernel address K + offset */
	BCH_PTR_INVALID,	/* neither: outside the namespace, or no K */
};

struct bch_ptr {
	uint64_t raw;
	enum bch_ptr_form form;
	uint64_t off;		/* namespace byte offset when form is valid */
};

/*
 * Classify and decode one stored pointer.  Returns 0 for a usable pointer
 * (or NULL), -ERANGE when outside (0, ns_bytes), -ENXIO for an address form
 * without a known base.
 */
int bch_nvm_ptr_decode(uint64_t raw, const struct bch_nvm_base *base,
		       uint64_t ns_bytes, struct bch_ptr *out);
/* Slot index of a record-page offset, or -EINVAL when not on a slot. */
int bch_nvm_slot_of(uint64_t off);
/* Head index of an owner-head offset, or -EINVAL when not at a head. */
int bch_nvm_head_of(uint64_t off);
/* Encode a namespace offset for a base (0 stays 0). */
uint64_t bch_nvm_ptr_encode(uint64_t off, const struct bch_nvm_base *base);
const char *bch_ptr_form_name(enum bch_ptr_form f);

/* ---- records (POINTERS, step 3) ---- */

struct bch_rec {
	uint64_t v;
	uint64_t pgoff;
	unsigned int order;
	unsigned int reserved;
	bool empty;		/* pgoff == 0 */
	bool below_base;	/* pgoff <= K / 4096 */
	uint64_t page;		/* namespace page: pgoff - K/4096 */
	uint64_t pages;		/* 2^order (0 when order >= 64) */
};

static inline uint64_t bch_rec_pgoff(uint64_t v)
{
	return v & BCH_PGALLOC_REC_PGOFF_MASK;
}
static inline unsigned int bch_rec_order(uint64_t v)
{
	return (v >> BCH_PGALLOC_REC_ORDER_SHIFT) & BCH_PGALLOC_REC_ORDER_MASK;
}
static inline unsigned int bch_rec_reserved(uint64_t v)
{
	return (unsigned int)((v >> BCH_PGALLOC_REC_RESERVED_SHIFT) &
			      BCH_PGALLOC_REC_RESERVED_MASK);	/* 6 bits */
}
static inline uint64_t bch_rec_make(uint64_t pgoff, unsigned int order)
{
	return (pgoff & BCH_PGALLOC_REC_PGOFF_MASK) |
	       ((uint64_t)(order & BCH_PGALLOC_REC_ORDER_MASK) << BCH_PGALLOC_REC_ORDER_SHIFT);
}
void bch_nvm_rec_decode(uint64_t v, uint64_t k, struct bch_rec *out);
/*
 * The records of a record page a bounded walk reads: its size, clamped to
 * the 1013 that fit the page (the kernel trusts size).
 */
static inline uint32_t bch_nvm_recs_walked(const struct bch_nvm_pgalloc_recs *p)
{
	return p->size < BCH_MAX_RECS ? p->size : BCH_MAX_RECS;
}
/*
 * The v7 kernel fills a new record page's magic and owner_uuid with
 * strncpy(dst, src, 16): src up to its first 0x00 byte, the rest zeroed.
 */
static inline void bch_nvm_strncpy16(uint8_t dst[16], const uint8_t src[16])
{
	int i = 0;

	for (; i < 16 && src[i]; i++)
		dst[i] = src[i];
	for (; i < 16; i++)
		dst[i] = 0;
}

/* ---- the fresh layout (FRESH NAMESPACE) ---- */

struct bch_nvm_format {
	uint8_t set_uuid[16];
	uint8_t uuid[16];
	uint32_t total_namespaces_nr;
	uint32_t this_namespace_nr;
	uint64_t device_bytes;
	uint32_t page_size;	/* 0: 4096 */
};

/*
 * Build the structures of a fresh namespace.  For this_namespace_nr == 0 the
 * owner table and the system record page are filled too; otherwise they are
 * zeroed and owner_list_head is 0.  -ENOSPC when the device is too small.
 */
int bch_nvm_format_build(const struct bch_nvm_format *f,
			 struct bch_nvm_pages_sb *sb,
			 struct bch_owner_list_head *olh,
			 struct bch_nvm_pgalloc_recs *sys);

/* Steps of bch_nvm_format_write, in order; a hook can stop after each. */
enum bch_nvm_format_step {
	BCH_FMT_STEP_INVALIDATE_SB = 1,	/* old superblock page zeroed, persisted */
	BCH_FMT_STEP_ZERO_AREA,		/* rest of [0, 16 MiB) zeroed */
	BCH_FMT_STEP_OWNER_TABLE,	/* owner table written */
	BCH_FMT_STEP_SYS_RECS,		/* system record page written, persisted */
	BCH_FMT_STEP_SUPERBLOCK,	/* superblock written, persisted */
	BCH_FMT_STEP__LAST = BCH_FMT_STEP_SUPERBLOCK,
};

/* Return non-zero from the hook to stop (the write returns -ECANCELED). */
typedef int (*bch_nvm_format_hook)(enum bch_nvm_format_step step, void *arg);

int bch_nvm_format_write(struct bch_media *m, const struct bch_nvm_format *f,
			 bch_nvm_format_hook hook, void *arg);

#endif
