#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Hostile media: the faults that mutated images found in the read-only
# commands (a journal analysis bounded by values from the media, output that
# is not UTF-8, an output path that is an input, a truncated image), each
# with the state that showed it, made by the generators.

load helpers
load nvm-helpers

CSET=01234567-89ab-cdef-fedc-ba9876543210
JGEN=${JGEN:-${BCACHE%/*}/../tests/tools/journal-gen}

# a 1 GiB namespace and a 16 GiB cache device with a 20-jset v7 journal
# (128 MiB region at namespace byte 128 MiB)
setup_journal() {
	ns=$(mkimg ns.img 1G)
	cache=$(mkimg cache.img 16G)
	bcache make -M "$ns" -C "$cache" --cset-uuid $CSET --block 512 > /dev/null
	"$JGEN" "$ns" "$cache" --stride bytes --jsets 20 > /dev/null
}

@test "journal show without -C: 258,048 single-page allocations are not journal regions" {
	img=$(fresh_img ns.img 1G)
	gen "$img" attach $K
	assert_equal "$(gen "$img" bulk 258048 0 $OWNER_A)" 258048
	# before: every allocation was analysed as a region (28 s, 6.7 GB)
	run -5 timeout 120 "$BCACHE" journal show --summary "$img"
	assert_equal "$output" "bcache: $img: no journal: the owners' 258048 allocations are \
single pages, too small for a journal region"
}

@test "journal show without -C: of 4096 two-page allocations only the first is shown" {
	img=$(fresh_img ns.img 1G)
	gen "$img" attach $K
	assert_equal "$(gen "$img" bulk 4096 1 $OWNER_A)" 4096
	run -4 timeout 120 "$BCACHE" journal show --summary --json "$img"
	assert_equal "$(jq -c '[.devices[0].journals[] | [.owner, .region_offset, .region_bytes]]' \
		<<< "$output")" '[[1,16777216,8192]]'
	assert_equal "$(jq -r '.devices[0].problems[] | select(.code == "J_EMPTY_REGIONS") | .message' \
		<<< "$output")" "4095 more allocations of the owners hold no jset magic: not shown"
	assert_equal "$(jq -r '[.devices[0].problems[].code] | join(" ")' <<< "$output")" \
		"J_NO_JOURNAL J_EMPTY_REGIONS J_LEAKED_REGION"
}

@test "journal show without -C: a region with jsets among empty ones is the one shown" {
	setup_journal
	gen "$ns" bulk 2000 1 $CSET > /dev/null
	run -0 bcache journal show --summary --json "$ns"
	assert_equal "$(jq -c '[.devices[0].journals[] | [.region_offset, .region_bytes]]' <<< "$output")" \
		'[[134217728,134217728]]'
	assert_equal "$(jq -c '.devices[0].summary[0] | [.newest_seq, .present, .complete]' <<< "$output")" \
		'[20,20,true]'
	assert_equal "$(jq -r '.devices[0].problems[] | select(.code == "J_EMPTY_REGIONS") | .message' \
		<<< "$output")" "2000 more allocations of the owners hold no jset magic: not shown"
}

@test "--json is valid UTF-8 when a label and a path are not; text escapes them the same" {
	img=$(fresh_img ns.img 1G)
	gen "$img" attach $K
	# heads[0].label "nv", 0xff, "m", U+00E9 (valid UTF-8), a backslash, "x"
	gen "$img" set head 0 label "6e76ff6dc3a95c78$(printf '%048d' 0)"
	odd=$BATS_TEST_TMPDIR/ns-$'\xe9'.img
	cp --sparse=always "$img" "$odd"
	for cmd in "nvm check" "nvm dump"; do
		run -0 bcache $cmd --json "$odd"
		iconv -f UTF-8 -t UTF-8 <<< "$output" > /dev/null
		assert_equal "$(jq -r '.devices[0] | .device as $d | .problems[] |
			select(.code == "OL_SYS_HEAD") | "\($d) \(.message)"' <<< "$output")" \
			"$BATS_TEST_TMPDIR/ns-\\xe9.img heads[0].label is \"nv\\xffm\\xc3\\xa9\\x5cx\", \
expected \"nvm_pages_internal\""
	done
	run -0 bcache nvm check "$odd"
	iconv -f UTF-8 -t UTF-8 <<< "$output" > /dev/null
	grep -qE '^OL_SYS_HEAD +[a-z]+ ' <<< "$output"
	grep -qE '^[^ ]*ns-\\xe9\.img: v7, ' <<< "$output"
	grep -qF 'heads[0].label is "nv\xffm\xc3\xa9\x5cx"' <<< "$output"
}

@test "journal extract -o refuses its inputs (by inode), -o - writes standard output" {
	setup_journal
	before=$("$IMGSUM" "$ns")
	cbefore=$("$IMGSUM" "$cache")
	run -3 bcache journal extract "$ns" -C "$cache" -o "$ns"
	assert_equal "$output" "bcache: $ns: is the input $ns (the same file): refusing to overwrite it"
	ln -s "$cache" "$BATS_TEST_TMPDIR/link"
	ln "$ns" "$BATS_TEST_TMPDIR/hard"
	run -3 bcache journal extract "$ns" -C "$cache" -o "$BATS_TEST_TMPDIR/link"
	assert_equal "$output" "bcache: $BATS_TEST_TMPDIR/link: is the input $cache (the same \
file): refusing to overwrite it"
	run -3 bcache journal extract "$ns" -o "$BATS_TEST_TMPDIR/hard"
	assert_equal "$("$IMGSUM" "$ns")" "$before"
	assert_equal "$("$IMGSUM" "$cache")" "$cbefore"
	# standard output: the same bytes as a file
	bcache journal extract "$ns" -C "$cache" -o "$BATS_TEST_TMPDIR/out.bin" 2> /dev/null
	bcache journal extract "$ns" -C "$cache" -o - > "$BATS_TEST_TMPDIR/stdout.bin" \
		2> "$BATS_TEST_TMPDIR/err"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" \
		"$ns: 20 jsets, 5440 bytes written to standard output"
	cmp "$BATS_TEST_TMPDIR/out.bin" "$BATS_TEST_TMPDIR/stdout.bin"
	assert_equal "$(stat -c %s "$BATS_TEST_TMPDIR/out.bin")" 5440
	# standard output that is an input is refused too
	run -3 bash -c '"$BCACHE" journal extract "$1" -o - >> "$1"' _ "$ns"
	assert_equal "$("$IMGSUM" "$ns")" "$before"
}

@test "journal show on an image truncated before its journal region says what is missing" {
	setup_journal
	truncate -s 100M "$ns"
	# before: "journal analysis failed: Invalid argument", exit 1
	for c in "" "-C $cache"; do
		run -4 bcache journal show --summary --json "$ns" $c
		assert_equal "$(jq -r '.devices[0].problems[] | select(.code == "J_TRUNCATED") | .message' \
			<<< "$output")" "the journal $([ -n "$c" ] && echo span || echo region) \
[134217728, 268435456) runs past the end of the device (104857600 bytes): 134217728 bytes \
of it are missing, all of it (the image is truncated)"
	done
	# cut inside the region: what is there is scanned
	setup_journal
	truncate -s $((0x8000000 + 0x10000)) "$ns"
	run -4 bcache journal show --summary --json "$ns"
	assert_equal "$(jq -r '.devices[0].problems[] | select(.code == "J_TRUNCATED") | .message' \
		<<< "$output")" "the journal region [134217728, 268435456) runs past the end of \
the device (134283264 bytes): 134152192 bytes of it are missing (the image is truncated)"
	assert_equal "$(jq -c '.devices[0].summary[0] | [.newest_seq, .present]' <<< "$output")" '[20,20]'
}

teardown() { loop_cleanup; }

# Found by the fuzz target `show` (tests/fuzz/fuzz-show.c): libsmartcols,
# left in the "C" locale, never finished printing a text table with a
# non-ASCII UTF-8 character in a cell to a pipe (timeout: exit 124 here).
# The cell: journal show's CACHE_DEVICE, the -C path as given.
@test "text tables with a UTF-8 path in a cell finish (journal show -C, piped)" {
	ns=$(mkimg ns.img 1G)
	cache=$(mkimg "cache-$(printf '\xc3\xa9').img" 16G)
	bcache make -M "$ns" -C "$cache" --cset-uuid $CSET --block 512 > /dev/null
	"$JGEN" "$ns" "$cache" --stride bytes --jsets 20 > /dev/null
	for loc in "" C; do
		run -0 env ${loc:+LC_ALL=$loc} timeout 60 "$BCACHE" journal show --summary "$ns" \
			-C "$cache"
		assert_equal "${lines[0]}" "$ns: journal location"
		assert_line --index 2 --regexp "^$cache +0 $CSET +134217728 +128 MiB bytes \(v7\) +256$"
	done
}

@test "show's device list escapes a label's non-ASCII bytes, and prints it piped (-m)" {
	need_root
	img=$(mkimg bdev.img 8M)
	# "ab", U+02EB (valid UTF-8), "cd": a label shows printable ASCII only
	bcache make -B "$img" -u $CSET -l "$(printf 'ab\xcb\xabcd')" > /dev/null
	dev=$(loop_attach "$img")
	run -0 timeout 60 "$BCACHE" show -m
	grep -qE "^$dev +backing .* ab\\\\xcb\\\\xabcd " <<< "$output"
	run -0 bcache show --json
	assert_equal "$(jq -r --arg d "$dev" '.devices[] | select(.device == $d) | .label' \
		<<< "$output")" 'ab\xcb\xabcd'
}
