#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM tier's guest (chrooted into the host's /, see init):
# make the namespaces, run tests/vm/*.bats, leave the results in
# $BCACHE_VM_RESULTS (tap, plan-ok, host-checks, log).
set -u
R=$BCACHE_VM_RESULTS
cd "$BCACHE_TOP" || exit 1
up() { cut -d' ' -f1 /proc/uptime; }

# One namespace of each mode on the 160 MiB region (labels: -l 128K).
# Sizes are multiples of the 16 MiB region alignment; small, because every
# byte read under TCG costs (sha256 of 64 MiB: about 5 s).
setup_namespaces() {
	ndctl disable-region all &&
	ndctl init-labels all &&
	ndctl enable-region all &&
	ndctl create-namespace -r region0 -m raw -s 32M &&
	ndctl create-namespace -r region0 -m fsdax -s 32M &&
	ndctl create-namespace -r region0 -m devdax -s 32M -a 2M &&
	ndctl create-namespace -r region0 -m sector -s 32M
} > "$R/ndctl.log" 2>&1

echo "guest: setting up namespaces at $(up)"
if ! setup_namespaces; then
	echo "guest: namespace setup failed:"
	cat "$R/ndctl.log"
fi
ndctl list -N
echo "guest: bats at $(up)"
export BCACHE BCACHE_VM_RESULTS
: > "$R/host-checks"
# bats' own stream ("suite FILE", "begin N NAME", then the TAP line) goes
# to the host line by line over the console as it happens, so a run cut
# short still says which test was running; $R/tap keeps the TAP.
bats --formatter cat --timing tests/vm/*.bats 2>"$R/bats.err" |
	while IFS= read -r line; do
		printf 'BCACHEVM-TAP %s\n' "$line" > /dev/console
		case $line in
		"suite "* | "begin "*) ;;
		*) printf '%s\n' "$line" >> "$R/tap" ;;
		esac
	done
echo "guest: bats exit ${PIPESTATUS[0]} at $(up)"
"$BCACHE" nvm list
plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$R/tap" | head -n1)
ran=$(grep -cE '^(not )?ok [0-9]+' "$R/tap")
[ -n "$plan" ] && [ "$plan" = "$ran" ] && echo "$plan" > "$R/plan-ok"
exit 0
