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

KEYS='["superblock","owner_list_head","owners","record_pages","allocations","stale_slots","free_space","free_blocks","summary","problems"]'

@test "dump --json of 10000 records: one document, every allocation in order" {
	run bcache nvm dump --json "$img"
	assert_success
	assert_equal "$(jq -c keys_unsorted <<< "$output")" "$KEYS"
	assert_equal "$(jq '.allocations | length' <<< "$output")" 10000
	assert_equal "$(jq '[.allocations[].page] == [range(4096; 14096)]' <<< "$output")" true
	assert_equal "$(jq -c '.allocations[4095,4096,9999] | [.slot, .k, .offset]' \
		<<< "$output" | tr '\n' ' ')" "[5,43,33550336] [5,44,33554432] [10,882,57733120] "
	assert_equal "$(jq '.summary[0].records' <<< "$output")" 10000
}

@test "dump --json of two devices: chunks of both merged in one array" {
	other=$(mkimg other.img 1G)
	bcache make -M "$other" > /dev/null
	gen "$other" attach $K
	gen "$other" bulk 5000 0 $OWNER_B > /dev/null
	run bcache nvm dump --json "$img" "$other"
	assert_success
	assert_equal "$(jq -c keys_unsorted <<< "$output")" "$KEYS"
	assert_equal "$(jq -c '[(.allocations, .superblock, .free_space, .summary) | length]' \
		<<< "$output")" "[15000,2,40,2]"
	assert_equal "$(jq -r '[.allocations[9999,10000].device] | join(" ")' <<< "$output")" \
		"$img $other"
	assert_equal "$(jq '[.allocations[10000:][].page] == [range(4096; 9096)]' \
		<<< "$output")" true
}

@test "dump text of 10000 records: headings once, every row" {
	run bcache nvm dump "$img"
	assert_success
	rows=$(sed -n '/^allocations (10000 records)$/,/^$/p' <<< "$output")
	assert_equal "$(grep -c '^OWNER ' <<< "$rows")" 1
	assert_equal "$(awk 'NR > 2 && NF == 10 { print $6 }' <<< "$rows" | tr '\n' ' ')" \
		"$(seq -s ' ' 4096 14095) "
	# the widths of the first chunk are kept: the columns up to PGOFF of
	# rows 1 (first chunk) and 4097 (second chunk) line up
	assert_equal "$(sed -n '3p;4099p' <<< "$rows" | awk '{ print index($0, " 0x") }' |
		tr '\n' ' ')" "19 19 "
}

# Big JSON tables are written from a row template that libsmartcols rendered
# (cmd/output.c, out_row); BCACHE_TEST_NO_TEMPLATE (-Dtest_hooks=true) makes
# every row go through libsmartcols.  Both documents must be the same bytes.
same_both_ways() { # EXIT_STATUS ARGS...
	local want=$1 a=$BATS_TEST_TMPDIR/template.json b=$BATS_TEST_TMPDIR/scols.json rc
	shift
	BCACHE_TEST_FAULT_STEP=1 "$BCACHE" make -M "$(mkimg hooks.img 32M)" \
		>/dev/null 2>&1 && skip "built without -Dtest_hooks=true"
	rc=0
	"$BCACHE" "$@" > "$a" || rc=$?
	assert_equal "$rc" "$want"
	rc=0
	BCACHE_TEST_NO_TEMPLATE=1 "$BCACHE" "$@" > "$b" || rc=$?
	assert_equal "$rc" "$want"
	cmp "$a" "$b"
	output=$(cat "$a")
}

@test "dump --json: template rows are the bytes libsmartcols writes (10000 records)" {
	same_both_ways $EX_OK nvm dump --json "$img"
	assert_equal "$(jq '[.allocations[].page] == [range(4096; 14096)]' <<< "$output")" true
}

@test "dump --json: every column, booleans too, template and libsmartcols agree" {
	same_both_ways $EX_OK nvm dump --json -o "$(bcache nvm dump --list-columns |
		awk '{ print $1 }' | paste -sd,)" "$img"
	assert_equal "$(jq -c '.allocations[4096] | [.valid, .uuid, .record, .pgoff]' \
		<<< "$output")" \
		"[true,\"$OWNER_A\",\"0x000ffff888102000\",\"0xffff888102000\"]"
}

@test "dump --json: a device name libsmartcols must escape goes through libsmartcols" {
	odd="$BATS_TEST_TMPDIR/a \"b\\c é.img"
	truncate -s 1G "$odd"
	bcache make -M "$odd" > /dev/null
	gen "$odd" attach $K
	gen "$odd" bulk 5000 0 $OWNER_B > /dev/null
	same_both_ways $EX_OK nvm dump --json "$img" "$odd"
	assert_equal "$(jq -c '[.allocations | length, .[9999,10000,14999].device]' \
		<<< "$output")" "$(jq -nc --arg a "$img" --arg b "$odd" '[15000, $a, $b, $b]')"
}

@test "check --json of thousands of problems: template and libsmartcols agree" {
	# records at pages 4096..14095; a namespace of 8192 pages leaves
	# 5904 of them outside it
	gen "$img" set sb pages_total 8192
	same_both_ways $EX_PROBLEMS nvm check --json "$img"
	assert_equal "$(jq -c '[.problems[] | select(.code == "REC_RANGE")] |
		[length, .[0].where, .[-1].where]' <<< "$output")" \
		'[5904,"slot[5].recs[44]","slot[10].recs[882]"]'
}
