# SPDX-License-Identifier: Apache-2.0
"""Black-box tests of the example programs (examples/*/main.c).

Each test starts an example on a free port (env PORT), waits until it accepts
connections, talks HTTP to it, and in teardown stops it with SIGTERM and checks
that it exited 0 with no sanitizer report on stderr. The simple and
persistent_sockets checks follow upstream ESP-IDF's client.py / adder.py tests
(pytest_http_server_simple.py, pytest_http_server_persistence.py).

Binaries: $HTTPD_BUILD_DIR (default <repo>/build/asan-gcc)/example_<name>.
Python stdlib + pytest only.
"""

import http.client
import random
import re
import signal
import socket
import string
import tempfile
import time

import pytest

from conftest import Firmware, said_and_accepting

SOCK_TIMEOUT = 10.0     # every socket operation
START_TIMEOUT = 15.0    # until the example accepts connections
STOP_TIMEOUT = 15.0     # from SIGTERM to exit
LOG_TIMEOUT = 5.0       # until an expected log line shows up


class Example(Firmware):
    """One example program (examples/<name>/main.c, port in env PORT), ready once it
    accepts connections; stdout and stderr go to files."""

    def __init__(self, name):
        # Ready once the program says its handlers are registered: a connection is
        # accepted as soon as httpd_start() listens, before main() registers them.
        marker = "Serving on" if name == "demo" else "Ready: URI handlers registered"
        # The demo keeps its storage folder in a temporary folder of its own.
        self.storage = tempfile.TemporaryDirectory(prefix="demo-storage-") if name == "demo" else None
        env = {"DEMO_STORAGE": self.storage.name} if self.storage else {}
        super().__init__(f"example_{name}", port_arg=False, env=env,
                         ready=said_and_accepting(marker),
                         ready_timeout=START_TIMEOUT, stop_timeout=STOP_TIMEOUT)

    def stop(self, *args, **kwargs):
        rc = super().stop(*args, **kwargs)
        if self.storage is not None:
            self.storage.cleanup()
        return rc

    def log(self):
        return self.stderr_text()

    def stdout(self):
        return self.stdout_text()

    def wait_log(self, text, count=1, timeout=LOG_TIMEOUT):
        """Waits until text occurs at least count times in stderr."""
        deadline = time.monotonic() + timeout
        while True:
            log = self.log()
            if log.count(text) >= count:
                return log
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} seen {log.count(text)} times, want {count}; "
                                     f"log:\n{log[-4000:]}")
            time.sleep(0.05)

    def check_clean_exit(self):
        self.assert_clean_exit()


@pytest.fixture
def run_example(firmware):
    """start(name) -> a running example_<name>; stopped and checked at teardown."""
    return lambda name: firmware(Example(name))


# ---- A small raw HTTP/1.1 client (to see exactly when the server closes) ---------

class RawConn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=SOCK_TIMEOUT)
        self.buf = b""
        self.port = port

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        self.sock.sendall(data)

    def request(self, method, path, body=None, headers=()):
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers]
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        self.send(head + (body or b""))
        return self.read_response()

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("server closed the connection")
        self.buf += data

    def _read_until(self, sep):
        while sep not in self.buf:
            self._fill()
        i = self.buf.index(sep) + len(sep)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def _read_exact(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_response(self):
        """Returns (status, {lower-case name: value}, body bytes)."""
        head = self._read_until(b"\r\n\r\n").decode("latin-1")
        lines = head.split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            if line:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self._read_until(b"\r\n").split(b";")[0].strip(), 16)
                if size == 0:
                    self._read_until(b"\r\n")
                    break
                body += self._read_exact(size)
                assert self._read_exact(2) == b"\r\n"
        else:
            body = self._read_exact(int(headers.get("content-length", "0")))
        return status, headers, body

    def closed_by_peer(self, timeout=SOCK_TIMEOUT):
        """True when the server closes the connection within timeout."""
        self.sock.settimeout(timeout)
        try:
            while True:
                data = self.sock.recv(4096)
                if not data:
                    return True
                self.buf += data
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False
        finally:
            self.sock.settimeout(SOCK_TIMEOUT)


