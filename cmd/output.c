// SPDX-License-Identifier: GPL-2.0
/*
 * Text through libsmartcols, JSON through yajl's generator (see output.h).
 */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "output.h"

/* Integers above this are not exact in a double: JSON gets a string. */
#define OUT_EXACT_MAX (1ULL << 53)

/* ---- the JSON stream ---- */

/*
 * yajl hands over a few bytes at a time: they are gathered in o->buf and
 * written to stdout in large pieces.
 */
static void json_flush(struct out *o)
{
	if (o->blen && fwrite_unlocked(o->buf, 1, o->blen, stdout) != o->blen && !o->err)
		o->err = -EIO;
	o->blen = 0;
}

static void json_print(void *ctx, const char *s, size_t n)
{
	struct out *o = ctx;

	if (o->blen + n > sizeof(o->buf)) {
		json_flush(o);
		if (n > sizeof(o->buf)) {
			if (fwrite_unlocked(s, 1, n, stdout) != n && !o->err)
				o->err = -EIO;
			return;
		}
	}
	if (n <= 8) {		/* most pieces are a quote, a colon, a comma */
		for (size_t i = 0; i < n; i++)
			o->buf[o->blen + i] = s[i];
	} else {
		memcpy(o->buf + o->blen, s, n);
	}
	o->blen += n;
}

static void jcheck(struct out *o, yajl_gen_status st)
{
	if (st != yajl_gen_status_ok && !o->err)
		o->err = -EINVAL;
}

/*
 * The length of the valid UTF-8 sequence at p (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0; 0 too for an ASCII control
 * character, which no string of the output holds either.
 */
static size_t utf8_len(const unsigned char *p)
{
	unsigned char c = p[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return c >= 0x20 && c != 0x7f;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* Whether the n bytes at s are printable ASCII (the common case, fast). */
static bool plain_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* out_escape() of the n bytes at s (a NUL among them is escaped too). */
static char *escape_n(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t bad = 0, len;
	char *e, *q;

	for (size_t i = 0; i < n; i += len ? len : 1)
		if (!(len = utf8_len(p + i)))
			bad++;
	if (!bad)
		return NULL;
	e = malloc(n + 3 * bad + 1);
	if (!e)
		return NULL;
	q = e;
	for (size_t i = 0; i < n; i += len ? len : 1) {
		len = utf8_len(p + i);
		if (len) {
			memcpy(q, p + i, len);
			q += len;
		} else {
			q += sprintf(q, "\\x%02x", p[i]);
		}
	}
	*q = '\0';
	return e;
}

char *out_escape(const char *s)
{
	return escape_n(s, strlen(s));
}

bool out_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t len; *p; p += len)
		if (!(len = utf8_len(p)))
			return false;
	return true;
}

/*
 * A string: every byte that is not part of valid UTF-8, and every control
 * character, as the text "\xNN" (bcache(8), TEXT ENCODING); yajl then
 * escapes the backslash.
 */
static void jstr(struct out *o, const char *s, size_t n)
{
	char *e = NULL;

	if (!plain_ascii(s, n))
		e = escape_n(s, n);
	if (e) {
		jcheck(o, yajl_gen_string(o->g, (const unsigned char *)e, strlen(e)));
		free(e);
		return;
	}
	jcheck(o, yajl_gen_string(o->g, (const unsigned char *)s, n));
}

void out_json_key(struct out *o, const char *key)
{
	jstr(o, key, strlen(key));
}

void out_json_str(struct out *o, const char *s)
{
	jstr(o, s, strlen(s));
}

/* The digits of v, right-aligned before end (two at a time). */
static char *dec_digits(char *end, uint64_t v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";

	while (v >= 100) {
		const char *p = pairs + 2 * (v % 100);

		v /= 100;
		*--end = p[1];
		*--end = p[0];
	}
	if (v >= 10) {
		*--end = pairs[2 * v + 1];
		*--end = pairs[2 * v];
	} else {
		*--end = (char)('0' + v);
	}
	return end;
}

static char *hex_digits(char *end, uint64_t v, int min)
{
	char *stop = end - min;

	do {
		*--end = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v || end > stop);
	*--end = 'x';
	*--end = '0';
	return end;
}

