// SPDX-License-Identifier: GPL-2.0
/*
 * bcache nvm list: every pmem namespace libndctl knows, with its mode, device
 * node, sizes and alignment, and whether it carries an nvm-pages superblock.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bcache/fields.h>
#include <bcache/live.h>
#include <bcache/media.h>
#include <bcache/nvm-walk.h>
#include <bcache/target.h>

#include "cmd.h"
#include "output.h"
#include "tables.h"

OUT_CATALOGUE(BCH_COLS_LIST, NL, list_cols);

/* The live base column: the address, or why there is none. */
static void list_live(const struct bch_pmem_ns *p, const struct bch_dmap *dm,
		      struct out_table *t)
{
	struct bch_live live;

	if (p->phys)
		out_hex(t, NL_PHYS, p->phys);
	bch_live_of(p, dm, &live);
	switch (live.reason) {
	case BCH_LIVE_OK:
		out_hex(t, NL_LIVE, live.k);
		break;
	case BCH_LIVE_NOT_FSDAX:
	case BCH_LIVE_NOT_NAMESPACE:
		out_str(t, NL_LIVE, "-");
		break;
	case BCH_LIVE_NO_PHYS:
		out_str(t, NL_LIVE, "unknown: no physical address (root only)");
		break;
	case BCH_LIVE_NO_KCORE:
		out_fmt(t, NL_LIVE, "unknown: /proc/kcore: %s", strerror(live.err));
		break;
	case BCH_LIVE_NO_DIRECT_MAP:
	case BCH_LIVE_INCONSISTENT:
		out_fmt(t, NL_LIVE, "unknown: %s", bch_live_reason_text(live.reason));
		break;
	}
}

/* The superblock columns of one namespace. */
static void list_sb(const struct bch_pmem_ns *p,
		    struct out_table *t)
{
	struct bch_media *m;
	struct bch_nvm_ns ns;
	char u[37];
	int rc;

	if (!p->enabled || p->mode == BCH_NS_SECTOR) {
		out_bool(t, NL_NVM, false);
		out_str(t, NL_STATE, p->enabled ? "not byte-addressable" : "disabled");
		return;
	}
	rc = bch_media_open(p->dev, 0, &m);
	if (rc) {
		out_bool(t, NL_NVM, false);
		out_fmt(t, NL_STATE, "unreadable: %s", strerror(-rc));
		return;
	}
	rc = bch_nvm_load(m, &ns);
	bch_media_close(m);
	out_bool(t, NL_NVM, rc == 0);
	if (rc == 0) {
		bch_uuid_format(ns.sbi.sb.set_uuid, u);
		out_str(t, NL_SET_UUID, u);
		out_u64(t, NL_NR, ns.sbi.sb.this_namespace_nr);
		out_fmt(t, NL_STATE, "%s%s", bch_nvm_state_name(ns.base.state),
			ns.sbi.csum_ok ? "" : ", csum bad");
		out_str(t, NL_REV, ns.lay->name);
	} else if (rc == -ENODATA) {
		out_str(t, NL_STATE, "none");
	} else {
		out_fmt(t, NL_STATE, "unreadable: %s", strerror(-rc));
	}
	bch_nvm_ns_free(&ns);
}

struct list_opts {
	bool json;
	int sel[OUT_MAX_COLS], nsel;	/* -o (nsel 0: the default columns) */
	const struct bch_cmd *cmd;
};

static int list_opt(int val, const char *arg, void *ctx)
{
	struct list_opts *lo = ctx;
	const char *bad = NULL;
	int n;

	switch (val) {
	case 'J':
		lo->json = true;
		return 0;
	case 'o':
		n = out_parse_columns(list_cols, NL_NCOLS, arg, lo->sel, &bad);
		if (n == -EINVAL)
			return bch_usage_error(lo->cmd, "unknown column '%s' (see --list-columns)",
					       bad);
		if (n < 0)
			return bch_fail("nvm list", n, NULL);
		lo->nsel = n;
		return 0;
	case OPT_LIST_COLUMNS:
		bch_print_columns(lo->cmd->full, stdout);
		return BCH_EXIT_DONE;
	}
	return BCH_EXIT_USAGE;
}

static const struct bch_opt list_opts_def[] = {
	{ "json", 'J', no_argument, NULL, "print one JSON document", NULL },
	{ "output", 'o', required_argument, "COLUMNS",
	  "columns (comma list; +LIST appends)", "columns" },
	{ "list-columns", OPT_LIST_COLUMNS, no_argument, NULL, "list the columns and exit", NULL },
	{ NULL },
};

static int cmd_list(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct list_opts lo = { .cmd = cmd };
	struct bch_pmem_list l;
	struct bch_dmap dm = { .reason = BCH_LIVE_NO_DIRECT_MAP };
	struct out_table *t;
	struct out o;
	int rc, first;

	rc = bch_parse(cmd, argc, argv, list_opt, &lo, &first);
	if (rc)
		return rc;
	if (first < argc)
		return bch_usage_error(cmd, "unexpected operand '%s'", argv[first]);
	rc = bch_pmem_list(&l);
	if (rc && bch_optlib_error("nvm list", rc))
		return BCH_EXIT_ERROR;
	if (rc)
		return bch_fail("nvm list", rc, "cannot list pmem namespaces");
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].mode == BCH_NS_FSDAX && l.v[i].phys) {
			rc = bch_dmap_read(&dm);	/* once, when it is needed */
			break;
		}
	if (rc) {
		bch_pmem_list_free(&l);
		bch_err("out of memory");
		return BCH_EXIT_ERROR;
	}
	out_init(&o, lo.json);
	t = out_table(&o, "namespaces", list_cols, NL_NCOLS, lo.nsel ? lo.sel : NULL, lo.nsel, 0);
	for (size_t i = 0; t && i < l.n; i++) {
		const struct bch_pmem_ns *p = &l.v[i];

		if (out_line(t, 0))
			break;
		out_str(t, NL_NAMESPACE, p->name);
		out_str(t, NL_MODE, bch_ns_mode_name(p->mode));
		out_str(t, NL_DEVICE, p->dev);
		out_u64(t, NL_SIZE, p->size);
		out_u64(t, NL_ALIGN, p->align);
		out_u64(t, NL_DOFF, p->data_offset);
		list_sb(p, t);
		list_live(p, &dm, t);
	}
	bch_pmem_list_free(&l);
	if (!o.json && t && !t->nrows) {
		out_title(&o, "no pmem namespaces found");
		out_table_free(t);
		rc = 0;
	} else {
		rc = t ? out_emit(t) : -ENOMEM;
	}
	if (out_finish(&o) || rc)
		return BCH_EXIT_ERROR;
	return BCH_EXIT_OK;
}

const struct bch_cmd bch_cmd_nvm_list = {
	.name = "list", .full = "nvm list",
	.summary = "list pmem namespaces and their nvm-pages superblocks",
	.usage = "", .opts = list_opts_def, .run = cmd_list,
};
