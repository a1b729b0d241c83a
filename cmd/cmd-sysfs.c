// SPDX-License-Identifier: GPL-2.0
/*
 * bcache-tools' commands that drive the kernel's bcache through sysfs:
 * tree, unregister, attach, detach, set-label, set-cachemode.  Each reads
 * the device's superblock and its sysfs state first (lib/devices.c) and
 * writes nothing when the device is of the wrong type or state; a write the
 * kernel refuses is reported with the kernel's new log lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include <bcache/cache-sb.h>
#include <bcache/devices.h>
#include <bcache/fields.h>
#include <bcache/sysfs.h>

#include "cmd.h"
#include "output.h"

/*
 * The device of operand arg, which must be of kind want (BCH_REG_NONE:
 * cache or backing) and registered with bcache; an exit code.
 */
static int target(const char *arg, enum bch_reg_kind want, const char *why,
		  struct bch_sys_dev *d)
{
	int rc = bch_sys_dev_get(arg, d);

	if (rc == -ENODATA) {
		bch_err("%s: no bcache superblock (no bcache magic at byte 4120)", arg);
		return BCH_EXIT_NOT_FOUND;
	}
	if (rc)
		return bch_open_error(arg, rc);
	if (d->kind == BCH_REG_NAMESPACE ||
	    (want != BCH_REG_NONE && d->kind != want)) {
		bch_err("%s: a %s, but %s; refusing", arg,
			d->kind == BCH_REG_NAMESPACE ? "nvm-pages namespace" :
			d->kind == BCH_REG_CACHE ? "cache device" : "backing device", why);
		return BCH_EXIT_REFUSED;
	}
	if (!d->rdev) {
		bch_err("%s: not a block device: the kernel's bcache registers block devices "
			"only", arg);
		return BCH_EXIT_REFUSED;
	}
	if (!d->registered) {
		bch_err("%s: not registered with bcache (no %s/dev/block/%u:%u/bcache); "
			"register it first ('bcache register %s')", arg, bch_sysfs_root(),
			major(d->rdev), minor(d->rdev), arg);
		return BCH_EXIT_ERROR;
	}
	return BCH_EXIT_OK;
}

/* What was written where: text one line, JSON one row of the command's table. */
OUT_CATALOGUE(BCH_COLS_SYSFS, SY, sysfs_cols);
OUT_CATALOGUE(BCH_COLS_SYSTREE, ST, tree_cols);

static void report(struct out *o, const struct bch_cmd *cmd, const char *dev,
		   const char *attr, const char *value, const char *text)
{
	struct out_table *t;

	if (!o->json) {
		printf("%s\n", text);
		return;
	}
	out_device(o, dev);
	t = out_table(o, cmd->name, sysfs_cols, SY_NCOLS, NULL, 0, OUT_T_OBJECT);
	if (!t)
		return;
	out_line(t, 0);
	out_str(t, SY_ATTRIBUTE, attr);
	out_str(t, SY_VALUE, value);
	out_emit(t);
}

/*
 * Write value to the device's attribute (set: to the cache set's); on
 * failure say what the kernel answered and print its new log lines.
 * Returns an exit code.
 */
static int write_explained(const struct bch_sys_dev *d, const char *set, const char *attr,
			   const char *value, char *path, size_t len)
{
	struct bch_kmsg k;
	char line[1024];
	int err, n;

	if (set)
		snprintf(path, len, "%s/fs/bcache/%s/%s", bch_sysfs_root(), set, attr);
	else
		bch_sysfs_dev_path(d->rdev, attr, path, len);
	bch_kmsg_open(&k);
	err = set ? bch_sysfs_set_write(set, attr, value) :
		    bch_sysfs_dev_write(d->rdev, attr, value);
	if (err) {
		bch_err("%s: writing '%s' to %s failed: %s%s", d->path, value, path,
			strerror(-err), err == -EINVAL ? " (the kernel refused it; its log "
			"says why)" : "");
		while ((n = bch_kmsg_next(&k, line, sizeof(line))) > 0)
			bch_err("kernel: %s", line);
	}
	bch_kmsg_close(&k);
	return err ? BCH_EXIT_ERROR : BCH_EXIT_OK;
}

/* Parse --json and exactly n operands; an exit code, -1 for --help. */
static int parse_n(const struct bch_cmd *cmd, int argc, char **argv, int n, bool *json,
		   int *first)
{
	int rc = bch_parse(cmd, argc, argv, bch_json_opt, json, first);

	if (rc)
		return rc;
	if (n >= 0 && argc - *first != n)
		return bch_usage_error(cmd, "%s", argc - *first < n ? "missing operand" :
				       "too many operands");
	if (n < 0 && argc - *first < 1)
		return bch_usage_error(cmd, "no device given");
	return 0;
}

static int finish(struct out *o, int ret)
{
	if (out_finish(o) && !ret)
		ret = BCH_EXIT_ERROR;
	return ret;
}

