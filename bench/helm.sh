#!/usr/bin/env bash
# Helm speed: the static checks of a chart with 20 workload templates (goal:
# under 10 ms, start-up included), and the rendered path (helm template twice,
# plain and with --api-versions security.openshift.io/v1, plus a lint of the
# output) next to helm template alone. Prints medians in ms.
. "$(dirname "$0")/lib.sh"
UNROOT=$(unroot_bin) || { echo "cannot build unroot"; exit 2; }
work=$(mktemp -d /tmp/unroot-bench-helm-XXXXXX)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home

# A chart of 20 workloads in the shape `helm create` writes, plus helpers.
c=$work/big
mkdir -p "$c/templates"
printf 'apiVersion: v2\nname: big\nversion: 0.1.0\n' >"$c/Chart.yaml"
cat >"$c/values.yaml" <<'V'
image: nginx
podSecurityContext:
  runAsNonRoot: true
  fsGroup: 1001
securityContext:
  allowPrivilegeEscalation: false
  capabilities:
    drop: [ALL]
V
cat >"$c/templates/_helpers.tpl" <<'T'
{{- define "big.labels" -}}
app: {{ .Chart.Name }}
{{- end }}
T
for i in $(seq 1 20); do
	cat >"$c/templates/app$i.yaml" <<T
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-app$i
  labels:
    {{- include "big.labels" . | nindent 4 }}
spec:
  selector:
    matchLabels:
      {{- include "big.labels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "big.labels" . | nindent 8 }}
    spec:
      {{- with .Values.podSecurityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: app$i
          image: "{{ .Values.image }}"
          {{- with .Values.securityContext }}
          securityContext:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          ports:
            - containerPort: 8080
T
done
echo "chart: 20 Deployment templates, $(cat "$c"/templates/* | wc -c) bytes of templates"
s=$(median_ms 51 "$UNROOT" lint --no-config -q --fail-on none --helm none "$c")
echo "static checks, start-up included:        ${s} ms wall (goal: under 10 ms)"
# Wall time swings with the machine's load; instructions do not.
if command -v valgrind >/dev/null; then
	valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$UNROOT" lint --no-config -q \
		--fail-on none --helm none "$c" 2>"$work/cg.log" >/dev/null
	ins=$(sed -n 's/.*refs: *//p' "$work/cg.log" | tr -d ',')
	echo "static checks, instructions:             ${ins} (about $((ins / 3000000)) ms at 3 G/s)"
fi

H=$ROOT/tests/.tools/helm/helm
if [ ! -x "$H" ] && ! bash "$ROOT/scripts/install-tools-helm.sh" >/dev/null 2>&1; then
	echo "helm cannot be installed; no rendered figures"
	exit 0
fi
t=$(median_ms 11 "$H" template unroot "$c")
t2=$(median_ms 11 "$H" template unroot "$c" --api-versions security.openshift.io/v1)
"$H" template unroot "$c" >"$work/out.yaml"
l=$(median_ms 21 "$UNROOT" lint --no-config -q --fail-on none --type k8s "$work/out.yaml")
r1=$(median_ms 11 "$UNROOT" lint --no-config -q --fail-on none --helm "$H" --platform kubernetes "$c")
r2=$(median_ms 11 "$UNROOT" lint --no-config -q --fail-on none --helm "$H" "$c")
echo "helm template alone:                     ${t} ms (with --api-versions: ${t2} ms)"
echo "lint of its output as Kubernetes input:  ${l} ms"
echo "rendered path, kubernetes (one render):  ${r1} ms"
echo "rendered path, all platforms (two):      ${r2} ms"
