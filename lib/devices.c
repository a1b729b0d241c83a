// SPDX-License-Identifier: GPL-2.0
/*
 * The bcache devices of the system and their state in sysfs
 * (include/bcache/devices.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bcache/cache-sb.h>
#include <bcache/devices.h>
#include <bcache/fields.h>
#include <bcache/media.h>
#include <bcache/nvm.h>
#include <bcache/probe.h>
#include <bcache/sysfs.h>
#include <bcache/target.h>

/* What sysfs says of a cache or backing device. */
static void sysfs_state(struct bch_sys_dev *d)
{
	char buf[sizeof(d->state)];

	if (d->kind == BCH_REG_NAMESPACE) {
		snprintf(d->state, sizeof(d->state), "unknown");
		return;
	}
	snprintf(d->state, sizeof(d->state), "inactive");
	if (!d->rdev || !bch_sysfs_bcache_holds(d->rdev))
		return;
	d->registered = true;
	if (d->kind == BCH_REG_CACHE) {
		if (bch_sysfs_dev_link(d->rdev, "set", d->attached, sizeof(d->attached)))
			d->attached[0] = '\0';
		if (bch_sysfs_set_exists(d->attached[0] ? d->attached : d->set_uuid))
			snprintf(d->state, sizeof(d->state), "active");
		return;
	}
	if (!bch_sysfs_dev_read(d->rdev, "state", buf, sizeof(buf)))
		snprintf(d->state, sizeof(d->state), "%s", buf);
	d->running = !bch_sysfs_dev_read(d->rdev, "running", buf, sizeof(buf)) &&
		     buf[0] == '1';
	if (bch_sysfs_dev_link(d->rdev, "dev", d->bname, sizeof(d->bname)))
		d->bname[0] = '\0';
	if (bch_sysfs_dev_link(d->rdev, "cache", d->attached, sizeof(d->attached)))
		d->attached[0] = '\0';
}

int bch_sys_dev_read(struct bch_media *m, dev_t rdev, struct bch_sys_dev *out)
{
	struct bch_dev_sb sb;
	int rc;

	memset(out, 0, sizeof(*out));
	out->kind = BCH_REG_NONE;
	out->rdev = rdev;
	snprintf(out->path, sizeof(out->path), "%s", m->path);
	rc = bch_dev_identify(m, &sb);
	if (rc)
		return rc;
	out->kind = sb.kind;
	if (sb.kind == BCH_REG_NAMESPACE) {
		out->version = sb.nvm.sb.version;
		out->csum_ok = sb.nvm.csum_ok;
		bch_uuid_format(sb.nvm.sb.uuid, out->uuid);
		bch_uuid_format(sb.nvm.sb.set_uuid, out->set_uuid);
	} else if (sb.kind != BCH_REG_NONE) {
		out->version = sb.cache.sb.version;
		out->csum_ok = sb.cache.csum_ok;
		bch_uuid_format(sb.cache.sb.uuid, out->uuid);
		bch_uuid_format(sb.cache.sb.set_uuid, out->set_uuid);
		bch_label_format(sb.cache.sb.label, SB_LABEL_SIZE, out->label, sizeof(out->label));
	} else {
		return -ENODATA;
	}
	sysfs_state(out);
	return 0;
}

int bch_sys_dev_get(const char *arg, struct bch_sys_dev *out)
{
	struct bch_pmem_ns ns;
	struct bch_media *m;
	struct stat st;
	dev_t rdev = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->kind = BCH_REG_NONE;
	rc = bch_media_open(arg, 0, &m);
	if (rc)
		return rc;
	if (!stat(m->path, &st) && S_ISBLK(st.st_mode))
		rdev = st.st_rdev;
	rc = bch_sys_dev_read(m, rdev, out);
	if (!rc && !bch_pmem_find_dev(m->path, &ns))
		snprintf(out->ns, sizeof(out->ns), "%s", ns.name);
	bch_media_close(m);
	return rc;
}

static int add(struct bch_sys_dev **v, size_t *n, const char *path)
{
	struct bch_sys_dev d, *nv;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].path, path))
			return 0;
	if (bch_sys_dev_get(path, &d))
		return 0;	/* gone, unreadable, or no superblock after all */
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = d;
	return 0;
}

int bch_sys_devs_scan(struct bch_sys_dev **v, size_t *n, bool fsdax_only, int *ns_err)
{
	struct bch_pmem_list l = { 0 };
	struct bch_devlist b;
	int rc;

	*v = NULL;
	*n = 0;
	*ns_err = bch_pmem_list(&l);
	for (size_t i = 0; !*ns_err && i < l.n; i++) {
		const struct bch_pmem_ns *ns = &l.v[i];

		if (!ns->enabled || !ns->dev[0] || (ns->mode != BCH_NS_FSDAX &&
		    (fsdax_only || ns->mode != BCH_NS_DEVDAX)))
			continue;
		rc = add(v, n, ns->dev);
		if (rc)
			goto fail;
	}
	bch_pmem_list_free(&l);
	rc = bch_probe_bcache_devices(&b);
	for (size_t i = 0; !rc && i < b.n; i++)
		rc = add(v, n, b.v[i]);
	if (!rc)
		bch_devlist_free(&b);
	if (!rc)
		return 0;
fail:
	bch_pmem_list_free(&l);
	free(*v);
	*v = NULL;
	*n = 0;
	return rc;
}
