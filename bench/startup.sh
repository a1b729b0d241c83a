#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/startup.sh BUILDDIR [OTHER_BUILDDIR]: how long `bcache version`
# takes to start against /bin/true (hyperfine, no shell), and which shared
# libraries it loads.  With a second build directory (e.g. one of an older
# commit) both binaries are measured in the same runs.  Not a test.
set -euo pipefail
bins=("$1/cmd/bcache")
[ $# -lt 2 ] || bins+=("$2/cmd/bcache")
runs=()
for b in "${bins[@]}"; do
	echo "$b loads:" $(LD_DEBUG=libs "$b" version 2>&1 >/dev/null |
		sed -n 's,.*calling init: .*/,,p' | sort)
	runs+=("$b version")
done
hyperfine -N -w 100 -r 2000 "${runs[@]}" /bin/true
