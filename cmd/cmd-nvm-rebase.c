// SPDX-License-Identifier: GPL-2.0
/*
 * bcache nvm rebase DEV --base K|live [-C CACHEDEV]...: move the kernel
 * addresses an attached v7 namespace stores (and its cache devices' d[])
 * to a new base, so that a kernel that maps the namespace at another
 * address after a reboot can register it instead of hitting its BUG_ON.
 * The plan and the crash-safe write are lib/nvm-rebase.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bcache/cache-sb.h>
#include <bcache/fields.h>
#include <bcache/live.h>
#include <bcache/media.h>
#include <bcache/nvm-rebase.h>
#include <bcache/probe.h>
#include <bcache/sysfs.h>
#include <bcache/target.h>

#include "cmd.h"
#include "nvm-common.h"
#include "output.h"

OUT_CATALOGUE(BCH_COLS_RBFIELDS, RF, rbfield_cols);
OUT_CATALOGUE(BCH_COLS_RBPASS, RP, rbpass_cols);

enum { OPT_BASE = OPT__CMD_FIRST };

struct rebase_opts {
	const char *base;		/* --base: a number or "live" */
	const char *cache[BCH_REBASE_MAX_CACHES];
	int ncaches;
	struct bch_write_flags w;
	const struct bch_cmd *cmd;
};

static const struct bch_opt rebase_opts_def[] = {
	{ "base", OPT_BASE, required_argument, "K|live",
	  "the new base: an address, or where this boot maps the namespace", "live" },
	{ "cache", 'C', required_argument, "CACHEDEV",
	  "a cache device whose journal is in the namespace (repeatable; default: "
	  "found by its cache set uuid)", "device" },
	{ "dry-run", 'n', no_argument, NULL,
	  "list every field that would change (old and new value), write nothing", NULL },
	{ "json", 'J', no_argument, NULL, "print one JSON document", NULL },
	{ "force", 'f', no_argument, NULL,
	  "rebase even when this boot's kernel may have registered the namespace", NULL },
	{ NULL },
};

static int rebase_opt(int val, const char *arg, void *ctx)
{
	struct rebase_opts *o = ctx;

	switch (val) {
	case OPT_BASE:
		o->base = arg;
		return 0;
	case 'C':
		if (o->ncaches == BCH_REBASE_MAX_CACHES)
			return bch_usage_error(o->cmd, "at most %d -C devices",
					       BCH_REBASE_MAX_CACHES);
		o->cache[o->ncaches++] = arg;
		return 0;
	}
	return bch_write_flag(&o->w, val);
}

/* One device of the run: the namespace (index 0) or a cache device. */
struct dev {
	const char *arg;	/* as named on the command line, or found */
	char *found;		/* owned, when found by the scan */
	struct bch_media *m;
	unsigned char *buf;	/* namespace: metadata area; cache: sb page */
	size_t len;
};

struct run {
	struct rebase_opts *o;
	struct dev ns;
	struct dev cache[BCH_REBASE_MAX_CACHES];
	int ncaches;
	struct bch_rebase_input in;
	int steps;		/* write steps done, over all passes */
	struct out out;
	/*
	 * What the passes did, reported once after the last (JSON: one
	 * "rebase" and one "fields" member holding every pass).
	 */
	struct pass_row {
		int pass, dev;
		uint64_t from, to;
		size_t fields;
		bool resumed;
	} rows[3 * (1 + BCH_REBASE_MAX_CACHES)];
	int nrows;
	struct field_row {
		struct bch_rebase_field f;
		int pass;
	} *fields;
	size_t nfields;
};

#ifdef BCH_TEST_HOOKS
/* Test-only: BCACHE_TEST_FAULT_STEP=N stops the rebase after write step N. */
static int fault_hook(int step, void *arg)
{
	const char *s = getenv("BCACHE_TEST_FAULT_STEP");

	return s && atoi(s) == *(int *)arg + step;
}
#define REBASE_HOOK fault_hook
#else
#define REBASE_HOOK NULL
#endif

