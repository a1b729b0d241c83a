// SPDX-License-Identifier: GPL-2.0
/*
 * The one place where a cause becomes an exit status (README.md and
 * bcache(8), EXIT STATUS), where an operational error is printed, and where
 * the statuses of several devices combine into one.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bcache/problem.h>

#include "cmd.h"

static const char progname[] = "bcache";

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", progname, prefix);
	vfprintf(stderr, fmt, ap);
}

void bch_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void bch_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int bch_exit_for_errno(int err)
{
	switch (err) {
	case 0:
		return BCH_EXIT_OK;
	case -EBUSY:
	case -ENOSPC:
	case -ENOTSUP:
	case -EMEDIUMTYPE:
		return BCH_EXIT_REFUSED;
	case -ENODATA:
	case -EPROTONOSUPPORT:
		return BCH_EXIT_NOT_FOUND;
	default:
		return BCH_EXIT_ERROR;
	}
}

int bch_fail(const char *who, int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", progname, who);
	if (fmt) {
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputs(": ", stderr);
	}
	fprintf(stderr, "%s\n", strerror(err < 0 ? -err : err));
	return BCH_EXIT_ERROR;
}

int bch_exit_for_problems(const struct bch_problems *ps, int min_severity)
{
	return bch_problems_count(ps, (enum bch_severity)min_severity) ? BCH_EXIT_PROBLEMS :
									 BCH_EXIT_OK;
}

int bch_usage_error(const struct bch_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", progname, cmd->full);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nUsage: %s %s [options] %s\nTry '%s %s --help'.\n",
		progname, cmd->full, cmd->usage ? cmd->usage : "", progname, cmd->full);
	return BCH_EXIT_USAGE;
}

int bch_exit_combine(int a, int b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

int bch_exit_status(int rc)
{
	if (rc == BCH_EXIT_DONE)
		return BCH_EXIT_OK;
	if (rc >= BCH_EXIT_OK && rc <= BCH_EXIT_NOT_FOUND)
		return rc;
	bch_err("internal error: a command returned %d%s%s", rc, rc < 0 ? ": " : "",
		rc < 0 ? strerror(-rc) : "");
	return BCH_EXIT_ERROR;
}
