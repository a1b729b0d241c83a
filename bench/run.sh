#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/run.sh BUILDDIR: nvm check and nvm dump --json on a namespace whose
# 2046 record-page slots are all in use (slot 0 + 2045 pages of one owner,
# 2045 * 1013 = 2071585 order-0 records), on sparse images of 8 TiB and
# 1 TiB, then bench/scols-floor.c (libsmartcols alone, same rows).  Prints
# wall time and peak RSS (/usr/bin/time -v).  Not a test.
set -euo pipefail

build=${1:-build}
bcache=$build/cmd/bcache
gen=$build/tests/tools/nvm-gen
dir=$(mktemp -d "${TMPDIR:-/tmp}/nvm-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
records=$((2045 * 1013))

measure() { # LABEL CMD...
	local label=$1 t
	shift
	/usr/bin/time -v "$@" > /dev/null 2> "$dir/time" || true
	t=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$dir/time")
	printf '%-28s wall %s  peak RSS %s KiB\n' "$label" "$t" \
		"$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/time")"
}

for size in 8T 1T; do
	img=$dir/ns-$size.img
	truncate -s "$size" "$img"
	"$bcache" make -M "$img" > /dev/null
	"$gen" "$img" attach 0xffff888100000000
	"$gen" "$img" bulk $records 0 aaaaaaaa-1111-4111-8111-111111111111 > /dev/null
	for i in 1 2 3; do
		measure "$size check (run $i)" "$bcache" nvm check "$img"
		measure "$size dump --json (run $i)" "$bcache" nvm dump --json "$img"
	done
	rm -f "$img"
done

# the floor: libsmartcols alone, same rows and columns, no media
cc -O2 "$(dirname "$0")/scols-floor.c" -o "$dir/scols-floor" \
	$(pkg-config --cflags --libs smartcols)
for i in 1 2 3; do
	measure "libsmartcols alone (run $i)" "$dir/scols-floor" $records
	measure "  lines only, no print" "$dir/scols-floor" $records build-only
done
