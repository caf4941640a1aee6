#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""One benchmark run: our esp_http_server hello server next to nginx, libmicrohttpd,
CivetWeb and the syscall floor, every number measured in this run, ratios against nginx.

bench/run.sh builds the binaries and calls this script; see bench/README.md.

Every server is pinned to CPU 0 (taskset), every client (wrk, kaclient) to CPU 1, and
everything talks to 127.0.0.1:PORT only. Metrics:
  ka50, ka8   wrk -t1 -c50 / -c8, keep-alive GET /hello: req/s, and server CPU time per
              request (utime+stime of the server's process tree from /proc/PID/stat,
              read before and after wrk, divided by the requests wrk counted)
  upload      wrk -t1 -c4 -s upload.lua: POST 1 MiB bodies, req/s == MiB/s
  instr       valgrind --tool=callgrind, (Ir(N2) - Ir(N1)) / (N2 - N1) while kaclient seq
              makes N sequential keep-alive GETs: user-space instructions of one request,
              start-up and shutdown excluded
  instr_browser  the same with kaclient seqb: each GET carries the header lines a desktop
              browser sends (about 0.5 KiB); ours and nginx
  syscalls    strace -c -f, same difference method: syscalls of one keep-alive request
  rss         VmRSS of the server's process tree after one connection, then with K idle
              keep-alive connections (kaclient idle); growth per connection
The wrk tests run in rounds, servers interleaved within a round; the table shows medians.
floor_ab: ours and the syscall floor alone, ABBA order, ka50 and ka8: their CPU ratio per round,
printed below the table (the wrk rounds put every other server between the two).
"""
import argparse, atexit, datetime, json, os, platform, re, shutil, signal, socket, statistics
import subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
TCK = os.sysconf('SC_CLK_TCK')
SERVER_CPU, CLIENT_CPU = '0', '1'
LIVE = []          # every server process started and not yet stopped


# ---- servers -----------------------------------------------------------------------
def nginx_cmd(a, master=True):
    p = os.path.join(a.rundir, 'nginx' if master else 'nginx-single')
    os.makedirs(p, exist_ok=True)
    os.chmod(p, 0o755)          # workers drop to "nobody" when started as root
    conf = open(os.path.join(HERE, 'peers', 'nginx.conf.in')).read()
    conf = conf.replace('@WORKERS@', '1').replace('@PORT@', str(a.port)).replace('@PREFIX@', p)
    if not master:
        conf = conf.replace('master_process on;', 'master_process off;')
    open(os.path.join(p, 'nginx.conf'), 'w').write(conf)
    exe = shutil.which('nginx') or '/usr/sbin/nginx'
    return [exe, '-p', p, '-c', os.path.join(p, 'nginx.conf'), '-e', os.path.join(p, 'error.log')]


def servers(a):
    """name -> label, command, and which metrics apply. The order is the table's column order."""
    b, port = a.bindir, str(a.port)
    allm = ('ka50', 'ka8', 'upload', 'instr', 'syscalls', 'rss')
    return {
        'ours': dict(label='ours (esp_http_server)', metrics=allm + ('instr_idle', 'instr_browser'),
                     cmd=[b + '/esp_api_hello', port, str(max(1024, a.conns + 24)), '128', '0'],
                     # instructions: HTTPD_DEFAULT_CONFIG's 7 sockets; with idle connections: room for them
                     cmd_instr=[b + '/esp_api_hello', port, '7', '128', '0']),
        'nginx': dict(label='nginx 1 worker', metrics=allm + ('instr_idle', 'instr_browser'), cmd=nginx_cmd(a),
                      # one process under valgrind/strace
                      cmd_single=nginx_cmd(a, master=False)),
        'mhd': dict(label='libmicrohttpd (epoll)', metrics=allm, cmd=[b + '/mhd_hello', port, 'epoll']),
        'civetweb': dict(label='CivetWeb', metrics=allm, cmd=[b + '/civetweb_hello', port, str(a.civet_threads)],
                         # CivetWeb needs one worker thread per open connection
                         cmd_rss=[b + '/civetweb_hello', port, str(a.conns + 24)]),
        'floor': dict(label='syscall floor', metrics=('ka50', 'ka8', 'instr', 'syscalls'), cmd=[b + '/floor', port]),
    }


