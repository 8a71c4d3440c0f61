#!/usr/bin/env python3
"""unroot fix against reality: Dockerfiles in the shape of common mistakes, and real
projects' Dockerfiles trimmed to what builds offline on a busybox base (each names its source),
built with buildah before and after `unroot fix --write`, and images fixed with `unroot fix
--from-image`, whose derived Dockerfile is built on top of them. Each image is unpacked and its
entrypoint run as OpenShift runs it (chroot --userspec=1000680000:0 --groups=0 in fresh
namespaces), and, where podman runs here, with `podman run --user 1000680000:0` too. What
failed before must work after, and `unroot simulate --platform openshift` must have predicted
both. Exits 77 (skipped) where the tools or root are missing; without a working podman only the
podman part is skipped, with the reason printed."""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import groundtruth  # noqa: E402
from test_built import buildah_workspace, sh  # noqa: E402

UNROOT = os.environ.get("UNROOT", "unroot")
TOOLS = ["buildah", "skopeo", "umoci", "unshare", "chroot"]
APPLETS = ("sh", "ls", "id", "cat", "touch", "mkdir", "chmod", "chown", "chgrp", "cp",
           "printf", "echo", "rm", "ln", "setpriv", "test", "[", "env")

RUN_SH = "#!/bin/sh\\nset -e\\n"

# name: (where its shape comes from, Dockerfile after FROM, what the entrypoint does). The
# entrypoint is /run.sh (the action) unless the Dockerfile names its own.
CASES = {
    # Data folders given to the app's uid and its own group (chown -R uid:uid), the pattern
    # of many official images' data volumes (e.g. a database's /var/lib/NAME).
    "chown-data": ("database images' data folder", """
RUN mkdir -p /var/lib/app && chown -R 1001:1001 /var/lib/app
VOLUME /var/lib/app
USER 1001
""", "echo state > /var/lib/app/state && cat /var/lib/app/state"),
    # COPY --chown=uid:uid of the app's files, read-only to others.
    "copy-chown": ("web apps' COPY --chown", """
COPY --chown=1001:1001 conf/ /app/conf/
RUN chmod 640 /app/conf/app.conf
USER 1001
""", "cat /app/conf/app.conf"),
    # A secret-like config only its owner may read (chmod 600).
    "chmod-owner-only": ("services that chmod 600 their config", """
RUN mkdir /app && echo conf > /app/app.conf && chown 1001:0 /app/app.conf && \\
    chmod 600 /app/app.conf
USER 1001:0
""", "cat /app/app.conf"),
    # An entrypoint script only its owner may run (COPY --chown, chmod 700).
    "entrypoint-0700": ("entrypoint scripts chmod 700", """
RUN mkdir /app && cp /run.sh /app/start.sh && chown 1001:1001 /app/start.sh && \\
    chmod 700 /app/start.sh
USER 1001
ENTRYPOINT ["/app/start.sh"]
""", "echo started"),
    # A data folder only its owner may use (chmod 700), which the app writes: group 0 needs
    # the owner's write bit too, so 750 would still fail there.
    "data-0700": ("data folders chmod 700", """
RUN mkdir /data && chown 1001:0 /data && chmod 700 /data
VOLUME /data
USER 1001:0
""", "echo state > /data/state && cat /data/state"),
    # A data folder made by mkdir as root (0755) and declared a VOLUME, never given to group
    # 0: the app writes its data there at start (NR117).
    "volume-mkdir": ("data VOLUMEs made by RUN mkdir", """
RUN mkdir /data && mkdir /data/db
COPY conf/ /data/conf/
VOLUME /data
USER 1001:0
""", "echo state > /data/db/state && echo log > /data/app.log && cat /data/conf/app.conf"),
}

