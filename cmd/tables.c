// SPDX-License-Identifier: GPL-2.0
/* --list-problems and --list-columns (see tables.h). */
#include <string.h>

#include <bcache/problem.h>

#include "columns.h"
#include "tables.h"

void bch_print_problems(FILE *f)
{
	for (enum bch_problem_code i = 0; i < BCH_P__COUNT; i++)
		fprintf(f, "%s\t%s\t%s\n", bch_problem_name(i),
			bch_severity_name(bch_problem_default_severity(i)),
			bch_problem_text(i));
}

OUT_CATALOGUE(BCH_COLS_ALLOC, AC, alloc_cols);
OUT_CATALOGUE(BCH_COLS_JSETS, JS, jset_cols);
OUT_CATALOGUE(BCH_COLS_LIST, NL, list_cols);

/* The table -o selects from, per command. */
static const struct {
	const char *cmd;
	const struct out_col *cols;
	int n;
} catalogues[] = {
	{ "nvm dump", alloc_cols, AC_NCOLS },
	{ "journal show", jset_cols, JS_NCOLS },
	{ "nvm list", list_cols, NL_NCOLS },
};

bool bch_print_columns(const char *cmd, FILE *f)
{
	for (size_t i = 0; i < sizeof(catalogues) / sizeof(catalogues[0]); i++) {
		if (strcmp(cmd, catalogues[i].cmd))
			continue;
		for (int c = 0; c < catalogues[i].n; c++)
			fprintf(f, "%-20s %s%s\n", catalogues[i].cols[c].name,
				catalogues[i].cols[c].help,
				catalogues[i].cols[c].flags & OUT_DEF ? " (default)" : "");
		return true;
	}
	return false;
}
