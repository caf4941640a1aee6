#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fails when a function in the library's sources is longer than the limit.

usage: check_lengths.py [--max N] FILE...

A function is counted from the line holding its opening brace at column 0 to
the line holding its closing brace at column 0 (the project's style puts both
there), both included. Prints the longest functions and every one over the
limit.
"""
import argparse
import re
import sys


def functions(path):
    """Yields (name, first_line, length) for each function body in path."""
    lines = open(path, encoding='utf-8').read().splitlines()
    start = None
    name = '?'
    last_decl = '?'
    for i, line in enumerate(lines, 1):
        if re.match(r'[A-Za-z_]', line):
            m = re.search(r'([A-Za-z_][A-Za-z0-9_]*)\s*\(', line)
            if m:
                last_decl = m.group(1)
        if line.startswith('{'):
            start, name = i, last_decl
        elif line.startswith('}') and start is not None:
            if not re.match(r'}\s*[A-Za-z_;]', line):   # not the end of a struct or initializer
                yield name, start, i - start + 1
            start = None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--max', type=int, default=120)
    ap.add_argument('files', nargs='+')
    a = ap.parse_args()
    found = [(n, length, f, line) for f in a.files for n, line, length in functions(f)]
    found.sort(key=lambda x: -x[1])
    print('%d functions in %d files; the longest:' % (len(found), len(a.files)))
    for n, length, f, line in found[:5]:
        print('  %4d lines  %s (%s:%d)' % (length, n, f, line))
    over = [x for x in found if x[1] > a.max]
    for n, length, f, line in over:
        print('!! %s (%s:%d) has %d lines, more than %d' % (n, f, line, length, a.max))
    print('function_length: %s' % ('OK' if not over else '%d over the limit' % len(over)))
    return 1 if over else 0


if __name__ == '__main__':
    sys.exit(main())
