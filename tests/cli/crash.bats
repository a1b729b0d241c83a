#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Crash-safe ordering of make -M (lib/nvm-format.c): the test hook
# BCACHE_TEST_FAULT_STEP=N (built with -Dtest_hooks=true) stops the write
# after step N, as a power cut would.  After every stop point the device must
# be in one of two states, and nothing in between:
#   - no valid superblock: `nvm dump` exits 5 ("no nvm-pages superblock"),
#     so no kernel or tool will trust the half-written metadata area; or
#   - fully formatted: byte for byte the image an uninterrupted run writes
#     (same uuids), and `nvm dump` exits 0 with a good checksum.
# An old valid superblock is never left over new structures: step 1 removes
# it before anything else is written.

load helpers

NEW_SET=20212223-2425-2627-2829-2a2b2c2d2e2f
NEW_NS=30313233-3435-3637-3839-3a3b3c3d3e3f
STEPS=5	# BCH_FMT_STEP__LAST

setup() {
	img=$(mkimg probe.img 32M)
	BCACHE_TEST_FAULT_STEP=1 "$BCACHE" make -M "$img" >/dev/null 2>&1 &&
		skip "built without -Dtest_hooks=true"
	# the image an uninterrupted format writes
	REF=$(mkimg ref.img 32M)
	"$BCACHE" make -M "$REF" --set-uuid $NEW_SET --uuid $NEW_NS >/dev/null
}

# old_image KIND: a 32 MiB image with an old valid superblock, or none
old_image() {
	local f
	f=$(mkimg "old-$1.img" 32M)
	if [ "$1" = valid ]; then
		"$BCACHE" make -M "$f" --set-uuid $SET_UUID --uuid $NS_UUID >/dev/null
	else	# no superblock, but non-zero bytes in the metadata area
		printf 'old data' | dd of="$f" bs=1 seek=$((1 << 20)) conv=notrunc status=none
	fi
	echo "$f"
}

check_stop() { # KIND STEP
	local img
	img=$(old_image "$1")
	run --separate-stderr env BCACHE_TEST_FAULT_STEP="$2" "$BCACHE" make -M "$img" \
		--force --set-uuid $NEW_SET --uuid $NEW_NS
	assert_equal "$status" $EX_ERROR
	[ "${stderr##*$'\n'}" = "bcache: $img: stopped by fault injection" ]
	run --separate-stderr bcache nvm dump "$img"
	if [ "$2" -lt $STEPS ]; then
		assert_equal "$status" $EX_NOT_FOUND
		[[ "$stderr" == *"no nvm-pages superblock"* ]]
		# the superblock page is all zero
		[ "$(hexat "$img" 4096 4096 | tr -d 0)" = "" ]
	else
		assert_success
		assert_line --partial "checksum ok"
		[ "$(digest "$img")" = "$(digest "$REF")" ]
	fi
}

@test "every stop point over an old valid superblock: no superblock, or fully formatted" {
	for s in $(seq 1 $STEPS); do
		check_stop valid "$s"
	done
}

@test "every stop point over a device without a superblock: no superblock, or fully formatted" {
	for s in $(seq 1 $STEPS); do
		check_stop none "$s"
	done
}

@test "stop after the system record page: structures there, superblock not yet" {
	img=$(old_image valid)
	run env BCACHE_TEST_FAULT_STEP=4 "$BCACHE" make -M "$img" --force \
		--set-uuid $NEW_SET --uuid $NEW_NS
	assert_equal "$status" $EX_ERROR
	# owner table and system record page equal the reference, superblock absent
	[ "$(hexat "$img" 8192 4096)" = "$(hexat "$REF" 8192 4096)" ]
	[ "$(hexat "$img" 16384 4096)" = "$(hexat "$REF" 16384 4096)" ]
	run bcache nvm dump "$img"
	assert_equal "$status" $EX_NOT_FOUND
	# a rerun without the fault completes the format
	run bcache make -M "$img" --set-uuid $NEW_SET --uuid $NEW_NS
	assert_success
	[ "$(digest "$img")" = "$(digest "$REF")" ]
}

@test "a stop point past the last step is never reached: the format completes" {
	img=$(old_image none)
	run env BCACHE_TEST_FAULT_STEP=$((STEPS + 1)) "$BCACHE" make -M "$img" --force \
		--set-uuid $NEW_SET --uuid $NEW_NS
	assert_success
	[ "$(digest "$img")" = "$(digest "$REF")" ]
}
