/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bcache devices of the system and what the kernel makes of them: every
 * block device with a bcache superblock (libblkid), every pmem namespace
 * with an nvm-pages superblock (libndctl), and their state in sysfs
 * (registered, running, attached to which cache set, which bcacheN).
 */
#ifndef BCACHE_DEVICES_H
#define BCACHE_DEVICES_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/bcache.h>
#include <bcache/register.h>

struct bch_sys_dev {
	char path[PATH_MAX];		/* the device node */
	dev_t rdev;			/* 0 for an image file */
	enum bch_reg_kind kind;		/* NAMESPACE, CACHE or BACKING */
	uint64_t version;		/* superblock version */
	bool csum_ok;
	char uuid[37], set_uuid[37];
	char label[4 * SB_LABEL_SIZE + 1];	/* cache and backing devices, as text
						   (bch_label_format) */
	char ns[32];			/* namespaceX.Y of a pmem device, or "" */
	/*
	 * Cache: "active" (bcache holds it and its set runs) or "inactive".
	 * Backing: the kernel's state ("no cache", "clean", "dirty",
	 * "inconsistent") or "inactive".  Namespace: "unknown" (the kernel
	 * publishes none).
	 */
	char state[32];
	bool registered;		/* bcache holds it (sysfs bcache/) */
	bool running;			/* backing: bcacheN runs */
	char bname[32];			/* backing: "bcache0", or "" */
	char attached[37];		/* cache set it is attached to (sysfs), or "" */
};

/*
 * Read one device's superblock (a path or a namespace name) and its sysfs
 * state.  Returns 0, -ENODATA when it has no bcache or nvm-pages superblock,
 * or -errno from opening or reading it.
 */
int bch_sys_dev_get(const char *arg, struct bch_sys_dev *out);

struct bch_media;
/*
 * The same from an open media: its superblock and, when rdev is not 0, the
 * sysfs state of the block device rdev (out->path is m->path; out->ns is
 * left empty).  Returns 0, -ENODATA or -errno from reading.
 */
int bch_sys_dev_read(struct bch_media *m, dev_t rdev, struct bch_sys_dev *out);

/*
 * Every device found (cache, backing and namespaces, in the order of the
 * scan).  *ns_err receives why namespaces could not be listed (-ENOPKG,
 * -ELIBACC: no libndctl; 0 otherwise).  fsdax_only leaves out devdax
 * namespaces (what the kernel registers).  Returns 0 or -ENOMEM; *v is to
 * be freed.
 */
int bch_sys_devs_scan(struct bch_sys_dev **v, size_t *n, bool fsdax_only, int *ns_err);

#endif
