#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# bcache make -M: the fresh layout byte for byte, sets, refusals, exit codes.

load helpers

teardown() { loop_cleanup; }

# Expected bytes from bcache-nvm-pages(5): E1 (CHECKSUM) and FRESH NAMESPACE.
E1_SB="cd8c9a527a1af401 0000000000000000 0010000000000000 0000000000000000"
E1_SB+=" 17bd537f1b23d683 46a4f82817daeca9 0001020304050607 08090a0b0c0d0e0f"
E1_SB+=" 00100000 01000000 00000000 00000000 1011121314151617 18191a1b1c1d1e1f"
E1_SB+=" 0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000"
E1_SB+=" 0000000100000000 0000040000000000"
E1_SB+=" 0000000000000000 0000000000000000 0000000000000000 0000000000000000"
E1_SB+=" 0000000000000000 0000000000000000 0000000000000000 0000000000000000"
E1_SB+=" 0020000000000000 00000000 00000000"
E1_SB=${E1_SB// /}
OLH_152="48000000 01000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000"
OLH_152+=" 1011121314151617 18191a1b1c1d1e1f"
OLH_152+=" 6e766d5f70616765 735f696e7465726e 616c000000000000 0000000000000000"
OLH_152+=" 0040000000000000"
OLH_152+=" 0000000000000000 0000000000000000 0000000000000000 0000000000000000"
OLH_152+=" 0000000000000000 0000000000000000 0000000000000000"
OLH_152=${OLH_152// /}
SYS_88="282000000000000000000000000000003925 3ff72717d0b910e6d2da386826ae101112131415161718191a1b1c1d1e1ff503000000000000"
SYS_88=${SYS_88// /}
SYS_88+="0000000000000000000000000000000000000000000000000000000000000000"

# the three structures byte for byte, and zeroes everywhere else in [0, 16 MiB)
assert_fresh_layout() {
	[ "$(hexat "$1" 4096 232)" = "$E1_SB" ]
	[ "$(hexat "$1" 8192 152)" = "$OLH_152" ]
	[ "$(hexat "$1" 16384 88)" = "$SYS_88" ]
	run nonzero_outside "$1" $((16 << 20)) 4096:232 8192:152 16384:88
	assert_output 0
}

@test "make -M on a 1 GiB sparse image writes exactly the documented fresh layout" {
	img=$(mkimg ns.img 1G)
	run bcache make -M "$img" --set-uuid $SET_UUID --uuid $NS_UUID
	assert_success
	assert_fresh_layout "$img"
	# nothing beyond 16 MiB was written: the file stays sparse there
	[ "$(du -k "$img" | cut -f1)" -le $((16 * 1024 + 64)) ]
}

@test "make -M prints what it wrote, as text and as JSON" {
	img=$(mkimg ns.img 64M)
	run bcache make -M "$img" --set-uuid $SET_UUID --uuid $NS_UUID
	assert_success
	assert_line "set_uuid            $SET_UUID"
	assert_line "uuid                $NS_UUID"
	assert_line "pages_total         16384 (64 MiB)"
	assert_line "pages_offset        16777216"
	assert_line "owner_list_head     0x2000"
	run bcache make -M "$img" --set-uuid $SET_UUID --uuid $NS_UUID --force --json
	assert_success
	assert_equal "$(jq -c '.devices[0].namespace | [.set_uuid, .uuid, .pages_total,
		.this_namespace_nr, .written, .csum]' <<< "$output")" \
		"[\"$SET_UUID\",\"$NS_UUID\",16384,0,true,\"0x$(xxd -p -s 4096 -l 8 "$img" |
		fold -w2 | tac | tr -d '\n')\"]"
}

@test "pages_total follows the real size (16 MiB + 1 page is the minimum)" {
	img=$(mkimg small.img $(( (16 << 20) + 4096 )))
	run bcache make -M "$img" --set-uuid $SET_UUID --json
	assert_success
	[ "$(jq '.devices[0].namespace.pages_total' <<< "$output")" = 4097 ]
	# pages_total as stored, little-endian at 4096 + 144
	[ "$(hexat "$img" $((4096 + 144)) 8)" = "0110000000000000" ]
}

@test "without --set-uuid the set uuid is random and equals heads[0].uuid" {
	img=$(mkimg ns.img 32M)
	run bcache make -M "$img" --json
	assert_success
	su=$(jq -r '.devices[0].namespace.set_uuid' <<< "$output")
	[ "$su" != "$SET_UUID" ]
	[ "$(hexat "$img" $((4096 + 80)) 16)" = "${su//-/}" ]
	[ "$(hexat "$img" 8232 16)" = "${su//-/}" ]
	[ "$(hexat "$img" $((16384 + 32)) 16)" = "${su//-/}" ]
}

@test "two -M devices form one set: shared set uuid, numbers in order, one owner table" {
	a=$(mkimg a.img 64M)
	b=$(mkimg b.img 64M)
	run --separate-stderr bcache make -M "$a" -M "$b" --set-uuid $SET_UUID --json
	assert_success
	assert_equal "$(jq -c '[([.devices[].namespace.set_uuid] | unique | length),
		(.devices[1] | .device, .namespace.this_namespace_nr), .devices[0].namespace.total_namespaces_nr]' \
		<<< "$output")" "[1,\"$b\",1,2]"
	# total_namespaces_nr 2 (at +68) and this_namespace_nr (at +72) on media
	[ "$(hexat "$a" $((4096 + 68)) 8)" = "0200000000000000" ]
	[ "$(hexat "$b" $((4096 + 68)) 8)" = "0200000001000000" ]
	# namespace 1: owner_list_head 0 and no owner table or system record page
	[ "$(hexat "$b" $((4096 + 216)) 8)" = "0000000000000000" ]
	run nonzero_outside "$b" $((16 << 20)) 4096:232
	assert_output 0
	[ "$(hexat "$a" 8192 8)" = "4800000001000000" ]
}

