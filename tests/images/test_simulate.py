#!/usr/bin/env python3
"""unroot simulate against real processes.

Builds real images with buildah (chroot isolation, from the hand-made busybox base of
test_built.py), unpacks them with umoci, and for each scenario runs the image's entrypoint the
way each platform would: the uid, gid and groups the platform gives (written down here, by
hand, from the platform facts), HOME, the working folder, the pod's emptyDir/PVC volumes with
the ownership the kubelet gives them, and on OpenShift the /etc/passwd entry CRI-O adds. The
process runs under chroot --userspec in fresh namespaces, so the kernel decides every access.

Compared with unroot's prediction (simulate -f json): the identity (uid, gid, groups), whether
it starts, whether it works, and which path fails first. Platforms that refuse the pod (the
kubelet's runAsNonRoot, restricted-v2) are compared with the refusal written down here.
Prints "N scenarios, N match"; exits 1 on any mismatch, 77 where the tools are missing.
"""
import concurrent.futures
import json
import os
import shutil
import stat
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import groundtruth  # noqa: E402
import test_built  # noqa: E402

UNROOT = os.environ.get("UNROOT", "unroot")
TOOLS = ["buildah", "skopeo", "umoci", "unshare", "chroot"]
OS_UID, OS_GROUP = 1000680000, 1000680000

# The app: the entrypoint script of every scenario image (in the base image). It uses its HOME
# (advisory), then does what /needs lists, in order: "w DIR" writes into DIR, "r PATH" reads a
# file or lists a folder, "passwd" makes sure its uid has a name (adding its own /etc/passwd
# entry when there is none, the old trick for arbitrary uids). It says what failed first. A
# refused exec is seen by the runner (exit status 126/127).
APP = r"""#!/bin/sh
probe=.probe.$(id -u).$$
if [ "$HOME" != / ] && ! touch "$HOME/$probe" 2>/dev/null; then echo "WARN $HOME"; fi
while read -r op p; do
  case $op in
  w) touch "$p/$probe" 2>/dev/null || { echo "FAILED $p"; exit 1; } ;;
  r) if [ -d "$p" ]; then ls "$p" >/dev/null 2>&1 || { echo "FAILED $p"; exit 1; }
     else cat "$p" >/dev/null 2>&1 || { echo "FAILED $p"; exit 1; }; fi ;;
  passwd) id -un >/dev/null 2>&1 || echo "app:x:$(id -u):0::/tmp:/bin/sh" >> /etc/passwd \
            2>/dev/null; id -un >/dev/null 2>&1 || { echo "FAILED /etc/passwd"; exit 1; } ;;
  esac
done < /needs
echo STARTED
"""

# The runtime's part, inside the container: enter the working folder, then execute the
# entrypoint. runc and crun enter it before they switch to the user, so a folder the user
# cannot search does not stop the start (podman shows it); here the shell tries as the user
# and goes on from / when it cannot: the app below uses absolute paths only.
RUNNER = r"""cd "$1" 2>/dev/null || echo "WARN $1"
shift
"$@"
rc=$?
[ $rc -ge 126 ] && echo "FAILED $1"
exit $rc
"""

def dockerfile(run, rest, writes=(), reads=("/app", "/app/app.conf", "/app/run.sh"),
               passwd=False):
    """One RUN line (one layer: builds are slow on a busy machine) and the rest."""
    needs = ["w " + d for d in writes] + ["r " + f for f in reads] + (["passwd"] if passwd else [])
    return ("FROM localhost/bbapp:base\nRUN printf '%s\\n' > /needs%s\n%s"
            % ("\\n".join(needs), " && " + run if run else "", rest))


def make_app_base(work):
    """localhost/bbapp:base: the busybox base with the app script and its config file."""
    ctx = os.path.join(work, "ctx-base")
    os.makedirs(os.path.join(ctx, "app"))
    with open(os.path.join(ctx, "app", "run.sh"), "w") as f:
        f.write(APP)
    os.chmod(os.path.join(ctx, "app", "run.sh"), 0o755)
    with open(os.path.join(ctx, "app", "app.conf"), "w") as f:
        f.write("conf\n")
    os.chmod(os.path.join(ctx, "app", "app.conf"), 0o644)
    with open(os.path.join(ctx, "Dockerfile"), "w") as f:
        f.write("FROM localhost/bb:base\nCOPY app /app\n")
    sh("buildah", "bud", "--isolation", "chroot", "-q", "-t", "localhost/bbapp:base", ctx)