void out_json_big(struct out *o, uint64_t v)
{
	char buf[24], *s = dec_digits(buf + sizeof(buf), v);

	jstr(o, s, (size_t)(buf + sizeof(buf) - s));
}

void out_json_u64(struct out *o, uint64_t v)
{
	char buf[24], *s = dec_digits(buf + sizeof(buf), v);

	if (v > OUT_EXACT_MAX)
		jstr(o, s, (size_t)(buf + sizeof(buf) - s));
	else
		jcheck(o, yajl_gen_number(o->g, s, (size_t)(buf + sizeof(buf) - s)));
}

void out_json_bool(struct out *o, bool v)
{
	jcheck(o, yajl_gen_bool(o->g, v));
}

void out_json_open(struct out *o, bool array)
{
	jcheck(o, array ? yajl_gen_array_open(o->g) : yajl_gen_map_open(o->g));
}

void out_json_close(struct out *o, bool array)
{
	jcheck(o, array ? yajl_gen_array_close(o->g) : yajl_gen_map_close(o->g));
}

/*
 * libsmartcols measures text cells with the C library's multibyte functions
 * in the locale of LC_CTYPE.  In the "C" locale (a program that never calls
 * setlocale) a UTF-8 character is no character, and printing a table wider
 * than the terminal with one in a cell (a device path, a label) never ended
 * (libsmartcols 2.38).  Every string the tool prints is UTF-8 (bcache(8),
 * TEXT ENCODING), so it is measured as UTF-8: in C.UTF-8 (no language's case
 * rules for the headers), else in the user's locale if that is UTF-8.
 * Without either, cells are left for libsmartcols to encode (\xNN).  Only a
 * table with such a cell needs it, and a locale costs 0.4 ms to load: the
 * first one switches (table_print).
 */
static bool utf8_ctype(void)
{
	static int ok = -1;

	if (ok < 0) {
		ok = setlocale(LC_CTYPE, "C.UTF-8") || setlocale(LC_CTYPE, "C.utf8");
		if (!ok && setlocale(LC_CTYPE, ""))
			ok = !strcmp(nl_langinfo(CODESET), "UTF-8");
		if (!ok)
			setlocale(LC_CTYPE, "C");
	}
	return ok;
}

void out_init(struct out *o, bool json)
{
	memset(o, 0, sizeof(*o));
	o->json = json;
	if (!json)
		return;
	o->g = yajl_gen_alloc(NULL);
	if (!o->g) {
		o->err = -ENOMEM;
		o->json = false;	/* nothing can be written */
		return;
	}
	/* compact: a big document is 2 million rows (jq . prints it indented) */
	yajl_gen_config(o->g, yajl_gen_print_callback, json_print, o);
	out_json_open(o, false);
	out_json_key(o, "schema_version");
	out_json_u64(o, OUT_SCHEMA_VERSION);
}

bool out_opt(struct out_opts *f, int val)
{
	switch (val) {
	case 'J':
		f->json = true;
		return true;
	case 'b':
		f->bytes = true;
		return true;
	case 'q':
		f->quiet = true;
		return true;
	}
	return false;
}

void out_init_opts(struct out *o, const struct out_opts *f)
{
	out_init(o, f->json);
	o->bytes = f->bytes;
	o->quiet = f->quiet;
}

void out_device_end(struct out *o)
{
	if (o->json && o->in_device)
		out_json_close(o, false);
	o->in_device = false;
}

void out_device(struct out *o, const char *path)
{
	out_device_end(o);
	if (!o->json)
		return;
	if (!o->in_devices) {
		out_json_key(o, "devices");
		out_json_open(o, true);
		o->in_devices = true;
	}
	out_json_open(o, false);
	out_json_key(o, "device");
	out_json_str(o, path);
	o->in_device = true;
}

int out_finish(struct out *o)
{
	int rc = o->err;

	if (o->json) {
		out_device_end(o);
		if (o->in_devices)
			out_json_close(o, true);
		out_json_close(o, false);
		yajl_gen_free(o->g);
		o->g = NULL;
		json_print(o, "\n", 1);
		json_flush(o);
		rc = o->err;
	}
	if (fflush(stdout) || ferror(stdout))
		return -EIO;
	return rc;
}

/* ---- text ---- */

