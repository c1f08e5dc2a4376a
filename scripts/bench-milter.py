#!/usr/bin/env python3
"""bench-milter - throughput and added latency of siftd's proxy worker as a
milter next to rspamd's proxy, both scanning in their own processes
(self-scan), on the real corpus, in the same run.

Starts siftd with the proxy worker only (--count processes, default 2: one
per core of the reference machine), the whole stock SpamAssassin ruleset, no
Bayes and no network tests (as scripts/bench-spamd.py starts it), and rspamd
3.4 (scripts/rspamd_server.py: its own default rules, network checks off)
with its proxy worker in milter mode with `self_scan = yes` and the same
number of processes (plus one idle normal worker, which rspamd_server needs
to see it ready; hfilter's HELO lookups are off as the other network checks
are). Then build/bench_milter_load drives each with CONCURRENCY milter
sessions over loopback, as Postfix opens them (OPTNEG with Postfix's bits,
CONNECT, HELO, MAIL, RCPT, DATA, one HEADER per field, EOH, BODY chunks,
EOM; --per-session messages a session, default 1), the same messages in
the same order: a warm-up, then the measured messages. The latency is the
time from EOM written to the decision read: what the milter adds to the
MTA's end of DATA. Memory is PSS summed over each server's processes
(rspamd's idle normal worker, controller-less, included), CPU the server's
time per message.

    scripts/bench-milter.py [-c 16] [-n 3000 | --duration SECONDS] [--warmup 200]
                            [--count 2] [--per-session 1] [--rounds 1]
                            [--sift-option KEY=VALUE]... [--no-rspamd] [--no-siftd]
                            [--corpus DIR] [--json]

SIFT_BUILD=build-x selects the build directory (default build); it needs
siftd and bench_milter_load there (`make all build/bench_milter_load`). The
corpus is read at run time from ../shared/corpus; without it the script says
so and exits 0. Exit status 1 only when a server does not start.
"""

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import rspamd_server as rs  # noqa: E402
import spamd_servers as ss  # noqa: E402


def _load(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, file))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


bs = _load("bench_spamd", "bench-spamd.py")  # corpus_paths, _kids_cpu


class SiftdMilter(ss.Siftd):
    """siftd as spamd_servers starts it, with the proxy worker (self-scan)
    in place of the spamd worker."""

    SWAP = {"workers.spamd.bind_socket": "workers.proxy.bind_socket",
            "workers.spamd.count": "workers.proxy.count"}

    def argv(self):
        extra, self.extra = self.extra, []
        try:
            argv = super().argv()
        finally:
            self.extra = extra
        swapped = set()
        for i, a in enumerate(argv):
            key, eq, value = a.partition("=")
            if argv[i - 1] == "-o" and eq and key in self.SWAP:
                argv[i] = f"{self.SWAP[key]}={value}"
                swapped.add(key)
        if swapped != set(self.SWAP):  # spamd_servers changed its settings
            raise ss.ServerError(f"siftd: no {set(self.SWAP) - swapped} to swap in {argv}")
        argv += ["-o", "workers.spamd.enabled=no"]
        for kv in self.extra:
            argv += ["-o", kv]
        return argv

    def alive(self):
        return rs.http_ping(self.port)  # the milter port answers GET /ping


class RspamdMilter(rs.Rspamd):
    """rspamd with its proxy as a milter (self_scan); the driver talks to
    the proxy's port."""

    def __init__(self, tmp, count):
        super().__init__(tmp, count=1, controller=False, proxy_count=count, helo_checks=False)
        self.milter_port = self.proxy_port


