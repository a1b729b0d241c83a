// SPDX-License-Identifier: GPL-2.0
/*
 * bcache show DEV...: whatever bcache superblock a device carries (cache or
 * backing device at 4096, nvm-pages namespace at 4096), every field by name,
 * the checksum verdict, features by name and the kernel's read checks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bcache/cache-sb.h>
#include <bcache/fields.h>
#include <bcache/media.h>
#include <bcache/nvm.h>

#include "cmd.h"
#include "output.h"

OUT_CATALOGUE(BCH_COLS_SHOWD, SD, d_cols);

static int show_d(struct out *o, const struct cache_sb_disk *sb)
{
	struct out_table *t;
	unsigned int n = sb->keys < SB_JOURNAL_BUCKETS ? sb->keys : SB_JOURNAL_BUCKETS;
	int rc = 0;

	if (!n)
		return 0;
	t = out_table(o, "journal_buckets", d_cols, SD_NCOLS, NULL, 0, 0);
	if (!t)
		return -ENOMEM;
	out_table_title(t, "Journal buckets d[0..%u]", n - 1);
	for (unsigned int i = 0; i < n && !rc; i++) {
		rc = out_line(t, 0);
		out_u64(t, SD_INDEX, i);
		out_hex(t, SD_D, sb->d[i]);
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

static int show_cache(struct out *o, struct bch_media *m, const struct bch_cache_sb_info *in,
		      struct bch_problems *ps)
{
	const struct cache_sb_disk *sb = &in->sb;
	char csum[24], comp[40], incomp[80], ro[40], bs[24], mode[16], doff[24];
	const char *type = in->backing ? "backing" : "cache";
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
	};
	int rc;

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
	out_title(o, "%s: bcache %s device superblock at byte 4096, version %llu (%s), "
		  "checksum %s", m->path, type, (unsigned long long)sb->version,
		  bch_cache_sb_version_name(sb->version), in->csum_ok ? "ok" : "BAD");
	rc = out_struct(o, "superblock", &bch_desc_cache_sb, sb, extra,
			sizeof(extra) / sizeof(extra[0]));
	if (!rc)
		rc = show_d(o, sb);
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
	rc = out_struct(o, "superblock", &bch_desc_nvm_sb, &in->sb, extra,
			sizeof(extra) / sizeof(extra[0]));
	if (!rc && in->revision == BCH_NVM_REV_V7)
		rc = bch_nvm_sb_check(in, m->size, ps);
	return rc;
}

/* One device; an exit code. */
static int show_one(struct out *o, const char *path)
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
			if (ni.revision == BCH_NVM_REV_V12)
				ret = BCH_EXIT_NOT_FOUND;
		}
	} else if (!rc) {
		rc = show_cache(o, m, &ci, &ps);
	}
	if (rc && rc != -ENODATA) {
		bch_err("%s: %s", path, strerror(-rc));
		ret = BCH_EXIT_ERROR;
	}
	if (!ret && out_problems(o, &ps))
		ret = BCH_EXIT_ERROR;
	if (!ret) {
		char pc[48];

		out_health(o, "%s: %s", path, out_problem_counts(pc, sizeof(pc), &ps));
	}
	if (!ret && bch_problems_count(&ps, BCH_SEV_ERROR))
		ret = BCH_EXIT_PROBLEMS;
	bch_problems_free(&ps);
	bch_media_close(m);
	return ret;
}

static int cmd_show(const struct bch_cmd *cmd, int argc, char **argv)
{
	bool json = false;
	struct out o;
	int rc, first, ret = BCH_EXIT_OK;

	rc = bch_parse(cmd, argc, argv, bch_json_opt, &json, &first);
	if (rc)
		return rc;
	if (first >= argc)
		return bch_usage_error(cmd, "no device given");
	out_init(&o, json);
	for (int i = first; i < argc; i++) {
		rc = show_one(&o, argv[i]);
		if (rc && (!ret || rc < ret))
			ret = rc;
	}
	if (out_finish(&o))
		ret = BCH_EXIT_ERROR;
	return ret;
}

const struct bch_cmd bch_cmd_show = {
	.name = "show", .full = "show",
	.summary = "show the bcache superblock of devices (cache, backing, nvm-pages)",
	.usage = "DEV...", .opts = bch_json_opts, .run = cmd_show,
	.operands = "device",
};
