#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Real namespaces in the VM: nvm list, make -M on fsdax (/dev/pmemN), devdax
# (/dev/daxN.M) and raw, by path and by name, dump, the refusals.

load helpers

teardown() {
	[ -n "${MNT:-}" ] && umount "$MNT" 2>/dev/null
	[ -z "${OWN_NS:-}" ] || own_ns_destroy "$OWN_NS"
	loop_cleanup
}

@test "nvm list finds one namespace per mode, with ndctl's names, devices and sizes" {
	run "$BCACHE" nvm list --json
	assert_success
	ours=$output
	[ "$(jq -r '[.namespaces[].mode] | sort | join(",")' <<< "$ours")" = \
	  "devdax,fsdax,raw,sector" ]
	# what ndctl says, in the same shape: name mode device
	ndctl list -N -X > "$BATS_TEST_TMPDIR/ndctl.json"
	theirs=$(jq -r '.[] | [.dev, .mode,
		"/dev/" + (.blockdev // .daxregion.devices[0].chardev)] | join(" ")' \
		"$BATS_TEST_TMPDIR/ndctl.json" | sort)
	mine=$(jq -r '.namespaces[] | [.namespace, .mode, .device] | join(" ")' <<< "$ours" | sort)
	echo "bcache: $mine"
	echo "ndctl:  $theirs"
	[ "$mine" = "$theirs" ]
	for mode in raw fsdax sector; do
		[ "$(ns_field $mode size)" = "$(blockdev --getsize64 "$(ns_dev $mode)")" ]
	done
	[ "$(ns_field devdax size)" = "$(jq '.[] | select(.mode == "devdax") |
		.daxregion.devices[0].size' "$BATS_TEST_TMPDIR/ndctl.json")" ]
	[ "$(ns_field devdax align)" = 2097152 ]
	[ "$(ns_field fsdax align)" = 2097152 ]
	[ "$(ns_field raw data_offset)" = 0 ]
	# fsdax/devdax data start behind the info block and the page map
	[ "$(ns_field fsdax data_offset)" -ge 2097152 ]
	[ "$(( $(ns_field fsdax data_offset) % 4096 ))" = 0 ]
	[ "$(ns_field fsdax nvm_pages)" = false ]
	[ "$(ns_field fsdax state)" = none ]
	[ "$(ns_field sector state)" = "not byte-addressable" ]
}

@test "make -M on fsdax by path writes the image-file bytes, dump and list agree" {
	dev=$(ns_dev fsdax)
	run "$BCACHE" make -M "$dev" --set-uuid $SET_UUID --uuid $NS_UUID --json
	assert_success
	size=$(blockdev --getsize64 "$dev")
	[ "$(jq '.devices[0].namespace.pages_total' <<< "$output")" = $((size / 4096)) ]
	img=$(mkimg ref.img "$size")
	"$BCACHE" make -M "$img" --set-uuid $SET_UUID --uuid $NS_UUID > /dev/null
	cmp -n $((16 << 20)) "$dev" "$img"
	run "$BCACHE" nvm dump "$dev"
	assert_success
	assert_line --partial "(v7, fresh), checksum ok"
	ns_refresh
	[ "$(ns_field fsdax nvm_pages)" = true ]
	[ "$(ns_field fsdax set_uuid)" = $SET_UUID ]
	[ "$(ns_field fsdax this_namespace_nr)" = 0 ]
	[ "$(ns_field fsdax state)" = fresh ]
	host_check "$(ns_name fsdax)"
}

@test "make -M on devdax by name: mapped through libpmem2, dump and list agree" {
	name=$(ns_name devdax)
	dev=$(ns_dev devdax)
	run --separate-stderr "$BCACHE" make -M "$name" --set-uuid $SET_UUID --uuid $NS_UUID --json
	assert_success
	[ "$(jq -r '.devices[0].device' <<< "$output")" = "$name" ]
	size=$(ns_field devdax size)
	[ "$(jq '.devices[0].namespace.pages_total' <<< "$output")" = $((size / 4096)) ]
	img=$(mkimg ref.img "$size")
	"$BCACHE" make -M "$img" --set-uuid $SET_UUID --uuid $NS_UUID > /dev/null
	# the whole decoded structure equals the image file's (device names aside)
	a=$("$BCACHE" nvm dump --json "$dev" | jq -S 'del(.. | .device?)')
	b=$("$BCACHE" nvm dump --json "$img" | jq -S 'del(.. | .device?)')
	[ "$a" = "$b" ]
	run "$BCACHE" nvm dump "$name"
	assert_success
	assert_line --partial "checksum ok"
	ns_refresh
	[ "$(ns_field devdax state)" = fresh ]
	host_check "$name"
}

@test "make -M on a raw namespace: device byte X is namespace byte X" {
	name=$(ns_name raw)
	run "$BCACHE" make -M "$name" --set-uuid $SET_UUID --uuid $NS_UUID
	assert_success
	[ "$(ns_field raw data_offset)" = 0 ]
	hex=$(host_check "$name")
	[ "$(hexat "$(ns_dev raw)" 4096 232)" = "$hex" ]
}

@test "nvm check on fsdax and devdax" {
	"$BCACHE" help nvm 2>&1 | grep -qw check || skip "bcache nvm check is not built yet (issue 3)"
	for mode in fsdax devdax; do
		run "$BCACHE" nvm check "$(ns_dev $mode)"
		assert_success
	done
}

@test "a sector-mode (BTT) namespace is refused by name and by path, exit 3" {
	name=$(ns_name sector)
	dev=$(ns_dev sector)
	before=$(digest "$dev")
	run --separate-stderr "$BCACHE" make -M "$name"
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $name: a sector-mode (BTT) namespace is not byte-addressable; nvm-pages needs an fsdax, devdax or raw namespace"
	run --separate-stderr "$BCACHE" make -M "$dev" --force
	assert_equal "$status" $EX_REFUSED
	run --separate-stderr "$BCACHE" nvm dump "$dev"
	assert_equal "$status" $EX_REFUSED
	[ "$(digest "$dev")" = "$before" ]
}

@test "refuses fsdax mounted as ext4 with -o dax, even with --force, unchanged" {
	modprobe ext4 2>/dev/null || true
	dev=$(ns_dev fsdax)
	mkfs.ext4 -q -F -b 4096 "$dev"
	MNT=$BATS_TEST_TMPDIR/mnt
	mkdir -p "$MNT"
	mount -o dax,ro,noload "$dev" "$MNT"
	grep -q " $MNT .*dax" /proc/mounts
	before=$(digest "$dev")
	run --separate-stderr "$BCACHE" make -M "$(ns_name fsdax)" --force
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $(ns_name fsdax): $dev is mounted on $MNT; refusing"
	[ "$(digest "$dev")" = "$before" ]
	umount "$MNT"
	# without the mount, the ext4 signature is what stops it
	run --separate-stderr "$BCACHE" make -M "$dev"
	assert_equal "$status" $EX_REFUSED
	[[ "$stderr" == *"found ext4 filesystem signature at offset 1080"* ]]
	[ "$(digest "$dev")" = "$before" ]
	# --force wipes it; back to the superblock the host checks expect
	run "$BCACHE" make -M "$dev" --force --set-uuid $SET_UUID --uuid $NS_UUID
	assert_success
	run blkid -p "$dev"
	refute_output --partial ext4
}

@test "refuses fsdax held open exclusively by another process, unchanged" {
	dev=$(ns_dev fsdax)
	before=$(digest "$dev")
	hold excl "$dev"
	run --separate-stderr "$BCACHE" make -M "$dev" --force
	release
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $dev: device is in use (mounted or held open exclusively); refusing"
	[ "$(digest "$dev")" = "$before" ]
}

@test "refuses devdax open or mapped by another process, even with --force, unchanged" {
	dev=$(ns_dev devdax)
	before=$("$BCACHE" nvm dump --json "$dev")
	for how in fd map; do
		hold $how "$dev"
		# the mapping alone: no descriptor of the device is left open
		if [ $how = map ] && ls -l "/proc/$holder/fd" | grep -q " $dev\$"; then
			echo "hold map keeps a descriptor of $dev"
			return 1
		fi
		pid=$holder
		run --separate-stderr "$BCACHE" make -M "$dev" --force
		release
		assert_equal "$status" $EX_REFUSED
		assert_equal "$stderr" \
			"bcache: $dev: $dev is open or mapped by process $pid (hold); refusing"
	done
	[ "$("$BCACHE" nvm dump --json "$dev")" = "$before" ]
}

@test "devdax: --dry-run reports the old superblock and writes nothing; --force rewrites" {
	name=$(ns_name devdax)
	before=$("$BCACHE" nvm dump --json "$name")
	run --separate-stderr "$BCACHE" make -M "$name" --dry-run --json
	assert_equal "$status" $EX_REFUSED
	[ "$(jq -c '[.devices[0].signatures[] | [.type, .offset, .action]]' <<< "$output")" = '[["nvm-pages",4128,"refuse"]]' ]
	[ "$("$BCACHE" nvm dump --json "$name")" = "$before" ]
	run "$BCACHE" make -M "$name" --force --set-uuid $NS_UUID --json
	assert_success
	ns_refresh
	[ "$(ns_field devdax set_uuid)" = $NS_UUID ]
	# back to the uuids the host checks expect
	"$BCACHE" make -M "$name" --force --set-uuid $SET_UUID --uuid $NS_UUID > /dev/null
}

@test "nvm list names each namespace's revision: nvmpg (state offsets) and v7" {
	read -r OWN_NS dev < <(own_ns_create fsdax)
	# --force: the namespace may hold an earlier test's superblock
	"$BCACHE" make -M "$dev" --force --revision v13 --set-uuid $SET_UUID --uuid $NS_UUID \
		> /dev/null
	run "$BCACHE" nvm list --json
	assert_success
	assert_equal "$(jq -c --arg n "$OWN_NS" '.namespaces[] | select(.namespace == $n) |
		[.nvm_pages, .revision, .state, .set_uuid, .this_namespace_nr]' <<< "$output")" \
		"[true,\"nvmpg\",\"offsets\",\"$SET_UUID\",0]"
	# a namespace without a superblock has no revision
	assert_equal "$(jq -c '[.namespaces[] | select(.mode == "sector") | .revision]' \
		<<< "$output")" '[null]'
	"$BCACHE" make -M "$dev" --force --set-uuid $SET_UUID --uuid $NS_UUID > /dev/null
	run "$BCACHE" nvm list
	assert_success
	assert_line --regexp "^$OWN_NS +fsdax +$dev .* fresh .* v7$"
}
