#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# build-page.sh SCDOC TABLES IN.scd OUT.8
#
# Renders one scdoc page.  Lists the binary can print are not written by
# hand: a line "@PROBLEMS@" becomes the table of problem codes
# (TABLES --list-problems) and "@COLUMNS CMD [SUB]@" the column catalogue of
# that command (TABLES CMD [SUB] --list-columns).  TABLES is bcache-tables
# (man/meson.build) or the bcache binary itself, which print the same; when
# it is empty (a cross build that can run neither), the page names the
# command that prints the list instead.
set -eu
scdoc=$1 bcache=$2 in=$3 out=$4
tmp=$out.tmp

# scdoc table rows; '_' and '*' in the texts are escaped
esc() { sed 's/[\\_*]/\\&/g'; }

problems() {
	if [ -z "$bcache" ]; then
		printf '*bcache --list-problems* prints the problem codes, their severities and meanings.\n'
		return
	fi
	printf '|[ *code*\n:[ *severity*\n:< *meaning*\n'
	"$bcache" --list-problems | esc |
		awk -F '\t' '{ printf "|  %s\n:  %s\n:  %s\n", $1, $2, $3 }'
}

columns() {
	list=
	[ -z "$bcache" ] || list=$("$bcache" "$@" --list-columns 2>/dev/null | esc) || list=
	if [ -z "$list" ]; then
		printf '*bcache %s --list-columns* prints the columns.\n' "$*"
		return
	fi
	printf '|[ *column*\n:< *meaning*\n'
	printf '%s\n' "$list" | awk '{ n = $1; $1 = ""; sub(/^ +/, "");
		printf "|  %s\n:  %s\n", n, $0 }'
}

while IFS= read -r line; do
	case $line in
	@PROBLEMS@)
		problems ;;
	@COLUMNS\ *@)
		args=${line#@COLUMNS }
		columns ${args%@} ;;
	*)
		printf '%s\n' "$line" ;;
	esac
done < "$in" > "$tmp"
# never leave a partial page behind
trap 'rm -f "$tmp" "$tmp.8"' EXIT
"$scdoc" < "$tmp" > "$tmp.8"
mv "$tmp.8" "$out"
