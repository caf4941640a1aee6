# SPDX-License-Identifier: Apache-2.0
"""The add-on examples (examples/addons/<name>/main.c, the programs of docs/addons/)
run as their pages say: each starts on a free port (env PORT), answers the request
its page shows, and exits 0 on SIGTERM with no sanitizer report.

Binaries: $HTTPD_BUILD_DIR/example_addon_<name>. The modules themselves are
tested in depth by the other test_addon_*.py files; this checks the examples.
"""
import base64
import hashlib
import json
import os
import socket

import pytest

from conftest import HOST, Firmware, said_and_accepting, get_req, body_req

TIMEOUT = 10.0


def ask(fw, data):
    """One request on a fresh connection: the response."""
    with fw.conn(timeout=TIMEOUT) as c:
        return c.request(data)


def start(firmware, name, env=None, args=()):
    binary = f"example_addon_{name}"
    from conftest import BUILD_DIR
    if not (BUILD_DIR / binary).exists():
        pytest.skip(f"{binary} not built (its module needs an optional dependency)")
    # each example prints a "serving ..." line once its handlers are registered
    return firmware(Firmware(binary, args=args, port_arg=False, env=env or {},
                             ready=said_and_accepting("serving"), ready_timeout=TIMEOUT))


def test_static_serves_its_table_and_folder(firmware, tmp_path):
    (tmp_path / "hello.txt").write_text("hello from the folder\n")
    fw = start(firmware, "static", args=(str(tmp_path),))
    r = fw.get("/hello.txt")
    assert r.status == 200 and r.body == b"hello from the folder\n"
    assert r.header("Content-Type").startswith("text/plain")
    etag = r.header("ETag")
    assert fw.get("/hello.txt", [("If-None-Match", etag)]).status == 304
    r = fw.get("/app/")
    assert r.status == 200 and r.header("Content-Type").startswith("text/html")


def test_forms_settings_and_search(firmware):
    fw = start(firmware, "forms")
    r = ask(fw, body_req("POST", "/settings", b"name=Kitchen+Lamp&brightness=40",
                            [("Content-Type", "application/x-www-form-urlencoded")]))
    assert r.status == 200 and b"saved name=Kitchen Lamp brightness=40" in r.body
    r = fw.get("/search?q=red%20led&page=2")
    assert r.status == 200 and b"red led" in r.body and b"2" in r.body


def test_multipart_counts_an_upload(firmware, tmp_path):
    fw = start(firmware, "multipart", env={"UPLOAD_DIR": str(tmp_path)})
    data = os.urandom(50000)
    b = "XyZbOuNdArY"
    body = (f"--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"blob.bin\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{b}--\r\n".encode()
    r = ask(fw, body_req("POST", "/upload", body, [("Content-Type", f"multipart/form-data; boundary={b}")]))
    assert r.status == 200, r
    assert (tmp_path / "blob.bin").read_bytes() == data


def test_path_parameters(firmware):
    fw = start(firmware, "path")
    assert fw.get("/api/leds").status == 200
    r = ask(fw, body_req("PUT", "/api/leds/2/1", b""))
    assert r.status == 200, r
    r = fw.get("/api/leds/2")
    assert r.status == 200 and r.body.strip() == b"1"
    assert fw.get("/api/leds/99").status == 404
    r = fw.get("/doc/a/b")
    assert r.status == 200 and b"a/b" in r.body


def test_auth_basic_and_refusal(firmware):
    fw = start(firmware, "auth")
    assert fw.get("/").status == 200
    r = fw.get("/private")
    assert r.status == 401 and r.header("WWW-Authenticate")
    cred = base64.b64encode(b"admin:change-me").decode()
    assert fw.get("/private", [("Authorization", "Basic " + cred)]).status == 200
    bad = base64.b64encode(b"admin:wrong").decode()
    assert fw.get("/private", [("Authorization", "Basic " + bad)]).status == 401


def test_cors_preflight_and_simple_request(firmware):
    fw = start(firmware, "cors")
    origin = "http://localhost:3000"
    r = fw.get("/api/status", [("Origin", origin)])
    assert r.status == 200 and r.header("Access-Control-Allow-Origin") == origin
    r = ask(fw, get_req("/api/status", [("Origin", origin), ("Access-Control-Request-Method", "PUT"),
                                           ("Access-Control-Request-Headers", "content-type, authorization")],
                           method="OPTIONS"))
    assert r.status == 204 and "PUT" in r.header("Access-Control-Allow-Methods")


def test_json_settings(firmware):
    fw = start(firmware, "json")
    r = fw.get("/api/settings")
    assert r.status == 200 and r.header("Content-Type").startswith("application/json")
    json.loads(r.body)
    r = ask(fw, body_req("PUT", "/api/settings", b'{"name": "kitchen", "level": 40}',
                            [("Content-Type", "application/json")]))
    assert r.status == 200, r
    got = json.loads(fw.get("/api/settings").body)
    assert got.get("name") == "kitchen" and got.get("level") == 40
    r = ask(fw, body_req("PUT", "/api/settings", b'{"name": ', [("Content-Type", "application/json")]))
    assert r.status == 400


def test_sse_page_and_event_stream(firmware):
    fw = start(firmware, "sse")
    assert fw.get("/").status == 200
    with socket.create_connection((HOST, fw.port), timeout=TIMEOUT) as s:
        s.sendall(get_req("/events"))
        buf = b""
        while b"\n\n" not in buf.partition(b"\r\n\r\n")[2]:
            chunk = s.recv(4096)
            assert chunk, "stream ended: %r" % buf
            buf += chunk
        head = buf.partition(b"\r\n\r\n")[0]
        assert b"text/event-stream" in head
        assert b"data:" in buf.partition(b"\r\n\r\n")[2]


def test_ws_broadcast_chat_room(firmware):
    import asyncio
    import websockets
    fw = start(firmware, "ws_broadcast")
    url = f"ws://{HOST}:{fw.port}/chat"

    async def run():
        async with websockets.connect(url, open_timeout=TIMEOUT) as a, \
                websockets.connect(url, open_timeout=TIMEOUT) as b:
            # a client joins the room with its first message, which the room
            # (itself included) receives
            await a.send("a joins")
            assert await asyncio.wait_for(a.recv(), TIMEOUT) == "a joins"
            await b.send("b joins")
            assert await asyncio.wait_for(a.recv(), TIMEOUT) == "b joins"
            assert await asyncio.wait_for(b.recv(), TIMEOUT) == "b joins"
            await a.send("hello room")
            assert await asyncio.wait_for(b.recv(), TIMEOUT) == "hello room"
    asyncio.run(run())
    assert fw.get("/clients").status == 200


def test_every_addon_example_is_tested():
    here = open(__file__).read()
    root = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "addons")
    for name in sorted(os.listdir(root)):
        assert f'start(firmware, "{name}"' in here, f"examples/addons/{name} has no test here"
