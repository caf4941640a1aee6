# SPDX-License-Identifier: Apache-2.0
"""Fixtures and raw-socket helpers for the black-box tests of test_server.

The server under test is ``$HTTPD_BUILD_DIR/test_server`` (default
``<repo>/build/asan-gcc``, the gcc build of ``make test``), see
tests/server/test_server.c for its handlers.

Fixtures:
  server          the shared default server of the module (started once per test
                  module; each test checks afterwards that the process is still alive)
  server_factory  start(*args) -> a function-scoped server with extra command line
                  arguments (e.g. "--recv-timeout", "1"); stopped after the test
  firmware        start(binary, *args, **options) or start(Firmware) -> any program of
                  $HTTPD_BUILD_DIR (tests/server/*.c, examples), stopped after the test
Every server is stopped with SIGTERM at teardown, and the teardown asserts exit
code 0 and no AddressSanitizer / LeakSanitizer / UBSan report on stderr.

Firmware (see its docstring) is the one process helper of every test module: start on
a free port, wait until ready, stop with SIGTERM, check the exit (plus per-program
checks such as the FINAL line, parsed with final_line()).
"""
import os
import re
import shlex
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("HTTPD_BUILD_DIR") or (REPO / "build" / "asan-gcc"))
SERVER_BIN = BUILD_DIR / "test_server"

HOST = "127.0.0.1"
IO_TIMEOUT = 5.0          # default timeout of every socket operation
READY_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
DEFAULT_ARGS = ("--max-handlers", "48")

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")

# HTTPD_SERVER_WRAPPER: a command prepended to every firmware command line, e.g.
# "valgrind --tool=memcheck --error-exitcode=99 ..." (scripts/test-valgrind.sh). Such a
# wrapper runs the program many times slower, so start-up and stop get far longer limits,
# and tests that only hold at native speed are skipped (WRAPPER_SKIP, below). The signal
# that stops a server stays SIGTERM, so the wrapper reports (leaks) at a normal exit.
WRAPPER = shlex.split(os.environ.get("HTTPD_SERVER_WRAPPER", ""))
WRAPPER_READY_TIMEOUT = 120.0
WRAPPER_STOP_TIMEOUT = 120.0

# Error statuses and default bodies of the spec (all text/html).
ERRORS = {
    400: ("400 Bad Request", "Bad request syntax"),
    401: ("401 Unauthorized", "No permission -- see authorization schemes"),
    403: ("403 Forbidden", "Request forbidden -- authorization will not help"),
    404: ("404 Not Found", "Nothing matches the given URI"),
    405: ("405 Method Not Allowed", "Specified method is invalid for this resource"),
    408: ("408 Request Timeout", "Server closed this connection"),
    411: ("411 Length Required", "Client must specify Content-Length"),
    413: ("413 Content Too Large", "Content is too large"),
    414: ("414 URI Too Long", "URI is too long"),
    431: ("431 Request Header Fields Too Large", "Header fields are too long"),
    500: ("500 Internal Server Error", "Server has encountered an unexpected error"),
    501: ("501 Method Not Implemented", "Server does not support this method"),
    505: ("505 Version Not Supported", "HTTP version not supported by server"),
}

# httpd_err_code_t values (positional enum of the public header).
ERR_CODES = {500: 0, 501: 1, 505: 2, 400: 3, 401: 4, 403: 5, 404: 6, 405: 7,
             408: 8, 411: 9, 413: 10, 414: 11, 431: 12}


def _b(x):
    return x.encode("latin-1") if isinstance(x, str) else bytes(x)


# ---- Expected wire bytes ------------------------------------------------------------

def response_bytes(body=b"", status="200 OK", ctype="text/html", headers=(), close=False,
                   keep_alive=False, head=False, content_length=None):
    """The exact bytes of a Content-Length response of the spec."""
    body = _b(body)
    n = len(body) if content_length is None else content_length
    out = b"HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n" % (_b(status), _b(ctype), n)
    for name, value in headers:
        out += b"%s: %s\r\n" % (_b(name), _b(value))
    if close:
        out += b"Connection: close\r\n"
    if keep_alive:
        out += b"Connection: keep-alive\r\n"
    out += b"\r\n"
    if not head:
        out += body
    return out


