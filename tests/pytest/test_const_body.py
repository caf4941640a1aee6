# SPDX-License-Identifier: Apache-2.0
"""Bodies sent from the program's read-only data (a const array, as an embedded asset
is), which the Linux build sends with sendfile() from the program's file instead of
copying: every byte arrives, in order, whatever the span's offset and length, after
held pipelined responses, to a client that reads slowly, and a client that leaves
mid-body does not harm the server (sendfile() has no MSG_NOSIGNAL).

/big?src=const&off=O&n=N (tests/server/test_server.c): bytes O..O+N of a 256 KiB
const array whose byte i is 'A' + i % 26 (N defaults to the rest of it)."""
import socket
import struct
import time

import pytest

from conftest import Conn, big_pattern, get_req, response_bytes

CONST_LEN = 256 * 1024


def const_body(off, n):
    return big_pattern(off + n)[off:]


def const_path(off=0, n=None):
    return "/big?src=const&off=%d" % off + ("" if n is None else "&n=%d" % n)


@pytest.mark.parametrize("off,n", [
    (0, None),                 # all of it
    (1000, 100000),            # an odd offset inside a page
    (4096, 65536),             # page-aligned
    (7, 32 * 1024),            # at the size where sendfile() starts
    (3, 32 * 1024 - 1),        # just below it: copied
    (CONST_LEN - 40000, None),  # up to the very end of the array
    (5, 1),
])
def test_const_body_byte_exact(server, off, n):
    length = CONST_LEN - off if n is None else n
    expect = response_bytes(const_body(off, length), ctype="text/html")
    with server.conn() as c:
        for _ in range(2):     # twice on one connection: nothing left over, nothing missing
            r = c.get(const_path(off, n))
            assert r.status == 200
            assert len(r.body) == length
            assert r.raw == expect


def test_const_body_after_pipelined_responses(server):
    """Small responses held for a pipelined batch leave first, then the const body,
    then the responses after it, in order."""
    with server.conn() as c:
        c.send(get_req("/hello") + get_req(const_path(100, 200000)) + get_req("/hello")
               + get_req(const_path(0)) + get_req("/hello"))
        first = c.read_response()
        assert first.status == 200 and first.body == server.get("/hello").body
        r = c.read_response()
        assert r.status == 200 and r.body == const_body(100, 200000)
        assert c.read_response().raw == first.raw
        r = c.read_response()
        assert r.status == 200 and r.body == const_body(0, CONST_LEN)
        assert c.read_response().raw == first.raw


def test_const_body_to_a_slow_reader(server):
    """A small receive window read a little at a time: the send stops and resumes many
    times, and every byte arrives once."""
    c = Conn(port=server.port, connect=False)
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.sock.connect((c.host, c.port))
    with c:
        c.send(get_req(const_path(11)))
        head = c.read_until(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK\r\n")
        want = CONST_LEN - 11
        body = bytearray()
        deadline = time.monotonic() + 20
        while len(body) < want and time.monotonic() < deadline:
            take = min(8192, want - len(body))
            body += c.read_exact(take)
            if len(body) < 64 * 1024:
                time.sleep(0.002)
        assert bytes(body) == const_body(11, want)
        assert c.get("/hello").status == 200


def test_client_leaves_during_const_body(server):
    """Peers that reset or close while the body is being sent: no SIGPIPE (it would end
    the server), and the server goes on."""
    for linger in (True, False):
        for _ in range(3):
            c = Conn(port=server.port, connect=False)
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            c.sock.connect((c.host, c.port))
            c.send(get_req(const_path(0)) * 4)
            c.read_exact(1000)
            if linger:
                c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            c.close()
    time.sleep(0.2)
    assert server.get("/hello").status == 200
    with server.conn() as c:
        assert c.get(const_path(0)).body == const_body(0, CONST_LEN)
