// SPDX-License-Identifier: GPL-2.0
/*
 * What the targets that run command code share (fuzz.h): standard output
 * captured into a memfd, then checked to be UTF-8 text and, for --json,
 * one JSON document (yajl).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <yajl/yajl_parse.h>

#include "fuzz.h"

static int out_fd = -1, null_fd = -1, saved = -1, saved_err = -1;

static void check_json(const unsigned char *doc, size_t len, const char *what)
{
	yajl_handle h = yajl_alloc(NULL, NULL, NULL);
	yajl_status st;

	if (!h)
		return;
	yajl_config(h, yajl_dont_validate_strings, 0);
	st = yajl_parse(h, doc, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st != yajl_status_ok) {
		unsigned char *e = yajl_get_error(h, 1, doc, len);

		fprintf(stderr, "fuzz: %s: not JSON: %s\n", what, (const char *)e);
		abort();
	}
	yajl_free(h);
}

void fz_capture_begin(void)
{
	if (out_fd < 0)
		out_fd = memfd_create("fuzz-out", MFD_CLOEXEC);
	if (null_fd < 0)
		null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	/* standard output into out_fd, the commands' messages to /dev/null */
	fflush(stdout);
	fflush(stderr);
	saved = dup(STDOUT_FILENO);
	saved_err = dup(STDERR_FILENO);
	if (out_fd < 0 || null_fd < 0 || saved < 0 || saved_err < 0 ||
	    ftruncate(out_fd, 0) || lseek(out_fd, 0, SEEK_SET) ||
	    dup2(out_fd, STDOUT_FILENO) < 0 ||
	    (!getenv("FUZZ_STDERR") && dup2(null_fd, STDERR_FILENO) < 0))
		abort();
}

void fz_capture_end(const char *what, bool json)
{
	unsigned char *doc;
	off_t len;

	fflush(stdout);
	fflush(stderr);
	dup2(saved, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(saved);
	close(saved_err);
	len = lseek(out_fd, 0, SEEK_CUR);
	if (len <= 0)
		return;
	doc = mmap(NULL, len, PROT_READ, MAP_SHARED, out_fd, 0);
	if (doc == MAP_FAILED)
		abort();
	fz_check_text((const char *)doc, len, what);
	if (json)
		check_json(doc, len, what);
	munmap(doc, len);
}
