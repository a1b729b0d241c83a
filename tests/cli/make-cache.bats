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

@test "make -C --bucket: 16M is the largest stored as is in the 16-bit bucket_size; 32M and 64M as log2, never 0" {
	c=$(mkimg cache.img 8G)
	run bcache make -C "$c" --bucket 16M -n --json
	assert_success
	assert_equal "$(jq -c '.devices[0].bcache_device | [.version, .bucket_size, .bucket_sectors,
		.nbuckets, .feature_incompat]' <<< "$output")" '[3,32768,32768,512,"0x0"]'
	run --separate-stderr bcache make -C "$c" --bucket 32M -n --json
	assert_success
	assert_equal "$(jq -c '.devices[0].bcache_device | [.version, .bucket_size, .bucket_sectors,
		.nbuckets, .feature_incompat]' <<< "$output")" '[5,16,65536,256,"0x2"]'
	run --separate-stderr bcache make -C "$c" --bucket 64M -n --json
	assert_success
	assert_equal "$(jq -c '.devices[0].bcache_device | [.version, .bucket_size, .bucket_sectors,
		.nbuckets, .feature_incompat]' <<< "$output")" '[5,17,131072,128,"0x2"]'
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

@test "make --bucket 32M: a large bucket is stored as log2 (version 5, large_bucket); too large is refused" {
	c=$(mkimg cache.img 8G)
	# -n first: the 16-bit field must not turn 65536 sectors into 0
	run --separate-stderr bcache make -C "$c" --bucket 32M -n --json
	assert_success
	assert_equal "$(jq -c '.devices[0].bcache_device | [.version, .bucket_size, .bucket_sectors,
		.nbuckets, .feature_incompat, .written]' <<< "$output")" '[5,16,65536,256,"0x2",false]'
	[ "$(hexat "$c" 4096 4096 | tr -d 0)" = "" ]
	run --separate-stderr bcache make -C "$c" -b 32M
	assert_success
	[ "$(hexat "$c" 4112 8)" = 0500000000000000 ]
	[ "$(hexat "$c" 4224 8)" = 0200000000000000 ]
	[ "$(hexat "$c" 4290 2)" = 1000 ]
	[ "$(hexat "$c" 4096 8)" = "$(crc64we "$c" 4104 200)" ]
	run --separate-stderr bcache show --json "$c"
	assert_equal "$(jq -c '.devices[0].superblock | [.bucket_sectors, .features_incompat]' \
		<<< "$output")" '[65536,"large_bucket"]'
	# 1T is 1 << 31 sectors, the most the field holds; 2T is refused before anything
	run --separate-stderr bcache make -C "$c" --wipe-bcache --bucket 2T
	assert_equal "$status" $EX_USAGE
	assert_equal "${stderr%%$'\n'*}" "bcache make: --bucket: 2T is more than the superblock holds (1099511627776 bytes)"
	run --separate-stderr bcache make -C "$c" --wipe-bcache --bucket 1T
	assert_equal "$status" $EX_REFUSED
	assert_equal "${stderr##*$'\n'}" "bcache: $c: device too small: 8589934592 bytes give fewer than 128 buckets of 1099511627776 bytes (or no room after the data offset)"
	run bcache make -C "$c" --bucket 3M
	assert_equal "$status" $EX_USAGE
	assert_output --partial "--bucket: 3M is not a power of two"
}

@test "make-bcache's form: -C DEV -B DEV DEV, -b -w -l -u -o, --writeback, --discard, --cache_replacement_policy" {
	c=$(mkimg cache.img 256M)
	b1=$(mkimg b1.img 64M)
	b2=$(mkimg b2.img 64M)
	run --separate-stderr bcache make -C "$c" -B "$b1" "$b2" -b 64k -w 4k -l lbl -u $CSET \
		-o 2048 --writeback --discard --cache_replacement_policy fifo --json
	assert_success
	assert_equal "$(jq -c '[.devices[] | [.device] + (.bcache_device | [.type, .version, .set_uuid,
		.label, .block_size])]' <<< "$output")" \
		"[[\"$c\",\"cache\",3,\"$CSET\",\"lbl\",8],[\"$b1\",\"backing\",4,\"$CSET\",\"lbl\",8],[\"$b2\",\"backing\",4,\"$CSET\",\"lbl\",8]]"
	# cache flags: discard (bit 1) and fifo (1 << 2); bucket 128 sectors
	[ "$(hexat "$c" 4200 8)" = 0600000000000000 ]
	[ "$(hexat "$c" 4290 2)" = 8000 ]
	for b in "$b1" "$b2"; do
		# writeback, data_offset 2048, block 8 sectors
		[ "$(hexat "$b" 4200 8)" = 0100000000000000 ]
		[ "$(hexat "$b" 4280 8)" = 0008000000000000 ]
		[ "$(hexat "$b" 4288 2)" = 0800 ]
		[ "$(hexat "$b" 4152 16)" = 0123456789abcdeffedcba9876543210 ]
	done
	# the long spellings of make-bcache are the same options
	run --separate-stderr bcache make --wipe-bcache --cache "$c" --bdev "$b1" --data_offset 32 \
		--cache-replacement-policy random --cset-uuid $CSET --label x --block 512 --json
	assert_success
	[ "$(hexat "$c" 4200 8)" = 0800000000000000 ]
	[ "$(hexat "$b1" 4280 8)" = 2000000000000000 ]
	# the cache device is discarded first: its data reads back as zeros
	printf 'data' | dd of="$c" bs=1 seek=$((1 << 20)) conv=notrunc status=none
	bcache make --wipe-bcache -C "$c" --discard > /dev/null
	[ "$(hexat "$c" $((1 << 20)) 4)" = 00000000 ]
	[ "$(hexat "$c" 4200 8)" = 0200000000000000 ]
}

