// SPDX-License-Identifier: GPL-2.0
/* Field catalogues of the on-media structs, and value formatting. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <uuid.h>

#include <linux/bcache-nvm.h>
#include <linux/bcache-nvmpg.h>
#include <linux/bcache.h>
#include <bcache/fields.h>
#include <bcache/text.h>

#define F(type, field, kind) \
	{ #field, offsetof(struct type, field), sizeof(((struct type *)0)->field), kind }
#define FA(type, field, idx, kind) \
	{ #field "[" #idx "]", offsetof(struct type, field[idx]), \
	  sizeof(((struct type *)0)->field[idx]), kind }
#define DESC(var, type, name, tbl) \
	const struct bch_struct_desc var = { name, sizeof(struct type), tbl, \
					     sizeof(tbl) / sizeof(tbl[0]) }

static const struct bch_field nvm_sb_fields[] = {
	F(bch_nvm_pages_sb, csum, BCH_FK_HEX),
	F(bch_nvm_pages_sb, ns_start, BCH_FK_HEX),
	F(bch_nvm_pages_sb, sb_offset, BCH_FK_UINT),
	F(bch_nvm_pages_sb, version, BCH_FK_UINT),
	F(bch_nvm_pages_sb, magic, BCH_FK_MAGIC),
	F(bch_nvm_pages_sb, uuid, BCH_FK_UUID),
	F(bch_nvm_pages_sb, page_size, BCH_FK_UINT),
	F(bch_nvm_pages_sb, total_namespaces_nr, BCH_FK_UINT),
	F(bch_nvm_pages_sb, this_namespace_nr, BCH_FK_UINT),
	{ "__pad76", 76, 4, BCH_FK_PAD },
	F(bch_nvm_pages_sb, set_uuid, BCH_FK_UUID),
	F(bch_nvm_pages_sb, flags, BCH_FK_HEX),
	F(bch_nvm_pages_sb, seq, BCH_FK_UINT),
	F(bch_nvm_pages_sb, feature_compat, BCH_FK_HEX),
	F(bch_nvm_pages_sb, feature_incompat, BCH_FK_HEX),
	F(bch_nvm_pages_sb, feature_ro_compat, BCH_FK_HEX),
	F(bch_nvm_pages_sb, pages_offset, BCH_FK_UINT),
	F(bch_nvm_pages_sb, pages_total, BCH_FK_UINT),
	F(bch_nvm_pages_sb, pad, BCH_FK_PAD),
	F(bch_nvm_pages_sb, owner_list_head, BCH_FK_PTR),
	F(bch_nvm_pages_sb, keys, BCH_FK_UINT),
	{ "__pad228", 228, 4, BCH_FK_PAD },
};
DESC(bch_desc_nvm_sb, bch_nvm_pages_sb, "bch_nvm_pages_sb", nvm_sb_fields);

static const struct bch_field owner_list_fields[] = {
	F(bch_owner_list_head, size, BCH_FK_UINT),
	F(bch_owner_list_head, used, BCH_FK_UINT),
	F(bch_owner_list_head, _pad, BCH_FK_PAD),
};
const struct bch_struct_desc bch_desc_owner_list_head = {
	"bch_owner_list_head", 40, owner_list_fields,
	sizeof(owner_list_fields) / sizeof(owner_list_fields[0])
};

static const struct bch_field owner_head_fields[] = {
	F(bch_nvm_pages_owner_head, uuid, BCH_FK_UUID),
	F(bch_nvm_pages_owner_head, label, BCH_FK_LABEL),
	FA(bch_nvm_pages_owner_head, recs, 0, BCH_FK_PTR),
	FA(bch_nvm_pages_owner_head, recs, 1, BCH_FK_PTR),
	FA(bch_nvm_pages_owner_head, recs, 2, BCH_FK_PTR),
	FA(bch_nvm_pages_owner_head, recs, 3, BCH_FK_PTR),
	FA(bch_nvm_pages_owner_head, recs, 4, BCH_FK_PTR),
	FA(bch_nvm_pages_owner_head, recs, 5, BCH_FK_PTR),
	FA(bch_nvm_pages_owner_head, recs, 6, BCH_FK_PTR),
	FA(bch_nvm_pages_owner_head, recs, 7, BCH_FK_PTR),
};
DESC(bch_desc_owner_head, bch_nvm_pages_owner_head, "bch_nvm_pages_owner_head",
     owner_head_fields);

static const struct bch_field recs_fields[] = {
	F(bch_nvm_pgalloc_recs, owner, BCH_FK_PTR),
	F(bch_nvm_pgalloc_recs, next, BCH_FK_PTR),
	F(bch_nvm_pgalloc_recs, magic, BCH_FK_MAGIC),
	F(bch_nvm_pgalloc_recs, owner_uuid, BCH_FK_UUID),
	F(bch_nvm_pgalloc_recs, size, BCH_FK_UINT),
	F(bch_nvm_pgalloc_recs, used, BCH_FK_UINT),
	F(bch_nvm_pgalloc_recs, _pad, BCH_FK_PAD),
};
const struct bch_struct_desc bch_desc_pgalloc_recs = {
	"bch_nvm_pgalloc_recs", BCH_NVM_PAGES_RECS_HDR_SIZE, recs_fields,
	sizeof(recs_fields) / sizeof(recs_fields[0])
};

/* The nvmpg (v12/v13) revision. */
static const struct bch_field nvmpg_sb_fields[] = {
	F(bch_nvmpg_sb, csum, BCH_FK_HEX),
	F(bch_nvmpg_sb, sb_offset, BCH_FK_PTR),
	F(bch_nvmpg_sb, ns_start, BCH_FK_HEX),
	F(bch_nvmpg_sb, version, BCH_FK_UINT),
	F(bch_nvmpg_sb, magic, BCH_FK_MAGIC),
	F(bch_nvmpg_sb, uuid, BCH_FK_UUID),
	F(bch_nvmpg_sb, page_size, BCH_FK_UINT),
	F(bch_nvmpg_sb, total_ns, BCH_FK_UINT),
	F(bch_nvmpg_sb, this_ns, BCH_FK_UINT),
	{ "__pad76", 76, 4, BCH_FK_PAD },
	F(bch_nvmpg_sb, set_uuid, BCH_FK_UUID),
	F(bch_nvmpg_sb, flags, BCH_FK_HEX),
	F(bch_nvmpg_sb, seq, BCH_FK_UINT),
	F(bch_nvmpg_sb, feature_compat, BCH_FK_HEX),
	F(bch_nvmpg_sb, feature_incompat, BCH_FK_HEX),
	F(bch_nvmpg_sb, feature_ro_compat, BCH_FK_HEX),
	F(bch_nvmpg_sb, pages_offset, BCH_FK_UINT),
	F(bch_nvmpg_sb, pages_total, BCH_FK_UINT),
	F(bch_nvmpg_sb, pad, BCH_FK_PAD),
	F(bch_nvmpg_sb, set_header_offset, BCH_FK_PTR),
	F(bch_nvmpg_sb, keys, BCH_FK_UINT),
	{ "__pad228", 228, 4, BCH_FK_PAD },
};
DESC(bch_desc_nvmpg_sb, bch_nvmpg_sb, "bch_nvmpg_sb", nvmpg_sb_fields);

