#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The WebSocket and large-response rows of make bench, every number measured in this run.
bench/run.sh calls it after tls_bench.py (BENCH_WS=0 leaves it out); see bench/README.md.

Every server is pinned to CPU 0, every client to CPU 1, all on 127.0.0.1:PORT.
  WebSocket echo   ours (peers/esp_api_ws_echo.c on our library) vs libwebsockets
                   (peers/lws_echo.c on Debian's libwebsockets); load: peers/wsclient.c,
                   CONNS connections (50), 32-byte masked TEXT messages, 1 and 16 in flight
                   per connection: messages/s and server CPU per message; and the syscall
                   floor (floor/ws_floor.c: one recv and one send per readable connection)
                   and its io_uring twin (floor/ws_uring_floor.c: the receives and sends of
                   a batch of completions in one io_uring_enter), where io_uring is usable
  1 MiB responses  wrk -t1 -c4 for DURATION: ours one httpd_resp_send (GET /1m), ours 256 x
                   4 KiB httpd_resp_send_chunk (GET /1m_chunks), ours one httpd_resp_send of a
                   const array in the program's read-only data (GET /1m_const), nginx serving a 1 MiB file
                   with sendfile on and with sendfile off, and the syscall floor
                   (floor/big_floor.c) copying from memory and with sendfile: MiB/s and
                   server CPU per MiB
Server CPU: utime+stime of the server's process tree from /proc, read around exactly the
measured messages / wrk run. Rounds interleave the servers; the tables show the medians and
the median over rounds of the ratio within each round. Appends its tables to results.md,
writes results_ws.json and the chart (docs/img/bench-ws.png by default).
"""
import argparse, datetime, json, os, re, socket, statistics, subprocess, sys, time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench as B   # noqa: E402  (start/stop, /proc readers, client pinning, wrk_run)

MIB = 1024 * 1024
INFLIGHT = (1, 16)


def pattern():
    """The 1 MiB body: the same bytes as peers/esp_api_big.c builds in memory."""
    abc = bytes(range(ord('a'), ord('a') + 26))
    return (abc * (MIB // 26 + 1))[:MIB]


def big_file(a):
    """The 1 MiB static file (nginx's root, big_floor's sendfile source): its directory and path."""
    root = os.path.join(a.rundir, 'www')
    os.makedirs(root, exist_ok=True)
    os.chmod(root, 0o755)               # nginx workers drop to "nobody" when started as root
    f = os.path.join(root, '1m')
    if not os.path.exists(f):
        open(f, 'wb').write(pattern())
        os.chmod(f, 0o644)
    return root, f


def nginx_big_cmd(a, sendfile):
    p = os.path.join(a.rundir, 'nginx-big-' + sendfile)
    root = big_file(a)[0]
    os.makedirs(p, exist_ok=True)
    os.chmod(p, 0o755)
    conf = open(os.path.join(HERE, 'peers', 'nginx_big.conf.in')).read()
    for k, v in (('@PORT@', str(a.port)), ('@PREFIX@', p), ('@ROOT@', root), ('@SENDFILE@', sendfile)):
        conf = conf.replace(k, v)
    open(os.path.join(p, 'nginx.conf'), 'w').write(conf)
    exe = B.shutil.which('nginx') or '/usr/sbin/nginx'
    return [exe, '-p', p, '-c', os.path.join(p, 'nginx.conf'), '-e', os.path.join(p, 'error.log')]


# ---- WebSocket echo ---------------------------------------------------------------------
def wsclient(a, *args, timeout=60):
    r = B.client(a, [a.bindir + '/wsclient'] + [str(x) for x in args], timeout=timeout)
    if r.returncode:
        raise RuntimeError('wsclient %s: %s' % (' '.join(str(x) for x in args), r.stderr.strip()))
    return r.stdout


def ws_measure(a, pid, inflight):
    """One measured wsclient run: server CPU read after the handshakes and after the last echo."""
    c = subprocess.Popen(['taskset', '-c', B.CLIENT_CPU, a.bindir + '/wsclient', '-s', str(a.port), '/ws',
                          str(a.ws_conns), str(inflight), str(a.duration), str(a.ws_size)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = c.stdout.readline()
        if line.strip() != 'ready':
            raise RuntimeError('wsclient: %s %s' % (line.strip(), c.stderr.read().strip()))
        t0 = B.cpu_ticks(pid)
        c.stdin.write('go\n')
        c.stdin.flush()
        line = c.stdout.readline()
        t1 = B.cpu_ticks(pid)
        c.stdin.write('close\n')
        c.stdin.flush()
        err = c.communicate(timeout=60)[1]
        m = re.match(r'wsclient: (\d+) messages in ([\d.]+) s: ([\d.]+) msg/s', line)
        if c.returncode or not m:
            raise RuntimeError('wsclient failed (%s): %s %s' % (c.returncode, line.strip(), err.strip()))
    finally:
        if c.poll() is None:
            c.kill()
            c.wait()
    msgs = int(m.group(1))
    return dict(msgs=msgs, seconds=float(m.group(2)), rate=float(m.group(3)),
                cpu_us=(t1 - t0) / B.TCK / msgs * 1e6 if msgs else None)


# ---- 1 MiB responses -------------------------------------------------------------------------
def check_big(a, path):
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))     # never through a proxy
    with direct.open('http://127.0.0.1:%d%s' % (a.port, path), timeout=10) as r:
        body = r.read()
        if r.status != 200 or body != pattern():
            raise RuntimeError('GET %s: status %d, %d bytes, %s' % (path, r.status, len(body),
                               'same bytes' if body == pattern() else 'wrong bytes'))


def big_measure(a, pid, path):
    v = B.wrk_run(a, pid, ['-t1', '-c4', 'http://127.0.0.1:%d%s' % (a.port, path)])
    if v['errors']:
        raise RuntimeError('wrk GET %s: %d errors' % (path, v['errors']))
    return dict(mib_s=v['rps'], requests=v['requests'], cpu_us=v['cpu_us_per_req'])


# ---- tables, JSON, chart -------------------------------------------------------------------
def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def paired(xs, refs):
    """Median over rounds of the ratio within each round."""
    rs = [x / r for x, r in zip(xs, refs) if x is not None and r]
    return statistics.median(rs) if rs else None


def fmt(v, f):
    return f % v if v is not None else 'n/a'


def fmt_ratio(v):
    return '%.2f×' % v if v is not None else 'n/a'


def main():
    env = os.environ.get
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--bindir', required=True, help='esp_api_ws_echo, lws_echo, wsclient, esp_api_big')
    ap.add_argument('--rundir', required=True, help='scratch directory (nginx prefixes, the 1 MiB file)')
    ap.add_argument('--outdir', required=True, help='results.md (appended) and results_ws.json go here')
    ap.add_argument('--png', default=env('BENCH_WS_PNG', os.path.join(os.path.dirname(HERE), 'docs', 'img',
                                                                       'bench-ws.png')))
    ap.add_argument('--rounds', type=int, default=int(env('BENCH_ROUNDS', 5)))
    ap.add_argument('--duration', type=int, default=int(env('BENCH_DURATION', 3)))
    ap.add_argument('--port', type=int, default=int(env('BENCH_PORT', 0)) or None)
    ap.add_argument('--ws-conns', type=int, default=int(env('BENCH_WS_CONNS', 50)))
    ap.add_argument('--ws-size', type=int, default=32, help='bytes per message')
    ap.add_argument('--groups', default=env('BENCH_WS_GROUPS', 'ws,big'), help='ws, big or both')
    a = ap.parse_args()
    if (os.cpu_count() or 1) < 2:
        B.CLIENT_CPU = '0'
    if not a.port:
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            a.port = s.getsockname()[1]
    if B.port_open(a.port):
        sys.exit('ws_bench: something already listens on 127.0.0.1:%d' % a.port)
    os.makedirs(a.rundir, exist_ok=True)
    os.chmod(a.rundir, 0o755)
    groups = a.groups.split(',')
    port = str(a.port)
    ws_srv = {'ours': [a.bindir + '/esp_api_ws_echo', port, str(a.ws_conns + 64)],
              'lws': [a.bindir + '/lws_echo', port],
              'floor': [a.bindir + '/ws_floor', port]}
    # The io_uring echo floor, where the kernel lets this process use io_uring.
    uring = [a.bindir + '/ws_uring_floor', port]
    try:
        uring_ok = subprocess.run([uring[0], '--probe'], capture_output=True, timeout=10).returncode == 0
    except OSError:
        uring_ok = False
    if uring_ok:
        ws_srv['floor_uring'] = uring
    else:
        print('bench: io_uring is not usable here; the io_uring floor column stays empty', flush=True)
    big_srv = {'ours': [a.bindir + '/esp_api_big', port, '64'],
               'nginx_on': nginx_big_cmd(a, 'on'), 'nginx_off': nginx_big_cmd(a, 'off'),
               'floor_copy': [a.bindir + '/big_floor', port, 'copy'],
               'floor_sendfile': [a.bindir + '/big_floor', port, big_file(a)[1]]}
    big_paths = {'ours': (('ours', '/1m'), ('ours_chunks', '/1m_chunks'), ('ours_const', '/1m_const')),
                 'nginx_on': (('nginx_on', '/1m'),), 'nginx_off': (('nginx_off', '/1m'),),
                 'floor_copy': (('floor_copy', '/1m'),), 'floor_sendfile': (('floor_sendfile', '/1m'),)}
    raw = dict(ws={n: {k: [] for k in INFLIGHT} for n in ws_srv},
               big={row: [] for rows in big_paths.values() for row, _ in rows})
    failures = []
    t0 = time.time()
    print('bench: WebSocket echo (%d conns, %d-byte messages, %s in flight) and 1 MiB responses (wrk -t1 -c4); '
          '%d rounds of %d s' % (a.ws_conns, a.ws_size, ' and '.join(map(str, INFLIGHT)), a.rounds, a.duration),
          flush=True)
    for r in range(a.rounds):
        if 'ws' in groups:
            for n, cmd in ws_srv.items():
                p = None
                try:
                    p = B.start(a, cmd)
                    wsclient(a, a.port, '/ws', 2, 2, 0.2)                        # answers and echoes
                    wsclient(a, a.port, '/ws', a.ws_conns, 4, 1)                 # warm-up
                    for k in INFLIGHT:
                        v = ws_measure(a, p.pid, k)
                        raw['ws'][n][k].append(v)
                        print('  round %d ws  %-14s %2d in flight %8.0f msg/s %7.2f µs/msg CPU' % (
                            r + 1, n, k, v['rate'], v['cpu_us'] or 0), flush=True)
                except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
                    print('  %s: %s' % (n, e), flush=True)
                    failures.append('ws %s round %d: %s' % (n, r + 1, e))
                    for k in INFLIGHT:      # keep the rounds aligned for the paired ratios
                        raw['ws'][n][k] += [None] * (r + 1 - len(raw['ws'][n][k]))
                finally:
                    if p:
                        B.stop(a, p)
        if 'big' in groups:
            for n, cmd in big_srv.items():
                p = None
                try:
                    p = B.start(a, cmd)
                    for _, path in big_paths[n]:
                        check_big(a, path)
                    B.client(a, ['wrk', '-t1', '-c4', '-d1s', 'http://127.0.0.1:%d/1m' % a.port], timeout=60)
                    for row, path in big_paths[n]:
                        v = big_measure(a, p.pid, path)
                        raw['big'][row].append(v)
                        print('  round %d 1m  %-14s %8.0f MiB/s %7.0f µs/MiB CPU' % (
                            r + 1, row, v['mib_s'], v['cpu_us'] or 0), flush=True)
                except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
                    print('  %s: %s' % (n, e), flush=True)
                    failures.append('1m %s round %d: %s' % (n, r + 1, e))
                    for row, _ in big_paths[n]:
                        raw['big'][row] += [None] * (r + 1 - len(raw['big'][row]))
                finally:
                    if p:
                        B.stop(a, p)

    out = dict(date=datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S UTC'),
               settings=dict(rounds=a.rounds, duration_s=a.duration, ws_conns=a.ws_conns, ws_size=a.ws_size,
                             inflight=list(INFLIGHT), server_cpu=B.SERVER_CPU, client_cpu=B.CLIENT_CPU),
               versions=dict(libwebsockets=pkg_version('libwebsockets-dev'), nginx=B.tool_versions()['nginx']),
               raw=raw, rows={}, failures=failures)
    lines, chart_rows = [], []

    def col(runs, key):
        return [x[key] if x else None for x in runs]

    if 'ws' in groups:
        lines += ['', '### WebSocket echo (ours vs libwebsockets %s; %d connections, %d-byte masked TEXT messages)' % (
            out['versions']['libwebsockets'], a.ws_conns, a.ws_size), '',
            '| metric | ours | libwebsockets | syscall floor | io_uring floor | ours / libwebsockets | '
            'floor / libwebsockets | io_uring floor / libwebsockets |',
            '|---|---:|---:|---:|---:|---:|---:|---:|']
        for k in INFLIGHT:
            for key, label, f, higher in (('rate', 'WS echo, %d in flight per connection (messages/s)' % k, '%.0f', True),
                                          ('cpu_us', 'server CPU per message, %d in flight (µs)' % k, '%.2f', False)):
                o, l_, fl = (col(raw['ws'][n][k], key) for n in ('ours', 'lws', 'floor'))
                fu = col(raw['ws']['floor_uring'][k], key) if 'floor_uring' in raw['ws'] else []
                ratio, fratio, uratio = paired(o, l_), paired(fl, l_), paired(fu, l_)
                out['rows']['ws%d_%s' % (k, key)] = dict(ours=med(o), lws=med(l_), floor=med(fl), ratio=ratio,
                                                         floor_vs_lws=fratio, ours_vs_floor=paired(o, fl),
                                                         floor_uring=med(fu), floor_uring_vs_lws=uratio)
                lines.append('| %s %s | %s | %s | %s | %s | %s | %s | %s |' % (
                    label, '↑' if higher else '↓', fmt(med(o), f), fmt(med(l_), f), fmt(med(fl), f),
                    fmt(med(fu), f), fmt_ratio(ratio), fmt_ratio(fratio), fmt_ratio(uratio)))
                chart_rows.append(('WS %s k%d %s' % ('msg/s' if key == 'rate' else 'CPU', k, '↑' if higher else '↓'),
                                   [ratio, None, None, fratio, None]))
    if 'big' in groups:
        lines += ['', '### 1 MiB responses (`wrk -t1 -c4`, keep-alive; nginx serves a 1 MiB file)', '',
                  '| server | MiB/s ↑ | MiB/s vs nginx sendfile on | server CPU per MiB (µs) ↓ | '
                  'CPU vs nginx sendfile on |', '|---|---:|---:|---:|---:|']
        ref = raw['big']['nginx_on']
        labels = {'ours': 'ours, one `httpd_resp_send` of 1 MiB', 'ours_chunks': 'ours, 256 × 4 KiB '
                  '`httpd_resp_send_chunk`', 'ours_const': 'ours, one `httpd_resp_send` of a const 1 MiB '
                  'array (read-only program data)', 'nginx_on': 'nginx 1 worker, `sendfile on`',
                  'nginx_off': 'nginx 1 worker, `sendfile off`',
                  'floor_copy': 'syscall floor, one `sendmsg` from memory (copy)',
                  'floor_sendfile': 'syscall floor, `sendfile` of the file (zero-copy)'}
        for row, label in labels.items():
            v = raw['big'][row]
            rm, rc = paired(col(v, 'mib_s'), col(ref, 'mib_s')), paired(col(v, 'cpu_us'), col(ref, 'cpu_us'))
            out['rows']['1m_' + row] = dict(mib_s=med(col(v, 'mib_s')), cpu_us_per_mib=med(col(v, 'cpu_us')),
                                            mib_s_vs_nginx_on=rm, cpu_vs_nginx_on=rc)
            lines.append('| %s | %s | %s | %s | %s |' % (label, fmt(med(col(v, 'mib_s')), '%.0f'), fmt_ratio(rm),
                                                         fmt(med(col(v, 'cpu_us')), '%.0f'), fmt_ratio(rc)))
        one, ch = raw['big']['ours'], raw['big']['ours_chunks']
        cm, cc = paired(col(ch, 'mib_s'), col(one, 'mib_s')), paired(col(ch, 'cpu_us'), col(one, 'cpu_us'))
        out['rows']['1m_chunks_vs_one'] = dict(mib_s=cm, cpu=cc)
        fc = paired(col(one, 'cpu_us'), col(raw['big']['floor_copy'], 'cpu_us'))
        out['rows']['1m_ours_vs_floor_copy'] = dict(cpu=fc)
        fs = paired(col(raw['big']['ours_const'], 'cpu_us'), col(raw['big']['floor_sendfile'], 'cpu_us'))
        out['rows']['1m_ours_const_vs_floor_sendfile'] = dict(cpu=fs)
        lines += ['', 'Ours, 4 KiB chunks / one send: MiB/s %s, server CPU per MiB %s. Ours, one send / the '
                  'copying syscall floor: server CPU per MiB %s. Ours, const array / the sendfile syscall floor: '
                  'server CPU per MiB %s.' % (fmt_ratio(cm), fmt_ratio(cc), fmt_ratio(fc), fmt_ratio(fs))]
        for key, name, higher in (('mib_s', 'MiB/s', True), ('cpu_us', 'CPU', False)):
            chart_rows.append(('1MiB %s %s' % (name, '↑' if higher else '↓'),
                               [paired(col(raw['big'][row], key), col(ref, key))
                                for row in ('ours', 'ours_chunks', 'nginx_off', 'floor_copy', 'ours_const')]))
    if failures:
        lines += ['', 'Problems:'] + ['- ' + f for f in failures]
    text = '\n'.join(lines) + '\n'
    print(text, flush=True)
    out['elapsed_s'] = round(time.time() - t0, 1)
    os.makedirs(a.outdir, exist_ok=True)
    with open(os.path.join(a.outdir, 'results.md'), 'a') as fh:
        fh.write(text)
    with open(os.path.join(a.outdir, 'results_ws.json'), 'w') as fh:
        json.dump(out, fh, indent=1, ensure_ascii=False)
    if not any(r is not None for _, rs in chart_rows for r in rs):
        print('chart: no ratio was measured, %s not drawn' % a.png, file=sys.stderr)
        return 1
    try:
        chart(a, chart_rows, out['date'][:10])
        print('chart: %s' % a.png)
    except (RuntimeError, OSError) as e:
        print('chart: %s' % e, file=sys.stderr)
        return 1
    return 1 if failures else 0


def chart(a, rows, day):
    """Bars through chart.gp: WS rows against libwebsockets, 1 MiB rows against nginx sendfile on."""
    dat = os.path.join(a.rundir, 'chart_ws.dat')
    with open(dat, 'w') as f:
        f.write('metric "ours (esp_http_server)" "ours, 4 KiB chunks" "nginx sendfile off" '
                '"syscall floor (1MiB: copying)" "ours, const array (1MiB)"\n')
        for label, rs in rows:
            f.write('"%s" %s\n' % (label, ' '.join('%.4f' % r if r is not None else 'NaN' for r in rs)))
    os.makedirs(os.path.dirname(a.png), exist_ok=True)
    title = ('Ratio vs libwebsockets (WS rows) and nginx sendfile on (1 MiB rows), same run '
             '(↑ higher is better, ↓ lower is better)')
    sub = '%s, %d x %s; WS: %d connections, %d-byte messages, k1/k16: in flight per connection; 1MiB: wrk -t1 -c4' % (
        day, os.cpu_count(), B.machine()['cpu'], a.ws_conns, a.ws_size)
    r = subprocess.run(['gnuplot', '-e', 'datafile="%s"; outfile="%s"; ncols=5; subtitle="%s"; charttitle="%s"; '
                        'reflabel="1× (reference)"' % (dat, a.png, sub.replace('"', "'"), title),
                        os.path.join(HERE, 'chart.gp')], capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError('gnuplot failed: ' + r.stderr)


def pkg_version(pkg):
    try:
        return subprocess.run(['dpkg-query', '-W', '-f=${Version}', pkg], capture_output=True,
                              text=True).stdout.strip() or '?'
    except OSError:
        return '?'


if __name__ == '__main__':
    def _term(sig, frm):
        raise KeyboardInterrupt
    B.signal.signal(B.signal.SIGTERM, _term)
    B.signal.signal(B.signal.SIGINT, _term)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print('ws_bench: interrupted', file=sys.stderr)
        sys.exit(130)
