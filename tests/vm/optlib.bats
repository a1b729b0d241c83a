#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# On real namespaces: the optional libraries are loaded only when a command
# needs them (libndctl and libdaxctl for namespace names, libpmem2 for a
# device-dax node), never for a block device named by its path.

load helpers

# optlibs CMD...: which of libndctl, libdaxctl, libpmem2 the loader loads
optlibs() {
	LD_DEBUG=libs "$@" 2>&1 >/dev/null |
		sed -n 's,.*calling init: .*/\(lib\(ndctl\|daxctl\|pmem2\)\)\.so.*,\1,p' |
		sort | tr '\n' ' '
}

@test "optional libraries: none for /dev/pmemN, libndctl for names, libpmem2 for devdax" {
	local fsdax devdax
	fsdax=$(ns_dev fsdax)
	devdax=$(ns_dev devdax)
	[ -b "$fsdax" ] && [ -c "$devdax" ]
	assert_equal "$(optlibs "$BCACHE" nvm dump "$fsdax")" ""
	assert_equal "$(optlibs "$BCACHE" make -M "$fsdax" --dry-run)" ""
	assert_equal "$(optlibs "$BCACHE" nvm dump "$(ns_name fsdax)")" "libdaxctl libndctl "
	# libpmem2 needs libndctl and libdaxctl itself
	assert_equal "$(optlibs "$BCACHE" nvm dump "$devdax")" "libdaxctl libndctl libpmem2 "
	# nvm list reads the superblock of the devdax namespace too
	assert_equal "$(optlibs "$BCACHE" nvm list)" "libdaxctl libndctl libpmem2 "
}
