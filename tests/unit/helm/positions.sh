#!/usr/bin/env bash
# Where findings of the rendered checks land in a chart: on the template line
# that wrote the flagged key, or the values line that gave it, never on a
# look-alike line in a branch the default values skip (a sidecar under
# `if .Values.sidecar.enabled`) or in a template comment, and never on the
# includer's `spec:` when a named template wrote the pod. Each chart is one
# of those traps, rendered with a real helm; each check but one failed before
# helm_scan() recorded the text that does not render. Skips (77) only when helm cannot be installed.
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

# rendered ARGS...: the findings of the Kubernetes rules on helm's output.
rendered() {
	findings --helm "$H" "$@" | only NR201 NR202 NR208 NR210 NR211
}

# at FILE PATTERN [AFTER]: the number of the first line matching PATTERN
# (after the first line matching AFTER, when given).
at() {
	awk -v p="$2" -v a="${3:-}" 'a == "" || seen { if ($0 ~ p) { print NR; exit } }
		a != "" && !seen && $0 ~ a { seen = 1 }' "$1"
}

chart() {
	mkdir -p "$1/templates"
	printf 'apiVersion: v2\nname: %s\nversion: 1.0.0\n' "$1" >"$1/Chart.yaml"
}

# (a) A sidecar under `if .Values.sidecar.enabled` (false by default), written
# before the main container with the same securityContext text.
chart side
printf 'sidecar:\n  enabled: false\nimage: nginx:1.27\n' >side/values.yaml
cat >side/templates/deployment.yaml <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        {{- if .Values.sidecar.enabled }}
        - name: sidecar
          image: busybox:1.36
          securityContext:
            runAsUser: 0
            privileged: true
        {{- end }}
        - name: web
          image: {{ .Values.image }}
          securityContext:
            runAsUser: 0
            privileged: true
EOF
F=side/templates/deployment.yaml
u=$(at $F 'runAsUser: 0' '- name: web')
p=$(at $F 'privileged: true' '- name: web')
expect "sidecar off by default: the main container's lines" \
	"$F:$u NR201
$F:$p NR210" "$(rendered --platform kubernetes side)"
# Turned on, both render: each container's finding on its own lines.
su=$(at $F 'runAsUser: 0' '- name: sidecar')
sp=$(at $F 'privileged: true' '- name: sidecar')
expect "sidecar turned on with --set: each container's own lines" \
	"$F:$su NR201
$F:$sp NR210
$F:$u NR201
$F:$p NR210" "$(rendered --platform kubernetes --set sidecar.enabled=true side)"

# (b) The pod spec from `include "pod.pod" .` in _pod.tpl, where a debug
# container off by default comes first, the Deployment's own template writes
# an init container with the same keys, and the Deployment's template is one
# include of a named template that writes the whole document.
chart pod
cat >pod/values.yaml <<'EOF'
image: nginx:1.27
debug:
  enabled: false
init:
  uid: 1001
app:
  uid: 0
EOF
cat >pod/templates/_pod.tpl <<'EOF'
{{- define "pod.pod" -}}
hostPID: true
containers:
  {{- if .Values.debug.enabled }}
  - name: debug
    image: busybox:1.36
    securityContext:
      runAsUser: 0
      allowPrivilegeEscalation: true
  {{- end }}
  - name: web
    image: {{ .Values.image }}
    securityContext:
      runAsUser: {{ .Values.app.uid }}
      allowPrivilegeEscalation: true
{{- end -}}
EOF
cat >pod/templates/deployment.yaml <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      initContainers:
        - name: init
          image: busybox:1.36
          securityContext:
            runAsUser: {{ .Values.init.uid }}
            runAsNonRoot: true
            allowPrivilegeEscalation: false
            capabilities:
              drop: [ALL]
      {{- include "pod.pod" . | nindent 6 }}
EOF
cat >pod/templates/_sts.tpl <<'EOF'
{{- define "pod.statefulset" -}}
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      {{- include "pod.pod" . | nindent 6 }}
{{- end -}}
EOF
printf '{{- include "pod.statefulset" . }}\n' >pod/templates/statefulset.yaml
P=pod/templates/_pod.tpl
i=$(at pod/templates/deployment.yaml 'runAsUser:')
hp=$(at $P '^hostPID: true')
w=$(at $P '- name: web')
u=$(at $P 'runAsUser:' '- name: web')
e=$(at $P 'allowPrivilegeEscalation: true' '- name: web')
# The Deployment's and the StatefulSet's, alike.
expect "include: the named template's lines, past an off-by-default container and an init container" \
	"pod/templates/deployment.yaml:$i NR208
