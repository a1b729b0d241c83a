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
#include "tables.h"

enum { OPT_SUMMARY = OPT__CMD_FIRST, OPT_OUTPUT, OPT_MAP };

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
	{ "map", OPT_MAP, no_argument, NULL,
	  "a map of the buckets (their seqs, empty, stale, where the kernel resumes) "
	  "instead of the jsets", NULL },
	{ "json", 'J', no_argument, NULL, "print one JSON document", NULL },
	{ "output", 'o', required_argument, "COLUMNS",
	  "jsets table columns (comma list; +LIST appends)", "columns" },
	{ "list-columns", OPT_LIST_COLUMNS, no_argument, NULL,
	  "list the jsets table columns and exit", NULL },
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

OUT_CATALOGUE(BCH_COLS_JSETS, JS, jset_cols);

/* show -o COLUMNS: the jsets table's columns. */
static int journal_columns(struct jopts *o, const char *list)
{
	const char *bad = NULL;
	int n = out_parse_columns(jset_cols, JS_NCOLS, list, o->jsel, &bad);

	if (n == -EINVAL)
		return bch_usage_error(o->cmd, "unknown column '%s' (see --list-columns)", bad);
	if (n < 0)
		return bch_fail(o->cmd->full, n, NULL);
	o->njsel = n;
	return 0;
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
	case OPT_MAP:
		o->map = true;
		return 0;
	case 'J':
		o->json = true;
		return 0;
	case 'o':
		if (!strcmp(o->cmd->name, "extract")) {
			o->output = arg;
			return 0;
		}
		return journal_columns(o, arg);
	case OPT_LIST_COLUMNS:
		bch_print_columns(o->cmd->full, stdout);
		return BCH_EXIT_DONE;
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
	/* only the superblock is read: a copy of the first MiB will do */
	if (!rc)
		rc = bch_cache_sb_check(&c->csb, 0, 0, &c->rep.problems);
	if (!rc && c->csb.bucket_sectors && c->csb.sb.nbuckets <= UINT64_MAX / 512 /
	    c->csb.bucket_sectors && cm->size < c->csb.sb.nbuckets * c->csb.bucket_sectors * 512)
		rc = bch_problem_add(&c->rep.problems, BCH_P_J_CACHE_COPY,
				     BCH_CACHE_SB_AT(nbuckets), "cache_sb.nbuckets",
				     "%s has %llu bytes, less than its %llu buckets of %llu sectors: "
				     "a truncated copy (only its superblock is read)", c->o->cache,
				     (unsigned long long)cm->size,
				     (unsigned long long)c->csb.sb.nbuckets,
				     (unsigned long long)c->csb.bucket_sectors);
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
 * reaches and no unlinked slot (the journal needs the allocations, not a
 * dump or a verdict on the namespace); an exit code, with the messages of
 * the nvm commands.
 */
static int load_ns(struct jctx *c)
{
	int rc = bch_media_open(c->path, 0, &c->m);

	if (rc)
		return bch_open_error(c->path, rc);
	bch_input_add(&c->inputs, c->path, c->m->fd);
	return nvm_load_status(c->path, &c->ns, bch_nvm_load_allocs(c->m, &c->ns));
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
	return c->rep.verdict == BCH_JVERDICT_OK || c->rep.verdict == BCH_JVERDICT_NOT_WRITTEN ?
	       BCH_EXIT_OK : BCH_EXIT_PROBLEMS;
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

OUT_CATALOGUE(BCH_COLS_JLOC, JL, loc_cols);
OUT_CATALOGUE(BCH_COLS_KEYS, KC, key_cols);
OUT_CATALOGUE(BCH_COLS_JSUM, SC, jsum_cols);
OUT_CATALOGUE(BCH_COLS_JINFER, JI, infer_cols);

int journal_location_table(struct out *o, struct jctx *c)
{
	struct out_table *t = out_table(o, "journals", loc_cols, JL_NCOLS, NULL, 0,
					OUT_T_SKIP_EMPTY);
	int rc = 0;

	if (!t)
		return -ENOMEM;
	out_table_title(t, "%s: journal location", c->path);
	for (size_t i = 0; i < c->rep.nj && !rc; i++) {
		const struct bch_journal *j = &c->rep.j[i];
		const struct bch_jregion *r = j->reg;
		char u[37];

		rc = out_line(t, 0);
		bch_uuid_format(c->have_csb ? c->csb.sb.set_uuid : c->o->have_cset_uuid ?
				c->o->cset_uuid : r->uuid, u);
		out_str(t, JL_CACHE, c->o->cache ? c->o->cache : "");
		out_s64(t, JL_OWNER, r ? c->ns.owners[r->owner].index : -1);
		out_str(t, JL_SET_UUID, u);
		out_hex16(t, JL_MAGIC, j->magic);
		out_u64(t, JL_REGION, r ? r->start : j->start);
		out_u64(t, JL_BYTES, r ? r->len : j->end - j->start);
		out_bool(t, JL_FINDS, r && r->kernel_finds);
		out_str(t, JL_STRIDE, j->kernel ? bch_jstride_name(c->rep.loc.stride) : "unknown");
		out_u64(t, JL_BUCKETS, j->kernel ? c->rep.loc.g.n : 0);
		out_u64(t, JL_BSIZE, j->kernel ? c->rep.loc.g.bucket_sectors : 0);
		out_u64(t, JL_BLOCK, j->kernel ? c->rep.loc.g.block_sectors : 0);
		if (c->ns.lay->nvmpg_ptrs)
			out_str(t, JL_BASE, "none");
		else
			out_fmt(t, JL_BASE, "0x%llx", (unsigned long long)c->ns.base.k);
		out_str(t, JL_REVISION, c->ns.lay->name);
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

static void header_keys(struct jctx *c, struct out_table *t)
{
	const struct jset *js = (const void *)c->buf;
	char k[160];

	out_u64(t, JS_LEVEL, js->btree_level);
	if (bch_key_text(js->btree_root.key, KEY_MAX_U64S, k, sizeof(k)) >= 0)
		out_str(t, JS_ROOT, k);
	if (bch_key_text(js->uuid_bucket.key, KEY_MAX_U64S, k, sizeof(k)) >= 0)
		out_str(t, JS_UUIDB, k);
	out_u64(t, JS_PRIO, js->prio_bucket[0]);
}

static int key_rows(struct jctx *c, const struct bch_jset_head *h, const char *view)
{
	struct out_table *t = out_child(c->tb_jsets, "bkeys", key_cols, KC_NCOLS);
	const uint64_t *k = (const void *)(c->buf + BCH_JSET_HDR);
	size_t words = h->keys, at = 0;
	int rc = 0;

	if (!t)
		return -ENOMEM;
	out_table_title(t, "Keys (kernel text form)");
	for (unsigned int idx = 0; at < words && !rc; idx++) {
		char text[256];
		int need = bch_key_text(k + at, words - at, text, sizeof(text));

		if (need < 0)
			break;	/* overrun: reported by the jset checks */
		if (c->o->inode < 0 || bch_key_inode(k[at]) == (unsigned int)c->o->inode) {
			rc = out_line(t, 0);
			out_str(t, KC_VIEW, view);
			out_u64(t, KC_SEQ, h->seq);
			out_u64(t, KC_INDEX, idx);
			out_u64(t, KC_INODE, bch_key_inode(k[at]));
			out_u64(t, KC_START, bch_key_start(k[at], k[at + 1]));
			out_u64(t, KC_SIZE, bch_key_size(k[at]));
			out_bool(t, KC_DIRTY, bch_key_dirty(k[at]));
			out_u64(t, KC_PTRS, bch_key_ptrs(k[at]));
			out_str(t, KC_KEY, text);
		}
		at += 2 + bch_key_ptrs(k[at]);
	}
	return rc ? rc : out_child_end(t);
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

static int jset_row(struct jctx *c, const struct bch_journal *j, const char *view,
		    const struct bch_jset_head *h, int bucket, const char *status)
{
	struct out_table *t;
	struct bch_jset_head checked;
	bool readable;
	int rc;

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
	t = c->tb_jsets;
	rc = out_line(t, 0);
	out_str(t, JS_VIEW, view);
	out_u64(t, JS_OFFSET, h->off);
	if (bucket >= 0)
		out_u64(t, JS_BUCKET, (uint64_t)bucket);
	out_u64(t, JS_SEQ, h->seq);
	out_u64(t, JS_LAST_SEQ, h->last_seq);
	out_u64(t, JS_VERSION, h->version);
	out_u64(t, JS_KEYS, h->keys);
	out_u64(t, JS_NKEYS, h->nkeys);
	out_hex16(t, JS_CSUM, h->csum);
	out_hex16(t, JS_CSUMC, h->csum_computed);
	out_bool(t, JS_CSUM_OK, h->state == BCH_JSET_OK);
	out_str(t, JS_STATUS, status);
	if (readable)
		header_keys(c, t);
	return !rc && readable && c->o->keys ? key_rows(c, h, view) : rc;
}

static const char *live_status(const struct bch_jrange *r, uint64_t seq)
{
	return seq >= r->last_seq ? "replayed" : "stale";
}

static int kernel_rows(struct jctx *c, const struct bch_journal *j)
{
	int rc = 0;

	for (size_t i = j->kv.list.lo; i < j->kv.list.hi && !rc; i++)
		rc = jset_row(c, j, "kernel", bch_jlist_hit(&j->kv.list, i),
			      bch_jlist_bucket(&j->kv.list, i),
			      live_status(&j->krange, bch_jlist_hit(&j->kv.list, i)->seq));
	for (size_t i = 0; i < j->kv.nev && c->o->all && !rc; i++) {
		const struct bch_jevent *e = &j->kv.ev[i];

		if (e->outcome == BCH_JINSERT_ADDED && bch_jlist_seq(&j->kv.list, e->h.seq))
			continue;
		rc = jset_row(c, j, "kernel", &e->h, e->bucket, e->outcome < 0 ?
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

static int media_rows(struct jctx *c, const struct bch_journal *j)
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
		rc = jset_row(c, j, "media", h, media_bucket(c, j, h->off), st);
	}
	for (size_t i = 0; i < j->scan.n && c->o->all && !rc; i++) {
		const struct bch_jset_head *h = &j->scan.v[i];
		const struct bch_jset_head *kept = h->state == BCH_JSET_OK ?
			bch_jlist_seq(&j->media, h->seq) : NULL;

		if (kept && kept->off == h->off)
			continue;
		rc = jset_row(c, j, "media", h, media_bucket(c, j, h->off),
			      h->state == BCH_JSET_OK ? "duplicate" :
			      bch_jset_state_name(h->state));
	}
	return rc;
}

int journal_summary_row(struct out_table *t, const struct jctx *c,
			const char *view, const struct bch_jlist *l,
			const struct bch_jrange *r, const struct bch_jview *v,
			const struct bch_jgeom *g, uint64_t dups, uint64_t invalid)
{
	char gaps[512];
	int rc = out_line(t, 0);

	(void)c;
	if (!bch_jrange_gaps_text(l, r, gaps, sizeof(gaps)))
		snprintf(gaps, sizeof(gaps), "%s", t->o->json ? "" : "none");
	out_str(t, SC_VIEW, view);
	out_u64(t, SC_NEWEST, r->newest);
	out_u64(t, SC_LAST_SEQ, r->last_seq);
	out_u64(t, SC_PRESENT, r->present);
	out_u64(t, SC_MISSING, r->missing);
	out_str(t, SC_MISSING_SEQS, gaps);
	out_u64(t, SC_STALE, r->stale);
	out_u64(t, SC_DUPS, dups);
	out_u64(t, SC_INVALID, invalid);
	if (v && g && g->n) {
		int nb = v->cur_idx >= 0 ? (v->cur_idx + 1) % (int)g->n : -1;

		out_u64(t, SC_READ, v->nread);
		out_s64(t, SC_CUR_IDX, v->cur_idx);
		if (nb >= 0 && g->usable[nb])
			out_u64(t, SC_RESUME, g->start[nb]);
		if (v->probe_hit >= 0)
			out_fmt(t, SC_FOUND_BY, "probe i=%d", v->probe_hit);
		else
			out_str(t, SC_FOUND_BY, v->linear_hit ? "linear" : "none");
	}
	out_bool(t, SC_COMPLETE, r->any && r->complete);
	return rc;
}

struct out_table *journal_summary_table(struct out *o, const struct jctx *c)
{
	struct out_table *t = out_table(o, "summary", jsum_cols, SC_NCOLS, NULL, 0,
					OUT_T_SKIP_EMPTY);

	if (t)
		out_table_title(t, JOURNAL_SUMMARY_TITLE, c->ns.lay->nvmpg_ptrs ? "v13" : "v7");
	return t;
}

static int summaries(struct out *o, struct jctx *c)
{
	struct out_table *t = journal_summary_table(o, c);
	int rc = t ? 0 : -ENOMEM;

	for (size_t i = 0; i < c->rep.nj && !rc; i++) {
		const struct bch_journal *j = &c->rep.j[i];

		if (j->kernel) {
			rc = journal_summary_row(t, c, "kernel", &j->kv.list, &j->krange,
						 &j->kv, &c->rep.loc.g, j->kv.duplicates,
						 j->kv.invalid);
			if (!rc)
				rc = journal_summary_row(t, c, "buckets", &j->lv.list,
							 &j->lrange, &j->lv, &c->rep.loc.g,
							 j->lv.duplicates, j->lv.invalid);
		}
		if (!rc)
			rc = journal_summary_row(t, c, "media", &j->media, &j->mrange, NULL,
						 NULL, j->dups, j->invalid);
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

/* Without -C: the geometry the media suggests (LOCATING step 7). */
static int inferred_table(struct out *o, struct jctx *c)
{
	struct out_table *t;
	int rc = 0;

	if (c->o->cache || !c->rep.nj)
		return 0;
	t = out_table(o, "inferred_geometry", infer_cols, JI_NCOLS, NULL, 0, 0);
	if (!t)
		return -ENOMEM;
	out_table_title(t, "Inferred geometry (no -C: seq 1 lies at d[1], consecutive jsets "
			"a whole number of blocks apart)");
	for (size_t i = 0; i < c->rep.nj && !rc; i++) {
		const struct bch_jinfer *f = &c->rep.j[i].infer;

		rc = out_line(t, 0);
		out_u64(t, JI_REGION, c->rep.j[i].start);
		if (f->seq1)
			out_u64(t, JI_SEQ1, f->stride);
		out_str(t, JI_STRIDE, !f->seq1 ? "unknown" : f->kind == BCH_JSTRIDE_NONE ?
			"undecided" : bch_jstride_name(f->kind));
		if (f->kind != BCH_JSTRIDE_NONE) {
			out_u64(t, JI_BSIZE, f->bucket_sectors);
			out_u64(t, JI_MIN, f->keys_min);
			out_u64(t, JI_MAX, f->keys_max);
		}
		if (f->block_multiple)
			out_u64(t, JI_BLOCK, f->block_multiple);
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

/* The closing health line: views, replay range, problem counts. */
static void journal_health(struct out *o, const struct jctx *c)
{
	char pc[48];

	out_problem_counts(pc, sizeof(pc), &c->rep.problems);
	if (!c->rep.nj) {
		out_health(o, "%s: %s; %s", c->path, c->rep.loc.not_written ?
			   "no journal written yet" : "no journal found", pc);
		return;
	}
	for (size_t i = 0; i < c->rep.nj; i++) {
		const struct bch_journal *j = &c->rep.j[i];
		const struct bch_jrange *r = j->kernel ? &j->krange : &j->mrange;

		if (!r->any)
			out_health(o, "%s: journal at byte %llu: no jset; %s", c->path,
				   (unsigned long long)j->start, pc);
		else
			out_health(o, "%s: journal at byte %llu: %s view replays seq %llu-%llu, "
				   "%s; %s", c->path, (unsigned long long)j->start,
				   j->kernel ? "kernel" : "media",
				   (unsigned long long)r->last_seq, (unsigned long long)r->newest,
				   r->complete ? "complete" : "INCOMPLETE", pc);
	}
}

static int show_output(struct out *o, struct jctx *c)
{
	int rc;

	out_device(o, c->path);
	rc = journal_location_table(o, c);
	if (!rc && c->o->map)
		rc = journal_map_table(o, c);
	if (!rc && !c->o->summary && !c->o->map) {
		c->tb_jsets = out_table(o, "jsets", jset_cols, JS_NCOLS,
					c->o->njsel ? c->o->jsel : NULL, c->o->njsel,
					OUT_T_SKIP_EMPTY);
		if (!c->tb_jsets)
			rc = -ENOMEM;
		else
			out_table_title(c->tb_jsets, "Jsets");
	}
	for (size_t i = 0; i < c->rep.nj && !rc && c->tb_jsets; i++) {
		if (c->rep.j[i].kernel)
			rc = kernel_rows(c, &c->rep.j[i]);
		if (!rc)
			rc = media_rows(c, &c->rep.j[i]);
	}
	if (c->tb_jsets) {
		if (!rc)
			rc = out_emit(c->tb_jsets);
		else
			out_table_free(c->tb_jsets);
		c->tb_jsets = NULL;
	}
	if (!rc)
		rc = summaries(o, c);
	if (!rc)
		rc = inferred_table(o, c);
	if (!rc)
		rc = out_problems(o, &c->rep.problems);
	if (!rc)
		journal_health(o, c);
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
