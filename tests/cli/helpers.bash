# SPDX-License-Identifier: GPL-2.0
bats_require_minimum_version 1.5.0

# Shared by the BATS suites: the binary under test, scratch images, loop
# devices (root only) that are always detached again.

# bats-support, bats-assert, bats-file.  Their load.bash files run one
# dirname(1) per file they source: 0.2 s of CPU in every test.  Their
# functions are sourced here directly, from the same BATS_LIB_PATH.
load_lib() {
	local d f
	local IFS=:
	for d in ${BATS_LIB_PATH:-/usr/lib/bats}; do
		[ -d "$d/$1/src" ] || continue
		for f in "$d/$1/src"/*.bash; do
			source "$f"
		done
		return 0
	done
	bats_load_library "$1"
}
load_lib bats-support
load_lib bats-assert
load_lib bats-file

: "${BCACHE:=$BATS_TEST_DIRNAME/../../build/cmd/bcache}"
TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
export BCACHE TOP

SET_UUID=10111213-1415-1617-1819-1a1b1c1d1e1f
NS_UUID=00010203-0405-0607-0809-0a0b0c0d0e0f

# Exit codes (cmd/cmd.h, bcache(8))
EX_OK=0 EX_ERROR=1 EX_USAGE=2 EX_REFUSED=3 EX_PROBLEMS=4 EX_NOT_FOUND=5

bcache() { "$BCACHE" "$@"; }

# mkimg NAME SIZE: a sparse image file in the test's temp dir
mkimg() {
	local f=$BATS_TEST_TMPDIR/$1
	rm -f "$f"
	truncate -s "$2" "$f"
	echo "$f"
}

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (loop devices)"
}

# loop_attach IMG: echo the loop device; it is detached in teardown
loop_attach() {
	local dev
	dev=$(losetup -f --show "$1") || return 1
	echo "$dev" >> "$BATS_TEST_TMPDIR/.loops"
	echo "$dev"
}

loop_cleanup() {
	local d
	release
	[ -f "$BATS_TEST_TMPDIR/.loops" ] || return 0
	while read -r d; do
		umount "$d" 2>/dev/null
		losetup -d "$d" 2>/dev/null
	done < "$BATS_TEST_TMPDIR/.loops"
	rm -f "$BATS_TEST_TMPDIR/.loops"
}

# hold excl|fd|map PATH: another process that holds PATH (tests/tools/hold)
# until killed; returns once it does, with its pid in $holder.  No polling:
# the first line it prints ("held") is waited for on a FIFO, however slowly
# the machine runs.
hold() {
	local fifo=$BATS_TEST_TMPDIR/hold.fifo line=
	rm -f "$fifo"
	mkfifo "$fifo"
	# not on bats' descriptors: bats would wait for it to end
	"${BCACHE%/*}/../tests/tools/hold" "$1" "$2" > "$fifo" 2> /dev/null 3>&- &
	holder=$!
	read -r line < "$fifo"
	[ "$line" = held ] || { echo "hold $1 $2 failed"; return 1; }
}

# release: end the process hold started, if any (also from teardown)
release() {
	[ -n "${holder:-}" ] || return 0
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null || true
	holder=
}

# hexat FILE OFFSET LEN: plain lower-case hex of the bytes
hexat() {
	xxd -p -s "$2" -l "$3" "$1" | tr -d '\n'
}

# nonzero_outside FILE END RANGE...: count non-zero bytes in [0, END) that lie
# outside the given START:LEN ranges
nonzero_outside() {
	python3 - "$@" <<'PY'
import sys
path, end = sys.argv[1], int(sys.argv[2])
ranges = [tuple(map(int, r.split(':'))) for r in sys.argv[3:]]
with open(path, 'rb') as f:
    data = bytearray(f.read(end))
for s, l in ranges:
    data[s:s + l] = bytes(l)
print(len(data) - data.count(0))
PY
}

# digest FILE...: a fingerprint of the whole content of each file or device
# (tests/tools/imgsum: reads only the data extents of a sparse image, so it
# is complete and fast; sha256sum where the tool is not built)
: "${IMGSUM:=${BCACHE%/*}/../tests/tools/imgsum}"
digest() {
	if [ -x "$IMGSUM" ]; then
		"$IMGSUM" "$@"
	else
		sha256sum "$@" | cut -d' ' -f1
	fi
}

# test_sysfs_root [ATTR...]: a test sysfs root in $ROOT with
# fs/bcache/register and each fs/bcache/ATTR as empty files, exported as
# BCACHE_TEST_SYSFS_ROOT; skips the test when the tool was built without
# -Dtest_hooks=true (it ignores the root: nothing may be written then).
test_sysfs_root() {
	local a
	ROOT=$BATS_TEST_TMPDIR/sys
	mkdir -p "$ROOT/fs/bcache" "$BATS_TEST_TMPDIR/none"
	for a in register "$@"; do : > "$ROOT/fs/bcache/$a"; done
	run --separate-stderr env BCACHE_TEST_SYSFS_ROOT="$BATS_TEST_TMPDIR/none" \
		"$BCACHE" register --scan --dry-run
	[[ "$stderr" == *"$BATS_TEST_TMPDIR/none/fs/bcache does not exist"* ]] ||
		skip "built without -Dtest_hooks=true"
	export BCACHE_TEST_SYSFS_ROOT=$ROOT
}
