// SPDX-License-Identifier: GPL-2.0
/*
 * bcache journal repair PMEM -C CACHEDEV: make the v7 kernel replay its own
 * journal.  The analysis is `journal show -C`'s; the plan (a new d[] table,
 * and jsets copied into it where needed) comes from lib/journal-repair.c,
 * which checks every candidate with the same model of the kernel's read.
 * Shown: the kernel's read before and after, the table before and after,
 * the copies; then written (copies first, the cache superblock last) and
 * read back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bcache/cache-sb.h>
#include <bcache/journal-repair.h>
#include <bcache/live.h>
#include <bcache/media.h>

#include "cmd.h"
#include "journal-common.h"
#include "output.h"

struct ropts {
	struct jopts j;
	bool dry_run;
};

static const struct bch_opt repair_opts_def[] = {
	{ "cache", 'C', required_argument, "DEV",
	  "the cache device whose superblock holds d[] (required)", "device" },
	{ "dry-run", 'n', no_argument, NULL, "show the plan, write nothing", NULL },
	{ "json", 'J', no_argument, NULL, "print one JSON document", NULL },
	{ NULL },
};

static int repair_opt(int val, const char *arg, void *ctx)
{
	struct ropts *o = ctx;

	switch (val) {
	case 'C':
		o->j.cache = arg;
		return 0;
	case 'n':
		o->dry_run = true;
		return 0;
	case 'J':
		o->j.json = true;
		return 0;
	}
	return BCH_EXIT_USAGE;
}

/*
 * Where this boot maps the namespace (the live K), to refuse a namespace
 * that must be rebased first (nvm rebase).  Known only for an fsdax
 * namespace of this system, read as root; otherwise the stored K is used.
 */
static bool live_base(const struct jctx *c, uint64_t *k)
{
	struct bch_live live;

	if (bch_live_base(c->path, &live) || live.reason != BCH_LIVE_OK)
		return false;
	*k = live.k;
	return true;
}

/* ---- output ---- */

enum { LC_DEVICE, LC_STATE, LC_KEYS, LC_D0, LC_D0_OFFSET, LC_STRIDE, LC_CSUM, LC__COUNT };

static const struct out_coldef layout_cols[LC__COUNT] = {
	[LC_DEVICE] = { "device", SCOLS_JSON_STRING, 0, NULL },
	[LC_STATE] = { "state", SCOLS_JSON_STRING, 0, NULL },
	[LC_KEYS] = { "keys", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT, NULL },
	[LC_D0] = { "d0", SCOLS_JSON_STRING, 0, NULL },
	[LC_D0_OFFSET] = { "d0_offset", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT, NULL },
	[LC_STRIDE] = { "stride", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT, NULL },
	[LC_CSUM] = { "csum", SCOLS_JSON_STRING, 0, NULL },
};

static struct libscols_table *new_table(struct out *o, const char *name,
					const struct out_coldef *cols, size_t n)
{
	struct libscols_table *tb = out_table(o, name);

	if (tb && !scols_table_get_ncols(tb))
		for (size_t i = 0; i < n; i++)
			out_column(o, tb, cols[i].name, cols[i].json_type,
				   cols[i].flags | (i == 0 && !o->json ? SCOLS_FL_HIDDEN : 0));
	return tb;
}

static int layout_row(struct out *o, struct libscols_table *tb, const struct jctx *c,
		      const char *state, const struct cache_sb_disk *sb)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);
	const struct bch_jregion *r = &c->rep.loc.r[c->rep.loc.chosen];

	if (!ln)
		return -ENOMEM;
	out_cell(ln, LC_DEVICE, "%s", c->o->cache);
	out_cell(ln, LC_STATE, "%s", state);
	out_cell(ln, LC_KEYS, "%u", sb->keys);
	out_cell(ln, LC_D0, "0x%llx", (unsigned long long)sb->d[0]);
	out_cell(ln, LC_D0_OFFSET, "%lld",
		 (long long)(sb->d[0] - c->ns.base.k - r->start));
	if (sb->keys > 1)
		out_cell(ln, LC_STRIDE, "%lld", (long long)(sb->d[1] - sb->d[0]));
	out_cell(ln, LC_CSUM, "0x%016llx", (unsigned long long)sb->csum);
	return 0;
}

