#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# bcache register in the VM: the kernel's own (stock) bcache module, which
# has no NVDIMM support, and a test sysfs root (BCACHE_TEST_SYSFS_ROOT) that
# stands in for a v7 module's register_nvdimm_meta, with real namespaces and
# this boot's live base.

load helpers

NVM_GEN=$(dirname "$BCACHE")/../tests/tools/nvm-gen
OTHER_K=0xff11000000000000

setup_file() {
	modprobe bcache
	modprobe loop
	read -r OWN_NS OWN_DEV < <(own_ns_create fsdax)
	export OWN_NS OWN_DEV
	# builds without test hooks ignore BCACHE_TEST_SYSFS_ROOT
	mkdir -p "$BATS_FILE_TMPDIR/none"
	if BCACHE_TEST_SYSFS_ROOT="$BATS_FILE_TMPDIR/none" "$BCACHE" register --scan --dry-run \
		2>&1 | grep -q "$BATS_FILE_TMPDIR/none/fs/bcache does not exist"; then
		export HOOKS=1
	fi
}

teardown_file() { own_ns_destroy "$OWN_NS"; }

setup() {
	ROOT=$BATS_TEST_TMPDIR/sys
	mkdir -p "$ROOT/fs/bcache"
	: > "$ROOT/fs/bcache/register"
	: > "$ROOT/fs/bcache/register_nvdimm_meta"
}

teardown() {
	for s in /sys/block/bcache*/bcache/stop; do [ -e "$s" ] && echo 1 > "$s"; done
	for u in /sys/fs/bcache/*-*-*-*-*/unregister; do [ -e "$u" ] && echo 1 > "$u"; done
	sleep 1
	loop_cleanup
}

gen() { "$NVM_GEN" "$@"; }

# test_root CMD...: run with the test sysfs root (skip without test hooks)
test_root() {
	BCACHE_TEST_SYSFS_ROOT=$ROOT "$@"
}

need_hooks() {
	[ -n "${HOOKS:-}" ] || skip "built without -Dtest_hooks=true"
}

@test "register: the stock module has no register_nvdimm_meta: a clear error (exit 1)" {
	dev=$OWN_DEV
	"$BCACHE" make -M "$dev" --force > /dev/null
	[ -e /sys/fs/bcache/register ] && [ ! -e /sys/fs/bcache/register_nvdimm_meta ]
	run --separate-stderr "$BCACHE" register "$dev"
	assert_equal "$status" $EX_ERROR
	assert_equal "$stderr" "bcache: $dev: /sys/fs/bcache/register_nvdimm_meta does not exist: the loaded bcache module was built without NVDIMM support (the v7 NVDIMM patches, CONFIG_BCACHE_NVM_PAGES); an nvm-pages namespace cannot be registered"
	# by its name too
	run --separate-stderr "$BCACHE" register "$OWN_NS"
	assert_equal "$status" $EX_ERROR
}

@test "register: a namespace at this boot's base (or fresh) goes to register_nvdimm_meta; at another base it is refused (3)" {
	need_hooks
	dev=$OWN_DEV
	live=$(ns_field_by_name "$OWN_NS" live_base)
	"$BCACHE" make -M "$dev" --force > /dev/null
	run --separate-stderr test_root "$BCACHE" register "$OWN_NS"
	assert_success
	assert_output "registered $dev (namespace, /sys/fs/bcache/register_nvdimm_meta)"
	[ "$(cat "$ROOT/fs/bcache/register_nvdimm_meta")" = "$dev" ]
	gen "$dev" attach "$live"
	: > "$ROOT/fs/bcache/register_nvdimm_meta"
	run --separate-stderr test_root "$BCACHE" register "$dev"
	assert_success
	[ "$(cat "$ROOT/fs/bcache/register_nvdimm_meta")" = "$dev" ]
	"$BCACHE" make -M "$dev" --force > /dev/null
	gen "$dev" attach $OTHER_K
	: > "$ROOT/fs/bcache/register_nvdimm_meta"
	run --separate-stderr test_root "$BCACHE" register "$dev"
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $dev: stored base K = $OTHER_K, but this boot maps it at $live: registering it would crash the kernel (BUG_ON in bch_register_namespace); run 'bcache nvm rebase $dev --base live' first; refusing"
	[ "$(cat "$ROOT/fs/bcache/register_nvdimm_meta")" = "" ]
	# after the rebase it registers
	"$BCACHE" nvm rebase "$dev" --base live > /dev/null
	run --separate-stderr test_root "$BCACHE" register "$dev"
	assert_success
}

