"""Checks the integration files the way their consumers read them.

.pre-commit-hooks.yaml: a list of hooks with the keys pre-commit requires, whose
`files`/`exclude` patterns (Python regular expressions, searched as pre-commit
does) pick exactly the inputs unroot reads, whose entries the built unroot
accepts. The CI snippets and the action are run by ci.py.

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
chart_files = ["chart/Chart.yaml", "chart/values.yaml", "chart/values-prod.yaml",
               "chart/templates/deployment.yaml", "charts/web/templates/_helpers.tpl",
               "chart/charts/redis-1.0.0.tgz", "chart/Chart.lock", "chart/values.schema.json"]

ids = set()
with tempfile.TemporaryDirectory() as tmp:
    for h in hooks:
        for key in ("id", "name", "entry", "language"):
            if key not in h:
                bad(f"hook {h.get('id')} has no {key}")
        if h["id"] in ids:
            bad(f"hook {h['id']} is listed twice")
        ids.add(h["id"])
        if h["language"] not in ("system", "docker", "script"):
            bad(f"hook {h['id']}: language {h['language']}")
        if h["language"] == "script":
            # A script of this repository, which pre-commit runs from its clone.
            script = os.path.join(src, h["entry"].split()[0])
            if not os.access(script, os.X_OK):
                bad(f"hook {h['id']}: {h['entry']} is not an executable file of the repository")
            elif "exec unroot " not in open(script).read():
                bad(f"hook {h['id']}: {h['entry']} does not run unroot")
        elif not h["entry"].startswith("unroot "):
            bad(f"hook {h['id']}: entry {h['entry']!r} does not run unroot")
        files = re.compile(h.get("files", ""))
        exclude = re.compile(h["exclude"]) if "exclude" in h else None

        def picks(path):
            return bool(files.search(path)) and not (exclude and exclude.search(path))

        if "helm" in h["id"]:
            want, others = chart_files, dockerfiles + neither + ["deploy.yaml", "k8s/pod.yml"]
        elif "fix" in h["id"]:
            want, others = dockerfiles + manifests, neither + templates
        elif "dockerfile" in h["id"]:
            want, others = dockerfiles, neither + manifests + templates
        else:
            want, others = manifests, neither + dockerfiles + templates
        for p in want:
            if not picks(p):
                bad(f"hook {h['id']} does not pick {p}")
        for p in others:
            if picks(p):
                bad(f"hook {h['id']} picks {p}")
        # pre-commit appends the file names to the entry; the fix command is not built yet.
        if h["language"] != "script" and "fix" not in h["id"]:
            accepted(h["entry"] + " --no-config x.yaml", tmp)
for want in ("unroot-dockerfile", "unroot-manifests", "unroot-helm"):
    if want not in ids:
        bad(f"no hook {want}")
if "docker" in {h["language"] for h in hooks} and not os.path.exists(os.path.join(src, "Dockerfile")):
    bad("a docker hook needs the Dockerfile at the top of the repository")

print(f"{len(hooks)} hooks checked, {len(problems)} problems")
sys.exit(1 if problems else 0)
