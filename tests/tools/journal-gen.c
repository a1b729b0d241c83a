// SPDX-License-Identifier: GPL-2.0
/*
 * journal-gen (test-only): fill a v7 or v13 NVDIMM journal the way the kernel
 * does (bcache-journal-format(5), NVDIMM JOURNAL to WRITING), in an image
 * made by `bcache make -M [--revision v13]` and a cache device made by
 * `bcache make -C -M`:
 *   - v7: first attach of the namespace at base K (bcache-nvm-pages(5),
 *     POINTERS); nvmpg: nothing (v13's registration writes nothing, its
 *     pointers are offsets), the owner head gets state ALLOC, the record the
 *     namespace's ns_id, d[] nvmpg offsets with the bucket-bytes stride;
 *   - allocation of 2^order pages, order = floor(log2(bucket_size*keys/8)),
 *     under the cache set uuid (owner head found by uuid or created), buddy
 *     placement (highest block of the lowest suitable order), record in the
 *     first record page of the chain with room, else the lowest free slot;
 *   - d[i] = J + stride * i (stride: bucket_size bytes (v7) or bucket bytes);
 *   - jsets from d[1], block-aligned, padding and unused header words filled
 *     with garbage, bucket switching when the free blocks run out;
 *   - knobs: seqs left out, seqs with a corrupt checksum, last_seq lag or a
 *     fixed last_seq (what a real v7 cache set left after a clean stop),
 *     CACHE_SYNC left clear, CACHE_DISCARD set.
 * With --print it lists what it wrote: one "jset" line per jset and one
 * "key" line per key, with plain field values, for the tests to compare.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bcache/cache-sb.h>
#include <bcache/csum.h>
#include <bcache/journal.h>
#include <bcache/media.h>
#include <bcache/nvm-buddy.h>
#include <bcache/nvm.h>

#define MAX_KNOBS 64

struct gen {
	struct bch_media *pm, *cm;
	const struct bch_nvm_layout *lay;
	unsigned int ns_id;		/* nvmpg: this_ns */
	uint64_t k;
	bool bucket_stride, print, no_sync, discard;
	uint64_t njsets, lag, seed;
	uint64_t last_seq_max;		/* last_seq = min(seq, this) (0: by lag) */
	unsigned int nkeys_fixed;	/* keys per jset; 0: seq % 4 */
	uint64_t skip[MAX_KNOBS], bad[MAX_KNOBS];
	int nskip, nbad;
	unsigned int keys;		/* journal buckets; 0: clamp */
	struct bch_cache_sb_info csb;
	uint64_t region, order;		/* namespace page, order */
};

static uint64_t rnd(struct gen *g)
{
	g->seed ^= g->seed << 13;
	g->seed ^= g->seed >> 7;
	g->seed ^= g->seed << 17;
	return g->seed;
}

static int die(const char *what, int rc)
{
	fprintf(stderr, "journal-gen: %s: %s\n", what, strerror(rc < 0 ? -rc : rc));
	exit(1);
}

static bool in(const uint64_t *v, int n, uint64_t s)
{
	for (int i = 0; i < n; i++)
		if (v[i] == s)
			return true;
	return false;
}

/* First attach at K (bcache-nvm-pages(5), POINTERS). */
static void attach(struct gen *g, struct bch_nvm_pages_sb *sb, struct bch_owner_list_head *olh,
		   struct bch_nvm_pgalloc_recs *sys)
{
	sb->owner_list_head = g->k + 8192;
	olh->heads[0].recs[0] = g->k + 16384;
	bch_nvm_sb_update_csum(sb);
	sys->owner = g->k + 8232;
}

/* Where the kernel's buddy puts a first block of this order (BUDDY). */
static uint64_t place(const struct bch_nvm_pages_sb *sb, unsigned int order)
{
	struct bch_nvm_buddy b;
	uint64_t page = 0;

	if (bch_nvm_buddy_build(NULL, 0, sb->pages_offset / sb->page_size, sb->pages_total,
				true, &b))
		die("out of memory", ENOMEM);
	if (bch_nvm_buddy_pick(&b, order, &page))
		page = 0;
	bch_nvm_buddy_free(&b);
	return page;
}

