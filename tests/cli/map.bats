#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# bcache nvm map and journal show --map: the whole text of small maps made
# by code (make -M, the test-only generators nvm-gen and journal-gen), the
# colour rules, --width, the JSON values and the exit codes.

load helpers
load nvm-helpers

CSET=01234567-89ab-cdef-fedc-ba9876543210
JGEN=${JGEN:-${BCACHE%/*}/../tests/tools/journal-gen}

# small_v7: 64 MiB, attached at K; owner A: one order-10 and two order-4
# allocations, owner B: three single pages (pages 4096, 5120-5122, 5136, 5152)
small_v7() {
	img=$(fresh_img small.img 64M)
	gen "$img" - > /dev/null <<-EOF
	attach $K
	alloc 10 $OWNER_A 1
	alloc 0 $OWNER_B 3
	alloc 4 $OWNER_A 2
	EOF
}

# journal_pair: a 1 GiB namespace and a cache device whose v7 journal
# journal-gen wrote (16 buckets, 50 jsets), plus one allocation of owner A
journal_pair() {
	ns=$(mkimg ns.img 1G)
	cache=$(mkimg cache.img 1G)
	bcache make -M "$ns" -C "$cache" --cset-uuid $CSET --set-uuid $SET_UUID \
		--block 4k > /dev/null
	"$JGEN" "$ns" "$cache" --stride bytes --jsets 50 --base $K > /dev/null
	gen "$ns" alloc 3 $OWNER_A 1 > /dev/null
}

@test "nvm map: the whole text of a small v7 namespace" {
	small_v7
	run --separate-stderr bcache nvm map "$img"
	assert_success
	assert_equal "$stderr" ""
	assert_output "$img: 16384 pages (64 MiB), one cell = 16 pages (64 KiB), 64 cells a row
       0 B @###############################################################
     4 MiB ################################################################
     8 MiB ################################################################
    12 MiB ################################################################
    16 MiB AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
    20 MiB BAA.............................................................
    24 MiB ................................................................
    28 MiB ................................................................
    32 MiB ................................................................
    36 MiB ................................................................
    40 MiB ................................................................
    44 MiB ................................................................
    48 MiB ................................................................
    52 MiB ................................................................
    56 MiB ................................................................
    60 MiB ................................................................

Legend
SYMBOL KIND        OWNER UUID                                 LABEL RUNS PAGES     SIZE NOTE
@      header                                                          1     4   16 KiB 
R      record_page                                                     3     6   24 KiB 
#      reserved                                                        1  4086 15.9 MiB 
A      allocation      1 $OWNER_A          3  1056  4.1 MiB 
B      allocation      2 $OWNER_B          3     3   12 KiB 
.      free                                                           10 11229 43.8 MiB largest block: order 13

Problems
CODE     SEVERITY OFFSET WHERE              MESSAGE
ATTACHED info       4312 sb.owner_list_head attached with base K = $K; the next registration must map the namespace at the same address

$img: v7, attached (K $K), 3 owners, 6 allocations 4.1 MiB, free 43.8 MiB (91%), largest free 32 MiB; 0 errors, 0 warnings, 1 note"
}

@test "nvm map --width: cells a row and pages a cell follow the width; -b and -q" {
	small_v7
	# 60 columns: 48 cells a row, 32 pages a cell (16384 pages in 11 rows)
	run --separate-stderr bcache nvm map --width 60 -q -b "$img"
	assert_success
	assert_equal "$(head -1 <<< "$output")" \
		"$img: 16384 pages (67108864), one cell = 32 pages (131072), 48 cells a row"
	assert_equal "$(sed -n '2,12p' <<< "$output")" \
"       0 @###############################################
 6291456 ################################################
12582912 ################################AAAAAAAAAAAAAAAA
18874368 AAAAAAAAAAAAAAAAAA..............................
25165824 ................................................
31457280 ................................................
37748736 ................................................
44040192 ................................................
50331648 ................................................
56623104 ................................................
62914560 ................................"
	# A's pages 4096-5119 end row 2 (from page 3072) and start row 3; the cell of
	# pages 5120-5151 holds 3 pages of B and 16 of A: A's; 512 cells in all
	# -q: no health line; -b: raw sizes in the legend
	refute_output --partial "attached (K"
	assert_equal "$(awk '$1 == "A" { print $6, $7 }' <<< "$output")" "1056 4325376"
	# 120 columns: (120 - 11) / 16 * 16 = 96 cells a row
	run bcache nvm map --width 120 "$img"
	assert_equal "$(head -1 <<< "$output")" \
		"$img: 16384 pages (64 MiB), one cell = 16 pages (64 KiB), 96 cells a row"
	[ "$(sed -n 2p <<< "$output" | wc -c)" -eq $((11 + 96 + 1)) ]
}

@test "nvm map --color: always colours (exact bytes), never, NO_COLOR and pipes do not" {
	small_v7
	run bcache nvm map --width 40 --color=always "$img"
	assert_success
	# row 0: header, then reserved; row 4: A (cells of 64 pages); row 5: B, A, free
	local e=$'\033'
	assert_equal "$(sed -n 2p <<< "$output")" \
		"       0 B $e[0;30;47m@$e[0;37;100m###############$e[0m"
	assert_equal "$(sed -n 6p <<< "$output")" \
		"    16 MiB $e[0;30;42mAAAAAAAAAAAAAAAA$e[0m"
	# 64 pages a cell: B's 3 pages and A's 32 in the cell at 20 MiB: A's
	assert_equal "$(sed -n 7p <<< "$output")" \
		"    20 MiB $e[0;30;42mA$e[0;90m...............$e[0m"
	# the legend's symbols in the colours of their cells
	assert_line --regexp "^$e\[0;30;47m@ +$e\[0m header "
	assert_line --regexp "^$e\[0;30;42mA +$e\[0m allocation "
	assert_line --regexp "^$e\[0;97;44mB +$e\[0m allocation "
	assert_line --regexp "^$e\[0;90m\. +$e\[0m free "
	# 16 pages a cell: B's cell, then A's two
	run bcache nvm map --color=always "$img"
	assert_equal "$(sed -n 7p <<< "$output")" \
		"    20 MiB $e[0;97;44mB$e[0;30;42mAA$e[0;90m$(printf '%.0s.' {1..61})$e[0m"
	# --color=always wins over NO_COLOR
	run env NO_COLOR=1 "$BCACHE" nvm map --color=always "$img"
	assert_output --partial "$e["
	# a pipe (auto, the default), never, and NO_COLOR on a terminal: no ESC at all
	run bcache nvm map "$img"
	refute_output --partial "$e"
	run bcache nvm map --color=never "$img"
	refute_output --partial "$e"
	command -v script > /dev/null || skip "no script(1) for a terminal"
	# on a terminal (script(1) gives a pseudo-terminal): colours, unless NO_COLOR is set
	run script -qec "$BCACHE nvm map --width 80 $img" /dev/null
	assert_output --partial "$e[0;30;42mA"
	run script -qec "env NO_COLOR= $BCACHE nvm map --width 80 $img" /dev/null
	refute_output --partial "$e["
	run script -qec "$BCACHE nvm map --width 80 --color=never $img" /dev/null
	refute_output --partial "$e["
}

@test "nvm map --json: the runs cover the namespace in page order, legend and map values" {
	small_v7
	run --separate-stderr bcache nvm map --json "$img"
	assert_success
	assert_equal "$(jq -c '.devices[0].map' <<< "$output")" \
		'{"pages_total":16384,"reserved":4096,"cell_pages":16,"cells_per_row":64,"rows":16}'
	assert_equal "$(jq -c '[.devices[0].runs[] | [.start, .pages, .kind, .owner, .order]]' \
		<<< "$output")" '[[0,4,"header",null,null],[4,2,"record_page",0,null],'\
'[6,2,"record_page",1,null],[8,2,"record_page",2,null],[10,4086,"reserved",null,null],'\
'[4096,1024,"allocation",1,10],[5120,1,"allocation",2,0],[5121,1,"allocation",2,0],'\
'[5122,1,"allocation",2,0],[5123,1,"free",null,0],[5124,4,"free",null,2],[5128,8,"free",null,3],'\
'[5136,16,"allocation",1,4],[5152,16,"allocation",1,4],[5168,16,"free",null,4],'\
'[5184,64,"free",null,6],[5248,128,"free",null,7],[5376,256,"free",null,8],'\
'[5632,512,"free",null,9],[6144,2048,"free",null,11],[8192,8192,"free",null,13]]'
	# contiguous, and the free runs are dump's free blocks
	assert_equal "$(jq '[.devices[0].runs[] | .pages] | add' <<< "$output")" 16384
	assert_equal "$(jq '[.devices[0].runs as $r | range(1; $r | length) |
		select($r[.].start != $r[. - 1].start + $r[. - 1].pages)] | length' <<< "$output")" 0
	assert_equal "$(jq -c '[.devices[0].legend[] | [.symbol, .kind, .owner, .uuid, .runs, .pages,
		.size, .note]]' <<< "$output")" '[["@","header",null,null,1,4,16384,null],'\
'["R","record_page",null,null,3,6,24576,null],["#","reserved",null,null,1,4086,16736256,null],'\
"[\"A\",\"allocation\",1,\"$OWNER_A\",3,1056,4325376,null],"\
"[\"B\",\"allocation\",2,\"$OWNER_B\",3,3,12288,null],"\
'[".","free",null,null,10,11229,45993984,"largest block: order 13"]]'
	run bcache nvm dump --json "$img"
	assert_equal "$(jq '[.devices[0].free_space[] | .pages] | add' <<< "$output")" 11229
}

@test "nvm map: an nvmpg namespace, whole map and runs" {
	img=$(mkimg v13.img 64M)
	bcache make -M "$img" --revision v13 --set-uuid $SET_UUID --uuid $NS_UUID > /dev/null
	gen "$img" - > /dev/null <<-EOF
	alloc 9 $OWNER_A 2
	alloc 1 $OWNER_B 1
	EOF
	run --separate-stderr bcache nvm map --width 40 -q "$img"
	assert_success
	assert_equal "$(sed -n '1,7p' <<< "$output")" \
"$img: 16384 pages (64 MiB), one cell = 64 pages (256 KiB), 16 cells a row
       0 B @###############
     4 MiB ################
     8 MiB ################
    12 MiB ################
    16 MiB AAAAAAAAAAAAAAAA
    20 MiB B..............."
	assert_equal "$(awk '$2 == "allocation" { print $1, $3, $4, $5, $6 }' <<< "$output")" \
		"A 1 $OWNER_A 2 1024
B 2 $OWNER_B 1 2"
	run bcache nvm map --json "$img"
	assert_equal "$(jq -c '[.devices[0].runs[] | select(.kind == "allocation") |
		[.start, .pages, .owner, .order]]' <<< "$output")" \
		'[[4096,512,1,9],[4608,512,1,9],[5120,2,2,1]]'
}

@test "nvm map: the journal is marked (J), its legend row names the owner and the seqs" {
	journal_pair
	run --separate-stderr bcache nvm map --width 40 "$ns"
	assert_success
	# 1 GiB in cells of 1024 pages (4 MiB): the journal's 8 MiB region at 16 MiB
	assert_equal "$(sed -n '1,3p' <<< "$output")" \
"$ns: 262144 pages (1 GiB), one cell = 1024 pages (4 MiB), 16 cells a row
       0 B @###JJA.........
    64 MiB ................"
	assert_equal "$(awk '$1 == "J"' <<< "$output")" \
		"J      journal         1 $CSET          1   2048     8 MiB seq 1-50 on the media"
	run bcache nvm map --json "$ns"
	assert_equal "$(jq -c '[.devices[0].runs[] | select(.kind == "journal" or .kind == "allocation") |
		[.start, .pages, .kind, .owner, .order]]' <<< "$output")" \
		'[[4096,2048,"journal",1,11],[6144,8,"allocation",2,3]]'
}

@test "nvm map: several devices, and the errors (exit codes of bcache(8))" {
	small_v7
	local other second
	other=$(mkimg other.img 16M)
	second=$(mkimg second.img 64M)
	bcache make -M "$second" > /dev/null
	# (two namespaces numbered 0 given together are the set problem SET_DUP_NR)
	run --separate-stderr bcache nvm map -q --width 40 "$img" "$second"
	assert_equal "$(grep ': 16384 pages' <<< "$output")" \
"$img: 16384 pages (64 MiB), one cell = 64 pages (256 KiB), 16 cells a row
$second: 16384 pages (64 MiB), one cell = 64 pages (256 KiB), 16 cells a row"
	# a device without a superblock: 5, the other one still mapped
	run --separate-stderr bcache nvm map -q "$other" "$img"
	assert_equal "$status" $EX_NOT_FOUND
	assert_equal "$stderr" "bcache: $other: no nvm-pages superblock (magic at byte 4128 not found)"
	assert_output --partial "$img: 16384 pages"
	run --separate-stderr bcache nvm map "$BATS_TEST_TMPDIR/missing.img"
	assert_equal "$status" $EX_ERROR
	run --separate-stderr bcache nvm map
	assert_equal "$status" $EX_USAGE
	run --separate-stderr bcache nvm map --width 39 "$img"
	assert_equal "$status" $EX_USAGE
	assert_equal "$(head -1 <<< "$stderr")" \
		"bcache nvm map: --width: '39' is not a number of columns in [40, 1024]"
	run --separate-stderr bcache nvm map --width 80x "$img"
	assert_equal "$status" $EX_USAGE
	run --separate-stderr bcache nvm map --color=sometimes "$img"
	assert_equal "$status" $EX_USAGE
	assert_equal "$(head -1 <<< "$stderr")" \
		"bcache nvm map: --color: 'sometimes' is not auto, always or never"
	# a problem of severity error: 4, as nvm dump
	gen "$img" set sb pages_total 99999 > /dev/null
	run --separate-stderr bcache nvm map -q "$img"
	assert_equal "$status" $EX_PROBLEMS
}

@test "journal show --map: buckets with their seqs, cur_idx and where the kernel resumes" {
	journal_pair
	run --separate-stderr bcache journal show --map "$ns" -C "$cache"
	assert_equal "$status" $EX_PROBLEMS
	assert_equal "$(sed -n '/^Journal map/,/^$/p' <<< "$output")" \
"Journal map (jsets of the media view by bucket; buckets of the cache superblock's d[])
BUCKET   OFFSET JSETS SEQS STATE KERNEL_SEQ NOTE
     0 16777216     0      empty            
     1 16778240    50 1-50 live             
     2 16779264     0      empty            
     3 16780288     0      empty            
     4 16781312     0      empty            
     5 16782336     0      empty            
     6 16783360     0      empty            
     7 16784384     0      empty            
     8 16785408     0      empty            
     9 16786432     0      empty         50 cur_idx: the kernel's newest
    10 16787456     0      empty            resumes here, over live seq 4-50
    11 16788480     0      empty            
    12 16789504     0      empty            
    13 16790528     0      empty            
    14 16791552     0      empty            
    15 16792576     0      empty            "
	# no jsets table
	refute_output --partial "Jsets"
	run --separate-stderr bcache journal show --map --json "$ns" -C "$cache"
	# the kernel's probe finds bucket 9 second and never reads bucket 1: no read order
	assert_equal "$(jq -c '[.devices[0].journal_map[] | select(.jsets > 0 or .note != null) |
		[.bucket, .offset, .jsets, .seqs, .state, .read_order, .kernel_seq, .note]]' <<< "$output")" \
		'[[1,16778240,50,"1-50","live",null,null,null],[9,16786432,0,null,"empty",1,50,'\
'"cur_idx: the kernel'"'"'s newest"],[10,16787456,0,null,"empty",3,null,'\
'"resumes here, over live seq 4-50"]]'
	[ "$(jq '.devices[0] | has("jsets")' <<< "$output")" = false ]
}

@test "journal show --map: bucket stride, stale buckets, and without -C the inferred geometry" {
	# the bucket-bytes stride: buckets do not overlap; 300 jsets of 200 keys,
	# 64 a bucket, last_seq 20 behind: the buckets before the newest are stale
	ns=$(mkimg ns.img 1G)
	cache=$(mkimg cache.img 1G)
	bcache make -M "$ns" -C "$cache" --cset-uuid $CSET --set-uuid $SET_UUID \
		--block 4k > /dev/null
	"$JGEN" "$ns" "$cache" --stride bucket --jsets 300 --keys-per-jset 200 --lag 20 \
		> /dev/null
	run --separate-stderr bcache journal show --map --json "$ns" -C "$cache"
	assert_success
	assert_equal "$(jq -c '[.devices[0].journal_map[] | select(.bucket <= 7) |
		[.bucket, .jsets, .seqs, .state, .note]]' <<< "$output")" \
		'[[0,0,null,"empty",null],[1,64,"1-64","stale",null],[2,64,"65-128","stale",null],'\
'[3,64,"129-192","stale",null],[4,64,"193-256","stale",null],'\
'[5,44,"257-300","live","cur_idx: the kernel'"'"'s newest"],[6,0,null,"empty","resumes here"],'\
'[7,0,null,"empty",null]]'
	# every seq once
	assert_equal "$(jq '[.devices[0].journal_map[].jsets] | add' <<< "$output")" 300
	# without -C: the same buckets from the inferred geometry, no kernel columns
	run --separate-stderr bcache journal show --map --json "$ns"
	assert_success
	assert_equal "$(jq -c '[.devices[0].journal_map[] | select(.bucket <= 6) |
		[.bucket, .jsets, .seqs, .state, .note]]' <<< "$output")" \
		'[[0,0,null,"empty",null],[1,64,"1-64","stale",null],[2,64,"65-128","stale",null],'\
'[3,64,"129-192","stale",null],[4,64,"193-256","stale",null],[5,44,"257-300","live",null],'\
'[6,0,null,"empty",null]]'
	[ "$(jq '[.devices[0].journal_map[] | select(.kernel_seq != null or .read_order != null)] |
		length' <<< "$output")" = 0 ]
}

@test "journal show --map without a geometry: says so" {
	# one owner allocation with no jset: no geometry can be inferred
	img=$(fresh_img plain.img 64M)
	gen "$img" - > /dev/null <<-EOF
	attach $K
	alloc 4 $OWNER_A 1
	EOF
	run --separate-stderr bcache journal show --map "$img" --cset-uuid $OWNER_A
	assert_equal "$status" $EX_PROBLEMS
	assert_line "Journal map: no bucket geometry (none could be inferred from the media: give the cache device, -C)"
}

@test "nvm map: a superblock claiming 2^64 - 1 pages: 16 rows, sizes saturate, exit 4" {
	small_v7
	gen "$img" set sb pages_total 0xffffffffffffffff > /dev/null
	run --separate-stderr bcache nvm map -q --width 40 "$img"
	assert_equal "$status" $EX_PROBLEMS
	assert_equal "$(sed -n '1,3p' <<< "$output")" \
"$img: 18446744073709551615 pages (15.9 EiB), one cell = 72057594037927936 pages (15.9 EiB), 16 cells a row
       0 B A...............
  15.9 EiB ................"
	[ "$(grep -c '^ *[0-9.]* [KMGTPE]*i*B [A-Z.@#]' <<< "$output")" -eq 16 ]
	assert_equal "$(awk '$1 == "." { print $3, $4 }' <<< "$output")" "35 18446744073709546460"
	assert_line --regexp '^SB_PAGES_TOTAL +error +4240 '
}
