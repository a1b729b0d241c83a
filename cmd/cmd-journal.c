// SPDX-License-Identifier: GPL-2.0
/*
 * bcache journal show / extract: the journal in an nvm-pages namespace (v7 or nvmpg)
 * (bcache-journal-format(5), NVDIMM JOURNAL to LOCATING).  With the cache
 * device (-C) the kernel's own
 * read is emulated (bucket visiting order and insertion) next to the media
 * view (every bucket, and a magic scan of the whole region); without it the
 * owners' regions are scanned by magic.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bcache/cache-sb.h>
#include <bcache/fields.h>
#include <bcache/grow.h>
#include <bcache/journal.h>
#include <bcache/media.h>
#include <bcache/nvm-walk.h>
#include <bcache/probe.h>

#include "cmd.h"
#include "journal-common.h"
#include "nvm-common.h"
#include "output.h"

enum { OPT_SUMMARY = OPT__CMD_FIRST, OPT_OUTPUT };

static const struct bch_opt show_opts_def[] = {
	{ "cache", 'C', required_argument, "DEV",
	  "the cache device: use its d[] and emulate the kernel's journal read", "device" },
	{ "cset-uuid", OPT_CSET_UUID, required_argument, "UUID",
	  "without -C: the cache set uuid that derives the jset magic", "uuid" },
	{ "seq", OPT_SEQ, required_argument, "A..B", "only jsets with seq in [A, B]", NULL },
	{ "last", OPT_LAST, required_argument, "N", "only the N newest seqs", NULL },
	{ "inode", OPT_INODE, required_argument, "N", "only keys of inode N", NULL },
	{ "keys", OPT_KEYS, no_argument, NULL, "decode every bkey (default)", NULL },
	{ "no-keys", OPT_NO_KEYS, no_argument, NULL, "do not decode the payload keys", NULL },
	{ "all", 'a', no_argument, NULL,
	  "also stale, duplicate and invalid jsets, with every offset seen", NULL },
	{ "summary", OPT_SUMMARY, no_argument, NULL, "only the location and the summaries",
	  NULL },
	{ "json", 'J', no_argument, NULL, "print one JSON document", NULL },
	{ NULL },
};

static const struct bch_opt extract_opts_def[] = {
	{ "cache", 'C', required_argument, "DEV", "the cache device (kernel view)", "device" },
	{ "cset-uuid", OPT_CSET_UUID, required_argument, "UUID",
	  "without -C: the cache set uuid that derives the jset magic", "uuid" },
	{ "output", 'o', required_argument, "FILE", "write the jsets to FILE", "file" },
	{ NULL },
};

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	*out = strtoull(s, &end, 0);
	return *end ? -EINVAL : 0;
}

static int parse_seq(struct jopts *o, const char *arg)
{
	const char *dots = strstr(arg, "..");
	char lo[32];
	size_t n;

	o->seq_lo = 0;
	o->seq_hi = UINT64_MAX;
	if (!dots)
		return parse_u64(arg, &o->seq_lo) ? -EINVAL : parse_u64(arg, &o->seq_hi);
	n = (size_t)(dots - arg);	/* dots lies in arg */
	if (n >= sizeof(lo))
		return -EINVAL;
	memcpy(lo, arg, n);
	lo[n] = '\0';
	if (*lo && parse_u64(lo, &o->seq_lo))
		return -EINVAL;
	if (dots[2] && parse_u64(dots + 2, &o->seq_hi))
		return -EINVAL;
	return o->seq_lo > o->seq_hi ? -EINVAL : 0;
}

static int journal_opt(int val, const char *arg, void *ctx)
{
	struct jopts *o = ctx;
	uint64_t v;

	switch (val) {
	case 'C':
		o->cache = arg;
		return 0;
	case OPT_CSET_UUID:
		o->have_cset_uuid = true;
		if (bch_uuid_parse(arg, o->cset_uuid))
			return bch_usage_error(o->cmd, "--cset-uuid: invalid UUID '%s'", arg);
		return 0;
	case OPT_SEQ:
		if (parse_seq(o, arg))
			return bch_usage_error(o->cmd, "--seq: expected A..B, A.., ..B or A: '%s'",
					       arg);
		return 0;
	case OPT_LAST:
		if (parse_u64(arg, &o->last) || !o->last)
			return bch_usage_error(o->cmd, "--last: expected a count > 0: '%s'", arg);
		return 0;
	case OPT_INODE:
		if (parse_u64(arg, &v) || v > 0xfffff)
			return bch_usage_error(o->cmd, "--inode: expected 0..1048575: '%s'", arg);
		o->inode = (long long)v;
		return 0;
	case OPT_KEYS:
	case OPT_NO_KEYS:
		o->keys = val == OPT_KEYS;
		return 0;
	case 'a':
		o->all = true;
		return 0;
	case OPT_SUMMARY:
		o->summary = true;
		return 0;
	case 'J':
		o->json = true;
		return 0;
	case 'o':
		o->output = arg;
		return 0;
	}
	return BCH_EXIT_USAGE;
}

