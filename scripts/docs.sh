#!/usr/bin/env bash
# docs.sh UNROOT [--check]: the documentation generated from the rule table. docs/rules.md
# is `unroot rules --format markdown`; in the other docs, the lines between
#   <!-- rules table: KIND ... -->   and   <!-- end of rules table -->
# are `unroot rules --format markdown --type KIND`. Writes them, or with --check says
# which are stale and exits 1.
set -uo pipefail
unroot=$1
check=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stale=0

"$unroot" rules --format markdown >"$tmp/rules.md" || exit 2
update() { # FILE NEW
	if cmp -s "$1" "$2"; then
		return
	fi
	if [ "$check" = --check ]; then
		echo "${1#$root/} is stale: run 'make docs'"
		diff -u "$1" "$2" | head -30
		stale=1
	else
		cp "$2" "$1"
	fi
}
update "$root/docs/rules.md" "$tmp/rules.md"

for doc in "$root"/docs/*.md; do
	grep -q '^<!-- rules table: ' "$doc" || continue
	out=$tmp/$(basename "$doc")
	: >"$out"
	skipping=0
	while IFS= read -r line || [ -n "$line" ]; do
		if [ $skipping = 1 ]; then
			[ "$line" = '<!-- end of rules table -->' ] || continue
			skipping=0
		fi
		printf '%s\n' "$line" >>"$out"
		case $line in
		'<!-- rules table: '*)
			kind=${line#<!-- rules table: }
			kind=${kind%% *}
			"$unroot" rules --format markdown --type "$kind" >>"$out" || exit 2
			skipping=1
			;;
		esac
	done <"$doc"
	[ $skipping = 0 ] || { echo "${doc#$root/}: a rules table has no end marker"; exit 2; }
	update "$doc" "$out"
done
exit $stale
