#!/usr/bin/env bash
# helm template renders a private copy of the chart, with PATH alone of our environment:
# a symlink out of the chart is left out with an NR000 naming it (one inside is copied as
# what it names), no host file or environment variable reaches the report, the private
# folder is gone afterwards, and packaged charts still render.
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
HELM=$UNROOT_SRC/tests/.tools/helm/helm

ok() { passes=$((passes + 1)); echo "ok - $1"; }
no() { fails=$((fails + 1)); echo "FAIL - $1"; sed 's/^/    /' out | head -8; }
# check NAME COMMAND...: the command must succeed.
check() { local n=$1; shift; if "$@"; then ok "$n"; else no "$n"; fi; }

mkdir -p c/templates c/files
printf 'apiVersion: v2\nname: c\nversion: 1.0.0\n' >c/Chart.yaml
echo "the-inner-file" >c/files/real
ln -s /etc/hostname c/files/s
ln -s /proc/self/environ c/files/env
ln -s real c/files/in
cat >c/templates/p.yaml <<'Y'
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: {{ printf "x%sx%sx%s" (.Files.Get "files/s" | trim) (.Files.Get "files/env" | b64enc) (.Files.Get "files/in" | trim) | quote }}
    image: x
Y
host=$(cat /etc/hostname)

if [ -x "$HELM" ]; then
	SECRET_TOKEN=hunter2-secret timeout 120 "$UNROOT" lint --no-config -f sarif --helm "$HELM" c >out 2>&1
	rc=$?
	check "symlinks out of the chart: exit 2" test "$rc" = 2
	check "NR000 names the link to /etc/hostname" grep -q "'files/s' is a symbolic link to '/etc/hostname', outside the chart" out
	check "NR000 names the link to /proc/self/environ" grep -q "'files/env' is a symbolic link to '/proc/self/environ', outside the chart" out
	check "the host name is not in the report" bash -c "! grep -qF -- 'x$host' out"
	check "no environment variable is in the report" bash -c "! grep -qiE 'hunter2|aHVudGVyM|PATH=|UEFUSD0' out"
	check "a link within the chart is copied as what it names" grep -q 'the-inner-file' out
	check "the rendered checks ran" grep -q 'NR202' out
	# A dangling link and a pipe are left out too: helm would fail on one and wait on the other.
	cp -r c c2
	ln -s /nowhere/at/all c2/files/dangling
	mkfifo c2/files/fifo
	timeout 120 "$UNROOT" lint --no-config --helm "$HELM" c2 >out 2>&1
	check "NR000 names the dangling link" grep -q "'files/dangling' is a symbolic link to nothing" out
	check "NR000 names the FIFO" grep -q "'files/fifo' is not a regular file" out
	check "the rendered checks ran beside them" grep -q 'NR202' out
else
	fails=$((fails + 1)); echo "FAIL - no helm at $HELM"
fi

# What helm gets to see of the environment: a stand-in helm prints it as a container name.
cat >fakehelm <<'SH'
#!/bin/sh
{ echo "HOME=$HOME"; env; } >"$(dirname "$0")/seen-env"
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: x\n'
SH
chmod +x fakehelm
mkdir -p d/templates
printf 'apiVersion: v2\nname: d\nversion: 1.0.0\n' >d/Chart.yaml
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: x}]}\n' >d/templates/p.yaml
SECRET_TOKEN=hunter2-secret AWS_SECRET_ACCESS_KEY=k timeout 60 "$UNROOT" lint --no-config --helm ./fakehelm d >out 2>&1
check "helm ran" test -s seen-env
check "no inherited secret in helm's environment" bash -c "! grep -q 'hunter2\|AWS_' seen-env"
check "PATH is kept" grep -q "^PATH=$PATH\$" seen-env
envhome=$(sed -n 's/^HOME=//p' seen-env | head -1)
check "HOME is a private folder" test -n "$envhome" -a "$envhome" != "$HOME"
check "HELM_CACHE_HOME is in it" grep -q "^HELM_CACHE_HOME=$envhome/cache\$" seen-env
check "HELM_CONFIG_HOME is in it" grep -q "^HELM_CONFIG_HOME=$envhome/config\$" seen-env
check "HELM_DATA_HOME is in it" grep -q "^HELM_DATA_HOME=$envhome/data\$" seen-env
check "nothing else" test "$(grep -cvE '^(HOME|PATH|HELM_CACHE_HOME|HELM_CONFIG_HOME|HELM_DATA_HOME|PWD|SHLVL|_)=' seen-env)" = 0
check "the private folder is removed" test ! -e "$(dirname "$envhome")"

# A packaged chart still renders.
if [ -x "$HELM" ]; then
	mkdir -p pk && cp -r d pk/ && (cd pk && "$HELM" package d >/dev/null 2>&1)
	timeout 120 "$UNROOT" lint --no-config --helm "$HELM" pk/d-1.0.0.tgz >out 2>&1
	check "a .tgz renders: the rendered checks ran" grep -q 'NR202' out
	check "a .tgz: no NR000" bash -c "! grep -q NR000 out"
fi
finish
