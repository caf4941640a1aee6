# SPDX-License-Identifier: Apache-2.0
"""Headless-browser tests of the demo device's dashboard (examples/demo/www/).

Starts $HTTPD_BUILD_DIR/example_demo with a storage folder of its own, over HTTP and
over HTTPS (a self-signed certificate made here with openssl; Chromium runs with
--ignore-certificate-errors), opens / in headless Chromium and checks, with the
element ids of the dashboard's contract:

- live values arrive over Server-Sent Events (#conn-status "live") and change;
- the LED toggle follows the API (aria-pressed, #led-state) and GET /api/v1/status agrees;
- the settings form answers "saved", or the server's error for a bad value;
- a 5 MiB random file uploads through #file-input with a progress bar, shows in
  #file-list, downloads with the same SHA-256, and is deleted;
- the layout fits a 400 px phone (one column, nothing wider than the viewport,
  touch-sized buttons) and a 1280 px desktop (a grid of cards);
- the favicon is served and the console holds no error.

A third test sets DEMO_PASSWORD: the page loads with Digest credentials given in the
URL and live values arrive. Screenshots: test-artifacts/dashboard-1280.png and
dashboard-400.png (with UPDATE_SCREENSHOTS=1: docs/img/, which the README shows),
test-artifacts/showcase.png.

    HTTPD_BUILD_DIR=$PWD/build/asan-gcc /usr/bin/python3 -m pytest tests/browser -q
"""

import base64
import hashlib
import inspect
import json
import os
import re
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from test_demo_browser import (ARTIFACTS, PAGE_TIMEOUT, REPO, Demo, _openssl, _stop_and_check,  # noqa: F401
                               _text, _wait, tools)

# The README's screenshots: written to test-artifacts/ on every run, and to docs/img/
# (tracked files) only with UPDATE_SCREENSHOTS=1, so a test run leaves the tree clean.
DOCS_IMG = (REPO / "docs" / "img") if os.environ.get("UPDATE_SCREENSHOTS") == "1" else (REPO / "test-artifacts")
UPLOAD_SIZE = 5 * 1024 * 1024
UPLOAD_TIMEOUT = 90.0       # 5 MiB through a sanitizer build
LONG_NAME = "greenhouse-logger_2026-12-03_sensor-7_temperature-humidity.csv"   # 62 characters
PASSWORD = "s3cret-demo"


# ---- fixtures ------------------------------------------------------------------------

@pytest.fixture
def self_signed(tmp_path):
    """(cert.pem, key.pem): a self-signed certificate for localhost and 127.0.0.1."""
    d = tmp_path / "tls"
    d.mkdir()
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", "key.pem", "-out", "cert.pem", cwd=d)
    return str(d / "cert.pem"), str(d / "key.pem")


def _storage(tmp_path):
    s = tmp_path / "storage"
    s.mkdir()
    (s / LONG_NAME).write_bytes(b"t,temperature\n0,21.4\n")    # a long name for the 400 px layout
    return s


@pytest.fixture(params=["http", "https"])
def device(request, tmp_path, self_signed):
    """The demo with its own storage, and the base URL of the scheme under test."""
    d = Demo(tmp_path, tls=self_signed,
             env={"DEMO_STORAGE": str(_storage(tmp_path)), "DEMO_MAX_UPLOAD": str(64 * 1024 * 1024),
                  "DEMO_PASSWORD": ""})
    d.scheme = request.param
    d.root = (f"http://127.0.0.1:{d.port}" if request.param == "http"
              else f"https://127.0.0.1:{d.port_tls}")
    yield d
    _stop_and_check(d)


def _start_chromium(tools, tmp_path, *extra):
    chromium, driver_path, webdriver = tools
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000", "--no-first-run", "--no-default-browser-check",
                "--ignore-certificate-errors", "--force-color-profile=srgb", "--hide-scrollbars",
                f"--user-data-dir={tmp_path / 'chromium-profile'}", *extra):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    log_kw = "log_output" if "log_output" in inspect.signature(Service).parameters else "log_path"
    service = Service(executable_path=driver_path, **{log_kw: str(tmp_path / "chromedriver.log")})
    try:
        drv = webdriver.Chrome(service=service, options=opts)
    except Exception as e:
        log = tmp_path / "chromedriver.log"
        pytest.fail(f"headless Chromium did not start: {e}\n"
                    f"{log.read_text(errors='replace')[-3000:] if log.exists() else ''}")
    drv.set_page_load_timeout(PAGE_TIMEOUT)
    drv.set_script_timeout(UPLOAD_TIMEOUT)
    return drv


