// SPDX-License-Identifier: GPL-2.0
/*
 * bcache nvm map: a picture of a namespace.  The namespace is cut into runs
 * of pages (the metadata area, each owner's allocations, the journal, free
 * blocks by order) from what the owner-list walk and the buddy rebuild
 * report; text draws them as a map of cells of N pages each with a legend,
 * --json lists the runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bcache/fields.h>
#include <bcache/grow.h>
#include <bcache/journal-analysis.h>
#include <bcache/media.h>
#include <bcache/nvm-buddy.h>
#include <bcache/nvm-walk.h>

#include "cmd.h"
#include "columns.h"
#include "nvm-common.h"
#include "output.h"

OUT_CATALOGUE(BCH_COLS_MAPINFO, MI, info_cols);
OUT_CATALOGUE(BCH_COLS_MAPLEGEND, ML, legend_cols);
OUT_CATALOGUE(BCH_COLS_MAPRUNS, MR, run_cols);

enum { OPT_COLOR = OPT__CMD_FIRST, OPT_WIDTH };

/* Map widths: the default without a terminal, and the bounds of --width. */
#define MAP_WIDTH_DEFAULT 80
#define MAP_WIDTH_MIN 40
#define MAP_WIDTH_MAX 1024
/* Rows of the map at most (cells of a power-of-two number of pages). */
#define MAP_ROWS 16

struct map_opts {
	struct out_opts out;	/* -J, -b, -q */
	int color;		/* OUT_COLOR_* */
	unsigned int width;	/* 0: the terminal's, else MAP_WIDTH_DEFAULT */
	const struct bch_cmd *cmd;
};

static const struct bch_opt map_opts_def[] = {
	{ "width", OPT_WIDTH, required_argument, "COLUMNS",
	  "the map's width in characters (default: the terminal's, else 80)", NULL },
	{ "color", OPT_COLOR, required_argument, "WHEN",
	  "colour the map: auto (a terminal without NO_COLOR), always or never",
	  "auto|always|never" },
	{ "json", 'J', no_argument, NULL, "print one JSON document (the runs of pages)", NULL },
	BCH_OPT_BYTES,
	BCH_OPT_QUIET,
	{ NULL },
};

static int map_opt(int val, const char *arg, void *ctx)
{
	struct map_opts *o = ctx;
	char *end;
	unsigned long w;

	if (out_opt(&o->out, val))
		return 0;
	switch (val) {
	case OPT_COLOR:
		if (!strcmp(arg, "auto"))
			o->color = OUT_COLOR_AUTO;
		else if (!strcmp(arg, "always"))
			o->color = OUT_COLOR_ALWAYS;
		else if (!strcmp(arg, "never"))
			o->color = OUT_COLOR_NEVER;
		else
			return bch_usage_error(o->cmd, "--color: '%s' is not auto, always or never",
					       arg);
		return 0;
	case OPT_WIDTH:
		errno = 0;
		w = strtoul(arg, &end, 10);
		if (errno || *end || !*arg || *arg == '-' || w < MAP_WIDTH_MIN ||
		    w > MAP_WIDTH_MAX)
			return bch_usage_error(o->cmd, "--width: '%s' is not a number of columns "
					       "in [%d, %d]", arg, MAP_WIDTH_MIN, MAP_WIDTH_MAX);
		o->width = (unsigned int)w;
		return 0;
	}
	return BCH_EXIT_USAGE;
}

/* ---- runs of pages ---- */

enum map_kind {
	MK_HEADER,	/* the superblock and the owner table: the pages before slot 0 */
	MK_RECPAGE,	/* a record page the walk reached */
	MK_STALE,	/* a record-page slot with the magic, not linked */
	MK_RESERVED,	/* the rest of the metadata area */
	MK_ALLOC,	/* an owner's allocation */
	MK_JOURNAL,	/* an allocation holding a journal (jsets found) */
	MK_FREE,	/* free blocks of one order */
	MK__COUNT,
};

