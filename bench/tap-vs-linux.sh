#!/usr/bin/env bash
# Nemesis tcp_send over the TAP beside the Linux kernel's own TCP over a veth pair, in one run:
#
#   1. Nemesis -> Linux over the TAP: tcp_send without limits (rate: unlimited, a CPU reservation of
#      8ms/10ms with extra time, no transmit reservation: the wire's extra time only) to iperf 2's
#      server in the emulator's Linux namespace, for WARMUP+SECONDS; twice, with
#      machine: ideal (no emulated costs: as fast as the emulator goes in real time) and with
#      machine: p200-de4x5 (the paper's cost model; `perf` gives ~57 Mb/s).
#   2. Linux -> Linux: two namespaces joined by a veth pair, MTU 1500, offloads off on both ends
#      (tso gso gro tx rx sg tx-gso-list, as far as veth lets them go), `iperf -s` in one, `iperf -c -t
#      WARMUP+SECONDS` in the other.
#   3. The ceiling: bench/tap-write-rate.sh SECONDS, MTU frames written to a TAP by one thread.
#
# Prints each rate in Mbit/s (10^6) and in the paper's Mb/s (2^20 bit/s), the ratios
# Nemesis/Linux beside the paper's 0.72 (58 / 81 Mb/s), the ceiling, and the conditions: cores,
# what else was using the CPU, how busy each core was during each measurement.
#
# The rates compared are iperf's own final reports, of the server in both cases: iperf 2 measures a
# connection over its whole life (accept to end), so both connections last WARMUP+SECONDS (the
# Nemesis sender is stopped by the scenario then). The emulator's own figure (what Linux
# acknowledged in the SECONDS after the warmup) is shown beside it.
#
#   sudo bench/tap-vs-linux.sh [-t SECONDS] [-w WARMUP] [-r REPEATS] [--retries N] [--keep DIR]
#
#   -t, --seconds N   measured seconds of each case (default 10)
#   -w, --warmup N    seconds before that (default 1): the emulator's warmup, and added to both
#                     iperf connections so they last as long
#   -r, --repeats N   run every case N times, keep the best of each (default 1)
#   --retries N       reruns of a Nemesis case whose iperf gave no usable report, or whose
#                     connection stalled (default 3; see below)
#   --keep DIR        keep scenarios, JSON results and logs in DIR
#
# Needs root, /dev/net/tun, iperf 2, ethtool, ip, ss, ping, python3 (nstat if present). Everything runs in network namespaces
# (the emulator's own; nemesis-b<pid>-snd/-rcv for the veth pair; tap-write-rate's own), on
# 198.51.100.0/24 and 203.0.113.0/24; all are removed at the end, on Ctrl-C or error too.
#
# How the Nemesis connection ends, and when a case is rerun: the run lasts WARMUP+SECONDS; when it
# ends, the Linux side aborts what the emulated host left open (ss -K), iperf ends that connection
# and prints its report: its interval is the connection's life, accept to the end of the run. An
# attempt is rerun (--retries) if iperf gave no report or the connection stalled (nothing
# acknowledged after the warmup); a run with more than 0.2% of its segments retransmitted is
# pointed out in the notes.
# No transmit reservation: with tx 900us/1ms x (as `perf`) the rate was the same or a little lower.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
me="tap-vs-linux.sh"

usage() {
    sed -n '/^#   sudo/,/^#   --keep/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

seconds=10
warmup=1
repeats=1
retries=3
keep=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        -t|--seconds) seconds="${2:?}"; shift 2 ;;
        -w|--warmup) warmup="${2:?}"; shift 2 ;;
        -r|--repeats) repeats="${2:?}"; shift 2 ;;
        --retries) retries="${2:?}"; shift 2 ;;
        --keep) keep="${2:?}"; shift 2 ;;
        -h|--help) usage ;;
        *) echo "$me: unknown argument '$1'" >&2; usage ;;
    esac
done
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 1 && "$seconds" -le 300 ]] \
    || { echo "$me: --seconds must be a whole number of seconds, 1..300" >&2; exit 2; }
[[ "$warmup" =~ ^[0-9]+$ && "$warmup" -ge 1 && "$warmup" -le 60 ]] \
    || { echo "$me: --warmup must be a whole number of seconds, 1..60" >&2; exit 2; }
[[ "$repeats" =~ ^[0-9]+$ && "$repeats" -ge 1 && "$repeats" -le 20 ]] \
    || { echo "$me: --repeats must be 1..20" >&2; exit 2; }
[[ "$retries" =~ ^[0-9]+$ && "$retries" -le 10 ]] || { echo "$me: --retries must be 0..10" >&2; exit 2; }

if [[ $EUID -ne 0 ]]; then
    echo "$me: must run as root (network namespaces, a veth pair, a TAP device): sudo $0 $*" >&2
    exit 1
fi
missing=()
for c in ip ethtool iperf python3 timeout ping ss; do
    command -v "$c" >/dev/null || missing+=("$c")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "$me: missing: ${missing[*]} (scripts/install-test-tools.sh installs iperf)" >&2
    exit 1
fi
iperf_version="$(iperf -v 2>&1 || true)"
if [[ "$iperf_version" != *"iperf version 2"* ]]; then
    echo "$me: needs iperf 2 (iperf -v says: $iperf_version)" >&2
    exit 1
