# SPDX-License-Identifier: Apache-2.0
"""Basic serving, process lifecycle of test_server, IPv6, concurrency."""
import signal
import socket
import struct
import subprocess
import threading

import pytest

from conftest import (HOST, SERVER_BIN, Conn, get_req, ipv6_loopback_available, response_bytes,
                      run_expect_start_failure, start_server)


def test_hello_exact_bytes(server):
    r = server.get("/hello")
    assert r.raw == response_bytes("Hello World!")


def test_hello_type_html_exact_bytes(server):
    r = server.get("/hello/type_html")
    assert r.raw == b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 12\r\n\r\nHello World!"


def test_no_date_or_server_headers(server):
    r = server.get("/hello")
    names = [k.lower() for k, _ in r.headers]
    assert names == ["content-type", "content-length"]


def test_keep_alive_many_requests_one_connection(server):
    with server.conn() as c:
        for _ in range(100):
            r = c.get("/hello")
            assert r.raw == response_bytes("Hello World!")
        c.assert_open(0.1)


def test_http10_request_closes(server):
    with server.conn() as c:
        c.send(b"GET /hello HTTP/1.0\r\n\r\n")
        data = c.read_until_close(timeout=5)
    assert data == response_bytes("Hello World!", close=True)


def test_http10_keep_alive(server):
    with server.conn() as c:
        for _ in range(3):
            r = c.request(b"GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            assert r.raw == response_bytes("Hello World!", keep_alive=True)
        c.assert_open(0.2)
        r = c.request(b"GET /hello HTTP/1.0\r\nHost: x\r\n\r\n")
        assert r.raw == response_bytes("Hello World!", close=True)
        c.assert_closed(timeout=5)


def test_http10_with_host_accepted(server):
    with server.conn() as c:
        c.send(b"GET /hello HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        assert c.read_until_close(timeout=5) == response_bytes("Hello World!", close=True)


def test_raw_httpd_send(server):
    with server.conn() as c:
        c.send(get_req("/raw"))
        r = c.read_response()
        assert r.raw == b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nraw"
        # the connection is still usable afterwards
        assert c.get("/hello").body == b"Hello World!"


def test_sockfd_distinct_per_connection(server):
    with server.conn() as a, server.conn() as b:
        fa = int(a.get("/sockfd").body)
        fb = int(b.get("/sockfd").body)
        assert fa >= 0 and fb >= 0 and fa != fb
        assert int(a.get("/sockfd").body) == fa


def test_ipv6_loopback(server):
    if not ipv6_loopback_available():
        pytest.skip("no IPv6 loopback")
    with Conn("::1", server.port) as c:
        c.send(get_req("/hello", host="[::1]"))
        r = c.read_response()
    assert r.raw == response_bytes("Hello World!")


def test_ipv4_and_ipv6_same_time(server):
    if not ipv6_loopback_available():
        pytest.skip("no IPv6 loopback")
    with Conn("::1", server.port) as c6, server.conn() as c4:
        for _ in range(3):
            assert c6.get("/hello").status == 200
            assert c4.get("/hello").status == 200


def test_concurrent_clients(server):
    errors = []

    def worker(i):
        try:
            with server.conn(timeout=10) as c:
                for j in range(20):
                    body = ("%d-%d" % (i, j)).encode()
                    c.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                    r = c.read_response(timeout=10)
                    if r.status != 200 or r.body != body:
                        errors.append((i, j, r.raw))
                        return
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append((i, repr(e)))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads)
    assert errors == []


def test_client_half_close_after_request(server):
    with server.conn() as c:
        c.send(get_req("/hello"))
        c.shutdown_write()
        r = c.read_response()
        assert r.body == b"Hello World!"
        c.assert_closed(timeout=5)


def test_client_reset_mid_head_does_not_hurt(server):
    for _ in range(10):
        s = socket.create_connection((HOST, server.port), timeout=5)
        s.sendall(b"GET /hel")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()   # RST
    assert server.get("/hello").status == 200


def test_sigint_stops_cleanly():
    srv = start_server()
    assert srv.get("/hello").status == 200
    rc = srv.stop(signal.SIGINT)
    assert rc == 0, srv.stderr_text()[-3000:]
    assert "ERROR: AddressSanitizer" not in srv.stderr_text()
    assert "ERROR: LeakSanitizer" not in srv.stderr_text()


def test_start_failed_port_in_use():
    blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        blocker.bind(("0.0.0.0", 0))
        blocker.listen(1)
        port = blocker.getsockname()[1]
        p = subprocess.run([str(SERVER_BIN), "--port", str(port), "--max-handlers", "48"],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
    finally:
        blocker.close()
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr[-2000:])
    assert p.stdout.decode() == "START_FAILED ESP_FAIL\n"
    assert b"ERROR: LeakSanitizer" not in p.stderr and b"ERROR: AddressSanitizer" not in p.stderr


def test_start_failed_too_few_handler_slots():
    rc, out, err = run_expect_start_failure(["--max-handlers", "5"])
    assert rc == 2, (rc, out, err[-2000:])
    assert out == "START_FAILED ESP_ERR_HTTPD_HANDLERS_FULL\n"
    assert "ERROR: LeakSanitizer" not in err and "ERROR: AddressSanitizer" not in err
