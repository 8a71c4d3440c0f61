#!/usr/bin/env python3
"""unroot serve over HTTPS: the AdmissionReview protocol field by field and against the
AdmissionReview schema, every kind it checks, the namespace policy and dry run, OpenShift's
SCC facts, /mutate's JSONPatch, /healthz, /readyz, /metrics, the JSON log, certificate
reload, and the drain on SIGTERM. Clients: Python's http.client and curl. Bad input and
load are in test_hostile.py. Exits 77 when this unroot has no server."""
import base64
import copy
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_lib as S  # noqa: E402
from serve_lib import GOOD_POD_SC, GOOD_SC, container, expect, pod_spec, wrap  # noqa: E402

try:
    import jsonschema
except ImportError:
    jsonschema = None

SCHEMA = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                     "admissionreview-v1.schema.json")))
KINDS = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob",
         "DeploymentConfig"]


def schema_errors(doc):
    v = jsonschema.Draft202012Validator(SCHEMA)
    return ["%s: %s" % ("/".join(map(str, e.path)), e.message) for e in v.iter_errors(doc)]


def post_raw(srv, rev, path="/validate"):
    status, headers, data = srv.post(path, rev)
    return status, headers, json.loads(data) if status == 200 else data


def protocol(srv):
    # A compliant Deployment: allowed; a root one: denied, with the finding and its fix.
    good = wrap("Deployment", pod_spec([container(sc=GOOD_SC)], GOOD_POD_SC))
    bad = wrap("Deployment", pod_spec([container(sc={"runAsUser": 0})]))
    for name, obj, allowed in (("compliant", good, True), ("root", bad, False)):
        rev = S.review(obj, uid="e911857d-c318-11e8-bbad-025000000001")
        status, headers, doc = post_raw(srv, rev)
        expect(status == 200 and headers.get("Content-Type") == "application/json",
               "%s Deployment: HTTP 200, application/json" % name)
        errs = schema_errors(doc)
        expect(not errs, "%s: the answer is a valid AdmissionReview %s" % (name, errs[:3]))
        r = doc["response"]
        expect(doc["apiVersion"] == "admission.k8s.io/v1" and doc["kind"] == "AdmissionReview",
               "%s: apiVersion admission.k8s.io/v1, kind AdmissionReview" % name)
        expect(r["uid"] == "e911857d-c318-11e8-bbad-025000000001",
               "%s: the response echoes the request's uid" % name)
        expect(r["allowed"] is allowed, "%s: allowed is %s" % (name, allowed))
        if allowed:
            expect("status" not in r and "patch" not in r,
                   "compliant: no status and no patch on /validate")
        else:
            st = r.get("status", {})
            expect(st.get("code") == 403 and st.get("reason") == "Forbidden" and
                   st.get("status") == "Failure", "root: status code 403, reason Forbidden, "
                   "status Failure")
            msg = st.get("message", "")
            expect("NR201" in msg and "fix: runAsNonRoot: true" in msg and "Deployment/web" in
                   msg and "namespace shop" in msg,
                   "root: status.message names the object, the finding and its fix")
            expect(all(isinstance(w, str) and w.startswith("NR21") for w in r["warnings"]),
                   "root: the warnings carry the warning-level findings (NR210, NR211): %s" %
                   [w[:5] for w in r["warnings"]])

    # Every kind the server checks, with the pod spec where the kind keeps it.
    for kind in KINDS:
        _, r = srv.review(wrap(kind, pod_spec([container(sc={"runAsUser": 0})])))
        expect(r["allowed"] is False and "NR201" in r["status"]["message"],
               "%s with runAsUser 0 is denied" % kind)
        _, r = srv.review(wrap(kind, pod_spec([container(sc=GOOD_SC)], GOOD_POD_SC)))
        expect(r["allowed"] is True, "a compliant %s is allowed (%s)" % (
            kind, r.get("warnings", r.get("status"))))
    # Not checked: other kinds, DELETE, CONNECT, other subresources, pod updates.
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"},
          "data": {"runAsUser": "0"}}
    _, r = srv.review(cm)
    expect(r["allowed"] and "warnings" not in r, "a ConfigMap is allowed without a word")
    _, r = srv.review(bad, operation="DELETE", old=bad)
    expect(r["allowed"], "DELETE is allowed")
    _, r = srv.review(bad, sub_resource="status", operation="UPDATE", old=bad)
    expect(r["allowed"], "the status subresource is not judged")
    badpod = wrap("Pod", pod_spec([container(sc={"runAsUser": 0})]))
    _, r = srv.review(badpod, operation="UPDATE", old=badpod)
    expect(r["allowed"], "an update of a pod that keeps its images is not judged (its "
           "security context cannot change)")
    newimage = copy.deepcopy(badpod)
    newimage["spec"]["containers"][0]["image"] = "registry.example.com/team/app:2.0"
    _, r = srv.review(newimage, operation="UPDATE", old=badpod)
    expect(not r["allowed"] and "NR201" in r["status"]["message"],
           "an update of a pod to another image (kubectl set image) is judged as a new pod")
    _, r = srv.review(bad, operation="UPDATE", old=good)
    expect(not r["allowed"], "an update of a Deployment to a root template is denied")
    deleting = copy.deepcopy(bad)
    deleting["metadata"]["deletionTimestamp"] = "2024-05-01T10:00:00Z"
    _, r = srv.review(deleting, operation="UPDATE", old=bad)
    expect(r["allowed"], "an object being deleted is let go")

    # The ephemeralcontainers subresource: only the containers it adds are judged.
    pod = wrap("Pod", pod_spec([container(sc={"runAsUser": 0})]))
    with_dbg = copy.deepcopy(pod)
    with_dbg["spec"]["ephemeralContainers"] = [
        {"name": "debugger", "image": "busybox:1.36", "targetContainerName": "app",
         "securityContext": {"allowPrivilegeEscalation": False,
                             "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": True}}]
    _, r = srv.review(with_dbg, operation="UPDATE", sub_resource="ephemeralcontainers", old=pod)
    expect(r["allowed"], "a compliant ephemeral container is let into a pod whose own "
           "containers were admitted before: %s" % r.get("status", {}).get("message"))
    root_dbg = copy.deepcopy(pod)
    root_dbg["spec"]["ephemeralContainers"] = [
        {"name": "rootshell", "image": "busybox:1.36",
         "securityContext": {"runAsUser": 0, "privileged": True}}]
    _, r = srv.review(root_dbg, operation="UPDATE", sub_resource="ephemeralcontainers", old=pod)
    msg = r.get("status", {}).get("message", "")
    expect(not r["allowed"] and "rootshell" in msg and "'app'" not in msg,
           "a root ephemeral container is denied, and only it is named")


