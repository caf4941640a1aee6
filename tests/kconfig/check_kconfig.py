#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Checks the Kconfig at the repository root, which ESP-IDF reads when it builds
the repository as a component (README, "ESP-IDF component"):

  * every option of upstream esp_http_server's menu "HTTP Server" is there with
    upstream's type, default, dependency and range (the table below);
  * every other option is marked as this implementation's own in its help;
  * every CONFIG_HTTPD_* name the sources use (src/, include/, the host's
    configuration header cmake/esp_http_server_config.h.in) is a Kconfig option,
    or is listed in NOT_IN_KCONFIG with the reason;
  * every option of our own is used: by the sources, or by
    cmake/idf_component.cmake (which picks files and definitions from it);
  * where src/httpd_priv.h gives one of our options a fallback (an sdkconfig
    made before the option existed), the fallback is the Kconfig default;
  * idf_component.yml's version is project()'s in CMakeLists.txt.

Usage: check_kconfig.py [--kconfig FILE] [--root DIR]
Needs kconfiglib (Debian: python3-kconfiglib). Exit status 0 when all holds,
1 with one line per problem otherwise.
"""
import argparse
import os
import re
import sys

try:
    import kconfiglib
except ImportError:
    sys.exit("check_kconfig.py: needs kconfiglib (Debian: python3-kconfiglib, for /usr/bin/python3)")

MENU = "HTTP Server"

# Upstream's options (ESP-IDF's components/esp_http_server/Kconfig, newest
# master at the time of writing, v6.1-dev): name -> (type, default, the
# "depends on" expression or None, range (low, high) or None). A bool without
# a default line defaults to n.
UPSTREAM = {
    "HTTPD_MAX_REQ_HDR_LEN":              ("int",  "1024", None, ("128", "65536")),
    "HTTPD_MAX_URI_LEN":                  ("int",  "512",  None, None),
    "HTTPD_ERR_RESP_NO_DELAY":            ("bool", "y",    None, None),
    "HTTPD_PURGE_BUF_LEN":                ("int",  "32",   None, None),
    "HTTPD_LOG_PURGE_DATA":               ("bool", "n",    None, None),
    "HTTPD_WS_SUPPORT":                   ("bool", "n",    None, None),
    "HTTPD_WS_STRICTER_RFC6455":          ("bool", "n",    "HTTPD_WS_SUPPORT", None),
    "HTTPD_QUEUE_WORK_BLOCKING":          ("bool", "n",    None, None),
    "HTTPD_ENABLE_EVENTS":                ("bool", "y",    None, None),
    "HTTPD_SERVER_EVENT_POST_TIMEOUT":    ("int",  "2000", "HTTPD_ENABLE_EVENTS", None),
    "HTTPD_WS_PRE_HANDSHAKE_CB_SUPPORT":  ("bool", "n",    "HTTPD_WS_SUPPORT", None),
    "HTTPD_WS_POST_HANDSHAKE_CB_SUPPORT": ("bool", "n",    "HTTPD_WS_SUPPORT", None),
}

# The words that mark an option as ours in its help text.
OURS_MARK = "This implementation's own option"

# CONFIG_HTTPD_* names the sources may use although no Kconfig option defines
# them: name -> why. (None at present.)
NOT_IN_KCONFIG = {}

# Where the sources name CONFIG_HTTPD_* values.
SOURCE_DIRS = ("src", "include")
SOURCE_FILES = ("cmake/esp_http_server_config.h.in",)
# Where the component's build reads options (CMake variables CONFIG_HTTPD_*).
COMPONENT_CMAKE = "cmake/idf_component.cmake"
# Fallbacks of our options for an sdkconfig that lacks them.
FALLBACK_HEADER = "src/httpd_priv.h"

CONFIG_RE = re.compile(r"\bCONFIG_(HTTPD_[A-Z0-9_]+)\b")


def strip_c_comments(text):
    """The text without /* */ and // comments (string literals are left alone:
    the sources hold no comment markers in strings that matter here)."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def default_of(sym):
    """The value the symbol takes by default when its dependencies hold (the
    defaults as written: kconfiglib's .defaults carry the dependencies too)."""
    for value, cond in sym.orig_defaults:
        if kconfiglib.expr_value(cond):
            return value.str_value
    return "n" if sym.type in (kconfiglib.BOOL, kconfiglib.TRISTATE) else ""


def dependency_of(sym):
    dep = kconfiglib.expr_str(sym.direct_dep)
    return None if dep == "y" else dep


def range_of(sym):
    if not sym.ranges:
        return None
    low, high, _cond = sym.ranges[0]
    return (low.str_value, high.str_value)


def help_of(sym):
    return " ".join(node.help or "" for node in sym.nodes)


def in_menu(sym, title):
    for node in sym.nodes:
        parent = node.parent
        while parent is not None:
            if parent.item == kconfiglib.MENU and parent.prompt and parent.prompt[0] == title:
                return True
            parent = parent.parent
    return False


