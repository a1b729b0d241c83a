#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# bash and zsh completion (completions/): driven like the shells drive them,
# against the real binary and against a fake one whose answers are fixed.

load helpers
load cmdtable

setup() {
	# shellcheck source=../../completions/bcache.bash
	source "$TOP/completions/bcache.bash"
	cd "$BATS_TEST_TMPDIR" || return 1
	unset BCACHE_COMPLETION_DEVICES BCACHE_COMPLETION_UUIDS
}

# comp WORD...: complete the last word with bcache's bash function; prints
# the candidates, one per line, sorted
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_bcache
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | LC_ALL=C sort
}

sorted() { LC_ALL=C sort; }

# A fake binary with a fixed command table, so that option values of every
# kind are covered whatever commands exist on this branch.
fake_bcache() {
	cat > "$BATS_TEST_TMPDIR/fake" <<'FAKE'
#!/bin/bash
case "$*" in
"--list-cmds") printf '%s\n' make nvm ;;
"nvm --list-cmds") printf '%s\n' dump check ;;
"nvm dump --list-opts")
	printf '%s\n' --output=columns -o=columns --hex='superblock|owner_list_head' \
		--owner=uuid --json -J --comment= @device ;;
"nvm dump --list-columns")
	printf '%-14s %s\n' slot "record-page slot" offset "byte offset" owner "owner pointer" ;;
"make --list-opts") printf '%s\n' --nvm=device -M=device --log=file --force ;;
"nvm list --json") printf '{"namespaces": [{"name": "namespace7.0", "device": "/dev/pmem7", "set_uuid": "10111213-1415-1617-1819-1a1b1c1d1e1f"}]}\n' ;;
*--list-cmds) ;;
*) exit 2 ;;
esac
FAKE
	chmod +x "$BATS_TEST_TMPDIR/fake"
	echo "$BATS_TEST_TMPDIR/fake"
}

@test "hidden helpers: --list-cmds, --list-opts and --list-problems formats" {
	run bcache --list-cmds
	assert_success
	assert_line make
	assert_line nvm
	refute_output --partial " "
	run bcache nvm --list-cmds
	assert_success
	assert_line dump
	# a command without sub-commands lists none (and does not run)
	run --separate-stderr bcache version --list-cmds
	assert_success
	assert_output ""
	run --separate-stderr bcache make --list-cmds
	assert_success
	assert_output ""
	run bcache --list-opts
	assert_output "$(printf '%s\n' --help -h --version -V)"
	run bcache make --list-opts
	assert_success
	assert_line --nvm=device
	assert_line -M=device
	assert_line --set-uuid=uuid
	assert_line --force
	assert_line --help
	# make-bcache's form: devices follow -C/-B/-M as operands
	assert_line @device
	run bcache show --list-opts
	assert_line -d=device
	assert_line @device
	run bcache set-cachemode --list-opts
	assert_line @device
	run bcache nvm dump --list-opts
	assert_line --index 0 --json
	assert_line @device
	[ "${lines[-1]}" = @device ]
	run bcache help --list-opts
	[ "${lines[-1]}" = @command ]
	run bcache --list-problems
	assert_success
	assert_line --index 0 "$(printf 'SB_MAGIC\terror\tsuperblock magic mismatch')"
	run awk -F '\t' 'NF != 3 || $2 !~ /^(error|warning|info)$/ || $1 !~ /^[A-Z0-9_]+$/' \
		<<< "$(bcache --list-problems)"
	assert_output ""
}

@test "completion: the first word completes to every command of --list-cmds" {
	run comp "$BCACHE" ""
	assert_success
	assert_output "$("$BCACHE" --list-cmds | sorted)"
	assert_line make
	assert_line nvm
	run comp "$BCACHE" n
	assert_output nvm
}

@test "completion: global options before the command" {
	run comp "$BCACHE" --
	assert_output "$(printf '%s\n' --help --version | sorted)"
	run comp "$BCACHE" -
	assert_output "$(printf '%s\n' --help --version -V -h | sorted)"
}

@test "completion: sub-commands of a group, and nothing after a plain command" {
	run comp "$BCACHE" nvm ""
	assert_output "$("$BCACHE" nvm --list-cmds | sorted)"
	assert_line dump
	run comp "$BCACHE" nvm d
	assert_output dump
	run comp "$BCACHE" nvm --h
	assert_output --help
}

@test "completion: options of a command, long and short" {
	run comp "$BCACHE" nvm dump --
	assert_line --json
	assert_line --help
	refute_line -J
	run comp "$BCACHE" make -
	assert_line -M
	assert_line --nvm
	assert_line --set-uuid
	assert_line -f
	run comp "$BCACHE" make --dr
	assert_output --dry-run
}

