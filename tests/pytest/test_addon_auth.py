# SPDX-License-Identifier: Apache-2.0
"""Black-box tests of the auth (Basic, Digest SHA-256) and CORS add-ons against
tests/server_addons/auth_server.c (see its header for the routes and users).

Clients: raw sockets (conftest.Conn), curl (--basic, --digest, --anyauth), Python's
urllib (Basic) and http.client with a Digest SHA-256 response computed here with
hashlib: urllib's HTTPDigestAuthHandler only knows MD5 and SHA-1, which the server
does not offer.
"""
import base64
import hashlib
import http.client
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import HOST, Conn, Firmware

LIFETIME = 2          # --nonce-lifetime of the server, seconds
CURL = shutil.which("curl")
ORIGIN = "http://allowed.example"


@pytest.fixture(scope="module")
def srv():
    fw = Firmware("auth_server", ("--nonce-lifetime", str(LIFETIME)))
    fw.start()
    yield fw
    fw.assert_clean_exit()


@pytest.fixture
def conn(srv):
    c = Conn(port=srv.port)
    yield c
    c.close()


# ---- Helpers ----------------------------------------------------------------------

def b64(s):
    return base64.b64encode(s.encode("utf-8")).decode("ascii")


def parse_challenge(value):
    """{param: value} of one challenge "Scheme a=b, c="d"" (no escapes in ours)."""
    scheme, _, rest = value.partition(" ")
    params = {k.lower(): v1 if v1 else v2 for k, v1, v2 in
              re.findall(r'([A-Za-z0-9_-]+)=(?:"([^"]*)"|([^,\s]*))', rest)}
    return scheme, params


def digest_challenge(resp):
    for v in resp.header_all("WWW-Authenticate"):
        scheme, params = parse_challenge(v)
        if scheme == "Digest":
            return params
    raise AssertionError("no Digest challenge in %r" % (resp,))


