#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# bcache nvm rebase: a state the test-only generators make at base K1 and
# rebase to K2 is byte for byte the same state made at K2 directly
# (namespace and cache device), for an attached namespace without
# allocations, several owners, chains of several record pages, and a
# journal; nvm check and journal show give the same verdicts before and
# after; every interruption point (BCACHE_TEST_FAULT_STEP) resumes to the
# same bytes, also when the resumed run goes to yet another base.

load helpers
load nvm-helpers

K1=0xffff888100000000
K2=0xff20e63b00200000
K3=0xff11000000000000
CSET=01234567-89ab-cdef-fedc-ba9876543210
DEV_UUID=20212223-2425-2627-2829-2a2b2c2d2e2f
JGEN=${JGEN:-$(dirname "$BCACHE")/../tests/tools/journal-gen}

teardown() {
	exec 9<&-
	loop_cleanup
}

# make KIND K IMG: make the state KIND at base K in IMG (and, for journal,
# in IMG's cache device, cache_of IMG)
make_state() {
	local kind=$1 k=$2 img=$3
	truncate -s 64M "$img"
	case $kind in
	journal)
		truncate -s 2G "$(cache_of "$img")"
		bcache make -M "$img" -C "$(cache_of "$img")" --cset-uuid $CSET \
			--set-uuid $SET_UUID --uuid $NS_UUID --dev-uuid $DEV_UUID > /dev/null
		"$JGEN" "$img" "$(cache_of "$img")" --base "$k" --jsets 40
		return ;;
	esac
	bcache make -M "$img" --set-uuid $SET_UUID --uuid $NS_UUID > /dev/null
	gen "$img" attach "$k"
	case $kind in
	multi-owner)
		gen "$img" alloc 3 $OWNER_A 2 > /dev/null
		gen "$img" alloc 5 $OWNER_B > /dev/null
		gen "$img" alloc 0 $OWNER_C 3 > /dev/null
		gen "$img" alloc 2 $OWNER_A > /dev/null
		gen "$img" free "$(gen "$img" alloc 1 $OWNER_B)" 1 $OWNER_B ;;
	multi-page)	# 2100 records: a chain of three record pages, two owners
		gen "$img" bulk 2100 0 $OWNER_A > /dev/null
		gen "$img" alloc 4 $OWNER_B > /dev/null ;;
	esac
}

# state KIND K NAME: a copy of the state KIND at base K as NAME.img (made
# once per test file); echoes the namespace image
state() {
	local made=$BATS_FILE_TMPDIR/$1-$2.img img=$BATS_TEST_TMPDIR/$3.img
	[ -e "$made" ] || make_state "$1" "$2" "$made"
	cp --sparse=always "$made" "$img"
	[ ! -e "$(cache_of "$made")" ] || cp --sparse=always "$(cache_of "$made")" "$(cache_of "$img")"
	echo "$img"
}

cache_of() { echo "${1%.img}-cache.img"; }

# same_state A B: namespaces equal; and their cache devices' superblock
# pages when there are cache devices
same_state() {
	cmp "$1" "$2" || return 1
	[ ! -e "$(cache_of "$1")" ] || cmp -n 8192 "$(cache_of "$1")" "$(cache_of "$2")"
}

# verdicts IMG: nvm check's problems without their messages (which name K),
# and for a journal state journal show's views without the base
verdicts() {
	bcache nvm check --json "$1" | jq -c '[.devices[].problems[] | {code, severity, offset, where}]'
	if [ -e "$(cache_of "$1")" ]; then
		bcache journal show "$1" -C "$(cache_of "$1")" --json |
			jq -cS 'del(.. | .device?, .cache_device?, .base?)'
	fi
}

rebase_args() { # IMG: the -C option of a journal state
	[ ! -e "$(cache_of "$1")" ] || echo "-C $(cache_of "$1")"
}

