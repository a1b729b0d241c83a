#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/journal-bench.sh [BUILD]: `bcache journal show --summary` over a
# 512 MiB journal region full of jsets, from the page cache, against `cat`
# of the region: the region's own pages in the namespace image read as cat
# reads a file (128 KiB reads: dd bs=128K skip=... count=...), and `cat` of
# a copy of the region (large folios).  Figures go to stdout; the results of
# a run are written down in bench/README-journal.md.
set -euo pipefail
ROUNDS=${ROUNDS:-5}	# rounds per page-cache state

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
# Two page-cache states, each measured in its own set of rounds:
#  written  the namespace image's region cached as journal-gen wrote it:
#           single 4 KiB folios of small writes, which copy about 2x slower
#           than large folios (the region copy is written by dd's 1 MiB
#           writes: large folios);
#  re-read  both files written back, dropped (posix_fadvise DONTNEED) and
#           read again: large folios for both.
# The goal compares journal show with cat of the region: the same pages,
# read as cat reads (dd bs=128K; cat reads 128 KiB at a time).  cat of the
# copy is what the figures before 2026-11-30 19:30 UTC compared with; in the
# written state it reads other pages than the tool's.
sync

# ROUNDS rounds; each round runs every command once, in turn, so that a burst
# of load elsewhere hits them alike.  The median wall-clock time of each
# counts (the minimum is printed too).
declare -A times
run() { # NAME CMD...
	local name=$1 s e
	shift
	s=$(date +%s.%N)
	"$@" > /dev/null
	e=$(date +%s.%N)
	times[$name]+="$(echo "$e - $s" | bc) "
}
med() { tr ' ' '\n' <<< "${times[$1]}" | grep . | sort -n | awk '{ v[NR] = $1 }
	END { printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
least() { tr ' ' '\n' <<< "${times[$1]}" | grep . | sort -n | head -n 1; }
mib=512
rate() { echo "$mib / $1" | bc; }
ratio() { echo "scale=2; $1 / $2" | bc; }
rounds() { # STATE
	times=()
	for _ in $(seq "$ROUNDS"); do
		cat "$ns" "$region" > /dev/null	# untimed: back in the cache if evicted
		run cat cat "$region"
		run dd dd if="$ns" of=/dev/null bs=128K skip=4096 count=4096 status=none
		run load "$bcache" nvm dump "$ns"
		run show "$bcache" journal show "$ns" -C "$cache" --summary
		run media "$bcache" journal show "$ns" --summary
	done
	local t_cat t_dd t_load t_show t_media
	t_cat=$(med cat) t_dd=$(med dd) t_load=$(med load) t_show=$(med show) t_media=$(med media)
	echo "== page cache: $1 (medians of $ROUNDS rounds; minimum in brackets)"
	echo "cat of the region (its own pages): ${t_dd}s [$(least dd)]  $(rate "$t_dd") MiB/s"
	echo "cat of a copy (large folios):      ${t_cat}s [$(least cat)]  $(rate "$t_cat") MiB/s"
	echo "nvm dump (namespace load only):    ${t_load}s [$(least load)]"
	echo "journal show -C --summary:         ${t_show}s [$(least show)]  $(rate "$t_show") MiB/s" \
	     "($(ratio "$t_dd" "$t_show") x cat of the region, $(ratio "$t_cat" "$t_show") x cat of the copy)"
	echo "journal show --summary (no -C):    ${t_media}s [$(least media)]  $(rate "$t_media") MiB/s" \
	     "($(ratio "$t_dd" "$t_media") x cat of the region, $(ratio "$t_cat" "$t_media") x cat of the copy)"
}
echo "$(date -u '+%F %T UTC'); $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo |
	head -n 1), Linux $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
rounds written
for f in "$ns" "$region"; do
	dd if="$f" iflag=nocache count=0 status=none
done
rounds re-read
echo "$(date -u '+%F %T UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$bcache" journal show "$ns" -C "$cache" --summary | tail -n 6
