# SPDX-License-Identifier: Apache-2.0
"""pytest plugin that runs upstream ESP-IDF example tests (pytest_*.py of an
ESP-IDF checkout, unchanged) against the examples built for the host by
scripts/idf-examples.sh. It replaces pytest-embedded's device part only:

  target  fixture: "linux" (idf_parametrize drops the chip list)
  config  fixture: the sdkconfig.ci.<config> the test asks for ("default":
          sdkconfig.ci), through indirect parametrization as upstream
  dut     fixture: starts <build root>/<example>-<config>/<project> in a new
          folder, gives expect()/write() over its console (pytest_embedded.Dut),
          stops it after the test (SIGTERM, then SIGKILL)

A test fails as well when the program wrote a sanitizer report or exited
during the test. The console log of each test is kept in the run folder and
its end is shown with a failure.

Options: --idfex-build-root DIR (or IDFEX_BUILD_ROOT), --idfex-run-root DIR
(or IDFEX_RUN_ROOT; default: <build root>/run).
"""
import os
import re
import shutil

import pytest

from pytest_embedded import App, Dut

SANITIZER_RE = re.compile(r"ERROR: (Address|Leak|Thread)Sanitizer|runtime error:|==\d+==ERROR")
MARKERS = ("wifi_router", "wifi_wlan", "ethernet", "generic", "temp_skip_ci(targets, reason)",
           "esp32", "esp32c3", "esp32s3", "host_test")


def pytest_addoption(parser):
    group = parser.getgroup("idfex", "upstream ESP-IDF example tests on the host")
    group.addoption("--idfex-build-root", default=os.environ.get("IDFEX_BUILD_ROOT"),
                    help="folder with one <example>-<config> build per example")
    group.addoption("--idfex-run-root", default=os.environ.get("IDFEX_RUN_ROOT"),
                    help="folder for the programs' working folders and logs")


def pytest_configure(config):
    for m in MARKERS:
        config.addinivalue_line("markers", f"{m}: ESP-IDF CI marker (no effect on the host)")
    config.addinivalue_line("markers", "idfex_example(name): the example a harness test starts")


@pytest.fixture
def target(request):
    return getattr(request, "param", "linux")


@pytest.fixture
def config(request):
    return getattr(request, "param", "default")


def _build_dir(request, cfg):
    root = request.config.getoption("--idfex-build-root")
    if not root:
        pytest.fail("no build folder: run through scripts/idf-examples.sh or pass --idfex-build-root")
    marker = request.node.get_closest_marker("idfex_example")
    if marker is not None:  # the harness's own tests name their example
        example = marker.args[0]
    else:  # upstream's: the folder of the test file
        example = os.path.basename(os.path.dirname(str(request.path)))
    return os.path.join(os.path.abspath(root), f"{example}-{cfg}"), example


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "idfex_rep_" + rep.when, rep)
    dut = getattr(item, "idfex_dut", None)
    if dut is not None and rep.failed:
        tail = "\n".join(dut.log_text().splitlines()[-60:])
        rep.sections.append(("program console (last 60 lines; whole log: " + dut.log_path + ")", tail))


@pytest.fixture
def dut(request, config, target):
    build_dir, example = _build_dir(request, config)
    try:
        with open(os.path.join(build_dir, "config", "project.txt"), encoding="utf-8") as f:
            project = f.read().strip()
    except FileNotFoundError:
        pytest.fail(f"{example} (config {config}) was not configured: no {build_dir}/config")
    app = App(build_dir, project)
    if not os.path.exists(app.elf_file):
        pytest.fail(f"{example} (config {config}) did not build: no {app.elf_file} (see {build_dir}/build.log)")
    run_root = request.config.getoption("--idfex-run-root") or os.path.join(os.path.dirname(build_dir), "run")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    run_dir = os.path.join(os.path.abspath(run_root), f"{example}-{config}", name)
    if os.path.isdir(run_dir):
        shutil.rmtree(run_dir)
    os.makedirs(run_dir)
    log_path = run_dir + ".log"
    if os.path.exists(log_path):
        os.unlink(log_path)
    d = Dut(app, os.path.join(run_dir, "fs"), log_path)
    request.node.idfex_dut = d
    try:
        yield d
    finally:
        early = d.exit_status()
        d.close()
        request.node.idfex_dut = None
        problems = []
        if early is not None:
            problems.append(f"the program exited during the test (status {early})")
        if SANITIZER_RE.search(d.log_text()):
            problems.append("the program wrote a sanitizer report")
        call = getattr(request.node, "idfex_rep_call", None)
        if problems and (call is None or not call.failed):
            tail = "\n".join(d.log_text().splitlines()[-60:])
            pytest.fail("; ".join(problems) + f" (log: {log_path})\n{tail}", pytrace=False)


def pytest_collection_modifyitems(config, items):
    """Upstream's files also hold helpers named test_* that take an address and a
    port (captive_portal's test_redirect, say): ESP-IDF's CI only runs functions
    that use a device, so those are deselected here as well."""
    kept, dropped = [], []
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        upstream = not str(item.path).startswith(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        (dropped if upstream and "dut" not in fixtures else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
