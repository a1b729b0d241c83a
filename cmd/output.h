/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output of every command.  Text for people goes through libsmartcols
 * tables; --json writes one document through yajl's streaming generator
 * (nothing is parsed back or patched).  Tables are described by column
 * catalogues (cmd/columns.h: id, name, type, flags, help) and their cells
 * are set by column id.
 *
 * The JSON document (bcache(8), JSON):
 *
 *   { "schema_version": N,
 *     "devices": [ { "device": PATH, <struct>: {...}, <table>: [ {...} ] } ],
 *     <table>: [...] }
 *
 * Tables of a device go inside its object (out_device()); tables of the
 * run (no device) are top-level members.
 */
#ifndef BCACHE_CMD_OUTPUT_H
#define BCACHE_CMD_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include <libsmartcols.h>
#include <yajl/yajl_gen.h>

#include <bcache/fields.h>
#include <bcache/problem.h>

#include "columns.h"

/* The version of the JSON document's schema (bcache(8), JSON). */
#define OUT_SCHEMA_VERSION 2

/* Text lines a table holds before they are printed (big tables). */
#define OUT_CHUNK_LINES 4096
/* Columns of one table at most; levels of a tree at most. */
#define OUT_MAX_COLS 32
#define OUT_MAX_DEPTH 8

struct out {
	bool json;
	bool bytes;		/* -b: raw byte counts in text */
	bool quiet;		/* -q: no closing health line */
	int color;		/* OUT_COLOR_* (nvm map) */
	int nprinted;		/* text: tables and blocks printed so far */
	bool last_struct;	/* text: the last thing printed is an untitled table */
	/* JSON */
	yajl_gen g;
	bool in_devices;	/* "devices": [ open */
	bool in_device;		/* a device object open */
	int err;		/* first write error (-errno) */
	size_t blen;		/* bytes in buf */
	char buf[1 << 16];	/* JSON not yet written to stdout */
};

enum { OUT_COLOR_AUTO, OUT_COLOR_ALWAYS, OUT_COLOR_NEVER };

/* A cell of the row being filled (JSON). */
struct out_cellbuf {
	char buf[48];
	char *heap;		/* longer text */
	const char *p;		/* NULL: unset (JSON null) */
	unsigned int len;
	bool num;		/* a JSON number (else a string) */
	bool boolean;		/* a JSON true/false: p[0] '1' or '0' */
};

struct out_table {
	struct out *o;
	const char *name;
	const struct out_col *cat;	/* the catalogue */
	int ncat;
	int sel[OUT_MAX_COLS];		/* selected catalogue ids, in order */
	int nsel;
	signed char pos[OUT_MAX_COLS];	/* catalogue id -> position, or -1 */
	unsigned char klen[OUT_MAX_COLS];	/* strlen of the selected names */
	unsigned int flags;		/* OUT_T_* */
	char *title;			/* text: printed before the table */
	size_t nrows;
	/* text */
	struct libscols_table *tb;
	struct libscols_line *ln;	/* the row being filled */
	struct libscols_line *level[OUT_MAX_DEPTH];	/* tree parents */
	unsigned int chunks;
	bool utf8;			/* text: a cell holds a byte >= 0x80 */
	struct out_table *child;	/* text: the child table (out_child) */
	/* JSON */
	struct out_cellbuf *cells;	/* per position */
	int row;			/* 0 none, 1 pending, 2 object open */
	/*
	 * Cells that come in column order are written at once (no copy):
	 * positions [0, next) of the pending row are written; buffered: a
	 * cell came out of order, the rest waits for json_cells().
	 */
	int next;
	bool buffered;
	int depth;			/* depth of the pending row */
	int open;			/* tree levels with "children" open */
};

/* Table flags. */
#define OUT_T_SKIP_EMPTY 0x1	/* text: print nothing when no row */
#define OUT_T_TREE 0x2		/* rows form a tree (out_line depth) */
#define OUT_T_NOTITLE 0x4
#define OUT_T_OBJECT 0x8	/* JSON: one row, written as an object (none: null) */
#define OUT_T_NOHEADINGS 0x10	/* text: no header line (KEY VALUE reports) */

void out_init(struct out *o, bool json);
/* What the options -J/--json, -b/--bytes and -q/--quiet of a command ask. */
struct out_opts {
	bool json, bytes, quiet;
};
/* Option val of bch_parse: true when it is one of those three (and is set). */
bool out_opt(struct out_opts *f, int val);
/* out_init() with the options' JSON, bytes and quiet. */
void out_init_opts(struct out *o, const struct out_opts *f);
/* Start the object of a device (ends the one before). */
void out_device(struct out *o, const char *path);
/* End the device object, if one is open. */
void out_device_end(struct out *o);
/* JSON: finish the document.  Returns 0 or -errno (stdout errors). */
int out_finish(struct out *o);

