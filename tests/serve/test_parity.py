#!/usr/bin/env python3
"""Every verdict of unroot serve is the CLI's on the same object. Workloads are taken from
the rule case files, the examples, the real-world corpus and the evaluation's cases; each
is posted to /validate of a server for Kubernetes and one for OpenShift, and linted and
simulated by the CLI from a file holding the same object:

  denied  <=>  `unroot lint --fail-on error` finds an error, or `unroot simulate` says a
               container would not start or breaks (exit 1)

and the findings the answer lists (status.message and warnings) are lint's, code for code
and level for level. Exits 77 when this unroot has no server."""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_lib as S  # noqa: E402
from serve_lib import expect  # noqa: E402

try:
    import yaml
    LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's: ten times faster
except ImportError:
    yaml = None

CHECKED = {("v1", "Pod"), ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"),
           ("apps/v1", "DaemonSet"), ("apps/v1", "ReplicaSet"), ("batch/v1", "Job"),
           ("batch/v1", "CronJob"), ("apps.openshift.io/v1", "DeploymentConfig")}
MAX_OBJECTS = 400


def docs_of(text):
    try:
        return [d for d in yaml.load_all(text, Loader=LOADER) if isinstance(d, dict)]
    except yaml.YAMLError:
        return []


def flatten(doc):
    if doc.get("kind") == "List" or str(doc.get("kind", "")).endswith("List"):
        for item in doc.get("items") or []:
            if isinstance(item, dict):
                yield from flatten(item)
    else:
        yield doc


def json_safe(o):
    """YAML timestamps and the like as the API server would have them: strings."""
    return json.loads(json.dumps(o, default=str))


def sources():
    src = S.SRC
    texts = []
    for path in sorted(glob.glob(os.path.join(src, "tests", "rules", "NR*.cases"))):
        body = open(path).read()
        for part in re.split(r"^--- ", body, flags=re.M)[1:]:
            name, _, rest = part.partition("\n")
            if name.strip().endswith((".yaml", ".yml")):
                texts.append(("%s:%s" % (os.path.basename(path), name.strip()),
                              re.split(r"^(?:---|===) ", rest, flags=re.M)[0]))
    roots = [os.path.join(src, "examples"), os.environ.get("UNROOT_CORPUS", ""),
             os.path.join(src, "tests", "realworld", "cases")]
    for root in roots:
        if not root or not os.path.isdir(root):
            continue
        for path in sorted(glob.glob(os.path.join(root, "**", "*.y*ml"), recursive=True)):
            if "/templates/" in path or os.path.getsize(path) > 1 << 20:
                continue  # Helm templates are not objects until rendered
            try:
                text = open(path).read()
                if "apiVersion" in text and "containers" in text:
                    texts.append((os.path.relpath(path, root), text))
            except (OSError, UnicodeDecodeError):
                pass
    return texts


def objects():
    seen = set()
    out = []
    for origin, text in sources():
        for doc in docs_of(text):
            for o in flatten(doc):
                if (o.get("apiVersion"), o.get("kind")) not in CHECKED:
                    continue
                o = json_safe(o)
                key = json.dumps(o, sort_keys=True)
                if key in seen:
                    continue
                seen.add(key)
                out.append((origin, o))
    return out[:MAX_OBJECTS]


def scc(o):
    """The CLI's options for a pod OpenShift's SCC admission handled (docs/serve.md)."""
    if o.get("kind") != "Pod" or "openshift.io/scc" not in (
            o.get("metadata", {}).get("annotations") or {}):
        return None
    spec = o.get("spec") or {}
    psc = spec.get("securityContext") or {}
    uid = psc.get("runAsUser")
    for c in spec.get("containers") or []:
        if uid is None:
            uid = (c.get("securityContext") or {}).get("runAsUser")
    args = ["--ignore", "NR208"]
    if isinstance(uid, int):
        args += ["--uid-range", "%d/1" % uid]
    if isinstance(psc.get("fsGroup"), int):
        args += ["--supplemental-groups", "%d/1" % psc["fsGroup"]]
    return args


