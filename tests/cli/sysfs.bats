#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# bcache-tools' sysfs commands against a test sysfs root
# (BCACHE_TEST_SYSFS_ROOT, builds with -Dtest_hooks=true): show (the list),
# tree, unregister, attach, detach, set-label, set-cachemode.  The test makes
# the directories and files the kernel would have for registered loop
# devices (/sys/dev/block/MAJ:MIN/bcache/..., /sys/fs/bcache/UUID/...), and
# what the tool writes lands in them.  The real module is driven in the VM
# tier (tests/vm/lifecycle.bats).

load helpers

CSET=01234567-89ab-cdef-fedc-ba9876543210

setup() {
	need_root
	test_sysfs_root
	cdev=$(loop_attach "$(mkimg cache.img 256M)")
	bdev=$(loop_attach "$(mkimg backing.img 64M)")
	bcache make -C "$cdev" -B "$bdev" -b 64k -u $CSET -l disk1 > /dev/null
}

teardown() { loop_cleanup; }

# attrdir DEV: the device's bcache directory in the test root
attrdir() {
	echo "$ROOT/dev/block/$(($(stat -c 0x%t "$1"))):$(($(stat -c 0x%T "$1")))/bcache"
}

# kernel_cache DEV: what the kernel makes for a registered cache device
kernel_cache() {
	local d
	d=$(attrdir "$1")
	mkdir -p "$d" "$ROOT/fs/bcache/$CSET"
	: > "$ROOT/fs/bcache/$CSET/unregister"
	ln -s "$ROOT/fs/bcache/$CSET" "$d/set"
}

# kernel_backing DEV STATE [attached]: ... for a registered backing device
kernel_backing() {
	local d a
	d=$(attrdir "$1")
	mkdir -p "$d" "$ROOT/block/bcache0"
	echo "$2" > "$d/state"
	echo 1 > "$d/running"
	ln -s "$ROOT/block/bcache0" "$d/dev"
	for a in attach detach stop label cache_mode; do : > "$d/$a"; done
	[ -z "${3:-}" ] || ln -s "$ROOT/fs/bcache/$CSET" "$d/cache"
}

# mine JSON: the rows of .devices for this test's two devices
mine() {
	jq -c --arg c "$cdev" --arg b "$bdev" \
		'[.devices[] | select(.device == $c or .device == $b)] | sort_by(.type)' <<< "$1"
}

@test "show lists the cache and backing devices with their state from sysfs (not registered, then registered)" {
	run --separate-stderr bcache show --json
	assert_success
	assert_equal "$(mine "$output" | jq -c '[.[] | [.type, .state, .running, .bname,
		.attached_to_dev, .attached_to_cset, .set_uuid, .label, .csum_ok]]')" \
		"[[\"backing\",\"inactive\",false,null,null,null,\"$CSET\",\"disk1\",true],[\"cache\",\"inactive\",false,null,null,null,\"$CSET\",\"disk1\",true]]"
	kernel_cache "$cdev"
	kernel_backing "$bdev" clean attached
	run --separate-stderr bcache show --json
	assert_success
	assert_equal "$(mine "$output" | jq -c '[.[] | [.type, .state, .running, .bname,
		.attached_to_dev, .attached_to_cset]]')" \
		"[[\"backing\",\"clean\",true,\"bcache0\",\"$cdev\",\"$CSET\"],[\"cache\",\"active\",false,null,null,\"$CSET\"]]"
	# text: the short columns; -m adds the uuids, version, label
	run --separate-stderr bcache show
	assert_success
	assert_line --index 0 --regexp '^DEVICE +TYPE +STATE +RUNNING +BNAME +ATTACHED_TO_DEV$'
	assert_line --regexp "^$bdev +backing +clean +true +bcache0 +$cdev\$"
	assert_line --regexp "^$cdev +cache +active +false *\$"
	run --separate-stderr bcache show -m
	assert_success
	assert_line --index 0 --regexp '^DEVICE +TYPE +STATE +RUNNING +BNAME +ATTACHED_TO_DEV +ATTACHED_TO_CSET +UUID +SET_UUID +VERSION +LABEL +NAMESPACE +CSUM_OK$'
	assert_line --regexp "^$cdev +cache +active +false +$CSET +[0-9a-f-]{36} +$CSET +3 +disk1 +true\$"
}