/*
 * A new table of catalogue cat (n columns).  sel: catalogue ids to show
 * (nsel of them), or NULL for the default: the OUT_DEF columns in text, all
 * columns in JSON.  JSON: the member "name": [ is written now.
 */
struct out_table *out_table(struct out *o, const char *name, const struct out_col *cat,
			    int n, const int *sel, int nsel, unsigned int flags);
void out_table_title(struct out_table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Start a row (depth: 0, or 1 + the depth of its parent row in a tree). */
int out_line(struct out_table *t, int depth);
/*
 * A table whose rows belong to the current row of parent.  JSON: the member
 * "name": [ inside that row's object (end it with out_child_end); text: one
 * table for all parent rows, printed after the parent.
 */
struct out_table *out_child(struct out_table *parent, const char *name,
			    const struct out_col *cat, int n);
int out_child_end(struct out_table *t);
/* Text: print the table (and its child).  JSON: close it.  Frees t. */
int out_emit(struct out_table *t);
/* Free without output (error paths). */
void out_table_free(struct out_table *t);

/*
 * Cells by column id; a column that is not selected is skipped.  A cell is
 * set once per row: a second value for the same column of a row is
 * ignored, in text and JSON alike (JSON streams a cell as soon as it can).
 */
void out_str(struct out_table *t, int id, const char *s);
void out_fmt(struct out_table *t, int id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void out_u64(struct out_table *t, int id, uint64_t v);
void out_s64(struct out_table *t, int id, int64_t v);
void out_hex(struct out_table *t, int id, uint64_t v);
void out_hex16(struct out_table *t, int id, uint64_t v);	/* 0x + 16 digits */
void out_bool(struct out_table *t, int id, bool v);
/* HEXV: JSON an array of "0x..." strings, text the non-zero "[j]0x..." */
void out_hexv(struct out_table *t, int id, const uint64_t *v, int n);
/*
 * Text with colours on (o->color OUT_COLOR_ALWAYS): the cell of column id
 * in the current row is drawn in the SGR colour sgr (e.g. "30;42"); else,
 * and in JSON, nothing.
 */
void out_color(struct out_table *t, int id, const char *sgr);
/* Whether column id is shown (to skip costly values). */
bool out_shown(const struct out_table *t, int id);

/*
 * Every string the output holds is valid UTF-8 without control characters:
 * a byte that is not part of a valid UTF-8 sequence, or a control
 * character, is written as the four characters \xNN (bcache(8), TEXT
 * ENCODING), in text and JSON alike; the cell, title and JSON string
 * functions do it.  out_escape() returns that form of s (malloc'd), or NULL
 * when s is valid as it is (or out of memory).
 */
char *out_escape(const char *s);
bool out_utf8_valid(const char *s);

/* A human size, e.g. "41.2 MiB" ("256 MiB" when exact). */
void out_size_text(char *buf, size_t len, uint64_t bytes);

/*
 * Parse a comma-separated column list against a catalogue.  A leading '+'
 * appends to the defaults.  Fills sel[] with catalogue ids and returns
 * their count, or -EINVAL with *bad set to the unknown name.
 */
int out_parse_columns(const struct out_col *cat, int n, const char *list, int *sel,
		      const char **bad);

/* Text: print a line of its own (a title or a note; ignored for JSON). */
void out_title(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Text: the closing health line of a device (unless -q; not for JSON).
 * It and titles wrap to out_width() after a ", " or "; ", continued with an
 * indent of two.
 */
void out_health(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * The width text fits: a terminal's columns; piped, $COLUMNS when set (a
 * positive number), as lsblk; else 0 (no limit).
 */
int out_width(void);

/* JSON members written directly into the current object. */
void out_json_key(struct out *o, const char *key);
void out_json_str(struct out *o, const char *s);
void out_json_u64(struct out *o, uint64_t v);	/* a number, or a string above 2^53 */
void out_json_big(struct out *o, uint64_t v);	/* a string of digits */
void out_json_bool(struct out *o, bool v);
void out_json_open(struct out *o, bool array);
void out_json_close(struct out *o, bool array);

/*
 * A struct as a table: text mode prints FIELD/VALUE rows; JSON emits the
 * object "name": { field: value }.  `extra` pairs are appended, e.g. the
 * checksum verdict.
 */
struct out_kv {
	const char *key;
	const char *value;
	int type;		/* OUT_STR, OUT_NUM, OUT_BIG, OUT_BOOL ("1"/"0"), OUT_HEX */
};
int out_struct(struct out *o, const char *name, const struct bch_struct_desc *d,
	       const void *base, const struct out_kv *extra, size_t nextra);

/*
 * The problems of one device as the "problems" table (code, severity, byte
 * offset, struct.field, message).  Text mode prints nothing when there are
 * none; JSON always has the (possibly empty) array.
 */
int out_problems(struct out *o, const struct bch_problems *ps);
/* "0 errors, 1 warning" of a problem list, in buf. */
const char *out_problem_counts(char *buf, size_t len, const struct bch_problems *ps);

#endif
