// SPDX-License-Identifier: GPL-2.0
/*
 * bcache: format and debug bcache metadata on persistent memory.
 * The dispatcher: finds the command in the table, lets it parse its own
 * options, and turns its status into the documented exit code.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bcache/problem.h>

#include "cmd.h"
#include "output.h"
#include "tables.h"

#ifndef BCACHE_VERSION
#define BCACHE_VERSION "0.0"
#endif

static int cmd_version(const struct bch_cmd *cmd, int argc, char **argv);
static int cmd_help(const struct bch_cmd *cmd, int argc, char **argv);

static const struct bch_opt no_opts[] = { { NULL } };

static const struct bch_cmd cmd_version_def = {
	.name = "version", .full = "version",
	.summary = "print the version",
	.usage = "", .opts = bch_json_opts, .run = cmd_version,
};

static const struct bch_cmd cmd_help_def = {
	.name = "help", .full = "help",
	.summary = "show help for a command",
	.usage = "[COMMAND [SUBCOMMAND]]", .opts = no_opts, .run = cmd_help,
	.operands = "command",
};

const struct bch_cmd *const bch_commands[] = {
	&bch_cmd_make,
	&bch_cmd_nvm,
	&bch_cmd_show,
	&bch_cmd_journal,
	&bch_cmd_register,
	&bch_cmd_unregister,
	&bch_cmd_tree,
	&bch_cmd_attach,
	&bch_cmd_detach,
	&bch_cmd_set_label,
	&bch_cmd_set_cachemode,
	&cmd_help_def,
	&cmd_version_def,
	NULL,
};

const struct bch_opt bch_common_opts[] = {
	{ "help", 'h', no_argument, NULL, "show this help and exit", NULL },
	{ NULL },
};

/* Options before the command (bcache --list-opts; bcache(8)). */
static const struct bch_opt global_opts[] = {
	{ "help", 'h', no_argument, NULL, "show the list of commands and exit", NULL },
	{ "version", 'V', no_argument, NULL, "print the version and exit", NULL },
	{ NULL },
};

static const char *progname = "bcache";

bool bch_test_fault(int step)
{
#ifdef BCH_TEST_HOOKS
	const char *s = getenv("BCACHE_TEST_FAULT_STEP");

	return s && atoi(s) == step;
#else
	(void)step;
	return false;
#endif
}

static size_t count_opts(const struct bch_opt *o)
{
	size_t n = 0;

	while (o && o[n].name)
		n++;
	return n;
}

