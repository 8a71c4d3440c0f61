#!/usr/bin/env bash
# Mistakes are not silent: a rule, command, option or value that does not exist is a
# usage error (exit 2) that names the nearest one; a suppression's mistyped rule is an
# error, not its reason; `unroot image` on something else says what it is; charts
# linted without helm get one NR003 note.
. "$(dirname "$0")/lib.sh"

printf 'FROM alpine:3.20\nUSER root\n' >root.Dockerfile
printf 'FROM alpine:3.20\nUSER 1001:0\n' >clean.Dockerfile
no_path() { hasnt "$1" "$UNROOT"; } # messages say unroot, not the program's path

# Rule codes and names, in flags and in the config.
status 2 "--ignore NR1O7" lint --no-config --ignore NR1O7 root.Dockerfile
ok "--ignore: did you mean" has err "unknown rule 'NR1O7'; did you mean NR107 (group-implicit)?"
status 2 "--ignore user-rot" lint --no-config --ignore NR101,user-rot root.Dockerfile
ok "--ignore a name: did you mean" has err "did you mean NR102 (user-root)?"
status 1 "--ignore a known name" lint --no-config --ignore user-missing root.Dockerfile
status 2 "--ignore nothing like a rule" lint --no-config --ignore zzzzzzzz root.Dockerfile
ok "--ignore: unroot rules lists them" has err "'unroot rules' lists them"
printf 'ignore: [NR107, NR1O7]\n' >ignore.yaml
status 2 "config ignore: NR1O7" lint --config ignore.yaml root.Dockerfile
ok "config ignore: position and suggestion" has err "ignore.yaml:1:17: error: unknown rule 'NR1O7'; did you mean NR107"
printf 'severity: {NR103: error, NR1O3: off}\n' >severity.yaml
status 2 "config severity: NR1O3" lint --config severity.yaml root.Dockerfile
ok "config severity: position and suggestion" has err "severity.yaml:1:26: error: unknown rule 'NR1O3'; did you mean NR103"
printf 'ingore: [NR107]\n' >key.yaml
status 2 "config key ingore" lint --config key.yaml root.Dockerfile
ok "config key: did you mean" has err "unknown key 'ingore'; did you mean 'ignore'?"

# Suppressions: a mistyped rule is an error at its place, and never the reason.
printf 'FROM alpine:3.20\n# unroot ignore=NR1O2 the base image is fine\nUSER root\n' >sup.Dockerfile
status 2 "Dockerfile suppression of NR1O2" lint --no-config sup.Dockerfile
ok "Dockerfile suppression: position" has out "sup.Dockerfile:2:17: error: unknown rule 'NR1O2'; did you mean NR102 (user-root)?"
ok "Dockerfile suppression: the real finding stays" has out "[NR102 user-root]"
cat >pod.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    unroot/ignore: "NR202 NR21O because the platform adds it"
spec:
  containers:
    - name: c
      image: x
YAML
status 2 "annotation naming NR21O after a blank" lint --no-config pod.yaml
ok "annotation: NR21O is a mistake, not the reason" has out "pod.yaml:6:27: error: unknown rule 'NR21O'; did you mean NR210 (privilege-escalation)?"
ok "annotation: NR202 still suppressed" hasnt out "[NR202"
sed -i 's/NR202 NR21O because the platform adds it/NR202, NR210 because the platform adds it/' pod.yaml
status 1 "annotation with a reason" lint --no-config pod.yaml
ok "annotation: a reason is a reason" hasnt out "unknown rule"
mkdir -p chart/templates
printf 'apiVersion: v2\nname: c\nversion: 0.1.0\n' >chart/Chart.yaml
printf '# unroot ignore=NR3O3 root by design\nsecurityContext:\n  runAsUser: 0\n' >chart/values.yaml
status 2 "values.yaml suppression of NR3O3" lint --no-config --helm none chart
ok "values.yaml suppression: did you mean" has out "chart/values.yaml:1:17: error: unknown rule 'NR3O3'; did you mean NR303"

# Commands, options and values.
status 2 "unroot simualte" simualte clean.Dockerfile
ok "simualte: did you mean simulate" has err "unroot: 'simualte' is not a command or a file; did you mean 'unroot simulate'?"
cp clean.Dockerfile simualte
status 0 "a file named like a mistyped command is linted" simualte --no-config --type dockerfile
status 2 "--fromat" --fromat json clean.Dockerfile
ok "--fromat: did you mean --format" has err "unroot: unknown option '--fromat'; did you mean '--format'?"
ok "--fromat: no program path" no_path err
status 2 "lint --fromat=json" lint --fromat=json clean.Dockerfile
ok "lint --fromat=json: did you mean" has err "unroot lint: unknown option '--fromat'; did you mean '--format'?"
status 2 "-f jsno" lint -f jsno clean.Dockerfile
ok "-f jsno: did you mean json" has err "unknown format 'jsno'; did you mean 'json'?"
status 2 "--platform openshfit" --platform openshfit clean.Dockerfile
ok "--platform: did you mean openshift" has err "did you mean 'openshift'?"
status 2 "--format without a value" lint clean.Dockerfile --format
ok "--format without a value: says so" has err "option '--format' needs a value"
ok "--format without a value: no program path" no_path err
status 2 "--co is ambiguous" lint --co x clean.Dockerfile
ok "--co: says it is short for several" has err "is short for more than one option"
status 2 "explain user-rot" explain user-rot
ok "explain user-rot: did you mean" has err "did you mean NR102 (user-root)?"
status 2 "rules -f mardown" rules -f mardown
ok "rules -f mardown: did you mean markdown" has err "unroot rules: unknown format 'mardown'; did you mean 'markdown'?"
status 0 "rules -f md" rules -f md
status 2 "rules NR102: rules takes no rule" rules NR102
ok "rules NR102: points at explain" has err "'unroot explain RULE' tells one"
status 2 "version --jsno" version --jsno
ok "version --jsno: says it takes nothing" has err "unroot version: unexpected '--jsno'"
status 0 "version --help" version --help

# unroot image on what is not an image.
status 2 "unroot image on a Dockerfile" image --no-config root.Dockerfile
ok "image on a Dockerfile: says what it is" has out "'root.Dockerfile' is a Dockerfile, not an image: lint it with 'unroot lint root.Dockerfile'"
status 2 "unroot image on a manifest" image --no-config pod.yaml
ok "image on a manifest: says what it is" has out "is Kubernetes YAML or JSON, not an image"
status 2 "unroot image on a chart" image --no-config chart
ok "image on a chart: says what it is" has out "'chart' is a Helm chart, not an image"

# A chart without helm: one NR003 note about the run, whatever number of charts.
cp -r chart chart2
sed -i '1d' chart/values.yaml chart2/values.yaml
PATH=/nonexistent status 1 "charts without helm" lint --no-config chart chart2
ok "without helm: one note" test "$(grep -c 'rendered checks skipped' out)" = 1
ok "without helm: the note is NR003" has out "[NR003 rendered-checks-skipped]"
ok "without helm: the note says how to enable them" has out "install helm or pass --helm BIN"
finish
