#!/usr/bin/env python3
"""Images where Podman and Buildah keep them, and as a Docker Engine API serves them.

containers-storage: a store that buildah fills (overlay driver, RUN steps in layers of their
own, so whiteouts and opaque folders), and one that `podman load` fills (vfs driver); named by
[driver@root+runroot], by storage.conf, by a short name and by image ID; the same tree and
findings as the image exported by skopeo; waiting on the store's lock while another process
writes. docker-daemon: `podman system service` on a unix socket in a private folder, found
through DOCKER_HOST; the same tree and findings; an image that is not there. Exits 77 where
the tools or root are missing."""
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import servers  # noqa: E402

UNROOT = os.environ.get("UNROOT", "unroot")
failures = 0
checks = 0
ENV = dict(os.environ)


def run(*args, env=None, timeout=120):
    t0 = time.time()
    p = subprocess.run([UNROOT, *args], capture_output=True, text=True, timeout=timeout,
                       env=env or ENV)
    return p.returncode, p.stdout, p.stderr, time.time() - t0


def findings(ref, *extra, env=None):
    rc, out, err, took = run("image", "--no-config", "-f", "json", *extra, ref, env=env)
    try:
        diags = json.loads(out)["diagnostics"]
    except (ValueError, KeyError):
        diags = [{"rule": "?", "message": out + err}]
    return rc, sorted((d["rule"], d["message"]) for d in diags), took


def tree(ref, env=None):
    rc, out, err, _ = run("image", "--no-config", "--tree", "/", ref, env=env)
    return rc, [line for line in out.splitlines() if not line.startswith("#")], err


def expect(cond, what):
    global failures, checks
    checks += 1
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures += 1


DOCKERFILE = """FROM localhost/bb:base
RUN mkdir -p /app/d /app/gone && echo a > /app/a && echo b > /app/d/b && \\
    printf '#!/bin/sh\\necho hi\\n' > /app/run.sh && chmod 750 /app/run.sh && \\
    chown -R 1001:1001 /app
RUN rm /app/a && rm -rf /app/d && mkdir /app/d && echo n > /app/d/new && rm -rf /app/gone
USER 1001
ENTRYPOINT ["/app/run.sh"]
"""


def sh(*args, env=None):
    p = subprocess.run(args, capture_output=True, text=True, env=env or ENV)
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(args), p.stderr))
    return p.stdout


def fill_store(work, driver):
    """A store of the given driver holding localhost/bb:base and localhost/app:t."""
    root, runroot = os.path.join(work, driver), os.path.join(work, driver + "-run")
    b = ["buildah", "--root", root, "--runroot", runroot, "--storage-driver", driver]
    env = dict(ENV, BUILDAH_ISOLATION="chroot")
    rootfs = os.path.join(work, "rootfs")
    if not os.path.exists(rootfs):
        for d in ("bin", "etc", "tmp"):
            os.makedirs(os.path.join(rootfs, d))
        shutil.copy("/bin/busybox", os.path.join(rootfs, "bin"))
        for a in ("sh", "ls", "id", "cat", "mkdir", "rm", "chmod", "chown", "printf", "echo"):
            os.symlink("busybox", os.path.join(rootfs, "bin", a))
        with open(os.path.join(rootfs, "etc", "passwd"), "w") as f:
            f.write("root:x:0:0:root:/root:/bin/sh\napp:x:1001:1001::/app:/bin/sh\n")
        with open(os.path.join(rootfs, "etc", "group"), "w") as f:
            f.write("root:x:0:\napp:x:1001:\n")
        os.chmod(os.path.join(rootfs, "tmp"), 0o1777)
        ctx = os.path.join(work, "ctx")
        os.makedirs(ctx)
        with open(os.path.join(ctx, "Dockerfile"), "w") as f:
            f.write(DOCKERFILE)
    c = sh(*b, "from", "scratch", env=env).strip()
    sh(*b, "copy", c, rootfs + "/", "/", env=env)
    sh(*b, "commit", "-q", c, "localhost/bb:base", env=env)
    sh(*b, "bud", "-q", "--layers", "--isolation", "chroot", "-t", "localhost/app:t",
       os.path.join(work, "ctx"), env=env)
    return root, runroot


