// SPDX-License-Identifier: GPL-2.0
/*
 * One message and exit code for every way opening a device operand can fail:
 * image files, device paths and namespaceX.Y names alike.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

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
