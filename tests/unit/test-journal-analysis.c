// SPDX-License-Identifier: GPL-2.0
/*
 * The journal analysis (bch_journal_analyze): each verdict, and problems at
 * the byte offsets they are about.  Journals are written by the binary
 * (make -M -C) and the test-only writer journal-gen, given as arguments:
 *   test-journal-analysis BCACHE JOURNAL-GEN
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bcache/cache-sb.h>
#include <bcache/csum.h>
#include <bcache/journal-analysis.h>
#include <bcache/media.h>
#include <bcache/nvm-walk.h>

#include "tap.h"

static const char *bcache, *jgen;
static char dir[] = "/tmp/bch-jaXXXXXX";
static char ns_path[64], cache_path[64];

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return rc == -1 || !WIFEXITED(rc) ? -1 : WEXITSTATUS(rc);
}

/* A fresh namespace and cache device, then journal-gen with args. */
static int make_journal(const char *args)
{
	if (run("truncate -s 0 %s %s && truncate -s 1G %s && truncate -s 2G %s", ns_path,
		cache_path, ns_path, cache_path))
		return -1;
	if (run("%s make -M %s -C %s --cset-uuid 01234567-89ab-cdef-fedc-ba9876543210 "
		"--block 4k >/dev/null", bcache, ns_path, cache_path))
		return -1;
	return run("%s %s %s --stride bucket %s", jgen, ns_path, cache_path, args);
}

struct loaded {
	struct bch_media *m;
	struct bch_nvm_ns ns;
	struct bch_cache_sb_info csb;
	struct bch_journal_report r;
};

static int analyze(struct loaded *l, bool with_cache)
{
	struct bch_journal_opts o = { .events = false };
	int rc;

	memset(l, 0, sizeof(*l));
	rc = bch_media_open(ns_path, 0, &l->m);
	if (!rc)
		rc = bch_nvm_load_allocs(l->m, &l->ns);
	if (!rc && with_cache) {
		struct bch_media *cm;

		rc = bch_media_open(cache_path, 0, &cm);
		if (!rc) {
			rc = bch_cache_sb_read(cm, &l->csb);
			bch_media_close(cm);
		}
		o.csb = &l->csb;
	}
	return rc ? rc : bch_journal_analyze(l->m, &l->ns, &o, &l->r);
}

static void unload(struct loaded *l)
{
	bch_journal_report_free(&l->r);
	bch_nvm_ns_free(&l->ns);
	bch_media_close(l->m);
}

static const struct bch_problem *find(const struct bch_problems *ps, enum bch_problem_code c)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i].code == c)
			return &ps->v[i];
	return NULL;
}

/* The offset of the jset with seq in the media view of journal 0. */
static uint64_t media_off(const struct bch_journal_report *r, uint64_t seq)
{
	const struct bch_jset_head *h = bch_jlist_seq(&r->j[0].media, seq);

	return h ? h->off : UINT64_MAX;
}

static void test_ok(void)
{
	struct loaded l;

	ok(!make_journal("--jsets 20"), "journal-gen: 20 jsets");
	ok(!analyze(&l, true), "analysis with the cache sb");
	is_u64(l.r.verdict, BCH_JVERDICT_OK, "a complete journal: verdict ok");
	is_u64(l.r.nj, 1, "one journal");
	is_u64(l.r.j[0].krange.newest, 20, "kernel newest seq 20");
	is_u64(bch_problems_count(&l.r.problems, BCH_SEV_WARN), 0, "no warning or error");
	unload(&l);
}

