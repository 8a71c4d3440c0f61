# syntax=docker/dockerfile:1
#
# unroot's own image. It follows every rule unroot checks (tests/output/run.sh
# self-lint lints it with the freshly built unroot and expects no finding):
#   - the final stage says USER 1001:0: a numeric uid at or above 1000, not
#     nobody, in group 0, so runAsNonRoot can verify it and OpenShift's
#     arbitrary uid, which also has gid 0, gets the same access;
#   - no user is created in the image (no adduser/useradd): USER says it all;
#   - every file is reachable through group 0: the programs and their libraries
#     are root:0 and read-only (group has what the process needs, r-x), and the
#     one folder the process writes to, /work, has group 0 with g=u;
#   - the entrypoint is the program itself: nothing starts as root and drops;
#   - FROM scratch: the final image holds unroot, its helper programs (unroot-fetch
#     for registries, unroot-serve for the admission webhook), the shared libraries
#     they load and the CA certificates, and nothing else: no shell, no package
#     manager (scripts/scratch-rootfs.sh; tests/serve/test_scratch.py runs that
#     root filesystem as 1001:0).
#
#   podman build -t unroot .
#   podman run --rm -v "$PWD:/src:Z" unroot /src        # lints the current folder
#   podman run --rm -v "$PWD:/work:Z" unroot -f sarif .
#   unroot serve in a cluster: deploy/ (docs/serve.md)
#
# BUILDER names the image or stage whose /rootfs becomes the image: the build stage
# below by default. tests/release/image.sh passes an image holding the root filesystem
# made from its own build, so the final stage is built for real without a network.
ARG BUILDER=build

FROM debian:bookworm-slim AS build
RUN apt-get update \
	&& apt-get install -y --no-install-recommends gcc libc6-dev meson ninja-build pkg-config \
		libyaml-dev libjansson-dev libarchive-dev nettle-dev libzstd-dev \
		libcurl4-openssl-dev libmicrohttpd-dev libgnutls28-dev ca-certificates \
	&& rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN meson setup /build --buildtype=release -Dtests=false --prefix=/usr/local \
		-Dregistry=enabled -Dserve=enabled \
	&& ninja -C /build \
	&& DESTDIR=/out meson install -C /build --no-rebuild \
	&& scripts/scratch-rootfs.sh /out /rootfs

FROM ${BUILDER} AS rootfs

FROM scratch
# root:0, read-only but /work (0775) and /tmp, as scripts/scratch-rootfs.sh left them.
COPY --from=rootfs /rootfs/ /
WORKDIR /work
USER 1001:0
ENTRYPOINT ["/usr/local/bin/unroot"]
CMD ["lint", "."]
