/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lists the binary prints for completion and the man pages
 * (--list-problems, CMD --list-columns).  Needs nothing but libc, so the
 * man pages can be made by a copy built for the build machine
 * (man/bcache-tables.c) when the binary itself cannot run there.
 */
#ifndef BCACHE_CMD_TABLES_H
#define BCACHE_CMD_TABLES_H

#include <stdbool.h>
#include <stdio.h>

/* One line per problem code: CODE<TAB>severity<TAB>text */
void bch_print_problems(FILE *f);
/*
 * The column catalogue of command path `cmd` ("nvm dump"), one line per
 * column: name, spaces, help.  false when the command has none.
 */
bool bch_print_columns(const char *cmd, FILE *f);

#endif
