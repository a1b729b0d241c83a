# SPDX-License-Identifier: GPL-2.0
# Shared by the nvm-*.bats suites: the test-only generator and an
# independent model of the buddy rebuild (bcache-nvm-pages(5), BUDDY).

: "${NVM_GEN:=$(dirname "$BCACHE")/../tests/tools/nvm-gen}"
: "${NVM_LOAD_CMP:=$(dirname "$BCACHE")/../tests/tools/nvm-load-cmp}"
K=0xffff888100000000
OWNER_A=aaaaaaaa-1111-4111-8111-111111111111
OWNER_B=bbbbbbbb-2222-4222-8222-222222222222
OWNER_C=cccccccc-3333-4333-8333-333333333333

gen() { "$NVM_GEN" "$@"; }

# fresh_img NAME SIZE: formatted with the fixed uuids of helpers.bash
fresh_img() {
	local f
	f=$(mkimg "$1" "$2")
	bcache make -M "$f" --set-uuid $SET_UUID --uuid $NS_UUID > /dev/null || return 1
	echo "$f"
}

# expect_free PAGES_TOTAL RESERVED [PAGE:ORDER ...]: the free blocks the
# kernel rebuilds, as compact JSON [{order,page,count}] in free-list order
# (order 0 first, highest address first; one row per block).
expect_free() {
	python3 - "$@" <<'PY'
import json, sys
total, reserved = int(sys.argv[1]), int(sys.argv[2])
used = sorted(tuple(map(int, a.split(':'))) for a in sys.argv[3:])
marked = []
for p, o in used:
    marked.append((p, p + (1 << o)))
pushed, s = [], reserved
def run(s, e):
    while s < e:
        o = 19
        while o and (s % (1 << o) or s + (1 << o) > e):
            o -= 1
        pushed.append((o, s))
        s += 1 << o
for a, b in marked:
    if a > s:
        run(s, a)
    s = max(s, b)
run(s, total)
lists = {}
for o, p in pushed:
    lists.setdefault(o, []).insert(0, p)
out = [{"order": o, "page": p, "count": 1} for o in sorted(lists) for p in lists[o]]
print(json.dumps(out, separators=(',', ':')))
PY
}

# free_rows JSON: .free_blocks of a dump, one row per block, compact
free_rows() {
	jq -c '[.free_blocks[] | . as $b | range($b.count) as $i |
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
	assert_equal "$(jq -r '[.problems[].code | select(. != "ATTACHED")] | sort | unique |
		join(",")' <<< "$output")" "$codes"
	assert_equal "$(jq -r --arg c "${codes%%,*}" \
		'[.problems[] | select(.code == $c)][0].offset' <<< "$output")" "$off"
	# the lazy load (journal show) walks to exactly the same result
	[ ! -x "$NVM_LOAD_CMP" ] || assert_equal "$("$NVM_LOAD_CMP" "$img" | cut -d, -f1)" same
}
