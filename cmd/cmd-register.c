// SPDX-License-Identifier: GPL-2.0
/*
 * bcache register DEV... | --scan: hand devices to the kernel's bcache
 * through sysfs.  nvm-pages namespaces go to
 * /sys/fs/bcache/register_nvdimm_meta, cache and backing devices to
 * /sys/fs/bcache/register, in that order (a v7 cache device with
 * nvdimm_meta finds its journal in a registered namespace).  Every device
 * is checked first (lib/register.c) and nothing is written when one would
 * make the kernel fail or crash.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bcache/devices.h>
#include <bcache/media.h>
#include <bcache/nvm.h>
#include <bcache/probe.h>
#include <bcache/register.h>
#include <bcache/sysfs.h>
#include <bcache/target.h>

#include "cmd.h"
#include "output.h"

OUT_CATALOGUE(BCH_COLS_REG, RG, reg_cols);

enum { OPT_SCAN = OPT__CMD_FIRST };

#define MAX_REG 256

struct reg_opts {
	bool scan;
	struct bch_write_flags w;
	const struct bch_cmd *cmd;
};

static const struct bch_opt reg_opts_def[] = {
	{ "scan", OPT_SCAN, no_argument, NULL,
	  "register every device with a bcache or nvm-pages superblock", NULL },
	{ "dry-run", 'n', no_argument, NULL, "check and report, write nothing", NULL },
	{ "json", 'J', no_argument, NULL, "print one JSON document", NULL },
	{ "force", 'f', no_argument, NULL,
	  "register even when a check cannot be made (never when one fails)", NULL },
	{ NULL },
};

static int reg_opt(int val, const char *arg, void *ctx)
{
	struct reg_opts *o = ctx;

	(void)arg;
	switch (val) {
	case OPT_SCAN:
		o->scan = true;
		return 0;
	}
	return bch_write_flag(&o->w, val);
}

struct reg {
	int order;		/* position on the command line or in the scan */
	const char *arg;
	struct bch_reg_dev d;
	const char *status;	/* registered, would register, refused, failed, ... */
	char why[PATH_MAX + 1024];	/* one line (naming the device) */
};

