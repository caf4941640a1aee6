# SPDX-License-Identifier: Apache-2.0
"""Clients that try to stall the server: slow request bodies and WebSocket frames (the
minimum rate, the purge of a full table), a WebSocket client that never reads (frames
queued on its session, never a wait of the server thread), and idle keep-alive
connections. docs/limits.md lists the limits these tests exercise."""
import os
import resource
import re
import socket
import threading
import time

import pytest

from conftest import HOST, Conn, response_bytes, start_server
from test_ws import OP_BIN, OP_TEXT, WsConn, WsServer, frame


def build_config(name):
    """A CONFIG_HTTPD_* value the library under test was built with (its generated
    esp_http_server_config.h), or None."""
    path = os.path.join(os.environ.get("HTTPD_BUILD_DIR", "build/asan-gcc"), "generated",
                        "esp_http_server_config.h")
    try:
        with open(path, encoding="utf-8") as fh:
            m = re.search(r"^#define\s+CONFIG_%s\s+(\d+)" % name, fh.read(), re.M)
    except OSError:
        return None
    return int(m.group(1)) if m else None


IDLE_S = build_config("HTTPD_IDLE_TIMEOUT_S")
GRACE_S = build_config("HTTPD_RECV_GRACE_S")
MIN_RATE = build_config("HTTPD_RECV_MIN_RATE")
# make test builds one variant with short limits (scripts/test.sh) so these run there.
short_idle = pytest.mark.skipif(not IDLE_S or IDLE_S > 5, reason="idle time-out not short in this build")
short_grace = pytest.mark.skipif(not GRACE_S or GRACE_S > 5 or not MIN_RATE,
                                 reason="rate grace period not short in this build")


def slow_reader(srv, timeout=5):
    """A WebSocket client connection with a 4 KiB receive buffer: the server's sends
    to it stall as soon as it stops reading."""
    c = WsConn(HOST, srv.port, connect=False, timeout=timeout)
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.sock.connect((HOST, srv.port))
    return c


@short_idle
def test_idle_keepalive_connection_closed_after_the_idle_timeout():
    """An idle keep-alive connection (and one that never sent a byte) is closed after
    CONFIG_HTTPD_IDLE_TIMEOUT_S; one in use is not."""
    srv = start_server(["--recv-timeout", "30"])
    try:
        with srv.conn(timeout=IDLE_S + 5) as used, srv.conn(timeout=IDLE_S + 5) as silent:
            assert used.get("/hello").status == 200
            t0 = time.monotonic()
            for _ in range(3):   # activity restarts it
                time.sleep(IDLE_S * 0.6)
                assert used.get("/hello").status == 200
            silent.assert_closed(timeout=IDLE_S + 3)
            assert time.monotonic() - t0 >= IDLE_S - 0.5
            used.assert_closed(timeout=IDLE_S + 3)
    finally:
        srv.stop()
    srv.assert_clean_exit()


def assert_cut_after_grace(c):
    """Sends one byte every 0.3 s on c (a request body or frame payload already begun)
    and asserts the server closes the connection: not before the grace period, and
    within 10 s after it."""
    t0 = time.monotonic()
    closed = False
    while time.monotonic() - t0 < GRACE_S + 10:
        try:
            c.send(b"x")
            c.assert_closed(timeout=0.3, allow_data=True)
            closed = True
            break
        except OSError:
            closed = True
            break
        except AssertionError:
            pass
    assert closed, "still open after %.1f s" % (time.monotonic() - t0)
    assert time.monotonic() - t0 >= GRACE_S - 0.5


@short_grace
def test_trickled_body_fails_after_the_grace_period():
    """A body sent one byte every 0.3 s keeps every wait short of recv_wait_timeout,
    but falls below the minimum rate: after the grace period the handler's receive
    fails and the connection closes, well before the body could end."""
    srv = start_server(["--recv-timeout", "30"])
    try:
        with Conn(HOST, srv.port, timeout=30) as c:
            c.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
            assert_cut_after_grace(c)
    finally:
        srv.stop()
    srv.assert_clean_exit()


