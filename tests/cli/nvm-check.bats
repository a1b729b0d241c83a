#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# bcache nvm check: one corruption per problem code, made by the generator;
# check reports exactly that code at that offset, exits 4 (0 when only
# informational), and never changes the image.  Hostile input stays bounded.

load helpers
load nvm-helpers

KP=$(( (K >> 12) & 0xfffffffffffff ))
S1=24576			# slot 1: owner A's record page
H1=$((8232 + 112))		# heads[1]

setup() {
	img=$(fresh_img ns.img 64M)
}

# attached, owner A with one order-12 allocation at page 4096 (slot 1, k 0)
base() {
	gen "$img" attach $K
	gen "$img" alloc 12 $OWNER_A > /dev/null
}

rec() { printf '0x%x' $(( (KP + $1) | ($2 << 52) )); }

@test "the base state is clean" {
	base
	check_only "$img" $EX_OK "" null
}

@test "SB_CSUM" {
	gen "$img" corrupt sb csum 0x1234
	check_only "$img" $EX_PROBLEMS SB_CSUM 4096
}

@test "SB_OFFSET" {
	gen "$img" set sb sb_offset 8192
	check_only "$img" $EX_PROBLEMS SB_OFFSET 4112
}

@test "SB_KEYS (csum recomputed over the keys)" {
	gen "$img" set sb keys 1
	check_only "$img" $EX_PROBLEMS SB_KEYS 4320
}

@test "SB_KEYS_RANGE" {
	gen "$img" corrupt sb keys 1000
	check_only "$img" $EX_PROBLEMS SB_KEYS_RANGE 4320
}

@test "SB_TOTAL_NS" {
	gen "$img" set sb total_namespaces_nr 2
	check_only "$img" $EX_PROBLEMS SB_TOTAL_NS 4164
}

@test "SB_THIS_NS_RANGE" {
	gen "$img" set sb this_namespace_nr 1
	check_only "$img" $EX_PROBLEMS SB_THIS_NS_RANGE 4168
}

@test "SB_THIS_NS_NONZERO (with the total that allows it)" {
	gen "$img" set sb total_namespaces_nr 2
	gen "$img" set sb this_namespace_nr 1
	check_only "$img" $EX_PROBLEMS SB_THIS_NS_NONZERO,SB_TOTAL_NS 4168
}

@test "SB_PAGE_SIZE" {
	gen "$img" set sb page_size 2048
	check_only "$img" $EX_PROBLEMS SB_PAGE_SIZE 4160
}

@test "SB_PAGES_TOTAL" {
	gen "$img" set sb pages_total 16385
	check_only "$img" $EX_PROBLEMS SB_PAGES_TOTAL 4240
}

@test "SB_PAGES_OFFSET" {
	gen "$img" set sb pages_offset $((16777216 + 4096))
	check_only "$img" $EX_PROBLEMS SB_PAGES_OFFSET 4232
}

@test "SB_NS_START" {
	gen "$img" set sb ns_start 1
	check_only "$img" $EX_PROBLEMS SB_NS_START 4104
}

@test "SB_UNUSED_FIELD" {
	gen "$img" set sb seq 1
	check_only "$img" $EX_PROBLEMS SB_UNUSED_FIELD 4200
}

@test "SB_OLH_NULL" {
	gen "$img" set sb owner_list_head 0
	check_only "$img" $EX_PROBLEMS SB_OLH_NULL 4312
}

@test "SB_OLH_WILD" {
	gen "$img" set sb owner_list_head 12345
	check_only "$img" $EX_PROBLEMS SB_OLH_WILD 4312
}

@test "DEV_TOO_SMALL" {
	small=$(fresh_img small.img 20M)
	gen "$small" set sb pages_total 4096
	truncate -s 16M "$small"
	check_only "$small" $EX_PROBLEMS DEV_TOO_SMALL 4240
}

@test "no superblock: exit 5" {
	gen "$img" corrupt sb magic 00000000000000000000000000000000
	run bcache nvm check "$img"
	assert_equal "$status" $EX_NOT_FOUND
}

@test "BASE_DISAGREE" {
	base
	gen "$img" poke 16384 $(printf '0x%x' $((K + 0x100000 + 8232)))
	check_only "$img" $EX_PROBLEMS BASE_DISAGREE,RP_OWNER 4312
}

@test "BASE_PARTIAL" {
	base
	gen "$img" corrupt head 0 'recs[0]' 16384
	check_only "$img" $EX_PROBLEMS BASE_PARTIAL 4312
}

