// SPDX-License-Identifier: GPL-2.0
/*
 * The bcache cache/backing superblock (bcache-journal-format(5),
 * CACHE SUPERBLOCK).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <bcache/cache-sb.h>
#include <bcache/csum.h>
#include <bcache/media.h>

const uint8_t bch_cache_sb_magic[16] = BCACHE_SB_MAGIC_BYTES;

#define SB_AT(field) (SB_OFFSET + (uint64_t)offsetof(struct cache_sb_disk, field))

int bch_cache_sb_csum(const struct cache_sb_disk *sb, uint64_t *out)
{
	if (sb->keys > SB_JOURNAL_BUCKETS)
		return -ERANGE;
	return bch_csum_set(sb, sizeof(*sb), BCH_CACHE_SB_D_OFF, sb->keys, out);
}

int bch_cache_sb_update_csum(struct cache_sb_disk *sb)
{
	uint64_t c;
	int rc = bch_cache_sb_csum(sb, &c);

	if (!rc)
		sb->csum = c;
	return rc;
}

bool bch_cache_sb_version_is_backing(uint64_t v)
{
	return v == BCACHE_SB_VERSION_BDEV || v == BCACHE_SB_VERSION_BDEV_WITH_OFFSET ||
	       v == BCACHE_SB_VERSION_BDEV_WITH_FEATURES;
}

const char *bch_cache_sb_version_name(uint64_t v)
{
	static const char *const names[] = {
		[0] = "CDEV", [1] = "BDEV", [3] = "CDEV_WITH_UUID",
		[4] = "BDEV_WITH_OFFSET", [5] = "CDEV_WITH_FEATURES",
		[6] = "BDEV_WITH_FEATURES",
	};

	if (v < sizeof(names) / sizeof(names[0]) && names[v])
		return names[v];
	return "unknown";
}

static const struct {
	enum bch_feature_word w;
	uint64_t bit;
	const char *name;
} features[] = {
	{ BCH_FEAT_INCOMPAT, BCH_FEATURE_INCOMPAT_OBSO_LARGE_BUCKET, "obso_large_bucket" },
	{ BCH_FEAT_INCOMPAT, BCH_FEATURE_INCOMPAT_LOG_LARGE_BUCKET_SIZE, "large_bucket" },
	{ BCH_FEAT_INCOMPAT, BCH_FEATURE_INCOMPAT_NVDIMM_META, "nvdimm_meta" },
};

uint64_t bch_cache_features_known(enum bch_feature_word w)
{
	uint64_t m = 0;

	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if (features[i].w == w)
			m |= features[i].bit;
	return m;
}

int bch_cache_features_text(enum bch_feature_word w, uint64_t bits, char *buf,
			    size_t len)
{
	size_t need = 0;
	char tmp[24];

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		if (features[i].w != w || !(bits & features[i].bit))
			continue;
		bits &= ~features[i].bit;
		need += snprintf(len > need ? buf + need : NULL, len > need ? len - need : 0,
				 "%s%s", need ? "," : "", features[i].name);
	}
	if (bits) {
		snprintf(tmp, sizeof(tmp), "0x%llx", (unsigned long long)bits);
		need += snprintf(len > need ? buf + need : NULL, len > need ? len - need : 0,
				 "%s%s", need ? "," : "", tmp);
	}
	return (int)need;
}

uint64_t bch_cache_sb_bucket_sectors(const struct cache_sb_disk *sb)
{
	if (sb->version >= BCACHE_SB_VERSION_CDEV_WITH_FEATURES) {
		if (sb->feature_incompat & BCH_FEATURE_INCOMPAT_LOG_LARGE_BUCKET_SIZE)
			return sb->bucket_size < 32 ? 1ULL << sb->bucket_size : 0;
		if (sb->feature_incompat & BCH_FEATURE_INCOMPAT_OBSO_LARGE_BUCKET)
			return sb->bucket_size + ((uint64_t)sb->obso_bucket_size_hi << 16);
	}
	return sb->bucket_size;
}

unsigned int bch_cache_journal_buckets(uint64_t nbuckets)
{
	uint64_t k = nbuckets >> 7;

	return k < 2 ? 2 : k > SB_JOURNAL_BUCKETS ? SB_JOURNAL_BUCKETS : (unsigned int)k;
}

void bch_cache_sb_parse(const void *page, struct bch_cache_sb_info *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(&out->sb, page, sizeof(out->sb));
	out->magic_ok = !memcmp(out->sb.magic, bch_cache_sb_magic, 16);
	out->keys_ok = !bch_cache_sb_csum(&out->sb, &out->csum_computed);
	out->csum_ok = out->keys_ok && out->csum_computed == out->sb.csum;
	out->backing = bch_cache_sb_version_is_backing(out->sb.version);
	out->nvdimm = !out->backing &&
		      (out->sb.feature_incompat & BCH_FEATURE_INCOMPAT_NVDIMM_META);
	out->bucket_sectors = out->backing ? 0 : bch_cache_sb_bucket_sectors(&out->sb);
}

int bch_cache_sb_read(struct bch_media *m, struct bch_cache_sb_info *out)
{
	unsigned char page[SB_SIZE];
	int rc;

	if (m->size < SB_OFFSET + SB_SIZE)
		return -ENODATA;
	rc = bch_media_read(m, page, sizeof(page), SB_OFFSET);
	if (rc)
		return rc;
	bch_cache_sb_parse(page, out);
	return out->magic_ok ? 0 : -ENODATA;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

#define ADD(code, field, ...) \
	do { \
		int add_rc_ = bch_problem_add(ps, BCH_P_##code, SB_AT(field), "cache_sb." #field, \
					      __VA_ARGS__); \
		if (add_rc_) \
			return add_rc_; \
	} while (0)

/* Read checks 1-7, common to cache and backing devices. */
static int check_common(const struct bch_cache_sb_info *info, uint32_t lbs,
			struct bch_problems *ps)
{
	const struct cache_sb_disk *sb = &info->sb;
	uint64_t unknown;

