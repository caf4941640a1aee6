# SPDX-License-Identifier: Apache-2.0
"""Persistent connections: keep-alive by default, Connection: close, HTTP/1.0,
pipelining, closes after errors and failed handlers."""
import time

import pytest

from conftest import error_bytes, get_req, post_req, response_bytes


def test_keep_alive_default_http11(server):
    with server.conn() as c:
        r = c.get("/hello")
        assert r.header("Connection") is None
        c.assert_open(0.3)
        assert c.get("/hello").status == 200


@pytest.mark.parametrize("value", ["close", "Close", "CLOSE", "keep-alive, close", "close, foo"])
def test_connection_close_honoured(server, value):
    with server.conn() as c:
        c.send(get_req("/hello", [("Connection", value)]))
        assert c.read_until_close(timeout=5) == response_bytes("Hello World!", close=True)


def test_connection_close_with_custom_header(server):
    with server.conn() as c:
        c.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCustom: v\r\nContent-Length: 2\r\n\r\nab")
        # Connection: close comes after the custom headers
        assert c.read_until_close(timeout=5) == response_bytes("ab", headers=[("Custom", "v")], close=True)


def test_connection_close_pipelined_rest_ignored(server):
    with server.conn() as c:
        c.send(get_req("/hello", [("Connection", "close")]) + get_req("/hello") + get_req("/hello"))
        assert c.read_until_close(timeout=5) == response_bytes("Hello World!", close=True)


def test_connection_keep_alive_token_http11(server):
    with server.conn() as c:
        r = c.get("/hello", [("Connection", "keep-alive")])
        assert r.status == 200
        assert c.get("/hello").status == 200


def test_http10_default_close(server):
    with server.conn() as c:
        c.send(b"POST /echo HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc")
        assert c.read_until_close(timeout=5) == response_bytes("abc", close=True)


def test_http10_keep_alive_pipelined(server):
    req = b"GET /hello HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"
    with server.conn() as c:
        c.send(req * 3)
        for _ in range(3):
            assert c.read_response().raw == response_bytes("Hello World!", keep_alive=True)
        c.assert_open(0.2)


def test_http10_chunked_response_unframed(server):
    with server.conn() as c:
        c.send(b"GET /stream HTTP/1.0\r\n\r\n")
        data = c.read_until_close(timeout=5)
    assert data == (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
                    b"chunk0\nchunk1\nchunk2\n")


def test_http10_keep_alive_chunked_response_closes(server):
    with server.conn() as c:
        c.send(b"GET /stream?n=2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        data = c.read_until_close(timeout=5)
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
    assert b"Transfer-Encoding" not in head and b"Content-Length" not in head
    assert body == b"chunk0\nchunk1\n"


def test_pipelined_gets(server):
    with server.conn() as c:
        c.send(b"".join(get_req(p) for p in ["/hello", "/hello/type_html", "/any", "/hello/status_500", "/stream?n=1"]))
        assert c.read_response().raw == response_bytes("Hello World!")
        assert c.read_response().raw == response_bytes("Hello World!")
        assert c.read_response().raw == response_bytes("GET")
        assert c.read_response().status == 500
        assert c.read_response().chunks == [b"chunk0\n"]
        c.assert_open(0.2)


def test_pipelined_many(server):
    n = 200
    with server.conn(timeout=10) as c:
        c.send(b"".join(post_req("/echo", str(i)) for i in range(n)))
        for i in range(n):
            assert c.read_response(timeout=10).body == str(i).encode()


def test_pipelined_split_across_sends(server):
    data = b"".join(get_req("/hello") for _ in range(10))
    with server.conn() as c:
        c.send(data[:37])
        time.sleep(0.1)
        c.send(data[37:300])
        time.sleep(0.1)
        c.send(data[300:])
        for _ in range(10):
            assert c.read_response().body == b"Hello World!"


def test_handler_fail_closes_without_response(server):
    with server.conn() as c:
        c.send(get_req("/fail"))
        c.assert_closed(timeout=5)


def test_handler_fail_after_pipelined(server):
    with server.conn() as c:
        c.send(get_req("/hello") + get_req("/fail") + get_req("/hello"))
        assert c.read_until_close(timeout=5) == response_bytes("Hello World!")


@pytest.mark.parametrize("req,code,headers", [
    (get_req("/nope"), 404, ()),
    (post_req("/hello", ""), 405, [("Allow", "GET")]),
    (b"XYZ / HTTP/1.1\r\nHost: x\r\n\r\n", 501, ()),
])
def test_server_errors_close_after_keepalive_requests(server, req, code, headers):
    with server.conn() as c:
        assert c.get("/hello").status == 200
        c.send(req + get_req("/hello"))
        assert c.read_until_close(timeout=5) == error_bytes(code, headers=headers)


def test_idle_connection_stays_open(server_factory):
    srv = server_factory("--recv-timeout", "1")
    with srv.conn() as c:
        assert c.get("/hello").status == 200
        c.assert_open(2.5)      # idle for more than the recv timeout
        assert c.get("/hello").status == 200
    with srv.conn() as c:       # never sent anything
        c.assert_open(2.5)
        assert c.get("/hello").status == 200