@pytest.fixture
def chrome(tools, tmp_path):
    drv = _start_chromium(tools, tmp_path)
    yield drv
    drv.quit()


# ---- helpers ---------------------------------------------------------------------------

def _http(method, url, body=None, headers=None, auth=None):
    """(status, headers, body bytes); certificates are not checked (self-signed).
    AUTH (user, password): answers a 401 Digest challenge once (SHA-256 or MD5, qop=auth;
    urllib's own handler knows MD5 and SHA only)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ctx))

    def once(extra):
        req = urllib.request.Request(url, data=body, method=method, headers={**(headers or {}), **extra})
        try:
            with opener.open(req, timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    status, hdrs, data = once({})
    if status == 401 and auth:
        return once({"Authorization": _digest(method, url, hdrs.get("WWW-Authenticate") or "", *auth)})
    return status, hdrs, data


def _digest(method, url, challenge, user, password):
    """The Authorization header answering a Digest CHALLENGE (RFC 7616, qop=auth)."""
    assert challenge.lower().startswith("digest "), challenge
    params = dict((k.lower(), v1 or v2) for k, v1, v2 in
                  re.findall(r'(\w+)=(?:"([^"]*)"|([^\s,]+))', challenge[7:]))
    algo = params.get("algorithm", "MD5")
    hash_fn = {"SHA-256": hashlib.sha256, "MD5": hashlib.md5}[algo.upper()]

    def h(text):
        return hash_fn(text.encode()).hexdigest()

    uri = urllib.parse.urlsplit(url)
    uri = uri.path + ("?" + uri.query if uri.query else "")
    cnonce, nc = os.urandom(8).hex(), "00000001"
    ha1 = h(f"{user}:{params['realm']}:{password}")
    ha2 = h(f"{method}:{uri}")
    resp = h(f"{ha1}:{params['nonce']}:{nc}:{cnonce}:auth:{ha2}")
    fields = [f'username="{user}"', f'realm="{params["realm"]}"', f'nonce="{params["nonce"]}"',
              f'uri="{uri}"', f"algorithm={algo}", f'response="{resp}"', "qop=auth", f"nc={nc}",
              f'cnonce="{cnonce}"']
    if "opaque" in params:
        fields.append(f'opaque="{params["opaque"]}"')
    return "Digest " + ", ".join(fields)


def _status(dev):
    code, _, body = _http("GET", dev.root + "/api/v1/status")
    assert code == 200, (code, body)
    return json.loads(body)


def _sensors(drv):
    return tuple(_text(drv, "sensor-" + k) for k in ("temperature", "humidity", "light"))


def _console_errors(drv, expected=()):
    """The console's errors since the last call (reading drains the log), less one for
    each substring in EXPECTED (a refusal the test asked for, which Chromium logs)."""
    try:
        entries = drv.get_log("browser")
    except Exception:
        return []
    errors = [e for e in entries if e.get("level") == "SEVERE"]
    for sub in expected:
        match = [e for e in errors if sub in e.get("message", "")]
        assert match, f"expected a console error with {sub!r}: {errors}"
        errors.remove(match[0])
    return errors


def _viewport(drv, width, height, mobile=False):
    """Emulates a screen of WIDTH x HEIGHT CSS pixels (a phone honours the viewport meta)."""
    drv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
    try:
        _wait(drv, f"innerWidth {width}", lambda d: d.execute_script("return innerWidth") == width, timeout=3)
    except AssertionError:
        # A phone zooms out a page wider than its screen: innerWidth grows to the page's width.
        got = drv.execute_script("return innerWidth")
        raise AssertionError(f"innerWidth {got} on a {width} px screen: the page is wider; wider than "
                             f"{width} px: {drv.execute_script(LAYOUT_JS, width)[:10]}") from None


LAYOUT_JS = """
const W = arguments[0], bad = [];
if (document.documentElement.scrollWidth > W)
  bad.push('document scrollWidth ' + document.documentElement.scrollWidth + ' > ' + W);
