#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The TLS rows of make bench: our HTTPS server (esp_https_server on mbedTLS) next to nginx
(OpenSSL), with the same ECDSA P-256 certificate and key, TLS 1.2 and the same suite
(ECDHE-ECDSA-AES128-GCM-SHA256; mbedTLS 2.28 has no TLS 1.3 server), every number measured
in this run. bench/run.sh calls it after bench.py; see bench/README.md.

Both servers are pinned to CPU 0, every client to CPU 1, all on 127.0.0.1:PORT. Metrics:
  ka50, ka8   wrk -t1 -c50 / -c8 over https, keep-alive GET /hello: req/s and server CPU
              time per request (utime+stime of the server's process tree, /proc)
  hs          full handshakes: `openssl s_time -new` (a new TLS session per connection,
              one GET each) for DURATION seconds: connections per second, and server CPU
              time per connection (handshake + request + close)
  idle        VmRSS of the server's process tree before and with K idle TLS connections
              (each did one request): bytes per idle TLS session
Rounds interleave the servers; the table shows medians and the median per-round ratio.
"""
import argparse, json, os, re, socket, ssl, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench as B   # noqa: E402  (start/stop, /proc readers, client pinning)

SUITE = 'ECDHE-ECDSA-AES128-GCM-SHA256'


def make_cert(d):
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
                    '-keyout', os.path.join(d, 'key.pem'), '-out', os.path.join(d, 'cert.pem'), '-days', '2',
                    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'],
                   check=True, capture_output=True, timeout=60)
    return os.path.join(d, 'cert.pem'), os.path.join(d, 'key.pem')


def nginx_tls_cmd(a, cert, key):
    p = os.path.join(a.rundir, 'nginx-tls')
    os.makedirs(p, exist_ok=True)
    os.chmod(p, 0o755)
    conf = open(os.path.join(HERE, 'peers', 'nginx_tls.conf.in')).read()
    for k, v in (('@PORT@', str(a.port)), ('@PREFIX@', p), ('@CERT@', cert), ('@KEY@', key)):
        conf = conf.replace(k, v)
    open(os.path.join(p, 'nginx.conf'), 'w').write(conf)
    exe = B.shutil.which('nginx') or '/usr/sbin/nginx'
    return [exe, '-p', p, '-c', os.path.join(p, 'nginx.conf'), '-e', os.path.join(p, 'error.log')]


def check(a, name, cert):
    ctx = ssl.create_default_context(cafile=cert)
    ctx.check_hostname = False
    with socket.create_connection(('127.0.0.1', a.port), 5) as s, ctx.wrap_socket(s) as t:
        t.sendall(b'GET /hello HTTP/1.1\r\nHost: a\r\n\r\n')
        data = t.recv(4096)
        if not data.startswith(b'HTTP/1.1 200') or t.version() != 'TLSv1.2' or t.cipher()[0] != SUITE:
            raise RuntimeError('%s: %r %s %s' % (name, data[:40], t.version(), t.cipher()))


def wrk(a, pid, conns):
    return B.wrk_run(a, pid, ['-t1', '-c%d' % conns, 'https://127.0.0.1:%d/hello' % a.port])


def handshakes(a, pid):
    t0 = B.cpu_ticks(pid)
    out = B.client(a, ['openssl', 's_time', '-connect', '127.0.0.1:%d' % a.port, '-new', '-time', str(a.duration),
                       '-cipher', SUITE, '-www', '/hello'], timeout=a.duration + 60).stdout
    t1 = B.cpu_ticks(pid)
    m = re.search(r'(\d+) connections in ([\d.]+)s; ([\d.]+) connections/user sec', out)
    m2 = re.search(r'(\d+) connections in (\d+) real seconds', out)
    conns = int(m.group(1)) if m else 0
    real = float(m2.group(2)) if m2 else a.duration
    return dict(conns=conns, per_s=conns / real if real else 0.0,
                cpu_us=(t1 - t0) / B.TCK / conns * 1e6 if conns else None)


def idle_sessions(a, pid, cert, k):
    ctx = ssl.create_default_context(cafile=cert)
    ctx.check_hostname = False
    before = B.rss_kib(pid)[0]
    socks = []
    try:
        for _ in range(k):
            s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', a.port), 10))
            s.sendall(b'GET /hello HTTP/1.1\r\nHost: a\r\n\r\n')
            if not s.recv(4096).startswith(b'HTTP/1.1 200'):
                raise RuntimeError('no answer on idle connection %d' % len(socks))
            socks.append(s)
        time.sleep(0.5)
        after = B.rss_kib(pid)[0]
    finally:
        for s in socks:
            s.close()
    return dict(conns=len(socks), before_kib=before, after_kib=after,
                bytes_per_conn=(after - before) * 1024 / len(socks) if socks else None)


ROWS = [  # key, label, format, higher is better
    ('ka50_rps', 'HTTPS GET keep-alive, wrk -c50 (req/s)', '%.0f', True),
    ('ka8_rps', 'HTTPS GET keep-alive, wrk -c8 (req/s)', '%.0f', True),
    ('ka50_cpu', 'server CPU per keep-alive TLS request, -c50 (µs)', '%.2f', False),
    ('ka8_cpu', 'server CPU per keep-alive TLS request, -c8 (µs)', '%.2f', False),
    ('hs_rate', 'full handshakes per second (openssl s_time -new)', '%.0f', True),
    ('hs_cpu', 'server CPU per full handshake + request (µs)', '%.0f', False),
    ('idle', 'memory per idle TLS session (bytes of RSS)', '%.0f', False),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bindir', required=True)
    ap.add_argument('--rundir', required=True)
    ap.add_argument('--outdir', required=True)
    ap.add_argument('--rounds', type=int, default=int(os.environ.get('BENCH_ROUNDS', 5)))
    ap.add_argument('--duration', type=int, default=int(os.environ.get('BENCH_DURATION', 3)))
    ap.add_argument('--idle', type=int, default=int(os.environ.get('BENCH_TLS_IDLE', 200)))
    ap.add_argument('--port', type=int, default=int(os.environ.get('BENCH_PORT', 0)) or None)
    a = ap.parse_args()
    if not a.port:
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            a.port = s.getsockname()[1]
    cert, key = make_cert(a.rundir)
    srv = {'ours': [a.bindir + '/esp_api_tls_hello', str(a.port), cert, key, str(a.idle + 64)],
           'nginx': nginx_tls_cmd(a, cert, key)}
    raw = {n: {k: [] for k, *_ in ROWS} for n in srv}
    print('bench: TLS rows (%d rounds of %d s; TLS 1.2, %s, P-256)' % (a.rounds, a.duration, SUITE), flush=True)
    for r in range(a.rounds):
        for n, cmd in srv.items():
            p = B.start(a, cmd)
            try:
                check(a, n, cert)
                B.client(a, ['wrk', '-t1', '-c8', '-d1s', 'https://127.0.0.1:%d/hello' % a.port], timeout=60)
                for c in (50, 8):
                    w = wrk(a, p.pid, c)
                    raw[n]['ka%d_rps' % c].append(w['rps'])
                    raw[n]['ka%d_cpu' % c].append(w['cpu_us_per_req'])
                h = handshakes(a, p.pid)
                raw[n]['hs_rate'].append(h['per_s'])
                raw[n]['hs_cpu'].append(h['cpu_us'])
                if r == 0:
                    raw[n]['idle'].append(idle_sessions(a, p.pid, cert, a.idle)['bytes_per_conn'])
                print('  round %d %-6s c50 %7.0f req/s %6.2f µs | c8 %7.0f req/s %6.2f µs | %5.0f hs/s %7.0f µs' % (
                    r + 1, n, raw[n]['ka50_rps'][-1], raw[n]['ka50_cpu'][-1] or 0, raw[n]['ka8_rps'][-1],
                    raw[n]['ka8_cpu'][-1] or 0, raw[n]['hs_rate'][-1], raw[n]['hs_cpu'][-1] or 0), flush=True)
            finally:
                B.stop(a, p)
    lines = ['', '### TLS (esp_https_server on mbedTLS %s vs nginx on OpenSSL; TLS 1.2, %s, ECDSA P-256)' % (
        mbedtls_version(), SUITE), '', '| metric | ours | nginx | ours / nginx |', '|---|---:|---:|---:|']
    out = {}
    for key_, label, fmt, _ in ROWS:
        vals = {n: [v for v in raw[n][key_] if v is not None] for n in srv}
        if not all(vals.values()):
            continue
        med = {n: statistics.median(v) for n, v in vals.items()}
        if len(vals['ours']) == len(vals['nginx']) and len(vals['ours']) > 1:
            ratio = statistics.median(o / g for o, g in zip(vals['ours'], vals['nginx']) if g)
        else:
            ratio = med['ours'] / med['nginx'] if med['nginx'] else 0
        out[key_] = dict(ours=med['ours'], nginx=med['nginx'], ratio=ratio, rounds=vals)
        lines.append('| %s | %s | %s | %.2fx |' % (label, fmt % med['ours'], fmt % med['nginx'], ratio))
    text = '\n'.join(lines) + '\n'
    print(text, flush=True)
    with open(os.path.join(a.outdir, 'results.md'), 'a') as fh:
        fh.write(text)
    with open(os.path.join(a.outdir, 'results_tls.json'), 'w') as fh:
        json.dump(out, fh, indent=1)
    return 0


def mbedtls_version():
    try:
        for line in open('/usr/include/mbedtls/version.h'):
            m = re.match(r'#define MBEDTLS_VERSION_STRING\s+"([^"]+)"', line)
            if m:
                return m.group(1)
    except OSError:
        pass
    return '?'


if __name__ == '__main__':
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
