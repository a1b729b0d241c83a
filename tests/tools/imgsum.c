// SPDX-License-Identifier: GPL-2.0
/*
 * imgsum (test-only): a fingerprint of the whole content of image files and
 * devices, fast on sparse images.  For each FILE, one line:
 *
 *     SIZE CRC64-ECMA CRC64-ISO DATA
 *
 * SIZE is the size in bytes; the two CRCs (ISA-L, reflected) run over every
 * 4 KiB block that is not all zeroes, each preceded by its offset (u64), in
 * offset order; DATA is the count of such blocks.  So two files have the
 * same line exactly when they hold the same bytes (up to a 128-bit
 * collision), whether a zero block is a hole or written zeroes.  In a
 * regular file only the data extents are read (SEEK_DATA / SEEK_HOLE): a
 * 1 TiB image with 16 MiB written costs 16 MiB of reading, where sha256sum
 * reads the whole TiB.  Devices are read whole.
 *
 * "imgsum -e FILE" lists the data extents instead ("OFFSET LENGTH" lines).
 * Exits 0, or 1 naming the file that cannot be read.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>

#include <isa-l/crc64.h>

#define BLOCK 4096u
#define CHUNK (1u << 20)

struct sum {
	uint64_t ecma, iso, blocks;
};

static unsigned char buf[CHUNK];

static bool zero_block(const unsigned char *p, size_t n)
{
	return !p[0] && !memcmp(p, p + 1, n - 1);
}

/* Add [off, off + len) of fd to the sum (len a multiple of BLOCK or to EOF). */
static int add_range(int fd, uint64_t off, uint64_t len, struct sum *s)
{
	while (len) {
		size_t want = len < CHUNK ? len : CHUNK;
		ssize_t n = pread(fd, buf, want, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;	/* the file shrank: EOF */
		for (size_t i = 0; i < (size_t)n; i += BLOCK) {
			size_t b = (size_t)n - i < BLOCK ? (size_t)n - i : BLOCK;
			uint64_t at = off + i;

			if (zero_block(buf + i, b))
				continue;
			s->ecma = crc64_ecma_refl(s->ecma, (const uint8_t *)&at, sizeof(at));
			s->ecma = crc64_ecma_refl(s->ecma, buf + i, b);
			s->iso = crc64_iso_refl(s->iso, (const uint8_t *)&at, sizeof(at));
			s->iso = crc64_iso_refl(s->iso, buf + i, b);
			s->blocks++;
		}
		off += n;
		len -= n;
	}
	return 0;
}

/*
 * Call fn for each data extent of a regular file, block-aligned (so a block
 * is never split between two calls).  Without SEEK_DATA: one extent.
 */
static int extents(int fd, uint64_t size, int (*fn)(int, uint64_t, uint64_t, void *),
		   void *ctx)
{
	uint64_t pos = 0;

	while (pos < size) {
		off_t d = lseek(fd, pos, SEEK_DATA), h;
		int rc;

		if (d < 0 && errno == ENXIO)
			return 0;	/* only a hole to the end */
		if (d < 0 && pos == 0 && (errno == EINVAL || errno == EOPNOTSUPP))
			return fn(fd, 0, size, ctx);
		if (d < 0)
			return -errno;
		h = lseek(fd, d, SEEK_HOLE);
		if (h < 0)
			return -errno;
		d -= d % BLOCK;
		if ((uint64_t)h < size && h % BLOCK)
			h += BLOCK - h % BLOCK;
		if ((uint64_t)h > size)
			h = size;
		if ((uint64_t)d < pos)
			d = pos;
		if (h > d) {
			rc = fn(fd, d, h - d, ctx);
			if (rc)
				return rc;
		}
		pos = h > d ? (uint64_t)h : (uint64_t)d + BLOCK;
	}
	return 0;
}

static int sum_extent(int fd, uint64_t off, uint64_t len, void *ctx)
{
	return add_range(fd, off, len, ctx);
}

static int print_extent(int fd, uint64_t off, uint64_t len, void *ctx)
{
	(void)fd;
	(void)ctx;
	printf("%" PRIu64 " %" PRIu64 "\n", off, len);
	return 0;
}

static int one(const char *path, bool list)
{
	struct sum s = { 0, 0, 0 };
	struct stat st;
	uint64_t size;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	size = st.st_size;
	if (S_ISBLK(st.st_mode) && ioctl(fd, BLKGETSIZE64, &size) < 0) {
		rc = -errno;
		goto out;
	}
	if (list)
		rc = S_ISREG(st.st_mode) ? extents(fd, size, print_extent, NULL)
					 : print_extent(fd, 0, size, NULL);
	else if (S_ISREG(st.st_mode))
		rc = extents(fd, size, sum_extent, &s);
	else
		rc = add_range(fd, 0, size, &s);
	if (!rc && !list)
		printf("%" PRIu64 " %016" PRIx64 " %016" PRIx64 " %" PRIu64 "\n",
		       size, s.ecma, s.iso, s.blocks);
out:
	if (fd >= 0)
		close(fd);
	if (rc)
		fprintf(stderr, "imgsum: %s: %s\n", path, strerror(-rc));
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	bool list = argc > 1 && !strcmp(argv[1], "-e");
	int rc = 0;

	if (argc < 2 + list) {
		fprintf(stderr, "usage: imgsum [-e] FILE...\n");
		return 2;
	}
	for (int i = 1 + list; i < argc; i++)
		rc |= one(argv[i], list);
	return rc;
}
