#!/usr/bin/env bash
# Installs the npm tools the output-format tests validate with, into tests/.tools/output
# (never globally): Microsoft's SARIF validator, which also ships the official
# sarif-2.1.0 schema, and ajv to check reports against that schema.
# Does nothing when they are already there. Fails (the tests then skip) when npm cannot.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=tests/.tools/output
need=0
[ -e "$dir/node_modules/.bin/sarif-multitool" ] || need=1
[ -e "$dir/node_modules/ajv/package.json" ] || need=1
[ -e "$dir/node_modules/ajv-formats/package.json" ] || need=1
[ "$need" = 0 ] && exit 0
command -v npm >/dev/null || { echo "install-tools-output: npm is missing" >&2; exit 1; }
mkdir -p "$dir"
[ -f "$dir/package.json" ] || echo '{"name":"unroot-output-tools","private":true}' >"$dir/package.json"
echo "installing npm tools into $dir"
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
	@microsoft/sarif-multitool ajv ajv-formats >/dev/null
