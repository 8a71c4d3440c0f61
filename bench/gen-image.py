#!/usr/bin/env python3
"""gen-image.py OUT [MB] [LAYERS] [ROOTFS] - a large image for bench/image.sh.

Writes OUT/layer-N.tar (plain), then OUT/oci-gzip and OUT/oci-zstd: OCI layouts whose layers
are the same tars compressed with `gzip -6 -n` and `zstd -3`. The files come from ROOTFS (a
debootstrap folder, split into layers by top-level folder) when given, else from a
deterministic generator: about 25 000 files of mixed sizes, a third random bytes and the rest
repeated text, so they compress about as well as a Debian root filesystem (2.5:1 to 3:1).
"""
import hashlib
import io
import json
import os
import random
import subprocess
import sys
import tarfile

WORDS = (b"the quick brown fox jumps over the lazy dog libc shared object symbol table "
         b"section header string relocation dynamic linker version needed gnu hash ").split()


def generated_files(total, rng):
    text = b" ".join(rng.choice(WORDS) for _ in range(20000))
    made, i = 0, 0
    while made < total:
        size = int(rng.lognormvariate(8.5, 1.8))
        size = max(0, min(size, 8 << 20))
        rnd = size // 3
        body = rng.randbytes(rnd)
        start = rng.randrange(len(text) // 2)
        while len(body) < size:
            body += text[start:start + (size - len(body))]
        d = "usr/share/gen/d%03d" % (i % 400)
        yield "%s/f%06d" % (d, i), body[:size], d
        made += size
        i += 1


def write_generated(out, mb, nlayers):
    rng = random.Random(42)
    files = list(generated_files(mb << 20, rng))
    per = (len(files) + nlayers - 1) // nlayers
    paths = []
    for n in range(nlayers):
        p = os.path.join(out, "layer-%d.tar" % n)
        with tarfile.open(p, "w", format=tarfile.PAX_FORMAT) as t:
            seen = set()
            for name, body, d in files[n * per:(n + 1) * per]:
                if d not in seen:
                    seen.add(d)
                    ti = tarfile.TarInfo(d)
                    ti.type = tarfile.DIRTYPE
                    ti.mode = 0o755
                    t.addfile(ti)
                ti = tarfile.TarInfo(name)
                ti.size = len(body)
                ti.mode = 0o644 if rng.random() < 0.8 else 0o755
                t.addfile(ti, io.BytesIO(body))
        paths.append(p)
    return paths, len(files)


def write_rootfs(out, rootfs):
    tops = sorted(os.listdir(rootfs))
    groups = [["usr"], [t for t in tops if t not in ("usr", "var")], ["var"]]
    paths = []
    for n, g in enumerate(groups):
        p = os.path.join(out, "layer-%d.tar" % n)
        subprocess.run(["tar", "-C", rootfs, "--numeric-owner", "--sort=name", "--mtime=@0",
                        "-cf", p] + [x for x in g if os.path.exists(os.path.join(rootfs, x))],
                       check=True)
        paths.append(p)
    return paths, None


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def layout(out, name, layers, cmd, suffix, mediatype, diff_ids):
    d = os.path.join(out, name)
    os.makedirs(os.path.join(d, "blobs", "sha256"), exist_ok=True)
    descs = []
    for p in layers:
        c = p + suffix
        with open(c, "wb") as f:
            subprocess.run(cmd + [p], stdout=f, check=True)
        h = sha(c)
        os.replace(c, os.path.join(d, "blobs", "sha256", h))
        descs.append({"mediaType": mediatype, "digest": "sha256:" + h,
                      "size": os.path.getsize(os.path.join(d, "blobs", "sha256", h))})
    cfg = json.dumps({"architecture": "amd64", "os": "linux",
                      "config": {"User": "1001:0", "Cmd": ["/bin/sh"]},
                      "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    blobs = {hashlib.sha256(cfg).hexdigest(): cfg}
    m = json.dumps({"schemaVersion": 2, "config": {
        "mediaType": "application/vnd.oci.image.config.v1+json",
        "digest": "sha256:" + hashlib.sha256(cfg).hexdigest(), "size": len(cfg)},
        "layers": descs}).encode()
    blobs[hashlib.sha256(m).hexdigest()] = m
    for h, b in blobs.items():
        with open(os.path.join(d, "blobs", "sha256", h), "wb") as f:
            f.write(b)
    with open(os.path.join(d, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion": "1.0.0"}')
    with open(os.path.join(d, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": "sha256:" + hashlib.sha256(m).hexdigest(), "size": len(m)}]}, f)
    return [os.path.join(d, "blobs", "sha256", x["digest"][7:]) for x in descs]


def main():
    out = sys.argv[1]
    mb = int(sys.argv[2]) if len(sys.argv) > 2 else 220
    nlayers = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    rootfs = sys.argv[4] if len(sys.argv) > 4 else None
    os.makedirs(out, exist_ok=True)
    layers, nfiles = write_rootfs(out, rootfs) if rootfs else write_generated(out, mb, nlayers)
    diff_ids = ["sha256:" + sha(p) for p in layers]
    gz = layout(out, "oci-gzip", layers, ["gzip", "-6", "-n", "-c"], ".gz",
                "application/vnd.oci.image.layer.v1.tar+gzip", diff_ids)
    zs = layout(out, "oci-zstd", layers, ["zstd", "-q", "-3", "-c"], ".zst",
                "application/vnd.oci.image.layer.v1.tar+zstd", diff_ids)
    with open(os.path.join(out, "layers.txt"), "w") as f:
        f.write("tar %s\n" % " ".join(layers))
        f.write("gzip %s\n" % " ".join(gz))
        f.write("zstd %s\n" % " ".join(zs))
    total = sum(os.path.getsize(p) for p in layers)
    print("image: %d layers, %d MB of tar%s" % (len(layers), total >> 20,
                                                 ", %d files" % nfiles if nfiles else ""))


if __name__ == "__main__":
    main()
