#!/usr/bin/env python3
"""Peak memory of image reads that once grew with the image: a thousand tiny layers, layers that
each write /etc/passwd, /etc/group and the entrypoint, a /etc/passwd over the cap, a layer blob
that is a pipe, and a wide and deep root filesystem. Each run's own peak resident memory, as GNU
time reports it (a measurement of memory, not of time), must stay under 64 MB.

GNU time, a small program, starts unroot: a child of this Python process would be charged the
parent's resident memory at exec (Linux keeps the larger of the two in ru_maxrss)."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkimage import F, Image, busybox_base, oci_dir  # noqa: E402

UNROOT = os.environ.get("UNROOT", "unroot")
TIME = "/usr/bin/time"
LIMIT_KB = 64 * 1024
try:
    with open(UNROOT, "rb") as _f:
        if b"__asan_init" in _f.read():
            # AddressSanitizer's shadow memory and quarantine come on top of unroot's own.
            LIMIT_KB *= 3
except OSError:
    pass
failures = 0


def peak(name, args, want_rc):
    """Runs unroot, returns nothing; fails when its exit status or its peak memory is off."""
    global failures
    with open("out", "wb") as out:
        p = subprocess.Popen([TIME, "-f", "%M", "-o", "rss", UNROOT, "image", "--no-config",
                              "-f", "json", *args], stdout=out, stderr=subprocess.STDOUT)
        try:
            rc = p.wait(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = p.wait()
    try:
        # "Command exited with non-zero status N" comes first when unroot did.
        kb = int(open("rss").read().split()[-1])
    except (ValueError, IndexError):
        kb = -1
    problems = []
    if rc != want_rc:
        problems.append("exit %s, not %s: %s" % (rc, want_rc, open("out").read()[-300:]))
    if kb < 0:
        problems.append("no measurement: %r" % open("rss").read())
    elif kb > LIMIT_KB:
        problems.append("peak %d MB, over %d MB" % (kb // 1024, LIMIT_KB // 1024))
    failures += bool(problems)
    print("%s: %s: peak %d MB%s" % ("FAIL" if problems else "ok", name, kb // 1024,
                                    "".join("\n  " + x for x in problems)))


def main():
    if not os.access(TIME, os.X_OK):
        print("SKIP: needs GNU time in /usr/bin/time (scripts/install-deps.sh --test)")
        return 77
    work = tempfile.mkdtemp(prefix="unroot-memory-")
    os.chdir(work)
    try:
        run_all()
    finally:
        os.chdir("/")
        shutil.rmtree(work, ignore_errors=True)
    print("%d failures (limit %d MB)" % (failures, LIMIT_KB // 1024))
    return 1 if failures else 0


def run_all():
    base = busybox_base(False)
    oci_dir(Image([base] * 1000, user="1001:0"), "l1000", "none")
    peak("1,000 tiny layers, each with passwd, group and programs", ["l1000"], 0)
    shutil.rmtree("l1000")
    oci_dir(Image([base] * 127, user="1001:0", entrypoint=["/bin/busybox"]), "l127", "gzip")
    peak("127 gzip layers, each with passwd, group and the entrypoint", ["l127"], 0)
    pw = b"".join(b"u%d:x:%d:0::/h:/bin/sh\n" % (i, 2000 + i) for i in range(100000))
    oci_dir(Image([base, [F("etc/passwd", pw + b"app:x:0:0::/root:/bin/sh\n")]] * 8,
                  user="app"), "pw", "gzip")
    peak("8 layers, each with a /etc/passwd over the cap", ["pw"], 2)
    oci_dir(Image([base], user="1001:0"), "fifo", "none")
    for name in os.listdir("fifo/blobs/sha256"):
        p = os.path.join("fifo/blobs/sha256", name)
        if open(p, "rb").read(1) not in (b"{", b""):
            os.unlink(p)
            os.mkfifo(p)
    peak("a layer blob that is a pipe", ["fifo"], 2)
    os.makedirs("r1/big")
    for i in range(50000):
        open("r1/big/%06d%s" % (i, "x" * 234), "w").close()
    os.makedirs("r1/big/" + "/".join(["a"] * 300))
    peak("a root filesystem of 50,000 long names and 300 folders deep", ["--rootfs", "r1"], 2)


if __name__ == "__main__":
    sys.exit(main())
