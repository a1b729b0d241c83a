// SPDX-License-Identifier: GPL-2.0
/*
 * Journal decoding: key text, jset validation, the magic scan of a region,
 * the replay list and the replay range (bcache-journal-format(5), INSERTION
 * and REPLAY RANGE).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bcache/csum.h>
#include <bcache/journal.h>
#include <bcache/text.h>
#include <bcache/media.h>

/*
 * How a range is read (measured: bench/README-journal.md).  Image files:
 * buffered reads in windows of a quarter of the CPU's level-2 cache
 * (bch_jscan_window), so that the window, the bytes carried over and what
 * the checksum reads stay in it (a window too large for the cache falls
 * off a cliff: 4x the time at 256 KiB on some machines; one too small pays
 * a system call per few pages); a mapping is slower there for large ranges
 * (a page-table entry per 4 KiB page, up to 4x the time of the reads when
 * the page cache holds small folios), but ranges below MAP_MAX, such as
 * an owner's thousands of small allocations, are read through one mapping
 * of the file without a system call each; ranges from PAR_MIN on are read
 * from both ends at once, by the calling thread and a helper
 * (scan_both_ends).  Block devices: O_DIRECT reads, which wait for the
 * device, pay off up to 1 MiB windows.  Devdax and memory: in place.
 */
#define SCAN_WINDOW	(1u << 17)	/* when the cache size is unknown */
#define SCAN_WINDOW_MIN	(64u << 10)
#define SCAN_WINDOW_MAX	(1u << 20)
#define DIO_WINDOW	(1u << 20)
#define MAP_MAX		(1u << 20)
#define SCAN_MAX_HITS	(4u << 20)
#define LIST_WORK_MAX	(1ULL << 31)
#define HEAP_HITS_MAX	(64u << 10)	/* hit arrays up to this size: malloc */
#define MAP_CHUNK	(8u << 20)	/* mapped bytes scanned at a time */
#define PAR_MIN		(64u << 20)	/* image files: scanned from both ends from here on */
#define PAR_CHUNK	(8u << 20)	/* the least chunk claimed at a time */
#define PAR_CHUNKS_MAX	256		/* chunks at most (larger ones in larger ranges) */

static uint64_t le64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);	/* x86-64 only: the build refuses big-endian */
	return v;
}

int bch_key_text(const void *key, size_t words, char *buf, size_t len)
{
	const uint64_t *k = key;
	size_t n = 0;
	unsigned int ptrs;

#define P(...) (n = bch_snappend(buf, len, n, __VA_ARGS__))
	if (words < 2)
		return -EINVAL;
	ptrs = bch_key_ptrs(k[0]);
	if (words < 2 + (size_t)ptrs)
		return -EINVAL;
	if (len)
		buf[0] = '\0';
	P("%u:%llu len %u -> [", bch_key_inode(k[0]),
	  (unsigned long long)bch_key_start(k[0], k[1]), bch_key_size(k[0]));
	for (unsigned int i = 0; i < ptrs; i++) {
		uint64_t p = k[2 + i];

		if (i)
			P(", ");
		if (bch_ptr_dev(p) == BCH_PTR_CHECK_DEV)
			P("check dev");
		else
			P("%u:%llu gen %u", bch_ptr_dev(p), (unsigned long long)bch_ptr_offset(p),
			  bch_ptr_gen(p));
	}
	P("]");
	if (bch_key_dirty(k[0]))
		P(" dirty");
	if (bch_key_csum(k[0])) {
		/* the kernel prints ptr[1] whatever KEY_PTRS is */
		if (words > 3)
			P(" cs%u %llx", bch_key_csum(k[0]), (unsigned long long)k[3]);
		else
			P(" cs%u ?", bch_key_csum(k[0]));
	}
#undef P
	return (int)n;
}

uint64_t bch_jset_magic(const uint8_t set_uuid[16])
{
	return le64(set_uuid) ^ JSET_MAGIC;
}

