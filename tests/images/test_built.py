#!/usr/bin/env python3
"""Images built by real tools: buildah (chroot isolation) from a hand-made busybox base,
exported by skopeo as docker-archive, OCI with gzip and OCI with zstd layers, and pushed by
buildah as an OCI archive. unroot must give
the expected findings in every export, the same --tree in every export, and verdicts that
agree with the kernel's on every path (ground truth: the image unpacked by umoci, probed with
access(2) as uid 1000680000 in group 0). Exits 77 (skipped) where the tools are missing."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import groundtruth  # noqa: E402

UNROOT = os.environ.get("UNROOT", "unroot")
TOOLS = ["buildah", "skopeo", "umoci", "unshare", "chroot", "cc"]

BASE_SCRIPT = """
FROM localhost/bb:base
"""

# name: (Dockerfile body after FROM, expected rule codes)
IMAGES = {
    # The article's first approach: a hard-coded uid, files owned by it, no group 0.
    "hardcoded": ("""
RUN mkdir -p /app /data && printf '#!/bin/sh\\necho hi\\n' > /app/run.sh && \\
    chmod 750 /app/run.sh && echo conf > /app/app.conf && chmod 640 /app/app.conf && \\
    chown -R 3000:3000 /app /data
USER 3000
VOLUME /data
ENTRYPOINT ["/app/run.sh"]
""", {"NR404", "NR405", "NR406"}),
    # The article's conclusion: USER uid:0, chgrp -R 0 and chmod -R g=u.
    "group0": ("""
RUN mkdir -p /app /data && printf '#!/bin/sh\\necho hi\\n' > /app/run.sh && \\
    chmod 750 /app/run.sh && echo conf > /app/app.conf && chmod 640 /app/app.conf && \\
    chown -R 1001:0 /app /data && chmod -R g=u /app /data && chmod 770 /data
USER 1001:0
VOLUME /data
WORKDIR /app
ENTRYPOINT ["/app/run.sh"]
""", set()),
    # A named user, created by appending to /etc/passwd.
    "named": ("""
RUN echo 'app:x:1001:0::/app:/bin/sh' >> /etc/passwd && mkdir /app && \\
    printf '#!/bin/sh\\n' > /app/run.sh && chmod 755 /app/run.sh
USER app
ENTRYPOINT ["/app/run.sh"]
""", {"NR403"}),
    # No USER at all.
    "nouser": ("""
RUN mkdir /app && printf '#!/bin/sh\\n' > /app/run.sh && chmod 755 /app/run.sh
ENTRYPOINT ["/app/run.sh"]
""", {"NR401"}),
    # An entrypoint only its owner can execute.
    "owneronly": ("""
RUN mkdir /app && printf '#!/bin/sh\\n' > /app/run.sh && chmod 700 /app/run.sh && \\
    chown -R 1001:0 /app
USER 1001:0
ENTRYPOINT ["/app/run.sh"]
""", {"NR404", "NR406"}),
    # A VOLUME only its owner can write.
    "volume": ("""
RUN mkdir /data && chown 1001:0 /data && chmod 755 /data
USER 1001:0
VOLUME /data
CMD ["sh"]
""", {"NR406"}),
    # Deletions and a replaced folder across RUN layers (whiteouts), and a hard link.
    "whiteouts": ("""
RUN mkdir -p /app/d /app/e && echo a > /app/a && echo b > /app/d/b && echo c > /app/e/c && \\
    chmod 700 /app/d
RUN rm /app/a && rm -rf /app/d && mkdir /app/d && chmod 755 /app/d && echo n > /app/d/new && \\
    rm -rf /app/e && echo file > /app/e && ln /bin/busybox /app/hl
USER 1001:0
CMD ["sh"]
""", set()),
    # A setuid file.
    "setuid": ("""