/* Why a device is refused, one line in r->why; BCH_EXIT_*. */
static int verdict_line(struct reg *r, bool force)
{
	const struct bch_reg_dev *d = &r->d;
	char *w = r->why;
	size_t n = sizeof(r->why);

	switch (d->verdict) {
	case BCH_REG_OK:
		return BCH_EXIT_OK;
	case BCH_REG_NO_SB:
		snprintf(w, n, "no bcache superblock (byte 4120) and no nvm-pages superblock "
			 "(byte 4128)");
		return BCH_EXIT_NOT_FOUND;
	case BCH_REG_V12:
		snprintf(w, n, "an nvm-pages superblock of the v12/v13 revision: the v7 "
			 "kernel rejects it");
		return BCH_EXIT_NOT_FOUND;
	case BCH_REG_NOT_BLOCK:
		snprintf(w, n, "not a block device: the kernel registers %s",
			 d->kind == BCH_REG_NAMESPACE ? "fsdax namespaces (/dev/pmemN) only; "
			 "a devdax namespace cannot be registered" : "block devices only");
		return BCH_EXIT_REFUSED;
	case BCH_REG_NOT_PMEM:
		snprintf(w, n, "not a pmem namespace: the v7 kernel maps the nvm-pages "
			 "namespace through DAX, which only an fsdax namespace has");
		return BCH_EXIT_REFUSED;
	case BCH_REG_NOT_FSDAX:
		snprintf(w, n, "a raw namespace has no DAX on this kernel; the v7 kernel "
			 "needs an fsdax namespace with struct pages (ndctl create-namespace "
			 "-m fsdax --map=mem)");
		return BCH_EXIT_REFUSED;
	case BCH_REG_PROBLEM:
		snprintf(w, n, "%s (%s at %s): the kernel would reject it",
			 d->problem.message, bch_problem_name(d->problem.code), d->problem.where);
		return BCH_EXIT_REFUSED;
	case BCH_REG_BASE_LIVE:
		snprintf(w, n, "stored base K = 0x%llx, but this boot maps it at 0x%llx: "
			 "registering it would crash the kernel (BUG_ON in "
			 "bch_register_namespace); run 'bcache nvm rebase %s --base live' first",
			 (unsigned long long)d->k_stored, (unsigned long long)d->live.k,
			 d->path);
		return BCH_EXIT_REFUSED;
	case BCH_REG_BASE_UNKNOWN:
		if (force)
			return BCH_EXIT_OK;
		snprintf(w, n, "where this boot maps it cannot be told (%s); registering it "
			 "at another base than 0x%llx crashes the kernel; use --force if it is "
			 "the same", bch_live_reason_text(d->live.reason),
			 (unsigned long long)d->k_stored);
		return BCH_EXIT_REFUSED;
	case BCH_REG_REGISTERED:
		snprintf(w, n, "already registered with bcache");
		return BCH_EXIT_REFUSED;
	case BCH_REG_IN_USE:
		snprintf(w, n, "in use (%s); the kernel would answer EBUSY", d->holder);
		return BCH_EXIT_REFUSED;
	case BCH_REG_NO_NVDIMM:
		snprintf(w, n, "its journal is on NVDIMM (nvdimm_meta), but the loaded bcache "
			 "module has no NVDIMM support (no register_nvdimm_meta): the kernel "
			 "rejects it");
		return BCH_EXIT_REFUSED;
	case BCH_REG_JOURNAL_BASE:
		if (d->ns[0])
			snprintf(w, n, "its journal buckets (d[0] = 0x%llx) lie in %s at its "
				 "stored base, which is not where this boot maps it: the kernel "
				 "would read the journal from a wild address; run 'bcache nvm "
				 "rebase %s -C %s --base live' first", (unsigned long long)d->d0,
				 d->ns, d->ns, d->path);
		else
			snprintf(w, n, "its journal buckets (d[0] = 0x%llx) lie in no pmem "
				 "namespace as this boot maps them: the kernel would read the "
				 "journal from a wild address", (unsigned long long)d->d0);
		return BCH_EXIT_REFUSED;
	case BCH_REG_JOURNAL_UNKNOWN:
		if (force)
			return BCH_EXIT_OK;
		snprintf(w, n, "whether its journal buckets (d[0] = 0x%llx) are where this "
			 "boot maps its namespace cannot be told (needs root, /proc/kcore); use "
			 "--force if they are", (unsigned long long)d->d0);
		return BCH_EXIT_REFUSED;
	}
	return BCH_EXIT_ERROR;
}

/* Namespaces first, then cache devices, then backing devices; stable. */
static int cmp_reg(const void *x, const void *y)
{
	const struct reg *a = x, *b = y;

	if (a->d.kind != b->d.kind)
		return (int)a->d.kind - (int)b->d.kind;
	return a->order - b->order;
}

/* What the kernel's answer most likely means; the log lines follow. */
static void explain(const struct reg *r, int err)
{
	bool ns = r->d.kind == BCH_REG_NAMESPACE;
	const char *attr = ns ? "register_nvdimm_meta" : "register";

	switch (err) {
	case -EINVAL:
		if (ns)
			bch_err("%s: the kernel refused it (EINVAL); its log most likely says "
				"why: 'csum is not match with expected one', 'only one nvm "
				"device', 'don't support DAX', or, when it is registered already "
				"in this boot, 'already has the same position(0) nvm' (or 'namespace "
				"id doesn't match nvm set': v7 registers one set)", r->d.path);
		else
			bch_err("%s: the kernel refused it (EINVAL); its log most likely says "
				"'register_bcache() error ...: REASON', REASON being 'device busy' "
				"(another process holds it open exclusively), 'device already "
				"registered', or why it rejects the superblock (e.g. 'Unsupported "
				"incompatible feature found')", r->d.path);
		break;
	case -EBUSY:
		bch_err("%s: the kernel answered EBUSY: the bcache module is being unloaded "
			"or the system is going down (its log most likely says 'failed to "
			"reference bcache module' or 'bcache is in reboot')", r->d.path);
		break;
	case -EPERM:
		if (geteuid() == 0 && !ns) {
			/* 6.1's register_cache() answers EPERM for what it cannot allocate */
			bch_err("%s: the kernel refused it (EPERM); its log most likely says "
				"'cache_alloc() error ...: ca->sb.nbuckets is too small' (the "
				"kernel wants more than 512 buckets: a smaller --bucket) or "
				"which allocation failed", r->d.path);
			break;
		}
		__attribute__((fallthrough));	/* clang knows no comment form */
	case -EACCES:
		if (geteuid() == 0)
			bch_err("%s: cannot write /sys/fs/bcache/%s: %s", r->d.path, attr,
				strerror(-err));
		else
			bch_err("%s: cannot write /sys/fs/bcache/%s: %s (registering needs root)",
				r->d.path, attr, strerror(-err));
		break;
	case -ENOENT:
		bch_err("%s: /sys/fs/bcache/%s disappeared (the bcache module was unloaded?)",
			r->d.path, attr);
		break;
	default:
		bch_err("%s: writing /sys/fs/bcache/%s failed: %s", r->d.path, attr,
			strerror(-err));
		break;
	}
}

