#!/usr/bin/env python3
"""unroot serve with image checks: each container's image is read from its registry (a
small registry in this process, on loopback) and simulate's access checks run on it.

- the verdict is `unroot lint --pull`'s and `unroot simulate --pull`'s on the same object;
- a second review of the same image is a cache hit, counted in /metrics;
- an image whose registry hangs: the review is answered at the deadline, as the failure
  mode says (allow with a warning, or deny), the server serves others meanwhile, and the
  read goes on in the background: once it is in, the next review is judged with it;
- a registry that is down: a pull error, counted, and the failure mode;
- the in-memory cache is bounded (images.cache-size), least recently used out first.
Exits 77 when this unroot has no server or no registry client."""
import json
import os
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "images"))
import serve_lib as S  # noqa: E402
from mkimage import D, F, Image, busybox_base  # noqa: E402
from registry import Registry  # noqa: E402
from serve_lib import GOOD_POD_SC, GOOD_SC, container, expect, pod_spec, wrap  # noqa: E402

# Built for an arbitrary uid in group 0: files root:0, the app folder g=u.
OPEN = Image([busybox_base(real=False) + [
    D("app", uid=1001, gid=0, mode=0o775),
    F("app/run.sh", b"#!/bin/sh\nexec sleep 1\n", mode=0o755)]],
    user="1001:0", entrypoint=["/app/run.sh"])
# Only its own user can start it: the entrypoint is 0700, owned by 1001:1001.
CLOSED = Image([busybox_base(real=False) + [
    D("app", uid=1001, gid=1001, mode=0o700),
    F("app/run.sh", b"#!/bin/sh\nexec sleep 1\n", mode=0o700, uid=1001, gid=1001)]],
    user="1001", entrypoint=["/app/run.sh"])


def deployment(image, sc=None, pod_sc=None, name="web"):
    return wrap("Deployment", pod_spec([container(image=image, sc=sc or GOOD_SC)],
                                       pod_sc if pod_sc is not None else GOOD_POD_SC),
                name=name)


def cli(env, obj, platform, work):
    """`unroot lint --pull` and `unroot simulate --pull` on a file holding obj."""
    path = os.path.join(work, "obj-%d.json" % time.monotonic_ns())
    with open(path, "w") as f:
        json.dump(obj, f)
    p = subprocess.run([S.UNROOT, "lint", "--no-config", "--pull", "-f", "json", "--platform",
                        platform, path], capture_output=True, text=True, env=env, timeout=120)
    lint = sorted((d["rule"], d["severity"]) for d in json.loads(p.stdout)["diagnostics"])
    p = subprocess.run([S.UNROOT, "simulate", "--no-config", "--pull", "--platform", platform,
                        path], capture_output=True, text=True, env=env, timeout=120)
    return lint, p.returncode == 1


def listed(r):
    import re
    got = []
    for line in r.get("status", {}).get("message", "").split("\n"):
        m = re.match(r"- (\S+) \((\w+)\)", line)
        if m:
            got.append((m.group(1), m.group(2)))
    for w in r.get("warnings", []):
        m = re.match(r"(\S+) \((\w+)\)", w)
        if m:
            got.append((m.group(1), m.group(2)))
    return got