RUN mkdir /app && cp /bin/busybox /app/helper && chmod 4755 /app/helper
USER 1001:0
CMD ["sh"]
""", {"NR407"}),
}


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def buildah_workspace(tools, prefix, root_for):
    """A scratch folder with its own buildah storage (vfs, chroot isolation); None, with
    the SKIP line printed, when the tools or root are missing."""
    missing = [t for t in tools if not shutil.which(t)]
    if missing or not os.path.exists("/bin/busybox"):
        print("SKIP: needs %s and /bin/busybox (scripts/install-deps.sh --test installs them)"
              % ", ".join(missing or ["busybox-static"]))
        return None
    if os.geteuid() != 0:
        print("SKIP: buildah with chroot isolation and %s need root" % root_for)
        return None
    work = tempfile.mkdtemp(prefix=prefix)
    os.environ["CONTAINERS_STORAGE_CONF"] = os.path.join(work, "storage.conf")
    os.environ["BUILDAH_ISOLATION"] = "chroot"
    with open(os.environ["CONTAINERS_STORAGE_CONF"], "w") as f:
        f.write('[storage]\ndriver = "vfs"\nrunroot = "%s/run"\ngraphroot = "%s/graph"\n'
                % (work, work))
    return work


def main():
    work = buildah_workspace(TOOLS, "unroot-built-", "the chroot ground truth")
    if work is None:
        return 77
    try:
        return run_all(work)
    finally:
        subprocess.run(["buildah", "rm", "--all"], capture_output=True)
        subprocess.run(["rm", "-rf", work])


def make_base(work):
    r = os.path.join(work, "base")
    for d in ("bin", "etc", "tmp"):
        os.makedirs(os.path.join(r, d))
    shutil.copy("/bin/busybox", os.path.join(r, "bin", "busybox"))
    for a in ("sh", "ls", "id", "cat", "touch", "mkdir", "chmod", "chown", "cp", "printf",
              "echo", "rm", "ln"):
        os.symlink("busybox", os.path.join(r, "bin", a))
    with open(os.path.join(r, "etc", "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\n")
    with open(os.path.join(r, "etc", "group"), "w") as f:
        f.write("root:x:0:\n")
    os.chmod(os.path.join(r, "tmp"), 0o1777)
    c = sh("buildah", "from", "scratch").stdout.strip()
    sh("buildah", "copy", c, r + "/", "/")
    sh("buildah", "commit", "-q", c, "localhost/bb:base")


def run_all(work):
    make_base(work)
    failures = 0
    total_compared = 0
    for name, (body, want) in IMAGES.items():
        ctx = os.path.join(work, "ctx-" + name)
        os.makedirs(ctx)
        with open(os.path.join(ctx, "Dockerfile"), "w") as f:
            f.write(BASE_SCRIPT + body)
        ref = "localhost/%s:t" % name
        sh("buildah", "bud", "--isolation", "chroot", "-q", "-t", ref, ctx)
        out = {
            "docker-archive": os.path.join(work, name + ".tar"),
            "oci gzip": os.path.join(work, name + "-oci"),
            "oci zstd": os.path.join(work, name + "-zst"),
            "oci-archive": os.path.join(work, name + "-oci.tar"),
        }
        sh("skopeo", "copy", "-q", "containers-storage:" + ref,
           "docker-archive:%s:%s:t" % (out["docker-archive"], name))
        sh("skopeo", "copy", "-q", "containers-storage:" + ref, "oci:%s:t" % out["oci gzip"])
        sh("skopeo", "copy", "-q", "--dest-compress-format", "zstd",
           "containers-storage:" + ref, "oci:%s:t" % out["oci zstd"])
        sh("buildah", "push", "-q", ref, "oci-archive:%s:t" % out["oci-archive"])
        rootfs = groundtruth.unpack(out["oci gzip"], "t", os.path.join(work, name + "-bundle"))
        first_tree = None
        for label, path in out.items():
            p = subprocess.run([UNROOT, "image", "--no-config", "-f", "json", path],
                               capture_output=True, text=True, timeout=60)
            try:
                got = {d["rule"] for d in json.loads(p.stdout)["diagnostics"]}
            except (ValueError, KeyError):
                got = {"unreadable output: " + p.stdout[:200] + p.stderr[:200]}
            ok = got == want and p.returncode == (1 if want - {"NR407"} else 0)
            failures += not ok
            print("%s: %s %s: %s (exit %d)" % ("ok" if ok else "FAIL", name, label,
                                               sorted(got), p.returncode))
            t = subprocess.run([UNROOT, "image", "--no-config", "--tree", "/", path],
                               capture_output=True, text=True, timeout=60)
            body_rows = [l for l in t.stdout.splitlines() if not l.startswith("#")]
            if first_tree is None:
                first_tree = body_rows
                n, bad = groundtruth.compare(rootfs, t.stdout, work)
                total_compared += n
                for path_, acc, kern in bad:
                    print("FAIL: %s %s: unroot says %s, the kernel %s" % (name, path_, acc, kern))
                failures += bool(bad) or n == 0
                print("%s: %s: %d paths compared with the kernel, %d disagree"
                      % ("ok" if not bad and n else "FAIL", name, n, len(bad)))
            elif body_rows != first_tree:
                failures += 1
                print("FAIL: %s %s: the tree differs from the first export's" % (name, label))
    print("ground truth: %d paths compared in %d images" % (total_compared, len(IMAGES)))
    print("%d failures" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