/* Open a device (read-write and exclusive unless --dry-run); an exit code. */
static int dev_open(const struct rebase_opts *o, struct dev *d)
{
	unsigned int flags = o->w.dry_run ? 0 : BCH_MEDIA_WRITE | BCH_MEDIA_EXCL;
	struct bch_target_use u;
	int rc = bch_media_open(d->arg, flags, &d->m);

	if (rc)
		return bch_open_error(d->arg, rc);
	if (!bch_target_in_use(d->m->path, &u) && (u.mounted || u.bcache || u.held)) {
		bch_err("%s: %s; refusing", d->arg, u.mounted ? "mounted" : u.bcache ?
			"registered with bcache (sysfs bcache/ exists)" : "held by another driver");
		return BCH_EXIT_REFUSED;
	}
	return BCH_EXIT_OK;
}

static int dev_read(struct dev *d, uint64_t off, size_t len)
{
	int rc;

	d->len = len;
	d->buf = bch_media_buf_alloc(len);
	if (!d->buf) {
		bch_err("out of memory");
		return BCH_EXIT_ERROR;
	}
	rc = d->m->size < off + len ? -ERANGE : bch_media_read(d->m, d->buf, len, off);
	if (rc)
		return bch_fail(d->arg, rc, "cannot read");
	return BCH_EXIT_OK;
}

static void dev_close(struct dev *d)
{
	bch_media_close(d->m);
	bch_media_buf_free(d->buf, d->len);
	free(d->found);
}

static int add_cache(struct run *r, const char *arg, char *found)
{
	struct dev *d = &r->cache[r->ncaches];
	int rc;

	d->arg = arg;
	d->found = found;
	r->ncaches++;
	rc = dev_open(r->o, d);
	if (!rc)
		rc = dev_read(d, 4096, 4096);
	if (rc)
		return rc;
	r->in.cache_page[r->in.ncaches] = d->buf;
	r->in.cache_size[r->in.ncaches] = d->m->size;
	r->in.cache_path[r->in.ncaches] = d->arg;
	r->in.ncaches++;
	return BCH_EXIT_OK;
}

/* The new base: a number, or "live". An exit code. */
static int parse_base(const struct rebase_opts *o, const struct dev *ns, uint64_t *k)
{
	struct bch_live live;
	char *end;

	if (strcmp(o->base, "live")) {
		errno = 0;
		*k = strtoull(o->base, &end, 0);
		if (errno || *end || !*o->base)
			return bch_usage_error(o->cmd, "--base: '%s' is not an address or 'live'",
					       o->base);
		return BCH_EXIT_OK;
	}
	if (bch_live_base(ns->m->path, &live)) {
		bch_err("out of memory");
		return BCH_EXIT_ERROR;
	}
	if (live.reason != BCH_LIVE_OK) {
		bch_err("%s: --base live: %s", ns->arg, bch_live_reason_text(live.reason));
		return BCH_EXIT_ERROR;
	}
	*k = live.k;
	return BCH_EXIT_OK;
}

/* Whether owner oi of the checked namespace has a cache device in the run. */
static bool owner_has_cache(const struct bch_rebase *rb, int oi)
{
	for (int i = 0; i < BCH_REBASE_MAX_CACHES; i++)
		if (rb->cache_owner[i] == oi && rb->cache_verdict[i] != BCH_RBC_NO_OWNER)
			return true;
	return false;
}

static uint64_t owner_pages(const struct bch_nvm_ns *ns, int oi)
{
	return ns->owners[oi].pages_allocated;
}

/*
 * Without -C: the block devices libblkid knows as bcache whose cache set
 * owns pages in the namespace.  Two for one set: the user must choose.
 */