static const char *const kind_name[MK__COUNT] = {
	[MK_HEADER] = "header", [MK_RECPAGE] = "record_page", [MK_STALE] = "stale_slot",
	[MK_RESERVED] = "reserved", [MK_ALLOC] = "allocation", [MK_JOURNAL] = "journal",
	[MK_FREE] = "free",
};

static const char kind_symbol[MK__COUNT] = {
	[MK_HEADER] = '@', [MK_RECPAGE] = 'R', [MK_STALE] = 'x', [MK_RESERVED] = '#',
	[MK_JOURNAL] = 'J', [MK_FREE] = '.',
};

/* Owner symbols (J, R and x are kinds'); owners past these share '*'. */
static const char owner_symbols[] = "ABCDEFGHIKLMNOPQSTUVWXYZabcdefghijklmnopqrstuvwyz";

/* SGR colours: kinds, then owners in turn. */
static const char *const kind_sgr[MK__COUNT] = {
	[MK_HEADER] = "30;47", [MK_RECPAGE] = "30;46", [MK_STALE] = "30;43",
	[MK_RESERVED] = "37;100", [MK_JOURNAL] = "1;97;41", [MK_FREE] = "90",
};
static const char *const owner_sgr[] = { "30;42", "97;44", "30;45", "30;102", "30;104", "30;105" };

struct map_run {
	uint64_t start, pages;
	int owner;		/* index into ns->owners, or -1 */
	unsigned char kind;	/* enum map_kind */
	signed char order;	/* -1 for the metadata area */
};

/* The runs of one namespace, produced in page order by merging three sorted sources. */
struct map {
	const struct bch_nvm_ns *ns;
	struct bch_nvm_buddy b;
	struct map_run *meta;		/* the metadata area, in page order */
	size_t nmeta, meta_cap, mi;
	size_t ai;			/* next of ns->allocs */
	struct bch_free_block *fr;	/* b.v sorted by page */
	size_t fi;
	bool *journal;			/* per ns->allocs: holds a journal */
	struct bch_journal_report rep;
	bool have_rep;
	char symbol[128];		/* per owner index */
	int colour[128];		/* per owner index: into owner_sgr, or -1 */
};

static int meta_add(struct map *mp, uint64_t start, uint64_t pages, int kind, int owner)
{
	struct map_run *r;

	if (!pages)
		return 0;
	/* adjacent slots of one kind and owner make one run */
	if (mp->nmeta) {
		r = &mp->meta[mp->nmeta - 1];
		if (r->kind == kind && r->owner == owner && r->start + r->pages == start) {
			r->pages += pages;
			return 0;
		}
	}
	if (mp->nmeta == mp->meta_cap &&
	    bch_grow((void **)&mp->meta, &mp->meta_cap, sizeof(*mp->meta)))
		return -ENOMEM;
	mp->meta[mp->nmeta++] = (struct map_run){ start, pages, owner, (unsigned char)kind, -1 };
	return 0;
}

