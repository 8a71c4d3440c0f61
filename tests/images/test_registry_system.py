#!/usr/bin/env python3
"""What needs the machine's own configuration, tested in a private user, network and mount
namespace (unshare -rnm) where the test may change it without touching the host's:

- the system CA store: the CA bundle libcurl was built to read (curl-config --ca) is replaced,
  by a bind mount, with the host's bundle plus a test CA. Without --cert-dir, a registry whose
  certificate that CA signed is trusted; before the mount, and for a registry whose CA is in no
  store, the read fails with the certificate problem and the flags that fix it named.
- Docker Hub's names: /etc/hosts, bind-mounted, sends registry-1.docker.io to 127.0.0.1, where
  a registry listens on port 443 with a certificate for that name and token auth, its realm a
  test token server. `docker.io/library/x:1`, `docker://docker.io/library/x:1`, `x:1` and `x`
  must read the image pushed as library/x, asking the token server for
  repository:library/x:pull.

Skips (exit 77) with the reason printed where the namespaces cannot be made (unprivileged
user namespaces turned off, or a container that forbids them) or the tools are missing."""
import fcntl
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import servers  # noqa: E402
from mkimage import D, F, Image, busybox_base, oci_dir  # noqa: E402

UNROOT = os.environ.get("UNROOT", "unroot")
failures = 0
checks = 0
ENV = dict(os.environ)

BASE = busybox_base(real=False)
APP = [D("app", uid=3000, gid=3000, mode=0o755),
       F("app/run.sh", b"#!/bin/sh\necho hi\n", mode=0o750, uid=3000, gid=3000)]
HARD = Image([BASE, APP], user="3000", entrypoint=["/app/run.sh"])


def expect(cond, what):
    global failures, checks
    checks += 1
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures += 1


def image(ref, *extra):
    # --no-cache: every read goes to the wire, so each one meets the TLS check.
    p = subprocess.run([UNROOT, "image", "--no-config", "--no-cache", "-f", "json", *extra, ref],
                       capture_output=True, text=True, timeout=120, env=ENV)
    try:
        diags = json.loads(p.stdout)["diagnostics"]
    except (ValueError, KeyError):
        diags = [{"rule": "?", "message": p.stdout + p.stderr}]
    return p.returncode, diags


def said(diags):
    return " | ".join(d["message"] for d in diags)


def rules(diags):
    return sorted(d["rule"] for d in diags)


def ca_bundle():
    """The CA bundle libcurl reads by default, as its build says."""
    try:
        out = subprocess.run(["curl-config", "--ca"], capture_output=True, text=True).stdout
    except OSError:
        out = ""
    return out.strip() or "/etc/ssl/certs/ca-certificates.crt"


