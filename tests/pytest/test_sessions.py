# SPDX-License-Identifier: Apache-2.0
"""Sessions: per-connection context, its free function, max_open_sockets with and
without LRU purge, stopping with clients connected, descriptor reuse."""
import random
import socket
import time

from conftest import HOST, body_req, get_req, post_req, response_bytes


def wait_for(pred, timeout=3.0, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


def test_adder_per_connection(server):
    with server.conn() as a, server.conn() as b:
        assert a.request(post_req("/adder", "5")).body == b"5"
        assert a.request(post_req("/adder", "3")).body == b"8"
        assert b.request(post_req("/adder", "10")).body == b"10"
        assert a.request(post_req("/adder", "1")).body == b"9"
        assert b.request(post_req("/adder", "-4")).body == b"6"


def test_adder_context_freed_on_close(server_factory):
    srv = server_factory()
    c = srv.conn()
    assert c.request(post_req("/adder", "7")).body == b"7"
    assert c.request(post_req("/adder", "35")).body == b"42"
    assert "ADDER_FREE" not in srv.stderr_text()
    c.close()
    assert wait_for(lambda: "ADDER_FREE 42\n" in srv.stderr_text())
    time.sleep(0.2)
    assert srv.stderr_text().count("ADDER_FREE") == 1


def test_adder_context_freed_on_error_close(server_factory):
    srv = server_factory()
    with srv.conn() as c:
        assert c.request(post_req("/adder", "3")).body == b"3"
        c.send(get_req("/fail"))
        c.assert_closed()
    assert wait_for(lambda: "ADDER_FREE 3\n" in srv.stderr_text())


def test_persistent_sockets_example(server_factory):
    """espidf-tests.md section 3 on one connection."""
    srv = server_factory()
    with srv.conn() as c:
        assert c.get("/login").body == b"1"
        assert c.get("/logout").body == b"1"         # the server frees the login context
        assert c.request(body_req("PUT", "/adder", "10")).body == b"10"
        assert srv.stderr_text().count("ADDER_ALLOC") == 1
        assert c.request(body_req("PUT", "/adder", "20")).body == b"20"
        assert srv.stderr_text().count("ADDER_ALLOC") == 1
        total = 20
        rnd = random.Random(1234)
        for _ in range(100):
            n = rnd.randint(0, 100)
            total += n
            assert c.request(post_req("/adder", str(n))).body == str(total).encode()
        assert c.get("/adder").body == str(total).encode()
        assert "ADDER_FREE" not in srv.stderr_text()
    assert wait_for(lambda: "ADDER_FREE %d\n" % total in srv.stderr_text())
    with srv.conn() as c:
        assert c.request(body_req("PUT", "/adder", "5")).body == b"5"
        assert srv.stderr_text().count("ADDER_ALLOC") == 2
    assert wait_for(lambda: "ADDER_FREE 5\n" in srv.stderr_text())


def test_login_replaces_adder_context(server_factory):
    srv = server_factory()
    with srv.conn() as c:
        assert c.request(post_req("/adder", "9")).body == b"9"
        assert c.get("/login").body == b"1"       # old context freed by its own free fn
        assert wait_for(lambda: "ADDER_FREE 9\n" in srv.stderr_text())
        assert c.get("/adder").body == b"1"
    # the login context has no free fn (free()): LeakSanitizer checks it at exit


def test_contexts_freed_at_stop(server_factory):
    srv = server_factory()
    conns = [srv.conn() for _ in range(3)]
    try:
        for i, c in enumerate(conns):
            assert c.request(post_req("/adder", str(100 + i))).body == str(100 + i).encode()
        assert srv.stop() == 0
        err = srv.stderr_text()
        for i in range(3):
            assert err.count("ADDER_FREE %d\n" % (100 + i)) == 1, err[-3000:]
    finally:
        for c in conns:
            c.close()


def test_max_sockets_without_lru_waits(server_factory):
    srv = server_factory("--max-sockets", "3")
    conns = [srv.conn() for _ in range(3)]
    extra = None
    try:
        for c in conns:
            assert c.get("/hello").status == 200
        extra = srv.conn()          # the kernel completes the handshake
        extra.send(get_req("/hello"))
        extra.assert_open(1.0)      # but the server does not serve it
        for c in conns:
            assert c.get("/hello").status == 200
        conns[0].close()
        assert extra.read_response(timeout=3).raw == response_bytes("Hello World!")
        # the others are untouched
        assert conns[1].get("/hello").status == 200
        assert conns[2].get("/hello").status == 200
    finally:
        for c in conns:
            c.close()
        if extra:
            extra.close()


def test_lru_purge(server_factory):
    srv = server_factory("--max-sockets", "3", "--lru")
    c1, c2, c3 = (srv.conn() for _ in range(3))
    extra = None
    try:
        assert c1.get("/hello").status == 200
        assert c2.get("/hello").status == 200
        assert c3.get("/hello").status == 200
        assert c1.get("/hello").status == 200     # c2 is now the least recently used
        extra = srv.conn()
        extra.send(get_req("/hello"))
        assert extra.read_response(timeout=3).raw == response_bytes("Hello World!")
        c2.assert_closed(timeout=3)
        assert c1.get("/hello").status == 200
        assert c3.get("/hello").status == 200
        assert extra.get("/hello").status == 200
    finally:
        for c in (c1, c2, c3, extra):
            if c:
                c.close()


def test_lru_purge_many_connects(server_factory):
    # simple example's lru test: many clients connect and hold; new ones keep being served
    srv = server_factory("--max-sockets", "3", "--lru")
    held = []
    try:
        for _ in range(10):
            c = srv.conn()
            c.send(get_req("/hello"))
            assert c.read_response(timeout=3).status == 200
            held.append(c)
        closed = 0
        for c in held[:-3]:
            c.assert_closed(timeout=3)
            closed += 1
        assert closed == 7
        for c in held[-3:]:
            assert c.get("/hello").status == 200
    finally:
        for c in held:
            c.close()


def test_descriptor_reuse(server):
    # many short connections: descriptors are released (no fd leak)
    with server.conn() as c:
        first = int(c.get("/sockfd").body)
    for _ in range(200):
        s = socket.create_connection((HOST, server.port), timeout=5)
        s.settimeout(5)
        s.sendall(get_req("/hello", [("Connection", "close")]))
        data = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            data += d
        s.close()
        assert data.endswith(b"Hello World!")
    time.sleep(0.2)
    with server.conn() as c:
        assert int(c.get("/sockfd").body) <= first + 8


def test_stop_with_half_sent_heads(server_factory):
    srv = server_factory("--max-sockets", "24")
    conns = []
    try:
        for i in range(20):
            c = srv.conn()
            c.send([b"GET /hello HTTP/1.1\r\nHo", b"G", b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-"][i % 3])
            conns.append(c)
        time.sleep(0.3)
        t0 = time.monotonic()
        assert srv.stop() == 0, srv.stderr_text()[-3000:]
        assert time.monotonic() - t0 < 8
        for c in conns:
            c.assert_closed(timeout=3, allow_data=True)
    finally:
        for c in conns:
            c.close()


def test_stop_with_handler_waiting_for_body(server_factory):
    srv = server_factory("--recv-timeout", "2")
    with srv.conn() as c:
        c.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part")
        time.sleep(0.3)
        t0 = time.monotonic()
        assert srv.stop() == 0, srv.stderr_text()[-3000:]
        assert time.monotonic() - t0 < 8


def test_stop_with_idle_keepalive_and_busy_clients(server_factory):
    srv = server_factory("--send-timeout", "2")
    idle = [srv.conn() for _ in range(5)]
    try:
        for c in idle:
            assert c.get("/hello").status == 200
        streaming = srv.conn(timeout=10)
        streaming.send(get_req("/big?n=%d" % (32 << 20)))   # a response that will not fit in socket buffers
        time.sleep(0.3)
        assert srv.stop() == 0
        streaming.close()
    finally:
        for c in idle:
            c.close()