def apply_patch(doc, ops):
    """RFC 6902 'add', the only operation the server writes."""
    doc = copy.deepcopy(doc)
    for op in ops:
        assert op["op"] == "add", op
        parts = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]]
        node = doc
        for p in parts[:-1]:
            node = node[int(p)] if isinstance(node, list) else node[p]
        last = parts[-1]
        if isinstance(node, list):
            node.append(op["value"]) if last == "-" else node.insert(int(last), op["value"])
        else:
            assert last not in node, "add over an existing key %s" % op["path"]
            node[last] = op["value"]
    return doc


def kept(orig, new, path=""):
    """Every value of orig is in new unchanged (lists may grow)."""
    if isinstance(orig, dict):
        return isinstance(new, dict) and all(k in new and kept(v, new[k], path + "/" + k)
                                             for k, v in orig.items())
    if isinstance(orig, list):
        return isinstance(new, list) and len(new) >= len(orig) and all(
            kept(a, b) for a, b in zip(orig, new))
    return orig == new


def mutate(srv):
    for kind in KINDS:
        obj = wrap(kind, pod_spec([container(), container("side", "busybox:1.36")],
                                  initContainers=[container("init", "busybox:1.36")]))
        rev, r = srv.review(obj, path="/mutate")
        expect(r["allowed"] and r.get("patchType") == "JSONPatch" and not schema_errors(
            {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": r}),
            "/mutate of a bare %s answers a JSONPatch" % kind)
        ops = json.loads(base64.b64decode(r["patch"]))
        patched = apply_patch(obj, ops)
        expect(all(o["op"] == "add" for o in ops) and kept(obj, patched),
               "%s: the patch only adds; everything the author wrote stays" % kind)
        _, v = srv.review(patched)
        left = [w for w in v.get("warnings", []) if w[:5] in ("NR202", "NR210", "NR211")]
        expect(v["allowed"] and not left,
               "%s: once patched, NR202, NR210 and NR211 have nothing to say: %s" % (kind, left))
        rev2, r2 = srv.review(patched, path="/mutate")
        expect("patch" not in r2, "%s: the patch is idempotent (none the second time)" % kind)
    # What is written stays: an explicit root user gets no runAsNonRoot, a privileged
    # container no allowPrivilegeEscalation (the API server refuses that pair), a drop
    # list gets ALL appended.
    obj = wrap("Deployment", pod_spec(
        [container(sc={"runAsUser": 0}),
         container("priv", sc={"privileged": True}),
         container("caps", sc={"capabilities": {"drop": ["NET_RAW"], "add": ["CHOWN"]}})],
        {"runAsNonRoot": False}))
    _, r = srv.review(obj, path="/mutate")
    ops = json.loads(base64.b64decode(r["patch"]))
    paths = [o["path"] for o in ops]
    expect(not any(p.endswith("runAsNonRoot") for p in paths),
           "runAsNonRoot: false and runAsUser: 0 are left as written")
    expect("/spec/template/spec/containers/1/securityContext/allowPrivilegeEscalation"
           not in paths, "a privileged container gets no allowPrivilegeEscalation: false")
    expect({"op": "add", "path": "/spec/template/spec/containers/2/securityContext/"
            "capabilities/drop/-", "value": "ALL"} in ops,
           "a drop list without ALL gets ALL appended, its own entries kept")
    patched = apply_patch(obj, ops)
    expect(patched["spec"]["template"]["spec"]["containers"][2]["securityContext"]
           ["capabilities"] == {"drop": ["NET_RAW", "ALL"], "add": ["CHOWN"]},
           "the add list is untouched")
    # The ephemeralcontainers subresource: only the new ephemeral container is patched.
    pod = wrap("Pod", pod_spec([container()]))
    dbg = copy.deepcopy(pod)
    dbg["spec"]["ephemeralContainers"] = [{"name": "old", "image": "busybox:1.36"}]
    dbg2 = copy.deepcopy(dbg)
    dbg2["spec"]["ephemeralContainers"].append({"name": "new", "image": "busybox:1.36"})
    _, r = srv.review(dbg2, path="/mutate", operation="UPDATE",
                      sub_resource="ephemeralcontainers", old=dbg)
    ops = json.loads(base64.b64decode(r["patch"]))
    expect([o["path"] for o in ops] == ["/spec/ephemeralContainers/1/securityContext"],
           "ephemeralcontainers: only the added ephemeral container is patched: %s" %
           [o["path"] for o in ops])
    _, r = srv.review(pod, path="/mutate", operation="UPDATE", old=pod)
    expect("patch" not in r, "a pod update (immutable spec) is not patched")


def health_and_metrics(srv):
    status, headers, body = srv.get("/healthz")
    expect(status == 200 and body == b"ok\n", "/healthz: 200 ok")
    status, _, body = srv.get("/readyz")
    expect(status == 200 and body == b"ready\n", "/readyz: 200 ready once the certificate "
           "is loaded")
    status, headers, body = srv.get("/metrics")
    text = body.decode()
    expect(status == 200 and headers.get("Content-Type", "").startswith(
        "text/plain; version=0.0.4"), "/metrics: Prometheus text format 0.0.4")
    m = srv.metrics()
    denied = m.get('unroot_admission_reviews_total{endpoint="validate",kind="Deployment",'
                   'verdict="denied"}', 0)
    patched = m.get('unroot_admission_reviews_total{endpoint="mutate",kind="Deployment",'
                    'verdict="patched"}', 0)
    expect(denied >= 2 and patched >= 1, "/metrics counts reviews by endpoint, kind and "
           "verdict (%d Deployments denied, %d patched)" % (denied, patched))
    count = m.get('unroot_admission_review_duration_seconds_count{endpoint="validate"}', 0)
    inf = m.get('unroot_admission_review_duration_seconds_bucket{endpoint="validate",'
                'le="+Inf"}', -1)
    expect(count > 10 and inf == count, "the latency histogram counts every review "
           "(%d)" % count)
    for name in ("unroot_image_cache_hits_total", "unroot_image_cache_misses_total",
                 "unroot_image_pull_errors_total", "process_resident_memory_bytes",
                 'unroot_http_errors_total{code="413"}'):
        expect(name in m, "/metrics has %s" % name)
    # Every family has HELP and TYPE, every sample line parses.
    families = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")]
    expect(len(families) == len(set(families)) and all(
        "# HELP %s " % f in text for f in families), "every metric family has HELP and TYPE")
    status, _, _ = srv.request("POST", "/healthz", body=b"x")
    expect(status == 405, "POST /healthz: 405")
    status, _, _ = srv.get("/validate")
    expect(status == 405, "GET /validate: 405")
    status, _, _ = srv.get("/nothing-here")
    expect(status == 404, "an unknown path: 404")


def logs(srv):
    lines = srv.lines()
    expect(lines and all("time" in x and "level" in x and "msg" in x for x in lines),
           "every line on stderr is a JSON object with time, level and msg (%d lines)" %
           len(lines))
    reviews = [x for x in lines if x.get("msg") == "review"]
    expect(any(x.get("verdict") == "denied" and x.get("uid") and "NR201" in x.get(
        "message", "") for x in reviews), "a denial is logged with its uid and message")


def curl(srv):
    if not shutil.which("curl"):
        return
    rev = S.review(wrap("Pod", pod_spec([container(sc={"runAsUser": 0})])))
    p = subprocess.run(["curl", "-sS", "--cacert", srv.ca, "-H", "Content-Type: "
                        "application/json", "--data-binary", "@-", "-w", "\n%{http_code} "
                        "%{ssl_verify_result}", "https://127.0.0.1:%d/validate" % srv.port],
                       input=json.dumps(rev), capture_output=True, text=True, timeout=30)
    body, _, tail = p.stdout.rpartition("\n")
    try:
        r = json.loads(body)["response"]
    except ValueError:
        r = {}
    expect(tail == "200 0" and r.get("uid") == rev["request"]["uid"] and
           r.get("allowed") is False, "curl: a root Pod is denied over verified HTTPS")
    p = subprocess.run(["curl", "-sS", "--cacert", srv.ca, "--tls-max", "1.1", "--tlsv1.1",
                        "https://127.0.0.1:%d/healthz" % srv.port], capture_output=True,
                       text=True, timeout=30)
    expect(p.returncode != 0, "curl: TLS 1.1 is refused (TLS 1.2 and 1.3 only)")
    for v in ("1.2", "1.3"):
        p = subprocess.run(["curl", "-sS", "--cacert", srv.ca, "--tlsv" + v, "--tls-max", v,
                            "https://127.0.0.1:%d/healthz" % srv.port],
                           capture_output=True, text=True, timeout=30)
        expect(p.returncode == 0 and p.stdout == "ok\n", "curl: TLS %s is served" % v)
    p = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                        "http://127.0.0.1:%d/healthz" % srv.port], capture_output=True,
                       text=True, timeout=30)
    expect(p.stdout != "200", "plain HTTP is not served")


