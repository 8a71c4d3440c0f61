#!/usr/bin/env bash
# The whole test suite: a -Werror debug build, then the same tests under ASan and
# UBSan, the threaded lint under ThreadSanitizer, then every fuzz target for a short
# fixed time. Prints "N passed, N failed".
#   scripts/test.sh            everything
#   scripts/test.sh --quick    the debug build's tests only, without the release suite
# The release suite (tests/release: the dist tarball built into the Debian package, the
# container image, the GitHub Action building unroot) runs once, in the debug build, and
# not with --quick.
set -uo pipefail
cd "$(dirname "$0")/.."
quick=0
[ "${1:-}" = "--quick" ] && quick=1

scripts/install-deps.sh --test || exit 2

# Logs go to a folder of this run, so two runs on one machine do not mix them.
logs=$(mktemp -d /tmp/unroot-test-logs-XXXXXX)
passed=0
failed=0
skipped=0

# meson test's summary lines ("Ok: N", "Fail: N", ...) added into the totals.
count() {
	local log=$1 ok fail exp unexp to sk
	ok=$(awk '/^Ok:/{print $2}' "$log" | tail -1)
	exp=$(awk '/^Expected Fail:/{print $3}' "$log" | tail -1)
	fail=$(awk '/^Fail:/{print $2}' "$log" | tail -1)
	unexp=$(awk '/^Unexpected Pass:/{print $3}' "$log" | tail -1)
	to=$(awk '/^Timeout:/{print $2}' "$log" | tail -1)
	sk=$(awk '/^Skipped:/{print $2}' "$log" | tail -1)
	passed=$((passed + ${ok:-0} + ${exp:-0}))
	failed=$((failed + ${fail:-0} + ${unexp:-0} + ${to:-0}))
	skipped=$((skipped + ${sk:-0}))
	if [ -z "$ok" ]; then failed=$((failed + 1)); fi
}

suite() {
	local name=$1 dir=$2
	shift 2
	echo "== $name"
	if [ ! -d "$dir" ]; then
		meson setup "$dir" "$@" >"$logs/setup-$name.log" 2>&1 || {
			cat "$logs/setup-$name.log"; failed=$((failed + 1)); return; }
	fi
	if ! ninja -C "$dir" >"$logs/build-$name.log" 2>&1; then
		tail -40 "$logs/build-$name.log"
		failed=$((failed + 1))
		return
	fi
	# shellcheck disable=SC2086 # $only is a list of test names, $skip_suites options; or empty
	meson test -C "$dir" --print-errorlogs --num-processes 2 ${skip_suites:-} ${only:-} \
		>"$logs/test-$name.log" 2>&1
	grep -aE '^ *[0-9]+/[0-9]+ ' "$logs/test-$name.log" | grep -vE ' OK | SKIP ' || true
	sed -n '/^Ok:/,/^Timeout:/p' "$logs/test-$name.log"
	grep -a -A30 'Summary of Failures' "$logs/test-$name.log" | head -40 || true
	count "$logs/test-$name.log"
}

if [ "$quick" = 0 ]; then
	suite debug build
else
	skip_suites="--no-suite release" suite debug build
fi
if [ "$quick" = 0 ]; then
	skip_suites="--no-suite release" suite sanitizers build-asan -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fno-sanitize-recover=all
	# The threads that lint many Dockerfiles at once, those that read an image's
	# layers while the calling thread applies them, and the webhook's (HTTP workers,
	# image scanners, the waiter that answers parked reviews, certificate reloads),
	# under ThreadSanitizer.
	only="cli-jobs cli-read-batch image-crafted serve-serve serve-images" TSAN_OPTIONS=halt_on_error=1 suite threads build-tsan \
		-Db_sanitize=thread -Db_lundef=false
	if command -v clang >/dev/null; then
		echo "== fuzz"
		if [ ! -d build-fuzz ]; then
			CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false >$logs/setup-fuzz.log 2>&1 ||
				cat $logs/setup-fuzz.log
		fi
		if ninja -C build-fuzz >$logs/build-fuzz.log 2>&1; then
			for f in build-fuzz/tests/fuzz/fuzz-*; do
				[ -f "$f" ] && [ -x "$f" ] || continue
				name=$(basename "$f")
				seeds=tests/fuzz/corpus/${name#fuzz-}
				mkdir -p "build-fuzz/corpus-$name"
				dict=tests/fuzz/${name#fuzz-}.dict
				if "$f" -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=1024 -timeout=10 \
					$( [ -f "$dict" ] && echo "-dict=$dict") \
					"build-fuzz/corpus-$name" $( [ -d "$seeds" ] && echo "$seeds") \
					>"$logs/$name.log" 2>&1; then
					echo "$name: ok ($(grep -o 'Done [0-9]* runs' "$logs/$name.log" | tail -1))"
					passed=$((passed + 1))
				else
					echo "$name: FAILED"; tail -30 "$logs/$name.log"
					failed=$((failed + 1))
				fi
			done
		else
			tail -30 $logs/build-fuzz.log
			failed=$((failed + 1))
		fi
	fi
fi

echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
