// SPDX-License-Identifier: GPL-2.0
/*
 * nvm-gen: test-only state generator for nvm-pages namespaces formatted by
 * `bcache make -M [--revision v13]`.  It reproduces what the v7 or the v13
 * kernel does to the media (bcache-nvm-pages(5), POINTERS, BUDDY,
 * ALLOCATION, NVMPG) and corrupts fields by name, so every test fixture is
 * made by code.  The revision comes from the superblock.  Not installed.
 *
 *   nvm-gen IMG attach K                 first registration with base K (v7;
 *                                        nvmpg: nothing, v13 writes nothing)
 *   nvm-gen IMG alloc ORDER UUID [N]     N allocations; prints each page
 *   nvm-gen IMG free PAGE ORDER UUID     free the allocation at PAGE
 *   nvm-gen IMG bulk RECORDS ORDER UUID  RECORDS allocations written directly
 *                                        (same placement as alloc, fast)
 *   nvm-gen IMG set STRUCT FIELD VALUE   set a field; sb: csum recomputed
 *   nvm-gen IMG corrupt STRUCT FIELD VALUE   the same, csum left alone
 *   nvm-gen IMG poke OFFSET U64          store a u64 at a byte offset
 *   nvm-gen IMG rec SLOT K U64           store record k of a slot
 *   nvm-gen IMG rec-at SLOT K PAGE ORDER  store a record for a namespace page
 *   nvm-gen IMG -                        the commands on standard input, one
 *                                        a line, as if run one by one (one
 *                                        process for a whole test state)
 *
 * STRUCT is sb, owner_list (set_header), head N or slot N; FIELD a name of
 * the revision's field catalogues (include/bcache/fields.h); VALUE an
 * integer, a UUID or hex bytes for byte fields.  Exit 0, or 1 with a
 * message.  nvmpg records carry the namespace's ns_id; v13 frees clear the
 * whole record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <bcache/fields.h>
#include <bcache/media.h>
#include <bcache/nvm-buddy.h>
#include <bcache/nvm-walk.h>

#define META BCH_NVM_PAGES_OFFSET
#define OLH_OFF BCH_NVM_PAGES_OWNER_LIST_HEAD_OFFSET
#define SYS_OFF BCH_NVM_PAGES_SYS_RECS_HEAD_OFFSET

struct gen {
	const struct bch_nvm_layout *lay;
	unsigned int ns_id;		/* nvmpg: this_ns */
	struct bch_media *m;
	unsigned char *meta;	/* the metadata area, mapped shared */
	size_t len;
	uint64_t k;			/* base; 0 when FRESH */
	struct bch_nvm_alloc *ext;	/* allocations sorted by page */
	size_t next, capext;
	struct bch_nvm_pgalloc_recs *hint;	/* last page written, and its head */
	int hint_head;
	uint32_t hint_k;			/* records before it are in use */
};

