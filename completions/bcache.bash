# SPDX-License-Identifier: GPL-2.0
# bash completion for bcache(8).
#
# Nothing is hard-coded: commands, options and option values are asked from
# the binary being completed, so new commands complete without changes here:
#   bcache --list-cmds            top-level commands
#   bcache CMD --list-cmds        sub-commands (nothing for a plain command)
#   bcache CMD [SUB] --list-opts  "--name[=HINT]" per option, "@HINT" operands
#   bcache CMD [SUB] --list-columns   "NAME  description" per output column
# Device operands: /dev/pmem*, /dev/dax* and the names and nodes that
# `bcache nvm list --json` reports, plus files (image files).
# BCACHE_COMPLETION_DEVICES (whitespace-separated) replaces that discovery and
# BCACHE_COMPLETION_UUIDS the uuid discovery (tests, scripts).

_bcache_ask()
{
	"$_bcache_bin" "$@" 2>/dev/null
}

_bcache_devices()
{
	if [[ -n ${BCACHE_COMPLETION_DEVICES+set} ]]; then
		printf '%s\n' $BCACHE_COMPLETION_DEVICES
		return
	fi
	local d
	for d in /dev/pmem* /dev/dax*; do
		[[ -e $d ]] && printf '%s\n' "$d"
	done
	_bcache_ask nvm list --json |
		grep -oE '"(/dev/[^"]+|namespace[0-9]+\.[0-9]+)"' | tr -d '"'
}

_bcache_uuids()
{
	if [[ -n ${BCACHE_COMPLETION_UUIDS+set} ]]; then
		printf '%s\n' $BCACHE_COMPLETION_UUIDS
		return
	fi
	_bcache_ask nvm list --json |
		grep -oE '"set_uuid": *"[0-9a-fA-F-]{36}"' | grep -oE '[0-9a-fA-F-]{36}'
}

# _bcache_add WORDS CUR: add the words that start with CUR
_bcache_add()
{
	local IFS=$'\n'
	COMPREPLY+=($(compgen -W "$1" -- "$2"))
}

_bcache_files()
{
	local IFS=$'\n'
	compopt -o filenames 2>/dev/null
	COMPREPLY+=($(compgen -f -- "$1"))
}

# _bcache_value HINT CUR PREFIX CMD...: complete an option value or operand
_bcache_value()
{
	local hint=$1 cur=$2 prefix=$3 head= w
	shift 3
	case $hint in
	device)
		_bcache_add "$(_bcache_devices)" "$cur"
		_bcache_files "$cur"
		;;
	file)
		_bcache_files "$cur"
		;;
	uuid)
		_bcache_add "$(_bcache_uuids)" "$cur"
		;;
	command)
		_bcache_add "$(_bcache_ask --list-cmds)" "$cur"
		;;
	columns)
		# a comma-separated list, optionally starting with '+'
		[[ $cur == *,* || $cur == +* ]] && head=${cur%"${cur##*[,+]}"}
		for w in $(_bcache_ask "$@" --list-columns | awk '{ print $1 }'); do
			[[ ,${head#+} == *,$w,* ]] || COMPREPLY+=("$head$w")
		done
		_bcache_keep "$cur"
		compopt -o nospace 2>/dev/null
		;;
	none)	# free text
		;;
	?*)	# a word list: "writethrough|writeback", or one word ("live")
		_bcache_add "${hint//|/$'\n'}" "$cur"
		# "slot:" wants a number after it, not a space
		[[ ${COMPREPLY[*]} == *: || ${COMPREPLY[*]} == *:\ * ]] &&
			compopt -o nospace 2>/dev/null
		;;
	esac
	if [[ -n $prefix ]]; then
		COMPREPLY=("${COMPREPLY[@]/#/$prefix}")
	fi
}

# _bcache_keep CUR: drop the replies that do not start with CUR
_bcache_keep()
{
	local r keep=()
	for r in "${COMPREPLY[@]}"; do
		[[ $r == "$1"* ]] && keep+=("$r")
	done
	COMPREPLY=("${keep[@]}")
}

_bcache()
{
	local cword=$COMP_CWORD cur=${COMP_WORDS[COMP_CWORD]}
	local prev= i w subs= opts line hint= prefix= optname
	local cmd=() operands=0
	local _bcache_bin=${COMP_WORDS[0]}

	COMPREPLY=()
	[[ $_bcache_bin == */* && -x $_bcache_bin ]] || _bcache_bin=bcache
	((cword > 0)) && prev=${COMP_WORDS[cword - 1]}

	# The command path (CMD [SUB]) and the operands typed so far.
	for ((i = 1; i < cword; i++)); do
		w=${COMP_WORDS[i]}
		[[ $w == -* || $w == = ]] && continue
		[[ ${COMP_WORDS[i + 1]} == = || ${COMP_WORDS[i - 1]} == = ]] && continue
		if ((${#cmd[@]} == 0)); then
			cmd=("$w")
			subs=$(_bcache_ask "$w" --list-cmds)
		elif [[ -n $subs ]]; then
			cmd+=("$w")
			subs=
		else
			operands=$((operands + 1))
		fi
	done

	if ((${#cmd[@]} == 0)); then
		if [[ $cur == -* ]]; then
			_bcache_add "$(_bcache_ask --list-opts | sed 's/=.*//')" "$cur"
		else
			_bcache_add "$(_bcache_ask --list-cmds)" "$cur"
		fi
		return 0
	fi
	if [[ -n $subs ]]; then
		if [[ $cur == -* ]]; then
			_bcache_add "$(_bcache_ask "${cmd[@]}" --list-opts | sed 's/=.*//')" "$cur"
		else
			_bcache_add "$subs" "$cur"
		fi
		return 0
	fi

	opts=$(_bcache_ask "${cmd[@]}" --list-opts)

	# Which option's value is being completed: "--opt VAL", "--opt=VAL"
	# (split by COMP_WORDBREAKS into "--opt" "=" "VAL", or not).
	optname=
	if [[ $cur == = ]]; then
		optname=$prev cur=
	elif [[ $prev == = ]] && ((cword >= 2)); then
		optname=${COMP_WORDS[cword - 2]}
	elif [[ $cur == --*=* ]]; then
		optname=${cur%%=*} prefix=${cur%%=*}= cur=${cur#*=}
	elif [[ $prev == -* ]]; then
		optname=$prev
	fi
	if [[ -n $optname ]]; then
		while IFS= read -r line; do
			if [[ $line == "$optname="* ]]; then
				hint=${line#*=}
				_bcache_value "${hint:-none}" "$cur" "$prefix" "${cmd[@]}"
				return 0
			fi
		done <<<"$opts"
	fi

	hint=$(sed -n 's/^@//p' <<<"$opts")
	if [[ $cur == -* || -z $hint ]]; then
		_bcache_add "$(grep -v '^@' <<<"$opts" | sed 's/=.*//')" "$cur"
	elif [[ $hint == command ]] && ((operands == 1)); then
		# help GROUP <TAB>: the group's sub-commands
		_bcache_add "$(_bcache_ask "${COMP_WORDS[cword - 1]}" --list-cmds)" "$cur"
	elif [[ $hint != command ]] || ((operands == 0)); then
		_bcache_value "$hint" "$cur" "" "${cmd[@]}"
	fi
	return 0
}

complete -F _bcache bcache