# Real projects' Dockerfiles, trimmed to the steps that decide who may use the folders the
# app writes (downloads, compilers and package installs taken out, so that they build
# offline on the busybox base). The accounts they create are in the base's /etc/passwd with
# the same names and uids, as busybox has no useradd. Same fields as CASES.
REAL = {
    "wordpress-cli": ("docker-library/wordpress", """
# docker-library/wordpress cli/php8.3/alpine/Dockerfile (www-data is uid 82 on alpine)
RUN set -ex; \\
\tmkdir -p /var/www/html; \\
\tchown -R www-data:www-data /var/www/html
WORKDIR /var/www/html
VOLUME /var/www/html
USER www-data
""", "echo '<?php' > /var/www/html/wp-config.php"),
    "mosquitto": ("eclipse/mosquitto", """
# eclipse/mosquitto docker/2.0-openssl/Dockerfile
RUN set -x && \\
    mkdir -p /mosquitto/config /mosquitto/data /mosquitto/log && \\
    echo 'listener 1883' > /mosquitto/config/mosquitto.conf && \\
    chown -R mosquitto:mosquitto /mosquitto
VOLUME ["/mosquitto/data", "/mosquitto/log"]
""", "echo db > /mosquitto/data/mosquitto.db && echo up >> /mosquitto/log/mosquitto.log"),
    "zookeeper-3.9": ("31z4/zookeeper-docker", """
# 31z4/zookeeper-docker 3.9.4/Dockerfile
ENV ZOO_CONF_DIR=/conf \\
    ZOO_DATA_DIR=/data \\
    ZOO_DATA_LOG_DIR=/datalog \\
    ZOO_LOG_DIR=/logs
RUN set -eux; \\
    mkdir -p "$ZOO_DATA_LOG_DIR" "$ZOO_DATA_DIR" "$ZOO_CONF_DIR" "$ZOO_LOG_DIR"; \\
    chown zookeeper:zookeeper "$ZOO_DATA_LOG_DIR" "$ZOO_DATA_DIR" "$ZOO_CONF_DIR" "$ZOO_LOG_DIR"
VOLUME ["$ZOO_DATA_DIR", "$ZOO_DATA_LOG_DIR", "$ZOO_LOG_DIR"]
""", "echo 1 > /data/myid && echo log > /datalog/log.1 && echo up > /logs/zookeeper.log"),
    "zookeeper-3.4": ("31z4/zookeeper-docker", """
# 31z4/zookeeper-docker 3.4.10/Dockerfile
ENV ZOO_USER=zookeeper \\
    ZOO_CONF_DIR=/conf \\
    ZOO_DATA_DIR=/data \\
    ZOO_DATA_LOG_DIR=/datalog
RUN set -ex; \\
    mkdir -p "$ZOO_DATA_LOG_DIR" "$ZOO_DATA_DIR" "$ZOO_CONF_DIR"; \\
    chown "$ZOO_USER:$ZOO_USER" "$ZOO_DATA_LOG_DIR" "$ZOO_DATA_DIR" "$ZOO_CONF_DIR"
VOLUME ["$ZOO_DATA_DIR", "$ZOO_DATA_LOG_DIR"]
""", "echo 1 > /data/myid && echo log > /datalog/log.1"),
    "dind-rootless": ("docker-library/docker", """
# docker-library/docker 29/dind-rootless/Dockerfile
RUN set -eux; \\
\tmkdir -p /home/rootless/.local/share/docker; \\
\tchown -R rootless:rootless /home/rootless/.local/share/docker
VOLUME /home/rootless/.local/share/docker
USER rootless
""", "mkdir /home/rootless/.local/share/docker/containers"),
    "ghost-3-alpine": ("docker-library/ghost", """
# docker-library/ghost 3/alpine/Dockerfile (node is uid 1000 in the node images)
ENV GHOST_INSTALL /var/lib/ghost
ENV GHOST_CONTENT /var/lib/ghost/content
RUN set -eux; \\
\tmkdir -p "$GHOST_INSTALL"; \\
\tchown node:node "$GHOST_INSTALL"; \\
\tmkdir -p "$GHOST_CONTENT"; \\
\tchown node:node "$GHOST_CONTENT"
WORKDIR $GHOST_INSTALL
VOLUME $GHOST_CONTENT
""", "mkdir /var/lib/ghost/content/data"),
    "ghost-3-debian": ("docker-library/ghost", """
# docker-library/ghost 3/debian/Dockerfile (node is uid 1000 in the node images)
ENV GHOST_INSTALL /var/lib/ghost
ENV GHOST_CONTENT /var/lib/ghost/content
RUN set -eux; \\
\tmkdir -p "$GHOST_INSTALL"; \\
\tchown node:node "$GHOST_INSTALL"; \\
\tmkdir -p "$GHOST_CONTENT"; \\
\tchown node:node "$GHOST_CONTENT"
WORKDIR $GHOST_INSTALL
VOLUME $GHOST_CONTENT
USER node
""", "mkdir /var/lib/ghost/content/images"),
    "sonarqube-7.4": ("SonarSource/docker-sonarqube", """
# SonarSource/docker-sonarqube 7.4-community/Dockerfile
ENV SONARQUBE_HOME=/opt/sonarqube
WORKDIR /opt
RUN set -x \\
    && mkdir -p sonarqube/data sonarqube/bin \\
    && chown -R sonarqube:sonarqube sonarqube
VOLUME "$SONARQUBE_HOME/data"
WORKDIR $SONARQUBE_HOME
USER sonarqube
""", "mkdir /opt/sonarqube/data/es5"),
    "sonarqube-9": ("SonarSource/docker-sonarqube", """
# SonarSource/docker-sonarqube 9/community/Dockerfile
ENV SONARQUBE_HOME=/opt/sonarqube
RUN mkdir -p ${SONARQUBE_HOME}/bin && chown -R sonarqube:sonarqube ${SONARQUBE_HOME}
COPY --chown=sonarqube:sonarqube run.sh ${SONARQUBE_HOME}/bin/
RUN chmod 700 ${SONARQUBE_HOME}/bin/run.sh
WORKDIR ${SONARQUBE_HOME}
USER sonarqube:sonarqube
ENTRYPOINT ["/opt/sonarqube/bin/run.sh"]
""", "echo started"),
    "dind-rootless-28": ("docker-library/docker", """
# docker-library/docker 28/dind-rootless/Dockerfile
RUN mkdir /run/user && chmod 1777 /run/user
RUN set -eux; \\
\tmkdir -p /home/rootless/.local/share/docker; \\
\tchown -R rootless:rootless /home/rootless/.local/share/docker
VOLUME /home/rootless/.local/share/docker
USER rootless
""", "mkdir /home/rootless/.local/share/docker/volumes && touch /run/user/docker.pid"),
}

