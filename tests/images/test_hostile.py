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
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkimage import (WH, D, F, H, L, Image, busybox_base, docker_classic,  # noqa: E402
                     layer_tar, oci_dir, sha)

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
    # A session of its own: a run that hangs is killed with strace, whose child it is.
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=env, start_new_session=True)
    try:
        out, err = p.communicate(timeout=TIME_LIMIT * 4)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
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

    pipes_and_links(base)
    deep_rootfs()
    limits(base)


def blob_of(d, what):
    """The path of an OCI layout's blob: "manifest", "config" or "layer" (the last)."""
    idx = json.load(open(os.path.join(d, "index.json")))
    mp = os.path.join(d, "blobs/sha256", idx["manifests"][0]["digest"][7:])
    if what == "manifest":
        return mp
    man = json.load(open(mp))
    dig = man["config"]["digest"] if what == "config" else man["layers"][-1]["digest"]
    return os.path.join(d, "blobs/sha256", dig[7:])


def rewrite_config(d, data):
    """Puts new config bytes in a layout, under their digest, and fixes the manifest and index."""
    idx = json.load(open(os.path.join(d, "index.json")))
    mp = blob_of(d, "manifest")
    man = json.load(open(mp))
    os.unlink(blob_of(d, "config"))
    with open(os.path.join(d, "blobs/sha256", sha(data)), "wb") as f:
        f.write(data)
    man["config"] = {"mediaType": "application/vnd.oci.image.config.v1+json",
                     "digest": "sha256:" + sha(data), "size": len(data)}
    m = json.dumps(man).encode()
    os.unlink(mp)
    with open(os.path.join(d, "blobs/sha256", sha(m)), "wb") as f:
        f.write(m)
    idx["manifests"][0].update(digest="sha256:" + sha(m), size=len(m))
    with open(os.path.join(d, "index.json"), "w") as f:
        json.dump(idx, f)


def pipes_and_links(base):
    """Files an image names that are not regular files: never opened so that a read could wait."""
    img = Image([base], user="1001:0")
    for what in ("layer", "config", "manifest"):
        d = "fifo-" + what
        oci_dir(img, d, "none")
        p = blob_of(d, what)
        os.unlink(p)
        os.mkfifo(p)
        check("a FIFO as the %s blob" % what, d, r"is a named pipe \(FIFO\), not a regular file")
    os.mkfifo("pipe.tar")
    check("a FIFO named as the image", "pipe.tar", r"named pipe \(FIFO\)")
    oci_dir(img, "linked", "none")
    p = blob_of("linked", "layer")
    os.rename(p, "linked/real-layer")
    os.symlink("../../real-layer", p)
    check("a symlinked layer blob", "linked", r"is a symbolic link")


def deep_rootfs():
    """--rootfs walks stop at their limits, and say so (the message outlives the walk)."""
    os.makedirs("wide/big")
    for i in range(2000):
        open("wide/big/%06d%s" % (i, "x" * 234), "w").close()
    os.makedirs("wide/big/" + "/".join(["a"] * 300))
    check("a root filesystem 300 folders deep", "wide",
          r"nested more than 256 folders deep, the limit", "--rootfs")
    # 10,000 deep: longer than a path the kernel takes, so made one folder at a time.
    top = os.getcwd()
    os.mkdir("deep")
    os.chdir("deep")
    for _ in range(10000):
        os.mkdir("d")
        os.chdir("d")
    os.chdir(top)
    check("a root filesystem 10,000 folders deep", "deep",
          r"nested more than 256 folders deep, the limit", "--rootfs")
    subprocess.run(["rm", "-rf", "deep"], check=True)
    os.mkdir("long")
    os.chdir("long")
    for _ in range(20):
        os.mkdir("n" * 250)
        os.chdir("n" * 250)
    os.chdir(top)
    check("a root filesystem path over 4096 bytes", "long",
          r"longer than 4096 bytes, the limit", "--rootfs")
    subprocess.run(["rm", "-rf", "long"], check=True)
    os.makedirs("bigpw/etc")
    with open("bigpw/etc/passwd", "wb") as f:
        f.write(b"u:x:2000:0::/h:/bin/sh\n" * 100000 + b"app:x:1001:0::/h:/bin/sh\n")
    with open("bigpw.json", "w") as f:
        json.dump({"config": {"User": "app"}}, f)
    check("a root filesystem's /etc/passwd over 1 MiB", "bigpw",
          r"'/etc/passwd' in the image is \d+ bytes, more than the 1048576", "--image-config",
          "bigpw.json", "--rootfs")