for (const el of document.querySelectorAll('body *')) {
  const cs = getComputedStyle(el);
  if (cs.display === 'none' || cs.visibility === 'hidden') continue;
  const r = el.getBoundingClientRect();
  if (!r.width || !r.height) continue;
  if (r.right > W + 0.5 || r.left < -0.5)
    bad.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && el.className.baseVal === undefined
             ? '.' + String(el.className).split(' ').join('.') : '') + ' [' + Math.round(r.left) + ', '
             + Math.round(r.right) + ']');
}
return bad;
"""


def _check_layout(drv, width):
    assert drv.execute_script("return innerWidth") == width
    bad = drv.execute_script(LAYOUT_JS, width)
    assert not bad, f"at {width} px, wider than the viewport: {bad[:10]}"


def _full_page_screenshot(drv, width, path, mobile):
    height = drv.execute_script("return Math.ceil(document.documentElement.scrollHeight)")
    _viewport(drv, width, height, mobile)
    drv.execute_script("window.scrollTo(0, 0)")
    path.parent.mkdir(parents=True, exist_ok=True)
    assert drv.save_screenshot(str(path)), "screenshot failed"
    assert path.stat().st_size > 5000, path


def _open_dashboard(drv, url):
    drv.get(url)
    _wait(drv, "the event stream (#conn-status live)", lambda d: _text(d, "conn-status") == "live")
    _wait(drv, "a first sensor value", lambda d: all(v not in ("", "\u2013") for v in _sensors(d)))


# ---- tests --------------------------------------------------------------------------------

def test_dashboard(tools, device, chrome, tmp_path):
    drv = chrome
    _open_dashboard(drv, device.root + "/")
    assert drv.execute_script("return location.protocol") == device.scheme + ":"

    # Live values: they change within 3 s (one sample a second by default).
    first = _sensors(drv)
    _wait(drv, "a sensor value to change", lambda d: _sensors(d) != first, timeout=3.5)
    temp = float(_text(drv, "sensor-temperature"))
    assert -40.0 < temp < 125.0, temp

    # The chart draws something: its canvas holds non-transparent pixels.
    painted = drv.execute_script("""
        const c = document.getElementById('chart'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return [c.width, c.height, n];""")
    assert painted[0] > 100 and painted[1] > 50 and painted[2] > 500, painted

    # LED: the page follows what the API answered, and the device agrees.
    led = drv.find_element("id", "led-toggle")
    before = led.get_attribute("aria-pressed")
    assert before in ("true", "false")
    want = "false" if before == "true" else "true"
    led.click()
    _wait(drv, "aria-pressed to follow", lambda d: led.get_attribute("aria-pressed") == want)
    _wait(drv, "#led-state to follow", lambda d: _text(d, "led-state") == ("on" if want == "true" else "off"))
    assert _status(device)["led"] is (want == "true")
    led.click()
    _wait(drv, "the LED back", lambda d: led.get_attribute("aria-pressed") == before)
    assert _status(device)["led"] is (before == "true")
    # The relay too, once.
    relay = drv.find_element("id", "relay-toggle")
    relay.click()
    _wait(drv, "the relay on", lambda d: _text(d, "relay-state") == "on")
    assert relay.get_attribute("aria-pressed") == "true" and _status(device)["relay"] is True

    # Settings: a valid form is saved.
    form = drv.find_element("id", "settings-form")
    name = form.find_element("name", "name")
    interval = form.find_element("name", "interval_ms")
    name.clear()
    name.send_keys("greenhouse-7")
    interval.clear()
    interval.send_keys("250")     # more samples for the chart of the screenshots
    drv.find_element("id", "settings-save").click()
    _wait(drv, '"saved"', lambda d: _text(d, "settings-status") == "saved")
    code, _, body = _http("GET", device.root + "/api/v1/settings")
    assert code == 200 and json.loads(body)["name"] == "greenhouse-7", body
    assert _text(drv, "device-name") == "greenhouse-7"
    saved_at = time.monotonic()
    # Upload 5 MiB of random bytes with a progress bar.
    data = os.urandom(UPLOAD_SIZE)
    up_name = "dashui-upload.bin"
    path = tmp_path / up_name
    path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    drv.find_element("id", "file-input").send_keys(str(path))
    drv.find_element("id", "upload-button").click()
    _wait(drv, "the upload", lambda d: _text(d, "upload-status").startswith(("uploaded", "4", "5", "upload failed")),
          timeout=UPLOAD_TIMEOUT)
    assert _text(drv, "upload-status") == "uploaded " + up_name
    bar = drv.execute_script("const p = document.getElementById('upload-progress'); return [p.value, p.max];")
    # max is the request's total from the XHR progress events (file + multipart framing)
    assert bar[1] > UPLOAD_SIZE and bar[0] == bar[1], bar
    row_sel = f'#file-list tr[data-name="{up_name}"]'
    _wait(drv, "the file in the list", lambda d: d.find_elements("css selector", row_sel))
    row = drv.find_element("css selector", row_sel)
    href = row.find_element("css selector", "a.download").get_attribute("href")
    assert href == device.root + "/files/" + up_name, href
    assert "5.0 MiB" in row.text, row.text
    assert "MiB" in _text(drv, "storage-usage")

    # Download it from the page and compare the bytes (SHA-256), and once more from here.
    got = drv.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch(arguments[0], { cache: 'no-store' }).then(async (r) => {
          const buf = await r.arrayBuffer();
          if (window.crypto && crypto.subtle) {
            const h = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
            done([r.status, buf.byteLength, Array.from(h, (b) => b.toString(16).padStart(2, '0')).join('')]);
          } else {
            let s = ''; const u = new Uint8Array(buf);
            for (let i = 0; i < u.length; i += 32768) s += String.fromCharCode.apply(null, u.subarray(i, i + 32768));
            done([r.status, buf.byteLength, 'b64:' + btoa(s)]);
          }
        }).catch((e) => done(['error', 0, String(e)]));""", href)
    if got[2].startswith("b64:"):
        got[2] = hashlib.sha256(base64.b64decode(got[2][4:])).hexdigest()
    assert got == [200, UPLOAD_SIZE, digest], got[:2]
    code, _, body = _http("GET", href)
    assert code == 200 and hashlib.sha256(body).hexdigest() == digest, (code, len(body))

    # The screenshots show a chart of some 40 samples (250 ms apart).
    time.sleep(max(0.0, saved_at + 10.0 - time.monotonic()))

    # Desktop: a grid of cards, nothing wider than the window.
    _viewport(drv, 1280, 900)
    _check_layout(drv, 1280)
    tops = drv.execute_script("return Array.from(document.querySelectorAll('.card'), "
                              "(c) => Math.round(c.getBoundingClientRect().top))")
    assert len(tops) >= 4 and len(set(tops)) < len(tops), f"no two cards side by side at 1280 px: {tops}"
    if device.scheme == "http":
        _full_page_screenshot(drv, 1280, DOCS_IMG / "dashboard-1280.png", mobile=False)

    # Phone: one column, nothing wider than the screen, the long name inside its row,
    # buttons large enough for a finger.
    _viewport(drv, 400, 860, mobile=True)
    _check_layout(drv, 400)
    lefts = drv.execute_script("return Array.from(document.querySelectorAll('.card'), "
                               "(c) => Math.round(c.getBoundingClientRect().left))")
    assert len(set(lefts)) == 1, f"more than one column at 400 px: {lefts}"
    assert drv.find_elements("css selector", f'#file-list tr[data-name="{LONG_NAME}"]')
    small = drv.execute_script("""
        return Array.from(document.querySelectorAll('button, a.button'))
          .filter((b) => b.offsetParent && b.getBoundingClientRect().height < 36)
          .map((b) => (b.id || b.className) + ' ' + b.getBoundingClientRect().height);""")
    assert not small, f"buttons under 36 px high at 400 px: {small}"
    if device.scheme == "http":
        _full_page_screenshot(drv, 400, DOCS_IMG / "dashboard-400.png", mobile=True)

    # Delete it.
    row.find_element("css selector", "button.delete").click()
    _wait(drv, "the row to go", lambda d: not d.find_elements("css selector", row_sel))
    assert _text(drv, "upload-status") == "deleted " + up_name
    assert _http("GET", href)[0] == 404
    assert up_name not in [f["name"] for f in json.loads(_http("GET", device.root + "/api/v1/files")[2])["files"]]


    # Settings: a bad interval gets the server's error, and nothing changes.
    interval.clear()
    interval.send_keys("50")
    drv.find_element("id", "settings-save").click()
    _wait(drv, "the error for interval_ms",
          lambda d: _text(d, "settings-status") not in ("saved", "", "saving\u2026"))
    err = _text(drv, "settings-status")
    assert err.startswith("400") and "interval" in err, err
    assert json.loads(_http("GET", device.root + "/api/v1/settings")[2])["interval_ms"] == 250
    errors = _console_errors(drv, expected=["/api/v1/settings - Failed to load resource: "
                                            "the server responded with a status of 400"])
    assert not errors, errors

    # The favicon is there (/favicon.ico too), and the console holds no error or 404.
    for icon in ("/favicon.svg", "/favicon.ico"):
        assert _http("GET", device.root + icon)[0] == 200, icon
    assert not _console_errors(drv), _console_errors(drv)

    # The showcase is one click away, and has a way back.
    drv.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    drv.find_element("id", "showcase-link").click()
    _wait(drv, "the showcase", lambda d: d.current_url == device.root + "/showcase/")
    _wait(drv, "the showcase WebSocket", lambda d: _text(d, "ws-status") == "connected")
    _wait(drv, "a broadcast tick", lambda d: "tick " in _text(d, "ws-feed"))
    if device.scheme == "http":
        ARTIFACTS.mkdir(exist_ok=True)
        assert drv.save_screenshot(str(ARTIFACTS / "showcase.png"))
    # The showcase on a phone: the long function names wrap inside their card, and the
    # logs show whole lines (their height is a whole number of lines, plus the padding).
    _viewport(drv, 400, 860, mobile=True)
    _check_layout(drv, 400)
    lines = drv.execute_script("""return ['ws-log', 'ws-feed'].map((id) => {
        const e = document.getElementById(id), cs = getComputedStyle(e);
        return (e.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom))
               / parseFloat(cs.lineHeight); });""")
    assert all(abs(n - round(n)) < 0.05 for n in lines), f"log heights in lines: {lines}"
    if device.scheme == "http":
        assert drv.save_screenshot(str(ARTIFACTS / "showcase-400.png"))
    drv.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    drv.find_element("id", "dashboard-link").click()
    _wait(drv, "the dashboard again", lambda d: _text(d, "conn-status") == "live")
    assert not _console_errors(drv), _console_errors(drv)


