#!/usr/bin/env python3
"""deploy/: the plain manifests and the Helm chart of unroot serve.

- `unroot lint` finds nothing in them on any platform: the manifests, the chart read
  statically, and the chart rendered by helm with its variants (OpenShift's API versions,
  the mutating webhook, a Secret made by hand, no autoscaler, registry credentials);
- what the issue asks of them is there: a Deployment of 2 replicas (or an HPA from 2), a
  PodDisruptionBudget, a Service, the ValidatingWebhookConfiguration with failurePolicy,
  timeoutSeconds above the server's image deadline, a namespaceSelector leaving out
  kube-system and unroot's namespace, rules for every kind the server checks, and the
  cert-manager Certificate;
- the configuration they carry is one `unroot serve` starts with.
Exits 77 when helm cannot be installed (the chart's part) or there is no server."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_lib as S  # noqa: E402
from serve_lib import expect  # noqa: E402

try:
    import yaml
    LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
except ImportError:
    yaml = None

DEPLOY = os.path.join(S.SRC, "deploy")
CHART = os.path.join(DEPLOY, "helm", "unroot-serve")
RESOURCES = {"pods", "pods/ephemeralcontainers", "deployments", "statefulsets", "daemonsets",
             "replicasets", "jobs", "cronjobs", "deploymentconfigs"}
VARIANTS = [
    ("defaults", []),
    ("OpenShift", ["--api-versions", "security.openshift.io/v1", "--set",
                   "config.platform=openshift"]),
    ("mutating webhook", ["--set", "webhook.mutate=true"]),
    ("a Secret made by hand", ["--set", "tls.certManager=false", "--set",
                               "tls.secretName=serve-tls", "--set", "tls.caBundle=PEM"]),
    ("no autoscaler", ["--set", "autoscaling.enabled=false"]),
    ("registry credentials", ["--set", "registryAuthSecret=regcred"]),
]


def lint(*args):
    p = subprocess.run([S.UNROOT, "lint", "--no-config", "-f", "json", *args],
                       capture_output=True, text=True, timeout=120)
    try:
        diags = json.loads(p.stdout)["diagnostics"]
    except ValueError:
        diags = [{"rule": "?", "message": p.stdout + p.stderr}]
    return p.returncode, ["%s %s:%s %s" % (d["rule"], os.path.basename(d.get("path", "")),
                                           d.get("line"), d["message"][:90]) for d in diags]


def objects(text):
    return [d for d in yaml.load_all(text, Loader=LOADER) if isinstance(d, dict)]


def by_kind(objs, kind):
    return [o for o in objs if o.get("kind") == kind]


def check_shape(what, objs, namespace):
    dep = by_kind(objs, "Deployment")
    hpa = by_kind(objs, "HorizontalPodAutoscaler")
    replicas = dep[0]["spec"].get("replicas") if dep else None
    expect(dep and (replicas == 2 or (replicas is None and hpa and
                                      hpa[0]["spec"]["minReplicas"] == 2)),
           "%s: a Deployment of 2 replicas (%s)" % (what, "HPA from 2" if hpa else replicas))
    expect(by_kind(objs, "PodDisruptionBudget") and by_kind(objs, "Service"),
           "%s: a PodDisruptionBudget and a Service" % what)
    vwc = by_kind(objs, "ValidatingWebhookConfiguration")
    hook = vwc[0]["webhooks"][0] if vwc else {}
    resources = {r for rule in hook.get("rules", []) for r in rule["resources"]}
    expect(hook.get("failurePolicy") in ("Ignore", "Fail") and hook.get(
        "admissionReviewVersions") == ["v1"] and hook.get("sideEffects") == "None" and
        hook.get("clientConfig", {}).get("service", {}).get("path") == "/validate" and
        resources == RESOURCES,
        "%s: the ValidatingWebhookConfiguration: failurePolicy, v1 reviews, /validate, every "
        "kind the server checks" % what)
    excluded = [e for e in hook.get("namespaceSelector", {}).get("matchExpressions", [])
                if e["key"] == "kubernetes.io/metadata.name" and e["operator"] == "NotIn"]
    expect(excluded and {"kube-system", namespace} <= set(excluded[0]["values"]),
           "%s: the namespaceSelector leaves out kube-system and %s" % (what, namespace))
    cm = by_kind(objs, "ConfigMap")
    serve = yaml.load(cm[0]["data"]["serve.yaml"], Loader=LOADER) if cm else {}
    deadline = str(serve.get("images", {}).get("deadline", "10s"))
    seconds = float(deadline[:-1]) if deadline.endswith("s") else float(deadline)
    expect(hook.get("timeoutSeconds", 10) > seconds,
           "%s: timeoutSeconds %s is above the server's image deadline (%s)" % (
               what, hook.get("timeoutSeconds"), deadline))
    return cm[0]["data"] if cm else {}


def starts(work, name, data):
    """unroot serve starts with the configuration the ConfigMap holds."""
    folder = os.path.join(work, name)
    os.makedirs(folder, exist_ok=True)
    for k, v in data.items():
        with open(os.path.join(folder, k), "w") as f:
            f.write(v)
    srv = S.Server(os.path.join(folder, "srv"))
    srv.config = os.path.join(folder, "serve.yaml")
    try:
        srv.start()
        ok = srv.get("/readyz")[0] == 200
    except RuntimeError as e:
        ok = False
        print(e)
    finally:
        srv.stop()
    expect(ok, "%s: unroot serve starts with the ConfigMap's serve.yaml and unroot.yaml" % name)


def main():
    if yaml is None:
        print("FAIL: python3-yaml is needed (scripts/install-deps.sh --test)")
        return 1
    why = S.server_missing()
    work = tempfile.mkdtemp(prefix="unroot-deploy-")
    try:
        rc, found = lint(os.path.join(DEPLOY, "manifests"))
        expect(rc == 0 and not found, "deploy/manifests: unroot lint finds nothing on any "
               "platform %s" % found)
        for f in ("unroot-serve.yaml", "mutating.yaml", "cert-manager.yaml"):
            objs = objects(open(os.path.join(DEPLOY, "manifests", f)).read())
            expect(objs and all(o.get("apiVersion") and o.get("kind") and o.get(
                "metadata", {}).get("name") for o in objs),
                "deploy/manifests/%s: %d objects, each with apiVersion, kind and a name" % (
                    f, len(objs)))
        plain = objects(open(os.path.join(DEPLOY, "manifests", "unroot-serve.yaml")).read())
        data = check_shape("deploy/manifests", plain, "unroot")
        mut = objects(open(os.path.join(DEPLOY, "manifests", "mutating.yaml")).read())
        expect(mut[0]["webhooks"][0]["clientConfig"]["service"]["path"] == "/mutate",
               "deploy/manifests/mutating.yaml posts to /mutate")
        if not why:
            starts(work, "manifests", data)

        p = subprocess.run(["bash", os.path.join(S.SRC, "scripts", "install-tools-helm.sh")],
                           capture_output=True, text=True)
        helm = os.path.join(S.SRC, "tests", ".tools", "helm", "helm")
        if p.returncode != 0 or not os.access(helm, os.X_OK):
            print("SKIP: helm cannot be installed here: the chart is not checked")
            return 77 if not S.failures else 1
        env = dict(os.environ, HOME=work, XDG_CACHE_HOME=os.path.join(work, "c"),
                   XDG_CONFIG_HOME=os.path.join(work, "cfg"),
                   XDG_DATA_HOME=os.path.join(work, "d"))
        rc, found = lint("--helm", helm, CHART)
        expect(rc == 0 and not found, "the chart, read with its templates: nothing found %s"
               % found)
        for what, args in VARIANTS:
            p = subprocess.run([helm, "template", "rel", CHART, "-n", "unroot", *args],
                               capture_output=True, text=True, env=env, timeout=60)
            if not expect(p.returncode == 0, "helm template (%s) renders" % what):
                print(p.stderr)
                continue
            out = os.path.join(work, "rendered-%s.yaml" % what.replace(" ", "-"))
            with open(out, "w") as f:
                f.write(p.stdout)
            rc, found = lint("--type", "k8s", out)
            expect(rc == 0 and not found, "the chart rendered (%s): unroot lint finds nothing "
                   "on any platform %s" % (what, found))
            objs = objects(p.stdout)
            data = check_shape("chart (%s)" % what, objs, "unroot")
            if what == "defaults":
                expect(len(by_kind(objs, "Certificate")) == 2 and by_kind(objs, "Issuer"),
                       "chart: cert-manager's Issuers and Certificates by default")
                if not why:
                    starts(work, "chart", data)
            if what == "mutating webhook":
                expect(by_kind(objs, "MutatingWebhookConfiguration"),
                       "chart: webhook.mutate adds the MutatingWebhookConfiguration")
            if what == "a Secret made by hand":
                vwc = by_kind(objs, "ValidatingWebhookConfiguration")[0]
                vols = by_kind(objs, "Deployment")[0]["spec"]["template"]["spec"]["volumes"]
                expect(not by_kind(objs, "Certificate") and vwc["webhooks"][0][
                    "clientConfig"].get("caBundle") and any(v.get("secret", {}).get(
                        "secretName") == "serve-tls" for v in vols),
                    "chart: without cert-manager, the named Secret and the caBundle")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return S.summary()


if __name__ == "__main__":
    sys.exit(main())