/*
 * The columns of the n bytes at s, which are valid UTF-8 (escaped by
 * out_escape): one per character, as a terminal shows most of them (not
 * East Asian wide ones, two each, nor combining marks; measuring those
 * needs the locale that the tool loads only for tables).
 */
static size_t text_cols(const char *s, size_t n)
{
	size_t cols = 0;

	for (size_t i = 0; i < n; i++)
		cols += ((unsigned char)s[i] & 0xc0) != 0x80;	/* not a continuation byte */
	return cols;
}

/*
 * Print s (valid UTF-8) as lines of at most width columns (0: one line),
 * broken after a ", " or "; " and continued with an indent of two; a piece
 * longer than the width stays whole.
 */
static void print_wrapped(const char *s, int width)
{
	size_t col = 0, w = width > 0 ? (size_t)width : SIZE_MAX;

	while (*s) {
		const char *a = strstr(s, ", "), *b = strstr(s, "; "), *end;
		size_t n, cols;

		/* the next piece: up to and including the separator's , or ; */
		end = !a || (b && b < a) ? b : a;
		n = end ? (size_t)(end - s) + 1 : strlen(s);
		cols = text_cols(s, n);
		if (col && col + 1 + cols > w) {
			fputs("\n  ", stdout);
			col = 2;
		} else if (col) {
			putchar(' ');
			col++;
		}
		fwrite(s, 1, n, stdout);
		col += cols;
		s += end ? n + 1 : n;	/* past the separator's space */
	}
	putchar('\n');
}

static void vtitle(struct out *o, const char *fmt, va_list ap)
{
	char *t, *e;

	o->last_struct = false;
	if (o->nprinted++)
		putchar('\n');
	if (vasprintf(&t, fmt, ap) < 0)
		return;
	e = out_escape(t);
	print_wrapped(e ? e : t, out_width());
	free(e);
	free(t);
}

void out_title(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->json)
		return;
	va_start(ap, fmt);
	vtitle(o, fmt, ap);
	va_end(ap);
}

void out_health(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->json || o->quiet)
		return;
	va_start(ap, fmt);
	vtitle(o, fmt, ap);
	va_end(ap);
}

void out_size_text(char *buf, size_t len, uint64_t bytes)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	int u = 0;

	while (u < 6 && bytes >= (1ULL << (10 * (u + 1))))
		u++;
	if (!u || !(bytes & ((1ULL << (10 * u)) - 1))) {
		snprintf(buf, len, "%llu %s", (unsigned long long)(bytes >> (10 * u)), unit[u]);
	} else {
		/* one decimal, rounded down (never shows more than there is) */
		unsigned long long whole = bytes >> (10 * u);
		unsigned long long tenth = ((bytes - (whole << (10 * u))) * 10) >> (10 * u);

		snprintf(buf, len, "%llu.%llu %s", whole, tenth, unit[u]);
	}
}

/* ---- tables ---- */

static bool is_number(int type)
{
	return type == OUT_NUM || type == OUT_BIG || type == OUT_BYTES || type == OUT_HEX;
}

static int scols_flags(const struct out_col *c)
{
	int f = 0;

	if ((c->flags & OUT_RIGHT) || is_number(c->type))
		f |= SCOLS_FL_RIGHT;
	if (c->flags & OUT_TRUNC)
		f |= SCOLS_FL_TRUNC;
	if (c->flags & OUT_WRAP)
		f |= SCOLS_FL_WRAP;
	if (c->flags & OUT_TREEC)
		f |= SCOLS_FL_TREE;
	return f;
}

static int text_columns(struct out_table *t)
{
	for (int i = 0; i < t->nsel; i++) {
		const struct out_col *c = &t->cat[t->sel[i]];
		char header[64];
		size_t k;

		for (k = 0; c->name[k] && k < sizeof(header) - 1; k++)
			header[k] = (char)(c->name[k] >= 'a' && c->name[k] <= 'z' ?
					   c->name[k] - 'a' + 'A' : c->name[k]);
		header[k] = '\0';
		if (!scols_table_new_column(t->tb, header, 0, scols_flags(c)))
			return -ENOMEM;
	}
	return 0;
}

/*
 * The width text tables fit, as lsblk: on a terminal its width
 * (libsmartcols asks it); piped, $COLUMNS when set (a positive number),
 * else none (0: lines as long as their cells).
 */
