# SPDX-License-Identifier: GPL-2.0
# Shared by the VM tier's suites (run inside the guest by tests/vm/guest.sh).

load ../cli/helpers

# The namespaces guest.sh made, one per mode, as bcache nvm list shows them
# (read once per test; ns_refresh reads again after a change), flattened by
# one jq to "MODE NAME FIELD VALUE" lines that the lookups read without
# starting a process (each one costs under TCG).
ns_refresh() {
	"$BCACHE" nvm list --json > "$BATS_TEST_TMPDIR/list.json"
	jq -r '.namespaces[] | . as $n | keys_unsorted[] |
		[$n.mode, $n.namespace, ., ($n[.] | tostring)] | @tsv' \
		"$BATS_TEST_TMPDIR/list.json" > "$BATS_TEST_TMPDIR/list.tsv"
}
# ns_lookup COLUMN KEY FIELD: the FIELD of the namespace whose mode (column
# 1) or name (column 2) is KEY
ns_lookup() {
	local c=() f v
	[ -s "$BATS_TEST_TMPDIR/list.tsv" ] || ns_refresh
	while IFS=$'\t' read -r c[1] c[2] f v; do
		if [ "${c[$1]}" = "$2" ] && [ "$f" = "$3" ]; then
			echo "$v"
			return 0
		fi
	done < "$BATS_TEST_TMPDIR/list.tsv"
}
ns_field() { ns_lookup 1 "$1" "$2"; }	# MODE FIELD
ns_name() { ns_field "$1" namespace; }
ns_dev() { ns_field "$1" device; }

sysfs_resource() { cat "/sys/bus/nd/devices/$1/resource"; }

# host_check NAME: record that the host must find, in the NVDIMM's backing
# file, the superblock that `make -M` with the fixed uuids writes to NAME
# (built independently, on an image file of the same size).  Echoes the hex.
host_check() {
	local name=$1 size off img hex
	size=$(ns_field_by_name "$name" size)
	off=$(( $(sysfs_resource "$name") - $(sysfs_resource region0) +
		$(ns_field_by_name "$name" data_offset) + 4096 ))
	img=$(mkimg "ref-$name.img" "$size")
	"$BCACHE" make -M "$img" --set-uuid $SET_UUID --uuid $NS_UUID > /dev/null
	hex=$(hexat "$img" 4096 232)
	echo "$name $off $hex" >> "$BCACHE_VM_RESULTS/host-checks"
	echo "$hex"
}

ns_field_by_name() { ns_lookup 2 "$1" "$2"; }	# NAME FIELD

# A namespace of a test file's own, so that what its tests write never
# meets the namespaces guest.sh made for the other files: 32 MiB of the
# region's free space (guest.sh leaves 32 MiB), made in setup_file, given
# another mode with own_ns_mode, destroyed in teardown_file.  Each echoes
# "NAME DEVICE".
own_ns_create() { # MODE
	ndctl create-namespace -r region0 -m "$1" -s 32M |
		jq -r '"\(.dev) /dev/\(.blockdev // .daxregion.devices[0].chardev)"'
}
own_ns_mode() { # NAME MODE
	ndctl create-namespace -f -e "$1" -m "$2" |
		jq -r '"\(.dev) /dev/\(.blockdev // .daxregion.devices[0].chardev)"'
}
own_ns_destroy() { # NAME
	ndctl destroy-namespace -f "$1" > /dev/null
}
