#!/usr/bin/env python3
"""Registries that go wrong. A real docker-registry on loopback: a blob changed on its disk
(digest mismatch), a repository, tag or digest that is not there (404), and, through a proxy
that injects faults, connections cut part way, 429 with Retry-After, 500, and a server that
stalls (--timeout); the retry schedule (the times the proxy saw each try arrive). Then a hostile registry that serves what the test gives it: a manifest
larger than the limit, a manifest list that names itself, indexes nested past the limit, a
blob longer than its descriptor, a schema 1 manifest, more layers than the limit, and a
layer bomb. Every case must end with exit status 2, a message naming the problem, within a
bounded time, and never a crash. Exits 77 where the tools are missing."""
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import servers  # noqa: E402
from mkimage import D, F, Image, busybox_base, oci_dir  # noqa: E402

UNROOT = os.environ.get("UNROOT", "unroot")
failures = 0
checks = 0
ENV = dict(os.environ)


def image(ref, *extra, timeout=120):
    t0 = time.time()
    # The layer cache would answer for blobs this test changes: every read goes to the wire.
    p = subprocess.run([UNROOT, "image", "--no-config", "--no-cache", "-f", "json", *extra, ref],
                       capture_output=True, text=True, timeout=timeout, env=ENV)
    try:
        diags = json.loads(p.stdout)["diagnostics"]
    except (ValueError, KeyError):
        diags = [{"rule": "?", "message": p.stdout + p.stderr}]
    return p.returncode, diags, time.time() - t0


def said(diags):
    return " | ".join(d["message"] for d in diags)


def rules(diags):
    return sorted(d["rule"] for d in diags)


def expect(cond, what):
    global failures, checks
    checks += 1
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures += 1


BASE = busybox_base(real=False)
APP = [D("app", uid=1001, mode=0o775), F("app/run.sh", b"#!/bin/sh\n" + b"#" * 300000,
                                          mode=0o755)]
GOOD = Image([BASE, APP], user="1001:0", entrypoint=["/app/run.sh"])
OTHER = Image([BASE, [F("app/x", b"other")]], user="1001:0", cmd=["sh"])


def main():
    miss = servers.missing_tools("docker-registry", "skopeo")
    if miss:
        print("SKIP: needs %s (scripts/install-deps.sh --test)" % ", ".join(miss))
        return 77
    p = subprocess.run([UNROOT, "image", "--no-config", "docker://127.0.0.1:1/x:1"],
                       capture_output=True, text=True)
    if "no unroot-fetch" in p.stdout + p.stderr:
        print("SKIP: this unroot was built without unroot-fetch (libcurl)")
        return 77
    work = tempfile.mkdtemp(prefix="unroot-faults-")
    stoppers = []
    try:
        os.chdir(work)
        ENV["HOME"] = work
        run_all(stoppers)
    finally:
        for s in reversed(stoppers):
            s.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("%d checks, %d failed" % (checks, failures))
    return 1 if failures else 0


def manifest_of(host, repo_tag):
    out = subprocess.run(["skopeo", "inspect", "--tls-verify=false", "--raw",
                          "docker://%s/%s" % (host, repo_tag)], capture_output=True,
                         check=True).stdout
    return json.loads(out)


