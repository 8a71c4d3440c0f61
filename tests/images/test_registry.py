#!/usr/bin/env python3
"""Images read from a real registry (Debian's docker-registry on loopback), pushed by skopeo:
the same findings as the same image read from its OCI folder, in OCI and Docker schema 2
formats, gzip and zstd layers, a multi-platform index picked with --arch/--os/--variant,
digests, `lint`, `simulate` and `--image PATTERN=REF`; then TLS with a test CA (--cert-dir,
--tls-verify=false), http_proxy, https_proxy and no_proxy, htpasswd Basic auth (--creds, auth files, Docker's config, a credential
helper), and token auth (anonymous and credentialed tokens, a token the registry refuses and
the client renews). Exits 77 where the tools are missing."""
import json
import os
import platform
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import servers  # noqa: E402
from mkimage import (D, F, Image, busybox_base, compress, config_json, oci_dir,  # noqa: E402
                     sha)

UNROOT = os.environ.get("UNROOT", "unroot")
failures = 0
checks = 0
ENV = dict(os.environ)


def run(*args, env=None, timeout=120):
    p = subprocess.run([UNROOT, *args], capture_output=True, text=True, timeout=timeout,
                       env=env or ENV)
    return p.returncode, p.stdout, p.stderr


def image(ref, *extra, env=None):
    rc, out, err = run("image", "--no-config", "-f", "json", *extra, ref, env=env)
    try:
        diags = json.loads(out)["diagnostics"]
    except (ValueError, KeyError):
        diags = [{"rule": "?", "message": out + err}]
    return rc, diags, err


def rules(diags):
    return sorted(d["rule"] for d in diags)


def said(diags):
    return " | ".join(d["message"] for d in diags)


def same_findings(a, b):
    key = lambda d: (d["rule"], d["message"].replace(d.get("path", ""), ""))  # noqa: E731
    return sorted(map(key, a)) == sorted(map(key, b))


def expect(cond, what):
    global failures, checks
    checks += 1
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures += 1


# An image with findings: a hard-coded uid whose files the group cannot reach.
BASE = busybox_base(real=False)
APP = [D("app", uid=3000, gid=3000, mode=0o755),
       F("app/run.sh", b"#!/bin/sh\necho hi\n", mode=0o750, uid=3000, gid=3000),
       F("app/app.conf", b"k=v\n", mode=0o640, uid=3000, gid=3000)]
HARD = Image([BASE, APP], user="3000", entrypoint=["/app/run.sh"], volumes=["/app"])


def host_arch():
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())