static int register_one(struct reg *r)
{
	struct bch_kmsg k;
	char line[1024];
	int err, n;

	bch_kmsg_open(&k);
	err = bch_sysfs_register(r->d.kind == BCH_REG_NAMESPACE, r->d.path);
	if (err) {
		explain(r, err);
		while ((n = bch_kmsg_next(&k, line, sizeof(line))) > 0)
			bch_err("kernel: %s", line);
	}
	bch_kmsg_close(&k);
	return err;
}

/* The devices of --scan: fsdax namespaces (libndctl), bcache devices (libblkid). */
static int scan(struct reg *v, int *n, char **owned)
{
	struct bch_sys_dev *d;
	size_t nd;
	int ns_err, rc = bch_sys_devs_scan(&d, &nd, true, &ns_err);

	if (!rc && ns_err) {
		free(d);
		return ns_err;
	}
	for (size_t i = 0; !rc && i < nd && *n < MAX_REG; i++) {
		owned[*n] = strdup(d[i].path);
		v[*n].arg = owned[*n];
		rc = owned[(*n)++] ? 0 : -ENOMEM;
	}
	free(d);
	return rc;
}

static void report(struct out *o, const struct reg *v, int n)
{
	if (!o->json) {
		for (int i = 0; i < n; i++)
			if (v[i].status && strcmp(v[i].status, "refused") &&
			    strcmp(v[i].status, "failed"))
				printf("%s %s (%s, /sys/fs/bcache/%s)\n", v[i].status, v[i].d.path,
				       bch_reg_kind_name(v[i].d.kind),
				       v[i].d.kind == BCH_REG_NAMESPACE ? "register_nvdimm_meta" :
				       "register");
		return;
	}
	for (int i = 0; i < n; i++) {
		struct out_table *t;

		out_device(o, v[i].d.path[0] ? v[i].d.path : v[i].arg);
		t = out_table(o, "register", reg_cols, RG_NCOLS, NULL, 0, OUT_T_OBJECT);
		if (!t)
			return;
		out_line(t, 0);
		out_str(t, RG_TYPE, bch_reg_kind_name(v[i].d.kind));
		if (v[i].d.kind != BCH_REG_NONE)
			out_str(t, RG_ATTR, v[i].d.kind == BCH_REG_NAMESPACE ?
				"register_nvdimm_meta" : "register");
		out_str(t, RG_STATUS, v[i].status ? v[i].status : "not registered");
		if (*v[i].why)
			out_str(t, RG_MESSAGE, v[i].why);
		out_emit(t);
	}
	out_device_end(o);
}

