#!/usr/bin/env python3
"""registry.py - a registry on 127.0.0.1 serving OCI images from memory, for the tests of
unroot serve and bench/serve.sh: /v2/, manifests by tag, blobs by digest.

  python3 registry.py PORT_FILE     serves bench/app:1 (a small root filesystem and an app
                                    of 300 files, built for any uid in group 0) until killed,
                                    after writing its port to PORT_FILE
"""
import http.server
import json
import os
import socketserver
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "images"))
from mkimage import D, F, Image, busybox_base, oci_blobs  # noqa: E402

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


class Registry:
    """A registry on 127.0.0.1 serving OCI images from memory: /v2/, manifests by tag,
    blobs by digest. slow: each blob comes in four pieces half a second apart (never long
    without a byte, so no timeout cuts it); hang: never answers at all."""

    def __init__(self, images, slow=False, hang=False):
        self.manifests, self.blobs = {}, {}
        self.slow, self.hang = slow, hang
        self.log = []
        self.stopping = threading.Event()
        for (repo, tag), img in images.items():
            index, blobs = oci_blobs(img, "gzip")
            digest = json.loads(index)["manifests"][0]["digest"]
            self.manifests[(repo, tag)] = blobs[digest.split(":")[1]]
            for h, b in blobs.items():
                self.blobs["sha256:" + h] = b
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                outer.log.append(self.path)
                if outer.hang:
                    outer.stopping.wait(60)
                    return
                if self.path == "/v2/":
                    return self.answer(200, "application/json", b"{}")
                parts = self.path.split("/")
                if len(parts) >= 5 and parts[-2] == "manifests":
                    repo = "/".join(parts[2:-2])
                    body = outer.manifests.get((repo, parts[-1]))
                    if body:
                        return self.answer(200, OCI_MANIFEST, body)
                if len(parts) >= 5 and parts[-2] == "blobs" and parts[-1] in outer.blobs:
                    return self.answer(200, "application/octet-stream",
                                       outer.blobs[parts[-1]], outer.slow)
                self.answer(404, "application/json",
                            b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}')

            do_HEAD = do_GET

            def answer(self, status, mt, body, slow=False):
                self.send_response(status)
                self.send_header("Content-Type", mt)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    if not slow:
                        self.wfile.write(body)
                        return
                    step = (len(body) + 3) // 4
                    for i in range(0, len(body), step):
                        self.wfile.write(body[i:i + step])
                        self.wfile.flush()
                        outer.stopping.wait(0.5)
                except OSError:
                    pass

        class Srv(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass

        self.srv = Srv(("127.0.0.1", 0), H)
        self.host = "127.0.0.1:%d" % self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def stop(self):
        self.stopping.set()
        self.srv.shutdown()
        self.srv.server_close()


def bench_image():
    app = [D("app", uid=1001, gid=0, mode=0o775), D("app/lib", mode=0o775, gid=0)]
    app += [F("app/lib/m%03d.py" % i, b"x = %d\n" % i, mode=0o664) for i in range(300)]
    app += [F("app/run.sh", b"#!/bin/sh\nexec sleep 1\n", mode=0o755)]
    return Image([busybox_base(real=False), app], user="1001:0", entrypoint=["/app/run.sh"])


def main():
    reg = Registry({("bench/app", "1"): bench_image()})
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(reg.host.split(":")[1])
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    threading.Event().wait()


if __name__ == "__main__":
    main()