	if (sb->offset != SB_SECTOR)
		ADD(CSB_OFFSET, offset, "offset is %llu, expected %d",
		    (unsigned long long)sb->offset, SB_SECTOR);
	if (!info->magic_ok)
		ADD(CSB_MAGIC, magic, "no bcache magic at byte %d", SB_OFFSET + 24);
	if (!info->keys_ok)
		ADD(CSB_KEYS, keys, "keys is %u, at most %u", sb->keys, SB_JOURNAL_BUCKETS);
	else if (!info->csum_ok)
		ADD(CSB_CSUM, csum, "csum is 0x%016llx, computed 0x%016llx",
		    (unsigned long long)sb->csum, (unsigned long long)info->csum_computed);
	if (all_zero(sb->uuid, 16))
		ADD(CSB_UUID, uuid, "uuid is all zero");
	if (lbs && (uint64_t)sb->block_size * 512 < lbs && !info->backing)
		ADD(CSB_BLOCK_LBS, block_size, "block_size %u sectors is below the device's "
		    "logical block size of %u bytes", sb->block_size, lbs);
	if (sb->version > BCACHE_SB_MAX_VERSION || sb->version == 2)
		ADD(CSB_VERSION, version, "version %llu is unknown",
		    (unsigned long long)sb->version);
	if (sb->version < BCACHE_SB_VERSION_CDEV_WITH_FEATURES)
		return 0;
	unknown = (sb->feature_compat & ~bch_cache_features_known(BCH_FEAT_COMPAT)) |
		  (sb->feature_ro_compat & ~bch_cache_features_known(BCH_FEAT_RO_COMPAT)) |
		  (sb->feature_incompat & ~bch_cache_features_known(BCH_FEAT_INCOMPAT));
	if (unknown)
		ADD(CSB_FEATURES, feature_incompat, "unknown feature bits 0x%llx",
		    (unsigned long long)unknown);
	return 0;
}

/* Read checks 8-14 (cache devices). */
static int check_cache(const struct bch_cache_sb_info *info, uint64_t dev_bytes,
		       struct bch_problems *ps)
{
	const struct cache_sb_disk *sb = &info->sb;
	uint64_t bs = info->bucket_sectors;

