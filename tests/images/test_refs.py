#!/usr/bin/env python3
"""Images named with skopeo's transport prefixes: oci:DIR[:TAG], oci-archive:FILE[:TAG] and
docker-archive:FILE[:REF|:@N] pick the right image of several, in `unroot image`, `lint`,
`simulate` and `--image PATTERN=REF`; a bare name that is no path is an image reference, and one
that reads as a file name is a missing file. Usage: test_refs.py (UNROOT names the binary)."""
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkimage import D, F, Image, _add, busybox_base, compress, config_json, sha  # noqa: E402

UNROOT = os.environ.get("UNROOT", "unroot")
failures = 0
checks = 0


def run(*args):
    p = subprocess.run([UNROOT, *args], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def expect(cond, what):
    global failures, checks
    checks += 1
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures += 1


def rules(out):
    try:
        return sorted({d["rule"] for d in json.loads(out)["diagnostics"]})
    except (ValueError, KeyError):
        return ["?"]


def messages(out):
    try:
        return " | ".join(d["message"] for d in json.loads(out)["diagnostics"])
    except (ValueError, KeyError):
        return out


# Two images: "good" runs as 1001:0, "root" has no USER.
BASE = busybox_base(real=False)
APP = [D("app", uid=1001, mode=0o775), F("app/run.sh", b"#!/bin/sh\n", mode=0o755)]
GOOD = Image([BASE, APP], user="1001:0", entrypoint=["/app/run.sh"])
ROOT = Image([BASE, APP], entrypoint=["/app/run.sh"])


def blobs_of(img, how):
    cfg = img.config()
    blobs = {sha(cfg): cfg}
    layers = []
    for raw in img.raw:
        b = compress(raw, how)
        blobs[sha(b)] = b
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                       "digest": "sha256:" + sha(b), "size": len(b)})
    m = json.dumps({"schemaVersion": 2,
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                               "digest": "sha256:" + sha(cfg), "size": len(cfg)},
                    "layers": layers}).encode()
    blobs[sha(m)] = m
    return m, blobs


