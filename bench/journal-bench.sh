#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/journal-bench.sh [BUILD]: `bcache journal show --summary` over a
# 512 MiB journal region full of jsets, from the page cache, against `cat`
# reading the same region to /dev/null.  Figures go to stdout; the results of
# a run are written down in bench/README-journal.md.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
bcache=$build/cmd/bcache
jgen=$build/tests/tools/journal-gen
dir=$(mktemp -d "${TMPDIR:-/tmp}/journal-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

ns=$dir/ns.img cache=$dir/cache.img region=$dir/region.img
truncate -s 1G "$ns"
truncate -s 64G "$cache"	# 32768 buckets of 2 MiB: 256 journal buckets
"$bcache" make -M "$ns" -C "$cache" --bucket 2M --block 4k \
	--cset-uuid 01234567-89ab-cdef-fedc-ba9876543210 > /dev/null
# 256 buckets * 512 one-block jsets of 150 keys: the whole order-17 region
"$jgen" "$ns" "$cache" --stride bucket --jsets 131072 --keys-per-jset 150 --lag 100
# the region: namespace bytes [512 MiB, 1 GiB)
dd if="$ns" of="$region" bs=1M skip=512 count=512 status=none

best() { # CMD...: the best of 5 wall-clock runs, in seconds
	local b=999 t s e
	for _ in 1 2 3 4 5; do
		s=$(date +%s.%N)
		"$@" > /dev/null
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc)
		b=$(echo "if ($t < $b) $t else $b" | bc)
	done
	echo "$b"
}

cat "$ns" "$region" > /dev/null	# into the page cache
t_cat=$(best cat "$region")
t_show=$(best "$bcache" journal show "$ns" -C "$cache" --summary)
t_media=$(best "$bcache" journal show "$ns" --summary)
mib=512
echo "cat region:                 ${t_cat}s  $(echo "$mib / $t_cat" | bc) MiB/s"
echo "journal show -C --summary:  ${t_show}s  $(echo "$mib / $t_show" | bc) MiB/s" \
     "($(echo "scale=2; $t_cat / $t_show" | bc) x cat)"
echo "journal show --summary:     ${t_media}s  $(echo "$mib / $t_media" | bc) MiB/s" \
     "($(echo "scale=2; $t_cat / $t_media" | bc) x cat)"
"$bcache" journal show "$ns" -C "$cache" --summary | tail -n 6