@short_grace
def test_trickled_websocket_frame_fails_after_the_grace_period():
    """The same for a WebSocket frame: its header announces 100,000 bytes, its payload
    comes one byte every 0.3 s. After the grace period the handler's receive fails and
    the connection closes, long before the frame could end."""
    srv = WsServer(("--recv-timeout", "30")).start()
    try:
        with WsConn(HOST, srv.port, timeout=30) as c:
            c.handshake("/ws")
            whole = frame(OP_BIN, b"\0" * 100000, key=b"\0\0\0\0")
            c.send(whole[:len(whole) - 100000])   # the header (with its mask) alone
            assert_cut_after_grace(c)
    finally:
        srv.stop()
    srv.assert_clean_exit()


def _trickle(port, stop, body_len=100000):
    """A POST whose body arrives one byte every 0.3 s until stop is set."""
    c = Conn(HOST, port, timeout=30)
    try:
        c.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % body_len)
        while not stop.is_set():
            try:
                c.send(b"x")
            except OSError:
                return
            stop.wait(0.3)
    finally:
        c.close()


def test_full_table_of_slow_bodies_purged_for_a_newcomer():
    """max_open_sockets clients trickle request bodies: with LRU purge on, a newcomer
    still gets its answer (a handler waiting on a client that is not keeping up is
    purged like an idle connection, its receive failing)."""
    srv = start_server(["--max-sockets", "3", "--lru", "--recv-timeout", "5"])
    stop = threading.Event()
    threads = [threading.Thread(target=_trickle, args=(srv.port, stop)) for _ in range(3)]
    try:
        for t in threads:
            t.start()
        time.sleep(1.8)   # each handler has waited over a second at about 3 bytes/s
        t0 = time.monotonic()
        with srv.conn(timeout=5) as c:
            r = c.get("/hello")
        assert r.raw == response_bytes("Hello World!")
        assert time.monotonic() - t0 < 2.0
    finally:
        stop.set()
        for t in threads:
            t.join(10)
        srv.stop()
    srv.assert_clean_exit()


def test_ws_client_that_never_reads_does_not_stall_the_server():
    """Frames pushed from another thread to a client that never reads queue on its
    session (bounded: the rest are refused) and never make the server thread wait:
    other clients are answered at once meanwhile."""
    srv = WsServer(()).start()
    try:
        c = slow_reader(srv)
        with c:
            c.handshake("/ws")
            fd = c.ask_fd()
            job = int(srv.http("/push?fd=%d&n=200&size=16384" % fd).split("=")[1])
            worst = 0.0
            deadline = time.monotonic() + 4
            status = ""
            while time.monotonic() < deadline:
                t0 = time.monotonic()
                status = srv.http("/push_status?job=%d" % job)
                worst = max(worst, time.monotonic() - t0)
                if status.startswith("done=1"):
                    break
                time.sleep(0.05)
            assert worst < 1.0, "a request took %.2f s while frames waited for a stalled client" % worst
            m = re.match(r"done=1 ok=(\d+) err=(\d+)", status)
            assert m, status
            assert int(m.group(2)) > 0, "every frame was taken: the queue is not bounded? " + status
    finally:
        srv.stop()
    srv.assert_clean_exit()


def test_ws_frames_queued_for_a_slow_reader_arrive_whole_and_in_order():
    """The queue keeps frames whole and in order: a client that reads late gets every
    frame it was sent (those the queue took), none cut."""
    srv = WsServer(()).start()
    try:
        c = slow_reader(srv)
        with c:
            c.handshake("/ws")
            fd = c.ask_fd()
            job = int(srv.http("/push?fd=%d&n=40&size=1000" % fd).split("=")[1])
            time.sleep(0.5)   # they queue while nobody reads
            got = []
            while len(got) < 40:
                f = c.recv_frame(timeout=5)
                assert f.opcode == OP_TEXT and f.fin
                got.append(int(f.payload[1:].split(b" ")[1]))
            assert got == list(range(40))
            c.send(frame(OP_TEXT, "still there"))
            assert c.recv_frame(timeout=5).payload == b"still there"
            assert srv.http("/push_status?job=%d" % job).startswith("done=1 ok=40 err=0")
    finally:
        srv.stop()
    srv.assert_clean_exit()


