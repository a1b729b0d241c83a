/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's bcache interface in sysfs (/sys/fs/bcache/register,
 * register_nvdimm_meta, /sys/dev/block/MAJ:MIN/bcache) and the kernel log
 * (/dev/kmsg), for `bcache register` and the commands that must know
 * whether the kernel uses a device.
 *
 * Test-only: in builds configured with -Dtest_hooks=true the environment
 * variable BCACHE_TEST_SYSFS_ROOT replaces "/sys" (a directory that a test
 * fills with the files it wants the tool to see and write); the kernel log
 * is then not read.
 */
#ifndef BCACHE_SYSFS_H
#define BCACHE_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* "/sys", or the test root. */
const char *bch_sysfs_root(void);
/* Whether a test root is in use. */
bool bch_sysfs_is_test_root(void);

struct bch_sysfs_bcache {
	bool module;		/* /sys/fs/bcache exists: the module is loaded */
	bool reg;		/* .../register */
	bool reg_nvdimm;	/* .../register_nvdimm_meta: NVDIMM support (v7) */
};

void bch_sysfs_bcache_probe(struct bch_sysfs_bcache *out);

/* Whether bcache holds the block device (its sysfs "bcache" directory). */
bool bch_sysfs_bcache_holds(dev_t rdev);

/*
 * Write a device path to /sys/fs/bcache/register (nvdimm false) or
 * register_nvdimm_meta (true).  Returns 0 or the kernel's answer as a
 * negative errno (-ENOENT: no such attribute).
 */
int bch_sysfs_register(bool nvdimm, const char *devpath);

/*
 * A block device's bcache attributes: <root>/dev/block/MAJ:MIN/bcache/ATTR
 * (the directory the kernel makes for a registered cache or backing device;
 * partitions included).
 */
void bch_sysfs_dev_path(dev_t rdev, const char *attr, char *buf, size_t len);
/*
 * The first line of an attribute without its newline, in buf.  Returns 0,
 * -ENOENT (not registered, or no such attribute) or another -errno.
 */
int bch_sysfs_dev_read(dev_t rdev, const char *attr, char *buf, size_t len);
/*
 * The last component of where an attribute link points ("bcache0" for
 * "dev", the set uuid for "cache" and "set"), in buf.  0, -ENOENT or -errno.
 */
int bch_sysfs_dev_link(dev_t rdev, const char *attr, char *buf, size_t len);
/* Write val (one write, no newline) to an attribute; 0 or the kernel's -errno. */
int bch_sysfs_dev_write(dev_t rdev, const char *attr, const char *val);

/* Whether the cache set's directory <root>/fs/bcache/UUID exists (it runs). */
bool bch_sysfs_set_exists(const char *uuid);
/* Write val to <root>/fs/bcache/UUID/ATTR; 0 or -errno. */
int bch_sysfs_set_write(const char *uuid, const char *attr, const char *val);

/*
 * New kernel log lines: open at the end of the log, then read the lines
 * logged since.  Reading needs root (or dmesg_restrict 0); when it is not
 * possible (or with a test root) there are no lines.
 */
struct bch_kmsg {
	int fd;
};

void bch_kmsg_open(struct bch_kmsg *k);
/*
 * The next new line's text (without the record prefix), NUL-terminated in
 * buf: returns its length, 0 when there is none, or a negative errno.
 */
int bch_kmsg_next(struct bch_kmsg *k, char *buf, size_t len);
void bch_kmsg_close(struct bch_kmsg *k);

#endif