check_equivalent() { # KIND
	local a b before
	a=$(state "$1" $K1 a)
	b=$(state "$1" $K2 b)
	! same_state "$a" "$b"
	before=$(verdicts "$a")
	# shellcheck disable=SC2046
	run --separate-stderr bcache nvm rebase "$a" --base $K2 $(rebase_args "$a")
	assert_success
	assert_line --index 0 "rebased $a: base $K1 -> $K2, ${lines[0]##*-> $K2, }"
	same_state "$a" "$b"
	[ "$(verdicts "$a")" = "$before" ]
	# and back again
	c=$(state "$1" $K1 c)
	# shellcheck disable=SC2046
	run --separate-stderr bcache nvm rebase "$a" --base $K1 $(rebase_args "$a")
	assert_success
	same_state "$a" "$c"
}

@test "rebase K1 -> K2 equals a state made at K2: attached, no allocations" {
	check_equivalent fresh-only
}

@test "rebase K1 -> K2 equals a state made at K2: several owners, a freed slot" {
	check_equivalent multi-owner
}

@test "rebase K1 -> K2 equals a state made at K2: chains of several record pages" {
	check_equivalent multi-page
	# the chain really has three pages (next pointers were rebased)
	run bcache nvm dump --json "$BATS_TEST_TMPDIR/a.img"
	[ "$(jq '[.devices[0].record_pages[] | select(.head == 1)] | length' <<< "$output")" = 3 ]
}

@test "rebase K1 -> K2 equals a state made at K2: a journal, namespace and cache device" {
	check_equivalent journal
	run bcache journal show "$BATS_TEST_TMPDIR/a.img" -C "$BATS_TEST_TMPDIR/a-cache.img" --json
	[ "$(jq -r '.devices[0].journals[0].base' <<< "$output")" = $K1 ]
	[ "$(jq '.devices[0].summary[] | select(.view == "kernel") | .newest_seq' <<< "$output")" = 40 ]
}

@test "--dry-run lists every field old -> new in write order and writes nothing" {
	a=$(state multi-owner $K1 a)
	before=$(digest "$a")
	run --separate-stderr bcache nvm rebase "$a" --base $K2 --dry-run --json
	assert_success
	[ "$(digest "$a")" = "$before" ]
	j=$output
	[ "$(jq -c '.devices[0].rebase[0] | [.device, .pass, .from, .to, .resumed, .written]' <<< "$j")" = \
		"[\"$a\",1,\"$K1\",\"$K2\",false,false]" ]
	n=$(jq '.devices[0].rebase[0].fields' <<< "$j")
	[ "$(jq '.devices[0].fields | length' <<< "$j")" = "$n" ]
	# the marker first, the superblock last
	[ "$(jq -r '.devices[0].fields[0].where' <<< "$j")" = "heads[0].recs[0]" ]
	[ "$(jq -r '[.devices[0].fields[-2].where, .devices[0].fields[-1].where] | join(",")' <<< "$j")" = \
		"sb.owner_list_head,sb.csum" ]
	# every old value is what the image holds there, every new one what the
	# state made at K2 holds there
	b=$(state multi-owner $K2 b)
	while read -r off old new; do
		[ "0x$(od -An -tx8 -j "$off" -N 8 "$a" | tr -d ' ')" = "$old" ] || return 1
		[ "0x$(od -An -tx8 -j "$off" -N 8 "$b" | tr -d ' ')" = "$new" ] || return 1
	done < <(jq -r '.devices[0].fields[] | "\(.offset) \(.old) \(.new)"' <<< "$j")
	# heads, record-page owners and records are all there
	for w in 'heads[1].recs[0]' 'slot[1].owner' 'slot[1].recs[0]' 'slot[0].owner'; do
		jq -e --arg w "$w" '[.devices[0].fields[] | select(.where == $w)] | length == 1' <<< "$j"
	done
	# text: a title and the table
	run --separate-stderr bcache nvm rebase "$a" --base $K2 -n
	assert_success
	assert_line --index 0 "would rebase $a: base $K1 -> $K2, $n fields in ${lines[0]##*fields in }"
	assert_line --partial "heads[0].recs[0]   $(printf 0x%x $((K1 + 16384)))"
}

@test "nothing to do: already at the base, or never attached (exit 0, unchanged)" {
	a=$(state multi-owner $K2 a)
	before=$(digest "$a")
	run bcache nvm rebase "$a" --base $K2
	assert_success
	assert_output "$a: already at base $K2; nothing to do"
	f=$(fresh_img f.img 64M)
	run bcache nvm rebase "$f" --base $K2
	assert_success
	assert_output --partial "$f: the namespace was never attached by a kernel"
	[ "$(digest "$a")" = "$before" ]
}

