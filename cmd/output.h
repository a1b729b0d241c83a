/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output through libsmartcols: aligned text tables by default, one JSON
 * document with --json.  Every table of a command run becomes one top-level
 * member of that document, named after the table.
 */
#ifndef BCACHE_CMD_OUTPUT_H
#define BCACHE_CMD_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libsmartcols.h>

#include <bcache/fields.h>

struct out {
	bool json;
	bool raw;		/* no alignment, space separated (scripts) */
	bool noheadings;
	struct libscols_table *pending[32];	/* JSON: tables, in order */
	int npending;
	int nprinted;		/* text: tables printed so far */
};

/* A column of a command's column catalogue (drives -o and --list-columns). */
struct out_coldef {
	const char *name;	/* JSON key, lower case; text header is upper case */
	int json_type;		/* SCOLS_JSON_* */
	int flags;		/* SCOLS_FL_* */
	const char *help;
};

void out_init(struct out *o, bool json);
/*
 * A new table.  With --json, a table of the same name that was emitted before
 * is returned again (its lines are merged into one JSON array): callers add
 * columns only when scols_table_get_ncols() is 0.
 */
struct libscols_table *out_table(struct out *o, const char *name);
struct libscols_column *out_column(struct out *o, struct libscols_table *tb,
				   const char *name, int json_type, int flags);
/* Set cell n of a line from printf-style arguments. */
int out_cell(struct libscols_line *ln, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Text: print the table now and free it.  JSON: keep it for out_finish. */
int out_emit(struct out *o, struct libscols_table *tb);
/* A boolean cell: "true"/"false" in text, what libsmartcols reads in JSON. */
const char *out_bool(const struct out *o, bool v);
/* Text: print a title line before the next table (ignored for JSON). */
void out_title(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* JSON: print the whole document.  Returns 0 or -errno (stdout errors). */
int out_finish(struct out *o);

/*
 * Parse a comma-separated column list against a catalogue.  A leading '+'
 * appends to the defaults.  Fills idx[] with catalogue indices and returns
 * their count, or -EINVAL with *bad set to the unknown name.
 */
int out_parse_columns(const struct out_coldef *defs, size_t ndefs,
		      const char *defaults, const char *list, int *idx,
		      size_t max, const char **bad);
void out_list_columns(const struct out_coldef *defs, size_t ndefs);

/*
 * A struct as a table: text mode prints FIELD/VALUE rows; JSON emits one
 * object whose keys are the field names.  `extra` pairs (key, value, json
 * type) are appended, e.g. the checksum verdict.
 */
struct out_kv {
	const char *key;
	const char *value;
	int json_type;
};
int out_struct(struct out *o, const char *table, const struct bch_struct_desc *d,
	       const void *base, const struct out_kv *extra, size_t nextra);

#endif
