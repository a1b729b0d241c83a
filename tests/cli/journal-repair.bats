#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# bcache journal repair on v7 journals written by the test-only writer
# tests/tools/journal-gen (v7 allocation, byte-stride d[], jsets from d[1],
# bucket switches that overwrite older jsets).  After a repair the tool's
# model of the kernel's read must replay exactly the media's replay range and
# `journal show` must exit 0; the cache superblock is checked against an
# independent oracle (python3, a bit-at-a-time CRC-64/WE); the namespace may
# change only where jsets were copied, and the copies are byte-identical.
# The write steps are interrupted with BCACHE_TEST_FAULT_STEP (builds with
# -Dtest_hooks=true).

load helpers
load journal-oracle

CSET=01234567-89ab-cdef-fedc-ba9876543210
NSSET=10111213-1415-1617-1819-1a1b1c1d1e1f
JGEN=${JGEN:-$(dirname "$BCACHE")/../tests/tools/journal-gen}
BASE=0xFFFF9A2F40000000		# journal-gen's default K
STEPS=3				# BCH_JREPAIR_STEP__LAST

setup() {
	[ -x "$JGEN" ] || skip "no tests/tools/journal-gen in this build"
}

# setup_journal NSSIZE CACHESIZE BLOCK GEN-ARGS...: make -M + -C, journal-gen
setup_journal() {
	local nssize=$1 csize=$2 block=$3
	shift 3
	ns=$(mkimg ns.img "$nssize")
	cache=$(mkimg cache.img "$csize")
	bcache make -M "$ns" -C "$cache" --cset-uuid $CSET --set-uuid $NSSET \
		--block "$block" > /dev/null
	"$JGEN" "$ns" "$cache" --print "$@" > "$BATS_TEST_TMPDIR/gen.txt"
	region=$(sed -n 's/^region offset=\([0-9]*\) .*/\1/p' "$BATS_TEST_TMPDIR/gen.txt")
}

# gen_field SEQ FIELD: a value the writer printed for a jset
gen_field() {
	grep "^jset seq=$1 " "$BATS_TEST_TMPDIR/gen.txt" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2
}

# The cache superblock fields a repair rewrites: csum, keys and d[]
SB_RANGES="4096:8 4302:2 4304:2048"

summary() { # JSON VIEW: "newest last_seq complete missing_seqs"
	jq -r ".summary[] | select(.view == \"$2\") |
		\"\(.newest_seq) \(.last_seq) \(.complete) \(.missing_seqs // \"\")\"" <<< "$1"
}

# repair_missed KERNEL-SUMMARY: journal show exits 4 with that kernel view;
# the images are saved (*.before) and repaired, the document is in $j
repair_missed() {
	run bcache journal show "$ns" -C "$cache" --summary --json
	assert_equal "$status" $EX_PROBLEMS
	[ "$(summary "$output" kernel)" = "$1" ]
	cp "$ns" "$BATS_TEST_TMPDIR/ns.before"
	cp "$cache" "$BATS_TEST_TMPDIR/cache.before"
	run --separate-stderr bcache journal repair "$ns" -C "$cache" --json
	assert_success
	j=$output
}