/* ---- analysis (lib: bch_journal_analyze) ---- */

void jctx_free(struct jctx *c)
{
	bch_journal_report_free(&c->rep);
	free(c->buf);
	bch_nvm_ns_free(&c->ns);
	bch_media_close(c->m);
}

/* Open the cache device and read its superblock; an exit code. */
static int load_cache(struct jctx *c)
{
	struct bch_media *cm;
	int rc = bch_media_open(c->o->cache, 0, &cm);

	if (rc)
		return bch_open_error(c->o->cache, rc);
	rc = bch_cache_sb_read(cm, &c->csb);
	if (!rc)
		rc = bch_cache_sb_check(&c->csb, cm->size, 0, &c->rep.problems);
	bch_input_add(&c->inputs, c->o->cache, cm->fd);
	bch_media_close(cm);
	if (rc == -ENODATA) {
		bch_err("%s: no bcache superblock (magic at byte 4120 not found)", c->o->cache);
		return BCH_EXIT_NOT_FOUND;
	}
	if (rc)
		return bch_fail(c->o->cache, rc, "cannot read");
	if (c->csb.backing) {
		bch_err("%s: a backing device: its superblock has no journal", c->o->cache);
		return BCH_EXIT_NOT_FOUND;
	}
	c->have_csb = true;
	return BCH_EXIT_OK;
}

/*
 * Open the namespace and walk it, reading only the metadata pages the walk
 * reaches (the journal needs the allocations, not a dump); an exit code,
 * with the messages of the nvm commands.
 */
static int load_ns(struct jctx *c)
{
	int rc = bch_media_open(c->path, 0, &c->m);

	if (rc)
		return bch_open_error(c->path, rc);
	bch_input_add(&c->inputs, c->path, c->m->fd);
	return nvm_load_status(c->path, &c->ns, bch_nvm_load_lazy(c->m, &c->ns));
}

/* Load everything and analyse; an exit code (problems do not count here). */
int jctx_load(struct jctx *c)
{
	struct bch_journal_opts jo = { 0 };
	int rc = load_ns(c);

	if (rc)
		return rc;
	c->buf = malloc(JSET_MAX_BYTES);
	if (!c->buf)
		return bch_fail(c->path, -ENOMEM, NULL);
	if (c->o->cache) {
		rc = load_cache(c);
		if (rc)
			return rc;
	}
	jo.csb = c->have_csb ? &c->csb : NULL;
	jo.cset_uuid = c->o->have_cset_uuid ? c->o->cset_uuid : NULL;
	jo.events = c->o->all && !c->o->summary;
	rc = bch_journal_analyze(c->m, &c->ns, &jo, &c->rep);
	if (rc)
		return bch_fail(c->path, rc, "journal analysis failed");
	if (!c->rep.nj && !c->o->cache) {
		if (c->rep.loc.nr)
			bch_err("%s: no journal: the owners' %zu allocations are single pages, "
				"too small for a journal region", c->path, c->rep.loc.nr);
		else
			bch_err("%s: no journal: no owner has an allocation (namespace %s)",
				c->path, bch_nvm_state_name(c->ns.base.state));
		return BCH_EXIT_NOT_FOUND;
	}
	return BCH_EXIT_OK;
}

/* The exit code of the analysis' verdict. */
static int verdict(const struct jctx *c)
{
	return c->rep.verdict == BCH_JVERDICT_OK ? BCH_EXIT_OK : BCH_EXIT_PROBLEMS;
}

/* ---- output ---- */

static int read_jset(struct jctx *c, const struct bch_jset_head *h)
{
	return bch_jset_read(c->m, h, c->buf);
}

static bool seq_selected(const struct jctx *c, const struct bch_journal *j, uint64_t seq)
{
	uint64_t newest = j->kernel ? j->krange.newest : j->mrange.newest;

	if (seq < c->o->seq_lo || seq > c->o->seq_hi)
		return false;
	return !c->o->last || newest - seq < c->o->last;
}

