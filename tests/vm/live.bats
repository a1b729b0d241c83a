#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The live base on a real fsdax namespace: where this boot's kernel maps the
# namespace (nvm list's phys and live_base), proved by independent means;
# nvm check comparing it with the stored base; nvm rebase --base live and
# its refusal of a namespace the kernel may have registered.

load helpers

NVM_GEN=$(dirname "$BCACHE")/../tests/tools/nvm-gen
OTHER_K=0xff11000000000000	# a base no boot of this VM uses

setup_file() {
	modprobe ext4
	read -r OWN_NS OWN_DEV < <(own_ns_create fsdax)
	export OWN_NS OWN_DEV
}

teardown_file() { own_ns_destroy "$OWN_NS"; }

teardown() {
	if [ -n "${MNT:-}" ] && mountpoint -q "$MNT"; then
		umount "$MNT" 2>/dev/null || umount -l "$MNT"
	fi
	loop_cleanup
}

gen() { "$NVM_GEN" "$@"; }

hex() { printf '0x%x' "$1"; }

@test "live base: libndctl's physical start is where the kernel maps the namespace's pages (DAX mmap + pagemap)" {
	dev=$OWN_DEV
	phys=$(ns_field_by_name "$OWN_NS" phys)
	[[ "$phys" == 0x* ]]
	MNT=$BATS_TEST_TMPDIR/mnt
	mkdir "$MNT"
	mkfs.ext4 -q -F -b 4096 "$dev"
	mount -o dax "$dev" "$MNT"
	dd if=/dev/urandom of="$MNT/f" bs=64k count=1 status=none
	sync
	# the file's first block: its byte offset on /dev/pmemN (FIEMAP), and
	# the physical address of the page a DAX mapping of it shows (pagemap)
	# (a command substitution: python must be done before the umount)
	out=$(python3 - "$MNT/f" <<'PY'
import ctypes, fcntl, mmap, os, struct, sys
fd = os.open(sys.argv[1], os.O_RDWR)
# struct fiemap with room for one extent; FS_IOC_FIEMAP
req = struct.pack('=QQIIII', 0, 1 << 62, 1, 0, 1, 0) + bytes(56)
buf = fcntl.ioctl(fd, 0xC020660B, req)
assert struct.unpack_from('=I', buf, 20)[0] >= 1, "no extent"
fe_physical = struct.unpack_from('=Q', buf, 32 + 8)[0]
m = mmap.mmap(fd, 65536, mmap.MAP_SHARED)
m[0]			# fault the first page in
c = ctypes.c_char.from_buffer(m)
with open('/proc/self/pagemap', 'rb') as pm:
    pm.seek(ctypes.addressof(c) // 4096 * 8)
    ent = struct.unpack('=Q', pm.read(8))[0]
del c
assert ent >> 63, "page not present"
print(fe_physical, ent & ((1 << 55) - 1))
PY
)
	read -r fe_physical pfn <<< "$out"
	umount "$MNT"
	echo "fe_physical $fe_physical pfn $pfn phys $phys"
	[ "$(hex $((pfn * 4096 - fe_physical)))" = "$phys" ]
}

@test "live base: phys + the direct-map base of kcore's RAM segments and of page_offset_base" {
	phys=$(ns_field_by_name "$OWN_NS" phys)
	live=$(ns_field_by_name "$OWN_NS" live_base)
	[[ "$live" == 0x* ]]
	out=$(python3 - <<'PY'
import struct
f = open('/proc/kcore', 'rb')
h = f.read(64)
phoff, = struct.unpack_from('<Q', h, 32)
phnum, = struct.unpack_from('<H', h, 56)
segs = []
f.seek(phoff)
for _ in range(phnum):
    t, fl, off, va, pa, fs, ms, al = struct.unpack('<IIQQQQQQ', f.read(56))
    segs.append((t, off, va, pa, fs))
# RAM: a physical address, below the kernel image mapping
ram = {va - pa for t, off, va, pa, fs in segs
       if t == 1 and pa != (1 << 64) - 1 and va < 0xffffffff80000000}
assert len(ram) == 1, ram
sym = None
for line in open('/proc/kallsyms'):
    a, _, name = line.split()[:3]
    if name == 'page_offset_base':
        sym = int(a, 16)
for t, off, va, pa, fs in segs:
    if sym and va <= sym < va + fs:
        f.seek(off + sym - va)
        sym = struct.unpack('<Q', f.read(8))[0]
        break
print(hex(ram.pop()), hex(sym))
PY
)
	read -r ram sym <<< "$out"
	echo "live $live phys $phys ram $ram page_offset_base $sym"
	[ "$live" = "$(hex $((phys + ram)))" ]
	[ "$live" = "$(hex $((phys + sym)))" ]
	# raw and devdax namespaces have none: v7 maps only fsdax namespaces
	[ "$(ns_field raw live_base)" = - ]
	[ "$(ns_field devdax live_base)" = - ]
	[ "$(ns_field_by_name "$OWN_NS" device)" = "$OWN_DEV" ]
}

@test "nvm check: the stored base is this boot's (fine), or another one (BASE_LIVE naming both, exit 4)" {
	dev=$OWN_DEV
	live=$(ns_field_by_name "$OWN_NS" live_base)
	"$BCACHE" make -M "$dev" --force > /dev/null
	gen "$dev" attach "$live"
	run "$BCACHE" nvm check --json "$dev"
	assert_success
	[ "$(jq -r '[.devices[].problems[].code] | join(",")' <<< "$output")" = ATTACHED ]
	"$BCACHE" make -M "$dev" --force > /dev/null
	gen "$dev" attach $OTHER_K
	run "$BCACHE" nvm check --json "$dev"
	assert_equal "$status" $EX_PROBLEMS
	[ "$(jq -r '[.devices[].problems[].code] | join(",")' <<< "$output")" = ATTACHED,BASE_LIVE ]
	[ "$(jq -r '.devices[0].problems[1].message' <<< "$output")" = \
		"stored base K = $OTHER_K, but this boot maps the namespace at $live: registering it hits the kernel's BUG_ON (see nvm rebase)" ]
	[ "$(jq -r '.devices[0].problems[1] | .severity, .offset' <<< "$output" | tr '\n' ' ')" = "error 4312 " ]
}

@test "nvm rebase --base live: the bytes of the same namespace attached at this boot's base" {
	dev=$OWN_DEV
	live=$(ns_field_by_name "$OWN_NS" live_base)
	size=$(ns_field_by_name "$OWN_NS" size)
	owner=aaaaaaaa-1111-4111-8111-111111111111
	"$BCACHE" make -M "$dev" --force --set-uuid $SET_UUID --uuid $NS_UUID > /dev/null
	gen "$dev" attach $OTHER_K
	gen "$dev" alloc 3 $owner 2 > /dev/null
	img=$(mkimg ref.img "$size")
	"$BCACHE" make -M "$img" --set-uuid $SET_UUID --uuid $NS_UUID > /dev/null
	gen "$img" attach "$live"
	gen "$img" alloc 3 $owner 2 > /dev/null
	run --separate-stderr "$BCACHE" nvm rebase "$dev" --base live
	assert_success
	assert_line --partial "rebased $dev: base $OTHER_K -> $live, "
	cmp -n $((16 << 20)) "$dev" "$img"
	run "$BCACHE" nvm check "$dev"
	assert_success
}

@test "nvm rebase refuses a namespace this boot's kernel may have registered; --force overrides" {
	dev=$OWN_DEV
	live=$(ns_field_by_name "$OWN_NS" live_base)
	"$BCACHE" make -M "$dev" --force > /dev/null
	gen "$dev" attach "$live"
	root=$BATS_TEST_TMPDIR/sys
	mkdir -p "$root/fs/bcache"
	: > "$root/fs/bcache/register_nvdimm_meta"	# a module with NVDIMM support
	before=$(dd if="$dev" bs=1M count=16 iflag=direct status=none | sha256sum)
	run --separate-stderr env BCACHE_TEST_SYSFS_ROOT="$root" "$BCACHE" nvm rebase "$dev" \
		--base $OTHER_K
	if [[ "$stderr" != *"may have registered"* ]] && [ "$status" -eq 0 ]; then
		skip "built without -Dtest_hooks=true"
	fi
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $dev: this boot's kernel may have registered it: its base $live is where this boot maps it and the loaded bcache module has NVDIMM support (register_nvdimm_meta); v7 keeps no claim that could be checked. Rebasing a registered namespace corrupts it; use --force if it is not registered"
	[ "$(dd if="$dev" bs=1M count=16 iflag=direct status=none | sha256sum)" = "$before" ]
	run env BCACHE_TEST_SYSFS_ROOT="$root" "$BCACHE" nvm rebase "$dev" --base $OTHER_K --force
	assert_success
	# without NVDIMM support in the module (the stock one), no refusal
	run "$BCACHE" nvm rebase "$dev" --base "$live"
	assert_success
}

@test "journal repair refuses a journal whose stored base is not this boot's (J_REPAIR_REBASE); after nvm rebase --base live it repairs" {
	local jgen cache
	jgen=$(dirname "$BCACHE")/../tests/tools/journal-gen
	[ -x "$jgen" ] || skip "no tests/tools/journal-gen in this build"
	dev=$OWN_DEV
	live=$(ns_field_by_name "$OWN_NS" live_base)
	cache=$(mkimg cache.img 1G)
	"$BCACHE" make -M "$dev" -C "$cache" --force --block 512 \
		--cset-uuid 01234567-89ab-cdef-fedc-ba9876543210 > /dev/null
	# the kernel of an earlier boot (another K) wrote 50 jsets with v7's stride
	"$jgen" "$dev" "$cache" --base $OTHER_K --stride bytes --jsets 50 > /dev/null
	before=$(dd if="$dev" bs=1M count=16 iflag=direct status=none | sha256sum)
	run --separate-stderr "$BCACHE" journal repair "$dev" -C "$cache" --json
	assert_equal "$status" $EX_REFUSED
	[ "$(jq -r '.devices[].problems[] | select(.code == "J_REPAIR_REBASE") | .where' <<< "$output")" = \
		sb.owner_list_head ]
	[ "$(dd if="$dev" bs=1M count=16 iflag=direct status=none | sha256sum)" = "$before" ]
	run --separate-stderr "$BCACHE" nvm rebase "$dev" -C "$cache" --base live
	assert_success
	run --separate-stderr "$BCACHE" journal repair "$dev" -C "$cache" --json
	assert_success
	[ "$(jq -r '.devices[0].repair | "\(.action) \(.written)"' <<< "$output")" = "table true" ]
}