def cli_platform(o, platform):
    if o.get("kind") == "DeploymentConfig" or scc(o) is not None:
        return "openshift"
    return platform


def cli_verdicts(files, platform, extra):
    """{path: (lint findings, simulate breaks)} for files linted as one group."""
    out = {f: ([], False) for f in files}
    if not files:
        return out
    p = subprocess.run([S.UNROOT, "lint", "--no-config", "-f", "json", "--platform", platform,
                        *extra, *files], capture_output=True, text=True, timeout=300)
    for d in json.loads(p.stdout)["diagnostics"]:
        out[d["path"]][0].append((d["rule"], d["severity"]))
    p = subprocess.run([S.UNROOT, "simulate", "--no-config", "-f", "json", "--platform",
                        platform, *extra, *files], capture_output=True, text=True, timeout=300)
    for row in json.loads(p.stdout)["results"]:
        if row["breaks"]:
            out[row["input"]] = (out[row["input"]][0], True)
    return out


def answer_findings(r):
    got = []
    msg = r.get("status", {}).get("message", "")
    for line in msg.split("\n"):
        m = re.match(r"- (\S+) \((error|warning|info|note)\)", line)
        if m:
            got.append((m.group(1), m.group(2)))
    for w in r.get("warnings", []):
        m = re.match(r"(?:dry run, would deny: )?(\S+) \((error|warning|info|note)\)", w)
        if m:
            got.append((m.group(1), m.group(2)))
    return got


def run(work, platform, objs):
    srv = S.Server(os.path.join(work, platform),
                   config="drain-delay: 0s\nlog-reviews: none\nplatform: %s\n" % platform)
    srv.start()
    files = []
    for i, (origin, o) in enumerate(objs):
        path = os.path.join(work, "%s-%03d.json" % (platform, i))
        with open(path, "w") as f:
            json.dump(o, f)
        files.append(path)
    groups = {}
    for (origin, o), path in zip(objs, files):
        args = scc(o) or []
        groups.setdefault((cli_platform(o, platform), tuple(args)), []).append(path)
    cli = {}
    for (plat, args), paths in groups.items():
        cli.update(cli_verdicts(paths, plat, list(args)))
    agree = denied = 0
    mismatches = []
    for (origin, o), path in zip(objs, files):
        _, r = srv.review(o, namespace="parity")
        lint, breaks = cli[path]
        want_deny = breaks or any(sev == "error" for _, sev in lint)
        got = answer_findings(r)
        got_lint = Counter(f for f in got if f[0].startswith("NR"))
        same_findings = len(lint) > 30 or got_lint == Counter(lint)
        same_sim = ("simulate", "error") in got if breaks else not any(
            f[0] == "simulate" for f in got)
        if r["allowed"] == (not want_deny) and same_findings and same_sim:
            agree += 1
        else:
            mismatches.append("%s %s/%s: served %s, CLI %s; %s vs %s" % (
                origin, o["kind"], o.get("metadata", {}).get("name"),
                "allowed" if r["allowed"] else "denied",
                "denies" if want_deny else "allows", sorted(got_lint), sorted(lint)))
        denied += not r["allowed"]
    expect(not mismatches, "%s: %d of %d objects judged as lint and simulate judge them "
           "(%d denied)" % (platform, agree, len(objs), denied))
    for m in mismatches[:10]:
        print("  " + m)
    srv.stop()
    return denied


def main():
    why = S.server_missing()
    if why:
        print("SKIP: %s" % why)
        return 77
    if yaml is None:
        print("FAIL: python3-yaml is needed (scripts/install-deps.sh --test)")
        return 1
    objs = objects()
    kinds = Counter(o["kind"] for _, o in objs)
    expect(len(objs) >= 100 and len(kinds) >= 6,
           "%d workloads to compare: %s" % (len(objs), dict(sorted(kinds.items()))))
    work = S.workdir("unroot-serve-parity-")
    try:
        for platform in ("kubernetes", "openshift"):
            denied = run(work, platform, objs)
            expect(0 < denied < len(objs), "%s: both verdicts occur (%d denied of %d)" % (
                platform, denied, len(objs)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return S.summary()


if __name__ == "__main__":
    sys.exit(main())