@test "register: an nvmpg (v13) namespace goes to register_nvdimm_meta without a base check, with the posted v13 code's defects as info" {
	need_hooks
	dev=$OWN_DEV
	"$BCACHE" make -M "$dev" --force --revision v13 > /dev/null
	run --separate-stderr test_root "$BCACHE" register "$dev"
	assert_success
	assert_output "registered $dev (namespace, /sys/fs/bcache/register_nvdimm_meta)"
	[ "$(cat "$ROOT/fs/bcache/register_nvdimm_meta")" = "$dev" ]
	[[ "$stderr" == *"bcache: $dev: info: an unmodified v13 kernel cannot replay a journal kept here once the cache device's d[0] is set (\"cannot allocate memory for journal\") (NVMPG_V13_REPLAY, bcache-nvm-pages(5))"* ]]
	[[ "$stderr" == *"bcache: $dev: info: an unmodified v13 kernel "*"(NVMPG_V13_BUG, bcache-nvm-pages(5))"* ]]
	# nvm check reads it back with O_DIRECT: the same two infos, exit 0
	run "$BCACHE" nvm check --json "$dev"
	assert_success
	assert_equal "$(jq -r '[.devices[0].problems[].code] | sort | join(",")' <<< "$output")" \
		NVMPG_V13_BUG,NVMPG_V13_REPLAY
	"$BCACHE" make -M "$dev" --force > /dev/null
}

@test "register: a cache device's d[] decoded by the revision of the namespace they point into (nvmpg namespace 4: d[] >= 2^63)" {
	need_hooks
	dev=$OWN_DEV
	"$BCACHE" make -M "$dev" --force --revision v13 > /dev/null
	# namespace number 4: its offsets carry id 4, so d[] have bit 63 set,
	# the form of a v7 kernel address
	printf '%s\n' "poke 4104 $(( (4 << 61) | 4096 ))" "poke 4168 4" \
		"poke 4312 $(( (4 << 61) | 8192 ))" "set sb total_ns 1" | gen "$dev" -
	cdev=$(loop_attach "$(mkimg cache.img 64M)")
	"$BCACHE" make -M "$(mkimg scratch.img 32M)" --revision v13 -C "$cdev" --bucket 64k \
		--block 512 > /dev/null
	gen_out=$("$(dirname "$BCACHE")/../tests/tools/journal-gen" "$dev" "$cdev" --jsets 3 --print)
	d0=$(sed -n 's/^region .* d0=\(0x[0-9a-f]*\) .*/\1/p' <<< "$gen_out")
	# d[0] as stored: namespace 4's offset of the region (top bits 100)
	[ "$(od -An -tx8 -j $((4096 + 208)) -N8 "$cdev" | tr -d ' \n')" = "${d0#0x}" ]
	[ $(( (d0 >> 61) & 7 )) = 4 ]
	run --separate-stderr test_root "$BCACHE" register "$cdev"
	assert_success
	assert_output "registered $cdev (cache, /sys/fs/bcache/register)"
	[[ "$stderr" == "bcache: $cdev: info: d[0] is set: an unmodified v13 kernel fails to register this cache device"*"(NVMPG_V13_REPLAY, bcache-nvm-pages(5))" ]]
	[ "$(cat "$ROOT/fs/bcache/register")" = "$cdev" ]
	# the namespace made v7 again: the same d[] are v7 addresses no
	# namespace holds as this boot maps it: refused
	: > "$ROOT/fs/bcache/register"
	"$BCACHE" make -M "$dev" --force > /dev/null
	run --separate-stderr test_root "$BCACHE" register "$cdev"
	assert_equal "$status" $EX_REFUSED
	[[ "$stderr" == "bcache: $cdev: "*"journal buckets (d[0] = $d0)"*"; refusing" ]]
	[ "$(cat "$ROOT/fs/bcache/register")" = "" ]
}