def pod(sc, volumes=""):
    out = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext:\n%s"
           "  containers:\n  - name: app\n    image: localhost/app:t\n" % sc)
    if volumes:
        out += ("    volumeMounts:\n    - name: data\n      mountPath: /data\n"
                "  volumes:\n  - name: data\n%s" % volumes)
    return out


PASSWD_3000 = ("echo 'johndoe:x:3000:3000::/home/johndoe:/bin/sh' >> /etc/passwd && "
               "echo 'groupFoo:x:3000:' >> /etc/group")

# name: (Dockerfile, [(platform, manifest or None, expectation)]). An expectation is
# {"refused": True} or {"uid", "gid", "groups" (with gid), "home", "passwd": add the CRI-O
# entry, "mount": (mode, gid) of the pod volume at /data, "works", "first": the path that
# fails first}.
SCENARIOS = {
    # The article's first approach: USER 3000, files owned 3000:3000.
    "uid3000": (dockerfile(PASSWD_3000 + " && mkdir -p /data && chmod 750 /app/run.sh && "
               "chmod 640 /app/app.conf && chown -R 3000:3000 /app /data", """
USER 3000
VOLUME /data
ENTRYPOINT ["/app/run.sh"]
""", writes=["/data"]), [
        ("docker", None, dict(uid=3000, gid=3000, groups=[3000], home="/home/johndoe",
                              works=True)),
        ("kubernetes", pod("    runAsUser: 3000\n    runAsGroup: 3000\n"),
         dict(uid=3000, gid=3000, groups=[3000], home="/home/johndoe", works=True)),
        ("openshift", None, dict(uid=OS_UID, gid=0, groups=[0, OS_GROUP], home="/", passwd=True,
                                 works=False, first="/app/run.sh")),
    ]),
    # The article's conclusion: USER 3000:0, chgrp -R 0 and chmod -R g=u.
    "group0": (dockerfile("mkdir -p /data && chmod 750 /app/run.sh && chmod 640 /app/app.conf && "
               "chown -R 3000:0 /app /data && chmod -R g=u /app /data", """
USER 3000:0
VOLUME /data
WORKDIR /app
ENTRYPOINT ["/app/run.sh"]
""", writes=["/data"]), [
        ("docker", None, dict(uid=3000, gid=0, groups=[0], home="/", works=True)),
        ("kubernetes", pod("    runAsUser: 3000\n"),
         dict(uid=3000, gid=0, groups=[0], home="/", works=True)),
        ("openshift", None, dict(uid=OS_UID, gid=0, groups=[0, OS_GROUP], home="/app",
                                 passwd=True, works=True)),
    ]),
    # A named user: Docker resolves it; the kubelet cannot verify it under runAsNonRoot.
    "named": (dockerfile("echo 'app:x:1001:0::/app:/bin/sh' >> /etc/passwd && chown -R 1001:0 /app && "
               "chmod -R g=u /app", """
USER app
ENTRYPOINT ["/app/run.sh"]
"""), [
        ("docker", None, dict(uid=1001, gid=0, groups=[0], home="/app", works=True)),
        ("kubernetes", pod("    runAsNonRoot: true\n"), dict(refused=True)),
        ("openshift", None, dict(uid=OS_UID, gid=0, groups=[0, OS_GROUP], home="/",
                                 passwd=True, works=True)),
    ]),
    # runAsUser other than the image's owner: the files are out of reach.
    "runasuser": (dockerfile("chmod 750 /app/run.sh && chmod 640 /app/app.conf && chown -R 1001:1001 /app", """
USER 1001:1001
ENTRYPOINT ["/app/run.sh"]
"""), [
        ("docker", None, dict(uid=1001, gid=1001, groups=[1001], home="/", works=True)),
        ("kubernetes", pod("    runAsUser: 2000\n"),
         dict(uid=2000, gid=0, groups=[0], home="/", works=False, first="/app/run.sh")),
        ("kubernetes", pod("    runAsUser: 2000\n    runAsGroup: 1001\n"),
         dict(uid=2000, gid=1001, groups=[1001], home="/", works=True)),
    ]),
    # runAsGroup other than 0 shuts the process out of files given to group 0.
    "runasgroup": (dockerfile("chmod 750 /app/run.sh && chmod 640 /app/app.conf && chown -R 1001:0 /app && "
               "chmod -R g=u /app && chmod o-rx /app", """
USER 1001:0
ENTRYPOINT ["/app/run.sh"]
"""), [
        ("kubernetes", pod("    runAsUser: 2000\n    runAsGroup: 3000\n"),
         dict(uid=2000, gid=3000, groups=[3000], home="/", works=False, first="/app/run.sh")),
        ("kubernetes", pod("    runAsUser: 2000\n    runAsGroup: 3000\n"
                           "    supplementalGroups: [0]\n"),
         dict(uid=2000, gid=3000, groups=[3000, 0], home="/", works=True)),
        ("openshift", pod("    runAsGroup: 0\n"),
         dict(uid=OS_UID, gid=0, groups=[0, OS_GROUP], home="/", passwd=True, works=True)),
    ]),
    # fsGroup on a volume: the kubelet gives the PVC's root to the fsGroup, setgid, g+rwx.
    "fsgroup": (dockerfile("chown -R 1001:0 /app && chmod -R g=u /app", """
USER 1001:0
ENTRYPOINT ["/app/run.sh"]
""", writes=["/data"]), [
        ("kubernetes", pod("    fsGroup: 2000\n",
                           "    persistentVolumeClaim:\n      claimName: data\n"),
         dict(uid=1001, gid=0, groups=[0, 2000], home="/", mount=(0o2775, 2000), works=True)),
        ("kubernetes", pod("    runAsNonRoot: true\n",
                           "    persistentVolumeClaim:\n      claimName: data\n"),
         dict(uid=1001, gid=0, groups=[0], home="/", mount=(0o755, 0), works=False,
              first="/data")),
        ("kubernetes", pod("    runAsUser: 1001\n", "    emptyDir: {}\n"),
         dict(uid=1001, gid=0, groups=[0], home="/", mount=(0o777, 0), works=True)),
        ("openshift", pod("    runAsNonRoot: true\n",
                          "    persistentVolumeClaim:\n      claimName: data\n"),
         dict(uid=OS_UID, gid=0, groups=[0, OS_GROUP], home="/", passwd=True,
              mount=(0o2775, OS_GROUP), works=True)),
    ]),
    # A group-writable /etc/passwd: CRI-O adds no entry; the entrypoint adds its own.
    "passwdwritable": (dockerfile("busybox chgrp 0 /etc/passwd && chmod 664 /etc/passwd", """
USER 1001:0
ENTRYPOINT ["/app/run.sh"]
""", passwd=True), [
        ("openshift", None, dict(uid=OS_UID, gid=0, groups=[0, OS_GROUP], home="/",
                                 passwd=False, works=True)),
        ("kubernetes", pod("    runAsUser: 2000\n    runAsGroup: 3000\n"),
         dict(uid=2000, gid=3000, groups=[3000], home="/", works=False, first="/etc/passwd",
              advisory=True)),
    ]),
    # No USER: root on Docker; refused under runAsNonRoot; any uid reads root's 644 files.
    "nouser": (dockerfile("", """
ENTRYPOINT ["/app/run.sh"]
"""), [
        ("docker", None, dict(uid=0, gid=0, groups=[0], home="/root", works=True)),
        ("kubernetes", pod("    runAsNonRoot: true\n"), dict(refused=True)),
        ("openshift", None, dict(uid=OS_UID, gid=0, groups=[0, OS_GROUP], home="/",
                                 passwd=True, works=True)),
    ]),
    # An entrypoint only its owner can execute.
    "owneronly": (dockerfile("chown -R 1001:0 /app && chmod 700 /app/run.sh", """
USER 1001:0
ENTRYPOINT ["/app/run.sh"]
"""), [
        ("docker", None, dict(uid=1001, gid=0, groups=[0], home="/", works=True)),
        ("openshift", None, dict(uid=OS_UID, gid=0, groups=[0, OS_GROUP], home="/",
                                 passwd=True, works=False, first="/app/run.sh")),
    ]),
    # A working folder only its owner may enter: the runtime enters it as root, so the process
    # starts; only relative paths would fail (an advisory finding).
    "workdir": (dockerfile("mkdir -p /srv/www && chown 1001:1001 /srv/www && chmod 700 /srv/www && "
               "chmod -R g=u /app", """
USER 1001
WORKDIR /srv/www
ENTRYPOINT ["/app/run.sh"]
"""), [
        ("docker", None, dict(uid=1001, gid=0, groups=[0], home="/", works=True)),
        ("openshift", None, dict(uid=OS_UID, gid=0, groups=[0, OS_GROUP], home="/srv/www",
                                 passwd=True, works=True)),
    ]),
    # A VOLUME only its owner can write.
    "volume": (dockerfile("mkdir /data && chown 1001:0 /data && chmod 755 /data", """
USER 1001:0
VOLUME /data
ENTRYPOINT ["/app/run.sh"]
""", writes=["/data"]), [
        ("docker", None, dict(uid=1001, gid=0, groups=[0], home="/", works=True)),
        ("openshift", None, dict(uid=OS_UID, gid=0, groups=[0, OS_GROUP], home="/",
                                 passwd=True, works=False, first="/data")),
    ]),
    # /etc/group lists the user: the runtimes add that group (supplementalGroupsPolicy Merge).
    "etcgroup": (dockerfile("echo 'app:x:1001:1001::/:/bin/sh' >> /etc/passwd && "
               "echo 'app:x:1001:' >> /etc/group && echo 'extra:x:5000:app' >> /etc/group && "
               "chown -R 0:5000 /app && chmod -R 750 /app && chmod 640 /app/app.conf", """
USER app
ENTRYPOINT ["/app/run.sh"]
"""), [
        ("docker", None, dict(uid=1001, gid=1001, groups=[1001, 5000], home="/", works=True)),
        ("kubernetes", pod("    runAsUser: 1001\n"),
         dict(uid=1001, gid=1001, groups=[1001, 5000], home="/", works=True)),
        ("openshift", None, dict(uid=OS_UID, gid=0, groups=[0, OS_GROUP], home="/",
                                 passwd=True, works=False, first="/app/run.sh")),
    ]),
    # A script whose interpreter only root may execute.
    "interpreter": (dockerfile("mkdir -p /opt/tool && cp /bin/busybox /opt/tool/sh && chmod 700 /opt/tool/sh && "
               "busybox sed -i '1s|.*|#!/opt/tool/sh|' /app/run.sh && busybox chgrp -R 0 /app && "
               "chmod -R g=u /app", """
USER 1001:0
ENTRYPOINT ["/app/run.sh"]
"""), [
        ("docker", None, dict(uid=1001, gid=0, groups=[0], home="/", works=False,
                              first="/app/run.sh")),
        ("openshift", None, dict(uid=OS_UID, gid=0, groups=[0, OS_GROUP], home="/",
                                 passwd=True, works=False, first="/app/run.sh")),
    ]),
}


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def build(work, name, body):
    ctx = os.path.join(work, "ctx-" + name)
    os.makedirs(ctx)
    with open(os.path.join(ctx, "Dockerfile"), "w") as f:
        f.write(body)
    ref = "localhost/%s:t" % name
    sh("buildah", "bud", "--isolation", "chroot", "-q", "-t", ref, ctx)
    oci = os.path.join(work, name + "-oci")
    sh("skopeo", "copy", "-q", "containers-storage:" + ref, "oci:%s:t" % oci)
    bundle = os.path.join(work, name + "-bundle")
    rootfs = groundtruth.unpack(oci, "t", bundle)
    with open(os.path.join(bundle, "config.json")) as f:
        spec = json.load(f)
    return oci, rootfs, spec