int journal_location_table(struct out *o, struct jctx *c)
{
	struct libscols_table *tb = out_table(o, "journals");
	static const struct out_coldef cols[] = {
		{ "device", SCOLS_JSON_STRING, 0, NULL },
		{ "cache_device", SCOLS_JSON_STRING, 0, NULL },
		{ "owner", SCOLS_JSON_NUMBER, 0, NULL },
		{ "set_uuid", SCOLS_JSON_STRING, 0, NULL },
		{ "magic", SCOLS_JSON_STRING, 0, NULL },
		{ "region_offset", SCOLS_JSON_NUMBER, 0, NULL },
		{ "region_bytes", SCOLS_JSON_NUMBER, 0, NULL },
		{ "kernel_finds_record", SCOLS_JSON_BOOLEAN, 0, NULL },
		{ "stride", SCOLS_JSON_STRING, 0, NULL },
		{ "buckets", SCOLS_JSON_NUMBER, 0, NULL },
		{ "bucket_size", SCOLS_JSON_NUMBER, 0, NULL },
		{ "block_size", SCOLS_JSON_NUMBER, 0, NULL },
		{ "base", SCOLS_JSON_STRING, 0, NULL },
		{ "revision", SCOLS_JSON_STRING, 0, NULL },
	};

	if (!tb)
		return -ENOMEM;
	if (!scols_table_get_ncols(tb))
		for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
			out_column(o, tb, cols[i].name, cols[i].json_type, 0);
	for (size_t i = 0; i < c->rep.nj; i++) {
		const struct bch_journal *j = &c->rep.j[i];
		const struct bch_jregion *r = j->reg;
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		char u[37];

		if (!ln)
			return -ENOMEM;
		bch_uuid_format(c->have_csb ? c->csb.sb.set_uuid : c->o->have_cset_uuid ?
				c->o->cset_uuid : r->uuid, u);
		out_cell(ln, 0, "%s", c->path);
		out_cell(ln, 1, "%s", c->o->cache ? c->o->cache : "");
		out_cell(ln, 2, "%d", r ? c->ns.owners[r->owner].index : -1);
		out_cell(ln, 3, "%s", u);
		out_cell(ln, 4, "0x%016llx", (unsigned long long)j->magic);
		out_cell(ln, 5, "%llu", (unsigned long long)(r ? r->start : j->start));
		out_cell(ln, 6, "%llu", (unsigned long long)(r ? r->len : j->end - j->start));
		out_cell(ln, 7, "%s", out_bool(o, r && r->kernel_finds));
		out_cell(ln, 8, "%s", j->kernel ? bch_jstride_name(c->rep.loc.stride) : "unknown");
		out_cell(ln, 9, "%u", j->kernel ? c->rep.loc.g.n : 0);
		out_cell(ln, 10, "%llu", (unsigned long long)(j->kernel ? c->rep.loc.g.bucket_sectors : 0));
		out_cell(ln, 11, "%llu", (unsigned long long)(j->kernel ? c->rep.loc.g.block_sectors : 0));
		if (c->ns.lay->nvmpg_ptrs)
			out_cell(ln, 12, "none");
		else
			out_cell(ln, 12, "0x%llx", (unsigned long long)c->ns.base.k);
		out_cell(ln, 13, "%s", c->ns.lay->name);
	}
	out_title(o, "%s: journal location", c->path);
	return out_emit(o, tb);
}

static const char *const jset_cols[] = {
	"view", "offset", "bucket", "seq", "last_seq", "version", "keys", "nkeys", "csum",
	"csum_computed", "csum_ok", "status", "btree_level", "btree_root", "uuid_bucket",
	"prio_bucket",
};

static struct libscols_table *jset_table(struct out *o, struct jctx *c)
{
	struct libscols_table *tb = c->tb_jsets ? c->tb_jsets : out_table(o, "jsets");

	c->tb_jsets = tb;
	if (tb && !scols_table_get_ncols(tb)) {
		out_column(o, tb, "device", SCOLS_JSON_STRING, SCOLS_FL_HIDDEN * !o->json);
		for (size_t i = 0; i < sizeof(jset_cols) / sizeof(jset_cols[0]); i++) {
			int t = i == 0 || i == 8 || i == 9 || i == 11 || i >= 13 ?
				SCOLS_JSON_STRING : i == 10 ? SCOLS_JSON_BOOLEAN : SCOLS_JSON_NUMBER;

			/* prio_bucket is a number; bucket may be absent */
			if (i == 15)
				t = SCOLS_JSON_NUMBER;
			out_column(o, tb, jset_cols[i], t, i >= 13 && i <= 14 ? SCOLS_FL_WRAP : 0);
		}
	}
	return tb;
}

