// SPDX-License-Identifier: GPL-2.0
/*
 * bcache make -M DEV...: format nvm-pages namespaces (bcache-nvm-pages(5),
 * FRESH NAMESPACE).
 * Every device is opened, sized and probed before anything is written, so a
 * refusal on any device leaves all of them unchanged.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid.h>

#include <sys/stat.h>

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

enum {
	OPT_DEV_UUID = OPT__CMD_FIRST,
	OPT_NVDIMM_META,
	OPT_MDEV,
	OPT_DATA_OFFSET_US,
	OPT_DISCARD,
	OPT_REPLACEMENT,
	OPT_REPLACEMENT_DASH,
	OPT_WIPE_BCACHE,
	OPT_REVISION,
	OPT_CSET_UUID_SHORT = 'u',
};
struct bdev_opts;

/* Options given, for the check that each has an effect on the devices given. */
enum {
	SEEN_LABEL = 1 << 0,
	SEEN_CACHE_MODE = 1 << 1,
	SEEN_DATA_OFFSET = 1 << 2,
	SEEN_BUCKET = 1 << 3,
	SEEN_BLOCK = 1 << 4,
	SEEN_DISCARD = 1 << 5,
	SEEN_REPLACEMENT = 1 << 6,
	SEEN_CSET_UUID = 1 << 7,
	SEEN_DEV_UUID = 1 << 8,
	SEEN_SET_UUID = 1 << 9,
	SEEN_UUID = 1 << 10,
	SEEN_REVISION = 1 << 11,
};

struct make_opts {
	const char *nvm[MAX_NVM];
	unsigned int n_nvm;
	uint8_t set_uuid[16];
	bool have_set_uuid;
	uint8_t uuid[16];
	bool have_uuid;
	bool force, dry_run, json, wipe_bcache;
	int mode;		/* 'M', 'C', 'B': what the next operand is; 0 none yet */
	unsigned int seen;	/* SEEN_* */
	enum bch_nvm_revision revision;	/* --revision: V7 or V12 (nvmpg) */
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
	{ "nvm", 'M', optional_argument, "DEV...",
	  "format the DEVs that follow as nvm-pages namespaces (one set)", "device" },
	{ "nvdimm-meta", OPT_NVDIMM_META, optional_argument, "DEV...", "same as -M",
	  "device" },
	{ "mdev", OPT_MDEV, optional_argument, "DEV...", "same as -M", "device" },
	{ "set-uuid", OPT_SET_UUID, required_argument, "UUID",
	  "the set uuid shared by all -M namespaces (default: random)", "uuid" },
	{ "uuid", OPT_UUID, required_argument, "UUID",
	  "the namespace uuid (only with a single -M)", "uuid" },
	{ "revision", OPT_REVISION, required_argument, "REV",
	  "nvm-pages revision of -M: v7 (default) or v13 (nvmpg, as the v13-era formatter "
	  "writes it)", "v7|v13" },
	{ "force", 'f', no_argument, NULL,
	  "overwrite existing signatures and superblocks", NULL },
	{ "wipe-bcache", OPT_WIPE_BCACHE, no_argument, NULL,
	  "overwrite an existing bcache or nvm-pages superblock (no other signature)", NULL },
	{ "dry-run", 'n', no_argument, NULL,
	  "check and report what would be written, write nothing", NULL },
	{ "json", 'J', no_argument, NULL, "print the result as JSON", NULL },
	{ "cache", 'C', optional_argument, "DEV...",
	  "format the DEVs that follow as bcache cache devices (with -M: nvdimm_meta)",
	  "device" },
	{ "bdev", 'B', optional_argument, "DEV...",
	  "format the DEVs that follow as bcache backing devices", "device" },
	{ "cset-uuid", OPT_CSET_UUID_SHORT, required_argument, "UUID",
	  "cache set uuid of -C/-B devices (default: random; -M defaults to it)", "uuid" },
	{ "dev-uuid", OPT_DEV_UUID, required_argument, "UUID",
	  "device uuid of the one -C or -B device (default: random)", "uuid" },
	{ "bucket", 'b', required_argument, "SIZE",
	  "cache bucket size in bytes, a power of two, k/M/G/T suffixes (default 512k)",
	  NULL },
	{ "block", 'w', required_argument, "SIZE",
	  "block size in bytes, 512..4k (default: the largest logical block size)", NULL },
	{ "label", 'l', required_argument, "LABEL", "label of -C/-B devices (32 bytes)",
	  NULL },
	{ "cache-mode", OPT_CACHE_MODE, required_argument, "MODE", "cache mode of -B devices",
	  "writethrough|writeback|writearound|none" },
	{ "writeback", OPT_WRITEBACK, no_argument, NULL, "same as --cache-mode writeback",
	  NULL },
	{ "data-offset", 'o', required_argument, "SECTORS",
	  "data offset of -B devices in sectors (default 16)", NULL },
	{ "data_offset", OPT_DATA_OFFSET_US, required_argument, "SECTORS",
	  "same as --data-offset", NULL },
	{ "discard", OPT_DISCARD, no_argument, NULL,
	  "-C: discard the whole device and set the discard flag", NULL },
	{ "cache_replacement_policy", OPT_REPLACEMENT, required_argument, "POLICY",
	  "-C: bucket replacement policy (default lru)", "lru|fifo|random" },
	{ "cache-replacement-policy", OPT_REPLACEMENT_DASH, required_argument, "POLICY",
	  "same as --cache_replacement_policy", "lru|fifo|random" },
	{ NULL },
};


