#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Resolves the configuration of one upstream ESP-IDF example as ESP-IDF's
build would (Kconfig defaults, then sdkconfig.defaults, then the CI file of the
chosen configuration) and writes what the host build needs.

Kconfig files read: this repository's Kconfig (the HTTPD_* options), the
checkout's examples/common_components/protocol_examples_common/Kconfig.projbuild,
the example's main/Kconfig.projbuild and components/*/Kconfig*. Symbols those
files use without defining (chip capabilities, other components' options) get
stub definitions with the value the host environment's sdkconfig.h gives
them (--env-sdkconfig; a symbol it does not define is n), so that the
example's choices agree with the environment it is built against (its
CONFIG_IDF_TARGET_LINUX, say).

Configuration "default" uses sdkconfig.ci; configuration NAME uses
sdkconfig.ci.NAME (the naming of ESP-IDF's CI).

Written to --out:
  sdkconfig_app.h  #define CONFIG_* of the example (HTTPD_* excluded: those
                   come from the library build's own configuration header)
  sdkconfig.json   every value, keys without CONFIG_, as ESP-IDF writes it
  httpd_args.txt   one -DCONFIG_HTTPD_*=value per line for the library build
  sdkconfig.cmake  set(CONFIG_* ...) for the example's CMakeLists.txt
  project.txt      the example's project() name

Usage: idf_config.py --idf IDF_PATH --repo REPO_ROOT --example DIR
                     [--config NAME] [--env-sdkconfig FILE] --out DIR
"""
import argparse
import glob
import json
import os
import re
import sys

try:
    import kconfiglib
except ImportError:
    sys.exit("idf_config.py: needs kconfiglib (Debian: python3-kconfiglib)")

ASSIGN_RE = re.compile(r'^\s*CONFIG_([A-Za-z0-9_]+)=(.*)$')
NOT_SET_RE = re.compile(r'^\s*#\s*CONFIG_([A-Za-z0-9_]+) is not set')
DEFINE_RE = re.compile(r'^\s*#\s*define\s+CONFIG_([A-Za-z0-9_]+)\s+(.*?)\s*(/\*.*)?$')


def read_env_defines(path):
    """CONFIG_ values a C header defines: name -> raw text."""
    out = {}
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = DEFINE_RE.match(line)
                if m:
                    out[m.group(1)] = m.group(2)
    return out


def stub(name, raw):
    """Kconfig text defining NAME with the environment's value (n when it has none)."""
    if raw is None or raw in ("0", ""):
        return f"config {name}\n    bool\n    default n\n"
    if raw == "1":
        return f"config {name}\n    bool\n    default y\n"
    if raw.startswith('"'):
        return f"config {name}\n    string\n    default {raw}\n"
    if raw.lower().startswith("0x"):
        return f"config {name}\n    hex\n    default {raw}\n"
    return f"config {name}\n    int\n    default {raw}\n"


def read_assignments(path):
    """CONFIG_ assignments of an sdkconfig file: name -> raw value ('n' for 'is not set')."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = ASSIGN_RE.match(line)
            if m:
                out[m.group(1)] = m.group(2).strip()
                continue
            m = NOT_SET_RE.match(line)
            if m:
                out[m.group(1)] = "n"
    return out


def write_top(path, sources, stubs):
    with open(path, "w", encoding="utf-8") as f:
        f.write('mainmenu "idf-examples host build"\n')
        for name, raw in sorted(stubs.items()):
            f.write(stub(name, raw))
        for src in sources:
            f.write(f'osource "{src}"\n')


def load(top):
    kconf = kconfiglib.Kconfig(top, warn=False)
    return kconf


def py_value(sym):
    """Value as ESP-IDF's sdkconfig.json holds it."""
    if sym.orig_type in (kconfiglib.BOOL, kconfiglib.TRISTATE):
        return sym.str_value != "n"
    if sym.orig_type == kconfiglib.INT:
        return int(sym.str_value, 0) if sym.str_value else None
    if sym.orig_type == kconfiglib.HEX:
        return int(sym.str_value, 16) if sym.str_value else None
    return sym.str_value


def raw_py_value(raw):
    if raw == "y":
        return True
    if raw == "n":
        return False
    if raw.startswith('"') and raw.endswith('"'):
        return raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    try:
        return int(raw, 0)
    except ValueError:
        return raw


def c_define(name, value):
    if value is True:
        return f"#define CONFIG_{name} 1\n"
    if value is False or value is None:
        return ""
    if isinstance(value, int):
        return f"#define CONFIG_{name} {value}\n"
    esc = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'#define CONFIG_{name} "{esc}"\n'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idf", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--example", required=True)
    ap.add_argument("--config", default="default")
    ap.add_argument("--env-sdkconfig", default="")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    idf = os.path.abspath(args.idf)
    ex = os.path.abspath(args.example)
    repo_kconfig = os.path.join(os.path.abspath(args.repo), "Kconfig")
    os.makedirs(args.out, exist_ok=True)
    os.environ["IDF_PATH"] = idf
    # protocol_examples_common's Kconfig optionally sources env_caps/$IDF_TARGET:
    # a name with no such folder (the host is no chip).
    os.environ["IDF_TARGET"] = "host"

    sources = [repo_kconfig,
               os.path.join(idf, "examples/common_components/protocol_examples_common/Kconfig.projbuild"),
               os.path.join(ex, "main/Kconfig.projbuild"),
               os.path.join(ex, "main/Kconfig")]
    for comp in sorted(glob.glob(os.path.join(ex, "components", "*"))):
        sources += [os.path.join(comp, "Kconfig"), os.path.join(comp, "Kconfig.projbuild")]

    top = os.path.join(args.out, "Kconfig.top")
    write_top(top, sources, {})
    kconf = load(top)
    env = read_env_defines(args.env_sdkconfig)
    stubs = {n: env.get(n)
             for n, s in kconf.syms.items()
             if not s.nodes and re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", n) and n not in ("y", "n", "m")}
    write_top(top, sources, stubs)
    kconf = load(top)

    files = [os.path.join(ex, "sdkconfig.defaults")]
    files.append(os.path.join(ex, "sdkconfig.ci" if args.config == "default" else "sdkconfig.ci." + args.config))
    if args.config != "default" and not os.path.exists(files[-1]):
        sys.exit(f"idf_config.py: {ex} has no sdkconfig.ci.{args.config}")
    assigned = {}
    for path in files:
        if os.path.exists(path):
            kconf.load_config(path, replace=False)
            assigned.update(read_assignments(path))

    # The library's host build has its own defaults (CMakeLists.txt); only the
    # HTTPD_* values this example changes from the Kconfig defaults (by a file
    # or a select) are passed on.
    base = kconfiglib.Kconfig(repo_kconfig, warn=False)
    base_values = {s.name: s.str_value for s in base.unique_defined_syms}

    stub_names = set(stubs)
    values = {}
    app_defs = []
    httpd_args = []
    repo_syms = set()
    for sym in kconf.unique_defined_syms:
        if sym.name in stub_names:
            continue
        in_repo = any(os.path.abspath(node.filename) == repo_kconfig for node in sym.nodes)
        if not sym.config_string:
            continue  # invisible and without a value: not in sdkconfig.h either
        value = py_value(sym)
        values[sym.name] = value
        if in_repo:
            repo_syms.add(sym.name)
            base_value = base_values.get(sym.name, "")
            changed = sym.str_value != base_value and (base_value != "" or sym.user_value is not None)
            if sym.name.startswith("HTTPD_") and changed:
                v = ("ON" if value else "OFF") if isinstance(value, bool) else str(value)
                httpd_args.append(f"-DCONFIG_{sym.name}={v}")
        else:
            app_defs.append(c_define(sym.name, value))
    # Assignments to options no Kconfig file here defines (other components'):
    # kept as ESP-IDF would write them.
    for name, raw in sorted(assigned.items()):
        if name in values or name in kconf.syms and kconf.syms[name].nodes and name not in stub_names:
            continue
        value = raw_py_value(raw)
        values[name] = value
        if not name.startswith("HTTPD_"):
            app_defs.append(c_define(name, value))

    with open(os.path.join(args.out, "sdkconfig_app.h"), "w", encoding="utf-8") as f:
        f.write("/* Generated by idf_config.py from the example's Kconfig and sdkconfig files. */\n")
        f.write("#pragma once\n")
        f.writelines(d for d in app_defs if d)
    with open(os.path.join(args.out, "sdkconfig.json"), "w", encoding="utf-8") as f:
        json.dump(values, f, indent=4, sort_keys=True)
    with open(os.path.join(args.out, "sdkconfig.cmake"), "w", encoding="utf-8") as f:
        for name, value in sorted(values.items()):
            if name in repo_syms:
                continue  # the library's own cache variables decide those
            if isinstance(value, bool):
                value = "y" if value else ""
            value = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
            f.write(f'set(CONFIG_{name} "{value}")\n')
    with open(os.path.join(args.out, "httpd_args.txt"), "w", encoding="utf-8") as f:
        f.write("".join(a + "\n" for a in httpd_args))

    project = None
    with open(os.path.join(ex, "CMakeLists.txt"), encoding="utf-8") as f:
        m = re.search(r'^\s*project\(\s*([A-Za-z0-9_.+-]+)', f.read(), re.M)
        if m:
            project = m.group(1)
    if not project:
        sys.exit(f"idf_config.py: no project() in {ex}/CMakeLists.txt")
    with open(os.path.join(args.out, "project.txt"), "w", encoding="utf-8") as f:
        f.write(project + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
