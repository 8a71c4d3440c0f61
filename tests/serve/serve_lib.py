"""serve_lib.py - what the tests of `unroot serve` share: a server on loopback, started by
the test and stopped by its pid; a small HTTPS client; AdmissionReviews built the way the
API server sends them (k8s.io/api/admission/v1: uid, kind, resource, subResource,
requestKind, name, namespace, operation, userInfo, object, oldObject, dryRun, options)."""
import atexit
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import uuid


UNROOT = os.environ.get("UNROOT", "unroot")
SRC = os.environ.get("UNROOT_SRC", os.path.join(os.path.dirname(__file__), "..", ".."))

failures = 0
checks = 0


def expect(cond, what):
    global failures, checks
    checks += 1
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures += 1
    return cond


def summary():
    print("%d checks, %d failed" % (checks, failures))
    return 1 if failures else 0


def _sanitized():
    """True when unroot-serve was built with a sanitizer: memory figures then measure the
    sanitizer's shadow and quarantine, and everything is several times slower."""
    path = os.environ.get("UNROOT_SERVE")
    if not path:
        return False
    p = subprocess.run(["ldd", path], capture_output=True, text=True)
    return any(n in p.stdout for n in ("libasan", "libtsan", "libubsan"))


SANITIZED = _sanitized()


def server_missing():
    """Why the server cannot be tested here, or None."""
    p = subprocess.run([UNROOT, "serve", "--help"], capture_output=True, text=True)
    if p.returncode != 0:
        return (p.stdout + p.stderr).strip()
    return None


# --- certificates ------------------------------------------------------------------------

def make_ca(folder, key_type="ec"):
    """A CA and a server certificate for 127.0.0.1 it signed: (ca.crt, server.crt,
    server.key). P-256 keys: an RSA key took a second or more to make here."""
    os.makedirs(folder, exist_ok=True)
    ca_key, ca_crt = os.path.join(folder, "ca.key"), os.path.join(folder, "ca.crt")
    key, csr, crt = (os.path.join(folder, n) for n in ("server.key", "server.csr",
                                                       "server.crt"))
    ext = os.path.join(folder, "ext.cnf")
    new = (["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] if key_type == "ec"
           else ["-newkey", "rsa:2048"])

    def run(*a):
        subprocess.run(a, check=True, capture_output=True)
    run("openssl", "req", "-x509", *new, "-nodes", "-keyout", ca_key, "-out", ca_crt,
        "-days", "2", "-subj", "/CN=unroot test CA")
    run("openssl", "req", *new, "-nodes", "-keyout", key, "-out", csr, "-subj",
        "/CN=127.0.0.1")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    run("openssl", "x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key,
        "-CAcreateserial", "-out", crt, "-days", "2", "-extfile", ext)
    return ca_crt, crt, key


_shared = []


def shared_certs():
    """One CA and certificate for every server of a test run."""
    if not _shared:
        folder = tempfile.mkdtemp(prefix="unroot-serve-certs-")
        atexit.register(shutil.rmtree, folder, True)
        _shared.append(make_ca(folder))
    return _shared[0]


# --- reviews ----------------------------------------------------------------------------

RESOURCES = {
    "Pod": ("", "pods"), "Deployment": ("apps", "deployments"),
    "StatefulSet": ("apps", "statefulsets"), "DaemonSet": ("apps", "daemonsets"),
    "ReplicaSet": ("apps", "replicasets"), "Job": ("batch", "jobs"),
    "CronJob": ("batch", "cronjobs"), "DeploymentConfig": ("apps.openshift.io", "deploymentconfigs"),
    "ConfigMap": ("", "configmaps"), "Service": ("", "services"),
}


def review(obj, operation="CREATE", namespace=None, sub_resource=None, old=None, uid=None,
           dry_run=False, kind=None):
    """An AdmissionReview request for `obj`, as the API server writes one."""
    api = obj.get("apiVersion", "v1") if isinstance(obj, dict) else "v1"
    group, version = api.split("/") if "/" in api else ("", api)
    k = kind or (obj.get("kind") if isinstance(obj, dict) else "Pod")
    plural = RESOURCES.get(k, (group, k.lower() + "s"))[1]
    meta = obj.get("metadata", {}) if isinstance(obj, dict) else {}
    ns = namespace if namespace is not None else meta.get("namespace", "default")
    req = {
        "uid": uid or str(uuid.uuid4()),
        "kind": {"group": group, "version": version, "kind": k},
        "resource": {"group": group, "version": version, "resource": plural},
        "requestKind": {"group": group, "version": version, "kind": k},
        "requestResource": {"group": group, "version": version, "resource": plural},
        "name": meta.get("name", ""),
        "namespace": ns,
        "operation": operation,
        "userInfo": {"username": "kubernetes-admin", "groups": ["system:masters",
                                                                "system:authenticated"]},
        "object": obj if operation != "DELETE" else None,
        "oldObject": old,
        "dryRun": dry_run,
        "options": {"apiVersion": "meta.k8s.io/v1",
                    "kind": "CreateOptions" if operation == "CREATE" else "UpdateOptions"},
    }
    if sub_resource:
        req["subResource"] = sub_resource
        req["requestSubResource"] = sub_resource
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": req}


def pod_spec(containers, pod_sc=None, **extra):
    spec = {"containers": containers}
    if pod_sc is not None:
        spec["securityContext"] = pod_sc
    spec.update(extra)
    return spec


def container(name="app", image="registry.example.com/team/app:1.0", sc=None):
    c = {"name": name, "image": image, "ports": [{"containerPort": 8080}]}
    if sc is not None:
        c["securityContext"] = sc
    return c


GOOD_SC = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
GOOD_POD_SC = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}


