# SPDX-License-Identifier: Apache-2.0
"""Request-line (414) and header-block (431) limits, body and response sizes."""
import time

import pytest

from conftest import big_pattern, error_bytes, expect_error_close, get_req, response_bytes

DEFAULT_URI_LEN = 512
DEFAULT_HDR_LEN = 1024


def line_of(length, path="/query?pad=", eol=b"\r\n"):
    """'GET <target> HTTP/1.1<eol>' of exactly length bytes; target = path + x's."""
    fixed = len(b"GET ") + len(b" HTTP/1.1") + len(eol) + len(path)
    assert length >= fixed
    target = path.encode() + b"x" * (length - fixed)
    line = b"GET " + target + b" HTTP/1.1" + eol
    assert len(line) == length
    return line, target


def block_of(length, eol=b"\r\n"):
    """A header block (header lines + blank line) of exactly length bytes."""
    fixed = len(b"Host: x") + len(eol) + len(b"X-Pad: ") + len(eol) + len(eol)
    assert length >= fixed
    block = b"Host: x" + eol + b"X-Pad: " + b"p" * (length - fixed) + eol + eol
    assert len(block) == length
    return block


# ---- request line -> 414 ----------------------------------------------------------

def test_request_line_at_limit_accepted(server):
    line, target = line_of(DEFAULT_URI_LEN)
    with server.conn() as c:
        r = c.request(line + b"Host: x\r\n\r\n")
        assert r.status == 200, r.raw
        query = target.split(b"?", 1)[1]
        assert r.body.startswith(b"len=%d\nquery=%s\n" % (len(query), query))
        assert c.get("/hello").status == 200


def test_request_line_at_limit_404(server):
    line, _ = line_of(DEFAULT_URI_LEN, path="/nothing_here_")
    with server.conn() as c:
        c.send(line + b"Host: x\r\n\r\n")
        assert c.read_until_close() == error_bytes(404)


def test_request_line_over_limit_414(server):
    line, _ = line_of(DEFAULT_URI_LEN + 1)
    expect_error_close(server, line + b"Host: x\r\n\r\n", 414)


def test_request_line_far_over_limit_414(server):
    line, _ = line_of(4000)
    expect_error_close(server, line + b"Host: x\r\n\r\n", 414)


def test_414_answered_before_line_ends(server):
    # the client never finishes its request line; the default recv timeout is 5 s
    t0 = time.monotonic()
    expect_error_close(server, b"GET /" + b"a" * (DEFAULT_URI_LEN + 50), 414, timeout=2.5)
    assert time.monotonic() - t0 < 2.5


def test_414_request_line_sent_in_pieces(server):
    line, _ = line_of(DEFAULT_URI_LEN + 1)
    pieces = [line[:4], line[4:200], line[200:], b"Host: x\r\n\r\n"]
    expect_error_close(server, pieces, 414, pieces_delay=0.1)


