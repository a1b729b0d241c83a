#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Man pages (man/*.scd): they render without warnings, and they do not drift
# from the binary: every command has its page, every option and every JSON
# key of a command is in it, the EXIT STATUS table is README's and cmd.h's.
# The section-5 format pages are built and installed with the others.

load helpers
load cmdtable

# The built pages ($BCACHE_BUILD/man, set by tests/run), or the sources
# rendered now with scdoc when the build has none.
setup_file() {
	local dir=${BCACHE_BUILD:-$TOP/build}/man f
	if [ ! -f "$dir/bcache.8" ]; then
		command -v scdoc > /dev/null || return 0
		dir=$BATS_FILE_TMPDIR/man
		mkdir -p "$dir"
		for f in "$TOP"/man/*.8.scd; do
			sh "$TOP/man/build-page.sh" scdoc "$BCACHE" "$f" \
				"$dir/$(basename "$f" .scd)" || return 1
		done
		for f in "$TOP"/man/*.5.scd; do
			scdoc < "$f" > "$dir/$(basename "$f" .scd)" || return 1
		done
	fi
	export MANDIR=$dir
}

teardown() { loop_cleanup; }

setup() {
	[ -f "$MANDIR/bcache.8" ] || skip "no man pages built and no scdoc"
}

# render PAGE [SECTION]: plain text, wide, no hyphenation (so option names
# stay whole); each page is rendered once for the whole file
render() {
	local f=$BATS_FILE_TMPDIR/$1.${2:-8}.txt
	[ -f "$f" ] ||
		groff -t -man -Tascii -rHY=0 -rLL=300n -P-cbou "$MANDIR/$1.${2:-8}" > "$f" 2> /dev/null
	cat "$f"
}

# section TEXT HEADING: the lines of a top-level section of a rendered page
section() {
	awk -v h="$2" '/^[^ ]/ { on = ($0 == h) } on' <<< "$1"
}

# missing_words TEXT WORD...: the WORDs that do not appear literally in TEXT
# (not as part of a longer option or word), one per line
missing_words() {
	awk 'BEGIN { n = ARGC - 1; for (i = 1; i <= n; i++) w[i] = ARGV[i]; ARGC = 1 }
	{
		for (i = 1; i <= n; i++) {
			if (i in found)
				continue
			s = $0
			while ((j = index(s, w[i])) > 0) {
				b = j > 1 ? substr(s, j - 1, 1) : ""
				a = substr(s, j + length(w[i]), 1)
				if (b !~ /[-[:alnum:]_]/ && a !~ /[-[:alnum:]_]/) {
					found[i] = 1
					break
				}
				s = substr(s, j + 1)
			}
		}
	}
	END { for (i = 1; i <= n; i++) if (!(i in found)) print w[i] }' "${@:2}" <<< "$1"
}

# page_of "CMD [SUB]": the page documenting a command
page_of() { echo "bcache-${1%% *}"; }

@test "man: every page renders with man --warnings and groff -ww without a warning" {
	local f n=0 n5=0
	for f in "$MANDIR"/*.8 "$MANDIR"/*.5; do
		[ -f "$f" ] || continue
		run --separate-stderr env MANWIDTH=80 man --warnings -E UTF-8 -l "$f"
		assert_success
		[ -z "$stderr" ] || { echo "$f: $stderr"; return 1; }
		[ -n "$output" ]
		run --separate-stderr groff -t -man -ww -z "$f"
		assert_success
		[ -z "$stderr" ] || { echo "$f: $stderr"; return 1; }
		n=$((n + 1))
		[[ $f != *.5 ]] || n5=$((n5 + 1))
	done
	[ $n -ge 7 ]
	[ $n5 -eq 2 ]
}

@test "man: every page source is built (section 8 and section 5) and is ASCII" {
	local f out n=0
	for f in "$TOP"/man/*.scd; do
		out=$MANDIR/$(basename "$f" .scd)
		[ -s "$out" ] || { echo "$f: not built ($out)"; return 1; }
		if LC_ALL=C grep -n '[^[:print:][:space:]]' "$f"; then
			echo "$f: not ASCII"
			return 1
		fi
		n=$((n + 1))
	done
	[ $n -ge 9 ]
	# the format pages install into man5 like the others into man8
	grep -qF "get_option('mandir') / 'man5'" "$TOP/man/meson.build"
}

@test "man: the format pages have NAME, DESCRIPTION, HISTORY and SEE ALSO, and bcache(8) refers to them" {
	local page text
	for page in bcache-nvm-pages bcache-journal-format; do
		text=$(render $page 5)
		for s in NAME DESCRIPTION HISTORY "SEE ALSO"; do
			grep -qx "$s" <<< "$text" || { echo "$page: no $s"; return 1; }
		done
		grep -q "^ *$page - " <<< "$text" || { echo "$page: NAME line"; return 1; }
		grep -qF "$page(5)" <<< "$(section "$(render bcache)" "SEE ALSO")" ||
			{ echo "bcache(8) SEE ALSO lacks $page(5)"; return 1; }
	done
}

@test "man: every page has NAME, SYNOPSIS, DESCRIPTION, EXIT STATUS and SEE ALSO" {
	local f page text
	for f in "$MANDIR"/*.8; do
		page=$(basename "$f" .8)
		text=$(render "$page")
		for s in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" "SEE ALSO"; do
			grep -qx "$s" <<< "$text" || { echo "$page: no $s"; return 1; }
		done
		grep -q "^ *$page - " <<< "$text" || { echo "$page: NAME line"; return 1; }
	done
}

@test "man drift: every command in the table has a page, named by its --help" {
	local cmd page text
	while read -r cmd; do
		page=$(page_of "$cmd")
		[ -f "$MANDIR/$page.8" ] || { echo "no page $page.8 for '$cmd'"; return 1; }
		text=$(render "$page")
		grep -qF "bcache $cmd" <<< "$(section "$text" SYNOPSIS)" ||
			{ echo "$page(8): 'bcache $cmd' not in SYNOPSIS"; return 1; }
		# shellcheck disable=SC2086
		run bcache help $cmd
		assert_success
		assert_line "See $page(8) for details."
		grep -qF "$page(8)" <<< "$(render bcache)" ||
			{ echo "bcache(8) does not refer to $page(8)"; return 1; }
	done < <(all_commands)
}

@test "man drift: every option of every command is in its page (in its section)" {
	local cmd page text part opt missing=
	while read -r cmd; do
		page=$(page_of "$cmd")
		text=$(render "$page")
		# a group's page has one section per sub-command ("NVM DUMP")
		part=$(section "$text" "${cmd^^}")
		[ -n "$part" ] || part=$text
		# shellcheck disable=SC2086
		for opt in $(missing_words "$part" $(command_options $cmd)); do
			missing+=" $cmd:$opt"
		done
	done < <(all_commands)
	[ -z "$missing" ] || { echo "options missing from their page:$missing"; return 1; }
}

@test "man drift: every value an option completes to is in its command's page" {
	local cmd page text part line opt word missing=
	while read -r cmd; do
		page=$(page_of "$cmd")
		text=$(render "$page")
		part=$(section "$text" "${cmd^^}")
		[ -n "$part" ] || part=$text
		# word lists only ("--hex=superblock|...|slot:"), not device, uuid, ...
		while read -r line; do
			opt=${line%%=*}
			for word in $(tr '|' ' ' <<< "${line#*=}"); do
				word=${word%:}
				[ -z "$(missing_words "$part" "$word")" ] || missing+=" $cmd:$opt:$word"
			done
		done < <("$BCACHE" $cmd --list-opts | grep '^--.*=.*|')
	done < <(all_commands)
	[ -z "$missing" ] || { echo "option values missing from their page:$missing"; return 1; }
}

@test "man drift: the global options are in bcache(8) OPTIONS" {
	local text
	text=$(section "$(render bcache)" OPTIONS)
	run missing_words "$text" $(bcache --list-opts | sed 's/=.*//')
	assert_success
	assert_output ""
}

