/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bcache journal (bcache-journal-format(5)): bkey and pointer accessors
 * (shifts and masks, never C bitfields), the kernel's text form of keys
 * (KEY TEXT), jset validation, the magic scan of a region, the kernel's
 * per-bucket scan (BUCKET SCAN), bucket visiting order (VISITING ORDER),
 * insertion (INSERTION) and replay range (REPLAY RANGE), and locating the
 * journal in an nvm-pages namespace (LOCATING).
 * Everything is bounded: 32 KiB per jset, capped hit and event counts, and a
 * work budget for list insertions.
 */
#ifndef BCACHE_JOURNAL_H
#define BCACHE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bcache.h>
#include <bcache/problem.h>

struct bch_media;
struct bch_nvm_ns;
struct bch_cache_sb_info;

#define BCH_JSET_HDR		240	/* offsetof(struct jset, d) */
#define BCH_JSET_MAX_KEYS	((JSET_MAX_BYTES - BCH_JSET_HDR) / 8)	/* 4066 */
#define BCH_PTR_CHECK_DEV	0xfffU
#define BCH_GOLDEN_RATIO_32	2654435769U

/* ---- keys (BKEY) ---- */

static inline unsigned int bch_key_ptrs(uint64_t high) { return (high >> 60) & 7; }
static inline unsigned int bch_key_header_size(uint64_t high) { return (high >> 58) & 3; }
static inline unsigned int bch_key_csum(uint64_t high) { return (high >> 56) & 3; }
static inline bool bch_key_pinned(uint64_t high) { return (high >> 55) & 1; }
static inline bool bch_key_dirty(uint64_t high) { return (high >> 36) & 1; }
static inline unsigned int bch_key_size(uint64_t high) { return (high >> 20) & 0xffff; }
static inline unsigned int bch_key_inode(uint64_t high) { return high & 0xfffff; }
/* KEY_START = KEY_OFFSET - KEY_SIZE modulo 2^64. */
static inline uint64_t bch_key_start(uint64_t high, uint64_t low)
{
	return low - bch_key_size(high);
}
static inline unsigned int bch_ptr_dev(uint64_t p) { return (p >> 51) & 0xfff; }
static inline uint64_t bch_ptr_offset(uint64_t p) { return (p >> 8) & ((1ULL << 43) - 1); }
static inline unsigned int bch_ptr_gen(uint64_t p) { return p & 0xff; }

/* The high word the kernel's key constructor builds (bit 63 set). */
static inline uint64_t bch_key_high(unsigned int inode, unsigned int size, bool dirty,
				    unsigned int ptrs)
{
	return 1ULL << 63 | (uint64_t)(ptrs & 7) << 60 | (uint64_t)dirty << 36 |
	       (uint64_t)(size & 0xffff) << 20 | (inode & 0xfffff);
}
static inline uint64_t bch_ptr_make(unsigned int gen, uint64_t offset, unsigned int dev)
{
	return (uint64_t)(dev & 0xfff) << 51 | (offset & ((1ULL << 43) - 1)) << 8 | (gen & 0xff);
}

/*
 * A key in the kernel's text form (KEY TEXT).  `words` is the number of u64
 * readable from k (the rest of the payload): -EINVAL when the key overruns
 * it.  Returns the length needed, like snprintf.
 */
int bch_key_text(const void *key, size_t words, char *buf, size_t len);

/* ---- jsets (sections 3, 4) ---- */

/* set_magic (LE u64 of set_uuid[0..7]) ^ JSET_MAGIC. */
uint64_t bch_jset_magic(const uint8_t set_uuid[16]);

enum bch_jset_state {
	BCH_JSET_OK,
	BCH_JSET_NO_MAGIC,
	BCH_JSET_TOO_BIG,	/* 240 + 8 * keys > 32 KiB */
	BCH_JSET_TRUNCATED,	/* runs past the readable bytes */
	BCH_JSET_BAD_CSUM,
};
const char *bch_jset_state_name(enum bch_jset_state s);

/* Per-jset flags of the jset CHECKS (valid jsets only). */
enum {
	BCH_JF_VERSION = 1 << 0,	/* version != 1 */
	BCH_JF_KEY_OVERRUN = 1 << 1,
	BCH_JF_KEY_SIZE = 1 << 2,	/* KEY_SIZE > KEY_OFFSET, or 0 with pointers */
	BCH_JF_PTR_DEV = 1 << 3,
	BCH_JF_LAST_SEQ = 1 << 4,	/* last_seq > seq */
};

