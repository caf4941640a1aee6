# SPDX-License-Identifier: Apache-2.0
"""Black-box WebSocket tests of example_ws_echo_server and example_demo.

The echo checks follow upstream ESP-IDF's pytest_ws_server_example.py (TEXT,
BINARY, PING -> PONG, "Trigger async" -> "Async data"); the broadcast checks
connect two clients to the 1-second feed at once. Clients are python3-websockets
(asyncio API, 10.x and later) and, where the exact frames matter (PONG echo,
fragments), a raw client in this file.

Each example runs on a free port (env PORT), as in test_examples.py; teardown
stops it with SIGTERM and checks exit code 0 and no sanitizer report.

Binaries: $HTTPD_BUILD_DIR (default <repo>/build/asan-gcc)/example_<name>; the
ws_echo_server tests skip while that binary is not built.
"""

import asyncio
import base64
import http.client
import json
import os
import re
import socket
import struct
import time

import pytest

from conftest import BUILD_DIR
from test_examples import SOCK_TIMEOUT, Example

websockets = pytest.importorskip(
    "websockets", reason="python3-websockets is not installed (apt-get install python3-websockets)")

WS_TIMEOUT = 5.0        # one WebSocket receive
TICK_WINDOW = 3.0       # two broadcast ticks arrive within this


@pytest.fixture
def run_ws_example(firmware):
    """start(name) -> a running example_<name> (skips while it is not built)."""
    def start(name):
        exe = BUILD_DIR / f"example_{name}"
        if not exe.exists():
            pytest.skip(f"{exe} is not built")
        return firmware(Example(name))

    return start