# exit_rows: "CODE meaning" per row of the EXIT STATUS table of bcache.8.scd
exit_rows_scd() {
	awk '/^# EXIT STATUS/ { on = 1; next } /^# / { on = 0 }
	     on && /^\|  [0-9]/ { code = $2 }
	     on && /^:  / && code != "" { sub(/^:  /, ""); print code " " $0; code = "" }' \
		"$TOP/man/bcache.8.scd"
}

@test "man drift: EXIT STATUS of bcache(8) is README's table and cmd.h's codes" {
	local readme scd
	readme=$(sed -n '/^### Exit status/,/^###/p' "$TOP/README.md" |
		sed -n 's/^| *\([0-9]\) *| *\(.*[^ ]\) *|$/\1 \2/p')
	scd=$(exit_rows_scd)
	[ "$(wc -l <<< "$readme")" -eq 6 ]
	[ "$readme" = "$scd" ] || { diff <(echo "$readme") <(echo "$scd"); return 1; }
	# the codes are cmd.h's enum bch_exit
	run sed -n 's/^\tBCH_EXIT_[A-Z_]* = \([0-9]\),.*/\1/p' "$TOP/cmd/cmd.h"
	assert_output "$(cut -d' ' -f1 <<< "$scd")"
	# and the rendered page shows each row
	text=$(section "$(render bcache)" "EXIT STATUS")
	while read -r code meaning; do
		grep -qF "${meaning:0:30}" <<< "$text" || { echo "row $code"; return 1; }
	done <<< "$scd"
}

@test "man drift: every problem code is in bcache(8) with its severity" {
	local text code sev msg n=0
	text=$(section "$(render bcache)" "PROBLEM CODES")
	while IFS=$'\t' read -r code sev msg; do
		grep -qE "^ *$code +$sev +" <<< "$text" ||
			{ echo "bcache(8): $code $sev"; return 1; }
		n=$((n + 1))
	done < <(bcache --list-problems)
	[ $n -gt 0 ]
	# the binary lists exactly the codes of problem.h
	[ "$n" -eq "$(grep -cE '^[[:space:]]*X\([A-Z0-9_]+,' "$TOP/include/bcache/problem.h")" ]
}