static void header_keys(struct jctx *c, struct libscols_line *ln, size_t col)
{
	const struct jset *js = (const void *)c->buf;
	char t[160];

	out_cell(ln, col, "%u", js->btree_level);
	if (bch_key_text(js->btree_root.key, KEY_MAX_U64S, t, sizeof(t)) >= 0)
		out_cell(ln, col + 1, "%s", t);
	if (bch_key_text(js->uuid_bucket.key, KEY_MAX_U64S, t, sizeof(t)) >= 0)
		out_cell(ln, col + 2, "%s", t);
	out_cell(ln, col + 3, "%llu", (unsigned long long)js->prio_bucket[0]);
}

static int key_rows(struct out *o, struct jctx *c, const struct bch_jset_head *h, const char *view)
{
	struct libscols_table *tb = c->tb_keys ? c->tb_keys : out_table(o, "keys");
	const uint64_t *k = (const void *)(c->buf + BCH_JSET_HDR);
	size_t words = h->keys, at = 0;

	if (!tb)
		return -ENOMEM;
	c->tb_keys = tb;
	if (!scols_table_get_ncols(tb)) {
		static const char *const n[] = { "device", "view", "seq", "offset", "index",
						 "inode", "start", "size", "dirty", "ptrs", "key" };

		for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++)
			out_column(o, tb, n[i], i == 0 || i == 1 || i == 10 ? SCOLS_JSON_STRING :
				   i == 8 ? SCOLS_JSON_BOOLEAN : SCOLS_JSON_NUMBER,
				   i == 0 && !o->json ? SCOLS_FL_HIDDEN : 0);
	}
	for (unsigned int idx = 0; at < words; idx++) {
		char t[256];
		struct libscols_line *ln;
		int need = bch_key_text(k + at, words - at, t, sizeof(t));

		if (need < 0)
			break;	/* overrun: reported by the jset checks */
		if (c->o->inode < 0 || bch_key_inode(k[at]) == (unsigned int)c->o->inode) {
			ln = scols_table_new_line(tb, NULL);
			if (!ln)
				return -ENOMEM;
			out_cell(ln, 0, "%s", c->path);
			out_cell(ln, 1, "%s", view);
			out_cell(ln, 2, "%llu", (unsigned long long)h->seq);
			out_cell(ln, 3, "%llu", (unsigned long long)h->off);
			out_cell(ln, 4, "%u", idx);
			out_cell(ln, 5, "%u", bch_key_inode(k[at]));
			out_cell(ln, 6, "%llu", (unsigned long long)bch_key_start(k[at], k[at + 1]));
			out_cell(ln, 7, "%u", bch_key_size(k[at]));
			out_cell(ln, 8, "%s", out_bool(o, bch_key_dirty(k[at])));
			out_cell(ln, 9, "%u", bch_key_ptrs(k[at]));
			out_cell(ln, 10, "%s", t);
		}
		at += 2 + bch_key_ptrs(k[at]);
	}
	return 0;
}

static bool has_inode(const struct jctx *c, const struct bch_jset_head *h)
{
	const uint64_t *k = (const void *)(c->buf + BCH_JSET_HDR);

	if (c->o->inode < 0)
		return true;
	for (size_t at = 0; at + 1 < h->keys; at += 2 + bch_key_ptrs(k[at]))
		if (bch_key_inode(k[at]) == (unsigned int)c->o->inode)
			return true;
	return false;
}

