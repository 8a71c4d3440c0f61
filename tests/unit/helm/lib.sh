# Shared by the Helm shell tests: findings as "PATH:LINE CODE" lines.
set -uo pipefail
: "${UNROOT:?}" "${UNROOT_SRC:?}"
export NO_COLOR=1
fails=0
passes=0

# findings ARGS...: unroot's text output reduced to "path:line CODE", sorted.
findings() {
	"$UNROOT" lint --no-config -q "$@" 2>/dev/null |
		sed -n 's/^\([^ ]*\):\([0-9]*\):[0-9]*: [a-z]*: .*\[\(NR[0-9]*\) [a-z-]*\]$/\1:\2 \3/p' | sort
}

# expect NAME WANT GOT: compares two finding lists.
expect() {
	local want got
	want=$(echo "$2" | sort)
	got=$(echo "$3" | sort)
	if [ "$want" = "$got" ]; then
		passes=$((passes + 1))
		echo "ok - $1"
	else
		fails=$((fails + 1))
		echo "FAIL - $1"
		diff <(echo "$want") <(echo "$got") | sed 's/^/    /'
	fi
}

# only CODE... : keeps the lines of these rules.
only() {
	local re
	re=$(printf '%s|' "$@")
	grep -E " (${re%|})$" | grep -v test-connection || true
}

finish() {
	echo "$passes passed, $fails failed"
	[ "$fails" -eq 0 ]
}
