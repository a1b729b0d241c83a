// SPDX-License-Identifier: GPL-2.0
/*
 * The journal library against bcache-journal-format(5): the jsets A and B
 * (EXAMPLES), the jset magic (MAGIC), superblocks S1-S3 (CACHE SUPERBLOCK),
 * the probe orders (VISITING ORDER), the key text examples (KEY TEXT),
 * insertion rules (INSERTION) and the WORKED EXAMPLE image (probe reaches
 * bucket 1 at i = 137, 139 buckets read, resume at d[2]).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <bcache/cache-sb.h>
#include <bcache/csum.h>
#include <bcache/journal.h>
#include <bcache/media.h>

#include "tap.h"

static const uint8_t cset[16] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
				  0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10 };

static void set_csum(struct jset *j)
{
	uint64_t c = 0;

	bch_csum_set(j, 512, BCH_JSET_HDR, j->keys, &c);
	j->csum = c;
}

/* Jset A of EXAMPLES (264 bytes of room for B's payload). */
static void jset_a(unsigned char *buf)
{
	struct jset *j = (struct jset *)buf;

	memset(buf, 0, 512);
	j->magic = bch_jset_magic(cset);
	j->seq = 1;
	j->version = 1;
	j->last_seq = 1;
	j->uuid_bucket.key[0] = 0x9000000040000000ULL;
	j->uuid_bucket.key[2] = 0x00000000040C0001ULL;
	j->btree_root.key[0] = 0x90000000200FFFFFULL;
	j->btree_root.key[1] = 0x7FFFFFFFFFFFFFFFULL;
	j->btree_root.key[2] = 0x0000000004100001ULL;
	j->prio_bucket[0] = 257;
	set_csum(j);
}

static void jset_b(unsigned char *buf)
{
	struct jset *j = (struct jset *)buf;

	jset_a(buf);
	j->seq = 2;
	j->keys = 3;
	j->d[0] = 0x9000001000800000ULL;
	j->d[1] = 0x0000000000000808ULL;
	j->d[2] = 0x0000000004140001ULL;
	set_csum(j);
}

static void test_jsets(void)
{
	unsigned char a[512], b[512], want[32];
	struct bch_jset_head h;

	is_u64(bch_jset_magic(cset), 0xCB9F9E48C4277333ULL, "jset magic from the set uuid");
	jset_a(a);
	is_u64(((struct jset *)a)->csum, 0xA76B3D3C3085271FULL, "jset A csum");
	tap_hex("1f2785303c3d6ba7 337327c4489e9fcb 0100000000000000 01000000 00000000",
		want, 32);
	ok(!memcmp(a, want, 32), "jset A first 32 bytes as printed");
	jset_b(b);
	is_u64(((struct jset *)b)->csum, 0xA82F67D5D1EC274DULL, "jset B csum");
	tap_hex("4d27ecd1d5672fa8 337327c4489e9fcb 0200000000000000 0100000003000000",
		want, 32);
	ok(!memcmp(b, want, 32), "jset B first 32 bytes as printed");
	bch_jset_eval(b, sizeof(b), bch_jset_magic(cset), 77, &h);
	bch_jset_check(b, &h);
	ok(h.state == BCH_JSET_OK && h.seq == 2 && h.last_seq == 1 && h.keys == 3 &&
	   h.nkeys == 1 && h.off == 77 && !h.flags, "jset B evaluates valid, one key");
	/* garbage in padding is not checked, but the checksum covers [8, 264) */
	b[300] = 0xee;
	bch_jset_eval(b, sizeof(b), bch_jset_magic(cset), 0, &h);
	ok(h.state == BCH_JSET_OK, "padding garbage after set_bytes is tolerated");
	b[263] ^= 1;
	bch_jset_eval(b, sizeof(b), bch_jset_magic(cset), 0, &h);
	ok(h.state == BCH_JSET_BAD_CSUM, "a flipped payload bit is a bad csum");
	bch_jset_eval(b, sizeof(b), 0x1234, 0, &h);
	ok(h.state == BCH_JSET_NO_MAGIC, "another set's magic is no jset");
	bch_jset_eval(b, 200, bch_jset_magic(cset), 0, &h);
	ok(h.state == BCH_JSET_TRUNCATED, "header cut short is truncated");
	((struct jset *)b)->keys = BCH_JSET_MAX_KEYS + 1;
	bch_jset_eval(b, sizeof(b), bch_jset_magic(cset), 0, &h);
	ok(h.state == BCH_JSET_TOO_BIG, "4067 payload words is too big (> 32 KiB)");
}

static void test_keys(void)
{
	unsigned char a[512], b[512];
	const struct jset *ja = (const void *)a, *jb = (const void *)b;
	uint64_t k[4];
	char t[160];

	jset_a(a);
	jset_b(b);
	bch_key_text(jb->d, 3, t, sizeof(t));
	ok(!strcmp(t, "0:2048 len 8 -> [0:267264 gen 1] dirty"), "payload key text: %s", t);
	bch_key_text(ja->btree_root.key, 8, t, sizeof(t));
	ok(!strcmp(t, "1048575:9223372036854775295 len 512 -> [0:266240 gen 1]"),
	   "btree_root text: %s", t);
	bch_key_text(ja->uuid_bucket.key, 8, t, sizeof(t));
	ok(!strcmp(t, "0:18446744073709550592 len 1024 -> [0:265216 gen 1]"),
	   "uuid_bucket text: %s", t);
	k[0] = bch_key_high(3, 16, false, 0);
	k[1] = 4096;
	bch_key_text(k, 2, t, sizeof(t));
	ok(!strcmp(t, "3:4080 len 16 -> []"), "invalidation key text: %s", t);
	ok(bch_key_text(k, 1, t, sizeof(t)) == -EINVAL, "a key cut short is refused");
	k[0] = bch_key_high(1, 8, true, 2);
	k[2] = bch_ptr_make(3, 100, BCH_PTR_CHECK_DEV);
	k[3] = bch_ptr_make(4, 200, 1);
	bch_key_text(k, 4, t, sizeof(t));
	ok(!strcmp(t, "1:4088 len 8 -> [check dev, 1:200 gen 4] dirty"), "two pointers: %s", t);
	k[0] |= 2ULL << 56;
	bch_key_text(k, 4, t, sizeof(t));
	ok(!strcmp(t, "1:4088 len 8 -> [check dev, 1:200 gen 4] dirty cs2 800000000c804"),
	   "csum prints ptr[1] in hex: %s", t);
	is_u64(bch_key_high(0, 8, true, 1), 0x9000001000800000ULL, "bch_key_high = jset B payload word");
	is_u64(bch_ptr_make(1, 267264, 0), 0x0000000004140001ULL, "bch_ptr_make = jset B payload word");
	ok(bch_key_inode(0x90000000200FFFFFULL) == 0xFFFFF &&
	   bch_key_size(0x90000000200FFFFFULL) == 512 && bch_key_ptrs(0x90000000200FFFFFULL) == 1,
	   "accessors on the btree_root high word");
}

