# SPDX-License-Identifier: Apache-2.0
"""Black-box tests of the add-on modules httpd_form.h (decoded query and urlencoded form
getters, httpd_form_recv), httpd_multipart.h (streaming multipart/form-data) and
httpd_path.h (path templates), through the test firmware tests/server_addons/form.c
(see its header comment for the routes), with raw sockets, curl and http.client.
"""
import http.client
import random
import re
import shutil
import subprocess
import time

import pytest

from conftest import Firmware, HOST, body_req, chunked_body, get_req, post_req

CURL = shutil.which("curl")
needs_curl = pytest.mark.skipif(CURL is None, reason="curl is not installed")

FORM_CT = ("Content-Type", "application/x-www-form-urlencoded")


def fnv(data, h=2166136261):
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


@pytest.fixture(scope="module")
def fw():
    f = Firmware("form")
    f.start()
    yield f
    f.assert_clean_exit()


@pytest.fixture
def srv(fw):
    assert fw.alive(), fw.stderr_text()[-3000:]
    yield fw
    assert fw.alive(), "form died:\n" + fw.stderr_text()[-6000:]


def curl(fw, *args):
    out = subprocess.run([CURL, "-sS", "--max-time", "30", *args], capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.decode("latin-1")


def url(fw, path):
    return "http://%s:%d%s" % (HOST, fw.port, path)


def multipart(parts, boundary="b0undary", preamble=b"", epilogue=b""):
    """A multipart/form-data body: parts is a list of (headers, data)."""
    out = preamble
    for headers, data in parts:
        out += b"--" + boundary.encode() + b"\r\n"
        for h in headers:
            out += h.encode("latin-1") + b"\r\n"
        out += b"\r\n" + data + b"\r\n"
    return out + b"--" + boundary.encode() + b"--\r\n" + epilogue


def field(name, data, filename=None, ctype=None):
    cd = 'Content-Disposition: form-data; name="%s"' % name
    if filename is not None:
        cd += '; filename="%s"' % filename
    headers = [cd] + (["Content-Type: " + ctype] if ctype else [])
    return headers, data


def summary(name, data, index, filename=None, ctype=None):
    return "part=%d name=%s filename=%s type=%s size=%d fnv=%08x\n" % (
        index, name, "-" if filename is None else filename, ctype or "-", len(data), fnv(data))


def upload_req(body, boundary="b0undary", ctype=None, path="/upload"):
    return post_req(path, body, [("Content-Type", ctype or "multipart/form-data; boundary=" + boundary)])


def assert_error(r, code, conn=None):
    assert r.status == code, r
    assert r.header("Connection") == "close", r
    if conn is not None:
        conn.assert_closed(timeout=3, allow_data=False)


# ---- Query strings ------------------------------------------------------------------

def test_query_decoded(srv):
    r = srv.get("/query?a=1&b=hello+world&c=%41%42&x%20y=%C3%A9&&empty=&flag&bad=%zz&n=-12")
    assert r.status == 200
    assert r.text == ("a=1\nb=hello world\nc=AB\nx y=\xc3\xa9\nempty=\nflag=\n!ESP_ERR_INVALID_ARG\n"
                      "n=-12\nn=-12\n")


def test_query_truncation_and_fragment(srv):
    r = srv.get("/query?long=" + "x" * 64 + "&ok=1&n=2147483648#n=5")
    assert r.text == "!ESP_ERR_HTTPD_RESULT_TRUNC\nok=1\nn=2147483648\n"   # n too big: no n= line
    assert srv.get("/query").text == ""


@needs_curl
def test_query_curl(srv):
    out = curl(srv, "-G", "--data-urlencode", "q=a b&c=d", "--data-urlencode", "n=7", url(srv, "/query"))
    assert out == "q=a b&c=d\nn=7\nn=7\n"


# ---- Urlencoded forms ---------------------------------------------------------------

@needs_curl
def test_form_curl(srv):
    out = curl(srv, "--data-urlencode", "msg=hello world & more=?", "--data-urlencode", "k=\u00e9",
               "-d", "plain=1", url(srv, "/form"))
    assert out == "msg=hello world & more=?\nk=\xc3\xa9\nplain=1\n"


def test_form_http_client_keep_alive(srv):
    c = http.client.HTTPConnection(HOST, srv.port, timeout=5)
    try:
        for i in range(3):
            c.request("POST", "/form", body="i=%d&s=a%%2Bb" % i,
                      headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"})
            r = c.getresponse()
            assert r.status == 200
            assert r.read() == b"i=%d\ns=a+b\n" % i
    finally:
        c.close()


def test_form_chunked(srv):
    body = chunked_body([b"a=1&b", b"=x%2", b"0y&c=3"])
    req = (b"POST /form HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n" + body)
    with srv.conn() as c:
        r = c.request(req)
        assert r.status == 200 and r.text == "a=1\nb=x y\nc=3\n"
        assert c.get("/api/status").text == "status\n"   # keep-alive goes on


def test_form_fits_exactly(srv):
    body = "k=" + "v" * 253                              # 255 bytes: the buffer of 256 holds it
    with srv.conn() as c:
        r = c.request(post_req("/form", body, [FORM_CT]))
        assert r.status == 200
        assert r.text == "!ESP_ERR_HTTPD_RESULT_TRUNC\n"   # received whole; the echo's 64-byte value buffer
        r = c.request(post_req("/form", "k=" + "v" * 61, [FORM_CT]))
        assert r.text == "k=" + "v" * 61 + "\n"


def test_form_too_large_413(srv):
    with srv.conn() as c:
        r = c.request(post_req("/form", "k=" + "v" * 254, [FORM_CT]))   # 256 bytes
        assert_error(r, 413, c)


def test_form_chunked_too_large_413(srv):
    body = chunked_body([b"k=" + b"v" * 200, b"v" * 54])   # 256 bytes in chunks
    req = (b"POST /form HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n" + body)
    with srv.conn() as c:
        assert_error(c.request(req), 413, c)
    body = chunked_body([b"k=" + b"v" * 200, b"v" * 53])   # 255: fits
    req = req.split(b"\r\n\r\n")[0] + b"\r\n\r\n" + body
    with srv.conn() as c:
        assert c.request(req).status == 200


@pytest.mark.parametrize("headers", [[("Content-Type", "text/plain")], [],
                                     [("Content-Type", "application/x-www-form-urlencodedX")],
                                     [("Content-Type", "multipart/form-data; boundary=x")]])
def test_form_wrong_type_415(srv, headers):
    with srv.conn() as c:
        assert_error(c.request(post_req("/form", "a=1", headers)), 415, c)


def test_form_body_ends_early_400(srv):
    with srv.conn() as c:
        c.send(b"POST /form HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               b"Content-Length: 100\r\n\r\na=1&b=2")
        time.sleep(0.1)
        c.shutdown_write()
        assert_error(c.read_response(), 400)


def test_form_timeout_408(firmware):
    f = firmware("form", "--recv-timeout", "1")
    with f.conn() as c:
        c.send(b"POST /form HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               b"Content-Length: 100\r\n\r\na=1")
        assert_error(c.read_response(timeout=5), 408, c)


def test_form_with_path_param(srv):
    with srv.conn() as c:
        r = c.request(post_req("/api/led/%32?ignored=1", "state=1", [FORM_CT]))
        assert r.status == 200 and r.text == "led 2 state=1\n"
        r = c.request(post_req("/api/led/3", "state=x", [FORM_CT]))
        assert r.status == 400 and r.text == "state?"
        r = c.get("/api/led/3")
        assert r.text == "led id=3\n"


# ---- Multipart uploads ----------------------------------------------------------------

@needs_curl
def test_upload_curl_file_and_field(srv, tmp_path):
    data = random.Random(1).randbytes(1 << 20)
    (tmp_path / "big.bin").write_bytes(data)
    out = curl(srv, "-F", "file=@%s" % (tmp_path / "big.bin"), "-F", "name=value", url(srv, "/upload"))
    assert out == (summary("file", data, 0, "big.bin", "application/octet-stream") +
                   summary("name", b"value", 1) + "parts=2 bytes=%d\n" % (len(data) + 5))


@needs_curl
def test_upload_curl_chunked(srv, tmp_path):
    data = random.Random(2).randbytes(300000)
    (tmp_path / "c.bin").write_bytes(data)
    out = curl(srv, "-H", "Transfer-Encoding: chunked", "-F", "f=@%s;type=image/png" % (tmp_path / "c.bin"),
               url(srv, "/upload"))
    assert out == summary("f", data, 0, "c.bin", "image/png") + "parts=1 bytes=%d\n" % len(data)


def test_upload_hand_built_keep_alive(srv):
    tricky = b"x\r\n--b0undar\r\n--b0undarX\r\n-\r\r\n --b0undary\r"   # look-alikes of the delimiter
    parts = [field("a", b""), field("f", tricky, "t.txt", "text/plain"), field("e", b"\r\n\r\n")]
    body = multipart(parts, preamble=b"preamble\r\n", epilogue=b"epilogue\r\n")
    want = "".join(summary(n, d, i, fn, ct) for i, (n, d, fn, ct) in enumerate(
        [("a", b"", None, None), ("f", tricky, "t.txt", "text/plain"), ("e", b"\r\n\r\n", None, None)]))
    want += "parts=3 bytes=%d\n" % (len(tricky) + 4)
    with srv.conn() as c:
        for _ in range(2):
            r = c.request(upload_req(body))
            assert r.status == 200 and r.text == want
        # quoted boundary, split into pieces sent one by one
        body2 = multipart([field("q", b"1")], boundary="a b:c")
        req = upload_req(body2, ctype='multipart/form-data; boundary="a b:c"')
        r = c.send_pieces([req[i:i + 7] for i in range(0, len(req), 7)], delay=0.001).read_response()
        assert r.text == summary("q", b"1", 0) + "parts=1 bytes=1\n"
        assert c.get("/api/status").status == 200


def test_upload_chunked_tiny_chunks(srv):
    body = multipart([field("f", b"0123456789" * 50, "x.bin")])
    pieces = [body[i:i + 3] for i in range(0, len(body), 3)]
    req = (b"POST /upload HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=b0undary\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n" + chunked_body(pieces))
    with srv.conn() as c:
        r = c.request(req)
        assert r.text == summary("f", b"0123456789" * 50, 0, "x.bin") + "parts=1 bytes=500\n"


def vm_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        m = re.search(r"VmRSS:\s+(\d+) kB", f.read())
    return int(m.group(1))


def test_upload_20mib_streams_with_small_buffer(firmware):
    """A 20 MiB part through a 256-byte work buffer: the server's memory does not grow
    with the body (VmRSS before/after, generous bound)."""
    f = firmware("form", "--work", "256")
    size = 20 << 20
    block = random.Random(3).randbytes(1 << 16)
    head = (b"--b0undary\r\nContent-Disposition: form-data; name=\"big\"; filename=\"big.bin\"\r\n\r\n")
    tail = b"\r\n--b0undary--\r\n"
    total = len(head) + size + len(tail)
    with f.conn(timeout=30) as c:   # warm up: the first upload allocates what any upload needs
        small = multipart([field("s", block)])
        assert c.request(upload_req(small)).status == 200
        before = vm_rss_kib(f.proc.pid)
        c.send(b"POST /upload HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=b0undary\r\n"
               b"Content-Length: %d\r\n\r\n" % total + head)
        for _ in range(size // len(block)):
            c.send(block)
        c.send(tail)
        r = c.read_response(timeout=60)
        after = vm_rss_kib(f.proc.pid)
    assert r.status == 200
    assert ("name=big filename=big.bin type=- size=%d " % size) in r.text, r.text
    assert r.text.endswith("parts=1 bytes=%d\n" % size)
    print("VmRSS %d KiB before, %d KiB after a %d KiB upload" % (before, after, size >> 10))
    assert after - before < 8 * 1024, "VmRSS grew by %d KiB over a %d KiB upload" % (after - before, size >> 10)


MALFORMED = [
    ("no closing delimiter", b"--b0undary\r\n\r\nabc\r\n--b0undary\r\n\r\nx"),
    ("no delimiter at all", b"just some bytes"),
    ("junk after delimiter", b"--b0undary\r\n\r\nabc\r\n--b0undaryJUNK\r\n\r\n\r\n--b0undary--"),
    ("header without colon", b"--b0undary\r\nno colon\r\n\r\nabc\r\n--b0undary--"),
    ("header block too large", b"--b0undary\r\nX-Pad: " + b"p" * 1100 + b"\r\n\r\nabc\r\n--b0undary--"),
    ("unterminated quote", b"--b0undary\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--b0undary--"),
    ("empty body", b""),
]


@pytest.mark.parametrize("name,body", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_upload_malformed_400(srv, name, body):
    with srv.conn() as c:
        assert_error(c.request(upload_req(body)), 400, c)


@pytest.mark.parametrize("ctype,code", [
    ("multipart/form-data", 400), ("multipart/form-data; boundary=", 400),
    ("multipart/form-data; boundary=" + "x" * 71, 400),
    ("multipart/mixed; boundary=b0undary", 415), ("application/x-www-form-urlencoded", 415),
    (None, 415)])
def test_upload_bad_content_type(srv, ctype, code):
    body = multipart([field("a", b"1")])
    headers = [("Content-Type", ctype)] if ctype else []
    with srv.conn() as c:
        assert_error(c.request(post_req("/upload", body, headers)), code, c)


def test_upload_body_ends_early_400(srv):
    body = multipart([field("a", b"1" * 1000)])
    with srv.conn() as c:
        c.send(upload_req(body)[:-300])
        time.sleep(0.1)
        c.shutdown_write()
        assert_error(c.read_response(), 400)


def test_upload_callback_abort(srv):
    body = multipart([field("ok", b"1"), field("reject", b"2" * 100000)])
    with srv.conn() as c:
        r = c.request(upload_req(body))
        assert r.status == 422 and r.header("Connection") == "close"
    assert srv.get("/api/status").status == 200


# ---- Path templates -------------------------------------------------------------------

@pytest.mark.parametrize("path,status,text", [
    ("/api/status", 200, "status\n"),                      # exact
    ("/api/led/all", 200, "all leds\n"),                   # exact, registered before the template
    ("/api/led/7", 200, "led id=7\n"),
    ("/api/led/%31", 200, "led id=1\n"),                   # decoded
    ("/api/led/a%2Fb", 200, "led id=a/b\n"),               # an encoded '/' stays in the segment
    ("/api/led/9?x=1&y=/2", 200, "led id=9\n"),            # the query takes no part
    ("/api/led/123456789012345", 200, "led id=123456789012345\n"),
    ("/api/led/1234567890123456", 400, "too long"),        # 16 bytes: over the handler's 15
    ("/api/led/%zz", 400, "bad parameter"),
    ("/api/led/", 404, None),                              # empty segment
    ("/api/led", 404, None),
    ("/api/led/1/2", 404, None),
    ("/api/kitchen/items/42?sort=up", 200, "group=kitchen n=42\n"),
    ("/api/kitchen/items/-3", 200, "group=kitchen n=-3\n"),
    ("/api/kitchen/items/x", 400, "bad parameter"),
    ("/api//items/1", 404, None),
    ("/files/a/b%20c.txt?v=1", 200, "file=a/b c.txt\n"),   # wildcard
    ("/files/", 200, "file=\n"),
    ("/files", 404, None),
    ("/opt/", 200, "optional\n"),                          # wildcard "?" as with the core matcher
    ("/opt/x", 200, "optional\n"),
    ("/opt/xy", 404, None),
])
def test_path_routes(srv, path, status, text):
    r = srv.get(path)
    assert r.status == status, r
    if text is not None:
        assert r.text == text


def test_path_method_not_allowed(srv):
    r, c = srv.request(body_req("PUT", "/api/led/3", "x"))
    c.close()
    assert r.status == 405
    assert r.header("Allow") == "GET, POST"


def test_path_keep_alive_mixed(srv):
    with srv.conn() as c:
        for p, t in [("/api/led/5", "led id=5\n"), ("/files/z", "file=z\n"), ("/api/status", "status\n"),
                     ("/api/g/items/1", "group=g n=1\n")]:
            r = c.request(get_req(p))
            assert r.text == t