def port_open(port):
    try:
        socket.create_connection(('127.0.0.1', port), 0.2).close()
        return True
    except OSError:
        return False


def start(a, cmd, prefix=(), timeout=60):
    full = ['taskset', '-c', SERVER_CPU] + list(prefix) + list(cmd)
    log = open(os.path.join(a.rundir, 'server.log'), 'ab')
    p = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    log.close()
    LIVE.append(p)
    end = time.time() + timeout
    while time.time() < end:
        if port_open(a.port):
            return p
        if p.poll() is not None:
            break
        time.sleep(0.05)
    stop(a, p)
    raise RuntimeError('server did not come up: ' + ' '.join(full))


def stop(a, p, sig=signal.SIGTERM, timeout=60):
    try:
        os.killpg(p.pid, sig)
    except ProcessLookupError:
        pass
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
    # the group may outlive its leader (e.g. nginx workers): make sure it is gone
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if p in LIVE:
        LIVE.remove(p)
    end = time.time() + 10
    while port_open(a.port) and time.time() < end:
        time.sleep(0.05)


@atexit.register
def _stop_all():
    for p in list(LIVE):
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()


def tree_pids(pid):
    kids = {}
    for d in os.listdir('/proc'):
        if d.isdigit():
            try:
                ppid = int(open('/proc/%s/stat' % d).read().rsplit(')', 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d))
    res, todo = [], [pid]
    while todo:
        x = todo.pop()
        res.append(x)
        todo += kids.get(x, [])
    return res


def cpu_split(pid):
    """(utime, stime) of the process tree in ticks (each process's stat sums all its threads)."""
    u = s = 0
    for x in tree_pids(pid):
        try:
            f = open('/proc/%d/stat' % x).read().rsplit(')', 1)[1].split()
            u += int(f[11])
            s += int(f[12])
        except (OSError, IndexError):
            pass
    return u, s


def cpu_ticks(pid):
    """utime + stime of the process tree."""
    return sum(cpu_split(pid))


def rss_kib(pid):
    tot, thr = 0, 0
    for x in tree_pids(pid):
        try:
            st = open('/proc/%d/status' % x).read()
        except OSError:
            continue
        m = re.search(r'VmRSS:\s+(\d+)', st)
        tot += int(m.group(1)) if m else 0
        thr += int(re.search(r'Threads:\s+(\d+)', st).group(1))
    return tot, thr


def client(a, args, timeout=600):
    return subprocess.run(['taskset', '-c', CLIENT_CPU] + args, capture_output=True, text=True, timeout=timeout)


def kaclient(a, *args, timeout=600):
    return client(a, [a.bindir + '/kaclient'] + [str(x) for x in args], timeout=timeout)


def check(a, name):
    r = kaclient(a, 'seq', a.port, 3, timeout=30)
    if r.returncode:
        raise RuntimeError('%s does not answer GET /hello with 200: %s' % (name, r.stderr.strip()))


# ---- wrk: req/s and CPU per request ------------------------------------------------------
def wrk(a, pid, test):
    url = 'http://127.0.0.1:%d' % a.port
    args = {'ka50': ['-t1', '-c50', url + '/hello'], 'ka8': ['-t1', '-c8', url + '/hello'],
            'upload': ['-t1', '-c4', '-s', os.path.join(HERE, 'peers', 'upload.lua'), url + '/upload']}[test]
    return wrk_run(a, pid, args)


def wrk_run(a, pid, args):
    """wrk with args for a.duration seconds: req/s, requests, errors (socket errors and
    non-2xx/3xx answers) and the server's CPU per request (µs). tls_bench.py uses it too."""
    u0, s0 = cpu_split(pid)
    out = client(a, ['wrk', '-d%ds' % a.duration] + args, timeout=a.duration + 60).stdout
    u1, s1 = cpu_split(pid)
    du, ds = u1 - u0, s1 - s0
    m = re.search(r'(\d+) requests in', out)
    reqs = int(m.group(1)) if m else 0
    m = re.search(r'Requests/sec:\s+([\d.]+)', out)
    rps = float(m.group(1)) if m else 0.0
    err = 0
    m = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)', out)
    if m:
        err += sum(int(x) for x in m.groups())
    m = re.search(r'Non-2xx or 3xx responses: (\d+)', out)
    if m:
        err += int(m.group(1))
    per = (lambda ticks: ticks / TCK / reqs * 1e6) if reqs else (lambda ticks: None)
    return dict(rps=rps, requests=reqs, errors=err, cpu_us_per_req=per(du + ds),
                user_us_per_req=per(du), sys_us_per_req=per(ds))


