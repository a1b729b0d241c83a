// SPDX-License-Identifier: GPL-2.0
/*
 * The fresh layout of bcache-nvm-pages(5), FRESH NAMESPACE, and its crash-safe
 * write: the old superblock is invalidated first, the metadata area and the
 * owner structures are written and persisted, and the superblock comes last.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <bcache/media.h>
#include <bcache/nvm.h>

bool bch_nvm_format_has_table(const struct bch_nvm_format *f)
{
	return f->this_namespace_nr == 0 || f->revision == BCH_NVM_REV_V12;
}

/*
 * nvmpg, as the v13-era formatter (bcache-tools, nvdimm_meta branch) writes
 * it: sb_offset plain 4096 even on namespaces other than 0, ns_start 0,
 * pages_offset a byte count, pages_total the whole device; the set header
 * and the system list on every namespace; the checksum over the superblock
 * only.
 */
static void build_nvmpg(const struct bch_nvm_format *f, uint32_t page_size,
			struct bch_nvm_pages_sb *sb_out, struct bch_owner_list_head *olh,
			struct bch_nvm_pgalloc_recs *sys_out)
{
	static struct bch_nvmpg_set_header h;
	static struct bch_nvmpg_recs sys;
	struct bch_nvmpg_sb sb;

	memset(&sb, 0, sizeof(sb));
	memset(&h, 0, sizeof(h));
	memset(&sys, 0, sizeof(sys));
	sb.sb_offset = BCH_NVMPG_SB_OFFSET;
	sb.version = BCH_NVMPG_SB_VERSION;
	memcpy(sb.magic, bch_nvm_sb_magic, 16);
	memcpy(sb.uuid, f->uuid, 16);
	sb.page_size = page_size;
	sb.total_ns = f->total_namespaces_nr;
	sb.this_ns = f->this_namespace_nr;
	memcpy(sb.set_uuid, f->set_uuid, 16);
	sb.pages_offset = BCH_NVMPG_START;
	sb.pages_total = f->device_bytes / page_size;
	sb.set_header_offset = f->this_namespace_nr == 0 ? BCH_NVMPG_RECLIST_HEAD_OFFSET : 0;

	h.size = BCH_NVMPG_MAX_HEADS;
	h.used = 1;
	memcpy(h.heads[0].uuid, f->set_uuid, 16);
	memcpy(h.heads[0].label, BCH_NVMPG_SYSRECS_LABEL, sizeof(BCH_NVMPG_SYSRECS_LABEL));
	h.heads[0].state = BCH_NVMPG_HD_STAT_ALLOC;
	h.heads[0].recs_offset[0] = BCH_NVMPG_SYSRECS_OFFSET;

	sys.head_offset = BCH_NVMPG_RECLIST_HEAD_OFFSET + offsetof(struct bch_nvmpg_set_header,
								    heads);
	memcpy(sys.magic, bch_nvm_recs_magic, 16);
	memcpy(sys.uuid, f->set_uuid, 16);
	sys.size = BCH_NVMPG_MAX_RECS;

	_Static_assert(sizeof(sb) == sizeof(*sb_out) && sizeof(h) == sizeof(*olh) &&
		       sizeof(sys) == sizeof(*sys_out), "same sizes");
	memcpy(sb_out, &sb, sizeof(sb));
	memcpy(olh, &h, sizeof(h));
	memcpy(sys_out, &sys, sizeof(sys));
}

int bch_nvm_format_build(const struct bch_nvm_format *f,
			 struct bch_nvm_pages_sb *sb,
			 struct bch_owner_list_head *olh,
			 struct bch_nvm_pgalloc_recs *sys)
{
	uint32_t page_size = f->page_size ? f->page_size : 4096;

	if (f->device_bytes < BCH_NVM_MIN_DEVICE)
		return -ENOSPC;
	if (f->total_namespaces_nr == 0 || f->this_namespace_nr >= f->total_namespaces_nr)
		return -EINVAL;
	if (f->revision == BCH_NVM_REV_V12) {
		build_nvmpg(f, page_size, sb, olh, sys);
		return bch_nvm_sb_update_csum(sb);
	}