@test "journal repair: jsets in the first bucket (4k blocks); the kernel misses seq 1-2; a new d[] alone" {
	setup_journal 64M 1G 4k --stride bytes --jsets 50
	repair_missed "50 1 false 1-2"
	[ "$(jq -r '.repair[0] | "\(.action) \(.written) \(.relocated) \(.clean)"' <<< "$j")" = \
		"table true 0 true" ]
	[ "$(summary "$j" kernel)" = "50 1 false 1-2" ]
	[ "$(summary "$j" kernel_after)" = "50 1 true " ]
	[ "$(summary "$j" media)" = "50 1 true " ]
	[ "$(jq -c '[.layout[] | [.state, .keys, .d0_offset, .stride]]' <<< "$j")" = \
		'[["before",16,0,1024],["after",15,1024,524288]]' ]
	[ "$(jq '.copies | length' <<< "$j")" = 0 ]
	# only the cache superblock changed, and in it only csum, keys and d[]
	[ "$(digest "$ns")" = "$(digest "$BATS_TEST_TMPDIR/ns.before")" ]
	[ "$(changed_outside "$cache" "$BATS_TEST_TMPDIR/cache.before" $SB_RANGES)" = 0 ]
	# d'[0] = old d[1], stride bucket_size * 512, 15 whole buckets fit from it
	[ "$(sb_facts "$cache")" = "keys=15 csum_ok=1 d0_offset=1024 stride=524288 tail_zero=1" ]
	[ "$(jq -r '.layout[1].csum' <<< "$j")" = "0x$(hexat "$cache" 4096 8 |
		sed 's/\(..\)/\1 /g' | awk '{ for (i = 8; i > 0; i--) printf "%s", $i }')" ]
	# journal show agrees: the kernel now replays 1-50, every jset as written
	run bcache journal show "$ns" -C "$cache" --json --no-keys
	assert_success
	[ "$(summary "$output" kernel)" = "50 1 true " ]
	[ "$(jq -r '.jsets[] | select(.view == "kernel") | "\(.seq):\(.offset)"' <<< "$output" |
		tr '\n' ' ')" = "$(for s in $(seq 1 50); do printf '%s:%s ' $s "$(gen_field $s offset)"; done)" ]
	[ "$(jq -r '.journals[0].stride' <<< "$output")" = "bucket bytes (v12)" ]
	# and a second run has nothing to do
	run bcache journal repair "$ns" -C "$cache"
	assert_success
	assert_line --partial "nothing to repair: the kernel's read replays the whole range 1-50"
	[ "$(sb_facts "$cache")" = "keys=15 csum_ok=1 d0_offset=1024 stride=524288 tail_zero=1" ]
}

@test "journal repair --dry-run: the same plan, nothing written" {
	setup_journal 64M 1G 4k --stride bytes --jsets 130 --lag 5
	a=$(digest "$ns") b=$(digest "$cache")
	run --separate-stderr bcache journal repair "$ns" -C "$cache" --dry-run --json
	assert_success
	dry=$output
	[ "$(jq -r '.repair[0] | "\(.action) \(.dry_run) \(.written)"' <<< "$dry")" = \
		"relocate true false" ]
	[ "$(digest "$ns")" = "$a" ] && [ "$(digest "$cache")" = "$b" ]
	run --separate-stderr bcache journal repair "$ns" -C "$cache" --dry-run
	assert_success
	assert_line --partial "would rewrite the cache superblock of $cache: 15 journal buckets"
	[ "$(digest "$ns")" = "$a" ] && [ "$(digest "$cache")" = "$b" ]
	run --separate-stderr bcache journal repair "$ns" -C "$cache" --json
	assert_success
	[ "$(jq -c '.layout, .copies' <<< "$output")" = "$(jq -c '.layout, .copies' <<< "$dry")" ]
	[ "$(jq -r '.repair[0].written' <<< "$output")" = true ]
}

@test "journal repair: a wrapped journal (512-byte blocks, 1030 jsets: bucket 2 overwrote bucket 1); the kernel drops 1025-1030" {
	setup_journal 64M 1G 512 --stride bytes --jsets 1030 --lag 5
	# seq 1025 opened bucket 2 at d[2] = d[1] + 1 KiB, over seq 3.. of bucket 1
	[ "$(gen_field 1024 bucket)" = 1 ] && [ "$(gen_field 1025 bucket)" = 2 ]
	[ "$(gen_field 1025 offset)" = $((region + 2048)) ]
	run bcache journal show "$ns" -C "$cache" --summary --json
	assert_equal "$status" $EX_PROBLEMS
	# the kernel's read is complete, but ends at 1024: 1025-1030 are silently lost
	[ "$(summary "$output" kernel)" = "1024 1020 true " ]
	[ "$(summary "$output" media)" = "1030 1026 true " ]
	jq -r '.problems[].code' <<< "$output" | grep -qx J_KERNEL_MISSES
	run --separate-stderr bcache journal repair "$ns" -C "$cache" --json
	assert_success
	[ "$(jq -r '.repair[0].action' <<< "$output")" = table ]
	[ "$(summary "$output" kernel_after)" = "1030 1026 true " ]
	[ "$(sb_facts "$cache")" = "keys=15 csum_ok=1 d0_offset=1024 stride=524288 tail_zero=1" ]
	run bcache journal show "$ns" -C "$cache" --json --no-keys
	assert_success
	[ "$(summary "$output" kernel)" = "1030 1026 true " ]
	[ "$(jq -r '.jsets[] | select(.view == "kernel" and .status == "replayed") | .seq' \
		<<< "$output" | tr '\n' ' ')" = "1026 1027 1028 1029 1030 " ]
}