def limits(base):
    """Each limit of the image reader, hit: an NR000 that names it, never a silent cut."""
    pw = b"".join(b"u%d:x:%d:0::/h:/bin/sh\n" % (i, 2000 + i) for i in range(100000))
    oci_dir(Image([base, [F("etc/passwd", pw + b"app:x:0:0::/root:/bin/sh\n")]], user="app"),
            "bigpasswd", "gzip")
    check("/etc/passwd over 1 MiB", "bigpasswd",
          r"'/etc/passwd' in the image is \d+ bytes, more than the 1048576 unroot reads")
    gr = b"".join(b"g%d:x:%d:app\n" % (i, 2000 + i) for i in range(100000))
    oci_dir(Image([base, [F("etc/group", gr)]], user="app"), "biggroup", "gzip")
    check("/etc/group over 1 MiB", "biggroup",
          r"'/etc/group' in the image is \d+ bytes, more than the 1048576 unroot reads")
    # The shortest lines each parser takes: more entries than it keeps, in less than 1 MiB.
    oci_dir(Image([base, [F("etc/passwd", b"a::0:0:::\n" * 100001 + b"app::1:0:::\n")]],
                  user="app"), "manyusers", "gzip")
    check("/etc/passwd with more than 100,000 entries", "manyusers",
          r"'/etc/passwd' in the image has more than 100000 entries")
    oci_dir(Image([base, [F("etc/group", b"g::0:\n" * 100001)]], user="1001:0"), "manygroups",
            "gzip")
    check("/etc/group with more than 100,000 entries", "manygroups",
          r"'/etc/group' in the image has more than 100000 entries")

    oci_dir(Image([base], user="1001:0", env=["X=" + "x" * (9 << 20)]), "bigjson", "none")
    check("a config over 8 MiB", "bigjson", r"is \d+ bytes, more than 8388608, the limit for a JSON")
    oci_dir(Image([base], user="1001:0"), "utf16", "none")
    with open("utf16/index.json", "rb") as f:
        text = f.read().decode()
    with open("utf16/index.json", "wb") as f:
        f.write(text.encode("utf-16"))
    check("a UTF-16 index.json", "utf16", r"'index.json' is UTF-16 text")
    oci_dir(Image([base], user="1001:0"), "utf16c", "none")
    with open(blob_of("utf16c", "config"), "rb") as f:
        text = f.read().decode()
    rewrite_config("utf16c", text.encode("utf-16-le"))
    check("a UTF-16 config without a byte-order mark", "utf16c", r"is UTF-16 or UTF-32 text")
    oci_dir(Image([base], user="1001:0"), "manylayers", "none")
    man = json.load(open(blob_of("manylayers", "manifest")))
    man["layers"] = [dict(man["layers"][0], digest="sha256:%064x" % i) for i in range(1001)]
    m = json.dumps(man).encode()
    with open("manylayers/blobs/sha256/" + sha(m), "wb") as f:
        f.write(m)
    with open("manylayers/index.json", "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{"digest": "sha256:" + sha(m),
                                                      "size": len(m)}]}, f)
    check("more than 1000 layers", "manylayers", r"lists 1001 layers, more than the limit of 1000")
    oci_dir(Image([base], user="1001:0", entrypoint=["a"] * 100001), "manyargs", "none")
    check("an Entrypoint of more than 100,000 strings", "manyargs",
          r"Entrypoint has more than 100000 strings, the limit")
    oci_dir(Image([base], user="1001:0", entrypoint=["app"],
                  env=["PATH=" + ":".join("/p%d" % i for i in range(257))]), "longpath", "none")
    check("a PATH of more than 256 folders", "longpath", r"PATH lists more than 256 folders")

    # Indexes nested 5 deep, each naming the next by digest.
    oci_dir(Image([base], user="1001:0"), "nested", "none")
    idx = json.load(open("nested/index.json"))
    inner = idx
    for _ in range(5):
        b = json.dumps(dict(inner, mediaType="application/vnd.oci.image.index.v1+json")).encode()
        with open("nested/blobs/sha256/" + sha(b), "wb") as f:
            f.write(b)
        inner = {"schemaVersion": 2, "manifests": [
            {"mediaType": "application/vnd.oci.image.index.v1+json",
             "digest": "sha256:" + sha(b), "size": len(b)}]}
    with open("nested/index.json", "w") as f:
        json.dump(inner, f)
    check("indexes nested 5 deep", "nested", r"indexes nest deeper than 4")

    # An archive of more members than the limit, plain and compressed.
    with open("members.tar", "wb") as f:
        chunk = []
        for i in range(100001):
            chunk.append(raw_tar_member(b"m%06d" % i))
            if len(chunk) == 4096:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk) + b"\0" * 1024)
    check("a tarball of more than 100,000 members", "members.tar",
          r"has more than 100000 members, the limit")
    with open("members.tar", "rb") as f, gzip.open("members.tar.gz", "wb", compresslevel=1) as g:
        shutil.copyfileobj(f, g)
    os.unlink("members.tar")
    check("a compressed tarball of more than 100,000 members", "members.tar.gz",
          r"has more than 100000 members, the limit")
    os.unlink("members.tar.gz")
    # A compressed docker save whose config is larger than what its single pass keeps.
    docker_classic(Image([base], user="1001:0", env=["X=" + "x" * (5 << 20)]), "bigcfg.tar")
    with open("bigcfg.tar", "rb") as f, gzip.open("bigcfg.tar.gz", "wb", compresslevel=1) as g:
        shutil.copyfileobj(f, g)
    check("a compressed tarball's config over 4 MiB", "bigcfg.tar.gz",
          r"unroot keeps the members it reads whole \(JSON\) up to 4194304 bytes each")

    long_name = b"d/" * 2100 + b"f"
    layer = raw_tar_member(b"././@LongLink", long_name + b"\0", typ=b"L") + \
        raw_tar_member(b"f", b"x") + b"\0" * 1024
    oci_with_blob("longname", layer, "application/vnd.oci.image.layer.v1.tar")
    check("a layer entry name over 4096 bytes", "longname", r"name longer than 4096 bytes")
    chain = [L("etc/l%d" % i, "l%d" % (i + 1)) for i in range(41)] + [F("etc/l41", b"")]
    oci_dir(Image([base, [F("etc/passwd.d", b"")] + chain + [WH("etc/passwd")],
                   [L("etc/passwd", "l0")]], user="app"), "chain", "gzip")
    check("a chain of 42 symlinks to /etc/passwd", "chain", r"too many levels of symbolic links")


if __name__ == "__main__":
    sys.exit(main())
