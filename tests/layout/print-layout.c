// SPDX-License-Identifier: GPL-2.0
/*
 * Print every on-media struct's fields with offsets and sizes (from the C
 * compiler, not from the field catalogue), then compare with the golden
 * file.  Also cross-checks each field catalogue against offsetof().
 * Usage: print-layout [GOLDEN]   (without GOLDEN: print only)
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bcache-nvm.h>
#include <linux/bcache-nvmpg.h>
#include <linux/bcache.h>
#include <bcache/fields.h>

#include "../unit/tap.h"

static char out[24576];
static size_t len;

#define EMIT(...) (len += snprintf(out + len, sizeof(out) - len, __VA_ARGS__))
#define S(type) EMIT("struct %s size %zu\n", #type, sizeof(struct type))
#define FLD(type, f) EMIT("  %-22s %5zu %5zu\n", #f, offsetof(struct type, f), \
			  sizeof(((struct type *)0)->f))

static void layout(void)
{
	S(bch_pgalloc_rec);
	FLD(bch_pgalloc_rec, v);
	S(bch_nvm_pgalloc_recs);
	FLD(bch_nvm_pgalloc_recs, owner);
	FLD(bch_nvm_pgalloc_recs, next);
	FLD(bch_nvm_pgalloc_recs, magic);
	FLD(bch_nvm_pgalloc_recs, owner_uuid);
	FLD(bch_nvm_pgalloc_recs, size);
	FLD(bch_nvm_pgalloc_recs, used);
	FLD(bch_nvm_pgalloc_recs, _pad);
	FLD(bch_nvm_pgalloc_recs, recs);
	FLD(bch_nvm_pgalloc_recs, pad);
	S(bch_nvm_pages_owner_head);
	FLD(bch_nvm_pages_owner_head, uuid);
	FLD(bch_nvm_pages_owner_head, label);
	FLD(bch_nvm_pages_owner_head, recs);
	S(bch_owner_list_head);
	FLD(bch_owner_list_head, size);
	FLD(bch_owner_list_head, used);
	FLD(bch_owner_list_head, _pad);
	FLD(bch_owner_list_head, heads);
	FLD(bch_owner_list_head, pad);
	S(bch_nvm_pages_sb);
	FLD(bch_nvm_pages_sb, csum);
	FLD(bch_nvm_pages_sb, ns_start);
	FLD(bch_nvm_pages_sb, sb_offset);
	FLD(bch_nvm_pages_sb, version);
	FLD(bch_nvm_pages_sb, magic);
	FLD(bch_nvm_pages_sb, uuid);
	FLD(bch_nvm_pages_sb, page_size);
	FLD(bch_nvm_pages_sb, total_namespaces_nr);
	FLD(bch_nvm_pages_sb, this_namespace_nr);
	FLD(bch_nvm_pages_sb, set_uuid);
	FLD(bch_nvm_pages_sb, set_magic);
	FLD(bch_nvm_pages_sb, flags);
	FLD(bch_nvm_pages_sb, seq);
	FLD(bch_nvm_pages_sb, feature_compat);
	FLD(bch_nvm_pages_sb, feature_incompat);
	FLD(bch_nvm_pages_sb, feature_ro_compat);
	FLD(bch_nvm_pages_sb, pages_offset);
	FLD(bch_nvm_pages_sb, pages_total);
	FLD(bch_nvm_pages_sb, pad);
	FLD(bch_nvm_pages_sb, owner_list_head);
	FLD(bch_nvm_pages_sb, keys);
	EMIT("  %-22s %5zu %5d\n", "d", offsetof(struct bch_nvm_pages_sb, d), 0);
	S(bch_nvmpg_rec);
	FLD(bch_nvmpg_rec, _v);
	S(bch_nvmpg_recs);
	FLD(bch_nvmpg_recs, head_offset);
	FLD(bch_nvmpg_recs, next_offset);
	FLD(bch_nvmpg_recs, magic);
	FLD(bch_nvmpg_recs, uuid);
	FLD(bch_nvmpg_recs, size);
	FLD(bch_nvmpg_recs, used);
	FLD(bch_nvmpg_recs, _pad);
	FLD(bch_nvmpg_recs, recs);
	FLD(bch_nvmpg_recs, pad);
	S(bch_nvmpg_head);
	FLD(bch_nvmpg_head, uuid);
	FLD(bch_nvmpg_head, label);
	FLD(bch_nvmpg_head, state);
	FLD(bch_nvmpg_head, flags);
	FLD(bch_nvmpg_head, recs_offset);
	S(bch_nvmpg_set_header);
	FLD(bch_nvmpg_set_header, size);
	FLD(bch_nvmpg_set_header, used);
	FLD(bch_nvmpg_set_header, _pad);
	FLD(bch_nvmpg_set_header, heads);
	FLD(bch_nvmpg_set_header, pad);
	S(bch_nvmpg_sb);
	FLD(bch_nvmpg_sb, csum);
	FLD(bch_nvmpg_sb, sb_offset);
	FLD(bch_nvmpg_sb, ns_start);
	FLD(bch_nvmpg_sb, version);
	FLD(bch_nvmpg_sb, magic);
	FLD(bch_nvmpg_sb, uuid);
	FLD(bch_nvmpg_sb, page_size);
	FLD(bch_nvmpg_sb, total_ns);
	FLD(bch_nvmpg_sb, this_ns);
	FLD(bch_nvmpg_sb, set_uuid);
	FLD(bch_nvmpg_sb, set_magic);
	FLD(bch_nvmpg_sb, flags);
	FLD(bch_nvmpg_sb, seq);
	FLD(bch_nvmpg_sb, feature_compat);
	FLD(bch_nvmpg_sb, feature_incompat);
	FLD(bch_nvmpg_sb, feature_ro_compat);
	FLD(bch_nvmpg_sb, pages_offset);
	FLD(bch_nvmpg_sb, pages_total);
	FLD(bch_nvmpg_sb, pad);
	FLD(bch_nvmpg_sb, set_header_offset);
	FLD(bch_nvmpg_sb, keys);
	EMIT("  %-22s %5zu %5d\n", "d", offsetof(struct bch_nvmpg_sb, d), 0);
	S(bkey);
	FLD(bkey, high);
	FLD(bkey, low);
	S(bkey_padded);
	S(cache_sb_disk);
	FLD(cache_sb_disk, csum);
	FLD(cache_sb_disk, offset);
	FLD(cache_sb_disk, version);
	FLD(cache_sb_disk, magic);
	FLD(cache_sb_disk, uuid);
	FLD(cache_sb_disk, set_uuid);
	FLD(cache_sb_disk, label);
	FLD(cache_sb_disk, flags);
	FLD(cache_sb_disk, seq);
	FLD(cache_sb_disk, feature_compat);
	FLD(cache_sb_disk, feature_incompat);
	FLD(cache_sb_disk, feature_ro_compat);
	FLD(cache_sb_disk, pad);
	FLD(cache_sb_disk, nbuckets);
	FLD(cache_sb_disk, data_offset);
	FLD(cache_sb_disk, block_size);
	FLD(cache_sb_disk, bucket_size);
	FLD(cache_sb_disk, nr_in_set);
	FLD(cache_sb_disk, nr_this_dev);
	FLD(cache_sb_disk, last_mount);
	FLD(cache_sb_disk, first_bucket);
	FLD(cache_sb_disk, keys);
	FLD(cache_sb_disk, d);
	FLD(cache_sb_disk, obso_bucket_size_hi);
	S(jset);
	FLD(jset, csum);
	FLD(jset, magic);
	FLD(jset, seq);
	FLD(jset, version);
	FLD(jset, keys);
	FLD(jset, last_seq);
	FLD(jset, uuid_bucket);
	FLD(jset, btree_root);
	FLD(jset, btree_level);
	FLD(jset, pad);
	FLD(jset, prio_bucket);
	EMIT("  %-22s %5zu %5d\n", "d", offsetof(struct jset, d), 0);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Every catalogue entry must sit inside its struct and not overlap the next. */
