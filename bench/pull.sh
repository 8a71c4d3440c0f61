#!/usr/bin/env bash
# bench/pull.sh [BUILD_DIR] - reads the large image of bench/image.sh (gzip layers) from a
# registry on loopback (Debian's docker-registry, started here and stopped by its pid), and
# in the same run times what it is compared with:
#   - `skopeo copy docker://... oci:DIR` followed by `unroot image DIR` (goal: unroot is at
#     most 0.5x of that);
#   - `unroot image` on the same image already in an OCI folder (goal: at most 1.2x);
#   - a second image that shares all but its last layer, read with the layer cache filled by
#     the first (goal: at most 0.1x of the first, read without the cache);
#   - the first image again, pinned by digest, with the cache it left (its manifest, config
#     and layers are all there);
#   - peak memory of unroot and of its registry client, unroot-fetch (goal: under 64 MB).
# BENCH_RUNS rounds (default 7), each running every command once; it prints the minimum,
# median and maximum of each, and the ratios within each round (a shared machine's load
# falls on the commands of one round alike).
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
digest=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$ref:1")

scan="$unroot image --no-config -q --fail-on none"
export XDG_CACHE_HOME=$tmp/cache
# The cache as the first image leaves it, put back before each run of the second.
$scan "docker://$ref:1" >/dev/null 2>&1 || true
cp -a "$tmp/cache" "$tmp/cache-first"
cache_kb=$(du -sk "$tmp/cache-first" | cut -f1)
mem=$(/usr/bin/time -v $scan --no-cache "docker://$ref:1" 2>&1 >/dev/null | awk '/Maximum resident/{print int($6/1024)}')
mb=$(($(cat $(grep '^gzip ' "$work/layers.txt" | cut -d' ' -f2-) | wc -c) >> 20))
echo "image: $mb MB of gzip layers on a registry at 127.0.0.1:$port; $(nproc) cores"

# BENCH_RUNS rounds (default 7); each round runs every command once, in turn, so that a
# burst of load from other processes falls on all of them alike, and the ratios are taken
# within a round. Wall time from a monotonic clock, CPU time (user + system of the command
# and every process it waited for: unroot and unroot-fetch) from wait4(), both to the
# microsecond; a SETUP before each run is not timed.
python3 - "${BENCH_RUNS:-7}" \
	"pull" "true" "$scan --no-cache docker://$ref:1" \
	"skopeo" "rm -rf $tmp/copy" "skopeo copy -q --src-tls-verify=false docker://$ref:1 oci:$tmp/copy && $scan $tmp/copy" \
	"local" "true" "$scan $work/oci-gzip" \
	"second" "rm -rf $tmp/cache && cp -a $tmp/cache-first $tmp/cache" "$scan docker://$ref:2" \
	"again" "rm -rf $tmp/cache && cp -a $tmp/cache-first $tmp/cache" "$scan docker://$ref@$digest" <<'EOF'
import os, statistics, subprocess, sys, time
runs = int(sys.argv[1])
cmds = [sys.argv[i:i + 3] for i in range(2, len(sys.argv), 3)]
null = os.open(os.devnull, os.O_RDWR)
res = {name: [] for name, _, _ in cmds}
for _ in range(runs):
    for name, setup, cmd in cmds:
        subprocess.run(["bash", "-c", setup], stdout=null, stderr=null)
        fa = [(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]
        t = time.monotonic()
        pid = os.posix_spawn("/bin/bash", ["bash", "-c", cmd], os.environ, file_actions=fa)
        _, _, ru = os.wait4(pid, 0)
        res[name].append(((time.monotonic() - t) * 1000, (ru.ru_utime + ru.ru_stime) * 1000))
what = {"pull": "unroot image docker://... (no cache)",
        "skopeo": "skopeo copy docker://... oci:DIR && unroot image DIR",
        "local": "unroot image OCI-DIR (already local)",
        "second": "second image, all but its last layer cached",
        "again": "first image again by digest, all of it cached"}
def spread(v):
    return "%7.0f %7.0f %7.0f" % (min(v), statistics.median(v), max(v))
print("%d rounds; min, median and max of each, in ms" % runs)
print("%-52s %23s %23s" % ("", "wall", "cpu"))
for name, _, _ in cmds:
    r = res[name]
    print("%-52s %s %s" % (what[name], spread([w for w, _ in r]), spread([c for _, c in r])))
def ratio(a, b, goal, label, k):
    v = [x[k] / y[k] for x, y in zip(res[a], res[b])]
    return "%s: median %.2f (%.2f-%.2f) %s" % (label, statistics.median(v), min(v), max(v), goal)
print(ratio("pull", "skopeo", "(goal <= 0.5)", "unroot / (skopeo copy + unroot image), wall", 0))
print(ratio("pull", "local", "(goal <= 1.2)", "unroot from the registry / from the OCI folder, wall", 0))
print(ratio("second", "pull", "(goal <= 0.1)", "second image with the cache / first without, wall", 0))
print(ratio("second", "pull", "(goal <= 0.1)", "second image with the cache / first without, cpu", 1))
print(ratio("again", "pull", "", "first image again by digest, cached / without the cache, wall", 0))
print(ratio("again", "pull", "", "first image again by digest, cached / without the cache, cpu", 1))
EOF
echo "peak memory: $mem MB (goal < 64); cache after the first image: $cache_kb KB"
echo "load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