static void test_problems(void)
{
	const struct bch_problem *p;
	struct loaded l;

	ok(!make_journal("--jsets 40 --lag 10 --skip 35"), "journal-gen: seq 35 left out");
	ok(!analyze(&l, false), "analysis from the owners");
	is_u64(l.r.verdict, BCH_JVERDICT_PROBLEMS, "a gap in the range: verdict problems");
	p = find(&l.r.problems, BCH_P_J_MISSING);
	ok(p != NULL, "J_MISSING filed");
	if (p) {
		is_u64(p->offset, media_off(&l.r, 40), "J_MISSING at the newest jset (seq 40)");
		ok(strstr(p->message, "entries 35 missing") != NULL, "the gap named: %s",
		   p->message);
	}
	unload(&l);

	ok(!make_journal("--jsets 40 --lag 10 --bad-csum 38"), "journal-gen: seq 38 corrupt");
	ok(!analyze(&l, true), "analysis with the cache sb");
	is_u64(l.r.verdict, BCH_JVERDICT_PROBLEMS, "a bad checksum: verdict problems");
	p = find(&l.r.problems, BCH_P_J_BAD_CSUM);
	ok(p != NULL, "J_BAD_CSUM filed");
	if (p) {
		const struct bch_jset_head *h = NULL;

		for (size_t i = 0; i < l.r.j[0].scan.n; i++)
			if (l.r.j[0].scan.v[i].state == BCH_JSET_BAD_CSUM)
				h = &l.r.j[0].scan.v[i];
		ok(h && p->offset == h->off, "J_BAD_CSUM at the corrupt jset (%llu)",
		   (unsigned long long)p->offset);
	}
	p = find(&l.r.problems, BCH_P_J_KERNEL_MISSES);
	ok(!p || p->offset != 0, "J_KERNEL_MISSES (if any) not at offset 0");
	unload(&l);
}

static void test_incomplete(void)
{
	struct loaded l;

	/* seq 3 corrupt but stale (last_seq 31): nothing of the range lacks */
	ok(!make_journal("--jsets 40 --lag 10 --bad-csum 3"), "journal-gen: stale seq 3 corrupt");
	ok(!analyze(&l, false), "analysis from the owners");
	is_u64(bch_problems_count(&l.r.problems, BCH_SEV_ERROR), 0, "no error problem");
	is_u64(l.r.j[0].invalid, 1, "one invalid jset in the region");
	is_u64(l.r.verdict, BCH_JVERDICT_INCOMPLETE, "an invalid jset: verdict incomplete");
	unload(&l);
}

/*
 * A second copy of seq 5 at the end of the region and seq 3 corrupt: one
 * duplicate, one invalid jset (the valid hits are the view's and its
 * duplicates).
 */
static void test_dup_invalid(void)
{
	unsigned char block[4096];
	struct loaded l;
	uint64_t off, end;
	int fd;

	ok(!make_journal("--jsets 40 --lag 10 --bad-csum 3"), "journal-gen: stale seq 3 corrupt");
	ok(!analyze(&l, false), "analysis from the owners");
	off = media_off(&l.r, 5);
	end = l.r.nj ? l.r.j[0].end : 0;
	unload(&l);
	fd = open(ns_path, O_RDWR);
	ok(fd >= 0 && off != UINT64_MAX && end > off + 8192 &&
	   pread(fd, block, sizeof(block), (off_t)off) == (ssize_t)sizeof(block) &&
	   pwrite(fd, block, sizeof(block), (off_t)(end - sizeof(block))) ==
	   (ssize_t)sizeof(block), "seq 5 copied to the region's last block");
	if (fd >= 0)
		close(fd);
	ok(!analyze(&l, false), "analysed again");
	ok(l.r.nj && l.r.j[0].dups == 1 && l.r.j[0].invalid == 1 &&
	   l.r.j[0].scan.n == 41,
	   "40 jsets and the copy: 1 duplicate, 1 invalid (got %llu, %llu of %zu hits)",
	   l.r.nj ? (unsigned long long)l.r.j[0].dups : 0,
	   l.r.nj ? (unsigned long long)l.r.j[0].invalid : 0, l.r.nj ? l.r.j[0].scan.n : 0);
	unload(&l);
}

