#!/usr/bin/env bash
# bench/serve.sh [BUILD_DIR] - unroot serve under load on loopback, with h2load (Debian's
# nghttp2-client) over HTTPS (HTTP/1.1, kept-alive connections), in one run:
#   1. pod reviews without image checks and GET /healthz together, on one server, at a fixed
#      rate each (BENCH_RATE per second, default 400): the p99 of each (goal: reviews at most
#      2x /healthz);
#   2. pod reviews alone, as fast as BENCH_CLIENTS clients (default 32) get answers: reviews
#      per second (goal: at least 2,000 on 2 cores; h2load runs on the same cores), and the
#      server's CPU time per review, a figure that other load on the machine does not change;
#   3. with image checks, the pod's image read once from a registry on loopback (a warm
#      cache), reviews and /healthz together as in 1 (goal: reviews' p99 at most 5x);
#   4. the server's RSS after 1,000 and after 100,000 reviews (goal: within 10%).
# The latencies come from h2load's log of every request (--log-file), so the p99 is of all
# of them. BENCH_SECONDS (default 10) is the length of each timed part; 1 and 3 run
# BENCH_ROUNDS times (default 3) and give the median ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-release}
if [ "$build" = build-release ] && [ ! -x build-release/unroot-serve ]; then
	{ [ -d build-release ] || meson setup build-release --buildtype=release -Dtests=false >/dev/null; } &&
		ninja -C build-release >/dev/null
fi
for f in unroot unroot-serve unroot-fetch; do
	[ -x "$build/$f" ] || { echo "$build has no $f: build it (libmicrohttpd, GnuTLS, libcurl)" >&2; exit 2; }
done
for t in h2load openssl python3; do
	command -v $t >/dev/null || { echo "needs $t (scripts/install-deps.sh --test)" >&2; exit 2; }
done
rate=${BENCH_RATE:-400}
secs=${BENCH_SECONDS:-10}
clients=${BENCH_CLIENTS:-32}
nrounds=${BENCH_ROUNDS:-3}
tmp=$(mktemp -d /tmp/unroot-serve-bench-XXXXXX)
pids=()
cleanup() {
	# The servers start in $(...) subshells: their pids are in files.
	for f in "$tmp"/*.pid; do [ -f "$f" ] && pids+=("$(cat "$f")"); done
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# A CA and a certificate for 127.0.0.1 (P-256).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/ca.key" \
	-out "$tmp/ca.crt" -days 2 -subj /CN=bench-ca 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/tls.key" \
	-out "$tmp/tls.csr" -subj /CN=127.0.0.1 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$tmp/ext.cnf"
openssl x509 -req -in "$tmp/tls.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial \
	-out "$tmp/tls.crt" -days 2 -extfile "$tmp/ext.cnf" 2>/dev/null

# The registry, with one image built for any uid in group 0.
python3 tests/serve/registry.py "$tmp/registry.port" &
pids+=($!)
for _ in $(seq 100); do [ -f "$tmp/registry.port" ] && break; sleep 0.1; done
registry=127.0.0.1:$(cat "$tmp/registry.port")

# A Pod as the API server sends it, in an AdmissionReview; its image on the registry.
review() {
	python3 - "$1" <<'EOF'
import json, sys
pod = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "web-7d4b9c6f5-x2x9q", "namespace": "shop",
                    "labels": {"app": "web", "pod-template-hash": "7d4b9c6f5"}},
       "spec": {"securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [{"name": "app", "image": sys.argv[1], "ports": [{"containerPort": 8080}],
                                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                                "securityContext": {"allowPrivilegeEscalation": False,
                                                    "capabilities": {"drop": ["ALL"]}}}],
                "serviceAccountName": "web", "restartPolicy": "Always"}}
print(json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
    "uid": "0b5a4c2e-8a6f-4a63-a0a4-2f6f8f0e3c11",
    "kind": {"group": "", "version": "v1", "kind": "Pod"},
    "resource": {"group": "", "version": "v1", "resource": "pods"},
    "namespace": "shop", "operation": "CREATE",
    "userInfo": {"username": "system:serviceaccount:kube-system:replicaset-controller"},
    "object": pod, "dryRun": False}}))
EOF
}
review "$registry/bench/app:1" >"$tmp/review.json"

# start NAME IMAGES: a server on a free port; prints the port. The server's stdout is not
# the $(...)'s pipe, or the caller would wait for the server to end.
start() {
	cat >"$tmp/$1.yaml" <<EOF
log-reviews: none
drain-delay: 0s
images:
  check: $2
EOF
	XDG_CACHE_HOME=$tmp/cache "$build/unroot-serve" --tls-cert "$tmp/tls.crt" --tls-key "$tmp/tls.key" \
		--listen 127.0.0.1:0 --config "$tmp/$1.yaml" >/dev/null 2>"$tmp/$1.log" &
	echo $! >"$tmp/$1.pid"
	for _ in $(seq 100); do
		grep -q '"listening"' "$tmp/$1.log" 2>/dev/null && break
		sleep 0.05
	done
	sed -n 's/.*"listening".*"port":\([0-9]*\).*/\1/p' "$tmp/$1.log"
}

# stop NAME: ends that server and waits until it is gone.
stop() {
	local pid
	pid=$(cat "$tmp/$1.pid")
	rm -f "$tmp/$1.pid"
	kill "$pid" 2>/dev/null || return 0
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}

