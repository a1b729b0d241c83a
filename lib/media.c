// SPDX-License-Identifier: GPL-2.0
/*
 * Bytes of a namespace: image files through buffered pread/pwrite, block
 * devices through O_DIRECT pread/pwrite (aligned bounce buffer for unaligned
 * requests), device-dax through a libpmem2 mapping (msync does not work on
 * devdax; the persist function flushes CPU caches instead).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/fs.h>

#include <bcache/media.h>
#include <bcache/target.h>

#include "dl.h"

#define ZERO_CHUNK (1u << 20)
#define RMAP_BATCH (32u << 20)	/* mapped bytes read before their pages are let go */
#define BOUNCE_SIZE (1u << 20)	/* O_DIRECT bounce buffer */

#define HUGE_PAGE (2u << 20)

/* The bytes mapped for a buffer of len: big ones in whole huge pages. */
static size_t buf_len(size_t len)
{
	if (len >= BCH_MEDIA_BIG_BUF)
		return (len + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
	return len ? len : 1;
}

/*
 * One freed buffer of a single huge page is kept for the next allocation of
 * one (the scan's read windows, then the view's index): its page is faulted
 * in already.  A fresh huge page costs 0.1-0.3 ms to fault and clear in a
 * virtual machine, and now and then 7-14 ms where the host has to back it
 * again (bench/README-journal.md); the kept one costs a clear of the bytes
 * it was used for.  The views' thread frees concurrently.
 */
static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;
static void *spare;
static size_t spare_used;

void *bch_media_buf_alloc(size_t len)
{
	void *p = NULL;
	size_t used = 0;

	if (len > SIZE_MAX - HUGE_PAGE)
		return NULL;
	if (buf_len(len) == HUGE_PAGE) {
		pthread_mutex_lock(&spare_lock);
		p = spare;
		used = spare_used;
		spare = NULL;
		pthread_mutex_unlock(&spare_lock);
	}
	if (p) {
		memset(p, 0, used);
		return p;
	}
	p = mmap(NULL, buf_len(len), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (len >= BCH_MEDIA_BIG_BUF)
		madvise(p, buf_len(len), MADV_HUGEPAGE);	/* advice only: no error */
	return p;
}

void *bch_media_buf_grow(void *p, size_t len, size_t new_len)
{
	void *q;

	if (new_len > SIZE_MAX - HUGE_PAGE)
		return NULL;
	q = mremap(p, buf_len(len), buf_len(new_len), MREMAP_MAYMOVE);
	if (q == MAP_FAILED)
		return NULL;
	if (new_len >= BCH_MEDIA_BIG_BUF)
		madvise(q, buf_len(new_len), MADV_HUGEPAGE);
	return q;
}

void bch_media_buf_free(void *p, size_t len)
{
	if (p && buf_len(len) == HUGE_PAGE) {
		pthread_mutex_lock(&spare_lock);
		if (!spare) {
			spare = p;
			spare_used = len;
			p = NULL;
		}
		pthread_mutex_unlock(&spare_lock);
	}
	if (p)
		munmap(p, buf_len(len));
}

bool bch_media_two_readers(const struct bch_media *m)
{
	cpu_set_t set;

	if (m->dio_align)
		return false;
	return !sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) > 1;
}

static void mem_persist(const void *addr, size_t len)
{
	(void)addr;
	(void)len;
}

const char *bch_media_kind_name(enum bch_media_kind kind)
{
	switch (kind) {
	case BCH_MEDIA_FILE:
		return "file";
	case BCH_MEDIA_BLOCK:
		return "block";
	case BCH_MEDIA_DAX:
		return "devdax";
	}
	return "?";
}

bool bch_chr_is_dax(dev_t rdev)
{
	char path[96], link[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/subsystem",
		 major(rdev), minor(rdev));
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;
	link[n] = '\0';
	return strstr(link, "/dax") != NULL;
}

#ifdef BCH_HAVE_LIBPMEM2
/*
 * libpmem2 returns -errno for system errors and its own PMEM2_E_* codes
 * (far below -4095) for the rest: those become -EIO.
 */
static int pmem2_rc(int rc)
{
	if (rc >= 0)
		return rc;
	return rc >= -4095 ? rc : -EIO;
}

/*
 * Map the whole device.  libpmem2 takes the size and the alignment from the
 * device's sysfs attributes and aligns the mapping to them (2 MiB by
 * default: a 4 KiB-aligned mmap of a devdax node fails with EINVAL).
 */
static int dax_map(struct bch_media *m)
{
	struct pmem2_config *cfg = NULL;
	size_t size, align;
	int rc;

	rc = bch_dl_need(BCH_OPTLIB_PMEM2);
	if (rc)
		return rc;
	rc = pmem2_rc(bch_dl.pmem2_source_from_fd(&m->psrc, m->fd));
	if (!rc)
		rc = pmem2_rc(bch_dl.pmem2_source_size(m->psrc, &size));
	if (!rc)
		rc = pmem2_rc(bch_dl.pmem2_source_alignment(m->psrc, &align));
	if (rc)
		return rc;
	if (!size || !align || size % align)
		return -EIO;
	m->size = size;
	m->align = align;
	rc = pmem2_rc(bch_dl.pmem2_config_new(&cfg));
	if (rc)
		return rc;
	rc = pmem2_rc(bch_dl.pmem2_config_set_required_store_granularity(cfg,
			PMEM2_GRANULARITY_PAGE));
	if (!rc)
		rc = pmem2_rc(bch_dl.pmem2_config_set_protection(cfg, m->writable ?
				PMEM2_PROT_READ | PMEM2_PROT_WRITE : PMEM2_PROT_READ));
	if (!rc)
		rc = pmem2_rc(bch_dl.pmem2_map_new(&m->pmap, cfg, m->psrc));
	bch_dl.pmem2_config_delete(&cfg);
	if (rc)
		return rc;
	if (bch_dl.pmem2_map_get_size(m->pmap) < size)
		return -EIO;
	m->map = bch_dl.pmem2_map_get_address(m->pmap);
	m->persist = bch_dl.pmem2_get_persist_fn(m->pmap);
	return 0;
}
#else
static int dax_map(struct bch_media *m)
{
	(void)m;
	return bch_dl_need(BCH_OPTLIB_PMEM2);	/* -ENOPKG */
}
#endif

/*
 * O_DIRECT needs offsets, lengths and buffer addresses aligned to the
 * logical block size; the bounce buffer is page aligned.
 */
static int dio_setup(struct bch_media *m)
{
	int lbs = 512;

	if (ioctl(m->fd, BLKSSZGET, &lbs) < 0)
		lbs = 0;
	m->logical_block = lbs >= 512 ? (uint32_t)lbs : 512;
	if (lbs < 512 || lbs > 65536 || (lbs & (lbs - 1)))
		lbs = 4096;
	m->dio_align = (uint32_t)lbs;
	return 0;
}

int bch_media_open(const char *arg, unsigned int flags, struct bch_media **out)
{
	char path[PATH_MAX];
	struct bch_media *m;
	struct stat st;
	int oflags = O_CLOEXEC;
	int rc;

	*out = NULL;
	rc = bch_target_resolve(arg, path, sizeof(path), NULL);
	if (rc)
		return rc;
	if (stat(path, &st) < 0)
		return -errno;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->fd = -1;
	m->logical_block = 512;
	m->path = strdup(path);
	if (!m->path) {
		rc = -ENOMEM;
		goto fail;
	}
	m->writable = flags & BCH_MEDIA_WRITE;
	oflags |= m->writable ? O_RDWR : O_RDONLY;

	if (S_ISREG(st.st_mode)) {
		m->kind = BCH_MEDIA_FILE;
	} else if (S_ISBLK(st.st_mode)) {
		m->kind = BCH_MEDIA_BLOCK;
		if (flags & BCH_MEDIA_EXCL)
			oflags |= O_EXCL;
	} else if (S_ISCHR(st.st_mode) && bch_chr_is_dax(st.st_rdev)) {
		m->kind = BCH_MEDIA_DAX;
	} else {
		rc = -ENOTSUP;
		goto fail;
	}

	m->fd = open(path, oflags | (m->kind == BCH_MEDIA_BLOCK ? O_DIRECT : 0));
	if (m->fd < 0) {
		rc = -errno;
		goto fail;
	}
	switch (m->kind) {
	case BCH_MEDIA_FILE:
		if (fstat(m->fd, &st) < 0) {
			rc = -errno;
			goto fail;
		}
		m->size = (uint64_t)st.st_size;	/* a regular file: st_size >= 0 */
		break;
	case BCH_MEDIA_BLOCK:
		if (ioctl(m->fd, BLKGETSIZE64, &m->size) < 0) {
			rc = -errno;
			goto fail;
		}
		rc = dio_setup(m);
		if (rc)
			goto fail;
		break;
	case BCH_MEDIA_DAX:
		rc = dax_map(m);
		if (rc)
			goto fail;
		break;
	}
	*out = m;
	return 0;
fail:
	bch_media_close(m);
	return rc;
}

int bch_media_open_mem(const char *path, void *buf, uint64_t size, unsigned int flags,
		       struct bch_media **out)
{
	struct bch_media *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m)
		return -ENOMEM;
	m->path = strdup(path);
	if (!m->path) {
		free(m);
		return -ENOMEM;
	}
	m->fd = -1;
	m->kind = BCH_MEDIA_FILE;
	m->mem = true;
	m->writable = flags & BCH_MEDIA_WRITE;
	m->size = size;
	m->map = buf;
	m->persist = mem_persist;
	*out = m;
	return 0;
}

