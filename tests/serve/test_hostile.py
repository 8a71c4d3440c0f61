#!/usr/bin/env python3
"""unroot serve against bad input and bad clients: malformed JSON, a wrong apiVersion or
kind, a missing uid, a 100 MB body (413 before it is read), a chunked one cut off at the
limit, a compressed-body bomb, JSON nested a million deep, clients that send a byte a
second at every stage of a request, and 10,000 connections at once. Each is answered or
dropped within its bound, the server's memory stays bounded, and it serves on. Exits 77
when this unroot has no server."""
import gzip
import json
import os
import resource
import shutil
import socket
import ssl
import sys
import threading
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_lib as S  # noqa: E402
from serve_lib import GOOD_POD_SC, GOOD_SC, container, expect, pod_spec, wrap  # noqa: E402

# max-connections above the flood: every connection of it is taken, and closed at the idle
# timeout (a flood past the limit waits in the kernel's backlog instead, and drains at
# max-connections per idle-timeout).
CONFIG = """drain-delay: 0s
log-reviews: denied
http:
  max-body: 4Mi
  max-connections: 10100
  request-timeout: 2s
  idle-timeout: 3s
"""
GOOD = wrap("Pod", pod_spec([container(sc=GOOD_SC)], GOOD_POD_SC))


def serving(srv, what):
    try:
        _, r = srv.review(GOOD)
        ok = r["allowed"] is True
    except Exception as e:  # noqa: BLE001 - any failure to answer is the finding
        ok = False
        what += " (%s)" % e
    return expect(ok and srv.alive(), "%s: the server serves on" % what)


def bad_reviews(srv):
    rev = S.review(GOOD)
    cases = [
        (b"", "the body is not JSON"),
        (b"{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionRev",
         "the body is not JSON"),
        (b"\xff\xfe{}", "the body is not JSON"),
        (b"[1, 2, 3]", "not an AdmissionReview"),
        (json.dumps(dict(rev, apiVersion="admission.k8s.io/v1beta1")).encode(),
         "admissionReviewVersions: [v1]"),
        (json.dumps(dict(rev, kind="Pod")).encode(), "not an AdmissionReview"),
        (json.dumps({k: v for k, v in rev.items() if k != "request"}).encode(),
         "has no request"),
        (json.dumps(dict(rev, request=dict(rev["request"], uid=None))).encode(), "no uid"),
        (json.dumps(dict(rev, request={k: v for k, v in rev["request"].items()
                                       if k != "uid"})).encode(), "no uid"),
        (json.dumps(dict(rev, request=dict(rev["request"], uid=""))).encode(), "no uid"),
        (json.dumps(dict(rev, request=dict(rev["request"], object="Pod"))).encode(),
         "request.object is not an object"),
        (json.dumps(dict(rev, request=dict(rev["request"], kind="Pod"))).encode(),
         "request.kind needs"),
        (b'{"a":1,"a":2}', "the body is not JSON"),
        (b"[" * 1000000, "the body is not JSON"),
    ]
    for body, want in cases:
        status, _, data = srv.post("/validate", body)
        expect(status == 400 and want.encode() in data,
               "HTTP 400 for %r...: %r" % (body[:40], data[:90]))
    serving(srv, "after malformed reviews")