@test "refusals: overlapping range (3), bad base (2), not live (1), no superblock (5)" {
	a=$(state multi-owner $K1 a)
	before=$(digest "$a")
	run --separate-stderr bcache nvm rebase "$a" --base $((K1 + (32 << 20)))
	assert_equal "$status" $EX_REFUSED
	[[ "$stderr" == *"overlaps [$K1, "* ]]
	run --separate-stderr bcache nvm rebase "$a" --base 0x12345000
	assert_equal "$status" $EX_USAGE
	[[ "$stderr" == *"page-aligned kernel address"* ]]
	run --separate-stderr bcache nvm rebase "$a" --base $((K2 + 512))
	assert_equal "$status" $EX_USAGE
	run --separate-stderr bcache nvm rebase "$a" --base live
	assert_equal "$status" $EX_ERROR
	assert_equal "$stderr" "bcache: $a: --base live: not a pmem namespace of this system"
	run --separate-stderr bcache nvm rebase "$a" --base nonsense
	assert_equal "$status" $EX_USAGE
	run --separate-stderr bcache nvm rebase "$a"
	assert_equal "$status" $EX_USAGE
	[ "$(digest "$a")" = "$before" ]
	z=$(mkimg z.img 64M)
	run --separate-stderr bcache nvm rebase "$z" --base $K2
	assert_equal "$status" $EX_NOT_FOUND
}

@test "refuses a namespace that does not check clean apart from its base (3, unchanged)" {
	a=$(state multi-owner $K1 a)
	gen "$a" rec-at 1 0 8192 25	# order 25
	before=$(digest "$a")
	run --separate-stderr bcache nvm rebase "$a" --base $K2 --json
	assert_equal "$status" $EX_REFUSED
	[ "$(jq -r '[.devices[].problems[] | select(.severity != "info") | .code] | join(",")' \
		<<< "$output")" = REC_ORDER ]
	[[ "$stderr" == *"does not check clean apart from its base"* ]]
	[ "$(digest "$a")" = "$before" ]
	# a first attach that was only partly persisted
	p=$(fresh_img p.img 64M)
	gen "$p" poke $((8192 + 40 + 48)) $((K1 + 16384))
	run --separate-stderr bcache nvm rebase "$p" --base $K2
	assert_equal "$status" $EX_REFUSED
	assert_line --partial BASE_PARTIAL
}

@test "refuses a cache device of another cache set, or one that is not nvdimm_meta (3)" {
	a=$(state journal $K1 a)
	o=$(mkimg other.img 2G)
	bcache make -C "$o" > /dev/null
	before=$(digest "$a")
	run --separate-stderr bcache nvm rebase "$a" --base $K2 -C "$o"
	assert_equal "$status" $EX_REFUSED
	[[ "$stderr" == *"$o: not a bcache cache device with nvdimm_meta (version 5); refusing"* ]]
	o2=$(mkimg other2.img 64M)
	t=$(mkimg t.img 2G)
	bcache make -M "$o2" -C "$t" > /dev/null	# another cache set, nvdimm_meta
	run --separate-stderr bcache nvm rebase "$a" --base $K2 -C "$t"
	assert_equal "$status" $EX_REFUSED
	[[ "$stderr" == *"$t: its cache set owns nothing in this namespace; refusing"* ]]
	[ "$(digest "$a")" = "$before" ]
}

@test "a cache device left behind is rebased later on its own (-C)" {
	a=$(state journal $K1 a)
	b=$(state journal $K2 b)
	run --separate-stderr bcache nvm rebase "$a" --base $K2	# no -C: a warning
	assert_success
	[[ "$stderr" == *"holds 4096 pages but no cache device of that cache set was found: its d[] keep base $K1"* ]]
	cmp "$a" "$b"
	! cmp -s -n 8192 "$(cache_of "$a")" "$(cache_of "$b")"
	run bcache nvm rebase "$a" --base $K2 -C "$(cache_of "$a")"
	assert_success
	assert_line "rebased $(cache_of "$a"): d[] base $K1 -> $K2"
	same_state "$a" "$b"
}