def parity_and_cache(work, reg):
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache-srv"))
    cfg = "drain-delay: 0s\nplatform: %s\nimages:\n  check: true\n  deadline: 8s\n"
    for platform in ("kubernetes", "openshift"):
        srv = S.Server(os.path.join(work, "p-" + platform), config=cfg % platform, env=env)
        srv.start()
        cli_env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache-cli"),
                       HOME=work)
        try:
            cases = [
                ("an image built for any uid", deployment(reg.host + "/team/open:1")),
                ("an image only its own user can start",
                 deployment(reg.host + "/team/closed:1")),
                ("runAsUser 5000 on an image whose files belong to 1001",
                 deployment(reg.host + "/team/closed:1", dict(GOOD_SC, runAsUser=5000))),
                ("runAsUser 5000 on an image built for any uid",
                 deployment(reg.host + "/team/open:1", dict(GOOD_SC, runAsUser=5000))),
            ]
            for what, obj in cases:
                t0 = time.time()
                _, r = srv.review(obj)
                took = time.time() - t0
                lint, breaks = cli(cli_env, obj, platform, work)
                want_deny = breaks or any(s == "error" for _, s in lint)
                got = sorted(f for f in listed(r) if f[0].startswith("NR"))
                expect(r["allowed"] == (not want_deny) and got == lint and
                       (("simulate", "error") in listed(r)) == breaks,
                       "%s, %s: %s in %.2f s, as lint --pull and simulate --pull say (%s%s)" %
                       (platform, what, "allowed" if r["allowed"] else "denied", took, lint,
                        ", breaks" if breaks else ""))
            hits0 = srv.metrics().get("unroot_image_cache_hits_total", 0)
            t0 = time.time()
            _, r = srv.review(cases[1][1])
            m = srv.metrics()
            expect(m.get("unroot_image_cache_hits_total", 0) == hits0 + 1,
                   "%s: the same image again is a cache hit (%.3f s)" % (platform,
                                                                        time.time() - t0))
            expect(m.get("unroot_images_cached") == 2 and m.get("unroot_image_scans_total")
                   == 2, "%s: two images read, two held in memory" % platform)
        finally:
            srv.stop()
    # Both platforms' servers shared one layer cache on disk: the second read its layers.
    layers = os.path.join(work, "cache-srv", "unroot", "layers")
    expect(os.path.isdir(layers) and len(os.listdir(layers)) >= 2,
           "the layer cache on disk is filled (%d files)" %
           (len(os.listdir(layers)) if os.path.isdir(layers) else 0))