def error_bytes(code, msg=None, close=True, headers=(), head=False):
    """The exact bytes of an error response (server-generated ones close: close=True;
    head=True: the answer to a HEAD request, without the body)."""
    status, default = ERRORS[code]
    return response_bytes(default if msg is None else msg, status=status, headers=headers,
                          close=close, head=head)


def chunked_bytes(chunks, status="200 OK", ctype="text/html", headers=()):
    """The exact bytes of a chunked response of the spec (chunks without the terminator)."""
    out = b"HTTP/1.1 %s\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n" % (_b(status), _b(ctype))
    for name, value in headers:
        out += b"%s: %s\r\n" % (_b(name), _b(value))
    out += b"\r\n"
    for c in chunks:
        c = _b(c)
        out += b"%x\r\n%s\r\n" % (len(c), c)
    return out + b"0\r\n\r\n"


def big_pattern(n):
    """Body of /big?n=<n>: byte i = 'A' + i % 26."""
    alphabet = bytes(range(ord("A"), ord("A") + 26))
    return (alphabet * (n // 26 + 1))[:n]


# ---- Responses ----------------------------------------------------------------------

class Response:
    """One parsed response. raw: every byte of it exactly as received."""

    def __init__(self):
        self.raw = b""
        self.head = b""
        self.version = ""
        self.status = 0
        self.reason = ""
        self.status_line = ""
        self.headers = []        # [(name, value)] as received, in order
        self.body = b""          # decoded body
        self.chunks = None       # list of chunk payloads for chunked responses
        self.trailers = []

    def header(self, name, default=None):
        """First value of header name (case-insensitive), or default."""
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return default

    def header_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def text(self):
        return self.body.decode("latin-1")

    def __repr__(self):
        return "Response(%r)" % (self.raw[:600],)


class PeerClosed(Exception):
    """The peer closed the connection before a full response arrived."""

    def __init__(self, msg, data=b""):
        super().__init__("%s; bytes received so far: %r" % (msg, data[:600]))
        self.data = data


class Conn:
    """A client connection with a receive buffer. Every operation is bounded by a timeout."""

    def __init__(self, host=HOST, port=None, timeout=IO_TIMEOUT, family=None, connect=True):
        self.host = host
        self.port = port
        self.timeout = timeout
        if family is None:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.buf = bytearray()
        self.eof = False
        if connect:
            self.sock.connect((host, port))
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # -- sending --
    def send(self, data):
        self.sock.sendall(_b(data))
        return self

    def send_pieces(self, pieces, delay=0.05):
        for i, p in enumerate(pieces):
            if i:
                time.sleep(delay)
            self.send(p)
        return self

    # -- receiving --
    def _fill(self, deadline):
        """Reads more bytes into buf; False at EOF. Raises socket.timeout past deadline."""
        if self.eof:
            return False
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("timed out")
        self.sock.settimeout(min(left, self.timeout))
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            data = b""
        finally:
            self.sock.settimeout(self.timeout)
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def _deadline(self, timeout):
        return time.monotonic() + (self.timeout if timeout is None else timeout)

    def read_exact(self, n, timeout=None, _deadline=None):
        deadline = _deadline or self._deadline(timeout)
        while len(self.buf) < n:
            if not self._fill(deadline):
                raise PeerClosed("closed after %d of %d bytes" % (len(self.buf), n), bytes(self.buf))
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read_until(self, marker, timeout=None, _deadline=None, limit=1 << 20):
        deadline = _deadline or self._deadline(timeout)
        start = 0
        while True:
            i = self.buf.find(marker, start)
            if i >= 0:
                out = bytes(self.buf[:i + len(marker)])
                del self.buf[:i + len(marker)]
                return out
            if len(self.buf) > limit:
                raise AssertionError("no %r within %d bytes: %r" % (marker, limit, bytes(self.buf[:300])))
            start = max(0, len(self.buf) - len(marker) + 1)
            if not self._fill(deadline):
                raise PeerClosed("closed while waiting for %r" % (marker,), bytes(self.buf))

    def read_line(self, timeout=None, _deadline=None):
        return self.read_until(b"\r\n", timeout, _deadline)

    def read_response(self, head=False, timeout=None):
        """Reads one full response. head=True: the request was HEAD (no body)."""
        deadline = self._deadline(timeout)
        r = Response()
        r.head = self.read_until(b"\r\n\r\n", _deadline=deadline)
        lines = r.head[:-4].split(b"\r\n")
        r.status_line = lines[0].decode("latin-1")
        parts = r.status_line.split(" ", 2)
        assert len(parts) >= 2 and parts[0].startswith("HTTP/"), "bad status line %r" % (r.head,)
        r.version = parts[0]
        r.status = int(parts[1])
        r.reason = parts[2] if len(parts) > 2 else ""
        for line in lines[1:]:
            name, sep, value = line.decode("latin-1").partition(":")
            assert sep, "header line without a colon: %r in %r" % (line, r.head)
            r.headers.append((name, value.strip(" \t")))
        raw = bytearray(r.head)
        te = r.header("Transfer-Encoding")
        cl = r.header("Content-Length")
        if head or 100 <= r.status < 200 or r.status in (204, 304):
            pass
        elif te is not None and te.lower() == "chunked":
            r.chunks = []
            while True:
                line = self.read_line(_deadline=deadline)
                raw += line
                size = int(line[:-2].split(b";")[0].strip(), 16)
                if size == 0:
                    while True:
                        t = self.read_line(_deadline=deadline)
                        raw += t
                        if t == b"\r\n":
                            break
                        r.trailers.append(t[:-2])
                    break
                data = self.read_exact(size + 2, _deadline=deadline)
                assert data.endswith(b"\r\n"), "chunk not followed by CRLF: %r" % (data[-20:],)
                raw += data
                r.chunks.append(data[:-2])
            r.body = b"".join(r.chunks)
        elif cl is not None:
            r.body = self.read_exact(int(cl), _deadline=deadline)
            raw += r.body
        else:
            r.body = self.read_until_close(timeout=max(0.1, deadline - time.monotonic()))
            raw += r.body
        r.raw = bytes(raw)
        return r

    def read_until_close(self, timeout=None):
        """Every byte until the peer closes (AssertionError if it does not within timeout)."""
        deadline = self._deadline(timeout)
        try:
            while self._fill(deadline):
                pass
        except socket.timeout:
            raise AssertionError("connection not closed within %.1fs; received %r"
                                 % (self.timeout if timeout is None else timeout, bytes(self.buf[:600])))
        out = bytes(self.buf)
        self.buf.clear()
        return out

    def assert_closed(self, timeout=None, allow_data=False):
        """Asserts the peer closes (EOF or RST) within timeout, with no further data
        unless allow_data. Returns the extra bytes."""
        data = self.read_until_close(timeout)
        if not allow_data:
            assert data == b"", "unexpected bytes before close: %r" % (data[:600],)
        return data

    def assert_open(self, wait=0.3):
        """Asserts nothing arrives and the connection stays open for wait seconds."""
        try:
            got = self._fill(time.monotonic() + wait)
        except socket.timeout:
            return
        if got:
            raise AssertionError("unexpected bytes: %r" % (bytes(self.buf[:600]),))
        raise AssertionError("connection closed by the server")

    def request(self, data, head=False, timeout=None):
        self.send(data)
        return self.read_response(head=head, timeout=timeout)

    def get(self, path, headers=(), head=False, timeout=None):
        return self.request(get_req(path, headers, method="HEAD" if head else "GET"),
                            head=head, timeout=timeout)

    def shutdown_write(self):
        self.sock.shutdown(socket.SHUT_WR)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def get_req(path, headers=(), method="GET", host=HOST, version="HTTP/1.1"):
    out = "%s %s %s\r\nHost: %s\r\n" % (method, path, version, host)
    for k, v in headers:
        out += "%s: %s\r\n" % (k, v)
    return (out + "\r\n").encode("latin-1")


def body_req(method, path, body, headers=(), host=HOST):
    body = _b(body)
    out = "%s %s HTTP/1.1\r\nHost: %s\r\n" % (method, path, host)
    for k, v in headers:
        out += "%s: %s\r\n" % (k, v)
    out += "Content-Length: %d\r\n\r\n" % len(body)
    return out.encode("latin-1") + body


def post_req(path, body, headers=()):
    return body_req("POST", path, body, headers)


def chunked_body(pieces, ext=None, trailers=()):
    out = b""
    for p in pieces:
        p = _b(p)
        out += b"%x%s\r\n%s\r\n" % (len(p), _b(ext) if ext else b"", p)
    out += b"0\r\n"
    for t in trailers:
        out += _b(t) + b"\r\n"
    return out + b"\r\n"


# ---- Server process -----------------------------------------------------------------

def free_port():
    """A port free on both stacks at this instant (the server may still lose the race)."""
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", 0))
    except OSError:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("", 0))
    try:
        return s.getsockname()[1]
    finally:
        s.close()


def ipv6_loopback_available():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


READY_LINE = "READY {port}\n"     # what the tests/server programs print on stdout when serving


def accepts_connections(fw):
    """A Firmware ready= callable: true once fw's port accepts a TCP connection."""
    try:
        with socket.create_connection((fw.host, fw.port), timeout=1.0):
            return True
    except OSError:
        return False


def said_and_accepting(marker):
    """A Firmware ready= callable for programs that register their handlers after
    httpd_start(): true once marker shows on stdout or stderr and fw's port accepts a
    TCP connection (a connection alone may still meet a handler not yet registered)."""
    return lambda fw: marker in fw.stdout_text() + fw.stderr_text() and accepts_connections(fw)


def final_line(text, regex, keys=None):
    """Parses the FINAL line a firmware prints after httpd_stop() returned.
    regex: a compiled pattern searched in text. keys given: dict(zip(keys, the
    pattern's groups as ints)); else group 1 as "k=v" pairs (ints where numeric).
    None when the line is absent."""
    m = regex.search(text)
    if not m:
        return None
    if keys is not None:
        return dict(zip(keys, map(int, m.groups())))
    out = {}
    for kv in m.group(1).split():
        k, _, v = kv.partition("=")
        out[k] = int(v) if re.fullmatch(r"-?\d+", v) else v
    return out


class Firmware:
    """One program of $HTTPD_BUILD_DIR (test firmware or example) run as a child process,
    with stdout and stderr in files.

    binary         file name in BUILD_DIR (test_server, ws_server, example_simple, ...)
    args           extra command line arguments
    port_arg       True: the port goes on the command line as "--port N" (before args);
                   False: in the environment variable PORT (the examples)
    ready          when the program serves: a string looked for on stdout (formatted with
                   port=, default "READY <port>\\n"), or a callable(fw) -> bool
    env            extra environment variables (ASAN_OPTIONS / UBSAN_OPTIONS get defaults)
    markers        strings that must not show on stderr besides SANITIZER_MARKERS
    on_exit        callable(fw), run once after the process ended (e.g. parse a FINAL line)
    check          callable(fw) -> list of extra problems, reported by problems()
    ready_timeout  seconds until ready; stop_timeout: seconds from the signal to the exit

    A program that prints START_FAILED (e.g. it lost the race for its port) is retried on
    another port by start(). stop() sends SIGTERM (kill after stop_timeout: returncode
    "hung ..."), records returncode, stop_seconds, stdout_final and stderr_final;
    problems() stops it and lists what is wrong with the way it ended (exit code not 0, a
    marker on stderr, check()); assert_clean_exit() asserts there is nothing.
    """

    def __init__(self, binary, args=(), ready=READY_LINE, port_arg=True, env=None, markers=(),
                 on_exit=None, check=None, ready_timeout=READY_TIMEOUT, stop_timeout=STOP_TIMEOUT):
        self.name = binary
        self.exe = BUILD_DIR / binary
        self.args = list(args)
        self.ready = ready
        self.port_arg = port_arg
        self.env = dict(env or {})
        self.markers = tuple(SANITIZER_MARKERS) + tuple(markers)
        self.on_exit = on_exit
        self.check = check
        self.ready_timeout = ready_timeout
        self.stop_timeout = stop_timeout
        if WRAPPER:
            self.ready_timeout = max(ready_timeout, WRAPPER_READY_TIMEOUT)
            self.stop_timeout = max(stop_timeout, WRAPPER_STOP_TIMEOUT)
        self.host = HOST
        self.port = None
        self.proc = None
        self.tmpdir = None
        self._reset()

    def _reset(self):
        self.proc = None
        self.returncode = None
        self.stop_seconds = None
        self.stdout_final = ""
        self.stderr_final = None          # set by stop()
        self.tmpdir = tempfile.TemporaryDirectory(prefix="httpd-%s-" % self.name)
        self.stdout_path = Path(self.tmpdir.name) / "stdout"
        self.stderr_path = Path(self.tmpdir.name) / "stderr"

    # -- lifecycle --
    def is_ready(self):
        if callable(self.ready):
            return self.ready(self)
        return self.ready.format(port=self.port) in self.stdout_text()

    def launch(self, port):
        """Starts the process on port. Returns 'READY', 'START_FAILED <stdout>' or
        'EXITED <code>: <stderr tail>'; fails the test if it is not ready in time."""
        if not self.exe.exists():
            pytest.fail("%s not built: %s (set HTTPD_BUILD_DIR)" % (self.name, self.exe))
        if self.proc is not None:
            self._reset()
        self.port = port
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
        env.update(self.env)
        argv = WRAPPER + [str(self.exe)]
        if self.port_arg:
            argv += ["--port", str(port)]
        else:
            env["PORT"] = str(port)
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(argv + self.args, env=env, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=err)
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.is_ready():
                return "READY"
            text = self.stdout_text()
            if "START_FAILED" in text:
                self.stop()
                return "START_FAILED " + text.strip()
            if self.proc.poll() is not None:
                self.stop()
                return "EXITED %s: %s" % (self.returncode, self.stderr_text()[-3000:])
            time.sleep(0.01)
        self._kill()
        pytest.fail("%s did not get ready within %ss; stderr:\n%s"
                    % (self.name, self.ready_timeout, self.stderr_text()[-3000:]))

    def start(self, retries=5):
        """Launches on a free port (another one while it reports START_FAILED);
        returns self, or fails the test."""
        last = None
        for _ in range(retries):
            res = self.launch(free_port())
            if res == "READY":
                return self
            last = res
            if not res.startswith("START_FAILED"):
                break
        pytest.fail("%s %s did not start: %s" % (self.name, " ".join(self.args), last))

    def _kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=self.stop_timeout)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    @staticmethod
    def _read(path):
        try:
            return path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stdout_text(self):
        return self.stdout_final if self.stderr_final is not None else self._read(self.stdout_path)

    def stderr_text(self):
        return self.stderr_final if self.stderr_final is not None else self._read(self.stderr_path)

    def stop(self, sig=signal.SIGTERM):
        """Stops the process (once); returns its exit code (negative: killed by a signal)."""
        if self.proc is None:
            return None
        if self.stderr_final is not None:
            return self.returncode
        if self.proc.poll() is None:
            t0 = time.monotonic()
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=self.stop_timeout)
                self.returncode = "hung (killed after %ss)" % self.stop_timeout
            self.stop_seconds = time.monotonic() - t0
        if self.returncode is None:
            self.returncode = self.proc.returncode
        self.stdout_final = self._read(self.stdout_path)
        self.stderr_final = self._read(self.stderr_path)
        self.tmpdir.cleanup()
        if self.on_exit is not None:
            self.on_exit(self)
        return self.returncode

    def problems(self):
        """Stops the process and lists what is wrong with the way it ended."""
        rc = self.stop()
        out = []
        err = self.stderr_text()
        if rc != 0:
            out.append("%s (%s) exit code %s, expected 0" % (self.name, " ".join(self.args), rc))
        for m in self.markers:
            if m in err:
                out.append("%s stderr contains %r" % (self.name, m))
        if out:
            out.append("stderr tail:\n" + err[-6000:])
        if self.check is not None:
            out += self.check(self)
        return out

    def assert_clean_exit(self):
        probs = self.problems()
        assert not probs, "\n".join(probs)

    # -- clients --
    def conn(self, timeout=IO_TIMEOUT, host=None):
        return Conn(host or self.host, self.port, timeout=timeout)

    def request(self, data, head=False, timeout=None):
        """Sends data on a new connection and reads one response; returns (response, conn)."""
        c = self.conn()
        try:
            r = c.request(data, head=head, timeout=timeout)
        except BaseException:
            c.close()
            raise
        return r, c

    def get(self, path, headers=(), head=False):
        """GET (or HEAD) on a fresh connection; returns the response and closes."""
        r, c = self.request(get_req(path, headers, method="HEAD" if head else "GET"), head=head)
        c.close()
        return r