@test "journal repair: jsets scattered over overlapping buckets are copied unchanged, in seq order" {
	# 4k blocks: seq 1-128 fill bucket 1, 129-130 open bucket 2 at d[1] + 1 KiB;
	# the live range 126-130 is in both, and no table alone reads it in order
	setup_journal 64M 1G 4k --stride bytes --jsets 130 --lag 5
	repair_missed "130 126 false 126-128"
	[ "$(jq -r '.repair[0] | "\(.action) \(.relocated) \(.clean)"' <<< "$j")" = "relocate 5 true" ]
	[ "$(summary "$j" kernel_after)" = "130 126 true " ]
	# in seq order, from the writer's offsets, back to back in 4k blocks of one bucket
	[ "$(jq -r '.copies[] | .seq' <<< "$j" | tr '\n' ' ')" = "126 127 128 129 130 " ]
	for s in 126 127 128 129 130; do
		[ "$(jq ".copies[] | select(.seq == $s) | .from_offset" <<< "$j")" = \
			"$(gen_field $s offset)" ]
	done
	first=$(jq '.copies[0].to_offset' <<< "$j")
	[ "$(jq -r '[.copies[] | .to_offset - '"$first"'] | map(tostring) | join(" ")' <<< "$j")" = \
		"0 4096 8192 12288 16384" ]
	# the destination bucket starts at d'[0] + bucket * 512 KiB, past every old bucket
	[ "$first" = $((region + 1024 + $(jq '.copies[0].bucket' <<< "$j") * 524288)) ]
	[ "$first" -ge $((region + 15 * 1024 + 524288)) ]
	# each copy is the jset's bytes, unchanged; nothing else in the namespace moved
	ranges=
	while read -r from to bytes; do
		[ "$(hexat "$ns" "$to" "$bytes")" = "$(hexat "$BATS_TEST_TMPDIR/ns.before" "$from" "$bytes")" ]
		ranges+=" $to:$bytes"
	done < <(jq -r '.copies[] | "\(.from_offset) \(.to_offset) \(.bytes)"' <<< "$j")
	# shellcheck disable=SC2086
	[ "$(changed_outside "$ns" "$BATS_TEST_TMPDIR/ns.before" $ranges)" = 0 ]
	# shellcheck disable=SC2086
	[ "$(changed_outside "$cache" "$BATS_TEST_TMPDIR/cache.before" $SB_RANGES)" = 0 ]
	[ "$(sb_facts "$cache")" = "keys=15 csum_ok=1 d0_offset=1024 stride=524288 tail_zero=1" ]
	run bcache journal show "$ns" -C "$cache" --json --no-keys
	assert_success
	[ "$(summary "$output" kernel)" = "130 126 true " ]
	# the kernel resumes after the copies, over nothing live
	! jq -r '.problems[].code' <<< "$output" | grep -qx J_RESUME_OVERWRITES
}