static int find_caches(struct run *r, const struct bch_rebase *rb)
{
	struct bch_devlist l;
	int claimed[BCH_MAX_OWNER_LIST] = { 0 };
	int rc = bch_probe_bcache_devices(&l);

	if (rc) {
		bch_err("out of memory");
		return BCH_EXIT_ERROR;
	}
	for (size_t i = 0; i < l.n && !rc; i++) {
		struct bch_cache_sb_info info;
		struct bch_media *m;
		int oi = -1;

		if (bch_media_open(l.v[i], 0, &m))
			continue;
		if (!bch_cache_sb_read(m, &info) && info.magic_ok && !info.backing && info.nvdimm)
			for (size_t o = 0; o < rb->ns.nowners; o++)
				if (owner_pages(&rb->ns, (int)o) &&
				    !memcmp(rb->ns.owners[o].uuid, info.sb.set_uuid, 16))
					oi = (int)o;
		bch_media_close(m);
		if (oi < 0)
			continue;
		if (claimed[oi]++) {
			char u[37];

			bch_uuid_format(info.sb.set_uuid, u);
			bch_err("%s: several cache devices of cache set %s (%s and another "
				"one); name the right one with -C", r->ns.arg, u, l.v[i]);
			rc = BCH_EXIT_REFUSED;
			break;
		}
		if (r->ncaches == BCH_REBASE_MAX_CACHES)
			break;
		rc = add_cache(r, l.v[i], l.v[i]);
		l.v[i] = NULL;	/* owned by the run now */
	}
	bch_devlist_free(&l);
	return rc;
}

/* Owners with pages but no cache device: their d[] keep the old base. */
static void warn_uncovered(const struct run *r, const struct bch_rebase *rb)
{
	for (size_t o = 0; o < rb->ns.nowners; o++) {
		char u[37];

		if (!owner_pages(&rb->ns, (int)o) || owner_has_cache(rb, (int)o))
			continue;
		bch_uuid_format(rb->ns.owners[o].uuid, u);
		bch_warn("%s: owner %zu (%s) holds %llu pages but no cache device of that "
			 "cache set was %s: its d[] keep base 0x%llx; rebase it later with -C",
			 r->ns.arg, o, u, (unsigned long long)owner_pages(&rb->ns, (int)o),
			 r->o->ncaches ? "named" : "found", (unsigned long long)rb->k_from);
	}
}

/*
 * This boot's kernel may have registered the namespace: v7 takes no claim
 * that could be checked, so the sign is that the stored base is where this
 * boot maps it while a bcache module with NVDIMM support is loaded.  An
 * exit code; --force skips it.
 */
static int refuse_registered(const struct run *r, const struct bch_rebase *rb)
{
	struct bch_sysfs_bcache sb;
	struct bch_live live;

	bch_sysfs_bcache_probe(&sb);
	if (r->o->w.force || !sb.reg_nvdimm || bch_live_base(r->ns.m->path, &live) ||
	    live.reason == BCH_LIVE_NOT_NAMESPACE || live.reason == BCH_LIVE_NOT_FSDAX)
		return BCH_EXIT_OK;
	if (live.reason != BCH_LIVE_OK) {
		bch_err("%s: a bcache module with NVDIMM support is loaded and where this boot "
			"maps the namespace cannot be told (%s), so it may be registered: "
			"rebasing a registered namespace corrupts it; use --force if it is not",
			r->ns.arg, bch_live_reason_text(live.reason));
		return BCH_EXIT_REFUSED;
	}
	if (live.k != rb->k_from)
		return BCH_EXIT_OK;
	bch_err("%s: this boot's kernel may have registered it: its base 0x%llx is where this "
		"boot maps it and the loaded bcache module has NVDIMM support "
		"(register_nvdimm_meta); v7 keeps no claim that could be checked. Rebasing a "
		"registered namespace corrupts it; use --force if it is not registered",
		r->ns.arg, (unsigned long long)rb->k_from);
	return BCH_EXIT_REFUSED;
}

