# SPDX-License-Identifier: Apache-2.0
"""The push add-ons against tests/server_addons/push_server.c: Server-Sent Events
(httpd_sse.h: headers, framing, Last-Event-ID, broadcast to many, a stalled
subscriber, disconnects, concurrent broadcasts, stop with subscribers) and
WebSocket broadcast (httpd_ws_broadcast.h: groups, closed and stalled clients)."""
import asyncio
import http.client
import os
import socket
import struct
import threading
import time

import pytest

from conftest import HOST, Conn, PeerClosed

websockets = pytest.importorskip("websockets")

FW = "push_server"


def get(fw, path, timeout=5.0):
    """GET path on a fresh connection; returns (status, body text)."""
    c = http.client.HTTPConnection(HOST, fw.port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read().decode()
    finally:
        c.close()


def counts(fw):
    status, body = get(fw, "/count")
    assert status == 200
    return {k: int(v) for k, v in (kv.split("=") for kv in body.split())}


def wait_for(pred, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


def wait_count(fw, key, value, timeout=10.0):
    wait_for(lambda: counts(fw)[key] == value, timeout, "%s == %d (now %r)" % (key, value, counts(fw)))


class Sse:
    """A raw-socket EventSource: the request, the response head, then events."""

    def __init__(self, fw, path="/events", headers=(), rcvbuf=None):
        self.conn = Conn(port=fw.port, connect=False)
        if rcvbuf:
            self.conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.conn.sock.connect((HOST, fw.port))
        req = "GET %s HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n" % path
        req += "".join("%s: %s\r\n" % h for h in headers) + "\r\n"
        self.conn.send(req)
        self.head = self.conn.read_until(b"\r\n\r\n").decode("latin-1")

    def header(self, name):
        for line in self.head.split("\r\n")[1:]:
            k, _, v = line.partition(":")
            if k.strip().lower() == name.lower():
                return v.strip()
        return None

    @property
    def status(self):
        return int(self.head.split(" ")[1])

    def block(self, timeout=5.0):
        """The next event block (comments included) as raw text."""
        return self.conn.read_until(b"\n\n", timeout=timeout).decode()

    def event(self, timeout=5.0, skip_comments=True):
        """The next event as a dict: event, id, data (lines joined with LF)."""
        while True:
            ev = {"data": []}
            lines = self.block(timeout)[:-2].split("\n")
            if skip_comments and all(line.startswith(":") for line in lines):
                continue
            for line in lines:
                k, _, v = line.partition(":")
                v = v[1:] if v.startswith(" ") else v
                if k == "data":
                    ev["data"].append(v)
                elif k:
                    ev[k] = v
            ev["data"] = "\n".join(ev["data"])
            return ev

    def close(self):
        self.conn.close()


@pytest.fixture
def push(firmware):
    return firmware(FW)


# ---- Server-Sent Events --------------------------------------------------------------

def test_sse_headers_and_hello(push):
    s = Sse(push)
    assert s.status == 200, s.head
    assert s.header("Content-Type") == "text/event-stream"
    assert s.header("Cache-Control") == "no-cache"
    assert s.header("Content-Length") is None
    assert s.event() == {"event": "hello", "data": "last=none"}
    s.close()


def test_sse_last_event_id_seen_by_on_subscribe(push):
    s = Sse(push, headers=[("Last-Event-ID", "41")])
    assert s.event() == {"event": "hello", "data": "last=41"}
    s.close()


def test_sse_subscribe_refused(push):
    c = Conn(port=push.port)
    r = c.get("/events?deny")
    assert r.status == 403
    c.close()
    assert counts(push)["subs"] == 0


def test_sse_multiline_data_and_fields(push):
    s = Sse(push)
    s.event()
    wait_count(push, "subs", 1)
    status, body = get(push, "/bcast?event=news&id=7&data=a%0Ab%0D%0Ac%0D%0D")
    assert (status, body) == (200, "queued=1")
    raw = s.block()
    assert raw == "event: news\nid: 7\ndata: a\ndata: b\ndata: c\ndata: \ndata: \n\n"
    # CR/LF in event or id would inject fields: refused, nothing sent.
    status, body = get(push, "/bcast?event=a%0Aid:%20x&data=z")
    assert status == 400 and "INVALID_ARG" in body
    get(push, "/bcast?data=after")
    assert s.event() == {"data": "after"}
    s.close()


def test_sse_counter_events_in_order(push):
    s = Sse(push)
    s.event()
    wait_count(push, "subs", 1)
    get(push, "/rate?ms=5")
    try:
        first = s.event()
        assert first["event"] == "tick" and first["id"] == first["data"]
        n = int(first["id"])
        for _ in range(100):
            ev = s.event()
            n += 1
            assert ev == {"event": "tick", "id": str(n), "data": str(n)}
    finally:
        get(push, "/rate?ms=0")
    s.close()


def test_sse_twenty_subscribers_get_a_broadcast(push):
    subs = [Sse(push) for _ in range(20)]
    for s in subs:
        assert s.event()["event"] == "hello"
    wait_count(push, "subs", 20)
    assert get(push, "/bcast?event=all&data=to%20everyone&id=99") == (200, "queued=20")
    for s in subs:
        assert s.event() == {"event": "all", "id": "99", "data": "to everyone"}
    for s in subs:
        s.close()
    wait_count(push, "subs", 0)


def test_sse_disconnect_lowers_the_count(push):
    subs = [Sse(push) for _ in range(3)]
    for s in subs:
        s.event()
    wait_count(push, "subs", 3)
    subs[0].close()
    subs[1].conn.sock.shutdown(socket.SHUT_WR)   # a half-close counts as gone too
    wait_count(push, "subs", 1)
    assert get(push, "/bcast?data=x") == (200, "queued=1")
    assert subs[2].event() == {"data": "x"}
    subs[1].close()
    subs[2].close()
    wait_count(push, "subs", 0)


def test_sse_broadcast_from_several_threads(push):
    subs = [Sse(push) for _ in range(2)]
    for s in subs:
        s.event()
    wait_count(push, "subs", 2)
    assert get(push, "/threads?t=4&n=50") == (200, "done=1")
    for s in subs:
        seen = {k: -1 for k in range(4)}
        for _ in range(200):
            ev = s.event()
            assert ev["event"] == "mt"
            k, i = ev["data"][1:].split("-")
            assert int(i) == seen[int(k)] + 1, "thread %s out of order: %r" % (k, ev)
            seen[int(k)] = int(i)
        assert seen == {k: 49 for k in range(4)}
        s.close()


def test_sse_keepalive_comments(firmware):
    fw = firmware(FW, "--keepalive-ms", "100")
    s = Sse(fw)
    s.event()
    t0 = time.monotonic()
    assert s.block(timeout=3) == ": ping\n\n"
    assert time.monotonic() - t0 < 2
    s.close()


def test_sse_stalled_subscriber_is_dropped_without_delaying_others(firmware):
    """A subscriber that never reads: the others keep getting every event, the
    server answers other requests promptly, and once its queue (8 KiB) is full
    it is dropped and its connection closed. The queue (64 KiB) takes a while to
    fill: a writer that waited for the stalled socket meanwhile would let the
    reading subscriber's queue overflow too."""
    fw = firmware(FW, "--sndbuf", "4096", "--sse-queue", "65536")
    stalled = Sse(fw, rcvbuf=4096)
    reader = Sse(fw)
    reader.event()
    wait_count(fw, "subs", 2)
    got, errors = [], []

    def read():
        try:
            while len(got) < 1500:
                ev = reader.event(timeout=10)
                got.append(int(ev["id"]))
        except Exception as e:  # reported below
            errors.append(e)

    t = threading.Thread(target=read)
    t.start()
    get(fw, "/rate?ms=1&size=200")
    try:
        slowest = 0.0
        for _ in range(10):
            t0 = time.monotonic()
            counts(fw)
            slowest = max(slowest, time.monotonic() - t0)
            time.sleep(0.05)
        assert slowest < 0.5, "the server answered slowly while a subscriber stalled: %.3fs" % slowest
        wait_count(fw, "subs", 1, timeout=15)
    finally:
        t.join(timeout=30)
        get(fw, "/rate?ms=0")
    assert not errors, errors
    assert len(got) == 1500
    assert got == list(range(got[0], got[0] + 1500)), "the reading subscriber missed events"
    # The stalled one: what the kernel buffered, then the end of the stream.
    stalled.conn.sock.settimeout(10)
    total = 0
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            d = stalled.conn.sock.recv(65536)
        except ConnectionResetError:
            d = b""
        if not d:
            break
        total += len(d)
    else:
        raise AssertionError("the stalled subscriber's connection stayed open")
    stalled.close()
    reader.close()


def test_sse_stop_with_subscribers(firmware):
    for extra in ((), ("--delete-first",)):
        fw = firmware(FW, *extra)
        subs = [Sse(fw) for _ in range(5)]
        for s in subs:
            s.event()
        get(fw, "/rate?ms=2")
        time.sleep(0.1)
        fw.stop()
        assert fw.returncode == 0, fw.stderr_text()[-2000:]
        assert "FINAL stop=ESP_OK" in fw.stdout_text()
        for s in subs:
            with pytest.raises(PeerClosed):   # a time-out here: still open after stop
                s.conn.read_until(b"never", timeout=5)
            s.close()


def test_sse_too_many_subscribers(firmware):
    fw = firmware(FW, "--max-subs", "2")
    subs = [Sse(fw) for _ in range(2)]
    third = Sse(fw)
    assert third.status == 503
    third.close()
    for s in subs:
        s.close()
    wait_count(fw, "subs", 0)
    again = Sse(fw)
    assert again.status == 200
    again.close()


# ---- WebSocket broadcast -------------------------------------------------------------

def ws_url(fw, path):
    return "ws://%s:%d%s" % (HOST, fw.port, path)


async def ws_join(fw, path):
    """A client of path that sent one frame (its handler joins it to the group then)."""
    ws = await websockets.connect(ws_url(fw, path), open_timeout=5, max_size=None)
    await ws.send("join")
    assert await asyncio.wait_for(ws.recv(), 5) == "join"
    return ws


async def nothing_within(ws, seconds):
    try:
        msg = await asyncio.wait_for(ws.recv(), seconds)
    except asyncio.TimeoutError:
        return True
    raise AssertionError("unexpected message %r" % (msg,))


def test_ws_broadcast_groups(push):
    async def main():
        a = [await ws_join(push, "/ws") for _ in range(3)]
        b = [await ws_join(push, "/ws_b") for _ in range(2)]
        assert counts(push) == {"subs": 0, "ga": 3, "gb": 2, "wsclients": 5}
        assert get(push, "/wsbcast?g=a&data=to-a") == (200, "ok=1")
        for ws in a:
            assert await asyncio.wait_for(ws.recv(), 5) == "to-a"
        for ws in b:
            assert await nothing_within(ws, 0.3)
        assert get(push, "/wsbcast?g=b&data=to-b") == (200, "ok=1")
        for ws in b:
            assert await asyncio.wait_for(ws.recv(), 5) == "to-b"
        assert get(push, "/wsbcast?g=all&data=to-all") == (200, "ok=1")
        for ws in a + b:
            assert await asyncio.wait_for(ws.recv(), 5) == "to-all"
        for ws in a:
            assert await nothing_within(ws, 0.1)
        # A closed member is forgotten; the others still get broadcasts.
        await a[0].close()
        wait_count(push, "ga", 2)
        assert counts(push)["wsclients"] == 4
        assert get(push, "/wsbcast?g=a&data=again") == (200, "ok=1")
        for ws in a[1:]:
            assert await asyncio.wait_for(ws.recv(), 5) == "again"
        for ws in a[1:] + b:
            await ws.close()
        wait_count(push, "wsclients", 0)
        assert counts(push)["ga"] == 0 and counts(push)["gb"] == 0
    asyncio.run(main())


def test_ws_fd_reuse_is_not_a_member(push):
    """A member closes; a client of the other route gets its fd number: it must not
    receive group a's broadcasts."""
    async def main():
        a = await ws_join(push, "/ws")
        await a.close()
        wait_count(push, "ga", 0)
        b = await ws_join(push, "/ws_b")
        assert get(push, "/wsbcast?g=a&data=for-a") == (200, "ok=1")
        assert await nothing_within(b, 0.3)
        await b.close()
    asyncio.run(main())


def raw_ws_client(fw, path, rcvbuf=4096):
    """A WebSocket client on a raw socket that sends one frame and then never reads."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(5)
    s.connect((HOST, fw.port))
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
               % path).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    mask = os.urandom(4)
    payload = bytes(c ^ mask[i % 4] for i, c in enumerate(b"join"))
    s.sendall(struct.pack("!BB", 0x81, 0x80 | 4) + mask + payload)
    return s


def test_ws_stalled_client_does_not_block(firmware):
    fw = firmware(FW, "--sndbuf", "4096")
    stalled = raw_ws_client(fw, "/ws")
    wait_count(fw, "ga", 1)

    async def main():
        reader = await ws_join(fw, "/ws")
        wait_count(fw, "ga", 2)
        sent = 0
        for _ in range(40):
            t0 = time.monotonic()
            status, body = get(fw, "/wsbcast?g=a&n=20&size=2000")
            assert time.monotonic() - t0 < 1.0, "broadcast call was slow"
            sent += int(body.split("=")[1])
            for _ in range(int(body.split("=")[1])):
                msg = await asyncio.wait_for(reader.recv(), 5)
                assert len(msg) == 2000
            if counts(fw)["ga"] == 1:
                break
        assert counts(fw)["ga"] == 1, "the stalled client was never dropped"
        assert sent > 0
        await reader.close()
    asyncio.run(main())
    stalled.settimeout(10)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if not stalled.recv(65536):
                break
        except ConnectionResetError:
            break
    else:
        raise AssertionError("the stalled client's connection stayed open")
    stalled.close()


def test_ws_broadcast_to_all_skips_http_sessions(push):
    async def main():
        ws = await ws_join(push, "/ws_b")
        c = Conn(port=push.port)   # an idle HTTP keep-alive session
        c.get("/count")
        assert get(push, "/wsbcast?g=all&data=only-ws") == (200, "ok=1")
        assert await asyncio.wait_for(ws.recv(), 5) == "only-ws"
        c.assert_open()
        assert c.get("/count").status == 200
        c.close()
        await ws.close()
    asyncio.run(main())


def test_ws_broadcasts_in_flight_at_stop(firmware):
    """Broadcasts still queued when the server stops are freed (the sanitizer
    build's leak check at exit), and the stop stays clean."""
    fw = firmware(FW)

    async def main():
        clients = [await ws_join(fw, "/ws") for _ in range(3)]
        c = Conn(port=fw.port)
        c.send("GET /wsbcast?g=a&n=60&size=4000 HTTP/1.1\r\nHost: x\r\n\r\n")
        r = c.read_response()
        assert r.status == 200 and int(r.text.split("=")[1]) > 0
        fw.stop()
        assert fw.returncode == 0, fw.stderr_text()[-3000:]
        c.close()
        for ws in clients:
            ws.transport.abort()   # the server is gone: no closing handshake
    asyncio.run(main())
