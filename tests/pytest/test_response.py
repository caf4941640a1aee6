# SPDX-License-Identifier: Apache-2.0
"""Response generation: exact wire format of httpd_resp_send, chunked responses,
custom headers and their limit, header-injection guard, send_err / custom_err."""
import socket
import struct
import time

import pytest

from conftest import (ERR_CODES, ERRORS, HOST, Conn, chunked_bytes, get_req, response_bytes)


def test_status_500_set_by_handler_keeps_connection(server):
    with server.conn() as c:
        r = c.get("/hello/status_500")
        assert r.raw == response_bytes("Hello World!", status="500 Internal Server Error")
        assert c.get("/hello").raw == response_bytes("Hello World!")


@pytest.mark.parametrize("n", [0, 1, 3, 17, 300])
def test_chunked_stream_exact(server, n):
    with server.conn() as c:
        c.send(get_req("/stream?n=%d" % n))
        r = c.read_response()
        assert r.raw == chunked_bytes(["chunk%d\n" % i for i in range(n)])
        assert r.header("Content-Length") is None
        assert c.get("/hello").status == 200


def test_chunked_stream_default(server):
    with server.conn() as c:
        assert c.get("/stream").raw == chunked_bytes(["chunk0\n", "chunk1\n", "chunk2\n"])


def test_request_headers_readable_after_send(server):
    with server.conn() as c:
        c.send(get_req("/hdr_after_send", [("X-Test", "still here")]))
        r = c.read_response()
        assert r.raw == chunked_bytes(["a", "still here"])
        # a 30-byte chunk: its size line is lowercase hex "1e"
        c.send(get_req("/hdr_after_send", [("X-Test", "z" * 30)]))
        r = c.read_response()
        assert r.raw == chunked_bytes(["a", "z" * 30]) and b"\r\n1e\r\n" in r.raw
        c.send(get_req("/hdr_after_send"))
        assert c.read_response().raw == chunked_bytes(["a", "<ESP_ERR_NOT_FOUND>"])


def test_resp_headers_limit_and_injection(server):
    with server.conn() as c:
        r = c.get("/resp_headers")
    body = "ESP_ERR_HTTPD_RESP_HDR\ninj=" + ",".join(["ESP_ERR_INVALID_ARG"] * 5)
    hdrs = [("X-H%d" % i, "v%d" % i) for i in range(8)]
    assert r.raw == response_bytes(body, headers=hdrs)


@pytest.mark.parametrize("n", [1, 3, 20])
def test_resp_headers_configured_limit(server_factory, n):
    srv = server_factory("--max-resp-headers", str(n))
    r = srv.get("/resp_headers")
    body = "ESP_ERR_HTTPD_RESP_HDR\ninj=" + ",".join(["ESP_ERR_INVALID_ARG"] * 5)
    assert r.raw == response_bytes(body, headers=[("X-H%d" % i, "v%d" % i) for i in range(n)])


def test_custom_header_echo(server):
    with server.conn() as c:
        r = c.request(b"POST /echo HTTP/1.1\r\nHost: x\r\nCustom: SomeValue\r\nContent-Length: 2\r\n\r\nhi")
        assert r.raw == response_bytes("hi", headers=[("Custom", "SomeValue")])


@pytest.mark.parametrize("code", sorted(ERR_CODES))
def test_send_err_default_messages(server, code):
    # sent by a handler that returns ESP_OK: no Connection: close, connection kept
    status, msg = ERRORS[code]
    with server.conn() as c:
        r = c.get("/err?c=%d" % ERR_CODES[code])
        assert r.raw == response_bytes(msg, status=status)
        assert c.get("/hello").raw == response_bytes("Hello World!")


@pytest.mark.parametrize("code", [400, 404, 408, 500])
def test_send_err_custom_message(server, code):
    status, _ = ERRORS[code]
    with server.conn() as c:
        assert c.get("/err_msg?c=%d" % ERR_CODES[code]).raw == response_bytes("custom message", status=status)
        assert c.get("/hello").status == 200