static void print_opt(FILE *f, const struct bch_opt *o)
{
	char left[64];

	if (o->val < 256)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", o->val, o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
	else
		snprintf(left, sizeof(left), "    --%s%s%s", o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
	fprintf(f, "  %-28s %s\n", left, o->help);
}

/* The width of the name column of a command list: the longest name. */
static int name_width(const struct bch_cmd *const *table)
{
	size_t w = 12;

	for (; *table; table++)
		if (strlen((*table)->name) > w)
			w = strlen((*table)->name);
	return (int)w;
}

void bch_cmd_help(const struct bch_cmd *cmd, FILE *f)
{
	/* the summary as a sentence: capitalised, with its period */
	fprintf(f, "Usage: %s %s%s%s%s\n\n%c%s.\n", progname, cmd->full,
		cmd->subs ? " COMMAND" : " [options]",
		cmd->usage && *cmd->usage ? " " : "", cmd->usage ? cmd->usage : "",
		toupper((unsigned char)cmd->summary[0]), cmd->summary + 1);
	if (cmd->subs) {
		fprintf(f, "\nCommands:\n");
		for (const struct bch_cmd *const *s = cmd->subs; *s; s++)
			fprintf(f, "  %-*s %s\n", name_width(cmd->subs), (*s)->name, (*s)->summary);
		fprintf(f, "\nRun '%s help %s COMMAND' for a command's options.\n",
			progname, cmd->full);
		return;
	}
	fprintf(f, "\nOptions:\n");
	for (const struct bch_opt *o = cmd->opts; o && o->name; o++)
		print_opt(f, o);
	for (const struct bch_opt *o = bch_common_opts; o->name; o++)
		print_opt(f, o);
	/* The page is the group's: "nvm dump" is in bcache-nvm(8). */
	fprintf(f, "\nSee %s-%.*s(8) for details.\n", progname,
		(int)strcspn(cmd->full, " "), cmd->full);
}

const struct bch_opt bch_json_opts[] = {
	{ "json", 'J', no_argument, NULL, "print one JSON document", NULL },
	{ NULL },
};

int bch_json_opt(int val, const char *arg, void *ctx)
{
	(void)arg;
	if (val != 'J')
		return BCH_EXIT_USAGE;
	*(bool *)ctx = true;
	return 0;
}

int bch_write_flag(struct bch_write_flags *w, int val)
{
	switch (val) {
	case 'f':
		w->force = true;
		return 0;
	case 'n':
		w->dry_run = true;
		return 0;
	case 'J':
		w->json = true;
		return 0;
	}
	return BCH_EXIT_USAGE;
}

int bch_parse(const struct bch_cmd *cmd, int argc, char **argv,
	      int (*handler)(int val, const char *arg, void *ctx), void *ctx,
	      int *optind_out)
{
	size_t n = count_opts(cmd->opts), nc = count_opts(bch_common_opts), k = 0;
	struct option *lo = calloc(n + nc + 1, sizeof(*lo));
	char *so = calloc(3 * (n + nc) + 4, 1);
	size_t sl = 0;
	int rc = 0, c;

	if (!lo || !so) {
		free(lo);
		free(so);
		bch_err("out of memory");
		return BCH_EXIT_ERROR;
	}
	if (cmd->in_order)
		so[sl++] = '-';	/* operands in order, as option 1 */
	so[sl++] = ':';		/* report missing arguments as ':' */
	for (int pass = 0; pass < 2; pass++) {
		const struct bch_opt *o = pass ? bch_common_opts : cmd->opts;

		for (; o && o->name; o++) {
			lo[k].name = o->name;
			lo[k].has_arg = o->has_arg;
			lo[k].val = o->val;
			k++;
			if (o->val < 256) {
				so[sl++] = (char)o->val;
				if (o->has_arg != no_argument)
					so[sl++] = ':';
				if (o->has_arg == optional_argument)
					so[sl++] = ':';
			}
		}
	}
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (c == 'h') {
			bch_cmd_help(cmd, stdout);
			rc = BCH_EXIT_DONE;
			break;
		}
		if (c == '?') {
			rc = optopt ? bch_usage_error(cmd, "unknown option '-%c'", optopt) :
				      bch_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
			break;
		}
		if (c == ':') {
			rc = bch_usage_error(cmd, "option '%s' needs an argument",
					     argv[optind - 1]);
			break;
		}
		rc = handler(c, optarg, ctx);
		if (rc)
			break;
	}
	*optind_out = optind;
	free(lo);
	free(so);
	return rc;
}

OUT_CATALOGUE(BCH_COLS_VERSION, VC, version_cols);

static int cmd_version(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct out_table *t;
	bool json = false;
	struct out o;
	int first, rc = cmd ? bch_parse(cmd, argc, argv, bch_json_opt, &json, &first) : 0;

	if (rc)
		return rc;
	if (!json) {
		printf("bcache-nvm-tools %s\n", BCACHE_VERSION);
		return BCH_EXIT_OK;
	}
	out_init(&o, true);
	t = out_table(&o, "version", version_cols, VC_NCOLS, NULL, 0, OUT_T_OBJECT);
	if (!t)
		return BCH_EXIT_ERROR;
	out_line(t, 0);
	out_str(t, VC_PROGRAM, "bcache-nvm-tools");
	out_str(t, VC_VERSION, BCACHE_VERSION);
	out_emit(t);
	return out_finish(&o) ? BCH_EXIT_ERROR : BCH_EXIT_OK;
}

static void top_help(FILE *f)
{
	fprintf(f, "Usage: %s [--version] [--help] COMMAND [options] [operands]\n\n"
		   "Format and debug bcache metadata on persistent memory.\n\nCommands:\n",
		progname);
	for (const struct bch_cmd *const *c = bch_commands; *c; c++)
		fprintf(f, "  %-*s %s\n", name_width(bch_commands), (*c)->name, (*c)->summary);
	fprintf(f, "\nRun '%s help COMMAND' for a command's options; see bcache(8).\n",
		progname);
}

static const struct bch_cmd *find_cmd(const struct bch_cmd *const *table,
				      const char *name)
{
	for (const struct bch_cmd *const *c = table; c && *c; c++)
		if (!strcmp((*c)->name, name))
			return *c;
	return NULL;
}

