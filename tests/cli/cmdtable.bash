# SPDX-License-Identifier: GPL-2.0
# The command table as the binary reports it (--list-cmds, --list-opts), for
# the completion and man-page drift tests.

# all_commands: every runnable command path, one per line ("make",
# "nvm dump", ...), recursing into groups
all_commands() {
	local c s subs
	for c in $("$BCACHE" --list-cmds); do
		subs=$("$BCACHE" "$c" --list-cmds)
		if [ -z "$subs" ]; then
			echo "$c"
			continue
		fi
		for s in $subs; do
			echo "$c $s"
		done
	done
}

# command_options CMD...: the options of a command, one per line, without
# their "=HINT" (long and short)
command_options() {
	"$BCACHE" "$@" --list-opts | grep -v '^@' | sed 's/=.*//'
}