def multi_arch_layout(out):
    """An OCI layout whose one entry ("multi") is an index of three platforms. Each
    platform's image differs in its user, so the pick shows in the findings: amd64 runs as
    1001:0 (clean), arm64 has no USER (NR401), arm/v7 a name (NR403)."""
    blobs, manifests = {}, []
    layers_raw = [BASE if not isinstance(BASE, bytes) else BASE]
    img = Image([BASE, [D("app", uid=1001, mode=0o775)]])
    for arch, variant, user in (("amd64", None, "1001:0"), ("arm64", None, None),
                                ("arm", "v7", "app")):
        cfg = json.loads(config_json(img.raw, user=user, cmd=["sh"], arch=arch))
        if variant:
            cfg["variant"] = variant
        cfgb = json.dumps(cfg).encode()
        blobs[sha(cfgb)] = cfgb
        ls = []
        for raw in img.raw:
            b = compress(raw, "gzip")
            blobs[sha(b)] = b
            ls.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                       "digest": "sha256:" + sha(b), "size": len(b)})
        m = json.dumps({"schemaVersion": 2,
                        "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                   "digest": "sha256:" + sha(cfgb), "size": len(cfgb)},
                        "layers": ls}).encode()
        blobs[sha(m)] = m
        p = {"architecture": arch, "os": "linux"}
        if variant:
            p["variant"] = variant
        manifests.append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                          "digest": "sha256:" + sha(m), "size": len(m), "platform": p})
    del layers_raw
    idx = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                      "manifests": manifests}).encode()
    blobs[sha(idx)] = idx
    top = json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": "sha256:" + sha(idx),
         "size": len(idx), "annotations": {"org.opencontainers.image.ref.name": "multi"}}]})
    os.makedirs(os.path.join(out, "blobs", "sha256"))
    with open(os.path.join(out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion": "1.0.0"}')
    with open(os.path.join(out, "index.json"), "w") as f:
        f.write(top)
    for h, b in blobs.items():
        with open(os.path.join(out, "blobs", "sha256", h), "wb") as f:
            f.write(b)


def main():
    miss = servers.missing_tools("docker-registry", "skopeo", "openssl", "htpasswd", "zstd")
    if miss:
        print("SKIP: needs %s (scripts/install-deps.sh --test)" % ", ".join(miss))
        return 77
    rc, _, err = run("image", "--no-config", "docker://127.0.0.1:1/x:1")
    if "no unroot-fetch" in err or "no unroot-fetch" in _:
        print("SKIP: this unroot was built without unroot-fetch (libcurl)")
        return 77
    work = tempfile.mkdtemp(prefix="unroot-registry-")
    stoppers = []
    try:
        os.chdir(work)
        ENV["HOME"] = os.path.join(work, "home")
        os.makedirs(ENV["HOME"])
        for k in ("REGISTRY_AUTH_FILE", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "DOCKER_CONFIG"):
            ENV.pop(k, None)
        run_all(stoppers)
    finally:
        for s in reversed(stoppers):
            s.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("%d checks, %d failed" % (checks, failures))
    return 1 if failures else 0


def plain(stoppers):
    reg = servers.Registry(os.path.join(os.getcwd(), "plain"))
    stoppers.append(reg)
    oci_dir(HARD, "hard-gzip", "gzip")
    oci_dir(HARD, "hard-zstd", "zstd")
    multi_arch_layout("multi")
    r = reg.host
    servers.push("oci:hard-gzip:t", r + "/test/hard:gzip")
    servers.push("oci:hard-zstd:t", r + "/test/hard:zstd")
    servers.push("oci:hard-gzip:t", r + "/test/hard:v2s2", "--format", "v2s2")
    servers.push("oci:multi:multi", r + "/test/multi:1", "--all")
    servers.push("oci:multi:multi", r + "/test/multi:v2s2", "--all", "--format", "v2s2")

    _, want, _ = image("hard-gzip")
    expect(set(rules(want)) == {"NR404", "NR405", "NR406"},
           "the OCI folder gives its findings (%s)" % rules(want))
    for tag in ("gzip", "zstd", "v2s2"):
        for ref in ("docker://%s/test/hard:%s" % (r, tag), "%s/test/hard:%s" % (r, tag)):
            rc, got, _ = image(ref)
            expect(rc == 1 and same_findings(got, want),
                   "%s: the same findings as the OCI folder (%s)" % (ref, rules(got)))
    for d in image("docker://%s/test/hard:gzip" % r)[1]:
        expect(d["path"] == "docker://%s/test/hard:gzip" % r,
               "findings name the reference (%s)" % d["path"])
        break

    # Pinned by digest, and a digest that does not match.
    out = subprocess.run(["skopeo", "inspect", "--tls-verify=false", "--raw",
                          "docker://%s/test/hard:gzip" % r], capture_output=True).stdout
    digest = servers.sha256(out)
    rc, got, _ = image("%s/test/hard@%s" % (r, digest))
    expect(rc == 1 and same_findings(got, want), "REF@sha256 reads the pinned manifest")
    rc, got, _ = image("%s/test/hard:gzip@%s" % (r, digest))
    expect(rc == 1 and same_findings(got, want), "REF:TAG@sha256: the digest wins")
    other = "sha256:" + "0" * 64
    rc, got, _ = image("%s/test/hard@%s" % (r, other))
    expect(rc == 2 and "has no manifest " + other in said(got),
           "an unknown digest says so: %s" % said(got))

    # The platforms of an index (OCI index and Docker manifest list).
    for tag in ("1", "v2s2"):
        ref = "%s/test/multi:%s" % (r, tag)
        rc, got, err = image(ref, "--arch", "arm64")
        expect(rules(got) == ["NR401"] and "picked linux/arm64" in err,
               "%s --arch arm64 picks arm64 (%s; %s)" % (tag, rules(got), err.strip()))
        rc, got, _ = image(ref, "--arch", "arm", "--variant", "v7")
        expect(rules(got) == ["NR403"], "%s --arch arm --variant v7 (%s)" % (tag, rules(got)))
        rc, got, _ = image(ref, "--arch", "linux/arm/v7")
        expect(rules(got) == ["NR403"], "%s --arch linux/arm/v7 (%s)" % (tag, rules(got)))
        rc, got, _ = image(ref, "--arch", "amd64", "--os", "linux")
        expect(rc == 0 and rules(got) == [], "%s --os linux --arch amd64 (%s)" % (tag, rules(got)))
        rc, got, _ = image(ref, "--arch", "s390x")
        expect(rc == 2 and "has no image for s390x" in said(got) and "linux/arm/v7" in said(got),
               "%s: a platform it lacks lists the ones it has: %s" % (tag, said(got)))
        if host_arch() == "amd64":
            rc, got, _ = image(ref)
            expect(rc == 0 and rules(got) == [], "%s: the host's platform by default" % tag)

    # lint, simulate, and pairing a manifest with a reference.
    rc, out, _ = run("lint", "--no-config", "-f", "json", "%s/test/hard:gzip" % r)
    expect(rc == 1 and "NR404" in out, "unroot lint takes a reference")
    # The README's first example, `unroot simulate --platform openshift
    # docker.io/library/nginx:1.27`, on a registry of our own: the same path, a library/ name.
    servers.push("oci:hard-gzip:t", r + "/library/nginx:1.27")
    rc, out, _ = run("simulate", "--no-config", "-f", "json", "--platform", "openshift",
                     "%s/library/nginx:1.27" % r)
    res = json.loads(out)["results"] if out.startswith("{") else []
    expect(rc == 1 and len(res) == 1 and res[0]["uid"]["id"] == 1000680000
           and res[0]["platform"] == "openshift",
           "unroot simulate --platform openshift REG/library/nginx:1.27 (%d)" % rc)
    rc, out, _ = run("simulate", "--no-config", "--platform", "openshift",
                     "%s/library/nginx:1.27" % r)
    expect(rc == 1 and "1000680000" in out and "/app/run.sh" in out,
           "the text report names the uid and the entrypoint it cannot run")
    # fix --from-image pins FROM to the digest of what it read: the tag's manifest, or the index
    # a platform was picked from
    for ref, extra in (("%s/library/nginx:1.27" % r, ()), ("%s/test/multi:1" % r,
                                                           ("--arch", "amd64"))):
        raw = subprocess.run(["skopeo", "inspect", "--tls-verify=false", "--raw",
                              "docker://" + ref], capture_output=True).stdout
        rc, out, _ = run("fix", "--no-config", "-q", *extra, "--from-image", ref)
        want = "FROM %s@%s\n" % (ref, servers.sha256(raw))
        expect(rc == 0 and want in out, "fix --from-image %s writes %r:\n%s" % (ref, want, out))
    rc, out, _ = run("fix", "--no-config", "-q", "--from-image", "docker://%s/library/nginx:1.27"
                     % r)
    expect(rc == 0 and "FROM %s/library/nginx:1.27@sha256:" % r in out,
           "fix --from-image docker://REF drops the transport in FROM:\n%s" % out)
    with open("deploy.yaml", "w") as f:
        f.write("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
                "  securityContext: {runAsNonRoot: true}\n"
                "  containers:\n  - name: app\n    image: example.com/team/app:2\n")
    rc, out, _ = run("lint", "--no-config", "-f", "json", "--image",
                     "example.com/team/app=%s/test/multi:1" % r, "--arch", "arm64", "deploy.yaml")
    expect("NR209" in out, "--image PATTERN=REF pairs a registry image (arm64 runs as root)")
    return reg


def tls(stoppers):
    ca, crt, key = servers.make_ca(os.path.join(os.getcwd(), "ca"))
    reg = servers.Registry(os.path.join(os.getcwd(), "tls"), tls=(crt, key), access_log=True)
    stoppers.append(reg)
    certs = os.path.join(os.getcwd(), "certs")
    os.makedirs(certs)
    shutil.copy(ca, os.path.join(certs, "ca.crt"))
    servers.push("oci:hard-gzip:t", reg.host + "/test/hard:1", cert_dir=certs)
    ref = reg.host + "/test/hard:1"
    rc, got, _ = image(ref)
    expect(rc == 2 and "not trusted" in said(got) and "--cert-dir" in said(got),
           "an unknown CA names --cert-dir: %s" % said(got))
    rc, got, _ = image(ref, "--cert-dir", certs)
    expect(rc == 1 and "NR404" in rules(got), "--cert-dir with the test CA (%s)" % rules(got))
    rc, got, _ = image(ref, "--tls-verify=false")
    expect(rc == 1 and "NR404" in rules(got), "--tls-verify=false (%s)" % rules(got))
    # The access log's lines: 127.0.0.1 - - [date] "GET /v2/... HTTP/2.0" 200 N "" "unroot"
    with open(reg.log.name) as f:
        lines = [ln.split('"') for ln in f if ln.rstrip().endswith('"unroot"')]
    protos = sorted({ln[1].split()[-1] for ln in lines})
    expect(lines and protos == ["HTTP/2.0"],
           "over TLS, the registry is spoken to in HTTP/2 (%d requests: %s)"
           % (len(lines), protos))

    # https_proxy from the environment: a name that resolves nowhere reaches the registry
    # only through the proxy's tunnel.
    px = servers.ConnectProxy({"registry.unroot.invalid:443": reg.host})
    stoppers.append(px)
    far = "registry.unroot.invalid/test/hard:1"
    env = {k: v for k, v in ENV.items() if k.lower() not in ("no_proxy", "https_proxy",
                                                                "http_proxy", "all_proxy")}
    rc, got, _ = image(far, "--tls-verify=false", env=env)
    expect(rc == 2 and "cannot find the host 'registry.unroot.invalid'" in said(got),
           "without a proxy the name is not found: %s" % said(got))
    rc, got, _ = image(far, "--tls-verify=false", env=dict(env, https_proxy=px.url))
    expect(rc == 1 and "NR404" in rules(got) and
           set(px.targets) == {"registry.unroot.invalid:443"},
           "https_proxy from the environment is used (%s; tunnels to %s)"
           % (rules(got), sorted(set(map(str, px.targets)))))


def proxies(stoppers, reg):
    """http_proxy and no_proxy from the environment, with a registry that speaks plain HTTP
    (--tls-verify=false) under a name that resolves nowhere: only the proxy reaches it. The
    TLS probe goes through https_proxy's tunnel and finds plain HTTP; every request after it
    goes to http_proxy with its whole URL."""
    far = "registry.unroot.invalid:5000"
    px = servers.ForwardProxy({far: reg.host})
    stoppers.append(px)
    env = {k: v for k, v in ENV.items() if k.lower() not in ("no_proxy", "https_proxy",
                                                                "http_proxy", "all_proxy")}
    ref = far + "/test/hard:gzip"
    rc, want, _ = image(reg.host + "/test/hard:gzip", "--no-cache", env=env)
    proxied = dict(env, http_proxy=px.url, https_proxy=px.url)
    rc, got, _ = image(ref, "--no-cache", "--tls-verify=false", env=proxied)
    plain = [s for s in px.seen if s.startswith("GET http://%s/v2/" % far)]
    expect(rc == 1 and same_findings(got, want) and
           any("/manifests/gzip" in s for s in plain) and
           sum("/blobs/sha256:" in s for s in plain) == 3,
           "a plain-HTTP registry through http_proxy: the same findings, its manifest and 3 "
           "blobs asked of the proxy by URL (%s; %d requests: %s)"
           % (rules(got), len(px.seen), sorted({s.split("/v2/")[0] for s in px.seen})))
    for var in ("no_proxy", "NO_PROXY"):
        px.seen.clear()
        rc, got, _ = image(ref, "--no-cache", "--tls-verify=false",
                           env=dict(proxied, **{var: "example.com,registry.unroot.invalid"}))
        expect(rc == 2 and "cannot find the host 'registry.unroot.invalid'" in said(got)
               and px.seen == [],
               "%s naming the registry: it is asked directly, the proxy sees nothing (%s): %s"
               % (var, px.seen, said(got)))
    px.seen.clear()
    rc, got, _ = image(ref, "--no-cache", "--tls-verify=false",
                       env=dict(proxied, no_proxy=".invalid"))
    expect(rc == 2 and px.seen == [], "no_proxy=.invalid covers the names under it (%s)"
           % px.seen)
    px.seen.clear()
    rc, got, _ = image(reg.host + "/test/hard:gzip", "--no-cache", env=proxied)
    expect(rc == 1 and same_findings(got, want) and px.seen == [],
           "a loopback registry is never proxied, no_proxy or not, as Docker's and Podman's "
           "clients do (%s)" % px.seen)


def basic(stoppers):
    pw = servers.htpasswd_file(os.path.join(os.getcwd(), "htpasswd"), "alice", "s3cret")
    reg = servers.Registry(os.path.join(os.getcwd(), "basic"), htpasswd=pw)
    stoppers.append(reg)
    servers.push("oci:hard-gzip:t", reg.host + "/test/hard:1", creds="alice:s3cret")
    ref = reg.host + "/test/hard:1"
    rc, got, _ = image(ref)
    expect(rc == 2 and "podman login " + reg.host in said(got) and "--creds" in said(got),
           "no credentials: how to log in: %s" % said(got))
    rc, got, _ = image(ref, "--creds", "alice:s3cret")
    expect(rc == 1 and "NR404" in rules(got), "--creds (%s)" % rules(got))
    rc, got, _ = image(ref, "--creds", "alice:wrong")
    expect(rc == 2 and "refused" in said(got) and "--creds" in said(got),
           "wrong --creds are refused: %s" % said(got))

    auth = lambda u, p: {"auth": __import__("base64").b64encode(  # noqa: E731
        ("%s:%s" % (u, p)).encode()).decode()}
    env = dict(ENV)
    path = os.path.join(os.getcwd(), "auth.json")
    with open(path, "w") as f:
        json.dump({"auths": {reg.host: auth("alice", "s3cret")}}, f)
    env["REGISTRY_AUTH_FILE"] = path
    rc, got, _ = image(ref, env=env)
    expect(rc == 1 and "NR404" in rules(got), "$REGISTRY_AUTH_FILE (%s)" % rules(got))

    env = dict(ENV)
    env["XDG_RUNTIME_DIR"] = os.path.join(os.getcwd(), "run")
    os.makedirs(os.path.join(env["XDG_RUNTIME_DIR"], "containers"))
    with open(os.path.join(env["XDG_RUNTIME_DIR"], "containers", "auth.json"), "w") as f:
        json.dump({"auths": {reg.host + "/test": auth("alice", "s3cret"),
                             reg.host: auth("alice", "wrong")}}, f)
    rc, got, _ = image(ref, env=env)
    expect(rc == 1 and "NR404" in rules(got),
           "${XDG_RUNTIME_DIR}/containers/auth.json, the repository's key first (%s)"
           % rules(got))

    home = ENV["HOME"]
    os.makedirs(os.path.join(home, ".docker"), exist_ok=True)
    with open(os.path.join(home, ".docker", "config.json"), "w") as f:
        json.dump({"auths": {"http://" + reg.host: auth("alice", "s3cret")}}, f)
    rc, got, _ = image(ref)
    expect(rc == 1 and "NR404" in rules(got), "~/.docker/config.json auths (%s)" % rules(got))

    # A credential helper, as Docker's config names one.
    bindir = os.path.join(os.getcwd(), "bin")
    os.makedirs(bindir)
    helper = os.path.join(bindir, "docker-credential-unroottest")
    asked = os.path.join(os.getcwd(), "helper-asked")
    with open(helper, "w") as f:
        f.write("#!/bin/sh\n[ \"$1\" = get ] || exit 1\ncat > %s\n"
                "echo '{\"ServerURL\":\"x\",\"Username\":\"alice\",\"Secret\":\"s3cret\"}'\n"
                % asked)
    os.chmod(helper, 0o755)
    for key in ("credHelpers", "credsStore"):
        with open(os.path.join(home, ".docker", "config.json"), "w") as f:
            json.dump({key: {reg.host: "unroottest"} if key == "credHelpers" else "unroottest"},
                      f)
        env = dict(ENV)
        env["PATH"] = bindir + ":" + env["PATH"]
        rc, got, _ = image(ref, env=env)
        server = open(asked).read() if os.path.exists(asked) else ""
        expect(rc == 1 and "NR404" in rules(got) and server == reg.host,
               "%s: docker-credential-unroottest get, asked for %s (%s)"
               % (key, server, rules(got)))
    with open(os.path.join(home, ".docker", "config.json"), "w") as f:
        json.dump({"credsStore": "missinghelper"}, f)
    rc, got, _ = image(ref)
    expect(rc == 2 and "docker-credential-missinghelper" in said(got),
           "a credential helper that is not installed is named: %s" % said(got))
    os.remove(os.path.join(home, ".docker", "config.json"))


def token(stoppers):
    tdir = os.path.join(os.getcwd(), "token")
    ts = servers.TokenServer(tdir, "unroot-test-registry", "unroot-test-issuer",
                             {"bob": "hunter2"})
    stoppers.append(ts)
    reg = servers.Registry(tdir, token={"realm": ts.realm, "service": "unroot-test-registry",
                                        "issuer": "unroot-test-issuer",
                                        "rootcertbundle": ts.cert})
    stoppers.append(reg)
    servers.push("oci:hard-gzip:t", reg.host + "/public/hard:1", creds="bob:hunter2")
    servers.push("oci:hard-gzip:t", reg.host + "/private/hard:1", creds="bob:hunter2")
    ts.requests.clear()
    ts.bad_first = True
    rc, got, _ = image(reg.host + "/public/hard:1")
    anon = [q for q in ts.requests if q["scope"] == "repository:public/hard:pull"]
    expect(rc == 1 and "NR404" in rules(got) and all(q["user"] is None for q in anon),
           "an anonymous token for repository:public/hard:pull (%s)" % rules(got))
    expect(len(anon) >= 2, "the token the registry refused was renewed (%d token requests)"
           % len(anon))
    expect(all(q["service"] == ["unroot-test-registry"] for q in anon),
           "tokens are asked for the registry's service")
    ts.bad_first = False

    # A token is renewed when its expires_in runs out, before the registry refuses it (the
    # tokens themselves stay valid 600 s): tokens said to last 2 s are renewed after 1 s, so
    # with the manifest's answer held back 1.5 s the blobs after it need a new token, and no
    # request but the /v2/ probe meets a 401.
    ts.requests.clear()
    ts.lifetime = 2
    px = servers.FaultProxy(reg.host, [{"match": "manifests/1", "do": "delay",
                                        "seconds": 1.5}])
    stoppers.append(px)
    rc, got, _ = image(px.host + "/public/hard:1", "--no-cache")  # every blob on the wire
    ts.lifetime = 300
    refused = [line for line, st in px.answered if st == 401 and line != "GET /v2/"]
    expect(rc == 1 and "NR404" in rules(got) and len(ts.requests) == 2 and not refused,
           "a token past its expires_in is renewed before it is used (%d token requests; "
           "401 for %s)" % (len(ts.requests), refused or "none but the probe"))

    rc, got, _ = image(reg.host + "/private/hard:1")
    expect(rc == 2 and "wants credentials" in said(got) and "podman login" in said(got),
           "a private repository without credentials: %s" % said(got))
    ts.requests.clear()
    rc, got, _ = image(reg.host + "/private/hard:1", "--creds", "bob:hunter2")
    expect(rc == 1 and "NR404" in rules(got) and ts.requests
           and ts.requests[-1]["user"] == "bob",
           "a credentialed token for the private repository (%s)" % rules(got))
    rc, got, _ = image(reg.host + "/private/hard:1", "--creds", "bob:nope")
    expect(rc == 2 and "refused the credentials from --creds" in said(got),
           "credentials the token server refuses: %s" % said(got))


def run_all(stoppers):
    proxies(stoppers, plain(stoppers))
    tls(stoppers)
    basic(stoppers)
    token(stoppers)


if __name__ == "__main__":
    sys.exit(main())