# The accounts REAL's Dockerfiles create, or find in their parent images.
ACCOUNTS = [("www-data", 82), ("mosquitto", 1883), ("zookeeper", 1000), ("rootless", 1000),
            ("node", 1000), ("sonarqube", 999)]

# Images for --from-image: built as they are, fixed by a derived Dockerfile.
FROM_IMAGE = ["copy-chown", "chmod-owner-only", "entrypoint-0700"]


def make_base(work):
    r = os.path.join(work, "base")
    for d in ("bin", "etc", "tmp"):
        os.makedirs(os.path.join(r, d))
    sh("cp", "/bin/busybox", os.path.join(r, "bin", "busybox"))
    for a in APPLETS:
        os.symlink("busybox", os.path.join(r, "bin", a))
    with open(os.path.join(r, "etc", "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\n")
        for name, uid in ACCOUNTS:
            f.write("%s:x:%d:%d::/home/%s:/bin/sh\n" % (name, uid, uid, name))
    with open(os.path.join(r, "etc", "group"), "w") as f:
        f.write("root:x:0:\n")
        for name, uid in ACCOUNTS:
            f.write("%s:x:%d:\n" % (name, uid))
    os.chmod(os.path.join(r, "tmp"), 0o1777)
    c = sh("buildah", "from", "scratch").stdout.strip()
    sh("buildah", "copy", c, r + "/", "/")
    sh("buildah", "commit", "-q", c, "localhost/fixbase:1")


def build(work, ctx, name):
    """Builds ctx as localhost/NAME:t; returns the OCI layout and the unpacked root."""
    ref = "localhost/%s:t" % name
    try:
        sh("buildah", "bud", "--isolation", "chroot", "-q", "-t", ref, ctx)
    except subprocess.CalledProcessError as e:
        # buildah exits 125 when another test holds its store's locks; the build itself is
        # the same, so one more try tells a real failure (which fails again) from that.
        print("# buildah bud %s exited %d, once more: %s" % (name, e.returncode,
                                                          (e.stderr or "").strip()[-300:]))
        sh("buildah", "bud", "--isolation", "chroot", "-q", "-t", ref, ctx)
    oci = os.path.join(work, name + "-oci")
    sh("skopeo", "copy", "-q", "containers-storage:" + ref, "oci:%s:t" % oci)
    root = groundtruth.unpack(oci, "t", os.path.join(work, name + "-bundle"))
    return oci, root


def config(oci):
    """The image config: entrypoint, cmd, user."""
    with open(os.path.join(oci, "index.json")) as f:
        m = json.load(f)["manifests"][0]["digest"].split(":")[1]
    with open(os.path.join(oci, "blobs", "sha256", m)) as f:
        c = json.load(f)["config"]["digest"].split(":")[1]
    with open(os.path.join(oci, "blobs", "sha256", c)) as f:
        return json.load(f).get("config", {})


def run_openshift(root, oci):
    """The entrypoint and cmd run as OpenShift runs them; True when it exits 0."""
    cfg = config(oci)
    argv = (cfg.get("Entrypoint") or []) + (cfg.get("Cmd") or [])
    env = ["env", "-i"] + (cfg.get("Env") or [])
    p = subprocess.run(["unshare", "-m", "-p", "-f", "-n", "-i", "-u",
                        "chroot", "--userspec=1000680000:0", "--groups=0", root] + env + argv,
                       capture_output=True, text=True, timeout=60)
    return p.returncode == 0, (p.stdout + p.stderr).strip()[-200:]


# podman on this kind of host: no CAP_SYS_RESOURCE (so fixed ulimits), cgroups in hybrid mode
# (the unified mount hidden in a private mount namespace, cgroups off), and no network, whose
# default setup would change the host's firewall.
PODMAN = ["unshare", "-m", "--propagation", "private", "sh", "-c",
          "umount /sys/fs/cgroup/unified 2>/dev/null; exec podman --storage-driver vfs "
          "--runtime crun --cgroup-manager cgroupfs --events-backend file run --rm "
          "--network none --cgroups disabled --ulimit nofile=20000:20000 "
          "--ulimit nproc=4096:4096 \"$@\"", "sh"]


def run_podman(ref, *argv):
    """The image run by podman as OpenShift runs it; True when it exits 0."""
    p = subprocess.run(PODMAN + ["--user", "1000680000:0", ref] + list(argv),
                       capture_output=True, text=True, timeout=120)
    return p.returncode == 0, (p.stdout + p.stderr).strip()[-200:]


def podman_usable():
    """None when podman runs the base image here, else why it cannot."""
    if not shutil.which("podman") or not shutil.which("crun"):
        return "podman or crun is not installed"
    try:
        ok, out = run_podman("localhost/fixbase:1", "/bin/sh", "-c", "id -u")
    except subprocess.TimeoutExpired:
        return "podman run did not finish within 120 s"
    if not ok or out.splitlines()[-1:] != ["1000680000"]:
        return "podman run of the base image failed: " + out
    return None


def simulate_breaks(oci):
    p = subprocess.run([UNROOT, "simulate", "--no-config", "--platform", "openshift", "-f",
                        "json", "oci:%s:t" % oci], capture_output=True, text=True, timeout=60)
    rows = json.loads(p.stdout)["results"]
    return any(r["breaks"] for r in rows)


def write_ctx(work, name, body, action):
    ctx = os.path.join(work, "ctx-" + name)
    os.makedirs(os.path.join(ctx, "conf"), exist_ok=True)
    with open(os.path.join(ctx, "conf", "app.conf"), "w") as f:
        f.write("conf\n")
    with open(os.path.join(ctx, "run.sh"), "w") as f:
        f.write("#!/bin/sh\nset -e\n%s\n" % action)
    os.chmod(os.path.join(ctx, "run.sh"), 0o755)
    entry = "" if "ENTRYPOINT" in body else 'ENTRYPOINT ["/run.sh"]\n'
    with open(os.path.join(ctx, "Dockerfile"), "w") as f:
        f.write("FROM localhost/fixbase:1\nCOPY run.sh /run.sh\n" + body.lstrip("\n") + entry)
    return ctx


def main():
    work = buildah_workspace(TOOLS, "unroot-fix-real-", "chroot as an arbitrary uid")
    if work is None:
        return 77
    try:
        make_base(work)
        return run_all(work)
    finally:
        subprocess.run(["buildah", "rm", "--all"], capture_output=True)
        subprocess.run(["rm", "-rf", work])


def check(failures, ok, what):
    print("%s: %s" % ("ok" if ok else "FAIL", what))
    return failures + (not ok)


def run_all(work):
    failures = 0
    built = {}
    why = podman_usable()
    podman = why is None
    if not podman:
        print("SKIP (podman part only): %s" % why)
    for name, (shape, body, action) in list(CASES.items()) + list(REAL.items()):
        ctx = write_ctx(work, name, body, action)
        oci, root = build(work, ctx, name + "-before")
        built[name] = oci
        works, out = run_openshift(root, oci)
        failures = check(failures, not works, "%s (%s): fails before the fix as uid "
                         "1000680000:0 (%s)" % (name, shape, out))
        if podman:
            works, out = run_podman("localhost/%s-before:t" % name)
            failures = check(failures, not works, "%s: fails before the fix under podman run "
                             "--user 1000680000:0 (%s)" % (name, out))
        failures = check(failures, simulate_breaks(oci),
                         "%s: simulate predicted the failure" % name)
        p = subprocess.run([UNROOT, "fix", "--no-config", "--write", "-q",
                            os.path.join(ctx, "Dockerfile")], capture_output=True, text=True)
        failures = check(failures, p.returncode in (0, 1),
                         "%s: unroot fix --write (exit %d) %s" % (name, p.returncode,
                                                                   p.stderr.strip()[-200:]))
        oci2, root2 = build(work, ctx, name + "-after")
        works, out = run_openshift(root2, oci2)
        failures = check(failures, works, "%s: works after the fix (%s)" % (name, out))
        if podman:
            works, out = run_podman("localhost/%s-after:t" % name)
            failures = check(failures, works, "%s: works after the fix under podman run "
                             "--user 1000680000:0 (%s)" % (name, out))
        failures = check(failures, not simulate_breaks(oci2),
                         "%s: simulate predicted that it works" % name)
    # a VOLUME cannot be changed by a derived image: the derived Dockerfile says so
    p = subprocess.run([UNROOT, "fix", "--no-config", "-q", "--from-image",
                        "oci:%s:t" % built["chown-data"]], capture_output=True, text=True)
    failures = check(failures, p.returncode == 0 and "/var/lib/app is in a VOLUME" in p.stdout
                     and "chgrp" not in p.stdout,
                     "chown-data: --from-image leaves the VOLUME to a mount:\n" + p.stdout)
    for name in FROM_IMAGE:
        oci = built[name]
        ctx = os.path.join(work, "derived-" + name)
        os.makedirs(ctx)
        df = os.path.join(ctx, "Dockerfile")
        p = subprocess.run([UNROOT, "fix", "--no-config", "-q", "--from-image",
                            "oci:%s:t" % oci, "--output", df], capture_output=True, text=True)
        failures = check(failures, p.returncode == 0 and os.path.exists(df),
                         "%s: unroot fix --from-image (exit %d) %s"
                         % (name, p.returncode, p.stderr.strip()[-200:]))
        if p.returncode:
            continue
        text = open(df).read()
        failures = check(failures, "chgrp -R 0 /app/" in text and "USER 1001:0" in text,
                         "%s: the derived Dockerfile gives group 0 the failing paths and "
                         "keeps the image's uid:\n%s" % (name, text))
        oci2, root2 = build(work, ctx, "derived-" + name)
        works, out = run_openshift(root2, oci2)
        failures = check(failures, works, "%s: the derived image works (%s)" % (name, out))
        if podman:
            works, out = run_podman("localhost/derived-%s:t" % name)
            failures = check(failures, works, "%s: the derived image works under podman run "
                             "--user 1000680000:0 (%s)" % (name, out))
        failures = check(failures, not simulate_breaks(oci2),
                         "%s: simulate predicted that the derived image works" % name)
    print("%d failures" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
