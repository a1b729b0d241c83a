// SPDX-License-Identifier: GPL-2.0
/* Problem codes -> names, severities and texts (one table), and the list. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bcache/problem.h>

struct problem_desc {
	const char *name;
	enum bch_severity sev;
	const char *text;
};

static const struct problem_desc problem_table[] = {
#define BCH_PROBLEM_DESC(n, s, t) [BCH_P_##n] = { #n, BCH_SEV_##s, t },
	BCH_PROBLEM_CODES(BCH_PROBLEM_DESC)
#undef BCH_PROBLEM_DESC
};

#define DEFAULT_MAX_PROBLEMS 10000

const char *bch_problem_name(enum bch_problem_code code)
{
	return (unsigned int)code < BCH_P__COUNT ? problem_table[code].name : "UNKNOWN";
}

const char *bch_problem_text(enum bch_problem_code code)
{
	return (unsigned int)code < BCH_P__COUNT ? problem_table[code].text : "";
}

enum bch_severity bch_problem_default_severity(enum bch_problem_code code)
{
	return (unsigned int)code < BCH_P__COUNT ? problem_table[code].sev : BCH_SEV_ERROR;
}

const char *bch_severity_name(enum bch_severity sev)
{
	switch (sev) {
	case BCH_SEV_INFO:
		return "info";
	case BCH_SEV_WARN:
		return "warning";
	case BCH_SEV_ERROR:
		return "error";
	}
	return "?";
}

int bch_problem_lookup(const char *name)
{
	for (int i = 0; i < BCH_P__COUNT; i++)
		if (!strcasecmp(problem_table[i].name, name))
			return i;
	return -ENOENT;
}

int bch_problem_vadd(struct bch_problems *ps, enum bch_problem_code code,
		     uint64_t offset, const char *where, const char *fmt, va_list ap)
{
	struct bch_problem *p;
	size_t max = ps->max ? ps->max : DEFAULT_MAX_PROBLEMS;

	if (ps->n >= max) {
		ps->dropped++;
		return 0;
	}
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 16;
		struct bch_problem *v = realloc(ps->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ps->v = v;
		ps->cap = cap;
	}
	p = &ps->v[ps->n++];
	memset(p, 0, sizeof(*p));
	p->code = code;
	p->severity = bch_problem_default_severity(code);
	p->offset = offset;
	p->device = ps->device;
	snprintf(p->where, sizeof(p->where), "%s", where ? where : "");
	vsnprintf(p->message, sizeof(p->message), fmt, ap);
	return 0;
}

int bch_problem_add(struct bch_problems *ps, enum bch_problem_code code,
		    uint64_t offset, const char *where, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = bch_problem_vadd(ps, code, offset, where, fmt, ap);
	va_end(ap);
	return rc;
}

void bch_problems_free(struct bch_problems *ps)
{
	free(ps->v);
	ps->v = NULL;
	ps->n = ps->cap = ps->dropped = 0;
}

size_t bch_problems_count(const struct bch_problems *ps, enum bch_severity min)
{
	size_t n = 0;

	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i].severity >= min)
			n++;
	return n;
}

int bch_problems_has(const struct bch_problems *ps, enum bch_problem_code code)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i].code == code)
			return 1;
	return 0;
}
