#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Checks that the library's files only call downward.

layers.txt lists the source files top first, one layer per line; files on one
line are peers. A file may use (call, or read a global of) its own symbols and
those of files on lower lines; a use of a peer or of a file above fails.
Uses are found in the objects: each undefined symbol of an object (nm -u) is
mapped to the object that defines it (nm -g --defined-only); symbols no object
defines (libc, pthread, the sanitizers) are ignored.

usage: check_layers.py --nm NM LAYERS.txt OBJECT...   (objects may also come as
one ';'-separated argument, as CMake's $<TARGET_OBJECTS:...> expands)
Exit status: 0 clean, 1 upward or sideways uses, 2 usage or tool error.
"""
import argparse
import os
import re
import subprocess
import sys


def die(msg):
    print("check_layers: " + msg, file=sys.stderr)
    sys.exit(2)


def nm(tool, args, path):
    res = subprocess.run([tool] + args + [path], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    if res.returncode != 0:
        die("%s %s %s failed:\n%s" % (tool, " ".join(args), path, res.stderr))
    # "addr type name", or "type name" for undefined symbols: the name comes last.
    return {line.split()[-1] for line in res.stdout.splitlines() if len(line.split()) >= 2}


def read_layers(path):
    """{file: layer index}, 0 = top."""
    layer, n = {}, 0
    with open(path) as f:
        for line in f:
            files = line.split("#", 1)[0].split()
            if not files:
                continue
            for name in files:
                if name in layer:
                    die("%s: %s is listed twice" % (path, name))
                layer[name] = n
            n += 1
    if not layer:
        die("%s lists no files" % path)
    return layer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nm", default="nm")
    ap.add_argument("layers")
    ap.add_argument("objects", nargs="+")
    a = ap.parse_args()

    layer = read_layers(a.layers)
    objects = [o for arg in a.objects for o in arg.split(";") if o]
    # session.c.o -> session.c (CMake names an object after its source file).
    source = {o: re.sub(r"\.(o|obj)$", "", os.path.basename(o)) for o in objects}
    if len(set(source.values())) != len(objects):
        die("two objects share a source file name: %s" % " ".join(sorted(source.values())))
    unlisted = sorted(s for s in source.values() if s not in layer)
    if unlisted:
        die("objects not listed in %s: %s" % (a.layers, " ".join(unlisted)))

    defined_by = {}                       # symbol -> file that defines it
    for o in objects:
        for sym in nm(a.nm, ["-g", "--defined-only"], o):
            defined_by[sym] = source[o]
    uses = {}                             # file -> {used file: [symbols]}
    for o in objects:
        me = source[o]
        uses[me] = {}
        for sym in sorted(nm(a.nm, ["-u"], o)):
            other = defined_by.get(sym)
            if other and other != me:
                uses[me].setdefault(other, []).append(sym)

    # The graph, layer by layer, marking every use that does not go down.
    bad = 0
    print("layers from %s (top first); '!!' marks a use of a peer or of a file above\n"
          % os.path.basename(a.layers))
    for n in range(max(layer.values()) + 1):
        files = [f for f in layer if layer[f] == n]
        print("layer %d: %s" % (n, " ".join(f if f in uses else f + " (not built)" for f in files)))
        for f in files:
            for other, syms in sorted(uses.get(f, {}).items(), key=lambda u: (layer[u[0]], u[0])):
                wrong = layer[other] <= layer[f]
                bad += wrong
                print("    %s %-14s -> %-16s (layer %d) %s" % ("!!" if wrong else "  ", f, other,
                      layer[other], ", ".join(syms)))
    print("\nlayers: %s" % ("OK" if not bad else "%d uses of a peer or of a file above" % bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
