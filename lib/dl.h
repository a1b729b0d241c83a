/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The optional libraries (libndctl, libdaxctl, libpmem2), loaded with
 * dlopen() the first time a command needs them, so that commands on image
 * files and block devices start with libc, libblkid, libuuid, libsmartcols
 * and ISA-L only.  Private to lib/.
 *
 * Every function used is one line of the lists below; it is then called
 * through the table: bch_dl.ndctl_new(&ctx).  Before the first call of a
 * library's functions, bch_dl_need(BCH_OPTLIB_NDCTL) (or _DAXCTL, _PMEM2) must
 * have returned 0.  The binary never links these libraries: a direct call
 * is an undefined symbol at link time.
 *
 * A build without a library (meson feature disabled or not found) compiles
 * its list to nothing, and bch_dl_need() returns -ENOPKG for it.
 */
#ifndef BCACHE_LIB_DL_H
#define BCACHE_LIB_DL_H

#include <bcache/optlib.h>

#ifdef BCH_HAVE_LIBNDCTL
#include <daxctl/libdaxctl.h>
#include <ndctl/libndctl.h>

#define BCH_DL_NDCTL_SYMBOLS(X)			\
	X(ndctl_new)				\
	X(ndctl_unref)				\
	X(ndctl_set_log_priority)		\
	X(ndctl_get_daxctl_ctx)			\
	X(ndctl_bus_get_first)			\
	X(ndctl_bus_get_next)			\
	X(ndctl_region_get_first)		\
	X(ndctl_region_get_next)		\
	X(ndctl_region_get_devname)		\
	X(ndctl_namespace_get_first)		\
	X(ndctl_namespace_get_next)		\
	X(ndctl_namespace_get_devname)		\
	X(ndctl_namespace_get_region)		\
	X(ndctl_namespace_get_size)		\
	X(ndctl_namespace_get_resource)		\
	X(ndctl_namespace_get_mode)		\
	X(ndctl_namespace_get_block_device)	\
	X(ndctl_namespace_get_pfn)		\
	X(ndctl_namespace_get_dax)		\
	X(ndctl_namespace_get_btt)		\
	X(ndctl_pfn_get_align)			\
	X(ndctl_pfn_get_resource)		\
	X(ndctl_pfn_get_block_device)		\
	X(ndctl_pfn_get_location)		\
	X(ndctl_btt_get_block_device)		\
	X(ndctl_dax_get_resource)		\
	X(ndctl_dax_get_align)			\
	X(ndctl_dax_get_daxctl_region)

#define BCH_DL_DAXCTL_SYMBOLS(X)		\
	X(daxctl_set_log_priority)		\
	X(daxctl_dev_get_first)			\
	X(daxctl_dev_get_next)			\
	X(daxctl_dev_get_size)			\
	X(daxctl_dev_get_align)			\
	X(daxctl_dev_is_enabled)		\
	X(daxctl_dev_get_devname)
#else
#define BCH_DL_NDCTL_SYMBOLS(X)
#define BCH_DL_DAXCTL_SYMBOLS(X)
#endif

#ifdef BCH_HAVE_LIBPMEM2
#include <libpmem2.h>

#define BCH_DL_PMEM2_SYMBOLS(X)				\
	X(pmem2_source_from_fd)				\
	X(pmem2_source_size)				\
	X(pmem2_source_alignment)			\
	X(pmem2_source_delete)				\
	X(pmem2_config_new)				\
	X(pmem2_config_delete)				\
	X(pmem2_config_set_required_store_granularity)	\
	X(pmem2_config_set_protection)			\
	X(pmem2_map_new)				\
	X(pmem2_map_delete)				\
	X(pmem2_map_get_address)			\
	X(pmem2_map_get_size)				\
	X(pmem2_get_persist_fn)
#else
#define BCH_DL_PMEM2_SYMBOLS(X)
#endif

/* One pointer per function, of the function's own type, named like it. */
struct bch_dl_table {
#define BCH_DL_POINTER(sym) __typeof__(&sym) sym;
	BCH_DL_NDCTL_SYMBOLS(BCH_DL_POINTER)
	BCH_DL_DAXCTL_SYMBOLS(BCH_DL_POINTER)
	BCH_DL_PMEM2_SYMBOLS(BCH_DL_POINTER)
#undef BCH_DL_POINTER
	char unused;	/* keeps the struct non-empty in a minimal build */
};

extern struct bch_dl_table bch_dl;

/*
 * Load a library and resolve its functions (once; later calls return the
 * first result).  0, -ENOPKG (built without it) or -ELIBACC (dlopen or
 * dlsym failed: bch_dl_error() says why).
 */
int bch_dl_need(enum bch_optlib lib);

#endif
