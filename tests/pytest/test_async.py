# SPDX-License-Identifier: Apache-2.0
"""Async requests: httpd_req_async_handler_begin() / httpd_req_async_handler_complete().

Two programs are driven here:
  example_async_handlers  examples/async_handlers/main.c: upstream's checks
                          (pytest_http_server_async.py) with short /long responses
                          (LONG_TICKS=3, LONG_INTERVAL_MS=300)
  async_server            tests/server/async_server.c: edge cases (body, headers and
                          query read on the worker, pipelining and keep-alive after
                          complete, LRU purge, trigger_close, stop with copies out)
Both live in $HTTPD_BUILD_DIR. Every process is stopped with SIGTERM at teardown,
which asserts exit code 0 and no sanitizer report; async_server must also report
as many completed copies as it began (its FINAL line).
"""
import re
import signal
import threading
import time

import pytest

from conftest import HOST, Firmware, body_req, chunked_body, final_line, get_req, post_req

TICKS = 3
INTERVAL_MS = 300
LONG_SECONDS = TICKS * INTERVAL_MS / 1000.0
QUICK_LIMIT = 0.5          # a fast endpoint answers within this while slow work runs

FINAL_RE = re.compile(r"FINAL begun=(\d+) completed=(\d+) complete_errors=(\d+) "
                      r"send_errors=(\d+) ctx_allocs=(\d+) ctx_frees=(\d+)")


# ---- Processes ----------------------------------------------------------------------

FINAL_KEYS = ("begun", "completed", "complete_errors", "send_errors", "ctx_allocs", "ctx_frees")


def _parse_final(srv):
    srv.final = final_line(srv.stdout_final, FINAL_RE, FINAL_KEYS)


def _final_problems(srv):
    if srv.final is None:
        return ["async_server printed no FINAL line; stdout:\n" + srv.stdout_final[-2000:]]
    out = []
    f = srv.final
    if f["completed"] != f["begun"] or f["complete_errors"]:
        out.append("async copies not all completed: %r" % (f,))
    if f["ctx_frees"] != f["ctx_allocs"]:
        out.append("session contexts leaked: %r" % (f,))
    return out


class AsyncServer(Firmware):
    """tests/server/async_server.c; final: the FINAL line as a dict, after stop()."""

    def __init__(self, args):
        super().__init__("async_server", args, on_exit=_parse_final, check=_final_problems)
        self.final = None


class Example(Firmware):
    """examples/async_handlers (port in env PORT), ready when it logs its /long settings."""

    def __init__(self, ticks, interval_ms):
        super().__init__("example_async_handlers", port_arg=False,
                         env={"LONG_TICKS": str(ticks), "LONG_INTERVAL_MS": str(interval_ms)},
                         ready=lambda ex: "/long: " in ex.log())

    def log(self):
        return self.stderr_text()

    def conn(self, timeout=10.0, host=None):
        return super().conn(timeout, host)


@pytest.fixture
def example(firmware):
    """start(ticks=TICKS, interval_ms=INTERVAL_MS) -> a running example."""
    return lambda ticks=TICKS, interval_ms=INTERVAL_MS: firmware(Example(ticks, interval_ms))


@pytest.fixture
def async_factory(firmware):
    """start(*args) -> a running async_server; checked at teardown."""
    return lambda *args: firmware(AsyncServer(args))


@pytest.fixture
def asrv(async_factory):
    return async_factory()


def long_lines(ticks=TICKS):
    return [b"<div>%d</div>\n" % i for i in range(ticks)]


def check_long_body(body, host, uri, ticks=TICKS):
    """Asserts the /long body of the example; returns its request number N."""
    m = re.match(rb"<div>req: (\d+)</div>\n<div>uri: (.*) host: (.*)</div>\n", body)
    assert m, body[:300]
    assert m.group(2) == uri.encode() and m.group(3) == host.encode(), body[:300]
    assert body[m.end():] == b"".join(long_lines(ticks)), body
    return int(m.group(1))


def read_status_and_first_chunk(c):
    """Reads the head of a chunked response and its first chunk; returns (head, chunk)."""
    head = c.read_until(b"\r\n\r\n")
    size = int(c.read_line()[:-2], 16)
    return head, c.read_exact(size + 2)[:-2]