def policy(work):
    cfg = """drain-delay: 0s
deny: [error]
namespaces:
  - match: "kube-*"
    skip: true
  - match: "sandbox-*"
    dry-run: true
  - match: strict
    deny: [error, warning]
"""
    srv = S.Server(os.path.join(work, "policy"), config=cfg).start()
    try:
        root = wrap("Deployment", pod_spec([container(sc={"runAsUser": 0})]))
        warn_only = wrap("Deployment", pod_spec([container()], GOOD_POD_SC))
        _, r = srv.review(root, namespace="kube-system")
        expect(r["allowed"] and "warnings" not in r, "a skipped namespace is not judged")
        _, r = srv.review(root, namespace="sandbox-7")
        expect(r["allowed"] and any(w.startswith("dry run, would deny: NR201") for w in
                                    r["warnings"]),
               "dry run: allowed, and what would deny is in the warnings")
        _, r = srv.review(warn_only, namespace="strict")
        expect(not r["allowed"] and "NR210" in r["status"]["message"],
               "deny: [error, warning] denies warnings in its namespace")
        _, r = srv.review(warn_only, namespace="shop")
        expect(r["allowed"] and any(w.startswith("NR210") for w in r["warnings"]),
               "elsewhere warnings only warn")
    finally:
        srv.stop()
    cfg = "drain-delay: 0s\ndry-run: true\n"
    srv = S.Server(os.path.join(work, "dry"), config=cfg).start()
    try:
        _, r = srv.review(wrap("Pod", pod_spec([container(sc={"runAsUser": 0})])))
        expect(r["allowed"] and any("would deny" in w for w in r["warnings"]),
               "dry-run: true: nothing is denied anywhere")
    finally:
        srv.stop()


