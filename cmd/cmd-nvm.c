// SPDX-License-Identifier: GPL-2.0
/*
 * bcache nvm dump: decode what the nvm-pages allocator keeps on media.
 */
#include <ctype.h>
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
	struct out_opts out;	/* -J, -b, -q */
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
	BCH_OPT_BYTES,
	BCH_OPT_QUIET,
	{ NULL },
};


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

	if (out_opt(&o->out, val))
		return 0;
	switch (val) {
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

OUT_CATALOGUE(BCH_COLS_ALLOC, AC, alloc_cols);
OUT_CATALOGUE(BCH_COLS_OWNERS, OC, owner_cols);
OUT_CATALOGUE(BCH_COLS_RECPAGES, PC, page_cols);
OUT_CATALOGUE(BCH_COLS_STALE, SS, stale_cols);
OUT_CATALOGUE(BCH_COLS_FREESPACE, FSP, free_space_cols);
OUT_CATALOGUE(BCH_COLS_FREEBLOCKS, FB, free_block_cols);
OUT_CATALOGUE(BCH_COLS_NVMSUM, NS, summary_cols);
OUT_CATALOGUE(BCH_COLS_TREE, TC, tree_cols);
OUT_CATALOGUE(BCH_COLS_HEX, HX, hex_cols);

static int dump_superblock(struct out *o, const struct bch_nvm_ns *ns)
{
	char csum[24], k[24];
	struct out_kv extra[] = {
		{ "revision", bch_nvm_revision_name(ns->sbi.revision), OUT_STR },
		{ "csum_computed", csum, OUT_HEX },
		{ "csum_ok", ns->sbi.csum_ok ? "1" : "0", OUT_BOOL },
		{ "state", bch_nvm_state_name(ns->base.state), OUT_STR },
		{ "base", k, OUT_STR },
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
	if (!ns->owner_list)
		return 0;
	out_title(o, "%s at byte 8192", ns->lay->nvmpg_ptrs ? "Set header" : "Owner list head");
	return out_struct(o, ns->lay->table_name, ns->lay->table_desc, ns->owner_list, NULL, 0);
}

static bool owner_shown(const struct dump_opts *d, const struct bch_nvm_owner *ow)
{
	return !d->owner_set || !memcmp(ow->uuid, d->owner, 16);
}

static size_t owners_shown(const struct bch_nvm_ns *ns, const struct dump_opts *d)
{
	size_t n = 0;

	for (size_t i = 0; i < ns->nowners; i++)
		n += owner_shown(d, &ns->owners[i]);
	return n;
}

static int dump_owners(struct out *o, const struct bch_nvm_ns *ns,
		       const struct dump_opts *d)
{
	const struct bch_struct_desc *hd = ns->lay->head_desc;
	const bool nst = ns->lay->head_state_at >= 0;	/* state, flags (nvmpg) */
	struct out_col cat[OC_NCOLS];
	char recs_name[32];
	int sel[OC_NCOLS], nsel = 0;
	struct out_table *t;
	int rc = 0;

	/* recs[] or recs_offset[]: the head's own field names */
	memcpy(cat, owner_cols, sizeof(cat));
	snprintf(recs_name, sizeof(recs_name), "%.*s",
		 (int)strcspn(hd->fields[2 + 2 * nst].name, "["), hd->fields[2 + 2 * nst].name);
	cat[OC_RECS].name = recs_name;
	for (int c = 0; c < OC_NCOLS; c++)
		if ((o->json || (cat[c].flags & OUT_DEF)) &&
		    (nst || (c != OC_STATE && c != OC_FLAGS)))
			sel[nsel++] = c;
	t = out_table(o, "owners", cat, OC_NCOLS, sel, nsel, 0);

	if (!t)
		return -ENOMEM;
	if (d->owner_set)
		out_table_title(t, "Owners (%zu of %u heads in use, --owner)",
				owners_shown(ns, d), ns->heads_walked);
	else
		out_table_title(t, "Owners (%u of %u heads in use)", ns->heads_walked,
				ns->owner_list ? ns->owner_list->used : 0);
	for (size_t i = 0; i < ns->nowners && !rc; i++) {
		const struct bch_nvm_owner *ow = &ns->owners[i];
		uint64_t recs[BCH_NVM_PAGES_NAMESPACES_MAX];
		char u[37], label[4 * 32 + 1];

		if (!owner_shown(d, ow))
			continue;
		rc = out_line(t, 0);
		bch_uuid_format(ow->uuid, u);
		bch_field_format(bch_field_find(hd, "label"), ow->raw, label, sizeof(label));
		for (int j = 0; j < BCH_NVM_PAGES_NAMESPACES_MAX; j++)
			recs[j] = ow->recs_raw[j];
		out_u64(t, OC_INDEX, (uint64_t)ow->index);
		out_str(t, OC_UUID, u);
		out_str(t, OC_LABEL, label);
		if (nst) {
			out_u64(t, OC_STATE, ow->state);
			out_hex(t, OC_FLAGS, ow->flags);
		}
		out_hexv(t, OC_RECS, recs, BCH_NVM_PAGES_NAMESPACES_MAX);
		out_u64(t, OC_PAGES, ow->npages);
		out_u64(t, OC_RECORDS, ow->nrecords);
		out_u64(t, OC_ALLOC, ow->pages_allocated);
		out_u64(t, OC_SIZE, ow->pages_allocated << 12);
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

static int dump_pages(struct out *o, const struct bch_nvm_ns *ns, const struct dump_opts *d)
{
	const struct bch_struct_desc *rd = ns->lay->recs_desc;
	struct out_col cat[PC_NCOLS];
	struct out_table *t;
	int rc = 0;

	/* owner/next: head_offset/next_offset in nvmpg */
	memcpy(cat, page_cols, sizeof(cat));
	cat[PC_OWNER].name = rd->fields[0].name;
	cat[PC_NEXT].name = rd->fields[1].name;
	t = out_table(o, "record_pages", cat, PC_NCOLS, NULL, 0, 0);

	if (!t)
		return -ENOMEM;
	out_table_title(t, "%c%ss reached by the owner-list walk",
			toupper((unsigned char)ns->lay->recs_name[0]), ns->lay->recs_name + 1);
	for (size_t i = 0; i < ns->npages && !rc; i++) {
		const struct bch_nvm_recpage *pg = &ns->pages[i];

		if (!owner_shown(d, &ns->owners[pg->owner]))
			continue;
		rc = out_line(t, 0);
		out_u64(t, PC_SLOT, (uint64_t)pg->slot);
		out_u64(t, PC_OFFSET, pg->offset);
		out_u64(t, PC_HEAD, (uint64_t)ns->owners[pg->owner].index);
		out_u64(t, PC_NS, pg->ns);
		out_hex(t, PC_OWNER, pg->hdr.owner);
		out_hex(t, PC_NEXT, pg->hdr.next);
		out_bool(t, PC_MAGIC, pg->magic_ok);
		out_u64(t, PC_SIZE, pg->hdr.size);
		out_u64(t, PC_USED, pg->hdr.used);
		out_u64(t, PC_NONEMPTY, pg->nonempty);
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

/* The records the allocation table shows (all, or those of --owner). */
static size_t records_shown(const struct bch_nvm_ns *ns, const struct dump_opts *d)
{
	size_t n = 0;

	for (size_t i = 0; i < ns->nowners; i++)
		if (owner_shown(d, &ns->owners[i]))
			n += ns->owners[i].nrecords;
	return n;
}

static int dump_allocs(struct out *o, const struct bch_nvm_ns *ns, const struct dump_opts *d,
		       const int *sel, int ncols)
{
	struct out_table *t = out_table(o, "allocations", alloc_cols, AC_NCOLS, sel, ncols, 0);
	char u[37] = "";
	int rc = 0, last_owner = -1;

	if (!t)
		return -ENOMEM;
	out_table_title(t, "Allocations (%zu records)", records_shown(ns, d));
	for (size_t i = 0; i < ns->nallocs && !rc; i++) {
		const struct bch_nvm_alloc *a = &ns->allocs[ns->walk[i]];
		const struct bch_nvm_recpage *pg = &ns->pages[a->pg];
		const struct bch_nvm_owner *ow = &ns->owners[pg->owner];
		struct bch_rec r;

		if (!owner_shown(d, ow))
			continue;
		if (pg->owner != last_owner && out_shown(t, AC_UUID))
			bch_uuid_format(ow->uuid, u);
		last_owner = pg->owner;
		bch_nvm_alloc_rec(ns, a, &r);
		rc = out_line(t, 0);
		out_u64(t, AC_OWNER, (uint64_t)ow->index);
		out_str(t, AC_UUID, u);
		out_u64(t, AC_NS, pg->ns);
		out_u64(t, AC_SLOT, (uint64_t)pg->slot);
		out_u64(t, AC_K, a->rec);
		out_hex(t, AC_PGOFF, r.pgoff);
		out_u64(t, AC_PAGE, r.page);
		out_u64(t, AC_ORDER, r.order);
		out_u64(t, AC_PAGES, r.pages);
		out_u64(t, AC_OFFSET, r.page << 12);
		out_u64(t, AC_LENGTH, r.pages << 12);
		out_bool(t, AC_VALID, a->valid);
		out_hex16(t, AC_RECORD, r.v);
		out_u64(t, AC_NS_ID, r.ns_id);
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

static int dump_stale(struct out *o, const struct bch_nvm_ns *ns)
{
	const struct bch_struct_desc *rd = ns->lay->recs_desc;
	struct out_col cat[SS_NCOLS];
	struct out_table *t;
	int rc = 0;

	memcpy(cat, stale_cols, sizeof(cat));
	cat[SS_OWNER].name = rd->fields[0].name;
	cat[SS_NEXT].name = rd->fields[1].name;
	cat[SS_UUID].name = rd->fields[3].name;
	t = out_table(o, "stale_slots", cat, SS_NCOLS, NULL, 0, OUT_T_SKIP_EMPTY);

	if (!t)
		return -ENOMEM;
	out_table_title(t, "Stale record-page slots (magic present, not linked)");
	for (size_t i = 0; i < ns->nstale && !rc; i++) {
		const struct bch_nvm_stale *st = &ns->stale[i];
		char u[37];

		rc = out_line(t, 0);
		bch_uuid_format(st->hdr.owner_uuid, u);
		out_u64(t, SS_SLOT, (uint64_t)st->slot);
		out_u64(t, SS_OFFSET, st->offset);
		out_hex(t, SS_OWNER, st->hdr.owner);
		out_hex(t, SS_NEXT, st->hdr.next);
		out_str(t, SS_UUID, u);
		out_u64(t, SS_SIZE, st->hdr.size);
		out_u64(t, SS_USED, st->hdr.used);
		out_u64(t, SS_NONEMPTY, st->nonempty);
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

int nvm_free_space_table(struct out *o, const struct bch_nvm_buddy *b)
{
	struct out_table *t = out_table(o, "free_space", free_space_cols, FSP_NCOLS, NULL, 0, 0);
	int rc = 0;

	if (!t)
		return -ENOMEM;
	out_table_title(t, "Free space per order, as rebuilt at registration%s",
			o->json ? "" : " (orders with free blocks)");
	for (int ord = 0; ord < BCH_MAX_ORDER && !rc; ord++) {
		/* text: only the orders that have free blocks */
		if (!o->json && !b->blocks[ord])
			continue;
		rc = out_line(t, 0);
		out_u64(t, FSP_ORDER, (uint64_t)ord);
		out_u64(t, FSP_BLOCKS, b->blocks[ord]);
		out_u64(t, FSP_PAGES, b->blocks[ord] << ord);
		out_u64(t, FSP_BYTES, (b->blocks[ord] << ord) << 12);
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

static int dump_free_blocks(struct out *o, const struct bch_nvm_buddy *b)
{
	struct out_table *t = out_table(o, "free_blocks", free_block_cols, FB_NCOLS, NULL, 0, 0);
	int rc = 0;

	if (!t)
		return -ENOMEM;
	out_table_title(t, "Free blocks in free-list order (a row of COUNT blocks is taken "
			"from its highest block down)");
	for (size_t i = 0; i < b->n && !rc; i++) {
		const struct bch_free_block *f = &b->v[i];

		rc = out_line(t, 0);
		out_u64(t, FB_ORDER, f->order);
		out_u64(t, FB_PAGE, f->page);
		out_u64(t, FB_COUNT, f->count);
		out_u64(t, FB_OFFSET, f->page << 12);
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

static int dump_summary(struct out *o, const struct bch_nvm_ns *ns,
			const struct bch_nvm_buddy *b)
{
	struct out_table *t = out_table(o, "summary", summary_cols, NS_NCOLS, NULL, 0, OUT_T_OBJECT);
	int rc;

	if (!t)
		return -ENOMEM;
	out_table_title(t, "Summary (pages of 4096 bytes)");
	rc = out_line(t, 0);
	out_u64(t, NS_TOTAL, b->pages_total);
	out_u64(t, NS_RESERVED, b->reserved);
	out_u64(t, NS_ALLOC, ns->pages_allocated);
	out_u64(t, NS_FREE, b->free_pages);
	out_u64(t, NS_RECORDS, ns->nallocs);
	out_u64(t, NS_RECPAGES, ns->npages);
	out_u64(t, NS_STALE, ns->nstale);
	out_s64(t, NS_LORDER, b->largest_order);
	out_u64(t, NS_LPAGE, b->largest_page);
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

/*
 * The closing line of a device: revision, state, owners, allocations and
 * free space, problem counts.
 */
void nvm_health(struct out *o, const struct bch_nvm_ns *ns, const struct bch_nvm_buddy *b)
{
	char k[48] = "", alloc[24], fr[24], big[24], pc[48];
	unsigned long long pct = 0;

	if (o->json || o->quiet)
		return;
	if (ns->base.k_known && ns->base.k)
		snprintf(k, sizeof(k), " (K 0x%llx)", (unsigned long long)ns->base.k);
	out_problem_counts(pc, sizeof(pc), &ns->problems);
	if (!b) {
		out_health(o, "%s: %s, %s%s; %s", ns->path,
			   bch_nvm_revision_name(ns->sbi.revision),
			   bch_nvm_state_name(ns->base.state), k, pc);
		return;
	}
	out_size_text(alloc, sizeof(alloc), ns->pages_allocated << 12);
	out_size_text(fr, sizeof(fr), b->free_pages << 12);
	out_size_text(big, sizeof(big), b->largest_order >= 0 ?
		      (1ULL << b->largest_order) << 12 : 0);
	if (b->pages_total > b->reserved)
		pct = b->free_pages * 100 / (b->pages_total - b->reserved);
	out_health(o, "%s: %s, %s%s, %zu owner%s, %zu allocation%s %s, free %s (%llu%%), "
		   "largest free %s; %s", ns->path, bch_nvm_revision_name(ns->sbi.revision),
		   bch_nvm_state_name(ns->base.state), k, ns->nowners,
		   ns->nowners == 1 ? "" : "s", ns->nallocs, ns->nallocs == 1 ? "" : "s",
		   alloc, fr, pct, big, pc);
}

static int dump_space(struct out *o, const struct bch_nvm_ns *ns)
{
	struct bch_nvm_buddy b;
	int rc = bch_nvm_buddy_of(ns, true, &b);

	if (rc)
		return rc;
	rc = nvm_free_space_table(o, &b);
	if (!rc)
		rc = dump_free_blocks(o, &b);
	if (!rc)
		rc = dump_summary(o, ns, &b);
	if (!rc)
		rc = out_problems(o, &ns->problems);
	if (!rc)
		nvm_health(o, ns, &b);
	bch_nvm_buddy_free(&b);
	return rc;
}

/* --tree: owner -> record page -> allocation */
static int tree_line(struct out_table *t, int depth, const char *name, const struct bch_rec *r)
{
	int rc = out_line(t, depth);

	out_str(t, TC_NAME, name);
	if (!r)
		return rc;
	out_u64(t, TC_PAGE, r->page);
	out_u64(t, TC_ORDER, r->order);
	out_u64(t, TC_PAGES, r->pages);
	out_u64(t, TC_OFFSET, r->page << 12);
	return rc;
}

static int tree_pages(struct out_table *t, const struct bch_nvm_ns *ns, int owner_idx)
{
	int rc = 0;

	for (size_t i = 0; i < ns->npages && !rc; i++) {
		const struct bch_nvm_recpage *pg = &ns->pages[i];
		char name[64];

		if (pg->owner != owner_idx)
			continue;
		snprintf(name, sizeof(name), "ns %u slot %d (used %u)", pg->ns, pg->slot,
			 pg->hdr.used);
		rc = tree_line(t, 1, name, NULL);
		for (size_t k = pg->walk_at; k < pg->walk_at + pg->nallocs && !rc; k++) {
			const struct bch_nvm_alloc *a = &ns->allocs[ns->walk[k]];
			struct bch_rec r;

			bch_nvm_alloc_rec(ns, a, &r);
			snprintf(name, sizeof(name), "recs[%u]", a->rec);
			rc = tree_line(t, 2, name, &r);
		}
	}
	return rc;
}

static int dump_tree(struct out *o, const struct bch_nvm_ns *ns, const struct dump_opts *d)
{
	struct out_table *t = out_table(o, "tree", tree_cols, TC_NCOLS, NULL, 0, OUT_T_TREE);
	int rc = 0;

	if (!t)
		return -ENOMEM;
	out_table_title(t, "%s: owners, record pages and allocations", ns->path);
	for (size_t i = 0; i < ns->nowners && !rc; i++) {
		const struct bch_nvm_owner *ow = &ns->owners[i];
		char name[80], u[37];

		if (!owner_shown(d, ow))
			continue;
		bch_uuid_format(ow->uuid, u);
		snprintf(name, sizeof(name), "owner %d %s", ow->index, u);
		rc = tree_line(t, 0, name, NULL);
		if (!rc)
			rc = tree_pages(t, ns, (int)i);
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
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
	struct out_table *t;
	int rc = 0;
	bool starred = false;

	t = out_table(o, "hex", hex_cols, HX_NCOLS, NULL, 0, 0);
	if (!t)
		return -ENOMEM;
	out_table_title(t, "%s: %s, bytes [%llu, %llu)", ns->path, what,
			(unsigned long long)off, (unsigned long long)(off + len));
	for (size_t i = 0; i < len && !rc; i += 16) {
		const unsigned char *p = ns->meta + off + i;
		size_t n = len - i < 16 ? len - i : 16;
		char hex[HEX_ROW_LEN], ascii[17];

		/* a run of rows equal to the previous one shows as one "*" */
		if (i && i + 16 < len && n == 16 && !memcmp(p, p - 16, 16)) {
			if (starred)
				continue;
			starred = true;
			rc = out_line(t, 0);
			out_str(t, HX_OFFSET, "*");
			continue;
		}
		starred = false;
		hex_row(p, n, hex, ascii);
		rc = out_line(t, 0);
		out_fmt(t, HX_OFFSET, "%08llx", (unsigned long long)(off + i));
		out_str(t, HX_HEX, hex);
		out_str(t, HX_ASCII, ascii);
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

static int dump_one(struct out *o, const struct bch_nvm_ns *ns, const struct dump_opts *d,
		    const int *sel, int ncols)
{
	int err;

	out_device(o, ns->path);
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
		err = dump_allocs(o, ns, d, sel, ncols);
	if (!err && ns->owner_list)
		err = dump_stale(o, ns);
	if (!err)
		err = dump_space(o, ns);
	return err;
}

int nvm_load_operands(const struct bch_cmd *cmd, int argc, char **argv, int first,
		      struct bch_nvm_ns ***nsp, size_t *np)
{
	struct bch_nvm_ns **ns;
	int ret = BCH_EXIT_OK;
	size_t n;

	*nsp = NULL;
	*np = 0;
	if (first >= argc)
		return bch_usage_error(cmd, "no device given");
	n = (size_t)(argc - first);
	argv += first;
	ns = calloc(n, sizeof(*ns));
	if (!ns)
		return bch_fail(cmd->full, -ENOMEM, NULL);
	*nsp = ns;
	*np = n;
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

void nvm_free_all(struct bch_nvm_ns **ns, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ns[i]) {
			bch_nvm_ns_free(ns[i]);
			free(ns[i]);
		}
	free(ns);
}

static int dump_columns_parse(const struct dump_opts *d, int *sel, int *n)
{
	const char *bad = NULL;
	int rc = out_parse_columns(alloc_cols, AC_NCOLS, d->columns, sel, &bad);

	if (rc == -EINVAL)
		return bch_usage_error(d->cmd, "unknown column '%s' (see --list-columns)", bad);
	if (rc < 0) {
		bch_err("out of memory");
		return BCH_EXIT_ERROR;
	}
	*n = rc;
	return 0;
}

int nvm_problems_status(struct bch_nvm_ns *const *ns, size_t n, int load_rc,
			enum bch_severity sev)
{
	int ret = load_rc;

	for (size_t i = 0; i < n; i++)
		if (ns[i])
			ret = bch_exit_combine(ret, bch_exit_for_problems(&ns[i]->problems, (int)sev));
	return ret;
}

/* --owner U that no device has: a usage error, not an empty table. */
static bool owner_found(const struct dump_opts *d, struct bch_nvm_ns *const *ns, size_t n)
{
	if (!d->owner_set)
		return true;
	for (size_t i = 0; i < n; i++)
		if (ns[i] && owners_shown(ns[i], d))
			return true;
	return false;
}

static int cmd_dump(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct dump_opts opts = { .cmd = cmd };
	struct bch_nvm_ns **ns;
	int sel[OUT_MAX_COLS], ncols = 0;
	struct out o;
	int rc, first, ret;
	size_t n;

	rc = bch_parse(cmd, argc, argv, dump_opt, &opts, &first);
	if (rc)
		return rc;
	rc = dump_columns_parse(&opts, sel, &ncols);
	if (rc)
		return rc;
	ret = nvm_load_operands(cmd, argc, argv, first, &ns, &n);
	if (!ns)
		return ret;
	if (!owner_found(&opts, ns, n)) {
		char u[37];

		bch_uuid_format(opts.owner, u);
		bch_err("--owner %s: no owner head with this uuid", u);
		nvm_free_all(ns, n);
		return BCH_EXIT_NOT_FOUND;
	}
	out_init_opts(&o, &opts.out);
	for (size_t i = 0; i < n; i++) {
		int err;

		if (!ns[i])
			continue;
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
		err = dump_one(&o, ns[i], &opts, sel, ncols);
		if (err)
			ret = bch_exit_combine(ret, bch_fail(ns[i]->path, err, "output failed"));
	}
	if (!opts.hex)
		ret = nvm_problems_status(ns, n, ret, BCH_SEV_ERROR);
	nvm_free_all(ns, n);
	if (out_finish(&o))
		ret = BCH_EXIT_ERROR;
	return ret;
}

/* ---- nvm check ---- */

/* -J and -q (check has no sizes to show in bytes: -b is not in its table) */
static int check_opt(int val, const char *arg, void *ctx)
{
	(void)arg;
	return out_opt(ctx, val) ? 0 : BCH_EXIT_USAGE;
}

static const struct bch_opt check_opts_def[] = {
	{ "json", 'J', no_argument, NULL, "print one JSON document", NULL },
	BCH_OPT_QUIET,
	{ NULL },
};

static int cmd_check(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct out_opts co = { 0 };
	struct bch_nvm_ns **ns;
	struct out o;
	int rc, first, ret;
	size_t n;

	rc = bch_parse(cmd, argc, argv, check_opt, &co, &first);
	if (rc)
		return rc;
	ret = nvm_load_operands(cmd, argc, argv, first, &ns, &n);
	if (!ns)
		return ret;
	out_init_opts(&o, &co);
	for (size_t i = 0; i < n; i++) {
		struct bch_nvm_buddy b;

		if (!ns[i])
			continue;
		out_device(&o, ns[i]->path);
		if (out_problems(&o, &ns[i]->problems))
			ret = BCH_EXIT_ERROR;
		if (bch_nvm_buddy_of(ns[i], false, &b)) {
			nvm_health(&o, ns[i], NULL);
		} else {
			nvm_health(&o, ns[i], &b);
			bch_nvm_buddy_free(&b);
		}
	}
	ret = nvm_problems_status(ns, n, ret, BCH_SEV_WARN);
	nvm_free_all(ns, n);
	if (out_finish(&o))
		ret = BCH_EXIT_ERROR;
	return ret;
}

static const struct bch_cmd nvm_check = {
	.name = "check", .full = "nvm check",
	.summary = "validate nvm-pages namespaces (read-only)",
	.usage = "DEV...", .opts = check_opts_def, .run = cmd_check,
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
	&bch_cmd_nvm_map,
	&bch_cmd_nvm_list,
	&bch_cmd_nvm_rebase,
	NULL,
};

const struct bch_cmd bch_cmd_nvm = {
	.name = "nvm", .full = "nvm",
	.summary = "inspect nvm-pages namespaces",
	.subs = nvm_subs,
};