def start_all(servers):
    """Start them side by side; stop all and raise if one fails."""
    errors = []

    def run(s):
        t0 = time.monotonic()
        try:
            s.start()
            print(f"{s.name}: ready after {time.monotonic() - t0:.1f} s", flush=True)
        except ss.ServerError as e:
            errors.append(str(e))

    threads = [threading.Thread(target=run, args=(s,)) for s in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        for s in servers:
            s.stop()
        raise ss.ServerError("\n".join(errors))


def drive_once(server, port, args, paths):
    argv = [os.path.join(ss.BUILD, "bench_milter_load"), "-p", str(port),
            "-c", str(args.concurrency), "--warmup", str(args.warmup),
            "--per-session", str(args.per_session), "--timeout", str(args.timeout), "--json"]
    argv += ["-t", str(args.duration)] if args.duration else ["-n", str(args.requests)]
    argv += paths
    cpu0, busy0, kids0, t0 = ss.tree_cpu(server.proc.pid), ss.machine_busy(), bs._kids_cpu(), \
        time.monotonic()
    with ss.MemorySampler(server.proc.pid, 0.5) as mem:
        r = subprocess.run(argv, capture_output=True, text=True, check=False)
        pss, rss, nproc = server.memory()
    wall = time.monotonic() - t0
    cpu = ss.tree_cpu(server.proc.pid) - cpu0
    other = ss.machine_busy() - busy0 - cpu - (bs._kids_cpu() - kids0)
    sys.stderr.write(r.stderr)
    if r.returncode not in (0, 1) or not r.stdout.strip():
        raise SystemExit(f"bench_milter_load failed ({r.returncode}) against {server.name}")
    res = json.loads(r.stdout)
    res.update(server=server.name, pss_mib=pss, rss_mib=rss, processes=nproc,
               peak_pss_mib=max(mem.peak_pss, pss),
               server_cpu_ms_per_msg=1000.0 * cpu / max(res["requests"] + args.warmup, 1),
               other_load_pct=max(0.0, 100.0 * other / (wall * (os.cpu_count() or 1))))
    for text, n in res["error_details"].items():
        print(f"  {server.name}: {n} x {text}")
    return res


def drive(server, port, args, paths):
    what = f"{args.duration} s" if args.duration else f"{args.requests} messages"
    print(f"{server.name}: {args.rounds} x ({args.warmup} warm-up and {what}) over milter at "
          f"concurrency {args.concurrency} ...", flush=True)
    runs = [drive_once(server, port, args, paths) for _ in range(args.rounds)]
    res = sorted(runs, key=lambda r: r["msgs_per_s"])[len(runs) // 2]
    res["peak_pss_mib"] = max(r["peak_pss_mib"] for r in runs)
    res["rounds_msgs_per_s"] = [r["msgs_per_s"] for r in runs]
    if args.rounds > 1:
        print(f"  {server.name}: messages/s per round: "
              f"{', '.join(f'{r:.1f}' for r in res['rounds_msgs_per_s'])} (median kept)")
    return res


def table(rows):
    head = (f"{'server':7s} {'procs':>5s} {'msgs':>6s} {'msgs/s':>8s} {'p50 ms':>7s} "
            f"{'p90 ms':>7s} {'p99 ms':>7s} {'max ms':>7s} {'errors':>6s} {'PSS MiB':>8s} "
            f"{'peak PSS':>8s} {'CPU ms/msg':>10s} {'other load':>10s}  decisions")
    print(head)
    print("-" * len(head))
    for r in rows:
        lat = r["latency_ms"]
        d = r["decisions"]
        print(f"{r['server']:7s} {r['processes']:5d} {r['requests']:6d} {r['msgs_per_s']:8.1f} "
              f"{lat['p50']:7.1f} {lat['p90']:7.1f} {lat['p99']:7.1f} {lat['max']:7.1f} "
              f"{r['errors']:6d} {r['pss_mib']:8.1f} {r['peak_pss_mib']:8.1f} "
              f"{r['server_cpu_ms_per_msg']:10.2f} {r['other_load_pct']:9.0f}%  "
              f"accept {d['accept']}, marked {d['marked']}, reject {d['reject']}, "
              f"tempfail {d['tempfail']}")
    print("(latency: EOM written to the decision read; CPU ms/msg: the server's CPU time per "
          "message, warm-up included; other load: CPU used by other processes meanwhile)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-c", "--concurrency", type=int, default=16, help="milter sessions at once")
    ap.add_argument("-n", "--requests", type=int, default=3000, help="measured, per server")
    ap.add_argument("-t", "--duration", type=float, default=0,
                    help="measure for this many seconds per server instead of -n messages")
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=1,
                    help="measure each server this many times and keep the median")
    ap.add_argument("--count", type=int, default=2, help="proxy processes of each server")
    ap.add_argument("--per-session", type=int, default=1, help="messages per milter session")
    ap.add_argument("--sift-option", action="append", default=[], metavar="KEY=VALUE",
                    help="a siftd -o setting (repeatable)")
    ap.add_argument("--timeout", type=float, default=120, help="per message, seconds")
    ap.add_argument("--corpus", default=ss.CORPUS)
    ap.add_argument("--no-rspamd", action="store_true", help="measure siftd only")
    ap.add_argument("--no-siftd", action="store_true", help="measure rspamd only")
    ap.add_argument("--json", action="store_true", help="also print the results as JSON lines")
    args = ap.parse_args()

    paths = bs.corpus_paths(args.corpus)
    if not paths:
        print(f"bench-milter: no corpus at {args.corpus}; skipped")
        return 0
    driver = os.path.join(ss.BUILD, "bench_milter_load")
    if not os.access(driver, os.X_OK):
        print(f"bench-milter: {driver} is missing: make {os.path.relpath(driver, ss.ROOT)}",
              file=sys.stderr)
        return 1

    tmp = tempfile.mkdtemp(prefix="sift-milter-bench-")
    os.chmod(tmp, 0o755)  # rspamd's workers run as _rspamd
    servers, rows, dns = [], [], None
    try:
        if not args.no_siftd:
            servers.append(SiftdMilter(tmp, ss.make_site_dir(tmp), args.count, args.sift_option))
        if not args.no_rspamd:
            servers.append(RspamdMilter(tmp, args.count))
        start_all(servers)
        for s in servers:
            rows.append(drive(s, s.milter_port if isinstance(s, RspamdMilter) else s.port,
                              args, paths))
        for s in servers:
            if isinstance(s, RspamdMilter):
                dns = s.dns_requests()
    except ss.ServerError as e:
        print(f"bench-milter: {e}", file=sys.stderr)
        return 1
    finally:
        for s in servers:
            s.stop()
        if os.environ.get("SIFT_KEEP_TMP"):
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    if not rows:
        return 0
    print()
    print(f"bench-milter: milter sessions at concurrency {args.concurrency}, "
          f"{args.per_session} message(s) each, {rows[0]['messages']} messages "
          f"({rows[0]['skipped']} over 512000 bytes skipped), {os.cpu_count()} cores, "
          f"{args.count} proxy processes each, self-scan")
    table(rows)
    if dns:
        print(f"rspamd made {dns} DNS requests (network checks should be off)")
    by = {r["server"]: r for r in rows}
    if "siftd" in by and "rspamd" in by and by["siftd"]["ok"] and by["rspamd"]["ok"]:
        a, b = by["siftd"], by["rspamd"]
        print(f"siftd/rspamd: throughput {a['msgs_per_s'] / max(b['msgs_per_s'], 1e-6):.2f}x; "
              f"p99 {a['latency_ms']['p99']:.1f}/{b['latency_ms']['p99']:.1f} ms "
              f"({a['latency_ms']['p99'] / max(b['latency_ms']['p99'], 1e-6):.2f}x); "
              f"CPU per message {a['server_cpu_ms_per_msg']:.2f}/"
              f"{b['server_cpu_ms_per_msg']:.2f} ms")
    if args.json:
        for r in rows:
            print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
