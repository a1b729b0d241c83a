#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Targets on the host: nvm list without pmem, namespace names, in-use
# refusals, --dry-run's signature report and the wipefs-like --force.
# Real namespaces are tested in the VM tier (tests/vm).

load helpers

teardown() {
	[ -n "${MNT:-}" ] && umount "$MNT" 2>/dev/null
	loop_cleanup
}

no_nd_bus() {
	! ls /sys/bus/nd/devices/ndbus* >/dev/null 2>&1 || skip "this host has an NVDIMM bus"
}

@test "nvm list without an NVDIMM bus: empty list, exit 0" {
	no_nd_bus
	run --separate-stderr bcache nvm list --json
	assert_success
	[ "$(jq -c '.namespaces' <<< "$output")" = "[]" ]
	[ -z "$stderr" ]
	run bcache nvm list
	assert_success
	assert_output "no pmem namespaces found"
	assert_equal "$(bcache nvm list | wc -l)" 1	# no empty table after it
}

@test "nvm list takes no operands" {
	run bcache nvm list /dev/null
	assert_equal "$status" $EX_USAGE
}

@test "an unknown namespace name is one clear error, exit 1, for every command" {
	no_nd_bus
	run --separate-stderr bcache nvm dump namespace7.3
	assert_equal "$status" $EX_ERROR
	assert_equal "$stderr" "bcache: namespace7.3: no such pmem namespace (see 'bcache nvm list')"
	run --separate-stderr bcache make -M namespace7.3
	assert_equal "$status" $EX_ERROR
	assert_equal "$stderr" "bcache: namespace7.3: no such pmem namespace (see 'bcache nvm list')"
}

@test "a directory or a character device that is not devdax: one error, exit 3, for every command" {
	# /dev/null is open in this shell: the refusal names the device kind,
	# not a process that has it open (that check is for devdax nodes)
	for dev in /dev/null "$BATS_TEST_TMPDIR"; do
		for cmd in "make -M" "nvm dump" "nvm check" "show" "journal show"; do
			run --separate-stderr bcache $cmd "$dev"
			assert_equal "$cmd $dev: $status" "$cmd $dev: $EX_REFUSED"
			assert_equal "$stderr" \
				"bcache: $dev: not a regular file, block device or device-dax node"
		done
	done
}

@test "a file named like a namespace is a name, not a file" {
	no_nd_bus
	cd "$BATS_TEST_TMPDIR"
	truncate -s 32M namespace0.0
	run bcache make -M namespace0.0
	assert_equal "$status" $EX_ERROR
	run bcache make -M ./namespace0.0 --json
	assert_success
}

@test "refuses a mounted loop device even with --force (-M, -C and -B), unchanged" {
	need_root
	img=$(mkimg ext4.img 64M)
	mkfs.ext4 -q -F "$img"
	dev=$(loop_attach "$img")
	MNT=$BATS_TEST_TMPDIR/mnt
	mkdir -p "$MNT"
	mount -o ro,noload "$dev" "$MNT" 2>/dev/null || skip "cannot mount here"
	before=$(digest "$dev")
	for kind in -M -C -B; do
		run --separate-stderr bcache make $kind "$dev" --force
		assert_equal "$status" $EX_REFUSED
		assert_equal "$stderr" "bcache: $dev: $dev is mounted on $MNT; refusing"
		[ "$(digest "$dev")" = "$before" ]
	done
	umount "$MNT"
	[ "$(digest "$dev")" = "$before" ]
}

@test "refuses a loop device with a sysfs holder (device-mapper), unchanged" {
	need_root
	command -v dmsetup >/dev/null || skip "no dmsetup"
	img=$(mkimg held.img 64M)
	dev=$(loop_attach "$img")
	name=bcache-test-$$
	echo "0 $((64 * 2048)) linear $dev 0" | dmsetup create "$name" 2>/dev/null ||
		skip "device-mapper unavailable"
	before=$(digest "$dev")
	run --separate-stderr bcache make -M "$dev" --force
	dm=$(basename "$(readlink -f /dev/mapper/$name)")
	dmsetup remove "$name"
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $dev: $dev is held by $dm (sysfs holders); refusing"
	[ "$(digest "$dev")" = "$before" ]
}

