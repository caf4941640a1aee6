# SPDX-License-Identifier: Apache-2.0
"""WebSocket (RFC 6455): handshake, frames, control frames, fragments, the httpd_ws_* API.

The server under test is $HTTPD_BUILD_DIR/ws_server (tests/server/ws_server.c, its
endpoints are listed at the top of that file). Clients: raw sockets with the frame
builder below (any opcode, RSV bits, mask, length encoding) for exact wire checks and
malformed frames, and the `websockets` package (asyncio API) for ordinary traffic and
the 100-client test. Every server is stopped with SIGTERM at teardown, which asserts
exit code 0, no sanitizer report, and (FINAL line) one completion callback per queued
httpd_ws_send_data_async() and every push thread joined.
"""
import asyncio
import base64
import hashlib
import os
import re
import socket
import struct
import threading
import time

import pytest
import websockets

from conftest import (HOST, Conn, Firmware, PeerClosed, error_bytes, final_line, get_req,
                      response_bytes)

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_PAYLOAD = 16 * 1024 * 1024          # CONFIG_HTTPD_WS_MAX_PAYLOAD
MSG_MAX = 1 << 20                       # /ws_msg's httpd_ws_recv_msg max_len

OP_CONT, OP_TEXT, OP_BIN, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
WS_INVALID, WS_HTTP, WS_WEBSOCKET = 0, 1, 2

FINAL_RE = re.compile(r"FINAL async_queued=(\d+) async_cb=(\d+) push_threads=(\d+) push_joined=(\d+)")


# ---- Server process -------------------------------------------------------------------

def _parse_final(srv):
    srv.final = final_line(srv.stdout_final, FINAL_RE, ("queued", "cb", "threads", "joined"))


def _final_problems(srv):
    if srv.final is None:
        return ["ws_server printed no FINAL line; stdout:\n" + srv.stdout_final[-2000:]]
    out = []
    f = srv.final
    if f["queued"] != f["cb"]:
        out.append("httpd_ws_send_data_async: %d queued, %d callbacks" % (f["queued"], f["cb"]))
    if f["threads"] != f["joined"]:
        out.append("push threads not all joined: %r" % (f,))
    return out


class WsServer(Firmware):
    """tests/server/ws_server.c; final: the FINAL line as a dict, after stop()."""

    def __init__(self, args):
        super().__init__("ws_server", args, on_exit=_parse_final, check=_final_problems)
        self.final = None

    def http(self, path):
        """GET path on a fresh connection; returns the body (asserts 200)."""
        with self.conn() as c:
            r = c.get(path)
        assert r.status == 200, r
        return r.body.decode()


@pytest.fixture(scope="module")
def ws_module():
    srv = WsServer(()).start()
    yield srv
    srv.assert_clean_exit()


@pytest.fixture
def wsrv(ws_module):
    """The module's shared ws_server; it must still run after the test."""
    assert ws_module.alive(), "ws_server died before this test:\n" + ws_module.stderr_text()[-3000:]
    yield ws_module
    assert ws_module.alive(), "ws_server died during this test:\n" + ws_module.stderr_text()[-6000:]


@pytest.fixture
def ws_factory(firmware):
    """start(*args) -> a dedicated ws_server, stopped and checked at teardown."""
    return lambda *args: firmware(WsServer(args))


# ---- Frames ---------------------------------------------------------------------------

def xor_mask(data, key):
    if not data or key == b"\0\0\0\0":
        return bytes(data)
    n = len(data)
    k = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "big") ^ int.from_bytes(k, "big")).to_bytes(n, "big")


def frame(opcode, payload=b"", fin=True, rsv=0, mask=True, key=None, form=None, length=None):
    """One client frame. form: '7', '16' or '64' (length encoding; default minimal);
    length: the announced length (default len(payload))."""
    payload = payload.encode() if isinstance(payload, str) else bytes(payload)
    n = len(payload) if length is None else length
    if form is None:
        form = "7" if n <= 125 else "16" if n <= 0xFFFF else "64"
    mbit = 0x80 if mask else 0
    out = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    if form == "7":
        out += bytes([mbit | n])
    elif form == "16":
        out += bytes([mbit | 126]) + struct.pack("!H", n)
    else:
        out += bytes([mbit | 127]) + struct.pack("!Q", n)
    if mask:
        key = os.urandom(4) if key is None else key
        out += key + xor_mask(payload, key)
    else:
        out += payload
    return out


def close_payload(code=None, reason=b""):
    return b"" if code is None else struct.pack("!H", code) + reason


def server_header(opcode, n, fin=True):
    """The exact header of an unmasked server frame with minimal length encoding."""
    b0 = bytes([(0x80 if fin else 0) | opcode])
    if n <= 125:
        return b0 + bytes([n])
    if n <= 0xFFFF:
        return b0 + bytes([126]) + struct.pack("!H", n)
    return b0 + bytes([127]) + struct.pack("!Q", n)


class Frame:
    def __init__(self, fin, rsv, opcode, masked, payload, head):
        self.fin, self.rsv, self.opcode, self.masked, self.payload, self.head = fin, rsv, opcode, masked, payload, head

    def __repr__(self):
        return "Frame(op=%#x fin=%d rsv=%d masked=%d len=%d %r)" % (
            self.opcode, self.fin, self.rsv, self.masked, len(self.payload), self.payload[:60])


def accept_for(key):
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


def new_key():
    return base64.b64encode(os.urandom(16)).decode()


