# SPDX-License-Identifier: Apache-2.0
"""URI routing: exact match, 404 / 405, HTTP_ANY, HEAD, wildcard matcher, run-time
(un)registration."""
import pytest

from conftest import (body_req, error_bytes, expect_error_close, get_req, post_req, response_bytes,
                      start_server)

# test_server registers 36 URI handlers; the default fixture allows 48.
N_HANDLERS = 38
MAX_HANDLERS = 48


@pytest.mark.parametrize("path", ["/nope", "/hello/", "/HELLO", "/hell", "/hello/x", "/", "/hello%20",
                                  "/echo/", "//hello"])
def test_404_exact_and_close(server, path):
    expect_error_close(server, get_req(path), 404)


def test_404_with_query(server):
    expect_error_close(server, get_req("/nope?hello"), 404)


@pytest.mark.parametrize("req,allow", [
    (get_req("/echo"), "POST, PUT"),
    (post_req("/hello", "Hello"), "GET"),
    (body_req("PUT", "/hello", "Hello"), "GET"),
    (get_req("/head_only"), "HEAD"),
    (b"DELETE /echo HTTP/1.1\r\nHost: x\r\n\r\n", "POST, PUT"),
    (post_req("/adder?x=1", "1").replace(b"POST", b"PATCH", 1), "GET, POST, PUT"),
], ids=["get_echo", "post_hello", "put_hello", "get_head_only", "delete_echo", "patch_adder"])
def test_405_exact_and_close(server, req, allow):
    # RFC 9110 15.5.6: a 405 lists the target's methods in Allow (upstream sends none)
    expect_error_close(server, req, 405, headers=[("Allow", allow)])


def test_405_has_allow_header(server):
    r, c = server.request(post_req("/hello", "x"))
    c.close()
    assert r.status == 405 and r.header("Allow") == "GET"


def test_head_not_served_by_get_handler(server):
    # 405, and no body for a HEAD request
    with server.conn() as c:
        c.send(get_req("/hello", method="HEAD"))
        r = c.read_response(head=True)
        assert r.raw == error_bytes(405, head=True, headers=[("Allow", "GET")])
        c.assert_closed()


def test_head_handler(server):
    with server.conn() as c:
        r = c.get("/head_only", head=True)
        assert r.raw == b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 3\r\n\r\n"
        # no body bytes may follow: the next response must start right away
        assert c.get("/hello").raw == response_bytes("Hello World!")


def test_head_handler_sending_chunks(server):
    # A HEAD handler that answers in chunks: the head says chunked (as a GET's would,
    # RFC 9110 9.3.2), and neither the chunks nor the last chunk follow it
    with server.conn() as c:
        r = c.get("/head_chunked", head=True)
        assert r.raw == b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
        assert c.get("/hello").raw == response_bytes("Hello World!")


def test_head_to_any_handler(server):
    with server.conn() as c:
        r = c.get("/any", head=True)
        assert r.raw == b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 4\r\n\r\n"
        assert c.get("/any").raw == response_bytes("GET")


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_http_any(server, method):
    with server.conn() as c:
        r = c.request(("%s /any?x=1 HTTP/1.1\r\nHost: x\r\n\r\n" % method).encode())
        assert r.raw == response_bytes(method)


def test_same_uri_different_methods(server):
    with server.conn() as c:
        assert c.request(post_req("/echo", "p")).body == b"p"
        assert c.request(body_req("PUT", "/echo", "q")).body == b"q"


def test_query_does_not_affect_routing(server):
    with server.conn() as c:
        for p in ["/hello?", "/hello?a", "/hello?a=1&b=2", "/hello?/nope"]:
            assert c.get(p).raw == response_bytes("Hello World!"), p


def test_runtime_register_unregister_from_handler(server_factory):
    srv = server_factory()
    with srv.conn() as c:
        def post(p):
            return c.request(post_req(p, "")).body.decode()

        assert post("/dyn_register") == "ESP_OK"
        assert c.get("/dyn").raw == response_bytes("dynamic")
        assert post("/dyn_register") == "ESP_ERR_HTTPD_HANDLER_EXISTS"
        assert post("/dyn_unregister") == "ESP_OK"
        assert post("/dyn_unregister") == "ESP_ERR_NOT_FOUND"
        c.send(get_req("/dyn"))
        assert c.read_until_close() == error_bytes(404)
    with srv.conn() as c:
        assert c.request(post_req("/dyn_register", "")).body == b"ESP_OK"
    # visible from another connection
    assert srv.get("/dyn").body == b"dynamic"


def test_fill_handlers(server_factory):
    srv = server_factory()
    expect = "%d ESP_ERR_HTTPD_HANDLERS_FULL" % (MAX_HANDLERS - N_HANDLERS)
    with srv.conn() as c:
        assert c.request(post_req("/fill_handlers", "")).body.decode() == expect
        # the slots were given back: the same again
        assert c.request(post_req("/fill_handlers", "")).body.decode() == expect
        assert c.request(post_req("/dyn_register", "")).body == b"ESP_OK"
        assert c.request(post_req("/fill_handlers", "")).body.decode() == \
            "%d ESP_ERR_HTTPD_HANDLERS_FULL" % (MAX_HANDLERS - N_HANDLERS - 1)
    expect_error_close(srv, get_req("/fill0"), 404)


def test_fill_handlers_small_table(server_factory):
    srv = server_factory("--max-handlers", str(N_HANDLERS + 1))
    r, c = srv.request(post_req("/fill_handlers", ""))
    c.close()
    assert r.body == b"1 ESP_ERR_HTTPD_HANDLERS_FULL"


@pytest.fixture(scope="module")
def wildcard_server():
    srv = start_server(["--wildcard"])
    yield srv
    srv.assert_clean_exit()


@pytest.mark.parametrize("path,template", [
    ("/api/", "/api/*"), ("/api/x", "/api/*"), ("/api/x/y?z=1", "/api/*"),
    ("/opt", "/opt/?"), ("/opt/", "/opt/?"),
    ("/both", "/both/?*"), ("/both/", "/both/?*"), ("/both/abc", "/both/?*"),
])
def test_wildcard_match(wildcard_server, path, template):
    with wildcard_server.conn() as c:
        assert c.get(path).raw == response_bytes(template)


@pytest.mark.parametrize("path", ["/api", "/ap", "/opt/x", "/optx", "/op", "/bothx", "/bot", "/hello/"])
def test_wildcard_no_match(wildcard_server, path):
    expect_error_close(wildcard_server, get_req(path), 404)


def test_wildcard_server_exact_handlers(wildcard_server):
    with wildcard_server.conn() as c:
        assert c.get("/hello").raw == response_bytes("Hello World!")
        assert c.request(post_req("/echo", "abc")).body == b"abc"
    expect_error_close(wildcard_server, post_req("/api/x", ""), 405, headers=[("Allow", "GET")])
