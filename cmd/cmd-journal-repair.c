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

OUT_CATALOGUE(BCH_COLS_JRLAYOUT, LY, layout_cols);
OUT_CATALOGUE(BCH_COLS_JRCOPY, CP, copy_cols);
OUT_CATALOGUE(BCH_COLS_JRREPAIR, JR, repair_cols);

static int layout_row(struct out_table *t, const struct jctx *c, const char *state,
		      const struct cache_sb_disk *sb)
{
	const struct bch_jregion *r = &c->rep.loc.r[c->rep.loc.chosen];
	int rc = out_line(t, 0);

	out_str(t, LY_STATE, state);
	out_u64(t, LY_KEYS, sb->keys);
	out_hex(t, LY_D0, sb->d[0]);
	out_s64(t, LY_D0_OFFSET, (int64_t)(sb->d[0] - c->ns.base.k - r->start));
	if (sb->keys > 1)
		out_s64(t, LY_STRIDE, (int64_t)(sb->d[1] - sb->d[0]));
	out_hex16(t, LY_CSUM, sb->csum);
	return rc;
}

/* d[] before and after: keys, d[0] (and its offset in the region), stride. */
static int layout_table(struct out *o, const struct jctx *c, const struct bch_jrepair *p)
{
	struct out_table *t = out_table(o, "layout", layout_cols, LY_NCOLS, NULL, 0, 0);
	int rc = t ? layout_row(t, c, "before", &c->csb.sb) : -ENOMEM;

	if (!rc)
		rc = layout_row(t, c, "after", &p->sb);
	if (rc) {
		out_table_free(t);
		return rc;
	}
	out_table_title(t, "%s: the journal bucket table d[] (stride and d0_offset in bytes)",
			c->o->cache);
	return out_emit(t);
}

static int copies_table(struct out *o, const struct jctx *c, const struct bch_jrepair *p)
{
	struct out_table *t = out_table(o, "copies", copy_cols, CP_NCOLS, NULL, 0,
					OUT_T_SKIP_EMPTY);
	int rc = 0;

	if (!t)
		return -ENOMEM;
	out_table_title(t, "%s: jsets copied unchanged (byte offsets; bucket of the new table)",
			c->path);
	for (size_t i = 0; i < p->ncopies && !rc; i++) {
		const struct bch_jcopy *k = &p->copies[i];

		rc = out_line(t, 0);
		out_u64(t, CP_SEQ, k->seq);
		out_u64(t, CP_FROM, k->src);
		out_u64(t, CP_TO, k->dst);
		out_u64(t, CP_BYTES, k->bytes);
		out_u64(t, CP_BUCKET, k->bucket);
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

/* JSON: the verdict as one object. */
static int repair_table(struct out *o, const struct jctx *c, const struct ropts *ro,
			const struct bch_jrepair *p, bool written)
{
	struct out_table *t;

	if (!o->json)
		return 0;
	t = out_table(o, "repair", repair_cols, JR_NCOLS, NULL, 0, OUT_T_OBJECT);
	if (!t)
		return -ENOMEM;
	out_line(t, 0);
	out_str(t, JR_CACHE, c->o->cache);
	out_str(t, JR_ACTION, bch_jrepair_action_name(p->action));
	out_bool(t, JR_DRY_RUN, ro->dry_run);
	out_bool(t, JR_WRITTEN, written);
	out_u64(t, JR_LAYOUTS, p->layouts);
	out_u64(t, JR_RELOCATED, p->ncopies);
	out_bool(t, JR_CLEAN, p->clean);
	return out_emit(t);
}

static int summary_table(struct out *o, const struct jctx *c, const struct bch_journal *j,
			 const struct bch_jrepair *p)
{
	struct out_table *t = journal_summary_table(o, c);
	int rc = t ? journal_summary_row(t, c, "kernel", &j->kv.list, &j->krange, &j->kv,
					 &c->rep.loc.g, j->kv.duplicates, j->kv.invalid) : -ENOMEM;

	if (!rc && (p->action == BCH_JREPAIR_TABLE || p->action == BCH_JREPAIR_RELOCATE))
		rc = journal_summary_row(t, c, "kernel_after", &p->after.list,
					 &p->after_range, &p->after, &p->g,
					 p->after.duplicates, p->after.invalid);
	if (!rc)
		rc = journal_summary_row(t, c, "media", &j->media, &j->mrange, NULL, NULL,
					 j->dups, j->invalid);
	if (rc) {
		out_table_free(t);
		return rc;
	}
	out_table_title(t, "Summary (kernel: the v7 kernel's read now; kernel_after: its read "
			"after the repair; media: magic scan of the region)");
	return out_emit(t);
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
	int rc;

	out_device(o, c->path);
	rc = journal_location_table(o, (struct jctx *)c);

	if (!rc)
		rc = summary_table(o, c, j, p);
	if (!rc && act)
		rc = layout_table(o, c, p);
	if (!rc && act)
		rc = copies_table(o, c, p);
	if (!rc)
		rc = out_problems(o, &p->problems);
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
/* Why there is no journal: the first error, else "no journal written yet". */
static const struct bch_problem *first_error(const struct bch_problems *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i].severity == BCH_SEV_ERROR)
			return &ps->v[i];
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i].code == BCH_P_J_NOT_WRITTEN)
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
		if (out_problems(&o, &c.rep.problems) || out_finish(&o))
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
