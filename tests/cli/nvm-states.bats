#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Kernel-made states (test-only generator): exact dump values against an
# independent model, and a clean nvm check.

load helpers
load nvm-helpers

setup() {
	img=$(fresh_img ns.img 1G)
}

@test "fresh 1 GiB: free blocks 4096/12 ... 131072/17, 258048 pages free" {
	run bcache nvm dump --json "$img"
	assert_success
	assert_equal "$(free_rows "$output")" "$(expect_free 262144 4096)"
	assert_equal "$(jq -c '[.devices[0].free_blocks[] | [.page, .order]]' <<< "$output")" \
		'[[4096,12],[8192,13],[16384,14],[32768,15],[65536,16],[131072,17]]'
	assert_equal "$(jq -c '.devices[0].summary | [.pages_total, .reserved, .allocated, .free,
		.largest_order, .largest_page]' <<< "$output")" '[262144,4096,0,258048,17,131072]'
	assert_equal "$(jq -c '[.devices[0].free_space[] | .blocks]' <<< "$output")" \
		'[0,0,0,0,0,0,0,0,0,0,0,0,1,1,1,1,1,1,0,0]'
	assert_equal "$(jq '.devices[0].allocations | length' <<< "$output")" 0
	run bcache nvm check "$img"
	assert_success
}

@test "attached: anchors converted with K, csum recomputed, check clean (info only)" {
	gen "$img" attach $K
	run bcache nvm dump --json "$img"
	assert_success
	assert_equal "$(jq -r '.devices[0].superblock | [.state, .base, .owner_list_head, .csum_ok] |
		join(" ")' <<< "$output")" "attached 0xffff888100000000 0xffff888100002000 true"
	assert_equal "$(jq -r '.devices[0].owners[0].recs[0]' <<< "$output")" 0xffff888100004000
	assert_equal "$(jq -r '.devices[0].record_pages[0].owner' <<< "$output")" 0xffff888100002028
	assert_equal "$(hexat "$img" 4096 8)" ef74f2154b67d944
	run bcache nvm check --json "$img"
	assert_success
	assert_equal "$(jq -r '[.devices[].problems[].code] | join(",")' <<< "$output")" ATTACHED
}

@test "order-15 allocation lands at page 32768: documented record bytes, 225280 free" {
	gen "$img" attach $K
	run gen "$img" alloc 15 $OWNER_A
	assert_output 32768
	assert_equal "$(hexat "$img" $((24576 + 88)) 8)" 00801088f8ffff00
	run bcache nvm dump --json "$img"
	assert_equal "$(jq -c '.devices[0].allocations[0] | [.owner, .ns, .slot, .k, .pgoff, .page, .order,
		.pages, .offset, .length]' <<< "$output")" \
		'[1,0,1,0,"0xffff888108000",32768,15,32768,134217728,134217728]'
	assert_equal "$(jq -c '[.devices[0].free_blocks[] | [.page, .order]]' <<< "$output")" \
		'[[4096,12],[8192,13],[16384,14],[65536,16],[131072,17]]'
	assert_equal "$(jq '.devices[0].summary.free' <<< "$output")" 225280
	assert_equal "$(jq -c '.devices[0].owners[1] | [.uuid, .label, .records, .pages_allocated]' \
		<<< "$output")" "[\"$OWNER_A\",null,1,32768]"
	run bcache nvm check "$img"
	assert_success
}

@test "order-11 allocation lands at page 4096: 6144/11 and no order-12 block, 256000 free" {
	gen "$img" attach $K
	run gen "$img" alloc 11 $OWNER_A
	assert_output 4096
	run bcache nvm dump --json "$img"
	assert_equal "$(jq -c '[.devices[0].free_blocks[] | [.page, .order]]' <<< "$output")" \
		'[[6144,11],[8192,13],[16384,14],[32768,15],[65536,16],[131072,17]]'
	assert_equal "$(jq '.devices[0].summary.free' <<< "$output")" 256000
	assert_equal "$(free_rows "$output")" "$(expect_free 262144 4096 4096:11)"
}

@test "three owners with frees leaving holes and a stale slot" {
	gen "$img" attach $K
	assert_equal "$(gen "$img" alloc 12 $OWNER_A)" 4096
	assert_equal "$(gen "$img" alloc 13 $OWNER_B)" 8192
	assert_equal "$(gen "$img" alloc 12 $OWNER_C)" 16384
	assert_equal "$(gen "$img" alloc 12 $OWNER_A)" 20480
	gen "$img" free 8192 13 $OWNER_B
	gen "$img" free 4096 12 $OWNER_A
	run bcache nvm dump --json "$img"
	assert_success
	assert_equal "$(jq -c '[.devices[0].allocations[] | [.owner, .slot, .k, .page, .order]]' \
		<<< "$output")" '[[1,1,1,20480,12],[3,3,0,16384,12]]'
	assert_equal "$(jq -c '[.devices[0].stale_slots[] | [.slot, .owner, .next, .owner_uuid, .size,
		.used, .nonempty]]' <<< "$output")" "[[2,\"0x0\",\"0x0\",\"$OWNER_B\",1013,0,0]]"
	assert_equal "$(jq -r '.devices[0].owners[2].recs[0]' <<< "$output")" 0x0
	assert_equal "$(free_rows "$output")" \
		"$(expect_free 262144 4096 20480:12 16384:12)"
	assert_equal "$(jq -c '.devices[0].summary | [.allocated, .free, .stale_slots]' <<< "$output")" \
		'[8192,249856,1]'
	assert_equal "$(jq -c '[.devices[0].owners[] | .pages_allocated]' <<< "$output")" '[0,4096,0,4096]'
	run bcache nvm check --json "$img"
	assert_success
	assert_equal "$(jq -r '[.devices[].problems[].code] | join(",")' <<< "$output")" ATTACHED,SLOT_STALE
	# the stale slot is reused, lowest free slot first, records not cleared
	assert_equal "$(gen "$img" alloc 0 $OWNER_B)" 4096
	run bcache nvm dump --json "$img"
	assert_equal "$(jq -c '[.devices[0].record_pages[] | select(.head == 2) | .slot]' <<< "$output")" '[2]'
}

