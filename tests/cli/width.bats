#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Every default text table of every command fits a 120-column terminal on
# realistic states: the widest line of each command's default output in a
# UTF-8 locale, piped with COLUMNS=120 (tables fit the terminal, or COLUMNS
# when piped, as lsblk: problem messages wrap, long keys are cut), with
# device names as short as real ones (/dev/pmem0).  The closing health
# lines wrap to the same width after a ", " or "; " (piped without COLUMNS
# they are one line, which scripts may grep).  Then COLUMNS=80: the columns
# whose flags allow it are cut or wrapped.

load helpers
load nvm-helpers

JGEN=${JGEN:-${BCACHE%/*}/../tests/tools/journal-gen}
CSET=3b7f1e2a-5c4d-4e6f-8a9b-0c1d2e3f4a5b

setup_file() {
	local d=$BATS_FILE_TMPDIR
	export LC_ALL=C.UTF-8
	unset COLUMNS
	cd "$d" || return 1
	# pmem0: fresh v7, 1 GiB
	truncate -s 1G pmem0
	"$BCACHE" make -M pmem0 --set-uuid $SET_UUID --uuid $NS_UUID > /dev/null
	# pmem1: attached v7, three owners, 306 allocations of orders 0-5
	cp --sparse=always pmem0 pmem1
	"$NVM_GEN" pmem1 attach $K
	"$NVM_GEN" pmem1 alloc 3 $OWNER_A 2 > /dev/null
	"$NVM_GEN" pmem1 alloc 5 $OWNER_B > /dev/null
	"$NVM_GEN" pmem1 alloc 0 $OWNER_C 3 > /dev/null
	"$NVM_GEN" pmem1 bulk 300 0 $OWNER_A > /dev/null
	"$NVM_GEN" pmem1 free "$("$NVM_GEN" pmem1 alloc 1 $OWNER_B)" 1 $OWNER_B
	# pmem2: nvmpg (v13), 1 GiB
	truncate -s 1G pmem2
	"$BCACHE" make -M pmem2 --revision v13 --set-uuid $SET_UUID --uuid $NS_UUID > /dev/null
	# pmem3 + sdb: a v7 journal of 20 jsets; sdc: a backing device
	truncate -s 1G pmem3
	truncate -s 16G sdb
	truncate -s 64M sdc
	"$BCACHE" make -M pmem3 -C sdb --cset-uuid $CSET --block 512 > /dev/null
	"$JGEN" pmem3 sdb --stride bytes --jsets 20 > /dev/null
	"$BCACHE" make -B sdc -u $CSET > /dev/null
}

setup() {
	cd "$BATS_FILE_TMPDIR" || return 1
	export LC_ALL=C.UTF-8
	unset COLUMNS
}

# widest CMD...: fails naming the command and showing the line when CMD
# prints a line wider than 120 columns: with COLUMNS=120 every line, health
# lines too, and piped without COLUMNS every line outside the problem tables
# (their messages wrap only to a known width) and the health lines
widest() {
	local out w
	out=$({ COLUMNS=120 "$@" 2>/dev/null; "$@" 2>/dev/null |
		awk '/^CODE +SEVERITY / { p = 1 } /^$/ { p = 0 } !p' |
		grep -vE '(no problems found|no journal written yet|[0-9]+ errors?, [0-9]+ warnings?, [0-9]+ notes?)$'; } || true)
	w=$(awk '{ if (length > m) m = length } END { print m + 0 }' <<< "$out")
	if [ "$w" -gt 120 ]; then
		echo "'${*#"$BCACHE "}' prints a line of $w columns:"
		awk 'length > 120' <<< "$out" | head -n 3
		return 1
	fi
}

@test "nvm dump, check and dump --tree fit 120 columns (v7 fresh and attached, nvmpg)" {
	for d in pmem0 pmem1 pmem2; do
		widest "$BCACHE" nvm dump $d
		widest "$BCACHE" nvm check $d
		widest "$BCACHE" nvm dump --tree $d
	done
	widest "$BCACHE" nvm dump pmem0 pmem1 pmem2
	widest "$BCACHE" nvm check pmem3
}

@test "journal show fits 120 columns, with and without -C, and --summary" {
	widest "$BCACHE" journal show pmem3 -C sdb
	widest "$BCACHE" journal show pmem3
	widest "$BCACHE" journal show --summary pmem3 -C sdb
}

@test "show and show -m fit 120 columns: namespaces, cache and backing devices" {
	for d in pmem0 pmem1 pmem2 pmem3 sdb sdc; do
		widest "$BCACHE" show $d
		widest "$BCACHE" show -m $d
	done
	widest "$BCACHE" show pmem1 sdb sdc
}

@test "nvm list, make's reports, register --dry-run and rebase fit 120 columns" {
	widest "$BCACHE" nvm list
	cp --sparse=always pmem1 r1
	widest "$BCACHE" nvm rebase r1 --base 0xff20e63b00200000 --dry-run
	widest "$BCACHE" nvm rebase r1 --base 0xff20e63b00200000
	truncate -s 1G m1
	truncate -s 16G m2
	truncate -s 64M m3
	widest "$BCACHE" make -M m1 -C m2 --bucket 64k
	widest "$BCACHE" make -M m1 --force --revision v13
	widest "$BCACHE" make -C m2 --force
	widest "$BCACHE" make -B m3
	widest "$BCACHE" make -M m1 -C m2 --force --dry-run
	widest "$BCACHE" register --dry-run m2 m3
}

# block HEADER-REGEX: the lines of the table whose header matches, to the
# blank line after it
block() { awk -v h="$1" '$0 ~ h { p = 1 } /^$/ { p = 0 } p'; }

@test "COLUMNS=80 piped: journal show's problem messages wrap, the jsets' keys are cut" {
	run -0 "$BCACHE" journal show pmem3 -C sdb -o view,seq,btree_root,uuid_bucket
	full=$(block '^VIEW +SEQ +BTREE_ROOT' <<< "$output")
	[ "$(awk '{ if (length > m) m = length } END { print m }' <<< "$full")" -gt 80 ]
	run -0 env COLUMNS=80 "$BCACHE" journal show pmem3 -C sdb -o view,seq,btree_root,uuid_bucket
	cut=$(block '^VIEW +SEQ +BTREE_ROOT' <<< "$output")
	# btree_root and uuid_bucket (OUT_TRUNC) cut to fit 80: same rows, each
	# cell a prefix of the whole key, every line within 80
	assert_equal "$(wc -l <<< "$cut")" "$(wc -l <<< "$full")"
	assert_equal "$(awk 'length > 80' <<< "$cut")" ""
	assert_equal "$(sed -n 2p <<< "$cut" | sed 's/ *$//')" \
		"kernel   1 1048575:9223372036854775295 len 512  0:18446744073709550592 len 1024"
	[[ "$(sed -n 2p <<< "$full")" == "kernel   1 1048575:9223372036854775295 len 512 -> [0:"* ]]
	# the message column (OUT_WRAP) continues on lines of its own
	run -0 env COLUMNS=80 "$BCACHE" journal show --summary pmem3 -C sdb
	probs=$(block '^CODE +SEVERITY' <<< "$output")
	assert_equal "$(awk 'length > 80' <<< "$probs")" ""
	assert_equal "$(grep -c '^J_' <<< "$probs")" 3
	[ "$(grep -cE '^ {30,}[^ ]' <<< "$probs")" -ge 2 ]
	# without COLUMNS (piped) each message is one line
	run -0 "$BCACHE" journal show --summary pmem3 -C sdb
	assert_line --regexp '^J_RESUME_OVERWRITES .* over 16 live jsets \(seq 5-20\) of its own replay range$'
	assert_equal "$(block '^CODE +SEVERITY' <<< "$output" | wc -l)" 4
	# COLUMNS that is not a positive number is ignored
	run -0 env COLUMNS=abc "$BCACHE" journal show --summary pmem3 -C sdb
	assert_equal "$(block '^CODE +SEVERITY' <<< "$output" | wc -l)" 4
}

@test "health lines and titles wrap to the width after a comma or semicolon; piped without COLUMNS one line" {
	cp --sparse=always pmem1 pmem4
	"$NVM_GEN" pmem4 alloc 0 dddddddd-4444-4444-8444-444444444444 > /dev/null
	local line="pmem4: v7, attached (K $K), 5 owners, 307 allocations 1.3 MiB, \
free 1006.6 MiB (99%), largest free 512 MiB; 0 errors, 0 warnings, 1 note"
	run -0 "$BCACHE" nvm check pmem4
	assert_line -n 3 "$line"
	# the problem table above wraps too: the last lines are the health line
	COLUMNS=120 run -0 "$BCACHE" nvm check pmem4
	assert_equal "$(printf '%s\n' "${lines[@]: -2}")" \
		"pmem4: v7, attached (K $K), 5 owners, 307 allocations 1.3 MiB, free 1006.6 MiB (99%),
  largest free 512 MiB; 0 errors, 0 warnings, 1 note"
	COLUMNS=60 run -0 "$BCACHE" nvm check pmem4
	assert_equal "$(printf '%s\n' "${lines[@]: -3}")" "pmem4: v7, attached (K $K), 5 owners,
  307 allocations 1.3 MiB, free 1006.6 MiB (99%),
  largest free 512 MiB; 0 errors, 0 warnings, 1 note"
	# -q leaves it out at any width
	COLUMNS=60 run -0 "$BCACHE" nvm check -q pmem4
	refute_output --partial "largest free"
	# titles wrap the same way
	COLUMNS=80 run "$BCACHE" journal show pmem3 -C sdb
	assert_line "Summary (kernel: the v7 kernel's read; buckets: every bucket in order;"
	assert_line "  media: magic scan of the region)"
	run "$BCACHE" journal show pmem3 -C sdb
	assert_line "Summary (kernel: the v7 kernel's read; buckets: every bucket in order; \
media: magic scan of the region)"
}

@test "wrapping counts characters, not bytes: a device name in UTF-8" {
	n=$(printf 'é%.0s' {1..10})
	cp --sparse=always pmem0 "$n"
	"$NVM_GEN" "$n" attach $K
	local first="$n: v7, attached (K $K), 1 owner, 0 allocations 0 B, free 1008 MiB (100%),"
	# 98 characters in 108 bytes: it fits 98 columns
	assert_equal "$(printf '%s' "$first" | wc -m)" 98
	assert_equal "$(printf '%s' "$first" | wc -c)" 108
	COLUMNS=98 run -0 "$BCACHE" nvm check "$n"
	assert_equal "$(printf '%s\n' "${lines[@]: -2}")" "$first
  largest free 512 MiB; 0 errors, 0 warnings, 1 note"
	COLUMNS=97 run -0 "$BCACHE" nvm check "$n"
	assert_equal "$(printf '%s\n' "${lines[@]: -2}")" \
		"$n: v7, attached (K $K), 1 owner, 0 allocations 0 B,
  free 1008 MiB (100%), largest free 512 MiB; 0 errors, 0 warnings, 1 note"
}
