// SPDX-License-Identifier: GPL-2.0
/*
 * Every size and offset of the on-media structs, pinned in one place.  If a
 * header edit moves a field, the build fails here.
 */
#include <stddef.h>

#include <linux/bcache-nvm.h>
#include <linux/bcache-nvmpg.h>
#include <linux/bcache.h>

#define CHECK_SIZE(type, n) _Static_assert(sizeof(struct type) == (n), #type " size")
#define CHECK_OFF(type, field, n) \
	_Static_assert(offsetof(struct type, field) == (n), #type "." #field " offset")

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian only");
_Static_assert(sizeof(void *) == 8, "64-bit only");

CHECK_SIZE(bch_pgalloc_rec, 8);

CHECK_SIZE(bch_nvm_pgalloc_recs, 8192);
CHECK_OFF(bch_nvm_pgalloc_recs, owner, 0);
CHECK_OFF(bch_nvm_pgalloc_recs, next, 8);
CHECK_OFF(bch_nvm_pgalloc_recs, magic, 16);
CHECK_OFF(bch_nvm_pgalloc_recs, owner_uuid, 32);
CHECK_OFF(bch_nvm_pgalloc_recs, size, 48);
CHECK_OFF(bch_nvm_pgalloc_recs, used, 52);
CHECK_OFF(bch_nvm_pgalloc_recs, _pad, 56);
CHECK_OFF(bch_nvm_pgalloc_recs, recs, 88);
_Static_assert(BCH_MAX_RECS == 1013, "BCH_MAX_RECS");
_Static_assert(offsetof(struct bch_nvm_pgalloc_recs, recs) + 8 * BCH_MAX_RECS == 8192,
	       "records fill the page");

CHECK_SIZE(bch_nvm_pages_owner_head, 112);
CHECK_OFF(bch_nvm_pages_owner_head, uuid, 0);
CHECK_OFF(bch_nvm_pages_owner_head, label, 16);
CHECK_OFF(bch_nvm_pages_owner_head, recs, 48);

CHECK_SIZE(bch_owner_list_head, 8192);
CHECK_OFF(bch_owner_list_head, size, 0);
CHECK_OFF(bch_owner_list_head, used, 4);
CHECK_OFF(bch_owner_list_head, _pad, 8);
CHECK_OFF(bch_owner_list_head, heads, 40);
_Static_assert(BCH_MAX_OWNER_LIST == 72, "BCH_MAX_OWNER_LIST");
_Static_assert(BCH_MAX_PGALLOC_RECS == 2046, "BCH_MAX_PGALLOC_RECS");

CHECK_SIZE(bch_nvm_pages_sb, 232);
CHECK_OFF(bch_nvm_pages_sb, csum, 0);
CHECK_OFF(bch_nvm_pages_sb, ns_start, 8);
CHECK_OFF(bch_nvm_pages_sb, sb_offset, 16);
CHECK_OFF(bch_nvm_pages_sb, version, 24);
CHECK_OFF(bch_nvm_pages_sb, magic, 32);
CHECK_OFF(bch_nvm_pages_sb, uuid, 48);
CHECK_OFF(bch_nvm_pages_sb, page_size, 64);
CHECK_OFF(bch_nvm_pages_sb, total_namespaces_nr, 68);
CHECK_OFF(bch_nvm_pages_sb, this_namespace_nr, 72);
CHECK_OFF(bch_nvm_pages_sb, set_uuid, 80);
CHECK_OFF(bch_nvm_pages_sb, set_magic, 80);
CHECK_OFF(bch_nvm_pages_sb, flags, 96);
CHECK_OFF(bch_nvm_pages_sb, seq, 104);
CHECK_OFF(bch_nvm_pages_sb, feature_compat, 112);
CHECK_OFF(bch_nvm_pages_sb, feature_incompat, 120);
CHECK_OFF(bch_nvm_pages_sb, feature_ro_compat, 128);
CHECK_OFF(bch_nvm_pages_sb, pages_offset, 136);
CHECK_OFF(bch_nvm_pages_sb, pages_total, 144);
CHECK_OFF(bch_nvm_pages_sb, pad, 152);
CHECK_OFF(bch_nvm_pages_sb, owner_list_head, 216);
CHECK_OFF(bch_nvm_pages_sb, keys, 224);
CHECK_OFF(bch_nvm_pages_sb, d, 232);

/* The nvmpg (v12/v13) revision. */
CHECK_SIZE(bch_nvmpg_rec, 8);

CHECK_SIZE(bch_nvmpg_recs, 8192);
CHECK_OFF(bch_nvmpg_recs, head_offset, 0);
CHECK_OFF(bch_nvmpg_recs, next_offset, 8);
CHECK_OFF(bch_nvmpg_recs, magic, 16);
CHECK_OFF(bch_nvmpg_recs, uuid, 32);
CHECK_OFF(bch_nvmpg_recs, size, 48);
CHECK_OFF(bch_nvmpg_recs, used, 52);
CHECK_OFF(bch_nvmpg_recs, _pad, 56);
CHECK_OFF(bch_nvmpg_recs, recs, 88);
_Static_assert(BCH_NVMPG_MAX_RECS == 1013, "BCH_NVMPG_MAX_RECS");

CHECK_SIZE(bch_nvmpg_head, 120);
CHECK_OFF(bch_nvmpg_head, uuid, 0);
CHECK_OFF(bch_nvmpg_head, label, 16);
CHECK_OFF(bch_nvmpg_head, state, 48);
CHECK_OFF(bch_nvmpg_head, flags, 52);
CHECK_OFF(bch_nvmpg_head, recs_offset, 56);

CHECK_SIZE(bch_nvmpg_set_header, 8192);
CHECK_OFF(bch_nvmpg_set_header, size, 0);
CHECK_OFF(bch_nvmpg_set_header, used, 4);
CHECK_OFF(bch_nvmpg_set_header, _pad, 8);
CHECK_OFF(bch_nvmpg_set_header, heads, 40);
_Static_assert(BCH_NVMPG_MAX_HEADS == 67, "BCH_NVMPG_MAX_HEADS");
_Static_assert(offsetof(struct bch_nvmpg_set_header, heads) +
	       sizeof(struct bch_nvmpg_head) * BCH_NVMPG_MAX_HEADS == 8080, "heads end");

CHECK_SIZE(bch_nvmpg_sb, 232);
CHECK_OFF(bch_nvmpg_sb, csum, 0);
CHECK_OFF(bch_nvmpg_sb, sb_offset, 8);
CHECK_OFF(bch_nvmpg_sb, ns_start, 16);
CHECK_OFF(bch_nvmpg_sb, version, 24);
CHECK_OFF(bch_nvmpg_sb, magic, 32);
CHECK_OFF(bch_nvmpg_sb, uuid, 48);
CHECK_OFF(bch_nvmpg_sb, page_size, 64);
CHECK_OFF(bch_nvmpg_sb, total_ns, 68);
CHECK_OFF(bch_nvmpg_sb, this_ns, 72);
CHECK_OFF(bch_nvmpg_sb, set_uuid, 80);
CHECK_OFF(bch_nvmpg_sb, set_magic, 80);
CHECK_OFF(bch_nvmpg_sb, flags, 96);
CHECK_OFF(bch_nvmpg_sb, seq, 104);
CHECK_OFF(bch_nvmpg_sb, feature_compat, 112);
CHECK_OFF(bch_nvmpg_sb, feature_incompat, 120);
CHECK_OFF(bch_nvmpg_sb, feature_ro_compat, 128);
CHECK_OFF(bch_nvmpg_sb, pages_offset, 136);
CHECK_OFF(bch_nvmpg_sb, pages_total, 144);
CHECK_OFF(bch_nvmpg_sb, pad, 152);
CHECK_OFF(bch_nvmpg_sb, set_header_offset, 216);
CHECK_OFF(bch_nvmpg_sb, keys, 224);
CHECK_OFF(bch_nvmpg_sb, d, 232);
/* The fields both revisions share sit at the same offsets. */
_Static_assert(offsetof(struct bch_nvmpg_sb, set_header_offset) ==
	       offsetof(struct bch_nvm_pages_sb, owner_list_head), "table pointer");
_Static_assert(offsetof(struct bch_nvmpg_recs, recs) ==
	       offsetof(struct bch_nvm_pgalloc_recs, recs), "records");

CHECK_SIZE(bkey, 16);
CHECK_SIZE(bkey_padded, 64);

CHECK_SIZE(cache_sb_disk, 2264);
CHECK_OFF(cache_sb_disk, csum, 0);
CHECK_OFF(cache_sb_disk, offset, 8);
CHECK_OFF(cache_sb_disk, version, 16);
CHECK_OFF(cache_sb_disk, magic, 24);
CHECK_OFF(cache_sb_disk, uuid, 40);
CHECK_OFF(cache_sb_disk, set_uuid, 56);
CHECK_OFF(cache_sb_disk, set_magic, 56);
CHECK_OFF(cache_sb_disk, label, 72);
CHECK_OFF(cache_sb_disk, flags, 104);
CHECK_OFF(cache_sb_disk, seq, 112);
CHECK_OFF(cache_sb_disk, feature_compat, 120);
CHECK_OFF(cache_sb_disk, feature_incompat, 128);
CHECK_OFF(cache_sb_disk, feature_ro_compat, 136);
CHECK_OFF(cache_sb_disk, pad, 144);
CHECK_OFF(cache_sb_disk, nbuckets, 184);
CHECK_OFF(cache_sb_disk, data_offset, 184);
CHECK_OFF(cache_sb_disk, block_size, 192);
CHECK_OFF(cache_sb_disk, bucket_size, 194);
CHECK_OFF(cache_sb_disk, nr_in_set, 196);
CHECK_OFF(cache_sb_disk, nr_this_dev, 198);
CHECK_OFF(cache_sb_disk, last_mount, 200);
CHECK_OFF(cache_sb_disk, first_bucket, 204);
CHECK_OFF(cache_sb_disk, keys, 206);
CHECK_OFF(cache_sb_disk, njournal_buckets, 206);
CHECK_OFF(cache_sb_disk, d, 208);
CHECK_OFF(cache_sb_disk, obso_bucket_size_hi, 2256);

CHECK_SIZE(jset, 240);
CHECK_OFF(jset, csum, 0);
CHECK_OFF(jset, magic, 8);
CHECK_OFF(jset, seq, 16);
CHECK_OFF(jset, version, 24);
CHECK_OFF(jset, keys, 28);
CHECK_OFF(jset, last_seq, 32);
CHECK_OFF(jset, uuid_bucket, 40);
CHECK_OFF(jset, btree_root, 104);
CHECK_OFF(jset, btree_level, 168);
CHECK_OFF(jset, pad, 170);
CHECK_OFF(jset, prio_bucket, 176);
CHECK_OFF(jset, d, 240);
