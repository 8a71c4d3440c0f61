#!/usr/bin/env python3
"""unroot fix against reality: Dockerfiles in the shape of real projects' (trimmed to what
builds offline on a busybox base), built with buildah before and after `unroot fix --write`,
and images fixed with `unroot fix --from-image`, whose derived Dockerfile is built on top of
them. Each image is unpacked and its entrypoint run as OpenShift runs it (chroot
--userspec=1000680000:0 --groups=0 in fresh namespaces). What failed before must work after,
and `unroot simulate --platform openshift` must have predicted both. Exits 77 (skipped)
where the tools or root are missing."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import groundtruth  # noqa: E402
from test_built import buildah_workspace, sh  # noqa: E402

UNROOT = os.environ.get("UNROOT", "unroot")
TOOLS = ["buildah", "skopeo", "umoci", "unshare", "chroot"]
APPLETS = ("sh", "ls", "id", "cat", "touch", "mkdir", "chmod", "chown", "chgrp", "cp",
           "printf", "echo", "rm", "ln", "setpriv", "test", "[", "env")

RUN_SH = "#!/bin/sh\\nset -e\\n"

# name: (where its shape comes from, Dockerfile after FROM, what the entrypoint does)
CASES = {
    # Data folders given to the app's uid and its own group (chown -R uid:uid), the pattern
    # of many official images' data volumes (e.g. a database's /var/lib/NAME).
    "chown-data": ("database images' data folder", """
RUN mkdir -p /var/lib/app && chown -R 1001:1001 /var/lib/app
VOLUME /var/lib/app
USER 1001
""", "echo state > /var/lib/app/state && cat /var/lib/app/state"),
    # COPY --chown=uid:uid of the app's files, read-only to others.
    "copy-chown": ("web apps' COPY --chown", """
COPY --chown=1001:1001 conf/ /app/conf/
RUN chmod 640 /app/conf/app.conf
USER 1001
""", "cat /app/conf/app.conf"),
    # A secret-like config only its owner may read (chmod 600).
    "chmod-owner-only": ("services that chmod 600 their config", """
RUN mkdir /app && echo conf > /app/app.conf && chown 1001:0 /app/app.conf && \\
    chmod 600 /app/app.conf
USER 1001:0
""", "cat /app/app.conf"),
    # An entrypoint script only its owner may run (COPY --chown, chmod 700).
    "entrypoint-0700": ("entrypoint scripts chmod 700", """
RUN mkdir /app && cp /run.sh /app/start.sh && chown 1001:1001 /app/start.sh && \\
    chmod 700 /app/start.sh
