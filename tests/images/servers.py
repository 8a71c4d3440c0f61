"""servers.py - real servers for the image-by-reference tests, on loopback, each stopped by
its pid (or, for the ones in this process, by shutting its socket):

- Registry: Debian's docker-registry (the distribution registry) with a config of our own:
  plain HTTP, TLS with a CA made here by openssl, htpasswd Basic auth, or token auth.
- TokenServer: a small token endpoint for the registry's `auth: token` mode: it checks Basic
  credentials for private repositories and signs RS256 JWTs with openssl, the certificate
  in the x5c header, as the distribution registry verifies them.
- FaultProxy: an HTTP proxy in front of a registry that cuts, stalls, or answers 429/500 on
  the requests a test names.
- ForwardProxy: an http_proxy / https_proxy that records what it is asked for.
- FakeRegistry: a registry that serves whatever bytes a test gives it (hostile manifests).
"""
import base64
import hashlib
import http.server
import json
import os
import re
import select
import shutil
import socket
import socketserver
import subprocess
import threading
import time
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def missing_tools(*names):
    return [n for n in names if not shutil.which(n)]


# --- certificates -------------------------------------------------------------------------

def make_ca(folder, names="IP:127.0.0.1,DNS:localhost"):
    """A test CA and a server certificate it signed, for `names` (subjectAltName: 127.0.0.1
    and localhost unless said). Returns (ca.crt, server.crt, server.key)."""
    os.makedirs(folder, exist_ok=True)
    ca_key, ca_crt = os.path.join(folder, "ca.key"), os.path.join(folder, "ca.crt")
    key, csr, crt = (os.path.join(folder, n) for n in ("server.key", "server.csr", "server.crt"))
    ext = os.path.join(folder, "ext.cnf")
    run = lambda *a: subprocess.run(a, check=True, capture_output=True)  # noqa: E731
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key,
        "-out", ca_crt, "-days", "2", "-subj", "/CN=unroot test CA")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
        "-subj", "/CN=127.0.0.1")
    with open(ext, "w") as f:
        f.write("subjectAltName=%s\nextendedKeyUsage=serverAuth\n" % names)
    run("openssl", "x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key,
        "-CAcreateserial", "-out", crt, "-days", "2", "-extfile", ext)
    return ca_crt, crt, key


def make_signing_cert(folder):
    """A self-signed RSA key and certificate for signing tokens: (key.pem, cert.pem)."""
    os.makedirs(folder, exist_ok=True)
    key, crt = os.path.join(folder, "token.key"), os.path.join(folder, "token.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", crt, "-days", "2", "-subj", "/CN=unroot test token issuer"],
                   check=True, capture_output=True)
    return key, crt


# --- the registry -------------------------------------------------------------------------

class Registry:
    """docker-registry serving on 127.0.0.1:PORT from a folder of its own; with access_log,
    its access log (one line a request, with the HTTP version) goes to `log`."""

    def __init__(self, folder, tls=None, htpasswd=None, token=None, access_log=False, port=None,
                 data=None):
        self.folder = folder
        self.data = data or os.path.join(folder, "data")
        self.port = port or free_port()
        self.host = "127.0.0.1:%d" % self.port
        os.makedirs(folder, exist_ok=True)
        os.makedirs(self.data, exist_ok=True)
        http_cfg = {"addr": self.host}
        if tls:
            http_cfg["tls"] = {"certificate": tls[0], "key": tls[1]}
        cfg = {"version": 0.1,
               "log": {"level": "error", "accesslog": {"disabled": not access_log}},
               "storage": {"filesystem": {"rootdirectory": self.data},
                           "delete": {"enabled": True}},
               "http": http_cfg}
        if htpasswd:
            cfg["auth"] = {"htpasswd": {"realm": "unroot-test", "path": htpasswd}}
        if token:
            cfg["auth"] = {"token": token}
        self.config = os.path.join(folder, "registry.yml")
        with open(self.config, "w") as f:
            json.dump(cfg, f)  # JSON is YAML
        self.log = open(os.path.join(folder, "registry.log"), "w")
        self.proc = subprocess.Popen(["docker-registry", "serve", self.config],
                                     stdout=self.log, stderr=self.log)
        self.scheme = "https" if tls else "http"
        self._wait()

    def _wait(self):
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("docker-registry stopped: see " + self.log.name)
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("docker-registry did not start")

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, 15)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, 9)
                self.proc.wait()
        self.log.close()

    def blob_path(self, digest):
        h = digest.split(":", 1)[1]
        return os.path.join(self.data, "docker", "registry", "v2", "blobs", "sha256", h[:2], h,
                            "data")