/* An on-media pointer to a namespace offset: v7 K + off, nvmpg OFFSET(ns, off). */
static uint64_t media_ptr(const struct gen *g, uint64_t off)
{
	return g->lay->nvmpg_ptrs ? BCH_NVMPG_OFFSET(g->ns_id, off) : g->k + off;
}

/* Head h's bytes in the metadata area, by the revision's layout. */
static unsigned char *head(const struct gen *g, unsigned char *meta, unsigned int h)
{
	return meta + bch_nvm_lay_head_offset(g->lay, (int)h);
}

static void allocate(struct gen *g, struct bch_nvm_pages_sb *sb, unsigned char *meta)
{
	const uint8_t *uuid = g->csb.sb.set_uuid;
	struct bch_owner_list_head *olh = (void *)(meta + 8192);
	uint64_t bs = g->csb.bucket_sectors, r0;
	unsigned int h, order = 0, slot;
	struct bch_nvm_pgalloc_recs *pg;
	uint64_t v = bs * g->keys / 8;
	unsigned char *hd;

	while (v >> (order + 1))
		order++;
	g->order = order;
	for (h = 0; h < olh->used; h++)
		if (!memcmp(head(g, meta, h), uuid, 16))
			break;
	hd = head(g, meta, h);
	if (h == olh->used) {
		uint32_t alloc = BCH_NVMPG_HD_STAT_ALLOC;

		memcpy(hd, uuid, 16);
		if (g->lay->head_state_at >= 0)
			memcpy(hd + g->lay->head_state_at, &alloc, 4);
		olh->used++;
	}
	g->region = place(sb, order);
	if (!g->region)
		die("no room for the journal region", ENOSPC);
	/* the chain of recs[0]: slot 0 for heads[0], else a new page in slot 1 */
	memcpy(&r0, hd + g->lay->head_recs_at, 8);
	if (r0) {
		slot = (r0 - media_ptr(g, 16384)) / 8192;
		pg = (void *)(meta + 16384 + 8192 * (size_t)slot);
	} else {
		slot = 1;
		pg = (void *)(meta + 16384 + 8192);
		pg->next = 0;
		pg->owner = media_ptr(g, bch_nvm_lay_head_offset(g->lay, (int)h));
		memcpy(pg->magic, bch_nvm_recs_magic, 16);
		if (g->lay->nvmpg_ptrs)
			memcpy(pg->owner_uuid, uuid, 16);
		else
			bch_nvm_strncpy16(pg->owner_uuid, uuid);
		pg->size = BCH_MAX_RECS;
		pg->used = 0;
		r0 = media_ptr(g, 16384 + 8192ULL * slot);
		memcpy(hd + g->lay->head_recs_at, &r0, 8);
	}
	pg->recs[pg->used++].v = bch_rec_make((g->k >> 12) + g->region, order) |
				 (uint64_t)g->ns_id << g->lay->rec_ns_id_shift;
}

static void fill_garbage(struct gen *g, unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(rnd(g) | 1);	/* never zero */
}

/* The payload of seq s; prints the keys with --print. */
static unsigned int build_keys(struct gen *g, uint64_t s, uint64_t *d)
{
	unsigned int n = g->nkeys_fixed ? g->nkeys_fixed : s % 4, w = 0;

	for (unsigned int i = 0; i < n; i++) {
		unsigned int kind = (unsigned int)((s + i) % 3);	/* 0 ptrs, dirty, clean */
		unsigned int inode = (unsigned int)((s + i) % 5), size = 8 * (1 + i % 4);
		uint64_t end = s * 1024 + 64 * (i + 1), off = 100000 + s * 64 + 8 * i;
		unsigned int gen = (unsigned int)(s & 0xff);

		d[w++] = bch_key_high(inode, size, kind == 1, kind ? 1 : 0);
		d[w++] = end;
		if (kind)
			d[w++] = bch_ptr_make(gen, off, 0);
		if (g->print)
			printf("key seq=%llu index=%u inode=%u start=%llu size=%u dirty=%d "
			       "ptrs=%u ptr_offset=%llu gen=%u\n", (unsigned long long)s, i, inode,
			       (unsigned long long)(end - size), size, kind == 1, kind ? 1 : 0,
			       (unsigned long long)off, gen);
	}
	return w;
}

