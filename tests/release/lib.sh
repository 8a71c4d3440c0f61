# lib.sh - what the release tests share: a scratch folder, and a copy of the source tree.
set -uo pipefail
: "${UNROOT:?UNROOT must name the built binary}" "${UNROOT_SRC:?}"
T=$(mktemp -d /tmp/unroot-release-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
skip() { echo "SKIP: $*"; exit 77; }

# copy_tree DIR: the source files as they are now, committed or not, without build
# folders or installed tools (what git tracks plus new files it does not ignore).
copy_tree() {
	local dest=$1
	mkdir -p "$dest"
	if git -C "$UNROOT_SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		(cd "$UNROOT_SRC" && git ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done |
			xargs -0 cp -P --parents -t "$dest")
	else
		# An unpacked release tarball: everything but build folders.
		(cd "$UNROOT_SRC" && find . -mindepth 1 -maxdepth 1 ! -name 'build*' ! -name '.tools' \
			-exec cp -a -t "$dest" {} +)
		rm -rf "$dest/tests/.tools"
	fi
}