def openshift(work):
    # After SCC admission the pod carries the UID and fsGroup of its namespace's range, and
    # the annotation saying which SCC admitted it: the range holds them. The namespace's
    # range here (1000650000/10000) is not the default one (1000680000/10000).
    srv = S.Server(os.path.join(work, "openshift"),
                   config="drain-delay: 0s\nplatform: openshift\n").start()
    try:
        sc = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
              "runAsUser": 1000650000, "runAsNonRoot": True}
        pod_sc = {"fsGroup": 1000650000, "seLinuxOptions": {"level": "s0:c26,c5"},
                  "seccompProfile": {"type": "RuntimeDefault"}}
        admitted = wrap("Pod", pod_spec([container(sc=sc)], pod_sc),
                        annotations={"openshift.io/scc": "restricted-v2"})
        _, r = srv.review(admitted)
        expect(r["allowed"] and not any(w.startswith("NR208") for w in r.get("warnings", [])),
               "an SCC-admitted pod is judged with the UID the SCC assigned: allowed, no NR208 "
               "(%s)" % r.get("status", r.get("warnings")))
        pinned = wrap("Pod", pod_spec([container(sc=sc)], pod_sc))
        _, r = srv.review(pinned)
        expect(not r["allowed"] and "NR208" in r["status"]["message"],
               "the same pod without the SCC's annotation pins a UID outside the default "
               "range: denied")
        root = wrap("Pod", pod_spec([container(sc=dict(sc, runAsUser=0))], pod_sc),
                    annotations={"openshift.io/scc": "anyuid"})
        _, r = srv.review(root)
        expect(not r["allowed"] and "NR201" in r["status"]["message"],
               "a pod another SCC let run as root is still denied")
    finally:
        srv.stop()
    srv = S.Server(os.path.join(work, "k8s-dc"), config="drain-delay: 0s\n").start()
    try:
        dc = wrap("DeploymentConfig", pod_spec([container(sc=GOOD_SC)], {"runAsUser": 2000}))
        _, r = srv.review(dc)
        expect(not r["allowed"] and "NR208" in r["status"]["message"],
               "a DeploymentConfig is judged as OpenShift on any cluster: runAsUser 2000 is "
               "outside the range")
    finally:
        srv.stop()


