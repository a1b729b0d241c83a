/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The optional libraries: libndctl and libdaxctl (namespace names, `nvm
 * list`) and libpmem2 (device-dax nodes).  A build may leave them out (meson
 * features); a full build loads them only when a command needs them.  Library
 * functions that need one return -ENOPKG when the build has none and -ELIBACC
 * when it cannot be loaded; bch_optlib_failed() then names it.
 */
#ifndef BCACHE_OPTLIB_H
#define BCACHE_OPTLIB_H

#include <stdbool.h>

enum bch_optlib {
	BCH_OPTLIB_NDCTL,
	BCH_OPTLIB_DAXCTL,
	BCH_OPTLIB_PMEM2,
	BCH_OPTLIB__COUNT,
};

/* "libndctl", "libdaxctl", "libpmem2" */
const char *bch_optlib_name(enum bch_optlib lib);
/* Whether the build has it (it may still fail to load). */
bool bch_optlib_built(enum bch_optlib lib);
/*
 * The library whose loading failed last ("libndctl"), or NULL; *why gets
 * the loader's message (NULL when the build has no such library).
 */
const char *bch_optlib_failed(const char **why);

#endif