const char *bch_jset_state_name(enum bch_jset_state s)
{
	switch (s) {
	case BCH_JSET_OK:
		return "ok";
	case BCH_JSET_NO_MAGIC:
		return "no_magic";
	case BCH_JSET_TOO_BIG:
		return "too_big";
	case BCH_JSET_TRUNCATED:
		return "truncated";
	case BCH_JSET_BAD_CSUM:
		return "bad_csum";
	}
	return "?";
}

void bch_jset_check(const void *ptr, struct bch_jset_head *h)
{
	const unsigned char *p = ptr;
	const unsigned char *k = p + BCH_JSET_HDR, *end = k + 8ULL * h->keys;

	h->flags = 0;
	h->nkeys = 0;
	h->checked = 1;

	if (h->version != BCACHE_JSET_VERSION)
		h->flags |= BCH_JF_VERSION;
	if (h->last_seq > h->seq)
		h->flags |= BCH_JF_LAST_SEQ;
	while (k < end) {
		uint64_t hi = le64(k), lo;
		unsigned int ptrs = bch_key_ptrs(hi);

		if ((size_t)(end - k) < 8 * (2 + (size_t)ptrs)) {
			h->flags |= BCH_JF_KEY_OVERRUN;
			return;
		}
		lo = le64(k + 8);
		if (bch_key_size(hi) > lo || (ptrs && !bch_key_size(hi)))
			h->flags |= BCH_JF_KEY_SIZE;
		for (unsigned int i = 0; i < ptrs; i++)
			if (bch_ptr_dev(le64(k + 16 + 8 * i)))
				h->flags |= BCH_JF_PTR_DEV;
		h->nkeys++;
		k += 8 * (2 + (size_t)ptrs);
	}
}

void bch_jset_eval(const void *ptr, size_t avail, uint64_t magic, uint64_t off,
		   struct bch_jset_head *h)
{
	const unsigned char *p = ptr;
	const struct jset *j = ptr;
	uint64_t bytes;

	memset(h, 0, sizeof(*h));
	h->off = off;
	if (avail < 16 || le64(p + 8) != magic) {
		h->state = avail < 16 ? BCH_JSET_TRUNCATED : BCH_JSET_NO_MAGIC;
		return;
	}
	if (avail < BCH_JSET_HDR) {
		h->state = BCH_JSET_TRUNCATED;
		return;
	}
	h->csum = j->csum;
	h->seq = j->seq;
	h->last_seq = j->last_seq;
	h->version = j->version;
	h->keys = j->keys;
	bytes = bch_jset_bytes(h);
	if (bytes > JSET_MAX_BYTES) {
		h->state = BCH_JSET_TOO_BIG;
		return;
	}
	if (bytes > avail) {
		h->state = BCH_JSET_TRUNCATED;
		return;
	}
	h->csum_computed = bch_crc64(p + 8, bytes - 8);
	if (h->csum_computed != h->csum) {
		h->state = BCH_JSET_BAD_CSUM;
		return;
	}
	h->state = BCH_JSET_OK;
}

/* ---- magic scan ---- */

void bch_jscan_free(struct bch_jscan *s)
{
	if (s->v && s->heap)
		free(s->v);
	else if (s->v)
		bch_media_buf_free(s->v, s->cap * sizeof(*s->v));
	s->v = NULL;
	s->n = s->cap = 0;
	s->heap = false;
}

/*
 * The hit array is reserved once for the most hits the range can hold
 * (one per 8 bytes, at most max): address space only, so it never moves or
 * copies while it fills, and is backed by huge pages where possible.  Small
 * ranges (most allocations are a few pages) take it from the heap: an
 * owner's thousands of small regions cost no mapping each.
 */
static int scan_reserve(struct bch_jscan *s, uint64_t bytes)
{
	uint64_t cap = bytes / 8 + 1;
	void *v;

	bch_jscan_free(s);
	if (cap > s->max)
		cap = s->max;
	if (cap > UINT32_MAX)	/* the scan view keeps 32-bit indexes */
		cap = UINT32_MAX;
	if (cap * sizeof(*s->v) <= HEAP_HITS_MAX) {
		s->v = malloc(cap * sizeof(*s->v));
		s->heap = true;
		s->cap = s->v ? cap : 0;
		return s->v ? 0 : -ENOMEM;
	}
	v = bch_media_buf_alloc(cap * sizeof(*s->v));	/* reserved, huge pages */
	if (!v)
		return -ENOMEM;
	s->v = v;
	s->cap = cap;
	return 0;
}

