// SPDX-License-Identifier: GPL-2.0
/*
 * The exit statuses of README.md (Exit status), each driven through the one
 * place that maps a cause to it (cmd/exit.c, cmd/open.c): 0 success, 1
 * operational error, 2 usage, 3 refused, 4 problems, 5 not found; the rule
 * that combines devices; and what a stray return value of a command becomes.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <bcache/problem.h>

#include "cmd.h"
#include "tap.h"

static void test_errno(void)
{
	is_u64(bch_exit_for_errno(0), BCH_EXIT_OK, "0 -> 0 (success)");
	is_u64(bch_exit_for_errno(-EIO), BCH_EXIT_ERROR, "-EIO -> 1 (operational error)");
	is_u64(bch_exit_for_errno(-ENOMEM), BCH_EXIT_ERROR, "-ENOMEM -> 1");
	is_u64(bch_exit_for_errno(-EBUSY), BCH_EXIT_REFUSED, "-EBUSY -> 3 (refused: busy)");
	is_u64(bch_exit_for_errno(-ENOSPC), BCH_EXIT_REFUSED, "-ENOSPC -> 3 (too small)");
	is_u64(bch_exit_for_errno(-EMEDIUMTYPE), BCH_EXIT_REFUSED, "-EMEDIUMTYPE -> 3 (BTT)");
	is_u64(bch_exit_for_errno(-ENODATA), BCH_EXIT_NOT_FOUND, "-ENODATA -> 5 (no sb)");
	is_u64(bch_exit_for_errno(-EPROTONOSUPPORT), BCH_EXIT_NOT_FOUND,
	       "-EPROTONOSUPPORT -> 5 (v12/v13)");
}

static void test_fail_and_open(void)
{
	is_u64(bch_fail("dev", -EIO, "cannot read"), BCH_EXIT_ERROR, "bch_fail -> 1");
	is_u64(bch_fail("dev", ENOSPC, NULL), BCH_EXIT_ERROR,
	       "bch_fail -> 1 whatever the errno (an error while working)");
	is_u64(bch_open_error("dev", -ENOENT), BCH_EXIT_ERROR, "open: no such file -> 1");
	is_u64(bch_open_error("dev", -EBUSY), BCH_EXIT_REFUSED, "open: busy -> 3");
	is_u64(bch_open_error("dev", -ENOTSUP), BCH_EXIT_REFUSED, "open: not a device -> 3");
	is_u64(bch_open_error("namespace9.9", -ENOENT), BCH_EXIT_ERROR,
	       "open: no such namespace -> 1");
}

static void test_usage(void)
{
	const struct bch_cmd c = { .name = "x", .full = "test x", .usage = "DEV" };

	is_u64(bch_usage_error(&c, "bad '%s'", "arg"), BCH_EXIT_USAGE, "usage error -> 2");
}

static void test_problems(void)
{
	struct bch_problems ps = { 0 };

	is_u64(bch_exit_for_problems(&ps, BCH_SEV_WARN), BCH_EXIT_OK, "no problems -> 0");
	bch_problem_add(&ps, BCH_P_J_KEY_SIZE, 8, "jset", "a warning");
	is_u64(bch_exit_for_problems(&ps, BCH_SEV_ERROR), BCH_EXIT_OK,
	       "a warning, errors counted -> 0");
	is_u64(bch_exit_for_problems(&ps, BCH_SEV_WARN), BCH_EXIT_PROBLEMS,
	       "a warning, warnings counted -> 4");
	bch_problems_free(&ps);
}

static void test_combine(void)
{
	is_u64(bch_exit_combine(0, 0), 0, "combine 0 0 -> 0");
	is_u64(bch_exit_combine(0, 5), 5, "combine 0 5 -> 5");
	is_u64(bch_exit_combine(4, 0), 4, "combine 4 0 -> 4");
	is_u64(bch_exit_combine(5, 4), 4, "combine 5 4 -> 4 (the lowest non-zero)");
	is_u64(bch_exit_combine(3, 1), 1, "combine 3 1 -> 1 (an error outranks a refusal)");
}

static void test_status(void)
{
	for (int rc = BCH_EXIT_OK; rc <= BCH_EXIT_NOT_FOUND; rc++)
		is_u64(bch_exit_status(rc), rc, "a command's %d exits %d", rc, rc);
	is_u64(bch_exit_status(BCH_EXIT_DONE), BCH_EXIT_OK, "help printed -> 0");
	is_u64(bch_exit_status(-ENOMEM), BCH_EXIT_ERROR, "a stray -ENOMEM -> 1, not 0");
	is_u64(bch_exit_status(-1), BCH_EXIT_ERROR, "a stray -1 -> 1");
	is_u64(bch_exit_status(77), BCH_EXIT_ERROR, "an unknown status -> 1");
}

int main(void)
{
	test_errno();
	test_fail_and_open();
	test_usage();
	test_problems();
	test_combine();
	test_status();
	return tap_done();
}
