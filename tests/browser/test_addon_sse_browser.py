# SPDX-License-Identifier: Apache-2.0
"""Headless-browser test of the Server-Sent Events add-on (httpd_sse.h).

Starts $HTTPD_BUILD_DIR/push_server (tests/server_addons/push_server.c) on a free
port, opens its /page in headless Chromium driven by Selenium: the page's
EventSource on /events must open, receive the subscription's "hello" event,
then named and unnamed broadcast events (multi-line data included, with their
ids); after the server ends the subscription, the browser reconnects by itself
(after the "retry:" time the route sends) and its Last-Event-ID reaches the
server's on_subscribe.

Needs chromium, chromium-driver and python3-selenium, as test_demo_browser.py
(whose browser start-up and skip logic this file shares); without them it skips.

    HTTPD_BUILD_DIR=$PWD/build/asan-gcc /usr/bin/python3 -m pytest tests/browser
"""

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from test_demo_browser import BUILD_DIR, SANITIZER_MARKERS, _free_port, _wait, browser, tools  # noqa: F401

START_TIMEOUT = 15.0
STOP_TIMEOUT = 15.0


class PushServer:
    """push_server on a free port (READY on stdout), stderr to a file."""

    def __init__(self, workdir):
        exe = BUILD_DIR / "push_server"
        if not exe.exists():
            pytest.fail(f"{exe} is not built (set HTTPD_BUILD_DIR)")
        self.port = _free_port()
        self.out_path = workdir / "push.stdout"
        self.err_path = workdir / "push.stderr"
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen([str(exe), "--port", str(self.port), "--retry-ms", "300"], env=env,
                                         stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        while f"READY {self.port}" not in self.out_path.read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                self.proc.wait()
                pytest.fail(f"push_server did not get ready:\n{self.log()}")
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=5) as r:
            return r.read().decode()

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


@pytest.fixture
def push(tmp_path):
    p = PushServer(tmp_path)
    yield p
    rc = p.stop()
    log = p.log()
    for marker in SANITIZER_MARKERS:
        assert marker not in log, f"{marker!r} on push_server's stderr:\n{log[-8000:]}"
    assert rc == 0, f"push_server exited with {rc}; stderr:\n{log[-4000:]}"


def _got(drv):
    return drv.execute_script("return window.got.slice()")


def test_eventsource_receives_broadcasts(tools, push, browser):
    browser.get(push.url + "/page")
    _wait(browser, "the EventSource to open", lambda d: d.execute_script("return window.opened"))
    _wait(browser, "the hello event", lambda d: "hello:last=none" in _got(d))
    assert push.get("/count").startswith("subs=1 ")
    assert push.get("/bcast?event=news&id=5&data=first%0Asecond") == "queued=1"
    assert push.get("/bcast?data=plain") == "queued=1"
    _wait(browser, "both broadcasts", lambda d: len(_got(d)) >= 3)
    assert _got(browser)[:3] == ["hello:last=none", "news:5:first\nsecond", "message:plain"]

    # The server ends the subscription: the browser reconnects and says where it was.
    assert push.get("/kick") == "kick=1"
    _wait(browser, "the reconnection with Last-Event-ID", lambda d: "hello:last=5" in _got(d))
    assert push.get("/bcast?event=news&id=6&data=after") == "queued=1"
    _wait(browser, "the event after reconnecting", lambda d: "news:6:after" in _got(d))
    errors = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"
              and "favicon" not in e.get("message", "")]
    assert not errors, errors
