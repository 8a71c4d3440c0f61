#!/usr/bin/env bash
# Installs the npm tools the output-format tests validate with, into tests/.tools/output
# (never globally): Microsoft's SARIF validator, which also ships the official
# sarif-2.1.0 schema, and ajv to check reports against that schema.
# Does nothing when they are already there.
#   scripts/install-tools-output.sh           warns and exits 0 when npm cannot install them
#                                             (scripts/install-deps.sh --test goes on)
#   scripts/install-tools-output.sh --strict  exits 1 then (the tests skip with 77)
set -uo pipefail
strict=0
[ "${1:-}" = "--strict" ] && strict=1
cd "$(dirname "$0")/.."
give_up() {
	echo "install-tools-output: $1; the SARIF validation tests will be skipped" >&2
	exit "$strict"
}
dir=tests/.tools/output
need=0
[ -e "$dir/node_modules/.bin/sarif-multitool" ] || need=1
[ -x "$dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool" ] || need=1
[ -e "$dir/node_modules/ajv/package.json" ] || need=1
[ -e "$dir/node_modules/ajv-formats/package.json" ] || need=1
[ "$need" = 0 ] && exit 0
command -v npm >/dev/null || give_up "npm is missing"
mkdir -p "$dir" || give_up "cannot create $dir"
[ -f "$dir/package.json" ] || echo '{"name":"unroot-output-tools","private":true}' >"$dir/package.json"
echo "installing npm tools into $dir"
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
	@microsoft/sarif-multitool ajv ajv-formats >/dev/null || give_up "npm install failed"