USER 1001
""", "echo started"),
}

# Images for --from-image: built as they are, fixed by a derived Dockerfile.
FROM_IMAGE = ["copy-chown", "chmod-owner-only", "entrypoint-0700"]


def make_base(work):
    r = os.path.join(work, "base")
    for d in ("bin", "etc", "tmp"):
        os.makedirs(os.path.join(r, d))
    sh("cp", "/bin/busybox", os.path.join(r, "bin", "busybox"))
    for a in APPLETS:
        os.symlink("busybox", os.path.join(r, "bin", a))
    with open(os.path.join(r, "etc", "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\n")
    with open(os.path.join(r, "etc", "group"), "w") as f:
        f.write("root:x:0:\n")
    os.chmod(os.path.join(r, "tmp"), 0o1777)
    c = sh("buildah", "from", "scratch").stdout.strip()
    sh("buildah", "copy", c, r + "/", "/")
    sh("buildah", "commit", "-q", c, "localhost/fixbase:1")


def build(work, ctx, name):
    """Builds ctx as localhost/NAME:t; returns the OCI layout and the unpacked root."""
    ref = "localhost/%s:t" % name
    sh("buildah", "bud", "--isolation", "chroot", "-q", "-t", ref, ctx)
    oci = os.path.join(work, name + "-oci")
    sh("skopeo", "copy", "-q", "containers-storage:" + ref, "oci:%s:t" % oci)
    root = groundtruth.unpack(oci, "t", os.path.join(work, name + "-bundle"))
    return oci, root


def config(oci):
    """The image config: entrypoint, cmd, user."""
    with open(os.path.join(oci, "index.json")) as f:
        m = json.load(f)["manifests"][0]["digest"].split(":")[1]
    with open(os.path.join(oci, "blobs", "sha256", m)) as f:
        c = json.load(f)["config"]["digest"].split(":")[1]
    with open(os.path.join(oci, "blobs", "sha256", c)) as f:
        return json.load(f).get("config", {})


def run_openshift(root, oci):
    """The entrypoint and cmd run as OpenShift runs them; True when it exits 0."""
    cfg = config(oci)
    argv = (cfg.get("Entrypoint") or []) + (cfg.get("Cmd") or [])
    env = ["env", "-i"] + (cfg.get("Env") or [])
    p = subprocess.run(["unshare", "-m", "-p", "-f", "-n", "-i", "-u",
                        "chroot", "--userspec=1000680000:0", "--groups=0", root] + env + argv,
                       capture_output=True, text=True, timeout=60)
    return p.returncode == 0, (p.stdout + p.stderr).strip()[-200:]


def simulate_breaks(oci):
    p = subprocess.run([UNROOT, "simulate", "--no-config", "--platform", "openshift", "-f",
                        "json", "oci:%s:t" % oci], capture_output=True, text=True, timeout=60)
    rows = json.loads(p.stdout)["results"]
    return any(r["breaks"] for r in rows)


def write_ctx(work, name, body, action):
    ctx = os.path.join(work, "ctx-" + name)
    os.makedirs(os.path.join(ctx, "conf"), exist_ok=True)
    with open(os.path.join(ctx, "conf", "app.conf"), "w") as f:
        f.write("conf\n")
    with open(os.path.join(ctx, "run.sh"), "w") as f:
        f.write("#!/bin/sh\nset -e\n%s\n" % action)
    os.chmod(os.path.join(ctx, "run.sh"), 0o755)
    entry = '["/app/start.sh"]' if name == "entrypoint-0700" else '["/run.sh"]'
    with open(os.path.join(ctx, "Dockerfile"), "w") as f:
        f.write("FROM localhost/fixbase:1\nCOPY run.sh /run.sh\n" + body.lstrip("\n") +
                "ENTRYPOINT %s\n" % entry)
    return ctx


def main():
    work = buildah_workspace(TOOLS, "unroot-fix-real-", "chroot as an arbitrary uid")
    if work is None:
        return 77
    try:
        make_base(work)
        return run_all(work)
    finally:
        subprocess.run(["buildah", "rm", "--all"], capture_output=True)
        subprocess.run(["rm", "-rf", work])


def check(failures, ok, what):
    print("%s: %s" % ("ok" if ok else "FAIL", what))
    return failures + (not ok)


def run_all(work):
    failures = 0
    built = {}
    for name, (shape, body, action) in CASES.items():
        ctx = write_ctx(work, name, body, action)
        oci, root = build(work, ctx, name + "-before")
        built[name] = oci
        works, out = run_openshift(root, oci)
        failures = check(failures, not works, "%s (%s): fails before the fix as uid "
                         "1000680000:0 (%s)" % (name, shape, out))
        failures = check(failures, simulate_breaks(oci),
                         "%s: simulate predicted the failure" % name)
        p = subprocess.run([UNROOT, "fix", "--no-config", "--write", "-q",
                            os.path.join(ctx, "Dockerfile")], capture_output=True, text=True)
        failures = check(failures, p.returncode in (0, 1),
                         "%s: unroot fix --write (exit %d) %s" % (name, p.returncode,
                                                                   p.stderr.strip()[-200:]))
        oci2, root2 = build(work, ctx, name + "-after")
        works, out = run_openshift(root2, oci2)
        failures = check(failures, works, "%s: works after the fix (%s)" % (name, out))
        failures = check(failures, not simulate_breaks(oci2),
                         "%s: simulate predicted that it works" % name)
    # a VOLUME cannot be changed by a derived image: the derived Dockerfile says so
    p = subprocess.run([UNROOT, "fix", "--no-config", "-q", "--from-image",
                        "oci:%s:t" % built["chown-data"]], capture_output=True, text=True)
    failures = check(failures, p.returncode == 0 and "/var/lib/app is in a VOLUME" in p.stdout
                     and "chgrp" not in p.stdout,
                     "chown-data: --from-image leaves the VOLUME to a mount:\n" + p.stdout)
    for name in FROM_IMAGE:
        oci = built[name]
        ctx = os.path.join(work, "derived-" + name)
        os.makedirs(ctx)
        df = os.path.join(ctx, "Dockerfile")
        p = subprocess.run([UNROOT, "fix", "--no-config", "-q", "--from-image",
                            "oci:%s:t" % oci, "--output", df], capture_output=True, text=True)
        failures = check(failures, p.returncode == 0 and os.path.exists(df),
                         "%s: unroot fix --from-image (exit %d) %s"
                         % (name, p.returncode, p.stderr.strip()[-200:]))
        if p.returncode:
            continue
        text = open(df).read()
        failures = check(failures, "chgrp -R 0 /app/" in text and "USER 1001:0" in text,
                         "%s: the derived Dockerfile gives group 0 the failing paths and "
                         "keeps the image's uid:\n%s" % (name, text))
        oci2, root2 = build(work, ctx, "derived-" + name)
        works, out = run_openshift(root2, oci2)
        failures = check(failures, works, "%s: the derived image works (%s)" % (name, out))
        failures = check(failures, not simulate_breaks(oci2),
                         "%s: simulate predicted that the derived image works" % name)
    print("%d failures" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
