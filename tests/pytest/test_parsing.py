# SPDX-License-Identifier: Apache-2.0
"""Request-head parsing: methods, versions, syntax errors, framing headers."""
import time

import pytest

from conftest import error_bytes, expect_error_close, get_req, response_bytes

H = b"Host: 127.0.0.1\r\n"

# (id, request bytes, expected error status). Every one of them closes the connection.
ERROR_CASES = [
    ("unknown_method_XYZ", b"XYZ /hello HTTP/1.1\r\n" + H + b"\r\n", 501),
    ("unknown_method_ABC", b"ABC /hello HTTP/1.1\r\n" + H + b"\r\n", 501),
    ("lowercase_method_is_unknown", b"get /hello HTTP/1.1\r\n" + H + b"\r\n", 501),
    ("malformed_method", b"G@T /hello HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("version_2_0", b"GET /hello HTTP/2.0\r\n" + H + b"\r\n", 505),
    ("version_0_9", b"GET /hello HTTP/0.9\r\n" + H + b"\r\n", 505),
    ("version_1_2", b"GET /hello HTTP/1.2\r\n" + H + b"\r\n", 505),
    ("bad_protocol_name", b"GET /hello XTTP/1.1\r\n" + H + b"\r\n", 400),
    ("missing_version", b"GET /hello\r\n" + H + b"\r\n", 400),
    ("double_space", b"GET  /hello HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("target_not_origin_form", b"GET hello HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("bare_cr_request_line", b"GET /hello HTTP/1.1\r\r\n" + H + b"\r\n", 400),
    ("bare_cr_in_value", b"GET /hello HTTP/1.1\r\n" + H + b"X-A: a\rb\r\n\r\n", 400),
    ("bare_cr_line_start", b"GET /hello HTTP/1.1\r\n\r" + H + b"\r\n", 400),
    ("missing_colon", b"GET /hello HTTP/1.1\r\n" + H + b"X-A b\r\n\r\n", 400),
    ("space_before_colon", b"GET /hello HTTP/1.1\r\n" + H + b"X-A : b\r\n\r\n", 400),
    ("obs_fold", b"GET /hello HTTP/1.1\r\n" + H + b"X-A: b\r\n c\r\n\r\n", 400),
    ("obs_fold_tab", b"GET /hello HTTP/1.1\r\n" + H + b"X-A: b\r\n\tc\r\n\r\n", 400),
    ("empty_header_name", b"GET /hello HTTP/1.1\r\n" + H + b": b\r\n\r\n", 400),
    ("nul_in_value", b"GET /hello HTTP/1.1\r\n" + H + b"X-A: a\x00b\r\n\r\n", 400),
    ("ctl_in_name", b"GET /hello HTTP/1.1\r\n" + H + b"X\x01A: b\r\n\r\n", 400),
    ("no_host_http11", b"GET /hello HTTP/1.1\r\n\r\n", 400),
    ("two_hosts", b"GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    ("two_identical_hosts", b"GET /hello HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400),
    ("cl_non_numeric", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: abc\r\n\r\n", 400),
    ("cl_negative", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: -1\r\n\r\n", 400),
    ("cl_empty", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: \r\n\r\n", 400),
    ("cl_hex", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 0x5\r\n\r\nABCDE", 400),
    ("cl_conflicting", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nABCDEF", 400),
    ("cl_with_te", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("te_with_cl", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400),
    ("te_gzip", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip\r\n\r\n", 501),
    ("te_identity", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: identity\r\n\r\n", 501),
    ("cl_2_pow_32", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 4294967296\r\n\r\n", 413),
    ("cl_2_pow_64", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 18446744073709551616\r\n\r\n", 413),
    ("cl_huge", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 99999999999999999999999999999\r\n\r\n", 413),
    ("upgrade_tls", b"OPTIONS * HTTP/1.1\r\nHost:127.0.0.1\r\nUpgrade: TLS/1.0\r\nConnection: Upgrade\r\n\r\n", 400),
    ("upgrade_h2c", b"GET /hello HTTP/1.1\r\n" + H + b"Upgrade: h2c\r\nConnection: keep-alive, Upgrade\r\n\r\n", 400),
]


def test_websocket_upgrade_to_plain_handler_runs_it(server):
    # With WebSocket support, an upgrade to a URI not registered as is_websocket
    # is an ordinary request for that handler (upstream behaviour).
    with server.conn() as c:
        c.send(b"GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
               b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        r = c.read_response()
        assert r.status == 200 and r.body == b"Hello World!", r.raw


@pytest.mark.parametrize("data,code", [c[1:] for c in ERROR_CASES], ids=[c[0] for c in ERROR_CASES])
def test_parse_error(server, data, code):
    expect_error_close(server, data, code)


# Line-level syntax errors must be answered as soon as the offending line is seen,
# without the rest of the head (the default server waits 5 s for a head).
IMMEDIATE_CASES = [
    ("bare_cr_in_value", b"GET /hello HTTP/1.1\r\n" + H + b"X-A: a\rb\r\n"),
    ("bare_cr_request_line", b"GET /hello HTTP/1.1\r\r\n"),
    ("missing_colon", b"GET /hello HTTP/1.1\r\n" + H + b"X-A b\r\n"),
    ("space_before_colon", b"GET /hello HTTP/1.1\r\n" + H + b"X-A : b\r\n"),
    ("obs_fold", b"GET /hello HTTP/1.1\r\n" + H + b"X-A: b\r\n c"),
    ("malformed_method", b"G@T /hello HTTP/1.1\r\n"),
]


@pytest.mark.parametrize("data", [c[1] for c in IMMEDIATE_CASES], ids=[c[0] for c in IMMEDIATE_CASES])
def test_syntax_error_answered_immediately(server, data):
    t0 = time.monotonic()
    expect_error_close(server, data, 400, timeout=2.5)
    assert time.monotonic() - t0 < 2.5


ACCEPT_CASES = [
    ("lf_only", b"GET /hello HTTP/1.1\nHost: x\n\n"),
    ("lf_request_line_only", b"GET /hello HTTP/1.1\nHost: x\r\n\r\n"),
    ("lf_final_line_only", b"GET /hello HTTP/1.1\r\nHost: x\r\n\n"),
    ("header_name_case", b"GET /hello HTTP/1.1\r\nhOsT: x\r\n\r\n"),
    ("no_space_after_colon", b"GET /hello HTTP/1.1\r\nHost:x\r\n\r\n"),
    ("tabs_around_value", b"GET /hello HTTP/1.1\r\nHost: x\r\nX-A:\t b \t\r\n\r\n"),
    ("empty_value", b"GET /hello HTTP/1.1\r\nHost: x\r\nX-Empty:\r\n\r\n"),
    ("leading_empty_line", b"\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("absolute_form", b"GET http://127.0.0.1/hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
    ("http10_no_host", b"GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"),
    ("query_excluded_from_routing", b"GET /hello?a=b&c=%20d HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("many_headers", b"GET /hello HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: %d\r\n" % (i, i) for i in range(60)) + b"\r\n"),
    ("obs_text_in_value", b"GET /hello HTTP/1.1\r\nHost: x\r\nX-A: caf\xe9\r\n\r\n"),
    ("cl_zero_on_get", b"GET /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"),
    ("token_chars_in_name", b"GET /hello HTTP/1.1\r\nHost: x\r\nX-a_b.c!#$%&'*+^`|~9: v\r\n\r\n"),
]


@pytest.mark.parametrize("data", [c[1] for c in ACCEPT_CASES], ids=[c[0] for c in ACCEPT_CASES])
def test_accepted_heads(server, data):
    with server.conn() as c:
        r = c.request(data)
        assert r.status == 200, r.raw
        assert r.body == b"Hello World!"
        # the connection stays usable
        assert c.get("/hello").status == 200


def test_content_length_leading_zeros(server):
    with server.conn() as c:
        r = c.request(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 005\r\n\r\nABCDE")
        assert r.raw == response_bytes("ABCDE")


def test_content_length_with_ows(server):
    with server.conn() as c:
        r = c.request(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \t 5 \t\r\n\r\nABCDE")
        assert r.raw == response_bytes("ABCDE")


def test_content_length_lowercase_name(server):
    with server.conn() as c:
        r = c.request(b"POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\n\r\nxyz")
        assert r.raw == response_bytes("xyz")


def test_transfer_encoding_case_insensitive(server):
    with server.conn() as c:
        r = c.request(b"POST /body_echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        assert r.status == 200 and r.body == b"abc"


def test_http10_transfer_encoding_closes(server):
    # RFC 9112 6.1: Transfer-Encoding in an HTTP/1.0 message means faulty framing: the
    # server may reject it or process it, but must close the connection afterwards
    with server.conn() as c:
        c.send(b"POST /body_echo HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"3\r\nabc\r\n0\r\n\r\n" + get_req("/hello"))
        data = c.read_until_close(timeout=5)
    assert data.count(b"HTTP/1.1 ") == 1, data
    assert data == error_bytes(400) or b"\r\nConnection: close\r\n" in data, data


def test_content_length_4294967295_reaches_handler(server):
    # largest accepted Content-Length: the /echo handler refuses it (> 1 MiB) with 500
    with server.conn() as c:
        r = c.request(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4294967295\r\n\r\nABCD")
        assert r.status == 500
        assert r.body == b"Server has encountered an unexpected error"
        c.assert_closed(timeout=5)


def test_error_then_nothing_more_is_parsed(server):
    # a pipelined valid request after a bad one must not be answered
    with server.conn() as c:
        c.send(b"G@T / HTTP/1.1\r\nHost: x\r\n\r\n" + get_req("/hello"))
        data = c.read_until_close(timeout=5)
        assert data == error_bytes(400)


def test_method_names_known_to_parser(server):
    # every method of the enum reaches the HTTP_ANY handler with its own name
    for m in ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND", "MKCOL",
              "COPY", "MOVE", "LOCK", "UNLOCK", "PURGE", "REPORT", "M-SEARCH", "NOTIFY",
              "SUBSCRIBE", "UNSUBSCRIBE", "MKCALENDAR", "LINK", "UNLINK", "SEARCH", "TRACE"]:
        with server.conn() as c:
            r = c.request(("%s /any HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n" % m).encode())
            assert r.raw == response_bytes(m), m