def predict(work, oci, manifest, platform):
    args = [UNROOT, "simulate", "--no-config", "-f", "json", "--platform", platform]
    if manifest:
        path = os.path.join(work, "pod.yaml")
        with open(path, "w") as f:
            f.write(manifest)
        args += ["--image", "localhost/app=" + oci, path]
    else:
        args.append(oci)
    p = subprocess.run(args, capture_output=True, text=True, timeout=60)
    rows = json.loads(p.stdout)["results"]
    if len(rows) != 1:
        raise RuntimeError("expected one result, got %d: %s" % (len(rows), p.stderr))
    return rows[0], p.returncode


def run_real(rootfs, spec, exp):
    """Runs the entrypoint as the platform would; returns (started, works, first, id line)."""
    uid, gid, groups = exp["uid"], exp["gid"], exp["groups"]
    proc = spec["process"]
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "HOME": exp["home"]}
    passwd = os.path.join(rootfs, "etc", "passwd")
    saved = open(passwd).read()
    data = os.path.join(rootfs, "data")
    saved_data = None
    try:
        if exp.get("passwd"):
            # CRI-O's entry for a uid without one: NAME:x:UID:GID:NAME user:HOME:/sbin/nologin
            with open(passwd, "a") as f:
                f.write("%d:x:%d:%d:%d user:%s:/sbin/nologin\n" % (uid, uid, gid, uid,
                                                                   exp["home"]))
        if "mount" in exp:
            mode, mgid = exp["mount"]
            if os.path.isdir(data):
                saved_data = data + ".image"
                os.rename(data, saved_data)
            os.mkdir(data)
            os.chown(data, 0, mgid)
            os.chmod(data, mode)
        os.makedirs(os.path.join(rootfs, "proc"), exist_ok=True)
        # The runtimes give every container a /dev with a null device.
        os.makedirs(os.path.join(rootfs, "dev"), exist_ok=True)
        null = os.path.join(rootfs, "dev", "null")
        if not os.path.exists(null):
            os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        os.chmod(null, 0o666)
        cmd = ["unshare", "-m", "-p", "-f", "-n", "-i", "-u", "--mount-proc=%s/proc" % rootfs,
               "chroot", "--userspec=%d:%d" % (uid, gid),
               "--groups=" + ",".join(str(g) for g in groups), rootfs,
               "/bin/sh", "-c", 'id; exec /bin/sh -c "$0" runner "$@"', RUNNER, proc.get("cwd", "/")]
        cmd += proc["args"]
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=30)
    finally:
        with open(passwd, "w") as f:
            f.write(saved)
        if "mount" in exp:
            shutil.rmtree(data)
            if saved_data:
                os.rename(saved_data, data)
    lines = p.stdout.splitlines()
    idline = lines[0] if lines else ""
    first = None
    warn = None
    for line in lines[1:]:
        if line.startswith("FAILED ") and first is None:
            first = line[7:].strip()
        if line.startswith("WARN ") and warn is None:
            warn = line[5:].strip()
    works = "STARTED" in lines and p.returncode == 0
    return works, first, warn, idline, p.stdout + p.stderr