def big_bodies(srv):
    # 100 MB announced: the answer comes from the headers alone, before the body is sent.
    s = S.raw_tls(srv.port, srv.ca)
    s.sendall(b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: 104857600\r\n\r\n{\"apiVersion\":")
    s.settimeout(5)
    data = b""
    t0 = time.time()
    try:
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    expect(data.startswith(b"HTTP/1.1 413"), "a 100 MB Content-Length: 413 in %.2f s, with "
           "14 bytes of the body sent" % (time.time() - t0))
    # Whatever the client sends after that is not read: the connection is closed.
    sent = 0
    try:
        chunk = b" " * 65536
        while sent < 100 << 20:
            s.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass
    expect(sent < 16 << 20, "then the connection is closed: %.1f MB of 100 went out "
           "(socket buffers)" % (sent / 1e6))
    s.close()
    # Chunked, no length: cut off once past max-body.
    s = S.raw_tls(srv.port, srv.ca)
    s.sendall(b"POST /validate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    sent = 0
    piece = b"%x\r\n%s\r\n" % (65536, b"[" * 65536)
    try:
        while sent < 100 << 20:
            s.sendall(piece)
            sent += 65536
    except OSError:
        pass
    expect(sent < 16 << 20, "a chunked body is cut off past max-body: %.1f MB of 100 went "
           "out" % (sent / 1e6))
    s.close()
    # A compressed-body bomb: 1 GiB of zeros in about 1 MB of gzip. Never inflated.
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    zero = bytes(1 << 20)
    bomb = b"".join(z.compress(zero) for _ in range(1024)) + z.flush()
    rss0 = srv.rss_kb()
    # The answer comes from the headers, and the connection closes with the rest of the
    # body unread: sent through a raw socket, as a client that posts it whole would lose
    # the answer to the reset when its writes fail.
    s = S.raw_tls(srv.port, srv.ca)
    s.sendall(b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(bomb)
              + bomb[:4096])
    s.settimeout(5)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    s.close()
    expect(data.startswith(b"HTTP/1.1 415"), "a gzip bomb (%d KB for 1 GiB) with "
           "Content-Encoding: gzip: 415 (%r)" % (len(bomb) // 1024, data[:60]))
    status, _, data = srv.post("/validate", bomb)
    expect(status == 400, "the same bytes as a plain body: 400, not JSON")
    status, _, data = srv.post("/validate", gzip.compress(json.dumps(S.review(GOOD)).encode()),
                               headers={"Content-Encoding": "deflate, gzip"})
    expect(status == 415, "any Content-Encoding but identity: 415")
    expect(srv.rss_kb() < rss0 + 100000, "nothing was inflated: RSS %d KB, %d KB before" % (
        srv.rss_kb(), rss0))
    # The largest body allowed, one object of 4,000 containers: answered.
    many = wrap("Deployment", pod_spec([container("c%d" % i, sc={"runAsUser": 0})
                                        for i in range(4000)]))
    body = json.dumps(S.review(many))
    t0 = time.time()
    status, _, data = srv.post("/validate", body)
    ok = status == 200 and json.loads(data)["response"]["allowed"] is False
    expect(ok, "a %.1f MB Deployment of 4,000 root containers is judged (denied) in %.2f s"
           % (len(body) / 1e6, time.time() - t0))
    serving(srv, "after large bodies")


def trickle(sock, data, gap, stop):
    """Sends data a byte at a time; returns when the server closes or `stop` is set."""
    try:
        for b in data:
            if stop.is_set():
                return "stopped"
            sock.sendall(bytes([b]))
            time.sleep(gap)
        return "sent"
    except OSError:
        return "closed"


def slow_clients(srv):
    rev = json.dumps(S.review(GOOD)).encode()
    stages = {
        "the request line": b"POST /validate HTTP/1.1\r\n" * 4,
        "the headers": b"POST /validate HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 40,
        "the body": (b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
                     % len(rev) + rev),
    }
    results = {}
    stop = threading.Event()

    def one(name, data):
        s = S.raw_tls(srv.port, srv.ca)
        if name == "the body":
            head = data[:data.index(b"\r\n\r\n") + 4]
            s.sendall(head)
            data = data[len(head):]
        t0 = time.time()
        how = trickle(s, data, 0.5, stop)
        results[name] = (how, time.time() - t0)
        s.close()

    threads = [threading.Thread(target=one, args=(n, d)) for n, d in stages.items()
               for _ in range(10)]
    for t in threads:
        t.start()
    time.sleep(1)
    serving(srv, "while 30 clients send a byte every half second")
    for t in threads:
        t.join(20)
    stop.set()
    # request-timeout 2 s once the request line is in, idle-timeout 3 s before; the reaper
    # looks every second.
    for name in stages:
        how, took = results.get(name, ("?", 0))
        expect(how == "closed" and took < 6.5, "a byte a second in %s: closed after %.1f s"
               % (name, took))
    # A TCP client that never starts TLS.
    s = socket.create_connection(("127.0.0.1", srv.port))
    t0 = time.time()
    s.settimeout(10)
    try:
        s.recv(1)
    except OSError:
        pass
    expect(time.time() - t0 < 6, "a connection that never says a word is closed after %.1f s"
           % (time.time() - t0))
    s.close()
    serving(srv, "after slow clients")


def flood(srv):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 12000)
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    n = min(10000, want - 200)
    socks = []
    t0 = time.time()
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", srv.port))
        except BlockingIOError:
            pass
        except OSError:
            s.close()
            continue
        socks.append(s)
    rss_peak = srv.rss_kb()
    took = time.time() - t0
    serving(srv, "with %d idle connections open" % len(socks))
    # Every one is answered (closed by the server, as a TLS client that says nothing) or
    # dropped (never accepted: the kernel's backlog was full and it dropped the SYN; the
    # client's kernel would try again). None may stay open past the idle timeout.
    def state(s):
        try:
            if s.recv(1, socket.MSG_DONTWAIT) == b"":
                return "closed"
        except BlockingIOError:
            pass
        except OSError:
            return "closed"
        try:
            s.getpeername()
        except OSError:
            return "dropped"
        return "open"

    pending = set(socks)
    limit = 60 if S.SANITIZED else 15
    deadline = time.time() + limit
    closed = dropped = 0
    while time.time() < deadline:
        states = {s: state(s) for s in pending}
        pending = {s for s, st in states.items() if st != "closed"}
        rss_peak = max(rss_peak, srv.rss_kb())
        if all(st == "dropped" for st in states.values()) and time.time() > t0 + 4:
            break
        time.sleep(0.2)
    closed = len(socks) - len(pending)
    dropped = sum(1 for s in pending if state(s) == "dropped")
    pending = {s for s in pending if state(s) == "open"}
    m = srv.metrics()
    expect(not pending, "%d connections opened at once (in %.2f s): within %.1f s, %d closed "
           "by the server, %d never accepted (SYN dropped: backlog full), %d still open" % (
               len(socks), took, time.time() - t0, closed, dropped, len(pending)))
    expect(S.SANITIZED or rss_peak < 200 * 1024, "memory stays bounded: peak RSS %d MB%s" % (
        rss_peak // 1024, " (not checked under a sanitizer)" if S.SANITIZED else ""))
    expect(m.get("unroot_connections", 99) <= 2, "no connection left open (%s)" %
           m.get("unroot_connections"))
    for s in socks:
        s.close()
    serving(srv, "after 10,000 connections")
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def main():
    why = S.server_missing()
    if why:
        print("SKIP: %s" % why)
        return 77
    work = S.workdir("unroot-serve-hostile-")
    srv = None
    try:
        srv = S.Server(os.path.join(work, "srv"), config=CONFIG).start()
        rss0 = srv.rss_kb()
        bad_reviews(srv)
        big_bodies(srv)
        slow_clients(srv)
        flood(srv)
        expect(S.SANITIZED or srv.rss_kb() < 150 * 1024, "RSS at the end %d MB (%d MB at the "
               "start)%s" % (srv.rss_kb() // 1024, rss0 // 1024,
                            " (not checked under a sanitizer)" if S.SANITIZED else ""))
        rc = srv.stop()
        expect(rc == 0, "it still stops cleanly (exit 0)")
    finally:
        if srv:
            srv.stop()
        shutil.rmtree(work, ignore_errors=True)
    return S.summary()


if __name__ == "__main__":
    sys.exit(main())