/* d[] before and after: keys, d[0] (and its offset in the region), stride. */
static int layout_table(struct out *o, const struct jctx *c, const struct bch_jrepair *p)
{
	struct libscols_table *tb = new_table(o, "layout", layout_cols, LC__COUNT);
	int rc = tb ? layout_row(o, tb, c, "before", &c->csb.sb) : -ENOMEM;

	if (!rc)
		rc = layout_row(o, tb, c, "after", &p->sb);
	if (rc)
		return rc;
	out_title(o, "%s: the journal bucket table d[] (stride and d0_offset in bytes)",
		  c->o->cache);
	return out_emit(o, tb);
}

enum { CC_DEVICE, CC_SEQ, CC_FROM, CC_TO, CC_BYTES, CC_BUCKET, CC__COUNT };

static const struct out_coldef copy_cols[CC__COUNT] = {
	[CC_DEVICE] = { "device", SCOLS_JSON_STRING, 0, NULL },
	[CC_SEQ] = { "seq", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT, NULL },
	[CC_FROM] = { "from_offset", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT, NULL },
	[CC_TO] = { "to_offset", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT, NULL },
	[CC_BYTES] = { "bytes", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT, NULL },
	[CC_BUCKET] = { "bucket", SCOLS_JSON_NUMBER, SCOLS_FL_RIGHT, NULL },
};

