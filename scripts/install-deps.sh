#!/usr/bin/env bash
# Installs what building and testing unroot needs on Debian 12 or Ubuntu, as root.
#   scripts/install-deps.sh          build dependencies only
#   scripts/install-deps.sh --test   also the tools the tests compare against
set -euo pipefail

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi

build_pkgs=(meson ninja-build pkg-config gcc libyaml-dev libjansson-dev libarchive-dev
	nettle-dev libzstd-dev zlib1g-dev libcmocka-dev libcurl4-openssl-dev libmicrohttpd-dev libgnutls28-dev)
test_pkgs=(clang valgrind)
# Real image tools for the image tests (buildah builds, skopeo exports, umoci unpacks; GNU
# time measures the peak memory of one run).
image_pkgs=(buildah skopeo umoci busybox-static uidmap zstd strace libdeflate-tools python3
	podman crun time)
# Servers the tests of images by reference start on loopback: the distribution registry,
# htpasswd for its Basic auth, openssl for its TLS CA and the token server's signatures.
registry_pkgs=(docker-registry apache2-utils openssl)
# The webhook's tests: curl as a client, the AdmissionReview schema checked in Python;
# h2load (nghttp2-client), the load generator of bench/serve.sh.
serve_pkgs=(curl python3-jsonschema nghttp2-client)
# Anything else an area's tests need from Debian.
k8s_pkgs=(unzip) # kubectl comes from npm, unpacked from a zip (scripts/install-tools-k8s.sh)
helm_pkgs=(unzip)
# The output tests' consumers: xmllint (JUnit/Checkstyle schemas), man and groff (the man
# page), zsh and fish (their completions), python3-yaml (pre-commit and workflow files),
# pre-commit and git (the README's pre-commit snippet, run for real), script (a
# terminal). node and npm (for sarif-multitool and ajv in tests/.tools/output) are added
# below only when there is no npm at all: a NodeSource nodejs ships its own npm and
# conflicts with Debian's.
output_pkgs=(libxml2-utils man-db groff-base zsh fish python3-yaml bsdutils pre-commit git)
# The release tests: the Debian package (dpkg-buildpackage, lintian) and unroot's own image
# (buildah, above).
release_pkgs=(dpkg-dev debhelper lintian xz-utils binutils)

missing=()
for p in "${build_pkgs[@]}"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "$want_test" = 1 ]; then
	for p in "${test_pkgs[@]}" "${image_pkgs[@]}" "${registry_pkgs[@]}" "${k8s_pkgs[@]}" \
		"${helm_pkgs[@]}" "${output_pkgs[@]}" "${serve_pkgs[@]}" "${release_pkgs[@]}"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
fi

if [ "$want_test" = 1 ] && ! command -v npm >/dev/null; then
	missing+=(nodejs npm)
fi

if [ "${#missing[@]}" -gt 0 ]; then
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm tools the tests use live in tests/.tools, never globally.
if [ "$want_test" = 1 ]; then
	for f in scripts/install-tools-*.sh; do
		[ -f "$f" ] && bash "$f"
	done
fi
exit 0