def wrap(kind, spec, name="web", namespace="shop", api=None, annotations=None):
    """A workload of `kind` around a pod spec, with the template where the kind keeps it."""
    meta = {"name": name, "namespace": namespace}
    if annotations:
        meta["annotations"] = annotations
    labels = {"app": name}
    if kind == "Pod":
        return {"apiVersion": "v1", "kind": "Pod", "metadata": dict(meta, labels=labels),
                "spec": spec}
    template = {"metadata": {"labels": labels}, "spec": spec}
    if kind == "CronJob":
        return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta,
                "spec": {"schedule": "*/5 * * * *",
                         "jobTemplate": {"spec": {"template": dict(
                             template, spec=dict(spec, restartPolicy="OnFailure"))}}}}
    if kind == "Job":
        return {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta,
                "spec": {"template": dict(template, spec=dict(spec, restartPolicy="Never"))}}
    if kind == "DeploymentConfig":
        return {"apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig",
                "metadata": meta, "spec": {"replicas": 1, "selector": labels,
                                           "template": template}}
    body = {"selector": {"matchLabels": labels}, "template": template}
    if kind == "StatefulSet":
        body["serviceName"] = name
    return {"apiVersion": api or "apps/v1", "kind": kind, "metadata": meta, "spec": body}


# --- the server -----------------------------------------------------------------------

class Server:
    """unroot serve on 127.0.0.1, a port of its own, a certificate from a CA made here."""

    def __init__(self, folder, config=None, env=None, certs=None):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        if certs:
            self.ca, self.cert, self.key = certs
        else:
            self.ca, self.cert, self.key = shared_certs()
        self.config = os.path.join(folder, "serve.yaml")
        with open(self.config, "w") as f:
            f.write(config if config is not None else "drain-delay: 0s\nlog-reviews: all\n")
        self.log = os.path.join(folder, "serve.log")
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        self.port = None

    def command(self, extra=()):
        return [UNROOT, "serve", "--tls-cert", self.cert, "--tls-key", self.key, "--listen",
                "127.0.0.1:0", "--config", self.config, *extra]

    def start(self, wait_ready=True, extra=()):
        self.logf = open(self.log, "ab")
        self.proc = subprocess.Popen(self.command(extra), stdout=subprocess.DEVNULL,
                                     stderr=self.logf, env=self.env)
        deadline = time.time() + 20
        while time.time() < deadline:
            for line in self.lines():
                if line.get("msg") == "listening":
                    self.port = line["port"]
            if self.port:
                break
            if self.proc.poll() is not None:
                raise RuntimeError("unroot serve exited %s: %s" % (self.proc.returncode,
                                                                   open(self.log).read()))
            time.sleep(0.02)
        if not self.port:
            raise RuntimeError("unroot serve did not start: " + open(self.log).read())
        if wait_ready:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if self.get("/readyz")[0] == 200:
                    return True
            except (OSError, ssl.SSLError, http.client.HTTPException):
                pass
            time.sleep(0.05)
        return False

    def lines(self):
        out = []
        try:
            with open(self.log, errors="replace") as f:
                for line in f:
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        out.append({"raw": line})
        except FileNotFoundError:
            pass
        return out

    def context(self):
        ctx = ssl.create_default_context(cafile=self.ca)
        return ctx

    def connection(self, timeout=30):
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context(),
                                           timeout=timeout)

    def request(self, method, path, body=None, headers=None, conn=None, timeout=30):
        own = conn is None
        c = conn or self.connection(timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, dict(r.getheaders()), data
        finally:
            if own:
                c.close()

    def get(self, path, conn=None):
        return self.request("GET", path, conn=conn)

    def post(self, path, doc, headers=None, conn=None):
        body = doc if isinstance(doc, (bytes, str)) else json.dumps(doc)
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        return self.request("POST", path, body=body, headers=h, conn=conn)

    def review(self, obj, path="/validate", **kw):
        """Posts a review of obj; returns (AdmissionReview sent, response object)."""
        rev = review(obj, **kw)
        status, _, data = self.post(path, rev)
        if status != 200:
            raise RuntimeError("HTTP %d: %s" % (status, data[:300]))
        return rev, json.loads(data)["response"]

    def metrics(self):
        status, _, data = self.get("/metrics")
        out = {}
        for line in data.decode().splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                out[name] = float(value)
        return out

    def rss_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        os.kill(self.proc.pid, sig)

    def stop(self, timeout=30):
        if not self.proc or getattr(self, "stopped", False):
            return self.proc.returncode if self.proc else None
        self.stopped = True
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.logf.close()
        rc = self.proc.returncode
        text = open(self.log, errors="replace").read()
        if rc != 0 or "Sanitizer" in text or "runtime error" in text:
            # A crash, or what a sanitizer saw: the test fails and shows it.
            expect(False, "unroot serve exited %s; its log ends:\n%s" % (rc, text[-6000:]))
        return rc


def raw_tls(port, ca, timeout=10):
    """A TLS socket to the server, for clients that misbehave on purpose."""
    ctx = ssl.create_default_context(cafile=ca)
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return ctx.wrap_socket(s, server_hostname="127.0.0.1")


def workdir(prefix):
    return tempfile.mkdtemp(prefix=prefix)