@test "journal repair: a missing and a damaged entry in the range: refused (exit 3), seqs named, nothing written" {
	setup_journal 64M 1G 4k --stride bytes --jsets 50 --lag 10 --skip 45 --bad-csum 47
	a=$(digest "$ns") b=$(digest "$cache")
	run --separate-stderr bcache journal repair "$ns" -C "$cache" --json
	assert_equal "$status" $EX_REFUSED
	[ "$stderr" = "bcache: $ns: refusing to repair: journal entries 45,47 of the replay \
range 41-50 are not intact on the media, and none is made up" ]
	[ "$(jq -r '.repair[0] | "\(.action) \(.written)"' <<< "$output")" = "refused false" ]
	[ "$(jq -r '[.problems[] | select(.code == "J_REPAIR_LOST") | .message] | .[]' \
		<<< "$output")" = "seq 45 of the replay range 41-50: no jset with this seq on the media \
(overwritten, or never written)
seq 47 of the replay range 41-50: the jset at byte $(gen_field 47 offset) is damaged: checksum \
mismatch (stored csum $(jq -r '.problems[] | select(.code == "J_REPAIR_LOST" and
		.offset > 0) | .message' <<< "$output" | sed 's/.*stored csum \(0x[0-9a-f]*\).*/\1/'), \
computed $(jq -r '.problems[] | select(.code == "J_REPAIR_LOST" and .offset > 0) | .message' \
		<<< "$output" | sed 's/.*computed \(0x[0-9a-f]*\).*/\1/'))" ]
	[ "$(jq '.problems[] | select(.code == "J_REPAIR_LOST" and .offset > 0) | .offset' \
		<<< "$output")" = "$(gen_field 47 offset)" ]
	[ "$(digest "$ns")" = "$a" ] && [ "$(digest "$cache")" = "$b" ]
	# text mode and --dry-run refuse the same way
	run --separate-stderr bcache journal repair "$ns" -C "$cache" --dry-run
	assert_equal "$status" $EX_REFUSED
	assert_line --regexp '/ns.img +J_REPAIR_LOST +error .*seq 45 of the replay range 41-50'
}

@test "journal repair: no room outside the current buckets (2 journal buckets): refused (exit 3), nothing written" {
	# as above, 126-130 live over both overlapping buckets, but the region
	# (order 8: 1 MiB) holds only the two buckets the journal uses now
	setup_journal 64M 1G 4k --stride bytes --jsets 130 --lag 5 --buckets 2
	a=$(digest "$ns") b=$(digest "$cache")
	run --separate-stderr bcache journal repair "$ns" -C "$cache" --json
	assert_equal "$status" $EX_REFUSED
	msg="no layout makes the kernel replay seqs 126-130 (1 checked; 2 whole buckets of \
524288 bytes from the region's first page; 1 with no room for the jsets outside the current buckets)"
	[ "$stderr" = "bcache: $ns: refusing to repair: $msg" ]
	[ "$(jq -r '.repair[0] | "\(.action) \(.written)"' <<< "$output")" = "refused false" ]
	[ "$(jq -r '.problems[] | select(.code == "J_REPAIR_NO_LAYOUT") |
		"\(.severity) \(.offset) \(.message)"' <<< "$output")" = "error $region $msg" ]
	[ "$(summary "$output" kernel)" = "130 126 false 126-128" ]
	[ "$(digest "$ns")" = "$a" ] && [ "$(digest "$cache")" = "$b" ]
}

@test "journal repair: a sane stride the kernel replays completely: nothing to do, nothing written" {
	setup_journal 64M 1G 4k --stride bucket --jsets 300 --lag 40
	a=$(digest "$ns") b=$(digest "$cache")
	run --separate-stderr bcache journal repair "$ns" -C "$cache" --json
	assert_success
	[ "$(jq -r '.repair[0] | "\(.action) \(.written)"' <<< "$output")" = "none false" ]
	[ "$(jq -r '.problems[] | select(.code == "J_REPAIR_NOT_NEEDED") | .severity' \
		<<< "$output")" = info ]
	[ "$(jq '.layout, .copies' <<< "$output")" = "null
null" ]
	[ "$(digest "$ns")" = "$a" ] && [ "$(digest "$cache")" = "$b" ]
}

@test "journal repair: the kernel replays everything now but would resume over live jsets: new table" {
	# the worked example: seq 1-2 at d[1], the kernel resumes at d[2], inside seq 2
	setup_journal 1G 16G 4k --stride bytes --jsets 2
	run bcache journal show "$ns" -C "$cache" --summary --json
	assert_success
	[ "$(summary "$output" kernel)" = "2 1 true " ]
	jq -r '.problems[].code' <<< "$output" | grep -qx J_RESUME_OVERWRITES
	run --separate-stderr bcache journal repair "$ns" -C "$cache"
	assert_success
	assert_line --partial "the kernel replays them now too, but resumes writing over live jsets"
	# 128 MiB region: 255 whole buckets of 512 KiB from d'[0] = old d[1]
	[ "$(sb_facts "$cache")" = "keys=255 csum_ok=1 d0_offset=1024 stride=524288 tail_zero=1" ]
	run bcache journal show "$ns" -C "$cache" --summary --json
	assert_success
	! jq -r '.problems[].code' <<< "$output" | grep -qx J_RESUME_OVERWRITES
}

@test "journal repair: refused where the kernel cannot use the journal (no attach, no CACHE_SYNC)" {
	ns=$(mkimg ns.img 64M)
	cache=$(mkimg cache.img 1G)
	bcache make -M "$ns" -C "$cache" --cset-uuid $CSET > /dev/null
	run --separate-stderr bcache journal repair "$ns" -C "$cache"
	assert_equal "$status" $EX_REFUSED
	[[ "$stderr" == *"refusing to repair: the journal cannot be located: the namespace was never attached"* ]]
	setup_journal 64M 1G 4k --stride bytes --jsets 50 --no-sync
	a=$(digest "$cache")
	run --separate-stderr bcache journal repair "$ns" -C "$cache" --json
	assert_equal "$status" $EX_REFUSED
	[ "$(jq -r '[.problems[] | select(.severity == "error") | .code] | join(" ")' <<< "$output")" = \
		J_REPAIR_NOT_SYNC ]
	[ "$(digest "$cache")" = "$a" ]
}

@test "journal repair: refused where the kernel would not find the region, or not register the cache" {
	# a cache superblock (K) over a namespace attached 8 MiB lower (K - 8 MiB):
	# its d[0] lands 8 MiB above the journal region, in no allocation
	setup_journal 64M 1G 4k --stride bytes --jsets 50
	cp "$cache" "$BATS_TEST_TMPDIR/cache8.img"
	setup_journal 64M 1G 4k --stride bytes --jsets 50 --base 0xFFFF9A2F3F800000
	cache=$BATS_TEST_TMPDIR/cache8.img
	a=$(digest "$ns") b=$(digest "$cache")
	run --separate-stderr bcache journal repair "$ns" -C "$cache" --json
	assert_equal "$status" $EX_REFUSED
	[ "$(jq -r '[.problems[] | select(.severity == "error") | .code] | join(" ")' <<< "$output")" = \
		J_REPAIR_UNLOCATED ]
	[[ "$stderr" == *"refusing to repair: d[0] = 0x"*" is in no allocation of the cache set's owner: the kernel would allocate and zero a new region" ]]
	[ "$(digest "$ns")" = "$a" ] && [ "$(digest "$cache")" = "$b" ]
	# CACHE_DISCARD with NVDIMM_META: the kernel would not run the cache
	setup_journal 64M 1G 4k --stride bytes --jsets 50 --discard
	run --separate-stderr bcache journal repair "$ns" -C "$cache" --json
	assert_equal "$status" $EX_REFUSED
	[ "$(jq -r '.problems[] | select(.code == "J_REPAIR_SB") | .message' <<< "$output")" = \
		"the cache superblock fails 1 of the kernel's checks (CSB_NVDIMM_DISCARD): the kernel would not register it" ]
}

@test "journal repair: refused while the cache set is registered (sysfs), nothing written" {
	setup_journal 64M 1G 4k --stride bytes --jsets 50
	sys=$BATS_TEST_TMPDIR/sys
	mkdir -p "$sys/fs/bcache"
	run env BCACHE_TEST_SYSFS_ROOT="$sys" "$BCACHE" journal repair "$ns" -C "$cache" --dry-run
	assert_success
	mkdir "$sys/fs/bcache/$CSET"
	run env BCACHE_TEST_SYSFS_ROOT="$sys" "$BCACHE" journal repair "$ns" -C "$cache" --dry-run
	[ "$status" -eq 0 ] && skip "built without -Dtest_hooks=true"
	a=$(digest "$ns") b=$(digest "$cache")
	run --separate-stderr env BCACHE_TEST_SYSFS_ROOT="$sys" "$BCACHE" journal repair "$ns" -C "$cache"
	assert_equal "$status" $EX_REFUSED
	[ "$stderr" = "bcache: $ns: refusing to repair: the cache set $CSET is registered \
($sys/fs/bcache/$CSET exists): stop it first" ]
	run env BCACHE_TEST_SYSFS_ROOT="$sys" "$BCACHE" journal repair "$ns" -C "$cache" --json
	[ "$(jq -r '[.problems[] | select(.severity == "error") | .code] | join(" ")' <<< "$output")" = \
		J_REPAIR_BUSY ]
	[ "$(digest "$ns")" = "$a" ] && [ "$(digest "$cache")" = "$b" ]
}

@test "journal repair: refused while the cache device is registered with bcache (sysfs)" {
	need_root
	setup_journal 64M 1G 4k --stride bytes --jsets 50
	dev=$(loop_attach "$cache")
	sys=$BATS_TEST_TMPDIR/sys
	mm=$(stat -c '%t %T' "$dev" | { read -r a b; echo "$((16#$a)):$((16#$b))"; })
	mkdir -p "$sys/dev/block/$mm/bcache"
	run --separate-stderr env BCACHE_TEST_SYSFS_ROOT="$sys" "$BCACHE" journal repair "$ns" -C "$dev"
	[ "$status" -eq 0 ] && skip "built without -Dtest_hooks=true"
	assert_equal "$status" $EX_REFUSED
	[ "$stderr" = "bcache: $ns: refusing to repair: the cache device is registered with \
bcache ($sys/dev/block/$mm/bcache exists)" ]
	rmdir "$sys/dev/block/$mm/bcache"
	run --separate-stderr env BCACHE_TEST_SYSFS_ROOT="$sys" "$BCACHE" journal repair "$ns" -C "$dev"
	assert_success
	[ "$(sb_facts "$dev")" = "keys=15 csum_ok=1 d0_offset=1024 stride=524288 tail_zero=1" ]
}

teardown() { loop_cleanup; }

@test "journal repair: usage errors" {
	run --separate-stderr bcache journal repair ns.img
	assert_equal "$status" $EX_USAGE
	[[ "$stderr" == *"-C CACHEDEV is required"* ]]
	run --separate-stderr bcache journal repair -C c.img
	assert_equal "$status" $EX_USAGE
	run --separate-stderr bcache journal repair a.img b.img -C c.img
	assert_equal "$status" $EX_USAGE
	run --separate-stderr bcache journal repair --seq 1..2 a.img -C c.img
	assert_equal "$status" $EX_USAGE
}

# ---- interrupted writes ----

# crash_state: a journal that needs copies (5) and a new table
crash_state() {
	setup_journal 64M 1G 4k --stride bytes --jsets 130 --lag 5
}

# reference: the images an uninterrupted repair writes
reference() {
	cp "$ns" "$BATS_TEST_TMPDIR/ns.ref"
	cp "$cache" "$BATS_TEST_TMPDIR/cache.ref"
	bcache journal repair "$BATS_TEST_TMPDIR/ns.ref" -C "$BATS_TEST_TMPDIR/cache.ref" > /dev/null
}

# kernel_views NS CACHE: the kernel's read and every bucket's, as journal show has them
kernel_views() {
	bcache journal show "$1" -C "$2" --json --no-keys |
		jq -c '[.summary[] | select(.view != "media")], [.jsets[] | select(.view == "kernel")]'
}

# check_stop STEP: stop after STEP; the old layout (same superblock, same
# kernel view) or the complete new one; a second run completes the same bytes
check_stop() {
	local step=$1 before
	crash_state
	reference
	cp "$ns" "$BATS_TEST_TMPDIR/ns.before"
	cp "$cache" "$BATS_TEST_TMPDIR/cache.before"
	before=$(kernel_views "$ns" "$cache")
	run --separate-stderr env BCACHE_TEST_FAULT_STEP="$step" "$BCACHE" journal repair \
		"$ns" -C "$cache"
	if [ "$status" -eq 0 ] && [ "$step" -le $STEPS ]; then
		skip "built without -Dtest_hooks=true"
	fi
	if [ "$step" -le $STEPS ]; then
		assert_equal "$status" $EX_ERROR
		[ "${stderr##*$'\n'}" = "bcache: $ns: stopped by fault injection" ]
	else
		assert_success
	fi
	if [ "$step" -lt $STEPS ]; then
		# the cache superblock is untouched: the kernel reads the old table ...
		[ "$(digest "$cache")" = "$(digest "$BATS_TEST_TMPDIR/cache.before")" ]
		# ... and sees exactly what it saw before (the media gained copies)
		[ "$(kernel_views "$ns" "$cache")" = "$before" ]
		# a second run finishes the job
		run --separate-stderr bcache journal repair "$ns" -C "$cache"
		assert_success
	fi
	[ "$(digest "$ns")" = "$(digest "$BATS_TEST_TMPDIR/ns.ref")" ]
	[ "$(digest "$cache")" = "$(digest "$BATS_TEST_TMPDIR/cache.ref")" ]
	run bcache journal show "$ns" -C "$cache" --summary
	assert_success
}

@test "journal repair interrupted after half the copies: old layout; a rerun completes the same bytes" {
	check_stop 1
	# half of the 5 copies were on the media: the rerun found them and wrote the rest
}

@test "journal repair interrupted after all copies: old layout; a rerun completes the same bytes" {
	check_stop 2
}

@test "journal repair interrupted after the cache superblock: the complete new layout" {
	check_stop 3
}

@test "journal repair: a stop point past the last step is never reached" {
	check_stop 4
}

@test "journal repair interrupted, table only: the superblock is the only write" {
	setup_journal 64M 1G 4k --stride bytes --jsets 50
	a=$(digest "$ns") b=$(digest "$cache")
	for s in 1 2; do
		run --separate-stderr env BCACHE_TEST_FAULT_STEP=$s "$BCACHE" journal repair \
			"$ns" -C "$cache"
		[ "$status" -eq 0 ] && skip "built without -Dtest_hooks=true"
		assert_equal "$status" $EX_ERROR
		[ "$(digest "$ns")" = "$a" ] && [ "$(digest "$cache")" = "$b" ]
	done
	run env BCACHE_TEST_FAULT_STEP=3 "$BCACHE" journal repair "$ns" -C "$cache"
	assert_equal "$status" $EX_ERROR
	[ "$(digest "$ns")" = "$a" ]
	[ "$(sb_facts "$cache")" = "keys=15 csum_ok=1 d0_offset=1024 stride=524288 tail_zero=1" ]
}

@test "journal repair after a reboot: rebase then repair gives the bytes of repair then rebase" {
	local k2=0xff20e63b00200000
	setup_journal 64M 1G 4k --stride bytes --jsets 130 --lag 5
	cp "$ns" "$BATS_TEST_TMPDIR/ns.a"
	cp "$cache" "$BATS_TEST_TMPDIR/cache.a"
	# this boot's order: move the namespace to the new K, then repair
	run --separate-stderr bcache nvm rebase "$ns" -C "$cache" --base $k2
	assert_success
	run --separate-stderr bcache journal repair "$ns" -C "$cache" --json
	assert_success
	[ "$(jq -r '.repair[0] | "\(.action) \(.written)"' <<< "$output")" = "relocate true" ]
	[ "$(summary "$output" kernel_after)" = "$(summary "$output" media)" ]
	# the other order, on the copy
	run --separate-stderr bcache journal repair "$BATS_TEST_TMPDIR/ns.a" -C "$BATS_TEST_TMPDIR/cache.a"
	assert_success
	run --separate-stderr bcache nvm rebase "$BATS_TEST_TMPDIR/ns.a" -C "$BATS_TEST_TMPDIR/cache.a" --base $k2
	assert_success
	[ "$(digest "$ns")" = "$(digest "$BATS_TEST_TMPDIR/ns.a")" ]
	[ "$(digest "$cache")" = "$(digest "$BATS_TEST_TMPDIR/cache.a")" ]
	# d[] holds the new K: read at k2, the table is the one a repair at the
	# old K writes (d'[0] = the old d[1], a stride of bucket_size * 512)
	[ "$(BASE=$k2 sb_facts "$cache")" = "keys=15 csum_ok=1 d0_offset=1024 stride=524288 tail_zero=1" ]
	run bcache journal show "$ns" -C "$cache" --summary
	assert_success
}