static void sb_common(struct cache_sb_disk *sb, uint64_t nbuckets, unsigned int keys,
		      uint64_t d0)
{
	memset(sb, 0, sizeof(*sb));
	sb->offset = 8;
	sb->version = 5;
	memcpy(sb->magic, bch_cache_sb_magic, 16);
	for (int i = 0; i < 16; i++)
		sb->uuid[i] = 0x20 + i;
	memcpy(sb->set_uuid, cset, 16);
	sb->flags = 1;
	sb->seq = 1;
	sb->feature_incompat = 4;
	sb->nbuckets = nbuckets;
	sb->block_size = 8;
	sb->bucket_size = 1024;
	sb->nr_in_set = 1;
	sb->first_bucket = 1;
	sb->keys = keys;
	for (unsigned int i = 0; i < keys; i++)
		sb->d[i] = d0 + 1024ULL * i;
}

static void test_superblocks(void)
{
	struct cache_sb_disk sb;
	struct bch_cache_sb_info info;
	struct bch_problems ps = { 0 };
	unsigned char page[4096] = { 0 };
	char t[64];

	sb_common(&sb, 32768, 256, 0xFFFF9A2F48000000ULL);
	bch_cache_sb_update_csum(&sb);
	is_u64(sb.csum, 0xD2FC7ED611798D38ULL, "S1 csum");
	sb.first_bucket = 257;
	bch_cache_sb_update_csum(&sb);
	is_u64(sb.csum, 0xBC7249F9C6435380ULL, "S2 csum");
	sb_common(&sb, 2048, 16, 0xFFFF9A2F41000000ULL);
	bch_cache_sb_update_csum(&sb);
	is_u64(sb.csum, 0x42A2DE1995782C95ULL, "S3 csum");
	memcpy(page, &sb, sizeof(sb));
	bch_cache_sb_parse(page, &info);
	ok(info.magic_ok && info.csum_ok && info.nvdimm && !info.backing &&
	   info.bucket_sectors == 1024, "S3 parses: magic, csum, nvdimm, bucket 1024");
	ok(bch_cache_sb_check(&info, 1ULL << 30, 512, &ps) == 0 && ps.n == 0,
	   "S3 passes the kernel checks on a 1 GiB device (%zu problems)", ps.n);
	bch_problems_free(&ps);
	bch_cache_sb_check(&info, 512ULL << 20, 512, &ps);
	ok(bch_problems_has(&ps, BCH_P_CSB_DEV_SMALL), "S3 on 512 MiB: device too small");
	bch_problems_free(&ps);
	bch_cache_features_text(BCH_FEAT_INCOMPAT, 0x7 | 0x100, t, sizeof(t));
	ok(!strcmp(t, "obso_large_bucket,large_bucket,nvdimm_meta,0x100"), "features: %s", t);
	ok(bch_cache_journal_buckets(32768) == 256 && bch_cache_journal_buckets(2048) == 16 &&
	   bch_cache_journal_buckets(128) == 2, "clamp(nbuckets >> 7, 2, 256)");
	sb.feature_incompat |= 2;
	sb.bucket_size = 11;
	ok(bch_cache_sb_bucket_sectors(&sb) == 2048, "large_bucket: 1 << field");
	sb.feature_incompat = 1;
	sb.bucket_size = 16;
	sb.obso_bucket_size_hi = 1;
	ok(bch_cache_sb_bucket_sectors(&sb) == 65552, "obso_large_bucket: field + hi << 16");
}

static void test_probe(void)
{
	static const unsigned int p256[] = { 0, 185, 114, 43, 228, 157, 86, 15, 200, 129 };
	static const unsigned int p16[] = { 0, 9, 2, 11, 4, 13, 6, 15, 8, 1 };
	static const unsigned int p100[] = { 0, 69, 42, 11, 84, 57, 26, 99, 68, 41 };
	int good = 1, first_repeat = -1;
	unsigned char seen[100] = { 0 };

	for (int i = 0; i < 10; i++)
		good &= bch_journal_probe(i, 256) == p256[i] && bch_journal_probe(i, 16) == p16[i] &&
			bch_journal_probe(i, 100) == p100[i];
	ok(good, "probe orders for n = 256, 16, 100");
	for (int i = 0; i < 100 && first_repeat < 0; i++) {
		unsigned int l = bch_journal_probe(i, 100);

		if (seen[l])
			first_repeat = i;
		seen[l] = 1;
	}
	ok(first_repeat == 28, "n = 100 repeats at i = 28 (got %d)", first_repeat);
}

static struct bch_jset_head hit(uint64_t seq, uint64_t last_seq)
{
	struct bch_jset_head h = { .seq = seq, .last_seq = last_seq };

	return h;
}

