#!/usr/bin/env bash
# Bad charts: truncated and hostile archives, bombs, deep nesting, binary and
# broken files. Each answers with NR000 (exit 2) or reads what it can, and
# never crashes or hangs.
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"

# check NAME WANT_RC WANT_TEXT ARGS...: exit status and a text in the output.
check() {
	local name=$1 want_rc=$2 want=$3
	shift 3
	local out rc
	out=$(timeout 60 "$UNROOT" lint --no-config -q --helm none "$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want_rc" ] && grep -q -- "$want" <<<"$out"; then
		passes=$((passes + 1)); echo "ok - $name"
	else
		fails=$((fails + 1)); echo "FAIL - $name (exit $rc)"; echo "$out" | head -5 | sed 's/^/    /'
	fi
}

mk() { # a small chart in folder $1
	mkdir -p "$1/templates"
	printf 'apiVersion: v2\nname: %s\nversion: 0.1.0\n' "$(basename "$1")" >"$1/Chart.yaml"
	printf 'kind: Pod\nspec:\n  securityContext:\n    runAsUser: 5\n  containers: []\n' >"$1/templates/pod.yaml"
}

mk ok
head -c 30000 /dev/urandom | base64 >ok/templates/notes.yaml
tar -czf ok.tgz ok
head -c $(($(wc -c <ok.tgz) / 2)) ok.tgz >trunc.tgz
check "truncated archive" 2 "NR000" --type helm trunc.tgz

mkdir -p evil && cp -r ok evil/ok
tar -P -czf evil.tgz -C evil ok --transform 's,^ok/templates/pod.yaml,ok/../../etc/x,' 2>/dev/null
# (the listing is kept first: grep -q closing the pipe early would fail it under pipefail)
list=$(tar -tzf evil.tgz 2>/dev/null)
if grep -q '\.\./' <<<"$list"; then
	check "entry outside the chart" 2 "outside the chart" evil.tgz
else
	fails=$((fails + 1)); echo "FAIL - could not make an archive with ../ in it"
fi

# A bomb: one entry of 300 MiB of zeros (compresses to about 300 KiB).
mkdir -p bomb/ok && cp -r ok/* bomb/ok/ && head -c $((300 << 20)) /dev/zero >bomb/ok/templates/zero.yaml
tar -czf bomb.tgz -C bomb ok && rm -rf bomb
check "archive bomb" 2 "unpacks to more than" bomb.tgz

# Subcharts nested past the limit.
d=deep
mk $d
for i in $(seq 1 10); do d=$d/charts/s$i; mk $d; done
check "subcharts nested too deep" 2 "deeper than" deep

# Broken YAML in values.yaml: a position.
mk broken && printf 'a: [1, 2\nb: c\n' >broken/values.yaml
check "broken values.yaml" 2 "broken/values.yaml:[0-9]*:[0-9]*: error" broken

# Binary Chart.yaml, binary and odd templates: read what can be read.
mk bin && head -c 4096 /dev/urandom >bin/templates/blob.yaml
printf '{{ if }}\n{{- end }}{{ end }}\n{{ "unterminated\nkind: Deployment\n{{' >bin/templates/odd.yaml
check "binary and odd templates: no NR000, the literal still found" 1 "NR301" bin
mk binchart && head -c 2048 /dev/urandom | tr -d '\n' >binchart/Chart.yaml
check "binary Chart.yaml" 2 "NR000" binchart

# A symlink out of the chart is not followed.
mk link && ln -s /etc/passwd link/templates/passwd.yaml
check "symlinks are not followed" 1 "link/templates/pod.yaml" link

# Not a chart: a .tgz without Chart.yaml, named with --type helm.
mkdir -p notchart && echo hi >notchart/x && tar -czf notchart.tgz notchart
check "archive without Chart.yaml" 2 "not a packaged chart" --type helm notchart.tgz
finish