def assert_all_clean(firmwares):
    """Stops every Firmware and asserts none of them has problems()."""
    problems = []
    for fw in firmwares:
        problems += fw.problems()
    assert not problems, "\n".join(problems)


class ServerProcess(Firmware):
    """A test_server (tests/server/test_server.c) with args."""

    def __init__(self, args):
        super().__init__("test_server", args)


def start_server(args=(), retries=5):
    """Starts test_server with DEFAULT_ARGS + args on a free port (retrying if the port
    was taken meanwhile). Fails the test if it does not start."""
    return ServerProcess(list(DEFAULT_ARGS) + list(args)).start(retries)


def run_expect_start_failure(args, timeout=READY_TIMEOUT):
    """Runs test_server expected to fail at start; returns (exit code, stdout, stderr)."""
    port = free_port()
    if WRAPPER:
        timeout = max(timeout, WRAPPER_READY_TIMEOUT)
    p = subprocess.run(WRAPPER + [str(SERVER_BIN), "--port", str(port)] + list(args), stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


# ---- Fixtures -----------------------------------------------------------------------

@pytest.fixture
def firmware():
    """start(fw) or start(binary, *args, **options) -> a started Firmware (fw: an
    unstarted Firmware, e.g. of a subclass; else Firmware(binary, args, **options));
    every one is stopped at teardown, which asserts none has problems()."""
    started = []

    def start(binary, *args, **options):
        fw = binary if isinstance(binary, Firmware) else Firmware(binary, args, **options)
        fw.start()
        started.append(fw)
        return fw

    yield start
    assert_all_clean(started)


@pytest.fixture(scope="module")
def module_server():
    srv = start_server()
    yield srv
    srv.assert_clean_exit()


@pytest.fixture
def server(module_server):
    """The module's default server; after the test it must still be running."""
    assert module_server.alive(), "default server died before this test:\n" + module_server.stderr_text()[-3000:]
    yield module_server
    assert module_server.alive(), ("test_server died during this test (exit %s):\n%s"
                                   % (module_server.proc.poll(), module_server.stderr_text()[-6000:]))


@pytest.fixture
def server_factory(firmware):
    """start(*args) -> a dedicated server for this test, stopped and checked at teardown."""
    return lambda *args: firmware(ServerProcess(list(DEFAULT_ARGS) + list(args)))


def pytest_report_header(config):
    out = "test_server: %s" % SERVER_BIN
    if WRAPPER:
        out += "\nserver wrapper (HTTPD_SERVER_WRAPPER): %s" % " ".join(WRAPPER)
    return out


# Tests skipped under HTTPD_SERVER_WRAPPER, "file::test name" (without parameters) ->
# why: they measure time or race the server against the clock, which a wrapper such as
# valgrind (tens of times slower) makes meaningless; the rest of the suite still runs
# every code path they cover.
WRAPPER_SKIP = {
    "test_https.py::test_stalled_handshakes_do_not_hold_up_other_clients":
        "each request must take under a second, a TLS handshake under valgrind takes longer",
    "test_https.py::test_slow_handshake_fails_at_the_handshake_timeout": "times the handshake limit",
    "test_https.py::test_50_concurrent_handshakes": "50 ECDSA handshakes at once outrun the client's time-outs",
}


def pytest_collection_modifyitems(config, items):
    if not WRAPPER:
        return
    for item in items:
        key = "%s::%s" % (Path(str(item.fspath)).name, getattr(item, "originalname", None) or item.name)
        reason = WRAPPER_SKIP.get(key)
        if reason:
            item.add_marker(pytest.mark.skip(reason="under HTTPD_SERVER_WRAPPER: " + reason))


# ---- Assertion helpers --------------------------------------------------------------

def expect_error_close(srv, data, code, timeout=3.0, msg=None, pieces_delay=None, headers=()):
    """Sends data (bytes, or a list of pieces sent pieces_delay apart) on a new
    connection; asserts the exact error response of the spec (with Connection: close
    and the given extra headers, e.g. a 405's Allow) arrives within timeout and that
    the server then closes. Returns the response."""
    with srv.conn() as c:
        if isinstance(data, (list, tuple)):
            c.send_pieces(data, delay=pieces_delay or 0.05)
        else:
            c.send(data)
        r = c.read_response(timeout=timeout)
        assert r.raw == error_bytes(code, msg, headers=headers), "request %r" % (data,)
        c.assert_closed(timeout=timeout)
    return r