def main():
    miss = servers.missing_tools("buildah", "skopeo", "podman")
    if miss or os.geteuid() != 0 or not os.path.exists("/bin/busybox"):
        print("SKIP: needs root, busybox-static and %s" % (", ".join(miss) or "nothing else"))
        return 77
    work = tempfile.mkdtemp(prefix="unroot-local-")
    stop = []
    try:
        ENV["HOME"] = work
        ENV.pop("CONTAINERS_STORAGE_CONF", None)
        ENV.pop("DOCKER_HOST", None)
        run_all(work, stop)
    finally:
        for s in stop:
            s()
        shutil.rmtree(work, ignore_errors=True)
    print("%d checks, %d failed" % (checks, failures))
    return 1 if failures else 0


def storage(work, driver, root, runroot, want_tree, want_findings):
    import glob
    import gzip
    names = b"".join(gzip.open(f).read() for f in
                     glob.glob(os.path.join(root, driver + "-layers", "*.tar-split.gz")))
    expect(b'.wh.a"' in names and (driver != "overlay" or b'.wh..wh..opq"' in names),
           "%s: the store's layers hold whiteouts (and, with overlay, an opaque folder)"
           % driver)
    ref = "containers-storage:[%s@%s+%s]localhost/app:t" % (driver, root, runroot)
    rc, t, err = tree(ref)
    expect(rc == 0 and t == want_tree,
           "%s: the same tree as the exported image (%d rows, %s)" % (driver, len(t), err[-300:]))
    rc, f, _ = findings(ref)
    expect(rc == 1 and f == want_findings, "%s: the same findings (%s)" % (driver, f))
    conf = os.path.join(work, driver + ".conf")
    with open(conf, "w") as fh:
        fh.write('[storage]\ndriver = "%s"\nrunroot = "%s"\ngraphroot = "%s"\n'
                 % (driver, runroot, root))
    env = dict(ENV, CONTAINERS_STORAGE_CONF=conf)
    for name in ("localhost/app:t", "app:t"):
        rc, f, _ = findings("containers-storage:" + name, env=env)
        expect(rc == 1 and f == want_findings,
               "%s: containers-storage:%s through storage.conf" % (driver, name))
    images = json.load(open(os.path.join(root, driver + "-images", "images.json")))
    app = [i for i in images if "localhost/app:t" in i.get("names", [])][0]
    rc, f, _ = findings("containers-storage:" + app["id"][:12], env=env)
    expect(rc == 1 and f == want_findings, "%s: by image ID prefix" % driver)
    rc, f, _ = findings("containers-storage:localhost/nope:t", env=env)
    expect(rc == 2 and "has no image 'localhost/nope:t'" in str(f),
           "%s: an image the store lacks: %s" % (driver, f))
    return root, runroot, env


def lock_test(root, driver, env):
    lockpath = os.path.join(root, driver + "-layers", "layers.lock")
    fd = os.open(lockpath, os.O_RDWR)
    fcntl.lockf(fd, fcntl.LOCK_EX)
    threading.Timer(1.5, lambda: (fcntl.lockf(fd, fcntl.LOCK_UN), os.close(fd))).start()
    rc, f, took = findings("containers-storage:localhost/app:t", env=env)
    expect(rc == 1 and took >= 1.3, "a writer's lock on the layers is waited for (%.1f s)" % took)
    fd2 = os.open(lockpath, os.O_RDWR)
    fcntl.lockf(fd2, fcntl.LOCK_EX)
    try:
        rc, f, took = findings("containers-storage:localhost/app:t", "--timeout", "1", env=env)
        expect(rc == 2 and "stayed locked" in str(f) and took < 10,
               "a lock held past --timeout is an error (%.1f s): %s" % (took, f))
    finally:
        fcntl.lockf(fd2, fcntl.LOCK_UN)
        os.close(fd2)


