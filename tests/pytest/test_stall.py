# SPDX-License-Identifier: Apache-2.0
"""Never blocked: slow or stalled clients must not hold up anyone else.

Drives tests/server/stall_server.c ($HTTPD_BUILD_DIR/stall_server) with
--max-sockets 200 --recv-timeout 2 --send-timeout 2. In every scenario a
well-behaved client samples GET /hello every 50 ms (a new connection per sample,
or one keep-alive connection) while offenders stall; it must see p99 < 100 ms.
The offenders must be closed by the time-outs, and afterwards the server's open
fds (exact) and heap in use (within ALLOC_SLACK) must be back at their starting
values (taken after a burst of connections, so the few request buffers the server
keeps for reuse are counted; test_buffer_pool_returned checks a burst's memory goes
back); handlers never run at the same time (overlap=1) and never on another
thread. Run with -s to see the "SCENARIO x p50=... p99=..." lines.

Every server is stopped with SIGTERM at teardown, which asserts exit code 0 and
no sanitizer report on stderr.
"""
import math
import selectors
import socket
import threading
import time

import pytest

from conftest import HOST, Conn, Firmware, PeerClosed, error_bytes, get_req, big_pattern

RECV_TIMEOUT = 2
SEND_TIMEOUT = 2
MAX_SOCKETS = 200
OFFENDERS = 50
SAMPLE_PERIOD = 0.05       # the good client's pace
SAMPLE_TIMEOUT = 5.0       # a sample slower than this is an error
P99_LIMIT = 0.100          # seconds
ALLOC_SLACK = 64 * 1024    # heap bytes the server may hold on to after a scenario
CLOSE_MARGIN = 2.0         # seconds a time-out may take beyond its nominal value
SETTLE = 3.0               # seconds for fds / sessions to come back after the offenders left


# ---- Process --------------------------------------------------------------------------

class StallServer(Firmware):
    """tests/server/stall_server.c with the limits above (+ args)."""

    def __init__(self, args=()):
        super().__init__("stall_server", ["--max-sockets", str(MAX_SOCKETS), "--recv-timeout",
                                          str(RECV_TIMEOUT), "--send-timeout", str(SEND_TIMEOUT)]
                         + list(args))

    def stats(self):
        """GET /stats on a new connection, as a dict of ints."""
        with self.conn() as c:
            r = c.get("/stats", headers=(("Connection", "close"),))
        assert r.status == 200, r
        out = {}
        for line in r.text.splitlines():
            k, _, v = line.partition("=")
            out[k] = int(v)
        return out

    def wait_stats(self, pred, timeout, what):
        """Polls /stats until pred(stats) holds; returns (stats, seconds waited)."""
        t0 = time.monotonic()
        deadline = t0 + timeout
        while True:
            st = self.stats()
            if pred(st):
                return st, time.monotonic() - t0
            if time.monotonic() > deadline:
                raise AssertionError("%s: not within %.1fs; last /stats %r" % (what, timeout, st))
            time.sleep(0.05)


def start_stall(args=()):
    return StallServer(args).start()


@pytest.fixture
def stall():
    """A dedicated stall_server; after the test: still alive, then a clean exit."""
    srv = start_stall()
    yield srv
    alive = srv.alive()
    problems = srv.problems()
    if not alive:
        problems.insert(0, "stall_server died during the test")
    assert not problems, "\n".join(problems)


# ---- The well-behaved client -----------------------------------------------------------

def percentile(values, p):
    """Nearest-rank percentile of values (p in 0..100)."""
    s = sorted(values)
    return s[max(0, min(len(s) - 1, math.ceil(p / 100.0 * len(s)) - 1))]


