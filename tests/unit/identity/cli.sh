#!/usr/bin/env bash
# unroot simulate on the command line: inputs of every kind, stdin, pairing through --image
# and the config key images, --platform, exit status, and the JSON schema of docs/simulate.md.
. "$UNROOT_SRC/tests/cli/lib.sh"

cat >Dockerfile <<'D'
FROM alpine:3.20
COPY --chown=3000:3000 --chmod=750 app /app
USER 3000
ENTRYPOINT ["/app/run.sh"]
D
cat >good.Dockerfile <<'D'
FROM alpine:3.20
COPY --chown=1001:0 app /app
USER 1001:0
D
cat >pod.yaml <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
      - name: app
        image: registry.example.com/web:1.0
Y

# A Dockerfile alone: a plain run on each platform; the article's USER 3000 breaks on OpenShift.
status 1 "plain run, OpenShift breaks" simulate --no-config Dockerfile
ok "four platforms" has out "docker "
ok "four platforms" has out "podman "
ok "four platforms" has out "kubernetes "
ok "four platforms" has out "openshift "
ok "names the path and the fix" has out "fix: RUN chgrp -R 0 /app && chmod -R g=u /app"
ok "says what it could not check" has out "not checked: entrypoint and interpreter"
status 0 "only docker: it works there" simulate --no-config --platform docker Dockerfile
status 0 "group 0 works everywhere" simulate --no-config good.Dockerfile

# A manifest paired with its Dockerfile, through --image, the config key, and stdin.
status 1 "paired, OpenShift breaks" simulate --no-config --image registry.example.com/web=Dockerfile pod.yaml
ok "kubernetes row" has out "Deployment/web:app"
printf 'images:\n  registry.example.com/web: good.Dockerfile\n' >.unroot.yaml
status 0 "paired through the config" simulate pod.yaml
ok "config pairing used" has out "1001 (USER)"
rm .unroot.yaml
status 0 "stdin with --type k8s" simulate --no-config --type k8s --image registry.example.com/web=good.Dockerfile - <pod.yaml
ok "stdin row" has out "Deployment/web:app"
status 0 "stdin without --type is read as manifests" simulate --no-config --image registry.example.com/web=good.Dockerfile - <pod.yaml
ok "stdin without --type: the row" has out "Deployment/web:app"
# Without a pair: the checks that could not be made are listed.
status 0 "unpaired" simulate --no-config --platform kubernetes pod.yaml
ok "unpaired says so" has out "not paired"
# runAsNonRoot with an image user nobody knows: whether the kubelet starts it is unknown.
status 0 "unpaired runAsNonRoot: exit 0" simulate --no-config -f json --platform kubernetes pod.yaml
ok "unpaired runAsNonRoot: starts unknown" python3 -c '
import json; d = json.load(open("out")); assert [r["starts"] for r in d["results"]] == ["unknown"], d'
printf 'FROM registry.example.com/base:1\nCOPY app /app\n' >nouser.Dockerfile
status 0 "unknown base user" simulate --no-config -f json --platform kubernetes --image registry.example.com/web=nouser.Dockerfile pod.yaml
ok "unknown base user: starts unknown" python3 -c '
import json; d = json.load(open("out")); assert [r["starts"] for r in d["results"]] == ["unknown"], d'
# No USER on an official OS image, which runs as root: lint (NR101, NR209) and simulate agree
# that the kubelet refuses it.
printf 'FROM alpine:3.20\nCOPY app /app\n' >rootbase.Dockerfile
status 1 "root base user" simulate --no-config -f json --platform kubernetes --image registry.example.com/web=rootbase.Dockerfile pod.yaml
ok "root base user: refused by the kubelet" python3 -c '
import json; d = json.load(open("out")); r = d["results"][0]
assert r["starts"] == "no" and r["uid"]["id"] == 0, d
assert r["refusals"][0]["message"] == "container has runAsNonRoot and image will run as root", d'
status 1 "root base user: lint" lint --no-config -f json --image registry.example.com/web=rootbase.Dockerfile pod.yaml rootbase.Dockerfile
ok "root base user: lint says root" python3 -c '
import json; d = json.load(open("out")); rules = sorted(x["rule"] for x in d["diagnostics"])
assert "NR209" in rules and "NR101" in rules, rules
assert any("runs as root" in x["message"] for x in d["diagnostics"] if x["rule"] == "NR101"), d'

# JSON: the keys docs/simulate.md lists.
status 1 "json" simulate --no-config -f json Dockerfile
ok "json parses" python3 -c '
import json, sys
d = json.load(open("out"))
assert d["tool"]["name"] == "unroot" and d["schema"] == 1
keys = ["platform", "input", "object", "container", "image", "paired", "user", "user_name",
        "uid", "gid", "groups", "id", "home", "home_from", "passwd", "starts", "refusals",
        "checks", "app_paths_not_checked", "unchecked", "first_failure", "breaks"]
