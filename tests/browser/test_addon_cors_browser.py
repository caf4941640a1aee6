# SPDX-License-Identifier: Apache-2.0
"""Headless-Chromium tests of the CORS and auth add-ons: cross-origin fetch() calls,
and a Digest SHA-256 login.

Two small page servers (Python's http.server) on two ports of 127.0.0.1 give two
origins; $HTTPD_BUILD_DIR/auth_server (tests/server_addons/auth_server.c) runs on a
third port and allows only the first origin (--origin). A page of each origin calls
fetch() on the server: the allowed origin reads the answers (with a preflight for a
custom request header, an exposed response header, credentials mode), the other one
gets a network error for each, as the browser enforces CORS.

Needs the Debian packages chromium, chromium-driver and python3-selenium; without
them every test here skips.

    HTTPD_BUILD_DIR=$PWD/build/asan-gcc /usr/bin/python3 -m pytest tests/browser
"""

import http.server
import inspect
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("HTTPD_BUILD_DIR") or (REPO / "build" / "asan-gcc"))
START_TIMEOUT = 15.0
STOP_TIMEOUT = 15.0
SCRIPT_TIMEOUT = 15.0
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def tools():
    """(chromium, chromedriver, webdriver), or a skip naming what is missing."""
    missing = []
    try:
        from selenium import webdriver
    except ImportError:
        webdriver = None
        missing.append("python3-selenium")
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    driver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
    if not chromium:
        missing.append("chromium")
    if not driver:
        missing.append("chromium-driver")
    if missing:
        pytest.skip("headless browser test: missing " + ", ".join(missing))
    return chromium, driver, webdriver


class _Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):   # noqa: N802 (http.server's name)
        body = b"<!doctype html><title>cors page</title><p>cross-origin fetch test</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def pages():
    """Two page servers: [(origin, server)], stopped after the test."""
    out = []
    for _ in range(2):
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        out.append(("http://127.0.0.1:%d" % srv.server_address[1], srv))
    yield [o for o, _ in out]
    for _, srv in out:
        srv.shutdown()
        srv.server_close()


@pytest.fixture
def server(pages, tmp_path):
    """auth_server allowing the first page origin; checked for a clean exit at stop."""
    exe = BUILD_DIR / "auth_server"
    if not exe.exists():
        pytest.fail(f"{exe} is not built (set HTTPD_BUILD_DIR)")
    port = _free_port()
    out_path, err_path = tmp_path / "stdout", tmp_path / "stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen([str(exe), "--port", str(port), "--origin", pages[0]],
                                stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + START_TIMEOUT
    while b"READY" not in out_path.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            pytest.fail("auth_server did not start:\n" + err_path.read_text(errors="replace"))
        time.sleep(0.05)
    yield "http://127.0.0.1:%d" % port
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        rc = "hung"
    log = err_path.read_text(errors="replace")
    for marker in SANITIZER_MARKERS:
        assert marker not in log, log[-6000:]
    assert rc == 0, "auth_server exited with %s:\n%s" % (rc, log[-4000:])


@pytest.fixture
def browser(tools, tmp_path):
    chromium, driver_path, webdriver = tools
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check",
                f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        opts.add_argument(arg)
    log_kw = "log_output" if "log_output" in inspect.signature(Service).parameters else "log_path"
    service = Service(executable_path=driver_path, **{log_kw: str(tmp_path / "chromedriver.log")})
    try:
        drv = webdriver.Chrome(service=service, options=opts)
    except Exception as e:  # a browser that cannot start here is an environment problem
        pytest.fail(f"headless Chromium did not start: {e}")
    drv.set_page_load_timeout(SCRIPT_TIMEOUT)
    drv.set_script_timeout(SCRIPT_TIMEOUT)
    yield drv
    drv.quit()


# fetch(url, init) in the page; the result as {ok, status, body, xcount} or {error}.
FETCH = """
const [url, init, done] = arguments;
fetch(url, init).then(async r => done({ok: true, status: r.status, body: await r.text(),
                                       xcount: r.headers.get('X-Count')}),
                      e => done({error: String(e)}));
"""


def fetch(drv, url, init=None):
    return drv.execute_async_script(FETCH, url, init or {})


def test_cross_origin_fetch(browser, pages, server):
    allowed, other = pages
    browser.get(allowed + "/")
    # a simple request: the answer is readable, with the exposed header
    r = fetch(browser, server + "/cors")
    assert r == {"ok": True, "status": 200, "body": "cors ok", "xcount": "3"}, r
    # an error response of the handler is readable too
    r = fetch(browser, server + "/cors?err")
    assert r.get("status") == 404 and r.get("body") == "no such thing", r
    # a custom request header: preflight (OPTIONS) first, then the GET
    r = fetch(browser, server + "/cors", {"headers": {"X-Token": "t"}})
    assert r.get("status") == 200, r
    # a header the preflight does not allow: the GET never happens
    r = fetch(browser, server + "/cors", {"headers": {"X-Other": "t"}})
    assert "error" in r, r
    # credentials mode needs Access-Control-Allow-Credentials and the echoed origin
    r = fetch(browser, server + "/cors-cred", {"credentials": "include"})
    assert r.get("status") == 200 and r.get("body") == "cors-cred ok", r
    r = fetch(browser, server + "/cors", {"credentials": "include"})
    assert "error" in r, r   # /cors does not allow credentials
    # "*" serves any origin without credentials
    r = fetch(browser, server + "/cors-any")
    assert r.get("body") == "cors-any ok", r

    browser.get(other + "/")
    for path, init in (("/cors", None), ("/cors", {"headers": {"X-Token": "t"}}),
                       ("/cors-cred", {"credentials": "include"})):
        r = fetch(browser, server + path, init)
        assert "error" in r, (path, json.dumps(r))
    r = fetch(browser, server + "/cors-any")
    assert r.get("body") == "cors-any ok", r


def test_browser_digest_sha256_login(browser, server):
    """Chromium answers the Digest SHA-256 challenge (credentials in the URL stand in for
    its login dialog), and Basic; with a wrong password the page stays the 401's."""
    host = server.split("//", 1)[1]
    browser.get("http://alice:wonderland@%s/digest" % host)
    assert browser.find_element("tag name", "body").text == "digest ok GET"
    browser.get("http://bob:pass:with:colons@%s/basic" % host.replace("127.0.0.1", "localhost"))
    assert browser.find_element("tag name", "body").text == "basic ok GET"
    browser.get("http://alice:nope@%s/ha1" % host)
    assert "ha1 ok" not in browser.find_element("tag name", "body").text
