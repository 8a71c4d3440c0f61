#!/usr/bin/env python3
"""The per-layer cache and --pull, against a real registry on loopback.

Cache: a second image on the same base fetches only its own layers (a logging proxy counts
the blob requests); the same findings with and without the cache; a layer whose file is
asked for now and was not then is fetched again; a damaged cache file is a miss; --no-cache
neither reads nor writes; manifests and configs kept by digest (a pinned reference read
again without a request, a changed file fetched again). --pull: a manifest's image: references pair themselves (lint and
simulate), and a Dockerfile's FROM base image's user becomes known. Exits 77 where the tools
are missing."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import servers  # noqa: E402
from mkimage import D, F, Image, busybox_base, oci_dir  # noqa: E402

UNROOT = os.environ.get("UNROOT", "unroot")
failures = 0
checks = 0
ENV = dict(os.environ)


def run(*args, env=None):
    p = subprocess.run([UNROOT, *args], capture_output=True, text=True, timeout=120,
                       env=env or ENV)
    return p.returncode, p.stdout, p.stderr


def findings(*args, env=None):
    rc, out, err = run(*args[:-1], "--no-config", "-f", "json", args[-1], env=env)
    try:
        d = json.loads(out)["diagnostics"]
    except (ValueError, KeyError):
        d = [{"rule": "?", "message": out + err, "path": ""}]
    return rc, sorted((x["rule"], x["message"]) for x in d)


def expect(cond, what):
    global failures, checks
    checks += 1
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures += 1


BASE = busybox_base(real=False) + [
    F("app/base.sh", b"#!/bin/sh\necho from the base\n", mode=0o700, uid=1001),
    F("usr/share/big", os.urandom(200000))]
IMG_A = Image([BASE, [D("app", uid=1001, mode=0o775), F("app/a.sh", b"#!/bin/sh\n", mode=0o755)]],
              user="1001:0", entrypoint=["/app/a.sh"])
IMG_B = Image([BASE, [F("app/b.sh", b"#!/bin/sh\n", mode=0o750, uid=3000, gid=3000)]],
              user="3000", entrypoint=["/app/b.sh"])
IMG_C = Image([BASE, [F("app/c", b"c")]], user="1001:0", entrypoint=["/app/base.sh"])


def changes(*args):
    """What a run of unroot opens for writing, makes, renames or removes, by strace (None
    without it): a registry's layers stream through pipes, never through files."""
    strace = shutil.which("strace")
    if not strace:
        return None
    log = os.path.abspath("writes.strace")
    subprocess.run([strace, "-f", "-qq", "-o", log, "-e", "trace=%file,truncate,ftruncate",
                    UNROOT, *args], capture_output=True, timeout=120, env=ENV)
    bad = []
    with open(log) as f:
        for line in f:
            m = re.match(r"^(?:\[pid\s+\d+\]\s*|\d+\s+)?(\w+)\((.*)", line)
            if not m:
                continue
            call, rest = m.groups()
            if re.search(r"= -1 E[A-Z]+ ", rest):
                continue  # refused: a mkdir of a folder that exists changes nothing
            if call in ("open", "openat", "openat2", "creat"):
                if re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC", rest) and \
                        "/dev/null" not in rest:
                    bad.append(rest.split('"')[1] if '"' in rest else rest)
            elif call in ("mkdir", "mkdirat", "unlink", "unlinkat", "rename", "renameat",
                          "renameat2", "link", "linkat", "symlink", "symlinkat", "truncate"):
                bad.append(rest.split('"')[1] if '"' in rest else rest)
    os.unlink(log)
    return bad


def blob_gets(px):
    return [line for line, _ in px.log if "/blobs/" in line and line.startswith("GET")]


def main():
    miss = servers.missing_tools("docker-registry", "skopeo")
    if miss:
        print("SKIP: needs %s (scripts/install-deps.sh --test)" % ", ".join(miss))
        return 77
    rc, out, err = run("image", "--no-config", "docker://127.0.0.1:1/x:1")
    if "no unroot-fetch" in out + err:
        print("SKIP: this unroot was built without unroot-fetch (libcurl)")
        return 77
    work = tempfile.mkdtemp(prefix="unroot-cache-")
    stop = []
    try:
        os.chdir(work)
        ENV["HOME"] = work
        ENV["XDG_CACHE_HOME"] = os.path.join(work, "cache")
        run_all(stop)
    finally:
        for s in reversed(stop):
            s.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("%d checks, %d failed" % (checks, failures))
    return 1 if failures else 0