# podman run, with the workarounds this kind of machine needs (see the tooling notes): no
# CAP_SYS_RESOURCE, cgroups in hybrid mode; never podman's own network.
PODMAN = ('umount /sys/fs/cgroup/unified 2>/dev/null; exec podman --storage-driver vfs '
          '--runtime crun --cgroup-manager cgroupfs --events-backend file run --rm '
          '--network none --cgroups disabled --ulimit nofile=20000:20000 '
          '--ulimit nproc=4096:4096 "$@"')


def run_podman(ref, exp):
    """podman run --user as the platform would; returns (works, first, output)."""
    groups = [g for g in exp["groups"] if g != exp["gid"]]
    args = ["unshare", "-m", "--propagation", "private", "sh", "-c", PODMAN, "sh",
            "--user", "%d:%d" % (exp["uid"], exp["gid"]), "-e", "HOME=" + exp["home"],
            # The entry for a uid without one: CRI-O's on OpenShift; none elsewhere.
            "--passwd=%s" % ("true" if exp.get("passwd") else "false")]
    for g in groups:
        args += ["--group-add", str(g)]
    args.append(ref)
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    first = None
    for line in p.stdout.splitlines():
        if line.startswith("FAILED "):
            first = line[7:].strip()
            break
    works = "STARTED" in p.stdout.splitlines() and p.returncode == 0
    return works, first, p.stdout + p.stderr