# ---- Example: upstream's checks ---------------------------------------------------------

def test_example_parallel_long_requests(example):
    ex = example()
    with ex.conn() as a, ex.conn() as b:
        t0 = time.monotonic()
        a.send(get_req("/long?param=async1", host="testhost1"))
        b.send(get_req("/long?param=async2", host="testhost2"))
        ra = a.read_response()
        rb = b.read_response()
        elapsed = time.monotonic() - t0
    for r in (ra, rb):
        assert r.status == 200 and r.header("Transfer-Encoding") == "chunked", r.raw[:300]
    na = check_long_body(ra.body, "testhost1", "/long?param=async1")
    nb = check_long_body(rb.body, "testhost2", "/long?param=async2")
    assert sorted((na, nb)) == [1, 2]
    # Served side by side by the two workers, not one after the other.
    assert elapsed < 2 * LONG_SECONDS - 0.2, elapsed


def test_example_quick_while_long_runs(example):
    ex = example(ticks=5)
    with ex.conn() as slow:
        slow.send(get_req("/long"))
        head, first = read_status_and_first_chunk(slow)
        assert head.startswith(b"HTTP/1.1 200 OK\r\n") and first == b"<div>req: 1</div>\n"
        for _ in range(3):
            t0 = time.monotonic()
            with ex.conn() as q:
                r = q.get("/quick")
            took = time.monotonic() - t0
            assert r.status == 200 and re.fullmatch(rb"random: \d+\n", r.body), r.raw
            assert took < QUICK_LIMIT, "/quick took %.3fs while /long ran" % took
        rest = slow.read_until(b"0\r\n\r\n", timeout=5 * INTERVAL_MS / 1000 + 3)
        assert b"<div>4</div>\n" in rest


def test_example_same_session_sequential(example):
    ex = example()
    with ex.conn() as c:
        r1 = c.get("/long?test=sequential1")
        assert r1.status == 200
        assert check_long_body(r1.body, HOST, "/long?test=sequential1") == 1
        # Same connection: the server resumed reading it after complete.
        r2 = c.get("/long?test=sequential3")
        assert r2.status == 200
        assert check_long_body(r2.body, HOST, "/long?test=sequential3") == 2
        assert c.get("/quick").status == 200


def test_example_busy_when_all_workers_run(example):
    ex = example(ticks=4)
    with ex.conn() as a, ex.conn() as b, ex.conn() as c:
        for x in (a, b):
            x.send(get_req("/long"))
            read_status_and_first_chunk(x)          # both workers are taken now
        r = c.get("/long")
        assert r.status_line == "HTTP/1.1 503 Busy", r.raw
        assert r.body == b"<div> no workers available. server busy.</div>"
        assert c.get("/quick").status == 200      # the connection stays usable
        for x in (a, b):
            x.read_until(b"0\r\n\r\n", timeout=10)
        # The workers are free again: the same client is now served.
        r = c.get("/long")
        assert r.status == 200 and b"<div>3</div>\n" in r.body


def test_example_stops_during_long(example):
    ex = example(ticks=60, interval_ms=1000)
    with ex.conn() as a, ex.conn() as b:
        for x in (a, b):
            x.send(get_req("/long"))
            read_status_and_first_chunk(x)
        assert ex.stop() == 0
        assert ex.stop_seconds < 5.0, "stop took %.1fs with /long in flight" % ex.stop_seconds
        for x in (a, b):
            x.read_until_close(timeout=5)


# ---- async_server: the copy ---------------------------------------------------------------

def echo_expect(uri, body, host=HOST, xtest="", query="", param=""):
    return (b"uri=%s\nhost=%s\nx-test=%s\nquery=%s\nparam=%s\nlen=%d\n"
            % (uri.encode(), host.encode(), xtest.encode(), query.encode(), param.encode(), len(body))) + body