static int text_width(void)
{
	const char *c = getenv("COLUMNS");
	char *end;
	long w;

	if (isatty(STDOUT_FILENO) || !c || !*c)
		return 0;
	w = strtol(c, &end, 10);
	return *end || w <= 0 || w > 100000 ? 0 : (int)w;
}

int out_width(void)
{
	struct winsize ws;

	if (isatty(STDOUT_FILENO))
		return !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) ? ws.ws_col : 0;
	return text_width();
}

static struct out_table *table_new(struct out *o, const char *name, const struct out_col *cat,
				   int n, const int *sel, int nsel, unsigned int flags)
{
	struct out_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->o = o;
	t->name = name;
	t->cat = cat;
	t->ncat = n < OUT_MAX_COLS ? n : OUT_MAX_COLS;
	t->flags = flags;
	memset(t->pos, -1, sizeof(t->pos));
	if (sel) {
		for (int i = 0; i < nsel && t->nsel < OUT_MAX_COLS; i++)
			if (sel[i] >= 0 && sel[i] < t->ncat && t->pos[sel[i]] < 0)
				t->sel[t->nsel++] = sel[i];
	} else {
		for (int i = 0; i < t->ncat; i++)
			if (o->json || (cat[i].flags & OUT_DEF))
				t->sel[t->nsel++] = i;
	}
	for (int i = 0; i < t->nsel; i++) {
		t->pos[t->sel[i]] = (signed char)i;
		t->klen[i] = (unsigned char)strlen(cat[t->sel[i]].name);
	}
	if (o->json) {
		t->cells = calloc(t->nsel ? (size_t)t->nsel : 1, sizeof(*t->cells));
		if (!t->cells)
			goto fail;
		return t;
	}
	t->tb = scols_new_table();
	if (!t->tb || text_columns(t))
		goto fail;
	scols_table_set_name(t->tb, name);
	/* cells are escaped already (cell()); see table_print */
	scols_table_enable_noencoding(t->tb, 1);
	if (text_width()) {
		scols_table_set_termforce(t->tb, SCOLS_TERMFORCE_ALWAYS);
		scols_table_set_termwidth(t->tb, (size_t)text_width());
	}
	/* tree lines in ASCII ("|-", "`-") in every locale, as in "C" */
	scols_table_enable_ascii(t->tb, 1);
	if (flags & OUT_T_NOHEADINGS)
		scols_table_enable_noheadings(t->tb, 1);
	return t;
fail:
	out_table_free(t);
	return NULL;
}

struct out_table *out_table(struct out *o, const char *name, const struct out_col *cat,
			    int n, const int *sel, int nsel, unsigned int flags)
{
	struct out_table *t = table_new(o, name, cat, n, sel, nsel, flags);

	if (t && o->json) {
		out_json_key(o, name);
		if (!(flags & OUT_T_OBJECT))
			out_json_open(o, true);
	}
	return t;
}

void out_table_title(struct out_table *t, const char *fmt, ...)
{
	va_list ap;

	if (t->o->json)
		return;
	free(t->title);
	va_start(ap, fmt);
	if (vasprintf(&t->title, fmt, ap) < 0)
		t->title = NULL;
	va_end(ap);
}

void out_table_free(struct out_table *t)
{
	if (!t)
		return;
	if (t->child)
		out_table_free(t->child);
	if (t->cells)
		for (int i = 0; i < t->nsel; i++)
			free(t->cells[i].heap);
	free(t->cells);
	free(t->title);
	if (t->tb)
		scols_unref_table(t->tb);
	free(t);
}

/* JSON: an array of the comma-separated strings of s. */
static void json_list(struct out *o, const char *s)
{
	out_json_open(o, true);
	while (*s) {
		size_t n = strcspn(s, ",");

		jstr(o, s, n);
		s += n + (s[n] == ',');
	}
	out_json_close(o, true);
}

