/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading a namespace: the superblock, the owner table and the owner-list
 * walk of bcache-nvm-pages(5), WALK, done the kernel's way but bounded
 * (used clamped, chains capped, loops detected) and without aborting: every
 * anomaly becomes a problem and the walk goes on.
 */
#ifndef BCACHE_NVM_WALK_H
#define BCACHE_NVM_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bcache/nvm.h>
#include <bcache/problem.h>

struct bch_media;

struct bch_nvm_owner {
	int index;			/* head index in the owner table */
	uint64_t offset;		/* byte offset of the head */
	const uint8_t *raw;		/* the head's bytes, into ns->meta */
	const uint8_t *uuid;		/* raw + 0 */
	const char *label;		/* raw + 16, 32 bytes, NUL-padded */
	uint32_t state, flags;		/* nvmpg heads only (v7: 1, 0) */
	uint64_t recs_raw[BCH_NVM_PAGES_NAMESPACES_MAX];	/* as stored */
	struct bch_ptr recs[BCH_NVM_PAGES_NAMESPACES_MAX];
	size_t npages;			/* record pages reached */
	uint64_t nrecords;		/* non-empty records */
	uint64_t pages_allocated;	/* sum of 2^order of valid records */
};

/*
 * A record page's header as stored (both revisions lay it out alike; the
 * pointers are v7 addresses or nvmpg offsets as the revision stores them).
 */
struct bch_nvm_recs_hdr {
	uint64_t owner, next;
	uint8_t owner_uuid[16];
	uint32_t size, used;
};

struct bch_nvm_recpage {
	int slot;			/* 0 .. 2045 (nvmpg: 63) */
	uint64_t offset;		/* byte offset of the page */
	int owner;			/* index into ns->owners */
	unsigned int ns;		/* namespace number j of head.recs[j] */
	int chain_pos;			/* position in its chain, from 0 */
	const struct bch_nvm_pgalloc_recs *raw;	/* into ns->meta */
	struct bch_nvm_recs_hdr hdr;	/* its header, decoded */
	struct bch_ptr owner_ptr, next_ptr;
	bool magic_ok;
	uint32_t nonempty;		/* records with pgoff != 0 in [0, size) */
	size_t walk_at;			/* its allocations: ns->walk[walk_at, + nallocs) */
	uint32_t nallocs;
};

/*
 * One non-empty record, kept small (16 bytes): a namespace holds up to
 * 2046 * 1013 of them.  The full decoding is bch_nvm_alloc_rec().
 */
struct bch_nvm_alloc {
	uint64_t page;			/* namespace page (valid records) */
	uint16_t pg;			/* index into ns->pages */
	uint16_t rec;			/* record index k in the page */
	uint8_t order;
	bool valid;			/* inside the namespace, aligned, order ok */
	/*
	 * The v7 kernel marks [page, page + 2^order) busy at registration:
	 * every record above the base, valid or not (misaligned, overlapping,
	 * in the reserved area, past the end).
	 */
	bool marked;
};

/* A record-page slot that carries the magic but is not linked (stale). */
struct bch_nvm_stale {
	int slot;
	uint64_t offset;
	uint32_t nonempty;		/* non-empty records in [0, min(size, 1013)) */
	const struct bch_nvm_pgalloc_recs *raw;	/* into ns->meta */
	struct bch_nvm_recs_hdr hdr;	/* its header, decoded */
};

struct bch_nvm_ns {
	char *path;
	uint64_t size;			/* device bytes */
	struct bch_nvm_sb_info sbi;
	const struct bch_nvm_layout *lay;	/* sbi.lay */
	struct bch_nvm_base base;
	unsigned char *meta;		/* bytes [0, min(size, 16 MiB)) */
	size_t meta_len;
	bool meta_lazy;			/* only the pages the walk reached are read */
	bool no_stale;			/* bch_nvm_load_allocs: unlinked slots not searched */
	struct bch_media *meta_m;	/* during a lazy load only */
	uint64_t meta_have[BCH_NVM_PAGES_OFFSET / 4096 / 64];	/* lazy: pages read */
	const struct bch_owner_list_head *owner_list;	/* NULL without an owner table */
	uint32_t heads_walked;		/* min(used, size, 72) */
	struct bch_nvm_owner *owners;
	size_t nowners;
	struct bch_nvm_recpage *pages;
	size_t npages, pages_cap;
	struct bch_nvm_alloc *allocs;	/* sorted by page after the load */
	size_t nallocs, allocs_cap;
	bool allocs_mapped;		/* allocs is an anonymous mapping, not the heap */
	uint32_t *walk;			/* allocs indexes in walk order: page pg, record k */
	size_t walk_len;		/* bytes of the mapping walk points into */
	struct bch_nvm_stale *stale;
	size_t nstale, stale_cap;
	uint64_t pages_allocated;	/* union of the valid records, in pages */
	struct bch_problems problems;
};

/*
 * Read and walk one namespace, of either revision.  Returns 0 (problems are
 * in ns->problems), -ENODATA when there is no nvm-pages superblock, or
 * another negative errno.
 */
int bch_nvm_load(struct bch_media *m, struct bch_nvm_ns *ns);
/*
 * The same walk and problems, but ns->meta holds only the pages the walk
 * reaches (superblock, owner table, linked record pages, record pages of
 * stale slots); every other byte reads as 0.  For callers that need the
 * allocations, not a dump of the metadata area.
 */
int bch_nvm_load_lazy(struct bch_media *m, struct bch_nvm_ns *ns);
/*
 * The lazy load without the search of the slots no chain links for the
 * record-page magic (stale slots: 64 reads of 256 KiB on a namespace of
 * 16 MiB of metadata).  The owners, record pages and allocations are those
 * of the full load; ns->stale stays empty and its problems (BCH_P_SLOT_STALE,
 * BCH_P_SLOT_ORPHAN) are not added.  For callers that need the allocations
 * only (the journal commands), not a verdict on the namespace.
 */
int bch_nvm_load_allocs(struct bch_media *m, struct bch_nvm_ns *ns);
/*
 * The full load from a copy of the metadata area in memory: meta holds
 * bytes [0, min(size, 16 MiB)) of a device of size bytes (len at least
 * that); path names it in problems.  -EINVAL when len is too short.
 */
int bch_nvm_load_buf(const void *meta, size_t len, uint64_t size, const char *path,
		     struct bch_nvm_ns *ns);
void bch_nvm_ns_free(struct bch_nvm_ns *ns);

/* Full decoding of an allocation record. */
void bch_nvm_alloc_rec(const struct bch_nvm_ns *ns, const struct bch_nvm_alloc *a,
		       struct bch_rec *out);
/* Byte offset of the record of an allocation. */
uint64_t bch_nvm_alloc_at(const struct bch_nvm_ns *ns, const struct bch_nvm_alloc *a);
/* First reserved page: min(pages_offset / page_size, pages_total). */
uint64_t bch_nvm_first_page(const struct bch_nvm_ns *ns);

/* The bytes of head i (ns->lay->head_size), or NULL when outside the table. */
const uint8_t *bch_nvm_head(const struct bch_nvm_ns *ns, int i);

#endif
