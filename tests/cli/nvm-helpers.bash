# SPDX-License-Identifier: GPL-2.0
# Shared by the nvm-*.bats suites: the test-only generator and an
# independent model of the buddy rebuild (bcache-nvm-pages(5), BUDDY).

: "${NVM_GEN:=${BCACHE%/*}/../tests/tools/nvm-gen}"
: "${NVM_LOAD_CMP:=${BCACHE%/*}/../tests/tools/nvm-load-cmp}"
K=0xffff888100000000
OWNER_A=aaaaaaaa-1111-4111-8111-111111111111
OWNER_B=bbbbbbbb-2222-4222-8222-222222222222
OWNER_C=cccccccc-3333-4333-8333-333333333333

gen() { "$NVM_GEN" "$@"; }

# fresh_img NAME SIZE: formatted with the fixed uuids of helpers.bash.  The
# first image of a size in a file is made by make -M, the next ones are
# sparse copies of it (make -M writes and syncs 16 MiB: a copy is 10 times
# cheaper, and the bytes are the same).
fresh_img() {
	local f tpl=$BATS_FILE_TMPDIR/fresh-$2.img
	if [ ! -f "$tpl" ]; then
		f=$(mkimg "$1" "$2")
		bcache make -M "$f" --set-uuid $SET_UUID --uuid $NS_UUID > /dev/null || return 1
		cp --sparse=always "$f" "$tpl" || return 1
	else
		f=$BATS_TEST_TMPDIR/$1
		cp --sparse=always "$tpl" "$f" || return 1
	fi
	echo "$f"
}

# expect_free PAGES_TOTAL RESERVED [PAGE:ORDER ...]: the free blocks the
# kernel rebuilds, as compact JSON [{order,page,count}] in free-list order
# (order 0 first, highest address first; one row per block).
expect_free() {
	awk 'function run(s, e,   o) {
		while (s < e) {
			o = 19
			while (o && (s % 2 ^ o || s + 2 ^ o > e))
				o--
			n[o]++
			blk[o, n[o]] = s
			s += 2 ^ o
		}
	}
	BEGIN {
		total = ARGV[1] + 0
		s = ARGV[2] + 0
		for (i = 3; i < ARGC; i++) {
			split(ARGV[i], a, ":")
			u[++nu] = a[1] + 0
			uo[nu] = a[2] + 0
		}
		for (i = 2; i <= nu; i++)	# sort the allocations by (page, order)
			for (j = i; j > 1 && (u[j - 1] > u[j] || (u[j - 1] == u[j] && uo[j - 1] > uo[j])); j--) {
				t = u[j]; u[j] = u[j - 1]; u[j - 1] = t
				t = uo[j]; uo[j] = uo[j - 1]; uo[j - 1] = t
			}
		for (i = 1; i <= nu; i++) {
			if (u[i] > s)
				run(s, u[i])
			if (u[i] + 2 ^ uo[i] > s)
				s = u[i] + 2 ^ uo[i]
		}
		run(s, total)
		# each list is a stack: the block pushed last comes first
		out = ""
		for (o = 0; o <= 19; o++)
			for (i = n[o]; i >= 1; i--)
				out = out sprintf("%s{\"order\":%d,\"page\":%.0f,\"count\":1}",
						  out == "" ? "" : ",", o, blk[o, i])
		print "[" out "]"
	}' "$@"
}

# free_rows JSON: .devices[0].free_blocks of a dump, one row per block, compact
free_rows() {
	jq -c '[.devices[].free_blocks[] | . as $b | range($b.count) as $i |
		{order: $b.order, page: ($b.page + ($b.count - 1 - $i) * pow(2; $b.order)),
		 count: 1}]' <<< "$1"
}

# check_only IMG EXIT CODES OFFSET: nvm check reports exactly CODES (sorted,
# comma-joined, ATTACHED left out), the first of them at OFFSET, exits EXIT
# and leaves the image unchanged.
check_only() {
	local img=$1 want_rc=$2 codes=$3 off=$4 before
	before=$(digest "$img")
	run --separate-stderr bcache nvm check --json "$img"
	[ "$(digest "$img")" = "$before" ] || { echo "image changed"; return 1; }
	echo "$output" >&2
	assert_equal "$status" "$want_rc"
	# the codes, and the offset of the first
	assert_equal "$(jq -r --arg c "${codes%%,*}" '"\([.devices[].problems[].code |
		select(. != "ATTACHED")] | sort | unique | join(",")) \([.devices[].problems[] |
		select(.code == $c)][0].offset)"' <<< "$output")" "$codes $off"
	# the lazy load (journal show) walks to exactly the same result
	[ ! -x "$NVM_LOAD_CMP" ] || assert_equal "$("$NVM_LOAD_CMP" "$img" | cut -d, -f1)" same
}