def test_handler_send_flushes_frames_queued_while_it_waited():
    """Frames queued for a client that was not reading while its handler waited for
    the rest of a frame leave first when that handler sends its echo: every accepted
    frame, then the echo, all at once (not after send_wait_timeout)."""
    srv = WsServer(()).start()
    try:
        c = slow_reader(srv)
        with c:
            c.handshake("/ws")
            fd = c.ask_fd()
            whole = frame(OP_TEXT, "echo me", key=b"\0\0\0\0")
            c.send(whole[:4])                     # the handler now waits for the rest
            time.sleep(0.2)
            job = int(srv.http("/push?fd=%d&n=300&size=16000" % fd).split("=")[1])
            deadline = time.monotonic() + 5
            while not srv.http("/push_status?job=%d" % job).startswith("done=1"):
                assert time.monotonic() < deadline, "pushes did not finish"
                time.sleep(0.05)
            status = srv.http("/push_status?job=%d" % job)
            ok = int(re.match(r"done=1 ok=(\d+)", status).group(1))
            t0 = time.monotonic()
            c.send(whole[4:])                     # the echo must wait for the queue, not time out
            got = []
            while True:
                f = c.recv_frame(timeout=4)
                if f.payload == b"echo me":
                    break
                got.append(int(f.payload[1:].split(b" ")[1]))
            assert got == list(range(ok)), (got[:5], ok)
            assert time.monotonic() - t0 < 3.0
    finally:
        srv.stop()
    srv.assert_clean_exit()


def test_frame_cut_by_a_send_timeout_ends_the_websocket():
    """A handler's echo of a 4 MiB frame to a client that stops reading runs out of
    send_wait_timeout half-way: the frame is cut, so no frame may follow it. The
    handler of /ws_twice sends a second frame without looking at the first's result,
    just as the client starts reading again: that send must fail, and the client must
    read the cut frame's bytes and then the end of the stream, never another frame's
    bytes inside the cut one."""
    srv = WsServer(("--send-timeout", "1")).start()
    try:
        c = slow_reader(srv, timeout=10)
        with c:
            c.handshake("/ws_twice")
            big = bytes(range(256)) * (4 * 1024 * 1024 // 256)
            c.send(frame(OP_BIN, big, key=b"\0\0\0\0"))
            time.sleep(1.3)   # the echo stalls and fails at 1 s; then the client reads again
            data = c.read_until_close(timeout=10)   # (asserts the close)
            assert data[:2] == b"\x82\x7f", data[:10]   # the echo's header: BIN, 64-bit length
            assert len(data) < 10 + len(big), "the whole frame arrived: nothing was cut?"
            assert data[10:] == big[:len(data) - 10], "another frame's bytes inside the cut one"
        deadline = time.monotonic() + 5
        while "TWICE" not in srv.stdout_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        line = [x for x in srv.stdout_text().splitlines() if x.startswith("TWICE")]
        assert line and "first=ESP_OK" not in line[0] and "second=ESP_OK" not in line[0], line
    finally:
        srv.stop()
    srv.assert_clean_exit()


def _cpu_ticks(pid):
    """User + system clock ticks a process has used (/proc/<pid>/stat)."""
    with open("/proc/%d/stat" % pid) as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


@pytest.mark.skipif(not hasattr(resource, "prlimit"), reason="needs prlimit (Linux)")
def test_out_of_descriptors_waits_without_spinning_then_serves():
    """With no descriptor left for accept() (EMFILE) and no session open, the listening
    socket stays readable: the server must neither spin on it nor log each try, and it
    must serve the waiting client once descriptors are to be had again."""
    srv = start_server()
    pid = srv.proc.pid
    soft, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
    try:
        fds = {int(x) for x in os.listdir("/proc/%d/fd" % pid)}
        lowest_free = min(set(range(len(fds) + 1)) - fds)
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (lowest_free, hard))   # no new descriptor
        with srv.conn() as c:
            c.send(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            t0 = _cpu_ticks(pid)
            time.sleep(1.0)
            spent = _cpu_ticks(pid) - t0
            tick = os.sysconf("SC_CLK_TCK")
            assert spent < 0.3 * tick, "the server used %d of %d ticks while it could not accept" % (spent, tick)
            errors = [x for x in srv.stderr_text().splitlines() if "accept:" in x]
            assert len(errors) == 1, errors[:5]
            resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard))
            r = c.read_response(timeout=3)
            assert r.status == 200
    finally:
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard))
        srv.stop()
    srv.assert_clean_exit()