/* -C / -B: bcache cache and backing devices (bcache-journal-format(5),
 * CACHE SUPERBLOCK). */
struct bdev_opts {
	const char *path[MAX_BDEV];
	bool backing[MAX_BDEV];
	int n, n_cache;
	uint8_t cset_uuid[16], dev_uuid[16];
	bool have_cset_uuid, have_dev_uuid;
	uint64_t bucket_bytes, block_bytes, data_offset;
	const char *label;
	unsigned int cache_mode;	/* enum: bch_cache_mode_parse() */
	bool discard;
	unsigned int replacement;
};

struct bdev_dev {
	struct bch_media *m;
	struct bch_signatures sigs;
	struct cache_sb_disk sb;
};

static int parse_uuid_arg(const struct bch_cmd *cmd, const char *opt,
			  const char *arg, uint8_t out[16]);

/*
 * A size in bytes with an optional k/M/G/T suffix (powers of 1024), a power
 * of two from 512 up to max bytes.
 */
static int parse_size(const struct bch_cmd *cmd, const char *opt, const char *arg,
		      uint64_t max, uint64_t *out)
{
	static const char suffix[] = "kmgt";
	const char *sfx;
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (end == arg || arg[0] == '-' || errno)
		return bch_usage_error(cmd, "%s: invalid size '%s'", opt, arg);
	if (*end && (sfx = strchr(suffix, *end | 0x20))) {
		for (long i = 0; i <= sfx - suffix; i++) {
			if (v > UINT64_MAX / 1024)
				return bch_usage_error(cmd, "%s: '%s' is too large", opt, arg);
			v *= 1024;
		}
		end++;
	}
	if (*end)
		return bch_usage_error(cmd, "%s: invalid size '%s' (bytes, or a k, M, G or T "
				       "suffix)", opt, arg);
	if (v < 512 || (v & (v - 1)))
		return bch_usage_error(cmd, "%s: %s is not a power of two of at least 512 "
				       "bytes", opt, arg);
	if (v > max)
		return bch_usage_error(cmd, "%s: %s is more than the superblock holds "
				       "(%llu bytes)", opt, arg, (unsigned long long)max);
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
		b->n_cache += val == 'C';
		b->path[b->n++] = arg;
		return 0;
	case OPT_CSET_UUID_SHORT:
		b->have_cset_uuid = true;
		return parse_uuid_arg(cmd, "--cset-uuid", arg, b->cset_uuid);
	case OPT_DEV_UUID:
		b->have_dev_uuid = true;
		return parse_uuid_arg(cmd, "--dev-uuid", arg, b->dev_uuid);
	case 'b':
		/* a large bucket is stored as log2 (incompat large_bucket) */
		return parse_size(cmd, "--bucket", arg, BCH_CACHE_BUCKET_MAX_SECTORS * 512,
				  &b->bucket_bytes);
	case 'w':
		/* the kernel's limit: a block is at most a page */
		return parse_size(cmd, "--block", arg, 4096, &b->block_bytes);
	case 'l':
		if (strlen(arg) > SB_LABEL_SIZE)
			return bch_usage_error(cmd, "--label: longer than %d bytes", SB_LABEL_SIZE);
		b->label = arg;
		return 0;
	case OPT_CACHE_MODE: {
		int mode = bch_cache_mode_parse(arg);

		if (mode < 0)
			return bch_usage_error(cmd, "--cache-mode: unknown mode '%s'", arg);
		b->cache_mode = (unsigned int)mode;
		return 0;
	}
	case OPT_WRITEBACK:
		b->cache_mode = BCH_CACHE_MODE_WRITEBACK;
		return 0;
	case 'o':
	case OPT_DATA_OFFSET_US:
		errno = 0;
		b->data_offset = strtoull(arg, &end, 10);
		if (*end || end == arg || arg[0] == '-' || errno ||
		    b->data_offset < BDEV_DATA_START_DEFAULT)
			return bch_usage_error(cmd, "--data-offset: need a sector count >= %d",
					       BDEV_DATA_START_DEFAULT);
		return 0;
	case OPT_DISCARD:
		b->discard = true;
		return 0;
	case OPT_REPLACEMENT:
	case OPT_REPLACEMENT_DASH:
	{
		int policy = bch_cache_replacement_parse(arg);

		if (policy < 0)
			return bch_usage_error(cmd, "--cache_replacement_policy: '%s' is not lru, "
					       "fifo or random", arg);
		b->replacement = (unsigned int)policy;
		return 0;
	}
	}
	return BCH_EXIT_USAGE;
}