/*
 * The CHECKS results of the kernel's live jsets, taken from the media view's
 * where it checked the same bytes, are those of checking them: seq 18 gets
 * version 2 (and a checksum that matches), BCH_JF_VERSION.
 */
static void test_kernel_checks(void)
{
	unsigned char block[4096];
	struct jset *js = (struct jset *)block;
	struct loaded l;
	uint64_t off, c = 0;
	bool good = true, flagged = false;
	size_t live = 0;
	int fd;

	ok(!make_journal("--jsets 20 --lag 5"), "journal-gen: 20 jsets");
	ok(!analyze(&l, true), "analysis with the cache sb");
	off = media_off(&l.r, 18);
	unload(&l);
	fd = open(ns_path, O_RDWR);
	good = fd >= 0 && off != UINT64_MAX &&
	       pread(fd, block, sizeof(block), (off_t)off) == (ssize_t)sizeof(block);
	if (good) {
		js->version = 2;
		good = !bch_csum_set(block, sizeof(block), BCH_JSET_HDR, js->keys, &c);
		js->csum = c;
		good = good && pwrite(fd, block, sizeof(block), (off_t)off) ==
		       (ssize_t)sizeof(block);
	}
	if (fd >= 0)
		close(fd);
	ok(good, "seq 18 rewritten as version 2");
	ok(!analyze(&l, true), "analysed again");
	for (size_t i = 0; l.r.nj && i < l.r.j[0].kv.list.hi - l.r.j[0].kv.list.lo; i++) {
		const struct bch_jlist *kl = &l.r.j[0].kv.list;
		const struct bch_jset_head *h = bch_jlist_hit(kl, kl->lo + i);
		struct bch_jset_head fresh = *h;
		unsigned char buf[JSET_MAX_BYTES];

		if (h->seq < l.r.j[0].krange.last_seq)
			continue;
		live++;
		if (bch_jset_read(l.m, h, buf)) {
			good = false;
			break;
		}
		bch_jset_check(buf, &fresh);
		good &= h->checked && h->flags == fresh.flags && h->nkeys == fresh.nkeys;
		flagged |= h->seq == 18 && (h->flags & BCH_JF_VERSION);
	}
	ok(good && live == 5 && flagged, "the kernel's %zu live jsets: checked as their bytes say, "
	   "seq 18 version 2", live);
	unload(&l);
}

static void test_no_journal(void)
{
	struct bch_journal_report r = { .kernel = true };

	is_u64(bch_journal_verdict(&r), BCH_JVERDICT_NO_JOURNAL,
	       "with the cache sb, no journal span: verdict no_journal");
	r.kernel = false;
	is_u64(bch_journal_verdict(&r), BCH_JVERDICT_OK, "without it, nothing to judge: ok");
	ok(!strcmp(bch_jverdict_name(BCH_JVERDICT_NO_JOURNAL), "no_journal"), "verdict names");
	ok(!strcmp(bch_jverdict_name(BCH_JVERDICT_NOT_WRITTEN), "not_written"),
	   "verdict name: not written");
}

/* Whether the lists hold the same jsets (seq, offset, state, bucket). */
static bool same_list(const struct bch_jlist *a, const struct bch_jlist *b)
{
	if (a->hi - a->lo != b->hi - b->lo)
		return false;
	for (size_t i = 0; i < a->hi - a->lo; i++) {
		const struct bch_jset_head *x = bch_jlist_hit(a, a->lo + i);
		const struct bch_jset_head *y = bch_jlist_hit(b, b->lo + i);

		if (x->seq != y->seq || x->off != y->off || x->state != y->state ||
		    bch_jlist_bucket(a, a->lo + i) != bch_jlist_bucket(b, b->lo + i))
			return false;
	}
	return true;
}

