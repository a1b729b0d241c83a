#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# bcache nvm dump of fresh namespaces: text and JSON.

load helpers

setup() {
	img=$(mkimg ns.img 1G)
	bcache make -M "$img" --set-uuid $SET_UUID --uuid $NS_UUID > /dev/null
}

@test "nvm dump --json decodes the fresh superblock field by field" {
	run bcache nvm dump --json "$img"
	assert_success
	assert_equal "$(jq -c '.devices[0].superblock | {csum, csum_computed, csum_ok, sb_offset, magic,
		uuid, set_uuid, page_size, total_namespaces_nr, this_namespace_nr, pages_offset,
		pages_total, owner_list_head, keys, state, revision, base}' <<< "$output")" \
		'{"csum":"0x01f41a7a529a8ccd","csum_computed":"0x01f41a7a529a8ccd","csum_ok":true,'\
'"sb_offset":4096,"magic":"17bd537f1b23d68346a4f82817daeca9",'\
'"uuid":"'$NS_UUID'","set_uuid":"'$SET_UUID'","page_size":4096,'\
'"total_namespaces_nr":1,"this_namespace_nr":0,"pages_offset":16777216,'\
'"pages_total":262144,"owner_list_head":"0x2000","keys":0,"state":"fresh",'\
'"revision":"v7","base":"0x0"}'
}

@test "nvm dump --json decodes the owner table, heads[0] and the system record page" {
	run bcache nvm dump --json "$img"
	assert_success
	assert_equal "$(jq -c '[(.devices[0].owner_list_head | .size, .used), (.devices[0].owners | length),
		(.devices[0].owners[0] | .uuid, .label, .recs[0], .recs[7]), (.devices[0].record_pages | length),
		(.devices[0].record_pages[0] | .slot, .offset, .owner, .next, .magic_ok, .size, .used),
		([.devices[].problems[]] | length)]' <<< "$output")" \
		'[72,1,1,"'$SET_UUID'","nvm_pages_internal","0x4000","0x0",1,0,16384,"0x2028","0x0",true,1013,0,0]'
}

@test "nvm dump text names every superblock field with the checksum verdict" {
	run bcache nvm dump "$img"
	assert_success
	assert_line --index 0 "$img: nvm-pages superblock at byte 4096 (v7, fresh), checksum ok"
	for f in csum ns_start sb_offset version magic uuid page_size total_namespaces_nr \
		this_namespace_nr set_uuid flags seq feature_compat feature_incompat \
		feature_ro_compat pages_offset pages_total owner_list_head keys; do
		assert_line --regexp "^$f +"
	done
	assert_line --regexp '^csum +0x01f41a7a529a8ccd$'
	assert_line --regexp '^csum_ok +true$'
	assert_line --regexp '^ +0 +10111213-1415-1617-1819-1a1b1c1d1e1f +nvm_pages_internal +\[0\]0x4000 '
}

@test "nvm dump shows a bad checksum inline and keeps decoding" {
	printf '\x01' | dd of="$img" bs=1 seek=$((4096 + 104)) conv=notrunc status=none
	run bcache nvm dump --json "$img"
	assert_equal "$status" $EX_PROBLEMS	# SB_CSUM is an error: decoded, then exit 4
	[ "$(jq .devices[0].superblock.csum_ok <<< "$output")" = false ]
	[ "$(jq -r .devices[0].superblock.seq <<< "$output")" = 1 ]
	[ "$(jq -r '[.devices[].problems[].code] | sort | join(",")' <<< "$output")" = SB_CSUM,SB_UNUSED_FIELD ]
	[ "$(jq '.devices[0].owners | length' <<< "$output")" = 1 ]
}

@test "nvm dump refuses a device without an nvm-pages superblock (exit 5)" {
	empty=$(mkimg empty.img 32M)
	run --separate-stderr bcache nvm dump "$empty"
	assert_equal "$status" $EX_NOT_FOUND
	[ "$stderr" = "bcache: $empty: no nvm-pages superblock (magic at byte 4128 not found)" ]
	[ -z "$output" ]
}

@test "nvm dump is read-only" {
	before=$(digest "$img")
	chmod 0444 "$img"
	run bcache nvm dump "$img"
	assert_success
	[ "$(digest "$img")" = "$before" ]
}

@test "nvm dump of two devices gives one JSON document with both" {
	b=$(mkimg b.img 64M)
	bcache make -M "$b" --force > /dev/null
	run bcache nvm dump --json "$img" "$b"
	# two unrelated namespaces are no set (SET_* errors): decoded, then exit 4
	assert_equal "$status" $EX_PROBLEMS
	assert_equal "$(jq -c '[(.devices | length), (.devices[1] | .device, .superblock.pages_total)]' \
		<<< "$output")" "[2,\"$b\",16384]"
}

@test "dispatcher: help, version, unknown commands and options" {
	run bcache version
	assert_success
	assert_output --regexp '^bcache-nvm-tools [0-9]+\.[0-9]+'
	v=${output#bcache-nvm-tools }
	run --separate-stderr bcache version --json
	assert_success
	assert_equal "$output" "{\"schema_version\":2,\"version\":{\"program\":\"bcache-nvm-tools\",\"version\":\"$v\"}}"
	run bcache --help
	assert_success
	assert_line --partial "make"
	run bcache help nvm dump
	assert_success
	assert_line --index 0 "Usage: bcache nvm dump [options] DEV..."
	run bcache nvm dump --help
	assert_success
	assert_line --partial -- "--json"
	run --separate-stderr bcache frobnicate
	assert_equal "$status" $EX_USAGE
	[[ "$stderr" == *"unknown command 'frobnicate'"* ]]
	run --separate-stderr bcache --bogus
	assert_equal "$status" $EX_USAGE
	assert_equal "${stderr%%$'\n'*}" "bcache: unknown option '--bogus'"
	# a command's help: the summary as a sentence; the list aligned
	run --separate-stderr bcache version --help
	assert_success
	assert_equal "$(sed -n 3p <<< "$output")" "Print the version."
	run --separate-stderr bcache --help
	assert_line "  set-cachemode set the cache mode of a registered backing device"
	assert_line "  make          format nvm-pages namespaces and bcache devices"
	run bcache nvm frob
	assert_equal "$status" $EX_USAGE
	run bcache nvm dump --frob "$img"
	assert_equal "$status" $EX_USAGE
	run bcache nvm dump
	assert_equal "$status" $EX_USAGE
	run bcache
	assert_equal "$status" $EX_USAGE
}

@test "nvm dump names a raw-capacity image (namespace info block at 4096)" {
	raw=$(mkimg raw.img 32M)
	printf 'NVDIMM_PFN_INFO\0' | dd of="$raw" bs=1 seek=4096 conv=notrunc status=none
	run --separate-stderr bcache nvm dump "$raw"
	assert_equal "$status" $EX_NOT_FOUND
	[[ "$stderr" == *"a namespace info block (NVDIMM_PFN_INFO) at byte 4096: this is an image of a namespace's raw capacity"* ]]
}

@test "nvm dump, check and map without a device: one usage error, nothing loaded" {
	for c in dump check map; do
		run -2 bcache nvm $c --json
		assert_equal "${lines[0]}" "bcache nvm $c: no device given"
		assert_equal "${lines[1]}" "Usage: bcache nvm $c [options] DEV..."
		assert_equal "${#lines[@]}" 3
	done
	# a bad column is reported first: options are parsed before the operands
	run -2 bcache nvm dump -o bogus
	assert_equal "${lines[0]}" "bcache nvm dump: unknown column 'bogus' (see --list-columns)"
}