@test "register: a namespace whose superblock the kernel rejects, raw and devdax namespaces: refused (3)" {
	need_hooks
	dev=$OWN_DEV
	"$BCACHE" make -M "$dev" --force > /dev/null
	gen "$dev" corrupt sb pages_total 1
	run --separate-stderr test_root "$BCACHE" register "$dev"
	assert_equal "$status" $EX_REFUSED
	[[ "$stderr" == "bcache: $dev: csum is 0x"*"(SB_CSUM at sb.csum): the kernel would reject it; refusing" ]]
	# the same namespace as raw and as devdax (then back to fsdax)
	read -r _ raw < <(own_ns_mode "$OWN_NS" raw)
	"$BCACHE" make -M "$raw" --force > /dev/null
	run --separate-stderr test_root "$BCACHE" register "$raw"
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $raw: a raw namespace has no DAX on this kernel; the v7 kernel needs an fsdax namespace with struct pages (ndctl create-namespace -m fsdax --map=mem); refusing"
	read -r _ dax < <(own_ns_mode "$OWN_NS" devdax)
	"$BCACHE" make -M "$dax" --force > /dev/null
	run --separate-stderr test_root "$BCACHE" register "$dax"
	assert_equal "$status" $EX_REFUSED
	[[ "$stderr" == "bcache: $dax: not a block device: the kernel registers fsdax namespaces"* ]]
	[ "$(cat "$ROOT/fs/bcache/register_nvdimm_meta")" = "" ]
	read -r _ dev < <(own_ns_mode "$OWN_NS" fsdax)
	[ "$dev" = "$OWN_DEV" ]
}

@test "register: make -C/-B devices through the kernel's bcache module; again: already registered (3)" {
	cdev=$(loop_attach "$(mkimg cache.img 64M)")
	bdev=$(loop_attach "$(mkimg backing.img 64M)")
	"$BCACHE" make -C "$cdev" --bucket 64k -B "$bdev" --cset-uuid 01234567-89ab-cdef-fedc-ba9876543210 > /dev/null
	run --separate-stderr "$BCACHE" register "$bdev" "$cdev"
	assert_success
	assert_equal "$output" "registered $cdev (cache, /sys/fs/bcache/register)
registered $bdev (backing, /sys/fs/bcache/register)"
	[ -d /sys/fs/bcache/01234567-89ab-cdef-fedc-ba9876543210 ]
	bcd=$(basename "$(ls -d /sys/block/bcache*)")
	[ "$(cat "/sys/block/$bcd/bcache/state")" = clean ]	# attached to the set
	run --separate-stderr "$BCACHE" register "$cdev"
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $cdev: already registered with bcache; refusing"
}

@test "register: a cache device of 512 buckets: the kernel's EPERM explained, with its log line" {
	cdev=$(loop_attach "$(mkimg cache.img 64M)")
	# 64 MiB in 128 KiB buckets, less the first: the kernel wants more than 512
	"$BCACHE" make -C "$cdev" --bucket 128k > /dev/null
	run --separate-stderr "$BCACHE" register "$cdev"
	assert_equal "$status" $EX_ERROR
	[[ "$stderr" == "bcache: $cdev: the kernel refused it (EPERM); its log most likely says 'cache_alloc() error ...: ca->sb.nbuckets is too small'"* ]]
	grep -qE '^bcache: kernel: bcache: cache_alloc\(\) error .*: ca->sb.nbuckets is too small$' <<< "$stderr"
}

@test "register: a device another process holds exclusively: the kernel's EINVAL and its log lines" {
	bdev=$(loop_attach "$(mkimg backing.img 64M)")
	"$BCACHE" make -B "$bdev" > /dev/null
	hold excl "$bdev"	# returns once the device is held (no race with a slow start)
	run --separate-stderr "$BCACHE" register "$bdev"
	assert_equal "$status" $EX_ERROR
	[[ "$stderr" == "bcache: $bdev: the kernel refused it (EINVAL); its log most likely says 'register_bcache() error ...: REASON', REASON being 'device busy'"* ]]
	# the kernel's own line follows
	grep -qE '^bcache: kernel: bcache: register_bcache\(\) error .*: device busy$' <<< "$stderr"
	[ ! -e "/sys/dev/block/$(lsblk -dno MAJ:MIN "$bdev" | tr -d ' ')/bcache" ]
}

@test "register --scan: namespaces, then cache devices, then backing devices" {
	need_hooks
	dev=$OWN_DEV
	"$BCACHE" make -M "$dev" --force > /dev/null
	cdev=$(loop_attach "$(mkimg cache.img 64M)")
	bdev=$(loop_attach "$(mkimg backing.img 64M)")
	"$BCACHE" make -C "$cdev" --bucket 64k -B "$bdev" > /dev/null
	run --separate-stderr test_root "$BCACHE" register --scan
	assert_success
	# the other files' fsdax namespace may carry a superblock too
	assert_line "registered $dev (namespace, /sys/fs/bcache/register_nvdimm_meta)"
	[[ "${lines[0]}" == *"(namespace, "* ]]
	[[ "${lines[-1]}" == "registered $bdev (backing, /sys/fs/bcache/register)" ]]
	[[ "$(cat "$ROOT/fs/bcache/register_nvdimm_meta")" == *"$dev"* ]]
	[ "$(cat "$ROOT/fs/bcache/register")" = "$cdev$bdev" ]
}
