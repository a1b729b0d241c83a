// SPDX-License-Identifier: GPL-2.0
/*
 * Signatures on a device before it is overwritten: every superblock and
 * partition table libblkid knows (as wipefs sees them), plus the magics of
 * this format family that libblkid does not know.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/fs.h>

#include <blkid.h>

#include <linux/bcache.h>
#include <bcache/media.h>
#include <bcache/nvm.h>
#include <bcache/probe.h>

static void add_sig(struct bch_signatures *out, const char *type, const char *usage,
		    const char *source, uint64_t offset, size_t length)
{
	struct bch_signature *s;

	for (size_t i = 0; i < out->n; i++)	/* blkid and own checks may agree */
		if (out->v[i].offset == offset && !strcmp(out->v[i].type, type))
			return;
	if (out->n >= sizeof(out->v) / sizeof(out->v[0])) {
		out->dropped++;
		return;
	}
	s = &out->v[out->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->type, sizeof(s->type), "%s", type);
	snprintf(s->usage, sizeof(s->usage), "%s", usage);
	snprintf(s->source, sizeof(s->source), "%s", source);
	s->offset = offset;
	s->length = length;
}

static int probe_blkid(int fd, uint64_t size, struct bch_signatures *out)
{
	blkid_probe pr = blkid_new_probe();
	int rc = 0;

	if (!pr)
		return -ENOMEM;
	if (size > INT64_MAX || blkid_probe_set_device(pr, fd, 0, (blkid_loff_t)size)) {
		rc = -EIO;
		goto out;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE |
					  BLKID_SUBLKS_MAGIC | BLKID_SUBLKS_BADCSUM);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC | BLKID_PARTS_FORCE_GPT);

	/*
	 * Like wipefs: every signature, not only the best match.  Each one
	 * found is hidden and the chain probed again, which also finds what a
	 * first match shadows (a backup GPT header, a protective MBR).
	 */
	for (int iter = 0; iter < 64 && blkid_do_probe(pr) == 0; iter++) {
		const char *type = NULL, *usage = "other", *off = NULL, *len = NULL;
		size_t l = 0;

		if (!blkid_probe_lookup_value(pr, "TYPE", &type, &l)) {
			blkid_probe_lookup_value(pr, "USAGE", &usage, &l);
			blkid_probe_lookup_value(pr, "SBMAGIC_OFFSET", &off, &l);
			blkid_probe_lookup_value(pr, "SBMAGIC", &len, &l);
			add_sig(out, type, usage, "blkid", off ? strtoull(off, NULL, 10) : 0,
				len ? (uint32_t)l : 0);
		} else if (!blkid_probe_lookup_value(pr, "PTTYPE", &type, &l)) {
			blkid_probe_lookup_value(pr, "PTMAGIC_OFFSET", &off, &l);
			blkid_probe_lookup_value(pr, "PTMAGIC", &len, &l);
			add_sig(out, type, "partition", "blkid",
				off ? strtoull(off, NULL, 10) : 0, len ? (uint32_t)l : 0);
		}
		if (off && len && l &&
		    !blkid_probe_hide_range(pr, strtoull(off, NULL, 10), l))
			blkid_probe_step_back(pr);
	}
out:
	blkid_free_probe(pr);
	return rc;
}

static const struct {
	const char *sig;
	const char *type;
} info_blocks[] = {
	{ "NVDIMM_PFN_INFO", "nvdimm-pfn-info" },
	{ "NVDIMM_DAX_INFO", "nvdimm-dax-info" },
	{ "BTT_ARENA_INFO", "btt-arena-info" },
};

const char *bch_probe_info_block(const void *page, size_t len)
{
	for (size_t i = 0; i < sizeof(info_blocks) / sizeof(info_blocks[0]); i++) {
		size_t n = strlen(info_blocks[i].sig) + 1;

		if (len >= n && !memcmp(page, info_blocks[i].sig, n))
			return info_blocks[i].sig;
	}
	return NULL;
}

static void probe_own(const unsigned char *page, struct bch_signatures *out)
{
	static const uint8_t bcache_magic[16] = BCACHE_SB_MAGIC_BYTES;
	struct bch_nvm_sb_info info;
	const size_t nvm_magic = offsetof(struct bch_nvm_pages_sb, magic);
	const size_t cache_magic = offsetof(struct cache_sb_disk, magic);

	bch_nvm_sb_parse(page, &info);
	if (info.revision == BCH_NVM_REV_V12)
		add_sig(out, "nvm-pages-nvmpg", "other", "bcache", SB_OFFSET + nvm_magic, 16);
	else if (info.revision != BCH_NVM_REV_NONE)
		add_sig(out, "nvm-pages", "other", "bcache", SB_OFFSET + nvm_magic, 16);
	if (!memcmp(page + cache_magic, bcache_magic, 16))
		add_sig(out, "bcache", "other", "bcache", SB_OFFSET + cache_magic, 16);
	for (size_t i = 0; i < sizeof(info_blocks) / sizeof(info_blocks[0]); i++)
		if (bch_probe_info_block(page, 4096) == info_blocks[i].sig)
			add_sig(out, info_blocks[i].type, "other", "bcache", SB_OFFSET,
				strlen(info_blocks[i].sig));
}

