# SPDX-License-Identifier: Apache-2.0
"""Responses to a pipelined batch leave together: while complete requests
wait behind the one being served, its response is held and the batch's last
response carries them all in one send. Nothing may be lost, reordered or kept
waiting for input the client holds back for it.

The number of sends is observed from the client: with TCP_NODELAY (the server's
default) each send(2) of a small response becomes its own TCP segment on loopback,
so the client's tcpi_data_segs_in (Linux >= 4.6) counts the server's sends."""
import socket
import struct
import threading
import time

import pytest

from conftest import error_bytes, get_req, post_req, response_bytes, start_server

HELLO = response_bytes("Hello World!")
TCPI_DATA_SEGS_IN = 152     # offset of tcpi_data_segs_in in struct tcp_info


def data_segs_in(c):
    info = c.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    if len(info) < TCPI_DATA_SEGS_IN + 4:
        pytest.skip("kernel without tcpi_data_segs_in")
    return struct.unpack_from("I", info, TCPI_DATA_SEGS_IN)[0]


def read_exactly(c, n, timeout=10):
    return c.read_exact(n, timeout=timeout)


def test_batch_of_ten_leaves_in_one_send(server):
    with server.conn() as c:
        c.get("/hello")                       # settle the connection
        before = data_segs_in(c)
        c.send(get_req("/hello") * 10)
        assert read_exactly(c, 10 * len(HELLO)) == HELLO * 10
        c.assert_open(0.2)
        assert data_segs_in(c) - before == 1


def test_segment_counter_sees_separate_sends(server):
    """The observation works: ten requests sent one at a time get ten segments."""
    with server.conn() as c:
        c.get("/hello")
        before = data_segs_in(c)
        for _ in range(10):
            assert c.get("/hello").body == b"Hello World!"
        assert data_segs_in(c) - before == 10


def test_large_batch_in_few_sends(server):
    n = 300
    with server.conn() as c:
        c.get("/hello")
        before = data_segs_in(c)
        c.send(get_req("/hello") * n)
        assert read_exactly(c, n * len(HELLO)) == HELLO * n
        segs = data_segs_in(c) - before
        # the held output holds 2 KiB: at least ~20 responses per send; the receive
        # buffer ends batches too, so allow for that, but far fewer than n
        assert 2 <= segs <= n // 8, segs


def test_mixed_batch_in_order(server):
    reqs = [get_req("/hello"), post_req("/echo", "abc"), get_req("/any"), get_req("/hello/type_html"),
            post_req("/echo", "x" * 100), get_req("/stream?n=2"), get_req("/hello")]
    with server.conn() as c:
        c.send(b"".join(reqs))
        assert c.read_response().raw == HELLO
        assert c.read_response().body == b"abc"
        assert c.read_response().body == b"GET"
        assert c.read_response().body == b"Hello World!"
        assert c.read_response().body == b"x" * 100
        assert c.read_response().chunks == [b"chunk0\n", b"chunk1\n"]
        assert c.read_response().raw == HELLO
        c.assert_open(0.2)


def test_batch_ending_in_partial_head_is_flushed(server):
    """The held responses go out when the batch ends, not when the next head completes."""
    nxt = get_req("/hello")
    with server.conn() as c:
        c.send(get_req("/hello") * 5 + nxt[:12])
        assert read_exactly(c, 5 * len(HELLO), timeout=3) == HELLO * 5
        c.send(nxt[12:])
        assert read_exactly(c, len(HELLO)) == HELLO


def test_held_responses_flushed_before_waiting_for_a_body(server):
    """The next handler waits for a body the client sends only after it has its answers."""
    with server.conn() as c:
        c.send(get_req("/hello") * 3 + b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n")
        assert read_exactly(c, 3 * len(HELLO), timeout=3) == HELLO * 3
        c.send(b"hello")
        assert c.read_response().body == b"hello"
        c.assert_open(0.2)


def test_connection_close_in_batch(server):
    with server.conn() as c:
        c.send(get_req("/hello") * 3 + get_req("/hello", [("Connection", "close")]) + get_req("/hello"))
        assert c.read_until_close(timeout=5) == HELLO * 3 + response_bytes("Hello World!", close=True)


def test_error_in_batch_delivers_the_earlier_responses(server):
    with server.conn() as c:
        c.send(get_req("/hello") * 2 + get_req("/nope") + get_req("/hello"))
        assert c.read_until_close(timeout=5) == HELLO * 2 + error_bytes(404)


def test_malformed_head_after_batch(server):
    with server.conn() as c:
        c.send(get_req("/hello") * 2 + b"GET /x HTTP/1.1\r\nBad Header\r\n\r\n")
        assert c.read_until_close(timeout=5) == HELLO * 2 + error_bytes(400)


def test_failing_handler_after_batch(server):
    with server.conn() as c:
        c.send(get_req("/hello") * 4 + get_req("/fail") + get_req("/hello"))
        assert c.read_until_close(timeout=5) == HELLO * 4


def test_raw_send_after_held_responses(server):
    """httpd_send (raw bytes) comes after the responses held before it."""
    with server.conn() as c:
        raw = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nraw"
        c.send(get_req("/hello") * 2 + get_req("/raw") + get_req("/hello"))
        assert read_exactly(c, 3 * len(HELLO) + len(raw)) == HELLO * 2 + raw + HELLO


def test_unread_batch_does_not_stall_others(server):
    """A client that pipelines a lot and reads nothing for a while: the flush waits on
    its socket (suspended), other clients are served, and nothing is lost."""
    n = 20000
    payload = get_req("/hello") * n
    with server.conn(timeout=30) as slow:
        sender = threading.Thread(target=lambda: slow.sock.sendall(payload), daemon=True)
        sender.start()
        time.sleep(0.5)
        with server.conn() as other:
            for _ in range(5):
                t0 = time.monotonic()
                assert other.get("/hello").body == b"Hello World!"
                assert time.monotonic() - t0 < 1.0
        got = read_exactly(slow, n * len(HELLO), timeout=60)
        sender.join(10)
        assert got == HELLO * n
        slow.assert_open(0.2)


def test_batch_ending_in_empty_lines_is_flushed(server):
    """Empty lines after a batch look like the end of a head to the look-ahead; the
    loop then sends the held responses itself (the flush job)."""
    with server.conn() as c:
        c.send(get_req("/hello") * 3 + b"\r\n\r\n")
        assert read_exactly(c, 3 * len(HELLO), timeout=3) == HELLO * 3
        assert c.get("/hello").raw == HELLO
        c.assert_open(0.2)


@pytest.fixture(scope="module")
def fast_server():
    """recv_wait_timeout 1 s."""
    srv = start_server(["--recv-timeout", "1"])
    yield srv
    srv.assert_clean_exit()


def test_flushed_batch_then_stalled_head_times_out(fast_server):
    """After the flush job the partial head behind the batch still has its time-out."""
    with fast_server.conn() as c:
        t0 = time.monotonic()
        c.send(get_req("/hello") * 3 + b"\r\n\r\nGET /hel")
        assert read_exactly(c, 3 * len(HELLO), timeout=3) == HELLO * 3
        assert time.monotonic() - t0 < 0.8
        r = c.read_response(timeout=5)
        assert r.raw == error_bytes(408)
        assert 0.8 <= time.monotonic() - t0 < 3.0
        c.assert_closed(timeout=3)
