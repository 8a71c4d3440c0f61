#!/usr/bin/env bash
# unroot's own image: the Dockerfile at the top of the tree, built with buildah. The
# build stage is replaced by an image holding the root filesystem that
# scripts/scratch-rootfs.sh makes from this build's `meson install` (no network:
# debian:bookworm-slim cannot be fetched here), so what is built for real is the final
# stage: FROM scratch, USER 1001:0. `unroot image` on the result must report nothing,
# and the image must run as OpenShift would run it (an arbitrary uid in group 0) and
# lint a folder mounted at /src, as the README says to run it.
. "$(dirname "$0")/lib.sh"
for t in buildah skopeo umoci unshare chroot meson; do
	command -v "$t" >/dev/null || skip "$t is missing (scripts/install-deps.sh --test installs it)"
done
[ "$(id -u)" = 0 ] || skip "buildah with chroot isolation and scratch-rootfs.sh's chown need root"
ldd "$UNROOT" 2>/dev/null | grep -qE 'lib(a|t|ub)san' && skip "a sanitizer build; the image is built without sanitizers"
build=$(dirname "$UNROOT")

export CONTAINERS_STORAGE_CONF=$T/storage.conf BUILDAH_ISOLATION=chroot
printf '[storage]\ndriver = "vfs"\nrunroot = "%s/run"\ngraphroot = "%s/graph"\n' "$T" "$T" >"$CONTAINERS_STORAGE_CONF"
trap 'buildah rm --all >/dev/null 2>&1; rm -rf "$T"' EXIT

meson install -C "$build" --destdir "$T/staged" --no-rebuild --quiet >"$T/install.log" 2>&1 ||
	{ cat "$T/install.log"; bad "meson install failed"; exit 1; }
"$UNROOT_SRC/scripts/scratch-rootfs.sh" "$T/staged" "$T/rootfs" || { bad "scratch-rootfs.sh failed"; exit 1; }
c=$(buildah from scratch) && buildah copy -q "$c" "$T/rootfs" /rootfs >/dev/null &&
	buildah commit -q "$c" localhost/unroot-rootfs:test >/dev/null || { bad "cannot make the rootfs image"; exit 1; }
mkdir "$T/ctx"
buildah bud --isolation chroot -q --build-arg BUILDER=localhost/unroot-rootfs:test \
	-f "$UNROOT_SRC/Dockerfile" -t localhost/unroot:test "$T/ctx" >"$T/bud.log" 2>&1 ||
	{ cat "$T/bud.log"; bad "buildah bud failed"; exit 1; }

cfg=$(buildah inspect --type image --format '{{.OCIv1.Config.User}}|{{.OCIv1.Config.Entrypoint}}|{{.OCIv1.Config.WorkingDir}}' localhost/unroot:test)
[ "$cfg" = '1001:0|[/usr/local/bin/unroot]|/work' ] || bad "image config: $cfg"

skopeo copy -q containers-storage:localhost/unroot:test "docker-archive:$T/unroot.tar:unroot:test" ||
	{ bad "skopeo copy failed"; exit 1; }
"$UNROOT" image --no-config --fail-on info "$T/unroot.tar" >"$T/image.out" 2>&1
rc=$?
cat "$T/image.out"
[ "$rc" = 0 ] || bad "unroot image on its own image: exit $rc"
grep -q ': \(error\|warning\|info\):' "$T/image.out" && bad "unroot image reports findings on its own image"
grep -qx 'unroot: 1 input, 0 errors, 0 warnings, 0 info' "$T/image.out" || bad "want one clean input"

# Run it: the files as the image has them, an arbitrary uid in group 0, a folder at /src.
skopeo copy -q containers-storage:localhost/unroot:test "oci:$T/oci:test" && umoci unpack --image "$T/oci:test" "$T/bundle" >/dev/null ||
	{ bad "cannot unpack the image"; exit 1; }
r=$T/bundle/rootfs
mkdir -p "$r/src" "$r/dev" && : >"$r/dev/null"
printf 'FROM alpine:3.20\nUSER root\n' >"$r/src/Dockerfile"
# A runtime's clean environment; the folder /src given as the README's podman line gives it.
env -i PATH=/usr/local/bin HOME=/work "$(command -v unshare)" -m -p -f -n -i -u \
	"$(command -v chroot)" --userspec=1000680000:0 --groups=0 "$r" /usr/local/bin/unroot /src \
	>"$T/run.out" 2>&1
rc=$?
[ "$rc" = 1 ] || { cat "$T/run.out"; bad "the image's unroot as uid 1000680000: exit $rc, want 1"; }
grep -q '^/src/Dockerfile:2:.*NR102' "$T/run.out" || { cat "$T/run.out"; bad "the image's unroot did not report USER root"; }
exit $fail
