// SPDX-License-Identifier: GPL-2.0
/*
 * The checks before a device is handed to the kernel's bcache registration
 * (include/bcache/register.h).  They follow what the v7 kernel does:
 * bch_register_namespace() opens the block device, needs DAX with struct
 * pages, rejects a superblock with a bad magic, sb_offset, csum or
 * total_namespaces_nr, and BUGs when owner_list_head is not where it maps
 * the namespace now; a cache device's journal is read from the kernel
 * addresses in its d[].
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

/* Where the namespace of a journal lies, as stored and as mapped now. */
static void journal_base(const struct cache_sb_disk *sb, unsigned int keys, struct bch_reg_dev *out)
{
	struct bch_pmem_list l;
	struct bch_dmap dm = { .reason = BCH_LIVE_NO_DIRECT_MAP };
	bool unknown = false, stale = false;

	out->d0 = sb->d[0];
	if (bch_pmem_list(&l) || bch_dmap_read(&dm)) {
		out->verdict = BCH_REG_JOURNAL_UNKNOWN;
		bch_pmem_list_free(&l);
		return;
	}
	for (size_t i = 0; i < l.n; i++) {
		struct bch_live live;
		struct bch_nvm_sb_info sbi;
		struct bch_media *m;
		uint64_t stored = 0, lo, hi = 0;

		if (l.v[i].mode != BCH_NS_FSDAX || !l.v[i].enabled ||
		    bch_media_open(l.v[i].dev, 0, &m))
			continue;
		if (!bch_nvm_sb_read(m, &sbi) && sbi.revision == BCH_NVM_REV_V7 &&
		    sbi.sb.owner_list_head >= BCH_NVM_KERNEL_ADDR_MIN)
			stored = sbi.sb.owner_list_head - BCH_NVM_PAGES_OWNER_LIST_HEAD_OFFSET;
		bch_media_close(m);
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
		if (live.reason == BCH_LIVE_OK && stored == live.k) {
			bch_pmem_list_free(&l);
			return;		/* OK */
		}
		stale = true;
	}
	bch_pmem_list_free(&l);
	out->verdict = unknown && !stale ? BCH_REG_JOURNAL_UNKNOWN : BCH_REG_JOURNAL_BASE;
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
	} else if (info->nvdimm && info->sb.keys && info->sb.d[0] && !info->d_nvmpg) {
		/* v7 d[] are addresses of this boot's mapping; nvmpg d[] are offsets */
		journal_base(&info->sb, info->sb.keys < SB_JOURNAL_BUCKETS ? info->sb.keys :
			     SB_JOURNAL_BUCKETS, out);
	}
	bch_problems_free(&ps);
	return 0;
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