	memset(sb, 0, sizeof(*sb));
	sb->sb_offset = BCH_NVM_PAGES_SB_OFFSET;
	sb->version = BCH_NVM_PAGES_SB_VERSION;
	memcpy(sb->magic, bch_nvm_sb_magic, 16);
	memcpy(sb->uuid, f->uuid, 16);
	sb->page_size = page_size;
	sb->total_namespaces_nr = f->total_namespaces_nr;
	sb->this_namespace_nr = f->this_namespace_nr;
	memcpy(sb->set_uuid, f->set_uuid, 16);
	sb->pages_offset = BCH_NVM_PAGES_OFFSET;
	sb->pages_total = f->device_bytes / page_size;
	sb->owner_list_head = f->this_namespace_nr == 0 ?
			      BCH_NVM_PAGES_OWNER_LIST_HEAD_OFFSET : 0;

	memset(olh, 0, sizeof(*olh));
	memset(sys, 0, sizeof(*sys));
	if (f->this_namespace_nr == 0) {
		olh->size = BCH_MAX_OWNER_LIST;
		olh->used = 1;
		memcpy(olh->heads[0].uuid, f->set_uuid, 16);
		memcpy(olh->heads[0].label, BCH_NVM_PAGES_SYS_LABEL,
		       sizeof(BCH_NVM_PAGES_SYS_LABEL));
		olh->heads[0].recs[0] = BCH_NVM_PAGES_SYS_RECS_HEAD_OFFSET;

		sys->owner = BCH_NVM_HEAD_OFFSET(0);
		sys->next = 0;
		memcpy(sys->magic, bch_nvm_recs_magic, 16);
		memcpy(sys->owner_uuid, f->set_uuid, 16);
		sys->size = BCH_MAX_RECS;
		sys->used = 0;
	}
	return bch_nvm_sb_update_csum(sb);
}

static int step_done(bch_nvm_format_hook hook, void *arg, enum bch_nvm_format_step s)
{
	return hook && hook(s, arg) ? -ECANCELED : 0;
}

int bch_nvm_format_write(struct bch_media *m, const struct bch_nvm_format *f,
			 bch_nvm_format_hook hook, void *arg)
{
	struct bch_nvm_pages_sb sb;
	struct bch_owner_list_head *olh;
	struct bch_nvm_pgalloc_recs *sys;
	int rc;

	if (f->device_bytes != m->size)
		return -EINVAL;
	olh = malloc(sizeof(*olh));
	sys = malloc(sizeof(*sys));
	if (!olh || !sys) {
		rc = -ENOMEM;
		goto out;
	}
	rc = bch_nvm_format_build(f, &sb, olh, sys);
	if (rc)
		goto out;

	/* 1: no valid-looking superblock may survive over partial structures */
	rc = bch_media_zero(m, BCH_NVM_PAGES_SB_OFFSET, 4096);
	if (!rc)
		rc = bch_media_persist(m);
	if (!rc)
		rc = step_done(hook, arg, BCH_FMT_STEP_INVALIDATE_SB);
	/* 2: the rest of the metadata area */
	if (!rc)
		rc = bch_media_zero(m, 0, BCH_NVM_PAGES_SB_OFFSET);
	if (!rc)
		rc = bch_media_zero(m, 2 * 4096, BCH_NVM_PAGES_OFFSET - 2 * 4096);
	if (!rc)
		rc = step_done(hook, arg, BCH_FMT_STEP_ZERO_AREA);
	/* 3, 4: the whole owner table and the whole system record page */
	if (!rc && bch_nvm_format_has_table(f)) {
		rc = bch_media_write(m, olh, sizeof(*olh),
				     BCH_NVM_PAGES_OWNER_LIST_HEAD_OFFSET);
		if (!rc)
			rc = step_done(hook, arg, BCH_FMT_STEP_OWNER_TABLE);
		if (!rc)
			rc = bch_media_write(m, sys, sizeof(*sys),
					     BCH_NVM_PAGES_SYS_RECS_HEAD_OFFSET);
	}
	if (!rc)
		rc = bch_media_persist(m);
	if (!rc)
		rc = step_done(hook, arg, BCH_FMT_STEP_SYS_RECS);
	/* 5: the superblock, last */
	if (!rc)
		rc = bch_media_write(m, &sb, sizeof(sb), BCH_NVM_PAGES_SB_OFFSET);
	if (!rc)
		rc = bch_media_persist(m);
	if (!rc)
		rc = step_done(hook, arg, BCH_FMT_STEP_SUPERBLOCK);
out:
	free(olh);
	free(sys);
	return rc;
}