fi
[[ -c /dev/net/tun ]] || { echo "$me: no /dev/net/tun" >&2; exit 1; }

# --- cleanup: everything this script made, on any exit -------------------------------------------
ns_snd="nemesis-b$$-snd"
ns_rcv="nemesis-b$$-rcv"
work="$(mktemp -d /tmp/tap-vs-linux.XXXXXX)"
srv_pid=""  # the Linux-side iperf server while it runs (only then: a pid may be reused once reaped)
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n "$srv_pid" ]]; then
        kill -KILL "$srv_pid" 2>/dev/null || true
        wait "$srv_pid" 2>/dev/null || true
    fi
    for n in "$ns_snd" "$ns_rcv"; do
        if ip netns list 2>/dev/null | grep "^$n\b" >/dev/null; then
            ip netns del "$n" 2>/dev/null || echo "$me: could not delete namespace $n" >&2
        fi
    done
    if [[ -n "$keep" ]]; then
        mkdir -p "$keep" && cp -r "$work"/. "$keep"/ && echo "kept scenarios, results and logs in $keep" >&2
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the analysis, in python3 --------------------------------------------------------------------
cat > "$work/an.py" <<'PY'
import json, os, re, sys, time

MB = 1 << 20
ROOT_PID = int(os.environ.get('TVL_ROOT_PID', '0'))
FLAGS_BYTES = 4  # iperf 2.1's server does not count the first 4 (zero) bytes of a non-iperf stream
IPERF_IDLE_S = 4.1  # iperf 2.1.8's server looks at a SIGINT only when a read returns or every ~4.1 s idle

def cpu_lines(text):
    """{'cpu': [..], 'cpu0': [..]} from /proc/stat lines."""
    out = {}
    for l in text.splitlines():
        if l.startswith('cpu'):
            f = l.split()
            out[f[0]] = [int(x) for x in f[1:9]]
    return out

def busy(a, b):
    """{'cpu': fraction busy of all cores, 'cpu0': ...} between two /proc/stat snapshots."""
    r = {}
    for k in b:
        if k not in a:
            continue
        d = [y - x for x, y in zip(a[k], b[k])]
        tot = sum(d)
        idle = d[3] + d[4]
        r[k] = (tot - idle) / tot if tot > 0 else 0.0
    return r

def fmt_busy(r):
    if not r:
        return 'n/a'
    cores = sorted((k for k in r if k != 'cpu'), key=lambda k: int(k[3:]))
    return '%3.0f%% of %d cores (%s)' % (100 * r['cpu'], len(cores),
                                         ' '.join('%.0f%%' % (100 * r[k]) for k in cores))

def proc_times():
    t = {}
    for p in os.listdir('/proc'):
        if not p.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % p) as f:
                s = f.read()
        except OSError:
            continue
        name = s[s.index('(') + 1:s.rindex(')')]
        f = s[s.rindex(')') + 2:].split()
        t[int(p)] = (name, int(f[11]) + int(f[12]))
    return t

def procsnap(path):
    """Every process's CPU ticks, name and parent, with the time: to tell others' CPU use from ours."""
    procs = {}
    for p in os.listdir('/proc'):
        if not p.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % p) as f:
                s = f.read()
        except OSError:
            continue
        name = s[s.index('(') + 1:s.rindex(')')]
        f = s[s.rindex(')') + 2:].split()
        procs[p] = [name, int(f[11]) + int(f[12]), int(f[1])]
    with open(path, 'w') as out:
        json.dump({'time': time.time(), 'procs': procs}, out)

def others(snap_a, snap_b, root_pid):
    """CPU (in cores) used between two snapshots by user processes that are not this script's descendants
    (kernel threads are left out: they do the network work of both), and the biggest of them."""
    try:
        a = json.load(open(snap_a))
        b = json.load(open(snap_b))
    except (OSError, ValueError):
        return None
    parent = {}
    for snap in (a, b):
        for pid, (name, ticks, ppid) in snap['procs'].items():
            parent[int(pid)] = ppid
    def ours(pid):
        seen = 0
        while pid > 1 and seen < 64:
            if pid == root_pid:
                return True
            pid = parent.get(pid, 0)
            seen += 1
        return False
    hz = os.sysconf('SC_CLK_TCK')
    wall = max(1e-3, b['time'] - a['time'])
    used = []
    for pid, (name, ticks, ppid) in b['procs'].items():
        pid = int(pid)
        if pid == 2 or ppid == 2 or ours(pid):
            continue
        before = a['procs'].get(str(pid))
        t0 = before[1] if before and before[0] == name else 0
        if ticks > t0:
            used.append(((ticks - t0) / hz / wall, pid, name))
    used.sort(reverse=True)
    return {'cores': sum(u[0] for u in used),
            'top': [{'pid': p, 'name': n, 'cpu': round(c, 3)} for c, p, n in used[:3]]}