def http_conn(ex):
    return http.client.HTTPConnection("127.0.0.1", ex.port, timeout=SOCK_TIMEOUT)


def get(ex, path, headers=None):
    conn = http_conn(ex)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp, resp.read()
    finally:
        conn.close()


# ---- simple ----------------------------------------------------------------------

def test_simple_get_handler(run_example):
    ex = run_example("simple")
    conn = http_conn(ex)
    conn.request("GET", "/hello?query1=value1&query2=value2&query3=value3",
                 headers={"Test-Header-2": "Test-Value-2", "Test-Header-1": "Test-Value-1"})
    resp = conn.getresponse()
    body = resp.read().decode()
    conn.close()
    assert resp.status == 200
    assert resp.getheader("Custom-Header-1") == "Custom-Value-1"
    assert resp.getheader("Custom-Header-2") == "Custom-Value-2"
    assert body == "Hello World!"

    ex.wait_log(f"Found header => Host: 127.0.0.1:{ex.port}")
    ex.wait_log("Found header => Test-Header-2: Test-Value-2")
    ex.wait_log("Found header => Test-Header-1: Test-Value-1")
    ex.wait_log("Found URL query parameter => query1=value1")
    ex.wait_log("Found URL query parameter => query3=value3")
    log = ex.wait_log("Found URL query parameter => query2=value2")
    # This library keeps request headers readable after the response is sent.
    log = ex.wait_log("Request headers still readable after the response")
    assert "Request headers lost" not in log


def test_simple_custom_uri_query(run_example):
    ex = run_example("simple")
    query = "query1=http%3A%2F%2Ffoobar&query3=abcd%2B1234%20xyz&query2=Esp%21%40%20%23%2471"
    status, _, body = get(ex, "/hello?" + query)
    assert status == 200
    assert body == b"Hello World!"
    ex.wait_log("Found URL query => " + query)
    ex.wait_log("Found URL query parameter => query1=http%3A%2F%2Ffoobar")
    ex.wait_log("Found URL query parameter => query3=abcd%2B1234%20xyz")
    ex.wait_log("Found URL query parameter => query2=Esp%21%40%20%23%2471")
    ex.wait_log("Decoded query parameter => http://foobar")
    ex.wait_log("Decoded query parameter => abcd+1234 xyz")
    ex.wait_log("Decoded query parameter => Esp!@ #$71")


def test_simple_post_handler(run_example):
    ex = run_example("simple")
    data = "".join(random.choice(string.printable) for _ in range(10 * 1024))
    conn = http_conn(ex)
    conn.request("POST", "/echo", body=data)
    resp = conn.getresponse()
    body = resp.read().decode()
    assert resp.status == 200
    assert resp.getheader("Transfer-Encoding", "").lower() == "chunked"
    assert body == data
    # The connection stays usable.
    conn.request("POST", "/echo", body="again")
    resp = conn.getresponse()
    assert resp.status == 200 and resp.read() == b"again"
    conn.close()


def test_simple_echo_chunked_request(run_example):
    ex = run_example("simple")
    with RawConn(ex.port) as c:
        c.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"5\r\nHello\r\n7\r\n, World\r\n0\r\n\r\n")
        status, _, body = c.read_response()
        assert status == 200
        assert body == b"Hello, World"
        # Empty body: just the terminating chunk.
        status, headers, body = c.request("POST", "/echo", body=b"")
        assert status == 200 and body == b""