def cert_reload(work):
    certs = os.path.join(work, "rot")
    ca, crt, key = S.make_ca(os.path.join(certs, "a"))
    live_crt, live_key = os.path.join(certs, "tls.crt"), os.path.join(certs, "tls.key")
    # Not ready until a certificate is there: start without the files.
    srv = S.Server(os.path.join(work, "reload"), config="drain-delay: 0s\ncert-poll: 100ms\n",
                   certs=(ca, live_crt, live_key))
    srv.start(wait_ready=False)
    try:
        time.sleep(0.3)
        try:
            status = srv.get("/readyz")[0]
        except (OSError, ssl.SSLError):
            status = None
        expect(status is None and any(x.get("msg") == "no certificate yet: not ready"
                                      for x in srv.lines()),
               "without a certificate no handshake succeeds, so not ready, and it is logged")
        shutil.copy(crt, live_crt)
        shutil.copy(key, live_key)
        expect(srv.wait_ready(5), "ready once the certificate and key appear")
        first = ssl.DER_cert_to_PEM_cert(S.raw_tls(srv.port, ca).getpeercert(True))
        keepalive = srv.connection()
        expect(srv.get("/healthz", conn=keepalive)[0] == 200, "a kept-alive connection")
        # cert-manager renews: new files swapped in by rename, as the kubelet does.
        _, crt2, key2 = S.make_ca(os.path.join(certs, "b"))
        # Signed by another CA: the new one must be presented for the old CA to fail.
        os.rename(crt2, live_crt + ".new")
        os.rename(key2, live_key + ".new")
        os.rename(live_key + ".new", live_key)
        os.rename(live_crt + ".new", live_crt)
        deadline = time.time() + 5
        second = first
        while time.time() < deadline and second == first:
            time.sleep(0.1)
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            s = ctx.wrap_socket(S.socket.create_connection(("127.0.0.1", srv.port)))
            second = ssl.DER_cert_to_PEM_cert(s.getpeercert(True))
            s.close()
        expect(second != first and second == open(live_crt).read(),
               "a renewed certificate is served without a restart")
        expect(srv.get("/healthz", conn=keepalive)[0] == 200,
               "a connection opened before the renewal is served on")
        # A key that does not match: the files are not taken, the good pair serves on.
        _, _, other_key = S.make_ca(os.path.join(certs, "c"))
        shutil.copy(other_key, live_key + ".tmp")
        os.rename(live_key + ".tmp", live_key)
        time.sleep(0.5)
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(S.socket.create_connection(("127.0.0.1", srv.port)))
        third = ssl.DER_cert_to_PEM_cert(s.getpeercert(True))
        s.close()
        expect(third == second and any(x.get("msg") == "certificate not reloaded" and
                                       "does not belong" in x.get("error", "")
                                       for x in srv.lines()),
               "a key that does not belong to the certificate is refused and logged; the "
               "good pair serves on")
        keepalive.close()
    finally:
        srv.stop()


