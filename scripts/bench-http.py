#!/usr/bin/env python3
"""bench-http - throughput, latency and memory of siftd's normal worker next
to the real rspamd, on the real corpus, over the HTTP scan API (/checkv2).

Starts siftd (the normal worker only, --count processes, default 2: one per
core of the reference machine) with the whole stock SpamAssassin ruleset, no
Bayes and no network tests (as scripts/bench-spamd.py does), and rspamd 3.4
(scripts/rspamd_server.py: its own default rules, network checks off, the
same number of normal workers, plus its controller), then runs
build/bench_spamd_load --http /checkv2 against each at the same concurrency
over the same messages: first a warm-up, then the measured requests, one
connection per request as rspamc sends it (--keepalive: kept while the
server allows; rspamd never does). Memory, CPU time per message and the
other processes' load are measured as bench-spamd.py measures them (PSS and
RSS summed over the server's processes, rspamd's controller and hs_helper
included).

    scripts/bench-http.py [-c 8] [-n 3000 | --duration SECONDS] [--warmup 200]
                          [--count 2] [--rounds 1] [--keepalive] [--path /checkv2]
                          [--sift-option KEY=VALUE]... [--no-rspamd] [--no-siftd]
                          [--mem-interval 0.5] [--corpus DIR] [--json]

SIFT_BUILD=build-x selects the build directory (default build); it needs
siftd and bench_spamd_load there (`make all build/bench_spamd_load`). The
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


def _load_bench_spamd():
    spec = importlib.util.spec_from_file_location("bench_spamd",
                                                  os.path.join(HERE, "bench-spamd.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


bs = _load_bench_spamd()  # its corpus_paths, _kids_cpu and table

# the goal: siftd (stock SA rules) at least this many times rspamd's
# messages/s at concurrency 8, with a lower p99
GOAL_RATIO = 2.0


class SiftdHttp(ss.Siftd):
    """siftd as spamd_servers starts it, with the normal worker in place of
    the spamd worker."""

    SWAP = {"workers.spamd.bind_socket": "workers.normal.bind_socket",
            "workers.spamd.count": "workers.normal.count",
            "workers.normal.enabled": "workers.spamd.enabled"}

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
        for kv in self.extra:
            argv += ["-o", kv]
        return argv

    def alive(self):
        return rs.http_ping(self.port)


def start_all(servers):
    """Start them side by side (rspamd's start overlaps siftd's); stop all
    and raise if one fails."""
    errors = []

    def run(s):
        t0 = time.monotonic()
        try:
            s.start()
            print(f"{s.name}: ready on 127.0.0.1:{s.port} after {time.monotonic() - t0:.1f} s",
                  flush=True)
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


def preflight(server, args, paths):
    """One scan of the first message: None if it passes, else why not."""
    files = ss.message_files(paths[:1])
    if not files:
        return None
    with open(files[0], "rb") as f:
        msg = f.read()
    try:
        status, body = rs.http_request(server.port, "POST", args.path, msg, timeout=args.timeout)
    except OSError as e:
        return str(e)
    if status != 200:
        return f"POST {args.path} answers HTTP {status}: {body[:120].decode('latin-1')!r}"
    return None


def drive_once(server, args, paths):
    """One run of the load driver against a server: its JSON result plus
    memory and CPU (measured as bench-spamd.py measures them)."""
    argv = [os.path.join(ss.BUILD, "bench_spamd_load"), "-p", str(server.port),
            "--http", args.path, "-c", str(args.concurrency), "--warmup", str(args.warmup),
            "--timeout", str(args.timeout), "--json"]
    argv += ["-t", str(args.duration)] if args.duration else ["-n", str(args.requests)]
    if args.keepalive:
        argv.append("--keepalive")
    argv += paths
    cpu0, busy0, kids0, t0 = ss.tree_cpu(server.proc.pid), ss.machine_busy(), bs._kids_cpu(), \
        time.monotonic()
    with ss.MemorySampler(server.proc.pid, args.mem_interval) as mem:
        r = subprocess.run(argv, capture_output=True, text=True, check=False)
        pss, rss, nproc = server.memory()
    wall = time.monotonic() - t0
    cpu = ss.tree_cpu(server.proc.pid) - cpu0
    other = ss.machine_busy() - busy0 - cpu - (bs._kids_cpu() - kids0)
    if r.returncode not in (0, 1) or not r.stdout.strip():
        sys.stderr.write(r.stderr)
        raise SystemExit(f"bench_spamd_load failed ({r.returncode}) against {server.name}")
    sys.stderr.write(r.stderr)
    res = json.loads(r.stdout)
    res.update(server=server.name, pss_mib=pss, rss_mib=rss, processes=nproc,
               peak_pss_mib=max(mem.peak_pss, pss), peak_rss_mib=max(mem.peak_rss, rss),
               server_cpu_ms_per_msg=1000.0 * cpu / max(res["requests"] + args.warmup, 1),
               other_load_pct=max(0.0, 100.0 * other / (wall * (os.cpu_count() or 1))))
    if res["errors"]:
        for text, n in res["error_details"].items():
            print(f"  {server.name}: {n} x {text}")
    return res


def drive(server, args, paths):
    """--rounds identical runs; the median one by messages/s, with the peak
    memory of all and every round's rate."""
    what = f"{args.duration} s" if args.duration else f"{args.requests} requests"
    print(f"{server.name}: {args.rounds} x ({args.warmup} warm-up and {what}) of POST "
          f"{args.path} at concurrency {args.concurrency} ...", flush=True)
    runs = [drive_once(server, args, paths) for _ in range(args.rounds)]
    res = sorted(runs, key=lambda r: r["msgs_per_s"])[len(runs) // 2]
    res["peak_pss_mib"] = max(r["peak_pss_mib"] for r in runs)
    res["peak_rss_mib"] = max(r["peak_rss_mib"] for r in runs)
    res["rounds_msgs_per_s"] = [r["msgs_per_s"] for r in runs]
    if args.rounds > 1:
        print(f"  {server.name}: messages/s per round: "
              f"{', '.join(f'{r:.1f}' for r in res['rounds_msgs_per_s'])} (median kept)")
    return res


def compare(a, b):
    """siftd's row a against rspamd's row b: the ratios and the goal."""
    if a["ok"] == 0 or b["ok"] == 0:
        print("ratios: not computed, a server gave no successful reply")
        return
    ratio = a["msgs_per_s"] / max(b["msgs_per_s"], 1e-6)
    p99a, p99b = a["latency_ms"]["p99"], b["latency_ms"]["p99"]
    print(f"throughput siftd/rspamd: {ratio:.2f}x; p99 siftd/rspamd: {p99a:.1f}/{p99b:.1f} ms; "
          f"CPU per message rspamd/siftd: "
          f"{b['server_cpu_ms_per_msg'] / max(a['server_cpu_ms_per_msg'], 1e-6):.2f}x; "
          f"memory (PSS at the end) siftd/rspamd: {a['pss_mib'] / max(b['pss_mib'], 0.001):.2f}")
    mark = lambda ok: "met" if ok else "NOT met"  # noqa: E731
    print(f"goal for siftd: >= {GOAL_RATIO:.0f}x rspamd's msgs/s: {ratio:.2f}x "
          f"{mark(ratio >= GOAL_RATIO)}; lower p99: {mark(p99a < p99b)}"
          f"{'' if a['errors'] == 0 and b['errors'] == 0 else '; with errors'}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-c", "--concurrency", type=int, default=8)
    ap.add_argument("-n", "--requests", type=int, default=3000, help="measured, per server")
    ap.add_argument("-t", "--duration", type=float, default=0,
                    help="measure for this many seconds per server instead of -n requests")
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=1,
                    help="measure each server this many times and keep the median")
    ap.add_argument("--count", type=int, default=2,
                    help="worker processes of each server (siftd's normal, rspamd's normal)")
    ap.add_argument("--path", default="/checkv2", help="the scan endpoint POSTed to")
    ap.add_argument("--keepalive", action="store_true",
                    help="ask for keep-alive connections (rspamd closes them anyway)")
    ap.add_argument("--sift-option", action="append", default=[], metavar="KEY=VALUE",
                    help="a siftd -o setting (repeatable), e.g. workers.normal.max_conns=2")
    ap.add_argument("--timeout", type=float, default=60, help="per request, seconds")
    ap.add_argument("--mem-interval", type=float, default=0.5,
                    help="seconds between memory samples during a run (0: at the end only)")
    ap.add_argument("--corpus", default=ss.CORPUS)
    ap.add_argument("--no-rspamd", action="store_true", help="measure siftd only")
    ap.add_argument("--no-siftd", action="store_true", help="measure rspamd only")
    ap.add_argument("--json", action="store_true", help="also print the results as JSON lines")
    args = ap.parse_args()

    paths = bs.corpus_paths(args.corpus)
    if not paths:
        print(f"bench-http: no corpus at {args.corpus}; skipped")
        return 0
    driver = os.path.join(ss.BUILD, "bench_spamd_load")
    if not os.access(driver, os.X_OK):
        print(f"bench-http: {driver} is missing: make {os.path.relpath(driver, ss.ROOT)}",
              file=sys.stderr)
        return 1

    tmp = tempfile.mkdtemp(prefix="sift-http-")
    os.chmod(tmp, 0o755)  # rspamd's workers run as _rspamd
    servers, rows = [], []
    try:
        if not args.no_siftd:
            servers.append(SiftdHttp(tmp, ss.make_site_dir(tmp), args.count, args.sift_option))
        if not args.no_rspamd:
            servers.append(rs.Rspamd(tmp, args.count))
        start_all(servers)
        for s in servers:
            why = preflight(s, args, paths)
            if why is not None:
                print(f"{s.name}: not measured: {why}")
                continue
            rows.append(drive(s, args, paths))
        dns = [s.dns_requests() for s in servers if isinstance(s, rs.Rspamd)]
    except ss.ServerError as e:
        print(f"bench-http: {e}", file=sys.stderr)
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
    print(f"bench-http: POST {args.path} at concurrency {args.concurrency}"
          f"{' with keep-alive' if args.keepalive else ''}, {rows[0]['messages']} messages "
          f"({rows[0]['skipped']} over 512000 bytes skipped), {os.cpu_count()} cores, "
          f"{args.count} worker processes each")
    bs.table(rows)
    if dns and dns[0] > 0:
        print(f"rspamd made {dns[0]} DNS requests (network checks should be off)")
    by_name = {r["server"]: r for r in rows}
    if "siftd" in by_name and "rspamd" in by_name:
        compare(by_name["siftd"], by_name["rspamd"])
    if args.json:
        for r in rows:
            print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