def id_of(line):
    """uid, gid, set of groups from `id` output."""
    parts = dict(w.split("=", 1) for w in line.split() if "=" in w)
    num = lambda s: int(s.split("(")[0])  # noqa: E731
    groups = {num(g) for g in parts.get("groups", "").split(",") if g}
    return num(parts["uid"]), num(parts["gid"]), groups


def compare(name, platform, manifest, exp, row, rootfs, spec):
    """Returns a list of mismatches (empty when the prediction matches)."""
    bad = []
    if exp.get("refused"):
        if row["starts"] != "no":
            bad.append("the platform refuses it; unroot says starts=%s" % row["starts"])
        return bad
    if row["starts"] != "yes":
        bad.append("it starts; unroot says starts=%s (%s)" % (
            row["starts"], [r["message"] for r in row["refusals"]]))
    want_groups = set(exp["groups"]) | {exp["gid"]}
    got_groups = {g["id"] for g in row["groups"]} | {row["gid"]["id"]}
    if (row["uid"]["id"], row["gid"]["id"], got_groups) != (exp["uid"], exp["gid"],
                                                            want_groups):
        bad.append("identity: platform gives %d:%d %s, unroot says %s" % (
            exp["uid"], exp["gid"], sorted(want_groups), row["id"]))
    if row["home"] != exp["home"]:
        bad.append("HOME: platform %s, unroot %s" % (exp["home"], row["home"]))
    if platform == "openshift" and row["passwd"]["injected"] != bool(exp.get("passwd")):
        bad.append("passwd entry: platform adds %s, unroot says %s" % (
            bool(exp.get("passwd")), row["passwd"]["injected"]))
    works, first, warn, idline, out = run_real(rootfs, spec, exp)
    try:
        real_id = id_of(idline)
    except (KeyError, ValueError):
        real_id = None
    if real_id != (exp["uid"], exp["gid"], want_groups):
        bad.append("the runner ran as %r, not %d:%d %s" % (idline, exp["uid"], exp["gid"],
                                                           sorted(want_groups)))
    if works != exp["works"]:
        bad.append("hand-written expectation says works=%s, the process: %s (%s)" % (
            exp["works"], works, out.strip()[-200:]))
    fatal_fail = [c for c in row["checks"] if not c["ok"] and c["fatal"]]
    advisory_fail = [c for c in row["checks"] if not c["ok"] and not c["fatal"]]
    predicted_works = not row["breaks"]
    if exp.get("advisory"):
        # The process needs what unroot flags as advisory (its own passwd entry).
        predicted_works = predicted_works and not advisory_fail
    if predicted_works != works:
        bad.append("the process %s, unroot predicts %s" % (
            "works" if works else "fails at %s" % first,
            "it works" if predicted_works else "a failure at %s" % row["first_failure"]))
    if not works:
        pred = fatal_fail or advisory_fail
        pred_first = pred[0]["at"] if pred else None
        pred_kind = pred[0]["check"] if pred else None
        # A refused exec shows as the entrypoint, whether the script or its interpreter.
        if pred_kind == "interpreter":
            pred_first = pred[0]["path"], spec["process"]["args"][0]
        ok = first == pred_first or (isinstance(pred_first, tuple) and first in pred_first)
        if pred_kind in ("entrypoint", "interpreter") and first == spec["process"]["args"][0]:
            ok = True
        if not ok:
            bad.append("first failure: the process at %s, unroot at %s" % (first, pred_first))
        if first != exp.get("first"):
            bad.append("first failure: expected %s, the process %s" % (exp.get("first"), first))
    if shutil.which("podman") and "mount" not in exp and platform in ("docker", "openshift") \
            and not manifest:
        pworks, pfirst, pout = run_podman("localhost/%s:t" % name, exp)
        if pworks != works:
            bad.append("podman run: works=%s, chroot: works=%s (%s)" % (pworks, works,
                                                                        pout.strip()[-300:]))
        elif not pworks and pfirst != first and not (pfirst is None and first
                                                      and first in pout):
            bad.append("podman run fails at %s, chroot at %s (%s)" % (pfirst, first,
                                                                      pout.strip()[-300:]))
        PODMAN_RUNS.append(label_of(name, platform, manifest))
    return bad


