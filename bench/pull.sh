#!/usr/bin/env bash
# bench/pull.sh [BUILD_DIR] - reads the large image of bench/image.sh (gzip layers) from a
# registry on loopback (Debian's docker-registry, started here and stopped by its pid), and
# in the same run times what it is compared with:
#   - `skopeo copy docker://... oci:DIR` followed by `unroot image DIR` (goal: unroot is at
#     most 0.5x of that);
#   - `unroot image` on the same image already in an OCI folder (goal: at most 1.2x);
#   - a second image that shares all but its last layer, read with the layer cache filled by
#     the first (goal: at most 0.1x of the first, read without the cache);
#   - peak memory of unroot and of its registry client, unroot-fetch (goal: under 64 MB).
# Best of 5 runs of each (BENCH_RUNS), wall and CPU (user + system of unroot and unroot-fetch
# together): on a shared machine the best run is the one least disturbed by the others.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
unroot=$build/unroot
[ -x "$unroot" ] || { echo "build first: ninja -C $build" >&2; exit 2; }
[ -x "$build/unroot-fetch" ] || { echo "$build has no unroot-fetch (libcurl)" >&2; exit 2; }
for t in docker-registry skopeo python3; do
	command -v $t >/dev/null || { echo "needs $t (scripts/install-deps.sh --test)" >&2; exit 2; }
done
. bench/lib.sh
work=$(image_layers) || { echo "cannot make the image" >&2; exit 2; }
tmp=$(mktemp -d /tmp/unroot-pull-XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# The second image: the first three layers, and a new small last one.
python3 - "$work/oci-gzip" "$tmp/oci-second" <<'EOF'
import gzip, hashlib, io, json, os, shutil, sys, tarfile
src, out = sys.argv[1], sys.argv[2]
blob = lambda d: os.path.join(src, "blobs", "sha256", d.split(":")[1])
sha = lambda b: "sha256:" + hashlib.sha256(b).hexdigest()
idx = json.load(open(os.path.join(src, "index.json")))
m = json.load(open(blob(idx["manifests"][0]["digest"])))
cfg = json.load(open(blob(m["config"]["digest"])))
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as t:
    for i in range(200):
        data = (b"second image %d\n" % i) * 200
        ti = tarfile.TarInfo("app/second/f%03d" % i)
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
raw = buf.getvalue()
gz = gzip.compress(raw, 6, mtime=0)
os.makedirs(os.path.join(out, "blobs", "sha256"))
for l in m["layers"][:-1]:
    os.link(blob(l["digest"]), os.path.join(out, "blobs", "sha256", l["digest"].split(":")[1]))
m["layers"][-1] = {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                   "digest": sha(gz), "size": len(gz)}
cfg["rootfs"]["diff_ids"][-1] = sha(raw)
cb = json.dumps(cfg).encode()
m["config"] = dict(m["config"], digest=sha(cb), size=len(cb))
mb = json.dumps(m).encode()
for b in (gz, cb, mb):
    open(os.path.join(out, "blobs", "sha256", sha(b).split(":")[1]), "wb").write(b)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(mb),
                                              "size": len(mb)}]},
          open(os.path.join(out, "index.json"), "w"))
open(os.path.join(out, "oci-layout"), "w").write('{"imageLayoutVersion": "1.0.0"}')
EOF

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$tmp/registry.yml" <<EOF
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $tmp/data}}
http: {addr: 127.0.0.1:$port}
EOF
docker-registry serve "$tmp/registry.yml" >"$tmp/registry.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
	sleep 0.1
done
ref=127.0.0.1:$port/bench/img
skopeo copy -q --dest-tls-verify=false "oci:$work/oci-gzip" "docker://$ref:1"
skopeo copy -q --dest-tls-verify=false "oci:$tmp/oci-second" "docker://$ref:2"

# best of BENCH_RUNS: "WALL_MS CPU_MS", each run after SETUP (not timed)
best() {
	local cmd=$1 setup=${2:-true} bw=999999999 bc=999999999 w c i
	for ((i = 0; i < ${BENCH_RUNS:-5}; i++)); do
		bash -c "$setup" >/dev/null 2>&1
		/usr/bin/time -f '%e %U %S' -o "$tmp/time.txt" bash -c "$cmd" >/dev/null 2>&1
		read -r w c <<<"$(awk '{printf "%d %d", $1 * 1000, ($2 + $3) * 1000}' "$tmp/time.txt")"
		[ "$w" -lt "$bw" ] && bw=$w
		[ "$c" -lt "$bc" ] && bc=$c
	done
	echo "$bw $bc"
}
scan="$unroot image --no-config -q --fail-on none"
export XDG_CACHE_HOME=$tmp/cache

read -r t_pull c_pull <<<"$(best "$scan --no-cache docker://$ref:1")"
read -r t_skopeo c_skopeo <<<"$(best "skopeo copy -q --src-tls-verify=false docker://$ref:1 oci:$tmp/copy && $scan $tmp/copy" "rm -rf $tmp/copy")"
read -r t_local c_local <<<"$(best "$scan $work/oci-gzip")"
# The cache as the first image leaves it, put back before each run of the second.
rm -rf "$tmp/cache"
$scan "docker://$ref:1" >/dev/null 2>&1 || true
cp -a "$tmp/cache" "$tmp/cache-first"
read -r t_second c_second <<<"$(best "$scan docker://$ref:2" "rm -rf $tmp/cache && cp -a $tmp/cache-first $tmp/cache")"
cache_kb=$(du -sk "$tmp/cache-first" | cut -f1)
mem=$(/usr/bin/time -v $scan --no-cache "docker://$ref:1" 2>&1 >/dev/null | awk '/Maximum resident/{print int($6/1024)}')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }
mb=$(($(cat $(grep '^gzip ' "$work/layers.txt" | cut -d' ' -f2-) | wc -c) >> 20))
echo "image: $mb MB of gzip layers on a registry at 127.0.0.1:$port; $(nproc) cores"
printf '%-52s %8s %8s\n' "what" "wall ms" "cpu ms"
printf '%-52s %8d %8d\n' "unroot image docker://... (no cache)" "$t_pull" "$c_pull"
printf '%-52s %8d %8d\n' "skopeo copy docker://... oci:DIR && unroot image DIR" "$t_skopeo" "$c_skopeo"
printf '%-52s %8d %8d\n' "unroot image OCI-DIR (already local)" "$t_local" "$c_local"
printf '%-52s %8d %8d\n' "second image, all but its last layer cached" "$t_second" "$c_second"
echo "unroot / (skopeo copy + unroot image) = $(ratio "$t_pull" "$t_skopeo") wall (goal <= 0.5)"
echo "unroot from the registry / from the OCI folder = $(ratio "$t_pull" "$t_local") wall (goal <= 1.2)"
echo "second image with the cache / first without = $(ratio "$t_second" "$t_pull") wall, $(ratio "$c_second" "$c_pull") cpu (goal <= 0.1)"
echo "peak memory: $mem MB (goal < 64); cache after the first image: $cache_kb KB"
echo "load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
