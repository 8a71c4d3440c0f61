#!/usr/bin/env bash
# A release as a packager makes it, built once: `meson dist` makes the tarball (from a
# throw-away repository holding the tree as it is now, since meson dist packs what git
# has committed); the tarball is unpacked and `dpkg-buildpackage -us -uc -b` builds the
# Debian package from it, as Debian builds from an upstream tarball. That build is the
# tarball's: it compiles unroot and its tests from the tarball alone and runs the tests
# that need nothing but the build (debian/rules: the unit tests and every rule's cases),
# so the tarball is shown to build and pass its tests. Then the package: the binary, the
# helpers, the man page and the bash, zsh and fish completions where Debian looks for
# them, linked against Debian's shared libraries, and lintian finds no error in it.
# The build log holds no compiler warning, and this build's static unroot links without
# glibc's warnings about dlopen and getaddrinfo (what a static libcrypto brought).
. "$(dirname "$0")/lib.sh"
for t in git meson dpkg-buildpackage dh lintian dpkg-deb; do
	command -v "$t" >/dev/null || skip "$t is missing (scripts/install-deps.sh --test installs it)"
done
start=$SECONDS
step() { echo "$1: $((SECONDS - start)) s"; }

copy_tree "$T/repo"
cd "$T/repo" || exit 2
git init -q && git add -A &&
	git -c user.name=test -c user.email=test@localhost commit -q -m release ||
	{ echo "cannot make the repository"; exit 2; }
meson setup "$T/b" -Dtests=false >"$T/setup.log" 2>&1 || { cat "$T/setup.log"; exit 1; }
# --no-tests: the package build below builds the tarball and runs its tests.
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
step "tarball"

mkdir "$T/unpacked"
tar -xJf "$tarball" -C "$T/unpacked" || { bad "cannot unpack"; exit 1; }
src=$T/unpacked/unroot-$version
[ -e "$src/.git" ] && bad "the tarball holds .git"
cd "$src" || exit 2
dpkg-buildpackage -us -uc -b >"$T/build.log" 2>&1 ||
	{ tail -60 "$T/build.log"; bad "dpkg-buildpackage of the tarball failed"; exit 1; }
step "package built from the tarball, its tests run"
grep -aE '^ *[0-9]+/[0-9]+ .* (OK|FAIL|SKIP|ERROR|TIMEOUT)' "$T/build.log" | grep -vE ' (OK|SKIP) ' &&
	bad "the tarball's tests fail"
grep -aE '^Ok:' "$T/build.log" || bad "the package build ran no tests"
# A packager reads the build log: no compiler warning in it.
grep -aE '(^|: )warning:' "$T/build.log" && bad "the tarball's build warns"

deb=$(ls "$T"/unpacked/unroot_"$(dpkg-parsechangelog -S Version)"_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { ls "$T/unpacked"; bad "no .deb"; exit 1; }
# lintian: no error (its warnings and notes are printed for whoever reads the log).
lintian --fail-on error --suppress-tags initial-upload-closes-no-bugs "$deb" >"$T/lintian.log" 2>&1 ||
	bad "lintian found errors"
grep -v '^running with root privileges' "$T/lintian.log"
step "lintian"

dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$T/contents"
for f in /usr/bin/unroot /usr/libexec/unroot/unroot-fetch /usr/libexec/unroot/unroot-serve \
	/usr/share/man/man1/unroot.1.gz /usr/share/bash-completion/completions/unroot \
	/usr/share/zsh/vendor-completions/_unroot /usr/share/fish/vendor_completions.d/unroot.fish \
	/usr/share/doc/unroot/copyright /usr/share/doc/unroot/changelog.gz; do
	grep -qx "$f" "$T/contents" || bad "the package lacks $f"
done
# The installed files work: the binary runs and is dynamic, the man page renders.
dpkg-deb -x "$deb" "$T/root"
"$T/root/usr/bin/unroot" version | grep -q "unroot $version" || bad "the packaged unroot does not run"
readelf -l "$T/root/usr/bin/unroot" | grep -q INTERP || bad "the packaged unroot is linked statically"
# The registry helper is where unroot looks for it once installed.
grep -q /usr/libexec/unroot/unroot-fetch "$T/root/usr/bin/unroot" ||
	bad "the packaged unroot does not look for /usr/libexec/unroot/unroot-fetch"
dpkg-deb -f "$deb" Depends | grep -q 'libarchive' || bad "Depends lacks the shared libraries"
if command -v man >/dev/null; then
	man -l "$T/root/usr/share/man/man1/unroot.1.gz" >/dev/null 2>"$T/man.err" || bad "the man page does not render"
fi

# The static binary of this build, linked again: glibc says nothing of dlopen or getaddrinfo.
build=$(dirname "$UNROOT")
if ! readelf -l "$UNROOT" | grep -q INTERP; then
	link=$(ninja -C "$build" -t commands unroot | tail -1)
	(cd "$build" && eval "${link/ -o unroot / -o $T/unroot-relinked }") >"$T/link.log" 2>&1 ||
		{ cat "$T/link.log"; bad "linking unroot again failed"; }
	grep -E 'warning|dlopen|getaddrinfo' "$T/link.log" && bad "the static link warns"
	[ -x "$T/unroot-relinked" ] || bad "the static link made no binary"
fi
step "done"
exit $fail
