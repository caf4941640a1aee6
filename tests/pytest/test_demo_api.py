# SPDX-License-Identifier: Apache-2.0
"""Black-box tests of the demo device's firmware (examples/demo/, what `make run` serves).

Every route of the dashboard contract (examples/demo/README.md): status, LED and relay,
settings, the Server-Sent Events stream, the storage folder (upload, list, download,
delete), the Digest login of DEMO_PASSWORD, HTTPS on PORT_TLS, the built-in assets and
the API tour kept at its old paths.

example_demo runs with PORT (and PORT_TLS, TLS_CERT, TLS_KEY, DEMO_STORAGE,
DEMO_PASSWORD, DEMO_MAX_UPLOAD) from the environment, its storage in a temporary
folder; it is ready once it printed "Serving on" and accepts connections. Teardown stops
it with SIGTERM and checks exit code 0 and a stderr free of sanitizer reports.
Python standard library + pytest only.
"""
import base64
import hashlib
import http.client
import json
import os
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
import time

import pytest

from conftest import BUILD_DIR, HOST, Conn, Firmware, accepts_connections
from test_addon_auth import digest_challenge, digest_header, parse_challenge

EXE = BUILD_DIR / "example_demo"
pytestmark = pytest.mark.skipif(not EXE.exists(), reason="example_demo is not built (it needs libcjson-dev)")

TIMEOUT = 10.0          # every socket operation
MiB = 1024 * 1024


class Demo(Firmware):
    """example_demo with its storage in a temporary folder (self.storage)."""

    def __init__(self, env=None):
        self._dir = tempfile.TemporaryDirectory(prefix="demo-test-")
        self.storage = os.path.join(self._dir.name, "storage")   # created by the demo
        full = {"DEMO_STORAGE": self.storage}
        full.update(env or {})
        super().__init__("example_demo", port_arg=False, env=full, ready_timeout=15.0, stop_timeout=15.0,
                         ready=lambda fw: "Serving on" in fw.stdout_text() and accepts_connections(fw))

    def stop(self, *args, **kwargs):
        rc = super().stop(*args, **kwargs)
        self._dir.cleanup()
        return rc

    def stored(self, settle=1.0):
        """Every entry of the storage folder, hidden ones too. An add-on that refuses a
        body answers before the handler removes the partial file, so a listing that
        still holds a temporary ".upload-*" file is taken again, for up to settle s."""
        deadline = time.monotonic() + settle
        while True:
            names = sorted(os.listdir(self.storage))
            if not any(n.startswith(".upload-") for n in names) or time.monotonic() > deadline:
                return names
            time.sleep(0.02)


@pytest.fixture(scope="module")
def shared():
    fw = Demo().start()
    yield fw
    fw.assert_clean_exit()


@pytest.fixture
def demo(shared):
    """The module's demo, its storage emptied and its settings and outputs reset after the test."""
    yield shared
    assert shared.alive(), "example_demo died:\n" + shared.stderr_text()[-4000:]
    for name in os.listdir(shared.storage):
        os.unlink(os.path.join(shared.storage, name))
    request(shared, "POST", "/api/v1/settings", "name=demo-device&interval_ms=1000&unit=C", FORM)
    for out in ("led", "relay"):
        request(shared, "POST", "/api/v1/" + out, json.dumps({"on": False}), JSON)


@pytest.fixture
def start_demo(firmware):
    """start(**env) -> a demo of this test only, with extra environment variables."""
    return lambda **env: firmware(Demo({k: str(v) for k, v in env.items()}))


# ---- clients ----------------------------------------------------------------------

JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def request(fw, method, path, body=None, headers=None):
    """One request on a new connection -> (status, headers as a dict, body bytes)."""
    c = http.client.HTTPConnection(HOST, fw.port, timeout=TIMEOUT)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


def get_json(fw, path):
    status, hdrs, body = request(fw, "GET", path)
    assert status == 200, (path, status, body)
    assert hdrs["content-type"].startswith("application/json"), hdrs
    return json.loads(body)


def error_of(body):
    """The text of an {"error": "..."} body."""
    doc = json.loads(body)
    assert set(doc) == {"error"} and isinstance(doc["error"], str), doc
    return doc["error"]