PODMAN_RUNS = []


def label_of(name, platform, manifest):
    return "%s on %s%s" % (name, platform, " (pod)" if manifest else "")


def main():
    work = test_built.buildah_workspace(TOOLS, "unroot-sim-", "chroot --userspec")
    if work is None:
        return 77
    try:
        test_built.make_base(work)
        make_app_base(work)
        total = matched = 0
        # Builds overlap (buildah waits on I/O); the runs are quick and go one by one.
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
            built = {name: pool.submit(build, work, name, body)
                     for name, (body, _) in SCENARIOS.items()}
        for name, (body, cases) in SCENARIOS.items():
            oci, rootfs, spec = built[name].result()
            for platform, manifest, exp in cases:
                total += 1
                label = label_of(name, platform, manifest)
                try:
                    row, _ = predict(work, oci, manifest, platform)
                    bad = compare(name, platform, manifest, exp, row, rootfs, spec)
                except Exception as e:  # noqa: BLE001 - any failure is a mismatch
                    bad = ["error: %r" % e]
                if bad:
                    print("MISMATCH %s:\n  %s" % (label, "\n  ".join(bad)))
                else:
                    matched += 1
                    print("match    %s" % label)
        print("podman run --user as well: %d of them%s" % (
            len(PODMAN_RUNS), "" if shutil.which("podman") else " (podman is not installed)"))
        print("%d scenarios, %d match" % (total, matched))
        return 0 if total == matched and total >= 10 else 1
    finally:
        subprocess.run(["buildah", "rm", "--all"], capture_output=True)
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    sys.exit(main())
