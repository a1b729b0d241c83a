// SPDX-License-Identifier: GPL-2.0
/*
 * bcache make -M DEV...: format nvm-pages namespaces (bcache-nvm-pages(5),
 * FRESH NAMESPACE).
 * Every device is opened, sized and probed before anything is written, so a
 * refusal on any device leaves all of them unchanged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid.h>

#include <sys/ioctl.h>
#include <linux/fs.h>

#include <bcache/cache-sb.h>
#include <bcache/fields.h>
#include <bcache/media.h>
#include <bcache/nvm.h>
#include <bcache/probe.h>
#include <bcache/target.h>

#include "cmd.h"
#include "output.h"

OUT_CATALOGUE(BCH_COLS_MKBDEV, MB, mkbdev_cols);
OUT_CATALOGUE(BCH_COLS_MKSIG, MS, mksig_cols);
OUT_CATALOGUE(BCH_COLS_MKNS, MN, mkns_cols);

#define MAX_NVM 8	/* BCH_NVM_PAGES_NAMESPACES_MAX */
#define MAX_BDEV 8

enum { OPT_DEV_UUID = OPT__CMD_FIRST };
struct bdev_opts;

struct make_opts {
	const char *nvm[MAX_NVM];
	int n_nvm;
	uint8_t set_uuid[16];
	bool have_set_uuid;
	uint8_t uuid[16];
	bool have_uuid;
	bool force, dry_run, json;
	const struct bch_cmd *cmd;
	struct bdev_opts *bd;
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
	{ "cache", 'C', required_argument, "DEV",
	  "format DEV as a bcache cache device (with -M: nvdimm_meta)", "device" },
	{ "bdev", 'B', required_argument, "DEV", "format DEV as a bcache backing device",
	  "device" },
	{ "cset-uuid", OPT_CSET_UUID, required_argument, "UUID",
	  "cache set uuid of -C/-B devices (default: random; -M defaults to it)", "uuid" },
	{ "dev-uuid", OPT_DEV_UUID, required_argument, "UUID",
	  "device uuid of the one -C or -B device (default: random)", "uuid" },
	{ "bucket", OPT_BUCKET, required_argument, "SIZE",
	  "cache bucket size in bytes, k/M suffixes (default 512k)", NULL },
	{ "block", OPT_BLOCK, required_argument, "SIZE",
	  "block size in bytes, 512..4k (default: the device's logical block size)", NULL },
	{ "label", OPT_LABEL, required_argument, "LABEL", "label of -C/-B devices (32 bytes)",
	  NULL },
	{ "cache-mode", OPT_CACHE_MODE, required_argument, "MODE", "cache mode of -B devices",
	  "writethrough|writeback|writearound|none" },
	{ "writeback", OPT_WRITEBACK, no_argument, NULL, "same as --cache-mode writeback",
	  NULL },
	{ "data-offset", OPT_DATA_OFFSET, required_argument, "SECTORS",
	  "data offset of -B devices in sectors (default 16)", NULL },
	{ NULL },
};


/* -C / -B: bcache cache and backing devices (bcache-journal-format(5),
 * CACHE SUPERBLOCK). */
struct bdev_opts {
	const char *path[MAX_BDEV];
	bool backing[MAX_BDEV];
	int n;
	uint8_t cset_uuid[16], dev_uuid[16];
	bool have_cset_uuid, have_dev_uuid;
	uint64_t bucket_bytes, block_bytes, data_offset;
	const char *label;
	int cache_mode;
};

struct bdev_dev {
	struct bch_media *m;
	struct bch_signatures sigs;
	struct cache_sb_disk sb;
};

static int parse_uuid_arg(const struct bch_cmd *cmd, const char *opt,
			  const char *arg, uint8_t out[16]);

static int parse_size(const struct bch_cmd *cmd, const char *opt, const char *arg,
		      uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(arg, &end, 10);

	if (end == arg || arg[0] == '-')
		return bch_usage_error(cmd, "%s: invalid size '%s'", opt, arg);
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	if (*end || !v || v % 512 || v > (64ULL << 20))
		return bch_usage_error(cmd, "%s: '%s' is not a multiple of 512 bytes up to 64M",
				       opt, arg);
	*out = v;
	return 0;
}