static void check_catalogue(const struct bch_struct_desc *d)
{
	uint32_t end = 0;
	int good = 1;

	for (size_t i = 0; i < d->nfields; i++) {
		if (d->fields[i].offset < end ||
		    d->fields[i].offset + d->fields[i].size > d->size)
			good = 0;
		end = d->fields[i].offset + d->fields[i].size;
	}
	ok(good, "field catalogue of %s is ordered and inside %u bytes", d->name, d->size);
}

int main(int argc, char **argv)
{
	char *golden;

	layout();
	if (argc < 2) {
		fputs(out, stdout);
		return 0;
	}
	golden = slurp(argv[1]);
	ok(golden != NULL, "read golden file %s", argv[1]);
	ok(golden && !strcmp(golden, out), "layout equals the golden file");
	if (golden && strcmp(golden, out)) {
		printf("# printed layout:\n");
		for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n"))
			printf("#  %s\n", l);
	}
	free(golden);
	check_catalogue(&bch_desc_nvm_sb);
	check_catalogue(&bch_desc_owner_list_head);
	check_catalogue(&bch_desc_owner_head);
	check_catalogue(&bch_desc_pgalloc_recs);
	check_catalogue(&bch_desc_nvmpg_sb);
	check_catalogue(&bch_desc_nvmpg_set_header);
	check_catalogue(&bch_desc_nvmpg_head);
	check_catalogue(&bch_desc_nvmpg_recs);
	check_catalogue(&bch_desc_cache_sb);
	check_catalogue(&bch_desc_jset);
	is_u64(bch_field_find(&bch_desc_nvm_sb, "owner_list_head")->offset, 216,
	       "catalogue: owner_list_head at 216");
	is_u64(bch_field_find(&bch_desc_owner_head, "recs[3]")->offset, 72,
	       "catalogue: recs[3] at 72");
	is_u64(bch_field_find(&bch_desc_nvmpg_sb, "set_header_offset")->offset, 216,
	       "catalogue: set_header_offset at 216");
	is_u64(bch_field_find(&bch_desc_nvmpg_head, "recs_offset[3]")->offset, 80,
	       "catalogue: recs_offset[3] at 80");
	return tap_done();
}
