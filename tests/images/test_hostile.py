#!/usr/bin/env python3
"""Hostile images: each must give a clear NR000 error and exit status 2, in bounded time and
memory, and write nothing anywhere (checked with strace where it is installed: no open for
writing, no mkdir, link, rename, unlink, chmod, chown or truncate, and no open of the host's
/etc/shadow)."""
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkimage import (D, F, H, L, Image, busybox_base, docker_classic, layer_tar,  # noqa: E402
                     oci_dir, sha)

UNROOT = os.environ.get("UNROOT", "unroot")
TIME_LIMIT = 30.0
MEM_LIMIT_KB = 600 * 1024
try:
    with open(UNROOT, "rb") as _f:
        if b"__asan_init" in _f.read():
            # Sanitizer builds run several times slower and use more memory.
            TIME_LIMIT *= 5
            MEM_LIMIT_KB *= 3
except OSError:
    pass
failures = 0
peak = 0
STRACE = shutil.which("strace")
WRITES = re.compile(r"^\d*\s*(?:\[pid\s+\d+\]\s*)?(\w+)\((.*)$")


def written(trace):
    """Syscalls in an strace log that would change a file or folder."""
    bad = []
    for line in trace.splitlines():
        m = re.match(r"^(?:\[pid\s+\d+\]\s*|\d+\s+)?(\w+)\((.*)", line)
        if not m:
            continue
        call, args = m.group(1), m.group(2)
        if call in ("open", "openat", "openat2", "creat"):
            if "/etc/shadow" in args:
                bad.append(line)
            if re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC", args) and "/dev/null" not in args \
                    and "/dev/tty" not in args:
                bad.append(line)
        elif call in ("mkdir", "mkdirat", "unlink", "unlinkat", "rename", "renameat",
                      "renameat2", "link", "linkat", "symlink", "symlinkat", "chmod",
                      "fchmodat", "chown", "fchownat", "lchown", "truncate", "setxattr",
                      "lsetxattr", "mknod", "mknodat"):
            bad.append(line)
    return bad