static int bdev_opt(struct bdev_opts *b, const struct bch_cmd *cmd, int val, const char *arg)
{
	char *end;

	switch (val) {
	case 'C':
	case 'B':
		if (b->n == MAX_BDEV)
			return bch_usage_error(cmd, "at most %d -C/-B devices", MAX_BDEV);
		b->backing[b->n] = val == 'B';
		b->path[b->n++] = arg;
		return 0;
	case OPT_CSET_UUID:
		b->have_cset_uuid = true;
		return parse_uuid_arg(cmd, "--cset-uuid", arg, b->cset_uuid);
	case OPT_DEV_UUID:
		b->have_dev_uuid = true;
		return parse_uuid_arg(cmd, "--dev-uuid", arg, b->dev_uuid);
	case OPT_BUCKET:
		return parse_size(cmd, "--bucket", arg, &b->bucket_bytes);
	case OPT_BLOCK:
		return parse_size(cmd, "--block", arg, &b->block_bytes);
	case OPT_LABEL:
		if (strlen(arg) > SB_LABEL_SIZE)
			return bch_usage_error(cmd, "--label: longer than %d bytes", SB_LABEL_SIZE);
		b->label = arg;
		return 0;
	case OPT_CACHE_MODE:
		b->cache_mode = bch_cache_mode_parse(arg);
		if (b->cache_mode < 0)
			return bch_usage_error(cmd, "--cache-mode: unknown mode '%s'", arg);
		return 0;
	case OPT_WRITEBACK:
		b->cache_mode = BCH_CACHE_MODE_WRITEBACK;
		return 0;
	case OPT_DATA_OFFSET:
		b->data_offset = strtoull(arg, &end, 10);
		if (*end || end == arg || b->data_offset < BDEV_DATA_START_DEFAULT)
			return bch_usage_error(cmd, "--data-offset: need a sector count >= %d",
					       BDEV_DATA_START_DEFAULT);
		return 0;
	}
	return BCH_EXIT_USAGE;
}

static uint32_t logical_block(const struct bch_media *m)
{
	int lbs = 512;

	if (m->kind == BCH_MEDIA_BLOCK && ioctl(m->fd, BLKSSZGET, &lbs) < 0)
		lbs = 512;
	return (uint32_t)lbs;
}

/*
 * Refuse a device that is mounted, held by another driver (sysfs holders),
 * registered with bcache, or (devdax) open or mapped by another process.
 * --force does not override this.
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
	else if (u.opened)
		bch_err("%s: %s is open or mapped by process %d (%s); refusing", operand,
			path, u.pid, u.comm);
	else
		return BCH_EXIT_OK;
	return BCH_EXIT_REFUSED;
}

/* Signatures: refused without --force (--dry-run: noted, reported later). */
static int check_signatures(const struct make_opts *o, const char *path,
			    const struct bch_signatures *sigs, bool *refused)
{
	for (size_t i = 0; i < sigs->n; i++) {
		const struct bch_signature *s = &sigs->v[i];

		if (o->force) {
			if (!o->json)
				bch_warn("%s: %s signature at offset %llu will be %s", path,
					 s->type, (unsigned long long)s->offset,
					 o->dry_run ? "wiped (not now: --dry-run)" :
					 "overwritten");
			continue;
		}
		bch_err("%s: found %s %s signature at offset %llu; refusing to overwrite "
			"it (use --force)", path, s->type,
			!strcmp(s->usage, "other") ? "" : s->usage,
			(unsigned long long)s->offset);
		if (!o->dry_run)
			return BCH_EXIT_REFUSED;
		*refused = true;
	}
	if (sigs->dropped)
		bch_warn("%s: %zu more signatures not listed", path, sigs->dropped);
	return BCH_EXIT_OK;
}

/*
 * What every device of `make` goes through before anything is written: the
 * in-use checks, an exclusive open (read-write unless --dry-run), the
 * signature probe and its verdict.  Returns an exit code.
 */
static int open_checked(const struct make_opts *o, const char *path, struct bch_media **m,
			struct bch_signatures *sigs, bool *refused)
{
	unsigned int flags = BCH_MEDIA_EXCL | (o->dry_run ? 0 : BCH_MEDIA_WRITE);
	int rc = refuse_in_use(path);