def multipart(parts, boundary="demo-test-boundary-7MA4YWxk"):
    """(body, content type) of multipart/form-data; parts: (name, filename or None, bytes)."""
    out = b""
    for name, filename, data in parts:
        disp = 'form-data; name="%s"' % name + ('; filename="%s"' % filename if filename is not None else "")
        out += b"--%s\r\nContent-Disposition: %s\r\n" % (boundary.encode(), disp.encode())
        if filename is not None:
            out += b"Content-Type: application/octet-stream\r\n"
        out += b"\r\n" + data + b"\r\n"
    out += b"--%s--\r\n" % boundary.encode()
    return out, "multipart/form-data; boundary=" + boundary


def upload(fw, filename, data, field="file"):
    body, ctype = multipart([("note", None, b"from the test"), (field, filename, data)])
    return request(fw, "POST", "/api/v1/files", body, {"Content-Type": ctype})


# ---- status, LED, relay ------------------------------------------------------------

def test_status_fields(demo):
    s = get_json(demo, "/api/v1/status")
    assert set(s) == {"name", "uptime_s", "sensors", "led", "relay", "storage"}, s
    assert s["name"] == "demo-device"
    assert isinstance(s["uptime_s"], int) and 0 <= s["uptime_s"] < 3600
    sensors = s["sensors"]
    assert set(sensors) == {"temperature", "humidity", "light"}
    assert 10 <= sensors["temperature"] <= 35, sensors        # Celsius by default
    assert 0 <= sensors["humidity"] <= 100, sensors
    assert isinstance(sensors["light"], int) and 0 <= sensors["light"] <= 1000, sensors
    assert s["led"] is False and s["relay"] is False
    assert s["storage"]["used"] == 0 and s["storage"]["total"] > 0


@pytest.mark.parametrize("out", ["led", "relay"])
def test_output_round_trip(demo, out):
    for on in (True, False, True):
        status, hdrs, body = request(demo, "POST", "/api/v1/" + out, json.dumps({"on": on}), JSON)
        assert status == 200, body
        assert hdrs["content-type"].startswith("application/json")
        assert json.loads(body) == {out: on}
        assert get_json(demo, "/api/v1/status")[out] is on
    other = "relay" if out == "led" else "led"
    assert get_json(demo, "/api/v1/status")[other] is False


@pytest.mark.parametrize("body", ['{"on": 1}', '{"on": "true"}', '{"off": true}', '[true]', 'not json', '{"on": tru'])
def test_output_bad_body_400(demo, body):
    status, _, resp = request(demo, "POST", "/api/v1/led", body, JSON)
    assert status == 400, resp
    assert error_of(resp)
    assert get_json(demo, "/api/v1/status")["led"] is False


def test_output_other_type_415(demo):
    status, _, resp = request(demo, "POST", "/api/v1/relay", '{"on": true}', {"Content-Type": "text/plain"})
    assert status == 415, resp
    assert get_json(demo, "/api/v1/status")["relay"] is False


# ---- settings ----------------------------------------------------------------------

def test_settings_default_and_save(demo):
    assert get_json(demo, "/api/v1/settings") == {"name": "demo-device", "interval_ms": 1000, "unit": "C"}
    status, hdrs, body = request(demo, "POST", "/api/v1/settings", "name=Lab+sensor+%231&interval_ms=500&unit=F", FORM)
    assert status == 200, body
    want = {"name": "Lab sensor #1", "interval_ms": 500, "unit": "F"}
    assert json.loads(body) == want
    assert get_json(demo, "/api/v1/settings") == want
    status = get_json(demo, "/api/v1/status")
    assert status["name"] == "Lab sensor #1"
    assert 50 <= status["sensors"]["temperature"] <= 95        # now in Fahrenheit
    # A field left out keeps its value.
    status, _, body = request(demo, "POST", "/api/v1/settings", "unit=C", FORM)
    assert status == 200 and json.loads(body) == dict(want, unit="C")