def test_target_limited_by_req_uri_size(server_factory):
    # req->uri holds CONFIG_HTTPD_MAX_URI_LEN (512) bytes: with a larger max_uri_len a
    # 512-byte target still fits, a 513-byte one gets 414
    srv = server_factory("--max-uri-len", "2048")
    ok_target = b"/query?pad=" + b"y" * (512 - 11)
    assert len(ok_target) == 512
    with srv.conn() as c:
        r = c.request(b"GET " + ok_target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        assert r.status == 200
        assert r.body.startswith(b"len=%d\nquery=%s\n" % (512 - 7, ok_target[7:]))
    expect_error_close(srv, b"GET " + ok_target + b"y HTTP/1.1\r\nHost: x\r\n\r\n", 414)


# ---- header block -> 431 -------------------------------------------------------------

def test_header_block_at_limit_accepted(server):
    with server.conn() as c:
        r = c.request(b"GET /hello HTTP/1.1\r\n" + block_of(DEFAULT_HDR_LEN))
        assert r.raw == response_bytes("Hello World!")
        assert c.get("/hello").status == 200


def test_header_block_over_limit_431(server):
    expect_error_close(server, b"GET /hello HTTP/1.1\r\n" + block_of(DEFAULT_HDR_LEN + 1), 431)


def test_header_block_lf_only_at_limit_accepted(server):
    with server.conn() as c:
        r = c.request(b"GET /hello HTTP/1.1\n" + block_of(DEFAULT_HDR_LEN, eol=b"\n"))
        assert r.raw == response_bytes("Hello World!")


def test_header_block_lf_only_over_limit_431(server):
    expect_error_close(server, b"GET /hello HTTP/1.1\n" + block_of(DEFAULT_HDR_LEN + 1, eol=b"\n"), 431)


def test_header_block_many_small_headers_over_limit(server):
    hdrs = b"Host: x\r\n" + b"".join(b"X-%03d: v\r\n" % i for i in range(120))
    assert len(hdrs) > DEFAULT_HDR_LEN
    expect_error_close(server, b"GET /hello HTTP/1.1\r\n" + hdrs + b"\r\n", 431)


def test_431_answered_before_head_ends(server):
    t0 = time.monotonic()
    expect_error_close(server, b"GET /hello HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * (DEFAULT_HDR_LEN + 100),
                       431, timeout=2.5)
    assert time.monotonic() - t0 < 2.5


def test_limits_apply_per_request_on_one_connection(server):
    req = b"GET /hello HTTP/1.1\r\n" + block_of(DEFAULT_HDR_LEN)
    with server.conn() as c:
        for _ in range(10):
            assert c.request(req).status == 200
        # and pipelined: several maximal heads in one send
        c.send(req * 5)
        for _ in range(5):
            assert c.read_response().raw == response_bytes("Hello World!")
        line, _ = line_of(DEFAULT_URI_LEN)
        c.send((line + b"Host: x\r\n\r\n") * 3)
        for _ in range(3):
            assert c.read_response().status == 200


@pytest.mark.parametrize("uri_len,hdr_len", [(100, 200), (300, 4096)])
def test_configured_limits(server_factory, uri_len, hdr_len):
    srv = server_factory("--max-uri-len", str(uri_len), "--max-hdr-len", str(hdr_len))
    line, _ = line_of(uri_len)
    with srv.conn() as c:
        assert c.request(line + b"Host: x\r\n\r\n").status == 200
    line, _ = line_of(uri_len + 1)
    expect_error_close(srv, line + b"Host: x\r\n\r\n", 414)
    with srv.conn() as c:
        assert c.request(b"GET /hello HTTP/1.1\r\n" + block_of(hdr_len)).status == 200
    expect_error_close(srv, b"GET /hello HTTP/1.1\r\n" + block_of(hdr_len + 1), 431)


# ---- bodies and responses ----------------------------------------------------------

def test_echo_one_mib_body(server):
    body = bytes(i % 251 for i in range(1024 * 1024))
    with server.conn(timeout=20) as c:
        c.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        r = c.read_response(timeout=20)
        assert r.status == 200 and r.body == body


def test_echo_over_cap_500_and_close(server):
    with server.conn() as c:
        c.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (1024 * 1024 + 1))
        r = c.read_response()
        assert r.status == 500
        assert r.body == b"Server has encountered an unexpected error"
        c.assert_closed()


@pytest.mark.parametrize("n", [0, 1, 25, 26, 27, 65535, 65536, 1 << 20, 8 << 20])
def test_big_response(server, n):
    with server.conn(timeout=20) as c:
        r = c.request(get_req("/big?n=%d" % n), timeout=20)
        assert r.status == 200
        assert r.header("Content-Length") == str(n)
        assert r.body == big_pattern(n)
        assert c.get("/hello").status == 200


def test_big_response_slow_reader(server):
    n = 4 << 20
    with server.conn(timeout=20) as c:
        c.send(get_req("/big?n=%d" % n))
        time.sleep(1.0)  # let the server hit a full socket buffer
        r = c.read_response(timeout=20)
        assert r.body == big_pattern(n)