	if (rc)
		return rc;
	rc = bch_media_open(path, flags, m);
	if (rc)
		return bch_open_error(path, rc);
	rc = bch_probe_signatures(*m, sigs);
	if (rc) {
		bch_err("%s: cannot probe for existing signatures: %s", path, strerror(-rc));
		return BCH_EXIT_ERROR;
	}
	return check_signatures(o, path, sigs, refused);
}


/* Open, probe and build the superblock of one -C/-B device; an exit code. */
static int bdev_prepare(const struct make_opts *o, const struct bdev_opts *b, int i,
			struct bdev_dev *d)
{
	struct bch_cache_sb_params p = { .backing = b->backing[i] };
	const char *path = b->path[i];
	bool refused = false;
	uint32_t lbs;
	int rc = open_checked(o, path, &d->m, &d->sigs, &refused);

	if (rc)
		return rc;
	if (refused)
		return BCH_EXIT_REFUSED;	/* --dry-run: the reason was printed */
	lbs = logical_block(d->m);
	memcpy(p.set_uuid, b->cset_uuid, 16);
	if (b->have_dev_uuid)
		memcpy(p.uuid, b->dev_uuid, 16);
	else
		uuid_generate_random(p.uuid);
	snprintf(p.label, sizeof(p.label), "%s", b->label ? b->label : "");
	p.block_size = (b->block_bytes ? b->block_bytes : lbs) / 512;
	p.bucket_size = (b->bucket_bytes ? b->bucket_bytes : 512 * 1024) / 512;
	p.dev_bytes = d->m->size;
	p.data_offset = b->data_offset;
	p.cache_mode = b->cache_mode;
	p.nvdimm_meta = !p.backing && o->n_nvm > 0;
	if (p.block_size * 512 < lbs) {
		bch_err("%s: block size %u is below the logical block size %u", path,
			p.block_size * 512, lbs);
		return BCH_EXIT_USAGE;
	}
	rc = bch_cache_sb_build(&p, &d->sb);
	if (rc == -ENOSPC) {
		bch_err("%s: device too small: %llu bytes give fewer than %d buckets (or no "
			"room after the data offset)", path, (unsigned long long)d->m->size,
			BCH_CACHE_SB_BUCKETS_MIN);
		return BCH_EXIT_REFUSED;
	}
	if (rc) {
		bch_err("%s: invalid geometry: block %u, bucket %u sectors (powers of two, "
			"block <= 8, bucket >= 8 and >= block)", path, p.block_size,
			p.bucket_size);
		return BCH_EXIT_USAGE;
	}
	/* the kernel's cache_alloc() needs roundup_pow_of_two(nbuckets) >> 10 > 0 */
	if (!p.backing && d->sb.nbuckets <= 512 && !o->json)
		bch_warn("%s: only %llu buckets: the kernel refuses to run a cache with 512 "
			 "buckets or fewer (\"nbuckets is too small\"); use a smaller --bucket",
			 path, (unsigned long long)d->sb.nbuckets);
	return BCH_EXIT_OK;
}

/* Zero [0, 4096), old signatures (with --force) and write the superblock page. */
static int bdev_write(struct bdev_dev *d)
{
	unsigned char *page = calloc(1, SB_SIZE);
	int rc = page ? 0 : -ENOMEM;

	for (size_t k = 0; k < d->sigs.n && !rc; k++)
		if (d->sigs.v[k].length && d->sigs.v[k].offset >= SB_OFFSET + SB_SIZE)
			rc = bch_media_zero(d->m, d->sigs.v[k].offset, d->sigs.v[k].length);
	if (!rc)
		rc = bch_media_zero(d->m, 0, SB_OFFSET);
	if (!rc) {
		memcpy(page, &d->sb, sizeof(d->sb));
		rc = bch_media_write(d->m, page, SB_SIZE, SB_OFFSET);
	}
	if (!rc)
		rc = bch_media_persist(d->m);
	free(page);
	return rc;
}

