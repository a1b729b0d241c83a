// SPDX-License-Identifier: GPL-2.0
/*
 * The pieces of the live base (lib/live.c) against hand-built core files
 * shaped like /proc/kcore: the kernel image segment, RAM segments of the
 * direct map (vaddr = paddr + base), vmalloc-like segments without a
 * physical address, page_offset_base in the image, kallsyms text.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bcache/live.h>

#include "tap.h"

#define BASE		0xff32b02e00000000ULL
#define TEXT_VA		0xffffffffa6200000ULL
#define TEXT_PA		0x15000000ULL
#define SYM_VA		(TEXT_VA + 0x1000)
#define NO_PADDR	UINT64_MAX

struct seg {
	uint64_t vaddr, paddr, size;
};

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/*
 * A core file with the segments given (file data of each: size bytes, the
 * byte at i holding (i & 0xff) ^ index); page_offset_base = sym_val in the
 * first segment when it is the image.  xnum: extended numbering.
 */
static int make_core(const struct seg *s, int n, uint64_t sym_val, int xnum)
{
	int fd = memfd_create("kcore", 0);
	size_t hdr = 64 + 64 + 56 * (size_t)n, off = hdr;
	unsigned char *h = calloc(1, hdr);

	memcpy(h, "\177ELF", 4);
	h[4] = 2;	/* ELFCLASS64 */
	h[5] = 1;	/* little endian */
	h[6] = 1;
	put16(h + 16, 4);	/* ET_CORE */
	put16(h + 18, 62);	/* x86-64 */
	put64(h + 32, 128);	/* e_phoff */
	put64(h + 40, xnum ? 64 : 0);	/* e_shoff: section 0 right after */
	put16(h + 52, 64);
	put16(h + 54, 56);
	put16(h + 56, xnum ? 0xffff : (uint16_t)n);
	put16(h + 58, 64);
	put16(h + 60, xnum ? 1 : 0);
	if (xnum)
		put32(h + 64 + 44, (uint32_t)n);	/* sh_info */
	for (int i = 0; i < n; i++) {
		unsigned char *p = h + 128 + 56 * i;

		put32(p, 1);	/* PT_LOAD */
		put32(p + 4, 7);
		put64(p + 8, off);
		put64(p + 16, s[i].vaddr);
		put64(p + 24, s[i].paddr);
		put64(p + 32, s[i].size);
		put64(p + 40, s[i].size);
		off += s[i].size;
	}
	if (write(fd, h, hdr) != (ssize_t)hdr)
		return -1;
	off = hdr;
	for (int i = 0; i < n; i++) {
		unsigned char *d = malloc(s[i].size);

		for (uint64_t b = 0; b < s[i].size; b++)
			d[b] = (unsigned char)((b & 0xff) ^ i);
		if (s[i].vaddr == TEXT_VA)
			put64(d + (SYM_VA - TEXT_VA), sym_val);
		if (pwrite(fd, d, s[i].size, (off_t)off) != (ssize_t)s[i].size)
			return -1;
		off += s[i].size;
		free(d);
	}
	free(h);
	return fd;
}

static const struct seg kcore_like[] = {
	{ TEXT_VA, TEXT_PA, 0x4000 },
	{ 0xff556703c0000000ULL, NO_PADDR, 0x1000 },	/* vmalloc */
	{ BASE + 0x1000, 0x1000, 0x2000 },		/* RAM */
	{ 0xfffc848800000000ULL, NO_PADDR, 0x1000 },	/* vmemmap */
	{ BASE + 0x100000, 0x100000, 0x3000 },		/* RAM */
};
#define NSEG (int)(sizeof(kcore_like) / sizeof(kcore_like[0]))

static FILE *kallsyms(const char *text)
{
	return fmemopen((void *)text, strlen(text), "r");
}

static const char *syms =
	"ffffffffa6200000 T _text\n"
	"ffffffffa6201000 D page_offset_base\n"
	"ffffffffa6201008 D vmalloc_base\n";

