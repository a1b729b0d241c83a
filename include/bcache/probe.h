/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What is already on a device: signatures found by libblkid (filesystems,
 * RAID, partition tables, bcache) plus the project's own checks (nvm-pages
 * magic, bcache magic at 4096 + 24, namespace info blocks at 4096).
 */
#ifndef BCACHE_PROBE_H
#define BCACHE_PROBE_H

#include <stddef.h>
#include <stdint.h>

struct bch_media;

struct bch_signature {
	char type[32];		/* "ext4", "bcache", "nvm-pages", "gpt", ... */
	char usage[16];		/* "filesystem", "raid", "partition", "other" */
	char source[8];		/* "blkid" or "bcache" */
	uint64_t offset;	/* byte offset of the magic */
	size_t length;		/* magic length in bytes (0 if unknown) */
};

struct bch_signatures {
	struct bch_signature v[16];
	size_t n;
	size_t dropped;
};

/* Probe an open device.  Returns 0 or a negative errno. */
int bch_probe_signatures(struct bch_media *m, struct bch_signatures *out);

/*
 * The namespace info block signature ("NVDIMM_PFN_INFO", "NVDIMM_DAX_INFO",
 * "BTT_ARENA_INFO") at the start of a 4 KiB page, or NULL.  Found at byte
 * 4096 of an image, it marks the raw capacity of an fsdax/devdax/sector
 * namespace: the nvm-pages format starts at the data offset instead.
 */
const char *bch_probe_info_block(const void *page, size_t len);

/*
 * Erase every signature's magic bytes, as `wipefs -a` does, probing again
 * after each round because erasing one can uncover another (a GPT's backup
 * header once the primary is gone).  At most `rounds` rounds; returns the
 * number of magics erased, or a negative errno (-EAGAIN if signatures
 * remain after the last round).
 */
int bch_probe_wipe_all(struct bch_media *m, int rounds);

/* Block devices found by a scan. */
struct bch_devlist {
	char **v;
	size_t n;
};

/*
 * Every block device of the system that libblkid identifies as bcache
 * (cache and backing devices; the caller reads their superblocks itself).
 * Devices that cannot be opened (not root) are not found.  0 or -ENOMEM.
 */
int bch_probe_bcache_devices(struct bch_devlist *out);
void bch_devlist_free(struct bch_devlist *l);

#endif
