#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Worst-case stack depths from GCC's call-graph files (-fcallgraph-info=su,da).

    scripts/stack_usage.py [--root DIR] OBJDIR

Reads every OBJDIR/*.ci (one per object, as scripts/footprint.sh --stack compiles
them; each holds the functions of one file with their frame sizes, and the
calls they make, inlined callees' calls included) and prints Markdown tables:

  1. the server task: the bytes in use when each kind of user code is called
     (the URI handler, error handlers, open_fn, close_fn, ...): the largest sum
     of frames from the task's entry (the function src/server.c gives to
     httpd__port_thread_create()) down to the function making the call;
  2. the public calls a handler makes: the largest sum of frames below each,
     its own included, with the calls out of the library (and into user
     code) below it and the most bytes in use when each is made (what that
     code uses itself comes on top: not measured);
  3. the largest frames, dynamic stack (alloca, VLAs), and recursion.

Calls through function pointers are resolved by the text of the call's source
line (INDIRECT below): to the library's own targets (the loop's handlers, the
default transport functions default_send/default_recv, ...) and/or to user
code; a call the table does not know is reported. Every call is followed,
taken or not: an upper bound. No path goes round a recursive cycle; where one
could, the figure going round it once more is given too ("re-entering"). Tail
calls count as calls (an over-estimate of at most the caller's frame).
Standard library only.
"""
import argparse
import glob
import os
import re
import sys

# Calls through pointers: (pattern on the call's source line, the user code
# called there or None, the library's own functions it may call). "HANDLERS"
# stands for the loop's handler table of src/server.c.
INDIRECT = [
    (r"\bfn\(&slot->rq\.req\)", "URI handler", ()),
    (r"\bfn\(req, error\)", "error handler (httpd_register_err_handler)", ()),
    (r"\bh->(on_\w+)\(", None, "HANDLERS"),
    (r"config\.open_fn\(", "open_fn", ()),
    (r"config\.close_fn\(", "close_fn", ()),
    (r"\bfn\(\*ctx\)", "free_ctx / free_transport_ctx", ()),
    (r"\bw\.fn\(w\.arg\)", "work function (httpd_queue_work)", ("send_job_work",)),   # ws.c's async sends
    (r"ws_pre_handshake_cb\(", "ws_pre_handshake_cb", ()),
    (r"ws_post_handshake_cb\(", "ws_post_handshake_cb", ()),
    (r"\bcb\(err, ", "transfer_complete_cb (httpd_ws_send_data_async)", ("send_wait_done",)),
    (r"\bmatch\(e->uri", "uri_match_fn", ("httpd_uri_match_wildcard",)),
    (r"->send_fn\(", "send override (httpd_sess_set_send_override)", ("default_send",)),
    (r"->recv_fn\(", "recv override (httpd_sess_set_recv_override)", ("default_recv",)),
    (r"->pending_fn\(", "pending override (httpd_sess_set_pending_override)", ()),
    (r"->on_close\(", None, ("ws_sess_release",)),   # set by ws.c only
]

# The calls a handler typically makes.
API = ["httpd_resp_send", "httpd_resp_send_chunk", "httpd_resp_sendstr", "httpd_resp_set_hdr",
       "httpd_resp_set_type", "httpd_req_recv", "httpd_req_get_hdr_value_str", "httpd_req_get_url_query_str",
       "httpd_query_key_value", "httpd_resp_send_err", "httpd_ws_recv_frame", "httpd_ws_send_frame",
       "httpd_ws_send_frame_async", "httpd_queue_work", "httpd_sess_trigger_close"]

NODE = re.compile(r'node: \{ title: "([^"]*)" label: "([^"]*)"')
EDGE = re.compile(r'edge: \{ sourcename: "([^"]*)" targetname: "([^"]*)"(?: label: "([^"]*)")? \}')
FRAME = re.compile(r'\\n(\d+) bytes \(([^)]*)\)\\n(\d+) dynamic object')


class Graph:
    def __init__(self, root, objdir):
        self.root = root
        self.fn = {}      # title -> [bytes, qualifier, dynamic objects, "file:line"]
        self.calls = {}   # title -> [(kind "fn"|"ext"|"user", target, call site)]
        self.unknown = []  # indirect calls INDIRECT does not know
        self.missing = set()  # INDIRECT targets not found
        self.lines = {}
        edges = []
        files = sorted(glob.glob(os.path.join(objdir, "*.ci")))
        if not files:
            sys.exit(f"stack_usage.py: no .ci files in {objdir}")
        for path in files:
            with open(path) as f:
                for line in f:
                    m = NODE.match(line)
                    if m and (fr := FRAME.search(m.group(2))):
                        where = m.group(2).split("\\n")[1]
                        self.fn[m.group(1)] = [int(fr.group(1)), fr.group(2), int(fr.group(3)), where]
                    elif (m := EDGE.match(line)):
                        edges.append(m.groups())
        with open(os.path.join(root, "src/server.c")) as f:
            server_c = f.read()
        self.handlers = dict(re.findall(r"\.(on_\w+)\s*=\s*(\w+)", server_c))
        entry = re.search(r"httpd__port_thread_create\(\s*[^,]+,\s*[^,]+,\s*(\w+)", server_c)
        self.entry = self.find(entry.group(1)) if entry else None
        for src, dst, site in edges:
            out = self.calls.setdefault(src, [])
            if dst in self.fn:
                out.append(("fn", dst, site))
            elif dst != "__indirect_call":
                out.append(("ext", dst, site))
            else:
                out.extend(self.indirect(site))
        self.recursion = self.cycles()
        self.recursive = {t for c in self.recursion for t in c}

    def find(self, name):
        """The title of the defined function called name (a static one: file:name)."""
        if name in self.fn:
            return name
        hits = [t for t in self.fn if t.endswith(":" + name)]
        return hits[0] if len(hits) == 1 else None

    def source_line(self, site):
        file, line = site.split(":")[:2]
        if file not in self.lines:
            try:
                with open(os.path.join(self.root, file)) as f:
                    self.lines[file] = f.read().split("\n")
            except OSError:
                self.lines[file] = []
        text = self.lines[file]
        return text[int(line) - 1] if 0 < int(line) <= len(text) else ""

    def indirect(self, site):
        text = self.source_line(site or "?:0")
        for pattern, user, targets in INDIRECT:
            m = re.search(pattern, text)
            if not m:
                continue
            if targets == "HANDLERS":
                targets = (self.handlers.get(m.group(1), m.group(1)),)
            out = [("user", user, site)] if user else []
            for name in targets:
                t = self.find(name)
                if t:
                    out.append(("fn", t, site))
                else:
                    self.missing.add(name)
            return out
        self.unknown.append(f"{site}: {text.strip()}")
        return [("user", f"unknown indirect call at {site}", site)]

    def frame(self, t):
        return self.fn[t][0]

    def longest(self, start, stop, passes=1):
        """The largest sum of frames from start down to a function f with
        stop(f), and that path; (None, []) when no such f is reached. A
        function of a recursive cycle may be on the path passes times."""
        memo, active = {}, {}

        def down(f):
            if f in memo:
                return memo[f]
            if active.get(f, 0) >= (passes if f in self.recursive else 1):
                return None
            active[f] = active.get(f, 0) + 1
            best = (0, None) if stop(f) else None   # (bytes below f, (callee, its tail))
            for kind, c, _ in self.calls.get(f, ()):
                if kind == "fn":
                    d = down(c)
                    if d is not None and (best is None or d[0] > best[0]):
                        best = (d[0], (c, d[1]))
            active[f] -= 1
            r = None if best is None else (self.frame(f) + best[0], best[1])
            # Outside the cycles a function's result does not depend on the
            # path above it (nothing below it leads back to it): kept.
            if f not in self.recursive:
                memo[f] = r
            return r

        r = down(start)
        if r is None:
            return None, []
        path, tail = [start], r[1]
        while tail:
            path.append(tail[0])
            tail = tail[1]
        return r[0], path

    def cycles(self):
        """Strongly connected components with a cycle (Tarjan): the recursion."""
        index, low, stack, on, out = {}, {}, [], set(), []

        def visit(v):
            index[v] = low[v] = len(index)
            stack.append(v)
            on.add(v)
            for kind, w, _ in self.calls.get(v, ()):
                if kind != "fn":
                    continue
                if w not in index:
                    visit(w)
                    low[v] = min(low[v], low[w])
                elif w in on:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                selfloop = any(k == "fn" and w == v for k, w, _ in self.calls.get(v, ()))
                if len(comp) > 1 or selfloop:
                    out.append(sorted(comp))

        sys.setrecursionlimit(10000)
        for v in list(self.fn):
            if v not in index:
                visit(v)
        return out


def short(t):
    name = t.rsplit(":", 1)[-1]
    return name[7:] if name.startswith("httpd__") else name


def chain(g, path):
    return " > ".join(f"{short(t)} {g.frame(t)}" for t in path)


def outcalls(g, start, top=None):
    """The calls out of the library (and into user code) below start, each
    with the most bytes in use at the call, deepest first."""
    seen, todo, out = {start}, [start], {}
    while todo:
        for kind, target, _ in g.calls.get(todo.pop(), ()):
            if kind == "fn" and target not in seen:
                seen.add(target)
                todo.append(target)
            elif kind != "fn":
                out[(kind, target)] = None
    for kind, target in out:
        out[(kind, target)] = g.longest(start, lambda f: any(k == kind and t == target
                                                             for k, t, _ in g.calls.get(f, ())))[0]
    depths = {}
    for (kind, target), d in out.items():
        depths.setdefault(d, []).append(target if kind == "ext" else f"user {target.split(' (')[0]}")
    groups = [f"{', '.join(sorted(n))} @{d}" for d, n in sorted(depths.items(), reverse=True)]
    more = f"; {len(groups) - top} more" if top and len(groups) > top else ""
    return "; ".join(groups[:top]) + more or "-"


def bytes_cell(g, start, stop):
    """The bytes of the deepest path, and those with one more pass round a recursive cycle if more."""
    depth, path = g.longest(start, stop)
    again = g.longest(start, stop, passes=2)[0] if depth is not None and g.recursive else None
    return (f"{depth} ({again} re-entering)" if again and again > depth else str(depth)), depth, path


def api_target(g, root, name):
    """name's function, or what it stands for: an alias (src/*.c) or a static inline wrapper (include/)."""
    if name in g.fn:
        return name, ""
    for path in sorted(glob.glob(os.path.join(root, "src", "*.c"))):
        with open(path) as f:
            m = re.search(rf"\b{name}\s*\([^;{{]*\)\s*__attribute__\(\(alias\(\"(\w+)\"\)\)\)", f.read())
        if m and m.group(1) in g.fn:
            return m.group(1), f" (alias of {m.group(1)})"
    for path in sorted(glob.glob(os.path.join(root, "include", "*.h"))):
        with open(path) as f:
            m = re.search(rf"static inline[^;{{]*\b{name}\s*\([^)]*\)\s*\{{\s*return\s+(\w+)\(", f.read())
        if m and m.group(1) in g.fn:
            return m.group(1), f" (inline, calls {m.group(1)})"
    return None, ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--top", type=int, default=8, help="how many of the largest frames to list")
    ap.add_argument("--limit", action="append", default=[], metavar="NAME=BYTES",
                    help="fail (exit 1) when a figure is over BYTES: NAME is 'handler' (in use when a URI "
                         "handler is called), 'deepest' (the library's deepest point) or an API function "
                         "of the second table; the figures without re-entering")
    ap.add_argument("objdir")
    a = ap.parse_args()
    g = Graph(a.root, a.objdir)
    if not g.entry:
        sys.exit("stack_usage.py: no server task entry (httpd__port_thread_create() in src/server.c)")

    print(f"Server task, from its entry {short(g.entry)} ({g.fn[g.entry][3]}; the task's start routine not "
          "counted): the bytes in use when user code is called.\n")
    print("| user code | bytes in use | deepest path (function frame) | call sites |")
    print("|---|---:|---|---|")
    cell, depth, path = bytes_cell(g, g.entry, lambda f: True)
    measured = {"deepest": depth}
    print(f"| (none: the library's own deepest) | {cell} | {chain(g, path)} | plus {outcalls(g, g.entry, 6)} |")
    kinds = [u for _, u, _ in INDIRECT if u]
    kinds += sorted({t for v in g.calls.values() for k, t, _ in v if k == "user" and t not in kinds})
    for kind in kinds:
        def calls_it(f, kind=kind):
            return any(k == "user" and t == kind for k, t, _ in g.calls.get(f, ()))
        sites = ", ".join(sorted({s for f in g.fn for k, t, s in g.calls.get(f, ()) if k == "user" and t == kind}))
        cell, depth, path = bytes_cell(g, g.entry, calls_it)
        if not sites:
            print(f"| {kind} | - | not in this build | |")
        elif depth is None:
            callers = ", ".join(sorted(short(f) for f in g.fn if calls_it(f)))
            print(f"| {kind} | - | not on the server task (called from {callers}) | {sites} |")
        else:
            print(f"| {kind} | {cell} | {chain(g, path)} | {sites} |")
            if kind == "URI handler":
                measured["handler"] = depth

    print("\nCalls a handler makes: the largest sum of frames below the call, its own included (the deepest "
          "path); plus: the calls out of the library below it, each with the most bytes in use at the call "
          "(what they use comes on top).\n")
    print("| function | bytes | deepest path (function frame) | plus |")
    print("|---|---:|---|---|")
    for name in API:
        t, note = api_target(g, a.root, name)
        if not t:
            print(f"| {name} | - | not in this build | |")
            continue
        cell, depth, path = bytes_cell(g, t, lambda f: True)
        measured[name] = depth
        print(f"| {name}{note} | {cell} | {chain(g, path)} | {outcalls(g, t)} |")

    print("\nLargest frames:\n")
    print("| function | bytes | defined at |")
    print("|---|---:|---|")
    for t in sorted(g.fn, key=lambda t: (-g.frame(t), t))[:a.top]:
        print(f"| {short(t)} | {g.frame(t)} | {g.fn[t][3]} |")
    dyn = [t for t in g.fn if g.fn[t][1] != "static" or g.fn[t][2]]
    print("\nDynamic stack (alloca, VLAs): " +
          (", ".join(f"{short(t)} ({g.fn[t][1]}, {g.fn[t][2]} objects)" for t in dyn) if dyn else "none."))
    print("Recursion: " + ("; ".join(
        f"{' <-> '.join(short(t) for t in c)} ({sum(g.frame(t) for t in c)} bytes for all of its frames)"
        for c in g.recursion) + "; the paths above do not go round it, the figures \"re-entering\" once"
        if g.recursion else "none."))
    lib = sorted({t for v in g.calls.values() for k, t, _ in v if k == "ext" and t.startswith("httpd")})
    if lib:
        print("Library functions called but not compiled here (not counted): " + ", ".join(lib))
    for u in g.unknown:
        print(f"stack_usage.py: indirect call not in INDIRECT (counted as user code): {u}", file=sys.stderr)
    for m in sorted(g.missing):
        print(f"stack_usage.py: note: INDIRECT names {m}, which is not in this build", file=sys.stderr)
    status = 0
    for lim in a.limit:
        name, _, value = lim.partition("=")
        if not value.isdigit() or measured.get(name) is None:
            sys.exit(f"stack_usage.py: bad --limit {lim!r} (measured: {', '.join(sorted(measured))})")
        if measured[name] > int(value):
            print(f"stack_usage.py: OVER STACK BUDGET: {name} uses {measured[name]} bytes, budget {value} "
                  f"({measured[name] - int(value)} over)", file=sys.stderr)
            status = 1
        else:
            print(f"stack budget {name}: {measured[name]} of {value} bytes")
    return status


if __name__ == "__main__":
    sys.exit(main())
