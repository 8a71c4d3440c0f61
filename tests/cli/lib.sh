# lib.sh - helpers for the CLI tests: a scratch folder, and checks that count.
set -u
: "${UNROOT:?UNROOT must name the built binary}"
T=$(mktemp -d /tmp/unroot-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2
pass=0
fail=0

# ok NAME COMMAND... : the command must succeed.
ok() {
	local name=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name"
	fi
}

# status WANT NAME ARGS... : unroot ARGS must exit with WANT; output lands in out/err.
status() {
	local want=$1 name=$2
	shift 2
	"$UNROOT" "$@" >out 2>err
	local got=$?
	if [ "$got" = "$want" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name: exit $got, want $want"
		head -5 out err
	fi
}

# has FILE TEXT : FILE holds TEXT.
has() { grep -qF -- "$2" "$1"; }
hasnt() { ! grep -qF -- "$2" "$1"; }

finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
}
