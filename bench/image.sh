#!/usr/bin/env bash
# bench/image.sh [BUILD_DIR] - scans one large image as gzip layers and as zstd layers, and in
# the same run times what it is compared with: gzip -dc, libdeflate-gunzip (when installed)
# and zstd -dc of the same layers, one after the other. Prints the best of 3 runs of each,
# the ratios, and unroot's peak memory (/usr/bin/time -v).
#   BENCH_ROOTFS=DIR  take the files from a root filesystem (debootstrap --variant=minbase
#                     bookworm DIR) instead of the generator
#   BENCH_MB=220      size of the generated image, in MB of tar
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
unroot=$build/unroot
[ -x "$unroot" ] || { echo "build first: ninja -C $build" >&2; exit 2; }
work=${BENCH_DIR:-/tmp/unroot-bench}
if [ ! -f "$work/layers.txt" ]; then
	rm -rf "$work"
	python3 bench/gen-image.py "$work" "${BENCH_MB:-220}" 4 ${BENCH_ROOTFS:-}
fi
read -r _ tars <<<"$(grep '^tar ' "$work/layers.txt")"
read -r _ gzs <<<"$(grep '^gzip ' "$work/layers.txt")"
read -r _ zsts <<<"$(grep '^zstd ' "$work/layers.txt")"

# best of 3, in milliseconds
best() {
	local b=999999999 t0 t1 ms
	for _ in 1 2 3; do
		t0=$(date +%s%N)
		"$@" >/dev/null
		t1=$(date +%s%N)
		ms=$(((t1 - t0) / 1000000))
		[ "$ms" -lt "$b" ] && b=$ms
	done
	echo "$b"
}
each() { local tool=$1; shift; for f in "$@"; do $tool "$f"; done; }
gzip_dc() { gzip -dc "$1"; }
deflate_dc() { libdeflate-gunzip -c <"$1"; }
zstd_dc() { zstd -q -dc "$1"; }
scan() { "$unroot" image --no-config -q --fail-on none "$1"; }

mb=$(($(cat $tars | wc -c) >> 20))
gzmb=$(($(cat $gzs | wc -c) >> 20))
zsmb=$(($(cat $zsts | wc -c) >> 20))
echo "image: $(wc -w <<<"$tars") layers, $mb MB of tar, $gzmb MB gzip, $zsmb MB zstd; $(nproc) cores"

t_scan_gz=$(best scan "$work/oci-gzip")
t_gzip=$(best each gzip_dc $gzs)
t_zscan=$(best scan "$work/oci-zstd")
t_zstd=$(best each zstd_dc $zsts)
t_deflate=
if command -v libdeflate-gunzip >/dev/null; then
	t_deflate=$(best each deflate_dc $gzs)
fi
mem() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident/{print int($6/1024)}'; }
m_gz=$(mem "$unroot" image --no-config -q --fail-on none "$work/oci-gzip")
m_zs=$(mem "$unroot" image --no-config -q --fail-on none "$work/oci-zstd")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }
printf '%-34s %8s\n' "what" "ms"
printf '%-34s %8d\n' "unroot image, gzip layers" "$t_scan_gz"
printf '%-34s %8d\n' "gzip -dc of the layers" "$t_gzip"
[ -n "$t_deflate" ] && printf '%-34s %8d\n' "libdeflate-gunzip of the layers" "$t_deflate"
printf '%-34s %8d\n' "unroot image, zstd layers" "$t_zscan"
printf '%-34s %8d\n' "zstd -dc of the layers" "$t_zstd"
echo "gzip: unroot / gzip -dc = $(ratio "$t_scan_gz" "$t_gzip") (goal < 1)"
[ -n "$t_deflate" ] && echo "gzip: unroot / libdeflate-gunzip = $(ratio "$t_scan_gz" "$t_deflate") (goal <= 1.3)"
echo "zstd: unroot / zstd -dc = $(ratio "$t_zscan" "$t_zstd") (goal <= 1.5)"
echo "peak memory: ${m_gz} MB (gzip), ${m_zs} MB (zstd)"
