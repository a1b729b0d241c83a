#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The kernel's own bcache driver in the VM accepts what `bcache make -C/-B`
# writes, and a device it holds is refused by `make -M`.

load helpers

setup_file() {
	modprobe bcache
	modprobe loop
}

teardown() { loop_cleanup; }

need_make_cb() {
	"$BCACHE" make --help 2>&1 | grep -q -- '--cache\|-C,' ||
		skip "bcache make -C/-B is not in this build (issue 4, branch journal)"
}

@test "the kernel's bcache module loads" {
	[ -e /sys/fs/bcache/register ]
}

@test "the kernel registers a cache (-C) and a backing device (-B), and attaches them" {
	need_make_cb
	cdev=$(loop_attach "$(mkimg cache.img 64M)")
	bdev=$(loop_attach "$(mkimg backing.img 64M)")
	# the kernel wants more than 512 buckets (cache_alloc: "nbuckets is too small")
	"$BCACHE" make -C "$cdev" --bucket 64k --force
	"$BCACHE" make -B "$bdev" --force
	echo "$cdev" > /sys/fs/bcache/register
	echo "$bdev" > /sys/fs/bcache/register
	cset=$(ls /sys/fs/bcache | grep -E '^[0-9a-f-]{36}$' | head -n1)
	[ -n "$cset" ]
	bcd=$(basename "$(ls -d /sys/block/bcache*)")
	echo "$cset" > "/sys/block/$bcd/bcache/attach"
	[ "$(cat "/sys/block/$bcd/bcache/state")" = clean ]
	[ -e "/sys/fs/bcache/$cset/cache0" ]
	# make -M refuses the registered devices
	run --separate-stderr "$BCACHE" make -M "$bdev" --force
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $bdev: $bdev is registered with bcache (sysfs bcache/ exists); refusing"
	run --separate-stderr "$BCACHE" make -M "$cdev" --force
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $cdev: $cdev is registered with bcache (sysfs bcache/ exists); refusing"
	echo 1 > "/sys/block/$bcd/bcache/stop"
	echo 1 > "/sys/fs/bcache/$cset/unregister"
}
