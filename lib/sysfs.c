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

int bch_sysfs_register(bool nvdimm, const char *devpath)
{
	char path[4096];
	size_t len = strlen(devpath);
	ssize_t n;
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/fs/bcache/%s", bch_sysfs_root(),
		 nvdimm ? "register_nvdimm_meta" : "register");
	/* O_APPEND: no effect on sysfs; a test root's file keeps every write */
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* one write, the path alone (no newline: it would be in the kernel's log) */
	do
		n = write(fd, devpath, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		rc = -errno;
	else if ((size_t)n != len)
		rc = -EIO;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	return rc;
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