/* JSON: key and value of the cell at position i of the row. */
static void json_cell(struct out_table *t, int i, const char *p, size_t len, bool num,
		      bool boolean)
{
	struct out *o = t->o;

	/* catalogue names are ASCII: no check needed */
	jcheck(o, yajl_gen_string(o->g, (const unsigned char *)t->cat[t->sel[i]].name,
				  t->klen[i]));
	if (!p || (!len && !boolean))	/* unset or empty: null */
		jcheck(o, yajl_gen_null(o->g));
	else if (boolean)
		jcheck(o, yajl_gen_bool(o->g, p[0] == '1'));
	else if (num)
		jcheck(o, yajl_gen_number(o->g, p, len));
	else if (t->cat[t->sel[i]].type == OUT_HEXV)
		json_list(o, p);
	else
		jstr(o, p, len);
}

/* JSON: write the cells of the pending row not written yet (its object stays open). */
static void json_cells(struct out_table *t)
{
	if (!t->next)
		out_json_open(t->o, false);
	for (int i = t->next; i < t->nsel; i++) {
		struct out_cellbuf *c = &t->cells[i];

		json_cell(t, i, c->p, c->len, c->num, c->boolean);
		free(c->heap);
		c->heap = NULL;
		c->p = NULL;
	}
	t->next = 0;
	t->buffered = false;
	t->row = 2;
}

/* JSON: end the pending or open row; open_children: keep it open for a tree. */
static void json_row_end(struct out_table *t, bool open_children)
{
	if (!t->row)
		return;
	if (t->row == 1)
		json_cells(t);
	if (open_children) {
		out_json_key(t->o, "children");
		out_json_open(t->o, true);
		t->open++;
	} else {
		out_json_close(t->o, false);
	}
	t->row = 0;
}

/*
 * Text: what goes before a table: its title (after a blank line), or a
 * blank line, or nothing after the caller's own title line (OUT_T_NOTITLE).
 */
static void table_head(struct out_table *t)
{
	if (t->flags & OUT_T_NOTITLE) {	/* a table that follows a title of its own */
		if (t->o->nprinted > 1 && t->o->last_struct)
			putchar('\n');
		t->o->last_struct = true;
		return;
	}
	t->o->last_struct = false;
	if (t->title)
		out_title(t->o, "%s", t->title);
	else if (t->o->nprinted++)
		putchar('\n');
}

/*
 * Text: print the lines so far; a table with a UTF-8 cell is measured in a
 * UTF-8 LC_CTYPE (utf8_ctype).
 */
static int table_print(struct out_table *t)
{
	if (t->utf8 && !utf8_ctype())	/* no UTF-8 locale: libsmartcols encodes */
		scols_table_enable_noencoding(t->tb, 0);
	return scols_print_table(t->tb);
}

/* Text: print the lines so far (big tables); the first chunk sets the widths. */
static int text_chunk(struct out_table *t)
{
	int rc;

	if (!t->chunks)
		table_head(t);
	rc = table_print(t);
	if (!t->chunks++) {
		/* a hint below the width needed is ignored: columns only grow */
		for (size_t n = 0; n < scols_table_get_ncols(t->tb); n++) {
			struct libscols_column *cl = scols_table_get_column(t->tb, n);

			scols_column_set_whint(cl, (double)scols_column_get_width(cl));
		}
		scols_table_enable_noheadings(t->tb, 1);
	}
	scols_table_remove_lines(t->tb);
	return rc;
}

int out_line(struct out_table *t, int depth)
{
	if (depth < 0 || depth >= OUT_MAX_DEPTH)
		return -EINVAL;
	t->nrows++;
	if (t->o->json) {
		if (t->row && depth > t->depth) {
			json_row_end(t, true);
		} else {
			json_row_end(t, false);
			for (; t->open > depth; t->open--) {
				out_json_close(t->o, true);
				out_json_close(t->o, false);
			}
		}
		t->row = 1;
		t->depth = depth;
		return t->o->err;
	}
	if (!(t->flags & OUT_T_TREE) && scols_table_get_nlines(t->tb) >= OUT_CHUNK_LINES) {
		int rc = text_chunk(t);

		if (rc)
			return rc;
	}
	t->ln = scols_table_new_line(t->tb, depth ? t->level[depth - 1] : NULL);
	if (!t->ln)
		return -ENOMEM;
	t->level[depth] = t->ln;
	return 0;
}

bool out_shown(const struct out_table *t, int id)
{
	return id >= 0 && id < t->ncat && t->pos[id] >= 0;
}

/*
 * Set the cell of column id: text s (len n); JSON: a number when num, true
 * or false (s "1" or "0") when boolean.
 */
