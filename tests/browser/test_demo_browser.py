# SPDX-License-Identifier: Apache-2.0
"""Headless-browser test of the demo page's live WebSocket panel.

Starts $HTTPD_BUILD_DIR/example_demo (default <repo>/build/asan-gcc) on a free
port, opens /showcase/ (the API tour page; / is the device dashboard,
tested by test_dashboard_browser.py) in headless Chromium driven by Selenium, waits for the WebSocket
status to read "connected", types a message, clicks Send, and checks that the
echo shows in the page's log and that broadcast ticks arrive in the live feed.
A screenshot goes to <repo>/test-artifacts/demo-ws.png.

Needs the Debian packages chromium, chromium-driver and python3-selenium
(scripts/browser-deps.sh installs them); without them every test here skips.

    HTTPD_BUILD_DIR=$PWD/build/asan-gcc /usr/bin/python3 -m pytest tests/browser
"""

import inspect
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("HTTPD_BUILD_DIR") or (REPO / "build" / "asan-gcc"))
ARTIFACTS = REPO / "test-artifacts"
SCREENSHOT = ARTIFACTS / "demo-ws.png"
SHOWCASE = "/showcase/"     # the API tour page

START_TIMEOUT = 15.0
STOP_TIMEOUT = 15.0
PAGE_TIMEOUT = 15.0     # each wait on the page
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
INSTALL_HINT = "install them with scripts/browser-deps.sh (as root)"


def _find(*names):
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


def _browser_tools():
    """(chromium, chromedriver, selenium module), or pytest.skip naming what is missing."""
    missing = []
    try:
        import selenium  # noqa: F401
        from selenium import webdriver
    except ImportError:
        webdriver = None
        missing.append("python3-selenium (Python module selenium)")
    chromium = os.environ.get("CHROMIUM") or _find("chromium", "chromium-browser")
    if not chromium:
        missing.append("chromium (browser)")
    driver = os.environ.get("CHROMEDRIVER") or _find("chromedriver")
    if not driver:
        missing.append("chromium-driver (chromedriver)")
    if missing:
        pytest.skip("headless browser test: missing " + ", ".join(missing) + "; " + INSTALL_HINT)
    return chromium, driver, webdriver


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Demo:
    """example_demo on a free port; stderr to a file, checked at stop."""

    def __init__(self, workdir, tls=None, env=None, port=None):
        self.exe = BUILD_DIR / "example_demo"
        if not self.exe.exists():
            pytest.fail(f"{self.exe} is not built (set HTTPD_BUILD_DIR)")
        self.port = port or _free_port()
        self.port_tls = _free_port() if tls else None
        self.err_path = workdir / "demo.stderr"
        extra = env or {}
        env = dict(os.environ, PORT=str(self.port))
        env.setdefault("DEMO_STORAGE", str(workdir / "demo-storage"))
        env.update(extra)
        if tls:   # (cert, key): the demo serves HTTPS too
            env.update(PORT_TLS=str(self.port_tls), TLS_CERT=tls[0], TLS_KEY=tls[1])
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        with open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen([str(self.exe)], env=env, stdout=subprocess.DEVNULL,
                                         stderr=err, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"example_demo exited early with {self.proc.returncode}:\n{self.log()}")
            try:
                for p in (self.port, self.port_tls or self.port):
                    with socket.create_connection(("127.0.0.1", p), timeout=1.0):
                        pass
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.proc.kill()
                    pytest.fail(f"example_demo did not listen on {self.port}:\n{self.log()}")
                time.sleep(0.05)
        self.base = f"http://127.0.0.1:{self.port}"
        self.base_tls = f"https://localhost:{self.port_tls}" if tls else None
        self.url = self.base + SHOWCASE
        self.url_tls = self.base_tls + SHOWCASE if tls else None

    def log(self):
        return self.err_path.read_text(errors="replace") if self.err_path.exists() else ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return "hung"


def _stop_and_check(d):
    rc = d.stop()
    log = d.log()
    for marker in SANITIZER_MARKERS:
        assert marker not in log, f"{marker!r} on example_demo's stderr:\n{log[-8000:]}"
    assert rc == 0, f"example_demo exited with {rc}; stderr:\n{log[-4000:]}"


@pytest.fixture
def demo(tmp_path):
    d = Demo(tmp_path)
    yield d
    _stop_and_check(d)


def _openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture
def test_ca(tmp_path):
    """A test CA made with the openssl command line tool, and a certificate for
    localhost signed by it: (ca.pem, the server's chain, its key, the CA key's SPKI hash)."""
    if not shutil.which("openssl"):
        pytest.skip("no openssl command line tool")
    d = tmp_path / "pki"
    d.mkdir()
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=httpd browser test CA", cwd=d)
    _openssl("req", "-new", *ec, "-keyout", "key.pem", "-out", "cert.csr", "-subj", "/CN=localhost", cwd=d)
    (d / "ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    _openssl("x509", "-req", "-in", "cert.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "cert.pem", "-days", "2", "-extfile", "ext", cwd=d)
    # The server presents the chain (its certificate, then the CA's); Chromium trusts
    # the CA through the hash of its public key (SubjectPublicKeyInfo), which it
    # accepts for a certificate of the presented chain.
    (d / "chain.pem").write_text((d / "cert.pem").read_text() + (d / "ca.pem").read_text())
    spki = subprocess.run("openssl x509 -in ca.pem -pubkey -noout | openssl pkey -pubin -outform der"
                          " | openssl dgst -sha256 -binary | base64", shell=True, cwd=d, check=True,
                          capture_output=True, timeout=60).stdout.decode().strip()
    return str(d / "ca.pem"), str(d / "chain.pem"), str(d / "key.pem"), spki


