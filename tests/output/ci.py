"""The CI snippets of README.md ("In CI and pre-commit") and the GitHub Action, run
as their consumers run them, on a repository with findings and on a clean one.

    python3 ci.py SRC UNROOT MODE

MODE:
  action          action.yml against SchemaStore's schema for action metadata, the
                  README's workflow against its schema for workflows (and its `with:`
                  keys against the action's inputs), then the action's steps run as the
                  runner runs a composite action, with the unroot given (install: 'false')
  action-install  the same steps with install: 'true': unroot is built from SRC
  gitlab          the README's GitLab job: its script lines on a repository, the code
                  quality report against GitLab's schema; every Debian package its
                  before_script installs exists
  pre-commit      pre-commit itself with the README's .pre-commit-config.yaml, the hook
                  repository being a git repository of SRC tagged with the README's rev

Exit 77 (skip) when a tool the mode needs is missing.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

src, unroot, mode = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
here = os.path.dirname(os.path.abspath(__file__))
tools = os.environ.get("OUTPUT_TOOLS", os.path.join(src, "tests", ".tools", "output"))
problems = []


def bad(msg):
    problems.append(msg)
    print("FAIL:", msg)


def skip(why):
    print("SKIP:", why)
    sys.exit(77)


def snippet(name):
    """The YAML block after `<!-- snippet: NAME -->` in README.md."""
    readme = open(os.path.join(src, "README.md")).read()
    m = re.search(r"<!-- snippet: %s -->\n```yaml\n(.*?)```" % re.escape(name), readme, re.S)
    if not m:
        bad(f"README.md has no snippet {name}")
        sys.exit(1)
    return m.group(1)


def validate(schema, doc, what, each=False):
    """Validates a YAML document (as JSON) against a vendored schema with ajv; each:
    every item of the list doc."""
    if not os.path.exists(os.path.join(tools, "node_modules", "ajv")) or not shutil.which("node"):
        skip("ajv is not installed (scripts/install-tools-output.sh)")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(doc, f)
    p = subprocess.run(["node", os.path.join(src, "tests/golden/validate-json.js")] +
                       (["--each"] if each else []) + [os.path.join(here, "schema", schema), f.name],
                       capture_output=True, text=True, env=dict(os.environ, OUTPUT_TOOLS=tools))
    os.unlink(f.name)
    if p.returncode != 0:
        bad(f"{what} is not valid against {schema}:\n{p.stdout}{p.stderr}")
    else:
        print(f"{what}: valid against {schema}")


def sample_repo(root, clean):
    """A repository with a Dockerfile, a manifest and a chart; findings unless clean."""
    os.makedirs(os.path.join(root, "deploy"))
    os.makedirs(os.path.join(root, "chart", "templates"))
    user = "1001:0" if clean else "root"
    open(os.path.join(root, "Dockerfile"), "w").write(f"FROM alpine:3.20\nUSER {user}\n")
    ctx = ("runAsNonRoot: true\n            allowPrivilegeEscalation: false\n"
           "            capabilities:\n              drop: [ALL]\n"
           "            seccompProfile:\n              type: RuntimeDefault") if clean else "runAsUser: 0"
    open(os.path.join(root, "deploy", "web.yaml"), "w").write(f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
        - name: web
          image: example/web:1
          securityContext:
            {ctx}
""")
    open(os.path.join(root, "chart", "Chart.yaml"), "w").write(
        "apiVersion: v2\nname: web\nversion: 0.1.0\n")
    open(os.path.join(root, "chart", "values.yaml"), "w").write(
        "securityContext:\n  runAsNonRoot: true\n" if clean else
        "securityContext:\n  runAsUser: 0\n")
    open(os.path.join(root, "chart", "templates", "deployment.yaml"), "w").write("""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  template:
    spec:
      containers:
        - name: web
          image: example/web:1
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
""")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "sample")


def git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@localhost",
                    "-c", "init.defaultBranch=main", *args], cwd=cwd, check=True,
                   capture_output=True)


# --- GitHub ------------------------------------------------------------------------