@test "completion: a command without operands offers its options" {
	run comp "$BCACHE" tree ""
	assert_output "$(command_options tree | sorted)"
	# make: devices after -C and as operands
	export BCACHE_COMPLETION_DEVICES="/dev/pmem0"
	run comp "$BCACHE" make -C /dev/pm
	assert_output /dev/pmem0
	run comp "$BCACHE" make -C /dev/pmem0 /dev/pm
	assert_output /dev/pmem0
}

@test "completion: device operands come from BCACHE_COMPLETION_DEVICES, then files" {
	export BCACHE_COMPLETION_DEVICES="namespace0.0 namespace1.0 /dev/pmem0 /dev/dax1.0"
	run comp "$BCACHE" nvm dump name
	assert_output "$(printf '%s\n' namespace0.0 namespace1.0)"
	run comp "$BCACHE" nvm dump namespace1
	assert_output namespace1.0
	run comp "$BCACHE" nvm dump /dev/dax1
	assert_output /dev/dax1.0
	touch ns.img
	run comp "$BCACHE" nvm dump ""
	assert_output "$(printf '%s\n' /dev/dax1.0 /dev/pmem0 namespace0.0 namespace1.0 ns.img |
		sorted)"
	run comp "$BCACHE" nvm dump ns
	assert_output ns.img
}

@test "completion: the value of -M is a device, in every spelling" {
	export BCACHE_COMPLETION_DEVICES="namespace0.0 /dev/pmem0"
	run comp "$BCACHE" make -M name
	assert_output namespace0.0
	run comp "$BCACHE" make --nvm /dev/pm
	assert_output /dev/pmem0
	# "--nvm=/dev/pm" as bash splits it at COMP_WORDBREAKS
	run comp "$BCACHE" make --nvm = /dev/pm
	assert_output /dev/pmem0
	run comp "$BCACHE" make --nvm =
	assert_output "$(printf '%s\n' /dev/pmem0 namespace0.0)"
	# and unsplit (COMP_WORDBREAKS without '=')
	run comp "$BCACHE" make --nvm=/dev/pm
	assert_output --nvm=/dev/pmem0
	# an operand after the device is a device again
	run comp "$BCACHE" make -M /dev/pmem0 -M nam
	assert_output namespace0.0
}

@test "completion: uuids from BCACHE_COMPLETION_UUIDS; free text gets nothing" {
	export BCACHE_COMPLETION_UUIDS="10111213-1415-1617-1819-1a1b1c1d1e1f 00010203-0405-0607-0809-0a0b0c0d0e0f"
	run comp "$BCACHE" make --set-uuid 1
	assert_output 10111213-1415-1617-1819-1a1b1c1d1e1f
	run comp "$BCACHE" make -M x --uuid ""
	assert_output "$(echo $BCACHE_COMPLETION_UUIDS | tr ' ' '\n' | sorted)"
	fake=$(fake_bcache)
	run comp "$fake" nvm dump --comment ""
	assert_output ""
}

@test "completion: help completes commands, then a group's sub-commands" {
	run comp "$BCACHE" help ""
	assert_output "$("$BCACHE" --list-cmds | sorted)"
	run comp "$BCACHE" help nvm ""
	assert_output "$("$BCACHE" nvm --list-cmds | sorted)"
	run comp "$BCACHE" help nvm dump ""
	assert_output ""
}

@test "completion: column values from --list-columns, comma-separated (fake binary)" {
	fake=$(fake_bcache)
	run comp "$fake" nvm dump -o ""
	assert_output "$(printf '%s\n' offset owner slot)"
	run comp "$fake" nvm dump --output o
	assert_output "$(printf '%s\n' offset owner)"
	run comp "$fake" nvm dump --output slot,o
	assert_output "$(printf '%s\n' slot,offset slot,owner)"
	run comp "$fake" nvm dump --output slot,offset,
	assert_output slot,offset,owner
	run comp "$fake" nvm dump --output +s
	assert_output +slot
	run comp "$fake" nvm dump --output = sl
	assert_output slot
}

@test "completion: word lists, uuids and devices from nvm list --json (fake binary)" {
	fake=$(fake_bcache)
	run comp "$fake" nvm dump --hex ""
	assert_output "$(printf '%s\n' owner_list_head superblock)"
	run comp "$fake" nvm dump --hex=s
	assert_output --hex=superblock
	run comp "$fake" nvm dump --owner ""
	assert_output 10111213-1415-1617-1819-1a1b1c1d1e1f
	run comp "$fake" nvm dump namespace7
	assert_output namespace7.0
	run comp "$fake" nvm dump /dev/pmem7
	assert_output /dev/pmem7
	touch log.txt
	run comp "$fake" make --log l
	assert_output log.txt
}