# p99 of an h2load log (microseconds, third column), in ms; and the count of answers not 200.
p99() { awk '{print $3}' "$1" | sort -n | awk '{a[NR]=$1} END {i=int(NR*0.99); if (i<1) i=1; printf "%.2f", a[i]/1000}'; }
bad() { awk '$2 != 200' "$1" | wc -l; }

h2() { h2load --h1 "$@" >/dev/null 2>&1; }

# both PORT TAG: reviews and /healthz at $rate each for $secs, on two h2loads at once.
both() {
	local port=$1 tag=$2 n=$((rate * secs)) c=8
	rm -f "$tmp/$tag-review.log" "$tmp/$tag-healthz.log"
	h2 -c $c -t 1 --rps $((rate / c)) -n $n -d "$tmp/review.json" -H 'content-type: application/json' \
		--log-file "$tmp/$tag-review.log" "https://127.0.0.1:$port/validate" &
	local a=$!
	h2 -c $c -t 1 --rps $((rate / c)) -n $n --log-file "$tmp/$tag-healthz.log" \
		"https://127.0.0.1:$port/healthz" &
	local b=$!
	wait $a $b
}

# cpu_ms PID: the CPU time (user and system) the process has used, in ms.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$1/stat"; }

# rounds PORT TAG TITLE GOAL: $rounds runs of both; each run's p99s and their ratio, and
# the median ratio: on a shared machine one run's p99 is as much its neighbours' as ours.
rounds() {
	local port=$1 tag=$2 i r99 h99 errors=0 ratios=()
	echo "$3:"
	for ((i = 1; i <= nrounds; i++)); do
		both "$port" "$tag"
		r99=$(p99 "$tmp/$tag-review.log")
		h99=$(p99 "$tmp/$tag-healthz.log")
		ratios+=("$(awk -v a="$r99" -v b="$h99" 'BEGIN{printf "%.2f", a/b}')")
		errors=$((errors + $(bad "$tmp/$tag-review.log") + $(bad "$tmp/$tag-healthz.log")))
		printf '   review p99 %s ms, /healthz p99 %s ms: %sx\n' "$r99" "$h99" "${ratios[-1]}"
	done
	printf '   median %sx of %d runs (goal: at most %sx); %d errors\n' \
		"$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
		"$nrounds" "$4" "$errors"
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

echo "unroot serve on 127.0.0.1, $(nproc) CPUs, h2load on the same machine"

# 1 and 2: no image checks.
port=$(start plain false)
h2 -c 8 -n 2000 -d "$tmp/review.json" "https://127.0.0.1:$port/validate" # warm up
rounds "$port" plain "1. $rate reviews/s and $rate /healthz/s for $secs s" 2
c0=$(cpu_ms "$(cat "$tmp/plain.pid")")
out=$(h2load --h1 -c "$clients" -t 2 -D "$secs" -d "$tmp/review.json" "https://127.0.0.1:$port/validate" 2>&1)
c1=$(cpu_ms "$(cat "$tmp/plain.pid")")
rps=$(echo "$out" | sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p')
ok=$(echo "$out" | sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p')
printf '2. %d clients for %d s: %.0f reviews/s (goal: at least 2,000), %s answered 200;\n' "$clients" "$secs" "$rps" "$ok"
# What the server spent, whatever else runs on the machine: its CPU time per review.
printf '   the server used %d ms of CPU for them: %.0f reviews per CPU-second\n' "$((c1 - c0))" \
	"$(awk -v n="$ok" -v ms="$((c1 - c0))" 'BEGIN{printf "%.0f", ms ? n * 1000 / ms : 0}')"

# 4: RSS after 1,000 and after 100,000 reviews, on the same server.
stop plain
port=$(start rss false)
pid=$(cat "$tmp/rss.pid")
h2 -c 8 -n 1000 -d "$tmp/review.json" "https://127.0.0.1:$port/validate"
r1=$(rss_kb "$pid")
h2 -c 8 -t 2 -n 99000 -d "$tmp/review.json" "https://127.0.0.1:$port/validate"
r2=$(rss_kb "$pid")
printf '4. RSS after 1,000 reviews %d KB, after 100,000 %d KB: %+.1f%% (goal: within 10%%)\n' \
	"$r1" "$r2" "$(awk -v a="$r1" -v b="$r2" 'BEGIN{printf "%.1f", (b-a)*100/a}')"
stop rss

# 3: image checks, warm: the first review reads the image, the rest find it in memory.
port=$(start images true)
h2 -c 1 -n 1 -d "$tmp/review.json" "https://127.0.0.1:$port/validate"
c0=$(cpu_ms "$(cat "$tmp/images.pid")")
h2 -c 8 -n 2000 -d "$tmp/review.json" "https://127.0.0.1:$port/validate"
c1=$(cpu_ms "$(cat "$tmp/images.pid")")
rounds "$port" images "3. with image checks, warm, $rate reviews/s and $rate /healthz/s" 5
printf '   2,000 reviews with image checks, warm, took %d ms of the server'"'"'s CPU: %.2f ms a review\n' \
	"$((c1 - c0))" "$(awk -v ms="$((c1 - c0))" 'BEGIN{printf "%.2f", ms / 2000}')"
curl -s --cacert "$tmp/ca.crt" "https://127.0.0.1:$port/metrics" |
	grep -E '^unroot_image_(cache_hits|cache_misses|scans)_total' | sed 's/^/   /'