/* The kernel's interface for the devices to register; an exit code. */
static int check_kernel(const struct bch_sysfs_bcache *sys, const struct reg *v, int n)
{
	const char *root = bch_sysfs_root();

	if (!sys->module) {
		bch_err("%s/fs/bcache does not exist: the bcache module is not loaded "
			"(load it with 'modprobe bcache')", root);
		return BCH_EXIT_ERROR;
	}
	for (int i = 0; i < n; i++) {
		if (v[i].d.kind == BCH_REG_NAMESPACE && !sys->reg_nvdimm) {
			bch_err("%s: %s/fs/bcache/register_nvdimm_meta does not exist: the loaded "
				"bcache module was built without NVDIMM support (the v7 NVDIMM "
				"patches, CONFIG_BCACHE_NVM_PAGES); an nvm-pages namespace cannot "
				"be registered", v[i].d.path, root);
			return BCH_EXIT_ERROR;
		}
		if (v[i].d.kind != BCH_REG_NAMESPACE && !sys->reg) {
			bch_err("%s: %s/fs/bcache/register does not exist", v[i].d.path, root);
			return BCH_EXIT_ERROR;
		}
	}
	return BCH_EXIT_OK;
}

static int cmd_register(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct reg_opts o = { .cmd = cmd };
	struct bch_sysfs_bcache sys;
	struct reg *v;
	char **owned;
	struct out out;
	int rc, first, n = 0, ret = BCH_EXIT_OK;

	rc = bch_parse(cmd, argc, argv, reg_opt, &o, &first);
	if (rc)
		return rc;
	if (o.scan && first < argc)
		return bch_usage_error(cmd, "--scan takes no devices ('%s')", argv[first]);
	if (!o.scan && first >= argc)
		return bch_usage_error(cmd, "no device given (or --scan)");
	if (argc - first > MAX_REG)
		return bch_usage_error(cmd, "at most %d devices", MAX_REG);
	v = calloc(MAX_REG, sizeof(*v));
	owned = calloc(MAX_REG, sizeof(*owned));
	if (!v || !owned) {
		free(v);
		free(owned);
		bch_err("out of memory");
		return BCH_EXIT_ERROR;
	}
	bch_sysfs_bcache_probe(&sys);
	out_init(&out, o.w.json);
	if (o.scan) {
		rc = scan(v, &n, owned);
		if (rc) {
			ret = bch_fail("register", rc, "cannot scan for devices");
			goto done;
		}
	} else {
		for (int i = first; i < argc; i++)
			v[n++].arg = argv[i];
	}
	/* every device is checked before anything is written */
	for (int i = 0; i < n; i++) {
		v[i].order = i;
		rc = bch_register_check(v[i].arg, &sys, &v[i].d);
		if (rc) {
			ret = bch_open_error(v[i].arg, rc);
			goto done;
		}
		if (o.scan && v[i].d.verdict == BCH_REG_REGISTERED) {
			v[i].status = "already registered";
			continue;
		}
		/* nvmpg: what the posted v13 code does with any namespace (info) */
		for (int k = 0; k < v[i].d.nnotes && !o.w.json; k++)
			fprintf(stderr, "bcache: %s: info: %s (%s, bcache-nvm-pages(5))\n",
				v[i].arg, v[i].d.notes[k].message,
				bch_problem_name(v[i].d.notes[k].code));
		rc = verdict_line(&v[i], o.w.force);
		if (!rc)
			continue;
		v[i].status = "refused";
		bch_err("%s: %s; refusing", v[i].arg, v[i].why);
		ret = bch_exit_combine(ret, rc);
	}
	qsort(v, (size_t)n, sizeof(*v), cmp_reg);	/* 0 <= n <= MAX_REG */
	if (ret && !o.scan)
		goto done;
	rc = check_kernel(&sys, v, n);
	if (rc) {
		ret = rc;
		goto done;
	}
	for (int i = 0; i < n; i++) {
		if (v[i].status)
			continue;
		if (o.w.dry_run) {
			v[i].status = "would register";
			continue;
		}
		if (register_one(&v[i])) {
			v[i].status = "failed";
			ret = BCH_EXIT_ERROR;
			break;
		}
		v[i].status = "registered";
	}
done:
	report(&out, v, n);
	if (out_finish(&out) && !ret)
		ret = BCH_EXIT_ERROR;
	for (int i = 0; i < MAX_REG; i++)
		free(owned[i]);
	free(owned);
	free(v);
	return ret;
}

const struct bch_cmd bch_cmd_register = {
	.name = "register", .full = "register",
	.summary = "register namespaces, cache and backing devices with the kernel's bcache",
	.usage = "DEV... | --scan",
	.opts = reg_opts_def, .run = cmd_register,
	.operands = "device",
};