class Context:
    """The expressions action.yml may use, and nothing else: the test fails on any other."""

    def __init__(self, inputs, action_path, temp):
        self.inputs, self.action_path, self.temp, self.steps = inputs, action_path, temp, {}

    def value(self, ref):
        ref = ref.strip()
        if ref.startswith("inputs."):
            return self.inputs[ref[7:]]
        if ref == "github.action_path":
            return self.action_path
        if ref == "runner.temp":
            return self.temp
        m = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", ref)
        if m:
            return self.steps.get(m.group(1), {}).get(m.group(2), "")
        raise ValueError(f"expression {ref!r} is not one the test knows")

    def expand(self, text):
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: self.value(m.group(1)), str(text))

    def condition(self, cond, failed):
        """`if:` of a step: terms joined with &&; success() is implied unless always() is there."""
        terms = [t.strip() for t in cond.split("&&")]
        result = "always()" in terms or not failed
        for t in terms:
            if t == "always()":
                continue
            m = re.fullmatch(r"(.+?)\s*(==|!=)\s*'([^']*)'", t)
            if not m:
                raise ValueError(f"condition {t!r} is not one the test knows")
            equal = self.value(m.group(1)) == m.group(3)
            result = result and (equal if m.group(2) == "==" else not equal)
        return result


def run_action(action, workspace, inputs, path_dirs, temp):
    """Runs action.yml's steps as the runner does; returns (exit status, log, uploads)."""
    given = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    given.update(inputs)
    ctx = Context(given, src, temp)
    env_path = os.pathsep.join(path_dirs + [os.environ["PATH"]])
    failed, log, uploads = False, "", []
    for step in action["runs"]["steps"]:
        runs = ctx.condition(step["if"], failed) if "if" in step else not failed
        if not runs:
            continue
        if "uses" in step:
            uploads.append((step["uses"], {k: ctx.expand(v) for k, v in step.get("with", {}).items()}))
            continue
        out = os.path.join(temp, "output")
        ghpath = os.path.join(temp, "path")
        open(out, "w").close()
        open(ghpath, "w").close()
        env = dict(os.environ, PATH=env_path, GITHUB_OUTPUT=out, GITHUB_PATH=ghpath,
                   GITHUB_WORKSPACE=workspace, GITHUB_ACTION_PATH=src, RUNNER_TEMP=temp)
        env.pop("NO_COLOR", None)
        env.update({k: ctx.expand(v) for k, v in step.get("env", {}).items()})
        # The runner writes the step's script to a file and runs it with these options.
        script = os.path.join(temp, "step.sh")
        open(script, "w").write(ctx.expand(step["run"]))
        p = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script],
                           cwd=workspace, env=env, capture_output=True, text=True)
        log += p.stdout + p.stderr
        if step.get("id"):
            outputs = {}
            for line in open(out).read().splitlines():
                k, _, v = line.partition("=")
                outputs[k] = v
            ctx.steps[step["id"]] = outputs
        for d in open(ghpath).read().splitlines():
            path_dirs.insert(0, d)
            env_path = os.pathsep.join(path_dirs + [os.environ["PATH"]])
        if p.returncode != 0:
            failed = True
            status = p.returncode
    return (status if failed else 0), log, uploads, ctx


