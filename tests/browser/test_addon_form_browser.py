# SPDX-License-Identifier: Apache-2.0
"""Headless-browser test of the form add-ons: Chromium submits a
<form enctype="multipart/form-data"> with a file and a text field, and an urlencoded
form with non-ASCII text, to the test firmware $HTTPD_BUILD_DIR/form
(tests/server_addons/form.c), whose answers summarise what the add-ons parsed.

Needs the Debian packages chromium, chromium-driver and python3-selenium; without them
every test here skips.

    HTTPD_BUILD_DIR=$PWD/build/asan-gcc /usr/bin/python3 -m pytest tests/browser/test_addon_form_browser.py
"""

import inspect
import os
import random
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("HTTPD_BUILD_DIR") or (REPO / "build" / "asan-gcc"))
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
PAGE_TIMEOUT = 15.0


def fnv(data, h=2166136261):
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


@pytest.fixture
def tools():
    try:
        from selenium import webdriver
    except ImportError:
        pytest.skip("python3-selenium is not installed")
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    driver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip("chromium / chromium-driver is not installed")
    return chromium, driver, webdriver


@pytest.fixture
def server(tmp_path):
    """The form firmware on a free port (a few tries); SIGTERM and checks at the end."""
    exe = BUILD_DIR / "form"
    if not exe.exists():
        pytest.fail("%s is not built (set HTTPD_BUILD_DIR)" % exe)
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    proc = None
    for _ in range(5):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        out, err = tmp_path / "out", tmp_path / "err"
        with open(out, "wb") as o, open(err, "wb") as e:
            proc = subprocess.Popen([str(exe), "--port", str(port)], stdout=o, stderr=e,
                                    stdin=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None and "READY" not in out.read_text():
            time.sleep(0.02)
        if "READY" in out.read_text():
            break
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        proc = None
    if proc is None:
        pytest.fail("form did not start")
    yield port
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        rc = "hung"
    log = err.read_text(errors="replace")
    for m in SANITIZER_MARKERS:
        assert m not in log, log[-6000:]
    assert rc == 0, "form exited with %s:\n%s" % (rc, log[-3000:])


@pytest.fixture
def browser(tools, tmp_path):
    chromium, driver_path, webdriver = tools
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check",
                "--user-data-dir=%s" % (tmp_path / "chromium-profile")):
        opts.add_argument(arg)
    log_kw = "log_output" if "log_output" in inspect.signature(Service).parameters else "log_path"
    service = Service(executable_path=driver_path, **{log_kw: str(tmp_path / "chromedriver.log")})
    try:
        drv = webdriver.Chrome(service=service, options=opts)
    except Exception as e:
        pytest.fail("headless Chromium did not start: %s" % e)
    drv.set_page_load_timeout(PAGE_TIMEOUT)
    yield drv
    drv.quit()


def _body_text(drv, want):
    """The text of the page once it contains want (the submit navigates: the old
    page's elements go stale meanwhile)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(drv, PAGE_TIMEOUT, poll_frequency=0.1,
                  ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)).until(
        lambda d: want in d.find_element("tag name", "body").text)
    return drv.find_element("tag name", "body").text


def test_browser_multipart_upload(server, browser, tmp_path):
    data = random.Random(7).randbytes(300000) + b"\r\n--"   # ends like a delimiter start
    path = tmp_path / "photo.bin"
    path.write_bytes(data)
    browser.get("http://127.0.0.1:%d/" % server)
    browser.find_element("id", "note").send_keys("caf\u00e9 & co")
    browser.find_element("id", "file").send_keys(str(path))
    browser.find_element("id", "up-send").click()
    text = _body_text(browser, "parts=2")
    lines = text.splitlines()
    assert lines[0] == "part=0 name=note filename=- type=- size=%d fnv=%08x" % (
        len("caf\u00e9 & co".encode()), fnv("caf\u00e9 & co".encode())), text
    assert lines[1].startswith("part=1 name=file filename=photo.bin type="), text
    assert lines[1].endswith(" size=%d fnv=%08x" % (len(data), fnv(data))), text
    assert lines[2] == "parts=2 bytes=%d" % (len(data) + len("caf\u00e9 & co".encode())), text


def test_browser_urlencoded_form(server, browser):
    browser.get("http://127.0.0.1:%d/" % server)
    browser.find_element("id", "msg").send_keys("a+b=c & d \u00e9")
    browser.find_element("id", "f-send").click()
    text = _body_text(browser, "msg=")
    # the browser sent "msg=a%2Bb%3Dc+%26+d+%C3%A9"; the echo is the decoded UTF-8
    assert text == "msg=a+b=c & d \u00e9", text
