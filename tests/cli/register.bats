#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# bcache register against a test sysfs root (BCACHE_TEST_SYSFS_ROOT, builds
# with -Dtest_hooks=true): the files a test makes stand in for
# /sys/fs/bcache/register and register_nvdimm_meta, and what the tool
# writes lands in them.  Loop devices stand in for cache and backing
# devices.  Namespaces, the live base and the real kernel module are
# tested in the VM tier (tests/vm/register.bats).

load helpers

setup() {
	need_root
	test_sysfs_root register_nvdimm_meta
}

teardown() { loop_cleanup; }

written() { cat "$ROOT/fs/bcache/$1"; }

# cache_and_backing: loop devices with a cache (64k buckets) and a backing sb
cache_and_backing() {
	cdev=$(loop_attach "$(mkimg cache.img 64M)")
	bdev=$(loop_attach "$(mkimg backing.img 64M)")
	bcache make -C "$cdev" --bucket 64k -B "$bdev" > /dev/null
}

@test "register: cache devices before backing devices, each path written to register" {
	cache_and_backing
	run --separate-stderr bcache register "$bdev" "$cdev"
	assert_success
	assert_equal "$output" "registered $cdev (cache, /sys/fs/bcache/register)
registered $bdev (backing, /sys/fs/bcache/register)"
	# one write per device, the path alone, in that order
	assert_equal "$(written register)" "$cdev$bdev"
	assert_equal "$(written register_nvdimm_meta)" ""
}

@test "register --dry-run checks and writes nothing; --json" {
	cache_and_backing
	run --separate-stderr bcache register -n "$bdev" "$cdev"
	assert_success
	assert_line --index 0 "would register $cdev (cache, /sys/fs/bcache/register)"
	assert_equal "$(written register)" ""
	run --separate-stderr bcache register --json "$bdev"
	assert_success
	assert_equal "$(jq -c '[.devices[] | {device} + .register]' <<< "$output")" \
		"[{\"device\":\"$bdev\",\"type\":\"backing\",\"attribute\":\"register\",\"status\":\"registered\",\"message\":null}]"
	assert_equal "$(written register)" "$bdev"
}

@test "no bcache module: says how to load it (exit 1), writes nothing" {
	cache_and_backing
	rm -r "$ROOT/fs"
	run --separate-stderr bcache register "$cdev"
	assert_equal "$status" $EX_ERROR
	assert_equal "$stderr" "bcache: $ROOT/fs/bcache does not exist: the bcache module is not loaded (load it with 'modprobe bcache')"
}

@test "a cache device with nvdimm_meta and a module without NVDIMM support: refused (3)" {
	cdev=$(loop_attach "$(mkimg cache.img 64M)")
	bcache make -M "$(mkimg ns.img 32M)" -C "$cdev" --bucket 64k > /dev/null
	rm "$ROOT/fs/bcache/register_nvdimm_meta"
	run --separate-stderr bcache register "$cdev"
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $cdev: its journal is on NVDIMM (nvdimm_meta), but the loaded bcache module has no NVDIMM support (no register_nvdimm_meta): the kernel rejects it; refusing"
	assert_equal "$(written register)" ""
}

@test "already registered (bcache holds it): refused (3); nothing written for any device" {
	cache_and_backing
	mkdir -p "$ROOT/dev/block/$(lsblk -dno MAJ:MIN "$bdev" | tr -d ' ')/bcache"
	run --separate-stderr bcache register "$cdev" "$bdev"
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $bdev: already registered with bcache; refusing"
	assert_equal "$(written register)" ""
}

@test "refusals: no superblock (5), an image file (3), a superblock the kernel rejects (3)" {
	empty=$(loop_attach "$(mkimg empty.img 64M)")
	run --separate-stderr bcache register "$empty"
	assert_equal "$status" $EX_NOT_FOUND
	assert_equal "$stderr" "bcache: $empty: no bcache superblock (byte 4120) and no nvm-pages superblock (byte 4128); refusing"
	img=$(mkimg b.img 64M)
	bcache make -B "$img" > /dev/null
	run --separate-stderr bcache register "$img"
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $img: not a block device: the kernel registers block devices only; refusing"
	cache_and_backing
	printf 'X' | dd of="$BATS_TEST_TMPDIR/backing.img" bs=1 seek=$((4096 + 176)) conv=notrunc status=none
	run --separate-stderr bcache register "$cdev" "$bdev"
	assert_equal "$status" $EX_REFUSED
	[[ "$stderr" == "bcache: $bdev: csum is 0x"*"(CSB_CSUM at cache_sb.csum): the kernel would reject it; refusing" ]]
	assert_equal "$(written register)" ""
}

