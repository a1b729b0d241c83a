// SPDX-License-Identifier: GPL-2.0
/*
 * pmem namespaces through libndctl/libdaxctl (bcache-nvm-pages(5), DEVICES):
 * their modes, device nodes, sizes, alignments and data offsets; the
 * resolution of namespaceX.Y operands; and the in-use checks that protect a
 * device from being formatted under a filesystem or a driver.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <bcache/media.h>
#include <bcache/target.h>

#include "dl.h"

const char *bch_ns_mode_name(enum bch_ns_mode mode)
{
	switch (mode) {
	case BCH_NS_RAW:
		return "raw";
	case BCH_NS_FSDAX:
		return "fsdax";
	case BCH_NS_DEVDAX:
		return "devdax";
	case BCH_NS_SECTOR:
		return "sector";
	case BCH_NS_UNKNOWN:
		break;
	}
	return "unknown";
}

/* Copy a string, truncating; false when it did not fit. */
static bool copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len) {
		memcpy(dst, src, len - 1);
		dst[len - 1] = '\0';
		return false;
	}
	memcpy(dst, src, n + 1);
	return true;
}

#ifdef BCH_HAVE_LIBNDCTL
/* Read one unsigned number from a sysfs file; 0 when unreadable. */
static uint64_t sysfs_u64(const char *path)
{
	unsigned long long v = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

static void set_blockdev(struct bch_pmem_ns *p, const char *bdev)
{
	char path[128];

	if (!bdev || !*bdev)
		return;
	snprintf(p->dev, sizeof(p->dev), "/dev/%s", bdev);
	snprintf(path, sizeof(path), "/sys/class/block/%s/size", bdev);
	p->size = sysfs_u64(path) * 512;
}

/* Offset of the data area inside the namespace; 0 when not readable. */
static uint64_t data_offset(unsigned long long res, unsigned long long ns_res)
{
	if (res == ULLONG_MAX || ns_res == ULLONG_MAX || res < ns_res)
		return 0;
	return res - ns_res;
}

/* A physical address from libndctl (ULLONG_MAX: unreadable) or 0. */
static uint64_t phys_of(unsigned long long res)
{
	return res == ULLONG_MAX ? 0 : res;
}

static void fill_devdax(struct ndctl_namespace *ndns, struct bch_pmem_ns *p)
{
	struct ndctl_dax *dax = bch_dl.ndctl_namespace_get_dax(ndns);
	struct daxctl_region *region;
	struct daxctl_dev *dev;

	if (!dax)
		return;
	p->data_offset = data_offset(bch_dl.ndctl_dax_get_resource(dax),
				     bch_dl.ndctl_namespace_get_resource(ndns));
	p->phys = phys_of(bch_dl.ndctl_dax_get_resource(dax));
	p->align = bch_dl.ndctl_dax_get_align(dax);
	region = bch_dl.ndctl_dax_get_daxctl_region(dax);
	if (!region)
		return;
	for (dev = bch_dl.daxctl_dev_get_first(region); dev;
	     dev = bch_dl.daxctl_dev_get_next(dev)) {
		if (!bch_dl.daxctl_dev_get_size(dev) || !bch_dl.daxctl_dev_is_enabled(dev))
			continue;
		snprintf(p->dev, sizeof(p->dev), "/dev/%s", bch_dl.daxctl_dev_get_devname(dev));
		p->size = bch_dl.daxctl_dev_get_size(dev);
		if (bch_dl.daxctl_dev_get_align(dev))
			p->align = bch_dl.daxctl_dev_get_align(dev);
		return;
	}
}

static void fill_ns(struct ndctl_namespace *ndns, struct bch_pmem_ns *p)
{
	struct ndctl_pfn *pfn;
	struct ndctl_btt *btt;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", bch_dl.ndctl_namespace_get_devname(ndns));
	snprintf(p->region, sizeof(p->region), "%s",
		 bch_dl.ndctl_region_get_devname(bch_dl.ndctl_namespace_get_region(ndns)));
	p->ns_size = bch_dl.ndctl_namespace_get_size(ndns);
	switch (bch_dl.ndctl_namespace_get_mode(ndns)) {
	case NDCTL_NS_MODE_FSDAX:
		p->mode = BCH_NS_FSDAX;
		pfn = bch_dl.ndctl_namespace_get_pfn(ndns);
		if (!pfn)
			break;
		p->align = bch_dl.ndctl_pfn_get_align(pfn);
		p->data_offset = data_offset(bch_dl.ndctl_pfn_get_resource(pfn),
					     bch_dl.ndctl_namespace_get_resource(ndns));
		/* the pfn device's resource is the data start: pmem's byte 0 */
		p->phys = phys_of(bch_dl.ndctl_pfn_get_resource(pfn));
		p->map_mem = bch_dl.ndctl_pfn_get_location(pfn) == NDCTL_PFN_LOC_RAM;
		set_blockdev(p, bch_dl.ndctl_pfn_get_block_device(pfn));
		break;
	case NDCTL_NS_MODE_DEVDAX:
		p->mode = BCH_NS_DEVDAX;
		fill_devdax(ndns, p);
		break;
	case NDCTL_NS_MODE_SECTOR:
		p->mode = BCH_NS_SECTOR;
		btt = bch_dl.ndctl_namespace_get_btt(ndns);
		if (btt)
			set_blockdev(p, bch_dl.ndctl_btt_get_block_device(btt));
		break;
	case NDCTL_NS_MODE_RAW:
		p->mode = BCH_NS_RAW;
		p->phys = phys_of(bch_dl.ndctl_namespace_get_resource(ndns));
		set_blockdev(p, bch_dl.ndctl_namespace_get_block_device(ndns));
		break;
	default:
		p->mode = BCH_NS_UNKNOWN;
		break;
	}
	p->enabled = p->dev[0] != '\0';
}

static int list_add(struct bch_pmem_list *l, struct ndctl_namespace *ndns)
{
	struct bch_pmem_ns *v;

	if (l->n >= 4096)	/* a sane cap on what sysfs may claim */
		return 0;
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->v = v;
	fill_ns(ndns, &l->v[l->n++]);
	return 0;
}

int bch_pmem_list(struct bch_pmem_list *out)
{
	struct ndctl_ctx *ctx;
	struct ndctl_bus *bus;
	struct ndctl_region *region;
	struct ndctl_namespace *ndns;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = bch_dl_need(BCH_OPTLIB_NDCTL);
	if (!rc)
		rc = bch_dl_need(BCH_OPTLIB_DAXCTL);
	if (rc)
		return rc;
	if (bch_dl.ndctl_new(&ctx))
		return 0;	/* no libnvdimm: no namespaces */
	bch_dl.ndctl_set_log_priority(ctx, 0);	/* the library never prints */
	bch_dl.daxctl_set_log_priority(bch_dl.ndctl_get_daxctl_ctx(ctx), 0);
	for (bus = bch_dl.ndctl_bus_get_first(ctx); bus && !rc;
	     bus = bch_dl.ndctl_bus_get_next(bus))
		for (region = bch_dl.ndctl_region_get_first(bus); region && !rc;
		     region = bch_dl.ndctl_region_get_next(region))
			for (ndns = bch_dl.ndctl_namespace_get_first(region); ndns && !rc;
			     ndns = bch_dl.ndctl_namespace_get_next(ndns))
				/* size 0: a seed, not a namespace yet */
				if (bch_dl.ndctl_namespace_get_size(ndns))
					rc = list_add(out, ndns);
	bch_dl.ndctl_unref(ctx);
	if (rc)
		bch_pmem_list_free(out);
	return rc;
}
#else
int bch_pmem_list(struct bch_pmem_list *out)
{
	memset(out, 0, sizeof(*out));
	return bch_dl_need(BCH_OPTLIB_NDCTL);	/* -ENOPKG */
}
#endif

void bch_pmem_list_free(struct bch_pmem_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int bch_pmem_find_dev(const char *path, struct bch_pmem_ns *out)
{
	struct bch_pmem_list l;
	struct stat st, dst;
	int rc;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISBLK(st.st_mode) && !S_ISCHR(st.st_mode))
		return -ENOENT;
	rc = bch_pmem_list(&l);
	if (rc)
		return rc;
	rc = -ENOENT;
	for (size_t i = 0; i < l.n && rc; i++)
		if (l.v[i].dev[0] && !stat(l.v[i].dev, &dst) &&
		    (dst.st_mode & S_IFMT) == (st.st_mode & S_IFMT) &&
		    dst.st_rdev == st.st_rdev) {
			*out = l.v[i];
			rc = 0;
		}
	bch_pmem_list_free(&l);
	return rc;
}

bool bch_target_is_ns_name(const char *arg)
{
	unsigned int a, b;
	int n = 0;

	return sscanf(arg, "namespace%u.%u%n", &a, &b, &n) == 2 && arg[n] == '\0';
}

/* The nd device a block device sits on ("btt0.1", "pfn0.0", "namespace0.0"). */
static int block_parent(const struct stat *st, char *name, size_t len)
{
	char path[96], link[PATH_MAX];
	ssize_t n;
	const char *base;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/device",
		 major(st->st_rdev), minor(st->st_rdev));
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	base = strrchr(link, '/');
	return copy_str(name, len, base ? base + 1 : link) ? 0 : -ENAMETOOLONG;
}

