// SPDX-License-Identifier: GPL-2.0
/*
 * bcache nvm dump: decode what the nvm-pages allocator keeps on media.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bcache/fields.h>
#include <bcache/live.h>
#include <bcache/media.h>
#include <bcache/probe.h>
#include <bcache/text.h>
#include <bcache/nvm-buddy.h>
#include <bcache/nvm-set.h>
#include <bcache/nvm-walk.h>

#include "cmd.h"
#include "columns.h"
#include "nvm-common.h"
#include "output.h"
#include "tables.h"

struct dump_opts {
	bool json;
	bool tree;
	const char *columns;		/* -o */
	const char *hex;		/* --hex STRUCT */
	uint64_t hex_off;		/* its bytes */
	size_t hex_len;
	bool owner_set;
	uint8_t owner[16];		/* --owner */
	const struct bch_cmd *cmd;
};

static const struct bch_opt dump_opts_def[] = {
	{ "json", 'J', no_argument, NULL, "print one JSON document", NULL },
	{ "output", 'o', required_argument, "COLUMNS",
	  "allocation table columns (comma list; +LIST appends)", "columns" },
	{ "list-columns", OPT_LIST_COLUMNS, no_argument, NULL,
	  "list the allocation table columns and exit", NULL },
	{ "tree", OPT_TREE, no_argument, NULL,
	  "show owner -> record page -> allocation as a tree", NULL },
	{ "hex", OPT_HEX, required_argument, "STRUCT",
	  "hex+ASCII dump of superblock, owner_list (set_header: the same bytes) or slot:N",
	  "superblock|owner_list|set_header|slot:" },
	{ "owner", OPT_OWNER, required_argument, "UUID",
	  "only this owner's heads, record pages and allocations", "uuid" },
	{ NULL },
};

static const struct out_coldef alloc_cols[] = {
#define ALLOC_COL(name, type, flag, help) { #name, SCOLS_JSON_##type, OUT_FL_##flag, help },
	BCH_NVM_DUMP_COLUMNS(ALLOC_COL)
#undef ALLOC_COL
};
#define NALLOC_COLS (sizeof(alloc_cols) / sizeof(alloc_cols[0]))
#define ALLOC_VAL_LEN 40	/* a uuid, "0x" and 16 digits, a u64 */
#define ALLOC_DEFAULTS "owner,ns,slot,k,pgoff,page,order,pages,offset,length"

/* The bytes of a --hex STRUCT name; -EINVAL for an unknown name. */
static int hex_range(const char *what, uint64_t *off, size_t *len)
{
	char *end;
	unsigned long n;

	if (!strcmp(what, "superblock") || !strcmp(what, "sb")) {
		*off = BCH_NVM_PAGES_SB_OFFSET;
		*len = BCH_NVM_SB_SIZE;
	} else if (!strcmp(what, "owner_list") || !strcmp(what, "set_header")) {
		*off = BCH_NVM_PAGES_OWNER_LIST_HEAD_OFFSET;
		*len = BCH_NVM_PAGES_OWNER_LIST_HEAD_SIZE;
	} else if (!strncmp(what, "slot:", 5)) {
		errno = 0;
		n = strtoul(what + 5, &end, 10);
		if (errno || *end || !what[5] || n >= BCH_MAX_PGALLOC_RECS)
			return -EINVAL;
		*off = BCH_NVM_SLOT_OFFSET(n);
		*len = BCH_NVM_PAGES_RECS_SIZE;
	} else {
		return -EINVAL;
	}
	return 0;
}

static int dump_opt(int val, const char *arg, void *ctx)
{
	struct dump_opts *o = ctx;

	switch (val) {
	case 'J':
		o->json = true;
		return 0;
	case 'o':
		o->columns = arg;
		return 0;
	case OPT_LIST_COLUMNS:
		bch_print_columns(o->cmd->full, stdout);
		return BCH_EXIT_DONE;
	case OPT_TREE:
		o->tree = true;
		return 0;
	case OPT_HEX:
		o->hex = arg;
		if (hex_range(arg, &o->hex_off, &o->hex_len))
			return bch_usage_error(o->cmd, "--hex: '%s' is not superblock, owner_list, "
					       "set_header or slot:N (N < %d)", arg,
					       BCH_MAX_PGALLOC_RECS);
		return 0;
	case OPT_OWNER:
		if (bch_uuid_parse(arg, o->owner))
			return bch_usage_error(o->cmd, "--owner: '%s' is not a UUID", arg);
		o->owner_set = true;
		return 0;
	}
	return BCH_EXIT_USAGE;
}