def wrk_round(a, n, s, tests, store, res, what, r):
    """One server's turn in a round: started, checked, warmed for 1 s, each of tests measured
    into store[n][test], stopped; a failure goes to res['failures'] as "n <what> round r"."""
    try:
        p = start(a, s['cmd'])
    except RuntimeError as e:
        print('  %s: %s' % (n, e), flush=True)
        res['failures'].append('%s %s round %d: %s' % (n, what, r + 1, e))
        return
    try:
        check(a, n)
        client(a, ['wrk', '-t1', '-c2', '-d1s', 'http://127.0.0.1:%d/hello' % a.port])   # warm-up
        for t in tests:
            v = wrk(a, p.pid, t)
            store.setdefault(n, {}).setdefault(t, []).append(v)
            print('  %s round %d %-9s %-7s %10.0f req/s  %s us/req CPU%s' % (
                what, r + 1, n, t, v['rps'], '%.2f' % v['cpu_us_per_req'] if v['cpu_us_per_req'] else '?',
                '  errors %d' % v['errors'] if v['errors'] else ''), flush=True)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        print('  %s: %s' % (n, e), flush=True)
        res['failures'].append('%s %s round %d: %s' % (n, what, r + 1, e))
    finally:
        stop(a, p)


def phase_wrk(a, srv, res):
    for r in range(a.rounds):
        for n, s in srv.items():
            wrk_round(a, n, s, [t for t in ('ka50', 'ka8', 'upload') if t in s['metrics']],
                      res['raw']['wrk'], res, 'wrk', r)


# ---- ours against the syscall floor, interleaved --------------------------------------------
def phase_floor_ab(a, srv, res):
    """Server CPU per request of ours and the syscall floor, alternating (ABBA) run by run: in
    the wrk phase every server of a round runs between the two, about 40 s apart, and a noisy
    machine drifts in that time; here the two measurements of a pair are seconds apart."""
    if 'ours' not in srv or 'floor' not in srv:
        return
    raw = res['raw'].setdefault('floor_ab', {})
    for r in range(a.ab_rounds):
        for n in (('ours', 'floor') if r % 2 == 0 else ('floor', 'ours')):
            wrk_round(a, n, srv[n], ('ka50', 'ka8'), raw, res, 'floor A/B', r)


def floor_ab_summary(res):
    """Per test: the ratios ours / floor of each round and their median; the text line."""
    raw = res['raw'].get('floor_ab', {})
    out, cells = {}, []
    for t, label in (('ka50', 'c50'), ('ka8', 'c8')):
        rs = [x['cpu_us_per_req'] / f['cpu_us_per_req']
              for x, f in zip(raw.get('ours', {}).get(t, []), raw.get('floor', {}).get(t, []))
              if x['cpu_us_per_req'] and f['cpu_us_per_req']]
        if rs:
            out[t] = dict(per_round=[round(x, 3) for x in rs], median=statistics.median(rs))
            # user and system time apart: user time is the servers' own code and varies little;
            # system time is the kernel's TCP work, the same for both, and carries the noise
            for n in ('ours', 'floor'):
                for k in ('user', 'sys'):
                    v = [x[k + '_us_per_req'] for x in raw[n][t] if x.get(k + '_us_per_req') is not None]
                    if v:
                        out[t]['%s_%s_us' % (n, k)] = round(statistics.median(v), 3)
            split = ''
            if all(('%s_%s_us' % (n, k)) in out[t] for n in ('ours', 'floor') for k in ('user', 'sys')):
                split = ' [median µs per request, user: ours %.2f, floor %.2f; system: ours %.2f, floor %.2f]' % (
                    out[t]['ours_user_us'], out[t]['floor_user_us'], out[t]['ours_sys_us'], out[t]['floor_sys_us'])
            cells.append('%s %.3f (rounds: %s)%s' % (label, out[t]['median'], ', '.join('%.2f' % x for x in rs),
                                                     split))
    text = ('\nServer CPU per request, ours / syscall floor, interleaved (%d rounds, order ABBA, each a fresh '
            'start, wrk -t1 for the same seconds): %s.\n' % (len(out.get('ka50', {}).get('per_round', [])),
                                                              '; '.join(cells)) if cells else '')
    return out, text


