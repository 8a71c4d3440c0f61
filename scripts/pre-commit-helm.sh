#!/usr/bin/env bash
# The unroot-helm pre-commit hook (.pre-commit-hooks.yaml): lints each Helm chart that
# holds one of the changed files, once. A chart is the nearest folder, from the file's
# own upward, that has a Chart.yaml. pre-commit passes the hook's args first (options
# such as --platform=openshift, written with '='), then the file names.
set -euo pipefail
opts=()
while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do
	opts+=("$1")
	shift
done
charts=()
for f in "$@"; do
	d=$(dirname -- "$f")
	while :; do
		if [ -f "$d/Chart.yaml" ]; then
			seen=0
			for c in "${charts[@]+"${charts[@]}"}"; do [ "$c" = "$d" ] && seen=1; done
			[ "$seen" = 1 ] || charts+=("$d")
			break
		fi
		[ "$d" = . ] || [ "$d" = / ] && break
		d=$(dirname -- "$d")
	done
done
[ "${#charts[@]}" -gt 0 ] || exit 0
exec unroot lint "${opts[@]+"${opts[@]}"}" --type helm -- "${charts[@]}"