class Sampler:
    """GET /hello every SAMPLE_PERIOD on a thread: keep_alive=False opens a new
    connection per sample, True reuses one (reconnecting after a failure)."""

    def __init__(self, srv, keep_alive):
        self.srv = srv
        self.keep_alive = keep_alive
        self.latencies = []
        self.errors = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._conn = None

    def _sample(self):
        req = get_req("/hello")
        if self.keep_alive:
            if self._conn is None:
                self._conn = Conn(HOST, self.srv.port, timeout=SAMPLE_TIMEOUT)
            r = self._conn.request(req, timeout=SAMPLE_TIMEOUT)
        else:
            with Conn(HOST, self.srv.port, timeout=SAMPLE_TIMEOUT) as c:
                r = c.request(req, timeout=SAMPLE_TIMEOUT)
        if r.status != 200 or r.body != b"Hello, World!\n":
            raise AssertionError("unexpected answer %r" % (r,))

    def _run(self):
        t_next = time.monotonic()
        while not self._stop.is_set():
            t0 = time.monotonic()
            try:
                self._sample()
                self.latencies.append(time.monotonic() - t0)
            except (OSError, AssertionError, PeerClosed) as e:
                self.errors.append("%.3fs: %r" % (t0, e))
                self.latencies.append(time.monotonic() - t0)
                if self._conn is not None:
                    self._conn.close()
                    self._conn = None
            t_next = max(t_next + SAMPLE_PERIOD, time.monotonic())
            self._stop.wait(max(0.0, t_next - time.monotonic()))
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=SAMPLE_TIMEOUT + 5)
        assert not self._thread.is_alive(), "sampler thread did not stop"

    def __exit__(self, *exc):
        self.stop()

    def report(self, name, min_samples=20):
        """Prints and checks the scenario's latencies."""
        n = len(self.latencies)
        assert n > 0, "no samples"
        p50 = percentile(self.latencies, 50)
        p99 = percentile(self.latencies, 99)
        print("SCENARIO %s p50=%.2fms p99=%.2fms max=%.2fms samples=%d errors=%d (%s)"
              % (name, p50 * 1e3, p99 * 1e3, max(self.latencies) * 1e3, n, len(self.errors),
                 "keep-alive" if self.keep_alive else "new connection per sample"))
        assert n >= min_samples, "only %d samples: the good client was held up" % n
        assert not self.errors, "good client failed %d times: %s" % (len(self.errors), self.errors[:5])
        assert p99 < P99_LIMIT, "p99 %.1f ms >= %.0f ms" % (p99 * 1e3, P99_LIMIT * 1e3)
        return p50, p99


# ---- Offender helpers --------------------------------------------------------------------

def wait_closed(conns, timeout):
    """Reads every conn (into conn.buf) until each sees EOF or RST, or timeout.
    Returns the monotonic time each one closed (None: still open)."""
    sel = selectors.DefaultSelector()
    closed = [None] * len(conns)
    for i, c in enumerate(conns):
        c.sock.setblocking(False)
        sel.register(c.sock, selectors.EVENT_READ, i)
    deadline = time.monotonic() + timeout
    try:
        while sel.get_map() and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=max(0.0, min(0.2, deadline - time.monotonic()))):
                i = key.data
                try:
                    data = conns[i].sock.recv(1 << 20)
                except BlockingIOError:
                    continue
                except (ConnectionResetError, BrokenPipeError):
                    data = b""
                if data:
                    conns[i].buf += data
                else:
                    closed[i] = time.monotonic()
                    conns[i].eof = True
                    sel.unregister(conns[i].sock)
    finally:
        sel.close()
        for c in conns:
            c.sock.setblocking(True)
            c.sock.settimeout(c.timeout)
    return closed


def prime_buffer_pool(srv, n=OFFENDERS + 8):
    """Makes the server allocate n request buffers at once and hand them back: it pools
    them until httpd_stop (see test_buffer_pool_returned), so a baseline taken after
    this already includes the buffers a scenario's offenders take."""
    conns = []
    try:
        for _ in range(n):
            conns.append(srv.conn().send(b"GET /hello HTTP/1.1\r\nX-Part: "))
        srv.wait_stats(lambda s: s["sessions"] == n + 1, 3.0, "all partial heads seen")
    finally:
        for c in conns:
            c.close()
    srv.wait_stats(lambda s: s["sessions"] == 1, 3.0, "primed connections closed")


def baseline(srv, prime=True):
    """Warms the server up (request buffer pool, a /hello, a /stats) and returns its /stats."""
    if prime:
        prime_buffer_pool(srv)
    assert srv.get("/hello").status == 200
    srv.stats()
    return srv.stats()


def check_recovered(srv, base, alloc_ref=None):
    """After a scenario: fds exactly back, heap within ALLOC_SLACK of alloc_ref (default:
    the baseline's), one session (the /stats one), nothing active, handlers never
    overlapped, one thread."""
    alloc_ref = base["alloc"] if alloc_ref is None else alloc_ref
    st, _ = srv.wait_stats(lambda s: s["fds"] == base["fds"] and s["sessions"] == 1
                           and s["handlers_active"] == 1, SETTLE, "fds / sessions back to the baseline")
    deadline = time.monotonic() + SETTLE
    while abs(st["alloc"] - alloc_ref) > ALLOC_SLACK and time.monotonic() < deadline:
        time.sleep(0.1)
        st = srv.stats()
    print("  recovered: fds %d -> %d, alloc %d -> %d (%+d bytes; %+d from the start), max_active=%d"
          % (base["fds"], st["fds"], alloc_ref, st["alloc"], st["alloc"] - alloc_ref,
             st["alloc"] - base["alloc"], st["max_active"]))
    assert abs(st["alloc"] - alloc_ref) <= ALLOC_SLACK, \
        "heap in use %d bytes, %+d from the reference (slack %d)" % (st["alloc"], st["alloc"] - alloc_ref,
                                                                      ALLOC_SLACK)
    assert st["overlap"] == 1, "handlers ran at the same time: %r" % st
    assert st["thread_errors"] == 0, st
    assert st["handlers_running"] == 1, st
    return st


