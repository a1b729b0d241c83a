// SPDX-License-Identifier: GPL-2.0
/*
 * bcache-tables: the lists the man pages show, printed exactly as
 * `bcache --list-problems` and `bcache CMD [SUB] --list-columns` print
 * them, from the same sources.  Built for the build machine (meson
 * native: true), so the man pages can be made when cross-compiling.
 * Not installed.
 */
#include <stdio.h>
#include <string.h>

#include "../cmd/tables.h"

int main(int argc, char **argv)
{
	char cmd[64] = "";

	if (argc == 2 && !strcmp(argv[1], "--list-problems")) {
		bch_print_problems(stdout);
		return 0;
	}
	if (argc < 3 || strcmp(argv[argc - 1], "--list-columns")) {
		fprintf(stderr, "usage: bcache-tables --list-problems | CMD [SUB] --list-columns\n");
		return 2;
	}
	for (int i = 1; i < argc - 1; i++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), "%s%s",
			 i > 1 ? " " : "", argv[i]);
	return bch_print_columns(cmd, stdout) ? 0 : 1;
}
