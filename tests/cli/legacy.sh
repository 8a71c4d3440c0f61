#!/usr/bin/env bash
# Legacy repositories: a baseline of today's findings (matched by rule, path and
# fingerprint, so line moves keep them; stale entries are NR001), --exclude and
# `exclude:`, what git ignores skipped in walks unless named, `unroot/ignore: all`, and
# suppression annotations on pod templates.
. "$(dirname "$0")/lib.sh"
gitc() { git -c user.name=t -c user.email=t@localhost -c init.defaultBranch=main "$@"; }

# --- baselines ------------------------------------------------------------------
mkdir -p repo/deploy repo/sub && gitc -C repo init -q
printf 'FROM alpine:3.20\nUSER root\n' >repo/deploy/Dockerfile
printf 'FROM alpine:3.20\nUSER 0\n' >repo/deploy/other.Dockerfile
cd repo || exit 2
status 0 "--write-baseline exits 0 for the findings it records" lint --no-config --write-baseline base.json deploy
ok "--write-baseline still reports" has out "[NR102 user-root]"
ok "the baseline names the path from the repository's top" has base.json '"path": "deploy/Dockerfile"'
ok "the baseline has a fingerprint" grep -Eq '"fingerprint": "[0-9a-f]{32}"' base.json
status 0 "with the baseline: nothing new" lint --no-config --baseline base.json deploy
ok "with the baseline: nothing reported" test ! -s out
(cd sub && "$UNROOT" lint --no-config --baseline ../base.json ../deploy >../out 2>../err)
ok "from a subfolder: the same entries match" test ! -s out
printf '# moved down\n\n\nFROM alpine:3.20\nRUN true\nUSER   root\n' >deploy/Dockerfile
status 0 "lines moved: still in the baseline" lint --no-config --baseline base.json deploy
printf 'FROM alpine:3.20\nUSER 1001:0\n' >deploy/Dockerfile
status 0 "fixed: a stale entry is info" lint --no-config --baseline base.json deploy
ok "stale entry: NR001 at its place in the baseline" grep -q '^base.json:[0-9]*:[0-9]*: info: the baseline entry for NR102 in .deploy/Dockerfile. (line 2 when recorded) matched no finding.*\[NR001 unused-suppression\]' out
printf 'FROM alpine:3.20\nUSER root:root\n' >deploy/Dockerfile
status 1 "another text: a new finding" lint --no-config --baseline base.json deploy
ok "new finding reported" has out "deploy/Dockerfile:2:1: error"
printf 'FROM alpine:3.20\nUSER 0\n' >deploy/third.Dockerfile
status 1 "a new file: its findings are new" lint --no-config --baseline base.json deploy
ok "new file reported" has out "deploy/third.Dockerfile:2"
rm deploy/third.Dockerfile
status 0 "--write-baseline over --baseline records both" lint --no-config --baseline base.json --write-baseline base2.json deploy
ok "the new baseline holds the baselined and the new" test "$(grep -c '"rule": "NR102"' base2.json)" = 2
status 0 "the new baseline covers everything" lint --no-config --baseline base2.json deploy
# --write-baseline never replaces a file the run reads, nor the report.
cp deploy/Dockerfile keep.Dockerfile
status 2 "--write-baseline naming a named input" lint --no-config --write-baseline deploy/Dockerfile deploy/Dockerfile
ok "--write-baseline over an input: says so" has err "--write-baseline 'deploy/Dockerfile' is the input 'deploy/Dockerfile'; the baseline would replace it, so nothing was written"
ok "--write-baseline over an input: the input is untouched" cmp -s deploy/Dockerfile keep.Dockerfile
cp deploy/other.Dockerfile keep-other.Dockerfile
status 2 "--write-baseline naming an input found in a walk" lint --no-config --write-baseline deploy/other.Dockerfile deploy
ok "walked input untouched" cmp -s deploy/other.Dockerfile keep-other.Dockerfile
rm keep-other.Dockerfile
ln -s deploy/Dockerfile link.json
status 2 "--write-baseline through a symlink to an input" lint --no-config --write-baseline link.json deploy
ok "symlinked input untouched" cmp -s deploy/Dockerfile keep.Dockerfile
rm link.json keep.Dockerfile
status 2 "--write-baseline and --output the same new file" lint --no-config --write-baseline same.json --output same.json deploy
ok "same file: says so, writes nothing" test ! -e same.json
cp base2.json base3.json
status 0 "--write-baseline may replace the --baseline it read" lint --no-config --baseline base3.json --write-baseline base3.json deploy
ok "the rewritten baseline holds the findings" test "$(grep -c '"rule": "NR102"' base3.json)" = 2
status 2 "--output may not replace the --baseline" lint --no-config --baseline base3.json --output base3.json deploy
ok "--output over the baseline: the baseline stays" test "$(grep -c '"rule": "NR102"' base3.json)" = 2
printf 'baseline: base2.json\n' >.unroot.yaml
status 0 "config baseline:" lint deploy
rm .unroot.yaml
printf '{"schema": 1, "findings": [{"rule": "NR1O2", "path": "x", "fingerprint": "00000000000000000000000000000000"}]}' >bad.json
status 2 "a baseline with an unknown rule" lint --no-config --baseline bad.json deploy
ok "baseline: unknown rule, did you mean" has out "unknown rule 'NR1O2'; did you mean NR102"
printf '{"schema": 2, "findings": []}' >bad.json
status 2 "a baseline of another schema" lint --no-config --baseline bad.json deploy
ok "baseline: schema named" has out "the baseline's schema is 2"
printf '[1, 2' >bad.json
status 2 "a baseline that is no JSON" lint --no-config --baseline bad.json deploy
status 2 "a missing baseline" lint --no-config --baseline nothing.json deploy
ok "missing baseline: says so" has out "cannot read the baseline 'nothing.json'"
cd .. || exit 2

