// SPDX-License-Identifier: GPL-2.0
/*
 * The live base K of a namespace (include/bcache/live.h): the physical
 * address of its data start (libndctl, lib/target.c) plus the kernel's
 * direct-map base, read from /proc/kcore (else /proc/kallsyms).  Everything
 * read from those files is bounded and checked: an ELF64 little-endian
 * core file, at most 65535 program headers, reads inside a segment's
 * file size.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bcache/live.h>
#include <bcache/nvm-walk.h>

#define KCORE_PATH	"/proc/kcore"
#define KALLSYMS_PATH	"/proc/kallsyms"
#define DMAP_SYMBOL	"page_offset_base"

/* Below the kernel image (__START_KERNEL_map): the direct map lies here. */
#define KERNEL_IMAGE_START	0xffffffff80000000ULL

#define EHDR_SIZE	64
#define PHDR_SIZE	56
#define PT_LOAD		1
#define PN_XNUM		0xffff

struct phdr {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz;
};

const char *bch_live_reason_text(enum bch_live_reason r)
{
	switch (r) {
	case BCH_LIVE_OK:
		return "";
	case BCH_LIVE_NOT_NAMESPACE:
		return "not a pmem namespace of this system";
	case BCH_LIVE_NOT_FSDAX:
		return "not an fsdax namespace: the v7 kernel maps only fsdax namespaces";
	case BCH_LIVE_NO_PHYS:
		return "the namespace's physical address is unreadable (sysfs resource: "
		       "root only)";
	case BCH_LIVE_NO_KCORE:
		return "/proc/kcore is unreadable (needs root and CAP_SYS_RAWIO; kernel "
		       "lockdown hides it)";
	case BCH_LIVE_NO_DIRECT_MAP:
		return "the kernel's direct-map base is in neither /proc/kcore nor "
		       "/proc/kallsyms";
	case BCH_LIVE_INCONSISTENT:
		return "/proc/kallsyms and /proc/kcore name different direct-map bases";
	}
	return "?";
}

const char *bch_dmap_source_name(enum bch_dmap_source s)
{
	switch (s) {
	case BCH_DMAP_NONE:
		return "none";
	case BCH_DMAP_SYMBOL:
		return DMAP_SYMBOL;
	case BCH_DMAP_KCORE_RAM:
		return "kcore RAM segments";
	}
	return "?";
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n;

	do
		n = pread(fd, buf, len, (off_t)off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EPROTO;
}

/*
 * The program headers of an ELF64 little-endian core file: *out (malloc'd)
 * and their number.  Extended numbering (e_phnum 0xffff) is followed.
 */
static int read_phdrs(int fd, struct phdr **out, size_t *n)
{
	unsigned char eh[EHDR_SIZE], sh[64], ph[PHDR_SIZE];
	uint64_t phoff, shoff;
	size_t num;
	struct phdr *v;
	int rc = pread_full(fd, eh, sizeof(eh), 0);

	*out = NULL;
	*n = 0;
	if (rc)
		return rc;
	if (memcmp(eh, "\177ELF", 4) || eh[4] != 2 || eh[5] != 1 || le16(eh + 16) != 4)
		return -EPROTO;		/* not ELFCLASS64, ELFDATA2LSB, ET_CORE */
	phoff = le64(eh + 32);
	shoff = le64(eh + 40);
	num = le16(eh + 56);
	if (le16(eh + 54) != PHDR_SIZE)
		return -EPROTO;
	if (num == PN_XNUM) {
		if (!shoff || pread_full(fd, sh, sizeof(sh), shoff))
			return -EPROTO;
		num = le32(sh + 44);	/* sh_info of section 0 */
		if (num > 1 << 20)
			return -EPROTO;
	}
	v = calloc(num ? num : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < num; i++) {
		rc = pread_full(fd, ph, sizeof(ph), phoff + i * PHDR_SIZE);
		if (rc) {
			free(v);
			return rc;
		}
		v[i].type = le32(ph);
		v[i].offset = le64(ph + 8);
		v[i].vaddr = le64(ph + 16);
		v[i].paddr = le64(ph + 24);
		v[i].filesz = le64(ph + 32);
	}
	*out = v;
	*n = num;
	return 0;
}

int bch_kcore_read(int kcore_fd, uint64_t vaddr, void *buf, size_t len)
{
	struct phdr *ph;
	size_t n;
	int rc = read_phdrs(kcore_fd, &ph, &n);

	if (rc)
		return rc;
	rc = -ENXIO;
	for (size_t i = 0; i < n; i++) {
		const struct phdr *p = &ph[i];

		if (p->type != PT_LOAD || vaddr < p->vaddr || vaddr - p->vaddr > p->filesz ||
		    len > p->filesz - (vaddr - p->vaddr))
			continue;
		rc = pread_full(kcore_fd, buf, len, p->offset + (vaddr - p->vaddr));
		break;
	}
	free(ph);
	return rc;
}

int bch_kcore_direct_map(int kcore_fd, uint64_t *base)
{
	struct phdr *ph;
	size_t n, found = 0;
	int rc = read_phdrs(kcore_fd, &ph, &n);

	if (rc)
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct phdr *p = &ph[i];

		/* RAM: physical address known, below the kernel image's mapping */
		if (p->type != PT_LOAD || p->paddr == UINT64_MAX || !p->filesz ||
		    p->vaddr >= KERNEL_IMAGE_START || p->vaddr < p->paddr)
			continue;
		if (found++ && *base != p->vaddr - p->paddr)
			rc = -EPROTO;
		*base = p->vaddr - p->paddr;
	}
	free(ph);
	if (!rc && !found)
		rc = -ENOENT;
	return rc;
}