def noise(seconds):
    """What else uses the CPU: busy fraction of all cores over `seconds`, and the top processes."""
    with open('/proc/stat') as f:
        a = cpu_lines(f.read())
    pa = proc_times()
    time.sleep(seconds)
    with open('/proc/stat') as f:
        b = cpu_lines(f.read())
    pb = proc_times()
    hz = os.sysconf('SC_CLK_TCK')
    top = []
    for pid, (name, t) in pb.items():
        if pid in pa and pa[pid][0] == name:
            share = (t - pa[pid][1]) / hz / seconds
            if share >= 0.02 and pid != os.getpid():
                top.append((share, pid, name))
    top.sort(reverse=True)
    with open('/proc/loadavg') as f:
        load = f.read().split()[0]
    r = busy(a, b)
    print(json.dumps({'busy': r, 'load1': float(load),
                      'top': [{'pid': p, 'name': n, 'cpu': round(s, 3)} for s, p, n in top[:4]]}))

def units_s(text):
    m = re.fullmatch(r'([0-9.]+)(ns|us|ms|s)', text)
    if not m:
        return None
    return float(m.group(1)) * {'ns': 1e-9, 'us': 1e-6, 'ms': 1e-3, 's': 1.0}[m.group(2)]

def window_busy(log, start_s, end_s):
    """CPU busy between the emulator's progress lines at start_s and end_s (emulated seconds); the
    log has one progress line a second: wall time <TAB> /proc/stat cpu lines joined by ';' <TAB> line."""
    pts = []
    try:
        with open(log) as f:
            for l in f:
                parts = l.rstrip('\n').split('\t', 2)
                if len(parts) < 3:
                    continue
                m = re.search(r': (\S+) of \S+ emulated', parts[2])
                if not m:
                    continue
                e = units_s(m.group(1))
                if e is not None:
                    pts.append((e, cpu_lines(parts[1].replace(';', '\n'))))
    except OSError:
        return None
    a = next((p for p in pts if p[0] >= start_s), None)
    b = next((p for p in reversed(pts) if p[0] <= end_s), None)
    if a is None or b is None or b[0] - a[0] < 0.9:
        return None
    return busy(a[1], b[1])

def nemesis(path, log, machine, warmup_s, seconds_s, attempt, rnd):
    """One Nemesis run's figures. Exit 0: good; 3: iperf gave no usable report (rerun); 1: failed."""
    def out(status, why, **kw):
        d = {'case': machine, 'round': rnd, 'attempt': attempt, 'status': status, 'why': why}
        d.update(kw)
        print(json.dumps(d))
        sys.exit({'ok': 0, 'retry': 3}.get(status, 1))
    try:
        with open(path) as f:
            j = json.load(f)
    except (OSError, ValueError) as e:
        out('fail', 'no results JSON (%s)' % e)
    d = j.get('domains', {})
    s1 = d.get('s1')
    if s1 is None:
        out('fail', 'no domain s1 in the results')
    for name in ('driver', 'flowman'):
        if d.get(name, {}).get('status') not in ('running', None):
            out('fail', 'domain %s ended: %s %s' % (name, d[name].get('status'), d[name].get('error', '')))
    if s1.get('status') != 'running':
        out('fail', 'tcp_send did not run to the end: status %s %s' % (s1.get('status'), s1.get('error', '')))
    if s1.get('verified') is False:
        out('fail', 'the stream was not verified')
    st = s1.get('stats', {})
    need = ('connect_ns', 'bytes_sent', 'bytes_acked', 'retransmits')
    if any(k not in st for k in need):
        out('fail', "tcp_send's figures lack %s" % [k for k in need if k not in st])
    stop_ns = int(j['duration_ns'])
    window_ns = stop_ns - int(warmup_s * 1e9)
    emu_bps = st.get('acked_in_window', 0) * 8e9 / window_ns
    # iperf's interval starts at its accept: when the connection was established.
    life_s = (stop_ns - st.get('connected_at_ns', st['connect_ns'])) / 1e9
    figures = dict(emu_bps=emu_bps, goodput_bps=s1.get('goodput_bps'), measured_ns=j.get('measured_ns'),
                   cpu_share=s1['cpu']['share'], driver_share=d.get('driver', {}).get('cpu', {}).get('share'),
                   idle=j['cpu']['idle_ns'] / j['measured_ns'] if j.get('measured_ns') else None,
                   retransmits=st['retransmits'], segments=st.get('segments_sent'),
                   bytes_sent=st['bytes_sent'], bytes_acked=st['bytes_acked'], life_s=life_s,
                   resets=j.get('flowman', {}).get('tcp_resets_sent'),
                   driver_drops=j.get('link', {}).get('driver_drops', {}),
                   linux_acks=j.get('peer', {}).get('host', {}).get('Tcp', {}).get('OutSegs'),
                   tap=j.get('link', {}).get('tap', {}),
                   busy=window_busy(log, warmup_s, warmup_s + seconds_s),
                   others=others(path + '.snap0', path + '.snap1', ROOT_PID))
    if emu_bps == 0:
        out('retry', 'the connection stalled: nothing was acknowledged after the warmup (tcp_send sent %d segments, '
            '%d retransmitted, and ran %.1f ms; the driver counted %s)' % (st.get('segments_sent', 0), st['retransmits'],
                                                                         s1['cpu']['guaranteed_ns'] / 1e6 + s1['cpu']['extra_ns'] / 1e6,
                                                                         figures['driver_drops']), **figures)
    p = j.get('peer', {}).get('iperf_server:5001')
    if p is None:
        out('fail', 'no iperf_server:5001 in the results', **figures)
    figures['iperf'] = {k: p.get(k) for k in ('connections', 'bytes', 'seconds', 'bits_per_second', 'interval',
                                              'state', 'exit_code', 'tool_errors')}
    if p.get('connections') != 1 or p.get('state') != 'stopped':
        out('retry', 'iperf gave no report (state %s, %s connections; flow manager resets: %s): the stopped '
            "sender's connection was not reset" % (p.get('state'), p.get('connections'), figures['resets']), **figures)
    errs = [e for e in (p.get('tool_errors') or []) if 'Connection reset by peer' not in e]
    if errs:
        out('fail', 'iperf complained: %s' % errs, **figures)
    lo, hi = st['bytes_acked'] - FLAGS_BYTES, st['bytes_sent'] - FLAGS_BYTES
    if not lo <= p['bytes'] <= hi:
        out('fail', 'iperf counted %d bytes; tcp_send had %d acknowledged and %d sent (less its first %d)'
            % (p['bytes'], st['bytes_acked'], st['bytes_sent'], FLAGS_BYTES), **figures)
    excess = p['seconds'] - life_s
    if abs(excess) <= max(0.1, 0.01 * life_s):
        # The reset ended iperf's connection at the sender's stop: iperf's own rate.
        out('ok', 'iperf counted between what was acknowledged and what was sent', bps=p['bits_per_second'],
            how='iperf', **figures)
    if 0 < excess <= 2 * IPERF_IDLE_S + 0.5:
        # No reset: iperf noticed the end only at its idle timeout after the stop; its bytes are all
        # there (checked above), its interval is too long: its bytes over the connection's life.
        out('ok', "iperf's bytes over the connection's life (its interval ran %.2f s past the sender's stop, to its "
            'idle timeout)' % excess, bps=round(p['bytes'] * 8 / life_s), how='bytes/life', **figures)
    out('retry', "iperf's interval %.3f s is not the sender's connection's life %.3f s" % (p['seconds'], life_s),
        **figures)

