#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The repository stands alone: nothing in it cites documents outside it,
# every citation of a man page section names a section that exists, and the
# version, NEWS and licence files agree.

load helpers

# The patterns are assembled at run time so that this file does not match
# them itself.
outside_patterns() {
	local dot=. md=.md
	printf '%s\n' \
		"\\$dot\\$dot/shared" \
		"shared/(spec|design|tools)/" \
		"nvm-pages-format\\$md" \
		"journal-format\\$md" \
		"architecture\\$md"
}

# tree_files DIR: the files of the project tree at DIR, NUL-separated: the
# tracked files in a git checkout, else every file outside .git and build
# directories (a release tarball)
tree_files() {
	local dir=$1 top
	top=$(git -C "$dir" rev-parse --show-toplevel 2> /dev/null) || top=
	if [ -n "$top" ] && [ "$(realpath "$top")" = "$(realpath "$dir")" ]; then
		git -C "$dir" ls-files -z
	else
		(cd "$dir" && find . -type d \( -path ./.git -o -path './build*' \
			-o -path ./subprojects \) -prune -o -type f -print0)
	fi
}

# scan DIR: print "N files" and then every line citing an outside document
scan() {
	local dir=$1 n pats
	pats=$(outside_patterns | paste -sd '|')
	n=$(tree_files "$dir" | tr -cd '\0' | wc -c)
	echo "$n files"
	(cd "$dir" && tree_files . | xargs -0 -r grep -InE -- "$pats") || true
}

@test "standalone: no file of the tree cites documents outside the tree" {
	run scan "$TOP"
	assert_success
	# it really scanned the tree: many files, the ones that used to cite
	local n=${lines[0]%% *}
	[ "$n" -ge 80 ] || { echo "only $n files scanned"; return 1; }
	local list
	list=$(tree_files "$TOP" | tr '\0' '\n' | sed 's|^\./||')
	for f in README.md include/uapi/linux/bcache-nvm.h lib/nvm-walk.c \
		man/bcache-nvm-pages.5.scd tests/cli/standalone.bats; do
		grep -qx -- "$f" <<< "$list" || { echo "$f not scanned"; return 1; }
	done
	run scan "$TOP"
	[ "${#lines[@]}" -eq 1 ] || { printf '%s\n' "${lines[@]:1}"; return 1; }
}

@test "standalone: the scan finds each outside reference (in a tree copy with planted hits)" {
	local d=$BATS_TEST_TMPDIR/tree pat i=0
	mkdir -p "$d/lib" "$d/man"
	echo clean > "$d/README.md"
	printf '/* see %s */\n' "../sha""red/spec/README.md" > "$d/lib/a.c"
	printf '# %s 9\n' "nvm-pages-""format.md" > "$d/lib/b.sh"
	printf '%s 10.2\n' "journal-""format.md" > "$d/man/c.scd"
	printf 'See %s\n' "architecture"".md" > "$d/d.md"
	printf '%s\n' "/work/sha""red/design/x" > "$d/e.txt"
	run scan "$d"
	assert_success
	assert_line --index 0 "6 files"
	[ "${#lines[@]}" -eq 6 ] || { printf '%s\n' "${lines[@]}"; return 1; }
	for f in lib/a.c lib/b.sh man/c.scd d.md e.txt; do
		assert_line --partial "$f:1:"
	done
	refute_line --regexp '^(\./)?README\.md:'
}