static int cmd_help(const struct bch_cmd *cmd, int argc, char **argv)
{
	const struct bch_cmd *c;

	(void)cmd;
	if (argc < 2) {
		top_help(stdout);
		return BCH_EXIT_OK;
	}
	c = find_cmd(bch_commands, argv[1]);
	if (c && c->subs && argc > 2)
		c = find_cmd(c->subs, argv[2]);
	if (!c) {
		bch_err("unknown command '%s%s%s'", argv[1], argc > 2 ? " " : "",
			argc > 2 ? argv[2] : "");
		return BCH_EXIT_USAGE;
	}
	bch_cmd_help(c, stdout);
	return BCH_EXIT_OK;
}

/*
 * Hidden helpers for completion and the man-page drift tests:
 *   bcache --list-cmds | CMD --list-cmds    one command name per line
 *   bcache --list-opts | CMD [SUB] --list-opts
 *       one option per line: "--name" or "-c", followed by "=HINT" when it
 *       takes an argument (HINT is bch_opt.complete, empty for free text);
 *       last, "@HINT" when the command takes operands
 *   bcache --list-problems                 CODE<TAB>severity<TAB>text
 */
static void list_cmds(const struct bch_cmd *const *table)
{
	for (const struct bch_cmd *const *c = table; c && *c; c++)
		printf("%s\n", (*c)->name);
}

static void list_opt(const struct bch_opt *o, const char *prefix, const char *name)
{
	printf("%s%s", prefix, name);
	if (o->has_arg != no_argument)
		printf("=%s", o->complete ? o->complete : "");
	putchar('\n');
}

static void list_opt_table(const struct bch_opt *o)
{
	for (; o && o->name; o++) {
		char s[2] = { (char)o->val, 0 };

		list_opt(o, "--", o->name);
		if (o->val < 256)
			list_opt(o, "-", s);
	}
}

static void list_opts(const struct bch_cmd *cmd)
{
	list_opt_table(cmd->opts);
	list_opt_table(bch_common_opts);
	if (cmd->operands)
		printf("@%s\n", cmd->operands);
}

static int dispatch(const struct bch_cmd *const *table, int argc, char **argv)
{
	const struct bch_cmd *c = find_cmd(table, argv[0]);

	if (!c) {
		if (argv[0][0] == '-')
			bch_err("unknown option '%s'", argv[0]);
		else
			bch_err("unknown command '%s'", argv[0]);
		top_help(stderr);
		return BCH_EXIT_USAGE;
	}
	if (argc > 1 && !strcmp(argv[1], "--list-opts")) {
		list_opts(c);
		return BCH_EXIT_OK;
	}
	if (argc > 1 && !strcmp(argv[1], "--list-cmds")) {
		list_cmds(c->subs);	/* nothing for a command without subs */
		return BCH_EXIT_OK;
	}
	if (argc > 1 && !strcmp(argv[1], "--list-columns") &&
	    bch_print_columns(c->full, stdout))
		return BCH_EXIT_OK;
	if (c->subs) {
		if (argc < 2) {
			bch_cmd_help(c, stderr);
			return BCH_EXIT_USAGE;
		}
		if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			bch_cmd_help(c, stdout);
			return BCH_EXIT_OK;
		}
		if (!find_cmd(c->subs, argv[1])) {
			bch_err("unknown command '%s %s'", c->name, argv[1]);
			bch_cmd_help(c, stderr);
			return BCH_EXIT_USAGE;
		}
		return dispatch(c->subs, argc - 1, argv + 1);
	}
	return bch_exit_status(c->run(c, argc, argv));
}

int main(int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		top_help(stderr);
		return BCH_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return cmd_version(NULL, 0, NULL);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		top_help(stdout);
		return BCH_EXIT_OK;
	}
	if (!strcmp(argv[1], "--list-cmds")) {
		list_cmds(bch_commands);
		return BCH_EXIT_OK;
	}
	if (!strcmp(argv[1], "--list-opts")) {
		list_opt_table(global_opts);
		return BCH_EXIT_OK;
	}
	if (!strcmp(argv[1], "--list-problems")) {
		bch_print_problems(stdout);
		return BCH_EXIT_OK;
	}
	rc = dispatch(bch_commands, argc - 1, argv + 1);
	/* A full disk or closed pipe on stdout must not go unnoticed. */
	if (fflush(stdout) || ferror(stdout)) {
		if (errno != EPIPE)
			bch_err("write error on standard output: %s", strerror(errno));
		if (rc == BCH_EXIT_OK)
			rc = BCH_EXIT_ERROR;
	}
	return rc;
}