for r in d["results"]:
    assert list(r) == keys, list(r)
    assert set(r["uid"]) == {"id", "source", "detail"}
os_ = [r for r in d["results"] if r["platform"] == "openshift"][0]
assert os_["breaks"] and os_["first_failure"] == "/app", os_
assert os_["uid"] == {"id": 1000680000, "source": "openshift-uid-range",
                      "detail": os_["uid"]["detail"]}
c = [c for c in os_["checks"] if not c["ok"]][0]
assert c["check"] == "app" and c["owner"] == 3000 and c["fix"].startswith("RUN chgrp")
assert d["summary"] == {"results": 4, "refused": 0, "broken": 1}, d["summary"]
'

# Refusals carry the platform's words and a position.
cat >named.Dockerfile <<'D'
FROM alpine:3.20
USER app
D
status 1 "kubelet refuses a named user" simulate --no-config -f json --platform kubernetes --image registry.example.com/web=named.Dockerfile pod.yaml
ok "kubelet message" has out "container has runAsNonRoot and image has non-numeric user (app), cannot verify user is non-root"
ok "position" has out '"line": 9'
# OpenShift's rejection.
sed 's/runAsNonRoot: true/runAsUser: 2000/' pod.yaml >pinned.yaml
status 1 "restricted-v2 rejects" simulate --no-config --platform openshift pinned.yaml
ok "openshift message" has out "Invalid value: 2000: must be in the ranges: [1000680000, 1000689999]"
# The OpenShift refusal does not fail a Kubernetes-only run.
status 0 "kubernetes only" simulate --no-config --platform kubernetes pinned.yaml

# Input errors: exit 2 with NR000.
status 2 "missing file" simulate --no-config nope.yaml
ok "missing named" has err "nope.yaml"
printf 'apiVersion: v1\nkind: Pod\nspec: [\n' >bad.yaml
status 2 "bad yaml" simulate --no-config bad.yaml
ok "NR000" has err "NR000"
status 2 "no input" simulate --no-config
status 2 "bad format" simulate --no-config -f sarif Dockerfile

# What the entrypoint does at start: simulate checks what lint's NR120 reports.
mkdir -p start
cat >start/Dockerfile <<'D'
FROM alpine:3.20
COPY entry.sh /entry.sh
USER 1001:0
ENTRYPOINT ["/entry.sh"]
D
printf '#!/bin/sh\nset -e\nchown -R app /data\nexec "$@"\n' >start/entry.sh
status 1 "an entrypoint chown breaks a non-root run" simulate --no-config --platform docker start/Dockerfile
ok "the start check names the line" has out "FAIL start"
ok "and where it is" has out "entry.sh:3"
status 1 "lint agrees (NR120)" --no-config start/Dockerfile
ok "NR120 fired" has out "NR120"

# An unknown uid is unknown: an emptyDir (0777) passes for any uid, nothing fails for it.
cat >empty.yaml <<'Y'
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: registry.example.com/other:1.0
    volumeMounts:
    - {name: scratch, mountPath: /scratch}
    - {name: data, mountPath: /data}
  volumes:
  - {name: scratch, emptyDir: {}}
  - {name: data, persistentVolumeClaim: {claimName: d}}
Y
status 0 "unknown uid: nothing fails" simulate --no-config --platform kubernetes empty.yaml
ok "the PVC is unknown, not failed" has out "mount /data: the uid is not known"

# A mode the Dockerfile does not give (COPY keeps the build context's): OpenShift's uid is
# neither owner nor in group 3000, so only the other bits could open /app. Unknown: neither a
# failure (exit 1) nor a pass.
sed 's/ --chmod=750//' Dockerfile >nomode.Dockerfile
status 0 "unknown mode: not a failure" simulate --no-config --platform openshift nomode.Dockerfile
ok "unknown mode: UNKNOWN, not FAIL" has out "UNKNOWN app /app (r--)"
ok "unknown mode: no FAIL" hasnt out "FAIL"
ok "unknown mode: the row says unknown" has out "unknown: 1 check depends on modes the build decides"
ok "unknown mode: says why" has out "only its other bits, which the build context decides, could open it"
ok "unknown mode: says how to make it certain" has out "add --chmod=MODE to the COPY on line 2"
status 0 "unknown mode: json" simulate --no-config -f json --platform openshift nomode.Dockerfile
ok "unknown mode: ok is null, nothing breaks" python3 -c '
import json; d = json.load(open("out")); r = d["results"][0]
c = [c for c in r["checks"] if c["path"] == "/app"][0]
assert c["ok"] is None and c["owner"] == 3000 and c["mode"] is None and c["fix"], c
assert r["first_failure"] is None and not r["breaks"], r
assert d["summary"]["broken"] == 0, d["summary"]'
if [ -d "${OUTPUT_TOOLS:-}/node_modules/ajv" ] && command -v node >/dev/null; then
	ok "unknown mode: the JSON is valid against the published schema" \
		node "$UNROOT_SRC/tests/golden/validate-json.js" "$UNROOT_SRC/docs/schema/simulate.json" out
