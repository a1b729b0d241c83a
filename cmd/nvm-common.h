/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the nvm commands. */
#ifndef BCACHE_CMD_NVM_COMMON_H
#define BCACHE_CMD_NVM_COMMON_H

#include <bcache/nvm-walk.h>

#include "output.h"

extern const struct bch_cmd bch_cmd_nvm_list;
extern const struct bch_cmd bch_cmd_nvm_rebase;

/* Open read-only and load; prints the error, returns an exit code. */
int nvm_open_load(const char *path, struct bch_nvm_ns *ns);
/*
 * A live namespace: compare its stored base with where this boot maps it
 * (problems BASE_LIVE, BASE_LIVE_UNKNOWN).  An exit code.
 */
int nvm_live_check(struct bch_nvm_ns *ns);
/*
 * One JSON document holds one revision's field names (nvm dump, show).
 * Call for each namespace in output order, seen zeroed first: prints the
 * error and returns BCH_EXIT_USAGE for a namespace of another revision
 * than the first one; else 0.
 */
struct nvm_rev_seen {
	const char *path;
	const struct bch_nvm_layout *lay;
};
int nvm_json_one_revision(struct nvm_rev_seen *seen, const char *path,
			  const struct bch_nvm_layout *lay);
/* The exit code of a load's result rc; prints the error (one line). */
int nvm_load_status(const char *path, const struct bch_nvm_ns *ns, int rc);

#endif
