#!/usr/bin/env bash
# The Kubernetes reader through the command line: stdin, --platform, --uid-range,
# exit statuses, and the object/container/fix fields of the JSON output.
set -uo pipefail
unroot=${UNROOT:?}
fail=0
check() { # NAME EXPECTED ACTUAL
	if [ "$2" != "$3" ]; then
		echo "FAIL $1: got '$3', want '$2'"
		fail=1
	else
		echo "ok $1"
	fi
}
pod='apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  securityContext:
    runAsUser: 2000
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: app
    image: nginx:1.27
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
'
out=$(printf '%s' "$pod" | "$unroot" -f json --no-config --type k8s -)
check "stdin exit status" 1 $?
check "stdin path" 1 "$(grep -c '^      "path": "-"' <<<"$out")"
check "object field" 1 "$(grep -c '"object": "Pod/web"' <<<"$out")"
check "container field" 1 "$(grep -c '"container": "app"' <<<"$out")"
check "fix field" 1 "$(grep -c '"fix": "runAsNonRoot: true"' <<<"$out")"
check "NR208 error" 1 "$(grep -c '"severity": "error"' <<<"$out")"

out=$(printf '%s' "$pod" | "$unroot" -f json --no-config --type k8s --platform kubernetes -)
check "--platform kubernetes exit status" 0 $?
check "--platform kubernetes drops NR208" 0 "$(grep -c '"rule": "NR208"' <<<"$out")"

out=$(printf '%s' "$pod" | "$unroot" -f json --no-config --type k8s --uid-range 2000/10 -)
check "--uid-range: admitted, pinned" 1 "$(grep -c 'pins the UID' <<<"$out")"
check "--uid-range: no rejection" 0 "$(grep -c '"severity": "error"' <<<"$out")"

printf 'apiVersion: v1\nkind: Pod\nspec:\n\tcontainers: []\n' | "$unroot" -q --no-config --type k8s - >/dev/null 2>&1
check "tab indentation exit status" 2 $?

printf 'services:\n  web:\n    image: nginx\n' | "$unroot" -q --no-config --type k8s - >/dev/null 2>&1
check "docker-compose on stdin is skipped" 0 $?
exit $fail