static void scan_add(struct bch_jscan *s, const struct bch_jset_head *h)
{
	if (s->n == s->cap)
		s->dropped++;
	else
		s->v[s->n++] = *h;
}

typedef uint64_t bch_u64x4 __attribute__((vector_size(32)));

/*
 * The first index in [i, lim) whose aligned word is the magic, or lim.
 * Sixteen words (128 bytes) per step, four vector compares and one test;
 * built for AVX2 and for the baseline, the loader picks one.
 */
__attribute__((target_clones("avx2", "default")))
static size_t find_magic(const uint64_t *w, size_t i, size_t lim, uint64_t magic)
{
	const bch_u64x4 m = { magic, magic, magic, magic };

	for (; i + 16 <= lim; i += 16) {
		bch_u64x4 a, b, c, d, e;

		memcpy(&a, w + i, sizeof(a));
		memcpy(&b, w + i + 4, sizeof(b));
		memcpy(&c, w + i + 8, sizeof(c));
		memcpy(&d, w + i + 12, sizeof(d));
		e = (a == m) | (b == m) | (c == m) | (d == m);
		if (e[0] | e[1] | e[2] | e[3])
			break;
	}
	for (; i < lim; i++)
		if (w[i] == magic)
			return i;
	return lim;
}

/*
 * Jsets starting at [pos, pos + todo) of a window whose buffer holds the
 * len bytes from pos (buf is 8-byte aligned, as pos is): the magic sits at
 * word 1.  No jset starts below *next: the bytes of a valid jset are its
 * own (its checksum covers them; the kernel's bucket scan steps over them
 * too), so the scan resumes after it and *next says where.  With short
 * (more bytes follow the window), a jset cut off by the window's end is
 * left for the next window, as are positions whose magic word lies past
 * it.  Returns the bytes of positions done; the rest is carried over.
 */
static size_t scan_window(struct bch_jscan *s, const unsigned char *buf, size_t len,
			  uint64_t pos, size_t todo, bool short_, uint64_t *next)
{
	const uint64_t *w = (const void *)buf;
	size_t words = len / 8, whole = len < 8 ? 0 : (len - 8) & ~7ULL, lim, i = 1;

	if (short_ && todo > whole)	/* positions whose magic word is read */
		todo = whole;
	lim = todo / 8 + 1;
	if (lim > words)
		lim = words;
	if (*next > pos)
		i += (*next - pos) / 8;
	for (i = find_magic(w, i, lim, s->magic); i < lim;) {
		struct bch_jset_head h;

		bch_jset_eval(buf + 8 * (i - 1), len - 8 * (i - 1), s->magic,
			      pos + 8 * (i - 1), &h);
		if (short_ && h.state == BCH_JSET_TRUNCATED)
			return 8 * (i - 1);
		scan_add(s, &h);
		if (h.state == BCH_JSET_OK) {
			*next = h.off + bch_jset_bytes(&h);
			i += bch_jset_bytes(&h) / 8;
		} else {
			i++;
		}
		i = find_magic(w, i, lim, s->magic);
	}
	return todo;
}

/*
 * The read loop over the positions [lo, hi), reading up to read_end, with
 * *next as in scan_window: reads of `window` bytes land page-aligned at
 * buf + JSET_MAX_BYTES; what a window leaves (a jset cut off by its end, at
 * most JSET_MAX_BYTES, usually the 8 bytes whose magic word is not read
 * yet) moves to just below that and is examined with the next window, so
 * every byte is read once and the buffer stays small enough for the caches.
 */