def sha(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def digest_header(ch, user, password, method, uri, nc="00000001", cnonce="0a4f113b", override=None):
    ha1 = sha("%s:%s:%s" % (user, ch["realm"], password))
    ha2 = sha("%s:%s" % (method, uri))
    resp = sha("%s:%s:%s:%s:auth:%s" % (ha1, ch["nonce"], nc, cnonce, ha2))
    p = {"username": '"%s"' % user, "realm": '"%s"' % ch["realm"], "nonce": '"%s"' % ch["nonce"],
         "uri": '"%s"' % uri, "algorithm": "SHA-256", "qop": "auth", "nc": nc,
         "cnonce": '"%s"' % cnonce, "response": '"%s"' % resp, "opaque": '"%s"' % ch["opaque"]}
    for k, v in (override or {}).items():
        if v is None:
            p.pop(k, None)
        else:
            p[k] = v
    return "Digest " + ", ".join("%s=%s" % kv for kv in p.items())


def challenge_of(conn, path, method="GET"):
    r = conn.request(("%s %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (method, path, HOST)).encode())
    assert r.status == 401, r
    return digest_challenge(r)


def get(conn, path, auth=None, method="GET", headers=()):
    hdrs = list(headers)
    if auth is not None:
        hdrs.append(("Authorization", auth))
    req = "%s %s HTTP/1.1\r\nHost: %s\r\n" % (method, path, HOST)
    req += "".join("%s: %s\r\n" % kv for kv in hdrs) + "\r\n"
    return conn.request(req.encode("latin-1"), head=(method == "HEAD"))


def curl(*args):
    if not CURL:
        pytest.skip("curl is not installed")
    p = subprocess.run([CURL, "-s", "-S", "--max-time", "10", "-w", "\n%{http_code}", *args],
                       capture_output=True, text=True, timeout=20)
    body, _, code = p.stdout.rpartition("\n")
    return int(code), body


# ---- Challenges ---------------------------------------------------------------------

def test_challenges_per_scheme(conn):
    r = get(conn, "/basic")
    assert r.status == 401
    assert r.header_all("WWW-Authenticate") == ['Basic realm="test realm", charset="UTF-8"']
    r = get(conn, "/digest")
    assert r.status == 401
    (only,) = r.header_all("WWW-Authenticate")
    scheme, p = parse_challenge(only)
    assert scheme == "Digest"
    assert p["realm"] == "test realm" and p["qop"] == "auth" and p["algorithm"] == "SHA-256"
    assert re.fullmatch(r"[0-9a-f]{48}", p["nonce"]) and re.fullmatch(r"[0-9a-f]{32}", p["opaque"])
    assert "stale" not in p
    r = get(conn, "/both")
    assert [parse_challenge(v)[0] for v in r.header_all("WWW-Authenticate")] == ["Digest", "Basic"]
    # the 401 leaves the connection open for the retry
    r = get(conn, "/basic", "Basic " + b64("alice:wonderland"))
    assert r.status == 200 and r.body == b"basic ok GET"


def test_401_with_body_keeps_connection(conn):
    """A POST challenged before its body was read: the server skips the body, and the
    connection serves the authorized retry."""
    body = b"x" * 3000
    conn.send(b"POST /both HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    r = conn.read_response()
    assert r.status == 401
    ch = digest_challenge(r)
    auth = digest_header(ch, "alice", "wonderland", "POST", "/both")
    conn.send(b"POST /both HTTP/1.1\r\nHost: h\r\nAuthorization: %s\r\nContent-Length: %d\r\n\r\n"
              % (auth.encode(), len(body)) + body)
    r = conn.read_response()
    assert (r.status, r.body) == (200, b"both ok POST")


# ---- Basic --------------------------------------------------------------------------

def test_basic_curl(srv):
    url = "http://%s:%d" % (HOST, srv.port)
    assert curl("--basic", "-u", "alice:wonderland", url + "/basic") == (200, "basic ok GET")
    assert curl("--basic", "-u", "bob:pass:with:colons", url + "/basic") == (200, "basic ok GET")
    assert curl("--basic", "-u", "alice:wrong", url + "/basic")[0] == 401
    assert curl("--basic", "-u", "mallory:wonderland", url + "/basic")[0] == 401
    assert curl("--basic", "-u", "alice:wonderland", url + "/digest")[0] == 401   # Digest only


def test_basic_urllib(srv):
    url = "http://%s:%d/basic" % (HOST, srv.port)
    mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    mgr.add_password(None, url, "alice", "wonderland")
    opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(mgr))
    with opener.open(url, timeout=5) as r:
        assert r.status == 200 and r.read() == b"basic ok GET"
    mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    mgr.add_password(None, url, "alice", "nope")
    opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(mgr))
    with pytest.raises(urllib.error.HTTPError) as e:
        opener.open(url, timeout=5)
    assert e.value.code == 401


def test_basic_raw(conn):
    assert get(conn, "/basic", "basic " + b64("alice:wonderland")).status == 200   # scheme: any case
    assert get(conn, "/basic", "Basic   " + b64("alice:wonderland")).status == 200
    assert get(conn, "/basic", "Basic " + b64("alice:wonderlanD")).status == 401
    assert get(conn, "/basic", "Basic " + b64("Alice:wonderland")).status == 401
    assert get(conn, "/basic", "Basic " + b64("alice:")).status == 401
    assert get(conn, "/basic", "Basic " + b64("a" * 65 + ":x")).status == 401   # over the user limit
    assert get(conn, "/basic", "Bearer abc").status == 401                      # a scheme not offered
    assert get(conn, "/basic", "Digest username=\"alice\"").status == 401       # not offered here


@pytest.mark.parametrize("value", [
    "Basic !!!!",                        # not base64
    "Basic " + b64("alice")[:-1],        # bad length
    "Basic " + b64("alicewonderland"),   # no colon
    "Basic",                             # no credentials
    "Basic," + b64("alice:wonderland"),  # no space after the scheme
    "Basic " + base64.b64encode(b"al\x00ice:wonderland").decode(),   # NUL
])
def test_basic_malformed_400(srv, value):
    with Conn(port=srv.port) as c:
        r = get(c, "/basic", value)
    assert r.status == 400, r


def test_header_too_long_400(conn):
    assert get(conn, "/basic", "Basic " + "A" * 600).status == 400


# ---- Digest -------------------------------------------------------------------------

def test_digest_curl(srv):
    url = "http://%s:%d" % (HOST, srv.port)
    assert curl("--digest", "-u", "alice:wonderland", url + "/digest") == (200, "digest ok GET")
    assert curl("--digest", "-u", "bob:pass:with:colons", url + "/digest?a=1&b=2") == (200, "digest ok GET")
    assert curl("--digest", "-u", "alice:wonderland", "-X", "POST", url + "/both") == (200, "both ok POST")
    assert curl("--digest", "-u", "alice:wrong", url + "/digest")[0] == 401
    assert curl("--digest", "-u", "eve:wonderland", url + "/digest")[0] == 401
    # two URLs on one connection: curl answers the second with the same nonce, nc 2
    p = subprocess.run([CURL, "-s", "--max-time", "10", "--digest", "-u", "alice:wonderland", "-w", " %{http_code}\n",
                        url + "/digest", url + "/digest"], capture_output=True, text=True, timeout=20)
    assert p.stdout == "digest ok GET 200\ndigest ok GET 200\n", p
    # --anyauth picks Digest from the two challenges; the handler gets the user name
    assert curl("--anyauth", "-u", "bob:pass:with:colons", url + "/check") == (200, "user bob")


def test_digest_http_client(srv):
    """http.client with a hand-computed Digest SHA-256 response; nc goes up on one nonce."""
    c = http.client.HTTPConnection(HOST, srv.port, timeout=5)
    try:
        c.request("GET", "/digest")
        r = c.getresponse()
        r.read()
        assert r.status == 401
        ch = dict(parse_challenge(r.getheader("WWW-Authenticate"))[1])
        for n in range(1, 4):
            c.request("GET", "/digest", headers={"Authorization": digest_header(
                ch, "alice", "wonderland", "GET", "/digest", nc="%08x" % n)})
            r = c.getresponse()
            assert (r.status, r.read()) == (200, b"digest ok GET")
    finally:
        c.close()


def test_digest_urllib_lacks_sha256(srv):
    """urllib's HTTPDigestAuthHandler does not know SHA-256 (which is why the other tests
    compute it by hand): it refuses the challenge instead of sending a wrong answer."""
    url = "http://%s:%d/digest" % (HOST, srv.port)
    mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    mgr.add_password(None, url, "alice", "wonderland")
    opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(mgr))
    with pytest.raises((ValueError, urllib.error.HTTPError)):
        opener.open(url, timeout=5)


def test_digest_raw_ok_and_user(conn):
    ch = challenge_of(conn, "/check")
    r = get(conn, "/check", digest_header(ch, "alice", "wonderland", "GET", "/check"))
    assert (r.status, r.body) == (200, b"user alice")
    # HEAD and other methods hash their own method name
    ch = challenge_of(conn, "/both")
    r = get(conn, "/both", digest_header(ch, "alice", "wonderland", "PUT", "/both"), method="PUT")
    assert (r.status, r.body) == (200, b"both ok PUT")
    r = get(conn, "/both", digest_header(ch, "alice", "wonderland", "GET", "/both"), method="PUT")
    assert r.status == 401


def test_digest_wrong_credentials(conn):
    ch = challenge_of(conn, "/digest")
    assert get(conn, "/digest", digest_header(ch, "alice", "Wonderland", "GET", "/digest")).status == 401
    assert get(conn, "/digest", digest_header(ch, "nobody", "wonderland", "GET", "/digest")).status == 401
    r = get(conn, "/digest", digest_header(ch, "alice", "wonderland", "GET", "/digest",
                                           override={"response": '"%s"' % ("0" * 64)}))
    assert r.status == 401 and "stale" not in digest_challenge(r)


def test_digest_ha1_callback(srv, conn):
    ch = challenge_of(conn, "/ha1")
    r = get(conn, "/ha1", digest_header(ch, "carol", "carolpw", "GET", "/ha1"))
    assert (r.status, r.body) == (200, b"ha1 ok GET")
    assert get(conn, "/ha1", digest_header(ch, "carol", "carolPW", "GET", "/ha1")).status == 401
    assert get(conn, "/ha1", "Basic " + b64("carol:carolpw")).status == 200
    assert get(conn, "/ha1", "Basic " + b64("carol:x")).status == 401
    assert get(conn, "/ha1", "Basic " + b64("alice:wonderland")).status == 401   # not in the callback


def test_digest_stale_nonce(conn):
    ch = challenge_of(conn, "/digest")
    assert get(conn, "/digest", digest_header(ch, "alice", "wonderland", "GET", "/digest")).status == 200
    time.sleep(LIFETIME + 1.2)
    r = get(conn, "/digest", digest_header(ch, "alice", "wonderland", "GET", "/digest", nc="00000002"))
    assert r.status == 401
    fresh = digest_challenge(r)
    assert fresh.get("stale") == "true" and fresh["nonce"] != ch["nonce"]
    # wrong password with the old nonce: no stale=true (RFC 7616 3.3)
    r = get(conn, "/digest", digest_header(ch, "alice", "nope", "GET", "/digest"))
    assert r.status == 401 and "stale" not in digest_challenge(r)
    # the new nonce works
    assert get(conn, "/digest", digest_header(fresh, "alice", "wonderland", "GET", "/digest")).status == 200


def test_digest_forged_nonce(conn):
    ch = challenge_of(conn, "/digest")
    n = ch["nonce"]
    flip = lambda s, i: s[:i] + ("1" if s[i] != "1" else "2") + s[i + 1:]   # noqa: E731
    # the MAC, the time, the counter; lengths; not hex
    for forged in (flip(n, 47), flip(n, 7), flip(n, 15), n[:-1], n + "0", "x" * 48, "0" * 48):
        bad = dict(ch, nonce=forged)
        r = get(conn, "/digest", digest_header(bad, "alice", "wonderland", "GET", "/digest"))
        assert r.status == 401, forged
        assert "stale" not in digest_challenge(r)


def test_digest_nonce_count(conn):
    """nc: each value once per nonce; out of order within the window is fine (parallel
    connections); a nonce the server has not seen must start at 1, else stale=true."""
    ch = challenge_of(conn, "/digest")
    ok = lambda nc: get(conn, "/digest", digest_header(   # noqa: E731
        ch, "alice", "wonderland", "GET", "/digest", nc=nc)).status
    assert ok("00000001") == 200
    assert ok("00000001") == 401          # replayed
    assert ok("00000004") == 200
    assert ok("00000003") == 200          # late, not seen yet
    assert ok("00000003") == 401
    assert ok("00000004") == 401
    assert ok("00000029") == 200          # 0x29 = 41: moves the window past 1..9
    assert ok("00000002") == 401          # too old to tell: refused
    assert ok("00000000") == 401
    ch2 = challenge_of(conn, "/digest")
    assert ch2["nonce"] != ch["nonce"]    # every challenge has its own nonce
    r = get(conn, "/digest", digest_header(ch2, "alice", "wonderland", "GET", "/digest", nc="00000005"))
    assert r.status == 401 and digest_challenge(r).get("stale") == "true"


@pytest.mark.parametrize("override,status", [
    ({"uri": '"/other"'}, 400),                 # uri is not the request target
    ({"uri": '"/digest?x=1"'}, 400),
    ({"response": None}, 400),                  # a required parameter missing
    ({"nonce": None}, 400),
    ({"qop": None}, 400),
    ({"nc": "1"}, 400),                         # nc: 8 hex digits
    ({"response": '"abc"'}, 400),
    ({"algorithm": None}, 401),                 # MD5 by default: not offered
    ({"algorithm": "MD5"}, 401),
    ({"qop": "auth-int"}, 401),
    ({"realm": '"other realm"'}, 401),
    ({"opaque": '"00"'}, 401),
    ({"opaque": None}, 200),                    # opaque is checked when it is sent
    ({"algorithm": "sha-256"}, 200),            # tokens compare case-insensitively
])
def test_digest_params(srv, override, status):
    with Conn(port=srv.port) as c:
        ch = challenge_of(c, "/digest")
        r = get(c, "/digest", digest_header(ch, "alice", "wonderland", "GET", "/digest", override=override))
    assert r.status == status, (override, r)


@pytest.mark.parametrize("value", [
    'Digest username="alice", username="bob"',   # a duplicate parameter
    'Digest username="alice',                    # unterminated quoted string
    'Digest username',                           # no '='
    'Digest username=a b',
    'Digest ,,,',                                # no parameters at all
])
def test_digest_malformed_400(srv, value):
    with Conn(port=srv.port) as c:
        assert get(c, "/digest", value).status == 400


def test_digest_escapes_and_commas(conn):
    """A quoted username with an escaped character and a comma in another quoted value
    parse like the plain ones."""
    ch = challenge_of(conn, "/digest")
    h = digest_header(ch, "alice", "wonderland", "GET", "/digest", cnonce="a,b",
                      override={"username": '"al\\ice"'})
    assert get(conn, "/digest", h).status == 200


# ---- CORS ---------------------------------------------------------------------------

def cors_headers(r):
    return {k.lower(): v for k, v in r.headers if k.lower().startswith("access-control-")}


def preflight(conn, path, origin=ORIGIN, method="PUT", headers=None):
    h = []
    if origin is not None:
        h.append(("Origin", origin))
    if method is not None:
        h.append(("Access-Control-Request-Method", method))
    if headers is not None:
        h.append(("Access-Control-Request-Headers", headers))
    return get(conn, path, method="OPTIONS", headers=h)


def test_cors_preflight_allowed(conn):
    r = preflight(conn, "/cors", headers="content-type,x-token")
    assert r.status == 204 and r.body == b""
    assert cors_headers(r) == {
        "access-control-allow-origin": ORIGIN,
        "access-control-allow-methods": "GET, PUT",
        "access-control-allow-headers": "Content-Type, X-Token",
        "access-control-max-age": "600",
    }
    assert r.header("Vary") == "Origin"
    r = preflight(conn, "/cors", origin="HTTP://ALLOWED.EXAMPLE", method="GET")   # case-insensitive, safelisted
    assert r.status == 204 and cors_headers(r)["access-control-allow-origin"] == "HTTP://ALLOWED.EXAMPLE"


@pytest.mark.parametrize("kw", [
    {"origin": "http://evil.example"},
    {"origin": "http://allowed.example.evil"},
    {"method": "DELETE"},
    {"method": "put"},                          # method names are case-sensitive
    {"headers": "x-other"},
    {"headers": "content-type, x-other"},
])
def test_cors_preflight_denied(srv, kw):
    with Conn(port=srv.port) as c:
        r = preflight(c, "/cors", **kw)
        assert r.status == 403 and cors_headers(r) == {}
        assert get(c, "/cors").status == 200    # the connection stays usable


def test_cors_plain_options(conn):
    for kw in ({"origin": None, "method": None}, {"method": None}):
        r = preflight(conn, "/cors", **kw)
        assert r.status == 204 and cors_headers(r) == {} and r.header("Allow") == "GET, PUT"


def test_cors_simple_response(conn):
    r = get(conn, "/cors", headers=[("Origin", ORIGIN)])
    assert (r.status, r.body) == (200, b"cors ok")
    assert cors_headers(r) == {"access-control-allow-origin": ORIGIN,
                               "access-control-expose-headers": "X-Count"}
    assert r.header("Vary") == "Origin" and r.header("X-Count") == "3"
    # an error response the handler sends keeps the headers
    r = get(conn, "/cors?err", headers=[("Origin", ORIGIN)])
    assert (r.status, r.body) == (404, b"no such thing")
    assert cors_headers(r)["access-control-allow-origin"] == ORIGIN
    # no Origin: no CORS headers (Vary still: a cache must not mix the two)
    r = get(conn, "/cors")
    assert r.status == 200 and cors_headers(r) == {} and r.header("Vary") == "Origin"
    # an origin not allowed: served, but without CORS headers (the browser hides it)
    r = get(conn, "/cors", headers=[("Origin", "http://evil.example")])
    assert r.status == 200 and cors_headers(r) == {}


def test_cors_credentials_and_any(conn):
    r = get(conn, "/cors-cred", headers=[("Origin", ORIGIN)])
    assert cors_headers(r) == {"access-control-allow-origin": ORIGIN,
                               "access-control-allow-credentials": "true"}
    r = get(conn, "/cors-any", headers=[("Origin", "http://anything.example")])
    assert cors_headers(r) == {"access-control-allow-origin": "*"}
    assert r.header("Vary") is None
    r = get(conn, "/cors-any")
    assert cors_headers(r) == {}


def test_cors_with_auth(conn):
    # the preflight is not challenged
    r = preflight(conn, "/cors-auth", method="GET", headers="authorization")
    assert r.status == 204
    assert cors_headers(r)["access-control-allow-credentials"] == "true"
    assert cors_headers(r)["access-control-allow-headers"] == "Authorization"
    # the 401 carries the CORS headers, so the page can read it
    r = get(conn, "/cors-auth", headers=[("Origin", ORIGIN)])
    assert r.status == 401 and len(r.header_all("WWW-Authenticate")) == 2
    assert cors_headers(r)["access-control-allow-origin"] == ORIGIN
    ch = digest_challenge(r)
    r = get(conn, "/cors-auth", digest_header(ch, "alice", "wonderland", "GET", "/cors-auth"),
            headers=[("Origin", ORIGIN)])
    assert (r.status, r.body) == (200, b"cors-auth ok")
    assert cors_headers(r)["access-control-allow-origin"] == ORIGIN
    r = get(conn, "/cors-auth", "Basic " + b64("alice:wonderland"))
    assert r.status == 200 and cors_headers(r) == {}