def upgrade_req(path, key=None, version="13", extra=(), method="GET", http="HTTP/1.1", drop=()):
    hdrs = [("Upgrade", "websocket"), ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", key or new_key()), ("Sec-WebSocket-Version", version)]
    hdrs = [(k, v) for k, v in hdrs if k not in drop] + list(extra)
    return get_req(path, hdrs, method=method, version=http)


def switching_bytes(key, proto=None):
    out = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: %s\r\n" % accept_for(key))
    if proto:
        out += "Sec-WebSocket-Protocol: %s\r\n" % proto
    return (out + "\r\n").encode()


class WsConn(Conn):
    """A raw client connection that speaks frames."""

    def handshake(self, path="/ws", key=None, extra=(), proto=None, leading=b""):
        key = key or new_key()
        self.send(upgrade_req(path, key, extra=extra) + leading)
        head = self.read_until(b"\r\n\r\n")
        assert head == switching_bytes(key, proto), "handshake to %s: %r" % (path, head)
        return self

    def send_frame(self, *a, **kw):
        return self.send(frame(*a, **kw))

    def recv_frame(self, timeout=None):
        deadline = self._deadline(timeout)
        h = self.read_exact(2, _deadline=deadline)
        n = h[1] & 0x7F
        if n == 126:
            ext = self.read_exact(2, _deadline=deadline)
            h += ext
            n = struct.unpack("!H", ext)[0]
        elif n == 127:
            ext = self.read_exact(8, _deadline=deadline)
            h += ext
            n = struct.unpack("!Q", ext)[0]
        masked = bool(h[1] & 0x80)
        key = self.read_exact(4, _deadline=deadline) if masked else b""
        payload = self.read_exact(n, _deadline=deadline) if n else b""
        f = Frame(bool(h[0] & 0x80), (h[0] >> 4) & 7, h[0] & 0xF, masked, xor_mask(payload, key) if masked else payload, h)
        # Every server frame: unmasked, no RSV bits, minimal length encoding.
        assert not f.masked and f.rsv == 0, f
        assert f.head == server_header(f.opcode, len(f.payload), f.fin), "header %r of %r" % (f.head, f)
        return f

    def expect(self, opcode, payload, fin=True, timeout=None):
        f = self.recv_frame(timeout)
        payload = payload.encode() if isinstance(payload, str) else payload
        assert (f.opcode, f.fin, f.payload) == (opcode, fin, payload), f
        return f

    def echo(self, opcode, payload, **kw):
        self.send_frame(opcode, payload, **kw)
        return self.expect(opcode, payload)

    def expect_close(self, code=None, timeout=3.0):
        """The server's CLOSE with code (None: empty payload), then the end of the connection."""
        f = self.recv_frame(timeout)
        assert f.opcode == OP_CLOSE and f.fin and f.payload == close_payload(code), \
            "expected CLOSE %s, got %r" % (code, f)
        self.assert_closed(timeout=timeout)

    def ask_fd(self):
        f = self.echo_cmd("fd?")
        return int(f.payload.decode().split("=")[1])

    def echo_cmd(self, text):
        self.send_frame(OP_TEXT, text)
        f = self.recv_frame()
        assert f.opcode == OP_TEXT and f.fin, f
        return f


def ws_connect(srv, path="/ws", **kw):
    c = WsConn(HOST, srv.port, timeout=5.0)
    try:
        return c.handshake(path, **kw)
    except BaseException:
        c.close()
        raise


def safe_send(c, data):
    """Sends, tolerating a server that closed meanwhile (it answers before reading all)."""
    try:
        c.send(data)
    except OSError:
        pass


# ---- Handshake --------------------------------------------------------------------------

def test_handshake_rfc_example_key(wsrv):
    key = "dGhlIHNhbXBsZSBub25jZQ=="     # RFC 6455 section 1.3
    assert accept_for(key) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    with WsConn(HOST, wsrv.port) as c:
        c.send(upgrade_req("/ws", key))
        assert c.read_until(b"\r\n\r\n") == (
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
        c.echo(OP_TEXT, "after handshake")


@pytest.mark.parametrize("hdrs", [
    [("upgrade", "WebSocket"), ("connection", "keep-alive, Upgrade")],
    [("UPGRADE", "websocket"), ("CONNECTION", "upgrade")],
], ids=["mixed-case-list", "upper-names"])
def test_handshake_header_variants(wsrv, hdrs):
    key = new_key()
    with WsConn(HOST, wsrv.port) as c:
        c.send(get_req("/ws", hdrs + [("sec-websocket-key", key), ("sec-websocket-version", "13")]))
        assert c.read_until(b"\r\n\r\n") == switching_bytes(key)
        c.echo(OP_BIN, b"\x00\x01")


def test_handshake_with_frame_in_same_packet(wsrv):
    """A frame sent right behind the upgrade request (one TCP write) is not lost."""
    with WsConn(HOST, wsrv.port) as c:
        c.handshake("/ws", leading=frame(OP_TEXT, "early"))
        c.expect(OP_TEXT, "early")


def test_handshake_after_http_request_same_connection(wsrv):
    """fd info: HTTP while the connection serves HTTP, WEBSOCKET after its upgrade."""
    with WsConn(HOST, wsrv.port) as c:
        r = c.get("/fdinfo?self=1")
        m = re.fullmatch(r"fd=(\d+) info=(\d+)\n", r.body.decode())
        assert m and int(m.group(2)) == WS_HTTP, r
        fd = int(m.group(1))
        c.handshake("/ws")
        assert c.ask_fd() == fd
        assert wsrv.http("/fdinfo?fd=%d" % fd) == "info=%d\n" % WS_WEBSOCKET


HS_VERSION = [("Sec-WebSocket-Version", "13")]


@pytest.mark.parametrize("req,code,msg,hdrs", [
    (upgrade_req("/ws", version="8"), 400, "WebSocket version not supported", HS_VERSION),
    (upgrade_req("/ws", version="14"), 400, "WebSocket version not supported", HS_VERSION),
    (upgrade_req("/ws", version="13, 8"), 400, "WebSocket version not supported", HS_VERSION),
    (upgrade_req("/ws", drop=("Sec-WebSocket-Version",)), 400, "Missing Sec-WebSocket-Version", HS_VERSION),
    (upgrade_req("/ws", drop=("Sec-WebSocket-Key",)), 400, "Missing Sec-WebSocket-Key", ()),
    (upgrade_req("/ws", key="abc"), 400, "Invalid Sec-WebSocket-Key", ()),
    (upgrade_req("/ws", key=base64.b64encode(b"x" * 15).decode()), 400, "Invalid Sec-WebSocket-Key", ()),
    (upgrade_req("/ws", key=base64.b64encode(b"x" * 17).decode()), 400, "Invalid Sec-WebSocket-Key", ()),
    (upgrade_req("/ws", key="!" * 22 + "=="), 400, "Invalid Sec-WebSocket-Key", ()),
    (upgrade_req("/ws", http="HTTP/1.0"), 400, "WebSocket needs GET over HTTP/1.1", ()),
    (upgrade_req("/ws_any", method="POST"), 400, "WebSocket needs GET over HTTP/1.1", ()),
    (upgrade_req("/ws", method="POST"), 405, None, [("Allow", "GET")]),
    (upgrade_req("/nope"), 404, None, ()),
    (get_req("/ws", [("Upgrade", "h2c"), ("Connection", "Upgrade"), ("Sec-WebSocket-Key", new_key()),
                     ("Sec-WebSocket-Version", "13")]), 400, None, ()),
], ids=["version-8", "version-14", "version-list", "version-missing", "key-missing", "key-short",
        "key-15-bytes", "key-17-bytes", "key-not-base64", "http-1.0", "post-any-route", "post-get-route",
        "unregistered", "upgrade-h2c"])
def test_handshake_errors(wsrv, req, code, msg, hdrs):
    """Each refusal: the exact error response with Connection: close, then the close."""
    with WsConn(HOST, wsrv.port) as c:
        c.send(req)
        r = c.read_response(timeout=3)
        assert r.raw == error_bytes(code, msg, headers=hdrs), r
        c.assert_closed(timeout=3)


# The handshake callbacks (on by default): /ws_gate's pre-handshake callback wants
# "X-Gate: open"; its post-handshake callback greets, and fails on "?deny".

def test_pre_handshake_cb_refuses_without_a_response(wsrv):
    with Conn(port=wsrv.port) as c:
        c.send(upgrade_req("/ws_gate"))
        assert c.read_until_close(timeout=3.0) == b""


def test_pre_and_post_handshake_cb_accept_and_greet(wsrv):
    key = new_key()
    with WsConn(HOST, wsrv.port, timeout=5.0) as c:
        c.send(upgrade_req("/ws_gate", key, extra=[("X-Gate", "open")]))
        assert c.read_until(b"\r\n\r\n") == switching_bytes(key)
        c.expect(OP_TEXT, "welcome /ws_gate")
        c.echo(OP_TEXT, "after the greeting")


def test_post_handshake_cb_failure_closes_after_101(wsrv):
    key = new_key()
    with WsConn(HOST, wsrv.port, timeout=5.0) as c:
        c.send(upgrade_req("/ws_gate?deny", key, extra=[("X-Gate", "open")]))
        assert c.read_until(b"\r\n\r\n") == switching_bytes(key)
        c.expect(OP_TEXT, "welcome /ws_gate?deny")
        c.assert_closed(timeout=3.0)


def test_plain_get_runs_handler(wsrv):
    """Without upgrade headers (or with Upgrade but no Connection: Upgrade) a ws URI is plain HTTP."""
    with WsConn(HOST, wsrv.port) as c:
        assert c.get("/ws").raw == response_bytes("plain http /ws\n")
        assert c.get("/ws_msg?x=1").raw == response_bytes("plain http /ws_msg?x=1\n")
        r = c.get("/ws", [("Upgrade", "websocket"), ("Sec-WebSocket-Key", new_key()),
                          ("Sec-WebSocket-Version", "13")])
        assert r.raw == response_bytes("plain http /ws\n")


@pytest.mark.parametrize("path,offer,proto", [
    ("/ws_proto", "chat", "chat"),
    ("/ws_proto", "foo, chat", "chat"),
    ("/ws_proto", "foo,chat,bar", "chat"),
    ("/ws_proto", "foo", None),
    ("/ws_proto", "chatty, Chat", None),
    ("/ws_proto", None, None),
    ("/ws", "chat", None),
], ids=["only", "second", "no-spaces", "other", "near-miss", "none-offered", "uri-without"])
def test_subprotocol(wsrv, path, offer, proto):
    extra = [("Sec-WebSocket-Protocol", offer)] if offer else []
    with ws_connect(wsrv, path, extra=extra, proto=proto) as c:
        c.echo(OP_TEXT, "proto")


def test_subprotocol_websockets_client(wsrv):
    async def run():
        async with websockets.connect("ws://%s:%d/ws_proto" % (HOST, wsrv.port), subprotocols=["x", "chat"],
                                      open_timeout=5, close_timeout=2) as ws:
            assert ws.subprotocol == "chat"
            await ws.send("hi")
            assert await asyncio.wait_for(ws.recv(), 5) == "hi"
    asyncio.run(run())


def test_handler_not_called_for_handshake_and_sess_ctx_kept(ws_factory):
    """/ws_count counts handler calls in req->sess_ctx: the first frame is call 1 (the
    handshake did not call the handler), and the context set by a frame handler is the
    session's for the next frame (and freed with the session, no leak)."""
    srv = ws_factory()
    with ws_connect(srv, "/ws_count") as c:
        c.send_frame(OP_TEXT, "a")
        c.expect(OP_TEXT, "calls=1")
        c.send_frame(OP_TEXT, "b")
        c.expect(OP_TEXT, "calls=2")
        c.send_frame(OP_BIN, b"c")
        c.expect(OP_TEXT, "calls=3")


def test_empty_ping_sent_async_from_a_work_function(wsrv):
    """httpd_ws_send_frame_async of a PING with no payload buffer (upstream's
    ws_echo_server does it): an empty PING arrives and the connection goes on."""
    with ws_connect(wsrv) as c:
        c.send_frame(OP_TEXT, "ping-me")
        c.expect(OP_PING, b"")
        c.echo(OP_TEXT, "still here")


def test_frame_handler_method_is_not_get(wsrv):
    """Upstream leaves req->method at its reset value (0, HTTP_DELETE) for frame callbacks,
    and its examples detect the (old) handshake call with `req->method == HTTP_GET`: such
    a handler would swallow every frame if frames came with HTTP_GET (1)."""
    with ws_connect(wsrv) as c:
        f = c.echo_cmd("method?")
        assert f.payload == b"method=0", f


# ---- Data frames ------------------------------------------------------------------------

def test_echo_websockets_client(wsrv):
    async def run():
        async with websockets.connect("ws://%s:%d/ws" % (HOST, wsrv.port), max_size=None,
                                      open_timeout=5, close_timeout=2) as ws:
            for msg in ["Espressif", "", "\u00e9\u4e2d\U0001F600", b"Espressif", b"", bytes(range(256))]:
                await ws.send(msg)
                assert await asyncio.wait_for(ws.recv(), 5) == msg
            pong = await ws.ping(b"Espressif")
            await asyncio.wait_for(pong, 5)
            big = os.urandom(MSG_MAX)
            await ws.send(big)
            assert await asyncio.wait_for(ws.recv(), 10) == big
        assert ws.close_code == 1000
    asyncio.run(run())


@pytest.mark.parametrize("n", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_echo_length_boundaries(wsrv, n):
    """7/16/64-bit lengths both ways; recv_frame checks the server's minimal encoding."""
    data = bytes((i * 7) & 0xFF for i in range(n))
    text = ("x" * n).encode()
    with ws_connect(wsrv) as c:
        f = c.echo(OP_BIN, data)
        assert f.head == server_header(OP_BIN, n)
        c.echo(OP_TEXT, text)


def test_echo_1mib_binary_and_text(wsrv):
    data = os.urandom(MSG_MAX)
    text = ("\u00e9" * (MSG_MAX // 2)).encode()
    with ws_connect(wsrv) as c:
        c.echo(OP_BIN, data)
        c.echo(OP_TEXT, text)
    with ws_connect(wsrv, "/ws_msg") as c:
        c.echo(OP_BIN, data)


def test_max_payload_accepted(wsrv):
    """A frame of exactly CONFIG_HTTPD_WS_MAX_PAYLOAD bytes is accepted: /ws_small
    reports its length (ESP_ERR_INVALID_SIZE for its 16-byte buffer), the library
    discards the unread payload and the stream stays in sync."""
    with ws_connect(wsrv, "/ws_small") as c:
        c.timeout = 15
        c.send(frame(OP_BIN, b"\0" * MAX_PAYLOAD, key=b"\0\0\0\0"))
        c.expect(OP_TEXT, "len=%d err=ESP_ERR_INVALID_SIZE" % MAX_PAYLOAD, timeout=15)
        c.send_frame(OP_TEXT, "after")
        c.expect(OP_TEXT, "len=5 err=ESP_OK data=after")


def test_recv_frame_buffer_sizes(wsrv):
    """httpd_ws_recv_frame: length query, read, ESP_ERR_INVALID_SIZE for a too small max_len."""
    with ws_connect(wsrv, "/ws_small") as c:
        for payload, reply in [("", "len=0 err=ESP_OK data="), ("0123456789", "len=10 err=ESP_OK data=0123456789"),
                               ("x" * 16, "len=16 err=ESP_OK data=" + "x" * 16),
                               ("y" * 17, "len=17 err=ESP_ERR_INVALID_SIZE"),
                               ("z" * 300, "len=300 err=ESP_ERR_INVALID_SIZE"),
                               ("ok", "len=2 err=ESP_OK data=ok")]:
            c.send_frame(OP_TEXT, payload)
            c.expect(OP_TEXT, reply)


def test_api_misuse_fails_with_documented_codes(wsrv):
    """The httpd_ws_* calls made wrongly inside a frame handler (NULL request, frame or
    payload buffer, a payload length without a payload, no such session) each fail with
    ESP_ERR_INVALID_ARG, and leave the frame unread for the handler's proper read.
    Outside a WebSocket (a plain GET), receiving and sending a frame are
    ESP_ERR_INVALID_STATE."""
    with ws_connect(wsrv, "/ws_misuse") as c:
        for payload in ("hello", "0123456789abcdef"):
            c.send_frame(OP_TEXT, payload)
            c.expect(OP_TEXT, "ESP_ERR_INVALID_ARG " * 10 + "then ESP_OK data=" + payload)
    with WsConn(HOST, wsrv.port) as c:
        r = c.get("/ws_misuse")
        assert r.status == 200
        assert r.body == b"plain recv=ESP_ERR_INVALID_STATE send=ESP_ERR_INVALID_STATE\n"


def test_frames_split_and_pipelined(wsrv):
    """Frames dribbled byte by byte, and many frames in one write, all echoed in order."""
    with ws_connect(wsrv) as c:
        c.send_pieces([bytes([b]) for b in frame(OP_TEXT, "dribbled")], delay=0.01)
        c.expect(OP_TEXT, "dribbled")
        big = frame(OP_BIN, b"\xab" * 70000)
        c.send_pieces([big[:1], big[1:5], big[5:13], big[13:40000], big[40000:]], delay=0.02)
        c.expect(OP_BIN, b"\xab" * 70000)
        c.send(b"".join(frame(OP_TEXT, "m%d" % i) for i in range(200)))
        for i in range(200):
            c.expect(OP_TEXT, "m%d" % i)


def test_answers_held_for_buffered_frames_never_wait_for_more(wsrv):
    """Answers to frames with more input behind them may leave together, but not wait for
    input the client holds back: a whole frame and the start of the next in one write,
    the echo of the first must come before the rest of the second is sent."""
    with ws_connect(wsrv) as c:
        for cut in (1, 3, 7):
            second = frame(OP_TEXT, "second")
            c.send(frame(OP_TEXT, "first") + frame(OP_PING, b"p") + second[:cut])
            c.expect(OP_TEXT, "first", timeout=3)
            c.expect(OP_PONG, b"p", timeout=3)
            c.send(second[cut:])
            c.expect(OP_TEXT, "second")


def test_partial_reads_echoed_as_fragments(wsrv):
    """/ws_part (upstream /ws_partial): 200 x 'A' -> TEXT(64), CONT(64), CONT(64), CONT(8, FIN)."""
    with ws_connect(wsrv, "/ws_part") as c:
        c.send_frame(OP_TEXT, "A" * 200)
        c.expect(OP_TEXT, "A" * 64, fin=False)
        c.expect(OP_CONT, "A" * 64, fin=False)
        c.expect(OP_CONT, "A" * 64, fin=False)
        c.expect(OP_CONT, "A" * 8, fin=True)
        c.echo(OP_BIN, b"B" * 64)
        c.echo(OP_TEXT, "")
        c.send_frame(OP_BIN, b"C" * 65)
        c.expect(OP_BIN, b"C" * 64, fin=False)
        c.expect(OP_CONT, b"C", fin=True)


# ---- Fragmented messages ----------------------------------------------------------------

def test_fragments_default_delivery(wsrv):
    """By default each fragment reaches the handler as its own frame (type, then CONTINUE,
    FIN on the last); /ws echoes each one as it comes. A PING between fragments is answered."""
    with ws_connect(wsrv) as c:
        c.send_frame(OP_TEXT, "Hel", fin=False)
        c.expect(OP_TEXT, "Hel", fin=False)
        c.send_frame(OP_PING, "mid")
        c.expect(OP_PONG, "mid")
        c.send_frame(OP_CONT, "lo ", fin=False)
        c.expect(OP_CONT, "lo ", fin=False)
        c.send_frame(OP_CONT, "", fin=False)
        c.expect(OP_CONT, "", fin=False)
        c.send_frame(OP_CONT, "World", fin=True)
        c.expect(OP_CONT, "World", fin=True)
        # A character split between fragments is valid UTF-8.
        c.send_frame(OP_TEXT, b"\xe4\xb8", fin=False)
        c.expect(OP_TEXT, b"\xe4\xb8", fin=False)
        c.send_frame(OP_CONT, b"\xad", fin=True)
        c.expect(OP_CONT, b"\xad", fin=True)
        c.send_frame(OP_BIN, b"\x00", fin=False)
        c.expect(OP_BIN, b"\x00", fin=False)
        c.send_frame(OP_CONT, b"\xff", fin=True)
        c.expect(OP_CONT, b"\xff", fin=True)
        c.echo(OP_TEXT, "whole")


def test_fragments_reassembled_by_recv_msg(wsrv):
    """httpd_ws_recv_msg: one buffer with the message's type; PINGs between fragments are
    answered first, PONGs between fragments ignored."""
    with ws_connect(wsrv, "/ws_msg") as c:
        c.send(frame(OP_TEXT, "Hel", fin=False) + frame(OP_PING, "p1") + frame(OP_CONT, "lo ", fin=False) +
               frame(OP_PONG, "unsolicited") + frame(OP_CONT, b"W\xc3", fin=False) + frame(OP_CONT, b"\xb6rld"))
        c.expect(OP_PONG, "p1")
        c.expect(OP_TEXT, "Hello W\u00f6rld".encode())
        c.send(frame(OP_BIN, b"\x01", fin=False) + frame(OP_CONT, b"", fin=False) + frame(OP_CONT, b"\x02"))
        c.expect(OP_BIN, b"\x01\x02")
        c.echo(OP_TEXT, "single")
        c.send_frame(OP_PING, "alone")
        c.expect(OP_PONG, "alone")
        # Exactly max_len (1 MiB) in four fragments.
        parts = [os.urandom(MSG_MAX // 4) for _ in range(4)]
        c.send(b"".join(frame(OP_CONT if i else OP_BIN, p, fin=i == 3) for i, p in enumerate(parts)))
        c.expect(OP_BIN, b"".join(parts), timeout=10)


def test_fragmented_message_websockets_client(wsrv):
    """The websockets client's fragmented send (an iterable) against both delivery modes."""
    async def run():
        url = "ws://%s:%d" % (HOST, wsrv.port)
        async with websockets.connect(url + "/ws_msg", open_timeout=5, close_timeout=2) as ws:
            await ws.send(["fra", "gmen", "ted"])
            assert await asyncio.wait_for(ws.recv(), 5) == "fragmented"
        async with websockets.connect(url + "/ws", open_timeout=5, close_timeout=2) as ws:
            await ws.send([b"ab", b"cd"])
            assert await asyncio.wait_for(ws.recv(), 5) == b"abcd"   # echoed as fragments, reassembled
    asyncio.run(run())


# ---- Control frames ---------------------------------------------------------------------

def test_ping_pong(wsrv):
    with ws_connect(wsrv) as c:
        c.send_frame(OP_PING, "Espressif")
        c.expect(OP_PONG, "Espressif")
        c.send_frame(OP_PING, "")
        c.expect(OP_PONG, "")
        c.send_frame(OP_PING, b"\xff" * 125)
        c.expect(OP_PONG, b"\xff" * 125)
        # PONG frames go to the handler, which echoes them (upstream behaviour).
        c.send_frame(OP_PONG, "unsolicited")
        c.expect(OP_PONG, "unsolicited")
        c.echo(OP_TEXT, "still open")


VALID_CLOSE_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]


@pytest.mark.parametrize("code", VALID_CLOSE_CODES)
def test_close_code_echoed(wsrv, code):
    with ws_connect(wsrv) as c:
        c.echo(OP_TEXT, "x")
        c.send_frame(OP_CLOSE, close_payload(code, "bye \u00e9".encode()))
        c.expect_close(code)


def test_close_without_payload(wsrv):
    with ws_connect(wsrv) as c:
        c.send_frame(OP_CLOSE, b"")
        c.expect_close(None)


@pytest.mark.parametrize("code", [1012, 1013, 1014])
def test_close_iana_registered_codes_echoed(wsrv, code):
    """1012 Service Restart, 1013 Try Again Later, 1014 Bad Gateway are registered in the
    IANA WebSocket Close Code registry (RFC 6455 section 11.7); browsers and the
    websockets package accept them."""
    with ws_connect(wsrv) as c:
        c.send_frame(OP_CLOSE, close_payload(code))
        c.expect_close(code)


def test_close_during_reassembly_echoed(wsrv):
    """A CLOSE between the fragments that httpd_ws_recv_msg is collecting is answered like any
    CLOSE: its code echoed, then the connection closed."""
    with ws_connect(wsrv, "/ws_msg") as c:
        c.send(frame(OP_TEXT, "part", fin=False) + frame(OP_CLOSE, close_payload(1001)))
        c.expect_close(1001)


def test_websockets_client_close(wsrv):
    async def run():
        async with websockets.connect("ws://%s:%d/ws" % (HOST, wsrv.port), open_timeout=5, close_timeout=3) as ws:
            await ws.send("x")
            await asyncio.wait_for(ws.recv(), 5)
            await ws.close(4001, "done")
        assert ws.close_code == 4001
    asyncio.run(run())


def test_control_frames_to_handler(wsrv):
    """/ws_ctl (handle_ws_control_frames): every frame is reported as BINARY [type, final]+payload;
    no automatic PONG; a CLOSE is shown to the handler, then answered and the connection closed."""
    with ws_connect(wsrv, "/ws_ctl") as c:
        c.send_frame(OP_PING, "p")
        c.expect(OP_BIN, b"\x09\x01p")
        c.send_frame(OP_PONG, "q")
        c.expect(OP_BIN, b"\x0a\x01q")
        c.send_frame(OP_TEXT, "t", fin=False)
        c.expect(OP_BIN, b"\x01\x00t")
        c.send_frame(OP_CONT, "u")
        c.expect(OP_BIN, b"\x00\x01u")
        c.send_frame(OP_BIN, b"")
        c.expect(OP_BIN, b"\x02\x01")
        c.send_frame(OP_PING, "")
        c.expect(OP_BIN, b"\x09\x01")
        c.assert_open(0.2)   # no PONG of its own


def test_control_close_seen_by_handler(wsrv):
    with ws_connect(wsrv, "/ws_ctl") as c:
        c.send_frame(OP_CLOSE, close_payload(1000, b"bye"))
        c.expect(OP_BIN, b"\x08\x01\x03\xe8bye")
        c.expect_close(1000)


def test_control_close_closes_even_if_handler_cannot_read(wsrv):
    """Whatever the handler sees, a CLOSE to /ws_ctl ends with the close reply and the close."""
    with ws_connect(wsrv, "/ws_ctl") as c:
        c.send_frame(OP_CLOSE, close_payload(1001))
        f = c.recv_frame()
        if f.opcode == OP_BIN:
            f = c.recv_frame()
        assert f.opcode == OP_CLOSE and f.payload == close_payload(1001), f
        c.assert_closed(timeout=3)


# ---- Protocol errors ---------------------------------------------------------------------
# (id, path, frames sent, frames expected before the CLOSE as (opcode, payload, fin), close code)

P = 1002
PROTOCOL_ERRORS = [
    ("unmasked-text", "/ws", [frame(OP_TEXT, "hi", mask=False)], [], P),
    ("unmasked-ping", "/ws", [frame(OP_PING, "hi", mask=False)], [], P),
    ("unmasked-after-echo", "/ws", [frame(OP_TEXT, "ok"), frame(OP_TEXT, "hi", mask=False)],
     [(OP_TEXT, b"ok", True)], P),
    ("rsv1", "/ws", [frame(OP_TEXT, "hi", rsv=4)], [], P),
    ("rsv2", "/ws", [frame(OP_TEXT, "hi", rsv=2)], [], P),
    ("rsv3", "/ws", [frame(OP_BIN, "hi", rsv=1)], [], P),
    ("rsv-ping", "/ws", [frame(OP_PING, "hi", rsv=4)], [], P),
] + [("opcode-%X" % op, "/ws", [frame(op, "x")], [], P) for op in (3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF)] + [
    ("ping-126", "/ws", [frame(OP_PING, b"x" * 126)], [], P),
    ("pong-126", "/ws", [frame(OP_PONG, b"x" * 126)], [], P),
    ("close-126", "/ws", [frame(OP_CLOSE, close_payload(1000, b"x" * 124))], [], P),
    ("ping-16bit-len", "/ws", [frame(OP_PING, b"x" * 5, form="16")], [], P),
    ("ping-fragmented", "/ws", [frame(OP_PING, "x", fin=False)], [], P),
    ("pong-fragmented", "/ws", [frame(OP_PONG, "x", fin=False)], [], P),
    ("close-fragmented", "/ws", [frame(OP_CLOSE, close_payload(1000), fin=False)], [], P),
    ("continuation-first", "/ws", [frame(OP_CONT, "x")], [], P),
    ("continuation-unfinished-first", "/ws", [frame(OP_CONT, "x", fin=False)], [], P),
    ("continuation-after-final", "/ws", [frame(OP_TEXT, "a"), frame(OP_CONT, "b")], [(OP_TEXT, b"a", True)], P),
    ("text-inside-message", "/ws", [frame(OP_TEXT, "a", fin=False), frame(OP_TEXT, "b")],
     [(OP_TEXT, b"a", False)], P),
    ("binary-inside-message", "/ws", [frame(OP_BIN, "a", fin=False), frame(OP_BIN, "b")],
     [(OP_BIN, b"a", False)], P),
    ("binary-inside-text", "/ws", [frame(OP_TEXT, "a", fin=False), frame(OP_CONT, "b", fin=False),
                                   frame(OP_BIN, "c")], [(OP_TEXT, b"a", False), (OP_CONT, b"b", False)], P),
    ("len64-msb-set", "/ws", [b"\x82\xff\x80" + b"\0" * 7 + b"\0\0\0\0"], [], P),
    ("len16-non-minimal", "/ws", [frame(OP_BIN, b"x" * 5, form="16")], [], P),
    ("len64-non-minimal", "/ws", [frame(OP_BIN, b"x" * 5, form="64")], [], P),
    ("too-big-announced", "/ws", [frame(OP_BIN, b"", length=MAX_PAYLOAD + 1)[:10]], [], 1009),
    ("too-big-announced-2^62", "/ws", [b"\x82\xff" + struct.pack("!Q", 1 << 62)], [], 1009),
] + [("close-code-%d" % code, "/ws", [frame(OP_CLOSE, close_payload(code))], [], P)
     for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535)] + [
    ("close-1-byte", "/ws", [frame(OP_CLOSE, b"\x03")], [], P),
    ("close-bad-utf8-reason", "/ws", [frame(OP_CLOSE, close_payload(1000, b"\xff"))], [], 1007),
    ("close-truncated-utf8-reason", "/ws", [frame(OP_CLOSE, close_payload(1000, b"ok\xc3"))], [], 1007),
    ("utf8-invalid-byte", "/ws", [frame(OP_TEXT, b"ab\xff")], [], 1007),
    ("utf8-overlong", "/ws", [frame(OP_TEXT, b"\xc0\xaf")], [], 1007),
    ("utf8-surrogate", "/ws", [frame(OP_TEXT, b"\xed\xa0\x80")], [], 1007),
    ("utf8-above-10ffff", "/ws", [frame(OP_TEXT, b"\xf4\x90\x80\x80")], [], 1007),
    ("utf8-truncated-final", "/ws", [frame(OP_TEXT, b"ok\xe4\xb8")], [], 1007),
    ("utf8-invalid-in-continuation", "/ws", [frame(OP_TEXT, "ok", fin=False), frame(OP_CONT, b"\xff")],
     [(OP_TEXT, b"ok", False)], 1007),
    ("utf8-split-bad", "/ws", [frame(OP_TEXT, b"\xce", fin=False), frame(OP_CONT, b"A")],
     [(OP_TEXT, b"\xce", False)], 1007),
    ("utf8-truncated-at-message-end", "/ws", [frame(OP_TEXT, b"a\xce", fin=False), frame(OP_CONT, b"")],
     [(OP_TEXT, b"a\xce", False)], 1007),
    ("ctl-ping-126", "/ws_ctl", [frame(OP_PING, b"x" * 126)], [], P),
    ("ctl-unmasked", "/ws_ctl", [frame(OP_BIN, "x", mask=False)], [], P),
    ("ctl-opcode-B", "/ws_ctl", [frame(0xB, "x")], [], P),
    ("part-rsv1", "/ws_part", [frame(OP_TEXT, "x", rsv=4)], [], P),
    ("part-utf8", "/ws_part", [frame(OP_TEXT, b"\xff" * 100)], [], 1007),
    ("msg-continuation-first", "/ws_msg", [frame(OP_CONT, "x")], [], P),
    ("msg-text-inside-message", "/ws_msg", [frame(OP_TEXT, "a", fin=False), frame(OP_TEXT, "b")], [], P),
    ("msg-fragmented-ping-inside", "/ws_msg", [frame(OP_TEXT, "a", fin=False), frame(OP_PING, "p", fin=False)],
     [], P),
    ("msg-opcode-3-inside", "/ws_msg", [frame(OP_TEXT, "a", fin=False), frame(3, "p")], [], P),
    ("msg-utf8-split-bad", "/ws_msg", [frame(OP_TEXT, b"\xce", fin=False), frame(OP_CONT, b"A")], [], 1007),
    ("msg-utf8-truncated-at-message-end", "/ws_msg", [frame(OP_TEXT, b"a\xce", fin=False), frame(OP_CONT, b"")],
     [], 1007),
    ("msg-utf8-single", "/ws_msg", [frame(OP_TEXT, b"\xed\xbf\xbf")], [], 1007),
    ("msg-too-long-fragments", "/ws_msg", [frame(OP_BIN, b"\0" * 600000, fin=False, key=b"\0\0\0\0"),
                                           frame(OP_CONT, b"\0" * 600000, key=b"\0\0\0\0")], [], 1009),
    ("msg-too-long-frame", "/ws_msg", [frame(OP_BIN, b"\0" * (MSG_MAX + 1), key=b"\0\0\0\0")], [], 1009),
]


@pytest.mark.parametrize("path,frames,before,code", [c[1:] for c in PROTOCOL_ERRORS],
                         ids=[c[0] for c in PROTOCOL_ERRORS])
def test_protocol_error(wsrv, path, frames, before, code):
    """Each violation: the expected frames before it, then CLOSE with the code, then the TCP close."""
    with ws_connect(wsrv, path) as c:
        safe_send(c, b"".join(frames))
        for op, payload, fin in before:
            c.expect(op, payload, fin)
        c.expect_close(code)


def test_too_big_answered_without_payload(wsrv):
    """The 1009 comes at once, without the server waiting for the announced payload."""
    with ws_connect(wsrv) as c:
        t0 = time.monotonic()
        c.send(frame(OP_BIN, b"", length=MAX_PAYLOAD + 1)[:14] + b"\0" * 100)
        c.expect_close(1009, timeout=2)
        assert time.monotonic() - t0 < 1.5


# ---- Many clients, server-side pushes ------------------------------------------------------

def test_100_clients(wsrv):
    async def client(url, i):
        async with websockets.connect(url, open_timeout=15, close_timeout=5, max_size=None) as ws:
            for k in range(4):
                msg = "client %d msg %d " % (i, k) + "z" * (i * 37 % 3000)
                await ws.send(msg)
                assert await asyncio.wait_for(ws.recv(), 15) == msg
            data = bytes([i]) * (1000 + i)
            await ws.send(data)
            assert await asyncio.wait_for(ws.recv(), 15) == data
        return i

    async def run():
        url = "ws://%s:%d/ws" % (HOST, wsrv.port)
        done = await asyncio.wait_for(asyncio.gather(*(client(url, i) for i in range(100))), 40)
        assert sorted(done) == list(range(100))
    asyncio.run(run())


def push_payload(job, i, size):
    head = ("P%d %d " % (job, i)).encode()
    return head + bytes(ord("a") + k % 26 for k in range(len(head), size))


def wait_job(srv, job, n, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        st = srv.http("/push_status?job=%d" % job)
        if st.startswith("done=1") or time.monotonic() > deadline:
            return st
        time.sleep(0.05)


def test_pushes_from_threads_interleaved_with_echo(wsrv):
    """Two threads (httpd_ws_send_frame_async and httpd_ws_send_data) push numbered frames to
    one session while the client runs echo traffic: every frame arrives whole, each job's
    frames in order, every echo answered in order."""
    n1, n2, s1, s2, echoes = 300, 300, 3000, 100, 100
    with ws_connect(wsrv) as c:
        fd = c.ask_fd()
        j1 = int(wsrv.http("/push?fd=%d&n=%d&size=%d" % (fd, n1, s1)).split("=")[1])
        j2 = int(wsrv.http("/push?fd=%d&n=%d&size=%d&api=data" % (fd, n2, s2)).split("=")[1])
        got = {j1: [], j2: []}
        echoed = []

        def sender():
            for i in range(echoes):
                c.send(frame(OP_TEXT, "E%d " % i + "e" * (i * 53 % 4000)))
                time.sleep(0.002)
        th = threading.Thread(target=sender)
        th.start()
        try:
            while len(got[j1]) < n1 or len(got[j2]) < n2 or len(echoed) < echoes:
                f = c.recv_frame(timeout=10)
                assert f.opcode == OP_TEXT and f.fin, f
                if f.payload.startswith(b"P"):
                    job, i = (int(x) for x in f.payload[1:].split(b" ")[:2])
                    size = s1 if job == j1 else s2
                    assert f.payload == push_payload(job, i, size), f
                    assert i == len(got[job]), "job %d: frame %d after %d" % (job, i, len(got[job]))
                    got[job].append(i)
                else:
                    i = len(echoed)
                    assert f.payload == ("E%d " % i + "e" * (i * 53 % 4000)).encode(), f
                    echoed.append(i)
        finally:
            th.join(10)
        assert wait_job(wsrv, j1, n1) == "done=1 ok=%d err=0 first_err=ESP_OK\n" % n1
        assert wait_job(wsrv, j2, n2) == "done=1 ok=%d err=0 first_err=ESP_OK\n" % n2
        c.echo(OP_TEXT, "end")


def push_log_for(srv, fd):
    return [ln for ln in srv.http("/push_log").splitlines() if ln.startswith("cb fd=%d " % fd)]


@pytest.mark.parametrize("api", ["frame_async", "send_data", "send_data_async"])
def test_pushes_while_echo_send_is_suspended(wsrv, api):
    """The client stops reading while /ws echoes a 4 MiB frame, so the handler's send stalls
    half-way; frames sent to the same session meanwhile (from another thread with
    httpd_ws_send_frame_async / httpd_ws_send_data, or queued with httpd_ws_send_data_async)
    must not land inside the stalled frame."""
    big = bytes(range(256)) * (4 * 1024 * 1024 // 256)
    n = 20
    c = WsConn(HOST, wsrv.port, connect=False)
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    c.sock.connect((HOST, wsrv.port))
    with c:
        c.handshake("/ws")
        fd = c.ask_fd()
        c.send(frame(OP_BIN, big, key=b"\0\0\0\0"))
        time.sleep(0.3)                          # the echo is under way and stalls
        job = None
        if api == "send_data_async":
            assert wsrv.http("/push_async?fd=%d&n=%d" % (fd, n)) == "queued=%d err=ESP_OK\n" % n
        else:
            q = "&api=data" if api == "send_data" else ""
            job = int(wsrv.http("/push?fd=%d&n=%d&size=500%s" % (fd, n, q)).split("=")[1])
        time.sleep(0.5)
        c.timeout = 10
        got = 0
        echo = None
        while echo is None or got < n:
            f = c.recv_frame(timeout=10)
            if f.opcode == OP_BIN:
                assert echo is None and f.payload == big, "corrupted echo %r (a pushed frame inside it?)" % (f,)
                echo = f
                continue
            assert f.opcode == OP_TEXT and f.fin, f
            want = push_payload(job, got, 500) if job is not None else b"A %d" % got
            assert f.payload == want, f
            got += 1
        if job is not None:
            assert wait_job(wsrv, job, n) == "done=1 ok=%d err=0 first_err=ESP_OK\n" % n
        c.echo(OP_TEXT, "end")


def test_send_data_async_callbacks(wsrv):
    with ws_connect(wsrv) as c:
        fd = c.ask_fd()
        before = len(push_log_for(wsrv, fd))
        assert wsrv.http("/push_async?fd=%d&n=20" % fd) == "queued=20 err=ESP_OK\n"
        for i in range(20):
            c.expect(OP_TEXT, "A %d" % i)
        c.echo(OP_TEXT, "after")
        log = push_log_for(wsrv, fd)[before:]
        assert log == ["cb fd=%d i=%d err=ESP_OK" % (fd, i) for i in range(20)]


def test_sends_after_session_gone_fail(wsrv):
    with Conn(HOST, wsrv.port) as ctl:       # opened first: it never gets the ws session's fd
        own = ctl.get("/fdinfo?self=1")
        http_fd = int(re.match(r"fd=(\d+)", own.body.decode()).group(1))
        with ws_connect(wsrv) as c:
            fd = c.ask_fd()
            assert ctl.get("/fdinfo?fd=%d" % fd).body == b"info=%d\n" % WS_WEBSOCKET
            c.send_frame(OP_CLOSE, close_payload(1000))
            c.expect_close(1000)
        deadline = time.monotonic() + 5
        while ctl.get("/fdinfo?fd=%d" % fd).body != b"info=%d\n" % WS_INVALID:
            assert time.monotonic() < deadline, "session of fd %d still there" % fd
            time.sleep(0.05)
        for target in (fd, http_fd, 100000):
            job = int(ctl.get("/push?fd=%d&n=3" % target).body.decode().split("=")[1])
            job_d = int(ctl.get("/push?fd=%d&n=2&api=data" % target).body.decode().split("=")[1])
            for j, n in ((job, 3), (job_d, 2)):
                st = wait_job(wsrv, j, n)
                m = re.fullmatch(r"done=1 ok=0 err=(\d+) first_err=(\S+)\n", st)
                assert m and int(m.group(1)) == n and m.group(2) != "ESP_OK", (target, st)
            r = ctl.get("/push_async?fd=%d&n=1" % target).body.decode()
            assert r in ("queued=1 err=ESP_OK\n", "queued=0 err=ESP_FAIL\n") or r.startswith("queued=0"), r
            if r.startswith("queued=1"):
                deadline = time.monotonic() + 5
                while not push_log_for(wsrv, target):
                    assert time.monotonic() < deadline, "no callback for fd %d" % target
                    time.sleep(0.05)
                last = push_log_for(wsrv, target)[-1]
                assert not last.endswith("err=ESP_OK"), last
        assert ctl.get("/fdinfo?fd=%d" % http_fd).body == b"info=%d\n" % WS_HTTP


def test_fd_info_states(wsrv):
    for bad in (100000, -1, 0):
        assert wsrv.http("/fdinfo?fd=%d" % bad) == "info=%d\n" % WS_INVALID
    assert re.fullmatch(r"fd=\d+ info=%d\n" % WS_HTTP, wsrv.http("/fdinfo?self=1"))
    ctl = Conn(HOST, wsrv.port)     # opened first: it never gets the ws session's fd number
    with ctl, ws_connect(wsrv) as c:
        fd = c.ask_fd()
        assert ctl.get("/fdinfo?fd=%d" % fd).body == b"info=%d\n" % WS_WEBSOCKET
        c.send_frame(OP_TEXT, "close-me")
        c.expect_close(1000)
        deadline = time.monotonic() + 5
        while ctl.get("/fdinfo?fd=%d" % fd).body != b"info=%d\n" % WS_INVALID:
            assert time.monotonic() < deadline, "session of fd %d still there" % fd
            time.sleep(0.05)
    out = wsrv.stdout_text()
    m = re.search(r"CLOSING_INFO fd=%d info=(\d+) send_after=(\S+)" % fd, out)
    assert m, out[-500:]
    assert int(m.group(1)) != WS_WEBSOCKET, "fd info while closing: %s" % m.group(0)
    assert m.group(2) != "ESP_OK", "a frame was sent after the handler's CLOSE: %s" % m.group(0)


def test_idle_websocket_not_timed_out(ws_factory):
    """recv_wait_timeout bounds a request head, not an idle WebSocket session."""
    srv = ws_factory("--recv-timeout", "1")
    with ws_connect(srv) as c:
        c.echo(OP_TEXT, "before")
        c.assert_open(2.5)
        c.echo(OP_TEXT, "after")


def test_stop_with_open_sessions(ws_factory):
    """SIGTERM with WebSocket sessions open, a push thread sending and async sends queued at
    the stop: exit 0, every client sees the end, every callback ran, every thread joined."""
    srv = ws_factory()
    clients = [ws_connect(srv, p) for p in ("/ws", "/ws_msg", "/ws_ctl", "/ws_part") * 3]
    try:
        for c in clients[:4]:
            c.send_frame(OP_TEXT, "hello", fin=c is not clients[1])   # /ws_msg stays mid-message
        clients[0].expect(OP_TEXT, "hello")
        clients[2].expect(OP_BIN, b"\x01\x01hello")
        clients[3].expect(OP_TEXT, "hello")
        pusher = clients[4]
        fd = pusher.ask_fd()
        srv.http("/push?fd=%d&n=1000000&size=200" % fd)
        received = []
        stop_reading = threading.Event()

        def reader():
            try:
                while not stop_reading.is_set():
                    f = pusher.recv_frame(timeout=10)
                    received.append(f)
                    if f.opcode == OP_CLOSE:
                        break
            except (PeerClosed, OSError, AssertionError) as e:
                received.append(e)
        th = threading.Thread(target=reader)
        th.start()
        time.sleep(0.3)
        assert srv.alive()
        srv.stop()
        stop_reading.set()
        th.join(15)
        assert not th.is_alive()
        assert srv.returncode == 0, srv.stderr_text()[-3000:]
        frames = [f for f in received if isinstance(f, Frame)]
        assert len(frames) > 10 and all(f.opcode in (OP_TEXT, OP_CLOSE) for f in frames), received[-3:]
        for f in frames:
            if f.opcode == OP_TEXT and f.payload.startswith(b"A "):
                # ws_server queues 3 async sends ("A 1000".."A 1002") to the last
                # WebSocket fd when SIGTERM arrives; they may go out before the stop.
                assert f.payload in (b"A 1000", b"A 1001", b"A 1002"), f
            elif f.opcode == OP_TEXT:
                job, i = (int(x) for x in f.payload[1:].split(b" ")[:2])
                assert f.payload == push_payload(job, i, 200)
        tail = received[-1]
        assert isinstance(tail, PeerClosed) or (isinstance(tail, Frame) and tail.opcode == OP_CLOSE), tail
        for c in clients:
            if c is pusher:
                continue
            data = c.read_until_close(timeout=5)
            assert data in (b"",) or data[0] == 0x88, "after stop: %r" % (data[:50],)
    finally:
        for c in clients:
            c.close()
    assert srv.final and srv.final["queued"] == 3 and srv.final["cb"] == 3, srv.stdout_final[-500:]
    assert srv.final["threads"] == 1 and srv.final["joined"] == 1, srv.final