	if (sb->nbuckets > INT64_MAX || sb->nbuckets < BCH_CACHE_SB_BUCKETS_MIN)
		ADD(CSB_NBUCKETS, nbuckets, "nbuckets is %llu: %s",
		    (unsigned long long)sb->nbuckets,
		    sb->nbuckets < BCH_CACHE_SB_BUCKETS_MIN ? "not enough buckets (< 128)" :
							       "too many buckets");
	if (!is_pow2(sb->block_size) || sb->block_size > 8 || !is_pow2(bs) || bs < 8)
		ADD(CSB_GEOMETRY, block_size, "block_size %u, bucket_size %llu sectors: need "
		    "powers of two, block <= 8, bucket >= 8", sb->block_size,
		    (unsigned long long)bs);
	if (dev_bytes && bs && sb->nbuckets <= INT64_MAX &&
	    sb->nbuckets > dev_bytes / 512 / bs)
		ADD(CSB_DEV_SMALL, nbuckets, "device too small: %llu buckets of %llu sectors "
		    "need more than %llu bytes", (unsigned long long)sb->nbuckets,
		    (unsigned long long)bs, (unsigned long long)dev_bytes);
	if (all_zero(sb->set_uuid, 16))
		ADD(CSB_SET_UUID, set_uuid, "set_uuid is all zero");
	if (!sb->nr_in_set || sb->nr_in_set > 1 || sb->nr_this_dev >= sb->nr_in_set)
		ADD(CSB_NR_IN_SET, nr_in_set, "nr_in_set %u, nr_this_dev %u (one cache device "
		    "per set: 1 and 0)", sb->nr_in_set, sb->nr_this_dev);
	if (!info->nvdimm && info->keys_ok)
		for (unsigned int i = 0; i < sb->keys; i++)
			if (sb->d[i] != (uint64_t)sb->first_bucket + i)
				ADD(CSB_D_SEQUENTIAL, d, "d[%u] is %llu, expected first_bucket + %u "
				    "= %u: journal buckets not sequential", i,
				    (unsigned long long)sb->d[i], i, sb->first_bucket + i);
	if ((uint64_t)sb->first_bucket + sb->keys > sb->nbuckets)
		ADD(CSB_JOURNAL_BUCKETS, first_bucket, "first_bucket %u + keys %u > nbuckets "
		    "%llu: too many journal buckets", sb->first_bucket, sb->keys,
		    (unsigned long long)sb->nbuckets);
	if ((uint64_t)sb->first_bucket * bs < 16)
		ADD(CSB_FIRST_BUCKET, first_bucket, "first_bucket %u comes before the end of "
		    "the superblock", sb->first_bucket);
	return 0;
}

/* CHECKS, superblock part (NVDIMM mode). */
static int check_nvdimm(const struct bch_cache_sb_info *info, struct bch_problems *ps)
{
	const struct cache_sb_disk *sb = &info->sb;

	if (sb->version < BCACHE_SB_VERSION_CDEV_WITH_FEATURES)
		ADD(CSB_NVDIMM_VERSION, version, "NVDIMM_META set but version is %llu (< 5)",
		    (unsigned long long)sb->version);
	if (sb->flags & (1ULL << CACHE_DISCARD_BIT))
		ADD(CSB_NVDIMM_DISCARD, flags, "CACHE_DISCARD with NVDIMM_META: the kernel "
		    "would BUG on journal reclaim");
	if ((sb->flags & (1ULL << CACHE_SYNC_BIT)) && sb->keys && !sb->d[0])
		ADD(CSB_NVDIMM_D, d, "d[0] is 0 while CACHE_SYNC is set");
	for (unsigned int i = 0; info->keys_ok && i < sb->keys; i++)
		if (sb->d[i] < (1ULL << 63) && sb->d[0])
			ADD(CSB_NVDIMM_D, d, "d[%u] is 0x%llx: not a kernel address", i,
			    (unsigned long long)sb->d[i]);
	if (sb->keys && sb->keys != bch_cache_journal_buckets(sb->nbuckets))
		ADD(CSB_KEYS_CLAMP, keys, "keys is %u, the kernel writes clamp(nbuckets >> 7, "
		    "2, 256) = %u", sb->keys, bch_cache_journal_buckets(sb->nbuckets));
	return 0;
}
#undef ADD

int bch_cache_sb_check(const struct bch_cache_sb_info *info, uint64_t dev_bytes,
		       uint32_t lbs, struct bch_problems *ps)
{
	int rc = check_common(info, lbs, ps);

	if (!rc && !info->backing)
		rc = check_cache(info, dev_bytes, ps);
	if (!rc && info->nvdimm)
		rc = check_nvdimm(info, ps);
	return rc;
}

const char *bch_cache_mode_name(unsigned int mode)
{
	static const char *const names[] = { "writethrough", "writeback", "writearound",
					     "none" };

	return mode < 4 ? names[mode] : "unknown";
}

