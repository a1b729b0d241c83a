// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-render: the input is a namespace and optionally a cache device (the
 * layout of fuzz.h), as files (memfd).  The read-only commands run on them
 * as from the command line, text and --json: nvm check, nvm dump (with
 * --hex), journal show (without and with -C, with --all), show.  Every
 * document must be valid JSON (yajl, UTF-8 checked) and every text valid
 * UTF-8: a finding aborts.  Byte 0's high bits pick the commands of a run.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int bch_main(int argc, char **argv);

static int nfd = -1, cfd = -1;
static size_t last_meta, last_data;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* the devices: one memfd each, written over from run to run (the pages
	 * stay allocated: cheaper than a new file each run) */
	nfd = memfd_create("ns", MFD_CLOEXEC);
	cfd = memfd_create("cache", MFD_CLOEXEC);
	return 0;
}

/* Run one command line, its output captured and checked (fz_capture_end). */
static void run(const char *line, const char *ns, const char *cache, bool json)
{
	char *argv[16], *copy = strdup(line), *save = NULL;
	int argc = 0;

	if (!copy)
		return;
	argv[argc++] = (char *)"bcache";
	for (char *t = strtok_r(copy, " ", &save); t && argc < 14; t = strtok_r(NULL, " ", &save))
		argv[argc++] = !strcmp(t, "NS") ? (char *)ns : !strcmp(t, "CACHE") ?
			       (char *)cache : t;
	argv[argc] = NULL;
	fz_capture_begin();
	(void)bch_main(argc, argv);
	fz_capture_end(line, json);
	free(copy);
}

static const struct {
	const char *line;
	bool json, cache;
} cmds[] = {
	{ "nvm check --json NS", true, false },
	{ "nvm dump NS", false, false },
	{ "journal show --all --json NS", true, false },
	{ "journal show --all NS -C CACHE", false, true },
	{ "journal show --all --json NS -C CACHE", true, true },
	{ "nvm dump --json --hex NS", true, false },
	{ "show --json NS CACHE", true, false },
	{ "journal show --summary NS", false, false },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_layout lay;
	unsigned char *img, *cdev;
	char ns[64], cache[64];
	uint64_t n;
	size_t clear, data_end;

	if (!fz_split(data, size, &lay))
		return 0;
	img = fz_namespace(&lay, &n);
	cdev = fz_cache(&lay);
	/* the bytes of the last run are written over with this run's (zeros
	 * where it has none): img holds zeros there */
	data_end = n > FZ_DATA_AT ? n - FZ_DATA_AT : 0;
	clear = last_data > data_end ? last_data : data_end;
	if (nfd >= 0 && cfd >= 0 && img && cdev &&
	    pwrite(nfd, img, lay.meta_len > last_meta ? lay.meta_len : last_meta, 0) >= 0 &&
	    !ftruncate(nfd, (off_t)(FZ_DATA_AT + clear)) &&
	    (!clear || pwrite(nfd, img + FZ_DATA_AT, clear, FZ_DATA_AT) == (ssize_t)clear) &&
	    !ftruncate(nfd, (off_t)n) &&
	    pwrite(cfd, cdev, FZ_CACHE_SIZE, 0) == FZ_CACHE_SIZE) {
		/* the bytes of flags above FZ_CACHE pick two commands */
		unsigned int a = (lay.flags >> 1) & 7, b = (lay.flags >> 4) & 7;

		snprintf(ns, sizeof(ns), "/proc/self/fd/%d", nfd);
		snprintf(cache, sizeof(cache), "/proc/self/fd/%d", cfd);
		if (!cmds[a].cache || lay.csb)
			run(cmds[a].line, ns, cache, cmds[a].json);
		if (b != a && (!cmds[b].cache || lay.csb))
			run(cmds[b].line, ns, cache, cmds[b].json);
	}
	last_meta = lay.meta_len;
	last_data = data_end;
	free(cdev);
	fz_unmap(img, n);
	return 0;
}
