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
. bench/lib.sh
work=$(image_layers) || { echo "cannot make the image" >&2; exit 2; }
read -r _ tars <<<"$(grep '^tar ' "$work/layers.txt")"
read -r _ gzs <<<"$(grep '^gzip ' "$work/layers.txt")"
read -r _ zsts <<<"$(grep '^zstd ' "$work/layers.txt")"

# best of 3: "WALL_MS CPU_MS" (CPU = user + system, all threads), for a shell command line
best() {
	local bw=999999999 bc=999999999 w c
	for _ in 1 2 3; do
		/usr/bin/time -f '%e %U %S' -o "$work/time.txt" bash -c "$1" >/dev/null 2>&1
		read -r w c <<<"$(awk '{printf "%d %d", $1 * 1000, ($2 + $3) * 1000}' "$work/time.txt")"
		[ "$w" -lt "$bw" ] && bw=$w
		[ "$c" -lt "$bc" ] && bc=$c
	done
	echo "$bw $bc"
}
each() {
	local tool=$1 out="" f
	shift
	for f in "$@"; do out+="$tool $f >/dev/null; "; done
	echo "$out"
}
scan() { echo "$unroot image --no-config -q --fail-on none $1"; }

mb=$(($(cat $tars | wc -c) >> 20))
gzmb=$(($(cat $gzs | wc -c) >> 20))
zsmb=$(($(cat $zsts | wc -c) >> 20))
echo "image: $(wc -w <<<"$tars") layers, $mb MB of tar, $gzmb MB gzip, $zsmb MB zstd; $(nproc) cores"

read -r t_scan_gz c_scan_gz <<<"$(best "$(scan "$work/oci-gzip")")"
read -r t_gzip c_gzip <<<"$(best "$(each 'gzip -dc' $gzs)")"
read -r t_zscan c_zscan <<<"$(best "$(scan "$work/oci-zstd")")"
read -r t_zstd c_zstd <<<"$(best "$(each 'zstd -q -dc' $zsts)")"
t_deflate=
if command -v libdeflate-gunzip >/dev/null; then
	read -r t_deflate c_deflate <<<"$(best "$(each 'libdeflate-gunzip -c' $gzs)")"
fi
mem() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident/{print int($6/1024)}'; }
m_gz=$(mem "$unroot" image --no-config -q --fail-on none "$work/oci-gzip")
m_zs=$(mem "$unroot" image --no-config -q --fail-on none "$work/oci-zstd")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }
printf '%-34s %8s %8s\n' "what" "wall ms" "cpu ms"
printf '%-34s %8d %8d\n' "unroot image, gzip layers" "$t_scan_gz" "$c_scan_gz"
printf '%-34s %8d %8d\n' "gzip -dc of the layers" "$t_gzip" "$c_gzip"
[ -n "$t_deflate" ] && printf '%-34s %8d %8d\n' "libdeflate-gunzip of the layers" "$t_deflate" "$c_deflate"
printf '%-34s %8d %8d\n' "unroot image, zstd layers" "$t_zscan" "$c_zscan"
printf '%-34s %8d %8d\n' "zstd -dc of the layers" "$t_zstd" "$c_zstd"
echo "gzip: unroot / gzip -dc = $(ratio "$t_scan_gz" "$t_gzip") (goal < 1)"
[ -n "$t_deflate" ] && echo "gzip: unroot / libdeflate-gunzip = $(ratio "$t_scan_gz" "$t_deflate") (goal <= 1.3)"
echo "zstd: unroot / zstd -dc = $(ratio "$t_zscan" "$t_zstd") (goal <= 1.5)"
echo "load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "peak memory: ${m_gz} MB (gzip), ${m_zs} MB (zstd)"
