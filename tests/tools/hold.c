// SPDX-License-Identifier: GPL-2.0
/*
 * hold (test-only): keep a device busy the way another program would, until
 * killed.  Prints "held" on standard output once it holds the device.
 *
 *   hold excl PATH   an exclusive open (O_EXCL): a block device in use
 *   hold fd PATH     a plain read-write open
 *   hold map PATH    a shared read-write mapping of the first 2 MiB, with
 *                    every descriptor of PATH closed again (only the
 *                    mapping shows, in /proc/PID/maps)
 *
 * It gives up after 10 minutes, should a test never kill it.  Exits 1 with
 * a message when it cannot hold PATH.  Not installed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd;

	if (argc != 3 || (strcmp(argv[1], "excl") && strcmp(argv[1], "fd") &&
			  strcmp(argv[1], "map"))) {
		fprintf(stderr, "usage: hold excl|fd|map PATH\n");
		return 2;
	}
	fd = open(argv[2], !strcmp(argv[1], "excl") ? O_RDONLY | O_EXCL : O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "hold: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if (!strcmp(argv[1], "map")) {
		if (mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED) {
			fprintf(stderr, "hold: mmap %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		close(fd);
	}
	printf("held\n");
	fflush(stdout);
	alarm(600);
	for (;;)
		pause();
}
