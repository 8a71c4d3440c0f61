#!/usr/bin/env bash
# Fix speed: `unroot fix --diff` on the 1,000-Dockerfile set of bench/dockerfile.sh against
# `unroot lint` on the same files, timed in turns in the same run. Prints both and the
# ratio (goal: fix at most 1.5x lint).
#
#   bench/fix.sh
. "$(dirname "$0")/lib.sh"
UNROOT=$(unroot_bin) || { echo "cannot build unroot"; exit 2; }
work=$(mktemp -d /tmp/unroot-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

dockerfile_set "$work/files" || exit 2
echo "inputs: 1000 Dockerfiles from $DOCKERFILE_SOURCES corpus files"
sync
cd "$work" || exit 2

lint=(lint --no-config -q --fail-on none files)
fix=(fix --no-config -q --fail-on none files)
"$UNROOT" "${lint[@]}" >/dev/null 2>&1 # warm-up, untimed
"$UNROOT" "${fix[@]}" >"$work/fix.diff" 2>/dev/null
echo "the diff: $(grep -c '^@@' "$work/fix.diff") hunks in $(grep -c '^+++ ' "$work/fix.diff") files"

# in turns, so that both see the same stretch of the host's load
: >"$work/lint.us"
: >"$work/fix.us"
for round in 1 2 3; do
	samples_us 5 "$UNROOT" "${lint[@]}" >>"$work/lint.us"
	samples_us 5 "$UNROOT" "${fix[@]}" >>"$work/fix.us"
done
l=$(median_ms_of <"$work/lint.us")
f=$(median_ms_of <"$work/fix.us")
echo "unroot lint      1000 files: ${l} ms (median of 15)"
echo "unroot fix --diff 1000 files: ${f} ms (median of 15)"
echo "ratio: fix takes $(awk -v a="$f" -v b="$l" 'BEGIN { printf "%.2f", a / b }')x lint's time (goal: at most 1.5x)"