IPERF = re.compile(r'^\[\s*(\d+)\]\s+([0-9.]+)\s*-\s*([0-9.]+)\s+sec\s+([0-9.]+)\s+Bytes?\s+([0-9.]+)\s+bits/sec(.*)$')

def iperf_final(path):
    """The last final report line (starting at 0) of iperf 2 -f b output, or None."""
    last = None
    with open(path) as f:
        for l in f:
            m = IPERF.match(l.strip())
            if m and float(m.group(2)) == 0.0:
                last = dict(seconds=float(m.group(3)), bytes=round(float(m.group(4))),
                            bps=round(float(m.group(5))), rest=m.group(6).strip())
    return last

def softnet_drops(path):
    """Packets dropped because a CPU's input backlog was full (netif_rx: veth without GRO), summed over CPUs."""
    with open(path) as f:
        return sum(int(l.split()[1], 16) for l in f if l.strip())

def nstat_delta(a, b):
    """The sender namespace's TCP counters that tell lost from spurious retransmissions (nstat -a)."""
    def read(p):
        try:
            with open(p) as f:
                return {l.split()[0]: int(l.split()[1]) for l in f if l.strip() and not l.startswith('#')}
        except (OSError, ValueError, IndexError):
            return {}
    x, y = read(a), read(b)
    return {k: y[k] - x.get(k, 0) for k in ('TcpRetransSegs', 'TcpExtTCPDSACKRecvSegs', 'TcpExtTCPSACKReorder',
                                           'TcpExtTCPLossProbes', 'TcpExtTCPTimeouts') if k in y}

def linux(server_out, client_out, stat_a, stat_b, attempt, offloads):
    def out(status, why, **kw):
        d = {'case': 'linux', 'round': attempt, 'attempt': 1, 'status': status, 'why': why}
        d.update(kw)
        print(json.dumps(d))
        sys.exit(0 if status == 'ok' else 1)
    s = iperf_final(server_out)
    c = iperf_final(client_out)
    with open(stat_a) as f:
        a = cpu_lines(f.read())
    with open(stat_b) as f:
        b = cpu_lines(f.read())
    with open(offloads) as f:
        off = json.load(f)
    kw = dict(server=s, client=c, busy=busy(a, b), offloads=off, others=others(stat_a + '.snap', stat_b + '.snap', ROOT_PID),
              backlog_drops=softnet_drops(stat_b + '.softnet') - softnet_drops(stat_a + '.softnet'),
              sender_tcp=nstat_delta(stat_a + '.nstat', stat_b + '.nstat'))
    if s is None:
        out('fail', "iperf's server gave no report", **kw)
    if c is None:
        out('fail', "iperf's client gave no report", **kw)
    if s['bytes'] != c['bytes']:
        out('fail', 'the server received %d bytes, the client wrote %d' % (s['bytes'], c['bytes']), **kw)
    m = re.match(r'(\d+)/(\d+)\s+(\d+)', c['rest'])
    if m:
        kw['retries'] = int(m.group(3))
        kw['write_errors'] = int(m.group(2))
    out('ok', 'the server received every byte the client wrote', bps=s['bps'], **kw)