static int scan_reads(struct bch_media *m, struct bch_jscan *s, unsigned char *buf,
		      size_t window, uint64_t lo, uint64_t hi, uint64_t read_end, uint64_t *next)
{
	unsigned char *data = buf + JSET_MAX_BYTES;
	uint64_t pos = lo, carry = 0;	/* data - carry holds [pos, pos + carry) */
	int rc = 0;

	while (pos < hi && !rc) {
		uint64_t at = pos + carry, want = read_end - at, done;

		if (want > window)
			want = window;
		rc = bch_media_read(m, data, want, at);
		if (rc)
			break;
		done = scan_window(s, data - carry, carry + want, pos, hi - pos,
				   at + want < read_end, next);
		carry += want - done;
		memmove(data - carry, data + want - carry, carry);
		pos += done;
	}
	return rc;
}

/*
 * Image files from PAR_MIN bytes on are scanned from both ends at once: the
 * calling thread claims chunks from the front, a helper thread from the
 * back, until they meet.  The front's hits go straight into the hit array
 * in order; the back's into an array of their own, moved behind them after.
 * The front's chunks follow each other, so it knows where a valid jset
 * ends (*next of scan_window) across them; a back chunk starts not knowing
 * whether a valid jset before it covers its first bytes, so its hits there
 * are dropped when they are moved (scan_back_skip).
 * Where the machine has no idle CPU the helper claims little or nothing and
 * the calling thread scans on as if alone, so the split adapts to the load
 * instead of assuming a free CPU (bench/README-journal.md).
 */
struct scan_share {
	pthread_mutex_t lock;
	uint64_t lo, hi;		/* positions nobody has claimed yet */
	uint64_t chunk;			/* the grid: s->start + k * chunk */
	size_t window;			/* read window of both threads */
	unsigned char *buf;		/* the helper's: window + JSET_MAX_BYTES */
	struct bch_media *m;
	const struct bch_jscan *s;	/* the scan: magic, range */
	struct bch_jscan back;		/* the helper's hits, back chunks first */
	size_t nchunks;			/* back chunks scanned: ... */
	size_t first[PAR_CHUNKS_MAX];	/* ... where each one's hits start in back.v */
	uint64_t next[PAR_CHUNKS_MAX];	/* ... and its *next at its end */
	uint64_t front_next;		/* the front's *next */
	int rc;
};

/* Claim the next chunk from the front or the back; false: none left. */
static bool scan_claim(struct scan_share *sh, bool back, uint64_t *lo, uint64_t *hi)
{
	bool ok;

	pthread_mutex_lock(&sh->lock);
	ok = sh->lo < sh->hi && (!back || sh->nchunks < PAR_CHUNKS_MAX);
	if (ok && !back) {
		*lo = sh->lo;
		*hi = sh->lo + sh->chunk < sh->hi ? sh->lo + sh->chunk : sh->hi;
		sh->lo = *hi;
	} else if (ok) {
		*hi = sh->hi;
		*lo = sh->s->start + (sh->hi - 1 - sh->s->start) / sh->chunk * sh->chunk;
		if (*lo < sh->lo)
			*lo = sh->lo;
		sh->hi = *lo;
	}
	pthread_mutex_unlock(&sh->lock);
	return ok;
}

/* Scan claimed chunks into s until none is left. */
static int scan_chunks(struct scan_share *sh, struct bch_jscan *s, bool back, unsigned char *buf)
{
	uint64_t lo, hi, end = sh->s->end;
	int rc = 0;

	/* a full helper stops: the calling thread scans its part again after */
	while (!rc && !(back && s->dropped) && scan_claim(sh, back, &lo, &hi)) {
		size_t k = sh->nchunks;
		uint64_t *next = back ? &sh->next[k] : &sh->front_next;

		if (back) {
			sh->first[k] = s->n;
			sh->next[k] = lo;
			sh->nchunks++;
		}
		rc = scan_reads(sh->m, s, buf, sh->window, lo, hi,
				end - hi > JSET_MAX_BYTES ? hi + JSET_MAX_BYTES : end, next);
	}
	return rc;
}

static void *scan_helper(void *arg)
{
	struct scan_share *sh = arg;

	sh->rc = scan_chunks(sh, &sh->back, true, sh->buf);
	return NULL;
}