# ---- callgrind and strace: difference method ---------------------------------------------
def run_traced(a, n, cmd, prefix, nreq, out, sig, idle=0, mode='seq'):
    """nreq sequential keep-alive requests to a traced server (kaclient mode: seq, or seqb
    with a browser's head); with idle, that many other keep-alive connections (one request
    each) stay open meanwhile."""
    p = start(a, cmd, prefix=prefix, timeout=120)
    holder = None
    try:
        if idle:
            holder = subprocess.Popen(['taskset', '-c', CLIENT_CPU, a.bindir + '/kaclient', 'idle', str(a.port),
                                       str(idle), '3600'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            line = holder.stdout.readline()      # "idle: K/N connections answered 200, holding ..."
            m = re.match(r'idle: (\d+)/(\d+)', line)
            if not m or m.group(1) != m.group(2):
                raise RuntimeError('%s: idle connections not all answered: %r' % (n, line))
        r = kaclient(a, mode, a.port, nreq)
        if r.returncode:
            raise RuntimeError('kaclient %s %d failed against %s: %s' % (mode, nreq, n, r.stderr.strip()))
    finally:
        if holder:
            holder.kill()
            holder.wait()
        stop(a, p, sig, timeout=120)
    if not os.path.exists(out) or not os.path.getsize(out):
        raise RuntimeError('no output ' + out)


def callgrind_total(path):
    for line in open(path):
        if line.startswith(('summary:', 'totals:')):
            return int(line.split()[1])
    raise RuntimeError('no totals in ' + path)


def phase_callgrind(a, srv, res):
    n1, n2 = a.cg_n1, a.cg_n2
    for n, s in srv.items():
        for metric, idle, mode in (('instr', 0, 'seq'), ('instr_idle', a.conns, 'seq'), ('instr_browser', 0, 'seqb')):
            if metric not in s['metrics']:
                continue
            what = ' with %d idle connections' % idle if idle else ' (browser head)' if mode == 'seqb' else ''
            cmd = s.get('cmd_single', s['cmd']) if idle else s.get('cmd_instr', s.get('cmd_single', s['cmd']))
            try:
                tot = {}
                for nreq in (n1, n2):
                    out = os.path.join(a.rundir, 'cg.%s.%s.%d' % (n, metric, nreq))
                    run_traced(a, n, cmd, ['valgrind', '--tool=callgrind', '--callgrind-out-file=' + out], nreq,
                               out, signal.SIGTERM, idle=idle, mode=mode)
                    tot[nreq] = callgrind_total(out)
                per = (tot[n2] - tot[n1]) / (n2 - n1)
                res['raw']['callgrind'].setdefault(n, {})[metric] = dict(
                    ir={str(k): v for k, v in tot.items()}, instr_per_req=per, idle_conns=idle,
                    command=' '.join(cmd))
                print('  %-9s %9.0f instructions/request%s  (Ir(%d)=%d, Ir(%d)=%d)' % (
                    n, per, what, n1, tot[n1], n2, tot[n2]), flush=True)
            except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
                print('  %s: %s' % (n, e), flush=True)
                res['failures'].append('%s callgrind%s: %s' % (n, what, e))


def strace_calls(path):
    calls = {}
    for line in open(path):
        m = re.match(r'\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$', line)
        if m and m.group(2) != 'total':
            calls[m.group(2)] = int(m.group(1))
    if not calls:
        raise RuntimeError('no syscall counts in ' + path)
    return calls


def phase_strace(a, srv, res):
    n1, n2 = a.st_n1, a.st_n2
    for n, s in srv.items():
        if 'syscalls' not in s['metrics']:
            continue
        try:
            calls = {}
            for nreq in (n1, n2):
                out = os.path.join(a.rundir, 'strace.%s.%d' % (n, nreq))
                # strace -o FILE PROG blocks fatal signals itself (-I3): the server dies, strace
                # writes the summary and exits
                run_traced(a, n, s.get('cmd_single', s['cmd']), ['strace', '-f', '-c', '-o', out], nreq, out,
                           signal.SIGTERM)
                calls[nreq] = strace_calls(out)
            names = set(calls[n1]) | set(calls[n2])
            per = {k: (calls[n2].get(k, 0) - calls[n1].get(k, 0)) / (n2 - n1) for k in names}
            per = {k: round(v, 3) for k, v in sorted(per.items(), key=lambda kv: -kv[1]) if abs(v) >= 0.01}
            total = (sum(calls[n2].values()) - sum(calls[n1].values())) / (n2 - n1)
            res['raw']['strace'][n] = dict(syscalls_per_req=total, by_syscall=per)
            print('  %-9s %6.2f syscalls/request  %s' % (n, total, per), flush=True)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
            print('  %s: %s' % (n, e), flush=True)
            res['failures'].append('%s strace: %s' % (n, e))


# ---- RSS with idle connections -------------------------------------------------------------
def phase_rss(a, srv, res):
    for n, s in srv.items():
        if 'rss' not in s['metrics']:
            continue
        p = c = None
        try:
            p = start(a, s.get('cmd_rss', s['cmd']))
            check(a, n)
            kaclient(a, 'seq', a.port, 100)
            time.sleep(0.5)
            idle = rss_kib(p.pid)
            c = subprocess.Popen(['taskset', '-c', CLIENT_CPU, a.bindir + '/kaclient', 'idle', str(a.port),
                                  str(a.conns), str(a.hold)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 text=True)
            line = c.stdout.readline().strip()
            time.sleep(1)
            busy = rss_kib(p.pid)
            rest = c.communicate(timeout=a.hold + 120)[0].strip()
            m = re.search(r'idle: (\d+)/(\d+) connections answered', line)
            ok = int(m.group(1)) if m else 0
            m = re.search(r'idle: (\d+)/(\d+) still answer', rest)
            alive = int(m.group(1)) if m else 0
            v = dict(idle_kib=idle[0], idle_threads=idle[1], conns=ok, still_alive=alive, conns_kib=busy[0],
                     conns_threads=busy[1], bytes_per_conn=(busy[0] - idle[0]) * 1024 / ok if ok else None)
            res['raw']['rss'][n] = v
            print('  %-9s idle %6d KiB %4d thr | %d conns %7d KiB %5d thr | %.0f B/conn | %d still alive' % (
                n, idle[0], idle[1], ok, busy[0], busy[1], v['bytes_per_conn'] or 0, alive), flush=True)
            if ok < a.conns:
                res['failures'].append('%s rss: only %d of %d idle connections were answered' % (n, ok, a.conns))
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
            print('  %s: %s' % (n, e), flush=True)
            res['failures'].append('%s rss: %s' % (n, e))
        finally:
            if c and c.poll() is None:
                c.kill()
                c.wait()
            if p:
                stop(a, p)


# ---- table, JSON, chart -----------------------------------------------------------------------
ROWS = [  # key, label, unit format, higher is better
    ('ka50_rps', 'GET keep-alive, wrk -c50 (req/s)', '%.0f', True),
    ('ka8_rps', 'GET keep-alive, wrk -c8 (req/s)', '%.0f', True),
    ('ka50_cpu', 'server CPU per request, -c50 (µs)', '%.2f', False),
    ('ka8_cpu', 'server CPU per request, -c8 (µs)', '%.2f', False),
    ('instr', 'instructions per request (callgrind)', '%.0f', False),
    ('instr_idle', 'instructions per request, %(conns)d idle conns open', '%.0f', False),
    ('instr_browser', 'instructions per request, a browser\'s 0.5 KiB head', '%.0f', False),
    ('syscalls', 'syscalls per request (strace -c)', '%.2f', False),
    ('rss_conns', 'RSS with %(conns)d idle conns (KiB)', '%.0f', False),
    ('rss_per_conn', 'RSS growth per idle conn (bytes)', '%.0f', False),
    ('upload', '1 MiB uploads, wrk -c4 (MiB/s)', '%.0f', True),
]
SHORT = {'ka50_rps': 'req/s c50', 'ka8_rps': 'req/s c8', 'ka50_cpu': 'CPU c50', 'ka8_cpu': 'CPU c8',
         'instr': 'instr', 'instr_idle': 'instr+idle', 'instr_browser': 'instr browser', 'syscalls': 'syscalls', 'rss_conns': 'RSS', 'rss_per_conn': 'RSS/conn',
         'upload': 'upload'}


def medians(res):
    val = {k: {} for k, *_ in ROWS}
    for n, tests in res['raw']['wrk'].items():
        for t, runs in tests.items():
            ok = [x for x in runs if x['requests']]
            if not ok:
                continue
            key = {'ka50': 'ka50', 'ka8': 'ka8', 'upload': 'upload'}[t]
            if t == 'upload':
                val['upload'][n] = statistics.median(x['rps'] for x in ok)
            else:
                val[key + '_rps'][n] = statistics.median(x['rps'] for x in ok)
                cpu = [x['cpu_us_per_req'] for x in ok if x['cpu_us_per_req']]
                if cpu:
                    val[key + '_cpu'][n] = statistics.median(cpu)
    # Ratios of the wrk rows: in each round every server ran back to back, so the ratio
    # within a round cancels most of a noisy machine's drift; the median is over rounds.
    paired = {}
    ref = res['raw']['wrk'].get('nginx', {})
    for n, tests in res['raw']['wrk'].items():
        for t, runs in tests.items():
            base = ref.get(t, [])
            pairs = [('rps', 'upload')] if t == 'upload' else [('rps', t + '_rps'), ('cpu_us_per_req', t + '_cpu')]
            for metric, key in pairs:
                rs = [x[metric] / b[metric] for x, b in zip(runs, base)
                      if x.get(metric) and b.get(metric) and x['requests'] and b['requests']]
                if rs:
                    paired.setdefault(key, {})[n] = statistics.median(rs)
    val['_paired'] = paired
    for n, v in res['raw']['callgrind'].items():
        for metric, m in v.items():
            val[metric][n] = m['instr_per_req']
    for n, v in res['raw']['strace'].items():
        val['syscalls'][n] = v['syscalls_per_req']
    for n, v in res['raw']['rss'].items():
        if v['conns']:
            val['rss_conns'][n] = v['conns_kib']
            val['rss_per_conn'][n] = v['bytes_per_conn']
    return val


def spread(res):
    """How far the wrk rounds disagree (max/min - 1 of req/s, worst test per server): a noise gauge."""
    cells = []
    for n, tests in res['raw']['wrk'].items():
        worst = 0.0
        for runs in tests.values():
            v = [x['rps'] for x in runs if x['rps']]
            if len(v) > 1:
                worst = max(worst, max(v) / min(v) - 1)
        cells.append('%s %.0f %%' % (n, worst * 100))
    return ('\nSpread of req/s over the wrk rounds (max/min - 1, worst test): %s.\n' % ', '.join(cells)
            if cells else '')


def table(a, srv, val, ref='nginx'):
    names = list(srv)
    lines = ['| metric | ' + ' | '.join(srv[n]['label'] for n in names) + ' |',
             '|---|' + '---:|' * len(names)]
    ratios = {}
    for key, label, fmt, higher in ROWS:
        cells = []
        r0 = val[key].get(ref)
        for n in names:
            v = val[key].get(n)
            if v is None:
                cells.append('n/a')
                continue
            cell = fmt % v
            ratio = val.get('_paired', {}).get(key, {}).get(n) or (v / r0 if r0 else None)
            if ratio:
                ratios.setdefault(key, {})[n] = ratio
                if n != ref:
                    cell += ' (%.2f×)' % ratio
            cells.append(cell)
        lines.append('| %s %s | %s |' % (label % {'conns': a.conns}, '↑' if higher else '↓', ' | '.join(cells)))
    return '\n'.join(lines), ratios


def chart(a, srv, ratios, png):
    names = [n for n in srv if n != 'nginx']
    dat = os.path.join(a.rundir, 'chart.dat')
    with open(dat, 'w') as f:
        f.write('metric ' + ' '.join('"%s"' % srv[n]['label'] for n in names) + '\n')
        for key, _, _, higher in ROWS:
            f.write('"%s %s" ' % (SHORT[key], '↑' if higher else '↓'))
            f.write(' '.join(('%.4f' % ratios[key][n]) if ratios.get(key, {}).get(n) is not None else 'NaN'
                             for n in names))
            f.write('\n')
    os.makedirs(os.path.dirname(png), exist_ok=True)
    r = subprocess.run(['gnuplot', '-e', 'datafile="%s"; outfile="%s"; ncols=%d; subtitle="%s"' % (
        dat, png, len(names), a.chart_subtitle.replace('"', "'")), os.path.join(HERE, 'chart.gp')],
        capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError('gnuplot failed: ' + r.stderr)


def machine():
    model = '?'
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    return dict(nproc=os.cpu_count(), cpu=model, kernel=platform.release())


def tool_versions():
    v = {}
    for name, cmd in (('nginx', ['nginx', '-v']), ('wrk', ['wrk', '--version']), ('valgrind', ['valgrind', '--version']),
                      ('strace', ['strace', '-V'])):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            v[name] = (r.stdout + r.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            v[name] = '?'
    for pkg in ('libmicrohttpd-dev', 'libcivetweb-dev'):
        try:
            v[pkg] = subprocess.run(['dpkg-query', '-W', '-f=${Version}', pkg], capture_output=True,
                                    text=True).stdout.strip() or '?'
        except OSError:
            v[pkg] = '?'
    return v


def main():
    env = os.environ.get
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--bindir', required=True, help='directory with esp_api_hello, mhd_hello, civetweb_hello, floor, '
                                                    'kaclient')
    ap.add_argument('--rundir', required=True, help='scratch directory (nginx prefix, traces)')
    ap.add_argument('--outdir', required=True, help='results.md and results.json go here')
    ap.add_argument('--png', required=True, help='chart output')
    ap.add_argument('--port', type=int, default=int(env('BENCH_PORT', '0')) or None)
    ap.add_argument('--rounds', type=int, default=int(env('BENCH_ROUNDS', '5')))
    ap.add_argument('--duration', type=int, default=int(env('BENCH_DURATION', '3')), help='seconds per wrk test')
    ap.add_argument('--conns', type=int, default=int(env('BENCH_IDLE_CONNS', '1000')))
    ap.add_argument('--hold', type=int, default=3, help='seconds kaclient holds the idle connections')
    ap.add_argument('--civet-threads', type=int, default=int(env('BENCH_CIVET_THREADS', '64')))
    ap.add_argument('--cg-n1', type=int, default=int(env('BENCH_CG_N1', '2000')))
    ap.add_argument('--cg-n2', type=int, default=int(env('BENCH_CG_N2', '12000')))
    ap.add_argument('--st-n1', type=int, default=int(env('BENCH_STRACE_N1', '1000')))
    ap.add_argument('--st-n2', type=int, default=int(env('BENCH_STRACE_N2', '11000')))
    ap.add_argument('--only', default=env('BENCH_ONLY', ''), help='comma-separated servers (nginx is always kept)')
    ap.add_argument('--phases', default=env('BENCH_PHASES', 'wrk,floor_ab,callgrind,strace,rss'))
    ap.add_argument('--ab-rounds', type=int, default=int(env('BENCH_AB_ROUNDS', '12')),
                    help='rounds of the interleaved ours / syscall floor comparison')
    ap.add_argument('--command', default='make bench', help='recorded in the results')
    a = ap.parse_args()
    global SERVER_CPU, CLIENT_CPU
    if (os.cpu_count() or 1) < 2:
        print('warning: fewer than 2 CPUs, server and client share CPU 0', file=sys.stderr)
        CLIENT_CPU = '0'
    if not a.port:
        s = socket.socket()
        s.bind(('127.0.0.1', 0))
        a.port = s.getsockname()[1]
        s.close()
    if port_open(a.port):
        sys.exit('bench: something already listens on 127.0.0.1:%d' % a.port)
    os.makedirs(a.rundir, exist_ok=True)
    os.chmod(a.rundir, 0o755)
    srv = servers(a)
    if a.only:
        keep = set(a.only.split(',')) | {'nginx'}
        srv = {n: s for n, s in srv.items() if n in keep}
    phases = a.phases.split(',')
    when = datetime.datetime.now(datetime.timezone.utc)
    a.chart_subtitle = ('%s, %d x %s, Linux %s\\nc50/c8: wrk connections; CPU: server CPU time per request; '
                        'instr: instructions per request (callgrind); RSS: with %d idle connections' % (
                            when.strftime('%Y-%m-%d'), os.cpu_count(), machine()['cpu'], platform.release(), a.conns))
    res = dict(date=when.strftime('%Y-%m-%d %H:%M:%S UTC'), machine=machine(), tools=tool_versions(),
               command=a.command,
               settings=dict(port=a.port, rounds=a.rounds, duration_s=a.duration, idle_conns=a.conns,
                             callgrind_n=[a.cg_n1, a.cg_n2], strace_n=[a.st_n1, a.st_n2],
                             ab_rounds=a.ab_rounds, civetweb_threads=a.civet_threads, server_cpu=SERVER_CPU, client_cpu=CLIENT_CPU,
                             phases=phases),
               servers={n: dict(label=s['label'], command=' '.join(s['cmd'])) for n, s in srv.items()},
               failures=[], raw=dict(wrk={}, callgrind={}, strace={}, rss={}))
    t0 = time.time()
    print('bench: port %d, %d rounds x %d s, servers: %s' % (a.port, a.rounds, a.duration, ', '.join(srv)),
          flush=True)
    for ph, fn in (('wrk', phase_wrk), ('floor_ab', phase_floor_ab), ('callgrind', phase_callgrind), ('strace', phase_strace), ('rss', phase_rss)):
        if ph in phases:
            print('== %s (%.0f s elapsed)' % (ph, time.time() - t0), flush=True)
            fn(a, srv, res)
    val = medians(res)
    md, ratios = table(a, srv, val)
    res['values'], res['ratios_vs_nginx'] = val, ratios
    res['floor_ab'], ab_text = floor_ab_summary(res)
    res['elapsed_s'] = round(time.time() - t0, 1)
    head = ('Benchmark %s, %d x %s, Linux %s. Server on CPU %s, client on CPU %s. wrk: median of %d rounds x %d s.\n'
            'Cells: value (ratio vs nginx, measured in the same run; wrk rows: median over rounds of the ratio '
            'within each round); ↑ higher is better, ↓ lower is better.\n' % (
                res['date'], os.cpu_count(), res['machine']['cpu'], res['machine']['kernel'], SERVER_CPU,
                CLIENT_CPU, a.rounds, a.duration))
    fail = ''.join('\n- %s' % f for f in res['failures'])
    text = head + '\n' + md + '\n' + spread(res) + ab_text + ('\nProblems:' + fail + '\n' if fail else '')
    print('\n' + text, flush=True)
    os.makedirs(a.outdir, exist_ok=True)
    open(os.path.join(a.outdir, 'results.md'), 'w').write(text)
    json.dump(res, open(os.path.join(a.outdir, 'results.json'), 'w'), indent=1, ensure_ascii=False)
    try:
        chart(a, srv, ratios, a.png)
        print('chart: %s' % a.png)
    except (RuntimeError, OSError) as e:
        print('chart: %s' % e, file=sys.stderr)
        return 1
    print('results: %s/results.md, %s/results.json (%.0f s)' % (a.outdir, a.outdir, res['elapsed_s']))
    return 0


if __name__ == '__main__':
    def _term(sig, frm):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, _term)
    # started in the background by run.sh, we inherit SIGINT ignored; with a handler
    # installed, the servers we start get the default action again
    signal.signal(signal.SIGINT, _term)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print('bench: interrupted', file=sys.stderr)
        sys.exit(130)
