#!/usr/bin/env bash
# `dpkg-buildpackage -us -uc -b` builds a Debian package that installs the binary,
# the man page and the bash, zsh and fish completions where Debian looks for them,
# linked against Debian's shared libraries, and lintian finds no error in it.
# DEB_BUILD_OPTIONS=nocheck: the release-dist test runs the tests of a clean build.
. "$(dirname "$0")/lib.sh"
for t in dpkg-buildpackage dh lintian dpkg-deb; do
	command -v "$t" >/dev/null || skip "$t is missing (scripts/install-deps.sh --test installs it)"
done
copy_tree "$T/unroot"
cd "$T/unroot" || exit 2
DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b >"$T/build.log" 2>&1 ||
	{ tail -40 "$T/build.log"; bad "dpkg-buildpackage failed"; exit 1; }
version=$(dpkg-parsechangelog -S Version)
deb=$(ls "$T"/unroot_"$version"_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { ls "$T"; bad "no .deb"; exit 1; }

# lintian: no error (its warnings and notes are printed for whoever reads the log).
lintian --fail-on error --suppress-tags initial-upload-closes-no-bugs "$deb" >"$T/lintian.log" 2>&1 ||
	bad "lintian found errors"
grep -v '^running with root privileges' "$T/lintian.log"

dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$T/contents"
for f in /usr/bin/unroot /usr/libexec/unroot/unroot-fetch /usr/libexec/unroot/unroot-serve /usr/share/man/man1/unroot.1.gz \
	/usr/share/bash-completion/completions/unroot /usr/share/zsh/vendor-completions/_unroot \
	/usr/share/fish/vendor_completions.d/unroot.fish /usr/share/doc/unroot/copyright \
	/usr/share/doc/unroot/changelog.gz; do
	grep -qx "$f" "$T/contents" || bad "the package lacks $f"
done

# The installed files work: the binary runs and is dynamic, the man page renders.
dpkg-deb -x "$deb" "$T/root"
"$T/root/usr/bin/unroot" version | grep -q "unroot ${version%-*}" || bad "the packaged unroot does not run"
readelf -l "$T/root/usr/bin/unroot" | grep -q INTERP || bad "the packaged unroot is linked statically"
# The registry helper is where unroot looks for it once installed.
grep -q /usr/libexec/unroot/unroot-fetch "$T/root/usr/bin/unroot" ||
	bad "the packaged unroot does not look for /usr/libexec/unroot/unroot-fetch"
dpkg-deb -f "$deb" Depends | grep -q 'libarchive' || bad "Depends lacks the shared libraries"
if command -v man >/dev/null; then
	man -l "$T/root/usr/share/man/man1/unroot.1.gz" >/dev/null 2>"$T/man.err" || bad "the man page does not render"
fi
exit $fail
