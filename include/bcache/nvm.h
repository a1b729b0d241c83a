/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The nvm-pages format in its two revisions, v7 and nvmpg (v12/v13):
 * superblock, pointer and record decoding, the fresh layout.  In-core
 * structures are kept apart from the on-media ones of <linux/bcache-nvm.h>
 * and <linux/bcache-nvmpg.h>; what differs between the revisions is data
 * (struct bch_nvm_layout), read by one walk, one check and one journal scan.
 */
#ifndef BCACHE_NVM_H
#define BCACHE_NVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bcache-nvm.h>
#include <linux/bcache-nvmpg.h>
#include <bcache/problem.h>

struct bch_media;
struct bch_struct_desc;

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

/*
 * What differs between the revisions, as data.  The superblock's fields
 * other than sb_offset/ns_start, the table prefix (size, used) and the
 * record-list header sit at the same offsets in both.
 */
struct bch_nvm_layout {
	enum bch_nvm_revision revision;
	const char *name;		/* "v7", "nvmpg": `revision` in output */
	uint32_t sb_offset_at;		/* offset of sb_offset in the superblock */
	uint32_t ns_start_at;
	uint32_t head_size;		/* 112, 120 */
	uint32_t head_recs_at;		/* recs[] / recs_offset[] in a head */
	int head_state_at;		/* state, flags (-1: none, v7) */
	uint32_t max_heads;		/* 72, 67 */
	uint32_t max_slots;		/* record-list slots: 2046, 64 */
	const char *sys_label;		/* the label make -M gives heads[0] */
	bool nvmpg_ptrs;		/* pointers are nvmpg offsets */
	unsigned int rec_ns_id_shift;	/* 0: records carry no ns_id */
	unsigned int rec_reserved_shift;
	uint64_t rec_reserved_mask;
	bool used_must_match;		/* registration fails when used != records */
	bool lookup_by_used;		/* the journal lookup stops at used */
	const char *total_name;		/* total_namespaces_nr, total_ns */
	const char *this_name;		/* this_namespace_nr, this_ns */
	const char *table_name;		/* JSON key of the table prefix */
	const char *recs_name;		/* "record page", "record list" */
	const struct bch_struct_desc *sb_desc, *table_desc, *head_desc, *recs_desc;
};

extern const struct bch_nvm_layout bch_nvm_layout_v7;
extern const struct bch_nvm_layout bch_nvm_layout_nvmpg;
/* The layout of a revision (v7 for NONE and UNKNOWN). */
const struct bch_nvm_layout *bch_nvm_layout_of(enum bch_nvm_revision rev);

static inline uint64_t bch_nvm_lay_head_offset(const struct bch_nvm_layout *l, uint32_t i)
{
	return BCH_NVM_PAGES_OWNER_LIST_HEAD_OFFSET + 40 + (uint64_t)l->head_size * i;
}

struct bch_nvm_sb_info {
	struct bch_nvm_pages_sb sb;	/* the 232 bytes as stored */
	enum bch_nvm_revision revision;
	const struct bch_nvm_layout *lay;
	uint64_t sb_offset, ns_start;	/* by the revision's field order */
	uint64_t csum_computed;
	bool csum_ok;
	bool keys_overrun;		/* keys runs past the 4 KiB page */
};

/*
 * Decode the superblock from the 4096-byte page read at BCH_NVM_PAGES_SB_OFFSET.
 * Never fails: the verdicts are in *out.
 */
void bch_nvm_sb_parse(const void *page, struct bch_nvm_sb_info *out);
/* Set the revision (and the fields read by it) when other evidence decides. */
void bch_nvm_sb_set_revision(struct bch_nvm_sb_info *sbi, enum bch_nvm_revision rev);
/* Read and parse the superblock of a device; -errno on I/O errors. */
int bch_nvm_sb_read(struct bch_media *m, struct bch_nvm_sb_info *out);
/* Checksum over [8, 232 + 8 * keys) of a superblock page of `avail` bytes. */
int bch_nvm_sb_csum(const void *sb, size_t avail, uint64_t *out);
/* Store a freshly computed csum into sb (keys must be 0 or fit). */
int bch_nvm_sb_update_csum(struct bch_nvm_pages_sb *sb);
const char *bch_nvm_revision_name(enum bch_nvm_revision rev);
/*
 * Add a problem about the superblock field `field` (its name in the
 * namespace's revision: l->total_name, ...), located at `offset`, where
 * "sb.<field>".  Returns 0 or -ENOMEM.
 */
int bch_nvm_sb_problem(struct bch_problems *ps, enum bch_problem_code code, uint64_t offset,
		       const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
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
	BCH_NVM_STATE_NVMPG,	/* nvmpg ("offsets"): position independent */
};

struct bch_nvm_base {
	enum bch_nvm_state state;
	bool k_known;
	uint64_t k;		/* base address; 0 when FRESH */
	/* the three anchors as stored: sb.owner_list_head, heads[0].recs[0], slot[0].owner */
	uint64_t owner_list_head, head0_recs0, slot0_owner;
	bool owner_list_head_converted, head0_recs0_converted, slot0_owner_converted;
	bool disagree;		/* converted anchors imply different K */
	const struct bch_nvm_layout *lay;	/* NULL: v7 */
	unsigned int ns_id;	/* nvmpg: the namespace id pointers carry */
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
	BCH_PTR_NVMPG,		/* nvmpg offset: ns_id << 61 | byte offset */
};

struct bch_ptr {
	uint64_t raw;
	enum bch_ptr_form form;
	uint64_t off;		/* namespace byte offset when form is valid */
};

/*
 * Classify and decode one stored pointer.  Returns 0 for a usable pointer
 * (or NULL), -ERANGE when outside (0, ns_bytes), -ENXIO for an address form
 * without a known base, -EXDEV for an nvmpg offset of another namespace id.
 */
int bch_nvm_ptr_decode(uint64_t raw, const struct bch_nvm_base *base,
		       uint64_t ns_bytes, struct bch_ptr *out);
/* Slot index of a record-page offset, or -EINVAL when not on a slot. */
int bch_nvm_lay_slot_of(const struct bch_nvm_layout *l, uint64_t off);
/* Head index of an owner-head offset, or -EINVAL when not at a head. */
int bch_nvm_lay_head_of(const struct bch_nvm_layout *l, uint64_t off);
/* The same for v7. */
int bch_nvm_slot_of(uint64_t off);
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
	unsigned int ns_id;	/* nvmpg records only */
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
/* Decode a record of a revision, for base K (0 for nvmpg). */
void bch_nvm_lay_rec_decode(const struct bch_nvm_layout *l, uint64_t v, uint64_t k,
			    struct bch_rec *out);
/* The same for v7. */
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
	enum bch_nvm_revision revision;	/* NONE: v7 */
};

/*
 * Build the structures of a fresh namespace, in the buffers of the v7 types
 * (the nvmpg structures have the same sizes).  v7: for this_namespace_nr
 * == 0 the owner table and the system record page are filled too;
 * otherwise they are zeroed and owner_list_head is 0.  nvmpg: what the
 * v13-era formatter writes, the set header and the system record list on
 * every namespace, set_header_offset 8192 on namespace 0 only.  -ENOSPC
 * when the device is too small.
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
/* Whether the format writes the table and system records (see _build). */
bool bch_nvm_format_has_table(const struct bch_nvm_format *f);

#endif
