# SPDX-License-Identifier: Apache-2.0
"""HTTPS (esp_https_server on mbedTLS): the tls_server firmware (tests/server_tls) against
curl and Python's ssl module, with a test CA made at test time by the openssl command
line tool: requests and keep-alive, pipelining inside one TLS record, certificate
forms, mutual TLS, protocol mix-ups (plain HTTP to the TLS port, TLS to the plain port),
truncated, garbage and stalled handshakes (which must not hold up other clients),
WebSocket over TLS with async pushes, and sequential and concurrent handshakes with
no descriptor or heap growth."""
import hashlib
import os
import random
import shutil
import socket
import ssl
import subprocess
import threading
import time

import pytest

from conftest import BUILD_DIR, HOST, Conn, Firmware, start_server
from test_hardening import IDLE_S, short_idle
from test_ws import OP_TEXT, frame, new_key, accept_for

TLS_SERVER = "tls_server"

pytestmark = pytest.mark.skipif(not (BUILD_DIR / TLS_SERVER).exists(), reason="built without the HTTPS library (no mbedTLS)")


# ---- The test PKI -------------------------------------------------------------------

def _openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True, timeout=60)


def _ec_key_and_csr(d, name, cn):
    _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn, cwd=d)


def _sign(d, name, ca, ext=None):
    args = ["x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
            "-CAcreateserial", "-out", name + ".pem", "-days", "2"]
    if ext:
        with open(os.path.join(d, name + ".ext"), "w", encoding="ascii") as fh:
            fh.write(ext)
        args += ["-extfile", name + ".ext"]
    _openssl(*args, cwd=d)