static int jset_row(struct out *o, struct jctx *c, const struct bch_journal *j, const char *view,
		    const struct bch_jset_head *h, int bucket, const char *status)
{
	struct libscols_table *tb;
	struct libscols_line *ln;
	struct bch_jset_head checked;
	bool readable;

	if (!seq_selected(c, j, h->seq) && h->state == BCH_JSET_OK)
		return 0;
	readable = h->state == BCH_JSET_OK && !read_jset(c, h);
	if (readable && !has_inode(c, h))
		return 0;
	if (readable && !h->checked) {
		checked = *h;
		bch_jset_check(c->buf, &checked);
		h = &checked;
	}
	tb = jset_table(o, c);
	ln = tb ? scols_table_new_line(tb, NULL) : NULL;
	if (!ln)
		return -ENOMEM;
	out_cell(ln, 0, "%s", c->path);
	out_cell(ln, 1, "%s", view);
	out_cell(ln, 2, "%llu", (unsigned long long)h->off);
	if (bucket >= 0)
		out_cell(ln, 3, "%d", bucket);
	out_cell(ln, 4, "%llu", (unsigned long long)h->seq);
	out_cell(ln, 5, "%llu", (unsigned long long)h->last_seq);
	out_cell(ln, 6, "%u", h->version);
	out_cell(ln, 7, "%u", h->keys);
	out_cell(ln, 8, "%u", h->nkeys);
	out_cell(ln, 9, "0x%016llx", (unsigned long long)h->csum);
	out_cell(ln, 10, "0x%016llx", (unsigned long long)h->csum_computed);
	out_cell(ln, 11, "%s", out_bool(o, h->state == BCH_JSET_OK));
	out_cell(ln, 12, "%s", status);
	if (readable)
		header_keys(c, ln, 13);
	return readable && c->o->keys ? key_rows(o, c, h, view) : 0;
}

static const char *live_status(const struct bch_jrange *r, uint64_t seq)
{
	return seq >= r->last_seq ? "replayed" : "stale";
}

static int kernel_rows(struct out *o, struct jctx *c, const struct bch_journal *j)
{
	int rc = 0;

	for (size_t i = j->kv.list.lo; i < j->kv.list.hi && !rc; i++)
		rc = jset_row(o, c, j, "kernel", bch_jlist_hit(&j->kv.list, i),
			      bch_jlist_bucket(&j->kv.list, i),
			      live_status(&j->krange, bch_jlist_hit(&j->kv.list, i)->seq));
	for (size_t i = 0; i < j->kv.nev && c->o->all && !rc; i++) {
		const struct bch_jevent *e = &j->kv.ev[i];

		if (e->outcome == BCH_JINSERT_ADDED && bch_jlist_seq(&j->kv.list, e->h.seq))
			continue;
		rc = jset_row(o, c, j, "kernel", &e->h, e->bucket, e->outcome < 0 ?
			      bch_jset_state_name(e->h.state) : e->outcome == BCH_JINSERT_ADDED ?
			      "dropped" : bch_jinsert_name((enum bch_jinsert)e->outcome));
	}
	return rc;
}

/* The bucket of a media row: from d[] with -C, else the inferred geometry. */
static int media_bucket(const struct jctx *c, const struct bch_journal *j, uint64_t off)
{
	return bch_jgeom_bucket_of(j->kernel ? &c->rep.loc.g : &j->infer.g, &j->scan, off);
}

static int media_rows(struct out *o, struct jctx *c, const struct bch_journal *j)
{
	int rc = 0;

	for (size_t i = j->media.lo; i < j->media.hi && !rc; i++) {
		const struct bch_jset_head *h = bch_jlist_hit(&j->media, i);
		bool in_kernel = j->kernel && bch_jlist_seq(&j->kv.list, h->seq);
		const char *st = live_status(&j->mrange, h->seq);

		if (j->kernel && !in_kernel && !strcmp(st, "replayed"))
			st = "missed_by_kernel";
		if (in_kernel && !c->o->all)
			continue;
		if (!strcmp(st, "stale") && !c->o->all)
			continue;
		rc = jset_row(o, c, j, "media", h, media_bucket(c, j, h->off), st);
	}
	for (size_t i = 0; i < j->scan.n && c->o->all && !rc; i++) {
		const struct bch_jset_head *h = &j->scan.v[i];
		const struct bch_jset_head *kept = h->state == BCH_JSET_OK ?
			bch_jlist_seq(&j->media, h->seq) : NULL;

		if (kept && kept->off == h->off)
			continue;
		rc = jset_row(o, c, j, "media", h, media_bucket(c, j, h->off),
			      h->state == BCH_JSET_OK ? "duplicate" :
			      bch_jset_state_name(h->state));
	}
	return rc;
}

enum {
	SC_DEVICE, SC_VIEW, SC_NEWEST, SC_LAST_SEQ, SC_PRESENT, SC_MISSING, SC_MISSING_SEQS,
	SC_STALE, SC_DUPS, SC_INVALID, SC_READ, SC_CUR_IDX, SC_RESUME, SC_FOUND_BY,
	SC_COMPLETE, SC__COUNT
};

