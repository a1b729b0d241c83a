// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
			if (!strcmp(scols_table_get_name(o->pending[i]), name))
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
	va_list ap;
	char *s;
	int rc;

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

/* Append the members of {"name": [...]} to buf, without the outer braces. */
static int append_members(char **buf, size_t *len, const char *doc)
{
	const char *start = strchr(doc, '{');
	const char *end = strrchr(doc, '}');
	size_t n;
	char *p;

	if (!start || !end || end <= start)
		return -EINVAL;
	start++;
	while (start < end && *start == '\n')
		start++;
	while (end > start && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	n = end - start;
	p = realloc(*buf, *len + n + 3);
	if (!p)
		return -ENOMEM;
	*buf = p;
	if (*len) {
		memcpy(p + *len, ",\n", 2);
		*len += 2;
	}
	memcpy(p + *len, start, n);
	*len += n;
	p[*len] = '\0';
	return 0;
}

int out_emit(struct out *o, struct libscols_table *tb)
{
	int rc;

	if (o->json) {
		for (int i = 0; i < o->npending; i++)
			if (o->pending[i] == tb)
				return 0;
		if (o->npending == (int)(sizeof(o->pending) / sizeof(o->pending[0])))
			return -ENOSPC;
		o->pending[o->npending++] = tb;
		return 0;
	}
	rc = scols_print_table(tb);
	o->nprinted++;
	scols_unref_table(tb);
	return rc;
}

int out_finish(struct out *o)
{
	char *members = NULL;
	size_t len = 0;
	int rc = 0;

	if (o->json) {
		for (int i = 0; i < o->npending; i++) {
			char *doc = NULL;

			if (!rc)
				rc = scols_print_table_to_string(o->pending[i], &doc);
			if (!rc)
				rc = append_members(&members, &len, doc);
			free(doc);
			scols_unref_table(o->pending[i]);
		}
		o->npending = 0;
		if (!rc)
			printf("{\n%s\n}\n", members ? members : "");
		free(members);
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