static void header(struct gen *g, struct jset *j, uint64_t s, unsigned int words)
{
	uint64_t c = 0;

	fill_garbage(g, (unsigned char *)j, BCH_JSET_HDR);
	j->magic = bch_jset_magic(g->csb.sb.set_uuid);
	j->seq = s;
	j->version = 1;
	j->keys = words;
	j->last_seq = s > g->lag ? s - g->lag + 1 : 1;
	if (g->last_seq_max)
		j->last_seq = s < g->last_seq_max ? s : g->last_seq_max;
	/* header keys as jset A; slot tails, pad and prio_bucket[1..7] stay garbage */
	j->uuid_bucket.key[0] = 0x9000000040000000ULL;
	j->uuid_bucket.key[1] = 0;
	j->uuid_bucket.key[2] = 0x00000000040C0001ULL;
	j->btree_root.key[0] = 0x90000000200FFFFFULL;
	j->btree_root.key[1] = 0x7FFFFFFFFFFFFFFFULL;
	j->btree_root.key[2] = 0x0000000004100001ULL;
	j->btree_level = (uint16_t)(s % 3);
	j->prio_bucket[0] = 257;
	bch_csum_set(j, BCH_JSET_HDR + 8ULL * words, BCH_JSET_HDR, words, &c);
	j->csum = in(g->bad, g->nbad, s) ? c ^ 1 : c;
}

static void write_journal(struct gen *g)
{
	uint64_t bb = g->csb.bucket_sectors * 512, blk = g->csb.sb.block_size * 512ULL;
	uint64_t free_blocks = 0, ptr = 0;
	unsigned int cur = 0;
	unsigned char *buf = malloc(JSET_MAX_BYTES);

	if (!buf)
		die("malloc", ENOMEM);
	for (uint64_t s = 1; s <= g->njsets; s++) {
		struct jset *j = (void *)buf;
		unsigned int words;
		uint64_t blocks;
		int rc;

		fill_garbage(g, buf, JSET_MAX_BYTES);
		words = build_keys(g, s, (uint64_t *)j->d);
		header(g, j, s, words);
		blocks = (BCH_JSET_HDR + 8ULL * words + blk - 1) / blk;
		if (blocks > free_blocks) {	/* WRITING: bucket switch */
			cur = (cur + 1) % g->keys;
			ptr = g->lay->nvmpg_ptrs ? BCH_NVMPG_GET_OFFSET(g->csb.sb.d[cur]) :
			      g->csb.sb.d[cur] - g->k;
			free_blocks = bb / blk;
		}
		if (g->print)
			printf("jset seq=%llu offset=%llu bucket=%u last_seq=%llu keys=%u "
			       "written=%d bad_csum=%d\n", (unsigned long long)s,
			       (unsigned long long)ptr, cur, (unsigned long long)j->last_seq, words,
			       !in(g->skip, g->nskip, s), in(g->bad, g->nbad, s));
		if (!in(g->skip, g->nskip, s)) {
			rc = bch_media_write(g->pm, buf, blocks * blk, ptr);
			if (rc)
				die("write jset", rc);
		}
		ptr += blocks * blk;
		free_blocks -= blocks;
	}
	free(buf);
}

static void usage(void)
{
	fprintf(stderr, "usage: journal-gen PMEM CACHEDEV [--base K] [--stride bytes|bucket] "
		"[--jsets N] [--lag L] [--last-seq N] [--keys-per-jset N] [--buckets N] [--skip SEQ]... "
		"[--bad-csum SEQ]... [--seed N] [--no-sync] [--discard] [--print]\n");
	exit(2);
}