def source_texts(root):
    paths = []
    for d in SOURCE_DIRS:
        for dirpath, _dirs, files in os.walk(os.path.join(root, d)):
            paths += [os.path.join(dirpath, f) for f in files if f.endswith((".c", ".h"))]
    paths += [os.path.join(root, f) for f in SOURCE_FILES]
    for p in sorted(paths):
        with open(p, encoding="utf-8") as fh:
            yield os.path.relpath(p, root), strip_c_comments(fh.read())


def check(kconfig_path, root):
    problems = []
    kconf = kconfiglib.Kconfig(kconfig_path, warn_to_stderr=False)
    problems += ["kconfiglib: " + w for w in kconf.warnings]
    syms = {s.name: s for s in kconf.unique_defined_syms}

    # Upstream's options, exactly.
    for name, (typ, default, dep, rng) in UPSTREAM.items():
        sym = syms.get(name)
        if sym is None:
            problems.append(f"{name}: upstream option missing")
            continue
        got = (kconfiglib.TYPE_TO_STR[sym.type], default_of(sym), dependency_of(sym), range_of(sym))
        for what, want, have in zip(("type", "default", "depends on", "range"), (typ, default, dep, rng), got):
            if want != have:
                problems.append(f"{name}: {what} is {have!r}, upstream has {want!r}")

    # Every option: in the menu, with a prompt and help; ours marked as ours.
    for name, sym in syms.items():
        if not in_menu(sym, MENU):
            problems.append(f"{name}: not inside menu \"{MENU}\"")
        if not any(node.prompt for node in sym.nodes):
            problems.append(f"{name}: no prompt")
        text = help_of(sym)
        if not text.strip():
            problems.append(f"{name}: no help text")
        if name not in UPSTREAM and OURS_MARK not in text:
            problems.append(f"{name}: not upstream's, but its help does not say \"{OURS_MARK}\"")

    # The sources' CONFIG_HTTPD_* names.
    used = {}
    for rel, text in source_texts(root):
        for name in CONFIG_RE.findall(text):
            used.setdefault(name, rel)
    for name, where in sorted(used.items()):
        if name not in syms and name not in NOT_IN_KCONFIG:
            problems.append(f"CONFIG_{name} (used in {where}): no Kconfig option and not in NOT_IN_KCONFIG")
    for name in NOT_IN_KCONFIG:
        if name in syms:
            problems.append(f"CONFIG_{name}: in NOT_IN_KCONFIG but defined by the Kconfig")

    # Our options are used somewhere.
    cmake_path = os.path.join(root, COMPONENT_CMAKE)
    with open(cmake_path, encoding="utf-8") as fh:
        component_uses = set(CONFIG_RE.findall(fh.read()))
    for name in syms:
        if name not in UPSTREAM and name not in used and name not in component_uses:
            problems.append(f"{name}: our own option, but neither the sources nor {COMPONENT_CMAKE} use it")

    # Fallbacks in the private header agree with the Kconfig defaults.
    with open(os.path.join(root, FALLBACK_HEADER), encoding="utf-8") as fh:
        header = strip_c_comments(fh.read())
    fallbacks = re.findall(r"#ifndef\s+CONFIG_(HTTPD_\w+)\s*\n\s*#define\s+CONFIG_\1\s+(\S+)", header)
    for name, value in fallbacks:
        sym = syms.get(name)
        if sym is not None and default_of(sym) != value:
            problems.append(f"{name}: {FALLBACK_HEADER} falls back to {value}, the Kconfig default is {default_of(sym)}")

    # The component's version is the project's.
    with open(os.path.join(root, "idf_component.yml"), encoding="utf-8") as fh:
        m = re.search(r'^version:\s*"?([^"\s]+)"?\s*$', fh.read(), re.M)
    yml_version = m.group(1) if m else None
    with open(os.path.join(root, "CMakeLists.txt"), encoding="utf-8") as fh:
        m = re.search(r"^project\(\S+\s+VERSION\s+(\S+)", fh.read(), re.M)
    cmake_version = m.group(1) if m else None
    if yml_version is None or yml_version != cmake_version:
        problems.append(f"idf_component.yml version {yml_version}, CMakeLists.txt project() version {cmake_version}")

    return problems, len(syms), len(used), len(fallbacks), yml_version


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default=os.path.normpath(os.path.join(here, "..", "..")))
    ap.add_argument("--kconfig", help="default: ROOT/Kconfig")
    args = ap.parse_args()
    kconfig_path = args.kconfig or os.path.join(args.root, "Kconfig")
    problems, n_syms, n_used, n_fallbacks, version = check(kconfig_path, args.root)
    for p in problems:
        print("FAIL", p)
    if problems:
        print(f"kconfig: {len(problems)} problem(s) in {kconfig_path}")
        return 1
    print(f"kconfig: {n_syms} options ({len(UPSTREAM)} upstream's, {n_syms - len(UPSTREAM)} ours); "
          f"{n_used} CONFIG_HTTPD_* names in the sources, all defined; {n_fallbacks} fallbacks agree; "
          f"component version {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