/* One jset header as found at a namespace byte offset. */
struct bch_jset_head {
	uint64_t off;
	uint64_t seq, last_seq;
	uint64_t csum, csum_computed;
	uint32_t version, keys;		/* keys: u64 payload words */
	uint32_t nkeys;			/* bkeys in the payload (valid jsets) */
	uint8_t state;			/* enum bch_jset_state */
	uint8_t flags;			/* BCH_JF_* (once checked) */
	uint8_t checked;		/* bch_jset_check ran */
};

static inline uint64_t bch_jset_bytes(const struct bch_jset_head *h)
{
	return BCH_JSET_HDR + 8ULL * h->keys;
}

/* Evaluate the jset at p (avail readable bytes) against a magic. */
void bch_jset_eval(const void *p, size_t avail, uint64_t magic, uint64_t off,
		   struct bch_jset_head *out);
/* The jset CHECKS of a valid jset's bytes: sets flags and nkeys. */
void bch_jset_check(const void *p, struct bch_jset_head *h);

/* ---- the magic scan of a byte range (LOCATING step 5) ---- */

struct bch_jscan {
	uint64_t magic;
	uint64_t start, end;		/* namespace bytes scanned */
	struct bch_jset_head *v;		/* every position with the magic, by offset */
	size_t n, cap, max, dropped;
	bool heap;			/* v from malloc (small ranges), else mmap */
	size_t window;			/* caller: read image files in windows of this
					 * many bytes (a multiple of 8), small ranges too;
					 * 0: bch_jscan_window() */
};

/*
 * Test every 8-byte-aligned position of [start, end) (start must be 8-byte
 * aligned) and record those with the magic, but none inside a valid jset:
 * its bytes are its own (its checksum covers them, and the kernel's bucket
 * scan steps over a jset too), so the scan resumes at its end (whatever
 * found it: one thread or two, windows or a mapping).  The range is clamped to the
 * device (s->start and s->end say what was scanned: nothing when start lies
 * past its end).  Image files are read in windows (small ranges through a
 * read-only mapping of the file, large ones from both ends at once by two
 * threads, with the same results), block devices in O_DIRECT windows,
 * devdax and memory in place.  Time is linear in the range, memory bounded
 * by max hits (0: default cap).
 */
int bch_jscan_run(struct bch_media *m, uint64_t start, uint64_t end, uint64_t magic,
		  struct bch_jscan *s);
void bch_jscan_free(struct bch_jscan *s);
/* Whether off lies inside a valid hit of s, after its start: not tested. */
bool bch_jscan_covered(const struct bch_jscan *s, uint64_t off);
/*
 * The read window of an image file's scan on a CPU whose level-2 cache
 * holds l2 bytes (sysconf(_SC_LEVEL2_CACHE_SIZE); 0 or less: unknown): the
 * largest power of two from 64 KiB to 1 MiB that is at most a quarter of
 * it, 128 KiB when it is unknown.
 */
size_t bch_jscan_window(long l2);
/* The recorded hit at off, or NULL. */
const struct bch_jset_head *bch_jscan_at(const struct bch_jscan *s, uint64_t off);
/* The same, starting from *hint (updated: where the next lookup starts). */
const struct bch_jset_head *bch_jscan_near(const struct bch_jscan *s, uint64_t off, size_t *hint);

/* ---- geometry and the replay list ---- */

struct bch_jgeom {
	unsigned int n;				/* journal buckets (sb keys) */
	uint64_t start[SB_JOURNAL_BUCKETS];	/* namespace byte offset */
	bool usable[SB_JOURNAL_BUCKETS];	/* start lies in the namespace */
	uint64_t bucket_sectors, block_sectors;
};

struct bch_jentry {
	struct bch_jset_head h;
	int bucket;
};

/*
 * The replay list of 10.3, ascending seq, as an array [lo, hi): entries v
 * (the kernel views), or in index mode (the magic-scan view) indexes idx into
 * the hits at base, which the list does not own.  Read it with
 * bch_jlist_hit() and bch_jlist_bucket().
 */
struct bch_jlist {
	struct bch_jentry *v;
	struct bch_jset_head *base;
	uint32_t *idx;
	size_t idx_len;		/* bytes of idx's mapping (bch_media_buf_alloc), 0: heap */
	size_t lo, hi, cap;
	uint64_t work, work_max;
};

static inline struct bch_jset_head *bch_jlist_hit(const struct bch_jlist *l, size_t i)
{
	return l->idx ? &l->base[l->idx[i]] : &l->v[i].h;
}

static inline int bch_jlist_bucket(const struct bch_jlist *l, size_t i)
{
	return l->idx ? -1 : l->v[i].bucket;
}