static const struct out_coldef summary_cols[SC__COUNT] = {
	[SC_DEVICE] = { "device", SCOLS_JSON_STRING, 0, NULL },
	[SC_VIEW] = { "view", SCOLS_JSON_STRING, 0, NULL },
	[SC_NEWEST] = { "newest_seq", SCOLS_JSON_NUMBER, 0, NULL },
	[SC_LAST_SEQ] = { "last_seq", SCOLS_JSON_NUMBER, 0, NULL },
	[SC_PRESENT] = { "present", SCOLS_JSON_NUMBER, 0, NULL },
	[SC_MISSING] = { "missing", SCOLS_JSON_NUMBER, 0, NULL },
	[SC_MISSING_SEQS] = { "missing_seqs", SCOLS_JSON_STRING, 0, NULL },
	[SC_STALE] = { "stale", SCOLS_JSON_NUMBER, 0, NULL },
	[SC_DUPS] = { "duplicates", SCOLS_JSON_NUMBER, 0, NULL },
	[SC_INVALID] = { "invalid", SCOLS_JSON_NUMBER, 0, NULL },
	[SC_READ] = { "buckets_read", SCOLS_JSON_NUMBER, 0, NULL },
	[SC_CUR_IDX] = { "cur_idx", SCOLS_JSON_NUMBER, 0, NULL },
	[SC_RESUME] = { "resume_offset", SCOLS_JSON_NUMBER, 0, NULL },
	[SC_FOUND_BY] = { "found_by", SCOLS_JSON_STRING, 0, NULL },
	[SC_COMPLETE] = { "complete", SCOLS_JSON_BOOLEAN, 0, NULL },
};

int journal_summary_row(struct out *o, struct libscols_table *tb, const struct jctx *c,
			const char *view, const struct bch_jlist *l,
			const struct bch_jrange *r, const struct bch_jview *v,
			const struct bch_jgeom *g, uint64_t dups, uint64_t invalid)
{
	struct libscols_line *ln;
	char gaps[512];

	if (!tb)
		return -ENOMEM;
	if (!scols_table_get_ncols(tb))
		for (size_t i = 0; i < SC__COUNT; i++)
			out_column(o, tb, summary_cols[i].name, summary_cols[i].json_type,
				   i == SC_DEVICE && !o->json ? SCOLS_FL_HIDDEN : 0);
	ln = scols_table_new_line(tb, NULL);
	if (!ln)
		return -ENOMEM;
	if (!bch_jrange_gaps_text(l, r, gaps, sizeof(gaps)))
		snprintf(gaps, sizeof(gaps), "%s", o->json ? "" : "none");
	out_cell(ln, SC_DEVICE, "%s", c->path);
	out_cell(ln, SC_VIEW, "%s", view);
	out_cell(ln, SC_NEWEST, "%llu", (unsigned long long)r->newest);
	out_cell(ln, SC_LAST_SEQ, "%llu", (unsigned long long)r->last_seq);
	out_cell(ln, SC_PRESENT, "%llu", (unsigned long long)r->present);
	out_cell(ln, SC_MISSING, "%llu", (unsigned long long)r->missing);
	out_cell(ln, SC_MISSING_SEQS, "%s", gaps);
	out_cell(ln, SC_STALE, "%llu", (unsigned long long)r->stale);
	out_cell(ln, SC_DUPS, "%llu", (unsigned long long)dups);
	out_cell(ln, SC_INVALID, "%llu", (unsigned long long)invalid);
	if (v && g && g->n) {
		int nb = v->cur_idx >= 0 ? (v->cur_idx + 1) % (int)g->n : -1;

		out_cell(ln, SC_READ, "%u", v->nread);
		out_cell(ln, SC_CUR_IDX, "%d", v->cur_idx);
		if (nb >= 0 && g->usable[nb])
			out_cell(ln, SC_RESUME, "%llu", (unsigned long long)g->start[nb]);
		if (v->probe_hit >= 0)
			out_cell(ln, SC_FOUND_BY, "probe i=%d", v->probe_hit);
		else
			out_cell(ln, SC_FOUND_BY, "%s", v->linear_hit ? "linear" : "none");
	}
	out_cell(ln, SC_COMPLETE, "%s", out_bool(o, r->any && r->complete));
	return 0;
}