static int cmd_unregister(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct bch_sys_dev d;
	char path[4096], text[PATH_MAX + 128];
	bool json = false;
	struct out o;
	int first, rc = parse_n(cmd, argc, argv, -1, &json, &first), ret = BCH_EXIT_OK;

	if (rc)
		return rc;
	out_init(&o, json);
	for (int i = first; i < argc && !ret; i++) {
		rc = bch_sys_dev_get(argv[i], &d);
		if (!rc && d.kind == BCH_REG_NAMESPACE) {
			bch_err("%s: an nvm-pages namespace: the kernel has no attribute to "
				"unregister one (it is released when the bcache module is "
				"unloaded)", argv[i]);
			ret = BCH_EXIT_REFUSED;
			break;
		}
		ret = target(argv[i], BCH_REG_NONE, "", &d);
		if (ret)
			break;
		if (d.kind == BCH_REG_BACKING) {
			ret = write_explained(&d, NULL, "stop", "1", path, sizeof(path));
			snprintf(text, sizeof(text), "stopped %s%s%s%s", d.path,
				 d.bname[0] ? " (" : "", d.bname, d.bname[0] ? ")" : "");
		} else {
			const char *set = d.attached[0] ? d.attached : d.set_uuid;

			ret = write_explained(&d, set, "unregister", "1", path, sizeof(path));
			snprintf(text, sizeof(text), "unregistered %s (cache set %s)", d.path, set);
		}
		if (!ret)
			report(&o, cmd, d.path, path, "1", text);
	}
	return finish(&o, ret);
}

static int cmd_attach(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct bch_sys_dev d, c;
	uint8_t raw[16];
	char set[37], path[4096], text[PATH_MAX + 128];
	bool json = false;
	struct out o;
	int first, rc = parse_n(cmd, argc, argv, 2, &json, &first);

	if (rc)
		return rc;
	if (!bch_uuid_parse(argv[first], raw)) {
		bch_uuid_format(raw, set);
	} else {
		rc = target(argv[first], BCH_REG_CACHE, "attach needs a cache set uuid or a "
			    "cache device", &c);
		if (rc)
			return rc;
		snprintf(set, sizeof(set), "%s", c.attached[0] ? c.attached : c.set_uuid);
	}
	rc = target(argv[first + 1], BCH_REG_BACKING, "only a backing device attaches to "
		    "a cache set", &d);
	if (rc)
		return rc;
	if (d.attached[0]) {
		bch_err("%s: attached to cache set %s already; detach it first ('bcache "
			"detach %s')", argv[first + 1], d.attached, argv[first + 1]);
		return BCH_EXIT_REFUSED;
	}
	if (!bch_sysfs_set_exists(set)) {
		bch_err("%s: no cache set %s runs (no %s/fs/bcache/%s); register its cache "
			"device first", argv[first + 1], set, bch_sysfs_root(), set);
		return BCH_EXIT_ERROR;
	}
	out_init(&o, json);
	rc = write_explained(&d, NULL, "attach", set, path, sizeof(path));
	snprintf(text, sizeof(text), "attached %s to cache set %s", d.path, set);
	if (!rc)
		report(&o, cmd, d.path, path, set, text);
	return finish(&o, rc);
}

static int cmd_detach(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct bch_sys_dev d;
	char path[4096], text[PATH_MAX + 128];
	bool json = false;
	struct out o;
	int first, rc = parse_n(cmd, argc, argv, 1, &json, &first);

	if (rc)
		return rc;
	rc = target(argv[first], BCH_REG_BACKING, "only a backing device detaches from a "
		    "cache set", &d);
	if (rc)
		return rc;
	if (!d.attached[0]) {
		bch_err("%s: not attached to a cache set; nothing to detach", argv[first]);
		return BCH_EXIT_REFUSED;
	}
	out_init(&o, json);
	rc = write_explained(&d, NULL, "detach", "1", path, sizeof(path));
	snprintf(text, sizeof(text), "detached %s from cache set %s", d.path, d.attached);
	if (!rc)
		report(&o, cmd, d.path, path, "1", text);
	return finish(&o, rc);
}

static int cmd_set_label(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct bch_sys_dev d;
	char path[4096], text[PATH_MAX + 128];
	bool json = false;
	struct out o;
	int first, rc = parse_n(cmd, argc, argv, 2, &json, &first);
	const char *label;

	if (rc)
		return rc;
	label = argv[first + 1];
	if (strlen(label) > SB_LABEL_SIZE)
		return bch_usage_error(cmd, "the label is longer than %d bytes", SB_LABEL_SIZE);
	if (strchr(label, '\n'))
		return bch_usage_error(cmd, "the label has a newline");
	rc = target(argv[first], BCH_REG_BACKING, "the kernel sets the label of backing "
		    "devices only", &d);
	if (rc)
		return rc;
	out_init(&o, json);
	/* the kernel stores it in the superblock */
	rc = write_explained(&d, NULL, "label", label, path, sizeof(path));
	snprintf(text, sizeof(text), "label of %s set to '%s'", d.path, label);
	if (!rc)
		report(&o, cmd, d.path, path, label, text);
	return finish(&o, rc);
}