static void cell_of(struct out_table *t, int id, const char *s, size_t n, bool num,
		    bool boolean)
{
	struct out_cellbuf *c;
	int p;

	if (!out_shown(t, id))
		return;
	p = t->pos[id];
	if (!t->o->json) {
		bool esc;
		char *d;

		/* set once: the first value stays, as in JSON */
		if (!t->ln || scols_cell_get_data(scols_line_get_cell(t->ln, (size_t)p)))
			return;
		esc = !num && !plain_ascii(s, n);
		t->utf8 |= esc;
		d = esc ? escape_n(s, n) : NULL;

		if (!d)
			d = strndup(s, n);

		if (!d || scols_line_refer_data(t->ln, (size_t)p, d)) {
			free(d);
			t->o->err = -ENOMEM;
		}
		return;
	}
	/* the next cell of a pending row in column order: written now */
	if (t->row == 1 && !t->buffered && p == t->next) {
		if (!p)
			out_json_open(t->o, false);
		json_cell(t, p, s, n, num, boolean);
		t->next++;
		return;
	}
	/* a column written or buffered already is not set twice (the first value stays) */
	c = &t->cells[p];
	if (p < t->next || (t->buffered && c->p))
		return;
	t->buffered = true;
	free(c->heap);
	c->heap = NULL;
	c->num = num;
	c->boolean = boolean;
	c->len = (unsigned int)n;
	if (n < sizeof(c->buf)) {
		memcpy(c->buf, s, n);
		c->buf[n] = '\0';
		c->p = c->buf;
	} else {
		c->heap = strndup(s, n);
		c->p = c->heap;
		if (!c->heap)
			t->o->err = -ENOMEM;
	}
}

static void cell(struct out_table *t, int id, const char *s, size_t n, bool num)
{
	cell_of(t, id, s, n, num, false);
}

void out_str(struct out_table *t, int id, const char *s)
{
	if (s)
		cell(t, id, s, strlen(s), false);
}

void out_fmt(struct out_table *t, int id, const char *fmt, ...)
{
	char buf[256], *s = NULL;
	va_list ap;
	int n;

	if (!out_shown(t, id))
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(buf)) {
		cell(t, id, buf, (size_t)n, false);
		return;
	}
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n >= 0)
		cell(t, id, s, (size_t)n, false);
	free(s);
}

void out_u64(struct out_table *t, int id, uint64_t v)
{
	char buf[40], *s, *end = buf + sizeof(buf);
	int type;

	if (!out_shown(t, id))
		return;
	type = t->cat[id].type;
	if (type == OUT_BYTES && !t->o->json && !t->o->bytes) {
		out_size_text(buf, sizeof(buf), v);
		cell(t, id, buf, strlen(buf), false);
		return;
	}
	if (type == OUT_HEX) {
		out_hex(t, id, v);
		return;
	}
	s = dec_digits(end, v);
	cell(t, id, s, (size_t)(end - s), type != OUT_STR && v <= OUT_EXACT_MAX);
}

void out_s64(struct out_table *t, int id, int64_t v)
{
	char buf[24];

	if (v >= 0) {
		out_u64(t, id, (uint64_t)v);
		return;
	}
	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	if (out_shown(t, id))
		cell(t, id, buf, strlen(buf), t->cat[id].type == OUT_NUM);
}

static void hex_cell(struct out_table *t, int id, uint64_t v, int min)
{
	char buf[24], *s;

	if (!out_shown(t, id))
		return;
	s = hex_digits(buf + sizeof(buf), v, min);
	cell(t, id, s, (size_t)(buf + sizeof(buf) - s), false);
}

void out_color(struct out_table *t, int id, const char *sgr)
{
	char seq[32];

	if (t->o->json || t->o->color != OUT_COLOR_ALWAYS || !sgr || !t->ln ||
	    !out_shown(t, id))
		return;
	snprintf(seq, sizeof(seq), "\033[0;%sm", sgr);
	if (scols_table_enable_colors(t->tb, 1) ||
	    scols_cell_set_color(scols_line_get_cell(t->ln, (size_t)t->pos[id]), seq))
		t->o->err = -ENOMEM;
}

void out_hex(struct out_table *t, int id, uint64_t v)
{
	hex_cell(t, id, v, 1);
}