def ceiling(text_path, stat_a, stat_b, attempt):
    def out(status, why, **kw):
        d = {'case': 'ceiling', 'round': attempt, 'attempt': 1, 'status': status, 'why': why}
        d.update(kw)
        print(json.dumps(d))
        sys.exit(0 if status == 'ok' else 1)
    with open(text_path) as f:
        t = f.read()
    with open(stat_a) as f:
        a = cpu_lines(f.read())
    with open(stat_b) as f:
        b = cpu_lines(f.read())
    num = lambda x: float(x.replace(',', ''))
    fps = re.search(r'([0-9,.]+) frames/s', t)
    udp = re.search(r'UDP payload:\s+([0-9,.]+) Mbit/s', t)
    cnt = re.search(r'Linux counted ([0-9,]+) frames received .*?\(([0-9,]+) dropped\) over the whole run of '
                    r'([0-9,]+) writes; write errors (\d+)', t)
    if not (fps and udp and cnt):
        out('fail', 'tap-write-rate printed no rate: %s' % t.strip()[-300:])
    rx, dropped, writes, errors = (int(num(x)) for x in cnt.groups())
    kw = dict(fps=num(fps.group(1)), udp_bps=num(udp.group(1)) * 1e6, rx=rx, dropped=dropped, writes=writes,
              errors=errors, busy=busy(a, b), others=others(stat_a + '.snap', stat_b + '.snap', ROOT_PID))
    if errors or rx != writes:
        out('fail', 'Linux counted %d of %d frames written (%d write errors)' % (rx, writes, errors), **kw)
    out('ok', 'Linux counted every frame written', **kw)

