#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# journal repair on real devices: the namespace on the fsdax /dev/pmemN, the
# cache device on a loop device, both written with O_DIRECT (whole 4 KiB
# blocks) and read back past the page cache.  The v7 journal is written by
# the test-only tests/tools/journal-gen; no v7 kernel is needed.

load helpers
load ../cli/journal-oracle

CSET=01234567-89ab-cdef-fedc-ba9876543210
JGEN=$(dirname "$BCACHE")/../tests/tools/journal-gen

setup_file() {
	modprobe loop
}

setup() {
	need_root
	[ -x "$JGEN" ] || skip "no tests/tools/journal-gen in this build"
}

# The other suites expect the namespaces as guest.sh made them (all zero):
# zero what make -M and the journal wrote (metadata area and region).
teardown() {
	loop_cleanup
	[ -n "${ns:-}" ] && dd if=/dev/zero of="$ns" bs=1M count=24 oflag=direct status=none
	return 0
}

# region_copy DEV FILE: the 8 MiB journal region, read with O_DIRECT
region_copy() {
	dd if="$1" of="$2" bs=1M skip=$((region >> 20)) count=8 iflag=direct status=none
}

@test "journal repair on fsdax pmem, cache on a loop device: copies unchanged, superblock as the kernel reads it" {
	ns=$(ns_dev fsdax)
	[ -b "$ns" ] || skip "no fsdax namespace"
	cache=$(loop_attach "$(mkimg cache.img 1G)")
	bcache make -M "$ns" -C "$cache" --cset-uuid $CSET --block 4k --force > /dev/null
	# 4k blocks, seq 1-128 in bucket 1 and 129-130 in bucket 2 (d[1] + 1 KiB):
	# the live range 126-130 has to be copied; written at this boot's base
	# (at another one the repair refuses: J_REPAIR_REBASE, tests/vm/live.bats)
	BASE=$(ns_field fsdax live_base)
	"$JGEN" "$ns" "$cache" --base "$BASE" --stride bytes --jsets 130 \
		--lag 5 --print > "$BATS_TEST_TMPDIR/gen.txt"
	region=$(sed -n 's/^region offset=\([0-9]*\) .*/\1/p' "$BATS_TEST_TMPDIR/gen.txt")
	[ "$region" = 16777216 ]
	region_copy "$ns" "$BATS_TEST_TMPDIR/before.bin"
	run bcache journal show "$ns" -C "$cache" --summary --json
	assert_equal "$status" $EX_PROBLEMS
	run --separate-stderr bcache journal repair "$ns" -C "$cache" --json
	assert_success
	[ "$(jq -r '.devices[0].repair | "\(.action) \(.relocated) \(.written)"' <<< "$output")" = \
		"relocate 5 true" ]
	j=$output
	region_copy "$ns" "$BATS_TEST_TMPDIR/after.bin"
	ranges=
	while read -r from to bytes; do
		[ "$(hexat "$BATS_TEST_TMPDIR/after.bin" $((to - region)) "$bytes")" = \
			"$(hexat "$BATS_TEST_TMPDIR/before.bin" $((from - region)) "$bytes")" ]
		ranges+=" $((to - region)):$bytes"
	done < <(jq -r '.devices[0].copies[] | "\(.from_offset) \(.to_offset) \(.bytes)"' <<< "$j")
	# shellcheck disable=SC2086
	[ "$(changed_outside "$BATS_TEST_TMPDIR/after.bin" "$BATS_TEST_TMPDIR/before.bin" $ranges)" = 0 ]
	dd if="$cache" of="$BATS_TEST_TMPDIR/sb.bin" bs=4096 count=2 iflag=direct status=none
	[ "$(sb_facts "$BATS_TEST_TMPDIR/sb.bin")" = \
		"keys=15 csum_ok=1 d0_offset=1024 stride=524288 tail_zero=1" ]
	run bcache journal show "$ns" -C "$cache" --summary --json
	assert_success
	[ "$(jq -r '.devices[0].summary[] | select(.view == "kernel") | "\(.newest_seq) \(.last_seq) \(.complete)"' \
		<<< "$output")" = "130 126 true" ]
}