def lo_up():
    """Brings up lo in the new network namespace (ioctl SIOCGIFFLAGS / SIOCSIFFLAGS)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    flags = struct.unpack("16sH", fcntl.ioctl(s, 0x8913, struct.pack("16sH", b"lo", 0)))[1]
    fcntl.ioctl(s, 0x8914, struct.pack("16sH", b"lo", flags | 1))
    s.close()


def bind(src, dest):
    subprocess.run(["mount", "--bind", src, dest], check=True, capture_output=True)


def inside(work):
    """Runs in the namespaces: root there, alone on its loopback, its own mounts."""
    os.chdir(work)
    lo_up()
    with open("hosts", "w") as f:
        f.write("127.0.0.1 localhost registry-1.docker.io registry.unroot.test\n")
    bind(os.path.abspath("hosts"), "/etc/hosts")
    stoppers = []
    try:
        run_inside(stoppers)
    finally:
        for s in reversed(stoppers):
            s.stop()
    print("%d checks, %d failed" % (checks, failures))
    return 1 if failures else 0


def run_inside(stoppers):
    ca, crt, key = servers.make_ca(os.path.abspath("ca-hub"), "DNS:registry-1.docker.io")
    other_ca, other_crt, other_key = servers.make_ca(os.path.abspath("ca-other"),
                                                     "DNS:registry.unroot.test")
    ts = servers.TokenServer(os.path.abspath("token"), "registry.docker.io",
                             "unroot-test-issuer", {})
    stoppers.append(ts)
    hub = servers.Registry(os.path.abspath("hub"), tls=(crt, key), port=443, access_log=True,
                           token={"realm": ts.realm, "service": "registry.docker.io",
                                  "issuer": "unroot-test-issuer", "rootcertbundle": ts.cert})
    stoppers.append(hub)
    # The same storage behind a certificate from a CA that no store holds.
    other = servers.Registry(os.path.abspath("other"), tls=(other_crt, other_key),
                             data=hub.data)
    stoppers.append(other)
    oci_dir(HARD, "hard", "gzip")
    for tag in ("1", "latest"):
        servers.push("oci:hard:t", "127.0.0.1:443/library/x:" + tag)
    rc, want = image("oci:hard:t")
    expect(rc == 1 and "NR404" in rules(want), "the image from its folder (%s)" % rules(want))

    # Docker Hub's names, its CA given with --cert-dir; the system store does not have it.
    certs = os.path.abspath("certs")
    os.makedirs(certs)
    shutil.copy(ca, os.path.join(certs, "ca.crt"))
    rc, got = image("docker.io/library/x:1")
    expect(rc == 2 and "certificate" in said(got) and "--cert-dir" in said(got)
           and "--tls-verify=false" in said(got),
           "a CA the system store lacks: the certificate problem and the flags are named: %s"
           % said(got))
    for ref in ("docker.io/library/x:1", "docker://docker.io/library/x:1"):
        ts.requests.clear()
        rc, got = image(ref, "--cert-dir", certs)
        expect(rc == 1 and rules(got) == rules(want) and
               [q["scope"] for q in ts.requests] == ["repository:library/x:pull"] and
               all(q["service"] == ["registry.docker.io"] for q in ts.requests),
               "%s: registry-1.docker.io, a token for %s from the realm the registry names "
               "(%s)" % (ref, [q["scope"] for q in ts.requests], rules(got)))

    # The system store, as libcurl reads it, with the test CA added.
    bundle = ca_bundle()
    with open(bundle, "rb") as f:
        system = f.read()
    with open(ca, "rb") as f:
        test_ca = f.read()
    with open("bundle.crt", "wb") as f:
        f.write(system + b"\n" + test_ca)
    bind(os.path.abspath("bundle.crt"), bundle)
    for ref in ("x:1", "x", "docker.io/library/x:1"):
        ts.requests.clear()
        rc, got = image(ref)
        expect(rc == 1 and rules(got) == rules(want) and
               [q["scope"] for q in ts.requests] == ["repository:library/x:pull"],
               "%s, no --cert-dir: trusted through the system CA store (%s) and read as "
               "library/x (%s)" % (ref, bundle, rules(got)))
    rc, got = image("registry.unroot.test:%d/library/x:1" % other.port)
    expect(rc == 2 and "not trusted" in said(got) and "certificate" in said(got)
           and "--cert-dir" in said(got),
           "a registry whose CA is in no store still fails: %s" % said(got))
    with open(hub.log.name) as f:
        paths = {ln.split('"')[1].split()[1] for ln in f if '"unroot"' in ln}
    expect("/v2/library/x/manifests/1" in paths and "/v2/library/x/manifests/latest" in paths,
           "the registry was asked for library/x:1 and library/x:latest (%s)"
           % sorted(p for p in paths if "manifests" in p))


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--inside":
        return inside(sys.argv[2])
    miss = servers.missing_tools("docker-registry", "skopeo", "openssl", "unshare", "mount")
    if miss:
        print("SKIP: needs %s (scripts/install-deps.sh --test)" % ", ".join(miss))
        return 77
    p = subprocess.run([UNROOT, "image", "--no-config", "docker://127.0.0.1:1/x:1"],
                       capture_output=True, text=True)
    if "no unroot-fetch" in p.stdout + p.stderr:
        print("SKIP: this unroot was built without unroot-fetch (libcurl)")
        return 77
    probe = subprocess.run(["unshare", "-rnm", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        print("SKIP: cannot make a user, network and mount namespace here (unshare -rnm: %s); "
              "the system CA store and Docker Hub's names are not tested"
              % (probe.stderr.strip() or "exit %d" % probe.returncode))
        return 77
    work = tempfile.mkdtemp(prefix="unroot-system-")
    try:
        home = os.path.join(work, "home")
        os.makedirs(home)
        env = {k: v for k, v in os.environ.items()
               if k.lower() not in ("no_proxy", "https_proxy", "http_proxy", "all_proxy",
                                    "registry_auth_file", "xdg_runtime_dir", "xdg_config_home",
                                    "docker_config")}
        env.update(HOME=home, XDG_CACHE_HOME=os.path.join(work, "cache"))
        p = subprocess.run(["unshare", "-rnm", sys.executable, os.path.abspath(__file__),
                            "--inside", work], env=env, timeout=240)
        return p.returncode
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