def test_simple_put_handler_upstream_flow(run_example):
    """client.test_put_handler, with http.client as upstream does it."""
    ex = run_example("simple")
    conn = http_conn(ex)
    conn.request("PUT", "/ctrl", body="0")
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 200

    conn.request("GET", "/hello")
    resp = conn.getresponse()
    assert resp.status == 404
    assert resp.read().decode() == "/hello URI is not available"

    conn.request("POST", "/echo", body="Some content")
    resp = conn.getresponse()
    assert resp.status == 404
    assert resp.read().decode() == "/echo URI is not available"

    # The custom handler closed the connection after the /echo 404: the next
    # request on it must fail (http.client must not have reconnected silently).
    with pytest.raises((http.client.HTTPException, OSError)):
        conn.request("POST", "/hello", body="x")
        conn.getresponse().read()
    conn.close()

    conn = http_conn(ex)
    conn.request("PUT", "/ctrl", body="1")
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 200
    conn.close()

    conn = http_conn(ex)
    conn.request("GET", "/hello")
    resp = conn.getresponse()
    assert resp.status == 200
    assert resp.read().decode() == "Hello World!"
    conn.request("GET", "/invalid")
    resp = conn.getresponse()
    assert resp.status == 404
    assert resp.read().decode() == "Nothing matches the given URI"
    conn.close()


def test_simple_put_handler_close_semantics(run_example):
    """The custom 404 handler keeps the connection for /hello and closes it otherwise."""
    ex = run_example("simple")
    with RawConn(ex.port) as c:
        status, _, body = c.request("PUT", "/ctrl", body=b"0")
        assert (status, body) == (200, b"")
        for _ in range(2):
            status, _, body = c.request("GET", "/hello")
            assert (status, body) == (404, b"/hello URI is not available")
        status, _, body = c.request("POST", "/echo", body=b"Some content")
        assert (status, body) == (404, b"/echo URI is not available")
        assert c.closed_by_peer(), "connection not closed after the /echo 404"

    with RawConn(ex.port) as c:
        status, _, body = c.request("GET", "/elsewhere")
        assert (status, body) == (404, b"Some 404 error message")
        assert c.closed_by_peer(), "connection not closed after the custom 404"

    with RawConn(ex.port) as c:
        # Twice: the second registration finds the handlers there and says so.
        for _ in range(2):
            status, _, _ = c.request("PUT", "/ctrl", body=b"1")
            assert status == 200
        status, headers, body = c.request("GET", "/hello")
        assert (status, body) == (200, b"Hello World!")
        assert headers.get("custom-header-1") == "Custom-Value-1"
        status, _, body = c.request("POST", "/echo", body=b"back again")
        assert (status, body) == (200, b"back again")
        status, _, body = c.request("GET", "/invalid")
        assert (status, body) == (404, b"Nothing matches the given URI")
    ex.wait_log("Registering /hello and /echo URIs", count=2)


def test_simple_any(run_example):
    ex = run_example("simple")
    with RawConn(ex.port) as c:
        for method in ("GET", "POST", "PUT", "DELETE", "PATCH"):
            body = b"x" if method in ("POST", "PUT", "PATCH") else None
            status, _, resp = c.request(method, "/any", body=body)
            assert (status, resp) == (200, b"Hello World!"), method
    # Method not registered for a known URI.
    with RawConn(ex.port) as c:
        status, _, _ = c.request("GET", "/echo")
        assert status == 405


def test_simple_lru_purge(run_example):
    """More idle connections than max_open_sockets (7): LRU purge keeps accepting."""
    ex = run_example("simple")
    idle = []
    try:
        for _ in range(12):
            idle.append(socket.create_connection(("127.0.0.1", ex.port), timeout=SOCK_TIMEOUT))
            time.sleep(0.02)
        status, _, body = get(ex, "/hello")
        assert (status, body) == (200, b"Hello World!")
    finally:
        for s in idle:
            s.close()


def test_simple_sigint():
    ex = Example("simple").start()
    try:
        status, _, _ = get(ex, "/hello")
        assert status == 200
        assert ex.stop(signal.SIGINT) == 0
    finally:
        ex.check_clean_exit()


# ---- persistent_sockets ----------------------------------------------------------

