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

struct column_doc {
	const char *name;
	const char *help;
};

#define COLUMN_DOC(name, type, flag, help) { #name, help },
static const struct column_doc nvm_dump_columns[] = {
	BCH_NVM_DUMP_COLUMNS(COLUMN_DOC)
	{ NULL, NULL },
};
#undef COLUMN_DOC

static const struct {
	const char *cmd;
	const struct column_doc *cols;
} catalogues[] = {
	{ "nvm dump", nvm_dump_columns },
};

bool bch_print_columns(const char *cmd, FILE *f)
{
	for (size_t i = 0; i < sizeof(catalogues) / sizeof(catalogues[0]); i++) {
		if (strcmp(cmd, catalogues[i].cmd))
			continue;
		for (const struct column_doc *c = catalogues[i].cols; c->name; c++)
			fprintf(f, "%-14s %s\n", c->name, c->help);
		return true;
	}
	return false;
}