def cache(stop, reg):
    for name, img in (("a", IMG_A), ("b", IMG_B), ("c", IMG_C)):
        oci_dir(img, name, "gzip")
        servers.push("oci:%s:t" % name, "%s/test/%s:1" % (reg.host, name))
    px = servers.FaultProxy(reg.host, [])
    stop.append(px)
    cdir = os.path.join(ENV["XDG_CACHE_HOME"], "unroot", "layers")
    want = {n: findings("image", "--no-cache", "%s/test/%s:1" % (reg.host, n)) for n in "abc"}
    expect(not os.path.exists(cdir), "--no-cache writes no cache")

    written = changes("image", "--no-config", "--no-cache", "%s/test/a:1" % reg.host)
    expect(written in (None, []), "a registry read with --no-cache writes no file (%s)"
           % ("strace is not installed" if written is None else written or "none"))
    written = changes("image", "--no-config", "%s/test/a:1" % reg.host)
    xdg = ENV["XDG_CACHE_HOME"]
    expect(written is None or (written and all(w == xdg or w.startswith(xdg + "/")
                                               for w in written)),
           "with the cache, only $XDG_CACHE_HOME is written (%s)"
           % ("strace is not installed" if written is None else
              sorted({os.path.relpath(w, ENV["XDG_CACHE_HOME"])[:40] for w in written})))
    shutil.rmtree(os.path.join(xdg, "unroot"), ignore_errors=True)
    px.log.clear()
    got = findings("image", "%s/test/a:1" % px.host)
    first = len(blob_gets(px))
    files = sorted(os.listdir(cdir)) if os.path.isdir(cdir) else []
    expect(got == want["a"] and len(files) == 2, "the first image fills the cache: %d layers "
           "(%s)" % (len(files), ", ".join("%d B" % os.path.getsize(os.path.join(cdir, f))
                                           for f in files)))
    expect(all(os.path.getsize(os.path.join(cdir, f)) < 8192 for f in files),
           "a cached layer is a few KB, whatever its files' sizes")
    px.log.clear()
    got = findings("image", "%s/test/b:1" % px.host)
    gets = blob_gets(px)
    expect(got == want["b"] and len(gets) == first - 1,
           "the second image on the same base fetches its config and its own layer only "
           "(%d blob requests, %d for the first)" % (len(gets), first))
    px.log.clear()
    got = findings("image", "%s/test/c:1" % px.host)
    expect(got == want["c"] and len(blob_gets(px)) == first,
           "an entrypoint in a cached layer whose contents were not kept: the layer is read "
           "again (%d blob requests)" % len(blob_gets(px)))
    bdir = os.path.join(ENV["XDG_CACHE_HOME"], "unroot", "blobs")
    for d in (cdir, bdir):
        for f in os.listdir(d):
            with open(os.path.join(d, f), "r+b") as fh:
                fh.truncate(20)
    px.log.clear()
    got = findings("image", "%s/test/a:1" % px.host)
    expect(got == want["a"] and len(blob_gets(px)) == first,
           "damaged cache files are misses (%d blob requests)" % len(blob_gets(px)))
    px.log.clear()
    findings("image", "--no-cache", "%s/test/a:1" % px.host)
    expect(len(blob_gets(px)) == first, "--no-cache reads no cache")


def requests(px):
    return [line for line, _ in px.log]