def push(src, dest, *extra, creds=None, cert_dir=None):
    """skopeo copy SRC docker://DEST."""
    args = ["skopeo", "copy", "--quiet", "--dest-tls-verify=false"]
    if creds:
        args += ["--dest-creds", creds]
    if cert_dir:
        args += ["--dest-cert-dir", cert_dir]
    args += list(extra) + [src, "docker://" + dest]
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("skopeo copy %s %s: %s" % (src, dest, p.stderr))


def htpasswd_file(path, user, password):
    out = subprocess.run(["htpasswd", "-Bbn", user, password], check=True, capture_output=True,
                         text=True).stdout
    with open(path, "w") as f:
        f.write(out)
    return path


# --- servers in this process --------------------------------------------------------------

class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up (as unroot does past a limit) is no error here


class _Quiet(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass


def _serve(handler):
    srv = _Server(("127.0.0.1", 0), handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    return srv


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


class TokenServer:
    """Issues registry tokens. Repositories under `private/` need Basic credentials
    (users: dict); others are pulled anonymously. With bad_first, the first token it issues
    has the wrong audience, so the registry refuses it and the client must get a new one."""

    def __init__(self, folder, service, issuer, users, lifetime=300, bad_first=False):
        self.key, self.cert = make_signing_cert(folder)
        self.service, self.issuer, self.users = service, issuer, users
        self.lifetime, self.bad_first = lifetime, bad_first
        self.requests = []
        with open(self.cert) as f:
            pem = f.read()
        der = base64.b64decode("".join(pem.split("-----")[2].split()))
        self.x5c = base64.b64encode(der).decode()
        outer = self

        class H(_Quiet):
            def do_GET(self):
                outer.handle(self)

        self.srv = _serve(H)
        self.realm = "http://127.0.0.1:%d/token" % self.srv.server_address[1]

    def sign(self, claims):
        head = b64url(json.dumps({"typ": "JWT", "alg": "RS256", "x5c": [self.x5c]}).encode())
        body = b64url(json.dumps(claims).encode())
        msg = ("%s.%s" % (head, body)).encode()
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key], input=msg,
                             check=True, capture_output=True).stdout
        return "%s.%s.%s" % (head, body, b64url(sig))

    def handle(self, h):
        from urllib.parse import parse_qs, urlparse
        q = parse_qs(urlparse(h.path).query)
        scope = q.get("scope", [""])[0]
        user = None
        auth = h.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            u, _, p = base64.b64decode(auth[6:]).decode().partition(":")
            if self.users.get(u) != p:
                return self.reply(h, 401, {"details": "bad credentials"})
            user = u
        self.requests.append({"scope": scope, "user": user, "service": q.get("service")})
        access = []
        for sc in q.get("scope", []):
            m = re.match(r"repository:([^:]+):(.+)", sc)
            if not m:
                continue
            name = m.group(1)
            if name.startswith("private/") and not user:
                return self.reply(h, 401, {"details": "credentials required"})
            access.append({"type": "repository", "name": name,
                           "actions": m.group(2).split(",")})
        now = int(time.time())
        aud = self.service
        if self.bad_first and len(self.requests) == 1:
            aud = "someone-else"
        tok = self.sign({"iss": self.issuer, "sub": user or "", "aud": aud, "exp": now + 600,
                         "nbf": now - 10, "iat": now, "jti": str(now) + str(len(self.requests)),
                         "access": access})
        self.reply(h, 200, {"token": tok, "expires_in": self.lifetime})

    def reply(self, h, status, obj):
        body = json.dumps(obj).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()