static int copies_table(struct out *o, const struct jctx *c, const struct bch_jrepair *p)
{
	struct libscols_table *tb = new_table(o, "copies", copy_cols, CC__COUNT);

	if (!tb)
		return -ENOMEM;
	for (size_t i = 0; i < p->ncopies; i++) {
		const struct bch_jcopy *k = &p->copies[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			return -ENOMEM;
		out_cell(ln, CC_DEVICE, "%s", c->path);
		out_cell(ln, CC_SEQ, "%llu", (unsigned long long)k->seq);
		out_cell(ln, CC_FROM, "%llu", (unsigned long long)k->src);
		out_cell(ln, CC_TO, "%llu", (unsigned long long)k->dst);
		out_cell(ln, CC_BYTES, "%u", k->bytes);
		out_cell(ln, CC_BUCKET, "%u", k->bucket);
	}
	if (!p->ncopies && !o->json) {
		scols_unref_table(tb);
		return 0;
	}
	out_title(o, "%s: jsets copied unchanged (byte offsets; bucket of the new table)",
		  c->path);
	return out_emit(o, tb);
}

enum {
	RC_DEVICE, RC_CACHE, RC_ACTION, RC_DRY_RUN, RC_WRITTEN, RC_LAYOUTS, RC_RELOCATED,
	RC_CLEAN, RC__COUNT
};

static const struct out_coldef repair_cols[RC__COUNT] = {
	[RC_DEVICE] = { "device", SCOLS_JSON_STRING, 0, NULL },
	[RC_CACHE] = { "cache_device", SCOLS_JSON_STRING, 0, NULL },
	[RC_ACTION] = { "action", SCOLS_JSON_STRING, 0, NULL },
	[RC_DRY_RUN] = { "dry_run", SCOLS_JSON_BOOLEAN, 0, NULL },
	[RC_WRITTEN] = { "written", SCOLS_JSON_BOOLEAN, 0, NULL },
	[RC_LAYOUTS] = { "layouts_checked", SCOLS_JSON_NUMBER, 0, NULL },
	[RC_RELOCATED] = { "relocated", SCOLS_JSON_NUMBER, 0, NULL },
	[RC_CLEAN] = { "clean", SCOLS_JSON_BOOLEAN, 0, NULL },
};

/* JSON: the verdict as one object. */
static int repair_table(struct out *o, const struct jctx *c, const struct ropts *ro,
			const struct bch_jrepair *p, bool written)
{
	struct libscols_table *tb;
	struct libscols_line *ln;

	if (!o->json)
		return 0;
	tb = new_table(o, "repair", repair_cols, RC__COUNT);
	ln = tb ? scols_table_new_line(tb, NULL) : NULL;
	if (!ln)
		return -ENOMEM;
	out_cell(ln, RC_DEVICE, "%s", c->path);
	out_cell(ln, RC_CACHE, "%s", c->o->cache);
	out_cell(ln, RC_ACTION, "%s", bch_jrepair_action_name(p->action));
	out_cell(ln, RC_DRY_RUN, "%s", out_bool(o, ro->dry_run));
	out_cell(ln, RC_WRITTEN, "%s", out_bool(o, written));
	out_cell(ln, RC_LAYOUTS, "%u", p->layouts);
	out_cell(ln, RC_RELOCATED, "%zu", p->ncopies);
	out_cell(ln, RC_CLEAN, "%s", out_bool(o, p->clean));
	return out_emit(o, tb);
}

static int summary_table(struct out *o, const struct jctx *c, const struct bch_journal *j,
			 const struct bch_jrepair *p)
{
	struct libscols_table *tb = out_table(o, "summary");
	int rc = journal_summary_row(o, tb, c, "kernel", &j->kv.list, &j->krange, &j->kv,
				     &c->rep.loc.g, j->kv.duplicates, j->kv.invalid);

	if (!rc && (p->action == BCH_JREPAIR_TABLE || p->action == BCH_JREPAIR_RELOCATE))
		rc = journal_summary_row(o, tb, c, "kernel_after", &p->after.list,
					 &p->after_range, &p->after, &p->g,
					 p->after.duplicates, p->after.invalid);
	if (!rc)
		rc = journal_summary_row(o, tb, c, "media", &j->media, &j->mrange, NULL, NULL,
					 j->dups, j->invalid);
	if (rc)
		return rc;
	out_title(o, "summary (kernel: the v7 kernel's read now; kernel_after: its read "
		  "after the repair; media: magic scan of the region)");
	return out_emit(o, tb);
}

static void say_plan(const struct jctx *c, const struct ropts *ro, const struct bch_jrepair *p,
		     bool written)
{
	printf("\n%s: %s the cache superblock of %s: %u journal buckets of %llu bytes from "
	       "byte %llu of the region", c->path, written ? "rewrote" : ro->dry_run ?
	       "would rewrite" : "planned to rewrite",
	       c->o->cache, p->g.n, (unsigned long long)p->g.bucket_sectors * 512,
	       (unsigned long long)p->d0_offset);
	if (p->ncopies)
		printf(", after copying %zu jsets (seq %llu-%llu) into buckets %u-%u",
		       p->ncopies,
		       (unsigned long long)p->copies[0].seq,
		       (unsigned long long)p->copies[p->ncopies - 1].seq, p->copies[0].bucket,
		       p->copies[p->ncopies - 1].bucket);
	printf("; the kernel's read %s seqs %llu-%llu\n", written ? "replays" :
	       "would replay", (unsigned long long)p->after_range.last_seq,
	       (unsigned long long)p->after_range.newest);
	if (p->before_replays)
		printf("%s: the kernel replays them now too, but %s\n", c->path,
		       p->before_resume.n ? "resumes writing over live jsets" :
		       "its buckets overlap (v7 byte stride): switching buckets overwrites "
		       "live jsets");
}

static int show_plan(struct out *o, const struct jctx *c, const struct ropts *ro,
		     const struct bch_jrepair *p, bool written)
{
	const struct bch_journal *j = &c->rep.j[0];
	bool act = p->action == BCH_JREPAIR_TABLE || p->action == BCH_JREPAIR_RELOCATE;
	int rc = journal_location_table(o, (struct jctx *)c);

	if (!rc)
		rc = summary_table(o, c, j, p);
	if (!rc && act)
		rc = layout_table(o, c, p);
	if (!rc && act)
		rc = copies_table(o, c, p);
	if (!rc)
		rc = out_problems(o, c->path, &p->problems);
	if (!rc)
		rc = repair_table(o, c, ro, p, written);
	if (rc || o->json)
		return rc;
	if (act)
		say_plan(c, ro, p, written);
	else if (p->action == BCH_JREPAIR_NONE)
		printf("\n%s: nothing to repair: the kernel's read replays the whole range "
		       "%llu-%llu\n", c->path, (unsigned long long)p->media.last_seq,
		       (unsigned long long)p->media.newest);
	return 0;
}

/* The first refusal, for the one-line error. */
static const struct bch_problem *first_error(const struct bch_problems *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i].severity == BCH_SEV_ERROR)
			return &ps->v[i];
	return NULL;
}