static void test_read(void)
{
	int fd = make_core(kcore_like, NSEG, BASE, 0);
	unsigned char b[4];
	uint64_t v = 0;

	ok(bch_kcore_read(fd, SYM_VA, &v, 8) == 0, "read page_offset_base from the image");
	is_u64(v, BASE, "its value");
	ok(bch_kcore_read(fd, BASE + 0x1000 + 0x10, b, 4) == 0 && b[0] == (0x10 ^ 2) &&
	   b[3] == (0x13 ^ 2), "read RAM at a direct-map address: the segment's bytes");
	ok(bch_kcore_read(fd, BASE + 0x2ffe, b, 4) == -ENXIO,
	   "a read across a segment's end: -ENXIO");
	ok(bch_kcore_read(fd, BASE + 0x200000000ULL, b, 4) == -ENXIO,
	   "an address no segment holds (pmem is no RAM segment): -ENXIO");
	close(fd);
}

static void test_direct_map(void)
{
	struct seg bad[NSEG];
	uint64_t base = 0;
	enum bch_dmap_source src;
	FILE *ks;
	int fd;

	fd = make_core(kcore_like, NSEG, BASE, 0);
	ok(bch_kcore_direct_map(fd, &base) == 0, "RAM segments give a base");
	is_u64(base, BASE, "vaddr - paddr of the RAM segments (the image is left out)");
	ks = kallsyms(syms);
	ok(bch_live_direct_map(fd, ks, &base, &src) == 0 && src == BCH_DMAP_KCORE_RAM,
	   "both methods agree: the RAM segments are the source, checked by the symbol");
	is_u64(base, BASE, "the base");
	fclose(ks);
	ks = kallsyms("0000000000000000 D page_offset_base\n");
	ok(bch_live_direct_map(fd, ks, &base, &src) == 0 && src == BCH_DMAP_KCORE_RAM,
	   "kptr_restrict hides the symbol (address 0): the RAM segments are used");
	fclose(ks);
	ok(bch_live_direct_map(fd, NULL, &base, &src) == 0 && src == BCH_DMAP_KCORE_RAM,
	   "no kallsyms: the RAM segments");
	close(fd);

	fd = make_core(kcore_like, NSEG, BASE + (1ULL << 30), 0);
	ks = kallsyms(syms);
	ok(bch_live_direct_map(fd, ks, &base, &src) == -EDOM,
	   "page_offset_base and the RAM segments disagree: -EDOM");
	fclose(ks);
	close(fd);

	memcpy(bad, kcore_like, sizeof(bad));
	bad[4].paddr += 4096;	/* a second RAM segment with another offset */
	fd = make_core(bad, NSEG, BASE, 0);
	ok(bch_kcore_direct_map(fd, &base) == -EPROTO, "RAM segments that disagree: -EPROTO");
	ks = kallsyms(syms);
	ok(bch_live_direct_map(fd, ks, &base, &src) == 0 && src == BCH_DMAP_SYMBOL &&
	   base == BASE, "then the symbol alone");
	fclose(ks);
	close(fd);

	fd = make_core(kcore_like, 2, BASE, 0);	/* the image and vmalloc only */
	ok(bch_kcore_direct_map(fd, &base) == -ENOENT, "no RAM segment: -ENOENT");
	ok(bch_live_direct_map(fd, NULL, &base, &src) == -ENOENT && src == BCH_DMAP_NONE,
	   "and no symbol: no base");
	close(fd);

	fd = make_core(kcore_like, NSEG, BASE, 1);
	ok(bch_kcore_direct_map(fd, &base) == 0 && base == BASE,
	   "extended program header numbering (e_phnum 0xffff)");
	close(fd);

	fd = memfd_create("notelf", 0);
	ok(write(fd, "not an ELF file, just text........................................"
		 "...........", 76) == 76, "a file that is no core");
	ok(bch_kcore_direct_map(fd, &base) == -EPROTO, "is refused: -EPROTO");
	close(fd);
}

static void test_kallsyms(void)
{
	uint64_t a = 0;
	FILE *ks = kallsyms(syms);

	ok(bch_kallsyms_find(ks, "vmalloc_base", &a) == 0 && a == SYM_VA + 8,
	   "kallsyms: a symbol's address");
	fclose(ks);
	ks = kallsyms(syms);
	ok(bch_kallsyms_find(ks, "page_offset", &a) == -ENOENT,
	   "kallsyms: a prefix of a name is no match");
	fclose(ks);
}

int main(void)
{
	test_read();
	test_direct_map();
	test_kallsyms();
	return tap_done();
}
