/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command table: every command and option of the binary is described
 * here as data.  The dispatcher, --help, --list-cmds/--list-opts, the shell
 * completions and the man-page drift tests all read the same tables.
 */
#ifndef BCACHE_CMD_H
#define BCACHE_CMD_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* Exit status of every command (documented in bcache(8), EXIT STATUS). */
enum bch_exit {
	BCH_EXIT_OK = 0,	/* success; check: no problems */
	BCH_EXIT_ERROR = 1,	/* operational error: I/O, open, memory */
	BCH_EXIT_USAGE = 2,	/* bad command line */
	BCH_EXIT_REFUSED = 3,	/* a writing command refused: data found, busy, too small */
	BCH_EXIT_PROBLEMS = 4,	/* check/journal: problems found on the media */
	BCH_EXIT_NOT_FOUND = 5,	/* no (supported) bcache structure on the device */
	/*
	 * Not an exit status: returned by a command (through bch_parse) when
	 * it printed its help or a list and is done; it exits 0.
	 */
	BCH_EXIT_DONE = 256,
};

/* Option ids above the char range for long-only options. */
enum {
	OPT_JSON = 256,
	OPT_DRY_RUN,
	OPT_FORCE,
	OPT_SET_UUID,
	OPT_UUID,
	OPT_LIST_COLUMNS,
	OPT_TREE,
	OPT_HEX,
	OPT_OWNER,
	OPT_RAW,
	OPT_NOHEADINGS,
	OPT_CSET_UUID,
	OPT_SEQ,
	OPT_LAST,
	OPT_INODE,
	OPT_KEYS,
	OPT_NO_KEYS,
	OPT_ALL,
	OPT_KERNEL,
	OPT_MEDIA,
	OPT_LABEL,
	OPT_BLOCK,
	OPT_BUCKET,
	OPT_CACHE_MODE,
	OPT_WRITEBACK,
	OPT_DATA_OFFSET,
	OPT_VERBOSE,
	OPT_SEVERITY,
	OPT__CMD_FIRST = 512,	/* commands may define their own from here */
};

struct bch_opt {
	const char *name;	/* long name, without "--" */
	int val;		/* short option character, or an OPT_* id */
	int has_arg;		/* no_argument / required_argument / optional_argument */
	const char *arg;	/* argument name in help, e.g. "UUID" */
	const char *help;
	/*
	 * What completes the argument: "device", "file", "uuid", "columns",
	 * a "|"-separated word list ("writethrough|writeback", or one word), or
	 * NULL for free text.
	 */
	const char *complete;
};

struct bch_cmd;
typedef int (*bch_cmd_fn)(const struct bch_cmd *cmd, int argc, char **argv);

struct bch_cmd {
	const char *name;
	const char *full;		/* "nvm dump": for messages and man pages */
	const char *summary;
	const char *usage;		/* operands after the options */
	const struct bch_opt *opts;	/* terminated by { NULL } */
	bch_cmd_fn run;			/* NULL for a group with subs */
	const struct bch_cmd *const *subs;	/* NULL-terminated */
	const char *operands;		/* operand completion: "device", NULL */
	/*
	 * Operands are passed to the option handler in command-line order, as
	 * option 1 (make's "-C DEV... -B DEV..."); bch_parse leaves none.
	 */
	bool in_order;
};

/* Commands (one file per group). */
extern const struct bch_cmd bch_cmd_make;
extern const struct bch_cmd bch_cmd_nvm;
extern const struct bch_cmd bch_cmd_show;
extern const struct bch_cmd bch_cmd_journal;
extern const struct bch_cmd bch_cmd_register;
extern const struct bch_cmd bch_cmd_tree;
extern const struct bch_cmd bch_cmd_unregister;
extern const struct bch_cmd bch_cmd_attach;
extern const struct bch_cmd bch_cmd_detach;
extern const struct bch_cmd bch_cmd_set_label;
extern const struct bch_cmd bch_cmd_set_cachemode;
extern const struct bch_cmd *const bch_commands[];	/* top level, NULL-terminated */

/* Options every command accepts. */
extern const struct bch_opt bch_common_opts[];

/*
 * Parse argv for a command.  Calls handler(val, optarg, ctx) per option;
 * a non-zero return stops parsing and is returned.  -h/--help prints the
 * help and returns BCH_EXIT_DONE (the command exits 0); usage errors print to stderr and
 * return BCH_EXIT_USAGE.  On success returns 0 and *optind_out is the first
 * operand.
 */