# --- excludes -------------------------------------------------------------------
mkdir -p ex/legacy/deep ex/deploy/old ex/keep
for f in legacy/deep/Dockerfile deploy/old/Dockerfile deploy/Dockerfile keep/Dockerfile keep/x.gen.Dockerfile; do
	printf 'FROM alpine:3.20\nUSER root\n' >"ex/$f"
done
files() { grep -o '^[^:]*:[0-9]*:[0-9]*' out | cut -d: -f1 | sort -u | tr '\n' ' '; }
status 1 "--exclude a name at any depth" lint --no-config --exclude legacy ex
ok "--exclude legacy" test "$(files)" = "ex/deploy/Dockerfile ex/deploy/old/Dockerfile ex/keep/Dockerfile ex/keep/x.gen.Dockerfile "
status 1 "--exclude anchored, * crosses slashes" lint --no-config --exclude 'ex/deploy/*' --exclude '*.gen.Dockerfile' ex
ok "--exclude ex/deploy/*" test "$(files)" = "ex/keep/Dockerfile ex/legacy/deep/Dockerfile "
status 1 "--exclude **/old and a folder-only glob" lint --no-config --exclude '**/old' --exclude 'deep/' ex
ok "--exclude **/old deep/" test "$(files)" = "ex/deploy/Dockerfile ex/keep/Dockerfile ex/keep/x.gen.Dockerfile "
status 0 "--exclude applies to named paths" lint --no-config --exclude 'keep' ex/keep/Dockerfile
ok "named and excluded: no input" has err "0 inputs"
printf 'exclude: [deploy, "keep/*.gen.*"]\n' >ex/.unroot.yaml
(cd ex && "$UNROOT" lint . >../out 2>../err)
ok "config exclude: relative to the config's folder" test "$(files)" = "./keep/Dockerfile ./legacy/deep/Dockerfile "
rm ex/.unroot.yaml

# --- .gitignore -----------------------------------------------------------------
mkdir -p gi/build gi/deploy gi/gen
gitc -C gi init -q
printf 'build/\n*.gen.yaml\n!keep.gen.yaml\ngen/\n' >gi/.gitignore
for f in build/Dockerfile deploy/Dockerfile gen/Dockerfile; do printf 'FROM alpine:3.20\nUSER root\n' >"gi/$f"; done
pod='apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x}]}\n'
printf "$pod" >gi/deploy/a.gen.yaml
printf "$pod" >gi/deploy/keep.gen.yaml
printf "$pod" >gi/deploy/tracked.gen.yaml
gitc -C gi add .gitignore && gitc -C gi add -f deploy/tracked.gen.yaml && gitc -C gi commit -q -m x
status 1 "a walk in a git repository" lint --no-config gi
ok "git ignores build/, gen/ and a.gen.yaml; keeps the negated and the tracked" \
	test "$(files)" = "gi/deploy/Dockerfile gi/deploy/keep.gen.yaml gi/deploy/tracked.gen.yaml "
status 1 "a named ignored file is linted" lint --no-config gi/build/Dockerfile gi/deploy/a.gen.yaml
ok "named ignored files" test "$(files)" = "gi/build/Dockerfile gi/deploy/a.gen.yaml "
status 1 "a named ignored folder is linted whole" lint --no-config gi/build
ok "named ignored folder" test "$(files)" = "gi/build/Dockerfile "
status 1 "--no-gitignore" lint --no-config --no-gitignore gi
ok "--no-gitignore walks everything" test "$(files)" = "gi/build/Dockerfile gi/deploy/Dockerfile gi/deploy/a.gen.yaml gi/deploy/keep.gen.yaml gi/deploy/tracked.gen.yaml gi/gen/Dockerfile "
printf 'gitignore: false\n' >gi/.unroot.yaml
(cd gi && "$UNROOT" lint . >../out 2>../err)
ok "config gitignore: false" test "$(files | wc -w)" = 6
rm gi/.unroot.yaml
(cd gi/deploy && "$UNROOT" lint --no-config . >../../out 2>../../err)
ok "from a subfolder, the repository's rules" test "$(files)" = "./Dockerfile ./keep.gen.yaml ./tracked.gen.yaml "
mkdir nogit && ln -s "$(command -v "$UNROOT")" nogit/unroot 2>/dev/null
PATH=/nonexistent status 1 "without git" lint --no-config gi
ok "without git: everything linted" test "$(files | wc -w)" = 6

# --- unroot/ignore: all, and annotations on pod templates -------------------------
cat >tmpl.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations:
        unroot/ignore: "NR201,NR208 the vendor image needs it"
    spec:
      containers:
        - name: web
          image: x
          securityContext: {runAsUser: 0, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: job
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            unroot/ignore: all
        spec:
          containers:
            - {name: j, image: x}
---
apiVersion: v1
kind: Pod
metadata:
  name: other
spec:
  containers:
    - {name: o, image: x, securityContext: {runAsUser: 0}}
YAML
status 1 "annotations on pod templates" lint --no-config tmpl.yaml
ok "the Deployment's template annotation covers its pods" hasnt out "Deployment/web"
ok "the CronJob's template annotation, all, covers every rule" hasnt out "CronJob/job"
ok "another object is not covered" has out "Pod/other container o: runAsUser: 0"
printf 'FROM alpine:3.20\n# unroot ignore=all legacy image\nUSER root\n' >all.Dockerfile
status 0 "# unroot ignore=all" lint --no-config all.Dockerfile
finish
