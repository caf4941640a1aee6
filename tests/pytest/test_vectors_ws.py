# SPDX-License-Identifier: Apache-2.0
"""WebSocket protocol-error vectors (RFC 6455) against ws_server (tests/server/ws_server.c).

FRAMES: one row per vector, sent after a correct handshake:

    (id, path, sent, expected, after)

  id        the pytest id
  path      the WebSocket URI: /ws (echoes every frame with its type, FIN and fragmentation;
            PINGs are answered by the library, PONGs reach the handler and are echoed) or
            /ws_msg (httpd_ws_recv_msg: whole messages, control frames handled by the library)
  sent      the exact client bytes, in one write. Client frames are masked; most use the
            all-zero masking key K0, so the payload reads as plain text in the literal
  expected  the exact bytes the server must send back: echoes, PONGs and, for a protocol
            error, its CLOSE frame (CLOSE_1002 protocol error, CLOSE_1007 invalid UTF-8,
            CLOSE_1009 too big, or the client's own code echoed)
  after     CLOSED: after `expected` the server closes the TCP connection (EOF, no byte more);
            OPEN: the session goes on: a TEXT "ok" is echoed as TEXT "ok"

HANDSHAKES: handshake errors as HTTP vectors, (id, request, status, headers, after) with
the same meaning as in test_vectors_http.py: status (or tuple of allowed ones), headers the
response must carry ({name: value}), KEEP / CLOSED.

Rows the server does not follow yet carry the RFC expectation anyway and are listed in
XFAIL (id -> what the server does instead): strict xfails, so a fixed row XPASSes and fails
the run until its entry is removed.
"""
import re
import struct

import pytest

from conftest import Firmware, final_line
from vectors_util import CLOSED, IO, KEEP, params, read_all, safe_send, unknown_ids

OPEN = "open"
K0 = b"\x00\x00\x00\x00"                    # all-zero masking key: masked payload == payload
CLOSE_1000 = b"\x88\x02\x03\xe8"
CLOSE_1002 = b"\x88\x02\x03\xea"
CLOSE_1007 = b"\x88\x02\x03\xef"
CLOSE_1009 = b"\x88\x02\x03\xf1"
MAX_PAYLOAD = 16 * 1024 * 1024              # CONFIG_HTTPD_WS_MAX_PAYLOAD
KEY = b"dGhlIHNhbXBsZSBub25jZQ=="            # RFC 6455 1.3
SWITCHING = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")