def drain(work):
    srv = S.Server(os.path.join(work, "drain"),
                   config="drain-delay: 1s\ndrain-timeout: 10s\n").start()
    rev = json.dumps(S.review(wrap("Pod", pod_spec([container(sc=GOOD_SC)], GOOD_POD_SC))))
    # A request half sent when SIGTERM comes is finished.
    half = S.raw_tls(srv.port, srv.ca)
    head = ("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n\r\n" % len(rev)).encode()
    half.sendall(head + rev[:100].encode())
    time.sleep(0.2)
    srv.signal(signal.SIGTERM)
    time.sleep(0.3)
    status, headers, _ = srv.get("/readyz")
    expect(status == 503, "draining: /readyz says 503 at once")
    status, headers, _ = srv.post("/validate", rev)
    expect(status == 200 and headers.get("Connection") == "close",
           "draining: reviews are still answered during the delay, with Connection: close")
    time.sleep(1.2)
    try:
        srv.get("/healthz")
        refused = False
    except OSError:
        refused = True
    expect(refused, "after the delay no new connection is taken")
    half.sendall(rev[100:].encode())
    data = b""
    try:
        while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
            chunk = half.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    expect(data.startswith(b"HTTP/1.1 200") and b'"allowed":true' in data,
           "the request open when SIGTERM came is answered")
    half.close()
    rc = srv.proc.wait(15)
    expect(rc == 0 and srv.lines()[-1].get("msg") == "stopped", "then it exits 0 ('stopped')")


def config_errors(work):
    path = os.path.join(work, "bad.yaml")
    for text, want in (("deny: [error, fatal]\n", "bad.yaml:1:"),
                       ("images:\n  deadline: soon\n", "bad.yaml:2:13: 'deadline' takes"),
                       ("namespaces:\n  - skip: true\n", "needs match"),
                       ("listen: 1\nbogus: 2\n", "bad.yaml:2:1: unknown key 'bogus'")):
        with open(path, "w") as f:
            f.write(text)
        p = subprocess.run([S.UNROOT, "serve", "--tls-cert", "x", "--tls-key", "y", "--config",
                            path], capture_output=True, text=True, timeout=10)
        expect(p.returncode == 2 and want in p.stderr,
               "a bad configuration is an error with its position: %r" % p.stderr.strip())
    p = subprocess.run([S.UNROOT, "serve"], capture_output=True, text=True, timeout=10)
    expect(p.returncode == 2 and "--tls-cert" in p.stderr, "HTTPS only: a certificate is "
           "required")


def main():
    why = S.server_missing()
    if why:
        print("SKIP: %s" % why)
        return 77
    if jsonschema is None:
        print("FAIL: python3-jsonschema is needed (scripts/install-deps.sh --test)")
        return 1
    work = S.workdir("unroot-serve-")
    srv = None
    try:
        srv = S.Server(os.path.join(work, "main")).start()
        protocol(srv)
        mutate(srv)
        curl(srv)
        health_and_metrics(srv)
        logs(srv)
        rc = srv.stop()
        expect(rc == 0, "SIGTERM: exit status 0")
        policy(work)
        openshift(work)
        cert_reload(work)
        drain(work)
        config_errors(work)
    finally:
        if srv:
            srv.stop()
        shutil.rmtree(work, ignore_errors=True)
    return S.summary()


if __name__ == "__main__":
    sys.exit(main())