int bch_parse(const struct bch_cmd *cmd, int argc, char **argv,
	      int (*handler)(int val, const char *arg, void *ctx), void *ctx,
	      int *optind_out);
void bch_cmd_help(const struct bch_cmd *cmd, FILE *f);
/*
 * For commands whose only option is --json: the option table, and the
 * bch_parse handler whose ctx is a bool set by --json.
 */
extern const struct bch_opt bch_json_opts[];
int bch_json_opt(int val, const char *arg, void *ctx);
/* Option-table entries of the decoding commands' -b and -q (struct out_opts). */
#define BCH_OPT_BYTES { "bytes", 'b', no_argument, NULL, "sizes in bytes, not in human units", NULL }
#define BCH_OPT_QUIET { "quiet", 'q', no_argument, NULL, "no closing health line", NULL }
/* The flags of the writing commands: -f/--force, -n/--dry-run, -J/--json. */
struct bch_write_flags {
	bool force, dry_run, json;
};
/* Set the flag of option val ('f', 'n', 'J'); BCH_EXIT_USAGE for others. */
int bch_write_flag(struct bch_write_flags *w, int val);
/* Print "usage: ..." and a hint to stderr; returns BCH_EXIT_USAGE. */
int bch_usage_error(const struct bch_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * cmd/exit.c: causes to exit statuses (README, Exit status), in one place.
 */
/* Print "bcache: <msg>" to stderr. */
void bch_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bch_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * The exit status of a library errno: -EBUSY, -ENOSPC, -ENOTSUP,
 * -EMEDIUMTYPE refused (3); -ENODATA, -EPROTONOSUPPORT not found (5);
 * 0 success; any other an operational error (1).
 */
int bch_exit_for_errno(int err);
/*
 * An operational error, in the one format "bcache: WHO: WHAT: strerror"
 * (fmt NULL: "bcache: WHO: strerror"); returns BCH_EXIT_ERROR.  err is a
 * negative or positive errno.
 */
int bch_fail(const char *who, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct bch_problems;
/* BCH_EXIT_PROBLEMS when ps holds a problem of at least min_severity. */
int bch_exit_for_problems(const struct bch_problems *ps, int min_severity);
/*
 * The statuses of several devices (or steps) combined into one: the lowest
 * non-zero status (an operational error outranks a refusal, problems and
 * not found), 0 when both are 0.
 */
int bch_exit_combine(int a, int b);
/*
 * What a command's return becomes: 0-5 themselves, BCH_EXIT_DONE 0; any
 * other value (a stray negative errno) is an internal error: printed, 1.
 */
int bch_exit_status(int rc);
/* Print why opening a device operand failed (cmd/open.c); returns the exit code. */
int bch_open_error(const char *operand, int err);

/* The inputs of a command, which no output may be (bch_output_open). */
struct bch_inputs {
	struct {
		const char *path;
		struct stat st;
	} v[4];
	size_t n;
};
/* Remember the file or device open at fd as an input named path. */
void bch_input_add(struct bch_inputs *in, const char *path, int fd);
/*
 * Open an output path for writing: "-" is standard output; a path that is
 * one of the inputs (the same inode, or the same device node) is refused
 * before anything is written or truncated.  An exit code; *fd the open
 * descriptor (close it) on BCH_EXIT_OK.
 */
int bch_output_open(const char *path, const struct bch_inputs *in, int *fd);
/*
 * -ENOPKG or -ELIBACC from an optional library (libndctl, libpmem2): print
 * "WHO: built without LIB (...)" or why it cannot be loaded and return
 * BCH_EXIT_ERROR; 0 for any other error.
 */
int bch_optlib_error(const char *who, int err);

/*
 * Test-only hooks, inert unless built with -Dtest_hooks=true (bcache(8),
 * ENVIRONMENT): whether BCACHE_TEST_FAULT_STEP names this write step (the
 * write stops there, as a power cut would).  BCACHE_TEST_SYSFS_ROOT is read
 * by lib/sysfs.c.
 */
bool bch_test_fault(int step);

struct out;
struct bch_sys_dev;
/*
 * The device list of `bcache show` (-m: every column) for n devices found:
 * one table.  0 or -ENOMEM.  Also the entry of the fuzz target `show`.
 */
int bch_show_devices(struct out *o, const struct bch_sys_dev *v, size_t n, bool more);

#endif