static int summaries(struct out *o, struct jctx *c)
{
	struct libscols_table *tb = out_table(o, "summary");
	int rc = tb ? 0 : -ENOMEM;

	for (size_t i = 0; i < c->rep.nj && !rc; i++) {
		const struct bch_journal *j = &c->rep.j[i];

		if (j->kernel) {
			rc = journal_summary_row(o, tb, c, "kernel", &j->kv.list, &j->krange,
						 &j->kv, &c->rep.loc.g, j->kv.duplicates,
						 j->kv.invalid);
			if (!rc)
				rc = journal_summary_row(o, tb, c, "buckets", &j->lv.list,
							 &j->lrange, &j->lv, &c->rep.loc.g,
							 j->lv.duplicates, j->lv.invalid);
		}
		if (!rc)
			rc = journal_summary_row(o, tb, c, "media", &j->media, &j->mrange, NULL,
						 NULL, j->dups, j->invalid);
	}
	if (rc || !c->rep.nj) {
		scols_unref_table(tb);
		return rc;
	}
	out_title(o, JOURNAL_SUMMARY_TITLE, c->ns.lay->nvmpg_ptrs ? "v13" : "v7");
	return out_emit(o, tb);
}

/* Without -C: the geometry the media suggests (LOCATING step 7). */
static int inferred_table(struct out *o, struct jctx *c)
{
	static const struct out_coldef cols[] = {
		{ "device", SCOLS_JSON_STRING, 0, NULL },
		{ "region_offset", SCOLS_JSON_NUMBER, 0, NULL },
		{ "seq1_offset", SCOLS_JSON_NUMBER, 0, NULL },
		{ "stride", SCOLS_JSON_STRING, 0, NULL },
		{ "bucket_size", SCOLS_JSON_NUMBER, 0, NULL },
		{ "buckets_min", SCOLS_JSON_NUMBER, 0, NULL },
		{ "buckets_max", SCOLS_JSON_NUMBER, 0, NULL },
		{ "block_multiple", SCOLS_JSON_NUMBER, 0, NULL },
	};
	struct libscols_table *tb;

	if (c->o->cache || !c->rep.nj)
		return 0;
	tb = out_table(o, "inferred_geometry");
	if (!tb)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		out_column(o, tb, cols[i].name, cols[i].json_type,
			   i == 0 && !o->json ? SCOLS_FL_HIDDEN : 0);
	for (size_t i = 0; i < c->rep.nj; i++) {
		const struct bch_jinfer *f = &c->rep.j[i].infer;
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			return -ENOMEM;
		out_cell(ln, 0, "%s", c->path);
		out_cell(ln, 1, "%llu", (unsigned long long)c->rep.j[i].start);
		if (f->seq1)
			out_cell(ln, 2, "%llu", (unsigned long long)f->stride);
		out_cell(ln, 3, "%s", !f->seq1 ? "unknown" : f->kind == BCH_JSTRIDE_NONE ?
			 "undecided" : bch_jstride_name(f->kind));
		if (f->kind != BCH_JSTRIDE_NONE) {
			out_cell(ln, 4, "%llu", (unsigned long long)f->bucket_sectors);
			out_cell(ln, 5, "%u", f->keys_min);
			out_cell(ln, 6, "%u", f->keys_max);
		}
		if (f->block_multiple)
			out_cell(ln, 7, "%llu", (unsigned long long)f->block_multiple);
	}
	out_title(o, "inferred geometry (no -C: seq 1 lies at d[1], consecutive jsets "
		  "a whole number of blocks apart)");
	return out_emit(o, tb);
}

/* Emit a table that rows were added to (none: nothing in text mode). */
static int emit_rows(struct out *o, struct libscols_table *tb, const char *title)
{
	if (!tb)
		return 0;
	if (!o->json && !scols_table_get_nlines(tb)) {
		scols_unref_table(tb);
		return 0;
	}
	out_title(o, "%s", title);
	return out_emit(o, tb);
}

static int show_output(struct out *o, struct jctx *c)
{
	int rc = journal_location_table(o, c);

	for (size_t i = 0; i < c->rep.nj && !rc && !c->o->summary; i++) {
		if (c->rep.j[i].kernel)
			rc = kernel_rows(o, c, &c->rep.j[i]);
		if (!rc)
			rc = media_rows(o, c, &c->rep.j[i]);
	}
	if (!rc)
		rc = emit_rows(o, c->tb_jsets, "jsets");
	if (!rc)
		rc = emit_rows(o, c->tb_keys, "keys (kernel text form)");
	if (!rc)
		rc = summaries(o, c);
	if (!rc)
		rc = inferred_table(o, c);
	if (!rc)
		rc = out_problems(o, c->path, &c->rep.problems);
	return rc;
}