static void test_insert(void)
{
	struct bch_jlist l = { 0 };
	struct bch_jset_head h;
	struct bch_jrange r;
	uint64_t gaps[4];

	h = hit(10, 5);
	ok(bch_jlist_insert(&l, &h, 0) == BCH_JINSERT_ADDED, "first jset added");
	h = hit(10, 5);
	ok(bch_jlist_insert(&l, &h, 1) == BCH_JINSERT_DUPLICATE, "same seq: duplicate");
	h = hit(4, 1);
	ok(bch_jlist_insert(&l, &h, 0) == BCH_JINSERT_EXPIRED, "seq 4 < last_seq 5: expired");
	h = hit(7, 5);
	ok(bch_jlist_insert(&l, &h, 0) == BCH_JINSERT_ADDED && l.v[l.lo].h.seq == 7,
	   "older live jset goes to the head");
	h = hit(12, 8);
	ok(bch_jlist_insert(&l, &h, 0) == BCH_JINSERT_ADDED && l.v[l.lo].h.seq == 10 &&
	   l.hi - l.lo == 2, "last_seq 8 drops seq 7 from the head");
	bch_jlist_range(&l, &r);
	ok(r.any && r.newest == 12 && r.last_seq == 8 && r.present == 2 && r.missing == 3 &&
	   !r.complete, "range [8, 12]: 10 and 12 present, 3 missing");
	ok(bch_jlist_gaps(&l, &r, gaps, 2) == 2 && gaps[0] == 8 && gaps[1] == 9 &&
	   gaps[2] == 11 && gaps[3] == 11, "gaps 8-9 and 11");
	h = hit(13, 3);
	ok(bch_jlist_insert(&l, &h, 0) == BCH_JINSERT_ADDED, "seq 13 (last_seq 3) added");
	bch_jlist_range(&l, &r);
	ok(r.newest == 13 && r.last_seq == 3 && r.stale == 0 && r.present == 3 &&
	   r.missing == 8, "range [3, 13]: 3 present, 8 missing");
	h = hit(20, 12);
	ok(bch_jlist_insert(&l, &h, 0) == BCH_JINSERT_ADDED, "seq 20 (last_seq 12) added");
	bch_jlist_range(&l, &r);
	ok(r.last_seq == 12 && r.stale == 0 && r.present == 3 && r.missing == 6,
	   "range [12, 20]: seq 10 dropped, 12, 13 and 20 present, 6 missing");
	ok(bch_jlist_gaps(&l, &r, gaps, 2) == 1 && gaps[0] == 14 && gaps[1] == 19,
	   "gap 14-19, from the first entry in the range on");
	/* the list holds 12, 13, 20 */
	ok(l.hi - l.lo == 3 && bch_jlist_first(&l, 0) == l.lo && bch_jlist_first(&l, 12) == l.lo &&
	   bch_jlist_first(&l, 13) == l.lo + 1 && bch_jlist_first(&l, 14) == l.lo + 2 &&
	   bch_jlist_first(&l, 20) == l.lo + 2 && bch_jlist_first(&l, 21) == l.hi,
	   "first entry of a seq or later: before, on, between and after the entries");
	ok(bch_jlist_seq(&l, 13) && bch_jlist_seq(&l, 13)->seq == 13 && !bch_jlist_seq(&l, 14) &&
	   !bch_jlist_seq(&l, 21), "entry of a seq: 13 found, 14 and 21 not");
	bch_jlist_free(&l);
	ok(bch_jlist_first(&l, 5) == l.hi, "first entry in an empty list: none");
}

/* WORKED EXAMPLE: jsets A and B in a 1 GiB image, d[i] = J + 1024 i. */
static void test_worked_example(void)
{
	char path[] = "/tmp/test-journal-XXXXXX";
	int fd = mkstemp(path);
	unsigned char a[4096] = { 0 }, b[4096] = { 0 };
	uint64_t region = 0x8000000;
	struct bch_media *m = NULL;
	struct bch_jscan s = { 0 };
	struct bch_jset_source src;
	struct bch_jgeom g = { .n = 256, .bucket_sectors = 1024, .block_sectors = 8 };
	struct bch_jview kv, lv;
	struct bch_jrange r;

	ok(fd >= 0 && ftruncate(fd, 1ULL << 30) == 0, "1 GiB sparse image");
	jset_a(a);
	jset_b(b);
	ok(pwrite(fd, a, 4096, 0x8000400) == 4096 && pwrite(fd, b, 4096, 0x8001400) == 4096,
	   "jset A at 0x8000400, B at 0x8001400");
	close(fd);
	ok(bch_media_open(path, 0, &m) == 0, "open");
	ok(bch_jscan_run(m, region, 2 * region, bch_jset_magic(cset), &s) == 0 && s.n == 2 &&
	   s.v[0].off == 0x8000400 && s.v[1].off == 0x8001400, "magic scan finds A and B");
	for (unsigned int i = 0; i < 256; i++) {
		g.start[i] = region + 1024 * i;
		g.usable[i] = true;
	}
	bch_jset_source_init(&src, m, &s, bch_jset_magic(cset));
	ok(bch_journal_kernel_view(&src, &g, &kv) == 0, "kernel view");
	ok(kv.probe_hit == 137 && kv.order[137] == 1, "the probe reaches bucket 1 at i = 137");
	ok(kv.nread == 139, "139 buckets read (got %u)", kv.nread);
	ok(kv.b[5].read_order < 0, "bucket 5 is never read");
	ok(kv.cur_idx == 1 && kv.b[1].seq == 2, "bucket 1 credited with seq 2: resume at d[2]");
	bch_jlist_range(&kv.list, &r);
	ok(r.newest == 2 && r.last_seq == 1 && r.complete, "replay range [1, 2] complete");
	ok(bch_journal_linear_view(&src, &g, &lv) == 0 && lv.nread == 256, "linear view");
	ok(lv.b[1].added == 2 && lv.b[5].seen == 1 && lv.b[5].added == 0,
	   "linear: bucket 1 yields 1 and 2, bucket 5 yields 2 again");
	ok(lv.b[1].stop == BCH_JSTOP_MAGIC && lv.b[1].stop_off == 0x8002400,
	   "bucket 1 ends at the zero block after B");
	bch_jview_free(&kv);
	bch_jview_free(&lv);
	bch_jset_source_free(&src);
	bch_jscan_free(&s);
	bch_media_close(m);
	unlink(path);
}

/*
 * The read model over planned copies (journal repair): A and B of 11.3
 * copied to the start of bucket 2 of a bucket-bytes table whose bucket 0
 * starts 512 bytes into the region (on no jset); the source reads the copies
 * there, the media elsewhere, and the kernel's read of that table finds them
 * only through the overlay; where the v7 table makes the kernel resume.
 */