def simple_req(conn, method, path, body=None):
    conn.request(method, path, body=body)
    resp = conn.getresponse()
    data = resp.read().decode()
    assert resp.status == 200, (method, path, resp.status, data)
    return data


def test_persistent_adder(run_example):
    ex = run_example("persistent_sockets")
    conn = http_conn(ex)

    assert simple_req(conn, "GET", "/login") == "1"
    ex.wait_log("/login allocating new session")
    assert simple_req(conn, "GET", "/logout") == "1"
    ex.wait_log("/logout dropping the session context")

    n1 = random.randint(0, 100)
    simple_req(conn, "PUT", "/adder", str(n1))
    ex.wait_log(f"/adder PUT handler read {n1}")
    ex.wait_log("PUT allocating new session")
    n2 = random.randint(0, 100)
    simple_req(conn, "PUT", "/adder", str(n2))
    ex.wait_log(f"/adder PUT handler read {n2}")
    assert ex.log().count("PUT allocating new session") == 1

    total = n2
    for _ in range(100):
        n = random.randint(0, 100)
        total += n
        assert simple_req(conn, "POST", "/adder", str(n)) == str(total)
    assert simple_req(conn, "GET", "/adder") == str(total)
    ex.wait_log(f"/adder GET handler send {total}")
    ex.wait_log("/adder visitor count = 103")
    assert "/adder Free Context function called" not in ex.log()

    conn.close()
    ex.wait_log("/adder Free Context function called")

    # http.client reconnects: a new session, a new context.
    n = random.randint(0, 100)
    simple_req(conn, "PUT", "/adder", str(n))
    ex.wait_log("PUT allocating new session", count=2)
    assert simple_req(conn, "GET", "/adder") == str(n)
    conn.close()
    log = ex.wait_log("/adder Free Context function called", count=2)
    time.sleep(0.2)
    assert ex.log().count("/adder Free Context function called") == 2, log


def test_persistent_contexts_are_per_connection(run_example):
    ex = run_example("persistent_sockets")
    a, b = http_conn(ex), http_conn(ex)
    try:
        assert simple_req(a, "POST", "/adder", "5") == "5"
        assert simple_req(b, "POST", "/adder", "7") == "7"
        assert simple_req(a, "POST", "/adder", "1") == "6"
        assert simple_req(b, "GET", "/adder") == "7"
        # login on an existing context keeps it; logout drops it, GET starts again at 0.
        assert simple_req(a, "GET", "/login") == "6"
        assert simple_req(a, "GET", "/logout") == "1"
        assert simple_req(a, "GET", "/adder") == "0"
        ex.wait_log("/adder Free Context function called")
    finally:
        a.close()
        b.close()
    ex.wait_log("/adder Free Context function called", count=3)


# ---- demo ------------------------------------------------------------------------

DEMO_ENDPOINTS = ("/hello", "/echo", "/headers", "/query", "/counter", "/stream", "/cookie")


def test_demo_announces_url(run_example):
    ex = run_example("demo")
    deadline = time.monotonic() + LOG_TIMEOUT
    want = f"Serving on http://127.0.0.1:{ex.port}/"
    while want not in ex.stdout() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert want in ex.stdout()


def test_demo_index(run_example):
    """/ is the device dashboard; the API tour that used to be there is /showcase/."""
    ex = run_example("demo")
    status, resp, body = get(ex, "/")
    assert status == 200
    assert resp.getheader("Content-Type", "").startswith("text/html")
    assert 'href="/showcase/"' in body.decode()
    status, resp, body = get(ex, "/showcase/")
    assert status == 200
    assert resp.getheader("Content-Type", "").startswith("text/html")
    html = body.decode()
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert "</html>" in html
    for ep in ("/hello", "/headers", "/query?name=", "/counter", "/stream", "/cookie"):
        assert f'href="{ep}' in html, ep
    assert re.search(r"fetch\([^)]*'/echo'", html) and "<textarea" in html   # the POST /echo form
    # Self-contained: no external scripts, styles, images or links.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
    assert "<style>" in html