@test "show DEV / show -d DEV decodes by device type (bcache-super-show's fields); -m adds every stored field" {
	run --separate-stderr bcache show -d "$bdev"
	assert_success
	assert_line --index 0 "$bdev: bcache backing device superblock at byte 4096, version 1 (BDEV), checksum ok"
	assert_line --regexp '^label +disk1$'
	assert_line --regexp '^data_offset +16$'
	assert_line --regexp '^cache_mode +0 \[writethrough\]$'
	assert_line --regexp '^cache_state +0 \[detached\]$'
	refute_line --regexp '^nbuckets'
	refute_line --regexp '^bucket_size'
	run --separate-stderr bcache show "$cdev"
	assert_success
	assert_line --regexp '^bucket_size +128$'
	assert_line --regexp '^nbuckets +4096$'
	assert_line --regexp '^first_sector +128$'
	assert_line --regexp '^cache_sectors +524160$'
	assert_line --regexp '^total_sectors +524288$'
	assert_line --regexp '^discard +no$'
	assert_line --regexp '^replacement +0 \[lru\]$'
	refute_line --regexp '^data_offset'
	refute_line --regexp '^obso_bucket_size_hi'
	run --separate-stderr bcache show -m "$cdev"
	assert_success
	assert_line --regexp '^obso_bucket_size_hi +0$'
	# an empty label is (empty)
	e=$(mkimg e.img 64M)
	bcache make -B "$e" > /dev/null
	run --separate-stderr bcache show "$e"
	assert_line --regexp '^label +\(empty\)$'
	run --separate-stderr bcache show --json "$bdev"
	assert_equal "$(jq -c '.devices[0].superblock | [.cache_mode, .cache_state, .data_offset]' \
		<<< "$output")" '["writethrough","detached",16]'
}

@test "tree: the running cache set, its backing devices and their bcacheN" {
	run --separate-stderr bcache tree
	assert_success
	assert_output ""
	kernel_cache "$cdev"
	kernel_backing "$bdev" dirty attached
	run --separate-stderr bcache tree --json
	assert_success
	assert_equal "$(jq -c --arg c "$cdev" '[.tree[] | select(.device == $c)] | .[0] |
		[.type, .state, .set_uuid, [.children[] | [.device, .type, .bname, .state]]]' \
		<<< "$output")" \
		"[\"cache\",\"active\",\"$CSET\",[[\"$bdev\",\"backing\",\"bcache0\",\"dirty\"]]]"
	run --separate-stderr bcache tree
	assert_line --regexp "^$cdev +cache +active +$CSET\$"
	assert_line --regexp "^..$bdev +backing +bcache0 +dirty +$CSET\$"
	run bcache tree extra
	assert_equal "$status" $EX_USAGE
}

@test "attach CSET_UUID|CACHEDEV BDEV and detach BDEV write the kernel's attributes" {
	kernel_cache "$cdev"
	kernel_backing "$bdev" "no cache"
	run --separate-stderr bcache attach $CSET "$bdev"
	assert_success
	assert_equal "$output" "attached $bdev to cache set $CSET"
	assert_equal "$(cat "$(attrdir "$bdev")/attach")" "$CSET"
	: > "$(attrdir "$bdev")/attach"
	run --separate-stderr bcache attach --json "$cdev" "$bdev"
	assert_success
	assert_equal "$(jq -c '.devices[0].attach | [.attribute, .value]' <<< "$output")" \
		"[\"$(attrdir "$bdev")/attach\",\"$CSET\"]"
	assert_equal "$(cat "$(attrdir "$bdev")/attach")" "$CSET"
	# detach: nothing to do while not attached
	run --separate-stderr bcache detach "$bdev"
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $bdev: not attached to a cache set; nothing to detach"
	ln -s "$ROOT/fs/bcache/$CSET" "$(attrdir "$bdev")/cache"
	run --separate-stderr bcache attach $CSET "$bdev"
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $bdev: attached to cache set $CSET already; detach it first ('bcache detach $bdev')"
	run --separate-stderr bcache detach "$bdev"
	assert_success
	assert_equal "$output" "detached $bdev from cache set $CSET"
	assert_equal "$(cat "$(attrdir "$bdev")/detach")" 1
	: > "$(attrdir "$bdev")/detach"
	run --separate-stderr bcache detach --json "$bdev"
	assert_success
	assert_equal "$(jq -c '[.schema_version, (.devices[] | [.device, .detach.attribute,
		.detach.value])]' <<< "$output")" \
		"[2,[\"$bdev\",\"$(attrdir "$bdev")/detach\",\"1\"]]"
	assert_equal "$(cat "$(attrdir "$bdev")/detach")" 1
}