@test "man drift: every column of --list-columns is in the command's page" {
	local cmd text found=0
	while read -r cmd; do
		# shellcheck disable=SC2086
		"$BCACHE" $cmd --list-opts | grep -q '^--list-columns$' || continue
		found=1
		text=$(render "$(page_of "$cmd")")
		# shellcheck disable=SC2086
		run missing_words "$text" $("$BCACHE" $cmd --list-columns | awk '{ print $1 }')
		assert_success
		assert_output ""
	done < <(all_commands)
	[ $found = 1 ] || skip "no command lists columns yet"
}

# json_keys: every object key of a JSON document, one per line
json_keys() {
	jq -r '[paths | map(select(type == "string")) | .[]] | unique | .[]'
}

# check_keys PAGE CMD...: every key of CMD's JSON output is in PAGE
check_keys() {
	local page=$1 missing
	shift
	run --separate-stderr bcache "$@"
	[ -n "$output" ] || return 2
	render "$page" > "$BATS_TEST_TMPDIR/page.txt"
	missing=$(json_keys <<< "$output" | awk 'NR == FNR { t = t $0 "\n"; next }
		index(t, $0) == 0 { printf " %s", $0 }' "$BATS_TEST_TMPDIR/page.txt" -)
	[ -z "$missing" ] || { echo "$page(8) lacks JSON keys of '$*':$missing"; return 1; }
}

@test "man drift: every JSON key a command prints is in its page" {
	local img rc jns jcache
	img=$(mkimg ns.img 64M)
	bcache make -M "$img" --set-uuid $SET_UUID --uuid $NS_UUID > /dev/null
	check_keys bcache-make make -M "$(mkimg other.img 64M)" --dry-run --json
	check_keys bcache-nvm nvm dump --json "$img"
	# the nvmpg (v13) field names
	bcache make -M "$img" --force --revision v13 --set-uuid $SET_UUID --uuid $NS_UUID > /dev/null
	check_keys bcache-nvm nvm dump --json "$img"
	# the journal, when this build has the test-only journal writer
	if [ -x "$(dirname "$BCACHE")/../tests/tools/journal-gen" ]; then
		jns=$(mkimg jns.img 1G)
		jcache=$(mkimg jcache.img 16G)
		bcache make -M "$jns" -C "$jcache" --block 4k > /dev/null
		"$(dirname "$BCACHE")/../tests/tools/journal-gen" "$jns" "$jcache" \
			--stride bytes --jsets 5 > /dev/null
		check_keys bcache-journal journal show --all --json "$jns" -C "$jcache"
		check_keys bcache-journal journal show --map --json "$jns" -C "$jcache"
		check_keys bcache-nvm nvm map --json "$jns"
		check_keys bcache-show show --json "$jcache"
		# a journal repair that copies jsets: every member of its document
		jns=$(mkimg rns.img 64M)
		jcache=$(mkimg rcache.img 1G)
		bcache make -M "$jns" -C "$jcache" --block 4k > /dev/null
		"$(dirname "$BCACHE")/../tests/tools/journal-gen" "$jns" "$jcache" \
			--stride bytes --jsets 130 --lag 5 > /dev/null
		check_keys bcache-journal journal repair --dry-run --json "$jns" -C "$jcache"
	fi
	# commands that may not exist on this branch yet: checked when they do
	for c in "nvm check" "nvm list" show "journal show"; do
		all_commands | grep -qx "$c" || continue
		rc=0
		# shellcheck disable=SC2086
		check_keys "$(page_of "$c")" $c --json $( [ "$c" = "nvm list" ] || echo "$img") || rc=$?
		if [ $rc -eq 1 ]; then
			return 1
		fi
	done
	# nvm rebase (an attached image) and register (an image is refused)
	if [ -x "$(dirname "$BCACHE")/../tests/tools/nvm-gen" ]; then
		"$(dirname "$BCACHE")/../tests/tools/nvm-gen" "$img" attach 0xffff888100000000
		check_keys bcache-nvm nvm rebase --dry-run --json "$img" --base 0xff20e63b00200000
	fi
	check_keys bcache-register register --dry-run --json "$img"
	# make -C/-B, show's list and tree (their JSON has every key even when
	# there are no rows only when there are: a cache and backing image)
	check_keys bcache-make make -C "$(mkimg c.img 256M)" -B "$(mkimg b.img 64M)" -n --json
	check_keys bcache-version version --json
	if [ "$(id -u)" -eq 0 ]; then
		local c b
		c=$(loop_attach "$(mkimg lc.img 256M)")
		b=$(loop_attach "$(mkimg lb.img 64M)")
		bcache make -C "$c" -B "$b" > /dev/null
		check_keys bcache-show show -m --json
	fi
}