def digests(stop, reg):
    """Manifests and configs are kept by digest: a reference pinned by digest is read again
    without a request (not even the /v2/ probe: the registry client is not started), a tag's
    manifest is asked for every time (tags move) but its config is not, and a cache file
    changed on disk does not match its name: it is fetched again and rewritten."""
    with open(os.path.join("a", "index.json")) as f:
        mdig = json.load(f)["manifests"][0]["digest"]
    with open(os.path.join("a", "blobs", "sha256", mdig.split(":")[1])) as f:
        cfg = json.load(f)["config"]["digest"]
    px = servers.FaultProxy(reg.host, [])
    stop.append(px)
    xdg = ENV["XDG_CACHE_HOME"]
    shutil.rmtree(os.path.join(xdg, "unroot"), ignore_errors=True)
    bdir = os.path.join(xdg, "unroot", "blobs")
    pinned = "%s/test/a@%s" % (px.host, mdig)
    want = findings("image", "--no-cache", pinned)
    expect(not os.path.exists(bdir), "--no-cache keeps no manifest or config")
    px.log.clear()
    first = findings("image", pinned)
    kept = sorted(os.listdir(bdir)) if os.path.isdir(bdir) else []
    expect(first == want and sorted("sha256:" + k for k in kept) == sorted([mdig, cfg]),
           "a first read keeps the manifest and the config by digest (%d requests, %d files)"
           % (len(px.log), len(kept)))
    expect(all(oct(os.stat(os.path.join(bdir, k)).st_mode & 0o777) == "0o600" for k in kept)
           and oct(os.stat(bdir).st_mode & 0o777) == "0o700", "kept private to the user")
    px.log.clear()
    again = findings("image", pinned)
    expect(again == want and requests(px) == [],
           "the same digest again: no request at all (%s)" % requests(px))
    px.log.clear()
    tagged = findings("image", "%s/test/a:1" % px.host)
    got = requests(px)
    expect(tagged == want and any("/manifests/1" in r for r in got) and
           not any(cfg in r for r in got) and not any("/blobs/" in r for r in got),
           "by tag: the manifest is asked for (tags move), the config is not (%s)" % got)
    for what, dig in (("manifest", mdig), ("config", cfg)):
        path = os.path.join(bdir, dig.split(":")[1])
        data = bytearray(open(path, "rb").read())
        data[len(data) // 2] ^= 0x20  # same size, one letter's case
        with open(path, "wb") as fh:
            fh.write(bytes(data))
        px.log.clear()
        got = findings("image", pinned)
        asked = [r for r in requests(px) if dig in r]
        expect(got == want and len(asked) == 1,
               "a cached %s changed on disk is not trusted: fetched again (%s)"
               % (what, asked))
        expect(servers.sha256(open(path, "rb").read()) == dig,
               "and written again, whole (%s)" % what)
    px.log.clear()
    findings("image", "--no-cache", pinned)
    expect(any(mdig in r for r in requests(px)) and any(cfg in r for r in requests(px)),
           "--no-cache reads no manifest or config from the cache")
    # The folder's bound: a file over 64 MiB in all (sparse here) goes when a new one comes.
    old = os.path.join(bdir, "0" * 64)
    with open(old, "wb") as fh:
        fh.truncate(64 << 20)
    os.utime(old, (1, 1))
    os.unlink(os.path.join(bdir, cfg.split(":")[1]))
    findings("image", pinned)
    left = os.listdir(bdir)
    expect("0" * 64 not in left and cfg.split(":")[1] in left,
           "past 64 MiB, the file read least long ago is removed (%d left)" % len(left))


def ahead(stop, reg):
    """The config and the first layers are asked for as soon as the manifest is read: with the
    config's answer held back 1.5 s, the layers' requests come in meanwhile, not after it."""
    with open(os.path.join("a", "index.json")) as f:
        mdig = json.load(f)["manifests"][0]["digest"].split(":")[1]
    with open(os.path.join("a", "blobs", "sha256", mdig)) as f:
        m = json.load(f)
    cfg = m["config"]["digest"]
    px = servers.FaultProxy(reg.host, [{"match": "GET .*/blobs/" + cfg, "do": "delay",
                                        "seconds": 1.5}])
    stop.append(px)
    want = findings("image", "--no-cache", "%s/test/a:1" % reg.host)
    got = findings("image", "--no-cache", "%s/test/a:1" % px.host)
    t_cfg = [t for t, line in px.arrived if cfg in line]
    t_layers = [t for t, line in px.arrived if "/blobs/" in line and cfg not in line]
    late = [round(t - t_cfg[0], 2) for t in t_layers] if t_cfg else []
    expect(got == want and len(t_layers) == len(m["layers"]) and all(d < 1.0 for d in late),
           "the layers are asked for while the config comes, not after it (layer requests "
           "%s s after the config's)" % late)


def bounded(stop, reg):
    """Blobs are fetched several at once, and no more than 4: nine layers and a config, each
    answered 0.5 s late by the proxy."""
    layers = [BASE] + [[F("layer%d/f" % i, b"%d" % i)] for i in range(8)]
    oci_dir(Image(layers, user="1001:0", cmd=["sh"]), "many", "gzip")
    servers.push("oci:many:t", "%s/test/many:1" % reg.host)
    px = servers.FaultProxy(reg.host, [{"match": "GET .*/blobs/", "do": "delay",
                                        "seconds": 0.5}])
    stop.append(px)
    want = findings("image", "--no-cache", "%s/test/many:1" % reg.host)
    got = findings("image", "--no-cache", "%s/test/many:1" % px.host)
    expect(got == want and len(blob_gets(px)) >= 10 and 2 <= px.most <= 4,
           "%d blob requests, at most %d at once (goal: several, never more than 4)"
           % (len(blob_gets(px)), px.most))


def pull(reg):
    host = reg.host
    oci_dir(Image([busybox_base(real=False),
                   [D("app", uid=3000, gid=3000), F("app/run.sh", b"#!/bin/sh\n", mode=0o750,
                                                    uid=3000, gid=3000)]],
                  user="3000", entrypoint=["/app/run.sh"]), "hard", "gzip")
    servers.push("oci:hard:t", host + "/test/hard:1")
    oci_dir(Image([busybox_base(real=False)], user="1001:0", cmd=["sh"]), "base1001", "gzip")
    servers.push("oci:base1001:t", host + "/test/base1001:1")
    with open("deploy.yaml", "w") as f:
        f.write("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
                "  template:\n    spec:\n      securityContext: {runAsNonRoot: true, "
                "runAsUser: 1001}\n"
                "      containers:\n      - name: app\n        image: %s/test/hard:1\n" % host)
    _, without = findings("lint", "deploy.yaml")
    rc, with_pull = findings("lint", "--pull", "deploy.yaml")
    new = {r for r, _ in with_pull} - {r for r, _ in without}
    expect("NR207" in new or "NR209" in new or "NR206" in new,
           "lint --pull pairs the manifest's image: (new: %s)" % sorted(new))
    rc, out, _ = run("simulate", "--no-config", "-f", "json", "--pull", "--platform",
                     "kubernetes", "deploy.yaml")
    res = json.loads(out)["results"] if out.startswith("{") else []
    expect(res and res[0]["paired"] == "docker://%s/test/hard:1" % host,
           "simulate --pull pairs it (%s)" % [r.get("paired") for r in res])
    with open("Dockerfile", "w") as f:
        f.write("FROM %s/test/base1001:1\nCOPY x /x\nCMD [\"sh\"]\n" % host)
    open("x", "w").write("x")
    _, without = findings("lint", "Dockerfile")
    _, with_pull = findings("lint", "--pull", "Dockerfile")
    expect("NR101" in {r for r, _ in without} and "NR101" not in {r for r, _ in with_pull},
           "FROM a base whose config says 1001:0: NR101 without --pull, not with it (%s)"
           % [r for r, _ in with_pull])
    rc, out, _ = run("simulate", "--no-config", "-f", "json", "--pull", "--platform",
                     "docker", "Dockerfile")
    res = json.loads(out)["results"] if out.startswith("{") else []
    expect(res and res[0]["uid"]["id"] == 1001,
           "simulate --pull runs the Dockerfile as its base's user (%s)"
           % [r["uid"] for r in res])


def run_all(stop):
    reg = servers.Registry(os.path.join(os.getcwd(), "reg"))
    stop.append(reg)
    cache(stop, reg)
    digests(stop, reg)
    ahead(stop, reg)
    bounded(stop, reg)
    pull(reg)


if __name__ == "__main__":
    sys.exit(main())
