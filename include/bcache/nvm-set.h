/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Several namespaces given together are one set (bcache-nvm-pages(5), SETS):
 * same set_uuid, distinct this_namespace_nr, same total_namespaces_nr, and
 * every member present.
 */
#ifndef BCACHE_NVM_SET_H
#define BCACHE_NVM_SET_H

#include <stddef.h>

#include <bcache/nvm-walk.h>

/*
 * Compare the loaded members ns[0..n) (NULL entries are skipped: devices
 * that failed to load).  Problems go to the member they concern; missing
 * numbers to the first member.  Returns 0 or -ENOMEM.
 */
int bch_nvm_set_check(struct bch_nvm_ns *const *ns, size_t n);

#endif
