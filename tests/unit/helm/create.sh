#!/usr/bin/env bash
# Charts made by `helm create` and variants of them: hard-coded runAsUser,
# no security context, root defaults, a Bitnami-style OpenShift switch.
# Static checks, then rendered checks with a real helm binary, with and
# without --api-versions security.openshift.io/v1. Skips (77) only when helm
# cannot be installed.
. "$(dirname "$0")/lib.sh"
if ! bash "$UNROOT_SRC/scripts/install-tools-helm.sh" >/dev/null 2>&1; then
	echo "helm cannot be installed here"
	exit 77
fi
H=$UNROOT_SRC/tests/.tools/helm/helm
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export HOME=$T/home XDG_CACHE_HOME=$T/cache XDG_CONFIG_HOME=$T/config XDG_DATA_HOME=$T/data
cd "$T"
"$H" create web >/dev/null || { echo "helm create failed"; exit 1; }
D=templates/deployment.yaml

# The scaffold: both contexts come from values; only its test Pod has none.
expect "helm create: static" "web/templates/tests/test-connection.yaml:2 NR302" \
	"$(findings --helm none web)"

# Hard-coded runAsUser instead of the pod context from values.
cp -r web hard
perl -0pi -e 's/      \{\{- with \.Values\.podSecurityContext \}\}\n      securityContext:\n        \{\{- toYaml \. \| nindent 8 \}\}\n      \{\{- end \}\}\n/      securityContext:\n        runAsUser: 1000\n/' hard/$D
line=$(grep -n 'runAsUser: 1000' hard/$D | cut -d: -f1)
expect "hard-coded runAsUser" "hard/$D:$line NR301" "$(findings --helm none hard | only NR301 NR302)"

# No security context at all.
cp -r web bare
perl -0pi -e 's/ *\{\{- with \.Values\.(pod)?[sS]ecurityContext \}\}\n *securityContext:\n *\{\{- toYaml \. \| nindent \d+ \}\}\n *\{\{- end \}\}\n//g' bare/$D
expect "no security context" "bare/$D:2 NR302" "$(findings --helm none bare | only NR301 NR302)"

# Root by default.
cp -r web root
perl -0pi -e 's/podSecurityContext: \{\}/podSecurityContext:\n  runAsUser: 0\n  runAsNonRoot: false/' root/values.yaml
u=$(grep -n '^  runAsUser: 0' root/values.yaml | cut -d: -f1)
n=$(grep -n '^  runAsNonRoot: false' root/values.yaml | cut -d: -f1)
expect "root defaults" "root/values.yaml:$n NR303
root/values.yaml:$u NR303
root/values.yaml:$u NR304" "$(findings --helm none root | only NR303 NR304)"

# Pinned ids with no switch, then with a Bitnami-style switch.
cp -r web pinned
perl -0pi -e 's/podSecurityContext: \{\}/podSecurityContext:\n  runAsUser: 1001\n  fsGroup: 1001\n  runAsNonRoot: true/' pinned/values.yaml
u=$(grep -n '^  runAsUser: 1001' pinned/values.yaml | cut -d: -f1)
g=$(grep -n '^  fsGroup: 1001' pinned/values.yaml | cut -d: -f1)
expect "pinned ids, no OpenShift switch" "pinned/values.yaml:$g NR304
pinned/values.yaml:$u NR304" "$(findings --helm none pinned | only NR304)"

cp -r pinned switch
printf 'global:\n  compatibility:\n    openshift:\n      adaptSecurityContext: auto\n' >>switch/values.yaml
cat >switch/templates/_compatibility.tpl <<'TPL'
{{- define "web.isOpenshift" -}}
{{- if .Capabilities.APIVersions.Has "security.openshift.io/v1" -}}true{{- end -}}
{{- end -}}
{{- define "web.renderSecurityContext" -}}
{{- $ctx := .secContext -}}
{{- $mode := .context.Values.global.compatibility.openshift.adaptSecurityContext -}}
{{- if or (eq $mode "force") (and (eq $mode "auto") (include "web.isOpenshift" .context)) -}}
{{- $ctx = omit $ctx "fsGroup" "runAsUser" "runAsGroup" -}}
{{- end -}}
{{- toYaml $ctx -}}
{{- end -}}
TPL
perl -0pi -e 's/      \{\{- with \.Values\.podSecurityContext \}\}\n      securityContext:\n        \{\{- toYaml \. \| nindent 8 \}\}\n      \{\{- end \}\}\n/      securityContext: {{- include "web.renderSecurityContext" (dict "secContext" .Values.podSecurityContext "context" \$) | nindent 8 }}\n/' switch/$D
expect "Bitnami-style switch cures NR304" "" "$(findings --helm none switch | only NR304 NR301 NR302)"