static void test_overlay(void)
{
	char path[] = "/tmp/test-journal-XXXXXX";
	int fd = mkstemp(path);
	unsigned char a[4096] = { 0 }, b[4096] = { 0 }, buf[8192];
	uint64_t region = 0x8000000, dst = region + 512 + 2 * 524288;
	struct bch_media *m = NULL;
	struct bch_jscan s = { 0 };
	struct bch_jset_source src;
	struct bch_jcopy cp[2] = {
		{ .seq = 1, .src = 0x8000400, .dst = dst, .bytes = 240, .bucket = 2 },
		{ .seq = 2, .src = 0x8001400, .dst = dst + 4096, .bytes = 264, .bucket = 2 },
	};
	struct bch_jgeom g = { .n = 256, .bucket_sectors = 1024, .block_sectors = 8 };
	struct bch_jgeom g2 = { .n = 255, .bucket_sectors = 1024, .block_sectors = 8 };
	struct bch_jview kv;
	struct bch_jrange r;
	struct bch_jresume rs;

	ok(fd >= 0 && ftruncate(fd, 1ULL << 30) == 0, "1 GiB sparse image");
	jset_a(a);
	jset_b(b);
	ok(pwrite(fd, a, 4096, 0x8000400) == 4096 && pwrite(fd, b, 4096, 0x8001400) == 4096,
	   "jset A at 0x8000400, B at 0x8001400");
	close(fd);
	ok(bch_media_open(path, 0, &m) == 0, "open");
	ok(bch_jscan_run(m, region, 2 * region, bch_jset_magic(cset), &s) == 0 && s.n == 2,
	   "magic scan finds A and B");
	for (unsigned int i = 0; i < 256; i++) {
		g.start[i] = region + 1024 * i;
		g.usable[i] = true;
		g2.start[i] = region + 512 + 524288ULL * i;
		g2.usable[i] = i < g2.n;
	}
	bch_jset_source_init(&src, m, &s, bch_jset_magic(cset));
	ok(bch_journal_kernel_view(&src, &g, &kv) == 0, "v7 table: kernel view");
	bch_jlist_range(&kv.list, &r);
	bch_jview_resume(&kv, &g, &r, &rs);
	ok(rs.bucket == 2 && rs.offset == region + 2048 && rs.n == 1 && rs.lo == 2 && rs.hi == 2,
	   "it resumes in bucket 2, over seq 2 (bucket %d, %llu jsets)", rs.bucket,
	   (unsigned long long)rs.n);
	bch_jview_free(&kv);
	src.ov = cp;
	src.nov = 2;
	ok(bch_jset_source_read(&src, buf, 8192, dst - 2048) == 0 && !memcmp(buf + 2048, a, 240) &&
	   !memcmp(buf + 2048 + 4096, b, 264) && buf[2047] == 0 && buf[2048 + 240] == 0,
	   "the overlay reads the copies in place, the media around them");
	ok(bch_journal_kernel_view(&src, &g2, &kv) == 0, "bucket-bytes table: kernel view");
	bch_jlist_range(&kv.list, &r);
	ok(r.newest == 2 && r.last_seq == 1 && r.complete && kv.duplicates == 0,
	   "replays [1, 2] once");
	ok(bch_jlist_hit(&kv.list, kv.list.lo)->off == dst &&
	   bch_jlist_bucket(&kv.list, kv.list.lo) == 2 && kv.cur_idx == 2,
	   "from the copies in bucket 2, which it credits");
	bch_jview_free(&kv);
	src.nov = 0;
	ok(bch_journal_kernel_view(&src, &g2, &kv) == 0 && kv.list.hi == kv.list.lo,
	   "without the overlay the table reads nothing");
	bch_jview_free(&kv);
	bch_jset_source_free(&src);
	bch_jscan_free(&s);
	bch_media_close(m);
	unlink(path);
}

/*
 * The magic scan reads in 256 KiB windows (every MiB is an edge): jsets
 * across a window edge count once.  Six copies of jset B: the scan view
 * keeps the first by offset and counts five duplicates.
 */
static void test_scan_windows(void)
{
	char path[] = "/tmp/test-journal-XXXXXX";
	int fd = mkstemp(path);
	static const uint64_t at[] = { 0, (1 << 20) - 4096, (1 << 20) - 8, (1 << 20) + 512,
				       (2 << 20) - 264, (3 << 20) - 512 };
	unsigned char b[512];
	struct bch_media *m = NULL;
	struct bch_jscan s = { 0 };
	struct bch_jlist l = { 0 };
	uint64_t dups, conflicts;
	int good = 1;

	jset_b(b);
	ok(fd >= 0 && ftruncate(fd, 3 << 20) == 0, "3 MiB image");
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		good &= pwrite(fd, b, 264, (off_t)at[i]) == 264;
	close(fd);
	ok(good && bch_media_open(path, 0, &m) == 0, "jsets at window edges");
	ok(bch_jscan_run(m, 0, 3 << 20, bch_jset_magic(cset), &s) == 0 && s.n == 6,
	   "six hits, no doubles (got %zu)", s.n);
	for (size_t i = 0; i < s.n && i < 6; i++)
		good &= s.v[i].off == at[i] && s.v[i].state == BCH_JSET_OK;
	ok(good, "offsets in order, all valid");
	ok(bch_jscan_at(&s, (1 << 20) - 4096) && !bch_jscan_at(&s, 8), "lookup by offset");
	ok(bch_jscan_view(&s, &l, &dups, &conflicts) == 0 && l.hi - l.lo == 1 &&
	   bch_jlist_hit(&l, l.lo)->off == 0 && bch_jlist_bucket(&l, l.lo) == -1 &&
	   dups == 5 && conflicts == 0, "scan view: one seq, first copy, 5 duplicates");
	bch_jlist_free(&l);
	bch_jscan_free(&s);
	ok(bch_jscan_run(m, 4, 100, 1, &s) == -EINVAL, "unaligned start is refused");
	bch_media_close(m);
	unlink(path);
}

/*
 * An image file of 72 MiB is scanned from both ends at once (a helper
 * thread takes 8 MiB chunks from the back) where the process may run on two
 * CPUs: its hits, the count past a cap and their order must be those of the
 * same bytes scanned in place, in one pass.  Jsets straddle the chunk edges,
 * one is cut off by the end (before its seq), one has a bad checksum.
 */
