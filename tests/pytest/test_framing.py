# SPDX-License-Identifier: Apache-2.0
"""Framing answers of the server (docs/compat.md):

* a chunked request body with broken framing is answered 400 (Connection: close, then the
  close) when no byte of a response went out yet, whether the handler's reads or the drain
  of the unread body found it; a started response is only followed by the close; a peer
  that closes early gets nothing;
* the default 405 carries Allow (RFC 9110 15.5.6);
* an invalid Host value, or two Host lines, is 400 (RFC 9112 3.2);
* 1xx, 204 and 304 responses carry no Content-Length, Transfer-Encoding, Content-Type
  or body (RFC 9110 8.6, 15.4.5);
* Content-Length and Transfer-Encoding set by a handler never reach the wire: the
  server's framing is the only one.

test_server --framing adds /silent, /status and /framing_hdrs (tests/server/test_server.c).
"""
import pytest

from conftest import (chunked_body, chunked_bytes, error_bytes, get_req, post_req,
                      response_bytes, start_server)


@pytest.fixture(scope="module")
def module_server():
    srv = start_server(["--framing"])
    yield srv
    srv.assert_clean_exit()


def chunked_post(path, body, headers=b""):
    return (b"POST %s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n%s\r\n"
            % (path.encode(), headers)) + body


def expect_400_close(srv, data):
    """Exactly the default 400 (with Connection: close), then the close."""
    with srv.conn() as c:
        c.send(data)
        r = c.read_response(timeout=3)
        assert r.raw == error_bytes(400), "request %r" % (data,)
        c.assert_closed(timeout=3)


def expect_hello_still_served(c):
    """The connection is still in step: the next request gets exactly its response."""
    assert c.request(get_req("/hello")).raw == response_bytes("Hello World!")


# ---- Broken chunked framing: 400 when no response has started ------------------------

# every one refused by the chunk decoder before any data byte is delivered
BAD_FIRST_CHUNK = [
    b"zz\r\nabc\r\n0\r\n\r\n",                    # size not hex
    b"-5\r\nabcde\r\n0\r\n\r\n",                  # sign
    b"10000000000000000\r\n",                     # 17 significant hex digits
]
BAD_FIRST_IDS = ["not_hex", "negative", "17_digits"]

# refused after the first chunk's data: data longer than its size, no CRLF after the data
BAD_AFTER_DATA = [
    b"3\r\nabcdef\r\n0\r\n\r\n",
    b"3\r\nabcX\r\n0\r\n\r\n",
]
BAD_AFTER_IDS = ["data_longer_than_size", "missing_crlf"]


@pytest.mark.parametrize("bad", BAD_FIRST_CHUNK, ids=BAD_FIRST_IDS)
def test_bad_framing_handler_fails_without_response(server, bad):
    # /leftover_data: its httpd_req_recv fails, it returns ESP_FAIL having sent nothing
    expect_400_close(server, chunked_post("/leftover_data", bad))


@pytest.mark.parametrize("bad", BAD_FIRST_CHUNK + BAD_AFTER_DATA, ids=BAD_FIRST_IDS + BAD_AFTER_IDS)
def test_bad_framing_handler_ok_without_response(server, bad):
    # /silent?read=64 reads until its recv fails, then returns ESP_OK having sent nothing
    expect_400_close(server, chunked_post("/silent?read=64", bad))


@pytest.mark.parametrize("bad", BAD_FIRST_CHUNK + BAD_AFTER_DATA, ids=BAD_FIRST_IDS + BAD_AFTER_IDS)
def test_bad_framing_found_by_drain(server, bad):
    # /silent reads nothing and sends nothing: the drain of the unread body finds it
    expect_400_close(server, chunked_post("/silent", bad))


def test_bad_framing_found_by_drain_later_bytes(server):
    # the broken framing arrives only after the handler returned (the drain waits for it)
    with server.conn() as c:
        c.send(chunked_post("/silent", b"3\r\nabc\r\n"))
        c.assert_open(0.3)
        c.send(b"zz\r\n")
        r = c.read_response(timeout=3)
        assert r.raw == error_bytes(400)
        c.assert_closed(timeout=3)


def test_bad_framing_pipelined_request_not_served(server):
    with server.conn() as c:
        c.send(chunked_post("/silent", b"zz\r\n") + get_req("/hello"))
        assert c.read_response(timeout=3).raw == error_bytes(400)
        c.assert_closed(timeout=3)


def test_bad_framing_after_100_continue(server):
    # the interim 100 is no response: the final answer is still the 400
    with server.conn() as c:
        c.send(chunked_post("/silent?read=64", b"", b"Expect: 100-continue\r\n"))
        assert c.read_until(b"\r\n\r\n", timeout=3) == b"HTTP/1.1 100 Continue\r\n\r\n"
        c.send(b"zz\r\n")
        assert c.read_response(timeout=3).raw == error_bytes(400)
        c.assert_closed(timeout=3)