# Rendered checks. Without helm on PATH the skip is said once.
note=$(PATH=/nonexistent "$UNROOT" lint --no-config -q pinned root 2>/dev/null | grep -c 'rendered checks skipped')
expect "without helm: one note" 1 "$note"
# It is a note about the run (NR003), not a uid the chart pins (NR304).
note=$(PATH=/nonexistent "$UNROOT" lint --no-config -q pinned root 2>/dev/null | grep 'rendered checks skipped' |
	grep -o '\[NR[0-9]* [a-z-]*\]')
expect "without helm: the note is NR003" "[NR003 rendered-checks-skipped]" "$note"

# The scaffold rendered: the Kubernetes rules run on helm's output, and point
# at the template line (the container) in deployment.yaml.
c=$(grep -n '        - name: {{ .Chart.Name }}' web/$D | cut -d: -f1)
got=$(findings --helm "$H" --platform kubernetes web | only NR202 | grep deployment)
expect "rendered: scaffold container has no runAsNonRoot" "web/$D:$c NR202" "$got"
got=$("$UNROOT" lint --no-config -q --helm "$H" --platform kubernetes web 2>/dev/null | grep -c 'helm template renders')
[ "$got" -gt 0 ] && expect "rendered: messages quote the rendered line" ok ok ||
	expect "rendered: messages quote the rendered line" ok "none"

# --set and --values reach helm; a finding in the container's context points
# at the container's securityContext line, the pod's at the pod's.
pc=$(grep -n '^      securityContext:' web/$D | cut -d: -f1)
cc=$(grep -n '^          securityContext:' web/$D | cut -d: -f1)
expect "rendered with --set: the container's context" "web/$D:$cc NR201" \
	"$(findings --helm "$H" --platform kubernetes --set securityContext.runAsUser=0 web | only NR201)"
printf 'podSecurityContext:\n  runAsUser: 0\n' >root-values.yaml
expect "rendered with --values: the pod's context" "web/$D:$pc NR201" \
	"$(findings --helm "$H" --platform kubernetes --values root-values.yaml web | only NR201)"

# Pinned ids: OpenShift rejects them (NR208) in both renders; with the switch
# the OpenShift render drops them, so nothing is pinned there.
pin_os=$(findings --helm "$H" --platform openshift pinned | only NR208 | wc -l | tr -d ' ')
sw_os=$(findings --helm "$H" --platform openshift switch | only NR208 | wc -l | tr -d ' ')
sw_k8s=$("$UNROOT" lint --no-config -q -f json --helm "$H" --platform kubernetes,openshift switch 2>/dev/null |
	grep -o '"rule":"NR208"' | wc -l | tr -d ' ')
[ "$pin_os" -gt 0 ] && expect "rendered for OpenShift: pinned ids fire NR208" ok ok ||
	expect "rendered for OpenShift: pinned ids fire NR208" ">0" "$pin_os"
expect "rendered with --api-versions security.openshift.io/v1: the switch drops the ids" 0 "$sw_os"
expect "rendered for both: NR208 stays quiet with the switch" 0 "$sw_k8s"

# A pod spec in a named template (_pod.tpl) with volumes from values: the
# findings point inside the named template, and at the values line that gives
# a key no template writes, not at the include line.
cp -r web incl
perl -0pi -e 's/    spec:\n.*?(\{\{- with \.Values\.nodeSelector)/    spec:\n      {{- include "web.pod" . | nindent 6 }}\n      $1/s' incl/$D
cat >incl/templates/_pod.tpl <<'TPL'
{{- define "web.pod" -}}
hostNetwork: true
containers:
  - name: {{ .Chart.Name }}
    image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
volumes:
  {{- toYaml .Values.nodeVolumes | nindent 2 }}
{{- end -}}
TPL
printf 'nodeVolumes:\n  - name: logs\n    hostPath:\n      path: /var/log\n' >>incl/values.yaml
hn=$(grep -n '^hostNetwork: true' incl/templates/_pod.tpl | cut -d: -f1)
hp=$(grep -n '^    hostPath:' incl/values.yaml | cut -d: -f1)
expect "rendered through include: the named template's line, the values line" \
	"incl/templates/_pod.tpl:$hn NR208
