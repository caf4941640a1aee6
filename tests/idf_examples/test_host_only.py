# SPDX-License-Identifier: Apache-2.0
"""The harness's own checks for the two upstream examples whose own test cannot
run on the host: restful_server has no pytest file upstream, and
captive_portal's joins the example's Wi-Fi access point (upstream marks it
xfail, run=False). Each starts the example (built unchanged) and checks what
a client on 127.0.0.1 sees. Run by scripts/idf-examples.sh with the dut
fixture of harness/idfex_plugin.py."""
import http.client
import json
import os
import socket
import struct
import time

import pytest

CONNECT_S = 10


def _request(method, path, body=None, headers=None, port=80):
    """One request on a new connection, retried while the server is not yet listening."""
    deadline = time.monotonic() + CONNECT_S
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, dict((k.lower(), v) for k, v in resp.getheaders()), resp.read()
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        finally:
            conn.close()


@pytest.mark.idfex_example("restful_server")
def test_host_restful_server_smoke(dut):
    dut.expect("Starting HTTP Server", timeout=30)
    status, hdrs, body = _request("GET", "/api/v1/system/info")
    assert status == 200, body
    assert hdrs.get("content-type", "").startswith("application/json")
    info = json.loads(body)
    assert {"idf_version", "cores", "chip"} <= set(info), info

    status, _, body = _request("GET", "/api/v1/temp/raw")
    assert status == 200 and 0 <= json.loads(body)["raw"] < 20, body

    payload = json.dumps({"red": 12, "green": 34, "blue": 56})
    status, _, body = _request("POST", "/api/v1/light/brightness", body=payload,
                               headers={"Content-Type": "application/json"})
    assert status == 200 and body == b"Post control value successfully", body
    dut.expect_exact("Light control: red = 12, green = 34, blue = 56", timeout=10)

    # A body longer than the handler's buffer is refused with the example's 500.
    status, _, _ = _request("POST", "/api/v1/light/brightness", body="x" * 20000)
    assert status == 500


def _dns_query(name, port=53, timeout=5):
    qid = 0x4242
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    q += struct.pack(">HH", 1, 1)  # A, IN
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(q, ("127.0.0.1", port))
        reply, _ = s.recvfrom(512)
    rid, flags, qd, an = struct.unpack(">HHHH", reply[:8])
    assert rid == qid and flags & 0x8000, reply
    assert an >= 1, reply
    return socket.inet_ntoa(reply[-4:])


@pytest.mark.idfex_example("captive_portal")
def test_host_captive_portal_smoke(dut):
    ap_ip = dut.expect(r"Set up softAP with IP: (\d+\.\d+\.\d+\.\d+)", timeout=30)[1].decode()
    port = int(dut.expect(r"Starting server on port: '(\d+)'", timeout=30)[1])
    dut.expect("Registering URI handlers", timeout=30)
    # (the DNS server starts right after the HTTP one)
    dut.expect("Socket bound, port 53", timeout=10)

    # Any unknown page: the example's 404 handler sends the client to "/".
    status, hdrs, body = _request("GET", "/generate_204", port=port)
    assert status == 303 and hdrs.get("location") == "/", (status, hdrs)
    assert body == b"Redirect to the captive portal"
    dut.expect("Redirecting to root", timeout=10)

    # "/": the page embedded with EMBED_FILES, byte for byte.
    status, hdrs, body = _request("GET", "/", port=port)
    assert status == 200 and hdrs.get("content-type") == "text/html"
    with open(os.path.join(os.environ["IDF_PATH"], "examples/protocols/http_server/captive_portal/main/root.html"),
              "rb") as f:
        assert body == f.read()

    # The example's DNS server answers every A query with the access point's address.
    assert _dns_query("www.example.com") == ap_ip
