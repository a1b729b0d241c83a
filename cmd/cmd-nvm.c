// SPDX-License-Identifier: GPL-2.0
/*
 * bcache nvm dump: decode what the nvm-pages allocator keeps on media.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bcache/fields.h>
#include <bcache/media.h>
#include <bcache/nvm-walk.h>

#include "cmd.h"
#include "nvm-common.h"
#include "output.h"

struct dump_opts {
	bool json;
	const struct bch_cmd *cmd;
};

static const struct bch_opt dump_opts_def[] = {
	{ "json", 'J', no_argument, NULL, "print one JSON document", NULL },
	{ NULL },
};

static int dump_opt(int val, const char *arg, void *ctx)
{
	struct dump_opts *o = ctx;

	(void)arg;
	if (val == 'J') {
		o->json = true;
		return 0;
	}
	return BCH_EXIT_USAGE;
}

int nvm_open_load(const char *path, struct bch_nvm_ns *ns)
{
	struct bch_media *m;
	int rc = bch_media_open(path, 0, &m);

	memset(ns, 0, sizeof(*ns));	/* callers free it on every path */
	if (rc)
		return bch_open_error(path, rc);
	rc = bch_nvm_load(m, ns);
	bch_media_close(m);
	switch (rc) {
	case 0:
		return BCH_EXIT_OK;
	case -ENODATA:
		bch_err("%s: no nvm-pages superblock (magic at byte 4128 not found)", path);
		return BCH_EXIT_NOT_FOUND;
	case -EPROTONOSUPPORT:
		bch_err("%s: nvm-pages superblock of the v12/v13 \"nvmpg\" revision: "
			"unsupported revision", path);
		return BCH_EXIT_NOT_FOUND;
	default:
		bch_err("%s: cannot read: %s", path, strerror(-rc));
		return BCH_EXIT_ERROR;
	}
}

static int dump_superblock(struct out *o, const struct bch_nvm_ns *ns)
{
	char csum[24], k[24];
	struct out_kv extra[] = {
		{ "device", ns->path, SCOLS_JSON_STRING },
		{ "revision", bch_nvm_revision_name(ns->sbi.revision), SCOLS_JSON_STRING },
		{ "csum_computed", csum, SCOLS_JSON_STRING },
		{ "csum_ok", out_bool(o, ns->sbi.csum_ok), SCOLS_JSON_BOOLEAN },
		{ "state", bch_nvm_state_name(ns->base.state), SCOLS_JSON_STRING },
		{ "base", k, SCOLS_JSON_STRING },
	};

	snprintf(csum, sizeof(csum), "0x%016llx", (unsigned long long)ns->sbi.csum_computed);
	if (ns->base.k_known)
		snprintf(k, sizeof(k), "0x%llx", (unsigned long long)ns->base.k);
	else
		snprintf(k, sizeof(k), "unknown");
	out_title(o, "%s: nvm-pages superblock at byte 4096 (%s, %s), checksum %s",
		  ns->path, bch_nvm_revision_name(ns->sbi.revision),
		  bch_nvm_state_name(ns->base.state), ns->sbi.csum_ok ? "ok" : "BAD");
	return out_struct(o, "superblock", &bch_desc_nvm_sb, &ns->sbi.sb, extra,
			  sizeof(extra) / sizeof(extra[0]));
}

static int dump_owner_list(struct out *o, const struct bch_nvm_ns *ns)
{
	struct out_kv extra[] = {
		{ "device", ns->path, SCOLS_JSON_STRING },
	};

	if (!ns->olh)
		return 0;
	out_title(o, "owner list head at byte 8192");
	return out_struct(o, "owner_list_head", &bch_desc_owner_list_head, ns->olh,
			  extra, 1);
}