# citations: "PAGE SECTION SECTIONNAME" for every citation of the form
# "bcache-xxx(N), SECTION NAME" in the tree (comments may wrap the line)
citations() {
	(cd "$TOP" && tree_files . | xargs -0 perl -0777 -ne '
		s/\n[ \t]*(?:\*(?!\S*\*\()|#|\/\/|;)?[ \t]*/ /g;
		while (/\*?(bcache(?:-[a-z]+(?:-[a-z]+)*)?)\*?\(([58])\), +([A-Z][A-Z0-9]*(?: [A-Z][A-Z0-9]*)*)\b/g) {
			print "$1 $2 $3\n";
		}')
}

@test "standalone: every cited man page section exists (bcache-nvm-pages(5), WALK)" {
	local page sec name n=0 n5=0 bad=
	while read -r page sec name; do
		[ -f "$TOP/man/$page.$sec.scd" ] || { bad+=" $page($sec)"; continue; }
		grep -qx "# $name" "$TOP/man/$page.$sec.scd" ||
			bad+=" $page($sec),$name"
		n=$((n + 1))
		[ "$sec" != 5 ] || n5=$((n5 + 1))
	done < <(citations | sort -u)
	[ -z "$bad" ] || { echo "no such section:$bad"; return 1; }
	[ "$n5" -ge 15 ] || { echo "only $n5 distinct format page citations"; return 1; }
}

@test "standalone: the format pages refer to their own sections and to real problem codes" {
	local page f ref codes bad= n=0
	codes=$(bcache --list-problems | cut -f1)
	[ -n "$codes" ]
	for page in bcache-nvm-pages bcache-journal-format; do
		f=$TOP/man/$page.5.scd
		# *SECTION NAME* in bold is a reference to a section of the page,
		# except the state names
		while read -r ref; do
			case $ref in FRESH | ATTACHED) continue ;; esac
			grep -qx "# $ref" "$f" || bad+=" $page:$ref"
			n=$((n + 1))
		done < <(grep -oE '\*[A-Z][A-Z ]{2,}[A-Z]\*' "$f" | tr -d '*' | sort -u)
		# *CODE_NAME* in the CHECKS section is a problem code of the binary
		while read -r ref; do
			grep -qx "$ref" <<< "$codes" || bad+=" $page:$ref"
		done < <(awk '/^# / { on = ($0 == "# CHECKS") } on' "$f" |
			grep -oE '\*[A-Z0-9]+(_[A-Z0-9]+)+\*' | tr -d '*' | sort -u)
	done
	[ -z "$bad" ] || { echo "unknown:$bad"; return 1; }
	[ "$n" -ge 20 ]
}

@test "standalone: meson's version is what bcache version prints and NEWS's newest release" {
	local meson news
	meson=$(sed -n "s/^  version : '\([^']*\)',$/\1/p" "$TOP/meson.build")
	[ -n "$meson" ]
	run bcache version
	assert_success
	assert_output "bcache-nvm-tools $meson"
	# NEWS: an "Unreleased" section first, then the releases, newest first
	run grep -nE '^(Unreleased|[0-9]+\.[0-9]+\.[0-9]+ \([0-9]{4}-[0-9]{2}-[0-9]{2}\))$' "$TOP/NEWS"
	assert_success
	assert_line --index 0 --regexp '^[0-9]+:Unreleased$'
	news=${lines[1]#*:}
	assert_equal "${news%% *}" "$meson"
}

@test "standalone: the licence texts are in the tree and every SPDX line names one" {
	grep -q 'GNU GENERAL PUBLIC LICENSE' "$TOP/LICENSES/GPL-2.0"
	grep -q 'Version 2, June 1991' "$TOP/LICENSES/GPL-2.0"
	grep -q '^SPDX-Exception-Identifier: Linux-syscall-note$' "$TOP/LICENSES/Linux-syscall-note"
	grep -q 'LICENSES/GPL-2.0' "$TOP/LICENSE"
	grep -q 'LICENSES/Linux-syscall-note' "$TOP/LICENSE"
	local f id n=0 bad=
	while IFS= read -r f; do
		[[ $f != LICENSES/* ]] || continue
		id=$(sed -n 's/.*SPDX-License-Identifier: \(.*[^ */]\)[ */]*$/\1/p' "$TOP/$f" | head -1)
		[ -n "$id" ] || continue
		n=$((n + 1))
		case $f:$id in
		include/uapi/linux/*:"GPL-2.0 WITH Linux-syscall-note") ;;
		include/uapi/linux/*:*) bad+=" $f($id)" ;;
		*:GPL-2.0) ;;
		*) bad+=" $f($id)" ;;
		esac
	done < <(cd "$TOP" && tree_files . | tr '\0' '\n' | sed 's|^\./||')
	[ -z "$bad" ] || { echo "unexpected SPDX:$bad"; return 1; }
	[ "$n" -ge 80 ]
	# the uapi headers carry the exception
	for f in "$TOP"/include/uapi/linux/*.h; do
		grep -q 'SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note' "$f"
	done
}

@test "standalone: every BATS suite is registered with meson (none is silently left out)" {
	local f name n=0 missing=
	for f in "$TOP"/tests/cli/*.bats; do
		name=$(basename "$f" .bats)
		n=$((n + 1))
		grep -q "^  '$name',\$" "$TOP/tests/cli/meson.build" || missing+=" $name"
	done
	[ "$n" -ge 10 ]
	[ -z "$missing" ] || { echo "not in tests/cli/meson.build:$missing"; return 1; }
}