incl/values.yaml:$hp NR208" \
	"$(findings --helm "$H" --platform openshift incl | only NR208 | grep -v "$D")"
expect "rendered through include: nothing left on the include line" "" \
	"$(findings --helm "$H" --platform openshift incl | only NR208 | grep "$D:$(grep -n 'include "web.pod"' incl/$D | cut -d: -f1) ")"

# helm's failure is a diagnostic with a position, exit 2.
cp -r web broken
printf '{{ required "image.secret is required" .Values.image.secret }}\n' >>broken/templates/service.yaml
out=$("$UNROOT" lint --no-config -q --helm "$H" broken 2>/dev/null); rc=$?
grep -q 'broken/templates/service.yaml:.*NR000' <<<"$out" && [ $rc -eq 2 ] &&
	expect "helm failure: NR000 at the template, exit 2" ok ok ||
	expect "helm failure: NR000 at the template, exit 2" "ok" "rc=$rc $out"

# A missing dependency fails both renders alike: one NR000, saying how to fetch it.
cp -r web deps
printf 'dependencies:\n  - name: cache\n    version: 1.0.0\n    repository: https://charts.example.com\n' >>deps/Chart.yaml
out=$("$UNROOT" lint --no-config -q --helm "$H" deps 2>/dev/null)
expect "missing dependency: one NR000" 1 "$(grep -c 'NR000' <<<"$out")"
grep -q 'helm dependency build deps' <<<"$out" &&
	expect "missing dependency: says helm dependency build" ok ok ||
	expect "missing dependency: says helm dependency build" ok "$out"

# A kubeVersion newer than helm's default Kubernetes: rendered for the version it asks.
cp -r web kube
printf 'kubeVersion: ">=1.99.0-0"\n' >>kube/Chart.yaml
out=$("$UNROOT" lint --no-config -q --helm "$H" kube 2>/dev/null)
expect "kubeVersion: no NR000" 0 "$(grep -c 'NR000' <<<"$out")"
expect "kubeVersion: rendered" 1 "$(grep -c "kube/$D:.*NR202" <<<"$out")"

# A library chart has nothing to render: no helm error.
mkdir -p lib/templates
printf 'apiVersion: v2\nname: lib\nversion: 1.0.0\ntype: library\n' >lib/Chart.yaml
printf '{{- define "lib.ctx" -}}\nrunAsUser: 1000\n{{- end -}}\n' >lib/templates/_ctx.tpl
expect "library chart: static only" "lib/templates/_ctx.tpl:2 NR301" "$(findings --helm "$H" lib)"

# helm template output on stdin, --type helm: mapped back through # Source:.
got=$("$H" template rel web | "$UNROOT" lint --no-config -q --type helm - 2>/dev/null | grep -c "^web/$D:$c:")
[ "$got" -gt 0 ] && expect "stdin: Source lines map to the template" ok ok ||
	expect "stdin: Source lines map to the template" ok "$got"

# simulate renders a chart as lint does: the Deployment's container on Kubernetes and on
# OpenShift (the OpenShift rows from the render with OpenShift's API).
out=$("$UNROOT" simulate --no-config -f json --helm "$H" web 2>&1)
rows=$(python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(" ".join(sorted(r["platform"]+":"+(r["object"] or "") for r in d["results"] if (r["object"] or "").startswith("Deployment/"))), len(d["errors"]))' <<<"$out" 2>&1)
expect "simulate CHART: rendered rows" "kubernetes:Deployment/unroot-web openshift:Deployment/unroot-web 0" "$rows"
# and walks a folder as lint does: the chart in it, and a Dockerfile beside it.
mkdir -p tree/app
cp -r web tree/web
printf 'FROM alpine:3.20\nUSER 1001:0\n' >tree/app/Dockerfile
out=$("$UNROOT" simulate --no-config -f json --helm "$H" tree 2>&1)
inputs=$(python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(" ".join(sorted({r["input"].split("/")[1] for r in d["results"]})), len(d["errors"]))' <<<"$out" 2>&1)
expect "simulate DIR: walked" "app web 0" "$inputs"
finish