def real_registry(stoppers):
    reg = servers.Registry(os.path.join(os.getcwd(), "reg"))
    stoppers.append(reg)
    oci_dir(GOOD, "good", "gzip")
    oci_dir(OTHER, "other", "gzip")
    for name in ("intact", "swapped", "flipped", "config", "proxied"):
        servers.push("oci:good:t", "%s/test/%s:1" % (reg.host, name))
    servers.push("oci:other:t", "%s/test/other:1" % reg.host)
    rc, diags, _ = image("%s/test/intact:1" % reg.host)
    expect(rc == 0 and diags == [], "the intact image reads clean (%s)" % said(diags))

    # 404: which of repository, tag and digest is missing.
    rc, d, _ = image("%s/test/nothere:1" % reg.host)
    expect(rc == 2 and "repository 'test/nothere' is not on the registry" in said(d),
           "a missing repository: %s" % said(d))
    rc, d, _ = image("%s/test/intact:2" % reg.host)
    expect(rc == 2 and "has no tag '2' (it has: 1)" in said(d), "a missing tag: %s" % said(d))
    rc, d, _ = image("%s/test/intact@sha256:%s" % (reg.host, "1" * 64))
    expect(rc == 2 and "has no manifest sha256:111" in said(d), "a missing digest: %s"
           % said(d))

    # A network failure names the host: nothing listening there, a name that resolves nowhere.
    port = servers.free_port()
    rc, d, _ = image("127.0.0.1:%d/test/intact:1" % port)
    expect(rc == 2 and "cannot connect to the registry 127.0.0.1:%d" % port in said(d),
           "a registry that is not running: %s" % said(d))
    rc, d, _ = image("registry.unroot.invalid/test/intact:1")
    expect(rc == 2 and "cannot find the host 'registry.unroot.invalid'" in said(d),
           "a host name that resolves nowhere: %s" % said(d))

    # A blob changed on the registry's disk: the layer stream is checked as it comes.
    # Shared layers are stored once, so each case changes a layer only its image has.
    app_layer = manifest_of(reg.host, "test/intact:1")["layers"][1]["digest"]
    other_layer = manifest_of(reg.host, "test/other:1")["layers"][1]["digest"]
    path = reg.blob_path(app_layer)
    original = open(path, "rb").read()
    shutil.copy(reg.blob_path(other_layer), path)  # a valid layer, but another one
    rc, d, _ = image("%s/test/swapped:1" % reg.host)
    expect(rc == 2 and app_layer.split(":")[1] in said(d) and "has sha256 " in said(d),
           "a blob replaced by another layer: NR000 naming the digest: %s" % said(d))
    damaged = bytearray(original)
    for i in range(len(damaged) // 3, len(damaged) // 3 + 64):
        damaged[i] ^= 0xff
    open(path, "wb").write(bytes(damaged))
    rc, d, _ = image("%s/test/flipped:1" % reg.host)
    expect(rc == 2 and app_layer.split(":")[1] in said(d) and "has sha256 " in said(d),
           "a blob with flipped bytes: the digest is named, not only the damage: %s"
           % said(d))
    open(path, "wb").write(original)
    cfg = manifest_of(reg.host, "test/config:1")["config"]["digest"]
    cpath = reg.blob_path(cfg)
    text = open(cpath, "rb").read()
    open(cpath, "wb").write(text.replace(b'"1001:0"', b'"0:0"   '))
    rc, d, _ = image("%s/test/config:1" % reg.host)
    expect(rc == 2 and cfg.split(":")[1] in said(d) and "NR401" not in rules(d),
           "a config changed on disk is refused, not believed: %s" % said(d))
    open(cpath, "wb").write(text)
    return reg, app_layer


def proxied(stoppers, reg, layer):
    blob = "blobs/" + layer
    cases = [
        ("a connection cut twice part way through a layer resumes",
         [{"match": blob, "do": "cut", "times": 2}], 0, None),
        ("429 with Retry-After: 1, twice, then the manifest",
         [{"match": "manifests/1", "do": "status", "status": 429, "times": 2,
           "headers": {"Retry-After": "1"}}], 0, None),
        ("500 on a layer, then the layer", [{"match": blob, "do": "status", "status": 500,
                                            "times": 1}], 0, None),
        ("a connection cut every time (--retry-times 2)", [{"match": blob, "do": "cut"}], 2,
         "3 attempts, the connection was cut part way"),
        ("429 asking for an hour", [{"match": "manifests/1", "do": "status", "status": 429,
                                    "headers": {"Retry-After": "3600"}}], 2,
         "asks to retry after 3600 seconds"),
        ("401 from the registry", [{"match": "manifests/1", "do": "status", "status": 401,
                                   "headers": {"Www-Authenticate": 'Basic realm="x"'}}], 2,
         "podman login"),
        ("a stalled layer (--timeout 1 --retry-times 1)", [{"match": blob, "do": "stall"}], 2,
         "sent nothing for 1 seconds"),
        ("a stalled manifest (--timeout 1 --retry-times 1)",
         [{"match": "manifests/1", "do": "stall"}], 2, "sent nothing for 1 seconds"),
    ]
    for what, rules_, want_rc, want_msg in cases:
        px = servers.FaultProxy(reg.host, rules_)
        stoppers.append(px)
        extra = ["--timeout", "1", "--retry-times", "1"] if "stall" in what else []
        if "--retry-times 2" in what:
            extra = ["--retry-times", "2"]
        rc, d, took = image("%s/test/proxied:1" % px.host, *extra)
        if want_rc == 0:
            expect(rc == 0 and d == [], "%s (%.1f s): %s" % (what, took, said(d) or "clean"))
        else:
            expect(rc == 2 and want_msg in said(d) and took < (10 if "stall" in what else 45),
                   "%s (%.1f s): %s" % (what, took, said(d)))
        if "resumes" in what:
            ranges = [r for line, r in px.log if blob in line and r]
            expect(len(ranges) == 2 and all(r.startswith("bytes=") and r != "bytes=0-"
                                            for r in ranges),
                   "the retries asked for the rest with Range: %s" % ranges)
        if "Retry-After: 1" in what:
            expect(took >= 2, "Retry-After was waited for (%.1f s)" % took)
        px.stop()
        stoppers.remove(px)


def backoff(stoppers, reg):
    """The retry schedule, from the times a proxy saw the manifest's requests arrive: tries
    after 429, 500-504, waiting at least 0.5, 1, 2, 4 s between them (or what Retry-After
    asks), 4 retries by default (--retry-times N), and none when Retry-After asks for more than
    the 60 s all retries of a request may take. Only lower bounds on the waits are checked
    (a loaded machine may be slower, never faster), and the count exactly."""
    man = "GET /v2/test/proxied/manifests/1"

    def tries(rules_, *extra):
        px = servers.FaultProxy(reg.host, rules_)
        stoppers.append(px)
        rc, d, took = image("%s/test/proxied:1" % px.host, *extra)
        px.stop()
        stoppers.remove(px)
        times = [t for t, line in px.arrived if line == man]
        return rc, d, took, [round(b - a, 2) for a, b in zip(times, times[1:])]

    rc, d, took, gaps = tries([{"match": "manifests/1", "do": "status", "status": 503,
                                "times": 2}])
    expect(rc == 0 and d == [] and len(gaps) == 2 and gaps[0] >= 0.5 and gaps[1] >= 1.0,
           "503 twice, then the manifest: 2 retries, at least 0.5 s and 1 s apart (%s s): %s"
           % (gaps, said(d) or "clean"))
    rc, d, took, gaps = tries([{"match": "manifests/1", "do": "status", "status": 429,
                                "times": 1, "headers": {"Retry-After": "2"}}])
    expect(rc == 0 and d == [] and len(gaps) == 1 and gaps[0] >= 2.0,
           "429 with Retry-After: 2: the retry comes no earlier than 2 s later (%s s): %s"
           % (gaps, said(d) or "clean"))
    rc, d, took, gaps = tries([{"match": "manifests/1", "do": "status", "status": 503}])
    expect(rc == 2 and len(gaps) == 4 and all(g >= w for g, w in zip(gaps, (0.5, 1, 2, 4)))
           and "answered HTTP 503" in said(d) and "after 5 attempts" in said(d),
           "503 every time: 1 + 4 tries, at least 0.5, 1, 2, 4 s apart (%s s, %.1f s in all), "
           "then an error naming the status: %s" % (gaps, took, said(d)))
    rc, d, took, gaps = tries([{"match": "manifests/1", "do": "status", "status": 502}],
                              "--retry-times", "1")
    expect(rc == 2 and len(gaps) == 1 and "answered HTTP 502" in said(d)
           and "after 2 attempts" in said(d),
           "--retry-times 1: 2 tries (%s s): %s" % (gaps, said(d)))
    rc, d, took, gaps = tries([{"match": "manifests/1", "do": "status", "status": 429,
                                "headers": {"Retry-After": "61"}}])
    expect(rc == 2 and gaps == [] and took < 30 and "HTTP 429" in said(d)
           and "retry after 61 seconds" in said(d),
           "Retry-After: 61, past the 60 s a request's retries may take: no retry, an error "
           "at once (%.1f s): %s" % (took, said(d)))


def digest(b):
    return servers.sha256(b)


def layer_gz(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for name, data in entries:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    return gzip.compress(buf.getvalue(), mtime=0)


def bomb_gz(size):
    """A gzip tar holding one file of `size` zeros, made in pieces (a few hundred KB)."""
    head = tarfile.TarInfo("zeros")
    head.size = size
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [c.compress(head.tobuf(format=tarfile.USTAR_FORMAT))]
    chunk = b"\0" * (1 << 20)
    for _ in range(size >> 20):
        out.append(c.compress(chunk))
    out.append(c.compress(b"\0" * (1024 + (512 - size % 512) % 512)))
    out.append(c.flush())
    return b"".join(out)


OCI_M = "application/vnd.oci.image.manifest.v1+json"
OCI_I = "application/vnd.oci.image.index.v1+json"


def image_manifest(blobs, layers, user="1001:0"):
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"User": user},
                      "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    blobs[digest(cfg)] = cfg
    ls = []
    for lay in layers:
        blobs[digest(lay)] = lay
        ls.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                   "digest": digest(lay), "size": len(lay)})
    return json.dumps({"schemaVersion": 2, "mediaType": OCI_M,
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                  "digest": digest(cfg), "size": len(cfg)},
                       "layers": ls}).encode()


