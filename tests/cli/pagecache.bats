#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Reads of a block device bypass the page cache (O_DIRECT; libblkid gets a
# descriptor whose cache was dropped first).  A loop device reproduces what
# the v7 kernel does to /dev/pmemN: its page cache is filled by a buffered
# read, then the bytes change behind it (here: the backing file is written,
# which the loop device's own page cache never sees).  A buffered read of
# the loop device then returns the old bytes; every command must show the
# new ones.  Writes go around the page cache too: the bytes next to what a
# command writes are the media's, not the stale cached page's.

load helpers
load nvm-helpers

CSET=01234567-89ab-cdef-fedc-ba9876543210
JGEN=${JGEN:-$(dirname "$BCACHE")/../tests/tools/journal-gen}

setup() { need_root; }
teardown() {
	exec 8<&- 9<&-
	loop_cleanup
}

# fill_cache DEV [FD]: read the device through its page cache, and keep it
# open (on fd 9, or FD): the kernel drops a block device's page cache when
# its last opener closes it (the v7 kernel keeps /dev/pmemN open)
fill_cache() {
	eval "exec ${2:-9}<\"\$1\""
	dd if="$1" of=/dev/null bs=1M status=none ${3:+count=$3}
}

# sb_olh DEV [iflag]: owner_list_head as a read with dd sees it
sb_olh() {
	dd if="$1" bs=4096 skip=1 count=1 status=none ${2:+iflag=$2} |
		od -An -tx8 -j 216 -N 8 | tr -d ' '
}

@test "a buffered read of the loop device is stale after the backing file changed (the test reproduces the bug)" {
	img=$(fresh_img ns.img 32M)
	loop=$(loop_attach "$img")
	fill_cache "$loop"
	gen "$img" attach $K
	[ "$(sb_olh "$loop")" = 0000000000002000 ]		# the cached, old page
	[ "$(sb_olh "$loop" direct)" = "$(printf %016x $((K + 8192)))" ]	# the media
}

@test "nvm dump, nvm check and show read the media, not the stale page cache" {
	img=$(fresh_img ns.img 32M)
	loop=$(loop_attach "$img")
	fill_cache "$loop"
	gen "$img" attach $K
	gen "$img" alloc 3 $OWNER_A 2 > /dev/null
	[ "$(sb_olh "$loop")" = 0000000000002000 ]		# stale through the cache
	run bcache nvm dump --json "$loop"
	assert_success
	[ "$(jq -r '.devices[0].superblock.state' <<< "$output")" = attached ]
	[ "$(jq -r '.devices[0].superblock.base' <<< "$output")" = "$(printf 0x%x $K)" ]
	[ "$(jq '.devices[0].allocations | length' <<< "$output")" = 2 ]
	# the same verdicts as on the image file itself
	a=$(bcache nvm check --json "$loop" | jq -c 'del(.. | .device?, .cache_device?)')
	b=$(bcache nvm check --json "$img" | jq -c 'del(.. | .device?, .cache_device?)')
	[ "$a" = "$b" ]
	run bcache show --json "$loop"
	assert_success
	[[ "$output" == *"$(printf 0x%x $((K + 8192)))"* ]]
}

@test "journal show (lazy load) reads the media of both devices" {
	ns=$(mkimg ns.img 1G)
	cache=$(mkimg cache.img 2G)
	bcache make -M "$ns" -C "$cache" --block 512 --cset-uuid $CSET --set-uuid $SET_UUID > /dev/null
	lns=$(loop_attach "$ns")
	lcache=$(loop_attach "$cache")
	fill_cache "$lns" 9 1024
	fill_cache "$lcache" 8 4
	"$JGEN" "$ns" "$cache" --jsets 20 > /dev/null
	want=$(bcache journal show "$ns" -C "$cache" --json | jq -c 'del(.. | .device?, .cache_device?)')
	run bcache journal show "$lns" -C "$lcache" --json
	assert_success
	[ "$(jq -c 'del(.. | .device?, .cache_device?)' <<< "$output")" = "$want" ]
	[ "$(jq '.devices[0].summary[] | select(.view == "kernel") | .newest_seq' <<< "$output")" = 20 ]
}

@test "make -M sees a filesystem written behind the page cache, and refuses it" {
	img=$(mkimg ns.img 32M)
	loop=$(loop_attach "$img")
	fill_cache "$loop"			# zeroes, cached
	mkfs.ext4 -q -F "$img"
	run --separate-stderr bcache make -M "$loop"
	assert_equal "$status" $EX_REFUSED
	[[ "$stderr" == *"found ext4 filesystem signature at offset 1080"* ]]
}

@test "writes go around the stale page cache: wiping a backup GPT keeps the media's bytes next to it" {
	img=$(mkimg ns.img 64M)
	loop=$(loop_attach "$img")
	fill_cache "$loop"			# zeroes, cached
	printf 'label: gpt\n,32M\n' | sfdisk -q "$img"
	size=$((64 << 20))
	before=$(hexat "$img" $((size - 4096)) 4096)
	[ "${before:$((2 * 3584)):16}" = 4546492050415254 ]	# "EFI PART"
	run bcache make -M "$loop" --force
	assert_success
	after=$(hexat "$img" $((size - 4096)) 4096)
	# only the 8 magic bytes of the last sector were erased; the backup
	# partition entries in the same page are the media's, not cached zeroes
	[ "${after:$((2 * 3584)):16}" = 0000000000000000 ]
	[ "${after:0:7168}${after:7184}" = "${before:0:7168}${before:7184}" ]
	[ "$(tr -d 0 <<< "${before:7184}")" != "" ]	# the header around it
}