def table(results_path, noise_before, noise_after, seconds, warmup, repeats, cores):
    rs = [json.loads(l) for l in open(results_path) if l.strip()]
    ok = lambda case: [r for r in rs if r['case'] == case and r['status'] == 'ok']
    best = {}
    for case in ('ideal', 'p200-de4x5', 'linux'):
        xs = ok(case)
        best[case] = max(xs, key=lambda r: r['bps']) if xs else None
    cx = ok('ceiling')
    best['ceiling'] = max(cx, key=lambda r: r['fps']) if cx else None
    lin = best['linux']['bps']
    def row(label, bps, extra=''):
        print('  %-44s %8.1f Mbit/s %8.1f Mb/s  %s' % (label, bps / 1e6, bps / MB, extra))
    def runs(case, key='bps', scale=1e6):
        xs = [r for r in rs if r['case'] == case]
        if len(xs) <= 1:
            return ''
        return 'runs: ' + ', '.join(('%.0f' % (r[key] / scale) + ('*' if r.get('how') == 'bytes/life' else ''))
                                    if r['status'] == 'ok' else r['status'] for r in xs)
    print()
    print('Nemesis tcp_send over the TAP beside Linux TCP over veth: %d s measured after %d s warmup, best of %d'
          % (seconds, warmup, repeats))
    print('  (Mbit/s = 10^6 bit/s; Mb/s = 2^20 bit/s, the paper\'s unit; rates are TCP payload. iperf: its server\'s'
          ' report over the whole %d s connection, in both cases; emulator: what Linux acknowledged in the %d s'
          ' after the warmup)' % (seconds + warmup, seconds))
    print()
    for case, label in (('ideal', 'Nemesis, machine ideal'), ('p200-de4x5', 'Nemesis, machine p200-de4x5')):
        b = best[case]
        row(label + (' (iperf)' if b.get('how') == 'iperf' else ' (iperf*)'), b['bps'],
            'ratio to Linux %.3f   %s' % (b['bps'] / lin, runs(case)))
        row('  emulator: acked in the %d s window' % seconds, b['emu_bps'],
            'retransmits %d, tcp_send CPU %.0f%%, driver %.0f%%, emulated idle %.0f%%'
            % (b['retransmits'], 100 * b['cpu_share'], 100 * (b['driver_share'] or 0), 100 * (b['idle'] or 0))
            + (', driver counted %s' % ' '.join('%s=%s' % kv for kv in b['driver_drops'].items())
               if b.get('driver_drops') else ''))
    b = best['linux']
    t = b.get('sender_tcp') or {}
    row('Linux -> Linux over veth (iperf)', b['bps'], ('retransmits %s' % t.get('TcpRetransSegs', b.get('retries')))
        + (' (%s of them DSACKed: spurious, reordering seen %s times)'
           % (t['TcpExtTCPDSACKRecvSegs'], t.get('TcpExtTCPSACKReorder')) if 'TcpExtTCPDSACKRecvSegs' in t else '')
        + ', input backlog drops %s   ' % b.get('backlog_drops') + runs('linux'))
    c = best['ceiling']
    if c:
        row('TAP write ceiling (UDP payload)', c['udp_bps'], '%.0f MTU frames/s, %.2f us a write   %s'
            % (c['fps'], 1e6 / c['fps'], runs('ceiling', 'fps', 1)))
        row('  the same frames as TCP (1448 B payload)', c['fps'] * 1448 * 8)
    print()
    print('  ratio Nemesis/Linux: ideal %.3f, p200-de4x5 %.3f; the paper: 0.72 (Nemesis > 58 Mb/s, Linux 81 Mb/s'
          ' on a P200 at 100 Mb/s)' % (best['ideal']['bps'] / lin, best['p200-de4x5']['bps'] / lin))
    print('  p200-de4x5 beside the paper\'s Linux-Linux 81 Mb/s (the same hardware as its cost model): %.3f'
          % (best['p200-de4x5']['bps'] / MB / 81))
    if c:
        print('  share of the TAP write ceiling (as TCP): ideal %.2f, Linux over veth %.2f'
              % (best['ideal']['bps'] / (c['fps'] * 1448 * 8), lin / (c['fps'] * 1448 * 8)))
    print()
    model = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')
    print('conditions: %d cores (%s), Linux %s; host CPU busy during each measurement (all processes):'
          % (cores, model, os.uname().release))
    warn = []
    for case in ('ideal', 'p200-de4x5', 'linux', 'ceiling'):
        if best.get(case):
            o = best[case].get('others')
            print('  %-12s %s; other processes %s' % (case, fmt_busy(best[case].get('busy')),
                                                     '%.0f%% of a core' % (100 * o['cores']) if o else 'n/a'))
        for r in rs:
            o = r.get('others')
            if r['case'] == case and o and o['cores'] > 0.1:
                warn.append('during %s (round %s%s) other processes used %.0f%% of a core: %s' % (
                    case, r['round'], ', attempt %d' % r['attempt'] if r['attempt'] > 1 else '', 100 * o['cores'],
                    ', '.join('%s[%d] %.0f%%' % (t['name'], t['pid'], 100 * t['cpu']) for t in o['top'])))
    off = best['linux']['offloads']
    print('  veth offloads: turned off %s; could not: %s; still on: %s'
          % (', '.join(off['off']) or 'none', ', '.join(off['failed']) or 'none', ', '.join(off['still_on']) or 'none'))
    for r in rs:
        if r['case'] in ('ideal', 'p200-de4x5') and r.get('segments') and r.get('retransmits', 0) > 0.002 * r['segments']:
            print('  %s round %d attempt %d: tcp_send retransmitted %d of %d segments (%.1f%%): the connection lost time'
                  ' to retransmission timeouts (the driver dropped %s ACKs for want of a receive buffer); %s'
                  % (r['case'], r['round'], r['attempt'], r['retransmits'], r['segments'],
                     100 * r['retransmits'] / r['segments'], (r.get('driver_drops') or {}).get('rx_no_buffer', 0),
                     'its iperf rate %.0f Mbit/s' % (r['bps'] / 1e6) if r.get('bps') else r['status']))
    if any(best[c].get('how') == 'bytes/life' for c in ('ideal', 'p200-de4x5')):
        print("  * iperf's byte count over the sender's connection's life: no reset ended iperf's connection at the"
              " sender's stop, iperf's interval ran on to its ~4 s idle timeout")
    retried = [r for r in rs if r['status'] == 'retry']
    if retried:
        print('  %d Nemesis attempt(s) rerun: %s' % (len(retried), '; '.join(sorted({r['why'] for r in retried}))))
    for label, n in (('before', noise_before), ('after', noise_after)):
        if n['busy'].get('cpu', 0) * cores > 0.1:
            warn.append('%s the runs the machine was %.0f%% busy (load %.2f): %s' % (
                label, 100 * n['busy'].get('cpu', 0), n['load1'],
                ', '.join('%s[%d] %.0f%%' % (t['name'], t['pid'], 100 * t['cpu']) for t in n['top'])
                or 'no one process over 2% of a core'))
    if warn:
        print('  NOISE WARNING: other work shares these %d cores; rates are lower and vary: ' % cores)
        for w in warn:
            print('    ' + w)
    else:
        print('  no other load seen during the runs, nor in 1 s before and after them (under 10%% of a core;'
              ' load average %.2f / %.2f, which counts this script\'s own runs and build)'
              % (noise_before['load1'], noise_after['load1']))

if __name__ == '__main__':
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == 'noise':
        noise(float(args[0]))
    elif cmd == 'nemesis':
        nemesis(args[0], args[1], args[2], float(args[3]), float(args[4]), int(args[5]), int(args[6]))
    elif cmd == 'linux':
        linux(*args[:4], int(args[4]), args[5])
    elif cmd == 'ceiling':
        ceiling(args[0], args[1], args[2], int(args[3]))
    elif cmd == 'procsnap':
        procsnap(args[0])
    elif cmd == 'table':
        table(args[0], json.loads(open(args[1]).read()), json.loads(open(args[2]).read()),
              int(args[3]), int(args[4]), int(args[5]), int(args[6]))
    else:
        sys.exit('unknown command ' + cmd)
PY
an() { TVL_ROOT_PID=$$ python3 "$work/an.py" "$@"; }
cores=$(nproc)
results="$work/results.jsonl"
: > "$results"

stat_now() { # FILE [NAMESPACE]: CPU counters, input backlog counters, the namespace's TCP counters
    grep '^cpu' /proc/stat > "$1"
    cat /proc/net/softnet_stat > "$1.softnet"
    an procsnap "$1.snap"
    if [[ -n "${2:-}" ]] && command -v nstat >/dev/null; then
        ip netns exec "$2" nstat -asz > "$1.nstat" 2>/dev/null || true
    fi
}