fi
# The owner reads it whatever the mode: Docker runs uid 3000, nothing unknown there.
status 0 "unknown mode: the owner" simulate --no-config --platform docker nomode.Dockerfile
ok "unknown mode: the owner reads it" hasnt out "UNKNOWN"
# A known 0600 still fails, a known 0644 still passes.
sed 's/--chmod=750/--chmod=600/' Dockerfile >m600.Dockerfile
status 1 "0600: fails" simulate --no-config --platform openshift m600.Dockerfile
ok "0600: FAIL with the mode" has out "FAIL app /app (r--): /app belongs to 3000:3000 (mode 0600)"
sed 's/--chmod=750/--chmod=644/' Dockerfile >m644.Dockerfile
status 0 "0644: passes" simulate --no-config --platform openshift m644.Dockerfile
ok "0644: no FAIL" hasnt out "FAIL"
ok "0644: not unknown" hasnt out "UNKNOWN"
# A RUN chown without a mode is unknown the same way; a later chmod 700 decides it, once.
printf 'FROM alpine:3.20\nRUN mkdir -p /data && chown -R 3000:3000 /data\nUSER 3000\nCMD ["sh"]\n' >run.Dockerfile
status 0 "RUN chown, no mode: unknown" simulate --no-config --platform openshift run.Dockerfile
ok "RUN chown: UNKNOWN" has out "UNKNOWN app /data"
ok "RUN chown: how to make it certain" has out "write its mode (RUN chmod MODE /data) after line 2"
printf 'FROM alpine:3.20\nRUN mkdir -p /data && chown -R 3000:3000 /data && chmod 700 /data\nUSER 3000\nCMD ["sh"]\n' >run700.Dockerfile
status 1 "RUN chown, chmod 700: fails" simulate --no-config --platform openshift run700.Dockerfile
ok "RUN chmod 700: one failure, the last state" python3 -c '
import sys; t = open("out").read()
assert t.count("FAIL app /data") == 1 and "(mode 0700)" in t and "UNKNOWN" not in t, t'

# A folder the same RUN made with a plain mkdir is root's 0755 (umask 022): known, it passes;
# mkdir -p may find it there already, and keeps its mode: unknown.
printf 'FROM alpine:3.20\nRUN mkdir /data && chown 3000:3000 /data\nUSER 3000\nCMD ["sh"]\n' >mkdir.Dockerfile
status 0 "mkdir: 0755, passes" simulate --no-config --platform openshift mkdir.Dockerfile
ok "mkdir: not unknown" hasnt out "UNKNOWN"
printf 'FROM alpine:3.20\nRUN mkdir /data && chown 3000:3000 /data && chmod o-rx /data\nUSER 3000\nCMD ["sh"]\n' >mkdir750.Dockerfile
status 1 "mkdir then o-rx: 0750, fails" simulate --no-config --platform openshift mkdir750.Dockerfile
ok "mkdir then o-rx: the mode" has out "/data belongs to 3000:3000 (mode 0750)"

# NR207 says the files are out of reach through owner and group, which stays true with an
# unknown mode; simulate on the same pair says unknown, not broken: they agree.
sed 's/runAsNonRoot: true/runAsUser: 2000/' pod.yaml >ru.yaml
status 1 "unknown mode: NR207 still fires" lint --no-config --image registry.example.com/web=nomode.Dockerfile ru.yaml
ok "NR207 fired" has out "NR207"
ok "NR207 says the other bits are unknown" has out "only its other bits, which the build context decides, could open it"
status 0 "unknown mode: simulate on the pair" simulate --no-config --platform kubernetes --image registry.example.com/web=nomode.Dockerfile ru.yaml
ok "the pair: UNKNOWN app /app" has out "UNKNOWN app /app"

# NR206, NR207 and NR209 agree with simulate on the same pair.
status 1 "lint agrees (NR209)" --no-config --image registry.example.com/web=named.Dockerfile pod.yaml
ok "NR209 fired" has out "NR209"
finish