def test_send_err_invalid_code(server):
    with server.conn() as c:
        r = c.get("/err?c=13")
        assert r.status == 200
        assert r.body.startswith(b"send_err=") and r.body != b"send_err=ESP_OK"
        assert c.get("/hello").status == 200


def test_custom_err(server):
    with server.conn() as c:
        r = c.get("/custom_err")
        assert r.raw == b"HTTP/1.1 418 I'm a teapot\r\nContent-Type: text/html\r\nContent-Length: 15\r\n\r\nshort and stout"
        assert c.get("/hello").status == 200


def test_handler_connection_close_header(server):
    with server.conn() as c:
        c.send(get_req("/conn_close_hdr"))
        data = c.read_until_close(timeout=5)
        # the handler's own Connection header, not a second one
        assert data == response_bytes("bye", headers=[("Connection", "close")])


def test_connection_close_after_the_head_keeps_the_connection(server):
    """A Connection: close set once a chunked head went out cannot reach the client,
    which was told the connection stays: it stays (closing would break the client's
    next request on it)."""
    with server.conn() as c:
        r = c.get("/conn_close_late")
        assert r.status == 200 and r.body == b"ab" and r.header("Connection") is None
        assert c.get("/hello").status == 200


def test_async_work_second_response(server):
    with server.conn() as c:
        c.send(get_req("/async_data"))
        assert c.read_response().raw == response_bytes("Hello World!")
        assert c.read_response().raw == response_bytes("Hello Double World!")
        assert c.get("/hello").status == 200


def test_client_reset_during_big_response(server):
    # the server must survive a peer that resets while it sends (no SIGPIPE, no crash)
    for _ in range(3):
        c = server.conn()
        c.send(get_req("/big?n=%d" % (16 << 20)))
        c.read_exact(1000)
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()
    for _ in range(3):
        c = server.conn()
        c.send(get_req("/big?n=%d" % (16 << 20)))
        c.read_exact(1000)
        c.close()            # FIN with unread data: RST from our side as well
    assert server.get("/hello").status == 200


def test_response_to_connection_close_request(server):
    with server.conn() as c:
        c.send(get_req("/stream?n=2", [("Connection", "close")]))
        data = c.read_until_close()
        expect = chunked_bytes(["chunk0\n", "chunk1\n"]).replace(
            b"Transfer-Encoding: chunked\r\n", b"Transfer-Encoding: chunked\r\nConnection: close\r\n")
        assert data == expect


# ---- Small chunks gather (CONFIG_HTTPD_CHUNK_HOLD_LEN) but never wait on the handler ----