def _ca(d, name, cn):
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", name + ".key", "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + cn, cwd=d)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A test CA, a server certificate for localhost / 127.0.0.1 signed by it (PEM and
    DER), a client certificate signed by it, and one signed by another CA."""
    if not shutil.which("openssl"):
        pytest.skip("no openssl command line tool")
    d = str(tmp_path_factory.mktemp("pki"))
    _ca(d, "ca", "httpd test CA")
    _ca(d, "rogue", "someone else's CA")
    _ec_key_and_csr(d, "server", "localhost")
    _sign(d, "server", "ca", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    _ec_key_and_csr(d, "client", "test client")
    _sign(d, "client", "ca", "extendedKeyUsage=clientAuth\n")
    _ec_key_and_csr(d, "intruder", "intruder")
    _sign(d, "intruder", "rogue", "extendedKeyUsage=clientAuth\n")
    _openssl("x509", "-in", "server.pem", "-outform", "der", "-out", "server.der", cwd=d)
    _openssl("pkey", "-in", "server.key", "-outform", "der", "-out", "server.key.der", cwd=d)
    return type("Pki", (), {k: os.path.join(d, v) for k, v in {
        "dir": "", "ca": "ca.pem", "cert": "server.pem", "key": "server.key", "cert_der": "server.der",
        "key_der": "server.key.der", "client_cert": "client.pem", "client_key": "client.key",
        "intruder_cert": "intruder.pem", "intruder_key": "intruder.key"}.items()})


def start_tls(firmware, pki, *extra, cert=None, key=None):
    return firmware(TLS_SERVER, "--cert", cert or pki.cert, "--key", key or pki.key, *extra)


@pytest.fixture(scope="module")
def tls_module(pki):
    fw = Firmware(TLS_SERVER, ["--cert", pki.cert, "--key", pki.key])
    fw.start()
    yield fw
    problems = fw.problems()
    assert not problems, problems


@pytest.fixture
def tls(tls_module):
    assert tls_module.alive()
    yield tls_module
    assert tls_module.alive(), tls_module.stderr_text()[-4000:]


def client_ctx(pki, cert=None, key=None):
    ctx = ssl.create_default_context(cafile=pki.ca)
    ctx.check_hostname = True
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


class TlsConn(Conn):
    """A Conn over TLS (verified against the test CA, server name localhost)."""

    def __init__(self, port, ctx, timeout=5.0, session=None):
        super().__init__(HOST, port, timeout=timeout)
        self.sock = ctx.wrap_socket(self.sock, server_hostname="localhost", session=session)


def get(port, ctx, path="/hello", **kw):
    with TlsConn(port, ctx, **kw) as c:
        return c.request("GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % path)


def stats(port, pki):
    text = get(port, client_ctx(pki), "/stats").text
    return dict((k, int(v)) for k, v in (p.split("=") for p in text.split()))


# ---- Requests -------------------------------------------------------------------------

def test_curl_with_the_test_ca(tls, pki):
    out = subprocess.run(["curl", "-sS", "--max-time", "10", "--cacert", pki.ca, "--resolve",
                          "localhost:%d:127.0.0.1" % tls.port, "https://localhost:%d/hello" % tls.port],
                         capture_output=True, timeout=20)
    assert out.returncode == 0, out.stderr
    assert out.stdout == b"Hello TLS"


def test_curl_refuses_a_server_it_cannot_verify(tls):
    out = subprocess.run(["curl", "-sS", "--max-time", "10", "https://127.0.0.1:%d/hello" % tls.port],
                         capture_output=True, timeout=20)
    assert out.returncode == 60, out   # SSL certificate problem: the server is not trusted blindly


def test_keepalive_requests_on_one_session(tls, pki):
    with TlsConn(tls.port, client_ctx(pki)) as c:
        for _ in range(20):
            r = c.request("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n")
            assert r.status == 200 and r.body == b"Hello TLS"


def test_pipelined_requests_in_one_tls_record(tls, pki):
    """200 requests in one write are one TLS record (6.6 KB), more than the server reads
    at once: it must serve all of them although the socket signals the record once
    (the decrypted rest waits in the TLS layer: the pending override)."""
    with TlsConn(tls.port, client_ctx(pki)) as c:
        c.send(b"GET /hello HTTP/1.1\r\nHost: a\r\n\r\n" * 200)
        for _ in range(200):
            r = c.read_response()
            assert r.status == 200 and r.body == b"Hello TLS"


def test_large_upload_and_download(tls, pki):
    body = os.urandom(1 << 20)
    with TlsConn(tls.port, client_ctx(pki), timeout=20) as c:
        c.send(b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        r = c.read_response(timeout=20)
        assert r.status == 200 and r.body == body
        r = c.request("GET /big?n=%d HTTP/1.1\r\nHost: a\r\n\r\n" % (3 << 20), timeout=20)
        assert r.status == 200 and len(r.body) == 3 << 20
        assert r.body[:52] == bytes(range(97, 123)) * 2


def test_der_certificate_and_key(firmware, pki):
    fw = start_tls(firmware, pki, cert=pki.cert_der, key=pki.key_der)
    assert get(fw.port, client_ctx(pki)).body == b"Hello TLS"


def test_session_ticket_resumption(firmware, pki):
    fw = start_tls(firmware, pki, "--tickets")
    ctx = client_ctx(pki)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2   # (mbedTLS 2.28 serves TLS 1.2)
    with TlsConn(fw.port, ctx) as c:
        c.request("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        session = c.sock.session
        assert not c.sock.session_reused
    # A resumed handshake can finish as soon as the client's first bytes are read (the
    # server's Finished goes first): the request that follows it at once must be served.
    for _ in range(30):
        with TlsConn(fw.port, ctx, session=session) as c:
            assert c.request("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n", timeout=3).body == b"Hello TLS"
            assert c.sock.session_reused


# ---- Mutual TLS -----------------------------------------------------------------------

def test_mutual_tls_accepts_a_client_certificate_of_the_ca(firmware, pki):
    fw = start_tls(firmware, pki, "--ca", pki.ca)
    r = get(fw.port, client_ctx(pki, pki.client_cert, pki.client_key))
    assert r.status == 200 and r.body == b"Hello TLS"
    out = subprocess.run(["curl", "-sS", "--max-time", "10", "--cacert", pki.ca, "--cert", pki.client_cert,
                          "--key", pki.client_key, "--resolve", "localhost:%d:127.0.0.1" % fw.port,
                          "https://localhost:%d/hello" % fw.port], capture_output=True, timeout=20)
    assert out.returncode == 0 and out.stdout == b"Hello TLS", out.stderr


@pytest.mark.parametrize("who", ["no certificate", "another CA's certificate"])
def test_mutual_tls_refuses(firmware, pki, who):
    fw = start_tls(firmware, pki, "--ca", pki.ca)
    ctx = client_ctx(pki, *((pki.intruder_cert, pki.intruder_key) if who != "no certificate" else ()))
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    with pytest.raises((ssl.SSLError, ConnectionError, socket.timeout)):
        get(fw.port, ctx)
    # the server goes on, and counted the failed handshake
    assert get(fw.port, client_ctx(pki, pki.client_cert, pki.client_key)).body == b"Hello TLS"
    assert stats_mtls(fw.port, pki)["errors"] >= 1


def stats_mtls(port, pki):
    text = get(port, client_ctx(pki, pki.client_cert, pki.client_key), "/stats").text
    return dict((k, int(v)) for k, v in (p.split("=") for p in text.split()))


# ---- Wrong protocol, bad handshakes -------------------------------------------------------

@pytest.fixture(scope="module")
def hello_bytes():
    ctx = ssl.create_default_context()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    with pytest.raises(ssl.SSLWantReadError):
        obj.do_handshake()
    data = outgoing.read()
    assert data[:1] == b"\x16" and len(data) > 100
    return data


def test_plain_http_to_the_tls_port_is_closed(tls, pki):
    with Conn(HOST, tls.port) as c:
        c.send(b"GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        data = c.read_until_close(timeout=5)
        assert b"HTTP/1.1" not in data   # a TLS alert at most, never a plain answer
    assert get(tls.port, client_ctx(pki)).body == b"Hello TLS"


def test_tls_client_hello_to_a_plain_server_gets_400_and_close(hello_bytes):
    srv = start_server()
    try:
        with Conn(HOST, srv.port) as c:
            c.send(hello_bytes)
            data = c.read_until_close(timeout=5)
            assert data.startswith(b"HTTP/1.1 400 Bad Request\r\n"), data[:80]
        with pytest.raises((ssl.SSLError, ConnectionError)):
            with socket.create_connection((HOST, srv.port), timeout=5) as s:
                ssl.create_default_context().wrap_socket(s, server_hostname="localhost")
        with Conn(HOST, srv.port) as c:
            assert c.request("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n").status == 200
    finally:
        srv.assert_clean_exit()


@pytest.mark.parametrize("cut", [1, 5, 20, 100, -1])
def test_truncated_client_hello(tls, pki, hello_bytes, cut):
    """A ClientHello cut short and the connection closed: the server frees the session
    and goes on."""
    with Conn(HOST, tls.port) as c:
        c.send(hello_bytes[:cut])
    assert get(tls.port, client_ctx(pki)).body == b"Hello TLS"


# (the random junk is seeded: a failure comes back with the same bytes)
@pytest.mark.parametrize("junk", [b"\x00" * 64, b"\x16\x03\x01\xff\xff" + b"A" * 300, random.Random(2048).randbytes(2048),
                                  b"\x15\x03\x03\x00\x02\x02\x28"],
                         ids=["zeros", "oversized record", "random", "alert first"])
def test_garbage_handshake_is_closed(tls, pki, junk):
    before = stats(tls.port, pki)["errors"]
    with Conn(HOST, tls.port) as c:
        c.send(junk)
        c.read_until_close(timeout=5)
    assert get(tls.port, client_ctx(pki)).body == b"Hello TLS"
    assert stats(tls.port, pki)["errors"] > before


def test_stalled_handshakes_do_not_hold_up_other_clients(firmware, pki, hello_bytes):
    """Clients that connect and say nothing, or stop half-way through the ClientHello,
    never make others wait: 20 requests on fresh TLS connections each take well under
    a second while they sit there."""
    fw = start_tls(firmware, pki)
    silent = [Conn(HOST, fw.port) for _ in range(3)]
    halves = [Conn(HOST, fw.port).send(hello_bytes[: len(hello_bytes) // 2]) for _ in range(3)]
    try:
        ctx = client_ctx(pki)
        for _ in range(20):
            t0 = time.monotonic()
            assert get(fw.port, ctx).body == b"Hello TLS"
            assert time.monotonic() - t0 < 1.0
    finally:
        for c in silent + halves:
            c.close()


def test_slow_handshake_fails_at_the_handshake_timeout(firmware, pki, hello_bytes):
    """A client that keeps dribbling its ClientHello is cut off once the handshake has
    run longer than tls_handshake_timeout_ms."""
    fw = start_tls(firmware, pki, "--handshake-ms", "1000")
    with Conn(HOST, fw.port, timeout=10) as c:
        t0 = time.monotonic()
        closed = False
        for b in hello_bytes:
            try:
                c.sock.sendall(bytes([b]))
            except OSError:
                closed = True
                break
            time.sleep(0.1)
            if time.monotonic() - t0 > 6:
                break
        if not closed:
            c.read_until_close(timeout=5)
        assert time.monotonic() - t0 < 6
    assert stats(fw.port, pki)["errors"] >= 1


@short_idle
def test_silent_client_closed_at_the_idle_timeout(firmware, pki, hello_bytes):
    fw = start_tls(firmware, pki)
    with Conn(HOST, fw.port, timeout=IDLE_S + 5) as silent, Conn(HOST, fw.port, timeout=IDLE_S + 5) as half:
        half.send(hello_bytes[:50])
        silent.assert_closed(timeout=IDLE_S + 3)
        half.assert_closed(timeout=3)


# ---- WebSocket over TLS ---------------------------------------------------------------------

class Wss(TlsConn):
    def handshake(self):
        key = new_key()
        r = self.request("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % key, head=True)
        assert r.status == 101 and r.header("sec-websocket-accept") == accept_for(key)
        return self

    def recv_text(self, timeout=5):
        head = self.read_exact(2, timeout=timeout)
        assert head[0] == 0x81, head
        n = head[1] & 0x7F
        if n == 126:
            n = int.from_bytes(self.read_exact(2, timeout=timeout), "big")
        return self.read_exact(n, timeout=timeout) if n else b""


def test_wss_echo(tls, pki):
    with Wss(tls.port, client_ctx(pki)) as w:
        w.handshake()
        for text in (b"hello", b"x" * 125, b"y" * 126, b"z" * 4000):
            w.send(frame(OP_TEXT, text))
            assert w.recv_text() == text


def test_wss_frames_in_one_tls_record(tls, pki):
    """60 frames of 100 bytes in one write are one TLS record, more than the server reads
    at once: every one is answered."""
    with Wss(tls.port, client_ctx(pki)) as w:
        w.handshake()
        msgs = [(b"m%02d" % i) * 25 for i in range(60)]
        w.send(b"".join(frame(OP_TEXT, m) for m in msgs))
        assert [w.recv_text() for _ in range(60)] == msgs


def test_wss_async_pushes(tls, pki):
    with Wss(tls.port, client_ctx(pki)) as w:
        w.handshake()
        w.send(frame(OP_TEXT, b"push 200"))
        assert [w.recv_text() for _ in range(200)] == [b"push %d" % i for i in range(200)]
        w.send(frame(OP_TEXT, b"still here"))
        assert w.recv_text() == b"still here"


def test_wss_with_the_websockets_library(tls, pki):
    asyncio = pytest.importorskip("asyncio")
    websockets = pytest.importorskip("websockets")

    async def run():
        async with websockets.connect("wss://localhost:%d/ws" % tls.port, ssl=client_ctx(pki),
                                      host="127.0.0.1", port=tls.port, server_hostname="localhost") as ws:
            await ws.send("over wss")
            return await asyncio.wait_for(ws.recv(), 5)

    assert asyncio.run(run()) == "over wss"


# ---- Many handshakes --------------------------------------------------------------------------

def test_200_sequential_handshakes_no_fd_or_heap_growth(firmware, pki):
    fw = start_tls(firmware, pki)
    ctx = client_ctx(pki)
    for _ in range(5):
        get(fw.port, ctx)
    before = stats(fw.port, pki)
    for _ in range(200):
        assert get(fw.port, ctx).body == b"Hello TLS"
    time.sleep(0.2)
    after = stats(fw.port, pki)
    assert after["fds"] == before["fds"], (before, after)
    assert after["heap"] - before["heap"] < 8192, (before, after)
    assert after["created"] - before["created"] == 201 and after["errors"] == 0
    assert after["opened"] - before["opened"] == 201   # the application's open_fn, after each handshake


def concurrent_hellos(port, ctx, n, connect_together=False, hold=0.0):
    """GET /hello over TLS from n threads at once; returns each body (or its error).
    The threads meet at a barrier after their handshakes, so the requests go together,
    or with connect_together before they connect, so the connections do. hold: seconds
    each keeps its connection open after its answer."""
    results, barrier = [], threading.Barrier(n)

    def one():
        try:
            if connect_together:
                barrier.wait(timeout=20)
            with TlsConn(port, ctx, timeout=20) as c:
                if not connect_together:
                    barrier.wait(timeout=20)
                results.append(c.request("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n", timeout=20).body)
                time.sleep(hold)
        except Exception as e:   # noqa: BLE001 - reported by the caller's assertion
            results.append(repr(e))

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_default_four_sockets_serve_a_burst_of_browser_connections(firmware, pki):
    """HTTPD_SSL_CONFIG_DEFAULT's 4 sockets with LRU purging, and 8 clients that connect
    at once and keep their connection, as a browser opening a page does: every one gets
    its answer. A session whose handshake or first request is under way is not purged
    for a newcomer (which waits in the backlog until a session has been served)."""
    fw = start_tls(firmware, pki, "--max-sockets", "4")
    # connected at once, each kept open a while after its answer, as a browser keeps it
    assert concurrent_hellos(fw.port, client_ctx(pki), 8, connect_together=True, hold=0.5) == [b"Hello TLS"] * 8


def test_50_concurrent_handshakes(firmware, pki):
    fw = start_tls(firmware, pki, "--max-sockets", "64")
    ctx = client_ctx(pki)
    get(fw.port, ctx)
    before = stats(fw.port, pki)
    assert concurrent_hellos(fw.port, ctx, 50) == [b"Hello TLS"] * 50
    time.sleep(0.3)
    after = stats(fw.port, pki)
    assert after["fds"] == before["fds"], (before, after)
    assert after["heap"] - before["heap"] < 8192, (before, after)
    assert after["open"] == 1   # only the stats request's own connection
