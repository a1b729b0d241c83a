/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the bytes live: pmem namespaces found through libndctl/libdaxctl,
 * their names (namespaceX.Y) resolved to device nodes, and whether a device
 * is in use (mounted, held by another driver, registered with bcache).
 */
#ifndef BCACHE_TARGET_H
#define BCACHE_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bch_ns_mode {
	BCH_NS_RAW,
	BCH_NS_FSDAX,
	BCH_NS_DEVDAX,
	BCH_NS_SECTOR,
	BCH_NS_UNKNOWN,
};

struct bch_pmem_ns {
	char name[32];		/* "namespace0.0" */
	char region[32];	/* "region0" */
	enum bch_ns_mode mode;
	bool enabled;		/* has a device node */
	uint64_t ns_size;	/* raw capacity of the namespace */
	uint64_t size;		/* bytes of the device node (data area) */
	uint64_t align;		/* fsdax/devdax alignment, else 0 */
	uint64_t data_offset;	/* device byte 0 within the namespace */
	uint64_t phys;		/* physical address of device byte 0; 0: unknown
				 * (the sysfs resource files are root's) */
	bool map_mem;		/* fsdax: struct pages in RAM (--map=mem) */
	char dev[64];		/* "/dev/pmem0", "/dev/dax0.0", "" if none */
};

struct bch_pmem_list {
	struct bch_pmem_ns *v;
	size_t n;
};

/*
 * Every non-empty namespace on every NVDIMM bus.  A system without ndctl
 * buses (or without libnvdimm) gives an empty list and 0.  Needs libndctl
 * and libdaxctl (bcache/optlib.h): -ENOPKG when the build has none, -ELIBACC
 * when they cannot be loaded; bch_target_resolve passes these on for
 * namespace names.
 */
int bch_pmem_list(struct bch_pmem_list *out);
void bch_pmem_list_free(struct bch_pmem_list *l);
const char *bch_ns_mode_name(enum bch_ns_mode mode);

/*
 * The namespace whose device node is path (compared by device number), into
 * *out.  Returns 0, -ENOENT when path is no pmem namespace's node (an image
 * file, a loop device), or -errno from stat.
 */
int bch_pmem_find_dev(const char *path, struct bch_pmem_ns *out);

/* Whether arg has the form namespaceX.Y. */
bool bch_target_is_ns_name(const char *arg);

/*
 * Resolve a command-line operand to a path: namespaceX.Y becomes its device
 * node; anything else is copied.  Returns 0, -ENOENT (no such namespace),
 * -ENODEV (namespace has no device node: disabled), -EMEDIUMTYPE (a sector
 * mode (BTT) namespace or device: not byte-addressable) or -ENAMETOOLONG.
 * `ns` (may be NULL) receives the namespace when arg was a name.
 */
int bch_target_resolve(const char *arg, char *path, size_t len, struct bch_pmem_ns *ns);

/* Whether a block device is a BTT (sector-mode) device; false for others. */
bool bch_target_is_btt(const char *path);

struct bch_target_use {
	bool mounted;
	char mountpoint[256];
	bool held;		/* sysfs holders/ not empty (dm, md, bcache...) */
	char holder[64];	/* the first holder's name */
	bool bcache;		/* registered with the kernel's bcache */
	bool opened;		/* character devices (devdax): open or mapped */
	int pid;		/* by this other process */
	char comm[32];		/* named so */
};

/*
 * Whether a device is in use.  Image files and devdax nodes are never
 * mounted or held; everything is read from /proc/self/mountinfo and sysfs.
 * A devdax node cannot be opened exclusively, so for character devices the
 * other processes' open files and mappings are searched (/proc/PID/fd and
 * maps; processes that cannot be read are skipped).
 * Returns 0 or -errno (stat failed).
 */
int bch_target_in_use(const char *path, struct bch_target_use *u);

#endif