@test "ATTACHED is informational: exit 0" {
	base
	run bcache nvm check --json "$img"
	assert_success
	assert_equal "$(jq -c '[.devices[].problems[] | [.code, .severity, .offset, .where]]' <<< "$output")" \
		'[["ATTACHED","info",4312,"sb.owner_list_head"]]'
}

@test "OL_SIZE" {
	base
	gen "$img" corrupt owner_list size 100
	check_only "$img" $EX_PROBLEMS OL_SIZE 8192
}

@test "OL_USED" {
	gen "$img" corrupt owner_list used 0
	check_only "$img" $EX_PROBLEMS OL_TAIL_NONZERO,OL_USED,SLOT_STALE 8232
}

@test "OL_FULL" {
	base
	gen "$img" corrupt owner_list size 2
	check_only "$img" $EX_PROBLEMS OL_FULL,OL_SIZE 8196
}

@test "OL_DUP_UUID" {
	base
	gen "$img" corrupt head 2 uuid $OWNER_A
	gen "$img" corrupt owner_list used 3
	check_only "$img" $EX_PROBLEMS OL_DUP_UUID $((8232 + 224))
}

@test "OL_SYS_HEAD is informational: exit 0" {
	gen "$img" corrupt head 0 label $(printf '%064x' 0)
	check_only "$img" $EX_OK OL_SYS_HEAD $((8232 + 16))
}

@test "OL_TAIL_NONZERO" {
	base
	gen "$img" corrupt head 5 uuid $OWNER_B
	check_only "$img" $EX_PROBLEMS OL_TAIL_NONZERO $((8232 + 560))
}

@test "PTR_RANGE" {
	base
	gen "$img" corrupt slot 1 next 0x7fffffffffffffff
	check_only "$img" $EX_PROBLEMS PTR_RANGE $((S1 + 8))
}

@test "PTR_NO_BASE" {
	gen "$img" set sb owner_list_head 12345
	gen "$img" corrupt head 0 'recs[1]' 0xffff888100006000
	check_only "$img" $EX_PROBLEMS PTR_NO_BASE,SB_OLH_WILD $((8232 + 56))
}

@test "PTR_SLOT" {
	base
	gen "$img" corrupt slot 1 next $((K + 24577))
	check_only "$img" $EX_PROBLEMS PTR_SLOT $((S1 + 8))
}

@test "PTR_FORM" {
	base
	gen "$img" corrupt head 1 'recs[0]' 24576
	check_only "$img" $EX_PROBLEMS PTR_FORM $((H1 + 48))
}

@test "CHAIN_LOOP" {
	base
	gen "$img" corrupt slot 1 next $((K + 24576))
	check_only "$img" $EX_PROBLEMS CHAIN_LOOP $((S1 + 8))
}

@test "CHAIN_SHARED" {
	base
	gen "$img" alloc 12 $OWNER_B > /dev/null
	gen "$img" corrupt head 2 'recs[1]' $((K + 24576))
	check_only "$img" $EX_PROBLEMS CHAIN_SHARED $((8232 + 224 + 56))
}

@test "RP_MAGIC" {
	base
	gen "$img" corrupt slot 1 magic 00000000000000000000000000000000
	check_only "$img" $EX_PROBLEMS RP_MAGIC $((S1 + 16))
}

@test "RP_OWNER_UUID" {
	base
	gen "$img" corrupt slot 1 owner_uuid $OWNER_B
	check_only "$img" $EX_PROBLEMS RP_OWNER_UUID $((S1 + 32))
}

@test "RP_OWNER" {
	base
	gen "$img" corrupt slot 1 owner $((K + 8232))
	check_only "$img" $EX_PROBLEMS RP_OWNER $S1
}

@test "RP_SIZE" {
	base
	gen "$img" corrupt slot 1 size 1000
	check_only "$img" $EX_PROBLEMS RP_SIZE $((S1 + 48))
}

@test "RP_USED" {
	base
	gen "$img" corrupt slot 1 used 2
	check_only "$img" $EX_PROBLEMS RP_USED $((S1 + 52))
}

@test "RP_USED_RANGE" {
	base
	gen "$img" corrupt slot 1 used 2000
	check_only "$img" $EX_PROBLEMS RP_USED_RANGE $((S1 + 52))
}

@test "REC_BELOW_BASE" {
	base
	gen "$img" rec 1 1 $(printf '0x%x' $KP)
	gen "$img" corrupt slot 1 used 2
	check_only "$img" $EX_PROBLEMS REC_BELOW_BASE $((S1 + 96))
}

@test "REC_V12 (a namespace-relative pgoff)" {
	base
	gen "$img" rec 1 1 5000
	gen "$img" corrupt slot 1 used 2
	check_only "$img" $EX_PROBLEMS REC_BELOW_BASE,REC_V12 $((S1 + 96))
}

