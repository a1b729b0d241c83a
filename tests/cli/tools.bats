#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The test-only tools the other suites trust: imgsum (the "unchanged"
# checks) sees every byte of a sparse image, holes and data alike.

load helpers

# poke FILE OFFSET HEX: write bytes in place
poke() { xxd -r -p <<< "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }

@test "imgsum: a byte changed anywhere changes the sum; zeroes written equal a hole" {
	[ -x "$IMGSUM" ] || skip "imgsum is not built"
	local img ref sums off
	img=$(mkimg a.img 1G)
	ref=$("$IMGSUM" "$img")
	assert_equal "$ref" "1073741824 0000000000000000 0000000000000000 0"
	# written zeroes (an allocated extent) sum like the hole they replace
	dd if=/dev/zero of="$img" bs=1M count=3 seek=100 conv=notrunc status=none
	assert_equal "$("$IMGSUM" -e "$img")" "104857600 3145728"
	assert_equal "$("$IMGSUM" "$img")" "$ref"
	# one byte in a hole, in an extent, in the last block, the last byte
	sums=$ref
	for off in 0 4095 $((100 << 20)) $(((100 << 20) + 12345)) $(((1 << 30) - 4096)) \
		   $(((1 << 30) - 1)); do
		img=$(mkimg "b$off.img" 1G)
		poke "$img" "$off" 01
		sums+=$'\n'$("$IMGSUM" "$img")
	done
	assert_equal "$(sort -u <<< "$sums" | wc -l)" 7
	# the same non-zero block at another offset, or another size, differs
	img=$(mkimg c.img 1G)
	poke "$img" 4096 01
	assert_not_equal "$("$IMGSUM" "$img")" "$(sed -n 2p <<< "$sums")"
	truncate -s 2G "$img"
	assert_equal "$("$IMGSUM" "$img" | cut -d' ' -f1,4)" "2147483648 1"
}

@test "imgsum: the sum does not depend on how the bytes were written" {
	[ -x "$IMGSUM" ] || skip "imgsum is not built"
	local a b
	a=$(mkimg a.img 64M)
	bcache make -M "$a" --set-uuid $SET_UUID --uuid $NS_UUID > /dev/null
	b=$BATS_TEST_TMPDIR/b.img
	cp --sparse=never "$a" "$b"
	assert_equal "$("$IMGSUM" "$b")" "$("$IMGSUM" "$a")"
	assert_equal "$("$IMGSUM" -e "$b")" "0 67108864"
	cmp "$a" "$b"
	run "$IMGSUM" "$BATS_TEST_TMPDIR/missing.img"
	assert_equal "$status" 1
	assert_output --partial "missing.img: No such file or directory"
}