# Each stderr line of the emulator, with the wall time and the CPU counters when it was printed.
stamp() {
    local l s
    while IFS= read -r l; do
        s=$(grep '^cpu' /proc/stat | tr '\n' ';')
        printf '%s\t%s\t%s\n' "$EPOCHREALTIME" "$s" "$l"
    done
}

# --- 1. Nemesis over the TAP ---------------------------------------------------------------------
scenario() { # MACHINE FILE
    local stop=$((warmup + seconds))
    cat > "$2" <<EOF
# bench/tap-vs-linux.sh: tcp_send without limits over the TAP to iperf 2's server on the Linux side,
# for ${stop}s; at the end the Linux side aborts the connection and iperf reports it.
name: tap-tcp-$1
clock: real
seed: 1
duration: ${stop}s
warmup: ${warmup}s
machine: $1
link: { rate: unlimited }
peer:
  kind: tap
  services:
    - { program: iperf_server, port: 5001 }
domains:
  - name: s1
    program: tcp_send
    args: { to: "peer:5001" }
    cpu: { period: 10ms, slice: 8ms, extra: true }
EOF
}

run_nemesis() { # MACHINE ROUND
    local m="$1" r="$2" a f rc
    f="$work/$m.yaml"
    scenario "$m" "$f"
    for ((a = 1; a <= retries + 1; a++)); do
        local base="$work/$m-r$r-a$a"
        echo "  Nemesis tcp_send -> Linux over the TAP, machine $m (round $r, attempt $a) ..." >&2
        an procsnap "$base.json.snap0"
        set +e
        timeout --foreground --signal=INT --kill-after=10 $((warmup + seconds + 60)) \
            ./nemesis run "$f" --json "$base.json" --out "$work/out" 2>&1 >"$base.out" | stamp > "$base.log"
        rc=${PIPESTATUS[0]}
        set -e
        an procsnap "$base.json.snap1"
        if [[ $rc -ne 0 ]]; then
            echo "$me: the Nemesis run ($m) failed with exit status $rc:" >&2
            tail -n 15 "$base.log" | cut -f3- >&2
            exit 1
        fi
        set +e
        an nemesis "$base.json" "$base.log" "$m" "$warmup" "$seconds" "$a" "$r" >> "$results"
        rc=$?
        set -e
        local last
        last=$(tail -n 1 "$results")
        if [[ $rc -eq 0 ]]; then
            return 0
        elif [[ $rc -eq 3 ]]; then
            echo "    rerunning: $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["why"])' "$last")" >&2
        else
            echo "$me: the Nemesis run ($m) is not valid: $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["why"])' "$last")" >&2
            exit 1
        fi
    done
    echo "$me: machine $m: no usable result in $((retries + 1)) attempts (the reasons are above; see the notes at the top of $0)" >&2
    exit 1
}

