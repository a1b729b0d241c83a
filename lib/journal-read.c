// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's journal read (bcache-journal-format(5), BUCKET SCAN and
 * VISITING ORDER): the scan of one
 * bucket, the bucket visiting order (golden-ratio probe, linear sweep,
 * binary search, backward read) and cur_idx; and the all-buckets media view.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bcache/journal.h>
#include <bcache/media.h>

#define EVENTS_MAX	(1u << 21)

int bch_jset_source_init(struct bch_jset_source *s, struct bch_media *m,
			  const struct bch_jscan *scan, uint64_t magic)
{
	s->m = m;
	s->scan = scan;
	s->magic = magic;
	s->events = true;
	s->hint = 0;
	s->ov = NULL;
	s->nov = 0;
	s->buf = malloc(JSET_MAX_BYTES);
	return s->buf ? 0 : -ENOMEM;
}

void bch_jset_source_free(struct bch_jset_source *s)
{
	free(s->buf);
	s->buf = NULL;
}

/* The first copy whose destination ends after off (copies sorted by dst). */
static size_t ov_first(const struct bch_jset_source *s, uint64_t off)
{
	size_t lo = 0, hi = s->nov;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ov[mid].dst + s->ov[mid].bytes <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether a copy's destination meets [off, off + len). */
static bool ov_meets(const struct bch_jset_source *s, uint64_t off, uint64_t len)
{
	size_t i = s->nov ? ov_first(s, off) : 0;

	return i < s->nov && s->ov[i].dst < off + len;
}

int bch_jset_source_read(struct bch_jset_source *s, void *buf, size_t len, uint64_t off)
{
	unsigned char *p = buf;
	int rc = bch_media_read(s->m, buf, len, off);

	for (size_t i = s->nov ? ov_first(s, off) : 0; !rc && i < s->nov; i++) {
		const struct bch_jcopy *c = &s->ov[i];
		uint64_t lo = c->dst > off ? c->dst : off;
		uint64_t hi = c->dst + c->bytes < off + len ? c->dst + c->bytes : off + len;

		if (c->dst >= off + len)
			break;
		rc = bch_media_read(s->m, p + (lo - off), hi - lo, c->src + (lo - c->dst));
	}
	return rc;
}

/*
 * A hit of the magic scan without the results of the jset CHECKS, which
 * bch_jset_check() may be writing into it from another thread (the views
 * and the media view run at once: journal-analysis.c); the views' users
 * check what they show.
 */
static void jset_head_copy(struct bch_jset_head *out, const struct bch_jset_head *h)
{
	memset(out, 0, sizeof(*out));
	out->off = h->off;
	out->seq = h->seq;
	out->last_seq = h->last_seq;
	out->csum = h->csum;
	out->csum_computed = h->csum_computed;
	out->version = h->version;
	out->keys = h->keys;
	out->state = h->state;
}

/*
 * The jset at pos: from the magic scan when it covers pos, else read (also
 * inside a valid jset, where the scan did not look).
 */
static int source_probe(struct bch_jset_source *s, uint64_t pos, struct bch_jset_head *out)
{
	const struct bch_jscan *sc = s->scan;
	uint64_t len, head;
	int rc;

	if (sc && pos >= sc->start && pos < sc->end && pos % 8 == 0 &&
	    !ov_meets(s, pos, JSET_MAX_BYTES)) {
		const struct bch_jset_head *h = bch_jscan_near(sc, pos, &s->hint);

		if (!h && !bch_jscan_covered(sc, pos)) {
			memset(out, 0, sizeof(*out));
			out->off = pos;
			out->state = BCH_JSET_NO_MAGIC;
			return 0;
		}
		if (h && h->state != BCH_JSET_TRUNCATED) {
			jset_head_copy(out, h);
			return 0;
		}
	}
	if (pos >= s->m->size) {
		memset(out, 0, sizeof(*out));
		out->off = pos;
		out->state = BCH_JSET_TRUNCATED;
		return 0;
	}
	/* the header first: most positions hold no jset */
	len = s->m->size - pos;
	if (len > JSET_MAX_BYTES)
		len = JSET_MAX_BYTES;
	head = len < 4096 ? len : 4096;
	rc = bch_jset_source_read(s, s->buf, head, pos);
	if (rc)
		return rc;
	bch_jset_eval(s->buf, head, s->magic, pos, out);
	if (out->state != BCH_JSET_TRUNCATED || head == len)
		return 0;
	if (bch_jset_bytes(out) < len)	/* the header was read: bytes > head */
		len = bch_jset_bytes(out);
	rc = bch_jset_source_read(s, s->buf + head, len - head, pos + head);
	if (rc)
		return rc;
	bch_jset_eval(s->buf, len, s->magic, pos, out);
	return 0;
}

void bch_jview_free(struct bch_jview *v)
{
	bch_jlist_free(&v->list);
	free(v->ev);
	v->ev = NULL;
	v->nev = v->evcap = 0;
}

static void view_init(struct bch_jview *v, unsigned int n, bool events)
{
	memset(v, 0, sizeof(*v));
	v->n = n;
	v->evmax = events ? EVENTS_MAX : 0;
	v->probe_hit = -1;
	v->cur_idx = -1;
	for (unsigned int i = 0; i < SB_JOURNAL_BUCKETS; i++)
		v->b[i].read_order = -1;
}

static int add_event(struct bch_jview *v, const struct bch_jset_head *h, int bucket, int outcome)
{
	if (v->nev == v->evmax) {
		if (v->evmax)	/* events asked for, the list is full */
			v->ev_dropped++;
		return 0;
	}
	if (v->nev == v->evcap) {
		size_t cap = v->evcap ? 2 * v->evcap : 256;
		struct bch_jevent *e = realloc(v->ev, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		v->ev = e;
		v->evcap = cap;
	}
	v->ev[v->nev].h = *h;
	v->ev[v->nev].bucket = bucket;
	v->ev[v->nev++].outcome = outcome;
	return 0;
}

static enum bch_jstop stop_for(const struct bch_jset_head *h, uint64_t left_bytes)
{
	switch (h->state) {
	case BCH_JSET_NO_MAGIC:
		return BCH_JSTOP_MAGIC;
	case BCH_JSET_TOO_BIG:
		return BCH_JSTOP_TOO_BIG;
	default:
		break;
	}
	if (h->state == BCH_JSET_TRUNCATED && !h->keys && !h->seq)
		return BCH_JSTOP_OUTSIDE;	/* header itself not readable */
	if (bch_jset_bytes(h) > left_bytes)
		return BCH_JSTOP_TOO_BIG;
	if (h->state == BCH_JSET_TRUNCATED)
		return BCH_JSTOP_OUTSIDE;
	if (h->state == BCH_JSET_BAD_CSUM)
		return BCH_JSTOP_BAD_CSUM;
	return BCH_JSTOP_NONE;
}

/* BUCKET SCAN: returns 1 when a jset was added, 0 if not, or -errno. */
static int read_bucket(struct bch_jset_source *src, const struct bch_jgeom *g, struct bch_jview *v,
		       unsigned int b)
{
	struct bch_jbucket *bk = &v->b[b];
	uint64_t offset = 0, block_bytes = g->block_sectors * 512;
	int ret = 0;

	bk->read_order = (int)v->nread;
	v->order[v->nread++] = (int)b;
	bk->stop = BCH_JSTOP_OUTSIDE;
	bk->stop_off = g->start[b];
	if (!g->usable[b] || !block_bytes)
		return 0;
	while (offset < g->bucket_sectors) {
		uint64_t pos = g->start[b] + offset * 512;
		struct bch_jset_head h;
		enum bch_jstop stop;
		int rc = source_probe(src, pos, &h);

		if (rc)
			return rc;
		bk->stop_off = pos;
		stop = stop_for(&h, (g->bucket_sectors - offset) * 512);
		if (stop != BCH_JSTOP_NONE) {
			bk->stop = stop;
			if (stop == BCH_JSTOP_TOO_BIG || stop == BCH_JSTOP_BAD_CSUM) {
				v->invalid++;
				rc = add_event(v, &h, (int)b, -1);
			}
			return rc ? rc : ret;
		}
		bk->seen++;
		rc = bch_jlist_insert(&v->list, &h, (int)b);
		if (rc < 0)
			return rc;
		v->duplicates += rc == BCH_JINSERT_DUPLICATE;
		v->expired += rc == BCH_JINSERT_EXPIRED;
		if (rc == BCH_JINSERT_ADDED) {
			ret = 1;
			bk->added++;
			if (h.seq > bk->seq)
				bk->seq = h.seq;
		}
		rc = add_event(v, &h, (int)b, rc);
		if (rc)
			return rc;
		offset += (bch_jset_bytes(&h) + block_bytes - 1) / block_bytes * g->block_sectors;
	}
	bk->stop = BCH_JSTOP_END;
	bk->stop_off = g->start[b] + offset * 512;
	return ret;
}

static uint64_t newest_seq(const struct bch_jview *v)
{
	return v->list.hi > v->list.lo ? bch_jlist_hit(&v->list, v->list.hi - 1)->seq : 0;
}

static void finish(struct bch_jview *v)
{
	uint64_t seq = 0;

	for (unsigned int i = 0; i < v->n; i++)
		if (v->b[i].seq > seq) {
			seq = v->b[i].seq;
			v->cur_idx = (int)i;
		}
	v->journal_seq = newest_seq(v);
}

#define VISITED(x) (v->b[x].read_order >= 0)

/* VISITING ORDER steps 1, 2: the bucket that first yields a new jset, or n. */
static int find_first(struct bch_jset_source *src, const struct bch_jgeom *g, struct bch_jview *v,
		      unsigned int *found)
{
	unsigned int n = v->n, l;
	int rc;

	for (unsigned int i = 0; i < n; i++) {
		l = bch_journal_probe(i, n);
		if (VISITED(l))
			break;
		rc = read_bucket(src, g, v, l);
		if (rc < 0)
			return rc;
		if (rc) {
			v->probe_hit = (int)i;
			*found = l;
			return 0;
		}
	}
	for (l = 0; l < n; l++) {
		if (VISITED(l))
			continue;
		rc = read_bucket(src, g, v, l);
		if (rc < 0)
			return rc;
		if (rc) {
			v->linear_hit = true;
			break;
		}
	}
	*found = l;
	return 0;
}

int bch_journal_kernel_view(struct bch_jset_source *src, const struct bch_jgeom *g,
			    struct bch_jview *v)
{
	unsigned int n = g->n, l, r, m;
	int rc;

	view_init(v, n, src->events);
	if (!n)
		return 0;
	rc = find_first(src, g, v, &l);
	if (rc || l == n)
		goto out;
	/* 3: binary search between l and the next visited bucket */
	for (r = l + 1; r < n && !VISITED(r); r++)
		;
	m = l;	/* the kernel leaves m unset when the loop does not run (inferred) */
	while (l + 1 < r) {
		uint64_t seq = newest_seq(v);

		m = (l + r) >> 1;
		rc = read_bucket(src, g, v, m);
		if (rc < 0)
			goto out;
		if (seq != newest_seq(v))
			l = m;
		else
			r = m;
	}
	/* 4: backward from m, with wrap-around, until a bucket adds nothing */
	l = m;
	for (;;) {
		l = l ? l - 1 : n - 1;
		if (l == m)
			break;
		if (VISITED(l))
			continue;
		rc = read_bucket(src, g, v, l);
		if (rc < 0)
			goto out;
		if (!rc)
			break;
	}
	rc = 0;
out:
	finish(v);
	return rc < 0 ? rc : 0;
}
#undef VISITED

int bch_journal_linear_view(struct bch_jset_source *src, const struct bch_jgeom *g,
			    struct bch_jview *v)
{
	int rc = 0;

	view_init(v, g->n, src->events);
	for (unsigned int b = 0; b < g->n && rc >= 0; b++)
		rc = read_bucket(src, g, v, b);
	finish(v);
	return rc < 0 ? rc : 0;
}

void bch_jview_resume(const struct bch_jview *v, const struct bch_jgeom *g,
		      const struct bch_jrange *r, struct bch_jresume *out)
{
	uint64_t end;

	memset(out, 0, sizeof(*out));
	out->bucket = -1;
	if (v->cur_idx < 0 || !g->n)
		return;
	out->bucket = (v->cur_idx + 1) % (int)g->n;
	if (!g->usable[out->bucket]) {
		out->bucket = -1;
		return;
	}
	out->offset = g->start[out->bucket];
	end = out->offset + g->bucket_sectors * 512;
	out->lo = UINT64_MAX;
	for (size_t i = v->list.lo; i < v->list.hi; i++) {
		const struct bch_jset_head *h = bch_jlist_hit(&v->list, i);

		if (h->seq < r->last_seq || h->off + bch_jset_bytes(h) <= out->offset ||
		    h->off >= end)
			continue;
		out->lo = h->seq < out->lo ? h->seq : out->lo;
		out->hi = h->seq > out->hi ? h->seq : out->hi;
		out->n++;
	}
	if (!out->n)
		out->lo = 0;
}

const char *bch_jstop_name(enum bch_jstop s)
{
	switch (s) {
	case BCH_JSTOP_NONE:
		return "unread";
	case BCH_JSTOP_END:
		return "end";
	case BCH_JSTOP_MAGIC:
		return "bad_magic";
	case BCH_JSTOP_TOO_BIG:
		return "too_big";
	case BCH_JSTOP_BAD_CSUM:
		return "bad_csum";
	case BCH_JSTOP_OUTSIDE:
		return "outside";
	}
	return "?";
}
