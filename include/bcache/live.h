/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live base: at which kernel virtual address the v7 code would map a
 * namespace on the running system.  The v7 kernel takes the address of the
 * namespace's first byte from dax_direct_access(); for an fsdax namespace
 * that is its direct-map address, __va(phys) = phys + the kernel's
 * direct-map base, where phys is the physical address of the namespace's
 * data start (libndctl: the pfn device's resource).  The base is the
 * kernel's page_offset_base (randomised at every boot when the kernel
 * randomises its memory layout): the virtual minus the physical address of
 * /proc/kcore's RAM segments, else page_offset_base itself (its address from
 * /proc/kallsyms, its value read through /proc/kcore).
 * Both need root; where the base cannot be told, the reason is typed.
 */
#ifndef BCACHE_LIVE_H
#define BCACHE_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <bcache/target.h>

struct bch_nvm_ns;

enum bch_live_reason {
	BCH_LIVE_OK,
	BCH_LIVE_NOT_NAMESPACE,	/* not a pmem namespace of this system */
	BCH_LIVE_NOT_FSDAX,	/* raw, devdax or sector: v7 maps fsdax only */
	BCH_LIVE_NO_PHYS,	/* physical address unreadable (root only) */
	BCH_LIVE_NO_KCORE,	/* /proc/kcore unreadable (root, lockdown) */
	BCH_LIVE_NO_DIRECT_MAP,	/* no direct-map base in kallsyms or kcore */
	BCH_LIVE_INCONSISTENT,	/* kallsyms and kcore name different bases */
};

enum bch_dmap_source {
	BCH_DMAP_NONE,
	BCH_DMAP_SYMBOL,	/* page_offset_base, read through /proc/kcore */
	BCH_DMAP_KCORE_RAM,	/* /proc/kcore RAM segments: vaddr - paddr */
};

struct bch_live {
	enum bch_live_reason reason;
	int err;			/* errno behind NO_KCORE, NO_PHYS, else 0 */
	struct bch_pmem_ns ns;		/* the namespace (valid unless NOT_NAMESPACE) */
	uint64_t direct_map;		/* the kernel's direct-map base */
	enum bch_dmap_source source;
	uint64_t k;			/* direct_map + ns.phys: v7's base now */
};

/* The running kernel's direct-map base, once per command. */
struct bch_dmap {
	enum bch_live_reason reason;	/* OK, NO_KCORE, NO_DIRECT_MAP, INCONSISTENT */
	int err;
	uint64_t base;
	enum bch_dmap_source source;
};

/* Read it from /proc/kcore (else /proc/kallsyms).  0, or -ENOMEM. */
int bch_dmap_read(struct bch_dmap *out);

/*
 * Where the v7 kernel would map the namespace whose device node is path.
 * Returns 0 with the verdict in out->reason (out->k valid when OK), or a
 * negative errno for failures unrelated to the system (-ENOMEM).
 */
int bch_live_base(const char *path, struct bch_live *out);
/* The same for a namespace already listed, with a base already read. */
void bch_live_of(const struct bch_pmem_ns *ns, const struct bch_dmap *dm,
		 struct bch_live *out);
/* One line: why the live base is unknown ("" for OK). */
const char *bch_live_reason_text(enum bch_live_reason r);
const char *bch_dmap_source_name(enum bch_dmap_source s);

/*
 * The pieces, for tests.  kcore_fd is an open /proc/kcore (an ELF64 core
 * file); kallsyms is an open /proc/kallsyms.
 */
/* Bytes at a kernel virtual address; -ENXIO when no segment holds them. */
int bch_kcore_read(int kcore_fd, uint64_t vaddr, void *buf, size_t len);
/*
 * The direct-map base from the RAM segments (PT_LOAD with a physical
 * address, below the kernel image): -ENOENT when there is none, -EPROTO
 * when they disagree or the file is no ELF64 core.
 */
int bch_kcore_direct_map(int kcore_fd, uint64_t *base);
/* A symbol's address; -ENOENT when absent or hidden (address 0). */
int bch_kallsyms_find(FILE *kallsyms, const char *name, uint64_t *addr);
/*
 * The direct-map base: from the RAM segments, else from page_offset_base
 * (kallsyms may be NULL).  With both, they must agree (-EDOM otherwise).
 * -ENOENT when neither gives one.
 */
int bch_live_direct_map(int kcore_fd, FILE *kallsyms, uint64_t *base,
			enum bch_dmap_source *source);

/*
 * The verdict for a namespace against the live base: a BASE_LIVE error when
 * the stored base differs (registration would hit the kernel's BUG_ON),
 * a BASE_LIVE_UNKNOWN note when it cannot be told.  Nothing for namespaces
 * that are not live, fresh, or not fsdax.  Returns 0 or -ENOMEM.
 */
int bch_nvm_check_live(struct bch_nvm_ns *ns, const struct bch_live *live);

#endif
