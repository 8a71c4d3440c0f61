#!/usr/bin/env bash
# scripts/scratch-rootfs.sh STAGED ROOTFS - the root filesystem of unroot's image, which is
# FROM scratch: what `meson install --destdir STAGED` put there, the shared libraries its
# programs load (unroot-fetch links libcurl, unroot-serve libmicrohttpd and GnuTLS; unroot
# itself is static where the static libraries exist), the dynamic loader, the CA
# certificates registries are checked against, and /work, the one folder the process
# writes to, in group 0 with g=u. Everything is root:0 and nothing is writable but /work
# and /tmp, so any uid in group 0 (OpenShift's, or USER 1001:0) runs it alike.
# The Dockerfile runs this in its build stage; tests/serve/test_image.sh runs the result
# under chroot as uid 1001, gid 0.
set -euo pipefail
staged=$1
rootfs=$2
mkdir -p "$rootfs"
cp -a "$staged/." "$rootfs/"

# The libraries each ELF program asks for, copied to the same path under the rootfs,
# as the file they resolve to (the soname a symlink names is the name asked for).
find "$rootfs" -type f -perm -u+x | while read -r f; do
	head -c 4 "$f" | grep -q 'ELF' || continue
	{ ldd "$f" 2>/dev/null || true; } | awk '/=> \// {print $3} /^\t\// {print $1}'
done | sort -u | while read -r lib; do
	mkdir -p "$rootfs$(dirname "$lib")"
	cp -L "$lib" "$rootfs$lib"
done

# libcurl's and GnuTLS's default CA bundle on Debian.
mkdir -p "$rootfs/etc/ssl/certs"
cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"

mkdir -p "$rootfs/work" "$rootfs/tmp"
chmod 0775 "$rootfs/work"
chmod 1777 "$rootfs/tmp"
chown -R 0:0 "$rootfs"
chmod -R go-w,g+rX "$rootfs"
chmod 0775 "$rootfs/work"
chmod 1777 "$rootfs/tmp"
