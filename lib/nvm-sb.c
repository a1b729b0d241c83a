// SPDX-License-Identifier: GPL-2.0
/* nvm-pages superblock: decode, checksum, revision detection. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <bcache/csum.h>
#include <bcache/media.h>
#include <bcache/nvm.h>

const uint8_t bch_nvm_sb_magic[16] = BCH_NVM_PAGES_SB_MAGIC_BYTES;
const uint8_t bch_nvm_recs_magic[16] = BCH_NVM_PAGES_PGALLOC_MAGIC_BYTES;

int bch_nvm_sb_csum(const void *sb, size_t avail, uint64_t *out)
{
	const struct bch_nvm_pages_sb *s = sb;

	if (avail < BCH_NVM_SB_SIZE)
		return -ERANGE;
	return bch_csum_set(sb, avail, BCH_NVM_SB_SIZE, s->keys, out);
}

int bch_nvm_sb_update_csum(struct bch_nvm_pages_sb *sb)
{
	if (sb->keys)
		return -EINVAL;	/* d[] is not part of struct-sized buffers */
	uint64_t csum;
	int rc = bch_nvm_sb_csum(sb, BCH_NVM_SB_SIZE, &csum);

	if (!rc)
		sb->csum = csum;
	return rc;
}

const char *bch_nvm_revision_name(enum bch_nvm_revision rev)
{
	switch (rev) {
	case BCH_NVM_REV_NONE:
		return "none";
	case BCH_NVM_REV_V7:
		return "v7";
	case BCH_NVM_REV_V12:
		return "v12/v13";
	case BCH_NVM_REV_UNKNOWN:
		return "unknown";
	}
	return "?";
}

/* bcache-nvm-pages(5), NVMPG: v7 or nvmpg from the superblock alone. */
static enum bch_nvm_revision detect_revision(const struct bch_nvm_pages_sb *sb)
{
	uint64_t a = sb->ns_start, b = sb->sb_offset;
	uint32_t t = sb->this_namespace_nr;
	int v12 = (a & ((1ULL << 61) - 1)) == BCH_NVM_PAGES_SB_OFFSET && (a >> 61) == t;

	if (memcmp(sb->magic, bch_nvm_sb_magic, 16))
		return BCH_NVM_REV_NONE;
	if (b == BCH_NVM_PAGES_SB_OFFSET)
		return BCH_NVM_REV_V7;	/* a != 0 is a v7 ns_start to report */
	if (v12)
		return BCH_NVM_REV_V12;
	return BCH_NVM_REV_UNKNOWN;
}

void bch_nvm_sb_parse(const void *page, struct bch_nvm_sb_info *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(&out->sb, page, BCH_NVM_SB_SIZE);
	out->revision = detect_revision(&out->sb);
	if (bch_nvm_sb_csum(page, 4096, &out->csum_computed) < 0) {
		out->keys_overrun = true;
		out->csum_ok = false;
		return;
	}
	out->csum_ok = out->csum_computed == out->sb.csum;
}

int bch_nvm_sb_read(struct bch_media *m, struct bch_nvm_sb_info *out)
{
	unsigned char page[4096];
	int rc;

	if (m->size < BCH_NVM_PAGES_SB_OFFSET + sizeof(page))
		return -ENODATA;
	rc = bch_media_read(m, page, sizeof(page), BCH_NVM_PAGES_SB_OFFSET);
	if (rc)
		return rc;
	bch_nvm_sb_parse(page, out);
	return 0;
}


