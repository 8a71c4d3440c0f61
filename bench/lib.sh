# lib.sh - timing helpers for the benchmarks: the median wall time of N runs, in ms.
set -u
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
TOOLS="$BENCH_DIR/.tools"
CORPUS=${UNROOT_CORPUS:-$ROOT/../shared/corpus}

# The release binary, built if needed.
unroot_bin() {
	if [ ! -x "$ROOT/build-release/unroot" ]; then
		(cd "$ROOT" && { [ -d build-release ] || meson setup build-release --buildtype=release -Dtests=false >/dev/null; } &&
			ninja -C build-release >/dev/null) || return 1
	fi
	echo "$ROOT/build-release/unroot"
}

# median_ms RUNS COMMAND... : runs COMMAND (output discarded) RUNS times.
# The clock is bash's EPOCHREALTIME, read without starting a process: `date`
# would add two process starts to every sample, more than a one-file lint.
median_ms() {
	local runs=$1
	shift
	[ -n "${EPOCHREALTIME:-}" ] || { echo "the benchmarks need bash 5 (EPOCHREALTIME)" >&2; exit 2; }
	local times=() i s e
	for ((i = 0; i < runs; i++)); do
		s=${EPOCHREALTIME/[.,]/}
		"$@" >/dev/null 2>&1
		e=${EPOCHREALTIME/[.,]/}
		times+=($((10#$e - 10#$s)))
	done
	local sorted
	sorted=$(printf '%s\n' "${times[@]}" | sort -n)
	local mid
	mid=$(echo "$sorted" | sed -n "$(((runs + 1) / 2))p")
	awk -v us="$mid" 'BEGIN { printf "%.2f", us / 1000 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "inf" }'; }

# npm_tool DIR PACKAGE... : installs npm packages into $TOOLS/DIR once (DIR names the first).
npm_tool() {
	local dir=$TOOLS/$1
	shift
	if [ ! -d "$dir/node_modules/${1%@*}" ]; then
		mkdir -p "$dir"
		# Without its own package.json, npm would install into a parent folder's.
		[ -f "$dir/package.json" ] || echo '{"private": true}' >"$dir/package.json"
		(cd "$dir" && npm install --silent --no-audit --no-fund "$@" >/dev/null 2>&1) || return 1
	fi
	echo "$dir"
}
