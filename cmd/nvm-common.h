/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the nvm commands. */
#ifndef BCACHE_CMD_NVM_COMMON_H
#define BCACHE_CMD_NVM_COMMON_H

#include <bcache/nvm-walk.h>
#include <bcache/problem.h>

#include "output.h"

extern const struct bch_cmd bch_cmd_nvm_list;
extern const struct bch_cmd bch_cmd_nvm_rebase;
extern const struct bch_cmd bch_cmd_nvm_map;

/* Open read-only and load; prints the error, returns an exit code. */
int nvm_open_load(const char *path, struct bch_nvm_ns *ns);
/*
 * A live namespace: compare its stored base with where this boot maps it
 * (problems BASE_LIVE, BASE_LIVE_UNKNOWN).  An exit code.
 */
int nvm_live_check(struct bch_nvm_ns *ns);
/* The exit code of a load's result rc; prints the error (one line). */
int nvm_load_status(const char *path, const struct bch_nvm_ns *ns, int rc);

struct bch_nvm_buddy;
/*
 * Text: the closing health line of a namespace (state, owners, allocations,
 * free space, problem counts); b NULL: without the space figures.
 */
void nvm_health(struct out *o, const struct bch_nvm_ns *ns, const struct bch_nvm_buddy *b);
/* The "free_space" table: free blocks and bytes per order (text: orders with blocks). */
int nvm_free_space_table(struct out *o, const struct bch_nvm_buddy *b);

struct bch_cmd;
/*
 * The operands argv[first, argc) of a decoding command (nvm dump, check,
 * map), each opened and loaded (nvm_open_load, the live check) and checked
 * as one set: *ns gets an array of *n namespaces, NULL for a device that
 * failed to load, freed with nvm_free_all().  Returns the worst load
 * status; *ns is NULL (nothing to free) after "no device given" (a usage
 * error) or when out of memory.
 */
int nvm_load_operands(const struct bch_cmd *cmd, int argc, char **argv, int first,
		      struct bch_nvm_ns ***ns, size_t *n);
void nvm_free_all(struct bch_nvm_ns **ns, size_t n);
/*
 * The exit status of a decoding command (bcache(8), EXIT STATUS): each
 * device's status combined, 4 for a device with a problem of at least
 * severity sev (error for dump and map; warning for check).
 */
int nvm_problems_status(struct bch_nvm_ns *const *ns, size_t n, int load_rc,
			enum bch_severity sev);

#endif