/* Why the plan cannot be carried out; an exit code. */
static int refusal(struct run *r, struct bch_rebase *rb, uint64_t k)
{
	const char *dev = r->ns.arg;

	switch (rb->verdict) {
	case BCH_RB_OK:
		return BCH_EXIT_OK;
	case BCH_RB_FRESH:
		if (!r->o->w.json)
			printf("%s: %s; nothing to do\n", dev, bch_rebase_verdict_text(rb->verdict));
		return BCH_EXIT_OK;
	case BCH_RB_NOT_V7:
		bch_err("%s: %s", dev, bch_rebase_verdict_text(rb->verdict));
		return BCH_EXIT_NOT_FOUND;
	case BCH_RB_NVMPG:
		bch_err("%s: %s", dev, bch_rebase_verdict_text(rb->verdict));
		return BCH_EXIT_REFUSED;
	case BCH_RB_BAD_BASE:
		return bch_usage_error(r->o->cmd, "--base 0x%llx: %s", (unsigned long long)k,
				       bch_rebase_verdict_text(rb->verdict));
	case BCH_RB_OVERLAP:
		bch_err("%s: new base 0x%llx: [0x%llx, 0x%llx) overlaps [0x%llx, 0x%llx) of "
			"base 0x%llx: a stored pointer could not tell which base it holds; "
			"refusing", dev, (unsigned long long)k, (unsigned long long)k,
			(unsigned long long)(k + r->in.size),
			(unsigned long long)(rb->k_mid ? rb->k_mid : rb->k_from),
			(unsigned long long)((rb->k_mid ? rb->k_mid : rb->k_from) + r->in.size),
			(unsigned long long)(rb->k_mid ? rb->k_mid : rb->k_from));
		return BCH_EXIT_REFUSED;
	case BCH_RB_NOT_CLEAN:
		if (out_problems(&r->out, &rb->ns.problems))
			return BCH_EXIT_ERROR;
		bch_err("%s: %s (see the problems above, or 'bcache nvm check %s'); refusing",
			dev, bch_rebase_verdict_text(rb->verdict), dev);
		return BCH_EXIT_REFUSED;
	case BCH_RB_CACHE:
		if (rb->problems.n && out_problems(&r->out, &rb->problems))
			return BCH_EXIT_ERROR;
		for (int i = 0; i < r->in.ncaches; i++)
			if (rb->cache_verdict[i] != BCH_RBC_OK &&
			    rb->cache_verdict[i] != BCH_RBC_EMPTY)
				bch_err("%s: %s; refusing", r->in.cache_path[i],
					bch_rebase_cache_verdict_text(rb->cache_verdict[i]));
		return BCH_EXIT_REFUSED;
	}
	return BCH_EXIT_ERROR;
}

static const char *field_dev(const struct run *r, const struct bch_rebase_field *f)
{
	return f->dev ? r->in.cache_path[f->dev - 1] : r->ns.arg;
}