def daemon(work, archive, want_tree, want_findings, stop):
    sock_dir = tempfile.mkdtemp(prefix="unroot-daemon-")
    stop.append(lambda: shutil.rmtree(sock_dir, ignore_errors=True))
    sock = os.path.join(sock_dir, "podman.sock")
    p = ["podman", "--root", os.path.join(work, "p-store"), "--runroot",
         os.path.join(work, "p-run"), "--storage-driver", "vfs"]
    sh(*p, "load", "-q", "-i", archive)
    log = open(os.path.join(work, "service.log"), "w")
    svc = subprocess.Popen(p + ["system", "service", "--time=0", "unix://" + sock], stdout=log,
                           stderr=log)

    def stop_service():
        if svc.poll() is None:
            os.kill(svc.pid, 15)
            try:
                svc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(svc.pid, 9)
                svc.wait()
        log.close()
    stop.append(stop_service)
    deadline = time.time() + 30
    while not os.path.exists(sock) and time.time() < deadline:
        time.sleep(0.1)
    env = dict(ENV, DOCKER_HOST="unix://" + sock)
    rc, t, err = tree("docker-daemon:localhost/app:t", env=env)
    expect(rc == 0 and t == want_tree, "docker-daemon: the same tree (%d rows, %s)"
           % (len(t), err[-300:]))
    rc, f, _ = findings("docker-daemon:localhost/app:t", env=env)
    expect(rc == 1 and f == want_findings, "docker-daemon: the same findings (%s)" % f)
    rc, out, err, _ = run("simulate", "--no-config", "-f", "json", "--platform", "openshift",
                          "docker-daemon:localhost/app:t", env=env)
    expect(rc == 1 and '"platform": "openshift"' in out, "simulate docker-daemon:REF (%d)" % rc)
    rc, f, _ = findings("docker-daemon:localhost/nope:t", env=env)
    expect(rc == 2 and "404" in str(f) and "first" in str(f), "docker-daemon: an image it "
           "lacks: %s" % f)
    rc, f, _ = findings("docker-daemon:localhost/app:t",
                        env=dict(ENV, DOCKER_HOST="unix://" + sock_dir + "/none.sock"))
    expect(rc == 2 and "cannot connect to the Docker daemon" in str(f),
           "docker-daemon: no daemon on the socket: %s" % f)


def run_all(work, stop):
    # buildah fills an overlay store (vfs where overlay cannot be mounted); the truth is the
    # image skopeo exports from it; `podman load` of that export fills a vfs store.
    try:
        driver = "overlay"
        root, runroot = fill_store(work, driver)
    except RuntimeError as e:
        print("note: the overlay driver is not usable here (%s); vfs only" % e)
        driver = "vfs"
        root, runroot = fill_store(work, driver)
    archive = os.path.join(work, "app.tar")
    sh("skopeo", "copy", "-q",
       "containers-storage:[%s@%s+%s]localhost/app:t" % (driver, root, runroot),
       "docker-archive:%s:localhost/app:t" % archive)
    rc, want_tree, err = tree(archive)
    _, want_findings, _ = findings(archive)
    expect(rc == 0 and any(r.endswith(" /app/d/new") for r in want_tree)
           and not any(r.endswith(" /app/a") or "/app/gone" in r for r in want_tree),
           "the exported image shows the RUN steps' deletions (%s)" % err[-200:])
    expect(want_findings != [], "the exported image has findings to compare (%s)"
           % [r for r, _ in want_findings])
    storage(work, driver, root, runroot, want_tree, want_findings)
    if driver != "vfs":
        vroot, vrun = os.path.join(work, "vfs"), os.path.join(work, "vfs-run")
        sh("podman", "--root", vroot, "--runroot", vrun, "--storage-driver", "vfs", "load",
           "-q", "-i", archive)
        r, rr, env = storage(work, "vfs", vroot, vrun, want_tree, want_findings)
        lock_test(r, "vfs", env)
    daemon(work, archive, want_tree, want_findings, stop)


if __name__ == "__main__":
    sys.exit(main())
