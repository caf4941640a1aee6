# SPDX-License-Identifier: Apache-2.0
"""recv_wait_timeout: stalled and dribbled heads (408), handler-side recv timeouts,
no idle timeout, slow clients do not block others."""
import threading
import time

import pytest

from conftest import error_bytes, response_bytes, start_server


@pytest.fixture(scope="module")
def fast_server():
    """A server with recv_wait_timeout 1 s, shared by this module."""
    srv = start_server(["--recv-timeout", "1"])
    yield srv
    srv.assert_clean_exit()


@pytest.mark.parametrize("partial", [b"GE", b"GET /hello HTTP/1.1\r\n", b"GET /hello HTTP/1.1\r\nHost: x\r\n",
                                     b"GET /hello HTTP/1.1\r\nHost: x\r\nX-A: b"],
                         ids=["method", "request_line", "one_header", "mid_header"])
def test_stalled_head_408(fast_server, partial):
    with fast_server.conn() as c:
        t0 = time.monotonic()
        c.send(partial)
        r = c.read_response(timeout=5)
        elapsed = time.monotonic() - t0
        assert r.raw == error_bytes(408)
        assert 0.8 <= elapsed < 3.0, elapsed
        c.assert_closed(timeout=3)


def test_stalled_head_after_idle_keepalive(fast_server):
    # the head timeout runs from the head's first byte, not from the last request
    with fast_server.conn() as c:
        assert c.get("/hello").status == 200
        time.sleep(1.5)
        t0 = time.monotonic()
        c.send(b"GET /he")
        r = c.read_response(timeout=5)
        elapsed = time.monotonic() - t0
        assert r.raw == error_bytes(408)
        assert 0.7 <= elapsed < 3.0, elapsed
        c.assert_closed(timeout=3)


def test_idle_connect_not_timed_out(fast_server):
    with fast_server.conn() as c:
        c.assert_open(2.5)
        assert c.get("/hello").raw == response_bytes("Hello World!")


def test_dribbled_head_timed_out_from_first_byte(server_factory):
    srv = server_factory("--recv-timeout", "2")
    head = b"GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"s" * 200
    with srv.conn() as c:
        t0 = time.monotonic()
        got = None
        for i in range(len(head)):
            try:
                c.send(head[i:i + 1])
            except OSError:
                break
            if time.monotonic() - t0 > 6:
                break
            try:
                got = c.read_response(timeout=0.1)
                break
            except Exception:  # noqa: BLE001 - nothing yet (timeout) is the normal case
                if c.eof:
                    break
        elapsed = time.monotonic() - t0
        assert got is not None, "no response to a dribbled head after %.1fs" % elapsed
        assert got.raw == error_bytes(408)
        assert 1.7 <= elapsed < 3.5, elapsed


def test_dribbler_does_not_block_others(server_factory):
    srv = server_factory("--recv-timeout", "2")
    stop = threading.Event()
    dribble_result = {}

    def dribbler():
        head = b"GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"s" * 200
        with srv.conn() as c:
            for i in range(len(head)):
                if stop.is_set():
                    return
                try:
                    c.send(head[i:i + 1])
                except OSError:
                    break
                time.sleep(0.1)
            dribble_result["done"] = True

    t = threading.Thread(target=dribbler)
    t.start()
    try:
        time.sleep(0.3)
        worst = 0.0
        with srv.conn() as c:
            for _ in range(15):
                t0 = time.monotonic()
                r = c.get("/hello")
                worst = max(worst, time.monotonic() - t0)
                assert r.status == 200
                time.sleep(0.1)
        # new connections are accepted meanwhile too
        for _ in range(3):
            t0 = time.monotonic()
            assert srv.get("/hello").status == 200
            worst = max(worst, time.monotonic() - t0)
        assert worst < 0.2, "a request took %.3fs while another client dribbled" % worst
    finally:
        stop.set()
        t.join(10)


def test_several_stalled_clients_do_not_block_others(fast_server):
    stalled = [fast_server.conn() for _ in range(5)]
    try:
        for c in stalled:
            c.send(b"GET /hello HTTP/1.1\r\nHo")
        with fast_server.conn() as c:
            for _ in range(5):
                t0 = time.monotonic()
                assert c.get("/hello").status == 200
                assert time.monotonic() - t0 < 0.2
        for c in stalled:
            assert c.read_response(timeout=4).raw == error_bytes(408)
    finally:
        for c in stalled:
            c.close()


def test_handler_recv_timeout_408(fast_server):
    # upstream code_408: /echo waits for 10 body bytes, gets 4
    with fast_server.conn() as c:
        t0 = time.monotonic()
        c.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nABCD")
        r = c.read_response(timeout=5)
        elapsed = time.monotonic() - t0
        assert r.status == 408
        assert r.status_line == "HTTP/1.1 408 Request Timeout"
        assert r.body == b"Server closed this connection"
        assert 0.8 <= elapsed < 3.0, elapsed
        c.assert_closed(timeout=3)


def test_handler_recv_timeout_chunked(fast_server):
    # a chunked body that stalls mid-chunk: httpd_req_recv() gives HTTPD_SOCK_ERR_TIMEOUT
    with fast_server.conn() as c:
        t0 = time.monotonic()
        c.send(b"POST /body_echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")
        r = c.read_response(timeout=5)
        assert r.status == 400 and r.body == b"recv -3"
        assert 0.8 <= time.monotonic() - t0 < 3.0
        c.assert_closed(timeout=3)


def test_handler_recv_not_timed_out_by_slow_body(fast_server):
    # each piece arrives within the timeout: the handler must not time out
    with fast_server.conn() as c:
        c.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n")
        for b in b"abcd":
            time.sleep(0.5)
            c.send(bytes([b]))
        assert c.read_response(timeout=5).raw == response_bytes("abcd")


def test_drain_timeout_closes_silently(fast_server):
    with fast_server.conn() as c:
        c.send(b"POST /leftover_data HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789abcdef")
        assert c.read_response().raw == response_bytes("0123456789")
        # the rest of the body never comes: the server gives up draining and closes
        c.assert_closed(timeout=4)


def test_408_then_new_connection_works(fast_server):
    with fast_server.conn() as c:
        c.send(b"GET")
        assert c.read_response(timeout=4).status == 408
    assert fast_server.get("/hello").status == 200