def test_body_headers_query_read_on_worker(asrv):
    body = bytes(range(256)) * 400     # 100 KiB: most of it is still in the socket at begin
    uri = "/async_echo?param=v1&x=2"
    with asrv.conn() as c:
        r = c.request(post_req(uri, body, headers=[("X-Test", "hello async")]))
        assert r.status == 200, r.raw[:300]
        assert r.header("Content-Type") == "text/plain"
        assert r.header("X-Worker") == "1"
        assert r.body == echo_expect(uri, body, xtest="hello async", query="param=v1&x=2", param="v1")
        # Small body, other header, other query, same connection.
        r = c.request(post_req("/async_echo?param=two", b"abc", headers=[("X-Test", "2")]))
        assert r.body == echo_expect("/async_echo?param=two", b"abc", xtest="2", query="param=two", param="two")


def test_body_arriving_after_begin(asrv):
    with asrv.conn() as c:
        c.send(b"POST /async_echo HTTP/1.1\r\nHost: h1\r\nContent-Length: 10\r\n\r\n01")
        time.sleep(0.3)          # the copy is with the worker, which waits in httpd_req_recv
        c.send_pieces([b"234", b"56789"], delay=0.1)
        r = c.read_response()
        assert r.status == 200 and r.body == echo_expect("/async_echo", b"0123456789", host="h1")


def test_chunked_body_and_expect_continue_on_worker(asrv):
    with asrv.conn() as c:
        c.send(b"POST /async_echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
               b"Expect: 100-continue\r\n\r\n")
        interim = c.read_response(timeout=3)      # sent when the worker first reads
        assert interim.status == 100
        c.send(chunked_body([b"hello ", b"from ", b"chunks"]))
        r = c.read_response()
        assert r.status == 200 and r.body == echo_expect("/async_echo", b"hello from chunks", host="h")
        assert c.get("/quick").body == b"quick\n"


def test_begin_twice_is_invalid_arg(asrv):
    with asrv.conn() as c:
        r = c.get("/begin_twice")
        assert r.status == 200
        assert r.body == b"first=ESP_OK second=ESP_ERR_INVALID_ARG worker=ESP_ERR_INVALID_ARG\n"
        assert c.get("/quick").body == b"quick\n"


# ---- async_server: the connection after complete ------------------------------------------

def test_keepalive_resumes_after_complete(asrv):
    with asrv.conn() as c:
        for i in range(3):
            assert c.request(post_req("/async_echo", b"x%d" % i)).body == echo_expect("/async_echo", b"x%d" % i)
            assert c.get("/quick").body == b"quick\n"
            assert c.get("/async_slow?ms=20").body == b"slow 20\n"


def test_pipelined_requests_wait_for_complete(asrv):
    reqs = (body_req("POST", "/async_slow?ms=400", b"u" * 5000)    # body never read by the worker
            + get_req("/quick")
            + post_req("/async_echo?param=p", b"second")
            + get_req("/async_slow?ms=10")
            + get_req("/quick"))
    with asrv.conn() as c:
        t0 = time.monotonic()
        c.send(reqs)
        r = c.read_response()
        assert r.body == b"slow 400\n"
        r = c.read_response()
        assert r.body == b"quick\n"
        assert time.monotonic() - t0 >= 0.4      # answered after complete, not before
        r = c.read_response()
        assert r.body == echo_expect("/async_echo?param=p", b"second", query="param=p", param="p")
        assert c.read_response().body == b"slow 10\n"
        assert c.read_response().body == b"quick\n"
        c.assert_open(wait=0.2)


def test_quick_answers_while_async_runs(asrv):
    with asrv.conn() as slow:
        slow.send(get_req("/async_slow?ms=1500"))
        time.sleep(0.1)
        for _ in range(5):
            t0 = time.monotonic()
            with asrv.conn() as q:
                assert q.get("/quick").body == b"quick\n"
            assert time.monotonic() - t0 < QUICK_LIMIT
        r = slow.read_response(timeout=5)
        assert r.body == b"slow 1500\n"


@pytest.mark.parametrize("path", ["/noreply", "/async_noreply"])
def test_no_reply_keeps_the_connection_like_sync(asrv, path):
    """A worker that completes without answering leaves the connection as a synchronous
    handler returning ESP_OK without answering does: nothing is sent, the next request
    is served."""
    with asrv.conn() as c:
        c.send(get_req(path) + get_req("/quick"))
        r = c.read_response()
        assert r.body == b"quick\n", r.raw
        assert c.get("/quick").body == b"quick\n"