# --- 2. Linux over a veth pair -------------------------------------------------------------------
offload_features=(tso gso gro tx rx sg tx-gso-list)
veth_up() {
    ip netns add "$ns_snd"
    ip netns add "$ns_rcv"
    ip -n "$ns_snd" link add nmv0 type veth peer name nmv1 netns "$ns_rcv"
    ip -n "$ns_snd" link set lo up
    ip -n "$ns_rcv" link set lo up
    ip -n "$ns_snd" link set nmv0 mtu 1500
    ip -n "$ns_rcv" link set nmv1 mtu 1500
    ip -n "$ns_snd" addr add 203.0.113.1/24 dev nmv0
    ip -n "$ns_rcv" addr add 203.0.113.2/24 dev nmv1
    local ns dev f msg off=() failed=()
    for pair in "$ns_snd:nmv0" "$ns_rcv:nmv1"; do
        ns=${pair%%:*}
        dev=${pair#*:}
        for f in "${offload_features[@]}"; do
            if msg=$(ip netns exec "$ns" ethtool -K "$dev" "$f" off 2>&1); then
                off+=("$dev:$f")
            else
                failed+=("$dev:$f ($(echo "$msg" | tr '\n' ' ' | sed 's/ *$//'))")
            fi
        done
    done
    ip -n "$ns_snd" link set nmv0 up
    ip -n "$ns_rcv" link set nmv1 up
    # What is still on afterwards, of the features that matter to TCP's packet sizes and checksums.
    local still=()
    for pair in "$ns_snd:nmv0" "$ns_rcv:nmv1"; do
        ns=${pair%%:*}
        dev=${pair#*:}
        while IFS= read -r line; do
            still+=("$dev:$line")
        done < <(ip netns exec "$ns" ethtool -k "$dev" \
            | grep -E '^(rx-checksumming|tx-checksumming|scatter-gather|tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload|large-receive-offload|rx-gro-list|tx-udp-segmentation|tx-gso-list):' \
            | grep -v ': off' | sed 's/: /=/')
    done
    for pair in "$ns_snd:nmv0" "$ns_rcv:nmv1"; do
        ip -n "${pair%%:*}" -o link show "${pair#*:}" | grep ' mtu 1500 ' >/dev/null \
            || { echo "$me: ${pair#*:} does not have MTU 1500" >&2; exit 1; }
    done
    python3 - "$work/offloads.json" "${#off[@]}" "${off[@]}" "${#failed[@]}" "${failed[@]}" "${still[@]}" <<'PY'
import json, sys
a = sys.argv[2:]
n = int(a[0]); off = a[1:1 + n]; a = a[1 + n:]
n = int(a[0]); failed = a[1:1 + n]; still = a[1 + n:]
def merge(xs):  # 'nmv0:tso','nmv1:tso' -> 'tso (both ends)'
    by = {}
    for x in xs:
        dev, f = x.split(':', 1)
        by.setdefault(f, []).append(dev)
    return [f + ('' if len(d) == 2 else ' (' + '/'.join(d) + ')') for f, d in by.items()]
json.dump({'off': merge(off), 'failed': failed, 'still_on': still}, open(sys.argv[1], 'w'))
PY
    # One ping both ways: the pair works (and ARP is done before iperf starts).
    ip netns exec "$ns_snd" ping -c 1 -W 2 203.0.113.2 >/dev/null \
        || { echo "$me: the veth pair does not pass traffic" >&2; exit 1; }
}

run_linux() { # ROUND
    local r="$1" base="$work/linux-r$1" t=$((warmup + seconds)) srv rc
    echo "  Linux -> Linux over veth, offloads off (round $r) ..." >&2
    ip netns exec "$ns_rcv" iperf -s -B 203.0.113.2 -p 5001 -f b > "$base.server" 2>&1 &
    srv=$!
    srv_pid=$srv
    for ((i = 0; i < 100; i++)); do
        if ip netns exec "$ns_rcv" ss -Hltn 'sport = :5001' | grep LISTEN >/dev/null; then break; fi
        sleep 0.05
    done
    stat_now "$base.stat0" "$ns_snd"
    set +e
    timeout --foreground --kill-after=5 $((t + 30)) ip netns exec "$ns_snd" iperf -c 203.0.113.2 -p 5001 -t "$t" -f b -e \
        > "$base.client" 2>&1
    rc=$?
    set -e
    stat_now "$base.stat1" "$ns_snd"
    # The server prints its report when the connection ends; then it is stopped.
    for ((i = 0; i < 40; i++)); do
        if grep -Eq '^\[ *[0-9]+\] 0\.0+-' "$base.server"; then break; fi
        sleep 0.05
    done
    kill -INT "$srv" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do kill -0 "$srv" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$srv" 2>/dev/null || true
    wait "$srv" 2>/dev/null || true
    srv_pid=""
    if [[ $rc -ne 0 ]]; then
        echo "$me: iperf's client failed (exit status $rc): $(tail -n 3 "$base.client")" >&2
        exit 1
    fi
    set +e
    an linux "$base.server" "$base.client" "$base.stat0" "$base.stat1" "$r" "$work/offloads.json" >> "$results"
    rc=$?
    set -e
    if [[ $rc -ne 0 ]]; then
        echo "$me: the Linux run is not valid: $(tail -n 1 "$results")" >&2
        exit 1
    fi
}

# --- 3. the ceiling ------------------------------------------------------------------------------
run_ceiling() { # ROUND
    local r="$1" base="$work/ceiling-r$1" rc
    echo "  TAP write ceiling (round $r) ..." >&2
    stat_now "$base.stat0"
    set +e
    timeout --foreground --signal=INT --kill-after=10 $((seconds + 60)) bench/tap-write-rate.sh "$seconds" > "$base.out" 2>&1
    rc=$?
    set -e
    stat_now "$base.stat1"
    if [[ $rc -ne 0 ]]; then
        echo "$me: bench/tap-write-rate.sh failed (exit status $rc): $(tail -n 5 "$base.out")" >&2
        exit 1
    fi
    set +e
    an ceiling "$base.out" "$base.stat0" "$base.stat1" "$r" >> "$results"
    rc=$?
    set -e
    if [[ $rc -ne 0 ]]; then
        echo "$me: the ceiling run is not valid: $(tail -n 1 "$results")" >&2
        exit 1
    fi
}

# --- the run -------------------------------------------------------------------------------------
echo "$me: building (if needed) ..." >&2
scenario ideal "$work/check.yaml"
./nemesis check "$work/check.yaml" > "$work/check.out" 2>&1 \
    || { echo "$me: ./nemesis check failed:" >&2; cat "$work/check.out" >&2; exit 1; }
bench/tap-write-rate.sh 0.1 > "$work/build-bench.out" 2>&1 \
    || { echo "$me: bench/tap-write-rate.sh does not run:" >&2; tail -n 20 "$work/build-bench.out" >&2; exit 1; }
echo "$me: $cores cores; each case ${seconds}s after ${warmup}s, best of $repeats; what else runs ..." >&2
an noise 1 > "$work/noise-before.json"
veth_up
for ((r = 1; r <= repeats; r++)); do
    run_nemesis ideal "$r"
    run_nemesis p200-de4x5 "$r"
    run_linux "$r"
    run_ceiling "$r"
done
an noise 1 > "$work/noise-after.json"
an table "$results" "$work/noise-before.json" "$work/noise-after.json" "$seconds" "$warmup" "$repeats" "$cores"