def check(name, path, must_say, *extra):
    global failures
    cmd = [UNROOT, "image", "--no-config", "-f", "json", *extra, path]
    trace = None
    if STRACE:
        trace = os.path.abspath(re.sub(r"[^A-Za-z0-9]+", "-", name) + ".strace")
        cmd = [STRACE, "-f", "-qq", "-o", trace, "-e",
               "trace=%file,truncate,ftruncate,fchmod,fchown,fsetxattr"] + cmd
    start = time.monotonic()
    env = dict(os.environ)
    if STRACE:
        # LeakSanitizer cannot run under ptrace; the other sanitizers still do.
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=env)
    try:
        out, err = p.communicate(timeout=TIME_LIMIT * 4)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    took = time.monotonic() - start
    # The peak memory of the children waited for so far (ru_maxrss is a maximum).
    import resource
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    global peak
    peak = max(peak, rss)
    msg = ""
    try:
        diags = json.loads(out)["diagnostics"]
        msg = " | ".join(d["message"] for d in diags if d["rule"] == "NR000")
    except (ValueError, KeyError):
        diags = []
    problems = []
    if p.returncode != 2:
        problems.append("exit %s, not 2" % p.returncode)
    if not re.search(must_say, msg):
        problems.append("the message does not say /%s/: %r %s" % (must_say, msg, err[-300:]))
    if took > TIME_LIMIT:
        problems.append("took %.1f s" % took)
    if rss > MEM_LIMIT_KB:
        problems.append("peak memory %d MB" % (rss // 1024))
    if trace:
        with open(trace) as f:
            bad = written(f.read())
        os.unlink(trace)
        if bad:
            problems.append("wrote or opened what it must not: %s" % bad[:3])
    status = "FAIL" if problems else "ok"
    failures += bool(problems)
    print("%s: %s: exit %s in %.2f s: %s%s" % (status, name, p.returncode, took, msg[:160],
                                               "".join("\n  " + x for x in problems)))


def raw_tar_member(name, data=b"", typ=b"0", link=b""):
    """A ustar header by hand, for names tarfile refuses to write."""
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b"0000644\0"
    h[108:116] = b"0000000\0"
    h[116:124] = b"0000000\0"
    h[124:136] = b"%011o\0" % len(data)
    h[136:148] = b"00000000000\0"
    h[148:156] = b" " * 8
    h[156:157] = typ
    h[157:157 + len(link)] = link
    h[257:265] = b"ustar\x0000"
    h[148:156] = b"%06o\0 " % sum(h)
    pad = (512 - len(data) % 512) % 512
    return bytes(h) + data + b"\0" * pad


def million_layer(path, n):
    """n empty files as a zstd tar, written header by header (fast, no tarfile)."""
    tmpl = bytearray(raw_tar_member(b"f0000000"))
    base_sum = sum(tmpl[:148]) + sum(tmpl[156:]) + 8 * 32 - sum(b"f0000000")
    z = subprocess.Popen(["zstd", "-q", "-1", "-c"], stdin=subprocess.PIPE,
                         stdout=open(path, "wb"))
    chunk = []
    for i in range(n):
        name = b"d%03d/f%07d" % (i % 1000, i)
        h = bytearray(tmpl)
        h[0:8] = b"\0" * 8
        h[0:len(name)] = name
        h[148:156] = b"%06o\0 " % (base_sum + sum(name))
        chunk.append(bytes(h))
        if len(chunk) == 8192:
            z.stdin.write(b"".join(chunk))
            chunk = []
    z.stdin.write(b"".join(chunk) + b"\0" * 1024)
    z.stdin.close()
    z.wait()


def oci_with_blob(out, layer_bytes, mediatype, cfg_user="1001:0"):
    """An OCI layout around one prepared layer blob."""
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"User": cfg_user},
                      "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    os.makedirs(os.path.join(out, "blobs", "sha256"))
    blobs = {sha(cfg): cfg, sha(layer_bytes): layer_bytes}
    m = json.dumps({"schemaVersion": 2, "config": {"digest": "sha256:" + sha(cfg),
                                                   "size": len(cfg)},
                    "layers": [{"mediaType": mediatype, "digest": "sha256:" + sha(layer_bytes),
                                "size": len(layer_bytes)}]}).encode()
    blobs[sha(m)] = m
    for h, b in blobs.items():
        with open(os.path.join(out, "blobs", "sha256", h), "wb") as f:
            f.write(b)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion": "1.0.0"}')
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{"digest": "sha256:" + sha(m),
                                                      "size": len(m)}]}, f)
    return sha(layer_bytes)


