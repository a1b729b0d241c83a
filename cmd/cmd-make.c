// SPDX-License-Identifier: GPL-2.0
/*
 * bcache make -M DEV...: format nvm-pages namespaces (nvm-pages-format.md 7).
 * Every device is opened, sized and probed before anything is written, so a
 * refusal on any device leaves all of them unchanged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid.h>

#include <bcache/fields.h>
#include <bcache/media.h>
#include <bcache/nvm.h>
#include <bcache/probe.h>
#include <bcache/target.h>

#include "cmd.h"
#include "output.h"

#define MAX_NVM 8	/* BCH_NVM_PAGES_NAMESPACES_MAX */

struct make_opts {
	const char *nvm[MAX_NVM];
	int n_nvm;
	uint8_t set_uuid[16];
	bool have_set_uuid;
	uint8_t uuid[16];
	bool have_uuid;
	bool force, dry_run, json;
	const struct bch_cmd *cmd;
};

struct make_dev {
	const char *path;
	struct bch_media *m;
	struct bch_signatures sigs;
	struct bch_nvm_format f;
	bool refused;		/* --dry-run: a real run would refuse */
};

static const struct bch_opt make_opts_def[] = {
	{ "nvm", 'M', required_argument, "DEV",
	  "format DEV as an nvm-pages namespace (repeat for a set)", "device" },
	{ "set-uuid", OPT_SET_UUID, required_argument, "UUID",
	  "the set uuid shared by all -M namespaces (default: random)", "uuid" },
	{ "uuid", OPT_UUID, required_argument, "UUID",
	  "the namespace uuid (only with a single -M)", "uuid" },
	{ "force", 'f', no_argument, NULL,
	  "overwrite existing signatures and nvm-pages superblocks", NULL },
	{ "dry-run", 'n', no_argument, NULL,
	  "check and report what would be written, write nothing", NULL },
	{ "json", 'J', no_argument, NULL, "print the result as JSON", NULL },
	{ NULL },
};

static int parse_uuid_arg(const struct bch_cmd *cmd, const char *opt,
			  const char *arg, uint8_t out[16])
{
	if (bch_uuid_parse(arg, out))
		return bch_usage_error(cmd, "%s: invalid UUID '%s'", opt, arg);
	return 0;
}

static int make_opt(int val, const char *arg, void *ctx)
{
	struct make_opts *o = ctx;

	switch (val) {
	case 'M':
		if (o->n_nvm == MAX_NVM)
			return bch_usage_error(o->cmd, "at most %d -M devices", MAX_NVM);
		o->nvm[o->n_nvm++] = arg;
		return 0;
	case OPT_SET_UUID:
		o->have_set_uuid = true;
		return parse_uuid_arg(o->cmd, "--set-uuid", arg, o->set_uuid);
	case OPT_UUID:
		o->have_uuid = true;
		return parse_uuid_arg(o->cmd, "--uuid", arg, o->uuid);
	case 'f':
		o->force = true;
		return 0;
	case 'n':
		o->dry_run = true;
		return 0;
	case 'J':
		o->json = true;
		return 0;
	}
	return BCH_EXIT_USAGE;
}

/*
 * Refuse a device that is mounted, held by another driver (sysfs holders) or
 * registered with bcache.  --force does not override this.
 */
static int refuse_in_use(const char *operand)
{
	char path[4096];
	struct bch_target_use u;

	if (bch_target_resolve(operand, path, sizeof(path), NULL) ||
	    bch_target_in_use(path, &u))
		return BCH_EXIT_OK;	/* bch_media_open reports these */
	if (u.mounted)
		bch_err("%s: %s is mounted on %s; refusing", operand, path, u.mountpoint);
	else if (u.bcache)
		bch_err("%s: %s is registered with bcache (sysfs bcache/ exists); refusing",
			operand, path);
	else if (u.held)
		bch_err("%s: %s is held by %s (sysfs holders); refusing", operand, path,
			u.holder);
	else
		return BCH_EXIT_OK;
	return BCH_EXIT_REFUSED;
}

