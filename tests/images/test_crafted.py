#!/usr/bin/env python3
"""Images the test builds itself, for what real tools do not make: every layout, whiteouts and
opaque folders across layers, hard links to files deleted later, PAX uids above 2^21, GNU long
names, file capabilities, multi-platform indexes. Each checks unroot's findings and its
--tree view. Usage: test_crafted.py (UNROOT names the binary)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkimage import (D, F, H, L, OPQ, WH, Image, busybox_base, docker_classic, layer_tar,  # noqa
                     oci_archive, oci_dir)
import tarfile  # noqa: E402

UNROOT = os.environ.get("UNROOT", "unroot")
failures = 0
checks = 0


def run(*args):
    p = subprocess.run([UNROOT, *args], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def lint(path, *extra):
    rc, out, err = run("image", "--no-config", "-f", "json", *extra, path)
    try:
        diags = json.loads(out)["diagnostics"]
    except (ValueError, KeyError):
        diags = []
    return rc, diags, err


def tree(path, sub="/", *extra):
    rc, out, err = run("image", "--no-config", "--tree", sub, *extra, path)
    rows = {}
    for line in out.splitlines():
        if line.startswith("#"):
            continue
        parts = line.split(None, 5)
        if len(parts) < 6:
            continue
        mode, uid, gid, size, acc, rest = parts
        p = rest.split(" -> ")[0]
        rows[p] = dict(mode=mode, uid=int(uid), gid=int(gid), acc=acc)
    return rc, rows, out, err


def expect(cond, what):
    global failures, checks
    checks += 1
    if not cond:
        failures += 1
        print("FAIL:", what)
    else:
        print("ok:", what)


def codes(diags):
    return sorted(d["rule"] for d in diags)


def by_rule(diags, rule):
    return [d for d in diags if d["rule"] == rule]


def main():
    if not shutil.which("zstd"):
        print("SKIP: needs the zstd command to write zstd layers (scripts/install-deps.sh --test)")
        return 77
    work = tempfile.mkdtemp(prefix="unroot-crafted-")
    try:
        os.chdir(work)
        run_all()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d checks, %d failed" % (checks, failures))
    return 1 if failures else 0


def every_layout(img, name):
    out = {}
    docker_classic(img, name + "-classic.tar")
    out["docker save (classic)"] = name + "-classic.tar"
    oci_archive(img, name + "-docker25.tar", "none", docker_manifest=True)
    out["docker save (OCI-in-tar)"] = name + "-docker25.tar"
    oci_dir(img, name + "-gzip", "gzip")
    out["OCI layout, gzip"] = name + "-gzip"
    oci_dir(img, name + "-zstd", "zstd")
    out["OCI layout, zstd"] = name + "-zstd"
    oci_archive(img, name + "-ociarch.tar", "gzip")
    out["OCI archive"] = name + "-ociarch.tar"
    subprocess.run(["gzip", "-k", "-f", name + "-classic.tar"], check=True)
    os.rename(name + "-classic.tar.gz", name + "-classic.tgz")
    out["docker save | gzip"] = name + "-classic.tgz"
    return out


def run_all():
    base = busybox_base(real=False)

    # 1. The same image in every layout gives the same findings and the same tree.
    app = [F("app/run.sh", b"#!/bin/sh\necho hi\n", mode=0o700, uid=1001, gid=1001),
           F("app/app.conf", b"k=v\n", mode=0o600, uid=1001, gid=1001),
           F("app/helper", b"x", mode=0o4755),
           F("app/server", b"\x7fELF", mode=0o755,
             xattrs={"security.capability": bytes.fromhex("01000002" "00040000" "00000000"
                                                          "00000000" "00000000")})]
    img = Image([base, app], user="app", entrypoint=["/app/run.sh"])
    first = None
    for label, path in every_layout(img, "one").items():
        rc, diags, err = lint(path)
        got = codes(diags)
        expect(rc == 1 and got == ["NR403", "NR404", "NR405", "NR407", "NR408"],
               "%s: findings %s (rc %d) %s" % (label, got, rc, err.strip()[:300]))
        rc, rows, out, err = tree(path)
        if first is None:
            first = rows
        expect(rc == 0 and rows == first and len(rows) > 10,
               "%s: the tree matches the first layout's (%d rows)" % (label, len(rows)))
    nr404 = by_rule(lint("one-gzip")[1], "NR404")
    expect(nr404 and nr404[0].get("object") == "/app/run.sh" and
           nr404[0].get("fix") == "chgrp 0 /app/run.sh && chmod g+rx /app/run.sh",
           "NR404 names /app/run.sh and the exact fix: %s" % (nr404[0] if nr404 else None))
    nr408 = by_rule(lint("one-gzip")[1], "NR408")
    expect(nr408 and "cap_net_bind_service+ep" in nr408[0]["message"] and
           nr408[0]["fix"] == "setcap -r /app/server",
           "NR408 decodes the capability: %s" % (nr408[0]["message"] if nr408 else None))

    # 2. Whiteouts and opaque folders across layers; a hard link to a file deleted later.
    l1 = [D("app", uid=1001), F("app/a", b"a"), F("app/b", b"b"),
          F("app/orig", b"o", mode=0o750, uid=1001, gid=0), H("app/link", "app/orig"),
          D("opq"), F("opq/old", b"x"), D("opq/sub"), F("opq/sub/deep", b"y"),
          F("x", b"file"), D("y"), F("y/z", b"z")]
    l2 = [WH("app/a"), WH("app/orig"),
          D("opq"), F("opq/new", b"n"), OPQ("opq"),  # the marker after an entry of its own layer
          D("x"), F("x/inner", b"i"), F("y", b"now a file")]
    img = Image([base, l1, l2], user="1001:0", entrypoint=["/bin/sh"])
    oci_dir(img, "wh", "gzip")
    rc, rows, out, err = tree("wh")
    expect("/app/a" not in rows and "/app/b" in rows, "a whiteout removes /app/a only")
    expect("/app/orig" not in rows and rows.get("/app/link", {}).get("mode") == "-rwxr-x---"
           and rows["/app/link"]["uid"] == 1001,
           "a hard link keeps the inode of a file deleted in a later layer: %s"
           % rows.get("/app/link"))
    expect("/opq/old" not in rows and "/opq/sub" not in rows and "/opq/new" in rows,
           "an opaque folder hides the lower layers' entries and keeps its own layer's")
    expect(rows.get("/x", {}).get("mode", "").startswith("d") and "/x/inner" in rows,
           "a file replaced by a folder")
    expect(rows.get("/y", {}).get("mode", "").startswith("-") and "/y/z" not in rows,
           "a folder replaced by a file")

    # 3. PAX uids above 2^21, owner class, GNU long names.
    long_dir = "app/" + "d" * 120
    l3 = [D("app", mode=0o755), F("app/mine", b"m", mode=0o470, uid=1000680000, gid=0),
          F("app/big", b"b", mode=0o640, uid=3000000000, gid=2500000000)]
    gnu = tarfile.GNU_FORMAT
    l4 = layer_tar([D(long_dir), F(long_dir + "/f", b"x", mode=0o644)], fmt=gnu)
    img = Image([base, l3, l4], user="1001:0", entrypoint=["/bin/sh"])
    oci_dir(img, "pax", "gzip")
    rc, rows, out, err = tree("pax")
    expect(rows.get("/app/mine", {}).get("uid") == 1000680000 and
           rows["/app/mine"]["acc"] == "r--",
           "a PAX uid of 1000680000: the owner class wins although group 0 has rw: %s"
           % rows.get("/app/mine"))
    expect(rows.get("/app/big", {}).get("uid") == 3000000000 and
           rows["/app/big"]["gid"] == 2500000000 and rows["/app/big"]["acc"] == "---",
           "uids and gids above 2^31 from PAX headers: %s" % rows.get("/app/big"))
    expect("/" + long_dir + "/f" in rows, "a GNU long name (%d bytes)" % len(long_dir))

    # 4. The article's three approaches, and a missing USER.
    good = [D("app", uid=1001, gid=0, mode=0o775),
            F("app/run.sh", b"#!/bin/sh\nexec sleep 1\n", mode=0o775, uid=1001, gid=0),
            D("data", uid=1001, gid=0, mode=0o775)]
    oci_dir(Image([base, good], user="1001:0", entrypoint=["/app/run.sh"], volumes=["/data"],
                  workdir="/app"), "good", "gzip")
    rc, diags, err = lint("good")
    expect(rc == 0 and not diags, "USER 1001:0 with chgrp 0 and g=u: no findings %s"
           % codes(diags))
    hard = [D("app", uid=3000, gid=3000, mode=0o755),
            F("app/run.sh", b"#!/bin/sh\n", mode=0o750, uid=3000, gid=3000),
            F("app/lib.conf", b"x", mode=0o640, uid=3000, gid=3000),
            D("data", uid=3000, gid=3000, mode=0o755)]
    oci_dir(Image([base, hard], user="3000", entrypoint=["/app/run.sh"], volumes=["/data"]),
            "hard", "gzip")
    rc, diags, err = lint("hard")
    expect(rc == 1 and {"NR404", "NR405", "NR406"} <= set(codes(diags)),
           "a hard-coded uid 3000 without group 0: %s" % codes(diags))
    nr406 = [d for d in by_rule(diags, "NR406") if d["object"] == "/data"]
    expect(nr406 and nr406[0]["fix"] == "chgrp -R 0 /data && chmod -R g=u /data" and
           "VOLUME" in nr406[0]["message"],
           "a VOLUME only its owner can write: %s" % (nr406[0] if nr406 else None))
    oci_dir(Image([base, good], user="app", entrypoint=["/app/run.sh"]), "named", "gzip")
    rc, diags, err = lint("named")
    expect(codes(diags) == ["NR403"], "a named user: %s" % codes(diags))
    oci_dir(Image([base, good], entrypoint=["/app/run.sh"]), "nouser", "gzip")
    rc, diags, err = lint("nouser")
    expect("NR401" in codes(diags) and
           by_rule(diags, "NR401")[0].get("fix") == "USER 1001:0",
           "a missing USER: %s" % codes(diags))
    oci_dir(Image([base, good], user="ghost:0", entrypoint=["/app/run.sh"]), "ghost", "gzip")
    rc, diags, err = lint("ghost")
    expect("NR402" in codes(diags), "a user /etc/passwd lacks: %s" % codes(diags))
    oci_dir(Image([base, good], user="toor", entrypoint=["/app/run.sh"]), "toor", "gzip")
    img_toor = [F("etc/passwd", b"toor:x:0:0::/root:/bin/sh\n")]
    oci_dir(Image([base, good, img_toor], user="toor", entrypoint=["/app/run.sh"]), "toor",
            "gzip")
    rc, diags, err = lint("toor")
    expect("NR401" in codes(diags), "a name whose uid is 0: %s" % codes(diags))

    # The HOME of the image's user (from /etc/passwd) is where the app writes too.
    home = [D("home"), D("home/app", mode=0o700, uid=1001, gid=1001)]
    oci_dir(Image([base, good, home], user="1001:0", entrypoint=["/app/run.sh"]), "home",
            "gzip")
    rc, diags, err = lint("home")
    h6 = [d for d in by_rule(diags, "NR406") if d["object"] == "/home/app"]
    h5 = [d for d in by_rule(diags, "NR405") if d["object"] == "/home/app"]
    expect(h6 and "HOME" in h6[0]["message"] and h5,
           "a HOME only its owner can use: %s" % codes(diags))

    # 5. Entrypoints through PATH, WorkingDir and shebangs.
    scripts = [D("app", mode=0o755),
               F("app/py.sh", b"#!/usr/bin/env python3\n", mode=0o755),
               F("usr/bin/tool", b"#!/bin/sh\n", mode=0o755),
               D("opt", mode=0o700), F("opt/x", b"#!/bin/sh\n", mode=0o755)]
    oci_dir(Image([base, scripts], user="1001:0", entrypoint=["/app/py.sh"]), "env", "gzip")
    d = by_rule(lint("env")[1], "NR404")
    expect(d and "python3" in d[0]["message"], "env python3 missing from PATH: %s"
           % (d[0]["message"] if d else None))
    oci_dir(Image([base, scripts], user="1001:0", cmd=["tool"]), "path", "gzip")
    expect(not by_rule(lint("path")[1], "NR404"), "cmd found through PATH, executable")
    oci_dir(Image([base, scripts], user="1001:0", entrypoint=["/bin/sh", "-c", "exec /opt/x"]),
            "shc", "gzip")
    d = by_rule(lint("shc")[1], "NR404")
    expect(d and d[0]["object"] == "/opt" and d[0]["fix"] == "chmod g+x /opt",
           "sh -c 'exec /opt/x' behind a folder group 0 cannot search: %s" % (d[0] if d else None))
    oci_dir(Image([base, scripts], user="1001:0", cmd=["missing"]), "nocmd", "gzip")
    d = by_rule(lint("nocmd")[1], "NR404")
    expect(d and "not in the image" in d[0]["message"], "a cmd that is nowhere on PATH")

    # 6. A multi-platform index: the host's by default, --arch to pick, an error otherwise.
    oci_dir(Image([base, good], user="1001:0", entrypoint=["/app/run.sh"]), "multi", "gzip",
            platforms=["amd64", "arm64"])
    rc, diags, err = lint("multi", "--arch", "arm64")
    expect(rc == 0 and "picked linux/arm64" in err, "--arch arm64 is picked and said: %s"
           % err.strip())
    rc, diags, err = lint("multi", "--arch", "s390x")
    expect(rc == 2 and "s390x" in (diags[0]["message"] if diags else ""),
           "an architecture the index lacks is an error: %s" % (diags[0]["message"] if diags else err))

    # 7. A Helm chart .tgz is not an image.
    os.makedirs("chart/mychart/templates")
    with open("chart/mychart/Chart.yaml", "w") as f:
        f.write("apiVersion: v2\nname: mychart\nversion: 0.1.0\n")
    subprocess.run(["tar", "-czf", "mychart-0.1.0.tgz", "-C", "chart", "mychart"], check=True)
    rc, out, err = run("lint", "--no-config", "-f", "json", "mychart-0.1.0.tgz")
    expect("manifest.json" not in out and "index.json" not in out,
           "a Helm chart .tgz is left to the Helm reader: %s" % out.strip()[:200])
    rc2, out2, err2 = run("image", "--no-config", "--tree", "/", "one-classic.tgz")
    expect(rc2 == 0 and "/app/run.sh" in out2, "a gzip docker save .tgz is read")

    # 8. Ground truth where the tools are here: unpacked by umoci, probed with access(2).
    if all(shutil.which(t) for t in ("umoci", "unshare", "chroot", "cc")) and os.geteuid() == 0:
        import groundtruth
        total = 0
        for name in ("one-gzip", "wh", "pax", "hard", "good", "shc"):
            rootfs = groundtruth.unpack(name, "t", name + "-bundle")
            rc, out, err = run("image", "--no-config", "--tree", "/", name)
            n, bad = groundtruth.compare(rootfs, out, os.getcwd())
            total += n
            expect(n > 0 and not bad, "%s: %d paths agree with the kernel%s"
                   % (name, n, "".join("\n  %s: unroot %s, kernel %s" % b for b in bad)))
        print("ground truth: %d paths compared" % total)
    else:
        print("note: no ground truth here (needs root, umoci, unshare, chroot and cc)")

    # 9. --rootfs with --image-config.
    os.makedirs("rootfs/app")
    shutil.copy("/etc/hostname" if os.path.exists("/etc/hostname") else __file__, "rootfs/app/x")
    os.chmod("rootfs/app/x", 0o700)
    with open("cfg.json", "w") as f:
        json.dump({"config": {"User": "1001:0", "Entrypoint": ["/app/x"]}}, f)
    rc, out, err = run("image", "--no-config", "-f", "json", "--rootfs", "rootfs",
                       "--image-config", "cfg.json")
    got = codes(json.loads(out)["diagnostics"]) if out.strip() else []
    expect("NR404" in got, "--rootfs DIR --image-config FILE: %s" % got)

    contents_across_layers(base)
    not_executable(base)
    capped_reports(base)


def contents_across_layers(base):
    """10. The contents unroot reads come from the layer that wrote what the image shows."""
    with_app = b"root:x:0:0::/root:/bin/sh\napp:x:1001:0::/home/app:/bin/sh\n"
    without = b"root:x:0:0::/root:/bin/sh\n"
    # Every layer writes /etc/passwd; only the newest names the user, then only an older one.
    layers = [base] + [[F("etc/passwd", without + b"#%d\n" % i)] for i in range(5)]
    oci_dir(Image(layers + [[F("etc/passwd", with_app)]], user="app"), "newest", "gzip")
    rc, diags, err = lint("newest")
    expect("NR402" not in codes(diags), "the newest layer's /etc/passwd is read: %s %s"
           % (codes(diags), err.strip()[:200]))
    oci_dir(Image([base, [F("etc/passwd", with_app)]] + layers[1:], user="app"), "older",
            "gzip")
    rc, diags, err = lint("older")
    expect("NR402" in codes(diags), "an older layer's /etc/passwd is not: %s" % codes(diags))
    # /etc/passwd a hard link to a file a later layer replaced: the link keeps the old bytes.
    oci_dir(Image([base, [F("etc/passwd.real", with_app)],
                   [WH("etc/passwd"), H("etc/passwd", "etc/passwd.real")],
                   [F("etc/passwd.real", without)]], user="app"), "hardpw", "gzip")
    rc, diags, err = lint("hardpw")
    expect(rc == 1 and codes(diags) == ["NR403"],
           "a hard-linked /etc/passwd is read from the layer that wrote its bytes: rc %d %s %s"
           % (rc, codes(diags), err.strip()[:200]))
    # A thousand tiny layers: read, applied in order, and their findings the same as one's.
    oci_dir(Image([base] * 1000, user="1001:0"), "thousand", "none")
    rc, diags, err = lint("thousand")
    expect(rc == 0 and diags == [], "a thousand layers: rc %d %s %s"
           % (rc, codes(diags), err.strip()[:200]))


def special_layer(entries):
    """A layer of FIFOs, devices and folders: (path, tarfile type)."""
    import io
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for path, typ in entries:
            ti = tarfile.TarInfo(path)
            ti.type = typ
            ti.mode = 0o755
            ti.devmajor, ti.devminor = 1, 3
            t.addfile(ti)
    return buf.getvalue()


def not_executable(base):
    """11. NR404 for what execve refuses whatever the mode says."""
    odd = special_layer([("app/fifo", tarfile.FIFOTYPE), ("app/null", tarfile.CHRTYPE),
                         ("app/dir", tarfile.DIRTYPE), ("app/blk", tarfile.BLKTYPE)])
    for name, what in (("fifo", "a named pipe (FIFO)"), ("null", "a character device"),
                       ("dir", "a folder"), ("blk", "a block device")):
        oci_dir(Image([base, odd], user="1001:0", entrypoint=["/app/" + name]), "x-" + name,
                "gzip")
        rc, diags, err = lint("x-" + name)
        msgs = [d["message"] for d in by_rule(diags, "NR404")]
        expect(rc == 1 and any("is %s, not a regular file" % what in m for m in msgs),
               "NR404 for an entrypoint that is %s: %s" % (what, msgs or err.strip()[:200]))
    scripts = [F("app/self.sh", b"#!/app/self.sh\necho hi\n", mode=0o755),
               F("app/viasym", b"#!/app/me\n", mode=0o755), L("app/me", "viasym")]
    for prog in ("/app/self.sh", "/app/viasym"):
        oci_dir(Image([base, scripts], user="1001:0", entrypoint=[prog]), "self", "gzip")
        rc, diags, err = lint("self")
        msgs = [d["message"] for d in by_rule(diags, "NR404")]
        expect(rc == 1 and any("names itself as its #! interpreter" in m and "ELOOP" in m
                               for m in msgs),
               "NR404 for %s, whose #! names itself: %s" % (prog, msgs or err.strip()[:200]))
        shutil.rmtree("self")


def capped_reports(base):
    """12. A rule that shows 50 paths says how many more it found; a capability is never lost."""
    many = [F("app/s%02d" % i, b"x", mode=0o4755) for i in range(53)]
    oci_dir(Image([base, many], user="1001:0"), "suid", "gzip")
    rc, diags, err = lint("suid")
    msgs = [d["message"] for d in by_rule(diags, "NR407")]
    expect(len(msgs) == 50 and msgs[-1].endswith("(3 more findings not shown)"),
           "NR407 shows 50 files and counts the 3 more: %d, %s" % (len(msgs), msgs[-1:]))
    # Written first, libarchive lists it after the 70 others.
    others = {"security.capability": bytes.fromhex("01000002" "00040000" "00000000"
                                                   "00000000" "00000000")}
    others.update({"user.x%02d" % i: b"v" for i in range(70)})
    oci_dir(Image([base, [F("app/server", b"\x7fELF", mode=0o755, xattrs=others)]],
                  user="1001:0"), "xattrs", "gzip")
    rc, diags, err = lint("xattrs")
    expect("NR408" in codes(diags),
           "a capability after 70 other xattrs is still read: %s" % codes(diags))


if __name__ == "__main__":
    sys.exit(main())