@test "REC_ORDER" {
	base
	gen "$img" rec 1 1 $(rec 8192 20)
	gen "$img" corrupt slot 1 used 2
	check_only "$img" $EX_PROBLEMS REC_ORDER $((S1 + 96))
}

@test "REC_META" {
	base
	gen "$img" rec 1 1 $(rec 100 0)
	gen "$img" corrupt slot 1 used 2
	check_only "$img" $EX_PROBLEMS REC_META $((S1 + 96))
}

@test "REC_RANGE" {
	base
	gen "$img" rec 1 1 $(rec 16384 0)
	gen "$img" corrupt slot 1 used 2
	check_only "$img" $EX_PROBLEMS REC_RANGE $((S1 + 96))
}

@test "REC_ALIGN" {
	base
	gen "$img" rec 1 1 $(rec 8193 1)
	gen "$img" corrupt slot 1 used 2
	check_only "$img" $EX_PROBLEMS REC_ALIGN $((S1 + 96))
}

@test "REC_ALIGN: nvm dump shows the free space the v7 kernel rebuilds around it" {
	base
	# order 3 at page 8193: the kernel marks [8193, 8201) busy, frees the rest
	# of [8192, 16384) in maximal aligned blocks (before: one order-13 block)
	gen "$img" rec 1 1 $(rec 8193 3)
	gen "$img" corrupt slot 1 used 2
	run --separate-stderr bcache nvm dump --json "$img"
	assert_equal "$status" $EX_PROBLEMS	# REC_ALIGN is an error
	assert_equal "$(jq -c '.devices[0].summary | [.free, .largest_order, .largest_page]' \
		<<< "$output")" "[8184,12,12288]"
	assert_equal "$(jq -c '[.devices[0].free_blocks[] | [.order, .page, .count]]' <<< "$output")" \
		"[[0,8201,1],[0,8192,1],[1,8202,1],[2,8204,1],[4,8208,1],[5,8224,1],[6,8256,1],"\
"[7,8320,1],[8,8448,1],[9,8704,1],[10,9216,1],[11,10240,1],[12,12288,1]]"
	run --separate-stderr bcache nvm dump --json -o +valid "$img"
	assert_equal "$(jq -c '[.devices[0].allocations[] | [.page, .valid]]' <<< "$output")" \
		"[[4096,true],[8193,false]]"
}

@test "REC_OVERLAP (within an owner and across owners)" {
	base
	gen "$img" rec 1 1 $(rec 4097 0)
	gen "$img" corrupt slot 1 used 2
	check_only "$img" $EX_PROBLEMS REC_OVERLAP $((S1 + 96))
	gen "$img" rec 1 1 0
	gen "$img" corrupt slot 1 used 1
	gen "$img" alloc 12 $OWNER_B > /dev/null
	gen "$img" rec 2 0 $(rec 6144 11)
	check_only "$img" $EX_PROBLEMS REC_OVERLAP $((S1 + 8192 + 88))
}

@test "REC_FRESH" {
	gen "$img" rec 0 0 4096
	gen "$img" corrupt slot 0 used 1
	check_only "$img" $EX_PROBLEMS REC_FRESH $((16384 + 88))
}

@test "REC_EMPTY_BITS" {
	base
	gen "$img" rec 1 1 $((1 << 52))
	check_only "$img" $EX_PROBLEMS REC_EMPTY_BITS $((S1 + 96))
}

@test "REC_RESERVED" {
	base
	gen "$img" rec 1 0 $(printf '0x%x' $(( $(rec 4096 12) | (1 << 58) )))
	check_only "$img" $EX_PROBLEMS REC_RESERVED $((S1 + 88))
}

@test "SLOT_STALE is informational: exit 0" {
	base
	gen "$img" free 4096 12 $OWNER_A
	check_only "$img" $EX_OK SLOT_STALE $((S1 + 16))
}

@test "SLOT_ORPHAN" {
	base
	gen "$img" corrupt head 1 'recs[0]' 0
	check_only "$img" $EX_PROBLEMS SLOT_ORPHAN $((S1 + 16))
}

@test "SET_UUID" {
	b=$(mkimg b.img 64M)
	bcache make -M "$b" > /dev/null
	check_only "$img" $EX_OK "" null
	run bcache nvm check --json "$img" "$b"
	assert_equal "$status" $EX_PROBLEMS
	assert_equal "$(jq -c '[.devices[] | .device as $d | .problems[] | [$d, .code, .offset]]' <<< "$output")" \
		"[[\"$b\",\"SET_UUID\",4176]]"
}

