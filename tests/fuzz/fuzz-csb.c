// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-csb: the input is a device from byte 4096 on (the cache or backing
 * superblock page first).  The cache superblock read and checks, its texts
 * (version, features, cache mode), the nvm-pages superblock of the same
 * page and the probe of foreign signatures' info block: what `show` and
 * `journal show -C` read of a device.
 */
#include <stdlib.h>
#include <string.h>

#include <bcache/cache-sb.h>
#include <bcache/media.h>
#include <bcache/nvm.h>
#include <bcache/probe.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bch_cache_sb_info info;
	struct bch_nvm_sb_info sbi;
	struct bch_problems ps = { 0 };
	struct bch_media *m;
	unsigned char *dev;
	uint64_t n = 4096 + size;
	char buf[256];

	if (n < 8192)
		n = 8192;
	dev = calloc(1, n);
	if (!dev)
		return 0;
	memcpy(dev + 4096, data, size);
	if (!bch_media_open_mem("fuzz", dev, n, 0, &m)) {
		if (!bch_cache_sb_read(m, &info)) {
			(void)bch_cache_sb_check(&info, m->size, 512, &ps);
			(void)bch_cache_sb_check(&info, 0, 0, &ps);
			(void)bch_cache_features_text(BCH_FEAT_COMPAT, info.sb.feature_compat,
						      buf, sizeof(buf));
			(void)bch_cache_features_text(BCH_FEAT_INCOMPAT,
						      info.sb.feature_incompat, buf, sizeof(buf));
			(void)bch_cache_features_text(BCH_FEAT_RO_COMPAT,
						      info.sb.feature_ro_compat, buf, sizeof(buf));
			(void)bch_cache_sb_version_name(info.sb.version);
			(void)bch_cache_mode_name((unsigned int)(info.sb.flags & 0xf));
			(void)bch_cache_sb_bucket_sectors(&info.sb);
		}
		if (!bch_nvm_sb_read(m, &sbi))
			(void)bch_nvm_sb_check(&sbi, m->size, &ps);
		bch_media_close(m);
	}
	(void)bch_probe_info_block(dev + 4096, n - 4096);
	bch_problems_free(&ps);
	free(dev);
	return 0;
}
