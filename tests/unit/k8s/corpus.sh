#!/usr/bin/env bash
# The real-world manifests in $UNROOT_CORPUS/k8s: every file lints without a
# crash and without a parse error, and the findings agree with the hand
# reading in the corpus README ("K" column). Where unroot and the reading
# differ, the comment on the line says which side is right and why.
set -uo pipefail
unroot=${UNROOT:?}
dir=${UNROOT_CORPUS:?}/k8s
if [ ! -d "$dir" ]; then
	echo "no corpus at $dir; skipping"
	exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
n=0
for f in "$dir"/*; do
	name=$(basename "$f")
	"$unroot" -f json --no-config "$f" >"$work/$name.json" 2>"$work/$name.err"
	rc=$?
	n=$((n + 1))
	if [ $rc -gt 1 ]; then
		echo "FAIL $name: exit status $rc"
		cat "$work/$name.err" "$work/$name.json"
		fail=1
	fi
done
echo "$n files linted"

# expect FILE-SUFFIX CHECK...: CHECK is RULE=N (exactly N findings) or RULE+ (at least one).
expect() {
	local suffix=$1 f
	shift
	f=$(ls "$work" | grep -F -- "$suffix.json" | head -1)
	if [ -z "$f" ]; then
		echo "FAIL no corpus file matches $suffix"
		fail=1
		return
	fi
	for check in "$@"; do
		local rule=${check%%[=+]*} got
		got=$(grep -o "\"rule\": *\"$rule\"" "$work/$f" | wc -l)
		case $check in
		*+) [ "$got" -ge 1 ] || { echo "FAIL $suffix: no $rule"; fail=1; } ;;
		*=*) [ "$got" -eq "${check#*=}" ] || {
			echo "FAIL $suffix: $got $rule, want ${check#*=}"
			fail=1
		} ;;
		esac
	done
}

# K✗: only IPC_LOCK added, no securityContext otherwise.
expect cassandra-statefulset.yaml NR202=1 NR211=2 NR201=0
# K✗: no securityContext; the init container counts too.
expect cockroachdb-statefulset.yaml NR202=2 NR000=0
# K✗: privileged, hostNetwork/PID/IPC, which restricted-v2 rejects. A privileged
# container is root on the node whatever its user: NR210 says so, NR202 does not repeat it.
expect newrelic-infra-daemonset.yaml NR210=1 NR208+ NR202=0
# K✗: six documents, three Deployments, no securityContext.
expect guestbook-all-in-one.yaml NR202=3
# K–: PodSecurityPolicies are not workloads: nothing to say.
expect policies.yaml NR202=0 NR201=0 NR000=0
# K✗: no securityContext.
expect vllm-deployment.yaml NR202=1
# K✓ uid: 30000 with capitalised False/True read as booleans (YAML 1.1). gid 30000 is
# pinned: only the OpenShift rule NR208 speaks of it.
# allowPrivilegeEscalation is not set (privileged: False is not the same): NR210, which
# the reading does not look at.
expect pod-security-context-all-good.yaml NR201=0 NR202=0 NR204=0 NR205=0 NR210=1 NR000=0
# K✗: runAsUser 0, no trailing newline.
expect pod-security-context-low-user-id.yaml NR201=1
# K✓: 15000:0. kube-score calls group 0 bad; unroot follows the platforms, where group 0
# grants only what the group-0 bits allow, so it is right not to flag it.
expect pod-security-context-low-group-id.yaml NR201=0 NR202=0 NR204=0 NR206=0 NR208=1
# K✓: the pod-level 20000 is inherited by the container that has no image.
expect security-inherit-pod-security-context.yaml NR201=0 NR202=0 NR204=0
# K✗: nested under jobTemplate, no securityContext.
expect cronjob-batchv1.yaml NR202=1
# K✗: runAsNonRoot false (the file's apiVersion is wrong for a Deployment; unroot reads it).
expect runAsRootAllowed__failure.yaml NR203=1
# K✗ strict / ✓ under an SCC: no runAsNonRoot, but the objects of an OpenShift Template
# run only on OpenShift, which assigns the UID (no NR202), and nothing is pinned, so
# OpenShift admits them (no NR208).
expect postgresql-persistent.json NR202=0 NR208=0 NR000=0
expect jenkins-persistent.json NR202=0 NR208=0 NR000=0
# uid ✓: runAsUser 1000 is non-zero and not below --min-uid. "rest ✗" in the reading means
# no runAsGroup or runAsNonRoot: unroot does not ask for runAsGroup (gid 0 from the
# image is right for OpenShift) and runAsNonRoot is implied by a non-zero runAsUser, so it
# differs on purpose. The pinned uid and fsGroup 2000 are outside OpenShift's range: NR208.
expect security-context.yaml NR202=0 NR204=0 NR201=0 NR208=2
# K✓: runAsNonRoot, runAsUser 1000, no escalation. The reading does not look at
# capabilities: unroot adds NR211 (nothing dropped), which is right for restricted.
expect metrics-server__manifests__base__deployment.yaml NR201=0 NR202=0 NR203=0 NR204=0 NR210=0 NR211=1
exit $fail