@test "completion: the real binary's column lists complete where a command has them" {
	local found=0 cmd
	while read -r cmd; do
		# shellcheck disable=SC2086
		"$BCACHE" $cmd --list-opts | grep -q '=columns$' || continue
		found=1
		local first
		# shellcheck disable=SC2086
		first=$("$BCACHE" $cmd --list-columns | awk 'NR == 1 { print $1 }')
		[ -n "$first" ]
		opt=$("$BCACHE" $cmd --list-opts | grep '=columns$' | head -n 1 | sed 's/=.*//')
		# shellcheck disable=SC2086
		run comp "$BCACHE" $cmd "$opt" "$first"
		assert_line "$first"
	done < <(all_commands)
	[ $found = 1 ] || skip "no command has a columns option yet"
}

@test "completion drift: every command and every option of --list-opts completes" {
	local cmd group
	while read -r cmd; do
		group=${cmd%% *}
		run comp "$BCACHE" ""
		assert_line "$group"
		if [ "$group" != "$cmd" ]; then
			run comp "$BCACHE" "$group" ""
			assert_line "${cmd#* }"
		fi
		# shellcheck disable=SC2086
		run comp "$BCACHE" $cmd -
		# shellcheck disable=SC2086
		assert_output "$(command_options $cmd | sorted)"
	done < <(all_commands)
}

@test "completion: zsh loads the function through compinit and produces candidates" {
	command -v zsh > /dev/null || skip "zsh not installed"
	run zsh -f -c '
		fpath=("$1" $fpath)
		autoload -Uz compinit && compinit -u -D || exit 1
		print -r -- "comp=$_comps[bcache]"
		autoload +X _bcache || exit 1
		print defined
		# outside a completion widget: stand-ins for the zsh builtins
		compadd() { [[ $1 == -a ]] && print -rl -- ${(P)2} || { [[ $1 == - ]] && shift; print -rl -- "$@"; } }
		_files() { print FILES }
		compset() { return 1 }
		words=("$2" nvm ""); CURRENT=3; _bcache
		words=("$2" nvm dump -); CURRENT=4; _bcache
		BCACHE_COMPLETION_DEVICES="namespace0.0"
		words=("$2" nvm dump ""); CURRENT=4; _bcache
		words=("$2" nvm rebase --base ""); CURRENT=5; _bcache	# a one-word hint
	' zsh "$TOP/completions" "$BCACHE"
	assert_success
	assert_line live
	assert_line --index 0 comp=_bcache
	assert_line --index 1 defined
	assert_line dump
	assert_line --json
	assert_line -J
	assert_line namespace0.0
	assert_line FILES
	refute_output --partial "command not found"
}

@test "completion: zsh completes in a real line editor (zpty)" {
	command -v zsh > /dev/null || skip "zsh not installed"
	zsh -f -c 'zmodload zsh/zpty' 2> /dev/null || skip "no zsh/zpty module"
	run timeout 150 zsh -f -c '
		zmodload zsh/zpty
		zpty -b z "zsh -f -i"
		zpty -w z "PS1=\"> \"; fpath=($1 \$fpath); autoload -Uz compinit;" \
			"compinit -u -D; path=($2 \$path); print RE\"\"ADY"
		# the echo of the line (wrapped at any width) never holds READY
		zpty -r -m z out "*READY*"
		# type a line and TAB, read what the line editor echoes until it
		# shows EXPECT (the completion runs the binary: slow on a busy
		# machine or with sanitizers), at most 60 s
		complete() { # LINE EXPECT
			zpty -w -n z "$1"$'\''\t'\''
			local line out= n=0
			while (( n++ < 600 )); do
				while zpty -r -t z line; do out+=$line; done
				[[ ${out//[$'\''\r\e'\'']/} == *"$2"* ]] && break
				sleep 0.1
			done
			print -r -- "${out//[$'\''\r\e'\'']/}"
			zpty -w -n z $'\''\x15'\''
		}
		complete "bcache nvm " dump
		complete "bcache nvm dump --js" "bcache nvm dump --json"
		zpty -d z
	' zsh "$TOP/completions" "${BCACHE%/*}"
	assert_success
	assert_output --partial "bcache nvm dump"
	assert_output --partial "bcache nvm dump --json"
}

@test "completion: nvm rebase --base completes live; register its options" {
	run comp "$BCACHE" nvm rebase --base ""
	assert_output live
	run comp "$BCACHE" register --
	assert_output "$(printf '%s\n' --dry-run --force --help --json --scan | sorted)"
	run comp "$BCACHE" nvm ""
	assert_line rebase
}