void out_hex16(struct out_table *t, int id, uint64_t v)
{
	hex_cell(t, id, v, 16);
}

void out_bool(struct out_table *t, int id, bool v)
{
	if (!out_shown(t, id))
		return;
	if (!t->o->json) {
		cell(t, id, v ? "true" : "false", v ? 4 : 5, false);
		return;
	}
	cell_of(t, id, v ? "1" : "0", 1, false, true);
}

/*
 * An array of hex values (HEXV column).  JSON: an array of "0x..." strings;
 * text: the non-zero ones as "[j]0x..." (all zero: "-").
 */
void out_hexv(struct out_table *t, int id, const uint64_t *v, int n)
{
	char text[512];
	size_t len = 0;

	if (!out_shown(t, id))
		return;
	for (int j = 0; j < n && len < sizeof(text); j++) {
		if (!v[j] && !t->o->json)
			continue;
		if (t->o->json)
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s0x%llx",
						len ? "," : "", (unsigned long long)v[j]);
		else
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s[%d]0x%llx",
						len ? "," : "", j, (unsigned long long)v[j]);
	}
	if (len >= sizeof(text))
		len = sizeof(text) - 1;
	if (!len && !t->o->json)
		out_str(t, id, "-");
	else
		cell(t, id, text, len, false);
}

struct out_table *out_child(struct out_table *parent, const char *name,
			    const struct out_col *cat, int n)
{
	struct out *o = parent->o;

	if (!o->json) {
		if (!parent->child)
			parent->child = table_new(o, name, cat, n, NULL, 0, OUT_T_SKIP_EMPTY);
		return parent->child;
	}
	if (parent->row == 1)
		json_cells(parent);
	return out_table(o, name, cat, n, NULL, 0, 0);
}

int out_child_end(struct out_table *t)
{
	if (!t->o->json)
		return 0;
	return out_emit(t);
}

int out_emit(struct out_table *t)
{
	struct out *o = t->o;
	int rc = 0;

	if (o->json) {
		json_row_end(t, false);
		for (; t->open > 0; t->open--) {
			out_json_close(o, true);
			out_json_close(o, false);
		}
		if (!(t->flags & OUT_T_OBJECT))
			out_json_close(o, true);
		else if (!t->nrows)
			jcheck(o, yajl_gen_null(o->g));
		rc = o->err;
	} else if (!t->nrows && (t->flags & OUT_T_SKIP_EMPTY)) {
		rc = 0;
	} else if (t->chunks) {
		if (scols_table_get_nlines(t->tb))
			rc = table_print(t);
	} else {
		table_head(t);
		rc = table_print(t);
	}
	if (!rc && t->child) {
		rc = out_emit(t->child);
		t->child = NULL;
	}
	out_table_free(t);
	return rc;
}

int out_parse_columns(const struct out_col *cat, int n, const char *list, int *sel,
		      const char **bad)
{
	static char badbuf[64];
	int count = 0;
	char *copy, *tok, *save = NULL;

	if (!list || list[0] == '+')
		for (int i = 0; i < n && count < OUT_MAX_COLS; i++)
			if (cat[i].flags & OUT_DEF)
				sel[count++] = i;
	if (!list)
		return count;
	copy = strdup(list[0] == '+' ? list + 1 : list);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int i;

		for (i = 0; i < n; i++)
			if (!strcasecmp(cat[i].name, tok))
				break;
		if (i == n) {
			snprintf(badbuf, sizeof(badbuf), "%s", tok);
			*bad = badbuf;
			free(copy);
			return -EINVAL;
		}
		if (count < OUT_MAX_COLS)
			sel[count++] = i;
	}
	free(copy);
	return count;
}

/* ---- structs ---- */

static void kv_json(struct out *o, const char *key, const char *v, int type)
{
	out_json_key(o, key);
	if (type == OUT_BOOL)
		out_json_bool(o, v[0] == '1' || !strcmp(v, "true"));
	else if ((type == OUT_NUM || type == OUT_BIG) && *v)
		out_json_u64(o, strtoull(v, NULL, 10));
	else if (!*v)		/* an empty value: not applicable */
		jcheck(o, yajl_gen_null(o->g));
	else
		out_json_str(o, v);
}