static void test_scan_both_ends(void)
{
	char path[] = "/tmp/test-journal-XXXXXX";
	int fd = mkstemp(path);
	const uint64_t size = 72ULL << 20, mib = 1 << 20;
	const uint64_t at[] = { 0, 8 * mib - 8, 8 * mib + 256, 16 * mib - 264, 24 * mib,
				40 * mib - 4096, 40 * mib - 128, 48 * mib + 512, 63 * mib,
				64 * mib - 16, 71 * mib, size - 400, size - 104 };
	const size_t nat = sizeof(at) / sizeof(at[0]);
	static const size_t caps[] = { 0, 2, 7, 11 };
	unsigned char *img = calloc(1, size), b[512];
	struct bch_media *m = NULL, *mem = NULL;
	int good = 1;

	ok(fd >= 0 && img && ftruncate(fd, (off_t)size) == 0, "72 MiB image");
	for (size_t i = 0; img && i < nat; i++) {
		jset_b(b);
		((struct jset *)b)->seq = 10 + i;
		set_csum((struct jset *)b);
		if (i == 4)
			b[100] ^= 1;
		memcpy(img + at[i], b, size - at[i] < 264 ? size - at[i] : 264);
		good &= pwrite(fd, img + at[i], size - at[i] < 264 ? size - at[i] : 264,
			       (off_t)at[i]) == (ssize_t)(size - at[i] < 264 ? size - at[i] : 264);
	}
	close(fd);
	ok(good && img && bch_media_open(path, 0, &m) == 0 &&
	   bch_media_open_mem("mem", img, size, 0, &mem) == 0, "the file and its bytes in memory");
	for (size_t c = 0; m && mem && c < sizeof(caps) / sizeof(caps[0]); c++) {
		struct bch_jscan f = { .max = caps[c] }, g = { .max = caps[c] };
		size_t want = caps[c] && caps[c] < nat ? caps[c] : nat;

		ok(bch_jscan_run(m, 0, size, bch_jset_magic(cset), &f) == 0 &&
		   bch_jscan_run(mem, 0, size, bch_jset_magic(cset), &g) == 0,
		   "cap %zu: both scans run", caps[c]);
		ok(f.n == want && g.n == want && f.dropped == nat - want && g.dropped == f.dropped,
		   "cap %zu: %zu hits, %zu dropped (got %zu/%zu, %zu/%zu)", caps[c], want,
		   nat - want, f.n, f.dropped, g.n, g.dropped);
		ok(f.n == g.n && !memcmp(f.v, g.v, f.n * sizeof(*f.v)),
		   "cap %zu: the same hits in the same order as in place", caps[c]);
		good = f.n == want;
		for (size_t i = 0; good && i < f.n; i++)
			good = f.v[i].off == at[i] && f.v[i].seq == (i == nat - 1 ? 0 : 10 + i) &&
			       f.v[i].state == (i == 4 ? BCH_JSET_BAD_CSUM : i == nat - 1 ?
						BCH_JSET_TRUNCATED : BCH_JSET_OK);
		ok(good, "cap %zu: offsets ascending, states as written", caps[c]);
		bch_jscan_free(&f);
		bch_jscan_free(&g);
	}
	bch_media_close(mem);
	bch_media_close(m);
	free(img);
	unlink(path);
}

/*
 * The read window follows the level-2 cache: a quarter of it, a power of two
 * from 64 KiB to 1 MiB, 128 KiB when the size is unknown.
 */