/*
 * How many of the first hits of each back chunk the serial scan would not
 * have (they lie in a valid jset that began before the chunk), into skip[]
 * by chunk; false when one of them is valid: the helper stepped over bytes
 * that the serial scan examines, so its hits do not stand.
 */
static bool scan_back_skip(const struct scan_share *sh, size_t *skip)
{
	uint64_t next = sh->front_next;

	for (size_t i = sh->nchunks; i-- > 0;) {
		size_t a = sh->first[i], b = i + 1 < sh->nchunks ? sh->first[i + 1] : sh->back.n;
		size_t k = a;

		for (; k < b && sh->back.v[k].off < next; k++)
			if (sh->back.v[k].state == BCH_JSET_OK)
				return false;
		skip[i] = k - a;
		if (sh->next[i] > next)
			next = sh->next[i];
	}
	return true;
}

/*
 * The results are those of the serial scan.  The helper keeps at most half
 * the cap; when it has more hits than that (which of them the cap keeps is
 * known only in order), or a back chunk began inside a valid jset holding
 * one (scan_back_skip), they are let go and the calling thread scans the
 * back chunks itself, in order, behind its own.
 */
static int scan_both_ends(struct bch_media *m, struct bch_jscan *s, unsigned char *buf,
			  unsigned char *hbuf, size_t window)
{
	struct scan_share *sh = calloc(1, sizeof(*sh));
	size_t skip[PAR_CHUNKS_MAX];
	pthread_t tid;
	bool helper, redo;
	int rc;

	if (!sh)
		return -ENOMEM;
	pthread_mutex_init(&sh->lock, NULL);
	sh->m = m;
	sh->s = s;
	sh->lo = s->start;
	sh->hi = s->end;
	sh->front_next = s->start;
	sh->chunk = (s->end - s->start) / PAR_CHUNKS_MAX;
	if (sh->chunk < PAR_CHUNK)
		sh->chunk = PAR_CHUNK;
	sh->window = window;
	sh->buf = hbuf;
	sh->chunk = (sh->chunk + window - 1) / window * window;
	sh->back.magic = s->magic;
	sh->back.max = s->cap / 2 ? s->cap / 2 : 1;
	rc = scan_reserve(&sh->back, s->end - s->start);
	helper = !rc && !pthread_create(&tid, NULL, scan_helper, sh);
	rc = scan_chunks(sh, s, false, buf);
	if (helper)
		pthread_join(tid, NULL);
	if (!rc)
		rc = sh->rc;
	redo = sh->back.dropped || !scan_back_skip(sh, skip);
	if (!rc && redo)	/* all claimed: sh->lo is where the back begins */
		rc = scan_reads(m, s, buf, window, sh->lo, s->end, s->end, &sh->front_next);
	/* else the back chunks in ascending order, behind the front's hits */
	for (size_t i = sh->nchunks; !rc && !redo && i-- > 0;) {
		size_t a = sh->first[i] + skip[i];
		size_t b = i + 1 < sh->nchunks ? sh->first[i + 1] : sh->back.n;
		size_t room = s->cap - s->n, k = b - a < room ? b - a : room;

		memcpy(s->v + s->n, sh->back.v + a, k * sizeof(*s->v));
		s->n += k;
		s->dropped += b - a - k;
	}
	bch_jscan_free(&sh->back);
	pthread_mutex_destroy(&sh->lock);
	free(sh);
	return rc;
}

/*
 * A mapped media in place (bch_media_map_ro): no copy at all.  MAP_CHUNK
 * bytes at a time (each chunk sees JSET_MAX_BYTES past its end), each
 * handed back once scanned, so an image file's resident pages stay few.
 */
static void scan_mapped(struct bch_media *m, const unsigned char *map, struct bch_jscan *s)
{
	uint64_t next = s->start;

	for (uint64_t pos = s->start; pos < s->end;) {
		uint64_t todo = s->end - pos < MAP_CHUNK ? s->end - pos : MAP_CHUNK;
		uint64_t avail = s->end - pos < todo + JSET_MAX_BYTES ? s->end - pos :
				 todo + JSET_MAX_BYTES;

		scan_window(s, map + pos, avail, pos, todo, false, &next);
		bch_media_map_done(m, pos, todo);
		pos += todo;
	}
}