int bch_kallsyms_find(FILE *kallsyms, const char *name, uint64_t *addr)
{
	char line[512];

	while (fgets(line, sizeof(line), kallsyms)) {
		unsigned long long a;
		char type, sym[256];

		if (sscanf(line, "%llx %c %255s", &a, &type, sym) != 3 || strcmp(sym, name))
			continue;
		if (!a)
			return -ENOENT;	/* kptr_restrict hides the addresses */
		*addr = a;
		return 0;
	}
	return -ENOENT;
}

static bool plausible_base(uint64_t b)
{
	return b >= (1ULL << 63) && !(b & 4095) && b < KERNEL_IMAGE_START;
}

/* page_offset_base, read through /proc/kcore; -ENOENT when unknown. */
static int symbol_base(int kcore_fd, FILE *kallsyms, uint64_t *base)
{
	uint64_t addr;
	int rc;

	if (!kallsyms || bch_kallsyms_find(kallsyms, DMAP_SYMBOL, &addr))
		return -ENOENT;
	rc = bch_kcore_read(kcore_fd, addr, base, sizeof(*base));
	if (rc == -ENOMEM)
		return rc;
	return !rc && plausible_base(*base) ? 0 : -ENOENT;
}

int bch_live_direct_map(int kcore_fd, FILE *kallsyms, uint64_t *base,
			enum bch_dmap_source *source)
{
	uint64_t ram = 0, sym = 0;
	int rc, src;

	*source = BCH_DMAP_NONE;
	rc = bch_kcore_direct_map(kcore_fd, &ram);
	if (rc == -ENOMEM)
		return rc;
	if (!rc && plausible_base(ram)) {
		/* the RAM segments: reading kallsyms costs (100,000 lines) */
		*base = ram;
		*source = BCH_DMAP_KCORE_RAM;
		if (!kallsyms)
			return 0;
		src = symbol_base(kcore_fd, kallsyms, &sym);
		if (src == -ENOMEM)
			return src;
		if (!src && sym != ram)
			return -EDOM;
		return 0;
	}
	rc = symbol_base(kcore_fd, kallsyms, &sym);
	if (rc)
		return rc;
	*base = sym;
	*source = BCH_DMAP_SYMBOL;
	return 0;
}