@test "--dry-run lists every signature (text and JSON), exits 3 without --force, writes nothing" {
	img=$(mkimg gpt.img 64M)
	printf 'label: gpt\n,10M\n' | sfdisk -q "$img"
	before=$(digest "$img")
	run --separate-stderr bcache make -M "$img" --dry-run
	assert_equal "$status" $EX_REFUSED
	assert_line "would format $img"
	assert_line --regexp '^signature +gpt \(partition\) at offset 512: refuse$'
	assert_line --regexp "^signature +gpt \\(partition\\) at offset $(( (64 << 20) - 512 )): refuse\$"
	assert_line --regexp '^signature +PMBR \(partition\) at offset 510: refuse$'
	run --separate-stderr bcache make -M "$img" --dry-run --json
	assert_equal "$status" $EX_REFUSED
	[ "$(jq -c '[.devices[0].signatures[] | [.type, .offset, .length, .action]]' <<< "$output")" = \
	  "[[\"gpt\",512,8,\"refuse\"],[\"gpt\",$(( (64 << 20) - 512 )),8,\"refuse\"],[\"PMBR\",510,2,\"refuse\"]]" ]
	[ "$(jq '.devices[0].namespace.written' <<< "$output")" = false ]
	run bcache make -M "$img" --dry-run --force --json
	assert_success
	[ "$(jq -r '[.devices[0].signatures[].action] | unique | join(",")' <<< "$output")" = wipe ]
	[ "$(digest "$img")" = "$before" ]
}

@test "--force wipes signatures outside the metadata area as wipefs would (backup GPT)" {
	img=$(mkimg gpt.img 64M)
	printf 'label: gpt\n,10M\n' | sfdisk -q "$img"
	end=$(( (64 << 20) - 512 ))
	[ "$(xxd -p -s $end -l 8 "$img")" = "4546492050415254" ]	# "EFI PART"
	run bcache make -M "$img" --force --set-uuid $SET_UUID
	assert_success
	[ "$(xxd -p -s $end -l 8 "$img")" = "0000000000000000" ]
	run wipefs -n "$img"
	assert_output ""
	run bcache nvm dump "$img"
	assert_success
}

@test "without --force nothing is wiped: the refusal leaves the backup GPT" {
	img=$(mkimg gpt.img 64M)
	printf 'label: gpt\n,10M\n' | sfdisk -q "$img"
	before=$(digest "$img")
	run bcache make -M "$img"
	assert_equal "$status" $EX_REFUSED
	[ "$(digest "$img")" = "$before" ]
}

# loaded CMD...: the libraries the dynamic loader loads for CMD, one soname
# a line (the sanitizer runtimes and what they need left out)
loaded() {
	LD_DEBUG=libs "$@" 2>&1 >/dev/null | sed -n 's|.*calling init: .*/\([^/]*\)$|\1|p' |
		grep -vE '^lib(a|ub|l|t|hwa)san\.|^libstdc\+\+\.|^libgcc_s\.|^libm\.' | sort
}

@test "libndctl, libdaxctl and libpmem2 are loaded only by the commands that need them" {
	local img c
	img=$(mkimg ns.img 64M)
	bcache make -M "$img" > /dev/null
	# what every command on an image file loads
	for c in version "nvm dump --json" "nvm check" show "journal show" "make -M --force"; do
		assert_equal "$(loaded "$BCACHE" $c "$img" | tr '\n' ' ')" \
			"ld-linux-x86-64.so.2 libblkid.so.1 libc.so.6 libisal.so.2 libsmartcols.so.1 libuuid.so.1 libyajl.so.2 "
	done
	# a namespace name needs libndctl (a build without it says so instead)
	run --separate-stderr "$BCACHE" nvm list
	if [[ "$stderr" == *"built without libndctl"* ]]; then
		assert_equal "$status" $EX_ERROR
		skip "built without libndctl"
	fi
	for c in "nvm list" "nvm dump namespace7.3"; do
		loaded "$BCACHE" $c | grep -qx libndctl.so.6
		loaded "$BCACHE" $c | grep -qx libdaxctl.so.1
	done
}
