// SPDX-License-Identifier: GPL-2.0
/* nvm-pages superblock: decode, checksum, revision detection. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <bcache/csum.h>
#include <bcache/fields.h>
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
		return "nvmpg";
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

void bch_nvm_sb_set_revision(struct bch_nvm_sb_info *sbi, enum bch_nvm_revision rev)
{
	const unsigned char *sb = (const void *)&sbi->sb;

	sbi->revision = rev;
	sbi->lay = bch_nvm_layout_of(rev);
	memcpy(&sbi->sb_offset, sb + sbi->lay->sb_offset_at, 8);
	memcpy(&sbi->ns_start, sb + sbi->lay->ns_start_at, 8);
}

void bch_nvm_sb_parse(const void *page, struct bch_nvm_sb_info *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(&out->sb, page, BCH_NVM_SB_SIZE);
	bch_nvm_sb_set_revision(out, detect_revision(&out->sb));
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


/* Where the v13 kernel requires a structure: OFFSET(this_ns, off). */
static uint64_t nvmpg_at(const struct bch_nvm_pages_sb *sb, uint64_t off)
{
	return BCH_NVMPG_OFFSET(sb->this_namespace_nr, off);
}

/* Fields no kernel of the revision reads: 0 as make -M writes them. */
static int check_unused(const struct bch_nvm_sb_info *sbi, struct bch_problems *ps)
{
	static const char *const names[] = {
		"ns_start", "version", "flags", "seq", "feature_compat", "feature_incompat",
		"feature_ro_compat",
	};
	const struct bch_nvm_layout *l = sbi->lay;
	int rc = 0;

	/* v7's ns_start has its own code (SB_NS_START) */
	for (size_t i = l->nvmpg_ptrs ? 0 : 1; i < sizeof(names) / sizeof(names[0]) && !rc; i++) {
		const struct bch_field *f = bch_field_find(l->sb_desc, names[i]);
		uint64_t v = bch_field_uint(f, &sbi->sb);
		char where[32];

		if (!v)
			continue;
		snprintf(where, sizeof(where), "sb.%s", names[i]);
		rc = bch_problem_add(ps, BCH_P_SB_UNUSED_FIELD, BCH_NVM_PAGES_SB_OFFSET + f->offset,
				     where, "%s is 0x%llx, expected 0", names[i],
				     (unsigned long long)v);
	}
	return rc;
}

int bch_nvm_sb_problem(struct bch_problems *ps, enum bch_problem_code code, uint64_t offset,
		       const char *field, const char *fmt, ...)
{
	char where[40];
	va_list ap;
	int rc;

	snprintf(where, sizeof(where), "sb.%s", field);
	va_start(ap, fmt);
	rc = bch_problem_vadd(ps, code, offset, where, fmt, ap);
	va_end(ap);
	return rc;
}

