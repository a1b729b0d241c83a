// SPDX-License-Identifier: GPL-2.0
/*
 * The checks before a device is handed to the kernel's bcache registration
 * (include/bcache/register.h).  They follow what the v7 kernel does:
 * bch_register_namespace() opens the block device, needs DAX with struct
 * pages, rejects a superblock with a bad magic, sb_offset, csum or
 * total_namespaces_nr, and BUGs when owner_list_head is not where it maps
 * the namespace now; a cache device's journal is read from the kernel
 * addresses in its d[].  The nvmpg (v13) revision: the checks of the v13
 * registration, no base, and d[] that are namespace offsets.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <bcache/cache-sb.h>
#include <bcache/media.h>
#include <bcache/nvm-walk.h>
#include <bcache/register.h>
#include <bcache/target.h>

const char *bch_reg_kind_name(enum bch_reg_kind k)
{
	switch (k) {
	case BCH_REG_NAMESPACE:
		return "namespace";
	case BCH_REG_CACHE:
		return "cache";
	case BCH_REG_BACKING:
		return "backing";
	case BCH_REG_NONE:
		break;
	}
	return "none";
}

bool bch_reg_verdict_forcible(enum bch_reg_verdict v)
{
	return v == BCH_REG_BASE_UNKNOWN || v == BCH_REG_JOURNAL_UNKNOWN;
}

/* The first problem of a severity, or NULL. */
static const struct bch_problem *first(const struct bch_problems *ps, enum bch_severity sev,
				       int code)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i].severity >= sev && (code < 0 || ps->v[i].code == (unsigned int)code))
			return &ps->v[i];
	return NULL;
}

static int check_namespace(struct bch_media *m, struct bch_reg_dev *out)
{
	struct bch_pmem_ns pns;
	struct bch_nvm_ns ns;
	const struct bch_problem *p;
	int rc;

	if (m->kind != BCH_MEDIA_BLOCK)
		return (out->verdict = BCH_REG_NOT_BLOCK), 0;
	rc = bch_pmem_find_dev(m->path, &pns);
	if (rc == -ENOMEM)
		return rc;
	if (rc)
		return (out->verdict = BCH_REG_NOT_PMEM), 0;
	if (pns.mode != BCH_NS_FSDAX)
		return (out->verdict = BCH_REG_NOT_FSDAX), 0;
	rc = bch_nvm_load(m, &ns);
	out->nvmpg = !rc && ns.lay->nvmpg_ptrs;
	/* nvmpg offsets do not depend on where this boot maps the namespace */
	if (!rc && !out->nvmpg)
		rc = bch_live_base(m->path, &out->live);
	if (!rc && !out->nvmpg)
		rc = bch_nvm_check_live(&ns, &out->live);
	for (size_t i = 0; !rc && i < ns.problems.n; i++)
		if ((ns.problems.v[i].code == BCH_P_NVMPG_V13_BUG ||
		     ns.problems.v[i].code == BCH_P_NVMPG_V13_REPLAY) && out->nnotes < 2)
			out->notes[out->nnotes++] = ns.problems.v[i];
	if (rc) {
		bch_nvm_ns_free(&ns);
		return rc;
	}
	if (ns.base.owner_list_head_converted)
		out->k_stored = ns.base.owner_list_head - BCH_NVM_PAGES_OWNER_LIST_HEAD_OFFSET;
	if ((p = first(&ns.problems, BCH_SEV_ERROR, BCH_P_BASE_LIVE))) {
		out->verdict = BCH_REG_BASE_LIVE;
		out->problem = *p;
	} else if ((p = first(&ns.problems, BCH_SEV_ERROR, -1))) {
		out->verdict = BCH_REG_PROBLEM;
		out->problem = *p;
	} else if ((p = first(&ns.problems, BCH_SEV_INFO, BCH_P_BASE_LIVE_UNKNOWN))) {
		out->verdict = BCH_REG_BASE_UNKNOWN;
		out->problem = *p;
	}
	bch_nvm_ns_free(&ns);
	return 0;
}

