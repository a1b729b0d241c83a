// SPDX-License-Identifier: GPL-2.0
/*
 * The cost of libsmartcols alone for a JSON document shaped like
 * `bcache nvm dump --json`'s allocations: ROWS rows of the same 11 columns
 * (one string, one hex string, nine numbers), added and printed in chunks
 * of 4096 lines to an unlocked stream with a 1 MiB buffer, as cmd/output.c
 * does.  No media, no walk: the floor for any libsmartcols-based dump.
 *
 *   cc -O2 bench/scols-floor.c $(pkg-config --cflags --libs smartcols)
 *   ./a.out [ROWS] [build-only] > /dev/null
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include <libsmartcols.h>

static const char *const names[] = {
	"device", "owner", "ns", "slot", "k", "pgoff",
	"page", "order", "pages", "offset", "length",
};

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	long rows = argc > 1 ? atol(argv[1]) : 2071585, row = 0;
	int print = argc < 3;

	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	__fsetlocking(stdout, FSETLOCKING_BYCALLER);
	while (row < rows) {
		struct libscols_table *tb = scols_new_table();

		scols_table_enable_json(tb, 1);
		scols_table_set_name(tb, "allocations");
		for (size_t c = 0; c < sizeof(names) / sizeof(names[0]); c++) {
			struct libscols_column *cl = scols_table_new_column(tb, names[c], 0, 0);

			scols_column_set_json_type(cl, c == 0 || c == 5 ?
						   SCOLS_JSON_STRING : SCOLS_JSON_NUMBER);
		}
		for (int n = 0; n < 4096 && row < rows; n++, row++) {
			struct libscols_line *ln = scols_table_new_line(tb, NULL);
			char v[32];

			scols_line_set_data(ln, 0, "ns.img");
			for (int c = 1; c < 11; c++) {
				snprintf(v, sizeof(v), c == 5 ? "0x%lx" : "%ld", row * c);
				scols_line_set_data(ln, c, v);
			}
		}
		if (print)
			scols_print_table(tb);
		scols_unref_table(tb);
	}
	return fflush(stdout) ? 1 : 0;
}