int bch_nvm_sb_check(const struct bch_nvm_sb_info *sbi, uint64_t dev_bytes,
		     struct bch_problems *ps)
{
	const struct bch_nvm_pages_sb *sb = &sbi->sb;
	const struct bch_nvm_layout *l = sbi->lay;
	bool pg = l->nvmpg_ptrs;
	uint64_t want_sb = pg ? nvmpg_at(sb, BCH_NVM_PAGES_SB_OFFSET) : BCH_NVM_PAGES_SB_OFFSET;
	uint64_t sb_offset_at = BCH_NVM_PAGES_SB_OFFSET + l->sb_offset_at;
	const char *kernel = pg ? "v13" : "v7";
	int rc = 0;

#define ADD(code, field, ...) \
	do { if (!rc) rc = bch_problem_add(ps, BCH_P_##code, BCH_NVM_SB_AT(field), \
					   "sb." #field, __VA_ARGS__); } while (0)
/* a field whose name differs between the revisions (l->total_name, ...) */
#define ADD_AS(code, field, name, ...) \
	do { if (!rc) rc = bch_nvm_sb_problem(ps, BCH_P_##code, BCH_NVM_SB_AT(field), \
					      name, __VA_ARGS__); } while (0)

	if (sbi->revision == BCH_NVM_REV_NONE) {
		ADD(SB_MAGIC, magic, "superblock magic not found");
		return rc;
	}
	if (sbi->sb_offset != want_sb)
		rc = bch_problem_add(ps, BCH_P_SB_OFFSET, sb_offset_at, "sb.sb_offset",
				     "sb_offset is 0x%llx, expected 0x%llx%s",
				     (unsigned long long)sbi->sb_offset,
				     (unsigned long long)want_sb,
				     pg ? " (OFFSET(this_ns, 4096))" : "");
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
		ADD_AS(SB_TOTAL_NS, total_namespaces_nr, l->total_name, "%s is %u; a %s kernel "
		       "registers only 1", l->total_name, sb->total_namespaces_nr, kernel);
	if (sb->this_namespace_nr >= sb->total_namespaces_nr)
		ADD_AS(SB_THIS_NS_RANGE, this_namespace_nr, l->this_name, "%s is %u, %s is %u",
		       l->this_name, sb->this_namespace_nr, l->total_name,
		       sb->total_namespaces_nr);
	else if (sb->this_namespace_nr != 0)
		ADD_AS(SB_THIS_NS_NONZERO, this_namespace_nr, l->this_name, "%s is %u: a %s "
		       "kernel never loads owner info or free space for it", l->this_name,
		       sb->this_namespace_nr, kernel);
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
	if (sbi->ns_start && !pg)
		ADD(SB_NS_START, ns_start, "ns_start is 0x%llx, expected 0; it is not used "
		    "for rebasing", (unsigned long long)sbi->ns_start);
	if (!rc)
		rc = check_unused(sbi, ps);
	if (dev_bytes < BCH_NVM_MIN_DEVICE)
		ADD(DEV_TOO_SMALL, pages_total, "device has %llu bytes, less than 16 MiB + "
		    "1 page", (unsigned long long)dev_bytes);
	if (pg) {
		uint64_t want = nvmpg_at(sb, BCH_NVMPG_RECLIST_HEAD_OFFSET);

		if (sb->owner_list_head != want)
			rc = rc ? rc : bch_problem_add(ps, BCH_P_SB_HEADER_OFFSET,
				BCH_NVM_SB_AT(owner_list_head), "sb.set_header_offset",
				"set_header_offset is 0x%llx, expected 0x%llx "
				"(OFFSET(this_ns, 8192)): the v13 kernel refuses the namespace",
				(unsigned long long)sb->owner_list_head,
				(unsigned long long)want);
		/* the posted v13 code's replay defect, for every nvmpg namespace;
		 * its registration BUG comes with the walk (nvm-walk.c) */
		if (!rc)
			rc = bch_problem_add(ps, BCH_P_NVMPG_V13_REPLAY, BCH_NVM_SB_AT(owner_list_head),
					     "sb.set_header_offset", "an unmodified v13 kernel "
					     "cannot replay a journal kept here once the cache "
					     "device's d[0] is set (\"cannot allocate memory for "
					     "journal\")");
	} else if (sb->this_namespace_nr == 0 && sb->owner_list_head == 0) {
		ADD(SB_OLH_NULL, owner_list_head, "owner_list_head is 0 on namespace 0: the "
		    "v7 kernel BUGs at registration");
	} else if (sb->owner_list_head && sb->owner_list_head != BCH_NVM_PAGES_OWNER_LIST_HEAD_OFFSET &&
		 sb->owner_list_head < BCH_NVM_KERNEL_ADDR_MIN) {
		ADD(SB_OLH_WILD, owner_list_head, "owner_list_head is 0x%llx: neither 8192 "
		    "nor a kernel address", (unsigned long long)sb->owner_list_head);
	}
#undef ADD
	return rc;
}
