#!/usr/bin/env bash
# Regenerates the golden files from the freshly built unroot, then shows the diff.
# Read every hunk before committing: a golden file changes only when the output should.
#   tests/golden/update.sh [BUILD_DIR]      (default: build)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
ninja -C "$build" unroot tests/golden/golden-synth >/dev/null
unroot=$PWD/$build/unroot
synth=$PWD/$build/tests/golden/golden-synth
source tests/golden/cases.sh
mkdir -p tests/golden/synth tests/golden/cli
for f in "${synth_formats[@]}"; do
	"$synth" "$f" >"tests/golden/synth/$f.out"
done
: >tests/golden/cli/status
for f in "${formats[@]}"; do
	rc=0
	(cd tests/golden/inputs && NO_COLOR=1 "$unroot" lint --no-config --base-dir . -f "$f" "${cli_inputs[@]}" \
		>"../cli/$f.out" 2>/dev/null) || rc=$?
	echo "$f $rc" >>tests/golden/cli/status
done
rc=0
(cd tests/golden/inputs && NO_COLOR=1 "$unroot" simulate "${sim_args[@]}" \
	>../cli/simulate-json.out 2>/dev/null) || rc=$?
echo "simulate-json $rc" >>tests/golden/cli/status
git --no-pager diff --stat -- tests/golden