size_t bch_jscan_window(long l2)
{
	size_t w = SCAN_WINDOW_MAX;

	if (l2 <= 0)
		return SCAN_WINDOW;
	while (w > SCAN_WINDOW_MIN && w > (unsigned long)l2 / 4)
		w /= 2;
	return w;
}

int bch_jscan_run(struct bch_media *m, uint64_t start, uint64_t end, uint64_t magic,
		  struct bch_jscan *s)
{
	const unsigned char *map;
	unsigned char *buf;
	size_t window, blen;
	uint64_t next = start;
	bool both;
	int rc;

	s->magic = magic;
	s->n = s->dropped = 0;
	if (!s->max)
		s->max = SCAN_MAX_HITS;
	if (start % 8)
		return -EINVAL;
	if (end > m->size)
		end = m->size;
	if (start > end)	/* past the end of the device: nothing to scan */
		start = end & ~7ULL;
	s->start = start;
	s->end = end;
	/* nothing, or a hole of an image file (zeros): no magic, nothing read */
	if (start == end || !bch_media_has_data(m, start, end - start))
		return s->v ? 0 : scan_reserve(s, 0);
	rc = scan_reserve(s, end - start);
	if (rc)
		return rc;
	map = m->map || (m->kind == BCH_MEDIA_FILE && end - start < MAP_MAX && !s->window) ?
	      bch_media_map_ro(m) : NULL;
	if (map) {
		scan_mapped(m, map, s);
		return 0;
	}
	window = m->dio_align ? DIO_WINDOW : s->window ? (s->window + 7) & ~(size_t)7 :
		 bch_jscan_window(sysconf(_SC_LEVEL2_CACHE_SIZE));
	if (end - start < window)
		window = end - start;
	blen = window + JSET_MAX_BYTES;
	both = m->kind == BCH_MEDIA_FILE && !m->mem && end - start >= PAR_MIN &&
	       bch_media_two_readers(m);
	/* page aligned: aligned O_DIRECT reads land in it without a bounce; both
	 * threads' windows in one (a huge page: bch_media_buf_alloc) */
	buf = bch_media_buf_alloc(both ? 2 * blen : blen);
	if (!buf)
		return -ENOMEM;
	if (both)
		rc = scan_both_ends(m, s, buf, buf + blen, window);
	else
		rc = scan_reads(m, s, buf, window, start, end, end, &next);
	bch_media_buf_free(buf, both ? 2 * blen : blen);
	return rc;
}

const struct bch_jset_head *bch_jscan_at(const struct bch_jscan *s, uint64_t off)
{
	size_t hint = 0;

	return bch_jscan_near(s, off, &hint);
}

/* The index of the first hit at off or after it (s->n: none). */
static size_t hits_from(const struct bch_jscan *s, uint64_t off)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool bch_jscan_covered(const struct bch_jscan *s, uint64_t off)
{
	size_t i = hits_from(s, off);

	/* valid hits hold no other hit, so only the one before off can */
	return i && s->v[i - 1].state == BCH_JSET_OK &&
	       off - s->v[i - 1].off < bch_jset_bytes(&s->v[i - 1]);
}

/* Consecutive lookups walk forward a few entries from the last one. */
#define NEAR_STEPS 8

const struct bch_jset_head *bch_jscan_near(const struct bch_jscan *s, uint64_t off, size_t *hint)
{
	size_t i = *hint;

	for (int k = 0; k < NEAR_STEPS && i < s->n && s->v[i].off <= off; k++, i++)
		if (s->v[i].off == off) {
			*hint = i + 1;
			return &s->v[i];
		}
	i = hits_from(s, off);
	if (i < s->n && s->v[i].off == off) {
		*hint = i + 1;
		return &s->v[i];
	}
	*hint = i;
	return NULL;
}

/* ---- replay list ---- */

const char *bch_jinsert_name(enum bch_jinsert i)
{
	switch (i) {
	case BCH_JINSERT_ADDED:
		return "added";
	case BCH_JINSERT_DUPLICATE:
		return "duplicate";
	case BCH_JINSERT_EXPIRED:
		return "expired";
	}
	return "?";
}