static void bdev_report(struct out *o, const struct make_opts *mo, const char *path,
			const struct bdev_dev *d)
{
	const struct cache_sb_disk *sb = &d->sb;
	bool backing = bch_cache_sb_version_is_backing(sb->version);
	char feat[64], u[37], su[37], label[SB_LABEL_SIZE + 1] = { 0 };
	struct out_table *t;

	bch_cache_features_text(BCH_FEAT_INCOMPAT, sb->feature_incompat, feat, sizeof(feat));
	bch_uuid_format(sb->uuid, u);
	bch_uuid_format(sb->set_uuid, su);
	memcpy(label, sb->label, SB_LABEL_SIZE);
	if (!o->json) {
		printf("%s%s\n", mo->dry_run ? "would format " : "formatted ", path);
		printf("  type                 bcache %s device, version %llu (%s)\n",
		       backing ? "backing" : "cache", (unsigned long long)sb->version,
		       bch_cache_sb_version_name(sb->version));
		printf("  uuid                 %s\n  set_uuid             %s\n", u, su);
		printf("  block_size           %u\n", sb->block_size);
		if (backing) {
			printf("  data_offset          %llu\n", (unsigned long long)sb->data_offset);
			printf("  cache_mode           %s\n",
			       bch_cache_mode_name(sb->flags & BDEV_CACHE_MODE_MASK));
			return;
		}
		printf("  bucket_size          %u\n", sb->bucket_size);
		printf("  nbuckets             %llu\n", (unsigned long long)sb->nbuckets);
		printf("  first_bucket         %u\n", sb->first_bucket);
		printf("  features             %s\n", *feat ? feat : "none");
		return;
	}
	out_device(o, path);
	t = out_table(o, "bcache_device", mkbdev_cols, MB_NCOLS, NULL, 0, OUT_T_OBJECT);
	if (!t)
		return;
	out_line(t, 0);
	out_str(t, MB_TYPE, backing ? "backing" : "cache");
	out_u64(t, MB_VERSION, sb->version);
	out_str(t, MB_UUID, u);
	out_str(t, MB_SET_UUID, su);
	out_str(t, MB_LABEL, label);
	out_u64(t, MB_BLOCK, sb->block_size);
	out_u64(t, MB_BUCKET, backing ? 0 : sb->bucket_size);
	out_u64(t, MB_NBUCKETS, backing ? 0 : sb->nbuckets);
	out_u64(t, MB_FIRST, sb->first_bucket);
	out_u64(t, MB_DOFF, backing ? sb->data_offset : 0);
	out_str(t, MB_MODE, backing ? bch_cache_mode_name(sb->flags & BDEV_CACHE_MODE_MASK) : "");
	out_hex(t, MB_INCOMPAT, sb->feature_incompat);
	out_hex16(t, MB_CSUM, sb->csum);
	out_bool(t, MB_WRITTEN, !mo->dry_run);
	out_emit(t);
	out_device_end(o);
}

/* Prepare every -C/-B device (nothing written); an exit code. */
static int bdev_prepare_all(const struct make_opts *o, struct bdev_dev *d)
{
	const struct bdev_opts *b = o->bd;
	int rc = BCH_EXIT_OK;

	if (b->have_dev_uuid && b->n > 1)
		return bch_usage_error(o->cmd, "--dev-uuid names one device, but %d -C/-B "
				       "devices were given", b->n);
	for (int i = 0; i < b->n; i++) {
		for (int j = 0; j < i; j++)
			if (!strcmp(b->path[i], b->path[j]))
				return bch_usage_error(o->cmd, "%s given twice", b->path[i]);
		for (int j = 0; j < o->n_nvm; j++)
			if (!strcmp(b->path[i], o->nvm[j]))
				return bch_usage_error(o->cmd, "%s given as -M and -C/-B",
						       b->path[i]);
	}
	for (int i = 0; i < b->n && rc == BCH_EXIT_OK; i++)
		rc = bdev_prepare(o, b, i, &d[i]);
	return rc;
}

static int bdev_write_all(const struct make_opts *o, struct bdev_dev *d, struct out *out)
{
	for (int i = 0; i < o->bd->n; i++) {
		int err = o->dry_run ? 0 : bdev_write(&d[i]);

		if (err) {
			bch_err("%s: write failed: %s", o->bd->path[i], strerror(-err));
			return BCH_EXIT_ERROR;
		}
		bdev_report(out, o, o->bd->path[i], &d[i]);
	}
	return BCH_EXIT_OK;
}