/* The one-line reason on standard error. */
static void refusal(const struct jctx *c, const struct bch_jrepair *p)
{
	const struct bch_problem *e = first_error(&p->problems);
	char gaps[256];

	if (e && e->code == BCH_P_J_REPAIR_LOST) {
		bch_jrange_gaps_text(&c->rep.j[0].media, &p->media, gaps, sizeof(gaps));
		bch_err("%s: refusing to repair: journal entries %s of the replay range "
			"%llu-%llu are not intact on the media, and none is made up",
			c->path, gaps, (unsigned long long)p->media.last_seq,
			(unsigned long long)p->media.newest);
		return;
	}
	bch_err("%s: refusing to repair: %s", c->path, e ? e->message : "see the problems");
}

/* ---- writing ---- */

#ifdef BCH_TEST_HOOKS
static int fault_hook(enum bch_jrepair_step step, void *arg)
{
	(void)arg;
	return bch_test_fault((int)step);
}
#define REPAIR_HOOK fault_hook
#else
#define REPAIR_HOOK NULL
#endif

/* Read back what was written: the kernel's read must be the plan's. */
static int verify(const struct ropts *ro, const char *path, const struct bch_jrepair *p)
{
	struct ropts o2 = *ro;
	struct jctx c = { .o = &o2.j };
	int rc;

	c.path = path;
	rc = jctx_load(&c);
	if (!rc && (!c.rep.nj || c.rep.j[0].krange.newest != p->after_range.newest ||
		    c.rep.j[0].krange.last_seq != p->after_range.last_seq ||
		    !c.rep.j[0].krange.complete)) {
		bch_err("%s: read back, the kernel's read does not replay %llu-%llu", path,
			(unsigned long long)p->after_range.last_seq,
			(unsigned long long)p->after_range.newest);
		rc = BCH_EXIT_ERROR;
	}
	jctx_free(&c);
	return rc;
}

static int write_plan(const struct jctx *c, const struct bch_jrepair *p)
{
	struct bch_media *pm = NULL, *cm = NULL;
	int rc = bch_media_open(c->path, BCH_MEDIA_WRITE, &pm), ret = BCH_EXIT_OK;

	if (rc)
		return bch_open_error(c->path, rc);
	rc = bch_media_open(c->o->cache, BCH_MEDIA_WRITE | BCH_MEDIA_EXCL, &cm);
	if (rc) {
		bch_media_close(pm);
		return bch_open_error(c->o->cache, rc);
	}
	rc = bch_journal_repair_write(pm, cm, p, REPAIR_HOOK, NULL);
	if (rc == -ECANCELED) {
		bch_err("%s: stopped by fault injection", c->path);
		ret = BCH_EXIT_ERROR;
	} else if (rc == -ESTALE) {
		bch_err("%s: the cache superblock or a jset changed since it was read; "
			"stopped (run the repair again)", c->path);
		ret = BCH_EXIT_ERROR;
	} else if (rc) {
		ret = bch_fail(c->path, rc, "write failed");
	}
	bch_media_close(cm);
	bch_media_close(pm);
	return ret;
}

