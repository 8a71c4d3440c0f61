#!/usr/bin/env python3
"""The root filesystem of unroot's image (FROM scratch, USER 1001:0), as the Dockerfile
makes it with scripts/scratch-rootfs.sh from `meson install`, run under chroot as uid 1001,
gid 0 with a clean environment, as a container runtime would start it:
- every program in it finds its libraries: unroot lints, unroot-fetch reads an image from a
  registry on loopback, unroot serve answers reviews over HTTPS, with image checks;
- the server runs as 1001:0 and writes only where the Deployment mounts a volume;
- SIGTERM stops it with status 0.
Exits 77 when not root (chroot), in a sanitizer build, or when this unroot has no server."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "images"))
import serve_lib as S  # noqa: E402
from registry import Registry, bench_image  # noqa: E402
from serve_lib import GOOD_POD_SC, GOOD_SC, container, expect, pod_spec, wrap  # noqa: E402

# A runtime gives the process this environment and nothing of the host's.
ENV = {"PATH": "/usr/local/bin", "HOME": "/work", "XDG_CACHE_HOME": "/tmp/cache"}
CHROOT = shutil.which("chroot") or "chroot"


def in_root(root, argv, **kw):
    return subprocess.run([CHROOT, "--userspec=1001:0", root, *argv], capture_output=True,
                          text=True, env=ENV, timeout=60, **kw)


class RootServer(S.Server):
    """unroot serve inside the root filesystem, its files under /tmp/serve there."""

    def __init__(self, root, config):
        self.root = root
        folder = os.path.join(root, "tmp", "serve")
        os.makedirs(folder)
        certs = []
        for src in S.shared_certs():
            dst = os.path.join(folder, os.path.basename(src))
            shutil.copy(src, dst)
            # As a Secret's volume gives them: root's, readable by group 0.
            os.chown(dst, 0, 0)
            os.chmod(dst, 0o640)
            certs.append(dst)
        super().__init__(folder, config=config, certs=tuple(certs))
        self.env = ENV

    def inside(self, path):
        return "/" + os.path.relpath(path, self.root)

    def command(self, extra=()):
        return [CHROOT, "--userspec=1001:0", self.root, "/usr/local/bin/unroot", "serve",
                "--tls-cert", self.inside(self.cert), "--tls-key", self.inside(self.key),
                "--listen", "127.0.0.1:0", "--config", self.inside(self.config), *extra]


def main():
    why = S.server_missing()
    if why or os.geteuid() != 0 or not shutil.which("chroot") or not shutil.which("ldd"):
        print("skip: needs root, chroot, ldd and unroot-serve (%s)" % (why or "not root"))
        return 77
    build = os.path.dirname(os.path.abspath(S.UNROOT))
    # The image is a build without sanitizers, whose runtimes need /proc, which a chroot
    # lacks: a sanitizer build has nothing to say about it.
    ldd = subprocess.run(["ldd", os.path.join(build, "unroot-serve")], capture_output=True,
                         text=True).stdout
    if any(lib in ldd for lib in ("libasan", "libtsan", "libubsan")):
        print("skip: a sanitizer build; the image is built without sanitizers")
        return 77
    work = tempfile.mkdtemp(prefix="unroot-scratch-")
    reg = None
    try:
        staged, root = os.path.join(work, "staged"), os.path.join(work, "root")
        subprocess.run(["meson", "install", "-C", build, "--destdir", staged, "--no-rebuild",
                        "--quiet"], check=True, capture_output=True, timeout=120)
        p = subprocess.run([os.path.join(S.SRC, "scripts", "scratch-rootfs.sh"), staged, root],
                           capture_output=True, text=True, timeout=120)
        expect(p.returncode == 0, "scripts/scratch-rootfs.sh makes the root filesystem %s"
               % p.stderr[-300:])
        writable = sorted("/" + os.path.relpath(d, root) for d, _, _ in os.walk(root)
                          if os.lstat(d).st_mode & 0o022)
        expect(writable == ["/tmp", "/work"], "only /tmp and /work are writable by group 0 or "
               "others: %s" % writable)

        # The devices every runtime gives a container (unroot-fetch's stdin is /dev/null).
        os.makedirs(os.path.join(root, "dev"))
        for name, minor in (("null", 3), ("zero", 5), ("urandom", 9)):
            os.mknod(os.path.join(root, "dev", name), 0o20666, os.makedev(1, minor))
            os.chmod(os.path.join(root, "dev", name), 0o666)

        p = in_root(root, ["/usr/local/bin/unroot", "version"])
        expect(p.returncode == 0 and p.stdout.startswith("unroot "),
               "unroot version runs as 1001:0 (%s)" % (p.stdout + p.stderr).strip()[:120])
        with open(os.path.join(root, "work", "Dockerfile"), "w") as f:
            f.write("FROM debian:12\nRUN useradd -u 1001 app\nUSER app\n")
        p = in_root(root, ["/usr/local/bin/unroot", "lint", "--no-config", "/work/Dockerfile"])
        expect(p.returncode == 1 and "NR1" in p.stdout,
               "unroot lint finds what it finds in /work (exit %d)" % p.returncode)

        reg = Registry({("bench/app", "1"): bench_image()})
        image = reg.host + "/bench/app:1"
        p = in_root(root, ["/usr/local/bin/unroot", "simulate", "--no-config", "--platform",
                           "openshift", "docker://" + image])
        expect(p.returncode == 0 and "uid" in p.stdout,
               "unroot-fetch reads an image from a registry (exit %d: %s)" % (
                   p.returncode, (p.stdout + p.stderr).strip()[-200:]))

        cfg = "drain-delay: 0s\nlog-reviews: all\nimages:\n  check: true\n  deadline: 5s\n"
        srv = RootServer(root, cfg).start()
        try:
            with open("/proc/%d/status" % srv.proc.pid) as f:
                ids = {k: v.split()[0] for k, v in (ln.split(":", 1) for ln in f) if k in
                       ("Uid", "Gid")}
            expect(ids == {"Uid": "1001", "Gid": "0"}, "unroot serve runs as 1001:0 (%s)" % ids)
            expect(srv.get("/healthz")[0] == 200, "/healthz over HTTPS")
            # Every image named is the loopback registry's: nothing leaves the machine.
            _, r = srv.review(wrap("Pod", pod_spec([container(image=image,
                                                              sc={"runAsUser": 0})])))
            expect(not r["allowed"] and "NR201" in r["status"]["message"],
                   "a pod running as root is denied")
            _, r = srv.review(wrap("Pod", pod_spec([container(image=image, sc=GOOD_SC)],
                                                   GOOD_POD_SC)))
            m = {k: v for k, v in srv.metrics().items() if "image" in k or "pull" in k}
            expect(r["allowed"] and "warnings" not in r and
                   m.get("unroot_image_scans_total") == 1 and
                   m.get("unroot_image_pull_errors_total") == 0,
                   "a pod of the registry's image is allowed once the image is read and "
                   "checked (%s, %s)" % (json.dumps(r)[:200], m))
        finally:
            expect(srv.stop() == 0, "SIGTERM: exit status 0")
    finally:
        if reg:
            reg.stop()
        shutil.rmtree(work, ignore_errors=True)
    return S.summary()


if __name__ == "__main__":
    sys.exit(main())