int bch_dmap_read(struct bch_dmap *out)
{
	FILE *ks;
	int fd, rc;

	memset(out, 0, sizeof(*out));
	fd = open(KCORE_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		out->reason = BCH_LIVE_NO_KCORE;
		out->err = errno;
		return 0;
	}
	/* kallsyms only when kcore's RAM segments give no base */
	rc = bch_live_direct_map(fd, NULL, &out->base, &out->source);
	if (rc == -ENOENT || rc == -EPROTO) {
		ks = fopen(KALLSYMS_PATH, "re");
		rc = bch_live_direct_map(fd, ks, &out->base, &out->source);
		if (ks)
			fclose(ks);
	}
	close(fd);
	switch (rc) {
	case 0:
		out->reason = BCH_LIVE_OK;
		return 0;
	case -ENOMEM:
		return rc;
	case -EDOM:
		out->reason = BCH_LIVE_INCONSISTENT;
		return 0;
	case -EPROTO:
	case -ENOENT:
		out->reason = BCH_LIVE_NO_DIRECT_MAP;
		out->err = -rc;
		return 0;
	default:	/* reading /proc/kcore failed */
		out->reason = BCH_LIVE_NO_KCORE;
		out->err = -rc;
		return 0;
	}
}

void bch_live_of(const struct bch_pmem_ns *ns, const struct bch_dmap *dm,
		 struct bch_live *out)
{
	memset(out, 0, sizeof(*out));
	out->ns = *ns;
	if (ns->mode != BCH_NS_FSDAX) {
		out->reason = BCH_LIVE_NOT_FSDAX;
	} else if (!ns->phys) {
		out->reason = BCH_LIVE_NO_PHYS;
		out->err = EACCES;
	} else if (dm->reason != BCH_LIVE_OK) {
		out->reason = dm->reason;
		out->err = dm->err;
	} else {
		out->reason = BCH_LIVE_OK;
		out->direct_map = dm->base;
		out->source = dm->source;
		out->k = dm->base + ns->phys;
	}
}

int bch_live_base(const char *path, struct bch_live *out)
{
	struct bch_pmem_ns ns;
	struct bch_dmap dm = { .reason = BCH_LIVE_NO_DIRECT_MAP };
	int rc;

	memset(out, 0, sizeof(*out));
	rc = bch_pmem_find_dev(path, &ns);
	if (rc == -ENOMEM)
		return rc;
	if (rc) {
		out->reason = BCH_LIVE_NOT_NAMESPACE;
		return 0;
	}
	/* the kernel's files are read only when the namespace can use them */
	if (ns.mode == BCH_NS_FSDAX && ns.phys) {
		rc = bch_dmap_read(&dm);
		if (rc)
			return rc;
	}
	bch_live_of(&ns, &dm, out);
	return 0;
}

#define OLH_AT (BCH_NVM_PAGES_SB_OFFSET + offsetof(struct bch_nvm_pages_sb, owner_list_head))

int bch_nvm_check_live(struct bch_nvm_ns *ns, const struct bch_live *live)
{
	const struct bch_nvm_base *b = &ns->base;

	/* what the kernel compares: owner_list_head, once converted */
	if (live->reason == BCH_LIVE_NOT_NAMESPACE || live->reason == BCH_LIVE_NOT_FSDAX ||
	    !b->owner_list_head_converted || ns->sbi.revision != BCH_NVM_REV_V7)
		return 0;
	if (live->reason != BCH_LIVE_OK)
		return bch_problem_add(&ns->problems, BCH_P_BASE_LIVE_UNKNOWN, OLH_AT,
				       "sb.owner_list_head", "stored base K = 0x%llx; %s",
				       (unsigned long long)b->k,
				       bch_live_reason_text(live->reason));
	if (b->k == live->k)
		return 0;
	return bch_problem_add(&ns->problems, BCH_P_BASE_LIVE, OLH_AT, "sb.owner_list_head",
			       "stored base K = 0x%llx, but this boot maps the namespace at "
			       "0x%llx: registering it hits the kernel's BUG_ON (see nvm rebase)",
			       (unsigned long long)b->k, (unsigned long long)live->k);
}