def test_unterminated_chunked_response_is_ended(asrv):
    with asrv.conn() as c:
        c.send(get_req("/async_chunks") + get_req("/quick"))
        r = c.read_response(timeout=2)
        assert r.status == 200 and r.chunks == [b"part1\n", b"part2\n"], r.raw
        assert c.read_response(timeout=2).body == b"quick\n"


def test_sess_ctx_shared_between_sync_and_async(async_factory):
    srv = async_factory()
    with srv.conn() as a, srv.conn() as b:
        for i, mode in enumerate([0, 1, 0, 1, 1, 0], start=1):
            r = a.get("/sess?async=%d" % mode)
            assert r.body == b"count=%d async=%d\n" % (i, mode)
        assert b.get("/sess?async=1").body == b"count=1 async=1\n"
        assert b.get("/sess?async=0").body == b"count=2 async=0\n"
    assert srv.stop() == 0
    assert srv.final["ctx_allocs"] == 2 and srv.final["ctx_frees"] == 2, srv.final


def test_trigger_close_waits_for_complete(asrv):
    with asrv.conn() as c:
        r = c.get("/async_close")
        assert r.status == 200 and r.body == b"trigger_close=ESP_OK\n"
        c.assert_closed(timeout=3)
    with asrv.conn() as c:
        assert c.get("/quick").body == b"quick\n"


def test_async_session_not_lru_purged(async_factory):
    srv = async_factory("--lru", "--max-sockets", "2")
    with srv.conn() as busy, srv.conn() as idle:
        busy.send(get_req("/async_slow?ms=1200"))
        time.sleep(0.2)                          # its copy is with a worker now
        assert idle.get("/quick").body == b"quick\n"
        # The table is full: the new connection evicts the idle session, never the
        # one whose request is still being served.
        with srv.conn() as newer:
            assert newer.get("/quick").body == b"quick\n"
            idle.assert_closed(timeout=3)
            r = busy.read_response(timeout=5)
            assert r.status == 200 and r.body == b"slow 1200\n"
            assert busy.get("/quick").body == b"quick\n"


def test_full_table_purges_a_session_once_its_async_request_is_done(async_factory):
    """The table is full of sessions whose requests are with workers, so a newcomer
    finds none to purge and waits in the backlog. Once those requests are answered the
    sessions are idle keep-alive ones, which LRU purging may close: the newcomer must
    then be served, not left waiting until a session closes by itself (the idle
    time-out, or never while the clients stay busy)."""
    srv = async_factory("--lru", "--max-sockets", "2")
    with srv.conn() as a, srv.conn() as b:
        a.send(get_req("/async_slow?ms=800"))
        b.send(get_req("/async_slow?ms=800"))
        time.sleep(0.2)                          # both copies are with workers now
        with srv.conn() as c:
            c.send(get_req("/quick"))
            for x in (a, b):
                r = x.read_response(timeout=5)
                assert r.status == 200 and r.body == b"slow 800\n"
            t0 = time.monotonic()
            r = c.read_response(timeout=5)
            waited = time.monotonic() - t0
            assert r.status == 200 and r.body == b"quick\n"
            assert waited < 3.0, "the newcomer waited %.1f s after a session became purgeable" % waited
        still_open = 0
        for x in (a, b):
            try:
                x.assert_open(wait=0.3)
                still_open += 1
            except AssertionError:
                pass                             # closed by the server
        assert still_open == 1, "exactly one idle session made room (the least recently used)"


