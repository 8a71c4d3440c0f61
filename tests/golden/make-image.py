#!/usr/bin/env python3
"""make-image.py OUT.tar - the small docker-archive image among the golden inputs.

One layer: /etc/passwd (root and app, uid 1001), and /app/run.sh owned by 1001:1001
with mode 0700, so group 0 can neither read nor run it. The config runs it as user
1001 (numeric) from /app. Everything is fixed (times, owners, order), so the file is
the same on every run: python3 tests/golden/make-image.py tests/golden/inputs/app.tar
"""
import hashlib
import io
import json
import sys
import tarfile


def add(t, name, data=None, mode=0o644, uid=0, gid=0, kind=tarfile.REGTYPE):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.uid, info.gid = uid, gid
    info.uname = info.gname = ""
    info.mtime = 0
    if data is not None:
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    else:
        t.addfile(info)


def tar_bytes(build):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        build(t)
    return buf.getvalue()


def layer(t):
    add(t, "etc", mode=0o755, kind=tarfile.DIRTYPE)
    add(t, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\napp:x:1001:1001::/app:/bin/sh\n")
    add(t, "etc/group", b"root:x:0:\napp:x:1001:\n")
    add(t, "app", mode=0o700, uid=1001, gid=1001, kind=tarfile.DIRTYPE)
    add(t, "app/run.sh", b"#!/bin/sh\nexec sleep infinity\n", mode=0o700, uid=1001, gid=1001)


layer_tar = tar_bytes(layer)
diff_id = "sha256:" + hashlib.sha256(layer_tar).hexdigest()
config = json.dumps({
    "architecture": "amd64",
    "os": "linux",
    "config": {"User": "1001", "Entrypoint": ["/app/run.sh"], "WorkingDir": "/app",
               "Env": ["PATH=/usr/local/bin:/usr/bin:/bin"]},
    "rootfs": {"type": "layers", "diff_ids": [diff_id]},
}, sort_keys=True).encode()
config_name = hashlib.sha256(config).hexdigest() + ".json"
layer_name = diff_id[7:] + "/layer.tar"
manifest = json.dumps([{"Config": config_name, "RepoTags": ["example/app:1.0"],
                        "Layers": [layer_name]}]).encode()


def archive(t):
    add(t, diff_id[7:], mode=0o755, kind=tarfile.DIRTYPE)
    add(t, layer_name, layer_tar)
    add(t, config_name, config)
    add(t, "manifest.json", manifest)


with open(sys.argv[1], "wb") as f:
    f.write(tar_bytes(archive))
