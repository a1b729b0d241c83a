#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# bcache show: cache, backing and nvm-pages superblocks by field name.

load helpers

CSET=01234567-89ab-cdef-fedc-ba9876543210
DEV=20212223-2425-2627-2829-2a2b2c2d2e2f

@test "show: a cache device made with -M, every field by name, features by name" {
	c=$(mkimg cache.img 1G)
	n=$(mkimg ns.img 1G)
	bcache make -C "$c" -M "$n" --cset-uuid $CSET --dev-uuid $DEV --block 4k > /dev/null
	run bcache show --json "$c"
	assert_success
	assert_equal "$(jq -c '.devices[0].superblock | [.type, .version, .version_name,
		.features_incompat, .uuid, .set_uuid, .nbuckets, .block_size, .bucket_size,
		.first_bucket, .keys, .csum_ok, .csum == .csum_computed]' <<< "$output")" \
		"[\"cache\",5,\"CDEV_WITH_FEATURES\",\"nvdimm_meta\",\"$DEV\",\"$CSET\",2048,8,1024,1,0,true,true]"
	run bcache show "$c"
	assert_success
	assert_line --regexp '^features_incompat +nvdimm_meta$'
	assert_output --partial "checksum ok"
}

@test "show: backing device, nvm namespace, and several devices at once" {
	b=$(mkimg bdev.img 64M)
	n=$(mkimg ns.img 64M)
	bcache make -B "$b" --label backing1 --cache-mode writearound > /dev/null
	bcache make -M "$n" --set-uuid $CSET > /dev/null
	run bcache show --json "$b" "$n"
	assert_success
	assert_equal "$(jq -c '[(.devices[0].superblock | .type, .label, .cache_mode,
		.data_offset), (.devices[1].superblock | .type, .set_uuid, .csum_ok)]' <<< "$output")" \
		"[\"backing\",\"backing1\",\"writearound\",16,\"nvm-pages\",\"$CSET\",true]"
}

@test "show: a bad checksum is exit 4 with the problem named; no superblock is exit 5" {
	c=$(mkimg cache.img 1G)
	bcache make -C "$c" > /dev/null
	printf '\x01' | dd of="$c" bs=1 seek=$((4096 + 112)) conv=notrunc status=none
	run bcache show --json "$c"
	[ "$status" -eq $EX_PROBLEMS ]
	assert_equal "$(jq -c '[.devices[0].superblock.csum_ok, .devices[0].problems[0].code]' \
		<<< "$output")" '[false,"CSB_CSUM"]'
	run bcache show "$(mkimg zero.img 1M)"
	[ "$status" -eq $EX_NOT_FOUND ]
	assert_output --partial "no bcache superblock"
}

@test "show: the journal buckets d[] after a journal was written" {
	c=$(mkimg cache.img 1G)
	n=$(mkimg ns.img 1G)
	bcache make -C "$c" -M "$n" --cset-uuid $CSET --block 4k > /dev/null
	"$(dirname "$BCACHE")/../tests/tools/journal-gen" "$n" "$c" --jsets 3
	run bcache show --json "$c"
	assert_success
	assert_equal "$(jq -c '[(.devices[0].journal_buckets | length), .devices[0].journal_buckets[1].d,
		.devices[0].superblock.flags]' <<< "$output")" '[16,"0xffff9a2f41000400","0x0000000000000001"]'
}