/* Whether every d[b] is an nvmpg offset into this namespace's page area. */
static bool nvmpg_holds(const struct cache_sb_disk *sb, unsigned int keys,
			const struct bch_nvm_sb_info *sbi, uint64_t size)
{
	for (unsigned int b = 0; b < keys; b++) {
		uint64_t off = sb->d[b] & (BCH_NVMPG_OFFSET(1, 0) - 1);

		if (sb->d[b] >> 61 != sbi->sb.this_namespace_nr ||
		    off < BCH_NVM_PAGES_OFFSET || off >= size)
			return false;
	}
	return true;
}

/*
 * Where the namespace of a journal lies: d[] are decoded by the revision of
 * the fsdax namespace they point into.  v7 d[] are addresses: the namespace
 * must be where this boot maps it.  nvmpg d[] are offsets into the
 * namespace their id numbers: nothing depends on the mapping.  out->nvmpg
 * tells which, by the namespace found, else by the form of d[0].
 */
static void journal_base(const struct bch_cache_sb_info *info, unsigned int keys,
			 struct bch_reg_dev *out)
{
	const struct cache_sb_disk *sb = &info->sb;
	struct bch_pmem_list l;
	struct bch_dmap dm = { .reason = BCH_LIVE_NO_DIRECT_MAP };
	bool unknown = false, stale = false, no_dmap;

	out->d0 = sb->d[0];
	out->nvmpg = info->d_nvmpg;
	if (bch_pmem_list(&l)) {
		if (!info->d_nvmpg)
			out->verdict = BCH_REG_JOURNAL_UNKNOWN;
		bch_pmem_list_free(&l);
		return;
	}
	/* without this boot's direct map no v7 address can be placed */
	no_dmap = bch_dmap_read(&dm) != 0;
	for (size_t i = 0; i < l.n; i++) {
		struct bch_live live;
		struct bch_nvm_sb_info sbi;
		struct bch_media *m;
		uint64_t stored = 0, lo, hi = 0;
		bool pg;

		if (l.v[i].mode != BCH_NS_FSDAX || !l.v[i].enabled ||
		    bch_media_open(l.v[i].dev, 0, &m))
			continue;
		if (bch_nvm_sb_read(m, &sbi))
			sbi.revision = BCH_NVM_REV_NONE;
		bch_media_close(m);
		pg = sbi.revision == BCH_NVM_REV_V12;
		if (pg && nvmpg_holds(sb, keys, &sbi, l.v[i].size)) {
			snprintf(out->ns, sizeof(out->ns), "%s", l.v[i].name);
			out->nvmpg = true;
			bch_pmem_list_free(&l);
			return;		/* OK: offsets */
		}
		if (pg)
			continue;
		if (sbi.revision == BCH_NVM_REV_V7 &&
		    sbi.sb.owner_list_head >= BCH_NVM_KERNEL_ADDR_MIN)
			stored = sbi.sb.owner_list_head - BCH_NVM_PAGES_OWNER_LIST_HEAD_OFFSET;
		bch_live_of(&l.v[i], &dm, &live);
		lo = live.reason == BCH_LIVE_OK ? live.k : stored;
		if (lo)
			hi = lo + l.v[i].size;
		if (live.reason != BCH_LIVE_OK)
			unknown = true;
		/* every bucket inside the namespace, as mapped now (or as stored) */
		for (unsigned int b = 0; hi && b < keys; b++)
			if (sb->d[b] < lo || sb->d[b] >= hi)
				hi = 0;
		if (!hi)
			continue;
		snprintf(out->ns, sizeof(out->ns), "%s", l.v[i].name);
		out->nvmpg = false;
		if (live.reason == BCH_LIVE_OK && stored == live.k) {
			bch_pmem_list_free(&l);
			return;		/* OK */
		}
		stale = true;
	}
	bch_pmem_list_free(&l);
	if (out->nvmpg && !stale)
		return;		/* in no namespace here: offsets need no mapping */
	out->verdict = no_dmap || (unknown && !stale) ? BCH_REG_JOURNAL_UNKNOWN :
							BCH_REG_JOURNAL_BASE;
}