@pytest.fixture
def demo_tls(tmp_path, test_ca):
    d = Demo(tmp_path, tls=test_ca[1:3])
    yield d
    _stop_and_check(d)


@pytest.fixture
def tools():
    """Skips before anything starts when the browser tools are missing."""
    return _browser_tools()


@pytest.fixture
def browser(tools, tmp_path, request):
    chromium, driver_path, webdriver = tools
    # A test that asks for test_ca gets a browser that trusts that CA.
    spki = request.getfixturevalue("test_ca")[3] if "test_ca" in request.fixturenames else None
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1000,1500", "--no-first-run", "--no-default-browser-check",
                f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        opts.add_argument(arg)
    if spki:
        opts.add_argument("--ignore-certificate-errors-spki-list=" + spki)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Selenium 4.11 renamed log_path to log_output; Debian 12 has 4.8.
    log_kw = "log_output" if "log_output" in inspect.signature(Service).parameters else "log_path"
    service = Service(executable_path=driver_path, **{log_kw: str(tmp_path / "chromedriver.log")})
    try:
        drv = webdriver.Chrome(service=service, options=opts)
    except Exception as e:  # a browser that cannot start here is an environment problem
        log = tmp_path / "chromedriver.log"
        pytest.fail(f"headless Chromium did not start: {e}\n"
                    f"{log.read_text(errors='replace')[-3000:] if log.exists() else ''}")
    drv.set_page_load_timeout(PAGE_TIMEOUT)
    yield drv
    drv.quit()


def _wait(drv, what, cond, timeout=PAGE_TIMEOUT):
    from selenium.webdriver.support.ui import WebDriverWait
    from selenium.common.exceptions import TimeoutException

    try:
        return WebDriverWait(drv, timeout, poll_frequency=0.1).until(lambda d: cond(d))
    except TimeoutException:
        raise AssertionError(f"timed out after {timeout} s waiting for {what}; page text:\n"
                             + drv.find_element("tag name", "body").text) from None


def _text(drv, element_id):
    return drv.find_element("id", element_id).text


def test_demo_page_websocket_panel(tools, demo, browser):
    browser.get(demo.url)
    assert browser.title == "esp_http_server demo"

    _wait(browser, "the echo WebSocket to connect", lambda d: _text(d, "ws-status") == "connected")
    _wait(browser, "the broadcast subscription", lambda d: _text(d, "feed-status") == "subscribed")

    message = f"Hello from headless Chromium #{os.getpid()}"
    box = browser.find_element("id", "ws-text")
    box.clear()
    box.send_keys(message)
    browser.find_element("id", "ws-send").click()

    # The log shows what was sent ("\u2192 ") and the echo ("\u2190 ").
    _wait(browser, "the echo in the log", lambda d: "\u2190 " + message in _text(d, "ws-log"))
    log_lines = _text(browser, "ws-log").splitlines()
    assert "\u2192 " + message in log_lines, log_lines
    assert "\u2190 " + message in log_lines, log_lines

    # Enter sends too.
    box.clear()
    box.send_keys("second message\n")
    _wait(browser, "the second echo", lambda d: "\u2190 second message" in _text(d, "ws-log"))

    # Broadcast ticks: at least one, then a second so the screenshot shows a live feed.
    _wait(browser, "a broadcast tick", lambda d: "tick " in _text(d, "ws-feed"))
    _wait(browser, "a second broadcast tick",
          lambda d: _text(d, "ws-feed").count("tick ") >= 2, timeout=5)
    feed = _text(browser, "ws-feed")
    assert "(1 subscriber)" in feed, feed

    # The rest of the page still works: the POST /echo form.
    browser.find_element("id", "send").click()
    _wait(browser, "the POST /echo reply", lambda d: "200 OK" in _text(d, "reply"))
    assert "Hello from the browser!" in _text(browser, "reply")

    ARTIFACTS.mkdir(exist_ok=True)
    browser.execute_script("document.getElementById('websocket').scrollIntoView();")
    assert browser.save_screenshot(str(SCREENSHOT)), "screenshot failed"
    assert SCREENSHOT.stat().st_size > 1000

    # The way back to the dashboard.
    back = browser.find_element("id", "dashboard-link")
    assert back.get_attribute("href") == demo.base + "/", back.get_attribute("href")

    # An endpoint link answers inside the page, which stays open.
    browser.find_element("css selector", 'dt a[href="/hello"]').click()
    _wait(browser, "the /hello answer in the page", lambda d: "Hello World!" in _text(d, "try-out"))
    assert browser.current_url == demo.url

    # No script error and no 404 (the favicon is served).
    try:
        entries = browser.get_log("browser")
    except Exception:
        entries = []
    errors = [e for e in entries if e.get("level") == "SEVERE"]
    assert not errors, errors


def test_demo_page_over_https(tools, test_ca, demo_tls, browser):
    """The same page over TLS (httpd_ssl_start), the WebSocket panel over wss://."""
    browser.get(demo_tls.url_tls)
    assert browser.title == "esp_http_server demo"
    assert browser.execute_script("return location.protocol") == "https:"
    _wait(browser, "the echo WebSocket (wss) to connect", lambda d: _text(d, "ws-status") == "connected")
    box = browser.find_element("id", "ws-text")
    box.clear()
    box.send_keys("over TLS\n")
    _wait(browser, "the echo over wss", lambda d: "\u2190 over TLS" in _text(d, "ws-log"))
    _wait(browser, "a broadcast tick over wss", lambda d: "tick " in _text(d, "ws-feed"))
    browser.find_element("id", "send").click()
    _wait(browser, "the POST /echo reply over HTTPS", lambda d: "200 OK" in _text(d, "reply"))