@test "a multi-namespace set warns that a v7 kernel registers only one namespace" {
	a=$(mkimg a.img 32M)
	b=$(mkimg b.img 32M)
	run --separate-stderr bcache make -M "$a" -M "$b"
	assert_success
	[[ "$stderr" == *"v7 kernel registers only sets with total_namespaces_nr = 1"* ]]
}

@test "refuses a device too small for the metadata area, unchanged" {
	img=$(mkimg small.img $(( (16 << 20) + 4095 )))
	printf 'keep' | dd of="$img" bs=1 seek=5000 conv=notrunc status=none
	before=$(digest "$img")
	run --separate-stderr bcache make -M "$img"
	assert_equal "$status" $EX_REFUSED
	[[ "$stderr" == *"small.img: device too small: 16781311 bytes, need at least 16781312"* ]]
	[ "$(digest "$img")" = "$before" ]
}

@test "refuses an existing nvm-pages superblock without --force, unchanged" {
	img=$(mkimg ns.img 32M)
	bcache make -M "$img" --set-uuid $SET_UUID
	before=$(digest "$img")
	run --separate-stderr bcache make -M "$img"
	assert_equal "$status" $EX_REFUSED
	[[ "$stderr" == *"found nvm-pages signature at offset 4128; refusing to overwrite it (use --wipe-bcache or --force)"* ]]
	[ "$(digest "$img")" = "$before" ]
	run bcache make -M "$img" --force --json
	assert_success
	[ "$(digest "$img")" != "$before" ]
}

@test "refuses a bcache superblock (magic at 4096 + 24) without --force" {
	img=$(mkimg ns.img 32M)
	printf '\xc6\x85\x73\xf6\x4e\x1a\x45\xca\x82\x65\xf5\x7f\x48\xba\x6d\x81' |
		dd of="$img" bs=1 seek=$((4096 + 24)) conv=notrunc status=none
	before=$(digest "$img")
	run --separate-stderr bcache make -M "$img"
	assert_equal "$status" $EX_REFUSED
	[[ "$stderr" == *"bcache"*"offset 4120"* ]]
	[ "$(digest "$img")" = "$before" ]
}