static int dump_owners(struct out *o, const struct bch_nvm_ns *ns)
{
	struct libscols_table *tb = out_table(o, "owners");
	int ncols = 4 + BCH_NVM_PAGES_NAMESPACES_MAX;

	if (!tb)
		return -ENOMEM;
	if (!scols_table_get_ncols(tb)) {
		out_column(o, tb, "device", SCOLS_JSON_STRING, SCOLS_FL_HIDDEN * !o->json);
		out_column(o, tb, "index", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT);
		out_column(o, tb, "uuid", SCOLS_JSON_STRING, 0);
		out_column(o, tb, "label", SCOLS_JSON_STRING, 0);
		for (int j = 0; j < BCH_NVM_PAGES_NAMESPACES_MAX; j++) {
			char name[16];

			snprintf(name, sizeof(name), "recs[%d]", j);
			out_column(o, tb, name, SCOLS_JSON_STRING, 0);
		}
	}
	for (size_t i = 0; i < ns->nowners; i++) {
		const struct bch_nvm_owner *ow = &ns->owners[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		char u[37], label[4 * 32 + 1];

		if (!ln)
			return -ENOMEM;
		bch_uuid_format(ow->head->uuid, u);
		bch_field_format(bch_field_find(&bch_desc_owner_head, "label"), ow->head,
				 label, sizeof(label));
		out_cell(ln, 0, "%s", ns->path);
		out_cell(ln, 1, "%d", ow->index);
		out_cell(ln, 2, "%s", u);
		out_cell(ln, 3, "%s", label);
		for (int j = 0; j < BCH_NVM_PAGES_NAMESPACES_MAX && 4 + j < ncols; j++)
			out_cell(ln, 4 + j, "0x%llx", (unsigned long long)ow->head->recs[j]);
	}
	out_title(o, "owners (%u of %u heads in use)", ns->heads_walked,
		  ns->olh ? ns->olh->used : 0);
	return out_emit(o, tb);
}

static int dump_pages(struct out *o, const struct bch_nvm_ns *ns)
{
	static const char *const cols[] = { "slot", "offset", "head", "ns", "owner", "next",
					    "magic_ok", "size", "used", "nonempty" };
	struct libscols_table *tb = out_table(o, "record_pages");

	if (!tb)
		return -ENOMEM;
	if (!scols_table_get_ncols(tb)) {
		out_column(o, tb, "device", SCOLS_JSON_STRING, SCOLS_FL_HIDDEN * !o->json);
		for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
			out_column(o, tb, cols[c],
				   !strcmp(cols[c], "owner") || !strcmp(cols[c], "next") ?
				   SCOLS_JSON_STRING : !strcmp(cols[c], "magic_ok") ?
				   SCOLS_JSON_BOOLEAN : SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT);
	}
	for (size_t i = 0; i < ns->npages; i++) {
		const struct bch_nvm_recpage *pg = &ns->pages[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			return -ENOMEM;
		out_cell(ln, 0, "%s", ns->path);
		out_cell(ln, 1, "%d", pg->slot);
		out_cell(ln, 2, "%llu", (unsigned long long)pg->offset);
		out_cell(ln, 3, "%d", ns->owners[pg->owner].index);
		out_cell(ln, 4, "%d", pg->ns);
		out_cell(ln, 5, "0x%llx", (unsigned long long)pg->raw->owner);
		out_cell(ln, 6, "0x%llx", (unsigned long long)pg->raw->next);
		out_cell(ln, 7, "%s", out_bool(o, pg->magic_ok));
		out_cell(ln, 8, "%u", pg->raw->size);
		out_cell(ln, 9, "%u", pg->raw->used);
		out_cell(ln, 10, "%u", pg->nonempty);
	}
	out_title(o, "record pages reached by the owner-list walk");
	return out_emit(o, tb);
}

int nvm_print_problems(struct out *o, const struct bch_nvm_ns *ns)
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
	for (size_t i = 0; i < ns->problems.n; i++) {
		const struct bch_problem *p = &ns->problems.v[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			return -ENOMEM;
		out_cell(ln, 0, "%s", ns->path);
		out_cell(ln, 1, "%s", bch_problem_name(p->code));
		out_cell(ln, 2, "%s", bch_severity_name(p->severity));
		out_cell(ln, 3, "%llu", (unsigned long long)p->offset);
		out_cell(ln, 4, "%s", p->where);
		out_cell(ln, 5, "%s", p->message);
	}
	if (!o->json && !ns->problems.n) {
		scols_unref_table(tb);
		return 0;
	}
	out_title(o, "problems");
	return out_emit(o, tb);
}

static int cmd_dump(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct dump_opts opts = { .cmd = cmd };
	struct out o;
	int rc, first, ret = BCH_EXIT_OK;

	rc = bch_parse(cmd, argc, argv, dump_opt, &opts, &first);
	if (rc)
		return rc;
	if (first >= argc)
		return bch_usage_error(cmd, "no device given");
	out_init(&o, opts.json);
	for (int i = first; i < argc; i++) {
		struct bch_nvm_ns ns;
		int err;

		rc = nvm_open_load(argv[i], &ns);
		if (rc) {
			bch_nvm_ns_free(&ns);
			ret = ret ? ret : rc;
			continue;
		}
		err = dump_superblock(&o, &ns);
		if (!err)
			err = dump_owner_list(&o, &ns);
		if (!err && ns.olh)
			err = dump_owners(&o, &ns);
		if (!err && ns.olh)
			err = dump_pages(&o, &ns);
		if (!err)
			err = nvm_print_problems(&o, &ns);
		bch_nvm_ns_free(&ns);
		if (err) {
			bch_err("%s: output failed: %s", argv[i], strerror(-err));
			ret = BCH_EXIT_ERROR;
		}
	}
	if (out_finish(&o))
		ret = BCH_EXIT_ERROR;
	return ret;
}

static const struct bch_cmd nvm_dump = {
	.name = "dump", .full = "nvm dump",
	.summary = "decode the nvm-pages structures of namespaces",
	.usage = "DEV...", .opts = dump_opts_def, .run = cmd_dump,
	.operands = "device",
};

static const struct bch_cmd *const nvm_subs[] = {
	&nvm_dump,
	&bch_cmd_nvm_list,
	NULL,
};

const struct bch_cmd bch_cmd_nvm = {
	.name = "nvm", .full = "nvm",
	.summary = "inspect nvm-pages namespaces",
	.subs = nvm_subs,
};