int nvm_load_status(const char *path, const struct bch_nvm_ns *ns, int rc)
{
	switch (rc) {
	case 0:
		return BCH_EXIT_OK;
	case -ENODATA: {
		const char *ib = ns->meta_len >= 8192 ?
			bch_probe_info_block(ns->meta + 4096, 4096) : NULL;

		if (ib)
			bch_err("%s: no nvm-pages superblock, but a namespace info block "
				"(%s) at byte 4096: this is an image of a namespace's raw "
				"capacity; the format starts at the namespace's data offset",
				path, ib);
		else
			bch_err("%s: no nvm-pages superblock (magic at byte 4128 not found)",
				path);
		return bch_exit_for_errno(rc);
	}
	default:
		return bch_fail(path, rc, "cannot read");
	}
}

int nvm_live_check(struct bch_nvm_ns *ns)
{
	struct bch_live live;

	if (bch_live_base(ns->path, &live) || bch_nvm_check_live(ns, &live)) {
		bch_err("out of memory");
		return BCH_EXIT_ERROR;
	}
	return BCH_EXIT_OK;
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
	return nvm_load_status(path, ns, rc);
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
	if (ns->lay->nvmpg_ptrs)
		snprintf(k, sizeof(k), "none");
	else if (ns->base.k_known)
		snprintf(k, sizeof(k), "0x%llx", (unsigned long long)ns->base.k);
	else
		snprintf(k, sizeof(k), "unknown");
	out_title(o, "%s: nvm-pages superblock at byte 4096 (%s, %s), checksum %s",
		  ns->path, bch_nvm_revision_name(ns->sbi.revision),
		  bch_nvm_state_name(ns->base.state), ns->sbi.csum_ok ? "ok" : "BAD");
	return out_struct(o, "superblock", ns->lay->sb_desc, &ns->sbi.sb, extra,
			  sizeof(extra) / sizeof(extra[0]));
}

static int dump_owner_list(struct out *o, const struct bch_nvm_ns *ns)
{
	struct out_kv extra[] = {
		{ "device", ns->path, SCOLS_JSON_STRING },
	};

	if (!ns->owner_list)
		return 0;
	out_title(o, "%s at byte 8192", ns->lay->nvmpg_ptrs ? "set header" : "owner list head");
	return out_struct(o, ns->lay->table_name, ns->lay->table_desc, ns->owner_list, extra, 1);
}

static bool owner_shown(const struct dump_opts *d, const struct bch_nvm_owner *ow)
{
	return !d->owner_set || !memcmp(ow->uuid, d->owner, 16);
}

static int dump_owners(struct out *o, const struct bch_nvm_ns *ns,
		       const struct dump_opts *d)
{
	struct libscols_table *tb = out_table(o, "owners");
	const struct bch_struct_desc *hd = ns->lay->head_desc;
	const size_t nst = ns->lay->head_state_at < 0 ? 0 : 2;	/* state, flags */
	const size_t ncols = 4 + nst + BCH_NVM_PAGES_NAMESPACES_MAX;

	if (!tb)
		return -ENOMEM;
	if (!scols_table_get_ncols(tb)) {
		out_column(o, tb, "device", SCOLS_JSON_STRING, SCOLS_FL_HIDDEN * !o->json);
		out_column(o, tb, "index", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT);
		out_column(o, tb, "uuid", SCOLS_JSON_STRING, 0);
		out_column(o, tb, "label", SCOLS_JSON_STRING, 0);
		/* state, flags (nvmpg), recs[j] or recs_offset[j]: the head's names */
		for (size_t f = 2; f < 2 + nst + BCH_NVM_PAGES_NAMESPACES_MAX; f++)
			out_column(o, tb, hd->fields[f].name, hd->fields[f].kind == BCH_FK_UINT ?
				   SCOLS_JSON_NUMBER : SCOLS_JSON_STRING, 0);
		out_column(o, tb, "record_pages", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT);
		out_column(o, tb, "records", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT);
		out_column(o, tb, "pages_allocated", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT);
	}
	for (size_t i = 0; i < ns->nowners; i++) {
		const struct bch_nvm_owner *ow = &ns->owners[i];
		struct libscols_line *ln;
		char u[37], label[4 * 32 + 1];

		if (!owner_shown(d, ow))
			continue;
		ln = scols_table_new_line(tb, NULL);
		if (!ln)
			return -ENOMEM;
		bch_uuid_format(ow->uuid, u);
		bch_field_format(bch_field_find(hd, "label"), ow->raw, label, sizeof(label));
		out_cell(ln, 0, "%s", ns->path);
		out_cell(ln, 1, "%d", ow->index);
		out_cell(ln, 2, "%s", u);
		out_cell(ln, 3, "%s", label);
		if (nst) {
			out_cell(ln, 4, "%u", ow->state);
			out_cell(ln, 5, "0x%x", ow->flags);
		}
		for (size_t j = 0; j < BCH_NVM_PAGES_NAMESPACES_MAX; j++)
			out_cell(ln, 4 + nst + j, "0x%llx", (unsigned long long)ow->recs_raw[j]);
		out_cell(ln, ncols, "%zu", ow->npages);
		out_cell(ln, ncols + 1, "%llu", (unsigned long long)ow->nrecords);
		out_cell(ln, ncols + 2, "%llu", (unsigned long long)ow->pages_allocated);
	}
	out_title(o, "owners (%u of %u heads in use)", ns->heads_walked,
		  ns->owner_list ? ns->owner_list->used : 0);
	return out_emit(o, tb);
}

