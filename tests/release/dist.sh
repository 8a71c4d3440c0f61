#!/usr/bin/env bash
# `meson dist` makes a release tarball that builds and passes its tests on its own.
# The tarball is made from a throw-away repository holding the tree as it is now
# (meson dist packs what git has committed), then unpacked, set up, built, and its
# quick tests run: the unit tests, every rule's cases, the readers' tests and the
# command line's. Its build log must hold no warning.
. "$(dirname "$0")/lib.sh"
command -v git >/dev/null || skip "git is not installed"
command -v meson >/dev/null || skip "meson is not installed"

copy_tree "$T/repo"
cd "$T/repo" || exit 2
git init -q && git add -A &&
	git -c user.name=test -c user.email=test@localhost commit -q -m release ||
	{ echo "cannot make the repository"; exit 2; }
meson setup "$T/b" -Dtests=false >"$T/setup.log" 2>&1 || { cat "$T/setup.log"; exit 1; }
# --no-tests: the build and tests below are what meson dist would run, with the corpus named.
meson dist -C "$T/b" --no-tests --formats xztar >"$T/dist.log" 2>&1 || { cat "$T/dist.log"; exit 1; }
version=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" meson.build | head -1)
tarball=$T/b/meson-dist/unroot-$version.tar.xz
[ -f "$tarball" ] || { ls "$T/b/meson-dist"; bad "no $tarball"; exit 1; }
(cd "$T/b/meson-dist" && sha256sum -c --quiet "unroot-$version.tar.xz.sha256sum") || bad "the checksum file does not match"

# What the tarball holds: every tracked file, and nothing of a build.
tar -tJf "$tarball" | sed "s|^unroot-$version/||" | grep -v '/$' | sort >"$T/in-tarball"
git ls-files | sort >"$T/tracked"
missing=$(comm -13 "$T/in-tarball" "$T/tracked")
[ -z "$missing" ] || bad "files missing from the tarball: $missing"
grep -E '^(build|tests/\.tools)/' "$T/in-tarball" && bad "the tarball holds build output or installed tools"
for f in LICENSE CHANGELOG.md README.md debian/control Dockerfile action.yml; do
	grep -qx "$f" "$T/in-tarball" || bad "the tarball lacks $f"
done

mkdir "$T/unpacked"
tar -xJf "$tarball" -C "$T/unpacked" || { bad "cannot unpack"; exit 1; }
src=$T/unpacked/unroot-$version
[ -e "$src/.git" ] && bad "the tarball holds .git"
meson setup "$T/tb" "$src" -Dcorpus="$UNROOT_CORPUS" >"$T/tsetup.log" 2>&1 ||
	{ cat "$T/tsetup.log"; bad "meson setup of the tarball failed"; exit 1; }
ninja -C "$T/tb" >"$T/tbuild.log" 2>&1 || { tail -30 "$T/tbuild.log"; bad "the tarball does not build"; exit 1; }
"$T/tb/unroot" version | grep -q "unroot $version" || bad "the built unroot does not say version $version"
# A packager reads the build log: no warning in it, and a static binary's link says
# nothing of dlopen or getaddrinfo (what a static libcrypto made glibc warn about).
grep -E 'warning:|dlopen|getaddrinfo' "$T/tbuild.log" && bad "the tarball's build warns"
meson test -C "$T/tb" --no-rebuild --num-processes 2 --print-errorlogs \
	--suite unit --suite rules --suite dockerfile --suite shell --suite cli >"$T/ttest.log" 2>&1 ||
	{ grep -E '^ *[0-9]+/[0-9]+ ' "$T/ttest.log" | grep -vE ' (OK|SKIP) '; bad "the tarball's tests fail"; }
sed -n '/^Ok:/,/^Timeout:/p' "$T/ttest.log"
exit $fail