static int cmd_journal_repair(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct ropts ro = { .j = { .cmd = cmd, .seq_hi = UINT64_MAX, .inode = -1 } };
	struct jctx c = { .o = &ro.j };
	struct bch_jrepair plan = { 0 };
	struct bch_jrepair_in in = { 0 };
	const struct bch_problem *e;
	struct out o;
	struct stat st;
	bool act, written = false;
	int rc, first, wrc = 0;

	rc = bch_parse(cmd, argc, argv, repair_opt, &ro, &first);
	if (rc)
		return rc;
	if (first + 1 != argc)
		return bch_usage_error(cmd, first >= argc ? "no pmem device given" :
				       "exactly one pmem device");
	if (!ro.j.cache)
		return bch_usage_error(cmd, "-C CACHEDEV is required: its superblock holds d[]");
	c.path = argv[first];
	rc = jctx_load(&c);
	if (rc) {
		jctx_free(&c);
		return rc;
	}
	if (!c.rep.nj) {
		out_init(&o, ro.j.json);
		if (out_problems(&o, c.path, &c.rep.problems) || out_finish(&o))
			rc = BCH_EXIT_ERROR;
		e = first_error(&c.rep.problems);
		bch_err("%s: refusing to repair: the journal cannot be located%s%s", c.path,
			e ? ": " : "", e ? e->message : "");
		jctx_free(&c);
		return rc ? rc : BCH_EXIT_REFUSED;
	}
	if (c.ns.lay->nvmpg_ptrs) {
		bch_err("%s: refusing to repair: journal repair writes v7 journal tables; this "
			"namespace is the nvmpg (v12/v13) revision", c.path);
		jctx_free(&c);
		return BCH_EXIT_REFUSED;
	}
	in = (struct bch_jrepair_in){
		.m = c.m, .ns = &c.ns, .csb = &c.csb, .loc = &c.rep.loc, .scan = &c.rep.j[0].scan,
		.media = &c.rep.j[0].media, .kv = &c.rep.j[0].kv, .check_busy = true,
	};
	in.live_k_known = live_base(&c, &in.live_k);
	if (!stat(ro.j.cache, &st) && S_ISBLK(st.st_mode))
		in.cache_rdev = st.st_rdev;
	rc = bch_journal_repair_plan(&in, &plan);
	if (rc) {
		rc = bch_fail(c.path, rc, "repair planning failed");
		goto out;
	}
	act = plan.action == BCH_JREPAIR_TABLE || plan.action == BCH_JREPAIR_RELOCATE;
	if (act && !ro.dry_run) {
		wrc = write_plan(&c, &plan);
		written = !wrc;
	}
	out_init(&o, ro.j.json);
	if (show_plan(&o, &c, &ro, &plan, written) || out_finish(&o)) {
		bch_err("%s: output failed", c.path);
		rc = BCH_EXIT_ERROR;
		goto out;
	}
	if (wrc) {
		rc = wrc;
	} else if (plan.action == BCH_JREPAIR_REFUSE) {
		refusal(&c, &plan);
		rc = BCH_EXIT_REFUSED;
	} else if (written) {
		rc = verify(&ro, c.path, &plan);
	}
out:
	bch_jrepair_free(&plan);
	jctx_free(&c);
	return rc;
}

const struct bch_cmd bch_cmd_journal_repair = {
	.name = "repair", .full = "journal repair",
	.summary = "make the v7 kernel replay its journal (new d[] table, relocated jsets)",
	.usage = "PMEM -C CACHEDEV", .opts = repair_opts_def, .run = cmd_journal_repair,
	.operands = "device",
};