/* --dry-run: every field of every pass, old -> new. */
static int list_fields(struct run *r)
{
	struct out_table *t = out_table(&r->out, "fields", rbfield_cols, RF_NCOLS, NULL, 0, 0);
	int rc = 0;

	if (!t)
		return -ENOMEM;
	out_table_title(t, "Fields that %s (in write order)", r->o->w.dry_run ?
			"would change" : "changed");
	for (size_t i = 0; i < r->nfields && !rc; i++) {
		const struct bch_rebase_field *f = &r->fields[i].f;
		char where[48];

		bch_rebase_field_where(f, where, sizeof(where));
		rc = out_line(t, 0);
		out_u64(t, RF_PASS, (uint64_t)r->fields[i].pass);
		out_str(t, RF_DEVICE, field_dev(r, f));
		out_u64(t, RF_OFFSET, f->off);
		out_str(t, RF_WHERE, where);
		out_hex16(t, RF_OLD, f->old);
		out_hex16(t, RF_NEW, f->new);
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

/* Keep what one pass did: a row per device, and its fields (--dry-run). */
static int keep_pass(struct run *r, const struct bch_rebase *rb, int pass)
{
	for (int d = 0; d <= r->in.ncaches; d++) {
		struct pass_row *p;
		size_t n = 0;

		for (size_t i = 0; i < rb->n; i++)
			n += rb->v[i].dev == d;
		if ((d && !n) || r->nrows >= (int)(sizeof(r->rows) / sizeof(r->rows[0])))
			continue;
		p = &r->rows[r->nrows++];
		p->pass = pass;
		p->dev = d;
		p->from = d ? rb->cache_k[d - 1] : rb->k_from;
		p->to = rb->k_to;
		p->fields = n;
		p->resumed = rb->k_mid && rb->k_mid == rb->k_to;
	}
	if (r->o->w.dry_run && rb->n) {
		struct field_row *v = realloc(r->fields, (r->nfields + rb->n) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->fields = v;
		for (size_t i = 0; i < rb->n; i++)
			v[r->nfields++] = (struct field_row){ .f = rb->v[i], .pass = pass };
	}
	return 0;
}

/* The summary of the passes (JSON; text: text_summary()), then the fields. */
static int report(struct run *r)
{
	struct out_table *t;
	int rc = 0;

	if (r->out.json && r->nrows) {
		t = out_table(&r->out, "rebase", rbpass_cols, RP_NCOLS, NULL, 0, 0);
		if (!t)
			return -ENOMEM;
		for (int i = 0; i < r->nrows && !rc; i++) {
			const struct pass_row *p = &r->rows[i];

			rc = out_line(t, 0);
			out_str(t, RP_DEVICE, p->dev ? r->in.cache_path[p->dev - 1] : r->ns.arg);
			out_u64(t, RP_PASS, (uint64_t)p->pass);
			out_hex(t, RP_FROM, p->from);
			out_hex(t, RP_TO, p->to);
			out_u64(t, RP_FIELDS, p->fields);
			out_bool(t, RP_RESUMED, p->resumed);
			out_bool(t, RP_WRITTEN, !r->o->w.dry_run);
		}
		if (rc) {
			out_table_free(t);
			return rc;
		}
		rc = out_emit(t);
	}
	if (!rc && r->o->w.dry_run && r->nfields)
		rc = list_fields(r);
	return rc;
}

static void text_summary(const struct run *r, const struct bch_rebase *rb)
{
	const char *verb = r->o->w.dry_run ? "would rebase" : "rebased";

	if (r->out.json)
		return;
	if (rb->k_mid && rb->k_mid == rb->k_to)
		printf("%s: an interrupted rebase to 0x%llx was found; %s\n", r->ns.arg,
		       (unsigned long long)rb->k_to, r->o->w.dry_run ? "it would be finished" :
		       "finished it");
	printf("%s %s: base 0x%llx -> 0x%llx, %zu fields in %zu pages\n", verb, r->ns.arg,
	       (unsigned long long)rb->k_from, (unsigned long long)rb->k_to,
	       rb->n, rb->ns_pages);
	for (int i = 0; i < r->in.ncaches; i++)
		if (rb->cache_verdict[i] == BCH_RBC_OK)
			printf("%s %s: d[] base 0x%llx -> 0x%llx\n", verb, r->in.cache_path[i],
			       (unsigned long long)rb->cache_k[i], (unsigned long long)rb->k_to);
		else if (rb->cache_verdict[i] == BCH_RBC_EMPTY)
			printf("%s: %s\n", r->in.cache_path[i],
			       bch_rebase_cache_verdict_text(rb->cache_verdict[i]));
}

/* One pass: plan, refuse or write, report.  *more when a pass follows. */
static int pass(struct run *r, uint64_t k, int n, bool *more)
{
	struct bch_rebase rb;
	unsigned char *cpage[BCH_REBASE_MAX_CACHES];
	struct bch_media *cm[BCH_REBASE_MAX_CACHES];
	int rc, err;

	*more = false;
	rc = bch_nvm_rebase_plan(&r->in, k, &rb);
	if (rc)
		return bch_fail(r->ns.arg, rc, "rebase planning failed");
	if (n == 1 && !r->o->ncaches && rb.verdict == BCH_RB_OK && !r->in.ncaches) {
		rc = find_caches(r, &rb);
		if (!rc && r->in.ncaches) {	/* plan again with them */
			bch_rebase_free(&rb);
			rc = bch_nvm_rebase_plan(&r->in, k, &rb) ? BCH_EXIT_ERROR : BCH_EXIT_OK;
		}
		if (rc)
			goto out;
	}
	rc = refusal(r, &rb, k);
	if (rc || rb.verdict != BCH_RB_OK)
		goto out;
	if (!rb.n) {
		if (!r->out.json)
			printf("%s: already at base 0x%llx; nothing to do\n", r->ns.arg,
			       (unsigned long long)rb.k_to);
		goto out;
	}
	if (n == 1)
		warn_uncovered(r, &rb);
	rc = refuse_registered(r, &rb);
	if (rc && !r->o->w.dry_run)
		goto out;
	if (!r->o->w.dry_run) {
		int steps = 0;

		for (int i = 0; i < r->in.ncaches; i++)
			cm[i] = r->cache[i].m;
		err = bch_nvm_rebase_write(&rb, &r->in, r->ns.m, cm, REBASE_HOOK, &r->steps,
					   &steps);
		r->steps += steps;
		if (err == -ECANCELED) {
			bch_err("%s: stopped by fault injection", r->ns.arg);
			rc = BCH_EXIT_ERROR;
			goto out;
		}
		if (err) {
			rc = bch_fail(r->ns.arg, err, "write failed");
			goto out;
		}
	}
	for (int i = 0; i < r->in.ncaches; i++)
		cpage[i] = r->cache[i].buf;
	bch_nvm_rebase_apply(&rb, r->ns.buf, cpage);
	text_summary(r, &rb);
	err = keep_pass(r, &rb, n);
	if (err)
		rc = bch_fail(r->ns.arg, err, "output failed");
	*more = rb.more && !rc;
out:
	bch_rebase_free(&rb);
	return rc;
}

static int cmd_rebase(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct rebase_opts o = { .cmd = cmd };
	struct run r = { .o = &o };
	uint64_t k = 0;
	bool more = true;
	int rc, err, first;

	rc = bch_parse(cmd, argc, argv, rebase_opt, &o, &first);
	if (rc)
		return rc;
	if (first >= argc)
		return bch_usage_error(cmd, "no device given");
	if (first + 1 < argc)
		return bch_usage_error(cmd, "one namespace at a time ('%s' too)", argv[first + 1]);
	if (!o.base)
		return bch_usage_error(cmd, "--base K or --base live is required");
	out_init(&r.out, o.w.json);
	r.ns.arg = argv[first];
	rc = dev_open(&o, &r.ns);
	if (!rc)
		rc = parse_base(&o, &r.ns, &k);
	if (!rc)
		rc = dev_read(&r.ns, 0, r.ns.m->size < BCH_NVM_PAGES_OFFSET ?
			      r.ns.m->size : BCH_NVM_PAGES_OFFSET);
	r.in.meta = r.ns.buf;
	r.in.size = r.ns.m ? r.ns.m->size : 0;
	r.in.path = r.ns.arg;
	for (int i = 0; i < o.ncaches && !rc; i++)
		rc = add_cache(&r, o.cache[i], NULL);
	/* the namespace's object holds the passes, fields and problems */
	out_device(&r.out, r.ns.arg);
	for (int n = 1; !rc && more && n <= 3; n++)
		rc = pass(&r, k, n, &more);
	/* the passes done, also when a later one failed or was refused */
	err = report(&r);
	if (err && !rc)
		rc = bch_fail(r.ns.arg, err, "output failed");
	free(r.fields);
	if (out_finish(&r.out) && !rc)
		rc = BCH_EXIT_ERROR;
	dev_close(&r.ns);
	for (int i = 0; i < r.ncaches; i++)
		dev_close(&r.cache[i]);
	return rc;
}

const struct bch_cmd bch_cmd_nvm_rebase = {
	.name = "rebase", .full = "nvm rebase",
	.summary = "move an attached namespace's stored addresses to a new base",
	.usage = "DEV --base K|live [-C CACHEDEV]...",
	.opts = rebase_opts_def, .run = cmd_rebase,
	.operands = "device",
};