static void bdev_close_all(const struct make_opts *o, struct bdev_dev *d)
{
	for (int i = 0; i < o->bd->n; i++)
		bch_media_close(d[i].m);
}

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
	return bdev_opt(o->bd, o->cmd, val, arg);
}

/* Open, size and probe one device; returns an exit code. */
static int prepare(const struct make_opts *o, struct make_dev *d)
{
	int rc = open_checked(o, d->path, &d->m, &d->sigs, &d->refused);

	if (rc)
		return rc;
	if (d->m->size < BCH_NVM_MIN_DEVICE) {
		bch_err("%s: device too small: %llu bytes, need at least %llu "
			"(16 MiB metadata area + 1 page)", d->path,
			(unsigned long long)d->m->size, (unsigned long long)BCH_NVM_MIN_DEVICE);
		return BCH_EXIT_REFUSED;
	}
	if (d->m->size < BCH_NVM_WARN_DEVICE && !o->json)
		bch_warn("%s: smaller than 32 MiB: no order-12 block, so no journal region "
			 "of 16 MiB or more, can be allocated", d->path);
	return BCH_EXIT_OK;
}

#ifdef BCH_TEST_HOOKS
/* Test-only: BCACHE_TEST_FAULT_STEP=N stops the write after step N. */
static int fault_hook(enum bch_nvm_format_step step, void *arg)
{
	(void)arg;
	return bch_test_fault((int)step);
}
#define FORMAT_HOOK fault_hook
#else
#define FORMAT_HOOK NULL
#endif

/* The signatures found on a device, and what happens (or would) to them. */
static void report_signatures(struct out *o, const struct make_opts *mo,
			      const struct make_dev *d)
{
	struct out_table *t;

	for (size_t i = 0; i < d->sigs.n && !o->json; i++)
		printf("  signature            %s (%s) at offset %llu: %s\n", d->sigs.v[i].type,
		       d->sigs.v[i].usage, (unsigned long long)d->sigs.v[i].offset,
		       mo->force ? "wipe" : "refuse");
	if (!o->json)
		return;
	t = out_table(o, "signatures", mksig_cols, MS_NCOLS, NULL, 0, 0);
	if (!t)
		return;
	for (size_t i = 0; i < d->sigs.n; i++) {
		const struct bch_signature *s = &d->sigs.v[i];

		out_line(t, 0);
		out_str(t, MS_TYPE, s->type);
		out_str(t, MS_USAGE, s->usage);
		out_u64(t, MS_OFFSET, s->offset);
		out_u64(t, MS_LENGTH, s->length);
		out_str(t, MS_ACTION, mo->force ? "wipe" : "refuse");
	}
	out_emit(t);
}

static void report(struct out *o, const struct make_opts *mo, struct make_dev *d)
{
	char su[37], u[37];
	struct out_table *t;
	struct bch_nvm_pages_sb sb;
	struct bch_owner_list_head *olh = malloc(sizeof(*olh));
	struct bch_nvm_pgalloc_recs *sys = malloc(sizeof(*sys));
	char size[24];

	if (!olh || !sys || bch_nvm_format_build(&d->f, &sb, olh, sys)) {
		free(olh);
		free(sys);
		return;
	}
	bch_uuid_format(sb.set_uuid, su);
	bch_uuid_format(sb.uuid, u);
	out_device(o, d->path);
	if (o->json) {
		t = out_table(o, "namespace", mkns_cols, MN_NCOLS, NULL, 0, OUT_T_OBJECT);
		if (t) {
			out_line(t, 0);
			out_str(t, MN_SET_UUID, su);
			out_str(t, MN_UUID, u);
			out_u64(t, MN_TOTAL_NR, sb.total_namespaces_nr);
			out_u64(t, MN_THIS_NR, sb.this_namespace_nr);
			out_u64(t, MN_PAGE_SIZE, sb.page_size);
			out_u64(t, MN_PAGES_OFFSET, sb.pages_offset);
			out_u64(t, MN_PAGES_TOTAL, sb.pages_total);
			out_u64(t, MN_SIZE, sb.pages_total * sb.page_size);
			out_hex(t, MN_OLH, sb.owner_list_head);
			out_hex16(t, MN_CSUM, sb.csum);
			out_bool(t, MN_WRITTEN, !mo->dry_run);
			out_emit(t);
		}
	} else {
		out_size_text(size, sizeof(size), sb.pages_total * sb.page_size);
		printf("%s%s\n", mo->dry_run ? "would format " : "formatted ", d->path);
		printf("  type                 nvm-pages namespace (v7)\n");
		printf("  set_uuid             %s\n", su);
		printf("  uuid                 %s\n", u);
		printf("  total_namespaces_nr  %u\n", sb.total_namespaces_nr);
		printf("  this_namespace_nr    %u\n", sb.this_namespace_nr);
		printf("  page_size            %u\n", sb.page_size);
		printf("  pages_offset         %llu\n", (unsigned long long)sb.pages_offset);
		printf("  pages_total          %llu (%s)\n", (unsigned long long)sb.pages_total,
		       size);
		printf("  owner_list_head      0x%llx\n", (unsigned long long)sb.owner_list_head);
	}
	report_signatures(o, mo, d);
	out_device_end(o);
	free(olh);
	free(sys);
}