def test_dashboard_errors(tools, tmp_path, chrome):
    """What the page says when the device refuses (a file over DEMO_MAX_UPLOAD, a
    setting out of range, a file deleted behind its back), and the Fahrenheit unit."""
    from selenium.webdriver.support.ui import Select

    d = Demo(tmp_path, env={"DEMO_STORAGE": str(_storage(tmp_path)), "DEMO_MAX_UPLOAD": "65536",
                            "DEMO_PASSWORD": ""})
    try:
        root = f"http://127.0.0.1:{d.port}"
        _open_dashboard(chrome, root + "/")
        big = tmp_path / "big.bin"
        big.write_bytes(os.urandom(200 * 1024))
        # The page knows max_upload and refuses before sending; the device answers 413 itself.
        chrome.find_element("id", "file-input").send_keys(str(big))
        chrome.find_element("id", "upload-button").click()
        _wait(chrome, "the 413 message", lambda c: _text(c, "upload-status").startswith("413: file too large"))
        assert "at most 64 KiB" in _text(chrome, "upload-status"), _text(chrome, "upload-status")
        assert not chrome.find_elements("css selector", '#file-list tr[data-name="big.bin"]')
        boundary = "dashuiboundary"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode() + big.read_bytes() + \
            f"\r\n--{boundary}--\r\n".encode()
        code, _, _ = _http("POST", root + "/api/v1/files", body,
                           {"Content-Type": "multipart/form-data; boundary=" + boundary})
        assert code == 413, code

        # The unit select and a bad name.
        name = chrome.find_element("css selector", '#settings-form [name="name"]')
        name.clear()
        chrome.find_element("id", "settings-save").click()
        _wait(chrome, "the error for name", lambda c: _text(c, "settings-status").startswith("400"))
        assert "name" in _text(chrome, "settings-status")
        errors = _console_errors(chrome, expected=["/api/v1/settings - Failed to load resource"])
        assert not errors, errors

        # Fahrenheit: the device converts, the page shows the unit.
        name.send_keys("unit-test")
        Select(chrome.find_element("css selector", '#settings-form [name="unit"]')).select_by_value("F")
        chrome.find_element("id", "settings-save").click()
        _wait(chrome, '"saved"', lambda c: _text(c, "settings-status") == "saved")
        assert _text(chrome, "temp-unit") == "\u00b0F"
        _wait(chrome, "a temperature in Fahrenheit", lambda c: float(_text(c, "sensor-temperature")) > 45.0, timeout=3.5)

        # Deleting a file that someone else removed: the page says so and drops the row.
        (Path(tmp_path / "storage") / LONG_NAME).unlink()
        chrome.find_element("css selector", f'#file-list tr[data-name="{LONG_NAME}"] button.delete').click()
        _wait(chrome, "the 404 message", lambda c: _text(c, "upload-status").startswith("404"))
        _wait(chrome, "the row to go",
              lambda c: not c.find_elements("css selector", f'#file-list tr[data-name="{LONG_NAME}"]'))
        errors = _console_errors(chrome, expected=[f"/api/v1/files/{LONG_NAME} - Failed to load resource"])
        assert not errors, errors
    finally:
        _stop_and_check(d)