def quiet_period(seconds):
    time.sleep(seconds)


# ---- Scenarios ---------------------------------------------------------------------------

def half_head_wave(srv):
    """OFFENDERS connections send half a request head and stall; asserts each gets the
    408 of the spec and is closed about recv_wait_timeout after its first byte."""
    offenders = []
    try:
        t0 = time.monotonic()
        for _ in range(OFFENDERS):
            c = srv.conn()
            c.send(b"GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ")
            offenders.append(c)
        t_sent = time.monotonic()
        closed = wait_closed(offenders, RECV_TIMEOUT + CLOSE_MARGIN + (t_sent - t0))
        open_ones = [i for i, t in enumerate(closed) if t is None]
        assert not open_ones, "%d stalled heads still open after %ss" % (len(open_ones), RECV_TIMEOUT + CLOSE_MARGIN)
        for c, t in zip(offenders, closed):
            assert bytes(c.buf) == error_bytes(408), bytes(c.buf[:300])
            assert t - t0 >= RECV_TIMEOUT - 0.3, "closed after %.2fs, before the time-out" % (t - t0)
        print("  heads closed %.2f..%.2fs after the first byte" % (min(closed) - t0, max(closed) - t0))
    finally:
        for c in offenders:
            c.close()


def half_body_wave(srv, body_len=8192):
    """OFFENDERS connections send a head and half the body to /upload and stall; asserts
    that all the handlers wait at once and that each connection gets a 408 and is
    closed about recv_wait_timeout later."""
    offenders = []
    try:
        t0 = time.monotonic()
        for _ in range(OFFENDERS):
            c = srv.conn()
            c.send(b"POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n\r\n" % body_len
                   + b"x" * (body_len // 2))
            offenders.append(c)
        t_sent = time.monotonic()
        mid, _ = srv.wait_stats(lambda s: s["handlers_active"] >= OFFENDERS + 1, 2.0,
                                "all upload handlers waiting")
        closed = wait_closed(offenders, RECV_TIMEOUT + CLOSE_MARGIN + (t_sent - t0))
        open_ones = [i for i, t in enumerate(closed) if t is None]
        assert not open_ones, "%d stalled uploads still open" % len(open_ones)
        for c, t in zip(offenders, closed):
            head = bytes(c.buf).split(b"\r\n", 1)[0]
            assert head == b"HTTP/1.1 408 Request Timeout", bytes(c.buf[:300])
            assert t - t0 >= RECV_TIMEOUT - 0.3, "closed after %.2fs, before the time-out" % (t - t0)
        print("  uploads closed %.2f..%.2fs after sending; %d handlers were waiting at once"
              % (min(closed) - t0, max(closed) - t0, mid["handlers_active"] - 1))
    finally:
        for c in offenders:
            c.close()


def test_a_half_heads_get_408(stall):
    """50 connections send half a request head and stall: each gets 408 and is closed
    about recv_wait_timeout after its first byte; /hello (new connection per sample)
    is not held up."""
    base = baseline(stall)
    with Sampler(stall, keep_alive=False) as smp:
        quiet_period(0.3)
        half_head_wave(stall)
        quiet_period(0.3)
    smp.report("a")
    check_recovered(stall, base)


def test_b_half_bodies_upload_times_out(stall):
    """50 connections send a head and half the body to /upload, whose handler reads it:
    all 50 handlers wait at once (suspended), each gets HTTPD_SOCK_ERR_TIMEOUT, answers
    408 and the connection closes; /hello (one keep-alive connection) is not held up."""
    base = baseline(stall)
    with Sampler(stall, keep_alive=True) as smp:
        quiet_period(0.3)
        half_body_wave(stall)
        quiet_period(0.3)
    smp.report("b")
    st = check_recovered(stall, base)
    assert st["upload_timeouts"] == OFFENDERS and st["upload_errors"] == 0, st
    assert st["max_active"] >= OFFENDERS + 1, st


def test_buffer_pool_returned(stall):
    """After a burst of 50 connections that each sent part of a head and closed, the
    heap in use must come back to the starting value (within ALLOC_SLACK)."""
    base = baseline(stall, prime=False)
    conns = [stall.conn().send(b"GET /hello HTTP/1.1\r\nX-Part: ") for _ in range(OFFENDERS)]
    stall.wait_stats(lambda s: s["sessions"] == OFFENDERS + 1, 2.0, "all partial heads seen")
    for c in conns:
        c.close()
    check_recovered(stall, base)


def test_c_pipelined_big_responses_never_read(stall):
    """One client pipelines 100 GET /big (8 MiB each) and never reads: the handler is
    suspended on the full socket, gives up after send_wait_timeout without progress,
    and the connection is closed; /hello (new connection per sample) is not held up."""
    n = 8 << 20
    # Warm-up: the server keeps the /big body buffer from its first request of that
    # size on (counted in the baseline then), and filling 8 MiB costs the handler tens
    # of milliseconds under ASan: handler CPU time, not waiting, so not measured here.
    with stall.conn(timeout=10.0) as w:
        r = w.get("/big?n=%d" % n, timeout=10.0)
        assert r.status == 200 and len(r.body) == n
    base = baseline(stall)
    c = stall.conn()
    try:
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        with Sampler(stall, keep_alive=False) as smp:
            quiet_period(0.3)
            t0 = time.monotonic()
            c.send(get_req("/big?n=%d" % n) * 100)
            st, waited = stall.wait_stats(lambda s: s["big_fail"] >= 1,
                                          SEND_TIMEOUT + CLOSE_MARGIN + 1.0, "the /big handler gave up")
            quiet_period(0.3)
        print("  /big handler failed %.2fs after the requests (big_ok=%d big_fail=%d)"
              % (time.monotonic() - t0 - 0.3, st["big_ok"], st["big_fail"]))
        smp.report("c")
        assert st["big_fail"] == 1 and st["big_ok"] == 1, st
        assert waited >= SEND_TIMEOUT - 0.3, "gave up after %.2fs, before send_wait_timeout" % waited
        # Only now read: the server must have closed (EOF, or RST), short of the 100 bodies.
        closed = wait_closed([c], 5.0)
        assert closed[0] is not None, "the non-reader's connection is still open"
        assert len(c.buf) < n, "received %d bytes, a whole body or more" % len(c.buf)
        if c.buf:
            assert c.buf.startswith(b"HTTP/1.1 200 OK\r\n"), bytes(c.buf[:200])
            body = bytes(c.buf).split(b"\r\n\r\n", 1)[1]
            assert body == big_pattern(n)[:len(body)]
    finally:
        c.close()
    check_recovered(stall, base)


def _slow_reader(c, seconds, piece=64 * 1024, pause=0.010):
    """Reads piece bytes every pause seconds for seconds; returns bytes read."""
    got = 0
    end = time.monotonic() + seconds
    c.sock.settimeout(1.0)
    while time.monotonic() < end:
        data = c.sock.recv(piece)
        if not data:
            break
        got += len(data)
        time.sleep(pause)
    c.sock.settimeout(c.timeout)
    return got


def test_d_stream_to_slow_reader_then_stall(stall):
    """A handler streams 64 MiB chunked to a reader taking 64 KiB every 10 ms; after
    1.5 s the reader stops reading: the handler's chunk send fails after
    send_wait_timeout, it returns ESP_FAIL and the connection closes; /hello (one
    keep-alive connection) is not held up at any point."""
    base = baseline(stall)
    c = stall.conn()
    try:
        with Sampler(stall, keep_alive=True) as smp:
            quiet_period(0.3)
            c.send(get_req("/stream?mib=64"))
            got = _slow_reader(c, 1.5)
            assert got > 1 << 20, "only %d bytes in 1.5 s" % got
            st, waited = stall.wait_stats(lambda s: s["stream_fail"] + s["stream_ok"] >= 1,
                                          SEND_TIMEOUT + CLOSE_MARGIN + 1.0, "the stream handler gave up")
            quiet_period(0.3)
        print("  slow reader took %.1f MiB; the handler failed %.2fs after it stopped reading"
              % (got / 1048576.0, waited))
        smp.report("d")
        assert st["stream_fail"] == 1 and st["stream_ok"] == 0, st
        assert waited >= SEND_TIMEOUT - 0.5, "gave up %.2fs after the reader stopped" % waited
        closed = wait_closed([c], 5.0)
        assert closed[0] is not None, "the stalled reader's connection is still open"
        assert got + len(c.buf) < 64 << 20
    finally:
        c.close()
    check_recovered(stall, base)


def test_d2_stream_reader_closes(stall):
    """The slow reader of a 64 MiB stream closes its socket instead: the handler's
    next chunk send fails at once (no time-out needed) and it returns ESP_FAIL."""
    base = baseline(stall)
    with Sampler(stall, keep_alive=True) as smp:
        quiet_period(0.3)
        with stall.conn() as c:
            c.send(get_req("/stream?mib=64"))
            got = _slow_reader(c, 0.5)
            assert got > 0
        t_close = time.monotonic()
        st, _ = stall.wait_stats(lambda s: s["stream_fail"] + s["stream_ok"] >= 1,
                                 SEND_TIMEOUT + CLOSE_MARGIN, "the stream handler failed")
        failed_after = time.monotonic() - t_close
        quiet_period(0.3)
    smp.report("d2")
    assert st["stream_fail"] == 1, st
    assert failed_after < SEND_TIMEOUT, "took %.2fs: waited for the time-out" % failed_after
    check_recovered(stall, base)


# ---- Work queue ------------------------------------------------------------------------

def test_work_runs_while_handler_suspended(stall):
    """While /upload waits for its body (handler suspended in httpd_req_recv), work
    queued from another client runs promptly, in order, never while a handler runs;
    the upload then completes normally once the rest of its body arrives."""
    base = baseline(stall)
    k = 20
    body_len = 8192
    up = stall.conn()
    try:
        up.send(b"POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n\r\n" % body_len
                + b"y" * 100)
        stall.wait_stats(lambda s: s["handlers_active"] == 2, 1.0, "upload handler waiting")
        t0 = time.monotonic()
        with stall.conn() as w:
            r = w.get("/work?n=%d" % k)
        assert r.status == 200 and r.text == "queued=%d first=0\n" % k, r
        st, waited = stall.wait_stats(lambda s: s["work_done"] >= k, 1.0, "work items ran")
        elapsed = time.monotonic() - t0
        print("  %d work items ran within %.0f ms while the upload waited" % (k, elapsed * 1e3))
        assert elapsed < 0.5, elapsed
        assert st["upload_ok"] + st["upload_timeouts"] + st["upload_errors"] == 0, \
            "the upload ended before the work ran: %r" % st
        assert st["handlers_active"] == 2, st
        assert st["work_done"] == k and st["work_queued"] == k, st
        assert st["work_in_handler"] == 0, st
        assert st["work_order_errors"] == 0, st
        assert st["work_while_suspended"] == k, st
        # Now the rest of the body: the suspended handler resumes and answers.
        up.send(b"y" * (body_len - 100))
        r = up.read_response(timeout=2.0)
        assert r.status == 200 and r.text == "received=%d\n" % body_len, r
    finally:
        up.close()
    st = check_recovered(stall, base)
    assert st["upload_ok"] == 1 and st["upload_timeouts"] == 0, st


def test_work_never_inside_handler_under_load(stall):
    """Work queued in bursts while 20 uploads and a stalled stream keep handlers
    suspended: every item runs, in FIFO order, on the server thread, and never while
    a handler is running."""
    base = baseline(stall)
    rounds, k = 10, 30
    ups = []
    s = stall.conn()
    try:
        s.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        s.send(get_req("/stream?mib=64"))
        for _ in range(20):
            c = stall.conn()
            c.send(b"POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n" + b"z" * 5000)
            ups.append(c)
        for i in range(rounds):
            with stall.conn() as w:
                r = w.get("/work?n=%d" % k)
            assert r.status == 200 and r.text == "queued=%d first=%d\n" % (k, i * k), r
            time.sleep(0.02)
        st, _ = stall.wait_stats(lambda x: x["work_done"] == rounds * k, 1.0, "work items ran")
        assert st["work_in_handler"] == 0 and st["work_order_errors"] == 0, st
        assert st["thread_errors"] == 0, st
        assert st["work_while_suspended"] == rounds * k, st
        for c in ups:
            c.close()
        s.close()
        stall.wait_stats(lambda x: x["stream_fail"] == 1 and x["upload_errors"] + x["upload_timeouts"] == 20,
                         SEND_TIMEOUT + CLOSE_MARGIN, "stalled handlers ended")
    finally:
        for c in ups:
            c.close()
        s.close()
    check_recovered(stall, base)
