# SPDX-License-Identifier: Apache-2.0
"""Soak test: minutes of mixed load against tests/soak/soak_server.c on 127.0.0.1.

Run by scripts/soak.sh (which builds the server); by hand:

    /usr/bin/python3 tests/soak/soak.py --server build/soak/soak_server [--seconds 300]

Workers (threads) run in parallel until the deadline, each kind in a loop of bounded
operations (every socket operation has a time-out):
  keepalive  GET /hello and /big (Content-Length and chunked) on long-lived connections
  pipeline   batches of 2..12 mixed requests sent in one write, responses read in order
  chunked    chunked request bodies to /echo, echoed back chunked or with Content-Length
  upload     random bodies up to 1 MiB to /echo (echoed) or /hash (CRC-32 compared)
  ws         WebSocket echo: text and binary, single frames and fragmented messages with
             PINGs between fragments, closing handshake at the end of each connection
  slow       heads and bodies dribbled a few bytes at a time (within the time-outs), and a
             large response read slowly
  stall      clients the server must time out: half a head (408), half a body (408 from
             the handler), a 64 MiB response never read (closed after send_wait_timeout)
Every response is compared byte for byte with the bytes the request implies (the server's
responses are fully determined by the request). Counts per kind: operations, requests,
bytes, errors, lost (no complete response), corrupted (a response that differs).

The server's open fds (/proc/PID/fd) and RSS (/proc/PID/status VmRSS) are sampled cold,
after a warm-up, and at the end once the load stopped and the time-outs passed. Holds when:
no error, lost or corrupted response; fds at the end equal the cold count; RSS with no
trend during the load and at the end within RSS_TOLERANCE of the highest value before the
second half of the load (see RSS_TOLERANCE for why); the server exits 0 on SIGTERM with no
sanitizer report. Exit status 0 only then.
"""
import argparse
import base64
import hashlib
import os
import random
import re
import socket
import struct
import sys
import threading
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pytest"))
from conftest import (Conn, Firmware, PeerClosed, chunked_body, chunked_bytes,  # noqa: E402
                      error_bytes, get_req, response_bytes)

OCTET = "application/octet-stream"
HELLO = response_bytes("Hello World!")
MiB = 1 << 20

# RSS under this load is noisy: sampled every 10 s it moves up and down within a band
# of about 4 MiB (ASan's allocator and quarantine, capped by quarantine_size_mb, which
# size-class regions hold live blocks, the largest buffers (echo bodies up to 2 MiB,
# queued WebSocket frames) whose pages stay mapped). The warm-up brings everything that
# grows on demand (request-slot pool, coroutine stacks, quarantine) up to that band, so
# a leak shows as a trend, not as one sample above another. Two checks: the RSS at the
# end may exceed the highest of the warm-up and the first half of the load by at most
# RSS_TOLERANCE, and the least-squares slope of the samples taken during the load must
# stay under RSS_SLOPE_MAX. A leak of 12 bytes per request (700 requests/s) is 0.8 MiB
# per 100 s; LeakSanitizer checks at exit anyway.
RSS_TOLERANCE = 1 * MiB
RSS_SLOPE_MAX = 0.5 * MiB   # per 100 s

# The longest a slowly sent body takes (seconds): under the server's grace period for
# slow bodies, so the minimum receive rate never ends one.
SLOW_BODY_S = 8.0


# ---- Expected bytes ---------------------------------------------------------------

# soak_server.c's soak_pattern(seed, i) = T_seed[i % 65536] ^ ((i >> 16) & 0xFF): built
# from a 64 KiB table with bytes.translate, so megabytes of expected body cost no Python
# loop.
_XOR = [bytes(b ^ k for b in range(256)) for k in range(256)]
_tables = {}
_tables_lock = threading.Lock()


def _table(seed):
    with _tables_lock:
        t = _tables.get(seed)
    if t is None:
        vals = ((seed + j * 2654435761) & 0xFFFFFFFF for j in range(65536))
        t = bytes(((x >> 24) ^ (x >> 8)) & 0xFF for x in vals)
        with _tables_lock:
            _tables[seed] = t
    return t


