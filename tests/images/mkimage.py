"""mkimage.py - builds image archives for the tests, byte by byte, without a container engine.

A layer is a list of entries (dicts); an image is a config plus layers. Images are written as
a classic docker save tarball, the newer OCI-in-tar docker save layout, an OCI layout folder
(gzip, zstd or plain layers) or an OCI archive. Nothing here needs root.
"""
import base64
import gzip
import hashlib
import io
import json
import os
import subprocess
import tarfile


def F(path, data=b"", mode=0o644, uid=0, gid=0, **kw):
    return dict(type="file", path=path, data=data, mode=mode, uid=uid, gid=gid, **kw)


def D(path, mode=0o755, uid=0, gid=0, **kw):
    return dict(type="dir", path=path, mode=mode, uid=uid, gid=gid, **kw)


def L(path, target, uid=0, gid=0):
    return dict(type="symlink", path=path, link=target, mode=0o777, uid=uid, gid=gid)


def H(path, target):
    return dict(type="hardlink", path=path, link=target, mode=0o644, uid=0, gid=0)


def WH(path):
    d, b = os.path.split(path)
    return F(os.path.join(d, ".wh." + b))


def OPQ(path):
    return F(os.path.join(path, ".wh..wh..opq"))


def layer_tar(entries, fmt=tarfile.PAX_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for e in entries:
            ti = tarfile.TarInfo(e["path"])
            ti.mode = e.get("mode", 0o644)
            ti.uid = e.get("uid", 0)
            ti.gid = e.get("gid", 0)
            ti.mtime = 0
            if e.get("xattrs"):
                # libarchive's own PAX key carries binary values as base64.
                ti.pax_headers = {"LIBARCHIVE.xattr." + k: base64.b64encode(v).decode()
                                  for k, v in e["xattrs"].items()}
            if e.get("pax"):
                ti.pax_headers = dict(ti.pax_headers, **e["pax"])
            data = None
            if e["type"] == "file":
                data = e.get("data", b"")
                ti.size = len(data)
            elif e["type"] == "dir":
                ti.type = tarfile.DIRTYPE
            elif e["type"] == "symlink":
                ti.type = tarfile.SYMTYPE
                ti.linkname = e["link"]
            elif e["type"] == "hardlink":
                ti.type = tarfile.LNKTYPE
                ti.linkname = e["link"]
            t.addfile(ti, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def sha(b):
    return hashlib.sha256(b).hexdigest()


def compress(raw, how):
    if how == "gzip":
        return gzip.compress(raw, compresslevel=6, mtime=0)
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c", "-3"], input=raw, check=True,
                              capture_output=True).stdout
    return raw


def config_json(layers_raw, user=None, entrypoint=None, cmd=None, env=None, workdir=None,
                volumes=None, arch="amd64"):
    c = {}
    if user is not None:
        c["User"] = user
    if entrypoint is not None:
        c["Entrypoint"] = entrypoint
    if cmd is not None:
        c["Cmd"] = cmd
    c["Env"] = env if env is not None else [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
    if workdir:
        c["WorkingDir"] = workdir
    if volumes:
        c["Volumes"] = {v: {} for v in volumes}
    return json.dumps({
        "architecture": arch, "os": "linux", "config": c,
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(r) for r in layers_raw]},
    }).encode()


class Image:
    def __init__(self, layers, **cfg):
        self.raw = [layer_tar(l) if isinstance(l, list) else l for l in layers]
        self.cfg = cfg

    def config(self):
        return config_json(self.raw, **self.cfg)


def _add(t, name, data):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    ti.mode = 0o644
    t.addfile(ti, io.BytesIO(data))


def docker_classic(img, out):
    """docker save before Docker 25: <id>/layer.tar, <hex>.json, manifest.json last."""
    cfg = img.config()
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        names = []
        for i, raw in enumerate(img.raw):
            lid = sha(("layer%d" % i).encode() + raw)
            _add(t, lid + "/VERSION", b"1.0")
            _add(t, lid + "/layer.tar", raw)
            names.append(lid + "/layer.tar")
        _add(t, sha(cfg) + ".json", cfg)
        _add(t, "manifest.json", json.dumps(
            [{"Config": sha(cfg) + ".json", "RepoTags": ["app:t"], "Layers": names}]).encode())
        _add(t, "repositories", b"{}")


def oci_blobs(img, how, platforms=None):
    """The blobs of an OCI image; returns (index bytes, {hex: bytes})."""
    blobs = {}
    manifests = []
    for arch in platforms or [None]:
        cfg = img.config() if arch is None else config_json(img.raw, **dict(img.cfg, arch=arch))
        blobs[sha(cfg)] = cfg
        layers = []
        for raw in img.raw:
            b = compress(raw, how)
            blobs[sha(b)] = b
            mt = "application/vnd.oci.image.layer.v1.tar" + {"gzip": "+gzip", "zstd": "+zstd"}.get(how, "")
            layers.append({"mediaType": mt, "digest": "sha256:" + sha(b), "size": len(b)})
        m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                   "digest": "sha256:" + sha(cfg), "size": len(cfg)},
                        "layers": layers}).encode()
        blobs[sha(m)] = m
        d = {"mediaType": "application/vnd.oci.image.manifest.v1+json",
             "digest": "sha256:" + sha(m), "size": len(m),
             "annotations": {"org.opencontainers.image.ref.name": arch or "t"}}
        if arch:
            d["platform"] = {"architecture": arch, "os": "linux"}
        manifests.append(d)
    index = json.dumps({"schemaVersion": 2, "manifests": manifests}).encode()
    return index, blobs


def oci_dir(img, out, how="gzip", platforms=None):
    index, blobs = oci_blobs(img, how, platforms)
    os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion": "1.0.0"}')
    with open(os.path.join(out, "index.json"), "wb") as f:
        f.write(index)
    for h, b in blobs.items():
        with open(os.path.join(out, "blobs", "sha256", h), "wb") as f:
            f.write(b)


def oci_archive(img, out, how="gzip", platforms=None, docker_manifest=False):
    """An OCI layout in a tar; with docker_manifest, the docker save layout of Docker 25+."""
    index, blobs = oci_blobs(img, how, platforms)
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        _add(t, "oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
        for h, b in blobs.items():
            _add(t, "blobs/sha256/" + h, b)
        _add(t, "index.json", index)
        if docker_manifest:
            cfg = img.config()
            layers = ["blobs/sha256/" + sha(compress(r, how)) for r in img.raw]
            _add(t, "manifest.json", json.dumps(
                [{"Config": "blobs/sha256/" + sha(cfg), "RepoTags": ["app:t"],
                  "Layers": layers}]).encode())


def busybox_base(real=True):
    """A tiny root filesystem; with real, the host's static busybox, so processes can run in it."""
    bb = b"\x7fELF"
    if real and os.path.exists("/bin/busybox"):
        with open("/bin/busybox", "rb") as f:
            bb = f.read()
    return [
        D("bin"), D("etc"), D("tmp", mode=0o1777), D("app"), D("proc"), D("dev"),
        F("bin/busybox", bb, mode=0o755),
        L("bin/sh", "busybox"), L("bin/env", "busybox"),
        D("usr"), D("usr/bin"), L("usr/bin/env", "/bin/busybox"),
        F("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\napp:x:1001:1001::/home/app:/bin/sh\n"),
        F("etc/group", b"root:x:0:\napp:x:1001:\nextra:x:2000:app\n"),
    ]