bool bch_target_is_btt(const char *path)
{
	struct stat st;
	char parent[64];

	if (stat(path, &st) || !S_ISBLK(st.st_mode))
		return false;
	return !block_parent(&st, parent, sizeof(parent)) && !strncmp(parent, "btt", 3);
}

int bch_target_resolve(const char *arg, char *path, size_t len, struct bch_pmem_ns *ns)
{
	struct bch_pmem_list l;
	int rc = -ENOENT;

	if (!bch_target_is_ns_name(arg)) {
		if (strlen(arg) >= len)
			return -ENAMETOOLONG;
		strcpy(path, arg);
		return bch_target_is_btt(arg) ? -EMEDIUMTYPE : 0;
	}
	rc = bch_pmem_list(&l);
	if (rc)
		return rc;
	rc = -ENOENT;
	for (size_t i = 0; i < l.n; i++) {
		const struct bch_pmem_ns *p = &l.v[i];

		if (strcmp(p->name, arg))
			continue;
		if (ns)
			*ns = *p;
		if (p->mode == BCH_NS_SECTOR)
			rc = -EMEDIUMTYPE;
		else if (!p->enabled)
			rc = -ENODEV;
		else if (strlen(p->dev) >= len)
			rc = -ENAMETOOLONG;
		else {
			strcpy(path, p->dev);
			rc = 0;
		}
		break;
	}
	bch_pmem_list_free(&l);
	return rc;
}

