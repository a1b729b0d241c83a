/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Access to the bytes of a namespace: a regular image file, a block device
 * (/dev/pmemN, a loop device) or a device-dax character device (/dev/daxN.M).
 * Every access is bounds-checked against the device size.
 *
 * Block devices are read and written with O_DIRECT, never through the page
 * cache: a kernel may have written the device behind it (the v7 kernel
 * reads the nvm-pages superblock through the page cache and then writes
 * the namespace through DAX, so a buffered read returns the old page; a
 * buffered partial-page write would write that old page back).  Unaligned
 * requests go through an aligned bounce buffer (read-modify-write of the
 * blocks at the edges).  Image files keep buffered I/O.
 */
#ifndef BCACHE_MEDIA_H
#define BCACHE_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum bch_media_kind {
	BCH_MEDIA_FILE,
	BCH_MEDIA_BLOCK,
	BCH_MEDIA_DAX,
};

enum bch_media_flags {
	BCH_MEDIA_WRITE = 1 << 0,	/* open read-write (default: read-only) */
	BCH_MEDIA_EXCL = 1 << 1,	/* O_EXCL: refuse a device held by others */
};

struct bch_media {
	char *path;
	int fd;
	enum bch_media_kind kind;
	bool writable;
	uint64_t size;		/* bytes */
	uint64_t align;		/* devdax mapping alignment, else 0 */
	void *map;		/* devdax: the whole device, mapped */
	struct pmem2_map *pmap;
	struct pmem2_source *psrc;
	void (*persist)(const void *addr, size_t len);
	uint64_t dirty_lo, dirty_hi;	/* devdax: range written since persist */
	uint32_t dio_align;	/* O_DIRECT block size (block devices), else 0 */
	uint32_t logical_block;	/* BLKSSZGET of a block device (512 if unknown), else 512 */
	unsigned char *bounce;	/* O_DIRECT: aligned bounce buffer, lazily */
	const unsigned char *rmap;	/* image files: read-only mapping, lazily */
	uint64_t rmap_lo, rmap_hi;	/* its pages read since the last release */
	bool mem;		/* bch_media_open_mem: map is the caller's buffer */
	/* image files: the byte ranges that hold data (bch_media_has_data) */
	uint64_t (*data)[2];	/* [start, end) pairs in order */
	size_t ndata;
	int data_known;		/* 0 not asked yet, 1 data[] holds them, -1 unknown */
};

/*
 * Open `arg`: a path, or a pmem namespace name (namespaceX.Y) that is
 * resolved to its device node (bch_target_resolve; m->path is the node).
 * Returns 0 or a negative errno: -EBUSY when BCH_MEDIA_EXCL is given and the
 * device is held (mounted, or opened exclusively elsewhere), -ENOTSUP for
 * device kinds that are not byte-addressable namespaces, -EMEDIUMTYPE for a
 * sector-mode (BTT) device, -ENOENT/-ENODEV for unknown/disabled namespaces,
 * -ENOPKG/-ELIBACC when a namespace name or a devdax node needs an optional
 * library the build lacks or that cannot be loaded (bcache/optlib.h).
 */
int bch_media_open(const char *arg, unsigned int flags, struct bch_media **out);

/* Whether character device rdev belongs to the dax subsystem (a devdax node). */
bool bch_chr_is_dax(dev_t rdev);
void bch_media_close(struct bch_media *m);

/* Read/write exactly len bytes at off; -ERANGE outside [0, size). */
int bch_media_read(struct bch_media *m, void *buf, size_t len, uint64_t off);
int bch_media_write(struct bch_media *m, const void *buf, size_t len, uint64_t off);
int bch_media_zero(struct bch_media *m, uint64_t off, uint64_t len);

/*
 * Discard the whole device (make --discard): BLKDISCARD on a block device, a
 * punched hole in an image file (reads return zeros after).  -EOPNOTSUPP
 * when the device cannot (devdax) or the kernel answers so.
 */
int bch_media_discard(struct bch_media *m);

/* Make everything written so far durable (fsync, or CPU cache flush on dax). */
int bch_media_persist(struct bch_media *m);