@test "refuses an ext4 filesystem found by libblkid on a loop device, unchanged" {
	need_root
	img=$(mkimg ext4.img 64M)
	mkfs.ext4 -q -F "$img"
	dev=$(loop_attach "$img")
	before=$(digest "$dev")
	run --separate-stderr bcache make -M "$dev"
	assert_equal "$status" $EX_REFUSED
	[[ "$stderr" == *"found ext4 filesystem signature at offset 1080"* ]]
	[ "$(digest "$dev")" = "$before" ]
	# --dry-run with --force still writes nothing
	run bcache make -M "$dev" --force --dry-run
	assert_success
	[ "$(digest "$dev")" = "$before" ]
	run bcache make -M "$dev" --force
	assert_success
	run blkid -p "$dev"
	refute_output --partial ext4
}

@test "make -M on a loop device writes the same bytes as on a file" {
	need_root
	img=$(mkimg loop.img 1G)
	dev=$(loop_attach "$img")
	run bcache make -M "$dev" --set-uuid $SET_UUID --uuid $NS_UUID
	assert_success
	assert_fresh_layout "$dev"
}

@test "refuses a loop device held open exclusively (O_EXCL), unchanged" {
	need_root
	img=$(mkimg held.img 64M)
	dev=$(loop_attach "$img")
	before=$(digest "$dev")
	# hold the device with an exclusive open from another process
	hold excl "$dev"
	run --separate-stderr bcache make -M "$dev"
	release
	assert_equal "$status" $EX_REFUSED
	[[ "$stderr" == *"device is in use"* ]]
	[ "$(digest "$dev")" = "$before" ]
}

@test "refusal on the second device leaves the first one unchanged too" {
	a=$(mkimg a.img 32M)
	b=$(mkimg b.img 8M)
	before=$(digest "$a")
	run bcache make -M "$a" -M "$b"
	assert_equal "$status" $EX_REFUSED
	[ "$(digest "$a")" = "$before" ]
}

@test "--dry-run reports and writes nothing" {
	img=$(mkimg ns.img 32M)
	before=$(digest "$img")
	run bcache make -M "$img" --dry-run --json
	assert_success
	[ "$(jq '.devices[0].namespace.written' <<< "$output")" = false ]
	[ "$(digest "$img")" = "$before" ]
}

@test "usage errors exit 2 with usage on stderr" {
	img=$(mkimg ns.img 32M)
	run --separate-stderr bcache make
	assert_equal "$status" $EX_USAGE
	[[ "$stderr" == *"Usage: bcache make"* ]]
	run --separate-stderr bcache make -M "$img" --bogus
	assert_equal "$status" $EX_USAGE
	[[ "$stderr" == *"unknown option '--bogus'"* ]]
	run bcache make -M "$img" --set-uuid not-a-uuid
	assert_equal "$status" $EX_USAGE
	run bcache make -M "$img" -M "$img"
	assert_equal "$status" $EX_USAGE
	run bcache make -M "$img" -M "$(mkimg b.img 32M)" --uuid $NS_UUID
	assert_equal "$status" $EX_USAGE
	run bcache make -M
	assert_equal "$status" $EX_USAGE
	run bcache make -M "$BATS_TEST_TMPDIR/does-not-exist"
	assert_equal "$status" $EX_ERROR
}

@test "refuses a partition table found by libblkid (dos and gpt), unchanged" {
	for label in dos gpt; do
		img=$(mkimg pt-$label.img 64M)
		printf 'label: %s\n,32M\n' $label | sfdisk -q "$img"
		before=$(digest "$img")
		run --separate-stderr bcache make -M "$img"
		assert_equal "$status" $EX_REFUSED
		[[ "$stderr" == *"found $label partition signature"* ]]
		[ "$(digest "$img")" = "$before" ]
	done
}

@test "with --force, a gpt's backup header at the end of the device is wiped too" {
	img=$(mkimg gpt.img 64M)
	printf 'label: gpt\n,32M\n' | sfdisk -q "$img"
	run bcache make -M "$img" --force
	assert_success
	run blkid -p "$img"
	refute_output --partial gpt
	# the backup GPT header (last sector) no longer carries "EFI PART"
	[ "$(hexat "$img" $(( (64 << 20) - 512 )) 8)" != "4546492050415254" ]
}
