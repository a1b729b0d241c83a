#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Tables larger than one output chunk (OUT_CHUNK_LINES = 4096 lines): the
# allocations of nvm dump are printed in chunks, the document is unchanged.

load helpers
load nvm-helpers

setup() {
	img=$(fresh_img ns.img 1G)
	gen "$img" attach $K
	gen "$img" bulk 10000 0 $OWNER_A > /dev/null
}

KEYS='["device","superblock","owner_list_head","owners","record_pages","allocations","stale_slots","free_space","free_blocks","summary","problems"]'

@test "dump --json of 10000 records: one document, every allocation in order" {
	run bcache nvm dump --json "$img"
	assert_success
	assert_equal "$(jq -c keys_unsorted <<< "$output")" '["schema_version","devices"]'
	assert_equal "$(jq -c '.devices[0] | keys_unsorted' <<< "$output")" "$KEYS"
	assert_equal "$(jq '.devices[0].allocations | length' <<< "$output")" 10000
	assert_equal "$(jq '[.devices[0].allocations[].page] == [range(4096; 14096)]' <<< "$output")" true
	assert_equal "$(jq -c '.devices[0].allocations[4095,4096,9999] | [.slot, .k, .offset]' \
		<<< "$output" | tr '\n' ' ')" "[5,43,33550336] [5,44,33554432] [10,882,57733120] "
	assert_equal "$(jq '.devices[0].summary.records' <<< "$output")" 10000
}

@test "dump --json of two devices: one object per device, in order" {
	other=$(mkimg other.img 1G)
	bcache make -M "$other" > /dev/null
	gen "$other" attach $K
	gen "$other" bulk 5000 0 $OWNER_B > /dev/null
	# two namespaces of different sets given together: SET_UUID, an error (exit 4)
	run bcache nvm dump --json "$img" "$other"
	assert_equal "$status" $EX_PROBLEMS
	assert_equal "$(jq -c '[.devices[] | keys_unsorted] | unique' <<< "$output")" "[$KEYS]"
	assert_equal "$(jq -c '[.devices[] | (.allocations, .free_space) | length]' \
		<<< "$output")" "[10000,20,5000,20]"
	assert_equal "$(jq -r '[.devices[].device] | join(" ")' <<< "$output")" "$img $other"
	assert_equal "$(jq '[.devices[1].allocations[].page] == [range(4096; 9096)]' \
		<<< "$output")" true
}

@test "dump text of 10000 records: headings once, every row" {
	run bcache nvm dump "$img"
	assert_success
	rows=$(sed -n '/^Allocations (10000 records)$/,/^$/p' <<< "$output")
	assert_equal "$(grep -c '^OWNER ' <<< "$rows")" 1
	assert_equal "$(awk 'NR > 2 && NF == 11 { print $6 }' <<< "$rows" | tr '\n' ' ')" \
		"$(seq -s ' ' 4096 14095) "
	# the widths of the first chunk are kept: the columns up to PGOFF of
	# rows 1 (first chunk) and 4097 (second chunk) line up
	assert_equal "$(sed -n '3p;4099p' <<< "$rows" | awk '{ print index($0, " 0x") }' |
		tr '\n' ' ')" "19 19 "
}

# The document is written by yajl as the rows come: it must parse, and
# hold what was asked for, whatever the device names.
json_run() { # EXIT_STATUS ARGS...
	local want=$1 a=$BATS_TEST_TMPDIR/doc.json rc=0
	shift
	"$BCACHE" "$@" > "$a" || rc=$?
	assert_equal "$rc" "$want"
	jq -e .schema_version "$a" > /dev/null
	output=$(cat "$a")
}

@test "dump --json: 10000 records parse as one document" {
	json_run $EX_OK nvm dump --json "$img"
	assert_equal "$(jq '[.devices[0].allocations[].page] == [range(4096; 14096)]' <<< "$output")" true
}

@test "dump --json: every column, booleans too" {
	json_run $EX_OK nvm dump --json -o "$(bcache nvm dump --list-columns |
		awk '{ print $1 }' | paste -sd,)" "$img"
	assert_equal "$(jq -c '.devices[0].allocations[4096] | [.valid, .uuid, .record, .pgoff]' \
		<<< "$output")" \
		"[true,\"$OWNER_A\",\"0x000ffff888102000\",\"0xffff888102000\"]"
}

@test "dump --json: a device name that must be escaped" {
	odd="$BATS_TEST_TMPDIR/a \"b\\c é.img"
	truncate -s 1G "$odd"
	bcache make -M "$odd" > /dev/null
	gen "$odd" attach $K
	gen "$odd" bulk 5000 0 $OWNER_B > /dev/null
	json_run $EX_PROBLEMS nvm dump --json "$img" "$odd"	# SET_UUID: two sets
	assert_equal "$(jq -c '[(.devices[] | .allocations | length), .devices[].device]' \
		<<< "$output")" "$(jq -nc --arg a "$img" --arg b "$odd" '[10000, 5000, $a, $b]')"
}

@test "check --json of thousands of problems" {
	# records at pages 4096..14095; a namespace of 8192 pages leaves
	# 5904 of them outside it
	gen "$img" set sb pages_total 8192
	json_run $EX_PROBLEMS nvm check --json "$img"
	assert_equal "$(jq -c '[.devices[].problems[] | select(.code == "REC_RANGE")] |
		[length, .[0].where, .[-1].where]' <<< "$output")" \
		'[5904,"slot[5].recs[44]","slot[10].recs[882]"]'
}

@test "200000 records: the allocation array leaves the heap for a growing mapping, nothing lost" {
	# the library keeps 65536 allocations on the heap, then an anonymous
	# mapping with huge pages that grows by mremap (131072, 262144 entries)
	big=$(fresh_img big.img 1G)
	gen "$big" attach $K
	assert_equal "$(gen "$big" bulk 200000 0 $OWNER_A)" 200000
	run bcache nvm dump --json -o slot,k,page "$big"
	assert_success
	assert_equal "$(jq '.devices[0].allocations | length' <<< "$output")" 200000
	assert_equal "$(jq '[.devices[0].allocations[].page] == [range(4096; 204096)]' \
		<<< "$output")" true
	assert_equal "$(jq -c '.devices[0].allocations[65535,65536,131072,199999] |
		[.slot, .k, .page]' <<< "$output" | tr '\n' ' ')" \
		"[65,703,69631] [65,704,69632] [130,395,135168] [198,438,204095] "
	assert_equal "$(jq -c '.devices[0].summary | [.records, .allocated]' \
		<<< "$output")" "[200000,200000]"
	run bcache nvm check "$big"
	assert_success
	assert_line -n 3 "$big: v7, attached (K $K), 2 owners, 200000 allocations 781.2 MiB, \
free 226.7 MiB (22%), largest free 128 MiB; 0 errors, 0 warnings, 1 note"
}