static int cmd_journal_show(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct jopts opts = { .cmd = cmd, .seq_hi = UINT64_MAX, .inode = -1, .keys = true };
	struct jctx c = { .o = &opts };
	struct out o;
	int rc, first;

	rc = bch_parse(cmd, argc, argv, journal_opt, &opts, &first);
	if (rc)
		return rc;
	if (first + 1 != argc)
		return bch_usage_error(cmd, first >= argc ? "no pmem device given" :
				       "exactly one pmem device");
	if (opts.cache && opts.have_cset_uuid)
		return bch_usage_error(cmd, "--cset-uuid is taken from the cache device with -C");
	c.path = argv[first];
	rc = jctx_load(&c);
	if (rc) {
		jctx_free(&c);
		return rc;
	}
	out_init(&o, opts.json);
	if (show_output(&o, &c) || out_finish(&o)) {
		bch_err("%s: output failed", c.path);
		jctx_free(&c);
		return BCH_EXIT_ERROR;
	}
	rc = verdict(&c);
	jctx_free(&c);
	return rc;
}

/* ---- extract ---- */

static int write_all(int fd, const void *buf, size_t n)
{
	const unsigned char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int extract(struct jctx *c, int fd, uint64_t *njsets, uint64_t *bytes)
{
	for (size_t i = 0; i < c->rep.nj; i++) {
		const struct bch_journal *j = &c->rep.j[i];
		const struct bch_jlist *l = j->kernel ? &j->kv.list : &j->media;
		const struct bch_jrange *r = j->kernel ? &j->krange : &j->mrange;

		for (size_t k = l->lo; k < l->hi; k++) {
			const struct bch_jset_head *h = bch_jlist_hit(l, k);
			int rc;

			if (h->seq < r->last_seq)
				continue;
			rc = read_jset(c, h);
			if (!rc)
				rc = write_all(fd, c->buf, bch_jset_bytes(h));
			if (rc)
				return rc;
			(*njsets)++;
			*bytes += bch_jset_bytes(h);
		}
	}
	/* a pipe or a terminal has nothing to sync */
	return fsync(fd) && errno != EINVAL && errno != EROFS ? -errno : 0;
}

static int cmd_journal_extract(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct jopts opts = { .cmd = cmd, .seq_hi = UINT64_MAX, .inode = -1 };
	struct jctx c = { .o = &opts };
	uint64_t n = 0, bytes = 0;
	int rc, first, fd;

	rc = bch_parse(cmd, argc, argv, journal_opt, &opts, &first);
	if (rc)
		return rc;
	if (first + 1 != argc)
		return bch_usage_error(cmd, "exactly one pmem device");
	if (!opts.output)
		return bch_usage_error(cmd, "-o FILE is required");
	c.path = argv[first];
	rc = jctx_load(&c);
	if (rc) {
		jctx_free(&c);
		return rc;
	}
	rc = bch_output_open(opts.output, &c.inputs, &fd);
	if (rc) {
		jctx_free(&c);
		return rc;
	}
	rc = extract(&c, fd, &n, &bytes);
	close(fd);
	if (rc) {
		rc = bch_fail(opts.output, rc, "write failed");
		jctx_free(&c);
		return rc;
	}
	fprintf(stderr, "%s: %llu jsets, %llu bytes written to %s\n", c.path,
		(unsigned long long)n, (unsigned long long)bytes,
		strcmp(opts.output, "-") ? opts.output : "standard output");
	rc = verdict(&c);
	jctx_free(&c);
	return rc;
}

static const struct bch_cmd journal_show = {
	.name = "show", .full = "journal show",
	.summary = "decode the journal in an nvm-pages namespace (v7 or nvmpg)",
	.usage = "PMEM", .opts = show_opts_def, .run = cmd_journal_show,
	.operands = "device",
};

static const struct bch_cmd journal_extract = {
	.name = "extract", .full = "journal extract",
	.summary = "write the jsets of the replay range, raw, in seq order",
	.usage = "PMEM", .opts = extract_opts_def, .run = cmd_journal_extract,
	.operands = "device",
};

static const struct bch_cmd *const journal_subs[] = {
	&journal_show,
	&journal_extract,
	&bch_cmd_journal_repair,
	NULL,
};

const struct bch_cmd bch_cmd_journal = {
	.name = "journal", .full = "journal",
	.summary = "decode the bcache journal on NVDIMM",
	.subs = journal_subs,
};
