#!/usr/bin/env python3
"""A Dockerfile's FROM base image, read with --pull, against a real registry on loopback.

buildah builds a base image with a named user `app` (uid 1000, group 1000, its home 0700) and
a folder owned by it (/opt/app, as $JBOSS_HOME belongs to jboss in jboss/wildfly), and pushes
it to docker-registry. Dockerfiles built FROM it are linted and simulated without --pull (the
base's user, accounts and files unknown) and with --pull (known): names in USER and chown
resolve through the base's /etc/passwd, the base's user carries into a Dockerfile without
USER, and the base's files give the HOME and VOLUME checks true answers. The ground truth for
those is the image buildah builds from the same Dockerfile: simulating it gives the same
failing checks. Exits 77 where the tools are missing."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import servers  # noqa: E402

UNROOT = os.environ.get("UNROOT", "unroot")
ENV = dict(os.environ)
failures = 0
checks = 0


def expect(cond, what):
    global failures, checks
    checks += 1
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures += 1


def run(*args, timeout=120):
    p = subprocess.run([UNROOT, *args], capture_output=True, text=True, timeout=timeout, env=ENV)
    return p.returncode, p.stdout, p.stderr


def lint(path, *extra):
    _, out, err = run("lint", "--no-config", "-f", "json", *extra, path)
    try:
        return [(d["rule"], d["message"]) for d in json.loads(out)["diagnostics"]]
    except (ValueError, KeyError):
        return [("?", out + err)]


def simulate(path, platform, *extra):
    _, out, err = run("simulate", "--no-config", "-f", "json", "--platform", platform, *extra,
                      path)
    try:
        return json.loads(out)["results"][0]
    except (ValueError, KeyError, IndexError):
        return {"error": out + err}


def failed(res):
    """The failing checks of a result, as (check, path, owner, group, mode)."""
    return sorted((c["check"], c["path"], c.get("owner"), c.get("group"), c.get("mode"))
                  for c in res.get("checks", []) if not c["ok"])


def sh(*args, env=None):
    p = subprocess.run(args, capture_output=True, text=True, env=env or ENV)
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(args), p.stderr))
    return p.stdout


def build_base(work, buildah, env, dest):
    """localhost/base:1: busybox, the account app (1000:1000, home /home/app 0700) and
    /opt/app owned by app; its config runs as app in /opt/app. Pushed to dest."""
    rootfs = os.path.join(work, "rootfs")
    for d in ("bin", "etc", "tmp", "home/app", "opt/app/lib"):
        os.makedirs(os.path.join(rootfs, d))
    shutil.copy("/bin/busybox", os.path.join(rootfs, "bin"))
    for a in ("sh", "ls", "id", "cat", "mkdir", "chown", "chmod"):
        os.symlink("busybox", os.path.join(rootfs, "bin", a))
    with open(os.path.join(rootfs, "etc", "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n")
    with open(os.path.join(rootfs, "etc", "group"), "w") as f:
        f.write("root:x:0:\napp:x:1000:\n")
    with open(os.path.join(rootfs, "opt", "app", "lib", "app.jar"), "w") as f:
        f.write("jar")
    os.chmod(os.path.join(rootfs, "tmp"), 0o1777)
    c = sh(*buildah, "from", "scratch", env=env).strip()
    sh(*buildah, "copy", c, rootfs + "/", "/", env=env)
    sh(*buildah, "commit", "-q", c, "localhost/bb:0", env=env)
    ctx = os.path.join(work, "base-ctx")
    os.makedirs(ctx)
    with open(os.path.join(ctx, "Dockerfile"), "w") as f:
        f.write("FROM localhost/bb:0\n"
                "RUN chown -R 1000:1000 /home/app /opt/app && chmod 700 /home/app\n"
                "USER app\nWORKDIR /opt/app\nCMD [\"sh\"]\n")
    sh(*buildah, "bud", "-q", "--isolation", "chroot", "-t", "localhost/base:1", ctx, env=env)
    store = "containers-storage:[vfs@%s+%s]" % (buildah[2], buildah[4])
    servers.push(store + "localhost/base:1", dest)


def dockerfile(work, name, text):
    d = os.path.join(work, name)
    os.makedirs(d)
    path = os.path.join(d, "Dockerfile")
    with open(path, "w") as f:
        f.write(text)
    return path


def run_all(work, stop):
    reg = servers.Registry(os.path.join(work, "reg"))
    stop.append(reg)
    buildah = ["buildah", "--root", os.path.join(work, "st"), "--runroot",
               os.path.join(work, "st-run"), "--storage-driver", "vfs"]
    env = dict(ENV, BUILDAH_ISOLATION="chroot")
    base = reg.host + "/test/base:1"
    build_base(work, buildah, env, base)

    # No USER: the base's user (app, 1000:1000 through its /etc/passwd) carries over.
    inherit = dockerfile(work, "inherit", "FROM %s\nENV HOME=/home/app\nVOLUME /opt/app\n"
                         "CMD [\"sh\"]\n" % base)
    without, pulled = lint(inherit), lint(inherit, "--pull")
    expect("NR101" in [r for r, _ in without] and "NR101" not in [r for r, _ in pulled],
           "no USER: NR101 (base not known) without --pull, not with it (%s)" % pulled)
    expect(any(r == "NR106" and "'1000'" in m and "read with --pull" in m for r, m in pulled),
           "no USER: --pull finds the base's group 1000, not 0 (NR106)")

    # USER app: the name is the base's account.
    named = dockerfile(work, "named", "FROM %s\nUSER app\n"
                       "RUN mkdir -p /opt/app/logs && chown app /opt/app/logs\n"
                       "CMD [\"sh\"]\n" % base)
    fix = {p: [m for r, m in lint(named, *p) if r == "NR103"] for p in ((), ("--pull",))}
    expect(fix[()] and "USER 1001:0" in fix[()][0],
           "USER app without --pull: the fix guesses 1001 (%s)" % fix[()])
    expect(fix[("--pull",)] and "USER 1000:0" in fix[("--pull",)][0],
           "USER app with --pull: the fix is app's uid in the base, 1000 (%s)"
           % fix[("--pull",)])
    res = simulate(named, "docker")
    expect(res.get("uid", {}).get("source") == "unknown",
           "simulate USER app without --pull: the uid is unknown (%s)" % res.get("uid"))
    res = simulate(named, "docker", "--pull")
    expect(res.get("uid", {}).get("id") == 1000 and res.get("uid", {}).get("source") == "passwd"
           and res.get("gid", {}).get("id") == 1000 and res.get("home") == "/home/app",
           "simulate USER app with --pull: 1000:1000 from the base's /etc/passwd, HOME "
           "/home/app (%s %s %s)" % (res.get("uid"), res.get("gid"), res.get("home")))
    res = simulate(named, "openshift", "--pull")
    expect(("home", "/opt/app", 1000, 1000, "0755") in failed(res),
           "simulate USER app --pull on OpenShift: HOME is the base's WORKDIR /opt/app, "
           "which app owns 0755 (%s)" % failed(res))

    # chown app: the base's account, not the final USER.
    chown = dockerfile(work, "chown", "FROM %s\nRUN chown -R app:app /opt/app\nUSER 1001:0\n"
                       "CMD [\"sh\"]\n" % base)
    without, pulled = lint(chown), lint(chown, "--pull")
    expect("NR111" not in [r for r, _ in without] and
           any(r == "NR111" and "uid 1000" in m for r, m in pulled),
           "chown app with USER 1001: NR111 only with --pull, naming uid 1000 (%s)" % pulled)

    # The files: HOME 0700 and /opt/app owned by app, against the image buildah builds.
    res = simulate(inherit, "openshift")
    unknown = failed(res)
    expect(not unknown and any("HOME /home/app" in u for u in res.get("unchecked", [])),
           "simulate without --pull on OpenShift: HOME and VOLUME are not checked (%s)"
           % res.get("unchecked"))
    res = simulate(inherit, "openshift", "--pull")
    got = failed(res)
    expect(("home", "/home/app", 1000, 1000, "0700") in got and
           ("volume", "/opt/app", 1000, 1000, "0755") in got,
           "simulate --pull on OpenShift: HOME /home/app 0700 and VOLUME /opt/app 0755, "
           "both app's, fail for the arbitrary uid (%s)" % got)
    built = reg.host + "/test/inherit:1"
    sh(*buildah, "bud", "-q", "--isolation", "chroot", "--tls-verify=false", "-t",
       "localhost/inherit:1", os.path.dirname(inherit), env=env)
    servers.push("containers-storage:[vfs@%s+%s]localhost/inherit:1" % (buildah[2], buildah[4]),
                 built)
    # The image's own app-file walk has no Dockerfile counterpart (its files are the build's).
    truth = [c for c in failed(simulate("docker://" + built, "openshift")) if c[0] != "app"]
    expect(got == truth, "the built image fails the same HOME, WORKDIR and VOLUME checks (%s)"
           % truth)
    for platform in ("docker", "openshift"):
        a = simulate(inherit, platform, "--pull")
        b = simulate("docker://" + built, platform)
        expect((a.get("uid"), a.get("gid"), a.get("home")) == (b.get("uid"), b.get("gid"),
                                                               b.get("home")),
               "%s: the Dockerfile with --pull and the built image run as the same user "
               "(%s %s)" % (platform, a.get("id"), a.get("home")))

    # A base that --image pairs with the Dockerfile itself: read once, no loop.
    selfref = dockerfile(work, "selfref", "FROM example.com/self:1\nUSER 1001:0\n")
    for cmd in ("lint", "simulate"):
        try:
            rc, _, err = run(cmd, "--no-config", "--pull", "--image",
                             "example.com/self*=" + selfref, selfref, timeout=30)
        except subprocess.TimeoutExpired:
            rc, err = -1, "timed out"
        expect(rc == 0, "%s --pull of a Dockerfile whose base pairs with itself ends (%d %s)"
               % (cmd, rc, err.strip()))


def main():
    miss = servers.missing_tools("docker-registry", "skopeo", "buildah")
    if miss or os.geteuid() != 0 or not os.path.exists("/bin/busybox"):
        print("SKIP: needs root, busybox-static and %s" % (", ".join(miss) or "nothing else"))
        return 77
    _, out, err = run("image", "--no-config", "docker://127.0.0.1:1/x:1")
    if "no unroot-fetch" in out + err:
        print("SKIP: this unroot was built without unroot-fetch (libcurl)")
        return 77
    work = tempfile.mkdtemp(prefix="unroot-pull-base-")
    stop = []
    try:
        ENV["HOME"] = work
        ENV["XDG_CACHE_HOME"] = os.path.join(work, "cache")
        ENV.pop("CONTAINERS_STORAGE_CONF", None)
        run_all(work, stop)
    finally:
        for s in reversed(stop):
            s.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("%d checks, %d failed" % (checks, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
