# SPDX-License-Identifier: Apache-2.0
"""The JSON add-on (httpd_json.h) against tests/server_addons/json_server.c:
echo of valid JSON, 400 on invalid or too deep JSON, 415 on a wrong type,
413 over the limit (Content-Length and chunked), statuses, and curl --json."""
import json
import shutil
import subprocess

import pytest

from conftest import HOST, BUILD_DIR, Conn, body_req, chunked_body

pytestmark = pytest.mark.skipif(not (BUILD_DIR / "json_server").exists(),
                                reason="json_server not built (no libcjson)")


@pytest.fixture
def js(firmware):
    return firmware("json_server")


def post(fw, path, body, ctype="application/json", extra=()):
    c = Conn(port=fw.port)
    headers = ([("Content-Type", ctype)] if ctype else []) + list(extra)
    r = c.request(body_req("POST", path, body, headers=headers))
    c.close()
    return r


def test_echo_valid(js):
    doc = {"a": [1, 2.5, "x\u00e9"], "b": None, "c": {"d": True}}
    r = post(js, "/echo", json.dumps(doc))
    assert r.status == 200
    assert r.header("Content-Type") == "application/json"
    assert json.loads(r.body) == doc
    assert b"\n" not in r.body and b": " not in r.body   # unformatted


@pytest.mark.parametrize("ctype", ["application/json; charset=utf-8", "Application/JSON",
                                   "application/merge-patch+json", "application/json;charset=UTF-8"])
def test_content_type_variants(js, ctype):
    r = post(js, "/echo", "[1]", ctype=ctype)
    assert r.status == 200 and json.loads(r.body) == [1]


@pytest.mark.parametrize("body", ["{", "{\"a\":}", "[1,]", "nul", "", "1 2", "{} x", "\"unterminated"])
def test_invalid_json_is_400(js, body):
    r = post(js, "/echo", body)
    assert r.status == 400, r
    assert r.header("Content-Type") == "application/json"
    err = json.loads(r.body)["error"]
    assert err.startswith("invalid JSON at byte"), err


def test_too_deep_is_400(js):
    r = post(js, "/echo", "[" * 40 + "]" * 40)
    assert r.status == 400 and json.loads(r.body) == {"error": "JSON nested too deeply"}
    # brackets inside strings do not count
    doc = {"s": "[[[[" * 20}
    r = post(js, "/echo", json.dumps(doc))
    assert r.status == 200 and json.loads(r.body) == doc


@pytest.mark.parametrize("ctype", [None, "text/plain", "application/jsonx", "application/x-www-form-urlencoded",
                                   "json", "application/+json"])
def test_wrong_type_is_415(js, ctype):
    r = post(js, "/echo", "[1]", ctype=ctype)
    assert r.status == 415, r
    assert "error" in json.loads(r.body)


def test_too_big_is_413(js):
    r = post(js, "/small", json.dumps({"k": "x" * 20}))
    assert r.status == 413 and json.loads(r.body) == {"error": "body too large"}
    r = post(js, "/small", "[1,2,3]")
    assert r.status == 200 and json.loads(r.body) == [1, 2, 3]


def test_chunked_body(js):
    c = Conn(port=js.port)
    head = ("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n")
    r = c.request(head.encode() + chunked_body([b'{"a":', b' [1, 2', b']}']))
    assert r.status == 200 and json.loads(r.body) == {"a": [1, 2]}
    c.close()
    c = Conn(port=js.port)
    head = head.replace("/echo", "/small")
    r = c.request(head.encode() + chunked_body([b'["0123456789', b'0123456789"]']))
    assert r.status == 413
    c.close()


def test_status_and_error_helpers(js):
    r = post(js, "/create", '{"name": "lamp"}')
    assert r.status == 201 and json.loads(r.body) == {"created": "lamp"}
    r = post(js, "/create", '{"name": 3}')
    assert r.status == 422 and json.loads(r.body) == {"error": "name required"}
    c = Conn(port=js.port)
    r = c.get("/status")
    assert r.status == 200 and json.loads(r.body) == {"ok": True, "uptime": 1, "list": [1, 2, 3]}
    c.close()


def test_connection_usable_after_400(js):
    c = Conn(port=js.port)
    r = c.request(body_req("POST", "/echo", "{", headers=[("Content-Type", "application/json")]))
    assert r.status == 400
    c.close()
    r = post(js, "/echo", "[true]")
    assert r.status == 200


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")
def test_curl_json(js):
    url = "http://%s:%d/echo" % (HOST, js.port)
    out = subprocess.run(["curl", "-sS", "--max-time", "5", "--json", '{"x": [1, {"y": null}]}', url],
                         capture_output=True, timeout=10, check=True).stdout
    assert json.loads(out) == {"x": [1, {"y": None}]}
    out = subprocess.run(["curl", "-sS", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}",
                          "--json", "{oops", url], capture_output=True, timeout=10, check=True).stdout
    assert out == b"400"
