// SPDX-License-Identifier: GPL-2.0
/*
 * The two revisions of the nvm-pages format as data (bcache-nvm-pages(5),
 * NVMPG): v7 and the later nvmpg layout of v12/v13.
 */
#include <stddef.h>

#include <bcache/fields.h>
#include <bcache/nvm.h>

const struct bch_nvm_layout bch_nvm_layout_v7 = {
	.revision = BCH_NVM_REV_V7,
	.name = "v7",
	.sb_offset_at = offsetof(struct bch_nvm_pages_sb, sb_offset),
	.ns_start_at = offsetof(struct bch_nvm_pages_sb, ns_start),
	.head_size = sizeof(struct bch_nvm_pages_owner_head),
	.head_recs_at = offsetof(struct bch_nvm_pages_owner_head, recs),
	.head_state_at = -1,
	.max_heads = BCH_MAX_OWNER_LIST,
	.max_slots = BCH_MAX_PGALLOC_RECS,
	.sys_label = BCH_NVM_PAGES_SYS_LABEL,
	.rec_reserved_shift = BCH_PGALLOC_REC_RESERVED_SHIFT,
	.rec_reserved_mask = BCH_PGALLOC_REC_RESERVED_MASK,
	.lookup_by_used = true,
	.total_name = "total_namespaces_nr",
	.this_name = "this_namespace_nr",
	.table_name = "owner_list_head",
	.recs_name = "record page",
	.sb_desc = &bch_desc_nvm_sb,
	.table_desc = &bch_desc_owner_list_head,
	.head_desc = &bch_desc_owner_head,
	.recs_desc = &bch_desc_pgalloc_recs,
};

const struct bch_nvm_layout bch_nvm_layout_nvmpg = {
	.revision = BCH_NVM_REV_V12,
	.name = "nvmpg",
	.sb_offset_at = offsetof(struct bch_nvmpg_sb, sb_offset),
	.ns_start_at = offsetof(struct bch_nvmpg_sb, ns_start),
	.head_size = sizeof(struct bch_nvmpg_head),
	.head_recs_at = offsetof(struct bch_nvmpg_head, recs_offset),
	.head_state_at = offsetof(struct bch_nvmpg_head, state),
	.max_heads = BCH_NVMPG_MAX_HEADS,
	.max_slots = BCH_NVMPG_MAX_PGALLOC_RECS,
	.sys_label = BCH_NVMPG_SYSRECS_LABEL,
	.nvmpg_ptrs = true,
	.rec_ns_id_shift = BCH_NVMPG_REC_NS_ID_SHIFT,
	.rec_reserved_shift = BCH_NVMPG_REC_RESERVED_SHIFT,
	.rec_reserved_mask = BCH_NVMPG_REC_RESERVED_MASK,
	.used_must_match = true,
	.total_name = "total_ns",
	.this_name = "this_ns",
	.table_name = "set_header",
	.recs_name = "record list",
	.sb_desc = &bch_desc_nvmpg_sb,
	.table_desc = &bch_desc_nvmpg_set_header,
	.head_desc = &bch_desc_nvmpg_head,
	.recs_desc = &bch_desc_nvmpg_recs,
};

const struct bch_nvm_layout *bch_nvm_layout_of(enum bch_nvm_revision rev)
{
	return rev == BCH_NVM_REV_V12 ? &bch_nvm_layout_nvmpg : &bch_nvm_layout_v7;
}