/*
 * Write len bytes at off past the page cache and make them durable before
 * returning: block devices and files through O_DIRECT (whole 4 KiB blocks,
 * read and written back around the range) and fdatasync, so the page cache
 * neither hides nor overwrites them later; a file system without O_DIRECT
 * gets a plain write and fdatasync; devdax a store and a cache flush.  For
 * metadata the kernel reads behind its own page cache (the cache superblock)
 * and for bytes next to what the kernel wrote through DAX.  With expect (may
 * be NULL) the bytes there, read past the page cache, must be expect's, else
 * -ESTALE and nothing is written.
 */
int bch_media_write_direct(struct bch_media *m, const void *buf, size_t len, uint64_t off,
			   const void *expect);

const char *bch_media_kind_name(enum bch_media_kind kind);

/*
 * pread (wr false) or pwrite exactly len bytes of fd at off, through
 * interruptions and short transfers: the one I/O loop of the library.
 * -EIO at the end of the file, -errno on errors.
 */
int bch_fd_io(int fd, void *buf, size_t len, uint64_t off, bool wr);

/*
 * A media over size bytes of memory at buf (the caller's; it must outlive
 * the media): the same bounds-checked reads (and writes, with
 * BCH_MEDIA_WRITE) as a device, for tests and fuzz targets.  path names it.
 * Its kind is BCH_MEDIA_FILE.
 */
int bch_media_open_mem(const char *path, void *buf, uint64_t size, unsigned int flags,
		       struct bch_media **out);

/*
 * The whole media as read-only memory, to read in place without a copy:
 * devdax and memory media as they are mapped, image files through a shared
 * read-only mapping made at the first call; NULL for block devices (read
 * with O_DIRECT) or when the mapping fails.  An image file that shrinks
 * while it is mapped ends the process with SIGBUS.  Call
 * bch_media_map_done() on what was read: the pages of an image file are let
 * go of in batches, so the resident set stays small however much is read.
 */
const unsigned char *bch_media_map_ro(struct bch_media *m);
/*
 * Whether [off, off + len) may hold a byte that is not zero: false only
 * for a range of an image file that lies in its holes (SEEK_DATA and
 * SEEK_HOLE, asked once per media and kept: at most BCH_MEDIA_DATA_MAX
 * ranges, else every range counts as data; a write through the media makes
 * it ask again).  A scan skips what reads as zeros without reading it: a
 * sparse image with thousands of small allocations costs no page-cache
 * pages for their holes.
 */
#define BCH_MEDIA_DATA_MAX 65536
bool bch_media_has_data(struct bch_media *m, uint64_t off, uint64_t len);
void bch_media_map_done(struct bch_media *m, uint64_t off, uint64_t len);

/*
 * A page-aligned, zeroed buffer of len bytes (an anonymous mapping: pages
 * never touched cost no memory), so O_DIRECT reads need no bounce buffer.
 * From BCH_MEDIA_BIG_BUF bytes on, the buffer is mapped in whole 2 MiB
 * huge pages (transparent huge pages are asked for): the first touch of
 * such a buffer (a namespace's metadata, a read window, an index of
 * thousands of jsets, millions of allocation or journal entries) costs a
 * fault per 2 MiB instead of one per 4 KiB page, which in a virtual
 * machine with shadow page tables costs 12-17 us even when the page was
 * populated in advance (bench/README-journal.md).  NULL when out of
 * memory.  Free with bch_media_buf_free(p, len) (one freed buffer of a
 * single huge page is kept for the next allocation of one, zeroed then).
 * bch_media_buf_grow() moves a buffer to new_len bytes (its bytes kept, the
 * rest zeroed; the address may change), NULL when out of memory (p is then
 * still valid).
 */
#define BCH_MEDIA_BIG_BUF (128u << 10)
void *bch_media_buf_alloc(size_t len);
void *bch_media_buf_grow(void *p, size_t len, size_t new_len);
void bch_media_buf_free(void *p, size_t len);

/*
 * Whether two threads may read m at once with bch_media_read (not through
 * the one bounce buffer of unaligned O_DIRECT reads) and the process may
 * run on a second CPU: then the journal scan and views use two threads.
 */
bool bch_media_two_readers(const struct bch_media *m);

#endif
