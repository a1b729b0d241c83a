/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the libFuzzer targets (tests/fuzz/README): how an input becomes
 * the bytes of a namespace (and of a cache device), fed through
 * bch_media_open_mem() to the same library calls the commands make.
 *
 * The namespace layout of an input ("layout" targets): metadata pages at
 * namespace byte 0 and data pages (journal regions) at 16 MiB, where the
 * allocator's pages begin; everything else reads as zero.
 *
 *   byte 0        flags (FZ_CACHE: a cache superblock page follows)
 *   bytes 1-4     meta_len, little-endian (clamped to what is there)
 *   [4096 bytes]  with FZ_CACHE: the cache device's bytes [4096, 8192)
 *   meta_len      namespace bytes [0, meta_len)
 *   the rest      namespace bytes [16 MiB, ...)
 *
 * The namespace is 16 MiB + the data (at most FZ_DATA_MAX) rounded up to
 * 4 KiB; without data, the metadata rounded up to 4 KiB (at least 8 KiB):
 * one buffer, reused from run to run.
 */
#ifndef BCACHE_FUZZ_H
#define BCACHE_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FZ_META_AT	0
#define FZ_DATA_AT	(16u << 20)
#define FZ_CACHE	0x01
#define FZ_CSB_BYTES	4096u
#define FZ_CACHE_SIZE	(8192u)		/* the cache device: superblock only */
#define FZ_DATA_MAX	(4u << 20)	/* data bytes used (the rest is ignored) */

struct fz_layout {
	unsigned int flags;
	const uint8_t *csb;		/* FZ_CSB_BYTES, or NULL */
	const uint8_t *meta, *data;
	size_t meta_len, data_len;
};

/* Split an input; false when it is too short to mean anything. */
bool fz_split(const uint8_t *in, size_t len, struct fz_layout *out);

/*
 * The namespace bytes of a layout, *size bytes (valid until the next call;
 * fz_unmap when done), or NULL.
 */
unsigned char *fz_namespace(const struct fz_layout *l, uint64_t *size);
/* The cache device of a layout (FZ_CACHE_SIZE bytes, malloc'd), or NULL. */
unsigned char *fz_cache(const struct fz_layout *l);
void fz_unmap(unsigned char *p, uint64_t size);

/* Abort (a finding) unless s is valid UTF-8 without control characters
 * other than newline and tab (what the tool writes). */
void fz_check_text(const char *s, size_t len, const char *what);

/*
 * fuzz-out.c (targets that run command code): standard output into a
 * memfd and standard error to /dev/null from begin to end; end checks the
 * output with fz_check_text and, with json, that it is one JSON document
 * (yajl), and aborts (a finding) if not.  what names it in the report.
 */
void fz_capture_begin(void);
void fz_capture_end(const char *what, bool json);

#endif
