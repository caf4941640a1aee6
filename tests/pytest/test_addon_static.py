# SPDX-License-Identifier: Apache-2.0
"""Black-box tests of the static files add-on (include/httpd_static.h) through
tests/server_addons/static_server.c: a folder of the test under "/" and "/files",
the built-in table of tests/server_addons/static_assets.inc under "/assets".

Clients: raw sockets (Conn), http.client and curl.
"""
import email.utils
import gzip
import hashlib
import http.client
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import HOST, Firmware, get_req

REPO = Path(__file__).resolve().parents[2]
ASSET_SRC = REPO / "tests" / "server_addons" / "static_assets"
ASSET_INC = REPO / "tests" / "server_addons" / "static_assets.inc"
EMBED = REPO / "scripts" / "embed-assets.py"
CURL = shutil.which("curl")
SECRET = b"TOP-SECRET-OUTSIDE-THE-ROOT\n"
BIG = 5 * 1024 * 1024

APP_JS = b"// app.js\n" + b"".join(b"function f%d(x) { return x * %d; }\n" % (i, i) for i in range(400))
FILES = {
    "index.html": b"<!DOCTYPE html><title>root</title><p>root index</p>\n",
    "hello.txt": b"hello, static world\n",
    "style.css": b"body { color: red; }\n",
    "app.js": APP_JS,
    "mod.mjs": b"export const x = 1;\n",
    "data.json": b'{"a": 1}\n',
    "map.js.map": b'{"version": 3}\n',
    "pic.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
    "pic.jpg": b"\xff\xd8\xff" + b"j" * 50,
    "pic.gif": b"GIF89a" + b"g" * 20,
    "pic.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>\n",
    "favicon.ico": b"\x00\x00\x01\x00",
    "pic.webp": b"RIFF....WEBP",
    "font.woff": b"wOFF", "font.woff2": b"wOF2",
    "feed.xml": b"<a/>\n", "code.wasm": b"\x00asm\x01\x00\x00\x00",
    "doc.pdf": b"%PDF-1.4\n", "clip.mp4": b"\x00\x00\x00\x18ftypmp42",
    "blob.bin": b"\x00\x01\x02", "noext": b"no extension\n",
    "empty.txt": b"",
    "my file.txt": b"space in the name\n",
    "sub/index.html": b"<p>sub index</p>\n",
    "sub/deeper/x.txt": b"deep\n",
    "noindex/a.txt": b"a\n",
}
MIME = {
    "/index.html": "text/html; charset=utf-8", "/hello.txt": "text/plain; charset=utf-8",
    "/style.css": "text/css; charset=utf-8", "/app.js": "text/javascript; charset=utf-8",
    "/mod.mjs": "text/javascript; charset=utf-8", "/data.json": "application/json",
    "/map.js.map": "application/json", "/pic.png": "image/png", "/pic.jpg": "image/jpeg",
    "/pic.gif": "image/gif", "/pic.svg": "image/svg+xml", "/favicon.ico": "image/x-icon",
    "/pic.webp": "image/webp", "/font.woff": "font/woff", "/font.woff2": "font/woff2",
    "/feed.xml": "text/xml; charset=utf-8", "/code.wasm": "application/wasm",
    "/doc.pdf": "application/pdf", "/clip.mp4": "video/mp4", "/blob.bin": "application/octet-stream",
    "/noext": "application/octet-stream",
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    base = tmp_path_factory.mktemp("static")
    root = base / "www"
    for name, data in FILES.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    (root / "app.js.gz").write_bytes(gzip.compress(APP_JS, mtime=0))
    (root / "big.bin").write_bytes(os.urandom(BIG))
    os.utime(root / "hello.txt", (1_600_000_000, 1_600_000_000))
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    (base / "www-secret.txt").write_bytes(SECRET)      # shares the root's name as a prefix
    os.symlink("/etc", root / "link_etc")
    os.symlink("/etc/passwd", root / "passwd_link")
    os.symlink(outside / "secret.txt", root / "secret_link")
    os.symlink(outside, root / "outdir")
    os.symlink("../www-secret.txt", root / "prefix_link")
    os.symlink("hello.txt", root / "inside_link")         # stays inside: served
    os.symlink(outside / "secret.txt", root / "hello2.txt.gz")  # a .gz variant leading outside
    (root / "hello2.txt").write_bytes(b"hello two\n")
    return root


@pytest.fixture(scope="module")
def srv(tree):
    fw = Firmware("static_server", ["--root", str(tree)]).start()
    yield fw
    fw.assert_clean_exit()


@pytest.fixture
def conn(srv):
    assert srv.alive(), srv.stderr_text()[-3000:]
    c = srv.conn()
    yield c
    c.close()
    assert srv.alive(), srv.stderr_text()[-3000:]


def get(c, path, headers=(), head=False):
    return c.get(path, headers=headers, head=head)


def assert_alive(c):
    """The connection still serves a request (keep-alive after the previous answer)."""
    r = c.get("/hello.txt")
    assert r.status == 200 and r.body == FILES["hello.txt"]


def curl(srv, *args):
    if CURL is None:
        pytest.skip("curl not installed")
    p = subprocess.run([CURL, "-sS", "--max-time", "20"] + list(args), capture_output=True, timeout=30)
    assert p.returncode == 0, p.stderr
    return p.stdout


def url(srv, path):
    return "http://%s:%d%s" % (HOST, srv.port, path)


# ---- types, bodies, headers ------------------------------------------------------------

def test_mime_types_and_bodies(conn):
    for path, ctype in MIME.items():
        r = get(conn, path)
        assert r.status == 200, path
        assert r.header("Content-Type") == ctype, path
        assert r.body == FILES[path[1:]], path
        assert r.header("Accept-Ranges") == "bytes"
        assert r.header("Cache-Control") == "no-cache"
        if len(FILES[path[1:]]) <= 4096:      # one piece: Content-Length; larger: chunked
            assert r.header("Content-Length") == str(len(FILES[path[1:]]))
        else:
            assert r.header("Transfer-Encoding") == "chunked" and r.header("Content-Length") is None


def test_empty_file_and_space_and_query(conn):
    r = get(conn, "/empty.txt")
    assert r.status == 200 and r.body == b"" and r.header("Content-Length") == "0"
    r = get(conn, "/my%20file.txt")
    assert r.status == 200 and r.body == FILES["my file.txt"]
    r = get(conn, "/hello.txt?v=1&x=../../etc/passwd")
    assert r.status == 200 and r.body == FILES["hello.txt"]


def test_validators(conn, tree):
    r = get(conn, "/hello.txt")
    st = os.stat(tree / "hello.txt")
    assert r.header("ETag") == '"%x-%x"' % (st.st_size, int(st.st_mtime))
    assert r.header("Last-Modified") == "Sun, 13 Sep 2020 12:26:40 GMT"
    assert email.utils.parsedate_to_datetime(r.header("Last-Modified")).timestamp() == 1_600_000_000


def test_cache_control_per_registration(conn):
    assert get(conn, "/files/hello.txt").header("Cache-Control") == "max-age=60"
    assert get(conn, "/assets/app.css").header("Cache-Control") == "max-age=31536000, immutable"


def test_send_file_and_send_asset(conn):
    r = get(conn, "/one")
    assert r.status == 200 and r.body == FILES["hello.txt"] and r.header("ETag")
    r = get(conn, "/one", head=True)
    assert r.status == 200 and r.body == b"" and r.header("Content-Length") == str(len(FILES["hello.txt"]))
    r = get(conn, "/one-asset")
    assert r.status == 200 and r.body == (ASSET_SRC / "app.js").read_bytes()


# ---- gzip variants ---------------------------------------------------------------------

@pytest.mark.parametrize("ae,chosen", [
    ("gzip", True), ("gzip, deflate, br", True), ("br;q=1, gzip;q=0.5", True), ("*", True),
    ("x-gzip", True), ("gzip;q=0", False), ("gzip;q=0.000, *", False), ("*;q=0", False),
    ("br, deflate", False), ("identity", False), (None, False), ("", False),
])
def test_gzip_variant(conn, ae, chosen):
    headers = [] if ae is None else [("Accept-Encoding", ae)]
    r = get(conn, "/app.js", headers)
    assert r.status == 200
    assert r.header("Vary") == "Accept-Encoding"
    assert r.header("Content-Type") == "text/javascript; charset=utf-8"
    if chosen:
        assert r.header("Content-Encoding") == "gzip"
        assert gzip.decompress(r.body) == APP_JS
        assert r.header("ETag").endswith('-gz"')
    else:
        assert r.header("Content-Encoding") is None
        assert r.body == APP_JS
        assert not r.header("ETag").endswith('-gz"')
    assert_alive(conn)


def test_gzip_absent_variant_and_outside_link(conn):
    r = get(conn, "/hello.txt", [("Accept-Encoding", "gzip")])
    assert r.header("Content-Encoding") is None and r.body == FILES["hello.txt"]
    # hello2.txt.gz is a symbolic link out of the root: never used
    r = get(conn, "/hello2.txt", [("Accept-Encoding", "gzip")])
    assert r.status == 200 and r.body == b"hello two\n" and r.header("Content-Encoding") is None


def test_gzip_curl_compressed(srv):
    assert curl(srv, "--compressed", url(srv, "/app.js")) == APP_JS
    raw = curl(srv, "-H", "Accept-Encoding: gzip", url(srv, "/app.js"))
    assert gzip.decompress(raw) == APP_JS


# ---- conditional requests --------------------------------------------------------------

def test_etag_304(conn):
    r = get(conn, "/style.css")
    etag = r.header("ETag")
    assert etag and etag.startswith('"')
    for inm in (etag, "W/" + etag, '"nope", ' + etag, "*"):
        r = get(conn, "/style.css", [("If-None-Match", inm)])
        assert r.status == 304, inm
        assert r.body == b"" and r.header("ETag") == etag and r.header("Content-Length") is None
        assert r.header("Cache-Control") == "no-cache"
    r = get(conn, "/style.css", [("If-None-Match", '"other"')])
    assert r.status == 200 and r.body == FILES["style.css"]
    # If-None-Match present: If-Modified-Since is ignored
    r = get(conn, "/style.css", [("If-None-Match", '"other"'),
                                 ("If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT")])
    assert r.status == 200
    r = get(conn, "/style.css", [("If-None-Match", etag)], head=True)
    assert r.status == 304
    assert_alive(conn)


def test_last_modified_304(conn, srv):
    lm = get(conn, "/hello.txt").header("Last-Modified")
    for ims in (lm, "Sun, 13 Sep 2020 12:26:41 GMT", "Sunday, 13-Sep-20 12:26:40 GMT",
                "Sun Sep 13 12:26:40 2020"):
        r = get(conn, "/hello.txt", [("If-Modified-Since", ims)])
        assert r.status == 304, ims
        assert r.header("Last-Modified") == lm and r.body == b""
    for ims in ("Sun, 13 Sep 2020 12:26:39 GMT", "garbage", "Thu, 01 Jan 1970 00:00:00 GMT"):
        r = get(conn, "/hello.txt", [("If-Modified-Since", ims)])
        assert r.status == 200 and r.body == FILES["hello.txt"], ims
    # curl -z: the local file's mtime as If-Modified-Since
    out = curl(srv, "-o", "/dev/null", "-w", "%{http_code}", "-z", "Sun, 13 Sep 2020 12:26:40 GMT",
               url(srv, "/hello.txt"))
    assert out == b"304"
    out = curl(srv, "-o", "/dev/null", "-w", "%{http_code}", "-z", "Sat, 12 Sep 2020 12:26:40 GMT",
               url(srv, "/hello.txt"))
    assert out == b"200"


def test_asset_etag_is_content_hash(conn):
    for name in ("app.css", "app.js", "index.html", "sub/notes.txt"):
        data = (ASSET_SRC / name).read_bytes()
        tag = '"%s"' % hashlib.sha256(data).hexdigest()[:16]
        r = get(conn, "/assets/" + name)
        assert r.status == 200 and r.body == data and r.header("ETag") == tag
        assert r.header("Last-Modified") is None
        assert get(conn, "/assets/" + name, [("If-None-Match", tag)]).status == 304
        r = get(conn, "/assets/" + name, [("Accept-Encoding", "gzip")])
        if name != "sub/notes.txt":           # too small to gain from gzip
            assert r.header("Content-Encoding") == "gzip" and r.header("Vary") == "Accept-Encoding"
            assert gzip.decompress(r.body) == data
            assert r.header("ETag") == tag[:-1] + '-gz"'
        else:
            assert r.header("Content-Encoding") is None and r.header("Vary") is None


# ---- ranges ----------------------------------------------------------------------------

def test_range_206(conn, tree):
    big = (tree / "big.bin").read_bytes()
    n = len(big)
    cases = [("bytes=0-99", 0, 99), ("bytes=100-", 100, n - 1), ("bytes=-100", n - 100, n - 1),
             ("bytes=1000-1000", 1000, 1000), ("bytes=4096-12287", 4096, 12287),
             ("bytes=%d-%d" % (n - 10, n + 1000), n - 10, n - 1), ("bytes=-99999999", 0, n - 1)]
    for rng, a, b in cases:
        r = get(conn, "/big.bin", [("Range", rng)])
        assert r.status == 206, rng
        assert r.header("Content-Range") == "bytes %d-%d/%d" % (a, b, n), rng
        assert r.body == big[a:b + 1], rng
    r = get(conn, "/files/big.bin", [("Range", "bytes=1500-9999")])   # 1 KiB pieces
    assert r.status == 206 and r.body == big[1500:10000]
    assert_alive(conn)


def test_range_416_and_ignored(conn):
    size = len(FILES["hello.txt"])
    for rng in ("bytes=%d-" % size, "bytes=1000-2000", "bytes=-0"):
        r = get(conn, "/hello.txt", [("Range", rng)])
        assert r.status == 416, rng
        assert r.header("Content-Range") == "bytes */%d" % size
        assert_alive(conn)
    r = get(conn, "/empty.txt", [("Range", "bytes=0-")])
    assert r.status == 416 and r.header("Content-Range") == "bytes */0"
    # ignored: several ranges (answered whole), bad syntax, another unit
    for rng in ("bytes=0-1,3-4", "bytes=5-2", "bytes=x-y", "items=0-1"):
        r = get(conn, "/hello.txt", [("Range", rng)])
        assert r.status == 200 and r.body == FILES["hello.txt"], rng
        assert r.header("Content-Range") is None


def test_if_range(conn):
    r = get(conn, "/hello.txt")
    etag, lm = r.header("ETag"), r.header("Last-Modified")
    body = FILES["hello.txt"]
    r = get(conn, "/hello.txt", [("Range", "bytes=0-4"), ("If-Range", etag)])
    assert r.status == 206 and r.body == body[:5]
    r = get(conn, "/hello.txt", [("Range", "bytes=0-4"), ("If-Range", lm)])
    assert r.status == 206 and r.body == body[:5]
    for ir in ('"stale"', "W/" + etag, "Sun, 13 Sep 2020 12:26:41 GMT", "junk"):
        r = get(conn, "/hello.txt", [("Range", "bytes=0-4"), ("If-Range", ir)])
        assert r.status == 200 and r.body == body, ir
    # HEAD ignores Range
    r = get(conn, "/hello.txt", [("Range", "bytes=0-4")], head=True)
    assert r.status == 200 and r.header("Content-Length") == str(len(body))


def test_range_curl(srv, tree):
    big = (tree / "big.bin").read_bytes()
    assert curl(srv, "-r", "0-99", url(srv, "/big.bin")) == big[:100]
    assert curl(srv, "-r", "2000000-2999999", url(srv, "/big.bin")) == big[2000000:3000000]
    assert curl(srv, "-r", "0-9", url(srv, "/assets/app.js")) == (ASSET_SRC / "app.js").read_bytes()[:10]


# ---- HEAD, index files, redirects, 404 -------------------------------------------------

def test_head(conn, tree):
    for path in ("/hello.txt", "/big.bin", "/app.js", "/assets/app.css", "/"):
        g = get(conn, path)
        h = get(conn, path, head=True)
        assert h.status == 200 and h.body == b""
        names = ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Vary", "Accept-Ranges")
        assert [h.header(k) for k in names] == [g.header(k) for k in names], path
        assert h.header("Content-Length") == str(len(g.body)), path
    assert_alive(conn)


def test_head_curl(srv):
    out = curl(srv, "-I", url(srv, "/big.bin")).decode()
    assert "HTTP/1.1 200" in out and ("Content-Length: %d" % BIG) in out


def test_index_and_redirect(conn):
    r = get(conn, "/")
    assert r.status == 200 and r.body == FILES["index.html"]
    r = get(conn, "/sub/")
    assert r.status == 200 and r.body == FILES["sub/index.html"]
    assert r.header("Content-Type") == "text/html; charset=utf-8"
    r = get(conn, "/sub")
    assert r.status == 301 and r.header("Location") == "/sub/"
    r = get(conn, "/sub/deeper?x=1")
    assert r.status == 301 and r.header("Location") == "/sub/deeper/?x=1"
    assert get(conn, "/sub/deeper/").status == 404          # no index.html there
    assert get(conn, "/hello.txt/").status == 404           # a file is no directory
    # /files: no index file
    assert get(conn, "/files/sub/").status == 404
    assert get(conn, "/files").header("Location") == "/files/"
    # the table
    r = get(conn, "/assets")
    assert r.status == 301 and r.header("Location") == "/assets/"
    r = get(conn, "/assets/")
    assert r.status == 200 and r.body == (ASSET_SRC / "index.html").read_bytes()
    r = get(conn, "/assets/sub")
    assert r.status == 301 and r.header("Location") == "/assets/sub/"
    assert get(conn, "/assets/sub/").status == 404
    r = get(conn, "/assetsx")                  # not the table's: "/" answers, no such file
    assert r.status == 404 and r.header("Location") is None
    assert_alive(conn)


def test_redirect_followed_by_http_client(srv):
    h = http.client.HTTPConnection(HOST, srv.port, timeout=5)
    try:
        h.request("GET", "/sub")
        r = h.getresponse()
        assert r.status == 301 and r.getheader("Location") == "/sub/"
        r.read()
        h.request("GET", r.getheader("Location"))
        r = h.getresponse()
        assert r.status == 200 and r.read() == FILES["sub/index.html"]
    finally:
        h.close()
    assert curl(srv, "-L", url(srv, "/sub")) == FILES["sub/index.html"]


def test_404_keeps_connection(conn):
    for path in ("/missing.html", "/sub/missing", "/files/missing", "/assets/missing.js", "/noindex/"):
        r = get(conn, path)
        assert r.status == 404, path
        assert r.header("Connection") != "close"
        assert_alive(conn)


def test_symlink_inside_root_served(conn):
    r = get(conn, "/inside_link")
    assert r.status == 200 and r.body == FILES["hello.txt"]


# ---- traversal -------------------------------------------------------------------------

TRAVERSALS = [
    "/../outside/secret.txt", "/%2e%2e/outside/secret.txt", "/%2E%2E/outside/secret.txt",
    "/..%2foutside/secret.txt", "/..%2Foutside%2Fsecret.txt", "/.%2e/outside/secret.txt",
    "/sub/../../outside/secret.txt", "/sub/%2e%2e/%2e%2e/outside/secret.txt",
    "/files/../../outside/secret.txt", "/files/%2e%2e/%2e%2e/outside/secret.txt",
    "/assets/../../outside/secret.txt", "/hello.txt%00.html", "/%00", "/..%5c..%5coutside%5csecret.txt",
    "/..\\..\\outside\\secret.txt", "/link_etc/passwd", "/passwd_link", "/secret_link",
    "/outdir/secret.txt", "/outdir/", "/files/secret_link", "/files/outdir/secret.txt",
    "/prefix_link", "/../../../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/%252e%252e/outside/secret.txt", "/sub/%2e", "/link_etc/", "/link_etc",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_traversal_refused(srv, target):
    with srv.conn() as c:
        c.send(get_req(target))
        r = c.read_response()
        assert r.status in (400, 404), (target, r.status)
        assert SECRET not in r.raw and b"root:" not in r.raw
        if r.header("Connection") != "close":
            assert_alive(c)


def test_traversal_curl(srv):
    for target in ("/%2e%2e/outside/secret.txt", "/secret_link", "/passwd_link"):
        out = curl(srv, "--path-as-is", "-o", "-", "-w", "\n%{http_code}", url(srv, target))
        assert SECRET not in out and b"root:" not in out
        assert out.endswith(b"400") or out.endswith(b"404")


# ---- big files ---------------------------------------------------------------------------

def test_big_file(conn, tree, srv):
    big = (tree / "big.bin").read_bytes()
    for path in ("/big.bin", "/files/big.bin"):
        r = conn.get(path, timeout=30)
        assert r.status == 200 and len(r.body) == BIG and r.body == big, path
        assert r.header("Content-Type") == "application/octet-stream"
        assert_alive(conn)
    assert curl(srv, url(srv, "/big.bin")) == big
    h = http.client.HTTPConnection(HOST, srv.port, timeout=20)
    try:
        h.request("GET", "/big.bin")
        r = h.getresponse()
        assert r.status == 200 and r.read() == big
        h.request("GET", "/hello.txt")                     # the same connection
        assert h.getresponse().read() == FILES["hello.txt"]
    finally:
        h.close()


def test_file_shrinks_mid_response(srv, tree):
    """A file truncated while it is sent: the response is cut (the connection closes
    before the chunked body ends), the server goes on serving."""
    path = tree / "shrink.bin"
    path.write_bytes(b"s" * (32 * 1024 * 1024))
    try:
        with srv.conn(timeout=10) as c:
            c.send(get_req("/shrink.bin"))
            head = c.read_until(b"\r\n\r\n")
            assert b"200 OK" in head and b"chunked" in head.lower()
            time.sleep(0.2)
            os.truncate(path, 1024 * 1024)
            data = c.read_until_close(timeout=10)
            assert not data.endswith(b"0\r\n\r\n")
            assert len(data) < 32 * 1024 * 1024
    finally:
        path.unlink()
    with srv.conn() as c2:
        assert_alive(c2)


# ---- the generator ---------------------------------------------------------------------

def _table_lines(text):
    # the entries without the gzip lengths (another zlib may compress differently)
    return [re.sub(r", (\d+), NULL, ", ", N, NULL, ", l) for l in text.splitlines() if l.startswith('    {"/')]


def test_embed_assets_script(tmp_path):
    out = tmp_path / "assets.c"
    subprocess.run([sys.executable, str(EMBED), "--static", "--name", "test_assets", str(ASSET_SRC), str(out)],
                   check=True, timeout=60)
    assert _table_lines(out.read_text()) == _table_lines(ASSET_INC.read_text())
    odd = tmp_path / "odd"
    (odd / ".hidden").mkdir(parents=True)
    (odd / 'q"uo\\te?.txt').write_bytes(b"x" * 1000)
    (odd / "skip.js.gz").write_bytes(b"\x1f\x8b")
    (odd / ".hidden" / "h.txt").write_bytes(b"h")
    text = subprocess.run([sys.executable, str(EMBED), str(odd), "-"], check=True, timeout=60,
                          capture_output=True).stdout.decode()
    assert '"/q\\"uo\\\\te\\077.txt"' in text and "skip" not in text and "hidden" not in text
    assert "const httpd_static_asset_t assets[]" in text and "_gz[]" in text
    bad = subprocess.run([sys.executable, str(EMBED), "--name", "1x", str(odd), "-"], capture_output=True, timeout=60)
    assert bad.returncode != 0


# ---- other methods, HTTP/1.0, registrations ----------------------------------------------

def test_other_methods_405(conn):
    r = conn.request(b"POST /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
    assert r.status == 405
    assert r.header("Allow") == "GET, HEAD"


def test_http10_big_file(srv, tree):
    big = (tree / "big.bin").read_bytes()
    with srv.conn(timeout=20) as c:
        c.send(b"GET /big.bin HTTP/1.0\r\n\r\n")
        head = c.read_until(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200") and b"chunked" not in head.lower()
        assert c.read_until_close(timeout=20) == big       # unframed: the close ends it
    with srv.conn() as c:
        c.send(b"GET /hello.txt HTTP/1.0\r\n\r\n")
        r = c.read_response()
        assert r.header("Content-Length") == str(len(FILES["hello.txt"])) and r.body == FILES["hello.txt"]


def test_unregister(firmware, tree):
    fw = firmware("static_server", "--root", str(tree))
    with fw.conn() as c:
        assert c.get("/files/hello.txt").status == 200
        assert c.get("/ctl/unregister?prefix=/files").body == b"ESP_OK"
        assert c.get("/ctl/unregister?prefix=/files").body == b"ESP_ERR_NOT_FOUND"
        assert c.get("/files/hello.txt").status == 404        # now "/" answers: no such folder
        assert c.get("/hello.txt").status == 200
        assert c.get("/assets/app.js").status == 200
        assert c.get("/ctl/unregister").body == b"ESP_OK"     # every registration
    # no handler left: the server's own 404 (which closes the connection)
    assert fw.get("/hello.txt").status == 404
    assert fw.get("/assets/app.js").status == 404
    assert fw.get("/ctl/unregister").body == b"ESP_ERR_NOT_FOUND"


def test_stop_without_unregister(firmware, tree):
    """The registrations left to the module at httpd_stop(): the teardown asserts exit 0
    and no LeakSanitizer report."""
    fw = firmware("static_server", "--root", str(tree), "--no-unregister")
    with fw.conn() as c:
        assert c.get("/hello.txt").status == 200
        assert c.get("/assets/").status == 200