# interrupt KIND TARGET: stop after every write step in turn; each stop is
# resumed by a run to TARGET, which must give the state made at TARGET
interrupt() {
	local kind=$1 target=$2 ref a s=0 olh
	ref=$(state "$kind" "$target" ref)
	while :; do
		s=$((s + 1))
		a=$(state "$kind" $K1 a)
		# shellcheck disable=SC2046
		run --separate-stderr env BCACHE_TEST_FAULT_STEP=$s "$BCACHE" nvm rebase "$a" \
			--base $K2 $(rebase_args "$a")
		[ "$status" -eq 0 ] && break
		assert_equal "$status" $EX_ERROR
		assert_equal "${stderr##*$'\n'}" "bcache: $a: stopped by fault injection"
		# the superblock changes last: until then it holds K1 and nvm check
		# sees the interrupted run; after it, everything is at K2
		olh=0x$(od -An -tx8 -j 4312 -N 8 "$a" | tr -d ' ')
		if [ "$olh" = "$(printf 0x%x $((K1 + 8192)))" ]; then
			run bcache nvm check "$a"
			assert_equal "$status" $EX_PROBLEMS
		else
			[ "$target" != $K2 ] || same_state "$a" "$ref"
		fi
		# shellcheck disable=SC2046
		run bcache nvm rebase "$a" --base "$target" $(rebase_args "$a")
		assert_success
		same_state "$a" "$ref" || { echo "step $s: resumed state differs"; return 1; }
		[ $s -lt 40 ] || return 1
	done
	[ $s -gt 3 ]		# marker, pages, superblock at least
	same_state "$a" "$(state "$kind" $K2 k2)"
}

@test "every interruption point resumes to the same bytes: several owners" {
	interrupt multi-owner $K2
}

@test "every interruption point resumes to the same bytes: record-page chains" {
	interrupt multi-page $K2
}

@test "every interruption point resumes to the same bytes: journal (namespace + cache device)" {
	interrupt journal $K2
}

@test "an interrupted rebase to K2 resumed towards K3: finished to K2, then K2 -> K3" {
	interrupt journal $K3
	# the resumed run says what it does
	a=$(state multi-owner $K1 a)
	run env BCACHE_TEST_FAULT_STEP=2 "$BCACHE" nvm rebase "$a" --base $K2
	cp --sparse=always "$a" "$BATS_TEST_TMPDIR/b.img"
	before=$(digest "$BATS_TEST_TMPDIR/b.img")
	run --separate-stderr bcache nvm rebase "$a" --base $K3 --json
	assert_success
	# one "rebase" member holding both passes (jq keeps the last of two
	# equal keys: count them in the text), rows in pass order
	assert_equal "$(grep -o '"rebase":' <<< "$output" | wc -l)" 1
	assert_equal "$(jq -c '.devices[0] | [keys_unsorted, [.rebase[] | [.device, .pass, .from, .to,
		.fields > 0, .resumed, .written]]]' <<< "$output")" \
		"[[\"device\",\"rebase\"],[[\"$a\",1,\"$K1\",\"$K2\",true,true,true],[\"$a\",2,\"$K2\",\"$K3\",true,false,true]]]"
	# --dry-run of the same: one "fields" member too, every field of both
	# passes with its pass; the counts match the rebase rows
	b=$BATS_TEST_TMPDIR/b.img
	run --separate-stderr bcache nvm rebase "$b" --base $K3 --json --dry-run
	assert_success
	assert_equal "$(grep -o '"fields":\[' <<< "$output" | wc -l)" 1
	assert_equal "$(jq -c '.devices[0] | [keys_unsorted, [.rebase[] | [.pass, .from, .to, .written]],
		([.rebase[].fields] == [(.fields | group_by(.pass)[] | length)]),
		([.fields[] | select(.pass == 1) | .new] | unique | length > 0)]' <<< "$output")" \
		"[[\"device\",\"rebase\",\"fields\"],[[1,\"$K1\",\"$K2\",false],[2,\"$K2\",\"$K3\",false]],true,true]"
	# a field pass 1 changes, pass 2 changes from pass 1's new value
	assert_equal "$(jq '.devices[0].fields | (map(select(.pass == 1)) |
		map({(.offset | tostring): .new}) | add) as $p1 | [.[] | select(.pass == 2) |
		select($p1[.offset | tostring] != null) | $p1[.offset | tostring] == .old] |
		[length > 0, all]' <<< "$output" | tr -d ' \n')" "[true,true]"
	[ "$(digest "$b")" = "$before" ]
}

