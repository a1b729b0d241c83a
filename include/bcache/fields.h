/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Field catalogues: one table per on-media struct, naming each field with its
 * offset, size and kind.  They drive text output, JSON keys, the hex dumper
 * and the test-only corruption tool, so the names always match the structs.
 */
#ifndef BCACHE_FIELDS_H
#define BCACHE_FIELDS_H

#include <stddef.h>
#include <stdint.h>

enum bch_field_kind {
	BCH_FK_UINT,	/* unsigned little-endian integer, printed in decimal */
	BCH_FK_HEX,	/* integer printed as 0x... (checksums, flags) */
	BCH_FK_PTR,	/* on-media pointer: 0x... */
	BCH_FK_UUID,	/* 16 bytes, printed as a UUID */
	BCH_FK_MAGIC,	/* raw bytes, printed as hex */
	BCH_FK_LABEL,	/* NUL-padded text */
	BCH_FK_PAD,	/* padding: shown only when non-zero */
};

struct bch_field {
	const char *name;
	uint32_t offset;
	uint32_t size;
	enum bch_field_kind kind;
};

struct bch_struct_desc {
	const char *name;		/* "bch_nvm_pages_sb" */
	uint32_t size;			/* bytes described */
	const struct bch_field *fields;
	size_t nfields;
};

extern const struct bch_struct_desc bch_desc_nvm_sb;
extern const struct bch_struct_desc bch_desc_owner_list_head;
extern const struct bch_struct_desc bch_desc_owner_head;
extern const struct bch_struct_desc bch_desc_pgalloc_recs;
extern const struct bch_struct_desc bch_desc_nvmpg_sb;
extern const struct bch_struct_desc bch_desc_nvmpg_set_header;
extern const struct bch_struct_desc bch_desc_nvmpg_head;
extern const struct bch_struct_desc bch_desc_nvmpg_recs;
extern const struct bch_struct_desc bch_desc_cache_sb;
extern const struct bch_struct_desc bch_desc_jset;

const struct bch_field *bch_field_find(const struct bch_struct_desc *d,
				       const char *name);
/* Integer value of a field of size 1, 2, 4 or 8 (others: 0). */
uint64_t bch_field_uint(const struct bch_field *f, const void *base);
/* Store an integer into a field of size 1, 2, 4 or 8; -EINVAL otherwise. */
int bch_field_set_uint(const struct bch_field *f, void *base, uint64_t v);
/* Whether all bytes of the field are zero. */
int bch_field_is_zero(const struct bch_field *f, const void *base);
/*
 * Render a field as text into buf.  Returns the length that was needed, like
 * snprintf, or a negative errno.
 */
int bch_field_format(const struct bch_field *f, const void *base, char *buf,
		     size_t len);
/*
 * A label of size bytes (NUL-padded) as text: printable ASCII as it is,
 * every other byte and a backslash as \xNN (bcache(8), TEXT ENCODING), so
 * it reads back to its bytes.  At most 4 * size characters; returns the
 * length needed, like snprintf.
 */
int bch_label_format(const void *label, size_t size, char *buf, size_t len);

/* Lower-case UUID text (36 chars + NUL) through libuuid. */
void bch_uuid_format(const uint8_t uuid[16], char out[37]);
/* Parse UUID text; -EINVAL when malformed. */
int bch_uuid_parse(const char *s, uint8_t out[16]);

#endif
