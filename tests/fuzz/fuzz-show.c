// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-show: what `bcache show` reads of a device and of sysfs.  The input
 * is a sysfs state and a device:
 *
 *   byte 0       flags (SF_*): which of the device's sysfs files exist
 *   5 fields     one length byte and that many bytes each: the contents of
 *                bcache/state and bcache/running, the targets of the links
 *                bcache/dev, bcache/cache and bcache/set
 *   the rest     the device from byte 4096 (at most 1 MiB)
 *
 * The device is read as the list of `show` reads each device
 * (bch_sys_dev_read, bch_dev_identify: the nvm-pages superblock, else the cache or backing
 * one), as block device 7:0 whose sysfs directory is made for the input
 * under a test root (BCACHE_TEST_SYSFS_ROOT: builds with -Dtest_hooks=true;
 * without, the sysfs part is left out), and as an image file (no sysfs).
 * The list is rendered as `show`, `show -m` and `show --json` print it
 * (bch_show_devices), checked as fuzz-render checks output.  The same bytes
 * as a file go through bch_probe_signatures (the project's own magics and
 * libblkid's probes), what `make` reads before it overwrites a device.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <bcache/cache-sb.h>
#include <bcache/devices.h>
#include <bcache/fields.h>
#include <bcache/media.h>
#include <bcache/probe.h>
#include <bcache/sysfs.h>

#include "cmd.h"
#include "output.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

enum {
	SF_REGISTERED = 1 << 0,	/* dev/block/7:0/bcache exists */
	SF_STATE = 1 << 1,	/* bcache/state */
	SF_RUNNING = 1 << 2,	/* bcache/running */
	SF_LINKS = 1 << 3,	/* the links (those with a target) */
	SF_SET_DIR = 1 << 4,	/* fs/bcache/<last component of the set link> */
	SF_SB_SET_DIR = 1 << 5,	/* fs/bcache/<the superblock's set_uuid> */
	SF_PROBE = 1 << 6,	/* bch_probe_signatures too (libblkid: slower) */
};

#define NFIELDS 5
#define DEV_MAX (1u << 20)

static const char *const field_names[NFIELDS] = { "state", "running", "dev", "cache", "set" };

static char root[PATH_MAX], bdir[PATH_MAX + 32], setdir[2][PATH_MAX + 64];
static bool have_root;
static int dfd = -1;
static const dev_t rdev = 0x700;	/* makedev(7, 0) */

static void cleanup(void)
{
	char p[PATH_MAX + 64];

	for (int i = 0; i < NFIELDS; i++) {
		snprintf(p, sizeof(p), "%s/%s", bdir, field_names[i]);
		(void)unlink(p);
	}
	(void)rmdir(bdir);
	for (int i = 0; i < 2; i++)
		if (setdir[i][0]) {
			(void)rmdir(setdir[i]);
			setdir[i][0] = '\0';
		}
}

static void at_exit(void)
{
	char p[PATH_MAX + 32];

	cleanup();
	snprintf(p, sizeof(p), "%s/dev/block/7:0", root);
	(void)rmdir(p);
	snprintf(p, sizeof(p), "%s/dev/block", root);
	(void)rmdir(p);
	snprintf(p, sizeof(p), "%s/dev", root);
	(void)rmdir(p);
	snprintf(p, sizeof(p), "%s/fs/bcache", root);
	(void)rmdir(p);
	snprintf(p, sizeof(p), "%s/fs", root);
	(void)rmdir(p);
	(void)rmdir(root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	static const char *const dirs[] = { "dev", "dev/block", "dev/block/7:0", "fs",
					    "fs/bcache" };
	char p[PATH_MAX + 32];

	(void)argc;
	(void)argv;
	dfd = memfd_create("dev", MFD_CLOEXEC);
	snprintf(root, sizeof(root), "%s/bcache-fuzz-sysfs.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		return 0;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		if (mkdir(p, 0755))
			return 0;
	}
	snprintf(bdir, sizeof(bdir), "%s/dev/block/%u:%u/bcache", root, major(rdev),
		 minor(rdev));
	atexit(at_exit);
	setenv("BCACHE_TEST_SYSFS_ROOT", root, 1);
	/* a build without test hooks reads /sys: leave sysfs out then */
	have_root = bch_sysfs_is_test_root();
	return 0;
}

/* A file name (one component) from a field, or "" when it is none. */
static void component(const char *s, char *out, size_t len)
{
	const char *b = strrchr(s, '/');

	b = b ? b + 1 : s;
	if (!*b || !strcmp(b, ".") || !strcmp(b, "..") || strlen(b) >= len)
		b = "";
	strcpy(out, b);
}

static void make_tree(unsigned int flags, char f[NFIELDS][256], const char *sb_set)
{
	char p[PATH_MAX + 64], name[256];

	if (!(flags & SF_REGISTERED) || mkdir(bdir, 0755))
		return;
	for (int i = 0; i < 2; i++) {
		int fd;

		if (!(flags & (i ? SF_RUNNING : SF_STATE)))
			continue;
		snprintf(p, sizeof(p), "%s/%s", bdir, field_names[i]);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			continue;
		if (write(fd, f[i], strlen(f[i])) < 0)
			(void)0;
		close(fd);
	}
	for (int i = 2; i < NFIELDS && (flags & SF_LINKS); i++) {
		snprintf(p, sizeof(p), "%s/%s", bdir, field_names[i]);
		if (f[i][0])
			(void)symlink(f[i], p);
	}
	component(f[4], name, sizeof(name));
	if ((flags & SF_SET_DIR) && *name) {
		snprintf(setdir[0], sizeof(setdir[0]), "%s/fs/bcache/%s", root, name);
		if (mkdir(setdir[0], 0755))
			setdir[0][0] = '\0';
	}
	if ((flags & SF_SB_SET_DIR) && *sb_set) {
		snprintf(setdir[1], sizeof(setdir[1]), "%s/fs/bcache/%s", root, sb_set);
		if (mkdir(setdir[1], 0755))
			setdir[1][0] = '\0';
	}
}

static void render(const struct bch_sys_dev *v, size_t n, bool json, bool more)
{
	struct out o;

	fz_capture_begin();
	out_init(&o, json);
	(void)bch_show_devices(&o, v, n, more);
	(void)out_finish(&o);
	fz_capture_end(json ? "show --json" : more ? "show -m" : "show", json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char f[NFIELDS][256], sb_set[37] = "", path[64];
	struct bch_sys_dev v[3];
	struct bch_cache_sb_info ci;
	struct bch_signatures sigs;
	struct bch_media *m;
	unsigned int flags;
	size_t n = 0, len;
	unsigned char *dev;
	uint64_t devsize;

	if (size < 1 || dfd < 0)
		return 0;
	flags = data[0];
	data++;
	size--;
	for (int i = 0; i < NFIELDS; i++) {
		size_t l = size ? data[0] : 0;

		if (size)
			data++, size--;
		if (l > size)
			l = size;
		memcpy(f[i], data, l);
		f[i][l] = '\0';		/* a NUL inside ends it, as in a file name */
		data += l;
		size -= l;
	}
	len = size < DEV_MAX ? size : DEV_MAX;
	devsize = 4096 + len < 8192 ? 8192 : 4096 + len;
	dev = calloc(1, devsize);
	if (!dev)
		return 0;
	memcpy(dev + 4096, data, len);

	if (!bch_media_open_mem("/dev/fuzz", dev, devsize, 0, &m)) {
		if (!bch_cache_sb_read(m, &ci))
			bch_uuid_format(ci.sb.set_uuid, sb_set);
		if (have_root) {
			make_tree(flags, f, sb_set);
			if (!bch_sys_dev_read(m, rdev, &v[n]))
				n++;
			cleanup();
		}
		if (!bch_sys_dev_read(m, 0, &v[n]))
			n++;
		bch_media_close(m);
	}
	/* a cache device of the set the first is attached to: its row names it */
	if (n && v[0].kind == BCH_REG_BACKING) {
		v[n] = v[0];
		v[n].kind = BCH_REG_CACHE;
		snprintf(v[n].set_uuid, sizeof(v[n].set_uuid), "%s", v[0].attached);
		n++;
	}
	render(v, n, false, false);
	render(v, n, false, true);
	render(v, n, true, false);

	/* the same bytes as a file: the signature probe of make */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", dfd);
	if ((flags & SF_PROBE) && !ftruncate(dfd, 0) && !ftruncate(dfd, (off_t)devsize) &&
	    pwrite(dfd, dev, devsize, 0) == (ssize_t)devsize && !bch_media_open(path, 0, &m)) {
		(void)bch_probe_signatures(m, &sigs);
		bch_media_close(m);
	}
	free(dev);
	return 0;
}