static int dump_pages(struct out *o, const struct bch_nvm_ns *ns, const struct dump_opts *d)
{
	const struct bch_struct_desc *rd = ns->lay->recs_desc;
	/* owner/next: head_offset/next_offset in nvmpg */
	const char *const cols[] = { "slot", "offset", "head", "ns", rd->fields[0].name,
				     rd->fields[1].name, "magic_ok", "size", "used", "nonempty" };
	struct libscols_table *tb = out_table(o, "record_pages");

	if (!tb)
		return -ENOMEM;
	if (!scols_table_get_ncols(tb)) {
		out_column(o, tb, "device", SCOLS_JSON_STRING, SCOLS_FL_HIDDEN * !o->json);
		for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
			out_column(o, tb, cols[c], c == 4 || c == 5 ?
				   SCOLS_JSON_STRING : !strcmp(cols[c], "magic_ok") ?
				   SCOLS_JSON_BOOLEAN : SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT);
	}
	for (size_t i = 0; i < ns->npages; i++) {
		const struct bch_nvm_recpage *pg = &ns->pages[i];
		struct libscols_line *ln;

		if (!owner_shown(d, &ns->owners[pg->owner]))
			continue;
		ln = scols_table_new_line(tb, NULL);
		if (!ln)
			return -ENOMEM;
		out_cell(ln, 0, "%s", ns->path);
		out_cell(ln, 1, "%d", pg->slot);
		out_cell(ln, 2, "%llu", (unsigned long long)pg->offset);
		out_cell(ln, 3, "%d", ns->owners[pg->owner].index);
		out_cell(ln, 4, "%u", pg->ns);
		out_cell(ln, 5, "0x%llx", (unsigned long long)pg->hdr.owner);
		out_cell(ln, 6, "0x%llx", (unsigned long long)pg->hdr.next);
		out_cell(ln, 7, "%s", out_bool(o, pg->magic_ok));
		out_cell(ln, 8, "%u", pg->hdr.size);
		out_cell(ln, 9, "%u", pg->hdr.used);
		out_cell(ln, 10, "%u", pg->nonempty);
	}
	out_title(o, "%ss reached by the owner-list walk", ns->lay->recs_name);
	return out_emit(o, tb);
}

static void add_columns(struct out *o, struct libscols_table *tb, const int *idx, int n)
{
	if (scols_table_get_ncols(tb))
		return;
	for (int c = 0; c < n; c++)
		out_column(o, tb, alloc_cols[idx[c]].name, alloc_cols[idx[c]].json_type,
			   alloc_cols[idx[c]].flags);
}

/* The text of column col of an allocation row, in buf (or a constant). */
static const char *alloc_value(const struct out *o, char buf[ALLOC_VAL_LEN], int col,
			       const struct bch_nvm_ns *ns, const struct bch_nvm_recpage *pg,
			       uint32_t k, const struct bch_rec *r, bool valid)
{
	const struct bch_nvm_owner *ow = &ns->owners[pg->owner];

	switch (col) {
	case 0:
		return ns->path;
	case 1:
		snprintf(buf, ALLOC_VAL_LEN, "%d", ow->index);
		return buf;
	case 2:
		bch_uuid_format(ow->uuid, buf);
		return buf;
	case 3:
		return out_u64(buf, pg->ns);
	case 4:
		snprintf(buf, ALLOC_VAL_LEN, "%d", pg->slot);
		return buf;
	case 5:
		return out_u64(buf, k);
	case 6:
		return out_hex(buf, r->pgoff);
	case 7:
		return out_u64(buf, r->page);
	case 8:
		return out_u64(buf, r->order);
	case 9:
		return out_u64(buf, r->pages);
	case 10:
		return out_u64(buf, r->page << 12);
	case 11:
		return out_u64(buf, r->pages << 12);
	case 12:
		return out_bool(o, valid);
	case 13:
		snprintf(buf, ALLOC_VAL_LEN, "0x%016llx", (unsigned long long)r->v);
		return buf;
	default:
		return out_u64(buf, r->ns_id);
	}
}