@pytest.mark.parametrize("form, field", [
    ("name=", "name"),
    ("name=" + "x" * 33, "name"),
    ("name=tab%09here", "name"),
    ("name=%C3%A9t%C3%A9", "name"),
    ("name=bad%zz", "name"),
    ("interval_ms=199", "interval_ms"),
    ("interval_ms=10001", "interval_ms"),
    ("interval_ms=fast", "interval_ms"),
    ("interval_ms=", "interval_ms"),
    ("unit=K", "unit"),
    ("unit=c", "unit"),
    ("name=ok&interval_ms=500&unit=X", "unit"),
])
def test_settings_invalid_400_names_field(demo, form, field):
    status, hdrs, body = request(demo, "POST", "/api/v1/settings", form, FORM)
    assert status == 400, body
    assert hdrs["content-type"].startswith("application/json")
    assert error_of(body).startswith(field + ":"), body
    # Nothing was saved, not even the valid fields of the form.
    assert get_json(demo, "/api/v1/settings") == {"name": "demo-device", "interval_ms": 1000, "unit": "C"}


def test_settings_limits_accepted(demo):
    for form, want in (("interval_ms=200", 200), ("interval_ms=10000", 10000)):
        status, _, body = request(demo, "POST", "/api/v1/settings", form, FORM)
        assert status == 200 and json.loads(body)["interval_ms"] == want
    status, _, body = request(demo, "POST", "/api/v1/settings", "name=" + "n" * 32, FORM)
    assert status == 200 and json.loads(body)["name"] == "n" * 32


def test_settings_json_body_415(demo):
    status, _, _ = request(demo, "POST", "/api/v1/settings", '{"unit": "F"}', JSON)
    assert status == 415
    assert get_json(demo, "/api/v1/settings")["unit"] == "C"


# ---- Server-Sent Events ------------------------------------------------------------