enum bch_jinsert { BCH_JINSERT_ADDED, BCH_JINSERT_DUPLICATE, BCH_JINSERT_EXPIRED };
const char *bch_jinsert_name(enum bch_jinsert i);
/* Insert by the kernel's rules; returns enum bch_jinsert or -ENOMEM / -E2BIG. */
int bch_jlist_insert(struct bch_jlist *l, const struct bch_jset_head *h, int bucket);
void bch_jlist_free(struct bch_jlist *l);
/* The index of the first entry of seq or a later one (hi: none). */
size_t bch_jlist_first(const struct bch_jlist *l, uint64_t seq);
/* The entry of seq, or NULL. */
const struct bch_jset_head *bch_jlist_seq(const struct bch_jlist *l, uint64_t seq);

struct bch_jrange {
	bool any;
	uint64_t newest, last_seq;	/* of the newest jset: range [last_seq, newest] */
	uint64_t present, missing;	/* seqs of the range present / missing */
	uint64_t stale;			/* entries below last_seq */
	bool complete;
};
void bch_jlist_range(const struct bch_jlist *l, struct bch_jrange *r);
/*
 * Gaps of the range: up to max [from, to] pairs into gaps[2 * i], returns the
 * number of gaps (may exceed max).
 */
size_t bch_jlist_gaps(const struct bch_jlist *l, const struct bch_jrange *r,
		      uint64_t *gaps, size_t max);

/* ---- reading buckets (BUCKET SCAN, VISITING ORDER) ---- */

enum bch_jstop {
	BCH_JSTOP_NONE,		/* bucket not read */
	BCH_JSTOP_END,		/* reached bucket_size */
	BCH_JSTOP_MAGIC,	/* bad magic: the normal end */
	BCH_JSTOP_TOO_BIG,
	BCH_JSTOP_BAD_CSUM,
	BCH_JSTOP_OUTSIDE,	/* end of the namespace, or bucket not usable */
};
const char *bch_jstop_name(enum bch_jstop s);

struct bch_jevent {
	struct bch_jset_head h;
	int bucket;
	int outcome;		/* enum bch_jinsert */
};

struct bch_jbucket {
	int read_order;		/* -1: not read */
	uint64_t seq;		/* max seq added while reading it (ja->seq) */
	enum bch_jstop stop;
	uint64_t stop_off;	/* namespace offset where the scan stopped */
	uint32_t seen, added;
};

struct bch_jview {
	struct bch_jlist list;
	struct bch_jevent *ev;
	size_t nev, evcap, evmax, ev_dropped;
	struct bch_jbucket b[SB_JOURNAL_BUCKETS];
	unsigned int n;
	int order[SB_JOURNAL_BUCKETS];	/* buckets in reading order */
	unsigned int nread;
	int probe_hit;		/* probe index i that found the journal, -1 */
	bool linear_hit;	/* found by the linear sweep */
	int cur_idx;		/* -1 when no bucket got a seq */
	uint64_t journal_seq;
	uint64_t invalid;	/* scans stopped by too big / bad csum */
	uint64_t duplicates, expired;
};

/* VISITING ORDER step 1: the i-th bucket of the golden-ratio probe. */
static inline unsigned int bch_journal_probe(unsigned int i, unsigned int n)
{
	return (uint32_t)(i * BCH_GOLDEN_RATIO_32) % n;	/* 32-bit multiply */
}

/*
 * A jset copied from src to dst (namespace bytes), `bytes` long: a planned
 * relocation (journal repair).  Destinations never overlap each other or
 * any source.
 */
struct bch_jcopy {
	uint64_t seq;
	uint64_t src, dst;
	uint32_t bytes;
	unsigned int bucket;	/* the bucket of the new geometry it lands in */
};

/*
 * Where bucket scans get jsets: the magic scan, else direct reads.  With an
 * overlay (copies sorted by dst), the bytes are those of the media after the
 * copies: positions a copy may reach are read directly, through the overlay.
 */
struct bch_jset_source {
	struct bch_media *m;
	const struct bch_jscan *scan;
	uint64_t magic;
	unsigned char *buf;	/* JSET_MAX_BYTES, owned */
	size_t hint;		/* bch_jscan_near() position */
	bool events;		/* keep a bch_jevent per jset seen */
	const struct bch_jcopy *ov;
	size_t nov;
};
int bch_jset_source_init(struct bch_jset_source *s, struct bch_media *m,
			  const struct bch_jscan *scan, uint64_t magic);
void bch_jset_source_free(struct bch_jset_source *s);
/* Read bytes as the source sees them (through its overlay); -ERANGE outside. */
int bch_jset_source_read(struct bch_jset_source *s, void *buf, size_t len, uint64_t off);

/* The kernel's bch_journal_read over the geometry (VISITING ORDER 1-5). */
int bch_journal_kernel_view(struct bch_jset_source *src, const struct bch_jgeom *g,
			    struct bch_jview *v);
/* Every bucket in ascending order, merged with 10.3 (the media view). */
int bch_journal_linear_view(struct bch_jset_source *src, const struct bch_jgeom *g,
			    struct bch_jview *v);