const unsigned char *bch_media_map_ro(struct bch_media *m)
{
	void *p;

	if (m->map)
		return m->map;
	if (m->rmap || m->kind != BCH_MEDIA_FILE || !m->size || m->size > SIZE_MAX)
		return m->rmap;
	p = mmap(NULL, m->size, PROT_READ, MAP_SHARED, m->fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	m->rmap = p;
	m->rmap_lo = m->rmap_hi = 0;
	return m->rmap;
}

static void rmap_release(struct bch_media *m)
{
	uint64_t lo = m->rmap_lo & ~4095ULL, hi = (m->rmap_hi + 4095) & ~4095ULL;

	if (hi > lo)
		madvise((void *)(m->rmap + lo), hi - lo, MADV_DONTNEED);
	m->rmap_lo = m->rmap_hi = 0;
}

void bch_media_map_done(struct bch_media *m, uint64_t off, uint64_t len)
{
	if (!m->rmap || !len)
		return;
	if (m->rmap_hi == m->rmap_lo) {
		m->rmap_lo = off;
		m->rmap_hi = off + len;
	} else {
		m->rmap_lo = off < m->rmap_lo ? off : m->rmap_lo;
		m->rmap_hi = off + len > m->rmap_hi ? off + len : m->rmap_hi;
	}
	if (m->rmap_hi - m->rmap_lo >= RMAP_BATCH)
		rmap_release(m);
}

void bch_media_close(struct bch_media *m)
{
	if (!m)
		return;
	if (m->rmap)
		munmap((void *)m->rmap, m->size);
#ifdef BCH_HAVE_LIBPMEM2
	if (m->pmap)
		bch_dl.pmem2_map_delete(&m->pmap);
	if (m->psrc)
		bch_dl.pmem2_source_delete(&m->psrc);
#endif
	if (m->fd >= 0)
		close(m->fd);
	bch_media_buf_free(m->bounce, BOUNCE_SIZE);
	free(m->data);
	free(m->path);
	free(m);
}

/* The data ranges of an image file, or -1 (not a file, not told, too many). */
static int data_ranges(struct bch_media *m)
{
	uint64_t (*v)[2] = NULL;
	size_t n = 0, cap = 0;
	off_t pos = 0;

	if (m->kind != BCH_MEDIA_FILE || m->mem || m->fd < 0)
		return -1;
	while ((uint64_t)pos < m->size) {
		off_t d = lseek(m->fd, pos, SEEK_DATA), h;

		if (d < 0 && errno == ENXIO)	/* no data past pos */
			break;
		if (d < 0)
			goto unknown;
		h = lseek(m->fd, d, SEEK_HOLE);
		if (h <= d)
			goto unknown;
		if (n == cap) {
			void *p;

			if (cap >= BCH_MEDIA_DATA_MAX)
				goto unknown;
			cap = cap ? 2 * cap : 64;
			p = realloc(v, cap * sizeof(*v));
			if (!p)
				goto unknown;
			v = p;
		}
		v[n][0] = (uint64_t)d;
		v[n][1] = (uint64_t)h;
		n++;
		pos = h;
	}
	m->data = v;
	m->ndata = n;
	return 1;
unknown:
	free(v);
	return -1;
}

bool bch_media_has_data(struct bch_media *m, uint64_t off, uint64_t len)
{
	size_t lo = 0, hi;

	if (!m->data_known)
		m->data_known = data_ranges(m);
	if (m->data_known < 0 || !len)
		return m->data_known < 0;
	/* the first range that ends after off: does it begin before off + len? */
	hi = m->ndata;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->data[mid][1] <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->ndata && m->data[lo][0] < off + len;
}

static void mark_dirty(struct bch_media *m, uint64_t off, uint64_t len)
{
	if (m->dirty_hi == m->dirty_lo) {
		m->dirty_lo = off;
		m->dirty_hi = off + len;
		return;
	}
	if (off < m->dirty_lo)
		m->dirty_lo = off;
	if (off + len > m->dirty_hi)
		m->dirty_hi = off + len;
}

static int check_range(const struct bch_media *m, size_t len, uint64_t off)
{
	if (off > m->size || len > m->size - off)
		return -ERANGE;
	return 0;
}

int bch_fd_io(int fd, void *buf, size_t len, uint64_t off, bool wr)
{
	unsigned char *p = buf;

	while (len) {
		ssize_t n = wr ? pwrite(fd, p, len, (off_t)off) : pread(fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		off += (size_t)n;	/* 0 < n <= len */
		len -= (size_t)n;
	}
	return 0;
}

static bool dio_aligned(const struct bch_media *m, const void *buf, size_t len,
			uint64_t off)
{
	uint64_t a = m->dio_align - 1;

	return !(((uintptr_t)buf | len | off) & a);
}

static int bounce_get(struct bch_media *m)
{
	if (!m->bounce)
		m->bounce = bch_media_buf_alloc(BOUNCE_SIZE);
	return m->bounce ? 0 : -ENOMEM;
}

/*
 * O_DIRECT transfer of [off, off + len) through the bounce buffer, in
 * aligned chunks.  A write reads a chunk first when it covers it only in
 * part (the blocks at the edges), so the bytes around the request are
 * the media's, not a cached copy's.
 */
static int dio_bounce(struct bch_media *m, unsigned char *p, size_t len, uint64_t off,
		      bool wr)
{
	uint64_t a = m->dio_align;
	int rc = bounce_get(m);

	while (!rc && len) {
		uint64_t start = off / a * a;
		uint64_t end = (off + len + a - 1) / a * a;
		uint64_t n = end - start < BOUNCE_SIZE ? end - start : BOUNCE_SIZE;
		size_t skip = off - start;
		size_t take = n - skip < len ? n - skip : len;

		if (!wr || skip || take < n - skip)
			rc = bch_fd_io(m->fd, m->bounce, n, start, false);
		if (rc)
			break;
		if (wr) {
			memcpy(m->bounce + skip, p, take);
			rc = bch_fd_io(m->fd, m->bounce, n, start, true);
		} else {
			memcpy(p, m->bounce + skip, take);
		}
		p += take;
		off += take;
		len -= take;
	}
	return rc;
}

int bch_media_read(struct bch_media *m, void *buf, size_t len, uint64_t off)
{
	int rc = check_range(m, len, off);

	if (rc)
		return rc;
	if (m->map) {
		memcpy(buf, (const unsigned char *)m->map + off, len);
		return 0;
	}
	if (m->dio_align && !dio_aligned(m, buf, len, off))
		return dio_bounce(m, buf, len, off, false);
	return bch_fd_io(m->fd, buf, len, off, false);
}

int bch_media_write(struct bch_media *m, const void *buf, size_t len, uint64_t off)
{
	int rc = check_range(m, len, off);

	if (rc)
		return rc;
	if (!m->writable)
		return -EBADF;
	if (m->map) {
		memcpy((unsigned char *)m->map + off, buf, len);
		mark_dirty(m, off, len);
		return 0;
	}
	if (m->data_known > 0) {	/* a hole may get data: ask the file system again */
		free(m->data);
		m->data = NULL;
		m->ndata = 0;
		m->data_known = 0;
	}
	if (m->dio_align && !dio_aligned(m, buf, len, off))
		return dio_bounce(m, (unsigned char *)buf, len, off, true);
	return bch_fd_io(m->fd, (void *)buf, len, off, true);
}

int bch_media_zero(struct bch_media *m, uint64_t off, uint64_t len)
{
	void *zero;
	int rc = check_range(m, len, off);

	if (rc)
		return rc;
	if (!m->writable)
		return -EBADF;
	if (m->map) {
		memset((unsigned char *)m->map + off, 0, len);
		mark_dirty(m, off, len);
		return 0;
	}
	zero = bch_media_buf_alloc(ZERO_CHUNK);	/* aligned: O_DIRECT as is */
	if (!zero)
		return -ENOMEM;
	while (len && !rc) {
		size_t n = len < ZERO_CHUNK ? len : ZERO_CHUNK;

		rc = bch_media_write(m, zero, n, off);
		off += n;
		len -= n;
	}
	bch_media_buf_free(zero, ZERO_CHUNK);
	return rc;
}

int bch_media_discard(struct bch_media *m)
{
	uint64_t range[2] = { 0, m->size };

	if (!m->writable)
		return -EBADF;
	if (m->kind == BCH_MEDIA_BLOCK)
		return ioctl(m->fd, BLKDISCARD, range) ? -errno : 0;
	if (m->kind == BCH_MEDIA_FILE)
		return fallocate(m->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
				 (off_t)m->size) ? -errno : 0;
	return -EOPNOTSUPP;
}

int bch_media_persist(struct bch_media *m)
{
	if (!m->writable)
		return 0;
	if (m->map) {
		/* msync is EINVAL on devdax: flush CPU caches over the device. */
		if (m->dirty_hi > m->dirty_lo)
			m->persist((unsigned char *)m->map + m->dirty_lo,
				   m->dirty_hi - m->dirty_lo);
		m->dirty_lo = m->dirty_hi = 0;
		return 0;
	}
	if (fsync(m->fd) < 0)
		return -errno;
	return 0;
}

#define DIRECT_ALIGN 4096u

/* Whether [off, off + len) holds expect (a plain read). */
static int check_expected(struct bch_media *m, uint64_t off, size_t len, const void *expect)
{
	void *b = malloc(len ? len : 1);
	int rc = b ? bch_media_read(m, b, len, off) : -ENOMEM;

	if (!rc && memcmp(b, expect, len))
		rc = -ESTALE;
	free(b);
	return rc;
}

/* The aligned read-modify-write of write_direct on an O_DIRECT descriptor. */
static int direct_rmw(int fd, const void *buf, size_t len, uint64_t off, const void *expect)
{
	uint64_t lo = off & ~(uint64_t)(DIRECT_ALIGN - 1);
	uint64_t hi = (off + len + DIRECT_ALIGN - 1) & ~(uint64_t)(DIRECT_ALIGN - 1);
	size_t n = hi - lo;
	unsigned char *b;
	int rc;

	if (posix_memalign((void **)&b, DIRECT_ALIGN, n))
		return -ENOMEM;
	rc = bch_fd_io(fd, b, n, lo, false);
	if (!rc && expect && memcmp(b + (off - lo), expect, len))
		rc = -ESTALE;
	if (!rc) {
		memcpy(b + (off - lo), buf, len);
		rc = bch_fd_io(fd, b, n, lo, true);
	}
	if (!rc && fdatasync(fd) < 0)
		rc = -errno;
	free(b);
	return rc;
}

int bch_media_write_direct(struct bch_media *m, const void *buf, size_t len, uint64_t off,
			   const void *expect)
{
	int rc = check_range(m, len, off), fd;

	if (rc)
		return rc;
	if (!m->writable)
		return -EBADF;
	if (m->map) {
		if (expect && memcmp((const unsigned char *)m->map + off, expect, len))
			return -ESTALE;
		rc = bch_media_write(m, buf, len, off);
		return rc ? rc : bch_media_persist(m);
	}
	if (!len)
		return 0;
	/* whole aligned blocks must exist: else (odd-sized files) a plain write */
	fd = (off + len + DIRECT_ALIGN - 1) / DIRECT_ALIGN * DIRECT_ALIGN <= m->size ?
	     open(m->path, O_RDWR | O_DIRECT | O_CLOEXEC) : (errno = EINVAL, -1);
	if (fd < 0 && errno == EINVAL && m->kind == BCH_MEDIA_FILE) {
		/* or a file system without O_DIRECT (tmpfs before Linux 6.6) */
		rc = expect ? check_expected(m, off, len, expect) : 0;
		if (!rc)
			rc = bch_media_write(m, buf, len, off);
		if (!rc && fdatasync(m->fd) < 0)
			rc = -errno;
		return rc;
	}
	if (fd < 0)
		return -errno;
	rc = direct_rmw(fd, buf, len, off, expect);
	close(fd);
	return rc;
}
