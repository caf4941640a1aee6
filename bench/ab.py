#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A/B: server CPU per keep-alive request of two builds of the hello server, interleaved.

usage: bench/ab.py A_BINARY B_BINARY [--conns 8] [--rounds 10] [--duration 3]

Each binary is bench/peers/esp_api_hello.c linked against one build of the library (for
example the commit before a change and the change itself). In every round both run in turn
(the order alternates), pinned to CPU 0, while wrk -t1 -cN (pinned to CPU 1) drives GET /hello
for a 1 s warm-up and then DURATION seconds; the server's utime+stime over the measured
part (all its threads, /proc) divided by the requests wrk counted is its CPU per request.
Prints each round and the medians, and B/A. Needs wrk and taskset; talks to 127.0.0.1 only
and stops every server it starts.
"""
import argparse
import os
import re
import statistics
import subprocess
import time


def cpu_seconds(pid):
    total = 0
    for tid in os.listdir('/proc/%d/task' % pid):
        fields = open('/proc/%d/task/%s/stat' % (pid, tid)).read().rsplit(')', 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf('SC_CLK_TCK')


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_listening(port, timeout=10.0):
    import socket
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection(('127.0.0.1', port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError('server on port %d did not start' % port)


def measure(binary, conns, duration):
    port = free_port()
    server = subprocess.Popen(['taskset', '-c', '0', binary, str(port), '1024', '128', '0'],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port)
        url = 'http://127.0.0.1:%d/hello' % port
        wrk = ['taskset', '-c', '1', 'wrk', '-t1', '-c%d' % conns]
        subprocess.run(wrk + ['-d1s', url], capture_output=True, timeout=30)
        before = cpu_seconds(server.pid)
        out = subprocess.run(wrk + ['-d%ds' % duration, url], capture_output=True, text=True,
                             timeout=duration + 30).stdout
        after = cpu_seconds(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    requests = int(re.search(r'(\d+) requests in', out).group(1))
    return (after - before) * 1e6 / requests


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('a')
    ap.add_argument('b')
    ap.add_argument('--conns', type=int, default=8)
    ap.add_argument('--rounds', type=int, default=10)
    ap.add_argument('--duration', type=int, default=3)
    args = ap.parse_args()
    runs = {'A': [], 'B': []}
    for r in range(args.rounds):
        order = (('A', args.a), ('B', args.b)) if r % 2 == 0 else (('B', args.b), ('A', args.a))
        for name, binary in order:
            runs[name].append(measure(binary, args.conns, args.duration))
        print('round %d: A %.3f us, B %.3f us' % (r + 1, runs['A'][-1], runs['B'][-1]), flush=True)
    a, b = statistics.median(runs['A']), statistics.median(runs['B'])
    print('median CPU per request, wrk -c%d: A %.3f us, B %.3f us, B/A %.3f' % (args.conns, a, b, b / a))


if __name__ == '__main__':
    main()
