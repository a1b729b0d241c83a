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

static const struct out_coldef list_cols[] = {
	{ "namespace", SCOLS_JSON_STRING, 0, "namespace name (namespaceX.Y)" },
	{ "mode", SCOLS_JSON_STRING, 0, "fsdax, devdax, raw or sector" },
	{ "device", SCOLS_JSON_STRING, 0, "device node" },
	{ "size", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT, "bytes of the device node" },
	{ "align", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT, "mapping alignment (fsdax, devdax)" },
	{ "data_offset", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT,
	  "device byte 0 within the namespace" },
	{ "nvm_pages", SCOLS_JSON_BOOLEAN, 0, "carries an nvm-pages superblock" },
	{ "set_uuid", SCOLS_JSON_STRING, 0, "set uuid of the superblock" },
	{ "this_namespace_nr", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT, "namespace number in the set" },
	{ "state", SCOLS_JSON_STRING, 0, "fresh, attached, ...; none; or why unreadable" },
	{ "phys", SCOLS_JSON_STRING, 0, "physical address of device byte 0 (root)" },
	{ "live_base", SCOLS_JSON_STRING, 0,
	  "fsdax: where this boot maps byte 0 (v7 base K), or why unknown" },
	{ "revision", SCOLS_JSON_STRING, 0, "nvm-pages revision: v7 or nvmpg" },
};

/* The live base column: the address, or why there is none. */
static void list_live(const struct bch_pmem_ns *p, const struct bch_dmap *dm,
		      struct libscols_line *ln)
{
	struct bch_live live;

	if (p->phys)
		out_cell(ln, 10, "0x%llx", (unsigned long long)p->phys);
	bch_live_of(p, dm, &live);
	switch (live.reason) {
	case BCH_LIVE_OK:
		out_cell(ln, 11, "0x%llx", (unsigned long long)live.k);
		break;
	case BCH_LIVE_NOT_FSDAX:
	case BCH_LIVE_NOT_NAMESPACE:
		out_cell(ln, 11, "-");
		break;
	case BCH_LIVE_NO_PHYS:
		out_cell(ln, 11, "unknown: no physical address (root only)");
		break;
	case BCH_LIVE_NO_KCORE:
		out_cell(ln, 11, "unknown: /proc/kcore: %s", strerror(live.err));
		break;
	case BCH_LIVE_NO_DIRECT_MAP:
	case BCH_LIVE_INCONSISTENT:
		out_cell(ln, 11, "unknown: %s", bch_live_reason_text(live.reason));
		break;
	}
}

/* The superblock columns of one namespace. */
static void list_sb(const struct out *o, const struct bch_pmem_ns *p,
		    struct libscols_line *ln)
{
	struct bch_media *m;
	struct bch_nvm_ns ns;
	char u[37];
	int rc;

	if (!p->enabled || p->mode == BCH_NS_SECTOR) {
		out_cell(ln, 6, "%s", out_bool(o, false));
		out_cell(ln, 9, "%s", p->enabled ? "not byte-addressable" : "disabled");
		return;
	}
	rc = bch_media_open(p->dev, 0, &m);
	if (rc) {
		out_cell(ln, 6, "%s", out_bool(o, false));
		out_cell(ln, 9, "unreadable: %s", strerror(-rc));
		return;
	}
	rc = bch_nvm_load(m, &ns);
	bch_media_close(m);
	out_cell(ln, 6, "%s", out_bool(o, rc == 0));
	if (rc == 0) {
		bch_uuid_format(ns.sbi.sb.set_uuid, u);
		out_cell(ln, 7, "%s", u);
		out_cell(ln, 8, "%u", ns.sbi.sb.this_namespace_nr);
		out_cell(ln, 9, "%s%s", bch_nvm_state_name(ns.base.state),
			 ns.sbi.csum_ok ? "" : ", csum bad");
		out_cell(ln, 12, "%s", ns.lay->name);
	} else if (rc == -ENODATA) {
		out_cell(ln, 9, "none");
	} else {
		out_cell(ln, 9, "unreadable: %s", strerror(-rc));
	}
	bch_nvm_ns_free(&ns);
}

static int cmd_list(const struct bch_cmd *cmd, int argc, char **argv)
{
	bool json = false;
	struct bch_pmem_list l;
	struct bch_dmap dm = { .reason = BCH_LIVE_NO_DIRECT_MAP };
	struct libscols_table *tb;
	struct out o;
	int rc, first;

	rc = bch_parse(cmd, argc, argv, bch_json_opt, &json, &first);
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
	out_init(&o, json);
	tb = out_table(&o, "namespaces");
	for (size_t c = 0; tb && c < sizeof(list_cols) / sizeof(list_cols[0]); c++)
		out_column(&o, tb, list_cols[c].name, list_cols[c].json_type,
			   list_cols[c].flags);
	for (size_t i = 0; tb && i < l.n; i++) {
		const struct bch_pmem_ns *p = &l.v[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			break;
		out_cell(ln, 0, "%s", p->name);
		out_cell(ln, 1, "%s", bch_ns_mode_name(p->mode));
		out_cell(ln, 2, "%s", p->dev);
		out_cell(ln, 3, "%llu", (unsigned long long)p->size);
		out_cell(ln, 4, "%llu", (unsigned long long)p->align);
		out_cell(ln, 5, "%llu", (unsigned long long)p->data_offset);
		list_sb(&o, p, ln);
		list_live(p, &dm, ln);
	}
	bch_pmem_list_free(&l);
	rc = tb ? out_emit(&o, tb) : -ENOMEM;
	if (out_finish(&o) || rc)
		return BCH_EXIT_ERROR;
	return BCH_EXIT_OK;
}

const struct bch_cmd bch_cmd_nvm_list = {
	.name = "list", .full = "nvm list",
	.summary = "list pmem namespaces and their nvm-pages superblocks",
	.usage = "", .opts = bch_json_opts, .run = cmd_list,
};
