#!/usr/bin/env bash
# Manifests of every workload kind made by `kubectl create ... --dry-run=client`
# (kubectl works offline), each without and with a security context, linted
# by unroot. Kinds kubectl cannot create (ReplicaSet, StatefulSet, DaemonSet,
# ReplicationController, Pod, PodTemplate, DeploymentConfig) are made from
# its Deployment output by changing the kind or taking the pod template.
#
# Without a security context every container gets NR202, NR210 and NR211 (but
# a DeploymentConfig's: it runs only on OpenShift, whose restricted-v2 sets
# those fields itself);
# with `runAsNonRoot: true` on the pod and `allowPrivilegeEscalation: false`
# plus `capabilities: {drop: [ALL]}` on each container, none of them. Nothing
# may be a parse error.
set -uo pipefail
src=${UNROOT_SRC:?}
unroot=${UNROOT:?}
kubectl=$src/tests/.tools/k8s/kubectl
if [ ! -x "$kubectl" ]; then
	bash "$src/scripts/install-tools-k8s.sh" >/dev/null 2>&1 || true
fi
if [ ! -x "$kubectl" ]; then
	echo "kubectl is not installed (scripts/install-tools-k8s.sh); skipping"
	exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home KUBECONFIG=/dev/null
mkdir -p "$HOME" "$work/bare" "$work/safe"
k() { "$kubectl" "$@" --dry-run=client -o yaml; }
pod_sc='{"runAsNonRoot":true}'
ctr_sc='{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}'
# patch FILE PATH-TO-POD-SPEC CONTAINER... : the same manifest with the security context.
patch() {
	local file=$1 path=$2 containers="" open="" close=""
	shift 2
	for c in "$@"; do
		containers="$containers${containers:+,}{\"name\":\"$c\",\"securityContext\":$ctr_sc}"
	done
	local spec="{\"securityContext\":$pod_sc,\"containers\":[$containers]}"
	IFS=. read -ra parts <<<"$path"
	for p in "${parts[@]}"; do
		open="$open{\"$p\":"
		close="$close}"
	done
	"$kubectl" patch --local -f "$file" -p "$open$spec$close" -o yaml
}
set -e
# `kubectl run` needs a server: the Pod is the template of a Deployment kubectl made.
k create deployment web --image=nginx:1.27 >"$work/one.yaml"
{
	printf 'apiVersion: v1\nkind: Pod\n'
	sed -n '/^  template:/,/^status:/p' "$work/one.yaml" | sed -e '1d' -e '$d' -e 's/^    //' |
		sed 's/^metadata:/metadata:\n  name: web/'
} >"$work/bare/pod.yaml"
k create deployment web --image=nginx:1.27 --image=busybox:1.36 >"$work/bare/deployment.yaml"
k create job backup --image=busybox:1.36 >"$work/bare/job.yaml"
k create cronjob backup --image=busybox:1.36 --schedule='0 3 * * *' >"$work/bare/cronjob.yaml"
"$kubectl" create deployment web --image=nginx:1.27 --dry-run=client -o json >"$work/bare/deployment-json.json"
patch "$work/bare/pod.yaml" spec nginx >"$work/safe/pod.yaml"
patch "$work/bare/deployment.yaml" spec.template.spec nginx busybox >"$work/safe/deployment.yaml"
patch "$work/bare/job.yaml" spec.template.spec backup >"$work/safe/job.yaml"
patch "$work/bare/cronjob.yaml" spec.jobTemplate.spec.template.spec backup >"$work/safe/cronjob.yaml"
"$kubectl" patch --local -f "$work/bare/deployment-json.json" -o json \
	-p "{\"spec\":{\"template\":{\"spec\":{\"securityContext\":$pod_sc,\"containers\":[{\"name\":\"nginx\",\"securityContext\":$ctr_sc}]}}}}" \
	>"$work/safe/deployment-json.json"
for d in bare safe; do
	for kind in ReplicaSet StatefulSet DaemonSet; do
		sed "s/^kind: Deployment/kind: $kind/" "$work/$d/deployment.yaml" >"$work/$d/${kind,,}.yaml"
	done
	sed -e 's/^kind: Deployment/kind: ReplicationController/' -e 's|^apiVersion: apps/v1|apiVersion: v1|' \
		"$work/$d/deployment.yaml" >"$work/$d/replicationcontroller.yaml"
	sed -e 's/^kind: Deployment/kind: DeploymentConfig/' \
		-e 's|^apiVersion: apps/v1|apiVersion: apps.openshift.io/v1|' \
		"$work/$d/deployment.yaml" >"$work/$d/deploymentconfig.yaml"
	# A PodTemplate holds the pod's metadata and spec under `template`.
	{
		printf 'apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: web\ntemplate:\n'
		sed -n '/^metadata:/,$p' "$work/$d/pod.yaml" | grep -v '^status:' | sed 's/^/  /'
	} >"$work/$d/podtemplate.yaml"
	# kubectl get -o yaml gives a List of everything.
	{
		printf 'apiVersion: v1\nkind: List\nitems:\n'
		for f in "$work/$d/pod.yaml" "$work/$d/job.yaml"; do
			sed -e '1s/^/- /' -e '2,$s/^/  /' "$f"
		done
	} >"$work/$d/list.yaml"
done
set +e
fail=0
# count DIR FILE RULE: findings of RULE for FILE.
count() {
	grep -o "\"rule\": *\"$3\"" "$1/$2.out" | wc -l
}
for f in "$work"/bare/*; do
	name=$(basename "$f")
	"$unroot" -f json --no-config "$f" >"$work/bare/$name.out" 2>/dev/null
	"$unroot" -f json --no-config "$work/safe/$name" >"$work/safe/$name.out" 2>/dev/null
	containers=$(grep -cE '^ *- (image|name):' "$f" 2>/dev/null)
	case $name in
	*.json) containers=$(grep -c '"image":' "$f") ;;
	esac
	want=$containers
	[ "$name" = deploymentconfig.yaml ] && want=0
	for rule in NR202 NR210 NR211; do
		got=$(count "$work/bare" "$name" $rule)
		if [ "$got" -ne "$want" ]; then
			echo "FAIL $name without a security context: $got $rule, want $want"
			fail=1
		fi
		got=$(count "$work/safe" "$name" $rule)
		if [ "$got" -ne 0 ]; then
			echo "FAIL $name with a security context: $got $rule, want 0"
			sed -n '1,200p' "$work/safe/$name"
			fail=1
		fi
	done
	for d in bare safe; do
		if [ "$(count "$work/$d" "$name" NR000)" -ne 0 ]; then
			echo "FAIL $d/$name: parse error"
			cat "$work/$d/$name.out"
			fail=1
		fi
	done
	echo "ok $name: $containers container(s)"
done
exit $fail