def deadlines(work, reg, hanging, slow):
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache-dl"))
    cfg = ("drain-delay: 0s\nimages:\n  check: true\n  deadline: 1500ms\n  failure: %s\n"
           "  timeout: 2s\n  retries: 0\n  retry: 1m\n")
    srv = S.Server(os.path.join(work, "allow"), config=cfg % "allow", env=env).start()
    try:
        results = {}

        def slow_review():
            t0 = time.time()
            results["r"] = srv.review(deployment(hanging.host + "/team/app:1"))[1]
            results["t"] = time.time() - t0

        th = threading.Thread(target=slow_review)
        th.start()
        time.sleep(0.3)
        t0 = time.time()
        _, r = srv.review(deployment(reg.host + "/team/open:1"))
        quick = time.time() - t0
        th.join(20)
        r = results.get("r", {})
        expect(quick < 1.2 and r, "while a review waits on a hanging registry, another is "
               "answered (%.2f s)" % quick)
        warn = [w for w in r.get("warnings", []) if "was not checked" in w]
        expect(r.get("allowed") is True and warn and 1.4 < results.get("t", 0) < 3,
               "a hanging registry: answered at the 1.5 s deadline (%.2f s), allowed with a "
               "warning (failure: allow): %s" % (results.get("t", 0), warn[:1]))
        m = srv.metrics()
        expect(m.get("unroot_image_deadline_passed_total") == 1,
               "/metrics counts the review answered at its deadline")
        # The read runs on in the background and fails at the registry timeout (2 s, for
        # TLS first and then plain HTTP, as for any loopback registry).
        t0 = time.time()
        while time.time() - t0 < 10 and not srv.metrics().get(
                "unroot_image_pull_errors_total", 0):
            time.sleep(0.2)
        m = srv.metrics()
        expect(m.get("unroot_image_pull_errors_total", 0) >= 1,
               "the hanging read ends at images.timeout, a pull error on /metrics")
        t0 = time.time()
        _, r = srv.review(deployment(hanging.host + "/team/app:1"))
        expect(r["allowed"] and time.time() - t0 < 1 and any(
            "not checked" in w for w in r.get("warnings", [])),
            "until images.retry, a failed image is answered at once: %s" %
            [w[:100] for w in r.get("warnings", []) if "not checked" in w])
        # A registry that is down.
        _, r = srv.review(deployment("127.0.0.1:1/team/app:1"))
        t0 = time.time()
        while time.time() - t0 < 5 and srv.metrics().get(
                "unroot_image_pull_errors_total", 0) < 2:
            time.sleep(0.1)
        expect(srv.metrics().get("unroot_image_pull_errors_total", 0) >= 2,
               "a registry that is down: a pull error")
        # A slow registry: past the deadline the first time, read in the background, and
        # the next review is judged with the image.
        t0 = time.time()
        _, r = srv.review(deployment(slow.host + "/team/closed:1", dict(GOOD_SC,
                                                                        runAsUser=5000)))
        first = time.time() - t0
        expect(r["allowed"] and any("was not checked" in w for w in r.get("warnings", [])),
               "a slow registry: the first review goes by at the deadline (%.2f s)" % first)
        deadline = time.time() + 15
        while time.time() < deadline and srv.metrics().get("unroot_images_cached", 0) < 2:
            time.sleep(0.2)
        _, r = srv.review(deployment(slow.host + "/team/closed:1", dict(GOOD_SC,
                                                                        runAsUser=5000)))
        expect(not r["allowed"] and "breaks on kubernetes" in r["status"]["message"] and
               any(w.startswith("NR207") for w in r.get("warnings", [])),
               "the image was read in the background: the next review is judged with it (%s)"
               % (r.get("warnings") if r["allowed"] else "denied"))
    finally:
        srv.stop()
    srv = S.Server(os.path.join(work, "deny"), config=cfg % "deny", env=env).start()
    try:
        t0 = time.time()
        _, r = srv.review(deployment(hanging.host + "/team/other:1"))
        expect(not r["allowed"] and "images.failure is deny" in r["status"]["message"],
               "failure: deny: the same hanging registry denies at the deadline (%.2f s)" %
               (time.time() - t0))
    finally:
        srv.stop()


def bounded(work, reg):
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache-b"))
    cfg = "drain-delay: 0s\nimages:\n  check: true\n  cache-size: 2\n"
    srv = S.Server(os.path.join(work, "bounded"), config=cfg, env=env).start()
    try:
        for tag in ("1", "2", "3", "1"):
            srv.review(deployment(reg.host + "/team/open:" + tag))
        m = srv.metrics()
        expect(m.get("unroot_images_cached") == 2 and m.get("unroot_image_scans_total") == 4,
               "cache-size 2: three images, the least recently used read again (%d reads)" %
               m.get("unroot_image_scans_total", 0))
    finally:
        srv.stop()


def main():
    why = S.server_missing()
    if why:
        print("SKIP: %s" % why)
        return 77
    p = subprocess.run([S.UNROOT, "image", "--no-config", "docker://127.0.0.1:1/x:1"],
                       capture_output=True, text=True)
    if "no unroot-fetch" in p.stdout + p.stderr:
        print("SKIP: this unroot was built without unroot-fetch (libcurl)")
        return 77
    work = S.workdir("unroot-serve-images-")
    images = {("team/open", t): OPEN for t in ("1", "2", "3")}
    images[("team/closed", "1")] = CLOSED
    reg = Registry(images)
    hanging = Registry({}, hang=True)
    slow = Registry(images, slow=True)
    try:
        parity_and_cache(work, reg)
        deadlines(work, reg, hanging, slow)
        bounded(work, reg)
    finally:
        for r in (reg, hanging, slow):
            r.stop()
        shutil.rmtree(work, ignore_errors=True)
    return S.summary()


if __name__ == "__main__":
    sys.exit(main())