@test "make: the default block size of an image file is its st_blksize (at most 4k), of a loop device its logical block size" {
	need_root
	c=$(mkimg cache.img 256M)
	bs=$(stat -c %o "$c")
	[ "$bs" -gt 4096 ] && bs=4096
	run --separate-stderr bcache make -C "$c" --json
	assert_success
	assert_equal "$(jq '.devices[0].bcache_device.block_size' <<< "$output")" $((bs / 512))
	l=$(loop_attach "$(mkimg loop.img 64M)")
	run --separate-stderr bcache make -B "$l" --json
	assert_success
	assert_equal "$(jq '.devices[0].bcache_device.block_size' <<< "$output")" \
		$(($(blockdev --getss "$l") / 512))
}

@test "make: an option without effect on the devices given is a usage error saying why; nothing written" {
	c=$(mkimg cache.img 256M)
	b=$(mkimg b.img 64M)
	n=$(mkimg ns.img 32M)
	check() {	# check EXPECTED-FIRST-LINE ARGS...
		run --separate-stderr bcache make "${@:2}"
		assert_equal "$status" $EX_USAGE
		assert_equal "${stderr%%$'\n'*}" "bcache make: $1"
	}
	check "--label applies to -C and -B devices (a namespace has no label); it has no effect here" -M "$n" -l x
	check "--cache-mode and --writeback apply to backing devices (-B) only; it has no effect here" -C "$c" --writeback
	check "--cache-mode and --writeback apply to backing devices (-B) only; it has no effect here" -C "$c" --cache-mode writearound
	check "--data-offset applies to backing devices (-B) only; it has no effect here" -C "$c" -o 32
	check "--bucket applies to cache devices (-C) only (a backing device has no buckets); it has no effect here" -B "$b" --bucket 64k
	check "--discard applies to cache devices (-C) only; it has no effect here" -B "$b" --discard
	check "--cache_replacement_policy applies to cache devices (-C) only; it has no effect here" -B "$b" --cache_replacement_policy fifo
	check "--block applies to -C and -B devices; it has no effect here" -M "$n" -w 4k
	check "--cset-uuid applies to -C and -B devices (a namespace set takes --set-uuid); it has no effect here" -M "$n" -u $CSET
	check "--set-uuid applies to -M namespaces (-C and -B take --cset-uuid); it has no effect here" -C "$c" --set-uuid $CSET
	check "--discard with -M: a cache device whose journal is on NVDIMM must not discard (the kernel would BUG on journal reclaim)" -M "$n" -C "$c" --discard
	check "2 cache devices: a cache set has one cache device (the kernel refuses a second as a 'duplicate cache set member'); give one -C and any number of -B" -C "$c" "$b"
	check "'$c': say what to make of it first (-C, -B or -M before the device)" "$c"
	check "--cache_replacement_policy: 'clock' is not lru, fifo or random" -C "$c" --cache_replacement_policy clock
	for f in "$c" "$b" "$n"; do [ "$(hexat "$f" 4096 64 | tr -d 0)" = "" ]; done
}

@test "make --wipe-bcache overwrites a bcache superblock, never another signature" {
	c=$(mkimg cache.img 256M)
	bcache make -C "$c" > /dev/null
	run --separate-stderr bcache make -C "$c"
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $c: found bcache signature at offset 4120; refusing to overwrite it (use --wipe-bcache or --force)"
	run --separate-stderr bcache make -C "$c" --wipe-bcache --cset-uuid $CSET
	assert_success
	[ "$(hexat "$c" 4152 16)" = 0123456789abcdeffedcba9876543210 ]
	e=$(mkimg ext4.img 64M)
	mkfs.ext4 -q -F "$e"
	run --separate-stderr bcache make -B "$e" --wipe-bcache
	assert_equal "$status" $EX_REFUSED
	assert_equal "$stderr" "bcache: $e: found ext4 filesystem signature at offset 1080; refusing to overwrite it (use --force)"
}
