// SPDX-License-Identifier: GPL-2.0
/*
 * One message and exit code for every way opening a device operand can fail:
 * image files, device paths and namespaceX.Y names alike.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <bcache/optlib.h>
#include <bcache/target.h>

#include "cmd.h"

int bch_optlib_error(const char *who, int err)
{
	const char *why, *lib = bch_optlib_failed(&why);

	if ((err != -ENOPKG && err != -ELIBACC) || !lib)
		return BCH_EXIT_OK;
	if (err == -ENOPKG)
		bch_err("%s: built without %s (%s)", who, lib,
			strcmp(lib, "libpmem2") ? "namespace names and 'nvm list' need it"
						 : "device-dax nodes need it");
	else
		bch_err("%s: cannot load %s: %s", who, lib, why);
	return BCH_EXIT_ERROR;
}

int bch_open_error(const char *operand, int err)
{
	int rc = bch_optlib_error(operand, err);

	if (rc)
		return rc;
	switch (err) {
	case -EBUSY:
		bch_err("%s: device is in use (mounted or held open exclusively); refusing",
			operand);
		return bch_exit_for_errno(err);
	case -ENOTSUP:
		bch_err("%s: not a regular file, block device or device-dax node", operand);
		return bch_exit_for_errno(err);
	case -EMEDIUMTYPE:
		bch_err("%s: a sector-mode (BTT) namespace is not byte-addressable; "
			"nvm-pages needs an fsdax, devdax or raw namespace", operand);
		return bch_exit_for_errno(err);
	case -ENOENT:
		if (bch_target_is_ns_name(operand)) {
			bch_err("%s: no such pmem namespace (see 'bcache nvm list')", operand);
			return BCH_EXIT_ERROR;
		}
		break;
	case -ENODEV:
		bch_err("%s: namespace is disabled (it has no device node)", operand);
		return BCH_EXIT_ERROR;
	}
	return bch_fail(operand, err, "cannot open");
}

void bch_input_add(struct bch_inputs *in, const char *path, int fd)
{
	if (in->n >= sizeof(in->v) / sizeof(in->v[0]) || fd < 0 ||
	    fstat(fd, &in->v[in->n].st))
		return;
	in->v[in->n++].path = path;
}

/* The input that st is (same inode, or the same device node), or NULL. */
static const char *same_input(const struct bch_inputs *in, const struct stat *st)
{
	for (size_t i = 0; i < in->n; i++) {
		const struct stat *a = &in->v[i].st;
		bool dev = (S_ISBLK(st->st_mode) && S_ISBLK(a->st_mode)) ||
			   (S_ISCHR(st->st_mode) && S_ISCHR(a->st_mode));

		if ((a->st_dev == st->st_dev && a->st_ino == st->st_ino) ||
		    (dev && a->st_rdev == st->st_rdev))
			return in->v[i].path;
	}
	return NULL;
}

int bch_output_open(const char *path, const struct bch_inputs *in, int *fd_out)
{
	const char *clash;
	struct stat st;
	int fd;

	*fd_out = -1;
	if (!strcmp(path, "-")) {
		fd = dup(STDOUT_FILENO);
		if (fd < 0 || fstat(fd, &st)) {
			bch_err("standard output: %s", strerror(errno));
			if (fd >= 0)
				close(fd);
			return BCH_EXIT_ERROR;
		}
		clash = same_input(in, &st);
		if (clash) {
			bch_err("standard output is %s, an input: refusing to write to it", clash);
			close(fd);
			return BCH_EXIT_REFUSED;
		}
		*fd_out = fd;
		return BCH_EXIT_OK;
	}
	/* not truncated before it is known not to be an input */
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0 || fstat(fd, &st)) {
		bch_err("%s: cannot create: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return BCH_EXIT_ERROR;
	}
	clash = same_input(in, &st);
	if (clash) {
		bch_err("%s: is the input %s (the same %s): refusing to overwrite it", path,
			clash, S_ISREG(st.st_mode) ? "file" : "device");
		close(fd);
		return BCH_EXIT_REFUSED;
	}
	if (S_ISREG(st.st_mode) && ftruncate(fd, 0)) {
		bch_err("%s: cannot truncate: %s", path, strerror(errno));
		close(fd);
		return BCH_EXIT_ERROR;
	}
	*fd_out = fd;
	return BCH_EXIT_OK;
}
