#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# A cross-compile of this tree for the same triple without an exe_wrapper
# (tests/cross/x86_64-linux-gnu.ini: meson may run nothing built for the
# host), and without the optional libraries (-Dlibndctl=disabled ...):
#   - it configures, builds and installs; the man pages list the problem
#     codes and columns (bcache-tables is built for the build machine) and
#     are the pages of the native build;
#   - the binary needs only libc, libblkid, libuuid, libsmartcols, ISA-L and yajl,
#     works on image files exactly like the full build, and the commands
#     that need libndctl say "built without libndctl", exit 1;
# and the same cross build without a compiler for the build machine: the
# pages are still made and installed, naming the command that prints the
# lists.

load ../cli/helpers

MINIMAL="-Dlibndctl=disabled -Dlibdaxctl=disabled -Dlibpmem2=disabled"

# build DIR LOG [meson options]: setup, ninja, install into DIR/dest
build() {
	local dir=$1 log=$2
	shift 2
	{
		meson setup --cross-file "$TOP/tests/cross/x86_64-linux-gnu.ini" \
			--werror "$@" "$dir" "$TOP" &&
		ninja -C "$dir" &&
		DESTDIR="$dir/dest" meson install -C "$dir" --no-rebuild
	} > "$log" 2>&1
}

setup_file() {
	export CROSS=$BATS_FILE_TMPDIR/cross NOCC=$BATS_FILE_TMPDIR/nocc
	build "$CROSS" "$BATS_FILE_TMPDIR/cross.log" $MINIMAL --prefix=/usr
	echo $? > "$BATS_FILE_TMPDIR/cross.rc"
	# a compiler for the build machine that does not exist
	printf "[binaries]\nc = '/nonexistent/cc'\n" > "$BATS_FILE_TMPDIR/nocc.ini"
	build "$NOCC" "$BATS_FILE_TMPDIR/nocc.log" $MINIMAL --prefix=/usr -Dtests=disabled \
		--native-file "$BATS_FILE_TMPDIR/nocc.ini"
	echo $? > "$BATS_FILE_TMPDIR/nocc.rc"
}

cross_ok() {
	[ "$(cat "$BATS_FILE_TMPDIR/cross.rc")" = 0 ] ||
		{ tail -n 40 "$BATS_FILE_TMPDIR/cross.log"; return 1; }
}

@test "cross build without exe_wrapper and optional libraries: configures, builds, installs" {
	cross_ok
	grep -q 'Host machine cpu family: x86_64' "$BATS_FILE_TMPDIR/cross.log"
	# meson believed it: nothing built for the host may run
	grep -q 'needs_exe_wrapper' "$TOP/tests/cross/x86_64-linux-gnu.ini"
	[ -x "$CROSS/dest/usr/sbin/bcache" ]
	assert_equal "$(cd "$CROSS/dest/usr/share/man/man8" && ls | tr '\n' ' ')" \
		"$(cd "$TOP/man" && ls *.8.scd | sed 's/\.scd$//' | sort | tr '\n' ' ')"
}

@test "cross build: the man pages carry the tables, identical to the native build's pages" {
	cross_ok
	grep -q '^SB_MAGIC' <(groff -t -man -Tascii -P-cbou "$CROSS/man/bcache.8" 2>/dev/null |
		sed 's/^ *//')
	[ -f "$BCACHE_BUILD/man/bcache.8" ] || skip "this build has no man pages"
	for f in "$BCACHE_BUILD"/man/*.8; do
		cmp "$f" "$CROSS/man/${f##*/}"
	done
}

@test "without optional libraries: the binary needs libc, libblkid, libuuid, libsmartcols, ISA-L, yajl" {
	cross_ok
	run --separate-stderr readelf -d "$CROSS/cmd/bcache"
	assert_success
	assert_equal "$(grep -o 'Shared library: \[[^]]*\]' <<< "$output" | sed 's/.*\[\(.*\)\]/\1/' |
		sort | tr '\n' ' ')" \
		"libblkid.so.1 libc.so.6 libisal.so.2 libsmartcols.so.1 libuuid.so.1 libyajl.so.2 "
	[ -x "$CROSS/cmd/bcache" ]
	run "$CROSS/cmd/bcache" version
	assert_success
	assert_output --regexp '^bcache-nvm-tools [0-9]+\.[0-9]+'
}

@test "without libndctl: nvm list and namespace names say 'built without libndctl', exit 1" {
	cross_ok
	local want="(namespace names and 'nvm list' need it)"
	run --separate-stderr "$CROSS/cmd/bcache" nvm list
	assert_equal "$status" $EX_ERROR
	assert_equal "$output" ""
	assert_equal "$stderr" "bcache: nvm list: built without libndctl $want"
	for cmd in "nvm dump" "nvm check" "show" "journal show" "make -M"; do
		run --separate-stderr "$CROSS/cmd/bcache" $cmd namespace0.0
		assert_equal "$status" $EX_ERROR
		assert_equal "$stderr" "bcache: namespace0.0: built without libndctl $want"
	done
}

@test "without optional libraries: image files get exactly the full build's bytes and output" {
	cross_ok
	local a b
	a=$(mkimg a.img 64M)
	b=$(mkimg b.img 64M)
	run "$CROSS/cmd/bcache" make -M "$a" --set-uuid $SET_UUID --uuid $NS_UUID
	assert_success
	bcache make -M "$b" --set-uuid $SET_UUID --uuid $NS_UUID > /dev/null
	cmp "$a" "$b"
	run "$CROSS/cmd/bcache" nvm check "$a"
	assert_success
	assert_equal "$("$CROSS/cmd/bcache" nvm dump --json "$a" | sed "s|$a|IMG|g")" \
		"$(bcache nvm dump --json "$b" | sed "s|$b|IMG|g")"
}

@test "no compiler for the build machine, no exe_wrapper: pages still built and installed" {
	[ "$(cat "$BATS_FILE_TMPDIR/nocc.rc")" = 0 ] ||
		{ tail -n 40 "$BATS_FILE_TMPDIR/nocc.log"; return 1; }
	grep -q 'the man pages will not list problem codes and columns' \
		"$BATS_FILE_TMPDIR/nocc.log"
	[ -f "$NOCC/dest/usr/share/man/man8/bcache.8" ]
	[ -f "$NOCC/dest/usr/share/man/man8/bcache-nvm.8" ]
	run groff -t -man -Tascii -P-cbou "$NOCC/man/bcache.8"
	refute_line --regexp '^ *SB_MAGIC'
	assert_line --partial "bcache --list-problems prints the problem codes"
	run groff -t -man -Tascii -rLL=300n -P-cbou "$NOCC/man/bcache-nvm.8"
	assert_line --partial "bcache nvm dump --list-columns prints the columns."
}