static int die(const char *fmt, const char *arg)
{
	fprintf(stderr, "nvm-gen: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t num(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || !*s)
		die("bad number '%s'", s);
	return v;
}

static struct bch_nvm_pages_sb *sb_of(struct gen *g)
{
	return (void *)(g->meta + BCH_NVM_PAGES_SB_OFFSET);
}

static struct bch_owner_list_head *olh_of(struct gen *g)
{
	return (void *)(g->meta + OLH_OFF);
}

static struct bch_nvm_pgalloc_recs *slot_of(struct gen *g, int s)
{
	return (void *)(g->meta + BCH_NVM_SLOT_OFFSET(s));
}

/* Head i by the revision's layout: its uuid, state and recs[] */
static unsigned char *head_of(struct gen *g, int i)
{
	return g->meta + bch_nvm_lay_head_offset(g->lay, i);
}

static __u64 *head_recs(struct gen *g, int i)
{
	return (void *)(head_of(g, i) + g->lay->head_recs_at);
}

static uint32_t *head_state(struct gen *g, int i)
{
	return g->lay->head_state_at < 0 ? NULL : (void *)(head_of(g, i) + g->lay->head_state_at);
}

/* A namespace offset as stored: v7 K + off (off when FRESH), nvmpg OFFSET(ns, off). */
static uint64_t media_ptr(struct gen *g, uint64_t off)
{
	return g->lay->nvmpg_ptrs ? BCH_NVMPG_OFFSET(g->ns_id, off) : g->k + off;
}

/* The record of a namespace page. */
static uint64_t rec_of(struct gen *g, uint64_t page, unsigned int order)
{
	return bch_rec_make((g->k >> 12) + page, order) |
	       (uint64_t)g->ns_id << g->lay->rec_ns_id_shift;
}

/*
 * State as a fresh process sees it: the base from the superblock, no
 * allocations loaded, no hint.
 */
static void gen_reset(struct gen *g)
{
	struct bch_nvm_sb_info sbi;

	free(g->ext);
	g->ext = NULL;
	g->next = g->capext = 0;
	g->hint = NULL;
	g->k = 0;
	bch_nvm_sb_parse(sb_of(g), &sbi);
	g->lay = sbi.lay;
	g->ns_id = g->lay->nvmpg_ptrs ? sbi.sb.this_namespace_nr & 7 : 0;
	if (!g->lay->nvmpg_ptrs && sb_of(g)->owner_list_head >= BCH_NVM_KERNEL_ADDR_MIN)
		g->k = sb_of(g)->owner_list_head - OLH_OFF;
}

/*
 * The metadata area is mapped shared: changes are in the page cache at
 * once, so the library's reads (load_extents) and the next command see
 * them, and only the pages written are dirtied.
 */
static void gen_open(struct gen *g, const char *path)
{
	int rc = bch_media_open(path, BCH_MEDIA_WRITE, &g->m);

	if (rc)
		die("cannot open %s", path);
	g->len = g->m->size < META ? g->m->size : META;
	g->meta = mmap(NULL, g->len, PROT_READ | PROT_WRITE, MAP_SHARED, g->m->fd, 0);
	if (g->meta == MAP_FAILED)
		die("cannot map %s", path);
	gen_reset(g);
}

static void gen_close(struct gen *g)
{
	if (msync(g->meta, g->len, MS_SYNC) || bch_media_persist(g->m))
		die("flush failed on %s", g->m->path);
	munmap(g->meta, g->len);
	bch_media_close(g->m);
	free(g->ext);
}

/* ---- first registration (POINTERS, first attach) ---- */

static int cmd_attach(struct gen *g, uint64_t k)
{
	struct bch_nvm_pages_sb *sb = sb_of(g);
	uint64_t ow = k + OLH_OFF + 40;

	if (g->lay->nvmpg_ptrs)
		return 0;	/* v13 registration writes nothing */
	if (sb->owner_list_head != OLH_OFF)
		die("%s: owner_list_head is not 8192 (already attached?)", g->m->path);
	sb->owner_list_head = k + OLH_OFF;
	olh_of(g)->heads[0].recs[0] = k + SYS_OFF;
	if (bch_nvm_sb_update_csum(sb))
		die("%s: cannot recompute the csum", g->m->path);
	memcpy(g->meta + SYS_OFF, &ow, 8);
	g->k = k;
	return 0;
}

/* ---- allocations known so far, sorted by page ---- */

static void load_extents(struct gen *g)
{
	struct bch_nvm_ns ns;
	int rc;

	rc = bch_nvm_load(g->m, &ns);
	if (rc)
		die("%s: cannot load the namespace", g->m->path);
	free(g->ext);
	g->ext = ns.allocs;
	g->next = ns.nallocs;
	g->capext = ns.allocs_cap;
	ns.allocs = NULL;
	bch_nvm_ns_free(&ns);
}

static void ext_insert(struct gen *g, uint64_t page, unsigned int order)
{
	size_t i = g->next;

	if (g->next == g->capext) {
		g->capext = g->capext ? 2 * g->capext : 64;
		g->ext = realloc(g->ext, g->capext * sizeof(*g->ext));
		if (!g->ext)
			die("%s", "out of memory");
	}
	while (i > 0 && g->ext[i - 1].page > page) {
		g->ext[i] = g->ext[i - 1];
		i--;
	}
	g->ext[i] = (struct bch_nvm_alloc){ .page = page, .order = (uint8_t)order,
					    .valid = true, .marked = true };
	g->next++;
}

static void build_buddy(struct gen *g, struct bch_nvm_buddy *b)
{
	const struct bch_nvm_pages_sb *sb = sb_of(g);

	if (bch_nvm_buddy_build(g->ext, g->next, sb->pages_offset / sb->page_size,
				sb->pages_total, true, b))
		die("%s", "out of memory");
}

/* ---- owner heads and record pages (ALLOCATION steps 1, 3, 4) ---- */

static uint64_t off_of(struct gen *g, uint64_t ptr)
{
	if (g->lay->nvmpg_ptrs)
		return BCH_NVMPG_GET_OFFSET(ptr);
	return ptr >= BCH_NVM_KERNEL_ADDR_MIN ? ptr - g->k : ptr;
}

/*
 * v7 looks at heads [0, used); v13 at heads [0, size) in state ALLOC, and
 * makes heads[used] (zeroed, state ALLOC, the uuid) when none matches.
 */
static int find_head(struct gen *g, const uint8_t uuid[16], bool create)
{
	struct bch_owner_list_head *t = olh_of(g);
	uint32_t n = g->lay->nvmpg_ptrs ? t->size : t->used;
	uint32_t max = (uint32_t)g->lay->max_heads;

	for (uint32_t i = 0; i < n && i < max; i++)
		if (!memcmp(head_of(g, (int)i), uuid, 16) &&
		    (!head_state(g, (int)i) || *head_state(g, (int)i) == BCH_NVMPG_HD_STAT_ALLOC))
			return (int)i;
	if (!create)
		return -1;
	if (t->used >= t->size || t->used >= max)
		die("%s: owner table full (v7 BUGs, v13 fails the allocation)", g->m->path);
	memset(head_of(g, (int)t->used), 0, g->lay->head_size);
	memcpy(head_of(g, (int)t->used), uuid, 16);
	if (head_state(g, (int)t->used))
		*head_state(g, (int)t->used) = BCH_NVMPG_HD_STAT_ALLOC;
	return (int)t->used++;
}

/* Slots linked from any chain of heads [0, used): the kernel's slot bitmap. */
static void linked_slots(struct gen *g, bool *used)
{
	struct bch_owner_list_head *t = olh_of(g);

	memset(used, 0, BCH_MAX_PGALLOC_RECS * sizeof(*used));
	for (uint32_t i = 0; i < t->used && i < (uint32_t)g->lay->max_heads; i++)
		for (int j = 0; j < BCH_NVM_PAGES_NAMESPACES_MAX; j++) {
			uint64_t p = head_recs(g, (int)i)[j];

			for (uint32_t n = 0; p && n < g->lay->max_slots; n++) {
				int s = bch_nvm_lay_slot_of(g->lay, off_of(g, p));

				if (s < 0 || used[s])
					break;
				used[s] = true;
				p = slot_of(g, s)->next;
			}
		}
}

static int new_record_page(struct gen *g, int head, __u64 *link)
{
	bool used[BCH_MAX_PGALLOC_RECS];
	struct bch_nvm_pgalloc_recs *p;
	const uint8_t magic[16] = BCH_NVM_PAGES_PGALLOC_MAGIC_BYTES;
	int s = 0;

	linked_slots(g, used);
	while ((uint32_t)s < g->lay->max_slots && used[s])
		s++;
	if ((uint32_t)s == g->lay->max_slots || BCH_NVM_SLOT_OFFSET(s + 1) > g->len)
		die("%s: all record-page slots in use (the kernel oopses here)", g->m->path);
	p = slot_of(g, s);
	if (g->lay->nvmpg_ptrs) {	/* v13 zeroes the slot and copies whole */
		memset(p, 0, sizeof(*p));
		memcpy(p->magic, magic, 16);
		memcpy(p->owner_uuid, head_of(g, head), 16);
	} else {
		bch_nvm_strncpy16(p->magic, magic);
		bch_nvm_strncpy16(p->owner_uuid, head_of(g, head));
	}
	p->next = 0;
	p->owner = media_ptr(g, bch_nvm_lay_head_offset(g->lay, head));
	p->size = BCH_MAX_RECS;
	p->used = 0;
	*link = media_ptr(g, BCH_NVM_SLOT_OFFSET(s));
	return s;
}

/* First page of the chain with room, or a new one linked at the end. */
static struct bch_nvm_pgalloc_recs *page_with_room(struct gen *g, int head)
{
	uint32_t nsnr = sb_of(g)->this_namespace_nr;
	__u64 *link = &head_recs(g, head)[nsnr];
	int s;

	/* every page before the hint was full when it was passed */
	if (g->hint && g->hint_head == head && g->hint->used < g->hint->size)
		return g->hint;

	for (uint32_t n = 0; *link && n < g->lay->max_slots; n++) {
		struct bch_nvm_pgalloc_recs *p;

		s = bch_nvm_lay_slot_of(g->lay, off_of(g, *link));
		if (s < 0)
			die("%s: chain leaves the slot area", g->m->path);
		p = slot_of(g, s);
		if (p->used < p->size)
			return p;
		link = &p->next;
	}
	s = new_record_page(g, head, link);
	return slot_of(g, s);
}

static void add_record(struct gen *g, int head, uint64_t page, unsigned int order)
{
	struct bch_nvm_pgalloc_recs *p = page_with_room(g, head);
	uint32_t k = p == g->hint ? g->hint_k : 0;

	for (; k < p->size && k < BCH_MAX_RECS; k++)
		if (!bch_rec_pgoff(p->recs[k].v)) {
			p->recs[k].v = rec_of(g, page, order);
			p->used++;
			g->hint = p;
			g->hint_head = head;
			g->hint_k = k + 1;
			return;
		}
	die("%s: no free record (the kernel BUGs here)", g->m->path);
}

static void parse_uuid(const char *s, uint8_t u[16])
{
	if (bch_uuid_parse(s, u))
		die("bad uuid '%s'", s);
}

static void need_attached(struct gen *g)
{
	if (!g->k && !g->lay->nvmpg_ptrs)
		die("%s: not attached (run 'attach K' first)", g->m->path);
}

static int cmd_alloc(struct gen *g, unsigned int order, const char *owner, uint64_t count)
{
	uint8_t uuid[16];

	need_attached(g);
	parse_uuid(owner, uuid);
	load_extents(g);
	for (uint64_t i = 0; i < count; i++) {
		struct bch_nvm_buddy b;
		uint64_t page;
		int head = find_head(g, uuid, true);
		int rc;

		build_buddy(g, &b);
		rc = bch_nvm_buddy_pick(&b, order, &page);
		bch_nvm_buddy_free(&b);
		if (rc)
			die("%s: no free block for the order", g->m->path);
		add_record(g, head, page, order);
		ext_insert(g, page, order);
		printf("%llu\n", (unsigned long long)page);
	}
	return 0;
}

/* ---- free (ALLOCATION, freeing) ---- */

static int cmd_free(struct gen *g, uint64_t page, unsigned int order, const char *owner)
{
	uint32_t nsnr = sb_of(g)->this_namespace_nr;
	uint64_t want = (g->k >> 12) + page;
	__u64 *link;
	uint8_t uuid[16];
	int head;

	need_attached(g);
	parse_uuid(owner, uuid);
	head = find_head(g, uuid, false);
	if (head < 0)
		die("%s: no such owner", owner);
	link = &head_recs(g, head)[nsnr];
	for (uint32_t n = 0; *link && n < g->lay->max_slots; n++) {
		int s = bch_nvm_lay_slot_of(g->lay, off_of(g, *link));
		struct bch_nvm_pgalloc_recs *p = s < 0 ? NULL : slot_of(g, s);

		if (!p)
			break;
		for (uint32_t k = 0; k < p->size && k < BCH_MAX_RECS; k++) {
			if (bch_rec_pgoff(p->recs[k].v) != want)
				continue;
			if (bch_rec_order(p->recs[k].v) != order)
				fprintf(stderr, "nvm-gen: warning: order differs\n");
			if (g->lay->nvmpg_ptrs)
				p->recs[k].v = 0;	/* v13: _v = 0 */
			else
				p->recs[k].v &= ~(BCH_PGALLOC_REC_PGOFF_MASK |
						  (BCH_PGALLOC_REC_ORDER_MASK <<
						   BCH_PGALLOC_REC_ORDER_SHIFT));
			if (--p->used == 0) {
				*link = p->next;
				p->next = p->owner = 0;
			}
			return 0;
		}
		link = &p->next;
	}
	return die("page %s: no record", "");
}

/* ---- bulk: allocations written directly, in the placement order ---- */

static int cmd_bulk(struct gen *g, uint64_t records, unsigned int order, const char *owner)
{
	struct bch_nvm_buddy b;
	uint8_t uuid[16];
	uint64_t done = 0;
	int head;

	need_attached(g);
	parse_uuid(owner, uuid);
	load_extents(g);
	build_buddy(g, &b);
	head = find_head(g, uuid, true);
	/*
	 * Taking blocks in free-list order and carving each from its start is
	 * what repeated allocations of one order do: the rest of a split block
	 * is always on a lower list than any untouched block (BUDDY).
	 */
	for (size_t i = 0; i < b.n && done < records; i++) {
		const struct bch_free_block *f = &b.v[i];

		if (f->order < order)
			continue;
		for (uint64_t c = f->count; c-- > 0 && done < records;) {
			uint64_t s = f->page + (c << f->order);
			uint64_t n = 1ULL << (f->order - order);

			for (uint64_t j = 0; j < n && done < records; j++, done++)
				add_record(g, head, s + (j << order), order);
		}
	}
	bch_nvm_buddy_free(&b);
	if (done < records)
		die("%s: namespace full", g->m->path);
	printf("%llu\n", (unsigned long long)done);
	return 0;
}

/* ---- corruption by field name ---- */

static void parse_bytes(const char *s, unsigned char *out, uint32_t n)
{
	if (strlen(s) != 2 * (size_t)n)
		die("'%s': wrong number of hex digits", s);
	for (uint32_t i = 0; i < n; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			die("bad hex '%s'", s);
		out[i] = (unsigned char)v;
	}
}

static int set_field(struct gen *g, char **argv, int argc, bool fix)
{
	const struct bch_struct_desc *d;
	const struct bch_field *f;
	unsigned char *base;
	const char *field, *value;

	if (!strcmp(argv[0], "sb")) {
		d = g->lay->sb_desc;
		base = g->meta + BCH_NVM_PAGES_SB_OFFSET;
	} else if (!strcmp(argv[0], "owner_list") || !strcmp(argv[0], "set_header")) {
		d = g->lay->table_desc;
		base = g->meta + OLH_OFF;
	} else if (!strcmp(argv[0], "head") && argc > 3) {
		d = g->lay->head_desc;
		base = head_of(g, (int)(num(argv[1]) % (uint64_t)g->lay->max_heads));
		argv++;
		argc--;
	} else if (!strcmp(argv[0], "slot") && argc > 3) {
		d = g->lay->recs_desc;
		base = g->meta + BCH_NVM_SLOT_OFFSET(num(argv[1]) % (uint64_t)g->lay->max_slots);
		argv++;
		argc--;
	} else {
		return die("unknown structure '%s'", argv[0]);
	}
	if (argc != 3)
		die("%s", "usage: set|corrupt STRUCT [N] FIELD VALUE");
	field = argv[1];
	value = argv[2];
	f = bch_field_find(d, field);
	if (!f)
		die("unknown field '%s'", field);
	if (f->kind == BCH_FK_UUID)
		parse_uuid(value, base + f->offset);
	else if (f->kind == BCH_FK_MAGIC || f->kind == BCH_FK_PAD || f->kind == BCH_FK_LABEL)
		parse_bytes(value, base + f->offset, f->size);
	else if (bch_field_set_uint(f, base, num(value)))
		die("field '%s' is not an integer", field);
	if (fix && d == g->lay->sb_desc) {
		uint64_t csum;

		/* honours keys, like the kernel: [8, 232 + 8 * keys) of the page */
		if (bch_nvm_sb_csum(base, 4096, &csum))
			die("%s", "cannot recompute the csum (keys too large)");
		sb_of(g)->csum = csum;
	}
	return 0;
}

static int poke(struct gen *g, uint64_t off, uint64_t v)
{
	if (off + 8 > g->len)
		die("offset %s outside the metadata area", "");
	memcpy(g->meta + off, &v, 8);
	return 0;
}

static uint64_t rec_off(uint64_t slot, uint64_t k)
{
	if (slot >= BCH_MAX_PGALLOC_RECS || k >= BCH_MAX_RECS)
		die("%s", "slot or record index out of range");
	return BCH_NVM_SLOT_OFFSET(slot) + BCH_NVM_PAGES_RECS_HDR_SIZE + 8 * k;
}

static int run(struct gen *g, int argc, char **argv)
{
	const char *c = argv[0];

	if (!strcmp(c, "attach") && argc == 2)
		return cmd_attach(g, num(argv[1]));
	if (!strcmp(c, "alloc") && (argc == 3 || argc == 4))
		return cmd_alloc(g, (unsigned int)num(argv[1]), argv[2],
				 argc == 4 ? num(argv[3]) : 1);
	if (!strcmp(c, "free") && argc == 4)
		return cmd_free(g, num(argv[1]), (unsigned int)num(argv[2]), argv[3]);
	if (!strcmp(c, "bulk") && argc == 4)
		return cmd_bulk(g, num(argv[1]), (unsigned int)num(argv[2]), argv[3]);
	if ((!strcmp(c, "set") || !strcmp(c, "corrupt")) && argc >= 4)
		return set_field(g, argv + 1, argc - 1, !strcmp(c, "set"));
	if (!strcmp(c, "poke") && argc == 3)
		return poke(g, num(argv[1]), num(argv[2]));
	if (!strcmp(c, "rec") && argc == 4)
		return poke(g, rec_off(num(argv[1]), num(argv[2])), num(argv[3]));
	if (!strcmp(c, "rec-at") && argc == 5)
		return poke(g, rec_off(num(argv[1]), num(argv[2])),
			    rec_of(g, num(argv[3]), (unsigned int)num(argv[4])));
	return die("unknown command or wrong arguments: %s", c);
}

/* Commands from standard input, one a line, each from a fresh state. */
static void run_stdin(struct gen *g)
{
	char line[4096], *argv[16], *save;
	int argc;

	while (fgets(line, sizeof(line), stdin)) {
		argc = 0;
		for (char *t = strtok_r(line, " \t\n", &save); t && argc < 16;
		     t = strtok_r(NULL, " \t\n", &save))
			argv[argc++] = t;
		if (!argc)
			continue;
		gen_reset(g);
		run(g, argc, argv);
	}
}

int main(int argc, char **argv)
{
	struct gen g = { 0 };

	if (argc < 3) {
		fprintf(stderr, "usage: nvm-gen IMG COMMAND ARGS... | IMG - (see the source)\n");
		return 1;
	}
	gen_open(&g, argv[1]);
	if (argc == 3 && !strcmp(argv[2], "-"))
		run_stdin(&g);
	else
		run(&g, argc - 2, argv + 2);
	gen_close(&g);
	return 0;
}