$(for k in 1 2; do printf '%s\n' "$P:$hp NR208" "$P:$u NR201" "$P:$u NR208" "$P:$e NR210" "$P:$w NR211"; done)" \
	"$(rendered pod)"

# (c) runAsUser from values.yaml: `runAsUser: {{ .Values.x.uid }}` is the
# template line that writes the key; a context pasted whole by toYaml is the
# values line that holds it, not a deprecated literal off by default (an
# `if .Values.fsGroup` with fsGroup empty).
chart vals
cat >vals/values.yaml <<'EOF'
app:
  uid: 0
fsGroup: ""
podSecurityContext:
  runAsNonRoot: true
  fsGroup: 1000
EOF
cat >vals/templates/statefulset.yaml <<'EOF'
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      securityContext:
{{ toYaml .Values.podSecurityContext | indent 8 }}
        {{- if .Values.fsGroup }}
        fsGroup: {{ .Values.fsGroup }}
        {{- end }}
      containers:
        - name: db
          image: postgres:16
          securityContext:
            runAsUser: {{ .Values.app.uid }}
            runAsNonRoot: true
            allowPrivilegeEscalation: false
            capabilities:
              drop: [ALL]
EOF
F=vals/templates/statefulset.yaml
u=$(at $F 'runAsUser:')
g=$(at vals/values.yaml 'fsGroup: 1000')
expect "from values: the template's runAsUser line, the values line of a toYaml context" \
	"$F:$u NR201
$F:$u NR208
vals/values.yaml:$g NR208" "$(rendered vals)"

# (d) One named template included by a Deployment and a CronJob: each
# finding on the named template's line, not on either includer's spec:.
chart twice
printf 'image: nginx:1.27\n' >twice/values.yaml
cat >twice/templates/_pod.tpl <<'EOF'
{{- define "twice.pod" -}}
containers:
  - name: web
    image: {{ .Values.image }}
    securityContext:
      runAsUser: 0
      privileged: true
{{- end -}}
EOF
cat >twice/templates/deployment.yaml <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      {{- include "twice.pod" . | nindent 6 }}
EOF
cat >twice/templates/cronjob.yaml <<'EOF'
apiVersion: batch/v1
kind: CronJob
metadata:
  name: job
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          {{- include "twice.pod" . | nindent 10 }}
EOF
P=twice/templates/_pod.tpl
u=$(at $P 'runAsUser: 0')
p=$(at $P 'privileged: true')
expect "included twice: both on the named template's lines" \
	"$P:$u NR201
$P:$u NR201
$P:$p NR210
$P:$p NR210" "$(rendered --platform kubernetes twice)"

# (e) range over a list, after a container off by default: every item on the
# range's lines.
chart workers
cat >workers/values.yaml <<'EOF'
debug:
  enabled: false
workers:
  - name: a
    uid: 0
  - name: b
    uid: 0
EOF
cat >workers/templates/deployment.yaml <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: workers
spec:
  selector:
    matchLabels:
      app: workers
  template:
    metadata:
      labels:
        app: workers
    spec:
      containers:
        {{- if .Values.debug.enabled }}
        - name: debug
          image: busybox:1.36
          securityContext:
            runAsUser: 0
        {{- end }}
        {{- range .Values.workers }}
        - name: {{ .name }}
          image: busybox:1.36
          securityContext:
            runAsUser: {{ .uid }}
        {{- end }}
EOF
F=workers/templates/deployment.yaml
n=$(at $F 'name: {{ .name }}')
u=$(at $F 'runAsUser: {{ .uid }}')
expect "range: every item on the range's lines" \
	"$F:$n NR210
$F:$n NR210
$F:$u NR201
$F:$u NR201" "$(rendered --platform kubernetes workers | grep -v NR211)"

# (f) A template comment that shows the keys as they should be written is
# never output: the finding goes on the line that writes the key.
chart note
printf 'uid: 1000\n' >note/values.yaml
cat >note/templates/deployment.yaml <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      securityContext:
        {{/* Once the uid value is gone, this becomes:
        runAsUser: 1000
        */}}
        runAsUser: {{ .Values.uid }}
      containers:
        - name: web
          image: nginx:1.27
EOF
F=note/templates/deployment.yaml
expect "a template comment: the line that writes the key" \
	"$F:$(at $F 'runAsUser: {{') NR208" "$(rendered --platform openshift note | only NR208)"
finish