void bch_jlist_free(struct bch_jlist *l)
{
	free(l->v);
	if (l->idx_len)
		bch_media_buf_free(l->idx, l->idx_len);
	else
		free(l->idx);
	memset(l, 0, sizeof(*l));
}

static int list_room(struct bch_jlist *l)
{
	struct bch_jentry *v;
	size_t cap;

	if (l->hi < l->cap)
		return 0;
	if (l->lo) {		/* reuse the space of dropped entries */
		memmove(l->v, l->v + l->lo, (l->hi - l->lo) * sizeof(*l->v));
		l->work += l->hi - l->lo;
		l->hi -= l->lo;
		l->lo = 0;
		if (l->hi < l->cap)
			return 0;
	}
	cap = l->cap ? 2 * l->cap : 256;
	v = realloc(l->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->v = v;
	l->cap = cap;
	return 0;
}

int bch_jlist_insert(struct bch_jlist *l, const struct bch_jset_head *h, int bucket)
{
	size_t where, old_lo;
	int rc;

	if (!l->work_max)
		l->work_max = LIST_WORK_MAX;
	if (l->work > l->work_max)
		return -E2BIG;
	/* 1: drop expired entries from the head */
	while (l->lo < l->hi && l->v[l->lo].h.seq < h->last_seq)
		l->lo++;
	/* 2: from the newest toward the oldest */
	where = l->lo;
	for (size_t i = l->hi; i > l->lo; i--) {
		const struct bch_jset_head *e = &l->v[i - 1].h;

		l->work++;
		if (h->seq == e->seq)
			return BCH_JINSERT_DUPLICATE;
		if (h->seq < e->last_seq)
			return BCH_JINSERT_EXPIRED;
		if (h->seq > e->seq) {
			where = i;
			break;
		}
	}
	old_lo = l->lo;
	rc = list_room(l);
	if (rc)
		return rc;
	where -= old_lo - l->lo;	/* list_room may move the entries down */
	memmove(l->v + where + 1, l->v + where, (l->hi - where) * sizeof(*l->v));
	l->work += l->hi - where;
	l->v[where].h = *h;
	l->v[where].bucket = bucket;
	l->hi++;
	return BCH_JINSERT_ADDED;
}

size_t bch_jlist_first(const struct bch_jlist *l, uint64_t seq)
{
	size_t lo = l->lo, hi = l->hi;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (bch_jlist_hit(l, mid)->seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct bch_jset_head *bch_jlist_seq(const struct bch_jlist *l, uint64_t seq)
{
	size_t i = bch_jlist_first(l, seq);

	return i < l->hi && bch_jlist_hit(l, i)->seq == seq ? bch_jlist_hit(l, i) : NULL;
}

void bch_jlist_range(const struct bch_jlist *l, struct bch_jrange *r)
{
	const struct bch_jset_head *newest;
	uint64_t span;

	memset(r, 0, sizeof(*r));
	if (l->hi == l->lo)
		return;
	newest = bch_jlist_hit(l, l->hi - 1);
	r->any = true;
	r->newest = newest->seq;
	r->last_seq = newest->last_seq <= newest->seq ? newest->last_seq : newest->seq;
	r->stale = bch_jlist_first(l, r->last_seq) - l->lo;
	r->present = l->hi - l->lo - r->stale;
	span = r->newest - r->last_seq + 1;
	r->missing = span > r->present ? span - r->present : 0;
	r->complete = !r->missing;
}

size_t bch_jlist_gaps(const struct bch_jlist *l, const struct bch_jrange *r,
		      uint64_t *gaps, size_t max)
{
	uint64_t want;
	size_t n = 0;

	if (!r->any)
		return 0;
	want = r->last_seq;
	for (size_t i = bch_jlist_first(l, want); i < l->hi; i++) {
		uint64_t s = bch_jlist_hit(l, i)->seq;

		if (s < want)
			continue;
		if (s > want) {
			if (n < max) {
				gaps[2 * n] = want;
				gaps[2 * n + 1] = s - 1;
			}
			n++;
		}
		want = s + 1;
	}
	return n;
}

/* Hits x, y by (seq, offset). */
static int cmp_seq_off(const struct bch_jset_head *x, const struct bch_jset_head *y)
{
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

static int cmp_idx(const void *a, const void *b, void *base)
{
	const struct bch_jset_head *v = base;

	return cmp_seq_off(&v[*(const uint32_t *)a], &v[*(const uint32_t *)b]);
}

/* v[at..n) then v[0..at) */
static int rotate(uint32_t *v, size_t n, size_t at)
{
	uint32_t *tmp = malloc((at ? at : 1) * sizeof(*v));

	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, v, at * sizeof(*v));
	memmove(v, v + at, (n - at) * sizeof(*v));
	memcpy(v + (n - at), tmp, at * sizeof(*v));
	free(tmp);
	return 0;
}

/*
 * Sort indexes into base by (seq, offset), given the descents of their
 * order (offset order: a descent is a seq lower than the one before) and
 * where the first is.  A circular journal read in offset order is a
 * rotation of that order (one descent): rotate instead of sorting.
 */
static int sort_by_seq(const struct bch_jset_head *base, uint32_t *v, size_t n,
		       size_t descents, size_t at)
{
	if (!descents)
		return 0;
	if (descents > 1 || cmp_seq_off(&base[v[n - 1]], &base[v[0]]) > 0) {
		qsort_r(v, n, sizeof(*v), cmp_idx, (void *)base);
		return 0;
	}
	return rotate(v, n, at);
}

int bch_jscan_view(const struct bch_jscan *s, struct bch_jlist *l, uint64_t *dups,
		   uint64_t *conflicts)
{
	size_t n = 0, descents = 0, at = 0;
	bool same_seq = false, unique;
	int rc;

	*dups = *conflicts = 0;
	bch_jlist_free(l);
	l->base = s->v;
	l->cap = s->n ? s->n : 1;
	/* big: in huge pages (bch_media_buf_alloc), not one fresh page per 1024 */
	if (l->cap * sizeof(*l->idx) >= BCH_MEDIA_BIG_BUF) {
		l->idx_len = l->cap * sizeof(*l->idx);
		l->idx = bch_media_buf_alloc(l->idx_len);
	} else {
		l->idx = malloc(l->cap * sizeof(*l->idx));
	}
	if (!l->idx)
		return -ENOMEM;
	/*
	 * One pass over the hits: the valid ones, and whether they are in
	 * (seq, offset) order already or a rotation of it (a circular journal)
	 * with no seq twice; then they need no sort and no second look.
	 */
	for (size_t i = 0; i < s->n; i++) {
		const struct bch_jset_head *h = &s->v[i];

		if (h->state != BCH_JSET_OK)
			continue;
		if (n) {
			const struct bch_jset_head *p = &s->v[l->idx[n - 1]];

			if (p->seq == h->seq)
				same_seq = true;
			else if (p->seq > h->seq && !descents++)
				at = n;
		}
		l->idx[n++] = (uint32_t)i;
	}
	/* sorted or rotated (the last before the first) with no seq twice */
	unique = !same_seq && (descents == 0 || (descents == 1 &&
		 s->v[l->idx[n - 1]].seq < s->v[l->idx[0]].seq));
	rc = sort_by_seq(s->v, l->idx, n, descents, at);
	if (rc)
		return rc;
	if (unique) {
		l->hi = n;
		return 0;
	}
	/* keep the first copy by offset of every seq */
	for (size_t i = 0; i < n; i++) {
		const struct bch_jset_head *h = &s->v[l->idx[i]];

		if (l->hi && bch_jlist_hit(l, l->hi - 1)->seq == h->seq) {
			const struct bch_jset_head *k = bch_jlist_hit(l, l->hi - 1);

			(*dups)++;
			if (k->csum != h->csum || k->keys != h->keys)
				(*conflicts)++;
			continue;
		}
		l->idx[l->hi++] = l->idx[i];
	}
	return 0;
}