/* The mount point of device dev from /proc/self/mountinfo, if mounted. */
static bool find_mount(dev_t dev, char *mnt, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned int ma, mi;
		char where[2048];

		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ..." */
		if (sscanf(line, "%*u %*u %u:%u %*s %2047s", &ma, &mi, where) != 3)
			continue;
		if (ma == major(dev) && mi == minor(dev)) {
			copy_str(mnt, len, where);
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* The first entry of /sys/dev/block/MAJ:MIN/holders, if any. */
static bool find_holder(dev_t dev, char *name, size_t len)
{
	char path[96];
	struct dirent *e;
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/holders", major(dev), minor(dev));
	d = opendir(path);
	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		copy_str(name, len, e->d_name);
		found = true;
	}
	closedir(d);
	return found;
}

/* Whether process pid has an open file descriptor on character device rdev. */
static bool pid_has_fd(int pid, dev_t rdev)
{
	char dir[64], fd[96];
	struct dirent *e;
	struct stat st;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	d = opendir(dir);	/* other users' processes: EACCES, skipped */
	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(fd, sizeof(fd), "%s/%d", dir, atoi(e->d_name));
		found = stat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == rdev;
	}
	closedir(d);
	return found;
}

/* Whether process pid maps the inode (dev, ino), from /proc/PID/maps. */
static bool pid_maps(int pid, dev_t dev, ino_t ino)
{
	char path[64], line[4096];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned int ma, mi;
		unsigned long long i;

		/* "START-END PERMS OFFSET MAJ:MIN INODE PATH" (MAJ:MIN in hex) */
		if (sscanf(line, "%*s %*s %*s %x:%x %llu", &ma, &mi, &i) == 3)
			found = ma == major(dev) && mi == minor(dev) && i == ino;
	}
	fclose(f);
	return found;
}

/*
 * Another process that has the character device st open or mapped (a
 * devdax node cannot be opened exclusively): its pid and name.
 */
static bool find_user(const struct stat *st, int *pid, char *comm, size_t len)
{
	char path[64];
	struct dirent *e;
	bool found = false;
	DIR *d = opendir("/proc");
	FILE *f;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		int p = atoi(e->d_name);

		if (p <= 0 || p == (int)getpid())
			continue;
		found = pid_has_fd(p, st->st_rdev) || pid_maps(p, st->st_dev, st->st_ino);
		if (!found)
			continue;
		*pid = p;
		snprintf(path, sizeof(path), "/proc/%d/comm", p);
		comm[0] = '\0';
		f = fopen(path, "re");
		if (f && fgets(comm, (int)len, f))
			comm[strcspn(comm, "\n")] = '\0';
		if (f)
			fclose(f);
	}
	closedir(d);
	return found;
}

int bch_target_in_use(const char *path, struct bch_target_use *u)
{
	char sys[96];
	struct stat st;

	memset(u, 0, sizeof(*u));
	if (stat(path, &st) < 0)
		return -errno;
	/* another process's mapping matters on a devdax node, not on /dev/null */
	if (S_ISCHR(st.st_mode) && bch_chr_is_dax(st.st_rdev))
		u->opened = find_user(&st, &u->pid, u->comm, sizeof(u->comm));
	if (!S_ISBLK(st.st_mode))
		return 0;
	u->mounted = find_mount(st.st_rdev, u->mountpoint, sizeof(u->mountpoint));
	u->held = find_holder(st.st_rdev, u->holder, sizeof(u->holder));
	/* bcache adds a "bcache" directory to every device it registered */
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/bcache",
		 major(st.st_rdev), minor(st.st_rdev));
	u->bcache = access(sys, F_OK) == 0;
	return 0;
}
