#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# bcache make -C / -B: cache and backing superblocks byte for byte, with and
# without -M, and recognised by libblkid.

load helpers

teardown() { loop_cleanup; }

CSET=01234567-89ab-cdef-fedc-ba9876543210
DEV=20212223-2425-2627-2829-2a2b2c2d2e2f

# crc64we FILE OFFSET LEN: bch_crc64 of the bytes, as little-endian hex (an
# oracle independent of the tool: bit-by-bit CRC-64/WE)
crc64we() {
	python3 - "$@" <<'PY'
import sys
path, off, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, 'rb') as f:
    f.seek(off)
    data = f.read(n)
crc = (1 << 64) - 1
for b in data:
    crc ^= b << 56
    for _ in range(8):
        crc = ((crc << 1) ^ 0x42F0E1EBA9EA3693) if crc >> 63 else crc << 1
        crc &= (1 << 64) - 1
print((crc ^ ((1 << 64) - 1)).to_bytes(8, 'little').hex())
PY
}

@test "make -C -M: the cache superblock is exact (version 5, nvdimm_meta, first_bucket 1)" {
	c=$(mkimg cache.img 1G)
	n=$(mkimg ns.img 1G)
	run bcache make -C "$c" -M "$n" --cset-uuid $CSET --dev-uuid $DEV --block 4k --bucket 512k
	assert_success
	want="0800000000000000 0500000000000000 c68573f64e1a45ca8265f57f48ba6d81"
	want+=" 2021222324252627 28292a2b2c2d2e2f 0123456789abcdef fedcba9876543210"
	want+=" $(printf '0%.0s' {1..64})"
	want+=" 0000000000000000 0000000000000000"			# flags, seq
	want+=" 0000000000000000 0400000000000000 0000000000000000"	# features
	want+=" $(printf '0%.0s' {1..80})"				# pad
	want+=" 0008000000000000"						# nbuckets 2048
	want+=" 0800 0004 0100 0000 00000000 0100 0000"			# block, bucket, ...
	[ "$(hexat "$c" 4104 200)" = "${want// /}" ]
	# the checksum over [8, 208) as an independent CRC computes it
	[ "$(hexat "$c" 4096 8)" = "$(crc64we "$c" 4104 200)" ]
	# d[], the rest of the page and [0, 4096) are zero
	run nonzero_outside "$c" 8192 4096:208
	assert_output 0
	# the namespace's set uuid defaults to the cache set uuid
	[ "$(hexat "$n" 4176 16)" = 0123456789abcdeffedcba9876543210 ]
	run blkid -p -o export "$c"
	assert_line TYPE=bcache
	assert_line UUID=$DEV
}

@test "make -C without -M: version 3, no features; sizes decide nbuckets and first_bucket" {
	c=$(mkimg cache.img 256M)
	run bcache make -C "$c" --cset-uuid $CSET --bucket 8k --block 512 --label fast
	assert_success
	[ "$(hexat "$c" 4112 8)" = 0300000000000000 ]
	[ "$(hexat "$c" 4224 8)" = 0000000000000000 ]
	# nbuckets = 256 MiB / 8 KiB = 32768; block 1, bucket 16; first_bucket 23/16+1 = 2
	[ "$(hexat "$c" 4280 20)" = 0080000000000000010010000100000000000000 ]
	[ "$(hexat "$c" 4300 4)" = 02000000 ]
	[ "$(hexat "$c" 4168 5)" = 6661737400 ]
	[ "$(hexat "$c" 4096 8)" = "$(crc64we "$c" 4104 200)" ]
	run blkid -p -o value -s TYPE "$c"
	assert_output bcache
}

@test "make -B: backing version 1, data_offset 16, cache mode; 4 with --data-offset" {
	b=$(mkimg bdev.img 64M)
	run bcache make -B "$b" --cset-uuid $CSET --dev-uuid $DEV --writeback --json
	assert_success
	[ "$(jq -r '.devices[0].bcache_device.type' <<< "$output")" = backing ]
	[ "$(jq '.devices[0].bcache_device.version' <<< "$output")" = 1 ]
	[ "$(hexat "$b" 4112 8)" = 0100000000000000 ]
	[ "$(hexat "$b" 4200 8)" = 0100000000000000 ]	# flags: writeback
	[ "$(hexat "$b" 4280 8)" = 1000000000000000 ]	# data_offset 16
	[ "$(hexat "$b" 4096 8)" = "$(crc64we "$b" 4104 200)" ]
	run blkid -p -o value -s TYPE "$b"
	assert_output bcache
	run bcache make -B "$b" --force --data-offset 2048
	assert_success
	[ "$(hexat "$b" 4112 8)" = 0400000000000000 ]
	[ "$(hexat "$b" 4280 8)" = 0008000000000000 ]
}

@test "make -C refuses existing data without --force; --dry-run writes nothing" {
	c=$(mkimg cache.img 256M)
	mkfs.ext4 -q -F "$c"
	before=$(digest "$c")
	run bcache make -C "$c"
	[ "$status" -eq $EX_REFUSED ]
	assert_output --partial "ext4"
	run bcache make -C "$c" --force --dry-run
	assert_success
	assert_output --partial "would format"
	[ "$(digest "$c")" = "$before" ]
	run bcache make -C "$c" --force
	assert_success
	run blkid -p -o value -s TYPE "$c"
	assert_output bcache
}

@test "make -C: bad sizes and too small devices are refused with their exit codes" {
	c=$(mkimg cache.img 16M)
	run bcache make -C "$c" --bucket 3k
	[ "$status" -eq $EX_USAGE ]
	run bcache make -C "$c" --bucket 512k
	[ "$status" -eq $EX_REFUSED ]
	assert_output --partial "fewer than 128 buckets"
	run bcache make -C "$c" --block 8k --bucket 64k
	[ "$status" -eq $EX_USAGE ]
	run bcache make -C "$c" -B "$c"
	[ "$status" -eq $EX_USAGE ]
}

@test "make -C on a loop device: blkid -p sees bcache" {
	need_root
	c=$(mkimg cache.img 256M)
	dev=$(loop_attach "$c")
	run bcache make -C "$dev" --cset-uuid $CSET --dev-uuid $DEV
	assert_success
	run blkid -p -o value -s TYPE "$dev"
	assert_output bcache
}

@test "make -C warns when the kernel would find too few buckets (<= 512)" {
	img=$(mkimg few.img 64M)
	run --separate-stderr bcache make -C "$img"
	assert_success
	[[ "$stderr" == *"only 128 buckets: the kernel refuses to run a cache with 512 buckets or fewer"* ]]
	run --separate-stderr bcache make -C "$img" --bucket 64k --force
	assert_success
	[[ "$stderr" != *"buckets or fewer"* ]]
}