OUT_CATALOGUE(BCH_COLS_FIELDS, FV, field_cols);

int out_struct(struct out *o, const char *name, const struct bch_struct_desc *d,
	       const void *base, const struct out_kv *extra, size_t nextra)
{
	struct out_table *t = NULL;
	char small[128];
	int rc = 0;

	if (o->json) {
		out_json_key(o, name);
		out_json_open(o, false);
	} else {
		t = table_new(o, name, field_cols, FV_NCOLS, NULL, 0, OUT_T_NOTITLE);
		if (!t)
			return -ENOMEM;
	}
	for (size_t i = 0; i < d->nfields + nextra && !rc; i++) {
		const struct bch_field *f = i < d->nfields ? &d->fields[i] : NULL;
		const char *key = f ? f->name : extra[i - d->nfields].key;
		char *val = small;
		int type = f ? OUT_STR : extra[i - d->nfields].type;

		if (f) {
			int need = bch_field_format(f, base, small, sizeof(small));

			/* padding: text mode shows it only when non-zero */
			if (!o->json && f->kind == BCH_FK_PAD && bch_field_is_zero(f, base))
				continue;
			if (need < 0)
				return need;
			if ((size_t)need >= sizeof(small)) {
				val = malloc((size_t)need + 1);
				if (!val) {
					rc = -ENOMEM;
					break;
				}
				bch_field_format(f, base, val, (size_t)need + 1);
			}
			if (f->kind == BCH_FK_UINT)
				type = OUT_NUM;
		} else {
			val = (char *)extra[i - d->nfields].value;
		}
		if (o->json) {
			kv_json(o, key, val, type);
		} else {
			rc = out_line(t, 0);
			out_str(t, FV_FIELD, key);
			if (type == OUT_BOOL)
				out_str(t, FV_VALUE, val[0] == '1' || !strcmp(val, "true") ?
					"true" : "false");
			else
				out_str(t, FV_VALUE, val);
		}
		if (val != small && f)
			free(val);
	}
	if (o->json) {
		out_json_close(o, false);
		return rc ? rc : o->err;
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

/* ---- problems ---- */

OUT_CATALOGUE(BCH_COLS_PROBLEMS, PR, problem_cols);

const char *out_problem_counts(char *buf, size_t len, const struct bch_problems *ps)
{
	size_t e = 0, w = 0;

	for (size_t i = 0; i < ps->n; i++) {
		e += ps->v[i].severity == BCH_SEV_ERROR;
		w += ps->v[i].severity == BCH_SEV_WARN;
	}
	if (!ps->n)
		snprintf(buf, len, "no problems found");
	else
		snprintf(buf, len, "%zu error%s, %zu warning%s, %zu note%s", e, e == 1 ? "" : "s",
			 w, w == 1 ? "" : "s", ps->n - e - w, ps->n - e - w == 1 ? "" : "s");
	return buf;
}

int out_problems(struct out *o, const struct bch_problems *ps)
{
	struct out_table *t = out_table(o, "problems", problem_cols, PR_NCOLS, NULL, 0,
					OUT_T_SKIP_EMPTY);
	int rc = 0;

	if (!t)
		return -ENOMEM;
	out_table_title(t, "Problems");
	for (size_t i = 0; i < ps->n && !rc; i++) {
		const struct bch_problem *p = &ps->v[i];

		rc = out_line(t, 0);
		out_str(t, PR_CODE, bch_problem_name(p->code));
		out_str(t, PR_SEVERITY, bch_severity_name(p->severity));
		out_u64(t, PR_OFFSET, p->offset);
		out_str(t, PR_WHERE, p->where);
		out_str(t, PR_MESSAGE, p->message);
	}
	if (!rc && ps->dropped) {	/* the list hit its cap: say how much is missing */
		rc = out_line(t, 0);
		out_str(t, PR_CODE, bch_problem_name(BCH_P_DROPPED));
		out_str(t, PR_SEVERITY,
			bch_severity_name(bch_problem_default_severity(BCH_P_DROPPED)));
		out_u64(t, PR_OFFSET, 0);
		out_str(t, PR_WHERE, "problems");
		out_fmt(t, PR_MESSAGE, "%zu more problems are not listed (the list holds %zu)",
			ps->dropped, ps->n);
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}
