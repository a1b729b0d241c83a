// SPDX-License-Identifier: GPL-2.0
/*
 * The optional libraries, opened at first use (see dl.h): one dlopen per
 * library by its soname (the ABI the headers describe), then every function
 * of its list by dlsym.  A failure is remembered, so it is tried once.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "dl.h"

struct bch_dl_table bch_dl;

static const struct {
	const char *name;
	const char *soname;
	bool built;
} libs[BCH_OPTLIB__COUNT] = {
#ifdef BCH_HAVE_LIBNDCTL
	[BCH_OPTLIB_NDCTL] = { "libndctl", "libndctl.so.6", true },
	[BCH_OPTLIB_DAXCTL] = { "libdaxctl", "libdaxctl.so.1", true },
#else
	[BCH_OPTLIB_NDCTL] = { "libndctl", "libndctl.so.6", false },
	[BCH_OPTLIB_DAXCTL] = { "libdaxctl", "libdaxctl.so.1", false },
#endif
#ifdef BCH_HAVE_LIBPMEM2
	[BCH_OPTLIB_PMEM2] = { "libpmem2", "libpmem2.so.1", true },
#else
	[BCH_OPTLIB_PMEM2] = { "libpmem2", "libpmem2.so.1", false },
#endif
};

static int state[BCH_OPTLIB__COUNT];	/* 0 not tried, 1 loaded, or -errno */
static int failed = -1;			/* the library that failed last */
static char why[256];

const char *bch_optlib_name(enum bch_optlib lib)
{
	return (unsigned int)lib < BCH_OPTLIB__COUNT ? libs[lib].name : "?";
}

bool bch_optlib_built(enum bch_optlib lib)
{
	return (unsigned int)lib < BCH_OPTLIB__COUNT && libs[lib].built;
}

const char *bch_optlib_failed(const char **reason)
{
	if (reason)
		*reason = failed >= 0 && state[failed] == -ELIBACC ? why : NULL;
	return failed >= 0 ? libs[failed].name : NULL;
}

/* dlsym every function of the list; false (and why) when one is missing. */
static bool resolve(void *h, enum bch_optlib lib)
{
	const char *missing = NULL;

#define BCH_DL_RESOLVE(sym)						\
	bch_dl.sym = (__typeof__(bch_dl.sym))dlsym(h, #sym);		\
	if (!missing && !bch_dl.sym)					\
		missing = #sym;
	switch (lib) {
	case BCH_OPTLIB_NDCTL:
		BCH_DL_NDCTL_SYMBOLS(BCH_DL_RESOLVE)
		break;
	case BCH_OPTLIB_DAXCTL:
		BCH_DL_DAXCTL_SYMBOLS(BCH_DL_RESOLVE)
		break;
	case BCH_OPTLIB_PMEM2:
		BCH_DL_PMEM2_SYMBOLS(BCH_DL_RESOLVE)
		break;
	case BCH_OPTLIB__COUNT:
		break;
	}
#undef BCH_DL_RESOLVE
	if (missing)
		snprintf(why, sizeof(why), "%s: no symbol %s", libs[lib].soname, missing);
	return !missing;
}

int bch_dl_need(enum bch_optlib lib)
{
	const char *err;
	void *h;

	if ((unsigned int)lib >= BCH_OPTLIB__COUNT)
		return -EINVAL;
	if (state[lib] == 0) {
		if (!libs[lib].built) {
			state[lib] = -ENOPKG;
		} else if (!(h = dlopen(libs[lib].soname, RTLD_NOW | RTLD_LOCAL))) {
			err = dlerror();
			snprintf(why, sizeof(why), "%s", err ? err : libs[lib].soname);
			state[lib] = -ELIBACC;
		} else if (!resolve(h, lib)) {
			dlclose(h);
			state[lib] = -ELIBACC;
		} else {
			state[lib] = 1;	/* stays loaded for the rest of the run */
		}
	}
	if (state[lib] < 0) {
		failed = (int)lib;	/* an index of libs[], >= 0 */
		return state[lib];
	}
	return 0;
}
