"""groundtruth.py - compares unroot's access verdicts with the kernel's on an unpacked image.

unpack(oci_dir, tag) unpacks with umoci; compare(rootfs, tree_text) runs a static access(2)
prober inside the root filesystem as uid 1000680000 in group 0 (chroot --userspec in fresh
namespaces) on every path unroot's --tree listed, and returns (compared, mismatches).
"""
import os
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE = "/.unroot-gt-access"


def build_probe(workdir):
    out = os.path.join(workdir, "gt-access")
    if not os.path.exists(out):
        subprocess.run(["cc", "-O1", "-static", "-o", out, os.path.join(HERE, "gt-access.c")],
                       check=True)
    return out


def unpack(oci_dir, tag, dest):
    subprocess.run(["umoci", "unpack", "--image", "%s:%s" % (oci_dir, tag), dest], check=True,
                   capture_output=True)
    os.chmod(dest, 0o755)
    return os.path.join(dest, "rootfs")


def tree_rows(tree_text):
    rows = []
    for line in tree_text.splitlines():
        if line.startswith("#"):
            continue
        parts = line.split(None, 5)
        if len(parts) < 6:
            continue
        path = parts[5].split(" -> ")[0]
        if path == "/proc" or path.startswith("/proc/"):
            continue  # a fresh procfs is mounted there
        rows.append((parts[4], path))
    return rows


def compare(rootfs, tree_text, workdir, uid=1000680000):
    probe = build_probe(workdir)
    shutil.copy(probe, rootfs + PROBE)
    os.chmod(rootfs + PROBE, 0o755)
    os.makedirs(os.path.join(rootfs, "proc"), exist_ok=True)
    rows = [r for r in tree_rows(tree_text) if r[1] != PROBE]
    try:
        p = subprocess.run(
            ["unshare", "-m", "-p", "-f", "-n", "-i", "-u", "--mount-proc=%s/proc" % rootfs,
             "chroot", "--userspec=%d:0" % uid, "--groups=0", rootfs, PROBE],
            input="".join(path + "\n" for _, path in rows), capture_output=True, text=True,
            check=True, timeout=120)
    finally:
        os.unlink(rootfs + PROBE)
    kernel = {}
    for line in p.stdout.splitlines():
        kernel[line[4:]] = line[:3]
    mismatches = [(path, acc, kernel.get(path)) for acc, path in rows
                  if kernel.get(path) != acc]
    # Every path the unpacked image holds must be in unroot's view, and no other.
    on_disk = {"/"}
    for top, dirs, files in os.walk(rootfs):
        for n in dirs + files:
            on_disk.add("/" + os.path.relpath(os.path.join(top, n), rootfs))
    on_disk = {p for p in on_disk if p != "/proc" and not p.startswith("/proc/")}
    listed = {path for _, path in rows}
    mismatches += [(p, "(not listed)", "exists") for p in sorted(on_disk - listed)]
    mismatches += [(p, "listed", "(absent)") for p in sorted(listed - on_disk)]
    return len(rows), mismatches