/* The posted v13 journal set-up with d[0] set (bcache-nvm-pages(5), NVMPG). */
static int note_v13_replay(struct bch_reg_dev *out)
{
	struct bch_problems ps = { 0 };
	int rc = bch_problem_add(&ps, BCH_P_NVMPG_V13_REPLAY, BCH_CACHE_SB_AT(d), "cache_sb.d", "d[0] is set: an unmodified v13 kernel fails to "
				 "register this cache device (its journal set-up returns -1, "
				 "\"cannot allocate memory for journal\"), so it never replays "
				 "the journal");

	if (!rc && ps.n && out->nnotes < 2)
		out->notes[out->nnotes++] = ps.v[0];
	bch_problems_free(&ps);
	return rc;
}

static int check_bcache(struct bch_media *m, const struct bch_sysfs_bcache *sys,
			const struct bch_cache_sb_info *info, struct bch_reg_dev *out)
{
	struct bch_problems ps = { 0 };
	struct bch_target_use u;
	const struct bch_problem *p;
	int rc;

	out->kind = info->backing ? BCH_REG_BACKING : BCH_REG_CACHE;
	if (m->kind != BCH_MEDIA_BLOCK)
		return (out->verdict = BCH_REG_NOT_BLOCK), 0;
	if (bch_sysfs_bcache_holds(out->rdev))
		return (out->verdict = BCH_REG_REGISTERED), 0;
	if (!bch_target_in_use(m->path, &u) && (u.mounted || u.held || u.bcache)) {
		snprintf(out->holder, sizeof(out->holder), "%s",
			 u.mounted ? u.mountpoint : u.held ? u.holder : "bcache");
		out->verdict = u.bcache ? BCH_REG_REGISTERED : BCH_REG_IN_USE;
		return 0;
	}
	rc = bch_cache_sb_check(info, m->size, m->dio_align, &ps);
	if (rc) {
		bch_problems_free(&ps);
		return rc;
	}
	if ((p = first(&ps, BCH_SEV_ERROR, -1))) {
		out->verdict = BCH_REG_PROBLEM;
		out->problem = *p;
	} else if (info->nvdimm && sys->module && !sys->reg_nvdimm) {
		out->verdict = BCH_REG_NO_NVDIMM;
	} else if (info->nvdimm && info->sb.keys && info->sb.d[0]) {
		journal_base(info, info->sb.keys < SB_JOURNAL_BUCKETS ? info->sb.keys :
			     SB_JOURNAL_BUCKETS, out);
		if (out->nvmpg && out->verdict == BCH_REG_OK)
			rc = note_v13_replay(out);
	}
	bch_problems_free(&ps);
	return rc;
}

int bch_dev_identify(struct bch_media *m, struct bch_dev_sb *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->kind = BCH_REG_NONE;
	rc = bch_nvm_sb_read(m, &out->nvm);
	if (!rc && out->nvm.revision != BCH_NVM_REV_NONE) {
		out->kind = BCH_REG_NAMESPACE;
		return 0;
	}
	if (rc && rc != -ENODATA)
		return rc;
	rc = bch_cache_sb_read(m, &out->cache);
	if (!rc)
		out->kind = out->cache.backing ? BCH_REG_BACKING : BCH_REG_CACHE;
	return rc == -ENODATA ? 0 : rc;
}

int bch_register_check(const char *arg, const struct bch_sysfs_bcache *sys,
		       struct bch_reg_dev *out)
{
	struct bch_dev_sb sb;
	struct bch_media *m;
	struct stat st;
	int rc;

	memset(out, 0, sizeof(*out));
	out->kind = BCH_REG_NONE;
	rc = bch_media_open(arg, 0, &m);
	if (rc)
		return rc;
	snprintf(out->path, sizeof(out->path), "%s", m->path);
	if (!stat(m->path, &st))
		out->rdev = st.st_rdev;
	rc = bch_dev_identify(m, &sb);
	if (!rc && sb.kind == BCH_REG_NAMESPACE) {
		out->kind = BCH_REG_NAMESPACE;
		rc = check_namespace(m, out);
	} else if (!rc && sb.kind == BCH_REG_NONE) {
		out->verdict = BCH_REG_NO_SB;
	} else if (!rc) {
		rc = check_bcache(m, sys, &sb.cache, out);
	}
	bch_media_close(m);
	return rc;
}