@test "an owner with 1014 records uses two record pages; bulk writes the same bytes" {
	gen "$img" attach $K
	run gen "$img" alloc 0 $OWNER_A 1014
	assert_success
	assert_equal "$(sed -n '1p;1014p' <<< "$output" | tr '\n' ' ')" "4096 5109 "
	run bcache nvm dump --json "$img"
	assert_equal "$(jq -c '[.devices[0].record_pages[] | [.slot, .head, .used, .nonempty, .next]]' \
		<<< "$output")" \
		'[[0,0,0,0,"0x0"],[1,1,1013,1013,"0xffff888100008000"],[2,1,1,1,"0x0"]]'
	assert_equal "$(jq -c '.devices[0].allocations[1013] | [.slot, .k, .page]' <<< "$output")" '[2,0,5109]'
	assert_equal "$(free_rows "$output")" "$(expect_free 262144 5110)"
	assert_equal "$(jq '.devices[0].summary.free' <<< "$output")" $((262144 - 5110))
	run bcache nvm check "$img"
	assert_success
	other=$(fresh_img other.img 1G)
	gen "$other" attach $K
	assert_equal "$(gen "$other" bulk 1014 0 $OWNER_A)" 1014
	assert_equal "$(digest "$other")" "$(digest "$img")"
}

@test "bulk of order 3 matches repeated allocations on an odd-sized namespace" {
	a=$(fresh_img a.img 1152M)
	b=$(fresh_img b.img 1152M)
	gen "$a" attach $K
	gen "$b" attach $K
	gen "$a" alloc 15 $OWNER_B > /dev/null
	gen "$b" alloc 15 $OWNER_B > /dev/null
	gen "$a" alloc 3 $OWNER_A 1100 > /dev/null
	gen "$b" bulk 1100 3 $OWNER_A
	assert_equal "$(digest "$a")" "$(digest "$b")"
}

@test "strncpy-truncated owner_uuid: dump decodes, check reports RP_UUID_TRUNC" {
	gen "$img" attach $K
	trunc=11111111-2200-3333-4444-555555555555
	assert_equal "$(gen "$img" alloc 12 $trunc)" 4096
	assert_equal "$(hexat "$img" $((24576 + 32)) 16)" 11111111220000000000000000000000
	run bcache nvm dump --json "$img"
	assert_equal "$(jq -c '[.devices[0].allocations[] | [.owner, .page, .order]]' <<< "$output")" \
		"[[1,4096,12]]"
	check_only "$img" $EX_PROBLEMS RP_UUID_TRUNC $((24576 + 32))
}

@test "two-namespace set: decoded together, one set uuid, numbers 0 and 1" {
	a=$(mkimg a.img 64M)
	b=$(mkimg b.img 64M)
	bcache make -M "$a" -M "$b" --set-uuid $SET_UUID > /dev/null
	run bcache nvm dump --json "$a" "$b"
	assert_equal "$status" $EX_PROBLEMS	# SB_TOTAL_NS is an error
	assert_equal "$(jq -c '[.devices[].superblock | [.set_uuid, .total_namespaces_nr,
		.this_namespace_nr, .state]]' <<< "$output")" \
		"[[\"$SET_UUID\",2,0,\"fresh\"],[\"$SET_UUID\",2,1,\"no-owner-table\"]]"
	assert_equal "$(jq -c '[.devices[].summary.free]' <<< "$output")" '[12288,12288]'
	assert_equal "$(free_rows "$output" | jq -c '[.[] | [.page, .order]]')" \
		'[[4096,12],[8192,13],[4096,12],[8192,13]]'
	run bcache nvm check --json "$a" "$b"
	assert_equal "$status" $EX_PROBLEMS
	assert_equal "$(jq -r '[.devices[].problems[] | .code] | sort | join(",")' <<< "$output")" \
		SB_THIS_NS_NONZERO,SB_TOTAL_NS,SB_TOTAL_NS
}

@test "dump --tree, --hex, --owner and -o" {
	gen "$img" attach $K
	gen "$img" alloc 15 $OWNER_A > /dev/null
	gen "$img" alloc 12 $OWNER_B > /dev/null
	run bcache nvm dump --tree "$img"
	assert_success
	assert_line --regexp "^owner 1 $OWNER_A"
	assert_line --regexp '^  `-recs\[0\] +32768 +15 +32768 +134217728$'
	run bcache nvm dump --hex superblock "$img"
	assert_success
	assert_line --regexp '^00001020 17 bd 53 7f 1b 23 d6 83  46 a4 f8 28 17 da ec a9 '
	run bcache nvm dump --hex slot:9999 "$img"
	assert_equal "$status" $EX_USAGE
	run bcache nvm dump --json --owner $OWNER_B "$img"
	assert_equal "$(jq -c '[.devices[0].allocations[] | .page], [.devices[0].owners[] | .index]' <<< "$output" |
		tr -d '\n')" '[4096][2]'
	run bcache nvm dump -o slot,k,page,order "$img"
	assert_line --regexp '^ +1 +0 +32768 +15$'
	run bcache nvm dump -o nope "$img"
	assert_equal "$status" $EX_USAGE
	run bcache nvm dump --list-columns
	assert_success
	assert_line --regexp '^pgoff +stored pgoff'
}
