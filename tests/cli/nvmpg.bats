#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The nvmpg (v12/v13) revision: make -M --revision v13 against the bytes the
# v13-era formatter writes, the states the real v13 kernel left (recorded
# below as facts, rebuilt by the test-only generators), one test per nvmpg
# problem code, the journal with nvmpg d[], show, rebase and the revision in
# text and JSON.

load helpers
load nvm-helpers

JGEN=${JGEN:-${BCACHE%/*}/../tests/tools/journal-gen}
CSET=3b7f1e2a-5c4d-4e6f-8a9b-0c1d2e3f4a5b
# the size of the fsdax namespace the real v13 kernel used (254 MiB)
REAL_NS=266338304

# Facts: what the v13-era formatter (bcache-tools, nvdimm_meta branch)
# writes on a 1 GiB namespace with uuid 00..0f and set_uuid 10..1f: these
# three ranges, every other byte of [0, 16 MiB) zero, nothing beyond.
FMT_SB=7426b5086366cbd600100000000000000000000000000000000000000000000017bd537f1b23d68346a4f82817daeca9000102030405060708090a0b0c0d0e0f00100000010000000000000000000000101112131415161718191a1b1c1d1e1f00000000000000000000000000000000000000000000000000000000000000000000000000000000000000010000000000000400000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000
FMT_SET_HEADER=43000000010000000000000000000000000000000000000000000000000000000000000000000000101112131415161718191a1b1c1d1e1f6e766d70675f7379735f616c6c6f630000000000000000000000000000000000010000000000000000400000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
FMT_SYSRECS=2820000000000000000000000000000039253ff72717d0b910e6d2da386826ae101112131415161718191a1b1c1d1e1ff5030000000000000000000000000000000000000000000000000000000000000000000000000000

# fresh_pg NAME SIZE: make -M --revision v13 with the fixed uuids
fresh_pg() {
	local f
	f=$(mkimg "$1" "$2")
	bcache make -M "$f" --revision v13 --set-uuid $SET_UUID --uuid $NS_UUID > /dev/null || return 1
	echo "$f"
}

# put IMG OFFSET HEX: write bytes at an offset
put() {
	xxd -r -p <<< "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

@test "make -M --revision v13: byte for byte what the v13-era formatter writes" {
	img=$(fresh_pg ns.img 1G)
	want=$(mkimg want.img 1G)
	put "$want" 4096 $FMT_SB
	put "$want" 8192 $FMT_SET_HEADER
	put "$want" 16384 $FMT_SYSRECS
	cmp "$img" "$want"
	# the checksum of the spec's example E4
	[ "$(xxd -p -s 4096 -l 8 "$img")" = 7426b5086366cbd6 ]
}

@test "make -M --revision v13: text and JSON name the revision; v7 stays the default" {
	img=$(mkimg ns.img 64M)
	run bcache make -M "$img" --revision v13 --set-uuid $SET_UUID --uuid $NS_UUID
	assert_success
	assert_line --index 1 --regexp '^type +nvm-pages namespace \(nvmpg\)$'
	assert_line --regexp '^set_header_offset +0x2000$'
	run bcache make -M "$img" --force --json --set-uuid $SET_UUID --uuid $NS_UUID
	assert_success
	assert_equal "$(jq -r '.devices[0].namespace.revision' <<< "$output")" v7
	run bcache make -M "$img" --force --revision v9
	assert_failure $EX_USAGE
}

@test "make -M --revision v13 -C: the namespace set_uuid is its own (as the v13-era formatter); d[] and keys left to the kernel" {
	ns=$(mkimg ns.img 64M)
	cache=$(mkimg cache.img 64M)
	bcache make -M "$ns" --revision v13 -C "$cache" --bucket 64k --cset-uuid $CSET \
		--uuid $NS_UUID > /dev/null
	run bcache show --json "$ns"
	[ "$(jq -r '.devices[0].superblock.set_uuid' <<< "$output")" != $CSET ]
	run bcache show --json "$cache"
	assert_equal "$(jq -c '.devices[0].superblock | [.version, .feature_incompat, .keys,
		.first_bucket, .revision]' <<< "$output")" '[5,"0x0000000000000004",0,1,null]'
	[ "$(xxd -p -s $((4096 + 208)) -l 2048 "$cache" | tr -d '0\n')" = "" ]
}

@test "nvm dump: the fresh nvmpg layout, revision in text and JSON" {
	img=$(fresh_pg ns.img 1G)
	run bcache nvm dump "$img"
	assert_success
	assert_line --index 0 "$img: nvm-pages superblock at byte 4096 (nvmpg, offsets), checksum ok"
	assert_line --regexp '^revision +nvmpg$'
	assert_line --regexp '^set_header_offset +0x2000$'
	run bcache nvm dump --json "$img"
	assert_success
	assert_equal "$(jq -c '.devices[0].superblock | [.revision, .state, .base, .sb_offset, .ns_start,
		.total_ns, .this_ns, .pages_total]' <<< "$output")" \
		'["nvmpg","offsets","none","0x1000","0x0000000000000000",1,0,262144]'
	assert_equal "$(jq -c '.devices[0].set_header | [.size, .used]' <<< "$output")" '[67,1]'
	assert_equal "$(jq -c '.devices[0].owners[0] | [.label, .state, .flags, .recs_offset[0],
		.uuid]' <<< "$output")" "[\"nvmpg_sys_alloc\",1,\"0x0\",\"0x4000\",\"$SET_UUID\"]"
	assert_equal "$(jq -c '.devices[0].record_pages[0] | [.slot, .offset, .head_offset, .next_offset,
		.size, .used]' <<< "$output")" '[0,16384,"0x2028","0x0",1013,0]'
	# the buddy the v13 kernel rebuilds: orders 12..17 at 4096 * 2^k
	assert_equal "$(jq -c '[.devices[0].free_blocks[] | [.order, .page]]' <<< "$output")" \
		'[[12,4096],[13,8192],[14,16384],[15,32768],[16,65536],[17,131072]]'
}

@test "NVMPG_V13_BUG and NVMPG_V13_REPLAY: every nvmpg namespace that passes the checks, informational (exit 0)" {
	img=$(fresh_pg ns.img 64M)
	check_only "$img" $EX_OK NVMPG_V13_BUG,NVMPG_V13_REPLAY 4240
	run bcache nvm check --json "$img"
	assert_equal "$(jq -c '[.devices[0].problems[] | [.code, .severity, .offset, .where]]' <<< "$output")" \
		'[["NVMPG_V13_REPLAY","info",4312,"sb.set_header_offset"],["NVMPG_V13_BUG","info",4240,"sb.pages_total"]]'
	# 64 MiB: free blocks of orders 12 and 13, no order twice: no BUG, but page 0
	assert_equal "$(jq -r '.devices[0].problems[] | select(.code == "NVMPG_V13_BUG") | .message' <<< "$output")" \
		"an unmodified v13 kernel registers this namespace (no order repeats among its free blocks) but files every free block as page 0: its allocations return offset 0, which callers take for failure"
	# the real kernel's 254 MiB namespace: orders 12, 13, 14, 14, 13, 12, ...: the BUG
	img=$(fresh_pg real.img $REAL_NS)
	run bcache nvm check --json "$img"
	assert_equal "$(jq -r '.devices[0].problems[] | select(.code == "NVMPG_V13_BUG") | .message' <<< "$output")" \
		"an unmodified v13 kernel hits a kernel BUG in lib/list_debug.c registering this namespace: its buddy set-up files every free block as page 0, and order 12 has 2 free blocks"
}

# The real v13 kernel (with the two fixes), on a 254 MiB fsdax namespace the
# v13-era formatter made and a 64 MiB cache of 64 KiB buckets and 512-byte
# blocks (cache set 3b7f1e2a-...), left (facts, read back with O_DIRECT):
#   set_header.used = 2; heads[1] at 8352 = { cset uuid, label 0, state 1,
#   flags 0, recs_offset[0] = 0x6000 }; the list at 0x6000 = { head_offset
#   0x20a0, next 0, magic, uuid = cset uuid, size 1013, used 1, recs[0] =
#   0x007000000000fc00 (pgoff 64512, order 7, ns_id 0) }; keys 8, d[i] =
#   0xfc00000 + i * 0x10000; the first jset at d[1].
REAL_HEAD1=3b7f1e2a5c4d4e6f8a9b0c1d2e3f4a5b0000000000000000000000000000000000000000000000000000000000000000010000000000000000600000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
REAL_LIST1=a020000000000000000000000000000039253ff72717d0b910e6d2da386826ae3b7f1e2a5c4d4e6f8a9b0c1d2e3f4a5bf503000001000000000000000000000000000000000000000000000000000000000000000000000000fc000000007000
REAL_D=0000c00f000000000000c10f000000000000c20f000000000000c30f000000000000c40f000000000000c50f000000000000c60f000000000000c70f00000000

# real_state NJSETS: that state, by make -M --revision v13 and journal-gen
real_state() {
	ns=$(mkimg ns.img $REAL_NS)
	cache=$(mkimg cache.img 64M)
	bcache make -M "$ns" --revision v13 --uuid $NS_UUID --set-uuid $SET_UUID -C "$cache" \
		--bucket 64k --block 512 --cset-uuid $CSET > /dev/null
	"$JGEN" "$ns" "$cache" --jsets "$1" --print > "$BATS_TEST_TMPDIR/gen.txt"
}

@test "journal-gen: the owner head, record list and d[] the real v13 kernel wrote" {
	real_state 23
	[ "$(xxd -p -s 8196 -l 4 "$ns")" = 02000000 ]
	[ "$(xxd -p -s 8352 -l 120 "$ns" | tr -d '\n')" = $REAL_HEAD1 ]
	[ "$(xxd -p -s 24576 -l 96 "$ns" | tr -d '\n')" = $REAL_LIST1 ]
	[ "$(xxd -p -s $((4096 + 206)) -l 2 "$cache")" = 0800 ]
	[ "$(xxd -p -s $((4096 + 208)) -l 64 "$cache" | tr -d '\n')" = $REAL_D ]
	run bcache nvm check "$ns"
	assert_success
}

@test "journal show: the v13 journal decodes (owner head by the cache set uuid, record, d[], every jset from d[1])" {
	real_state 23
	run bcache journal show --json "$ns" -C "$cache"
	assert_success
	assert_equal "$(jq -c '.devices[0].journals[0] | [.owner, .set_uuid, .region_offset, .region_bytes,
		.kernel_finds_record, .stride, .buckets, .bucket_size, .block_size, .base,
		.revision]' <<< "$output")" \
		"[1,\"$CSET\",$((0xfc00000)),524288,true,\"bucket bytes (v12)\",8,128,1,\"none\",\"nvmpg\"]"
	assert_equal "$(jq -c '.devices[0].summary[] | select(.view == "kernel") | [.newest_seq, .present,
		.missing, .cur_idx, .complete]' <<< "$output")" '[23,23,0,1,true]'
	# every jset the writer wrote, at the offset it wrote it, the first at d[1]
	want=$(awk '$1 == "jset" { sub("seq=", "", $2); sub("offset=", "", $3); print $2, $3 }' \
		"$BATS_TEST_TMPDIR/gen.txt")
	got=$(jq -r '.devices[0].jsets[] | select(.view == "kernel") | "\(.seq) \(.offset)"' <<< "$output")
	assert_equal "$got" "$want"
	assert_equal "$(head -n1 <<< "$got")" "1 $((0xfc10000))"
	run bcache journal show "$ns" -C "$cache" --summary
	assert_line --partial "Summary (kernel: the v13 kernel's read;"
}

@test "journal extract: the replay range of a v13 journal, raw" {
	real_state 5
	run bcache journal extract "$ns" -C "$cache" -o "$BATS_TEST_TMPDIR/j.bin"
	assert_success
	# the first jset of the file is seq 1, read from d[1]
	[ "$(xxd -p -s 16 -l 8 "$BATS_TEST_TMPDIR/j.bin")" = 0100000000000000 ]
	cmp -n 240 "$BATS_TEST_TMPDIR/j.bin" <(dd if="$ns" bs=1 skip=$((0xfc10000)) count=240 status=none)
}

@test "show: a cache device's d[] decoded as nvmpg offsets, revision nvmpg, no CSB_NVDIMM_D" {
	real_state 3
	run bcache show -m "$cache"	# d[] are among the stored fields (-m)
	assert_success
	assert_line "Journal buckets d[0..7]: nvmpg offsets (v12/v13)"
	run bcache show --json "$cache"
	assert_success
	assert_equal "$(jq -c '[.devices[0].superblock.revision, [.devices[0].journal_buckets[] | [.ns_id,
		.offset]][1], ([.devices[0].problems[]?.code] | length)]' <<< "$output")" \
		"[\"nvmpg\",[0,$((0xfc10000))],0]"
}

@test "CSB_NVDIMM_D: an nvmpg d[] table with a kernel address in it" {
	real_state 3
	python3 - "$cache" <<'EOF'
import struct, sys
f = open(sys.argv[1], 'r+b')
f.seek(4096 + 208 + 8 * 3)
f.write(struct.pack('<Q', 0xffff888100000000))
EOF
	# the checksum is recomputed over the changed table
	run bcache show --json "$cache"
	assert_equal "$(jq -r '[.devices[0].problems[].code] | sort | unique | join(",")' <<< "$output")" \
		CSB_CSUM,CSB_NVDIMM_D
}

@test "leaked region: a second allocation under the journal's head (the cache re-made, the namespace kept, as the real kernel left it)" {
	real_state 3
	gen "$ns" alloc 7 $CSET
	run bcache nvm dump --json "$ns"
	assert_equal "$(jq -c '[.devices[0].allocations[] | [.pgoff, .page, .order]]' <<< "$output")" \
		'[["0xfc00",64512,7],["0xfc80",64640,7]]'
	run bcache journal show --json --summary "$ns" -C "$cache"
	assert_equal "$(jq -r '[.devices[0].problems[].code] | join(",")' <<< "$output")" J_LEAKED_REGION,J_STRIDE
}

@test "nvm-gen: v13 allocations land where the v13 buddy puts them; a free clears the record" {
	img=$(fresh_pg ns.img $REAL_NS)
	run gen "$img" alloc 10 $OWNER_A
	assert_output 63488
	run gen "$img" alloc 7 $OWNER_B 2
	assert_output $'64512\n64640'
	gen "$img" free 64512 7 $OWNER_B
	run bcache nvm dump --json -o owner,slot,k,record,ns_id "$img"
	assert_equal "$(jq -c '[.devices[0].allocations[] | [.owner, .slot, .k, .record, .ns_id]]' <<< "$output")" \
		'[[1,1,0,"0x00a000000000f800",0],[2,2,1,"0x007000000000fc80",0]]'
	assert_equal "$(xxd -p -s $((32768 + 88)) -l 8 "$img")" 0000000000000000
	check_only "$img" $EX_OK NVMPG_V13_BUG,NVMPG_V13_REPLAY 4240
}

@test "SB_OFFSET (nvmpg): sb_offset is not OFFSET(this_ns, 4096)" {
	img=$(fresh_pg ns.img 64M)
	gen "$img" set sb sb_offset 8192
	check_only "$img" $EX_PROBLEMS NVMPG_V13_REPLAY,SB_OFFSET 4312
	run bcache nvm check --json "$img"
	assert_equal "$(jq -c '.devices[0].problems[] | select(.code == "SB_OFFSET") | [.offset, .where,
		.message]' <<< "$output")" \
		'[4104,"sb.sb_offset","sb_offset is 0x2000, expected 0x1000 (OFFSET(this_ns, 4096))"]'
}

@test "SB_HEADER_OFFSET: set_header_offset is not OFFSET(this_ns, 8192); the table is not walked" {
	img=$(fresh_pg ns.img 64M)
	gen "$img" set sb set_header_offset 0x4000
	check_only "$img" $EX_PROBLEMS NVMPG_V13_REPLAY,SB_HEADER_OFFSET 4312
	run bcache nvm dump --json "$img"
	assert_equal "$(jq -c '[.devices[0].superblock.state, (.devices[0].owners | length)]' <<< "$output")" \
		'["no-owner-table",0]'
}

@test "SB_TOTAL_NS (nvmpg)" {
	img=$(fresh_pg ns.img 64M)
	gen "$img" set sb total_ns 2
	check_only "$img" $EX_PROBLEMS NVMPG_V13_REPLAY,SB_TOTAL_NS 4312
}

@test "SB_UNUSED_FIELD (nvmpg): ns_start" {
	img=$(fresh_pg ns.img 64M)
	gen "$img" set sb ns_start 7
	check_only "$img" $EX_PROBLEMS NVMPG_V13_BUG,NVMPG_V13_REPLAY,SB_UNUSED_FIELD 4240
	run bcache nvm check --json "$img"
	assert_equal "$(jq -r '.devices[0].problems[] | select(.code == "SB_UNUSED_FIELD") | .offset' <<< "$output")" 4112
}

@test "OL_SIZE (nvmpg): set header size is not 67" {
	img=$(fresh_pg ns.img 64M)
	gen "$img" set set_header size 72
	check_only "$img" $EX_PROBLEMS NVMPG_V13_REPLAY,OL_SIZE 4312
}

@test "OL_HEAD_STATE: a head neither FREE nor ALLOC" {
	img=$(fresh_pg ns.img 64M)
	gen "$img" alloc 12 $OWNER_A > /dev/null
	gen "$img" set head 1 state 2
	check_only "$img" $EX_PROBLEMS NVMPG_V13_BUG,NVMPG_V13_REPLAY,OL_HEAD_STATE 4240
	run bcache nvm check --json "$img"
	assert_equal "$(jq -c '.devices[0].problems[] | select(.code == "OL_HEAD_STATE") | [.offset, .where]' \
		<<< "$output")" '[8400,"heads[1].state"]'
}

@test "OL_HEAD_FREE: a FREE head below used is skipped, its list left unwalked" {
	img=$(fresh_pg ns.img 64M)
	gen "$img" alloc 12 $OWNER_A > /dev/null
	gen "$img" set head 1 state 0
	run bcache nvm check --json "$img"
	assert_equal "$status" $EX_PROBLEMS
	assert_equal "$(jq -r '[.devices[0].problems[].code] | sort | join(",")' <<< "$output")" \
		NVMPG_V13_BUG,NVMPG_V13_REPLAY,OL_HEAD_FREE,SLOT_ORPHAN
}

@test "PTR_NS_ID: a record-list offset naming another namespace" {
	img=$(fresh_pg ns.img 64M)
	gen "$img" alloc 12 $OWNER_A > /dev/null
	gen "$img" set head 1 'recs_offset[0]' $(( (1 << 61) | 24576 ))
	check_only "$img" $EX_PROBLEMS NVMPG_V13_REPLAY,PTR_NS_ID,SLOT_ORPHAN 4312
	run bcache nvm check --json "$img"
	assert_equal "$(jq -c '.devices[0].problems[] | select(.code == "PTR_NS_ID") | [.offset, .where]' \
		<<< "$output")" '[8408,"heads[1].recs_offset[0]"]'
}

@test "PTR_SLOT (nvmpg): only 64 record-list slots" {
	img=$(fresh_pg ns.img 64M)
	gen "$img" alloc 12 $OWNER_A > /dev/null
	gen "$img" set head 1 'recs_offset[0]' $((16384 + 8192 * 64))
	check_only "$img" $EX_PROBLEMS NVMPG_V13_REPLAY,PTR_SLOT,SLOT_ORPHAN 4312
}

@test "RP_OWNER (nvmpg): head_offset is not its head" {
	img=$(fresh_pg ns.img 64M)
	gen "$img" alloc 12 $OWNER_A > /dev/null
	gen "$img" set slot 1 head_offset 8232
	check_only "$img" $EX_PROBLEMS NVMPG_V13_REPLAY,RP_OWNER 4312
	run bcache nvm check --json "$img"
	assert_equal "$(jq -r '.devices[0].problems[] | select(.code == "RP_OWNER") | .message' <<< "$output")" \
		"head_offset is 0x2028, expected 0x20a0 (head 1)"
}

@test "RP_USED_REGISTER and REC_EMPTY_BITS: the record the posted v13 kernel leaves after its BUG (pgoff 0, order 10)" {
	img=$(fresh_pg ns.img 64M)
	gen "$img" alloc 10 $OWNER_A > /dev/null
	gen "$img" rec 1 0 0x00a0000000000000
	check_only "$img" $EX_PROBLEMS NVMPG_V13_REPLAY,REC_EMPTY_BITS,RP_USED_REGISTER 4312
	run bcache nvm check --json "$img"
	assert_equal "$(jq -r '.devices[0].problems[] | select(.code == "RP_USED_REGISTER") | [.offset, .message]
		| @tsv' <<< "$output")" "$((24576 + 52))	used is 1, 0 records are non-empty (pgoff != 0)"
}

@test "REC_NS_ID: a record of another namespace" {
	img=$(fresh_pg ns.img 64M)
	gen "$img" alloc 12 $OWNER_A > /dev/null
	gen "$img" rec 1 0 $(( 4096 | (12 << 52) | (2 << 58) ))
	check_only "$img" $EX_PROBLEMS NVMPG_V13_REPLAY,REC_NS_ID 4312
	run bcache nvm dump --json -o ns_id,valid "$img"
	assert_equal "$(jq -c '[.devices[0].allocations[0].ns_id, .devices[0].allocations[0].valid]' <<< "$output")" '[2,false]'
}

@test "REC_RESERVED (nvmpg): bits 61-63" {
	img=$(fresh_pg ns.img 64M)
	gen "$img" alloc 12 $OWNER_A > /dev/null
	gen "$img" rec 1 0 $(( 4096 | (12 << 52) | (1 << 61) ))
	check_only "$img" $EX_PROBLEMS NVMPG_V13_BUG,NVMPG_V13_REPLAY,REC_RESERVED 4240
}

@test "nvm rebase refuses nvmpg: offsets need no rebase (exit 3), nothing written" {
	img=$(fresh_pg ns.img 64M)
	before=$(digest "$img")
	run --separate-stderr bcache nvm rebase "$img" --base 0xffff888200000000
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $img: an nvm-pages namespace of the nvmpg (v12/v13) revision: it stores namespace offsets, not kernel addresses, so there is nothing to rebase"
	[ "$(digest "$img")" = "$before" ]
}

@test "journal repair refuses nvmpg (exit 3)" {
	real_state 3
	run --separate-stderr bcache journal repair "$ns" -C "$cache"
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $ns: refusing to repair: journal repair writes v7 journal tables; this namespace is the nvmpg (v12/v13) revision"
}

@test "show and nvm list name the revision" {
	img=$(fresh_pg ns.img 64M)
	run bcache show --json "$img"
	assert_success
	assert_equal "$(jq -c '.devices[0].superblock | [.revision, .sb_offset, .set_header_offset,
		.total_ns]' <<< "$output")" '["nvmpg","0x1000","0x2000",1]'
	run bcache show "$img"
	assert_line --index 0 "$img: nvm-pages namespace superblock at byte 4096 (nvmpg), checksum ok"
}

@test "nvm dump --hex set_header: the set header's bytes under its nvmpg name (owner_list's bytes)" {
	img=$(fresh_pg ns.img 64M)
	run bcache nvm dump --hex set_header "$img"
	assert_success
	assert_line --index 0 "$img: set_header, bytes [8192, 16384)"
	assert_line --index 2 "00002000 43 00 00 00 01 00 00 00  00 00 00 00 00 00 00 00 C..............."
	assert_line --index 8 "00002060 00 40 00 00 00 00 00 00  00 00 00 00 00 00 00 00 .@.............."
	assert_equal "${#lines[@]}" 12	# the rows of zeros after heads[0] folded into one "*"
	run bcache nvm dump --hex set_header --json "$img"
	sh=$(jq -c '.devices[0].hex' <<< "$output")
	run bcache nvm dump --hex owner_list --json "$img"
	assert_equal "$(jq -c '.devices[0].hex' <<< "$output")" "$sh"
	assert_equal "$(jq -r '.devices[0].hex[2].hex' <<< "$output")" \
		"00 00 00 00 00 00 00 00  $(xxd -p -s $((8192 + 40)) -l 8 "$img" | sed 's/../& /g; s/ $//')"
}

# ---- nvmpg namespaces given together (bcache-nvm-pages(5), NVMPG, Sets) ----

# probs JSON: "device code where" of every problem but the informational
# NVMPG_V13_* ones, sorted, with the device as a or b
probs() {
	jq -r --arg a "$a" --arg b "$b" '.devices[] | .device as $d | .problems[] |
		select(.code | startswith("NVMPG_V13") | not) |
		"\(if $d == $a then "a" elif $d == $b then "b" else $d end) \(.code) \(.offset) \(.where)"' \
		<<< "$1" | sort
}

@test "make -M A B --revision v13: refused (exit 2), a v13 kernel uses one namespace; nothing written" {
	a=$(mkimg a.img 32M)
	b=$(mkimg b.img 32M)
	run --separate-stderr bcache make -M "$a" "$b" --revision v13
	assert_equal "$status" $EX_USAGE
	assert_equal "${stderr_lines[0]}" "bcache make: --revision v13 formats one namespace, but 2 -M devices were given: a v13 kernel uses exactly one (total_ns 1); format each with its own 'bcache make'"
	[ "$(xxd -p "$a" "$b" | tr -d '0\n')" = "" ]
	# each on its own: two sets of one
	bcache make -M "$a" --revision v13 > /dev/null
	bcache make -M "$b" --revision v13 > /dev/null
	run bcache nvm check "$a"
	assert_success
}

@test "nvmpg sets: two namespaces made apart share a number (SET_DUP_NR) or not a set uuid (SET_UUID), named as nvmpg names them" {
	a=$(fresh_pg a.img 64M)
	b=$(mkimg b.img 64M)
	bcache make -M "$b" --revision v13 --set-uuid $SET_UUID > /dev/null
	run bcache nvm check --json "$a" "$b"
	assert_equal "$status" $EX_PROBLEMS
	assert_equal "$(probs "$output")" "b SET_DUP_NR 4168 sb.this_ns"
	assert_equal "$(jq -r '.devices[].problems[] | select(.code == "SET_DUP_NR") | .message' <<< "$output")" \
		"this_ns is 0, as on $a"
	bcache make -M "$b" --force --revision v13 --set-uuid $OWNER_A > /dev/null
	run bcache nvm check --json "$a" "$b"
	assert_equal "$(probs "$output")" "b SET_UUID 4176 sb.set_uuid"
}

# The v13-era formatter given two namespaces (make-bcache -M A B) writes on
# namespace i: its own random set_uuid, total_ns 2, this_ns i, sb_offset
# 4096 (no namespace id), set_header_offset 8192 on namespace 0 and 0 on the
# others, and the set header and system record list on both (facts, from its
# source).  Rebuilt here from make -M --revision v13 and nvm-gen.
@test "nvmpg sets: the v13-era formatter's two-namespace output fails its kernel's checks, each reported" {
	a=$(fresh_pg a.img 64M)
	b=$(mkimg b.img 64M)
	bcache make -M "$b" --revision v13 --set-uuid $OWNER_A --uuid $NS_UUID > /dev/null
	gen "$a" set sb total_ns 2
	# (this_ns last: nvm-gen reads the revision anew for each line, and
	# this_ns 1 with sb_offset 4096 fits no rule: the set header decides)
	printf '%s\n' "set sb total_ns 2" "set sb set_header_offset 0" "set sb this_ns 1" | gen "$b" -
	[ "$(xxd -p -s 4104 -l 8 "$b")" = 0010000000000000 ]
	run bcache nvm check --json "$a" "$b"
	assert_equal "$status" $EX_PROBLEMS
	assert_equal "$(probs "$output")" "a SB_TOTAL_NS 4164 sb.total_ns
a SET_MISSING 4164 sb.total_ns
b SB_HEADER_OFFSET 4312 sb.set_header_offset
b SB_OFFSET 4104 sb.sb_offset
b SB_THIS_NS_NONZERO 4168 sb.this_ns
b SB_TOTAL_NS 4164 sb.total_ns
b SET_UUID 4176 sb.set_uuid"
	assert_equal "$(jq -r '.devices[].problems[] | select(.code == "SB_OFFSET") | .message' <<< "$output")" \
		"sb_offset is 0x1000, expected 0x2000000000001000 (OFFSET(this_ns, 4096))"
	# dump decodes both, exit 4 for the same error-level problems; namespace
	# 1 has no set header the walk may follow
	run bcache nvm dump --json "$a" "$b"
	assert_failure $EX_PROBLEMS
	assert_equal "$(jq -c '[.devices[].superblock | [.revision, .total_ns, .this_ns, .sb_offset,
		.set_header_offset, .state]]' <<< "$output")" \
		'[["nvmpg",2,0,"0x1000","0x2000","offsets"],["nvmpg",2,1,"0x1000","0x0","no-owner-table"]]'
}

# nvmpg_ns1 IMG TOTAL: make a fresh nvmpg namespace number 1 of TOTAL, with
# sb_offset and set_header_offset OFFSET(1, ...) (raw stores: between two
# single field changes the superblock fits no revision rule)
nvmpg_ns1() {
	printf '%s\n' "poke 4104 $(( (1 << 61) | 4096 ))" "poke 4168 1" \
		"poke 4312 $(( (1 << 61) | 8192 ))" "set sb total_ns $2" | gen "$1" -
}

# A two-namespace set as the v13 kernel's own checks describe it: one set
# uuid, sb_offset and set_header_offset OFFSET(this_ns, ...), namespace 1's
# offsets carrying its id.  Only total_ns and this_ns stand in the way.
@test "nvmpg sets: a set that passes every check but total_ns: namespace 1 walked by its own offsets" {
	a=$(fresh_pg a.img 64M)
	b=$(fresh_pg b.img 64M)
	gen "$a" set sb total_ns 2
	nvmpg_ns1 "$b" 2
	printf '%s\n' "set head 0 recs_offset[0] $(( (1 << 61) | 16384 ))" \
		"set slot 0 head_offset $(( (1 << 61) | 8232 ))" | gen "$b" -
	run bcache nvm check --json "$a" "$b"
	assert_equal "$status" $EX_PROBLEMS
	assert_equal "$(probs "$output")" "a SB_TOTAL_NS 4164 sb.total_ns
b SB_THIS_NS_NONZERO 4168 sb.this_ns
b SB_TOTAL_NS 4164 sb.total_ns"
	run bcache nvm dump --json "$a" "$b"
	assert_failure $EX_PROBLEMS
	assert_equal "$(jq -c '[.devices[].superblock | [.this_ns, .sb_offset, .set_header_offset,
		.state]]' <<< "$output")" \
		'[[0,"0x1000","0x2000","offsets"],[1,"0x2000000000001000","0x2000000000002000","offsets"]]'
	assert_equal "$(jq -c --arg b "$b" '[.devices[] | select(.device == $b) | .record_pages[] |
		[.slot, .offset, .head_offset]]' <<< "$output")" '[[0,16384,"0x2000000000002028"]]'
}

@test "nvmpg sets: SET_REVISION, a v7 and an nvmpg namespace given together" {
	a=$(fresh_pg a.img 64M)
	b=$(mkimg b.img 64M)
	bcache make -M "$b" --set-uuid $SET_UUID > /dev/null
	run bcache nvm check --json "$a" "$b"
	assert_equal "$status" $EX_PROBLEMS
	assert_equal "$(probs "$output")" "b SET_REVISION 4096 sb"
	assert_equal "$(jq -r '.devices[].problems[] | select(.code == "SET_REVISION") | .message' <<< "$output")" \
		"the revision is v7, $a is nvmpg"
	# one JSON document, each device object under its own revision's field
	# names (v7: owner_list_head, recs, owner/next; nvmpg: set_header_offset,
	# recs_offset, head_offset/next_offset).  dump runs the set checks too:
	# SET_REVISION is an error, so exit 4 with the whole document
	run --separate-stderr bcache nvm dump --json "$b" "$a"
	assert_failure $EX_PROBLEMS
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '[.devices[] | [.device, .superblock.revision, .superblock.state,
		.superblock.owner_list_head, .superblock.set_header_offset,
		.superblock.total_namespaces_nr, .superblock.total_ns, .superblock.sb_offset]]' \
		<<< "$output")" \
		"[[\"$b\",\"v7\",\"fresh\",\"0x2000\",null,1,null,4096],[\"$a\",\"nvmpg\",\"offsets\",null,\"0x2000\",null,1,\"0x1000\"]]"
	assert_equal "$(jq -c '[.devices[] | [.owner_list_head.size, .set_header.size]]' \
		<<< "$output")" '[[72,null],[null,67]]'
	assert_equal "$(jq -c '[.devices[] | [.owners[0].label, .owners[0].recs[0],
		.owners[0].recs_offset[0], .record_pages[0].owner, .record_pages[0].head_offset,
		.record_pages[0].next, .record_pages[0].next_offset]]' <<< "$output")" \
		'[["nvm_pages_internal","0x4000",null,"0x2028",null,"0x0",null],["nvmpg_sys_alloc",null,"0x4000",null,"0x2028",null,"0x0"]]'
	assert_equal "$(jq -r '.devices[] | .device as $d | .problems[] |
		select(.code == "SET_REVISION") | "\($d) \(.message)"' <<< "$output")" \
		"$a the revision is nvmpg, $b is v7"
	run bcache nvm dump "$b" "$a"
	assert_failure $EX_PROBLEMS
	assert_line "$b: nvm-pages superblock at byte 4096 (v7, fresh), checksum ok"
	assert_line "$a: nvm-pages superblock at byte 4096 (nvmpg, offsets), checksum ok"
	# show --json the same, exit 0 (show runs no set checks); a cache
	# device beside either is fine
	run --separate-stderr bcache show --json "$a" "$b"
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '[.devices[] | [.device, .superblock.revision,
		.superblock.set_header_offset, .superblock.owner_list_head, .superblock.this_ns,
		.superblock.this_namespace_nr]]' <<< "$output")" \
		"[[\"$a\",\"nvmpg\",\"0x2000\",null,0,null],[\"$b\",\"v7\",null,\"0x2000\",null,0]]"
	run bcache show "$a" "$b"
	assert_success
	run bcache show --json "$a" "$(fresh_pg c.img 64M)"
	assert_success
	assert_equal "$(jq -c '[.devices[].superblock.revision]' <<< "$output")" '["nvmpg","nvmpg"]'
}

@test "nvmpg sets: SET_TOTAL and SET_MISSING name total_ns" {
	a=$(fresh_pg a.img 64M)
	b=$(fresh_pg b.img 64M)
	gen "$a" set sb total_ns 3
	nvmpg_ns1 "$b" 2
	run bcache nvm check --json "$a" "$b"
	assert_equal "$(probs "$output" | grep SET_)" "a SET_MISSING 4164 sb.total_ns
b SET_TOTAL 4164 sb.total_ns"
	assert_equal "$(jq -r '[.devices[].problems[] | select(.code | startswith("SET_")) | .message] | join("|")' \
		<<< "$output")" "namespace 2 of 3 of this set was not given|total_ns is 2, $a has 3"
}

@test "journal show without -C: the v13 journal found by its owner head and the jset magic; geometry inferred" {
	real_state 23
	run bcache journal show --json "$ns"
	assert_success
	assert_equal "$(jq -c '.devices[0].journals[] | [.cache_device, .owner, .set_uuid, .region_offset,
		.region_bytes, .kernel_finds_record, .stride, .buckets, .base, .revision]' \
		<<< "$output")" "[null,1,\"$CSET\",$((0xfc00000)),524288,true,\"unknown\",0,\"none\",\"nvmpg\"]"
	assert_equal "$(jq -c '.devices[0].summary[] | [.view, .newest_seq, .present, .missing, .stale,
		.complete]' <<< "$output")" '["media",23,23,0,0,true]'
	# the media view: every jset the writer wrote, at its offset, from d[1]
	want=$(awk '$1 == "jset" { sub("seq=", "", $2); sub("offset=", "", $3); print $2, $3 }' \
		"$BATS_TEST_TMPDIR/gen.txt")
	assert_equal "$(jq -r '.devices[0].jsets[] | "\(.seq) \(.offset)"' <<< "$output")" "$want"
	assert_equal "$(jq '[.devices[0].jsets[].bkeys[]] | length' <<< "$output")" "$(grep -c '^key ' "$BATS_TEST_TMPDIR/gen.txt")"
	# seq 1 one bucket (64 KiB) into the region: buckets of 128 sectors, a
	# stride of bucket bytes; 8 to 15 buckets make an order-7 region
	assert_equal "$(jq -c '.devices[0].inferred_geometry[] | [.region_offset, .seq1_offset, .stride,
		.bucket_size, .buckets_min, .buckets_max]' <<< "$output")" \
		"[$((0xfc00000)),65536,\"bucket bytes (v12)\",128,8,15]"
	assert_equal "$(jq -c '.devices[0].problems' <<< "$output")" '[]'
}
