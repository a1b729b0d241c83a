// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's bcache files in sysfs and the kernel log (include/bcache/sysfs.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <bcache/sysfs.h>

#define SYSFS "/sys"

const char *bch_sysfs_root(void)
{
#ifdef BCH_TEST_HOOKS
	const char *r = getenv("BCACHE_TEST_SYSFS_ROOT");

	if (r && *r)
		return r;
#endif
	return SYSFS;
}

bool bch_sysfs_is_test_root(void)
{
	return strcmp(bch_sysfs_root(), SYSFS) != 0;
}

static bool exists(const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", bch_sysfs_root(), rel);
	return access(path, F_OK) == 0;
}

void bch_sysfs_bcache_probe(struct bch_sysfs_bcache *out)
{
	out->module = exists("fs/bcache");
	out->reg = exists("fs/bcache/register");
	out->reg_nvdimm = exists("fs/bcache/register_nvdimm_meta");
}

bool bch_sysfs_bcache_holds(dev_t rdev)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "dev/block/%u:%u/bcache", major(rdev), minor(rdev));
	return exists(rel);
}

/*
 * One write of val to path.  O_APPEND has no effect on sysfs; a test root's
 * plain file keeps every write (register) or, with O_TRUNC, the last one.
 */
static int write_attr(const char *path, const char *val, int flags)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	do
		n = write(fd, val, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		rc = -errno;
	else if ((size_t)n != len)
		rc = -EIO;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	return rc;
}

int bch_sysfs_register(bool nvdimm, const char *devpath)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/fs/bcache/%s", bch_sysfs_root(),
		 nvdimm ? "register_nvdimm_meta" : "register");
	/* the path alone (a newline would be in the kernel's log) */
	return write_attr(path, devpath, O_APPEND);
}

void bch_sysfs_dev_path(dev_t rdev, const char *attr, char *buf, size_t len)
{
	snprintf(buf, len, "%s/dev/block/%u:%u/bcache/%s", bch_sysfs_root(), major(rdev),
		 minor(rdev), attr);
}

int bch_sysfs_dev_read(dev_t rdev, const char *attr, char *buf, size_t len)
{
	char path[4096];
	ssize_t n;
	int fd;

	if (!len)
		return -EINVAL;
	bch_sysfs_dev_path(rdev, attr, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, len - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int bch_sysfs_dev_link(dev_t rdev, const char *attr, char *buf, size_t len)
{
	char path[4096], target[4096];
	const char *base;
	ssize_t n;

	bch_sysfs_dev_path(rdev, attr, path, sizeof(path));
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	while (n > 1 && target[n - 1] == '/')
		target[--n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

int bch_sysfs_dev_write(dev_t rdev, const char *attr, const char *val)
{
	char path[4096];

	bch_sysfs_dev_path(rdev, attr, path, sizeof(path));
	return write_attr(path, val, O_TRUNC);
}

bool bch_sysfs_set_exists(const char *uuid)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "fs/bcache/%s", uuid);
	return *uuid && exists(rel);
}

int bch_sysfs_set_write(const char *uuid, const char *attr, const char *val)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/fs/bcache/%s/%s", bch_sysfs_root(), uuid, attr);
	return write_attr(path, val, O_TRUNC);
}

void bch_kmsg_open(struct bch_kmsg *k)
{
	k->fd = -1;
	if (bch_sysfs_is_test_root())
		return;
	k->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd >= 0 && lseek(k->fd, 0, SEEK_END) < 0) {
		close(k->fd);
		k->fd = -1;
	}
}

int bch_kmsg_next(struct bch_kmsg *k, char *buf, size_t len)
{
	char rec[8192];
	const char *text;
	ssize_t n;
	size_t t;

	if (k->fd < 0 || len == 0)
		return 0;
	for (;;) {
		n = read(k->fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on with the next */
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		break;
	}
	rec[n] = '\0';
	/* "PRIO,SEQ,USEC,FLAGS[,...];TEXT\n" then " KEY=VALUE" lines */
	text = strchr(rec, ';');
	text = text ? text + 1 : rec;
	t = strcspn(text, "\n");
	if (t >= len)
		t = len - 1;
	memcpy(buf, text, t);
	buf[t] = '\0';
	return (int)t ? (int)t : 1;
}

void bch_kmsg_close(struct bch_kmsg *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}