@test "an nvm-pages superblock on a loop device: no DAX, refused (3)" {
	ns=$(loop_attach "$(mkimg ns.img 32M)")
	bcache make -M "$ns" > /dev/null
	run --separate-stderr bcache register "$ns"
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $ns: not a pmem namespace: the v7 kernel maps the nvm-pages namespace through DAX, which only an fsdax namespace has; refusing"
	assert_equal "$(written register_nvdimm_meta)" ""
}

@test "the kernel's EINVAL is explained (exit 1)" {
	cache_and_backing
	# a file of the real kernel that answers EINVAL to a path
	rm "$ROOT/fs/bcache/register"
	ln -s /proc/sys/vm/drop_caches "$ROOT/fs/bcache/register"
	run --separate-stderr bcache register "$bdev"
	assert_equal "$status" $EX_ERROR
	assert_equal "$stderr" "bcache: $bdev: the kernel refused it (EINVAL); its log most likely says 'register_bcache() error ...: REASON', REASON being 'device busy' (another process holds it open exclusively), 'device already registered', or why it rejects the superblock (e.g. 'Unsupported incompatible feature found')"
}

@test "register --scan finds the bcache devices (libblkid) and writes caches first" {
	cache_and_backing
	run --separate-stderr bcache register --scan --json
	# other devices of the machine may be found too (and refused): ours are
	# registered, the cache device before the backing device
	j=$output
	[ "$(jq -r --arg d "$cdev" '.devices[] | select(.device == $d) | .register.status' <<< "$j")" = registered ]
	[ "$(jq -r --arg d "$bdev" '.devices[] | select(.device == $d) | .register.status' <<< "$j")" = registered ]
	w=$(written register)
	[[ "$w" == *"$cdev"* && "$w" == *"$bdev"* ]]
	before=${w%%"$bdev"*}
	[[ "$before" == *"$cdev"* ]]
	# already registered devices are skipped by --scan, not refused
	mkdir -p "$ROOT/dev/block/$(lsblk -dno MAJ:MIN "$cdev" | tr -d ' ')/bcache"
	: > "$ROOT/fs/bcache/register"
	run --separate-stderr bcache register --scan --json
	[ "$(jq -r --arg d "$cdev" '.devices[] | select(.device == $d) | .register.status' <<< "$output")" = "already registered" ]
	[[ "$(written register)" != *"$cdev"* ]]
}

@test "usage: no device, or devices with --scan (2)" {
	run bcache register
	assert_equal "$status" $EX_USAGE
	run bcache register --scan /dev/null
	assert_equal "$status" $EX_USAGE
}

JGEN=${JGEN:-${BCACHE%/*}/../tests/tools/journal-gen}

# journal_cache REV: a loop cache device with a journal the test-only
# writer put in an image namespace (v13: d[] nvmpg offsets; v7: addresses)
journal_cache() {
	ns=$(mkimg ns.img 256M)
	cdev=$(loop_attach "$(mkimg cache.img 64M)")
	bcache make -M "$ns" --revision "$1" -C "$cdev" --bucket 64k --block 512 \
		--cset-uuid 3b7f1e2a-5c4d-4e6f-8a9b-0c1d2e3f4a5b > /dev/null
	"$JGEN" "$ns" "$cdev" --jsets 3 $([ "$1" = v7 ] && echo --stride bytes) > /dev/null
}

@test "a cache device whose d[] are nvmpg offsets: no base check, registered, the posted v13 journal set-up as info" {
	journal_cache v13
	[ "$(xxd -p -s $((4096 + 208)) -l 8 "$cdev")" = 0000000100000000 ]	# d[0] = 16 MiB
	run --separate-stderr bcache register "$cdev"
	assert_success
	assert_equal "$output" "registered $cdev (cache, /sys/fs/bcache/register)"
	assert_equal "$stderr" "bcache: $cdev: info: d[0] is set: an unmodified v13 kernel fails to register this cache device (its journal set-up returns -1, \"cannot allocate memory for journal\"), so it never replays the journal (NVMPG_V13_REPLAY, bcache-nvm-pages(5))"
	assert_equal "$(written register)" "$cdev"
	# the same cache with v7 d[] (kernel addresses): they lie in no namespace
	# this boot maps (no pmem here), so the kernel would read a wild address
	: > "$ROOT/fs/bcache/register"
	journal_cache v7
	run --separate-stderr bcache register "$cdev"
	assert_equal "$status" $EX_REFUSED
	[[ "$stderr" == "bcache: $cdev: "*"journal buckets (d[0] = 0xffff"*"; refusing" ]]
	assert_equal "$(written register)" ""
}