/* Signatures: refused without --force (--dry-run: noted, reported later). */
static int check_signatures(const struct make_opts *o, struct make_dev *d)
{
	for (size_t i = 0; i < d->sigs.n; i++) {
		const struct bch_signature *s = &d->sigs.v[i];

		if (o->force) {
			if (!o->json)
				bch_warn("%s: %s signature at offset %llu will be %s", d->path,
					 s->type, (unsigned long long)s->offset,
					 o->dry_run ? "wiped (not now: --dry-run)" :
					 "overwritten");
			continue;
		}
		bch_err("%s: found %s %s signature at offset %llu; refusing to overwrite "
			"it (use --force)", d->path, s->type,
			!strcmp(s->usage, "other") ? "" : s->usage,
			(unsigned long long)s->offset);
		if (!o->dry_run)
			return BCH_EXIT_REFUSED;
		d->refused = true;
	}
	if (d->sigs.dropped)
		bch_warn("%s: %zu more signatures not listed", d->path, d->sigs.dropped);
	return BCH_EXIT_OK;
}

/* Open, size and probe one device; returns an exit code. */
static int prepare(const struct make_opts *o, struct make_dev *d)
{
	unsigned int flags = BCH_MEDIA_EXCL | (o->dry_run ? 0 : BCH_MEDIA_WRITE);
	int rc = refuse_in_use(d->path);

	if (rc)
		return rc;
	rc = bch_media_open(d->path, flags, &d->m);
	if (rc)
		return bch_open_error(d->path, rc);
	if (d->m->size < BCH_NVM_MIN_DEVICE) {
		bch_err("%s: device too small: %llu bytes, need at least %llu "
			"(16 MiB metadata area + 1 page)", d->path,
			(unsigned long long)d->m->size, (unsigned long long)BCH_NVM_MIN_DEVICE);
		return BCH_EXIT_REFUSED;
	}
	rc = bch_probe_signatures(d->m, &d->sigs);
	if (rc) {
		bch_err("%s: cannot probe for existing signatures: %s", d->path, strerror(-rc));
		return BCH_EXIT_ERROR;
	}
	rc = check_signatures(o, d);
	if (rc)
		return rc;
	if (d->m->size < BCH_NVM_WARN_DEVICE && !o->json)
		bch_warn("%s: smaller than 32 MiB: no order-12 block, so no journal region "
			 "of 16 MiB or more, can be allocated", d->path);
	return BCH_EXIT_OK;
}

/* With --force, old magics beyond the metadata area go too, as wipefs does. */
static int wipe_outside(struct make_dev *d)
{
	for (size_t i = 0; i < d->sigs.n; i++) {
		const struct bch_signature *s = &d->sigs.v[i];
		int rc;

		if (s->offset < BCH_NVM_PAGES_OFFSET || !s->length)
			continue;
		rc = bch_media_zero(d->m, s->offset, s->length);
		if (rc)
			return rc;
	}
	return 0;
}

#ifdef BCH_TEST_HOOKS
/* Test-only: BCACHE_TEST_FAULT_STEP=N stops the write after step N. */
static int fault_hook(enum bch_nvm_format_step step, void *arg)
{
	const char *s = getenv("BCACHE_TEST_FAULT_STEP");

	(void)arg;
	return s && atoi(s) == (int)step;
}
#define FORMAT_HOOK fault_hook
#else
#define FORMAT_HOOK NULL
#endif

