// SPDX-License-Identifier: GPL-2.0
/* The input layouts of the fuzz targets (fuzz.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fuzz.h"

bool fz_split(const uint8_t *in, size_t len, struct fz_layout *out)
{
	uint32_t meta;

	memset(out, 0, sizeof(*out));
	if (len < 5)
		return false;
	out->flags = in[0];
	memcpy(&meta, in + 1, 4);
	in += 5;
	len -= 5;
	if (out->flags & FZ_CACHE) {
		if (len < FZ_CSB_BYTES)
			return false;
		out->csb = in;
		in += FZ_CSB_BYTES;
		len -= FZ_CSB_BYTES;
	}
	out->meta_len = meta < len ? meta : len;
	if (out->meta_len > FZ_DATA_AT)
		out->meta_len = FZ_DATA_AT;
	out->meta = in;
	out->data = in + out->meta_len;
	out->data_len = len - out->meta_len;
	return true;
}

/*
 * One buffer for every run: its pages are faulted in once (a page fault
 * costs more than the whole run of a small input), and only the bytes the
 * last run wrote are cleared.
 */
static unsigned char *ns_buf;
static size_t ns_meta, ns_data;

unsigned char *fz_namespace(const struct fz_layout *l, uint64_t *size)
{
	size_t data = l->data_len < FZ_DATA_MAX ? l->data_len : FZ_DATA_MAX;
	uint64_t n = FZ_DATA_AT + ((data + 4095) & ~4095ULL);

	if (!ns_buf) {
		void *p = mmap(NULL, FZ_DATA_AT + FZ_DATA_MAX, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p == MAP_FAILED)
			return NULL;
		ns_buf = p;
	}
	memset(ns_buf, 0, ns_meta);
	memset(ns_buf + FZ_DATA_AT, 0, ns_data);
	/* no data: the namespace ends after the metadata (a small device, whose
	 * full load reads little); at least two pages */
	if (!data)
		n = l->meta_len < 8192 ? 8192 : (l->meta_len + 4095) & ~4095ULL;
	memcpy(ns_buf + FZ_META_AT, l->meta, l->meta_len);
	memcpy(ns_buf + FZ_DATA_AT, l->data, data);
	ns_meta = l->meta_len;
	ns_data = data;
	*size = n;
	return ns_buf;
}

unsigned char *fz_cache(const struct fz_layout *l)
{
	unsigned char *c = calloc(1, FZ_CACHE_SIZE);

	if (c && l->csb)
		memcpy(c + 4096, l->csb, FZ_CSB_BYTES);
	return c;
}

void fz_unmap(unsigned char *p, uint64_t size)
{
	(void)p;	/* kept for the next run */
	(void)size;
}

/* The length of the valid UTF-8 sequence at p[0..n), or 0. */
static size_t seq_len(const unsigned char *p, size_t n)
{
	size_t k = p[0] < 0x80 ? 1 : p[0] >= 0xc2 && p[0] <= 0xdf ? 2 :
		   p[0] >= 0xe0 && p[0] <= 0xef ? 3 : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : 0;
	uint32_t cp;

	if (!k || k > n)
		return 0;
	if (k == 1)
		return (p[0] >= 0x20 && p[0] != 0x7f) || p[0] == '\n' || p[0] == '\t';
	cp = p[0] & (0xff >> (k + 1));
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (k == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return k;
}

void fz_check_text(const char *s, size_t len, const char *what)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0, k; i < len; i += k) {
		k = seq_len(p + i, len - i);
		if (!k) {
			fprintf(stderr, "fuzz: %s: byte 0x%02x at %zu is not valid UTF-8 text\n",
				what, p[i], i);
			abort();
		}
	}
}