def check_github(install):
    action = yaml.safe_load(open(os.path.join(src, "action.yml")))
    validate("github-action.json", action, "action.yml")
    wf_text = snippet("github-workflow")
    wf = yaml.safe_load(wf_text)
    # YAML 1.1 reads the key `on` as true; the workflow schema wants "on".
    if True in wf:
        wf["on"] = wf.pop(True)
    validate("github-workflow.json", wf, "README's GitHub workflow")
    steps = [s for job in wf["jobs"].values() for s in job.get("steps", [])]
    use = [s for s in steps if str(s.get("uses", "")).startswith("unroot/unroot@")]
    if not use:
        bad("the README's workflow does not use unroot/unroot@")
        return
    for k in use[0].get("with", {}):
        if k not in action["inputs"]:
            bad(f"the README's workflow passes {k}, which action.yml does not declare")
    perms = [job.get("permissions", {}) for job in wf["jobs"].values()]
    if not any(p.get("security-events") == "write" for p in perms):
        bad("uploading SARIF needs permissions: security-events: write")
    if not any(str(s.get("uses", "")).startswith("actions/checkout@") for s in steps):
        bad("the README's workflow does not check out the repository")
    if action["runs"]["using"] != "composite":
        bad("action.yml is not a composite action")
    if not any(str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")
               for s in action["runs"]["steps"]):
        bad("action.yml does not upload SARIF")

    with_inputs = {k: str(v) for k, v in use[0].get("with", {}).items()}
    with_inputs["install"] = "true" if install else "false"
    path_dirs = [] if install else [os.path.dirname(unroot)]
    with tempfile.TemporaryDirectory() as tmp:
        # Findings: the report step fails and annotates; SARIF is written and uploaded.
        ws = os.path.join(tmp, "findings")
        sample_repo(ws, clean=False)
        temp = os.path.join(tmp, "runner-temp")
        os.makedirs(temp)
        status, log, uploads, ctx = run_action(action, ws, with_inputs, list(path_dirs), temp)
        print(log[-3000:])
        if status != 1:
            bad(f"the action on a repository with findings: exit {status}, want 1")
        if "::error file=Dockerfile,line=2" not in log:
            bad("the action did not annotate the Dockerfile's USER root")
        if "::error file=deploy/web.yaml" not in log:
            bad("the action did not annotate the manifest")
        sarif = os.path.join(ws, ctx.steps.get("sarif", {}).get("sarif-file", "-"))
        if not os.path.exists(sarif):
            bad("the action wrote no SARIF file")
        else:
            runs = json.load(open(sarif))["runs"][0]
            uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    for r in runs["results"]}
            for want in ("Dockerfile", "deploy/web.yaml", "chart/values.yaml"):
                if want not in uris:
                    bad(f"the SARIF report has no result for {want} (has {sorted(uris)})")
        up = [w for u, w in uploads if u.startswith("github/codeql-action/upload-sarif@")]
        if not up:
            bad("the upload step did not run")
        elif up[0].get("sarif_file") != ctx.steps.get("sarif", {}).get("sarif-file"):
            bad(f"upload-sarif uploads {up[0].get('sarif_file')!r}, not the SARIF written")
        if install and not os.path.exists(os.path.join(temp, "unroot-build", "unroot")):
            bad("install: 'true' did not build unroot in $RUNNER_TEMP")

        # Clean: every step passes.
        ws = os.path.join(tmp, "clean")
        sample_repo(ws, clean=True)
        status, log, _, _ = run_action(action, ws, with_inputs, list(path_dirs), temp)
        if status != 0:
            print(log[-3000:])
            bad(f"the action on a clean repository: exit {status}, want 0")

        # Inputs are data: a path that looks like a command is not run.
        inj = dict(with_inputs, paths='$(touch injected) `touch injected2`',
                   args="--platform=openshift", **{"upload-sarif": "false"})
        status, log, uploads, _ = run_action(action, ws, inj, list(path_dirs), temp)
        if os.path.exists(os.path.join(ws, "injected")) or os.path.exists(os.path.join(ws, "injected2")):
            bad("an input was run as a command")
        if status != 2:
            bad(f"paths that do not exist: exit {status}, want 2")
        if uploads:
            bad("upload-sarif: 'false' still uploaded")


# --- GitLab ------------------------------------------------------------------------


def check_gitlab():
    job = yaml.safe_load(snippet("gitlab-ci"))
    if len(job) != 1:
        bad("the GitLab snippet is not one job")
    name, job = next(iter(job.items()))
    report = job.get("artifacts", {}).get("reports", {}).get("codequality")
    if not report:
        bad("the GitLab job has no artifacts:reports:codequality")
        return
    if job.get("artifacts", {}).get("when") != "always":
        bad("the report must be kept when the job fails (artifacts:when: always)")
    # before_script needs the network; what it installs must exist in Debian.
    pkgs = []
    for line in job.get("before_script", []):
        m = re.search(r"apt-get install (.*)", line)
        if m:
            pkgs += [w for w in m.group(1).split() if not w.startswith("-") and not w.startswith(">")]
    if not pkgs:
        bad("the GitLab job installs nothing")
    if shutil.which("apt-cache"):
        p = subprocess.run(["apt-cache", "show", "--no-all-versions"] + pkgs, capture_output=True, text=True)
        known = set(re.findall(r"^Package: (\S+)$", p.stdout, re.M))
        for pkg in pkgs:
            if pkg not in known:
                bad(f"the GitLab job installs {pkg}, which Debian does not have")
    if not any(report in line and "-f codeclimate" in line for line in job["script"]):
        bad(f"no script line writes {report} with -f codeclimate")
    with tempfile.TemporaryDirectory() as tmp:
        for clean, want in ((False, 1), (True, 0)):
            ws = os.path.join(tmp, "clean" if clean else "findings")
            sample_repo(ws, clean)
            env = dict(os.environ, PATH=os.path.dirname(unroot) + os.pathsep + os.environ["PATH"])
            # GitLab runs each line in one shell and stops at the first that fails.
            script = "set -e\n" + "\n".join(job["script"]) + "\n"
            p = subprocess.run(["bash", "-c", script], cwd=ws, env=env, capture_output=True, text=True)
            if p.returncode != want:
                print(p.stdout, p.stderr)
                bad(f"the GitLab job's script ({'clean' if clean else 'findings'}): exit {p.returncode}, want {want}")
            path = os.path.join(ws, report)
            if not os.path.exists(path):
                bad("the GitLab job wrote no code quality report")
                continue
            issues = json.load(open(path))
            if not clean:
                paths = {i["location"]["path"] for i in issues}
                for wantp in ("Dockerfile", "deploy/web.yaml"):
                    if wantp not in paths:
                        bad(f"the code quality report has no issue for {wantp}")
            validate("codeclimate.json", issues, f"{name}'s report", each=True)


