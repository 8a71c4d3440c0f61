#!/usr/bin/env bash
# Dockerfile speed: the corpus's Linux Dockerfiles copied to 1,000 files, linted in one
# process by unroot and, in the same run, by the npm dockerfilelint; then one small
# Dockerfile, start-up included. Prints the times and the ratio.
#
#   bench/dockerfile.sh [BASELINE]
#
# BASELINE, another unroot binary (a build of an older commit), is timed in the same turns
# as this one, so that both see the same stretch of the host's load, and the ratio of the
# two is printed.
. "$(dirname "$0")/lib.sh"
UNROOT=$(unroot_bin) || { echo "cannot build unroot"; exit 2; }
BASELINE=${1:-}
if [ -n "$BASELINE" ] && ! [ -x "$BASELINE" ]; then
	echo "no unroot binary at $BASELINE"
	exit 2
fi
work=$(mktemp -d /tmp/unroot-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

dockerfile_set "$work/files" || exit 2
bytes=$(cat "$work"/files/* | wc -c)
echo "inputs: 1000 Dockerfiles ($((bytes / 1024)) KiB) from $DOCKERFILE_SOURCES corpus files"
# The copies go to disk before anything is timed: the kernel writing back 4 MB of fresh
# files took CPU from whichever tool ran first (the first runs took 10-15 ms longer).
sync

"$UNROOT" lint --no-config -q --fail-on none "$work/files" >/dev/null 2>&1 # warm-up, untimed
[ -z "$BASELINE" ] || "$BASELINE" lint --no-config -q --fail-on none "$work/files" >/dev/null 2>&1
peer_cmd=()
if dir=$(npm_tool dockerfilelint dockerfilelint@1.8.0) &&
	node "$dir/node_modules/dockerfilelint/bin/dockerfilelint" "$work/files/0.Dockerfile" >/dev/null 2>&1
	[ $? -le 1 ]; then
	# (the check above was its warm-up)
	peer_cmd=(node "$dir/node_modules/dockerfilelint/bin/dockerfilelint" "$work"/files/*)
fi

# The tools take turns (one dockerfilelint run, then five of unroot, and five of the
# baseline, three times), so that all are timed over the same stretch of the host's load:
# on a shared virtual machine the load moved each tool by a quarter from one minute to the
# next, and timed one after the other they were not moved in step.
: >"$work/unroot.us"
: >"$work/peer.us"
: >"$work/base.us"
for round in 1 2 3; do
	[ ${#peer_cmd[@]} -eq 0 ] || samples_us 1 "${peer_cmd[@]}" >>"$work/peer.us"
	samples_us 5 "$UNROOT" lint --no-config -q --fail-on none "$work/files" >>"$work/unroot.us"
	[ -z "$BASELINE" ] ||
		samples_us 5 "$BASELINE" lint --no-config -q --fail-on none "$work/files" >>"$work/base.us"
done
u=$(median_ms_of <"$work/unroot.us")
echo "unroot          1000 files, one process: ${u} ms (median of 15)"
if [ -n "$BASELINE" ]; then
	base=$(median_ms_of <"$work/base.us")
	echo "baseline        1000 files, one process: ${base} ms (median of 15, $BASELINE)"
	echo "unroot takes $(ratio "$u" "$base")x the baseline's time"
fi
if [ ${#peer_cmd[@]} -gt 0 ]; then
	peer=$(median_ms_of <"$work/peer.us")
	echo "dockerfilelint  1000 files, one process: ${peer} ms (median of 3)"
	echo "ratio: unroot is $(ratio "$peer" "$u")x faster than dockerfilelint (goal: at least 30x)"
else
	echo "dockerfilelint could not be installed; no ratio"
fi

printf 'FROM alpine:3.20\nCOPY --chown=1001:0 app /app\nRUN chmod -R g=u /app\nUSER 1001:0\nENTRYPOINT ["/app/run"]\n' >"$work/Dockerfile"
one=$(median_ms 51 "$UNROOT" lint --no-config -q "$work/Dockerfile")
floor=$(median_ms 51 /bin/true)
echo "unroot          one small Dockerfile, start-up included: ${one} ms (goal: under 5 ms)"
echo "/bin/true       the cost of starting any process here: ${floor} ms"