static const struct bch_field set_header_fields[] = {
	F(bch_nvmpg_set_header, size, BCH_FK_UINT),
	F(bch_nvmpg_set_header, used, BCH_FK_UINT),
	F(bch_nvmpg_set_header, _pad, BCH_FK_PAD),
};
const struct bch_struct_desc bch_desc_nvmpg_set_header = {
	"bch_nvmpg_set_header", BCH_NVMPG_SET_HDR_PREFIX, set_header_fields,
	sizeof(set_header_fields) / sizeof(set_header_fields[0])
};

static const struct bch_field nvmpg_head_fields[] = {
	F(bch_nvmpg_head, uuid, BCH_FK_UUID),
	F(bch_nvmpg_head, label, BCH_FK_LABEL),
	F(bch_nvmpg_head, state, BCH_FK_UINT),
	F(bch_nvmpg_head, flags, BCH_FK_HEX),
	FA(bch_nvmpg_head, recs_offset, 0, BCH_FK_PTR),
	FA(bch_nvmpg_head, recs_offset, 1, BCH_FK_PTR),
	FA(bch_nvmpg_head, recs_offset, 2, BCH_FK_PTR),
	FA(bch_nvmpg_head, recs_offset, 3, BCH_FK_PTR),
	FA(bch_nvmpg_head, recs_offset, 4, BCH_FK_PTR),
	FA(bch_nvmpg_head, recs_offset, 5, BCH_FK_PTR),
	FA(bch_nvmpg_head, recs_offset, 6, BCH_FK_PTR),
	FA(bch_nvmpg_head, recs_offset, 7, BCH_FK_PTR),
};
DESC(bch_desc_nvmpg_head, bch_nvmpg_head, "bch_nvmpg_head", nvmpg_head_fields);

