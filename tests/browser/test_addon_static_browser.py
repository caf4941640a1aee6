# SPDX-License-Identifier: Apache-2.0
"""Headless Chromium loads the built-in page of the static files add-on
(tests/server_addons/static_server, "/assets/": index.html, app.css, app.js from the
table, gzip variants) and runs it: the stylesheet applies and the script runs.
Skips without chromium, chromium-driver or python3-selenium (see README.md)."""
import signal
import subprocess
import time

import pytest

from test_demo_browser import BUILD_DIR, SANITIZER_MARKERS, _free_port, _wait, browser, tools  # noqa: F401

START_TIMEOUT = 15.0


@pytest.fixture
def static_server(tmp_path):
    exe = BUILD_DIR / "static_server"
    if not exe.exists():
        pytest.fail("static_server not built: %s (set HTTPD_BUILD_DIR)" % exe)
    (tmp_path / "www").mkdir()
    port = _free_port()
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = subprocess.Popen([str(exe), "--port", str(port), "--root", str(tmp_path / "www")],
                                stdin=subprocess.DEVNULL, stdout=o, stderr=e)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while ("READY %d" % port) not in out.read_text(errors="replace"):
            assert proc.poll() is None and time.monotonic() < deadline, err.read_text(errors="replace")[-3000:]
            time.sleep(0.02)
        yield port
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
    text = err.read_text(errors="replace")
    assert proc.returncode == 0, text[-3000:]
    assert not any(m in text for m in SANITIZER_MARKERS), text[-6000:]


def test_builtin_page_loads(browser, static_server):  # noqa: F811
    browser.get("http://127.0.0.1:%d/assets/" % static_server)
    _wait(browser, "app.js to run", lambda d: d.find_element("id", "status").text == "app.js ran")
    color = browser.execute_script(
        "return getComputedStyle(document.getElementById('title')).color")
    assert color == "rgb(0, 128, 0)"
    # every resource came from the table, compressed where it has a gzip variant
    names = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name + ' ' + e.encodedBodySize + ' ' + e.decodedBodySize)")
    by = {n.split()[0].rsplit("/", 1)[1]: tuple(map(int, n.split()[1:])) for n in names}
    assert set(by) >= {"app.css", "app.js"}, names
    for name in ("app.css", "app.js"):
        enc, dec = by[name]
        assert enc < dec, (name, enc, dec)          # transferred gzip-compressed
    severe = [e for e in browser.get_log("browser")
              if e.get("level") == "SEVERE" and "favicon.ico" not in e.get("message", "")]
    assert not severe, severe