static int cmd_set_cachemode(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct bch_sys_dev d;
	char path[4096], text[PATH_MAX + 128];
	bool json = false;
	struct out o;
	int first, mode, rc = parse_n(cmd, argc, argv, 2, &json, &first);

	if (rc)
		return rc;
	mode = bch_cache_mode_parse(argv[first + 1]);
	if (mode < 0)
		return bch_usage_error(cmd, "unknown cache mode '%s' (writethrough, writeback, "
				       "writearound or none)", argv[first + 1]);
	rc = target(argv[first], BCH_REG_BACKING, "a cache mode is a backing device's", &d);
	if (rc)
		return rc;
	out_init(&o, json);
	/* the kernel stores it in the superblock */
	rc = write_explained(&d, NULL, "cache_mode", bch_cache_mode_name((unsigned int)mode),
			     path, sizeof(path));
	snprintf(text, sizeof(text), "cache mode of %s set to %s", d.path,
		 bch_cache_mode_name((unsigned int)mode));
	if (!rc)
		report(&o, cmd, d.path, path, bch_cache_mode_name((unsigned int)mode), text);
	return finish(&o, rc);
}

/* One line of the tree (depth 0: a cache device, 1: what belongs to it). */
static int tree_line(struct out_table *t, int depth, const struct bch_sys_dev *d)
{
	int rc = out_line(t, depth);

	out_str(t, ST_DEVICE, d->path);
	out_str(t, ST_TYPE, bch_reg_kind_name(d->kind));
	out_str(t, ST_BNAME, d->bname);
	out_str(t, ST_STATE, d->state);
	out_str(t, ST_SET_UUID, d->kind == BCH_REG_BACKING ? d->attached : d->set_uuid);
	return rc;
}

/*
 * bcache tree: every running cache set as its cache device, with the
 * namespaces of the same set uuid (where a v7 set keeps its journal) and
 * the backing devices attached to it, with their bcacheN.
 */
static int cmd_tree(const struct bch_cmd *cmd, int argc, char **argv)
{
	struct bch_sys_dev *v;
	struct out_table *t;
	bool json = false;
	struct out o;
	size_t n;
	int first, ns_err, rc = parse_n(cmd, argc, argv, 0, &json, &first);

	if (rc)
		return rc;
	rc = bch_sys_devs_scan(&v, &n, false, &ns_err);
	if (rc) {
		bch_err("cannot list devices: %s", strerror(-rc));
		return BCH_EXIT_ERROR;
	}
	out_init(&o, json);
	t = out_table(&o, "tree", tree_cols, ST_NCOLS, NULL, 0, OUT_T_TREE | OUT_T_NOTITLE);
	if (!t) {
		free(v);
		return BCH_EXIT_ERROR;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		const char *set;

		if (v[i].kind != BCH_REG_CACHE || strcmp(v[i].state, "active"))
			continue;
		set = v[i].attached[0] ? v[i].attached : v[i].set_uuid;
		rc = tree_line(t, 0, &v[i]);
		for (size_t j = 0; j < n && !rc; j++)
			if (v[j].kind == BCH_REG_NAMESPACE && !strcmp(v[j].set_uuid, set))
				rc = tree_line(t, 1, &v[j]);
		for (size_t j = 0; j < n && !rc; j++)
			if (v[j].kind == BCH_REG_BACKING && !strcmp(v[j].attached, set))
				rc = tree_line(t, 1, &v[j]);
	}
	free(v);
	if (rc)
		out_table_free(t);
	else
		rc = out_emit(t);
	return finish(&o, rc ? BCH_EXIT_ERROR : BCH_EXIT_OK);
}

const struct bch_cmd bch_cmd_tree = {
	.name = "tree", .full = "tree",
	.summary = "show the running cache sets with their devices and bcacheN",
	.usage = "", .opts = bch_json_opts, .run = cmd_tree,
};

const struct bch_cmd bch_cmd_unregister = {
	.name = "unregister", .full = "unregister",
	.summary = "unregister cache devices (their set) and stop backing devices",
	.usage = "DEV...", .opts = bch_json_opts, .run = cmd_unregister,
	.operands = "device",
};

const struct bch_cmd bch_cmd_attach = {
	.name = "attach", .full = "attach",
	.summary = "attach a backing device to a cache set",
	.usage = "CSET_UUID|CACHEDEV BDEV", .opts = bch_json_opts, .run = cmd_attach,
	.operands = "device",
};

const struct bch_cmd bch_cmd_detach = {
	.name = "detach", .full = "detach",
	.summary = "detach a backing device from its cache set",
	.usage = "BDEV", .opts = bch_json_opts, .run = cmd_detach,
	.operands = "device",
};

const struct bch_cmd bch_cmd_set_label = {
	.name = "set-label", .full = "set-label",
	.summary = "set the label of a registered backing device",
	.usage = "BDEV LABEL", .opts = bch_json_opts, .run = cmd_set_label,
	.operands = "device",
};

const struct bch_cmd bch_cmd_set_cachemode = {
	.name = "set-cachemode", .full = "set-cachemode",
	.summary = "set the cache mode of a registered backing device",
	.usage = "BDEV MODE", .opts = bch_json_opts, .run = cmd_set_cachemode,
	.operands = "device",
};
