#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# bcache journal show / extract against journals written by the test-only
# writer tests/tools/journal-gen (v7 allocation, both d[] strides, knobs for
# missing seqs and bad checksums).  Decoded values are compared with what the
# writer printed it wrote.

load helpers

CSET=01234567-89ab-cdef-fedc-ba9876543210
NSSET=10111213-1415-1617-1819-1a1b1c1d1e1f
JGEN=${JGEN:-${BCACHE%/*}/../tests/tools/journal-gen}

# setup_journal CACHESIZE BLOCK STRIDE GEN-ARGS...: make -M + -C, then write
setup_journal() {
	local csize=$1 block=$2 stride=$3
	shift 3
	ns=$(mkimg ns.img 1G)
	cache=$(mkimg cache.img "$csize")
	bcache make -M "$ns" -C "$cache" --cset-uuid $CSET --set-uuid $NSSET \
		--block "$block" > /dev/null
	"$JGEN" "$ns" "$cache" --stride "$stride" --print "$@" > "$BATS_TEST_TMPDIR/gen.txt"
}

# gen_field SEQ FIELD: a value the writer printed for a jset
gen_field() {
	awk -v s="seq=$1" -v f="$2" '$1 == "jset" && $2 == s {
		for (i = 3; i <= NF; i++) if (index($i, f "=") == 1) print substr($i, length(f) + 2)
	}' "$BATS_TEST_TMPDIR/gen.txt"
}

@test "journal show: the WORKED EXAMPLE of bcache-journal-format(5) (probe reaches bucket 1 at i = 137)" {
	setup_journal 16G 4k bytes --jsets 2
	run bcache journal show "$ns" -C "$cache" --json
	assert_success
	assert_equal "$(jq -c '.devices[0].journals[0] | [.region_offset, .region_bytes, .owner, .magic,
		.stride]' <<< "$output")" '[134217728,134217728,1,"0xcb9f9e48c4277333","bytes (v7)"]'
	assert_equal "$(jq -c '.devices[0].summary[] | select(.view == "kernel") | [.found_by, .buckets_read,
		.cur_idx, .resume_offset, .newest_seq, .last_seq, .complete]' <<< "$output")" \
		"[\"probe i=137\",139,1,$((0x8000800)),2,1,true]"
	# every bucket read in order: bucket 5 yields seq 2 again, as a duplicate
	assert_equal "$(jq '.devices[0].summary[] | select(.view == "buckets") | .duplicates' <<< "$output")" 1
	assert_equal "$(jq -c '[.devices[0].jsets[] | select(.view == "kernel") | [.seq, .offset, .bucket]]' \
		<<< "$output")" "[[1,$((0x8000400)),1],[2,$((0x8001400)),1]]"
	assert_equal "$(jq -c '.devices[0].jsets[0] | [.btree_root, .uuid_bucket, .prio_bucket]' <<< "$output")" \
		'["1048575:9223372036854775295 len 512 -> [0:266240 gen 1]",'\
'"0:18446744073709550592 len 1024 -> [0:265216 gen 1]",257]'
	# the resume position lies inside seq 2: the quirk is reported
	assert_equal "$(jq '[.devices[].problems[].code] | index("J_RESUME_OVERWRITES") != null' \
		<<< "$output")" true
}

@test "journal show: the v7 byte stride makes the kernel miss seq 1-2 (exit 4)" {
	# 16 buckets of 512 KiB, 4 KiB blocks: jset k of bucket 1 is at d[1] + 4096 k,
	# so bucket 9 starts at the jset of seq 3; the probe (0, 9, ...) finds it
	setup_journal 1G 4k bytes --jsets 50
	run bcache journal show "$ns" -C "$cache" --json --no-keys
	[ "$status" -eq $EX_PROBLEMS ]
	assert_equal "$(jq -c '[(.devices[0].summary[] | select(.view == "kernel") | .found_by, .cur_idx,
		.missing_seqs), (.devices[0].summary[] | select(.view == "media") | .newest_seq, .present,
		.complete)]' <<< "$output")" '["probe i=1",9,"1-2",50,50,true]'
	jq -r '.devices[].problems[].message' <<< "$output" | grep -qx "2 jsets intact on the media \
(seq 1-2) are not in the kernel's replay (kernel newest 50, media newest 50)"
	jq -r '.devices[].problems[].message' <<< "$output" | grep -qx \
		"kernel view: journal entries 1-2 missing! (replaying 1-50)"
	# the kernel's rows start at seq 3, found in bucket 9
	[ "$(jq -r '[.devices[0].jsets[] | select(.view == "kernel")][0] | "\(.seq) \(.bucket)"' \
		<<< "$output")" = "3 9" ]
	[ "$(jq -r '.devices[0].jsets[] | select(.status == "missed_by_kernel") | .seq' <<< "$output" |
		tr '\n' ' ')" = "1 2 " ]
}

# check_live_range: kernel rows equal what the writer wrote, key by key
check_live_range() {
	local j=$1 lo=$2 hi=$3 got want
	# the kernel rows are seq lo..hi, each as the writer wrote it
	got=$(jq -r '.devices[0].jsets[] | select(.view == "kernel") |
		"\(.seq) \(.offset) \(.last_seq) \(.keys) \(.csum_ok) \(.btree_level)"' <<< "$j")
	want=$(awk -v lo="$lo" -v hi="$hi" '$1 == "jset" {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		if (f["seq"] >= lo && f["seq"] <= hi)
			print f["seq"], f["offset"], f["last_seq"], f["keys"], "true", f["seq"] % 3
	}' "$BATS_TEST_TMPDIR/gen.txt")
	[ "$(cut -d' ' -f1 <<< "$want" | tr '\n' ' ')" = "$(seq "$lo" "$hi" | tr '\n' ' ')" ]
	[ "$got" = "$want" ]
	# keys: the writer's fields, and the kernel text built here from them
	got=$(jq -r ".devices[0].jsets[].bkeys[] | select(.view == \"kernel\") |
		\"\(.seq) \(.index) \(.inode) \(.start) \(.size) \(.dirty) \(.ptrs) \(.key)\"" <<< "$j")
	want=$(awk -v lo="$lo" -v hi="$hi" '$1 == "key" {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		if (f["seq"] < lo || f["seq"] > hi) next
		txt = f["inode"] ":" f["start"] " len " f["size"] " -> ["
		if (f["ptrs"] == 1) txt = txt "0:" f["ptr_offset"] " gen " f["gen"]
		txt = txt "]"
		if (f["dirty"] == 1) txt = txt " dirty"
		print f["seq"], f["index"], f["inode"], f["start"], f["size"],
		      (f["dirty"] == 1 ? "true" : "false"), f["ptrs"], txt
	}' "$BATS_TEST_TMPDIR/gen.txt")
	[ "$got" = "$want" ]
	[ -n "$want" ]
}

@test "journal show: 700 jsets over many buckets, bucket-bytes stride, 4k blocks" {
	setup_journal 2G 4k bucket --jsets 700 --lag 40
	run bcache journal show "$ns" -C "$cache" --json
	assert_success
	check_live_range "$output" 661 700
	[ "$(jq -r '.devices[0].journals[0].stride' <<< "$output")" = "bucket bytes (v12)" ]
	# 128 one-block jsets per bucket: seq 700 was written in bucket 6
	[ "$(gen_field 700 bucket)" = 6 ]
	[ "$(jq '.devices[0].summary[] | select(.view == "kernel") | .cur_idx' <<< "$output")" = 6 ]
	[ "$(jq '.devices[0].summary[] | select(.view == "media") | .stale' <<< "$output")" = 660 ]
}

@test "journal show: 400 jsets, v7 byte stride, 512-byte blocks" {
	setup_journal 2G 512 bytes --jsets 400 --lag 30 --seed 7
	run bcache journal show "$ns" -C "$cache" --json
	assert_success
	check_live_range "$output" 371 400
	[ "$(jq -r '.devices[0].journals[0].stride' <<< "$output")" = "bytes (v7)" ]
	# with 512-byte blocks a bucket's scan runs into the next buckets' jsets
	[ "$(jq '.devices[0].summary[] | select(.view == "buckets") | .duplicates' <<< "$output")" -gt 0 ]
}

@test "journal show: a missing seq fails the replay range (exit 4)" {
	# seq 256 is the last jset of bucket 2 (128 one-block jsets per bucket)
	setup_journal 2G 4k bucket --jsets 300 --lag 60 --skip 256
	[ "$(gen_field 256 bucket)" = 2 ] && [ "$(gen_field 257 bucket)" = 3 ]
	run bcache journal show "$ns" -C "$cache" --json --no-keys
	[ "$status" -eq $EX_PROBLEMS ]
	k='.devices[0].summary[] | select(.view == "kernel")'
	[ "$(jq -r "$k | .missing_seqs" <<< "$output")" = 256 ]
	[ "$(jq "$k | .missing, .present, .complete" <<< "$output" | tr '\n' ' ')" = "1 59 false " ]
	jq -r '.devices[].problems[].message' <<< "$output" | grep -qx \
		"kernel view: journal entries 256 missing! (replaying 241-300)"
	# a seq missing mid-bucket ends that bucket's scan: 281-300 follow it unread
	setup_journal 2G 4k bucket --jsets 300 --lag 60 --skip 280
	run bcache journal show "$ns" -C "$cache" --json --no-keys
	[ "$status" -eq $EX_PROBLEMS ]
	[ "$(jq -r "$k | .newest_seq" <<< "$output")" = 279 ]
	jq -r '.devices[].problems[].message' <<< "$output" | grep -q "(seq 281-300) are not in the kernel"
}

@test "journal show: a bad checksum mid-bucket stops that bucket's scan, as the kernel's" {
	# bucket 2 holds seqs 129-256 (128 one-block jsets per bucket)
	setup_journal 2G 4k bucket --jsets 250 --lag 30 --bad-csum 240
	run bcache journal show "$ns" -C "$cache" --json --no-keys --all
	[ "$status" -eq $EX_PROBLEMS ]
	k='.devices[0].summary[] | select(.view == "kernel")'
	[ "$(jq -r "$k | .newest_seq" <<< "$output")" = 239 ]
	[ "$(jq -r '.devices[0].jsets[] | select(.view == "kernel" and .status == "bad_csum") | .offset' \
		<<< "$output")" = "$(gen_field 240 offset)" ]
	# 241-250 are intact on the media: the kernel misses them
	[ "$(jq -r '.devices[0].jsets[] | select(.status == "missed_by_kernel") | .seq' <<< "$output" |
		tr '\n' ' ')" = "$(seq 241 250 | tr '\n' ' ')" ]
	jq -r '.devices[].problems[].code' <<< "$output" | grep -qx J_KERNEL_MISSES
	jq -r '.devices[].problems[].code' <<< "$output" | grep -qx J_BAD_CSUM
}

@test "journal show: stale jsets, filters --seq, --last, --inode, --no-keys" {
	setup_journal 2G 4k bucket --jsets 200 --lag 10
	run bcache journal show "$ns" -C "$cache" --json --all --no-keys
	assert_success
	[ "$(jq '[.devices[0].jsets[] | select(.view == "media" and .status == "stale")] | length' \
		<<< "$output")" = 190 ]
	[ "$(jq 'has("keys")' <<< "$output")" = false ]
	run bcache journal show "$ns" -C "$cache" --json --seq 193..195
	[ "$(jq -r '.devices[0].jsets[].seq' <<< "$output" | tr '\n' ' ')" = "193 194 195 " ]
	run bcache journal show "$ns" -C "$cache" --json --last 3
	[ "$(jq -r '.devices[0].jsets[].seq' <<< "$output" | tr '\n' ' ')" = "198 199 200 " ]
	run bcache journal show "$ns" -C "$cache" --json --inode 4
	[ "$(jq -r '[.devices[0].jsets[].bkeys[].inode] | unique | .[]' <<< "$output")" = 4 ]
	want=$(awk '$1 == "key" && $4 == "inode=4" { split($2, s, "="); if (s[2] > 190) n++ }
		END { print n }' "$BATS_TEST_TMPDIR/gen.txt")
	[ "$(jq '[.devices[0].jsets[].bkeys[]] | length' <<< "$output")" = "$want" ]
}

@test "journal show without -C: the owner's region scanned by magic" {
	setup_journal 2G 4k bucket --jsets 300 --lag 25
	run bcache journal show "$ns" --json --no-keys
	assert_success
	[ "$(jq '.devices[0].journals[0].region_offset' <<< "$output")" = $((16 << 20)) ]
	m='.devices[0].summary[] | select(.view == "media")'
	[ "$(jq "$m | .newest_seq, .last_seq, .present" <<< "$output" | tr '\n' ' ')" = "300 276 25 " ]
	[ "$(jq '[.devices[0].jsets[] | select(.view == "media")] | length' <<< "$output")" = 25 ]
	run bcache journal show "$ns" --cset-uuid 00000000-0000-0000-0000-000000000001
	[ "$status" -eq $EX_PROBLEMS ]
}

@test "journal extract: the live jsets raw, in seq order" {
	setup_journal 2G 4k bucket --jsets 100 --lag 5
	run bcache journal extract "$ns" -C "$cache" -o "$BATS_TEST_TMPDIR/j.bin"
	assert_success
	: > "$BATS_TEST_TMPDIR/want.bin"
	for s in 96 97 98 99 100; do
		off=$(gen_field $s offset)
		len=$((240 + 8 * $(gen_field $s keys)))
		dd if="$ns" bs=1 skip="$off" count="$len" status=none >> "$BATS_TEST_TMPDIR/want.bin"
	done
	cmp "$BATS_TEST_TMPDIR/j.bin" "$BATS_TEST_TMPDIR/want.bin"
	run bcache journal extract "$ns" -C "$cache"
	[ "$status" -eq $EX_USAGE ]
}

@test "journal show: errors are one line with the documented exit code" {
	ns=$(mkimg ns.img 64M)
	bcache make -M "$ns" > /dev/null
	run bcache journal show "$ns"
	[ "$status" -eq $EX_NOT_FOUND ]
	run bcache journal show "$(mkimg zero.img 64M)"
	[ "$status" -eq $EX_NOT_FOUND ]
	run bcache journal show "$ns" -C "$(mkimg zero2.img 64M)"
	[ "$status" -eq $EX_NOT_FOUND ]
	run bcache journal show "$ns" --seq 5..1
	[ "$status" -eq $EX_USAGE ]
	# a cache device never attached to this namespace: no base K
	c=$(mkimg c.img 1G)
	bcache make -C "$c" -M "$(mkimg ns2.img 64M)" > /dev/null
	run bcache journal show "$ns" -C "$c" --json
	[ "$status" -eq $EX_PROBLEMS ]
	jq -r '.devices[].problems[].code' <<< "$output" | grep -qx J_NO_BASE
}

# media_buckets_match JSON: every media row (first copies) carries the bucket
# the writer wrote that seq in
media_buckets_match() {
	local got want
	got=$(jq -r '.devices[0].jsets[] | select(.view == "media" and .status != "duplicate") |
		"\(.seq) \(.bucket)"' <<< "$1")
	want=$(awk 'NR == FNR { keep[$1] = 1; next }
		$1 == "jset" { split($2, s, "="); split($4, b, "=");
			       if (s[2] in keep) print s[2], b[2] }' \
		<(echo "$got") "$BATS_TEST_TMPDIR/gen.txt" | sort -n)
	[ -n "$got" ]
	[ "$(sort -n <<< "$got")" = "$want" ]
}

@test "journal show without -C: inferred geometry and buckets, v7 byte stride" {
	# 16 buckets of 512 KiB, 4 KiB blocks: seq 1 at d[1] = J + 1024; the 8 MiB
	# region (order 11) allows 16..31 buckets of 1024 sectors, and none of 2
	setup_journal 1G 4k bytes --jsets 300
	run bcache journal show "$ns" --json --no-keys -a
	[ "$status" -eq $EX_PROBLEMS ]	# bucket switches overwrite (BYTE STRIDE)
	g=$(jq -c '.devices[0].inferred_geometry[0] | [.region_offset, .seq1_offset, .stride,
		.bucket_size, .buckets_min, .buckets_max, .block_multiple]' <<< "$output")
	[ "$g" = '[16777216,1024,"bytes (v7)",1024,16,31,4096]' ]
	media_buckets_match "$output"
	# seq 129 opens bucket 2 at d[2] = J + 2048
	[ "$(jq -r '.devices[0].jsets[] | select(.view == "media" and .seq == 129) |
		"\(.offset) \(.bucket)"' <<< "$output")" = "$((16777216 + 2048)) 2" ]
	# with -C the media rows carry the same buckets, from d[]
	run bcache journal show "$ns" -C "$cache" --json --no-keys -a
	media_buckets_match "$output"
	[ "$(jq '.devices[0].inferred_geometry' <<< "$output")" = null ]
	# the text summary says it is inferred
	run bcache journal show "$ns" --summary
	grep -q '^Inferred geometry (no -C' <<< "$output"
	grep -Eq '^ *16777216 +1024 +bytes \(v7\) +1024 +16 +31 +4096$' <<< "$output"
}

@test "journal show without -C: inferred geometry and buckets, bucket-bytes stride" {
	# 512-byte blocks: jsets of 0..3 keys take one block; 1500 of them fill
	# bucket 1 (1024 blocks) and go on in bucket 2; seq 1 at d[1] = J + 512 KiB
	setup_journal 1G 512 bucket --jsets 1500
	run bcache journal show "$ns" --json --no-keys -a
	assert_success
	g=$(jq -c '.devices[0].inferred_geometry[0] | [.region_offset, .seq1_offset, .stride,
		.bucket_size, .buckets_min, .buckets_max, .block_multiple]' <<< "$output")
	[ "$g" = '[16777216,524288,"bucket bytes (v12)",1024,16,31,512]' ]
	media_buckets_match "$output"
	[ "$(jq -r '[.devices[0].jsets[] | select(.view == "media") | .bucket] | unique | join(" ")' \
		<<< "$output")" = "1 2" ]
	run bcache journal show "$ns" -C "$cache" --json --no-keys -a
	media_buckets_match "$output"
}

@test "journal show without -C: no seq 1, the stride is unknown and buckets are null" {
	setup_journal 1G 4k bucket --jsets 20 --skip 1
	run bcache journal show "$ns" --json --no-keys
	[ "$(jq -c '.devices[0].inferred_geometry[0] | [.seq1_offset, .stride, .bucket_size,
		.block_multiple]' <<< "$output")" = '[null,"unknown",null,4096]' ]
	[ "$(jq '[.devices[0].jsets[] | select(.view == "media") | .bucket] | unique' <<< "$output" |
		jq -c .)" = '[null]' ]
}

@test "journal show on a pair make -M -C just formatted: no journal written yet (exit 0)" {
	ns=$(mkimg ns.img 1G)
	cache=$(mkimg cache.img 4G)
	bcache make -M "$ns" -C "$cache" --block 4k > /dev/null
	run --separate-stderr bcache journal show "$ns" -C "$cache"
	assert_success
	assert_equal "$(tail -1 <<< "$output")" \
		"$ns: no journal written yet; 0 errors, 0 warnings, 1 note"
	run --separate-stderr bcache journal show "$ns" -C "$cache" --json
	assert_success
	assert_equal "$(jq -c '.devices[0] | [.journals, [.problems[] | [.code, .severity,
		.offset, .where]]]' <<< "$output")" \
		'[[],[["J_NOT_WRITTEN","info",4302,"cache_sb.keys"]]]'
}

@test "journal show -C COPY: the first MiB of the cache device is a warning, the same journal" {
	setup_journal 4G 4k bytes --jsets 5
	run --separate-stderr bcache journal show "$ns" -C "$cache" --json
	assert_success
	full=$(jq -c '.devices[0].jsets' <<< "$output")
	head -c 1M "$cache" > "$BATS_TEST_TMPDIR/copy.img"
	run --separate-stderr bcache journal show "$ns" -C "$BATS_TEST_TMPDIR/copy.img" --json
	assert_success
	assert_equal "$(jq -c '.devices[0].jsets' <<< "$output")" "$full"
	assert_equal "$(jq -c '[.devices[0].problems[] | select(.code == "J_CACHE_COPY") |
		.severity, .offset, .message]' <<< "$output")" \
		"[\"warning\",4280,\"$BATS_TEST_TMPDIR/copy.img has 1048576 bytes, less than its 8192 buckets of 1024 sectors: a truncated copy (only its superblock is read)\"]"
}