void bch_jview_free(struct bch_jview *v);

/*
 * Where the kernel writes next after its read (9.3): the bucket after
 * cur_idx, and the live jsets of its replay list (seq >= r->last_seq) whose
 * bytes lie in that bucket: the ones it would overwrite.
 */
struct bch_jresume {
	int bucket;		/* -1: no bucket credited, or not usable */
	uint64_t offset;	/* its start (namespace bytes) */
	uint64_t n, lo, hi;	/* live jsets in it: count, lowest and highest seq */
};
void bch_jview_resume(const struct bch_jview *v, const struct bch_jgeom *g,
		      const struct bch_jrange *r, struct bch_jresume *out);

/*
 * The magic-scan view: valid hits deduplicated by seq (the first by offset
 * wins) into a list in index mode over s->v (s must outlive it).  *dups and
 * *conflicts count further copies, and copies whose checksum differs.
 */
int bch_jscan_view(const struct bch_jscan *s, struct bch_jlist *l, uint64_t *dups,
		   uint64_t *conflicts);

/* ---- locating the journal (LOCATING) ---- */

enum bch_jstride {
	BCH_JSTRIDE_NONE,		/* fewer than two buckets */
	BCH_JSTRIDE_BYTES,		/* v7: bucket_size bytes */
	BCH_JSTRIDE_BUCKET_BYTES,	/* later revisions: bucket_size * 512 */
	BCH_JSTRIDE_IRREGULAR,
};
const char *bch_jstride_name(enum bch_jstride s);

struct bch_jregion {
	int owner;		/* index into ns->owners */
	int alloc;		/* index into ns->allocs */
	uint64_t start, len;	/* namespace bytes */
	uint8_t uuid[16];	/* the owner head's uuid */
	uint64_t magic;
	bool kernel_finds;	/* chain recs[0], index < used */
};

struct bch_jlocate {
	struct bch_jregion *r;
	size_t nr, cap;
	int chosen;		/* with the cache sb: region holding d[0], or -1 */
	struct bch_jgeom g;
	enum bch_jstride stride;
	uint64_t span_start, span_end;	/* with the cache sb: what to scan */
	bool not_written;	/* with the cache sb: keys 0 on a fresh namespace */
	struct bch_problems problems;
};

/* LOCATING with the cache superblock. */
int bch_journal_locate_sb(const struct bch_nvm_ns *ns, const struct bch_cache_sb_info *csb,
			  struct bch_jlocate *out);
/* LOCATING from the namespace alone: every owner's regions (heads[0] too:
 * v7 puts the journal there when the set uuids are equal); cset_uuid (may be
 * NULL) selects that owner and derives the magic. */
int bch_journal_locate_owners(const struct bch_nvm_ns *ns, const uint8_t *cset_uuid,
			      struct bch_jlocate *out);
void bch_jlocate_free(struct bch_jlocate *l);

/*
 * LOCATING step 7 (inferred): the geometry a pmem-only scan suggests.  On a
 * fresh set the seq-1 jset lies at d[1], so its offset from the region start
 * J is the stride d[1] - d[0].  Whether that stride is v7's bucket_size bytes
 * or the bucket_size * 512 of later revisions is decided by the region size:
 * the kernel's order floor(log2(bucket_size * keys / 8)) must allow a keys in
 * [2, 256] for a power-of-two bucket_size >= 8 sectors; when both or neither
 * do, the kind is undecided.  The spacings of consecutive seqs lying one
 * after the other (within a bucket) are multiples of the block size: their
 * gcd is block_multiple.
 */
struct bch_jinfer {
	bool seq1;			/* the seq-1 jset was found */
	uint64_t stride;		/* its offset from J: d[1] - d[0], bytes */
	enum bch_jstride kind;		/* NONE: undecided or unknown */
	uint64_t bucket_sectors;	/* for kind, else 0 */
	unsigned int keys_min, keys_max;	/* journal buckets the order allows */
	uint64_t block_multiple;	/* bytes, 0: no two consecutive jsets */
	struct bch_jgeom g;		/* buckets placed from the above (n 0: none) */
};
void bch_journal_infer(const struct bch_jlist *media, uint64_t start, uint64_t len,
		       struct bch_jinfer *out);

/*
 * The bucket of a jset at namespace byte off: the lowest-index bucket that
 * starts with a valid jset (in s) and whose range [start, start + bucket
 * bytes) holds off at a whole number of blocks from its start (a position
 * its scan can reach), or -1.  With the v7 stride several buckets hold it;
 * the lowest is the one the ascending scan of every bucket reads first.
 */
int bch_jgeom_bucket_of(const struct bch_jgeom *g, const struct bch_jscan *s, uint64_t off);

#endif
