#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Keeps private symbols private.

The public API is every function declared in the installed headers. The shared
library must export exactly that set; the static library may define, besides it,
only names with the private prefix "httpd__" (everything else would collide with
a user's own globals when linking statically).

usage: check_symbols.py --cc CC --nm NM --shared LIB.so --static LIB.a [--include DIR]... HEADER...
Exit status: 0 clean, 1 offending symbols, 2 usage or tool error.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

PRIVATE_PREFIX = "httpd__"
# Defined by the linker in every shared object, not by our code.
LINKER_SYMBOLS = {"_init", "_fini", "_edata", "_end", "__bss_start", "_DYNAMIC",
                  "_GLOBAL_OFFSET_TABLE_", "__dso_handle"}


def die(msg):
    print("check_symbols: " + msg, file=sys.stderr)
    sys.exit(2)


def run(cmd):
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if res.returncode != 0:
        die("%s failed:\n%s" % (" ".join(cmd), res.stderr))
    return res.stdout


def public_api(cc, headers, include_dirs=()):
    """Function names declared in the headers, after the preprocessor, so that the
    build's CONFIG_* switches (e.g. WebSocket support) decide as they do for users."""
    wanted = {os.path.realpath(h) for h in headers}
    with tempfile.NamedTemporaryFile("w", suffix=".c") as tu:
        tu.write("".join('#include "%s"\n' % os.path.realpath(h) for h in headers))
        tu.flush()
        incs = sorted({"-I" + os.path.dirname(os.path.realpath(h)) for h in headers})
        incs += ["-I" + d for d in include_dirs]
        out = run([cc, "-std=c11", "-D_GNU_SOURCE", "-E"] + incs + [tu.name])
    # Keep only the text that comes from our headers (line markers name the file).
    text, keep = [], False
    for line in out.splitlines():
        m = re.match(r'#\s*\d+\s+"([^"]*)"', line)
        if m:
            keep = os.path.realpath(m.group(1)) in wanted
        elif keep:
            text.append(line)
    text = " ".join(text)
    # Drop __attribute__((...)) (up to one level of inner parentheses).
    text = re.sub(r"__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)", " ", text)
    # Collapse every {...} body (structs, enums, inline functions) to "{}".
    while True:
        collapsed = re.sub(r"\{[^{}]*\}", "{}", text)
        if collapsed == text:
            break
        text = collapsed
    names = set()
    for decl in re.split(r"[;{}]", text):
        decl = decl.strip()
        if not decl or re.match(r"(typedef|static)\b", decl) or "=" in decl:
            continue
        # "<return type> name (" : the name is the identifier before the first "(",
        # and a return type must precede it (rules out "void (*fp)(...)").
        m = re.match(r"(.*?)\b([A-Za-z_]\w*)\s*\(", decl)
        if m and m.group(1).strip():
            names.add(m.group(2))
    return names


def defined_symbols(nm, args, path):
    """[(member, name)] of the defined symbols nm lists; member is the archive
    member (object) a symbol comes from, or the file name for a plain file."""
    member, syms = os.path.basename(path), []
    for line in run([nm] + args + [path]).splitlines():
        fields = line.split()
        if len(fields) == 1 and line.endswith(":"):      # "server.c.o:" in an archive
            member = fields[0][:-1]
        elif len(fields) >= 3:                           # "addr type name"
            syms.append((member, fields[-1].split("@")[0]))
    return syms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cc", required=True)
    ap.add_argument("--nm", default="nm")
    ap.add_argument("--shared", required=True)
    ap.add_argument("--static", required=True)
    ap.add_argument("--include", action="append", default=[],
                    help="an include folder for headers the API headers include (not part of the API)")
    ap.add_argument("headers", nargs="+")
    a = ap.parse_args()

    api = public_api(a.cc, a.headers, a.include)
    print("public API: %d functions declared in %s" % (len(api), ", ".join(
        os.path.basename(h) for h in a.headers)))
    for name in sorted(api):
        print("    " + name)
    bad = sorted(n for n in api if n.startswith(PRIVATE_PREFIX))
    if bad or not api:
        die("no public functions found, or public names with the private prefix %s: %s"
            % (PRIVATE_PREFIX, bad))
    failures = 0

    # The static archive: where each name is defined (also names the object of an
    # offending export of the shared library, which is built from the same objects).
    static = defined_symbols(a.nm, ["-g", "--defined-only"], a.static)
    home = {}
    for member, name in static:
        home.setdefault(name, member)

    # 1. Shared library: exports == public API.
    exports = {n for _, n in defined_symbols(a.nm, ["-D", "--defined-only"], a.shared)}
    exports -= LINKER_SYMBOLS
    extra, missing = sorted(exports - api), sorted(api - exports)
    print("\n%s: %d exported symbols, %d not public, %d public functions missing"
          % (os.path.basename(a.shared), len(exports), len(extra), len(missing)))
    for n in extra:
        print("    exported but not public: %-34s (%s)" % (n, home.get(n, "?")))
    for n in missing:
        print("    public but not exported: %s" % n)
    failures += len(extra) + len(missing)

    # 2. Static library: public API or the private prefix, nothing else.
    offenders = sorted({(m, n) for m, n in static
                        if n not in api and not n.startswith(PRIVATE_PREFIX)},
                       key=lambda s: (s[0], s[1]))
    private = {n for _, n in static if n.startswith(PRIVATE_PREFIX)}
    missing = sorted(api - set(home))
    print("\n%s: %d defined globals: %d public, %d %s*, %d unprefixed, "
          "%d public functions missing" % (os.path.basename(a.static), len(home),
          len(api & set(home)), len(private), PRIVATE_PREFIX, len(offenders), len(missing)))
    for member, n in offenders:
        print("    neither public nor %s*: %-34s (%s)" % (PRIVATE_PREFIX, n, member))
    for n in missing:
        print("    public but not defined: %s" % n)
    failures += len(offenders) + len(missing)

    print("\nsymbols: %s" % ("OK" if failures == 0 else "%d FAILURES" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