static int cmd_make(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct bdev_opts bd = { .cache_mode = BCH_CACHE_MODE_WRITETHROUGH };
	struct make_opts o = { .cmd = cmd, .bd = &bd };
	struct make_dev dev[MAX_NVM];
	struct bdev_dev bdev[MAX_BDEV];
	struct out out;
	int rc, first, i;

	rc = bch_parse(cmd, argc, argv, make_opt, &o, &first);
	if (rc)
		return rc;
	if (first < argc)
		return bch_usage_error(cmd, "unexpected operand '%s' (devices go after -M)",
				       argv[first]);
	if (!o.n_nvm && !bd.n)
		return bch_usage_error(cmd, "nothing to do: give at least one -M, -C or -B DEV");
	if (o.have_uuid && o.n_nvm > 1)
		return bch_usage_error(cmd, "--uuid names one namespace, but %d -M devices "
				       "were given", o.n_nvm);
	for (i = 0; i < o.n_nvm; i++)
		for (int j = 0; j < i; j++)
			if (!strcmp(o.nvm[i], o.nvm[j]))
				return bch_usage_error(cmd, "%s given twice", o.nvm[i]);
	if (!bd.have_cset_uuid)
		uuid_generate_random(bd.cset_uuid);
	if (!o.have_set_uuid && bd.n)
		memcpy(o.set_uuid, bd.cset_uuid, 16);
	else if (!o.have_set_uuid)
		uuid_generate_random(o.set_uuid);

	memset(dev, 0, sizeof(dev));
	memset(bdev, 0, sizeof(bdev));
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
	if (rc == BCH_EXIT_OK)
		rc = bdev_prepare_all(&o, bdev);
	if (rc == BCH_EXIT_OK && o.n_nvm > 1)
		bch_warn("a set of %d namespaces: a v7 kernel registers only sets with "
			 "total_namespaces_nr = 1", o.n_nvm);

	out_init(&out, o.json);
	for (i = 0; i < o.n_nvm && (rc == BCH_EXIT_OK || o.dry_run); i++) {
		if (!dev[i].m)
			break;
		if (!o.dry_run) {
			/* --force: erase old signatures first, as wipefs -a would */
			int err = o.force && dev[i].sigs.n ? bch_probe_wipe_all(dev[i].m, 8) : 0;

			if (err > 0)
				err = 0;
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
	if (rc == BCH_EXIT_OK)
		rc = bdev_write_all(&o, bdev, &out);
	if ((rc == BCH_EXIT_OK || o.dry_run) && out_finish(&out))
		rc = BCH_EXIT_ERROR;
	for (i = 0; i < o.n_nvm; i++)
		bch_media_close(dev[i].m);
	bdev_close_all(&o, bdev);
	return rc;
}

const struct bch_cmd bch_cmd_make = {
	.name = "make", .full = "make",
	.summary = "format nvm-pages namespaces and bcache devices",
	.usage = "[-M DEV]... [-C DEV]... [-B DEV]...",
	.opts = make_opts_def,
	.run = cmd_make,
};