class FaultProxy:
    """Forwards to a registry at `upstream` (host:port, plain HTTP). rules is a list of
    dicts: {"match": regex on "METHOD PATH", "times": N (default: every time),
    "do": "cut" (send the head and half the body, then close) | "stall" (send the head, then
    wait) | "status" (answer `status` with `headers`) | "delay" (wait `seconds`, then forward)}.
    `arrived` has the monotonic time each request came in at, beside `log`; `answered` the
    status each got; `most` the most requests it was answering at once."""

    def __init__(self, upstream, rules):
        self.upstream, self.rules, self.log, self.arrived = upstream, rules, [], []
        self.answered = []
        self.busy = self.most = 0
        self.busy_lock = threading.Lock()
        self.stop_event = threading.Event()
        outer = self

        class H(_Quiet):
            def do_GET(self):
                outer.handle(self)

            do_HEAD = do_GET

        self.srv = _serve(H)
        self.host = "127.0.0.1:%d" % self.srv.server_address[1]

    def rule_for(self, line):
        for r in self.rules:
            if re.search(r["match"], line) and r.get("times", 1 << 30) > 0:
                r["times"] = r.get("times", 1 << 30) - 1
                return r
        return None

    def handle(self, h):
        with self.busy_lock:
            self.busy += 1
            self.most = max(self.most, self.busy)
        try:
            self.forward(h)
        finally:
            with self.busy_lock:
                self.busy -= 1

    def forward(self, h):
        line = "%s %s" % (h.command, h.path)
        self.log.append((line, h.headers.get("Range")))
        self.arrived.append((time.monotonic(), line))
        r = self.rule_for(line)
        if r and r["do"] == "delay":
            self.stop_event.wait(r["seconds"])
        if r and r["do"] == "status":
            body = r.get("body", b"")
            h.send_response(r["status"])
            for k, v in r.get("headers", {}).items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
            return
        req = urllib.request.Request("http://%s%s" % (self.upstream, h.path), method=h.command)
        for k in ("Authorization", "Accept", "Range"):
            if h.headers.get(k):
                req.add_header(k, h.headers[k])
        try:
            resp = urllib.request.urlopen(req, timeout=30)
            status, headers, body = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            status, headers, body = e.code, e.headers, e.read()
        self.answered.append((line, status))
        h.send_response(status)
        for k, v in headers.items():
            if k.lower() not in ("content-length", "transfer-encoding", "connection", "date",
                                 "server"):
                h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if r and r["do"] == "cut":
            h.wfile.write(body[:len(body) // 2])
            h.wfile.flush()
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
            return
        if r and r["do"] == "stall":
            h.wfile.flush()
            self.stop_event.wait(r.get("seconds", 60))
            h.close_connection = True
            return
        if h.command != "HEAD":
            h.wfile.write(body)

    def stop(self):
        self.stop_event.set()
        self.srv.shutdown()
        self.srv.server_close()


class ConnectProxy:
    """A forward proxy that tunnels CONNECT HOST:PORT, as an https_proxy does, to where `hosts`
    maps HOST:PORT (a name that resolves nowhere can so reach a registry on loopback).
    `targets` lists what it was asked for."""

    def __init__(self, hosts):
        self.hosts, self.targets = hosts, []
        outer = self

        class H(socketserver.BaseRequestHandler):
            def handle(self):
                outer.tunnel(self.request)

        class S(socketserver.ThreadingMixIn, socketserver.TCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.srv = S(("127.0.0.1", 0), H)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d" % self.srv.server_address[1]

    def tunnel(self, c):
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            got = c.recv(4096)
            if not got:
                return
            head += got
        words = head.split(b"\r\n", 1)[0].decode("latin-1").split()
        target = words[1] if len(words) == 3 and words[0] == "CONNECT" else None
        self.targets.append(target)
        if target not in self.hosts:
            c.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        host, port = self.hosts[target].rsplit(":", 1)
        up = socket.create_connection((host, int(port)), timeout=30)
        c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        socks = [c, up]
        try:
            while True:
                ready, _, _ = select.select(socks, [], [], 30)
                if not ready:
                    return
                for r in ready:
                    data = r.recv(65536)
                    if not data:
                        return
                    (up if r is c else c).sendall(data)
        finally:
            up.close()

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()


class ForwardProxy:
    """An HTTP proxy as http_proxy and https_proxy name one: a plain request comes with its
    whole URL (GET http://HOST:PORT/v2/...), and is forwarded to where `hosts` maps HOST:PORT;
    CONNECT HOST:PORT is tunnelled there. `seen` lists every request line, in order."""

    def __init__(self, hosts):
        self.hosts, self.seen = hosts, []
        outer = self

        class H(_Quiet):
            def do_GET(self):
                outer.seen.append("%s %s" % (self.command, self.path))
                outer.forward(self)

            do_HEAD = do_GET

            def do_CONNECT(self):
                outer.seen.append("CONNECT " + self.path)
                outer.tunnel(self)

        self.srv = _serve(H)
        self.url = "http://127.0.0.1:%d" % self.srv.server_address[1]

    def forward(self, h):
        from urllib.parse import urlsplit
        u = urlsplit(h.path)
        up = self.hosts.get(u.netloc)
        if u.scheme != "http" or not up:
            h.send_response(502)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        req = urllib.request.Request("http://%s%s%s" % (up, u.path, "?" + u.query if u.query
                                                          else ""), method=h.command)
        for k in ("Authorization", "Accept", "Range"):
            if h.headers.get(k):
                req.add_header(k, h.headers[k])
        try:
            resp = urllib.request.urlopen(req, timeout=30)
            status, headers, body = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            status, headers, body = e.code, e.headers, e.read()
        h.send_response(status)
        for k, v in headers.items():
            if k.lower() not in ("content-length", "transfer-encoding", "connection", "date",
                                 "server"):
                h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(body)

    def tunnel(self, h):
        up = self.hosts.get(h.path)
        if not up:
            h.send_response(403)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        host, port = up.rsplit(":", 1)
        upc = socket.create_connection((host, int(port)), timeout=30)
        h.send_response(200, "Connection established")
        h.end_headers()
        h.wfile.flush()
        socks = [h.connection, upc]
        try:
            while True:
                ready, _, _ = select.select(socks, [], [], 30)
                if not ready:
                    break
                data = b""
                for r in ready:
                    data = r.recv(65536)
                    if not data:
                        break
                    (upc if r is h.connection else h.connection).sendall(data)
                if not data:
                    break
        except OSError:
            pass
        finally:
            upc.close()
            h.close_connection = True

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()


class FakeRegistry:
    """Serves /v2/, manifests by tag or digest and blobs from dicts of bytes: what a hostile
    registry can send. manifests: {ref: (media_type, bytes)}; blobs: {digest: bytes}."""

    def __init__(self, manifests, blobs):
        self.manifests, self.blobs, self.log = manifests, blobs, []
        outer = self

        class H(_Quiet):
            def do_GET(self):
                outer.log.append(self.path)
                m = re.match(r"/v2/[^ ]+?/(manifests|blobs)/([^/?]+)$", self.path)
                if self.path == "/v2/":
                    return self.answer(200, "application/json", b"{}")
                if m and m.group(1) == "manifests" and m.group(2) in outer.manifests:
                    mt, body = outer.manifests[m.group(2)]
                    return self.answer(200, mt, body)
                if m and m.group(1) == "blobs" and m.group(2) in outer.blobs:
                    return self.answer(200, "application/octet-stream",
                                       outer.blobs[m.group(2)])
                self.answer(404, "application/json",
                            b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}')

            def answer(self, status, mt, body):
                self.send_response(status)
                self.send_header("Content-Type", mt)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass

        self.srv = _serve(H)
        self.host = "127.0.0.1:%d" % self.srv.server_address[1]

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()


def sha256(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()
