#!/usr/bin/env bash
# The Helm charts of the real-world corpus, assembled into chart folders in a
# temporary directory (never copied into the project), checked against the
# hand reading in the corpus README.
. "$(dirname "$0")/lib.sh"
C=${UNROOT_CORPUS:?}/helm
[ -d "$C" ] || { echo "no corpus at $C"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T"/nginx/templates "$T"/nginx/charts/common/templates "$T"/redis/templates/master \
	"$T"/node-exporter/templates "$T"/mysql-exporter/templates
cp "$C"/bitnami__charts__bitnami__nginx__Chart.yaml "$T"/nginx/Chart.yaml
cp "$C"/bitnami__charts__bitnami__nginx__values.yaml "$T"/nginx/values.yaml
cp "$C"/bitnami__charts__bitnami__nginx__templates__deployment.yaml "$T"/nginx/templates/deployment.yaml
printf 'apiVersion: v2\nname: common\nversion: 2.0.0\ntype: library\n' >"$T"/nginx/charts/common/Chart.yaml
cp "$C"/bitnami__charts__bitnami__common__templates___compatibility.tpl \
	"$T"/nginx/charts/common/templates/_compatibility.tpl
printf 'apiVersion: v2\nname: redis\nversion: 20.0.0\n' >"$T"/redis/Chart.yaml
cp "$C"/bitnami__charts__bitnami__redis__values.yaml "$T"/redis/values.yaml
cp "$C"/bitnami__charts__bitnami__redis__templates__master__application.yaml \
	"$T"/redis/templates/master/application.yaml
P=prometheus-community__helm-charts__charts__prometheus
cp "$C"/${P}-node-exporter__Chart.yaml "$T"/node-exporter/Chart.yaml
cp "$C"/${P}-node-exporter__values.yaml "$T"/node-exporter/values.yaml
cp "$C"/${P}-node-exporter__templates__daemonset.yaml "$T"/node-exporter/templates/daemonset.yaml
printf 'apiVersion: v2\nname: prometheus-mysql-exporter\nversion: 2.0.0\n' >"$T"/mysql-exporter/Chart.yaml
cp "$C"/${P}-mysql-exporter__values.yaml "$T"/mysql-exporter/values.yaml
cp "$C"/${P}-mysql-exporter__templates__deployment.yaml "$T"/mysql-exporter/templates/deployment.yaml
cd "$T"

# Static checks only: these charts are excerpts, helm cannot render them.
# nginx (Bitnami): contexts from values through renderSecurityContext, which
# drops the ids on OpenShift: H ok, nothing to report.
expect "bitnami nginx: configurable, OpenShift switch" "" "$(findings --helm none nginx)"
# redis (Bitnami): configurable; the init-sysctl container hard-codes root.
expect "bitnami redis: hard-coded root init container" \
	"redis/templates/master/application.yaml:439 NR301" "$(findings --helm none redis)"
# node-exporter: configurable, default uid 65534 with no OpenShift switch. The
# permission-fix init container's root defaults (values 558, 560) are rendered
# only when its fixes are enabled, which they are not by default: not reported.
expect "node-exporter: 65534 pinned; the root init container is off by default" \
	"node-exporter/values.yaml:361 NR304
node-exporter/values.yaml:364 NR304" "$(findings --helm none node-exporter)"
# Turned on in a copy of values.yaml, the root defaults are reported.
cp -r node-exporter node-exporter-fixes
perl -0pi -e 's/(  fixes:\n(?:    #.*\n)*    rapl: )false/${1}true/' node-exporter-fixes/values.yaml
expect "node-exporter with fixes on: the init container's root defaults" \
	"node-exporter-fixes/values.yaml:361 NR304
node-exporter-fixes/values.yaml:364 NR304
node-exporter-fixes/values.yaml:558 NR303
node-exporter-fixes/values.yaml:558 NR304
node-exporter-fixes/values.yaml:560 NR303" "$(findings --helm none node-exporter-fixes)"
# mysql-exporter: main contexts from values ({}), the cloudsql sidecar hard-codes 10000.
expect "mysql-exporter: sidecar hard-codes runAsUser" \
	"mysql-exporter/templates/deployment.yaml:173 NR301
mysql-exporter/templates/deployment.yaml:174 NR301" "$(findings --helm none mysql-exporter)"
# No NR000: every file reads.
all=$("$UNROOT" lint --no-config -q --helm none nginx redis node-exporter mysql-exporter 2>&1)
if grep -q NR000 <<<"$all"; then
	fails=$((fails + 1)); echo "FAIL - a corpus chart does not read"; echo "$all" | grep NR000
else
	passes=$((passes + 1)); echo "ok - every corpus chart reads"
fi
# The same charts packaged: positions inside the archive.
tar -czf nginx-1.0.0.tgz nginx && tar -czf mysql-exporter-2.0.0.tgz mysql-exporter
expect "packaged chart" "mysql-exporter-2.0.0.tgz!/mysql-exporter/templates/deployment.yaml:173 NR301
mysql-exporter-2.0.0.tgz!/mysql-exporter/templates/deployment.yaml:174 NR301" \
	"$(findings --helm none mysql-exporter-2.0.0.tgz nginx-1.0.0.tgz)"
# Charts found while walking a folder.
expect "walking a folder finds every chart, packaged ones too" 12 "$(findings --helm none . | wc -l | tr -d ' ')"
finish
