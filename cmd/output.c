// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "output.h"

/*
 * libsmartcols measures text cells with the C library's multibyte functions
 * in the locale of LC_CTYPE.  In the "C" locale (a program that never calls
 * setlocale) a UTF-8 character is no character, and printing a table wider
 * than the terminal with one in a cell (a device path, a label) never ended
 * (libsmartcols 2.38).  Every string the tool prints is UTF-8 (bcache(8),
 * TEXT ENCODING), so it is measured as UTF-8: in C.UTF-8 (no language's case
 * rules for the headers), else in the user's locale if that is UTF-8.
 * Without either, cells are left for libsmartcols to encode (\xNN).
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
	(void)utf8_ctype();
}

struct libscols_table *out_table(struct out *o, const char *name)
{
	struct libscols_table *tb;

	if (o->json) {
		for (int i = 0; i < o->npending; i++)
			if (o->pending[i] && !strcmp(scols_table_get_name(o->pending[i]), name))
				return o->pending[i];
	}
	tb = scols_new_table();
	if (!tb)
		return NULL;
	scols_table_set_name(tb, name);
	if (o->json)
		scols_table_enable_json(tb, 1);
	if (o->raw)
		scols_table_enable_raw(tb, 1);
	if (o->noheadings)
		scols_table_enable_noheadings(tb, 1);
	/* cells are escaped already (out_set): the same as JSON */
	if (!o->json && utf8_ctype())
		scols_table_enable_noencoding(tb, 1);
	/* tree lines in ASCII ("|-", "`-") in every locale, as in "C" */
	scols_table_enable_ascii(tb, 1);
	return tb;
}

struct libscols_column *out_column(struct out *o, struct libscols_table *tb,
				   const char *name, int json_type, int flags)
{
	char header[64];
	struct libscols_column *cl;
	size_t i;

	for (i = 0; name[i] && i < sizeof(header) - 1; i++)
		header[i] = o->json ? name[i] : (char)toupper((unsigned char)name[i]);
	header[i] = '\0';
	cl = scols_table_new_column(tb, header, 0, flags);
	if (cl)
		scols_column_set_json_type(cl, json_type);
	return cl;
}