# --- pre-commit --------------------------------------------------------------------


def check_pre_commit():
    if not shutil.which("pre-commit"):
        skip("pre-commit is not installed (scripts/install-deps.sh --test installs it)")
    cfg_text = snippet("pre-commit")
    cfg = yaml.safe_load(cfg_text)
    repo = cfg["repos"][0]
    with tempfile.TemporaryDirectory() as tmp:
        # The hook repository: this tree as it is now, committed, tagged with the rev.
        hooks = os.path.join(tmp, "hooks")
        files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                               cwd=src, capture_output=True, text=True)
        if files.returncode:
            names = [os.path.relpath(os.path.join(d, f), src)
                     for d, _, fs in os.walk(src) for f in fs
                     if not os.path.relpath(d, src).startswith(("build", "tests/.tools"))]
        else:
            names = [n for n in files.stdout.split("\0") if n]
        for n in names:
            if os.path.isfile(os.path.join(src, n)) and not os.path.islink(os.path.join(src, n)):
                os.makedirs(os.path.dirname(os.path.join(hooks, n)) or hooks, exist_ok=True)
                shutil.copy2(os.path.join(src, n), os.path.join(hooks, n))
        git(hooks, "init", "-q")
        git(hooks, "add", "-A")
        git(hooks, "commit", "-q", "-m", "hooks")
        git(hooks, "tag", repo["rev"])
        # The README's configuration, with the one change a test must make: where the repository is.
        local = cfg_text.replace(repo["repo"], hooks)
        env = dict(os.environ, PRE_COMMIT_HOME=os.path.join(tmp, "cache"),
                   PATH=os.path.dirname(unroot) + os.pathsep + os.environ["PATH"])
        env.pop("NO_COLOR", None)
        for clean, want in ((False, 1), (True, 0)):
            ws = os.path.join(tmp, "clean" if clean else "findings")
            sample_repo(ws, clean)
            open(os.path.join(ws, ".pre-commit-config.yaml"), "w").write(local)
            git(ws, "add", "-A")
            p = subprocess.run(["pre-commit", "run", "--all-files", "--color", "never"], cwd=ws,
                               env=env, capture_output=True, text=True)
            out = p.stdout + p.stderr
            print(out[-2500:])
            if p.returncode != want:
                bad(f"pre-commit ({'clean' if clean else 'findings'}): exit {p.returncode}, want {want}")
            for h in repo["hooks"]:
                hook_name = {"unroot-dockerfile": "unroot (Dockerfiles)",
                             "unroot-manifests": "unroot (Kubernetes manifests)",
                             "unroot-helm": "unroot (Helm charts)"}.get(h["id"])
                if hook_name and not re.search(re.escape(hook_name) + r"\.+(Passed|Failed)", out):
                    bad(f"pre-commit did not run {h['id']} on the sample")
            if not clean:
                for wantp in ("Dockerfile:2:", "deploy/web.yaml:", "chart/values.yaml:"):
                    if wantp not in out:
                        bad(f"pre-commit's output has no finding for {wantp}")


if mode in ("action", "action-install"):
    check_github(mode == "action-install")
elif mode == "gitlab":
    check_gitlab()
elif mode == "pre-commit":
    check_pre_commit()
else:
    print("unknown mode", mode)
    sys.exit(2)
print(f"{mode}: {len(problems)} problems")
sys.exit(1 if problems else 0)