def test_dashboard_reconnects(tools, tmp_path, chrome):
    """The device restarts: the page reads "offline", then "live" again by itself, and
    the values move again."""
    env = {"DEMO_STORAGE": str(_storage(tmp_path)), "DEMO_PASSWORD": ""}
    d = Demo(tmp_path, env=env)
    try:
        _open_dashboard(chrome, f"http://127.0.0.1:{d.port}/")
        _stop_and_check(d)
        _wait(chrome, '"offline"', lambda c: _text(c, "conn-status") == "offline", timeout=5)
        d = Demo(tmp_path, env=env, port=d.port)
        _wait(chrome, '"live" again', lambda c: _text(c, "conn-status") == "live", timeout=20)
        first = _sensors(chrome)
        _wait(chrome, "a sensor value to change", lambda c: _sensors(c) != first, timeout=3.5)
        # Chromium logs the failed reconnection attempts while the device is down.
        errors = [e for e in _console_errors(chrome) if "/api/v1/events" not in e.get("message", "")]
        assert not errors, errors
    finally:
        _stop_and_check(d)


def test_dashboard_digest_login(tools, tmp_path):
    """DEMO_PASSWORD set: without credentials every route answers 401; Chromium given
    the credentials in the URL logs in with Digest, and live values arrive."""
    d = Demo(tmp_path, env={"DEMO_STORAGE": str(_storage(tmp_path)), "DEMO_PASSWORD": PASSWORD})
    drv = None
    try:
        root = f"http://127.0.0.1:{d.port}"
        for path in ("/", "/app.js", "/favicon.svg", "/api/v1/status"):
            code, headers, _ = _http("GET", root + path)
            assert code == 401, (path, code)
            assert "digest" in (headers.get("WWW-Authenticate") or "").lower(), headers
        code, _, body = _http("GET", root + "/api/v1/status", auth=("admin", PASSWORD))
        assert code == 200 and "sensors" in json.loads(body), (code, body)

        drv = _start_chromium(tools, tmp_path)
        _open_dashboard(drv, f"http://admin:{PASSWORD}@127.0.0.1:{d.port}/")
        first = _sensors(drv)
        _wait(drv, "a sensor value to change", lambda c: _sensors(c) != first, timeout=3.5)
        drv.find_element("id", "led-toggle").click()
        _wait(drv, "the LED on", lambda c: _text(c, "led-state") == "on")
        _wait(drv, "the file list", lambda c: c.find_elements("css selector", f'#file-list tr[data-name="{LONG_NAME}"]'))
        assert not _console_errors(drv), _console_errors(drv)
    finally:
        if drv is not None:
            drv.quit()
        _stop_and_check(d)
