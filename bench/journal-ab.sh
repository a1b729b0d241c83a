#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/journal-ab.sh BUILD_A BUILD_B [--loop]: the data set of
# bench/journal-bench.sh (a 512 MiB journal region full of jsets), and the
# same three commands of two builds run in turn, ROUNDS times (default 15),
# so that load elsewhere on the machine hits both alike: `journal show -C
# --summary`, `journal show --summary`, `nvm dump`.  With --loop the
# commands read loop devices over the images (O_DIRECT in builds that read
# block devices so) instead of the image files.  Prints the minimum and the
# median wall-clock time per build and command; the loop devices need root.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: bench/journal-ab.sh BUILD_A BUILD_B [--loop]" >&2; exit 2; }
a=$(cd "$1" && pwd)/cmd/bcache
b=$(cd "$2" && pwd)/cmd/bcache
jgen=$(cd "$2" && pwd)/tests/tools/journal-gen
loop=${3:-}
dir=$(mktemp -d "${TMPDIR:-/tmp}/journal-ab.XXXXXX")
loops=()
cleanup() {
	[ ${#loops[@]} -eq 0 ] || losetup -d "${loops[@]}"
	rm -rf "$dir"
}
trap cleanup EXIT

ns=$dir/ns.img cache=$dir/cache.img
truncate -s 1G "$ns"
truncate -s 64G "$cache"
"$b" make -M "$ns" -C "$cache" --bucket 2M --block 4k \
	--cset-uuid 01234567-89ab-cdef-fedc-ba9876543210 > /dev/null
"$jgen" "$ns" "$cache" --stride bucket --jsets 131072 --keys-per-jset 150 --lag 100
sync
dd if="$ns" iflag=nocache count=0 status=none	# see journal-bench.sh
if [ "$loop" = --loop ]; then
	ns=$(losetup -f --show "$ns")
	loops+=("$ns")
	cache=$(losetup -f --show "$cache")
	loops+=("$cache")
fi

t() {
	local s e
	s=$(date +%s.%N)
	"$@" > /dev/null
	e=$(date +%s.%N)
	echo "$e - $s" | bc
}
for _ in $(seq 1 "${ROUNDS:-15}"); do
	cat "$dir/ns.img" > /dev/null	# untimed: the image back in the cache
	for who in A B; do
		bin=$a
		[ $who = B ] && bin=$b
		echo "$who show $(t "$bin" journal show "$ns" -C "$cache" --summary)"
		echo "$who media $(t "$bin" journal show "$ns" --summary)"
		echo "$who load $(t "$bin" nvm dump "$ns")"
	done
done | python3 -c '
import collections, statistics, sys
d = collections.defaultdict(list)
for line in sys.stdin:
    who, what, sec = line.split()
    d[(what, who)].append(float(sec))
names = {"show": "journal show -C --summary", "media": "journal show --summary",
         "load": "nvm dump"}
for (what, who), v in sorted(d.items()):
    print("%-26s %s  min %.4f s  median %.4f s  (%d runs)" %
          (names[what], who, min(v), statistics.median(v), len(v)))
'