static int dump_allocs(struct out *o, const struct bch_nvm_ns *ns, const struct dump_opts *d,
		       const int *idx, int ncols)
{
	struct libscols_table *tb = out_table(o, "allocations");
	int rc = 0;

	if (!tb)
		return -ENOMEM;
	add_columns(o, tb, idx, ncols);
	out_title(o, "allocations (%zu records)", ns->nallocs);
	for (size_t i = 0; i < ns->nallocs && !rc; i++) {
		const struct bch_nvm_alloc *a = &ns->allocs[ns->walk[i]];
		const struct bch_nvm_recpage *pg = &ns->pages[a->pg];
		char buf[NALLOC_COLS][ALLOC_VAL_LEN];
		const char *vals[NALLOC_COLS];
		struct bch_rec r;

		if (!owner_shown(d, &ns->owners[pg->owner]))
			continue;
		bch_nvm_alloc_rec(ns, a, &r);
		for (int c = 0; c < ncols; c++)
			vals[c] = alloc_value(o, buf[c], idx[c], ns, pg, a->rec, &r, a->valid);
		rc = out_row(o, tb, vals);
	}
	return rc ? rc : out_emit(o, tb);
}

static int dump_stale(struct out *o, const struct bch_nvm_ns *ns)
{
	const struct bch_struct_desc *rd = ns->lay->recs_desc;
	const char *const cols[] = { "device", "slot", "offset", rd->fields[0].name,
				     rd->fields[1].name, rd->fields[3].name, "size", "used",
				     "nonempty" };
	struct libscols_table *tb = out_table(o, "stale_slots");

	if (!tb)
		return -ENOMEM;
	if (!scols_table_get_ncols(tb))
		for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
			out_column(o, tb, cols[c], c == 3 || c == 4 || c == 5 || c == 0 ?
				   SCOLS_JSON_STRING : SCOLS_JSON_NUMBER,
				   c ? 0 : SCOLS_FL_HIDDEN * !o->json);
	for (size_t i = 0; i < ns->nstale; i++) {
		const struct bch_nvm_stale *st = &ns->stale[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		char u[37];

		if (!ln)
			return -ENOMEM;
		bch_uuid_format(st->hdr.owner_uuid, u);
		out_cell(ln, 0, "%s", ns->path);
		out_cell(ln, 1, "%d", st->slot);
		out_cell(ln, 2, "%llu", (unsigned long long)st->offset);
		out_cell(ln, 3, "0x%llx", (unsigned long long)st->hdr.owner);
		out_cell(ln, 4, "0x%llx", (unsigned long long)st->hdr.next);
		out_cell(ln, 5, "%s", u);
		out_cell(ln, 6, "%u", st->hdr.size);
		out_cell(ln, 7, "%u", st->hdr.used);
		out_cell(ln, 8, "%u", st->nonempty);
	}
	if (!o->json && !ns->nstale) {
		scols_unref_table(tb);
		return 0;
	}
	out_title(o, "stale record-page slots (magic present, not linked)");
	return out_emit(o, tb);
}

static int dump_free_space(struct out *o, const struct bch_nvm_ns *ns,
			   const struct bch_nvm_buddy *b)
{
	struct libscols_table *tb = out_table(o, "free_space");

	if (!tb)
		return -ENOMEM;
	if (!scols_table_get_ncols(tb)) {
		out_column(o, tb, "device", SCOLS_JSON_STRING, SCOLS_FL_HIDDEN * !o->json);
		out_column(o, tb, "order", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT);
		out_column(o, tb, "blocks", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT);
		out_column(o, tb, "pages", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT);
	}
	for (int ord = 0; ord < BCH_MAX_ORDER; ord++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			return -ENOMEM;
		out_cell(ln, 0, "%s", ns->path);
		out_cell(ln, 1, "%d", ord);
		out_cell(ln, 2, "%llu", (unsigned long long)b->blocks[ord]);
		out_cell(ln, 3, "%llu", (unsigned long long)(b->blocks[ord] << ord));
	}
	out_title(o, "free space per order, as rebuilt at registration");
	return out_emit(o, tb);
}

static int dump_free_blocks(struct out *o, const struct bch_nvm_ns *ns,
			    const struct bch_nvm_buddy *b)
{
	struct libscols_table *tb = out_table(o, "free_blocks");

	if (!tb)
		return -ENOMEM;
	if (!scols_table_get_ncols(tb)) {
		out_column(o, tb, "device", SCOLS_JSON_STRING, SCOLS_FL_HIDDEN * !o->json);
		out_column(o, tb, "order", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT);
		out_column(o, tb, "page", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT);
		out_column(o, tb, "count", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT);
		out_column(o, tb, "offset", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT);
	}
	for (size_t i = 0; i < b->n; i++) {
		const struct bch_free_block *f = &b->v[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			return -ENOMEM;
		out_cell(ln, 0, "%s", ns->path);
		out_cell(ln, 1, "%u", f->order);
		out_cell(ln, 2, "%llu", (unsigned long long)f->page);
		out_cell(ln, 3, "%llu", (unsigned long long)f->count);
		out_cell(ln, 4, "%llu", (unsigned long long)(f->page << 12));
	}
	out_title(o, "free blocks in free-list order (a row of COUNT blocks is taken "
		     "from its highest block down)");
	return out_emit(o, tb);
}

static int dump_summary(struct out *o, const struct bch_nvm_ns *ns,
			const struct bch_nvm_buddy *b)
{
	struct libscols_table *tb = out_table(o, "summary");
	struct libscols_line *ln;
	static const char *const cols[] = { "device", "pages_total", "reserved", "allocated",
					    "free", "records", "record_pages", "stale_slots",
					    "largest_order", "largest_page" };

	if (!tb)
		return -ENOMEM;
	if (!scols_table_get_ncols(tb))
		for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
			out_column(o, tb, cols[c], c ? SCOLS_JSON_NUMBER : SCOLS_JSON_STRING,
				   c ? SCOLS_FL_RIGHT : SCOLS_FL_HIDDEN * !o->json);
	ln = scols_table_new_line(tb, NULL);
	if (!ln)
		return -ENOMEM;
	out_cell(ln, 0, "%s", ns->path);
	out_cell(ln, 1, "%llu", (unsigned long long)b->pages_total);
	out_cell(ln, 2, "%llu", (unsigned long long)b->reserved);
	out_cell(ln, 3, "%llu", (unsigned long long)ns->pages_allocated);
	out_cell(ln, 4, "%llu", (unsigned long long)b->free_pages);
	out_cell(ln, 5, "%zu", ns->nallocs);
	out_cell(ln, 6, "%zu", ns->npages);
	out_cell(ln, 7, "%zu", ns->nstale);
	out_cell(ln, 8, "%d", b->largest_order);
	out_cell(ln, 9, "%llu", (unsigned long long)b->largest_page);
	out_title(o, "summary (pages of 4096 bytes)");
	return out_emit(o, tb);
}

static int dump_space(struct out *o, const struct bch_nvm_ns *ns)
{
	struct bch_nvm_buddy b;
	int rc = bch_nvm_buddy_of(ns, true, &b);

	if (rc)
		return rc;
	rc = dump_free_space(o, ns, &b);
	if (!rc)
		rc = dump_free_blocks(o, ns, &b);
	if (!rc)
		rc = dump_summary(o, ns, &b);
	bch_nvm_buddy_free(&b);
	return rc;
}

/* --tree: owner -> record page -> allocation */
static int tree_line(struct libscols_table *tb, struct libscols_line *parent,
		     struct libscols_line **out, const char *name, const struct bch_rec *r)
{
	struct libscols_line *ln = scols_table_new_line(tb, parent);

	if (!ln)
		return -ENOMEM;
	*out = ln;
	out_cell(ln, 0, "%s", name);
	if (!r)
		return 0;
	out_cell(ln, 1, "%llu", (unsigned long long)r->page);
	out_cell(ln, 2, "%u", r->order);
	out_cell(ln, 3, "%llu", (unsigned long long)r->pages);
	return out_cell(ln, 4, "%llu", (unsigned long long)(r->page << 12));
}

static int tree_pages(struct libscols_table *tb, struct libscols_line *owl,
		      const struct bch_nvm_ns *ns, int owner_idx)
{
	int rc = 0;

	for (size_t i = 0; i < ns->npages && !rc; i++) {
		const struct bch_nvm_recpage *pg = &ns->pages[i];
		struct libscols_line *pl, *al;
		char name[64];

		if (pg->owner != owner_idx)
			continue;
		snprintf(name, sizeof(name), "ns %u slot %d (used %u)", pg->ns, pg->slot,
			 pg->hdr.used);
		rc = tree_line(tb, owl, &pl, name, NULL);
		for (size_t k = pg->walk_at; k < pg->walk_at + pg->nallocs && !rc; k++) {
			const struct bch_nvm_alloc *a = &ns->allocs[ns->walk[k]];
			struct bch_rec r;

			bch_nvm_alloc_rec(ns, a, &r);
			snprintf(name, sizeof(name), "recs[%u]", a->rec);
			rc = tree_line(tb, pl, &al, name, &r);
		}
	}
	return rc;
}

static int dump_tree(struct out *o, const struct bch_nvm_ns *ns, const struct dump_opts *d)
{
	static const char *const cols[] = { "name", "page", "order", "pages", "offset" };
	struct libscols_table *tb = out_table(o, "tree");
	int rc = 0;

	if (!tb)
		return -ENOMEM;
	if (!scols_table_get_ncols(tb))
		for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
			out_column(o, tb, cols[c], c ? SCOLS_JSON_NUMBER : SCOLS_JSON_STRING,
				   c ? SCOLS_FL_RIGHT : SCOLS_FL_TREE);
	for (size_t i = 0; i < ns->nowners && !rc; i++) {
		const struct bch_nvm_owner *ow = &ns->owners[i];
		struct libscols_line *owl;
		char name[80], u[37];

		if (!owner_shown(d, ow))
			continue;
		bch_uuid_format(ow->uuid, u);
		snprintf(name, sizeof(name), "owner %d %s", ow->index, u);
		rc = tree_line(tb, NULL, &owl, name, NULL);
		if (!rc)
			rc = tree_pages(tb, owl, ns, (int)i);
	}
	out_title(o, "%s: owners, record pages and allocations", ns->path);
	return rc ? rc : out_emit(o, tb);
}

/* --hex: superblock, owner_list or slot:N as offset / hex / ASCII rows */
#define HEX_ROW_LEN 64	/* 16 bytes: 47 characters and a wider gap after 8 */
static void hex_row(const unsigned char *p, size_t n, char hex[HEX_ROW_LEN], char *ascii)
{
	size_t h = 0;

	for (size_t i = 0; i < n; i++) {
		h = bch_snappend(hex, HEX_ROW_LEN, h, "%s%02x", i == 0 ? "" : i == 8 ? "  " : " ",
				 p[i]);
		ascii[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
	}
	ascii[n] = '\0';
}

static int dump_hex(struct out *o, const struct bch_nvm_ns *ns, const struct dump_opts *d)
{
	const char *what = d->hex;
	uint64_t off = d->hex_off;
	size_t len = d->hex_len;
	struct libscols_table *tb;
	bool starred = false;

	tb = out_table(o, "hex");
	if (!tb)
		return -ENOMEM;
	if (!scols_table_get_ncols(tb)) {
		out_column(o, tb, "offset", SCOLS_JSON_STRING, SCOLS_FL_RIGHT);
		out_column(o, tb, "hex", SCOLS_JSON_STRING, 0);
		out_column(o, tb, "ascii", SCOLS_JSON_STRING, 0);
	}
	for (size_t i = 0; i < len; i += 16) {
		const unsigned char *p = ns->meta + off + i;
		size_t n = len - i < 16 ? len - i : 16;
		struct libscols_line *ln;
		char hex[HEX_ROW_LEN], ascii[17];

		/* a run of rows equal to the previous one shows as one "*" */
		if (i && i + 16 < len && n == 16 && !memcmp(p, p - 16, 16)) {
			if (starred)
				continue;
			starred = true;
			ln = scols_table_new_line(tb, NULL);
			if (!ln)
				return -ENOMEM;
			out_cell(ln, 0, "*");
			continue;
		}
		starred = false;
		hex_row(p, n, hex, ascii);
		ln = scols_table_new_line(tb, NULL);
		if (!ln)
			return -ENOMEM;
		out_cell(ln, 0, "%08llx", (unsigned long long)(off + i));
		out_cell(ln, 1, "%s", hex);
		out_cell(ln, 2, "%s", ascii);
	}
	out_title(o, "%s: %s, bytes [%llu, %llu)", ns->path, what, (unsigned long long)off,
		  (unsigned long long)(off + len));
	return out_emit(o, tb);
}

static int dump_one(struct out *o, const struct bch_nvm_ns *ns, const struct dump_opts *d,
		    const int *idx, int ncols)
{
	int err;

	if (d->hex)
		return dump_hex(o, ns, d);
	if (d->tree)
		return ns->owner_list ? dump_tree(o, ns, d) : 0;
	err = dump_superblock(o, ns);
	if (!err)
		err = dump_owner_list(o, ns);
	if (!err && ns->owner_list)
		err = dump_owners(o, ns, d);
	if (!err && ns->owner_list)
		err = dump_pages(o, ns, d);
	if (!err && ns->owner_list)
		err = dump_allocs(o, ns, d, idx, ncols);
	if (!err && ns->owner_list)
		err = dump_stale(o, ns);
	if (!err)
		err = dump_space(o, ns);
	if (!err)
		err = out_problems(o, ns->path, &ns->problems);
	return err;
}

/* Load every device; returns the worst load status.  ns[i] NULL on failure. */
static int load_all(size_t n, char **argv, struct bch_nvm_ns **ns)
{
	int ret = BCH_EXIT_OK;

	for (size_t i = 0; i < n; i++) {
		int rc;

		ns[i] = calloc(1, sizeof(**ns));
		if (!ns[i]) {
			bch_err("out of memory");
			return BCH_EXIT_ERROR;
		}
		ns[i]->problems.device = (int)i;	/* < argc */
		rc = nvm_open_load(argv[i], ns[i]);
		if (!rc)
			rc = nvm_live_check(ns[i]);
		if (rc) {
			bch_nvm_ns_free(ns[i]);
			free(ns[i]);
			ns[i] = NULL;
			ret = bch_exit_combine(ret, rc);
		}
	}
	if (bch_nvm_set_check(ns, n)) {
		bch_err("out of memory");
		ret = BCH_EXIT_ERROR;
	}
	return ret;
}

/* The last device loaded: its tables are filled in their creation order. */
/* The last device loaded (n when none). */
static size_t last_loaded(struct bch_nvm_ns *const *ns, size_t n)
{
	size_t i = n;

	while (i > 0 && !ns[i - 1])
		i--;
	return i ? i - 1 : n;
}

static void free_all(struct bch_nvm_ns **ns, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ns[i]) {
			bch_nvm_ns_free(ns[i]);
			free(ns[i]);
		}
	free(ns);
}

static int dump_columns_parse(const struct dump_opts *d, int *idx, int *n)
{
	const char *bad = NULL;
	int rc;

	if (!d->columns && d->json) {
		rc = out_parse_columns(alloc_cols, NALLOC_COLS, "device," ALLOC_DEFAULTS, NULL,
				       idx, NALLOC_COLS, &bad);
	} else {
		rc = out_parse_columns(alloc_cols, NALLOC_COLS, ALLOC_DEFAULTS, d->columns,
				       idx, NALLOC_COLS, &bad);
	}
	if (rc == -EINVAL)
		return bch_usage_error(d->cmd, "unknown column '%s' (see --list-columns)", bad);
	if (rc < 0) {
		bch_err("out of memory");
		return BCH_EXIT_ERROR;
	}
	*n = rc;
	return 0;
}

/* The text output prints each device apart: any mix of revisions. */
int nvm_json_one_revision(struct nvm_rev_seen *seen, const char *path,
			  const struct bch_nvm_layout *lay)
{
	if (!seen->lay) {
		seen->path = path;
		seen->lay = lay;
	} else if (lay != seen->lay) {
		bch_err("%s is %s, %s is %s: one JSON document holds one revision's fields; "
			"give them to one command each (nvm check takes them together)",
			seen->path, seen->lay->name, path, lay->name);
		return BCH_EXIT_USAGE;
	}
	return 0;
}

static int one_revision(struct bch_nvm_ns *const *ns, size_t n)
{
	struct nvm_rev_seen seen = { 0 };
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++)
		if (ns[i])
			rc = nvm_json_one_revision(&seen, ns[i]->path, ns[i]->lay);
	return rc;
}

static int cmd_dump(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct dump_opts opts = { .cmd = cmd };
	struct bch_nvm_ns **ns;
	int idx[NALLOC_COLS], ncols = 0;
	struct out o;
	int rc, first, ret;
	size_t n;

	rc = bch_parse(cmd, argc, argv, dump_opt, &opts, &first);
	if (rc)
		return rc;
	if (first >= argc)
		return bch_usage_error(cmd, "no device given");
	rc = dump_columns_parse(&opts, idx, &ncols);
	if (rc)
		return rc;
	n = (size_t)(argc - first);	/* first < argc */
	ns = calloc(n, sizeof(*ns));
	if (!ns)
		return bch_fail("nvm dump", -ENOMEM, NULL);
	ret = load_all(n, argv + first, ns);
	rc = opts.json && !opts.hex ? one_revision(ns, n) : 0;
	if (rc) {
		free_all(ns, n);
		return rc;
	}
	out_init(&o, opts.json);
	for (size_t i = 0; i < n; i++) {
		int err;

		if (!ns[i])
			continue;
		if (i == last_loaded(ns, n))
			out_final(&o);
		if (opts.hex && opts.hex_off >= BCH_NVM_SLOT_OFFSET(ns[i]->lay->max_slots)) {
			bch_err("%s: --hex %s: the %s revision has %d record-list slots",
				ns[i]->path, opts.hex, ns[i]->lay->name, ns[i]->lay->max_slots);
			ret = bch_exit_combine(ret, BCH_EXIT_USAGE);
			continue;
		}
		if (opts.hex && opts.hex_off + opts.hex_len > ns[i]->meta_len) {
			bch_err("%s: --hex %s: bytes [%llu, %llu) lie beyond the device (%llu "
				"bytes)", ns[i]->path, opts.hex, (unsigned long long)opts.hex_off,
				(unsigned long long)(opts.hex_off + opts.hex_len),
				(unsigned long long)ns[i]->size);
			ret = bch_exit_combine(ret, BCH_EXIT_USAGE);
			continue;
		}
		err = dump_one(&o, ns[i], &opts, idx, ncols);
		if (err)
			ret = bch_exit_combine(ret, bch_fail(ns[i]->path, err, "output failed"));
	}
	free_all(ns, n);
	if (out_finish(&o))
		ret = BCH_EXIT_ERROR;
	return ret;
}

/* ---- nvm check ---- */

/* Each device's status (load, then problems of warning severity), combined. */
static int check_status(struct bch_nvm_ns *const *ns, size_t n, int load_rc)
{
	int ret = load_rc;

	for (size_t i = 0; i < n; i++)
		if (ns[i])
			ret = bch_exit_combine(ret, bch_exit_for_problems(&ns[i]->problems,
									  BCH_SEV_WARN));
	return ret;
}

static int cmd_check(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct bch_nvm_ns **ns;
	bool json = false;
	struct out o;
	int rc, first, ret;
	size_t n;

	rc = bch_parse(cmd, argc, argv, bch_json_opt, &json, &first);
	if (rc)
		return rc;
	if (first >= argc)
		return bch_usage_error(cmd, "no device given");
	n = (size_t)(argc - first);	/* first < argc */
	ns = calloc(n, sizeof(*ns));
	if (!ns)
		return bch_fail("nvm check", -ENOMEM, NULL);
	ret = load_all(n, argv + first, ns);
	out_init(&o, json);
	for (size_t i = 0; i < n; i++) {
		if (i == last_loaded(ns, n))
			out_final(&o);
		if (ns[i] && (json || ns[i]->problems.n) && out_problems(&o, ns[i]->path, &ns[i]->problems))
			ret = BCH_EXIT_ERROR;
	}
	ret = check_status(ns, n, ret);
	free_all(ns, n);
	if (out_finish(&o))
		ret = BCH_EXIT_ERROR;
	return ret;
}

static const struct bch_cmd nvm_check = {
	.name = "check", .full = "nvm check",
	.summary = "validate nvm-pages namespaces (read-only)",
	.usage = "DEV...", .opts = bch_json_opts, .run = cmd_check,
	.operands = "device",
};

static const struct bch_cmd nvm_dump = {
	.name = "dump", .full = "nvm dump",
	.summary = "decode the nvm-pages structures of namespaces",
	.usage = "DEV...", .opts = dump_opts_def, .run = cmd_dump,
	.operands = "device",
};

static const struct bch_cmd *const nvm_subs[] = {
	&nvm_dump,
	&nvm_check,
	&bch_cmd_nvm_list,
	&bch_cmd_nvm_rebase,
	NULL,
};

const struct bch_cmd bch_cmd_nvm = {
	.name = "nvm", .full = "nvm",
	.summary = "inspect nvm-pages namespaces",
	.subs = nvm_subs,
};