def run(coro, timeout=30.0):
    """Runs one coroutine of a test, bounded as a whole."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


def ws_url(ex, path):
    return f"ws://127.0.0.1:{ex.port}{path}"


async def recv(ws, timeout=WS_TIMEOUT):
    return await asyncio.wait_for(ws.recv(), timeout)


async def ping(ws, payload, timeout=WS_TIMEOUT):
    """Sends a PING; returns when the matching PONG (same payload) arrived."""
    waiter = await ws.ping(payload)
    await asyncio.wait_for(waiter, timeout)


async def expect_silence(ws, seconds):
    try:
        msg = await asyncio.wait_for(ws.recv(), seconds)
    except asyncio.TimeoutError:
        return
    raise AssertionError(f"unexpected message {msg!r}")


async def subscribe(ex, path):
    ws = await websockets.connect(ws_url(ex, path), open_timeout=WS_TIMEOUT)
    await ws.send("subscribe")
    return ws


async def read_ticks(ws, n, window=TICK_WINDOW):
    """n broadcast messages, all within window seconds; returns them parsed."""
    deadline = time.monotonic() + window
    ticks = []
    while len(ticks) < n:
        left = deadline - time.monotonic()
        assert left > 0, f"only {len(ticks)} of {n} ticks within {window} s: {ticks}"
        try:
            msg = await asyncio.wait_for(ws.recv(), left)
        except asyncio.TimeoutError:
            raise AssertionError(f"only {len(ticks)} of {n} ticks within {window} s: {ticks}")
        assert isinstance(msg, str), f"tick is not TEXT: {msg!r}"
        tick = json.loads(msg)
        assert set(tick) == {"tick", "clients"}, msg
        ticks.append(tick)
    for a, b in zip(ticks, ticks[1:]):
        assert b["tick"] == a["tick"] + 1, ticks
    return ticks


# ---- A raw client: exact frames on the wire ------------------------------------------

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class RawWs:
    def __init__(self, port, path):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=SOCK_TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            data = self.sock.recv(4096)
            assert data, f"closed during the handshake: {self.buf!r}"
            self.buf += data
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101 "), head

    def send(self, opcode, payload=b"", fin=True):
        mask = os.urandom(4)
        n = len(payload)
        head = bytes([(0x80 if fin else 0) | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", n)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + body)

    def _need(self, n):
        while len(self.buf) < n:
            data = self.sock.recv(65536)
            assert data, "connection closed"
            self.buf += data
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self):
        """(fin, opcode, payload) of the next frame."""
        b0, b1 = self._need(2)
        assert not b1 & 0x80, "server frames must not be masked"
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._need(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._need(8))[0]
        return bool(b0 & 0x80), b0 & 0x0F, self._need(n)

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- ws_echo_server: /ws --------------------------------------------------------------

def test_ws_echo_upstream(run_ws_example):
    """pytest_ws_server_example.py: TEXT, BINARY, PING -> PONG, Trigger async."""
    ex = run_ws_example("ws_echo_server")

    async def scenario():
        async with websockets.connect(ws_url(ex, "/ws"), open_timeout=WS_TIMEOUT) as ws:
            await ws.send("Espressif")
            assert await recv(ws) == "Espressif"
            await ws.send(b"Espressif")
            assert await recv(ws) == b"Espressif"
            await ping(ws, b"Espressif")
            await ws.send("Trigger async")
            assert await recv(ws) == "Async data"
            # The connection goes on after the async reply.
            await ws.send("again")
            assert await recv(ws) == "again"

    run(scenario())
    ex.wait_log("Got packet with message: Espressif")
    ex.wait_log("Got packet with message: Trigger async")


def test_ws_echo_trigger_async_prefix_and_many(run_ws_example):
    ex = run_ws_example("ws_echo_server")

    async def scenario():
        async with websockets.connect(ws_url(ex, "/ws"), open_timeout=WS_TIMEOUT) as ws:
            await ws.send("Trigger async, please")
            assert await recv(ws) == "Async data"
            # Not at the start: an ordinary echo.
            await ws.send("No Trigger async")
            assert await recv(ws) == "No Trigger async"
            # As BINARY it is data, not a command.
            await ws.send(b"Trigger async")
            assert await recv(ws) == b"Trigger async"
            for _ in range(5):
                await ws.send("Trigger async")
            for _ in range(5):
                assert await recv(ws) == "Async data"

    run(scenario())


def test_ws_echo_sizes(run_ws_example):
    ex = run_ws_example("ws_echo_server")

    async def scenario():
        async with websockets.connect(ws_url(ex, "/ws"), open_timeout=WS_TIMEOUT,
                                      max_size=1 << 20) as ws:
            for n in (1, 125, 126, 65535, 65536, 200_000):
                payload = os.urandom(n)
                await ws.send(payload)
                assert await recv(ws) == payload, n
            text = "\u00e9\u4e2d\U0001F600" * 1000
            await ws.send(text)
            assert await recv(ws) == text
            await ws.send("")
            assert await recv(ws) == ""

    run(scenario())


def test_ws_echo_pong_and_ping_frames(run_ws_example):
    """A PONG the client sends comes back as a PONG (upstream's echo handler sends
    every frame back); a PING is answered with a PONG of the same payload."""
    ex = run_ws_example("ws_echo_server")
    with RawWs(ex.port, "/ws") as c:
        c.send(OP_PONG, b"Espressif")
        assert c.recv() == (True, OP_PONG, b"Espressif")
        c.send(OP_PING, b"Espressif")
        assert c.recv() == (True, OP_PONG, b"Espressif")
        c.send(OP_PING)
        assert c.recv() == (True, OP_PONG, b"")
        c.send(OP_TEXT, b"still here")
        assert c.recv() == (True, OP_TEXT, b"still here")


def test_ws_echo_fragments_come_back_fragmented(run_ws_example):
    ex = run_ws_example("ws_echo_server")
    with RawWs(ex.port, "/ws") as c:
        c.send(OP_TEXT, b"Hello, ", fin=False)
        c.send(OP_PING, b"between")          # control frames may come between fragments
        c.send(OP_CONT, b"Wor", fin=False)
        c.send(OP_CONT, b"ld", fin=True)
        assert c.recv() == (False, OP_TEXT, b"Hello, ")
        assert c.recv() == (True, OP_PONG, b"between")
        assert c.recv() == (False, OP_CONT, b"Wor")
        assert c.recv() == (True, OP_CONT, b"ld")
        c.send(OP_TEXT, b"whole")
        assert c.recv() == (True, OP_TEXT, b"whole")


def test_ws_echo_close_handshake(run_ws_example):
    ex = run_ws_example("ws_echo_server")
    with RawWs(ex.port, "/ws") as c:
        c.send(OP_CLOSE, struct.pack("!H", 1000) + b"bye")
        assert c.recv() == (True, OP_CLOSE, struct.pack("!H", 1000))


def test_ws_echo_plain_http_gets_426(run_ws_example):
    ex = run_ws_example("ws_echo_server")
    for path in ("/ws", "/broadcast"):
        conn = http.client.HTTPConnection("127.0.0.1", ex.port, timeout=SOCK_TIMEOUT)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read()
            assert resp.status == 426, path
            assert resp.getheader("Upgrade") == "websocket"
            assert b"WebSocket endpoint" in body
        finally:
            conn.close()


def test_ws_echo_many_clients(run_ws_example):
    ex = run_ws_example("ws_echo_server")

    async def client(i):
        async with websockets.connect(ws_url(ex, "/ws"), open_timeout=WS_TIMEOUT) as ws:
            for j in range(20):
                msg = f"client {i} message {j}"
                await ws.send(msg)
                assert await recv(ws) == msg

    async def scenario():
        await asyncio.gather(*(client(i) for i in range(5)))

    run(scenario())


# ---- ws_echo_server: /broadcast ------------------------------------------------------

def test_ws_broadcast_two_clients(run_ws_example):
    ex = run_ws_example("ws_echo_server")

    async def scenario():
        a = await subscribe(ex, "/broadcast")
        b = await subscribe(ex, "/broadcast")
        try:
            ta, tb = await asyncio.gather(read_ticks(a, 2), read_ticks(b, 2))
            # A tick may fall between the two subscriptions: from the second tick
            # each client sees on, both are counted.
            assert ta[1]["clients"] == 2 and tb[1]["clients"] == 2, (ta, tb)
            assert abs(ta[1]["tick"] - tb[1]["tick"]) <= 1, (ta, tb)
        finally:
            await a.close()
            await b.close()

    run(scenario())
    ex.wait_log("subscribed to the broadcast", count=2)


def test_ws_broadcast_needs_a_subscription(run_ws_example):
    """A client that only connects, and an echo client, get no ticks."""
    ex = run_ws_example("ws_echo_server")

    async def scenario():
        async with websockets.connect(ws_url(ex, "/broadcast"), open_timeout=WS_TIMEOUT) as idle, \
                websockets.connect(ws_url(ex, "/ws"), open_timeout=WS_TIMEOUT) as echo, \
                websockets.connect(ws_url(ex, "/broadcast"), open_timeout=WS_TIMEOUT) as sub:
            await sub.send("subscribe")
            await read_ticks(sub, 2)
            await expect_silence(idle, 0.3)
            await expect_silence(echo, 0.3)
            # The idle one subscribes now; a PING (a control frame) would not.
            await ping(idle, b"x")
            await expect_silence(idle, 1.3)
            await idle.send("subscribe")
            ticks = await read_ticks(idle, 1, window=2.0)
            assert ticks[0]["clients"] == 2
            # The echo endpoint still echoes.
            await echo.send("hi")
            assert await recv(echo) == "hi"

    run(scenario())


def test_ws_broadcast_client_count_follows_closes(run_ws_example):
    ex = run_ws_example("ws_echo_server")

    async def scenario():
        a = await subscribe(ex, "/broadcast")
        b = await subscribe(ex, "/broadcast")
        try:
            await read_ticks(a, 2)
            await b.close()
            deadline = time.monotonic() + TICK_WINDOW + 1
            while True:
                assert time.monotonic() < deadline, "client count never dropped to 1"
                (t,) = await read_ticks(a, 1)
                if t["clients"] == 1:
                    break
            # Subscribing twice on one connection counts once.
            await a.send("subscribe")
            (t,) = await read_ticks(a, 1, window=2.0)
            (t,) = await read_ticks(a, 1, window=2.0)
            assert t["clients"] == 1
        finally:
            await a.close()

    run(scenario())
    ex.wait_log("left the broadcast", count=2)


def test_ws_broadcast_stop_with_clients_connected(run_ws_example):
    """SIGTERM while subscribers and echo clients are connected: clean exit 0."""
    ex = run_ws_example("ws_echo_server")

    async def scenario():
        subs = [await subscribe(ex, "/broadcast") for _ in range(3)]
        echo = await websockets.connect(ws_url(ex, "/ws"), open_timeout=WS_TIMEOUT)
        await read_ticks(subs[0], 1, window=2.0)
        assert await asyncio.to_thread(ex.stop) == 0
        for ws in subs + [echo]:
            with pytest.raises(websockets.ConnectionClosed):
                while True:
                    await recv(ws)

    run(scenario())


# ---- demo: /ws and /ws/broadcast ----------------------------------------------------

def test_demo_ws_echo(run_ws_example):
    ex = run_ws_example("demo")

    async def scenario():
        async with websockets.connect(ws_url(ex, "/ws"), open_timeout=WS_TIMEOUT) as ws:
            await ws.send("Espressif")
            assert await recv(ws) == "Espressif"
            await ws.send(b"\x00\x01binary\xff")
            assert await recv(ws) == b"\x00\x01binary\xff"
            await ping(ws, b"Espressif")
            # The demo's /ws has no async trigger: plain echo.
            await ws.send("Trigger async")
            assert await recv(ws) == "Trigger async"
            big = os.urandom(60_000)
            await ws.send(big)
            assert await recv(ws) == big

    run(scenario())
    with RawWs(ex.port, "/ws") as c:
        c.send(OP_PONG, b"pong")
        assert c.recv() == (True, OP_PONG, b"pong")


def test_demo_ws_broadcast(run_ws_example):
    ex = run_ws_example("demo")

    async def scenario():
        a = await subscribe(ex, "/ws/broadcast")
        b = await subscribe(ex, "/ws/broadcast")
        echo = await websockets.connect(ws_url(ex, "/ws"), open_timeout=WS_TIMEOUT)
        try:
            ta, tb = await asyncio.gather(read_ticks(a, 2), read_ticks(b, 2))
            assert ta[-1]["clients"] == 2 and tb[-1]["clients"] == 2, (ta, tb)
            await expect_silence(echo, 0.2)
            # HTTP endpoints keep working beside the WebSockets.
            conn = http.client.HTTPConnection("127.0.0.1", ex.port, timeout=SOCK_TIMEOUT)
            conn.request("GET", "/hello")
            resp = conn.getresponse()
            assert (resp.status, resp.read()) == (200, b"Hello World!\n")
            conn.close()
        finally:
            for ws in (a, b, echo):
                await ws.close()

    run(scenario())
    ex.wait_log("/ws/broadcast: fd", count=2)


def test_demo_ws_plain_http_and_page(run_ws_example):
    ex = run_ws_example("demo")
    conn = http.client.HTTPConnection("127.0.0.1", ex.port, timeout=SOCK_TIMEOUT)
    try:
        conn.request("GET", "/ws")
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 426
        conn.request("GET", "/showcase/")
        resp = conn.getresponse()
        html = resp.read().decode()
        assert resp.status == 200
    finally:
        conn.close()
    for needle in ('id="ws-status"', 'id="ws-text"', 'id="ws-send"', 'id="ws-log"',
                   'id="ws-feed"', "'/ws'", "'/ws/broadcast'", "new WebSocket("):
        assert needle in html, needle
    # Still self-contained.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