def pattern(seed, n):
    t = _table(seed)
    out = bytearray()
    for k in range((n + 65535) // 65536):
        out += t.translate(_XOR[k & 0xFF])
    return bytes(out[:n])


def pieces(data, c):
    return [data[i:i + c] for i in range(0, len(data), c)] if c else []


def big_expected(n, seed, c):
    body = pattern(seed, n)
    return chunked_bytes(pieces(body, c), ctype=OCTET) if c else response_bytes(body, ctype=OCTET)


def echo_expected(body, c):
    return chunked_bytes(pieces(body, c), ctype=OCTET) if c else response_bytes(body, ctype=OCTET)


def hash_expected(body):
    return response_bytes("len=%d crc=%08x" % (len(body), zlib.crc32(body) & 0xFFFFFFFF))


def post(path, body, chunked=None):
    """A POST with Content-Length, or with a chunked body cut into the given pieces."""
    if chunked is None:
        return (b"POST %s HTTP/1.1\r\nHost: soak\r\nContent-Length: %d\r\n\r\n" % (path.encode(), len(body))
                + body)
    return (b"POST %s HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding: chunked\r\n\r\n" % path.encode()
            + chunked_body(chunked))


def random_cuts(data, rng, max_piece):
    out, i = [], 0
    while i < len(data):
        n = rng.randint(1, max_piece)
        out.append(data[i:i + n])
        i += n
    return out


# ---- Accounting -------------------------------------------------------------------

class Corrupt(Exception):
    """A response arrived but differs from the expected bytes."""


def first_diff(got, want):
    n = min(len(got), len(want))
    i = next((k for k in range(n) if got[k] != want[k]), n)
    return "at byte %d of %d (got %d bytes): got %r, want %r" % (
        i, len(want), len(got), got[max(0, i - 20):i + 40], want[max(0, i - 20):i + 40])


def check(got, want, what):
    if got != want:
        raise Corrupt("%s: %s" % (what, first_diff(got, want)))


class Stats:
    FIELDS = ("ops", "requests", "bytes", "errors", "lost", "corrupted")

    def __init__(self, log):
        self.lock = threading.Lock()
        self.kinds = {}
        self.log = log
        self.failures = []       # the first failures, for the report

    def add(self, kind, **kw):
        with self.lock:
            row = self.kinds.setdefault(kind, dict.fromkeys(self.FIELDS, 0))
            for k, v in kw.items():
                row[k] += v

    def fail(self, kind, what, detail):
        with self.lock:
            line = "%.1f %s %s: %s" % (time.monotonic(), kind, what, detail)
            self.log.write(line + "\n")
            self.log.flush()
            if len(self.failures) < 20:
                self.failures.append(line[:600])


class Op:
    """One operation's bookkeeping: requests sent, responses verified, bytes moved."""

    def __init__(self):
        self.sent = 0
        self.ok = 0
        self.bytes = 0

    def request(self, n=1):
        self.sent += n

    def verified(self, nbytes, n=1):
        self.ok += n
        self.bytes += nbytes


def run_op(stats, kind, fn, *args):
    """Runs fn(op, *args) and books it: a Corrupt is one corrupted response (the requests
    after it in the same operation count as lost); a peer close or a time-out loses every
    unanswered request; anything else is an error (and loses the unanswered ones too)."""
    op = Op()
    try:
        fn(op, *args)
        stats.add(kind, ops=1, requests=op.sent, bytes=op.bytes)
        return True
    except (Corrupt, AssertionError, ValueError) as e:
        # conftest's response parser asserts on a malformed status line, header or chunk
        # frame (ValueError: a chunk size that is no hex number): corruption too, when a
        # response was due. Otherwise (Conn.assert_closed) the server failed to close.
        if isinstance(e, Corrupt) or op.sent > op.ok:
            stats.add(kind, ops=1, requests=op.sent, bytes=op.bytes, corrupted=1,
                      lost=max(0, op.sent - op.ok - 1))
            stats.fail(kind, "corrupted", "%s: %s" % (type(e).__name__, e))
        else:
            stats.add(kind, ops=1, requests=op.sent, bytes=op.bytes, errors=1)
            stats.fail(kind, "error", "%s: %s" % (type(e).__name__, e))
    except (PeerClosed, socket.timeout, ConnectionError) as e:
        stats.add(kind, ops=1, requests=op.sent, bytes=op.bytes, lost=op.sent - op.ok,
                  errors=0 if op.sent > op.ok else 1)
        stats.fail(kind, "lost" if op.sent > op.ok else "error", "%s: %s" % (type(e).__name__, e))
    except Exception as e:  # noqa: BLE001 - every other failure is booked, not raised
        stats.add(kind, ops=1, requests=op.sent, bytes=op.bytes, errors=1, lost=op.sent - op.ok)
        stats.fail(kind, "error", "%s: %s" % (type(e).__name__, e))
    return False


# ---- Workers ----------------------------------------------------------------------

class Soak:
    def __init__(self, port, recv_timeout, send_timeout, stats, seed):
        self.port = port
        self.recv_timeout = recv_timeout
        self.send_timeout = send_timeout
        self.stats = stats
        self.seed = seed
        self.stop = threading.Event()
        self.io_timeout = 20.0       # generous: 2 shared cores, ASan, a GIL-bound client

    def conn(self):
        return Conn("127.0.0.1", self.port, timeout=self.io_timeout)

    # -- keep-alive GETs --
    def keepalive_worker(self, rng):
        while not self.stop.is_set():
            with self.conn() as c:
                for _ in range(rng.randint(20, 200)):
                    if self.stop.is_set() or not run_op(self.stats, "keepalive", self.keepalive_one, c, rng):
                        break

    def keepalive_one(self, op, c, rng):
        r = rng.random()
        if r < 0.5:
            op.request()
            got = c.get("/hello").raw
            check(got, HELLO, "GET /hello")
        else:
            n = rng.choice((0, 1, 100, 4095, 4096, 65536, rng.randint(0, 300_000)))
            seed, ch = rng.randrange(256), rng.choice((0, 0, 1000, 4096, 65536))
            want = big_expected(n, seed, ch)
            op.request()
            got = c.get("/big?n=%d&s=%d&c=%d" % (n, seed, ch)).raw
            check(got, want, "GET /big n=%d c=%d" % (n, ch))
            got = want
        op.verified(len(got))

    # -- pipelined batches --
    def pipeline_worker(self, rng):
        while not self.stop.is_set():
            with self.conn() as c:
                for _ in range(rng.randint(5, 50)):
                    if self.stop.is_set() or not run_op(self.stats, "pipeline", self.pipeline_one, c, rng):
                        break

    def pipeline_one(self, op, c, rng):
        reqs, wants = [], []
        for _ in range(rng.randint(2, 12)):
            k = rng.random()
            if k < 0.4:
                reqs.append(get_req("/hello", host="soak"))
                wants.append(HELLO)
            elif k < 0.7:
                # small: the batch is written before any response is read, so the
                # responses must fit the socket buffers
                n, seed, ch = rng.randint(0, 8000), rng.randrange(256), rng.choice((0, 512))
                reqs.append(get_req("/big?n=%d&s=%d&c=%d" % (n, seed, ch), host="soak"))
                wants.append(big_expected(n, seed, ch))
            elif k < 0.85:
                body = os.urandom(rng.randint(0, 8000))
                reqs.append(post("/echo", body))
                wants.append(echo_expected(body, 0))
            else:
                body = os.urandom(rng.randint(0, 8000))
                reqs.append(post("/hash", body, chunked=random_cuts(body, rng, 3000)))
                wants.append(hash_expected(body))
        c.send(b"".join(reqs))
        op.request(len(reqs))
        for i, want in enumerate(wants):
            got = c.read_response().raw
            check(got, want, "pipelined response %d of %d" % (i + 1, len(wants)))
            op.verified(len(got))

    # -- chunked request bodies and chunked responses --
    def chunked_worker(self, rng):
        while not self.stop.is_set():
            with self.conn() as c:
                for _ in range(rng.randint(5, 40)):
                    if self.stop.is_set() or not run_op(self.stats, "chunked", self.chunked_one, c, rng):
                        break

    def chunked_one(self, op, c, rng):
        body = os.urandom(rng.choice((0, 1, rng.randint(0, 4096), rng.randint(0, 256 * 1024))))
        ch = rng.choice((0, 1, 7, 1000, 16384))
        want = echo_expected(body, ch)
        c.send(post("/echo?c=%d" % ch, body, chunked=random_cuts(body, rng, rng.choice((10, 3000, 70000)))))
        op.request()
        got = c.read_response().raw
        check(got, want, "chunked POST /echo %d bytes c=%d" % (len(body), ch))
        op.verified(len(body) + len(got))

    # -- uploads up to 1 MiB --
    def upload_worker(self, rng):
        while not self.stop.is_set():
            with self.conn() as c:
                for _ in range(rng.randint(1, 10)):
                    if self.stop.is_set() or not run_op(self.stats, "upload", self.upload_one, c, rng):
                        break

    def upload_one(self, op, c, rng):
        body = os.urandom(rng.randint(0, MiB))
        if rng.random() < 0.5:
            path, want = "/hash", hash_expected(body)
        else:
            ch = rng.choice((0, 0, 65536))
            path, want = "/echo?c=%d" % ch, echo_expected(body, ch)
        c.send(post(path, body))
        op.request()
        got = c.read_response().raw
        check(got, want, "POST %s %d bytes" % (path, len(body)))
        op.verified(len(body) + len(got))

    # -- WebSocket echo --
    def ws_worker(self, rng):
        while not self.stop.is_set():
            c = self.conn()
            try:
                if not run_op(self.stats, "ws", self.ws_handshake, c):
                    continue
                for _ in range(rng.randint(10, 100)):
                    if self.stop.is_set() or not run_op(self.stats, "ws", self.ws_message, c, rng):
                        break
                else:
                    run_op(self.stats, "ws", self.ws_close, c)
            finally:
                c.close()

    def ws_handshake(self, op, c):
        key = base64.b64encode(os.urandom(16))
        accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
        c.send(b"GET /ws HTTP/1.1\r\nHost: soak\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               b"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % key)
        op.request()
        r = c.read_response()
        want = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                b"Sec-WebSocket-Accept: %s\r\n\r\n" % accept)
        check(r.raw, want, "WebSocket handshake")
        op.verified(len(r.raw))

    @staticmethod
    def ws_frame(opcode, payload, fin=True, mask=True):
        n = len(payload)
        head = bytes([(0x80 if fin else 0) | opcode])
        mbit = 0x80 if mask else 0
        if n <= 125:
            head += bytes([mbit | n])
        elif n <= 0xFFFF:
            head += bytes([mbit | 126]) + struct.pack("!H", n)
        else:
            head += bytes([mbit | 127]) + struct.pack("!Q", n)
        if not mask:
            return head + payload
        key = os.urandom(4)
        k = (key * (n // 4 + 1))[:n]
        masked = (int.from_bytes(payload, "big") ^ int.from_bytes(k, "big")).to_bytes(n, "big") if n else b""
        return head + key + masked

    def ws_message(self, op, c, rng):
        text = rng.random() < 0.5
        n = rng.choice((0, 1, 125, 126, 65535, 65536, rng.randint(0, 2000), rng.randint(0, 128 * 1024)))
        payload = (bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz0123456789 ") for _ in range(min(n, 2000)))
                   * (n // 2000 + 1))[:n] if text else os.urandom(n)
        opcode = 0x1 if text else 0x2
        parts = [payload] if rng.random() < 0.5 else random_cuts(payload, rng, max(1, n // rng.randint(1, 5))) or [b""]
        out, want = [], []
        for i, p in enumerate(parts):
            fin = i == len(parts) - 1
            op_i = opcode if i == 0 else 0x0
            out.append(self.ws_frame(op_i, p, fin))
            want.append(self.ws_frame(op_i, p, fin, mask=False))
            if not fin and rng.random() < 0.3:
                ping = os.urandom(rng.randint(0, 125))
                out.append(self.ws_frame(0x9, ping))
                want.append(self.ws_frame(0xA, ping, mask=False))
        what = "WebSocket %s message of %d bytes in %d frames" % ("text" if text else "binary", n, len(parts))
        if sum(map(len, out)) <= 32768:
            # all frames in one write: the echoes of early fragments queue up meanwhile
            c.send(b"".join(out))
            op.request(len(out))
            want = b"".join(want)
            got = c.read_exact(len(want))
            check(got, want, what)
            op.verified(len(payload) + len(got), len(out))
            return
        # Large: frame by frame, each echo read before the next frame goes, or the
        # server's echoes and this client's writes could fill both socket buffers.
        for i, (f, w) in enumerate(zip(out, want)):
            c.send(f)
            op.request()
            got = c.read_exact(len(w))
            check(got, w, "%s, frame %d" % (what, i + 1))
            op.verified(len(got))
        op.bytes += len(payload)

    def ws_close(self, op, c):
        c.send(self.ws_frame(0x8, struct.pack("!H", 1000)))
        op.request()
        got = c.read_exact(4)
        check(got, self.ws_frame(0x8, struct.pack("!H", 1000), mask=False), "WebSocket close")
        c.assert_closed(timeout=self.io_timeout)
        op.verified(len(got))

    # -- slow clients (within the time-outs) --
    def slow_worker(self, rng):
        kinds = (self.slow_head, self.slow_body, self.slow_reader)
        while not self.stop.is_set():
            run_op(self.stats, "slow", rng.choice(kinds), rng)

    def slow_head(self, op, rng):
        # The head time-out runs from the head's first byte: the whole head within about
        # a third of recv_wait_timeout.
        head = get_req("/hello", host="soak", headers=[("X-Slow", "x" * rng.randint(0, 40))])
        budget = self.recv_timeout / 3.0
        cuts = random_cuts(head, rng, 8)
        delay = budget / len(cuts)
        with self.conn() as c:
            op.request()
            c.send_pieces(cuts, delay=delay)
            got = c.read_response().raw
            check(got, HELLO, "slowly sent GET /hello")
            op.verified(len(got))

    def slow_body(self, op, rng):
        # Each piece of the body well within recv_wait_timeout of the one before, and the
        # whole body within SLOW_BODY_S: after CONFIG_HTTPD_RECV_GRACE_S (10 s) of waiting
        # a body must keep CONFIG_HTTPD_RECV_MIN_RATE (512 B/s), which these dribbles
        # (a few bytes a second) do not (docs/limits.md).
        body = os.urandom(rng.randint(1, 4000))
        cuts = random_cuts(body, rng, 500)
        delay = min(rng.uniform(0.05, self.recv_timeout / 4.0), SLOW_BODY_S / len(cuts))
        with self.conn() as c:
            op.request()
            c.send(b"POST /hash HTTP/1.1\r\nHost: soak\r\nContent-Length: %d\r\n\r\n" % len(body))
            c.send_pieces(cuts, delay=delay)
            got = c.read_response().raw
            check(got, hash_expected(body), "slowly sent POST /hash")
            op.verified(len(body) + len(got))

    def slow_reader(self, op, rng):
        # 4 MiB read 64 KiB at a time with pauses: the server's sends keep making progress,
        # so send_wait_timeout must not fire.
        n, seed = 4 * MiB, rng.randrange(256)
        want = big_expected(n, seed, 65536)
        with self.conn() as c:
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
            c.send(get_req("/big?n=%d&s=%d&c=65536" % (n, seed), host="soak"))
            op.request()
            got = bytearray()
            deadline = time.monotonic() + 120
            while len(got) < len(want):
                if time.monotonic() > deadline:
                    raise socket.timeout("slow reader: %d of %d bytes in 120 s" % (len(got), len(want)))
                time.sleep(rng.uniform(0.0, 0.05))
                data = c.sock.recv(65536)
                if not data:
                    raise PeerClosed("closed after %d of %d bytes" % (len(got), len(want)), bytes(got[-200:]))
                got += data
            check(bytes(got), want, "slowly read GET /big 4 MiB")
            op.verified(len(got))

    # -- stalled clients (the server must time them out) --
    def stall_worker(self, rng):
        kinds = (self.stall_half_head, self.stall_half_body, self.stall_unread)
        while not self.stop.is_set():
            run_op(self.stats, "stall", rng.choice(kinds), rng)

    def expect_timeout_close(self, op, c, want, what, wait):
        r = c.read_response(timeout=wait)
        check(r.raw, want, what)
        op.verified(len(r.raw))
        c.assert_closed(timeout=self.io_timeout)   # not closed: an error, not a lost response

    def stall_half_head(self, op, rng):
        head = get_req("/hello", host="soak")
        with self.conn() as c:
            c.send(head[:rng.randint(1, len(head) - 2)])
            op.request()
            self.expect_timeout_close(op, c, error_bytes(408), "408 for half a head",
                                      self.recv_timeout + self.io_timeout)

    def stall_half_body(self, op, rng):
        path = rng.choice(("/echo", "/hash"))
        body = os.urandom(rng.randint(2, 20000))
        with self.conn() as c:
            c.send(post(path, body)[:-rng.randint(1, len(body) - 1)])
            op.request()
            # The handler's own 408 (httpd_resp_send_408, then ESP_FAIL closes): unlike the
            # server's head time-out it cannot announce Connection: close.
            self.expect_timeout_close(op, c, error_bytes(408, close=False), "408 from %s for half a body" % path,
                                      self.recv_timeout + self.io_timeout)

    def stall_unread(self, op, rng):
        n, seed, ch = 64 * MiB, rng.randrange(256), 65536
        with self.conn() as c:
            c.send(get_req("/big?n=%d&s=%d&c=%d" % (n, seed, ch), host="soak"))
            op.request()
            # Read nothing until well past send_wait_timeout: the server must give up.
            time.sleep(self.send_timeout + 2.0)
            got = bytearray()
            deadline = time.monotonic() + self.io_timeout
            closed = False
            while time.monotonic() < deadline:
                try:
                    c.sock.settimeout(max(0.1, deadline - time.monotonic()))
                    data = c.sock.recv(1 << 20)
                except ConnectionResetError:
                    closed = True
                    break
                except socket.timeout:
                    break
                if not data:
                    closed = True
                    break
                got += data
            # What did arrive must be the response's true prefix.
            k = len(got) // ch + 2
            want = chunked_bytes(pieces(pattern(seed, k * ch), ch), ctype=OCTET)
            check(bytes(got), want[:len(got)], "prefix of the unread 64 MiB response")
            op.verified(len(got))
            if not closed:
                raise RuntimeError("stalled reader of 64 MiB not closed by the server (%d bytes read)" % len(got))
            if len(got) >= n:
                raise RuntimeError("the whole 64 MiB arrived: the server did not time out")


# ---- The server process -----------------------------------------------------------

def proc_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def rss_slope(samples):
    """Least-squares slope of the RSS samples (one every 10 s), in bytes per 100 s; 0 for
    fewer than 3 samples."""
    ys = [x[1] for x in samples]
    n = len(ys)
    if n < 3:
        return 0.0
    mx, my = (n - 1) / 2.0, sum(ys) / n
    return 10.0 * sum((i - mx) * (y - my) for i, y in enumerate(ys)) / sum((i - mx) ** 2 for i in range(n))


def proc_rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def settle(pid, want_fds, seconds):
    """Waits up to seconds for the server's fd count to fall to want_fds; returns the count."""
    deadline = time.monotonic() + seconds
    n = proc_fds(pid)
    while n != want_fds and time.monotonic() < deadline:
        time.sleep(0.2)
        n = proc_fds(pid)
    return n


WORKERS = (("keepalive", 2), ("pipeline", 1), ("chunked", 1), ("upload", 2), ("ws", 2),
           ("slow", 1), ("stall", 1))


def run_phase(soak, seconds, seed):
    soak.stop.clear()
    threads = []
    for kind, count in WORKERS:
        for i in range(count):
            rng = random.Random("%s-%s-%d" % (seed, kind, i))
            t = threading.Thread(target=getattr(soak, kind + "_worker"), args=(rng,), name="%s%d" % (kind, i),
                                 daemon=True)
            t.start()
            threads.append(t)
    soak.stop.wait(seconds)
    soak.stop.set()
    # Every operation is bounded (the longest: a stall, send time-out + 2 * io_timeout).
    deadline = time.monotonic() + soak.send_timeout + 3 * soak.io_timeout + 30
    hung = []
    for t in threads:
        t.join(max(0.1, deadline - time.monotonic()))
        if t.is_alive():
            hung.append(t.name)
    return hung


def fmt_mib(n):
    return "%.2f MiB" % (n / MiB)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--server", required=True, help="the soak_server binary")
    ap.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", 300)))
    ap.add_argument("--warmup", type=float, default=float(os.environ.get("SOAK_WARMUP", 20)))
    ap.add_argument("--recv-timeout", type=int, default=3)
    ap.add_argument("--send-timeout", type=int, default=3)
    ap.add_argument("--seed", default=os.environ.get("SOAK_SEED", str(random.randrange(1 << 30))))
    ap.add_argument("--log", default="soak-failures.log", help="every failure, one per line")
    ap.add_argument("--server-log", default="soak-server.stderr.log", help="the server's stderr")
    a = ap.parse_args()
    # Shorter warm-ups leave the allocator short of its steady state (a 5 s warm-up
    # measured 3.7 MiB of growth afterwards, a 20 s one about 1 MiB over 300 s), and the
    # RSS check would then flag warm-up, not leaks.
    a.warmup = max(a.warmup, 20.0)

    print("soak: %s, %.0f s warm-up + %.0f s load, seed %s, recv/send time-outs %d/%d s"
          % (a.server, a.warmup, a.seconds, a.seed, a.recv_timeout, a.send_timeout), flush=True)
    fw = Firmware("soak_server", ["--recv-timeout", str(a.recv_timeout), "--send-timeout", str(a.send_timeout)],
                  env={"ESP_LOG_LEVEL": os.environ.get("ESP_LOG_LEVEL", "error"),
                       # ASan's quarantine (freed blocks held back to catch use after
                       # free) is 256 MiB by default: it would fill during the run and
                       # read as RSS growth. 16 MiB fills within the warm-up.
                       "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "detect_leaks=1") + ":quarantine_size_mb=16"},
                  stop_timeout=30)
    fw.exe = Path(a.server).resolve()
    problems = []
    log = open(a.log, "w")
    stats = Stats(log)
    fw.start()
    pid = fw.proc.pid
    try:
        time.sleep(0.5)
        fds_cold, rss_cold = proc_fds(pid), proc_rss(pid)
        soak = Soak(fw.port, a.recv_timeout, a.send_timeout, stats, a.seed)
        quiet = max(a.recv_timeout, a.send_timeout) + 10

        # Warm-up: the same mix, so every pool and cache is at its steady size before the
        # RSS baseline is taken; its counts go into the table too.
        hung = run_phase(soak, a.warmup, a.seed + "-warmup")
        fds_warm = settle(pid, fds_cold, quiet)
        rss_warm = proc_rss(pid)
        print("after warm-up: fds %d (cold %d), RSS %s (cold %s)"
              % (fds_warm, fds_cold, fmt_mib(rss_warm), fmt_mib(rss_cold)), flush=True)

        samples = []
        sampler_stop = threading.Event()

        def sampler():
            while not sampler_stop.wait(10):
                try:
                    samples.append((proc_fds(pid), proc_rss(pid)))
                except OSError:
                    return

        st = threading.Thread(target=sampler, daemon=True)
        st.start()
        t0 = time.monotonic()
        hung += run_phase(soak, a.seconds, a.seed)
        elapsed = time.monotonic() - t0
        sampler_stop.set()
        st.join(5)
        if hung:
            problems.append("workers still running after the deadline: %s" % ", ".join(hung))

        fds_end = settle(pid, fds_cold, quiet)
        rss_end = proc_rss(pid)
        # The server still answers after all that.
        try:
            with Conn("127.0.0.1", fw.port, timeout=10) as c:
                check(c.get("/hello").raw, HELLO, "GET /hello after the soak")
        except Exception as e:  # noqa: BLE001
            problems.append("GET /hello after the soak failed: %s" % e)
    finally:
        fw_problems = fw.problems()
        Path(a.server_log).write_text(fw.stderr_final or "")
        log.close()
    problems += fw_problems
    final = re.search(r"FINAL requests=(\d+) ws_frames=(\d+)", fw.stdout_final or "")
    if not final:
        problems.append("soak_server printed no FINAL line")

    # ---- the table ----
    total = dict.fromkeys(Stats.FIELDS, 0)
    print("\n%-10s %9s %9s %12s %7s %6s %10s" % ("kind", "ops", "requests", "bytes", "errors", "lost", "corrupted"))
    for kind, _ in WORKERS:
        row = stats.kinds.get(kind, dict.fromkeys(Stats.FIELDS, 0))
        for k in Stats.FIELDS:
            total[k] += row[k]
        print("%-10s %9d %9d %12d %7d %6d %10d" % ((kind,) + tuple(row[k] for k in Stats.FIELDS)))
    print("%-10s %9d %9d %12d %7d %6d %10d" % (("total",) + tuple(total[k] for k in Stats.FIELDS)))
    print("\nload: %.0f s (+ %.0f s warm-up); %.0f requests/s; %s moved"
          % (elapsed, a.warmup, total["requests"] / max(1.0, elapsed + a.warmup), fmt_mib(total["bytes"])))
    if final:
        print("server counted %s handler calls and %s WebSocket frames" % final.groups())
    print("server fds:  cold %d, after warm-up %d, end %d" % (fds_cold, fds_warm, fds_end))
    print("server RSS:  cold %s, after warm-up %s, end %s (%+.2f MiB); trend during the load %+.2f MiB per 100 s"
          % (fmt_mib(rss_cold), fmt_mib(rss_warm), fmt_mib(rss_end), (rss_end - rss_warm) / MiB,
             rss_slope(samples) / MiB))
    if samples:
        print("during load (every 10 s): fds %d..%d, RSS %s..%s"
              % (min(s[0] for s in samples), max(s[0] for s in samples),
                 fmt_mib(min(s[1] for s in samples)), fmt_mib(max(s[1] for s in samples))))
        print("RSS every 10 s (MiB): " + " ".join("%.2f" % (x[1] / MiB) for x in samples))
    print("server exit: %s" % fw.returncode)

    for k in ("errors", "lost", "corrupted"):
        if total[k]:
            problems.append("%d %s" % (total[k], k))
    if fds_end != fds_cold or fds_warm != fds_cold:
        problems.append("server fds: cold %d, after warm-up %d, end %d" % (fds_cold, fds_warm, fds_end))
    first_half = [x[1] for x in samples[:len(samples) // 2]]
    ceiling = max([rss_warm] + first_half)
    if rss_end - ceiling > RSS_TOLERANCE:
        problems.append("server RSS at the end is %s above the highest before the second half of the load"
                        " (tolerance %s)" % (fmt_mib(rss_end - ceiling), fmt_mib(RSS_TOLERANCE)))
    slope = rss_slope(samples)
    if slope > RSS_SLOPE_MAX:
        problems.append("server RSS rises by %s per 100 s during the load (limit %s)"
                        % (fmt_mib(slope), fmt_mib(RSS_SLOPE_MAX)))
    for kind, _ in WORKERS:
        if not stats.kinds.get(kind, {}).get("requests"):
            problems.append("no %s request completed" % kind)
    if stats.failures:
        print("\nfirst failures (all in %s):" % a.log)
        for f in stats.failures:
            print("  " + f)
    if problems:
        print("\nSOAK FAILED:\n  " + "\n  ".join(p.replace("\n", "\n    ") for p in problems))
        return 1
    print("\nSOAK PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