@test "attach refuses what the kernel would not take, writing nothing" {
	kernel_backing "$bdev" "no cache"
	# the set does not run
	run --separate-stderr bcache attach $CSET "$bdev"
	assert_equal "$status" $EX_ERROR
	assert_equal "$stderr" "bcache: $bdev: no cache set $CSET runs (no $ROOT/fs/bcache/$CSET); register its cache device first"
	kernel_cache "$cdev"
	# the operands swapped: a cache device is not attached
	run --separate-stderr bcache attach "$bdev" "$cdev"
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $bdev: a backing device, but attach needs a cache set uuid or a cache device; refusing"
	# an image file
	run --separate-stderr bcache attach $CSET "$BATS_TEST_TMPDIR/backing.img"
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $BATS_TEST_TMPDIR/backing.img: not a block device: the kernel's bcache registers block devices only"
	# no superblock
	z=$(loop_attach "$(mkimg zero.img 16M)")
	run --separate-stderr bcache attach $CSET "$z"
	assert_equal "$status" $EX_NOT_FOUND
	run bcache attach $CSET
	assert_equal "$status" $EX_USAGE
	assert_equal "$(cat "$(attrdir "$bdev")/attach")" ""
}

@test "set-label and set-cachemode write the backing device's attributes; cache devices and bad values are refused" {
	kernel_cache "$cdev"
	kernel_backing "$bdev" clean attached
	run --separate-stderr bcache set-label "$bdev" new-label
	assert_success
	assert_equal "$output" "label of $bdev set to 'new-label'"
	assert_equal "$(cat "$(attrdir "$bdev")/label")" new-label
	run --separate-stderr bcache set-label --json "$bdev" other
	assert_success
	assert_equal "$(jq -c '[.devices[] | [.device, ."set-label".attribute, ."set-label".value]]' \
		<<< "$output")" "[[\"$bdev\",\"$(attrdir "$bdev")/label\",\"other\"]]"
	assert_equal "$(cat "$(attrdir "$bdev")/label")" other
	run --separate-stderr bcache set-label "$bdev" 123456789012345678901234567890123
	assert_equal "$status" $EX_USAGE
	run --separate-stderr bcache set-label "$cdev" x
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $cdev: a cache device, but the kernel sets the label of backing devices only; refusing"
	run --separate-stderr bcache set-cachemode --json "$bdev" writeback
	assert_success
	assert_equal "$(jq -r '.devices[0]."set-cachemode".value' <<< "$output")" writeback
	assert_equal "$(cat "$(attrdir "$bdev")/cache_mode")" writeback
	run --separate-stderr bcache set-cachemode "$bdev" writefast
	assert_equal "$status" $EX_USAGE
	assert_equal "${stderr%%$'\n'*}" "bcache set-cachemode: unknown cache mode 'writefast' (writethrough, writeback, writearound or none)"
	assert_equal "$(cat "$(attrdir "$bdev")/cache_mode")" writeback
}

@test "unregister: a backing device is stopped, a cache device's set unregistered; not registered is an error" {
	run --separate-stderr bcache unregister "$bdev"
	assert_equal "$status" $EX_ERROR
	assert_equal "$stderr" "bcache: $bdev: not registered with bcache (no $(attrdir "$bdev")); register it first ('bcache register $bdev')"
	kernel_cache "$cdev"
	kernel_backing "$bdev" clean attached
	run --separate-stderr bcache unregister "$bdev" "$cdev"
	assert_success
	assert_equal "$output" "stopped $bdev (bcache0)
unregistered $cdev (cache set $CSET)"
	assert_equal "$(cat "$(attrdir "$bdev")/stop")" 1
	assert_equal "$(cat "$ROOT/fs/bcache/$CSET/unregister")" 1
	: > "$(attrdir "$bdev")/stop"
	: > "$ROOT/fs/bcache/$CSET/unregister"
	run --separate-stderr bcache unregister --json "$bdev" "$cdev"
	assert_success
	assert_equal "$(jq -c '[.devices[] | [.device, .unregister.attribute, .unregister.value]]' \
		<<< "$output")" \
		"[[\"$bdev\",\"$(attrdir "$bdev")/stop\",\"1\"],[\"$cdev\",\"$ROOT/fs/bcache/$CSET/unregister\",\"1\"]]"
	assert_equal "$(cat "$(attrdir "$bdev")/stop")$(cat "$ROOT/fs/bcache/$CSET/unregister")" 11
	# a namespace: the kernel has nothing to unregister it with
	n=$(loop_attach "$(mkimg ns.img 32M)")
	bcache make -M "$n" > /dev/null
	run --separate-stderr bcache unregister "$n"
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $n: an nvm-pages namespace: the kernel has no attribute to unregister one (it is released when the bcache module is unloaded)"
}

@test "a write the kernel refuses is an error naming the attribute" {
	kernel_cache "$cdev"
	kernel_backing "$bdev" "no cache"
	# a directory in place of the attribute: the write fails (EISDIR)
	rm "$(attrdir "$bdev")/attach"
	mkdir "$(attrdir "$bdev")/attach"
	run --separate-stderr bcache attach $CSET "$bdev"
	assert_equal "$status" $EX_ERROR
	assert_equal "$stderr" "bcache: $bdev: writing '$CSET' to $(attrdir "$bdev")/attach failed: Is a directory"
}
