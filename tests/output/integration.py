"""Checks the integration files the way their consumers read them.

.pre-commit-hooks.yaml: a list of hooks with the keys pre-commit requires, whose
`files`/`exclude` patterns (Python regular expressions, searched as pre-commit
does) pick exactly the inputs unroot reads. docs/github-actions.yml: a workflow
that uploads the SARIF file an unroot step writes, with the permission that
needs, and whose unroot command lines the built unroot accepts.

    python3 integration.py SRC UNROOT
"""
import os
import re
import subprocess
import sys
import tempfile

import yaml

src, unroot = sys.argv[1], sys.argv[2]
problems = []


def bad(msg):
    problems.append(msg)
    print("FAIL:", msg)


def accepted(cmdline, cwd):
    """Runs an unroot command line from a doc; true when its options parse."""
    words = cmdline.split()
    words[0] = unroot
    p = subprocess.run(words, cwd=cwd, capture_output=True, text=True)
    if p.returncode == 2 and "Try 'unroot" in p.stderr:
        bad(f"{cmdline!r} is a usage error: {p.stderr.strip()}")
        return False
    return True


with open(os.path.join(src, ".pre-commit-hooks.yaml")) as f:
    hooks = yaml.safe_load(f)
if not isinstance(hooks, list) or not hooks:
    bad(".pre-commit-hooks.yaml is not a list of hooks")
    hooks = []

dockerfiles = ["Dockerfile", "build/Containerfile", "app.Dockerfile", "x/api.containerfile",
               "Dockerfile.prod", "sub/Containerfile.dev", "dockerfile"]
manifests = ["deploy.yaml", "k8s/pod.yml", "list.json", "helm/chart/values.yaml"]
neither = ["README.md", "Dockerfile.md/x", "src/main.c", "docs/Dockerfiles.txt", "x.dockerignore",
           "docs/Dockerfile.md", "Dockerfile.dockerignore"]
templates = ["chart/templates/deployment.yaml", "templates/x.yml"]

ids = set()
with tempfile.TemporaryDirectory() as tmp:
    for h in hooks:
        for key in ("id", "name", "entry", "language"):
            if key not in h:
                bad(f"hook {h.get('id')} has no {key}")
        if h["id"] in ids:
            bad(f"hook {h['id']} is listed twice")
        ids.add(h["id"])
        if h["language"] not in ("system", "docker"):
            bad(f"hook {h['id']}: language {h['language']}")
        if not h["entry"].startswith("unroot "):
            bad(f"hook {h['id']}: entry {h['entry']!r} does not run unroot")
        files = re.compile(h.get("files", ""))
        exclude = re.compile(h["exclude"]) if "exclude" in h else None

        def picks(path):
            return bool(files.search(path)) and not (exclude and exclude.search(path))

        want = dockerfiles if "dockerfile" in h["id"] else manifests
        for p in want:
            if not picks(p):
                bad(f"hook {h['id']} does not pick {p}")
        for p in neither + (dockerfiles if want is manifests else manifests) + templates:
            if picks(p):
                bad(f"hook {h['id']} picks {p}")
        # pre-commit appends the file names to the entry.
        accepted(h["entry"] + " --no-config x.yaml", tmp)
for want in ("unroot-dockerfile", "unroot-manifests"):
    if want not in ids:
        bad(f"no hook {want}")
if "docker" in {h["language"] for h in hooks} and not os.path.exists(os.path.join(src, "Dockerfile")):
    bad("a docker hook needs the Dockerfile at the top of the repository")

with open(os.path.join(src, "docs/github-actions.yml")) as f:
    wf = yaml.safe_load(f)
# YAML 1.1 reads the key `on` as true.
if not (wf.get("on") or wf.get(True)):
    bad("the workflow has no triggers")
steps = [s for job in wf.get("jobs", {}).values() for s in job.get("steps", [])]
perms = [job.get("permissions", {}) for job in wf.get("jobs", {}).values()]
upload = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")]
if not upload:
    bad("the workflow does not upload SARIF")
if not any(p.get("security-events") == "write" for p in perms):
    bad("uploading SARIF needs permissions: security-events: write")
runs = [line.strip() for s in steps for line in str(s.get("run", "")).splitlines()]
lines = [l for l in runs if l.startswith("unroot ")]
sarif_out = None
with tempfile.TemporaryDirectory() as tmp:
    for l in lines:
        accepted(l, tmp)
        m = re.search(r"--format sarif .*--output (\S+)|-f sarif .*--output (\S+)", l)
        if m:
            sarif_out = m.group(1) or m.group(2)
if not sarif_out:
    bad("no step writes SARIF with --output")
elif upload and upload[0].get("with", {}).get("sarif_file") != sarif_out:
    bad(f"upload-sarif uploads {upload[0].get('with', {}).get('sarif_file')}, unroot writes {sarif_out}")
if not any("--format github" in l or "-f github" in l for l in lines):
    bad("no step annotates the pull request (--format github)")

print(f"{len(hooks)} hooks, {len(lines)} unroot steps checked, {len(problems)} problems")
sys.exit(1 if problems else 0)
