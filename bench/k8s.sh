#!/usr/bin/env bash
# Lints 1,000 Kubernetes manifests in one process with unroot, and in the
# same run the same files with @monokle/validation (Pod Security Standards and
# practices plugins, driven by bench/monokle.mjs), and prints both times and
# the ratio. npm packages go to bench/.tools (not committed).
#   bench/k8s.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000}
unroot=${UNROOT:-build/unroot}
[ -x "$unroot" ] || { echo "build unroot first (ninja -C build)" >&2; exit 2; }
tools=$PWD/bench/.tools
if [ ! -d "$tools/node_modules/@monokle/validation" ]; then
	mkdir -p "$tools"
	[ -f "$tools/package.json" ] || echo '{"private": true}' >"$tools/package.json"
	(cd "$tools" && npm install --silent --no-audit --no-fund @monokle/validation yaml >/dev/null)
fi
out=bench/out/k8s
rm -rf "$out"
mkdir -p "$out/m"

# Five shapes people write, cycled with different names: a bare Deployment, a hardened
# one, a StatefulSet with an init container, a CronJob, and a multi-document file.
write() {
	local i=$1 f=$out/m/$(printf '%04d' "$1").yaml
	case $((i % 5)) in
	0) cat >"$f" <<Y
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-$i
  labels: {app: web-$i}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web-$i}
  template:
    metadata:
      labels: {app: web-$i}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        ports:
        - containerPort: 8080
        resources:
          limits: {cpu: 500m, memory: 128Mi}
Y
	;;
	1) cat >"$f" <<Y
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api-$i
spec:
  selector:
    matchLabels: {app: api-$i}
  template:
    metadata:
      labels: {app: api-$i}
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: api
        image: registry.example.com/api:$i
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
        resources:
          limits: {cpu: "1", memory: 256Mi}
          requests: {cpu: 100m, memory: 64Mi}
Y
	;;
	2) cat >"$f" <<Y
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db-$i
spec:
  serviceName: db-$i
  selector:
    matchLabels: {app: db-$i}
  template:
    metadata:
      labels: {app: db-$i}
    spec:
      securityContext:
        runAsUser: 999
        fsGroup: 999
      initContainers:
      - name: init
        image: busybox:1.36
        command: [sh, -c, "chown -R 999 /data"]
        securityContext:
          runAsUser: 0
      containers:
      - name: db
        image: postgres:16
        securityContext:
          capabilities:
            add: [IPC_LOCK]
Y
	;;
	3) cat >"$f" <<Y
apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup-$i
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: backup
            image: backup:1.0
            securityContext:
              runAsNonRoot: yes
              allowPrivilegeEscalation: false
Y
	;;
	4) cat >"$f" <<Y
apiVersion: v1
kind: Service
metadata:
  name: svc-$i
spec:
  ports:
  - port: 80
---
apiVersion: v1
kind: Pod
metadata:
  name: pod-$i
spec:
  hostNetwork: true
  containers:
  - name: a
    image: agent:2.1
    securityContext:
      privileged: true
  - name: b
    image: sidecar:1.0
Y
	;;
	esac
}
for i in $(seq 1 "$count"); do write "$i"; done
ls "$out"/m/*.yaml >"$out/list"

# Wall time and CPU time (user + system) of each whole process, node's start-up included:
# the machine may be shared, and CPU time says more than wall time then.
timed() {
	local out=$1
	shift
	/usr/bin/time -f '%e %U %S' -o "$out.time" "$@"
}
timed "$out/unroot" "$unroot" -f json --no-config "$out/m" >"$out/unroot.json" 2>/dev/null || true
timed "$out/unroot-text" "$unroot" -f text --no-config "$out/m" >"$out/unroot.txt" 2>/dev/null || true
timed "$out/monokle" node bench/monokle.mjs "$out/list" "$tools" >"$out/monokle.txt"
read -r uw uu us < <(tail -1 "$out/unroot.time")
read -r tw tu ts < <(tail -1 "$out/unroot-text.time")
read -r mw mu ms < <(tail -1 "$out/monokle.time")
calc() { awk "BEGIN { print $1 }"; }
uc=$(calc "$uu + $us")
tc=$(calc "$tu + $ts")
mc=$(calc "$mu + $ms")
uf=$(grep -c '"rule":' "$out/unroot.json" || true)
printf 'files:   %d\n' "$count"
printf 'unroot:  wall %.2f s, cpu %.2f s (%d findings, JSON output)\n' "$uw" "$uc" "$uf"
printf 'unroot:  wall %.2f s, cpu %.2f s (text output)\n' "$tw" "$tc"
printf 'monokle: wall %.2f s, cpu %.2f s (%s)\n' "$mw" "$mc" "$(cat "$out/monokle.txt")"
printf 'ratio:   wall %.1fx, cpu %.1fx (JSON); wall %.1fx, cpu %.1fx (text)\n' \
	"$(calc "$mw / $uw")" "$(calc "$mc / $uc")" "$(calc "$mw / $tw")" "$(calc "$mc / $tc")"