int bch_nvm_sb_check(const struct bch_nvm_sb_info *sbi, uint64_t dev_bytes,
		     struct bch_problems *ps)
{
	const struct bch_nvm_pages_sb *sb = &sbi->sb;
	static const struct {
		const char *name;
		size_t off;
	} unused[] = {
		{ "version", offsetof(struct bch_nvm_pages_sb, version) },
		{ "flags", offsetof(struct bch_nvm_pages_sb, flags) },
		{ "seq", offsetof(struct bch_nvm_pages_sb, seq) },
		{ "feature_compat", offsetof(struct bch_nvm_pages_sb, feature_compat) },
		{ "feature_incompat", offsetof(struct bch_nvm_pages_sb, feature_incompat) },
		{ "feature_ro_compat", offsetof(struct bch_nvm_pages_sb, feature_ro_compat) },
	};
	int rc = 0;

#define ADD(code, field, ...) \
	do { if (!rc) rc = bch_problem_add(ps, BCH_P_##code, BCH_NVM_SB_AT(field), \
					   "sb." #field, __VA_ARGS__); } while (0)

	if (sbi->revision == BCH_NVM_REV_NONE) {
		ADD(SB_MAGIC, magic, "superblock magic not found");
		return rc;
	}
	if (sbi->revision == BCH_NVM_REV_V12)
		ADD(SB_REVISION_V12, ns_start, "u64 at +8 is 0x%llx (OFFSET(%u, 4096)) and "
		    "sb_offset is %llu: this is the v12/v13 nvmpg layout, not v7",
		    (unsigned long long)sb->ns_start, sb->this_namespace_nr,
		    (unsigned long long)sb->sb_offset);
	else if (sb->sb_offset != BCH_NVM_PAGES_SB_OFFSET)
		ADD(SB_OFFSET, sb_offset, "sb_offset is %llu, expected 4096",
		    (unsigned long long)sb->sb_offset);
	if (sbi->keys_overrun)
		ADD(SB_KEYS_RANGE, keys, "keys is %u: the checksum range would end beyond "
		    "the 4 KiB superblock page (at most %d)", sb->keys, BCH_NVM_SB_KEYS_MAX);
	else if (!sbi->csum_ok)
		ADD(SB_CSUM, csum, "csum is 0x%016llx, computed 0x%016llx",
		    (unsigned long long)sb->csum, (unsigned long long)sbi->csum_computed);
	if (sb->keys && !sbi->keys_overrun)
		ADD(SB_KEYS, keys, "keys is %u, expected 0 (it extends the checksum range)",
		    sb->keys);
	if (sb->total_namespaces_nr != 1)
		ADD(SB_TOTAL_NS, total_namespaces_nr, "total_namespaces_nr is %u; a v7 kernel "
		    "registers only 1", sb->total_namespaces_nr);
	if (sb->this_namespace_nr >= sb->total_namespaces_nr)
		ADD(SB_THIS_NS_RANGE, this_namespace_nr, "this_namespace_nr is %u, "
		    "total_namespaces_nr is %u", sb->this_namespace_nr,
		    sb->total_namespaces_nr);
	else if (sb->this_namespace_nr != 0)
		ADD(SB_THIS_NS_NONZERO, this_namespace_nr, "this_namespace_nr is %u: a v7 "
		    "kernel never loads owner info or free space for it",
		    sb->this_namespace_nr);
	if (sb->page_size != 4096)
		ADD(SB_PAGE_SIZE, page_size, "page_size is %u, expected 4096", sb->page_size);
	if (sb->page_size && sb->pages_total > dev_bytes / sb->page_size)
		ADD(SB_PAGES_TOTAL, pages_total, "pages_total is %llu, but the device has "
		    "%llu pages (%llu bytes)", (unsigned long long)sb->pages_total,
		    (unsigned long long)(dev_bytes / sb->page_size),
		    (unsigned long long)dev_bytes);
	if (sb->pages_offset != BCH_NVM_PAGES_OFFSET ||
	    (sb->page_size && sb->pages_offset % sb->page_size))
		ADD(SB_PAGES_OFFSET, pages_offset, "pages_offset is %llu, expected %llu",
		    (unsigned long long)sb->pages_offset,
		    (unsigned long long)BCH_NVM_PAGES_OFFSET);
	if (sb->ns_start && sbi->revision == BCH_NVM_REV_V7)
		ADD(SB_NS_START, ns_start, "ns_start is 0x%llx, expected 0; it is not used "
		    "for rebasing", (unsigned long long)sb->ns_start);
	for (size_t i = 0; i < sizeof(unused) / sizeof(unused[0]) && !rc; i++) {
		uint64_t v;

		memcpy(&v, (const unsigned char *)sb + unused[i].off, 8);
		if (v) {
			char where[32];

			snprintf(where, sizeof(where), "sb.%s", unused[i].name);
			rc = bch_problem_add(ps, BCH_P_SB_UNUSED_FIELD,
					     BCH_NVM_PAGES_SB_OFFSET + unused[i].off, where,
					     "%s is 0x%llx, expected 0", unused[i].name,
					     (unsigned long long)v);
		}
	}
	if (dev_bytes < BCH_NVM_MIN_DEVICE)
		ADD(DEV_TOO_SMALL, pages_total, "device has %llu bytes, less than 16 MiB + "
		    "1 page", (unsigned long long)dev_bytes);
	if (sb->this_namespace_nr == 0 && sb->owner_list_head == 0)
		ADD(SB_OLH_NULL, owner_list_head, "owner_list_head is 0 on namespace 0: the "
		    "v7 kernel BUGs at registration");
	else if (sb->owner_list_head && sb->owner_list_head != BCH_NVM_PAGES_OWNER_LIST_HEAD_OFFSET &&
		 sb->owner_list_head < BCH_NVM_KERNEL_ADDR_MIN)
		ADD(SB_OLH_WILD, owner_list_head, "owner_list_head is 0x%llx: neither 8192 "
		    "nor a kernel address", (unsigned long long)sb->owner_list_head);
#undef ADD
	return rc;
}
