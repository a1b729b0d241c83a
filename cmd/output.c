// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "output.h"

void out_init(struct out *o, bool json)
{
	memset(o, 0, sizeof(*o));
	o->json = json;
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
	return tb;
}

struct libscols_column *out_column(struct out *o, struct libscols_table *tb,
				   const char *name, int json_type, int flags)
{
	char header[64];
	struct libscols_column *cl;
	size_t i;

	for (i = 0; name[i] && i < sizeof(header) - 1; i++)
		header[i] = o->json ? name[i] : toupper((unsigned char)name[i]);
	header[i] = '\0';
	cl = scols_table_new_column(tb, header, 0, flags);
	if (cl)
		scols_column_set_json_type(cl, json_type);
	return cl;
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
		return scols_line_set_data(ln, n, buf);
	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	rc = scols_line_refer_data(ln, n, s);
	if (rc)
		free(s);
	return rc;
}

/* Digits of v in base 10 or 16 (lower case), right-aligned in buf[0..end). */
static char *u64_digits(char *end, uint64_t v, unsigned int base)
{
	do {
		*--end = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	return end;
}

int out_cell_u64(struct libscols_line *ln, size_t n, uint64_t v)
{
	char buf[24];

	buf[sizeof(buf) - 1] = '\0';
	return scols_line_set_data(ln, n, u64_digits(buf + sizeof(buf) - 1, v, 10));
}

int out_cell_hex(struct libscols_line *ln, size_t n, uint64_t v)
{
	char buf[24], *s;

	buf[sizeof(buf) - 1] = '\0';
	s = u64_digits(buf + sizeof(buf) - 1, v, 16);
	*--s = 'x';
	*--s = '0';
	return scols_line_set_data(ln, n, s);
}

const char *out_bool(const struct out *o, bool v)
{
	if (o->json)
		return v ? "1" : "0";
	return v ? "true" : "false";
}

void out_title(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->json)
		return;
	if (o->nprinted++)
		putchar('\n');
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/*
 * libsmartcols renders a JSON table a few bytes at a time.  It renders into
 * o->render: an unlocked stream with a large buffer whose writes append to
 * o->rbuf, which is kept from one table (chunk) to the next.
 */
static ssize_t render_write(void *cookie, const char *s, size_t n)
{
	struct out *o = cookie;

	if (o->rlen + n + 1 > o->rcap) {
		size_t cap = o->rcap ? o->rcap : 1 << 20;
		char *p;

		while (cap < o->rlen + n + 1)
			cap *= 2;
		p = realloc(o->rbuf, cap);
		if (!p)
			return -1;
		o->rbuf = p;
		o->rcap = cap;
	}
	memcpy(o->rbuf + o->rlen, s, n);
	o->rlen += n;
	return n;
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
	o->rlen = 0;
	rc = scols_table_set_stream(tb, o->render);
	if (!rc)
		rc = scols_print_table(tb);
	scols_table_set_stream(tb, stdout);
	if (!rc && (fflush(o->render) || ferror(o->render)))
		rc = -ENOMEM;
	if (rc)
		return rc;
	o->rbuf[o->rlen] = '\0';
	*doc = o->rbuf;
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
	*len = e - s;
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
 * Render the lines of pending table i and drop them: the array elements go
 * to stdout (to_stdout) or to the table's spool; the member's head and tail
 * are kept for later.
 */
static int json_chunk(struct out *o, int i, bool to_stdout)
{
	struct out_chunked *c = &o->chunked[i];
	const char *m, *b, *e, *doc = NULL;
	size_t len;
	FILE *f;
	int rc = render(o, o->pending[i], &doc);

	if (!rc)
		rc = member_of(doc, &m, &len);
	b = rc ? NULL : memchr(m, '[', len);
	e = b ? m + len : NULL;
	while (e && e > b && e[-1] != ']')
		e--;
	if (!rc && (!b || e <= b))
		rc = -EINVAL;
	if (rc)
		return rc;
	for (b++; *b == '\n' || *b == ' '; b++)	/* the head ends with the indent */
		;
	for (e--; e > b && (e[-1] == '\n' || e[-1] == ' '); e--)
		;
	if (!c->head) {
		c->head = strndup(m, b - m);
		c->tail = strndup(e, m + len - e);
		if (!c->head || !c->tail)
			rc = -ENOMEM;
	}
	if (!rc && to_stdout)
		rc = json_stream(o, i);
	if (!rc && !to_stdout && !c->spool && !(c->spool = tmpfile()))
		rc = -errno;
	f = to_stdout ? stdout : c->spool;
	if (!rc && e > b && c->has_el)
		rc = put(f, ",", 1);	/* libsmartcols joins elements as "},{" */
	if (!rc && e > b) {
		rc = put(f, b, e - b);
		c->has_el = true;
	}
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

	if (c->head && scols_table_get_nlines(tb))
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

int out_table_flush(struct out *o, struct libscols_table *tb)
{
	int i, rc;

	if (scols_table_get_nlines(tb) < OUT_CHUNK_LINES)
		return 0;
	if (!o->json)
		return text_chunk(o, tb);
	i = find_pending(o, tb);
	if (i < 0) {
		if (o->npending == (int)(sizeof(o->pending) / sizeof(o->pending[0])))
			return -ENOSPC;
		i = o->npending++;
		o->pending[i] = tb;
	}
	if (!o->final || !all_done_before(o, i))
		return json_chunk(o, i, false);
	rc = json_write_before(o, i);
	return rc ? rc : json_chunk(o, i, true);
}

int out_emit(struct out *o, struct libscols_table *tb)
{
	int rc = 0;

	if (o->json) {
		int i = find_pending(o, tb);

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
		free(o->rbuf);
		o->render = NULL;
		o->rbuf = NULL;
		o->rlen = o->rcap = 0;
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

void out_list_columns(const struct out_coldef *defs, size_t ndefs)
{
	for (size_t i = 0; i < ndefs; i++)
		printf("%-14s %s\n", defs[i].name, defs[i].help);
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

			/* padding: text mode shows it only when non-zero */
			if (!o->json && f->kind == BCH_FK_PAD && bch_field_is_zero(f, base))
				continue;
			if (need < 0 || !(val = malloc(need + 1))) {
				rc = -ENOMEM;
				break;
			}
			bch_field_format(f, base, val, need + 1);
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
			rc = scols_line_refer_data(ln, i, val);
		} else {
			struct libscols_line *row = scols_table_new_line(tb, NULL);

			rc = row ? scols_line_set_data(row, 0, key) : -ENOMEM;
			if (!rc)
				rc = scols_line_refer_data(row, 1, val);
		}
		if (rc)
			free(val);
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
	if (!o->json && !ps->n) {
		scols_unref_table(tb);
		return 0;
	}
	out_title(o, "problems");
	for (size_t i = 0; i < ps->n; i++) {
		const struct bch_problem *p = &ps->v[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		int rc;

		if (!ln)
			return -ENOMEM;
		out_cell(ln, 0, "%s", path);
		out_cell(ln, 1, "%s", bch_problem_name(p->code));
		out_cell(ln, 2, "%s", bch_severity_name(p->severity));
		out_cell(ln, 3, "%llu", (unsigned long long)p->offset);
		out_cell(ln, 4, "%s", p->where);
		out_cell(ln, 5, "%s", p->message);
		rc = out_table_flush(o, tb);
		if (rc)
			return rc;
	}
	return out_emit(o, tb);
}