def upgrade(path=b"/ws"):
    return (b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: " + KEY + b"\r\nSec-WebSocket-Version: 13\r\n\r\n")


def bad_close(code):
    """A masked CLOSE with status code `code` and no reason."""
    return b"\x88\x82" + K0 + struct.pack("!H", code)


FRAMES = [
    # ---- masking (RFC 6455 5.1, 5.3) ----------------------------------------------------
    ("unmasked_text", "/ws", b"\x81\x02hi", CLOSE_1002, CLOSED),
    ("unmasked_binary", "/ws", b"\x82\x02\x00\x01", CLOSE_1002, CLOSED),
    ("unmasked_empty_text", "/ws", b"\x81\x00", CLOSE_1002, CLOSED),
    ("unmasked_close", "/ws", b"\x88\x02\x03\xe8", CLOSE_1002, CLOSED),
    ("masked_rfc_example_text", "/ws", b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", b"\x81\x05Hello", OPEN),
    # ---- RSV bits without a negotiated extension (5.2) --------------------------------------
    ("rsv1_text", "/ws", b"\xc1\x82" + K0 + b"hi", CLOSE_1002, CLOSED),
    ("rsv2_text", "/ws", b"\xa1\x82" + K0 + b"hi", CLOSE_1002, CLOSED),
    ("rsv3_binary", "/ws", b"\x92\x82" + K0 + b"hi", CLOSE_1002, CLOSED),
    ("rsv_all_binary", "/ws", b"\xf2\x82" + K0 + b"hi", CLOSE_1002, CLOSED),
    ("rsv1_ping", "/ws", b"\xc9\x80" + K0, CLOSE_1002, CLOSED),
    ("rsv1_continuation", "/ws", b"\x01\x81" + K0 + b"a" + b"\xc0\x81" + K0 + b"b", b"\x01\x01a" + CLOSE_1002,
     CLOSED),
] + [
    # ---- reserved opcodes 3-7 (data) and 11-15 (control) (5.2) -----------------------------
    ("opcode_%d" % op, "/ws", bytes([0x80 | op, 0x81]) + K0 + b"x", CLOSE_1002, CLOSED)
    for op in (3, 4, 5, 6, 7, 11, 12, 13, 14, 15)
] + [
    # ---- control frames (5.5) ----------------------------------------------------------
    ("ping_payload_126", "/ws", b"\x89\xfe\x00\x7e" + K0 + b"p" * 126, CLOSE_1002, CLOSED),
    ("pong_payload_126", "/ws", b"\x8a\xfe\x00\x7e" + K0 + b"p" * 126, CLOSE_1002, CLOSED),
    ("close_payload_126", "/ws", b"\x88\xfe\x00\x7e" + K0 + b"\x03\xe8" + b"r" * 124, CLOSE_1002, CLOSED),
    ("ping_fragmented", "/ws", b"\x09\x81" + K0 + b"p", CLOSE_1002, CLOSED),
    ("close_fragmented", "/ws", b"\x08\x82" + K0 + b"\x03\xe8", CLOSE_1002, CLOSED),
    ("ping_fragmented_inside_message", "/ws", b"\x01\x81" + K0 + b"a" + b"\x09\x81" + K0 + b"p",
     b"\x01\x01a" + CLOSE_1002, CLOSED),
    ("ping_rfc_example_masked", "/ws", b"\x89\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", b"\x8a\x05Hello", OPEN),
    ("ping_empty", "/ws", b"\x89\x80" + K0, b"\x8a\x00", OPEN),
    ("ping_payload_125", "/ws", b"\x89\xfd" + K0 + b"\xa5" * 125, b"\x8a\x7d" + b"\xa5" * 125, OPEN),
    ("ping_between_fragments", "/ws", b"\x01\x83" + K0 + b"Hel" + b"\x89\x82" + K0 + b"pp" + b"\x80\x82" + K0 + b"lo",
     b"\x01\x03Hel" + b"\x8a\x02pp" + b"\x80\x02lo", OPEN),
    # an unsolicited PONG is no error and gets no reply from the library (5.5.3); /ws hands
    # it to its handler, which echoes every frame, so the echo is the firmware's
    ("pong_unsolicited", "/ws", b"\x8a\x84" + K0 + b"pong" + b"\x81\x85" + K0 + b"after",
     b"\x8a\x04pong" + b"\x81\x05after", OPEN),
    ("pong_inside_message_ignored", "/ws_msg",
     b"\x01\x81" + K0 + b"a" + b"\x8a\x81" + K0 + b"q" + b"\x80\x81" + K0 + b"b", b"\x81\x02ab", OPEN),
    # ---- fragmentation (5.4) -----------------------------------------------------------
    ("continuation_without_start", "/ws", b"\x80\x81" + K0 + b"x", CLOSE_1002, CLOSED),
    ("continuation_unfinished_without_start", "/ws", b"\x00\x81" + K0 + b"x", CLOSE_1002, CLOSED),
    ("continuation_after_final", "/ws", b"\x81\x81" + K0 + b"a" + b"\x80\x81" + K0 + b"b",
     b"\x81\x01a" + CLOSE_1002, CLOSED),
    ("text_inside_text", "/ws", b"\x01\x81" + K0 + b"a" + b"\x81\x81" + K0 + b"b", b"\x01\x01a" + CLOSE_1002, CLOSED),
    ("binary_inside_text", "/ws", b"\x01\x81" + K0 + b"a" + b"\x82\x81" + K0 + b"b", b"\x01\x01a" + CLOSE_1002,
     CLOSED),
    ("text_inside_binary_after_cont", "/ws",
     b"\x02\x81" + K0 + b"a" + b"\x00\x81" + K0 + b"b" + b"\x81\x81" + K0 + b"c",
     b"\x02\x01a" + b"\x00\x01b" + CLOSE_1002, CLOSED),
    ("msg_text_inside_text", "/ws_msg", b"\x01\x81" + K0 + b"a" + b"\x81\x81" + K0 + b"b", CLOSE_1002, CLOSED),
    # ---- UTF-8 in TEXT messages (8.1, RFC 3629) --------------------------------------------
    ("utf8_overlong_2_bytes", "/ws", b"\x81\x82" + K0 + b"\xc0\xaf", CLOSE_1007, CLOSED),
    ("utf8_overlong_3_bytes", "/ws", b"\x81\x83" + K0 + b"\xe0\x80\xaf", CLOSE_1007, CLOSED),
    ("utf8_overlong_4_bytes", "/ws", b"\x81\x84" + K0 + b"\xf0\x80\x80\xaf", CLOSE_1007, CLOSED),
    ("utf8_surrogate_high", "/ws", b"\x81\x83" + K0 + b"\xed\xa0\x80", CLOSE_1007, CLOSED),
    ("utf8_surrogate_low", "/ws", b"\x81\x83" + K0 + b"\xed\xbf\xbf", CLOSE_1007, CLOSED),
    ("utf8_above_10ffff", "/ws", b"\x81\x84" + K0 + b"\xf4\x90\x80\x80", CLOSE_1007, CLOSED),
    ("utf8_lead_f5", "/ws", b"\x81\x84" + K0 + b"\xf5\x80\x80\x80", CLOSE_1007, CLOSED),
    ("utf8_lone_continuation_byte", "/ws", b"\x81\x83" + K0 + b"a\x80b", CLOSE_1007, CLOSED),
    ("utf8_truncated_at_frame_end", "/ws", b"\x81\x84" + K0 + b"ok\xe2\x82", CLOSE_1007, CLOSED),
    ("utf8_max_code_point_valid", "/ws", b"\x81\x84" + K0 + b"\xf4\x8f\xbf\xbf", b"\x81\x04\xf4\x8f\xbf\xbf", OPEN),
    ("utf8_split_valid", "/ws", b"\x01\x82" + K0 + b"\xe2\x82" + b"\x80\x81" + K0 + b"\xac",
     b"\x01\x02\xe2\x82" + b"\x80\x01\xac", OPEN),
    ("utf8_split_three_fragments_valid", "/ws", b"\x01\x81" + K0 + b"\xf0" + b"\x00\x82" + K0 + b"\x9f\x98"
     + b"\x80\x81" + K0 + b"\x80", b"\x01\x01\xf0" + b"\x00\x02\x9f\x98" + b"\x80\x01\x80", OPEN),
    ("utf8_split_invalid", "/ws", b"\x01\x82" + K0 + b"\xe2\x82" + b"\x80\x81" + K0 + b"A",
     b"\x01\x02\xe2\x82" + CLOSE_1007, CLOSED),
    ("utf8_truncated_at_message_end", "/ws", b"\x01\x82" + K0 + b"a\xe2" + b"\x80\x80" + K0,
     b"\x01\x02a\xe2" + CLOSE_1007, CLOSED),
    ("utf8_invalid_in_first_fragment", "/ws", b"\x01\x82" + K0 + b"a\xff", CLOSE_1007, CLOSED),
    ("msg_utf8_split_invalid", "/ws_msg", b"\x01\x82" + K0 + b"\xe2\x82" + b"\x80\x81" + K0 + b"A", CLOSE_1007,
     CLOSED),
    ("binary_not_utf8_checked", "/ws", b"\x82\x82" + K0 + b"\xff\xfe", b"\x82\x02\xff\xfe", OPEN),
    # ---- CLOSE frames (5.5.1, 7.4) --------------------------------------------------------
    ("close_empty", "/ws", b"\x88\x80" + K0, b"\x88\x00", CLOSED),
    ("close_1_byte_payload", "/ws", b"\x88\x81" + K0 + b"\x03", CLOSE_1002, CLOSED),
] + [
    ("close_code_%d" % code, "/ws", bad_close(code), CLOSE_1002, CLOSED)
    for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000)
] + [
    ("close_code_1000", "/ws", bad_close(1000), CLOSE_1000, CLOSED),
    ("close_code_3000", "/ws", bad_close(3000), b"\x88\x02\x0b\xb8", CLOSED),
    ("close_code_4999", "/ws", bad_close(4999), b"\x88\x02\x13\x87", CLOSED),
    ("close_reason_valid_utf8", "/ws", b"\x88\x88" + K0 + b"\x03\xe8bye \xc3\xa9", CLOSE_1000, CLOSED),
    ("close_reason_invalid_utf8", "/ws", b"\x88\x85" + K0 + b"\x03\xe8by\xff", CLOSE_1007, CLOSED),
    ("close_reason_surrogate", "/ws", b"\x88\x85" + K0 + b"\x03\xe8\xed\xa0\x80", CLOSE_1007, CLOSED),
    ("data_after_close_ignored", "/ws", bad_close(1000) + b"\x81\x81" + K0 + b"x", CLOSE_1000, CLOSED),
    ("close_inside_message", "/ws", b"\x01\x81" + K0 + b"a" + bad_close(1001), b"\x01\x01a" + b"\x88\x02\x03\xe9",
     CLOSED),
    # ---- payload length encodings (5.2) --------------------------------------------------
    ("len64_top_bit_set", "/ws", b"\x82\xff\x80\x00\x00\x00\x00\x00\x00\x05" + K0 + b"hello", CLOSE_1002, CLOSED),
    ("len64_all_ones", "/ws", b"\x82\xff\xff\xff\xff\xff\xff\xff\xff\xff" + K0, CLOSE_1002, CLOSED),
    ("len16_non_minimal_5", "/ws", b"\x82\xfe\x00\x05" + K0 + b"hello", CLOSE_1002, CLOSED),
    ("len16_non_minimal_125", "/ws", b"\x82\xfe\x00\x7d" + K0 + b"b" * 125, CLOSE_1002, CLOSED),
    ("len64_non_minimal_5", "/ws", b"\x82\xff\x00\x00\x00\x00\x00\x00\x00\x05" + K0 + b"hello", CLOSE_1002, CLOSED),
    ("len64_non_minimal_65535", "/ws", b"\x82\xff\x00\x00\x00\x00\x00\x00\xff\xff" + K0 + b"b" * 65535,
     CLOSE_1002, CLOSED),
    ("len16_minimal_126", "/ws", b"\x82\xfe\x00\x7e" + K0 + b"b" * 126, b"\x82\x7e\x00\x7e" + b"b" * 126, OPEN),
    ("len64_minimal_65536", "/ws", b"\x82\xff\x00\x00\x00\x00\x00\x01\x00\x00" + K0 + b"b" * 65536,
     b"\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00" + b"b" * 65536, OPEN),
    ("len_over_max_payload", "/ws", b"\x82\xff\x00\x00\x00\x00\x01\x00\x00\x01" + K0, CLOSE_1009, CLOSED),
    # ---- zero-length frames ------------------------------------------------------------
    ("zero_length_text", "/ws", b"\x81\x80" + K0, b"\x81\x00", OPEN),
    ("zero_length_binary", "/ws", b"\x82\x80" + K0, b"\x82\x00", OPEN),
    ("zero_length_fragments", "/ws", b"\x01\x80" + K0 + b"\x00\x80" + K0 + b"\x80\x80" + K0,
     b"\x01\x00" + b"\x00\x00" + b"\x80\x00", OPEN),
    ("msg_zero_length_fragments", "/ws_msg", b"\x02\x80" + K0 + b"\x00\x80" + K0 + b"\x80\x80" + K0, b"\x82\x00", OPEN),
]

H = b"Host: 127.0.0.1\r\n"
UPG = b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
V13 = b"Sec-WebSocket-Version: 13\r\n"
KEYH = b"Sec-WebSocket-Key: " + KEY + b"\r\n"
NEED_13 = {"Sec-WebSocket-Version": "13"}

HANDSHAKES = [
    ("hs_missing_key", b"GET /ws HTTP/1.1\r\n" + H + UPG + V13 + b"\r\n", 400, None, CLOSED),
    ("hs_key_8_bytes", b"GET /ws HTTP/1.1\r\n" + H + UPG + b"Sec-WebSocket-Key: AAAAAAAAAAA=\r\n" + V13 + b"\r\n",
     400, None, CLOSED),
    ("hs_key_18_bytes", b"GET /ws HTTP/1.1\r\n" + H + UPG + b"Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAAA\r\n"
     + V13 + b"\r\n", 400, None, CLOSED),
    ("hs_key_empty", b"GET /ws HTTP/1.1\r\n" + H + UPG + b"Sec-WebSocket-Key:\r\n" + V13 + b"\r\n", 400, None, CLOSED),
    ("hs_two_keys", b"GET /ws HTTP/1.1\r\n" + H + UPG + KEYH + b"Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\n"
     + V13 + b"\r\n", 400, None, CLOSED),
    ("hs_version_12", b"GET /ws HTTP/1.1\r\n" + H + UPG + KEYH + b"Sec-WebSocket-Version: 12\r\n\r\n",
     (400, 426), NEED_13, CLOSED),
    ("hs_version_missing", b"GET /ws HTTP/1.1\r\n" + H + UPG + KEYH + b"\r\n", (400, 426), NEED_13, CLOSED),
    ("hs_version_not_a_number", b"GET /ws HTTP/1.1\r\n" + H + UPG + KEYH + b"Sec-WebSocket-Version: x13\r\n\r\n",
     (400, 426), NEED_13, CLOSED),
    ("hs_upgrade_not_websocket", b"GET /ws HTTP/1.1\r\n" + H + b"Upgrade: websocketx\r\nConnection: Upgrade\r\n"
     + KEYH + V13 + b"\r\n", 400, None, CLOSED),
    # Without "Upgrade: websocket" + "Connection: Upgrade" there is no handshake: /ws also
    # serves plain GETs ("plain http /ws\n", the connection kept)
    ("hs_no_upgrade_header", b"GET /ws HTTP/1.1\r\n" + H + b"Connection: Upgrade\r\n" + KEYH + V13 + b"\r\n",
     200, None, KEEP),
    ("hs_no_connection_upgrade", b"GET /ws HTTP/1.1\r\n" + H + b"Upgrade: websocket\r\nConnection: keep-alive\r\n"
     + KEYH + V13 + b"\r\n", 200, None, KEEP),
    ("hs_post", b"POST /ws HTTP/1.1\r\n" + H + UPG + KEYH + V13 + b"Content-Length: 0\r\n\r\n", (400, 405), None,
     CLOSED),
    ("hs_http10", b"GET /ws HTTP/1.0\r\n" + H + UPG + KEYH + V13 + b"\r\n", 400, None, CLOSED),
]

# id -> what the server does instead of the RFC expectation.
XFAIL = {
    "hs_two_keys": "101 Switching Protocols, answering the first key (RFC 6455 11.3.1: the field MUST NOT "
                   "appear more than once; 4.2.1: its value must decode to 16 bytes)",
}


# ---- server ---------------------------------------------------------------------------

FINAL_RE = re.compile(r"FINAL async_queued=(\d+) async_cb=(\d+) push_threads=(\d+) push_joined=(\d+)")


def _final_problems(fw):
    f = final_line(fw.stdout_final, FINAL_RE, ("queued", "cb", "threads", "joined"))
    if f is None:
        return ["ws_server printed no FINAL line; stdout:\n" + fw.stdout_final[-2000:]]
    return [] if f["queued"] == f["cb"] and f["threads"] == f["joined"] else ["FINAL %r" % (f,)]


@pytest.fixture(scope="module")
def ws_module():
    srv = Firmware("ws_server", (), check=_final_problems).start()
    yield srv
    srv.assert_clean_exit()


@pytest.fixture
def wsrv(ws_module):
    assert ws_module.alive(), "ws_server died before this test:\n" + ws_module.stderr_text()[-3000:]
    yield ws_module
    assert ws_module.alive(), "ws_server died during this test:\n" + ws_module.stderr_text()[-6000:]


# ---- tests ----------------------------------------------------------------------------

@pytest.mark.parametrize("path,sent,expected,after", params(FRAMES, XFAIL, 4))
def test_ws_vector(wsrv, path, sent, expected, after):
    with wsrv.conn(timeout=IO) as c:
        c.send(upgrade(path.encode()))
        assert c.read_until(b"\r\n\r\n", timeout=IO) == SWITCHING
        safe_send(c, sent)
        try:
            got = c.read_exact(len(expected), timeout=IO)
        except Exception as e:   # PeerClosed or a time-out: show what did arrive
            raise AssertionError("expected %r, got %r (%s)" % (expected[:200], bytes(c.buf[:200]), e))
        assert got == expected, "expected %r, got %r" % (expected[:200], got[:200])
        if after == CLOSED:
            rest = read_all(c)
            assert rest == b"", "bytes after the expected frames: %r" % (rest[:200],)
        else:
            c.send(b"\x81\x82" + K0 + b"ok")
            assert c.read_exact(4, timeout=IO) == b"\x81\x02ok"


@pytest.mark.parametrize("request_bytes,status,headers,after", params(HANDSHAKES, XFAIL, 4))
def test_ws_handshake_vector(wsrv, request_bytes, status, headers, after):
    statuses = status if isinstance(status, tuple) else (status,)
    with wsrv.conn(timeout=IO) as c:
        safe_send(c, request_bytes)
        r = c.read_response(timeout=IO)
        assert r.status in statuses, "status %d, expected %s: %r" % (r.status, statuses, r.raw)
        for name, value in (headers or {}).items():
            assert r.header(name) == value, "%s: %r, expected %r in %r" % (name, r.header(name), value, r.raw)
        if after == CLOSED:
            assert "close" in (r.header("Connection") or "").lower(), r.raw
            assert read_all(c) == b""
        else:
            assert r.body == b"plain http /ws\n", r.raw
            c.send(upgrade())
            assert c.read_until(b"\r\n\r\n", timeout=IO) == SWITCHING
            c.send(b"\x81\x82" + K0 + b"ok")
            assert c.read_exact(4, timeout=IO) == b"\x81\x02ok"


def test_table_sizes():
    assert not unknown_ids(XFAIL, FRAMES, HANDSHAKES)
    assert len(FRAMES) >= 45
    assert len(HANDSHAKES) >= 5
