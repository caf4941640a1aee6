# SPDX-License-Identifier: Apache-2.0
"""Stand-in for pytest-embedded's Dut, for upstream ESP-IDF example tests run
on the host: the "device" is the example built as a Linux program. It is
started in a folder of its own, its standard output and error are its console
log, its standard input is the console input, and the client reaches it on
127.0.0.1 (the host environment's example_connect() logs that address).

What upstream's tests use is provided with pytest-embedded's meaning:
  dut.expect(pattern, timeout=30)   regex (str/bytes/compiled) over the log not
                                    yet consumed; returns the match (groups are
                                    bytes); consumes the log up to its end;
                                    raises pexpect's TIMEOUT after timeout s
  dut.expect_exact(string, timeout) the same for a literal string
  dut.write(text)                   a line on the program's standard input
  dut.read()                        the unconsumed log (consumed)
  dut.app.binary_path               the build folder (<project>.bin inside)
  dut.app.sdkconfig                 the example's sdkconfig values (no CONFIG_)
  dut.serial.erase_partition(name)  stop the program, empty its folder (where
                                    the host environment keeps the partitions),
                                    start it again, as a chip is reset after
                                    an erase
"""
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time

try:  # upstream's tests catch pexpect's exception; raise that one when possible
    from pexpect.exceptions import TIMEOUT
except ImportError:  # pragma: no cover - pexpect missing
    class TIMEOUT(Exception):
        """Nothing matched within the time-out."""

__all__ = ["Dut", "TIMEOUT"]

STOP_GRACE_S = 5.0
# A chip's console line reaches the test over a serial port, and the test's
# request reaches the chip over Wi-Fi, both some milliseconds after the chip
# printed the line: long enough for the code after the line to run (simple's
# "Registering URI handlers" is logged before the handlers are registered).
# On the host the line and the request are there within microseconds, so when
# expect() matches a line that nothing has followed yet, it waits this long.
CONSOLE_LATENCY_S = float(os.environ.get("IDFEX_CONSOLE_LATENCY_MS", "50")) / 1000.0


class App:
    """What pytest-embedded-idf's IdfApp gives the tests."""

    def __init__(self, build_dir, project):
        self.binary_path = build_dir
        self.app_name = project
        self.elf_file = os.path.join(build_dir, project)
        self.target = "linux"
        try:
            with open(os.path.join(build_dir, "config", "sdkconfig.json"), encoding="utf-8") as f:
                self.sdkconfig = json.load(f)
        except FileNotFoundError:
            self.sdkconfig = {}


class _Serial:
    def __init__(self, dut):
        self._dut = dut

    def erase_partition(self, name):
        self._dut.restart(wipe=True, why=f"erase_partition({name!r})")

    def erase_flash(self):
        self._dut.restart(wipe=True, why="erase_flash()")


class Dut:
    """One running example program and its console log."""

    def __init__(self, app, run_dir, log_path, env=None):
        self.app = app
        self.serial = _Serial(self)
        self.run_dir = run_dir
        self.log_path = log_path
        self._env = env
        self._cond = threading.Condition()
        self._buf = b""          # log not consumed by expect()
        self._all = bytearray()  # the whole log, for reports
        self._proc = None
        self._reader = None
        self._log = open(log_path, "ab")
        os.makedirs(run_dir, exist_ok=True)
        self.start()

    # -- the program --------------------------------------------------------------
    def start(self):
        self._proc = subprocess.Popen(
            [self.app.elf_file], cwd=self.run_dir, env=self._env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True)
        self._reader = threading.Thread(target=self._read, args=(self._proc,), daemon=True)
        self._reader.start()

    def _read(self, proc):
        fd = proc.stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            with self._cond:
                if not chunk:
                    self._cond.notify_all()
                    return
                self._buf += chunk
                self._all += chunk
                self._log.write(chunk)
                self._log.flush()
                self._cond.notify_all()

    def stop(self):
        """SIGTERM, then SIGKILL after STOP_GRACE_S; returns the exit status."""
        proc = self._proc
        if proc is None:
            return None
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=STOP_GRACE_S)
        if self._reader is not None:
            self._reader.join(timeout=STOP_GRACE_S)
        for f in (proc.stdin, proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        self._proc = None
        return proc.returncode

    def restart(self, wipe=False, why="restart"):
        self.stop()
        if wipe:
            for entry in os.listdir(self.run_dir):
                path = os.path.join(self.run_dir, entry)
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path)
                else:
                    os.unlink(path)
        self._note(f"{why}: program restarted" + (" with an empty folder" if wipe else ""))
        self.start()

    def close(self):
        status = self.stop()
        self._log.close()
        return status

    def _note(self, text):
        line = f"\n[harness] {text}\n".encode()
        with self._cond:
            self._all += line
            self._log.write(line)
            self._log.flush()

    def exit_status(self):
        """None while the program runs, else its exit status (-N: signal N)."""
        return None if self._proc is None else self._proc.poll()

    @property
    def pid(self):
        return self._proc.pid if self._proc else None

    def log_text(self):
        with self._cond:
            return bytes(self._all).decode("utf-8", "replace")

    # -- pytest-embedded's API ------------------------------------------------------
    def _wait_for(self, search, what, timeout):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                m = search(self._buf)
                if m is not None:
                    self._buf = self._buf[m.end():]
                    latest = b"\n" not in self._buf.rstrip(b"\r\n")
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TIMEOUT(f"Not found {what!r} within {timeout} s; "
                                  f"unconsumed log ends with: {self._buf[-400:]!r}")
                self._cond.wait(min(left, 0.5))
        if latest and CONSOLE_LATENCY_S > 0:
            time.sleep(CONSOLE_LATENCY_S)
        return m

    def expect(self, pattern, timeout=30, **_kwargs):
        if isinstance(pattern, re.Pattern):
            rx = pattern if isinstance(pattern.pattern, bytes) else re.compile(pattern.pattern.encode(), pattern.flags & ~re.UNICODE)
        else:
            rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        return self._wait_for(rx.search, pattern if not isinstance(pattern, re.Pattern) else pattern.pattern, timeout)

    def expect_exact(self, pattern, timeout=30, **_kwargs):
        needle = pattern.encode() if isinstance(pattern, str) else pattern
        return self._wait_for(re.compile(re.escape(needle)).search, pattern, timeout)

    def write(self, data):
        if isinstance(data, str):
            data = data.encode()
        if not data.endswith(b"\n"):
            data += b"\n"
        if self._proc is None or self._proc.stdin is None:
            raise RuntimeError("the program is not running")
        self._proc.stdin.write(data)
        self._proc.stdin.flush()

    def read(self, size=-1):
        with self._cond:
            if size is None or size < 0:
                out, self._buf = self._buf, b""
            else:
                out, self._buf = self._buf[:size], self._buf[size:]
            return out