@pytest.mark.parametrize("bad", BAD_AFTER_DATA, ids=BAD_AFTER_IDS)
def test_bad_framing_after_response_started_only_closes(server, bad):
    # /leftover_data answers the first chunk's data ("abc"); the drain then finds the
    # framing broken: no second response, just the close
    with server.conn() as c:
        c.send(chunked_post("/leftover_data", bad))
        assert c.read_response(timeout=3).raw == response_bytes("abc")
        c.assert_closed(timeout=3)


def test_bad_framing_after_handler_response_only_closes(server):
    # GET /hello with a broken chunked body: the 200 went out first
    with server.conn() as c:
        c.send(b"GET /hello HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
        assert c.read_response(timeout=3).raw == response_bytes("Hello World!")
        c.assert_closed(timeout=3)


def test_peer_closes_mid_chunk_gets_nothing(server):
    # a truncated body is no broken framing: no 400 for a peer that closed
    for path in ("/silent", "/silent?read=64"):
        with server.conn() as c:
            c.send(chunked_post(path, b"10\r\nabc"))
            c.shutdown_write()
            c.assert_closed(timeout=3)


def test_peer_closes_mid_content_length_body_gets_nothing(server):
    for path in ("/silent", "/silent?read=64"):
        with server.conn() as c:
            c.send(b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc" % path.encode())
            c.shutdown_write()
            c.assert_closed(timeout=3)


def test_good_chunked_body_to_silent_keeps_connection(server):
    # the same handler with a well-formed body: no response (as the handler wants), the
    # connection stays in step
    with server.conn() as c:
        c.send(chunked_post("/silent", chunked_body(["abc", "defg"])))
        c.assert_open(0.3)
        expect_hello_still_served(c)


# ---- 405 carries Allow --------------------------------------------------------------

@pytest.mark.parametrize("method,path,allow", [
    ("POST", "/hello", "GET"),
    ("PUT", "/hello", "GET"),
    ("DELETE", "/adder", "GET, POST, PUT"),     # enum http_method order
    ("GET", "/echo", "POST, PUT"),
    ("GET", "/silent", "POST"),
    ("PATCH", "/status", "GET"),
])
def test_405_allow(server, method, path, allow):
    data = get_req(path, method=method) if method not in ("POST", "PUT") else \
        (b"%s %s HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n" % (method.encode(), path.encode()))
    with server.conn() as c:
        c.send(data)
        r = c.read_response(timeout=3)
        assert r.raw == error_bytes(405, headers=[("Allow", allow)])
        c.assert_closed(timeout=3)


def test_405_allow_head(server):
    with server.conn() as c:
        r = c.request(get_req("/hello", method="HEAD"), head=True)
        assert r.raw == error_bytes(405, headers=[("Allow", "GET")], head=True)
        c.assert_closed(timeout=3)


def test_405_allow_absolute_form(server):
    with server.conn() as c:
        r = c.request(b"POST http://x/hello?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        assert r.raw == error_bytes(405, headers=[("Allow", "GET")])


def test_405_allow_wildcard_templates(firmware):
    srv = firmware("test_server", "--max-handlers", "48", "--framing", "--wildcard")
    with srv.conn() as c:
        r = c.request(post_req("/api/x/y", ""))
        assert r.raw == error_bytes(405, headers=[("Allow", "GET")])
    with srv.conn() as c:
        r = c.request(post_req("/opt/", ""))
        assert r.raw == error_bytes(405, headers=[("Allow", "GET")])


def test_404_has_no_allow(server):
    with server.conn() as c:
        r = c.request(post_req("/nowhere", ""))
        assert r.raw == error_bytes(404)


# ---- Host ---------------------------------------------------------------------------

@pytest.mark.parametrize("host", [
    "a b/c@@", "a b", "a/b", "user@host", "host:80x", "host:port", "a:1:2", "x:80/",
    "[::1", "[::1]x", "[::1]:8a", "ho\"st", "a#b", "a?b", "a\\b", "<a>", "a^b",
    "\x80x",
])
def test_invalid_host_400(server, host):
    expect_400_close(server, ("GET /hello HTTP/1.1\r\nHost: %s\r\n\r\n" % host).encode("latin-1"))


def test_invalid_host_400_http10(server):
    expect_400_close(server, b"GET /hello HTTP/1.0\r\nHost: a b/c@@\r\n\r\n")


def test_invalid_host_400_in_pieces(server):
    # the state machine (a head in pieces) checks the same as the one-pass path
    data = b"GET /hello HTTP/1.1\r\nHost: a b/c@@\r\n\r\n"
    with server.conn() as c:
        c.send_pieces([data[:20], data[20:30], data[30:]], delay=0.05)
        assert c.read_response(timeout=3).raw == error_bytes(400)
        c.assert_closed(timeout=3)


@pytest.mark.parametrize("host", [
    "example.com", "example.com:8080", "127.0.0.1", "127.0.0.1:80", "[::1]", "[::1]:8080",
    "[v1.fe80::a+en1]", "[fe80::1%25eth0]:80", "xn--bcher-kva.example", "a_b~c-d.e",
    "a%20b", "!$&'()*+,;=", "host:", "", "  example.com  ", "EXAMPLE.COM",
])
def test_valid_host_accepted(server, host):
    with server.conn() as c:
        r = c.request(("GET /hello HTTP/1.1\r\nHost: %s\r\n\r\n" % host).encode("latin-1"))
        assert r.raw == response_bytes("Hello World!")
        expect_hello_still_served(c)


@pytest.mark.parametrize("second", ["x", "y", ""])
def test_duplicate_host_400(server, second):
    expect_400_close(server, ("GET /hello HTTP/1.1\r\nHost: x\r\nA: b\r\nhost: %s\r\n\r\n"
                              % second).encode())


def test_duplicate_host_400_http10(server):
    expect_400_close(server, b"GET /hello HTTP/1.0\r\nHost: x\r\nHost: x\r\n\r\n")


# ---- 1xx, 204, 304: no framing, no type, no body --------------------------------------

@pytest.mark.parametrize("code,status", [
    (204, "204 No Content"), (304, "304 Not Modified"), (103, "103 Early Hints"),
])
@pytest.mark.parametrize("mode", ["send", "empty", "chunk"])
def test_no_content_status(server, code, status, mode):
    with server.conn() as c:
        c.send(get_req("/status?s=%d&mode=%s" % (code, mode)))
        head = c.read_until(b"\r\n\r\n", timeout=3)
        assert head == b"HTTP/1.1 %s\r\nX-Kept: 1\r\n\r\n" % status.encode()
        # no body bytes, no chunks: the next response follows at once
        expect_hello_still_served(c)


def test_no_content_status_http10_chunk_keeps_connection(server):
    # HTTP/1.0 has no chunked coding, but a 204 has no body to end with a close
    with server.conn() as c:
        c.send(get_req("/status?s=204&mode=chunk", [("Connection", "keep-alive")], version="HTTP/1.0"))
        head = c.read_until(b"\r\n\r\n", timeout=3)
        assert head == b"HTTP/1.1 204 No Content\r\nX-Kept: 1\r\nConnection: keep-alive\r\n\r\n"
        c.send(get_req("/hello", [("Connection", "keep-alive")], version="HTTP/1.0"))
        assert c.read_response().raw == response_bytes("Hello World!", keep_alive=True)


def test_no_content_status_with_close(server):
    with server.conn() as c:
        c.send(get_req("/status?s=304", [("Connection", "close")]))
        head = c.read_until(b"\r\n\r\n", timeout=3)
        assert head == b"HTTP/1.1 304 Not Modified\r\nX-Kept: 1\r\nConnection: close\r\n\r\n"
        c.assert_closed(timeout=3)


@pytest.mark.parametrize("mode", ["send", "chunk"])
def test_status_200_keeps_framing_and_type(server, mode):
    with server.conn() as c:
        r = c.get("/status?s=200&mode=%s" % mode)
        if mode == "send":
            assert r.raw == response_bytes("abc", ctype="application/json", headers=[("X-Kept", "1")])
        else:
            assert r.raw == chunked_bytes(["abc", "def"], ctype="application/json",
                                          headers=[("X-Kept", "1")])
        expect_hello_still_served(c)


# ---- Handler-set framing headers are dropped ------------------------------------------

@pytest.mark.parametrize("query", ["cl=99", "cl=5", "cl=0", "te=chunked", "te=gzip",
                                   "cl=3&te=chunked"])
def test_handler_framing_headers_dropped_send(server, query):
    with server.conn() as c:
        r = c.get("/framing_hdrs?" + query)
        assert r.raw == response_bytes("hello", headers=[("X-After", "1")])
        expect_hello_still_served(c)


@pytest.mark.parametrize("query", ["cl=11", "cl=99", "te=chunked", "te=gzip", "cl=5&te=chunked"])
def test_handler_framing_headers_dropped_chunked(server, query):
    with server.conn() as c:
        r = c.get("/framing_hdrs?chunk=1&" + query)
        assert r.raw == chunked_bytes(["hello", " world"], headers=[("X-After", "1")])
        expect_hello_still_served(c)

