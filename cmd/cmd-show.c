// SPDX-License-Identifier: GPL-2.0
/*
 * bcache show [DEV...]: without a device, every bcache device of the system
 * (cache, backing, nvm-pages namespaces) with its state in sysfs, as
 * bcache-tools' `bcache show` lists them (-m: more columns).  With devices,
 * whatever bcache superblock each carries (cache or backing device at 4096,
 * nvm-pages namespace at 4096), decoded by device type as
 * bcache-super-show does, the checksum verdict and the kernel's read
 * checks; -m adds every stored field by name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bcache/cache-sb.h>
#include <bcache/devices.h>
#include <bcache/fields.h>
#include <bcache/media.h>
#include <bcache/nvm.h>

#include "cmd.h"
#include "nvm-common.h"
#include "output.h"

OUT_CATALOGUE(BCH_COLS_SHOWD, SD, d_cols);
OUT_CATALOGUE(BCH_COLS_FIELDS, FV, field_cols);
OUT_CATALOGUE(BCH_COLS_SHOWLIST, SL, list_cols);

static int show_d(struct out *o, const struct bch_cache_sb_info *in)
{
	const struct cache_sb_disk *sb = &in->sb;
	/* an nvmpg offset decodes alone; a v7 address needs the namespace's K */
	static const int plain[] = { SD_INDEX, SD_D };
	struct out_table *t;
	unsigned int n = sb->keys < SB_JOURNAL_BUCKETS ? sb->keys : SB_JOURNAL_BUCKETS;
	int rc = 0;

	if (!n)
		return 0;
	t = out_table(o, "journal_buckets", d_cols, SD_NCOLS,
		      o->json || in->d_nvmpg ? NULL : plain, 2, 0);
	if (!t)
		return -ENOMEM;
	out_table_title(t, "Journal buckets d[0..%u]: %s", n - 1, !in->nvdimm ? "bucket numbers" :
			in->d_nvmpg ? "nvmpg offsets (v12/v13)" : "kernel addresses (v7)");
	for (unsigned int i = 0; i < n && !rc; i++) {
		rc = out_line(t, 0);
		out_u64(t, SD_INDEX, i);
		out_hex(t, SD_D, sb->d[i]);
		if (in->d_nvmpg) {
			out_u64(t, SD_NS_ID, BCH_NVMPG_GET_NS_ID(sb->d[i]));
			out_u64(t, SD_OFFSET, BCH_NVMPG_GET_OFFSET(sb->d[i]));
		}
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

struct show_opts {
	bool json, more;
	const char *dev[64];
	int ndev;
	const struct bch_cmd *cmd;
};

/* FIELD/VALUE rows (text only): the superblock decoded by device type. */
static int show_decoded(struct out *o, const char *const (*kv)[2], size_t n)
{
	struct out_table *t = out_table(o, "decoded", field_cols, FV_NCOLS, NULL, 0,
					OUT_T_NOTITLE);
	int rc = 0;

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < n && !rc; i++) {
		rc = out_line(t, 0);
		out_str(t, FV_FIELD, kv[i][0]);
		out_str(t, FV_VALUE, kv[i][1]);
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

/* As bcache-super-show: a label of other bytes than [0-9A-Za-z._-] escaped. */
static void label_text(const struct cache_sb_disk *sb, char out[4 * SB_LABEL_SIZE + 1])
{
	size_t k = 0;

	for (size_t i = 0; i < SB_LABEL_SIZE && sb->label[i]; i++) {
		unsigned char c = sb->label[i];

		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '.' || c == '_' || c == '-')
			out[k++] = (char)c;
		else
			k += (size_t)sprintf(out + k, "%%%02x", c);
	}
	out[k] = '\0';
	if (!k)
		strcpy(out, "(empty)");
}

static int show_cache_decoded(struct out *o, const struct bch_cache_sb_info *in)
{
	const struct cache_sb_disk *sb = &in->sb;
	char label[4 * SB_LABEL_SIZE + 1], u[37], su[37], bs[24], bk[40], doff[24], mode[40],
	     state[40], nb[24], fb[24], nis[8], fs[24], cs[24], ts[24], repl[32], feat[3][80];
	uint64_t bsz = in->bucket_sectors;
	unsigned int r = (sb->flags >> CACHE_REPLACEMENT_SHIFT) & CACHE_REPLACEMENT_MASK;
	unsigned int st = (sb->flags >> BDEV_STATE_SHIFT) & BDEV_STATE_MASK;
	unsigned int cm = sb->flags & BDEV_CACHE_MODE_MASK;
	const char *kv[24][2];
	size_t n = 0;

	label_text(sb, label);
	bch_uuid_format(sb->uuid, u);
	bch_uuid_format(sb->set_uuid, su);
	snprintf(bs, sizeof(bs), "%u", sb->block_size);
	kv[n][0] = "label", kv[n++][1] = label;
	kv[n][0] = "uuid", kv[n++][1] = u;
	kv[n][0] = "set_uuid", kv[n++][1] = su;
	kv[n][0] = "block_size", kv[n++][1] = bs;
	if (in->backing) {
		/* version 1 has no data_offset field: its data starts at sector 16 */
		snprintf(doff, sizeof(doff), "%llu", sb->version == BCACHE_SB_VERSION_BDEV ?
			 (unsigned long long)BDEV_DATA_START_DEFAULT :
			 (unsigned long long)sb->data_offset);
		snprintf(mode, sizeof(mode), "%u [%s]", cm, bch_cache_mode_name(cm));
		snprintf(state, sizeof(state), "%u [%s]", st, bch_cache_bdev_state_name(st));
		kv[n][0] = "data_offset", kv[n++][1] = doff;
		kv[n][0] = "cache_mode", kv[n++][1] = mode;
		kv[n][0] = "cache_state", kv[n++][1] = state;
		return show_decoded(o, kv, n);
	}
	snprintf(bk, sizeof(bk), "%llu", (unsigned long long)bsz);
	snprintf(nb, sizeof(nb), "%llu", (unsigned long long)sb->nbuckets);
	snprintf(fb, sizeof(fb), "%u", sb->first_bucket);
	snprintf(fs, sizeof(fs), "%llu", (unsigned long long)(bsz * sb->first_bucket));
	snprintf(cs, sizeof(cs), "%llu", sb->nbuckets >= sb->first_bucket ?
		 (unsigned long long)(bsz * (sb->nbuckets - sb->first_bucket)) : 0ULL);
	snprintf(ts, sizeof(ts), "%llu", (unsigned long long)(bsz * sb->nbuckets));
	snprintf(repl, sizeof(repl), "%u [%s]", r, bch_cache_replacement_name(r));
	bch_cache_features_text(BCH_FEAT_COMPAT, sb->feature_compat, feat[0], sizeof(feat[0]));
	bch_cache_features_text(BCH_FEAT_INCOMPAT, sb->feature_incompat, feat[1],
				sizeof(feat[1]));
	bch_cache_features_text(BCH_FEAT_RO_COMPAT, sb->feature_ro_compat, feat[2],
				sizeof(feat[2]));
	kv[n][0] = "bucket_size", kv[n++][1] = bk;
	kv[n][0] = "nbuckets", kv[n++][1] = nb;
	kv[n][0] = "first_bucket", kv[n++][1] = fb;
	kv[n][0] = "first_sector", kv[n++][1] = fs;
	kv[n][0] = "cache_sectors", kv[n++][1] = cs;
	kv[n][0] = "total_sectors", kv[n++][1] = ts;
	kv[n][0] = "ordered", kv[n++][1] = sb->flags & (1ULL << CACHE_SYNC_BIT) ? "yes" : "no";
	kv[n][0] = "discard", kv[n++][1] = sb->flags & (1ULL << CACHE_DISCARD_BIT) ? "yes" : "no";
	kv[n][0] = "replacement", kv[n++][1] = repl;
	snprintf(nis, sizeof(nis), "%u", sb->nr_in_set);
	kv[n][0] = "nr_in_set", kv[n++][1] = nis;
	if (*feat[0])
		kv[n][0] = "features_compat", kv[n++][1] = feat[0];
	if (*feat[1])
		kv[n][0] = "features_incompat", kv[n++][1] = feat[1];
	if (*feat[2])
		kv[n][0] = "features_ro_compat", kv[n++][1] = feat[2];
	return show_decoded(o, kv, n);
}

static int show_cache(struct out *o, struct bch_media *m, const struct bch_cache_sb_info *in,
		      struct bch_problems *ps, bool more)
{
	const struct cache_sb_disk *sb = &in->sb;
	char csum[24], comp[40], incomp[80], ro[40], bs[24], mode[16], doff[24], state[16],
	     repl[16];
	const char *type = in->backing ? "backing" : "cache";
	unsigned int r = (sb->flags >> CACHE_REPLACEMENT_SHIFT) & CACHE_REPLACEMENT_MASK;
	unsigned int st = (sb->flags >> BDEV_STATE_SHIFT) & BDEV_STATE_MASK;
	struct out_kv extra[] = {
		{ "type", type, OUT_STR },
		{ "version_name", bch_cache_sb_version_name(sb->version), OUT_STR },
		{ "csum_computed", csum, OUT_STR },
		{ "csum_ok", in->csum_ok ? "1" : "0", OUT_BOOL },
		{ "features_compat", comp, OUT_STR },
		{ "features_incompat", incomp, OUT_STR },
		{ "features_ro_compat", ro, OUT_STR },
		{ "bucket_sectors", bs, OUT_NUM },
		{ "data_offset", doff, OUT_NUM },
		{ "cache_mode", mode, OUT_STR },
		{ "cache_state", state, OUT_STR },
		{ "replacement", repl, OUT_STR },
		{ "discard", !in->backing && (sb->flags & (1ULL << CACHE_DISCARD_BIT)) ? "1" : "0",
		  OUT_BOOL },
		/* the nvm-pages revision d[] are written for, by their form */
		{ "revision", !in->nvdimm || !sb->keys || !sb->d[0] ? "" :
			      in->d_nvmpg ? "nvmpg" : "v7", OUT_STR },
	};
	int rc = 0;

	snprintf(csum, sizeof(csum), "0x%016llx", (unsigned long long)in->csum_computed);
	bch_cache_features_text(BCH_FEAT_COMPAT, sb->feature_compat, comp, sizeof(comp));
	bch_cache_features_text(BCH_FEAT_INCOMPAT, sb->feature_incompat, incomp, sizeof(incomp));
	bch_cache_features_text(BCH_FEAT_RO_COMPAT, sb->feature_ro_compat, ro, sizeof(ro));
	snprintf(bs, sizeof(bs), "%llu", (unsigned long long)in->bucket_sectors);
	snprintf(doff, sizeof(doff), "%llu", in->backing ?
		 (unsigned long long)(sb->version == BCACHE_SB_VERSION_BDEV ?
				      BDEV_DATA_START_DEFAULT : sb->data_offset) : 0ULL);
	snprintf(mode, sizeof(mode), "%s", in->backing ?
		 bch_cache_mode_name(sb->flags & BDEV_CACHE_MODE_MASK) : "");
	snprintf(state, sizeof(state), "%s", in->backing ? bch_cache_bdev_state_name(st) : "");
	snprintf(repl, sizeof(repl), "%s", in->backing ? "" : bch_cache_replacement_name(r));
	out_title(o, "%s: bcache %s device superblock at byte 4096, version %llu (%s), "
		  "checksum %s", m->path, type, (unsigned long long)sb->version,
		  bch_cache_sb_version_name(sb->version), in->csum_ok ? "ok" : "BAD");
	if (!o->json)
		rc = show_cache_decoded(o, in);
	if (!rc && (o->json || more))
		rc = out_struct(o, "superblock", &bch_desc_cache_sb, sb, extra,
				sizeof(extra) / sizeof(extra[0]));
	if (!rc && (o->json || more))
		rc = show_d(o, in);
	if (!rc)
		rc = bch_cache_sb_check(in, m->size, 0, ps);
	return rc;
}

static int show_nvm(struct out *o, struct bch_media *m, const struct bch_nvm_sb_info *in,
		    struct bch_problems *ps)
{
	char csum[24];
	struct out_kv extra[] = {
		{ "type", "nvm-pages", OUT_STR },
		{ "revision", bch_nvm_revision_name(in->revision), OUT_STR },
		{ "csum_computed", csum, OUT_STR },
		{ "csum_ok", in->csum_ok ? "1" : "0", OUT_BOOL },
	};
	int rc;

	snprintf(csum, sizeof(csum), "0x%016llx", (unsigned long long)in->csum_computed);
	out_title(o, "%s: nvm-pages namespace superblock at byte 4096 (%s), checksum %s",
		  m->path, bch_nvm_revision_name(in->revision), in->csum_ok ? "ok" : "BAD");
	rc = out_struct(o, "superblock", in->lay->sb_desc, &in->sb, extra,
			sizeof(extra) / sizeof(extra[0]));
	if (!rc && in->revision != BCH_NVM_REV_UNKNOWN)
		rc = bch_nvm_sb_check(in, m->size, ps);
	return rc;
}

/* One device; an exit code. */
static int show_one(struct out *o, const char *path, bool more)
{
	struct bch_problems ps = { 0 };
	struct bch_media *m;
	struct bch_cache_sb_info ci;
	struct bch_nvm_sb_info ni;
	int rc = bch_media_open(path, 0, &m), ret = BCH_EXIT_OK;

	if (rc)
		return bch_open_error(path, rc);
	out_device(o, path);
	rc = bch_cache_sb_read(m, &ci);
	if (rc == -ENODATA) {
		rc = bch_nvm_sb_read(m, &ni);
		if (!rc && ni.revision == BCH_NVM_REV_NONE) {
			bch_err("%s: no bcache superblock (no bcache magic at byte 4120, no "
				"nvm-pages magic at byte 4128)", path);
			ret = BCH_EXIT_NOT_FOUND;
		} else if (!rc) {
			rc = show_nvm(o, m, &ni, &ps);
		}
	} else if (!rc) {
		rc = show_cache(o, m, &ci, &ps, more);
	}
	if (rc && rc != -ENODATA)
		ret = bch_fail(path, rc, "cannot read");
	if (!ret && out_problems(o, &ps))
		ret = BCH_EXIT_ERROR;
	if (!ret) {
		char pc[48];

		out_health(o, "%s: %s", path, out_problem_counts(pc, sizeof(pc), &ps));
		ret = bch_exit_for_problems(&ps, BCH_SEV_ERROR);
	}
	bch_problems_free(&ps);
	bch_media_close(m);
	return ret;
}

/* The cache device of a set among the devices found, or NULL. */
static const struct bch_sys_dev *cache_of(const struct bch_sys_dev *v, size_t n,
					  const char *set)
{
	for (size_t i = 0; *set && i < n; i++)
		if (v[i].kind == BCH_REG_CACHE && !strcmp(v[i].set_uuid, set))
			return &v[i];
	return NULL;
}

/* The device list as show prints it (the rows of JSON's devices[]). */
int bch_show_devices(struct out *o, const struct bch_sys_dev *v, size_t n, bool more)
{
	static const int all[] = {
		SL_DEVICE, SL_TYPE, SL_STATE, SL_RUNNING, SL_BNAME, SL_ATTACHED_DEV,
		SL_ATTACHED_CSET, SL_UUID, SL_SET_UUID, SL_VERSION, SL_LABEL, SL_NAMESPACE,
		SL_CSUM_OK,
	};
	struct out_table *t;
	int rc = 0;

	t = out_table(o, "devices", list_cols, SL_NCOLS, more ? all : NULL,
		      (int)(sizeof(all) / sizeof(all[0])), OUT_T_NOTITLE);
	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct bch_sys_dev *d = &v[i];
		const struct bch_sys_dev *c = d->kind == BCH_REG_BACKING ?
					      cache_of(v, n, d->attached) : NULL;

		rc = out_line(t, 0);
		out_str(t, SL_DEVICE, d->path);
		out_str(t, SL_TYPE, bch_reg_kind_name(d->kind));
		out_str(t, SL_STATE, d->state);
		out_bool(t, SL_RUNNING, d->running);
		out_str(t, SL_BNAME, d->bname);
		out_str(t, SL_ATTACHED_DEV, c ? c->path : "");
		out_str(t, SL_ATTACHED_CSET, d->attached);
		out_str(t, SL_UUID, d->uuid);
		out_str(t, SL_SET_UUID, d->set_uuid);
		out_u64(t, SL_VERSION, d->version);
		out_str(t, SL_LABEL, d->label);
		out_str(t, SL_NAMESPACE, d->ns);
		out_bool(t, SL_CSUM_OK, d->csum_ok);
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

/* bcache show [-m]: every bcache device of the system; an exit code. */
static int show_list(struct out *o, bool more)
{
	struct bch_sys_dev *v;
	size_t n;
	int ns_err, rc = bch_sys_devs_scan(&v, &n, false, &ns_err);

	if (rc) {
		bch_err("cannot list devices: %s", strerror(-rc));
		return BCH_EXIT_ERROR;
	}
	if (ns_err && !o->json)
		bch_warn("namespaces not listed: %s", ns_err == -ENOPKG ?
			 "built without libndctl" : strerror(-ns_err));
	rc = bch_show_devices(o, v, n, more);
	free(v);
	return rc ? BCH_EXIT_ERROR : BCH_EXIT_OK;
}

static int show_opt(int val, const char *arg, void *ctx)
{
	struct show_opts *o = ctx;

	switch (val) {
	case 'J':
		o->json = true;
		return 0;
	case 'm':
		o->more = true;
		return 0;
	case 'd':
		if (o->ndev == 64)
			return bch_usage_error(o->cmd, "at most 64 devices");
		o->dev[o->ndev++] = arg;
		return 0;
	}
	return BCH_EXIT_USAGE;
}

static int cmd_show(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct show_opts so = { .cmd = cmd };
	struct out o;
	int rc, first, ret = BCH_EXIT_OK;

	rc = bch_parse(cmd, argc, argv, show_opt, &so, &first);
	if (rc)
		return rc;
	out_init(&o, so.json);
	if (!so.ndev && first >= argc) {
		ret = show_list(&o, so.more);
	} else {
		for (int i = 0; i < so.ndev + argc - first; i++) {
			ret = bch_exit_combine(ret, show_one(&o, i < so.ndev ? so.dev[i] :
							     argv[first + i - so.ndev], so.more));
		}
	}
	if (out_finish(&o))
		ret = BCH_EXIT_ERROR;
	return ret;
}

static const struct bch_opt show_opts_def[] = {
	{ "device", 'd', required_argument, "DEV", "show DEV's superblock (as an operand)",
	  "device" },
	{ "more", 'm', no_argument, NULL,
	  "list: more columns; a device: every stored field and d[] too", NULL },
	{ "json", 'J', no_argument, NULL, "print one JSON document", NULL },
	{ NULL },
};

const struct bch_cmd bch_cmd_show = {
	.name = "show", .full = "show",
	.summary = "list the bcache devices of the system, or show superblocks",
	.usage = "[-m] [-d DEV | DEV...]", .opts = show_opts_def, .run = cmd_show,
	.operands = "device",
};