static void parse(struct gen *g, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "base", required_argument, NULL, 'k' },
		{ "stride", required_argument, NULL, 's' },
		{ "jsets", required_argument, NULL, 'n' },
		{ "lag", required_argument, NULL, 'l' },
		{ "last-seq", required_argument, NULL, 'L' },
		{ "keys-per-jset", required_argument, NULL, 'p' },
		{ "buckets", required_argument, NULL, 'b' },
		{ "skip", required_argument, NULL, 'x' },
		{ "bad-csum", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 'r' },
		{ "print", no_argument, NULL, 'P' },
		{ "no-sync", no_argument, NULL, 'S' },
		{ "discard", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'k': g->k = strtoull(optarg, NULL, 0); break;
		case 's': g->bucket_stride = !strcmp(optarg, "bucket"); break;
		case 'n': g->njsets = strtoull(optarg, NULL, 0); break;
		case 'l': g->lag = strtoull(optarg, NULL, 0); break;
		case 'L': g->last_seq_max = strtoull(optarg, NULL, 0); break;
		case 'p': g->nkeys_fixed = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'b': g->keys = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'x':
			if (g->nskip < MAX_KNOBS)
				g->skip[g->nskip++] = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			if (g->nbad < MAX_KNOBS)
				g->bad[g->nbad++] = strtoull(optarg, NULL, 0);
			break;
		case 'r': g->seed = strtoull(optarg, NULL, 0) | 1; break;
		case 'P': g->print = true; break;
		case 'S': g->no_sync = true; break;
		case 'D': g->discard = true; break;
		default: usage();
		}
	}
	if (optind + 2 != argc || !g->lag || g->nkeys_fixed > 1300)
		usage();
}

int main(int argc, char **argv)
{
	struct gen g = { .k = 0xFFFF9A2F40000000ULL, .njsets = 100, .lag = 1000000, .seed = 1 };
	struct bch_nvm_pages_sb sb;
	unsigned char *meta = malloc(16 << 20);
	struct bch_nvm_sb_info sbi;
	int rc;

	parse(&g, argc, argv);
	if (!meta)
		die("malloc", ENOMEM);
	if ((rc = bch_media_open(argv[optind], BCH_MEDIA_WRITE, &g.pm)) ||
	    (rc = bch_media_open(argv[optind + 1], BCH_MEDIA_WRITE, &g.cm)))
		die("open", rc);
	if ((rc = bch_cache_sb_read(g.cm, &g.csb)))
		die("cache superblock", rc);
	if ((rc = bch_media_read(g.pm, meta, 16 << 20, 0)))
		die("read namespace", rc);
	memcpy(&sb, meta + 4096, sizeof(sb));
	bch_nvm_sb_parse(meta + 4096, &sbi);
	g.lay = sbi.lay;
	if (!g.keys)
		g.keys = bch_cache_journal_buckets(g.csb.sb.nbuckets);
	if (g.lay->nvmpg_ptrs) {	/* v13: offsets, bucket_bytes stride */
		g.k = 0;
		g.ns_id = sb.this_namespace_nr;
		g.bucket_stride = true;
	} else {
		attach(&g, &sb, (void *)(meta + 8192), (void *)(meta + 16384));
	}
	allocate(&g, &sb, meta);
	memcpy(meta + 4096, &sb, sizeof(sb));
	for (unsigned int i = 0; i < g.keys; i++)
		g.csb.sb.d[i] = media_ptr(&g, g.region * 4096 +
				    i * g.csb.bucket_sectors * (g.bucket_stride ? 512 : 1));
	g.csb.sb.keys = (uint16_t)g.keys;
	if (!g.no_sync)
		g.csb.sb.flags |= 1ULL << CACHE_SYNC_BIT;
	if (g.discard)
		g.csb.sb.flags |= 1ULL << 1;	/* CACHE_DISCARD */
	g.csb.sb.seq = 1;
	bch_cache_sb_update_csum(&g.csb.sb);
	if ((rc = bch_media_write(g.pm, meta, 16 << 20, 0)) ||
	    (rc = bch_media_write(g.cm, &g.csb.sb, sizeof(g.csb.sb), SB_OFFSET)))
		die("write metadata", rc);
	if (g.print)
		printf("region offset=%llu order=%llu d0=0x%llx keys=%u\n",
		       (unsigned long long)(g.region * 4096), (unsigned long long)g.order,
		       (unsigned long long)g.csb.sb.d[0], g.keys);
	write_journal(&g);
	if ((rc = bch_media_persist(g.pm)) || (rc = bch_media_persist(g.cm)))
		die("persist", rc);
	bch_media_close(g.pm);
	bch_media_close(g.cm);
	free(meta);
	return 0;
}