@test "an interruption of the second pass resumes too" {
	ref=$(state multi-owner $K3 ref)
	for s in 3 4 5 6 7 8 9; do
		a=$(state multi-owner $K1 a)
		run env BCACHE_TEST_FAULT_STEP=2 "$BCACHE" nvm rebase "$a" --base $K2
		assert_equal "$status" $EX_ERROR
		run env BCACHE_TEST_FAULT_STEP=$s "$BCACHE" nvm rebase "$a" --base $K3
		run bcache nvm rebase "$a" --base $K3
		assert_success
		cmp "$a" "$ref"
	done
}

@test "a loop device with a stale page cache is rebased from the media" {
	need_root
	a=$(state multi-owner $K1 a)
	loop=$(loop_attach "$a")
	exec 9<"$loop"
	dd if="$loop" of=/dev/null bs=1M status=none
	gen "$a" alloc 2 $OWNER_C 2 > /dev/null	# behind the loop device's cache
	b=$(state multi-owner $K2 b)
	gen "$b" alloc 2 $OWNER_C 2 > /dev/null
	run bcache nvm rebase "$loop" --base $K2
	assert_success
	cmp "$a" "$b"
}

@test "without -C the cache device is found by its cache set uuid (libblkid); two of one set are refused" {
	need_root
	# a uuid no other device has, without 0x00 bytes (the kernel's strncpy
	# of owner_uuid would cut it: RP_UUID_TRUNC, and the state not clean)
	cset=$(tr -dc '1-9a-f' < /dev/urandom | head -c 32 |
		sed -E 's/(.{8})(.{4})(.{4})(.{4})(.{12})/\1-\2-\3-\4-\5/')
	for k in 1 2; do
		truncate -s 64M "$BATS_TEST_TMPDIR/n$k.img"
		truncate -s 2G "$BATS_TEST_TMPDIR/c$k.img"
		bcache make -M "$BATS_TEST_TMPDIR/n$k.img" -C "$BATS_TEST_TMPDIR/c$k.img" \
			--cset-uuid "$cset" --set-uuid $SET_UUID --uuid $NS_UUID \
			--dev-uuid $DEV_UUID > /dev/null
		"$JGEN" "$BATS_TEST_TMPDIR/n$k.img" "$BATS_TEST_TMPDIR/c$k.img" \
			--base "$([ $k = 1 ] && echo $K1 || echo $K2)" --jsets 10
	done
	ns=$(loop_attach "$BATS_TEST_TMPDIR/n1.img")
	cache=$(loop_attach "$BATS_TEST_TMPDIR/c1.img")
	run --separate-stderr bcache nvm rebase "$ns" --base $K2
	assert_success
	assert_line "rebased $cache: d[] base $K1 -> $K2"
	cmp "$BATS_TEST_TMPDIR/n1.img" "$BATS_TEST_TMPDIR/n2.img"
	cmp -n 8192 "$BATS_TEST_TMPDIR/c1.img" "$BATS_TEST_TMPDIR/c2.img"
	# a second cache device of the same set: which one is meant?
	cp --sparse=always "$BATS_TEST_TMPDIR/c1.img" "$BATS_TEST_TMPDIR/c3.img"
	loop_attach "$BATS_TEST_TMPDIR/c3.img" > /dev/null
	before=$(digest "$BATS_TEST_TMPDIR/n1.img")
	run --separate-stderr bcache nvm rebase "$ns" --base $K1
	assert_equal "$status" $EX_REFUSED
	[[ "$stderr" == *"several cache devices of cache set $cset"*"name the right one with -C"* ]]
	[ "$(digest "$BATS_TEST_TMPDIR/n1.img")" = "$before" ]
}