def two_image_layout(out, archive=False):
    """One OCI layout holding both images, tagged "good" and "root"."""
    index, blobs = {"schemaVersion": 2, "manifests": []}, {}
    for tag, img in (("good", GOOD), ("root", ROOT)):
        m, b = blobs_of(img, "gzip")
        blobs.update(b)
        index["manifests"].append({
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": "sha256:" + sha(m), "size": len(m),
            "annotations": {"org.opencontainers.image.ref.name": tag}})
    ib = json.dumps(index).encode()
    if archive:
        with tarfile.open(out, "w") as t:
            _add(t, "oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
            _add(t, "index.json", ib)
            for h, b in blobs.items():
                _add(t, "blobs/sha256/" + h, b)
        return
    os.makedirs(os.path.join(out, "blobs", "sha256"))
    with open(os.path.join(out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion": "1.0.0"}')
    with open(os.path.join(out, "index.json"), "wb") as f:
        f.write(ib)
    for h, b in blobs.items():
        with open(os.path.join(out, "blobs", "sha256", h), "wb") as f:
            f.write(b)


def two_image_save(out):
    """A docker save tarball of both images: localhost/good:1 and root:1."""
    entries = []
    with tarfile.open(out, "w") as t:
        for tags, img in ((["localhost/good:1"], GOOD), (["root:1"], ROOT)):
            cfg = img.config()
            names = []
            for raw in img.raw:
                _add(t, sha(raw) + "/layer.tar", raw)
                names.append(sha(raw) + "/layer.tar")
            _add(t, sha(cfg) + ".json", cfg)
            entries.append({"Config": sha(cfg) + ".json", "RepoTags": tags, "Layers": names})
        _add(t, "manifest.json", json.dumps(entries).encode())


def main():
    work = tempfile.mkdtemp(prefix="unroot-refs-")
    try:
        os.chdir(work)
        run_all()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d checks, %d failed" % (checks, failures))
    return 1 if failures else 0


def run_all():
    two_image_layout("lay")
    two_image_layout("lay.tar", archive=True)
    two_image_save("save.tar")

    for cmd in ("image", "lint"):
        rc, out, _ = run(cmd, "--no-config", "-f", "json", "oci:lay:good")
        expect(rc == 0 and rules(out) == [], "%s oci:DIR:good: clean (%s)" % (cmd, rules(out)))
        rc, out, _ = run(cmd, "--no-config", "-f", "json", "oci:lay:root")
        expect(rc == 1 and "NR401" in rules(out), "%s oci:DIR:root: NR401 (%s)" % (cmd, rules(out)))
    rc, out, _ = run("image", "--no-config", "-f", "json", "oci:lay:nope")
    expect(rc == 2 and "no image tagged 'nope'" in messages(out) and "good, root" in messages(out),
           "an unknown tag is NR000 listing the tags: %s" % messages(out))
    rc, out, _ = run("image", "--no-config", "-f", "json", "oci-archive:lay.tar:root")
    expect(rc == 1 and "NR401" in rules(out), "oci-archive:FILE:root (%s)" % rules(out))
    rc, out, _ = run("image", "--no-config", "-f", "json", "oci-archive:lay.tar:good")
    expect(rc == 0, "oci-archive:FILE:good (%s)" % rules(out))

    for ref, want in (("localhost/good:1", 0), ("docker.io/library/root:1", 1), ("root:1", 1),
                      ("@0", 0), ("@1", 1)):
        rc, out, _ = run("image", "--no-config", "-f", "json", "docker-archive:save.tar:" + ref)
        expect(rc == want, "docker-archive:FILE:%s exits %d (%d, %s)" % (ref, want, rc, rules(out)))
    rc, out, _ = run("image", "--no-config", "-f", "json", "docker-archive:save.tar:@2")
    expect(rc == 2 and "@0 to @1" in messages(out), "@2 of two images: %s" % messages(out))
    rc, out, _ = run("image", "--no-config", "-f", "json", "docker-archive:save.tar:other:1")
    expect(rc == 2 and "localhost/good:1" in messages(out), "an unknown name lists the names")
    rc, out, _ = run("image", "--no-config", "-f", "json", "docker-archive:save.tar")
    expect(rc == 0, "docker-archive:FILE reads the first image")

    # simulate takes references too, and --image pairs a manifest with one.
    rc, out, _ = run("simulate", "--no-config", "-f", "json", "--platform", "openshift",
                     "oci:lay:good")
    res = json.loads(out)["results"] if out.startswith("{") else []
    expect(rc == 0 and len(res) == 1 and res[0]["image"] == "oci:lay:good"
           and res[0]["uid"]["id"] == 1000680000, "simulate oci:DIR:good on OpenShift (%d)" % rc)
    with open("deploy.yaml", "w") as f:
        f.write("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
                "  template:\n    spec:\n      securityContext: {runAsNonRoot: true}\n"
                "      containers:\n      - name: app\n        image: registry.example/app:2\n")
    rc, out, _ = run("lint", "--no-config", "-f", "json", "--image",
                     "registry.example/app=oci:lay:root", "deploy.yaml")
    expect("NR209" in rules(out), "--image PATTERN=oci:DIR:TAG pairs: the root image gives "
           "NR209 (%s)" % rules(out))
    rc, out, _ = run("simulate", "--no-config", "-f", "json", "--platform", "kubernetes",
                     "--image", "registry.example/app=oci:lay:root", "deploy.yaml")
    res = json.loads(out)["results"] if out.startswith("{") else []
    paired = [r["paired"] for r in res]
    expect(rc != 2 and paired == ["oci:lay:root"], "simulate pairs the reference (%s)" % paired)

    # Names that read as files are missing files; others are references.
    rc, out, _ = run("lint", "--no-config", "-f", "json", "missing.yaml")
    expect(rc == 2 and "no such file" in messages(out), "missing.yaml is a missing file")
    rc, out, _ = run("image", "--no-config", "-f", "json", "oci:nowhere")
    expect(rc == 2 and "cannot open" in messages(out), "oci:DIR that is not there: %s"
           % messages(out))
    rc, out, _ = run("image", "--no-config", "-f", "json", "oci:save.tar:x")
    expect(rc == 2, "oci: on a file that is no layout is an error")
    os.mkdir("plain")
    rc, out, _ = run("image", "--no-config", "-f", "json", "oci:plain")
    expect(rc == 2 and "not an OCI layout" in messages(out), "oci: on a folder without "
           "oci-layout: %s" % messages(out))
    rc, out, _ = run("image", "--no-config", "-f", "json", "docker://Bad/UPPER")
    expect(rc == 2 and "lowercase" in messages(out), "a malformed reference says why: %s"
           % messages(out))


if __name__ == "__main__":
    sys.exit(main())