def test_many_clients_async(async_factory):
    srv = async_factory("--max-sockets", "24", "--workers", "4")
    errors = []

    def client(k):
        try:
            with srv.conn() as c:
                for i in range(5):
                    body = b"client %d request %d " % (k, i) * (k + 1)
                    r = c.request(post_req("/async_echo?param=%d" % k, body))
                    want = echo_expect("/async_echo?param=%d" % k, body, query="param=%d" % k, param=str(k))
                    if r.body != want:
                        errors.append((k, i, r.raw[:200]))
                    if c.get("/quick").body != b"quick\n":
                        errors.append((k, i, "quick"))
        except Exception as e:   # noqa: BLE001 - collected and reported below
            errors.append((k, repr(e)))

    threads = [threading.Thread(target=client, args=(k,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors[:5]
    assert srv.stop() == 0
    assert srv.final["begun"] == 80 and srv.final["send_errors"] == 0, srv.final


# ---- async_server: stop with copies out ---------------------------------------------------

def test_stop_with_async_in_flight(async_factory):
    """SIGTERM -> httpd_stop() while workers hold copies (three asleep, one waiting for a
    body in httpd_req_recv): the sessions are closed, the workers' later sends fail,
    complete() returns ESP_OK for every copy, and the process exits 0 without leaks."""
    srv = async_factory("--workers", "4")
    conns = [srv.conn() for _ in range(4)]
    try:
        for c in conns[:3]:
            c.send(get_req("/async_slow?ms=2500"))
        conns[3].send(b"POST /async_echo HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\npartial")
        time.sleep(0.3)
        t0 = time.monotonic()
        srv.proc.send_signal(signal.SIGTERM)
        for c in conns:
            data = c.read_until_close(timeout=5)
            assert data == b"", "unexpected response after stop: %r" % (data[:200],)
        closed_after = time.monotonic() - t0
        assert srv.stop() == 0
    finally:
        for c in conns:
            c.close()
    assert closed_after < 2.0, "connections closed %.1fs after SIGTERM" % closed_after
    f = srv.final
    assert f is not None, srv.stdout_final
    assert f["begun"] == 4 and f["completed"] == 4 and f["complete_errors"] == 0, f
    assert f["send_errors"] == 4, f


def test_stop_after_complete_race(async_factory):
    """Copies handed back just as the server stops are freed, not leaked."""
    srv = async_factory("--workers", "8", "--max-sockets", "16")
    conns = [srv.conn() for _ in range(12)]
    try:
        for i, c in enumerate(conns):
            c.send(get_req("/async_slow?ms=%d" % (200 + 5 * i)))
        time.sleep(0.2)
        srv.proc.send_signal(signal.SIGTERM)
        assert srv.stop() == 0
    finally:
        for c in conns:
            c.close()
    f = srv.final
    assert f is not None and f["begun"] == f["completed"] == 12, f


def test_held_pipelined_responses_leave_before_the_worker_starts(asrv):
    """Responses held for earlier pipelined requests are sent when a
    later one goes async, not after the worker finishes."""
    with asrv.conn() as c:
        t0 = time.monotonic()
        c.send(get_req("/quick") * 2 + get_req("/async_slow?ms=600") + get_req("/quick"))
        assert c.read_response().body == b"quick\n"
        assert c.read_response().body == b"quick\n"
        assert time.monotonic() - t0 < 0.4
        assert c.read_response().body == b"slow 600\n"
        assert c.read_response().body == b"quick\n"
        c.assert_open(wait=0.2)


def test_held_responses_leave_before_draining_a_body_that_is_not_here(asrv):
    """The batch's last handler sends nothing and leaves a body unread that has
    not all arrived: the held responses go out before the server waits for the
    rest of it (the client may send it only once it has its answers)."""
    with asrv.conn() as c:
        t0 = time.monotonic()
        c.send(get_req("/quick") * 2 +
               b"GET /noreply HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n" + b"x" * 10)
        for _ in range(2):
            assert c.read_response(timeout=3).body == b"quick\n"
        assert time.monotonic() - t0 < 2.0     # well before recv_wait_timeout (5 s)
        c.send(b"y" * 90)
        assert c.request(get_req("/quick")).body == b"quick\n"
        c.assert_open(wait=0.2)


def test_batch_ending_in_a_silent_handler_is_flushed(asrv):
    """The last request's handler sends nothing: the loop sends what was held."""
    with asrv.conn() as c:
        c.send(get_req("/quick") * 3 + get_req("/noreply"))
        for _ in range(3):
            assert c.read_response(timeout=3).body == b"quick\n"
        c.assert_open(wait=0.2)