@test "SET_DUP_NR" {
	b=$(fresh_img b.img 64M)
	run bcache nvm check --json "$img" "$b"
	assert_equal "$status" $EX_PROBLEMS
	assert_equal "$(jq -c '[.devices[] | .device as $d | .problems[] | [$d, .code, .offset]]' <<< "$output")" \
		"[[\"$b\",\"SET_DUP_NR\",4168]]"
}

@test "SET_TOTAL and SET_MISSING" {
	b=$(fresh_img b.img 64M)
	gen "$b" set sb total_namespaces_nr 3
	gen "$b" set sb this_namespace_nr 1
	run bcache nvm check --json "$img" "$b"
	assert_equal "$status" $EX_PROBLEMS
	assert_equal "$(jq -r '[.devices[].problems[] | .code] | sort | join(",")' <<< "$output")" \
		SB_THIS_NS_NONZERO,SB_TOTAL_NS,SET_TOTAL
	gen "$img" set sb total_namespaces_nr 3
	run bcache nvm check --json "$img" "$b"
	assert_equal "$(jq -c '[.devices[] | .device as $d | .problems[] |
		select(.code == "SET_MISSING") | [$d, .offset, .message]]' <<< "$output")" \
		"[[\"$img\",4164,\"namespace 2 of 3 of this set was not given\"]]"
}

@test "usage errors exit 2, unreadable devices exit 1" {
	run bcache nvm check
	assert_equal "$status" $EX_USAGE
	run bcache nvm check --frob "$img"
	assert_equal "$status" $EX_USAGE
	run bcache nvm check "$BATS_TEST_TMPDIR/missing.img"
	assert_equal "$status" $EX_ERROR
}

@test "hostile: a superblock claiming 8 TiB on a 20 MiB image is bounded" {
	small=$(fresh_img small.img 20M)
	gen "$small" set sb pages_total $((8 << 28))
	check_only "$small" $EX_PROBLEMS SB_PAGES_TOTAL 4240
	run timeout 10 "$BCACHE" nvm dump --json "$small"
	assert_equal "$status" $EX_PROBLEMS	# SB_PAGES_TOTAL is an error
	assert_equal "$(jq -c '.devices[0].summary | [.pages_total, .free, .largest_order]' \
		<<< "$output")" "[2147483648,$(( (8 << 28) - 4096 )),19]"
	assert_equal "$(jq -c '[.devices[0].free_blocks[] | select(.order == 19)]' <<< "$output")" \
		'[{"order":19,"page":524288,"count":4095,"offset":2147483648}]'
}

@test "hostile: huge used/size, pointers anywhere, every slot looping" {
	base
	{
		echo corrupt owner_list used 0xffffffff
		echo corrupt slot 1 size 0xffffffff
		for i in {0..7}; do
			echo corrupt head 1 "recs[$i]" $((K + 16384 + 8192 * (i * 300)))
		done
		for s in {2..50}; do
			echo corrupt slot $s magic 39253ff72717d0b910e6d2da386826ae
			echo corrupt slot $s next $((K + 16384 + 8192 * (s - 1)))
		done
	} | gen "$img" -
	before=$(digest "$img")
	run timeout 10 "$BCACHE" nvm check --json "$img"
	assert_equal "$status" $EX_PROBLEMS
	[ "$(jq '[.devices[].problems[]] | length' <<< "$output")" -gt 3 ]
	run timeout 10 "$BCACHE" nvm dump --json "$img"
	assert_equal "$status" $EX_PROBLEMS
	jq -e .schema_version <<< "$output" > /dev/null
	[ "$(digest "$img")" = "$before" ]
}

@test "a check that hits its cap of 10000 problems says how many it left out (text and JSON)" {
	img=$(fresh_img cap.img 128M)
	# 10100 records, then pages_total cut to 4097: every record is out of range
	printf 'attach %s\nbulk 10100 0 %s\nset sb pages_total 4097\n' $K $OWNER_A |
		gen "$img" - > /dev/null
	run --separate-stderr bcache nvm check --json "$img"
	assert_equal "$status" $EX_PROBLEMS
	assert_equal "$(jq '.devices[0].problems | length' <<< "$output")" 10001
	assert_equal "$(jq -c '.devices[0].problems[-1] | [.code, .severity, .message]' <<< "$output")" \
		'["DROPPED","info","100 more problems are not listed (the list holds 10000)"]'
	run --separate-stderr bcache nvm check "$img"
	assert_equal "$status" $EX_PROBLEMS
	[[ "$(tail -3 <<< "$output" | head -1)" == *"DROPPED"*"100 more problems are not listed"* ]]
	[[ "$(tail -1 <<< "$output")" == "$img: v7, attached"*"; 9999 errors, 0 warnings, 1 note" ]]
}