static void test_scan_window_size(void)
{
	static const struct {
		long l2;
		size_t window;
	} v[] = {
		{ -1, 128 << 10 }, { 0, 128 << 10 }, { 100 << 10, 64 << 10 },
		{ 256 << 10, 64 << 10 }, { 512 << 10, 128 << 10 }, { 1 << 20, 256 << 10 },
		{ 3 << 20, 512 << 10 }, { 2 << 20, 512 << 10 }, { 4 << 20, 1 << 20 },
		{ 64L << 20, 1 << 20 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ok(bch_jscan_window(v[i].l2) == v[i].window, "level-2 cache %ld: window %zu (got %zu)",
		   v[i].l2, v[i].window, bch_jscan_window(v[i].l2));
}

/*
 * Buffers from BCH_MEDIA_BIG_BUF on are mapped in whole 2 MiB huge pages:
 * the whole rounded mapping is there, survives a move, and is let go by the
 * free (mincore fails with ENOMEM on bytes no longer mapped).
 */
static void test_buffers(void)
{
	const size_t huge = 2 << 20, len = 200 << 10;
	unsigned char vec[3 * 512], *p = bch_media_buf_alloc(len), *q;
	bool good;

	ok(p && (uintptr_t)p % 4096 == 0 && mincore(p, huge, vec) == 0,
	   "a buffer of 200 KiB maps 2 MiB");
	if (!p)
		return;
	p[len - 1] = 0x5a;
	q = bch_media_buf_grow(p, len, 3 * huge - 4096);
	ok(q && q[len - 1] == 0x5a && mincore(q, 3 * huge, vec) == 0,
	   "grown to 6 MiB - 4 KiB: its bytes kept, 6 MiB mapped");
	if (!q)
		return;
	bch_media_buf_free(q, 3 * huge - 4096);
	errno = 0;
	ok(mincore(q + 3 * huge - 4096, 4096, vec) == -1 && errno == ENOMEM,
	   "the free lets go of the whole mapping");

	/* one freed buffer of one huge page is kept and handed out again, zeroed */
	p = bch_media_buf_alloc(len);
	q = bch_media_buf_alloc(len);
	if (!p || !q)
		return;
	memset(p, 0xa5, len);
	memset(q, 0x5a, len);
	bch_media_buf_free(p, len);
	bch_media_buf_free(q, len);
	errno = 0;
	ok(mincore(q, huge, vec) == -1 && errno == ENOMEM, "a second freed one is let go");
	q = bch_media_buf_alloc(huge);
	ok(q == p, "the kept one is handed out again");
	good = q != NULL;
	for (size_t i = 0; good && i < huge; i++)
		good = !q[i];
	ok(good, "zeroed: all 2 MiB of it");
	bch_media_buf_free(q, huge);
}

/*
 * A scan view of 40,000 valid jsets (its index array is a mapping of huge
 * pages from 32,768 entries on), written as a circular journal starting in
 * the middle: rotated into seq order, freed as it was made.
 */
static void test_view_big(void)
{
	const size_t n = 40000, step = 512, first = 12345;
	unsigned char *img = calloc(n, step);
	struct bch_media *m = NULL;
	struct bch_jscan s = { 0 };
	struct bch_jlist l = { 0 };
	struct bch_jrange r;
	uint64_t dups, conflicts;
	int good = 1;

	for (size_t i = 0; img && i < n; i++) {
		struct jset *j = (struct jset *)(img + i * step);

		jset_b(img + i * step);
		j->seq = 1000 + (i + n - first) % n;
		j->last_seq = j->seq;
		set_csum(j);
	}
	ok(img && bch_media_open_mem("mem", img, n * step, 0, &m) == 0 &&
	   bch_jscan_run(m, 0, n * step, bch_jset_magic(cset), &s) == 0 && s.n == n,
	   "40000 jsets found");
	ok(bch_jscan_view(&s, &l, &dups, &conflicts) == 0 && l.hi - l.lo == n && !dups &&
	   l.idx_len >= n * sizeof(*l.idx), "the view holds them all, in a mapped index");
	for (size_t i = l.lo; good && i < l.hi; i++)
		good = bch_jlist_hit(&l, i)->seq == 1000 + (i - l.lo) &&
		       bch_jlist_hit(&l, i)->off == ((i - l.lo + first) % n) * step;
	ok(good && l.hi > l.lo, "ascending seq from the one at byte %zu", first * step);
	bch_jlist_range(&l, &r);
	ok(r.newest == 1000 + n - 1 && r.last_seq == r.newest && r.stale == n - 1 &&
	   r.present == 1 && r.complete, "range: the newest alone, %zu stale", n - 1);
	bch_jlist_free(&l);
	bch_jscan_free(&s);
	bch_media_close(m);
	free(img);
}

/*
 * Scan views of five jsets whose seqs run, in offset order, 5 6 1 2 7 (one
 * descent, but 7 after 5: not a rotation, sorted), 5 6 1 2 3 (a rotation),
 * 5 6 6 1 2 (a rotation with a duplicate) and 5 6 1 2 5 (sorted, with a
 * duplicate at both ends): seq order every time, one copy of each seq.
 */
static void test_view_orders(void)
{
	static const uint64_t orders[][5] = {
		{ 5, 6, 1, 2, 7 }, { 5, 6, 1, 2, 3 }, { 5, 6, 6, 1, 2 }, { 5, 6, 1, 2, 5 },
	};
	static const uint64_t want[][5] = {
		{ 1, 2, 5, 6, 7 }, { 1, 2, 3, 5, 6 }, { 1, 2, 5, 6, 0 }, { 1, 2, 5, 6, 0 },
	};

	for (size_t o = 0; o < 4; o++) {
		unsigned char img[5 * 512];
		struct bch_media *m = NULL;
		struct bch_jscan s = { 0 };
		struct bch_jlist l = { 0 };
		uint64_t dups, conflicts;
		size_t n = o >= 2 ? 4 : 5;
		int good;

		for (size_t i = 0; i < 5; i++) {
			struct jset *j = (struct jset *)(img + 512 * i);

			jset_b(img + 512 * i);
			j->seq = j->last_seq = orders[o][i];
			set_csum(j);
		}
		good = !bch_media_open_mem("mem", img, sizeof(img), 0, &m) &&
		       !bch_jscan_run(m, 0, sizeof(img), bch_jset_magic(cset), &s) && s.n == 5 &&
		       !bch_jscan_view(&s, &l, &dups, &conflicts) && l.hi - l.lo == n &&
		       dups == 5 - n;
		for (size_t i = 0; good && i < n; i++)
			good = bch_jlist_hit(&l, l.lo + i)->seq == want[o][i];
		ok(good, "seqs %llu %llu %llu %llu %llu by offset: in seq order",
		   (unsigned long long)orders[o][0], (unsigned long long)orders[o][1],
		   (unsigned long long)orders[o][2], (unsigned long long)orders[o][3],
		   (unsigned long long)orders[o][4]);
		bch_jlist_free(&l);
		bch_jscan_free(&s);
		bch_media_close(m);
	}
}

/* The header of a jset of seq at img + at, keys u64 words long, all zero. */
static void jset_head(unsigned char *img, uint64_t at, uint64_t seq, unsigned int keys)
{
	struct jset *j = (struct jset *)(img + at);

	memset(j, 0, BCH_JSET_HDR + 8ULL * keys);
	j->magic = bch_jset_magic(cset);
	j->seq = seq;
	j->last_seq = 1;
	j->version = 1;
	j->keys = keys;
}

/* Its checksum, once its keys are written (spoilt when bad). */
static void jset_seal(unsigned char *img, uint64_t at, bool bad)
{
	struct jset *j = (struct jset *)(img + at);
	uint64_t c = 0;

	bch_csum_set(j, BCH_JSET_HDR + 8ULL * j->keys, BCH_JSET_HDR, j->keys, &c);
	j->csum = c ^ bad;
}

/* Jset B with another seq, in b (512 bytes; the jset is 264). */
static void jset_b_seq(unsigned char *b, uint64_t seq)
{
	jset_b(b);
	((struct jset *)b)->seq = seq;
	set_csum((struct jset *)b);
}

/* Whether a scan holds exactly the hits at off[] with seq[] (0: not valid). */
static bool hits_are(const struct bch_jscan *s, const uint64_t *off, const uint64_t *seq,
		     size_t n)
{
	if (s->n != n || s->dropped)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s->v[i].off != off[i] || (seq[i] ? s->v[i].state != BCH_JSET_OK ||
					      s->v[i].seq != seq[i] :
					      s->v[i].state == BCH_JSET_OK))
			return false;
	return true;
}

/*
 * A valid jset's bytes are its own: a jset or a bare magic among its keys
 * is no hit, in windows (a 3 MiB file, read in windows whose edges include
 * 1 and 2 MiB, and in windows of 8 bytes to 1 MiB) and in place (its bytes
 * in memory).  Inside a jset with a bad
 * checksum both are found; one valid jset across the 1 MiB edge holds a
 * jset past it, and the jset right after its end is found; one that ends at
 * the 2 MiB edge has a magic right after it, in its last word's magic place.  The bucket
 * scans still see a jset where a bucket starts inside a valid one, as the
 * kernel would: the source reads what the scan did not look at.
 */
static void test_scan_nested(void)
{
	char path[] = "/tmp/test-journal-XXXXXX";
	int fd = mkstemp(path);
	const uint64_t size = 3 << 20, edge = 1 << 20;
	const uint64_t off[] = { 4096, 65536, 65536 + 512, edge - 1024, edge + 2416,
				 2 * edge - 1840 };
	const uint64_t seq[] = { 20, 0, 23, 24, 26, 27 };
	static const size_t wins[] = { 8, 24, 520, 4096, 32776, 1 << 20 };
	unsigned char *img = calloc(1, size), in[512];
	uint64_t magic = bch_jset_magic(cset);
	struct bch_media *m = NULL, *mem = NULL;
	struct bch_jgeom g = { .n = 2, .bucket_sectors = 8, .block_sectors = 1 };
	struct bch_jscan f = { 0 }, h = { 0 };
	struct bch_jset_source src, raw;
	struct bch_jview lv, rv;

	if (!img)
		return;
	/* jset 20 holds jset 21 at +512 and a bare magic at +1024 */
	jset_head(img, 4096, 20, 200);
	jset_b_seq(in, 21);
	memcpy(img + 4096 + 512, in, 264);
	memcpy(img + 4096 + 1024 + 8, &magic, 8);
	jset_seal(img, 4096, false);
	/* jset 22, with a bad checksum, holds jset 23 */
	jset_head(img, 65536, 22, 200);
	jset_b_seq(in, 23);
	memcpy(img + 65536 + 512, in, 264);
	jset_seal(img, 65536, true);
	/* jset 24 across the edge holds jset 25 past it; jset 26 follows it */
	jset_head(img, edge - 1024, 24, 400);
	jset_b_seq(in, 25);
	memcpy(img + edge + 1024, in, 264);
	jset_seal(img, edge - 1024, false);
	jset_b_seq(in, 26);
	memcpy(img + edge + 2416, in, 264);
	/* jset 27 ends at the 2 MiB edge: the magic there is its last word's */
	jset_head(img, 2 * edge - 1840, 27, 200);
	jset_seal(img, 2 * edge - 1840, false);
	memcpy(img + 2 * edge, &magic, 8);
	ok(fd >= 0 && pwrite(fd, img, size, 0) == (ssize_t)size, "3 MiB image");
	close(fd);
	ok(bch_media_open(path, 0, &m) == 0 && bch_media_open_mem("mem", img, size, 0, &mem) == 0,
	   "the file and its bytes in memory");
	ok(m && bch_jscan_run(m, 0, size, magic, &f) == 0 && hits_are(&f, off, seq, 6),
	   "windows: jsets 20, 22 (bad), 23, 24, 26, 27; none inside 20, 24, 27 (got %zu)", f.n);
	ok(mem && bch_jscan_run(mem, 0, size, magic, &h) == 0 && hits_are(&h, off, seq, 6),
	   "in place: the same hits (got %zu)", h.n);
	for (size_t i = 0; m && i < sizeof(wins) / sizeof(wins[0]); i++) {
		struct bch_jscan w = { .window = wins[i] };

		ok(bch_jscan_run(m, 0, size, magic, &w) == 0 && hits_are(&w, off, seq, 6),
		   "windows of %zu bytes: the same hits (got %zu)", wins[i], w.n);
		bch_jscan_free(&w);
	}
	if (m) {	/* a small range is read in windows too, not mapped */
		struct bch_jscan w = { .window = 8 };

		ok(bch_jscan_run(m, 0, 512 << 10, magic, &w) == 0 && hits_are(&w, off, seq, 3) &&
		   !m->rmap, "512 KiB in windows of 8 bytes: read, not mapped");
		bch_jscan_free(&w);
		w.window = 0;
		ok(bch_jscan_run(m, 0, 512 << 10, magic, &w) == 0 && hits_are(&w, off, seq, 3) &&
		   m->rmap, "the same without a window: mapped");
		bch_jscan_free(&w);
	}
	ok(bch_jscan_covered(&f, 4096 + 512) && bch_jscan_covered(&f, 4096 + 8) &&
	   !bch_jscan_covered(&f, 4096) && !bch_jscan_covered(&f, 4096 + 1840) &&
	   !bch_jscan_covered(&f, 65536 + 8) && !bch_jscan_covered(&f, 0) &&
	   bch_jscan_covered(&f, edge + 1024), "covered: inside valid jsets only");
	/* bucket 0 starts at jset 21 inside jset 20, bucket 1 at jset 20 */
	g.start[0] = 4096 + 512;
	g.start[1] = 4096;
	g.usable[0] = g.usable[1] = true;
	ok(m && bch_jset_source_init(&src, m, &f, magic) == 0 &&
	   bch_jset_source_init(&raw, m, NULL, magic) == 0, "sources with and without the scan");
	ok(m && bch_journal_linear_view(&src, &g, &lv) == 0 &&
	   bch_journal_linear_view(&raw, &g, &rv) == 0, "every bucket's view, both ways");
	ok(m && lv.list.hi - lv.list.lo == 2 && bch_jlist_seq(&lv.list, 21) &&
	   bch_jlist_seq(&lv.list, 20) && lv.b[0].added == 1 && rv.list.hi - rv.list.lo == 2 &&
	   rv.b[0].added == 1 && lv.b[0].stop == rv.b[0].stop &&
	   lv.b[0].stop_off == rv.b[0].stop_off, "bucket 0 reads jset 21 as without the scan");
	if (m) {
		bch_jview_free(&lv);
		bch_jview_free(&rv);
		bch_jset_source_free(&src);
		bch_jset_source_free(&raw);
	}
	bch_jscan_free(&f);
	bch_jscan_free(&h);
	bch_media_close(mem);
	bch_media_close(m);
	free(img);
	unlink(path);
}

/*
 * Scanned from both ends (72 MiB, 8 MiB chunks), a chunk that begins inside
 * a valid jset: its first hits, which the scan in one pass would not have,
 * are dropped (a bare magic past each chunk edge inside a jset across it),
 * and where one of them is valid (a jset inside the jset across the 56 MiB
 * edge, reaching past its end over the jset that follows it) the back
 * chunks are scanned again in order: the hits are those of the same bytes
 * scanned in place.
 */
static void test_scan_both_ends_nested(void)
{
	const uint64_t size = 72ULL << 20, mib = 1 << 20;
	uint64_t magic = bch_jset_magic(cset), off[16], seq[16];
	unsigned char *img = calloc(1, size), in[512];

	for (int pass = 0; img && pass < 2; pass++) {
		char path[] = "/tmp/test-journal-XXXXXX";
		int fd = mkstemp(path);
		struct bch_media *m = NULL, *mem = NULL;
		struct bch_jscan f = { 0 }, h = { 0 };
		size_t n = 0;

		memset(img, 0, size);
		for (uint64_t k = 1; k < 9; k++) {
			uint64_t at = 8 * k * mib - 1024;

			jset_head(img, at, 10 + k, 400);
			if (pass && k == 7)	/* past the edge, a valid jset reaching past it */
				jset_head(img, at + 1280, 60 + k, 400);
			else			/* a bare magic past the edge */
				memcpy(img + at + 1024 + 512 + 8, &magic, 8);
			jset_b_seq(in, 100 + k);
			memcpy(img + at + 3440, in, 264);	/* right after it */
			if (pass && k == 7)
				jset_seal(img, at + 1280, false);
			jset_seal(img, at, false);
			off[n] = at;
			seq[n++] = 10 + k;
			off[n] = at + 3440;
			seq[n++] = 100 + k;
		}
		ok(fd >= 0 && pwrite(fd, img, size, 0) == (ssize_t)size &&
		   bch_media_open(path, 0, &m) == 0 &&
		   bch_media_open_mem("mem", img, size, 0, &mem) == 0, "pass %d: 72 MiB image", pass);
		ok(m && mem && bch_jscan_run(m, 0, size, magic, &f) == 0 &&
		   bch_jscan_run(mem, 0, size, magic, &h) == 0, "pass %d: both scans run", pass);
		ok(hits_are(&h, off, seq, n), "pass %d: in place: 16 jsets, none inside (got %zu)",
		   pass, h.n);
		ok(hits_are(&f, off, seq, n) && f.n == h.n && !memcmp(f.v, h.v, f.n * sizeof(*f.v)),
		   "pass %d: both ends: the same hits (got %zu)", pass, f.n);
		if (fd >= 0)
			close(fd);
		bch_jscan_free(&f);
		bch_jscan_free(&h);
		bch_media_close(mem);
		bch_media_close(m);
		unlink(path);
	}
	free(img);
}

/*
 * An image file's holes read as zeros and are not scanned: bch_media_has_data
 * answers from SEEK_DATA/SEEK_HOLE, and a scan of a hole finds nothing
 * without reading it, while a jset written in the data is found.  (Where
 * the file system reports no holes every range counts as data.)
 */
static void test_scan_holes(void)
{
	char path[] = "/tmp/test-journal-XXXXXX";
	int fd = mkstemp(path);
	const uint64_t mib = 1 << 20, at = 40 * mib + 4096;
	struct bch_media *m = NULL;
	struct bch_jscan s = { 0 };
	unsigned char b[512];
	bool holes;

	jset_b(b);
	ok(fd >= 0 && ftruncate(fd, (off_t)(64 * mib)) == 0 &&
	   pwrite(fd, b, sizeof(b), (off_t)at) == (ssize_t)sizeof(b), "64 MiB sparse image");
	holes = fd >= 0 && lseek(fd, 0, SEEK_DATA) > 0;
	close(fd);
	ok(bch_media_open(path, 0, &m) == 0, "opened");
	ok(m && bch_media_has_data(m, at, 512) && bch_media_has_data(m, 0, 64 * mib) &&
	   bch_media_has_data(m, at - 4096, 4097), "ranges that reach the data have data");
	if (holes) {
		ok(m && !bch_media_has_data(m, 0, 40 * mib) &&
		   !bch_media_has_data(m, 40 * mib, 4096) &&
		   !bch_media_has_data(m, 48 * mib, 16 * mib), "ranges in the holes have none");
	} else {
		ok(1, "# SKIP the file system reports no holes");
	}
	ok(m && bch_jscan_run(m, 0, 40 * mib, bch_jset_magic(cset), &s) == 0 && s.n == 0,
	   "a scan of the hole: no hit");
	ok(m && bch_jscan_run(m, 40 * mib, 41 * mib, bch_jset_magic(cset), &s) == 0 && s.n == 1 &&
	   s.v[0].off == at && s.v[0].state == BCH_JSET_OK, "the jset in the data is found");
	ok(m && bch_jscan_run(m, 0, 64 * mib, bch_jset_magic(cset), &s) == 0 && s.n == 1 &&
	   s.v[0].off == at, "so is it by a scan of the whole image");
	bch_media_close(m);
	/* a write into a hole through the media: its ranges are asked again */
	m = NULL;
	ok(bch_media_open(path, BCH_MEDIA_WRITE, &m) == 0 && !bch_media_has_data(m, 8 * mib, 512) ==
	   holes && bch_media_write(m, b, sizeof(b), 8 * mib) == 0 &&
	   bch_media_has_data(m, 8 * mib, 512), "written: the range has data");
	ok(m && bch_jscan_run(m, 0, 64 * mib, bch_jset_magic(cset), &s) == 0 && s.n == 2 &&
	   s.v[0].off == 8 * mib && s.v[1].off == at, "both jsets are found");
	bch_jscan_free(&s);
	bch_media_close(m);
	unlink(path);
}

int main(void)
{
	test_jsets();
	test_keys();
	test_superblocks();
	test_probe();
	test_insert();
	test_worked_example();
	test_overlay();
	test_scan_windows();
	test_scan_both_ends();
	test_scan_nested();
	test_scan_both_ends_nested();
	test_scan_holes();
	test_scan_window_size();
	test_buffers();
	test_view_big();
	test_view_orders();
	return tap_done();
}
