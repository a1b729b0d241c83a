#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# bcache-tools' workflow through the kernel's own (stock) bcache module:
# make -C/-B, register, /dev/bcacheN, show, detach/attach, set-cachemode,
# set-label, tree, unregister; register --scan on a freshly loaded module;
# namespaces in show's list; a raw namespace refused.

load helpers

CSET=01234567-89ab-cdef-fedc-ba9876543210

setup_file() {
	modprobe bcache
	modprobe loop
}

setup() {
	cdev=$(loop_attach "$(mkimg cache.img 256M)")
	bdev=$(loop_attach "$(mkimg backing.img 64M)")
	"$BCACHE" make -C "$cdev" -B "$bdev" -b 64k -u $CSET -l first > /dev/null
}

teardown() {
	stop_all
	loop_cleanup
	[ -z "${ns:-}" ] || own_ns_destroy "$ns"
}

stop_all() {
	local s u
	for s in /sys/block/bcache*/bcache/stop; do [ -e "$s" ] && echo 1 > "$s"; done
	for u in /sys/fs/bcache/*-*-*-*-*/unregister; do [ -e "$u" ] && echo 1 > "$u"; done
	wait_for 'ls -d /sys/fs/bcache/*-*-*-*-* /sys/block/bcache* 2> /dev/null | grep -q .' no
}

# wait_for CMD [no]: until CMD succeeds (or, with "no", fails), at most 30 s
wait_for() {
	local n=0
	while [ $n -lt 300 ]; do
		if eval "$1"; then [ "${2:-}" != no ] && return 0; else [ "${2:-}" = no ] && return 0; fi
		sleep 0.1
		n=$((n + 1))
	done
	echo "timed out: $1 ${2:-}"
	return 1
}

sysdir() { echo "/sys/dev/block/$(lsblk -dno MAJ:MIN "$1" | tr -d ' ')/bcache"; }

# row JSON DEV: the device's row of show's list, as [type,state,running,bname,
# attached_to_dev,attached_to_cset]
row() {
	jq -c --arg d "$2" '.devices[] | select(.device == $d) |
		[.type, .state, .running, .bname, .attached_to_dev, .attached_to_cset]' <<< "$1"
}

# sbf DEV KEY...: fields of the superblock as stored (show reads past the page cache)
sbf() {
	local d=$1
	shift
	"$BCACHE" show --json "$d" | jq -c "[.devices[0].superblock | $(printf '.%s,' "$@" | sed 's/,$//')]"
}

@test "lifecycle: make, register, /dev/bcacheN, show, detach, attach, set-cachemode, set-label, tree, unregister" {
	run --separate-stderr "$BCACHE" show --json
	assert_success
	assert_equal "$(row "$output" "$cdev")" '["cache","inactive",false,null,null,null]'
	assert_equal "$(row "$output" "$bdev")" '["backing","inactive",false,null,null,null]'

	run --separate-stderr "$BCACHE" register "$cdev" "$bdev"
	assert_success
	wait_for "[ -L $(sysdir "$bdev")/dev ]"
	bname=$(basename "$(readlink "$(sysdir "$bdev")/dev")")
	[[ $bname == bcache* ]]
	wait_for "[ -b /dev/$bname ]"
	run --separate-stderr "$BCACHE" show --json
	assert_success
	assert_equal "$(row "$output" "$cdev")" "[\"cache\",\"active\",false,null,null,\"$CSET\"]"
	assert_equal "$(row "$output" "$bdev")" "[\"backing\",\"clean\",true,\"$bname\",\"$cdev\",\"$CSET\"]"
	run --separate-stderr "$BCACHE" show
	assert_line --regexp "^$bdev +backing +clean +true +$bname +$cdev *\$"

	# detach: no cache; the kernel records it in the superblock
	run --separate-stderr "$BCACHE" detach "$bdev"
	assert_success
	assert_equal "$output" "detached $bdev from cache set $CSET"
	wait_for "[ -L $(sysdir "$bdev")/cache ]" no
	run --separate-stderr "$BCACHE" show --json
	assert_equal "$(row "$output" "$bdev")" "[\"backing\",\"no cache\",true,\"$bname\",null,null]"
	assert_equal "$(sbf "$bdev" cache_state set_uuid)" '["detached","00000000-0000-0000-0000-000000000000"]'
	run --separate-stderr "$BCACHE" detach "$bdev"
	assert_equal "$status" $EX_REFUSED

	# attach, by the set's uuid and (after another detach) by its cache device
	run --separate-stderr "$BCACHE" attach $CSET "$bdev"
	assert_success
	wait_for "[ -L $(sysdir "$bdev")/cache ]"
	assert_equal "$(sbf "$bdev" cache_state set_uuid)" "[\"clean\",\"$CSET\"]"
	"$BCACHE" detach "$bdev" > /dev/null
	wait_for "[ -L $(sysdir "$bdev")/cache ]" no
	run --separate-stderr "$BCACHE" attach "$cdev" "$bdev"
	assert_success
	wait_for "[ -L $(sysdir "$bdev")/cache ]"
	run --separate-stderr "$BCACHE" show --json
	assert_equal "$(row "$output" "$bdev")" "[\"backing\",\"clean\",true,\"$bname\",\"$cdev\",\"$CSET\"]"

	# set-cachemode, set-label: sysfs and the superblock agree
	run --separate-stderr "$BCACHE" set-cachemode "$bdev" writeback
	assert_success
	[ "$(cat "$(sysdir "$bdev")/cache_mode")" = "writethrough [writeback] writearound none" ]
	assert_equal "$(sbf "$bdev" cache_mode)" '["writeback"]'
	run --separate-stderr "$BCACHE" set-label "$bdev" second-label
	assert_success
	[ "$(cat "$(sysdir "$bdev")/label")" = second-label ]
	assert_equal "$(sbf "$bdev" label)" '["second-label"]'
	run --separate-stderr "$BCACHE" show "$bdev"
	assert_line --regexp '^label +second-label$'
	assert_line --regexp '^cache_mode +1 \[writeback\]$'
	assert_line --regexp '^cache_state +1 \[clean\]$'

	# tree
	run --separate-stderr "$BCACHE" tree --json
	assert_success
	assert_equal "$(jq -c --arg c "$cdev" '.tree[] | select(.device == $c) |
		[.state, .set_uuid, [.children[] | [.device, .bname, .state]]]' <<< "$output")" \
		"[\"active\",\"$CSET\",[[\"$bdev\",\"$bname\",\"clean\"]]]"

	# unregister: the backing device stops, the cache set goes
	run --separate-stderr "$BCACHE" unregister "$bdev" "$cdev"
	assert_success
	assert_equal "$output" "stopped $bdev ($bname)
unregistered $cdev (cache set $CSET)"
	wait_for "[ -e /sys/fs/bcache/$CSET ]" no
	wait_for "[ -e /sys/block/$bname ]" no
	wait_for "[ -e $(sysdir "$bdev") ]" no
	run --separate-stderr "$BCACHE" show --json
	assert_equal "$(row "$output" "$bdev")" '["backing","inactive",false,null,null,null]'
	run --separate-stderr "$BCACHE" unregister "$cdev"
	assert_equal "$status" $EX_ERROR
}