int bch_cache_mode_parse(const char *s)
{
	for (unsigned int i = 0; i < 4; i++)
		if (!strcasecmp(s, bch_cache_mode_name(i)))
			return (int)i;
	return -EINVAL;
}

const char *bch_cache_replacement_name(unsigned int r)
{
	static const char *const names[] = { "lru", "fifo", "random" };

	return r < 3 ? names[r] : "unknown";
}

int bch_cache_replacement_parse(const char *s)
{
	for (unsigned int i = 0; i < 3; i++)
		if (!strcmp(s, bch_cache_replacement_name(i)))
			return (int)i;
	return -EINVAL;
}

const char *bch_cache_bdev_state_name(unsigned int state)
{
	static const char *const names[] = { "detached", "clean", "dirty", "inconsistent" };

	return state < 4 ? names[state] : "unknown";
}

static unsigned int log2_u64(uint64_t v)
{
	unsigned int n = 0;

	while (v >>= 1)
		n++;
	return n;
}

static int build_cache(const struct bch_cache_sb_params *p, struct cache_sb_disk *sb)
{
	uint64_t sectors = p->dev_bytes / 512;
	bool large = p->bucket_size > UINT16_MAX;

	if (!is_pow2(p->bucket_size) || p->bucket_size < 8 || p->bucket_size < p->block_size ||
	    p->bucket_size > BCH_CACHE_BUCKET_MAX_SECTORS ||
	    p->replacement > BCH_CACHE_REPLACEMENT_RANDOM)
		return -EINVAL;
	sb->version = p->nvdimm_meta || large ? BCACHE_SB_VERSION_CDEV_WITH_FEATURES :
						BCACHE_SB_VERSION_CDEV_WITH_UUID;
	if (p->nvdimm_meta)
		sb->feature_incompat |= BCH_FEATURE_INCOMPAT_NVDIMM_META;
	if (large)
		sb->feature_incompat |= BCH_FEATURE_INCOMPAT_LOG_LARGE_BUCKET_SIZE;
	sb->nbuckets = sectors / p->bucket_size;
	if (sb->nbuckets < BCH_CACHE_SB_BUCKETS_MIN)
		return -ENOSPC;
	/* the u16 field holds log2 of a large bucket */
	sb->bucket_size = large ? (uint16_t)log2_u64(p->bucket_size) : (uint16_t)p->bucket_size;
	sb->flags = (p->discard ? 1ULL << CACHE_DISCARD_BIT : 0) |
		    ((uint64_t)p->replacement << CACHE_REPLACEMENT_SHIFT);
	sb->nr_in_set = 1;
	sb->nr_this_dev = 0;
	sb->first_bucket = 23 / p->bucket_size + 1;
	return 0;
}

static int build_backing(const struct bch_cache_sb_params *p, struct cache_sb_disk *sb)
{
	uint64_t off = p->data_offset ? p->data_offset : BDEV_DATA_START_DEFAULT;

	if (off < BDEV_DATA_START_DEFAULT || p->cache_mode > BCH_CACHE_MODE_NONE)
		return -EINVAL;
	if (off * 512 >= p->dev_bytes)
		return -ENOSPC;
	sb->version = off == BDEV_DATA_START_DEFAULT ? BCACHE_SB_VERSION_BDEV :
						       BCACHE_SB_VERSION_BDEV_WITH_OFFSET;
	sb->data_offset = off;
	sb->flags = p->cache_mode & BDEV_CACHE_MODE_MASK;
	return 0;
}

int bch_cache_sb_build(const struct bch_cache_sb_params *p, struct cache_sb_disk *sb)
{
	int rc;

	memset(sb, 0, sizeof(*sb));
	if (!is_pow2(p->block_size) || p->block_size > 8 || strlen(p->label) > SB_LABEL_SIZE)
		return -EINVAL;
	sb->offset = SB_SECTOR;
	memcpy(sb->magic, bch_cache_sb_magic, 16);
	memcpy(sb->uuid, p->uuid, 16);
	memcpy(sb->set_uuid, p->set_uuid, 16);
	memcpy(sb->label, p->label, strlen(p->label));
	sb->block_size = p->block_size;
	rc = p->backing ? build_backing(p, sb) : build_cache(p, sb);
	if (!rc)
		rc = bch_cache_sb_update_csum(sb);
	return rc;
}