def hostile(stoppers):
    manifests, blobs = {}, {}
    fake = servers.FakeRegistry(manifests, blobs)
    stoppers.append(fake)
    ok_layer = layer_gz([("etc/passwd", b"root:x:0:0::/:/bin/sh\n")])
    good = image_manifest(blobs, [ok_layer])
    manifests["good"] = (OCI_M, good)
    manifests[digest(good)] = (OCI_M, good)
    rc, d, _ = image("%s/h/x:good" % fake.host)
    expect(rc == 0, "the fake registry serves a good image (%s)" % said(d))

    # A manifest larger than 4 MiB.
    manifests["huge"] = (OCI_M, b'{"schemaVersion":2,"x":"' + b"a" * (5 << 20) + b'"}')
    rc, d, took = image("%s/h/x:huge" % fake.host)
    expect(rc == 2 and "larger than the limit" in said(d) and took < 30,
           "a 5 MiB manifest is refused: %s" % said(d))

    # A manifest list that names itself: the registry answers any digest with the same list.
    selfie = json.dumps({"schemaVersion": 2, "mediaType": OCI_I, "manifests": [
        {"mediaType": OCI_I, "digest": "sha256:" + "a" * 64, "size": 100,
         "platform": {"architecture": "amd64", "os": "linux"}}]}).encode()
    manifests["self"] = (OCI_I, selfie)
    manifests["sha256:" + "a" * 64] = (OCI_I, selfie)
    rc, d, took = image("%s/h/x:self" % fake.host)
    expect(rc == 2 and "should be sha256:aaaa" in said(d) and took < 30,
           "a manifest list that names itself stops at the digest check: %s" % said(d))

    # Indexes nested past the limit, each a valid digest.
    inner = good
    inner_type = OCI_M
    for _ in range(6):
        idx = json.dumps({"schemaVersion": 2, "mediaType": OCI_I, "manifests": [
            {"mediaType": inner_type, "digest": digest(inner), "size": len(inner),
             "platform": {"architecture": "amd64", "os": "linux"}}]}).encode()
        manifests[digest(idx)] = (OCI_I, idx)
        inner, inner_type = idx, OCI_I
    manifests["deep"] = (OCI_I, inner)
    rc, d, _ = image("%s/h/x:deep" % fake.host)
    expect(rc == 2 and "nest deeper than" in said(d), "indexes nested 6 deep: %s" % said(d))

    # A blob longer than its descriptor says.
    lm = json.loads(good)
    long_layer = ok_layer + b"\0" * 4096
    lm["layers"][0] = dict(lm["layers"][0], digest=digest(ok_layer), size=len(ok_layer))
    blobs_long = dict(blobs)
    fake2 = servers.FakeRegistry({"long": (OCI_M, json.dumps(lm).encode())}, blobs_long)
    stoppers.append(fake2)
    blobs_long[digest(ok_layer)] = long_layer
    rc, d, _ = image("%s/h/x:long" % fake2.host)
    expect(rc == 2 and ("larger than" in said(d) or "has sha256" in said(d)),
           "a blob longer than its descriptor: %s" % said(d))

    # Docker schema 1.
    manifests["old"] = ("application/vnd.docker.distribution.manifest.v1+prettyjws",
                        b'{"schemaVersion":1,"name":"h/x","tag":"old","fsLayers":[]}')
    rc, d, _ = image("%s/h/x:old" % fake.host)
    expect(rc == 2 and "schema 1" in said(d) and "push the image again" in said(d),
           "a schema 1 manifest is refused clearly: %s" % said(d))

    # More layers than the limit.
    many = image_manifest(blobs, [ok_layer] * 1001)
    manifests["many"] = (OCI_M, many)
    rc, d, _ = image("%s/h/x:many" % fake.host)
    expect(rc == 2 and "more than the limit of 1000" in said(d), "1001 layers: %s" % said(d))

    # A layer bomb: 600 MB of zeros in about 600 KB of gzip.
    bomb = bomb_gz(600 << 20)
    manifests["bomb"] = (OCI_M, image_manifest(blobs, [bomb]))
    rc, d, took = image("%s/h/x:bomb" % fake.host)
    expect(rc == 2 and "decompression bomb" in said(d) and took < 60,
           "a %d KB layer bomb is stopped (%.1f s): %s" % (len(bomb) >> 10, took, said(d)))

    # The same hostile images as a Dockerfile's FROM, read by --pull for lint and simulate:
    # the engine reads the base as it reads an image, with the same bounds and errors.
    for tag, want in (("huge", "larger than the limit"), ("self", "should be sha256:aaaa"),
                      ("deep", "nest deeper than"), ("bomb", "decompression bomb")):
        with open("Dockerfile", "w") as f:
            f.write("FROM %s/h/x:%s\nUSER 1001:0\n" % (fake.host, tag))
        for cmd in ("lint", "simulate"):
            t0 = time.time()
            p = subprocess.run([UNROOT, cmd, "--no-config", "--no-cache", "--pull", "-f", "json",
                                "Dockerfile"], capture_output=True, text=True, timeout=120,
                               env=ENV)
            took = time.time() - t0
            out = p.stdout + p.stderr
            expect(p.returncode == 2 and want in out and took < 60,
                   "%s --pull of a Dockerfile FROM the %s image: exit %d in %.1f s, %r"
                   % (cmd, tag, p.returncode, took, want))

    # A config that is not JSON, and a layer that is not a tar.
    bad_cfg = b"this is not json"
    blobs[digest(bad_cfg)] = bad_cfg
    m = json.loads(good)
    m["config"] = dict(m["config"], digest=digest(bad_cfg), size=len(bad_cfg))
    manifests["badcfg"] = (OCI_M, json.dumps(m).encode())
    rc, d, _ = image("%s/h/x:badcfg" % fake.host)
    expect(rc == 2 and "not valid JSON" in said(d), "a config that is not JSON: %s" % said(d))
    junk = os.urandom(3000)
    manifests["junk"] = (OCI_M, image_manifest(blobs, [junk]))
    rc, d, _ = image("%s/h/x:junk" % fake.host)
    expect(rc == 2 and "not a tar stream" in said(d), "a layer that is not a tar: %s"
           % said(d))


def run_all(stoppers):
    reg, layer = real_registry(stoppers)
    proxied(stoppers, reg, layer)
    backoff(stoppers, reg)
    hostile(stoppers)


if __name__ == "__main__":
    sys.exit(main())