def test_demo_hello(run_example):
    ex = run_example("demo")
    status, resp, body = get(ex, "/hello")
    assert status == 200
    assert resp.getheader("Content-Type", "").startswith("text/plain")
    assert body == b"Hello World!\n"


def test_demo_echo(run_example):
    ex = run_example("demo")
    conn = http_conn(ex)
    try:
        payload = bytes(random.getrandbits(8) for _ in range(20000))
        conn.request("POST", "/echo", body=payload,
                     headers={"Content-Type": "application/octet-stream"})
        resp = conn.getresponse()
        assert resp.status == 200
        assert resp.read() == payload
        conn.request("POST", "/echo", body="hi there", headers={"Content-Type": "text/plain"})
        resp = conn.getresponse()
        assert resp.status == 200
        assert resp.getheader("Content-Type") == "text/plain"
        assert resp.read() == b"hi there"
    finally:
        conn.close()
    with RawConn(ex.port) as c:
        c.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
        status, _, body = c.read_response()
        assert (status, body) == (200, b"abcde")
    status, _, _ = get(ex, "/echo")
    assert status == 405


def test_demo_headers(run_example):
    ex = run_example("demo")
    status, resp, body = get(ex, "/headers", headers={"X-Demo": "forty two",
                                                       "User-Agent": "pytest-demo"})
    assert status == 200
    assert resp.getheader("Content-Type", "").startswith("text/plain")
    text = body.decode()
    assert text.startswith("GET /headers")
    assert f"Host: 127.0.0.1:{ex.port}" in text
    assert "X-Demo: forty two" in text
    assert "User-Agent: pytest-demo" in text
    assert "Cookie:" not in text


def test_demo_query(run_example):
    ex = run_example("demo")
    cases = {
        "/query?name=Ada": "Hello, Ada!\n",
        "/query?name=Ada%20Lovelace": "Hello, Ada Lovelace!\n",
        "/query?name=J%C3%BCrgen+M": "Hello, J\u00fcrgen M!\n",
        "/query?x=1&name=a%26b": "Hello, a&b!\n",
        "/query": "Hello, stranger! Try /query?name=Ada\n",
        "/query?other=1": "Hello, stranger! Try /query?name=Ada\n",
    }
    for path, want in cases.items():
        status, _, body = get(ex, path)
        assert status == 200, path
        assert body.decode() == want, path
    status, _, _ = get(ex, "/query?name=" + "x" * 300)
    assert status == 400


def test_demo_counter(run_example):
    ex = run_example("demo")
    for _ in range(2):
        conn = http_conn(ex)
        try:
            for i in range(1, 4):
                conn.request("GET", "/counter")
                resp = conn.getresponse()
                assert resp.status == 200
                assert f"on this connection: {i}\n" in resp.read().decode()
        finally:
            conn.close()


def test_demo_stream(run_example):
    ex = run_example("demo")
    with RawConn(ex.port) as c:
        status, headers, body = c.request("GET", "/stream")
        assert status == 200
        assert headers.get("transfer-encoding", "").lower() == "chunked"
        assert body.decode() == "".join(f"line {i} of 5\n" for i in range(1, 6))


def test_demo_cookie(run_example):
    ex = run_example("demo")
    status, resp, body = get(ex, "/cookie")
    assert status == 200
    assert resp.getheader("Set-Cookie", "").startswith("demo_visits=1;")
    assert "no demo_visits cookie" in body.decode()

    status, resp, body = get(ex, "/cookie", headers={"Cookie": "a=b; demo_visits=1; z=9"})
    assert status == 200
    assert resp.getheader("Set-Cookie", "").startswith("demo_visits=2;")
    assert "sent the cookie demo_visits=1" in body.decode()


def test_demo_unknown_path(run_example):
    ex = run_example("demo")
    status, _, body = get(ex, "/nope")
    assert status == 404
    assert body == b"Nothing matches the given URI"
