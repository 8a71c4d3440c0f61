#!/usr/bin/env bash
# NR301's and NR302's edits, proven with a real helm binary (edits.py says what is checked).
# Skips (77) only when helm cannot be installed.
set -uo pipefail
: "${UNROOT:?}" "${UNROOT_SRC:?}"
if ! bash "$UNROOT_SRC/scripts/install-tools-helm.sh" >/dev/null 2>&1; then
	echo "helm cannot be installed here"
	exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export HOME=$T/home XDG_CACHE_HOME=$T/cache XDG_CONFIG_HOME=$T/config XDG_DATA_HOME=$T/data
exec python3 "$(dirname "$0")/edits.py" "$UNROOT" "$UNROOT_SRC/tests/.tools/helm/helm"