class EventStream:
    """A raw GET /api/v1/events: the response head, then events parsed one by one."""

    def __init__(self, fw):
        self.conn = Conn(port=fw.port, timeout=TIMEOUT)
        self.conn.send(b"GET /api/v1/events HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n" % HOST.encode())
        head = self.conn.read_until(b"\r\n\r\n").decode("latin-1")
        assert head.startswith("HTTP/1.1 200 "), head
        assert "content-type: text/event-stream" in head.lower(), head

    def next(self, timeout=5.0):
        """(event, data as JSON, arrival time) of the next event (comments and retry skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, "no event within %ss" % timeout
            block = self.conn.read_until(b"\n\n", timeout=left)
            fields = {}
            for line in block.decode().split("\n"):
                if line and not line.startswith(":"):
                    k, _, v = line.partition(":")
                    fields[k] = v[1:] if v.startswith(" ") else v
            if "data" in fields:
                return fields.get("event", "message"), json.loads(fields["data"]), time.monotonic()

    def wait(self, name, count=1, timeout=5.0):
        """The next count events named name, as [(data, arrival time)], within timeout s
        (other events are skipped)."""
        deadline = time.monotonic() + timeout
        got = []
        while len(got) < count:
            left = deadline - time.monotonic()
            assert left > 0, "%d %r events of %d within %ss" % (len(got), name, count, timeout)
            event, data, at = self.next(timeout=left)
            if event == name:
                got.append((data, at))
        return got

    def close(self):
        self.conn.close()


def check_sample(d):
    assert set(d) == {"t", "temperature", "humidity", "light", "led", "relay"}, d
    assert isinstance(d["t"], int) and isinstance(d["light"], int)
    assert isinstance(d["led"], bool) and isinstance(d["relay"], bool)


def test_events_samples_at_interval(demo):
    status, _, _ = request(demo, "POST", "/api/v1/settings", "interval_ms=250", FORM)
    assert status == 200
    es = EventStream(demo)
    try:
        event, first, _ = es.next()
        assert event == "state"              # the current state, at once
        check_sample(first)
        samples = [(d["t"], at) for d, at in es.wait("sample", 6, timeout=5.0)]
        for d, _ in es.wait("sample", 1):
            check_sample(d)
        device_gaps = [b[0] - a[0] for a, b in zip(samples, samples[1:])]
        wall = samples[-1][1] - samples[0][1]
        assert all(200 <= g <= 600 for g in device_gaps), device_gaps
        assert 0.9 <= wall <= 3.0, wall      # 5 intervals of 250 ms
        # A slower interval applies at once.
        assert request(demo, "POST", "/api/v1/settings", "interval_ms=1000", FORM)[0] == 200
        ts = [d["t"] for d, _ in es.wait("sample", 3, timeout=5.0)]
        assert 900 <= ts[2] - ts[1] <= 1500, ts
    finally:
        es.close()


def test_events_state_on_change(demo):
    es = EventStream(demo)
    try:
        assert es.next()[0] == "state"
        for path, key in (("/api/v1/led", "led"), ("/api/v1/relay", "relay")):
            t0 = time.monotonic()
            assert request(demo, "POST", path, '{"on": true}', JSON)[0] == 200
            [(d, at)] = es.wait("state", timeout=3.0)
            assert d[key] is True, d
            assert at - t0 < 0.5, "the state event waited for the next sample"
        # Setting the same value again is no change: no state event.
        assert request(demo, "POST", "/api/v1/led", '{"on": true}', JSON)[0] == 200
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline - 0.05:
            try:
                event, _, _ = es.next(timeout=deadline - time.monotonic())
            except (AssertionError, OSError):
                break                        # no more events in the window
            assert event == "sample"
    finally:
        es.close()


# ---- storage -------------------------------------------------------------------------

@pytest.mark.parametrize("size", [1 * MiB, 5 * MiB])
def test_upload_download_round_trip(demo, size):
    data = os.urandom(size)
    status, hdrs, body = upload(demo, "blob.bin", data)
    assert status == 201, body
    assert json.loads(body) == {"name": "blob.bin", "size": size}
    status, hdrs, got = request(demo, "GET", "/files/blob.bin")
    assert status == 200
    assert got == data
    assert hdrs.get("etag")
    # Range and conditional requests come from httpd_static.
    status, _, part = request(demo, "GET", "/files/blob.bin", headers={"Range": "bytes=100-199"})
    assert status == 206 and part == data[100:200]
    status, _, _ = request(demo, "GET", "/files/blob.bin", headers={"If-None-Match": hdrs["etag"]})
    assert status == 304
    assert demo.stored() == ["blob.bin"]      # no temporary file left


def test_upload_replaces_and_lists_sorted(demo):
    for name, data in (("b.bin", b"bb"), ("a.txt", b"a"), ("C-3_x.dat", b"ccc"), ("b.bin", b"new b")):
        assert upload(demo, name, data)[0] == 201
    doc = get_json(demo, "/api/v1/files")
    assert set(doc) == {"files", "used", "total", "max_upload"}
    names = [f["name"] for f in doc["files"]]
    assert names == sorted(names) == ["C-3_x.dat", "a.txt", "b.bin"]
    sizes = {f["name"]: f["size"] for f in doc["files"]}
    assert sizes == {"C-3_x.dat": 3, "a.txt": 1, "b.bin": 5}
    now = time.time()
    assert all(abs(f["mtime"] - now) < 120 for f in doc["files"])
    assert doc["used"] == 9 and doc["total"] >= 9
    assert doc["max_upload"] == 16 * MiB
    assert get_json(demo, "/api/v1/status")["storage"]["used"] == 9
    assert request(demo, "GET", "/files/b.bin")[2] == b"new b"


@pytest.mark.parametrize("filename, stored", [
    ("report 2024.pdf", "report_2024.pdf"),
    ("../../etc/passwd", "passwd"),
    (".bashrc", "bashrc"),
    ("\u00e9t\u00e9.txt", "__t__.txt"),          # each UTF-8 byte becomes '_'
    ("x" * 80 + ".bin", "x" * 64),
])
def test_upload_name_reduced(demo, filename, stored):
    status, _, body = upload(demo, filename, b"data")
    assert status == 201, body
    assert json.loads(body)["name"] == stored
    assert demo.stored() == [stored]


def test_upload_too_large_413(start_demo):
    fw = start_demo(DEMO_MAX_UPLOAD=100000)
    assert get_json(fw, "/api/v1/files")["max_upload"] == 100000
    # Announced by Content-Length: refused before the body is read.
    status, _, body = upload(fw, "big.bin", os.urandom(150000))
    assert status == 413 and error_of(body) == "file too large"
    # Chunked (no Content-Length): refused while streaming, the partial file removed.
    data, ctype = multipart([("file", "big.bin", os.urandom(300000))])
    c = Conn(port=fw.port, timeout=TIMEOUT)
    try:
        c.send(("POST /api/v1/files HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n\r\n"
                % (HOST, ctype)).encode())
        try:
            for i in range(0, len(data), 16384):
                piece = data[i:i + 16384]
                c.send(b"%x\r\n%s\r\n" % (len(piece), piece))
            c.send(b"0\r\n\r\n")
        except OSError:
            pass                              # the server may close before all is sent
        r = c.read_response()
        assert r.status == 413, r
        assert error_of(r.body) == "file too large"
    finally:
        c.close()
    assert fw.stored() == []
    # Just under the limit is fine.
    status, _, body = upload(fw, "fits.bin", os.urandom(90000))
    assert status == 201, body
    assert fw.stored() == ["fits.bin"]


@pytest.mark.parametrize("body, ctype, want", [
    (b"--zz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\ndata",   # no closing boundary
     "multipart/form-data; boundary=zz", 400),
    (b"garbage", "multipart/form-data; boundary=zz", 400),
    (b"--zz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nx\r\n--zz--\r\n",
     "multipart/form-data", 400),                                          # no boundary parameter
    (multipart([("note", None, b"no file here")])[0], multipart([])[1], 400),   # no part named "file"
    (multipart([("file", None, b"a field, not a file")])[0], multipart([])[1], 400),
    (multipart([("file", "...", b"no name left")])[0], multipart([])[1], 400),
    (b"name=x", "application/x-www-form-urlencoded", 415),
])
def test_upload_malformed(demo, body, ctype, want):
    status, _, resp = request(demo, "POST", "/api/v1/files", body, {"Content-Type": ctype})
    assert status == want, resp
    assert demo.stored() == []


def test_delete(demo):
    assert upload(demo, "gone.txt", b"bye")[0] == 201
    status, _, body = request(demo, "DELETE", "/api/v1/files/gone.txt")
    assert status == 204 and body == b""
    assert demo.stored() == []
    status, _, body = request(demo, "DELETE", "/api/v1/files/gone.txt")
    assert status == 404 and error_of(body)
    assert request(demo, "GET", "/files/gone.txt")[0] == 404


@pytest.mark.parametrize("name", ["..%2Foutside.txt", "..%2F..%2Fetc%2Fpasswd", ".hidden", "a%00b", "%2e%2e",
                                  "a%2Fb", "bad%zz", "with%20space", "x" * 65])
def test_bad_names_refused(demo, name):
    outside = os.path.join(os.path.dirname(demo.storage), "outside.txt")
    with open(outside, "w") as f:
        f.write("keep me")
    with open(os.path.join(demo.storage, ".hidden"), "w") as f:
        f.write("hidden")
    try:
        for method, path in (("DELETE", "/api/v1/files/"), ("GET", "/files/")):
            status, _, body = request(demo, method, path + name)
            assert status == 400, (method, name, body)
            assert "bad file name" in error_of(body)
        assert os.path.exists(outside)
        assert demo.stored() == [".hidden"]
        assert get_json(demo, "/api/v1/files")["files"] == []      # hidden files are not listed
    finally:
        os.unlink(outside)


# ---- assets and the API tour -------------------------------------------------------

@pytest.mark.parametrize("path, ctype", [
    ("/", "text/html"), ("/app.js", "text/javascript"), ("/app.css", "text/css"),
    ("/favicon.svg", "image/svg+xml"), ("/favicon.ico", "image/svg+xml"), ("/showcase/", "text/html"),
])
def test_assets(demo, path, ctype):
    status, hdrs, body = request(demo, "GET", path)
    assert status == 200, path
    assert hdrs["content-type"].split(";")[0] in (ctype, "application/javascript"), hdrs
    assert body and hdrs.get("etag")
    status, _, _ = request(demo, "GET", path, headers={"If-None-Match": hdrs["etag"]})
    assert status == 304


def test_assets_gzip_and_redirect(demo):
    status, hdrs, body = request(demo, "GET", "/", headers={"Accept-Encoding": "gzip"})
    assert status == 200 and hdrs.get("content-encoding") == "gzip"
    import gzip
    html = gzip.decompress(body).decode()
    assert 'id="showcase-link"' in html and "/showcase/" in html
    # No external resources.
    assert "http://" not in html and "https://" not in html.replace("https://www.w3.org", "")
    status, hdrs, _ = request(demo, "GET", "/showcase")
    assert status == 301 and hdrs["location"] == "/showcase/"
    assert request(demo, "GET", "/nothing-here")[0] == 404
    # The assets have routes of their own, not a catch-all: a known URL with another
    # method is still 405.
    assert request(demo, "GET", "/api/v1/led")[0] == 405
    assert request(demo, "GET", "/echo")[0] == 405
    assert request(demo, "POST", "/", b"x", {"Content-Type": "text/plain"})[0] == 405


def test_showcase_endpoints(demo):
    status, _, body = request(demo, "GET", "/hello")
    assert (status, body) == (200, b"Hello World!\n")
    payload = os.urandom(3000)
    status, _, body = request(demo, "POST", "/echo", payload, {"Content-Type": "application/octet-stream"})
    assert (status, body) == (200, payload)
    for path, needle in (("/headers", b"GET /headers"), ("/query?name=Ada", b"Hello, Ada!"),
                         ("/counter", b"on this connection: 1"), ("/stream", b"line 5 of 5"),
                         ("/cookie", b"demo_visits")):
        status, _, body = request(demo, "GET", path)
        assert status == 200 and needle in body, path
    assert request(demo, "GET", "/ws")[0] == 426


def ws_connect(fw, path, headers=()):
    """A raw WebSocket handshake -> (socket, status line, head)."""
    s = socket.create_connection((HOST, fw.port), timeout=TIMEOUT)
    key = base64.b64encode(os.urandom(16)).decode()
    extra = "".join("%s: %s\r\n" % kv for kv in headers)
    s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n%s\r\n" % (path, HOST, key, extra)).encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        data = s.recv(4096)
        if not data:
            break
        buf += data
    head = buf.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    return s, head.split("\r\n", 1)[0], head


def ws_echo_once(s, text):
    mask = os.urandom(4)
    data = text.encode()
    s.sendall(bytes([0x81, 0x80 | len(data)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))
    b0, b1 = s.recv(2)
    n = b1 & 0x7F
    got = b""
    while len(got) < n:
        data = s.recv(n - len(got))
        assert data, "closed mid-frame"
        got += data
    return b0 & 0x0F, got.decode()


def test_ws_echo(demo):
    s, status, _ = ws_connect(demo, "/ws")
    try:
        assert " 101 " in status, status
        assert ws_echo_once(s, "hello device") == (1, "hello device")
    finally:
        s.close()


# ---- Digest login ----------------------------------------------------------------------

PASSWORD = "s3cret pass"


def digest_request(fw, method, path, body=None, headers=None, password=PASSWORD):
    """A request answered 401 first, then again with a computed SHA-256 Digest response."""
    c = Conn(port=fw.port, timeout=TIMEOUT)
    try:
        head = "%s %s HTTP/1.1\r\nHost: %s\r\n" % (method, path, HOST)
        head += "".join("%s: %s\r\n" % kv for kv in (headers or {}).items())
        body = body or b""
        first = c.request((head + "Content-Length: %d\r\n\r\n" % len(body)).encode() + body)
        assert first.status == 401, first
        ch = digest_challenge(first)
        assert ch["realm"] == "demo" and ch["algorithm"] == "SHA-256" and ch["qop"] == "auth", ch
        auth = digest_header(ch, "admin", password, method, path)
        return c.request((head + "Authorization: %s\r\nContent-Length: %d\r\n\r\n" % (auth, len(body))).encode()
                         + body)
    finally:
        c.close()


def test_password_protects_every_route(start_demo):
    fw = start_demo(DEMO_PASSWORD=PASSWORD)
    for path in ("/", "/app.js", "/favicon.ico", "/showcase/", "/api/v1/status", "/api/v1/settings",
                 "/api/v1/files", "/files/x.bin", "/hello"):
        status, hdrs, _ = request(fw, "GET", path)
        assert status == 401, path
        assert hdrs["www-authenticate"].startswith("Digest "), hdrs
    for method, path in (("POST", "/api/v1/led"), ("POST", "/api/v1/files"), ("DELETE", "/api/v1/files/x.bin")):
        assert request(fw, method, path, b"{}", JSON)[0] == 401, path
    s, status, _ = ws_connect(fw, "/ws")
    s.close()
    assert " 401 " in status, status


def test_password_digest_login(start_demo):
    fw = start_demo(DEMO_PASSWORD=PASSWORD)
    r = digest_request(fw, "GET", "/api/v1/status")
    assert r.status == 200 and json.loads(r.body)["led"] is False
    r = digest_request(fw, "POST", "/api/v1/led", b'{"on": true}', JSON)
    assert r.status == 200 and json.loads(r.body) == {"led": True}
    r = digest_request(fw, "GET", "/")
    assert r.status == 200 and b"showcase-link" in r.body
    r = digest_request(fw, "GET", "/hello")
    assert (r.status, r.body) == (200, b"Hello World!\n")
    body, ctype = multipart([("file", "p.txt", b"protected")])
    r = digest_request(fw, "POST", "/api/v1/files", body, {"Content-Type": ctype})
    assert r.status == 201, r
    r = digest_request(fw, "GET", "/files/p.txt")
    assert (r.status, r.body) == (200, b"protected")
    # A wrong password is refused like none.
    c = Conn(port=fw.port, timeout=TIMEOUT)
    try:
        ch = digest_challenge(c.request(("GET /hello HTTP/1.1\r\nHost: %s\r\n\r\n" % HOST).encode()))
        auth = digest_header(ch, "admin", "wrong", "GET", "/hello")
        r = c.request(("GET /hello HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\n\r\n" % (HOST, auth)).encode())
        assert r.status == 401
    finally:
        c.close()
    # The WebSocket handshake takes the same login: 401 and a challenge, then 101.
    s, status, head = ws_connect(fw, "/ws")
    s.close()
    assert " 401 " in status, status
    challenges = [parse_challenge(line.split(":", 1)[1].strip()) for line in head.split("\r\n")
                  if line.lower().startswith("www-authenticate:")]
    ch = dict(challenges)["Digest"]
    s, status, _ = ws_connect(fw, "/ws", [("Authorization", digest_header(ch, "admin", PASSWORD, "GET", "/ws"))])
    try:
        assert " 101 " in status, status
        assert ws_echo_once(s, "logged in") == (1, "logged in")
    finally:
        s.close()


def test_password_protects_events(start_demo):
    fw = start_demo(DEMO_PASSWORD=PASSWORD)
    c = Conn(port=fw.port, timeout=TIMEOUT)
    try:
        c.send(("GET /api/v1/events HTTP/1.1\r\nHost: %s\r\n\r\n" % HOST).encode())
        status = c.read_line()
    finally:
        c.close()
    assert b" 401 " in status, status


def test_curl_digest(start_demo):
    curl = shutil.which("curl")
    if not curl:
        pytest.skip("no curl")
    fw = start_demo(DEMO_PASSWORD=PASSWORD)
    p = subprocess.run([curl, "-sS", "--digest", "-u", "admin:" + PASSWORD, "-w", "\n%{http_code}",
                        "http://%s:%d/api/v1/settings" % (HOST, fw.port)], capture_output=True, timeout=30)
    body, _, code = p.stdout.decode().rpartition("\n")
    assert code == "200", p
    assert json.loads(body)["interval_ms"] == 1000


# ---- HTTPS ---------------------------------------------------------------------------

def test_https(start_demo, tmp_path):
    if not (BUILD_DIR / "example_https_server").exists():
        pytest.skip("built without the HTTPS library")
    if not shutil.which("openssl"):
        pytest.skip("no openssl command line tool")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-days", "2", "-subj", "/CN=localhost", "-keyout", "key.pem", "-out", "cert.pem"],
                   cwd=tmp_path, check=True, capture_output=True, timeout=60)
    from conftest import free_port
    port_tls = free_port()
    fw = start_demo(PORT_TLS=port_tls, TLS_CERT=tmp_path / "cert.pem", TLS_KEY=tmp_path / "key.pem")
    deadline = time.monotonic() + 10
    while "Serving on https://" not in fw.stdout_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "Serving on https://127.0.0.1:%d/" % port_tls in fw.stdout_text(), fw.stderr_text()[-3000:]
    ctx = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
    ctx.check_hostname = False
    c = http.client.HTTPSConnection(HOST, port_tls, timeout=TIMEOUT, context=ctx)
    try:
        c.request("GET", "/api/v1/status")
        r = c.getresponse()
        assert r.status == 200 and json.loads(r.read())["name"] == "demo-device"
        c.request("POST", "/api/v1/relay", body='{"on": true}', headers=JSON)
        r = c.getresponse()
        assert r.status == 200 and json.loads(r.read()) == {"relay": True}
        c.request("GET", "/")
        r = c.getresponse()
        assert r.status == 200 and b"showcase-link" in r.read()
    finally:
        c.close()
    # Both servers drive the same device.
    assert get_json(fw, "/api/v1/status")["relay"] is True
