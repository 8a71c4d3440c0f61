# syntax=docker/dockerfile:1
#
# unroot's own image. It follows every rule unroot checks (tests/output/run.sh
# self-lint lints it with the freshly built unroot and expects no finding):
#   - the final stage says USER 1001:0: a numeric uid at or above 1000, not
#     nobody, in group 0, so runAsNonRoot can verify it and OpenShift's
#     arbitrary uid, which also has gid 0, gets the same access;
#   - no user is created in the image (no adduser/useradd): USER says it all;
#   - every file is reachable through group 0: the program and its data are
#     root:0 and read-only (group has what the process needs, r-x), and the
#     one folder the process writes to, /work, has group 0 with g=u;
#   - the entrypoint is the program itself: nothing starts as root and drops.
#
#   docker build -t unroot .
#   docker run --rm -v "$PWD:/work" unroot            # lints the current folder
#   docker run --rm -v "$PWD:/work" unroot -f sarif .

FROM debian:bookworm-slim AS build
RUN apt-get update \
	&& apt-get install -y --no-install-recommends gcc libc6-dev meson ninja-build pkg-config \
		libyaml-dev libjansson-dev libarchive-dev libssl-dev libzstd-dev \
	&& rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN meson setup /build --buildtype=release -Dtests=false --prefix=/usr/local \
	&& ninja -C /build \
	&& DESTDIR=/out meson install -C /build --no-rebuild

FROM debian:bookworm-slim
RUN apt-get update \
	&& apt-get install -y --no-install-recommends libyaml-0-2 libjansson4 libarchive13 libssl3 \
	&& rm -rf /var/lib/apt/lists/*
# Owned by root:0 as COPY leaves it; meson installs the program 0755 and the rest
# 0644, so group 0 can read and run everything and nobody but root can change it.
COPY --from=build /out/usr/local/ /usr/local/
WORKDIR /work
RUN chgrp 0 /work && chmod g=u /work
USER 1001:0
ENTRYPOINT ["/usr/local/bin/unroot"]
CMD ["lint", "."]
