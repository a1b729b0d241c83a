/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output through libsmartcols: aligned text tables by default, one JSON
 * document with --json.  Every table of a command run becomes one top-level
 * member of that document, named after the table.
 */
#ifndef BCACHE_CMD_OUTPUT_H
#define BCACHE_CMD_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include <libsmartcols.h>

#include <bcache/fields.h>
#include <bcache/problem.h>

/* Lines a table holds before out_table_flush() prints them. */
#define OUT_CHUNK_LINES 4096

/* A table printed in chunks (out_table_flush). */
struct out_chunked {
	struct libscols_table *tb;
	char *head, *tail;	/* JSON: `"name": [` and `]` of the member */
	FILE *spool;		/* JSON: array elements not yet on stdout */
	bool has_el;		/* JSON: elements written (stdout or spool) */
	bool streaming;		/* JSON: the head is on stdout */
	bool done;		/* JSON: out_emit after out_final: complete */
	unsigned int chunks;	/* chunks printed so far */
};

/* A growable byte buffer. */
struct out_buf {
	char *p;
	size_t len, cap;
};

/* JSON rows of one table written from a template (out_row). */
#define OUT_TPL_MAX 24
struct out_tpl {
	struct libscols_table *tb;	/* the table, or NULL */
	bool bad;		/* no template possible: libsmartcols for every row */
	size_t ncols;
	bool boolean[OUT_TPL_MAX];	/* SCOLS_JSON_BOOLEAN columns */
	char *text;		/* one element with the markers */
	struct {
		size_t off, len;
	} frag[OUT_TPL_MAX + 1];	/* the text around the markers */
};

struct out {
	bool json;
	bool raw;		/* no alignment, space separated (scripts) */
	bool noheadings;
	bool final;		/* see out_final() */
	int members;		/* JSON: members started on stdout ("{" written) */
	struct libscols_table *pending[32];	/* JSON: tables, in order */
	struct out_chunked chunked[32];		/* JSON: per pending table */
	int npending;
	int nprinted;		/* text: tables printed so far */
	struct out_chunked text;	/* text: the table being chunked */
	FILE *render;		/* JSON: libsmartcols renders into rbuf */
	struct out_buf rbuf;
	struct out_tpl tpl;	/* JSON: see out_row() */
	struct out_buf fast;	/* JSON: rows from tpl not yet put */
};

/*
 * A column of a command's column catalogue (drives -o; --list-columns
 * prints the same catalogue from cmd/columns.h).  OUT_FL_<flag> names the
 * flags a catalogue line of columns.h may give.
 */
#define OUT_FL_ 0
#define OUT_FL_RIGHT SCOLS_FL_RIGHT
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
/*
 * Every string a cell gets is valid UTF-8 without control characters: a
 * byte that is not part of a valid UTF-8 sequence, or a control character,
 * is written as the four characters \xNN (bcache(8), TEXT ENCODING), in
 * text and JSON alike.  out_escape() returns that form of s
 * (malloc'd), or NULL when s is valid as it is (or out of memory).
 */
char *out_escape(const char *s);
bool out_utf8_valid(const char *s);
/* Set cell n to s (copied), escaped as above. */
int out_set(struct libscols_line *ln, size_t n, const char *s);
/* Set cell n to the malloc'd s, which it takes over (freed on error). */
int out_refer(struct libscols_line *ln, size_t n, char *s);
int out_cell(struct libscols_line *ln, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Decimal and "0x" hex text of v without printf, in buf; returns the start
 * of the text (inside buf).
 */
#define OUT_NUM_LEN 24
char *out_u64(char buf[OUT_NUM_LEN], uint64_t v);
char *out_hex(char buf[OUT_NUM_LEN], uint64_t v);
/*
 * Add a whole row (one value per column, all non-NULL) to a table and
 * flush it as out_table_flush does.  For big JSON tables of numbers and
 * strings: most rows are written from a template of the row that
 * libsmartcols rendered once (no libsmartcols line per row); the document
 * is the same.
 */
int out_row(struct out *o, struct libscols_table *tb, const char *const *vals);
/* Text: print the table now and free it.  JSON: keep it for out_finish. */
int out_emit(struct out *o, struct libscols_table *tb);
/*
 * For tables of any size: once tb holds OUT_CHUNK_LINES lines, print them
 * and drop them (call it after each new line; out_emit prints the rest).
 * Text: the headings once, column widths of the first chunk kept.  JSON:
 * the lines go to stdout when the document can be written up to them (see
 * out_final), else to a temporary file; the document is the same as
 * without chunks.  Returns 0 or -errno.
 */
int out_table_flush(struct out *o, struct libscols_table *tb);
/*
 * The caller's promise that from now on a table gets no more lines once it
 * was passed to out_emit (e.g. the last device of a run): a JSON chunk then
 * goes straight to stdout when every table created before its table is
 * complete.
 */
void out_final(struct out *o);
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

/*
 * The problems of one device as the "problems" table (code, severity, byte
 * offset, struct.field, message), streamed in chunks.  Text mode prints
 * nothing when there are none; JSON always has the (possibly empty) array.
 */
int out_problems(struct out *o, const char *path, const struct bch_problems *ps);

#endif