static const struct bch_field nvmpg_recs_fields[] = {
	F(bch_nvmpg_recs, head_offset, BCH_FK_PTR),
	F(bch_nvmpg_recs, next_offset, BCH_FK_PTR),
	F(bch_nvmpg_recs, magic, BCH_FK_MAGIC),
	F(bch_nvmpg_recs, uuid, BCH_FK_UUID),
	F(bch_nvmpg_recs, size, BCH_FK_UINT),
	F(bch_nvmpg_recs, used, BCH_FK_UINT),
	F(bch_nvmpg_recs, _pad, BCH_FK_PAD),
};
const struct bch_struct_desc bch_desc_nvmpg_recs = {
	"bch_nvmpg_recs", BCH_NVMPG_RECS_HDR_SIZE, nvmpg_recs_fields,
	sizeof(nvmpg_recs_fields) / sizeof(nvmpg_recs_fields[0])
};

static const struct bch_field cache_sb_fields[] = {
	F(cache_sb_disk, csum, BCH_FK_HEX),
	F(cache_sb_disk, offset, BCH_FK_UINT),
	F(cache_sb_disk, version, BCH_FK_UINT),
	F(cache_sb_disk, magic, BCH_FK_MAGIC),
	F(cache_sb_disk, uuid, BCH_FK_UUID),
	F(cache_sb_disk, set_uuid, BCH_FK_UUID),
	F(cache_sb_disk, label, BCH_FK_LABEL),
	F(cache_sb_disk, flags, BCH_FK_HEX),
	F(cache_sb_disk, seq, BCH_FK_UINT),
	F(cache_sb_disk, feature_compat, BCH_FK_HEX),
	F(cache_sb_disk, feature_incompat, BCH_FK_HEX),
	F(cache_sb_disk, feature_ro_compat, BCH_FK_HEX),
	F(cache_sb_disk, pad, BCH_FK_PAD),
	F(cache_sb_disk, nbuckets, BCH_FK_UINT),
	F(cache_sb_disk, block_size, BCH_FK_UINT),
	F(cache_sb_disk, bucket_size, BCH_FK_UINT),
	F(cache_sb_disk, nr_in_set, BCH_FK_UINT),
	F(cache_sb_disk, nr_this_dev, BCH_FK_UINT),
	F(cache_sb_disk, last_mount, BCH_FK_UINT),
	F(cache_sb_disk, first_bucket, BCH_FK_UINT),
	F(cache_sb_disk, keys, BCH_FK_UINT),
	F(cache_sb_disk, obso_bucket_size_hi, BCH_FK_UINT),
};
DESC(bch_desc_cache_sb, cache_sb_disk, "cache_sb_disk", cache_sb_fields);

static const struct bch_field jset_fields[] = {
	F(jset, csum, BCH_FK_HEX),
	F(jset, magic, BCH_FK_HEX),
	F(jset, seq, BCH_FK_UINT),
	F(jset, version, BCH_FK_UINT),
	F(jset, keys, BCH_FK_UINT),
	F(jset, last_seq, BCH_FK_UINT),
	F(jset, uuid_bucket, BCH_FK_MAGIC),
	F(jset, btree_root, BCH_FK_MAGIC),
	F(jset, btree_level, BCH_FK_UINT),
	F(jset, pad, BCH_FK_PAD),
	FA(jset, prio_bucket, 0, BCH_FK_UINT),
	FA(jset, prio_bucket, 1, BCH_FK_UINT),
	FA(jset, prio_bucket, 2, BCH_FK_UINT),
	FA(jset, prio_bucket, 3, BCH_FK_UINT),
	FA(jset, prio_bucket, 4, BCH_FK_UINT),
	FA(jset, prio_bucket, 5, BCH_FK_UINT),
	FA(jset, prio_bucket, 6, BCH_FK_UINT),
	FA(jset, prio_bucket, 7, BCH_FK_UINT),
};
DESC(bch_desc_jset, jset, "jset", jset_fields);