/*
 * The length of the valid UTF-8 sequence at p (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0; 0 too for an ASCII control
 * character, which no cell holds either.
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

char *out_escape(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0, len;
	char *e, *q;

	for (size_t i = 0; p[i]; i += len ? len : 1)
		if (!(len = utf8_len(p + i)))
			n++;
	if (!n)
		return NULL;
	e = malloc(strlen(s) + 3 * n + 1);
	if (!e)
		return NULL;
	q = e;
	for (size_t i = 0; p[i]; i += len ? len : 1) {
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

bool out_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t len; *p; p += len)
		if (!(len = utf8_len(p)))
			return false;
	return true;
}

int out_set(struct libscols_line *ln, size_t n, const char *s)
{
	char *e;
	int rc;

	if (out_utf8_valid(s))
		return scols_line_set_data(ln, n, s);
	e = out_escape(s);
	if (!e)
		return -ENOMEM;
	rc = scols_line_refer_data(ln, n, e);
	if (rc)
		free(e);
	return rc;
}

int out_refer(struct libscols_line *ln, size_t n, char *s)
{
	char *e;
	int rc;

	if (!out_utf8_valid(s)) {
		e = out_escape(s);
		free(s);
		if (!e)
			return -ENOMEM;
		s = e;
	}
	rc = scols_line_refer_data(ln, n, s);
	if (rc)
		free(s);
	return rc;
}

int out_cell(struct libscols_line *ln, size_t n, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	char *s;
	int rc;

	va_start(ap, fmt);
	rc = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (rc >= 0 && (size_t)rc < sizeof(buf))
		return out_set(ln, n, buf);
	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	return out_refer(ln, n, s);
}

/* The digits of v, right-aligned before end. */
static char *dec_digits(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

static char *hex_digits(char *end, uint64_t v)
{
	do {
		*--end = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	return end;
}

char *out_u64(char buf[OUT_NUM_LEN], uint64_t v)
{
	buf[OUT_NUM_LEN - 1] = '\0';
	return dec_digits(buf + OUT_NUM_LEN - 1, v);
}

char *out_hex(char buf[OUT_NUM_LEN], uint64_t v)
{
	char *s;

	buf[OUT_NUM_LEN - 1] = '\0';
	s = hex_digits(buf + OUT_NUM_LEN - 1, v);
	*--s = 'x';
	*--s = '0';
	return s;
}

const char *out_bool(const struct out *o, bool v)
{
	if (o->json)
		return v ? "1" : "0";
	return v ? "true" : "false";
}

void out_title(struct out *o, const char *fmt, ...)
{
	char *t, *e;
	va_list ap;
	int rc;

	if (o->json)
		return;
	if (o->nprinted++)
		putchar('\n');
	va_start(ap, fmt);
	rc = vasprintf(&t, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return;
	e = out_escape(t);
	fputs(e ? e : t, stdout);
	putchar('\n');
	free(e);
	free(t);
}

/*
 * libsmartcols renders a JSON table a few bytes at a time.  It renders into
 * o->render: an unlocked stream with a large buffer whose writes append to
 * o->rbuf, which is kept from one table (chunk) to the next.
 */
static int buf_append(struct out_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1 << 20;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	if (s)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	return 0;
}

static ssize_t render_write(void *cookie, const char *s, size_t n)
{
	struct out *o = cookie;

	return buf_append(&o->rbuf, s, n) ? -1 : (ssize_t)n;
}

/* Render a table as a JSON document into o->rbuf (NUL-terminated). */
static int render(struct out *o, struct libscols_table *tb, const char **doc)
{
	int rc;

	if (!o->render) {
		static const cookie_io_functions_t io = { .write = render_write };

		o->render = fopencookie(o, "w", io);
		if (!o->render)
			return -ENOMEM;
		setvbuf(o->render, NULL, _IOFBF, 1 << 20);
		__fsetlocking(o->render, FSETLOCKING_BYCALLER);
	}
	o->rbuf.len = 0;
	rc = scols_table_set_stream(tb, o->render);
	if (!rc)
		rc = scols_print_table(tb);
	scols_table_set_stream(tb, stdout);
	if (!rc && (fflush(o->render) || ferror(o->render)))
		rc = -ENOMEM;
	if (rc)
		return rc;
	if (!o->rbuf.p)		/* nothing written */
		return -EINVAL;
	o->rbuf.p[o->rbuf.len] = '\0';
	*doc = o->rbuf.p;
	return 0;
}

/* The member "name": [...] of a one-table document {...}, trimmed. */
static int member_of(const char *doc, const char **start, size_t *len)
{
	const char *s = strchr(doc, '{');
	const char *e = strrchr(doc, '}');

	if (!s || !e || e <= s)
		return -EINVAL;
	s++;
	while (s < e && *s == '\n')
		s++;
	while (e > s && (e[-1] == '\n' || e[-1] == ' '))
		e--;
	*start = s;
	*len = (size_t)(e - s);	/* e >= s */
	return 0;
}

static int put(FILE *f, const char *s, size_t n)
{
	return fwrite(s, 1, n, f) == n ? 0 : -EIO;
}

/* Start a member of the document on stdout: "{" or the separator first. */
static int begin_member(struct out *o)
{
	const char *sep = o->members++ ? ",\n" : "{\n";

	return put(stdout, sep, 2);
}

static int find_pending(const struct out *o, const struct libscols_table *tb)
{
	for (int i = 0; i < o->npending; i++)
		if (o->pending[i] == tb)
			return i;
	return -1;
}

/* Copy the spooled elements of a table to stdout. */
static int unspool(struct out_chunked *c)
{
	char buf[65536];
	size_t n;
	int rc = 0;

	if (!c->spool)
		return 0;
	rewind(c->spool);
	while (!rc && (n = fread(buf, 1, sizeof(buf), c->spool)))
		rc = put(stdout, buf, n);
	if (!rc && ferror(c->spool))
		rc = -EIO;
	fclose(c->spool);
	c->spool = NULL;
	return rc;
}

/* Put the head of pending table i on stdout, then what was spooled. */
static int json_stream(struct out *o, int i)
{
	struct out_chunked *c = &o->chunked[i];
	int rc;

	if (c->streaming)
		return 0;
	rc = begin_member(o);
	if (!rc)
		rc = put(stdout, c->head, strlen(c->head));
	c->streaming = true;
	return rc ? rc : unspool(c);
}

/*
 * Render the lines of pending table i as a document and find its array
 * elements [*b, *e) (first '{' to last '}'); the member's head and tail are
 * kept on the first call.
 */
static int json_elements(struct out *o, int i, const char **b, const char **e)
{
	struct out_chunked *c = &o->chunked[i];
	const char *m, *doc = NULL;
	size_t len;
	int rc = render(o, o->pending[i], &doc);

	if (!rc)
		rc = member_of(doc, &m, &len);
	*b = rc ? NULL : memchr(m, '[', len);
	*e = *b ? m + len : NULL;
	while (*e && *e > *b && (*e)[-1] != ']')
		(*e)--;
	if (!rc && (!*b || *e <= *b))
		rc = -EINVAL;
	if (rc)
		return rc;
	for ((*b)++; **b == '\n' || **b == ' '; (*b)++)	/* the head ends with the indent */
		;
	for ((*e)--; *e > *b && ((*e)[-1] == '\n' || (*e)[-1] == ' '); (*e)--)
		;
	if (!c->head) {
		c->head = strndup(m, (size_t)(*b - m));	/* m <= *b <= *e <= m + len */
		c->tail = strndup(*e, (size_t)(m + len - *e));
		if (!c->head || !c->tail)
			return -ENOMEM;
	}
	return 0;
}

/* Put array elements of pending table i on stdout (to_stdout) or its spool. */
static int json_put(struct out *o, int i, bool to_stdout, const char *b, size_t n)
{
	struct out_chunked *c = &o->chunked[i];
	FILE *f;
	int rc = 0;

	if (to_stdout)
		rc = json_stream(o, i);
	else if (!c->spool && !(c->spool = tmpfile()))
		rc = -errno;
	f = to_stdout ? stdout : c->spool;
	if (!rc && n && c->has_el)
		rc = put(f, ",", 1);	/* libsmartcols joins elements as "},{" */
	if (!rc && n) {
		rc = put(f, b, n);
		c->has_el = true;
	}
	return rc;
}

/* Render the lines of pending table i, put the elements, drop the lines. */
static int json_chunk(struct out *o, int i, bool to_stdout)
{
	const char *b, *e;
	int rc = json_elements(o, i, &b, &e);

	if (!rc)
		rc = json_put(o, i, to_stdout, b, (size_t)(e - b));	/* b <= e */
	scols_table_remove_lines(o->pending[i]);
	return rc;
}

/* Write pending table i completely to stdout and free it. */
static int json_write(struct out *o, int i)
{
	struct out_chunked *c = &o->chunked[i];
	struct libscols_table *tb = o->pending[i];
	const char *m, *doc = NULL;
	size_t len;
	int rc = 0;

	if (o->tpl.tb == tb) {
		if (o->fast.len)
			rc = json_put(o, i, true, o->fast.p, o->fast.len);
		o->fast.len = 0;
		o->tpl.tb = NULL;
	}
	if (!rc && c->head && scols_table_get_nlines(tb))
		rc = json_chunk(o, i, true);
	if (!rc && c->head) {
		rc = json_stream(o, i);
		if (!rc)
			rc = put(stdout, c->tail, strlen(c->tail));
	} else if (!rc) {	/* never chunked: libsmartcols renders it whole */
		rc = render(o, tb, &doc);
		if (!rc)
			rc = member_of(doc, &m, &len);
		if (!rc)
			rc = begin_member(o);
		if (!rc)
			rc = put(stdout, m, len);
	}
	if (c->spool)
		fclose(c->spool);
	free(c->head);
	free(c->tail);
	memset(c, 0, sizeof(*c));
	scols_unref_table(tb);
	o->pending[i] = NULL;
	return rc;
}

/* Write every pending table before table i (they are complete). */
static int json_write_before(struct out *o, int i)
{
	int rc = 0;

	for (int j = 0; j < i && !rc; j++)
		if (o->pending[j])
			rc = json_write(o, j);
	return rc;
}

static bool all_done_before(const struct out *o, int i)
{
	for (int j = 0; j < i; j++)
		if (o->pending[j] && !o->chunked[j].done)
			return false;
	return true;
}

void out_final(struct out *o)
{
	o->final = true;
}

/* Text: print a chunk; the first one sets the widths and the headings. */
static int text_chunk(struct out *o, struct libscols_table *tb)
{
	struct out_chunked *c = &o->text;
	int rc;

	if (c->tb != tb) {
		memset(c, 0, sizeof(*c));
		c->tb = tb;
	}
	rc = scols_print_table(tb);
	if (!c->chunks++) {
		o->nprinted++;
		/* a hint below the width needed is ignored: columns only grow */
		for (size_t n = 0; n < scols_table_get_ncols(tb); n++) {
			struct libscols_column *cl = scols_table_get_column(tb, n);

			scols_column_set_whint(cl, (double)scols_column_get_width(cl));
		}
		scols_table_enable_noheadings(tb, 1);
	}
	scols_table_remove_lines(tb);
	return rc;
}

/*
 * JSON: the pending index of tb (added if new) and whether its elements may
 * go to stdout now (every table before it complete and written).
 */
static int json_route(struct out *o, struct libscols_table *tb, int *pi, bool *to_stdout)
{
	int i = find_pending(o, tb);

	if (i < 0) {
		if (o->npending == (int)(sizeof(o->pending) / sizeof(o->pending[0])))
			return -ENOSPC;
		i = o->npending++;
		o->pending[i] = tb;
	}
	*pi = i;
	*to_stdout = o->final && all_done_before(o, i);
	return *to_stdout ? json_write_before(o, i) : 0;
}

/* Put the rows written from the template (o->fast) where they belong. */
static int fast_flush(struct out *o)
{
	bool to_stdout;
	int i, rc;

	if (!o->tpl.tb || !o->fast.len)
		return 0;
	rc = json_route(o, o->tpl.tb, &i, &to_stdout);
	if (!rc)
		rc = json_put(o, i, to_stdout, o->fast.p, o->fast.len);
	o->fast.len = 0;
	return rc;
}

int out_table_flush(struct out *o, struct libscols_table *tb)
{
	bool to_stdout;
	int i, rc;

	if (scols_table_get_nlines(tb) < OUT_CHUNK_LINES)
		return 0;
	if (!o->json)
		return text_chunk(o, tb);
	rc = json_route(o, tb, &i, &to_stdout);
	return rc ? rc : json_chunk(o, i, to_stdout);
}

/*
 * Rows from a template.  libsmartcols renders a line whose cells are
 * markers; what lies between the markers (keys, quotes, indentation: all
 * written by libsmartcols) is kept, and a row is written by putting each
 * value where its marker was.  This is done only with values libsmartcols
 * would write unchanged (see verbatim()), and only for tables of number and
 * string columns; any other row goes through libsmartcols.
 */
#define TPL_MARK '\x7f'

/*
 * Whether libsmartcols would write v unchanged in a column of this type, and
 * then *len, the length written.  Booleans: only "0" and "1" (written false
 * and true).
 */
static bool verbatim(const char *v, bool boolean, size_t *len)
{
	size_t n = 0;

	if (boolean) {
		*len = v[0] == '1' ? 4 : 5;
		return (v[0] == '0' || v[0] == '1') && !v[1];
	}
	for (; v[n]; n++)	/* printable ASCII but '"' and '\\' */
		if ((unsigned char)v[n] < 0x20 || (unsigned char)v[n] >= 0x7f ||
		    v[n] == '"' || v[n] == '\\')
			return false;
	*len = n;
	return n > 0;		/* empty: libsmartcols writes null */
}

/* Split the element text of a one-line render at its markers. */
static int tpl_parse(struct out_tpl *t, const char *b, const char *e, size_t ncols)
{
	size_t n = (size_t)(e - b), c = 0, start = 0;	/* b <= e */

	t->text = strndup(b, n);
	if (!t->text)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++) {
		if (t->text[k] != TPL_MARK)
			continue;
		if (c >= ncols || k + 2 >= n || t->text[k + 2] != TPL_MARK ||
		    t->text[k + 1] != (char)('A' + c))
			return -EINVAL;
		t->frag[c].off = start;
		t->frag[c].len = k - start;
		start = k + 3;
		k += 2;
		c++;
	}
	if (c != ncols)
		return -EINVAL;
	t->frag[c].off = start;
	t->frag[c].len = n - start;
	return 0;
}

/* Make the template of table tb (pending index i, no lines). */
static int tpl_build(struct out *o, struct libscols_table *tb, int i)
{
	struct out_tpl *t = &o->tpl;
	size_t ncols = scols_table_get_ncols(tb);
	struct libscols_line *ln;
	const char *b, *e;
	int rc = 0;

	free(t->text);
	memset(t, 0, sizeof(*t));
	t->tb = tb;
	t->bad = true;
	if (ncols > OUT_TPL_MAX)
		return 0;
#ifdef BCH_TEST_HOOKS
	if (getenv("BCACHE_TEST_NO_TEMPLATE"))	/* tests compare both ways */
		return 0;
#endif
	for (size_t c = 0; c < ncols; c++) {
		int type = scols_column_get_json_type(scols_table_get_column(tb, c));

		if (type != SCOLS_JSON_NUMBER && type != SCOLS_JSON_STRING &&
		    type != SCOLS_JSON_BOOLEAN)
			return 0;
		t->boolean[c] = type == SCOLS_JSON_BOOLEAN;
	}
	/* a boolean's marker is rendered as a number, its value put as a word */
	for (size_t c = 0; c < ncols; c++)
		if (t->boolean[c])
			scols_column_set_json_type(scols_table_get_column(tb, c), SCOLS_JSON_NUMBER);
	ln = scols_table_new_line(tb, NULL);
	for (size_t c = 0; ln && c < ncols && !rc; c++) {
		char mark[4] = { TPL_MARK, (char)('A' + c), TPL_MARK, '\0' };

		rc = scols_line_set_data(ln, c, mark);
	}
	if (!ln)
		rc = -ENOMEM;
	if (!rc)
		rc = json_elements(o, i, &b, &e);
	scols_table_remove_lines(tb);
	for (size_t c = 0; c < ncols; c++)
		if (t->boolean[c])
			scols_column_set_json_type(scols_table_get_column(tb, c), SCOLS_JSON_BOOLEAN);
	if (rc)
		return rc;
	t->ncols = ncols;
	t->bad = tpl_parse(t, b, e, ncols) != 0;
	return 0;
}

/* Append one row to o->fast from the template; len[c]: verbatim(). */
static int tpl_row(struct out *o, const char *const *vals, const size_t *len)
{
	struct out_tpl *t = &o->tpl;
	size_t need = 1 + t->frag[t->ncols].len;
	char *p;
	int rc;

	for (size_t c = 0; c < t->ncols; c++)
		need += t->frag[c].len + len[c];
	rc = buf_append(&o->fast, NULL, need);	/* room for the row */
	if (rc)
		return rc;
	o->fast.len -= need;
	p = o->fast.p + o->fast.len;
	if (o->fast.len)
		*p++ = ',';
	for (size_t c = 0; c <= t->ncols; c++) {
		memcpy(p, t->text + t->frag[c].off, t->frag[c].len);
		p += t->frag[c].len;
		if (c == t->ncols)
			break;
		if (t->boolean[c])
			memcpy(p, vals[c][0] == '1' ? "true" : "false", len[c]);
		else
			memcpy(p, vals[c], len[c]);
		p += len[c];
	}
	o->fast.len = (size_t)(p - o->fast.p);	/* p lies in the buffer */
	return 0;
}

int out_row(struct out *o, struct libscols_table *tb, const char *const *vals)
{
	size_t ncols = scols_table_get_ncols(tb);
	size_t len[OUT_TPL_MAX];
	struct libscols_line *ln;
	bool to_stdout, fast = o->json;
	int i, rc = 0;

	if (fast && o->tpl.tb != tb) {
		rc = fast_flush(o);
		if (!rc)
			rc = json_route(o, tb, &i, &to_stdout);
		if (!rc && scols_table_get_nlines(tb))
			rc = json_chunk(o, i, to_stdout);
		if (!rc)
			rc = tpl_build(o, tb, i);
	}
	for (size_t c = 0; c < ncols && fast && !o->tpl.bad; c++)
		fast = verbatim(vals[c], o->tpl.boolean[c], &len[c]);
	if (!rc && fast && !o->tpl.bad) {
		/* rows of this table that went through libsmartcols come first */
		if (scols_table_get_nlines(tb)) {
			rc = json_route(o, tb, &i, &to_stdout);
			if (!rc)
				rc = json_chunk(o, i, to_stdout);
		}
		if (!rc)
			rc = tpl_row(o, vals, len);
		return rc || o->fast.len < (1 << 20) ? rc : fast_flush(o);
	}
	/* through libsmartcols, after the template rows of this table */
	if (!rc && o->json && o->tpl.tb == tb)
		rc = fast_flush(o);
	ln = rc ? NULL : scols_table_new_line(tb, NULL);
	if (!ln)
		return rc ? rc : -ENOMEM;
	for (size_t c = 0; c < ncols && !rc; c++)
		rc = out_set(ln, c, vals[c]);
	return rc ? rc : out_table_flush(o, tb);
}

int out_emit(struct out *o, struct libscols_table *tb)
{
	int rc = 0;

	if (o->json) {
		int i = find_pending(o, tb);

		if (o->tpl.tb == tb)
			rc = fast_flush(o);
		if (rc)
			return rc;
		i = find_pending(o, tb);
		if (i < 0) {
			if (o->npending == (int)(sizeof(o->pending) / sizeof(o->pending[0])))
				return -ENOSPC;
			i = o->npending++;
			o->pending[i] = tb;
		}
		o->chunked[i].done = o->final;
		return 0;
	}
	if (o->text.tb == tb && o->text.chunks) {
		if (scols_table_get_nlines(tb))
			rc = scols_print_table(tb);
		memset(&o->text, 0, sizeof(o->text));
	} else {
		rc = scols_print_table(tb);
		o->nprinted++;
	}
	scols_unref_table(tb);
	return rc;
}

int out_finish(struct out *o)
{
	int rc = 0;

	if (o->json) {
		for (int i = 0; i < o->npending; i++) {
			if (!o->pending[i])
				continue;
			if (!rc) {
				rc = json_write(o, i);
			} else {
				scols_unref_table(o->pending[i]);
				if (o->chunked[i].spool)
					fclose(o->chunked[i].spool);
				free(o->chunked[i].head);
				free(o->chunked[i].tail);
			}
		}
		o->npending = 0;
		if (o->render)
			fclose(o->render);
		free(o->rbuf.p);
		free(o->fast.p);
		free(o->tpl.text);
		o->render = NULL;
		memset(&o->rbuf, 0, sizeof(o->rbuf));
		memset(&o->fast, 0, sizeof(o->fast));
		memset(&o->tpl, 0, sizeof(o->tpl));
		if (!rc && !o->members)
			rc = put(stdout, "{\n", 2);
		if (!rc)
			rc = put(stdout, "\n}\n", 3);
	}
	if (fflush(stdout) || ferror(stdout))
		return -EIO;
	return rc;
}

int out_parse_columns(const struct out_coldef *defs, size_t ndefs,
		      const char *defaults, const char *list, int *idx,
		      size_t max, const char **bad)
{
	static char badbuf[64];
	size_t n = 0;
	char *copy, *tok, *save = NULL;
	const char *src = list;
	int pass;

	/* pass 0: defaults (when list is NULL or starts with '+'), pass 1: list */
	for (pass = 0; pass < 2; pass++) {
		if (pass == 0) {
			if (list && list[0] != '+')
				continue;
			src = defaults;
		} else {
			if (!list)
				break;
			src = list[0] == '+' ? list + 1 : list;
		}
		copy = strdup(src);
		if (!copy)
			return -ENOMEM;
		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			size_t i;

			for (i = 0; i < ndefs; i++)
				if (!strcasecmp(defs[i].name, tok))
					break;
			if (i == ndefs) {
				snprintf(badbuf, sizeof(badbuf), "%s", tok);
				*bad = badbuf;
				free(copy);
				return -EINVAL;
			}
			if (n < max)
				idx[n++] = (int)i;
		}
		free(copy);
	}
	return (int)n;
}

static int field_json_type(const struct bch_field *f)
{
	return f->kind == BCH_FK_UINT ? SCOLS_JSON_NUMBER : SCOLS_JSON_STRING;
}

int out_struct(struct out *o, const char *table, const struct bch_struct_desc *d,
	       const void *base, const struct out_kv *extra, size_t nextra)
{
	struct libscols_table *tb = out_table(o, table);
	struct libscols_line *ln = NULL;
	char *val;
	int rc = 0;

	if (!tb)
		return -ENOMEM;
	if (o->json && scols_table_get_ncols(tb)) {
		ln = scols_table_new_line(tb, NULL);
	} else if (o->json) {
		for (size_t i = 0; i < d->nfields; i++)
			out_column(o, tb, d->fields[i].name, field_json_type(&d->fields[i]), 0);
		for (size_t i = 0; i < nextra; i++)
			out_column(o, tb, extra[i].key, extra[i].json_type, 0);
		ln = scols_table_new_line(tb, NULL);
	} else {
		out_column(o, tb, "field", SCOLS_JSON_STRING, 0);
		out_column(o, tb, "value", SCOLS_JSON_STRING, 0);
	}
	for (size_t i = 0; i < d->nfields + nextra && !rc; i++) {
		const char *key;

		if (i < d->nfields) {
			const struct bch_field *f = &d->fields[i];
			int need = bch_field_format(f, base, NULL, 0);
			size_t len;

			/* padding: text mode shows it only when non-zero */
			if (!o->json && f->kind == BCH_FK_PAD && bch_field_is_zero(f, base))
				continue;
			len = need < 0 ? 0 : (size_t)need + 1;
			if (!len || !(val = malloc(len))) {
				rc = -ENOMEM;
				break;
			}
			bch_field_format(f, base, val, len);
			key = f->name;
		} else {
			key = extra[i - d->nfields].key;
			val = strdup(extra[i - d->nfields].value);
			if (!val) {
				rc = -ENOMEM;
				break;
			}
		}
		if (o->json) {
			rc = out_refer(ln, i, val);
		} else {
			struct libscols_line *row = scols_table_new_line(tb, NULL);

			rc = row ? scols_line_set_data(row, 0, key) : -ENOMEM;
			if (!rc)
				rc = out_refer(row, 1, val);
			else
				free(val);
		}
	}
	if (!rc)
		rc = out_emit(o, tb);
	else if (!o->json)
		scols_unref_table(tb);
	return rc;
}

/* The problems of one device as a table (text: only when there are any). */
int out_problems(struct out *o, const char *path, const struct bch_problems *ps)
{
	struct libscols_table *tb = out_table(o, "problems");

	if (!tb)
		return -ENOMEM;
	if (!scols_table_get_ncols(tb)) {
		out_column(o, tb, "device", SCOLS_JSON_STRING, 0);
		out_column(o, tb, "code", SCOLS_JSON_STRING, 0);
		out_column(o, tb, "severity", SCOLS_JSON_STRING, 0);
		out_column(o, tb, "offset", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT);
		out_column(o, tb, "where", SCOLS_JSON_STRING, 0);
		out_column(o, tb, "message", SCOLS_JSON_STRING, 0);
	}
	if (!o->json && !ps->n && !ps->dropped) {
		scols_unref_table(tb);
		return 0;
	}
	out_title(o, "problems");
	for (size_t i = 0; i < ps->n; i++) {
		const struct bch_problem *p = &ps->v[i];
		char num[OUT_NUM_LEN];
		const char *row[] = {
			path, bch_problem_name(p->code), bch_severity_name(p->severity),
			out_u64(num, p->offset), p->where, p->message,
		};
		int rc = out_row(o, tb, row);

		if (rc)
			return rc;
	}
	if (ps->dropped) {	/* the list hit its cap: say how much is missing */
		char msg[96];
		const char *row[] = {
			path, bch_problem_name(BCH_P_DROPPED),
			bch_severity_name(bch_problem_default_severity(BCH_P_DROPPED)), "0",
			"problems", msg,
		};
		int rc;

		snprintf(msg, sizeof(msg), "%zu more problems are not listed (the list holds %zu)",
			 ps->dropped, ps->n);
		rc = out_row(o, tb, row);
		if (rc)
			return rc;
	}
	return out_emit(o, tb);
}