static bool same_report(const struct bch_journal_report *a, const struct bch_journal_report *b)
{
	if (a->verdict != b->verdict || a->nj != b->nj || a->problems.n != b->problems.n)
		return false;
	for (size_t i = 0; i < a->problems.n; i++)
		if (a->problems.v[i].code != b->problems.v[i].code ||
		    a->problems.v[i].offset != b->problems.v[i].offset ||
		    strcmp(a->problems.v[i].message, b->problems.v[i].message))
			return false;
	for (size_t i = 0; i < a->nj; i++) {
		const struct bch_journal *x = &a->j[i], *y = &b->j[i];

		if (!same_list(&x->media, &y->media) || !same_list(&x->kv.list, &y->kv.list) ||
		    !same_list(&x->lv.list, &y->lv.list) ||
		    memcmp(&x->krange, &y->krange, sizeof(x->krange)) ||
		    memcmp(&x->lrange, &y->lrange, sizeof(x->lrange)) ||
		    x->kv.cur_idx != y->kv.cur_idx || x->lv.cur_idx != y->lv.cur_idx ||
		    x->kv.invalid != y->kv.invalid || x->lv.invalid != y->lv.invalid ||
		    x->lv.duplicates != y->lv.duplicates || x->invalid != y->invalid)
			return false;
	}
	return true;
}

/*
 * With the cache sb, every bucket's view is read by a second thread where
 * the process may run on two CPUs: the report must be the one of a process
 * bound to one CPU, for a clean journal, a gap, a bad checksum in the range
 * and a wrapped journal with stale copies.
 */
static void test_one_cpu(void)
{
	static const char *const states[] = {
		"--jsets 20", "--jsets 40 --lag 10 --skip 35", "--jsets 40 --lag 10 --bad-csum 38",
		"--jsets 300 --lag 50",
	};
	cpu_set_t all, one;
	int cpus = sched_getaffinity(0, sizeof(all), &all) ? 1 : CPU_COUNT(&all);

	CPU_ZERO(&one);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &all)) {
			CPU_SET(c, &one);
			break;
		}
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		struct loaded par, ser;
		bool two, one_reader;

		ok(!make_journal(states[i]), "journal-gen %s", states[i]);
		ok(!analyze(&par, true), "analysed on %d CPUs", cpus);
		two = bch_media_two_readers(par.m);
		ok(!sched_setaffinity(0, sizeof(one), &one), "bound to one CPU");
		ok(!analyze(&ser, true), "analysed on one CPU");
		one_reader = !bch_media_two_readers(ser.m);
		sched_setaffinity(0, sizeof(all), &all);
		ok(two == (cpus > 1) && one_reader, "a second reader thread with %d CPUs, none "
		   "with one", cpus);
		ok(same_report(&par.r, &ser.r), "%s: the same report", states[i]);
		unload(&par);
		unload(&ser);
	}
}

static void test_ranges_text(void)
{
	uint64_t g[] = { 3, 4, 7, 7, 9, 12 };
	char t[64];

	bch_seq_ranges_text(g, 3, 3, t, sizeof(t));
	ok(!strcmp(t, "3-4,7,9-12"), "ranges text: %s", t);
	bch_seq_ranges_text(g, 2, 5, t, sizeof(t));
	ok(!strcmp(t, "3-4,7,... (5 ranges)"), "ranges text, truncated: %s", t);
	bch_seq_ranges_text(g, 3, 3, t, 5);
	ok(!strcmp(t, "3-4,"), "ranges text, short buffer: %s", t);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: test-journal-analysis BCACHE JOURNAL-GEN\n");
		return 2;
	}
	bcache = argv[1];
	jgen = argv[2];
	if (!mkdtemp(dir))
		return 1;
	snprintf(ns_path, sizeof(ns_path), "%s/ns.img", dir);
	snprintf(cache_path, sizeof(cache_path), "%s/cache.img", dir);
	test_ok();
	test_problems();
	test_incomplete();
	test_dup_invalid();
	test_kernel_checks();
	test_no_journal();
	test_one_cpu();
	test_ranges_text();
	run("rm -rf %s", dir);
	return tap_done();
}