/*
 * The block size a device needs: a block device's logical block size, an
 * image file's st_blksize as make-bcache takes it (at most a page, the
 * kernel's limit).
 */
static uint32_t logical_block(const struct bch_media *m)
{
	struct stat st;

	if (m->kind == BCH_MEDIA_FILE && !fstat(m->fd, &st) && st.st_blksize > 512)
		return st.st_blksize > 4096 ? 4096 : (uint32_t)st.st_blksize;
	return m->logical_block;
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

/* A bcache or nvm-pages superblock: what --wipe-bcache lets make overwrite. */
static bool is_bcache_sig(const struct bch_signature *s)
{
	return !strcmp(s->type, "bcache") || !strncmp(s->type, "nvm-pages", 9);
}

/*
 * Signatures: refused without --force, bcache's own with --wipe-bcache
 * (--dry-run: noted, reported later).
 */
static int check_signatures(const struct make_opts *o, const char *path,
			    const struct bch_signatures *sigs, bool *refused)
{
	for (size_t i = 0; i < sigs->n; i++) {
		const struct bch_signature *s = &sigs->v[i];

		if (o->force || (o->wipe_bcache && is_bcache_sig(s))) {
			if (!o->json)
				bch_warn("%s: %s signature at offset %llu will be %s", path,
					 s->type, (unsigned long long)s->offset,
					 o->dry_run ? "wiped (not now: --dry-run)" :
					 "overwritten");
			continue;
		}
		bch_err("%s: found %s%s%s signature at offset %llu; refusing to overwrite "
			"it (use %s)", path, s->type,
			!*s->usage || !strcmp(s->usage, "other") ? "" : " ",
			!*s->usage || !strcmp(s->usage, "other") ? "" : s->usage,
			(unsigned long long)s->offset, is_bcache_sig(s) ?
			"--wipe-bcache or --force" : "--force");
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
		return bch_fail(path, rc, "cannot probe for existing signatures");
	}
	return check_signatures(o, path, sigs, refused);
}


/* Build the superblock of one opened -C/-B device; an exit code. */
static int bdev_build(const struct make_opts *o, const struct bdev_opts *b, int i,
		      uint32_t block_bytes, struct bdev_dev *d)
{
	struct bch_cache_sb_params p = { .backing = b->backing[i] };
	const char *path = b->path[i];
	/* an image file's st_blksize is a default, not a limit */
	uint32_t lbs = d->m->logical_block;
	int rc;

	memcpy(p.set_uuid, b->cset_uuid, 16);
	if (b->have_dev_uuid)
		memcpy(p.uuid, b->dev_uuid, 16);
	else
		uuid_generate_random(p.uuid);
	snprintf(p.label, sizeof(p.label), "%s", b->label ? b->label : "");
	p.block_size = block_bytes / 512;
	p.bucket_size = (b->bucket_bytes ? b->bucket_bytes : 512 * 1024) / 512;
	p.dev_bytes = d->m->size;
	p.data_offset = b->data_offset;
	p.cache_mode = b->cache_mode;
	p.discard = b->discard;
	p.replacement = b->replacement;
	p.nvdimm_meta = !p.backing && o->n_nvm > 0;
	if (p.block_size * 512 < lbs) {
		bch_err("%s: block size %llu is below the logical block size %u", path,
			(unsigned long long)p.block_size * 512, lbs);
		return BCH_EXIT_USAGE;
	}
	if (!p.backing && p.bucket_size < p.block_size) {
		bch_err("%s: bucket size %llu bytes is below the block size %llu", path,
			(unsigned long long)p.bucket_size * 512,
			(unsigned long long)p.block_size * 512);
		return BCH_EXIT_USAGE;
	}
	rc = bch_cache_sb_build(&p, &d->sb);
	if (rc == -ENOSPC) {
		bch_err("%s: device too small: %llu bytes give fewer than %d buckets of %llu "
			"bytes (or no room after the data offset)", path,
			(unsigned long long)d->m->size, BCH_CACHE_SB_BUCKETS_MIN,
			(unsigned long long)p.bucket_size * 512);
		return BCH_EXIT_REFUSED;
	}
	if (rc) {
		bch_err("%s: invalid geometry: block %llu, bucket %llu sectors (powers of two, "
			"block <= 8, bucket >= 8 and >= block)", path,
			(unsigned long long)p.block_size, (unsigned long long)p.bucket_size);
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

	/* --discard: the whole cache device first, as make-bcache does */
	if (!rc && (d->sb.flags & (1ULL << CACHE_DISCARD_BIT)) &&
	    !bch_cache_sb_version_is_backing(d->sb.version)) {
		rc = bch_media_discard(d->m);
		if (rc == -EOPNOTSUPP) {
			bch_warn("%s: the device does not discard; the discard flag is set "
				 "all the same", d->m->path);
			rc = 0;
		}
	}

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

OUT_CATALOGUE(BCH_COLS_FIELDS, FV, field_cols);

/*
 * Text: "formatted DEV" (or "would format DEV") and the KEY VALUE rows of a
 * report table, through the same table path as every other command.
 */
static struct out_table *text_report(struct out *o, const struct make_opts *mo,
				     const char *path)
{
	out_title(o, "%s%s", mo->dry_run ? "would format " : "formatted ", path);
	return out_table(o, "report", field_cols, FV_NCOLS, NULL, 0,
			 OUT_T_NOTITLE | OUT_T_NOHEADINGS);
}

static void text_kv(struct out_table *t, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void text_kv(struct out_table *t, const char *key, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	out_line(t, 0);
	out_str(t, FV_FIELD, key);
	out_str(t, FV_VALUE, buf);
}

/* What was (or would be) written on a -C/-B device; 0 or -errno from the output. */
static int bdev_report(struct out *o, const struct make_opts *mo, const char *path,
		       const struct bdev_dev *d)
{
	const struct cache_sb_disk *sb = &d->sb;
	bool backing = bch_cache_sb_version_is_backing(sb->version);
	char feat[64], u[37], su[37], label[SB_LABEL_SIZE + 1] = { 0 };
	struct out_table *t;
	int rc;

	bch_cache_features_text(BCH_FEAT_INCOMPAT, sb->feature_incompat, feat, sizeof(feat));
	bch_uuid_format(sb->uuid, u);
	bch_uuid_format(sb->set_uuid, su);
	memcpy(label, sb->label, SB_LABEL_SIZE);
	if (!o->json) {
		t = text_report(o, mo, path);
		if (!t)
			return -ENOMEM;
		text_kv(t, "type", "bcache %s device, version %llu (%s)",
			backing ? "backing" : "cache", (unsigned long long)sb->version,
			bch_cache_sb_version_name(sb->version));
		text_kv(t, "uuid", "%s", u);
		text_kv(t, "set_uuid", "%s", su);
		text_kv(t, "label", "%s", *label ? label : "(empty)");
		text_kv(t, "block_size", "%u", sb->block_size);
		if (backing) {
			text_kv(t, "data_offset", "%llu", (unsigned long long)sb->data_offset);
			text_kv(t, "cache_mode", "%s",
				bch_cache_mode_name(sb->flags & BDEV_CACHE_MODE_MASK));
			return out_emit(t);
		}
		text_kv(t, "bucket_size", "%llu%s",
			(unsigned long long)bch_cache_sb_bucket_sectors(sb),
			sb->feature_incompat & BCH_FEATURE_INCOMPAT_LOG_LARGE_BUCKET_SIZE ?
			" (stored as log2)" : "");
		text_kv(t, "nbuckets", "%llu", (unsigned long long)sb->nbuckets);
		text_kv(t, "first_bucket", "%u", sb->first_bucket);
		text_kv(t, "replacement", "%s", bch_cache_replacement_name(
			(sb->flags >> CACHE_REPLACEMENT_SHIFT) & CACHE_REPLACEMENT_MASK));
		text_kv(t, "discard", "%s", sb->flags & (1ULL << CACHE_DISCARD_BIT) ? "yes" : "no");
		text_kv(t, "features", "%s", *feat ? feat : "none");
		return out_emit(t);
	}
	out_device(o, path);
	t = out_table(o, "bcache_device", mkbdev_cols, MB_NCOLS, NULL, 0, OUT_T_OBJECT);
	if (!t)
		return -ENOMEM;
	rc = out_line(t, 0);
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
	out_u64(t, MB_BSECTORS, backing ? 0 : bch_cache_sb_bucket_sectors(sb));
	out_str(t, MB_REPLACEMENT, backing ? "" : bch_cache_replacement_name(
		(sb->flags >> CACHE_REPLACEMENT_SHIFT) & CACHE_REPLACEMENT_MASK));
	out_bool(t, MB_DISCARD, !backing && (sb->flags & (1ULL << CACHE_DISCARD_BIT)));
	if (rc) {
		out_table_free(t);
		return rc;
	}
	rc = out_emit(t);
	out_device_end(o);
	return rc;
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
		for (unsigned int j = 0; j < o->n_nvm; j++)
			if (!strcmp(b->path[i], o->nvm[j]))
				return bch_usage_error(o->cmd, "%s given as -M and -C/-B",
						       b->path[i]);
	}
	uint32_t block = (uint32_t)b->block_bytes;

	/* open and probe all; the default block size is the largest one needed */
	for (int i = 0; i < b->n && rc == BCH_EXIT_OK; i++) {
		bool refused = false;

		rc = open_checked(o, b->path[i], &d[i].m, &d[i].sigs, &refused);
		if (!rc && refused)
			rc = BCH_EXIT_REFUSED;	/* --dry-run: the reason was printed */
		if (!rc && !b->block_bytes && logical_block(d[i].m) > block)
			block = logical_block(d[i].m);
	}
	if (!block)
		block = 512;
	for (int i = 0; i < b->n && rc == BCH_EXIT_OK; i++)
		rc = bdev_build(o, b, i, block, &d[i]);
	return rc;
}

static int bdev_write_all(const struct make_opts *o, struct bdev_dev *d, struct out *out)
{
	for (int i = 0; i < o->bd->n; i++) {
		int err = o->dry_run ? 0 : bdev_write(&d[i]);

		if (err)
			return bch_fail(o->bd->path[i], err, "write failed");
		err = bdev_report(out, o, o->bd->path[i], &d[i]);
		if (err)
			return bch_fail(o->bd->path[i], err, "output failed");
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

/* The SEEN_* bit of an option (0: none). */
static unsigned int seen_bit(int val)
{
	switch (val) {
	case 'l': return SEEN_LABEL;
	case OPT_CACHE_MODE: case OPT_WRITEBACK: return SEEN_CACHE_MODE;
	case 'o': case OPT_DATA_OFFSET_US: return SEEN_DATA_OFFSET;
	case 'b': return SEEN_BUCKET;
	case 'w': return SEEN_BLOCK;
	case OPT_DISCARD: return SEEN_DISCARD;
	case OPT_REPLACEMENT: case OPT_REPLACEMENT_DASH: return SEEN_REPLACEMENT;
	case OPT_CSET_UUID_SHORT: return SEEN_CSET_UUID;
	case OPT_DEV_UUID: return SEEN_DEV_UUID;
	case OPT_SET_UUID: return SEEN_SET_UUID;
	case OPT_UUID: return SEEN_UUID;
	case OPT_REVISION: return SEEN_REVISION;
	}
	return 0;
}

static int make_opt(int val, const char *arg, void *ctx)
{
	struct make_opts *o = ctx;

	o->seen |= seen_bit(val);
	if (val == OPT_NVDIMM_META || val == OPT_MDEV)
		val = 'M';
	if (val == 'M' || val == 'C' || val == 'B') {
		o->mode = val;		/* "-C DEV..." as make-bcache; "-CDEV", "--cache=DEV" */
		if (!arg)
			return 0;
	}
	if (val == 1) {			/* an operand: a device of the last -M, -C or -B */
		if (!o->mode)
			return bch_usage_error(o->cmd, "'%s': say what to make of it first (-C, "
					       "-B or -M before the device)", arg);
		val = o->mode;
	}
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
	case OPT_WIPE_BCACHE:
		o->wipe_bcache = true;
		return 0;
	case OPT_REVISION:
		if (!strcmp(arg, "v7"))
			o->revision = BCH_NVM_REV_V7;
		else if (!strcmp(arg, "v13") || !strcmp(arg, "v12") || !strcmp(arg, "nvmpg"))
			o->revision = BCH_NVM_REV_V12;
		else
			return bch_usage_error(o->cmd, "--revision: '%s' is not v7 or v13", arg);
		return 0;
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

/*
 * An option that does nothing to the devices given is a usage error naming
 * why (make-bcache ignores them silently).
 */
static int check_effect(const struct make_opts *o)
{
	const struct bdev_opts *b = o->bd;
	int n_bdev = b->n - b->n_cache;
	static const struct {
		unsigned int bit;
		int need;	/* 'C', 'B', 'X' (-C or -B), 'M' */
		const char *msg;
	} rules[] = {
		{ SEEN_LABEL, 'X', "--label applies to -C and -B devices (a namespace has no "
		  "label)" },
		{ SEEN_BLOCK, 'X', "--block applies to -C and -B devices" },
		{ SEEN_CSET_UUID, 'X', "--cset-uuid applies to -C and -B devices (a namespace "
		  "set takes --set-uuid)" },
		{ SEEN_DEV_UUID, 'X', "--dev-uuid applies to a -C or -B device" },
		{ SEEN_CACHE_MODE, 'B', "--cache-mode and --writeback apply to backing devices "
		  "(-B) only" },
		{ SEEN_DATA_OFFSET, 'B', "--data-offset applies to backing devices (-B) only" },
		{ SEEN_BUCKET, 'C', "--bucket applies to cache devices (-C) only (a backing "
		  "device has no buckets)" },
		{ SEEN_DISCARD, 'C', "--discard applies to cache devices (-C) only" },
		{ SEEN_REPLACEMENT, 'C', "--cache_replacement_policy applies to cache devices "
		  "(-C) only" },
		{ SEEN_SET_UUID, 'M', "--set-uuid applies to -M namespaces (-C and -B take "
		  "--cset-uuid)" },
		{ SEEN_UUID, 'M', "--uuid applies to a -M namespace (-C and -B take --dev-uuid)" },
		{ SEEN_REVISION, 'M', "--revision applies to -M namespaces" },
	};

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		bool have = rules[i].need == 'C' ? b->n_cache > 0 :
			    rules[i].need == 'B' ? n_bdev > 0 :
			    rules[i].need == 'X' ? b->n > 0 : o->n_nvm > 0;

		if ((o->seen & rules[i].bit) && !have)
			return bch_usage_error(o->cmd, "%s; it has no effect here", rules[i].msg);
	}
	if (b->discard && o->n_nvm)
		return bch_usage_error(o->cmd, "--discard with -M: a cache device whose journal "
				       "is on NVDIMM must not discard (the kernel would BUG on "
				       "journal reclaim)");
	if (b->n_cache > 1)
		return bch_usage_error(o->cmd, "%d cache devices: a cache set has one cache "
				       "device (the kernel refuses a second as a 'duplicate cache "
				       "set member'); give one -C and any number of -B",
				       b->n_cache);
	return BCH_EXIT_OK;
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
static int report_signatures(struct out *o, const struct make_opts *mo,
			     const struct make_dev *d, struct out_table *text)
{
	struct out_table *t;

	for (size_t i = 0; i < d->sigs.n && text; i++)
		text_kv(text, "signature", "%s (%s) at offset %llu: %s", d->sigs.v[i].type,
			d->sigs.v[i].usage, (unsigned long long)d->sigs.v[i].offset,
			mo->force ? "wipe" : "refuse");
	if (!o->json)
		return 0;
	t = out_table(o, "signatures", mksig_cols, MS_NCOLS, NULL, 0, 0);
	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < d->sigs.n; i++) {
		const struct bch_signature *s = &d->sigs.v[i];

		out_line(t, 0);
		out_str(t, MS_TYPE, s->type);
		out_str(t, MS_USAGE, s->usage);
		out_u64(t, MS_OFFSET, s->offset);
		out_u64(t, MS_LENGTH, s->length);
		out_str(t, MS_ACTION, mo->force ? "wipe" : "refuse");
	}
	return out_emit(t);
}

/* What was (or would be) written on a -M device; 0 or -errno from the output. */
static int report(struct out *o, const struct make_opts *mo, struct make_dev *d)
{
	char su[37], u[37];
	struct out_table *t;
	struct bch_nvm_pages_sb sb;
	struct bch_owner_list_head *olh = malloc(sizeof(*olh));
	struct bch_nvm_pgalloc_recs *sys = malloc(sizeof(*sys));
	char size[24];
	struct out_table *text = NULL;	/* text: the report */
	int rc = !olh || !sys ? -ENOMEM : bch_nvm_format_build(&d->f, &sb, olh, sys);

	if (rc) {
		free(olh);
		free(sys);
		return rc;
	}
	bch_uuid_format(sb.set_uuid, su);
	bch_uuid_format(sb.uuid, u);
	out_device(o, d->path);
	if (o->json) {
		t = out_table(o, "namespace", mkns_cols, MN_NCOLS, NULL, 0, OUT_T_OBJECT);
		if (!t) {
			rc = -ENOMEM;
			goto out;
		}
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
		out_str(t, MN_REVISION, bch_nvm_layout_of(d->f.revision)->name);
		out_bool(t, MN_WRITTEN, !mo->dry_run);
		rc = out_emit(t);
	} else {
		out_size_text(size, sizeof(size), sb.pages_total * sb.page_size);
		text = text_report(o, mo, d->path);
		if (!text) {
			rc = -ENOMEM;
			goto out;
		}
		text_kv(text, "type", "nvm-pages namespace (%s)",
			bch_nvm_layout_of(d->f.revision)->name);
		text_kv(text, "set_uuid", "%s", su);
		text_kv(text, "uuid", "%s", u);
		text_kv(text, "total_namespaces_nr", "%u", sb.total_namespaces_nr);
		text_kv(text, "this_namespace_nr", "%u", sb.this_namespace_nr);
		text_kv(text, "page_size", "%u", sb.page_size);
		text_kv(text, "pages_offset", "%llu", (unsigned long long)sb.pages_offset);
		text_kv(text, "pages_total", "%llu (%s)", (unsigned long long)sb.pages_total, size);
		text_kv(text, d->f.revision == BCH_NVM_REV_V12 ? "set_header_offset" :
			"owner_list_head", "0x%llx", (unsigned long long)sb.owner_list_head);
	}
	if (!rc)
		rc = report_signatures(o, mo, d, text);
	if (text)
		rc = rc ? (out_table_free(text), rc) : out_emit(text);
	out_device_end(o);
out:
	free(olh);
	free(sys);
	return rc;
}

static int cmd_make(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct bdev_opts bd = { .cache_mode = BCH_CACHE_MODE_WRITETHROUGH };
	struct make_opts o = { .cmd = cmd, .bd = &bd };
	struct make_dev dev[MAX_NVM];
	struct bdev_dev bdev[MAX_BDEV];
	struct out out;
	int rc, first;
	unsigned int i;

	rc = bch_parse(cmd, argc, argv, make_opt, &o, &first);
	if (rc)
		return rc;
	for (; first < argc && !rc; first++)	/* after "--" */
		rc = make_opt(1, argv[first], &o);
	if (rc)
		return rc;
	if (!o.n_nvm && !bd.n)
		return bch_usage_error(cmd, "nothing to do: give at least one -M, -C or -B DEV");
	rc = check_effect(&o);
	if (rc)
		return rc;
	/*
	 * The v13 kernel uses one namespace (total_ns must be 1, a second
	 * namespace is refused), and no code defines a larger nvmpg set: the
	 * v13-era formatter's fails its own kernel's checks (bcache-make(8)).
	 */
	if (o.revision == BCH_NVM_REV_V12 && o.n_nvm > 1)
		return bch_usage_error(cmd, "--revision v13 formats one namespace, but %u -M "
				       "devices were given: a v13 kernel uses exactly one "
				       "(total_ns 1); format each with its own 'bcache make'",
				       o.n_nvm);
	if (o.have_uuid && o.n_nvm > 1)
		return bch_usage_error(cmd, "--uuid names one namespace, but %u -M devices "
				       "were given", o.n_nvm);
	for (i = 0; i < o.n_nvm; i++)
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(o.nvm[i], o.nvm[j]))
				return bch_usage_error(cmd, "%s given twice", o.nvm[i]);
	if (!bd.have_cset_uuid)
		uuid_generate_random(bd.cset_uuid);
	/* the v13-era formatter's namespace set_uuid is always its own */
	if (!o.have_set_uuid && bd.n && o.revision != BCH_NVM_REV_V12)
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
		dev[i].f.revision = o.revision;
	}
	if (rc == BCH_EXIT_OK)
		rc = bdev_prepare_all(&o, bdev);
	if (rc == BCH_EXIT_OK && o.n_nvm > 1)
		bch_warn("a set of %u namespaces: a v7 kernel registers only sets with "
			 "total_namespaces_nr = 1", o.n_nvm);

	out_init(&out, o.json);
	for (i = 0; i < o.n_nvm && (rc == BCH_EXIT_OK || o.dry_run); i++) {
		int err = 0;

		if (!dev[i].m)
			break;
		if (!o.dry_run) {
			/* --force: erase old signatures first, as wipefs -a would */
			err = o.force && dev[i].sigs.n ? bch_probe_wipe_all(dev[i].m, 8) : 0;

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
				rc = bch_fail(dev[i].path, err, "write failed");
				break;
			}
		}
		err = report(&out, &o, &dev[i]);
		if (err) {
			rc = bch_fail(dev[i].path, err, "output failed");
			break;
		}
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
	.usage = "[-M DEV...] [-C DEV] [-B DEV...]",
	.opts = make_opts_def,
	.run = cmd_make,
	.operands = "device",
	.in_order = true,
};