def main():
    if not shutil.which("zstd"):
        print("SKIP: needs the zstd command to write zstd layers (scripts/install-deps.sh --test)")
        return 77
    work = tempfile.mkdtemp(prefix="unroot-hostile-")
    os.chdir(work)
    try:
        run_all()
    finally:
        os.chdir("/")
        shutil.rmtree(work, ignore_errors=True)
    if not STRACE:
        print("note: strace is not installed; the 'writes nothing' check was not made")
    print("peak memory of any run: %d MB (limit %d MB)" % (peak // 1024, MEM_LIMIT_KB // 1024))
    print("%d failures" % failures)
    return 1 if failures else 0


def run_all():
    base = busybox_base(real=False)
    gz = "application/vnd.oci.image.layer.v1.tar+gzip"

    oci_with_blob("dotdot", raw_tar_member(b"../../escape", b"x") + b"\0" * 1024,
                  "application/vnd.oci.image.layer.v1.tar")
    check("../ in a layer", "dotdot", r"climbs out of the image")
    oci_with_blob("absolute", raw_tar_member(b"/etc/evil", b"x") + b"\0" * 1024,
                  "application/vnd.oci.image.layer.v1.tar")
    check("an absolute path", "absolute", r"absolute name")

    # A symlink to the host's /etc/shadow, then a file written through a link.
    oci_dir(Image([base, [L("etc/passwd.d", "/etc"), F("etc/passwd.d/shadow", b"x")]],
                  user="1001:0"), "through", "gzip")
    check("a file written through a symlink", "through", r"goes through a symbolic link")
    oci_dir(Image([base, [L("etc/passwd", "../../../../../etc/shadow")]], user="app"),
            "shadow", "gzip")
    check("/etc/passwd linking to the host's /etc/shadow", "shadow",
          r"climbs out of the image root")

    oci_dir(Image([base, [L("app/a", "b"), L("app/b", "/app/a")]], user="1001:0",
                  entrypoint=["/app/a"]), "loop", "gzip")
    check("a symlink loop", "loop", r"too many levels of symbolic links \(a loop")
    oci_dir(Image([base, [H("app/hl", "app/nowhere")]], user="1001:0"), "hardlink", "gzip")
    check("a hard link to a missing target", "hardlink", r"hard link to a missing file")

    million_layer("million.tar.zst", 1000001)
    with open("million.tar.zst", "rb") as f:
        blob = f.read()
    oci_with_blob("million", blob, "application/vnd.oci.image.layer.v1.tar+zstd")
    os.unlink("million.tar.zst")
    check("a million entries", "million", r"more than 1000000 entries")

    # A gzip bomb: a tar header, then 64 MB of zeros compressed once and repeated.
    zeros = gzip.compress(b"\0" * (64 << 20), compresslevel=9)
    head = raw_tar_member(b"bomb", b"")
    head = head[:124] + b"77777777777\0" + head[136:]  # 8 GB, the most octal holds
    h = bytearray(head)
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\0 " % sum(h)
    with open("bomb.gz", "wb") as f:
        f.write(gzip.compress(bytes(h)))
        for _ in range(640):
            f.write(zeros)
    with open("bomb.gz", "rb") as f:
        bomb = f.read()
    os.unlink("bomb.gz")
    oci_with_blob("bomb", bomb, gz)
    check("a gzip bomb (40 GB of zeros in 40 MB)", "bomb", r"decompression bomb|more than the limit")

    img = Image([base, [F("app/x", os.urandom(200000))]], user="1001:0")
    for how, mt in (("gzip", gz), ("zstd", "application/vnd.oci.image.layer.v1.tar+zstd")):
        oci_dir(img, "trunc-" + how, how)
        idx = json.load(open("trunc-%s/index.json" % how))
        man = json.load(open("trunc-%s/blobs/sha256/%s" % (how, idx["manifests"][0]["digest"][7:])))
        lp = "trunc-%s/blobs/sha256/%s" % (how, man["layers"][-1]["digest"][7:])
        data = open(lp, "rb").read()
        with open(lp, "wb") as f:
            f.write(data[:len(data) // 2])
        check("a truncated %s layer" % how, "trunc-" + how, r"truncated|shorter")

    oci_dir(img, "badjson", "gzip")
    with open("badjson/index.json", "w") as f:
        f.write('{"schemaVersion": 2, "manifests": [')
    check("invalid JSON", "badjson", r"not valid JSON at line 1")

    oci_dir(img, "digest", "none")
    idx = json.load(open("digest/index.json"))
    man = json.load(open("digest/blobs/sha256/%s" % idx["manifests"][0]["digest"][7:]))
    lp = "digest/blobs/sha256/%s" % man["layers"][-1]["digest"][7:]
    data = bytearray(open(lp, "rb").read())
    data[600] ^= 0xff  # inside the file's contents: the tar still reads
    open(lp, "wb").write(data)
    check("a digest mismatch", "digest", r"has sha256 [0-9a-f]{64}, but the manifest says")

    docker_classic(img, "outside.tar")
    import tarfile
    import io
    with tarfile.open("outside.tar", "a") as t:
        m = json.dumps([{"Config": "x.json", "Layers": ["../../../etc/passwd"]}]).encode()
        ti = tarfile.TarInfo("manifest.json")
        ti.size = len(m)
        t.addfile(ti, io.BytesIO(m))
        ti = tarfile.TarInfo("x.json")
        c = json.dumps({"config": {"User": "1001:0"}}).encode()
        ti.size = len(c)
        t.addfile(ti, io.BytesIO(c))
    check("a manifest that points outside the archive", "outside.tar",
          r"points outside the image")

    with open("outside.tar", "rb") as f:
        data = f.read()
    with open("cut.tar", "wb") as f:
        f.write(data[:len(data) * 2 // 3 + 100])
    check("a truncated docker save tarball", "cut.tar", r"truncated")


if __name__ == "__main__":
    sys.exit(main())