/* Copy [off, off + len) of the device into the same place of fd. */
static int shadow_copy(struct bch_media *m, int fd, unsigned char *buf, uint64_t off,
		       uint64_t len)
{
	int rc = bch_media_read(m, buf, len, off);

	if (rc)
		return rc;
	return bch_fd_io(fd, buf, len, off, true);
}

/*
 * libblkid reads through read(), which a devdax node does not support: give
 * it a sparse file of the device's size holding copies of the first and the
 * last SHADOW_SPAN bytes, where every signature it knows lives.
 */
#define SHADOW_SPAN (1ULL << 20)
static int dax_shadow(struct bch_media *m)
{
	uint64_t span = m->size < SHADOW_SPAN ? m->size : SHADOW_SPAN;
	unsigned char *buf = malloc(span);
	int fd = memfd_create("bcache-probe", MFD_CLOEXEC);
	int rc = buf && fd >= 0 ? 0 : -ENOMEM;

	if (!rc && (m->size > INT64_MAX || ftruncate(fd, (off_t)m->size) < 0))
		rc = -errno;
	if (!rc)
		rc = shadow_copy(m, fd, buf, 0, span);
	if (!rc)
		rc = shadow_copy(m, fd, buf, m->size - span, span);
	free(buf);
	if (rc && fd >= 0)
		close(fd);
	return rc ? rc : fd;
}

/*
 * libblkid reads with plain read() into buffers of its own, which O_DIRECT
 * refuses: give it a second, buffered descriptor of the block device, after
 * dropping the device's page cache (a kernel may have written the device
 * behind it), so its reads come from the media too.  BLKFLSBUF needs
 * CAP_SYS_ADMIN; POSIX_FADV_DONTNEED drops the clean pages without it.
 */
static int block_fresh_fd(struct bch_media *m)
{
	int fd = open(m->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	(void)ioctl(fd, BLKFLSBUF, 0);
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	return fd;
}

int bch_probe_signatures(struct bch_media *m, struct bch_signatures *out)
{
	unsigned char page[4096];
	int fd, rc = 0;

	memset(out, 0, sizeof(*out));
	if (m->size >= 2 * 4096) {
		rc = bch_media_read(m, page, sizeof(page), 4096);
		if (rc)
			return rc;
		probe_own(page, out);
	}
	if (m->kind == BCH_MEDIA_FILE)
		return probe_blkid(m->fd, m->size, out);
	fd = m->kind == BCH_MEDIA_BLOCK ? block_fresh_fd(m) : dax_shadow(m);
	if (fd < 0)
		return fd;
	rc = probe_blkid(fd, m->size, out);
	close(fd);
	return rc;
}

int bch_probe_wipe_all(struct bch_media *m, int rounds)
{
	struct bch_signatures sigs;
	int wiped = 0;

	for (int r = 0; r < rounds; r++) {
		int rc = bch_probe_signatures(m, &sigs);

		if (rc)
			return rc;
		if (!sigs.n)
			return wiped;
		for (size_t i = 0; i < sigs.n; i++) {
			/* unknown length: erase the first byte, enough to break it */
			size_t len = sigs.v[i].length ? sigs.v[i].length : 1;

			rc = bch_media_zero(m, sigs.v[i].offset, len);
			if (rc)
				return rc;
			wiped++;
		}
		rc = bch_media_persist(m);
		if (rc)
			return rc;
	}
	return -EAGAIN;
}

void bch_devlist_free(struct bch_devlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int bch_probe_bcache_devices(struct bch_devlist *out)
{
	blkid_cache cache;
	blkid_dev_iterate it;
	blkid_dev dev;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	/* "/dev/null": no cache file read or written, every device probed now */
	if (blkid_get_cache(&cache, "/dev/null"))
		return -ENOMEM;
	blkid_probe_all(cache);
	it = blkid_dev_iterate_begin(cache);
	if (!it) {
		blkid_put_cache(cache);
		return -ENOMEM;
	}
	blkid_dev_set_search(it, "TYPE", "bcache");
	while (!rc && out->n < 4096 && !blkid_dev_next(it, &dev)) {
		char **v = realloc(out->v, (out->n + 1) * sizeof(*v));

		if (!v) {
			rc = -ENOMEM;
			break;
		}
		out->v = v;
		out->v[out->n] = strdup(blkid_dev_devname(dev));
		if (!out->v[out->n])
			rc = -ENOMEM;
		else
			out->n++;
	}
	blkid_dev_iterate_end(it);
	blkid_put_cache(cache);
	if (rc)
		bch_devlist_free(out);
	return rc;
}