def chunk_pattern(i, n):
    """Chunk i of /chunk_sizes: byte j = 'a' + (i + j) % 26."""
    alphabet = bytes(range(ord("a"), ord("a") + 26))
    return (alphabet * (n // 26 + 2))[i % 26:i % 26 + n]


@pytest.mark.parametrize("sizes", [
    [1, 2, 3],
    [4096] * 9,                                 # several gather, the next one does not fit
    [100, 16384, 5, 16383, 16385, 7, 40000, 1],  # around and beyond the held room
    list(range(1, 200, 7)) + [65536],
    [30000, 30000, 30000, 5],                   # more than 64 KiB held (the clang build gathers 96 KiB)
    [4096] * 30,                                # beyond 96 KiB: those held leave with the next
    [65536, 65536, 1],
])
def test_gathered_chunks_byte_exact(server, sizes):
    with server.conn() as c:
        for _ in range(2):   # and again on the same connection: nothing left over
            r = c.get("/chunk_sizes?s=" + ",".join(str(n) for n in sizes))
            expect = [chunk_pattern(i, n) for i, n in enumerate(sizes)]
            assert r.raw == chunked_bytes(expect)


def test_chunk_not_held_while_handler_waits_to_receive(server):
    """The handler sends a small chunk, then waits in httpd_req_recv() for a body the
    client sends only once it has that chunk: it must arrive without a later send."""
    with server.conn() as c:
        for body in (b"hello", b"x" * 64):
            c.send(b"POST /chunk_then_recv HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   b"Content-Length: %d\r\n\r\n" % len(body))
            head = c.read_until(b"\r\n\r\n", timeout=3)
            assert b"Transfer-Encoding: chunked" in head
            assert c.read_until(b"6\r\nready\n\r\n", timeout=3) == b"6\r\nready\n\r\n"
            c.send(body)
            got = b"got:" + body
            assert c.read_until(b"0\r\n\r\n", timeout=3) == b"%x\r\n%s\r\n0\r\n\r\n" % (len(got), got)


def test_chunk_pushed_by_empty_raw_send(server):
    """httpd_send(req, NULL, 0) pushes the gathered chunks: the handler then pauses outside
    the API (2 s) and the chunk must be there well before."""
    with server.conn() as c:
        c.send(get_req("/chunk_push"))
        c.read_until(b"\r\n\r\n", timeout=1.5)
        assert c.read_until(b"1\r\na\r\n", timeout=1.5) == b"1\r\na\r\n"
        assert c.read_until(b"0\r\n\r\n", timeout=5) == b"0\r\n\r\n"


@pytest.mark.parametrize("hdr_len", [100, 512])
def test_status_and_type_over_max_req_hdr_len(server_factory, hdr_len):
    """Upstream's rule: the status line, Content-Type and Content-Length lines (without their
    line break) plus 33 within max_req_hdr_len, else httpd_resp_send refuses with
    ESP_ERR_HTTPD_RESP_HDR and nothing goes out; exact at the boundary, also for types
    longer than the head a fast build builds on its stack."""
    srv = server_factory("--framing", "--max-hdr-len", str(hdr_len))
    # "HTTP/1.1 200 OK\r\nContent-Type: " (31) + type + "\r\nContent-Length: 2" (19) + 6
    fit = hdr_len - 56
    with srv.conn() as c:
        for n in (2, fit - 1, fit):
            ctype = "x/" + "a" * (n - 2)
            assert c.request(get_req("/typelen?n=%d" % n)).raw == response_bytes("ok", ctype=ctype)
        for n in (fit + 1, fit + 50):
            r = c.request(get_req("/typelen?n=%d" % n))
            assert r.raw == response_bytes("ESP_ERR_HTTPD_RESP_HDR")


def _server_side_queues(port, peer_port):
    """(send queue, receive queue) in bytes of the server's end of a loopback connection,
    from /proc/net/tcp and tcp6 (Linux); None when not found."""
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(name).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if int(f[1].rsplit(":", 1)[1], 16) == port and int(f[2].rsplit(":", 1)[1], 16) == peer_port:
                tx, rx = f[4].split(":")
                return int(tx, 16), int(rx, 16)
    return None


def test_small_responses_to_a_client_that_reads_late(server_factory):
    """Small responses (head and body in one buffer: one send each) to a client that sends
    requests one at a time and reads nothing until it has sent them all. The server's
    socket has a 4 KiB send buffer (--sndbuf) and the client a 4 KiB receive buffer, so a
    send meets a full socket, is cut short or refused, and the handler waits: the server
    stops reading that connection while another client is served. Once the client reads,
    every response arrives whole, byte-exact and in order."""
    srv = server_factory("--framing", "--sndbuf", "4096")
    n, k = 400, 300   # 300 responses of 456 bytes: 137 KB against about 16 KB of buffers
    want = response_bytes("ok", ctype="x/" + "a" * (n - 2))
    req = get_req("/typelen?n=%d" % n)
    # A small receive buffer set before connecting: a small window from the start, and no
    # autotuning (set later, it would drop segments already in flight)
    c = Conn(HOST, srv.port, timeout=30, connect=False)
    try:
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        c.sock.connect((HOST, srv.port))
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(k):
            c.send(req)
            time.sleep(0.002)   # (each request finds the server idle: it is answered alone)
        time.sleep(0.2)
        q = _server_side_queues(srv.port, c.sock.getsockname()[1])
        assert q is not None, "the server's end of the connection is not in /proc/net/tcp*"
        assert q[1] > 0, "the server read every request: its sends never met a full socket (queues %r)" % (q,)
        with srv.conn() as other:
            assert other.request(get_req("/hello")).status == 200
        got = c.read_exact(len(want) * k, timeout=30)
        assert got == want * k
    finally:
        c.close()