const struct bch_field *bch_field_find(const struct bch_struct_desc *d,
				       const char *name)
{
	for (size_t i = 0; i < d->nfields; i++)
		if (!strcmp(d->fields[i].name, name))
			return &d->fields[i];
	return NULL;
}

uint64_t bch_field_uint(const struct bch_field *f, const void *base)
{
	const unsigned char *p = (const unsigned char *)base + f->offset;
	uint64_t v = 0;

	if (f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8)
		return 0;
	for (uint32_t i = 0; i < f->size; i++)	/* little-endian */
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

int bch_field_set_uint(const struct bch_field *f, void *base, uint64_t v)
{
	unsigned char *p = (unsigned char *)base + f->offset;

	if (f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8)
		return -EINVAL;
	for (uint32_t i = 0; i < f->size; i++)
		p[i] = (unsigned char)(v >> (8 * i) & 0xff);
	return 0;
}

int bch_field_is_zero(const struct bch_field *f, const void *base)
{
	const unsigned char *p = (const unsigned char *)base + f->offset;

	for (uint32_t i = 0; i < f->size; i++)
		if (p[i])
			return 0;
	return 1;
}

void bch_uuid_format(const uint8_t uuid[16], char out[37])
{
	uuid_unparse_lower(uuid, out);
}

int bch_uuid_parse(const char *s, uint8_t out[16])
{
	return uuid_parse(s, out) ? -EINVAL : 0;
}

static int format_bytes(const unsigned char *p, uint32_t n, char *buf, size_t len)
{
	size_t need = 2 * (size_t)n;

	if (len > need) {
		for (uint32_t i = 0; i < n; i++)
			snprintf(buf + 2 * i, 3, "%02x", p[i]);
	} else if (len) {
		buf[0] = '\0';
	}
	return (int)need;
}

int bch_label_format(const void *label, size_t size, char *buf, size_t len)
{
	const unsigned char *p = label;
	size_t n = strnlen(label, size), need = 0;

	/* printable text; anything else escaped as \xNN; tokens are not cut */
	for (size_t i = 0; i < n; i++) {
		char tmp[5];
		size_t w = bch_snappend(tmp, sizeof(tmp), 0, p[i] >= 0x20 && p[i] < 0x7f &&
					p[i] != '\\' ? "%c" : "\\x%02x", p[i]);

		if (need + w < len)
			memcpy(buf + need, tmp, w + 1);
		need += w;
	}
	if (!n && len)
		buf[0] = '\0';
	return (int)need;	/* at most 4 * size */
}

int bch_field_format(const struct bch_field *f, const void *base, char *buf,
		     size_t len)
{
	const unsigned char *p = (const unsigned char *)base + f->offset;
	char u[37];

	switch (f->kind) {
	case BCH_FK_UINT:
		return snprintf(buf, len, "%llu", (unsigned long long)bch_field_uint(f, base));
	case BCH_FK_HEX:
	case BCH_FK_PTR:
		return snprintf(buf, len, "0x%0*llx", f->kind == BCH_FK_HEX ? 2 * (int)f->size : 1,
				(unsigned long long)bch_field_uint(f, base));
	case BCH_FK_UUID:
		if (f->size != 16)
			return -EINVAL;
		bch_uuid_format(p, u);
		return snprintf(buf, len, "%s", u);
	case BCH_FK_LABEL:
		return bch_label_format(p, f->size, buf, len);
	case BCH_FK_MAGIC:
	case BCH_FK_PAD:
		return format_bytes(p, f->size, buf, len);
	}
	return -EINVAL;
}