/* The signatures found on a device, and what happens (or would) to them. */
static void report_signatures(struct out *o, const struct make_opts *mo,
			      const struct make_dev *d)
{
	static const char *const cols[] = { "device", "type", "usage", "offset", "length",
					    "action" };
	struct libscols_table *tb;

	for (size_t i = 0; i < d->sigs.n && !o->json; i++)
		printf("  signature            %s (%s) at offset %llu: %s\n", d->sigs.v[i].type,
		       d->sigs.v[i].usage, (unsigned long long)d->sigs.v[i].offset,
		       mo->force ? "wipe" : "refuse");
	if (!o->json)
		return;
	tb = out_table(o, "signatures");
	if (!tb)
		return;
	if (!scols_table_get_ncols(tb))
		for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
			out_column(o, tb, cols[c], c == 3 || c == 4 ? SCOLS_JSON_NUMBER :
				   SCOLS_JSON_STRING, 0);
	for (size_t i = 0; i < d->sigs.n; i++) {
		const struct bch_signature *s = &d->sigs.v[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			return;
		out_cell(ln, 0, "%s", d->path);
		out_cell(ln, 1, "%s", s->type);
		out_cell(ln, 2, "%s", s->usage);
		out_cell(ln, 3, "%llu", (unsigned long long)s->offset);
		out_cell(ln, 4, "%u", s->length);
		out_cell(ln, 5, "%s", mo->force ? "wipe" : "refuse");
	}
	out_emit(o, tb);
}

static void report(struct out *o, const struct make_opts *mo, struct make_dev *d)
{
	char su[37], u[37];
	struct libscols_table *tb;
	struct libscols_line *ln;
	struct bch_nvm_pages_sb sb;
	struct bch_owner_list_head *olh = malloc(sizeof(*olh));
	struct bch_nvm_pgalloc_recs *sys = malloc(sizeof(*sys));
	static const struct out_coldef cols[] = {
		{ "device", SCOLS_JSON_STRING, 0, NULL },
		{ "set_uuid", SCOLS_JSON_STRING, 0, NULL },
		{ "uuid", SCOLS_JSON_STRING, 0, NULL },
		{ "total_namespaces_nr", SCOLS_JSON_NUMBER, 0, NULL },
		{ "this_namespace_nr", SCOLS_JSON_NUMBER, 0, NULL },
		{ "page_size", SCOLS_JSON_NUMBER, 0, NULL },
		{ "pages_offset", SCOLS_JSON_NUMBER, 0, NULL },
		{ "pages_total", SCOLS_JSON_NUMBER, 0, NULL },
		{ "owner_list_head", SCOLS_JSON_STRING, 0, NULL },
		{ "csum", SCOLS_JSON_STRING, 0, NULL },
		{ "written", SCOLS_JSON_BOOLEAN, 0, NULL },
	};

	if (!olh || !sys || bch_nvm_format_build(&d->f, &sb, olh, sys)) {
		free(olh);
		free(sys);
		return;
	}
	bch_uuid_format(sb.set_uuid, su);
	bch_uuid_format(sb.uuid, u);
	tb = out_table(o, "namespaces");
	if (!scols_table_get_ncols(tb))
		for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
			out_column(o, tb, cols[i].name, cols[i].json_type, 0);
	if (o->json) {
		ln = scols_table_new_line(tb, NULL);
		out_cell(ln, 0, "%s", d->path);
		out_cell(ln, 1, "%s", su);
		out_cell(ln, 2, "%s", u);
		out_cell(ln, 3, "%u", sb.total_namespaces_nr);
		out_cell(ln, 4, "%u", sb.this_namespace_nr);
		out_cell(ln, 5, "%u", sb.page_size);
		out_cell(ln, 6, "%llu", (unsigned long long)sb.pages_offset);
		out_cell(ln, 7, "%llu", (unsigned long long)sb.pages_total);
		out_cell(ln, 8, "0x%llx", (unsigned long long)sb.owner_list_head);
		out_cell(ln, 9, "0x%016llx", (unsigned long long)sb.csum);
		out_cell(ln, 10, "%d", !mo->dry_run);
		out_emit(o, tb);
	} else {
		scols_unref_table(tb);
		printf("%s%s\n", mo->dry_run ? "would format " : "formatted ", d->path);
		printf("  type                 nvm-pages namespace (v7)\n");
		printf("  set_uuid             %s\n", su);
		printf("  uuid                 %s\n", u);
		printf("  total_namespaces_nr  %u\n", sb.total_namespaces_nr);
		printf("  this_namespace_nr    %u\n", sb.this_namespace_nr);
		printf("  page_size            %u\n", sb.page_size);
		printf("  pages_offset         %llu\n", (unsigned long long)sb.pages_offset);
		printf("  pages_total          %llu\n", (unsigned long long)sb.pages_total);
		printf("  owner_list_head      %llu\n", (unsigned long long)sb.owner_list_head);
	}
	report_signatures(o, mo, d);
	free(olh);
	free(sys);
}

static int cmd_make(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct make_opts o = { .cmd = cmd };
	struct make_dev dev[MAX_NVM];
	struct out out;
	int rc, first, i;

	rc = bch_parse(cmd, argc, argv, make_opt, &o, &first);
	if (rc)
		return rc;
	if (first < argc)
		return bch_usage_error(cmd, "unexpected operand '%s' (devices go after -M)",
				       argv[first]);
	if (!o.n_nvm)
		return bch_usage_error(cmd, "nothing to do: give at least one -M DEV");
	if (o.have_uuid && o.n_nvm > 1)
		return bch_usage_error(cmd, "--uuid names one namespace, but %d -M devices "
				       "were given", o.n_nvm);
	for (i = 0; i < o.n_nvm; i++)
		for (int j = 0; j < i; j++)
			if (!strcmp(o.nvm[i], o.nvm[j]))
				return bch_usage_error(cmd, "%s given twice", o.nvm[i]);
	if (!o.have_set_uuid)
		uuid_generate_random(o.set_uuid);

	memset(dev, 0, sizeof(dev));
	rc = BCH_EXIT_OK;
	for (i = 0; i < o.n_nvm && rc == BCH_EXIT_OK; i++) {
		dev[i].path = o.nvm[i];
		rc = prepare(&o, &dev[i]);
		if (rc)
			break;
		memcpy(dev[i].f.set_uuid, o.set_uuid, 16);
		if (o.have_uuid)
			memcpy(dev[i].f.uuid, o.uuid, 16);
		else
			uuid_generate_random(dev[i].f.uuid);
		dev[i].f.total_namespaces_nr = o.n_nvm;
		dev[i].f.this_namespace_nr = i;
		dev[i].f.device_bytes = dev[i].m->size;
		dev[i].f.page_size = 4096;
	}
	if (rc == BCH_EXIT_OK && o.n_nvm > 1)
		bch_warn("a set of %d namespaces: a v7 kernel registers only sets with "
			 "total_namespaces_nr = 1", o.n_nvm);

	out_init(&out, o.json);
	for (i = 0; i < o.n_nvm && (rc == BCH_EXIT_OK || o.dry_run); i++) {
		if (!dev[i].m)
			break;
		if (!o.dry_run) {
			int err = o.force ? wipe_outside(&dev[i]) : 0;

			if (!err)
				err = bch_nvm_format_write(dev[i].m, &dev[i].f, FORMAT_HOOK, NULL);
			if (err == -ECANCELED) {
				bch_err("%s: stopped by fault injection", dev[i].path);
				rc = BCH_EXIT_ERROR;
				break;
			}
			if (err) {
				bch_err("%s: write failed: %s", dev[i].path, strerror(-err));
				rc = BCH_EXIT_ERROR;
				break;
			}
		}
		report(&out, &o, &dev[i]);
		if (dev[i].refused)
			rc = BCH_EXIT_REFUSED;	/* --dry-run: go on reporting */
	}
	if ((rc == BCH_EXIT_OK || o.dry_run) && out_finish(&out))
		rc = BCH_EXIT_ERROR;
	for (i = 0; i < o.n_nvm; i++)
		bch_media_close(dev[i].m);
	return rc;
}

const struct bch_cmd bch_cmd_make = {
	.name = "make", .full = "make",
	.summary = "format nvm-pages namespaces",
	.usage = "-M DEV [-M DEV]...",
	.opts = make_opts_def,
	.run = cmd_make,
};
