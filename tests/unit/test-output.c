// SPDX-License-Identifier: GPL-2.0
/*
 * cmd/output.c: cells are set by column id, once per row.  The same rows
 * in text and in JSON, with columns set out of order and set twice: the
 * first value of a cell stays in both (JSON streams a cell as soon as it
 * can, so text follows that rule too).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"
#include "tap.h"

#define COLS(X)							\
	X(TC_A, a, NUM, OUT_DEF, "first")			\
	X(TC_B, b, STR, OUT_DEF, "second")			\
	X(TC_C, c, HEX, OUT_DEF, "third")
OUT_CATALOGUE(COLS, TC, cols);

static void rows(bool json)
{
	struct out o;
	struct out_table *t;

	out_init(&o, json);
	t = out_table(&o, "t", cols, TC_NCOLS, NULL, 0, OUT_T_NOTITLE);
	out_line(t, 0);			/* in order, then B again */
	out_u64(t, TC_A, 1);
	out_str(t, TC_B, "first");
	out_str(t, TC_B, "second");
	out_hex(t, TC_C, 0x10);
	out_line(t, 0);			/* out of order: C, A, then A and C again */
	out_hex(t, TC_C, 0x20);
	out_u64(t, TC_A, 2);
	out_u64(t, TC_A, 3);
	out_str(t, TC_B, "x");
	out_hex(t, TC_C, 0x30);
	out_emit(t);
	out_finish(&o);
}

/* What rows() writes to standard output. */
static char *capture(bool json)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDOUT_FILENO);
	char *s = calloc(1, 4096);

	if (!tmp || saved < 0 || !s)
		return s;
	fflush(stdout);
	dup2(fileno(tmp), STDOUT_FILENO);
	rows(json);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(tmp);
	if (fread(s, 1, 4095, tmp) == 0)
		s[0] = '\0';
	fclose(tmp);
	return s;
}

int main(void)
{
	char *text, *json;

	setenv("COLUMNS", "80", 1);
	text = capture(false);
	json = capture(true);
	ok(text && !strcmp(text, "A B        C\n1 first 0x10\n2 x     0x20\n"),
	   "text: the first value of a cell stays (got \"%s\")", text ? text : "");
	ok(json && !strcmp(json, "{\"schema_version\":2,\"t\":[{\"a\":1,\"b\":\"first\","
			   "\"c\":\"0x10\"},{\"a\":2,\"b\":\"x\",\"c\":\"0x20\"}]}\n"),
	   "JSON: the same values (got \"%s\")", json ? json : "");
	free(text);
	free(json);
	return tap_done();
}
