# lib.sh - timing helpers for the benchmarks: the median wall time of N runs, in ms.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
TOOLS="$HERE/.tools"
CORPUS=${UNROOT_CORPUS:-$ROOT/../shared/corpus}

# The release binary, built if needed.
unroot_bin() {
	if [ ! -x "$ROOT/build-release/unroot" ]; then
		(cd "$ROOT" && { [ -d build-release ] || meson setup build-release --buildtype=release -Dtests=false >/dev/null; } &&
			ninja -C build-release >/dev/null) || return 1
	fi
	echo "$ROOT/build-release/unroot"
}

# samples_us RUNS COMMAND... : runs COMMAND (output discarded) RUNS times and prints the
# wall time of each run in microseconds, one a line. The clock is bash's EPOCHREALTIME,
# read without starting a process: `date` would add two process starts to every sample,
# more than a one-file lint.
samples_us() {
	local runs=$1
	shift
	[ -n "${EPOCHREALTIME:-}" ] || { echo "the benchmarks need bash 5 (EPOCHREALTIME)" >&2; exit 2; }
	local i s e
	for ((i = 0; i < runs; i++)); do
		s=${EPOCHREALTIME/[.,]/}
		"$@" >/dev/null 2>&1
		e=${EPOCHREALTIME/[.,]/}
		echo $((10#$e - 10#$s))
	done
}

# median_ms_of : the median of the microsecond samples on stdin, in ms.
median_ms_of() {
	sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", a[int((NR + 1) / 2)] / 1000 }'
}

# median_ms RUNS COMMAND... : the median wall time of RUNS runs of COMMAND, in ms.
median_ms() {
	local runs=$1
	shift
	samples_us "$runs" "$@" | median_ms_of
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

# image_layers: the large image that bench/image.sh and bench/simulate.sh share, made once by
# gen-image.py in BENCH_DIR (default /tmp/unroot-bench; BENCH_MB sets its size in MB of tar,
# default 220; BENCH_ROOTFS takes its files from a root filesystem). Prints the folder.
image_layers() {
	local work=${BENCH_DIR:-/tmp/unroot-bench}
	if [ ! -f "$work/layers.txt" ]; then
		rm -rf "$work"
		# shellcheck disable=SC2086 # BENCH_ROOTFS is one optional argument
		python3 "$HERE/gen-image.py" "$work" "${BENCH_MB:-220}" 4 ${BENCH_ROOTFS:-} >&2 || return 1
	fi
	echo "$work"
}

# The 1,000-Dockerfile set: the corpus's Linux Dockerfiles copied in turn into DIR as
# 0.Dockerfile .. 999.Dockerfile. Sets DOCKERFILE_SOURCES to how many corpus files it used.
dockerfile_set() {
	local dir=$1 f i
	local srcs=()
	for f in "$CORPUS"/dockerfiles/*Dockerfile* "$CORPUS"/dockerfiles/*.Dockerfile; do
		[ -f "$f" ] || continue
		case "$f" in *windows* | *nanoserver* | *windowsservercore*) continue ;; esac
		srcs+=("$f")
	done
	[ ${#srcs[@]} -gt 0 ] || { echo "no corpus at $CORPUS"; return 2; }
	mkdir -p "$dir"
	for i in $(seq 0 999); do
		cp "${srcs[$((i % ${#srcs[@]}))]}" "$dir/$i.Dockerfile"
	done
	DOCKERFILE_SOURCES=${#srcs[@]}
}