/* The metadata area [0, reserved): header, record pages, stale slots, the rest. */
static int meta_runs(struct map *mp)
{
	const struct bch_nvm_ns *ns = mp->ns;
	const uint64_t res = mp->b.reserved;
	const uint64_t slot_pages = BCH_NVM_PAGES_RECS_SIZE / 4096;
	const uint64_t first = BCH_NVM_SLOT_OFFSET(0) / 4096;
	uint32_t nslots = ns->lay->max_slots;
	int *slot;		/* per slot: owner index + 1 of a record page, -1 stale, 0 */
	uint64_t at;
	int rc;

	slot = calloc(nslots, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	for (size_t i = 0; i < ns->npages; i++)
		if (ns->pages[i].slot >= 0 && (uint32_t)ns->pages[i].slot < nslots)
			slot[ns->pages[i].slot] = ns->pages[i].owner + 1;
	for (size_t i = 0; i < ns->nstale; i++)
		if (ns->stale[i].slot >= 0 && (uint32_t)ns->stale[i].slot < nslots &&
		    !slot[ns->stale[i].slot])
			slot[ns->stale[i].slot] = -1;
	rc = meta_add(mp, 0, first < res ? first : res, MK_HEADER, -1);
	at = first < res ? first : res;
	for (uint32_t s = 0; s < nslots && !rc && at < res; s++) {
		uint64_t p = first + s * slot_pages;
		uint64_t n = p + slot_pages <= res ? slot_pages : res - p;

		if (p >= res)
			break;
		if (!slot[s])
			continue;
		rc = meta_add(mp, at, p - at, MK_RESERVED, -1);
		if (!rc)
			rc = meta_add(mp, p, n, slot[s] > 0 ? MK_RECPAGE : MK_STALE,
				      slot[s] > 0 ? slot[s] - 1 : -1);
		at = p + n;
	}
	if (!rc && at < res)
		rc = meta_add(mp, at, res - at, MK_RESERVED, -1);
	free(slot);
	return rc;
}

static int free_cmp(const void *a, const void *b)
{
	const struct bch_free_block *x = a, *y = b;

	return x->page < y->page ? -1 : x->page > y->page;
}

/*
 * The journals: the allocations where the library's analysis (without the
 * cache superblock: every owner's regions, scanned by magic) found jsets.
 */
static int map_journals(struct map *mp)
{
	const struct bch_journal_opts jo = { 0 };
	struct bch_media *m;
	int rc;

	bool multi = false;

	mp->journal = calloc(mp->ns->nallocs ? mp->ns->nallocs : 1, sizeof(*mp->journal));
	if (!mp->journal)
		return -ENOMEM;
	/* single pages hold no journal region: no analysis when all are */
	for (size_t i = 0; i < mp->ns->nallocs && !multi; i++)
		multi = mp->ns->allocs[i].valid && mp->ns->allocs[i].order;
	if (!multi)
		return 0;
	rc = bch_media_open(mp->ns->path, 0, &m);
	if (rc)
		return rc;
	mp->have_rep = true;
	rc = bch_journal_analyze(m, mp->ns, &jo, &mp->rep);
	bch_media_close(m);
	for (size_t i = 0; !rc && i < mp->rep.nj; i++) {
		const struct bch_journal *j = &mp->rep.j[i];

		if (j->reg && j->mrange.any && j->reg->alloc >= 0 &&
		    (size_t)j->reg->alloc < mp->ns->nallocs)
			mp->journal[j->reg->alloc] = true;
	}
	return rc;
}

static void map_free(struct map *mp)
{
	bch_nvm_buddy_free(&mp->b);
	free(mp->meta);
	free(mp->fr);
	free(mp->journal);
	if (mp->have_rep)
		bch_journal_report_free(&mp->rep);
}

static int map_init(struct map *mp, const struct bch_nvm_ns *ns)
{
	int rc, next = 0;

	memset(mp, 0, sizeof(*mp));
	mp->ns = ns;
	rc = bch_nvm_buddy_of(ns, true, &mp->b);
	if (rc)
		return rc;
	rc = meta_runs(mp);
	if (rc)
		return rc;
	mp->fr = malloc((mp->b.n ? mp->b.n : 1) * sizeof(*mp->fr));
	if (!mp->fr)
		return -ENOMEM;
	if (mp->b.n)
		memcpy(mp->fr, mp->b.v, mp->b.n * sizeof(*mp->fr));
	qsort(mp->fr, mp->b.n, sizeof(*mp->fr), free_cmp);
	rc = map_journals(mp);
	if (rc)
		return rc;
	/* a symbol and a colour for each owner with allocations other than a journal */
	for (size_t i = 0; i < ns->nallocs; i++)
		if (ns->allocs[i].valid && !mp->journal[i] &&
		    ns->pages[ns->allocs[i].pg].owner < (int)sizeof(mp->symbol))
			mp->symbol[ns->pages[ns->allocs[i].pg].owner] = 1;
	for (size_t i = 0; i < ns->nowners && i < sizeof(mp->symbol); i++) {
		bool has = mp->symbol[i];

		mp->colour[i] = -1;
		mp->symbol[i] = '*';
		if (!has)
			continue;
		if (next < (int)sizeof(owner_symbols) - 1)
			mp->symbol[i] = owner_symbols[next];
		mp->colour[i] = next % (int)(sizeof(owner_sgr) / sizeof(owner_sgr[0]));
		next++;
	}
	return 0;
}

static void map_rewind(struct map *mp)
{
	mp->mi = mp->ai = mp->fi = 0;
}

/* The next run in page order; false at the end. */
static bool map_next(struct map *mp, struct map_run *out)
{
	const struct bch_nvm_ns *ns = mp->ns;
	const struct bch_nvm_alloc *a;
	uint64_t best = UINT64_MAX;
	int src = -1;

	while (mp->ai < ns->nallocs && !ns->allocs[mp->ai].valid)
		mp->ai++;
	if (mp->mi < mp->nmeta && mp->meta[mp->mi].start < best) {
		best = mp->meta[mp->mi].start;
		src = 0;
	}
	if (mp->ai < ns->nallocs && ns->allocs[mp->ai].page < best) {
		best = ns->allocs[mp->ai].page;
		src = 1;
	}
	if (mp->fi < mp->b.n && mp->fr[mp->fi].page < best)
		src = 2;
	switch (src) {
	case 0:
		*out = mp->meta[mp->mi++];
		return true;
	case 1:
		a = &ns->allocs[mp->ai];
		*out = (struct map_run){ a->page, 1ULL << a->order, ns->pages[a->pg].owner,
					 mp->journal[mp->ai] ? MK_JOURNAL : MK_ALLOC,
					 (signed char)a->order };
		mp->ai++;
		return true;
	case 2:
		*out = (struct map_run){ mp->fr[mp->fi].page,
					 mp->fr[mp->fi].count << mp->fr[mp->fi].order, -1, MK_FREE,
					 (signed char)mp->fr[mp->fi].order };
		mp->fi++;
		return true;
	}
	return false;
}

/* ---- the text map ---- */

/* Bytes of a page count, saturated (a hostile pages_total may claim 2^64 pages). */
static uint64_t pages_bytes(uint64_t pages)
{
	return pages > UINT64_MAX >> 12 ? UINT64_MAX : pages << 12;
}

/* a * b, saturated */
static uint64_t mul_sat(uint64_t a, uint64_t b)
{
	return a && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

struct grid {
	uint64_t cell;		/* pages per cell */
	unsigned int per_row, rows, label_w;
	size_t ncells;
	size_t nslot;		/* owners + 1 (the journal) */
	uint64_t *pages;	/* per cell and slot: allocated pages */
	unsigned char *kinds;	/* per cell: bit per kind present */
};

/* Cells of 2^k pages, a multiple of 16 cells a row, at most MAP_ROWS rows. */
static void grid_size(struct grid *g, uint64_t total, unsigned int width, bool bytes)
{
	char lab[32];
	uint64_t need, rows;

	if (bytes)
		g->label_w = (unsigned int)snprintf(lab, sizeof(lab), "%llu",
						    (unsigned long long)pages_bytes(total));
	else
		g->label_w = 10;	/* "1023.9 GiB" */
	g->per_row = (width - g->label_w - 1) / 16 * 16;
	if (g->per_row < 16)
		g->per_row = 16;
	need = total / ((uint64_t)g->per_row * MAP_ROWS) +
	       !!(total % ((uint64_t)g->per_row * MAP_ROWS));
	g->cell = 1;
	while (g->cell < need)
		g->cell <<= 1;
	g->ncells = (size_t)(total / g->cell + !!(total % g->cell));
	rows = (g->ncells + g->per_row - 1) / g->per_row;
	g->rows = (unsigned int)rows;
}

static void grid_paint(struct grid *g, const struct map_run *r, uint64_t total)
{
	uint64_t end = r->start + r->pages;

	if (r->start >= total || !r->pages)
		return;
	if (end > total || end < r->start)
		end = total;
	for (uint64_t c = r->start / g->cell; c <= (end - 1) / g->cell; c++) {
		uint64_t lo = c * g->cell > r->start ? c * g->cell : r->start;
		uint64_t hi = mul_sat(c + 1, g->cell) < end ? (c + 1) * g->cell : end;

		g->kinds[c] |= (unsigned char)(1U << r->kind);
		if (r->kind == MK_ALLOC && r->owner >= 0)
			g->pages[c * g->nslot + (size_t)r->owner] += hi - lo;
		else if (r->kind == MK_JOURNAL)
			g->pages[c * g->nslot + g->nslot - 1] += hi - lo;
	}
}

/* The colour of owner who's cells (owners past the symbols share the first). */
static const char *owner_colour(const struct map *mp, int who)
{
	return who < (int)sizeof(mp->symbol) && mp->colour[who] >= 0 ?
	       owner_sgr[mp->colour[who]] : owner_sgr[0];
}

/*
 * What a cell shows: the allocation with the most pages in it (the
 * journal on a tie), so that small allocations stay visible; else the
 * metadata kind, by header, record page, stale slot, reserved; else free.
 * *sgr gets its colour.
 */
static char cell_symbol(const struct map *mp, const struct grid *g, size_t c, const char **sgr)
{
	static const int order[] = { MK_HEADER, MK_RECPAGE, MK_STALE, MK_RESERVED, MK_FREE };
	const uint64_t *p = &g->pages[c * g->nslot];
	uint64_t best = 0;
	int who = -1;

	for (size_t s = 0; s + 1 < g->nslot; s++)
		if (p[s] > best) {
			best = p[s];
			who = (int)s;
		}
	if (p[g->nslot - 1] && p[g->nslot - 1] >= best) {
		*sgr = kind_sgr[MK_JOURNAL];
		return kind_symbol[MK_JOURNAL];
	}
	if (who >= 0) {
		*sgr = owner_colour(mp, who);
		return who < (int)sizeof(mp->symbol) ? mp->symbol[who] : '*';
	}
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (g->kinds[c] & (1U << order[i])) {
			*sgr = kind_sgr[order[i]];
			return kind_symbol[order[i]];
		}
	*sgr = NULL;
	return ' ';	/* a page no run covers */
}

static void row_label(char *buf, size_t len, uint64_t bytes, bool raw)
{
	if (raw)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else
		out_size_text(buf, len, bytes);
}

static int map_text(struct out *o, struct map *mp, unsigned int width)
{
	const uint64_t total = mp->b.pages_total;
	struct grid g = { 0 };
	struct map_run r;
	char cs[32], rs[32];

	grid_size(&g, total, width, o->bytes);
	g.nslot = mp->ns->nowners + 1;
	g.pages = calloc(g.ncells * g.nslot + 1, sizeof(*g.pages));
	g.kinds = calloc(g.ncells + 1, 1);
	if (!g.pages || !g.kinds) {
		free(g.pages);
		free(g.kinds);
		return -ENOMEM;
	}
	map_rewind(mp);
	while (map_next(mp, &r))
		grid_paint(&g, &r, total);
	row_label(cs, sizeof(cs), pages_bytes(g.cell), o->bytes);
	row_label(rs, sizeof(rs), pages_bytes(total), o->bytes);
	out_title(o, "%s: %llu pages (%s), one cell = %llu page%s (%s), %u cells a row",
		  mp->ns->path, (unsigned long long)total, rs, (unsigned long long)g.cell,
		  g.cell == 1 ? "" : "s", cs, g.per_row);
	for (unsigned int row = 0; row < g.rows; row++) {
		const char *cur = NULL;
		char lab[32];

		row_label(lab, sizeof(lab), pages_bytes(mul_sat((uint64_t)row * g.per_row, g.cell)),
			  o->bytes);
		printf("%*s ", (int)g.label_w, lab);
		for (size_t c = (size_t)row * g.per_row;
		     c < g.ncells && c < (size_t)(row + 1) * g.per_row; c++) {
			const char *sgr;
			char sym = cell_symbol(mp, &g, c, &sgr);

			if (o->color == OUT_COLOR_ALWAYS && sgr != cur) {
				printf("\033[0%s%sm", sgr ? ";" : "", sgr ? sgr : "");
				cur = sgr;
			}
			putchar(sym);
		}
		if (o->color == OUT_COLOR_ALWAYS && cur)
			fputs("\033[0m", stdout);
		putchar('\n');
	}
	free(g.pages);
	free(g.kinds);
	return ferror(stdout) ? -EIO : 0;
}

/* ---- the legend ---- */

struct tally {
	uint64_t runs, pages;
};

static void legend_owner(struct out_table *t, const struct bch_nvm_ns *ns, int owner)
{
	const struct bch_nvm_owner *ow = &ns->owners[owner];
	char u[37], label[4 * 32 + 1];

	bch_uuid_format(ow->uuid, u);
	bch_field_format(bch_field_find(ns->lay->head_desc, "label"), ow->raw, label,
			 sizeof(label));
	out_u64(t, ML_OWNER, (uint64_t)ow->index);
	out_str(t, ML_UUID, u);
	out_str(t, ML_LABEL, label);
}

/* A row of the legend: its symbol in the colour of its cells (--color). */
static int legend_row(struct out_table *t, char sym, const char *sgr, int kind,
		      const struct tally *n)
{
	char s[2] = { sym, 0 };
	int rc = out_line(t, 0);

	out_str(t, ML_SYMBOL, s);
	out_color(t, ML_SYMBOL, sgr);
	out_str(t, ML_KIND, kind_name[kind]);
	out_u64(t, ML_RUNS, n->runs);
	out_u64(t, ML_PAGES, n->pages);
	out_u64(t, ML_SIZE, pages_bytes(n->pages));
	return rc;
}

static int map_legend(struct out *o, struct map *mp)
{
	const struct bch_nvm_ns *ns = mp->ns;
	struct tally kinds[MK__COUNT] = { { 0 } }, *own;
	struct out_table *t;
	struct map_run r;
	int rc = 0;

	own = calloc(ns->nowners + 1, sizeof(*own));
	if (!own)
		return -ENOMEM;
	map_rewind(mp);
	while (map_next(mp, &r)) {
		kinds[r.kind].runs++;
		kinds[r.kind].pages += r.pages;
		if (r.kind == MK_ALLOC && r.owner >= 0) {
			own[r.owner].runs++;
			own[r.owner].pages += r.pages;
		}
	}
	t = out_table(o, "legend", legend_cols, ML_NCOLS, NULL, 0, 0);
	if (!t) {
		free(own);
		return -ENOMEM;
	}
	out_table_title(t, "Legend");
	for (int k = MK_HEADER; k <= MK_RESERVED && !rc; k++)
		if (kinds[k].pages)
			rc = legend_row(t, kind_symbol[k], kind_sgr[k], k, &kinds[k]);
	for (size_t i = 0; i < ns->nowners && !rc; i++) {
		if (!own[i].pages)
			continue;
		rc = legend_row(t, i < sizeof(mp->symbol) ? mp->symbol[i] : '*',
				owner_colour(mp, (int)i), MK_ALLOC, &own[i]);
		legend_owner(t, ns, (int)i);
	}
	for (size_t i = 0; i < mp->rep.nj && !rc; i++) {
		const struct bch_journal *j = &mp->rep.j[i];
		struct tally n = { 1, 0 };

		if (!j->reg || !j->mrange.any)
			continue;
		n.pages = j->reg->len / 4096;
		rc = legend_row(t, kind_symbol[MK_JOURNAL], kind_sgr[MK_JOURNAL], MK_JOURNAL, &n);
		legend_owner(t, ns, j->reg->owner);
		out_fmt(t, ML_NOTE, "seq %llu-%llu on the media",
			(unsigned long long)j->mrange.last_seq,
			(unsigned long long)j->mrange.newest);
	}
	if (!rc) {
		rc = legend_row(t, kind_symbol[MK_FREE], kind_sgr[MK_FREE], MK_FREE,
				&kinds[MK_FREE]);
		if (mp->b.largest_order >= 0)
			out_fmt(t, ML_NOTE, "largest block: order %d", mp->b.largest_order);
	}
	free(own);
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

/* ---- JSON ---- */

static int map_info(struct out *o, const struct map *mp, unsigned int width)
{
	struct out_table *t = out_table(o, "map", info_cols, MI_NCOLS, NULL, 0, OUT_T_OBJECT);
	struct grid g = { 0 };
	int rc;

	if (!t)
		return -ENOMEM;
	grid_size(&g, mp->b.pages_total, width, false);
	rc = out_line(t, 0);
	out_u64(t, MI_TOTAL, mp->b.pages_total);
	out_u64(t, MI_RESERVED, mp->b.reserved);
	out_u64(t, MI_CELL, g.cell);
	out_u64(t, MI_PER_ROW, g.per_row);
	out_u64(t, MI_ROWS, g.rows);
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

static int map_runs(struct out *o, struct map *mp)
{
	struct out_table *t = out_table(o, "runs", run_cols, MR_NCOLS, NULL, 0, 0);
	struct map_run r;
	int rc = 0;

	if (!t)
		return -ENOMEM;
	map_rewind(mp);
	while (!rc && map_next(mp, &r)) {
		rc = out_line(t, 0);
		out_u64(t, MR_START, r.start);
		out_u64(t, MR_PAGES, r.pages);
		out_str(t, MR_KIND, kind_name[r.kind]);
		if (r.owner >= 0)
			out_u64(t, MR_OWNER, (uint64_t)mp->ns->owners[r.owner].index);
		if (r.order >= 0)
			out_u64(t, MR_ORDER, (uint64_t)r.order);
	}
	if (rc) {
		out_table_free(t);
		return rc;
	}
	return out_emit(t);
}

static int map_one(struct out *o, const struct bch_nvm_ns *ns, unsigned int width)
{
	struct map mp;
	int rc = map_init(&mp, ns);

	out_device(o, ns->path);
	if (!rc && o->json)
		rc = map_info(o, &mp, width);
	if (!rc && !o->json)
		rc = map_text(o, &mp, width);
	if (!rc)
		rc = map_legend(o, &mp);
	if (!rc && o->json)
		rc = map_runs(o, &mp);
	if (!rc)
		rc = out_problems(o, &ns->problems);
	if (!rc)
		nvm_health(o, ns, &mp.b);
	map_free(&mp);
	return rc;
}

/* The terminal's width (not $COLUMNS: a piped map keeps its default), or the default. */
static unsigned int map_width(const struct map_opts *mo)
{
	int w;

	if (mo->width)
		return mo->width;
	w = isatty(STDOUT_FILENO) ? out_width() : 0;
	if (w >= MAP_WIDTH_MIN)
		return w <= MAP_WIDTH_MAX ? (unsigned int)w : MAP_WIDTH_MAX;
	return MAP_WIDTH_DEFAULT;
}

/* auto: colour on a terminal when NO_COLOR is not set (whatever its value). */
static int map_color(int when)
{
	if (when != OUT_COLOR_AUTO)
		return when;
	return isatty(STDOUT_FILENO) && !getenv("NO_COLOR") ? OUT_COLOR_ALWAYS : OUT_COLOR_NEVER;
}

static int cmd_map(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct map_opts mo = { .cmd = cmd, .color = OUT_COLOR_AUTO };
	struct bch_nvm_ns **ns;
	unsigned int width;
	struct out o;
	int rc, first, ret;
	size_t n;

	rc = bch_parse(cmd, argc, argv, map_opt, &mo, &first);
	if (rc)
		return rc;
	ret = nvm_load_operands(cmd, argc, argv, first, &ns, &n);
	if (!ns)
		return ret;
	width = map_width(&mo);
	out_init_opts(&o, &mo.out);
	o.color = map_color(mo.color);
	for (size_t i = 0; i < n; i++) {
		int err;

		if (!ns[i])
			continue;
		err = map_one(&o, ns[i], width);
		if (err)
			ret = bch_exit_combine(ret, bch_fail(ns[i]->path, err, "map failed"));
	}
	ret = nvm_problems_status(ns, n, ret, BCH_SEV_ERROR);
	nvm_free_all(ns, n);
	if (out_finish(&o))
		ret = BCH_EXIT_ERROR;
	return ret;
}

const struct bch_cmd bch_cmd_nvm_map = {
	.name = "map", .full = "nvm map",
	.summary = "draw a map of namespaces: metadata, allocations, journal, free space",
	.usage = "DEV...", .opts = map_opts_def, .run = cmd_map,
	.operands = "device",
};