@test "register --scan on a freshly loaded module (what a boot finds) brings the set and bcacheN back" {
	"$BCACHE" register "$cdev" "$bdev" > /dev/null
	wait_for "[ -L $(sysdir "$bdev")/dev ]"
	"$BCACHE" set-label "$bdev" kept > /dev/null
	# the equivalent of a reboot for bcache: nothing registered, the module fresh
	stop_all
	rmmod bcache
	modprobe bcache
	[ ! -e "$(sysdir "$bdev")" ]
	# a namespace with an nvm-pages superblock cannot register on this kernel
	run --separate-stderr "$BCACHE" show --json
	if [ "$(jq '[.devices[] | select(.type == "namespace" and (.device | startswith("/dev/pmem")))] | length' <<< "$output")" -ne 0 ]; then
		skip "an fsdax namespace carries an nvm-pages superblock: --scan stops on it here"
	fi
	run --separate-stderr "$BCACHE" register --scan
	assert_success
	assert_line "registered $cdev (cache, /sys/fs/bcache/register)"
	assert_line "registered $bdev (backing, /sys/fs/bcache/register)"
	wait_for "[ -L $(sysdir "$bdev")/dev ]"
	bname=$(basename "$(readlink "$(sysdir "$bdev")/dev")")
	wait_for "[ -b /dev/$bname ]"
	run --separate-stderr "$BCACHE" show -m --json
	assert_equal "$(row "$output" "$bdev")" "[\"backing\",\"clean\",true,\"$bname\",\"$cdev\",\"$CSET\"]"
	assert_equal "$(jq -r --arg d "$bdev" '.devices[] | select(.device == $d) | .label' <<< "$output")" kept
	# a second scan registers nothing new
	run --separate-stderr "$BCACHE" register --scan
	assert_success
}

@test "show lists namespaces by name; show NAMESPACE; a raw namespace is refused by register (3)" {
	read -r ns dev < <(own_ns_create fsdax)
	"$BCACHE" make -M "$dev" --set-uuid $CSET > /dev/null
	run --separate-stderr "$BCACHE" show --json
	assert_success
	assert_equal "$(jq -c --arg d "$dev" '.devices[] | select(.device == $d) |
		[.type, .namespace, .state, .set_uuid]' <<< "$output")" \
		"[\"namespace\",\"$ns\",\"unknown\",\"$CSET\"]"
	run --separate-stderr "$BCACHE" show "$ns"
	assert_success
	assert_line --index 0 --partial "$dev: nvm-pages namespace superblock at byte 4096 (v7), checksum ok"
	read -r _ raw < <(own_ns_mode "$ns" raw)
	"$BCACHE" make -M "$raw" --force > /dev/null
	run --separate-stderr "$BCACHE" register "$raw"
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $raw: a raw namespace has no DAX on this kernel; the v7 kernel needs an fsdax namespace with struct pages (ndctl create-namespace -m fsdax --map=mem); refusing"
	dd if=/dev/zero of="$raw" bs=1M count=17 oflag=direct status=none
}
